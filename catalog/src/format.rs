//! Arrow values → PostgreSQL text, exactly as PostgreSQL's output functions print them.
//!
//! [`ValueFormatter`] is built once per column of a batch (the downcast happens once) and
//! then appends one value at a time, honouring the session's [`FormatSettings`]
//! (extra_float_digits, DateStyle, IntervalStyle, TimeZone, bytea_output). Arrays print as
//! PostgreSQL array literals (`{1,2,NULL}`), structs as records (`(1,abc)`).

use crate::error::{Error, Result};
use crate::pgvalue::{
    self, FormatSettings, Interval, write_array_element, write_bool, write_bytea, write_date, write_float4, write_float8, write_interval,
    write_numeric, write_numeric_trimmed, write_time, write_timestamp, write_timestamptz,
};
use crate::types::SqlType;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Decimal128Array, Float16Array, Float32Array, Float64Array, GenericListArray, StructArray,
};
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Date64Type, DurationMicrosecondType, DurationMillisecondType, DurationNanosecondType, DurationSecondType,
    Int8Type, Int16Type, Int32Type, Int64Type, IntervalDayTimeType, IntervalMonthDayNanoType, IntervalUnit, IntervalYearMonthType,
    Time32MillisecondType, Time32SecondType, Time64MicrosecondType, Time64NanosecondType, TimeUnit, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use std::fmt::Write;

/// Appends one non-NULL value of `array[row]`; `ty` refines Arrow's type (e.g. trims
/// unconstrained numerics).
pub fn format_value(array: &dyn Array, row: usize, ty: &SqlType, settings: &FormatSettings, out: &mut String) -> Result<()> {
    ValueFormatter::new(array, ty, settings)?.write(row, out)
}

/// Formats the values of one Arrow column.
pub struct ValueFormatter<'a> {
    array: &'a dyn Array,
    settings: &'a FormatSettings,
    trim_numeric: bool,
    elem_type: Option<SqlType>,
    /// `int2vector` / `oidvector`: elements separated by a space, without braces.
    vector: bool,
}

impl<'a> ValueFormatter<'a> {
    /// A formatter for `array`, whose PostgreSQL type is `ty`.
    pub fn new(array: &'a dyn Array, ty: &SqlType, settings: &'a FormatSettings) -> Result<Self> {
        let trim_numeric = matches!(ty, SqlType::Numeric { precision: None, .. });
        let elem_type = ty.element().cloned();
        let vector = matches!(ty, SqlType::Vector(_));
        Ok(ValueFormatter { array, settings, trim_numeric, elem_type, vector })
    }

    /// True when `row` is NULL.
    pub fn is_null(&self, row: usize) -> bool {
        self.array.is_null(row)
    }

    /// Appends the text of `row` (which must not be NULL).
    pub fn write(&self, row: usize, out: &mut String) -> Result<()> {
        if self.vector
            && let Some(list) = self.array.as_list_opt::<i32>()
        {
            let values = list.value(row);
            for i in 0..values.len() {
                if i > 0 {
                    out.push(' ');
                }
                write_one(values.as_ref(), i, self.settings, false, None, out)?;
            }
            return Ok(());
        }
        write_one(self.array, row, self.settings, self.trim_numeric, self.elem_type.as_ref(), out)
    }
}

fn fmt_err(_: std::fmt::Error) -> Error {
    Error::internal("formatting failed")
}

