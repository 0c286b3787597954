//! Clause rules PostgreSQL enforces before planning, with its messages.

use datafusion::sql::sqlparser::ast::{Expr, LimitClause, Query, SetExpr, Statement, VisitMut, VisitorMut};
use quiverdb_catalog::{Error, ErrorCode, Result};
use std::ops::ControlFlow;

/// Fails when a WHERE clause calls a window function (42P20) or an aggregate (42803),
/// or a window function is called without OVER (42809). `is_aggregate` / `is_window`
/// tell whether a function name is an aggregate / a window-only function.
pub fn check(stmt: &mut Statement, is_aggregate: &dyn Fn(&str) -> bool, is_window: &dyn Fn(&str) -> bool) -> Result<()> {
    let mut c = Checker { is_aggregate, error: None };
    let _ = stmt.visit(&mut c);
    if let Some(e) = c.error {
        return Err(e);
    }
    let mut error = None;
    let _ = datafusion::sql::sqlparser::ast::visit_expressions(stmt, |e| {
        if let Expr::Function(f) = e
            && f.over.is_none()
        {
            let name = f.name.to_string().to_ascii_lowercase();
            if is_window(&name) && !is_aggregate(&name) {
                error = Some(Error::new(ErrorCode::WrongObjectType, format!("window function {name} requires an OVER clause")));
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    });
    match error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

struct Checker<'a> {
    is_aggregate: &'a dyn Fn(&str) -> bool,
    error: Option<Error>,
}

impl VisitorMut for Checker<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        if let SetExpr::Values(v) = query.body.as_ref()
            && let Some(first) = v.rows.first()
            && v.rows.iter().any(|r| r.content.len() != first.content.len())
        {
            self.error = Some(Error::syntax("VALUES lists must all be the same length"));
            return ControlFlow::Break(());
        }
        if let SetExpr::Select(s) = query.body.as_mut()
            && let Some(w) = &s.selection
            && let Some(e) = self.scan(w, "WHERE")
        {
            self.error = Some(e);
            return ControlFlow::Break(());
        }
        // LIMIT and OFFSET are evaluated once, before any row: no column references.
        if let Some(LimitClause::LimitOffset { limit, offset, .. }) = &query.limit_clause {
            for (e, clause) in [(limit.as_ref(), "LIMIT"), (offset.as_ref().map(|o| &o.value), "OFFSET")] {
                if let Some(e) = e
                    && has_column_reference(e)
                {
                    self.error =
                        Some(Error::new(ErrorCode::InvalidColumnReference, format!("argument of {clause} must not contain variables")));
                    return ControlFlow::Break(());
                }
            }
        }
        ControlFlow::Continue(())
    }
}

/// Whether `e` refers to a column (outside subqueries).
fn has_column_reference(e: &Expr) -> bool {
    datafusion::sql::sqlparser::ast::visit_expressions(e, |x| match x {
        Expr::Identifier(_) | Expr::CompoundIdentifier(_) => ControlFlow::Break(()),
        _ => ControlFlow::Continue(()),
    })
    .is_break()
}

impl Checker<'_> {
    /// The error for the first window or aggregate call in `e` (not inside subqueries).
    fn scan(&self, e: &Expr, clause: &str) -> Option<Error> {
        let mut found: Option<Error> = None;
        let mut e = e.clone();
        // Subqueries may aggregate freely: blank them out first.
        let _ = datafusion::sql::sqlparser::ast::visit_expressions_mut(&mut e, |x| {
            if matches!(x, Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. }) {
                *x = Expr::Value(datafusion::sql::sqlparser::ast::Value::Null.into());
            }
            ControlFlow::<()>::Continue(())
        });
        let _ = datafusion::sql::sqlparser::ast::visit_expressions_mut(&mut e, |x| {
            if let Expr::Function(f) = x {
                if f.over.is_some() {
                    found = Some(Error::new(ErrorCode::WindowingError, format!("window functions are not allowed in {clause}")));
                    return ControlFlow::Break(());
                }
                let name = f.name.to_string().to_ascii_lowercase();
                if (self.is_aggregate)(&name) {
                    found = Some(Error::new(ErrorCode::GroupingError, format!("aggregate functions are not allowed in {clause}")));
                    return ControlFlow::Break(());
                }
            }
            ControlFlow::Continue(())
        });
        found
    }
}
