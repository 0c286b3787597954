//! The catalogs of relations: `pg_namespace`, `pg_class`, `pg_attribute`, `pg_index`,
//! `pg_constraint` and `pg_attrdef`.
//!
//! A primary key or unique constraint is, as in PostgreSQL, both a constraint (in
//! `pg_constraint`) and an index relation (in `pg_class` with relkind `i` and in
//! `pg_index`); a `CREATE INDEX` index is only the latter. System tables appear in
//! `pg_class` and `pg_attribute` too, so `\d pg_class` and `'pg_class'::regclass` work.

use super::table::{SystemTable, Ty, V, row};
use super::{BTREE_AM, HEAP_AM, INFORMATION_SCHEMA, INFORMATION_SCHEMA_OID, PG_CATALOG_OID, ROLE_OID, SystemView};
use crate::objects::{IndexExpr, RelationKind, TableDef};
use crate::types::{Oid, SqlType};
use crate::view::PG_CATALOG;
use std::sync::Arc;

/// One index of a table, whatever made it.
#[derive(Debug, Clone)]
pub struct IndexInfo<'a> {
    pub oid: Oid,
    pub name: &'a str,
    /// attnums; `0` for an expression key.
    pub columns: &'a [i16],
    pub exprs: &'a [IndexExpr],
    pub predicate: Option<&'a str>,
    pub unique: bool,
    pub primary: bool,
    /// The constraint the index implements: its OID.
    pub constraint: Option<Oid>,
}

/// The indexes of `t`: primary key first, then unique constraints, then CREATE INDEX's.
pub fn indexes_of(t: &TableDef) -> Vec<IndexInfo<'_>> {
    let keys = t.primary_key.iter().map(|k| (k, true)).chain(t.uniques.iter().map(|k| (k, false)));
    let mut out: Vec<IndexInfo<'_>> = keys
        .map(|(k, primary)| IndexInfo {
            oid: k.index_oid,
            name: &k.name,
            columns: &k.columns,
            exprs: &[],
            predicate: None,
            unique: true,
            primary,
            constraint: Some(k.oid),
        })
        .collect();
    out.extend(t.indexes.iter().map(|i| IndexInfo {
        oid: i.oid,
        name: &i.name,
        columns: &i.columns,
        exprs: &i.exprs,
        predicate: i.predicate.as_deref(),
        unique: i.unique,
        primary: false,
        constraint: None,
    }));
    out
}

/// The relations of the connected database.
pub fn relations(view: &SystemView) -> impl Iterator<Item = &Arc<TableDef>> {
    view.snapshot.relations_in_database(view.database)
}

/// The relation that owns index `oid`, with the index.
pub fn index_by_oid(view: &SystemView, oid: Oid) -> Option<(&Arc<TableDef>, IndexInfo<'_>)> {
    relations(view).find_map(|t| indexes_of(t).into_iter().find(|i| i.oid == oid).map(|i| (t, i)))
}

fn schema_of(table: &SystemTable) -> Oid {
    if table.schema == INFORMATION_SCHEMA { INFORMATION_SCHEMA_OID } else { PG_CATALOG_OID }
}

const NAMESPACE: &[(&str, Ty)] = &[("oid", Ty::Oid), ("nspname", Ty::Text), ("nspowner", Ty::Oid), ("nspacl", Ty::TextArray)];

fn namespace_rows(view: &SystemView) -> Vec<Vec<V>> {
    let mut rows =
        vec![row![PG_CATALOG_OID, PG_CATALOG, ROLE_OID, V::Null], row![INFORMATION_SCHEMA_OID, INFORMATION_SCHEMA, ROLE_OID, V::Null]];
    rows.extend(view.snapshot.schemas_in(view.database).map(|s| row![s.oid, &s.name, ROLE_OID, V::Null]));
    rows
}

const CLASS: &[(&str, Ty)] = &[
    ("oid", Ty::Oid),
    ("relname", Ty::Text),
    ("relnamespace", Ty::Oid),
    ("reltype", Ty::Oid),
    ("reloftype", Ty::Oid),
    ("relowner", Ty::Oid),
    ("relam", Ty::Oid),
    ("relfilenode", Ty::Oid),
    ("reltablespace", Ty::Oid),
    ("relpages", Ty::I32),
    ("reltuples", Ty::F32),
    ("relallvisible", Ty::I32),
    ("reltoastrelid", Ty::Oid),
    ("relhasindex", Ty::Bool),
    ("relisshared", Ty::Bool),
    ("relpersistence", Ty::Text),
    ("relkind", Ty::Text),
    ("relnatts", Ty::I16),
    ("relchecks", Ty::I16),
    ("relhasrules", Ty::Bool),
    ("relhastriggers", Ty::Bool),
    ("relhassubclass", Ty::Bool),
    ("relrowsecurity", Ty::Bool),
    ("relforcerowsecurity", Ty::Bool),
    ("relispopulated", Ty::Bool),
    ("relreplident", Ty::Text),
    ("relispartition", Ty::Bool),
    ("relrewrite", Ty::Oid),
    ("relfrozenxid", Ty::I64),
    ("relminmxid", Ty::I64),
    ("relacl", Ty::TextArray),
    ("reloptions", Ty::TextArray),
    ("relpartbound", Ty::Text),
];

