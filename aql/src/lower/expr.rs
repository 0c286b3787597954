//! Expression lowering: each AQL expression becomes a DataFusion `Expr` of one of three
//! kinds (see [`Kind`]); constants are kept as JSON too, for native comparisons and LIMIT.

use super::{Binding, Frame, Lowerer, OuterVar, Resolved, json_literal};
use crate::ast::{BinaryOp, Expr as AqlExpr, ExprKind, ObjectKey, Quantifier, UnaryOp};
use datafusion::common::ScalarValue;
use datafusion::logical_expr::{BinaryExpr, Expr, ExprFunctionExt, ExprSchemable, Operator, case, lit};
use quiverdb_catalog::{Error, ErrorCode, SqlType};
use serde_json::Value as Json;

/// The variable an array expansion binds each element to.
pub(crate) const CURRENT: &str = "CURRENT";

/// The SQL type family of a native column, as far as AQL comparisons care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// int2/int4/int8.
    Integer,
    /// float4/float8/numeric.
    Float,
    /// text/varchar.
    Text,
    /// bool.
    Bool,
    /// Anything else (compared through AQL values).
    Other,
}

impl Class {
    fn of(ty: &SqlType) -> Class {
        match ty {
            SqlType::Int2 | SqlType::Int4 | SqlType::Int8 => Class::Integer,
            SqlType::Float4 | SqlType::Float8 | SqlType::Numeric { .. } => Class::Float,
            SqlType::Text | SqlType::Varchar(_) => Class::Text,
            SqlType::Bool => Class::Bool,
            _ => Class::Other,
        }
    }
}

/// What a lowered expression's DataFusion value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An AQL value as `jsonb` text.
    Value,
    /// A boolean; SQL NULL counts as false.
    Bool,
    /// A typed SQL value (a table column); SQL NULL is AQL `null`.
    Native(Class),
}

/// A lowered expression.
#[derive(Debug, Clone)]
pub struct Lowered {
    /// The DataFusion expression.
    pub expr: Expr,
    /// What it computes.
    pub kind: Kind,
    /// Its value when known at planning time.
    pub constant: Option<Json>,
    /// Never NULL (a NOT NULL column).
    pub not_null: bool,
}

impl Lowered {
    /// An AQL value.
    pub fn value(expr: Expr) -> Self {
        Lowered { expr, kind: Kind::Value, constant: None, not_null: false }
    }

    fn boolean(expr: Expr) -> Self {
        Lowered { expr, kind: Kind::Bool, constant: None, not_null: false }
    }

    /// As an AQL value (jsonb text).
    pub fn into_value(self, lw: &Lowerer) -> Result<Expr, Error> {
        match self.kind {
            Kind::Value => Ok(self.expr),
            Kind::Bool => lw.call("aql_value", vec![self.expr.is_true()]),
            Kind::Native(_) => lw.call("aql_value", vec![self.expr]),
        }
    }

    /// As a boolean by AQL's truthiness (never NULL where it matters: NULL counts false).
    pub fn into_bool(self, lw: &Lowerer) -> Result<Expr, Error> {
        match self.kind {
            Kind::Bool => Ok(self.expr),
            Kind::Value => lw.call("aql_bool", vec![self.expr]),
            Kind::Native(_) => {
                let v = lw.call("aql_value", vec![self.expr])?;
                lw.call("aql_bool", vec![v])
            }
        }
    }
}

/// A number's canonical JSON text: integral values without a fraction.
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 { format!("{}", f as i64) } else { format!("{f}") }
}

/// JSON for a number, `null` when not finite (as AQL computes).
fn json_number(f: f64) -> Json {
    serde_json::from_str(&number_text(f)).ok().filter(|_| f.is_finite()).unwrap_or(Json::Null)
}

