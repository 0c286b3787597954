//! Casts whose PostgreSQL semantics are not Arrow casts become function calls.
//!
//! * `::json`, `::jsonb`, `::uuid` validate and normalize text (`quiver_cast_json`, ...).
//! * `::text` (and unbounded `::varchar`) print values with PostgreSQL's output functions
//!   (`quiver_cast_text`): Arrow would print arrays as `[1, 2]` and timestamps with a `T`.
//! * `::varchar(n)` truncates and `::char(n)` truncates and pads (`quiver_cast_varchar`,
//!   `quiver_cast_bpchar`): explicit casts cut silently in PostgreSQL.
//!
//! Typed string literals (`jsonb '{}'`, `uuid '...'`) are casts too.

use super::call;
use crate::types::sql_type;
use datafusion::sql::sqlparser::ast::{DataType, Expr, Statement, Value, visit_expressions_mut};
use quiverdb_catalog::{Result, SqlType};
use std::ops::ControlFlow;

/// Name of the function a cast to `ty` becomes, if it is not a plain Arrow cast.
pub fn cast_function(ty: &SqlType) -> Option<&'static str> {
    match ty {
        SqlType::Json => Some("quiver_cast_json"),
        SqlType::Jsonb => Some("quiver_cast_jsonb"),
        SqlType::Uuid => Some("quiver_cast_uuid"),
        SqlType::Text | SqlType::Varchar(None) => Some("quiver_cast_text"),
        SqlType::Varchar(Some(_)) => Some("quiver_cast_varchar"),
        SqlType::Char(_) => Some("quiver_cast_bpchar"),
        _ => None,
    }
}

/// Rewrites every such cast in `stmt`.
pub fn rewrite(stmt: &mut Statement) -> Result<()> {
    let flow = visit_expressions_mut(stmt, |expr| match rewrite_expr(expr) {
        Ok(()) => ControlFlow::Continue(()),
        Err(e) => ControlFlow::Break(e),
    });
    match flow {
        ControlFlow::Break(e) => Err(e),
        ControlFlow::Continue(()) => Ok(()),
    }
}

/// An ILIKE pattern lower-cased (ASCII): literals directly, so the ESCAPE rewrite below
/// still sees a literal; other expressions through `lower()`.
fn fold_pattern(pattern: Expr) -> Expr {
    match pattern {
        Expr::Value(v) => match v.value {
            Value::SingleQuotedString(p) => Expr::Value(Value::SingleQuotedString(p.to_ascii_lowercase()).into()),
            other => Expr::Value(other.into()),
        },
        other => super::call("lower", vec![other]),
    }
}

fn rewrite_expr(expr: &mut Expr) -> Result<()> {
    // CAST(x AS timestamp(p) / time(p)) rounds to p fraction digits.
    if let Expr::Cast { data_type: DataType::Timestamp(precision, _) | DataType::Time(precision, _), .. } = expr
        && let Some(p) = precision.take_if(|p| *p < 6)
    {
        let cast = std::mem::replace(expr, Expr::Value(Value::Null.into()));
        *expr = call("quiver_time_precision", vec![cast, Expr::Value(Value::Number(p.to_string(), false).into())]);
        return Ok(());
    }
    // x AT TIME ZONE z is timezone(z, x), with PostgreSQL's meaning for both directions.
    if let Expr::AtTimeZone { timestamp, time_zone } = expr {
        let ts = std::mem::replace(timestamp.as_mut(), Expr::Value(Value::Null.into()));
        let zone = std::mem::replace(time_zone.as_mut(), Expr::Value(Value::Null.into()));
        *expr = call("timezone", vec![zone, ts]);
        return Ok(());
    }
    // ILIKE folds case like lower() does: ASCII letters only under the C collation
    // (DataFusion's ILIKE folds all of Unicode). `lower` is our ASCII version.
    if let Expr::ILike { negated, any, expr: value, pattern, escape_char } = expr {
        let value = std::mem::replace(value.as_mut(), Expr::Value(Value::Null.into()));
        let pat = std::mem::replace(pattern.as_mut(), Expr::Value(Value::Null.into()));
        *expr = Expr::Like {
            negated: *negated,
            any: *any,
            expr: Box::new(super::call("lower", vec![value])),
            pattern: Box::new(fold_pattern(pat)),
            escape_char: escape_char.take(),
        };
    }
    // LIKE ... ESCAPE 'c': DataFusion only knows backslash, so re-escape the pattern: a
    // literal now, anything else (`$1 || '%'`) through `quiver_like_escape` when it runs.
    if let Expr::Like { pattern, escape_char, .. } | Expr::ILike { pattern, escape_char, .. } = expr
        && let Some(esc) = escape_char.as_ref()
        && let Value::SingleQuotedString(e) = &esc.value
        && e != "\\"
    {
        let e = e.clone();
        *escape_char = None;
        match pattern.as_mut() {
            Expr::Value(p) if matches!(&p.value, Value::SingleQuotedString(_)) => {
                let Value::SingleQuotedString(pat) = &p.value else { unreachable!("matched above") };
                let new = quiverdb_catalog::input::like_reescape(pat, &e)?;
                **pattern = Expr::Value(Value::SingleQuotedString(new).into());
            }
            other => {
                quiverdb_catalog::input::like_reescape("", &e)?;
                let pat = std::mem::replace(other, Expr::Value(Value::Null.into()));
                *other = call("quiver_like_escape", vec![pat, Expr::Value(Value::SingleQuotedString(e).into())]);
            }
        }
        return Ok(());
    }
    // mod(a, b) is a % b.
    if let Expr::Function(f) = expr
        && f.over.is_none()
        && f.name.to_string().eq_ignore_ascii_case("mod")
        && let datafusion::sql::sqlparser::ast::FunctionArguments::List(list) = &f.args
        && let [
            datafusion::sql::sqlparser::ast::FunctionArg::Unnamed(datafusion::sql::sqlparser::ast::FunctionArgExpr::Expr(a)),
            datafusion::sql::sqlparser::ast::FunctionArg::Unnamed(datafusion::sql::sqlparser::ast::FunctionArgExpr::Expr(b)),
        ] = list.args.as_slice()
    {
        *expr = Expr::Nested(Box::new(Expr::BinaryOp {
            left: Box::new(a.clone()),
            op: datafusion::sql::sqlparser::ast::BinaryOperator::Modulo,
            right: Box::new(b.clone()),
        }));
        return Ok(());
    }
    // INTERVAL '...' [field]: PostgreSQL's interval input (DataFusion's parser differs).
    if let Expr::Interval(iv) = expr
        && iv.last_field.is_none()
        && let Expr::Value(v) = iv.value.as_ref()
        && let Value::SingleQuotedString(text) = &v.value
    {
        let text = match &iv.leading_field {
            Some(f) => format!("{text} {f}"),
            None => text.clone(),
        };
        *expr = Expr::Cast {
            kind: datafusion::sql::sqlparser::ast::CastKind::Cast,
            expr: Box::new(Expr::Value(Value::SingleQuotedString(text).into())),
            data_type: DataType::Interval { fields: None, precision: None },
            array: false,
            format: None,
        };
        return Ok(());
    }
    let (inner, data_type) = match expr {
        Expr::Cast { expr: inner, data_type, .. } => ((**inner).clone(), data_type.clone()),
        Expr::TypedString(ts) => (Expr::Value(ts.value.clone()), ts.data_type.clone()),
        _ => return Ok(()),
    };
    let ty = match sql_type(&data_type) {
        Ok(t) => t,
        // Unknown names are left to the planner, which reports them.
        Err(e) if e.code == quiverdb_catalog::ErrorCode::UndefinedObject => return Ok(()),
        Err(e) => return Err(e),
    };
    let Some(func) = cast_function(&ty) else {
        return Ok(());
    };
    let mut args = vec![inner];
    if let SqlType::Varchar(Some(n)) | SqlType::Char(n) = ty {
        args.push(Expr::Value(Value::Number(n.to_string(), false).into()));
    }
    *expr = call(func, args);
    Ok(())
}

