//! AQL's operators as scalar functions, so AQL runs on DataFusion's own operators.
//!
//! The AQL frontend (`quiverdb-aql`) lowers every AQL expression to DataFusion
//! expressions. Where AQL's semantics equal SQL's (a typed column compared with a literal
//! of its type) it uses plain SQL expressions, which push down into indexes like SQL's.
//! Everywhere else it calls these functions, which implement AQL's rules ([`value`]) on
//! values carried through the plan as `jsonb` text:
//!
//! | function | result | meaning |
//! |---|---|---|
//! | `aql_value(x)` | jsonb | a SQL value as an AQL value ([`convert`]) |
//! | `aql_json(t)` | jsonb | text that already holds an AQL value (unnested elements) |
//! | `aql_or_empty(v)` | jsonb | `v`, or `[]` for SQL NULL (a subquery without rows) |
//! | `aql_get(v, 'a')`, `aql_index(v, i)` | jsonb | `v.a`, `v[i]` |
//! | `aql_array(...)`, `aql_object(k, v, ...)` | jsonb | literals with computed parts |
//! | `aql_eq` `aql_ne` `aql_lt` `aql_le` `aql_gt` `aql_ge` | bool | comparisons in AQL's order |
//! | `aql_in`, `aql_not_in`, `aql_like`, `aql_not_like`, `aql_regex`, `aql_not_regex` | bool | |
//! | `aql_all_*`, `aql_any_*`, `aql_none_*` | bool | array comparison operators |
//! | `aql_add` `aql_sub` `aql_mul` `aql_div` `aql_mod`, `aql_neg`, `aql_plus` | jsonb | arithmetic |
//! | `aql_and(a, b)`, `aql_or(a, b)` | jsonb | logical operators returning an operand |
//! | `aql_not(v)`, `aql_bool(v)` | bool | negation, truthiness |
//! | `aql_range(a, b)` | jsonb | `a..b` |
//! | `aql_sort_key(v)` | bytea | the memcomparable key of AQL's order |
//! | `aql_elements(v)` | text[] | an array's elements, for `FOR x IN array` (unnest) |
//!
//! Booleans never come out as SQL NULL, and a SQL NULL argument reads as AQL `null`.
//! The function library ([`library`]) is reached through one UDF per function
//! ([`call`]: `LENGTH(x)` is `aql_fn_length(x)`), and `COLLECT ... AGGREGATE` through the
//! aggregates of [`aggregate`] (`aql_agg_sum`, ...).

pub mod aggregate;
pub mod call;
pub mod convert;
pub mod library;
mod pattern;
pub mod value;
pub mod write;

#[cfg(test)]
mod value_tests;

use self::value::Arith;
use crate::functions::json::json_error;
use crate::functions::jsonvalue;
use crate::functions::jsonvalue::JsonValue;
use datafusion::arrow::array::{Array, ArrayRef, AsArray, BinaryBuilder, BooleanBuilder, ListBuilder, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use quiverdb_catalog::{Error, ErrorCode, SqlType};
use std::cmp::Ordering;
use std::sync::Arc;

/// Longest array `a..b` may build.
pub const MAX_RANGE: usize = 10_000_000;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cmp {
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `IN`.
    In,
    /// `NOT IN`.
    NotIn,
}

impl Cmp {
    fn holds(self, a: &JsonValue, b: &JsonValue) -> bool {
        let o = || value::compare(a, b);
        match self {
            Cmp::Eq => o() == Ordering::Equal,
            Cmp::Ne => o() != Ordering::Equal,
            Cmp::Lt => o() == Ordering::Less,
            Cmp::Le => o() != Ordering::Greater,
            Cmp::Gt => o() == Ordering::Greater,
            Cmp::Ge => o() != Ordering::Less,
            Cmp::In => value::contains(b, a),
            Cmp::NotIn => !value::contains(b, a),
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            Cmp::Eq => "eq",
            Cmp::Ne => "ne",
            Cmp::Lt => "lt",
            Cmp::Le => "le",
            Cmp::Gt => "gt",
            Cmp::Ge => "ge",
            Cmp::In => "in",
            Cmp::NotIn => "not_in",
        }
    }
}

/// `ALL`, `ANY` or `NONE` of an array comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quant {
    /// Every element satisfies (true for `[]`).
    All,
    /// Some element satisfies.
    Any,
    /// No element satisfies (true for `[]`).
    None,
}

