//! Allocation-free field extraction from `jsonb` text: `->`, `->>`, `#>` and AQL
//! attribute access without building a [`super::JsonValue`] tree.
//!
//! # Why scan text instead of parsing a tree
//!
//! `jsonb` values are stored as *canonical* text ([`super::JsonValue::to_jsonb_text`] of
//! a [`super::parse_jsonb`] value): keys unique and sorted, `jsonb_out` spacing, numbers
//! normalized. Every sub-value of such a text is a substring of it and is *itself* the
//! canonical text of that sub-value, so `doc -> 'a'` is just "find the byte range of
//! member `a`". Parsing the whole document to fetch one member allocates a `String` per
//! key, string and number and a `Vec` per container, all thrown away at once; scanning
//! allocates nothing and returns a slice of the input.
//!
//! # How
//!
//! * Only the container being looked into is walked token by token (`"key"`, `:`,
//!   value, `,` / `}`); each member value is *skipped* in a single forward pass over its
//!   bytes: strings by looking for the closing quote past escapes, nested containers by
//!   counting brackets outside strings. No recursion, no allocation, no depth limit.
//! * Keys are compared byte for byte against the wanted key; a key written with escapes
//!   (`"\u00e9"`, `"a\"b"`) is decoded on the fly while comparing, still without
//!   allocating. A duplicate key (only possible in non-canonical text) resolves to its
//!   last occurrence, as `jsonb` keeps the last — so the walk always runs to the closing
//!   `}` (which also checks the text is complete) instead of stopping at the first match
//!   or at a key that sorts after the wanted one.
//! * Any text holding one valid JSON value works (whitespace anywhere JSON allows); the
//!   returned slices carry no surrounding whitespace. For canonical text they are
//!   canonical too.
//!
//! # Malformed input
//!
//! No function panics or reads out of bounds on any input. Malformed input gives
//! `None`, with one limit that keeps the scan cheap: everything the scan walks is
//! checked — the structure of the container it looks into, that it is closed and
//! followed only by whitespace, every string's quoting and escape syntax, and the
//! returned value itself when it is a scalar — but the inside of a nested container
//! that is skipped or returned whole is only checked for balanced brackets (its outer
//! bracket pair must match) and well-formed strings. So `{"a": [1 2], "b": 1}` still
//! yields `1` for `b`, and `[1 2]` for `a`.
//! Strings must also be valid as `jsonb`: `\u0000` and unpaired surrogate escapes make
//! [`to_text`] return `None`, and a key written with them never matches.

use std::borrow::Cow;

/// The type of a JSON value, as told by its first byte (see [`kind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

/// `->` with text: the raw value of top-level member `key` of an object (last one if
/// duplicated); `None` for a non-object, a missing key or malformed text.
pub fn field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let b = text.as_bytes();
    let start = skip_ws(b, 0);
    if b.get(start) != Some(&b'{') {
        return None;
    }
    let mut found = None;
    let end = walk_object(b, start, |m| {
        if key_matches(b, m, key) {
            found = Some((m.value_start, m.value_end));
        }
    })?;
    if skip_ws(b, end) != b.len() {
        return None;
    }
    let (s, e) = found?;
    text.get(s..e)
}

/// `->` with an integer: the raw array element `index` (negative counts from the end,
/// `-1` is the last); a top-level scalar counts as a one-element array (`0` and `-1`
/// return it), as in PostgreSQL; `None` for an object, out of range or malformed text.
pub fn element(text: &str, index: i64) -> Option<&str> {
    let b = text.as_bytes();
    let start = skip_ws(b, 0);
    match b.get(start)? {
        b'[' => {}
        b'{' => return None,
        _ => {
            let (s, e) = whole_value(b, start)?;
            return if index == 0 || index == -1 { text.get(s..e) } else { None };
        }
    }
    // The last RING element spans are remembered so that small negative indexes need
    // only one pass; larger ones walk the array a second time.
    const RING: usize = 8;
    let mut ring = [(0usize, 0usize); RING];
    let wanted = usize::try_from(index).ok();
    let mut hit = None;
    let (end, count) = walk_array(b, start, |i, s, e| {
        if wanted == Some(i) {
            hit = Some((s, e));
        }
        if let Some(slot) = ring.get_mut(i % RING) {
            *slot = (s, e);
        }
    })?;
    if skip_ws(b, end) != b.len() {
        return None;
    }
    if index < 0 {
        let back = index.unsigned_abs();
        let want = usize::try_from(back).ok().and_then(|back| count.checked_sub(back))?;
        if back <= RING as u64 {
            hit = ring.get(want % RING).copied();
        } else {
            walk_array(b, start, |i, s, e| {
                if i == want {
                    hit = Some((s, e));
                }
            })?;
        }
    }
    let (s, e) = hit?;
    text.get(s..e)
}

