//! Routes integer `+ - *` and float `/ %` through PostgreSQL-checked functions
//! (see `functions::arith`). Runs after DataFusion's type coercion, when both operands
//! have their final (equal) type.

use crate::functions::arith::{ArithOp, arcs};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::Transformed;
use datafusion::common::{DFSchema, Result};
use datafusion::logical_expr::{BinaryExpr, Expr, ExprSchemable, LogicalPlan, Operator, ScalarUDF};
use datafusion::optimizer::AnalyzerRule;
use std::sync::Arc;

/// The analyzer rule.
#[derive(Debug)]
pub struct CheckedArith {
    funcs: Vec<(ArithOp, Arc<ScalarUDF>)>,
}

impl Default for CheckedArith {
    fn default() -> Self {
        CheckedArith { funcs: arcs() }
    }
}

fn is_int(dt: &DataType) -> bool {
    matches!(dt, DataType::Int16 | DataType::Int32 | DataType::Int64)
}

impl CheckedArith {
    fn func(&self, op: ArithOp) -> Option<&Arc<ScalarUDF>> {
        self.funcs.iter().find(|(o, _)| *o == op).map(|(_, f)| f)
    }

    fn rewrite(&self, e: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
        let Expr::BinaryExpr(BinaryExpr { left, op, right }) = &e else {
            return Ok(Transformed::no(e));
        };
        let (Ok(lt), Ok(rt)) = (left.get_type(schema), right.get_type(schema)) else {
            return Ok(Transformed::no(e));
        };
        if lt != rt {
            return Ok(Transformed::no(e));
        }
        let is_float = matches!(lt, DataType::Float32 | DataType::Float64);
        let op = match op {
            Operator::Plus if is_int(&lt) || is_float => ArithOp::Add,
            Operator::Minus if is_int(&lt) || is_float => ArithOp::Sub,
            Operator::Multiply if is_int(&lt) || is_float => ArithOp::Mul,
            Operator::Divide if is_float => ArithOp::Div,
            Operator::Modulo if is_float => ArithOp::Mod,
            _ => return Ok(Transformed::no(e)),
        };
        let Some(f) = self.func(op) else {
            return Ok(Transformed::no(e));
        };
        Ok(Transformed::yes(f.call(vec![(**left).clone(), (**right).clone()])))
    }
}

impl AnalyzerRule for CheckedArith {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        super::rewrite_expressions(plan, |_| Ok(()), |e, schema| self.rewrite(e, schema))
    }

    fn name(&self) -> &str {
        "pg_checked_arithmetic"
    }
}
