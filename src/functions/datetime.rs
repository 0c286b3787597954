//! Date/time functions with PostgreSQL semantics.
//!
//! * `date_trunc(unit, value)` — PostgreSQL's units (including `decade`, `century`,
//!   `millennium` and plural/abbreviated spellings), truncation of `timestamptz` in the
//!   session time zone, dates promoted to `timestamptz` (PostgreSQL's resolution), and
//!   PostgreSQL's error for unknown units.

use crate::functions::settings::PgSettings;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, IntervalMonthDayNanoBuilder, TimestampMicrosecondBuilder};
use datafusion::arrow::datatypes::{DataType, Date32Type, IntervalMonthDayNano, IntervalMonthDayNanoType, IntervalUnit, TimeUnit};
use datafusion::common::{DataFusionError, Result, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use quiverdb_catalog::format::timestamp_micros;
use quiverdb_catalog::pgvalue::TimeZone;
use quiverdb_catalog::types::UTC_TZ;
use quiverdb_catalog::{Error, ErrorCode};
use std::sync::Arc;

const USECS_PER_DAY: i64 = 86_400_000_000;

/// A truncation unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Microseconds,
    Milliseconds,
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
    Decade,
    Century,
    Millennium,
}

fn unit(name: &str) -> Option<Unit> {
    Some(match name.trim().to_ascii_lowercase().as_str() {
        "microsecond" | "microseconds" | "us" | "usec" | "usecs" | "useconds" => Unit::Microseconds,
        "millisecond" | "milliseconds" | "ms" | "msec" | "msecs" | "mseconds" => Unit::Milliseconds,
        "second" | "seconds" | "s" | "sec" | "secs" => Unit::Second,
        "minute" | "minutes" | "m" | "min" | "mins" => Unit::Minute,
        "hour" | "hours" | "h" | "hr" | "hrs" => Unit::Hour,
        "day" | "days" | "d" => Unit::Day,
        "week" | "weeks" | "w" => Unit::Week,
        "month" | "months" | "mon" | "mons" => Unit::Month,
        "quarter" | "qtr" => Unit::Quarter,
        "year" | "years" | "y" | "yr" | "yrs" => Unit::Year,
        "decade" | "decades" | "dec" | "decs" => Unit::Decade,
        "century" | "centuries" | "c" | "cent" => Unit::Century,
        "millennium" | "millennia" | "mil" | "mils" => Unit::Millennium,
        _ => return None,
    })
}

fn unknown_unit(name: &str, ty: &str) -> DataFusionError {
    Error::new(ErrorCode::InvalidParameterValue, format!("unit \"{}\" not recognized for type {ty}", name.to_lowercase())).into()
}

/// Truncates a wall-clock time (µs since 1970) to `u`.
fn trunc_local(micros: i64, u: Unit) -> Option<i64> {
    if micros == i64::MAX || micros == i64::MIN {
        return Some(micros);
    }
    let dt: NaiveDateTime = DateTime::from_timestamp_micros(micros)?.naive_utc();
    let date = dt.date();
    let y = date.year();
    let day = |d: NaiveDate| d.and_hms_opt(0, 0, 0);
    let out = match u {
        Unit::Microseconds => return Some(micros),
        Unit::Milliseconds => return Some(micros - micros.rem_euclid(1000)),
        Unit::Second => return Some(micros - micros.rem_euclid(1_000_000)),
        Unit::Minute => dt.with_second(0)?.with_nanosecond(0)?,
        Unit::Hour => dt.with_minute(0)?.with_second(0)?.with_nanosecond(0)?,
        Unit::Day => day(date)?,
        Unit::Week => day(date - chrono::Duration::days(date.weekday().num_days_from_monday() as i64))?,
        Unit::Month => day(NaiveDate::from_ymd_opt(y, date.month(), 1)?)?,
        Unit::Quarter => day(NaiveDate::from_ymd_opt(y, (date.month() - 1) / 3 * 3 + 1, 1)?)?,
        Unit::Year => day(NaiveDate::from_ymd_opt(y, 1, 1)?)?,
        Unit::Decade => day(NaiveDate::from_ymd_opt(y - y.rem_euclid(10), 1, 1)?)?,
        Unit::Century => {
            let c = if y > 0 { (y + 99) / 100 * 100 - 99 } else { -((99 - y) / 100 * 100) + 1 };
            day(NaiveDate::from_ymd_opt(c, 1, 1)?)?
        }
        Unit::Millennium => {
            let m = if y > 0 { (y + 999) / 1000 * 1000 - 999 } else { -((999 - y) / 1000 * 1000) + 1 };
            day(NaiveDate::from_ymd_opt(m, 1, 1)?)?
        }
    };
    Some(out.and_utc().timestamp_micros())
}

