//! Row-level writes with constraint enforcement, shared by every DML path.
//!
//! [`RowWriter`] turns one row of a batch (the table's live columns) into its stored key
//! and value, checks the primary key and unique constraints (and unique indexes) against
//! what the transaction sees, and records the row and all its index entries in the
//! transaction.

use crate::engine::index_exprs::CompiledIndex;
use crate::exec::index_keys::{KeySpec, KeyValues};
use crate::storage::rowcodec::{RowDecoder, RowLayout};
use crate::storage::{Cf, Txn, WriteKind};
use datafusion::arrow::array::{Array, ArrayRef, RecordBatch, StringArray, make_array};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::common::Result;
use quiverdb_catalog::pgvalue::FormatSettings;
use quiverdb_catalog::{Error, ErrorCode, SqlType, TableDef};
use std::collections::HashSet;
use std::sync::Arc;

/// A batch of rows to write or delete (the table's live columns) with the values of every
/// key computed, from [`RowWriter::rows`].
pub struct Rows {
    pub batch: RecordBatch,
    pk: Option<KeyValues>,
    uniques: Vec<KeyValues>,
    plain: Vec<KeyValues>,
}

/// Writes rows of one table into one transaction.
pub struct RowWriter {
    txn: Arc<Txn>,
    table: Arc<TableDef>,
    layout: Arc<RowLayout>,
    /// Slot of each live column.
    live_slots: Vec<usize>,
    types: Vec<SqlType>,
    pk: Option<KeySpec>,
    /// Unique constraints and unique indexes.
    uniques: Vec<KeySpec>,
    /// Non-unique indexes.
    plain: Vec<KeySpec>,
    prefix: [u8; 8],
}

impl RowWriter {
    /// A writer for `table` in `txn`; `compiled` holds the compiled expressions of its
    /// expression and partial indexes.
    pub fn new(txn: Arc<Txn>, table: Arc<TableDef>, layout: Arc<RowLayout>, compiled: &[Arc<CompiledIndex>]) -> Result<Self> {
        let live: Vec<_> = table.live_columns().collect();
        let live_slots = live.iter().map(|c| c.attnum as usize - 1).collect();
        let types = live.iter().map(|c| c.ty.clone()).collect();
        let pk = table.primary_key.as_ref().map(|k| KeySpec::on_columns(&table, &k.name, &k.columns, k.index_id, true));
        let (uniques, plain) = KeySpec::secondary(&table, compiled)?.into_iter().partition(|k| k.unique);
        let prefix = table.storage_id.to_be_bytes();
        txn.validate_relation(table.oid);
        Ok(RowWriter { txn, table, layout, live_slots, types, pk, uniques, plain, prefix })
    }

    /// The table.
    pub fn table(&self) -> &Arc<TableDef> {
        &self.table
    }

    /// `batch` (the live columns) with the values of every key computed.
    pub fn rows(&self, batch: RecordBatch) -> Result<Rows> {
        let pk = self.pk.as_ref().map(|k| k.evaluate(&batch)).transpose()?;
        let uniques = self.uniques.iter().map(|k| k.evaluate(&batch)).collect::<Result<_>>()?;
        let plain = self.plain.iter().map(|k| k.evaluate(&batch)).collect::<Result<_>>()?;
        Ok(Rows { batch, pk, uniques, plain })
    }

    /// Applies assignment rules: `varchar(n)` must fit, `char(n)` is blank-padded to `n`; a
    /// column whose Arrow type differs from the table's only in field metadata (an array
    /// of `numeric` built without the element's type tag) takes the table's type.
    pub fn coerce(&self, mut columns: Vec<ArrayRef>) -> Result<Vec<ArrayRef>> {
        for (column, ty) in columns.iter_mut().zip(&self.types) {
            let want = ty.to_arrow();
            if column.data_type() != &want && column.data_type().equals_datatype(&want) {
                *column = make_array(column.to_data().into_builder().data_type(want).build()?);
            }
        }
        for (i, ty) in self.types.iter().enumerate() {
            let limit = match ty {
                SqlType::Varchar(Some(n)) | SqlType::Char(n) => *n as usize,
                _ => continue,
            };
            let Some(strings) = columns[i].as_any().downcast_ref::<StringArray>() else {
                continue;
            };
            let mut changed = false;
            let mut out: Vec<Option<String>> = Vec::with_capacity(strings.len());
            for v in strings.iter() {
                let Some(s) = v else {
                    out.push(None);
                    continue;
                };
                let len = s.chars().count();
                let mut s = s.to_string();
                if len > limit {
                    // Trailing spaces beyond the limit are dropped silently, as in PostgreSQL.
                    let trimmed: String = s.chars().take(limit).collect();
                    if s.chars().skip(limit).any(|c| c != ' ') {
                        let name = if matches!(ty, SqlType::Char(_)) { "character" } else { "character varying" };
                        return Err(
                            Error::new(ErrorCode::StringDataRightTruncation, format!("value too long for type {name}({limit})")).into()
                        );
                    }
                    s = trimmed;
                    changed = true;
                }
                if let SqlType::Char(_) = ty {
                    let len = s.chars().count();
                    if len < limit {
                        s.extend(std::iter::repeat_n(' ', limit - len));
                        changed = true;
                    }
                }
                out.push(Some(s));
            }
            if changed {
                columns[i] = Arc::new(StringArray::from(out));
            }
        }
        Ok(columns)
    }

