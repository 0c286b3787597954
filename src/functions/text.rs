//! Text functions with PostgreSQL semantics.
//!
//! * `quiver_cast_text(x)` — `x::text` for any type, printed exactly as PostgreSQL's
//!   output function does (Arrow's own cast prints `[1, 2]` for arrays, `T` in
//!   timestamps, ...). Uses the session's DateStyle/TimeZone/... settings.
//! * `quiver_cast_varchar(x, n)` / `quiver_cast_bpchar(x, n)` — explicit casts to
//!   `varchar(n)` (truncates) and `char(n)` (truncates, then pads with spaces).
//! * `length`, `octet_length` — also for bytea (DataFusion's are text-only).
//! * `quote_ident`, `quote_literal`, `quote_nullable`.
//! * `upper`, `lower`, `initcap` — under the C collation PostgreSQL changes the case of
//!   ASCII letters only (`upper('été')` is `éTé`); these replace DataFusion's Unicode
//!   versions.

use crate::functions::casts::map_text;
use crate::functions::settings::PgSettings;
use datafusion::arrow::array::{Array, ArrayRef, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{DataFusionError, Result, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use quiverdb_catalog::format::ValueFormatter;
use quiverdb_catalog::{Error, SqlType};
use std::sync::Arc;

fn first_arg(args: &ScalarFunctionArgs) -> Result<&ColumnarValue> {
    args.args.first().ok_or_else(|| DataFusionError::Internal("function needs an argument".into()))
}

/// Runs an array → array function over a scalar or array argument.
fn apply(arg: &ColumnarValue, f: impl Fn(&ArrayRef) -> Result<ArrayRef>) -> Result<ColumnarValue> {
    match arg {
        ColumnarValue::Array(a) => Ok(ColumnarValue::Array(f(a)?)),
        ColumnarValue::Scalar(s) => {
            let out = f(&s.to_array()?)?;
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?))
        }
    }
}

/// `x::text` with PostgreSQL's output format; as `quiver_output_text` (`output`), the
/// type's output function exactly (booleans print `t`/`f`, as in `concat(true)`).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CastText {
    signature: Signature,
    output: bool,
}

impl ScalarUDFImpl for CastText {
    fn name(&self) -> &str {
        if self.output { "quiver_output_text" } else { "quiver_cast_text" }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let settings = PgSettings::of(&args.config_options);
        let field = args.arg_fields.first().cloned();
        let ty = field.as_ref().map(|f| SqlType::from_field(f)).unwrap_or(SqlType::Text);
        apply(first_arg(&args)?, |a| {
            match a.data_type() {
                // char(n) → text drops the blank padding.
                DataType::Utf8 if matches!(ty, SqlType::Char(_)) && !self.output => {
                    let s = a
                        .as_any()
                        .downcast_ref::<datafusion::arrow::array::StringArray>()
                        .ok_or_else(|| DataFusionError::Internal("string array".into()))?;
                    let v: datafusion::arrow::array::StringArray = s.iter().map(|x| x.map(|x| x.trim_end_matches(' '))).collect();
                    return Ok(Arc::new(v) as ArrayRef);
                }
                DataType::Utf8 => return Ok(a.clone()),
                DataType::Null => {
                    return Ok(datafusion::arrow::array::new_null_array(&DataType::Utf8, a.len()));
                }
                // boolean::text is 'true'/'false' (the output function prints t/f).
                DataType::Boolean if !self.output => {
                    let b = a
                        .as_any()
                        .downcast_ref::<datafusion::arrow::array::BooleanArray>()
                        .ok_or_else(|| DataFusionError::Internal("boolean array".into()))?;
                    let v: datafusion::arrow::array::StringArray = b.iter().map(|x| x.map(|x| if x { "true" } else { "false" })).collect();
                    return Ok(Arc::new(v) as ArrayRef);
                }
                _ => {}
            }
            let f = ValueFormatter::new(a.as_ref(), &ty, &settings)?;
            let mut out = StringBuilder::with_capacity(a.len(), a.len() * 8);
            let mut s = String::new();
            for i in 0..a.len() {
                if a.is_null(i) {
                    out.append_null();
                } else {
                    s.clear();
                    f.write(i, &mut s)?;
                    out.append_value(&s);
                }
            }
            Ok(Arc::new(out.finish()) as ArrayRef)
        })
    }
}

