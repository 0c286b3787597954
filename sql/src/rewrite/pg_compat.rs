//! PostgreSQL spellings that catalog queries of clients use (psql's `\d`, JDBC's
//! metadata, BI tools) and DataFusion's planner does not know.
//!
//! * `a OPERATOR(pg_catalog.~) b` is `a ~ b` (any built-in operator).
//! * `x COLLATE "C"` / `COLLATE pg_catalog.default`: our text compares bytewise, which is
//!   what those collations mean, so the clause goes; another collation is 42704.
//! * `current_user`, `session_user`, `current_role`, `current_catalog`, `current_schema`
//!   and `user` without parentheses are function calls, as in PostgreSQL.
//! * Casts to `regclass`, `regtype`, `regnamespace` and `regrole` become calls of the
//!   catalog functions `quiver_regclass(x)` (the OID) or, when the cast value is cast
//!   on to text or is a select-list item (where PostgreSQL prints the name),
//!   `quiver_regclass_name(x)`.
//!
//! * `(composite).field` is `composite['field']`, and `information_schema._pg_expandarray(a)`
//!   is a struct of `x` (each element) and `n` (its position) unnested from `a`.
//! * `generate_subscripts(a, dim [, reverse])` unnests `quiver_subscripts(a, dim, reverse)`,
//!   an engine function that knows vectors start at 0.
//!
//! Runs before the cast rewrite, which would turn `::text` into a call first.

use super::call;
use datafusion::sql::sqlparser::ast::{
    AccessExpr, BinaryOperator, DataType, Expr, FunctionArguments, ObjectName, ObjectNamePart, Query, SelectItem, SetExpr, Statement,
    Subscript, TableFactor, VisitMut, VisitorMut,
};
use quiverdb_catalog::{Error, ErrorCode, Result};
use std::ops::ControlFlow;

/// The reg* types we resolve, by the name of their catalog function.
const REG_TYPES: &[&str] = &["regclass", "regtype", "regnamespace", "regrole"];

/// Applies these rewrites to `stmt`.
pub fn rewrite(stmt: &mut Statement) -> Result<()> {
    match stmt.visit(&mut Compat) {
        ControlFlow::Break(e) => Err(e),
        ControlFlow::Continue(()) => Ok(()),
    }
}

struct Compat;

