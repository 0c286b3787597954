//! Open-ended array slices: `a[lo:]` becomes `a[lo:cardinality(a)::bigint]` and `a[:hi]` becomes
//! `a[1:hi]`, because DataFusion's planner requires both bounds. Only a slice applied
//! directly to an expression is rewritten (`a[2:][1:]` keeps its second slice as is).

use super::call;
use datafusion::sql::sqlparser::ast::{AccessExpr, CastKind, DataType, Expr, Statement, Subscript, Value, visit_expressions_mut};
use std::ops::ControlFlow;

/// Fills in missing slice bounds throughout `stmt`.
pub fn rewrite(stmt: &mut Statement) {
    let _ = visit_expressions_mut(stmt, |e| {
        if let Expr::CompoundFieldAccess { root, access_chain } = e
            && let Some(AccessExpr::Subscript(Subscript::Slice { lower_bound, upper_bound, .. })) = access_chain.first_mut()
        {
            if lower_bound.is_none() {
                *lower_bound = Some(Expr::Value(Value::Number("1".into(), false).into()));
            }
            if upper_bound.is_none() {
                *upper_bound = Some(Expr::Cast {
                    kind: CastKind::DoubleColon,
                    expr: Box::new(call("cardinality", vec![root.as_ref().clone()])),
                    data_type: DataType::BigInt(None),
                    array: false,
                    format: None,
                });
            }
        }
        ControlFlow::<()>::Continue(())
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(sql: &str) -> String {
        crate::rewrite::rewritten_by(sql, rewrite)
    }

    #[test]
    fn fills_bounds() {
        assert_eq!(rewritten("SELECT a[2:] FROM t"), "SELECT a[2:cardinality(a)::BIGINT] FROM t");
        assert_eq!(rewritten("SELECT a[:2] FROM t"), "SELECT a[1:2] FROM t");
        assert_eq!(rewritten("SELECT a[1:2] FROM t"), "SELECT a[1:2] FROM t");
    }
}
