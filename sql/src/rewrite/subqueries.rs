//! Scalar subqueries return at most one row.
//!
//! PostgreSQL runs `(SELECT x FROM t WHERE t.a = o.a)` per outer row and fails only if it
//! yields more than one row. DataFusion decorrelates correlated scalar subqueries into
//! joins and requires them to be aggregated to be sure of one row per key. We wrap the
//! single output expression of such a subquery in `quiver_single_value(...)`, an
//! aggregate that returns its only input (NULL for none) and raises PostgreSQL's
//! `more than one row returned by a subquery used as an expression` (21000) otherwise.

use datafusion::sql::sqlparser::ast::{Expr, GroupByExpr, Query, SelectItem, SetExpr, Statement, VisitMut, VisitorMut};
use std::ops::ControlFlow;

/// Name of the single-row aggregate.
pub const SINGLE_VALUE: &str = "quiver_single_value";

/// Wraps eligible scalar subqueries of `stmt`.
pub fn rewrite(stmt: &mut Statement) {
    let _ = stmt.visit(&mut Wrapper::default());
}

/// Wraps every subquery used as a value; the right side of `x op ANY|ALL (subquery)` is a
/// set, not a value, and is left alone.
#[derive(Default)]
struct Wrapper {
    /// Addresses of the sets seen so far (visited before their subquery node is).
    sets: Vec<usize>,
}

impl VisitorMut for Wrapper {
    type Break = ();

    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        match expr {
            Expr::AnyOp { right, .. } | Expr::AllOp { right, .. } => {
                if let Expr::Subquery(q) = right.as_mut() {
                    self.sets.push(q.as_ref() as *const Query as usize);
                }
            }
            Expr::Subquery(q) if !self.sets.contains(&(q.as_ref() as *const Query as usize)) => wrap(q),
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

/// True when `e` calls an aggregate or window function at its top level (a conservative
/// syntactic check: any function call with OVER, or a well-known aggregate name).
fn is_aggregate(e: &Expr) -> bool {
    const AGGREGATES: [&str; 20] = [
        "count",
        "sum",
        "avg",
        "min",
        "max",
        "array_agg",
        "string_agg",
        "bool_and",
        "bool_or",
        "every",
        "stddev",
        "stddev_pop",
        "stddev_samp",
        "variance",
        "var_pop",
        "var_samp",
        "json_agg",
        "jsonb_agg",
        "bit_and",
        "bit_or",
    ];
    let mut found = false;
    let mut e = e.clone();
    let _ = datafusion::sql::sqlparser::ast::visit_expressions_mut(&mut e, |x| {
        if let Expr::Function(f) = x {
            let name = f.name.to_string().to_ascii_lowercase();
            if f.over.is_some() || AGGREGATES.contains(&name.as_str()) {
                found = true;
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    });
    found
}

fn wrap(q: &mut Query) {
    if q.limit_clause.is_some() || q.order_by.is_some() || q.fetch.is_some() || q.with.is_some() {
        return;
    }
    let SetExpr::Select(select) = q.body.as_mut() else {
        return;
    };
    if select.distinct.is_some() || select.having.is_some() || select.from.is_empty() {
        return;
    }
    if !matches!(&select.group_by, GroupByExpr::Expressions(g, _) if g.is_empty()) {
        return;
    }
    let [item] = select.projection.as_mut_slice() else {
        return;
    };
    let e = match item {
        SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => e,
        _ => return,
    };
    if is_aggregate(e) {
        return;
    }
    let inner = std::mem::replace(e, Expr::Value(datafusion::sql::sqlparser::ast::Value::Null.into()));
    *e = super::call(SINGLE_VALUE, vec![inner]);
}

#[cfg(test)]
mod tests {
    use crate::parse::parse;

    #[test]
    fn plain_scalar_subqueries_are_wrapped() {
        let mut stmt =
            parse("SELECT (SELECT c FROM t WHERE t.a = o.a), (SELECT max(c) FROM t), (SELECT c FROM t LIMIT 1) FROM o").unwrap().remove(0);
        super::rewrite(&mut stmt);
        let out = stmt.to_string();
        assert!(out.contains("(SELECT quiver_single_value(c) FROM t WHERE t.a = o.a)"), "{out}");
        assert!(out.contains("(SELECT max(c) FROM t)"), "{out}");
        assert!(out.contains("(SELECT c FROM t LIMIT 1)"), "{out}");
    }
}