/// What one AQL function computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Value,
    Json,
    Get,
    Index,
    Array,
    Object,
    Compare(Cmp),
    Quantified(Quant, Cmp),
    Like(bool),
    Regex(bool),
    Arith(Arith),
    Neg,
    Plus,
    And,
    Or,
    Not,
    Truthy,
    Range,
    SortKey,
    Elements,
    OrEmpty,
}

impl Kind {
    fn returns(self) -> DataType {
        match self {
            Kind::Compare(_) | Kind::Quantified(..) | Kind::Like(_) | Kind::Regex(_) | Kind::Not | Kind::Truthy => DataType::Boolean,
            Kind::SortKey => DataType::Binary,
            Kind::Elements => DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
            _ => DataType::Utf8,
        }
    }
}

/// One AQL operator function.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct AqlFn {
    name: String,
    kind: Kind,
    signature: Signature,
}

enum Out {
    Value(StringBuilder),
    Bool(BooleanBuilder),
    Binary(BinaryBuilder),
    List(ListBuilder<StringBuilder>),
}

/// Reads argument `i` of a row as an AQL value (jsonb text; SQL NULL is `null`).
fn arg_value(arrays: &[ArrayRef], i: usize, row: usize) -> Result<JsonValue> {
    let Some(a) = arrays.get(i) else { return Ok(JsonValue::Null) };
    if a.is_null(row) {
        return Ok(JsonValue::Null);
    }
    let text = match a.data_type() {
        DataType::Utf8 => a.as_string::<i32>().value(row),
        DataType::LargeUtf8 => a.as_string::<i64>().value(row),
        DataType::Utf8View => a.as_string_view().value(row),
        DataType::Null => return Ok(JsonValue::Null),
        other => return Err(Error::internal(format!("AQL value argument of type {other}")).into()),
    };
    jsonvalue::parse_json(text).map_err(json_error)
}

/// The `jsonb` text of an AQL value (keys in `jsonb` order).
pub fn value_text(v: JsonValue) -> Result<String> {
    Ok(v.normalize_jsonb().map_err(json_error)?.to_jsonb_text())
}

impl AqlFn {
    fn new(name: impl Into<String>, kind: Kind, signature: Signature) -> Self {
        AqlFn { name: name.into(), kind, signature }
    }

