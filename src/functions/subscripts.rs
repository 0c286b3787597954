//! `quiver_subscripts(array, dim, reverse)`: the subscripts of dimension `dim` as an array,
//! which the planner unnests for `generate_subscripts(array, dim [, reverse])`.
//!
//! Arrays are one-dimensional with lower bound 1; the catalogs' `int2vector` and
//! `oidvector` values (known from the argument's field) start at 0, as in PostgreSQL. A
//! NULL or empty array, or a dimension other than 1, gives NULL, so no rows.

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int32Builder, ListBuilder};
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use quiverdb_catalog::SqlType;
use std::sync::Arc;

/// `quiver_subscripts`.
pub fn udf() -> ScalarUDF {
    ScalarUDF::from(Subscripts { signature: Signature::any(3, Volatility::Immutable) })
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct Subscripts {
    signature: Signature,
}

impl ScalarUDFImpl for Subscripts {
    fn name(&self) -> &str {
        "quiver_subscripts"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::List(Arc::new(Field::new("item", DataType::Int32, true))))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let lower = match args.arg_fields.first().map(|f| SqlType::from_field(f)) {
            Some(SqlType::Vector(_)) => 0,
            _ => 1,
        };
        let scalar = args.args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let rows = if scalar { 1 } else { args.number_rows };
        let arrays = args.args.iter().map(|a| a.to_array(rows)).collect::<Result<Vec<ArrayRef>>>()?;
        let mut out = ListBuilder::new(Int32Builder::new());
        for row in 0..rows {
            let len = match arrays[0].data_type() {
                DataType::List(_) if !arrays[0].is_null(row) => Some(arrays[0].as_list::<i32>().value(row).len()),
                DataType::LargeList(_) if !arrays[0].is_null(row) => Some(arrays[0].as_list::<i64>().value(row).len()),
                _ => None,
            };
            let dim = ScalarValue::try_from_array(&arrays[1], row)?.cast_to(&DataType::Int64)?;
            let reverse = matches!(ScalarValue::try_from_array(&arrays[2], row)?, ScalarValue::Boolean(Some(true)));
            match (len, dim) {
                (Some(n), ScalarValue::Int64(Some(1))) if n > 0 => {
                    let range = lower..lower + n as i32;
                    if reverse {
                        out.values().append_slice(&range.rev().collect::<Vec<_>>());
                    } else {
                        out.values().append_slice(&range.collect::<Vec<_>>());
                    }
                    out.append(true);
                }
                _ => out.append(false),
            }
        }
        super::columnar(Arc::new(out.finish()), scalar)
    }
}
