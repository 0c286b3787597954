//! What a planned SQL statement asks the server to do.

use datafusion::logical_expr::LogicalPlan;
use datafusion::sql::sqlparser::ast::{Expr as AstExpr, Statement};
pub use quiverdb_catalog::ddl::{AlterOp, CreateTablePlan, CreateViewPlan, NewCheck, NewColumn, NewKey};
use quiverdb_catalog::{SchemaDef, SqlType, TableDef};
use std::sync::Arc;

/// A planned statement.
#[derive(Debug, Clone)]
pub enum Plan {
    /// A statement returning rows (SELECT, VALUES, TABLE).
    Query(LogicalPlan),
    /// EXPLAIN \[ANALYZE\] of a query or data-modifying statement.
    Explain { plan: LogicalPlan, options: ExplainOptions },
    /// EXPLAIN ... EXECUTE name [(params)]: the prepared statement's plan, bound.
    ExplainExecute { name: String, params: Vec<AstExpr>, options: ExplainOptions },
    /// INSERT, UPDATE or DELETE; the plan's root is a `TableModify`, or a projection of
    /// the RETURNING list over it.
    Modify { plan: LogicalPlan, verb: ModifyVerb, returning: bool },
    /// CREATE TABLE.
    CreateTable(CreateTablePlan),
    /// CREATE TABLE ... AS query.
    CreateTableAs { table: CreateTablePlan, query: LogicalPlan },
    /// ALTER TABLE.
    AlterTable { table: Arc<TableDef>, ops: Vec<AlterOp> },
    /// DROP TABLE / VIEW / SEQUENCE (`kind`) or, with `collections`, DROP COLLECTION.
    DropRelations {
        kind: quiverdb_catalog::RelationKind,
        targets: Vec<Arc<TableDef>>,
        cascade: bool,
        notices: Vec<String>,
        collections: bool,
    },
    /// CREATE \[UNIQUE\] INDEX: the new index (its id not yet allocated).
    CreateIndex { table: Arc<TableDef>, index: quiverdb_catalog::objects::IndexDef },
    /// DROP INDEX: (table, index name) pairs.
    DropIndexes { targets: Vec<(Arc<TableDef>, String)>, notices: Vec<String> },
    /// CREATE SEQUENCE: the new sequence's options (checked; OWNED BY resolved).
    CreateSequence { schema: Arc<SchemaDef>, name: String, def: quiverdb_catalog::sequence::SequenceDef },
    /// ALTER SEQUENCE: the new options, the state to restart at (RESTART), or a new name.
    AlterSequence {
        sequence: Arc<TableDef>,
        def: quiverdb_catalog::sequence::SequenceDef,
        restart: Option<quiverdb_catalog::sequence::SeqState>,
        rename: Option<String>,
    },
    /// CREATE SCHEMA.
    CreateSchema { name: String },
    /// DROP SCHEMA.
    DropSchemas { schemas: Vec<Arc<SchemaDef>>, cascade: bool, notices: Vec<String> },
    /// CREATE DATABASE.
    CreateDatabase { name: String },
    /// DROP DATABASE.
    DropDatabase { name: String, if_exists: bool },
    /// CREATE [OR REPLACE] VIEW.
    CreateView(CreateViewPlan),
    /// TRUNCATE (`restart_identity`: RESTART IDENTITY restarts the sequences the tables'
    /// columns own).
    Truncate { targets: Vec<Arc<TableDef>>, restart_identity: bool },
    /// ANALYZE: the tables whose planner statistics are recomputed.
    Analyze(Vec<Arc<TableDef>>),
    /// SET name = value (`local`: SET LOCAL).
    Set { name: String, value: SetValue, local: bool },
    /// `SELECT set_config(name, value, is_local)`: SET (`value` is the setting's text, as
    /// in a config file; `None` resets it), answered with one row holding the new value in
    /// column `column`.
    SetConfig { name: String, value: Option<String>, local: bool, column: String },
    /// SHOW name (`all` for SHOW ALL).
    Show(String),
    /// RESET name (`all` for RESET ALL).
    Reset(String),
    /// BEGIN / START TRANSACTION.
    Begin(TxnModes),
    /// SET TRANSACTION (for the current transaction) or SET SESSION CHARACTERISTICS.
    SetTransaction { modes: TxnModes, session: bool },
    /// COMMIT / END.
    Commit,
    /// ROLLBACK / ABORT.
    Rollback,
    /// SAVEPOINT name.
    Savepoint(String),
    /// RELEASE \[SAVEPOINT\] name.
    ReleaseSavepoint(String),
    /// ROLLBACK TO \[SAVEPOINT\] name.
    RollbackTo(String),
    /// PREPARE name [(types)] AS statement.
    Prepare { name: String, statement: Box<Statement>, param_types: Vec<SqlType> },
    /// EXECUTE name [(params)].
    Execute { name: String, params: Vec<AstExpr> },
    /// DEALLOCATE name / DEALLOCATE ALL (`None`).
    Deallocate(Option<String>),
    /// DISCARD ALL and friends.
    Discard,
    /// COPY table FROM STDIN: the server asks the client for the data.
    CopyFrom(Box<crate::copy::CopyFromPlan>),
    /// COPY table / (query) TO STDOUT: the rows of `query`, in the COPY format.
    CopyTo { query: LogicalPlan, options: crate::copy::CopyOptions },
    /// DECLARE name CURSOR FOR query.
    DeclareCursor { name: String, query: LogicalPlan, scroll: bool, hold: bool, binary: bool },
    /// FETCH (rows) or MOVE (`move_only`: only the count).
    Fetch { name: String, direction: crate::cursor::FetchDirection, move_only: bool },
    /// CLOSE name, or CLOSE ALL (`None`).
    CloseCursor(Option<String>),
    /// CREATE ROLE / CREATE USER.
    CreateRole { name: String, options: quiverdb_catalog::role::RoleOptions },
    /// ALTER ROLE name \[WITH\] options.
    AlterRole { name: String, options: quiverdb_catalog::role::RoleOptions },
    /// ALTER ROLE name RENAME TO new_name.
    RenameRole { name: String, new_name: String },
    /// DROP ROLE / DROP USER.
    DropRoles { names: Vec<String>, if_exists: bool },
    /// Nothing to do but report `tag`, with optional notices (e.g. IF NOT EXISTS skipped).
    NoOp { tag: String, notices: Vec<String> },
}