    fn row(&self, arrays: &[ArrayRef], fields: &[FieldRef], row: usize, out: &mut Out, regex: &mut pattern::RegexCache) -> Result<()> {
        let v = |i: usize| arg_value(arrays, i, row);
        let value = match self.kind {
            Kind::Value => match (arrays.first(), fields.first()) {
                (Some(a), Some(f)) => convert::to_value(a, f, row)?,
                _ => JsonValue::Null,
            },
            Kind::Json => value::canonical(v(0)?),
            Kind::OrEmpty => {
                // A subquery's array, or `[]` where a decorrelated join found no rows.
                let text = match arrays.first() {
                    Some(a) if !a.is_null(row) && matches!(a.data_type(), DataType::Utf8) => a.as_string::<i32>().value(row),
                    _ => "[]",
                };
                if let Out::Value(b) = out {
                    b.append_value(text);
                }
                return Ok(());
            }
            Kind::Get => {
                let key = match arrays.get(1) {
                    Some(k) if !k.is_null(row) && matches!(k.data_type(), DataType::Utf8) => k.as_string::<i32>().value(row),
                    _ => return push_value(out, JsonValue::Null),
                };
                // Values are canonical jsonb text: the member's text is a slice of it.
                if let Some(a) = arrays.first().filter(|a| a.data_type() == &DataType::Utf8)
                    && let Out::Value(b) = out
                {
                    let raw = if a.is_null(row) { None } else { jsonvalue::scan::field(a.as_string::<i32>().value(row), key) };
                    b.append_value(raw.unwrap_or("null"));
                    return Ok(());
                }
                value::get_attribute(&v(0)?, key).clone()
            }
            Kind::Index => value::get_index(&v(0)?, &v(1)?).clone(),
            Kind::Array => JsonValue::Array((0..arrays.len()).map(v).collect::<Result<_>>()?),
            Kind::Object => {
                let mut members = Vec::with_capacity(arrays.len() / 2);
                for i in (0..arrays.len()).step_by(2) {
                    let key = value::to_string(&v(i)?);
                    members.push((key, v(i + 1)?));
                }
                JsonValue::Object(members)
            }
            Kind::Compare(op) => return push_bool(out, op.holds(&v(0)?, &v(1)?)),
            Kind::Quantified(q, op) => {
                let rhs = v(1)?;
                let items = match v(0)? {
                    JsonValue::Array(items) => items,
                    _ => return push_bool(out, false),
                };
                let hits = items.iter().filter(|i| op.holds(i, &rhs)).count();
                let b = match q {
                    Quant::All => hits == items.len(),
                    Quant::Any => hits > 0,
                    Quant::None => hits == 0,
                };
                return push_bool(out, b);
            }
            Kind::Like(negated) => {
                let m = pattern::like(&value::to_string(&v(0)?), &value::to_string(&v(1)?), false);
                return push_bool(out, m != negated);
            }
            Kind::Regex(negated) => {
                let re = regex.get(&value::to_string(&v(1)?), false)?;
                return push_bool(out, re.is_match(&value::to_string(&v(0)?)) != negated);
            }
            Kind::Arith(op) => value::arithmetic(op, &v(0)?, &v(1)?),
            Kind::Neg => value::number(-value::to_number(&v(0)?)),
            Kind::Plus => value::number(value::to_number(&v(0)?)),
            Kind::And => {
                let a = v(0)?;
                if value::to_bool(&a) { v(1)? } else { a }
            }
            Kind::Or => {
                let a = v(0)?;
                if value::to_bool(&a) { a } else { v(1)? }
            }
            Kind::Not => return push_bool(out, !value::to_bool(&v(0)?)),
            Kind::Truthy => return push_bool(out, value::to_bool(&v(0)?)),
            Kind::Range => value::range(&v(0)?, &v(1)?, MAX_RANGE)
                .ok_or_else(|| Error::new(ErrorCode::ProgramLimitExceeded, format!("range too big: more than {MAX_RANGE} elements")))?,
            Kind::SortKey => {
                let mut key = Vec::new();
                value::sort_key(&v(0)?, &mut key);
                if let Out::Binary(b) = out {
                    b.append_value(&key);
                }
                return Ok(());
            }
            Kind::Elements => {
                let items = match v(0)? {
                    JsonValue::Array(items) => items,
                    other => {
                        return Err(Error::new(
                            ErrorCode::InvalidParameterValue,
                            format!(
                                "collection or array expected as operand to FOR loop; you provided a value of type '{}'",
                                value::type_name(&other)
                            ),
                        )
                        .into());
                    }
                };
                if let Out::List(l) = out {
                    for item in items {
                        l.values().append_value(value_text(value::canonical(item))?);
                    }
                    l.append(true);
                }
                return Ok(());
            }
        };
        push_value(out, value)
    }
}

fn push_value(out: &mut Out, v: JsonValue) -> Result<()> {
    if let Out::Value(b) = out {
        b.append_value(value_text(v)?);
    }
    Ok(())
}

fn push_bool(out: &mut Out, v: bool) -> Result<()> {
    if let Out::Bool(b) = out {
        b.append_value(v);
    }
    Ok(())
}

