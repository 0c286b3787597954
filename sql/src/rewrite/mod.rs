//! AST rewrites applied before planning, where PostgreSQL's meaning differs from what
//! DataFusion's planner would do with the same syntax.
//!
//! * [`casts`] — casts whose PostgreSQL semantics are not Arrow casts become function calls
//!   (`::json`, `::jsonb`, `::uuid`, `::text`, `::varchar(n)`, `::char(n)`).
//! * [`literals`] — integer literals that fit in 32 bits are typed `integer`, as in
//!   PostgreSQL (DataFusion types them all `bigint`).
//! * [`subqueries`] — scalar subqueries return at most one row; DataFusion needs that
//!   spelled as an aggregate to decorrelate them.
//! * [`checks`] — clause rules PostgreSQL enforces with its own messages (no window or
//!   aggregate functions in WHERE, ...).

pub mod casts;
pub mod checks;
pub mod literals;
pub mod subqueries;

use datafusion::sql::sqlparser::ast::{
    Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentList, FunctionArguments, Ident, ObjectName,
    ObjectNamePart, Statement, Value, visit_expressions_mut,
};
use quiverdb_catalog::{Error, Result};
use std::ops::ControlFlow;

pub use casts::cast_function;

/// Applies every rewrite to `stmt` (after output column names were chosen).
pub fn rewrite(mut stmt: Statement) -> Result<Statement> {
    casts::rewrite(&mut stmt)?;
    literals::rewrite(&mut stmt);
    subqueries::rewrite(&mut stmt);
    Ok(stmt)
}


/// A call `name(args...)`.
pub fn call(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Function(Function {
        name: ObjectName(vec![ObjectNamePart::Identifier(Ident::new(name))]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: args.into_iter().map(|a| FunctionArg::Unnamed(FunctionArgExpr::Expr(a))).collect(),
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    })
}

/// A string literal.
pub fn string_lit(s: &str) -> Expr {
    Expr::Value(Value::SingleQuotedString(s.to_string()).into())
}

/// Rewrites a stored SQL expression, renaming column `old` to `new`.
pub fn rename_identifier(expr_sql: &str, old: &str, new: &str) -> Result<String> {
    let mut expr = crate::dml::parse_expr(expr_sql)?;
    let _ = visit_expressions_mut(&mut expr, |e| {
        match e {
            Expr::Identifier(i) if crate::normalize_ident(i) == old => *i = Ident::with_quote('"', new),
            Expr::CompoundIdentifier(parts) => {
                if let Some(last) = parts.last_mut()
                    && crate::normalize_ident(last) == old
                {
                    *last = Ident::with_quote('"', new);
                }
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
    Ok(expr.to_string())
}

/// Fails when a statement is too large to plan safely (guards the planner's recursion).
pub fn check_size(sql: &str) -> Result<()> {
    if sql.len() > 64 << 20 {
        return Err(Error::new(quiverdb_catalog::ErrorCode::ProgramLimitExceeded, "statement is too large"));
    }
    Ok(())
}

