//! INSERT, UPDATE and DELETE → a DataFusion query producing the rows to write, under a
//! `TableModify` node (see `quiverdb_catalog::plan::modify` for the column layouts).
//!
//! UPDATE and DELETE are rewritten into a SELECT over the target table's *row-key variant*
//! (named `"\x01quiver_dml"."<oid>"` so the context hands out the source with the hidden
//! `__quiver_rowkey` column), aliased as the target, with the statement's FROM/USING
//! tables and WHERE clause. DataFusion then plans joins and subqueries as usual:
//!
//! ```text
//! UPDATE t SET b = b + 1 FROM u WHERE t.a = u.a
//!   → SELECT t.__quiver_rowkey, t.a, t.b + 1 AS b, ... FROM "\x01quiver_dml"."16390" AS t, u
//!     WHERE t.a = u.a
//! ```

use crate::context::{DML_SCHEMA, QuiverContext};
use crate::plan::{ModifyVerb, Plan};
use crate::query::planner_context;
use crate::{normalize_ident, parse::parse, split_name};
use datafusion::arrow::compute::can_cast_types;
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::common::{Column, DFSchema, TableReference};
use datafusion::logical_expr::{Expr, ExprSchemable, Extension, LogicalPlan, LogicalPlanBuilder, cast};
use datafusion::scalar::ScalarValue;
use datafusion::sql::planner::PlannerContext;
use datafusion::sql::sqlparser::ast::{
    self, Assignment, AssignmentTarget, ConflictTarget, Delete, FromTable, Insert, OnConflictAction, OnInsert, SelectItem, SetExpr,
    Statement, TableObject, TableWithJoins, Update, UpdateTableFromKind,
};
use quiverdb_catalog::plan::{ConflictAction, ModifyOp, OnConflict, ROWKEY_COLUMN, TableModify};
use quiverdb_catalog::{Error, ErrorCode, Result, SqlType, TableDef};
use std::collections::HashSet;
use std::sync::Arc;

/// Resolves the target of a DML statement; views and missing tables are errors.
fn target(ctx: &QuiverContext, name: &ast::ObjectName, verb: &str) -> Result<Arc<TableDef>> {
    let def = resolve_name(ctx, name)?;
    if def.is_view() {
        return Err(Error::new(ErrorCode::WrongObjectType, format!("cannot {verb} view \"{}\"", def.name))
            .with_detail("Views are not automatically updatable yet."));
    }
    if def.is_sequence() {
        return Err(Error::new(ErrorCode::WrongObjectType, format!("cannot change sequence \"{}\"", def.name)));
    }
    Ok(def)
}

/// The relation (table, view or collection) `name` resolves to.
pub(crate) fn resolve_name(ctx: &QuiverContext, name: &ast::ObjectName) -> Result<Arc<TableDef>> {
    let (schema, table) = split_name(name)?;
    let reference = match &schema {
        Some(s) => TableReference::partial(s.as_str(), table.as_str()),
        None => TableReference::bare(table.as_str()),
    };
    ctx.resolve(&reference)
}

/// The logical CHECK expressions of `table`, planned against its columns.
fn checks(ctx: &QuiverContext, table: &TableDef, schema: &DFSchema) -> Result<Vec<(String, Expr)>> {
    table.checks.iter().map(|c| Ok((c.name.clone(), plan_sql_expr(ctx, &c.expr, schema, &mut PlannerContext::new())?))).collect()
}

/// Parses and plans a stored SQL expression (defaults, checks) against `schema`.
pub fn plan_sql_expr(ctx: &QuiverContext, sql: &str, schema: &DFSchema, pctx: &mut PlannerContext) -> Result<Expr> {
    let ast = parse_expr(sql)?;
    Ok(ctx.sql_to_rel().sql_to_expr(ast, schema, pctx)?)
}

/// Parses a single SQL expression.
pub fn parse_expr(sql: &str) -> Result<ast::Expr> {
    let mut stmts = parse(&format!("SELECT {sql}"))?;
    let stmt = crate::rewrite::rewrite(stmts.pop().ok_or_else(|| Error::internal("empty expression"))?)?;
    if let Statement::Query(q) = stmt
        && let SetExpr::Select(s) = *q.body
        && let Some(SelectItem::UnnamedExpr(e)) = s.projection.into_iter().next()
    {
        return Ok(e);
    }
    Err(Error::internal(format!("cannot parse stored expression {sql}")))
}

/// Casts `expr` to the column type, with PostgreSQL's message when impossible.
fn assign_cast(expr: Expr, from: &DataType, col: &quiverdb_catalog::ColumnDef) -> Result<Expr> {
    let to = col.ty.to_arrow();
    if *from == to {
        return Ok(expr);
    }
    if *from != DataType::Null && !can_cast_types(from, &to) {
        return Err(mismatch(col, &SqlType::from_arrow(from)));
    }
    Ok(cast(expr, to))
}

