//! Array functions. Equality and order are AQL's ([`value::compare`]); set operations return
//! their elements in order of first appearance (ArangoDB leaves the order unspecified).

use super::{Args, CallError, MAX_ELEMENTS, arg, int, members, take, text, to_i64, type_mismatch};
use crate::functions::aql::value;
use crate::functions::jsonvalue::JsonValue;
use std::cmp::Ordering;

type R = Result<JsonValue, CallError>;

/// Indices of the first occurrence of each distinct value, in order.
fn distinct(items: &[JsonValue]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&x, &y| value::compare(&items[x], &items[y]).then(x.cmp(&y)));
    let mut keep = vec![false; items.len()];
    for (i, &idx) in order.iter().enumerate() {
        if i == 0 || value::compare(&items[order[i - 1]], &items[idx]) != Ordering::Equal {
            keep[idx] = true;
        }
    }
    (0..items.len()).filter(|&i| keep[i]).collect()
}

/// A sorted view of values for membership tests.
struct Set<'a>(Vec<&'a JsonValue>);

impl<'a> Set<'a> {
    fn new(items: &'a [JsonValue]) -> Self {
        let mut v: Vec<&JsonValue> = items.iter().collect();
        v.sort_by(|x, y| value::compare(x, y));
        Set(v)
    }

    fn contains(&self, x: &JsonValue) -> bool {
        self.0.binary_search_by(|p| value::compare(p, x)).is_ok()
    }
}

/// The arrays of all arguments, `None` if one is not an array.
fn arrays(a: &[JsonValue]) -> Option<Vec<&Vec<JsonValue>>> {
    a.iter().map(|v| if let JsonValue::Array(items) = v { Some(items) } else { None }).collect()
}

/// `LENGTH` / `COUNT` of any value: characters of a string (or of a number's text), elements,
/// attributes; `true` is 1, `false` and `null` 0.
pub(super) fn length(a: Args) -> R {
    Ok(int(match &a[0] {
        JsonValue::Null | JsonValue::Bool(false) => 0,
        JsonValue::Bool(true) => 1,
        JsonValue::Array(items) => items.len(),
        JsonValue::Object(m) => members(m).len(),
        other => text(other).chars().count(),
    } as i64))
}

pub(super) fn first(mut a: Args) -> R {
    Ok(match take(&mut a, 0) {
        JsonValue::Array(mut items) if !items.is_empty() => items.swap_remove(0),
        _ => JsonValue::Null,
    })
}

pub(super) fn last(mut a: Args) -> R {
    Ok(match take(&mut a, 0) {
        JsonValue::Array(mut items) => items.pop().unwrap_or(JsonValue::Null),
        _ => JsonValue::Null,
    })
}

/// `NTH(array, position)`: no negative positions.
pub(super) fn nth(mut a: Args) -> R {
    let i = to_i64(&a[1]);
    Ok(match take(&mut a, 0) {
        JsonValue::Array(mut items) if i >= 0 && (i as u64) < items.len() as u64 => items.swap_remove(i as usize),
        _ => JsonValue::Null,
    })
}

pub(super) fn reverse(mut a: Args) -> R {
    Ok(match take(&mut a, 0) {
        JsonValue::Array(mut items) => {
            items.reverse();
            JsonValue::Array(items)
        }
        JsonValue::String(s) => JsonValue::String(s.chars().rev().collect()),
        _ => JsonValue::Null,
    })
}

fn flatten_into(items: Vec<JsonValue>, depth: usize, out: &mut Vec<JsonValue>) {
    for item in items {
        match item {
            JsonValue::Array(inner) if depth > 0 => flatten_into(inner, depth - 1, out),
            other => out.push(other),
        }
    }
}

/// `FLATTEN(array, depth)`: depth defaults to (and is at least) 1.
pub(super) fn flatten(mut a: Args) -> R {
    let depth = match a.get(1) {
        Some(v) => {
            let d = value::to_number(v);
            if d.is_nan() || d < 1.0 || matches!(v, JsonValue::Object(_)) { 1 } else { d.min(1e9) as usize }
        }
        None => 1,
    };
    let JsonValue::Array(items) = take(&mut a, 0) else { return Ok(JsonValue::Null) };
    let mut out = Vec::with_capacity(items.len());
    flatten_into(items, depth, &mut out);
    Ok(JsonValue::Array(out))
}