    /// Fails with 23502 when a NOT NULL column holds a NULL.
    pub fn check_not_null(&self, rows: &RecordBatch) -> Result<()> {
        for (i, c) in self.table.live_columns().enumerate() {
            if c.not_null && rows.column(i).null_count() > 0 {
                let col = rows.column(i);
                let row = (0..col.len()).find(|r| col.is_null(*r)).unwrap_or(0);
                return Err(Error::new(
                    ErrorCode::NotNullViolation,
                    format!("null value in column \"{}\" of relation \"{}\" violates not-null constraint", c.name, self.table.name),
                )
                .with_detail(format!("Failing row contains ({}).", row_text(rows, row)))
                .with_object(&self.table, Some(&c.name), None)
                .into());
            }
        }
        Ok(())
    }

    /// The stored key of row `i`: storage prefix ++ primary key, or a new row id.
    fn row_key(&self, rows: &Rows, i: usize) -> Result<Vec<u8>> {
        let mut key = self.prefix.to_vec();
        match (&self.pk, &rows.pk) {
            (Some(pk), Some(values)) => {
                values.put(pk, &mut key, i)?;
            }
            _ => {
                let id = self.txn.storage().allocate_rowid(self.table.storage_id)?;
                key.extend_from_slice(&id.to_be_bytes());
            }
        }
        Ok(key)
    }

    /// The stored value of row `i`.
    fn encode(&self, rows: &RecordBatch, i: usize) -> Result<Vec<u8>> {
        let mut cols: Vec<Option<&ArrayRef>> = vec![None; self.layout.slots()];
        for (pos, slot) in self.live_slots.iter().enumerate() {
            cols[*slot] = Some(rows.column(pos));
        }
        let mut out = Vec::new();
        self.layout.encode(&cols, i, &mut out)?;
        Ok(out)
    }

    /// The entry key of non-unique index `k` for row `i` (always ends with the row key).
    fn plain_key(k: &KeySpec, values: &KeyValues, i: usize, row_key: &[u8]) -> Result<Vec<u8>> {
        let mut key = k.index_id.to_be_bytes().to_vec();
        values.put(k, &mut key, i)?;
        key.extend_from_slice(&row_key[8..]);
        Ok(key)
    }

    /// The entry key of unique index `k` for row `i`, and whether it contains a NULL.
    fn index_key(k: &KeySpec, values: &KeyValues, i: usize, row_key: &[u8]) -> Result<(Vec<u8>, bool)> {
        let mut key = k.index_id.to_be_bytes().to_vec();
        let has_null = values.put(k, &mut key, i)?;
        if has_null {
            key.extend_from_slice(&row_key[8..]);
        }
        Ok((key, has_null))
    }

    fn unique_violation(&self, k: &KeySpec, values: &KeyValues, i: usize) -> datafusion::error::DataFusionError {
        Error::new(ErrorCode::UniqueViolation, format!("duplicate key value violates unique constraint \"{}\"", k.name))
            .with_detail(format!("{} already exists.", k.describe(values, i)))
            .with_object(&self.table, None, Some(&k.name))
            .into()
    }

