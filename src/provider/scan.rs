//! `QuiverScanExec`: reads a table's rows (key lookups, range scans or a full scan) from
//! the statement's transaction and decodes them into Arrow batches.
//!
//! `scan()` only describes the work; `execute()` finds the transaction in the task context
//! and streams. Each partition covers a disjoint part of the key space, so full scans run
//! in parallel.

use crate::provider::access::{self, Path};
use crate::provider::context::TxnContext;
use crate::provider::keyrange::KeyAccess;
use crate::storage::rowcodec::{RowDecoder, RowLayout};
use crate::storage::{Cf, Txn, TxnCursor};
use datafusion::arrow::array::{ArrayRef, BinaryBuilder, RecordBatch, RecordBatchOptions};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::{DataFusionError, Result};
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_expr::expressions::Column;
use datafusion::physical_expr::{EquivalenceProperties, LexOrdering, PhysicalExpr, PhysicalSortExpr};
use datafusion::physical_plan::SortOrderPushdownResult;
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
#[derive(Debug, Clone)]
pub struct QuiverScanExec {
    table: Arc<TableDef>,
    layout: Arc<RowLayout>,
    /// Output columns: slot of each, or `None` for the row key column.
    slots: Vec<Option<usize>>,
    schema: SchemaRef,
    path: Path,
    work: Vec<PartitionWork>,
    access: KeyAccess,
    limit: Option<usize>,
    /// Whether the output is declared sorted by the path's key columns (one partition).
    ordered: bool,
    properties: Arc<PlanProperties>,
    metrics: ExecutionPlanMetricsSet,
}

impl QuiverScanExec {
    /// A scan of `table` producing `schema` (columns at `slots`) over `work` partitions of
    /// `path`'s key space.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        table: Arc<TableDef>,
        layout: Arc<RowLayout>,
        slots: Vec<Option<usize>>,
        schema: SchemaRef,
        path: Path,
        access: KeyAccess,
        work: Vec<PartitionWork>,
        limit: Option<usize>,
    ) -> Self {
        let properties = Self::properties_for(&schema, work.len(), None);
        QuiverScanExec {
            table,
            layout,
            slots,
            schema,
            path,
            work,
            access,
            limit,
            ordered: false,
            properties,
            metrics: ExecutionPlanMetricsSet::new(),
        }
    }

    fn properties_for(schema: &SchemaRef, partitions: usize, ordering: Option<LexOrdering>) -> Arc<PlanProperties> {
        let mut eq = EquivalenceProperties::new(schema.clone());
        if let Some(o) = ordering {
            eq = EquivalenceProperties::new_with_orderings(schema.clone(), [o]);
        }
        Arc::new(
            PlanProperties::new(eq, Partitioning::UnknownPartitioning(partitions.max(1)), EmissionType::Incremental, Boundedness::Bounded)
                // The stream yields to the runtime itself (see `execute`), so DataFusion
                // need not wrap the scan in a CooperativeExec.
                .with_scheduling_type(SchedulingType::Cooperative),
        )
    }

    /// How this scan reaches its rows.
    pub fn access(&self) -> &KeyAccess {
        &self.access
    }

    /// True when an index scan needs no row: no column (not even the row key) is output.
    fn index_only(&self) -> bool {
        matches!(self.path, Path::Index(_)) && self.slots.is_empty()
    }

    /// The attnum of output column `i`, unless it is the row key (slots are attnum - 1).
    fn attnum_of(&self, i: usize) -> Option<i16> {
        let slot = (*self.slots.get(i)?)?;
        i16::try_from(slot + 1).ok()
    }

    /// `order` as attnums when every key is a plain output column sorted ascending with
    /// NULLs last — the order our keys are stored in (NULLS FIRST too for a column that is
    /// never NULL).
    fn sort_attnums(&self, order: &[PhysicalSortExpr]) -> Option<Vec<i16>> {
        order
            .iter()
            .map(|e| {
                let col = e.expr.downcast_ref::<Column>()?;
                let attnum = self.attnum_of(col.index())?;
                // Keys are stored ascending with NULLs last; NULLS FIRST (AQL's order, or
                // SQL's explicit one) is the same order for a column that is never NULL.
                let never_null = access::primary_columns(&self.table).contains(&attnum)
                    || self.table.columns.iter().any(|c| c.attnum == attnum && c.not_null);
                (!e.options.descending && (!e.options.nulls_first || never_null)).then_some(attnum)
            })
            .collect()
    }

    /// This scan reading `path` in key order as one partition, declaring `order`.
    fn ordered_on(&self, path: Path, order: &[PhysicalSortExpr]) -> Option<Self> {
        let ordering = LexOrdering::new(order.iter().cloned())?;
        let (access, work) = match (&self.access, path == self.path) {
            // Points and ranges are sorted by key and disjoint: concatenated, they are in
            // key order.
            (KeyAccess::Points(p), true) => (self.access.clone(), vec![PartitionWork::Points(p.clone())]),
            (KeyAccess::Ranges(r), true) => (self.access.clone(), vec![PartitionWork::Ranges(r.clone())]),
            (KeyAccess::Full, _) => {
                let range = access::whole_range(&self.table, &path);
                (KeyAccess::Full, vec![PartitionWork::Ranges(vec![range])])
            }
            _ => return None,
        };
        let mut scan = self.clone();
        scan.properties = Self::properties_for(&self.schema, 1, Some(ordering));
        scan.path = path;
        scan.access = access;
        scan.work = work;
        scan.ordered = true;
        scan.metrics = ExecutionPlanMetricsSet::new();
        Some(scan)
    }
}

