//! The commit oracle: timestamps, write-write conflict detection and group commit.
//!
//! Commits are serialized by one mutex, held only for the in-memory conflict check and
//! the (unsynced) RocksDB write of the batch, never for an fsync:
//!
//! ```text
//! commit T:  lock ─ for each key T wrote: recent[key] > T's base ts? → conflict
//!                 ─ write batch (WAL written, not yet synced)
//!                 ─ ts += 1; recent[key] = ts for each key
//!            unlock
//!            wait_durable(ts): one committer syncs the WAL for everyone waiting
//! ```
//!
//! `recent` remembers the commit timestamp of recently written keys. Entries older than
//! every active transaction's start can never cause a conflict and are pruned.
//!
//! Snapshots are taken under the same mutex, so a snapshot with timestamp `ts` contains
//! exactly the commits `1..=ts`. A commit becomes visible to new snapshots when its batch
//! is written, before its WAL sync; the client only hears "COMMIT" after the sync, and a
//! killed process loses nothing that was written (the OS still has it). Only a machine
//! crash in that window could lose a commit another session had already read.

use crate::storage::error::StorageError;
use crate::storage::handles::OwnedSnapshot;
use crate::storage::txn::ReadView;
use parking_lot::{Condvar, Mutex};
use rocksdb::DB;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Prune `recent` when it grows beyond this many keys.
const PRUNE_THRESHOLD: usize = 65_536;

pub(crate) struct OracleState {
    /// Timestamp of the newest commit.
    pub(crate) last_ts: u64,
    /// Commit timestamp of recently written keys (write-set keys, with cf tag).
    pub(crate) recent: HashMap<Vec<u8>, u64>,
    /// Start timestamps of active transactions (with multiplicity).
    active: BTreeMap<u64, usize>,
}

/// Hands out snapshots and serializes commits.
pub struct Oracle {
    pub(crate) state: Mutex<OracleState>,
    wal: WalSync,
}

struct WalSync {
    state: Mutex<WalState>,
    cv: Condvar,
    /// Highest commit timestamp whose batch is written.
    written: AtomicU64,
}

struct WalState {
    synced: u64,
    syncing: bool,
}

impl Oracle {
    pub(crate) fn new() -> Self {
        Oracle {
            state: Mutex::new(OracleState { last_ts: 0, recent: HashMap::new(), active: BTreeMap::new() }),
            wal: WalSync { state: Mutex::new(WalState { synced: 0, syncing: false }), cv: Condvar::new(), written: AtomicU64::new(0) },
        }
    }

    /// A snapshot of the latest commit (not registered as a transaction).
    pub fn read_view(&self, db: &Arc<DB>) -> ReadView {
        let s = self.state.lock();
        let snapshot = Arc::new(OwnedSnapshot::take(db.clone()));
        ReadView { snapshot, ts: s.last_ts }
    }

    /// A snapshot for a new transaction; registers it until [`Oracle::end`].
    pub fn begin(&self, db: &Arc<DB>) -> ReadView {
        let mut s = self.state.lock();
        let snapshot = Arc::new(OwnedSnapshot::take(db.clone()));
        let ts = s.last_ts;
        *s.active.entry(ts).or_insert(0) += 1;
        ReadView { snapshot, ts }
    }

    /// Unregisters a transaction that started at `start_ts`.
    pub fn end(&self, start_ts: u64) {
        let mut s = self.state.lock();
        if let Some(n) = s.active.get_mut(&start_ts) {
            *n -= 1;
            if *n == 0 {
                s.active.remove(&start_ts);
            }
        }
    }

    /// Runs `apply` under the commit lock; `apply` checks conflicts and writes the batch.
    /// On success the written keys are recorded with the new commit timestamp.
    pub(crate) fn commit_with<F>(&self, keys: Vec<Vec<u8>>, apply: F) -> Result<u64, StorageError>
    where
        F: FnOnce(&OracleState) -> Result<(), StorageError>,
    {
        let mut s = self.state.lock();
        apply(&s)?;
        s.last_ts += 1;
        let ts = s.last_ts;
        for k in keys {
            s.recent.insert(k, ts);
        }
        if s.recent.len() > PRUNE_THRESHOLD {
            let horizon = s.active.keys().next().copied().unwrap_or(ts);
            s.recent.retain(|_, t| *t > horizon);
        }
        self.wal.written.store(ts, Ordering::Release);
        Ok(ts)
    }

    /// Blocks until the WAL is synced through commit `ts`. Concurrent callers share one
    /// sync: whoever finds no sync running performs it for everyone written so far.
    pub fn wait_durable(&self, db: &DB, ts: u64) -> Result<(), StorageError> {
        let wal = &self.wal;
        let mut g = wal.state.lock();
        loop {
            if g.synced >= ts {
                return Ok(());
            }
            if g.syncing {
                wal.cv.wait(&mut g);
                continue;
            }
            g.syncing = true;
            let target = wal.written.load(Ordering::Acquire);
            drop(g);
            let result = db.flush_wal(true);
            g = wal.state.lock();
            g.syncing = false;
            if result.is_ok() {
                g.synced = g.synced.max(target);
            }
            wal.cv.notify_all();
            result?;
        }
    }

    /// Number of active transactions (for tests and metrics).
    pub fn active_transactions(&self) -> usize {
        self.state.lock().active.values().sum()
    }
}
