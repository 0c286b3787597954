//! PostgreSQL's type resolution where it differs from DataFusion's, applied before
//! DataFusion's own type coercion.
//!
//! * `real` mixed with an integer or numeric operand is computed in `double precision`
//!   (DataFusion stays in Float32).
//! * CASE branches must resolve to one type category: `CASE ... THEN 1 ELSE 'x'::text`
//!   fails in PostgreSQL (DataFusion turns the integer into text), and an unknown literal
//!   branch takes the other branches' type (`THEN 1 ELSE 'x'` fails to read `x` as an
//!   integer).
//! * A recursive query's non-recursive term fixes the column types.
//!
//! (Unknown literals in operators are resolved earlier, while planning: see
//! `functions::operators`.)

use datafusion::arrow::datatypes::DataType;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DFSchema, Result, ScalarValue};
use datafusion::logical_expr::{BinaryExpr, Case, Cast, Expr, ExprSchemable, LogicalPlan, Operator};
use datafusion::logical_expr::expr_rewriter::NamePreserver;
use datafusion::optimizer::AnalyzerRule;
use quiverdb_catalog::{Error, ErrorCode, SqlType};

/// The analyzer rule.
#[derive(Debug)]
pub struct PgCoercion;

fn is_string_literal(e: &Expr) -> bool {
    matches!(e, Expr::Literal(ScalarValue::Utf8(Some(_)) | ScalarValue::Utf8View(Some(_)) | ScalarValue::LargeUtf8(Some(_)), _))
}

fn is_integer(dt: &DataType) -> bool {
    matches!(dt, DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 | DataType::UInt8 | DataType::UInt16 | DataType::UInt32 | DataType::UInt64)
}

fn is_numeric(dt: &DataType) -> bool {
    is_integer(dt) || matches!(dt, DataType::Float32 | DataType::Float64 | DataType::Decimal128(..) | DataType::Decimal256(..))
}

/// PostgreSQL's type category of an expression (for CASE resolution).
fn category(ty: &SqlType) -> &'static str {
    match ty {
        SqlType::Int2 | SqlType::Int4 | SqlType::Int8 | SqlType::Float4 | SqlType::Float8 | SqlType::Numeric { .. } | SqlType::Oid => "numeric",
        SqlType::Text | SqlType::Varchar(_) | SqlType::Char(_) => "string",
        SqlType::Bool => "boolean",
        SqlType::Date | SqlType::Time | SqlType::Timestamp | SqlType::Timestamptz => "datetime",
        SqlType::Interval => "timespan",
        SqlType::Array(_) => "array",
        SqlType::Bytea | SqlType::Uuid | SqlType::Json | SqlType::Jsonb => "user",
    }
}

fn pg_name(ty: &SqlType) -> String {
    match ty {
        SqlType::Numeric { .. } => "numeric".into(),
        SqlType::Varchar(_) => "character varying".into(),
        SqlType::Char(_) => "character".into(),
        other => other.to_string(),
    }
}

impl PgCoercion {
    fn rewrite(&self, e: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
        match e {
            Expr::BinaryExpr(BinaryExpr { left, op, right }) => {
                let lt = left.to_field(schema).ok().map(|(_, f)| f);
                let rt = right.to_field(schema).ok().map(|(_, f)| f);
                let (Some(lf), Some(rf)) = (lt, rt) else {
                    return Ok(Transformed::no(Expr::BinaryExpr(BinaryExpr { left, op, right })));
                };
                let arithmetic = matches!(op, Operator::Plus | Operator::Minus | Operator::Multiply | Operator::Divide | Operator::Modulo);
                let comparison = op.supports_propagation() || matches!(op, Operator::IsDistinctFrom | Operator::IsNotDistinctFrom);
                // real op integer/numeric → double precision
                if arithmetic || comparison {
                    let (ld, rd) = (lf.data_type(), rf.data_type());
                    let mixed = (*ld == DataType::Float32 && is_numeric(rd) && *rd != DataType::Float32)
                        || (*rd == DataType::Float32 && is_numeric(ld) && *ld != DataType::Float32);
                    if mixed {
                        let l = Expr::Cast(Cast::new(left, DataType::Float64));
                        let r = Expr::Cast(Cast::new(right, DataType::Float64));
                        return Ok(Transformed::yes(Expr::BinaryExpr(BinaryExpr { left: Box::new(l), op, right: Box::new(r) })));
                    }
                }
                Ok(Transformed::no(Expr::BinaryExpr(BinaryExpr { left, op, right })))
            }
            Expr::Case(case) => self.check_case(case, schema),
            other => Ok(Transformed::no(other)),
        }
    }

