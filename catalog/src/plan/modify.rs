//! `TableModify`: the logical node every INSERT, UPDATE and DELETE plans to.
//!
//! The frontend (SQL today, AQL later) plans the rows to write as an ordinary DataFusion
//! plan and puts a `TableModify` on top. The input's columns are fixed per operation:
//!
//! ```text
//! Insert: [c1, c2, ..., cn]                 every live column, in attnum order, already of
//!                                           the column's Arrow type (defaults filled in)
//! Update: [__quiver_rowkey, c1, ..., cn]    the old row's key, then the NEW value of every
//!                                           live column
//! Delete: [__quiver_rowkey, c1, ..., cn]    the old row's key and its (old) values
//! ```
//!
//! UPDATE and DELETE inputs may carry further columns (of the FROM / USING tables) after
//! these, which RETURNING can refer to.
//!
//! The node outputs either one `count` row (UInt64) or, with RETURNING, the written rows
//! (new values for INSERT/UPDATE, old values for DELETE) under the table's qualifier,
//! followed by the extra columns; the frontend projects the RETURNING list on top. The physical operator (in the
//! server's `exec` module) enforces NOT NULL, CHECK, primary-key and unique constraints and
//! writes rows and index entries into the statement's transaction.

use crate::objects::TableDef;
use datafusion::common::{DFSchemaRef, Result};
use datafusion::logical_expr::{Expr, LogicalPlan, UserDefinedLogicalNodeCore};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Name of the hidden column carrying a row's storage key in UPDATE/DELETE inputs.
pub const ROWKEY_COLUMN: &str = "__quiver_rowkey";

/// Which modification a [`TableModify`] performs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ModifyOp {
    /// Insert the input rows, optionally resolving conflicts.
    Insert { on_conflict: Option<OnConflict> },
    /// Replace the rows named by `__quiver_rowkey` with the input values.
    Update,
    /// Delete the rows named by `__quiver_rowkey`.
    Delete,
}

/// `ON CONFLICT [target] DO NOTHING | DO UPDATE SET ... [WHERE ...]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OnConflict {
    /// attnums of the conflict target's columns; empty means "any unique constraint"
    /// (only allowed with DO NOTHING).
    pub target: Vec<i16>,
    /// What to do with a conflicting row.
    pub action: ConflictAction,
    /// Input column (a boolean) choosing per row: only rows where it is true take the
    /// action; the others are plain inserts, failing with 23505 on a conflict (AQL's
    /// UPSERT: a row whose search found a document updates it, the others insert).
    pub guard: Option<usize>,
}

/// The action of an ON CONFLICT clause.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ConflictAction {
    /// Skip the proposed row.
    Nothing,
    /// Update the existing row.
    Update {
        /// `(live column position, expression)`; expressions see the existing row under the
        /// table's name or alias and the proposed row as `excluded`.
        assignments: Vec<(usize, Expr)>,
        /// Optional `WHERE`: rows for which it is not true are left alone.
        predicate: Option<Expr>,
        /// Schema the expressions are written against: the existing row's columns
        /// followed by `excluded`'s.
        schema: DFSchemaRef,
    },
}

/// The logical INSERT/UPDATE/DELETE node.
#[derive(Debug, Clone)]
pub struct TableModify {
    /// The table written to.
    pub table: Arc<TableDef>,
    /// What to do.
    pub op: ModifyOp,
    /// The rows (see the module docs for the column layout per operation).
    pub input: Arc<LogicalPlan>,
    /// CHECK constraints `(name, boolean expression over the table's columns)`.
    pub checks: Vec<(String, Expr)>,
    /// Schema of the table's live columns, as CHECK expressions see them.
    pub table_schema: DFSchemaRef,
    /// True when the statement has RETURNING: output the written rows instead of a count.
    pub returning: bool,
    /// Columns after the written ones in UPDATE/DELETE inputs (the FROM/USING tables' columns,
    /// passed through to RETURNING).
    pub extra_columns: usize,
    /// Output schema.
    pub schema: DFSchemaRef,
}

impl TableModify {
    /// The operation's name for EXPLAIN and command tags.
    pub fn verb(&self) -> &'static str {
        match self.op {
            ModifyOp::Insert { .. } => "Insert",
            ModifyOp::Update => "Update",
            ModifyOp::Delete => "Delete",
        }
    }
}

impl PartialEq for TableModify {
    fn eq(&self, other: &Self) -> bool {
        self.table.oid == other.table.oid
            && self.op == other.op
            && self.input == other.input
            && self.checks == other.checks
            && self.returning == other.returning
    }
}

impl Eq for TableModify {}

impl Hash for TableModify {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.table.oid.hash(state);
        self.op.hash(state);
        self.input.hash(state);
        self.returning.hash(state);
    }
}

impl PartialOrd for TableModify {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        // Plans are never ordered meaningfully; comparing by table is enough for the trait.
        self.table.oid.partial_cmp(&other.table.oid)
    }
}

impl UserDefinedLogicalNodeCore for TableModify {
    fn name(&self) -> &str {
        "TableModify"
    }

    fn inputs(&self) -> Vec<&LogicalPlan> {
        vec![&self.input]
    }

    fn schema(&self) -> &DFSchemaRef {
        &self.schema
    }

    fn expressions(&self) -> Vec<Expr> {
        // CHECK and ON CONFLICT expressions are written against the table / conflict
        // schemas, not the input's, so they are not exposed to input-based rewrites; the
        // physical planner coerces them against their own schemas.
        vec![]
    }

    fn fmt_for_explain(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "TableModify: {} {}", self.verb(), self.table.name)?;
        if let ModifyOp::Insert { on_conflict: Some(oc) } = &self.op {
            match oc.action {
                ConflictAction::Nothing => write!(f, " on_conflict=nothing")?,
                ConflictAction::Update { .. } => write!(f, " on_conflict=update")?,
            }
        }
        if self.returning {
            write!(f, " returning")?;
        }
        Ok(())
    }

    fn with_exprs_and_inputs(&self, _exprs: Vec<Expr>, mut inputs: Vec<LogicalPlan>) -> Result<Self> {
        let input = inputs.pop().ok_or_else(|| datafusion::common::DataFusionError::Internal("TableModify needs one input".into()))?;
        Ok(TableModify { input: Arc::new(input), ..self.clone() })
    }

    fn supports_limit_pushdown(&self) -> bool {
        false
    }
}