pub(super) fn count_distinct(a: Args) -> R {
    Ok(match &a[0] {
        JsonValue::Array(items) => int(distinct(items).len() as i64),
        _ => JsonValue::Null,
    })
}

pub(super) fn unique(mut a: Args) -> R {
    let JsonValue::Array(items) = take(&mut a, 0) else { return Ok(JsonValue::Null) };
    let keep = distinct(&items);
    let mut keep = keep.into_iter().peekable();
    let out = items.into_iter().enumerate().filter(|(i, _)| keep.next_if_eq(i).is_some()).map(|(_, v)| v).collect();
    Ok(JsonValue::Array(out))
}

pub(super) fn sorted(mut a: Args) -> R {
    let JsonValue::Array(mut items) = take(&mut a, 0) else { return Ok(JsonValue::Null) };
    items.sort_by(value::compare);
    Ok(JsonValue::Array(items))
}

pub(super) fn sorted_unique(mut a: Args) -> R {
    let JsonValue::Array(mut items) = take(&mut a, 0) else { return Ok(JsonValue::Null) };
    items.sort_by(value::compare);
    items.dedup_by(|x, y| value::equal(x, y));
    Ok(JsonValue::Array(items))
}

/// `SLICE(array, start, length)`: negative `start` counts from the end; a negative `length`
/// is an exclusive end position counted from the end.
pub(super) fn slice(mut a: Args) -> R {
    let len = match &a[0] {
        JsonValue::Array(items) => items.len() as i64,
        _ => return Ok(JsonValue::Null),
    };
    let mut from = to_i64(&a[1]);
    if from < 0 {
        from = (len + from).max(0);
    }
    let to = match arg(&a, 2) {
        JsonValue::Null => len,
        v => match to_i64(v) {
            t if t >= 0 => from.saturating_add(t),
            t => (len + t).max(0),
        },
    };
    let (from, to) = (from.min(len) as usize, to.clamp(0, len) as usize);
    let JsonValue::Array(items) = take(&mut a, 0) else { return Ok(JsonValue::Null) };
    Ok(JsonValue::Array(if from < to { items.into_iter().skip(from).take(to - from).collect() } else { Vec::new() }))
}

/// `POSITION(array, search, returnIndex)` / `CONTAINS_ARRAY`.
pub(super) fn position(a: Args) -> R {
    let JsonValue::Array(items) = &a[0] else { return Ok(JsonValue::Null) };
    let found = items.iter().position(|x| value::equal(x, &a[1]));
    Ok(if value::to_bool(arg(&a, 2)) { int(found.map_or(-1, |i| i as i64)) } else { JsonValue::Bool(found.is_some()) })
}

/// `PUSH(array, value, unique)`; a `null` array reads as `[]`.
pub(super) fn push(mut a: Args) -> R {
    let unique = value::to_bool(arg(&a, 2));
    let v = take(&mut a, 1);
    Ok(match take(&mut a, 0) {
        JsonValue::Null => JsonValue::Array(vec![v]),
        JsonValue::Array(mut items) => {
            if !unique || !items.iter().any(|x| value::equal(x, &v)) {
                items.push(v);
            }
            JsonValue::Array(items)
        }
        _ => JsonValue::Null,
    })
}

/// `APPEND(array, values, unique)`: `values` may be a single value.
pub(super) fn append(mut a: Args) -> R {
    let unique = value::to_bool(arg(&a, 2));
    let values = take(&mut a, 1);
    let list = take(&mut a, 0);
    if matches!(values, JsonValue::Null) || matches!(&values, JsonValue::Array(v) if v.is_empty()) {
        return Ok(list);
    }
    let items = match list {
        JsonValue::Null => return Ok(values),
        JsonValue::Array(items) => items,
        _ => return Ok(JsonValue::Null),
    };
    let mut all = items;
    match values {
        JsonValue::Array(v) => all.extend(v),
        other => all.push(other),
    }
    if unique {
        return unique_fn(all);
    }
    Ok(JsonValue::Array(all))
}

