//! Arrow batches → DataRow messages, in text or binary format per column.
//!
//! Text values come from [`quiverdb_catalog::format`] (PostgreSQL's output functions);
//! binary values follow PostgreSQL's `*_send` functions for the column's declared type,
//! converting from whatever Arrow type DataFusion produced (e.g. a count's Int64 sent as
//! an int8, a UInt64 as numeric).

use bytes::{BufMut, BytesMut};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::datatypes::DataType;
use pgwire::messages::data::DataRow;
use quiverdb_catalog::format::{ValueFormatter, round_nanos, timestamp_micros};
use quiverdb_catalog::pgvalue::{FormatSettings, Interval, date_send, interval_send, numeric_send, parse_uuid, time_send, timestamp_send};
use quiverdb_catalog::{Error, Result, SqlType};

/// Whether a column is sent as text or binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Binary,
}

/// Encodes every row of `batch` (columns of PostgreSQL types `types`) as DataRows.
pub fn encode_batch(batch: &RecordBatch, types: &[SqlType], formats: &[Format], settings: &FormatSettings) -> Result<Vec<DataRow>> {
    let n = batch.num_rows();
    let cols = batch.num_columns();
    let text: Vec<Option<ValueFormatter>> = (0..cols)
        .map(|i| match formats.get(i).copied().unwrap_or(Format::Text) {
            Format::Text => ValueFormatter::new(batch.column(i).as_ref(), &types[i], settings).map(Some),
            Format::Binary => Ok(None),
        })
        .collect::<Result<_>>()?;
    let mut rows = Vec::with_capacity(n);
    let mut scratch = String::new();
    let mut bin = Vec::new();
    for r in 0..n {
        let mut data = BytesMut::with_capacity(cols * 8);
        for c in 0..cols {
            let col = batch.column(c);
            if col.is_null(r) {
                data.put_i32(-1);
                continue;
            }
            match &text[c] {
                Some(f) => {
                    scratch.clear();
                    f.write(r, &mut scratch)?;
                    data.put_i32(scratch.len() as i32);
                    data.put_slice(scratch.as_bytes());
                }
                None => {
                    bin.clear();
                    encode_binary(col, r, &types[c], &mut bin)?;
                    data.put_i32(bin.len() as i32);
                    data.put_slice(&bin);
                }
            }
        }
        rows.push(DataRow::new(data, cols as i16));
    }
    Ok(rows)
}

fn value_err(e: quiverdb_catalog::pgvalue::ValueError) -> Error {
    Error::new(quiverdb_catalog::ErrorCode::DatetimeFieldOverflow, e.message())
}

/// An integer value of any integer Arrow type, widened.
fn int_value(a: &dyn Array, r: usize) -> Option<i128> {
    use datafusion::arrow::datatypes::*;
    Some(match a.data_type() {
        DataType::Int8 => a.as_primitive::<Int8Type>().value(r) as i128,
        DataType::Int16 => a.as_primitive::<Int16Type>().value(r) as i128,
        DataType::Int32 => a.as_primitive::<Int32Type>().value(r) as i128,
        DataType::Int64 => a.as_primitive::<Int64Type>().value(r) as i128,
        DataType::UInt8 => a.as_primitive::<UInt8Type>().value(r) as i128,
        DataType::UInt16 => a.as_primitive::<UInt16Type>().value(r) as i128,
        DataType::UInt32 => a.as_primitive::<UInt32Type>().value(r) as i128,
        DataType::UInt64 => a.as_primitive::<UInt64Type>().value(r) as i128,
        _ => return None,
    })
}

fn float_value(a: &dyn Array, r: usize) -> Option<f64> {
    use datafusion::arrow::datatypes::*;
    Some(match a.data_type() {
        DataType::Float16 => a.as_primitive::<Float16Type>().value(r).to_f64(),
        DataType::Float32 => a.as_primitive::<Float32Type>().value(r) as f64,
        DataType::Float64 => a.as_primitive::<Float64Type>().value(r),
        _ => return int_value(a, r).map(|v| v as f64),
    })
}

fn string_value(a: &dyn Array, r: usize) -> Option<&str> {
    match a.data_type() {
        DataType::Utf8 => Some(a.as_string::<i32>().value(r)),
        DataType::LargeUtf8 => Some(a.as_string::<i64>().value(r)),
        DataType::Utf8View => Some(a.as_string_view().value(r)),
        _ => None,
    }
}

