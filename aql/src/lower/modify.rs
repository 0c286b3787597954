//! Data modification: `INSERT`, `UPDATE`, `REPLACE`, `REMOVE` → the `TableModify` node
//! SQL's INSERT/UPDATE/DELETE plan to, so both languages write through one operator.
//!
//! The rows so far become the modification's input; the node returns the written rows
//! (RETURNING) followed by every column of the input rows, so the variables in scope
//! stay bound after it and `NEW` / `OLD` are rows of the target under the qualifiers
//! `NEW` / `OLD`:
//!
//! | AQL | input columns | output |
//! |---|---|---|
//! | `INSERT d INTO c` | new values ⊕ rows | `NEW` ⊕ rows |
//! | `UPDATE k WITH p IN c`, `REPLACE ...` | row key, new values ⊕ `OLD` ⊕ rows | `NEW` ⊕ `OLD` ⊕ rows |
//! | `REMOVE k IN c` | row key, old values ⊕ rows | `OLD` ⊕ rows |
//! | `UPSERT s INSERT d UPDATE p IN c` | new values ⊕ matched ⊕ `OLD` value ⊕ rows | `NEW` ⊕ … (see [`super::upsert`]) |
//!
//! The document to change is found by key. When the key is a variable of a `FOR` over
//! the target itself (`FOR u IN users UPDATE u WITH {...} IN users`, or `u._key`), that
//! scan carries the row key already (it reads through the DML source). Otherwise the rows
//! are joined with the target on its key (`_key`, or a typed table's primary key): a
//! left join whose missing matches fail in the operator (P0002 "document not found"),
//! or an inner join with `ignoreErrors: true`.
//!
//! A collection's row is its document: INSERT writes it (the write path fills `_key`,
//! `_id`, `_rev`), UPDATE merges the patch into the stored document (`aql_update_doc`,
//! honouring `keepNull` and `mergeObjects`), REPLACE writes the new one. A typed table's
//! row takes each column from the attribute of the same name (`aql_text` cast to the
//! column type; absent or `null` → the column default); UPDATE keeps the columns the
//! patch does not name, REPLACE sets them to their defaults. Keys never change.
//!
//! INSERT's `overwriteMode` (`ignore`, `replace`, `update`, `conflict`; `overwrite: true`
//! is `replace`) and `ignoreErrors` become ON CONFLICT on the primary key.
//! Without a `RETURN` the query returns no rows; the node still runs.

use super::{Binding, Frame, Lowerer, VALUE_COLUMN, json_literal};
use crate::ast::{CollectionRef, Expr as AqlExpr, ExprKind, ObjectKey, Op, Span};
use datafusion::common::{Column, DFSchema, JoinType, ScalarValue};
use datafusion::logical_expr::{Cast, Expr, Extension, LogicalPlan, LogicalPlanBuilder, lit};
use quiverdb_catalog::plan::{ConflictAction, ModifyOp, OnConflict, ROWKEY_COLUMN, TableModify};
use quiverdb_catalog::{ColumnDef, Error, ErrorCode, SqlType, TableDef};
use serde_json::Value as Json;
use std::sync::Arc;

/// Qualifier of the written rows after INSERT/UPDATE/REPLACE.
pub(crate) const NEW: &str = "NEW";
/// Qualifier of the replaced or removed rows.
pub(crate) const OLD: &str = "OLD";

/// The OPTIONS of a data-modification operation that change what it does.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    ignore_errors: bool,
    keep_null: bool,
    merge_objects: bool,
    /// INSERT: what a key that exists already does.
    overwrite: Overwrite,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Overwrite {
    Conflict,
    Ignore,
    Replace,
    Update,
}

/// What to write for a document found by key.
enum Change<'q> {
    Update { patch: &'q AqlExpr, replace: bool },
    Remove,
}

