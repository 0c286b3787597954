//! A client session: settings, the transaction block, prepared statements; the only caller
//! of the SQL frontend.
//!
//! ```text
//! wire ──sql──► Session::run_statement ─► plan (quiverdb_sql, against the txn's catalog)
//!                                      └► execute: queries stream from the engine;
//!                                         DML/DDL run to completion, then autocommit
//! ```
//!
//! Transactions follow PostgreSQL: outside a block every statement is its own transaction
//! (autocommit); BEGIN opens a block; an error inside a block fails it, and every later
//! statement gets 25P02 until ROLLBACK (or ROLLBACK TO SAVEPOINT). Several statements in
//! one simple-protocol message run in one implicit block. An autocommit DML statement
//! that loses a write-write race is retried transparently, which is what PostgreSQL's
//! READ COMMITTED does by re-evaluating the newest row version.

pub mod catalog_view;
mod copy;
mod cursor;
mod execute;
mod explain;
mod result;
mod roles;
pub mod settings;
mod txn_block;

pub use result::{ColumnInfo, Notice, Response, StatementResult};
pub use txn_block::TxStatus;

use crate::engine::{Engine, SessionRegistration};
use catalog_view::SessionCatalog;
use datafusion::common::ParamValues;
use datafusion::execution::SessionState;
use datafusion::scalar::ScalarValue;
use datafusion::sql::sqlparser::ast::Statement;
use quiverdb_catalog::{CatalogSnapshot, DatabaseDef, Error, ErrorCode, Result, SqlType};
use quiverdb_sql::{Plan, SqlPlanner, TxnModes};
use settings::Settings;
use std::collections::HashMap;
use std::sync::Arc;
use txn_block::Block;

/// A statement prepared by the extended protocol or SQL PREPARE.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The statement text.
    pub sql: String,
    /// The parsed statement (`None` for an empty query).
    pub stmt: Option<Statement>,
    /// The plan, when the statement could be planned at prepare time.
    pub plan: Option<Plan>,
    /// The catalog the plan was made against (re-planned when it changed).
    pub catalog: Option<Arc<CatalogSnapshot>>,
    /// Types of `$1..$n`.
    pub param_types: Vec<SqlType>,
    /// Result columns (empty when the statement returns no rows).
    pub columns: Vec<ColumnInfo>,
    /// The plan is a stand-in: plan again with the parameter values substituted
    /// (`aql($1, $2)` needs its query text to plan).
    pub deferred: bool,
}

/// One connection's state.
pub struct Session {
    engine: Arc<Engine>,
    database: Arc<DatabaseDef>,
    user: String,
    pid: i32,
    state: SessionState,
    /// Effective settings (including SET LOCAL).
    settings: Settings,
    /// Settings without SET LOCAL overrides.
    session_settings: Settings,
    block: Option<Block>,
    default_modes: TxnModes,
    sql_prepared: HashMap<String, Arc<Prepared>>,
    cursors: cursor::Cursors,
    /// The last value of each sequence this session drew (currval, lastval).
    sequences: Arc<crate::functions::sequence::SessionSequences>,
    /// Changes `set_config` calls inside queries recorded, applied before the next statement.
    pending_settings: Arc<crate::functions::set_config::PendingSettings>,
    _registration: SessionRegistration,
}

impl Session {
    /// Opens a session on database `database` for `user`; 3D000 when it does not exist.
    pub fn new(engine: Arc<Engine>, database: &str, user: &str, pid: i32) -> Result<Session> {
        let catalog = engine.storage().catalog();
        let db = catalog
            .database_by_name(database)
            .cloned()
            .ok_or_else(|| Error::new(ErrorCode::UndefinedDatabase, format!("database \"{database}\" does not exist")))?;
        let role = catalog.role_by_name(user);
        let superuser = role.is_some_and(|r| r.superuser);
        // Superusers are not held to their role's CONNECTION LIMIT (as in PostgreSQL).
        let limit = role.map(|r| (r.oid, if r.superuser { -1 } else { r.connection_limit }));
        let registration = engine
            .register_session(db.oid, limit)
            .ok_or_else(|| Error::new(ErrorCode::TooManyConnections, format!("too many connections for role \"{user}\"")))?;
        let state = engine.new_state();
        Ok(Session {
            engine,
            database: db,
            user: user.to_string(),
            pid,
            state,
            settings: Settings::for_role(superuser),
            session_settings: Settings::for_role(superuser),
            block: None,
            default_modes: TxnModes::default(),
            sql_prepared: HashMap::new(),
            cursors: Default::default(),
            sequences: Default::default(),
            pending_settings: Default::default(),
            _registration: registration,
        })
    }