/// A `pg_class` row; `tuples` is -1 when unknown (never analyzed), as in PostgreSQL.
#[allow(clippy::too_many_arguments)]
fn class_row(oid: Oid, name: &str, schema: Oid, am: Oid, kind: &str, natts: usize, checks: usize, has_index: bool, tuples: f64) -> Vec<V> {
    // PostgreSQL's default replica identity: `d` for user tables, `n` for the rest.
    let replident = if kind == "r" && schema != PG_CATALOG_OID && schema != INFORMATION_SCHEMA_OID { "d" } else { "n" };
    row![
        oid,
        name,
        schema,
        0u32,
        0u32,
        ROLE_OID,
        am,
        oid,
        0u32,
        0i32,
        tuples,
        0i32,
        0u32,
        has_index,
        false,
        "p",
        kind,
        natts as i16,
        checks as i16,
        false,
        false,
        false,
        false,
        false,
        true,
        replident,
        false,
        0u32,
        0i64,
        0i64,
        V::Null,
        V::Null,
        V::Null
    ]
}

fn class_rows(view: &SystemView) -> Vec<Vec<V>> {
    let mut rows = Vec::new();
    for t in relations(view) {
        let tuples = t.stats.as_ref().map(|s| s.rows as f64).unwrap_or(-1.0);
        let indexes = indexes_of(t);
        let (kind, am) = match t.kind {
            RelationKind::Table => ("r", HEAP_AM),
            RelationKind::View => ("v", 0),
            RelationKind::Sequence => ("S", 0),
        };
        rows.push(class_row(t.oid, &t.name, t.schema, am, kind, t.columns.len(), t.checks.len(), !indexes.is_empty(), tuples));
        for i in indexes {
            rows.push(class_row(i.oid, i.name, t.schema, BTREE_AM, "i", i.columns.len(), 0, false, tuples));
        }
    }
    for s in super::tables() {
        rows.push(class_row(s.oid, s.name, schema_of(s), if s.kind == "r" { HEAP_AM } else { 0 }, s.kind, s.columns.len(), 0, false, -1.0));
    }
    rows
}

const ATTRIBUTE: &[(&str, Ty)] = &[
    ("attrelid", Ty::Oid),
    ("attname", Ty::Text),
    ("atttypid", Ty::Oid),
    ("attstattarget", Ty::I32),
    ("attlen", Ty::I16),
    ("attnum", Ty::I16),
    ("attndims", Ty::I32),
    ("attcacheoff", Ty::I32),
    ("atttypmod", Ty::I32),
    ("attbyval", Ty::Bool),
    ("attalign", Ty::Text),
    ("attstorage", Ty::Text),
    ("attcompression", Ty::Text),
    ("attnotnull", Ty::Bool),
    ("atthasdef", Ty::Bool),
    ("atthasmissing", Ty::Bool),
    ("attidentity", Ty::Text),
    ("attgenerated", Ty::Text),
    ("attisdropped", Ty::Bool),
    ("attislocal", Ty::Bool),
    ("attinhcount", Ty::I32),
    ("attcollation", Ty::Oid),
    ("attacl", Ty::TextArray),
    ("attoptions", Ty::TextArray),
    ("attfdwoptions", Ty::TextArray),
    ("attmissingval", Ty::Text),
];

/// What `pg_attribute` says of a column besides its name and type: NOT NULL, whether it
/// has a (visible) default, and its `attidentity` (`""` when it is not an identity column).
#[derive(Default)]
struct AttrFlags {
    not_null: bool,
    has_default: bool,
    identity: &'static str,
}

