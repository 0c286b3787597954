//! ArangoDB 3.12's AQL function library (the functions that need no collection, graph, geo
//! index or ArangoSearch view) as pure functions over [`JsonValue`].
//!
//! * [`lookup`] resolves a name (any case) to its upper-case name and arity at plan time;
//!   [`call`] runs a function on evaluated arguments; [`is_volatile`] names the functions the
//!   planner must not fold (`RAND()`, `UUID()`, `DATE_NOW()`, `FAIL()`, ...).
//! * Semantics follow ArangoDB: an argument of the wrong type makes most functions return
//!   `null` (ArangoDB adds a warning); only real query errors become [`CallError::Invalid`]
//!   (`FAIL()`, a failed `ASSERT()`, an invalid regular expression, a range too large to
//!   materialize, `REPLACE_NTH()` past the end without padding, an unsupported time zone).
//! * Strings count characters (code points); numbers come back canonical ([`value::number`]);
//!   objects keep insertion order, with duplicate keys read as the last one (the caller
//!   normalizes results).
//!
//! Deviations from ArangoDB, all deliberate:
//! * Regular expressions use the `regex` crate (no look-around or back-references), matching
//!   `=~`; `FIND_FIRST()`/`FIND_LAST()`/`SUBSTITUTE()` match exactly (ICU matches by collation).
//! * Date functions work in UTC only: a time zone argument other than UTC is an error, and
//!   `DATE_UTCTOLOCAL()`, `DATE_LOCALTOUTC()`, `DATE_TIMEZONE()`, `DATE_TIMEZONES()` are absent.
//! * `HASH()` is a stable 51-bit hash of the value, not ArangoDB's exact number; `VERSION()`
//!   returns `"3.12.0"` so drivers parse it; `SLEEP()` really sleeps, at most 10 seconds;
//!   `APPLY()`/`CALL()` reach the built-in functions only (there are no user functions).
//! * Not provided: functions that need the catalog (`DOCUMENT`, `COLLECTIONS`, `COLLECTION_COUNT`,
//!   `CURRENT_USER`, `CURRENT_DATABASE`, `SCHEMA_*`, `SHARD_ID`, `DECODE_REV`), ArangoSearch
//!   helpers (`TOKENS`, `NGRAM_*`, `LEVENSHTEIN_MATCH`, `MINHASH`, ...), geo functions.

mod array;
mod date;
mod hash;
mod misc;
mod numeric;
mod object;
mod string;
mod types;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_array;
#[cfg(test)]
mod tests_date;
#[cfg(test)]
mod tests_numeric;
#[cfg(test)]
mod tests_object;
#[cfg(test)]
mod tests_string;

use super::value;
use crate::functions::jsonvalue::JsonValue;
use std::collections::HashMap;
use std::fmt;

