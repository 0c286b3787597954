//! One-dimensional array literals: output with PostgreSQL's quoting, and parsing.

use std::fmt::{self, Write};

use super::error::{ValueError, sqlstate};

/// PostgreSQL's `array_isspace`.
fn is_array_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// Appends one already-formatted element as `array_out` would: quoted (with `"` and `\`
/// backslash-escaped) if empty, equal to `NULL` in any case, or containing `"`, `\`,
/// `{`, `}`, `,` or whitespace; `None` prints an unquoted `NULL`.
pub fn write_array_element<W: Write + ?Sized>(out: &mut W, elem: Option<&str>) -> fmt::Result {
    let Some(e) = elem else {
        return out.write_str("NULL");
    };
    let needs_quote = e.is_empty()
        || e.eq_ignore_ascii_case("null")
        || e.bytes().any(|c| matches!(c, b'"' | b'\\' | b'{' | b'}' | b',') || is_array_space(c));
    if !needs_quote {
        return out.write_str(e);
    }
    out.write_char('"')?;
    for c in e.chars() {
        if c == '"' || c == '\\' {
            out.write_char('\\')?;
        }
        out.write_char(c)?;
    }
    out.write_char('"')
}

/// Appends a one-dimensional array literal `{a,"b c",NULL}` from already-formatted
/// element texts (`None` = SQL NULL); an empty iterator gives `{}`.
pub fn write_array<'a, W, I>(out: &mut W, elems: I) -> fmt::Result
where
    W: Write + ?Sized,
    I: IntoIterator<Item = Option<&'a str>>,
{
    out.write_char('{')?;
    for (i, e) in elems.into_iter().enumerate() {
        if i > 0 {
            out.write_char(',')?;
        }
        write_array_element(out, e)?;
    }
    out.write_char('}')
}

fn malformed(input: &str, detail: impl Into<String>) -> ValueError {
    ValueError::new(sqlstate::INVALID_TEXT_REPRESENTATION, format!("malformed array literal: \"{input}\"")).with_detail(detail)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    LevelStarted,
    ElemStarted,
    QuotedElemStarted,
    QuotedElemCompleted,
    ElemDelimited,
}

