//! Lowering: AQL syntax tree → DataFusion `LogicalPlan`, the same plan nodes SQL uses.
//!
//! # How a query becomes a plan
//!
//! A query is a pipeline of rows; each row binds the variables in scope. Lowering walks
//! the operations in order, growing one `LogicalPlan` whose columns hold those variables:
//!
//! | AQL | plan |
//! |---|---|
//! | `FOR u IN table` | `TableScan` under the qualifier `u` (a cross join when rows exist already); `u.col` is the column itself |
//! | `FOR x IN expr` | `Projection` of `aql_elements(expr)` then `Unnest` into the column `$x` |
//! | `FILTER c` | `Filter` |
//! | `LET x = e` | `Projection` adding the column `$x` |
//! | `SORT k [DESC]` | `Sort` (a `LIMIT` right after makes DataFusion's TopK) |
//! | `LIMIT o, n` | `Limit` |
//! | `COLLECT ...` | `Aggregate`, then `Sort` by the group values (see `collect`) |
//! | `WINDOW {...} AGGREGATE ...` | `Window` with a ROWS frame (see `window`) |
//! | `RETURN e` | `Projection` to the single jsonb column `value`; `DISTINCT` adds an `Aggregate` |
//!
//! Each variable is `Binding::Row` (a typed table's row: its columns are the document's
//! attributes) or `Binding::Column` (one plan column). Expressions lower to
//! `Lowered` values of three kinds: an AQL value (jsonb text, computed by the `aql_*`
//! functions), a boolean, or a native SQL value (a typed column). Comparing a native
//! column with a constant of its own type stays a plain SQL comparison, with AQL's
//! `null` rules added (`u.age < 30` also holds when `age` is NULL, as null sorts first),
//! so the table provider pushes it into a key or index range exactly as it would SQL's.
//! `SORT` on a native column sorts the column (NULLS FIRST ascending); any other value
//! sorts by `aql_sort_key`, a byte string ordered as AQL orders values.

mod collect;
mod expr;
mod index_keys;
mod modify;
mod upsert;
mod window;

use crate::ast::{Expr as AqlExpr, ExprKind, Ident, Op, Query, SortKey, Span};
use crate::bind::BindVars;
use crate::error::Position;
use datafusion::common::{Column, DFSchemaRef, ScalarValue};
use datafusion::execution::SessionState;
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder, SortExpr};
use quiverdb_catalog::plan::Pin;
use quiverdb_catalog::{CatalogView, Error, ErrorCode, SqlType, TableDef};
use std::sync::Arc;

pub(crate) use expr::{Kind, Lowered};

/// Name of the result column of an AQL query.
pub const VALUE_COLUMN: &str = "value";

/// What a variable is bound to.
#[derive(Debug, Clone)]
pub(crate) enum Binding {
    /// A row of a typed table scanned under `qualifier`.
    Row { qualifier: String, table: Arc<TableDef> },
    /// A plan column holding the variable's value, of `kind`.
    Column { column: Column, kind: Kind },
}

/// A variable of an enclosing query level, seen from a subquery.
#[derive(Debug, Clone)]
pub(crate) struct OuterVar {
    pub name: String,
    pub binding: Binding,
    /// The schema of the enclosing level's rows (for the referenced fields' types).
    pub schema: DFSchemaRef,
    /// Bound by the directly enclosing level (DataFusion resolves outer references only
    /// one level out).
    pub direct: bool,
}

/// The rows flowing through one query level and the variables they bind.
pub(crate) struct Frame {
    pub plan: LogicalPlan,
    pub vars: Vec<(String, Binding)>,
    /// Still the initial single empty row (no FOR or LET yet).
    pub initial: bool,
    /// Variables of the enclosing query levels (for subqueries), innermost last.
    pub outer: Vec<OuterVar>,
    /// The order the rows are in (the last SORT's keys, or COLLECT's groups); empty when
    /// unknown. A subquery's array follows it.
    pub order: Vec<SortExpr>,
}