/// Explicit casts to `varchar(n)` / `char(n)`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CastChars {
    name: &'static str,
    pad: bool,
    signature: Signature,
}

impl ScalarUDFImpl for CastChars {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let n = match args.scalar_arguments.get(1) {
            Some(Some(ScalarValue::Int32(Some(n)))) => *n as u32,
            Some(Some(ScalarValue::Int64(Some(n)))) => *n as u32,
            _ => 1,
        };
        let ty = if self.pad { SqlType::Char(n) } else { SqlType::Varchar(Some(n)) };
        Ok(Arc::new(Field::new(self.name, DataType::Utf8, true).with_metadata(ty.field_metadata())))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let n = match args.args.get(1) {
            Some(ColumnarValue::Scalar(ScalarValue::Int32(Some(n)))) => *n as usize,
            Some(ColumnarValue::Scalar(ScalarValue::Int64(Some(n)))) => *n as usize,
            _ => {
                return Err(DataFusionError::Internal("length must be a constant".into()));
            }
        };
        let pad = self.pad;
        let settings = PgSettings::of(&args.config_options);
        let field = args.arg_fields.first().cloned();
        let ty = field.as_ref().map(|f| SqlType::from_field(f)).unwrap_or(SqlType::Text);
        apply(first_arg(&args)?, |a| {
            let text: ArrayRef = if matches!(a.data_type(), DataType::Utf8) {
                a.clone()
            } else if matches!(a.data_type(), DataType::Null) {
                datafusion::arrow::array::new_null_array(&DataType::Utf8, a.len())
            } else {
                let f = ValueFormatter::new(a.as_ref(), &ty, &settings)?;
                let mut b = StringBuilder::new();
                let mut s = String::new();
                for i in 0..a.len() {
                    if a.is_null(i) {
                        b.append_null();
                    } else {
                        s.clear();
                        f.write(i, &mut s)?;
                        b.append_value(&s);
                    }
                }
                Arc::new(b.finish())
            };
            map_text(&text, |s| {
                let mut out: String = s.chars().take(n).collect();
                if pad {
                    let len = out.chars().count();
                    out.extend(std::iter::repeat_n(' ', n.saturating_sub(len)));
                }
                Ok::<_, Error>(out)
            })
        })
    }
}

/// ASCII-only case mapping (PostgreSQL under the C collation).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct AsciiCase {
    name: &'static str,
    signature: Signature,
}

fn initcap(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut word_start = true;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || !c.is_ascii() {
            out.push(if word_start { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() });
            word_start = false;
        } else {
            out.push(c);
            word_start = true;
        }
    }
    out
}

impl ScalarUDFImpl for AsciiCase {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let f: fn(&str) -> String = match self.name {
            "upper" => str::to_ascii_uppercase,
            "lower" => str::to_ascii_lowercase,
            _ => initcap,
        };
        apply(first_arg(&args)?, |a| map_text(a, |s| Ok::<_, Error>(f(s))))
    }
}

/// `length` / `octet_length` of text (characters / bytes) and bytea (bytes).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Length {
    name: &'static str,
    bytes: bool,
    signature: Signature,
}

impl ScalarUDFImpl for Length {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int32)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let bytes = self.bytes;
        apply(first_arg(&args)?, |a| {
            use datafusion::arrow::array::{AsArray, Int32Array};
            let out: Int32Array = match a.data_type() {
                DataType::Binary => a.as_binary::<i32>().iter().map(|v| v.map(|b| b.len() as i32)).collect(),
                DataType::LargeBinary => a.as_binary::<i64>().iter().map(|v| v.map(|b| b.len() as i32)).collect(),
                DataType::Null => Int32Array::new_null(a.len()),
                _ => {
                    let t = datafusion::arrow::compute::cast(a, &DataType::Utf8)?;
                    t.as_string::<i32>().iter().map(|v| v.map(|s| if bytes { s.len() as i32 } else { s.chars().count() as i32 })).collect()
                }
            };
            Ok(Arc::new(out) as ArrayRef)
        })
    }
}

