//! DDL: CREATE/ALTER/DROP of tables, views, schemas and databases; TRUNCATE.
//!
//! Planning validates the statement against the catalog (names, types, constraints,
//! expressions) and describes the change; the server allocates object ids and applies it
//! in the statement's transaction. Messages and constraint names follow PostgreSQL.

use crate::context::QuiverContext;
use crate::dml::parse_expr;
use crate::plan::*;
use crate::query::planner_context;
use crate::types::sql_type;
use crate::{normalize_ident, split_name};
use datafusion::arrow::compute::can_cast_types;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{DFSchema, TableReference};
use datafusion::logical_expr::ExprSchemable;
use datafusion::sql::planner::PlannerContext;
use datafusion::sql::sqlparser::ast::{
    self, AlterColumnOperation, AlterTable, AlterTableOperation, ColumnOption, CreateTable, CreateView, ObjectName, SchemaName, Statement,
    TableConstraint, Truncate,
};
use quiverdb_catalog::objects::truncate_identifier;
use quiverdb_catalog::{Error, ErrorCode, Result, SchemaDef, SqlType, TableDef};
use std::collections::HashSet;
use std::sync::Arc;

/// The schema a new object named `schema.name` (or unqualified `name`) goes into.
pub(crate) fn creation_schema(ctx: &QuiverContext, schema: Option<&str>) -> Result<Arc<SchemaDef>> {
    match schema {
        Some(s) => {
            ctx.catalog.schema_by_name(s).ok_or_else(|| Error::new(ErrorCode::UndefinedSchema, format!("schema \"{s}\" does not exist")))
        }
        None => {
            ctx.catalog.creation_schema().ok_or_else(|| Error::new(ErrorCode::UndefinedSchema, "no schema has been selected to create in"))
        }
    }
}

/// Picks a constraint name not yet in `taken`, PostgreSQL style (`t_a_key`, `t_a_key1`).
pub(crate) fn choose_name(table: &str, cols: &[String], suffix: &str, taken: &mut HashSet<String>) -> String {
    let mut base = table.to_string();
    for c in cols {
        base.push('_');
        base.push_str(c);
    }
    base.push('_');
    base.push_str(suffix);
    let base = truncate_identifier(&base);
    let mut name = base.clone();
    let mut n = 1;
    while taken.contains(&name) {
        name = truncate_identifier(&format!("{base}{n}"));
        n += 1;
    }
    taken.insert(name.clone());
    name
}

/// The column a CHECK is named after: PostgreSQL uses `table_column_check` when the
/// expression references exactly one column, else `table_check`.
fn referenced_columns(expr: &ast::Expr, columns: &[String]) -> Vec<String> {
    let text = expr.to_string().to_lowercase();
    let used: Vec<String> =
        columns.iter().filter(|c| text.split(|ch: char| !(ch.is_alphanumeric() || ch == '_')).any(|w| w == c.as_str())).cloned().collect();
    if used.len() == 1 { used } else { vec![] }
}

/// Key column names of an index column list.
fn key_columns(cols: &[ast::IndexColumn]) -> Result<Vec<String>> {
    cols.iter()
        .map(|c| match &c.column.expr {
            ast::Expr::Identifier(i) => Ok(normalize_ident(i)),
            other => Err(Error::unsupported(format!("expressions in key constraints are not supported: {other}"))),
        })
        .collect()
}

/// Validates a DEFAULT expression for a column of `ty`; returns its SQL text.
fn check_default(ctx: &QuiverContext, expr: &ast::Expr, col: &str, ty: &SqlType) -> Result<String> {
    let empty = DFSchema::empty();
    let planned = ctx.sql_to_rel().sql_to_expr(expr.clone(), &empty, &mut PlannerContext::new()).map_err(|e| {
        let e = Error::from(e);
        if e.code == ErrorCode::UndefinedColumn { Error::unsupported("cannot use column reference in DEFAULT expression") } else { e }
    })?;
    let from = planned.get_type(&empty)?;
    let to = ty.to_arrow();
    let quoted = matches!(&planned, datafusion::logical_expr::Expr::Literal(datafusion::common::ScalarValue::Utf8(Some(_)), _));
    let from_ty = planned.to_field(&empty).map(|(_, f)| SqlType::from_field(&f)).unwrap_or_else(|_| SqlType::from_arrow(&from));
    let assignable = from == DataType::Null || quoted || ty.assignable_from(&from_ty);
    if !assignable || (from != DataType::Null && from != to && !quoted && !can_cast_types(&from, &to)) {
        return Err(Error::new(
            ErrorCode::DatatypeMismatch,
            format!("column \"{col}\" is of type {ty} but default expression is of type {}", SqlType::from_arrow(&from)),
        )
        .with_hint("You will need to rewrite or cast the expression."));
    }
    // Constant defaults are checked now, as PostgreSQL does ('abc' for an integer fails).
    if let datafusion::logical_expr::Expr::Literal(v, _) = &planned
        && !v.is_null()
        && from != to
    {
        match v {
            // A quoted default is read by the type's input function ('{1,2}' for int[]).
            datafusion::common::ScalarValue::Utf8(Some(text)) => {
                quiverdb_catalog::input::decode_text(text, ty, &Default::default())?;
            }
            v => {
                v.cast_to(&to).map_err(|_| {
                    Error::new(
                        ErrorCode::InvalidTextRepresentation,
                        format!("invalid input syntax for type {ty}: \"{}\"", v.to_string().trim_matches('\'')),
                    )
                })?;
            }
        }
    }
    Ok(expr.to_string())
}