/// PostgreSQL's "column is of type X but expression is of type Y" (42804).
fn mismatch(col: &quiverdb_catalog::ColumnDef, from: &SqlType) -> Error {
    Error::new(ErrorCode::DatatypeMismatch, format!("column \"{}\" is of type {} but expression is of type {from}", col.name, col.ty))
        .with_hint("You will need to rewrite or cast the expression.")
}

/// [`assign_cast`] for a source of known SQL type `from_ty` (which field metadata tells
/// apart from other types sharing its Arrow type: text vs uuid vs json).
fn assign_cast_typed(expr: Expr, from: &DataType, from_ty: &SqlType, col: &quiverdb_catalog::ColumnDef) -> Result<Expr> {
    if *from != DataType::Null && !col.ty.assignable_from(from_ty) {
        return Err(mismatch(col, from_ty));
    }
    assign_cast(expr, from, col)
}

/// For `INSERT ... SELECT`, which select-list items are bare string literals (type
/// `unknown` in PostgreSQL, resolved by the target column).
fn unknown_select_items(q: &ast::Query) -> Vec<bool> {
    let SetExpr::Select(select) = q.body.as_ref() else {
        return vec![];
    };
    select
        .projection
        .iter()
        .map(|item| match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => matches!(
                e,
                ast::Expr::Value(v) if matches!(v.value, ast::Value::SingleQuotedString(_) | ast::Value::Null)
            ),
            _ => false,
        })
        .collect()
}

/// The default of `col` as a logical expression (NULL when it has none).
fn default_expr(ctx: &QuiverContext, col: &quiverdb_catalog::ColumnDef) -> Result<Expr> {
    let empty = DFSchema::empty();
    match &col.default {
        Some(sql) => {
            let e = plan_sql_expr(ctx, sql, &empty, &mut PlannerContext::new())?;
            // A quoted default is an unknown literal: the column type's input function
            // reads it (the literal-cast rule folds this cast with PostgreSQL's parser).
            if matches!(&e, Expr::Literal(ScalarValue::Utf8(Some(_)), _)) && !col.ty.is_text_like() {
                return Ok(cast(e, col.ty.to_arrow()));
            }
            let from = e.get_type(&empty)?;
            assign_cast(e, &from, col)
        }
        None => Ok(Expr::Literal(ScalarValue::try_from(col.ty.to_arrow())?, None)),
    }
}

/// Builds the TableModify node and the RETURNING projection over it.
fn finish(
    ctx: &QuiverContext,
    table: Arc<TableDef>,
    qualifier: &str,
    op: ModifyOp,
    input: LogicalPlan,
    returning: Option<Vec<SelectItem>>,
    params: &mut PlannerContext,
) -> Result<Plan> {
    let verb = match op {
        ModifyOp::Insert { .. } => ModifyVerb::Insert,
        ModifyOp::Update => ModifyVerb::Update,
        ModifyOp::Delete => ModifyVerb::Delete,
    };
    let table_schema = table.qualified_schema(qualifier)?;
    let checks = if matches!(verb, ModifyVerb::Delete) { vec![] } else { checks(ctx, &table, &table_schema)? };
    // Columns beyond [rowkey?, table columns] come from FROM/USING, for RETURNING.
    let written = table.live_column_count() + usize::from(!matches!(op, ModifyOp::Insert { .. }));
    let input_schema = input.schema().clone();
    let extra_columns = input_schema.fields().len().saturating_sub(written);
    let schema = if returning.is_some() {
        let mut out = (*table_schema).clone();
        if extra_columns > 0 {
            let extras: Vec<_> = input_schema.iter().skip(written).map(|(q, f)| (q.cloned(), f.clone())).collect();
            out.merge(&DFSchema::new_with_metadata(extras, Default::default())?);
        }
        Arc::new(out)
    } else {
        Arc::new(DFSchema::try_from(Schema::new(vec![Field::new("count", DataType::UInt64, false)]))?)
    };
    let node = TableModify {
        table,
        op,
        input: Arc::new(input),
        checks,
        table_schema: table_schema.clone(),
        returning: returning.is_some(),
        extra_columns,
        schema,
    };
    let mut plan = LogicalPlan::Extension(Extension { node: Arc::new(node) });
    if let Some(items) = &returning {
        let exprs = select_items(ctx, items, plan.schema(), params)?;
        plan = LogicalPlanBuilder::from(plan).project(exprs)?.build()?;
    }
    Ok(Plan::Modify { plan, verb, returning: returning.is_some() })
}

