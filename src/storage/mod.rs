//! Storage: RocksDB column families, key layout, row codec, transactions, catalog.
//!
//! # Column families and key layout
//!
//! | column family | key | value |
//! |---|---|---|
//! | `catalog` | see [`catalog_store`] (`b'd'`/`b's'`/`b'r'` + OID); sequence states ([`sequences`], `b'q'` + OID) | object as JSON; sequence state |
//! | `rows` | `storage_id: u64 BE` ++ primary key (memcomparable, [`keycode`]) — or ++ `rowid: u64 BE` for tables without a primary key | the row ([`rowcodec`]) |
//! | `index` | `index_id: u64 BE` ++ indexed values (memcomparable); when a value is NULL, ++ the row key suffix | the row key suffix (the bytes after `storage_id`) |
//!
//! `storage_id` plays the role of PostgreSQL's relfilenode: TRUNCATE gives the table a new
//! one and deletes the old range, so truncation is O(1) and transactional. Storage and
//! index ids are never reused while their keys may exist.
//!
//! A unique index entry without NULLs is keyed by the values alone, so two transactions
//! inserting the same value write the same key and the commit-time conflict check turns
//! the second into a unique violation. Entries with a NULL carry the row key too, so NULLs
//! never conflict (SQL's rule).
//!
//! # Durability
//!
//! Every commit is one `WriteBatch` written to the WAL; COMMIT is acknowledged only after
//! the WAL is fsynced (group commit, see [`oracle`]). Start-up replays the WAL.

pub mod catalog_store;
pub mod error;
pub mod handles;
pub mod keycode;
pub mod oracle;
pub mod rowcodec;
pub mod sequences;
pub mod txn;

pub use error::StorageError;
pub use txn::{Isolation, ReadView, Savepoint, Txn, TxnCursor, WriteKind};

use crate::storage::oracle::{Oracle, OracleState};
use crate::storage::txn::TxnState;
use parking_lot::{Mutex, RwLock};
use quiverdb_catalog::{CatalogChange, CatalogSnapshot, DatabaseDef, Oid, RoleDef, SchemaDef, TableDef, view::PUBLIC_SCHEMA};
use rocksdb::{ColumnFamilyDescriptor, DB, Options, WriteBatch, WriteOptions};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// The column families, by purpose. The discriminant is the write-set tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cf {
    /// Catalog objects.
    Catalog = 0,
    /// Table rows.
    Rows = 1,
    /// Secondary (unique) index entries.
    Index = 2,
}

impl Cf {
    /// The RocksDB column family name.
    pub fn name(self) -> &'static str {
        match self {
            Cf::Catalog => "catalog",
            Cf::Rows => "rows",
            Cf::Index => "index",
        }
    }

    fn from_tag(tag: u8) -> Option<Cf> {
        match tag {
            0 => Some(Cf::Catalog),
            1 => Some(Cf::Rows),
            2 => Some(Cf::Index),
            _ => None,
        }
    }
}

/// First OID handed out to user objects (as in PostgreSQL).
pub const FIRST_USER_OID: Oid = 16384;
/// Databases created on first start.
pub const BOOTSTRAP_DATABASES: [&str; 2] = ["quiver", "postgres"];

/// The database: RocksDB plus the commit oracle and the published catalog.
pub struct Storage {
    db: Arc<DB>,
    oracle: Oracle,
    catalog: RwLock<Arc<CatalogSnapshot>>,
    next_oid: AtomicU32,
    next_storage_id: AtomicU64,
    rowids: Mutex<HashMap<u64, u64>>,
    sequences: sequences::Sequences,
    path: PathBuf,
}