    /// The engine.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// The connected database.
    pub fn database(&self) -> &DatabaseDef {
        &self.database
    }

    /// The session user's name.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The backend process id reported to the client.
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// The effective settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Applies a startup parameter (from the client's StartupMessage).
    pub fn apply_startup_parameter(&mut self, name: &str, value: &str) -> Result<()> {
        match name {
            "user" | "database" | "replication" => return Ok(()),
            "options" => return self.apply_options(value),
            _ => {}
        }
        self.settings.set(name, value)?;
        self.session_settings = self.settings.clone();
        Ok(())
    }

    /// Applies `-c name=value` items of the `options` startup parameter.
    fn apply_options(&mut self, options: &str) -> Result<()> {
        let mut words = options.split_whitespace();
        while let Some(w) = words.next() {
            let item = match w {
                "-c" => words.next().unwrap_or(""),
                other => other.strip_prefix("-c").or_else(|| other.strip_prefix("--")).unwrap_or(other),
            };
            if let Some((k, v)) = item.split_once('=') {
                self.settings.set(&k.replace('-', "_"), v)?;
            }
        }
        self.session_settings = self.settings.clone();
        Ok(())
    }

    /// Records a statement prepared through the protocol (Parse) under `name`: PostgreSQL
    /// keeps one namespace for them and PREPARE, so SQL EXECUTE, EXPLAIN EXECUTE and
    /// DEALLOCATE see it. A name already taken is 42P05, as in PostgreSQL.
    pub fn register_statement(&mut self, name: &str, prepared: Arc<Prepared>) -> Result<()> {
        if self.sql_prepared.contains_key(name) {
            return Err(Error::new(ErrorCode::DuplicatePreparedStatement, format!("prepared statement \"{name}\" already exists")));
        }
        self.sql_prepared.insert(name.to_string(), prepared);
        Ok(())
    }

    /// Forgets the prepared statement `name` (protocol Close; unknown names are ignored).
    pub fn forget_statement(&mut self, name: &str) {
        self.sql_prepared.remove(name);
    }

    /// Whether a statement is prepared as `name` (DEALLOCATE removes it for Bind too).
    pub fn has_statement(&self, name: &str) -> bool {
        self.sql_prepared.contains_key(name)
    }

    /// Whether a SQL cursor named `name` is open (else FETCH/MOVE may name a protocol portal).
    pub fn has_cursor(&self, name: &str) -> bool {
        self.cursors.columns(name).is_some()
    }

    /// The protocol transaction status (ReadyForQuery's I / T / E).
    pub fn status(&self) -> TxStatus {
        match &self.block {
            None => TxStatus::Idle,
            Some(b) if b.is_failed() => TxStatus::Failed,
            Some(_) => TxStatus::InBlock,
        }
    }

    /// The catalog the next statement plans against.
    fn catalog(&self) -> Arc<CatalogSnapshot> {
        let latest = self.engine.storage().catalog();
        match &self.block {
            Some(b) => b.txn.catalog(&latest),
            None => latest,
        }
    }

    fn catalog_view(&self, snapshot: Arc<CatalogSnapshot>) -> SessionCatalog {
        SessionCatalog {
            engine: self.engine.clone(),
            snapshot,
            database: self.database.oid,
            search_path: self.settings.search_path(&self.user),
            user: self.user.clone(),
            pid: self.pid,
            settings: self.settings.clone(),
            system: Default::default(),
            sequences: self.sequences.clone(),
            pending_settings: self.pending_settings.clone(),
            read_only: self.read_only_name() == "on",
        }
    }

    /// Plans `stmt` against the current catalog.
    fn plan(&self, stmt: Statement, params: &[Option<SqlType>]) -> Result<(Plan, Arc<CatalogSnapshot>)> {
        self.plan_deferrable(stmt, params).map(|(plan, snapshot, _)| (plan, snapshot))
    }