    /// Inserts row `i`; fails with 23505 when a key exists. Returns the row key.
    pub fn insert_row(&self, rows: &Rows, i: usize) -> Result<Vec<u8>> {
        let key = self.row_key(rows, i)?;
        let value = self.encode(&rows.batch, i)?;
        match (&self.pk, &rows.pk) {
            (Some(pk), Some(values)) => {
                if self.txn.get(Cf::Rows, &key)?.is_some() {
                    return Err(self.unique_violation(pk, values, i));
                }
                let kind = WriteKind::Insert { constraint: pk.name.clone(), detail: format!("{} already exists.", pk.describe(values, i)) };
                self.txn.write(Cf::Rows, &key, Some(value), kind)?;
            }
            _ => self.txn.put(Cf::Rows, &key, value)?,
        }
        for (u, values) in self.uniques.iter().zip(&rows.uniques) {
            self.add_unique_entry(u, values, i, &key)?;
        }
        for (p, values) in self.plain.iter().zip(&rows.plain) {
            if values.included(i) {
                self.txn.put(Cf::Index, &Self::plain_key(p, values, i, &key)?, key[8..].to_vec())?;
            }
        }
        Ok(key)
    }

    /// Adds row `i`'s entry to unique index `u` (none when a partial index excludes it).
    fn add_unique_entry(&self, u: &KeySpec, values: &KeyValues, i: usize, row_key: &[u8]) -> Result<()> {
        if !values.included(i) {
            return Ok(());
        }
        let (ikey, has_null) = Self::index_key(u, values, i, row_key)?;
        let value = row_key[8..].to_vec();
        if has_null {
            self.txn.put(Cf::Index, &ikey, value)?;
            return Ok(());
        }
        if self.txn.get(Cf::Index, &ikey)?.is_some() {
            return Err(self.unique_violation(u, values, i));
        }
        let kind = WriteKind::Insert { constraint: u.name.clone(), detail: format!("{} already exists.", u.describe(values, i)) };
        self.txn.write(Cf::Index, &ikey, Some(value), kind)?;
        Ok(())
    }

    /// Replaces the row stored at `old_key` with row `i` of `rows`.
    pub fn update_row(&self, old_key: &[u8], rows: &Rows, i: usize) -> Result<()> {
        let old = self.rows(self.read_row(old_key, &rows.batch.schema())?)?;
        let new_key = match &self.pk {
            Some(_) => self.row_key(rows, i)?,
            None => old_key.to_vec(),
        };
        let value = self.encode(&rows.batch, i)?;
        if new_key.as_slice() != old_key {
            let (Some(pk), Some(values)) = (&self.pk, &rows.pk) else {
                return Err(Error::internal("row key changed without a primary key").into());
            };
            if self.txn.get(Cf::Rows, &new_key)?.is_some() {
                return Err(self.unique_violation(pk, values, i));
            }
            self.txn.delete(Cf::Rows, old_key)?;
            let kind = WriteKind::Insert { constraint: pk.name.clone(), detail: format!("{} already exists.", pk.describe(values, i)) };
            self.txn.write(Cf::Rows, &new_key, Some(value), kind)?;
        } else {
            self.txn.put(Cf::Rows, &new_key, value)?;
        }
        for ((u, new), old) in self.uniques.iter().zip(&rows.uniques).zip(&old.uniques) {
            let old_ik = old.included(0).then(|| Self::index_key(u, old, 0, old_key)).transpose()?.map(|k| k.0);
            let new_ik = new.included(i).then(|| Self::index_key(u, new, i, &new_key)).transpose()?.map(|k| k.0);
            if old_ik == new_ik && old_key == new_key.as_slice() {
                continue;
            }
            if let Some(k) = old_ik {
                self.txn.delete(Cf::Index, &k)?;
            }
            self.add_unique_entry(u, new, i, &new_key)?;
        }
        for ((p, new), old) in self.plain.iter().zip(&rows.plain).zip(&old.plain) {
            let old_ik = old.included(0).then(|| Self::plain_key(p, old, 0, old_key)).transpose()?;
            let new_ik = new.included(i).then(|| Self::plain_key(p, new, i, &new_key)).transpose()?;
            if old_ik != new_ik {
                if let Some(k) = old_ik {
                    self.txn.delete(Cf::Index, &k)?;
                }
                if let Some(k) = new_ik {
                    self.txn.put(Cf::Index, &k, new_key[8..].to_vec())?;
                }
            }
        }
        Ok(())
    }

