//! AQL's value semantics over [`JsonValue`]: conversions, the cross-type order, equality,
//! arithmetic and a memcomparable sort key.
//!
//! # Rules (ArangoDB 3.12, "Type and value order" and "Type check and cast functions")
//!
//! * **Order**: `null < bool < number < string < array < object`; values of different
//!   types compare by type alone. `false < true`; numbers numerically (as doubles);
//!   strings bytewise (the `C` collation QuiverDB uses for text; ArangoDB's default ICU
//!   collation differs for non-ASCII and mixed case); arrays element by element, the
//!   shorter one padded with `null` (`[] == [null]`, `[] < [0]`); objects over the sorted
//!   union of both key sets, a missing attribute reading as `null`.
//! * **Truthiness** ([`to_bool`]): `null`, `false`, `0` and `""` are false; everything
//!   else, including `[]` and `{}`, is true.
//! * **Numbers** ([`to_number`]): `null`/`false` → 0, `true` → 1, a string holding a
//!   number (surrounding whitespace allowed) → that number, any other string → 0, an
//!   array of one element → that element's number, other arrays and objects → 0.
//!   Arithmetic converts both operands this way; a non-finite result, and division or
//!   modulo by zero, is `null`. Nothing here is an error.
//! * **Canonical form**: values computed by AQL are printed with numbers as the
//!   shortest text that reads back as the same double (`1.0` → `1`), so equal values
//!   have equal text. They travel through the plan as `jsonb` text.
//!
//! # Sort key
//!
//! [`sort_key`] encodes a value into bytes whose order is AQL's order, so `SORT`,
//! `COLLECT` and `RETURN DISTINCT` run on DataFusion's byte comparisons. A type byte
//! (null 1 … object 6) leads; numbers are order-preserving big-endian doubles (`-0` as
//! `0`); strings escape `0x00` as `00 FF` and end with `00 00`. Arrays are their elements
//! followed by `0`, with trailing nulls dropped: `0` sorts below every element, and an
//! element past the shorter array's end is only greater than the padding `null` when it
//! is not null itself. Objects are their non-null members in key order, each as the
//! bitwise complement of the key's string encoding followed by the value, then `0`: at
//! the first key where two objects differ, the object having the smaller key has a
//! non-null value where the other reads `null`, so it must sort higher — which the
//! complemented key achieves.

use crate::functions::jsonvalue::{JsonValue, compare_numbers};
use std::cmp::Ordering;

/// Rank of a value's type in AQL's order (null 1 … object 6).
pub fn type_rank(v: &JsonValue) -> u8 {
    match v {
        JsonValue::Null => 1,
        JsonValue::Bool(_) => 2,
        JsonValue::Number(_) => 3,
        JsonValue::String(_) => 4,
        JsonValue::Array(_) => 5,
        JsonValue::Object(_) => 6,
    }
}

/// AQL's name of a value's type, as `TYPENAME` returns it.
pub fn type_name(v: &JsonValue) -> &'static str {
    match v {
        JsonValue::Null => "null",
        JsonValue::Bool(_) => "bool",
        JsonValue::Number(_) => "number",
        JsonValue::String(_) => "string",
        JsonValue::Array(_) => "array",
        JsonValue::Object(_) => "object",
    }
}

/// The number a JSON number's text denotes (0 for text that is not a number).
pub fn number_value(text: &str) -> f64 {
    text.parse::<f64>().unwrap_or(0.0)
}

/// A number value; non-finite numbers become `null`, `-0` becomes `0`.
pub fn number(f: f64) -> JsonValue {
    if !f.is_finite() {
        return JsonValue::Null;
    }
    let f = if f == 0.0 { 0.0 } else { f };
    JsonValue::Number(format_number(f))
}

/// The shortest decimal text of a finite double that reads back as the same value, without
/// an exponent (`1e21` prints all its digits; JSON and `numeric` accept both).
pub fn format_number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        // Integral values print without a fraction.
        return format!("{}", f as i64);
    }
    format!("{f}")
}

/// Numbers inside `v` rewritten in canonical form (recursively).
pub fn canonical(v: JsonValue) -> JsonValue {
    match v {
        JsonValue::Number(n) => number(number_value(&n)),
        JsonValue::Array(items) => JsonValue::Array(items.into_iter().map(canonical).collect()),
        JsonValue::Object(members) => JsonValue::Object(members.into_iter().map(|(k, v)| (k, canonical(v))).collect()),
        other => other,
    }
}

