//! PostgreSQL's input functions, producing DataFusion scalars: text (`'12'::int`, bind
//! parameters in text format, COPY) and binary (bind parameters in binary format).
//!
//! Values come out in the Arrow type of their [`SqlType`] (see [`crate::types`]), with
//! PostgreSQL's parsing rules and error messages (from [`crate::pgvalue`]).

use crate::pgvalue::{
    FormatSettings, NumericTypmod, ValueError, date_recv, interval_recv, numeric_recv, parse_array, parse_bool, parse_bytea, parse_date,
    parse_float4, parse_float8, parse_int2, parse_int4, parse_int8, parse_interval, parse_numeric, parse_time, parse_timestamp,
    parse_timestamptz, parse_uuid, time_recv, timestamp_recv, write_uuid,
};
use crate::types::{UNCONSTRAINED_NUMERIC_SCALE, UTC_TZ};
use crate::{Error, ErrorCode, Result, SqlType};
use datafusion::arrow::array::{ListArray, new_empty_array};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::datatypes::IntervalMonthDayNano;
use datafusion::scalar::ScalarValue;
use std::sync::Arc;

/// Converts a pgvalue error into ours.
pub fn value_error(e: ValueError) -> Error {
    let code = match e.code() {
        "22P02" => ErrorCode::InvalidTextRepresentation,
        "22003" => ErrorCode::NumericValueOutOfRange,
        "22008" => ErrorCode::DatetimeFieldOverflow,
        "22007" => ErrorCode::InvalidDatetimeFormat,
        "22023" => ErrorCode::InvalidParameterValue,
        "22001" => ErrorCode::StringDataRightTruncation,
        _ => ErrorCode::InvalidTextRepresentation,
    };
    let mut err = Error::new(code, e.message());
    err.detail = e.detail().map(str::to_string);
    err.hint = e.hint().map(str::to_string);
    err
}

/// The current time in microseconds since the Unix epoch (for `now`/`today` inputs).
pub fn now_micros() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0)
}

fn utf8(bytes: &[u8]) -> Result<&str> {
    std::str::from_utf8(bytes).map_err(|_| Error::new(ErrorCode::InvalidTextRepresentation, "invalid byte sequence for encoding \"UTF8\""))
}

fn decimal(unscaled: i128, scale: u8, ty: &SqlType) -> Result<ScalarValue> {
    let (p, s) = match ty {
        SqlType::Numeric { precision: Some(p), scale } => (*p, *scale as i8),
        _ => (38, UNCONSTRAINED_NUMERIC_SCALE),
    };
    let diff = s as i32 - scale as i32;
    let v = if diff >= 0 {
        unscaled.checked_mul(10i128.pow(diff as u32))
    } else {
        let d = 10i128.pow((-diff) as u32);
        let q = unscaled / d;
        let r = unscaled % d;
        Some(if r.abs() * 2 >= d { q + unscaled.signum() } else { q })
    };
    let v = v.ok_or_else(|| Error::new(ErrorCode::NumericValueOutOfRange, "numeric field overflow"))?;
    Ok(ScalarValue::Decimal128(Some(v), p, s))
}

fn typmod(ty: &SqlType) -> Option<NumericTypmod> {
    match ty {
        SqlType::Numeric { precision: Some(p), scale } => NumericTypmod::new(*p as i32, *scale as i32).ok(),
        _ => None,
    }
}