/// Plans a RETURNING list (or any select list) against `schema`.
fn select_items(ctx: &QuiverContext, items: &[SelectItem], schema: &DFSchema, pctx: &mut PlannerContext) -> Result<Vec<Expr>> {
    let sql = ctx.sql_to_rel();
    let mut out = Vec::new();
    for item in items {
        match item {
            SelectItem::UnnamedExpr(e) => {
                let planned = sql.sql_to_expr(e.clone(), schema, pctx)?;
                let name = match e {
                    ast::Expr::Identifier(i) => normalize_ident(i),
                    ast::Expr::CompoundIdentifier(parts) => parts.last().map(normalize_ident).unwrap_or_default(),
                    _ => planned.schema_name().to_string(),
                };
                out.push(planned.alias(name));
            }
            SelectItem::ExprWithAlias { expr, alias } => {
                out.push(sql.sql_to_expr(expr.clone(), schema, pctx)?.alias(normalize_ident(alias)));
            }
            SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => {
                out.extend(schema.columns().into_iter().map(Expr::Column));
            }
            SelectItem::ExprWithAliases { .. } => {
                return Err(Error::unsupported("multiple aliases in RETURNING are not supported"));
            }
        }
    }
    Ok(out)
}

/// An INSERT of every row of `source` (positional, all live columns) into `table`
/// (CREATE TABLE AS).
pub fn insert_from(ctx: &QuiverContext, table: Arc<TableDef>, source: LogicalPlan) -> Result<LogicalPlan> {
    let columns = table.live_column_count();
    if source.schema().fields().len() != columns {
        return Err(Error::syntax("INSERT has more expressions than target columns"));
    }
    insert_copied(ctx, table, &(0..columns).collect::<Vec<_>>(), source)
}

/// An INSERT of `source`'s rows into `table` where source column k fills live column
/// `targets[k]` (assignment casts) and the other columns take their defaults (COPY FROM,
/// whose source holds values made by the column types' input functions).
pub fn insert_copied(ctx: &QuiverContext, table: Arc<TableDef>, targets: &[usize], source: LogicalPlan) -> Result<LogicalPlan> {
    let live: Vec<&quiverdb_catalog::ColumnDef> = table.live_columns().collect();
    let schema = source.schema().clone();
    let cols = schema.columns();
    if cols.len() != targets.len() {
        return Err(Error::internal("COPY source does not match its column list"));
    }
    let mut exprs = Vec::with_capacity(live.len());
    for (pos, col) in live.iter().enumerate() {
        let e = match targets.iter().position(|t| *t == pos) {
            Some(k) => {
                let e = Expr::Column(cols[k].clone());
                let from = e.get_type(&schema)?;
                assign_cast(e, &from, col)?
            }
            None => default_expr(ctx, col)?,
        };
        exprs.push(e.alias(col.name.clone()));
    }
    insert_projected(ctx, table, LogicalPlanBuilder::from(source).project(exprs)?.build()?)
}

/// The plain INSERT (no ON CONFLICT, no RETURNING) of `input`, which has every live column.
fn insert_projected(ctx: &QuiverContext, table: Arc<TableDef>, input: LogicalPlan) -> Result<LogicalPlan> {
    let name = table.name.clone();
    match finish(ctx, table, &name, ModifyOp::Insert { on_conflict: None }, input, None, &mut PlannerContext::new())? {
        Plan::Modify { plan, .. } => Ok(plan),
        _ => Err(Error::internal("insert did not plan to a modification")),
    }
}

/// A one-row plan evaluating the SQL expression `sql` cast to `ty` (ADD COLUMN defaults).
pub fn constant(ctx: &QuiverContext, sql: &str, ty: &SqlType) -> Result<LogicalPlan> {
    let empty = DFSchema::empty();
    let e = plan_sql_expr(ctx, sql, &empty, &mut PlannerContext::new())?;
    Ok(LogicalPlanBuilder::empty(true).project(vec![cast(e, ty.to_arrow()).alias("value")])?.build()?)
}

