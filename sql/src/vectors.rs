//! Subscripts of `int2vector` and `oidvector` values start at 0.
//!
//! The catalogs' key lists (`pg_index.indkey`, `indclass`, ...) are PostgreSQL's vector
//! types, whose first element is `indkey[0]` (psql, pgAdmin and JDBC's metadata queries
//! index them that way). They are Arrow lists like every array, which DataFusion indexes
//! from 1, so after planning `array_element(v, i)` over a vector becomes
//! `array_element(v, i + 1)`. The vector type is known from the value's field metadata.

use datafusion::common::Result;
use datafusion::common::tree_node::Transformed;
use datafusion::logical_expr::{Expr, ExprSchemable, LogicalPlan, lit};
use quiverdb_catalog::SqlType;

/// `plan` with every subscript of a vector value shifted to PostgreSQL's 0-based index.
pub fn fix(plan: LogicalPlan) -> Result<LogicalPlan> {
    crate::query::transform_exprs(plan, |e, schema| {
        let Expr::ScalarFunction(mut f) = e else {
            return Ok(Transformed::no(e));
        };
        let is_vector = f.name() == "array_element"
            && f.args.len() == 2
            && f.args[0].to_field(schema).is_ok_and(|(_, field)| matches!(SqlType::from_field(&field), SqlType::Vector(_)));
        if !is_vector {
            return Ok(Transformed::no(Expr::ScalarFunction(f)));
        }
        let index = f.args[1].clone();
        f.args[1] = index + lit(1i64);
        Ok(Transformed::yes(Expr::ScalarFunction(f)))
    })
}
