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
    BinaryExpr, Cast, ColumnarValue, Expr, ExprSchemable, Operator, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::sql::sqlparser::ast::BinaryOperator;
use quiverdb_catalog::{ErrorCode, SqlType};
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
        crate::functions::columnar(out, scalar)
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
    extract: Arc<ScalarUDF>,
    substr: Arc<ScalarUDF>,
    strpos: Arc<ScalarUDF>,
    justify_hours: Arc<ScalarUDF>,
    tstz_add: Arc<ScalarUDF>,
    interval_mul: Arc<ScalarUDF>,
    interval_div: Arc<ScalarUDF>,
}

impl PgOperators {
    /// A planner using our cast functions for unknown literals.
    pub fn new() -> Self {
        PgOperators {
            json: JsonPlanner::new(),
            uuid: Arc::new(crate::functions::casts::uuid_udf()),
            jsonb: Arc::new(crate::functions::json::jsonb_cast_udf()),
            span: Arc::new(interval_span_udf()),
            extract: Arc::new(crate::functions::extract::udfs().remove(0)),
            substr: Arc::new(crate::functions::bytea::substr_udf()),
            strpos: Arc::new(crate::functions::bytea::strpos_udf()),
            justify_hours: Arc::new(crate::functions::datetime::justify_hours_udf()),
            tstz_add: Arc::new(crate::functions::zones::tstz_add_udf()),
            interval_mul: Arc::new(crate::functions::interval::scale_udf(false)),
            interval_div: Arc::new(crate::functions::interval::scale_udf(true)),
        }
    }

