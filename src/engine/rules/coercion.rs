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
use datafusion::common::tree_node::Transformed;
use datafusion::common::{DFSchema, Result, ScalarValue};
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{BinaryExpr, Case, Cast, Expr, ExprSchemable, LogicalPlan, Operator, ScalarUDF};
use datafusion::optimizer::AnalyzerRule;
use quiverdb_catalog::{Error, ErrorCode, SqlType};
use std::sync::Arc;

/// The analyzer rule.
#[derive(Debug)]
pub struct PgCoercion {
    output_text: Arc<ScalarUDF>,
    cast_text: Arc<ScalarUDF>,
    rtrim: Arc<ScalarUDF>,
}

impl Default for PgCoercion {
    fn default() -> Self {
        PgCoercion {
            output_text: Arc::new(crate::functions::text::output_text_udf()),
            cast_text: Arc::new(crate::functions::text::cast_text_udf()),
            rtrim: datafusion::functions::string::rtrim(),
        }
    }
}

/// Whether `e` is a `char(n)` value (stored blank-padded).
fn is_bpchar(e: &Expr, schema: &DFSchema) -> bool {
    matches!(e.to_field(schema), Ok((_, f)) if matches!(SqlType::from_field(&f), SqlType::Char(_)))
}

/// Whether `e` is of a string type (or NULL).
fn is_text_operand(e: &Expr, schema: &DFSchema) -> bool {
    matches!(e.get_type(schema), Ok(DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8 | DataType::Null) | Err(_))
}

/// Whether `e` is of a type `||` concatenates as a value (not an array, not text).
fn is_scalar_non_text(e: &Expr, schema: &DFSchema) -> bool {
    match e.to_field(schema) {
        Ok((_, f)) => {
            !is_text_operand(e, schema)
                && !matches!(f.data_type(), DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(..))
                && !matches!(SqlType::from_field(&f), SqlType::Json | SqlType::Jsonb)
        }
        Err(_) => false,
    }
}

fn is_string_literal(e: &Expr) -> bool {
    matches!(e, Expr::Literal(ScalarValue::Utf8(Some(_)) | ScalarValue::Utf8View(Some(_)) | ScalarValue::LargeUtf8(Some(_)), _))
}

/// A string literal without its trailing blanks; other expressions unchanged.
fn trim_literal(e: Expr) -> Expr {
    match e {
        Expr::Literal(ScalarValue::Utf8(Some(s)), m) => Expr::Literal(ScalarValue::Utf8(Some(s.trim_end_matches(' ').to_string())), m),
        other => other,
    }
}

fn is_integer(dt: &DataType) -> bool {
    matches!(
        dt,
        DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
    )
}

fn is_numeric(dt: &DataType) -> bool {
    is_integer(dt) || matches!(dt, DataType::Float32 | DataType::Float64 | DataType::Decimal128(..) | DataType::Decimal256(..))
}

