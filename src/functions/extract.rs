//! `EXTRACT(field FROM x)` (numeric) and `date_part('field', x)` (double precision) with
//! PostgreSQL's fields and results.
//!
//! Since PostgreSQL 14, EXTRACT returns `numeric` with a scale that depends on the field:
//! `second` and `epoch` have 6 fraction digits (`30.500000`), `milliseconds` 3, the others
//! none; `date_part` returns the same value as `double precision`. Timestamps with time
//! zone are taken apart in the session TimeZone (except `epoch`, which counts from
//! 1970-01-01 UTC). Years are astronomical in chrono (1 BC is year 0) and shifted to
//! PostgreSQL's numbering (1 BC is year -1).
//!
//! Values are computed as an integer and a scale (`30.500000` is 30500000 at scale 6),
//! which is exact for every field.

use crate::functions::settings::PgSettings;
use chrono::{Datelike, NaiveDate};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, Decimal128Builder, Float64Builder};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, IntervalMonthDayNanoType, IntervalUnit, TimeUnit, TimestampMicrosecondType};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use quiverdb_catalog::pgvalue::TimeZone;
use quiverdb_catalog::{Error, ErrorCode};
use std::sync::Arc;

const USECS_PER_SEC: i64 = 1_000_000;
const USECS_PER_MIN: i64 = 60 * USECS_PER_SEC;
const USECS_PER_HOUR: i64 = 60 * USECS_PER_MIN;
const USECS_PER_DAY: i64 = 24 * USECS_PER_HOUR;

/// The kind of value taken apart.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Source {
    Timestamp,
    Timestamptz,
    Date,
    Time,
    Interval,
}

impl Source {
    fn of(dt: &DataType) -> Option<Source> {
        Some(match dt {
            DataType::Timestamp(_, None) => Source::Timestamp,
            DataType::Timestamp(_, Some(_)) => Source::Timestamptz,
            DataType::Date32 | DataType::Date64 => Source::Date,
            DataType::Time32(_) | DataType::Time64(_) => Source::Time,
            DataType::Interval(_) => Source::Interval,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Source::Timestamp => "timestamp without time zone",
            Source::Timestamptz => "timestamp with time zone",
            Source::Date => "date",
            Source::Time => "time without time zone",
            Source::Interval => "interval",
        }
    }
}

/// A field name as PostgreSQL normalizes it (plural and abbreviated forms accepted).
fn canonical(field: &str) -> Option<&'static str> {
    Some(match field.to_ascii_lowercase().as_str() {
        "year" | "years" | "y" | "yr" | "yrs" => "year",
        "month" | "months" | "mon" | "mons" => "month",
        "day" | "days" | "d" => "day",
        "hour" | "hours" | "h" | "hr" | "hrs" => "hour",
        "minute" | "minutes" | "m" | "min" | "mins" => "minute",
        "second" | "seconds" | "s" | "sec" | "secs" => "second",
        "millisecond" | "milliseconds" | "ms" | "msec" | "msecs" => "milliseconds",
        "microsecond" | "microseconds" | "us" | "usec" | "usecs" => "microseconds",
        "epoch" => "epoch",
        "dow" => "dow",
        "isodow" => "isodow",
        "doy" => "doy",
        "week" | "weeks" | "w" => "week",
        "quarter" | "qtr" => "quarter",
        "decade" | "decades" => "decade",
        "century" | "centuries" => "century",
        "millennium" | "millennia" | "mil" | "mils" => "millennium",
        "isoyear" => "isoyear",
        "julian" => "julian",
        "timezone" => "timezone",
        "timezone_hour" => "timezone_hour",
        "timezone_minute" => "timezone_minute",
        _ => return None,
    })
}

/// The numeric scale of `field` extracted from `source`.
fn scale(field: &str, source: Source) -> i8 {
    match field {
        "second" => 6,
        "milliseconds" => 3,
        "epoch" if source != Source::Date => 6,
        _ => 0,
    }
}

fn unsupported(field: &str, source: Source) -> datafusion::error::DataFusionError {
    Error::new(ErrorCode::FeatureNotSupported, format!("unit \"{field}\" not supported for type {}", source.name())).into()
}

fn unrecognized(field: &str, source: Source) -> datafusion::error::DataFusionError {
    Error::new(ErrorCode::InvalidParameterValue, format!("unit \"{field}\" not recognized for type {}", source.name())).into()
}

/// PostgreSQL's year of a chrono date (no year 0: 1 BC is -1).
fn pg_year(d: NaiveDate) -> i64 {
    let y = d.year() as i64;
    if y <= 0 { y - 1 } else { y }
}

