//! PostgreSQL's output column names (`FigureColname`).
//!
//! PostgreSQL names an unaliased select-list item after what it is: a column reference by
//! the column (`t.a` → `a`), a function or aggregate call by the function (`count(*)` →
//! `count`), a cast by its operand or else the type (`'1'::int` → `int4`), CASE → `case`,
//! anything else → `?column?`. DataFusion instead uses the expression's text
//! (`count(*)`, `Int64(1)`), and requires names to be unique where PostgreSQL allows
//! duplicates (`SELECT 1, 2` has two `?column?` columns).
//!
//! Before planning we alias every unaliased, non-wildcard item of every SELECT with its
//! PostgreSQL name; a repeated name gets an invisible suffix ([`DUP_MARK`] + n) that
//! [`display_name`] strips when the name is shown to a client.

use crate::normalize_ident;
use datafusion::sql::sqlparser::ast::{
    AccessExpr, DataType, Expr, Ident, Query, SelectItem, SelectItemQualifiedWildcardKind, SetExpr, Statement, VisitMut, VisitorMut,
};
use std::collections::HashMap;
use std::ops::ControlFlow;

/// Separates a column name from the suffix that makes a duplicate unique.
pub const DUP_MARK: char = '\u{1}';

/// The name a client sees for an output column.
pub fn display_name(name: &str) -> &str {
    name.split(DUP_MARK).next().unwrap_or(name)
}

/// Aliases select-list items of every SELECT in `stmt` with PostgreSQL's names.
pub fn apply(stmt: &mut Statement) {
    let _ = stmt.visit(&mut Namer);
}

struct Namer;

impl VisitorMut for Namer {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        name_set_expr(&mut query.body);
        ControlFlow::Continue(())
    }
}

fn name_set_expr(body: &mut SetExpr) {
    match body {
        SetExpr::Select(select) => name_items(&mut select.projection),
        SetExpr::SetOperation { left, .. } => name_set_expr(left),
        SetExpr::Query(q) => name_set_expr(&mut q.body),
        _ => {}
    }
}

fn name_items(items: &mut [SelectItem]) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for item in items.iter() {
        let existing = match item {
            SelectItem::ExprWithAlias { alias, .. } => Some(normalize_ident(alias)),
            SelectItem::UnnamedExpr(Expr::Identifier(i)) => Some(normalize_ident(i)),
            SelectItem::UnnamedExpr(Expr::CompoundIdentifier(p)) => p.last().map(normalize_ident),
            _ => None,
        };
        if let Some(n) = existing {
            *seen.entry(n).or_insert(0) += 1;
        }
    }
    let mut bare_seen: HashMap<String, usize> = HashMap::new();
    let mut alias_seen: HashMap<String, usize> = HashMap::new();
    // Next to a `*` (`SELECT c.oid, c.* ...`, DBeaver's table query) a column named on its
    // own would meet itself in the expansion: it takes a hidden suffix from the start. With
    // `q.*` that is a column qualified by `q`; with a bare `*`, any column.
    let all = items.iter().any(|i| matches!(i, SelectItem::Wildcard(_)));
    let qualifiers: Vec<String> = items
        .iter()
        .filter_map(|i| match i {
            SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(name), _) => {
                Some(name.to_string().to_ascii_lowercase())
            }
            _ => None,
        })
        .collect();
    let column_ref = |e: &Expr| matches!(e, Expr::Identifier(_) | Expr::CompoundIdentifier(_));
    let in_wildcard = |e: &Expr| match e {
        Expr::Identifier(_) => all,
        Expr::CompoundIdentifier(parts) => {
            all || {
                let q = parts[..parts.len() - 1].iter().map(|p| p.to_string()).collect::<Vec<_>>().join(".").to_ascii_lowercase();
                qualifiers.contains(&q)
            }
        }
        _ => false,
    };
    for (k, item) in items.iter_mut().enumerate() {
        if let SelectItem::ExprWithAlias { alias, expr } = item {
            // A repeated alias (`1 AS a, 2 AS a`) is allowed too; later ones get the suffix.
            let name = normalize_ident(alias);
            let n = alias_seen.entry(name.clone()).or_insert(0);
            *n += 1;
            if *n > 1 {
                *alias = Ident::with_quote('"', format!("{name}{DUP_MARK}{n}"));
            } else if in_wildcard(expr) && figure(expr).as_deref() == Some(name.as_str()) {
                *alias = Ident::with_quote('"', format!("{name}{DUP_MARK}w{k}"));
            }
            continue;
        }
        let SelectItem::UnnamedExpr(expr) = item else {
            continue;
        };
        if column_ref(expr) {
            // A column selected twice keeps its name; the second gets a hidden suffix.
            let name = figure(expr).unwrap_or_default();
            let n = bare_seen.entry(name.clone()).or_insert(0);
            *n += 1;
            if in_wildcard(expr) {
                let e = std::mem::replace(expr, Expr::Value(datafusion::sql::sqlparser::ast::Value::Null.into()));
                *item = SelectItem::ExprWithAlias { expr: e, alias: Ident::with_quote('"', format!("{name}{DUP_MARK}w{k}")) };
            } else if *n > 1 {
                let e = std::mem::replace(expr, Expr::Value(datafusion::sql::sqlparser::ast::Value::Null.into()));
                *item = SelectItem::ExprWithAlias { expr: e, alias: Ident::with_quote('"', format!("{name}{DUP_MARK}{n}")) };
            }
            continue;
        }
        let name = figure(expr).unwrap_or_else(|| "?column?".to_string());
        let count = seen.entry(name.clone()).or_insert(0);
        *count += 1;
        let unique = if *count == 1 { name } else { format!("{name}{DUP_MARK}{count}") };
        let e = std::mem::replace(expr, Expr::Value(datafusion::sql::sqlparser::ast::Value::Null.into()));
        *item = SelectItem::ExprWithAlias { expr: e, alias: Ident::with_quote('"', unique) };
    }
}