/// A planned query level: its plan (a `value` column, then for subqueries the order keys
/// `__order<i>`) and the order of its values as sort expressions over those keys.
pub(crate) struct Planned {
    pub plan: LogicalPlan,
    pub order: Vec<SortExpr>,
}

/// A variable found in scope: its binding, and the enclosing level's schema when it
/// belongs to an outer query (it is then read as an outer reference).
pub(crate) struct Resolved {
    pub binding: Binding,
    pub outer: Option<(DFSchemaRef, bool)>,
}

/// Lowers one AQL query.
pub struct Lowerer<'a> {
    pub(crate) catalog: &'a dyn CatalogView,
    pub(crate) state: &'a SessionState,
    pub(crate) text: &'a str,
    pub(crate) bind: &'a BindVars,
    /// Return one typed column per key of a returned object literal (session mode).
    pub typed_columns: bool,
    /// The table the query modifies: FOR scans of it carry row keys.
    pub(crate) dml_target: std::cell::Cell<Option<quiverdb_catalog::Oid>>,
}

impl<'a> Lowerer<'a> {
    /// A lowerer for `text`, resolving names in `catalog` and functions in `state`.
    pub fn new(catalog: &'a dyn CatalogView, state: &'a SessionState, text: &'a str, bind: &'a BindVars) -> Self {
        Lowerer { catalog, state, text, bind, typed_columns: false, dml_target: std::cell::Cell::new(None) }
    }

    /// Where `span` starts.
    pub(crate) fn pos(&self, span: Span) -> Position {
        Position::of(self.text, span.start)
    }

    /// An error with `code` whose message ends with the position of `span`.
    pub(crate) fn err(&self, code: ErrorCode, span: Span, message: impl std::fmt::Display) -> Error {
        Error::new(code, format!("{message} at position {}", self.pos(span)))
    }

    /// Plans a whole query: its rows, projected to the jsonb column `value`.
    pub fn plan_query(&self, query: &Query) -> Result<LogicalPlan, Error> {
        self.dml_target.set(self.modification_target(&query.ops)?.map(|t| t.oid));
        Ok(self.plan_level(query, Vec::new(), self.typed_columns, false)?.plan)
    }

    /// Plans one query level (the whole query, or a subquery seeing `outer`).
    /// With `order_keys` (a subquery), the result also carries the order keys its array
    /// must follow.
    pub(crate) fn plan_level(&self, query: &Query, outer: Vec<OuterVar>, typed_columns: bool, order_keys: bool) -> Result<Planned, Error> {
        let top_level = outer.is_empty() && !order_keys;
        let mut frame = Frame { plan: LogicalPlanBuilder::empty(true).build()?, vars: Vec::new(), initial: true, outer, order: Vec::new() };
        let mut modified = false;
        for op in &query.ops {
            match op {
                Op::For { var, source, span, .. } => self.plan_for(&mut frame, var, source, *span)?,
                Op::Filter { condition, .. } => {
                    let c = self.expr(&frame, condition)?.into_bool(self)?;
                    frame.plan = LogicalPlanBuilder::from(frame.plan).filter(c)?.build()?;
                }
                Op::Let { var, value, .. } => {
                    let l = self.expr(&frame, value)?;
                    self.bind_column(&mut frame, var, l)?;
                }
                Op::Sort { keys, .. } => self.plan_sort(&mut frame, keys)?,
                Op::Limit { offset, count, .. } => {
                    let offset = match offset {
                        Some(o) => self.constant_count(&frame, o, "offset")?,
                        None => 0,
                    };
                    let count = self.constant_count(&frame, count, "count")?;
                    frame.plan = LogicalPlanBuilder::from(frame.plan).limit(offset, Some(count))?.build()?;
                }
                Op::Return { distinct, value, .. } => {
                    let columns = if typed_columns { self.typed_return(&frame, value)? } else { None };
                    let mut columns = match columns {
                        Some(columns) => columns,
                        None => vec![self.expr(&frame, value)?.into_value(self)?.alias(VALUE_COLUMN)],
                    };
                    let mut order = Vec::new();
                    if order_keys && !*distinct {
                        for (i, key) in frame.order.iter().enumerate() {
                            let name = format!("__order{i}");
                            columns.push(key.expr.clone().alias(&name));
                            order.push(SortExpr::new(Expr::Column(Column::from_name(name)), key.asc, key.nulls_first));
                        }
                    }
                    for c in &columns {
                        pin_for(&mut frame, c);
                    }
                    let mut b = LogicalPlanBuilder::from(frame.plan).project(columns)?;
                    if *distinct {
                        b = b.distinct()?;
                    }
                    return Ok(Planned { plan: b.build()?, order });
                }
                Op::Collect(c) => self.plan_collect(&mut frame, c)?,
                Op::Window(w) => self.plan_window(&mut frame, w)?,
                Op::Insert { .. } | Op::Update { .. } | Op::Remove { .. } | Op::Upsert { .. } => {
                    self.plan_modify(&mut frame, op, top_level)?;
                    modified = true;
                }
            }
        }
        if modified {
            return Ok(Planned { plan: self.no_rows(frame)?, order: Vec::new() });
        }
        Err(self.err(ErrorCode::SyntaxError, query.span, "query must end with RETURN"))
    }

