//! Arithmetic with PostgreSQL's errors.
//!
//! DataFusion's `+ - *` wrap around on integer overflow and its float division returns
//! Infinity for a zero divisor. PostgreSQL raises `integer out of range` (22003) and
//! `division by zero` (22012), and `value out of range: overflow` for floats that leave
//! the finite range. The engine's `checked_arith` rule routes those operators through
//! these functions once types are final.

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::compute::kernels::numeric;
use datafusion::arrow::datatypes::{DataType, Float32Type, Float64Type};
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use quiverdb_catalog::{Error, ErrorCode};
use std::sync::Arc;

/// Which operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

/// A checked arithmetic function.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Checked {
    name: &'static str,
    op: ArithOp,
    signature: Signature,
}

fn type_name(dt: &DataType) -> &'static str {
    match dt {
        DataType::Int8 | DataType::Int16 => "smallint",
        DataType::Int32 => "integer",
        DataType::Int64 => "bigint",
        _ => "numeric",
    }
}

fn out_of_range(dt: &DataType) -> datafusion::error::DataFusionError {
    Error::new(ErrorCode::NumericValueOutOfRange, format!("{} out of range", type_name(dt))).into()
}

fn division_by_zero() -> datafusion::error::DataFusionError {
    Error::new(ErrorCode::DivisionByZero, "division by zero").into()
}

/// True when any non-null value of a float array is zero.
fn has_zero(a: &ArrayRef) -> bool {
    match a.data_type() {
        DataType::Float64 => a.as_primitive::<Float64Type>().iter().any(|v| v == Some(0.0)),
        DataType::Float32 => a.as_primitive::<Float32Type>().iter().any(|v| v == Some(0.0)),
        _ => false,
    }
}

/// Fails when a float result is infinite where no operand was.
fn check_float_overflow(l: &ArrayRef, r: &ArrayRef, out: &ArrayRef) -> Result<()> {
    let inf = |a: &ArrayRef, i: usize| match a.data_type() {
        DataType::Float64 => a.as_primitive::<Float64Type>().value(i).is_infinite(),
        DataType::Float32 => a.as_primitive::<Float32Type>().value(i).is_infinite(),
        _ => false,
    };
    for i in 0..out.len() {
        if out.is_valid(i) && inf(out, i) && !inf(l, i) && !inf(r, i) {
            return Err(Error::new(ErrorCode::NumericValueOutOfRange, "value out of range: overflow").into());
        }
    }
    Ok(())
}

impl ScalarUDFImpl for Checked {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(arg_types.first().cloned().unwrap_or(DataType::Null))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalar = args.args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let (l, r) = (&arrays[0], &arrays[1]);
        let dt = l.data_type().clone();
        let is_float = matches!(dt, DataType::Float32 | DataType::Float64);
        if is_float && matches!(self.op, ArithOp::Div | ArithOp::Mod) && has_zero(r) {
            return Err(division_by_zero());
        }
        let result = match self.op {
            ArithOp::Add => numeric::add(l, r),
            ArithOp::Sub => numeric::sub(l, r),
            ArithOp::Mul => numeric::mul(l, r),
            ArithOp::Div => numeric::div(l, r),
            ArithOp::Mod => numeric::rem(l, r),
        };
        let out: ArrayRef = match result {
            Ok(a) => a,
            Err(datafusion::arrow::error::ArrowError::ArithmeticOverflow(_)) => {
                return Err(out_of_range(&dt));
            }
            Err(datafusion::arrow::error::ArrowError::DivideByZero) => {
                return Err(division_by_zero());
            }
            Err(e) => return Err(e.into()),
        };
        if is_float {
            check_float_overflow(l, r, &out)?;
        }
        crate::functions::columnar(out, scalar)
    }
}

/// The checked function for `op`.
pub fn udf(op: ArithOp) -> ScalarUDF {
    let name = match op {
        ArithOp::Add => "quiver_add",
        ArithOp::Sub => "quiver_sub",
        ArithOp::Mul => "quiver_mul",
        ArithOp::Div => "quiver_div",
        ArithOp::Mod => "quiver_mod",
    };
    ScalarUDF::from(Checked { name, op, signature: Signature::any(2, Volatility::Immutable) })
}

/// All checked functions (for registration).
pub fn udfs() -> Vec<ScalarUDF> {
    [ArithOp::Add, ArithOp::Sub, ArithOp::Mul, ArithOp::Div, ArithOp::Mod].into_iter().map(udf).collect()
}

/// Shared handles of the checked functions.
pub fn arcs() -> Vec<(ArithOp, Arc<ScalarUDF>)> {
    [ArithOp::Add, ArithOp::Sub, ArithOp::Mul, ArithOp::Div, ArithOp::Mod].into_iter().map(|o| (o, Arc::new(udf(o)))).collect()
}