/// Why a call failed. Wrong argument types are not errors: those calls return `null`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// No such function.
    Unknown(String),
    /// Wrong number of arguments.
    Arity {
        /// The function's upper-case name.
        name: String,
        /// Fewest arguments accepted.
        min: usize,
        /// Most arguments accepted (`None`: unlimited).
        max: Option<usize>,
    },
    /// An error ArangoDB raises (the message).
    Invalid(String),
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Unknown(name) => write!(f, "unknown function '{name}()'"),
            CallError::Arity { name, min, max } => write!(
                f,
                "invalid number of arguments for function '{name}()', expected number of arguments: minimum: {min}, maximum: {}",
                max.unwrap_or(UNLIMITED)
            ),
            CallError::Invalid(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for CallError {}

/// What ArangoDB prints as the maximum of a function taking any number of arguments.
const UNLIMITED: usize = 65536;

/// Longest array `RANGE()` (and `REPLACE_NTH()` padding) may build, as for `a..b`.
pub(super) const MAX_ELEMENTS: usize = 10_000_000;

type Args = Vec<JsonValue>;
type Func = fn(Args) -> Result<JsonValue, CallError>;

/// One function: name, arity (`usize::MAX`: unlimited) and implementation.
struct Def(&'static str, usize, usize, Func);

const N: usize = usize::MAX;

/// Every function, sorted by name (checked by a test), aliases included.
static FUNCTIONS: &[Def] = &[
    Def("ABS", 1, 1, numeric::abs),
    Def("ACOS", 1, 1, numeric::acos),
    Def("APPEND", 2, 3, array::append),
    Def("APPLY", 1, 2, misc::apply),
    Def("ASIN", 1, 1, numeric::asin),
    Def("ASSERT", 2, 2, misc::assert),
    Def("ATAN", 1, 1, numeric::atan),
    Def("ATAN2", 2, 2, numeric::atan2),
    Def("ATTRIBUTES", 1, 3, object::attributes),
    Def("AVERAGE", 1, 1, numeric::average),
    Def("AVG", 1, 1, numeric::average),
    Def("BIT_AND", 1, 2, numeric::bit_and),
    Def("BIT_CONSTRUCT", 1, 1, numeric::bit_construct),
    Def("BIT_DECONSTRUCT", 1, 1, numeric::bit_deconstruct),
    Def("BIT_FROM_STRING", 1, 1, numeric::bit_from_string),
    Def("BIT_NEGATE", 2, 2, numeric::bit_negate),
    Def("BIT_OR", 1, 2, numeric::bit_or),
    Def("BIT_POPCOUNT", 1, 1, numeric::bit_popcount),
    Def("BIT_SHIFT_LEFT", 3, 3, numeric::bit_shift_left),
    Def("BIT_SHIFT_RIGHT", 3, 3, numeric::bit_shift_right),
    Def("BIT_TEST", 2, 2, numeric::bit_test),
    Def("BIT_TO_STRING", 2, 2, numeric::bit_to_string),
    Def("BIT_XOR", 1, 2, numeric::bit_xor),
    Def("CALL", 1, N, misc::call_fn),
    Def("CEIL", 1, 1, numeric::ceil),
    Def("CHAR_LENGTH", 1, 1, string::char_length),
    Def("CHECK_DOCUMENT", 1, 1, misc::check_document),
    Def("CONCAT", 1, N, string::concat),
    Def("CONCAT_SEPARATOR", 2, N, string::concat_separator),
    Def("CONTAINS", 2, 3, string::contains),
    Def("CONTAINS_ARRAY", 2, 3, array::position),
    Def("COS", 1, 1, numeric::cos),
    Def("COSINE_SIMILARITY", 2, 2, numeric::cosine_similarity),
    Def("COUNT", 1, 1, array::length),
    Def("COUNT_DISTINCT", 1, 1, array::count_distinct),
    Def("COUNT_UNIQUE", 1, 1, array::count_distinct),
    Def("CRC32", 1, 1, string::crc32),
    Def("DATE_ADD", 2, 4, date::date_add),
    Def("DATE_COMPARE", 3, 6, date::date_compare),
    Def("DATE_DAY", 1, 2, date::date_day),
    Def("DATE_DAYOFWEEK", 1, 2, date::date_dayofweek),
    Def("DATE_DAYOFYEAR", 1, 2, date::date_dayofyear),
    Def("DATE_DAYS_IN_MONTH", 1, 2, date::date_days_in_month),
    Def("DATE_DIFF", 3, 6, date::date_diff),
    Def("DATE_FORMAT", 2, 3, date::date_format),
    Def("DATE_HOUR", 1, 2, date::date_hour),
    Def("DATE_ISO8601", 1, 7, date::date_iso8601),
    Def("DATE_ISOWEEK", 1, 2, date::date_isoweek),
    Def("DATE_ISOWEEKYEAR", 1, 2, date::date_isoweekyear),
    Def("DATE_LEAPYEAR", 1, 2, date::date_leapyear),
    Def("DATE_MILLISECOND", 1, 1, date::date_millisecond),
    Def("DATE_MINUTE", 1, 2, date::date_minute),
    Def("DATE_MONTH", 1, 2, date::date_month),
    Def("DATE_NOW", 0, 0, date::date_now),
    Def("DATE_QUARTER", 1, 2, date::date_quarter),
    Def("DATE_ROUND", 3, 4, date::date_round),
    Def("DATE_SECOND", 1, 1, date::date_second),
    Def("DATE_SUBTRACT", 2, 4, date::date_subtract),
    Def("DATE_TIMESTAMP", 1, 7, date::date_timestamp),
    Def("DATE_TRUNC", 2, 3, date::date_trunc),
    Def("DATE_YEAR", 1, 2, date::date_year),
    Def("DECAY_EXP", 5, 5, numeric::decay_exp),
    Def("DECAY_GAUSS", 5, 5, numeric::decay_gauss),
    Def("DECAY_LINEAR", 5, 5, numeric::decay_linear),
    Def("DEGREES", 1, 1, numeric::degrees),
    Def("ENCODE_URI_COMPONENT", 1, 1, string::encode_uri_component),
    Def("ENTRIES", 1, 1, object::entries),
    Def("EXP", 1, 1, numeric::exp),
    Def("EXP2", 1, 1, numeric::exp2),
    Def("FAIL", 0, 1, misc::fail),
    Def("FIND_FIRST", 2, 4, string::find_first),
    Def("FIND_LAST", 2, 4, string::find_last),
    Def("FIRST", 1, 1, array::first),
    Def("FIRST_DOCUMENT", 1, N, misc::first_document),
    Def("FIRST_LIST", 1, N, misc::first_list),
    Def("FLATTEN", 1, 2, array::flatten),
    Def("FLOOR", 1, 1, numeric::floor),
    Def("FNV64", 1, 1, string::fnv64),
    Def("HAS", 2, 2, object::has),
    Def("HASH", 1, 1, misc::hash),
    Def("INTERLEAVE", 2, N, array::interleave),
    Def("INTERSECTION", 2, N, array::intersection),
    Def("IN_RANGE", 5, 5, misc::in_range),
    Def("IPV4_FROM_NUMBER", 1, 1, string::ipv4_from_number),
    Def("IPV4_TO_NUMBER", 1, 1, string::ipv4_to_number),
    Def("IS_ARRAY", 1, 1, types::is_array),
    Def("IS_BOOL", 1, 1, types::is_bool),
    Def("IS_DATESTRING", 1, 1, date::is_datestring),
    Def("IS_DOCUMENT", 1, 1, types::is_object),
    Def("IS_IPV4", 1, 1, string::is_ipv4),
    Def("IS_KEY", 1, 1, types::is_key),
    Def("IS_LIST", 1, 1, types::is_array),
    Def("IS_NULL", 1, 1, types::is_null),
    Def("IS_NUMBER", 1, 1, types::is_number),
    Def("IS_OBJECT", 1, 1, types::is_object),
    Def("IS_SAME_COLLECTION", 2, 2, object::is_same_collection),
    Def("IS_STRING", 1, 1, types::is_string),
    Def("JACCARD", 2, 2, array::jaccard),
    Def("JSON_PARSE", 1, 1, object::json_parse),
    Def("JSON_STRINGIFY", 1, 1, object::json_stringify),
    Def("KEEP", 2, N, object::keep),
    Def("KEEP_RECURSIVE", 2, N, object::keep_recursive),
    Def("KEYS", 1, 3, object::attributes),
    Def("L1_DISTANCE", 2, 2, numeric::l1_distance),
    Def("L2_DISTANCE", 2, 2, numeric::l2_distance),
    Def("LAST", 1, 1, array::last),
    Def("LEFT", 2, 2, string::left),
    Def("LENGTH", 1, 1, array::length),
    Def("LEVENSHTEIN_DISTANCE", 2, 2, string::levenshtein_distance),
    Def("LIKE", 2, 3, string::like),
    Def("LOG", 1, 1, numeric::log),
    Def("LOG10", 1, 1, numeric::log10),
    Def("LOG2", 1, 1, numeric::log2),
    Def("LOWER", 1, 1, string::lower),
    Def("LTRIM", 1, 2, string::ltrim),
    Def("MATCHES", 2, 3, object::matches),
    Def("MAX", 1, 1, numeric::max),
    Def("MD5", 1, 1, string::md5),
    Def("MEDIAN", 1, 1, numeric::median),
    Def("MERGE", 1, N, object::merge),
    Def("MERGE_RECURSIVE", 1, N, object::merge_recursive),
    Def("MIN", 1, 1, numeric::min),
    Def("MINHASH_COUNT", 1, 1, numeric::minhash_count),
    Def("MINHASH_ERROR", 1, 1, numeric::minhash_error),
    Def("MINUS", 2, N, array::minus),
    Def("MIN_MATCH", 2, N, misc::min_match),
    Def("NOEVAL", 1, 1, misc::passthru),
    Def("NOOPT", 1, 1, misc::passthru),
    Def("NOT_NULL", 1, N, misc::not_null),
    Def("NTH", 2, 2, array::nth),
    Def("OUTERSECTION", 2, N, array::outersection),
    Def("PARSE_COLLECTION", 1, 1, object::parse_collection),
    Def("PARSE_IDENTIFIER", 1, 1, object::parse_identifier),
    Def("PARSE_KEY", 1, 1, object::parse_key),
    Def("PASSTHRU", 1, 1, misc::passthru),
    Def("PERCENTILE", 2, 3, numeric::percentile),
    Def("PI", 0, 0, numeric::pi),
    Def("POP", 1, 1, array::pop),
    Def("POSITION", 2, 3, array::position),
    Def("POW", 2, 2, numeric::pow),
    Def("PRODUCT", 1, 1, numeric::product),
    Def("PUSH", 2, 3, array::push),
    Def("RADIANS", 1, 1, numeric::radians),
    Def("RAND", 0, 0, numeric::rand),
    Def("RANDOM_TOKEN", 1, 1, string::random_token),
    Def("RANGE", 2, 3, numeric::range),
    Def("REGEX_MATCHES", 2, 3, string::regex_matches),
    Def("REGEX_REPLACE", 3, 4, string::regex_replace),
    Def("REGEX_SPLIT", 2, 4, string::regex_split),
    Def("REGEX_TEST", 2, 3, string::regex_test),
    Def("REMOVE_NTH", 2, 2, array::remove_nth),
    Def("REMOVE_VALUE", 2, 3, array::remove_value),
    Def("REMOVE_VALUES", 2, 2, array::remove_values),
    Def("REPLACE_NTH", 3, 4, array::replace_nth),
    Def("REVERSE", 1, 1, array::reverse),
    Def("RIGHT", 2, 2, string::right),
    Def("ROUND", 1, 1, numeric::round),
    Def("RTRIM", 1, 2, string::rtrim),
    Def("SHA1", 1, 1, string::sha1),
    Def("SHA256", 1, 1, string::sha256),
    Def("SHA512", 1, 1, string::sha512),
    Def("SHIFT", 1, 1, array::shift),
    Def("SIN", 1, 1, numeric::sin),
    Def("SLEEP", 1, 1, misc::sleep),
    Def("SLICE", 2, 3, array::slice),
    Def("SORTED", 1, 1, array::sorted),
    Def("SORTED_UNIQUE", 1, 1, array::sorted_unique),
    Def("SOUNDEX", 1, 1, string::soundex),
    Def("SPLIT", 1, 3, string::split),
    Def("SQRT", 1, 1, numeric::sqrt),
    Def("STARTS_WITH", 2, 3, string::starts_with),
    Def("STDDEV", 1, 1, numeric::stddev_population),
    Def("STDDEV_POPULATION", 1, 1, numeric::stddev_population),
    Def("STDDEV_SAMPLE", 1, 1, numeric::stddev_sample),
    Def("SUBSTITUTE", 2, 4, string::substitute),
    Def("SUBSTRING", 2, 3, string::substring),
    Def("SUBSTRING_BYTES", 2, 3, string::substring_bytes),
    Def("SUM", 1, 1, numeric::sum),
    Def("TAN", 1, 1, numeric::tan),
    Def("TO_ARRAY", 1, 1, types::to_array),
    Def("TO_BASE64", 1, 1, string::to_base64),
    Def("TO_BOOL", 1, 1, types::to_bool),
    Def("TO_HEX", 1, 1, string::to_hex),
    Def("TO_LIST", 1, 1, types::to_array),
    Def("TO_NUMBER", 1, 1, types::to_number),
    Def("TO_STRING", 1, 1, types::to_string),
    Def("TRANSLATE", 2, 3, object::translate),
    Def("TRIM", 1, 2, string::trim),
    Def("TYPENAME", 1, 1, types::typename),
    Def("UNION", 2, N, array::union),
    Def("UNION_DISTINCT", 2, N, array::union_distinct),
    Def("UNIQUE", 1, 1, array::unique),
    Def("UNSET", 2, N, object::unset),
    Def("UNSET_RECURSIVE", 2, N, object::unset_recursive),
    Def("UNSHIFT", 2, 3, array::unshift),
    Def("UPPER", 1, 1, string::upper),
    Def("UUID", 0, 0, string::uuid),
    Def("VALUE", 2, 2, object::value_fn),
    Def("VALUES", 1, 2, object::values),
    Def("VARIANCE", 1, 1, numeric::variance_population),
    Def("VARIANCE_POPULATION", 1, 1, numeric::variance_population),
    Def("VARIANCE_SAMPLE", 1, 1, numeric::variance_sample),
    Def("VERSION", 0, 0, misc::version),
    Def("WARN", 2, 2, misc::warn),
    Def("ZIP", 2, 2, object::zip),
];

fn find(name: &str) -> Option<&'static Def> {
    if name.len() > 32 {
        return None;
    }
    let upper = name.to_ascii_uppercase();
    FUNCTIONS.binary_search_by(|d| d.0.cmp(upper.as_str())).ok().map(|i| &FUNCTIONS[i])
}

fn max_of(d: &Def) -> Option<usize> {
    (d.2 != N).then_some(d.2)
}

/// Every function's upper-case name (aliases included), sorted.
pub fn names() -> impl Iterator<Item = &'static str> {
    FUNCTIONS.iter().map(|d| d.0)
}

