//! Order-preserving ("memcomparable") key encoding.
//!
//! A key is the concatenation of its values' encodings; comparing two keys with `memcmp`
//! gives the same order as comparing their values one by one in PostgreSQL's order (C
//! collation for text, NULLS LAST). Every value starts with a one-byte tag:
//!
//! * `0x01` value present, followed by the type's bytes below;
//! * `0x02` NULL — sorts after every value, like PostgreSQL's default `NULLS LAST`.
//!
//! Type encodings (all big-endian, so byte order is numeric order):
//!
//! * `bool`: `0x00` false, `0x01` true.
//! * `int2` / `int4` / `int8` / `date` / `time` / `timestamp` / `timestamptz` / `oid`:
//!   two's complement with the sign bit flipped, 2/4/8 bytes (`i32::MIN` → `00 00 00 00`).
//! * `float4` / `float8`: IEEE bits; positive numbers get the sign bit set, negative numbers
//!   have every bit inverted. `-0` is written as `+0` (they are equal in SQL) and every NaN
//!   as the canonical positive NaN, which sorts above `+Infinity` as in PostgreSQL.
//! * `numeric(p,s)`: the unscaled i128 (every value of a column has the column's scale),
//!   sign bit flipped, 16 bytes.
//! * `interval`: PostgreSQL compares intervals by their span with 30-day months; the span
//!   in microseconds as i128, sign bit flipped.
//! * `uuid`: the 16 bytes.
//! * `text` / `varchar` / `char` / `bytea` / `jsonb`: the bytes with every `0x00` written as
//!   `0x00 0xFF`, then the terminator `0x00 0x00`. A prefix therefore sorts first
//!   (`"a" < "a\0" < "ab"`) and no encoding is a prefix of a different value's encoding.
//!
//! Composite keys need no separators: each encoding is self-delimiting.

use crate::storage::error::StorageError;
use datafusion::arrow::array::{
    Array, ArrayRef, BinaryArray, BooleanArray, Date32Array, Decimal128Array, Float32Array, Float64Array, Int16Array, Int32Array,
    Int64Array, IntervalMonthDayNanoArray, StringArray, Time64MicrosecondArray, TimestampMicrosecondArray, UInt32Array,
};
use datafusion::arrow::datatypes::{DataType, IntervalMonthDayNano, TimeUnit};
use datafusion::scalar::ScalarValue;
use quiverdb_catalog::SqlType;

/// Tag of a present value.
pub const TAG_VALUE: u8 = 0x01;
/// Tag of a NULL (sorts last).
pub const TAG_NULL: u8 = 0x02;

const USECS_PER_DAY: i128 = 86_400_000_000;

/// Appends an i64 in order-preserving form (8 bytes).
pub fn put_i64(buf: &mut Vec<u8>, v: i64) {
    buf.extend_from_slice(&((v as u64) ^ (1 << 63)).to_be_bytes());
}

/// Appends an i32 in order-preserving form (4 bytes).
pub fn put_i32(buf: &mut Vec<u8>, v: i32) {
    buf.extend_from_slice(&((v as u32) ^ (1 << 31)).to_be_bytes());
}

/// Appends an i16 in order-preserving form (2 bytes).
pub fn put_i16(buf: &mut Vec<u8>, v: i16) {
    buf.extend_from_slice(&((v as u16) ^ (1 << 15)).to_be_bytes());
}

/// Appends an i128 in order-preserving form (16 bytes).
pub fn put_i128(buf: &mut Vec<u8>, v: i128) {
    buf.extend_from_slice(&((v as u128) ^ (1 << 127)).to_be_bytes());
}

/// Appends an f64 in order-preserving form (8 bytes); -0 equals +0, NaN sorts last.
pub fn put_f64(buf: &mut Vec<u8>, v: f64) {
    let v = if v == 0.0 {
        0.0
    } else if v.is_nan() {
        f64::NAN
    } else {
        v
    };
    let bits = v.to_bits();
    let enc = if bits >> 63 == 1 { !bits } else { bits ^ (1 << 63) };
    buf.extend_from_slice(&enc.to_be_bytes());
}

/// Appends an f32 in order-preserving form (4 bytes); -0 equals +0, NaN sorts last.
pub fn put_f32(buf: &mut Vec<u8>, v: f32) {
    let v = if v == 0.0 {
        0.0
    } else if v.is_nan() {
        f32::NAN
    } else {
        v
    };
    let bits = v.to_bits();
    let enc = if bits >> 31 == 1 { !bits } else { bits ^ (1 << 31) };
    buf.extend_from_slice(&enc.to_be_bytes());
}

