//! Catalog objects printed back as SQL: `pg_get_indexdef`, `pg_get_constraintdef`,
//! `pg_get_viewdef`, column defaults (`pg_get_expr` of `pg_attrdef.adbin`), in PostgreSQL's spelling (`CREATE UNIQUE INDEX t_pkey ON public.t
//! USING btree (id)`, `PRIMARY KEY (id)`, `CHECK ((v > 0))`).

use super::SystemView;
use super::relations::{ConstraintInfo, IndexInfo};
use crate::ident::quote_ident;
use crate::objects::TableDef;
use crate::types::SqlType;

/// The name of key column `attnum` of `t` (`None`: an expression key).
fn key_column(t: &TableDef, attnum: i16) -> Option<String> {
    (attnum != 0).then(|| t.column_by_attnum(attnum).map(|c| quote_ident(&c.name))).flatten()
}

/// Wraps `sql` in parentheses unless it already is one parenthesized expression.
fn parenthesized(sql: &str) -> String {
    let s = sql.trim();
    let mut depth = 0i32;
    let whole = s.starts_with('(')
        && s.ends_with(')')
        && s.char_indices().all(|(i, c)| {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            depth > 0 || i == s.len() - 1
        });
    if whole { s.to_string() } else { format!("({s})") }
}

/// Whether `sql` is one function call (`lower(name)`), which an index key shows bare.
fn is_call(sql: &str) -> bool {
    let s = sql.trim();
    let Some(open) = s.find('(') else {
        return false;
    };
    let name_ok = open > 0 && s[..open].chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.');
    name_ok && s.ends_with(')') && parenthesized(&s[open..]) == s[open..]
}

/// The key of index `i`: its columns and expressions (a function call bare, other
/// expressions in parentheses, as PostgreSQL prints them).
fn index_keys(t: &TableDef, i: &IndexInfo<'_>) -> Vec<String> {
    let mut exprs = i.exprs.iter();
    let expr = |sql: &str| if is_call(sql) { sql.trim().to_string() } else { parenthesized(sql) };
    i.columns.iter().map(|a| key_column(t, *a).unwrap_or_else(|| exprs.next().map(|e| expr(&e.sql)).unwrap_or_default())).collect()
}

/// `pg_get_indexdef(index)`: the CREATE INDEX statement of `i`; with `column` > 0, only
/// that key column (as PostgreSQL's three-argument form). The table is schema-qualified
/// unless `unqualified` (PostgreSQL's pretty form for a table the search path finds).
pub fn indexdef(view: &SystemView, t: &TableDef, i: &IndexInfo<'_>, column: i32, unqualified: bool) -> String {
    let keys = index_keys(t, i);
    if column > 0 {
        return keys.get(column as usize - 1).cloned().unwrap_or_default();
    }
    let table = match unqualified {
        true => quote_ident(&t.name),
        false => format!("{}.{}", quote_ident(&view.schema_name(t.schema).unwrap_or_default()), quote_ident(&t.name)),
    };
    let unique = if i.unique { "UNIQUE " } else { "" };
    let mut sql = format!("CREATE {unique}INDEX {} ON {table} USING btree ({})", quote_ident(i.name), keys.join(", "));
    if let Some(p) = i.predicate {
        sql.push_str(&format!(" WHERE {}", parenthesized(p)));
    }
    sql
}

/// `pg_get_constraintdef(constraint)`.
pub fn constraintdef(t: &TableDef, c: &ConstraintInfo<'_>) -> String {
    let columns = || c.columns.iter().filter_map(|a| key_column(t, *a)).collect::<Vec<_>>().join(", ");
    match c.kind {
        "p" => format!("PRIMARY KEY ({})", columns()),
        "u" => format!("UNIQUE ({})", columns()),
        _ => format!("CHECK ({})", parenthesized(c.check.unwrap_or("true"))),
    }
}

/// `pg_get_viewdef(view)`: the view's stored query, ending in `;` as PostgreSQL's does.
pub fn viewdef(t: &TableDef) -> Option<String> {
    t.view_sql.as_ref().map(|s| format!(" {};", s.trim().trim_end_matches(';')))
}

