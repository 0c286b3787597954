//! Casts with PostgreSQL's semantics where Arrow's differ.
//!
//! Runs after DataFusion's type coercion, so it sees the casts the user wrote and the
//! ones coercion added (comparing a timestamp with a timestamptz casts the timestamp):
//!
//! * between `timestamp`/`date` and `timestamptz`: wall-clock time in the session
//!   TimeZone (through the functions of `functions::zones`);
//! * from `numeric`/`float` to an integer type: rounded, not truncated (`2.5::int` is 3,
//!   `2.5::float8::int` is 2 — half to even for floats), through `round`;
//! * from text to bytea: bytea's input function (`'\\x6162'::text::bytea` is `ab`);
//! * `ceil`, `floor`, `round` and `trunc` of a numeric return a numeric without fraction
//!   digits (`ceil(1.2)` is `2`, not `2.0`), `round(x, n)` / `trunc(x, n)` one with `n`
//!   — an implicit cast to that scale.

use crate::functions::zones::{Conversion, udf};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::Transformed;
use datafusion::common::{DFSchema, Result, ScalarValue};
use datafusion::logical_expr::{Cast, Expr, ExprSchemable, LogicalPlan, ScalarUDF, TryCast};
use datafusion::optimizer::AnalyzerRule;
use std::sync::Arc;

/// The analyzer rule.
#[derive(Debug)]
pub struct PgCasts {
    funcs: Vec<(Conversion, Arc<ScalarUDF>)>,
    round: Arc<ScalarUDF>,
    bytea_in: Arc<ScalarUDF>,
}

impl Default for PgCasts {
    fn default() -> Self {
        let funcs = [Conversion::LocalToInstant, Conversion::InstantToLocal, Conversion::InstantToDate]
            .into_iter()
            .map(|c| (c, Arc::new(udf(c))))
            .collect();
        PgCasts { funcs, round: Arc::new(crate::functions::math::round_udf()), bytea_in: Arc::new(crate::functions::bytea::bytea_in_udf()) }
    }
}

fn is_integer(dt: &DataType) -> bool {
    matches!(dt, DataType::Int16 | DataType::Int32 | DataType::Int64)
}

impl PgCasts {
    fn rewrite(&self, e: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
        if let Expr::ScalarFunction(f) = &e
            && matches!(f.name(), "ceil" | "floor" | "round" | "trunc")
            && let Some(Ok(DataType::Decimal128(_, s))) = f.args.first().map(|a| a.get_type(schema))
        {
            // The result's scale: 0, or the constant number of digits asked for.
            let mut digits = f.args.get(1);
            while let Some(Expr::Cast(Cast { expr, .. }) | Expr::TryCast(TryCast { expr, .. })) = digits {
                digits = Some(expr.as_ref());
            }
            let target = match digits {
                None => Some(0),
                Some(Expr::Literal(v, _)) => v.clone().cast_to(&DataType::Int64).ok().and_then(|v| match v {
                    ScalarValue::Int64(Some(n)) if (0..=38).contains(&n) => Some(n as i8),
                    _ => None,
                }),
                _ => None,
            };
            if let Some(t) = target
                && t < s
            {
                return Ok(Transformed::yes(Expr::Cast(Cast::new(Box::new(e), DataType::Decimal128(38, t)))));
            }
        }
        let (inner, to) = match &e {
            Expr::Cast(Cast { expr, field }) | Expr::TryCast(TryCast { expr, field }) => (expr, field.data_type()),
            _ => return Ok(Transformed::no(e)),
        };
        let Ok(from) = inner.get_type(schema) else {
            return Ok(Transformed::no(e));
        };
        if is_integer(&from) && *to == DataType::Date32 {
            // An integer literal is `integer` when it fits in 32 bits.
            let literal_int4 = matches!(inner.as_ref(), Expr::Literal(ScalarValue::Int64(Some(v)), _) if i32::try_from(*v).is_ok());
            let name = if literal_int4 { quiverdb_catalog::SqlType::Int4 } else { quiverdb_catalog::SqlType::from_arrow(&from) };
            return Err(quiverdb_catalog::Error::new(
                quiverdb_catalog::ErrorCode::CannotCoerce,
                format!("cannot cast type {name} to date"),
            )
            .into_datafusion());
        }
        if from == DataType::Utf8 && *to == DataType::Binary {
            return Ok(Transformed::yes(self.bytea_in.call(vec![(**inner).clone()])));
        }
        // Decimals without fraction digits need no rounding (and DataFusion's round
        // mishandles negative scales, as in 1e19).
        let fractional = matches!(from, DataType::Float32 | DataType::Float64)
            || matches!(from, DataType::Decimal128(_, s) | DataType::Decimal256(_, s) if s > 0);
        if fractional && is_integer(to) && !matches!(inner.as_ref(), Expr::ScalarFunction(f) if f.name() == "round") {
            let rounded = self.round.call(vec![(**inner).clone()]);
            let out = match &e {
                Expr::TryCast(_) => Expr::TryCast(TryCast::new(Box::new(rounded), to.clone())),
                _ => Expr::Cast(Cast::new(Box::new(rounded), to.clone())),
            };
            return Ok(Transformed::yes(out));
        }
        let conversion = match (&from, to) {
            (DataType::Timestamp(_, None) | DataType::Date32, DataType::Timestamp(_, Some(_))) => Conversion::LocalToInstant,
            (DataType::Timestamp(_, Some(_)), DataType::Timestamp(_, None)) => Conversion::InstantToLocal,
            (DataType::Timestamp(_, Some(_)), DataType::Date32) => Conversion::InstantToDate,
            _ => return Ok(Transformed::no(e)),
        };
        let Some((_, f)) = self.funcs.iter().find(|(c, _)| *c == conversion) else {
            return Ok(Transformed::no(e));
        };
        let converted = f.call(vec![(**inner).clone()]);
        // The function yields microseconds; keep the unit the cast asked for.
        let out = match (to, conversion) {
            (DataType::Timestamp(unit, _), _) if *unit != datafusion::arrow::datatypes::TimeUnit::Microsecond => {
                Expr::Cast(Cast::new(Box::new(converted), to.clone()))
            }
            _ => converted,
        };
        Ok(Transformed::yes(out))
    }
}

impl AnalyzerRule for PgCasts {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        super::rewrite_expressions(plan, |_| Ok(()), |e, schema| self.rewrite(e, schema))
    }

    fn name(&self) -> &str {
        "pg_casts"
    }
}