/// The upper-case name and arity (`min`, `max`; `None`: unlimited) of function `name` (any
/// case), if it exists.
pub fn lookup(name: &str) -> Option<(&'static str, usize, Option<usize>)> {
    find(name).map(|d| (d.0, d.1, max_of(d)))
}

/// Calls function `name` (any case) with evaluated arguments.
pub fn call(name: &str, args: Vec<JsonValue>) -> Result<JsonValue, CallError> {
    let Some(def) = find(name) else {
        return Err(CallError::Unknown(name.to_uppercase()));
    };
    if args.len() < def.1 || args.len() > def.2 {
        return Err(CallError::Arity { name: def.0.to_string(), min: def.1, max: max_of(def) });
    }
    (def.3)(args)
}

/// True for functions the planner must not evaluate ahead of time: their result changes
/// between calls with equal arguments (`RAND()`, `UUID()`, `DATE_NOW()`, ...), or they act
/// (`FAIL()`, `ASSERT()`, `WARN()`, `SLEEP()`), or they exist to defeat folding (`NOOPT()`),
/// or they call another function chosen at run time (`APPLY()`, `CALL()`).
pub fn is_volatile(name: &str) -> bool {
    matches!(
        name.to_ascii_uppercase().as_str(),
        "RAND"
            | "UUID"
            | "RANDOM_TOKEN"
            | "DATE_NOW"
            | "SLEEP"
            | "FAIL"
            | "ASSERT"
            | "WARN"
            | "NOOPT"
            | "APPLY"
            | "CALL"
            | "CHECK_DOCUMENT"
    )
}

