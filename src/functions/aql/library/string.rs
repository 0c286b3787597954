//! String functions. Arguments are converted with `TO_STRING()` unless noted; lengths and
//! positions count characters (code points).

use super::{Args, CallError, arg, as_number, hash, int, string, take, text, to_i64, type_mismatch};
use crate::functions::aql::pattern::{self, RegexCache};
use crate::functions::aql::value;
use crate::functions::jsonvalue::JsonValue;
use regex::Regex;
use std::cell::RefCell;

type R = Result<JsonValue, CallError>;

/// Byte offset of character `chars` in `s` (its length when past the end).
fn byte_at(s: &str, chars: usize) -> usize {
    s.char_indices().nth(chars).map_or(s.len(), |(i, _)| i)
}

fn char_len(s: &str) -> usize {
    s.chars().count()
}

pub(super) fn char_length(a: Args) -> R {
    Ok(int(char_len(&text(arg(&a, 0))) as i64))
}

pub(super) fn lower(a: Args) -> R {
    Ok(string(text(arg(&a, 0)).to_lowercase()))
}

pub(super) fn upper(a: Args) -> R {
    Ok(string(text(arg(&a, 0)).to_uppercase()))
}

/// `CONCAT(v1, ...)`: the values as strings, `null` skipped; one array argument concatenates
/// its elements.
pub(super) fn concat(a: Args) -> R {
    let items: &[JsonValue] = match a.as_slice() {
        [JsonValue::Array(items)] => items,
        all => all,
    };
    let mut out = String::new();
    for v in items.iter().filter(|v| !matches!(v, JsonValue::Null)) {
        out.push_str(&text(v));
    }
    Ok(string(out))
}

/// `CONCAT_SEPARATOR(sep, v1, ...)`; one array after the separator joins its elements.
pub(super) fn concat_separator(a: Args) -> R {
    let sep = text(&a[0]);
    let items: &[JsonValue] = match &a[1..] {
        [JsonValue::Array(items)] => items,
        all => all,
    };
    let parts: Vec<String> = items.iter().filter(|v| !matches!(v, JsonValue::Null)).map(text).collect();
    Ok(string(parts.join(&sep)))
}

/// `CONTAINS(text, search, returnIndex)`: an empty `search` is never found.
pub(super) fn contains(a: Args) -> R {
    let (t, s) = (text(&a[0]), text(&a[1]));
    let found = if s.is_empty() { None } else { t.find(&s).map(|b| char_len(&t[..b]) as i64) };
    Ok(if value::to_bool(arg(&a, 2)) { int(found.unwrap_or(-1)) } else { JsonValue::Bool(found.is_some()) })
}

/// Start position (characters) and optional inclusive end of `FIND_FIRST`/`FIND_LAST`;
/// `None` when the range is empty (the result is then -1).
fn find_range(a: &[JsonValue], len: i64) -> Option<(i64, i64, bool)> {
    let start = if a.len() >= 3 { to_i64(&a[2]) } else { 0 };
    if start < 0 {
        return None;
    }
    match a.get(3) {
        Some(v) if !matches!(v, JsonValue::Null) => {
            let end = to_i64(v);
            if end < start || end < 0 { None } else { Some((start, end, true)) }
        }
        _ => Some((start, len, false)),
    }
}

pub(super) fn find_first(a: Args) -> R {
    let (t, s) = (text(&a[0]), text(&a[1]));
    let (tl, sl) = (char_len(&t) as i64, char_len(&s) as i64);
    let Some((start, end, _)) = find_range(&a, tl) else { return Ok(int(-1)) };
    if sl == 0 {
        return Ok(int(start));
    }
    if start >= tl {
        return Ok(int(-1));
    }
    let from = byte_at(&t, start as usize);
    Ok(int(match t[from..].find(&s) {
        Some(b) => {
            let pos = start + char_len(&t[from..from + b]) as i64;
            if pos + sl - 1 <= end { pos } else { -1 }
        }
        None => -1,
    }))
}

