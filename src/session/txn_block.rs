//! Transaction blocks: BEGIN / COMMIT / ROLLBACK / SAVEPOINT and their settings undo.

use super::result::{Notice, Response, StatementResult};
use super::settings::Settings;
use super::{Session, commit_txn};
use crate::storage::{Isolation, Savepoint, Txn};
use quiverdb_catalog::{Error, ErrorCode, Result};
use quiverdb_sql::{IsolationLevel, TxnModes};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The protocol's transaction status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxStatus {
    /// Not in a transaction block (`I`).
    Idle,
    /// In a transaction block (`T`).
    InBlock,
    /// In a failed transaction block (`E`).
    Failed,
}

/// A savepoint: the undo-log position and the settings to restore.
pub(super) struct SavepointEntry {
    name: String,
    sp: Savepoint,
    settings: Settings,
    session_settings: Settings,
}

/// An open transaction block.
pub(super) struct Block {
    pub(super) txn: Arc<Txn>,
    /// Set by failed statements and by result streams that fail while being sent.
    pub(super) failed: Arc<AtomicBool>,
    savepoints: Vec<SavepointEntry>,
    begin_settings: (Settings, Settings),
    pub(super) read_only: bool,
    pub(super) isolation: IsolationLevel,
    /// Opened by a multi-statement simple query or an extended-protocol Execute rather
    /// than BEGIN.
    pub(super) implicit: bool,
    /// Opened by the extended protocol (ends at Sync). Its first statement is not "inside
    /// a transaction block" for CREATE/DROP DATABASE, as in PostgreSQL.
    pub(super) pipeline: bool,
    /// Statements run in the block so far (SET TRANSACTION must come first).
    pub(super) statements: u32,
    /// When the transaction started: `now()` and `current_timestamp` for its statements.
    pub(super) started: chrono::DateTime<chrono::Utc>,
}

impl Block {
    pub(super) fn is_failed(&self) -> bool {
        self.failed.load(Ordering::Acquire)
    }

    pub(super) fn fail(&self) {
        self.failed.store(true, Ordering::Release);
    }
}

fn storage_isolation(level: IsolationLevel) -> Result<Isolation> {
    match level {
        IsolationLevel::ReadUncommitted | IsolationLevel::ReadCommitted => Ok(Isolation::ReadCommitted),
        IsolationLevel::RepeatableRead => Ok(Isolation::RepeatableRead),
        IsolationLevel::Serializable => {
            Err(Error::unsupported("SERIALIZABLE isolation is not supported yet; use REPEATABLE READ (snapshot isolation)")
                .with_hint("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ gives one snapshot for the whole transaction."))
        }
    }
}

fn parse_level(s: &str) -> IsolationLevel {
    match s {
        "repeatable read" => IsolationLevel::RepeatableRead,
        "serializable" => IsolationLevel::Serializable,
        _ => IsolationLevel::ReadCommitted,
    }
}

impl Session {
    /// A new block with `modes` over the session defaults.
    pub(super) fn new_block(&self, modes: &TxnModes, implicit: bool) -> Result<Block> {
        let level = modes
            .isolation
            .or(self.default_modes.isolation)
            .unwrap_or_else(|| parse_level(&self.settings.get("default_transaction_isolation").unwrap_or_default()));
        let read_only = modes
            .read_only
            .or(self.default_modes.read_only)
            .unwrap_or_else(|| self.settings.get("default_transaction_read_only").is_ok_and(|v| v == "on"));
        let txn = Arc::new(self.engine.storage().begin(storage_isolation(level)?));
        Ok(Block {
            txn,
            failed: Arc::new(AtomicBool::new(false)),
            savepoints: Vec::new(),
            begin_settings: (self.settings.clone(), self.session_settings.clone()),
            read_only,
            isolation: level,
            implicit,
            pipeline: false,
            statements: 0,
            started: chrono::Utc::now(),
        })
    }

    /// Restores the settings a rolled-back block started with.
    pub(super) fn restore_settings(&mut self, block: &Block) {
        self.settings = block.begin_settings.0.clone();
        self.session_settings = block.begin_settings.1.clone();
    }

