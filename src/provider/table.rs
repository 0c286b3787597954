//! `QuiverTable`: the DataFusion table provider of a stored table.
//!
//! Projection, primary-key filters (see [`crate::provider::keyrange`]) and LIMIT are pushed
//! into [`QuiverScanExec`]. A variant with an extra `__quiver_rowkey` column feeds UPDATE
//! and DELETE, which need to know which stored row each input row came from.

use crate::provider::keyrange::{self, KeyAccess};
use crate::provider::scan::{PartitionWork, QuiverScanExec};
use crate::storage::keycode::prefix_end;
use crate::storage::rowcodec::RowLayout;
use crate::storage::{Cf, Storage};
use async_trait::async_trait;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::Session;
use datafusion::common::Result;
use datafusion::datasource::{TableProvider, TableType};
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown};
use datafusion::physical_plan::ExecutionPlan;
use quiverdb_catalog::plan::ROWKEY_COLUMN;
use quiverdb_catalog::{SqlType, TableDef};
use std::sync::Arc;

/// A stored table as DataFusion sees it.
#[derive(Debug)]
pub struct QuiverTable {
    def: Arc<TableDef>,
    layout: Arc<RowLayout>,
    storage: Arc<Storage>,
    schema: SchemaRef,
}

impl QuiverTable {
    /// The provider of `def`; `with_rowkey` appends the hidden row key column.
    pub fn new(storage: Arc<Storage>, def: Arc<TableDef>, with_rowkey: bool) -> Self {
        let mut fields: Vec<Field> = def.live_columns().map(|c| c.ty.to_field(&c.name, !c.not_null)).collect();
        if with_rowkey {
            fields.push(Field::new(ROWKEY_COLUMN, DataType::Binary, false));
        }
        let layout = Arc::new(RowLayout::new(&def));
        QuiverTable { def, layout, storage, schema: Arc::new(Schema::new(fields)) }
    }

    /// The table definition.
    pub fn def(&self) -> &Arc<TableDef> {
        &self.def
    }

    /// The key columns (name, type) in key order; empty for row-id tables.
    fn key_columns(&self) -> Vec<(String, SqlType)> {
        match &self.def.primary_key {
            Some(pk) => pk.columns.iter().filter_map(|a| self.def.column_by_attnum(*a)).map(|c| (c.name.clone(), c.ty.clone())).collect(),
            None => vec![],
        }
    }

    fn prefix(&self) -> Vec<u8> {
        self.def.storage_id.to_be_bytes().to_vec()
    }
}

#[async_trait]
impl TableProvider for QuiverTable {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(&self, filters: &[&Expr]) -> Result<Vec<TableProviderFilterPushDown>> {
        let plan = keyrange::plan(&self.prefix(), &self.key_columns(), filters);
        Ok(plan
            .exact
            .into_iter()
            .map(|e| if e { TableProviderFilterPushDown::Exact } else { TableProviderFilterPushDown::Unsupported })
            .collect())
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let live: Vec<usize> = self.def.live_columns().map(|c| c.attnum as usize - 1).collect();
        let all: Vec<usize> = (0..self.schema.fields().len()).collect();
        let projection = projection.cloned().unwrap_or(all);
        let slots: Vec<Option<usize>> = projection.iter().map(|&i| live.get(i).copied()).collect();
        let schema = Arc::new(self.schema.project(&projection)?);

        let refs: Vec<&Expr> = filters.iter().collect();
        let plan = keyrange::plan(&self.prefix(), &self.key_columns(), &refs);
        let prefix = self.prefix();
        let work = match &plan.access {
            KeyAccess::Points(keys) => vec![PartitionWork::Points(keys.clone())],
            KeyAccess::Ranges(r) => vec![PartitionWork::Ranges(r.clone())],
            KeyAccess::Full => {
                let end = prefix_end(&prefix).unwrap_or_else(|| vec![0xFF; 9]);
                let parts = if limit.is_some() { 1 } else { state.config().target_partitions() };
                let splits = self.storage.split_points(Cf::Rows, &prefix, &end, parts);
                let mut bounds = vec![prefix.clone()];
                bounds.extend(splits);
                bounds.push(end);
                bounds.windows(2).map(|w| PartitionWork::Ranges(vec![(w[0].clone(), w[1].clone())])).collect()
            }
        };
        Ok(Arc::new(QuiverScanExec::new(self.def.clone(), self.layout.clone(), slots, schema, plan.access, work, limit)))
    }
}
