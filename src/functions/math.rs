//! Math functions whose PostgreSQL behaviour differs from DataFusion's.
//!
//! * `round(double precision)` rounds half to even (PostgreSQL calls the C library's
//!   `rint`): `round(2.5::float8)` is 2. `round(numeric [, n])` rounds half away from
//!   zero, as DataFusion's `round` does, so those calls are delegated to it.

use datafusion::arrow::array::{ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, FieldRef, Float32Type, Float64Type};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature};
use quiverdb_catalog::{Error, ErrorCode};
use std::sync::Arc;

/// `round` with PostgreSQL's float rounding.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Round {
    inner: Arc<ScalarUDF>,
}

impl ScalarUDFImpl for Round {
    fn name(&self) -> &str {
        "round"
    }

    fn signature(&self) -> &Signature {
        self.inner.signature()
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.inner.return_type(arg_types)
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        // round(double precision, integer) does not exist in PostgreSQL.
        if args.arg_fields.len() == 2 && matches!(args.arg_fields[0].data_type(), DataType::Float64 | DataType::Float32) {
            return Err(Error::new(ErrorCode::UndefinedFunction, "function round(double precision, integer) does not exist")
                .with_hint("No function matches the given name and argument types. You might need to add explicit type casts.")
                .into());
        }
        self.inner.return_field_from_args(args)
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.inner.inner().coerce_types(arg_types)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let float = args.args.len() == 1 && matches!(args.args[0].data_type(), DataType::Float64 | DataType::Float32);
        if !float {
            return self.inner.invoke_with_args(args);
        }
        let rint = |a: &ArrayRef| -> ArrayRef {
            match a.data_type() {
                DataType::Float32 => Arc::new(a.as_primitive::<Float32Type>().unary::<_, Float32Type>(f32::round_ties_even)),
                _ => Arc::new(a.as_primitive::<Float64Type>().unary::<_, Float64Type>(f64::round_ties_even)),
            }
        };
        Ok(match &args.args[0] {
            ColumnarValue::Array(a) => ColumnarValue::Array(rint(a)),
            ColumnarValue::Scalar(s) => ColumnarValue::Scalar(ScalarValue::try_from_array(&rint(&s.to_array()?), 0)?),
        })
    }
}

/// `round` (replacing DataFusion's).
pub fn round_udf() -> ScalarUDF {
    ScalarUDF::from(Round { inner: datafusion::functions::math::round() })
}

/// The functions of this module (replacing DataFusion's of the same name).
pub fn udfs() -> Vec<ScalarUDF> {
    vec![round_udf(), ScalarUDF::from(PgPower { inner: datafusion::functions::math::power() })]
}

/// `power(x, y)` / `x ^ y` for double precision: DataFusion's, except that the cases
/// PostgreSQL rejects are errors (2201F) instead of NaN or infinity: a negative base with
/// a non-integer exponent, and zero to a negative power.
#[derive(Debug, PartialEq, Eq, Hash)]
struct PgPower {
    inner: Arc<ScalarUDF>,
}

/// PostgreSQL's error for `base ^ exponent`, if any.
fn power_error(base: f64, exponent: f64) -> Option<&'static str> {
    if base == 0.0 && exponent < 0.0 {
        Some("zero raised to a negative power is undefined")
    } else if base < 0.0 && exponent.is_finite() && exponent.fract() != 0.0 {
        Some("a negative number raised to a non-integer power yields a complex result")
    } else {
        None
    }
}

impl ScalarUDFImpl for PgPower {
    fn name(&self) -> &str {
        "power"
    }

    fn aliases(&self) -> &[String] {
        self.inner.aliases()
    }

    fn signature(&self) -> &Signature {
        self.inner.signature()
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.inner.return_type(arg_types)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        if let [base, exponent] = args.args.as_slice() {
            let (base, exponent) = (base.to_array(args.number_rows)?, exponent.to_array(args.number_rows)?);
            if let (Some(b), Some(e)) = (base.as_primitive_opt::<Float64Type>(), exponent.as_primitive_opt::<Float64Type>()) {
                for (b, e) in b.iter().zip(e.iter()) {
                    if let Some(msg) = b.zip(e).and_then(|(b, e)| power_error(b, e)) {
                        return Err(Error::new(ErrorCode::InvalidArgumentForPowerFunction, msg).into_datafusion());
                    }
                }
            }
        }
        self.inner.invoke_with_args(args)
    }
}