/// Validates a CHECK expression against the table's columns.
fn check_expr(ctx: &QuiverContext, table: &str, columns: &[NewColumn], expr: &ast::Expr) -> Result<String> {
    let def = scratch_table(table, columns);
    let schema = def.qualified_schema(table)?;
    let planned = ctx.sql_to_rel().sql_to_expr(expr.clone(), &schema, &mut PlannerContext::new())?;
    let ty = planned.get_type(&schema)?;
    if ty != DataType::Boolean && ty != DataType::Null {
        return Err(Error::new(
            ErrorCode::DatatypeMismatch,
            format!("argument of CHECK must be type boolean, not type {}", SqlType::from_arrow(&ty)),
        ));
    }
    Ok(expr.to_string())
}

/// A throwaway table definition with `columns` (to plan expressions against).
fn scratch_table(name: &str, columns: &[NewColumn]) -> TableDef {
    let columns = columns
        .iter()
        .enumerate()
        .map(|(i, c)| quiverdb_catalog::ColumnDef::new(i as i16 + 1, c.name.clone(), c.ty.clone(), c.not_null, c.default.clone()))
        .collect();
    TableDef::with_columns(0, 0, 0, name.to_string(), quiverdb_catalog::RelationKind::Table, columns)
}

/// Constraints declared on a column or table, before names are chosen.
#[derive(Default)]
struct Constraints {
    primary_key: Option<(Option<String>, Vec<String>)>,
    uniques: Vec<(Option<String>, Vec<String>)>,
    checks: Vec<(Option<String>, ast::Expr, Option<String>)>,
}

/// The integer type of a serial type (`serial`, `bigserial`, ...).
fn serial_of(ty: &ast::DataType) -> Option<SqlType> {
    match ty {
        ast::DataType::Custom(name, modifiers) if modifiers.is_empty() && name.0.len() == 1 => {
            crate::sequence::serial_type(&name.to_string().to_ascii_lowercase())
        }
        _ => None,
    }
}