fn write_one(a: &dyn Array, row: usize, s: &FormatSettings, trim_numeric: bool, elem: Option<&SqlType>, out: &mut String) -> Result<()> {
    macro_rules! int {
        ($t:ty) => {{
            let v = a.as_primitive::<$t>().value(row);
            let _ = write!(out, "{v}");
        }};
    }
    match a.data_type() {
        DataType::Boolean => {
            let v = a.as_any().downcast_ref::<BooleanArray>().map(|b| b.value(row)).unwrap_or(false);
            write_bool(out, v).map_err(fmt_err)?;
        }
        DataType::Int8 => int!(Int8Type),
        DataType::Int16 => int!(Int16Type),
        DataType::Int32 => int!(Int32Type),
        DataType::Int64 => int!(Int64Type),
        DataType::UInt8 => int!(UInt8Type),
        DataType::UInt16 => int!(UInt16Type),
        DataType::UInt32 => int!(UInt32Type),
        DataType::UInt64 => int!(UInt64Type),
        DataType::Float16 => {
            let v = downcast::<Float16Array>(a)?.value(row).to_f32();
            write_float4(out, v, s.extra_float_digits).map_err(fmt_err)?;
        }
        DataType::Float32 => write_float4(out, downcast::<Float32Array>(a)?.value(row), s.extra_float_digits).map_err(fmt_err)?,
        DataType::Float64 => write_float8(out, downcast::<Float64Array>(a)?.value(row), s.extra_float_digits).map_err(fmt_err)?,
        DataType::Decimal128(_, scale) => {
            let v = downcast::<Decimal128Array>(a)?.value(row);
            write_decimal(out, v, *scale, trim_numeric)?;
        }
        DataType::Decimal256(_, scale) => {
            let v = a.as_primitive::<datafusion::arrow::datatypes::Decimal256Type>().value(row);
            match v.to_i128() {
                Some(v) => write_decimal(out, v, *scale, trim_numeric)?,
                None => write_big_decimal(out, &v.to_string(), *scale),
            }
        }
        DataType::Decimal32(_, scale) => {
            let v = a.as_primitive::<datafusion::arrow::datatypes::Decimal32Type>().value(row);
            write_decimal(out, v as i128, *scale, trim_numeric)?;
        }
        DataType::Decimal64(_, scale) => {
            let v = a.as_primitive::<datafusion::arrow::datatypes::Decimal64Type>().value(row);
            write_decimal(out, v as i128, *scale, trim_numeric)?;
        }
        DataType::Utf8 => out.push_str(a.as_string::<i32>().value(row)),
        DataType::LargeUtf8 => out.push_str(a.as_string::<i64>().value(row)),
        DataType::Utf8View => out.push_str(a.as_string_view().value(row)),
        DataType::Binary => write_bytea(out, a.as_binary::<i32>().value(row), s.bytea_output).map_err(fmt_err)?,
        DataType::LargeBinary => write_bytea(out, a.as_binary::<i64>().value(row), s.bytea_output).map_err(fmt_err)?,
        DataType::BinaryView => write_bytea(out, a.as_binary_view().value(row), s.bytea_output).map_err(fmt_err)?,
        DataType::FixedSizeBinary(_) => write_bytea(out, a.as_fixed_size_binary().value(row), s.bytea_output).map_err(fmt_err)?,
        DataType::Date32 => write_date(out, a.as_primitive::<Date32Type>().value(row), s).map_err(fmt_err)?,
        DataType::Date64 => {
            let ms = a.as_primitive::<Date64Type>().value(row);
            write_date(out, ms.div_euclid(86_400_000) as i32, s).map_err(fmt_err)?;
        }
        DataType::Time32(TimeUnit::Second) => {
            write_time(out, a.as_primitive::<Time32SecondType>().value(row) as i64 * 1_000_000).map_err(fmt_err)?
        }
        DataType::Time32(_) => write_time(out, a.as_primitive::<Time32MillisecondType>().value(row) as i64 * 1000).map_err(fmt_err)?,
        DataType::Time64(TimeUnit::Nanosecond) => {
            write_time(out, round_nanos(a.as_primitive::<Time64NanosecondType>().value(row))).map_err(fmt_err)?
        }
        DataType::Time64(_) => write_time(out, a.as_primitive::<Time64MicrosecondType>().value(row)).map_err(fmt_err)?,
        DataType::Timestamp(unit, tz) => {
            let micros = timestamp_micros(a, row, *unit);
            if tz.is_some() {
                write_timestamptz(out, micros, s).map_err(fmt_err)?;
            } else {
                write_timestamp(out, micros, s).map_err(fmt_err)?;
            }
        }
        DataType::Interval(unit) => {
            let iv = match unit {
                IntervalUnit::MonthDayNano => {
                    let v = a.as_primitive::<IntervalMonthDayNanoType>().value(row);
                    Interval { months: v.months, days: v.days, micros: round_nanos(v.nanoseconds) }
                }
                IntervalUnit::YearMonth => Interval { months: a.as_primitive::<IntervalYearMonthType>().value(row), days: 0, micros: 0 },
                IntervalUnit::DayTime => {
                    let v = a.as_primitive::<IntervalDayTimeType>().value(row);
                    Interval { months: 0, days: v.days, micros: v.milliseconds as i64 * 1000 }
                }
            };
            write_interval(out, &iv, s.interval_style).map_err(fmt_err)?;
        }
        DataType::Duration(unit) => {
            let micros = match unit {
                TimeUnit::Second => a.as_primitive::<DurationSecondType>().value(row).saturating_mul(1_000_000),
                TimeUnit::Millisecond => a.as_primitive::<DurationMillisecondType>().value(row).saturating_mul(1000),
                TimeUnit::Microsecond => a.as_primitive::<DurationMicrosecondType>().value(row),
                TimeUnit::Nanosecond => round_nanos(a.as_primitive::<DurationNanosecondType>().value(row)),
            };
            write_interval(out, &Interval { months: 0, days: 0, micros }, s.interval_style).map_err(fmt_err)?;
        }
        DataType::List(_) => write_list(out, &a.as_list::<i32>().value(row), s, elem)?,
        DataType::LargeList(_) => write_list(out, &a.as_list::<i64>().value(row), s, elem)?,
        DataType::FixedSizeList(_, _) => write_list(out, &a.as_fixed_size_list().value(row), s, elem)?,
        DataType::Struct(_) => {
            let st = downcast::<StructArray>(a)?;
            out.push('(');
            for (i, col) in st.columns().iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if col.is_null(row) {
                    continue;
                }
                let mut v = String::new();
                write_one(col.as_ref(), row, s, false, None, &mut v)?;
                write_record_field(out, &v);
            }
            out.push(')');
        }
        DataType::Dictionary(_, _) => {
            let dict = a.as_any_dictionary();
            let key = dict.normalized_keys()[row];
            write_one(dict.values().as_ref(), key, s, trim_numeric, elem, out)?;
        }
        DataType::Null => {}
        other => {
            return Err(Error::unsupported(format!("cannot send values of type {other} to clients")));
        }
    }
    Ok(())
}

