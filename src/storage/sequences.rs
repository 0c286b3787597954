//! Sequence state: the values `nextval` hands out, kept outside transactions.
//!
//! A value drawn from a sequence is never drawn again, whatever happens to the transaction
//! that drew it (PostgreSQL's rule), so the state is not part of any write set: it lives
//! in memory, one entry per sequence, and is written straight to RocksDB under
//! `b'q' ++ oid: u32 BE` in the `catalog` column family (value: last value `i64 BE` ++
//! drawn flag `u8`).
//!
//! Writing every value would cost a RocksDB write per inserted row, so, like PostgreSQL's
//! `SEQ_LOG_VALS`, the stored state runs [`LOG_AHEAD`] values ahead of the values handed
//! out: a write happens once per [`LOG_AHEAD`] values (or once per batch, for a batch
//! larger than that). These writes go to the same WAL as commits without waiting for an
//! fsync; a COMMIT's fsync makes every earlier write durable, so any value a committed
//! transaction used is covered. After a crash the sequence continues after the stored
//! state, skipping at most [`LOG_AHEAD`] values that were never used by a committed
//! transaction; a clean shutdown stores the exact states ([`Sequences::persist_all`]), so
//! nothing is skipped. `setval`, `ALTER SEQUENCE ... RESTART` and a new sequence store the
//! exact state at once.

use crate::storage::{Cf, StorageError};
use parking_lot::Mutex;
use quiverdb_catalog::sequence::{SeqState, SequenceDef};
use quiverdb_catalog::{Error, Oid, Result, TableDef};
use rocksdb::DB;
use std::collections::HashMap;
use std::sync::Arc;

/// How many values the stored state runs ahead of the values handed out.
pub const LOG_AHEAD: usize = 32;

/// The catalog-CF key of sequence `oid`'s state.
pub fn state_key(oid: Oid) -> Vec<u8> {
    let mut k = Vec::with_capacity(5);
    k.push(b'q');
    k.extend_from_slice(&oid.to_be_bytes());
    k
}

fn encode(s: SeqState) -> Vec<u8> {
    let mut v = s.last.to_be_bytes().to_vec();
    v.push(s.called as u8);
    v
}

fn decode(v: &[u8]) -> Option<SeqState> {
    let last = i64::from_be_bytes(v.get(..8)?.try_into().ok()?);
    Some(SeqState { last, called: *v.get(8)? != 0 })
}

/// One sequence's state in memory.
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// The state after the last value handed out.
    state: SeqState,
    /// How many more values may be handed out before the stored state must move on.
    reserved: usize,
}

/// The states of every sequence in use.
pub struct Sequences {
    db: Arc<DB>,
    entries: Mutex<HashMap<Oid, Entry>>,
}

impl Sequences {
    /// An empty set of states over `db` (entries are read on first use).
    pub fn new(db: Arc<DB>) -> Self {
        Sequences { db, entries: Mutex::new(HashMap::new()) }
    }

    fn store(&self, oid: Oid, state: SeqState) -> Result<()> {
        let cf = self.db.cf_handle(Cf::Catalog.name()).ok_or_else(|| Error::internal("missing catalog column family"))?;
        self.db.put_cf(cf, state_key(oid), encode(state)).map_err(|e| Error::from(StorageError::from(e)))
    }

    /// The stored state of `seq`, or its initial state when none is stored.
    fn load(&self, seq: &TableDef, def: &SequenceDef) -> Result<SeqState> {
        let cf = self.db.cf_handle(Cf::Catalog.name()).ok_or_else(|| Error::internal("missing catalog column family"))?;
        let stored = self.db.get_cf(cf, state_key(seq.oid)).map_err(|e| Error::from(StorageError::from(e)))?;
        Ok(stored.as_deref().and_then(decode).unwrap_or_else(|| def.initial()))
    }

    fn def(seq: &TableDef) -> Result<&SequenceDef> {
        seq.sequence.as_ref().ok_or_else(|| Error::internal(format!("\"{}\" is not a sequence", seq.name)))
    }

    /// Draws `n` values from `seq` (2200H when its bound is reached and it does not cycle;
    /// then nothing is drawn).
    pub fn next(&self, seq: &TableDef, n: usize) -> Result<Vec<i64>> {
        let def = Self::def(seq)?;
        let mut entries = self.entries.lock();
        let entry = match entries.get(&seq.oid) {
            Some(e) => *e,
            None => Entry { state: self.load(seq, def)?, reserved: 0 },
        };
        let (values, state) = def.advance(&seq.name, entry.state, n)?;
        let reserved = if n <= entry.reserved {
            entry.reserved - n
        } else {
            // Store the state LOG_AHEAD values on (fewer at a bound that does not cycle).
            let mut ahead = state;
            let mut count = 0;
            while count < LOG_AHEAD {
                match def.next(&seq.name, ahead) {
                    Ok((_, s)) => ahead = s,
                    Err(_) => break,
                }
                count += 1;
            }
            self.store(seq.oid, ahead)?;
            count
        };
        entries.insert(seq.oid, Entry { state, reserved });
        Ok(values)
    }

    /// Sets `seq`'s state (setval, RESTART, a new sequence), stored at once.
    pub fn set(&self, seq: &TableDef, state: SeqState) -> Result<()> {
        let mut entries = self.entries.lock();
        self.store(seq.oid, state)?;
        entries.insert(seq.oid, Entry { state, reserved: 0 });
        Ok(())
    }

    /// The state after the last value handed out, and how many values may be drawn
    /// before the stored state moves on (what `SELECT last_value, log_cnt, is_called
    /// FROM seq` shows).
    pub fn current(&self, seq: &TableDef) -> Result<(SeqState, usize)> {
        let def = Self::def(seq)?;
        let entries = self.entries.lock();
        match entries.get(&seq.oid) {
            Some(e) => Ok((e.state, e.reserved)),
            None => Ok((self.load(seq, def)?, 0)),
        }
    }

    /// Stores the exact state of every sequence in use (clean shutdown).
    pub fn persist_all(&self) -> Result<()> {
        let mut entries = self.entries.lock();
        for (oid, e) in entries.iter_mut() {
            if e.reserved > 0 {
                self.store(*oid, e.state)?;
                e.reserved = 0;
            }
        }
        Ok(())
    }
}

impl quiverdb_catalog::system::SequenceStates for crate::storage::Storage {
    fn current(&self, seq: &TableDef) -> Option<SeqState> {
        self.sequences().current(seq).ok().map(|(state, _)| state)
    }
}

impl std::fmt::Debug for Sequences {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sequences").field("in_use", &self.entries.lock().len()).finish()
    }
}