/// A column definition, and the options of the sequence it owns when it is a serial or
/// identity column (NOT NULL; its default is set once its sequence is named).
fn column_def(
    ctx: &QuiverContext,
    table: &str,
    def: &ast::ColumnDef,
    cons: &mut Constraints,
) -> Result<(NewColumn, Option<quiverdb_catalog::sequence::SequenceOptions>)> {
    let name = normalize_ident(&def.name);
    let serial = serial_of(&def.data_type);
    let ty = match &serial {
        Some(t) => t.clone(),
        None => sql_type(&def.data_type)?,
    };
    let mut col = NewColumn { name: name.clone(), ty: ty.clone(), not_null: serial.is_some(), default: None, identity: None };
    let mut owned = serial.is_some().then(quiverdb_catalog::sequence::SequenceOptions::default);
    let mut has_default = false;
    for opt in &def.options {
        let cname = opt.name.as_ref().map(normalize_ident);
        match &opt.option {
            ColumnOption::Null => {}
            ColumnOption::NotNull => col.not_null = true,
            ColumnOption::Default(_) if serial.is_some() => {
                return Err(Error::syntax(format!("multiple default values specified for column \"{name}\" of table \"{table}\"")));
            }
            ColumnOption::Default(_) if col.identity.is_some() => return Err(both_default_and_identity(&name, table)),
            ColumnOption::Default(e) => {
                col.default = Some(check_default(ctx, e, &name, &ty)?);
                has_default = true;
            }
            ColumnOption::PrimaryKey(_) => {
                if cons.primary_key.is_some() {
                    return Err(multiple_pk(table));
                }
                cons.primary_key = Some((cname, vec![name.clone()]));
            }
            ColumnOption::Unique(_) => cons.uniques.push((cname, vec![name.clone()])),
            ColumnOption::Check(c) => {
                cons.checks.push((cname.or_else(|| c.name.as_ref().map(normalize_ident)), (*c.expr).clone(), Some(name.clone())))
            }
            ColumnOption::ForeignKey(_) => {
                return Err(Error::unsupported("foreign key constraints are not supported yet"));
            }
            ColumnOption::Generated { generated_as, sequence_options, generation_expr: None, .. }
                if matches!(generated_as, ast::GeneratedAs::Always | ast::GeneratedAs::ByDefault) =>
            {
                if has_default {
                    return Err(both_default_and_identity(&name, table));
                }
                if serial.is_some() || col.identity.is_some() {
                    return Err(Error::syntax(format!("multiple identity specifications for column \"{name}\" of table \"{table}\"")));
                }
                if !matches!(ty, SqlType::Int2 | SqlType::Int4 | SqlType::Int8) {
                    return Err(Error::new(ErrorCode::InvalidParameterValue, "identity column type must be smallint, integer, or bigint"));
                }
                col.identity = Some(match generated_as {
                    ast::GeneratedAs::Always => quiverdb_catalog::Identity::Always,
                    _ => quiverdb_catalog::Identity::ByDefault,
                });
                col.not_null = true;
                owned = Some(identity_options(sequence_options.as_deref().unwrap_or_default())?);
            }
            ColumnOption::Generated { .. } | ColumnOption::Identity(_) => {
                return Err(Error::unsupported("generated columns are not supported yet"));
            }
            ColumnOption::Collation(c) => {
                let c = c.to_string().trim_matches('"').to_string();
                if !matches!(c.as_str(), "C" | "POSIX" | "default") {
                    return Err(Error::unsupported(format!("collation \"{c}\" is not supported; text compares bytewise (C)")));
                }
            }
            ColumnOption::Comment(_) => {}
            other => {
                return Err(Error::unsupported(format!("column option {other} is not supported")));
            }
        }
    }
    if !ty.is_key_type() && (cons.primary_key.as_ref().is_some_and(|(_, c)| c.contains(&name))) {
        return Err(Error::unsupported(format!("type {ty} cannot be part of a primary key")));
    }
    Ok((col, owned))
}

fn both_default_and_identity(column: &str, table: &str) -> Error {
    Error::syntax(format!("both default and identity specified for column \"{column}\" of table \"{table}\""))
}

/// The sequence options of `GENERATED ... AS IDENTITY (options)`.
fn identity_options(options: &[ast::SequenceOptions]) -> Result<quiverdb_catalog::sequence::SequenceOptions> {
    let int = |e: &ast::Expr| -> Result<i64> {
        let text = e.to_string().replace(' ', "");
        text.parse::<i64>().map_err(|_| Error::syntax(format!("sequence option value must be an integer, not {e}")))
    };
    let mut out = quiverdb_catalog::sequence::SequenceOptions::default();
    for o in options {
        match o {
            ast::SequenceOptions::IncrementBy(e, _) => out.increment = Some(int(e)?),
            ast::SequenceOptions::MinValue(e) => out.min = Some(e.as_ref().map(int).transpose()?),
            ast::SequenceOptions::MaxValue(e) => out.max = Some(e.as_ref().map(int).transpose()?),
            ast::SequenceOptions::StartWith(e, _) => out.start = Some(int(e)?),
            ast::SequenceOptions::Cache(e) => out.cache = Some(int(e)?),
            // sqlparser's flag says NO: `Cycle(true)` is NO CYCLE.
            ast::SequenceOptions::Cycle(no) => out.cycle = Some(!*no),
        }
    }
    Ok(out)
}

fn multiple_pk(table: &str) -> Error {
    Error::new(ErrorCode::InvalidTableDefinition, format!("multiple primary keys for table \"{table}\" are not allowed"))
}

fn table_constraint(c: &TableConstraint, cons: &mut Constraints, table: &str) -> Result<()> {
    match c {
        TableConstraint::PrimaryKey(pk) => {
            if cons.primary_key.is_some() {
                return Err(multiple_pk(table));
            }
            cons.primary_key = Some((pk.name.as_ref().map(normalize_ident), key_columns(&pk.columns)?));
        }
        TableConstraint::Unique(u) => cons.uniques.push((u.name.as_ref().map(normalize_ident), key_columns(&u.columns)?)),
        TableConstraint::Check(ch) => cons.checks.push((ch.name.as_ref().map(normalize_ident), (*ch.expr).clone(), None)),
        TableConstraint::ForeignKey(_) => {
            return Err(Error::unsupported("foreign key constraints are not supported yet"));
        }
        other => {
            return Err(Error::unsupported(format!("constraint {other} is not supported")));
        }
    }
    Ok(())
}

