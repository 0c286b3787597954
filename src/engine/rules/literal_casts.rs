//! Casts of string literals use PostgreSQL's input functions.
//!
//! In PostgreSQL a quoted literal has type `unknown` and becomes a value of the type it is
//! cast or compared to through that type's input function: `'01/02/2024'::date` honours
//! DateStyle, `' 12 '::int` is 12, `'yes'::bool` is true, `'1 day -02:00'::interval` is
//! valid, and `'abc'::int` fails with `invalid input syntax for type integer: "abc"`.
//! Arrow's casts differ on all of these, so this rule — run after type coercion and
//! before constant folding — replaces every `CAST('literal' AS T)` by the value PostgreSQL
//! would produce (with the session's settings), or fails with PostgreSQL's error.

use crate::functions::settings::PgSettings;
use datafusion::arrow::datatypes::{DataType, IntervalUnit, TimeUnit};
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DataFusionError, Result, ScalarValue};
use datafusion::logical_expr::{Cast, Expr, LogicalPlan, TryCast};
use datafusion::optimizer::{ApplyOrder, OptimizerConfig, OptimizerRule};
use quiverdb_catalog::SqlType;
use quiverdb_catalog::input::decode_text;
use quiverdb_catalog::pgvalue::FormatSettings;

/// The optimizer rule.
#[derive(Debug, Default)]
pub struct PgLiteralCasts;

/// The PostgreSQL type whose input function produces values of Arrow type `dt`.
fn input_type(dt: &DataType) -> Option<SqlType> {
    Some(match dt {
        DataType::Boolean => SqlType::Bool,
        DataType::Int16 => SqlType::Int2,
        DataType::Int32 => SqlType::Int4,
        DataType::Int64 => SqlType::Int8,
        DataType::Float32 => SqlType::Float4,
        DataType::Float64 => SqlType::Float8,
        DataType::Decimal128(p, s) if *s >= 0 => SqlType::Numeric { precision: Some(*p), scale: *s as u8 },
        DataType::Date32 => SqlType::Date,
        DataType::Time64(_) => SqlType::Time,
        DataType::Timestamp(_, None) => SqlType::Timestamp,
        DataType::Timestamp(_, Some(_)) => SqlType::Timestamptz,
        DataType::Interval(IntervalUnit::MonthDayNano) => SqlType::Interval,
        DataType::Binary => SqlType::Bytea,
        DataType::UInt32 => SqlType::Oid,
        DataType::Utf8 => SqlType::Text,
        // The element field's metadata tells unconstrained numeric, varchar, uuid, json apart.
        DataType::List(f) => SqlType::Array(Box::new(input_type(f.data_type()).map(|_| SqlType::from_field(f))?)),
        _ => return None,
    })
}

/// Converts a parsed value to exactly `dt` (units of timestamps/times may differ).
fn to_type(v: ScalarValue, dt: &DataType) -> Result<ScalarValue> {
    if v.data_type() == *dt {
        return Ok(v);
    }
    match (v, dt) {
        (ScalarValue::TimestampMicrosecond(x, _), DataType::Timestamp(unit, tz)) => Ok(match unit {
            TimeUnit::Nanosecond => ScalarValue::TimestampNanosecond(x.map(|x| x.saturating_mul(1000)), tz.clone()),
            TimeUnit::Microsecond => ScalarValue::TimestampMicrosecond(x, tz.clone()),
            TimeUnit::Millisecond => ScalarValue::TimestampMillisecond(x.map(|x| x.div_euclid(1000)), tz.clone()),
            TimeUnit::Second => ScalarValue::TimestampSecond(x.map(|x| x.div_euclid(1_000_000)), tz.clone()),
        }),
        (ScalarValue::Time64Microsecond(x), DataType::Time64(TimeUnit::Nanosecond)) => {
            Ok(ScalarValue::Time64Nanosecond(x.map(|x| x * 1000)))
        }
        (v, dt) => v.cast_to(dt),
    }
}

/// Folds `e` if it is a cast of a literal PostgreSQL's input functions read (see the
/// module docs); other expressions unchanged.
pub(crate) fn fold(e: Expr, settings: &FormatSettings) -> Result<Transformed<Expr>> {
    let (inner, field, try_cast) = match &e {
        Expr::Cast(Cast { expr, field }) => (expr, field, false),
        Expr::TryCast(TryCast { expr, field }) => (expr, field, true),
        _ => return Ok(Transformed::no(e)),
    };
    // A numeric literal cast to float is rounded once, from its decimal text (as
    // PostgreSQL's float8in does); Arrow's decimal → float cast divides and can be off by
    // an ulp (1e100 would print as 1.0000000000000002e+100).
    if let Expr::Literal(v @ (ScalarValue::Decimal128(Some(_), _, _) | ScalarValue::Decimal256(Some(_), _, _)), _) = inner.as_ref()
        && matches!(field.data_type(), DataType::Float64 | DataType::Float32)
    {
        let text = v.to_string();
        if let Ok(f) = text.parse::<f64>() {
            let out = match field.data_type() {
                DataType::Float32 => ScalarValue::Float32(Some(text.parse::<f32>().unwrap_or(f as f32))),
                _ => ScalarValue::Float64(Some(f)),
            };
            return Ok(Transformed::yes(Expr::Literal(out, None)));
        }
    }
    let Expr::Literal(ScalarValue::Utf8(Some(s)) | ScalarValue::LargeUtf8(Some(s)) | ScalarValue::Utf8View(Some(s)), _) = inner.as_ref()
    else {
        return Ok(Transformed::no(e));
    };
    let dt = field.data_type();
    // A vector's text is space-separated; only the cast's field tells it from an array.
    let Some(ty) = Some(SqlType::from_field(field)).filter(|t| matches!(t, SqlType::Vector(_))).or_else(|| input_type(dt)) else {
        return Ok(Transformed::no(e));
    };
    match decode_text(s, &ty, settings).map_err(DataFusionError::from).and_then(|v| to_type(v, dt)) {
        Ok(v) => Ok(Transformed::yes(Expr::Literal(v, None))),
        Err(_) if try_cast => Ok(Transformed::yes(Expr::Literal(ScalarValue::try_from(dt)?, None))),
        Err(err) => Err(err),
    }
}

impl OptimizerRule for PgLiteralCasts {
    fn name(&self) -> &str {
        "pg_literal_casts"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::BottomUp)
    }

    fn rewrite(&self, plan: LogicalPlan, config: &dyn OptimizerConfig) -> Result<Transformed<LogicalPlan>> {
        let settings = PgSettings::of(&config.options());
        plan.map_expressions(|e| e.transform_up(|e| fold(e, &settings)))
    }
}
