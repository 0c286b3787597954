//! json / jsonb functions and operators.
//!
//! Values of both types travel as UTF-8 text (jsonb in its canonical form); these
//! functions parse them with [`jsonvalue`] and apply PostgreSQL's semantics. The
//! operators `->`, `->>`, `#>`, `#>>`, `@>`, `<@`, `?`, `?|`, `?&`, `||` and `-` on json
//! values are mapped to them by [`JsonPlanner`].

use crate::functions::jsonvalue::jsonb_cmp;
use crate::functions::jsonvalue::{self, JsonError, JsonValue, scan};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanBuilder, Int32Builder, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{DFSchema, Result, ScalarValue};
use datafusion::logical_expr::planner::{ExprPlanner, PlannerResult, RawBinaryExpr};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ExprSchemable, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::sql::sqlparser::ast::BinaryOperator;
use quiverdb_catalog::{Error, ErrorCode, SqlType};
use std::sync::Arc;

/// Our error for a json error.
pub fn json_error(e: JsonError) -> datafusion::error::DataFusionError {
    let code = match e.sqlstate {
        "22P02" => ErrorCode::InvalidTextRepresentation,
        "22023" => ErrorCode::InvalidParameterValue,
        "54001" => ErrorCode::ProgramLimitExceeded,
        "22003" => ErrorCode::NumericValueOutOfRange,
        _ => ErrorCode::DataException,
    };
    let mut err = Error::new(code, e.message);
    err.detail = e.detail;
    err.hint = e.hint;
    err.into()
}

/// What a json function computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Op {
    CastJson,
    CastJsonb,
    Get,
    GetText,
    Path,
    PathText,
    Contains,
    ContainedIn,
    Exists,
    ExistsAny,
    ExistsAll,
    Concat,
    Delete,
    TypeOf,
    ArrayLength,
    /// jsonb ordering (-1, 0, 1) for comparison operators.
    Compare,
}

/// One json function.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct JsonFn {
    name: &'static str,
    op: Op,
    signature: Signature,
}

enum Out {
    Json(StringBuilder),
    Text(StringBuilder),
    Bool(BooleanBuilder),
    Int(Int32Builder),
}

/// Is the field a json (not jsonb) value?
fn is_json(f: &FieldRef) -> bool {
    SqlType::from_field(f) == SqlType::Json
}

/// Parses a stored json/jsonb value (json keeps its key order and duplicates).
fn parse_value(s: &str, json: bool) -> Result<JsonValue> {
    if json { jsonvalue::parse_json(s) } else { jsonvalue::parse_jsonb(s) }.map_err(json_error)
}

/// Parses a stored jsonb value.
fn parse(s: &str) -> Result<JsonValue> {
    parse_value(s, false)
}

/// Elements of a text[] argument at `row` (`None` elements are SQL NULLs).
fn text_list(a: &ArrayRef, row: usize) -> Option<Vec<Option<String>>> {
    if a.is_null(row) {
        return None;
    }
    let list = match a.data_type() {
        DataType::List(_) => a.as_list::<i32>().value(row),
        DataType::LargeList(_) => a.as_list::<i64>().value(row),
        DataType::Utf8 => {
            // An unknown literal like '{a,b}' is a text[] for these operators.
            return quiverdb_catalog::pgvalue::parse_array(a.as_string::<i32>().value(row)).ok();
        }
        _ => return None,
    };
    let strings = datafusion::arrow::compute::cast(&list, &DataType::Utf8).ok()?;
    let s = strings.as_string::<i32>();
    Some((0..s.len()).map(|i| (!s.is_null(i)).then(|| s.value(i).to_string())).collect())
}

/// Text of a key argument at `row`, or its integer index.
enum Key {
    Name(String),
    Index(i32),
}

/// A key argument cast once per batch: integers to Int64, anything else to text.
fn key_array(a: &ArrayRef) -> Result<ArrayRef> {
    let to = match a.data_type() {
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 => DataType::Int64,
        _ => DataType::Utf8,
    };
    Ok(datafusion::arrow::compute::cast(a, &to)?)
}

/// The key at `row` of an array from [`key_array`].
fn key(a: &ArrayRef, row: usize) -> Option<Key> {
    if a.is_null(row) {
        return None;
    }
    match a.data_type() {
        DataType::Int64 => {
            let v = a.as_primitive::<datafusion::arrow::datatypes::Int64Type>().value(row);
            Some(Key::Index(i32::try_from(v).unwrap_or(i32::MAX)))
        }
        _ => Some(Key::Name(a.as_string::<i32>().value(row).to_string())),
    }
}

