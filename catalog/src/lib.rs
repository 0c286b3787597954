//! QuiverDB's catalog crate: the object model the frontends plan against. No I/O.
//!
//! * [`types`] — the PostgreSQL column types and their Arrow representation.
//! * [`pgvalue`] — PostgreSQL's text and binary formats for scalar values.
//! * [`objects`] / [`snapshot`] — databases, schemas, tables, views; the immutable in-memory
//!   catalog and the changes DDL records.
//! * [`system`] — the `pg_catalog` and `information_schema` tables and the catalog
//!   functions clients call (`pg_table_is_visible`, `format_type`, `::regclass`, ...).
//! * [`role`] — roles (users) and their attributes; passwords only as verifiers.
//! * [`ident`] — identifier quoting as PostgreSQL prints it.
//! * [`view`] — the [`CatalogView`] trait through which planners resolve names.
//! * [`plan`] — logical extension nodes (`TableModify`, ...).
//! * [`error`] — protocol-neutral error codes; the wire layer maps them to SQLSTATEs.

pub mod ddl;
pub mod error;
pub mod format;
pub mod ident;
pub mod input;
pub mod objects;
pub mod pgvalue;
pub mod plan;
pub mod role;
pub mod sequence;
pub mod snapshot;
pub mod system;
pub mod types;
pub mod view;

pub use error::{Error, ErrorCode, Result};
pub use objects::{CheckConstraint, CollectionKind, ColumnDef, DatabaseDef, Identity, KeyConstraint, RelationKind, SchemaDef, TableDef};
pub use role::RoleDef;
pub use snapshot::{CatalogChange, CatalogSnapshot};
pub use types::{Oid, SqlType};
pub use view::CatalogView;