impl Storage {
    /// Opens (or creates) the database in `path`, replaying the WAL and loading the catalog.
    pub fn open(path: &Path) -> Result<Arc<Storage>, StorageError> {
        std::fs::create_dir_all(path).map_err(|e| StorageError::Internal(format!("cannot create {}: {e}", path.display())))?;
        let mut opts = Options::default();
        opts.create_if_missing(true);
        opts.create_missing_column_families(true);
        opts.set_compression_type(rocksdb::DBCompressionType::Lz4);
        opts.increase_parallelism(std::thread::available_parallelism().map(|n| n.get() as i32).unwrap_or(2));
        opts.set_max_background_jobs(4);
        opts.set_bytes_per_sync(1 << 20);
        let mut rows_opts = Options::default();
        rows_opts.set_compression_type(rocksdb::DBCompressionType::Lz4);
        let mut bbt = rocksdb::BlockBasedOptions::default();
        bbt.set_bloom_filter(10.0, false);
        bbt.set_block_size(16 * 1024);
        bbt.set_cache_index_and_filter_blocks(true);
        let cache = rocksdb::Cache::new_lru_cache(256 << 20);
        bbt.set_block_cache(&cache);
        rows_opts.set_block_based_table_factory(&bbt);
        let cfs = vec![
            ColumnFamilyDescriptor::new(Cf::Catalog.name(), Options::default()),
            ColumnFamilyDescriptor::new(Cf::Rows.name(), rows_opts.clone()),
            ColumnFamilyDescriptor::new(Cf::Index.name(), rows_opts),
        ];
        let db = Arc::new(DB::open_cf_descriptors(&opts, path, cfs)?);
        let catalog = load_catalog(&db)?;
        let next_oid = (catalog.max_oid() + 1).max(FIRST_USER_OID);
        let next_storage = catalog.max_storage_id() + 1;
        let storage = Arc::new(Storage {
            db: db.clone(),
            oracle: Oracle::new(),
            catalog: RwLock::new(Arc::new(catalog)),
            next_oid: AtomicU32::new(next_oid),
            next_storage_id: AtomicU64::new(next_storage.max(1)),
            rowids: Mutex::new(HashMap::new()),
            sequences: sequences::Sequences::new(db.clone()),
            path: path.to_path_buf(),
        });
        storage.bootstrap()?;
        storage.assign_missing_oids()?;
        Ok(storage)
    }

    /// Gives OIDs to the constraints and indexes of catalogs written before those had
    /// their own (once; `record_catalog` assigns them to new definitions).
    fn assign_missing_oids(self: &Arc<Self>) -> Result<(), StorageError> {
        let stale: Vec<TableDef> = self.catalog().relations().filter(|r| r.has_unassigned_oids()).map(|r| TableDef::clone(r)).collect();
        if stale.is_empty() {
            return Ok(());
        }
        let txn = self.begin(Isolation::ReadCommitted);
        for def in stale {
            txn.record_catalog(CatalogChange::PutRelation(def))?;
        }
        txn.commit(true)?;
        tracing::info!("assigned OIDs to constraints and indexes of an older catalog");
        Ok(())
    }

    /// Creates the bootstrap superuser when no role exists (a new data directory, or one
    /// written before roles were stored).
    fn bootstrap_role(self: &Arc<Self>) -> Result<(), StorageError> {
        if self.catalog().roles().next().is_some() {
            return Ok(());
        }
        let txn = self.begin(Isolation::ReadCommitted);
        txn.record_catalog(CatalogChange::PutRole(RoleDef::bootstrap()))?;
        txn.commit(true)?;
        Ok(())
    }

    /// Creates the default databases (each with schema `public`) on first start.
    fn bootstrap(self: &Arc<Self>) -> Result<(), StorageError> {
        self.bootstrap_role()?;
        if self.catalog().databases().next().is_some() {
            return Ok(());
        }
        let txn = self.begin(Isolation::ReadCommitted);
        for name in BOOTSTRAP_DATABASES {
            let db_oid = self.allocate_oid();
            txn.record_catalog(CatalogChange::PutDatabase(DatabaseDef { oid: db_oid, name: name.into() }))?;
            let schema_oid = self.allocate_oid();
            txn.record_catalog(CatalogChange::PutSchema(SchemaDef { oid: schema_oid, database: db_oid, name: PUBLIC_SCHEMA.into() }))?;
        }
        txn.put(Cf::Catalog, catalog_store::FORMAT_KEY, catalog_store::FORMAT_VERSION.to_be_bytes().to_vec())?;
        txn.commit(true)?;
        tracing::info!(path = %self.path.display(), "initialized a new data directory");
        Ok(())
    }

