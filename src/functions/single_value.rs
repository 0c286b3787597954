//! `quiver_single_value(x)`: the value of a scalar subquery.
//!
//! Returns the only input row's value, NULL when there is no row, and fails with
//! PostgreSQL's `more than one row returned by a subquery used as an expression`
//! (21000) when there are more. The SQL frontend wraps scalar subqueries in it so that
//! DataFusion can decorrelate them (see `quiverdb_sql::rewrite::subqueries`).

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, UInt64Type};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility};
use quiverdb_catalog::{Error, ErrorCode};
use std::sync::Arc;

/// The aggregate's definition.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct SingleValue {
    signature: Signature,
}

impl AggregateUDFImpl for SingleValue {
    fn name(&self) -> &str {
        "quiver_single_value"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(arg_types.first().cloned().unwrap_or(DataType::Null))
    }

    fn return_field(&self, arg_fields: &[FieldRef]) -> Result<FieldRef> {
        // Keep the argument's metadata (e.g. jsonb) and allow NULL (no row).
        match arg_fields.first() {
            Some(f) => Ok(Arc::new(f.as_ref().clone().with_name(self.name()).with_nullable(true))),
            None => Ok(Arc::new(Field::new(self.name(), DataType::Null, true))),
        }
    }

    fn accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(SingleValueAcc { value: ScalarValue::try_from(args.return_field.data_type())?, rows: 0 }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        let dt = args.input_fields.first().map(|f| f.data_type().clone()).unwrap_or(DataType::Null);
        Ok(vec![
            Arc::new(Field::new(format!("{}[value]", args.name), dt, true)),
            Arc::new(Field::new(format!("{}[rows]", args.name), DataType::UInt64, false)),
        ])
    }
}

#[derive(Debug)]
struct SingleValueAcc {
    value: ScalarValue,
    rows: u64,
}

fn too_many() -> datafusion::error::DataFusionError {
    Error::new(ErrorCode::CardinalityViolation, "more than one row returned by a subquery used as an expression").into()
}

impl Accumulator for SingleValueAcc {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let Some(a) = values.first() else {
            return Ok(());
        };
        if a.is_empty() {
            return Ok(());
        }
        self.rows += a.len() as u64;
        if self.rows > 1 {
            return Err(too_many());
        }
        self.value = ScalarValue::try_from_array(a, 0)?;
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(self.value.clone())
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.value.size()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![self.value.clone(), ScalarValue::UInt64(Some(self.rows))])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let (Some(values), Some(rows)) = (states.first(), states.get(1)) else {
            return Ok(());
        };
        let rows = rows.as_primitive::<UInt64Type>();
        for i in 0..rows.len() {
            let n = rows.value(i);
            if n == 0 {
                continue;
            }
            self.rows += n;
            if self.rows > 1 {
                return Err(too_many());
            }
            self.value = ScalarValue::try_from_array(values, i)?;
        }
        Ok(())
    }
}

/// The aggregate.
pub fn udaf() -> AggregateUDF {
    AggregateUDF::from(SingleValue { signature: Signature::any(1, Volatility::Immutable) })
}
