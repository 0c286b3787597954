//! SQL cursors (DECLARE / FETCH / MOVE / CLOSE), as PostgreSQL runs them.
//!
//! A cursor is its query's result stream plus a position: 0 before the first row, `k` on
//! row `k`, `read + 1` after the last. FETCH pulls from the stream only as far as it
//! needs, so `FETCH 100` over a large table reads about 100 rows. Rows already read are
//! kept for SCROLL cursors (which may move backward); a NO SCROLL cursor (the default
//! here) keeps only the current row and refuses backward moves with PostgreSQL's 55000.
//!
//! Cursors live in the transaction that declared them: COMMIT and ROLLBACK close them,
//! except WITH HOLD cursors, whose remaining rows are read to the end at COMMIT (they no
//! longer need the transaction) and which survive until CLOSE or the end of the session;
//! a WITH HOLD cursor declared in a transaction that rolls back is closed too.

use super::result::{ColumnInfo, Response, StatementResult};
use super::{Session, result};
use datafusion::arrow::array::{RecordBatch, UInt32Array};
use datafusion::arrow::compute::{concat_batches, take_record_batch};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::execution::SendableRecordBatchStream;
use datafusion::logical_expr::LogicalPlan;
use futures::StreamExt;
use quiverdb_catalog::{Error, ErrorCode, Result};
use quiverdb_sql::cursor::FetchDirection;
use std::collections::HashMap;

/// One open cursor.
pub(super) struct Cursor {
    columns: Vec<ColumnInfo>,
    schema: SchemaRef,
    /// The rest of the result (`None` once read to the end).
    stream: Option<SendableRecordBatchStream>,
    /// Rows `base + 1 ..= read` (1-based), in batches.
    kept: Vec<RecordBatch>,
    base: usize,
    read: usize,
    pos: usize,
    scroll: bool,
    hold: bool,
    binary: bool,
    /// Declared by the current transaction (a rollback closes it even WITH HOLD).
    new: bool,
}

/// The open cursors of a session.
#[derive(Default)]
pub(super) struct Cursors {
    map: HashMap<String, Cursor>,
}

fn undefined(name: &str) -> Error {
    Error::new(ErrorCode::InvalidCursorName, format!("cursor \"{name}\" does not exist"))
}

fn backward() -> Error {
    Error::new(ErrorCode::ObjectNotInPrerequisiteState, "cursor can only scan forward")
        .with_hint("Declare it with SCROLL option to enable backward scan.")
}

impl Cursor {
    /// Reads from the stream until row `upto` is kept (or the stream ends).
    async fn read_to(&mut self, upto: usize) -> Result<()> {
        while self.read < upto {
            let Some(stream) = &mut self.stream else { return Ok(()) };
            match stream.next().await {
                Some(batch) => {
                    let batch = batch?;
                    if batch.num_rows() > 0 {
                        self.read += batch.num_rows();
                        self.kept.push(batch);
                    }
                }
                None => self.stream = None,
            }
        }
        Ok(())
    }

    /// Reads the whole rest of the result.
    async fn read_all(&mut self) -> Result<()> {
        self.read_to(usize::MAX).await
    }

    /// Kept rows at the 1-based `positions`, in that order (only the batches between the
    /// lowest and the highest position are touched).
    fn rows(&self, positions: &[usize]) -> Result<RecordBatch> {
        let (Some(&low), Some(&high)) = (positions.iter().min(), positions.iter().max()) else {
            return Ok(RecordBatch::new_empty(self.schema.clone()));
        };
        let mut start = self.base;
        let mut span = Vec::new();
        let mut first = None;
        for batch in &self.kept {
            let end = start + batch.num_rows();
            if end >= low && start < high {
                first.get_or_insert(start);
                span.push(batch.clone());
            }
            start = end;
        }
        let offset = first.unwrap_or(self.base);
        let all = concat_batches(&self.schema, &span).map_err(|e| Error::internal(e.to_string()))?;
        let indices = UInt32Array::from(positions.iter().map(|p| (p - offset - 1) as u32).collect::<Vec<_>>());
        take_record_batch(&all, &indices).map_err(|e| Error::internal(e.to_string()))
    }

    /// Forgets rows before the current one (NO SCROLL cursors never go back).
    fn trim(&mut self) {
        if self.scroll {
            return;
        }
        while let Some(first) = self.kept.first() {
            let len = first.num_rows();
            if self.base + len >= self.pos {
                break;
            }
            self.base += len;
            self.kept.remove(0);
        }
    }

