//! `ApplyExec`: runs [`Apply`]'s subqueries once per input row (PostgreSQL's SubPlan).
//!
//! For each row the operator substitutes the row's values for the subquery's outer
//! references, plans the now self-contained subquery with the statement's session (same
//! transaction, same snapshot) and runs it. Results are cached per distinct set of outer
//! values, so an uncorrelated subquery runs once and a subquery correlated on a
//! low-cardinality column runs once per value.
//!
//! Semantics follow PostgreSQL: a scalar subquery yields NULL for no row and fails with
//! 21000 for more than one; `x op ANY/ALL (...)` (and IN, which is `= ANY`) is NULL rather
//! than false when no comparison is true but one was NULL.

use datafusion::arrow::array::{Array, ArrayRef, BooleanArray, RecordBatch};
use datafusion::arrow::compute::kernels::cmp;
use datafusion::arrow::compute::{cast, concat};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{Column, DFSchemaRef, DataFusionError, Result, ScalarValue};
use datafusion::execution::{SendableRecordBatchStream, SessionState, TaskContext};
use datafusion::logical_expr::{Expr, LogicalPlan, Operator};
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{DisplayAs, DisplayFormatType, ExecutionPlan, ExecutionPlanProperties, PlanProperties, collect};
use futures::TryStreamExt;
use quiverdb_catalog::plan::{Apply, ApplyKind};
use quiverdb_catalog::{Error, ErrorCode};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// One subquery, ready to run per row.
#[derive(Debug, Clone)]
pub struct PhysicalSubquery {
    kind: PhysicalKind,
    plan: Arc<LogicalPlan>,
    /// The outer columns the subquery reads, with their positions in the input.
    outer: Vec<(Column, usize)>,
}

#[derive(Debug, Clone)]
enum PhysicalKind {
    Scalar,
    Exists { negated: bool },
    Compare { expr: Arc<dyn PhysicalExpr>, op: Operator, all: bool, negated: bool },
}

/// The physical operator.
#[derive(Debug)]
pub struct ApplyExec {
    input: Arc<dyn ExecutionPlan>,
    subqueries: Vec<PhysicalSubquery>,
    state: Arc<SessionState>,
    schema: SchemaRef,
    properties: Arc<PlanProperties>,
}

/// The outer columns `plan` refers to (at any depth), deduplicated.
fn outer_columns(plan: &LogicalPlan) -> Result<Vec<Column>> {
    let mut out: Vec<Column> = Vec::new();
    plan.apply_with_subqueries(|p| {
        p.apply_expressions(|e| {
            e.apply(|e| {
                if let Expr::OuterReferenceColumn(_, c) = e
                    && !out.contains(c)
                {
                    out.push(c.clone());
                }
                Ok(TreeNodeRecursion::Continue)
            })
        })
    })?;
    Ok(out)
}

/// `plan` with the outer references to `columns` replaced by `values`.
fn bind(plan: &LogicalPlan, columns: &[(Column, usize)], values: &[ScalarValue]) -> Result<LogicalPlan> {
    let bound = plan.clone().transform_up_with_subqueries(|p| {
        p.map_expressions(|e| {
            e.transform(|e| match e {
                Expr::OuterReferenceColumn(field, c) => match columns.iter().position(|(col, _)| *col == c) {
                    Some(i) => {
                        let v = if values[i].data_type() == *field.data_type() {
                            values[i].clone()
                        } else {
                            values[i].cast_to(field.data_type())?
                        };
                        Ok(Transformed::yes(Expr::Literal(v, None)))
                    }
                    None => Ok(Transformed::no(Expr::OuterReferenceColumn(field, c))),
                },
                other => Ok(Transformed::no(other)),
            })
        })
    })?;
    // Nodes whose expressions changed must recompute their schemas.
    bound.data.recompute_schema()
}