impl JsonFn {
    fn run(&self, args: &[ArrayRef], n: usize, json_input: bool) -> Result<ArrayRef> {
        let mut out = match self.op {
            Op::CastJson | Op::CastJsonb | Op::Get | Op::Path | Op::Concat | Op::Delete => Out::Json(StringBuilder::new()),
            Op::GetText | Op::PathText | Op::TypeOf => Out::Text(StringBuilder::new()),
            Op::ArrayLength | Op::Compare => Out::Int(Int32Builder::new()),
            _ => Out::Bool(BooleanBuilder::new()),
        };
        let left = datafusion::arrow::compute::cast(&args[0], &DataType::Utf8)?;
        let left = left.as_string::<i32>();
        let keys = match self.op {
            Op::Get | Op::GetText | Op::Delete | Op::Exists => Some(key_array(&args[1])?),
            _ => None,
        };
        let key = |row: usize| keys.as_ref().and_then(|k| key(k, row));
        for row in 0..n {
            if left.is_null(row) {
                push_null(&mut out);
                continue;
            }
            let text = left.value(row);
            match self.op {
                Op::CastJson => {
                    jsonvalue::validate_json(text).map_err(json_error)?;
                    push_text(&mut out, Some(text.to_string()));
                }
                Op::CastJsonb => push_text(&mut out, Some(parse(text)?.to_jsonb_text())),
                Op::TypeOf => push_text(&mut out, Some(parse(text)?.type_name().to_string())),
                Op::ArrayLength => {
                    let v = parse(text)?;
                    let len = v.array_length().map_err(json_error)?;
                    if let Out::Int(b) = &mut out {
                        b.append_value(len as i32);
                    }
                }
                // jsonb is canonical text: find the member without parsing the document.
                // The slice goes straight into the builder: no allocation per row.
                Op::Get | Op::GetText if !json_input => {
                    let raw = match keys.as_ref().filter(|k| k.is_valid(row)) {
                        None => None,
                        Some(k) if k.data_type() == &DataType::Int64 => {
                            scan::element(text, k.as_primitive::<datafusion::arrow::datatypes::Int64Type>().value(row))
                        }
                        Some(k) => scan::field(text, k.as_string::<i32>().value(row)),
                    };
                    let value = if self.op == Op::Get { raw.map(std::borrow::Cow::Borrowed) } else { raw.and_then(scan::to_text) };
                    match (&mut out, value) {
                        (Out::Json(b) | Out::Text(b), Some(v)) => b.append_value(v),
                        (o, _) => push_null(o),
                    }
                }
                Op::Path | Op::PathText if !json_input => {
                    let r = text_list(&args[1], row).and_then(|path| {
                        let p: Option<Vec<&str>> = path.iter().map(|x| x.as_deref()).collect();
                        let raw = scan::path(text, &p?)?;
                        if self.op == Op::Path { Some(raw.to_string()) } else { scan::to_text(raw).map(|t| t.into_owned()) }
                    });
                    push_text(&mut out, r);
                }
                Op::Get | Op::GetText => {
                    let v = parse_value(text, json_input)?;
                    let r = match key(row) {
                        None => None,
                        Some(Key::Name(k)) if self.op == Op::Get => v.get_field(&k).map(|x| x.to_jsonb_text()),
                        Some(Key::Index(i)) if self.op == Op::Get => v.get_index(i).map(|x| x.to_jsonb_text()),
                        Some(Key::Name(k)) => v.get_field_text(&k),
                        Some(Key::Index(i)) => v.get_index_text(i),
                    };
                    push_text(&mut out, r);
                }
                Op::Path | Op::PathText => {
                    let v = parse_value(text, json_input)?;
                    let r = text_list(&args[1], row).and_then(|path| {
                        let p: Vec<Option<&str>> = path.iter().map(|x| x.as_deref()).collect();
                        if self.op == Op::Path { v.get_path(&p).map(|x| x.to_jsonb_text()) } else { v.get_path_text(&p) }
                    });
                    push_text(&mut out, r);
                }
                Op::Contains | Op::ContainedIn | Op::Concat | Op::Compare => {
                    let right = datafusion::arrow::compute::cast(&args[1], &DataType::Utf8)?;
                    let right = right.as_string::<i32>();
                    if right.is_null(row) {
                        push_null(&mut out);
                        continue;
                    }
                    let (a, b) = (parse(text)?, parse(right.value(row))?);
                    match self.op {
                        Op::Contains => push_bool(&mut out, a.contains(&b)),
                        Op::ContainedIn => push_bool(&mut out, a.contained_in(&b)),
                        Op::Compare => {
                            if let Out::Int(o) = &mut out {
                                o.append_value(jsonb_cmp(&a, &b) as i32);
                            }
                        }
                        _ => push_text(&mut out, Some(a.concat(b).to_jsonb_text())),
                    }
                }
                Op::Delete => {
                    let v = parse(text)?;
                    let r = match key(row) {
                        None => None,
                        Some(Key::Name(k)) => Some(v.delete_key(&k).map_err(json_error)?.to_jsonb_text()),
                        Some(Key::Index(i)) => Some(v.delete_index(i).map_err(json_error)?.to_jsonb_text()),
                    };
                    push_text(&mut out, r);
                }
                Op::Exists => match key(row) {
                    Some(Key::Name(k)) => push_bool(&mut out, parse(text)?.exists(&k)),
                    Some(Key::Index(i)) => push_bool(&mut out, parse(text)?.exists(&i.to_string())),
                    None => push_null(&mut out),
                },
                Op::ExistsAny | Op::ExistsAll => match text_list(&args[1], row) {
                    Some(keys) => {
                        let v = parse(text)?;
                        let k: Vec<Option<&str>> = keys.iter().map(|x| x.as_deref()).collect();
                        push_bool(&mut out, if self.op == Op::ExistsAny { v.exists_any(&k) } else { v.exists_all(&k) });
                    }
                    None => push_null(&mut out),
                },
            }
        }
        Ok(match out {
            Out::Json(mut b) | Out::Text(mut b) => Arc::new(b.finish()),
            Out::Bool(mut b) => Arc::new(b.finish()),
            Out::Int(mut b) => Arc::new(b.finish()),
        })
    }
}