fn century(y: i64) -> i64 {
    if y > 0 { (y + 99) / 100 } else { -((99 - (y + 1)) / 100) }
}

fn millennium(y: i64) -> i64 {
    if y > 0 { (y + 999) / 1000 } else { -((999 - (y + 1)) / 1000) }
}

/// A date-and-time field of a wall-clock time (µs since 1970), as an unscaled integer.
fn from_local(field: &str, local: i64, utc: i64, offset_secs: i32, source: Source) -> Result<i64> {
    let days = local.div_euclid(USECS_PER_DAY);
    let tod = local.rem_euclid(USECS_PER_DAY);
    let Some(date) = NaiveDate::from_num_days_from_ce_opt(719_163 + days as i32) else {
        return exec_err!("date out of range");
    };
    let y = pg_year(date);
    let time_field = matches!(field, "hour" | "minute" | "second" | "milliseconds" | "microseconds");
    if source == Source::Date && (time_field || field.starts_with("timezone")) {
        return Err(unsupported(field, source));
    }
    if source != Source::Timestamptz && field.starts_with("timezone") {
        return Err(unsupported(field, source));
    }
    Ok(match field {
        "year" => y,
        "month" => date.month() as i64,
        "day" => date.day() as i64,
        "hour" => tod / USECS_PER_HOUR,
        "minute" => tod % USECS_PER_HOUR / USECS_PER_MIN,
        "second" | "microseconds" => tod % USECS_PER_MIN,
        "milliseconds" => tod % USECS_PER_MIN,
        "epoch" if source == Source::Date => days * 86_400,
        "epoch" => utc,
        "dow" => date.weekday().num_days_from_sunday() as i64,
        "isodow" => date.weekday().number_from_monday() as i64,
        "doy" => date.ordinal() as i64,
        "week" => date.iso_week().week() as i64,
        "isoyear" => {
            let iy = date.iso_week().year() as i64;
            if iy <= 0 { iy - 1 } else { iy }
        }
        "quarter" => (date.month() as i64 - 1) / 3 + 1,
        "decade" => y.div_euclid(10),
        "century" => century(y),
        "millennium" => millennium(y),
        "julian" if source == Source::Date => days + 2_440_588,
        "timezone" => offset_secs as i64,
        "timezone_hour" => (offset_secs / 3600) as i64,
        "timezone_minute" => (offset_secs / 60 % 60) as i64,
        _ => return Err(unsupported(field, source)),
    })
}

/// A field of an interval, as an unscaled integer.
fn from_interval(field: &str, months: i32, days: i32, micros: i64) -> Result<i64> {
    let (months, days) = (months as i64, days as i64);
    Ok(match field {
        "year" => months / 12,
        "month" => months % 12,
        "day" => days,
        "hour" => micros / USECS_PER_HOUR,
        "minute" => micros % USECS_PER_HOUR / USECS_PER_MIN,
        "second" | "milliseconds" | "microseconds" => micros % USECS_PER_MIN,
        // A year is 365.25 days and a month 30 days (PostgreSQL's interval_part).
        "epoch" => (months / 12) * 31_557_600 * USECS_PER_SEC + (months % 12) * 30 * USECS_PER_DAY + days * USECS_PER_DAY + micros,
        "quarter" => (months % 12) / 3 + 1,
        "decade" => months / 12 / 10,
        "century" => months / 12 / 100,
        "millennium" => months / 12 / 1000,
        _ => return Err(unsupported(field, Source::Interval)),
    })
}

/// The unscaled value of `field` at row `i` of `arr` (None for NULL and infinities).
fn value(field: &str, arr: &ArrayRef, source: Source, i: usize, tz: &TimeZone) -> Result<Option<i64>> {
    if arr.is_null(i) {
        return Ok(None);
    }
    let micros = |a: &ArrayRef| -> Result<i64> {
        let a = datafusion::arrow::compute::cast(&a.slice(i, 1), &DataType::Timestamp(TimeUnit::Microsecond, None))?;
        Ok(a.as_primitive::<TimestampMicrosecondType>().value(0))
    };
    match source {
        Source::Interval => {
            let a = datafusion::arrow::compute::cast(&arr.slice(i, 1), &DataType::Interval(IntervalUnit::MonthDayNano))?;
            let v = a.as_primitive::<IntervalMonthDayNanoType>().value(0);
            from_interval(field, v.months, v.days, v.nanoseconds / 1000).map(Some)
        }
        Source::Time => {
            let a = datafusion::arrow::compute::cast(&arr.slice(i, 1), &DataType::Time64(TimeUnit::Microsecond))?;
            let tod = a.as_primitive::<datafusion::arrow::datatypes::Time64MicrosecondType>().value(0);
            Ok(Some(match field {
                "hour" => tod / USECS_PER_HOUR,
                "minute" => tod % USECS_PER_HOUR / USECS_PER_MIN,
                "second" | "milliseconds" | "microseconds" => tod % USECS_PER_MIN,
                "epoch" => tod,
                _ => return Err(unsupported(field, source)),
            }))
        }
        Source::Timestamp | Source::Date => {
            let m = micros(arr)?;
            if m == i64::MIN || m == i64::MAX {
                return Ok(None);
            }
            from_local(field, m, m, 0, source).map(Some)
        }
        Source::Timestamptz => {
            let utc = micros(arr)?;
            if utc == i64::MIN || utc == i64::MAX {
                return Ok(None);
            }
            let offset = tz.offset_at_utc(utc);
            from_local(field, utc + offset as i64 * USECS_PER_SEC, utc, offset, source).map(Some)
        }
    }
}