/// Plans INSERT.
pub fn plan_insert(ctx: &QuiverContext, insert: Insert, params: &[Option<SqlType>]) -> Result<Plan> {
    let TableObject::TableName(name) = &insert.table else {
        return Err(Error::unsupported("INSERT INTO TABLE FUNCTION is not supported"));
    };
    let table = target(ctx, name, "insert into")?;
    let qualifier = insert.table_alias.as_ref().map(|a| normalize_ident(&a.alias)).unwrap_or_else(|| table.name.clone());
    let live: Vec<&quiverdb_catalog::ColumnDef> = table.live_columns().collect();

    // Target columns, in the order the source provides them.
    let targets: Vec<usize> = if insert.columns.is_empty() {
        (0..live.len()).collect()
    } else {
        let mut seen = HashSet::new();
        insert
            .columns
            .iter()
            .map(|c| {
                let (_, n) = split_name(c)?;
                let pos = live.iter().position(|l| l.name == n).ok_or_else(|| {
                    Error::new(ErrorCode::UndefinedColumn, format!("column \"{n}\" of relation \"{}\" does not exist", table.name))
                })?;
                if !seen.insert(pos) {
                    return Err(Error::syntax(format!("column \"{n}\" specified more than once")));
                }
                Ok(pos)
            })
            .collect::<Result<_>>()?
    };

    if let Some(q) = insert.source.as_deref() {
        check_identity_always(q, &targets, &live)?;
    }
    let mut pctx = planner_context(params);
    let has_source = insert.source.is_some();
    let unknown_columns = insert.source.as_deref().map(unknown_select_items).unwrap_or_default();
    let source = match insert.source {
        Some(q) => {
            let mut q = *q;
            replace_defaults(ctx, &mut q, &targets, &live)?;
            let plan = ctx.sql_to_rel().sql_statement_to_plan_with_context(Statement::Query(Box::new(q)), &mut pctx)?;
            type_values_placeholders(plan, &targets, &live)?
        }
        None => LogicalPlanBuilder::values(vec![vec![]]).and_then(|b| b.build()).unwrap_or_else(|_| {
            LogicalPlan::EmptyRelation(datafusion::logical_expr::EmptyRelation {
                produce_one_row: true,
                schema: Arc::new(DFSchema::empty()),
            })
        }),
    };
    let source_cols = source.schema().columns();
    if has_source && source_cols.len() > targets.len() {
        return Err(Error::syntax("INSERT has more expressions than target columns"));
    }
    if has_source && source_cols.len() < targets.len() && !insert.columns.is_empty() {
        return Err(Error::syntax("INSERT has more target columns than expressions"));
    }

    // Project the source onto every live column, filling defaults.
    let source_schema = source.schema().clone();
    let mut exprs = Vec::with_capacity(live.len());
    for (pos, col) in live.iter().enumerate() {
        let e = match targets.iter().position(|t| *t == pos) {
            Some(k) if k < source_cols.len() => {
                let c = Expr::Column(source_cols[k].clone());
                let field = source_schema.field(k);
                let from = field.data_type().clone();
                // A bare string literal in INSERT ... SELECT is PostgreSQL's `unknown`:
                // it takes the column's type through the cast below.
                let from_ty = if unknown_columns.get(k).copied().unwrap_or(false) { col.ty.clone() } else { SqlType::from_field(field) };
                assign_cast_typed(c, &from, &from_ty, col)?
            }
            _ => default_expr(ctx, col)?,
        };
        exprs.push(e.alias(col.name.clone()));
    }
    let input = LogicalPlanBuilder::from(source).project(exprs)?.build()?;

    let on_conflict = match insert.on {
        None => None,
        Some(OnInsert::OnConflict(oc)) => Some(plan_on_conflict(ctx, &table, &qualifier, oc, &mut pctx)?),
        Some(_) => {
            return Err(Error::unsupported("ON DUPLICATE KEY UPDATE is not supported; use ON CONFLICT"));
        }
    };
    finish(ctx, table, &qualifier, ModifyOp::Insert { on_conflict }, input, insert.returning, &mut pctx)
}

/// `DEFAULT` alone (in a VALUES row or as a SET value).
fn is_default_keyword(e: &ast::Expr) -> bool {
    matches!(e, ast::Expr::Identifier(i) if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("default"))
}

/// The 428C9 error for writing `column`, a GENERATED ALWAYS identity column.
fn identity_always_error(message: String, column: &str) -> Error {
    Error::new(ErrorCode::GeneratedAlways, message)
        .with_detail(format!("Column \"{column}\" is an identity column defined as GENERATED ALWAYS."))
}

/// INSERT gives a GENERATED ALWAYS identity column nothing but DEFAULT (428C9): in a
/// VALUES source every row has DEFAULT there; any other source supplies values.
fn check_identity_always(q: &ast::Query, targets: &[usize], live: &[&quiverdb_catalog::ColumnDef]) -> Result<()> {
    for (k, col) in targets.iter().enumerate().filter_map(|(k, p)| Some((k, *live.get(*p)?))) {
        if col.identity != Some(quiverdb_catalog::Identity::Always) {
            continue;
        }
        let all_default = match q.body.as_ref() {
            SetExpr::Values(values) => values.rows.iter().all(|row| row.content.get(k).is_none_or(is_default_keyword)),
            _ => false,
        };
        if !all_default {
            return Err(identity_always_error(format!("cannot insert a non-DEFAULT value into column \"{}\"", col.name), &col.name)
                .with_hint("Leave the column out or give DEFAULT (OVERRIDING SYSTEM VALUE is not supported yet)."));
        }
    }
    Ok(())
}