/// `TO_BOOL`.
pub fn to_bool(v: &JsonValue) -> bool {
    match v {
        JsonValue::Null => false,
        JsonValue::Bool(b) => *b,
        JsonValue::Number(n) => number_value(n) != 0.0,
        JsonValue::String(s) => !s.is_empty(),
        JsonValue::Array(_) | JsonValue::Object(_) => true,
    }
}

/// `TO_NUMBER` (see the module docs).
pub fn to_number(v: &JsonValue) -> f64 {
    match v {
        JsonValue::Null | JsonValue::Bool(false) => 0.0,
        JsonValue::Bool(true) => 1.0,
        JsonValue::Number(n) => number_value(n),
        JsonValue::String(s) => parse_number_text(s).unwrap_or(0.0),
        JsonValue::Array(items) if items.len() == 1 => to_number(&items[0]),
        JsonValue::Array(_) | JsonValue::Object(_) => 0.0,
    }
}

/// A string's number when it holds one in JSON-like notation (surrounding whitespace
/// allowed; also `.5`, `5.`, a leading `+`); `None` otherwise.
pub fn parse_number_text(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() {
        return Some(0.0);
    }
    let ok =
        t.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-')) && t.bytes().any(|b| b.is_ascii_digit());
    if !ok {
        return None;
    }
    t.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// `TO_STRING`: `null` → `""`, booleans and numbers as text, strings as they are, arrays
/// and objects as JSON text.
pub fn to_string(v: &JsonValue) -> String {
    match v {
        JsonValue::Null => String::new(),
        JsonValue::Bool(b) => b.to_string(),
        JsonValue::Number(n) => format_number(number_value(n)),
        JsonValue::String(s) => s.clone(),
        other => to_json_text(other),
    }
}

/// Compact JSON text as AQL's `TO_STRING`/`JSON_STRINGIFY` print it (`[1,2]`, `{"a":1}`).
pub fn to_json_text(v: &JsonValue) -> String {
    let mut out = String::new();
    write_compact(&mut out, v);
    out
}

fn write_compact(out: &mut String, v: &JsonValue) {
    match v {
        JsonValue::Null => out.push_str("null"),
        JsonValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        JsonValue::Number(n) => out.push_str(&format_number(number_value(n))),
        JsonValue::String(s) => crate::functions::jsonvalue::escape_json_string(out, s),
        JsonValue::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_compact(out, item);
            }
            out.push(']');
        }
        JsonValue::Object(members) => {
            out.push('{');
            for (i, (k, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                crate::functions::jsonvalue::escape_json_string(out, k);
                out.push(':');
                write_compact(out, item);
            }
            out.push('}');
        }
    }
}

const NULL: JsonValue = JsonValue::Null;

/// AQL's total order on values (see the module docs).
pub fn compare(a: &JsonValue, b: &JsonValue) -> Ordering {
    let (ra, rb) = (type_rank(a), type_rank(b));
    if ra != rb {
        return ra.cmp(&rb);
    }
    match (a, b) {
        (JsonValue::Bool(x), JsonValue::Bool(y)) => x.cmp(y),
        (JsonValue::Number(x), JsonValue::Number(y)) => {
            number_value(x).partial_cmp(&number_value(y)).unwrap_or_else(|| compare_numbers(x, y))
        }
        (JsonValue::String(x), JsonValue::String(y)) => x.as_bytes().cmp(y.as_bytes()),
        (JsonValue::Array(x), JsonValue::Array(y)) => {
            for i in 0..x.len().max(y.len()) {
                let o = compare(x.get(i).unwrap_or(&NULL), y.get(i).unwrap_or(&NULL));
                if o != Ordering::Equal {
                    return o;
                }
            }
            Ordering::Equal
        }
        (JsonValue::Object(x), JsonValue::Object(y)) => {
            let mut keys: Vec<&str> = x.iter().chain(y.iter()).map(|(k, _)| k.as_str()).collect();
            keys.sort_unstable_by(|p, q| p.as_bytes().cmp(q.as_bytes()));
            keys.dedup();
            for k in keys {
                let o = compare(member(x, k).unwrap_or(&NULL), member(y, k).unwrap_or(&NULL));
                if o != Ordering::Equal {
                    return o;
                }
            }
            Ordering::Equal
        }
        _ => Ordering::Equal,
    }
}

/// AQL `==`.
pub fn equal(a: &JsonValue, b: &JsonValue) -> bool {
    compare(a, b) == Ordering::Equal
}

/// The value of attribute `key` of an object's members (the last one when duplicated).
pub fn member<'a>(members: &'a [(String, JsonValue)], key: &str) -> Option<&'a JsonValue> {
    members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// `v.key`: the attribute of an object; `null` for a missing attribute or a non-object.