/// Appends the binary form of `a[r]` as PostgreSQL type `ty`.
pub fn encode_binary(a: &ArrayRef, r: usize, ty: &SqlType, out: &mut Vec<u8>) -> Result<()> {
    let arr = a.as_ref();
    let mismatch = || Error::internal(format!("cannot send {} as {ty} in binary", arr.data_type()));
    match ty {
        SqlType::Bool => out.push(arr.as_boolean_opt().ok_or_else(mismatch)?.value(r) as u8),
        SqlType::Int2 => out.extend_from_slice(&(int_value(arr, r).ok_or_else(mismatch)? as i16).to_be_bytes()),
        SqlType::Int4 => out.extend_from_slice(&(int_value(arr, r).ok_or_else(mismatch)? as i32).to_be_bytes()),
        SqlType::Int8 => out.extend_from_slice(&(int_value(arr, r).ok_or_else(mismatch)? as i64).to_be_bytes()),
        SqlType::Oid => out.extend_from_slice(&(int_value(arr, r).ok_or_else(mismatch)? as u32).to_be_bytes()),
        SqlType::Float4 => out.extend_from_slice(&(float_value(arr, r).ok_or_else(mismatch)? as f32).to_bits().to_be_bytes()),
        SqlType::Float8 => out.extend_from_slice(&float_value(arr, r).ok_or_else(mismatch)?.to_bits().to_be_bytes()),
        SqlType::Numeric { .. } => match arr.data_type() {
            DataType::Decimal128(_, s) => {
                let v = arr.as_primitive::<datafusion::arrow::datatypes::Decimal128Type>().value(r);
                let (mut v, mut s) = if *s < 0 { (v * 10i128.pow((-*s) as u32), 0) } else { (v, *s as u8) };
                // Unconstrained numeric is computed at a fixed scale; like its text form,
                // the binary form carries only the significant fraction digits.
                if matches!(ty, SqlType::Numeric { precision: None, .. }) {
                    while s > 0 && v % 10 == 0 {
                        v /= 10;
                        s -= 1;
                    }
                }
                numeric_send(out, v, s);
            }
            _ => match int_value(arr, r) {
                Some(v) => numeric_send(out, v, 0),
                None => {
                    let mut text = String::new();
                    quiverdb_catalog::format::format_value(arr, r, ty, &FormatSettings::default(), &mut text)?;
                    let n = quiverdb_catalog::pgvalue::parse_numeric(&text, None).map_err(|e| Error::internal(e.message().to_string()))?;
                    numeric_send(out, n.unscaled, n.scale);
                }
            },
        },
        SqlType::Bytea => match arr.data_type() {
            DataType::Binary => out.extend_from_slice(arr.as_binary::<i32>().value(r)),
            DataType::LargeBinary => out.extend_from_slice(arr.as_binary::<i64>().value(r)),
            DataType::BinaryView => out.extend_from_slice(arr.as_binary_view().value(r)),
            DataType::FixedSizeBinary(_) => out.extend_from_slice(arr.as_fixed_size_binary().value(r)),
            _ => return Err(mismatch()),
        },
        SqlType::Uuid => {
            let s = string_value(arr, r).ok_or_else(mismatch)?;
            out.extend_from_slice(&parse_uuid(s).map_err(|e| Error::internal(e.message().to_string()))?);
        }
        SqlType::Jsonb => {
            out.push(1);
            out.extend_from_slice(string_value(arr, r).ok_or_else(mismatch)?.as_bytes());
        }
        SqlType::Text | SqlType::Varchar(_) | SqlType::Char(_) | SqlType::Json => {
            match string_value(arr, r) {
                Some(s) => out.extend_from_slice(s.as_bytes()),
                None => {
                    // Values of other Arrow types declared as text (e.g. structs) use their text form.
                    let mut text = String::new();
                    quiverdb_catalog::format::format_value(arr, r, ty, &FormatSettings::default(), &mut text)?;
                    out.extend_from_slice(text.as_bytes());
                }
            }
        }
        SqlType::Date => {
            let days = match arr.data_type() {
                DataType::Date32 => arr.as_primitive::<datafusion::arrow::datatypes::Date32Type>().value(r),
                DataType::Date64 => (arr.as_primitive::<datafusion::arrow::datatypes::Date64Type>().value(r).div_euclid(86_400_000)) as i32,
                _ => return Err(mismatch()),
            };
            out.extend_from_slice(&date_send(days).map_err(value_err)?);
        }
        SqlType::Time => {
            use datafusion::arrow::datatypes::*;
            let micros = match arr.data_type() {
                DataType::Time64(TimeUnit::Microsecond) => arr.as_primitive::<Time64MicrosecondType>().value(r),
                DataType::Time64(_) => round_nanos(arr.as_primitive::<Time64NanosecondType>().value(r)),
                DataType::Time32(TimeUnit::Second) => arr.as_primitive::<Time32SecondType>().value(r) as i64 * 1_000_000,
                DataType::Time32(_) => arr.as_primitive::<Time32MillisecondType>().value(r) as i64 * 1000,
                _ => return Err(mismatch()),
            };
            out.extend_from_slice(&time_send(micros));
        }
        SqlType::Timestamp | SqlType::Timestamptz => {
            let DataType::Timestamp(unit, _) = arr.data_type() else {
                return Err(mismatch());
            };
            out.extend_from_slice(&timestamp_send(timestamp_micros(arr, r, *unit)).map_err(value_err)?);
        }
        SqlType::Interval => {
            use datafusion::arrow::datatypes::*;
            let iv = match arr.data_type() {
                DataType::Interval(datafusion::arrow::datatypes::IntervalUnit::MonthDayNano) => {
                    let v = arr.as_primitive::<IntervalMonthDayNanoType>().value(r);
                    Interval { months: v.months, days: v.days, micros: round_nanos(v.nanoseconds) }
                }
                DataType::Interval(IntervalUnit::YearMonth) => {
                    Interval { months: arr.as_primitive::<IntervalYearMonthType>().value(r), days: 0, micros: 0 }
                }
                DataType::Interval(IntervalUnit::DayTime) => {
                    let v = arr.as_primitive::<IntervalDayTimeType>().value(r);
                    Interval { months: 0, days: v.days, micros: v.milliseconds as i64 * 1000 }
                }
                DataType::Duration(TimeUnit::Microsecond) => {
                    Interval { months: 0, days: 0, micros: arr.as_primitive::<DurationMicrosecondType>().value(r) }
                }
                DataType::Duration(TimeUnit::Nanosecond) => {
                    Interval { months: 0, days: 0, micros: round_nanos(arr.as_primitive::<DurationNanosecondType>().value(r)) }
                }
                _ => return Err(mismatch()),
            };
            out.extend_from_slice(&interval_send(&iv));
        }
        SqlType::Array(elem) | SqlType::Vector(elem) => {
            let values = match arr.data_type() {
                DataType::List(_) => arr.as_list::<i32>().value(r),
                DataType::LargeList(_) => arr.as_list::<i64>().value(r),
                DataType::FixedSizeList(_, _) => arr.as_fixed_size_list().value(r),
                _ => return Err(mismatch()),
            };
            encode_array(&values, elem, out)?;
        }
    }
    Ok(())
}