    /// Fails like PostgreSQL when CASE branches cannot be matched to one type; unknown
    /// literal branches take the other branches' type.
    fn check_case(&self, mut case: Case, schema: &DFSchema) -> Result<Transformed<Expr>> {
        let mut results: Vec<&Expr> = case.when_then_expr.iter().map(|(_, t)| t.as_ref()).collect();
        if let Some(e) = &case.else_expr {
            results.push(e);
        }
        let mut first: Option<(SqlType, DataType)> = None;
        for r in results {
            if is_string_literal(r) || matches!(r, Expr::Literal(v, _) if v.is_null()) {
                continue; // unknown literals adapt to the other branches
            }
            let Ok((_, f)) = r.to_field(schema) else { continue };
            let ty = SqlType::from_field(&f);
            match &first {
                None => first = Some((ty, f.data_type().clone())),
                Some((prev, _)) if category(prev) != category(&ty) => {
                    return Err(Error::new(
                        ErrorCode::DatatypeMismatch,
                        format!("CASE types {} and {} cannot be matched", pg_name(&ty), pg_name(prev)),
                    )
                    .into());
                }
                _ => {}
            }
        }
        let Some((ty, dt)) = first else { return Ok(Transformed::no(Expr::Case(case))) };
        if ty.is_text_like() {
            return Ok(Transformed::no(Expr::Case(case)));
        }
        let mut changed = false;
        let adapt = |e: &mut Box<Expr>, changed: &mut bool| {
            if is_string_literal(e) {
                let lit = std::mem::replace(e.as_mut(), Expr::Literal(ScalarValue::Null, None));
                **e = Expr::Cast(Cast::new(Box::new(lit), dt.clone()));
                *changed = true;
            }
        };
        for (_, t) in case.when_then_expr.iter_mut() {
            adapt(t, &mut changed);
        }
        if let Some(e) = case.else_expr.as_mut() {
            adapt(e, &mut changed);
        }
        Ok(if changed { Transformed::yes(Expr::Case(case)) } else { Transformed::no(Expr::Case(case)) })
    }
}

/// PostgreSQL requires a recursive query's non-recursive term to have the final column
/// types (`SELECT 1 UNION ALL SELECT n + 0.5` is an error there; DataFusion would cast
/// every row back to integer and may never terminate).
fn check_recursive(node: &LogicalPlan) -> Result<()> {
    let LogicalPlan::RecursiveQuery(rq) = node else { return Ok(()) };
    let fixed = rq.static_term.schema();
    // DataFusion already cast the recursive term to the static term's types; look
    // through those casts for the types the recursive term really produces.
    let LogicalPlan::Projection(proj) = rq.recursive_term.as_ref() else { return Ok(()) };
    let input_schema = proj.input.schema();
    for (i, (a, e)) in fixed.fields().iter().zip(proj.expr.iter()).enumerate() {
        let inner = match e {
            Expr::Alias(al) => al.expr.as_ref(),
            other => other,
        };
        let Expr::Cast(Cast { expr, .. }) = inner else { continue };
        let Ok((_, b)) = expr.to_field(input_schema) else { continue };
        let (ta, tb) = (SqlType::from_field(a), SqlType::from_field(&b));
        let same = match (&ta, &tb) {
            (SqlType::Numeric { .. }, SqlType::Numeric { .. }) => true,
            (a, b) if a.is_text_like() && b.is_text_like() => true,
            (a, b) => a == b,
        };
        if !same && b.data_type() != &DataType::Null {
            return Err(Error::new(
                ErrorCode::DatatypeMismatch,
                format!(
                    "recursive query \"{}\" column {} has type {} in non-recursive term but type {} overall",
                    rq.name,
                    i + 1,
                    pg_name(&ta),
                    pg_name(&tb)
                ),
            )
            .with_hint("Cast the output of the non-recursive term to the correct type.")
            .into());
        }
    }
    Ok(())
}

impl AnalyzerRule for PgCoercion {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        let out = plan.transform_up_with_subqueries(|node| {
            check_recursive(&node)?;
            let mut schema = DFSchema::empty();
            for input in node.inputs() {
                schema.merge(input.schema());
            }
            if let LogicalPlan::Values(_) | LogicalPlan::TableScan(_) | LogicalPlan::EmptyRelation(_) = node {
                return Ok(Transformed::no(node));
            }
            // Keep output names stable: parents refer to columns by name.
            let names = NamePreserver::new(&node);
            node.map_expressions(|e| {
                let saved = names.save(&e);
                Ok(e.transform_up(|e| self.rewrite(e, &schema))?.update_data(|e| saved.restore(e)))
            })
        })?;
        Ok(out.data)
    }

    fn name(&self) -> &str {
        "pg_coercion"
    }
}
