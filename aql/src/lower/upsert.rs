//! `UPSERT search INSERT doc UPDATE|REPLACE change IN collection`: one `TableModify`
//! INSERT whose ON CONFLICT updates the documents the search found.
//!
//! ```text
//! rows ⟕ target AS __upsert ON (__upsert.a == search.a AND ...)      (AQL equality)
//!   → Project [new values ⊕ matched ⊕ OLD value ⊕ rows]
//!       matched rows:   the target's key, the changed document (UPDATE merges into OLD,
//!                       REPLACE writes `change`)
//!       unmatched rows: `doc` (its own or a generated key)
//!   → TableModify INSERT ... ON CONFLICT (key) DO UPDATE SET every column = excluded,
//!     guarded by `matched`
//! ```
//!
//! The guard makes the conflict action apply only to rows whose search found a document;
//! an inserted document whose key is taken fails with 23505, as in ArangoDB. The search
//! conditions are lowered like FILTER comparisons, so a search on an attribute with an
//! expression index reads the index (a constant search value becomes a condition on the
//! target alone, which DataFusion pushes into its scan). In `change`, `OLD` is the found
//! document; after the operation `NEW` is the written document and `OLD` the found one or
//! `null`. When the search finds several documents for one row, each is updated (ArangoDB
//! updates one of them).

use super::expr::Kind;
use super::modify::{NEW, OLD, Options};
use super::{Binding, Frame, Lowerer};
use crate::ast::{BinaryOp, CollectionRef, Expr as AqlExpr, ExprKind, ObjectKey, Span};
use datafusion::common::{Column, JoinType, ScalarValue};
use datafusion::logical_expr::{Case, Expr, LogicalPlanBuilder, lit};
use quiverdb_catalog::plan::{ConflictAction, ModifyOp, OnConflict, ROWKEY_COLUMN};
use quiverdb_catalog::{Error, ErrorCode};
use std::sync::Arc;

/// The qualifier the searched target is scanned under.
const FOUND: &str = "__upsert";
/// The input column telling whether a row's search found a document.
const MATCHED: &str = "__upsert_matched";
/// The input column holding `OLD` as an AQL value (`null` when nothing was found).
const OLD_VALUE: &str = "__upsert_old";

/// The parts of an UPSERT operation.
pub(crate) struct Upsert<'q> {
    pub search: &'q AqlExpr,
    pub insert: &'q AqlExpr,
    pub change: &'q AqlExpr,
    pub replace: bool,
    pub collection: &'q CollectionRef,
    pub options: Option<&'q AqlExpr>,
    pub span: Span,
}