pub(super) fn find_last(a: Args) -> R {
    let (t, s) = (text(&a[0]), text(&a[1]));
    let (tl, sl) = (char_len(&t) as i64, char_len(&s) as i64);
    let Some((start, end, explicit_end)) = find_range(&a, tl) else { return Ok(int(-1)) };
    if sl == 0 {
        return Ok(int(end.saturating_add(i64::from(explicit_end))));
    }
    if start >= tl {
        return Ok(int(-1));
    }
    let from = byte_at(&t, start as usize);
    let to = byte_at(&t, (end.min(tl - 1) + 1) as usize);
    Ok(int(match t[from..to].rfind(&s) {
        Some(b) => start + char_len(&t[from..from + b]) as i64,
        None => -1,
    }))
}

/// `SUBSTRING(value, offset, length)`: a negative offset counts from the end.
pub(super) fn substring(a: Args) -> R {
    let t = text(&a[0]);
    let len = char_len(&t) as i64;
    let off = to_i64(&a[1]);
    let off = if off < 0 { (len + off).max(0) } else { off.min(len) };
    let end = if a.len() == 3 { off.saturating_add(to_i64(&a[2]).max(0)).min(len) } else { len };
    let (b, e) = (byte_at(&t, off as usize), byte_at(&t, end as usize));
    Ok(string(&t[b..e]))
}

/// `SUBSTRING_BYTES(value, offset, length)`: `null` when a bound splits a character.
pub(super) fn substring_bytes(a: Args) -> R {
    let t = text(&a[0]);
    let len = t.len() as i64;
    let off = to_i64(&a[1]);
    let off = if off < 0 { (len + off).max(0) } else { off.min(len) };
    let end = if a.len() == 3 { off.saturating_add(to_i64(&a[2]).max(0)).min(len) } else { len };
    match t.get(off as usize..end as usize) {
        Some(s) => Ok(string(s)),
        None => Ok(JsonValue::Null),
    }
}

pub(super) fn left(a: Args) -> R {
    let t = text(&a[0]);
    let n = to_i64(&a[1]).max(0) as usize;
    Ok(string(&t[..byte_at(&t, n)]))
}

pub(super) fn right(a: Args) -> R {
    let t = text(&a[0]);
    let n = to_i64(&a[1]).max(0) as usize;
    let skip = char_len(&t).saturating_sub(n);
    Ok(string(&t[byte_at(&t, skip)..]))
}

const WHITESPACE: &str = "\r\n\t ";

fn trim_with(t: &str, chars: &str, left: bool, right: bool) -> String {
    let set: Vec<char> = chars.chars().collect();
    let mut s = t;
    if left {
        s = s.trim_start_matches(|c| set.contains(&c));
    }
    if right {
        s = s.trim_end_matches(|c| set.contains(&c));
    }
    s.to_string()
}

/// `TRIM(value, type)` (0 both ends, 1 start, 2 end) or `TRIM(value, chars)`.
pub(super) fn trim(a: Args) -> R {
    let t = text(&a[0]);
    Ok(string(match arg(&a, 1) {
        JsonValue::Number(_) => match to_i64(&a[1]) {
            1 => trim_with(&t, WHITESPACE, true, false),
            2 => trim_with(&t, WHITESPACE, false, true),
            _ => trim_with(&t, WHITESPACE, true, true),
        },
        JsonValue::String(chars) => trim_with(&t, chars, true, true),
        _ => trim_with(&t, WHITESPACE, true, true),
    }))
}

fn trim_chars(a: &[JsonValue]) -> String {
    if a.len() == 2 { text(&a[1]) } else { WHITESPACE.to_string() }
}

pub(super) fn ltrim(a: Args) -> R {
    Ok(string(trim_with(&text(&a[0]), &trim_chars(&a), true, false)))
}

