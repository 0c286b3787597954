//! CREATE INDEX: column keys, expression keys and partial indexes.
//!
//! A key is either a column (`a`, or `(a)`) or an expression over the table's columns
//! (`(doc->>'city')`, `lower(name)`). Expressions and a partial index's `WHERE` predicate
//! are planned here against the table, as PostgreSQL checks them: only immutable
//! functions (42P17), no subqueries (0A000), aggregates (42803) or window functions
//! (42P20), and a key type that has an order (`json` and arrays have none: 42704). They
//! are stored as SQL text, like CHECK constraints, and compiled again wherever entries are
//! computed or matched (see the server's `engine::index_exprs`).

use crate::context::QuiverContext;
use crate::ddl::{choose_name, ddl_target};
use crate::plan::Plan;
use crate::{normalize_ident, split_name};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::DFSchema;
use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::logical_expr::{Expr, ExprSchemable, Volatility};
use datafusion::sql::planner::PlannerContext;
use datafusion::sql::sqlparser::ast;
use quiverdb_catalog::objects::{IndexDef, IndexExpr};
use quiverdb_catalog::{Error, ErrorCode, Result, SchemaDef, SqlType, TableDef};
use std::collections::HashSet;

/// Whether `name` is taken in schema `schema` by a relation or an index.
fn relation_name_taken(ctx: &QuiverContext, schema: &SchemaDef, name: &str) -> bool {
    let snap = ctx.catalog.snapshot();
    snap.relation_by_name(schema.oid, name).is_some() || snap.relations_in(schema.oid).any(|t| t.index_names().any(|n| n == name))
}

/// Plans CREATE \[UNIQUE\] INDEX \[IF NOT EXISTS\] \[name\] ON table \[USING btree|hash\]
/// (keys) \[WHERE predicate\]. The plan's index has no id yet.
pub fn plan_create_index(ctx: &QuiverContext, ci: ast::CreateIndex) -> Result<Plan> {
    let table = ddl_target(ctx, &ci.table_name, false)?.ok_or_else(|| Error::internal("table vanished"))?;
    if !table.is_table() {
        let kind = if table.is_view() { "views" } else { "sequences" };
        return Err(Error::new(ErrorCode::WrongObjectType, format!("cannot create index on relation \"{}\"", table.name))
            .with_detail(format!("This operation is not supported for {kind}.")));
    }
    if let Some(method) = &ci.using
        && !matches!(method, ast::IndexType::BTree | ast::IndexType::Hash)
    {
        return Err(Error::unsupported(format!("access method \"{}\" is not supported", method.to_string().to_lowercase())));
    }
    if !ci.include.is_empty() {
        return Err(Error::unsupported("CREATE INDEX ... INCLUDE is not supported"));
    }
    if ci.nulls_distinct == Some(false) {
        return Err(Error::unsupported("NULLS NOT DISTINCT is not supported"));
    }
    let schema = table.qualified_schema(&table.name)?;
    let mut columns = Vec::with_capacity(ci.columns.len());
    let mut exprs = Vec::new();
    // Name parts of a generated index name: columns, function names, or "expr".
    let mut name_parts = Vec::new();
    for key in &ci.columns {
        let mut e = &key.column.expr;
        while let ast::Expr::Nested(inner) = e {
            e = inner;
        }
        if let ast::Expr::Identifier(i) = e {
            let c = normalize_ident(i);
            let column =
                table.column(&c).ok_or_else(|| Error::new(ErrorCode::UndefinedColumn, format!("column \"{c}\" does not exist")))?;
            columns.push(column.attnum);
            name_parts.push(c);
            continue;
        }
        let ty = plan_index_expr(ctx, &schema, e, "index expression")?;
        if matches!(ty, SqlType::Json | SqlType::Array(_)) {
            return Err(Error::new(
                ErrorCode::UndefinedObject,
                format!("data type {ty} has no default operator class for access method \"btree\""),
            )
            .with_hint("You must specify an operator class for the index or define a default operator class for the data type."));
        }
        columns.push(0);
        exprs.push(IndexExpr { sql: e.to_string(), ty });
        name_parts.push(match e {
            ast::Expr::Function(f) => f.name.0.last().map(|p| p.to_string().to_lowercase()).unwrap_or_else(|| "expr".into()),
            _ => "expr".into(),
        });
    }
    let predicate = match &ci.predicate {
        Some(p) => {
            let ty = plan_index_expr(ctx, &schema, p, "index predicate")?;
            if ty != SqlType::Bool {
                return Err(Error::new(ErrorCode::DatatypeMismatch, format!("argument of WHERE must be type boolean, not type {ty}")));
            }
            Some(p.to_string())
        }
        None => None,
    };
    let schema_def = ctx.catalog.snapshot().schema(table.schema).cloned().ok_or_else(|| Error::internal("schema of table vanished"))?;
    let name = match &ci.name {
        Some(n) => {
            let (_, name) = split_name(n)?;
            if relation_name_taken(ctx, &schema_def, &name) {
                if ci.if_not_exists {
                    return Ok(Plan::NoOp {
                        tag: "CREATE INDEX".into(),
                        notices: vec![format!("relation \"{name}\" already exists, skipping")],
                    });
                }
                return Err(Error::new(ErrorCode::DuplicateTable, format!("relation \"{name}\" already exists")));
            }
            name
        }
        None => {
            let mut taken: HashSet<String> = HashSet::new();
            let snap = ctx.catalog.snapshot();
            for t in snap.relations_in(schema_def.oid) {
                taken.insert(t.name.clone());
                taken.extend(t.index_names().map(str::to_string));
            }
            choose_name(&table.name, &name_parts, "idx", &mut taken)
        }
    };
    let index = IndexDef { name, oid: 0, columns, unique: ci.unique, index_id: 0, exprs, predicate };
    Ok(Plan::CreateIndex { table, index })
}