    /// BEGIN.
    pub(super) fn begin(&mut self, modes: &TxnModes) -> Result<StatementResult> {
        if let Some(b) = &mut self.block {
            if b.implicit {
                // BEGIN first in a multi-statement message: nothing ran in the implicit
                // block yet, so it becomes the explicit block with BEGIN's modes.
                if b.statements == 0 && (modes.isolation.is_some() || modes.read_only.is_some()) {
                    let pipeline = b.pipeline;
                    let mut fresh = self.new_block(modes, false)?;
                    fresh.pipeline = pipeline;
                    if let Some(old) = self.block.replace(fresh) {
                        old.txn.rollback();
                    }
                    return Ok(StatementResult::new(Response::Command("BEGIN".into())));
                }
                // Too late for modes: the error rolls the implicit block back, and the
                // session is idle again (as in PostgreSQL).
                if modes.isolation.is_some() || modes.read_only.is_some() {
                    return Err(Error::new(
                        ErrorCode::ActiveTransaction,
                        "SET TRANSACTION ISOLATION LEVEL must be called before any query",
                    ));
                }
                b.implicit = false;
                return Ok(StatementResult::new(Response::Command("BEGIN".into())));
            }
            return Ok(StatementResult::new(Response::Command("BEGIN".into()))
                .with_notice(Notice::warning(ErrorCode::ActiveTransaction, "there is already a transaction in progress")));
        }
        self.block = Some(self.new_block(modes, false)?);
        Ok(StatementResult::new(Response::Command("BEGIN".into())))
    }

    /// COMMIT / END (a failed block is rolled back and reports ROLLBACK).
    pub(super) async fn commit(&mut self) -> Result<StatementResult> {
        let Some(block) = self.block.take() else {
            return Ok(StatementResult::new(Response::Command("COMMIT".into()))
                .with_notice(Notice::warning(ErrorCode::NoActiveTransaction, "there is no transaction in progress")));
        };
        if block.is_failed() {
            self.restore_settings(&block);
            block.txn.rollback();
            self.cursors.after_rollback();
            return Ok(StatementResult::new(Response::Command("ROLLBACK".into())));
        }
        self.settings = self.session_settings.clone();
        if let Err(e) = self.cursors.before_commit().await {
            block.txn.rollback();
            self.cursors.after_rollback();
            return Err(e);
        }
        commit_txn(block.txn.clone(), self.settings.durable()).await?;
        Ok(StatementResult::new(Response::Command("COMMIT".into())))
    }

    /// ROLLBACK / ABORT.
    pub(super) fn rollback(&mut self) -> StatementResult {
        match self.block.take() {
            None => StatementResult::new(Response::Command("ROLLBACK".into()))
                .with_notice(Notice::warning(ErrorCode::NoActiveTransaction, "there is no transaction in progress")),
            Some(block) => {
                self.restore_settings(&block);
                block.txn.rollback();
                self.cursors.after_rollback();
                StatementResult::new(Response::Command("ROLLBACK".into()))
            }
        }
    }

    fn block_for(&mut self, verb: &str) -> Result<&mut Block> {
        match &mut self.block {
            Some(b) if !b.implicit || verb == "SAVEPOINT" => Ok(b),
            _ => Err(Error::new(ErrorCode::NoActiveTransaction, format!("{verb} can only be used in transaction blocks"))),
        }
    }

    /// SAVEPOINT name.
    pub(super) fn savepoint(&mut self, name: &str) -> Result<StatementResult> {
        let settings = (self.settings.clone(), self.session_settings.clone());
        let block = self.block_for("SAVEPOINT")?;
        let sp = block.txn.savepoint();
        block.savepoints.push(SavepointEntry { name: name.to_string(), sp, settings: settings.0, session_settings: settings.1 });
        Ok(StatementResult::new(Response::Command("SAVEPOINT".into())))
    }

    /// RELEASE [SAVEPOINT] name: forgets it and every later savepoint.
    pub(super) fn release(&mut self, name: &str) -> Result<StatementResult> {
        let block = self.block_for("RELEASE SAVEPOINT")?;
        if block.is_failed() {
            return Err(Error::new(
                ErrorCode::InFailedTransaction,
                "current transaction is aborted, commands ignored until end of transaction block",
            ));
        }
        let pos = block.savepoints.iter().rposition(|s| s.name == name).ok_or_else(|| no_savepoint(name))?;
        block.savepoints.truncate(pos);
        Ok(StatementResult::new(Response::Command("RELEASE".into())))
    }

