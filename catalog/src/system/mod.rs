//! `pg_catalog` and `information_schema`: the live catalog as PostgreSQL's system tables.
//!
//! Clients learn about the database through these tables: psql's `\d` family, JDBC's
//! `DatabaseMetaData`, SQLAlchemy's reflection and every BI tool query `pg_class`,
//! `pg_attribute`, `pg_index`, `information_schema.columns` and their friends. They are
//! computed, not stored: when a statement names one, the planner gets a one-batch table
//! built from the statement's [`SystemView`] (its catalog snapshot, so a transaction sees
//! its own uncommitted DDL). Every relation, column, index, constraint and default of the
//! connected database appears with the OIDs it has everywhere else (RowDescription's table
//! OID, `::regclass`), and those OIDs are stable across restarts because they are stored.
//!
//! * [`table`] — how a system table is described ([`SystemTable`]) and turned into Arrow.
//! * [`pg_types`] — PostgreSQL's `pg_type` rows for our types and `format_type`.
//! * [`relations`] — `pg_namespace`, `pg_class`, `pg_attribute`, `pg_index`,
//!   `pg_constraint`, `pg_attrdef` and the indexes/constraints of a table as one list.
//! * [`others`] — the remaining catalogs and PostgreSQL's views (`pg_tables`, `pg_roles`,
//!   `pg_settings`, ...), and the catalogs of features we do not have (empty, with their
//!   real columns, so clients' joins work).
//! * [`opclass`] — `pg_opclass` and `pg_opfamily`: each type's default btree class.
//! * [`info_schema`] — `information_schema`.
//! * [`sequences`] — `pg_sequence`, `pg_sequences`, `information_schema.sequences`, and
//!   `pg_depend`'s rows for the sequences columns own.
//! * [`procs`] — `pg_proc`, from the engine's function registry.
//! * [`stats`] — `pg_stat_user_tables` and `pg_stat_gssapi`.
//! * [`describe`] — `pg_get_indexdef`, `pg_get_constraintdef` and friends: catalog
//!   objects printed back as SQL.
//! * [`functions`] — catalog-aware SQL functions (`pg_table_is_visible`, `::regclass`,
//!   `current_schemas`, ...) bound to one statement's view.
//!
//! Roles come from the catalog (`pg_roles`, `pg_authid`, `pg_user`, `::regrole`,
//! `pg_get_userbyid`). Ownership and privileges are not modelled: the bootstrap superuser
//! (OID 10) owns every object and the `has_*_privilege` functions answer true.

pub mod describe;
pub mod functions;
pub mod info_schema;
pub mod opclass;
pub mod others;
pub mod pg_types;
pub mod procs;
pub mod relations;
pub mod sequences;
pub mod stats;
pub mod table;

use crate::snapshot::CatalogSnapshot;
use crate::types::Oid;
use crate::view::PG_CATALOG;
use datafusion::catalog::MemTable;
use datafusion::datasource::provider_as_source;
use datafusion::logical_expr::TableSource;
use std::sync::Arc;
pub use table::SystemTable;

/// OID of the `pg_catalog` schema (PostgreSQL's).
pub const PG_CATALOG_OID: Oid = 11;
/// Name of the SQL-standard catalog schema.
pub const INFORMATION_SCHEMA: &str = "information_schema";
/// OID of the `information_schema` schema.
pub const INFORMATION_SCHEMA_OID: Oid = 13000;
/// OID of the bootstrap superuser, the owner of every object (PostgreSQL's).
pub const ROLE_OID: Oid = 10;
/// OID of the `btree` access method; every index is one.
pub const BTREE_AM: Oid = 403;
/// OID of the `heap` table access method.
pub const HEAP_AM: Oid = 2;
/// OID of the default collation.
pub const DEFAULT_COLLATION: Oid = 100;