/// Names the declared constraints and validates their columns and expressions.
fn resolve_constraints(
    ctx: &QuiverContext,
    table: &str,
    columns: &mut [NewColumn],
    cons: Constraints,
    taken: &mut HashSet<String>,
) -> Result<(Option<NewKey>, Vec<NewKey>, Vec<NewCheck>)> {
    let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
    let check_cols = |cols: &[String]| -> Result<()> {
        let mut seen = HashSet::new();
        for c in cols {
            if !names.contains(c) {
                return Err(Error::new(ErrorCode::UndefinedColumn, format!("column \"{c}\" named in key does not exist")));
            }
            if !seen.insert(c) {
                return Err(Error::new(ErrorCode::DuplicateColumn, format!("column \"{c}\" appears twice in primary key constraint")));
            }
        }
        Ok(())
    };
    let primary_key = match cons.primary_key {
        Some((name, cols)) => {
            check_cols(&cols)?;
            for c in columns.iter_mut() {
                if cols.contains(&c.name) {
                    if !c.ty.is_key_type() {
                        return Err(Error::unsupported(format!("type {} cannot be part of a primary key", c.ty)));
                    }
                    c.not_null = true;
                }
            }
            let name = match name {
                Some(n) => {
                    taken.insert(n.clone());
                    n
                }
                None => choose_name(table, &[], "pkey", taken),
            };
            Some(NewKey { name, columns: cols })
        }
        None => None,
    };
    let mut uniques = Vec::new();
    for (name, cols) in cons.uniques {
        check_cols(&cols)?;
        for c in &cols {
            if let Some(col) = columns.iter().find(|x| &x.name == c)
                && !col.ty.is_key_type()
            {
                return Err(Error::unsupported(format!("type {} cannot be part of a unique constraint", col.ty)));
            }
        }
        let name = match name {
            Some(n) => {
                if !taken.insert(n.clone()) {
                    return Err(Error::new(ErrorCode::DuplicateTable, format!("relation \"{n}\" already exists")));
                }
                n
            }
            None => choose_name(table, &cols, "key", taken),
        };
        uniques.push(NewKey { name, columns: cols });
    }
    let mut checks = Vec::new();
    for (name, expr, column) in cons.checks {
        let sql = check_expr(ctx, table, columns, &expr)?;
        let name = match name {
            Some(n) => {
                if !taken.insert(n.clone()) {
                    return Err(Error::new(
                        ErrorCode::DuplicateObject,
                        format!("constraint \"{n}\" for relation \"{table}\" already exists"),
                    ));
                }
                n
            }
            None => {
                let _ = column;
                let cols = referenced_columns(&expr, &names);
                choose_name(table, &cols, "check", taken)
            }
        };
        checks.push(NewCheck { name, expr: sql });
    }
    Ok((primary_key, uniques, checks))
}