impl Lowerer<'_> {
    /// A constant value.
    pub(crate) fn constant(&self, v: Json) -> Result<Lowered, Error> {
        let text = match &v {
            Json::Number(n) => number_text(n.as_f64().unwrap_or(0.0)),
            other => other.to_string(),
        };
        let expr = self.call("aql_json", vec![json_literal(text)])?;
        Ok(Lowered { expr, kind: Kind::Value, constant: Some(v), not_null: false })
    }

    /// Lowers `e` in the scope of `frame`.
    pub(crate) fn expr(&self, frame: &Frame, e: &AqlExpr) -> Result<Lowered, Error> {
        match &e.kind {
            ExprKind::Null => self.constant(Json::Null),
            ExprKind::Bool(b) => self.constant(Json::Bool(*b)),
            ExprKind::Number(n) => self.constant(json_number(*n)),
            ExprKind::String(s) => self.constant(Json::String(s.clone())),
            ExprKind::Bind(name) => {
                let v = self.bind.value(name, self.pos(e.span))?.clone();
                self.constant(v)
            }
            ExprKind::BindCollection(name) => {
                Err(self.err(ErrorCode::FeatureNotSupported, e.span, format!("collection parameter @@{name} used as a value")))
            }
            ExprKind::Array(items) => {
                let lowered = items.iter().map(|i| self.expr(frame, i)).collect::<Result<Vec<_>, _>>()?;
                if let Some(values) = lowered.iter().map(|l| l.constant.clone()).collect::<Option<Vec<_>>>() {
                    return self.constant(Json::Array(values));
                }
                let args = lowered.into_iter().map(|l| l.into_value(self)).collect::<Result<Vec<_>, _>>()?;
                Ok(Lowered::value(self.call("aql_array", args)?))
            }
            ExprKind::Object(members) => self.object(frame, members),
            ExprKind::Name(name) => self.variable(frame, name, e),
            ExprKind::Attribute(base, name) => self.attribute(frame, base, name),
            ExprKind::Index(base, index) => {
                if let ExprKind::String(s) = &index.kind {
                    return self.attribute(frame, base, s);
                }
                let b = self.expr(frame, base)?.into_value(self)?;
                let i = self.expr(frame, index)?.into_value(self)?;
                Ok(Lowered::value(self.call("aql_index", vec![b, i])?))
            }
            ExprKind::Expansion(x) => self.expansion(frame, x, e),
            ExprKind::Unary(op, operand) => self.unary(frame, *op, operand),
            ExprKind::Binary(op, l, r) => self.binary(frame, *op, l, r),
            ExprKind::Quantified { quantifier, op, lhs, rhs } => {
                let q = match quantifier {
                    Quantifier::All => "all",
                    Quantifier::Any => "any",
                    Quantifier::None => "none",
                };
                let name = format!("aql_{q}_{}", comparison_suffix(*op).ok_or_else(|| Error::internal("quantified operator"))?);
                let l = self.expr(frame, lhs)?.into_value(self)?;
                let r = self.expr(frame, rhs)?.into_value(self)?;
                Ok(Lowered::boolean(self.call(&name, vec![l, r])?))
            }
            ExprKind::Ternary { cond, then, otherwise } => {
                let c = self.expr(frame, cond)?;
                let test = c.clone().into_bool(self)?;
                let then = match then {
                    Some(t) => self.expr(frame, t)?.into_value(self)?,
                    None => c.into_value(self)?,
                };
                let otherwise = self.expr(frame, otherwise)?.into_value(self)?;
                // Both branches must be typed jsonb for CASE (unnested elements are text).
                let then = self.as_jsonb(frame, then)?;
                let otherwise = self.as_jsonb(frame, otherwise)?;
                Ok(Lowered::value(case(lit(true)).when(test, then).otherwise(otherwise)?))
            }
            ExprKind::Call { name, args } => self.function(frame, name, args, e),
            ExprKind::Subquery(q) => self.subquery(frame, q),
        }
    }

    fn object(&self, frame: &Frame, members: &[(ObjectKey, AqlExpr)]) -> Result<Lowered, Error> {
        let mut args = Vec::with_capacity(members.len() * 2);
        let mut constant = Some(serde_json::Map::new());
        for (key, value) in members {
            let v = self.expr(frame, value)?;
            let k = match key {
                ObjectKey::Name(n) => self.constant(Json::String(n.clone()))?,
                ObjectKey::Computed(k) => self.expr(frame, k)?,
            };
            match (&mut constant, &k.constant, &v.constant) {
                (Some(map), Some(Json::String(ks)), Some(vs)) => {
                    map.insert(ks.clone(), vs.clone());
                }
                _ => constant = None,
            }
            args.push(k.into_value(self)?);
            args.push(v.into_value(self)?);
        }
        if let Some(map) = constant
            && map.len() == members.len()
        {
            return self.constant(Json::Object(map));
        }
        Ok(Lowered::value(self.call("aql_object", args)?))
    }

    fn variable(&self, frame: &Frame, name: &str, e: &AqlExpr) -> Result<Lowered, Error> {
        let Some(found) = self.lookup(frame, name) else {
            return Err(self.err(ErrorCode::UndefinedColumn, e.span, format!("variable '{name}' is not known")));
        };
        match found.binding {
            Binding::Column { column, kind } => {
                Ok(Lowered { expr: self.column_ref(column, &found.outer)?, kind, constant: None, not_null: false })
            }
            Binding::Row { qualifier, table } if table.collection.is_some() => {
                // A collection's row is its stored document.
                let doc = self.column_ref(datafusion::common::Column::new(Some(qualifier.as_str()), "doc"), &found.outer)?;
                Ok(Lowered { expr: doc, kind: Kind::Value, constant: None, not_null: true })
            }
            Binding::Row { qualifier, table } => {
                // A typed row as a document: {column: value, ...}.
                let mut args = Vec::new();
                for c in table.live_columns() {
                    args.push(json_literal(Json::String(c.name.clone()).to_string()));
                    let col = self.column_ref(datafusion::common::Column::new(Some(qualifier.as_str()), c.name.as_str()), &found.outer)?;
                    args.push(self.call("aql_value", vec![col])?);
                }
                Ok(Lowered::value(self.call("aql_object", args)?))
            }
        }
    }

    fn attribute(&self, frame: &Frame, base: &AqlExpr, name: &str) -> Result<Lowered, Error> {
        if let ExprKind::Name(var) = &base.kind
            && let Some(Resolved { binding: Binding::Row { qualifier, table }, outer }) = self.lookup(frame, var)
        {
            if let Some(kind) = table.collection
                && !kind.columns().iter().any(|c| *c != "doc" && *c == name)
            {
                // Attributes of a stored document other than its key, id and edge ends.
                let doc = self.column_ref(datafusion::common::Column::new(Some(qualifier.as_str()), "doc"), &outer)?;
                return Ok(Lowered::value(self.call("aql_get", vec![doc, lit(name)])?));
            }
            let Some(c) = table.column(name) else { return self.constant(Json::Null) };
            let column = datafusion::common::Column::new(Some(qualifier.as_str()), c.name.as_str());
            let (ty, not_null) = self.column_type(frame, &column, &outer)?;
            return Ok(Lowered { expr: self.column_ref(column, &outer)?, kind: Kind::Native(Class::of(&ty)), constant: None, not_null });
        }
        let b = self.expr(frame, base)?;
        if let Some(c) = &b.constant {
            return self.constant(c.get(name).cloned().unwrap_or(Json::Null));
        }
        let b = b.into_value(self)?;
        Ok(Lowered::value(self.call("aql_get", vec![b, lit(name)])?))
    }

    /// `( query )`: the array of the values the subquery returns, as a scalar subquery over
    /// `aql_agg_push` (DataFusion turns uncorrelated and equality-correlated ones into
    /// joins). An empty result is `[]`, also after decorrelation.
    fn subquery(&self, frame: &Frame, q: &crate::ast::Query) -> Result<Lowered, Error> {
        let mut outer: Vec<OuterVar> = frame.outer.iter().map(|v| OuterVar { direct: false, ..v.clone() }).collect();
        for (name, binding) in &frame.vars {
            outer.push(OuterVar { name: name.clone(), binding: binding.clone(), schema: frame.plan.schema().clone(), direct: true });
        }
        let planned = self.plan_level(q, outer, false, true)?;
        let push = self.state.aggregate_functions().get("aql_agg_push").cloned().ok_or_else(|| Error::internal("aql_agg_push"))?;
        let value = Expr::Column(datafusion::common::Column::from_name(super::VALUE_COLUMN));
        // The array keeps the subquery's order (its SORT), also after DataFusion turns a
        // correlated subquery into a grouped join: the aggregate sorts its input by it.
        let mut push = push.call(vec![value]);
        if !planned.order.is_empty() {
            push = push.order_by(planned.order).build()?;
        }
        let plan = datafusion::logical_expr::LogicalPlanBuilder::from(planned.plan)
            .aggregate(Vec::<Expr>::new(), vec![push.alias(super::VALUE_COLUMN)])?
            .build()?;
        let sub = datafusion::logical_expr::expr_fn::scalar_subquery(std::sync::Arc::new(plan));
        // Not `coalesce`: DataFusion expands it into a CASE naming the subquery twice,
        // which decorrelation would then join twice.
        Ok(Lowered::value(self.call("aql_or_empty", vec![sub])?))
    }

    /// `e` typed `jsonb` (an AQL value held as plain text, like an unnested element, is
    /// re-labelled through `aql_json`).
    pub(crate) fn as_jsonb(&self, frame: &Frame, e: Expr) -> Result<Expr, Error> {
        let typed = e.to_field(frame.plan.schema()).map(|(_, f)| SqlType::from_field(&f) == SqlType::Jsonb).unwrap_or(false);
        if typed { Ok(e) } else { self.call("aql_json", vec![e]) }
    }

    /// `base[* FILTER f LIMIT n RETURN r].path` is the subquery
    /// `(FOR CURRENT IN base FILTER f LIMIT n RETURN r)` (or `RETURN CURRENT.path`), so it
    /// runs on the same operators; `[**]` flattens `base` first, and a value that is not
    /// an array expands to `[]`.
    fn expansion(&self, frame: &Frame, x: &crate::ast::Expansion, e: &AqlExpr) -> Result<Lowered, Error> {
        use crate::ast::{Expr as A, Ident, Op, Query};
        let span = e.span;
        let node = |kind| A { kind, span };
        let mut base = (*x.base).clone();
        if x.flatten > 0 {
            let depth = node(ExprKind::Number(f64::from(x.flatten)));
            base = node(ExprKind::Call { name: "FLATTEN".into(), args: vec![base, depth] });
        }
        let is_array = node(ExprKind::Call { name: "IS_ARRAY".into(), args: vec![base.clone()] });
        let source = node(ExprKind::Ternary {
            cond: Box::new(is_array),
            then: Some(Box::new(base)),
            otherwise: Box::new(node(ExprKind::Array(Vec::new()))),
        });
        if x.filter.is_none() && x.limit.is_none() && x.ret.is_none() && x.projection.is_none() {
            // Nothing per element: `a[*]` is `a` and `a[**]` is `FLATTEN(a)` (arrays only).
            return self.expr(frame, &source);
        }
        let current = Ident { name: CURRENT.into(), span };
        let mut ops = vec![Op::For { var: current, source, options: None, span }];
        if let Some(f) = &x.filter {
            ops.push(Op::Filter { condition: (**f).clone(), span });
        }
        if let Some((offset, count)) = &x.limit {
            ops.push(Op::Limit { offset: offset.as_deref().cloned(), count: (**count).clone(), span });
        }
        let value = match (&x.ret, &x.projection) {
            (Some(_), Some(_)) => {
                return Err(self.err(
                    ErrorCode::FeatureNotSupported,
                    span,
                    "attribute access after an expansion with RETURN is not supported yet",
                ));
            }
            (Some(r), None) => (**r).clone(),
            (None, Some(p)) => (**p).clone(),
            (None, None) => node(ExprKind::Name(CURRENT.into())),
        };
        ops.push(Op::Return { distinct: false, value, span });
        self.subquery(frame, &Query { with: Vec::new(), ops, span })
    }

    fn unary(&self, frame: &Frame, op: UnaryOp, operand: &AqlExpr) -> Result<Lowered, Error> {
        let x = self.expr(frame, operand)?;
        match op {
            UnaryOp::Not => match x.kind {
                Kind::Bool => Ok(Lowered::boolean(Expr::Not(Box::new(x.expr.is_true())))),
                _ => Ok(Lowered::boolean(self.call("aql_not", vec![x.into_value(self)?])?)),
            },
            UnaryOp::Neg | UnaryOp::Plus => {
                let neg = op == UnaryOp::Neg;
                if let Some(Json::Number(n)) = &x.constant {
                    let f = n.as_f64().unwrap_or(0.0);
                    return self.constant(json_number(if neg { -f } else { f }));
                }
                Ok(Lowered::value(self.call(if neg { "aql_neg" } else { "aql_plus" }, vec![x.into_value(self)?])?))
            }
        }
    }

    fn binary(&self, frame: &Frame, op: BinaryOp, l: &AqlExpr, r: &AqlExpr) -> Result<Lowered, Error> {
        let a = self.expr(frame, l)?;
        let b = self.expr(frame, r)?;
        if matches!(op, BinaryOp::And | BinaryOp::Or) {
            if a.kind == Kind::Bool && b.kind == Kind::Bool {
                return Ok(Lowered::boolean(if op == BinaryOp::And { a.expr.and(b.expr) } else { a.expr.or(b.expr) }));
            }
            let name = if op == BinaryOp::And { "aql_and" } else { "aql_or" };
            return Ok(Lowered::value(self.call(name, vec![a.into_value(self)?, b.into_value(self)?])?));
        }
        if let Some(native) = native_comparison(op, &a, &b) {
            return Ok(Lowered::boolean(native));
        }
        // An expression index on the attribute answers (or narrows) equality.
        let indexed = self.indexed_condition(frame, op, l, r, &a, &b);
        let (name, boolean) = match op {
            BinaryOp::Like => ("aql_like", true),
            BinaryOp::NotLike => ("aql_not_like", true),
            BinaryOp::RegexMatch => ("aql_regex", true),
            BinaryOp::RegexNotMatch => ("aql_not_regex", true),
            BinaryOp::Add => ("aql_add", false),
            BinaryOp::Sub => ("aql_sub", false),
            BinaryOp::Mul => ("aql_mul", false),
            BinaryOp::Div => ("aql_div", false),
            BinaryOp::Mod => ("aql_mod", false),
            BinaryOp::Range => ("aql_range", false),
            other => {
                let suffix = comparison_suffix(other).ok_or_else(|| Error::internal("binary operator"))?;
                let f = format!("aql_{suffix}");
                let e = self.call(&f, vec![a.into_value(self)?, b.into_value(self)?])?;
                let e = match indexed {
                    Some((key, true)) => key,
                    Some((key, false)) => key.and(e),
                    None => e,
                };
                return Ok(Lowered::boolean(e));
            }
        };
        let e = self.call(name, vec![a.into_value(self)?, b.into_value(self)?])?;
        Ok(if boolean { Lowered::boolean(e) } else { Lowered::value(e) })
    }

    fn function(&self, frame: &Frame, name: &str, args: &[AqlExpr], e: &AqlExpr) -> Result<Lowered, Error> {
        let span = e.span;
        let udf = format!("aql_fn_{}", name.to_ascii_lowercase());
        if !self.state.scalar_functions().contains_key(&udf) {
            return Err(self.err(ErrorCode::UndefinedFunction, e.span, format!("unknown function '{}()'", name.to_ascii_uppercase())));
        }
        let args = args.iter().map(|a| self.expr(frame, a)?.into_value(self)).collect::<Result<Vec<_>, _>>()?;
        let call = self.call(&udf, args)?;
        // The argument count is checked when the call's type is computed: report it here,
        // with the call's position.
        if let Err(e) = call.to_field(frame.plan.schema()) {
            let e = Error::from(e);
            return Err(self.err(e.code, span, e.message));
        }
        Ok(Lowered::value(call))
    }
}