impl ApplyExec {
    /// Builds the operator for `node` over `input`; `state` is the statement's session.
    pub fn try_new(node: &Apply, input: Arc<dyn ExecutionPlan>, state: SessionState) -> Result<ApplyExec> {
        let input_schema: &DFSchemaRef = node.input.schema();
        let subqueries = node
            .subqueries
            .iter()
            .map(|s| {
                let outer = outer_columns(&s.plan)?
                    .into_iter()
                    .map(|c| {
                        let i = input_schema.index_of_column(&c)?;
                        Ok((c, i))
                    })
                    .collect::<Result<Vec<_>>>()?;
                let kind = match &s.kind {
                    ApplyKind::Scalar => PhysicalKind::Scalar,
                    ApplyKind::Exists { negated } => PhysicalKind::Exists { negated: *negated },
                    ApplyKind::Compare { expr, op, all, negated } => {
                        if !matches!(op, Operator::Eq | Operator::NotEq | Operator::Lt | Operator::LtEq | Operator::Gt | Operator::GtEq) {
                            return Err(Error::new(
                                ErrorCode::FeatureNotSupported,
                                format!("operator {op} with ANY/ALL (subquery) is not supported"),
                            )
                            .into());
                        }
                        PhysicalKind::Compare {
                            expr: state.create_physical_expr((**expr).clone(), input_schema)?,
                            op: *op,
                            all: *all,
                            negated: *negated,
                        }
                    }
                };
                Ok(PhysicalSubquery { kind, plan: s.plan.clone(), outer })
            })
            .collect::<Result<Vec<_>>>()?;
        let schema: SchemaRef = Arc::new(node.schema.as_arrow().clone());
        let properties = Arc::new(PlanProperties::new(
            EquivalenceProperties::new(schema.clone()),
            input.output_partitioning().clone(),
            EmissionType::Incremental,
            Boundedness::Bounded,
        ));
        Ok(ApplyExec { input, subqueries, state: Arc::new(state), schema, properties })
    }
}

impl DisplayAs for ApplyExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "ApplyExec: subqueries={}", self.subqueries.len())
    }
}

impl ExecutionPlan for ApplyExec {
    fn name(&self) -> &str {
        "ApplyExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn apply_expressions(&self, f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>) -> Result<TreeNodeRecursion> {
        for s in &self.subqueries {
            if let PhysicalKind::Compare { expr, .. } = &s.kind
                && f(expr)? == TreeNodeRecursion::Stop
            {
                return Ok(TreeNodeRecursion::Stop);
            }
        }
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(self: Arc<Self>, mut children: Vec<Arc<dyn ExecutionPlan>>) -> Result<Arc<dyn ExecutionPlan>> {
        let input = children.pop().ok_or_else(|| DataFusionError::Internal("ApplyExec needs one child".into()))?;
        let properties = Arc::new(PlanProperties::new(
            EquivalenceProperties::new(self.schema.clone()),
            input.output_partitioning().clone(),
            EmissionType::Incremental,
            Boundedness::Bounded,
        ));
        Ok(Arc::new(ApplyExec {
            input,
            subqueries: self.subqueries.clone(),
            state: self.state.clone(),
            schema: self.schema.clone(),
            properties,
        }))
    }

    fn execute(&self, partition: usize, context: Arc<TaskContext>) -> Result<SendableRecordBatchStream> {
        let input = self.input.execute(partition, context)?;
        let runner = Arc::new(tokio::sync::Mutex::new(Runner {
            subqueries: self.subqueries.clone(),
            state: self.state.clone(),
            schema: self.schema.clone(),
            cache: vec![HashMap::new(); self.subqueries.len()],
        }));
        let stream = input.and_then(move |batch| {
            let runner = runner.clone();
            async move { runner.lock().await.process(batch).await }
        });
        Ok(Box::pin(RecordBatchStreamAdapter::new(self.schema.clone(), stream)))
    }
}

/// What a subquery returned for one set of outer values.
#[derive(Clone)]
struct Outcome {
    rows: usize,
    /// The first column (absent for zero-column results).
    column: Option<ArrayRef>,
}

/// Per-stream state: the subqueries and the cache of their outcomes.
struct Runner {
    subqueries: Vec<PhysicalSubquery>,
    state: Arc<SessionState>,
    schema: SchemaRef,
    cache: Vec<HashMap<Vec<ScalarValue>, Outcome>>,
}

impl Runner {
    /// `batch` with one column per subquery appended.
    async fn process(&mut self, batch: RecordBatch) -> Result<RecordBatch> {
        let mut columns = batch.columns().to_vec();
        for i in 0..self.subqueries.len() {
            let sub = self.subqueries[i].clone();
            let lhs = match &sub.kind {
                PhysicalKind::Compare { expr, .. } => Some(expr.evaluate(&batch)?.into_array(batch.num_rows())?),
                _ => None,
            };
            let mut values = Vec::with_capacity(batch.num_rows());
            for row in 0..batch.num_rows() {
                let key =
                    sub.outer.iter().map(|(_, idx)| ScalarValue::try_from_array(batch.column(*idx), row)).collect::<Result<Vec<_>>>()?;
                let outcome = match self.cache[i].get(&key) {
                    Some(o) => o.clone(),
                    None => {
                        let o = self.run(&sub, &key).await?;
                        self.cache[i].insert(key, o.clone());
                        o
                    }
                };
                values.push(match &sub.kind {
                    PhysicalKind::Scalar => scalar_value(&outcome, self.schema.field(columns.len()).data_type())?,
                    PhysicalKind::Exists { negated } => ScalarValue::Boolean(Some((outcome.rows > 0) != *negated)),
                    PhysicalKind::Compare { op, all, negated, .. } => {
                        let left = ScalarValue::try_from_array(lhs.as_ref().expect("compare has lhs"), row)?;
                        let r = compare(&left, &outcome, *op, *all)?;
                        ScalarValue::Boolean(if *negated { r.map(|b| !b) } else { r })
                    }
                });
            }
            let dt = self.schema.field(columns.len()).data_type().clone();
            let array =
                if values.is_empty() { datafusion::arrow::array::new_empty_array(&dt) } else { ScalarValue::iter_to_array(values)? };
            columns.push(if array.data_type() == &dt { array } else { cast(&array, &dt)? });
        }
        Ok(RecordBatch::try_new(self.schema.clone(), columns)?)
    }

