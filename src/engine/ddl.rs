//! Applying DDL inside a transaction: new object ids, catalog changes, and the data work
//! some changes need (backfilling unique indexes, re-keying rows when the primary key
//! changes, checking NOT NULL, deleting a dropped table's rows).
//!
//! Everything goes through the transaction: the catalog changes and the data moves commit
//! or roll back together.

use crate::engine::{BATCH_SIZE, Engine};
use crate::exec::index_keys::KeySpec;
use crate::exec::rows::RowWriter;
use crate::storage::keycode::prefix_end;
use crate::storage::rowcodec::{RowDecoder, RowLayout};
use crate::storage::{Cf, Txn};
use datafusion::arrow::array::{Array, ArrayRef, RecordBatch};
use datafusion::arrow::datatypes::{Field, Schema};
use quiverdb_catalog::ddl::{AlterOp, CreateTablePlan, CreateViewPlan, NewColumn, NewKey};
use quiverdb_catalog::objects::{IndexDef, KeyConstraint};
use quiverdb_catalog::{
    CatalogChange, CatalogSnapshot, CheckConstraint, ColumnDef, DatabaseDef, Error, ErrorCode, Oid, RelationKind, Result, SchemaDef,
    TableDef, view::PUBLIC_SCHEMA,
};
use std::collections::HashSet;
use std::sync::Arc;

/// The row-key range of a table's rows.
fn rows_range(storage_id: u64) -> (Vec<u8>, Vec<u8>) {
    let start = storage_id.to_be_bytes().to_vec();
    let end = prefix_end(&start).unwrap_or_else(|| vec![0xFF; 9]);
    (start, end)
}

/// Deletes every row and index entry of `table` at commit.
fn delete_data(txn: &Txn, table: &TableDef) {
    let (s, e) = rows_range(table.storage_id);
    txn.delete_range(Cf::Rows, s, e);
    for id in table.index_ids() {
        delete_index(txn, id);
    }
}

/// Deletes every entry of index `index_id` at commit.
fn delete_index(txn: &Txn, index_id: u64) {
    let (s, e) = rows_range(index_id);
    txn.delete_range(Cf::Index, s, e);
}

/// A one-batch reader of all rows of a table (as the transaction sees them).
pub(super) struct RowScan {
    decoder: RowDecoder,
    schema: Arc<Schema>,
}

impl RowScan {
    pub(super) fn new(table: &TableDef) -> Self {
        let layout = Arc::new(RowLayout::new(table));
        let slots: Vec<usize> = table.live_columns().map(|c| c.attnum as usize - 1).collect();
        let fields: Vec<Field> = table.live_columns().map(|c| c.ty.to_field(&c.name, true)).collect();
        RowScan { decoder: RowDecoder::new(layout, slots, BATCH_SIZE), schema: Arc::new(Schema::new(fields)) }
    }

    /// Calls `f` with batches of (row keys, rows) until the table is exhausted.
    pub(super) fn for_each(mut self, txn: &Txn, table: &TableDef, mut f: impl FnMut(&[Vec<u8>], &RecordBatch) -> Result<()>) -> Result<()> {
        let (s, e) = rows_range(table.storage_id);
        let mut cursor = txn.scan(Cf::Rows, &s, Some(&e));
        let mut keys = Vec::new();
        loop {
            let item = cursor.item().map(|(k, v)| (k.to_vec(), v.to_vec()));
            let done = item.is_none();
            if let Some((k, v)) = item {
                self.decoder.push(&v)?;
                keys.push(k);
                cursor.next();
            }
            if (done && !keys.is_empty()) || keys.len() >= BATCH_SIZE {
                let batch = RecordBatch::try_new(self.schema.clone(), self.decoder.finish()).map_err(|e| Error::internal(e.to_string()))?;
                f(&keys, &batch)?;
                keys.clear();
            }
            if done {
                break;
            }
        }
        cursor.status()?;
        Ok(())
    }
}

