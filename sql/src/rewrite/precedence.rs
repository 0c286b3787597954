//! Operator precedence where sqlparser and PostgreSQL disagree.
//!
//! In PostgreSQL unary minus binds tighter than `^`, so `-2 ^ 2` is `(-2) ^ 2` = 4;
//! sqlparser reads it as `-(2 ^ 2)`. An unparenthesized minus in front of a `^` chain is
//! moved onto the chain's leftmost operand (`^` is left-associative: `-2 ^ 3 ^ 2` is
//! `((-2) ^ 3) ^ 2`). A written `-(2 ^ 2)` parses as a minus over parentheses and stays.

use datafusion::sql::sqlparser::ast::{BinaryOperator, Expr, Statement, UnaryOperator, visit_expressions_mut};
use std::ops::ControlFlow;

/// Moves `minus` onto the leftmost operand of a `^` chain.
fn push_minus(e: Expr) -> Expr {
    match e {
        Expr::BinaryOp { left, op: BinaryOperator::PGExp, right } => {
            Expr::BinaryOp { left: Box::new(push_minus(*left)), op: BinaryOperator::PGExp, right }
        }
        other => Expr::UnaryOp { op: UnaryOperator::Minus, expr: Box::new(other) },
    }
}

/// Applies PostgreSQL's precedence throughout `stmt`.
pub fn rewrite(stmt: &mut Statement) {
    let _ = visit_expressions_mut(stmt, |e| {
        if let Expr::UnaryOp { op: UnaryOperator::Minus, expr } = e
            && matches!(expr.as_ref(), Expr::BinaryOp { op: BinaryOperator::PGExp, .. })
        {
            let inner = std::mem::replace(expr.as_mut(), Expr::value(datafusion::sql::sqlparser::ast::Value::Null));
            *e = push_minus(inner);
        }
        ControlFlow::<()>::Continue(())
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::sql::sqlparser::ast::{SelectItem, SetExpr};
    use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
    use datafusion::sql::sqlparser::parser::Parser;

    /// The first select-list expression of `sql` after the rewrite.
    fn first_item(sql: &str) -> Expr {
        let mut stmt = Parser::parse_sql(&PostgreSqlDialect {}, sql).unwrap().remove(0);
        rewrite(&mut stmt);
        let Statement::Query(q) = stmt else { panic!("not a query") };
        let SetExpr::Select(s) = *q.body else { panic!("not a select") };
        match s.projection.into_iter().next() {
            Some(SelectItem::UnnamedExpr(e)) => e,
            _ => panic!("no expression"),
        }
    }

    fn is_minus(e: &Expr) -> bool {
        matches!(e, Expr::UnaryOp { op: UnaryOperator::Minus, .. })
    }

    #[test]
    fn unary_minus_binds_tighter_than_power() {
        let Expr::BinaryOp { left, op: BinaryOperator::PGExp, .. } = first_item("SELECT -2 ^ 2") else { panic!("not a power") };
        assert!(is_minus(&left));
        // a ^ chain: the minus lands on the leftmost operand
        let Expr::BinaryOp { left, .. } = first_item("SELECT -x ^ 3 ^ 2") else { panic!("not a power") };
        let Expr::BinaryOp { left, .. } = *left else { panic!("not left-associative") };
        assert!(is_minus(&left));
        // written parentheses keep their meaning
        assert!(is_minus(&first_item("SELECT -(2 ^ 2)")));
    }
}
