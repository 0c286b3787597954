//! Transactions: a snapshot to read from and a private write set, committed atomically.
//!
//! ```text
//!              begin                     statements                       commit
//!   Oracle ──► ReadView{snapshot, ts} ──► reads: write set ∪ snapshot ──► Oracle::commit
//!                 │                       writes: write set (+ undo log)     │ check conflicts
//!                 └─ READ COMMITTED takes a new ReadView per statement       │ one WriteBatch
//!                                                                            └ WAL group sync
//! ```
//!
//! * Reads see the transaction's own writes first, then the snapshot (RocksDB snapshot at
//!   `ReadView::ts`, the commit timestamp of the newest transaction visible in it).
//! * Every write remembers the `ts` of the snapshot it was based on. At commit, a key that
//!   another transaction committed after that `ts` is a write-write conflict
//!   (`StorageError::Conflict` → SQLSTATE 40001), or a unique violation when our write
//!   was an insert of a key that now exists. Nothing is locked, so readers never block
//!   writers and nothing can deadlock.
//! * Savepoints are positions in an undo log; statements run inside an implicit savepoint
//!   so a failing statement leaves no trace.
//! * Catalog changes (DDL) are part of the write set too (catalog column family), so DDL is
//!   transactional: the in-memory catalog is published only when the commit succeeds.

use crate::storage::error::StorageError;
use crate::storage::handles::{OwnedIter, OwnedSnapshot};
use crate::storage::{Cf, Storage};
use parking_lot::Mutex;
use quiverdb_catalog::{CatalogChange, CatalogSnapshot};
use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Arc;

/// The isolation level of a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isolation {
    /// Each statement sees the latest committed data (PostgreSQL's default).
    ReadCommitted,
    /// One snapshot for the whole transaction.
    RepeatableRead,
}

/// A consistent point-in-time view of the database.
pub struct ReadView {
    /// The RocksDB snapshot.
    pub snapshot: Arc<OwnedSnapshot>,
    /// Commit timestamp of the newest transaction visible in `snapshot`.
    pub ts: u64,
}

/// What a write intends; decides how a conflict at commit is reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteKind {
    /// Overwrite or create.
    Put,
    /// Create a key that must not exist (primary or unique key); a conflict means a
    /// duplicate was committed concurrently.
    Insert { constraint: String, detail: String },
    /// Remove.
    Delete,
}

/// One pending write.
#[derive(Debug, Clone)]
pub struct Write {
    /// New value, or `None` for a delete.
    pub value: Option<Vec<u8>>,
    /// Timestamp of the snapshot this write was based on.
    pub base_ts: u64,
    /// What the write intends.
    pub kind: WriteKind,
}

/// A position to roll back to.
#[derive(Debug, Clone, Copy)]
pub struct Savepoint {
    undo: usize,
    catalog: usize,
    ranges: usize,
    validations: usize,
}

/// Everything a transaction has done so far.
pub(crate) struct TxnState {
    pub(crate) view: Arc<ReadView>,
    pub(crate) writes: BTreeMap<Vec<u8>, Write>,
    undo: Vec<(Vec<u8>, Option<Write>)>,
    pub(crate) catalog_changes: Vec<CatalogChange>,
    pub(crate) range_deletes: Vec<(Cf, Vec<u8>, Vec<u8>)>,
    /// Tagged keys that must not have been committed by others after the given ts.
    pub(crate) validations: Vec<(Vec<u8>, u64)>,
    pub(crate) finished: bool,
}

/// A transaction. Shared (`Arc`) between a session and the operators of its statements.
pub struct Txn {
    storage: Arc<Storage>,
    isolation: Isolation,
    start_ts: u64,
    pub(crate) state: Mutex<TxnState>,
}

/// Prefixes a key with its column family tag (the write-set key).
pub(crate) fn tagged(cf: Cf, key: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(key.len() + 1);
    k.push(cf as u8);
    k.extend_from_slice(key);
    k
}

impl Txn {
    pub(crate) fn new(storage: Arc<Storage>, isolation: Isolation, view: ReadView) -> Self {
        let start_ts = view.ts;
        Txn {
            storage,
            isolation,
            start_ts,
            state: Mutex::new(TxnState {
                view: Arc::new(view),
                writes: BTreeMap::new(),
                undo: Vec::new(),
                catalog_changes: Vec::new(),
                range_deletes: Vec::new(),
                validations: Vec::new(),
                finished: false,
            }),
        }
    }

    /// The isolation level.
    pub fn isolation(&self) -> Isolation {
        self.isolation
    }

    /// The storage this transaction belongs to.
    pub fn storage(&self) -> &Arc<Storage> {
        &self.storage
    }

    /// Timestamp of the transaction's first snapshot.
    pub fn start_ts(&self) -> u64 {
        self.start_ts
    }

    /// Starts a statement: READ COMMITTED takes a fresh snapshot. Returns the statement's
    /// savepoint (roll back to it when the statement fails).
    pub fn begin_statement(&self) -> Savepoint {
        if self.isolation == Isolation::ReadCommitted {
            let view = self.storage.oracle().read_view(self.storage.db());
            self.state.lock().view = Arc::new(view);
        }
        self.savepoint()
    }

