//! The functions AQL's data-modification operations are lowered to: AQL values turned
//! into the column values a table stores.
//!
//! | function | result | meaning |
//! |---|---|---|
//! | `aql_jsonb(v)` | jsonb | `v`, or SQL NULL for `null` (a document or jsonb column) |
//! | `aql_text(v)` | text | a string's content, other values' JSON text, SQL NULL for `null` (cast on to the column type) |
//! | `aql_key_of(v)` | text | the document key `v` names: a string, or an object's `_key`; else NULL (found nowhere) |
//! | `aql_update_doc(old, patch, keepNull, mergeObjects)` | jsonb | UPDATE's merge of `patch` into `old` |
//!
//! `UPDATE`'s merge follows ArangoDB: the patch's attributes replace the old ones; with
//! `mergeObjects` (default) an object-valued attribute is merged into an object it
//! replaces, recursively; without `keepNull` a `null` in the patch removes the attribute
//! (at any depth) instead of storing `null`. A patch that is not an object is returned
//! as it is, for the write path to reject.

use super::value_text;
use crate::functions::json::json_error;
use crate::functions::jsonvalue::{self, JsonValue};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use quiverdb_catalog::SqlType;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Jsonb,
    Text,
    KeyOf,
    UpdateDoc,
}

/// One of the write functions.
#[derive(Debug, PartialEq, Eq, Hash)]
struct WriteFn {
    name: &'static str,
    kind: Kind,
    signature: Signature,
}

/// The write functions.
pub fn udfs() -> Vec<ScalarUDF> {
    let f = |name, kind, n| ScalarUDF::from(WriteFn { name, kind, signature: Signature::any(n, Volatility::Immutable) });
    vec![
        f("aql_jsonb", Kind::Jsonb, 1),
        f("aql_text", Kind::Text, 1),
        f("aql_key_of", Kind::KeyOf, 1),
        f("aql_update_doc", Kind::UpdateDoc, 4),
    ]
}

/// ArangoDB's UPDATE merge (see the module docs).
pub fn update_document(old: JsonValue, patch: JsonValue, keep_null: bool, merge_objects: bool) -> JsonValue {
    let (mut members, patch) = match (old, patch) {
        (JsonValue::Object(m), JsonValue::Object(p)) => (m, p),
        (_, patch) => return patch,
    };
    for (k, v) in patch {
        let at = members.iter().position(|(m, _)| *m == k);
        match v {
            JsonValue::Null if !keep_null => {
                if let Some(i) = at {
                    members.remove(i);
                }
            }
            JsonValue::Object(_) if merge_objects && at.is_some_and(|i| matches!(members[i].1, JsonValue::Object(_))) => {
                let i = at.unwrap_or_default();
                let old = std::mem::replace(&mut members[i].1, JsonValue::Null);
                members[i].1 = update_document(old, v, keep_null, true);
            }
            v => {
                let v = if keep_null { v } else { without_nulls(v) };
                match at {
                    Some(i) => members[i].1 = v,
                    None => members.push((k, v)),
                }
            }
        }
    }
    JsonValue::Object(members)
}

/// `v` with `null`-valued object attributes removed, at any depth.
fn without_nulls(v: JsonValue) -> JsonValue {
    match v {
        JsonValue::Object(m) => {
            JsonValue::Object(m.into_iter().filter(|(_, x)| *x != JsonValue::Null).map(|(k, x)| (k, without_nulls(x))).collect())
        }
        other => other,
    }
}

fn text_of(a: &ArrayRef, row: usize) -> Option<&str> {
    (a.is_valid(row) && a.data_type() == &DataType::Utf8).then(|| a.as_string::<i32>().value(row))
}

impl WriteFn {
    fn row(&self, arrays: &[ArrayRef], row: usize) -> Result<Option<String>> {
        let value = |i: usize| -> Result<JsonValue> {
            match text_of(&arrays[i], row) {
                Some(t) => jsonvalue::parse_json(t).map_err(json_error),
                None => Ok(JsonValue::Null),
            }
        };
        Ok(match self.kind {
            Kind::Jsonb => match value(0)? {
                JsonValue::Null => None,
                v => Some(value_text(v)?),
            },
            Kind::Text => match value(0)? {
                JsonValue::Null => None,
                JsonValue::String(s) => Some(s),
                v => Some(value_text(v)?),
            },
            Kind::KeyOf => match value(0)? {
                JsonValue::String(s) => Some(s),
                JsonValue::Object(m) => m.into_iter().rev().find(|(k, _)| k == "_key").and_then(|(_, v)| match v {
                    JsonValue::String(s) => Some(s),
                    _ => None,
                }),
                _ => None,
            },
            Kind::UpdateDoc => {
                let flag = |i: usize| -> Result<bool> { Ok(value(i)? != JsonValue::Bool(false)) };
                Some(value_text(update_document(value(0)?, value(1)?, flag(2)?, flag(3)?))?)
            }
        })
    }
}

impl ScalarUDFImpl for WriteFn {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn return_field_from_args(&self, _args: ReturnFieldArgs) -> Result<FieldRef> {
        let field = Field::new(self.name, DataType::Utf8, true);
        Ok(Arc::new(match self.kind {
            Kind::Jsonb | Kind::UpdateDoc => field.with_metadata(SqlType::Jsonb.field_metadata()),
            Kind::Text | Kind::KeyOf => field,
        }))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let all_scalar = args.args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let n = if all_scalar { 1 } else { args.number_rows };
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let arrays: Vec<ArrayRef> =
            arrays.iter().map(|a| datafusion::arrow::compute::cast(a, &DataType::Utf8)).collect::<std::result::Result<_, _>>()?;
        let mut out = StringBuilder::with_capacity(n, n * 32);
        for row in 0..n {
            out.append_option(self.row(&arrays, row)?);
        }
        let array: ArrayRef = Arc::new(out.finish());
        if all_scalar { Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&array, 0)?)) } else { Ok(ColumnarValue::Array(array)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn j(s: &str) -> JsonValue {
        jsonvalue::parse_json(s).unwrap()
    }

    fn merged(old: &str, patch: &str, keep_null: bool, merge_objects: bool) -> String {
        value_text(update_document(j(old), j(patch), keep_null, merge_objects)).unwrap()
    }

    #[test]
    fn update_merges_as_arangodb_does() {
        assert_eq!(
            merged(r#"{"a": 1, "b": {"x": 1, "y": 2}}"#, r#"{"b": {"y": 3, "z": 4}, "c": 5}"#, true, true),
            r#"{"a": 1, "b": {"x": 1, "y": 3, "z": 4}, "c": 5}"#
        );
        assert_eq!(merged(r#"{"a": 1, "b": {"x": 1, "y": 2}}"#, r#"{"b": {"y": 3}}"#, true, false), r#"{"a": 1, "b": {"y": 3}}"#);
        assert_eq!(merged(r#"{"a": 1, "b": 2}"#, r#"{"a": null}"#, true, true), r#"{"a": null, "b": 2}"#);
        assert_eq!(merged(r#"{"a": 1, "b": 2}"#, r#"{"a": null}"#, false, true), r#"{"b": 2}"#);
        assert_eq!(
            merged(r#"{"a": {"x": 1, "y": 2}}"#, r#"{"a": {"x": null}, "n": {"p": null, "q": 1}}"#, false, true),
            r#"{"a": {"y": 2}, "n": {"q": 1}}"#
        );
        assert_eq!(merged(r#"{"a": 1}"#, "[1]", true, true), "[1]");
    }
}