fn unique_fn(items: Vec<JsonValue>) -> R {
    unique(vec![JsonValue::Array(items)])
}

/// `UNSHIFT(array, value, unique)`.
pub(super) fn unshift(mut a: Args) -> R {
    let unique = value::to_bool(arg(&a, 2));
    let v = take(&mut a, 1);
    let items = match take(&mut a, 0) {
        JsonValue::Null => Vec::new(),
        JsonValue::Array(items) => items,
        _ => return Ok(JsonValue::Null),
    };
    if unique && items.iter().any(|x| value::equal(x, &v)) {
        return Ok(JsonValue::Array(items));
    }
    let mut out = Vec::with_capacity(items.len() + 1);
    out.push(v);
    out.extend(items);
    Ok(JsonValue::Array(out))
}

pub(super) fn pop(mut a: Args) -> R {
    Ok(match take(&mut a, 0) {
        JsonValue::Array(mut items) => {
            items.pop();
            JsonValue::Array(items)
        }
        _ => JsonValue::Null,
    })
}

pub(super) fn shift(mut a: Args) -> R {
    Ok(match take(&mut a, 0) {
        JsonValue::Array(mut items) => {
            if !items.is_empty() {
                items.remove(0);
            }
            JsonValue::Array(items)
        }
        _ => JsonValue::Null,
    })
}

/// `REMOVE_VALUE(array, value, limit)`; a `null` array gives `[]`.
pub(super) fn remove_value(mut a: Args) -> R {
    let mut limit = match arg(&a, 2) {
        JsonValue::Null => None,
        v => Some(to_i64(v)),
    };
    let v = take(&mut a, 1);
    let items = match take(&mut a, 0) {
        JsonValue::Null => return Ok(JsonValue::Array(Vec::new())),
        JsonValue::Array(items) => items,
        _ => return Ok(JsonValue::Null),
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        if limit != Some(0) && value::equal(&item, &v) {
            limit = limit.map(|l| l.saturating_sub(1));
        } else {
            out.push(item);
        }
    }
    Ok(JsonValue::Array(out))
}

/// `REMOVE_VALUES(array, values)`.
pub(super) fn remove_values(mut a: Args) -> R {
    let values = take(&mut a, 1);
    let list = take(&mut a, 0);
    Ok(match (list, values) {
        (list, JsonValue::Null) => list,
        (JsonValue::Null, _) => JsonValue::Array(Vec::new()),
        (JsonValue::Array(items), JsonValue::Array(values)) => {
            let set = Set::new(&values);
            JsonValue::Array(items.into_iter().filter(|x| !set.contains(x)).collect())
        }
        _ => JsonValue::Null,
    })
}

/// `REMOVE_NTH(array, position)`: negative positions count from the end; out of range
/// leaves the array unchanged.
pub(super) fn remove_nth(mut a: Args) -> R {
    let p = value::to_number(&a[1]);
    Ok(match take(&mut a, 0) {
        JsonValue::Null => JsonValue::Array(Vec::new()),
        JsonValue::Array(mut items) => {
            let n = items.len() as f64;
            if p < n && p >= -n {
                let i = if p < 0.0 { p + n } else { p };
                items.remove(i as usize);
            }
            JsonValue::Array(items)
        }
        _ => JsonValue::Null,
    })
}

/// `REPLACE_NTH(array, position, value, padding)`: past the end pads with `padding` (an error
/// without it).
pub(super) fn replace_nth(mut a: Args) -> R {
    let JsonValue::Array(mut items) = take(&mut a, 0) else { return Ok(JsonValue::Null) };
    if matches!(a[1], JsonValue::Null) {
        return Err(type_mismatch("REPLACE_NTH"));
    }
    let len = items.len() as u64;
    let p = to_i64(&a[1]);
    let offset = if p >= 0 { p as u64 } else { (len as i64).saturating_add(p).max(0) as u64 };
    let has_pad = a.len() == 4;
    let (pad, v) = (take(&mut a, 3), take(&mut a, 2));
    if offset < len {
        items[offset as usize] = v;
        return Ok(JsonValue::Array(items));
    }
    if offset > len && !has_pad {
        return Err(type_mismatch("REPLACE_NTH"));
    }
    if offset >= MAX_ELEMENTS as u64 {
        return Err(CallError::Invalid("REPLACE_NTH() would create an array that is too large".to_string()));
    }
    items.resize(offset as usize, pad);
    items.push(v);
    Ok(JsonValue::Array(items))
}

