//! `pg_typeof(any)`: the PostgreSQL type of its argument, as `format_type` spells it.
//!
//! The type comes from the argument's field (its Arrow type refined by our metadata, so
//! `varchar`, `jsonb` and `int2vector` values name their own types; a regtype prints no
//! modifier, so `varchar(20)` is `character varying`) and is the same for
//! every row. PostgreSQL returns a `regtype`, which prints as that name; here the result is
//! text, which is what clients display and what `pg_typeof(x)::text` gives.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use quiverdb_catalog::SqlType;
use quiverdb_catalog::system::pg_types::format_type;

/// `pg_typeof`.
pub fn udf() -> ScalarUDF {
    ScalarUDF::from(PgTypeof { signature: Signature::any(1, Volatility::Immutable) })
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct PgTypeof {
    signature: Signature,
}

impl ScalarUDFImpl for PgTypeof {
    fn name(&self) -> &str {
        "pg_typeof"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let name = match args.arg_fields.first() {
            // An untyped NULL is PostgreSQL's `unknown`.
            Some(f) if f.data_type() == &DataType::Null => "unknown".to_string(),
            Some(f) => {
                let ty = SqlType::from_field(f);
                format_type(ty.oid(), None)
            }
            None => "unknown".to_string(),
        };
        Ok(ColumnarValue::Scalar(ScalarValue::Utf8(Some(name))))
    }
}