/// Plans CREATE TABLE \[AS\].
pub fn plan_create_table(ctx: &QuiverContext, ct: CreateTable, params: &[Option<SqlType>]) -> Result<Plan> {
    if ct.temporary {
        return Err(Error::unsupported("temporary tables are not supported yet"));
    }
    if ct.like.is_some() || ct.clone.is_some() {
        return Err(Error::unsupported("CREATE TABLE ... LIKE is not supported"));
    }
    let (schema_name, name) = split_name(&ct.name)?;
    let schema = creation_schema(ctx, schema_name.as_deref())?;
    let collection = crate::collection::collection_option(&ct.table_options);
    if ctx.catalog.snapshot().relation_by_name(schema.oid, &name).is_some() {
        if ct.if_not_exists {
            let tag = if collection.is_some() { "CREATE COLLECTION" } else { "CREATE TABLE" };
            return Ok(Plan::NoOp { tag: tag.into(), notices: vec![format!("relation \"{name}\" already exists, skipping")] });
        }
        return Err(Error::new(ErrorCode::DuplicateTable, format!("relation \"{name}\" already exists")));
    }
    if let Some(kind) = collection {
        if !ct.columns.is_empty() || !ct.constraints.is_empty() || ct.query.is_some() {
            return Err(Error::syntax("a collection's columns are fixed: _key, _id, doc (and _from, _to for edges)"));
        }
        let (columns, key) = crate::collection::collection_columns(&name, kind);
        let table =
            CreateTablePlan { schema, name, columns, primary_key: Some(key), uniques: vec![], checks: vec![], collection, serials: vec![] };
        return Ok(Plan::CreateTable(table));
    }
    let mut cons = Constraints::default();
    let mut columns = Vec::new();
    let mut seen = HashSet::new();
    // Sequence names, like index names, must not collide with the schema's relations.
    let mut relation_names: HashSet<String> = ctx.catalog.snapshot().relations_in(schema.oid).map(|r| r.name.clone()).collect();
    let mut serials = Vec::new();
    for def in &ct.columns {
        let (mut col, owned) = column_def(ctx, &name, def, &mut cons)?;
        if !seen.insert(col.name.clone()) {
            return Err(Error::new(ErrorCode::DuplicateColumn, format!("column \"{}\" specified more than once", col.name)));
        }
        if let Some(options) = owned {
            let sequence = choose_name(&name, std::slice::from_ref(&col.name), "seq", &mut relation_names);
            let mut def = quiverdb_catalog::sequence::SequenceDef::new();
            def.apply(&quiverdb_catalog::sequence::SequenceOptions { ty: Some(col.ty.clone()), ..options }, true)?;
            col.default = Some(quiverdb_catalog::sequence::nextval_default(&schema.name, &sequence));
            serials.push(quiverdb_catalog::ddl::NewSerial { column: col.name.clone(), sequence, def });
        }
        columns.push(col);
    }
    for c in &ct.constraints {
        table_constraint(c, &mut cons, &name)?;
    }

    let query = match ct.query {
        Some(q) => {
            let plan = crate::query::plan_statement(ctx, Statement::Query(q), params)?;
            if columns.is_empty() {
                for f in plan.schema().fields() {
                    let fname = crate::colnames::display_name(f.name()).to_string();
                    if !seen.insert(fname.clone()) {
                        return Err(Error::new(ErrorCode::DuplicateColumn, format!("column \"{fname}\" specified more than once")));
                    }
                    let ty = match SqlType::from_field(f) {
                        SqlType::Numeric { precision: Some(_), .. } if matches!(f.data_type(), DataType::Decimal128(38, _)) => {
                            SqlType::Numeric { precision: None, scale: 0 }
                        }
                        t => t,
                    };
                    columns.push(NewColumn { name: fname, ty, not_null: false, default: None, identity: None });
                }
            } else if columns.len() != plan.schema().fields().len() {
                return Err(Error::syntax("CREATE TABLE AS specifies a different number of columns than the query"));
            }
            Some(plan)
        }
        None => None,
    };
    if columns.len() > 1600 {
        return Err(Error::new(ErrorCode::ProgramLimitExceeded, "tables can have at most 1600 columns"));
    }
    let mut taken: HashSet<String> = serials.iter().map(|s| s.sequence.clone()).collect();
    let (primary_key, uniques, checks) = resolve_constraints(ctx, &name, &mut columns, cons, &mut taken)?;
    let table = CreateTablePlan { schema, name, columns, primary_key, uniques, checks, collection: None, serials };
    Ok(match query {
        Some(query) => Plan::CreateTableAs { table, query },
        None => Plan::CreateTable(table),
    })
}

