//! EXPLAIN: the physical plan as text (with the optimized logical plan under VERBOSE, and
//! each operator's metrics under ANALYZE), or PostgreSQL's JSON shape under FORMAT JSON.
//!
//! The JSON form is DataFusion's `pgjson` rendering of the optimized logical plan (node
//! types, filters, and each node's `Output` expressions), completed with the fields
//! PostgreSQL tools read to follow joins: `"Join Type"` on a join, and
//! `"Parent Relationship"` (`Outer` for the first input, `Inner` for the second) on
//! children. sqlx derives the nullability of columns from exactly these fields: it sends
//! `EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE stmt(NULL, ...)` for every `query!` macro.
//! Under ANALYZE the JSON root carries `"Actual Rows"` and `"Execution Time"` (ms).
//!
//! `EXPLAIN ... EXECUTE name(args)` explains a prepared statement with its arguments
//! bound, as PostgreSQL does; statements prepared through the protocol share that
//! namespace (see `Session::register_statement`).

use super::result::{Response, StatementResult, batches_response, text_rows};
use super::txn_block::autocommit;
use super::{Prepared, Session, bind};
use datafusion::arrow::array::{RecordBatch, StringArray};
use datafusion::arrow::datatypes::Schema;
use datafusion::logical_expr::LogicalPlan;
use datafusion::physical_plan::display::DisplayableExecutionPlan;
use datafusion::physical_plan::displayable;
use quiverdb_catalog::{Error, ErrorCode, Result, SqlType};
use quiverdb_sql::{ExplainOptions, Plan};
use serde_json::Value;
use std::sync::Arc;
use std::time::Instant;

/// The result column of EXPLAIN: `text` lines, or one `json` value under FORMAT JSON.
pub(super) fn explain_column(options: ExplainOptions) -> super::result::ColumnInfo {
    super::result::ColumnInfo::new("QUERY PLAN", if options.json { SqlType::Json } else { SqlType::Text })
}

impl Session {
    /// EXPLAIN of a planned query or data-modifying statement.
    pub(super) async fn explain(&mut self, plan: LogicalPlan, options: ExplainOptions) -> Result<StatementResult> {
        if options.json && !options.analyze {
            return Ok(StatementResult::new(json_row(self.json_plan(&plan, None)?)?));
        }
        let (txn, autocommit_txn) = self.statement_txn()?;
        let sp = txn.begin_statement();
        let physical = self.engine.physical_plan(&mut self.state, &txn, &plan).await?;
        let started = Instant::now();
        if options.analyze {
            let task = self.state.task_ctx();
            let run = datafusion::physical_plan::collect(physical.clone(), task).await;
            if let Err(e) = run {
                txn.rollback_to(sp);
                return Err(e.into());
            }
            if autocommit_txn {
                autocommit(txn.clone(), self.settings.durable()).await?;
            }
        }
        let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        if options.json {
            let rows = physical.metrics().and_then(|m| m.output_rows()).unwrap_or(0);
            return Ok(StatementResult::new(json_row(self.json_plan(&plan, Some((rows, elapsed_ms)))?)?));
        }
        let mut text = String::new();
        if options.verbose {
            let optimized = self.state.optimize(&plan)?;
            text.push_str("Logical plan:\n");
            text.push_str(&optimized.display_indent_schema().to_string());
            text.push_str("\nPhysical plan:\n");
        }
        // EXPLAIN ANALYZE: each operator with the metrics of the run (output rows, time;
        // scans add rows read and key probes).
        let shown =
            if options.analyze { DisplayableExecutionPlan::with_metrics(physical.as_ref()) } else { displayable(physical.as_ref()) };
        text.push_str(&shown.indent(options.verbose).to_string());
        let lines: Vec<String> = text.lines().map(|l| l.trim_end().to_string()).collect();
        Ok(StatementResult::new(text_rows("QUERY PLAN", lines, "EXPLAIN")?))
    }

    /// The optimized logical plan in PostgreSQL's JSON shape; `analyzed` adds the root's
    /// actual rows and the execution time (ms).
    fn json_plan(&self, plan: &LogicalPlan, analyzed: Option<(usize, f64)>) -> Result<String> {
        let optimized = self.state.optimize(plan)?;
        let mut doc: Value =
            serde_json::from_str(&optimized.display_pg_json().to_string()).map_err(|e| Error::internal(format!("EXPLAIN JSON: {e}")))?;
        if let Some(root) = doc.get_mut(0).and_then(|r| r.get_mut("Plan")) {
            fold(root);
            annotate(root, None);
            if let (Some((rows, _)), Some(obj)) = (analyzed, root.as_object_mut()) {
                obj.insert("Actual Rows".into(), rows.into());
            }
        }
        if let (Some((_, ms)), Some(first)) = (analyzed, doc.get_mut(0).and_then(Value::as_object_mut)) {
            first.insert("Execution Time".into(), ((ms * 1000.0).round() / 1000.0).into());
        }
        serde_json::to_string_pretty(&doc).map_err(|e| Error::internal(e.to_string()))
    }

