//! The engine: builds the DataFusion session template once and runs plans.
//!
//! Everything SQL (and later AQL) needs to plan and execute lives in one `SessionState`:
//! our scalar functions, the `ExprPlanner` for PostgreSQL operators (`->`, `->>`, `@>`,
//! ...), the `QueryPlanner` that knows our extension nodes, and the physical optimizer
//! rules. Each session clones the template once and adjusts its own settings.
//!
//! DDL changes are applied here too ([`ddl`]), because several of them move data
//! (CREATE TABLE AS, ADD COLUMN with a default, ADD UNIQUE backfill, TRUNCATE).

pub mod analyze;
pub mod ddl;
pub mod direct;
pub mod index_exprs;
pub mod rules;
pub mod sequences;
pub mod sources;

use crate::exec::QuiverQueryPlanner;
use crate::functions::operators::PgOperators;
use crate::functions::settings::PgSettings;
use crate::provider::context::TxnContext;
use crate::provider::table::QuiverTable;
use crate::storage::{Storage, Txn};
use datafusion::arrow::array::RecordBatch;
use datafusion::common::Result;
use datafusion::datasource::provider_as_source;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::execution::{SendableRecordBatchStream, SessionState, TaskContext};
use datafusion::logical_expr::planner::ExprPlanner;
use datafusion::logical_expr::{LogicalPlan, TableSource};
use datafusion::optimizer::{AnalyzerRule, OptimizerRule};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::SessionConfig;
use index_exprs::IndexCompiler;
use parking_lot::Mutex;
use quiverdb_catalog::{Oid, TableDef};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

/// Rows per Arrow batch produced by scans.
pub const BATCH_SIZE: usize = 8192;

/// The query engine shared by all sessions.
pub struct Engine {
    storage: Arc<Storage>,
    template: SessionState,
    started: SystemTime,
    /// Number of open sessions per database OID (DROP DATABASE refuses while in use).
    sessions: Mutex<HashMap<Oid, usize>>,
    /// Compiles index expressions (also registered in the template's config).
    indexes: Arc<IndexCompiler>,
    /// The callable functions (`pg_proc`), gathered once from the template.
    procs: Arc<Vec<quiverdb_catalog::system::procs::ProcInfo>>,
}

impl Engine {
    /// An engine over `storage`.
    pub fn new(storage: Arc<Storage>) -> Arc<Engine> {
        let partitions = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let mut config = SessionConfig::new()
            .with_target_partitions(partitions)
            .with_batch_size(BATCH_SIZE)
            .with_information_schema(false)
            .with_create_default_catalog_and_schema(false);
        {
            let opts = config.options_mut();
            opts.execution.time_zone = Some(quiverdb_catalog::types::UTC_TZ.to_string());
            opts.sql_parser.parse_float_as_decimal = true;
            opts.sql_parser.map_string_types_to_utf8view = false;
            opts.sql_parser.support_varchar_with_length = true;
            // PostgreSQL keeps the order of a subquery's ORDER BY (clients rely on it), and an
            // AQL query is a subquery of `aql(...)` whose SORT must hold.
            opts.sql_parser.enable_subquery_sort_elimination = false;
            opts.optimizer.prefer_hash_join = true;
        }
        config.options_mut().extensions.insert(PgSettings::default());
        let mut builder = SessionStateBuilder::new().with_config(config).with_default_features();
        // Our operator planner goes first so PostgreSQL's operator rules win.
        let mut planners: Vec<Arc<dyn ExprPlanner>> = vec![Arc::new(PgOperators::new())];
        planners.extend(builder.expr_planners().clone().unwrap_or_default());
        // Our rules run before DataFusion's (literal casts must fold before its constant
        // evaluation applies Arrow's casts).
        let mut rules: Vec<Arc<dyn OptimizerRule + Send + Sync>> = vec![Arc::new(rules::literal_casts::PgLiteralCasts)];
        rules.extend(datafusion::optimizer::Optimizer::new().rules);
        // Subqueries DataFusion could not decorrelate run per row.
        rules.push(Arc::new(rules::apply::PgApply));
        let mut analyzers: Vec<Arc<dyn AnalyzerRule + Send + Sync>> = vec![Arc::new(rules::coercion::PgCoercion::default())];
        analyzers.extend(datafusion::optimizer::Analyzer::new().rules);
        analyzers.push(Arc::new(rules::checked_arith::CheckedArith::default()));
        analyzers.push(Arc::new(rules::casts::PgCasts::default()));
        builder = builder
            .with_analyzer_rules(analyzers)
            .with_expr_planners(planners)
            .with_optimizer_rules(rules)
            .with_physical_optimizer_rule(Arc::new(rules::keep_order::KeepSortedOrder))
            .with_query_planner(Arc::new(QuiverQueryPlanner));
        let mut state = builder.build();
        if let Err(e) = crate::functions::register(&mut state) {
            tracing::error!(error = %e, "cannot register functions");
        }
        let indexes = Arc::new(IndexCompiler::new(state.clone()));
        state.config_mut().set_extension(indexes.clone());
        let procs = Arc::new(crate::functions::procs::procs(&state));
        Arc::new(Engine { storage, template: state, started: SystemTime::now(), sessions: Mutex::new(HashMap::new()), indexes, procs })
    }