impl Lowerer<'_> {
    /// Plans UPSERT over the frame's rows; afterwards the frame binds `NEW` and `OLD`.
    pub(crate) fn plan_upsert(&self, frame: &mut Frame, u: Upsert) -> Result<(), Error> {
        let table = self.target(u.collection)?;
        let options: Options = self.options(frame, u.options)?;
        let key: Vec<i16> = table.primary_key.as_ref().map(|k| k.columns.clone()).unwrap_or_default();
        if key.is_empty() {
            return Err(self.err(ErrorCode::FeatureNotSupported, u.span, format!("UPSERT needs a primary key on {}", table.name)));
        }
        let ExprKind::Object(members) = &u.search.kind else {
            return Err(self.err(ErrorCode::FeatureNotSupported, u.search.span, "the UPSERT search expression must be an object literal"));
        };
        self.check_attributes(&table, u.insert)?;
        self.check_attributes(&table, u.change)?;

        // The rows joined with the documents their search finds; `OLD` is the found one.
        let scan = LogicalPlanBuilder::scan(FOUND, self.catalog.dml_source(&table)?, None)?.build()?;
        let mut vars = frame.vars.clone();
        vars.push((OLD.to_string(), Binding::Row { qualifier: FOUND.to_string(), table: table.clone() }));
        let both = LogicalPlanBuilder::from(frame.plan.clone()).cross_join(scan.clone())?.build()?;
        let scope = Frame { plan: both, vars, initial: false, outer: frame.outer.clone(), order: vec![] };
        let mut on = Vec::with_capacity(members.len());
        for (k, v) in members {
            let ObjectKey::Name(name) = k else {
                return Err(self.err(ErrorCode::FeatureNotSupported, v.span, "UPSERT search attributes must be names"));
            };
            let old = AqlExpr { kind: ExprKind::Name(OLD.to_string()), span: v.span };
            let attribute = AqlExpr { kind: ExprKind::Attribute(Box::new(old), name.clone()), span: v.span };
            let eq = AqlExpr { kind: ExprKind::Binary(BinaryOp::Eq, Box::new(attribute), Box::new(v.clone())), span: v.span };
            on.push(self.expr(&scope, &eq)?.into_bool(self)?);
        }
        let found = |name: &str| Expr::Column(Column::new(Some(FOUND), name));
        // Whether the search found a document, computed once.
        let joined = LogicalPlanBuilder::from(frame.plan.clone()).join_on(scan, JoinType::Left, on)?.build()?;
        let mut columns: Vec<Expr> = joined.schema().columns().into_iter().map(Expr::Column).collect();
        columns.push(found(ROWKEY_COLUMN).is_not_null().alias(MATCHED));
        let scope = Frame { plan: LogicalPlanBuilder::from(joined).project(columns)?.build()?, ..scope };
        let matched = Expr::Column(Column::from_name(MATCHED));
        let pick = |yes: Expr, no: Expr| Expr::Case(Case::new(None, vec![(Box::new(matched.clone()), Box::new(yes))], Some(Box::new(no))));
        let inserted = self.expr(&scope, u.insert)?.into_value(self)?;
        let change = self.expr(&scope, u.change)?.into_value(self)?;
        let mut exprs = Vec::new();
        for c in table.live_columns() {
            let e = match table.collection {
                Some(_) if c.name == "doc" => {
                    let changed = if u.replace {
                        self.call("aql_jsonb", vec![change.clone()])?
                    } else {
                        self.update_doc(found("doc"), change.clone(), &options)?
                    };
                    pick(changed, self.call("aql_jsonb", vec![inserted.clone()])?)
                }
                // The found document keeps its key; the write path derives the rest.
                Some(_) if c.name == "_key" => pick(found("_key"), lit(ScalarValue::Utf8(None))),
                Some(_) => lit(ScalarValue::Utf8(None)),
                None if key.contains(&c.attnum) => pick(found(&c.name), self.column_value(&inserted, c, None)?),
                None if u.replace => pick(self.column_value(&change, c, None)?, self.column_value(&inserted, c, None)?),
                None => pick(self.column_value(&change, c, Some(found(&c.name)))?, self.column_value(&inserted, c, None)?),
            };
            exprs.push(e.alias(format!("__new_{}", c.name)));
        }
        let guard = exprs.len();
        exprs.push(matched.clone());
        let old = AqlExpr { kind: ExprKind::Name(OLD.to_string()), span: u.span };
        let old_value = self.as_jsonb(&scope, self.expr(&scope, &old)?.into_value(self)?)?;
        let null = self.as_jsonb(&scope, self.constant(serde_json::Value::Null)?.expr)?;
        exprs.push(pick(old_value, null).alias(OLD_VALUE));
        exprs.extend(frame.plan.schema().columns().into_iter().map(Expr::Column));
        let input = LogicalPlanBuilder::from(scope.plan).project(exprs)?.build()?;

        let excluded = |name: &str| Expr::Column(Column::new(Some("excluded"), name));
        let assignments =
            table.live_columns().enumerate().filter(|(_, c)| !key.contains(&c.attnum)).map(|(pos, c)| (pos, excluded(&c.name))).collect();
        let mut schema = (*table.qualified_schema(&table.name)?).clone();
        schema.merge(table.qualified_schema("excluded")?.as_ref());
        let action = ConflictAction::Update { assignments, predicate: None, schema: Arc::new(schema) };
        let on_conflict = OnConflict { target: key, action, guard: Some(guard) };
        self.finish(frame, &table, ModifyOp::Insert { on_conflict: Some(on_conflict) }, input, NEW)?;
        frame.vars.push((OLD.to_string(), Binding::Column { column: Column::from_name(OLD_VALUE), kind: Kind::Value }));
        Ok(())
    }
}