/// Which function.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Extract {
    numeric: bool,
    signature: Signature,
}

fn field_of(arg: Option<&ScalarValue>) -> Option<String> {
    match arg {
        Some(ScalarValue::Utf8(Some(s)) | ScalarValue::Utf8View(Some(s)) | ScalarValue::LargeUtf8(Some(s))) => Some(s.clone()),
        _ => None,
    }
}

impl ScalarUDFImpl for Extract {
    fn name(&self) -> &str {
        if self.numeric { "quiver_extract" } else { "date_part" }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(if self.numeric { DataType::Decimal128(38, 6) } else { DataType::Float64 })
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        if !self.numeric {
            return Ok(Arc::new(Field::new(self.name(), DataType::Float64, true)));
        }
        let source = args.arg_fields.get(1).and_then(|f| Source::of(f.data_type()));
        let field = field_of(args.scalar_arguments.first().copied().flatten());
        let scale = match (field.as_deref().and_then(canonical), source) {
            (Some(f), Some(s)) => scale(f, s),
            _ => 0,
        };
        Ok(Arc::new(Field::new(self.name(), DataType::Decimal128(38, scale), true)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let tz = PgSettings::of(&args.config_options).time_zone;
        let Some(raw_field) = (match &args.args[0] {
            ColumnarValue::Scalar(s) => field_of(Some(s)),
            _ => return exec_err!("the field of EXTRACT/date_part must be a constant"),
        }) else {
            return Ok(ColumnarValue::Scalar(ScalarValue::try_from(args.return_field.data_type())?));
        };
        let scalar = matches!(args.args[1], ColumnarValue::Scalar(_));
        let arr = args.args[1].to_array(args.number_rows)?;
        let Some(source) = Source::of(arr.data_type()) else {
            return exec_err!("EXTRACT/date_part needs a date, time, timestamp or interval");
        };
        let Some(field) = canonical(&raw_field) else {
            return Err(unrecognized(&raw_field.to_ascii_lowercase(), source));
        };
        let scale = scale(field, source);
        // Values of second/milliseconds/epoch are computed in µs.
        let micro_based = matches!(field, "second" | "milliseconds") || (field == "epoch" && source != Source::Date);
        let out: ArrayRef = if self.numeric {
            let mut b = Decimal128Builder::with_capacity(arr.len()).with_data_type(DataType::Decimal128(38, scale));
            for i in 0..arr.len() {
                let v = value(field, &arr, source, i, &tz)?;
                // µs-based values are already unscaled at their scale: 30.5 s is
                // 30500000 µs = 30.500000 (scale 6) = 30500.000 ms (scale 3).
                b.append_option(v.map(i128::from));
            }
            Arc::new(b.finish())
        } else {
            let mut b = Float64Builder::with_capacity(arr.len());
            for i in 0..arr.len() {
                let v = value(field, &arr, source, i, &tz)?;
                b.append_option(v.map(|v| {
                    let unit = match field {
                        "milliseconds" => 1000.0,
                        _ if micro_based => 1_000_000.0,
                        _ => 1.0,
                    };
                    v as f64 / unit
                }));
            }
            Arc::new(b.finish())
        };
        crate::functions::columnar(out, scalar)
    }
}

/// `quiver_extract` (EXTRACT) and `date_part` (replacing DataFusion's).
pub fn udfs() -> Vec<ScalarUDF> {
    vec![
        ScalarUDF::from(Extract { numeric: true, signature: Signature::any(2, Volatility::Stable) }),
        ScalarUDF::from(Extract { numeric: false, signature: Signature::any(2, Volatility::Stable) }),
    ]
}
