//! Catalog objects: databases, schemas, tables and views.
//!
//! Objects are plain serializable values. The storage layer persists each one as JSON under
//! its OID in the catalog column family; [`crate::CatalogSnapshot`] indexes them in memory.
//!
//! Columns keep a stable `attnum` (1-based, never reused) that is also their physical slot in
//! stored rows: `ALTER TABLE ... DROP COLUMN` only marks the column dropped (like
//! PostgreSQL's `attisdropped`), and `ADD COLUMN` appends a new attnum. Rows written before
//! a column was added read that column as its `missing` value.

use crate::types::{Oid, SqlType};
use serde::{Deserialize, Serialize};

/// Longest identifier PostgreSQL keeps (NAMEDATALEN - 1); longer names are truncated.
pub const MAX_IDENTIFIER_LEN: usize = 63;

/// A database: a namespace of schemas. Sessions connect to exactly one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatabaseDef {
    pub oid: Oid,
    pub name: String,
}

/// A schema inside a database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchemaDef {
    pub oid: Oid,
    pub database: Oid,
    pub name: String,
}

/// What kind of relation a [`TableDef`] describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RelationKind {
    /// A table with typed columns stored in the rows column family.
    Table,
    /// A view: a stored query, expanded when referenced.
    View,
    /// A sequence ([`TableDef::sequence`] holds its options); its columns are PostgreSQL's
    /// `last_value`, `log_cnt` and `is_called`, read from its current state.
    Sequence,
}

/// What a collection's documents are (`CREATE [EDGE] COLLECTION`); a collection is a
/// table with the columns `_key text` (primary key), `_id text`, `doc jsonb` (the whole
/// document, carrying `_key`, `_id` and `_rev` too) and, for edges, `_from text` and
/// `_to text`. The write path keeps the columns and the document's system attributes in
/// step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CollectionKind {
    /// Plain documents.
    Document,
    /// Edges: every document carries `_from` and `_to` document ids.
    Edge,
}

impl CollectionKind {
    /// The system columns of a collection of this kind, in attnum order.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            CollectionKind::Document => &["_key", "_id", "doc"],
            CollectionKind::Edge => &["_key", "_id", "doc", "_from", "_to"],
        }
    }
}

/// A column of a table or view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnDef {
    /// 1-based position in the physical row; stable for the column's lifetime.
    pub attnum: i16,
    pub name: String,
    pub ty: SqlType,
    pub not_null: bool,
    /// Default expression as SQL text, planned when a row needs it.
    pub default: Option<String>,
    /// OID of the default as a catalog object (`pg_attrdef.oid`); `0` until assigned.
    #[serde(default)]
    pub default_oid: Oid,
    /// Dropped columns keep their slot but are invisible.
    pub dropped: bool,
    /// Encoded value read for rows stored before this column existed (ADD COLUMN DEFAULT).
    pub missing: Option<Vec<u8>>,
}

impl ColumnDef {
    /// A live column; its default OID is assigned when the table is recorded.
    pub fn new(attnum: i16, name: impl Into<String>, ty: SqlType, not_null: bool, default: Option<String>) -> Self {
        ColumnDef { attnum, name: name.into(), ty, not_null, default, default_oid: 0, dropped: false, missing: None }
    }
}

/// A primary-key or unique constraint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyConstraint {
    pub name: String,
    /// The constraint's OID (`pg_constraint.oid`); `0` until the storage layer assigns
    /// one when the definition is recorded.
    #[serde(default)]
    pub oid: Oid,
    /// OID of the constraint's index as a relation (`pg_class`, `pg_index.indexrelid`).
    #[serde(default)]
    pub index_oid: Oid,
    /// attnums of the key columns, in key order.
    pub columns: Vec<i16>,
    /// Key prefix of this constraint's index entries (unused for the primary key, whose
    /// index is the table's row key itself).
    pub index_id: u64,
}

impl KeyConstraint {
    /// A constraint on `columns` whose OIDs are assigned when it is recorded.
    pub fn new(name: String, columns: Vec<i16>, index_id: u64) -> Self {
        KeyConstraint { name, oid: 0, index_oid: 0, columns, index_id }
    }
}

/// A secondary index made by `CREATE [UNIQUE] INDEX` (constraint indexes live in
/// [`KeyConstraint`]).
///
/// Entries are keyed `index_id ++ key values ++ row-key suffix` and hold the row-key suffix
/// (the row key without the table's storage prefix). A unique index leaves the suffix out
/// of the key unless a key value is NULL (NULLs never conflict), so that a duplicate key
/// collides on the same storage key.
///
/// As in PostgreSQL's `pg_index.indkey`, an expression key has attnum `0` in `columns`;
/// its expression is the next unused entry of `exprs`. A partial index (`WHERE`) holds
/// entries only for the rows its `predicate` is true for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexDef {
    pub name: String,
    /// The index's OID as a relation (`pg_class`, `pg_index.indexrelid`); `0` until
    /// assigned when the definition is recorded.
    #[serde(default)]
    pub oid: Oid,
    /// attnums of the key columns, in key order; `0` for an expression key.
    pub columns: Vec<i16>,
    pub unique: bool,
    /// Key prefix of the entries.
    pub index_id: u64,
    /// The expression keys, in key order.
    #[serde(default)]
    pub exprs: Vec<IndexExpr>,
    /// The partial index's predicate, as SQL text over the table's columns.
    #[serde(default)]
    pub predicate: Option<String>,
}

