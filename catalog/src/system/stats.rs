//! The statistics views clients read on connect and when listing tables:
//! `pg_stat_user_tables` (Metabase's table sync takes `n_live_tup` as its row estimate) and
//! `pg_stat_gssapi` (pgAdmin asks about the connection's GSSAPI state).
//!
//! QuiverDB keeps no access counters, so the scan and tuple counters are NULL (unknown)
//! rather than a made-up zero; `n_live_tup` is the row count of the last ANALYZE (NULL when
//! the table was never analyzed). GSSAPI is not supported, so the session's row says so.

use super::SystemView;
use super::relations::relations;
use super::table::{SystemTable, Ty, V, row};
use crate::objects::RelationKind;
use crate::view::PG_CATALOG;

const USER_TABLES: &[(&str, Ty)] = &[
    ("relid", Ty::Oid),
    ("schemaname", Ty::Text),
    ("relname", Ty::Text),
    ("seq_scan", Ty::I64),
    ("seq_tup_read", Ty::I64),
    ("idx_scan", Ty::I64),
    ("idx_tup_fetch", Ty::I64),
    ("n_tup_ins", Ty::I64),
    ("n_tup_upd", Ty::I64),
    ("n_tup_del", Ty::I64),
    ("n_tup_hot_upd", Ty::I64),
    ("n_live_tup", Ty::I64),
    ("n_dead_tup", Ty::I64),
    ("n_mod_since_analyze", Ty::I64),
    ("n_ins_since_vacuum", Ty::I64),
    ("last_vacuum", Ty::Timestamptz),
    ("last_autovacuum", Ty::Timestamptz),
    ("last_analyze", Ty::Timestamptz),
    ("last_autoanalyze", Ty::Timestamptz),
    ("vacuum_count", Ty::I64),
    ("autovacuum_count", Ty::I64),
    ("analyze_count", Ty::I64),
    ("autoanalyze_count", Ty::I64),
];

fn user_tables_rows(view: &SystemView) -> Vec<Vec<V>> {
    relations(view)
        .filter(|t| t.kind == RelationKind::Table)
        .map(|t| {
            let live = t.stats.as_ref().map(|s| s.rows as i64);
            let mut r = row![t.oid, view.schema_name(t.schema).unwrap_or_default(), t.name.as_str()];
            r.extend(std::iter::repeat_n(V::Null, 8));
            r.push(live.into());
            r.extend(std::iter::repeat_n(V::Null, 11));
            r
        })
        .collect()
}

const GSSAPI: &[(&str, Ty)] = &[("pid", Ty::I32), ("gss_authenticated", Ty::Bool), ("principal", Ty::Text), ("encrypted", Ty::Bool)];

fn gssapi_rows(view: &SystemView) -> Vec<Vec<V>> {
    vec![row![view.pid, false, V::Null, false]]
}

/// These views.
pub const TABLES: &[SystemTable] = &[
    SystemTable { schema: PG_CATALOG, name: "pg_stat_user_tables", oid: 12161, kind: "v", columns: USER_TABLES, rows: user_tables_rows },
    SystemTable { schema: PG_CATALOG, name: "pg_stat_gssapi", oid: 12253, kind: "v", columns: GSSAPI, rows: gssapi_rows },
];
