//! `format(formatstr, args...)`, `quote_ident` and `quote_literal` as in PostgreSQL.
//!
//! Format specifiers are `%[n$][-][width]type` with types `s` (the value's text, NULL as
//! empty), `I` (an SQL identifier, quoted when needed; NULL is an error), `L` (an SQL
//! literal, NULL as `NULL`) and `%%`. The width may be `*` or `*n$` (taken from an
//! argument); `-` pads on the right. Arguments print with their type's output function.

use crate::functions::settings::PgSettings;
use datafusion::arrow::array::{Array, ArrayRef, StringBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use quiverdb_catalog::format::ValueFormatter;
use quiverdb_catalog::{Error, ErrorCode, SqlType};
use std::sync::Arc;

pub use quiverdb_catalog::ident::quote_ident;

/// `quote_literal`: single quotes (doubled inside); `E'...'` when `s` has a backslash.
pub fn quote_literal(s: &str) -> String {
    let body = s.replace('\'', "''");
    if s.contains('\\') { format!("E'{}'", body.replace('\\', "\\\\")) } else { format!("'{body}'") }
}

fn format_error(msg: &str) -> datafusion::error::DataFusionError {
    Error::new(ErrorCode::InvalidParameterValue, msg.to_string()).into()
}

/// Formats one row: `args[i]` is argument `i + 1` as text (None for NULL).
fn format_row(fmt: &str, args: &[Option<String>]) -> Result<String> {
    let mut out = String::with_capacity(fmt.len() + 16);
    let chars: Vec<char> = fmt.chars().collect();
    let mut i = 0;
    let mut next_arg = 0usize;
    let number = |i: &mut usize| -> Option<usize> {
        let start = *i;
        while *i < chars.len() && chars[*i].is_ascii_digit() {
            *i += 1;
        }
        (start < *i).then(|| chars[start..*i].iter().collect::<String>().parse().unwrap_or(usize::MAX))
    };
    let take = |pos: Option<usize>, next_arg: &mut usize| -> Result<Option<String>> {
        let idx = match pos {
            Some(0) => {
                return Err(format_error("format specifies argument 0, but arguments are numbered from 1"));
            }
            Some(p) => p - 1,
            None => *next_arg,
        };
        *next_arg = idx + 1;
        args.get(idx).cloned().ok_or_else(|| format_error("too few arguments for format()"))
    };
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c != '%' {
            out.push(c);
            continue;
        }
        if i >= chars.len() {
            return Err(format_error("unterminated format() type specifier"));
        }
        if chars[i] == '%' {
            out.push('%');
            i += 1;
            continue;
        }
        // Optional argument position `n$`.
        let save = i;
        let mut position = None;
        if let Some(n) = number(&mut i) {
            if i < chars.len() && chars[i] == '$' {
                position = Some(n);
                i += 1;
            } else {
                i = save;
            }
        }
        let mut left = false;
        while i < chars.len() && chars[i] == '-' {
            left = true;
            i += 1;
        }
        // Width: digits, `*` or `*n$`.
        let mut width: Option<i64> = None;
        if i < chars.len() && chars[i] == '*' {
            i += 1;
            let mut wpos = None;
            let save = i;
            if let Some(n) = number(&mut i) {
                if i < chars.len() && chars[i] == '$' {
                    wpos = Some(n);
                    i += 1;
                } else {
                    i = save;
                }
            }
            let w = take(wpos, &mut next_arg)?;
            width = match w {
                Some(t) => Some(t.trim().parse::<i64>().map_err(|_| format_error("width argument must be an integer"))?),
                None => None,
            };
        } else if let Some(n) = number(&mut i) {
            width = Some(n as i64);
        }
        if i >= chars.len() {
            return Err(format_error("unterminated format() type specifier"));
        }
        let kind = chars[i];
        i += 1;
        let value = take(position, &mut next_arg)?;
        let text = match kind {
            's' => value.unwrap_or_default(),
            'I' => match value {
                Some(v) => quote_ident(&v),
                None => {
                    return Err(Error::new(ErrorCode::NullValueNotAllowed, "null values cannot be formatted as an SQL identifier").into());
                }
            },
            'L' => value.map(|v| quote_literal(&v)).unwrap_or_else(|| "NULL".to_string()),
            other => {
                return Err(Error::new(ErrorCode::InvalidParameterValue, format!("unrecognized format() type specifier \"{other}\""))
                    .with_hint("For a single \"%\" use \"%%\".")
                    .into());
            }
        };
        // A negative width means left alignment too.
        let (left, width) = match width {
            Some(w) if w < 0 => (true, (-w) as usize),
            Some(w) => (left, w as usize),
            None => (left, 0),
        };
        let len = text.chars().count();
        if len >= width {
            out.push_str(&text);
        } else if left {
            out.push_str(&text);
            out.extend(std::iter::repeat_n(' ', width - len));
        } else {
            out.extend(std::iter::repeat_n(' ', width - len));
            out.push_str(&text);
        }
    }
    Ok(out)
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct Format {
    signature: Signature,
}

impl ScalarUDFImpl for Format {
    fn name(&self) -> &str {
        "format"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let settings = PgSettings::of(&args.config_options);
        let n = args.number_rows;
        let all_scalar = args.args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let rows = if all_scalar { 1 } else { n };
        let arrays: Vec<ArrayRef> = args.args.iter().map(|a| a.to_array(rows)).collect::<Result<_>>()?;
        let formatters: Vec<ValueFormatter> = arrays
            .iter()
            .zip(args.arg_fields.iter())
            .map(|(a, f)| ValueFormatter::new(a.as_ref(), &SqlType::from_field(f), &settings))
            .collect::<std::result::Result<_, _>>()?;
        let mut b = StringBuilder::with_capacity(rows, rows * 16);
        let mut text = String::new();
        for row in 0..rows {
            if arrays[0].is_null(row) {
                b.append_null();
                continue;
            }
            let mut values = Vec::with_capacity(arrays.len());
            for (a, f) in arrays.iter().zip(&formatters) {
                if a.is_null(row) {
                    values.push(None);
                } else {
                    text.clear();
                    f.write(row, &mut text)?;
                    values.push(Some(text.clone()));
                }
            }
            b.append_value(format_row(values[0].as_deref().unwrap_or(""), &values[1..])?);
        }
        let out: ArrayRef = Arc::new(b.finish());
        crate::functions::columnar(out, all_scalar)
    }
}

/// `format`.
pub fn udfs() -> Vec<ScalarUDF> {
    vec![ScalarUDF::from(Format { signature: Signature::variadic_any(Volatility::Stable) })]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(fmt: &str, args: &[Option<&str>]) -> String {
        let args: Vec<Option<String>> = args.iter().map(|a| a.map(str::to_string)).collect();
        format_row(fmt, &args).unwrap()
    }

    #[test]
    fn specifiers_follow_postgres() {
        assert_eq!(f("Hello %s", &[Some("World")]), "Hello World");
        assert_eq!(f("INSERT INTO %I VALUES(%L)", &[Some("Foo bar"), Some("O'Reilly")]), "INSERT INTO \"Foo bar\" VALUES('O''Reilly')");
        assert_eq!(f("%L", &[None]), "NULL");
        assert_eq!(f("[%s]", &[None]), "[]");
        assert_eq!(f("|%10s|", &[Some("foo")]), "|       foo|");
        assert_eq!(f("|%-10s|", &[Some("foo")]), "|foo       |");
        assert_eq!(f("|%*s|", &[Some("5"), Some("ab")]), "|   ab|");
        assert_eq!(f("%2$s %1$s", &[Some("a"), Some("b")]), "b a");
        assert_eq!(f("%1$s %s", &[Some("a"), Some("b")]), "a b");
        assert_eq!(f("100%%", &[]), "100%");
        assert_eq!(quote_ident("select"), "\"select\"");
        assert_eq!(quote_ident("abc_1"), "abc_1");
        assert_eq!(quote_literal("a\\b"), "E'a\\\\b'");
    }

    #[test]
    fn bad_formats_fail() {
        assert!(format_row("%s %s", &[Some("a".into())]).is_err());
        assert!(format_row("%x", &[Some("a".into())]).is_err());
        assert!(format_row("%", &[]).is_err());
    }
}