// ---- helpers shared by the families ----

const NULL: JsonValue = JsonValue::Null;

/// Argument `i`, `null` when absent.
fn arg(a: &[JsonValue], i: usize) -> &JsonValue {
    a.get(i).unwrap_or(&NULL)
}

/// Takes argument `i` out of `a` (`null` when absent).
fn take(a: &mut [JsonValue], i: usize) -> JsonValue {
    a.get_mut(i).map(|v| std::mem::replace(v, JsonValue::Null)).unwrap_or(JsonValue::Null)
}

/// A canonical number (`null` when not finite).
fn number(f: f64) -> JsonValue {
    value::number(f)
}

fn int(i: i64) -> JsonValue {
    value::number(i as f64)
}

fn string(s: impl Into<String>) -> JsonValue {
    JsonValue::String(s.into())
}

/// The number of a number value (`None` for other types).
fn as_number(v: &JsonValue) -> Option<f64> {
    match v {
        JsonValue::Number(n) => Some(value::number_value(n)),
        _ => None,
    }
}

/// `TO_NUMBER(v)` truncated to an integer, saturating (ArangoDB's `toInt64`).
fn to_i64(v: &JsonValue) -> i64 {
    let f = value::to_number(v);
    if f.is_nan() { 0 } else { f.trunc() as i64 }
}

