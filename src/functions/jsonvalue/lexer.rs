//! The JSON tokenizer, modelled on the behaviour of PostgreSQL's `json_lex`: the same
//! token boundaries, the same error details and the same `CONTEXT` excerpt.
//!
//! Whitespace is exactly space, tab, `\n` and `\r`; line numbers advance only on `\n`
//! between tokens. An invalid word is reported whole (`Token "tru" is invalid.`),
//! where a word runs over ASCII letters, digits, `_` and any non-ASCII character.

use super::error::{JsonError, UNTRANSLATABLE_CHARACTER};

/// Kinds of token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    ObjectStart,
    ObjectEnd,
    ArrayStart,
    ArrayEnd,
    Comma,
    Colon,
    String,
    Number,
    True,
    False,
    Null,
    End,
}

/// How string escapes are treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decode {
    /// Only check the escapes' syntax (what `json_in` does).
    No,
    /// Decode; lone surrogates become U+FFFD and `\u0000` becomes U+0000, since
    /// `json_in` accepts both.
    Lenient,
    /// Decode with `jsonb_in`'s checks: surrogates must pair up, `\u0000` is refused.
    Strict,
}

pub(crate) struct Lexer<'a> {
    input: &'a str,
    bytes: &'a [u8],
    decode: Decode,
    /// Kind of the current token.
    pub(crate) tok: Tok,
    tok_start: usize,
    tok_end: usize,
    line_number: usize,
    line_start: usize,
    /// Decoded text of the current string token (when decoding).
    pub(crate) strval: String,
}

/// Is `c` part of a "word" for error reporting (`JSON_ALPHANUMERIC_CHAR`)?
fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

const MSG_LOW_SURROGATE: &str = "Unicode low surrogate must follow a high surrogate.";
const MSG_HIGH_SURROGATE: &str = "Unicode high surrogate must not follow a high surrogate.";

impl<'a> Lexer<'a> {
    pub(crate) fn new(input: &'a str, decode: Decode) -> Self {
        Lexer {
            input,
            bytes: input.as_bytes(),
            decode,
            tok: Tok::End,
            tok_start: 0,
            tok_end: 0,
            line_number: 1,
            line_start: 0,
            strval: String::new(),
        }
    }

    /// Byte length of the (UTF-8) character starting at `pos`, at least 1.
    fn char_len(&self, pos: usize) -> usize {
        match self.bytes.get(pos) {
            Some(&b) if b >= 0xF0 => 4,
            Some(&b) if b >= 0xE0 => 3,
            Some(&b) if b >= 0xC0 => 2,
            _ => 1,
        }
        .min(self.bytes.len().saturating_sub(pos).max(1))
    }

    fn text(&self, start: usize, end: usize) -> String {
        let end = end.min(self.bytes.len());
        let start = start.min(end);
        self.bytes.get(start..end).map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default()
    }