    /// `lit` (a string literal) read as a value of the other operand's type.
    fn resolve_unknown(&self, lit: Expr, other: &Expr, schema: &DFSchema) -> Expr {
        let Ok((_, field)) = other.to_field(schema) else {
            return lit;
        };
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

/// The PostgreSQL type name of an operand (`unknown` for a string literal).
fn operand_type(e: &Expr, schema: &DFSchema) -> String {
    if is_string_literal(e) {
        return "unknown".into();
    }
    match e.to_field(schema) {
        Ok((_, f)) => SqlType::from_field(&f).to_string(),
        Err(_) => "unknown".into(),
    }
}

/// PostgreSQL's errors for operators no candidate (or more than one) fits: json
/// operators on non-json operands (the json planner took every json case already), and
/// `date ± 'literal'`, where the literal could be an integer or an interval.
fn check_operands(op: &BinaryOperator, left: &Expr, right: &Expr, schema: &DFSchema) -> Result<()> {
    let json_only = matches!(
        op,
        BinaryOperator::Arrow
            | BinaryOperator::LongArrow
            | BinaryOperator::HashArrow
            | BinaryOperator::HashLongArrow
            | BinaryOperator::Question
            | BinaryOperator::QuestionPipe
            | BinaryOperator::QuestionAnd
    );
    if json_only {
        return Err(quiverdb_catalog::Error::new(
            ErrorCode::UndefinedFunction,
            format!("operator does not exist: {} {op} {}", operand_type(left, schema), operand_type(right, schema)),
        )
        .with_hint("No operator matches the given name and argument types. You might need to add explicit type casts.")
        .into());
    }
    let arithmetic = matches!(
        op,
        BinaryOperator::Plus | BinaryOperator::Minus | BinaryOperator::Multiply | BinaryOperator::Divide | BinaryOperator::Modulo
    );
    let typed_text =
        |e: &Expr| !is_string_literal(e) && matches!(e.get_type(schema), Ok(DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8));
    if arithmetic && (typed_text(left) || typed_text(right)) {
        return Err(quiverdb_catalog::Error::new(
            ErrorCode::UndefinedFunction,
            format!("operator does not exist: {} {op} {}", operand_type(left, schema), operand_type(right, schema)),
        )
        .with_hint("No operator matches the given name and argument types. You might need to add explicit type casts.")
        .into());
    }
    let integer = |e: &Expr| matches!(e.get_type(schema), Ok(DataType::Int16 | DataType::Int32 | DataType::Int64));
    let date = |e: &Expr| matches!(e.get_type(schema), Ok(DataType::Date32));
    // integer - date and json comparisons have no operator in PostgreSQL.
    let json = |e: &Expr| !is_string_literal(e) && matches!(e.to_field(schema), Ok((_, f)) if SqlType::from_field(&f) == SqlType::Json);
    if (*op == BinaryOperator::Minus && integer(left) && date(right)) || (comparison(op).is_some() && (json(left) || json(right))) {
        return Err(quiverdb_catalog::Error::new(
            ErrorCode::UndefinedFunction,
            format!("operator does not exist: {} {op} {}", operand_type(left, schema), operand_type(right, schema)),
        )
        .with_hint("No operator matches the given name and argument types. You might need to add explicit type casts.")
        .into());
    }
    if matches!(op, BinaryOperator::Plus | BinaryOperator::Minus)
        && matches!(left.get_type(schema), Ok(DataType::Date32))
        && is_string_literal(right)
    {
        return Err(quiverdb_catalog::Error::new(ErrorCode::AmbiguousFunction, format!("operator is not unique: date {op} unknown"))
            .with_hint("Could not choose a best candidate operator. You might need to add explicit type casts.")
            .into());
    }
    Ok(())
}

fn is_interval(e: &Expr, schema: &DFSchema) -> bool {
    matches!(e.get_type(schema), Ok(DataType::Interval(_)))
}

/// The DataFusion operator of a SQL comparison operator (`=`, `<>`, `<`, `<=`, `>`, `>=`).
pub(crate) fn comparison(op: &BinaryOperator) -> Option<Operator> {
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
    /// `SUBSTRING(x FROM a FOR b)`, for text and bytea.
    fn plan_substring(&self, args: Vec<Expr>) -> Result<PlannerResult<Vec<Expr>>> {
        Ok(PlannerResult::Planned(self.substr.call(args)))
    }

    /// `POSITION(a IN b)`, for text and bytea.
    fn plan_position(&self, args: Vec<Expr>) -> Result<PlannerResult<Vec<Expr>>> {
        Ok(PlannerResult::Planned(self.strpos.call(args)))
    }

    /// `EXTRACT(field FROM x)` is numeric in PostgreSQL (see `functions::extract`).
    fn plan_extract(&self, args: Vec<Expr>) -> Result<PlannerResult<Vec<Expr>>> {
        Ok(PlannerResult::Planned(self.extract.call(args)))
    }

    fn plan_binary_op(&self, expr: RawBinaryExpr, schema: &DFSchema) -> Result<PlannerResult<RawBinaryExpr>> {
        let expr = match self.json.plan_binary_op(expr, schema)? {
            PlannerResult::Planned(e) => return Ok(PlannerResult::Planned(e)),
            PlannerResult::Original(e) => e,
        };
        let RawBinaryExpr { op, mut left, mut right } = expr;
        check_operands(&op, &left, &right, schema)?;
        let typed_op = comparison(&op).is_some()
            || matches!(
                op,
                BinaryOperator::Plus | BinaryOperator::Minus | BinaryOperator::Multiply | BinaryOperator::Divide | BinaryOperator::Modulo
            );
        if typed_op {
            if is_string_literal(&left) && !is_string_literal(&right) {
                left = self.resolve_unknown(left, &right, schema);
            } else if is_string_literal(&right) && !is_string_literal(&left) {
                right = self.resolve_unknown(right, &left, schema);
            }
        }
        // timestamp - timestamp is a justified interval; timestamptz ± interval moves
        // calendar days in the session TimeZone.
        let ts_type = |e: &Expr| match e.get_type(schema) {
            Ok(DataType::Timestamp(_, tz)) => Some(tz.is_some()),
            _ => None,
        };
        if op == BinaryOperator::Minus && ts_type(&left).is_some() && ts_type(&right).is_some() {
            let diff = Expr::BinaryExpr(BinaryExpr::new(Box::new(left), Operator::Minus, Box::new(right)));
            return Ok(PlannerResult::Planned(self.justify_hours.call(vec![diff])));
        }
        // interval * number, number * interval and interval / number scale with
        // PostgreSQL's interval_mul (see `functions::interval`).
        let number = |e: &Expr| matches!(e.get_type(schema), Ok(t) if t.is_numeric());
        let factor = |e: Expr| Expr::Cast(Cast::new(Box::new(e), DataType::Float64));
        if op == BinaryOperator::Multiply && is_interval(&left, schema) && number(&right) {
            return Ok(PlannerResult::Planned(self.interval_mul.call(vec![left, factor(right)])));
        }
        if op == BinaryOperator::Multiply && number(&left) && is_interval(&right, schema) {
            return Ok(PlannerResult::Planned(self.interval_mul.call(vec![right, factor(left)])));
        }
        if op == BinaryOperator::Divide && is_interval(&left, schema) && number(&right) {
            return Ok(PlannerResult::Planned(self.interval_div.call(vec![left, factor(right)])));
        }
        if matches!(op, BinaryOperator::Plus | BinaryOperator::Minus) {
            let sign = |s: i64| Expr::Literal(ScalarValue::Int64(Some(s)), None);
            if ts_type(&left) == Some(true) && is_interval(&right, schema) {
                let s = if op == BinaryOperator::Plus { 1 } else { -1 };
                return Ok(PlannerResult::Planned(self.tstz_add.call(vec![left, right, sign(s)])));
            }
            if op == BinaryOperator::Plus && is_interval(&left, schema) && ts_type(&right) == Some(true) {
                return Ok(PlannerResult::Planned(self.tstz_add.call(vec![right, left, sign(1)])));
            }
        }
        // date ± interval is a timestamp (DataFusion would keep a date).
        if matches!(op, BinaryOperator::Plus | BinaryOperator::Minus) {
            let date = |e: &Expr| matches!(e.get_type(schema), Ok(DataType::Date32));
            let as_timestamp = |e: Expr| {
                Expr::Cast(Cast::new(Box::new(e), DataType::Timestamp(datafusion::arrow::datatypes::TimeUnit::Microsecond, None)))
            };
            if date(&left) && is_interval(&right, schema) {
                left = as_timestamp(left);
            } else if op == BinaryOperator::Plus && is_interval(&left, schema) && date(&right) {
                right = as_timestamp(right);
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