    /// EXPLAIN ... EXECUTE name(args): the prepared statement's plan with `args` bound —
    /// except FORMAT JSON without ANALYZE, which shows the generic plan (parameters as
    /// `$n`, the plan the statement keeps; the arguments are still checked). A bound
    /// `NULL` argument would let the optimizer fold joins away, and sqlx reads the joins
    /// of exactly that call (`EXECUTE s(NULL, ...)`) to learn which columns can be NULL.
    pub(super) async fn explain_prepared(
        &mut self,
        name: &str,
        params: Vec<datafusion::sql::sqlparser::ast::Expr>,
        options: ExplainOptions,
    ) -> Result<StatementResult> {
        let prepared: Arc<Prepared> = self.prepared_statement(name, params.len())?;
        let values = self.evaluate_params(&prepared, params).await?;
        let plan = prepared.plan.clone().ok_or_else(|| Error::unsupported("EXPLAIN EXECUTE of a utility statement is not supported"))?;
        let plan = if options.json && !options.analyze { plan } else { bind(plan, values)? };
        match plan {
            Plan::Query(p) | Plan::Modify { plan: p, .. } => Box::pin(self.explain(p, options)).await,
            Plan::Explain { .. } | Plan::ExplainExecute { .. } => {
                Err(Error::new(ErrorCode::SyntaxError, format!("prepared statement \"{name}\" is an EXPLAIN itself")))
            }
            _ => Err(Error::unsupported("EXPLAIN EXECUTE of a utility statement is not supported")),
        }
    }
}

/// One row, one `json` column named QUERY PLAN.
fn json_row(text: String) -> Result<Response> {
    let field = SqlType::Json.to_field("QUERY PLAN", true);
    let schema = Arc::new(Schema::new(vec![field]));
    let batch =
        RecordBatch::try_new(schema.clone(), vec![Arc::new(StringArray::from(vec![text]))]).map_err(|e| Error::internal(e.to_string()))?;
    Ok(batches_response(schema, vec![batch], "EXPLAIN"))
}

/// Folds the nodes PostgreSQL has no node for into their single input: a `Projection`
/// becomes its input's `Output` (PostgreSQL's nodes carry their target list), and a
/// `Subquery` alias of a relation becomes the input's `Alias`.
fn fold(node: &mut Value) {
    if let Some(Value::Array(children)) = node.get_mut("Plans") {
        children.iter_mut().for_each(fold);
    }
    let Some(obj) = node.as_object_mut() else { return };
    let kind = obj.get("Node Type").and_then(Value::as_str).unwrap_or_default().to_string();
    let single = matches!(obj.get("Plans"), Some(Value::Array(c)) if c.len() == 1);
    if !single || !matches!(kind.as_str(), "Projection" | "Subquery") {
        return;
    }
    let Some(Value::Array(mut children)) = obj.remove("Plans") else { return };
    let mut child = children.remove(0);
    if let Some(child_obj) = child.as_object_mut() {
        if kind == "Projection" {
            if let Some(out) = obj.remove("Output") {
                child_obj.insert("Output".into(), out);
            }
        } else if let Some(alias) = obj.remove("Alias") {
            child_obj.entry("Alias").or_insert(alias);
        }
    }
    *node = child;
}

/// Adds `"Join Type"` to join nodes and `"Parent Relationship"` to children (`Outer` for
/// a first input, `Inner` for a join's second), as PostgreSQL's JSON plans carry them.
fn annotate(node: &mut Value, relationship: Option<&str>) {
    let Some(obj) = node.as_object_mut() else { return };
    if let Some(rel) = relationship {
        obj.insert("Parent Relationship".into(), rel.into());
    }
    let join = obj.get("Node Type").and_then(Value::as_str).and_then(|t| t.strip_suffix(" Join")).map(pg_join_type);
    if let Some(j) = join {
        obj.insert("Join Type".into(), j.into());
    }
    if let Some(Value::Array(children)) = obj.get_mut("Plans") {
        for (i, child) in children.iter_mut().enumerate() {
            annotate(child, Some(if i == 0 { "Outer" } else { "Inner" }));
        }
    }
}

/// DataFusion's join type name as PostgreSQL spells it in plans.
fn pg_join_type(df: &str) -> &'static str {
    match df {
        "Left" => "Left",
        "Right" => "Right",
        "Full" => "Full",
        "LeftSemi" | "RightSemi" => "Semi",
        "LeftAnti" | "RightAnti" => "Anti",
        _ => "Inner",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_get_type_and_children_their_relationship() {
        let mut plan = serde_json::json!({
            "Node Type": "Left Join",
            "Plans": [{"Node Type": "TableScan", "Plans": []}, {"Node Type": "Projection", "Plans": [{"Node Type": "TableScan", "Plans": []}]}]
        });
        annotate(&mut plan, None);
        assert_eq!(plan["Join Type"], "Left");
        assert!(plan.get("Parent Relationship").is_none());
        assert_eq!(plan["Plans"][0]["Parent Relationship"], "Outer");
        assert_eq!(plan["Plans"][1]["Parent Relationship"], "Inner");
        assert_eq!(plan["Plans"][1]["Plans"][0]["Parent Relationship"], "Outer");
        assert!(plan["Plans"][1].get("Join Type").is_none());
        assert_eq!(pg_join_type("LeftAnti"), "Anti");
    }

    #[test]
    fn projections_and_aliases_fold_into_their_input() {
        let mut plan = serde_json::json!({
            "Node Type": "Projection", "Output": ["id", "city"],
            "Plans": [{"Node Type": "Left Join", "Output": ["id", "name", "city"], "Plans": [
                {"Node Type": "Subquery", "Alias": "o", "Output": ["id"], "Plans": [{"Node Type": "TableScan", "Output": ["id"], "Plans": []}]},
                {"Node Type": "TableScan", "Output": ["name", "city"], "Plans": []}
            ]}]
        });
        fold(&mut plan);
        assert_eq!(plan["Node Type"], "Left Join");
        assert_eq!(plan["Output"], serde_json::json!(["id", "city"]));
        assert_eq!(plan["Plans"][0]["Node Type"], "TableScan");
        assert_eq!(plan["Plans"][0]["Alias"], "o");
        assert_eq!(plan["Plans"][1]["Node Type"], "TableScan");
    }
}