/// Parses text `s` as a value of `ty` (PostgreSQL's input function).
pub fn decode_text(s: &str, ty: &SqlType, settings: &FormatSettings) -> Result<ScalarValue> {
    Ok(match ty {
        SqlType::Bool => ScalarValue::Boolean(Some(parse_bool(s).map_err(value_error)?)),
        SqlType::Int2 => ScalarValue::Int16(Some(parse_int2(s).map_err(value_error)?)),
        SqlType::Int4 => ScalarValue::Int32(Some(parse_int4(s).map_err(value_error)?)),
        SqlType::Int8 => ScalarValue::Int64(Some(parse_int8(s).map_err(value_error)?)),
        SqlType::Oid => {
            let v: u32 = s
                .trim()
                .parse()
                .map_err(|_| Error::new(ErrorCode::InvalidTextRepresentation, format!("invalid input syntax for type oid: \"{s}\"")))?;
            ScalarValue::UInt32(Some(v))
        }
        SqlType::Float4 => ScalarValue::Float32(Some(parse_float4(s).map_err(value_error)?)),
        SqlType::Float8 => ScalarValue::Float64(Some(parse_float8(s).map_err(value_error)?)),
        SqlType::Numeric { .. } => {
            let n = parse_numeric(s, typmod(ty)).map_err(value_error)?;
            decimal(n.unscaled, n.scale, ty)?
        }
        SqlType::Text | SqlType::Varchar(_) | SqlType::Char(_) | SqlType::Json | SqlType::Jsonb => ScalarValue::Utf8(Some(s.to_string())),
        SqlType::Uuid => {
            let u = parse_uuid(s).map_err(value_error)?;
            let mut out = String::with_capacity(36);
            write_uuid(&mut out, &u).map_err(|_| Error::internal("uuid format"))?;
            ScalarValue::Utf8(Some(out))
        }
        SqlType::Bytea => ScalarValue::Binary(Some(parse_bytea(s).map_err(value_error)?)),
        SqlType::Date => ScalarValue::Date32(Some(parse_date(s, settings, now_micros()).map_err(value_error)?)),
        SqlType::Time => ScalarValue::Time64Microsecond(Some(parse_time(s, settings, now_micros()).map_err(value_error)?)),
        SqlType::Timestamp => {
            ScalarValue::TimestampMicrosecond(Some(parse_timestamp(s, settings, now_micros()).map_err(value_error)?), None)
        }
        SqlType::Timestamptz => ScalarValue::TimestampMicrosecond(
            Some(parse_timestamptz(s, settings, now_micros()).map_err(value_error)?),
            Some(Arc::from(UTC_TZ)),
        ),
        SqlType::Interval => {
            let iv = parse_interval(s, settings.interval_style).map_err(value_error)?;
            ScalarValue::IntervalMonthDayNano(Some(IntervalMonthDayNano::new(iv.months, iv.days, iv.micros.saturating_mul(1000))))
        }
        SqlType::Array(elem) => {
            let items = parse_array(s).map_err(value_error)?;
            let values = items
                .iter()
                .map(|i| match i {
                    Some(t) => decode_text(t, elem, settings),
                    None => Ok(ScalarValue::try_from(elem.to_arrow())?),
                })
                .collect::<Result<Vec<_>>>()?;
            list(values, elem)?
        }
        // int2vector / oidvector: elements separated by spaces.
        SqlType::Vector(elem) => {
            list(s.split_ascii_whitespace().map(|t| decode_text(t, elem, settings)).collect::<Result<Vec<_>>>()?, elem)?
        }
    })
}

/// A one-row list of `values`; its item field carries `elem`'s metadata, so the list's
/// type is exactly the column type of an array of `elem`.
fn list(values: Vec<ScalarValue>, elem: &SqlType) -> Result<ScalarValue> {
    let field = Arc::new(elem.to_field("item", true));
    let items = if values.is_empty() { new_empty_array(field.data_type()) } else { ScalarValue::iter_to_array(values)? };
    let offsets = OffsetBuffer::from_lengths([items.len()]);
    let list = ListArray::try_new(field, offsets, items, None).map_err(|e| Error::internal(e.to_string()))?;
    Ok(ScalarValue::List(Arc::new(list)))
}

fn fixed<const N: usize>(b: &[u8], ty: &SqlType) -> Result<[u8; N]> {
    b.try_into()
        .map_err(|_| Error::new(ErrorCode::ProtocolViolation, format!("incorrect binary data format in bind parameter of type {ty}")))
}

/// Decodes PostgreSQL's binary format of `ty`.
pub fn decode_binary(b: &[u8], ty: &SqlType) -> Result<ScalarValue> {
    Ok(match ty {
        SqlType::Bool => ScalarValue::Boolean(Some(fixed::<1>(b, ty)?[0] != 0)),
        // Clients may send a narrower or wider integer than the parameter's type.
        SqlType::Int2 | SqlType::Int4 | SqlType::Int8 | SqlType::Oid => {
            let v: i64 = match b.len() {
                2 => i16::from_be_bytes(fixed(b, ty)?) as i64,
                4 => i32::from_be_bytes(fixed(b, ty)?) as i64,
                8 => i64::from_be_bytes(fixed(b, ty)?),
                _ => {
                    return Err(fixed::<0>(b, ty).err().unwrap_or_else(|| Error::internal("bad integer")));
                }
            };
            let range = |name: &str| Error::new(ErrorCode::NumericValueOutOfRange, format!("{name} out of range"));
            match ty {
                SqlType::Int2 => ScalarValue::Int16(Some(i16::try_from(v).map_err(|_| range("smallint"))?)),
                SqlType::Int4 => ScalarValue::Int32(Some(i32::try_from(v).map_err(|_| range("integer"))?)),
                SqlType::Oid => ScalarValue::UInt32(Some(v as u32)),
                _ => ScalarValue::Int64(Some(v)),
            }
        }
        SqlType::Float4 => ScalarValue::Float32(Some(f32::from_be_bytes(fixed(b, ty)?))),
        SqlType::Float8 => match b.len() {
            4 => ScalarValue::Float64(Some(f32::from_be_bytes(fixed(b, ty)?) as f64)),
            _ => ScalarValue::Float64(Some(f64::from_be_bytes(fixed(b, ty)?))),
        },
        SqlType::Numeric { .. } => {
            let n = numeric_recv(b, typmod(ty)).map_err(value_error)?;
            decimal(n.unscaled, n.scale, ty)?
        }
        SqlType::Text | SqlType::Varchar(_) | SqlType::Char(_) | SqlType::Json => ScalarValue::Utf8(Some(utf8(b)?.to_string())),
        SqlType::Jsonb => {
            let body = match b.split_first() {
                Some((1, rest)) => rest,
                _ => {
                    return Err(Error::new(ErrorCode::ProtocolViolation, "unsupported jsonb version number"));
                }
            };
            ScalarValue::Utf8(Some(utf8(body)?.to_string()))
        }
        SqlType::Uuid => {
            let u: [u8; 16] = fixed(b, ty)?;
            let mut out = String::with_capacity(36);
            write_uuid(&mut out, &u).map_err(|_| Error::internal("uuid format"))?;
            ScalarValue::Utf8(Some(out))
        }
        SqlType::Bytea => ScalarValue::Binary(Some(b.to_vec())),
        SqlType::Date => ScalarValue::Date32(Some(date_recv(b).map_err(value_error)?)),
        SqlType::Time => ScalarValue::Time64Microsecond(Some(time_recv(b).map_err(value_error)?)),
        SqlType::Timestamp => ScalarValue::TimestampMicrosecond(Some(timestamp_recv(b).map_err(value_error)?), None),
        SqlType::Timestamptz => ScalarValue::TimestampMicrosecond(Some(timestamp_recv(b).map_err(value_error)?), Some(Arc::from(UTC_TZ))),
        SqlType::Interval => {
            let iv = interval_recv(b).map_err(value_error)?;
            ScalarValue::IntervalMonthDayNano(Some(IntervalMonthDayNano::new(iv.months, iv.days, iv.micros.saturating_mul(1000))))
        }
        SqlType::Array(elem) | SqlType::Vector(elem) => decode_binary_array(b, elem)?,
    })
}