impl IndexDef {
    /// A plain index over columns `columns`.
    pub fn on_columns(name: String, columns: Vec<i16>, unique: bool, index_id: u64) -> Self {
        IndexDef { name, oid: 0, columns, unique, index_id, exprs: vec![], predicate: None }
    }

    /// True when a key is an expression or the index is partial (its entries then need
    /// compiled expressions to be computed).
    pub fn has_expressions(&self) -> bool {
        !self.exprs.is_empty() || self.predicate.is_some()
    }
}

/// An expression key of an index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexExpr {
    /// SQL text over the table's columns.
    pub sql: String,
    /// The type of its values (the key's encoding).
    pub ty: SqlType,
}

/// A CHECK constraint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckConstraint {
    pub name: String,
    /// The constraint's OID (`pg_constraint.oid`); `0` until assigned.
    #[serde(default)]
    pub oid: Oid,
    /// Boolean expression as SQL text.
    pub expr: String,
}

/// A table or view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableDef {
    pub oid: Oid,
    pub database: Oid,
    pub schema: Oid,
    pub name: String,
    pub kind: RelationKind,
    /// Every column ever added, dropped ones included, ordered by attnum.
    pub columns: Vec<ColumnDef>,
    /// The primary key; `None` means rows are keyed by a hidden row id.
    pub primary_key: Option<KeyConstraint>,
    pub uniques: Vec<KeyConstraint>,
    pub checks: Vec<CheckConstraint>,
    /// Key prefix of the rows (like PostgreSQL's relfilenode: TRUNCATE assigns a new one).
    pub storage_id: u64,
    /// The defining query of a view.
    pub view_sql: Option<String>,
    /// Relations a view references directly (DROP needs CASCADE while they exist).
    #[serde(default)]
    pub depends_on: Vec<Oid>,
    /// Indexes made by CREATE INDEX.
    #[serde(default)]
    pub indexes: Vec<IndexDef>,
    /// Planner statistics from the last `ANALYZE` (none before the first); persisted by
    /// their own catalog entry (`CatalogChange::PutStats`), not with the definition.
    #[serde(default, skip_serializing)]
    pub stats: Option<TableStats>,
    /// Set for document and edge collections (`CREATE [EDGE] COLLECTION`).
    #[serde(default)]
    pub collection: Option<CollectionKind>,
    /// The options of a sequence (set exactly for [`RelationKind::Sequence`]).
    #[serde(default)]
    pub sequence: Option<crate::sequence::SequenceDef>,
}

/// What `ANALYZE` records about a table for the planner's cost choice.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TableStats {
    /// Rows at the time of ANALYZE.
    pub rows: u64,
    /// Per key column (of the primary key or any index).
    pub columns: Vec<ColumnStats>,
    /// Per secondary index.
    pub indexes: Vec<IndexStats>,
}

/// Statistics of one column.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ColumnStats {
    pub attnum: i16,
    /// Rows where the column is NULL.
    pub nulls: u64,
    /// Equi-depth histogram of the non-NULL values: sorted bounds in the order-preserving
    /// key encoding, each bucket holding about the same number of rows.
    pub bounds: Vec<Vec<u8>>,
}

/// Statistics of one secondary index.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IndexStats {
    pub index_id: u64,
    /// Distinct values of each key prefix: `distinct[i]` counts the first `i + 1` columns.
    pub distinct: Vec<u64>,
}

impl TableDef {
    /// A relation of `kind` with `columns` and nothing else: no keys, constraints,
    /// indexes, storage, view query or sequence options.
    pub fn with_columns(oid: Oid, database: Oid, schema: Oid, name: String, kind: RelationKind, columns: Vec<ColumnDef>) -> Self {
        TableDef {
            oid,
            database,
            schema,
            name,
            kind,
            columns,
            primary_key: None,
            uniques: vec![],
            checks: vec![],
            storage_id: 0,
            view_sql: None,
            depends_on: vec![],
            indexes: vec![],
            stats: None,
            collection: None,
            sequence: None,
        }
    }

    /// Gives every constraint and index whose OID is still `0` a new one from `allocate`
    /// (called when a definition is recorded, and once for catalogs written before
    /// these objects had OIDs); returns whether any was assigned.
    pub fn assign_oids(&mut self, mut allocate: impl FnMut() -> Oid) -> bool {
        let mut assigned = false;
        let mut fill = |oid: &mut Oid| {
            if *oid == 0 {
                *oid = allocate();
                assigned = true;
            }
        };
        for k in self.primary_key.iter_mut().chain(self.uniques.iter_mut()) {
            fill(&mut k.oid);
            fill(&mut k.index_oid);
        }
        for i in &mut self.indexes {
            fill(&mut i.oid);
        }
        for c in &mut self.checks {
            fill(&mut c.oid);
        }
        for c in self.columns.iter_mut().filter(|c| c.default.is_some()) {
            fill(&mut c.default_oid);
        }
        assigned
    }

