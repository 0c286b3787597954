//! Constructors of date/time values from their parts.
//!
//! * `make_timestamp(year, month, day, hour, min, sec)` — seconds may carry a fraction
//!   (rounded to microseconds); an impossible date or time is PostgreSQL's 22008 error
//!   ("date field value out of range: 2023-02-29"), naming the offending parts.

use chrono::NaiveDate;
use datafusion::arrow::array::{Array, ArrayRef, AsArray, TimestampMicrosecondBuilder};
use datafusion::arrow::datatypes::{DataType, Float64Type, Int64Type, TimeUnit};
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use quiverdb_catalog::{Error, ErrorCode};
use std::sync::Arc;

/// `make_timestamp(year, month, day, hour, min, sec)` → `timestamp`.
#[derive(Debug, PartialEq, Eq, Hash)]
struct MakeTimestamp {
    signature: Signature,
}

/// Microseconds since the epoch of the given wall-clock parts, or PostgreSQL's error.
fn make_timestamp(y: i64, mo: i64, d: i64, h: i64, mi: i64, sec: f64) -> Result<i64, Error> {
    let date = i32::try_from(y)
        .ok()
        .zip(u32::try_from(mo).ok())
        .zip(u32::try_from(d).ok())
        .and_then(|((y, mo), d)| NaiveDate::from_ymd_opt(y, mo, d))
        .ok_or_else(|| Error::new(ErrorCode::DatetimeFieldOverflow, format!("date field value out of range: {y}-{mo:02}-{d:02}")))?;
    let time_ok =
        (0..24).contains(&h) && (0..60).contains(&mi) && sec.is_finite() && (0.0..60.0).contains(&sec) || h == 24 && mi == 0 && sec == 0.0;
    if !time_ok {
        return Err(Error::new(ErrorCode::DatetimeFieldOverflow, format!("time field value out of range: {h:02}:{mi:02}:{sec:02}")));
    }
    let days = date.signed_duration_since(NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days();
    let micros = (h * 3600 + mi * 60) * 1_000_000 + (sec * 1_000_000.0).round() as i64;
    Ok(days * 86_400_000_000 + micros)
}

impl ScalarUDFImpl for MakeTimestamp {
    fn name(&self) -> &str {
        "make_timestamp"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Timestamp(TimeUnit::Microsecond, None))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalar = args.args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let rows = if scalar { 1 } else { args.number_rows };
        let arrays = args.args.iter().map(|a| a.to_array(rows)).collect::<Result<Vec<_>>>()?;
        let ints: Vec<_> = arrays[..5].iter().map(|a| a.as_primitive::<Int64Type>()).collect();
        let secs = arrays[5].as_primitive::<Float64Type>();
        let mut out = TimestampMicrosecondBuilder::with_capacity(rows);
        for i in 0..rows {
            if ints.iter().any(|a| a.is_null(i)) || secs.is_null(i) {
                out.append_null();
                continue;
            }
            let p: Vec<i64> = ints.iter().map(|a| a.value(i)).collect();
            out.append_value(make_timestamp(p[0], p[1], p[2], p[3], p[4], secs.value(i)).map_err(Error::into_datafusion)?);
        }
        let out: ArrayRef = Arc::new(out.finish());
        crate::functions::columnar(out, scalar)
    }
}

/// The constructors this module registers.
pub fn udfs() -> Vec<ScalarUDF> {
    let mut parts = vec![DataType::Int64; 5];
    parts.push(DataType::Float64);
    vec![ScalarUDF::from(MakeTimestamp { signature: Signature::exact(parts, Volatility::Immutable) })]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_and_errors() {
        assert_eq!(make_timestamp(1970, 1, 2, 0, 0, 1.5).unwrap(), 86_401_500_000);
        assert_eq!(make_timestamp(2023, 2, 29, 0, 0, 0.0).unwrap_err().message, "date field value out of range: 2023-02-29");
        assert_eq!(make_timestamp(2024, 1, 1, 25, 0, 0.0).unwrap_err().code, ErrorCode::DatetimeFieldOverflow);
        assert!(make_timestamp(2024, 1, 1, 12, 0, f64::NAN).is_err());
    }
}