/// Truncates an interval's fields below `u`.
fn trunc_interval(v: IntervalMonthDayNano, u: Unit) -> IntervalMonthDayNano {
    let nanos = v.nanoseconds;
    let (months, days) = (v.months, v.days);
    let hour = 3_600_000_000_000i64;
    match u {
        Unit::Microseconds => IntervalMonthDayNano::new(months, days, nanos - nanos % 1000),
        Unit::Milliseconds => IntervalMonthDayNano::new(months, days, nanos - nanos % 1_000_000),
        Unit::Second => IntervalMonthDayNano::new(months, days, nanos - nanos % 1_000_000_000),
        Unit::Minute => IntervalMonthDayNano::new(months, days, nanos - nanos % 60_000_000_000),
        Unit::Hour => IntervalMonthDayNano::new(months, days, nanos - nanos % hour),
        Unit::Day | Unit::Week => IntervalMonthDayNano::new(months, days, 0),
        Unit::Month => IntervalMonthDayNano::new(months, 0, 0),
        Unit::Quarter => IntervalMonthDayNano::new(months - months % 3, 0, 0),
        Unit::Year => IntervalMonthDayNano::new(months - months % 12, 0, 0),
        Unit::Decade => IntervalMonthDayNano::new(months - months % 120, 0, 0),
        Unit::Century => IntervalMonthDayNano::new(months - months % 1200, 0, 0),
        Unit::Millennium => IntervalMonthDayNano::new(months - months % 12000, 0, 0),
    }
}

/// PostgreSQL's `date_trunc`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DateTrunc {
    signature: Signature,
}

impl ScalarUDFImpl for DateTrunc {
    fn name(&self) -> &str {
        "date_trunc"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(match arg_types.get(1) {
            Some(DataType::Timestamp(_, None)) => DataType::Timestamp(TimeUnit::Microsecond, None),
            Some(DataType::Interval(_)) => DataType::Interval(IntervalUnit::MonthDayNano),
            Some(DataType::Timestamp(_, Some(_)) | DataType::Date32 | DataType::Date64 | DataType::Utf8) => {
                DataType::Timestamp(TimeUnit::Microsecond, Some(Arc::from(UTC_TZ)))
            }
            Some(DataType::Null) | None => DataType::Timestamp(TimeUnit::Microsecond, None),
            Some(other) => {
                return Err(Error::new(
                    ErrorCode::UndefinedFunction,
                    format!("function date_trunc(unknown, {}) does not exist", quiverdb_catalog::SqlType::from_arrow(other)),
                )
                .into());
            }
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let tz = PgSettings::of(&args.config_options).time_zone;
        let unit_name = match args.args.first() {
            Some(ColumnarValue::Scalar(ScalarValue::Utf8(Some(u)) | ScalarValue::Utf8View(Some(u)) | ScalarValue::LargeUtf8(Some(u)))) => {
                u.clone()
            }
            Some(ColumnarValue::Scalar(s)) if s.is_null() => {
                return Ok(ColumnarValue::Scalar(ScalarValue::try_from(&args.return_field.data_type().clone())?));
            }
            _ => return Err(Error::unsupported("date_trunc unit must be a constant").into()),
        };
        let Some(value) = args.args.get(1) else {
            return Err(DataFusionError::Internal("date_trunc needs two arguments".into()));
        };
        let scalar = matches!(value, ColumnarValue::Scalar(_));
        let arr = value.to_array(args.number_rows)?;
        let out = trunc_array(&arr, &unit_name, &tz)?;
        if scalar {
            return Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?));
        }
        Ok(ColumnarValue::Array(out))
    }
}