    /// The RocksDB handle.
    pub fn db(&self) -> &Arc<DB> {
        &self.db
    }

    /// The commit oracle.
    pub fn oracle(&self) -> &Oracle {
        &self.oracle
    }

    /// The state of every sequence (kept outside transactions).
    pub fn sequences(&self) -> &sequences::Sequences {
        &self.sequences
    }

    /// The data directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The latest committed catalog.
    pub fn catalog(&self) -> Arc<CatalogSnapshot> {
        self.catalog.read().clone()
    }

    /// Starts a transaction.
    pub fn begin(self: &Arc<Self>, isolation: Isolation) -> Txn {
        let view = self.oracle.begin(&self.db);
        Txn::new(self.clone(), isolation, view)
    }

    /// A new object id.
    pub fn allocate_oid(&self) -> Oid {
        self.next_oid.fetch_add(1, Ordering::Relaxed)
    }

    /// A new storage id (row key prefix) or index id.
    pub fn allocate_storage_id(&self) -> u64 {
        self.next_storage_id.fetch_add(1, Ordering::Relaxed)
    }

    /// A new hidden row id for a table without a primary key.
    pub fn allocate_rowid(&self, storage_id: u64) -> Result<u64, StorageError> {
        let mut ids = self.rowids.lock();
        if let Some(next) = ids.get_mut(&storage_id) {
            *next += 1;
            return Ok(*next);
        }
        // First use since start: continue after the largest stored row id.
        let prefix = storage_id.to_be_bytes();
        let upper = keycode::prefix_end(&prefix);
        let snap = Arc::new(handles::OwnedSnapshot::take(self.db.clone()));
        let mut it = handles::OwnedIter::open(snap, Cf::Rows.name(), &prefix, upper.as_deref());
        it.seek_to_last();
        let last = match it.item() {
            Some((k, _)) => k.get(8..16).and_then(keycode::get_u64).unwrap_or(0),
            None => 0,
        };
        it.status()?;
        let next = last + 1;
        ids.insert(storage_id, next);
        Ok(next)
    }

    /// Validates and applies a transaction's writes as one atomic batch; returns the
    /// commit timestamp. Called by [`Txn::commit`] with the transaction's state locked.
    pub(crate) fn commit_state(&self, s: &TxnState) -> Result<u64, StorageError> {
        let keys: Vec<Vec<u8>> = s.writes.keys().cloned().collect();
        let ts = self.oracle.commit_with(keys, |oracle: &OracleState| {
            for (key, w) in &s.writes {
                if let Some(&committed) = oracle.recent.get(key)
                    && committed > w.base_ts
                {
                    return Err(self.conflict(key, &w.kind));
                }
            }
            for (key, ts) in &s.validations {
                if let Some(&committed) = oracle.recent.get(key)
                    && committed > *ts
                {
                    return Err(StorageError::Conflict);
                }
            }
            let mut batch = WriteBatch::default();
            for (key, w) in &s.writes {
                let cf = Cf::from_tag(key[0]).ok_or_else(|| StorageError::Internal("bad write tag".into()))?;
                let handle = self.cf(cf)?;
                match &w.value {
                    Some(v) => batch.put_cf(handle, &key[1..], v),
                    None => batch.delete_cf(handle, &key[1..]),
                }
            }
            for (cf, start, end) in &s.range_deletes {
                batch.delete_range_cf(self.cf(*cf)?, start, end);
            }
            let mut wo = WriteOptions::default();
            wo.set_sync(false);
            self.db.write_opt(batch, &wo)?;
            if !s.catalog_changes.is_empty() {
                let mut cat = self.catalog.write();
                *cat = Arc::new(cat.with_changes(&s.catalog_changes));
            }
            Ok(())
        })?;
        Ok(ts)
    }

