//! `x op ANY (array)` and `x op ALL (array)` with SQL's three-valued logic.
//!
//! DataFusion answers `= ANY` with `array_has` and the other operators with the array's
//! min/max, which skip NULL elements: `4 = ANY('{1,NULL}')` comes out false where
//! PostgreSQL says NULL (the NULL element might have been 4). Here every element is
//! compared and the results are combined as OR (ANY) or AND (ALL) of SQL booleans: ANY
//! is true if some comparison is true, else NULL if some is NULL, else false; ALL is
//! false if some comparison is false, else NULL if some is NULL, else true. An empty
//! array gives false (ANY) or true (ALL) even for a NULL `x`; a NULL array gives NULL.
//!
//! The frontend rewrites the syntax into `quiver_any(x, array, 'op')` /
//! `quiver_all(x, array, 'op')`; `x` and the elements are coerced to their common type.

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, BooleanBuilder, Datum, Scalar};
use datafusion::arrow::compute::kernels::cmp;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::type_coercion::binary::comparison_coercion;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use quiverdb_catalog::{Error, ErrorCode};
use std::sync::Arc;

/// Name of the ANY form.
pub const ANY: &str = "quiver_any";
/// Name of the ALL form.
pub const ALL: &str = "quiver_all";

#[derive(Debug, PartialEq, Eq, Hash)]
struct Quantified {
    all: bool,
    signature: Signature,
}

/// Compares `x` with every element: one SQL boolean per element.
fn compare(x: &dyn Datum, elems: &dyn Datum, op: &str) -> Result<BooleanArray> {
    Ok(match op {
        "=" => cmp::eq(x, elems)?,
        "<>" | "!=" => cmp::neq(x, elems)?,
        "<" => cmp::lt(x, elems)?,
        "<=" => cmp::lt_eq(x, elems)?,
        ">" => cmp::gt(x, elems)?,
        ">=" => cmp::gt_eq(x, elems)?,
        other => return Err(Error::unsupported(format!("operator {other} is not supported with ANY/ALL")).into_datafusion()),
    })
}

/// Combines element results: OR for ANY, AND for ALL, NULL when undecided.
fn combine(results: &BooleanArray, all: bool) -> Option<bool> {
    let decisive = !all; // ANY stops at a true, ALL at a false
    if results.iter().any(|r| r == Some(decisive)) {
        return Some(decisive);
    }
    if results.null_count() > 0 { None } else { Some(all) }
}

impl ScalarUDFImpl for Quantified {
    fn name(&self) -> &str {
        if self.all { ALL } else { ANY }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let [value, array, _op] = arg_types else { return Err(Error::internal("ANY/ALL takes three arguments").into_datafusion()) };
        let elem = match array {
            DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => f.data_type().clone(),
            DataType::Null => value.clone(),
            // An untyped literal (`relkind = ANY('{r,p}')`) is an array of the value's type,
            // read by the literal-cast rule.
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
                return Ok(vec![value.clone(), DataType::new_list(value.clone(), true), DataType::Utf8]);
            }
            // Reported by `return_type` (an error here would be reworded by the planner).
            _ => return Ok(arg_types.to_vec()),
        };
        let common = comparison_coercion(value, &elem).ok_or_else(|| {
            Error::new(ErrorCode::UndefinedFunction, format!("operator does not exist: {value} = {elem}")).into_datafusion()
        })?;
        Ok(vec![common.clone(), DataType::new_list(common, true), DataType::Utf8])
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        if !matches!(arg_types.get(1), Some(DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(..) | DataType::Null)) {
            return Err(Error::new(ErrorCode::WrongObjectType, "op ANY/ALL (array) requires array on right side").into_datafusion());
        }
        Ok(DataType::Boolean)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalar = args.args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let rows = if scalar { 1 } else { args.number_rows };
        let op = match &args.args[2] {
            ColumnarValue::Scalar(ScalarValue::Utf8(Some(op))) => op.clone(),
            _ => return Err(Error::internal("ANY/ALL operator must be a constant").into_datafusion()),
        };
        let values = args.args[0].to_array(rows)?;
        let lists = args.args[1].to_array(rows)?;
        let lists = lists.as_list::<i32>();
        let mut out = BooleanBuilder::with_capacity(rows);
        for i in 0..rows {
            if lists.is_null(i) {
                out.append_null();
                continue;
            }
            let elems = lists.value(i);
            if elems.is_empty() {
                out.append_value(self.all);
                continue;
            }
            if values.is_null(i) {
                out.append_null();
                continue;
            }
            let x = Scalar::new(values.slice(i, 1));
            out.append_option(combine(&compare(&x, &elems, &op)?, self.all));
        }
        let out: ArrayRef = Arc::new(out.finish());
        crate::functions::columnar(out, scalar)
    }
}

/// `quiver_any` and `quiver_all`.
pub fn udfs() -> Vec<ScalarUDF> {
    [false, true]
        .into_iter()
        .map(|all| ScalarUDF::from(Quantified { all, signature: Signature::user_defined(Volatility::Immutable) }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_valued_combination() {
        let r = |v: &[Option<bool>]| BooleanArray::from(v.to_vec());
        assert_eq!(combine(&r(&[Some(false), None]), false), None);
        assert_eq!(combine(&r(&[Some(true), None]), false), Some(true));
        assert_eq!(combine(&r(&[Some(false), Some(false)]), false), Some(false));
        assert_eq!(combine(&r(&[Some(true), None]), true), None);
        assert_eq!(combine(&r(&[Some(false), None]), true), Some(false));
        assert_eq!(combine(&r(&[Some(true), Some(true)]), true), Some(true));
    }
}
