//! Conversions between wall-clock time and instants in the session TimeZone.
//!
//! `timestamp` is a wall-clock time, `timestamptz` an instant (stored as UTC
//! microseconds). PostgreSQL converts between them in the session's TimeZone:
//! `'2024-01-15 10:30'::timestamp::timestamptz` is 10:30 *local* time. Arrow's casts
//! treat a wall-clock time as UTC, so these functions replace those casts:
//!
//! * `quiver_local_to_instant(timestamp | date)` → timestamptz
//! * `quiver_instant_to_local(timestamptz)` → timestamp
//! * `quiver_instant_to_date(timestamptz)` → date (the local calendar day)
//!
//! * `timezone(zone, x)` — `x AT TIME ZONE zone`: a timestamptz becomes the wall-clock
//!   time in `zone`, a timestamp is read as wall-clock time in `zone`.
//!
//! Infinite values (`i64::MIN`/`i64::MAX`) pass through unchanged.

use crate::functions::settings::PgSettings;
use datafusion::arrow::array::{Array, ArrayRef, AsArray, Date32Builder, TimestampMicrosecondBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, IntervalMonthDayNano, TimeUnit, TimestampMicrosecondType};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use quiverdb_catalog::pgvalue::TimeZone;
use quiverdb_catalog::types::UTC_TZ;
use std::sync::Arc;

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Which conversion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Conversion {
    LocalToInstant,
    InstantToLocal,
    InstantToDate,
}

impl Conversion {
    /// The function's name.
    pub fn name(self) -> &'static str {
        match self {
            Conversion::LocalToInstant => "quiver_local_to_instant",
            Conversion::InstantToLocal => "quiver_instant_to_local",
            Conversion::InstantToDate => "quiver_instant_to_date",
        }
    }

    fn output(self) -> DataType {
        match self {
            Conversion::LocalToInstant => DataType::Timestamp(TimeUnit::Microsecond, Some(Arc::from(UTC_TZ))),
            Conversion::InstantToLocal => DataType::Timestamp(TimeUnit::Microsecond, None),
            Conversion::InstantToDate => DataType::Date32,
        }
    }

    fn convert(self, micros: i64, tz: &TimeZone) -> i64 {
        if micros == i64::MIN || micros == i64::MAX {
            return micros;
        }
        match self {
            Conversion::LocalToInstant => micros - tz.offset_for_local(micros) as i64 * 1_000_000,
            Conversion::InstantToLocal | Conversion::InstantToDate => micros + tz.offset_at_utc(micros) as i64 * 1_000_000,
        }
    }
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct ZoneCast {
    conversion: Conversion,
    signature: Signature,
}

impl ScalarUDFImpl for ZoneCast {
    fn name(&self) -> &str {
        self.conversion.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(self.conversion.output())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let tz = PgSettings::of(&args.config_options).time_zone;
        convert_values(self.conversion, &args.args[0], args.number_rows, &tz)
    }
}

/// `timezone(zone, x)`, the function behind `x AT TIME ZONE zone`.
#[derive(Debug, PartialEq, Eq, Hash)]
struct AtTimeZone {
    signature: Signature,
}