    /// The error for a write-write conflict on `key`.
    fn conflict(&self, key: &[u8], kind: &WriteKind) -> StorageError {
        if let WriteKind::Insert { constraint, detail } = kind
            && let Some(cf) = Cf::from_tag(key[0])
            && let Ok(handle) = self.cf(cf)
            && matches!(self.db.get_cf(handle, &key[1..]), Ok(Some(_)))
        {
            return StorageError::UniqueViolation { constraint: constraint.clone(), detail: detail.clone() };
        }
        StorageError::Conflict
    }

    fn cf(&self, cf: Cf) -> Result<&rocksdb::ColumnFamily, StorageError> {
        self.db.cf_handle(cf.name()).ok_or_else(|| StorageError::Internal(format!("missing column family {}", cf.name())))
    }

    /// Flushes memtables to SST files (graceful shutdown).
    pub fn flush(&self) -> Result<(), StorageError> {
        self.sequences.persist_all().map_err(|e| StorageError::Internal(e.message))?;
        self.db.flush_wal(true)?;
        for cf in [Cf::Catalog, Cf::Rows, Cf::Index] {
            self.db.flush_cf(self.cf(cf)?)?;
        }
        Ok(())
    }

    /// Approximate bytes stored under `[start, end)` of `cf` (for planning).
    pub fn approximate_size(&self, cf: Cf, start: &[u8], end: &[u8]) -> u64 {
        match self.cf(cf) {
            Ok(h) => self.db.get_approximate_sizes_cf(h, &[rocksdb::Range::new(start, end)]).first().copied().unwrap_or(0),
            Err(_) => 0,
        }
    }

    /// Keys that split `[start, end)` of `cf` into about `parts` ranges of similar size,
    /// taken from SST file boundaries (empty when the range is small or in memtables).
    pub fn split_points(&self, cf: Cf, start: &[u8], end: &[u8], parts: usize) -> Vec<Vec<u8>> {
        let Ok(files) = self.db.live_files() else {
            return vec![];
        };
        let mut bounds: Vec<Vec<u8>> = files
            .into_iter()
            .filter(|f| f.column_family_name == cf.name())
            .filter_map(|f| f.start_key)
            .filter(|k| k.as_slice() > start && k.as_slice() < end)
            .collect();
        bounds.sort();
        bounds.dedup();
        if bounds.len() < parts || parts < 2 {
            return bounds.into_iter().take(parts.saturating_sub(1)).collect();
        }
        let step = bounds.len() as f64 / parts as f64;
        (1..parts).map(|i| bounds[((i as f64) * step) as usize].clone()).collect()
    }

    /// The write-set key of `key` in `cf` (used by tests).
    #[cfg(test)]
    pub(crate) fn tagged_key(cf: Cf, key: &[u8]) -> Vec<u8> {
        txn::tagged(cf, key)
    }
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage").field("path", &self.path).finish_non_exhaustive()
    }
}

fn load_catalog(db: &DB) -> Result<CatalogSnapshot, StorageError> {
    let handle = db.cf_handle(Cf::Catalog.name()).ok_or_else(|| StorageError::Internal("missing catalog column family".into()))?;
    let mut it = db.raw_iterator_cf(handle);
    it.seek_to_first();
    let mut entries = Vec::new();
    while let Some((k, v)) = it.item() {
        entries.push((k.to_vec(), v.to_vec()));
        it.next();
    }
    it.status()?;
    catalog_store::decode_all(entries.iter().map(|(k, v)| (k.as_slice(), v.as_slice())))
}

#[cfg(test)]
mod tests;
