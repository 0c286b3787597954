//! The [`CatalogView`] a session plans against: one catalog snapshot (including the
//! transaction's own DDL), the connected database, the search path, and table sources.

use super::settings::Settings;
use crate::engine::Engine;
use datafusion::execution::SessionState;
use datafusion::logical_expr::{LogicalPlan, TableSource};
use quiverdb_catalog::system::SystemView;
use quiverdb_catalog::{CatalogSnapshot, CatalogView, Oid, Result, TableDef, view::PG_CATALOG};
use std::sync::{Arc, OnceLock};

/// The catalog as one statement sees it.
pub struct SessionCatalog {
    pub engine: Arc<Engine>,
    pub snapshot: Arc<CatalogSnapshot>,
    pub database: Oid,
    pub search_path: Vec<String>,
    /// The session's user, backend pid and settings, for the system tables and catalog
    /// functions (listed only when a statement uses those).
    pub user: String,
    pub pid: i32,
    pub settings: Settings,
    /// The system view, made on first use.
    pub system: OnceLock<Arc<SystemView>>,
    /// The session's memory of sequence values (currval, lastval).
    pub sequences: Arc<crate::functions::sequence::SessionSequences>,
    /// Where `set_config` calls record their changes for the session.
    pub pending_settings: Arc<crate::functions::set_config::PendingSettings>,
    /// Whether the statement's transaction is read-only.
    pub read_only: bool,
}

impl CatalogView for SessionCatalog {
    fn snapshot(&self) -> &CatalogSnapshot {
        &self.snapshot
    }

    fn database(&self) -> Oid {
        self.database
    }

    fn search_path(&self) -> Vec<String> {
        self.search_path
            .iter()
            .filter(|s| s.as_str() != PG_CATALOG)
            .filter(|s| self.snapshot.schema_by_name(self.database, s).is_some())
            .cloned()
            .collect()
    }

    fn system_view(&self) -> Option<Arc<SystemView>> {
        let view = self.system.get_or_init(|| {
            let started = self.engine.started().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0);
            Arc::new(SystemView {
                snapshot: self.snapshot.clone(),
                database: self.database,
                search_path: CatalogView::search_path(self),
                user: self.user.clone(),
                pid: self.pid,
                settings: self.settings.all(),
                started_micros: started,
                sequence_states: Some(self.engine.storage().clone() as Arc<dyn quiverdb_catalog::system::SequenceStates>),
                functions: self.engine.procs().clone(),
            })
        });
        Some(view.clone())
    }

    fn session_function(&self, name: &str) -> Option<Arc<datafusion::logical_expr::ScalarUDF>> {
        if name.strip_prefix("pg_catalog.").unwrap_or(name) == "set_config" {
            return Some(crate::functions::set_config::udf(self.settings.clone(), self.pending_settings.clone()));
        }
        crate::functions::sequence::udf(name, || {
            Some(crate::functions::sequence::SequenceContext {
                storage: self.engine.storage().clone(),
                view: self.system_view()?,
                session: self.sequences.clone(),
                read_only: self.read_only,
            })
        })
    }

    fn sequence_source(&self, seq: &Arc<TableDef>) -> Result<Arc<dyn TableSource>> {
        use datafusion::arrow::array::{BooleanArray, Int64Array};
        let storage = self.engine.storage();
        let (state, reserved) = storage.sequences().current(seq)?;
        let fields: Vec<_> = seq.live_columns().map(|c| c.ty.to_field(&c.name, false)).collect();
        let schema = Arc::new(datafusion::arrow::datatypes::Schema::new(fields));
        let columns: Vec<datafusion::arrow::array::ArrayRef> = vec![
            Arc::new(Int64Array::from(vec![state.last])),
            Arc::new(Int64Array::from(vec![reserved as i64])),
            Arc::new(BooleanArray::from(vec![state.called])),
        ];
        let batch = datafusion::arrow::array::RecordBatch::try_new(schema.clone(), columns)
            .map_err(|e| quiverdb_catalog::Error::internal(e.to_string()))?;
        let mem = datafusion::catalog::MemTable::try_new(schema, vec![vec![batch]])?;
        Ok(datafusion::datasource::provider_as_source(Arc::new(mem)))
    }

    fn table_source(&self, table: &Arc<TableDef>) -> Result<Arc<dyn TableSource>> {
        Ok(self.engine.table_source(table, false))
    }

    fn dml_source(&self, table: &Arc<TableDef>) -> Result<Arc<dyn TableSource>> {
        Ok(self.engine.table_source(table, true))
    }

    fn plan_aql(&self, state: &SessionState, query: &str, bind: Option<&str>, typed_columns: bool) -> Result<LogicalPlan> {
        quiverdb_aql::plan(query, bind, self, state, typed_columns)
    }

    fn plan_sql_expr(
        &self,
        state: &SessionState,
        sql: &str,
        schema: &datafusion::common::DFSchema,
    ) -> Result<datafusion::logical_expr::Expr> {
        let planner = quiverdb_sql::SqlPlanner::new(self, state);
        quiverdb_sql::dml::plan_sql_expr(planner.context(), sql, schema, &mut datafusion::sql::planner::PlannerContext::new())
    }
}