    /// The snapshot the current statement reads.
    pub fn view(&self) -> Arc<ReadView> {
        self.state.lock().view.clone()
    }

    /// True when the transaction has written anything (rows, indexes or catalog).
    pub fn has_writes(&self) -> bool {
        let s = self.state.lock();
        !s.writes.is_empty() || !s.range_deletes.is_empty() || !s.catalog_changes.is_empty()
    }

    /// The catalog as this transaction sees it: `latest` plus its own DDL.
    pub fn catalog(&self, latest: &Arc<CatalogSnapshot>) -> Arc<CatalogSnapshot> {
        let s = self.state.lock();
        if s.catalog_changes.is_empty() { latest.clone() } else { Arc::new(latest.with_changes(&s.catalog_changes)) }
    }

    /// The transaction's own catalog changes so far.
    pub fn catalog_changes(&self) -> Vec<CatalogChange> {
        self.state.lock().catalog_changes.clone()
    }

    /// Reads `key` of `cf`: own writes first, then the snapshot.
    pub fn get(&self, cf: Cf, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        let view = {
            let s = self.state.lock();
            if let Some(w) = s.writes.get(&tagged(cf, key)) {
                return Ok(w.value.clone());
            }
            s.view.clone()
        };
        Ok(view.snapshot.get(cf.name(), key)?)
    }

    /// A cursor over `[lower, upper)` of `cf` as the current statement sees it. The
    /// transaction's own writes in the range are copied now, so later writes of the same
    /// statement are not seen (no Halloween problem).
    pub fn scan(&self, cf: Cf, lower: &[u8], upper: Option<&[u8]>) -> TxnCursor {
        let (view, overlay) = {
            let s = self.state.lock();
            let lo = tagged(cf, lower);
            let hi = match upper {
                Some(u) => Bound::Excluded(tagged(cf, u)),
                None => match crate::storage::keycode::prefix_end(&[cf as u8]) {
                    Some(end) => Bound::Excluded(end),
                    None => Bound::Unbounded,
                },
            };
            let overlay: Vec<(Vec<u8>, Option<Vec<u8>>)> =
                s.writes.range((Bound::Included(lo), hi)).map(|(k, w)| (k[1..].to_vec(), w.value.clone())).collect();
            (s.view.clone(), overlay)
        };
        let iter = OwnedIter::open(view.snapshot.clone(), cf.name(), lower, upper);
        TxnCursor::new(iter, overlay, lower)
    }

    /// Records a write.
    pub fn write(&self, cf: Cf, key: &[u8], value: Option<Vec<u8>>, kind: WriteKind) -> Result<(), StorageError> {
        let mut s = self.state.lock();
        if s.finished {
            return Err(StorageError::TxnClosed);
        }
        let s = &mut *s;
        let base_ts = s.view.ts;
        // One traversal of the write set per write (COPY writes millions).
        match s.writes.entry(tagged(cf, key)) {
            std::collections::btree_map::Entry::Vacant(slot) => {
                s.undo.push((slot.key().clone(), None));
                slot.insert(Write { value, base_ts, kind });
            }
            std::collections::btree_map::Entry::Occupied(mut slot) => {
                let prev = slot.get();
                // An insert over our own earlier delete of the same key is a plain put.
                let kind = match kind {
                    WriteKind::Insert { .. } if prev.kind == WriteKind::Delete => WriteKind::Put,
                    other => other,
                };
                let base_ts = prev.base_ts.min(base_ts);
                let prev = slot.insert(Write { value, base_ts, kind });
                s.undo.push((slot.key().clone(), Some(prev)));
            }
        }
        Ok(())
    }

    /// Puts `value` at `key`.
    pub fn put(&self, cf: Cf, key: &[u8], value: Vec<u8>) -> Result<(), StorageError> {
        self.write(cf, key, Some(value), WriteKind::Put)
    }

    /// Deletes `key`.
    pub fn delete(&self, cf: Cf, key: &[u8]) -> Result<(), StorageError> {
        self.write(cf, key, None, WriteKind::Delete)
    }

    /// Deletes every key of `cf` in `[start, end)` at commit (DROP TABLE, TRUNCATE). Keys in
    /// the range must no longer be reachable through the catalog this transaction commits.
    pub fn delete_range(&self, cf: Cf, start: Vec<u8>, end: Vec<u8>) {
        self.state.lock().range_deletes.push((cf, start, end));
    }

    /// Records a catalog change and its persistent form in the write set.
    pub fn record_catalog(&self, mut change: CatalogChange) -> Result<(), StorageError> {
        if let CatalogChange::PutRelation(def) = &mut change {
            def.assign_oids(|| self.storage.allocate_oid());
        }
        let (key, value) = crate::storage::catalog_store::encode_change(&change)?;
        self.write(Cf::Catalog, &key, value, WriteKind::Put)?;
        self.state.lock().catalog_changes.push(change);
        Ok(())
    }

