//! Sequence DDL: CREATE/ALTER SEQUENCE, serial columns' sequences, and what dropping a
//! sequence (or the column or table owning one) takes with it.
//!
//! The definition is a catalog object and changes with its transaction; the state
//! (`storage::sequences`) is not transactional: a new sequence's state and a RESTART are
//! stored at once.

use crate::engine::Engine;
use crate::storage::{Cf, Txn};
use quiverdb_catalog::ddl::NewSerial;
use quiverdb_catalog::sequence::{SeqState, SequenceDef, nextval_default, renamed_in_default};
use quiverdb_catalog::{CatalogChange, CatalogSnapshot, ColumnDef, Error, ErrorCode, Oid, RelationKind, Result, SqlType, TableDef};
use std::sync::Arc;

/// The columns a sequence shows as a relation (PostgreSQL's).
fn sequence_columns() -> Vec<ColumnDef> {
    [("last_value", SqlType::Int8), ("log_cnt", SqlType::Int8), ("is_called", SqlType::Bool)]
        .into_iter()
        .enumerate()
        .map(|(i, (name, ty))| ColumnDef::new(i as i16 + 1, name, ty, true, None))
        .collect()
}

impl Engine {
    /// Creates sequence `name` in schema `schema` and stores its initial state.
    pub fn create_sequence(&self, txn: &Txn, db: Oid, schema: Oid, name: &str, def: SequenceDef) -> Result<Arc<TableDef>> {
        let initial = def.initial();
        let oid = self.storage().allocate_oid();
        let mut seq = TableDef::with_columns(oid, db, schema, name.to_string(), RelationKind::Sequence, sequence_columns());
        seq.sequence = Some(def);
        txn.record_catalog(CatalogChange::PutRelation(seq.clone()))?;
        self.storage().sequences().set(&seq, initial)?;
        Ok(Arc::new(seq))
    }

    /// Creates the sequences of `table`'s serial columns, owned by them.
    pub(super) fn create_serials(&self, txn: &Txn, table: &TableDef, serials: &[NewSerial]) -> Result<()> {
        for s in serials {
            let column = table.column(&s.column).ok_or_else(|| Error::internal("serial column vanished"))?;
            let mut def = s.def.clone();
            def.owned_by = Some((table.oid, column.attnum));
            self.create_sequence(txn, table.database, table.schema, &s.sequence, def)?;
        }
        Ok(())
    }

    /// ALTER SEQUENCE: new options, a restart, or a new name (the defaults that call
    /// `nextval` of it by name follow the rename).
    pub fn alter_sequence(
        &self,
        txn: &Txn,
        catalog: &CatalogSnapshot,
        seq: &TableDef,
        def: SequenceDef,
        restart: Option<SeqState>,
        rename: Option<&str>,
    ) -> Result<()> {
        let mut next = seq.clone();
        next.sequence = Some(def);
        if let Some(new) = rename {
            let schema = catalog.schema(seq.schema).map(|s| s.name.clone()).unwrap_or_default();
            for table in catalog.relations_in_database(seq.database).filter(|t| t.is_table()) {
                let mut changed = (**table).clone();
                let mut any = false;
                for c in changed.columns.iter_mut() {
                    if let Some(d) = c.default.as_deref().and_then(|d| renamed_in_default(d, &schema, &seq.name, new)) {
                        c.default = Some(d);
                        any = true;
                    }
                }
                if any {
                    txn.record_catalog(CatalogChange::PutRelation(changed))?;
                }
            }
            next.name = new.to_string();
        }
        txn.record_catalog(CatalogChange::PutRelation(next.clone()))?;
        if let Some(state) = restart {
            self.storage().sequences().set(&next, state)?;
        }
        Ok(())
    }

    /// Restarts the sequences `table`'s columns own (TRUNCATE ... RESTART IDENTITY).
    pub fn restart_owned_sequences(&self, catalog: &CatalogSnapshot, table: &TableDef) -> Result<()> {
        for seq in table.owned_sequences(catalog) {
            if let Some(def) = &seq.sequence {
                self.storage().sequences().set(seq, def.initial())?;
            }
        }
        Ok(())
    }
}

/// Drops sequence `seq` in `txn` (its stored state goes at commit).
pub(super) fn drop_sequence(txn: &Txn, seq: &TableDef) -> Result<()> {
    txn.delete(Cf::Catalog, &crate::storage::sequences::state_key(seq.oid))?;
    txn.record_catalog(CatalogChange::DropRelation(seq.oid))?;
    Ok(())
}

/// The columns (table, attnum) outside `dropping` whose default draws from `seq`.
pub(super) fn dependent_defaults(catalog: &CatalogSnapshot, seq: &TableDef, dropping: &[Arc<TableDef>]) -> Vec<(Arc<TableDef>, i16)> {
    let schema = catalog.schema(seq.schema).map(|s| s.name.clone()).unwrap_or_default();
    let qualified = nextval_default(&schema, &seq.name);
    let bare = format!("nextval('{}'::regclass)", quiverdb_catalog::ident::quote_ident(&seq.name).replace('\'', "''"));
    let mut out = Vec::new();
    for t in catalog.relations_in_database(seq.database).filter(|t| t.is_table() && !dropping.iter().any(|d| d.oid == t.oid)) {
        for c in t.live_columns() {
            let Some(d) = c.default.as_deref() else { continue };
            if d.contains(&qualified) || (t.schema == seq.schema && d.contains(&bare)) {
                out.push((t.clone(), c.attnum));
            }
        }
    }
    out
}

/// 2BP01 for dropping `seq` while `column` of `table` draws from it.
pub(super) fn still_used(seq: &TableDef, table: &TableDef, attnum: i16) -> Error {
    let column = table.column_by_attnum(attnum).map(|c| c.name.clone()).unwrap_or_default();
    Error::new(ErrorCode::DependentObjectsStillExist, format!("cannot drop sequence {} because other objects depend on it", seq.name))
        .with_detail(format!("default value for column {column} of table {} depends on sequence {}", table.name, seq.name))
        .with_hint("Use DROP ... CASCADE to drop the dependent objects too.")
}
