//! Scalar functions, aggregates and operators PostgreSQL users expect, registered in the
//! engine's session template.
//!
//! * [`aql`] — AQL's operators and value semantics for the AQL frontend.
//! * [`arith`] — arithmetic with PostgreSQL's overflow and division-by-zero errors.
//! * [`bytea`] — `convert_to` / `convert_from`.
//! * [`math`] — `round` of floats rounds half to even.
//! * [`casts`] — casts that validate and normalize text (`::uuid`).
//! * [`text`] — `::text` with PostgreSQL's output format, `::varchar(n)`, C-locale case.
//! * [`json`] / [`jsonvalue`] — json and jsonb values, functions and operators.
//! * [`format`](mod@format) — `format()` with `%s`, `%I`, `%L`, positions and widths.
//! * [`extract`] — EXTRACT (numeric) and date_part with PostgreSQL's fields.
//! * [`datetime`] — `date_trunc` with PostgreSQL's units and time zone handling.
//! * [`operators`] — PostgreSQL operator resolution (unknown literals, intervals, json).
//! * [`single_value`] — the aggregate behind scalar subqueries.
//! * [`zones`] — timestamp ⇄ timestamptz in the session TimeZone.
//! * [`construct`] — `make_timestamp`.
//! * [`interval`] — `interval * number`, `interval / number`.
//! * [`series`] — `generate_series` over integers and timestamps (a table function).
//! * [`quantified`] — `x op ANY/ALL (array)` with three-valued logic.
//! * [`parse_ident`](mod@parse_ident) — a qualified name split into its parts.
//! * [`pg_typeof`] — the PostgreSQL type of a value.
//! * [`procs`] — the callable functions as `pg_proc` lists them.
//! * [`settings`] — the session settings functions read.
//! * [`subscripts`] — the subscripts `generate_subscripts` unnests (vectors start at 0).
//! * [`set_config`](mod@set_config) — `set_config()` inside queries, applied by the session.
//! * [`sequence`] — `nextval`, `currval`, `setval`, `lastval`.

pub mod aql;
pub mod arith;
pub mod bytea;
pub mod casts;
pub mod construct;
pub mod datetime;
pub mod extract;
pub mod format;
pub mod interval;
pub mod json;
pub mod json_build;
pub mod jsonvalue;
pub mod math;
pub mod operators;
pub mod parse_ident;
pub mod pg_typeof;
pub mod procs;
pub mod quantified;
pub mod sequence;
pub mod series;
pub mod set_config;
pub mod settings;
pub mod single_value;
pub mod subscripts;
pub mod text;
pub mod zones;

use datafusion::arrow::array::ArrayRef;
use datafusion::common::ScalarValue;
use datafusion::execution::FunctionRegistry;
use datafusion::execution::SessionState;
use datafusion::logical_expr::{ColumnarValue, ScalarUDF};
use std::sync::Arc;

/// A function's result: `out` as a scalar when every argument was a scalar (`out` then
/// holds one row), else the array.
pub(crate) fn columnar(out: ArrayRef, scalar: bool) -> datafusion::common::Result<ColumnarValue> {
    Ok(if scalar { ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?) } else { ColumnarValue::Array(out) })
}

/// Registers every function of this module in `state` (replacing DataFusion's functions
/// of the same name, e.g. `upper`).
pub fn register(state: &mut SessionState) -> datafusion::common::Result<()> {
    let udfs: Vec<ScalarUDF> = casts::udfs()
        .into_iter()
        .chain(arith::udfs())
        .chain(text::udfs())
        .chain(json::udfs())
        .chain(json_build::udfs())
        .chain(datetime::udfs())
        .chain(math::udfs())
        .chain(bytea::udfs())
        .chain(zones::udfs())
        .chain(extract::udfs())
        .chain(format::udfs())
        .chain(construct::udfs())
        .chain(interval::udfs())
        .chain(quantified::udfs())
        .chain(aql::udfs())
        .chain(std::iter::once(operators::interval_span_udf()))
        .chain(std::iter::once(pg_typeof::udf()))
        .chain(std::iter::once(parse_ident::udf()))
        .chain(std::iter::once(subscripts::udf()))
        .collect();
    for udf in udfs {
        state.register_udf(Arc::new(udf))?;
    }
    // PostgreSQL's spellings of DataFusion functions.
    state.register_udf(Arc::new(datafusion::functions::math::ceil().as_ref().clone().with_aliases(["ceiling"])))?;
    state.register_udaf(Arc::new(single_value::udaf()))?;
    for udaf in aql::aggregate::udafs() {
        state.register_udaf(Arc::new(udaf))?;
    }
    let integers = Arc::new(datafusion::functions_table::generate_series::GenerateSeriesFunc {});
    state.register_udtf("generate_series", Arc::new(series::GenerateSeries::new(integers)));
    Ok(())
}