impl Engine {
    /// Creates a table; returns its definition.
    pub fn create_table(&self, txn: &Txn, db: Oid, plan: &CreateTablePlan) -> Result<Arc<TableDef>> {
        let storage = self.storage();
        let columns: Vec<ColumnDef> = plan.columns.iter().enumerate().map(|(i, c)| new_column(i as i16 + 1, c)).collect();
        let attnums =
            |cols: &[String]| -> Vec<i16> { cols.iter().filter_map(|n| columns.iter().find(|c| &c.name == n).map(|c| c.attnum)).collect() };
        let primary_key = plan.primary_key.as_ref().map(|k| KeyConstraint::new(k.name.clone(), attnums(&k.columns), 0));
        let uniques =
            plan.uniques.iter().map(|k| KeyConstraint::new(k.name.clone(), attnums(&k.columns), storage.allocate_storage_id())).collect();
        let checks = plan.checks.iter().map(|c| CheckConstraint { name: c.name.clone(), oid: 0, expr: c.expr.clone() }).collect();
        let def = TableDef {
            oid: storage.allocate_oid(),
            database: db,
            schema: plan.schema.oid,
            name: plan.name.clone(),
            kind: RelationKind::Table,
            columns,
            primary_key,
            uniques,
            checks,
            storage_id: storage.allocate_storage_id(),
            view_sql: None,
            depends_on: vec![],
            indexes: vec![],
            stats: None,
            collection: plan.collection,
            sequence: None,
        };
        txn.record_catalog(CatalogChange::PutRelation(def.clone()))?;
        self.create_serials(txn, &def, &plan.serials)?;
        Ok(Arc::new(def))
    }

    /// Creates or replaces a view.
    pub fn create_view(&self, txn: &Txn, db: Oid, plan: &CreateViewPlan) -> Result<()> {
        let storage = self.storage();
        let oid = plan.replace.as_ref().map(|r| r.oid).unwrap_or_else(|| storage.allocate_oid());
        let columns =
            plan.columns.iter().enumerate().map(|(i, (n, t))| ColumnDef::new(i as i16 + 1, n.clone(), t.clone(), false, None)).collect();
        let mut def = TableDef::with_columns(oid, db, plan.schema.oid, plan.name.clone(), RelationKind::View, columns);
        def.view_sql = Some(plan.sql.clone());
        def.depends_on = plan.depends_on.clone();
        txn.record_catalog(CatalogChange::PutRelation(def))?;
        Ok(())
    }

