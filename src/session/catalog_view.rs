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
            })
        });
        Some(view.clone())
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