    /// Text of the current token.
    pub(crate) fn token_text(&self) -> &'a str {
        self.input.get(self.tok_start..self.tok_end).unwrap_or("")
    }

    /// The `CONTEXT` line: the current line up to `end`, shortened to about 50 bytes
    /// from the left, with `...` where text was cut (as `report_json_context` does).
    fn context(&self, end: usize, at_end_token: bool) -> String {
        let end = end.min(self.bytes.len());
        let line_start = self.line_start.min(end);
        let mut start = line_start;
        while end - start >= 50 {
            start += self.char_len(start);
        }
        if start - line_start <= 3 {
            start = line_start;
        }
        let prefix = if start > line_start { "..." } else { "" };
        let suffix = match self.bytes.get(end) {
            Some(b'\n' | b'\r') | None => "",
            Some(_) if at_end_token => "",
            Some(_) => "...",
        };
        format!("JSON data, line {}: {prefix}{}{suffix}", self.line_number, self.text(start, end))
    }

    /// A `22P02` error whose context ends at `end`.
    fn error_at(&self, detail: String, end: usize) -> JsonError {
        JsonError::syntax(detail).with_context(self.context(end, false))
    }

    /// `Token "..." is invalid.` for `start..end`, which becomes the current token.
    fn invalid_token(&mut self, start: usize, end: usize) -> JsonError {
        self.tok_start = start;
        self.tok_end = end;
        self.error_at(format!("Token \"{}\" is invalid.", self.text(start, end)), end)
    }

    /// The error for an unexpected current token in parse state `expected`
    /// (e.g. `Expected ":", but found "1".`), or the premature-end error.
    pub(crate) fn parse_error(&self, expected: Expected) -> JsonError {
        if self.tok == Tok::End {
            return JsonError::syntax("The input string ended unexpectedly.").with_context(self.context(self.tok_end, true));
        }
        let what = match expected {
            Expected::Value => "JSON value",
            Expected::String => "string",
            Expected::ArrayNext => "\",\" or \"]\"",
            Expected::ObjectStart => "string or \"}\"",
            Expected::Colon => "\":\"",
            Expected::ObjectNext => "\",\" or \"}\"",
            Expected::End => "end of input",
        };
        JsonError::syntax(format!("Expected {what}, but found \"{}\".", self.token_text())).with_context(self.context(self.tok_end, false))
    }

    /// Advance to the next token.
    pub(crate) fn next(&mut self) -> Result<(), JsonError> {
        let mut s = self.tok_end;
        while let Some(&c) = self.bytes.get(s) {
            match c {
                b'\n' => {
                    self.line_number += 1;
                    self.line_start = s + 1;
                }
                b' ' | b'\t' | b'\r' => {}
                _ => break,
            }
            s += 1;
        }
        self.tok_start = s;
        let Some(&c) = self.bytes.get(s) else {
            self.tok = Tok::End;
            self.tok_end = s;
            return Ok(());
        };
        let single = match c {
            b'{' => Some(Tok::ObjectStart),
            b'}' => Some(Tok::ObjectEnd),
            b'[' => Some(Tok::ArrayStart),
            b']' => Some(Tok::ArrayEnd),
            b',' => Some(Tok::Comma),
            b':' => Some(Tok::Colon),
            _ => None,
        };
        if let Some(tok) = single {
            self.tok = tok;
            self.tok_end = s + 1;
            return Ok(());
        }
        match c {
            b'"' => self.lex_string(s),
            b'-' => self.lex_number(s, s + 1),
            b'0'..=b'9' => self.lex_number(s, s),
            _ => self.lex_word(s),
        }
    }

    fn lex_word(&mut self, s: usize) -> Result<(), JsonError> {
        let mut p = s;
        while self.bytes.get(p).copied().is_some_and(is_word_byte) {
            p += 1;
        }
        if p == s {
            // Lone punctuation or control character: report just that byte (ASCII).
            return Err(self.invalid_token(s, s + 1));
        }
        let tok = match self.bytes.get(s..p) {
            Some(b"true") => Tok::True,
            Some(b"false") => Tok::False,
            Some(b"null") => Tok::Null,
            _ => return Err(self.invalid_token(s, p)),
        };
        self.tok = tok;
        self.tok_end = p;
        Ok(())
    }

    fn skip_digits(&self, mut p: usize) -> usize {
        while self.bytes.get(p).is_some_and(u8::is_ascii_digit) {
            p += 1;
        }
        p
    }

    /// Number: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`; on a mismatch the scan
    /// still continues through the later parts and any trailing word characters, so the
    /// whole malformed token is reported (`01`, `1.e5`, `-a`).
    fn lex_number(&mut self, start: usize, mut s: usize) -> Result<(), JsonError> {
        let mut bad = false;
        match self.bytes.get(s) {
            Some(b'0') => s += 1,
            Some(b'1'..=b'9') => s = self.skip_digits(s),
            _ => bad = true,
        }
        if self.bytes.get(s) == Some(&b'.') {
            s += 1;
            if self.bytes.get(s).is_some_and(u8::is_ascii_digit) {
                s = self.skip_digits(s);
            } else {
                bad = true;
            }
        }
        if matches!(self.bytes.get(s), Some(b'e' | b'E')) {
            s += 1;
            if matches!(self.bytes.get(s), Some(b'+' | b'-')) {
                s += 1;
            }
            if self.bytes.get(s).is_some_and(u8::is_ascii_digit) {
                s = self.skip_digits(s);
            } else {
                bad = true;
            }
        }
        while self.bytes.get(s).copied().is_some_and(is_word_byte) {
            s += 1;
            bad = true;
        }
        if bad {
            return Err(self.invalid_token(start, s));
        }
        self.tok = Tok::Number;
        self.tok_end = s;
        Ok(())
    }

    fn lex_string(&mut self, start: usize) -> Result<(), JsonError> {
        let decode = self.decode != Decode::No;
        let strict = self.decode == Decode::Strict;
        let mut out: Vec<u8> = Vec::new();
        let mut high: Option<u32> = None;
        let mut s = start;
        loop {
            s += 1;
            let Some(&c) = self.bytes.get(s) else {
                return Err(self.invalid_token(start, s));
            };
            if c == b'"' {
                break;
            }
            if c < 0x20 {
                // The control character itself is left out of the context excerpt.
                self.tok_end = s;
                return Err(self.error_at(format!("Character with value 0x{c:02x} must be escaped."), s));
            }
            if c != b'\\' {
                if decode {
                    if high.take().is_some() {
                        if strict {
                            return Err(self.error_at(MSG_LOW_SURROGATE.into(), s + self.char_len(s)));
                        }
                        out.extend_from_slice("\u{FFFD}".as_bytes());
                    }
                    out.push(c);
                }
                continue;
            }
            s += 1;
            let Some(&e) = self.bytes.get(s) else {
                return Err(self.invalid_token(start, s));
            };
            if e == b'u' {
                let mut code: u32 = 0;
                for _ in 0..4 {
                    s += 1;
                    let Some(&h) = self.bytes.get(s) else {
                        return Err(self.invalid_token(start, s));
                    };
                    let Some(v) = char::from(h).to_digit(16) else {
                        let end = s + self.char_len(s);
                        self.tok_end = end;
                        return Err(self.error_at("\"\\u\" must be followed by four hexadecimal digits.".into(), end));
                    };
                    code = code * 16 + v;
                }
                if decode {
                    self.unicode_escape(code, &mut high, &mut out, s + 1)?;
                }
                continue;
            }
            let plain = match e {
                b'"' | b'\\' | b'/' => Some(e),
                b'b' => Some(0x08),
                b'f' => Some(0x0c),
                b'n' => Some(b'\n'),
                b'r' => Some(b'\r'),
                b't' => Some(b'\t'),
                _ => None,
            };
            if decode && high.take().is_some() {
                if strict {
                    return Err(self.error_at(MSG_LOW_SURROGATE.into(), s + self.char_len(s)));
                }
                out.extend_from_slice("\u{FFFD}".as_bytes());
            }
            match plain {
                Some(b) => {
                    if decode {
                        out.push(b);
                    }
                }
                None => {
                    let end = s + self.char_len(s);
                    self.tok_start = s;
                    self.tok_end = end;
                    let detail = format!("Escape sequence \"\\{}\" is invalid.", self.text(s, end));
                    return Err(self.error_at(detail, end));
                }
            }
        }
        if decode && high.is_some() {
            if strict {
                return Err(self.error_at(MSG_LOW_SURROGATE.into(), s + 1));
            }
            out.extend_from_slice("\u{FFFD}".as_bytes());
        }
        self.tok = Tok::String;
        self.tok_end = s + 1;
        if decode {
            // Only whole UTF-8 sequences and encoded chars were appended.
            self.strval = String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        }
        Ok(())
    }

    /// Apply one `\uXXXX` escape (`end` = position just after it) to the decoded text.
    fn unicode_escape(&self, code: u32, high: &mut Option<u32>, out: &mut Vec<u8>, end: usize) -> Result<(), JsonError> {
        let strict = self.decode == Decode::Strict;
        let mut push = |ch: char| out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
        let code = if (0xD800..=0xDBFF).contains(&code) {
            if high.replace(code).is_some() {
                if strict {
                    return Err(self.error_at(MSG_HIGH_SURROGATE.into(), end));
                }
                push('\u{FFFD}');
            }
            return Ok(());
        } else if (0xDC00..=0xDFFF).contains(&code) {
            match high.take() {
                Some(h) => 0x10000 + ((h - 0xD800) << 10) + (code - 0xDC00),
                None if strict => return Err(self.error_at(MSG_LOW_SURROGATE.into(), end)),
                None => 0xFFFD,
            }
        } else {
            if high.take().is_some() {
                if strict {
                    return Err(self.error_at(MSG_LOW_SURROGATE.into(), end));
                }
                push('\u{FFFD}');
            }
            code
        };
        if code == 0 && strict {
            return Err(JsonError::new(UNTRANSLATABLE_CHARACTER, "unsupported Unicode escape sequence")
                .with_detail("\\u0000 cannot be converted to text.")
                .with_context(self.context(end, false)));
        }
        push(char::from_u32(code).unwrap_or('\u{FFFD}'));
        Ok(())
    }
}

/// What the parser wanted when it met an unexpected token (selects the detail text).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Expected {
    Value,
    String,
    ArrayNext,
    ObjectStart,
    Colon,
    ObjectNext,
    End,
}