    /// [`Self::plan`], also telling whether the plan is a stand-in until the parameters
    /// are known ([`Prepared::deferred`]).
    fn plan_deferrable(&self, stmt: Statement, params: &[Option<SqlType>]) -> Result<(Plan, Arc<CatalogSnapshot>, bool)> {
        let snapshot = self.catalog();
        let view = self.catalog_view(snapshot.clone());
        let planner = SqlPlanner::new(&view, &self.state);
        let plan = planner.plan(stmt, params)?;
        Ok((plan, snapshot, planner.deferred()))
    }

    /// Makes the current settings visible to DataFusion (functions, optimizer rules), and
    /// the transaction's start time the value of `now()` (a new one outside a block).
    fn sync_settings(&mut self) {
        // What `set_config` calls of the previous statement (which succeeded) recorded;
        // each value was checked when recorded.
        for (name, value, local) in self.pending_settings.take() {
            if let Err(e) = self.set_config(&name, Some(value), local) {
                tracing::warn!("set_config({name}) could not be applied: {e}");
            }
        }
        Engine::apply_settings(&mut self.state, &self.settings.format);
        let started = self.block.as_ref().map(|b| b.started).unwrap_or_else(chrono::Utc::now);
        self.state.execution_props_mut().query_execution_start_time = Some(started);
    }

    /// Prepares `sql` (extended protocol Parse): parses and plans it, infers parameter
    /// types, and describes the result.
    pub fn prepare(&mut self, sql: &str, param_types: &[Option<SqlType>]) -> Result<Prepared> {
        self.sync_settings();
        let mut stmts = quiverdb_sql::parse(&self.route(sql))?;
        if stmts.len() > 1 {
            return Err(Error::syntax("cannot insert multiple commands into a prepared statement"));
        }
        let Some(stmt) = stmts.pop() else {
            return Ok(Prepared {
                sql: sql.to_string(),
                stmt: None,
                plan: None,
                catalog: None,
                param_types: vec![],
                columns: vec![],
                deferred: false,
            });
        };
        let declared: Vec<Option<SqlType>> = param_types.to_vec();
        // FETCH describes the cursor's rows.
        let fetch_columns = match &stmt {
            Statement::Fetch { name, into: None, .. } => self.cursors.columns(&quiverdb_sql::normalize_ident(name)).map(<[_]>::to_vec),
            _ => None,
        };
        let plannable = matches!(
            stmt,
            Statement::Query(_) | Statement::Insert(_) | Statement::Update(_) | Statement::Delete(_) | Statement::Explain { .. }
        );
        if !plannable {
            return Ok(Prepared {
                sql: sql.to_string(),
                stmt: Some(stmt),
                plan: None,
                catalog: None,
                param_types: param_types.iter().map(|t| t.clone().unwrap_or(SqlType::Text)).collect(),
                columns: fetch_columns.unwrap_or_else(|| result::utility_columns(sql)),
                deferred: false,
            });
        }
        let (plan, catalog, deferred) = self.plan_deferrable(stmt.clone(), &declared)?;
        let (mut inferred, columns) = result::describe(&plan)?;
        if deferred {
            // The stand-in plan holds no parameters: take their types from casts, else text.
            inferred = quiverdb_sql::params::declared_by_casts(&stmt, &declared);
            // AQL's `@n` parameters take JSON values.
            let text = stmt.to_string();
            let positional = text.contains(quiverdb_sql::AQL_POSITIONAL) || text.contains(quiverdb_sql::AQL_SESSION);
            let default = if positional { Some(SqlType::Jsonb) } else { None };
            inferred.resize(quiverdb_sql::params::count(&stmt).max(inferred.len()), default);
        }
        let n = inferred.len().max(param_types.len());
        let param_types = (0..n)
            .map(|i| param_types.get(i).cloned().flatten().or_else(|| inferred.get(i).cloned().flatten()).unwrap_or(SqlType::Text))
            .collect();
        Ok(Prepared { sql: sql.to_string(), stmt: Some(stmt), plan: Some(plan), catalog: Some(catalog), param_types, columns, deferred })
    }