pub(super) fn rtrim(a: Args) -> R {
    Ok(string(trim_with(&text(&a[0]), &trim_chars(&a), false, true)))
}

pub(super) fn like(a: Args) -> R {
    Ok(JsonValue::Bool(pattern::like(&text(&a[0]), &text(&a[1]), value::to_bool(arg(&a, 2)))))
}

/// `STARTS_WITH(text, prefix)` or `STARTS_WITH(text, prefixes, minMatchCount)`.
pub(super) fn starts_with(a: Args) -> R {
    let JsonValue::String(t) = &a[0] else { return Ok(JsonValue::Bool(false)) };
    Ok(JsonValue::Bool(match &a[1] {
        JsonValue::Array(prefixes) => {
            let min = if a.len() == 3 { to_i64(&a[2]) } else { 1 };
            let hits = prefixes.iter().filter(|p| matches!(p, JsonValue::String(p) if t.starts_with(p.as_str()))).count();
            hits as i64 >= min
        }
        JsonValue::String(p) => t.starts_with(p.as_str()),
        _ => false,
    }))
}

thread_local! {
    static REGEXES: RefCell<RegexCache> = RefCell::new(RegexCache::default());
}

/// The compiled expression; an invalid one is an error.
fn regex(pattern: &str, case_insensitive: bool) -> Result<Regex, CallError> {
    REGEXES.with(|cache| match cache.borrow_mut().get(pattern, case_insensitive) {
        Ok(re) => Ok(re.clone()),
        Err(_) => {
            let detail = regex::RegexBuilder::new(pattern).case_insensitive(case_insensitive).size_limit(1 << 22).build().err();
            let detail = detail.map(|e| format!(": {e}")).unwrap_or_default();
            Err(CallError::Invalid(format!("invalid regular expression '{pattern}'{detail}")))
        }
    })
}

pub(super) fn regex_test(a: Args) -> R {
    let re = regex(&text(&a[1]), value::to_bool(arg(&a, 2)))?;
    Ok(JsonValue::Bool(re.is_match(&text(&a[0]))))
}

/// `REGEX_MATCHES(text, regex, caseInsensitive)`: the first match and its groups, `null` when
/// nothing matches.
pub(super) fn regex_matches(a: Args) -> R {
    let pattern = text(&a[1]);
    let re = regex(&pattern, value::to_bool(arg(&a, 2)))?;
    let t = text(&a[0]);
    if t.is_empty() && !pattern.is_empty() {
        return Ok(JsonValue::Array(vec![string("")]));
    }
    Ok(match re.captures(&t) {
        Some(caps) => JsonValue::Array(caps.iter().map(|g| string(g.map_or("", |m| m.as_str()))).collect()),
        None => JsonValue::Null,
    })
}

/// Splits `t` at matches of `re` (captured groups kept as fields); `None` splits into
/// characters. At most `limit` fields.
fn split_with(t: &str, re: Option<&Regex>, limit: Option<usize>) -> JsonValue {
    let limit = limit.unwrap_or(usize::MAX);
    let mut out = Vec::new();
    match re {
        None => out.extend(t.chars().take(limit).map(|c| string(c.to_string()))),
        Some(_) if t.is_empty() => out.push(string("")),
        Some(re) => {
            let mut last = 0;
            for caps in re.captures_iter(t) {
                if out.len() >= limit {
                    break;
                }
                let Some(m) = caps.get(0) else { continue };
                if m.start() == m.end() && (m.start() == 0 || m.start() == t.len()) {
                    continue;
                }
                out.push(string(&t[last..m.start()]));
                for g in caps.iter().skip(1) {
                    out.push(string(g.map_or("", |g| g.as_str())));
                }
                last = m.end();
            }
            out.push(string(&t[last..]));
            out.truncate(limit);
        }
    }
    JsonValue::Array(out)
}

