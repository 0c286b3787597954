//! Interval scaling: `interval * number`, `number * interval` and `interval / number`
//! with PostgreSQL's `interval_mul` arithmetic — whole months and days are scaled as
//! integers, fractional months spill into days (30 days a month) and fractional days
//! into time (24 hours a day), rounded to microseconds. Division by zero is 22012.

use datafusion::arrow::array::{Array, ArrayRef, AsArray, IntervalMonthDayNanoBuilder};
use datafusion::arrow::datatypes::{DataType, Float64Type, IntervalMonthDayNano, IntervalMonthDayNanoType, IntervalUnit};
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use quiverdb_catalog::{Error, ErrorCode};
use std::sync::Arc;

/// Name of the function `interval * factor` is planned as.
pub const INTERVAL_MUL: &str = "quiver_interval_mul";
/// Name of the function `interval / divisor` is planned as.
pub const INTERVAL_DIV: &str = "quiver_interval_div";

/// Rounds seconds to microsecond precision (PostgreSQL's TSROUND).
fn ts_round(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// `span * factor` as PostgreSQL computes it; `None` when the result overflows.
pub fn interval_mul(span: IntervalMonthDayNano, factor: f64) -> Option<IntervalMonthDayNano> {
    let months = span.months as f64 * factor;
    let days = span.days as f64 * factor;
    if !months.is_finite() || !days.is_finite() || months.abs() > i32::MAX as f64 || days.abs() > i32::MAX as f64 {
        return None;
    }
    let (out_months, mut out_days) = (months.trunc() as i32, days.trunc() as i32);
    let month_remainder_days = ts_round((months - out_months as f64) * 30.0);
    let mut sec_remainder = ts_round((days - out_days as f64 + month_remainder_days - month_remainder_days.trunc()) * 86_400.0);
    if sec_remainder.abs() >= 86_400.0 {
        let whole = (sec_remainder / 86_400.0).trunc();
        out_days = out_days.checked_add(whole as i32)?;
        sec_remainder -= whole * 86_400.0;
    }
    out_days = out_days.checked_add(month_remainder_days.trunc() as i32)?;
    let micros = (span.nanoseconds as f64 / 1000.0 * factor + sec_remainder * 1e6).round();
    if !micros.is_finite() || micros.abs() > i64::MAX as f64 / 1000.0 {
        return None;
    }
    Some(IntervalMonthDayNano::new(out_months, out_days, micros as i64 * 1000))
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct IntervalScale {
    name: &'static str,
    divide: bool,
    signature: Signature,
}

impl ScalarUDFImpl for IntervalScale {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Interval(IntervalUnit::MonthDayNano))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalar = args.args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let rows = if scalar { 1 } else { args.number_rows };
        let spans = args.args[0].to_array(rows)?;
        let factors = args.args[1].to_array(rows)?;
        let (spans, factors) = (spans.as_primitive::<IntervalMonthDayNanoType>(), factors.as_primitive::<Float64Type>());
        let mut out = IntervalMonthDayNanoBuilder::with_capacity(rows);
        for i in 0..rows {
            if spans.is_null(i) || factors.is_null(i) {
                out.append_null();
                continue;
            }
            let mut f = factors.value(i);
            if self.divide {
                if f == 0.0 {
                    return Err(Error::new(ErrorCode::DivisionByZero, "division by zero").into_datafusion());
                }
                f = 1.0 / f;
            }
            match interval_mul(spans.value(i), f) {
                Some(v) => out.append_value(v),
                None => {
                    return Err(Error::new(ErrorCode::DatetimeFieldOverflow, "interval out of range").into_datafusion());
                }
            }
        }
        let out: ArrayRef = Arc::new(out.finish());
        crate::functions::columnar(out, scalar)
    }
}

/// `quiver_interval_mul(interval, float8)` (`divide` false) or `quiver_interval_div`.
pub fn scale_udf(divide: bool) -> ScalarUDF {
    let signature = Signature::exact(vec![DataType::Interval(IntervalUnit::MonthDayNano), DataType::Float64], Volatility::Immutable);
    ScalarUDF::from(IntervalScale { name: if divide { INTERVAL_DIV } else { INTERVAL_MUL }, divide, signature })
}

/// The interval scaling functions.
pub fn udfs() -> Vec<ScalarUDF> {
    vec![scale_udf(false), scale_udf(true)]
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000_000_000;

    #[test]
    fn postgres_spill_rules() {
        assert_eq!(interval_mul(IntervalMonthDayNano::new(0, 0, HOUR), 2.5), Some(IntervalMonthDayNano::new(0, 0, 5 * HOUR / 2)));
        // 1 day / 4 is 6 hours; 1 month * 0.5 is 15 days
        assert_eq!(interval_mul(IntervalMonthDayNano::new(0, 1, 0), 0.25), Some(IntervalMonthDayNano::new(0, 0, 6 * HOUR)));
        assert_eq!(interval_mul(IntervalMonthDayNano::new(1, 0, 0), 0.5), Some(IntervalMonthDayNano::new(0, 15, 0)));
        assert_eq!(interval_mul(IntervalMonthDayNano::new(0, 3, 0), -1.0), Some(IntervalMonthDayNano::new(0, -3, 0)));
        assert_eq!(interval_mul(IntervalMonthDayNano::new(i32::MAX, 0, 0), 2.0), None);
    }
}
