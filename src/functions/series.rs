//! `generate_series` as a table function, with PostgreSQL's argument handling.
//!
//! Arguments are constants: casts of quoted literals are read with PostgreSQL's input
//! functions first (`'2024-01-30 00:00'::timestamp`), an untyped step literal is an
//! interval (`'1 day'`). Integer series go to DataFusion's streaming implementation.
//! Timestamp series are ours, because PostgreSQL adds the step to the previous value
//! with calendar rules — month ends clamp and the clamp carries forward (Jan 31, Feb 29,
//! Mar 29, ...), a `timestamptz` moves by days and months in the session TimeZone — and
//! a `date` argument makes the series `timestamptz` (dates convert at local midnight).
//! A step of zero is PostgreSQL's 22023; a NULL argument gives no rows. The timestamps
//! are materialized (8 bytes a row) before the scan starts.

use crate::engine::rules::literal_casts;
use crate::functions::settings::PgSettings;
use crate::functions::zones::add_interval;
use datafusion::arrow::array::{ArrayRef, RecordBatch, TimestampMicrosecondArray};
use datafusion::arrow::datatypes::{DataType, Field, IntervalMonthDayNano, Schema, TimeUnit};
use datafusion::catalog::{TableFunctionArgs, TableFunctionImpl, TableProvider};
use datafusion::common::tree_node::TreeNode;
use datafusion::common::{Result, ScalarValue};
use datafusion::datasource::MemTable;
use datafusion::logical_expr::Expr;
use datafusion::logical_expr::simplify::SimplifyContext;
use datafusion::optimizer::simplify_expressions::ExprSimplifier;
use quiverdb_catalog::pgvalue::{FormatSettings, TimeZone, parse_interval};
use quiverdb_catalog::types::UTC_TZ;
use quiverdb_catalog::{Error, ErrorCode};
use std::sync::Arc;

/// Our `generate_series`; integer series are delegated to `integers`.
#[derive(Debug)]
pub struct GenerateSeries {
    integers: Arc<dyn TableFunctionImpl>,
}

impl GenerateSeries {
    /// Wraps DataFusion's implementation, which serves integer arguments.
    pub fn new(integers: Arc<dyn TableFunctionImpl>) -> Self {
        GenerateSeries { integers }
    }
}

/// The constant value of argument `e`.
fn constant(e: &Expr, settings: &FormatSettings, simplifier: &ExprSimplifier) -> Result<ScalarValue> {
    let folded = e.clone().transform_up(|e| literal_casts::fold(e, settings))?.data;
    match simplifier.simplify(folded)? {
        Expr::Literal(v, _) => Ok(v),
        other => Err(Error::unsupported(format!("generate_series arguments must be constants, not {other}")).into_datafusion()),
    }
}

/// A timestamp argument as µs and whether it is a point in time (timestamptz); dates
/// become local midnight in `tz` as a timestamptz. `None` for NULL.
fn micros(v: &ScalarValue, tz: &TimeZone) -> Result<Option<(i64, bool)>> {
    let out = match v {
        ScalarValue::Date32(d) => d.map(|d| {
            let local = d as i64 * 86_400_000_000;
            (local - tz.offset_for_local(local) as i64 * 1_000_000, true)
        }),
        ScalarValue::TimestampSecond(t, z) => t.map(|t| (t * 1_000_000, z.is_some())),
        ScalarValue::TimestampMillisecond(t, z) => t.map(|t| (t * 1_000, z.is_some())),
        ScalarValue::TimestampMicrosecond(t, z) => t.map(|t| (t, z.is_some())),
        ScalarValue::TimestampNanosecond(t, z) => t.map(|t| (t.div_euclid(1000), z.is_some())),
        ScalarValue::Null => None,
        other => {
            let msg = format!("function generate_series(timestamp, {}, interval) does not exist", other.data_type());
            return Err(Error::new(ErrorCode::UndefinedFunction, msg).into_datafusion());
        }
    };
    Ok(out)
}

/// The step argument: an interval, or a string literal read as one. `None` for NULL.
fn step(v: &ScalarValue, settings: &FormatSettings) -> Result<Option<IntervalMonthDayNano>> {
    Ok(match v {
        ScalarValue::IntervalMonthDayNano(i) => *i,
        ScalarValue::Utf8(Some(s)) | ScalarValue::LargeUtf8(Some(s)) | ScalarValue::Utf8View(Some(s)) => {
            let i = parse_interval(s, settings.interval_style).map_err(|e| quiverdb_catalog::input::value_error(e).into_datafusion())?;
            Some(IntervalMonthDayNano::new(i.months, i.days, i.micros * 1000))
        }
        ScalarValue::Null | ScalarValue::Utf8(None) => None,
        other => {
            let msg = format!("function generate_series(timestamp, timestamp, {}) does not exist", other.data_type());
            return Err(Error::new(ErrorCode::UndefinedFunction, msg).into_datafusion());
        }
    })
}

