//! PostgreSQL's operator resolution, applied while the SQL planner builds expressions.
//!
//! DataFusion types operands as it plans, so PostgreSQL's rules must be applied at the
//! same point ([`ExprPlanner::plan_binary_op`]):
//!
//! * json/jsonb operators (`->`, `->>`, `#>`, `#>>`, `@>`, `<@`, `?`, `?|`, `?&`, `||`,
//!   `-`) become our json functions;
//! * a string literal opposite a typed operand is PostgreSQL's `unknown` and takes that
//!   type (`'1' + 1` is 2, `flag = 't'`, `uuid_col = '{...}'`), read later by the type's
//!   input function;
//! * intervals compare by their span with 30-day months (`'1 month' = '30 days'`).

use crate::functions::json::JsonPlanner;
use datafusion::arrow::array::{Array, ArrayRef, AsArray, Decimal128Builder};
use datafusion::arrow::datatypes::{DataType, IntervalMonthDayNanoType, IntervalUnit};
use datafusion::common::{DFSchema, Result, ScalarValue};
use datafusion::logical_expr::planner::{ExprPlanner, PlannerResult, RawBinaryExpr};
use datafusion::logical_expr::{
    BinaryExpr, Cast, ColumnarValue, Expr, ExprSchemable, Operator, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl,
    Signature, Volatility,
};
use datafusion::sql::sqlparser::ast::BinaryOperator;
use quiverdb_catalog::SqlType;
use std::sync::Arc;

const USECS_PER_DAY: i128 = 86_400_000_000;

/// `quiver_interval_span(interval)`: microseconds with 30-day months (PostgreSQL's
/// interval comparison key).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct IntervalSpan {
    signature: Signature,
}

impl ScalarUDFImpl for IntervalSpan {
    fn name(&self) -> &str {
        "quiver_interval_span"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Decimal128(38, 0))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalar = matches!(args.args.first(), Some(ColumnarValue::Scalar(_)));
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let a = &arrays[0];
        let mut b = Decimal128Builder::with_capacity(a.len()).with_data_type(DataType::Decimal128(38, 0));
        if let DataType::Interval(IntervalUnit::MonthDayNano) = a.data_type() {
            let iv = a.as_primitive::<IntervalMonthDayNanoType>();
            for i in 0..iv.len() {
                if iv.is_null(i) {
                    b.append_null();
                } else {
                    let v = iv.value(i);
                    b.append_value((v.months as i128 * 30 + v.days as i128) * USECS_PER_DAY + (v.nanoseconds / 1000) as i128);
                }
            }
        } else {
            for _ in 0..a.len() {
                b.append_null();
            }
        }
        let out: ArrayRef = Arc::new(b.finish());
        Ok(if scalar { ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?) } else { ColumnarValue::Array(out) })
    }
}

/// The interval span function.
pub fn interval_span_udf() -> ScalarUDF {
    ScalarUDF::from(IntervalSpan { signature: Signature::any(1, Volatility::Immutable) })
}

/// The operator planner.
#[derive(Debug)]
pub struct PgOperators {
    json: JsonPlanner,
    uuid: Arc<ScalarUDF>,
    jsonb: Arc<ScalarUDF>,
    span: Arc<ScalarUDF>,
}

impl PgOperators {
    /// A planner using our cast functions for unknown literals.
    pub fn new() -> Self {
        PgOperators {
            json: JsonPlanner::new(),
            uuid: Arc::new(crate::functions::casts::uuid_udf()),
            jsonb: Arc::new(crate::functions::json::jsonb_cast_udf()),
            span: Arc::new(interval_span_udf()),
        }
    }

    /// `lit` (a string literal) read as a value of the other operand's type.
    fn resolve_unknown(&self, lit: Expr, other: &Expr, schema: &DFSchema) -> Expr {
        let Ok((_, field)) = other.to_field(schema) else { return lit };
        let dt = field.data_type().clone();
        match SqlType::from_field(&field) {
            SqlType::Uuid => self.uuid.call(vec![lit]),
            SqlType::Jsonb => self.jsonb.call(vec![lit]),
            t if t.is_text_like() || matches!(t, SqlType::Json) => lit,
            _ if dt == DataType::Null || matches!(dt, DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8) => lit,
            _ => Expr::Cast(Cast::new(Box::new(lit), dt)),
        }
    }
}

impl Default for PgOperators {
    fn default() -> Self {
        Self::new()
    }
}

fn is_string_literal(e: &Expr) -> bool {
    matches!(e, Expr::Literal(ScalarValue::Utf8(Some(_)) | ScalarValue::Utf8View(Some(_)) | ScalarValue::LargeUtf8(Some(_)), _))
}

fn is_interval(e: &Expr, schema: &DFSchema) -> bool {
    matches!(e.get_type(schema), Ok(DataType::Interval(_)))
}

fn comparison(op: &BinaryOperator) -> Option<Operator> {
    Some(match op {
        BinaryOperator::Eq => Operator::Eq,
        BinaryOperator::NotEq => Operator::NotEq,
        BinaryOperator::Lt => Operator::Lt,
        BinaryOperator::LtEq => Operator::LtEq,
        BinaryOperator::Gt => Operator::Gt,
        BinaryOperator::GtEq => Operator::GtEq,
        _ => return None,
    })
}

impl ExprPlanner for PgOperators {
    fn plan_binary_op(&self, expr: RawBinaryExpr, schema: &DFSchema) -> Result<PlannerResult<RawBinaryExpr>> {
        let expr = match self.json.plan_binary_op(expr, schema)? {
            PlannerResult::Planned(e) => return Ok(PlannerResult::Planned(e)),
            PlannerResult::Original(e) => e,
        };
        let RawBinaryExpr { op, mut left, mut right } = expr;
        let typed_op = comparison(&op).is_some()
            || matches!(op, BinaryOperator::Plus | BinaryOperator::Minus | BinaryOperator::Multiply | BinaryOperator::Divide | BinaryOperator::Modulo);
        if typed_op {
            if is_string_literal(&left) && !is_string_literal(&right) {
                left = self.resolve_unknown(left, &right, schema);
            } else if is_string_literal(&right) && !is_string_literal(&left) {
                right = self.resolve_unknown(right, &left, schema);
            }
        }
        if let Some(cmp) = comparison(&op)
            && is_interval(&left, schema)
            && is_interval(&right, schema)
        {
            let l = self.span.call(vec![left]);
            let r = self.span.call(vec![right]);
            return Ok(PlannerResult::Planned(Expr::BinaryExpr(BinaryExpr::new(Box::new(l), cmp, Box::new(r)))));
        }
        Ok(PlannerResult::Original(RawBinaryExpr { op, left, right }))
    }
}
