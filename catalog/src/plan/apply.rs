//! `Apply`: subqueries evaluated once per input row (PostgreSQL's SubPlan).
//!
//! DataFusion turns correlated subqueries into joins when it can (equality correlation).
//! The rest — `(SELECT count(*) FROM t x WHERE x.c > t.c)`, EXISTS in a select list — it
//! cannot execute at all. For those the engine's optimizer puts an `Apply` under the
//! Projection or Filter that uses them: it appends one column per subquery to its input,
//! and the expression reads that column instead.
//!
//! ```text
//! Projection: a, (SELECT count(*) FROM x WHERE x.c > t.c)     Projection: a, __apply_1
//!   TableScan: t                                       ==>      Apply: [count subquery]
//!                                                                 TableScan: t
//! ```

use datafusion::common::{DFSchemaRef, Result};
use datafusion::logical_expr::{Expr, LogicalPlan, Operator, UserDefinedLogicalNodeCore};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// What one applied subquery computes for each row.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ApplyKind {
    /// The single value (NULL for no row, an error for more than one).
    Scalar,
    /// Whether it returns any row.
    Exists { negated: bool },
    /// `expr op ANY|ALL (subquery)` (IN is `= ANY`) with SQL's NULL rules, optionally
    /// negated; `expr` reads the input row.
    Compare { expr: Box<Expr>, op: Operator, all: bool, negated: bool },
}

/// One subquery of an [`Apply`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ApplySubquery {
    pub kind: ApplyKind,
    /// The subquery's plan; it refers to the input row through outer references.
    pub plan: Arc<LogicalPlan>,
}

/// The logical node.
#[derive(Debug, Clone)]
pub struct Apply {
    pub input: Arc<LogicalPlan>,
    pub subqueries: Vec<ApplySubquery>,
    /// The input's columns followed by one column per subquery.
    pub schema: DFSchemaRef,
}

impl PartialEq for Apply {
    fn eq(&self, other: &Self) -> bool {
        self.input == other.input && self.subqueries == other.subqueries
    }
}

impl Eq for Apply {}

impl Hash for Apply {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.input.hash(state);
        self.subqueries.hash(state);
    }
}

impl PartialOrd for Apply {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.subqueries.len().partial_cmp(&other.subqueries.len())
    }
}

impl UserDefinedLogicalNodeCore for Apply {
    fn name(&self) -> &str {
        "Apply"
    }

    fn inputs(&self) -> Vec<&LogicalPlan> {
        vec![&self.input]
    }

    fn schema(&self) -> &DFSchemaRef {
        &self.schema
    }

    fn expressions(&self) -> Vec<Expr> {
        self.subqueries
            .iter()
            .filter_map(|s| match &s.kind {
                ApplyKind::Compare { expr, .. } => Some((**expr).clone()),
                _ => None,
            })
            .collect()
    }

    fn fmt_for_explain(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "Apply: ")?;
        for (i, s) in self.subqueries.iter().enumerate() {
            if i > 0 {
                write!(f, ", ")?;
            }
            match &s.kind {
                ApplyKind::Scalar => write!(f, "scalar subquery")?,
                ApplyKind::Exists { negated } => write!(f, "{}exists", if *negated { "not " } else { "" })?,
                ApplyKind::Compare { expr, op, all, negated } => {
                    write!(f, "{}{expr} {op} {} subquery", if *negated { "not " } else { "" }, if *all { "all" } else { "any" })?
                }
            }
        }
        Ok(())
    }

    fn with_exprs_and_inputs(&self, exprs: Vec<Expr>, mut inputs: Vec<LogicalPlan>) -> Result<Self> {
        let input = inputs.pop().ok_or_else(|| datafusion::common::DataFusionError::Internal("Apply needs one input".into()))?;
        let mut exprs = exprs.into_iter();
        let subqueries = self
            .subqueries
            .iter()
            .map(|s| ApplySubquery {
                kind: match &s.kind {
                    ApplyKind::Compare { expr, op, all, negated } => ApplyKind::Compare {
                        expr: Box::new(exprs.next().unwrap_or_else(|| (**expr).clone())),
                        op: *op,
                        all: *all,
                        negated: *negated,
                    },
                    other => other.clone(),
                },
                plan: s.plan.clone(),
            })
            .collect();
        Ok(Apply { input: Arc::new(input), subqueries, schema: self.schema.clone() })
    }

    fn supports_limit_pushdown(&self) -> bool {
        true
    }
}