/// What a system table shows: one statement's catalog and session.
#[derive(Debug, Clone)]
pub struct SystemView {
    pub snapshot: Arc<CatalogSnapshot>,
    /// The connected database.
    pub database: Oid,
    /// The existing schemas of `search_path`, in order (without `pg_catalog`).
    pub search_path: Vec<String>,
    /// The session's user.
    pub user: String,
    /// The session's backend process id (`pg_backend_pid()`).
    pub pid: i32,
    /// Every setting of the session: name, value, short description.
    pub settings: Vec<(String, String, String)>,
    /// When the server started, in microseconds since the Unix epoch.
    pub started_micros: i64,
    /// Where sequences stand (`pg_sequences.last_value`); `None` shows no values.
    pub sequence_states: Option<Arc<dyn SequenceStates>>,
    /// The functions sessions can call (`pg_proc`), fixed for the engine's life.
    pub functions: Arc<Vec<procs::ProcInfo>>,
}

/// The current states of sequences, which live outside the catalog.
pub trait SequenceStates: Send + Sync + std::fmt::Debug {
    /// The state of sequence `seq` (`None` when it cannot be read).
    fn current(&self, seq: &crate::TableDef) -> Option<crate::sequence::SeqState>;
}

impl SystemView {
    /// The name of the connected database.
    pub fn database_name(&self) -> String {
        self.snapshot.database(self.database).map(|d| d.name.clone()).unwrap_or_default()
    }

    /// The OID of schema `name` in this database (the system schemas included).
    pub fn schema_oid(&self, name: &str) -> Option<Oid> {
        match name {
            PG_CATALOG => Some(PG_CATALOG_OID),
            INFORMATION_SCHEMA => Some(INFORMATION_SCHEMA_OID),
            _ => self.snapshot.schema_by_name(self.database, name).map(|s| s.oid),
        }
    }

    /// The name of schema `oid` (the system schemas included).
    pub fn schema_name(&self, oid: Oid) -> Option<String> {
        match oid {
            PG_CATALOG_OID => Some(PG_CATALOG.to_string()),
            INFORMATION_SCHEMA_OID => Some(INFORMATION_SCHEMA.to_string()),
            _ => self.snapshot.schema(oid).filter(|s| s.database == self.database).map(|s| s.name.clone()),
        }
    }

    /// The schemas searched for unqualified names, in order: `pg_catalog` first, as in
    /// PostgreSQL when the path does not name it.
    pub fn effective_path(&self) -> Vec<String> {
        std::iter::once(PG_CATALOG.to_string()).chain(self.search_path.iter().cloned()).collect()
    }

    /// The value of setting `name`.
    pub fn setting(&self, name: &str) -> Option<&str> {
        self.settings.iter().find(|(n, _, _)| n.eq_ignore_ascii_case(name)).map(|(_, v, _)| v.as_str())
    }
}

/// Every system table.
pub fn tables() -> impl Iterator<Item = &'static SystemTable> {
    relations::TABLES
        .iter()
        .chain(others::TABLES)
        .chain(info_schema::TABLES)
        .chain(sequences::TABLES)
        .chain(opclass::TABLES)
        .chain(procs::TABLES)
        .chain(stats::TABLES)
}

/// The system table `name` of schema `schema`; with no schema, a `pg_catalog` table
/// (PostgreSQL searches `pg_catalog` before the search path).
pub fn lookup(schema: Option<&str>, name: &str) -> Option<&'static SystemTable> {
    let schema = schema.unwrap_or(PG_CATALOG);
    tables().find(|t| t.schema == schema && t.name == name)
}

/// The system table with OID `oid`.
pub fn by_oid(oid: Oid) -> Option<&'static SystemTable> {
    tables().find(|t| t.oid == oid)
}

/// `table` as a table source over its current rows.
pub fn source(table: &SystemTable, view: &SystemView) -> datafusion::common::Result<Arc<dyn TableSource>> {
    let batch = table.batch(view)?;
    let mem = MemTable::try_new(batch.schema(), vec![vec![batch]])?;
    Ok(provider_as_source(Arc::new(mem)))
}
