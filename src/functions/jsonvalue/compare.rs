//! `jsonb` comparison (btree order for `=`, `<`, `ORDER BY`), a hash consistent with it,
//! and containment (`@>`, `<@`), reproducing PostgreSQL's `compareJsonbContainers` and
//! `JsonbDeepContains`, quirks included.
//!
//! Order: values of different types rank `Object > Array > Boolean > Number > String >
//! Null`. Arrays compare by length first, then element by element; objects by member
//! count first, then pair by pair in stored key order (key, then value), keys compared
//! bytewise (*not* by the length-first storage order). Numbers compare numerically,
//! strings bytewise (the `C` collation), `false < true`.
//!
//! The top level is special because PostgreSQL stores a top-level scalar as a
//! one-element "raw scalar" array: a scalar and a real array first compare by element
//! count, and only on equal counts is the scalar smaller. Hence `[] < null` and
//! `[] < 1`, yet `1 < [0]` and `true < [1]`.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use super::JsonValue;
use super::numeric::{compare_numbers, hash_number};

/// Rank of a value's type inside containers.
fn rank(v: &JsonValue) -> u8 {
    match v {
        JsonValue::Null => 0,
        JsonValue::String(_) => 1,
        JsonValue::Number(_) => 2,
        JsonValue::Bool(_) => 3,
        JsonValue::Array(_) => 4,
        JsonValue::Object(_) => 5,
    }
}

/// The elements of a top-level value seen as an array, and whether it is a raw scalar.
fn as_array(v: &JsonValue) -> (&[JsonValue], bool) {
    match v {
        JsonValue::Array(items) => (items, false),
        scalar => (std::slice::from_ref(scalar), true),
    }
}

/// `jsonb_cmp`: PostgreSQL's total order on two normalized `jsonb` values.
pub fn jsonb_cmp(a: &JsonValue, b: &JsonValue) -> Ordering {
    match (a, b) {
        (JsonValue::Object(x), JsonValue::Object(y)) => cmp_members(x, y),
        (JsonValue::Object(_), _) => Ordering::Greater,
        (_, JsonValue::Object(_)) => Ordering::Less,
        _ => {
            let (xa, raw_a) = as_array(a);
            let (xb, raw_b) = as_array(b);
            let by_count = xa.len().cmp(&xb.len());
            if by_count != Ordering::Equal {
                return by_count;
            }
            if raw_a != raw_b {
                return if raw_a { Ordering::Less } else { Ordering::Greater };
            }
            cmp_items(xa, xb)
        }
    }
}

/// `=` on `jsonb`: [`jsonb_cmp`] is `Equal` (`1.0` = `1`; key order is already fixed by
/// normalization).
pub fn jsonb_eq(a: &JsonValue, b: &JsonValue) -> bool {
    jsonb_cmp(a, b) == Ordering::Equal
}

