//! `Pin`: keeps its input's columns as they are, for outer references.
//!
//! A subquery reads columns of the query around it through outer references, which
//! DataFusion's projection optimizer does not see: it merges a projection into the one
//! above it (and prunes columns nobody "uses") without rewriting the subquery, whose
//! reference then dangles. SQL avoids this because its derived tables put a
//! `SubqueryAlias` between projections; AQL's `LET x = ... RETURN (FOR ... x ...)`
//! has none. The AQL frontend puts a `Pin` under an operator whose expressions hold a
//! correlated subquery. It is a no-op at execution: the physical planner returns its
//! input's plan.

use datafusion::common::{DFSchemaRef, Result};
use datafusion::logical_expr::{Expr, LogicalPlan, UserDefinedLogicalNodeCore};
use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

/// The node.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pin {
    /// The rows passed through unchanged.
    pub input: Arc<LogicalPlan>,
}

impl PartialOrd for Pin {
    fn partial_cmp(&self, _other: &Self) -> Option<Ordering> {
        Some(Ordering::Equal)
    }
}

impl UserDefinedLogicalNodeCore for Pin {
    fn name(&self) -> &str {
        "Pin"
    }

    fn inputs(&self) -> Vec<&LogicalPlan> {
        vec![&self.input]
    }

    fn schema(&self) -> &DFSchemaRef {
        self.input.schema()
    }

    fn expressions(&self) -> Vec<Expr> {
        vec![]
    }

    fn fmt_for_explain(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "Pin")
    }

    fn with_exprs_and_inputs(&self, _exprs: Vec<Expr>, mut inputs: Vec<LogicalPlan>) -> Result<Self> {
        let input = inputs.pop().ok_or_else(|| datafusion::common::DataFusionError::Internal("Pin needs one input".into()))?;
        Ok(Pin { input: Arc::new(input) })
    }

    fn supports_limit_pushdown(&self) -> bool {
        true
    }
}
