//! Queries: DataFusion's SQL planner over our context, plus PostgreSQL typing fix-ups.
//!
//! Integer literal typing happens on the AST before planning (`rewrite::literals`).

use crate::context::QuiverContext;
use crate::plan::Plan;
use datafusion::arrow::datatypes::FieldRef;
use datafusion::common::DFSchema;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::logical_expr::{Expr, LogicalPlan};
use datafusion::sql::planner::PlannerContext;
use datafusion::sql::sqlparser::ast::{AnalyzeFormatKind, Query, Statement};
use quiverdb_catalog::SqlType;
use quiverdb_catalog::{Error, Result};
use std::sync::Arc;

/// Plans a query statement with bind parameters of the given types.
pub fn plan_statement(ctx: &QuiverContext, stmt: Statement, params: &[Option<SqlType>]) -> Result<LogicalPlan> {
    let mut pctx = planner_context(params);
    let plan = ctx.sql_to_rel().sql_statement_to_plan_with_context(stmt, &mut pctx)?;
    Ok(crate::rewrite::set_all::fix(plan)?)
}

/// Plans a query (used for views and subqueries of DDL).
pub fn plan_query(ctx: &QuiverContext, query: Query) -> datafusion::common::Result<LogicalPlan> {
    let plan = ctx.sql_to_rel().sql_statement_to_plan(Statement::Query(Box::new(query)))?;
    crate::rewrite::set_all::fix(plan)
}

/// `plan`, its subqueries included, with `f` applied bottom-up to every expression; `f`
/// sees the schema the expression's columns resolve in (the node's single input's, or the
/// node's own for joins and leaves).
pub(crate) fn transform_exprs(
    plan: LogicalPlan,
    f: impl Fn(Expr, &DFSchema) -> datafusion::common::Result<Transformed<Expr>>,
) -> datafusion::common::Result<LogicalPlan> {
    let out = plan.transform_up_with_subqueries(|node| {
        let schema = match node.inputs().as_slice() {
            [one] => one.schema().clone(),
            _ => node.schema().clone(),
        };
        node.map_expressions(|e| e.transform_up(|e| f(e, &schema)))
    })?;
    Ok(out.data)
}

/// A planner context carrying the known parameter types.
pub fn planner_context(params: &[Option<SqlType>]) -> PlannerContext {
    let fields: Vec<Option<FieldRef>> = params.iter().map(|p| p.as_ref().map(|ty| Arc::new(ty.to_field("", true)))).collect();
    PlannerContext::new().with_prepare_param_data_types(fields)
}

/// Plans `EXPLAIN [ANALYZE] [VERBOSE] statement` and `EXPLAIN (option [value], ...)`;
/// `EXPLAIN ... EXECUTE name(args)` is left to the session, which holds the statement.
pub fn plan_explain(ctx: &QuiverContext, stmt: Statement, params: &[Option<SqlType>]) -> Result<Plan> {
    let Statement::Explain { analyze, verbose, statement, options, format, .. } = stmt else {
        return Err(Error::internal("not an EXPLAIN"));
    };
    let mut opts = crate::ExplainOptions { analyze, verbose, json: false };
    if let Some(AnalyzeFormatKind::Keyword(f) | AnalyzeFormatKind::Assignment(f)) = format {
        opts.json = explain_format(&f.to_string())?;
    }
    for opt in options.unwrap_or_default() {
        let name = opt.name.value.to_ascii_lowercase();
        let value = opt.arg.as_ref().map(|a| a.to_string().trim_matches('\'').to_ascii_lowercase());
        let on = value.as_deref().map(|v| !matches!(v, "false" | "off" | "0")).unwrap_or(true);
        match name.as_str() {
            "analyze" => opts.analyze = on,
            "verbose" => opts.verbose = on,
            "format" => opts.json = explain_format(value.as_deref().unwrap_or(""))?,
            "costs" | "buffers" | "timing" | "summary" | "settings" | "wal" | "generic_plan" | "serialize" | "memory" => {}
            other => {
                return Err(Error::new(quiverdb_catalog::ErrorCode::SyntaxError, format!("unrecognized EXPLAIN option \"{other}\"")));
            }
        }
    }
    if let Statement::Execute { name: Some(name), parameters, immediate: false, .. } = *statement {
        let (_, name) = crate::split_name(&name)?;
        return Ok(Plan::ExplainExecute { name, params: parameters, options: opts });
    }
    let planner_plan = crate::SqlPlanner { ctx: QuiverContext::new(ctx.catalog, ctx.state) }.plan(*statement, params)?;
    let plan = match planner_plan {
        Plan::Query(p) => p,
        Plan::Modify { plan, .. } => plan,
        _ => {
            return Err(Error::unsupported("EXPLAIN is only supported for queries, INSERT/UPDATE/DELETE and EXECUTE"));
        }
    };
    Ok(Plan::Explain { plan, options: opts })
}

/// EXPLAIN's FORMAT: `true` for JSON; TEXT is the default; YAML and XML are refused.
fn explain_format(value: &str) -> Result<bool> {
    match value.to_ascii_lowercase().as_str() {
        "text" => Ok(false),
        "json" => Ok(true),
        "yaml" | "xml" => {
            Err(Error::unsupported(format!("EXPLAIN format {} is not supported; use TEXT or JSON", value.to_ascii_uppercase())))
        }
        other => Err(Error::new(
            quiverdb_catalog::ErrorCode::InvalidParameterValue,
            format!("unrecognized value for EXPLAIN option \"format\": \"{other}\""),
        )),
    }
}