/// The limit argument of `SPLIT`/`REGEX_SPLIT`: `Err(result)` for the documented edge cases.
fn split_limit(a: &[JsonValue], i: usize) -> Result<Option<usize>, JsonValue> {
    match a.get(i) {
        None => Ok(None),
        Some(v) => match as_number(v) {
            None => Err(JsonValue::Null),
            Some(n) if n.trunc() < 0.0 => Err(JsonValue::Null),
            Some(n) if n.trunc() == 0.0 => Err(JsonValue::Array(Vec::new())),
            Some(n) => Ok(Some(n.min(usize::MAX as f64) as usize)),
        },
    }
}

/// `SPLIT(value, separator, limit)`: `separator` is a string or an array of strings; an empty
/// separator splits into characters.
pub(super) fn split(mut a: Args) -> R {
    let limit = match split_limit(&a, 2) {
        Ok(l) => l,
        Err(v) => return Ok(v),
    };
    if a.len() == 1 {
        return Ok(JsonValue::Array(vec![take(&mut a, 0)]));
    }
    let seps: Vec<String> = match &a[1] {
        JsonValue::Object(_) => return Ok(JsonValue::Null),
        JsonValue::Array(items) => items.iter().map(text).filter(|s| !s.is_empty()).collect(),
        other => vec![text(other)].into_iter().filter(|s| !s.is_empty()).collect(),
    };
    let t = text(&a[0]);
    if seps.is_empty() {
        return Ok(split_with(&t, None, limit));
    }
    let re = regex(&seps.iter().map(|s| regex::escape(s)).collect::<Vec<_>>().join("|"), false)?;
    Ok(split_with(&t, Some(&re), limit))
}

pub(super) fn regex_split(a: Args) -> R {
    let limit = match split_limit(&a, 3) {
        Ok(l) => l,
        Err(v) => return Ok(v),
    };
    let pattern = text(&a[1]);
    let t = text(&a[0]);
    if pattern.is_empty() {
        return Ok(split_with(&t, None, limit));
    }
    let re = regex(&pattern, value::to_bool(arg(&a, 2)))?;
    Ok(split_with(&t, Some(&re), limit))
}

/// An ICU replacement string (`$1`, `\$`) in the `regex` crate's syntax.
fn replacement(icu: &str) -> String {
    let mut out = String::with_capacity(icu.len());
    let mut chars = icu.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('$') => out.push_str("$$"),
                Some(n) => out.push(n),
                None => out.push('\\'),
            },
            '$' if chars.peek().is_some_and(char::is_ascii_digit) => {
                out.push_str("${");
                while let Some(d) = chars.next_if(char::is_ascii_digit) {
                    out.push(d);
                }
                out.push('}');
            }
            '$' => out.push_str("$$"),
            c => out.push(c),
        }
    }
    out
}

pub(super) fn regex_replace(a: Args) -> R {
    let re = regex(&text(&a[1]), value::to_bool(arg(&a, 3)))?;
    Ok(string(re.replace_all(&text(&a[0]), replacement(&text(&a[2]))).into_owned()))
}

