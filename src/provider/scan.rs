//! `QuiverScanExec`: reads a table's rows (key lookups, range scans or a full scan) from
//! the statement's transaction and decodes them into Arrow batches.
//!
//! `scan()` only describes the work; `execute()` finds the transaction in the task context
//! and streams. Each partition covers a disjoint part of the key space, so full scans run
//! in parallel.

use crate::provider::context::TxnContext;
use crate::provider::keyrange::KeyAccess;
use crate::storage::rowcodec::{RowDecoder, RowLayout};
use crate::storage::{Cf, Txn, TxnCursor};
use datafusion::arrow::array::{ArrayRef, BinaryBuilder, RecordBatch, RecordBatchOptions};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::{DataFusionError, Result};
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::coop::make_cooperative;
use datafusion::physical_plan::execution_plan::SchedulingType;
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::metrics::{BaselineMetrics, Count, ExecutionPlanMetricsSet, MetricBuilder, MetricsSet};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning, PlanProperties};
use quiverdb_catalog::TableDef;
use std::fmt;
use std::sync::Arc;

/// What one partition of a scan reads.
#[derive(Debug, Clone)]
pub enum PartitionWork {
    /// Point lookups of these full keys.
    Points(Vec<Vec<u8>>),
    /// These key ranges `[lower, upper)`, in order.
    Ranges(Vec<(Vec<u8>, Vec<u8>)>),
}

/// Reads rows of one table.
#[derive(Debug)]
pub struct QuiverScanExec {
    table: Arc<TableDef>,
    layout: Arc<RowLayout>,
    /// Output columns: slot of each, or `None` for the row key column.
    slots: Vec<Option<usize>>,
    schema: SchemaRef,
    work: Vec<PartitionWork>,
    access: KeyAccess,
    limit: Option<usize>,
    properties: Arc<PlanProperties>,
    metrics: ExecutionPlanMetricsSet,
}

impl QuiverScanExec {
    /// A scan of `table` producing `schema` (columns at `slots`) over `work` partitions.
    pub fn new(
        table: Arc<TableDef>,
        layout: Arc<RowLayout>,
        slots: Vec<Option<usize>>,
        schema: SchemaRef,
        access: KeyAccess,
        work: Vec<PartitionWork>,
        limit: Option<usize>,
    ) -> Self {
        let properties = Arc::new(
            PlanProperties::new(
                EquivalenceProperties::new(schema.clone()),
                Partitioning::UnknownPartitioning(work.len().max(1)),
                EmissionType::Incremental,
                Boundedness::Bounded,
            )
            // The stream yields to the runtime itself (see `execute`), so DataFusion need not
            // wrap the scan in a CooperativeExec.
            .with_scheduling_type(SchedulingType::Cooperative),
        );
        QuiverScanExec { table, layout, slots, schema, work, access, limit, properties, metrics: ExecutionPlanMetricsSet::new() }
    }

    /// How this scan reaches its rows.
    pub fn access(&self) -> &KeyAccess {
        &self.access
    }
}

impl DisplayAs for QuiverScanExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "QuiverScanExec: table={}, ", self.table.name)?;
        match &self.access {
            KeyAccess::Full => write!(f, "access=full scan")?,
            KeyAccess::Points(keys) if keys.len() == 1 => write!(f, "access=key lookup")?,
            KeyAccess::Points(keys) => write!(f, "access=key lookup ({} keys)", keys.len())?,
            KeyAccess::Ranges(r) if r.len() == 1 => write!(f, "access=key range scan")?,
            KeyAccess::Ranges(r) => write!(f, "access=key range scan ({} ranges)", r.len())?,
        }
        let names: Vec<&str> = self.schema.fields().iter().map(|f| f.name().as_str()).collect();
        write!(f, ", projection=[{}]", names.join(", "))?;
        if let Some(l) = self.limit {
            write!(f, ", limit={l}")?;
        }
        Ok(())
    }
}

impl ExecutionPlan for QuiverScanExec {
    fn name(&self) -> &str {
        "QuiverScanExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![]
    }

