//! AST rewrites applied before planning, where PostgreSQL's meaning differs from what
//! DataFusion's planner would do with the same syntax.
//!
//! * [`pg_compat`] — `OPERATOR(pg_catalog.~)`, `COLLATE "C"`, `current_user`, and the
//!   reg* casts (`'t'::regclass`) that clients' catalog queries use.
//! * [`casts`] — casts whose PostgreSQL semantics are not Arrow casts become function calls
//!   (`::json`, `::jsonb`, `::uuid`, `::text`, `::varchar(n)`, `::char(n)`).
//! * [`literals`] — integer literals that fit in 32 bits are typed `integer`, as in
//!   PostgreSQL (DataFusion types them all `bigint`).
//! * [`subqueries`] — scalar subqueries return at most one row; DataFusion needs that
//!   spelled as an aggregate to decorrelate them.
//! * [`shadowing`] — relations in subqueries that hide an outer relation's name get a
//!   unique alias, so decorrelated joins never see one qualifier on both sides.
//! * [`row_in`] — `(a, b) IN (SELECT x, y ...)` becomes EXISTS subqueries.
//! * [`fetch`] — `FETCH FIRST n ROWS ONLY` becomes `LIMIT n`.
//! * [`calls`] — `generate_series` in a select list returns rows; `array_length` of an
//!   empty array is NULL.
//! * [`precedence`] — unary minus binds tighter than `^` (`-2 ^ 2` is 4).
//! * [`set_all`] — INTERSECT ALL / EXCEPT ALL count copies (marked here, fixed after
//!   planning).
//! * [`slices`] — open-ended array slices (`a[2:]`) get both bounds.
//! * [`order_subqueries`] — ORDER BY expressions with subqueries are computed in a
//!   projection of a wrapped SELECT.
//! * [`checks`] — clause rules PostgreSQL enforces with its own messages (no window or
//!   aggregate functions in WHERE, ...).

pub mod calls;
pub mod casts;
pub mod checks;
pub mod fetch;
pub mod literals;
pub mod order_subqueries;
pub mod pg_compat;
pub mod precedence;
pub mod row_in;
pub mod set_all;
pub mod shadowing;
pub mod slices;
pub mod subqueries;

use datafusion::sql::sqlparser::ast::{
    Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentList, FunctionArguments, Ident, ObjectName, ObjectNamePart, Statement,
    visit_expressions_mut,
};
use quiverdb_catalog::Result;
use std::ops::ControlFlow;

pub use casts::cast_function;

/// Applies every rewrite to `stmt` (after output column names were chosen).
pub fn rewrite(mut stmt: Statement) -> Result<Statement> {
    pg_compat::rewrite(&mut stmt)?;
    shadowing::rewrite(&mut stmt);
    fetch::rewrite(&mut stmt)?;
    row_in::rewrite(&mut stmt)?;
    set_all::mark(&mut stmt);
    precedence::rewrite(&mut stmt);
    slices::rewrite(&mut stmt);
    calls::rewrite(&mut stmt);
    casts::rewrite(&mut stmt)?;
    literals::rewrite(&mut stmt);
    subqueries::rewrite(&mut stmt);
    order_subqueries::rewrite(&mut stmt);
    Ok(stmt)
}

/// Parses `sql`, applies `rewrite` and prints the statement back (for the rewrites' tests).
#[cfg(test)]
pub(crate) fn rewritten_by(sql: &str, rewrite: impl FnOnce(&mut Statement)) -> String {
    use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
    use datafusion::sql::sqlparser::parser::Parser;
    let mut stmt = Parser::parse_sql(&PostgreSqlDialect {}, sql).expect("test SQL parses").remove(0);
    rewrite(&mut stmt);
    stmt.to_string()
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