/// The `aql_*` suffix of a comparison operator.
fn comparison_suffix(op: BinaryOp) -> Option<&'static str> {
    Some(match op {
        BinaryOp::Eq => "eq",
        BinaryOp::Ne => "ne",
        BinaryOp::Lt => "lt",
        BinaryOp::Le => "le",
        BinaryOp::Gt => "gt",
        BinaryOp::Ge => "ge",
        BinaryOp::In => "in",
        BinaryOp::NotIn => "not_in",
        _ => return None,
    })
}

/// A SQL literal of `class` for a JSON constant, when AQL's comparison of the two equals
/// SQL's (same type family; `null` excluded).
fn typed_literal(class: Class, v: &Json) -> Option<Expr> {
    Some(lit(match (class, v) {
        (Class::Integer, Json::Number(n)) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => ScalarValue::Int64(Some(f as i64)),
            Some(f) => ScalarValue::Float64(Some(f)),
            None => return None,
        },
        (Class::Float, Json::Number(n)) => ScalarValue::Float64(n.as_f64()),
        (Class::Text, Json::String(s)) => ScalarValue::Utf8(Some(s.clone())),
        (Class::Bool, Json::Bool(b)) => ScalarValue::Boolean(Some(*b)),
        _ => return None,
    }))
}

/// `column op constant` as plain SQL with AQL's null rules, when the types allow.
fn native_comparison(op: BinaryOp, a: &Lowered, b: &Lowered) -> Option<Expr> {
    // Two columns of one family: AQL's == is IS NOT DISTINCT FROM (null equals null), which
    // DataFusion plans as an equi-join key. When either column is NOT NULL, plain `=` means
    // the same in a filter, and DataFusion also decorrelates subqueries correlated by it.
    if let (Kind::Native(x), Kind::Native(y)) = (a.kind, b.kind) {
        let numeric = |c: Class| matches!(c, Class::Integer | Class::Float);
        let same = (x == y && x != Class::Other) || (numeric(x) && numeric(y));
        return match op {
            BinaryOp::Eq if same && (a.not_null || b.not_null) => Some(a.expr.clone().eq(b.expr.clone())),
            BinaryOp::Eq if same => Some(binary(a.expr.clone(), Operator::IsNotDistinctFrom, b.expr.clone())),
            BinaryOp::Ne if same => Some(binary(a.expr.clone(), Operator::IsDistinctFrom, b.expr.clone())),
            _ => None,
        };
    }
    let (column, class, constant, op) = match (a.kind, b.kind, &a.constant, &b.constant) {
        (Kind::Native(class), _, _, Some(c)) if class != Class::Other => (&a.expr, class, c, op),
        (_, Kind::Native(class), Some(c), _) if class != Class::Other => (&b.expr, class, c, flip(op)?),
        _ => return None,
    };
    let col = column.clone();
    if constant.is_null() {
        // null is the smallest value and equals only a NULL column.
        return Some(match op {
            BinaryOp::Eq | BinaryOp::Le => col.is_null(),
            BinaryOp::Ne | BinaryOp::Gt => col.is_not_null(),
            BinaryOp::Ge => lit(true),
            BinaryOp::Lt => lit(false),
            _ => return None,
        });
    }
    if matches!(op, BinaryOp::In | BinaryOp::NotIn) {
        let Json::Array(items) = constant else { return None };
        let list = items.iter().map(|i| typed_literal(class, i)).collect::<Option<Vec<_>>>()?;
        if list.is_empty() {
            return Some(lit(op == BinaryOp::NotIn));
        }
        return Some(if op == BinaryOp::In { col.in_list(list, false) } else { col.clone().in_list(list, true).or(col.is_null()) });
    }
    let value = typed_literal(class, constant)?;
    Some(match op {
        BinaryOp::Eq => col.eq(value),
        BinaryOp::Gt => col.gt(value),
        BinaryOp::Ge => col.gt_eq(value),
        // A NULL column is AQL null, which is less than (and unequal to) any other value.
        BinaryOp::Ne => col.clone().not_eq(value).or(col.is_null()),
        BinaryOp::Lt => col.clone().lt(value).or(col.is_null()),
        BinaryOp::Le => col.clone().lt_eq(value).or(col.is_null()),
        _ => return None,
    })
}

fn binary(l: Expr, op: Operator, r: Expr) -> Expr {
    Expr::BinaryExpr(BinaryExpr::new(Box::new(l), op, Box::new(r)))
}

/// The operator with swapped operands (`5 < x` is `x > 5`).
fn flip(op: BinaryOp) -> Option<BinaryOp> {
    Some(match op {
        BinaryOp::Eq => BinaryOp::Eq,
        BinaryOp::Ne => BinaryOp::Ne,
        BinaryOp::Lt => BinaryOp::Gt,
        BinaryOp::Le => BinaryOp::Ge,
        BinaryOp::Gt => BinaryOp::Lt,
        BinaryOp::Ge => BinaryOp::Le,
        _ => return None,
    })
}
