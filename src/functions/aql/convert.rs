//! SQL values → AQL values: how a typed row's columns read as document attributes.
//!
//! Integers, floats and numerics become numbers; booleans booleans; text, varchar, char
//! and uuid strings; `json`/`jsonb` their JSON value; arrays arrays; dates and timestamps
//! ISO 8601 strings (`2024-01-02`, `2024-01-02T03:04:05.123Z` for timestamptz), as
//! ArangoDB's date functions expect; SQL NULL is `null`. Other types (bytea, intervals,
//! times) become the string of their PostgreSQL text output.

use super::value::{canonical, number};
use crate::functions::jsonvalue::{self, JsonValue};
use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Field, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type};
use datafusion::common::{Result, ScalarValue};
use quiverdb_catalog::SqlType;

/// The AQL value of row `row` of `array`, whose field is `field`.
pub fn to_value(array: &ArrayRef, field: &Field, row: usize) -> Result<JsonValue> {
    if array.is_null(row) {
        return Ok(JsonValue::Null);
    }
    let ty = SqlType::from_field(field);
    Ok(match array.data_type() {
        DataType::Boolean => JsonValue::Bool(array.as_boolean().value(row)),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            let s = string_at(array, row);
            match ty {
                SqlType::Json | SqlType::Jsonb => canonical(jsonvalue::parse_json(&s).map_err(crate::functions::json::json_error)?),
                _ => JsonValue::String(s),
            }
        }
        DataType::List(inner) | DataType::LargeList(inner) => {
            let list = match array.data_type() {
                DataType::List(_) => array.as_list::<i32>().value(row),
                _ => array.as_list::<i64>().value(row),
            };
            let mut items = Vec::with_capacity(list.len());
            for i in 0..list.len() {
                items.push(to_value(&list, inner, i)?);
            }
            JsonValue::Array(items)
        }
        DataType::Date32 | DataType::Date64 => {
            let s = ScalarValue::try_from_array(array, row)?;
            JsonValue::String(s.to_string())
        }
        DataType::Timestamp(_, zone) => {
            let s = ScalarValue::try_from_array(array, row)?;
            let nanos = match s {
                ScalarValue::TimestampSecond(Some(v), _) => i128::from(v) * 1_000_000_000,
                ScalarValue::TimestampMillisecond(Some(v), _) => i128::from(v) * 1_000_000,
                ScalarValue::TimestampMicrosecond(Some(v), _) => i128::from(v) * 1_000,
                ScalarValue::TimestampNanosecond(Some(v), _) => i128::from(v),
                _ => return Ok(JsonValue::Null),
            };
            JsonValue::String(iso_timestamp(nanos, zone.is_some()))
        }
        DataType::Int16 => number(f64::from(array.as_primitive::<Int16Type>().value(row))),
        DataType::Int32 => number(f64::from(array.as_primitive::<Int32Type>().value(row))),
        DataType::Int64 => number(array.as_primitive::<Int64Type>().value(row) as f64),
        DataType::Float32 => number(f64::from(array.as_primitive::<Float32Type>().value(row))),
        DataType::Float64 => number(array.as_primitive::<Float64Type>().value(row)),
        dt if dt.is_numeric() => {
            let f = datafusion::arrow::compute::cast(&array.slice(row, 1), &DataType::Float64)?;
            number(f.as_primitive::<datafusion::arrow::datatypes::Float64Type>().value(0))
        }
        _ => {
            let s = datafusion::arrow::compute::cast(&array.slice(row, 1), &DataType::Utf8)?;
            JsonValue::String(string_at(&s, 0))
        }
    })
}

fn string_at(array: &ArrayRef, row: usize) -> String {
    match array.data_type() {
        DataType::LargeUtf8 => array.as_string::<i64>().value(row).to_string(),
        DataType::Utf8View => array.as_string_view().value(row).to_string(),
        _ => array.as_string::<i32>().value(row).to_string(),
    }
}

/// `YYYY-MM-DDTHH:MM:SS.mmm` plus `Z` for an instant (timestamptz), from nanoseconds
/// since the epoch.
fn iso_timestamp(nanos: i128, instant: bool) -> String {
    let secs = nanos.div_euclid(1_000_000_000) as i64;
    let sub = nanos.rem_euclid(1_000_000_000) as u32;
    match chrono::DateTime::from_timestamp(secs, sub) {
        Some(t) => {
            let text = t.naive_utc().format("%Y-%m-%dT%H:%M:%S%.3f").to_string();
            if instant { text + "Z" } else { text }
        }
        None => String::new(),
    }
}
