//! Row-level writes with constraint enforcement, shared by every DML path.
//!
//! [`RowWriter`] turns one row of a batch (the table's live columns) into its stored key
//! and value, checks the primary key and unique constraints (and unique indexes) against
//! what the transaction sees, and records the row and all its index entries in the
//! transaction.

use crate::storage::keycode::{TAG_NULL, put_array_value};
use crate::storage::rowcodec::{RowDecoder, RowLayout};
use crate::storage::{Cf, Txn, WriteKind};
use datafusion::arrow::array::{Array, ArrayRef, RecordBatch, StringArray};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::common::Result;
use quiverdb_catalog::pgvalue::FormatSettings;
use quiverdb_catalog::{Error, ErrorCode, SqlType, TableDef};
use std::sync::Arc;

/// A primary key, unique constraint or index, resolved to live column positions.
struct Key {
    name: String,
    /// attnums of the key columns (ON CONFLICT targets are matched against them).
    columns: Vec<i16>,
    /// Live positions of the key columns.
    positions: Vec<usize>,
    types: Vec<SqlType>,
    /// Index id (unused for the primary key).
    index_id: u64,
}

/// Writes rows of one table into one transaction.
pub struct RowWriter {
    txn: Arc<Txn>,
    table: Arc<TableDef>,
    layout: Arc<RowLayout>,
    /// Slot of each live column.
    live_slots: Vec<usize>,
    types: Vec<SqlType>,
    pk: Option<Key>,
    /// Unique constraints and unique indexes.
    uniques: Vec<Key>,
    /// Non-unique indexes.
    plain: Vec<Key>,
    prefix: [u8; 8],
}

impl RowWriter {
    /// A writer for `table` in `txn`.
    pub fn new(txn: Arc<Txn>, table: Arc<TableDef>, layout: Arc<RowLayout>) -> Self {
        let live: Vec<_> = table.live_columns().collect();
        let live_slots = live.iter().map(|c| c.attnum as usize - 1).collect();
        let types = live.iter().map(|c| c.ty.clone()).collect();
        let resolve = |name: &str, columns: &[i16], index_id: u64| Key {
            name: name.to_string(),
            columns: columns.to_vec(),
            positions: columns.iter().filter_map(|a| table.live_position(*a)).collect(),
            types: columns.iter().filter_map(|a| table.column_by_attnum(*a)).map(|c| c.ty.clone()).collect(),
            index_id,
        };
        let pk = table.primary_key.as_ref().map(|k| resolve(&k.name, &k.columns, k.index_id));
        let uniques = table
            .uniques
            .iter()
            .map(|k| resolve(&k.name, &k.columns, k.index_id))
            .chain(table.indexes.iter().filter(|i| i.unique).map(|i| resolve(&i.name, &i.columns, i.index_id)))
            .collect();
        let plain = table.indexes.iter().filter(|i| !i.unique).map(|i| resolve(&i.name, &i.columns, i.index_id)).collect();
        let prefix = table.storage_id.to_be_bytes();
        txn.validate_relation(table.oid);
        RowWriter { txn, table, layout, live_slots, types, pk, uniques, plain, prefix }
    }

    /// The table.
    pub fn table(&self) -> &Arc<TableDef> {
        &self.table
    }