fn push_null(out: &mut Out) {
    match out {
        Out::Json(b) | Out::Text(b) => b.append_null(),
        Out::Bool(b) => b.append_null(),
        Out::Int(b) => b.append_null(),
    }
}

fn push_text(out: &mut Out, v: Option<String>) {
    if let Out::Json(b) | Out::Text(b) = out {
        match v {
            Some(s) => b.append_value(s),
            None => b.append_null(),
        }
    }
}

fn push_bool(out: &mut Out, v: bool) {
    if let Out::Bool(b) = out {
        b.append_value(v);
    }
}

impl ScalarUDFImpl for JsonFn {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(match self.op {
            Op::Contains | Op::ContainedIn | Op::Exists | Op::ExistsAny | Op::ExistsAll => DataType::Boolean,
            Op::ArrayLength | Op::Compare => DataType::Int32,
            _ => DataType::Utf8,
        })
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let dt = self.return_type(&[])?;
        let json_in = args.arg_fields.first().is_some_and(is_json);
        let ty = match self.op {
            Op::CastJson => Some(SqlType::Json),
            Op::Get | Op::Path if json_in => Some(SqlType::Json),
            Op::CastJsonb | Op::Get | Op::Path | Op::Concat | Op::Delete => Some(SqlType::Jsonb),
            _ => None,
        };
        let field = Field::new(self.name, dt, true);
        Ok(Arc::new(match ty {
            Some(t) => field.with_metadata(t.field_metadata()),
            None => field,
        }))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let n = args.number_rows;
        let all_scalar = args.args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let json_in = args.arg_fields.first().is_some_and(is_json);
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        if all_scalar {
            let out = self.run(&arrays, 1, json_in)?;
            return Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?));
        }
        Ok(ColumnarValue::Array(self.run(&arrays, n, json_in)?))
    }
}

/// `quiver_cast_jsonb`.
pub fn jsonb_cast_udf() -> ScalarUDF {
    ScalarUDF::from(JsonFn { name: "quiver_cast_jsonb", op: Op::CastJsonb, signature: Signature::any(1, Volatility::Immutable) })
}

/// The json functions.
pub fn udfs() -> Vec<ScalarUDF> {
    let one = || Signature::any(1, Volatility::Immutable);
    let two = || Signature::any(2, Volatility::Immutable);
    let f = |name, op, signature| ScalarUDF::from(JsonFn { name, op, signature });
    vec![
        f("quiver_cast_json", Op::CastJson, one()),
        f("quiver_cast_jsonb", Op::CastJsonb, one()),
        f("quiver_json_get", Op::Get, two()),
        f("quiver_json_get_text", Op::GetText, two()),
        f("quiver_json_path", Op::Path, two()),
        f("quiver_json_path_text", Op::PathText, two()),
        f("quiver_json_contains", Op::Contains, two()),
        f("quiver_json_contained_in", Op::ContainedIn, two()),
        f("quiver_json_exists", Op::Exists, two()),
        f("quiver_json_exists_any", Op::ExistsAny, two()),
        f("quiver_json_exists_all", Op::ExistsAll, two()),
        f("quiver_json_concat", Op::Concat, two()),
        f("quiver_json_delete", Op::Delete, two()),
        f("jsonb_typeof", Op::TypeOf, one()),
        f("json_typeof", Op::TypeOf, one()),
        f("jsonb_array_length", Op::ArrayLength, one()),
        f("json_array_length", Op::ArrayLength, one()),
        f("quiver_jsonb_cmp", Op::Compare, two()),
    ]
}

