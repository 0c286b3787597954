//! `information_schema`: the SQL standard's catalog views, as PostgreSQL fills them.
//!
//! Its domains (`sql_identifier`, `character_data`, `yes_or_no`, `cardinal_number`) are
//! plain `text` and `integer` here. Like PostgreSQL, `tables` and `columns` list the
//! system catalogs too, and `table_constraints` lists NOT NULL columns as CHECK
//! constraints named `<schema oid>_<table oid>_<attnum>_not_null`.

use super::relations::{constraints_of, relations};
use super::table::{SystemTable, Ty, V, row};
use super::{INFORMATION_SCHEMA, SystemView, describe, pg_types};
use crate::objects::{Identity, RelationKind, TableDef};
use crate::sequence::SequenceDef;
use crate::types::SqlType;

const SCHEMATA: &[(&str, Ty)] = &[
    ("catalog_name", Ty::Text),
    ("schema_name", Ty::Text),
    ("schema_owner", Ty::Text),
    ("default_character_set_catalog", Ty::Text),
    ("default_character_set_schema", Ty::Text),
    ("default_character_set_name", Ty::Text),
    ("sql_path", Ty::Text),
];

fn schemata_rows(view: &SystemView) -> Vec<Vec<V>> {
    let db = view.database_name();
    let system = [crate::view::PG_CATALOG, INFORMATION_SCHEMA].map(String::from);
    let user = view.snapshot.schemas_in(view.database).map(|s| s.name.clone());
    system.into_iter().chain(user).map(|s| row![&db, s, &view.user, V::Null, V::Null, V::Null, V::Null]).collect()
}

const TABLES_VIEW: &[(&str, Ty)] = &[
    ("table_catalog", Ty::Text),
    ("table_schema", Ty::Text),
    ("table_name", Ty::Text),
    ("table_type", Ty::Text),
    ("self_referencing_column_name", Ty::Text),
    ("reference_generation", Ty::Text),
    ("user_defined_type_catalog", Ty::Text),
    ("user_defined_type_schema", Ty::Text),
    ("user_defined_type_name", Ty::Text),
    ("is_insertable_into", Ty::Text),
    ("is_typed", Ty::Text),
    ("commit_action", Ty::Text),
];

fn yes(b: bool) -> &'static str {
    if b { "YES" } else { "NO" }
}

fn tables_rows(view: &SystemView) -> Vec<Vec<V>> {
    let db = view.database_name();
    let mut rows: Vec<Vec<V>> = relations(view)
        .filter(|t| !t.is_sequence())
        .map(|t| {
            let (kind, insertable) = if t.kind == RelationKind::View { ("VIEW", false) } else { ("BASE TABLE", true) };
            row![
                &db,
                view.schema_name(t.schema),
                &t.name,
                kind,
                V::Null,
                V::Null,
                V::Null,
                V::Null,
                V::Null,
                yes(insertable),
                "NO",
                V::Null
            ]
        })
        .collect();
    rows.extend(super::tables().map(|s| {
        let kind = if s.kind == "v" { "VIEW" } else { "BASE TABLE" };
        row![&db, s.schema, s.name, kind, V::Null, V::Null, V::Null, V::Null, V::Null, "NO", "NO", V::Null]
    }));
    rows
}

const COLUMNS: &[(&str, Ty)] = &[
    ("table_catalog", Ty::Text),
    ("table_schema", Ty::Text),
    ("table_name", Ty::Text),
    ("column_name", Ty::Text),
    ("ordinal_position", Ty::I32),
    ("column_default", Ty::Text),
    ("is_nullable", Ty::Text),
    ("data_type", Ty::Text),
    ("character_maximum_length", Ty::I32),
    ("character_octet_length", Ty::I32),
    ("numeric_precision", Ty::I32),
    ("numeric_precision_radix", Ty::I32),
    ("numeric_scale", Ty::I32),
    ("datetime_precision", Ty::I32),
    ("interval_type", Ty::Text),
    ("interval_precision", Ty::I32),
    ("character_set_catalog", Ty::Text),
    ("character_set_schema", Ty::Text),
    ("character_set_name", Ty::Text),
    ("collation_catalog", Ty::Text),
    ("collation_schema", Ty::Text),
    ("collation_name", Ty::Text),
    ("domain_catalog", Ty::Text),
    ("domain_schema", Ty::Text),
    ("domain_name", Ty::Text),
    ("udt_catalog", Ty::Text),
    ("udt_schema", Ty::Text),
    ("udt_name", Ty::Text),
    ("scope_catalog", Ty::Text),
    ("scope_schema", Ty::Text),
    ("scope_name", Ty::Text),
    ("maximum_cardinality", Ty::I32),
    ("dtd_identifier", Ty::Text),
    ("is_self_referencing", Ty::Text),
    ("is_identity", Ty::Text),
    ("identity_generation", Ty::Text),
    ("identity_start", Ty::Text),
    ("identity_increment", Ty::Text),
    ("identity_maximum", Ty::Text),
    ("identity_minimum", Ty::Text),
    ("identity_cycle", Ty::Text),
    ("is_generated", Ty::Text),
    ("generation_expression", Ty::Text),
    ("is_updatable", Ty::Text),
];