/// Appends bytes escaped and terminated so that byte order is preserved.
pub fn put_bytes(buf: &mut Vec<u8>, v: &[u8]) {
    for &b in v {
        buf.push(b);
        if b == 0 {
            buf.push(0xFF);
        }
    }
    buf.extend_from_slice(&[0, 0]);
}

/// Appends a u64 as plain big-endian (used for table prefixes and row ids).
pub fn put_u64(buf: &mut Vec<u8>, v: u64) {
    buf.extend_from_slice(&v.to_be_bytes());
}

/// Reads a big-endian u64 at the start of `key`.
pub fn get_u64(key: &[u8]) -> Option<u64> {
    key.get(..8).map(|b| u64::from_be_bytes(b.try_into().unwrap_or([0; 8])))
}

/// The PostgreSQL comparison span of an interval, in microseconds (months are 30 days).
pub fn interval_span(v: IntervalMonthDayNano) -> i128 {
    (v.months as i128 * 30 + v.days as i128) * USECS_PER_DAY + (v.nanoseconds / 1000) as i128
}

/// Appends one value of `ty` taken from `array[row]`, NULL included.
pub fn put_array_value(buf: &mut Vec<u8>, array: &ArrayRef, row: usize, ty: &SqlType) -> Result<(), StorageError> {
    if array.is_null(row) {
        buf.push(TAG_NULL);
        return Ok(());
    }
    buf.push(TAG_VALUE);
    match ty {
        SqlType::Bool => buf.push(downcast::<BooleanArray>(array)?.value(row) as u8),
        SqlType::Int2 => put_i16(buf, downcast::<Int16Array>(array)?.value(row)),
        SqlType::Int4 => put_i32(buf, downcast::<Int32Array>(array)?.value(row)),
        SqlType::Int8 => put_i64(buf, downcast::<Int64Array>(array)?.value(row)),
        SqlType::Oid => put_i64(buf, downcast::<UInt32Array>(array)?.value(row) as i64),
        SqlType::Float4 => put_f32(buf, downcast::<Float32Array>(array)?.value(row)),
        SqlType::Float8 => put_f64(buf, downcast::<Float64Array>(array)?.value(row)),
        SqlType::Numeric { .. } => put_i128(buf, downcast::<Decimal128Array>(array)?.value(row)),
        SqlType::Date => put_i32(buf, downcast::<Date32Array>(array)?.value(row)),
        SqlType::Time => put_i64(buf, downcast::<Time64MicrosecondArray>(array)?.value(row)),
        SqlType::Timestamp | SqlType::Timestamptz => put_i64(buf, downcast::<TimestampMicrosecondArray>(array)?.value(row)),
        SqlType::Interval => put_i128(buf, interval_span(downcast::<IntervalMonthDayNanoArray>(array)?.value(row))),
        SqlType::Uuid => {
            let s = downcast::<StringArray>(array)?.value(row);
            buf.extend_from_slice(&parse_uuid_text(s)?);
        }
        SqlType::Bytea => put_bytes(buf, downcast::<BinaryArray>(array)?.value(row)),
        SqlType::Text | SqlType::Varchar(_) | SqlType::Char(_) | SqlType::Jsonb => {
            put_bytes(buf, downcast::<StringArray>(array)?.value(row).as_bytes())
        }
        SqlType::Json | SqlType::Array(_) | SqlType::Vector(_) => {
            return Err(StorageError::Unsupported(format!("type {ty} cannot be part of a key")));
        }
    }
    Ok(())
}

/// Appends one scalar of `ty` (already of the column's Arrow type, or NULL).
pub fn put_scalar(buf: &mut Vec<u8>, value: &ScalarValue, ty: &SqlType) -> Result<(), StorageError> {
    let array = value.to_array().map_err(|e| StorageError::Internal(e.to_string()))?;
    put_array_value(buf, &array, 0, ty)
}

/// True when `value` can be encoded as a key of `ty` (its Arrow type is the column's).
pub fn scalar_fits(value: &ScalarValue, ty: &SqlType) -> bool {
    let dt = value.data_type();
    let want = ty.to_arrow();
    match (&dt, &want) {
        (DataType::Timestamp(TimeUnit::Microsecond, a), DataType::Timestamp(TimeUnit::Microsecond, b)) => a.is_some() == b.is_some(),
        _ => dt == want,
    }
}

