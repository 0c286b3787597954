//! `QuiverTable`: the DataFusion table provider of a stored table.
//!
//! Projection, filters answered by the primary key or a secondary index (see
//! [`crate::provider::access`]) and LIMIT are pushed into [`QuiverScanExec`]. A variant with an extra `__quiver_rowkey` column feeds UPDATE
//! and DELETE, which need to know which stored row each input row came from.

use crate::engine::index_exprs::CompiledIndex;
use crate::provider::access::{self, Path};
use crate::provider::keyrange::KeyAccess;
use crate::provider::keyrange::unqualify;
use crate::provider::scan::{PartitionWork, QuiverScanExec};
use crate::storage::rowcodec::RowLayout;
use crate::storage::{Cf, Storage};
use async_trait::async_trait;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::Session;
use datafusion::common::{DFSchema, Result};
use datafusion::datasource::{TableProvider, TableType};
use datafusion::logical_expr::utils::conjunction;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::filter::FilterExecBuilder;
use quiverdb_catalog::TableDef;
use quiverdb_catalog::plan::ROWKEY_COLUMN;
use std::sync::Arc;

/// A stored table as DataFusion sees it.
#[derive(Debug)]
pub struct QuiverTable {
    def: Arc<TableDef>,
    layout: Arc<RowLayout>,
    storage: Arc<Storage>,
    schema: SchemaRef,
    /// Compiled expressions of the table's expression and partial indexes.
    indexes: Arc<[Arc<CompiledIndex>]>,
}

impl QuiverTable {
    /// The provider of `def`; `with_rowkey` appends the hidden row key column; `indexes`
    /// holds the compiled expressions of its expression and partial indexes (those
    /// missing there are not used).
    pub fn new(storage: Arc<Storage>, def: Arc<TableDef>, with_rowkey: bool, indexes: Arc<[Arc<CompiledIndex>]>) -> Self {
        let mut fields: Vec<Field> = def.live_columns().map(|c| c.ty.to_field(&c.name, !c.not_null)).collect();
        if with_rowkey {
            fields.push(Field::new(ROWKEY_COLUMN, DataType::Binary, false));
        }
        let layout = Arc::new(RowLayout::new(&def));
        QuiverTable { def, layout, storage, schema: Arc::new(Schema::new(fields)), indexes }
    }

    /// The table definition.
    pub fn def(&self) -> &Arc<TableDef> {
        &self.def
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
        let plan = access::choose(&self.def, &self.indexes, filters);
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
        let all: Vec<usize> = (0..self.schema.fields().len()).collect();
        let projection = projection.cloned().unwrap_or(all);
        let refs: Vec<&Expr> = filters.iter().collect();
        let plan = access::choose(&self.def, &self.indexes, &refs);
        // Filters the chosen access does not answer. DataFusion asks about filters in
        // several rounds and may have been told "exact" for a filter that another path
        // answered; such filters are applied here, so a filter is never lost.
        let residual: Vec<Expr> =
            filters.iter().zip(&plan.exact).filter(|(_, exact)| !**exact).map(|(f, _)| unqualify(f.clone())).collect::<Result<_>>()?;
        let mut columns = projection.clone();
        for f in &residual {
            for c in f.column_refs() {
                let i = self.schema.index_of(&c.name)?;
                if !columns.contains(&i) {
                    columns.push(i);
                }
            }
        }
        let live: Vec<usize> = self.def.live_columns().map(|c| c.attnum as usize - 1).collect();
        let slots: Vec<Option<usize>> = columns.iter().map(|&i| live.get(i).copied()).collect();
        let schema = Arc::new(self.schema.project(&columns)?);

        let work = match &plan.access {
            KeyAccess::Points(keys) => vec![PartitionWork::Points(keys.clone())],
            KeyAccess::Ranges(r) => vec![PartitionWork::Ranges(r.clone())],
            KeyAccess::Full => {
                let (start, end) = access::whole_range(&self.def, &Path::Primary);
                let parts = if limit.is_some() { 1 } else { state.config().target_partitions() };
                let splits = self.storage.split_points(Cf::Rows, &start, &end, parts);
                let mut bounds = vec![start];
                bounds.extend(splits);
                bounds.push(end);
                bounds.windows(2).map(|w| PartitionWork::Ranges(vec![(w[0].clone(), w[1].clone())])).collect()
            }
        };
        let scan_limit = if residual.is_empty() { limit } else { None };
        let scan: Arc<dyn ExecutionPlan> = Arc::new(QuiverScanExec::new(
            self.def.clone(),
            self.layout.clone(),
            slots,
            schema.clone(),
            plan.path,
            plan.access,
            work,
            scan_limit,
        ));
        let Some(predicate) = conjunction(residual) else {
            return Ok(scan);
        };
        let predicate = state.create_physical_expr(predicate, &DFSchema::try_from(schema.as_ref().clone())?)?;
        let filter =
            FilterExecBuilder::new(predicate, scan).apply_projection(Some((0..projection.len()).collect()))?.with_fetch(limit).build()?;
        Ok(Arc::new(filter))
    }
}
