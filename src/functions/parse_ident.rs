//! `parse_ident(text [, strict])`: a qualified name split into its parts (Grafana's column
//! query uses it to tell `schema.table` from `table`). The parsing is
//! `quiverdb_catalog::ident::parse_ident`; text that is not a valid name is PostgreSQL's
//! 22023 `string is not a valid identifier`.

use datafusion::arrow::array::{Array, ArrayRef, AsArray, ListBuilder, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, TypeSignature, Volatility};
use quiverdb_catalog::{Error, ErrorCode};
use std::sync::Arc;

/// `parse_ident`.
pub fn udf() -> ScalarUDF {
    let signature = Signature::one_of(vec![TypeSignature::Any(1), TypeSignature::Any(2)], Volatility::Immutable);
    ScalarUDF::from(ParseIdent { signature })
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct ParseIdent {
    signature: Signature,
}

impl ScalarUDFImpl for ParseIdent {
    fn name(&self) -> &str {
        "parse_ident"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalar = args.args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let rows = if scalar { 1 } else { args.number_rows };
        let texts = datafusion::arrow::compute::cast(&args.args[0].to_array(rows)?, &DataType::Utf8)?;
        let strict = args.args.get(1).map(|a| a.to_array(rows)).transpose()?;
        let mut out = ListBuilder::new(StringBuilder::new());
        for row in 0..rows {
            if texts.is_null(row) {
                out.append(false);
                continue;
            }
            let text = texts.as_string::<i32>().value(row);
            let strict = match &strict {
                Some(a) => !matches!(ScalarValue::try_from_array(a, row)?, ScalarValue::Boolean(Some(false))),
                None => true,
            };
            let parts = quiverdb_catalog::ident::parse_ident(text, strict).ok_or_else(|| {
                Error::new(ErrorCode::InvalidParameterValue, format!("string is not a valid identifier: \"{text}\"")).into_datafusion()
            })?;
            for p in parts {
                out.values().append_value(p);
            }
            out.append(true);
        }
        super::columnar(Arc::new(out.finish()) as ArrayRef, scalar)
    }
}