fn trunc_array(arr: &ArrayRef, unit_name: &str, tz: &TimeZone) -> Result<ArrayRef> {
    match arr.data_type() {
        DataType::Interval(IntervalUnit::MonthDayNano) => {
            let u = unit(unit_name).ok_or_else(|| unknown_unit(unit_name, "interval"))?;
            let a = arr.as_primitive::<IntervalMonthDayNanoType>();
            let mut b = IntervalMonthDayNanoBuilder::with_capacity(a.len());
            for i in 0..a.len() {
                if a.is_null(i) { b.append_null() } else { b.append_value(trunc_interval(a.value(i), u)) }
            }
            Ok(Arc::new(b.finish()))
        }
        DataType::Timestamp(tu, None) => {
            let u = unit(unit_name).ok_or_else(|| unknown_unit(unit_name, "timestamp without time zone"))?;
            let mut b = TimestampMicrosecondBuilder::with_capacity(arr.len());
            for i in 0..arr.len() {
                if arr.is_null(i) {
                    b.append_null();
                    continue;
                }
                let v = timestamp_micros(arr.as_ref(), i, *tu);
                b.append_option(trunc_local(v, u));
            }
            Ok(Arc::new(b.finish()))
        }
        DataType::Timestamp(_, Some(_)) | DataType::Date32 => {
            let u = unit(unit_name).ok_or_else(|| unknown_unit(unit_name, "timestamp with time zone"))?;
            let mut b = TimestampMicrosecondBuilder::with_capacity(arr.len()).with_timezone(UTC_TZ);
            for i in 0..arr.len() {
                if arr.is_null(i) {
                    b.append_null();
                    continue;
                }
                let local = match arr.data_type() {
                    DataType::Date32 => arr.as_primitive::<Date32Type>().value(i) as i64 * USECS_PER_DAY,
                    DataType::Timestamp(tu, _) => {
                        let utc = timestamp_micros(arr.as_ref(), i, *tu);
                        utc + tz.offset_at_utc(utc) as i64 * 1_000_000
                    }
                    _ => 0,
                };
                // Units below a day keep the instant's offset; larger ones re-resolve it.
                let t = trunc_local(local, u);
                b.append_option(t.map(|t| t - tz.offset_for_local(t) as i64 * 1_000_000));
            }
            Ok(Arc::new(b.finish()))
        }
        DataType::Null => Ok(datafusion::arrow::array::new_null_array(&DataType::Timestamp(TimeUnit::Microsecond, None), arr.len())),
        other => Err(Error::unsupported(format!("date_trunc of {other} is not supported")).into()),
    }
}

/// The date/time functions.
/// µs between 1970-01-01 and PostgreSQL's epoch 2000-01-01 (rounding is symmetric
/// around the latter).
const PG_EPOCH_OFFSET: i64 = 946_684_800_000_000;

/// Rounds µs `v` to `p` fraction digits, half away from zero relative to `epoch`.
fn round_micros(v: i64, p: u32, epoch: i64) -> i64 {
    if p >= 6 || v == i64::MIN || v == i64::MAX {
        return v;
    }
    let scale = 10i64.pow(6 - p);
    let rel = v - epoch;
    let rounded = if rel >= 0 { (rel + scale / 2) / scale * scale } else { -((-rel + scale / 2) / scale * scale) };
    rounded + epoch
}

/// `quiver_time_precision(x, p)`: a timestamp, timestamptz or time rounded to `p`
/// fraction digits, as casts to `timestamp(p)` / `time(p)` do.
#[derive(Debug, PartialEq, Eq, Hash)]
struct TimePrecision {
    signature: Signature,
}

impl ScalarUDFImpl for TimePrecision {
    fn name(&self) -> &str {
        "quiver_time_precision"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(arg_types.first().cloned().unwrap_or(DataType::Null))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let p = match args.args.get(1) {
            Some(ColumnarValue::Scalar(v)) => v.clone().cast_to(&DataType::Int64).ok().and_then(|v| match v {
                ScalarValue::Int64(Some(p)) => Some(p.clamp(0, 6) as u32),
                _ => None,
            }),
            _ => None,
        }
        .ok_or_else(|| DataFusionError::Internal("time precision must be a constant".into()))?;
        let scalar = matches!(args.args[0], ColumnarValue::Scalar(_));
        let arr = args.args[0].to_array(args.number_rows)?;
        let out: ArrayRef = match arr.data_type() {
            DataType::Timestamp(TimeUnit::Microsecond, tz) => {
                let a = arr.as_primitive::<datafusion::arrow::datatypes::TimestampMicrosecondType>();
                let r: datafusion::arrow::array::TimestampMicrosecondArray = a.unary(|v| round_micros(v, p, PG_EPOCH_OFFSET));
                Arc::new(r.with_timezone_opt(tz.clone()))
            }
            DataType::Time64(TimeUnit::Microsecond) => {
                let a = arr.as_primitive::<datafusion::arrow::datatypes::Time64MicrosecondType>();
                let r: datafusion::arrow::array::Time64MicrosecondArray = a.unary(|v| round_micros(v, p, 0).min(86_400_000_000));
                Arc::new(r)
            }
            _ => arr,
        };
        crate::functions::columnar(out, scalar)
    }
}