    /// The largest OID the relation, its constraints and its indexes use.
    pub fn max_oid(&self) -> Oid {
        let keys = self.primary_key.iter().chain(&self.uniques).flat_map(|k| [k.oid, k.index_oid]);
        let others =
            self.indexes.iter().map(|i| i.oid).chain(self.checks.iter().map(|c| c.oid)).chain(self.columns.iter().map(|c| c.default_oid));
        keys.chain(others).fold(self.oid, Oid::max)
    }

    /// Whether some constraint or index has no OID yet (see [`TableDef::assign_oids`]).
    pub fn has_unassigned_oids(&self) -> bool {
        self.primary_key.iter().chain(&self.uniques).any(|k| k.oid == 0 || k.index_oid == 0)
            || self.indexes.iter().any(|i| i.oid == 0)
            || self.checks.iter().any(|c| c.oid == 0)
            || self.columns.iter().any(|c| c.default.is_some() && c.default_oid == 0)
    }

    /// Index ids of every secondary index: unique constraints' and CREATE INDEX's.
    pub fn index_ids(&self) -> impl Iterator<Item = u64> + '_ {
        self.uniques.iter().map(|u| u.index_id).chain(self.indexes.iter().map(|i| i.index_id))
    }

    /// Names this table's indexes occupy in its schema (constraint indexes included).
    pub fn index_names(&self) -> impl Iterator<Item = &str> {
        self.primary_key.iter().chain(&self.uniques).map(|k| k.name.as_str()).chain(self.indexes.iter().map(|i| i.name.as_str()))
    }

    /// The visible columns as a DataFusion schema under `qualifier` (what DML inputs,
    /// RETURNING and CHECK expressions are written against).
    pub fn qualified_schema(&self, qualifier: &str) -> datafusion::common::Result<datafusion::common::DFSchemaRef> {
        let fields: Vec<_> = self.live_columns().map(|c| c.ty.to_field(&c.name, !c.not_null)).collect();
        let schema = datafusion::arrow::datatypes::Schema::new(fields);
        Ok(std::sync::Arc::new(datafusion::common::DFSchema::try_from_qualified_schema(qualifier, &schema)?))
    }

    /// The visible (not dropped) columns in attnum order.
    pub fn live_columns(&self) -> impl Iterator<Item = &ColumnDef> {
        self.columns.iter().filter(|c| !c.dropped)
    }

    /// Number of visible columns.
    pub fn live_column_count(&self) -> usize {
        self.live_columns().count()
    }

    /// The visible column named `name`.
    pub fn column(&self, name: &str) -> Option<&ColumnDef> {
        self.live_columns().find(|c| c.name == name)
    }

    /// The column with attnum `attnum`, dropped or not.
    pub fn column_by_attnum(&self, attnum: i16) -> Option<&ColumnDef> {
        self.columns.iter().find(|c| c.attnum == attnum)
    }

    /// Position of the column with `attnum` among the live columns.
    pub fn live_position(&self, attnum: i16) -> Option<usize> {
        self.live_columns().position(|c| c.attnum == attnum)
    }

    /// The next attnum for a new column.
    pub fn next_attnum(&self) -> i16 {
        self.columns.iter().map(|c| c.attnum).max().unwrap_or(0) + 1
    }

    /// True for views.
    pub fn is_view(&self) -> bool {
        self.kind == RelationKind::View
    }

    /// True for sequences.
    pub fn is_sequence(&self) -> bool {
        self.kind == RelationKind::Sequence
    }

    /// True for tables (not views or sequences).
    pub fn is_table(&self) -> bool {
        self.kind == RelationKind::Table
    }

    /// The sequences owned by this table's columns (serial columns, `OWNED BY`) in
    /// `snapshot`.
    pub fn owned_sequences<'a>(&self, snapshot: &'a crate::CatalogSnapshot) -> impl Iterator<Item = &'a std::sync::Arc<TableDef>> + 'a {
        let oid = self.oid;
        snapshot.relations_in(self.schema).filter(move |r| r.sequence.as_ref().and_then(|s| s.owned_by).is_some_and(|(t, _)| t == oid))
    }

    /// Every constraint name used by this table.
    pub fn constraint_names(&self) -> impl Iterator<Item = &str> {
        self.primary_key.iter().chain(self.uniques.iter()).map(|k| k.name.as_str()).chain(self.checks.iter().map(|c| c.name.as_str()))
    }
}

/// Truncates an identifier to PostgreSQL's maximum length at a character boundary.
pub fn truncate_identifier(name: &str) -> String {
    if name.len() <= MAX_IDENTIFIER_LEN {
        return name.to_string();
    }
    let mut end = MAX_IDENTIFIER_LEN;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_respects_char_boundaries() {
        let long = "é".repeat(40); // 80 bytes
        let t = truncate_identifier(&long);
        assert!(t.len() <= MAX_IDENTIFIER_LEN);
        assert_eq!(t.chars().count(), 31);
        assert_eq!(truncate_identifier("abc"), "abc");
    }
}
