//! `ModifyExec`: executes `TableModify` plans — INSERT (with ON CONFLICT), UPDATE and DELETE.
//!
//! The operator drains its input (the rows to write, see the logical node's docs), then for
//! each row enforces NOT NULL, length limits, CHECK, primary-key and unique constraints,
//! and writes the row and its unique-index entries into the statement's transaction. All
//! writes of a statement land in the transaction's write set, and the session rolls the
//! statement back to its savepoint on any error: a statement is atomic.
//!
//! Output: one `count` row, or with RETURNING the written rows (new values for INSERT and
//! UPDATE, old values for DELETE).

use crate::engine::index_exprs::CompiledIndex;
use crate::exec::rows::{RowWriter, Rows, row_text};
use crate::provider::context::TxnContext;
use crate::storage::rowcodec::RowLayout;
use datafusion::arrow::array::{Array, ArrayRef, BooleanArray, RecordBatch, UInt64Array};
use datafusion::arrow::compute::{concat_batches, take};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::{DataFusionError, Result};
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{DisplayAs, DisplayFormatType, Distribution, ExecutionPlan, Partitioning, PlanProperties};
use futures::StreamExt;
use quiverdb_catalog::plan::ModifyOp;
use quiverdb_catalog::{Error, ErrorCode, TableDef};
use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

/// ON CONFLICT, with its expressions compiled against the (existing ⊕ excluded) schema.
#[derive(Debug, Clone)]
pub struct PhysicalConflict {
    /// attnums of the conflict target (empty: any constraint; DO NOTHING only).
    pub target: Vec<i16>,
    /// `None` for DO NOTHING.
    pub update: Option<ConflictUpdate>,
    /// Input column choosing which rows may take the conflict action (see
    /// [`quiverdb_catalog::plan::OnConflict::guard`]).
    pub guard: Option<usize>,
}

/// DO UPDATE SET ... [WHERE ...].
#[derive(Debug, Clone)]
pub struct ConflictUpdate {
    /// (live column position, expression).
    pub assignments: Vec<(usize, Arc<dyn PhysicalExpr>)>,
    pub predicate: Option<Arc<dyn PhysicalExpr>>,
    /// Schema of the (existing ⊕ excluded) batch the expressions read.
    pub schema: SchemaRef,
}

/// The physical INSERT/UPDATE/DELETE operator.
#[derive(Debug)]
pub struct ModifyExec {
    table: Arc<TableDef>,
    layout: Arc<RowLayout>,
    op: ModifyOp,
    input: Arc<dyn ExecutionPlan>,
    checks: Vec<(String, Arc<dyn PhysicalExpr>)>,
    /// Compiled expressions of the table's expression and partial indexes.
    indexes: Arc<[Arc<CompiledIndex>]>,
    conflict: Option<PhysicalConflict>,
    returning: bool,
    schema: SchemaRef,
    /// Schema of written rows (the table's live columns).
    row_schema: SchemaRef,
    properties: Arc<PlanProperties>,
}

impl ModifyExec {
    /// Builds the operator; `schema` is the logical node's output schema.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        table: Arc<TableDef>,
        op: ModifyOp,
        input: Arc<dyn ExecutionPlan>,
        checks: Vec<(String, Arc<dyn PhysicalExpr>)>,
        conflict: Option<PhysicalConflict>,
        returning: bool,
        schema: SchemaRef,
        row_schema: SchemaRef,
    ) -> Self {
        let properties = Arc::new(PlanProperties::new(
            EquivalenceProperties::new(schema.clone()),
            Partitioning::UnknownPartitioning(1),
            EmissionType::Final,
            Boundedness::Bounded,
        ));
        let layout = Arc::new(RowLayout::new(&table));
        let indexes = Arc::new([]);
        ModifyExec { table, layout, op, input, checks, indexes, conflict, returning, schema, row_schema, properties }
    }

    /// The operator maintaining expression and partial indexes with `indexes`.
    pub fn with_indexes(mut self, indexes: Arc<[Arc<CompiledIndex>]>) -> Self {
        self.indexes = indexes;
        self
    }

    fn verb(&self) -> &'static str {
        match self.op {
            ModifyOp::Insert { .. } => "Insert",
            ModifyOp::Update => "Update",
            ModifyOp::Delete => "Delete",
        }
    }
}