    /// Moves as `direction` says; returns the positions of the rows passed over, in
    /// order (FETCH returns them, MOVE counts them).
    async fn step(&mut self, direction: FetchDirection) -> Result<Vec<usize>> {
        let target = match direction {
            FetchDirection::Forward(Some(0)) | FetchDirection::Backward(Some(0)) | FetchDirection::Relative(0) => {
                return Ok(if self.pos >= 1 && self.pos <= self.read { vec![self.pos] } else { vec![] });
            }
            FetchDirection::Forward(n) => {
                let want = n.map_or(usize::MAX, |n| self.pos.saturating_add(n as usize));
                self.read_to(want).await?;
                let last = want.min(self.read);
                let rows: Vec<usize> = (self.pos + 1..=last).collect();
                self.pos = if last < want { self.read + 1 } else { last };
                return Ok(rows);
            }
            FetchDirection::Backward(n) => {
                if !self.scroll {
                    return Err(backward());
                }
                let from = self.pos.min(self.read + 1);
                let stop = n.map_or(0, |n| from.saturating_sub(n as usize));
                let rows: Vec<usize> = (stop.max(1)..from).rev().collect();
                self.pos = stop;
                return Ok(rows);
            }
            FetchDirection::Absolute(k) if k < 0 => {
                self.read_all().await?;
                (self.read as i64 + 1 + k).max(0) as usize
            }
            FetchDirection::Absolute(k) => k as usize,
            FetchDirection::Relative(k) => (self.pos as i64 + k).max(0) as usize,
        };
        if target < self.pos && !self.scroll {
            return Err(backward());
        }
        if target == 0 {
            self.pos = 0;
            return Ok(vec![]);
        }
        self.read_to(target).await?;
        if target > self.read {
            self.pos = self.read + 1;
            return Ok(vec![]);
        }
        self.pos = target;
        Ok(vec![target])
    }
}

impl Cursors {
    /// Closes the cursors a COMMIT ends and reads WITH HOLD cursors to the end (before
    /// the transaction they read from commits).
    pub(super) async fn before_commit(&mut self) -> Result<()> {
        self.map.retain(|_, c| c.hold);
        for c in self.map.values_mut() {
            c.read_all().await?;
            c.new = false;
        }
        Ok(())
    }

    /// Closes the cursors a ROLLBACK ends.
    pub(super) fn after_rollback(&mut self) {
        self.map.retain(|_, c| c.hold && !c.new);
    }

    /// The result columns of cursor `name` (for Describe of a FETCH).
    pub(super) fn columns(&self, name: &str) -> Option<&[ColumnInfo]> {
        self.map.get(name).map(|c| c.columns.as_slice())
    }
}

impl Session {
    /// DECLARE name CURSOR FOR query.
    pub(super) async fn declare_cursor(
        &mut self,
        name: String,
        query: LogicalPlan,
        scroll: bool,
        hold: bool,
        binary: bool,
    ) -> Result<StatementResult> {
        if self.cursors.map.contains_key(&name) {
            return Err(Error::new(ErrorCode::DuplicateCursor, format!("cursor \"{name}\" already exists")));
        }
        let in_block = self.block.is_some();
        if !in_block && !hold {
            return Err(Error::new(ErrorCode::NoActiveTransaction, "DECLARE CURSOR can only be used in transaction blocks"));
        }
        let schema = query.schema().inner().clone();
        let columns = result::columns_of(&schema);
        let (txn, _) = self.statement_txn()?;
        txn.begin_statement();
        let stream = self.engine.execute(&mut self.state, &txn, &query).await?;
        let mut cursor =
            Cursor { columns, schema, stream: Some(stream), kept: vec![], base: 0, read: 0, pos: 0, scroll, hold, binary, new: in_block };
        if !in_block {
            // WITH HOLD outside a block: its own transaction ends now.
            cursor.read_all().await?;
        }
        self.cursors.map.insert(name, cursor);
        Ok(StatementResult::new(Response::Command("DECLARE CURSOR".into())))
    }

    /// FETCH (rows) or MOVE (`move_only`: the count only).
    pub(super) async fn fetch(&mut self, name: &str, direction: FetchDirection, move_only: bool) -> Result<StatementResult> {
        let cursor = self.cursors.map.get_mut(name).ok_or_else(|| undefined(name))?;
        let positions = cursor.step(direction).await?;
        let result = if move_only {
            StatementResult::new(Response::Command(format!("MOVE {}", positions.len())))
        } else {
            let batch = cursor.rows(&positions)?;
            let mut r = StatementResult::new(result::batches_response(cursor.schema.clone(), vec![batch], "FETCH"));
            r.binary = cursor.binary;
            r
        };
        cursor.trim();
        Ok(result)
    }

    /// CLOSE name / CLOSE ALL (`None`).
    pub(super) fn close_cursor(&mut self, name: Option<&str>) -> Result<StatementResult> {
        match name {
            None => {
                self.cursors.map.clear();
                return Ok(StatementResult::new(Response::Command("CLOSE CURSOR ALL".into())));
            }
            Some(n) => {
                self.cursors.map.remove(n).ok_or_else(|| undefined(n))?;
            }
        }
        Ok(StatementResult::new(Response::Command("CLOSE CURSOR".into())))
    }
}
