//! Physical operators for our logical extension nodes, and the one planner that maps them.
//!
//! Each operator lives in its own file; [`QuiverExtensionPlanner`] dispatches on the node
//! type and [`QuiverQueryPlanner`] installs it into DataFusion's default physical planner.

pub mod apply;
pub mod document;
pub mod index_keys;
pub mod modify;
pub mod ordered;
pub mod rows;

use crate::exec::modify::{ConflictUpdate, ModifyExec, PhysicalConflict};
use async_trait::async_trait;
use datafusion::arrow::datatypes::Schema;
use datafusion::catalog::Session;
use datafusion::common::{DataFusionError, Result};
use datafusion::execution::SessionState;
use datafusion::execution::context::QueryPlanner;
use datafusion::logical_expr::physical_planning_context::PhysicalPlanningContext;
use datafusion::logical_expr::{LogicalPlan, UserDefinedLogicalNode};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_planner::{DefaultPhysicalPlanner, ExtensionPlanner, PhysicalPlanner};
use quiverdb_catalog::plan::{Apply, ConflictAction, ModifyOp, TableModify};
use std::sync::Arc;

/// DataFusion's physical planner with our extension planner installed.
#[derive(Debug)]
pub struct QuiverQueryPlanner;

#[async_trait]
impl QueryPlanner for QuiverQueryPlanner {
    async fn create_physical_plan(&self, logical_plan: &LogicalPlan, session_state: &dyn Session) -> Result<Arc<dyn ExecutionPlan>> {
        let planner = DefaultPhysicalPlanner::with_extension_planners(vec![Arc::new(QuiverExtensionPlanner)]);
        planner.create_physical_plan(logical_plan, session_state).await
    }
}

/// Turns our logical extension nodes into physical operators.
#[derive(Debug)]
pub struct QuiverExtensionPlanner;

#[async_trait]
impl ExtensionPlanner for QuiverExtensionPlanner {
    async fn plan_extension(
        &self,
        _planner: &dyn PhysicalPlanner,
        node: &dyn UserDefinedLogicalNode,
        _logical_inputs: &[&LogicalPlan],
        physical_inputs: &[Arc<dyn ExecutionPlan>],
        session_state: &dyn Session,
        _planning_ctx: &PhysicalPlanningContext,
    ) -> Result<Option<Arc<dyn ExecutionPlan>>> {
        if node.as_any().downcast_ref::<quiverdb_catalog::plan::Pin>().is_some() {
            return Ok(physical_inputs.first().cloned());
        }
        if let Some(a) = node.as_any().downcast_ref::<Apply>() {
            let input = physical_inputs.first().cloned().ok_or_else(|| DataFusionError::Internal("Apply without input".into()))?;
            let state = session_state
                .as_any()
                .downcast_ref::<SessionState>()
                .ok_or_else(|| DataFusionError::Internal("Apply needs a SessionState".into()))?
                .clone();
            return Ok(Some(Arc::new(apply::ApplyExec::try_new(a, input, state)?)));
        }
        let Some(m) = node.as_any().downcast_ref::<TableModify>() else {
            return Ok(None);
        };
        let input = physical_inputs.first().cloned().ok_or_else(|| DataFusionError::Internal("TableModify without input".into()))?;
        Ok(Some(plan_modify(m, input, session_state)?))
    }
}

/// The `ModifyExec` of `m` over the physical `input` (also used by the direct planner).
pub fn plan_modify(m: &TableModify, input: Arc<dyn ExecutionPlan>, session_state: &dyn Session) -> Result<Arc<dyn ExecutionPlan>> {
    let checks = m
        .checks
        .iter()
        .map(|(name, e)| Ok((name.clone(), session_state.create_physical_expr(e.clone(), &m.table_schema)?)))
        .collect::<Result<Vec<_>>>()?;
    let conflict = match &m.op {
        ModifyOp::Insert { on_conflict: Some(oc) } => Some(PhysicalConflict {
            target: oc.target.clone(),
            guard: oc.guard,
            update: match &oc.action {
                ConflictAction::Nothing => None,
                ConflictAction::Update { assignments, predicate, schema } => Some(ConflictUpdate {
                    assignments: assignments
                        .iter()
                        .map(|(pos, e)| Ok((*pos, session_state.create_physical_expr(e.clone(), schema)?)))
                        .collect::<Result<Vec<_>>>()?,
                    predicate: predicate.as_ref().map(|p| session_state.create_physical_expr(p.clone(), schema)).transpose()?,
                    schema: Arc::new(schema.as_arrow().clone()),
                }),
            },
        }),
        _ => None,
    };
    // Written rows are checked for NOT NULL by the operator (with PostgreSQL's message),
    // so the batches it builds must accept NULLs everywhere.
    let row_schema: Arc<Schema> = Arc::new(Schema::new(
        m.table_schema.as_arrow().fields().iter().map(|f| f.as_ref().clone().with_nullable(true)).collect::<Vec<_>>(),
    ));
    let out_schema =
        Arc::new(Schema::new(m.schema.as_arrow().fields().iter().map(|f| f.as_ref().clone().with_nullable(true)).collect::<Vec<_>>()));
    let indexes = crate::engine::index_exprs::IndexCompiler::of(session_state.config())?.compile(&m.table)?;
    let exec = ModifyExec::new(m.table.clone(), m.op.clone(), input, checks, conflict, m.returning, out_schema, row_schema);
    Ok(Arc::new(exec.with_indexes(indexes)))
}
