//! INTERSECT ALL and EXCEPT ALL with PostgreSQL's multiset semantics.
//!
//! DataFusion plans `l INTERSECT ALL r` as a semi join (every left row with any match
//! survives) and `l EXCEPT ALL r` as an anti join (every left row with any match goes),
//! instead of keeping min(m, n) and max(m - n, 0) copies of a row that occurs m times on
//! the left and n times on the right. We number the copies of each distinct row on both
//! sides (`row_number() OVER (PARTITION BY every column)`) and join on the row *and* its
//! copy number: copy k of a left row then has a partner exactly when the right side has
//! at least k copies, which gives both multiset rules.
//!
//! Two steps, because the planner's semi/anti join no longer says it came from a set
//! operation: [`mark`] wraps the left branch of each such operation in
//! `SELECT * FROM (left) AS __quiver_set_all` before planning, and [`fix`] rewrites the
//! join whose left input carries that alias after planning.

use datafusion::common::tree_node::Transformed;
use datafusion::common::{Column, NullEquality, Result};
use datafusion::functions_window::expr_fn::row_number;
use datafusion::logical_expr::{Expr, ExprFunctionExt, JoinType, LogicalPlan, LogicalPlanBuilder};
use datafusion::sql::sqlparser::ast::{Query, SetExpr, SetOperator, SetQuantifier, Statement, TableFactor, VisitMut, VisitorMut};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;
use std::ops::ControlFlow;

/// The alias that marks the left branch of an INTERSECT ALL / EXCEPT ALL.
const MARK: &str = "__quiver_set_all";
/// The copy-number column added to both sides.
const COPY: &str = "__quiver_copy";

/// `SELECT * FROM (body) AS __quiver_set_all`.
fn marked(body: SetExpr) -> SetExpr {
    let template = format!("SELECT * FROM (SELECT 1) AS {MARK}");
    let Ok(mut stmts) = Parser::parse_sql(&PostgreSqlDialect {}, &template) else { return body };
    let Some(Statement::Query(mut wrapper)) = stmts.pop() else { return body };
    if let SetExpr::Select(select) = wrapper.body.as_mut()
        && let Some(TableFactor::Derived { subquery, .. }) = select.from.first_mut().map(|t| &mut t.relation)
    {
        *subquery.body = body;
        return SetExpr::Query(wrapper);
    }
    body
}

/// Marks the left branch of every INTERSECT ALL / EXCEPT ALL in `node` (recursively).
fn mark_set_expr(node: &mut SetExpr) {
    if let SetExpr::SetOperation { op, set_quantifier, left, right } = node {
        mark_set_expr(left);
        mark_set_expr(right);
        if matches!(op, SetOperator::Intersect | SetOperator::Except | SetOperator::Minus) && matches!(set_quantifier, SetQuantifier::All) {
            **left = marked(left.as_ref().clone());
        }
    }
}

struct Marker;

impl VisitorMut for Marker {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        mark_set_expr(&mut query.body);
        ControlFlow::Continue(())
    }
}

/// Marks INTERSECT ALL / EXCEPT ALL operations in `stmt` for [`fix`].
pub fn mark(stmt: &mut Statement) {
    let _ = stmt.visit(&mut Marker);
}

/// Whether `plan` is (a projection of) the marked derived table.
fn is_marked(plan: &LogicalPlan) -> bool {
    match plan {
        LogicalPlan::SubqueryAlias(a) => a.alias.table() == MARK,
        LogicalPlan::Projection(p) => is_marked(&p.input),
        _ => false,
    }
}

/// `plan` with a copy-number column numbering the duplicates of each row.
fn numbered(plan: LogicalPlan) -> Result<LogicalPlan> {
    let columns: Vec<Expr> = plan.schema().columns().into_iter().map(Expr::Column).collect();
    let copy = row_number().partition_by(columns).build()?.alias(COPY);
    LogicalPlanBuilder::from(plan).window(vec![copy])?.build()
}

/// Rewrites the semi/anti joins planned for marked set operations (see the module docs).
pub fn fix(plan: LogicalPlan) -> Result<LogicalPlan> {
    let out = plan.transform_up_with_subqueries(|node| {
        let LogicalPlan::Join(j) = &node else { return Ok(Transformed::no(node)) };
        if !matches!(j.join_type, JoinType::LeftSemi | JoinType::LeftAnti)
            || j.null_equality != NullEquality::NullEqualsNull
            || j.filter.is_some()
            || !is_marked(&j.left)
        {
            return Ok(Transformed::no(node));
        }
        let keys: Option<Vec<(Column, Column)>> =
            j.on.iter()
                .map(|(l, r)| match (l, r) {
                    (Expr::Column(l), Expr::Column(r)) => Some((l.clone(), r.clone())),
                    _ => None,
                })
                .collect();
        let Some(keys) = keys else { return Ok(Transformed::no(node)) };
        let output: Vec<Expr> = j.left.schema().columns().into_iter().map(Expr::Column).collect();
        let (mut left_keys, mut right_keys): (Vec<Column>, Vec<Column>) = keys.into_iter().unzip();
        left_keys.push(Column::from_name(COPY));
        right_keys.push(Column::from_name(COPY));
        let left = numbered(j.left.as_ref().clone())?;
        let right = numbered(j.right.as_ref().clone())?;
        let joined = LogicalPlanBuilder::from(left)
            .join_detailed(right, j.join_type, (left_keys, right_keys), None, NullEquality::NullEqualsNull)?
            .project(output)?
            .build()?;
        Ok(Transformed::yes(joined))
    })?;
    Ok(out.data)
}

#[cfg(test)]
mod tests {
    #[test]
    fn marks_the_left_branch_of_all_operations_only() {
        assert_eq!(
            crate::rewrite::rewritten_by("SELECT x FROM l INTERSECT ALL SELECT x FROM r", super::mark),
            "(SELECT * FROM (SELECT x FROM l) AS __quiver_set_all) INTERSECT ALL SELECT x FROM r"
        );
        let plain = "SELECT x FROM l EXCEPT SELECT x FROM r";
        assert_eq!(crate::rewrite::rewritten_by(plain, super::mark), plain);
    }
}