/// `justify_hours(interval)`: whole 24-hour periods of the time part become days (the
/// result of `timestamp - timestamp` is justified this way: `430 days 03:30:00`).
#[derive(Debug, PartialEq, Eq, Hash)]
struct JustifyHours {
    signature: Signature,
}

impl ScalarUDFImpl for JustifyHours {
    fn name(&self) -> &str {
        "justify_hours"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Interval(IntervalUnit::MonthDayNano))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalar = matches!(args.args[0], ColumnarValue::Scalar(_));
        let arr = args.args[0].to_array(args.number_rows)?;
        let arr = match arr.data_type() {
            DataType::Duration(_) => {
                let micros = datafusion::arrow::compute::cast(&arr, &DataType::Duration(TimeUnit::Microsecond))?;
                let micros = micros.as_primitive::<datafusion::arrow::datatypes::DurationMicrosecondType>();
                let iv: datafusion::arrow::array::IntervalMonthDayNanoArray =
                    micros.unary(|m| IntervalMonthDayNano::new(0, 0, m.saturating_mul(1000)));
                Arc::new(iv) as ArrayRef
            }
            _ => datafusion::arrow::compute::cast(&arr, &DataType::Interval(IntervalUnit::MonthDayNano))?,
        };
        const DAY: i64 = 86_400_000_000_000;
        let iv = arr.as_primitive::<datafusion::arrow::datatypes::IntervalMonthDayNanoType>();
        let out: datafusion::arrow::array::IntervalMonthDayNanoArray = iv.unary(|v| {
            let (mut days, mut nanos) = (v.days as i64 + v.nanoseconds / DAY, v.nanoseconds % DAY);
            // Days and time end up with the same sign, as in PostgreSQL.
            if days > 0 && nanos < 0 {
                nanos += DAY;
                days -= 1;
            } else if days < 0 && nanos > 0 {
                nanos -= DAY;
                days += 1;
            }
            IntervalMonthDayNano::new(v.months, days.clamp(i32::MIN as i64, i32::MAX as i64) as i32, nanos)
        });
        let out: ArrayRef = Arc::new(out);
        crate::functions::columnar(out, scalar)
    }
}

/// Days in `month` (1-12) of `year`.
fn days_in_month(year: i32, month: u32) -> i64 {
    let next = if month == 12 { NaiveDate::from_ymd_opt(year + 1, 1, 1) } else { NaiveDate::from_ymd_opt(year, month + 1, 1) };
    match (next, NaiveDate::from_ymd_opt(year, month, 1)) {
        (Some(n), Some(f)) => (n - f).num_days(),
        _ => 30,
    }
}

/// PostgreSQL's `age(a, b)`: the symbolic difference of two wall-clock times (µs), field
/// by field with borrowing (`1 year 2 mons 5 days`), as `timestamp_age` computes it.
fn symbolic_age(a: i64, b: i64) -> Option<IntervalMonthDayNano> {
    let fields = |m: i64| -> Option<(i32, u32, i64, i64, i64, i64, i64)> {
        let dt = DateTime::from_timestamp_micros(m)?.naive_utc();
        Some((
            dt.year(),
            dt.month(),
            dt.day() as i64,
            dt.hour() as i64,
            dt.minute() as i64,
            dt.second() as i64,
            (dt.nanosecond() / 1000) as i64,
        ))
    };
    let (y1, mo1, d1, h1, mi1, s1, us1) = fields(a)?;
    let (y2, mo2, d2, h2, mi2, s2, us2) = fields(b)?;
    let mut f = [us1 - us2, s1 - s2, mi1 - mi2, h1 - h2, d1 - d2, mo1 as i64 - mo2 as i64, (y1 - y2) as i64];
    let flip = a < b;
    if flip {
        f.iter_mut().for_each(|x| *x = -*x);
    }
    let [us, sec, min, hour, day, mon, year] = &mut f;
    while *us < 0 {
        *us += 1_000_000;
        *sec -= 1;
    }
    while *sec < 0 {
        *sec += 60;
        *min -= 1;
    }
    while *min < 0 {
        *min += 60;
        *hour -= 1;
    }
    while *hour < 0 {
        *hour += 24;
        *day -= 1;
    }
    while *day < 0 {
        *day += if flip { days_in_month(y1, mo1) } else { days_in_month(y2, mo2) };
        *mon -= 1;
    }
    while *mon < 0 {
        *mon += 12;
        *year -= 1;
    }
    if flip {
        f.iter_mut().for_each(|x| *x = -*x);
    }
    let [us, sec, min, hour, day, mon, year] = f;
    let micros = ((hour * 60 + min) * 60 + sec) * 1_000_000 + us;
    Some(IntervalMonthDayNano::new((year * 12 + mon) as i32, day as i32, micros * 1000))
}

