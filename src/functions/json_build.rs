//! Building JSON from SQL values: `to_json`, `to_jsonb`, `json_build_object`,
//! `jsonb_build_object`, `json_build_array` and `jsonb_build_array`.
//!
//! A value becomes JSON as PostgreSQL's `to_json` makes it: numbers stay numbers (NaN and
//! the infinities become strings), booleans `true`/`false`, json and jsonb values are
//! embedded as they are, arrays become JSON arrays, timestamps and dates their ISO 8601
//! text (`2024-01-02T03:04:05`), and everything else its output text as a JSON string.
//! The json forms keep PostgreSQL's layout (`{"a" : 1, "b" : 2}`, `[1, 2]`); the jsonb
//! forms are canonical jsonb text (keys sorted, duplicates dropped).

use crate::functions::json::json_error;
use crate::functions::jsonvalue::{escape_json_string, parse_jsonb};
use crate::functions::settings::PgSettings;
use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, StringBuilder};
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use quiverdb_catalog::format::format_value;
use quiverdb_catalog::pgvalue::FormatSettings;
use quiverdb_catalog::{Error, ErrorCode, SqlType};
use std::sync::Arc;

/// What a function builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Build {
    /// `to_json(x)`: one value.
    Value,
    /// `json_build_object(k1, v1, ...)`.
    Object,
    /// `json_build_array(v1, ...)`.
    Array,
}

/// Appends the JSON form of `array[row]` (of SQL type `ty`) to `out`.
fn write_json(array: &dyn Array, row: usize, ty: &SqlType, settings: &FormatSettings, out: &mut String) -> Result<()> {
    if array.is_null(row) || array.data_type() == &DataType::Null {
        out.push_str("null");
        return Ok(());
    }
    match ty {
        SqlType::Bool => {
            let b = array.as_any().downcast_ref::<BooleanArray>().map(|b| b.value(row)).unwrap_or(false);
            out.push_str(if b { "true" } else { "false" });
        }
        SqlType::Int2 | SqlType::Int4 | SqlType::Int8 | SqlType::Oid | SqlType::Numeric { .. } | SqlType::Float4 | SqlType::Float8 => {
            let mut text = String::new();
            format_value(array, row, ty, settings, &mut text)?;
            if text.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'.' | b'e' | b'E' | b'+')) {
                out.push_str(&text);
            } else {
                escape_json_string(out, &text);
            }
        }
        SqlType::Json | SqlType::Jsonb => format_value(array, row, ty, settings, out)?,
        SqlType::Array(element) => {
            let values = match array.data_type() {
                DataType::List(_) => array.as_list::<i32>().value(row),
                DataType::LargeList(_) => array.as_list::<i64>().value(row),
                _ => return Err(Error::internal(format!("an array value of {}", array.data_type())).into()),
            };
            out.push('[');
            for i in 0..values.len() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_json(values.as_ref(), i, element, settings, out)?;
            }
            out.push(']');
        }
        SqlType::Timestamp | SqlType::Timestamptz => {
            let mut text = String::new();
            format_value(array, row, ty, settings, &mut text)?;
            escape_json_string(out, &text.replacen(' ', "T", 1));
        }
        _ => {
            let mut text = String::new();
            format_value(array, row, ty, settings, &mut text)?;
            escape_json_string(out, &text);
        }
    }
    Ok(())
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct JsonBuild {
    name: &'static str,
    build: Build,
    jsonb: bool,
    signature: Signature,
}

impl JsonBuild {
    fn out_type(&self) -> SqlType {
        if self.jsonb { SqlType::Jsonb } else { SqlType::Json }
    }
}

impl ScalarUDFImpl for JsonBuild {
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
        if self.build == Build::Object && !args.arg_fields.len().is_multiple_of(2) {
            return Err(Error::new(ErrorCode::InvalidParameterValue, "argument list must have even number of elements")
                .with_hint(format!("The arguments of {}() must consist of alternating keys and values.", self.name))
                .into());
        }
        Ok(Arc::new(self.out_type().to_field(self.name, true)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let settings = PgSettings::of(&args.config_options);
        let rows = args.number_rows.max(1);
        let arrays: Vec<ArrayRef> = args.args.iter().map(|a| a.to_array(rows)).collect::<Result<_>>()?;
        let types: Vec<SqlType> = args.arg_fields.iter().map(|f| SqlType::from_field(f)).collect();
        let mut out = StringBuilder::with_capacity(rows, rows * 16);
        let mut text = String::new();
        for row in 0..rows {
            text.clear();
            match self.build {
                Build::Value => write_json(arrays[0].as_ref(), row, &types[0], &settings, &mut text)?,
                Build::Array => {
                    text.push('[');
                    for (i, (a, t)) in arrays.iter().zip(&types).enumerate() {
                        if i > 0 {
                            text.push_str(", ");
                        }
                        write_json(a.as_ref(), row, t, &settings, &mut text)?;
                    }
                    text.push(']');
                }
                Build::Object => {
                    text.push('{');
                    for k in 0..arrays.len() / 2 {
                        let (keys, values) = (&arrays[2 * k], &arrays[2 * k + 1]);
                        if keys.is_null(row) || keys.data_type() == &DataType::Null {
                            let e = Error::new(ErrorCode::NullValueNotAllowed, format!("argument {}: key must not be null", 2 * k + 1));
                            return Err(e.into());
                        }
                        if k > 0 {
                            text.push_str(", ");
                        }
                        let mut key = String::new();
                        format_value(keys.as_ref(), row, &types[2 * k], &settings, &mut key)?;
                        escape_json_string(&mut text, &key);
                        text.push_str(" : ");
                        write_json(values.as_ref(), row, &types[2 * k + 1], &settings, &mut text)?;
                    }
                    text.push('}');
                }
            }
            if self.jsonb {
                let canonical = parse_jsonb(&text).map_err(json_error)?.to_jsonb_text();
                out.append_value(canonical);
            } else {
                out.append_value(&text);
            }
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

/// The functions.
pub fn udfs() -> Vec<ScalarUDF> {
    let f = |name, build, jsonb| {
        let signature = match build {
            Build::Value => Signature::any(1, Volatility::Stable),
            _ => Signature::one_of(
                vec![datafusion::logical_expr::TypeSignature::Nullary, datafusion::logical_expr::TypeSignature::VariadicAny],
                Volatility::Stable,
            ),
        };
        ScalarUDF::from(JsonBuild { name, build, jsonb, signature })
    };
    vec![
        f("to_json", Build::Value, false),
        f("to_jsonb", Build::Value, true),
        f("json_build_object", Build::Object, false),
        f("jsonb_build_object", Build::Object, true),
        f("json_build_array", Build::Array, false),
        f("jsonb_build_array", Build::Array, true),
    ]
}