impl ScalarUDFImpl for AtTimeZone {
    fn name(&self) -> &str {
        "timezone"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(match arg_types.get(1) {
            Some(DataType::Timestamp(_, Some(_))) => Conversion::InstantToLocal.output(),
            _ => Conversion::LocalToInstant.output(),
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let zone = match &args.args[0] {
            ColumnarValue::Scalar(ScalarValue::Utf8(Some(z)) | ScalarValue::Utf8View(Some(z)) | ScalarValue::LargeUtf8(Some(z))) => {
                z.clone()
            }
            ColumnarValue::Scalar(v) if v.is_null() => {
                return Ok(ColumnarValue::Scalar(ScalarValue::try_from(args.return_field.data_type())?));
            }
            _ => {
                return datafusion::common::exec_err!("the time zone of AT TIME ZONE must be a constant");
            }
        };
        let tz = TimeZone::parse_name(&zone)
            .map_err(|e| quiverdb_catalog::Error::new(quiverdb_catalog::ErrorCode::InvalidParameterValue, e.message().to_string()))?;
        let conversion = match args.args[1].data_type() {
            DataType::Timestamp(_, Some(_)) => Conversion::InstantToLocal,
            _ => Conversion::LocalToInstant,
        };
        convert_values(conversion, &args.args[1], args.number_rows, &tz)
    }
}

/// Applies `conversion` in `tz` to a column of timestamps or dates.
fn convert_values(conversion: Conversion, value: &ColumnarValue, rows: usize, tz: &TimeZone) -> Result<ColumnarValue> {
    let scalar = matches!(value, ColumnarValue::Scalar(_));
    let input = value.to_array(rows)?;
    // Dates are midnight wall-clock; every timestamp unit becomes microseconds.
    let micros = cast(&input, &DataType::Timestamp(TimeUnit::Microsecond, None))?;
    let micros = micros.as_primitive::<TimestampMicrosecondType>();
    let out: ArrayRef = match conversion {
        Conversion::InstantToDate => {
            let mut b = Date32Builder::with_capacity(micros.len());
            for v in micros.iter() {
                b.append_option(v.map(|m| match m {
                    i64::MIN => i32::MIN,
                    i64::MAX => i32::MAX,
                    m => conversion.convert(m, tz).div_euclid(MICROS_PER_DAY) as i32,
                }));
            }
            Arc::new(b.finish())
        }
        c => {
            let mut b = TimestampMicrosecondBuilder::with_capacity(micros.len());
            for v in micros.iter() {
                b.append_option(v.map(|m| c.convert(m, tz)));
            }
            let arr = b.finish();
            match c.output() {
                DataType::Timestamp(_, Some(zone)) => Arc::new(arr.with_timezone(zone)),
                _ => Arc::new(arr),
            }
        }
    };
    crate::functions::columnar(out, scalar)
}

/// `quiver_tstz_add(ts, interval, sign)`: timestamptz ± interval as PostgreSQL computes
/// it: months, then days, are added to the wall-clock time in the session TimeZone (so
/// `+ interval '1 day'` keeps the clock time across a DST change); the time part is
/// added as elapsed time. `sign` is 1 or -1.
#[derive(Debug, PartialEq, Eq, Hash)]
struct TstzAdd {
    signature: Signature,
}

/// Adds `months` and `days` to a wall-clock time (µs), clamping the day of month.
fn add_calendar(local: i64, months: i32, days: i32) -> Option<i64> {
    let dt = chrono::DateTime::from_timestamp_micros(local)?.naive_utc();
    let dt = match months {
        0 => dt,
        m if m > 0 => dt.checked_add_months(chrono::Months::new(m as u32))?,
        m => dt.checked_sub_months(chrono::Months::new(m.unsigned_abs()))?,
    };
    let dt = dt.checked_add_signed(chrono::Duration::days(days as i64))?;
    Some(dt.and_utc().timestamp_micros())
}

/// `t + step`: for a timestamptz (`tz` given) months and days move the wall-clock time in
/// `tz` and the time part is elapsed time; for a timestamp (`tz` None) everything is
/// wall-clock arithmetic. Day-of-month is clamped (Jan 31 + 1 month is Feb 29). `None`
/// when the result is out of range.
pub(crate) fn add_interval(t: i64, step: IntervalMonthDayNano, tz: Option<&TimeZone>) -> Option<i64> {
    let mut out = t;
    if step.months != 0 || step.days != 0 {
        let local = t + tz.map_or(0, |z| z.offset_at_utc(t) as i64 * 1_000_000);
        let moved = add_calendar(local, step.months, step.days)?;
        out = moved - tz.map_or(0, |z| z.offset_for_local(moved) as i64 * 1_000_000);
    }
    out.checked_add(step.nanoseconds / 1000)
}

impl ScalarUDFImpl for TstzAdd {
    fn name(&self) -> &str {
        "quiver_tstz_add"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(Conversion::LocalToInstant.output())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let tz = PgSettings::of(&args.config_options).time_zone;
        let sign: i64 = match args.args.get(2) {
            Some(ColumnarValue::Scalar(ScalarValue::Int64(Some(s)))) => *s,
            _ => 1,
        };
        let scalar = args.args[..2].iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let rows = if scalar { 1 } else { args.number_rows };
        let ts = cast(&args.args[0].to_array(rows)?, &DataType::Timestamp(TimeUnit::Microsecond, None))?;
        let ts = ts.as_primitive::<TimestampMicrosecondType>();
        let iv = cast(&args.args[1].to_array(rows)?, &DataType::Interval(datafusion::arrow::datatypes::IntervalUnit::MonthDayNano))?;
        let iv = iv.as_primitive::<datafusion::arrow::datatypes::IntervalMonthDayNanoType>();
        let mut b = TimestampMicrosecondBuilder::with_capacity(rows);
        for i in 0..rows {
            if ts.is_null(i) || iv.is_null(i) {
                b.append_null();
                continue;
            }
            let (t, v) = (ts.value(i), iv.value(i));
            if t == i64::MIN || t == i64::MAX {
                b.append_value(t);
                continue;
            }
            let step = IntervalMonthDayNano::new(v.months * sign as i32, v.days * sign as i32, v.nanoseconds * sign);
            let out = add_interval(t, step, Some(&tz)).ok_or_else(|| {
                quiverdb_catalog::Error::new(quiverdb_catalog::ErrorCode::DatetimeFieldOverflow, "timestamp out of range")
            })?;
            b.append_value(out);
        }
        let out: ArrayRef = Arc::new(b.finish().with_timezone(UTC_TZ));
        crate::functions::columnar(out, scalar)
    }
}

/// `quiver_tstz_add`.
pub fn tstz_add_udf() -> ScalarUDF {
    ScalarUDF::from(TstzAdd { signature: Signature::any(3, Volatility::Stable) })
}

/// The function for `conversion`.
pub fn udf(conversion: Conversion) -> ScalarUDF {
    ScalarUDF::from(ZoneCast { conversion, signature: Signature::any(1, Volatility::Stable) })
}

/// The conversion functions and `timezone` (for registration).
pub fn udfs() -> Vec<ScalarUDF> {
    let mut out: Vec<ScalarUDF> =
        [Conversion::LocalToInstant, Conversion::InstantToLocal, Conversion::InstantToDate].into_iter().map(udf).collect();
    out.push(ScalarUDF::from(AtTimeZone { signature: Signature::any(2, Volatility::Stable) }));
    out.push(tstz_add_udf());
    out
}