/// Parses a one-dimensional array literal into element texts (`None` for an unquoted
/// `NULL`, any case): quoted elements, backslash escapes, surrounding whitespace trimmed
/// from unquoted elements. Errors: PostgreSQL's `malformed array literal` (22P02) with its
/// details; nested braces → 0A000 (multidimensional arrays are not supported); a
/// `[lo:hi]=` dimension prefix → 0A000.
pub fn parse_array(s: &str) -> Result<Vec<Option<String>>, ValueError> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && is_array_space(b[i]) {
        i += 1;
    }
    match b.get(i) {
        Some(b'{') => i += 1,
        Some(b'[') => {
            return Err(ValueError::new(sqlstate::FEATURE_NOT_SUPPORTED, "array dimension decorations are not supported"));
        }
        _ => {
            return Err(malformed(s, "Array value must start with \"{\" or dimension information."));
        }
    }
    let mut out: Vec<Option<String>> = Vec::new();
    let mut state = State::LevelStarted;
    // Current element: bytes, whether it had quotes/escapes, and the length up to its
    // last character that must be kept (quoted or escaped), for trailing-space trimming.
    let mut cur: Vec<u8> = Vec::new();
    let mut protected_len = 0usize;
    let mut had_quotes_or_escapes = false;
    let finish = |cur: &mut Vec<u8>, protected_len: &mut usize, special: &mut bool| {
        let mut end = cur.len();
        while end > *protected_len && is_array_space(cur[end - 1]) {
            end -= 1;
        }
        cur.truncate(end);
        let text = String::from_utf8_lossy(cur).into_owned();
        let value = if !*special && text.eq_ignore_ascii_case("null") { None } else { Some(text) };
        cur.clear();
        *protected_len = 0;
        *special = false;
        value
    };
    loop {
        let Some(&c) = b.get(i) else {
            return Err(malformed(s, "Unexpected end of input."));
        };
        let in_quotes = state == State::QuotedElemStarted;
        match c {
            b'\\' => {
                if !matches!(state, State::LevelStarted | State::ElemStarted | State::QuotedElemStarted | State::ElemDelimited) {
                    return Err(malformed(s, "Unexpected \"\\\" character."));
                }
                if state != State::QuotedElemStarted {
                    state = State::ElemStarted;
                }
                let Some(&next) = b.get(i + 1) else {
                    return Err(malformed(s, "Unexpected end of input."));
                };
                cur.push(next);
                protected_len = cur.len();
                had_quotes_or_escapes = true;
                i += 2;
                continue;
            }
            b'"' => {
                if !matches!(state, State::LevelStarted | State::QuotedElemStarted | State::ElemDelimited) {
                    return Err(malformed(s, "Unexpected array element."));
                }
                if state == State::QuotedElemStarted {
                    state = State::QuotedElemCompleted;
                    protected_len = cur.len();
                } else {
                    state = State::QuotedElemStarted;
                    had_quotes_or_escapes = true;
                }
            }
            b'{' if !in_quotes => {
                if matches!(state, State::LevelStarted | State::ElemDelimited) {
                    return Err(ValueError::new(sqlstate::FEATURE_NOT_SUPPORTED, "multidimensional arrays are not supported"));
                }
                return Err(malformed(s, "Unexpected \"{\" character."));
            }
            b'}' if !in_quotes => {
                match state {
                    State::ElemStarted | State::QuotedElemCompleted => {
                        out.push(finish(&mut cur, &mut protected_len, &mut had_quotes_or_escapes));
                    }
                    State::LevelStarted => {}
                    _ => return Err(malformed(s, "Unexpected \"}\" character.")),
                }
                i += 1;
                break;
            }
            b',' if !in_quotes => {
                if !matches!(state, State::ElemStarted | State::QuotedElemCompleted) {
                    return Err(malformed(s, "Unexpected \",\" character."));
                }
                out.push(finish(&mut cur, &mut protected_len, &mut had_quotes_or_escapes));
                state = State::ElemDelimited;
            }
            _ if in_quotes => cur.push(c),
            _ if is_array_space(c) => {
                if state == State::ElemStarted {
                    cur.push(c);
                }
            }
            _ => {
                if !matches!(state, State::LevelStarted | State::ElemStarted | State::ElemDelimited) {
                    return Err(malformed(s, "Unexpected array element."));
                }
                state = State::ElemStarted;
                cur.push(c);
            }
        }
        i += 1;
    }
    if b[i..].iter().any(|c| !is_array_space(*c)) {
        return Err(malformed(s, "Junk after closing right brace."));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arr(v: &[Option<&str>]) -> String {
        let mut o = String::new();
        write_array(&mut o, v.iter().copied()).unwrap();
        o
    }
    fn p(s: &str) -> Vec<Option<String>> {
        parse_array(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }
    fn err(s: &str) -> (String, String) {
        let e = parse_array(s).unwrap_err();
        (e.message().to_string(), e.detail().unwrap_or("").to_string())
    }
    fn v(x: &[Option<&str>]) -> Vec<Option<String>> {
        x.iter().map(|e| e.map(str::to_string)).collect()
    }

    #[test]
    fn output_quoting() {
        // select array['a b', 'with "quote"', '', NULL, 'null', 'NULL', 'x,y', 'a\b', '{x}', ' lead', 'é', 'a<TAB>tab']::text[]
        let got = arr(&[
            Some("a b"),
            Some("with \"quote\""),
            Some(""),
            None,
            Some("null"),
            Some("NULL"),
            Some("x,y"),
            Some("a\\b"),
            Some("{x}"),
            Some(" lead"),
            Some("é"),
            Some("a\ttab"),
        ]);
        assert_eq!(got, "{\"a b\",\"with \\\"quote\\\"\",\"\",NULL,\"null\",\"NULL\",\"x,y\",\"a\\\\b\",\"{x}\",\" lead\",é,\"a\ttab\"}");
        assert_eq!(arr(&[Some("1"), Some("2"), None]), "{1,2,NULL}");
        assert_eq!(arr(&[]), "{}");
        assert_eq!(arr(&[Some("")]), "{\"\"}");
    }

    #[test]
    fn parsing() {
        // select '{1,2,NULL}'::text[], '{ a , "b c" , NULL , "NULL", nuLL }'::text[], '{}'::text[],
        //   '{"a\"b", a\,b, \ x}'::text[], '{a b  c}'::text[]
        assert_eq!(p("{1,2,NULL}"), v(&[Some("1"), Some("2"), None]));
        assert_eq!(p("{ a , \"b c\" , NULL , \"NULL\", nuLL }"), v(&[Some("a"), Some("b c"), None, Some("NULL"), None]));
        assert_eq!(p("{}"), v(&[]));
        assert_eq!(p("{\"a\\\"b\", a\\,b, \\ x}"), v(&[Some("a\"b"), Some("a,b"), Some(" x")]));
        assert_eq!(p("{a b  c}"), v(&[Some("a b  c")]));
        // select ' { a } '::text[], '{"a" , "b"}'::text[], '{ "" }'::text[]
        assert_eq!(p(" { a } "), v(&[Some("a")]));
        assert_eq!(p("{\"a\" , \"b\"}"), v(&[Some("a"), Some("b")]));
        assert_eq!(p("{ \"\" }"), v(&[Some("")]));
        assert_eq!(p("{N\\ULL}"), v(&[Some("NULL")]));
        assert_eq!(p("{a\\ }"), v(&[Some("a ")]));
        assert_eq!(p("{é,\"ü\"}"), v(&[Some("é"), Some("ü")]));
    }

    #[test]
    fn parse_errors() {
        let m = |s: &str| format!("malformed array literal: \"{s}\"");
        assert_eq!(err("{1,2"), (m("{1,2"), "Unexpected end of input.".into()));
        assert_eq!(err("1,2"), (m("1,2"), "Array value must start with \"{\" or dimension information.".into()));
        assert_eq!(err("{\"a\"b}"), (m("{\"a\"b}"), "Unexpected array element.".into()));
        assert_eq!(err("{a,,b}"), (m("{a,,b}"), "Unexpected \",\" character.".into()));
        assert_eq!(err("{a,}"), (m("{a,}"), "Unexpected \"}\" character.".into()));
        assert_eq!(err("{a}x"), (m("{a}x"), "Junk after closing right brace.".into()));
        assert_eq!(err("{a \"b\" c}"), (m("{a \"b\" c}"), "Unexpected array element.".into()));
        assert_eq!(err("{a\\}"), (m("{a\\}"), "Unexpected end of input.".into()));
        assert_eq!(err("").1, "Array value must start with \"{\" or dimension information.");
        assert_eq!(parse_array("{{1,2},{3,4}}").unwrap_err().code(), "0A000");
        assert_eq!(parse_array("[1:2]={a,b}").unwrap_err().code(), "0A000");
        assert_eq!(parse_array("{1,2").unwrap_err().code(), "22P02");
    }
}