/// `#>`: follow `path` (object keys; array subscripts as integer text like `"2"`,
/// `"-1"`, `" +1"`, as C `strtol` reads an `int`); an empty path returns the whole value
/// trimmed (even a scalar); a missing key, bad or out-of-range subscript, step into a
/// scalar or malformed text gives `None`.
pub fn path<'a>(text: &'a str, path: &[&str]) -> Option<&'a str> {
    let Some((first, rest)) = path.split_first() else {
        let b = text.as_bytes();
        let (s, e) = whole_value(b, skip_ws(b, 0))?;
        return text.get(s..e);
    };
    let mut current = step(text, first)?;
    for s in rest {
        current = step(current, s)?;
    }
    Some(current)
}

/// `->>` on a raw value: a string unescaped (borrowed unless it has escapes), `null`
/// (SQL NULL) and malformed text `None`, anything else its raw text trimmed (as is:
/// `1e2` stays `1e2` unless the text is canonical).
pub fn to_text(raw: &str) -> Option<Cow<'_, str>> {
    let b = raw.as_bytes();
    let start = skip_ws(b, 0);
    match b.get(start)? {
        b'"' => {
            let (end, escaped) = string_end(b, start)?;
            if skip_ws(b, end) != b.len() {
                return None;
            }
            let inner = raw.get(start + 1..end - 1)?;
            if escaped { unescape(inner).map(Cow::Owned) } else { Some(Cow::Borrowed(inner)) }
        }
        b'n' => None,
        _ => {
            let (s, e) = whole_value(b, start)?;
            raw.get(s..e).map(Cow::Borrowed)
        }
    }
}

/// The [`Kind`] of a raw value from its first non-whitespace byte alone (the rest is not
/// checked); `None` for empty text or a byte no JSON value starts with.
pub fn kind(raw: &str) -> Option<Kind> {
    let b = raw.as_bytes();
    Some(match b.get(skip_ws(b, 0))? {
        b'n' => Kind::Null,
        b't' | b'f' => Kind::Bool,
        b'-' | b'0'..=b'9' => Kind::Number,
        b'"' => Kind::String,
        b'[' => Kind::Array,
        b'{' => Kind::Object,
        _ => return None,
    })
}

/// One `#>` step from `text` (a value, possibly surrounded by whitespace).
fn step<'a>(text: &'a str, step: &str) -> Option<&'a str> {
    let b = text.as_bytes();
    match b.get(skip_ws(b, 0))? {
        b'{' => field(text, step),
        b'[' => element(text, super::ops::path_index(step).filter(|&i| i != i32::MIN)?.into()),
        _ => None,
    }
}

/// JSON whitespace: exactly space, tab, `\n` and `\r`.
fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

/// First position at or after `i` that is not whitespace (`b.len()` at the end).
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(|&c| is_ws(c)) {
        i += 1;
    }
    i
}

/// The value starting at `start` must be the whole rest of `b` but for whitespace:
/// its byte range.
fn whole_value(b: &[u8], start: usize) -> Option<(usize, usize)> {
    let end = value_end(b, start)?;
    (skip_ws(b, end) == b.len()).then_some((start, end))
}

/// Byte classes: inside a string, the bytes that end a run of plain characters.
const STR_QUOTE: u8 = 1;
const STR_BACKSLASH: u8 = 2;
const STR_CONTROL: u8 = 3;
/// Inside a container being skipped, the bytes that matter.
const SKIP_STRING: u8 = 1;
const SKIP_OPEN: u8 = 2;
const SKIP_CLOSE: u8 = 3;

const fn string_classes() -> [u8; 256] {
    let mut table = [0; 256];
    let mut c = 0;
    while c < 0x20 {
        table[c] = STR_CONTROL;
        c += 1;
    }
    table[b'"' as usize] = STR_QUOTE;
    table[b'\\' as usize] = STR_BACKSLASH;
    table
}