/// The verb of a data-modifying statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModifyVerb {
    Insert,
    Update,
    Delete,
    /// COPY FROM: an INSERT reported as `COPY n`.
    Copy,
}

impl ModifyVerb {
    /// The command tag prefix (`INSERT 0` / `UPDATE` / `DELETE` / `COPY`).
    pub fn tag(self) -> &'static str {
        match self {
            ModifyVerb::Insert => "INSERT 0",
            ModifyVerb::Update => "UPDATE",
            ModifyVerb::Delete => "DELETE",
            ModifyVerb::Copy => "COPY",
        }
    }
}

/// The value of a SET.
#[derive(Debug, Clone, PartialEq)]
pub enum SetValue {
    /// SET x TO DEFAULT.
    Default,
    /// The value(s) as text (a list for settings like search_path).
    Values(Vec<String>),
}

/// Transaction modes of BEGIN / SET TRANSACTION.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TxnModes {
    pub isolation: Option<IsolationLevel>,
    pub read_only: Option<bool>,
}

/// SQL isolation levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IsolationLevel {
    ReadUncommitted,
    ReadCommitted,
    RepeatableRead,
    Serializable,
}

impl IsolationLevel {
    /// The name `SHOW transaction_isolation` prints.
    pub fn name(self) -> &'static str {
        match self {
            IsolationLevel::ReadUncommitted => "read uncommitted",
            IsolationLevel::ReadCommitted => "read committed",
            IsolationLevel::RepeatableRead => "repeatable read",
            IsolationLevel::Serializable => "serializable",
        }
    }
}

/// EXPLAIN's options (`EXPLAIN ANALYZE VERBOSE` or `EXPLAIN (ANALYZE, FORMAT JSON)`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExplainOptions {
    /// Run the statement and show each operator's metrics.
    pub analyze: bool,
    /// Show the optimized logical plan too (text), or every node's output (JSON).
    pub verbose: bool,
    /// FORMAT JSON: one `json` value shaped as PostgreSQL's (`[{"Plan": {...}}]`).
    pub json: bool,
}