    /// Executes a prepared statement with bound parameter values.
    pub async fn execute_prepared(&mut self, prepared: &Prepared, params: Vec<ScalarValue>) -> Result<StatementResult> {
        let Some(stmt) = &prepared.stmt else {
            return Ok(StatementResult::new(Response::Empty));
        };
        self.sync_settings();
        if let Some(err) = self.failed_block_error(stmt) {
            return Err(err);
        }
        if prepared.deferred {
            let mut stmt = stmt.clone();
            // The statement an AQL text with `@n` parameters was routed to.
            let text = stmt.to_string();
            let positional = text.contains(quiverdb_sql::AQL_POSITIONAL) || text.contains(quiverdb_sql::AQL_SESSION);
            quiverdb_sql::params::substitute(&mut stmt, &params, &prepared.param_types, positional);
            let result = match self.plan(stmt, &[]) {
                Ok((plan, _)) => self.execute_plan(plan).await,
                Err(e) => Err(e),
            };
            return result.map_err(|e| self.statement_failed(e));
        }
        let current = self.catalog();
        let plan = match (&prepared.plan, &prepared.catalog) {
            (Some(plan), Some(cat)) if Arc::ptr_eq(cat, &current) => plan.clone(),
            (Some(_), _) => {
                let types: Vec<Option<SqlType>> = prepared.param_types.iter().cloned().map(Some).collect();
                match self.plan(stmt.clone(), &types) {
                    Ok((p, _)) => p,
                    Err(e) => return Err(self.statement_failed(e)),
                }
            }
            (None, _) => match self.plan(stmt.clone(), &[]) {
                Ok((p, _)) => p,
                Err(e) => return Err(self.statement_failed(e)),
            },
        };
        let plan = if params.is_empty() { plan } else { bind(plan, params)? };
        let result = self.execute_plan(plan).await;
        result.map_err(|e| self.statement_failed(e))
    }

    /// Parses `sql` into statements (simple protocol).
    pub fn parse(&self, sql: &str) -> Result<Vec<Statement>> {
        quiverdb_sql::parse(&self.route(sql))
    }

    /// The SQL to run for `text`: AQL (in AQL mode, or text starting with an AQL-only
    /// keyword) becomes `SELECT value FROM aql('...')`, so both languages share one path
    /// through planning, prepared statements and transactions. `EXPLAIN [ANALYZE]` before
    /// an AQL query explains its plan. In AQL mode, session and transaction commands
    /// (`SET`, `BEGIN`, ...) stay SQL.
    fn route<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        let aql_mode = self.settings.get("quiver.language").is_ok_and(|l| l == "aql");
        let trimmed = text.trim_start();
        let first_word = |t: &str| t.split(|c: char| !c.is_ascii_alphabetic()).next().unwrap_or("").to_ascii_uppercase();
        let mut explain = String::new();
        let mut body = trimmed;
        if first_word(body) == "EXPLAIN" {
            explain.push_str("EXPLAIN ");
            body = body[7..].trim_start();
            if first_word(body) == "ANALYZE" {
                explain.push_str("ANALYZE ");
                body = body[7..].trim_start();
            }
        }
        const SQL_ONLY: [&str; 11] =
            ["SET", "RESET", "SHOW", "BEGIN", "START", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE", "ABORT"];
        let aql = if aql_mode {
            !SQL_ONLY.contains(&first_word(body).as_str()) && !body.is_empty()
        } else {
            quiverdb_aql::starts_with_aql_keyword(body)
        };
        if !aql {
            return std::borrow::Cow::Borrowed(text);
        }
        let body = body.trim_end().trim_end_matches(';');
        let quoted = body.replace('\'', "''");
        // `$n` statement parameters bind `@n`.
        let n = quiverdb_aql::positional_parameters(body);
        if aql_mode {
            // Session mode: typed columns for object literals with fixed keys.
            let params: String = (1..=n).map(|i| format!(", ${i}")).collect();
            return std::borrow::Cow::Owned(format!("{explain}SELECT * FROM {}('{quoted}'{params})", quiverdb_sql::AQL_SESSION));
        }
        if n == 0 {
            return std::borrow::Cow::Owned(format!("{explain}SELECT value FROM aql('{quoted}')"));
        }
        let params: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
        std::borrow::Cow::Owned(format!("{explain}SELECT value FROM {}('{quoted}', {})", quiverdb_sql::AQL_POSITIONAL, params.join(", ")))
    }

    /// Runs one statement of a simple-protocol message.
    pub async fn run_statement(&mut self, stmt: Statement) -> Result<StatementResult> {
        if let Some(err) = self.failed_block_error(&stmt) {
            return Err(err);
        }
        self.sync_settings();
        let result = match self.plan(stmt, &[]) {
            Ok((plan, _)) => self.execute_plan(plan).await,
            Err(e) => Err(e),
        };
        result.map_err(|e| self.statement_failed(e))
    }