pub(super) fn interleave(a: Args) -> R {
    let Some(lists) = arrays(&a) else { return Ok(JsonValue::Null) };
    let longest = lists.iter().map(|l| l.len()).max().unwrap_or(0);
    let mut out = Vec::with_capacity(lists.iter().map(|l| l.len()).sum());
    for i in 0..longest {
        out.extend(lists.iter().filter_map(|l| l.get(i)).cloned());
    }
    Ok(JsonValue::Array(out))
}

/// `UNION(a1, a2, ...)`: all elements, duplicates kept.
pub(super) fn union(a: Args) -> R {
    let mut out = Vec::new();
    for v in a {
        let JsonValue::Array(items) = v else { return Ok(JsonValue::Null) };
        out.extend(items);
    }
    Ok(JsonValue::Array(out))
}

pub(super) fn union_distinct(a: Args) -> R {
    match union(a)? {
        JsonValue::Array(all) => unique_fn(all),
        other => Ok(other),
    }
}

/// `INTERSECTION(a1, a2, ...)`: distinct values present in every array.
pub(super) fn intersection(a: Args) -> R {
    let Some(lists) = arrays(&a) else { return Ok(JsonValue::Null) };
    let sets: Vec<Set> = lists[1..].iter().map(|l| Set::new(l)).collect();
    let first = lists[0];
    let out = distinct(first).into_iter().map(|i| &first[i]).filter(|x| sets.iter().all(|s| s.contains(x))).cloned().collect();
    Ok(JsonValue::Array(out))
}

/// `MINUS(a1, a2, ...)`: distinct values of the first array found in none of the others.
pub(super) fn minus(a: Args) -> R {
    let Some(lists) = arrays(&a) else { return Ok(JsonValue::Null) };
    let rest: Vec<JsonValue> = lists[1..].iter().flat_map(|l| l.iter().cloned()).collect();
    let set = Set::new(&rest);
    let first = lists[0];
    let out = distinct(first).into_iter().map(|i| &first[i]).filter(|x| !set.contains(x)).cloned().collect();
    Ok(JsonValue::Array(out))
}

/// `OUTERSECTION(a1, a2, ...)`: values occurring exactly once over all arrays.
pub(super) fn outersection(a: Args) -> R {
    let Some(lists) = arrays(&a) else { return Ok(JsonValue::Null) };
    let all: Vec<&JsonValue> = lists.iter().flat_map(|l| l.iter()).collect();
    let mut order: Vec<usize> = (0..all.len()).collect();
    order.sort_by(|&x, &y| value::compare(all[x], all[y]).then(x.cmp(&y)));
    let mut single = vec![false; all.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i + 1;
        while j < order.len() && value::equal(all[order[i]], all[order[j]]) {
            j += 1;
        }
        if j == i + 1 {
            single[order[i]] = true;
        }
        i = j;
    }
    Ok(JsonValue::Array((0..all.len()).filter(|&i| single[i]).map(|i| all[i].clone()).collect()))
}

/// `JACCARD(a1, a2)`: |distinct intersection| / |distinct union|; 1 for two empty arrays.
pub(super) fn jaccard(a: Args) -> R {
    let (JsonValue::Array(x), JsonValue::Array(y)) = (&a[0], &a[1]) else { return Ok(JsonValue::Null) };
    let xs: Vec<JsonValue> = distinct(x).into_iter().map(|i| x[i].clone()).collect();
    let ys: Vec<JsonValue> = distinct(y).into_iter().map(|i| y[i].clone()).collect();
    let set = Set::new(&xs);
    let common = ys.iter().filter(|v| set.contains(v)).count();
    let total = xs.len() + ys.len() - common;
    Ok(super::number(if total == 0 { 1.0 } else { common as f64 / total as f64 }))
}
