//! Subqueries DataFusion could not turn into joins run through [`Apply`].
//!
//! DataFusion decorrelates subqueries whose correlation is an equality it can turn into a
//! join key. Whatever subquery expression is left in a Projection or Filter after its
//! rules ran (`x > (SELECT avg(c) FROM t WHERE t.k < o.k)`, `EXISTS (...)` in a select
//! list, `CASE WHEN ... THEN (SELECT ...)`) would fail at physical planning. This rule,
//! the last optimizer rule, moves each such subquery into an [`Apply`] under its
//! operator and makes the expression read the column the Apply adds:
//!
//! ```text
//! Filter: t.a > (SELECT ...)             Projection: t.a, t.b          (drops __apply_1)
//!   TableScan: t                  ==>      Filter: t.a > __apply_1
//!                                            Apply: scalar subquery
//!                                              TableScan: t
//! ```
//!
//! Subqueries in other operators (join conditions, aggregate arguments) are left alone and
//! reported as not supported by the physical planner.

use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{Column, DFSchema, Result};
use datafusion::logical_expr::expr::{Exists, InSubquery, SetComparison, SetQuantifier};
use datafusion::logical_expr::expr_rewriter::NamePreserver;
use datafusion::logical_expr::{Expr, Extension, Filter, LogicalPlan, Operator, Projection, Subquery};
use datafusion::optimizer::{ApplyOrder, OptimizerConfig, OptimizerRule};
use quiverdb_catalog::plan::{Apply, ApplyKind, ApplySubquery};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The optimizer rule.
#[derive(Debug, Default)]
pub struct PgApply;

/// Source of unique names for the columns Apply adds.
static NEXT_COLUMN: AtomicUsize = AtomicUsize::new(1);

/// Whether `e` contains a subquery expression (outside nested subqueries).
fn has_subquery(e: &Expr) -> bool {
    e.exists(|e| Ok(matches!(e, Expr::ScalarSubquery(_) | Expr::Exists(_) | Expr::InSubquery(_) | Expr::SetComparison(_)))).unwrap_or(false)
}

/// Replaces the subquery expressions of `e` by columns, recording them in `subqueries`.
fn extract(e: Expr, subqueries: &mut Vec<(String, ApplySubquery, DataType)>) -> Result<Transformed<Expr>> {
    e.transform_down(|e| {
        let (kind, plan, dt): (ApplyKind, Subquery, DataType) = match e {
            Expr::ScalarSubquery(sq) => {
                let dt = sq.subquery.schema().field(0).data_type().clone();
                (ApplyKind::Scalar, sq, dt)
            }
            Expr::Exists(Exists { subquery, negated }) => (ApplyKind::Exists { negated }, subquery, DataType::Boolean),
            Expr::InSubquery(InSubquery { expr, subquery, negated }) => {
                (ApplyKind::Compare { expr, op: Operator::Eq, all: false, negated }, subquery, DataType::Boolean)
            }
            Expr::SetComparison(SetComparison { expr, subquery, op, quantifier }) => (
                ApplyKind::Compare { expr, op, all: matches!(quantifier, SetQuantifier::All), negated: false },
                subquery,
                DataType::Boolean,
            ),
            other => return Ok(Transformed::no(other)),
        };
        let name = format!("__apply_{}", NEXT_COLUMN.fetch_add(1, Ordering::Relaxed));
        subqueries.push((name.clone(), ApplySubquery { kind, plan: plan.subquery }, dt));
        Ok(Transformed::new(Expr::Column(Column::from_name(name)), true, TreeNodeRecursion::Jump))
    })
}

/// `input` with an Apply computing `subqueries` on top.
fn apply_node(input: Arc<LogicalPlan>, subqueries: Vec<(String, ApplySubquery, DataType)>) -> Result<LogicalPlan> {
    let fields: Vec<Field> = subqueries.iter().map(|(name, _, dt)| Field::new(name, dt.clone(), true)).collect();
    let extra = DFSchema::from_unqualified_fields(fields.into(), HashMap::new())?;
    let schema = Arc::new(input.schema().join(&extra)?);
    let node = Apply { input, subqueries: subqueries.into_iter().map(|(_, s, _)| s).collect(), schema };
    Ok(LogicalPlan::Extension(Extension { node: Arc::new(node) }))
}

impl OptimizerRule for PgApply {
    fn name(&self) -> &str {
        "quiver_apply_subqueries"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::BottomUp)
    }

    fn supports_rewrite(&self) -> bool {
        true
    }

    fn rewrite(&self, plan: LogicalPlan, _config: &dyn OptimizerConfig) -> Result<Transformed<LogicalPlan>> {
        match plan {
            LogicalPlan::Projection(p) if p.expr.iter().any(has_subquery) => {
                let preserver = NamePreserver::new_for_projection();
                let mut subqueries = Vec::new();
                let mut exprs = Vec::with_capacity(p.expr.len());
                for e in p.expr {
                    let saved = preserver.save(&e);
                    exprs.push(saved.restore(extract(e, &mut subqueries)?.data));
                }
                let input = apply_node(p.input, subqueries)?;
                Ok(Transformed::yes(LogicalPlan::Projection(Projection::try_new(exprs, Arc::new(input))?)))
            }
            LogicalPlan::Filter(f) if has_subquery(&f.predicate) => {
                let mut subqueries = Vec::new();
                let predicate = extract(f.predicate, &mut subqueries)?.data;
                let keep: Vec<Expr> = f.input.schema().iter().map(|(q, field)| Expr::Column(Column::from((q, field)))).collect();
                let input = apply_node(f.input, subqueries)?;
                let filter = LogicalPlan::Filter(Filter::try_new(predicate, Arc::new(input))?);
                Ok(Transformed::yes(LogicalPlan::Projection(Projection::try_new(keep, Arc::new(filter))?)))
            }
            other => Ok(Transformed::no(other)),
        }
    }
}
