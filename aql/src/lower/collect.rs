//! `COLLECT` → `Aggregate` (then `Sort` by the group values, as ArangoDB's default sorted
//! COLLECT returns groups in order).
//!
//! * `COLLECT g = e, ...` groups by the values (a native column groups as it is; other
//!   values by their canonical jsonb text).
//! * `AGGREGATE v = F(e)` calls `aql_agg_<f>`, which applies the library function `F` to
//!   the group's values (`SUM`, `MIN`, `UNIQUE`, ...).
//! * `WITH COUNT INTO n` is `count(*)`; `INTO g = e` collects the values of `e`, and
//!   `INTO g` collects one object per row holding every variable in scope (or only those
//!   named by `KEEP`).
//!
//! Afterwards only the variables COLLECT introduces are in scope.

use super::{Binding, Frame, Kind, Lowerer};
use crate::ast::{Assign, Collect, CollectInto, ExprKind, Ident};
use datafusion::common::Column;
use datafusion::logical_expr::{AggregateUDF, Expr, LogicalPlanBuilder, SortExpr, lit};
use quiverdb_catalog::{Error, ErrorCode};
use std::sync::Arc;

impl Lowerer<'_> {
    /// Lowers one COLLECT.
    pub(crate) fn plan_collect(&self, frame: &mut Frame, c: &Collect) -> Result<(), Error> {
        let mut introduced: Vec<(String, Binding)> = Vec::new();
        let declare = |var: &Ident, kind: Kind, introduced: &mut Vec<(String, Binding)>| -> Result<Column, Error> {
            if introduced.iter().any(|(n, _)| *n == var.name) {
                return Err(self.err(ErrorCode::SyntaxError, var.span, format!("variable '{}' is assigned multiple times", var.name)));
            }
            let column = super::var_column(&var.name);
            introduced.push((var.name.clone(), Binding::Column { column: column.clone(), kind }));
            Ok(column)
        };
        let mut groups = Vec::new();
        let mut sort = Vec::new();
        for g in &c.groups {
            let l = self.expr(frame, &g.value)?;
            let (e, kind) = match l.kind {
                Kind::Native(_) => (l.expr, l.kind),
                _ => (l.into_value(self)?, Kind::Value),
            };
            let column = declare(&g.var, kind, &mut introduced)?;
            groups.push(e.alias_qualified(column.relation.clone(), column.name.as_str()));
            let key = match kind {
                Kind::Native(_) => Expr::Column(column),
                _ => self.call("aql_sort_key", vec![Expr::Column(column)])?,
            };
            sort.push(SortExpr::new(key, true, true));
        }
        let mut aggregates = Vec::new();
        for a in &c.aggregates {
            let (udaf, arg) = self.aggregate_call(frame, a)?;
            let column = declare(&a.var, Kind::Value, &mut introduced)?;
            aggregates.push(udaf.call(vec![arg]).alias_qualified(column.relation.clone(), column.name.as_str()));
        }
        match &c.into {
            Some(CollectInto::Count(var)) => {
                let count =
                    self.state.aggregate_functions().get("count").cloned().ok_or_else(|| Error::internal("count is not registered"))?;
                let column = declare(var, Kind::Native(super::expr::Class::Integer), &mut introduced)?;
                aggregates.push(count.call(vec![lit(1)]).alias_qualified(column.relation.clone(), column.name.as_str()));
            }
            Some(CollectInto::Group { var, value }) => {
                let v = match value {
                    Some(e) => self.expr(frame, e)?.into_value(self)?,
                    None => self.row_object(frame, &c.keep)?,
                };
                let push = self.state.aggregate_functions().get("aql_agg_push").cloned().ok_or_else(|| Error::internal("aql_agg_push"))?;
                let column = declare(var, Kind::Value, &mut introduced)?;
                aggregates.push(push.call(vec![v]).alias_qualified(column.relation.clone(), column.name.as_str()));
            }
            None => {
                if let Some(k) = c.keep.first() {
                    return Err(self.err(ErrorCode::SyntaxError, k.span, "KEEP is only allowed together with INTO"));
                }
            }
        }
        let plan = std::mem::replace(&mut frame.plan, LogicalPlanBuilder::empty(false).build()?);
        let mut b = LogicalPlanBuilder::from(plan).aggregate(groups, aggregates)?;
        if !sort.is_empty() {
            b = b.sort(sort.clone())?;
        }
        frame.order = sort;
        frame.plan = b.build()?;
        frame.vars = introduced;
        frame.initial = false;
        Ok(())
    }

    /// The aggregate `aql_agg_<f>` and its lowered argument for `var = F(arg)` of
    /// AGGREGATE (COLLECT and WINDOW); 42883 for an unknown function or another arity.
    pub(crate) fn aggregate_call(&self, frame: &Frame, a: &Assign) -> Result<(Arc<AggregateUDF>, Expr), Error> {
        let ExprKind::Call { name, args } = &a.value.kind else {
            return Err(self.err(ErrorCode::SyntaxError, a.value.span, "AGGREGATE expects an aggregate function call"));
        };
        let upper = name.to_ascii_uppercase();
        let udaf = self.state.aggregate_functions().get(&format!("aql_agg_{}", name.to_ascii_lowercase())).cloned();
        let Some(udaf) = udaf else {
            return Err(self.err(ErrorCode::UndefinedFunction, a.value.span, format!("unknown aggregate function '{upper}()'")));
        };
        let [arg] = args.as_slice() else {
            return Err(self.err(ErrorCode::UndefinedFunction, a.value.span, format!("aggregate function '{upper}()' takes one argument")));
        };
        Ok((udaf, self.expr(frame, arg)?.into_value(self)?))
    }

    /// `{var: value, ...}` of the variables in scope (only `keep` when given), as `INTO g`
    /// collects them.
    fn row_object(&self, frame: &Frame, keep: &[Ident]) -> Result<Expr, Error> {
        for k in keep {
            if self.lookup(frame, &k.name).is_none() {
                return Err(self.err(ErrorCode::UndefinedColumn, k.span, format!("variable '{}' is not known", k.name)));
            }
        }
        let mut args = Vec::new();
        for (name, _) in &frame.vars {
            if !keep.is_empty() && !keep.iter().any(|k| k.name == *name) {
                continue;
            }
            let var = crate::ast::Expr { kind: ExprKind::Name(name.clone()), span: Default::default() };
            args.push(super::json_literal(serde_json::Value::String(name.clone()).to_string()));
            args.push(self.expr(frame, &var)?.into_value(self)?);
        }
        self.call("aql_object", args)
    }
}
