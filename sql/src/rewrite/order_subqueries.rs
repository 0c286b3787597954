//! ORDER BY expressions that hold subqueries (Grafana's table list orders by
//! `CASE WHEN schema IN (SELECT ...) THEN 0 ELSE 1 END`): DataFusion plans subqueries in
//! projections, filters, joins and aggregates, not in a sort. Such a SELECT becomes
//!
//! ```sql
//! SELECT o.a, o.b FROM (SELECT a, b, <order expr> AS "__quiver_order_1" FROM ...) AS o
//! ORDER BY "__quiver_order_1", ...
//! ```
//!
//! so the subquery is computed in a projection. ORDER BY ordinals and output names keep
//! their meaning (the outer SELECT lists the same outputs in the same order); LIMIT and
//! OFFSET move to the outer query. SELECTs with `*`, DISTINCT or set operations are left
//! as they are.

use super::super::colnames::DUP_MARK;
use datafusion::sql::sqlparser::ast::{
    Expr, Ident, OrderByKind, Query, SelectItem, SetExpr, Statement, TableFactor, VisitMut, VisitorMut, visit_expressions,
};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;
use std::ops::ControlFlow;

/// The alias of the wrapped SELECT.
const WRAPPED: &str = "__quiver_ordered";

/// Rewrites every such query of `stmt`.
pub fn rewrite(stmt: &mut Statement) {
    let _ = stmt.visit(&mut OrderSubqueries);
}

struct OrderSubqueries;

fn has_subquery(e: &Expr) -> bool {
    visit_expressions(e, |e| match e {
        Expr::Subquery(_) | Expr::InSubquery { .. } | Expr::Exists { .. } => ControlFlow::Break(()),
        _ => ControlFlow::Continue(()),
    })
    .is_break()
}

/// The output name of a select-list item (aliases were chosen by `colnames`).
fn output_name(item: &SelectItem) -> Option<String> {
    match item {
        SelectItem::ExprWithAlias { alias, .. } => Some(crate::normalize_ident(alias)),
        SelectItem::UnnamedExpr(Expr::Identifier(i)) => Some(crate::normalize_ident(i)),
        SelectItem::UnnamedExpr(Expr::CompoundIdentifier(parts)) => parts.last().map(crate::normalize_ident),
        _ => None,
    }
}

impl VisitorMut for OrderSubqueries {
    type Break = ();

    fn post_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        let Some(order_by) = &query.order_by else { return ControlFlow::Continue(()) };
        let OrderByKind::Expressions(exprs) = &order_by.kind else { return ControlFlow::Continue(()) };
        if !exprs.iter().any(|o| has_subquery(&o.expr)) {
            return ControlFlow::Continue(());
        }
        let SetExpr::Select(select) = query.body.as_ref() else { return ControlFlow::Continue(()) };
        if select.distinct.is_some() {
            return ControlFlow::Continue(());
        }
        let Some(names) = select.projection.iter().map(output_name).collect::<Option<Vec<_>>>() else {
            return ControlFlow::Continue(());
        };
        let quote = |n: &str| Ident::with_quote('"', n).to_string();
        let outer_sql = format!(
            "SELECT {} FROM (SELECT 1) AS {WRAPPED}",
            names.iter().map(|n| format!("{WRAPPED}.{}", quote(n))).collect::<Vec<_>>().join(", ")
        );
        let Ok(Some(Statement::Query(mut outer))) = Parser::parse_sql(&PostgreSqlDialect {}, &outer_sql).map(|mut v| v.pop()) else {
            return ControlFlow::Continue(());
        };
        // The order expressions with subqueries become hidden columns of the inner SELECT.
        let mut inner = query.clone();
        let mut order_by = inner.order_by.take().expect("checked above");
        let OrderByKind::Expressions(exprs) = &mut order_by.kind else { return ControlFlow::Continue(()) };
        let SetExpr::Select(inner_select) = inner.body.as_mut() else { return ControlFlow::Continue(()) };
        for (k, o) in exprs.iter_mut().enumerate() {
            if !has_subquery(&o.expr) {
                continue;
            }
            let hidden = format!("__quiver_order{DUP_MARK}{k}");
            let e = std::mem::replace(&mut o.expr, Expr::Identifier(Ident::with_quote('"', hidden.clone())));
            inner_select.projection.push(SelectItem::ExprWithAlias { expr: e, alias: Ident::with_quote('"', hidden) });
        }
        let limit = inner.limit_clause.take();
        let with = inner.with.take();
        if let SetExpr::Select(outer_select) = outer.body.as_mut()
            && let Some(TableFactor::Derived { subquery, .. }) = outer_select.from.first_mut().map(|f| &mut f.relation)
        {
            **subquery = inner;
        } else {
            return ControlFlow::Continue(());
        }
        outer.order_by = Some(order_by);
        outer.limit_clause = limit;
        outer.with = with;
        *query = *outer;
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_subqueries_move_into_a_projection() {
        let out = crate::rewrite::rewritten_by(
            "SELECT a AS x FROM t ORDER BY CASE WHEN a IN (SELECT b FROM u) THEN 0 ELSE 1 END, 1 LIMIT 3",
            rewrite,
        );
        assert!(out.starts_with("SELECT __quiver_ordered.\"x\" FROM (SELECT a AS x, CASE WHEN a IN (SELECT b FROM u)"), "{out}");
        assert!(out.ends_with("AS __quiver_ordered ORDER BY \"__quiver_order\u{1}0\", 1 LIMIT 3"), "{out}");
        let plain = crate::rewrite::rewritten_by("SELECT a FROM t ORDER BY a", rewrite);
        assert_eq!(plain, "SELECT a FROM t ORDER BY a");
    }
}
