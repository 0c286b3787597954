//! Parameter types a statement declares through casts.
//!
//! PostgreSQL infers the type of `$n` from its first use; for `$1::uuid` that is the cast's
//! type. DataFusion types a placeholder only where it meets a typed operand (a column in a
//! comparison, an INSERT target), and our rewrites turn some casts into functions, so the
//! casts are read off the statement before planning and fed to the planner as if the
//! client had declared them. After planning, the `$n` of `x = ANY(array)` take their
//! type from the other side ([`type_quantified_placeholders`]).

use crate::types::sql_type;
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::ScalarValue;
use datafusion::common::tree_node::Transformed;
use datafusion::logical_expr::{Expr as DfExpr, ExprSchemable, LogicalPlan};
use datafusion::sql::sqlparser::ast::{Expr, Statement, Value, visit_expressions, visit_expressions_mut};
use quiverdb_catalog::SqlType;
use std::ops::ControlFlow;
use std::sync::Arc;

/// `declared` with every still-untyped `$n` that appears as `$n::type` (or
/// `CAST($n AS type)`) given that type; the first cast of a parameter wins.
pub fn declared_by_casts(stmt: &Statement, declared: &[Option<SqlType>]) -> Vec<Option<SqlType>> {
    let mut out = declared.to_vec();
    let _ = visit_expressions(stmt, |e| {
        if let Expr::Cast { expr, data_type, .. } = e
            && let Expr::Value(v) = expr.as_ref()
            && let Value::Placeholder(name) = &v.value
            && let Some(n) = name.strip_prefix('$').and_then(|n| n.parse::<usize>().ok())
            && n >= 1
            && let Ok(ty) = sql_type(data_type)
        {
            if out.len() < n {
                out.resize(n, None);
            }
            if out[n - 1].is_none() {
                out[n - 1] = Some(ty);
            }
        }
        ControlFlow::<()>::Continue(())
    });
    out
}

/// The highest `n` of the `$n` placeholders in `stmt` (0 when there are none).
pub fn count(stmt: &Statement) -> usize {
    let mut max = 0;
    let _ = visit_expressions(stmt, |e| {
        if let Expr::Value(v) = e
            && let Value::Placeholder(name) = &v.value
            && let Some(n) = name.strip_prefix('$').and_then(|n| n.parse::<usize>().ok())
        {
            max = max.max(n);
        }
        ControlFlow::<()>::Continue(())
    });
    max
}

/// Replaces every `$n` of `stmt` by the literal of `values[n - 1]`, for statements that
/// can only be planned once their parameters are known (`aql($1, $2)` plans the AQL
/// query text it is given). Strings become string literals, numbers and booleans their
/// literals, NULL `NULL`; other values their text as an untyped literal. With `as_json`
/// (AQL's positional `@n` parameters) every value becomes a string literal of its JSON
/// text: a `json`/`jsonb` parameter's text as sent, others converted.
pub fn substitute(stmt: &mut Statement, values: &[ScalarValue], types: &[SqlType], as_json: bool) {
    let _ = visit_expressions_mut(stmt, |e| {
        if let Expr::Value(v) = e
            && let Value::Placeholder(name) = &v.value
            && let Some(n) = name.strip_prefix('$').and_then(|n| n.parse::<usize>().ok())
            && let Some(value) = n.checked_sub(1).and_then(|i| values.get(i))
        {
            v.value = if as_json {
                let json_typed = matches!(types.get(n - 1), Some(SqlType::Json | SqlType::Jsonb));
                match value.try_as_str() {
                    Some(Some(text)) if json_typed => Value::SingleQuotedString(text.to_string()),
                    _ => Value::SingleQuotedString(scalar_json(value).to_string()),
                }
            } else {
                literal(value)
            };
        }
        ControlFlow::<()>::Continue(())
    });
}

/// The JSON value of a parameter: numbers and booleans as themselves, NULL as null,
/// anything else as its text.
pub fn scalar_json(v: &ScalarValue) -> serde_json::Value {
    if v.is_null() {
        return serde_json::Value::Null;
    }
    match v {
        ScalarValue::Boolean(Some(b)) => serde_json::Value::Bool(*b),
        ScalarValue::Int8(_)
        | ScalarValue::Int16(_)
        | ScalarValue::Int32(_)
        | ScalarValue::Int64(_)
        | ScalarValue::Float32(_)
        | ScalarValue::Float64(_) => serde_json::from_str(&v.to_string()).unwrap_or(serde_json::Value::Null),
        other => match other.try_as_str() {
            Some(Some(s)) => serde_json::Value::String(s.to_string()),
            _ => serde_json::Value::String(other.to_string()),
        },
    }
}

fn literal(value: &ScalarValue) -> Value {
    if value.is_null() {
        return Value::Null;
    }
    match value {
        ScalarValue::Boolean(Some(b)) => Value::Boolean(*b),
        ScalarValue::Int8(_) | ScalarValue::Int16(_) | ScalarValue::Int32(_) | ScalarValue::Int64(_) => {
            Value::Number(value.to_string(), false)
        }
        ScalarValue::Utf8(Some(s)) | ScalarValue::LargeUtf8(Some(s)) | ScalarValue::Utf8View(Some(s)) => {
            Value::SingleQuotedString(s.clone())
        }
        other => Value::SingleQuotedString(other.to_string()),
    }
}

/// Gives the untyped `$n` of `x op ANY/ALL (array)` (planned as `quiver_any` /
/// `quiver_all`) the type PostgreSQL infers: the array's element type for `$1 = ANY(col)`,
/// and the array of the other side's type for `col = ANY($1)`. DataFusion infers
/// placeholder types only across operators, not function arguments.
pub fn type_quantified_placeholders(plan: LogicalPlan) -> datafusion::common::Result<LogicalPlan> {
    crate::query::transform_exprs(plan, |e, schema| {
        let DfExpr::ScalarFunction(mut f) = e else {
            return Ok(Transformed::no(e));
        };
        if !matches!(f.name(), "quiver_any" | "quiver_all") || f.args.len() < 2 {
            return Ok(Transformed::no(DfExpr::ScalarFunction(f)));
        }
        let field_of = |e: &DfExpr| e.to_field(schema).ok().map(|(_, f)| f);
        let (slot, field) = match (&f.args[0], &f.args[1]) {
            (DfExpr::Placeholder(p), array) if p.field.is_none() => match field_of(array).as_ref().map(|f| f.data_type()) {
                Some(DataType::List(item)) => (0, item.as_ref().clone().with_name("")),
                _ => return Ok(Transformed::no(DfExpr::ScalarFunction(f))),
            },
            (value, DfExpr::Placeholder(p)) if p.field.is_none() => match field_of(value) {
                Some(v) if !matches!(value, DfExpr::Placeholder(_)) => {
                    (1, Field::new("", DataType::List(Arc::new(v.as_ref().clone().with_name("item").with_nullable(true))), true))
                }
                _ => return Ok(Transformed::no(DfExpr::ScalarFunction(f))),
            },
            _ => return Ok(Transformed::no(DfExpr::ScalarFunction(f))),
        };
        if let DfExpr::Placeholder(p) = &mut f.args[slot] {
            p.field = Some(Arc::new(field));
        }
        Ok(Transformed::yes(DfExpr::ScalarFunction(f)))
    })
}