    /// Runs `sub` with its outer references bound to `key`.
    async fn run(&self, sub: &PhysicalSubquery, key: &[ScalarValue]) -> Result<Outcome> {
        let mut plan = bind(&sub.plan, &sub.outer, key)?;
        if matches!(sub.kind, PhysicalKind::Exists { .. }) {
            plan = datafusion::logical_expr::LogicalPlanBuilder::from(plan).limit(0, Some(1))?.build()?;
        }
        let physical = self.state.create_physical_plan(&plan).await?;
        let batches = collect(physical, self.state.task_ctx()).await?;
        let rows = batches.iter().map(|b| b.num_rows()).sum();
        let column = if batches.is_empty() || batches[0].num_columns() == 0 {
            None
        } else {
            let parts: Vec<&dyn Array> = batches.iter().map(|b| b.column(0).as_ref()).collect();
            Some(concat(&parts)?)
        };
        Ok(Outcome { rows, column })
    }
}

/// The value of a scalar subquery: NULL for no row, 21000 for more than one.
fn scalar_value(o: &Outcome, dt: &datafusion::arrow::datatypes::DataType) -> Result<ScalarValue> {
    match (o.rows, &o.column) {
        (0, _) | (_, None) => ScalarValue::try_from(dt),
        (1, Some(c)) => ScalarValue::try_from_array(c, 0),
        _ => Err(Error::new(ErrorCode::CardinalityViolation, "more than one row returned by a subquery used as an expression").into()),
    }
}

/// `left op ANY|ALL (column)` with SQL's three-valued logic.
fn compare(left: &ScalarValue, o: &Outcome, op: Operator, all: bool) -> Result<Option<bool>> {
    let Some(column) = &o.column else {
        return Ok(Some(all));
    };
    if column.is_empty() {
        return Ok(Some(all));
    }
    if left.is_null() {
        return Ok(None);
    }
    let left_type = left.data_type();
    let right = if column.data_type() == &left_type { column.clone() } else { cast(column, &left_type)? };
    let l = left.to_scalar()?;
    let result: BooleanArray = match op {
        Operator::Eq => cmp::eq(&right, &l)?,
        Operator::NotEq => cmp::neq(&right, &l)?,
        // `right` is on the left of the kernel, so the operator is mirrored.
        Operator::Lt => cmp::gt(&right, &l)?,
        Operator::LtEq => cmp::gt_eq(&right, &l)?,
        Operator::Gt => cmp::lt(&right, &l)?,
        Operator::GtEq => cmp::lt_eq(&right, &l)?,
        other => {
            return Err(DataFusionError::Internal(format!("unexpected ANY/ALL operator {other}")));
        }
    };
    let has_null = result.null_count() > 0;
    let (hit, decisive) = if all { (false, result.false_count() > 0) } else { (true, result.true_count() > 0) };
    Ok(if decisive {
        Some(hit)
    } else if has_null {
        None
    } else {
        Some(!hit)
    })
}
