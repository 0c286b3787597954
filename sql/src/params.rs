//! Parameter types a statement declares through casts.
//!
//! PostgreSQL infers the type of `$n` from its first use; for `$1::uuid` that is the cast's
//! type. DataFusion types a placeholder only where it meets a typed operand (a column in a
//! comparison, an INSERT target), and our rewrites turn some casts into functions, so the
//! casts are read off the statement before planning and fed to the planner as if the
//! client had declared them.

use crate::types::sql_type;
use datafusion::sql::sqlparser::ast::{Expr, Statement, Value, visit_expressions};
use quiverdb_catalog::SqlType;
use std::ops::ControlFlow;

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