impl DisplayAs for ModifyExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "ModifyExec: {} {}", self.verb(), self.table.name)?;
        if let Some(c) = &self.conflict {
            write!(f, ", on_conflict={}", if c.update.is_some() { "update" } else { "nothing" })?;
        }
        if self.returning {
            write!(f, ", returning")?;
        }
        Ok(())
    }
}

impl ExecutionPlan for ModifyExec {
    fn name(&self) -> &str {
        "ModifyExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    /// The operator reads its input's partitions one after the other itself (so rows are
    /// written in the order PostgreSQL would write them); no merge or repartition above
    /// the input.
    fn required_input_distribution(&self) -> Vec<Distribution> {
        vec![Distribution::UnspecifiedDistribution]
    }

    fn benefits_from_input_partitioning(&self) -> Vec<bool> {
        vec![false]
    }

    fn maintains_input_order(&self) -> Vec<bool> {
        vec![true]
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn apply_expressions(&self, f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>) -> Result<TreeNodeRecursion> {
        for (_, e) in &self.checks {
            if f(e)? == TreeNodeRecursion::Stop {
                return Ok(TreeNodeRecursion::Stop);
            }
        }
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(self: Arc<Self>, mut children: Vec<Arc<dyn ExecutionPlan>>) -> Result<Arc<dyn ExecutionPlan>> {
        let input = children.pop().ok_or_else(|| DataFusionError::Internal("ModifyExec needs one child".into()))?;
        Ok(Arc::new(ModifyExec {
            table: self.table.clone(),
            layout: self.layout.clone(),
            op: self.op.clone(),
            input,
            checks: self.checks.clone(),
            indexes: self.indexes.clone(),
            conflict: self.conflict.clone(),
            returning: self.returning,
            schema: self.schema.clone(),
            row_schema: self.row_schema.clone(),
            properties: self.properties.clone(),
        }))
    }

    fn execute(&self, partition: usize, context: Arc<TaskContext>) -> Result<SendableRecordBatchStream> {
        if partition != 0 {
            return Err(DataFusionError::Internal(format!("ModifyExec has no partition {partition}")));
        }
        let txn = TxnContext::of(&context)?.txn.clone();
        let mut input = crate::exec::ordered::execute_in_order(self.input.clone(), context)?;
        let writer = RowWriter::new(txn, self.table.clone(), self.layout.clone(), &self.indexes)?;
        let job = Job {
            writer,
            op: self.op.clone(),
            checks: self.checks.clone(),
            conflict: self.conflict.clone(),
            returning: self.returning,
            row_schema: self.row_schema.clone(),
            schema: self.schema.clone(),
        };
        let schema = self.schema.clone();
        let fut = async move {
            let mut job = job;
            let mut state = JobState::default();
            while let Some(batch) = input.next().await {
                job.process(&batch?, &mut state)?;
            }
            job.output(state)
        };
        let stream = futures::stream::once(fut);
        Ok(Box::pin(RecordBatchStreamAdapter::new(schema, stream)))
    }
}

#[derive(Default)]
struct JobState {
    count: u64,
    out: Vec<RecordBatch>,
    /// Row keys already written by this statement (UPDATE/DELETE see each row once; ON
    /// CONFLICT DO UPDATE may not touch a row twice).
    touched: HashSet<Vec<u8>>,
}

struct Job {
    writer: RowWriter,
    op: ModifyOp,
    checks: Vec<(String, Arc<dyn PhysicalExpr>)>,
    conflict: Option<PhysicalConflict>,
    returning: bool,
    row_schema: SchemaRef,
    schema: SchemaRef,
}

impl Job {
    fn process(&mut self, batch: &RecordBatch, st: &mut JobState) -> Result<()> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let n = self.row_schema.fields().len();
        if !matches!(self.op, ModifyOp::Insert { .. }) && batch.column(0).null_count() > 0 {
            return Err(self.not_found());
        }
        match self.op.clone() {
            ModifyOp::Insert { .. } => {
                let rows = self.prepare(batch.columns()[..n].to_vec(), false)?;
                let extras = batch.columns()[n..].to_vec();
                let guard = match self.conflict.as_ref().and_then(|c| c.guard) {
                    Some(g) => Some(
                        batch
                            .column(g)
                            .as_any()
                            .downcast_ref::<BooleanArray>()
                            .cloned()
                            .ok_or_else(|| Error::internal("ON CONFLICT guard is not boolean"))?,
                    ),
                    None => None,
                };
                self.insert(&rows, &extras, guard.as_ref(), st)
            }
            ModifyOp::Update => {
                let keys = batch.column(0).clone();
                let rows = self.prepare(batch.columns()[1..=n].to_vec(), true)?;
                let extras = batch.columns()[n + 1..].to_vec();
                self.update(&keys, &rows, &extras, st)
            }
            ModifyOp::Delete => {
                let keys = batch.column(0).clone();
                let rows = self.writer.rows(RecordBatch::try_new(self.row_schema.clone(), batch.columns()[1..=n].to_vec())?)?;
                let extras = batch.columns()[n + 1..].to_vec();
                self.delete(&keys, &rows, &extras, st)
            }
        }
    }

    /// Output rows for RETURNING: the written rows at `indices` plus the extra columns.
    fn returned(&self, rows: &RecordBatch, extras: &[ArrayRef], indices: &[u64]) -> Result<RecordBatch> {
        let idx = UInt64Array::from(indices.to_vec());
        let mut cols = Vec::with_capacity(self.schema.fields().len());
        for c in rows.columns().iter().chain(extras.iter()) {
            cols.push(take(c.as_ref(), &idx, None)?);
        }
        Ok(RecordBatch::try_new(self.schema.clone(), cols)?)
    }

    /// Applies assignment coercions, settles a collection's system attributes (`update`:
    /// the rows replace existing ones) and checks NOT NULL and CHECK constraints.
    fn prepare(&self, columns: Vec<ArrayRef>, update: bool) -> Result<Rows> {
        let mut columns = self.writer.coerce(columns)?;
        let table = self.writer.table();
        if let Some(kind) = table.collection {
            crate::exec::document::fill_system_attributes(table, kind, &mut columns, update)?;
        }
        let rows = RecordBatch::try_new(self.row_schema.clone(), columns)?;
        self.writer.check_not_null(&rows)?;
        self.check_constraints(&rows)?;
        self.writer.rows(rows)
    }

    fn check_constraints(&self, rows: &RecordBatch) -> Result<()> {
        for (name, expr) in &self.checks {
            let value = expr.evaluate(rows)?.into_array(rows.num_rows())?;
            let Some(ok) = value.as_any().downcast_ref::<BooleanArray>() else {
                return Err(Error::internal("CHECK constraint is not boolean").into());
            };
            for i in 0..ok.len() {
                if ok.is_valid(i) && !ok.value(i) {
                    return Err(Error::new(
                        ErrorCode::CheckViolation,
                        format!("new row for relation \"{}\" violates check constraint \"{name}\"", self.writer.table().name),
                    )
                    .with_detail(format!("Failing row contains ({}).", row_text(rows, i)))
                    .with_object(self.writer.table(), None, Some(name))
                    .into());
                }
            }
        }
        Ok(())
    }

    /// Inserts `rows`; a conflict takes the ON CONFLICT action for rows `guard` allows (all
    /// without one).
    fn insert(&mut self, rows: &Rows, extras: &[ArrayRef], guard: Option<&BooleanArray>, st: &mut JobState) -> Result<()> {
        let mut written = Vec::with_capacity(rows.batch.num_rows());
        for i in 0..rows.batch.num_rows() {
            if guard.is_none_or(|g| g.is_valid(i) && g.value(i))
                && let Some(conflict) = self.conflict.clone()
                && let Some(existing) = self.writer.find_conflict(rows, i, &conflict.target)?
            {
                if let Some(update) = &conflict.update {
                    if !st.touched.insert(existing.clone()) {
                        return Err(Error::new(
                            ErrorCode::CardinalityViolation,
                            "ON CONFLICT DO UPDATE command cannot affect row a second time",
                        )
                        .with_hint("Ensure that no rows proposed for insertion within the same command have duplicate constrained values.")
                        .into());
                    }
                    if let Some(new_row) = self.conflict_update(update, &existing, rows, i)? {
                        self.writer.update_row(&existing, &new_row, 0)?;
                        st.count += 1;
                        if self.returning {
                            let idx = UInt64Array::from(vec![i as u64]);
                            let extras = extras.iter().map(|c| take(c.as_ref(), &idx, None)).collect::<std::result::Result<Vec<_>, _>>()?;
                            st.out.push(self.returned(&new_row.batch, &extras, &[0])?);
                        }
                    }
                }
                continue;
            }
            let key = self.writer.insert_row(rows, i)?;
            if self.conflict.as_ref().is_some_and(|c| c.update.is_some()) {
                st.touched.insert(key);
            }
            written.push(i as u64);
            st.count += 1;
        }
        if self.returning && !written.is_empty() {
            st.out.push(self.returned(&rows.batch, extras, &written)?);
        }
        Ok(())
    }

    /// Evaluates DO UPDATE for one proposed row; `None` when its WHERE is not true.
    fn conflict_update(&self, update: &ConflictUpdate, existing_key: &[u8], proposed: &Rows, row: usize) -> Result<Option<Rows>> {
        let existing = self.writer.read_row(existing_key, &self.row_schema)?;
        let excluded = take_rows(&proposed.batch, &[row as u64])?;
        let mut cols = existing.columns().to_vec();
        cols.extend(excluded.columns().iter().cloned());
        let both = RecordBatch::try_new(update.schema.clone(), cols)?;
        if let Some(pred) = &update.predicate {
            let v = pred.evaluate(&both)?.into_array(1)?;
            let ok = v.as_any().downcast_ref::<BooleanArray>().is_some_and(|b| b.is_valid(0) && b.value(0));
            if !ok {
                return Ok(None);
            }
        }
        let mut new_cols = existing.columns().to_vec();
        for (pos, expr) in &update.assignments {
            new_cols[*pos] = expr.evaluate(&both)?.into_array(1)?;
        }
        Ok(Some(self.prepare(new_cols, true)?))
    }

    fn update(&mut self, keys: &ArrayRef, rows: &Rows, extras: &[ArrayRef], st: &mut JobState) -> Result<()> {
        let keys = binary(keys)?;
        let mut written = Vec::with_capacity(rows.batch.num_rows());
        for i in 0..rows.batch.num_rows() {
            let key = keys.value(i);
            if !st.touched.insert(key.to_vec()) {
                continue;
            }
            self.writer.update_row(key, rows, i)?;
            written.push(i as u64);
            st.count += 1;
        }
        if self.returning && !written.is_empty() {
            st.out.push(self.returned(&rows.batch, extras, &written)?);
        }
        Ok(())
    }

    fn delete(&mut self, keys: &ArrayRef, rows: &Rows, extras: &[ArrayRef], st: &mut JobState) -> Result<()> {
        let keys = binary(keys)?;
        let mut written = Vec::with_capacity(rows.batch.num_rows());
        for i in 0..rows.batch.num_rows() {
            let key = keys.value(i);
            if !st.touched.insert(key.to_vec()) {
                continue;
            }
            self.writer.delete_row(key, rows, i)?;
            written.push(i as u64);
            st.count += 1;
        }
        if self.returning && !written.is_empty() {
            st.out.push(self.returned(&rows.batch, extras, &written)?);
        }
        Ok(())
    }

    /// An AQL UPDATE/REPLACE/REMOVE named a document that does not exist (its join found
    /// no row key).
    fn not_found(&self) -> DataFusionError {
        Error::new(ErrorCode::NoDataFound, format!("document not found in collection \"{}\"", self.writer.table().name))
            .with_hint("Use OPTIONS { ignoreErrors: true } to skip documents that do not exist.")
            .into()
    }

    fn output(self, st: JobState) -> Result<RecordBatch> {
        if self.returning {
            return Ok(concat_batches(&self.schema, &st.out)?);
        }
        Ok(RecordBatch::try_new(self.schema.clone(), vec![Arc::new(UInt64Array::from(vec![st.count])) as ArrayRef])?)
    }
}

fn binary(a: &ArrayRef) -> Result<&datafusion::arrow::array::BinaryArray> {
    a.as_any()
        .downcast_ref::<datafusion::arrow::array::BinaryArray>()
        .ok_or_else(|| DataFusionError::Internal("row key column is not binary".into()))
}

/// The rows of `batch` at `indices`.
fn take_rows(batch: &RecordBatch, indices: &[u64]) -> Result<RecordBatch> {
    let idx = UInt64Array::from(indices.to_vec());
    let cols = batch.columns().iter().map(|c| take(c.as_ref(), &idx, None)).collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(RecordBatch::try_new(batch.schema(), cols)?)
}
