//! `WINDOW { preceding: n, following: m } AGGREGATE v = F(e), ...` → DataFusion `Window`
//! with a `ROWS BETWEEN n PRECEDING AND m FOLLOWING` frame over the rows in their current
//! order (a `SORT` before fixes it), calling the same `aql_agg_<f>` aggregates as COLLECT.
//! Bounds are non-negative integers or `"unbounded"`. The variables in scope stay; the
//! aggregate variables are added.

use super::{Binding, Frame, Kind, Lowerer, var_column};
use crate::ast::Window;
use datafusion::common::ScalarValue;
use datafusion::logical_expr::expr::WindowFunction;
use datafusion::logical_expr::{
    Expr, ExprFunctionExt, LogicalPlanBuilder, WindowFrame, WindowFrameBound, WindowFrameUnits, WindowFunctionDefinition,
};
use quiverdb_catalog::{Error, ErrorCode};

impl Lowerer<'_> {
    /// Lowers one row-based WINDOW.
    pub(crate) fn plan_window(&self, frame: &mut Frame, w: &Window) -> Result<(), Error> {
        if let Some(r) = &w.range_value {
            return Err(self.err(
                ErrorCode::FeatureNotSupported,
                r.span,
                "range-based WINDOW is not supported yet; use { preceding, following } rows",
            ));
        }
        let bounds = self.expr(frame, &w.bounds)?.constant.ok_or_else(|| {
            self.err(ErrorCode::InvalidParameterValue, w.bounds.span, "WINDOW bounds must be a constant object { preceding, following }")
        })?;
        let bound = |key: &str, preceding: bool| -> Result<WindowFrameBound, Error> {
            let n = match bounds.get(key) {
                None | Some(serde_json::Value::Null) => Some(0),
                Some(serde_json::Value::String(s)) if s.eq_ignore_ascii_case("unbounded") => None,
                Some(v) => match v.as_f64() {
                    Some(f) if f >= 0.0 && f.fract() == 0.0 => Some(f as u64),
                    _ => {
                        return Err(self.err(
                            ErrorCode::InvalidParameterValue,
                            w.bounds.span,
                            format!("WINDOW {key} must be a non-negative integer or \"unbounded\""),
                        ));
                    }
                },
            };
            Ok(match (n, preceding) {
                (Some(0), _) => WindowFrameBound::CurrentRow,
                (n, true) => WindowFrameBound::Preceding(ScalarValue::UInt64(n)),
                (n, false) => WindowFrameBound::Following(ScalarValue::UInt64(n)),
            })
        };
        let window_frame = WindowFrame::new_bounds(WindowFrameUnits::Rows, bound("preceding", true)?, bound("following", false)?);
        let mut exprs = Vec::with_capacity(w.aggregates.len());
        let mut vars = Vec::with_capacity(w.aggregates.len());
        for a in &w.aggregates {
            let (udaf, arg) = self.aggregate_call(frame, a)?;
            if self.lookup(frame, &a.var.name).is_some() || vars.iter().any(|(n, _)| n == &a.var.name) {
                return Err(self.err(ErrorCode::SyntaxError, a.var.span, format!("variable '{}' is assigned multiple times", a.var.name)));
            }
            let column = var_column(&a.var.name);
            let call = Expr::from(WindowFunction::new(WindowFunctionDefinition::AggregateUDF(udaf), vec![arg]))
                .window_frame(window_frame.clone())
                .build()?;
            exprs.push(call.alias_qualified(column.relation.clone(), column.name.as_str()));
            vars.push((a.var.name.clone(), Binding::Column { column, kind: Kind::Value }));
        }
        let plan = std::mem::replace(&mut frame.plan, LogicalPlanBuilder::empty(false).build()?);
        frame.plan = LogicalPlanBuilder::from(plan).window(exprs)?.build()?;
        frame.vars.extend(vars);
        frame.initial = false;
        Ok(())
    }
}
