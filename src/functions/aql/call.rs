//! AQL's function library as scalar functions: `LENGTH(x)` in AQL is `aql_fn_length(x)`
//! in the plan, one UDF per library function, so EXPLAIN names the function and pure
//! functions of constants fold at planning time. The argument count is checked when the
//! plan is built (ArangoDB's "invalid number of arguments" message, SQLSTATE 42883).

use super::library::{self, CallError};
use super::{arg_value, value_text};
use datafusion::arrow::array::{ArrayRef, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use quiverdb_catalog::{Error, ErrorCode, SqlType};
use std::sync::Arc;

/// One library function as a UDF.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct LibraryFn {
    udf_name: String,
    name: &'static str,
    min: usize,
    max: Option<usize>,
    signature: Signature,
}

/// Our error for a failed call (also for the aggregates, which apply library functions).
pub(super) fn call_error(e: CallError) -> datafusion::error::DataFusionError {
    let code = match &e {
        CallError::Unknown(_) | CallError::Arity { .. } => ErrorCode::UndefinedFunction,
        CallError::Invalid(_) => ErrorCode::InvalidParameterValue,
    };
    Error::new(code, e.to_string()).into()
}

impl ScalarUDFImpl for LibraryFn {
    fn name(&self) -> &str {
        &self.udf_name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let n = args.arg_fields.len();
        if n < self.min || self.max.is_some_and(|m| n > m) {
            return Err(call_error(CallError::Arity { name: self.name.to_string(), min: self.min, max: self.max }));
        }
        Ok(Arc::new(Field::new(&self.udf_name, DataType::Utf8, false).with_metadata(SqlType::Jsonb.field_metadata())))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let all_scalar = args.args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let n = if all_scalar { 1 } else { args.number_rows };
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let mut out = StringBuilder::with_capacity(n, n * 8);
        for row in 0..n {
            let values = (0..arrays.len()).map(|i| arg_value(&arrays, i, row)).collect::<Result<Vec<_>>>()?;
            let v = library::call(self.name, values).map_err(call_error)?;
            out.append_value(value_text(v)?);
        }
        let array: ArrayRef = Arc::new(out.finish());
        if all_scalar { Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&array, 0)?)) } else { Ok(ColumnarValue::Array(array)) }
    }
}

/// A UDF per library function.
pub fn udfs() -> Vec<ScalarUDF> {
    library::names()
        .filter_map(|name| {
            let (canonical, min, max) = library::lookup(name)?;
            let volatility = if library::is_volatile(canonical) { Volatility::Volatile } else { Volatility::Immutable };
            let signature = Signature::one_of(
                vec![datafusion::logical_expr::TypeSignature::VariadicAny, datafusion::logical_expr::TypeSignature::Nullary],
                volatility,
            );
            Some(ScalarUDF::from(LibraryFn {
                udf_name: format!("aql_fn_{}", name.to_ascii_lowercase()),
                name: canonical,
                min,
                max,
                signature,
            }))
        })
        .collect()
}
