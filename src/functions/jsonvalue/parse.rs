//! The parser: an explicit-stack (non-recursive) rendition of PostgreSQL's
//! recursive-descent JSON grammar, so hostile nesting costs heap, not stack, and is
//! cut off at [`MAX_DEPTH`] with an error.
//!
//! Error precedence follows PostgreSQL: tokens are lexed strictly left to right, a
//! scalar's own conversion (the `jsonb` `numeric` range check) runs only after the
//! token following it has been lexed, and each unexpected token is reported with the
//! detail of the grammar state it was met in.

use super::JsonValue;
use super::MAX_DEPTH;
use super::error::JsonError;
use super::lexer::{Decode, Expected, Lexer, Tok};
use super::numeric::normalize_number;

/// Which input function is being imitated.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `json_in`: check only, build nothing.
    Validate,
    /// `json_in` acceptance, building a verbatim tree.
    Json,
    /// `jsonb_in`: stricter strings, normalized numbers and objects.
    Jsonb,
}

/// A container being filled.
enum Frame {
    Array(Vec<JsonValue>),
    /// Members so far, and the key of the member whose value is being parsed.
    Object(Vec<(String, JsonValue)>, String),
}

/// Parse `text` as PostgreSQL's `json` type reads it, keeping it as written: members in
/// input order with duplicate keys kept, number text verbatim (`1.0e2` stays `1.0e2`).
/// String escapes are decoded; `\u0000` becomes U+0000 and an unpaired surrogate
/// escape becomes U+FFFD, because `json` accepts both. Errors: `22P02` syntax errors
/// with PostgreSQL's detail and context; `54001` past [`MAX_DEPTH`] nesting.
pub fn parse_json(text: &str) -> Result<JsonValue, JsonError> {
    run(text, Mode::Json).map(|v| v.unwrap_or(JsonValue::Null))
}

/// Check `text` as PostgreSQL's `json_in` does, without building a value. A valid
/// `json` datum is then stored and printed verbatim (the input text unchanged).
/// Accepts `\u0000` and unpaired surrogate escapes, as `json` does.
pub fn validate_json(text: &str) -> Result<(), JsonError> {
    run(text, Mode::Validate).map(|_| ())
}

/// Parse `text` as PostgreSQL's `jsonb_in`: the result is normalized (see
/// [`JsonValue::normalize_jsonb`]). Beyond `json`'s rules it refuses `\u0000`
/// (`22P05 unsupported Unicode escape sequence`), unpaired surrogates (`22P02`), and
/// numbers outside `numeric`'s range (`22003 value overflows numeric format`).
pub fn parse_jsonb(text: &str) -> Result<JsonValue, JsonError> {
    run(text, Mode::Jsonb).map(|v| v.unwrap_or(JsonValue::Null))
}

/// Sort members by (key byte length, key bytes) and keep only the last of duplicates.
pub(crate) fn normalize_members(members: &mut Vec<(String, JsonValue)>) {
    members.sort_by(|a, b| a.0.len().cmp(&b.0.len()).then_with(|| a.0.as_bytes().cmp(b.0.as_bytes())));
    members.dedup_by(|later, earlier| {
        if later.0 == earlier.0 {
            std::mem::swap(&mut later.1, &mut earlier.1);
            true
        } else {
            false
        }
    });
}

/// Take the current (string) token as an owned key or string.
fn take_string(lex: &mut Lexer<'_>) -> String {
    std::mem::take(&mut lex.strval)
}

/// After `{`/`,` inside an object: read `"key" :` and leave the lexer on the value.
fn object_key(lex: &mut Lexer<'_>, build: bool) -> Result<String, JsonError> {
    let key = if build { take_string(lex) } else { String::new() };
    lex.next()?;
    if lex.tok != Tok::Colon {
        return Err(lex.parse_error(Expected::Colon));
    }
    lex.next()?;
    Ok(key)
}

fn run(text: &str, mode: Mode) -> Result<Option<JsonValue>, JsonError> {
    let decode = match mode {
        Mode::Validate => Decode::No,
        Mode::Json => Decode::Lenient,
        Mode::Jsonb => Decode::Strict,
    };
    let build = mode != Mode::Validate;
    let mut lex = Lexer::new(text, decode);
    let mut stack: Vec<Frame> = Vec::new();
    lex.next()?;
    loop {
        // The lexer is on the first token of a value.
        let mut value = match lex.tok {
            Tok::ObjectStart | Tok::ArrayStart => {
                if stack.len() >= MAX_DEPTH {
                    return Err(JsonError::too_deep());
                }
                let is_object = lex.tok == Tok::ObjectStart;
                lex.next()?;
                if is_object {
                    match lex.tok {
                        Tok::String => {
                            let key = object_key(&mut lex, build)?;
                            stack.push(Frame::Object(Vec::new(), key));
                            continue;
                        }
                        Tok::ObjectEnd => {
                            lex.next()?;
                            JsonValue::Object(Vec::new())
                        }
                        _ => return Err(lex.parse_error(Expected::ObjectStart)),
                    }
                } else if lex.tok == Tok::ArrayEnd {
                    lex.next()?;
                    JsonValue::Array(Vec::new())
                } else {
                    stack.push(Frame::Array(Vec::new()));
                    continue;
                }
            }
            Tok::String | Tok::Number | Tok::True | Tok::False | Tok::Null => {
                let tok = lex.tok;
                let number = if tok == Tok::Number && build { lex.token_text().to_owned() } else { String::new() };
                let string = if tok == Tok::String && build { take_string(&mut lex) } else { String::new() };
                lex.next()?;
                match tok {
                    Tok::String => JsonValue::String(string),
                    Tok::Number if mode == Mode::Jsonb => JsonValue::Number(normalize_number(&number)?),
                    Tok::Number => JsonValue::Number(number),
                    Tok::True => JsonValue::Bool(true),
                    Tok::False => JsonValue::Bool(false),
                    _ => JsonValue::Null,
                }
            }
            _ => return Err(lex.parse_error(Expected::Value)),
        };
        // A value is complete: attach it to its container, closing containers as
        // long as their closing token follows.
        loop {
            match stack.last_mut() {
                None => {
                    if lex.tok != Tok::End {
                        return Err(lex.parse_error(Expected::End));
                    }
                    return Ok(build.then_some(value));
                }
                Some(Frame::Array(items)) => {
                    if build {
                        items.push(value);
                    }
                    match lex.tok {
                        Tok::Comma => {
                            lex.next()?;
                            break;
                        }
                        Tok::ArrayEnd => {
                            lex.next()?;
                            value = match stack.pop() {
                                Some(Frame::Array(items)) => JsonValue::Array(items),
                                _ => JsonValue::Null,
                            };
                        }
                        _ => return Err(lex.parse_error(Expected::ArrayNext)),
                    }
                }
                Some(Frame::Object(members, key)) => {
                    if build {
                        members.push((std::mem::take(key), value));
                    }
                    match lex.tok {
                        Tok::Comma => {
                            lex.next()?;
                            if lex.tok != Tok::String {
                                return Err(lex.parse_error(Expected::String));
                            }
                            *key = object_key(&mut lex, build)?;
                            break;
                        }
                        Tok::ObjectEnd => {
                            lex.next()?;
                            value = match stack.pop() {
                                Some(Frame::Object(mut members, _)) => {
                                    if mode == Mode::Jsonb {
                                        normalize_members(&mut members);
                                    }
                                    JsonValue::Object(members)
                                }
                                _ => JsonValue::Null,
                            };
                        }
                        _ => return Err(lex.parse_error(Expected::ObjectNext)),
                    }
                }
            }
        }
    }
}
