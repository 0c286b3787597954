//! Integer literals are `integer` when they fit in 32 bits, as in PostgreSQL.
//!
//! DataFusion types every integer literal as Int64, so `int4_col + 1` would be a bigint
//! and `2147483647 + 1` would not overflow. We wrap such literals in `CAST(n AS INT)`
//! wherever they are operands (of operators, functions, IN lists, BETWEEN, CASE, select
//! lists and VALUES rows). Literals that stand alone in ORDER BY / GROUP BY (ordinals),
//! LIMIT, OFFSET and window frames are left alone: there they are not values.

use datafusion::sql::sqlparser::ast::{
    CastKind, DataType, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Query, SelectItem, SetExpr, Statement, UnaryOperator, Value,
    VisitMut, VisitorMut,
};
use std::ops::ControlFlow;

/// Whether numeric literal `n` (`123.45`, `1e308`) fits a 38-digit decimal.
fn fits_numeric(n: &str) -> bool {
    let (mantissa, exp) = match n.find(['e', 'E']) {
        Some(i) => (&n[..i], n[i + 1..].parse::<i64>().unwrap_or(0)),
        None => (n, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: String = format!("{int}{frac}");
    let significant = digits.trim_start_matches('0').len() as i64;
    let scale = frac.len() as i64 - exp;
    let precision = if scale >= 0 { significant.max(scale) } else { significant - scale };
    precision <= 38 && scale <= 38
}

/// Types the integer literals of `stmt`.
pub fn rewrite(stmt: &mut Statement) {
    let _ = stmt.visit(&mut LiteralTyper);
}

struct LiteralTyper;

impl VisitorMut for LiteralTyper {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        type_set_expr(&mut query.body);
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        if let Expr::Value(v) = expr
            && let Value::Number(n, _) = &v.value
            && !fits_numeric(n)
        {
            // Beyond 38 digits (1e308): read it as double precision, the only type we
            // have that holds it (PostgreSQL's numeric would; comparisons with floats,
            // the common use, come out the same).
            *expr = Expr::Cast {
                kind: CastKind::Cast,
                expr: Box::new(Expr::Value(Value::SingleQuotedString(n.clone()).into())),
                data_type: DataType::DoublePrecision,
                array: false,
                format: None,
            };
            return ControlFlow::Continue(());
        }
        match expr {
            Expr::BinaryOp { left, right, .. } => {
                type_operand(left);
                type_operand(right);
            }
            Expr::IsDistinctFrom(a, b) | Expr::IsNotDistinctFrom(a, b) => {
                type_operand(a);
                type_operand(b);
            }
            Expr::InList { expr: e, list, .. } => {
                type_operand(e);
                list.iter_mut().for_each(type_operand);
            }
            Expr::Between { expr: e, low, high, .. } => {
                type_operand(e);
                type_operand(low);
                type_operand(high);
            }
            Expr::Case { operand, conditions, else_result, .. } => {
                if let Some(o) = operand {
                    type_operand(o);
                }
                for c in conditions.iter_mut() {
                    type_operand(&mut c.condition);
                    type_operand(&mut c.result);
                }
                if let Some(e) = else_result {
                    type_operand(e);
                }
            }
            Expr::Nested(inner) => type_operand(inner),
            Expr::Function(f) if f.over.is_none() => {
                if let FunctionArguments::List(list) = &mut f.args {
                    for a in list.args.iter_mut() {
                        if let FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) = a {
                            type_operand(e);
                        }
                    }
                }
            }
            Expr::Array(arr) => arr.elem.iter_mut().for_each(type_operand),
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

fn type_set_expr(body: &mut SetExpr) {
    match body {
        SetExpr::Select(s) => {
            for item in s.projection.iter_mut() {
                match item {
                    SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => type_operand(e),
                    _ => {}
                }
            }
        }
        SetExpr::Values(v) => {
            for row in v.rows.iter_mut() {
                row.content.iter_mut().for_each(type_operand);
            }
            unify_values(v);
        }
        SetExpr::SetOperation { left, right, .. } => {
            type_set_expr(left);
            type_set_expr(right);
        }
        _ => {}
    }
}

/// PostgreSQL resolves each VALUES column to one type: when some row gives a column an
/// explicit type (a cast, `x::uuid`...), string and NULL literals of other rows take it.
fn unify_values(v: &mut datafusion::sql::sqlparser::ast::Values) {
    let width = v.rows.first().map(|r| r.content.len()).unwrap_or(0);
    for col in 0..width {
        let typed = v.rows.iter().find_map(|r| match r.content.get(col) {
            Some(Expr::Cast { data_type, kind, .. }) if !matches!(data_type, DataType::Int(None)) || *kind != CastKind::Cast => {
                Some(Typer::Cast(data_type.clone()))
            }
            Some(Expr::Function(f)) if f.name.to_string().starts_with("quiver_cast_") => {
                Some(Typer::Func(f.name.to_string(), f.args.clone()))
            }
            _ => None,
        });
        let Some(typed) = typed else { continue };
        for row in v.rows.iter_mut() {
            let Some(cell) = row.content.get_mut(col) else {
                continue;
            };
            let is_unknown = matches!(cell, Expr::Value(x) if matches!(x.value, Value::SingleQuotedString(_) | Value::Null));
            if !is_unknown {
                continue;
            }
            let lit = std::mem::replace(cell, Expr::Value(Value::Null.into()));
            *cell = match &typed {
                Typer::Cast(dt) => {
                    Expr::Cast { kind: CastKind::Cast, expr: Box::new(lit), data_type: dt.clone(), array: false, format: None }
                }
                Typer::Func(name, args) => {
                    let mut extra: Vec<Expr> = match args {
                        FunctionArguments::List(l) => l
                            .args
                            .iter()
                            .skip(1)
                            .filter_map(|a| match a {
                                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e.clone()),
                                _ => None,
                            })
                            .collect(),
                        _ => vec![],
                    };
                    extra.insert(0, lit);
                    super::call(name, extra)
                }
            };
        }
    }
}

/// How a VALUES column was typed explicitly.
enum Typer {
    Cast(DataType),
    Func(String, FunctionArguments),
}

/// Wraps `e` in `CAST(e AS INT)` when it is an integer literal that fits in 32 bits.
fn type_operand(e: &mut Expr) {
    let value = match e {
        Expr::Value(v) => match &v.value {
            Value::Number(n, false) => n.parse::<i64>().ok(),
            _ => None,
        },
        Expr::UnaryOp { op: UnaryOperator::Minus, expr } => match expr.as_ref() {
            Expr::Value(v) => match &v.value {
                Value::Number(n, false) => n.parse::<i64>().ok().map(|n| -n),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    };
    let Some(v) = value else { return };
    if i32::try_from(v).is_err() {
        return;
    }
    *e = Expr::Cast {
        kind: CastKind::Cast,
        expr: Box::new(Expr::Value(Value::Number(v.to_string(), false).into())),
        data_type: DataType::Int(None),
        array: false,
        format: None,
    };
}

#[cfg(test)]
mod tests {
    use crate::parse::parse;

    fn typed(sql: &str) -> String {
        let mut stmt = parse(sql).unwrap().remove(0);
        super::rewrite(&mut stmt);
        stmt.to_string()
    }

    #[test]
    fn operands_are_typed_but_ordinals_and_limits_are_not() {
        assert_eq!(
            typed("SELECT a + 1, 2 FROM t WHERE b = -3 ORDER BY 1 LIMIT 5"),
            "SELECT a + CAST(1 AS INT), CAST(2 AS INT) FROM t WHERE b = CAST(-3 AS INT) ORDER BY 1 LIMIT 5"
        );
        assert_eq!(typed("SELECT 3000000000"), "SELECT 3000000000");
        assert_eq!(typed("SELECT -2147483648"), "SELECT CAST(-2147483648 AS INT)");
    }
}