/// True for a literal PostgreSQL would type by context (`'x'`, `1`, `-1`, `NULL`, `true`).
pub fn is_context_typed_literal(e: &Expr) -> bool {
    match e {
        Expr::Value(v) => matches!(
            v.value,
            Value::SingleQuotedString(_)
                | Value::EscapedStringLiteral(_)
                | Value::DollarQuotedString(_)
                | Value::NationalStringLiteral(_)
                | Value::Number(..)
                | Value::Null
                | Value::Boolean(_)
        ),
        Expr::UnaryOp { expr, .. } => {
            matches!(expr.as_ref(), Expr::Value(v) if matches!(v.value, Value::Number(..)))
        }
        _ => false,
    }
}

/// `lit` read as a value of column type `ty`, the way an INSERT or UPDATE target types a
/// literal; text-like targets keep the literal (their length rules apply on assignment).
pub fn type_literal(lit: Expr, ty: &SqlType, ast_type: impl Fn(&SqlType) -> Result<DataType>) -> Result<Expr> {
    let original = lit.clone();
    // Integer literals were typed `integer` by the literal pass; the target decides here.
    let lit = match lit {
        Expr::Cast { expr, data_type: DataType::Int(None), kind: datafusion::sql::sqlparser::ast::CastKind::Cast, .. }
            if is_context_typed_literal(&expr) =>
        {
            *expr
        }
        other => other,
    };
    if !is_context_typed_literal(&lit) || ty.is_text_like() {
        return Ok(lit);
    }
    // Only strings and NULL are PostgreSQL's `unknown`; numbers and booleans have types
    // of their own and go through the assignment rules (a number into a numeric column
    // is typed by it; `true` into an integer column is an error).
    let number = match &lit {
        Expr::Value(v) => matches!(v.value, Value::Number(..)),
        Expr::UnaryOp { .. } => true,
        _ => false,
    };
    let numeric_target = matches!(
        ty,
        SqlType::Int2 | SqlType::Int4 | SqlType::Int8 | SqlType::Float4 | SqlType::Float8 | SqlType::Numeric { .. } | SqlType::Oid
    );
    let boolean = matches!(&lit, Expr::Value(v) if matches!(v.value, Value::Boolean(_)));
    if (number && !numeric_target) || (boolean && *ty != SqlType::Bool) {
        return Ok(original);
    }
    if let Some(func) = cast_function(ty) {
        return Ok(call(func, vec![lit]));
    }
    Ok(Expr::Cast {
        kind: datafusion::sql::sqlparser::ast::CastKind::Cast,
        expr: Box::new(lit),
        data_type: ast_type(ty)?,
        array: false,
        format: None,
    })
}

#[cfg(test)]
mod tests {
    use crate::parse::parse;

    #[test]
    fn casts_become_calls() {
        let mut stmt = parse("SELECT '{\"a\":1}'::jsonb, CAST('x' AS uuid), a::text, b::varchar(3), 1::int").unwrap().remove(0);
        super::rewrite(&mut stmt).unwrap();
        let out = stmt.to_string();
        assert!(out.contains("quiver_cast_jsonb('{\"a\":1}')"), "{out}");
        assert!(out.contains("quiver_cast_uuid('x')"), "{out}");
        assert!(out.contains("quiver_cast_text(a)"), "{out}");
        assert!(out.contains("quiver_cast_varchar(b, 3)"), "{out}");
        assert!(out.contains("1::INT"), "{out}");
    }
}