/// Microseconds of a timestamp value of any unit (nanoseconds rounded like PostgreSQL).
pub fn timestamp_micros(a: &dyn Array, row: usize, unit: TimeUnit) -> i64 {
    match unit {
        TimeUnit::Second => a.as_primitive::<TimestampSecondType>().value(row).saturating_mul(1_000_000),
        TimeUnit::Millisecond => a.as_primitive::<TimestampMillisecondType>().value(row).saturating_mul(1000),
        TimeUnit::Microsecond => a.as_primitive::<TimestampMicrosecondType>().value(row),
        TimeUnit::Nanosecond => round_nanos(a.as_primitive::<TimestampNanosecondType>().value(row)),
    }
}

/// Nanoseconds → microseconds, rounding half away from zero.
pub fn round_nanos(n: i64) -> i64 {
    let q = n / 1000;
    let r = n % 1000;
    if r >= 500 {
        q + 1
    } else if r <= -500 {
        q - 1
    } else {
        q
    }
}

fn write_decimal(out: &mut String, v: i128, scale: i8, trim: bool) -> Result<()> {
    if scale < 0 {
        let mut s = v.to_string();
        if v != 0 {
            s.extend(std::iter::repeat_n('0', (-scale) as usize));
        }
        out.push_str(&s);
        return Ok(());
    }
    if trim { write_numeric_trimmed(out, v, scale as u8, 0).map_err(fmt_err) } else { write_numeric(out, v, scale as u8).map_err(fmt_err) }
}