impl VisitorMut for Compat {
    type Break = Error;

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<Error> {
        // Select-list reg* casts print names.
        if let SetExpr::Select(select) = query.body.as_mut() {
            for item in select.projection.iter_mut() {
                if let SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } = item
                    && let Some((kind, inner)) = reg_cast(e)
                {
                    *e = call(&format!("quiver_{kind}_name"), vec![inner]);
                }
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<Error> {
        if let TableFactor::Table { name, args: Some(_), .. } = factor {
            unqualify(name);
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<Error> {
        if let Expr::Function(f) = expr {
            unqualify(&mut f.name);
        }
        match rewrite_expr(expr) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => ControlFlow::Break(e),
        }
    }
}

/// Drops a `pg_catalog.` qualifier from a function name: the built-ins are found
/// without it.
fn unqualify(name: &mut ObjectName) {
    if name.0.len() == 2 && name.0[0].to_string().eq_ignore_ascii_case(quiverdb_catalog::view::PG_CATALOG) {
        name.0.remove(0);
    }
}

/// The last part of a type name, lower-cased, without `pg_catalog.`.
fn custom_type_name(dt: &DataType) -> Option<String> {
    if matches!(dt, DataType::Regclass) {
        return Some("regclass".to_string());
    }
    let DataType::Custom(name, modifiers) = dt else {
        return None;
    };
    if !modifiers.is_empty() {
        return None;
    }
    match name.0.last()? {
        ObjectNamePart::Identifier(i) => Some(i.value.to_ascii_lowercase()),
        _ => None,
    }
}

/// `x::regclass` (or another reg type): the type's name and `x`.
fn reg_cast(expr: &Expr) -> Option<(String, Expr)> {
    let Expr::Cast { expr: inner, data_type, .. } = expr else {
        return None;
    };
    let kind = custom_type_name(data_type).filter(|k| REG_TYPES.contains(&k.as_str()))?;
    Some((kind, inner.as_ref().clone()))
}

/// Whether `dt` is a text type a reg* value is printed into.
fn is_text_type(dt: &DataType) -> bool {
    matches!(dt, DataType::Text | DataType::Varchar(_) | DataType::CharacterVarying(_) | DataType::String(_))
        || custom_type_name(dt).is_some_and(|n| matches!(n.as_str(), "text" | "name" | "varchar"))
}

fn rewrite_expr(expr: &mut Expr) -> Result<()> {
    match expr {
        Expr::BinaryOp { op: op @ BinaryOperator::PGCustomBinaryOperator(_), .. } => {
            let BinaryOperator::PGCustomBinaryOperator(parts) = &*op else { unreachable!() };
            if let Some(builtin) = parts.last().and_then(|o| builtin_operator(o)) {
                *op = builtin;
            }
        }
        Expr::Collate { expr: inner, collation } => {
            let name = collation.0.last().map(|p| p.to_string().trim_matches('"').to_string()).unwrap_or_default();
            if !matches!(name.to_ascii_lowercase().as_str(), "default" | "c" | "posix" | "ucs_basic") {
                return Err(Error::new(ErrorCode::UndefinedObject, format!("collation \"{name}\" for encoding \"UTF8\" does not exist")));
            }
            *expr = std::mem::replace(inner.as_mut(), Expr::value(datafusion::sql::sqlparser::ast::Value::Null));
        }
        Expr::Identifier(ident) if ident.quote_style.is_none() && is_niladic(&ident.value) => {
            *expr = call(&ident.value.to_ascii_lowercase(), vec![]);
        }
        Expr::Function(f) => {
            let name = f.name.to_string().to_ascii_lowercase();
            match (name.as_str(), &f.args) {
                (n, FunctionArguments::None) if f.name.0.len() == 1 && is_niladic(n) => *expr = call(n, vec![]),
                ("array", FunctionArguments::Subquery(query)) => *expr = array_subquery(query)?,
                // information_schema._pg_expandarray(a): one (x, n) row per element, which
                // pgjdbc's primary-key and index metadata queries use.
                ("information_schema._pg_expandarray" | "_pg_expandarray", FunctionArguments::List(list)) if list.args.len() == 1 => {
                    let a = list.args[0].to_string();
                    *expr = parse_expr(&format!(
                        "named_struct('x', unnest({a}), 'n', CAST(unnest(generate_series(1, cardinality({a}))) AS integer))"
                    ))?;
                }
                // generate_subscripts(a, dim [, reverse]) in a select list: one row per
                // subscript (see the engine's `quiver_subscripts`).
                ("generate_subscripts", FunctionArguments::List(list)) if (2..=3).contains(&list.args.len()) => {
                    let args = list.args.iter().map(|a| a.to_string()).collect::<Vec<_>>();
                    let reverse = args.get(2).cloned().unwrap_or_else(|| "false".into());
                    *expr = parse_expr(&format!("unnest(quiver_subscripts({}, {}, {reverse}))", args[0], args[1]))?;
                }
                // One-dimensional arrays with lower bound 1: the upper bound is the length.
                ("array_upper" | "array_lower", FunctionArguments::List(list)) => {
                    let args = list.args.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ");
                    let upper = format!("CAST(array_length({args}) AS integer)");
                    *expr =
                        parse_expr(&if name == "array_lower" { format!("CASE WHEN {upper} IS NULL THEN NULL ELSE 1 END") } else { upper })?;
                }
                _ => {}
            }
        }
        // `(composite).field` is a field access: DataFusion spells it `composite['field']`.
        Expr::CompoundFieldAccess { root, access_chain } if matches!(root.as_ref(), Expr::Nested(_)) => {
            for access in access_chain.iter_mut() {
                if let AccessExpr::Dot(Expr::Identifier(field)) = access {
                    let key = Expr::value(datafusion::sql::sqlparser::ast::Value::SingleQuotedString(crate::normalize_ident(field)));
                    *access = AccessExpr::Subscript(Subscript::Index { index: key });
                }
            }
        }
        Expr::Cast { expr: inner, data_type, .. } => {
            if is_text_type(data_type)
                && let Some((kind, value)) = reg_cast(inner)
            {
                *expr = call(&format!("quiver_{kind}_name"), vec![value]);
            } else if let Some((kind, value)) = reg_cast(expr) {
                *expr = call(&format!("quiver_{kind}"), vec![value]);
            }
        }
        _ => {}
    }
    Ok(())
}

/// Parses the text of one expression (no rewrites applied).
fn parse_expr(sql: &str) -> Result<Expr> {
    let stmt = crate::parse::parse(&format!("SELECT {sql}"))?.pop();
    if let Some(Statement::Query(q)) = stmt
        && let SetExpr::Select(s) = *q.body
        && let Some(SelectItem::UnnamedExpr(e)) = s.projection.into_iter().next()
    {
        return Ok(e);
    }
    Err(Error::internal(format!("cannot parse {sql}")))
}

/// `ARRAY(subquery)`: the subquery's values as an array, in its order. A plain SELECT
/// becomes `(SELECT array_agg(value ORDER BY ...) FROM ... WHERE ...)`, which the
/// planner decorrelates like any aggregate subquery; others aggregate over the subquery
/// as a derived table. No rows give an empty array, as in PostgreSQL.
fn array_subquery(query: &Query) -> Result<Expr> {
    let empty = "make_array()";
    if let SetExpr::Select(select) = query.body.as_ref()
        && let [SelectItem::UnnamedExpr(value) | SelectItem::ExprWithAlias { expr: value, .. }] = select.projection.as_slice()
        && select.distinct.is_none()
        && select.having.is_none()
        && matches!(&select.group_by, datafusion::sql::sqlparser::ast::GroupByExpr::Expressions(g, _) if g.is_empty())
        && query.limit_clause.is_none()
        && query.fetch.is_none()
        && query.with.is_none()
    {
        let mut order = Vec::new();
        if let Some(datafusion::sql::sqlparser::ast::OrderBy {
            kind: datafusion::sql::sqlparser::ast::OrderByKind::Expressions(keys),
            ..
        }) = &query.order_by
        {
            for k in keys {
                let key = match &k.expr {
                    Expr::Value(v) if v.to_string() == "1" => value.to_string(),
                    other => other.to_string(),
                };
                order.push(format!("{key}{}", k.options));
            }
        }
        let order = if order.is_empty() { String::new() } else { format!(" ORDER BY {}", order.join(", ")) };
        let mut select = select.clone();
        select.projection = vec![SelectItem::UnnamedExpr(parse_expr(&format!("array_agg({value}{order})"))?)];
        let mut inner = query.clone();
        *inner.body = SetExpr::Select(select);
        inner.order_by = None;
        return parse_expr(&format!("coalesce(({inner}), {empty})"));
    }
    parse_expr(&format!("coalesce((SELECT array_agg(__array.value) FROM ({query}) AS __array(value)), {empty})"))
}

/// Whether `name` is one of SQL's functions called without parentheses.
fn is_niladic(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "current_user" | "session_user" | "current_role" | "current_catalog" | "current_schema" | "user"
    )
}

/// The built-in operator `OPERATOR(pg_catalog.op)` names.
fn builtin_operator(op: &str) -> Option<BinaryOperator> {
    Some(match op {
        "~" => BinaryOperator::PGRegexMatch,
        "~*" => BinaryOperator::PGRegexIMatch,
        "!~" => BinaryOperator::PGRegexNotMatch,
        "!~*" => BinaryOperator::PGRegexNotIMatch,
        "~~" => BinaryOperator::PGLikeMatch,
        "!~~" => BinaryOperator::PGNotLikeMatch,
        "~~*" => BinaryOperator::PGILikeMatch,
        "!~~*" => BinaryOperator::PGNotILikeMatch,
        "=" => BinaryOperator::Eq,
        "<>" | "!=" => BinaryOperator::NotEq,
        "<" => BinaryOperator::Lt,
        "<=" => BinaryOperator::LtEq,
        ">" => BinaryOperator::Gt,
        ">=" => BinaryOperator::GtEq,
        "+" => BinaryOperator::Plus,
        "-" => BinaryOperator::Minus,
        "*" => BinaryOperator::Multiply,
        "/" => BinaryOperator::Divide,
        "%" => BinaryOperator::Modulo,
        "||" => BinaryOperator::StringConcat,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rewrite::rewritten_by;

    fn apply(sql: &str) -> String {
        rewritten_by(sql, |s| rewrite(s).expect("rewrites"))
    }

    #[test]
    fn psql_spellings_become_plain_sql() {
        assert_eq!(
            apply("SELECT 1 FROM c WHERE c.relname OPERATOR(pg_catalog.~) '^(t)$' COLLATE pg_catalog.default"),
            "SELECT 1 FROM c WHERE c.relname ~ '^(t)$'"
        );
        assert_eq!(apply("SELECT current_user, \"user\" FROM t"), "SELECT current_user(), \"user\" FROM t");
    }

    #[test]
    fn reg_casts_give_oids_inside_and_names_in_the_select_list() {
        assert_eq!(apply("SELECT c.oid::pg_catalog.regclass FROM c"), "SELECT quiver_regclass_name(c.oid) FROM c");
        assert_eq!(apply("SELECT 1 FROM a WHERE attrelid = 't'::regclass"), "SELECT 1 FROM a WHERE attrelid = quiver_regclass('t')");
        assert_eq!(apply("SELECT x FROM c WHERE t::regtype::text = 'integer'"), "SELECT x FROM c WHERE quiver_regtype_name(t) = 'integer'");
    }

    #[test]
    fn unknown_collations_are_errors() {
        let mut stmt = datafusion::sql::sqlparser::parser::Parser::parse_sql(
            &datafusion::sql::sqlparser::dialect::PostgreSqlDialect {},
            "SELECT 'a' COLLATE \"de_DE\"",
        )
        .unwrap()
        .remove(0);
        assert_eq!(rewrite(&mut stmt).unwrap_err().code, ErrorCode::UndefinedObject);
    }
}