/// PostgreSQL's type category of an expression (for CASE resolution).
fn category(ty: &SqlType) -> &'static str {
    match ty {
        SqlType::Int2 | SqlType::Int4 | SqlType::Int8 | SqlType::Float4 | SqlType::Float8 | SqlType::Numeric { .. } | SqlType::Oid => {
            "numeric"
        }
        SqlType::Text | SqlType::Varchar(_) | SqlType::Char(_) => "string",
        SqlType::Bool => "boolean",
        SqlType::Date | SqlType::Time | SqlType::Timestamp | SqlType::Timestamptz => "datetime",
        SqlType::Interval => "timespan",
        SqlType::Array(_) | SqlType::Vector(_) => "array",
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
    /// `e` with the blank padding of a `char(n)` value removed (PostgreSQL's
    /// bpchar → text conversion); other expressions unchanged.
    fn unpad(&self, e: Box<Expr>, schema: &DFSchema) -> (Box<Expr>, bool) {
        if is_bpchar(&e, schema) {
            (Box::new(Expr::ScalarFunction(ScalarFunction::new_udf(self.rtrim.clone(), vec![*e]))), true)
        } else {
            (e, false)
        }
    }

    fn rewrite(&self, e: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
        // PostgreSQL has no min/max over bytea.
        if let Expr::AggregateFunction(a) = &e
            && matches!(a.func.name(), "max" | "min")
            && let Some(Ok(DataType::Binary | DataType::LargeBinary | DataType::BinaryView)) =
                a.params.args.first().map(|x| x.get_type(schema))
        {
            return Err(Error::new(ErrorCode::UndefinedFunction, format!("function {}(bytea) does not exist", a.func.name()))
                .with_hint("No function matches the given name and argument types. You might need to add explicit type casts.")
                .into_datafusion());
        }
        // char(n) padding is not significant: concatenation, comparison and length
        // see the value without trailing blanks.
        let (e, unpadded) = self.unpad_operands(e, schema);
        let out = self.rewrite_inner(e, schema)?;
        Ok(if unpadded && !out.transformed { Transformed::yes(out.data) } else { out })
    }

    /// Removes char(n) padding from the operands that need it (see `rewrite`).
    fn unpad_operands(&self, e: Expr, schema: &DFSchema) -> (Expr, bool) {
        match e {
            Expr::BinaryExpr(BinaryExpr { left, op, right })
                if op == Operator::StringConcat || op.supports_propagation() && (is_bpchar(&left, schema) || is_bpchar(&right, schema)) =>
            {
                // A string literal compared with char(n) is itself a char(n) value, so
                // its trailing blanks do not count either.
                let bpchar = op != Operator::StringConcat && (is_bpchar(&left, schema) || is_bpchar(&right, schema));
                let (left, l) = self.unpad(left, schema);
                let (right, r) = self.unpad(right, schema);
                let (left, right) = if bpchar { (Box::new(trim_literal(*left)), Box::new(trim_literal(*right))) } else { (left, right) };
                (Expr::BinaryExpr(BinaryExpr { left, op, right }), l || r)
            }
            Expr::ScalarFunction(mut f) if matches!(f.name(), "length" | "char_length" | "character_length") => {
                let mut changed = false;
                for a in f.args.iter_mut() {
                    if is_bpchar(a, schema) {
                        let arg = std::mem::replace(a, Expr::Literal(ScalarValue::Null, None));
                        *a = Expr::ScalarFunction(ScalarFunction::new_udf(self.rtrim.clone(), vec![arg]));
                        changed = true;
                    }
                }
                (Expr::ScalarFunction(f), changed)
            }
            other => (other, false),
        }
    }

    fn rewrite_inner(&self, e: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
        match e {
            Expr::BinaryExpr(BinaryExpr { left, op, right }) => {
                let lt = left.to_field(schema).ok().map(|(_, f)| f);
                let rt = right.to_field(schema).ok().map(|(_, f)| f);
                let (Some(lf), Some(rf)) = (lt, rt) else {
                    return Ok(Transformed::no(Expr::BinaryExpr(BinaryExpr { left, op, right })));
                };
                // text || non-text casts the other side to text (PostgreSQL's textanycat).
                if op == Operator::StringConcat {
                    let (lt, rt) = (is_text_operand(&left, schema), is_text_operand(&right, schema));
                    let cast = |e: Box<Expr>| Box::new(Expr::ScalarFunction(ScalarFunction::new_udf(self.cast_text.clone(), vec![*e])));
                    if lt && is_scalar_non_text(&right, schema) {
                        return Ok(Transformed::yes(Expr::BinaryExpr(BinaryExpr { left, op, right: cast(right) })));
                    }
                    if rt && is_scalar_non_text(&left, schema) {
                        return Ok(Transformed::yes(Expr::BinaryExpr(BinaryExpr { left: cast(left), op, right })));
                    }
                }
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
            Expr::Cast(c) => {
                check_cast(&c, schema)?;
                Ok(Transformed::no(Expr::Cast(c)))
            }
            Expr::ScalarFunction(mut f) if matches!(f.name(), "concat" | "concat_ws") => {
                // concat prints its arguments with their output functions (true → 't').
                let mut changed = false;
                for a in f.args.iter_mut() {
                    if !is_text_operand(a, schema) {
                        let arg = std::mem::replace(a, Expr::Literal(ScalarValue::Null, None));
                        *a = Expr::ScalarFunction(ScalarFunction::new_udf(self.output_text.clone(), vec![arg]));
                        changed = true;
                    }
                }
                Ok(if changed { Transformed::yes(Expr::ScalarFunction(f)) } else { Transformed::no(Expr::ScalarFunction(f)) })
            }
            Expr::ScalarFunction(mut f) if matches!(f.name(), "coalesce" | "greatest" | "least" | "make_array") => {
                let kind = if f.name() == "make_array" { "ARRAY".to_string() } else { f.name().to_ascii_uppercase() };
                let changed = match_types(&kind, f.args.iter_mut().collect(), schema)?;
                Ok(if changed { Transformed::yes(Expr::ScalarFunction(f)) } else { Transformed::no(Expr::ScalarFunction(f)) })
            }
            other => Ok(Transformed::no(other)),
        }
    }

    /// Fails like PostgreSQL when CASE branches cannot be matched to one type; unknown
    /// literal branches take the other branches' type.
    fn check_case(&self, mut case: Case, schema: &DFSchema) -> Result<Transformed<Expr>> {
        // PostgreSQL looks at the ELSE result first, then the THEN results in order.
        let mut results: Vec<&mut Expr> = case.else_expr.as_mut().map(|e| e.as_mut()).into_iter().collect();
        results.extend(case.when_then_expr.iter_mut().map(|(_, t)| t.as_mut()));
        let changed = match_types("CASE", results, schema)?;
        Ok(if changed { Transformed::yes(Expr::Case(case)) } else { Transformed::no(Expr::Case(case)) })
    }
}

/// PostgreSQL has casts between boolean and integer only (and to text): `true::bigint`
/// and `1.5::boolean` are errors there, where Arrow would cast.
fn check_cast(c: &Cast, schema: &DFSchema) -> Result<()> {
    // An integer literal is PostgreSQL's `integer` (we type some as bigint): `1::bool`.
    let literal = match c.expr.as_ref() {
        Expr::Negative(inner) => inner.as_ref(),
        other => other,
    };
    let int_literal = matches!(literal, Expr::Literal(ScalarValue::Int64(Some(n)), _) if i32::try_from(*n).is_ok());
    if int_literal {
        return Ok(());
    }
    let Ok((_, from)) = c.expr.to_field(schema) else {
        return Ok(());
    };
    let to = c.field.data_type();
    let (f, t) = (from.data_type(), to);
    let numeric_other_than_int4 = |d: &DataType| is_numeric(d) && !matches!(d, DataType::Int32 | DataType::Null);
    let bad = (*f == DataType::Boolean && numeric_other_than_int4(t)) || (*t == DataType::Boolean && numeric_other_than_int4(f));
    if bad {
        let from_ty = SqlType::from_field(&from);
        let to_ty = SqlType::from_field(&c.field);
        return Err(Error::new(ErrorCode::CannotCoerce, format!("cannot cast type {} to {}", pg_name(&from_ty), pg_name(&to_ty))).into());
    }
    Ok(())
}

/// Resolves the common type of `exprs` (the results of CASE, the arguments of COALESCE,
/// GREATEST, LEAST) as PostgreSQL does: every typed value must be of one type category
/// (else `<kind> types X and Y cannot be matched`), and unknown literals take that type.
/// Returns whether a literal was cast.
fn match_types(kind: &str, exprs: Vec<&mut Expr>, schema: &DFSchema) -> Result<bool> {
    let mut first: Option<(SqlType, DataType)> = None;
    for r in exprs.iter() {
        if is_string_literal(r) || matches!(r, Expr::Literal(v, _) if v.is_null()) {
            continue; // unknown literals adapt to the other values
        }
        let Ok((_, f)) = r.to_field(schema) else {
            continue;
        };
        let ty = SqlType::from_field(&f);
        match &first {
            None => first = Some((ty, f.data_type().clone())),
            Some((prev, _)) if category(prev) != category(&ty) => {
                return Err(Error::new(
                    ErrorCode::DatatypeMismatch,
                    format!("{kind} types {} and {} cannot be matched", pg_name(prev), pg_name(&ty)),
                )
                .into());
            }
            _ => {}
        }
    }
    let Some((ty, dt)) = first else {
        return Ok(false);
    };
    if ty.is_text_like() {
        return Ok(false);
    }
    // Numbers mixed with floats become floats (PostgreSQL's preferred numeric type is
    // double precision; DataFusion would pick a decimal).
    let types: Vec<DataType> = exprs.iter().filter_map(|e| e.get_type(schema).ok()).collect();
    let float_target = if category(&ty) == "numeric" && types.iter().any(|t| matches!(t, DataType::Float32 | DataType::Float64)) {
        let only_f32_and_ints = types.iter().all(|t| matches!(t, DataType::Float32 | DataType::Null) || is_integer(t));
        Some(if only_f32_and_ints { DataType::Float32 } else { DataType::Float64 })
    } else {
        None
    };
    let mut changed = false;
    for e in exprs {
        let target = if is_string_literal(e) {
            Some(float_target.clone().unwrap_or_else(|| dt.clone()))
        } else {
            match (&float_target, e.get_type(schema)) {
                (Some(f), Ok(t)) if t != *f && t != DataType::Null => Some(f.clone()),
                _ => None,
            }
        };
        if let Some(t) = target {
            let v = std::mem::replace(e, Expr::Literal(ScalarValue::Null, None));
            *e = Expr::Cast(Cast::new(Box::new(v), t));
            changed = true;
        }
    }
    Ok(changed)
}

/// The branches of a UNION must produce each column in one type category (`SELECT 1
/// UNION SELECT 'a'::text` is PostgreSQL's 42804 "UNION types integer and text cannot be
/// matched"; DataFusion would turn both into text). Untyped literals and NULLs adapt.
fn check_union(node: &LogicalPlan) -> Result<()> {
    let LogicalPlan::Union(u) = node else {
        return Ok(());
    };
    let columns = u.schema.fields().len();
    for i in 0..columns {
        let mut first: Option<SqlType> = None;
        for input in &u.inputs {
            // An untyped literal in a branch's select list adapts to the others.
            if let LogicalPlan::Projection(p) = input.as_ref()
                && let Some(e) = p.expr.get(i)
            {
                let e = match e {
                    Expr::Alias(a) => a.expr.as_ref(),
                    other => other,
                };
                if is_string_literal(e) || matches!(e, Expr::Literal(v, _) if v.is_null()) {
                    continue;
                }
            }
            let Some(field) = input.schema().fields().get(i) else { continue };
            if field.data_type() == &DataType::Null {
                continue;
            }
            let ty = SqlType::from_field(field);
            match &first {
                None => first = Some(ty),
                Some(prev) if category(prev) != category(&ty) => {
                    return Err(Error::new(
                        ErrorCode::DatatypeMismatch,
                        format!("UNION types {} and {} cannot be matched", pg_name(prev), pg_name(&ty)),
                    )
                    .into());
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// PostgreSQL requires a recursive query's non-recursive term to have the final column
/// types (`SELECT 1 UNION ALL SELECT n + 0.5` is an error there; DataFusion would cast
/// every row back to integer and may never terminate).
fn check_recursive(node: &LogicalPlan) -> Result<()> {
    let LogicalPlan::RecursiveQuery(rq) = node else {
        return Ok(());
    };
    let fixed = rq.static_term.schema();
    // DataFusion already cast the recursive term to the static term's types; look
    // through those casts for the types the recursive term really produces.
    let LogicalPlan::Projection(proj) = rq.recursive_term.as_ref() else {
        return Ok(());
    };
    let input_schema = proj.input.schema();
    for (i, (a, e)) in fixed.fields().iter().zip(proj.expr.iter()).enumerate() {
        let inner = match e {
            Expr::Alias(al) => al.expr.as_ref(),
            other => other,
        };
        let Expr::Cast(Cast { expr, .. }) = inner else {
            continue;
        };
        let Ok((_, b)) = expr.to_field(input_schema) else {
            continue;
        };
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
        let check = |node: &LogicalPlan| {
            check_recursive(node)?;
            check_union(node)
        };
        super::rewrite_expressions(plan, check, |e, schema| self.rewrite(e, schema))
    }

    fn name(&self) -> &str {
        "pg_coercion"
    }
}