    /// ROLLBACK TO [SAVEPOINT] name: undoes later work and clears a failure.
    pub(super) fn rollback_to(&mut self, name: &str) -> Result<StatementResult> {
        let block = self.block_for("ROLLBACK TO SAVEPOINT")?;
        let pos = block.savepoints.iter().rposition(|s| s.name == name).ok_or_else(|| no_savepoint(name))?;
        block.savepoints.truncate(pos + 1);
        let entry = &block.savepoints[pos];
        block.txn.rollback_to(entry.sp);
        block.failed.store(false, Ordering::Release);
        let (s, ss) = (entry.settings.clone(), entry.session_settings.clone());
        self.settings = s;
        self.session_settings = ss;
        Ok(StatementResult::new(Response::Command("ROLLBACK".into())))
    }

    /// SET TRANSACTION / SET SESSION CHARACTERISTICS AS TRANSACTION.
    pub(super) fn set_transaction(&mut self, modes: &TxnModes, session: bool) -> Result<StatementResult> {
        if session {
            if let Some(level) = modes.isolation {
                storage_isolation(level)?;
                self.default_modes.isolation = Some(level);
            }
            if modes.read_only.is_some() {
                self.default_modes.read_only = modes.read_only;
            }
            return Ok(StatementResult::new(Response::Command("SET".into())));
        }
        let Some(block) = self.block.as_mut().filter(|b| !b.implicit) else {
            return Ok(StatementResult::new(Response::Command("SET".into()))
                .with_notice(Notice::warning(ErrorCode::NoActiveTransaction, "SET TRANSACTION can only be used in transaction blocks")));
        };
        if let Some(level) = modes.isolation {
            if block.statements > 0 {
                return Err(Error::new(ErrorCode::ActiveTransaction, "SET TRANSACTION ISOLATION LEVEL must be called before any query"));
            }
            let isolation = storage_isolation(level)?;
            block.txn = Arc::new(block.txn.storage().begin(isolation));
            block.isolation = level;
        }
        if let Some(ro) = modes.read_only {
            block.read_only = ro;
        }
        Ok(StatementResult::new(Response::Command("SET".into())))
    }

    /// The transaction the next statement runs in: the block's, or a new autocommit one.
    pub(super) fn statement_txn(&self) -> Result<(Arc<Txn>, bool)> {
        match &self.block {
            Some(b) => Ok((b.txn.clone(), false)),
            None => {
                let level = self
                    .default_modes
                    .isolation
                    .unwrap_or_else(|| parse_level(&self.settings.get("default_transaction_isolation").unwrap_or_default()));
                Ok((Arc::new(self.engine.storage().begin(storage_isolation(level)?)), true))
            }
        }
    }

    /// Fails with 25006 in a read-only transaction.
    pub(super) fn check_writable(&self, verb: &str) -> Result<()> {
        let ro = match &self.block {
            Some(b) => b.read_only,
            None => self.default_modes.read_only.unwrap_or(false),
        };
        if ro {
            return Err(Error::new(ErrorCode::ReadOnlyTransaction, format!("cannot execute {verb} in a read-only transaction")));
        }
        Ok(())
    }

    /// The current isolation level as `SHOW transaction_isolation` prints it.
    pub(super) fn isolation_name(&self) -> String {
        match &self.block {
            Some(b) => b.isolation.name().to_string(),
            None => self
                .default_modes
                .isolation
                .map(|l| l.name().to_string())
                .unwrap_or_else(|| self.settings.get("default_transaction_isolation").unwrap_or_default()),
        }
    }

    /// Whether the current transaction is read-only (`SHOW transaction_read_only`).
    pub(super) fn read_only_name(&self) -> &'static str {
        let ro = match &self.block {
            Some(b) => b.read_only,
            None => self.default_modes.read_only.unwrap_or(false),
        };
        if ro { "on" } else { "off" }
    }

    /// True inside an explicit or implicit block.
    pub(super) fn in_block(&self) -> bool {
        self.block.is_some()
    }

    /// The fail flag result streams set when they fail inside a block.
    pub(super) fn fail_flag(&self) -> Option<Arc<AtomicBool>> {
        self.block.as_ref().map(|b| b.failed.clone())
    }
}

/// Commits an autocommit transaction (helper for execute.rs).
pub(super) async fn autocommit(txn: Arc<Txn>, durable: bool) -> Result<()> {
    commit_txn(txn, durable).await
}

fn no_savepoint(name: &str) -> Error {
    Error::new(ErrorCode::InvalidSavepoint, format!("savepoint \"{name}\" does not exist"))
}