/// `SUBSTITUTE(value, search, replace, limit)` or `SUBSTITUTE(value, mapping, limit)`.
pub(super) fn substitute(mut a: Args) -> R {
    let mut limit: i64 = -1;
    let mut patterns: Vec<String> = Vec::new();
    let mut replaces: Vec<String> = Vec::new();
    let mut plain = false;
    match &a[1] {
        JsonValue::Object(m) => {
            if a.len() > 3 {
                return Ok(JsonValue::Null);
            }
            if a.len() == 3 {
                limit = to_i64(&a[2]);
            }
            for (k, v) in super::members(m) {
                patterns.push(k.to_string());
                replaces.push(match v {
                    JsonValue::Null => String::new(),
                    JsonValue::String(s) => s.clone(),
                    _ => return Ok(JsonValue::Null),
                });
            }
        }
        search => {
            if a.len() == 4 {
                limit = to_i64(&a[3]);
            }
            match search {
                JsonValue::Array(items) => {
                    for item in items {
                        let JsonValue::String(s) = item else { return Ok(JsonValue::Null) };
                        patterns.push(s.clone());
                    }
                }
                JsonValue::String(s) => patterns.push(s.clone()),
                _ => return Ok(JsonValue::Null),
            }
            match a.get(2) {
                None => {}
                Some(JsonValue::Array(items)) => {
                    for item in items {
                        replaces.push(match item {
                            JsonValue::Null => String::new(),
                            JsonValue::String(s) => s.clone(),
                            _ => return Ok(JsonValue::Null),
                        });
                    }
                }
                Some(JsonValue::String(s)) => {
                    plain = true;
                    replaces.push(s.clone());
                }
                Some(_) => return Ok(JsonValue::Null),
            }
        }
    }
    if limit == 0 || patterns.is_empty() {
        return Ok(take(&mut a, 0));
    }
    if patterns.iter().any(String::is_empty) {
        return Ok(JsonValue::Null);
    }
    let t = text(&a[0]);
    let mut next: Vec<Option<usize>> = patterns.iter().map(|p| t.find(p.as_str())).collect();
    let (mut out, mut last, mut count) = (String::new(), 0usize, 0i64);
    loop {
        let mut best: Option<(usize, usize)> = None;
        for (i, n) in next.iter_mut().enumerate() {
            if n.is_some_and(|p| p < last) {
                *n = t[last..].find(patterns[i].as_str()).map(|p| p + last);
            }
            if let Some(p) = *n
                && best.is_none_or(|(bp, _)| p < bp)
            {
                best = Some((p, i));
            }
        }
        let Some((pos, which)) = best else { break };
        out.push_str(&t[last..pos]);
        match replaces.get(which) {
            Some(r) => out.push_str(r),
            None if plain => out.push_str(&replaces[0]),
            None => {}
        }
        last = pos + patterns[which].len();
        count += 1;
        if limit != -1 && count >= limit {
            break;
        }
    }
    out.push_str(&t[last..]);
    Ok(string(out))
}

pub(super) fn md5(a: Args) -> R {
    Ok(string(hash::hex(&hash::md5(text(&a[0]).as_bytes()))))
}

pub(super) fn sha1(a: Args) -> R {
    Ok(string(hash::hex(&hash::sha1(text(&a[0]).as_bytes()))))
}

pub(super) fn sha256(a: Args) -> R {
    Ok(string(hash::hex(&hash::sha256(text(&a[0]).as_bytes()))))
}

pub(super) fn sha512(a: Args) -> R {
    Ok(string(hash::hex(&hash::sha512(text(&a[0]).as_bytes()))))
}

/// `CRC32()`: CRC-32C as upper-case hexadecimal without leading zeros.
pub(super) fn crc32(a: Args) -> R {
    Ok(string(format!("{:X}", hash::crc32c(text(&a[0]).as_bytes()))))
}

/// `FNV64()`: FNV-1a 64 as upper-case hexadecimal without leading zeros.
pub(super) fn fnv64(a: Args) -> R {
    Ok(string(format!("{:X}", hash::fnv1a64(text(&a[0]).as_bytes()))))
}

pub(super) fn to_hex(a: Args) -> R {
    Ok(string(hash::hex(text(&a[0]).as_bytes())))
}

pub(super) fn to_base64(a: Args) -> R {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let data = text(&a[0]);
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.as_bytes().chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    Ok(string(out))
}

/// `ENCODE_URI_COMPONENT()` as JavaScript's `encodeURIComponent`.
pub(super) fn encode_uri_component(a: Args) -> R {
    let data = text(&a[0]);
    let mut out = String::with_capacity(data.len());
    for &b in data.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Ok(string(out))
}