    /// The columns of `RETURN {k1: e1, ...}` in session mode: `None` unless `value` is an
    /// object literal whose keys are fixed names, all different.
    fn typed_return(&self, frame: &Frame, value: &AqlExpr) -> Result<Option<Vec<Expr>>, Error> {
        let ExprKind::Object(members) = &value.kind else { return Ok(None) };
        let mut names: Vec<&str> = Vec::with_capacity(members.len());
        for (key, _) in members {
            match key {
                crate::ast::ObjectKey::Name(n) if !names.contains(&n.as_str()) => names.push(n),
                _ => return Ok(None),
            }
        }
        if names.is_empty() {
            return Ok(None);
        }
        let mut columns = Vec::with_capacity(members.len());
        for ((_, e), name) in members.iter().zip(names) {
            let l = self.expr(frame, e)?;
            let column = match l.kind {
                Kind::Native(_) => l.expr,
                Kind::Bool => l.expr.is_true(),
                Kind::Value => l.into_value(self)?,
            };
            columns.push(column.alias(name));
        }
        Ok(Some(columns))
    }

    /// Variable `name` in scope: this level's variables first, then enclosing levels'.
    pub(crate) fn lookup(&self, frame: &Frame, name: &str) -> Option<Resolved> {
        if let Some((_, b)) = frame.vars.iter().rev().find(|(n, _)| n == name) {
            return Some(Resolved { binding: b.clone(), outer: None });
        }
        frame
            .outer
            .iter()
            .rev()
            .find(|v| v.name == name)
            .map(|v| Resolved { binding: v.binding.clone(), outer: Some((v.schema.clone(), v.direct)) })
    }

    /// A reference to `column`: a plain column, or an outer reference when it belongs to
    /// an enclosing query level (`outer` is that level's schema).
    pub(crate) fn column_ref(&self, column: Column, outer: &Option<(DFSchemaRef, bool)>) -> Result<Expr, Error> {
        match outer {
            None => Ok(Expr::Column(column)),
            Some((_, false)) => Err(Error::unsupported(format!(
                "variable of column {column} is used two or more subquery levels below its declaration; this is not supported yet"
            ))),
            Some((schema, true)) => {
                let (_, field) = schema.qualified_field_from_column(&column)?;
                Ok(Expr::OuterReferenceColumn(field.clone(), column))
            }
        }
    }