const fn skip_classes() -> [u8; 256] {
    let mut table = [0; 256];
    table[b'"' as usize] = SKIP_STRING;
    table[b'[' as usize] = SKIP_OPEN;
    table[b'{' as usize] = SKIP_OPEN;
    table[b']' as usize] = SKIP_CLOSE;
    table[b'}' as usize] = SKIP_CLOSE;
    table
}

static STRING_CLASS: [u8; 256] = string_classes();
static SKIP_CLASS: [u8; 256] = skip_classes();

/// End (exclusive) of the value starting at `i`: strings and scalars are checked fully,
/// containers by [`container_end`].
fn value_end(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' => string_end(b, i).map(|(end, _)| end),
        b'{' | b'[' => container_end(b, i),
        b't' => literal_end(b, i, b"true"),
        b'f' => literal_end(b, i, b"false"),
        b'n' => literal_end(b, i, b"null"),
        b'-' | b'0'..=b'9' => number_end(b, i),
        _ => None,
    }
}

fn literal_end(b: &[u8], i: usize, word: &[u8]) -> Option<usize> {
    let end = i.checked_add(word.len())?;
    (b.get(i..end)? == word).then_some(end)
}

fn digits_end(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i
}

/// End of a number `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` starting at `i`
/// (the caller rejects what follows it if that is not a delimiter, e.g. `01`).
fn number_end(b: &[u8], mut i: usize) -> Option<usize> {
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    i = match b.get(i)? {
        b'0' => i + 1,
        b'1'..=b'9' => digits_end(b, i),
        _ => return None,
    };
    if b.get(i) == Some(&b'.') {
        if !b.get(i + 1)?.is_ascii_digit() {
            return None;
        }
        i = digits_end(b, i + 1);
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !b.get(i)?.is_ascii_digit() {
            return None;
        }
        i = digits_end(b, i);
    }
    Some(i)
}

/// End (exclusive, past the closing quote) of the string whose opening quote is at
/// `start`, and whether it contains escapes. Control characters, bad escapes and a
/// missing closing quote give `None`.
fn string_end(b: &[u8], start: usize) -> Option<(usize, bool)> {
    let mut i = start + 1;
    let mut escaped = false;
    loop {
        i += b.get(i..)?.iter().position(|&c| STRING_CLASS[usize::from(c)] != 0)?;
        match STRING_CLASS[usize::from(*b.get(i)?)] {
            STR_QUOTE => return Some((i + 1, escaped)),
            STR_BACKSLASH => {
                escaped = true;
                i = escape_end(b, i)?;
            }
            _ => return None,
        }
    }
}

/// End of the escape sequence whose backslash is at `i` (syntax only: `\uD800` passes).
fn escape_end(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i + 1)? {
        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Some(i + 2),
        b'u' => {
            hex4(b, i + 2)?;
            Some(i + 6)
        }
        _ => None,
    }
}

/// The four hex digits at `i..i + 4` as a number.
fn hex4(b: &[u8], i: usize) -> Option<u32> {
    b.get(i..i.checked_add(4)?)?.iter().try_fold(0, |acc, &h| Some(acc * 16 + char::from(h).to_digit(16)?))
}

/// End of the array or object whose opening bracket is at `start`, found by counting
/// brackets outside strings; the closing bracket must match the opening one.
fn container_end(b: &[u8], start: usize) -> Option<usize> {
    let close = match b.get(start)? {
        b'{' => b'}',
        b'[' => b']',
        _ => return None,
    };
    let mut depth = 0usize;
    let mut i = start;
    loop {
        i += b.get(i..)?.iter().position(|&c| SKIP_CLASS[usize::from(c)] != 0)?;
        let c = *b.get(i)?;
        match SKIP_CLASS[usize::from(c)] {
            SKIP_STRING => i = string_end(b, i)?.0,
            SKIP_OPEN => {
                depth += 1;
                i += 1;
            }
            _ => {
                depth -= 1;
                i += 1;
                if depth == 0 {
                    return (c == close).then_some(i);
                }
            }
        }
    }
}

/// One object member, as byte ranges of the walked text.
struct Member {
    /// The key between its quotes, still escaped.
    key_start: usize,
    key_end: usize,
    /// The key contains backslash escapes.
    key_escaped: bool,
    value_start: usize,
    value_end: usize,
}