/// `age(a, b)` and `age(a)` (from today's midnight) for timestamps, timestamptz (in the
/// session TimeZone) and dates.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Age {
    signature: Signature,
}

impl ScalarUDFImpl for Age {
    fn name(&self) -> &str {
        "age"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        if arg_types.is_empty() || arg_types.len() > 2 {
            return Err(Error::new(ErrorCode::UndefinedFunction, "function age takes one or two date/time arguments").into_datafusion());
        }
        Ok(DataType::Interval(IntervalUnit::MonthDayNano))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let tz = PgSettings::of(&args.config_options).time_zone;
        let scalar = args.args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let rows = if scalar { 1 } else { args.number_rows };
        // Wall-clock µs of each argument (timestamptz converted to the session zone).
        let local = |v: &ColumnarValue| -> Result<Vec<Option<i64>>> {
            let arr = v.to_array(rows)?;
            let aware = matches!(arr.data_type(), DataType::Timestamp(_, Some(_)));
            let m = datafusion::arrow::compute::cast(&arr, &DataType::Timestamp(TimeUnit::Microsecond, None))?;
            let m = m.as_primitive::<datafusion::arrow::datatypes::TimestampMicrosecondType>();
            Ok(m.iter().map(|x| x.map(|x| if aware { x + tz.offset_at_utc(x) as i64 * 1_000_000 } else { x })).collect())
        };
        let second = match args.args.get(1) {
            Some(b) => local(b)?,
            None => {
                // age(x) counts from midnight today (in the session time zone).
                let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0);
                let today = (now + tz.offset_at_utc(now) as i64 * 1_000_000).div_euclid(86_400_000_000) * 86_400_000_000;
                let first = local(&args.args[0])?;
                let mut b = datafusion::arrow::array::IntervalMonthDayNanoBuilder::with_capacity(rows);
                for x in first {
                    b.append_option(x.and_then(|x| symbolic_age(today, x)));
                }
                let out: ArrayRef = Arc::new(b.finish());
                return crate::functions::columnar(out, scalar);
            }
        };
        let first = local(&args.args[0])?;
        let mut b = datafusion::arrow::array::IntervalMonthDayNanoBuilder::with_capacity(rows);
        for (x, y) in first.into_iter().zip(second) {
            b.append_option(x.zip(y).and_then(|(x, y)| symbolic_age(x, y)));
        }
        let out: ArrayRef = Arc::new(b.finish());
        crate::functions::columnar(out, scalar)
    }
}

/// `justify_hours`.
pub fn justify_hours_udf() -> ScalarUDF {
    ScalarUDF::from(JustifyHours { signature: Signature::any(1, Volatility::Immutable) })
}

pub fn udfs() -> Vec<ScalarUDF> {
    vec![
        justify_hours_udf(),
        ScalarUDF::from(Age { signature: Signature::variadic_any(Volatility::Stable) }),
        ScalarUDF::from(DateTrunc { signature: Signature::any(2, Volatility::Stable) }),
        ScalarUDF::from(TimePrecision { signature: Signature::any(2, Volatility::Immutable) }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> i64 {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap().and_utc().timestamp_micros()
    }

    #[test]
    fn truncation_units() {
        let t = ts("2024-08-15 13:45:30");
        assert_eq!(trunc_local(t, Unit::Hour), Some(ts("2024-08-15 13:00:00")));
        assert_eq!(trunc_local(t, Unit::Week), Some(ts("2024-08-12 00:00:00")));
        assert_eq!(trunc_local(t, Unit::Quarter), Some(ts("2024-07-01 00:00:00")));
        assert_eq!(trunc_local(t, Unit::Decade), Some(ts("2020-01-01 00:00:00")));
        assert_eq!(trunc_local(t, Unit::Century), Some(ts("2001-01-01 00:00:00")));
        assert_eq!(trunc_local(t, Unit::Millennium), Some(ts("2001-01-01 00:00:00")));
        assert!(unit("fortnight").is_none());
    }
}