    /// Starts the implicit block of a multi-statement simple query (`pipeline` false) or
    /// of the extended-protocol messages up to the next Sync (`pipeline` true).
    pub fn begin_implicit(&mut self, pipeline: bool) -> Result<()> {
        if self.block.is_none() {
            let mut block = self.new_block(&TxnModes::default(), true)?;
            block.pipeline = pipeline;
            self.block = Some(block);
        }
        Ok(())
    }

    /// Ends the implicit block of a multi-statement simple query: commits it when it is
    /// still implicit and healthy, rolls it back when it failed.
    pub async fn end_implicit(&mut self) -> Result<()> {
        let implicit = self.block.as_ref().is_some_and(|b| b.implicit);
        if !implicit {
            return Ok(());
        }
        if self.block.as_ref().is_some_and(|b| !b.is_failed()) {
            self.cursors.before_commit().await?;
        }
        let block = self.block.take().ok_or_else(|| Error::internal("no block"))?;
        if block.is_failed() {
            self.restore_settings(&block);
            block.txn.rollback();
            self.cursors.after_rollback();
            return Ok(());
        }
        self.settings = self.session_settings.clone();
        commit_txn(block.txn, self.settings.durable()).await
    }

    /// The 25P02 error when the block has failed and `stmt` may not run.
    fn failed_block_error(&self, stmt: &Statement) -> Option<Error> {
        let failed = self.block.as_ref().is_some_and(Block::is_failed);
        let allowed = matches!(stmt, Statement::Rollback { .. } | Statement::Commit { .. });
        (failed && !allowed).then(|| {
            Error::new(ErrorCode::InFailedTransaction, "current transaction is aborted, commands ignored until end of transaction block")
        })
    }

    /// Records that the current statement failed with `e` (for errors found outside the
    /// session, e.g. while decoding parameters); returns `e`.
    pub fn fail(&mut self, e: Error) -> Error {
        self.statement_failed(e)
    }

    /// Marks the current statement failed after its result stream broke.
    pub fn mark_failed(&mut self) {
        let _ = self.statement_failed(Error::internal("result stream failed"));
    }

    /// A callback that marks the transaction block failed (for result streams sent later).
    pub fn fail_handle(&self) -> impl Fn() + Send + Sync + 'static {
        let flag = self.fail_flag();
        move || {
            if let Some(f) = &flag {
                f.store(true, std::sync::atomic::Ordering::Release);
            }
        }
    }

    /// Records a statement failure: an implicit block is rolled back, an explicit one
    /// becomes failed.
    fn statement_failed(&mut self, mut e: Error) -> Error {
        self.pending_settings.take();
        if let Some(o) = e.object.as_deref_mut()
            && o.schema.is_none()
        {
            o.schema = self.catalog().schema(o.schema_oid).map(|s| s.name.clone());
        }
        if let Some(b) = &self.block {
            if b.implicit {
                let block = self.block.take();
                if let Some(block) = block {
                    self.restore_settings(&block);
                    block.txn.rollback();
                    self.cursors.after_rollback();
                }
            } else {
                b.fail();
            }
        }
        e
    }
}

/// Replaces `$n` placeholders of a plan by the bound values.
fn bind(plan: Plan, params: Vec<ScalarValue>) -> Result<Plan> {
    let values = ParamValues::List(params.into_iter().map(Into::into).collect());
    Ok(match plan {
        Plan::Query(p) => Plan::Query(p.with_param_values(values)?),
        Plan::Modify { plan, verb, returning } => Plan::Modify { plan: plan.with_param_values(values)?, verb, returning },
        Plan::Explain { plan, options } => Plan::Explain { plan: plan.with_param_values(values)?, options },
        other => other,
    })
}

/// Commits `txn` on a blocking thread (the WAL sync waits); a transaction without writes
/// only releases its snapshot, in place.
pub(crate) async fn commit_txn(txn: Arc<crate::storage::Txn>, durable: bool) -> Result<()> {
    if !txn.has_writes() {
        return txn.commit(durable).map_err(Error::from);
    }
    tokio::task::spawn_blocking(move || txn.commit(durable))
        .await
        .map_err(|e| Error::internal(format!("commit task failed: {e}")))?
        .map_err(Error::from)
}
