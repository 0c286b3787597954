//! PostgreSQL `json` / `jsonb` text semantics, independent of any query engine.
//!
//! # Design
//!
//! * **One value model, two disciplines.** [`JsonValue`] is a plain tree. A value from
//!   [`parse_json`] is *verbatim*: members in input order, duplicate keys kept, number
//!   text exactly as written. A value from [`parse_jsonb`] (or
//!   [`JsonValue::normalize_jsonb`]) is *normalized* the way `jsonb` stores data: object
//!   keys de-duplicated (last wins) and sorted by (byte length, bytes), numbers rewritten
//!   by `numeric` rules (`1e2` → `100`, `1.50` kept, `-0` → `0`). All `jsonb` operators
//!   ([`ops`], [`compare`]) expect normalized values.
//! * **`json` is text.** PostgreSQL stores a `json` datum as its input text once
//!   [`validate_json`] accepts it; its output is that text unchanged.
//! * **Numbers stay text.** [`JsonValue::Number`] holds decimal text; comparison and
//!   hashing ([`numeric`]) work on the digits, so no precision is ever lost and no
//!   floating point is involved.
//! * **Errors are PostgreSQL's.** [`JsonError`] carries the SQLSTATE, primary message,
//!   detail and `CONTEXT` line that PostgreSQL 15 reports, e.g. `22P02` /
//!   `Token "x" is invalid.` / `JSON data, line 1: [1, x...`.
//! * **No stack overflow, no panic.** Parsing uses an explicit stack and rejects nesting
//!   deeper than [`MAX_DEPTH`] (`54001 stack depth limit exceeded`; PostgreSQL's own
//!   limit is set by `max_stack_depth`, about 12 000 levels by default). The other
//!   routines (and the derived `Clone`/`Drop`) recurse once per nesting level, which
//!   is safe for any value the parsers produce (and the one extra level `||` can add):
//!   at most about 256 KiB of stack in release builds, 1 MiB in debug builds.
//! * **String order is bytewise**, i.e. PostgreSQL under the `C` collation, which decides
//!   how `jsonb` strings (and keys) compare inside [`compare::jsonb_cmp`].

pub mod compare;
pub mod error;
mod lexer;
pub mod numeric;
pub mod ops;
pub mod output;
mod parse;
pub mod scan;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_ops;
#[cfg(test)]
mod tests_scan;

pub use compare::{Jsonb, jsonb_cmp, jsonb_eq, jsonb_hash};
pub use error::JsonError;
pub use numeric::{compare_numbers, normalize_number};
pub use output::escape_json_string;
pub use parse::{parse_json, parse_jsonb, validate_json};

/// Deepest nesting of arrays/objects accepted by the parsers; deeper input fails with
/// `54001 stack depth limit exceeded` instead of exhausting the stack.
pub const MAX_DEPTH: usize = 1000;

/// A JSON value. The derived `PartialEq` is structural (`Number("1.0") != Number("1")`);
/// SQL `=` on `jsonb` is [`jsonb_eq`] (or the [`Jsonb`] wrapper).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonValue {
    /// JSON `null` (distinct from SQL NULL, which the operators express as `None`).
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number's text: verbatim for `json`, `numeric`-normalized for `jsonb`.
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<JsonValue>),
    /// An object's members, in input order (`json`) or `jsonb` key order.
    Object(Vec<(String, JsonValue)>),
}

impl JsonValue {
    /// `jsonb_typeof` / `json_typeof`: `object`, `array`, `string`, `number`, `boolean`
    /// or `null`.
    pub fn type_name(&self) -> &'static str {
        match self {
            JsonValue::Null => "null",
            JsonValue::Bool(_) => "boolean",
            JsonValue::Number(_) => "number",
            JsonValue::String(_) => "string",
            JsonValue::Array(_) => "array",
            JsonValue::Object(_) => "object",
        }
    }

    /// True for everything but arrays and objects (a "raw scalar" at the top level).
    pub fn is_scalar(&self) -> bool {
        !matches!(self, JsonValue::Array(_) | JsonValue::Object(_))
    }

    /// `jsonb_out`: the canonical text, e.g. `{"a": 1, "b": [1, 2, 3]}` (same as
    /// `to_string()`). Prints the value as it is; normalize first for `jsonb` output.
    pub fn to_jsonb_text(&self) -> String {
        self.to_string()
    }

    /// The text `->>` / `#>>` return: a string unescaped, a number / boolean / container
    /// as its `jsonb` text; `None` (SQL NULL) for JSON `null`.
    pub fn as_text(&self) -> Option<String> {
        match self {
            JsonValue::Null => None,
            JsonValue::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }

    /// Convert a verbatim (`json`) value to its `jsonb` form, as a `json::jsonb` cast
    /// does: numbers normalized (`22003` if out of `numeric` range), object keys sorted
    /// and de-duplicated (last wins), strings containing U+0000 refused (`22P05`, as
    /// for `\u0000` in `jsonb` input); `54001` past [`MAX_DEPTH`]. Idempotent.
    pub fn normalize_jsonb(mut self) -> Result<JsonValue, JsonError> {
        let mut error = None;
        if normalize_at(&mut self, 0, &mut error) {
            return Ok(self);
        }
        Err(error.unwrap_or_else(JsonError::too_deep))
    }

    /// Nesting depth: 0 for a scalar, 1 for `[]` or `[1]`, 2 for `[[1]]`, ...
    pub fn depth(&self) -> usize {
        match self {
            JsonValue::Array(items) => 1 + items.iter().map(Self::depth).max().unwrap_or(0),
            JsonValue::Object(m) => 1 + m.iter().map(|(_, v)| v.depth()).max().unwrap_or(0),
            _ => 0,
        }
    }
}

fn check_string(s: &str) -> Result<(), JsonError> {
    if s.contains('\0') {
        return Err(JsonError::new(error::UNTRANSLATABLE_CHARACTER, "unsupported Unicode escape sequence")
            .with_detail("\\u0000 cannot be converted to text."));
    }
    Ok(())
}

/// Record `result`'s error (if any) in `error`; true when it was `Ok`. Kept out of
/// line so the recursive frame of [`normalize_at`] stays small.
#[inline(never)]
fn record(result: Result<(), JsonError>, error: &mut Option<JsonError>) -> bool {
    match result {
        Ok(()) => true,
        Err(e) => {
            *error = Some(e);
            false
        }
    }
}

#[inline(never)]
fn normalize_scalar(value: &mut JsonValue) -> Result<(), JsonError> {
    match value {
        JsonValue::Number(n) => *n = normalize_number(n)?,
        JsonValue::String(s) => check_string(s)?,
        _ => {}
    }
    Ok(())
}

/// In-place `jsonb` normalization; on failure the error is left in `error`.
fn normalize_at(value: &mut JsonValue, depth: usize, error: &mut Option<JsonError>) -> bool {
    if value.is_scalar() {
        return record(normalize_scalar(value), error);
    }
    if depth >= MAX_DEPTH {
        return record(Err(JsonError::too_deep()), error);
    }
    match value {
        JsonValue::Array(items) => {
            for item in items {
                if !normalize_at(item, depth + 1, error) {
                    return false;
                }
            }
        }
        JsonValue::Object(members) => {
            for (k, v) in members.iter_mut() {
                if !record(check_string(k), error) || !normalize_at(v, depth + 1, error) {
                    return false;
                }
            }
            parse::normalize_members(members);
        }
        _ => {}
    }
    true
}