/// `SOUNDEX()`: the first ASCII letter and three digits (ArangoDB's variant: letters without a
/// code separate equal codes).
pub(super) fn soundex(a: Args) -> R {
    let src = text(&a[0]).to_lowercase();
    let code = |c: char| match c {
        'b' | 'f' | 'p' | 'v' => Some('1'),
        'c' | 'g' | 'j' | 'k' | 'q' | 's' | 'x' | 'z' => Some('2'),
        'd' | 't' => Some('3'),
        'l' => Some('4'),
        'm' | 'n' => Some('5'),
        'r' => Some('6'),
        _ => None,
    };
    let mut chars = src.trim().chars().skip_while(|c| !c.is_ascii_alphabetic());
    let mut out = String::new();
    if let Some(first) = chars.next() {
        out.push(first.to_ascii_uppercase());
        let mut previous = None;
        for c in chars {
            let current = code(c);
            if let Some(d) = current
                && current != previous
            {
                out.push(d);
                if out.len() >= 4 {
                    break;
                }
            }
            previous = current;
        }
        while out.len() < 4 {
            out.push('0');
        }
    }
    Ok(string(out))
}

/// `LEVENSHTEIN_DISTANCE()`: Damerau-Levenshtein distance (optimal string alignment) over
/// characters.
pub(super) fn levenshtein_distance(a: Args) -> R {
    let s: Vec<char> = text(&a[0]).chars().collect();
    let t: Vec<char> = text(&a[1]).chars().collect();
    let n = t.len();
    let mut before: Vec<usize> = vec![0; n + 1];
    let mut prev: Vec<usize> = (0..=n).collect();
    let mut cur: Vec<usize> = vec![0; n + 1];
    for i in 1..=s.len() {
        cur[0] = i;
        for j in 1..=n {
            let cost = usize::from(s[i - 1] != t[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && s[i - 1] == t[j - 2] && s[i - 2] == t[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            cur[j] = d;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    Ok(int(prev[n] as i64))
}

/// Strict dotted-quad parsing (no leading zeros), as `inet_pton`.
fn parse_ipv4(s: &str) -> Option<u32> {
    if s.len() < 7 || s.len() > 15 {
        return None;
    }
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut out = 0u32;
    for p in parts {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) || (p.len() > 1 && p.starts_with('0')) {
            return None;
        }
        let v: u32 = p.parse().ok()?;
        if v > 255 {
            return None;
        }
        out = out << 8 | v;
    }
    Some(out)
}

pub(super) fn is_ipv4(a: Args) -> R {
    Ok(JsonValue::Bool(matches!(&a[0], JsonValue::String(s) if parse_ipv4(s).is_some())))
}

pub(super) fn ipv4_to_number(a: Args) -> R {
    Ok(match &a[0] {
        JsonValue::String(s) => parse_ipv4(s).map_or(JsonValue::Null, |n| int(n as i64)),
        _ => JsonValue::Null,
    })
}

pub(super) fn ipv4_from_number(a: Args) -> R {
    let Some(n) = as_number(&a[0]) else { return Ok(JsonValue::Null) };
    if !(0.0..=u32::MAX as f64).contains(&n.trunc()) {
        return Ok(JsonValue::Null);
    }
    let n = n.trunc() as u32;
    Ok(string(format!("{}.{}.{}.{}", n >> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255)))
}

/// `RANDOM_TOKEN(length)`: 0 to 65536 letters and digits.
pub(super) fn random_token(a: Args) -> R {
    const CHARS: &[u8; 62] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let n = to_i64(&a[0]);
    if !(0..=65536).contains(&n) {
        return Err(type_mismatch("RANDOM_TOKEN"));
    }
    Ok(string((0..n).map(|_| CHARS[(hash::random_u64() % 62) as usize] as char).collect::<String>()))
}

/// `UUID()`: a random (version 4) UUID.
pub(super) fn uuid(_: Args) -> R {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&hash::random_u64().to_le_bytes());
    b[8..].copy_from_slice(&hash::random_u64().to_le_bytes());
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hash::hex(&b);
    Ok(string(format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])))
}
