//! Sequences in the system catalogs: `pg_sequence`, the `pg_sequences` view,
//! `information_schema.sequences`, and `pg_depend`'s ownership rows (a serial column owns
//! its sequence: psql's `\d seq` prints "Owned by", and `pg_get_serial_sequence` follows
//! the same link). The current value (`pg_sequences.last_value`) comes from the session's
//! [`SequenceStates`](super::SequenceStates), since sequence states live outside the catalog.

use super::relations::relations;
use super::table::{SystemTable, Ty, V, row};
use super::{INFORMATION_SCHEMA, SystemView};
use crate::objects::TableDef;
use crate::sequence::SequenceDef;
use crate::view::PG_CATALOG;
use std::sync::Arc;

/// `pg_class`'s OID, the class of every relation in `pg_depend`.
const PG_CLASS: u32 = 1259;

const SEQUENCE: &[(&str, Ty)] = &[
    ("seqrelid", Ty::Oid),
    ("seqtypid", Ty::Oid),
    ("seqstart", Ty::I64),
    ("seqincrement", Ty::I64),
    ("seqmax", Ty::I64),
    ("seqmin", Ty::I64),
    ("seqcache", Ty::I64),
    ("seqcycle", Ty::Bool),
];
const SEQUENCES_VIEW: &[(&str, Ty)] = &[
    ("schemaname", Ty::Text),
    ("sequencename", Ty::Text),
    ("sequenceowner", Ty::Text),
    ("data_type", Ty::Text),
    ("start_value", Ty::I64),
    ("min_value", Ty::I64),
    ("max_value", Ty::I64),
    ("increment_by", Ty::I64),
    ("cycle", Ty::Bool),
    ("cache_size", Ty::I64),
    ("last_value", Ty::I64),
];
const DEPEND: &[(&str, Ty)] = &[
    ("classid", Ty::Oid),
    ("objid", Ty::Oid),
    ("objsubid", Ty::I32),
    ("refclassid", Ty::Oid),
    ("refobjid", Ty::Oid),
    ("refobjsubid", Ty::I32),
    ("deptype", Ty::Text),
];
const INFO_SEQUENCES: &[(&str, Ty)] = &[
    ("sequence_catalog", Ty::Text),
    ("sequence_schema", Ty::Text),
    ("sequence_name", Ty::Text),
    ("data_type", Ty::Text),
    ("numeric_precision", Ty::I32),
    ("numeric_precision_radix", Ty::I32),
    ("numeric_scale", Ty::I32),
    ("start_value", Ty::Text),
    ("minimum_value", Ty::Text),
    ("maximum_value", Ty::Text),
    ("increment", Ty::Text),
    ("cycle_option", Ty::Text),
];

/// Every sequence of the connected database, with its options.
fn sequences(view: &SystemView) -> impl Iterator<Item = (&Arc<TableDef>, &SequenceDef)> {
    relations(view).filter_map(|t| t.sequence.as_ref().map(|s| (t, s)))
}

fn sequence_rows(view: &SystemView) -> Vec<Vec<V>> {
    sequences(view).map(|(t, s)| row![t.oid, s.ty.oid(), s.start, s.increment, s.max, s.min, s.cache, s.cycle]).collect()
}

fn sequences_view_rows(view: &SystemView) -> Vec<Vec<V>> {
    sequences(view)
        .map(|(t, s)| {
            // NULL until the first nextval, as in PostgreSQL.
            let last = view.sequence_states.as_ref().and_then(|st| st.current(t)).filter(|st| st.called).map(|st| V::I(st.last));
            row![
                view.schema_name(t.schema),
                &t.name,
                &view.user,
                s.ty.display_name(),
                s.start,
                s.min,
                s.max,
                s.increment,
                s.cycle,
                s.cache,
                last.unwrap_or(V::Null)
            ]
        })
        .collect()
}

/// The sequences columns own: deptype `i` for an identity column's, `a` (auto) for a
/// serial column's or one given OWNED BY.
fn depend_rows(view: &SystemView) -> Vec<Vec<V>> {
    sequences(view)
        .filter_map(|(t, s)| {
            let (table, attnum) = s.owned_by?;
            let identity = view.snapshot.relation(table).and_then(|r| r.column_by_attnum(attnum)).is_some_and(|c| c.identity.is_some());
            Some(row![PG_CLASS, t.oid, 0i32, PG_CLASS, table, attnum as i32, if identity { "i" } else { "a" }])
        })
        .collect()
}

fn info_sequences_rows(view: &SystemView) -> Vec<Vec<V>> {
    let db = view.database_name();
    sequences(view)
        .map(|(t, s)| {
            let bits: i32 = match s.ty {
                crate::SqlType::Int2 => 16,
                crate::SqlType::Int4 => 32,
                _ => 64,
            };
            row![
                &db,
                view.schema_name(t.schema),
                &t.name,
                s.ty.display_name(),
                bits,
                2i32,
                0i32,
                s.start.to_string(),
                s.min.to_string(),
                s.max.to_string(),
                s.increment.to_string(),
                if s.cycle { "YES" } else { "NO" }
            ]
        })
        .collect()
}

/// These catalogs and views.
pub const TABLES: &[SystemTable] = &[
    SystemTable { schema: PG_CATALOG, name: "pg_sequence", oid: 2224, kind: "r", columns: SEQUENCE, rows: sequence_rows },
    SystemTable { schema: PG_CATALOG, name: "pg_sequences", oid: 12096, kind: "v", columns: SEQUENCES_VIEW, rows: sequences_view_rows },
    SystemTable { schema: PG_CATALOG, name: "pg_depend", oid: 2608, kind: "r", columns: DEPEND, rows: depend_rows },
    SystemTable {
        schema: INFORMATION_SCHEMA,
        name: "sequences",
        oid: 13007,
        kind: "v",
        columns: INFO_SEQUENCES,
        rows: info_sequences_rows,
    },
];