/// Maps PostgreSQL's json operators to the functions above when an operand is json.
#[derive(Debug)]
pub struct JsonPlanner {
    udfs: Vec<Arc<ScalarUDF>>,
}

impl JsonPlanner {
    /// A planner calling `udfs` (the functions of [`udfs`]).
    pub fn new() -> Self {
        JsonPlanner { udfs: udfs().into_iter().map(Arc::new).collect() }
    }

    fn call(&self, name: &str, args: Vec<Expr>) -> Option<Expr> {
        let f = self.udfs.iter().find(|u| u.name() == name)?;
        Some(f.call(args))
    }
}

impl Default for JsonPlanner {
    fn default() -> Self {
        Self::new()
    }
}

/// Whether `e` is of type jsonb.
fn jsonb_typed(e: &Expr, schema: &DFSchema) -> bool {
    e.to_field(schema).map(|(_, f)| SqlType::from_field(&f) == SqlType::Jsonb).unwrap_or(false)
}

fn json_typed(e: &Expr, schema: &DFSchema) -> bool {
    e.to_field(schema).map(|(_, f)| matches!(SqlType::from_field(&f), SqlType::Json | SqlType::Jsonb)).unwrap_or(false)
}

impl ExprPlanner for JsonPlanner {
    fn plan_binary_op(&self, expr: RawBinaryExpr, schema: &DFSchema) -> Result<PlannerResult<RawBinaryExpr>> {
        let left_json = json_typed(&expr.left, schema);
        let right_json = json_typed(&expr.right, schema);
        // jsonb comparisons follow jsonb's ordering ('1.0' equals '1', keys unordered).
        let literal = |e: &Expr| matches!(e, Expr::Literal(datafusion::common::ScalarValue::Utf8(Some(_)), _));
        if let Some(op) = crate::functions::operators::comparison(&expr.op)
            && (jsonb_typed(&expr.left, schema) || jsonb_typed(&expr.right, schema))
            && (jsonb_typed(&expr.left, schema) || literal(&expr.left))
            && (jsonb_typed(&expr.right, schema) || literal(&expr.right))
            && let Some(cmp) = self.call("quiver_jsonb_cmp", vec![expr.left.clone(), expr.right.clone()])
        {
            let zero = Expr::Literal(datafusion::common::ScalarValue::Int32(Some(0)), None);
            return Ok(PlannerResult::Planned(Expr::BinaryExpr(datafusion::logical_expr::BinaryExpr::new(
                Box::new(cmp),
                op,
                Box::new(zero),
            ))));
        }
        let name = match &expr.op {
            BinaryOperator::Arrow if left_json => "quiver_json_get",
            BinaryOperator::LongArrow if left_json => "quiver_json_get_text",
            BinaryOperator::HashArrow if left_json => "quiver_json_path",
            BinaryOperator::HashLongArrow if left_json => "quiver_json_path_text",
            BinaryOperator::AtArrow if left_json || right_json => "quiver_json_contains",
            BinaryOperator::ArrowAt if left_json || right_json => "quiver_json_contained_in",
            BinaryOperator::Question if left_json => "quiver_json_exists",
            BinaryOperator::QuestionPipe if left_json => "quiver_json_exists_any",
            BinaryOperator::QuestionAnd if left_json => "quiver_json_exists_all",
            // An untyped literal next to jsonb is jsonb, as PostgreSQL resolves `unknown`.
            BinaryOperator::StringConcat
                if (left_json && right_json)
                    || (jsonb_typed(&expr.left, schema) && literal(&expr.right))
                    || (jsonb_typed(&expr.right, schema) && literal(&expr.left)) =>
            {
                "quiver_json_concat"
            }
            BinaryOperator::Minus if left_json => "quiver_json_delete",
            _ => return Ok(PlannerResult::Original(expr)),
        };
        match self.call(name, vec![expr.left.clone(), expr.right.clone()]) {
            Some(e) => Ok(PlannerResult::Planned(e)),
            None => Ok(PlannerResult::Original(expr)),
        }
    }
}