/// Parses canonical or upper-case UUID text into its 16 bytes.
pub fn parse_uuid_text(s: &str) -> Result<[u8; 16], StorageError> {
    let mut out = [0u8; 16];
    let mut n = 0;
    let mut hi: Option<u8> = None;
    for c in s.bytes() {
        if c == b'-' {
            continue;
        }
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => return Err(StorageError::Corrupt(format!("bad uuid text {s:?}"))),
        };
        match hi.take() {
            None => hi = Some(d),
            Some(h) => {
                if n == 16 {
                    return Err(StorageError::Corrupt(format!("bad uuid text {s:?}")));
                }
                out[n] = (h << 4) | d;
                n += 1;
            }
        }
    }
    if n != 16 || hi.is_some() {
        return Err(StorageError::Corrupt(format!("bad uuid text {s:?}")));
    }
    Ok(out)
}

fn downcast<T: 'static>(array: &ArrayRef) -> Result<&T, StorageError> {
    array.as_any().downcast_ref::<T>().ok_or_else(|| StorageError::Internal(format!("unexpected array type {}", array.data_type())))
}

/// The smallest key strictly greater than every key starting with `prefix`, or `None` when
/// `prefix` is all `0xFF`.
pub fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xFF {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::ArrayRef;
    use std::sync::Arc;

    fn key_of(array: ArrayRef, ty: SqlType) -> Vec<Vec<u8>> {
        (0..array.len())
            .map(|i| {
                let mut b = Vec::new();
                put_array_value(&mut b, &array, i, &ty).unwrap();
                b
            })
            .collect()
    }

    fn assert_sorted(keys: &[Vec<u8>]) {
        for w in keys.windows(2) {
            assert!(w[0] < w[1], "{:?} !< {:?}", w[0], w[1]);
        }
    }

    #[test]
    fn integers_sort_numerically() {
        let a: ArrayRef = Arc::new(Int64Array::from(vec![i64::MIN, -5, -1, 0, 1, 7, i64::MAX]));
        assert_sorted(&key_of(a, SqlType::Int8));
        let a: ArrayRef = Arc::new(Int32Array::from(vec![i32::MIN, -300, -1, 0, 2, i32::MAX]));
        assert_sorted(&key_of(a, SqlType::Int4));
        let a: ArrayRef = Arc::new(Int16Array::from(vec![i16::MIN, -1, 0, 1, i16::MAX]));
        assert_sorted(&key_of(a, SqlType::Int2));
    }

    #[test]
    fn floats_sort_like_postgres() {
        let a: ArrayRef =
            Arc::new(Float64Array::from(vec![f64::NEG_INFINITY, -1e300, -2.5, -1e-300, 0.0, 1e-300, 3.25, f64::INFINITY, f64::NAN]));
        assert_sorted(&key_of(a, SqlType::Float8));
        let zeros: ArrayRef = Arc::new(Float64Array::from(vec![0.0, -0.0]));
        let k = key_of(zeros, SqlType::Float8);
        assert_eq!(k[0], k[1], "-0 and +0 are the same key");
        let nans: ArrayRef = Arc::new(Float64Array::from(vec![f64::NAN, -f64::NAN]));
        let k = key_of(nans, SqlType::Float8);
        assert_eq!(k[0], k[1], "every NaN is the same key");
    }

    #[test]
    fn text_sorts_bytewise_and_prefixes_first() {
        let a: ArrayRef = Arc::new(StringArray::from(vec!["", "a", "a\0", "a\0b", "ab", "b", "é", "日本"]));
        assert_sorted(&key_of(a, SqlType::Text));
    }

    #[test]
    fn nulls_sort_last() {
        let a: ArrayRef = Arc::new(Int32Array::from(vec![Some(i32::MAX), None]));
        assert_sorted(&key_of(a, SqlType::Int4));
        let a: ArrayRef = Arc::new(StringArray::from(vec![Some("\u{10FFFF}"), None]));
        assert_sorted(&key_of(a, SqlType::Text));
    }

    #[test]
    fn composite_keys_compare_column_by_column() {
        let mut k1 = Vec::new();
        put_bytes(&mut k1, b"a");
        put_i32(&mut k1, 5);
        let mut k2 = Vec::new();
        put_bytes(&mut k2, b"a");
        put_i32(&mut k2, 6);
        let mut k3 = Vec::new();
        put_bytes(&mut k3, b"ab");
        put_i32(&mut k3, i32::MIN);
        assert!(k1 < k2 && k2 < k3);
    }

    #[test]
    fn prefix_end_is_the_successor() {
        assert_eq!(prefix_end(&[1, 2]), Some(vec![1, 3]));
        assert_eq!(prefix_end(&[1, 0xFF]), Some(vec![2]));
        assert_eq!(prefix_end(&[0xFF, 0xFF]), None);
    }

    #[test]
    fn uuid_text_round_trips() {
        let b = parse_uuid_text("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11").unwrap();
        assert_eq!(b[0], 0xa0);
        assert_eq!(b[15], 0x11);
        assert!(parse_uuid_text("zz").is_err());
    }
}