impl ScalarUDFImpl for AqlFn {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(self.kind.returns())
    }

    fn return_field_from_args(&self, _args: ReturnFieldArgs) -> Result<FieldRef> {
        let dt = self.kind.returns();
        let nullable = false;
        let field = Field::new(&self.name, dt.clone(), nullable);
        Ok(Arc::new(if dt == DataType::Utf8 { field.with_metadata(SqlType::Jsonb.field_metadata()) } else { field }))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let all_scalar = args.args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let n = if all_scalar { 1 } else { args.number_rows };
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let mut out = match self.kind.returns() {
            DataType::Boolean => Out::Bool(BooleanBuilder::with_capacity(n)),
            DataType::Binary => Out::Binary(BinaryBuilder::with_capacity(n, n * 16)),
            DataType::List(_) => Out::List(ListBuilder::new(StringBuilder::new())),
            _ => Out::Value(StringBuilder::with_capacity(n, n * 16)),
        };
        let mut regex = pattern::RegexCache::default();
        for row in 0..n {
            self.row(&arrays, &args.arg_fields, row, &mut out, &mut regex)?;
        }
        let array: ArrayRef = match out {
            Out::Value(mut b) => Arc::new(b.finish()),
            Out::Bool(mut b) => Arc::new(b.finish()),
            Out::Binary(mut b) => Arc::new(b.finish()),
            Out::List(mut b) => Arc::new(b.finish()),
        };
        if all_scalar { Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&array, 0)?)) } else { Ok(ColumnarValue::Array(array)) }
    }
}

/// Every AQL operator function.
pub fn udfs() -> Vec<ScalarUDF> {
    let any = |n| Signature::any(n, Volatility::Immutable);
    let variadic = || Signature::variadic_any(Volatility::Immutable);
    let f = |name: &str, kind, sig| ScalarUDF::from(AqlFn::new(name, kind, sig));
    let mut out = vec![
        f("aql_value", Kind::Value, any(1)),
        f("aql_json", Kind::Json, any(1)),
        f("aql_or_empty", Kind::OrEmpty, any(1)),
        f("aql_get", Kind::Get, any(2)),
        f("aql_index", Kind::Index, any(2)),
        f(
            "aql_array",
            Kind::Array,
            Signature::one_of(vec![variadic().type_signature, datafusion::logical_expr::TypeSignature::Nullary], Volatility::Immutable),
        ),
        f(
            "aql_object",
            Kind::Object,
            Signature::one_of(vec![variadic().type_signature, datafusion::logical_expr::TypeSignature::Nullary], Volatility::Immutable),
        ),
        f("aql_like", Kind::Like(false), any(2)),
        f("aql_not_like", Kind::Like(true), any(2)),
        f("aql_regex", Kind::Regex(false), any(2)),
        f("aql_not_regex", Kind::Regex(true), any(2)),
        f("aql_add", Kind::Arith(Arith::Add), any(2)),
        f("aql_sub", Kind::Arith(Arith::Sub), any(2)),
        f("aql_mul", Kind::Arith(Arith::Mul), any(2)),
        f("aql_div", Kind::Arith(Arith::Div), any(2)),
        f("aql_mod", Kind::Arith(Arith::Mod), any(2)),
        f("aql_neg", Kind::Neg, any(1)),
        f("aql_plus", Kind::Plus, any(1)),
        f("aql_and", Kind::And, any(2)),
        f("aql_or", Kind::Or, any(2)),
        f("aql_not", Kind::Not, any(1)),
        f("aql_bool", Kind::Truthy, any(1)),
        f("aql_range", Kind::Range, any(2)),
        f("aql_sort_key", Kind::SortKey, any(1)),
        f("aql_elements", Kind::Elements, any(1)),
    ];
    out.extend(call::udfs());
    out.extend(write::udfs());
    let cmps = [Cmp::Eq, Cmp::Ne, Cmp::Lt, Cmp::Le, Cmp::Gt, Cmp::Ge, Cmp::In, Cmp::NotIn];
    for op in cmps {
        out.push(f(&format!("aql_{}", op.suffix()), Kind::Compare(op), any(2)));
        for (q, prefix) in [(Quant::All, "all"), (Quant::Any, "any"), (Quant::None, "none")] {
            out.push(f(&format!("aql_{prefix}_{}", op.suffix()), Kind::Quantified(q, op), any(2)));
        }
    }
    out
}