    /// Deletes the row at `key` whose values are row `i` of `rows`.
    pub fn delete_row(&self, key: &[u8], rows: &Rows, i: usize) -> Result<()> {
        self.txn.delete(Cf::Rows, key)?;
        for (u, values) in self.uniques.iter().zip(&rows.uniques) {
            if values.included(i) {
                self.txn.delete(Cf::Index, &Self::index_key(u, values, i, key)?.0)?;
            }
        }
        for (p, values) in self.plain.iter().zip(&rows.plain) {
            if values.included(i) {
                self.txn.delete(Cf::Index, &Self::plain_key(p, values, i, key)?)?;
            }
        }
        Ok(())
    }

    /// The key of the stored row that row `i` conflicts with on the constraint whose
    /// columns are `target` (any constraint when empty), if any.
    pub fn find_conflict(&self, rows: &Rows, i: usize, target: &[i16]) -> Result<Option<Vec<u8>>> {
        let matches = |cols: &[i16]| target.is_empty() || cols == target;
        if let Some(pk) = &self.pk
            && matches(&pk.columns)
        {
            let key = self.row_key(rows, i)?;
            if self.txn.get(Cf::Rows, &key)?.is_some() {
                return Ok(Some(key));
            }
        }
        for (u, values) in self.uniques.iter().zip(&rows.uniques) {
            if !matches(&u.columns) || !values.included(i) {
                continue;
            }
            let (ikey, has_null) = Self::index_key(u, values, i, &[0; 8])?;
            if has_null {
                continue;
            }
            if let Some(suffix) = self.txn.get(Cf::Index, &ikey)? {
                let mut key = self.prefix.to_vec();
                key.extend_from_slice(&suffix);
                return Ok(Some(key));
            }
        }
        Ok(None)
    }

    /// The stored row at `key` as a one-row batch of `schema` (the live columns).
    pub fn read_row(&self, key: &[u8], schema: &SchemaRef) -> Result<RecordBatch> {
        let value = self
            .txn
            .get(Cf::Rows, key)?
            .ok_or_else(|| Error::new(ErrorCode::SerializationFailure, "could not serialize access due to concurrent delete"))?;
        let mut dec = RowDecoder::new(self.layout.clone(), self.live_slots.clone(), 1);
        dec.push(&value)?;
        Ok(RecordBatch::try_new(schema.clone(), dec.finish())?)
    }
}

/// Builds the entries of a new index `spec` for `batch` (rows at `row_keys`); a unique
/// index fails with 23505 on a key already in `seen`.
pub fn backfill(txn: &Txn, spec: &KeySpec, row_keys: &[Vec<u8>], batch: &RecordBatch, seen: &mut HashSet<Vec<u8>>) -> Result<()> {
    let values = spec.evaluate(batch)?;
    for (i, row_key) in row_keys.iter().enumerate() {
        if !values.included(i) {
            continue;
        }
        let mut ikey = spec.index_id.to_be_bytes().to_vec();
        let has_null = values.put(spec, &mut ikey, i)?;
        if has_null || !spec.unique {
            ikey.extend_from_slice(&row_key[8..]);
            txn.put(Cf::Index, &ikey, row_key[8..].to_vec())?;
            continue;
        }
        if !seen.insert(ikey.clone()) {
            return Err(Error::new(ErrorCode::UniqueViolation, format!("could not create unique index \"{}\"", spec.name))
                .with_detail(format!("{} is duplicated.", spec.describe(&values, i)))
                .into());
        }
        txn.write(
            Cf::Index,
            &ikey,
            Some(row_key[8..].to_vec()),
            WriteKind::Insert { constraint: spec.name.clone(), detail: String::new() },
        )?;
    }
    Ok(())
}

/// One value as PostgreSQL prints it in error details (`null` for NULL).
pub fn value_text(col: &ArrayRef, i: usize) -> String {
    if col.is_null(i) {
        return "null".to_string();
    }
    let ty = SqlType::from_field(&datafusion::arrow::datatypes::Field::new("", col.data_type().clone(), true));
    let mut s = String::new();
    match quiverdb_catalog::format::format_value(col.as_ref(), i, &ty, &FormatSettings::default(), &mut s) {
        Ok(()) => s,
        Err(_) => "?".to_string(),
    }
}

/// A row as PostgreSQL prints it in "Failing row contains (...)" details.
pub fn row_text(rows: &RecordBatch, i: usize) -> String {
    rows.columns().iter().map(|c| value_text(c, i)).collect::<Vec<_>>().join(", ")
}