    /// Fails when `var` is already bound (AQL forbids re-declaring a variable).
    fn check_new(&self, frame: &Frame, var: &Ident) -> Result<(), Error> {
        // Nested expansions each bind their own CURRENT.
        if var.name != expr::CURRENT && self.lookup(frame, &var.name).is_some() {
            return Err(self.err(ErrorCode::SyntaxError, var.span, format!("variable '{}' is assigned multiple times", var.name)));
        }
        Ok(())
    }

    /// Adds the column `var.$var` holding `value` and binds `var` to it. The column is
    /// qualified so that a subquery's outer reference to it survives DataFusion's
    /// projection pruning (unqualified outer references get lost there).
    fn bind_column(&self, frame: &mut Frame, var: &Ident, value: Lowered) -> Result<(), Error> {
        self.check_new(frame, var)?;
        let column = var_column(&var.name);
        pin_for(frame, &value.expr);
        let mut exprs: Vec<Expr> = frame.plan.schema().columns().into_iter().map(Expr::Column).collect();
        exprs.push(value.expr.alias_qualified(column.relation.clone(), &column.name));
        frame.plan = LogicalPlanBuilder::from(std::mem::replace(&mut frame.plan, LogicalPlanBuilder::empty(false).build()?))
            .project(exprs)?
            .build()?;
        frame.vars.push((var.name.clone(), Binding::Column { column, kind: value.kind }));
        frame.initial = false;
        Ok(())
    }

    /// `FOR var IN source`.
    fn plan_for(&self, frame: &mut Frame, var: &Ident, source: &AqlExpr, span: Span) -> Result<(), Error> {
        let collection = match &source.kind {
            ExprKind::Name(n) if self.lookup(frame, n).is_none() => Some(n.clone()),
            ExprKind::BindCollection(n) => Some(self.bind.collection(n, self.pos(source.span))?),
            _ => None,
        };
        let Some(name): Option<String> = collection else {
            // FOR over an array value: unnest its elements.
            let value = self.expr(frame, source)?.into_value(self)?;
            let elements = self.call("aql_elements", vec![value])?;
            self.bind_column(frame, var, Lowered::value(elements))?;
            let plan = std::mem::replace(&mut frame.plan, LogicalPlanBuilder::empty(false).build()?);
            let column = var_column(&var.name);
            let unnested = LogicalPlanBuilder::from(plan).unnest_column(column.clone())?.build()?;
            // Unnest drops the qualifier of the column it expands: put it back.
            let exprs: Vec<Expr> = unnested
                .schema()
                .iter()
                .map(|(q, f)| {
                    let c = Expr::Column(Column::new(q.cloned(), f.name()));
                    if f.name() == &column.name { c.alias_qualified(column.relation.clone(), &column.name) } else { c }
                })
                .collect();
            frame.plan = LogicalPlanBuilder::from(unnested).project(exprs)?.build()?;
            frame.order.clear();
            return Ok(());
        };
        self.check_new(frame, var)?;
        let table = self
            .catalog
            .resolve_relation(None, &name)
            .ok_or_else(|| self.err(ErrorCode::UndefinedTable, source.span, format!("collection or view not found: {name}")))?;
        if !table.is_table() {
            return Err(self.err(
                ErrorCode::FeatureNotSupported,
                span,
                format!("FOR over the SQL view or sequence {name} is not supported yet"),
            ));
        }
        let source =
            if self.dml_target.get() == Some(table.oid) { self.catalog.dml_source(&table)? } else { self.catalog.table_source(&table)? };
        let scan = LogicalPlanBuilder::scan(var.name.as_str(), source, None)?.build()?;
        let plan = std::mem::replace(&mut frame.plan, LogicalPlanBuilder::empty(false).build()?);
        frame.plan = if frame.initial { scan } else { LogicalPlanBuilder::from(plan).cross_join(scan)?.build()? };
        frame.order.clear();
        frame.initial = false;
        frame.vars.push((var.name.clone(), Binding::Row { qualifier: var.name.clone(), table }));
        Ok(())
    }

