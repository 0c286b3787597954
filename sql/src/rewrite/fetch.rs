//! `OFFSET n ROWS FETCH FIRST m ROWS ONLY` (the SQL standard's LIMIT) becomes
//! `LIMIT m OFFSET n`, which DataFusion plans. `FETCH FIRST ROW ONLY` means one row.

use datafusion::sql::sqlparser::ast::{Expr, LimitClause, Query, Statement, Value, VisitMut, VisitorMut};
use quiverdb_catalog::{Error, Result};
use std::ops::ControlFlow;

/// Rewrites every FETCH clause of `stmt`.
pub fn rewrite(stmt: &mut Statement) -> Result<()> {
    match stmt.visit(&mut FetchToLimit) {
        ControlFlow::Break(e) => Err(e),
        ControlFlow::Continue(()) => Ok(()),
    }
}

struct FetchToLimit;

impl VisitorMut for FetchToLimit {
    type Break = Error;

    fn pre_visit_query(&mut self, q: &mut Query) -> ControlFlow<Error> {
        let Some(fetch) = q.fetch.take() else {
            return ControlFlow::Continue(());
        };
        if fetch.with_ties {
            return ControlFlow::Break(Error::unsupported("FETCH ... WITH TIES is not supported"));
        }
        if fetch.percent {
            return ControlFlow::Break(Error::syntax("syntax error at or near \"PERCENT\""));
        }
        let count = fetch.quantity.unwrap_or_else(|| Expr::Value(Value::Number("1".into(), false).into()));
        q.limit_clause = match q.limit_clause.take() {
            None => Some(LimitClause::LimitOffset { limit: Some(count), offset: None, limit_by: vec![] }),
            Some(LimitClause::LimitOffset { limit: None, offset, limit_by }) => {
                Some(LimitClause::LimitOffset { limit: Some(count), offset, limit_by })
            }
            Some(_) => {
                return ControlFlow::Break(Error::syntax("syntax error: both LIMIT and FETCH given"));
            }
        };
        ControlFlow::Continue(())
    }
}