fn decode_binary_array(b: &[u8], elem: &SqlType) -> Result<ScalarValue> {
    let bad = || Error::new(ErrorCode::ProtocolViolation, "incorrect binary data format in array parameter");
    let int = |at: usize| -> Result<i32> { b.get(at..at + 4).map(|s| i32::from_be_bytes([s[0], s[1], s[2], s[3]])).ok_or_else(bad) };
    let ndim = int(0)?;
    if ndim == 0 {
        return list(vec![], elem);
    }
    if ndim != 1 {
        return Err(Error::unsupported("multidimensional arrays are not supported"));
    }
    let n = int(12)?.max(0) as usize;
    let mut at = 20;
    let mut values = Vec::with_capacity(n);
    for _ in 0..n {
        let len = int(at)?;
        at += 4;
        if len < 0 {
            values.push(ScalarValue::try_from(elem.to_arrow())?);
            continue;
        }
        let end = at + len as usize;
        values.push(decode_binary(b.get(at..end).ok_or_else(bad)?, elem)?);
        at = end;
    }
    list(values, elem)
}

/// A LIKE pattern written with escape character `escape` (`ESCAPE 'c'`) rewritten for
/// the backslash escape: an escaped character gets a backslash, a plain backslash is
/// doubled. `ESCAPE ''` turns escaping off (every backslash doubled); a longer escape is
/// 22025.
pub fn like_reescape(pattern: &str, escape: &str) -> Result<String, Error> {
    let mut it = escape.chars();
    let esc = match (it.next(), it.next()) {
        (None, _) => None,
        (Some(c), None) => Some(c),
        _ => {
            return Err(Error::new(ErrorCode::InvalidEscapeSequence, "invalid escape string")
                .with_hint("Escape string must be empty or one character."));
        }
    };
    let mut out = String::with_capacity(pattern.len() + 4);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if Some(c) == esc {
            match chars.next() {
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push(c),
            }
        } else if c == '\\' {
            out.push_str("\\\\");
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_parameters_use_postgres_input_rules() {
        let s = FormatSettings::default();
        assert_eq!(decode_text(" 42 ", &SqlType::Int4, &s).unwrap(), ScalarValue::Int32(Some(42)));
        let e = decode_text("abc", &SqlType::Int4, &s).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidTextRepresentation);
        assert_eq!(e.message, "invalid input syntax for type integer: \"abc\"");
        assert_eq!(
            decode_text("1.235", &SqlType::Numeric { precision: Some(5), scale: 2 }, &s).unwrap(),
            ScalarValue::Decimal128(Some(124), 5, 2)
        );
        assert_eq!(decode_text("yes", &SqlType::Bool, &s).unwrap(), ScalarValue::Boolean(Some(true)));
    }

    #[test]
    fn binary_integers_widen_and_check_range() {
        assert_eq!(decode_binary(&5i16.to_be_bytes(), &SqlType::Int4).unwrap(), ScalarValue::Int32(Some(5)));
        assert!(decode_binary(&(1i64 << 40).to_be_bytes(), &SqlType::Int4).is_err());
        assert!(decode_binary(&[1, 2, 3], &SqlType::Int8).is_err());
    }
}