/// `quote_ident`, `quote_literal` and `quote_nullable`: a name or a value quoted for
/// inclusion in SQL text. `quote_literal` of NULL is NULL, `quote_nullable`'s is `NULL`;
/// a value holding a backslash gets the `E'...'` form with the backslash doubled.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Quote {
    name: &'static str,
    signature: Signature,
}

/// `s` as a string literal, as PostgreSQL's `quote_literal` writes it.
fn quote_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 3);
    if s.contains('\\') {
        out.push('E');
    }
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

impl ScalarUDFImpl for Quote {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let name = self.name;
        apply(first_arg(&args)?, |a| {
            use datafusion::arrow::array::AsArray;
            let text = datafusion::arrow::compute::cast(a, &DataType::Utf8)?;
            let out: datafusion::arrow::array::StringArray = text
                .as_string::<i32>()
                .iter()
                .map(|v| match (name, v) {
                    ("quote_nullable", None) => Some("NULL".to_string()),
                    (_, None) => None,
                    ("quote_ident", Some(s)) => Some(quiverdb_catalog::ident::quote_ident(s)),
                    (_, Some(s)) => Some(quote_literal(s)),
                })
                .collect();
            Ok(Arc::new(out) as ArrayRef)
        })
    }
}

/// `quiver_like_escape(pattern, escape)`: a LIKE pattern written for `ESCAPE 'escape'`
/// rewritten for the backslash escape DataFusion's LIKE knows (the SQL frontend uses it
/// when the pattern is not a literal).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct LikeEscape {
    signature: Signature,
}

impl ScalarUDFImpl for LikeEscape {
    fn name(&self) -> &str {
        "quiver_like_escape"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let escape = match args.args.get(1) {
            Some(ColumnarValue::Scalar(s)) => s.try_as_str().flatten().unwrap_or_default().to_string(),
            _ => return Err(DataFusionError::Internal("quiver_like_escape needs a constant escape".into())),
        };
        apply(first_arg(&args)?, |a| map_text(a, |s| quiverdb_catalog::input::like_reescape(s, &escape)))
    }
}

/// The text functions.
/// `quiver_output_text(x)`: `x` printed by its type's output function.
pub fn output_text_udf() -> ScalarUDF {
    ScalarUDF::from(CastText { signature: Signature::any(1, Volatility::Stable), output: true })
}

/// `quiver_cast_text(x)`: `x::text`.
pub fn cast_text_udf() -> ScalarUDF {
    ScalarUDF::from(CastText { signature: Signature::any(1, Volatility::Stable), output: false })
}

pub fn udfs() -> Vec<ScalarUDF> {
    let chars = Signature::any(2, Volatility::Immutable);
    let case = Signature::string(1, Volatility::Immutable);
    vec![
        cast_text_udf(),
        output_text_udf(),
        ScalarUDF::from(CastChars { name: "quiver_cast_varchar", pad: false, signature: chars.clone() }),
        ScalarUDF::from(CastChars { name: "quiver_cast_bpchar", pad: true, signature: chars }),
        ScalarUDF::from(AsciiCase { name: "upper", signature: case.clone() }),
        ScalarUDF::from(AsciiCase { name: "lower", signature: case.clone() }),
        ScalarUDF::from(AsciiCase { name: "initcap", signature: case }),
        ScalarUDF::from(Length { name: "length", bytes: false, signature: Signature::any(1, Volatility::Immutable) }),
        ScalarUDF::from(Length { name: "octet_length", bytes: true, signature: Signature::any(1, Volatility::Immutable) }),
        ScalarUDF::from(LikeEscape { signature: Signature::string(2, Volatility::Immutable) }),
        ScalarUDF::from(Quote { name: "quote_ident", signature: Signature::string(1, Volatility::Immutable) }),
        ScalarUDF::from(Quote { name: "quote_literal", signature: Signature::any(1, Volatility::Immutable) }),
        ScalarUDF::from(Quote { name: "quote_nullable", signature: Signature::any(1, Volatility::Immutable) }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_quoted_like_postgres() {
        assert_eq!(quote_literal("it's"), "'it''s'");
        assert_eq!(quote_literal("a\\b"), "E'a\\\\b'");
    }

    #[test]
    fn initcap_and_ascii_case() {
        assert_eq!(initcap("hello wORLD-été"), "Hello World-été");
        assert_eq!("été".to_ascii_uppercase(), "éTé");
    }
}