/// `data_type`, character length, numeric precision/radix/scale, datetime precision.
fn type_facts(ty: &SqlType) -> (String, V, V, V, V, V) {
    let n = V::Null;
    let num = |p: i32, radix: i32, scale: V| (V::I(p.into()), V::I(radix.into()), scale);
    let (len, (precision, radix, scale), dt) = match ty {
        SqlType::Int2 => (n.clone(), num(16, 2, V::I(0)), n.clone()),
        SqlType::Int4 => (n.clone(), num(32, 2, V::I(0)), n.clone()),
        SqlType::Int8 => (n.clone(), num(64, 2, V::I(0)), n.clone()),
        SqlType::Float4 => (n.clone(), num(24, 2, n.clone()), n.clone()),
        SqlType::Float8 => (n.clone(), num(53, 2, n.clone()), n.clone()),
        SqlType::Numeric { precision: Some(p), scale } => (n.clone(), num((*p).into(), 10, V::I((*scale).into())), n.clone()),
        SqlType::Numeric { precision: None, .. } => (n.clone(), (n.clone(), V::I(10), n.clone()), n.clone()),
        SqlType::Varchar(Some(l)) | SqlType::Char(l) => (V::I((*l).into()), (n.clone(), n.clone(), n.clone()), n.clone()),
        SqlType::Date => (n.clone(), (n.clone(), n.clone(), n.clone()), V::I(0)),
        SqlType::Time | SqlType::Timestamp | SqlType::Timestamptz | SqlType::Interval => {
            (n.clone(), (n.clone(), n.clone(), n.clone()), V::I(6))
        }
        _ => (n.clone(), (n.clone(), n.clone(), n.clone()), n.clone()),
    };
    let data_type = match ty {
        SqlType::Array(_) => "ARRAY".to_string(),
        other => pg_types::format_type(other.oid(), None),
    };
    (data_type, len, precision, radix, scale, dt)
}

/// What `information_schema.columns` says of one column.
struct ColumnFacts<'a> {
    name: &'a str,
    attnum: i16,
    ty: &'a SqlType,
    nullable: bool,
    /// `column_default` (NULL when none).
    default: V,
    updatable: bool,
    /// An identity column's generation and its sequence.
    identity: Option<(Identity, &'a SequenceDef)>,
}

/// A `columns` row of a column of table `(database, schema, table)`.
fn column_row((db, schema, table): (&str, &str, &str), c: ColumnFacts) -> Vec<V> {
    let ColumnFacts { name, attnum, ty, nullable, default, updatable, identity } = c;
    let (data_type, len, precision, radix, scale, dt) = type_facts(ty);
    let octets = match &len {
        V::I(l) => V::I(l * 4),
        _ if ty.is_text_like() && !matches!(ty, SqlType::Uuid | SqlType::Json | SqlType::Jsonb) => V::I(1073741824),
        _ => V::Null,
    };
    let udt = pg_types::by_oid(ty.oid()).map(|t| t.name).unwrap_or("");
    row![
        db,
        schema,
        table,
        name,
        attnum,
        default,
        yes(nullable),
        data_type,
        len,
        octets,
        precision,
        radix,
        scale,
        dt,
        V::Null,
        V::Null,
        V::Null,
        V::Null,
        V::Null,
        V::Null,
        V::Null,
        V::Null,
        V::Null,
        V::Null,
        V::Null,
        db,
        "pg_catalog",
        udt,
        V::Null,
        V::Null,
        V::Null,
        V::Null,
        attnum.to_string(),
        "NO",
        yes(identity.is_some()),
        identity.map(|(i, _)| i.generation()),
        identity.map(|(_, s)| s.start.to_string()),
        identity.map(|(_, s)| s.increment.to_string()),
        identity.map(|(_, s)| s.max.to_string()),
        identity.map(|(_, s)| s.min.to_string()),
        yes(identity.is_some_and(|(_, s)| s.cycle)),
        "NEVER",
        V::Null,
        yes(updatable)
    ]
}

fn columns_rows(view: &SystemView) -> Vec<Vec<V>> {
    let db = view.database_name();
    let mut rows = Vec::new();
    for t in relations(view).filter(|t| !t.is_sequence()) {
        let schema = view.schema_name(t.schema).unwrap_or_default();
        let owned: Vec<_> = if t.is_table() { t.owned_sequences(&view.snapshot).collect() } else { vec![] };
        for c in t.live_columns() {
            let table = t.kind == RelationKind::Table;
            let sequence = || owned.iter().filter_map(|s| s.sequence.as_ref()).find(|s| s.owned_by == Some((t.oid, c.attnum)));
            let identity = c.identity.and_then(|i| Some((i, sequence()?)));
            let facts = ColumnFacts {
                name: &c.name,
                attnum: c.attnum,
                ty: &c.ty,
                nullable: !c.not_null,
                default: c.visible_default().map(|d| super::describe::column_default(view, d, &c.ty)).into(),
                updatable: table,
                identity,
            };
            rows.push(column_row((&db, &schema, &t.name), facts));
        }
    }
    for s in super::tables() {
        for (i, (name, ty)) in s.columns.iter().enumerate() {
            let ty = ty.sql_type();
            let facts =
                ColumnFacts { name, attnum: i as i16 + 1, ty: &ty, nullable: true, default: V::Null, updatable: false, identity: None };
            rows.push(column_row((&db, s.schema, s.name), facts));
        }
    }
    rows
}

