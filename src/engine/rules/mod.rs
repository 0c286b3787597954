//! Optimizer rules that give plans PostgreSQL's semantics, installed in the engine's
//! session template (in the order listed in `Engine::new`).
//!
//! * [`coercion`] (analyzer, before DataFusion's type coercion) — PostgreSQL's type
//!   resolution for unknown literals, `real` arithmetic and CASE.
//! * [`checked_arith`] (analyzer, after DataFusion's) — integer overflow and float
//!   division by zero raise PostgreSQL's errors.
//! * [`casts`] (analyzer, after DataFusion's) — casts between timestamp and timestamptz
//!   (explicit or implicit) use the session TimeZone; numeric → integer casts round.
//! * [`literal_casts`] (optimizer, first) — `CAST('literal' AS t)` uses PostgreSQL's
//!   input functions.
//! * [`apply`] (optimizer, last) — subqueries DataFusion could not turn into joins run
//!   per row through an `Apply` node.
//! * [`keep_order`] (physical, last) — sorted streams are not spread over partitions
//!   when nothing merges them back in order.

pub mod apply;
pub mod casts;
pub mod checked_arith;
pub mod coercion;
pub mod keep_order;
pub mod literal_casts;

use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DFSchema, Result};
use datafusion::logical_expr::expr_rewriter::NamePreserver;
use datafusion::logical_expr::{Expr, ExprSchemable, LogicalPlan};

/// Rewrites every expression of `plan` (subqueries included) bottom-up with `f`, which
/// sees the merged schema of the node's inputs. `check` runs on every node first. Output
/// names are preserved (parents refer to columns by name); scans are left alone, and a
/// VALUES row keeps only rewrites that do not change its type.
pub fn rewrite_expressions(
    plan: LogicalPlan,
    check: impl Fn(&LogicalPlan) -> Result<()>,
    f: impl Fn(Expr, &DFSchema) -> Result<Transformed<Expr>>,
) -> Result<LogicalPlan> {
    let out = plan.transform_up_with_subqueries(|node| {
        check(&node)?;
        if let LogicalPlan::TableScan(_) | LogicalPlan::EmptyRelation(_) = node {
            return Ok(Transformed::no(node));
        }
        if let LogicalPlan::Values(_) = node {
            // A VALUES node's schema is fixed: keep only rewrites that keep each type.
            let empty = DFSchema::empty();
            return node.map_expressions(|e| {
                // Bare literals (most VALUES cells) are never rewritten: skip the copy.
                if let Expr::Literal(..) = e {
                    return Ok(Transformed::no(e));
                }
                let before = e.get_type(&empty);
                let out = e.clone().transform_up(|e| f(e, &empty))?;
                Ok(match (before, out.data.get_type(&empty)) {
                    (Ok(a), Ok(b)) if out.transformed && a == b => out,
                    _ => Transformed::no(e),
                })
            });
        }
        let mut schema = DFSchema::empty();
        for input in node.inputs() {
            schema.merge(input.schema());
        }
        let names = NamePreserver::new(&node);
        node.map_expressions(|e| {
            let saved = names.save(&e);
            Ok(e.transform_up(|e| f(e, &schema))?.update_data(|e| saved.restore(e)))
        })
    })?;
    Ok(out.data)
}
