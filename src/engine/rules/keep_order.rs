//! Keeps sorted rows in order up to the client.
//!
//! DataFusion's distribution pass spreads rows over partitions with a round-robin
//! `RepartitionExec` wherever an expensive operator (a projection calling functions) can
//! run in parallel. Above a sort that is only correct when some later operator merges the
//! partitions by the sort key; when the plan's root needs no ordering (the ORDER BY of a
//! subquery, an AQL `SORT` before `RETURN f(x)`), nothing does, and the partitions would
//! be interleaved. PostgreSQL returns such rows in order, so this rule (the last physical
//! pass) drops every round-robin repartition whose input is sorted: the operators above
//! then run on the one sorted stream.

use datafusion::common::Result;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::Partitioning;
use datafusion::physical_plan::repartition::RepartitionExec;
use datafusion::physical_plan::{ExecutionPlan, ExecutionPlanProperties};
use std::sync::Arc;

/// Removes round-robin repartitioning of sorted streams.
#[derive(Debug, Default)]
pub struct KeepSortedOrder;

impl PhysicalOptimizerRule for KeepSortedOrder {
    fn optimize(&self, plan: Arc<dyn ExecutionPlan>, _config: &ConfigOptions) -> Result<Arc<dyn ExecutionPlan>> {
        plan.transform_up(|node| {
            if let Some(r) = node.downcast_ref::<RepartitionExec>()
                && matches!(r.partitioning(), Partitioning::RoundRobinBatch(_))
                && r.input().output_partitioning().partition_count() == 1
                && r.input().output_ordering().is_some()
            {
                return Ok(Transformed::yes(r.input().clone()));
            }
            Ok(Transformed::no(node))
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "keep_sorted_order"
    }

    fn schema_check(&self) -> bool {
        true
    }
}