fn write_big_decimal(out: &mut String, digits: &str, scale: i8) {
    let (neg, digits) = match digits.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, digits),
    };
    if neg {
        out.push('-');
    }
    let scale = scale.max(0) as usize;
    if digits.len() <= scale {
        out.push('0');
        out.push('.');
        out.extend(std::iter::repeat_n('0', scale - digits.len()));
        out.push_str(digits);
    } else if scale == 0 {
        out.push_str(digits);
    } else {
        let (int, frac) = digits.split_at(digits.len() - scale);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    }
}

fn write_list(out: &mut String, values: &ArrayRef, s: &FormatSettings, elem: Option<&SqlType>) -> Result<()> {
    let trim = matches!(elem, Some(SqlType::Numeric { precision: None, .. }));
    let mut texts: Vec<Option<String>> = Vec::with_capacity(values.len());
    for i in 0..values.len() {
        if values.is_null(i) {
            texts.push(None);
            continue;
        }
        let mut v = String::new();
        write_one(values.as_ref(), i, s, trim, None, &mut v)?;
        texts.push(Some(v));
    }
    out.push('{');
    for (i, t) in texts.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_array_element(out, t.as_deref()).map_err(fmt_err)?;
    }
    out.push('}');
    Ok(())
}

/// Appends a record field, quoted when PostgreSQL would quote it.
fn write_record_field(out: &mut String, v: &str) {
    let needs = v.is_empty() || v.chars().any(|c| matches!(c, '(' | ')' | ',' | '"' | '\\') || c.is_whitespace());
    if !needs {
        out.push_str(v);
        return;
    }
    out.push('"');
    for c in v.chars() {
        if c == '"' || c == '\\' {
            out.push(c);
        }
        out.push(c);
    }
    out.push('"');
}

fn downcast<T: 'static>(a: &dyn Array) -> Result<&T> {
    a.as_any().downcast_ref::<T>().ok_or_else(|| Error::internal(format!("unexpected array type {}", a.data_type())))
}

/// Re-exported for callers that format whole rows.
pub use pgvalue::FormatSettings as Settings;

/// Keeps list array types nameable for callers.
pub type ListArray = GenericListArray<i32>;

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Int32Array, ListBuilder, StringBuilder, TimestampMicrosecondArray};
    use std::sync::Arc;

    fn text(a: &dyn Array, ty: SqlType) -> Vec<String> {
        let s = FormatSettings::default();
        (0..a.len())
            .map(|i| {
                let mut out = String::new();
                format_value(a, i, &ty, &s, &mut out).unwrap();
                out
            })
            .collect()
    }

    #[test]
    fn floats_and_numerics_print_like_postgres() {
        let f = Float64Array::from(vec![1e20, 0.1, f64::INFINITY, -0.0]);
        assert_eq!(text(&f, SqlType::Float8), vec!["1e+20", "0.1", "Infinity", "-0"]);
        let d = Decimal128Array::from(vec![150i128, -5]).with_precision_and_scale(10, 2).unwrap();
        assert_eq!(text(&d, SqlType::Numeric { precision: Some(10), scale: 2 }), vec!["1.50", "-0.05"]);
        let u = Decimal128Array::from(vec![15_000_000_000i128]).with_precision_and_scale(38, 10).unwrap();
        assert_eq!(text(&u, SqlType::Numeric { precision: None, scale: 0 }), vec!["1.5"]);
    }

    #[test]
    fn arrays_and_timestamps() {
        let mut lb = ListBuilder::new(StringBuilder::new());
        lb.values().append_value("a b");
        lb.values().append_null();
        lb.values().append_value("c");
        lb.append(true);
        let l = lb.finish();
        assert_eq!(text(&l, SqlType::Array(Box::new(SqlType::Text))), vec!["{\"a b\",NULL,c}"]);
        let ts = TimestampMicrosecondArray::from(vec![0i64]).with_timezone("+00:00");
        assert_eq!(text(&ts, SqlType::Timestamptz), vec!["1970-01-01 00:00:00+00"]);
        let i = Int32Array::from(vec![-3]);
        assert_eq!(text(&i, SqlType::Int4), vec!["-3"]);
        let _ = Arc::new(i);
    }
}