/// Prepares a VALUES source for its target columns: `DEFAULT` becomes the column default,
/// literals are typed by their column (PostgreSQL's unknown literals), and rows with
/// subqueries become `SELECT ... UNION ALL SELECT ...` (DataFusion cannot evaluate
/// subqueries inside VALUES).
fn replace_defaults(ctx: &QuiverContext, q: &mut ast::Query, targets: &[usize], live: &[&quiverdb_catalog::ColumnDef]) -> Result<()> {
    let _ = ctx;
    let SetExpr::Values(values) = q.body.as_mut() else {
        return Ok(());
    };
    for row in values.rows.iter_mut() {
        for (k, cell) in row.content.iter_mut().enumerate() {
            if let Some(col) = targets.get(k).and_then(|p| live.get(*p)) {
                let lit = std::mem::replace(cell, ast::Expr::Value(ast::Value::Null.into()));
                *cell = crate::rewrite::casts::type_literal(lit, &col.ty, ast_type)?;
            }
            if !is_default_keyword(cell) {
                // DEFAULT stands only alone (`DEFAULT + 1` is an error in PostgreSQL).
                let nested = ast::visit_expressions(cell, |e| match e {
                    ast::Expr::Identifier(i) if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("default") => {
                        std::ops::ControlFlow::Break(())
                    }
                    _ => std::ops::ControlFlow::Continue(()),
                });
                if nested.is_break() {
                    return Err(Error::syntax("DEFAULT is not allowed in this context"));
                }
                continue;
            }
            let Some(col) = targets.get(k).and_then(|p| live.get(*p)) else {
                continue;
            };
            *cell = match &col.default {
                Some(sql) => {
                    let e = parse_expr(sql)?;
                    ast::Expr::Cast {
                        kind: ast::CastKind::DoubleColon,
                        expr: Box::new(e),
                        data_type: ast_type(&col.ty)?,
                        array: false,
                        format: None,
                    }
                }
                None => ast::Expr::Cast {
                    kind: ast::CastKind::DoubleColon,
                    expr: Box::new(ast::Expr::Value(ast::Value::Null.into())),
                    data_type: ast_type(&col.ty)?,
                    array: false,
                    format: None,
                },
            };
        }
    }
    if values.rows.iter().any(|r| r.content.iter().any(has_subquery)) {
        let rows = std::mem::take(&mut values.rows);
        let mut body: Option<SetExpr> = None;
        for row in rows {
            let mut select = select_skeleton()?;
            select.projection = row.content.into_iter().map(SelectItem::UnnamedExpr).collect();
            let this = SetExpr::Select(Box::new(select));
            body = Some(match body {
                None => this,
                Some(prev) => SetExpr::SetOperation {
                    op: ast::SetOperator::Union,
                    set_quantifier: ast::SetQuantifier::All,
                    left: Box::new(prev),
                    right: Box::new(this),
                },
            });
        }
        if let Some(b) = body {
            *q.body = b;
        }
    }
    Ok(())
}