/// The values from `start` to `stop` by `step` (see the module docs).
pub fn timestamps(start: i64, stop: i64, step: IntervalMonthDayNano, tz: Option<&TimeZone>) -> Result<Vec<i64>> {
    // PostgreSQL compares intervals by their span with 30-day months.
    let span = (step.months as i128 * 30 + step.days as i128) * 86_400_000_000 + (step.nanoseconds / 1000) as i128;
    if span == 0 {
        return Err(Error::new(ErrorCode::InvalidParameterValue, "step size cannot equal zero").into_datafusion());
    }
    let mut out = Vec::new();
    let mut v = start;
    while (span > 0 && v <= stop) || (span < 0 && v >= stop) {
        out.push(v);
        match add_interval(v, step, tz) {
            Some(next) => v = next,
            None => break,
        }
    }
    Ok(out)
}

impl TableFunctionImpl for GenerateSeries {
    fn call_with_args(&self, args: TableFunctionArgs) -> Result<Arc<dyn TableProvider>> {
        let options = args.session().config_options().clone();
        let settings = PgSettings::of(&options);
        let simplifier = ExprSimplifier::new(SimplifyContext::builder().with_config_options(Arc::new(options)).build());
        let values = args.exprs().iter().map(|e| constant(e, &settings, &simplifier)).collect::<Result<Vec<_>>>()?;
        let temporal = values.first().is_some_and(|v| matches!(v.data_type(), DataType::Timestamp(..) | DataType::Date32));
        if !temporal {
            // DataFusion's series takes bigint arguments; smaller integers (`array_lower(...)`
            // is an integer) widen.
            let exprs: Vec<Expr> = values
                .into_iter()
                .map(|v| match v.data_type() {
                    DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::UInt8 | DataType::UInt16 | DataType::UInt32 => {
                        v.cast_to(&DataType::Int64)
                    }
                    _ => Ok(v),
                })
                .map(|v| v.map(|v| Expr::Literal(v, None)))
                .collect::<Result<_>>()?;
            return self.integers.call_with_args(TableFunctionArgs::new(&exprs, args.session()));
        }
        let [start, stop, step_value] = values.as_slice() else {
            let msg = "generate_series over timestamps takes a start, a stop and an interval step";
            return Err(Error::new(ErrorCode::UndefinedFunction, msg).into_datafusion());
        };
        let tz = settings.time_zone.clone();
        let (start, stop, step) = (micros(start, &tz)?, micros(stop, &tz)?, step(step_value, &settings)?);
        let aware = start.is_some_and(|(_, a)| a) || stop.is_some_and(|(_, a)| a);
        let values = match (start, stop, step) {
            (Some((a, _)), Some((b, _)), Some(s)) => timestamps(a, b, s, aware.then_some(&tz))?,
            _ => vec![],
        };
        let array = TimestampMicrosecondArray::from(values);
        let array: ArrayRef = Arc::new(if aware { array.with_timezone(UTC_TZ) } else { array });
        let schema = Arc::new(Schema::new(vec![Field::new(
            "generate_series",
            DataType::Timestamp(TimeUnit::Microsecond, aware.then(|| Arc::from(UTC_TZ))),
            false,
        )]));
        let batch = RecordBatch::try_new(schema.clone(), vec![array])?;
        Ok(Arc::new(MemTable::try_new(schema, vec![vec![batch]])?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn ts(y: i32, m: u32, d: u32) -> i64 {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp_micros()
    }

    #[test]
    fn month_steps_clamp_and_carry_forward() {
        let month = IntervalMonthDayNano::new(1, 0, 0);
        let got = timestamps(ts(2024, 1, 31), ts(2024, 4, 30), month, None).unwrap();
        assert_eq!(got, vec![ts(2024, 1, 31), ts(2024, 2, 29), ts(2024, 3, 29), ts(2024, 4, 29)]);
    }

    #[test]
    fn negative_steps_and_zero() {
        let back = IntervalMonthDayNano::new(0, -1, 0);
        assert_eq!(timestamps(ts(2024, 1, 3), ts(2024, 1, 1), back, None).unwrap().len(), 3);
        assert!(timestamps(0, 1, IntervalMonthDayNano::new(0, 0, 0), None).is_err());
        assert!(timestamps(ts(2024, 1, 3), ts(2024, 1, 1), IntervalMonthDayNano::new(0, 1, 0), None).unwrap().is_empty());
    }
}
