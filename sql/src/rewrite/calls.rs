//! Function calls whose PostgreSQL meaning DataFusion spells differently.
//!
//! * `generate_series(...)` as a select-list item is a set-returning function: one row
//!   per element, as `unnest(generate_series(...))` gives in DataFusion.
//! * a function in FROM with a bare alias (`generate_series(1, 3) x`) names its single
//!   output column after the alias, as PostgreSQL does for scalar-returning functions.
//! * `array_length(a, dim)` is NULL for an empty array (DataFusion says 0; a non-empty
//!   array never has length 0), so it becomes `nullif(array_length(a, dim), 0)`.
//! * `x op ANY (array)` / `x op ALL (array)` become `quiver_any(x, array, 'op')` /
//!   `quiver_all(...)`, which keep SQL's three-valued logic for NULL elements (the
//!   subquery forms are left to the planner).

use super::call;
use datafusion::sql::sqlparser::ast::{
    Expr, SelectItem, SetExpr, Statement, TableAliasColumnDef, TableFactor, Value, VisitMut, VisitorMut, visit_expressions_mut,
};
use std::ops::ControlFlow;

fn is_call(e: &Expr, name: &str) -> bool {
    matches!(e, Expr::Function(f) if f.name.to_string().eq_ignore_ascii_case(name))
}

/// Wraps select-list set-returning calls in `unnest`.
struct SetReturning;

impl VisitorMut for SetReturning {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut datafusion::sql::sqlparser::ast::Query) -> ControlFlow<()> {
        if let SetExpr::Select(s) = query.body.as_mut() {
            for item in s.projection.iter_mut() {
                if let SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } = item
                    && is_call(e, "generate_series")
                {
                    *e = call("unnest", vec![e.clone()]);
                }
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<()> {
        if let TableFactor::Table { args: Some(_), alias: Some(alias), .. } = factor
            && alias.columns.is_empty()
        {
            alias.columns = vec![TableAliasColumnDef::from_name(alias.name.value.clone())];
        }
        ControlFlow::Continue(())
    }
}

/// A string literal.
fn string(s: String) -> Expr {
    Expr::Value(Value::SingleQuotedString(s).into())
}

/// Applies the rewrites to `stmt`.
pub fn rewrite(stmt: &mut Statement) {
    let _ = stmt.visit(&mut SetReturning);
    let _ = visit_expressions_mut(stmt, |e| {
        if is_call(e, "array_length") {
            let zero = Expr::Value(Value::Number("0".into(), false).into());
            *e = call("nullif", vec![e.clone(), zero]);
        }
        match e {
            Expr::AnyOp { left, compare_op, right, .. } if !matches!(right.as_ref(), Expr::Subquery(_)) => {
                *e = call("quiver_any", vec![left.as_ref().clone(), right.as_ref().clone(), string(compare_op.to_string())]);
            }
            Expr::AllOp { left, compare_op, right } if !matches!(right.as_ref(), Expr::Subquery(_)) => {
                *e = call("quiver_all", vec![left.as_ref().clone(), right.as_ref().clone(), string(compare_op.to_string())]);
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(sql: &str) -> String {
        crate::rewrite::rewritten_by(sql, rewrite)
    }

    #[test]
    fn rewrites() {
        assert_eq!(rewritten("SELECT generate_series(1, 3) AS g"), "SELECT unnest(generate_series(1, 3)) AS g");
        assert_eq!(rewritten("SELECT * FROM generate_series(1, 3)"), "SELECT * FROM generate_series(1, 3)");
        assert_eq!(rewritten("SELECT x FROM generate_series(1, 3) x"), "SELECT x FROM generate_series(1, 3) x (x)");
        assert_eq!(rewritten("SELECT array_length(a, 1) FROM t"), "SELECT nullif(array_length(a, 1), 0) FROM t");
        assert_eq!(rewritten("SELECT 1 = ANY(a), 2 < ALL(a) FROM t"), "SELECT quiver_any(1, a, '='), quiver_all(2, a, '<') FROM t");
        assert_eq!(rewritten("SELECT 1 = ANY(SELECT x FROM u)"), "SELECT 1 = ANY(SELECT x FROM u)");
    }
}