/// Walk the members of the object whose `{` is at `start`, in text order; returns the
/// position after its `}`, or `None` if malformed.
fn walk_object(b: &[u8], start: usize, mut visit: impl FnMut(&Member)) -> Option<usize> {
    let mut i = skip_ws(b, start + 1);
    if b.get(i) == Some(&b'}') {
        return Some(i + 1);
    }
    loop {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let (key_end, key_escaped) = string_end(b, i)?;
        let colon = skip_ws(b, key_end);
        if b.get(colon) != Some(&b':') {
            return None;
        }
        let value_start = skip_ws(b, colon + 1);
        let value_end = value_end(b, value_start)?;
        visit(&Member { key_start: i + 1, key_end: key_end - 1, key_escaped, value_start, value_end });
        i = skip_ws(b, value_end);
        match b.get(i)? {
            b',' => i = skip_ws(b, i + 1),
            b'}' => return Some(i + 1),
            _ => return None,
        }
    }
}

/// Walk the elements of the array whose `[` is at `start`, calling `visit(index, start,
/// end)`; returns the position after its `]` and the element count, or `None`.
fn walk_array(b: &[u8], start: usize, mut visit: impl FnMut(usize, usize, usize)) -> Option<(usize, usize)> {
    let mut i = skip_ws(b, start + 1);
    if b.get(i) == Some(&b']') {
        return Some((i + 1, 0));
    }
    let mut count = 0;
    loop {
        let end = value_end(b, i)?;
        visit(count, i, end);
        count += 1;
        i = skip_ws(b, end);
        match b.get(i)? {
            b',' => i = skip_ws(b, i + 1),
            b']' => return Some((i + 1, count)),
            _ => return None,
        }
    }
}

/// Does the member's key, unescaped, equal `key`? Keys with escapes that are not valid
/// `jsonb` (`\u0000`, unpaired surrogates) equal nothing.
fn key_matches(b: &[u8], m: &Member, key: &str) -> bool {
    let Some(raw) = b.get(m.key_start..m.key_end) else {
        return false;
    };
    if !m.key_escaped {
        return raw == key.as_bytes();
    }
    // Every escape is at least as long as what it decodes to.
    if key.len() > raw.len() {
        return false;
    }
    let mut rest = key.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        let run = raw.get(i..).and_then(|r| r.iter().position(|&c| c == b'\\')).map_or(raw.len(), |p| i + p);
        let Some(plain) = raw.get(i..run) else {
            return false;
        };
        match rest.strip_prefix(plain) {
            Some(r) => rest = r,
            None => return false,
        }
        if run == raw.len() {
            break;
        }
        let Some((c, next)) = decode_escape(raw, run) else {
            return false;
        };
        let mut buf = [0; 4];
        match rest.strip_prefix(c.encode_utf8(&mut buf).as_bytes()) {
            Some(r) => rest = r,
            None => return false,
        }
        i = next;
    }
    rest.is_empty()
}

/// Decode the escape whose backslash is at `i` (a surrogate pair counts as one), with
/// `jsonb_in`'s rules; returns the character and the position after the escape.
fn decode_escape(b: &[u8], i: usize) -> Option<(char, usize)> {
    let c = match b.get(i + 1)? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{08}',
        b'f' => '\u{0C}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let code = hex4(b, i + 2)?;
            return match code {
                0xD800..=0xDBFF => {
                    if b.get(i + 6..i + 8)? != b"\\u" {
                        return None;
                    }
                    let low = hex4(b, i + 8)?;
                    if !(0xDC00..=0xDFFF).contains(&low) {
                        return None;
                    }
                    let c = char::from_u32(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00))?;
                    Some((c, i + 12))
                }
                0 | 0xDC00..=0xDFFF => None,
                _ => Some((char::from_u32(code)?, i + 6)),
            };
        }
        _ => return None,
    };
    Some((c, i + 2))
}

/// Decode the escapes of a string's inside (without its quotes).
fn unescape(inner: &str) -> Option<String> {
    let b = inner.as_bytes();
    let mut out = String::with_capacity(inner.len());
    let mut i = 0;
    loop {
        let run = b.get(i..)?.iter().position(|&c| c == b'\\').map_or(b.len(), |p| i + p);
        out.push_str(inner.get(i..run)?);
        if run == b.len() {
            return Some(out);
        }
        let (c, next) = decode_escape(b, run)?;
        out.push(c);
        i = next;
    }
}