    /// Applies assignment rules: `varchar(n)` must fit, `char(n)` is blank-padded to `n`.
    pub fn coerce(&self, mut columns: Vec<ArrayRef>) -> Result<Vec<ArrayRef>> {
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
                .into());
            }
        }
        Ok(())
    }

    /// The stored key of row `i`: storage prefix ++ primary key, or a new row id.
    fn row_key(&self, rows: &RecordBatch, i: usize) -> Result<Vec<u8>> {
        let mut key = self.prefix.to_vec();
        match &self.pk {
            Some(pk) => {
                for (pos, ty) in pk.positions.iter().zip(&pk.types) {
                    put_array_value(&mut key, rows.column(*pos), i, ty)?;
                }
            }
            None => {
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
    fn plain_key(&self, k: &Key, rows: &RecordBatch, i: usize, row_key: &[u8]) -> Result<Vec<u8>> {
        let mut key = k.index_id.to_be_bytes().to_vec();
        for (pos, ty) in k.positions.iter().zip(&k.types) {
            put_array_value(&mut key, rows.column(*pos), i, ty)?;
        }
        key.extend_from_slice(&row_key[8..]);
        Ok(key)
    }

    /// The entry key of unique index `k` for row `i`, and whether it contains a NULL.
    fn index_key(&self, k: &Key, rows: &RecordBatch, i: usize, row_key: &[u8]) -> Result<(Vec<u8>, bool)> {
        let mut key = k.index_id.to_be_bytes().to_vec();
        let mut has_null = false;
        for (pos, ty) in k.positions.iter().zip(&k.types) {
            let start = key.len();
            put_array_value(&mut key, rows.column(*pos), i, ty)?;
            has_null |= key[start] == TAG_NULL;
        }
        if has_null {
            key.extend_from_slice(&row_key[8..]);
        }
        Ok((key, has_null))
    }

    /// PostgreSQL's "Key (a, b)=(1, x) already exists." detail.
    fn key_detail(&self, k: &Key, rows: &RecordBatch, i: usize) -> String {
        let names: Vec<&str> = k.positions.iter().filter_map(|p| self.table.live_columns().nth(*p).map(|c| c.name.as_str())).collect();
        let values: Vec<String> = k.positions.iter().map(|p| value_text(rows.column(*p), i)).collect();
        format!("Key ({})=({}) already exists.", names.join(", "), values.join(", "))
    }

    fn unique_violation(&self, k: &Key, rows: &RecordBatch, i: usize) -> datafusion::error::DataFusionError {
        Error::new(ErrorCode::UniqueViolation, format!("duplicate key value violates unique constraint \"{}\"", k.name))
            .with_detail(self.key_detail(k, rows, i))
            .into()
    }

    /// Inserts row `i`; fails with 23505 when a key exists. Returns the row key.
    pub fn insert_row(&self, rows: &RecordBatch, i: usize) -> Result<Vec<u8>> {
        let key = self.row_key(rows, i)?;
        let value = self.encode(rows, i)?;
        match &self.pk {
            Some(pk) => {
                if self.txn.get(Cf::Rows, &key)?.is_some() {
                    return Err(self.unique_violation(pk, rows, i));
                }
                let kind = WriteKind::Insert { constraint: pk.name.clone(), detail: self.key_detail(pk, rows, i) };
                self.txn.write(Cf::Rows, &key, Some(value), kind)?;
            }
            None => self.txn.put(Cf::Rows, &key, value)?,
        }
        for u in &self.uniques {
            self.add_index_entry(u, rows, i, &key)?;
        }
        for p in &self.plain {
            self.txn.put(Cf::Index, &self.plain_key(p, rows, i, &key)?, key[8..].to_vec())?;
        }
        Ok(key)
    }

    fn add_index_entry(&self, u: &Key, rows: &RecordBatch, i: usize, row_key: &[u8]) -> Result<()> {
        let (ikey, has_null) = self.index_key(u, rows, i, row_key)?;
        let value = row_key[8..].to_vec();
        if has_null {
            self.txn.put(Cf::Index, &ikey, value)?;
            return Ok(());
        }
        if self.txn.get(Cf::Index, &ikey)?.is_some() {
            return Err(self.unique_violation(u, rows, i));
        }
        let kind = WriteKind::Insert { constraint: u.name.clone(), detail: self.key_detail(u, rows, i) };
        self.txn.write(Cf::Index, &ikey, Some(value), kind)?;
        Ok(())
    }

    /// Replaces the row stored at `old_key` with row `i` of `rows`.
    pub fn update_row(&self, old_key: &[u8], rows: &RecordBatch, i: usize) -> Result<()> {
        let old = self.read_row(old_key, &rows.schema())?;
        let new_key = match &self.pk {
            Some(_) => self.row_key(rows, i)?,
            None => old_key.to_vec(),
        };
        let value = self.encode(rows, i)?;
        if new_key.as_slice() != old_key {
            let pk = self.pk.as_ref().ok_or_else(|| Error::internal("row key changed without a primary key"))?;
            if self.txn.get(Cf::Rows, &new_key)?.is_some() {
                return Err(self.unique_violation(pk, rows, i));
            }
            self.txn.delete(Cf::Rows, old_key)?;
            let kind = WriteKind::Insert { constraint: pk.name.clone(), detail: self.key_detail(pk, rows, i) };
            self.txn.write(Cf::Rows, &new_key, Some(value), kind)?;
        } else {
            self.txn.put(Cf::Rows, &new_key, value)?;
        }
        for u in &self.uniques {
            let (old_ik, _) = self.index_key(u, &old, 0, old_key)?;
            let (new_ik, _) = self.index_key(u, rows, i, &new_key)?;
            if old_ik == new_ik && old_key == new_key.as_slice() {
                continue;
            }
            self.txn.delete(Cf::Index, &old_ik)?;
            self.add_index_entry(u, rows, i, &new_key)?;
        }
        for p in &self.plain {
            let old_ik = self.plain_key(p, &old, 0, old_key)?;
            let new_ik = self.plain_key(p, rows, i, &new_key)?;
            if old_ik != new_ik {
                self.txn.delete(Cf::Index, &old_ik)?;
                self.txn.put(Cf::Index, &new_ik, new_key[8..].to_vec())?;
            }
        }
        Ok(())
    }

    /// Deletes the row at `key` whose values are row `i` of `rows`.
    pub fn delete_row(&self, key: &[u8], rows: &RecordBatch, i: usize) -> Result<()> {
        self.txn.delete(Cf::Rows, key)?;
        for u in &self.uniques {
            let (ik, _) = self.index_key(u, rows, i, key)?;
            self.txn.delete(Cf::Index, &ik)?;
        }
        for p in &self.plain {
            self.txn.delete(Cf::Index, &self.plain_key(p, rows, i, key)?)?;
        }
        Ok(())
    }

    /// The key of the stored row that row `i` conflicts with on the constraint whose
    /// columns are `target` (any constraint when empty), if any.
    pub fn find_conflict(&self, rows: &RecordBatch, i: usize, target: &[i16]) -> Result<Option<Vec<u8>>> {
        let matches = |cols: &[i16]| target.is_empty() || cols == target;
        if let Some(pk) = &self.pk
            && matches(&pk.columns)
        {
            let key = self.row_key(rows, i)?;
            if self.txn.get(Cf::Rows, &key)?.is_some() {
                return Ok(Some(key));
            }
        }
        for u in &self.uniques {
            if !matches(&u.columns) {
                continue;
            }
            let (ikey, has_null) = self.index_key(u, rows, i, &[0; 8])?;
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
