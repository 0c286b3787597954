//! `(a, b) [NOT] IN (SELECT x, y ...)`: row-valued IN, which DataFusion cannot plan.
//!
//! Rewritten with PostgreSQL's three-valued result kept exact (TRUE when some row is
//! equal, NULL when none is but some comparison is NULL, FALSE otherwise):
//!
//! ```sql
//! CASE WHEN EXISTS (SELECT 1 FROM (<subquery>) AS __row_in(c1, c2) WHERE c1 = a AND c2 = b) THEN true
//!      WHEN EXISTS (SELECT 1 FROM (<subquery>) AS __row_in(c1, c2) WHERE (c1 = a AND c2 = b) IS NULL) THEN NULL
//!      ELSE false END
//! ```
//!
//! and `NOT (...)` of that for NOT IN. The EXISTS subqueries are correlated through `a`
//! and `b`; DataFusion turns them into semi joins where it can.

use crate::dml::parse_expr;
use datafusion::sql::sqlparser::ast::{Expr, Statement, visit_expressions_mut};
use quiverdb_catalog::{Error, Result};
use std::ops::ControlFlow;

/// Rewrites every row-valued IN subquery of `stmt`.
pub fn rewrite(stmt: &mut Statement) -> Result<()> {
    let flow = visit_expressions_mut(stmt, |e| {
        let Expr::InSubquery { expr, subquery, negated } = e else {
            return ControlFlow::Continue(());
        };
        let Expr::Tuple(items) = expr.as_ref() else {
            return ControlFlow::Continue(());
        };
        let cols: Vec<String> = (1..=items.len()).map(|i| format!("c{i}")).collect();
        let cond = items.iter().zip(&cols).map(|(item, c)| format!("__row_in.{c} = ({item})")).collect::<Vec<_>>().join(" AND ");
        let from = format!("FROM ({subquery}) AS __row_in({})", cols.join(", "));
        let sql = format!(
            "{}(CASE WHEN EXISTS (SELECT 1 {from} WHERE {cond}) THEN true \
             WHEN EXISTS (SELECT 1 {from} WHERE ({cond}) IS NULL) THEN NULL ELSE false END)",
            if *negated { "NOT " } else { "" }
        );
        match parse_expr(&sql) {
            Ok(new) => {
                *e = new;
                ControlFlow::Continue(())
            }
            Err(err) => ControlFlow::Break(err),
        }
    });
    match flow {
        ControlFlow::Break(e) => Err(Error::internal(format!("row IN rewrite failed: {}", e.message))),
        ControlFlow::Continue(()) => Ok(()),
    }
}
