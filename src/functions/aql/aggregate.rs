//! AQL's aggregate functions for `COLLECT ... AGGREGATE` and `COLLECT ... INTO`.
//!
//! `aql_agg_<name>(value)` collects its group's values and then applies the library
//! function of the same name to the array of them, so `AGGREGATE s = SUM(x)` is exactly
//! `SUM([x1, x2, ...])` (nulls ignored where the library function ignores them).
//! `aql_agg_push` returns the array itself (`INTO g = expr`, `PUSH`), `aql_agg_length`
//! and `aql_agg_count` its length. Values keep their input order within a partition;
//! as in ArangoDB, only a SORT before the COLLECT fixes the order across rows. The same
//! aggregates serve `WINDOW` frames, which slide by retracting the oldest values.

use super::library;
use super::{arg_value, value_text};
use crate::functions::jsonvalue::JsonValue;
use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility};
use quiverdb_catalog::SqlType;
use std::collections::VecDeque;
use std::sync::Arc;

/// The aggregate functions AGGREGATE accepts (ArangoDB 3.12), by upper-case name.
pub const AGGREGATES: [&str; 16] = [
    "AVERAGE",
    "AVG",
    "COUNT",
    "COUNT_DISTINCT",
    "COUNT_UNIQUE",
    "LENGTH",
    "MAX",
    "MIN",
    "PUSH",
    "SORTED_UNIQUE",
    "STDDEV",
    "STDDEV_POPULATION",
    "STDDEV_SAMPLE",
    "SUM",
    "UNIQUE",
    "VARIANCE",
];

/// One AQL aggregate.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct AqlAggregate {
    udf_name: String,
    function: &'static str,
    signature: Signature,
}

impl AggregateUDFImpl for AqlAggregate {
    fn name(&self) -> &str {
        &self.udf_name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn return_field(&self, _arg_fields: &[FieldRef]) -> Result<FieldRef> {
        Ok(Arc::new(Field::new(&self.udf_name, DataType::Utf8, true).with_metadata(SqlType::Jsonb.field_metadata())))
    }

    fn accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(Collected { function: self.function, values: VecDeque::new(), bytes: 0 }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        let item = Arc::new(Field::new("item", DataType::Utf8, true));
        Ok(vec![Arc::new(Field::new(format!("{}[values]", args.name), DataType::List(item), true))])
    }
}

/// The values of one group (or window frame), as text (parsed once, at the end). A
/// sliding WINDOW frame retracts from the front, in input order.
#[derive(Debug)]
struct Collected {
    function: &'static str,
    values: VecDeque<String>,
    bytes: usize,
}

impl Collected {
    fn push(&mut self, text: String) {
        self.bytes += text.len();
        self.values.push_back(text);
    }
}

impl Accumulator for Collected {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let Some(a) = values.first() else { return Ok(()) };
        for row in 0..a.len() {
            let v = arg_value(values, 0, row)?;
            self.push(value_text(v)?);
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let items = self
            .values
            .iter()
            .map(|t| crate::functions::jsonvalue::parse_json(t).map_err(crate::functions::json::json_error))
            .collect::<Result<Vec<_>>>()?;
        let n = items.len();
        let array = JsonValue::Array(items);
        let out = match self.function {
            "PUSH" => array,
            "LENGTH" | "COUNT" => super::value::number(n as f64),
            f => library::call(f, vec![array]).map_err(super::call::call_error)?,
        };
        Ok(ScalarValue::Utf8(Some(value_text(out)?)))
    }

    fn retract_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let n = values.first().map_or(0, |a| a.len());
        for _ in 0..n {
            if let Some(text) = self.values.pop_front() {
                self.bytes -= text.len();
            }
        }
        Ok(())
    }

    fn supports_retract_batch(&self) -> bool {
        true
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.bytes + self.values.capacity() * std::mem::size_of::<String>()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let values: Vec<ScalarValue> = self.values.iter().map(|v| ScalarValue::Utf8(Some(v.clone()))).collect();
        Ok(vec![ScalarValue::List(ScalarValue::new_list_nullable(&values, &DataType::Utf8))])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let Some(lists) = states.first() else { return Ok(()) };
        let lists = lists.as_list::<i32>();
        for i in 0..lists.len() {
            if lists.is_null(i) {
                continue;
            }
            let items = lists.value(i);
            let items = items.as_string::<i32>();
            for j in 0..items.len() {
                self.push(items.value(j).to_string());
            }
        }
        Ok(())
    }
}

/// The aggregates, as `aql_agg_<lower-case name>`.
pub fn udafs() -> Vec<AggregateUDF> {
    AGGREGATES
        .iter()
        .map(|f| {
            AggregateUDF::from(AqlAggregate {
                udf_name: format!("aql_agg_{}", f.to_ascii_lowercase()),
                function: f,
                signature: Signature::any(1, Volatility::Immutable),
            })
        })
        .collect()
}