/// Resolves a table for DDL; `Ok(None)` when missing and `if_exists`.
pub(crate) fn ddl_target(ctx: &QuiverContext, name: &ObjectName, if_exists: bool) -> Result<Option<Arc<TableDef>>> {
    let (schema, table) = split_name(name)?;
    let reference = match &schema {
        Some(s) => TableReference::partial(s.as_str(), table.as_str()),
        None => TableReference::bare(table.as_str()),
    };
    match ctx.resolve(&reference) {
        Ok(t) => Ok(Some(t)),
        Err(e) if if_exists && matches!(e.code, ErrorCode::UndefinedTable | ErrorCode::UndefinedSchema) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Plans `ANALYZE [table]`: one table, or every table of the current database.
pub fn plan_analyze(ctx: &QuiverContext, a: ast::Analyze) -> Result<Plan> {
    if a.for_columns || !a.columns.is_empty() || a.partitions.is_some() || a.noscan || a.cache_metadata || a.compute_statistics {
        return Err(Error::unsupported("ANALYZE accepts only an optional table name"));
    }
    let tables = match &a.table_name {
        Some(name) => {
            let table = ddl_target(ctx, name, false)?.ok_or_else(|| Error::internal("table vanished"))?;
            if !table.is_table() {
                return Ok(Plan::NoOp {
                    tag: "ANALYZE".into(),
                    notices: vec![format!("skipping \"{}\" --- cannot analyze non-tables or special system tables", table.name)],
                });
            }
            vec![table]
        }
        None => {
            let snap = ctx.catalog.snapshot();
            snap.relations_in_database(ctx.catalog.database()).filter(|t| t.is_table()).cloned().collect()
        }
    };
    Ok(Plan::Analyze(tables))
}

/// Plans ALTER TABLE.
pub fn plan_alter_table(ctx: &QuiverContext, at: AlterTable) -> Result<Plan> {
    let Some(table) = ddl_target(ctx, &at.name, at.if_exists)? else {
        let (_, n) = split_name(&at.name)?;
        return Ok(Plan::NoOp { tag: "ALTER TABLE".into(), notices: vec![format!("relation \"{n}\" does not exist, skipping")] });
    };
    if !table.is_table() {
        return Err(Error::new(ErrorCode::WrongObjectType, format!("\"{}\" is not a table", table.name)));
    }
    let mut taken: HashSet<String> = table.constraint_names().map(str::to_string).collect();
    let mut columns: Vec<NewColumn> = table
        .live_columns()
        .map(|c| NewColumn {
            name: c.name.clone(),
            ty: c.ty.clone(),
            not_null: c.not_null,
            default: c.default.clone(),
            identity: c.identity,
        })
        .collect();
    let mut ops = Vec::new();
    for op in at.operations {
        match op {
            AlterTableOperation::AddColumn { if_not_exists, column_def: def, .. } => {
                let mut cons = Constraints::default();
                let (col, owned) = column_def(ctx, &table.name, &def, &mut cons)?;
                if owned.is_some() {
                    return Err(Error::unsupported("ALTER TABLE ... ADD COLUMN of a serial or identity column is not supported yet")
                        .with_hint(
                            "Create a sequence, add the column with DEFAULT nextval('sequence'), and fill existing rows with UPDATE.",
                        ));
                }
                if columns.iter().any(|c| c.name == col.name) {
                    if if_not_exists {
                        ops.push(AlterOp::Skip {
                            notice: format!("column \"{}\" of relation \"{}\" already exists, skipping", col.name, table.name),
                        });
                        continue;
                    }
                    return Err(Error::new(
                        ErrorCode::DuplicateColumn,
                        format!("column \"{}\" of relation \"{}\" already exists", col.name, table.name),
                    ));
                }
                if cons.primary_key.is_some() && table.primary_key.is_some() {
                    return Err(multiple_pk(&table.name));
                }
                columns.push(col.clone());
                let (pk, mut uniques, mut checks) = resolve_constraints(ctx, &table.name, &mut columns, cons, &mut taken)?;
                let col = columns.last().cloned().unwrap_or(col);
                ops.push(AlterOp::AddColumn { column: col, unique: uniques.pop(), primary_key: pk, check: checks.pop() });
            }
            AlterTableOperation::DropColumn { column_names, if_exists, drop_behavior, .. } => {
                for c in column_names {
                    let n = normalize_ident(&c);
                    if !columns.iter().any(|x| x.name == n) {
                        if if_exists {
                            ops.push(AlterOp::Skip {
                                notice: format!("column \"{n}\" of relation \"{}\" does not exist, skipping", table.name),
                            });
                            continue;
                        }
                        return Err(Error::new(
                            ErrorCode::UndefinedColumn,
                            format!("column \"{n}\" of relation \"{}\" does not exist", table.name),
                        ));
                    }
                    columns.retain(|x| x.name != n);
                    ops.push(AlterOp::DropColumn { name: n, cascade: matches!(drop_behavior, Some(ast::DropBehavior::Cascade)) });
                }
            }
            AlterTableOperation::RenameColumn { old_column_name, new_column_name } => {
                let (old, new) = (normalize_ident(&old_column_name), normalize_ident(&new_column_name));
                let Some(pos) = columns.iter().position(|c| c.name == old) else {
                    return Err(Error::new(ErrorCode::UndefinedColumn, format!("column \"{old}\" does not exist")));
                };
                if columns.iter().any(|c| c.name == new) {
                    return Err(Error::new(
                        ErrorCode::DuplicateColumn,
                        format!("column \"{new}\" of relation \"{}\" already exists", table.name),
                    ));
                }
                columns[pos].name = new.clone();
                let checks = table
                    .checks
                    .iter()
                    .map(|c| {
                        Ok(quiverdb_catalog::CheckConstraint {
                            name: c.name.clone(),
                            oid: c.oid,
                            expr: crate::rewrite::rename_identifier(&c.expr, &old, &new)?,
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                let indexes = crate::index::rename_in_indexes(&table, &old, &new)?;
                ops.push(AlterOp::RenameColumn { old, new, checks, indexes });
            }
            AlterTableOperation::RenameTable { table_name } => {
                let name = match table_name {
                    ast::RenameTableNameKind::As(n) | ast::RenameTableNameKind::To(n) => n,
                };
                let (_, new) = split_name(&name)?;
                if ctx.catalog.snapshot().relation_by_name(table.schema, &new).is_some() {
                    return Err(Error::new(ErrorCode::DuplicateTable, format!("relation \"{new}\" already exists")));
                }
                ops.push(AlterOp::RenameTable { new });
            }
            AlterTableOperation::AddConstraint { constraint, .. } => {
                let mut cons = Constraints::default();
                table_constraint(&constraint, &mut cons, &table.name)?;
                if cons.primary_key.is_some() && table.primary_key.is_some() {
                    return Err(multiple_pk(&table.name));
                }
                let (pk, uniques, checks) = resolve_constraints(ctx, &table.name, &mut columns, cons, &mut taken)?;
                if let Some(pk) = pk {
                    ops.push(AlterOp::AddPrimaryKey(pk));
                }
                ops.extend(uniques.into_iter().map(AlterOp::AddUnique));
                ops.extend(checks.into_iter().map(AlterOp::AddCheck));
            }
            AlterTableOperation::DropConstraint { name, if_exists, .. } => {
                let n = normalize_ident(&name);
                if !taken.contains(&n) {
                    if if_exists {
                        ops.push(AlterOp::Skip {
                            notice: format!("constraint \"{n}\" of relation \"{}\" does not exist, skipping", table.name),
                        });
                        continue;
                    }
                    return Err(Error::new(
                        ErrorCode::UndefinedObject,
                        format!("constraint \"{n}\" of relation \"{}\" does not exist", table.name),
                    ));
                }
                taken.remove(&n);
                ops.push(AlterOp::DropConstraint { name: n });
            }
            AlterTableOperation::AlterColumn { column_name, op } => {
                let n = normalize_ident(&column_name);
                let Some(col) = columns.iter_mut().find(|c| c.name == n) else {
                    return Err(Error::new(
                        ErrorCode::UndefinedColumn,
                        format!("column \"{n}\" of relation \"{}\" does not exist", table.name),
                    ));
                };
                // An identity column's default and NOT NULL belong to the identity.
                let identity_part = matches!(
                    op,
                    AlterColumnOperation::DropNotNull | AlterColumnOperation::SetDefault { .. } | AlterColumnOperation::DropDefault
                );
                if col.identity.is_some() && identity_part {
                    return Err(Error::syntax(format!("column \"{n}\" of relation \"{}\" is an identity column", table.name)));
                }
                match op {
                    AlterColumnOperation::SetNotNull => ops.push(AlterOp::SetNotNull { column: n, not_null: true }),
                    AlterColumnOperation::DropNotNull => {
                        let in_pk = table
                            .primary_key
                            .as_ref()
                            .is_some_and(|pk| pk.columns.iter().any(|a| table.column_by_attnum(*a).is_some_and(|c| c.name == n)));
                        if in_pk {
                            return Err(Error::new(ErrorCode::InvalidTableDefinition, format!("column \"{n}\" is in a primary key")));
                        }
                        ops.push(AlterOp::SetNotNull { column: n, not_null: false })
                    }
                    AlterColumnOperation::SetDefault { value } => {
                        let d = check_default(ctx, &value, &n, &col.ty)?;
                        col.default = Some(d.clone());
                        ops.push(AlterOp::SetDefault { column: n, default: Some(d) });
                    }
                    AlterColumnOperation::DropDefault => ops.push(AlterOp::SetDefault { column: n, default: None }),
                    other => {
                        return Err(Error::unsupported(format!("ALTER COLUMN {other} is not supported yet")));
                    }
                }
            }
            other => {
                return Err(Error::unsupported(format!("ALTER TABLE ... {other} is not supported")));
            }
        }
    }
    Ok(Plan::AlterTable { table, ops })
}

/// Plans CREATE SCHEMA.
pub fn plan_create_schema(ctx: &QuiverContext, name: SchemaName, if_not_exists: bool) -> Result<Plan> {
    let name = match name {
        SchemaName::Simple(n) | SchemaName::NamedAuthorization(n, _) => split_name(&n)?.1,
        SchemaName::UnnamedAuthorization(i) => normalize_ident(&i),
    };
    if name.starts_with("pg_") {
        return Err(Error::new(ErrorCode::InvalidName, format!("unacceptable schema name \"{name}\""))
            .with_detail("The prefix \"pg_\" is reserved for system schemas."));
    }
    if ctx.catalog.schema_by_name(&name).is_some() {
        if if_not_exists {
            return Ok(Plan::NoOp { tag: "CREATE SCHEMA".into(), notices: vec![format!("schema \"{name}\" already exists, skipping")] });
        }
        return Err(Error::new(ErrorCode::DuplicateSchema, format!("schema \"{name}\" already exists")));
    }
    Ok(Plan::CreateSchema { name })
}

/// Plans CREATE DATABASE.
pub fn plan_create_database(ctx: &QuiverContext, name: ObjectName, if_not_exists: bool) -> Result<Plan> {
    let (_, name) = split_name(&name)?;
    if ctx.catalog.snapshot().database_by_name(&name).is_some() {
        if if_not_exists {
            return Ok(Plan::NoOp {
                tag: "CREATE DATABASE".into(),
                notices: vec![format!("database \"{name}\" already exists, skipping")],
            });
        }
        return Err(Error::new(ErrorCode::DuplicateDatabase, format!("database \"{name}\" already exists")));
    }
    Ok(Plan::CreateDatabase { name })
}

/// Plans CREATE [OR REPLACE] VIEW.
pub fn plan_create_view(ctx: &QuiverContext, cv: CreateView) -> Result<Plan> {
    if cv.materialized {
        return Err(Error::unsupported("materialized views are not supported yet"));
    }
    let (schema_name, name) = split_name(&cv.name)?;
    let schema = creation_schema(ctx, schema_name.as_deref())?;
    let existing = ctx.catalog.snapshot().relation_by_name(schema.oid, &name).cloned();
    let sql = cv.query.to_string();
    let inner = QuiverContext::new(ctx.catalog, ctx.state);
    let plan = crate::query::plan_statement(&inner, Statement::Query(cv.query.clone()), &[])?;
    let depends_on = inner.referenced();
    let fields = plan.schema().fields();
    if cv.columns.len() > fields.len() {
        return Err(Error::syntax("CREATE VIEW specifies more column names than columns"));
    }
    let mut columns = Vec::new();
    let mut seen = HashSet::new();
    for (i, f) in fields.iter().enumerate() {
        let n = cv.columns.get(i).map(|c| normalize_ident(&c.name)).unwrap_or_else(|| crate::colnames::display_name(f.name()).to_string());
        if !seen.insert(n.clone()) {
            return Err(Error::new(ErrorCode::DuplicateColumn, format!("column \"{n}\" specified more than once")));
        }
        columns.push((n, SqlType::from_field(f)));
    }
    let replace = match existing {
        None => None,
        Some(_) if cv.if_not_exists => {
            return Ok(Plan::NoOp { tag: "CREATE VIEW".into(), notices: vec![format!("relation \"{name}\" already exists, skipping")] });
        }
        Some(_) if !cv.or_replace => {
            return Err(Error::new(ErrorCode::DuplicateTable, format!("relation \"{name}\" already exists")));
        }
        Some(e) if !e.is_view() => {
            return Err(Error::new(ErrorCode::WrongObjectType, format!("\"{name}\" is not a view")));
        }
        Some(e) => {
            let old: Vec<_> = e.live_columns().collect();
            if old.len() > columns.len() {
                return Err(Error::new(ErrorCode::InvalidTableDefinition, "cannot drop columns from view"));
            }
            for (o, (n, t)) in old.iter().zip(&columns) {
                if o.name != *n {
                    return Err(Error::new(
                        ErrorCode::InvalidTableDefinition,
                        format!("cannot change name of view column \"{}\" to \"{n}\"", o.name),
                    ));
                }
                if o.ty != *t {
                    return Err(Error::new(
                        ErrorCode::InvalidTableDefinition,
                        format!("cannot change data type of view column \"{}\" from {} to {t}", o.name, o.ty),
                    ));
                }
            }
            Some(e)
        }
    };
    if depends_on.iter().any(|o| replace.as_ref().is_some_and(|r| r.oid == *o)) {
        return Err(Error::new(ErrorCode::InvalidTableDefinition, format!("infinite recursion detected in rules for relation \"{name}\"")));
    }
    Ok(Plan::CreateView(CreateViewPlan { schema, name, columns, sql, replace, depends_on }))
}

/// Plans TRUNCATE.
pub fn plan_truncate(ctx: &QuiverContext, t: Truncate) -> Result<Plan> {
    let mut targets = Vec::new();
    for target in &t.table_names {
        let Some(def) = ddl_target(ctx, &target.name, t.if_exists)? else {
            continue;
        };
        if !def.is_table() {
            return Err(Error::new(ErrorCode::WrongObjectType, format!("\"{}\" is not a table", def.name)));
        }
        targets.push(def);
    }
    let restart_identity = matches!(t.identity, Some(ast::TruncateIdentityOption::Restart));
    Ok(Plan::Truncate { targets, restart_identity })
}

/// Parses a stored expression (re-exported for the server's DDL execution).
pub fn stored_expr(sql: &str) -> Result<ast::Expr> {
    parse_expr(sql)
}

/// A planner context without parameters.
pub fn no_params() -> PlannerContext {
    planner_context(&[])
}
