//! Where a query's output columns come from: the table OID and column number PostgreSQL
//! puts in RowDescription (pgjdbc's `ResultSetMetaData.getTableName`/`isNullable`,
//! psqlODBC's column lookups and node-postgres's `fields` read them).
//!
//! An output column has a source when it is a plain reference to a stored table's column
//! (renamed or not): its qualifier names a table scan, or an alias (`FROM t AS x`)
//! directly over one. Expressions and system tables have none (0 and 0 on the wire), as
//! in PostgreSQL for expressions.

use crate::provider::table::QuiverTable;
use datafusion::common::TableReference;
use datafusion::datasource::source_as_provider;
use datafusion::logical_expr::{Expr, Limit, LogicalPlan, Sort, TableSource};
use quiverdb_catalog::{Oid, TableDef};
use std::collections::HashMap;
use std::sync::Arc;

/// The (table OID, attnum) of each output column of `plan`, `None` for computed ones;
/// `names` are the columns' names as the client sees them (the plan's field names are
/// made unique when a query repeats a column).
pub fn column_sources(plan: &LogicalPlan, names: &[&str]) -> Vec<Option<(Oid, i16)>> {
    let mut tables = HashMap::new();
    collect(plan, &mut tables);
    let lookup = |qualifier: Option<&TableReference>, name: &str| {
        let table = tables.get(qualifier?)?;
        Some((table.oid, table.column(name)?.attnum))
    };
    // The select list names its sources even when it renames them (`a AS x`).
    let mut top = plan;
    while let LogicalPlan::Sort(Sort { input, .. }) | LogicalPlan::Limit(Limit { input, .. }) = top {
        top = input;
    }
    if let LogicalPlan::Projection(projection) = top
        && projection.expr.len() == names.len()
    {
        return projection
            .expr
            .iter()
            .map(|e| {
                let e = if let Expr::Alias(alias) = e { alias.expr.as_ref() } else { e };
                match e {
                    Expr::Column(c) => lookup(c.relation.as_ref(), &c.name),
                    _ => None,
                }
            })
            .collect();
    }
    plan.schema().iter().zip(names).map(|((qualifier, _), name)| lookup(qualifier, name)).collect()
}

/// Every table scan (and alias directly over one) in `plan`, by the name its columns carry.
fn collect(plan: &LogicalPlan, out: &mut HashMap<TableReference, Arc<TableDef>>) {
    match plan {
        LogicalPlan::TableScan(scan) => {
            if let Some(def) = stored_table(&scan.source) {
                out.insert(scan.table_name.clone(), def);
            }
        }
        LogicalPlan::SubqueryAlias(alias) => {
            if let LogicalPlan::TableScan(scan) = alias.input.as_ref()
                && let Some(def) = stored_table(&scan.source)
            {
                out.insert(alias.alias.clone(), def);
            }
        }
        _ => {}
    }
    for input in plan.inputs() {
        collect(input, out);
    }
}

/// The definition of a stored table behind `source`, if it is one.
fn stored_table(source: &Arc<dyn TableSource>) -> Option<Arc<TableDef>> {
    let provider = source_as_provider(source).ok()?;
    provider.as_ref().downcast_ref::<QuiverTable>().map(|t| t.def().clone())
}