impl DisplayAs for QuiverScanExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "QuiverScanExec: table={}, ", self.table.name)?;
        let (lookup, range) = match &self.path {
            Path::Primary => ("key lookup".to_string(), "key range scan".to_string()),
            Path::Index(i) => (format!("index lookup using {}", i.name), format!("index range scan using {}", i.name)),
        };
        match (&self.access, &self.path) {
            (KeyAccess::Full, Path::Primary) => write!(f, "access=full scan")?,
            (KeyAccess::Full, Path::Index(i)) => write!(f, "access=full index scan using {}", i.name)?,
            (KeyAccess::Points(keys), _) if keys.len() == 1 => write!(f, "access={lookup}")?,
            (KeyAccess::Points(keys), _) => write!(f, "access={lookup} ({} keys)", keys.len())?,
            (KeyAccess::Ranges(r), _) if r.len() == 1 => write!(f, "access={range}")?,
            (KeyAccess::Ranges(r), _) => write!(f, "access={range} ({} ranges)", r.len())?,
        }
        if self.ordered {
            write!(f, " in order")?;
        }
        if self.index_only() {
            write!(f, ", index only")?;
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
            source: match &self.path {
                Path::Primary => Source::Rows,
                Path::Index(_) if self.index_only() => Source::IndexOnly,
                Path::Index(_) => Source::Index(access::row_prefix(&self.table)),
            },
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

    /// `ORDER BY` on a prefix of this scan's key columns (ascending, NULLs last) is
    /// answered by reading the key space in order; a full scan may switch to the primary
    /// key or an index whose columns start with the sort keys (not a partial one, which
    /// lacks rows, nor one with expression keys).
    fn try_pushdown_sort(&self, order: &[PhysicalSortExpr]) -> Result<SortOrderPushdownResult<Arc<dyn ExecutionPlan>>> {
        let Some(wanted) = self.sort_attnums(order) else {
            return Ok(SortOrderPushdownResult::Unsupported);
        };
        let serves = |cols: &[i16]| !wanted.is_empty() && cols.starts_with(&wanted);
        let path = if serves(&access::order_columns(&self.table, &self.path)) {
            Some(self.path.clone())
        } else if self.access == KeyAccess::Full {
            let candidates = std::iter::once(Path::Primary).chain(access::indexes(&self.table, &[]).into_iter().map(Path::Index));
            candidates.into_iter().find(|p| serves(&access::order_columns(&self.table, p)))
        } else {
            None
        };
        match path.and_then(|p| self.ordered_on(p, order)) {
            Some(scan) => Ok(SortOrderPushdownResult::Exact { inner: Arc::new(scan) }),
            None => Ok(SortOrderPushdownResult::Unsupported),
        }
    }

    fn with_fetch(&self, limit: Option<usize>) -> Option<Arc<dyn ExecutionPlan>> {
        let mut scan = self.clone();
        scan.limit = match (self.limit, limit) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        scan.metrics = ExecutionPlanMetricsSet::new();
        Some(Arc::new(scan))
    }

    fn fetch(&self) -> Option<usize> {
        self.limit
    }

    fn metrics(&self) -> Option<MetricsSet> {
        Some(self.metrics.clone_inner())
    }
}

/// Where a scan's entries come from.
enum Source {
    /// The rows themselves.
    Rows,
    /// Index entries, whose values are row-key suffixes under this table prefix.
    Index(Vec<u8>),
    /// Index entries only: no column is wanted (`count(*)`), so rows are never read.
    IndexOnly,
}

struct ScanState {
    txn: Arc<Txn>,
    decoder: RowDecoder,
    slots: Vec<Option<usize>>,
    schema: SchemaRef,
    work: PartitionWork,
    source: Source,
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
    /// Decodes one entry read at `key`: a row, or an index entry whose value is the row-key
    /// suffix; its row is then read (it is always in the same snapshot: a missing one is
    /// an error, never skipped), unless no column is wanted.
    fn emit(
        txn: &Txn,
        source: &Source,
        decoder: &mut RowDecoder,
        keys: &mut Option<BinaryBuilder>,
        key: &[u8],
        value: &[u8],
    ) -> Result<()> {
        let prefix = match source {
            Source::IndexOnly => return Ok(()),
            Source::Rows => {
                decoder.push(value)?;
                if let Some(k) = keys.as_mut() {
                    k.append_value(key);
                }
                return Ok(());
            }
            Source::Index(prefix) => prefix,
        };
        let mut row_key = Vec::with_capacity(prefix.len() + value.len());
        row_key.extend_from_slice(prefix);
        row_key.extend_from_slice(value);
        let row = txn
            .get(Cf::Rows, &row_key)?
            .ok_or_else(|| DataFusionError::Internal("index entry points at a missing row: drop and recreate the index".into()))?;
        decoder.push(&row)?;
        if let Some(k) = keys.as_mut() {
            k.append_value(&row_key);
        }
        Ok(())
    }

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
        let cf = if matches!(self.source, Source::Rows) { Cf::Rows } else { Cf::Index };
        let mut n = 0;
        match &self.work {
            PartitionWork::Points(points) => {
                while n < want && self.next_point < points.len() {
                    let key = &points[self.next_point];
                    self.next_point += 1;
                    self.probes.add(1);
                    if let Some(value) = self.txn.get(cf, key)? {
                        Self::emit(&self.txn, &self.source, &mut self.decoder, &mut keys, key, &value)?;
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
                        self.cursor = Some(self.txn.scan(cf, lo, Some(hi)));
                    }
                    let Some(cursor) = self.cursor.as_mut() else {
                        break;
                    };
                    match cursor.item() {
                        Some((k, v)) => {
                            Self::emit(&self.txn, &self.source, &mut self.decoder, &mut keys, k, v)?;
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