const VIEWS: &[(&str, Ty)] = &[
    ("table_catalog", Ty::Text),
    ("table_schema", Ty::Text),
    ("table_name", Ty::Text),
    ("view_definition", Ty::Text),
    ("check_option", Ty::Text),
    ("is_updatable", Ty::Text),
    ("is_insertable_into", Ty::Text),
    ("is_trigger_updatable", Ty::Text),
    ("is_trigger_deletable", Ty::Text),
    ("is_trigger_insertable_into", Ty::Text),
];

fn views_rows(view: &SystemView) -> Vec<Vec<V>> {
    let db = view.database_name();
    relations(view)
        .filter(|t| t.kind == RelationKind::View)
        .map(|t| row![&db, view.schema_name(t.schema), &t.name, describe::viewdef(t), "NONE", "NO", "NO", "NO", "NO", "NO"])
        .collect()
}

const TABLE_CONSTRAINTS: &[(&str, Ty)] = &[
    ("constraint_catalog", Ty::Text),
    ("constraint_schema", Ty::Text),
    ("constraint_name", Ty::Text),
    ("table_catalog", Ty::Text),
    ("table_schema", Ty::Text),
    ("table_name", Ty::Text),
    ("constraint_type", Ty::Text),
    ("is_deferrable", Ty::Text),
    ("initially_deferred", Ty::Text),
    ("enforced", Ty::Text),
    ("nulls_distinct", Ty::Text),
];

fn table_constraints_rows(view: &SystemView) -> Vec<Vec<V>> {
    let db = view.database_name();
    let mut rows = Vec::new();
    for t in relations(view).filter(|t| t.kind == RelationKind::Table) {
        let schema = view.schema_name(t.schema).unwrap_or_default();
        let mut push = |name: String, kind: &str, nulls: V| {
            rows.push(row![&db, &schema, name, &db, &schema, &t.name, kind, "NO", "NO", "YES", nulls]);
        };
        for c in constraints_of(t) {
            match c.kind {
                "p" => push(c.name.to_string(), "PRIMARY KEY", V::Null),
                "u" => push(c.name.to_string(), "UNIQUE", V::from("YES")),
                _ => push(c.name.to_string(), "CHECK", V::Null),
            }
        }
        for c in t.live_columns().filter(|c| c.not_null) {
            push(not_null_name(t, c.attnum), "CHECK", V::Null);
        }
    }
    rows
}

/// PostgreSQL's name for a NOT NULL column as a constraint in `information_schema`.
fn not_null_name(t: &TableDef, attnum: i16) -> String {
    format!("{}_{}_{}_not_null", t.schema, t.oid, attnum)
}

const KEY_COLUMN_USAGE: &[(&str, Ty)] = &[
    ("constraint_catalog", Ty::Text),
    ("constraint_schema", Ty::Text),
    ("constraint_name", Ty::Text),
    ("table_catalog", Ty::Text),
    ("table_schema", Ty::Text),
    ("table_name", Ty::Text),
    ("column_name", Ty::Text),
    ("ordinal_position", Ty::I32),
    ("position_in_unique_constraint", Ty::I32),
];

fn key_column_usage_rows(view: &SystemView) -> Vec<Vec<V>> {
    let db = view.database_name();
    let mut rows = Vec::new();
    for t in relations(view) {
        let schema = view.schema_name(t.schema).unwrap_or_default();
        for c in constraints_of(t).into_iter().filter(|c| c.kind != "c") {
            for (i, attnum) in c.columns.iter().enumerate() {
                let column = t.column_by_attnum(*attnum).map(|col| col.name.clone());
                rows.push(row![&db, &schema, c.name, &db, &schema, &t.name, column, i + 1, V::Null]);
            }
        }
    }
    rows
}

const fn table(name: &'static str, oid: u32, columns: &'static [(&'static str, Ty)], rows: fn(&SystemView) -> Vec<Vec<V>>) -> SystemTable {
    SystemTable { schema: INFORMATION_SCHEMA, name, oid, kind: "v", columns, rows }
}

/// The `information_schema` views.
pub const TABLES: &[SystemTable] = &[
    table("schemata", 13001, SCHEMATA, schemata_rows),
    table("tables", 13002, TABLES_VIEW, tables_rows),
    table("columns", 13003, COLUMNS, columns_rows),
    table("views", 13004, VIEWS, views_rows),
    table("table_constraints", 13005, TABLE_CONSTRAINTS, table_constraints_rows),
    table("key_column_usage", 13006, KEY_COLUMN_USAGE, key_column_usage_rows),
];
