//! Owned RocksDB snapshots and iterators.
//!
//! rust-rocksdb ties snapshots and iterators to a borrow of the database. Scans in
//! DataFusion streams and transactions held by sessions need them to be `'static`, so each
//! handle here owns what it borrows (an `Arc` of the database, or of the snapshot) through
//! `self_cell`, with no `unsafe` of our own.

use rocksdb::{DB, DBRawIteratorWithThreadMode, ReadOptions, SnapshotWithThreadMode};
use self_cell::self_cell;
use std::sync::Arc;

type Snap<'a> = SnapshotWithThreadMode<'a, DB>;
type RawIter<'a> = DBRawIteratorWithThreadMode<'a, DB>;

self_cell!(
    /// A RocksDB snapshot that keeps its database alive.
    pub struct OwnedSnapshot {
        owner: Arc<DB>,
        #[covariant]
        dependent: Snap,
    }
);

self_cell!(
    /// A raw iterator over a snapshot that keeps the snapshot alive.
    pub struct OwnedIter {
        owner: Arc<OwnedSnapshot>,
        #[covariant]
        dependent: RawIter,
    }
);

impl OwnedSnapshot {
    /// Takes a snapshot of `db` now.
    pub fn take(db: Arc<DB>) -> Self {
        OwnedSnapshot::new(db, |db| db.snapshot())
    }

    /// The database this snapshot belongs to.
    pub fn db(&self) -> &Arc<DB> {
        self.borrow_owner()
    }

    /// Reads `key` of column family `cf` as of the snapshot.
    pub fn get(&self, cf: &str, key: &[u8]) -> Result<Option<Vec<u8>>, rocksdb::Error> {
        let db = self.borrow_owner();
        let Some(handle) = db.cf_handle(cf) else {
            return Ok(None);
        };
        let mut opts = ReadOptions::default();
        opts.set_snapshot(self.borrow_dependent());
        db.get_cf_opt(handle, key, &opts)
    }
}

impl OwnedIter {
    /// An iterator over `[lower, upper)` of column family `cf` as of `snapshot`; positioned
    /// nowhere until a seek.
    pub fn open(snapshot: Arc<OwnedSnapshot>, cf: &str, lower: &[u8], upper: Option<&[u8]>) -> Self {
        let cf = cf.to_string();
        let lower = lower.to_vec();
        let upper = upper.map(<[u8]>::to_vec);
        OwnedIter::new(snapshot, move |snap| {
            let db = snap.borrow_owner();
            let mut opts = ReadOptions::default();
            opts.set_iterate_lower_bound(lower);
            if let Some(u) = upper {
                opts.set_iterate_upper_bound(u);
            }
            let handle = db.cf_handle(&cf).expect("column families are created at open");
            snap.borrow_dependent().raw_iterator_cf_opt(handle, opts)
        })
    }

    /// Positions at the first key ≥ `key`.
    pub fn seek(&mut self, key: &[u8]) {
        self.with_dependent_mut(|_, it| it.seek(key));
    }

    /// Positions at the last key ≤ `key`.
    pub fn seek_for_prev(&mut self, key: &[u8]) {
        self.with_dependent_mut(|_, it| it.seek_for_prev(key));
    }

    /// Positions at the first key in bounds.
    pub fn seek_to_first(&mut self) {
        self.with_dependent_mut(|_, it| it.seek_to_first());
    }

    /// Positions at the last key in bounds.
    pub fn seek_to_last(&mut self) {
        self.with_dependent_mut(|_, it| it.seek_to_last());
    }

    /// Advances.
    pub fn next(&mut self) {
        self.with_dependent_mut(|_, it| it.next());
    }

    /// Steps back.
    pub fn prev(&mut self) {
        self.with_dependent_mut(|_, it| it.prev());
    }

    /// The current entry, or `None` when exhausted.
    pub fn item(&self) -> Option<(&[u8], &[u8])> {
        self.borrow_dependent().item()
    }

    /// The error that ended iteration early, if any.
    pub fn status(&self) -> Result<(), rocksdb::Error> {
        self.borrow_dependent().status()
    }
}