/// A `pg_attribute` row of a column of type `ty` (`None`: a dropped column).
fn attribute_row(rel: Oid, name: &str, attnum: i16, ty: Option<&SqlType>, flags: AttrFlags) -> Vec<V> {
    let t = ty.and_then(|ty| super::pg_types::by_oid(ty.oid()));
    let collation = ty.map_or(0, SqlType::collation);
    row![
        rel,
        name,
        ty.map(SqlType::oid).unwrap_or(0),
        -1i32,
        t.map(|t| t.len).unwrap_or(-1),
        attnum,
        i32::from(matches!(ty, Some(SqlType::Array(_)))),
        -1i32,
        ty.map(|ty| ty.typmod()).unwrap_or(-1),
        t.map(|t| t.byval).unwrap_or(false),
        t.map(|t| t.align).unwrap_or("c"),
        t.map(|t| t.storage).unwrap_or("p"),
        "",
        flags.not_null,
        flags.has_default,
        false,
        flags.identity,
        "",
        ty.is_none(),
        true,
        0i32,
        collation,
        V::Null,
        V::Null,
        V::Null,
        V::Null
    ]
}

fn attribute_rows(view: &SystemView) -> Vec<Vec<V>> {
    let mut rows = Vec::new();
    for t in relations(view) {
        for c in &t.columns {
            let ty = (!c.dropped).then_some(&c.ty);
            let flags = AttrFlags {
                not_null: c.not_null,
                has_default: c.visible_default().is_some(),
                identity: c.identity.map_or("", |i| i.code()),
            };
            rows.push(attribute_row(t.oid, &c.name, c.attnum, ty, flags));
        }
        for i in indexes_of(t) {
            for (n, (name, ty)) in index_keys(t, &i).into_iter().enumerate() {
                rows.push(attribute_row(i.oid, name, n as i16 + 1, ty, AttrFlags::default()));
            }
        }
    }
    for s in super::tables() {
        for (n, (name, ty)) in s.columns.iter().enumerate() {
            rows.push(attribute_row(s.oid, name, n as i16 + 1, Some(&ty.sql_type()), AttrFlags::default()));
        }
    }
    rows
}

/// The keys of index `i` on `t`: each key column's name and type, in key order; an
/// expression key is named `expr` (PostgreSQL's name) with its expression's type.
fn index_keys<'a>(t: &'a TableDef, i: &IndexInfo<'a>) -> Vec<(&'a str, Option<&'a SqlType>)> {
    let mut exprs = i.exprs.iter();
    i.columns
        .iter()
        .map(|attnum| match t.column_by_attnum(*attnum) {
            Some(c) if *attnum != 0 => (c.name.as_str(), Some(&c.ty)),
            _ => ("expr", exprs.next().map(|e| &e.ty)),
        })
        .collect()
}

const INDEX: &[(&str, Ty)] = &[
    ("indexrelid", Ty::Oid),
    ("indrelid", Ty::Oid),
    ("indnatts", Ty::I16),
    ("indnkeyatts", Ty::I16),
    ("indisunique", Ty::Bool),
    ("indnullsnotdistinct", Ty::Bool),
    ("indisprimary", Ty::Bool),
    ("indisexclusion", Ty::Bool),
    ("indimmediate", Ty::Bool),
    ("indisclustered", Ty::Bool),
    ("indisvalid", Ty::Bool),
    ("indcheckxmin", Ty::Bool),
    ("indisready", Ty::Bool),
    ("indislive", Ty::Bool),
    ("indisreplident", Ty::Bool),
    ("indkey", Ty::Int2Vector),
    ("indcollation", Ty::OidVector),
    ("indclass", Ty::OidVector),
    ("indoption", Ty::Int2Vector),
    ("indexprs", Ty::Text),
    ("indpred", Ty::Text),
];

fn index_rows(view: &SystemView) -> Vec<Vec<V>> {
    let mut rows = Vec::new();
    for t in relations(view) {
        for i in indexes_of(t) {
            let n = i.columns.len() as i16;
            let exprs = (!i.exprs.is_empty()).then(|| i.exprs.iter().map(|e| e.sql.as_str()).collect::<Vec<_>>().join(", "));
            let keys = index_keys(t, &i);
            rows.push(row![
                i.oid,
                t.oid,
                n,
                n,
                i.unique,
                false,
                i.primary,
                false,
                true,
                false,
                true,
                false,
                true,
                true,
                false,
                i.columns.to_vec(),
                keys.iter().map(|(_, ty)| ty.map_or(0, SqlType::collation)).collect::<Vec<_>>(),
                keys.iter().map(|(_, ty)| ty.map_or(0, super::opclass::btree_class)).collect::<Vec<_>>(),
                vec![0i16; i.columns.len()],
                exprs,
                i.predicate
            ]);
        }
    }
    rows
}