/// Plans an index expression or predicate (`what`, for messages) over the table and
/// returns its type; fails as PostgreSQL does on what an index cannot hold.
fn plan_index_expr(ctx: &QuiverContext, schema: &DFSchema, e: &ast::Expr, what: &str) -> Result<SqlType> {
    let planned = ctx.sql_to_rel().sql_to_expr(e.clone(), schema, &mut PlannerContext::new())?;
    let mut problem: Option<Error> = None;
    planned
        .apply(|x| {
            problem = match x {
                Expr::ScalarSubquery(_) | Expr::Exists(_) | Expr::InSubquery(_) | Expr::SetComparison(_) => {
                    Some(Error::unsupported(format!("cannot use subquery in {what}")))
                }
                Expr::AggregateFunction(_) => {
                    Some(Error::new(ErrorCode::GroupingError, format!("aggregate functions are not allowed in {what}s")))
                }
                Expr::WindowFunction(_) => {
                    Some(Error::new(ErrorCode::WindowingError, format!("window functions are not allowed in {what}s")))
                }
                Expr::ScalarFunction(f) if f.func.signature().volatility != Volatility::Immutable => {
                    Some(Error::new(ErrorCode::InvalidObjectDefinition, format!("functions in {what} must be marked IMMUTABLE")))
                }
                Expr::Placeholder(_) => Some(Error::new(ErrorCode::UndefinedParameter, format!("there is no parameter in {what}"))),
                _ => None,
            };
            Ok(if problem.is_some() { TreeNodeRecursion::Stop } else { TreeNodeRecursion::Continue })
        })
        .map_err(Error::from)?;
    if let Some(p) = problem {
        return Err(p);
    }
    let (_, field) = planned.to_field(schema)?;
    if *field.data_type() == DataType::Null {
        return Err(Error::new(ErrorCode::DatatypeMismatch, format!("could not determine the type of the {what}")));
    }
    // The field's metadata tells json, jsonb and uuid from text; a numeric keeps the
    // scale of its Arrow type.
    Ok(match SqlType::from_field(&field) {
        SqlType::Numeric { .. } => SqlType::from_arrow(field.data_type()),
        other => other,
    })
}

/// The index definitions of `table` with column `old` renamed to `new` in their
/// expressions and predicates.
pub fn rename_in_indexes(table: &TableDef, old: &str, new: &str) -> Result<Vec<IndexDef>> {
    table
        .indexes
        .iter()
        .map(|i| {
            let mut i = i.clone();
            for e in &mut i.exprs {
                e.sql = crate::rewrite::rename_identifier(&e.sql, old, new)?;
            }
            if let Some(p) = &i.predicate {
                i.predicate = Some(crate::rewrite::rename_identifier(p, old, new)?);
            }
            Ok(i)
        })
        .collect()
}