    fn apply_expressions(&self, _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(self: Arc<Self>, children: Vec<Arc<dyn ExecutionPlan>>) -> Result<Arc<dyn ExecutionPlan>> {
        if children.is_empty() { Ok(self) } else { Err(DataFusionError::Internal("QuiverScanExec has no children".into())) }
    }

    fn execute(&self, partition: usize, context: Arc<TaskContext>) -> Result<SendableRecordBatchStream> {
        let txn = TxnContext::of(&context)?.txn.clone();
        let work = self.work.get(partition).cloned().unwrap_or(PartitionWork::Points(vec![]));
        let rows_read = MetricBuilder::new(&self.metrics).counter("rows_read", partition);
        let probes = MetricBuilder::new(&self.metrics).counter("key_probes", partition);
        let baseline = BaselineMetrics::new(&self.metrics, partition);
        let state = ScanState {
            txn,
            decoder: RowDecoder::new(
                self.layout.clone(),
                self.slots.iter().filter_map(|s| *s).collect(),
                context.session_config().batch_size(),
            ),
            slots: self.slots.clone(),
            schema: self.schema.clone(),
            work,
            cursor: None,
            next_range: 0,
            next_point: 0,
            remaining: self.limit,
            batch_size: context.session_config().batch_size(),
            rows_read,
            probes,
            baseline,
        };
        let schema = self.schema.clone();
        let stream = futures::stream::unfold(state, |mut st| async move {
            match st.next_batch() {
                Ok(Some(b)) => Some((Ok(b), st)),
                Ok(None) => None,
                Err(e) => Some((Err(e), st.finished())),
            }
        });
        // Cooperative: returns Pending once the task's budget is spent, so cancellation and
        // statement_timeout can fire during long scans.
        Ok(make_cooperative(Box::pin(RecordBatchStreamAdapter::new(schema, stream))))
    }

    fn metrics(&self) -> Option<MetricsSet> {
        Some(self.metrics.clone_inner())
    }
}

struct ScanState {
    txn: Arc<Txn>,
    decoder: RowDecoder,
    slots: Vec<Option<usize>>,
    schema: SchemaRef,
    work: PartitionWork,
    cursor: Option<TxnCursor>,
    next_range: usize,
    next_point: usize,
    remaining: Option<usize>,
    batch_size: usize,
    rows_read: Count,
    probes: Count,
    baseline: BaselineMetrics,
}

impl ScanState {
    /// A state that yields nothing more (after an error).
    fn finished(mut self) -> Self {
        self.work = PartitionWork::Points(vec![]);
        self.next_point = 0;
        self.remaining = Some(0);
        self
    }

    /// Decodes up to one batch; `None` when the partition is exhausted.
    fn next_batch(&mut self) -> Result<Option<RecordBatch>> {
        let _timer = self.baseline.elapsed_compute().timer();
        let mut keys: Option<BinaryBuilder> = self.slots.iter().any(Option::is_none).then(BinaryBuilder::new);
        let want = match self.remaining {
            Some(0) => return Ok(None),
            Some(r) => r.min(self.batch_size),
            None => self.batch_size,
        };
        let mut n = 0;
        match &self.work {
            PartitionWork::Points(points) => {
                while n < want && self.next_point < points.len() {
                    let key = &points[self.next_point];
                    self.next_point += 1;
                    self.probes.add(1);
                    if let Some(row) = self.txn.get(Cf::Rows, key)? {
                        self.decoder.push(&row)?;
                        if let Some(k) = keys.as_mut() {
                            k.append_value(key);
                        }
                        n += 1;
                    }
                }
            }
            PartitionWork::Ranges(ranges) => {
                while n < want {
                    if self.cursor.is_none() {
                        let Some((lo, hi)) = ranges.get(self.next_range) else {
                            break;
                        };
                        self.next_range += 1;
                        self.probes.add(1);
                        self.cursor = Some(self.txn.scan(Cf::Rows, lo, Some(hi)));
                    }
                    let Some(cursor) = self.cursor.as_mut() else {
                        break;
                    };
                    match cursor.item() {
                        Some((k, v)) => {
                            self.decoder.push(v)?;
                            if let Some(kb) = keys.as_mut() {
                                kb.append_value(k);
                            }
                            n += 1;
                            cursor.next();
                        }
                        None => {
                            cursor.status()?;
                            self.cursor = None;
                        }
                    }
                }
            }
        }
        if n == 0 {
            return Ok(None);
        }
        if let Some(r) = self.remaining.as_mut() {
            *r -= n;
        }
        self.rows_read.add(n);
        let mut decoded = self.decoder.finish().into_iter();
        let mut key_col = keys.map(|mut k| Arc::new(k.finish()) as ArrayRef);
        let columns: Vec<ArrayRef> = self
            .slots
            .iter()
            .map(|s| match s {
                Some(_) => decoded.next(),
                None => key_col.take(),
            })
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| DataFusionError::Internal("scan column count mismatch".into()))?;
        let options = RecordBatchOptions::new().with_row_count(Some(n));
        let batch = RecordBatch::try_new_with_options(self.schema.clone(), columns, &options)?;
        self.baseline.record_output(n);
        Ok(Some(batch))
    }
}