    /// The storage.
    pub fn storage(&self) -> &Arc<Storage> {
        &self.storage
    }

    /// When the server started.
    pub fn started(&self) -> SystemTime {
        self.started
    }

    /// The index expression compiler.
    pub fn index_compiler(&self) -> &Arc<IndexCompiler> {
        &self.indexes
    }

    /// The functions sessions can call, as `pg_proc` lists them.
    pub fn procs(&self) -> &Arc<Vec<quiverdb_catalog::system::procs::ProcInfo>> {
        &self.procs
    }

    /// A fresh copy of the session template.
    pub fn new_state(&self) -> SessionState {
        self.template.clone()
    }

    /// The table source DataFusion plans `table` with (`rowkey`: with `__quiver_rowkey`).
    pub fn table_source(&self, table: &Arc<TableDef>, rowkey: bool) -> Arc<dyn TableSource> {
        // A table whose index expressions do not compile is still readable, without them.
        let indexes = self.indexes.compile(table).unwrap_or_else(|e| {
            tracing::warn!(table = %table.name, error = %e, "cannot compile index expressions");
            Arc::new([])
        });
        provider_as_source(Arc::new(QuiverTable::new(self.storage.clone(), table.clone(), rowkey, indexes)))
    }

    /// Plans `plan` physically with `txn` as the statement's transaction.
    pub async fn physical_plan(&self, state: &mut SessionState, txn: &Arc<Txn>, plan: &LogicalPlan) -> Result<Arc<dyn ExecutionPlan>> {
        Ok(self.plan_physical(state, txn, plan).await?.0)
    }

    /// The physical plan, and whether it was planned directly (see [`direct`]).
    async fn plan_physical(&self, state: &mut SessionState, txn: &Arc<Txn>, plan: &LogicalPlan) -> Result<(Arc<dyn ExecutionPlan>, bool)> {
        state.config_mut().set_extension(Arc::new(TxnContext { txn: txn.clone() }));
        if let Some(physical) = direct::plan(plan, state).await {
            return Ok((physical, true));
        }
        Ok((state.create_physical_plan(plan).await?, false))
    }

    /// Makes the session's formatting settings visible to functions and rules.
    pub fn apply_settings(state: &mut SessionState, settings: &quiverdb_catalog::pgvalue::FormatSettings) {
        state.config_mut().options_mut().extensions.insert(PgSettings(settings.clone()));
    }

    /// Runs `plan` in `txn` and streams its output.
    pub async fn execute(&self, state: &mut SessionState, txn: &Arc<Txn>, plan: &LogicalPlan) -> Result<SendableRecordBatchStream> {
        let (physical, direct) = self.plan_physical(state, txn, plan).await?;
        crate::exec::ordered::execute_in_order(physical, task_context(state, direct))
    }

    /// Runs `plan` in `txn` and collects its output.
    pub async fn collect(&self, state: &mut SessionState, txn: &Arc<Txn>, plan: &LogicalPlan) -> Result<Vec<RecordBatch>> {
        let stream = self.execute(state, txn, plan).await?;
        datafusion::physical_plan::common::collect(stream).await
    }

    /// Records a session connected to database `db` as `role` (its OID and CONNECTION
    /// LIMIT, -1 for none); returns a guard that unregisters it, or `None` when the role
    /// is at its limit. Database and role OIDs share one counter map (OIDs are unique).
    pub fn register_session(self: &Arc<Self>, db: Oid, role: Option<(Oid, i32)>) -> Option<SessionRegistration> {
        let mut sessions = self.sessions.lock();
        if let Some((oid, limit)) = role
            && limit >= 0
            && sessions.get(&oid).copied().unwrap_or(0) >= limit as usize
        {
            return None;
        }
        let keys: Vec<Oid> = std::iter::once(db).chain(role.map(|(oid, _)| oid)).collect();
        for k in &keys {
            *sessions.entry(*k).or_insert(0) += 1;
        }
        Some(SessionRegistration { engine: self.clone(), keys })
    }

    /// Number of sessions connected to database `db` (or logged in as role `db`).
    pub fn sessions_in(&self, db: Oid) -> usize {
        self.sessions.lock().get(&db).copied().unwrap_or(0)
    }
}

/// Keeps a session counted against its database and role while alive.
pub struct SessionRegistration {
    engine: Arc<Engine>,
    keys: Vec<Oid>,
}

impl Drop for SessionRegistration {
    fn drop(&mut self) {
        let mut s = self.engine.sessions.lock();
        for k in &self.keys {
            if let Some(n) = s.get_mut(k) {
                *n = n.saturating_sub(1);
            }
        }
    }
}

/// The task context for running a plan. `SessionState::task_ctx` copies every function
/// registry (a few hundred map entries) — a quarter of a point query's CPU time — so
/// directly planned statements, whose operators hold their functions already and never
/// look any up, run with empty registries.
fn task_context(state: &SessionState, direct: bool) -> Arc<TaskContext> {
    if !direct {
        return state.task_ctx();
    }
    Arc::new(TaskContext::new(
        None,
        state.session_id().to_string(),
        state.config().clone(),
        HashMap::new(),
        HashMap::new(),
        HashMap::new(),
        HashMap::new(),
        state.runtime_env().clone(),
    ))
}