pub fn get_attribute<'a>(v: &'a JsonValue, key: &str) -> &'a JsonValue {
    match v {
        JsonValue::Object(m) => member(m, key).unwrap_or(&NULL),
        _ => &NULL,
    }
}

/// `v[index]`: a number indexes an array (negative from the end; fractions truncated), a
/// string reads an object's attribute; anything else is `null`.
pub fn get_index<'a>(v: &'a JsonValue, index: &JsonValue) -> &'a JsonValue {
    match (v, index) {
        (JsonValue::Array(items), JsonValue::Number(n)) => {
            let i = number_value(n).trunc();
            let len = items.len() as f64;
            let i = if i < 0.0 { len + i } else { i };
            if i < 0.0 || i >= len { &NULL } else { &items[i as usize] }
        }
        (JsonValue::Object(_), JsonValue::String(s)) => get_attribute(v, s),
        _ => &NULL,
    }
}

/// The binary arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Arith {
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
    /// `%`.
    Mod,
}

/// `a op b` with both operands converted by [`to_number`]; `null` for a non-finite result
/// or a zero divisor.
pub fn arithmetic(op: Arith, a: &JsonValue, b: &JsonValue) -> JsonValue {
    let (x, y) = (to_number(a), to_number(b));
    let r = match op {
        Arith::Add => x + y,
        Arith::Sub => x - y,
        Arith::Mul => x * y,
        Arith::Div if y == 0.0 => return JsonValue::Null,
        Arith::Div => x / y,
        Arith::Mod if y == 0.0 => return JsonValue::Null,
        Arith::Mod => x % y,
    };
    number(r)
}

/// `a..b`: the integers from `a` to `b` (descending when `b < a`), both converted by
/// [`to_number`] and truncated. `None` when the range would exceed `limit` elements.
pub fn range(a: &JsonValue, b: &JsonValue, limit: usize) -> Option<JsonValue> {
    let (x, y) = (to_number(a).trunc(), to_number(b).trunc());
    let len = (x - y).abs() + 1.0;
    if len > limit as f64 {
        return None;
    }
    let step = if y >= x { 1.0 } else { -1.0 };
    Some(JsonValue::Array((0..len as usize).map(|i| number(x + step * i as f64)).collect()))
}

/// `needle IN haystack`: true when `haystack` is an array holding a value equal to `needle`.
pub fn contains(haystack: &JsonValue, needle: &JsonValue) -> bool {
    match haystack {
        JsonValue::Array(items) => items.iter().any(|i| equal(i, needle)),
        _ => false,
    }
}

/// Appends the memcomparable sort key of `v` to `out` (see the module docs).
pub fn sort_key(v: &JsonValue, out: &mut Vec<u8>) {
    out.push(type_rank(v));
    match v {
        JsonValue::Null => {}
        JsonValue::Bool(b) => out.push(u8::from(*b)),
        JsonValue::Number(n) => {
            let f = number_value(n);
            let f = if f == 0.0 { 0.0 } else { f };
            let bits = f.to_bits();
            let bits = if f.is_sign_negative() { !bits } else { bits | (1 << 63) };
            out.extend_from_slice(&bits.to_be_bytes());
        }
        JsonValue::String(s) => push_string(s.as_bytes(), out, false),
        JsonValue::Array(items) => {
            let len = items.iter().rposition(|i| !matches!(i, JsonValue::Null)).map_or(0, |p| p + 1);
            for item in &items[..len] {
                sort_key(item, out);
            }
            out.push(0);
        }
        JsonValue::Object(members) => {
            let mut live: Vec<(&String, &JsonValue)> = Vec::with_capacity(members.len());
            // The last of duplicate keys wins, as for attribute access.
            for (k, val) in members.iter().rev() {
                if !live.iter().any(|(seen, _)| *seen == k) {
                    live.push((k, val));
                }
            }
            live.retain(|(_, val)| !matches!(val, JsonValue::Null));
            live.sort_unstable_by(|p, q| p.0.as_bytes().cmp(q.0.as_bytes()));
            for (k, val) in live {
                // A marker above the terminator, so an empty key still sorts above `0`.
                out.push(1);
                push_string(k.as_bytes(), out, true);
                sort_key(val, out);
            }
            out.push(0);
        }
    }
}

/// A string as escaped bytes ending in `00 00`; `invert` complements every byte.
fn push_string(bytes: &[u8], out: &mut Vec<u8>, invert: bool) {
    let flip = if invert { 0xFF } else { 0 };
    for &b in bytes {
        if b == 0 {
            out.push(flip);
            out.push(0xFF ^ flip);
        } else {
            out.push(b ^ flip);
        }
    }
    out.push(flip);
    out.push(flip);
}