    /// Fails the commit if the catalog entry of relation `oid` was changed by another
    /// transaction after this statement's snapshot (writes into a dropped or altered table).
    pub fn validate_relation(&self, oid: u32) {
        let key = tagged(Cf::Catalog, &crate::storage::catalog_store::relation_key(oid));
        let mut s = self.state.lock();
        let ts = s.view.ts;
        if !s.validations.iter().any(|(k, _)| *k == key) {
            s.validations.push((key, ts));
        }
    }

    /// The current position of the undo log.
    pub fn savepoint(&self) -> Savepoint {
        let s = self.state.lock();
        Savepoint { undo: s.undo.len(), catalog: s.catalog_changes.len(), ranges: s.range_deletes.len(), validations: s.validations.len() }
    }

    /// Undoes everything done after `sp`.
    pub fn rollback_to(&self, sp: Savepoint) {
        let mut s = self.state.lock();
        while s.undo.len() > sp.undo {
            let Some((key, prev)) = s.undo.pop() else {
                break;
            };
            match prev {
                Some(w) => {
                    s.writes.insert(key, w);
                }
                None => {
                    s.writes.remove(&key);
                }
            }
        }
        s.catalog_changes.truncate(sp.catalog);
        s.range_deletes.truncate(sp.ranges);
        s.validations.truncate(sp.validations);
    }

    /// Commits: validates, writes one batch, publishes catalog changes, and waits until the
    /// WAL is synced when `durable`. Blocking; call from a blocking thread.
    pub fn commit(&self, durable: bool) -> Result<(), StorageError> {
        let seq = {
            let mut s = self.state.lock();
            if s.finished {
                return Err(StorageError::TxnClosed);
            }
            s.finished = true;
            if s.writes.is_empty() && s.range_deletes.is_empty() && s.catalog_changes.is_empty() {
                drop(s);
                self.storage.oracle().end(self.start_ts);
                return Ok(());
            }
            let result = self.storage.commit_state(&s);
            drop(s);
            self.storage.oracle().end(self.start_ts);
            result?
        };
        if durable {
            self.storage.oracle().wait_durable(self.storage.db(), seq)?;
        }
        Ok(())
    }

    /// Abandons the transaction.
    pub fn rollback(&self) {
        let mut s = self.state.lock();
        if !s.finished {
            s.finished = true;
            drop(s);
            self.storage.oracle().end(self.start_ts);
        }
    }
}

impl Drop for Txn {
    fn drop(&mut self) {
        self.rollback();
    }
}

/// A forward cursor merging a snapshot iterator with a transaction's pending writes.
pub struct TxnCursor {
    db: OwnedIter,
    overlay: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    pos: usize,
    current: Option<Source>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Db,
    Overlay,
}

impl TxnCursor {
    fn new(mut db: OwnedIter, overlay: Vec<(Vec<u8>, Option<Vec<u8>>)>, lower: &[u8]) -> Self {
        db.seek(lower);
        let mut c = TxnCursor { db, overlay, pos: 0, current: None };
        c.settle();
        c
    }

    /// Moves to the first entry ≥ `key`.
    pub fn seek(&mut self, key: &[u8]) {
        self.db.seek(key);
        self.pos = self.overlay.partition_point(|(k, _)| k.as_slice() < key);
        self.settle();
    }

    /// The current entry, or `None` when exhausted.
    pub fn item(&self) -> Option<(&[u8], &[u8])> {
        match self.current? {
            Source::Db => self.db.item(),
            Source::Overlay => {
                let (k, v) = self.overlay.get(self.pos)?;
                Some((k.as_slice(), v.as_deref()?))
            }
        }
    }

    /// Advances to the next entry.
    pub fn next(&mut self) {
        match self.current {
            Some(Source::Db) => self.db.next(),
            Some(Source::Overlay) => self.pos += 1,
            None => return,
        }
        self.settle();
    }

    /// The iterator error that ended the scan early, if any.
    pub fn status(&self) -> Result<(), StorageError> {
        Ok(self.db.status()?)
    }

    /// Chooses the smaller key of the two sources; pending writes shadow stored values
    /// and pending deletes hide them.
    fn settle(&mut self) {
        loop {
            let order = match (self.db.item(), self.overlay.get(self.pos)) {
                (None, None) => {
                    self.current = None;
                    return;
                }
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some(_), None) => std::cmp::Ordering::Less,
                (Some((dk, _)), Some((ok, _))) => dk.cmp(ok.as_slice()),
            };
            match order {
                std::cmp::Ordering::Less => {
                    self.current = Some(Source::Db);
                    return;
                }
                std::cmp::Ordering::Equal => {
                    // The pending write replaces the stored entry.
                    self.db.next();
                    continue;
                }
                std::cmp::Ordering::Greater => {
                    if self.overlay[self.pos].1.is_some() {
                        self.current = Some(Source::Overlay);
                        return;
                    }
                    self.pos += 1;
                }
            }
        }
    }
}
