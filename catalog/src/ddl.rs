//! Descriptions of DDL changes, produced by the frontends and applied by the engine.
//!
//! A frontend validates a statement against the catalog and describes the change with
//! these types (names, types and constraint names resolved, expressions as SQL text);
//! the engine allocates object ids and applies it inside the statement's transaction.

use crate::objects::{CheckConstraint, SchemaDef, TableDef};
use crate::types::{Oid, SqlType};
use std::sync::Arc;

/// A new column.
#[derive(Debug, Clone, PartialEq)]
pub struct NewColumn {
    pub name: String,
    pub ty: SqlType,
    pub not_null: bool,
    /// Default expression as SQL text.
    pub default: Option<String>,
    /// An identity column (its default then calls its sequence's `nextval`).
    pub identity: Option<crate::objects::Identity>,
}

/// A new primary-key or unique constraint (columns by name).
#[derive(Debug, Clone, PartialEq)]
pub struct NewKey {
    pub name: String,
    pub columns: Vec<String>,
}

/// A new CHECK constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCheck {
    pub name: String,
    /// Boolean expression as SQL text.
    pub expr: String,
}

/// CREATE TABLE, validated against the catalog.
#[derive(Debug, Clone)]
pub struct CreateTablePlan {
    pub schema: Arc<SchemaDef>,
    pub name: String,
    pub columns: Vec<NewColumn>,
    pub primary_key: Option<NewKey>,
    pub uniques: Vec<NewKey>,
    pub checks: Vec<NewCheck>,
    /// Set by `CREATE [EDGE] COLLECTION` (the columns are then the collection's).
    pub collection: Option<crate::objects::CollectionKind>,
    /// The sequences of serial columns, created with the table and owned by their column.
    pub serials: Vec<NewSerial>,
}

/// The sequence a serial column owns.
#[derive(Debug, Clone)]
pub struct NewSerial {
    pub column: String,
    /// The sequence's name (in the table's schema).
    pub sequence: String,
    pub def: crate::sequence::SequenceDef,
}

/// CREATE VIEW, validated.
#[derive(Debug, Clone)]
pub struct CreateViewPlan {
    pub schema: Arc<SchemaDef>,
    pub name: String,
    pub columns: Vec<(String, SqlType)>,
    /// The defining query as SQL text.
    pub sql: String,
    /// The existing view to replace (CREATE OR REPLACE).
    pub replace: Option<Arc<TableDef>>,
    /// Relations the query references directly.
    pub depends_on: Vec<Oid>,
}

/// One ALTER TABLE action.
#[derive(Debug, Clone)]
pub enum AlterOp {
    AddColumn {
        column: NewColumn,
        unique: Option<NewKey>,
        primary_key: Option<NewKey>,
        check: Option<NewCheck>,
    },
    DropColumn {
        name: String,
        cascade: bool,
    },
    /// Renames a column; `checks` and `indexes` are the table's CHECK constraints and
    /// indexes with their expressions rewritten for the new name.
    RenameColumn {
        old: String,
        new: String,
        checks: Vec<CheckConstraint>,
        indexes: Vec<crate::objects::IndexDef>,
    },
    RenameTable {
        new: String,
    },
    AddUnique(NewKey),
    AddPrimaryKey(NewKey),
    AddCheck(NewCheck),
    DropConstraint {
        name: String,
    },
    SetNotNull {
        column: String,
        not_null: bool,
    },
    SetDefault {
        column: String,
        default: Option<String>,
    },
    /// Nothing to do, with a notice (e.g. ADD COLUMN IF NOT EXISTS on an existing column).
    Skip {
        notice: String,
    },
}