    /// `SORT k1 [DESC], ...`: native columns sort as they are (NULLS FIRST ascending, as
    /// null is AQL's smallest value); other values by their AQL sort key.
    fn plan_sort(&self, frame: &mut Frame, keys: &[SortKey]) -> Result<(), Error> {
        let mut sort = Vec::with_capacity(keys.len());
        for k in keys {
            let l = self.expr(frame, &k.expr)?;
            let asc = !k.descending;
            let e = match l.kind {
                Kind::Native(_) => l.expr,
                _ => self.call("aql_sort_key", vec![l.into_value(self)?])?,
            };
            sort.push(SortExpr::new(e, asc, asc));
        }
        let plan = std::mem::replace(&mut frame.plan, LogicalPlanBuilder::empty(false).build()?);
        frame.plan = LogicalPlanBuilder::from(plan).sort(sort.clone())?.build()?;
        frame.order = sort;
        Ok(())
    }

    /// A LIMIT operand: a constant non-negative integer (a literal or bind parameter).
    fn constant_count(&self, frame: &Frame, e: &AqlExpr, what: &str) -> Result<usize, Error> {
        let l = self.expr(frame, e)?;
        match l.constant.as_ref().and_then(serde_json::Value::as_f64) {
            Some(n) if n >= 0.0 && n.fract() == 0.0 && n < 9.0e15 => Ok(n as usize),
            _ => Err(self.err(ErrorCode::InvalidParameterValue, e.span, format!("LIMIT {what} must be a non-negative integer constant"))),
        }
    }

    /// A call of the registered function `name`.
    pub(crate) fn call(&self, name: &str, args: Vec<Expr>) -> Result<Expr, Error> {
        let f = self.state.scalar_functions().get(name).ok_or_else(|| Error::internal(format!("function {name} is not registered")))?;
        Ok(f.call(args))
    }

    /// The SQL type of a column of the current plan (or of the enclosing level's rows), and
    /// whether it is NOT NULL.
    pub(crate) fn column_type(
        &self,
        frame: &Frame,
        column: &Column,
        outer: &Option<(DFSchemaRef, bool)>,
    ) -> Result<(SqlType, bool), Error> {
        let schema = outer.as_ref().map_or(frame.plan.schema(), |(s, _)| s);
        let (_, field) = schema.qualified_field_from_column(column)?;
        Ok((SqlType::from_field(field), !field.is_nullable()))
    }
}

/// Puts a [`Pin`] over the frame's rows when `e` holds a subquery, so that its outer
/// references keep their columns (see [`Pin`]).
pub(crate) fn pin_for(frame: &mut Frame, e: &Expr) {
    let has_subquery = datafusion::common::tree_node::TreeNode::exists(e, |x| Ok(matches!(x, Expr::ScalarSubquery(_)))).unwrap_or(false);
    if has_subquery && !matches!(&frame.plan, LogicalPlan::Extension(x) if x.node.name() == "Pin") {
        let input = std::mem::replace(
            &mut frame.plan,
            LogicalPlan::EmptyRelation(datafusion::logical_expr::EmptyRelation {
                produce_one_row: false,
                schema: Arc::new(datafusion::common::DFSchema::empty()),
            }),
        );
        frame.plan = LogicalPlan::Extension(datafusion::logical_expr::Extension { node: Arc::new(Pin { input: Arc::new(input) }) });
    }
}

/// The plan column holding variable `name`: `name.$name`.
pub(crate) fn var_column(name: &str) -> Column {
    Column::new(Some(name), format!("${name}"))
}

/// A `jsonb` literal holding `text` (JSON).
pub(crate) fn json_literal(text: String) -> Expr {
    let meta = datafusion::common::metadata::FieldMetadata::from(SqlType::Jsonb.field_metadata());
    Expr::Literal(ScalarValue::Utf8(Some(text)), Some(meta))
}
