//! Using SQL expression indexes on document attributes from AQL comparisons.
//!
//! `CREATE INDEX ON users ((doc->>'city'))` indexes the text of an attribute. AQL's
//! `u.city == "Paris"` is not that SQL comparison (AQL equality is typed), but it implies
//! it: a document whose `city` is the string `"Paris"` has `doc->>'city' = 'Paris'`. So the
//! lowered filter becomes `doc->>'city' = 'Paris' AND <AQL equality>`, and the first
//! conjunct is answered by the index through the same provider pushdown as SQL's. The
//! AQL conjunct is left out when the SQL one is already exact: when the string is not the
//! text of any non-string JSON value (`"Paris"` is not, `"5"` or `"true"` are), no other
//! value's `->>` text can equal it.
//!
//! A numeric cast of an attribute (`((doc->>'age')::int)`) serves `u.age == 30` the same
//! way, always with the AQL conjunct (the string `"30"` casts to 30 too). Partial indexes
//! are not used: outside their predicate a cast may fail.
//!
//! The key expression is the index's own SQL text planned against the FOR variable's
//! scan, so it is exactly the expression a SQL query's filter would hold.

use super::Lowerer;
use super::expr::Lowered;
use crate::ast::{BinaryOp, Expr as AqlExpr, ExprKind};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::logical_expr::{Expr, lit};
use quiverdb_catalog::TableDef;
use serde_json::Value as Json;

/// An index key over one attribute of a jsonb column.
struct AttributeKey {
    /// The key expression, qualified by the FOR variable.
    expr: Expr,
    /// The numeric type the attribute text is cast to, if any.
    cast: Option<DataType>,
}

impl Lowerer<'_> {
    /// `attr == constant` or `attr IN constants` (`attr`: an attribute of a FOR variable's
    /// jsonb column) as an index key condition implied by the AQL comparison, and whether
    /// it is exact (the AQL comparison adds nothing).
    pub(crate) fn indexed_condition(
        &self,
        frame: &super::Frame,
        op: BinaryOp,
        l: &AqlExpr,
        r: &AqlExpr,
        a: &Lowered,
        b: &Lowered,
    ) -> Option<(Expr, bool)> {
        if !matches!(op, BinaryOp::Eq | BinaryOp::In) {
            return None;
        }
        let (attr, constant) = match (&b.constant, &a.constant) {
            (Some(c), None) => (l, c),
            (None, Some(c)) if op == BinaryOp::Eq => (r, c),
            _ => return None,
        };
        let key = self.attribute_key(frame, attr)?;
        let values: Vec<&Json> = match (op, constant) {
            (BinaryOp::In, Json::Array(items)) if !items.is_empty() => items.iter().collect(),
            (BinaryOp::Eq, c) => vec![c],
            _ => return None,
        };
        let mut literals = Vec::with_capacity(values.len());
        let mut exact = key.cast.is_none();
        for v in values {
            match (&key.cast, v) {
                (None, Json::String(s)) => {
                    // The text of a number, boolean, array or object: not exact.
                    exact &= serde_json::from_str::<Json>(s).is_err();
                    literals.push(lit(s.as_str()));
                }
                (Some(ty), Json::Number(n)) => literals.push(lit(numeric_literal(n, ty)?)),
                _ => return None,
            }
        }
        let condition = if literals.len() == 1 { key.expr.eq(literals.pop()?) } else { key.expr.in_list(literals, false) };
        Some((condition, exact))
    }

    /// The key of a plain index on `attr` (`var.a` of a collection, `var.col.a` of a
    /// typed table's jsonb column), if there is one.
    fn attribute_key(&self, frame: &super::Frame, attr: &AqlExpr) -> Option<AttributeKey> {
        let (base, name) = match &attr.kind {
            ExprKind::Attribute(base, name) => (base, name.as_str()),
            ExprKind::Index(base, i) => match &i.kind {
                ExprKind::String(s) => (base, s.as_str()),
                _ => return None,
            },
            _ => return None,
        };
        let (var, column) = match &base.kind {
            ExprKind::Name(var) => (var.as_str(), None),
            ExprKind::Attribute(inner, column) => match &inner.kind {
                ExprKind::Name(var) => (var.as_str(), Some(column.as_str())),
                _ => return None,
            },
            _ => return None,
        };
        let resolved = self.lookup(frame, var)?;
        let super::Binding::Row { qualifier, table } = resolved.binding else { return None };
        if resolved.outer.is_some() {
            return None;
        }
        let column = match (column, table.collection) {
            (None, Some(_)) => "doc",
            (Some(c), None) => c,
            _ => return None,
        };
        self.index_on(&table, &qualifier, column, name)
    }

    /// The key expression of a plain index of `table` whose key is `column->>'name'` or a
    /// numeric cast of it.
    fn index_on(&self, table: &TableDef, qualifier: &str, column: &str, name: &str) -> Option<AttributeKey> {
        let schema = table.qualified_schema(qualifier).ok()?;
        for index in table.indexes.iter().filter(|i| i.predicate.is_none()) {
            // Only the leading key can be pinned by one comparison.
            let Some(first) = index.exprs.first().filter(|_| index.columns.first() == Some(&0)) else { continue };
            let Ok(expr) = self.catalog.plan_sql_expr(self.state, &first.sql, &schema) else { continue };
            let (inner, cast) = match &expr {
                Expr::Cast(c) if is_numeric(c.field.data_type()) => (c.expr.as_ref(), Some(c.field.data_type().clone())),
                other => (other, None),
            };
            if is_attribute_text(inner, column, name) {
                return Some(AttributeKey { expr, cast });
            }
        }
        None
    }
}

/// True when `e` is `column->>'name'`.
fn is_attribute_text(e: &Expr, column: &str, name: &str) -> bool {
    let Expr::ScalarFunction(f) = e else { return false };
    if f.func.name() != "quiver_json_get_text" {
        return false;
    }
    matches!(f.args.as_slice(), [Expr::Column(c), Expr::Literal(ScalarValue::Utf8(Some(s)), _)] if c.name == column && s == name)
}

fn is_numeric(ty: &DataType) -> bool {
    matches!(ty, DataType::Int16 | DataType::Int32 | DataType::Int64 | DataType::Float32 | DataType::Float64 | DataType::Decimal128(..))
}

/// `n` as a literal of `ty`, when it is exactly representable there.
fn numeric_literal(n: &serde_json::Number, ty: &DataType) -> Option<ScalarValue> {
    let f = n.as_f64()?;
    let int = (f.fract() == 0.0).then_some(f as i64);
    Some(match ty {
        DataType::Int16 => ScalarValue::Int16(Some(i16::try_from(int?).ok()?)),
        DataType::Int32 => ScalarValue::Int32(Some(i32::try_from(int?).ok()?)),
        DataType::Int64 => ScalarValue::Int64(Some(int?)),
        DataType::Float64 => ScalarValue::Float64(Some(f)),
        DataType::Float32 => ScalarValue::Float32(Some(f as f32)),
        DataType::Decimal128(_, _) => ScalarValue::Float64(Some(f)).cast_to(ty).ok()?,
        _ => return None,
    })
}