/// `TO_STRING(v)`.
fn text(v: &JsonValue) -> String {
    value::to_string(v)
}

/// The error ArangoDB raises for an argument of the wrong type where it does not merely warn.
fn type_mismatch(name: &str) -> CallError {
    CallError::Invalid(format!("invalid argument type in call to function '{name}()'"))
}

/// An object's members with duplicate keys resolved as attribute access does: each key once,
/// at its first position, with its last value.
fn members(m: &[(String, JsonValue)]) -> Vec<(&str, &JsonValue)> {
    let mut out: Vec<(&str, &JsonValue)> = Vec::with_capacity(m.len());
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(m.len());
    for (k, v) in m {
        match index.get(k.as_str()) {
            Some(&i) => out[i].1 = v,
            None => {
                index.insert(k.as_str(), out.len());
                out.push((k.as_str(), v));
            }
        }
    }
    out
}

/// Owned variant of [`members`].
fn into_members(m: Vec<(String, JsonValue)>) -> Vec<(String, JsonValue)> {
    let mut out: Vec<(String, JsonValue)> = Vec::with_capacity(m.len());
    let mut index: HashMap<String, usize> = HashMap::with_capacity(m.len());
    for (k, v) in m {
        match index.get(&k) {
            Some(&i) => out[i].1 = v,
            None => {
                index.insert(k.clone(), out.len());
                out.push((k, v));
            }
        }
    }
    out
}