/// A column default as PostgreSQL deparses it: a string literal carries a cast to the
/// column's type without its modifier (`'x'::character varying`), and a negative number
/// is a quoted constant of its own type (`'-1'::integer`, `'-2.5'::numeric`), which is
/// what psqlODBC and pgjdbc show as COLUMN_DEF. Other expressions print as stored.
pub fn default_expr(sql: &str, ty: &SqlType) -> String {
    let t = sql.trim();
    let is_string = t.len() >= 2 && t.starts_with('\'') && t.ends_with('\'') && !t[1..t.len() - 1].replace("''", "").contains('\'');
    if is_string {
        return format!("{t}::{}", without_modifiers(&ty.display_name()));
    }
    if let Some(digits) = t.strip_prefix('-')
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && digits.bytes().filter(|b| *b == b'.').count() <= 1
    {
        let literal_type = match t.parse::<i64>() {
            Ok(n) if i32::try_from(n).is_ok() => "integer",
            Ok(_) => "bigint",
            Err(_) => "numeric",
        };
        return format!("'{t}'::{literal_type}");
    }
    sql.to_string()
}

/// A column default as `pg_get_expr` prints it for a viewer with `view`'s search path:
/// [`default_expr`], and the sequence of a serial column's `nextval` unqualified when the
/// search path finds it (`nextval('t_id_seq'::regclass)`).
pub fn column_default(view: &super::SystemView, sql: &str, ty: &SqlType) -> String {
    let inner = sql.strip_prefix("nextval('").and_then(|r| r.strip_suffix("'::regclass)"));
    if let Some(name) = inner
        && let [schema, rel] = super::functions::name_parts(&name.replace("''", "'")).as_slice()
        && view
            .effective_path()
            .iter()
            .find_map(|s| view.relation_in(s, rel).map(|oid| (s.clone(), oid)))
            .is_some_and(|(s, _)| s == *schema)
    {
        return format!("nextval('{}'::regclass)", crate::ident::quote_ident(rel).replace('\'', "''"));
    }
    default_expr(sql, ty)
}

/// `character varying(10)` → `character varying`, `timestamp(3) without time zone` →
/// `timestamp without time zone`, `numeric(5,2)[]` → `numeric[]`.
fn without_modifiers(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(open) = rest.find('(') {
        let close = rest[open..].find(')').map(|c| open + c);
        match close {
            Some(close) if rest[open + 1..close].bytes().all(|b| b.is_ascii_digit() || b == b',' || b == b' ') => {
                out.push_str(&rest[..open]);
                rest = &rest[close + 1..];
            }
            _ => break,
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_are_parenthesized_once() {
        assert_eq!(parenthesized("v > 0"), "(v > 0)");
        assert_eq!(parenthesized("(v > 0)"), "(v > 0)");
        assert_eq!(parenthesized("(a) + (b)"), "((a) + (b))");
        assert_eq!(parenthesized("lower(name)"), "(lower(name))");
        assert!(is_call("lower(name)"));
        assert!(!is_call("lower(a) || lower(b)"));
        assert!(!is_call("(a + b)"));
    }

    /// PostgreSQL 15's `pg_get_expr(adbin, adrelid)` for the same defaults.
    #[test]
    fn defaults_deparse_like_postgresql() {
        let cases = [
            ("-1", SqlType::Int4, "'-1'::integer"),
            ("'x'", SqlType::Text, "'x'::text"),
            ("1.5", SqlType::Numeric { precision: Some(5), scale: 2 }, "1.5"),
            ("true", SqlType::Bool, "true"),
            ("'it''s'", SqlType::Varchar(Some(10)), "'it''s'::character varying"),
            ("0", SqlType::Int4, "0"),
            ("now()", SqlType::Date, "now()"),
            ("-2.5", SqlType::Float8, "'-2.5'::numeric"),
            ("'{1,2}'", SqlType::Array(Box::new(SqlType::Int4)), "'{1,2}'::integer[]"),
            ("'{}'", SqlType::Jsonb, "'{}'::jsonb"),
        ];
        for (stored, ty, expected) in cases {
            assert_eq!(default_expr(stored, &ty), expected, "{stored}");
        }
    }
}
