//! Casts from text that validate and normalize: `::uuid`, `::json`, `::jsonb`.
//!
//! These types are carried as UTF-8 text (see `quiverdb_catalog::types`), so a cast is a
//! function from text to canonical text whose result field carries the type's metadata;
//! the SQL frontend rewrites `x::uuid` into `quiver_cast_uuid(x)`.

use datafusion::arrow::array::{Array, ArrayRef, StringArray, StringBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{DataFusionError, Result, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use quiverdb_catalog::pgvalue::{parse_uuid, write_uuid};
use quiverdb_catalog::{Error, ErrorCode, SqlType};
use std::sync::Arc;

/// A text → canonical text conversion.
type Convert = fn(&str) -> std::result::Result<String, Error>;

/// A cast implemented as a text conversion (identified by its name).
#[derive(Debug)]
pub struct TextCast {
    name: &'static str,
    ty: SqlType,
    convert: Convert,
    signature: Signature,
}

impl PartialEq for TextCast {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for TextCast {}

impl std::hash::Hash for TextCast {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl TextCast {
    fn new(name: &'static str, ty: SqlType, convert: Convert) -> Self {
        TextCast { name, ty, convert, signature: Signature::any(1, Volatility::Immutable) }
    }
}

/// Applies `f` to every string of `array` (cast to text first), keeping NULLs.
pub fn map_text(array: &ArrayRef, f: impl Fn(&str) -> std::result::Result<String, Error>) -> Result<ArrayRef> {
    let text = cast(array, &DataType::Utf8)?;
    let strings =
        text.as_any().downcast_ref::<StringArray>().ok_or_else(|| DataFusionError::Internal("text cast did not give Utf8".into()))?;
    let mut out = StringBuilder::with_capacity(strings.len(), strings.value_data().len());
    for v in strings.iter() {
        match v {
            Some(s) => out.append_value(f(s)?),
            None => out.append_null(),
        }
    }
    Ok(Arc::new(out.finish()))
}

impl ScalarUDFImpl for TextCast {
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
        let nullable = args.arg_fields.first().is_none_or(|f| f.is_nullable());
        Ok(Arc::new(Field::new(self.name, DataType::Utf8, nullable).with_metadata(self.ty.field_metadata())))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arg = args.args.into_iter().next().ok_or_else(|| DataFusionError::Internal("cast needs an argument".into()))?;
        match arg {
            ColumnarValue::Scalar(s) => {
                if s.is_null() {
                    return Ok(ColumnarValue::Scalar(ScalarValue::Utf8(None)));
                }
                let array = s.to_array()?;
                let out = map_text(&array, self.convert)?;
                Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?))
            }
            ColumnarValue::Array(a) => Ok(ColumnarValue::Array(map_text(&a, self.convert)?)),
        }
    }
}

/// Canonical UUID text (lower case, hyphenated), or 22P02.
pub fn canonical_uuid(s: &str) -> std::result::Result<String, Error> {
    let bytes = parse_uuid(s).map_err(|e| Error::new(ErrorCode::InvalidTextRepresentation, e.message()))?;
    let mut out = String::with_capacity(36);
    write_uuid(&mut out, &bytes).map_err(|_| Error::internal("uuid format"))?;
    Ok(out)
}

/// `quiver_cast_uuid`.
pub fn uuid_udf() -> ScalarUDF {
    ScalarUDF::from(TextCast::new("quiver_cast_uuid", SqlType::Uuid, canonical_uuid))
}

/// The cast functions.
pub fn udfs() -> Vec<ScalarUDF> {
    vec![uuid_udf()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_casts_normalize_and_reject_garbage() {
        assert_eq!(canonical_uuid("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11").unwrap(), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        let e = canonical_uuid("nope").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidTextRepresentation);
        assert_eq!(e.message, "invalid input syntax for type uuid: \"nope\"");
    }
}