/// PostgreSQL's `FigureColname` for one expression (`None`: `?column?`).
fn figure(expr: &Expr) -> Option<String> {
    figure_strength(expr).map(|(name, _)| name)
}

/// The name and its strength: 2 for names from columns and functions, 1 for names from
/// a type or CASE. A cast names its column after its operand only when that name is
/// strong (`a::text` is `a`, `2.5::float8::int` is `int4`).
fn figure_strength(expr: &Expr) -> Option<(String, u8)> {
    let strong = |s: &str| Some((s.to_string(), 2));
    match expr {
        Expr::Identifier(i) => Some((normalize_ident(i), 2)),
        Expr::CompoundIdentifier(parts) => parts.last().map(|p| (normalize_ident(p), 2)),
        Expr::Nested(inner) => figure_strength(inner),
        // `(composite).field` is named after the field, `a[1]` after `a`.
        Expr::CompoundFieldAccess { root, access_chain } => match access_chain.last() {
            Some(AccessExpr::Dot(Expr::Identifier(field))) => Some((normalize_ident(field), 2)),
            _ => figure_strength(root),
        },
        Expr::Function(f) => {
            let last = f.name.0.last()?;
            let name = last.as_ident().map(normalize_ident).unwrap_or_else(|| last.to_string().to_lowercase());
            Some((name, 2))
        }
        Expr::Cast { expr, data_type, .. } => match figure_strength(expr) {
            Some((name, 2)) => Some((name, 2)),
            _ => Some((type_name(data_type), 1)),
        },
        Expr::Case { .. } => Some(("case".into(), 1)),
        Expr::Exists { .. } => strong("exists"),
        Expr::Array(_) => strong("array"),
        Expr::Tuple(_) => strong("row"),
        Expr::Subquery(_) => None,
        Expr::Extract { .. } => strong("extract"),
        Expr::Substring { .. } => strong("substring"),
        Expr::Trim { .. } => strong("btrim"),
        Expr::Position { .. } => strong("position"),
        Expr::Overlay { .. } => strong("overlay"),
        Expr::Ceil { .. } => strong("ceil"),
        Expr::Floor { .. } => strong("floor"),
        Expr::TypedString(ts) => Some((type_name(&ts.data_type), 1)),
        Expr::Interval(_) => Some(("interval".into(), 1)),
        _ => None,
    }
}

/// PostgreSQL's internal name of a type in column names (`int4`, `text`, `numeric`...).
fn type_name(dt: &DataType) -> String {
    match crate::types::sql_type(dt) {
        Ok(t) => match t {
            quiverdb_catalog::SqlType::Bool => "bool".into(),
            quiverdb_catalog::SqlType::Int2 => "int2".into(),
            quiverdb_catalog::SqlType::Int4 => "int4".into(),
            quiverdb_catalog::SqlType::Int8 => "int8".into(),
            quiverdb_catalog::SqlType::Float4 => "float4".into(),
            quiverdb_catalog::SqlType::Float8 => "float8".into(),
            quiverdb_catalog::SqlType::Numeric { .. } => "numeric".into(),
            quiverdb_catalog::SqlType::Varchar(_) => "varchar".into(),
            quiverdb_catalog::SqlType::Char(_) => "bpchar".into(),
            quiverdb_catalog::SqlType::Timestamp => "timestamp".into(),
            quiverdb_catalog::SqlType::Timestamptz => "timestamptz".into(),
            quiverdb_catalog::SqlType::Time => "time".into(),
            quiverdb_catalog::SqlType::Array(_) => "array".into(),
            other => other.to_string(),
        },
        // reg* types and other names we do not store: their own name.
        Err(_) => match dt {
            DataType::Regclass => "regclass".into(),
            DataType::Custom(name, _) => name.0.last().map(|p| p.to_string().trim_matches('"').to_ascii_lowercase()).unwrap_or_default(),
            _ => "?column?".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;

    fn names(sql: &str) -> String {
        let mut stmt = parse(sql).unwrap().remove(0);
        apply(&mut stmt);
        stmt.to_string()
    }

    #[test]
    fn names_follow_postgres() {
        assert_eq!(names("SELECT count(*) FROM t"), "SELECT count(*) AS \"count\" FROM t");
        assert_eq!(names("SELECT 1, 2"), format!("SELECT 1 AS \"?column?\", 2 AS \"?column?{DUP_MARK}2\""));
        assert_eq!(names("SELECT a::text, '1'::int FROM t"), "SELECT a::TEXT AS \"a\", '1'::INT AS \"int4\" FROM t");
        assert_eq!(names("SELECT t.a, b FROM t"), "SELECT t.a, b FROM t");
        assert_eq!(display_name(&format!("x{DUP_MARK}2")), "x");
        assert_eq!(names("SELECT (f(x)).n, a[1] FROM t"), "SELECT (f(x)).n AS \"n\", a[1] AS \"a\" FROM t");
        assert_eq!(names("SELECT 1 AS a, 2 AS a"), format!("SELECT 1 AS a, 2 AS \"a{DUP_MARK}2\""));
        assert_eq!(names("SELECT 2.5::float8::int"), "SELECT 2.5::FLOAT8::INT AS \"int4\"");
    }
}