fn cmp_items(a: &[JsonValue], b: &[JsonValue]) -> Ordering {
    // Plain loops keep the per-level stack frame small (this recurses per nesting level).
    for (x, y) in a.iter().zip(b) {
        let o = cmp_nested(x, y);
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

fn cmp_members(a: &[(String, JsonValue)], b: &[(String, JsonValue)]) -> Ordering {
    if a.len() != b.len() {
        return a.len().cmp(&b.len());
    }
    for ((ka, va), (kb, vb)) in a.iter().zip(b) {
        let o = ka.as_bytes().cmp(kb.as_bytes());
        if o != Ordering::Equal {
            return o;
        }
        let o = cmp_nested(va, vb);
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

fn cmp_nested(a: &JsonValue, b: &JsonValue) -> Ordering {
    match (a, b) {
        (JsonValue::Null, JsonValue::Null) => Ordering::Equal,
        (JsonValue::Bool(x), JsonValue::Bool(y)) => x.cmp(y),
        (JsonValue::Number(x), JsonValue::Number(y)) => compare_numbers(x, y),
        (JsonValue::String(x), JsonValue::String(y)) => x.as_bytes().cmp(y.as_bytes()),
        (JsonValue::Array(x), JsonValue::Array(y)) => x.len().cmp(&y.len()).then_with(|| cmp_items(x, y)),
        (JsonValue::Object(x), JsonValue::Object(y)) => cmp_members(x, y),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// Feed a hash of a normalized `jsonb` value into `state`, consistent with [`jsonb_eq`]
/// (numerically equal numbers hash alike).
pub fn jsonb_hash<H: Hasher>(value: &JsonValue, state: &mut H) {
    rank(value).hash(state);
    match value {
        JsonValue::Null => {}
        JsonValue::Bool(b) => b.hash(state),
        JsonValue::Number(n) => hash_number(n, state),
        JsonValue::String(s) => s.hash(state),
        JsonValue::Array(items) => {
            items.len().hash(state);
            for item in items {
                jsonb_hash(item, state);
            }
        }
        JsonValue::Object(members) => {
            members.len().hash(state);
            for (k, v) in members {
                k.hash(state);
                jsonb_hash(v, state);
            }
        }
    }
}

/// Scalars equal as `jsonb` scalars (same type; numbers numerically, strings bytewise).
fn scalar_eq(a: &JsonValue, b: &JsonValue) -> bool {
    match (a, b) {
        (JsonValue::Null, JsonValue::Null) => true,
        (JsonValue::Bool(x), JsonValue::Bool(y)) => x == y,
        (JsonValue::Number(x), JsonValue::Number(y)) => compare_numbers(x, y) == Ordering::Equal,
        (JsonValue::String(x), JsonValue::String(y)) => x == y,
        _ => false,
    }
}

impl JsonValue {
    /// `@>`: does `self` contain `other`? Objects contain objects whose every pair is
    /// matched by key, recursively (`{"a":{"b":1,"c":2}}` @> `{"a":{"b":1}}`); arrays
    /// contain arrays whose every element is matched by some element, in any order and
    /// with repeats (`[1,2]` @> `[2,1,1]`); nesting levels must line up (`{"a":[1,2]}`
    /// does not contain `{"a":1}`). Only at the top level may an array contain a bare
    /// scalar (`[1,2]` @> `1`), while a scalar contains only an equal scalar
    /// (`1` does not contain `[1]`); an object never contains a non-object or vice versa.
    pub fn contains(&self, other: &JsonValue) -> bool {
        match (self, other) {
            (JsonValue::Object(a), JsonValue::Object(b)) => object_contains(a, b),
            (JsonValue::Object(_), _) | (_, JsonValue::Object(_)) => false,
            _ => {
                let (items, raw_self) = as_array(self);
                let (wanted, raw_other) = as_array(other);
                if raw_self && !raw_other {
                    return false;
                }
                array_contains(items, wanted)
            }
        }
    }

    /// `<@`: is `self` contained in `other` (`other.contains(self)`)?
    pub fn contained_in(&self, other: &JsonValue) -> bool {
        other.contains(self)
    }
}

fn object_contains(have: &[(String, JsonValue)], want: &[(String, JsonValue)]) -> bool {
    if have.len() < want.len() {
        return false;
    }
    for (key, wanted) in want {
        let Some((_, found)) = have.iter().rev().find(|(k, _)| k == key) else {
            return false;
        };
        let ok = match (found.is_scalar(), wanted.is_scalar()) {
            (true, true) => scalar_eq(found, wanted),
            (false, false) => nested_contains(found, wanted),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

fn array_contains(have: &[JsonValue], want: &[JsonValue]) -> bool {
    for wanted in want {
        let mut matched = false;
        for h in have {
            matched = if wanted.is_scalar() { scalar_eq(h, wanted) } else { !h.is_scalar() && nested_contains(h, wanted) };
            if matched {
                break;
            }
        }
        if !matched {
            return false;
        }
    }
    true
}

/// Containment between two nested containers (never raw scalars).
fn nested_contains(have: &JsonValue, want: &JsonValue) -> bool {
    match (have, want) {
        (JsonValue::Object(a), JsonValue::Object(b)) => object_contains(a, b),
        (JsonValue::Array(a), JsonValue::Array(b)) => array_contains(a, b),
        _ => false,
    }
}

/// A normalized `jsonb` value with PostgreSQL's `=`, ordering and a matching `Hash`, for
/// sorting, `BTreeMap`/`HashMap` keys, `GROUP BY` and `DISTINCT`. `Display` is `jsonb_out`.
#[derive(Debug, Clone)]
pub struct Jsonb(pub JsonValue);

impl PartialEq for Jsonb {
    fn eq(&self, other: &Self) -> bool {
        jsonb_eq(&self.0, &other.0)
    }
}

impl Eq for Jsonb {}

impl PartialOrd for Jsonb {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Jsonb {
    fn cmp(&self, other: &Self) -> Ordering {
        jsonb_cmp(&self.0, &other.0)
    }
}

impl Hash for Jsonb {
    fn hash<H: Hasher>(&self, state: &mut H) {
        jsonb_hash(&self.0, state);
    }
}

impl fmt::Display for Jsonb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