impl Lowerer<'_> {
    /// The table a data-modification operation of the query writes, for FOR scans of it
    /// to carry row keys.
    pub(crate) fn modification_target(&self, ops: &[Op]) -> Result<Option<Arc<TableDef>>, Error> {
        for op in ops {
            let collection = match op {
                Op::Insert { collection, .. }
                | Op::Update { collection, .. }
                | Op::Remove { collection, .. }
                | Op::Upsert { collection, .. } => collection,
                _ => continue,
            };
            return self.target(collection).map(Some);
        }
        Ok(None)
    }

    /// Plans one data-modification operation over the frame's rows; afterwards the frame
    /// holds the node's output and binds `NEW` / `OLD`.
    pub(crate) fn plan_modify(&self, frame: &mut Frame, op: &Op, top_level: bool) -> Result<(), Error> {
        let span = match op {
            Op::Insert { span, .. } | Op::Update { span, .. } | Op::Remove { span, .. } | Op::Upsert { span, .. } => *span,
            _ => return Err(Error::internal("not a data-modification operation")),
        };
        if !top_level {
            return Err(self.err(ErrorCode::FeatureNotSupported, span, "data-modification operations inside subqueries are not supported"));
        }
        if frame.vars.iter().any(|(n, _)| n == NEW || n == OLD) {
            return Err(self.err(ErrorCode::FeatureNotSupported, span, "a query may modify data only once"));
        }
        match op {
            Op::Insert { doc, collection, options, .. } => {
                let table = self.target(collection)?;
                let options = self.options(frame, options.as_ref())?;
                self.plan_insert(frame, &table, doc, &options)
            }
            Op::Update { key, doc, collection, options, replace, .. } => {
                let table = self.target(collection)?;
                let options = self.options(frame, options.as_ref())?;
                let key = key.as_ref().unwrap_or(doc);
                self.plan_keyed(frame, &table, key, Change::Update { patch: doc, replace: *replace }, &options, span)
            }
            Op::Remove { key, collection, options, .. } => {
                let table = self.target(collection)?;
                let options = self.options(frame, options.as_ref())?;
                self.plan_keyed(frame, &table, key, Change::Remove, &options, span)
            }
            Op::Upsert { search, insert, update, replace, collection, options, span } => self.plan_upsert(
                frame,
                super::upsert::Upsert {
                    search,
                    insert,
                    change: update,
                    replace: *replace,
                    collection,
                    options: options.as_ref(),
                    span: *span,
                },
            ),
            _ => Err(Error::internal("not a data-modification operation")),
        }
    }

    /// The end of a query whose last operation modified data: no rows, but the node runs
    /// (the filter is not one the optimizer can prove false).
    pub(crate) fn no_rows(&self, frame: Frame) -> Result<LogicalPlan, Error> {
        // The node counts instead of returning rows; `count < 0` is false, but only the
        // operator's output shows it.
        let mut node = match &frame.plan {
            LogicalPlan::Extension(e) => e.node.as_any().downcast_ref::<TableModify>().cloned(),
            _ => None,
        }
        .ok_or_else(|| Error::unsupported("operations after a data modification must end with RETURN"))?;
        node.returning = false;
        let count = datafusion::arrow::datatypes::Schema::new(vec![datafusion::arrow::datatypes::Field::new(
            "count",
            datafusion::arrow::datatypes::DataType::UInt64,
            false,
        )]);
        node.schema = Arc::new(DFSchema::try_from(count)?);
        let plan = LogicalPlan::Extension(Extension { node: Arc::new(node) });
        let never = Expr::Column(Column::from_name("count")).lt(lit(ScalarValue::UInt64(Some(0))));
        Ok(LogicalPlanBuilder::from(plan).filter(never)?.project(vec![json_literal("null".into()).alias(VALUE_COLUMN)])?.build()?)
    }

    pub(crate) fn target(&self, collection: &CollectionRef) -> Result<Arc<TableDef>, Error> {
        let (name, span) = match collection {
            CollectionRef::Name(i) => (i.name.clone(), i.span),
            CollectionRef::Bind(i) => (self.bind.collection(&i.name, self.pos(i.span))?, i.span),
        };
        let table = self
            .catalog
            .resolve_relation(None, &name)
            .ok_or_else(|| self.err(ErrorCode::UndefinedTable, span, format!("collection or view not found: {name}")))?;
        if !table.is_table() {
            return Err(self.err(ErrorCode::WrongObjectType, span, format!("cannot modify the view or sequence {name}")));
        }
        Ok(table)
    }

    pub(crate) fn options(&self, frame: &Frame, options: Option<&AqlExpr>) -> Result<Options, Error> {
        let mut out = Options { ignore_errors: false, keep_null: true, merge_objects: true, overwrite: Overwrite::Conflict };
        let Some(e) = options else { return Ok(out) };
        let Some(Json::Object(map)) = self.expr(frame, e)?.constant else {
            return Err(self.err(ErrorCode::InvalidParameterValue, e.span, "OPTIONS must be an object known when the query is planned"));
        };
        let flag = |k: &str, default: bool| map.get(k).and_then(Json::as_bool).unwrap_or(default);
        out.ignore_errors = flag("ignoreErrors", false);
        out.keep_null = flag("keepNull", true);
        out.merge_objects = flag("mergeObjects", true);
        if flag("overwrite", false) {
            out.overwrite = Overwrite::Replace;
        }
        if let Some(mode) = map.get("overwriteMode") {
            out.overwrite = match mode.as_str() {
                Some("conflict") => Overwrite::Conflict,
                Some("ignore") => Overwrite::Ignore,
                Some("replace") => Overwrite::Replace,
                Some("update") => Overwrite::Update,
                _ => {
                    return Err(self.err(
                        ErrorCode::InvalidParameterValue,
                        e.span,
                        format!("overwriteMode must be \"conflict\", \"ignore\", \"replace\" or \"update\", not {mode}"),
                    ));
                }
            };
        }
        Ok(out)
    }

    fn plan_insert(&self, frame: &mut Frame, table: &Arc<TableDef>, doc: &AqlExpr, options: &Options) -> Result<(), Error> {
        self.check_attributes(table, doc)?;
        let value = self.expr(frame, doc)?.into_value(self)?;
        let mut exprs = Vec::new();
        for c in table.live_columns() {
            let e = match table.collection {
                Some(_) if c.name == "doc" => self.call("aql_jsonb", vec![value.clone()])?,
                // The write path derives the other columns from the document.
                Some(_) => lit(ScalarValue::Utf8(None)),
                None => self.column_value(&value, c, None)?,
            };
            exprs.push(e.alias(format!("__new_{}", c.name)));
        }
        exprs.extend(frame.plan.schema().columns().into_iter().map(Expr::Column));
        let input = LogicalPlanBuilder::from(frame.plan.clone()).project(exprs)?.build()?;
        let on_conflict = self.on_conflict(table, options)?;
        self.finish(frame, table, ModifyOp::Insert { on_conflict }, input, NEW)
    }

    /// ON CONFLICT for INSERT's options.
    fn on_conflict(&self, table: &Arc<TableDef>, options: &Options) -> Result<Option<OnConflict>, Error> {
        let key: Vec<i16> = table.primary_key.as_ref().map(|k| k.columns.clone()).unwrap_or_default();
        let action = match options.overwrite {
            Overwrite::Conflict if options.ignore_errors => {
                return Ok(Some(OnConflict { target: vec![], action: ConflictAction::Nothing, guard: None }));
            }
            Overwrite::Conflict => return Ok(None),
            _ if key.is_empty() => {
                return Err(Error::new(ErrorCode::FeatureNotSupported, format!("overwriteMode needs a primary key on {}", table.name)));
            }
            Overwrite::Ignore => ConflictAction::Nothing,
            mode => {
                let existing = table.qualified_schema(&table.name)?;
                let mut schema = (*existing).clone();
                schema.merge(table.qualified_schema("excluded")?.as_ref());
                let mut assignments = Vec::new();
                for (pos, c) in table.live_columns().enumerate() {
                    if key.contains(&c.attnum) {
                        continue;
                    }
                    let excluded = Expr::Column(Column::new(Some("excluded"), c.name.as_str()));
                    let e = if mode == Overwrite::Update && table.collection.is_some() && c.name == "doc" {
                        let old = Expr::Column(Column::new(Some(table.name.as_str()), "doc"));
                        self.update_doc(old, excluded, options)?
                    } else {
                        excluded
                    };
                    assignments.push((pos, e));
                }
                ConflictAction::Update { assignments, predicate: None, schema: Arc::new(schema) }
            }
        };
        Ok(Some(OnConflict { target: key, action, guard: None }))
    }

    /// UPDATE / REPLACE / REMOVE of the document `key` names.
    fn plan_keyed(
        &self,
        frame: &mut Frame,
        table: &Arc<TableDef>,
        key: &AqlExpr,
        change: Change,
        options: &Options,
        span: Span,
    ) -> Result<(), Error> {
        if let Change::Update { patch, .. } = &change {
            self.check_attributes(table, patch)?;
        }
        let rows_columns = frame.plan.schema().columns();
        // Where the old row's columns are: the FOR variable's own scan, or a join.
        let (source, old_q) = match self.same_row(frame, table, key) {
            Some(q) => (frame.plan.clone(), q),
            None => (self.join_target(frame, table, key, options, span)?, OLD.to_string()),
        };
        let old = |name: &str| Expr::Column(Column::new(Some(old_q.as_str()), name));
        let mut exprs = vec![old(ROWKEY_COLUMN).alias_qualified(Some("__target"), ROWKEY_COLUMN)];
        let (op, qualifier) = match &change {
            Change::Remove => {
                for c in table.live_columns() {
                    exprs.push(old(&c.name).alias(format!("__old_{}", c.name)));
                }
                (ModifyOp::Delete, OLD)
            }
            Change::Update { patch, replace } => {
                let patch = self.expr(frame, patch)?.into_value(self)?;
                let key_columns: Vec<i16> = table.primary_key.as_ref().map(|k| k.columns.clone()).unwrap_or_default();
                for c in table.live_columns() {
                    let e = match table.collection {
                        Some(_) if c.name == "doc" && *replace => self.call("aql_jsonb", vec![patch.clone()])?,
                        Some(_) if c.name == "doc" => self.update_doc(old("doc"), patch.clone(), options)?,
                        Some(_) => old(&c.name),
                        None if key_columns.contains(&c.attnum) => old(&c.name),
                        None if *replace => self.column_value(&patch, c, None)?,
                        None => self.column_value(&patch, c, Some(old(&c.name)))?,
                    };
                    exprs.push(e.alias(format!("__new_{}", c.name)));
                }
                for c in table.live_columns() {
                    exprs.push(old(&c.name).alias_qualified(Some(OLD), c.name.as_str()));
                }
                (ModifyOp::Update, NEW)
            }
        };
        exprs.extend(rows_columns.into_iter().map(Expr::Column));
        let input = LogicalPlanBuilder::from(source).project(exprs)?.build()?;
        let removed = matches!(op, ModifyOp::Delete);
        self.finish(frame, table, op, input, qualifier)?;
        if !removed {
            frame.vars.push((OLD.to_string(), Binding::Row { qualifier: OLD.to_string(), table: table.clone() }));
        }
        Ok(())
    }

    /// The qualifier of the FOR variable `key` is (or whose `_key` it is) when that
    /// variable scans `table` at this level.
    fn same_row(&self, frame: &Frame, table: &TableDef, key: &AqlExpr) -> Option<String> {
        let var = match &key.kind {
            ExprKind::Name(v) => v,
            ExprKind::Attribute(base, attr) if table.collection.is_some() && attr == "_key" => match &base.kind {
                ExprKind::Name(v) => v,
                _ => return None,
            },
            _ => return None,
        };
        match frame.vars.iter().rev().find(|(n, _)| n == var) {
            Some((_, Binding::Row { qualifier, table: t })) if t.oid == table.oid => Some(qualifier.clone()),
            _ => None,
        }
    }

    /// The frame's rows joined with the target rows `key` names, under the qualifier `OLD`.
    fn join_target(
        &self,
        frame: &Frame,
        table: &Arc<TableDef>,
        key: &AqlExpr,
        options: &Options,
        span: Span,
    ) -> Result<LogicalPlan, Error> {
        let key_value = self.expr(frame, key)?.into_value(self)?;
        let key_columns: Vec<&ColumnDef> = match &table.primary_key {
            Some(k) => k.columns.iter().filter_map(|a| table.column_by_attnum(*a)).collect(),
            None => {
                return Err(self.err(
                    ErrorCode::FeatureNotSupported,
                    span,
                    format!("{} has no primary key; modify its rows from a FOR over it", table.name),
                ));
            }
        };
        let mut left = Vec::new();
        let mut right = Vec::new();
        for c in &key_columns {
            let part = if table.collection.is_some() {
                self.call("aql_key_of", vec![key_value.clone()])?
            } else if key_columns.len() == 1 {
                // A key value, or a document carrying the key column.
                let attr = self.call("aql_get", vec![key_value.clone(), lit(c.name.as_str())])?;
                let is_object = self.call("aql_fn_is_object", vec![key_value.clone()])?;
                let is_object = self.call("aql_bool", vec![is_object])?;
                let v = Expr::Case(datafusion::logical_expr::Case::new(
                    None,
                    vec![(Box::new(is_object), Box::new(attr))],
                    Some(Box::new(key_value.clone())),
                ));
                self.convert(v, c)?
            } else {
                let attr = self.call("aql_get", vec![key_value.clone(), lit(c.name.as_str())])?;
                self.convert(attr, c)?
            };
            left.push(part);
            right.push(Expr::Column(Column::new(Some(OLD), c.name.as_str())));
        }
        let scan = LogicalPlanBuilder::scan(OLD, self.catalog.dml_source(table)?, None)?.build()?;
        let join = if options.ignore_errors { JoinType::Inner } else { JoinType::Left };
        let on: Vec<Expr> = left.into_iter().zip(right).map(|(l, r)| l.eq(r)).collect();
        Ok(LogicalPlanBuilder::from(frame.plan.clone()).join_on(scan, join, on)?.build()?)
    }

    /// `aql_update_doc(old, patch, keepNull, mergeObjects)`.
    pub(crate) fn update_doc(&self, old: Expr, patch: Expr, options: &Options) -> Result<Expr, Error> {
        let flag = |b: bool| json_literal(b.to_string());
        self.call("aql_update_doc", vec![old, patch, flag(options.keep_null), flag(options.merge_objects)])
    }

    /// The value of column `c` from the attribute of the same name of `doc`: cast to the
    /// column's type; when absent or null, `otherwise` (UPDATE: the old value) or the
    /// column default.
    pub(crate) fn column_value(&self, doc: &Expr, c: &ColumnDef, otherwise: Option<Expr>) -> Result<Expr, Error> {
        let value = self.convert(self.call("aql_get", vec![doc.clone(), lit(c.name.as_str())])?, c)?;
        let fallback = match otherwise {
            Some(e) => Some(e),
            None => match &c.default {
                Some(sql) => Some(self.catalog.plan_sql_expr(self.state, sql, &DFSchema::empty())?),
                None => None,
            },
        };
        Ok(match fallback {
            Some(f) => Expr::Case(datafusion::logical_expr::Case::new(
                None,
                vec![(Box::new(value.clone().is_not_null()), Box::new(value))],
                Some(Box::new(f)),
            )),
            None => value,
        })
    }

    /// An AQL value as a value of column `c` (SQL NULL for `null`).
    fn convert(&self, value: Expr, c: &ColumnDef) -> Result<Expr, Error> {
        Ok(match c.ty {
            SqlType::Json | SqlType::Jsonb => self.call("aql_jsonb", vec![value])?,
            _ => Expr::Cast(Cast::new(Box::new(self.call("aql_text", vec![value])?), c.ty.to_arrow())),
        })
    }

    /// An object literal written into a typed table may only name its columns.
    pub(crate) fn check_attributes(&self, table: &TableDef, doc: &AqlExpr) -> Result<(), Error> {
        if table.collection.is_some() {
            return Ok(());
        }
        if let ExprKind::Object(members) = &doc.kind {
            for (k, v) in members {
                if let ObjectKey::Name(n) = k
                    && table.column(n).is_none()
                {
                    return Err(self.err(
                        ErrorCode::UndefinedColumn,
                        v.span,
                        format!("column \"{n}\" of relation \"{}\" does not exist", table.name),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Puts the TableModify over `input` and rebinds the frame to its output.
    pub(crate) fn finish(
        &self,
        frame: &mut Frame,
        table: &Arc<TableDef>,
        op: ModifyOp,
        input: LogicalPlan,
        qualifier: &str,
    ) -> Result<(), Error> {
        let table_schema = table.qualified_schema(qualifier)?;
        let mut checks = Vec::new();
        if !matches!(op, ModifyOp::Delete) {
            for c in &table.checks {
                checks.push((c.name.clone(), self.catalog.plan_sql_expr(self.state, &c.expr, &table_schema)?));
            }
        }
        let written = table.live_column_count() + usize::from(!matches!(op, ModifyOp::Insert { .. }));
        let input_schema = input.schema().clone();
        let extra_columns = input_schema.fields().len().saturating_sub(written);
        let mut schema = (*table_schema).clone();
        let extras: Vec<_> = input_schema.iter().skip(written).map(|(q, f)| (q.cloned(), f.clone())).collect();
        schema.merge(&DFSchema::new_with_metadata(extras, Default::default())?);
        let node = TableModify {
            table: table.clone(),
            op,
            input: Arc::new(input),
            checks,
            table_schema,
            returning: true,
            extra_columns,
            schema: Arc::new(schema),
        };
        frame.plan = LogicalPlan::Extension(Extension { node: Arc::new(node) });
        frame.order.clear();
        frame.vars.push((qualifier.to_string(), Binding::Row { qualifier: qualifier.to_string(), table: table.clone() }));
        Ok(())
    }
}