/// PostgreSQL's binary array: ndim, has-null flag, element OID, dimensions, elements.
fn encode_array(values: &ArrayRef, elem: &SqlType, out: &mut Vec<u8>) -> Result<()> {
    let n = values.len();
    if n == 0 {
        out.extend_from_slice(&0i32.to_be_bytes());
        out.extend_from_slice(&0i32.to_be_bytes());
        out.extend_from_slice(&(elem.oid() as i32).to_be_bytes());
        return Ok(());
    }
    out.extend_from_slice(&1i32.to_be_bytes());
    out.extend_from_slice(&((values.null_count() > 0) as i32).to_be_bytes());
    out.extend_from_slice(&(elem.oid() as i32).to_be_bytes());
    out.extend_from_slice(&(n as i32).to_be_bytes());
    out.extend_from_slice(&1i32.to_be_bytes());
    let mut item = Vec::new();
    for i in 0..n {
        if values.is_null(i) {
            out.extend_from_slice(&(-1i32).to_be_bytes());
            continue;
        }
        item.clear();
        encode_binary(values, i, elem, &mut item)?;
        out.extend_from_slice(&(item.len() as i32).to_be_bytes());
        out.extend_from_slice(&item);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Int32Array, StringArray};
    use datafusion::arrow::datatypes::{Field, Schema};
    use std::sync::Arc;

    #[test]
    fn text_and_binary_rows() {
        let schema = Arc::new(Schema::new(vec![Field::new("a", DataType::Int32, true), Field::new("b", DataType::Utf8, true)]));
        let batch = RecordBatch::try_new(
            schema,
            vec![Arc::new(Int32Array::from(vec![Some(7), None])), Arc::new(StringArray::from(vec!["x", "yz"]))],
        )
        .unwrap();
        let rows =
            encode_batch(&batch, &[SqlType::Int4, SqlType::Text], &[Format::Binary, Format::Text], &FormatSettings::default()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[0].data[..], &[0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0, 1, b'x'][..]);
        assert_eq!(&rows[1].data[..4], &(-1i32).to_be_bytes());
    }
}
