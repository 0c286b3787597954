//! COPY FROM STDIN, after the wire layer decoded the client's data: the rows go through
//! the same INSERT plan as SQL (defaults, constraints, indexes, statement atomicity), so a
//! COPY that fails on any row loads nothing.

use super::{Session, StatementResult};
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::datasource::{MemTable, provider_as_source};
use datafusion::logical_expr::LogicalPlanBuilder;
use quiverdb_catalog::{Error, ErrorCode, Result};
use quiverdb_sql::copy::CopyFromPlan;
use quiverdb_sql::{ModifyVerb, SqlPlanner};
use std::sync::Arc;

impl Session {
    /// Inserts the decoded rows of a `COPY FROM STDIN` (`batches` of `schema`: the COPY
    /// columns in the column types' Arrow form) and reports `COPY n`.
    pub async fn copy_from(&mut self, plan: &CopyFromPlan, schema: SchemaRef, batches: Vec<RecordBatch>) -> Result<StatementResult> {
        self.sync_settings();
        let result = self.copy_rows(plan, schema, batches).await;
        result.map_err(|e| self.fail(e))
    }

    async fn copy_rows(&mut self, plan: &CopyFromPlan, schema: SchemaRef, batches: Vec<RecordBatch>) -> Result<StatementResult> {
        let source = MemTable::try_new(schema, vec![batches])?;
        let source = LogicalPlanBuilder::scan("copy", provider_as_source(Arc::new(source)), None)?.build()?;
        let view = self.catalog_view(self.catalog());
        // The table as the transaction sees it now: DDL may have committed while the
        // client was sending data.
        let table = view
            .snapshot
            .relation(plan.table.oid)
            .cloned()
            .ok_or_else(|| Error::new(ErrorCode::UndefinedTable, format!("relation \"{}\" does not exist", plan.table.name)))?;
        let live: Vec<&str> = table.live_columns().map(|c| c.name.as_str()).collect();
        if plan.targets.iter().zip(&plan.columns).any(|(&t, c)| live.get(t) != Some(&c.name.as_str())) {
            return Err(Error::new(ErrorCode::SerializationFailure, format!("relation \"{}\" was altered during COPY", table.name)));
        }
        let insert = SqlPlanner::new(&view, &self.state).insert_copied(table, &plan.targets, source)?;
        self.run_modify(insert, Some(ModifyVerb::Copy), false).await
    }
}