    /// Drops tables, views or sequences. Dependent views, and defaults drawing from a
    /// dropped sequence, need `cascade`; the sequences a table's columns own go with it.
    pub fn drop_relations(&self, txn: &Txn, catalog: &CatalogSnapshot, targets: &[Arc<TableDef>], cascade: bool) -> Result<Vec<String>> {
        let mut notices = Vec::new();
        let mut to_drop: Vec<Arc<TableDef>> = targets.to_vec();
        let mut i = 0;
        while i < to_drop.len() {
            let t = to_drop[i].clone();
            for dep in catalog.relations().filter(|r| r.depends_on.contains(&t.oid)) {
                if to_drop.iter().any(|d| d.oid == dep.oid) {
                    continue;
                }
                if !cascade {
                    let kind = kind_name(&t);
                    return Err(Error::new(
                        ErrorCode::DependentObjectsStillExist,
                        format!("cannot drop {kind} {} because other objects depend on it", t.name),
                    )
                    .with_detail(format!("view {} depends on {kind} {}", dep.name, t.name))
                    .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
                }
                notices.push(format!("drop cascades to view {}", dep.name));
                to_drop.push(dep.clone());
            }
            for seq in t.owned_sequences(catalog) {
                if !to_drop.iter().any(|d| d.oid == seq.oid) {
                    to_drop.push(seq.clone());
                }
            }
            i += 1;
        }
        // Defaults of surviving tables that draw from a dropped sequence.
        let mut altered: Vec<TableDef> = Vec::new();
        for seq in to_drop.iter().filter(|t| t.is_sequence()) {
            for (table, attnum) in super::sequences::dependent_defaults(catalog, seq, &to_drop) {
                if !cascade {
                    return Err(super::sequences::still_used(seq, &table, attnum));
                }
                let pos = match altered.iter().position(|a| a.oid == table.oid) {
                    Some(p) => p,
                    None => {
                        altered.push((*table).clone());
                        altered.len() - 1
                    }
                };
                if let Some(c) = altered[pos].columns.iter_mut().find(|c| c.attnum == attnum) {
                    notices.push(format!("drop cascades to default value for column {} of table {}", c.name, table.name));
                    c.default = None;
                    c.default_oid = 0;
                }
            }
        }
        for def in altered {
            txn.record_catalog(CatalogChange::PutRelation(def))?;
        }
        for t in &to_drop {
            match t.kind {
                RelationKind::Table => delete_data(txn, t),
                RelationKind::Sequence => {
                    super::sequences::drop_sequence(txn, t)?;
                    continue;
                }
                RelationKind::View => {}
            }
            txn.record_catalog(CatalogChange::DropRelation(t.oid))?;
        }
        Ok(notices)
    }

    /// Empties tables: new storage and index ids, old ranges deleted at commit; with
    /// `restart_identity`, the sequences their columns own start over (at once: sequence
    /// states are not transactional).
    pub fn truncate(&self, txn: &Txn, catalog: &CatalogSnapshot, targets: &[Arc<TableDef>], restart_identity: bool) -> Result<()> {
        for t in targets {
            if restart_identity {
                self.restart_owned_sequences(catalog, t)?;
            }
            delete_data(txn, t);
            let mut def = (**t).clone();
            def.storage_id = self.storage().allocate_storage_id();
            for u in def.uniques.iter_mut() {
                u.index_id = self.storage().allocate_storage_id();
            }
            for i in def.indexes.iter_mut() {
                i.index_id = self.storage().allocate_storage_id();
            }
            txn.record_catalog(CatalogChange::PutRelation(def))?;
        }
        Ok(())
    }

    /// Creates a schema.
    pub fn create_schema(&self, txn: &Txn, db: Oid, name: &str) -> Result<()> {
        let oid = self.storage().allocate_oid();
        txn.record_catalog(CatalogChange::PutSchema(SchemaDef { oid, database: db, name: name.to_string() }))?;
        Ok(())
    }

    /// Drops schemas; non-empty ones need `cascade`.
    pub fn drop_schemas(&self, txn: &Txn, catalog: &CatalogSnapshot, schemas: &[Arc<SchemaDef>], cascade: bool) -> Result<Vec<String>> {
        let mut notices = Vec::new();
        for s in schemas {
            let rels: Vec<Arc<TableDef>> = catalog.relations_in(s.oid).cloned().collect();
            if !rels.is_empty() && !cascade {
                let r = &rels[0];
                return Err(Error::new(
                    ErrorCode::DependentObjectsStillExist,
                    format!("cannot drop schema {} because other objects depend on it", s.name),
                )
                .with_detail(format!("{} {}.{} depends on schema {}", kind_name(r), s.name, r.name, s.name))
                .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
            }
            if !rels.is_empty() {
                notices.extend(rels.iter().map(|r| format!("drop cascades to {} {}.{}", kind_name(r), s.name, r.name)));
                notices.extend(self.drop_relations(txn, catalog, &rels, true)?);
            }
            txn.record_catalog(CatalogChange::DropSchema(s.oid))?;
        }
        Ok(notices)
    }

    /// Creates a database with a `public` schema (in its own committed transaction).
    pub fn create_database(&self, txn: &Txn, name: &str) -> Result<()> {
        let storage = self.storage();
        let oid = storage.allocate_oid();
        txn.record_catalog(CatalogChange::PutDatabase(DatabaseDef { oid, name: name.to_string() }))?;
        txn.record_catalog(CatalogChange::PutSchema(SchemaDef { oid: storage.allocate_oid(), database: oid, name: PUBLIC_SCHEMA.into() }))?;
        Ok(())
    }

    /// Drops a database and everything in it.
    pub fn drop_database(&self, txn: &Txn, catalog: &CatalogSnapshot, db: &DatabaseDef) -> Result<()> {
        let others = self.sessions_in(db.oid);
        if others > 0 {
            return Err(Error::new(ErrorCode::ObjectInUse, format!("database \"{}\" is being accessed by other users", db.name))
                .with_detail(format!(
                    "There {} {others} other session{} using the database.",
                    if others == 1 { "is" } else { "are" },
                    if others == 1 { "" } else { "s" }
                )));
        }
        let rels: Vec<Arc<TableDef>> = catalog.relations_in_database(db.oid).cloned().collect();
        for r in &rels {
            match r.kind {
                RelationKind::Table => delete_data(txn, r),
                RelationKind::Sequence => {
                    super::sequences::drop_sequence(txn, r)?;
                    continue;
                }
                RelationKind::View => {}
            }
            txn.record_catalog(CatalogChange::DropRelation(r.oid))?;
        }
        for s in catalog.schemas_in(db.oid) {
            txn.record_catalog(CatalogChange::DropSchema(s.oid))?;
        }
        txn.record_catalog(CatalogChange::DropDatabase(db.oid))?;
        Ok(())
    }

    /// True when `table` has no rows (as `txn` sees it).
    pub fn is_empty(&self, txn: &Txn, table: &TableDef) -> Result<bool> {
        let (s, e) = rows_range(table.storage_id);
        let c = txn.scan(Cf::Rows, &s, Some(&e));
        c.status()?;
        Ok(c.item().is_none())
    }

    /// Applies ALTER TABLE actions; `missing` holds the encoded default of each added
    /// column (for existing rows), in the order of the AddColumn actions.
    pub fn alter_table(
        &self,
        txn: &Arc<Txn>,
        table: &Arc<TableDef>,
        ops: &[AlterOp],
        mut missing: Vec<Option<Vec<u8>>>,
    ) -> Result<Vec<String>> {
        let mut notices = Vec::new();
        let mut def = (**table).clone();
        let mut rekey = false;
        let mut new_uniques: Vec<String> = Vec::new();
        missing.reverse();
        for op in ops {
            match op {
                AlterOp::Skip { notice } => notices.push(notice.clone()),
                AlterOp::AddColumn { column, unique, primary_key, check } => {
                    let mut col = new_column(def.next_attnum(), column);
                    col.missing = missing.pop().flatten();
                    if col.not_null && col.missing.is_none() && !self.is_empty(txn, &def)? {
                        return Err(Error::new(
                            ErrorCode::NotNullViolation,
                            format!("column \"{}\" of relation \"{}\" contains null values", col.name, def.name),
                        ));
                    }
                    let attnum = col.attnum;
                    def.columns.push(col);
                    if let Some(k) = unique {
                        def.uniques.push(KeyConstraint::new(k.name.clone(), vec![attnum], self.storage().allocate_storage_id()));
                        new_uniques.push(k.name.clone());
                    }
                    if let Some(k) = primary_key {
                        def.primary_key = Some(KeyConstraint::new(k.name.clone(), vec![attnum], 0));
                        rekey = true;
                    }
                    if let Some(c) = check {
                        def.checks.push(CheckConstraint { name: c.name.clone(), oid: 0, expr: c.expr.clone() });
                    }
                }
                AlterOp::DropColumn { name, cascade } => {
                    let Some(attnum) = def.column(name).map(|c| c.attnum) else {
                        continue;
                    };
                    let live = def.live_columns().count();
                    if live == 1 {
                        // PostgreSQL allows zero-column tables; so do we.
                    }
                    let _ = cascade;
                    if def.primary_key.as_ref().is_some_and(|pk| pk.columns.contains(&attnum)) {
                        def.primary_key = None;
                        rekey = true;
                    }
                    let (drop_u, keep_u): (Vec<_>, Vec<_>) = def.uniques.drain(..).partition(|u| u.columns.contains(&attnum));
                    for u in drop_u {
                        delete_index(txn, u.index_id);
                    }
                    def.uniques = keep_u;
                    // As in PostgreSQL, indexes on a dropped column go with it.
                    let (drop_i, keep_i): (Vec<_>, Vec<_>) = def.indexes.drain(..).partition(|i| {
                        i.columns.contains(&attnum)
                            || i.exprs.iter().any(|e| mentions(&e.sql, name))
                            || i.predicate.as_ref().is_some_and(|p| mentions(p, name))
                    });
                    for i in drop_i {
                        delete_index(txn, i.index_id);
                    }
                    def.indexes = keep_i;
                    def.checks.retain(|c| !mentions(&c.expr, name));
                    // The sequence a (serial) column owns goes with it.
                    let catalog = txn.catalog(&self.storage().catalog());
                    for seq in table.owned_sequences(&catalog) {
                        if seq.sequence.as_ref().and_then(|d| d.owned_by) == Some((table.oid, attnum)) {
                            super::sequences::drop_sequence(txn, seq)?;
                        }
                    }
                    if let Some(c) = def.columns.iter_mut().find(|c| c.attnum == attnum) {
                        c.dropped = true;
                        c.name = format!("........pg.dropped.{attnum}........");
                        c.not_null = false;
                        c.default = None;
                    }
                }
                AlterOp::RenameColumn { old, new, checks, indexes } => {
                    if let Some(c) = def.columns.iter_mut().find(|c| !c.dropped && c.name == *old) {
                        c.name = new.clone();
                    }
                    def.checks = checks.clone();
                    def.indexes = indexes.clone();
                }
                AlterOp::RenameTable { new } => def.name = new.clone(),
                AlterOp::AddUnique(k) => {
                    let cols = attnums(&def, &k.columns);
                    def.uniques.push(KeyConstraint::new(k.name.clone(), cols, self.storage().allocate_storage_id()));
                    new_uniques.push(k.name.clone());
                }
                AlterOp::AddPrimaryKey(k) => {
                    let cols = attnums(&def, &k.columns);
                    for c in def.columns.iter_mut() {
                        if cols.contains(&c.attnum) {
                            c.not_null = true;
                        }
                    }
                    def.primary_key = Some(KeyConstraint::new(k.name.clone(), cols, 0));
                    rekey = true;
                }
                AlterOp::AddCheck(c) => def.checks.push(CheckConstraint { name: c.name.clone(), oid: 0, expr: c.expr.clone() }),
                AlterOp::DropConstraint { name } => {
                    if def.primary_key.as_ref().is_some_and(|pk| pk.name == *name) {
                        def.primary_key = None;
                        rekey = true;
                    }
                    if let Some(pos) = def.uniques.iter().position(|u| u.name == *name) {
                        let u = def.uniques.remove(pos);
                        delete_index(txn, u.index_id);
                    }
                    def.checks.retain(|c| c.name != *name);
                }
                AlterOp::SetNotNull { column, not_null } => {
                    if let Some(c) = def.columns.iter_mut().find(|c| !c.dropped && c.name == *column) {
                        c.not_null = *not_null;
                    }
                    if *not_null {
                        self.check_no_nulls(txn, &def, column)?;
                    }
                }
                AlterOp::SetDefault { column, default } => {
                    if let Some(c) = def.columns.iter_mut().find(|c| !c.dropped && c.name == *column) {
                        c.default = default.clone();
                    }
                }
            }
        }
        if rekey {
            def = self.rewrite_rows(txn, table, def)?;
        } else {
            for name in &new_uniques {
                if let Some(u) = def.uniques.iter().find(|u| u.name == *name).cloned() {
                    let index = IndexDef::on_columns(u.name, u.columns, true, u.index_id);
                    self.backfill_index(txn, &def, &index)?;
                }
            }
        }
        txn.record_catalog(CatalogChange::PutRelation(def))?;
        Ok(notices)
    }

    /// Fails with 23502 when `column` has a NULL in some row.
    fn check_no_nulls(&self, txn: &Txn, def: &TableDef, column: &str) -> Result<()> {
        let pos = def.live_columns().position(|c| c.name == column).ok_or_else(|| Error::internal("column vanished"))?;
        RowScan::new(def).for_each(txn, def, |_, batch| {
            if batch.column(pos).null_count() > 0 {
                return Err(Error::new(
                    ErrorCode::NotNullViolation,
                    format!("column \"{column}\" of relation \"{}\" contains null values", def.name),
                ));
            }
            Ok(())
        })
    }

    /// CREATE INDEX: records `index` (allocating its id) and builds its entries from the
    /// existing rows.
    pub fn create_index(&self, txn: &Txn, table: &TableDef, mut index: IndexDef) -> Result<()> {
        let mut def = table.clone();
        index.index_id = self.storage().allocate_storage_id();
        def.indexes.push(index.clone());
        self.backfill_index(txn, &def, &index)?;
        txn.record_catalog(CatalogChange::PutRelation(def))?;
        Ok(())
    }

    /// DROP INDEX: removes each (table, index name) and the index's entries.
    pub fn drop_indexes(&self, txn: &Txn, targets: &[(Arc<TableDef>, String)]) -> Result<()> {
        let mut tables: Vec<TableDef> = Vec::new();
        for (table, name) in targets {
            let pos = match tables.iter().position(|t| t.oid == table.oid) {
                Some(p) => p,
                None => {
                    tables.push((**table).clone());
                    tables.len() - 1
                }
            };
            let def = &mut tables[pos];
            let i = def
                .indexes
                .iter()
                .position(|i| i.name == *name)
                .ok_or_else(|| Error::new(ErrorCode::UndefinedObject, format!("index \"{name}\" does not exist")))?;
            delete_index(txn, def.indexes.remove(i).index_id);
        }
        for def in tables {
            txn.record_catalog(CatalogChange::PutRelation(def))?;
        }
        Ok(())
    }

    /// Builds the entries of index `u` of `def` from the existing rows; a unique index
    /// fails with 23505 on a duplicated key.
    fn backfill_index(&self, txn: &Txn, def: &TableDef, u: &IndexDef) -> Result<()> {
        let compiled = self.index_compiler().compile(def)?;
        let spec = KeySpec::of_index(def, u, &compiled)?;
        let mut seen: HashSet<Vec<u8>> = HashSet::new();
        RowScan::new(def).for_each(txn, def, |keys, batch| Ok(crate::exec::rows::backfill(txn, &spec, keys, batch, &mut seen)?))
    }

    /// Moves every row of `old` into a new storage id keyed by `new`'s primary key (or row
    /// ids), rebuilding unique indexes; returns `new` with its fresh ids.
    fn rewrite_rows(&self, txn: &Arc<Txn>, old: &TableDef, mut new: TableDef) -> Result<TableDef> {
        new.storage_id = self.storage().allocate_storage_id();
        for u in new.uniques.iter_mut() {
            delete_index(txn, u.index_id);
            u.index_id = self.storage().allocate_storage_id();
        }
        for i in new.indexes.iter_mut() {
            delete_index(txn, i.index_id);
            i.index_id = self.storage().allocate_storage_id();
        }
        let new = Arc::new(new);
        let compiled = self.index_compiler().compile(&new)?;
        let writer = RowWriter::new(txn.clone(), new.clone(), Arc::new(RowLayout::new(&new)), &compiled)?;
        // Rows of `old` decoded with the *new* definition's live columns: added columns
        // read as their missing values, dropped ones disappear.
        let mut reader = (*new).clone();
        reader.storage_id = old.storage_id;
        RowScan::new(&reader).for_each(txn, &reader, |_, batch| {
            let cols: Vec<ArrayRef> = batch.columns().to_vec();
            let batch = RecordBatch::try_new(batch.schema(), writer.coerce(cols)?).map_err(|e| Error::internal(e.to_string()))?;
            writer.check_not_null(&batch)?;
            let rows = writer.rows(batch)?;
            for i in 0..rows.batch.num_rows() {
                writer.insert_row(&rows, i)?;
            }
            Ok(())
        })?;
        delete_data(txn, old);
        Ok((*new).clone())
    }
}

/// A new column definition at `attnum`.
fn new_column(attnum: i16, c: &NewColumn) -> ColumnDef {
    ColumnDef { identity: c.identity, ..ColumnDef::new(attnum, c.name.clone(), c.ty.clone(), c.not_null, c.default.clone()) }
}

/// How PostgreSQL names the kind of `r` in messages.
fn kind_name(r: &TableDef) -> &'static str {
    match r.kind {
        RelationKind::Table => "table",
        RelationKind::View => "view",
        RelationKind::Sequence => "sequence",
    }
}

fn attnums(def: &TableDef, names: &[String]) -> Vec<i16> {
    names.iter().filter_map(|n| def.column(n).map(|c| c.attnum)).collect()
}

/// True when the SQL expression text mentions identifier `name`.
fn mentions(expr: &str, name: &str) -> bool {
    expr.to_lowercase().split(|c: char| !(c.is_alphanumeric() || c == '_')).any(|w| w == name)
}

/// Keeps `NewKey` nameable for callers building ALTER actions.
pub type Key = NewKey;