/// True when `e` contains a subquery.
fn has_subquery(e: &ast::Expr) -> bool {
    let mut found = false;
    let mut e = e.clone();
    let _ = ast::visit_expressions_mut(&mut e, |x| {
        if matches!(x, ast::Expr::Subquery(_) | ast::Expr::Exists { .. } | ast::Expr::InSubquery { .. }) {
            found = true;
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    found
}

/// An empty `SELECT 1` to fill in.
fn select_skeleton() -> Result<ast::Select> {
    let mut stmts = parse("SELECT 1")?;
    if let Some(Statement::Query(q)) = stmts.pop()
        && let SetExpr::Select(s) = *q.body
    {
        return Ok(*s);
    }
    Err(Error::internal("cannot build SELECT"))
}

/// The sqlparser spelling of a column type (for casts built into the AST).
fn ast_type(ty: &SqlType) -> Result<ast::DataType> {
    let sql =
        format!("SELECT NULL::{}", ty.to_string().replace(" without time zone", "").replace("timestamp with time zone", "timestamptz"));
    let mut stmts = parse(&sql)?;
    if let Some(Statement::Query(q)) = stmts.pop()
        && let SetExpr::Select(s) = *q.body
        && let Some(SelectItem::UnnamedExpr(ast::Expr::Cast { data_type, .. })) = s.projection.into_iter().next()
    {
        return Ok(data_type);
    }
    Err(Error::internal(format!("cannot spell type {ty}")))
}

/// Gives untyped `$n` placeholders in a VALUES source the type of their target column.
fn type_values_placeholders(plan: LogicalPlan, targets: &[usize], live: &[&quiverdb_catalog::ColumnDef]) -> Result<LogicalPlan> {
    use datafusion::common::tree_node::{Transformed, TreeNode};
    let out = plan.transform_up(|node| {
        let LogicalPlan::Values(mut v) = node else {
            return Ok(Transformed::no(node));
        };
        let mut changed = false;
        for row in v.values.iter_mut() {
            for (k, e) in row.iter_mut().enumerate() {
                if let Expr::Placeholder(p) = e
                    && p.field.is_none()
                    && let Some(col) = targets.get(k).and_then(|t| live.get(*t))
                {
                    p.field = Some(Arc::new(col.ty.to_field("", true)));
                    changed = true;
                }
            }
        }
        if !changed {
            return Ok(Transformed::no(LogicalPlan::Values(v)));
        }
        let rebuilt = LogicalPlanBuilder::values(v.values)?.build()?;
        Ok(Transformed::yes(rebuilt))
    })?;
    Ok(out.data)
}

/// Plans ON CONFLICT.
fn plan_on_conflict(
    ctx: &QuiverContext,
    table: &Arc<TableDef>,
    qualifier: &str,
    oc: ast::OnConflict,
    pctx: &mut PlannerContext,
) -> Result<OnConflict> {
    let target: Vec<i16> = match &oc.conflict_target {
        None => vec![],
        Some(ConflictTarget::Columns(cols)) => {
            let mut attnums = Vec::new();
            for c in cols {
                let n = normalize_ident(c);
                let col =
                    table.column(&n).ok_or_else(|| Error::new(ErrorCode::UndefinedColumn, format!("column \"{n}\" does not exist")))?;
                attnums.push(col.attnum);
            }
            let mut sorted = attnums.clone();
            sorted.sort_unstable();
            let unique_indexes = table.indexes.iter().filter(|i| i.unique).map(|i| &i.columns);
            let matches = table.primary_key.iter().chain(table.uniques.iter()).map(|k| &k.columns).chain(unique_indexes).find(|cols| {
                let mut kc = (*cols).clone();
                kc.sort_unstable();
                kc == sorted
            });
            match matches {
                Some(cols) => cols.clone(),
                None => {
                    return Err(Error::new(
                        ErrorCode::InvalidColumnReference,
                        "there is no unique or exclusion constraint matching the ON CONFLICT specification",
                    ));
                }
            }
        }
        Some(ConflictTarget::OnConstraint(name)) => {
            let (_, n) = split_name(name)?;
            let k = table.primary_key.iter().chain(table.uniques.iter()).find(|k| k.name == n).ok_or_else(|| {
                Error::new(ErrorCode::UndefinedObject, format!("constraint \"{n}\" for table \"{}\" does not exist", table.name))
            })?;
            k.columns.clone()
        }
    };
    let action = match oc.action {
        OnConflictAction::DoNothing => ConflictAction::Nothing,
        OnConflictAction::DoUpdate(du) => {
            if target.is_empty() {
                return Err(Error::syntax("ON CONFLICT DO UPDATE requires inference specification or constraint name")
                    .with_hint("For example, ON CONFLICT (column_name)."));
            }
            let existing = table.qualified_schema(qualifier)?;
            let excluded = table.qualified_schema("excluded")?;
            let mut both = (*existing).clone();
            both.merge(&excluded);
            let both = Arc::new(both);
            let live: Vec<&quiverdb_catalog::ColumnDef> = table.live_columns().collect();
            let mut assignments = Vec::new();
            for (pos, e) in assignment_list(&du.assignments, table)? {
                let col = live[pos];
                let e = match e {
                    None => default_expr(ctx, col)?,
                    Some(e) => {
                        let planned = ctx.sql_to_rel().sql_to_expr(e, &both, pctx)?;
                        let from = planned.get_type(&both)?;
                        assign_cast(planned, &from, col)?
                    }
                };
                assignments.push((pos, e));
            }
            let predicate = match du.selection {
                Some(w) => Some(ctx.sql_to_rel().sql_to_expr(w, &both, pctx)?),
                None => None,
            };
            ConflictAction::Update { assignments, predicate, schema: both }
        }
    };
    Ok(OnConflict { target, action, guard: None })
}

/// Resolves SET assignments to (live column position, expression or `None` for DEFAULT).
fn assignment_list(assignments: &[Assignment], table: &TableDef) -> Result<Vec<(usize, Option<ast::Expr>)>> {
    let live: Vec<&quiverdb_catalog::ColumnDef> = table.live_columns().collect();
    let mut out: Vec<(usize, Option<ast::Expr>)> = Vec::new();
    let mut push = |name: &ast::ObjectName, value: Option<ast::Expr>| -> Result<()> {
        let n = match name.0.last() {
            Some(ast::ObjectNamePart::Identifier(i)) => normalize_ident(i),
            _ => return Err(Error::syntax(format!("invalid assignment target {name}"))),
        };
        let pos = live.iter().position(|c| c.name == n).ok_or_else(|| {
            Error::new(ErrorCode::UndefinedColumn, format!("column \"{n}\" of relation \"{}\" does not exist", table.name))
        })?;
        if out.iter().any(|(p, _)| *p == pos) {
            return Err(Error::syntax(format!("multiple assignments to same column \"{n}\"")));
        }
        if table.collection.is_some() && n != "doc" {
            return Err(Error::new(
                ErrorCode::GeneratedAlways,
                format!("column \"{n}\" of collection \"{}\" follows its documents", table.name),
            )
            .with_hint("Change the document: UPDATE ... SET doc = ...; a document's _key cannot change."));
        }
        out.push((pos, value));
        Ok(())
    };
    for a in assignments {
        let is_default =
            |e: &ast::Expr| matches!(e, ast::Expr::Identifier(i) if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("default"));
        match &a.target {
            AssignmentTarget::ColumnName(name) => {
                push(name, if is_default(&a.value) { None } else { Some(a.value.clone()) })?;
            }
            AssignmentTarget::Tuple(names) => {
                let values: Vec<ast::Expr> = match &a.value {
                    ast::Expr::Tuple(v) => v.clone(),
                    ast::Expr::Nested(inner) => vec![(**inner).clone()],
                    _ => {
                        return Err(Error::unsupported("multiple-column UPDATE from a subquery is not supported"));
                    }
                };
                if values.len() != names.len() {
                    return Err(Error::syntax("number of columns does not match number of values"));
                }
                for (n, v) in names.iter().zip(values) {
                    let d = is_default(&v);
                    push(n, if d { None } else { Some(v) })?;
                }
            }
        }
    }
    Ok(out)
}

/// A SELECT skeleton over the row-key variant of `table`, aliased `alias`.
fn dml_select(table: &TableDef, alias: &str) -> Result<ast::Select> {
    let sql = format!("SELECT 1 FROM \"{DML_SCHEMA}\".\"{}\" AS \"{}\"", table.oid, alias.replace('"', "\"\""));
    let mut stmts = parse(&sql)?;
    if let Some(Statement::Query(q)) = stmts.pop()
        && let SetExpr::Select(s) = *q.body
    {
        return Ok(*s);
    }
    Err(Error::internal("cannot build DML query"))
}

/// `alias.*` for every relation of `tables` (their columns pass through to RETURNING).
fn relation_wildcards(tables: &[TableWithJoins]) -> Result<Vec<SelectItem>> {
    let mut names = Vec::new();
    for t in tables {
        for factor in std::iter::once(&t.relation).chain(t.joins.iter().map(|j| &j.relation)) {
            let name = match factor {
                ast::TableFactor::Table { alias: Some(a), .. } | ast::TableFactor::Derived { alias: Some(a), .. } => {
                    normalize_ident(&a.name)
                }
                ast::TableFactor::Table { name, .. } => split_name(name)?.1,
                _ => continue,
            };
            names.push(name);
        }
    }
    names
        .into_iter()
        .map(|n| {
            let sql = format!("SELECT \"{}\".* FROM x", n.replace('"', "\"\""));
            let mut stmts = parse(&sql)?;
            if let Some(Statement::Query(q)) = stmts.pop()
                && let SetExpr::Select(s) = *q.body
                && let Some(item) = s.projection.into_iter().next()
            {
                return Ok(item);
            }
            Err(Error::internal("cannot build a wildcard"))
        })
        .collect()
}

fn qualified(alias: &str, column: &str) -> ast::Expr {
    ast::Expr::CompoundIdentifier(vec![ast::Ident::with_quote('"', alias), ast::Ident::with_quote('"', column)])
}

fn select_query(select: ast::Select) -> Statement {
    Statement::Query(Box::new(ast::Query {
        with: None,
        body: Box::new(SetExpr::Select(Box::new(select))),
        order_by: None,
        limit_clause: None,
        fetch: None,
        locks: vec![],
        for_clause: None,
        settings: None,
        format_clause: None,
        pipe_operators: vec![],
    }))
}

/// Plans UPDATE.
pub fn plan_update(ctx: &QuiverContext, update: Update, params: &[Option<SqlType>]) -> Result<Plan> {
    let TableWithJoins { relation, joins } = &update.table;
    if !joins.is_empty() {
        return Err(Error::unsupported("UPDATE with JOIN syntax is not supported; use UPDATE ... FROM"));
    }
    let ast::TableFactor::Table { name, alias, .. } = relation else {
        return Err(Error::unsupported("UPDATE target must be a table"));
    };
    let table = target(ctx, name, "update")?;
    let alias_name = alias.as_ref().map(|a| normalize_ident(&a.name)).unwrap_or_else(|| table.name.clone());
    let assignments = assignment_list(&update.assignments, &table)?;
    let live: Vec<&quiverdb_catalog::ColumnDef> = table.live_columns().collect();
    for (pos, value) in &assignments {
        if let Some(col) = live.get(*pos)
            && value.is_some()
            && col.identity == Some(quiverdb_catalog::Identity::Always)
        {
            return Err(identity_always_error(format!("column \"{}\" can only be updated to DEFAULT", col.name), &col.name));
        }
    }

    let mut select = dml_select(&table, &alias_name)?;
    let mut items = vec![SelectItem::UnnamedExpr(qualified(&alias_name, ROWKEY_COLUMN))];
    // `SET c = $n` with `$n` still untyped: the parameter has the column's type.
    let mut params = params.to_vec();
    for (pos, value) in &assignments {
        if let Some(n) = value.as_ref().and_then(placeholder_number)
            && let Some(col) = live.get(*pos)
        {
            if params.len() < n {
                params.resize(n, None);
            }
            params[n - 1].get_or_insert_with(|| col.ty.clone());
        }
    }
    let params = params.as_slice();
    for (pos, col) in live.iter().enumerate() {
        let value = match assignments.iter().find(|(p, _)| *p == pos) {
            Some((_, Some(e))) => crate::rewrite::casts::type_literal(e.clone(), &col.ty, ast_type)?,
            Some((_, None)) => match &col.default {
                Some(sql) => parse_expr(sql)?,
                None => ast::Expr::Value(ast::Value::Null.into()),
            },
            None => qualified(&alias_name, &col.name),
        };
        items.push(SelectItem::ExprWithAlias { expr: value, alias: ast::Ident::with_quote('"', col.name.clone()) });
    }
    if let Some(from) = &update.from {
        let tables = match from {
            UpdateTableFromKind::BeforeSet(t) | UpdateTableFromKind::AfterSet(t) => t.clone(),
        };
        if update.returning.is_some() {
            items.extend(relation_wildcards(&tables)?);
        }
        select.from.extend(tables);
    }
    select.projection = items;
    select.selection = update.selection.clone();
    let mut pctx = planner_context(params);
    let source = ctx.sql_to_rel().sql_statement_to_plan_with_context(select_query(select), &mut pctx)?;

    // Cast new values to the column types.
    let schema = source.schema().clone();
    let cols = schema.columns();
    // Written columns keep the target's qualifier so FROM tables' columns of the same
    // name stay distinguishable for RETURNING.
    let q = Some(TableReference::bare(alias_name.as_str()));
    let mut exprs = vec![Expr::Column(cols[0].clone()).alias_qualified(q.clone(), ROWKEY_COLUMN)];
    for (k, col) in live.iter().enumerate() {
        let c = Expr::Column(cols[k + 1].clone());
        let from = c.get_type(&schema)?;
        exprs.push(assign_cast(c, &from, col)?.alias_qualified(q.clone(), col.name.clone()));
    }
    exprs.extend(cols.iter().skip(live.len() + 1).map(|c| Expr::Column(c.clone())));
    let input = LogicalPlanBuilder::from(source).project(exprs)?.build()?;
    finish(ctx, table, &alias_name, ModifyOp::Update, input, update.returning, &mut pctx)
}

/// `n` of a bare `$n`.
fn placeholder_number(e: &ast::Expr) -> Option<usize> {
    match e {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::Placeholder(name) => name.strip_prefix('$')?.parse().ok().filter(|n| *n >= 1),
            _ => None,
        },
        _ => None,
    }
}

/// Plans DELETE.
pub fn plan_delete(ctx: &QuiverContext, delete: Delete, params: &[Option<SqlType>]) -> Result<Plan> {
    let tables = match &delete.from {
        FromTable::WithFromKeyword(t) | FromTable::WithoutKeyword(t) => t,
    };
    let [TableWithJoins { relation, joins }] = tables.as_slice() else {
        return Err(Error::unsupported("DELETE from several tables is not supported"));
    };
    if !joins.is_empty() {
        return Err(Error::unsupported("DELETE with JOIN syntax is not supported; use DELETE ... USING"));
    }
    let ast::TableFactor::Table { name, alias, .. } = relation else {
        return Err(Error::unsupported("DELETE target must be a table"));
    };
    let table = target(ctx, name, "delete from")?;
    let alias_name = alias.as_ref().map(|a| normalize_ident(&a.name)).unwrap_or_else(|| table.name.clone());

    let mut select = dml_select(&table, &alias_name)?;
    let mut items = vec![SelectItem::UnnamedExpr(qualified(&alias_name, ROWKEY_COLUMN))];
    for col in table.live_columns() {
        items.push(SelectItem::UnnamedExpr(qualified(&alias_name, &col.name)));
    }
    if let Some(using) = &delete.using {
        if delete.returning.is_some() {
            items.extend(relation_wildcards(using)?);
        }
        select.from.extend(using.clone());
    }
    select.projection = items;
    select.selection = delete.selection.clone();
    let mut pctx = planner_context(params);
    let source = ctx.sql_to_rel().sql_statement_to_plan_with_context(select_query(select), &mut pctx)?;
    let cols: Vec<Column> = source.schema().columns();
    // Deleted columns keep the target's qualifier so USING tables' columns of the same
    // name stay distinguishable for RETURNING.
    let q = Some(TableReference::bare(alias_name.as_str()));
    let mut exprs = vec![Expr::Column(cols[0].clone()).alias_qualified(q.clone(), ROWKEY_COLUMN)];
    let n = table.live_column_count();
    for (k, col) in table.live_columns().enumerate() {
        exprs.push(Expr::Column(cols[k + 1].clone()).alias_qualified(q.clone(), col.name.clone()));
    }
    exprs.extend(cols.iter().skip(n + 1).map(|c| Expr::Column(c.clone())));
    let input = LogicalPlanBuilder::from(source).project(exprs)?.build()?;
    finish(ctx, table, &alias_name, ModifyOp::Delete, input, delete.returning, &mut pctx)
}