const CONSTRAINT: &[(&str, Ty)] = &[
    ("oid", Ty::Oid),
    ("conname", Ty::Text),
    ("connamespace", Ty::Oid),
    ("contype", Ty::Text),
    ("condeferrable", Ty::Bool),
    ("condeferred", Ty::Bool),
    ("convalidated", Ty::Bool),
    ("conrelid", Ty::Oid),
    ("contypid", Ty::Oid),
    ("conindid", Ty::Oid),
    ("conparentid", Ty::Oid),
    ("confrelid", Ty::Oid),
    ("confupdtype", Ty::Text),
    ("confdeltype", Ty::Text),
    ("confmatchtype", Ty::Text),
    ("conislocal", Ty::Bool),
    ("coninhcount", Ty::I32),
    ("connoinherit", Ty::Bool),
    ("conkey", Ty::I16Array),
    ("confkey", Ty::I16Array),
    ("conpfeqop", Ty::OidArray),
    ("conppeqop", Ty::OidArray),
    ("conffeqop", Ty::OidArray),
    ("confdelsetcols", Ty::I16Array),
    ("conexclop", Ty::OidArray),
    ("conbin", Ty::Text),
];

/// One constraint of a table.
#[derive(Debug, Clone)]
pub struct ConstraintInfo<'a> {
    pub oid: Oid,
    pub name: &'a str,
    /// `p`, `u` or `c`.
    pub kind: &'static str,
    pub columns: Vec<i16>,
    /// The index of a key constraint.
    pub index: Oid,
    /// The expression of a CHECK.
    pub check: Option<&'a str>,
}

/// The constraints of `t`: primary key, unique constraints, CHECKs. A CHECK's columns are
/// the columns its expression names.
pub fn constraints_of(t: &TableDef) -> Vec<ConstraintInfo<'_>> {
    let keys = t.primary_key.iter().map(|k| (k, "p")).chain(t.uniques.iter().map(|k| (k, "u")));
    let mut out: Vec<ConstraintInfo<'_>> = keys
        .map(|(k, kind)| ConstraintInfo { oid: k.oid, name: &k.name, kind, columns: k.columns.clone(), index: k.index_oid, check: None })
        .collect();
    for c in &t.checks {
        let words: Vec<&str> = c.expr.split(|ch: char| !(ch.is_alphanumeric() || ch == '_')).collect();
        let columns = t.live_columns().filter(|col| words.contains(&col.name.as_str())).map(|col| col.attnum).collect();
        out.push(ConstraintInfo { oid: c.oid, name: &c.name, kind: "c", columns, index: 0, check: Some(&c.expr) });
    }
    out
}

fn constraint_rows(view: &SystemView) -> Vec<Vec<V>> {
    let mut rows = Vec::new();
    for t in relations(view) {
        for c in constraints_of(t) {
            rows.push(row![
                c.oid,
                c.name,
                t.schema,
                c.kind,
                false,
                false,
                true,
                t.oid,
                0u32,
                c.index,
                0u32,
                0u32,
                " ",
                " ",
                " ",
                true,
                0i32,
                false,
                c.columns,
                V::Null,
                V::Null,
                V::Null,
                V::Null,
                V::Null,
                V::Null,
                c.check
            ]);
        }
    }
    rows
}

const ATTRDEF: &[(&str, Ty)] = &[("oid", Ty::Oid), ("adrelid", Ty::Oid), ("adnum", Ty::I16), ("adbin", Ty::Text)];

fn attrdef_rows(view: &SystemView) -> Vec<Vec<V>> {
    let mut rows = Vec::new();
    for t in relations(view) {
        for c in t.live_columns() {
            if let Some(d) = c.visible_default() {
                rows.push(row![c.default_oid, t.oid, c.attnum, super::describe::column_default(view, d, &c.ty)]);
            }
        }
    }
    rows
}

/// The relation catalogs.
pub const TABLES: &[SystemTable] = &[
    SystemTable { schema: PG_CATALOG, name: "pg_namespace", oid: 2615, kind: "r", columns: NAMESPACE, rows: namespace_rows },
    SystemTable { schema: PG_CATALOG, name: "pg_class", oid: 1259, kind: "r", columns: CLASS, rows: class_rows },
    SystemTable { schema: PG_CATALOG, name: "pg_attribute", oid: 1249, kind: "r", columns: ATTRIBUTE, rows: attribute_rows },
    SystemTable { schema: PG_CATALOG, name: "pg_index", oid: 2610, kind: "r", columns: INDEX, rows: index_rows },
    SystemTable { schema: PG_CATALOG, name: "pg_constraint", oid: 2606, kind: "r", columns: CONSTRAINT, rows: constraint_rows },
    SystemTable { schema: PG_CATALOG, name: "pg_attrdef", oid: 2604, kind: "r", columns: ATTRDEF, rows: attrdef_rows },
];
