//! Text output in `jsonb_out`'s canonical layout: `{"a": 1, "b": [1, 2]}` — one space
//! after `:` and `,`, none inside brackets — with strings escaped like PostgreSQL's
//! `escape_json`.

use std::fmt::{self, Write};

use super::JsonValue;

/// Append `s` as a JSON string literal the way PostgreSQL prints it: `"` and `\` are
/// backslash-escaped; `\b \f \n \r \t` use their short escapes; other control
/// characters below U+0020 become `\u00XX` (lowercase hex); everything else, including
/// `/`, DEL and non-ASCII characters, is written as is.
pub fn escape_json_string(out: &mut String, s: &str) {
    // Writing into a String cannot fail.
    let _ = write_escaped(out, s);
}

fn write_escaped<W: Write>(out: &mut W, s: &str) -> fmt::Result {
    out.write_char('"')?;
    let mut plain_start = 0;
    for (i, c) in s.char_indices() {
        let escape = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\u{08}' => "\\b",
            '\u{0C}' => "\\f",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            c if c < ' ' => "",
            _ => continue,
        };
        out.write_str(s.get(plain_start..i).unwrap_or(""))?;
        if escape.is_empty() {
            write!(out, "\\u{:04x}", u32::from(c))?;
        } else {
            out.write_str(escape)?;
        }
        plain_start = i + c.len_utf8();
    }
    out.write_str(s.get(plain_start..).unwrap_or(""))?;
    out.write_char('"')
}

pub(crate) fn write_value<W: Write>(out: &mut W, value: &JsonValue) -> fmt::Result {
    match value {
        JsonValue::Null => out.write_str("null"),
        JsonValue::Bool(true) => out.write_str("true"),
        JsonValue::Bool(false) => out.write_str("false"),
        JsonValue::Number(n) => out.write_str(n),
        JsonValue::String(s) => write_escaped(out, s),
        JsonValue::Array(items) => {
            out.write_char('[')?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.write_str(", ")?;
                }
                write_value(out, item)?;
            }
            out.write_char(']')
        }
        JsonValue::Object(members) => {
            out.write_char('{')?;
            for (i, (key, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.write_str(", ")?;
                }
                write_escaped(out, key)?;
                out.write_str(": ")?;
                write_value(out, item)?;
            }
            out.write_char('}')
        }
    }
}

/// `Display` prints the `jsonb_out` text (see [`JsonValue::to_jsonb_text`]).
impl fmt::Display for JsonValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_value(f, self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_postgres() {
        // select '"\u00e9\t\u0001\u001f\u007f/\/\"\\\b\f\r\n"'::jsonb
        //   -> "é\t\u0001\u001f//\"\\\b\f\r\n"   (U+007F printed raw)
        let mut out = String::new();
        escape_json_string(&mut out, "é\t\u{1}\u{1f}\u{7f}//\"\\\u{8}\u{c}\r\n");
        assert_eq!(out, "\"é\\t\\u0001\\u001f\u{7f}//\\\"\\\\\\b\\f\\r\\n\"");
    }

    #[test]
    fn layout() {
        let v = JsonValue::Object(vec![
            ("a".into(), JsonValue::Number("1".into())),
            (
                "b".into(),
                JsonValue::Array(vec![
                    JsonValue::Number("1".into()),
                    JsonValue::Null,
                    JsonValue::Bool(true),
                    JsonValue::Object(vec![]),
                    JsonValue::Array(vec![]),
                ]),
            ),
        ]);
        assert_eq!(v.to_string(), r#"{"a": 1, "b": [1, null, true, {}, []]}"#);
    }
}
