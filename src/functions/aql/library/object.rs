//! Document / object functions, `JSON_PARSE()` and `JSON_STRINGIFY()`.

use super::{Args, CallError, arg, int, into_members, members, take, text, to_i64};
use crate::functions::aql::value;
use crate::functions::jsonvalue::{self, JsonValue};
use std::collections::HashSet;

type R = Result<JsonValue, CallError>;

/// `ATTRIBUTES(doc, removeSystemAttrs, sort)` / `KEYS`.
pub(super) fn attributes(a: Args) -> R {
    let JsonValue::Object(m) = &a[0] else { return Ok(JsonValue::Null) };
    let (no_system, sort) = (value::to_bool(arg(&a, 1)), value::to_bool(arg(&a, 2)));
    let mut keys: Vec<&str> = members(m).into_iter().map(|(k, _)| k).filter(|k| !(no_system && k.starts_with('_'))).collect();
    if sort {
        keys.sort_unstable();
    }
    Ok(JsonValue::Array(keys.into_iter().map(|k| JsonValue::String(k.to_string())).collect()))
}

/// `VALUES(doc, removeSystemAttrs)`.
pub(super) fn values(a: Args) -> R {
    let JsonValue::Object(m) = &a[0] else { return Ok(JsonValue::Null) };
    let no_system = value::to_bool(arg(&a, 1));
    Ok(JsonValue::Array(members(m).into_iter().filter(|(k, _)| !(no_system && k.starts_with('_'))).map(|(_, v)| v.clone()).collect()))
}

/// `ENTRIES(doc)`: `[key, value]` pairs.
pub(super) fn entries(a: Args) -> R {
    let JsonValue::Object(m) = &a[0] else { return Ok(JsonValue::Null) };
    Ok(JsonValue::Array(members(m).into_iter().map(|(k, v)| JsonValue::Array(vec![JsonValue::String(k.to_string()), v.clone()])).collect()))
}

/// `HAS(doc, name)`: whether the attribute exists, whatever its value.
pub(super) fn has(a: Args) -> R {
    let JsonValue::Object(m) = &a[0] else { return Ok(JsonValue::Bool(false)) };
    let name = text(&a[1]);
    Ok(JsonValue::Bool(m.iter().any(|(k, _)| *k == name)))
}

/// The attribute names of `KEEP`/`UNSET` arguments: strings, numbers (as text) and arrays of
/// strings.
fn names(args: &[JsonValue]) -> HashSet<String> {
    let mut out = HashSet::new();
    for v in args {
        match v {
            JsonValue::String(s) => {
                out.insert(s.clone());
            }
            JsonValue::Number(_) => {
                out.insert(text(v));
            }
            JsonValue::Array(items) => {
                out.extend(items.iter().filter_map(|i| if let JsonValue::String(s) = i { Some(s.clone()) } else { None }));
            }
            _ => {}
        }
    }
    out
}

/// Keeps (or removes) the named attributes, recursively into object values when asked.
fn filter(m: Vec<(String, JsonValue)>, names: &HashSet<String>, keep: bool, recursive: bool) -> JsonValue {
    let mut out = Vec::new();
    for (k, v) in into_members(m) {
        if names.contains(&k) == keep {
            let v = match v {
                JsonValue::Object(inner) if recursive => filter(inner, names, keep, recursive),
                other => other,
            };
            out.push((k, v));
        }
    }
    JsonValue::Object(out)
}

fn filter_fn(mut a: Args, keep: bool, recursive: bool) -> R {
    let names = names(&a[1..]);
    Ok(match take(&mut a, 0) {
        JsonValue::Object(m) => filter(m, &names, keep, recursive),
        _ => JsonValue::Null,
    })
}

pub(super) fn keep(a: Args) -> R {
    filter_fn(a, true, false)
}
pub(super) fn keep_recursive(a: Args) -> R {
    filter_fn(a, true, true)
}
pub(super) fn unset(a: Args) -> R {
    filter_fn(a, false, false)
}
pub(super) fn unset_recursive(a: Args) -> R {
    filter_fn(a, false, true)
}

/// `right` merged into `left`: later values win; with `recursive`, objects on both sides
/// merge.
fn merge_into(left: &mut Vec<(String, JsonValue)>, right: Vec<(String, JsonValue)>, recursive: bool) {
    for (k, v) in into_members(right) {
        match left.iter_mut().rev().find(|(lk, _)| *lk == k) {
            Some((_, existing)) => {
                let merged = match (std::mem::replace(existing, JsonValue::Null), v) {
                    (JsonValue::Object(mut l), JsonValue::Object(r)) if recursive => {
                        merge_into(&mut l, r, true);
                        JsonValue::Object(l)
                    }
                    (_, v) => v,
                };
                *existing = merged;
            }
            None => left.push((k, v)),
        }
    }
}

fn merge_fn(a: Args, recursive: bool) -> R {
    let docs = match <[JsonValue; 1]>::try_from(a) {
        Ok([JsonValue::Array(items)]) => items,
        Ok([single]) => vec![single],
        Err(a) => a,
    };
    let mut out: Vec<(String, JsonValue)> = Vec::new();
    for d in docs {
        let JsonValue::Object(m) = d else { return Ok(JsonValue::Null) };
        merge_into(&mut out, m, recursive);
    }
    Ok(JsonValue::Object(into_members(out)))
}

/// `MERGE(doc1, doc2, ...)` or `MERGE(docArray)`.
pub(super) fn merge(a: Args) -> R {
    merge_fn(a, false)
}

pub(super) fn merge_recursive(a: Args) -> R {
    merge_fn(a, true)
}

/// `MATCHES(doc, examples, returnIndex)`: the first example whose attributes all equal the
/// document's (`null` also matching a missing attribute).
pub(super) fn matches(a: Args) -> R {
    let as_index = value::to_bool(arg(&a, 2));
    let JsonValue::Object(doc) = &a[0] else { return Ok(JsonValue::Bool(false)) };
    let examples: &[JsonValue] = match &a[1] {
        JsonValue::Array(items) => items,
        other => std::slice::from_ref(other),
    };
    for (i, example) in examples.iter().enumerate() {
        let JsonValue::Object(ex) = example else { continue };
        let hit = members(ex).into_iter().all(|(k, v)| match value::member(doc, k) {
            Some(d) => value::equal(d, v),
            None => matches!(v, JsonValue::Null),
        });
        if hit {
            return Ok(if as_index { int(i as i64) } else { JsonValue::Bool(true) });
        }
    }
    Ok(if as_index { int(-1) } else { JsonValue::Bool(false) })
}

/// `TRANSLATE(value, lookup, default)`: the value's attribute in `lookup` (by its text), else
/// `default`, else the value itself.
pub(super) fn translate(mut a: Args) -> R {
    let JsonValue::Object(m) = &a[1] else { return Ok(JsonValue::Null) };
    if let Some(found) = value::member(m, &text(&a[0])) {
        return Ok(found.clone());
    }
    Ok(if a.len() == 3 { take(&mut a, 2) } else { take(&mut a, 0) })
}

/// `ZIP(keys, values)`: keys as text; the first of duplicate keys wins.
pub(super) fn zip(a: Args) -> R {
    let (JsonValue::Array(keys), JsonValue::Array(vals)) = (&a[0], &a[1]) else { return Ok(JsonValue::Null) };
    if keys.len() != vals.len() {
        return Ok(JsonValue::Null);
    }
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(keys.len());
    for (k, v) in keys.iter().zip(vals) {
        let k = text(k);
        if seen.insert(k.clone()) {
            out.push((k, v.clone()));
        }
    }
    Ok(JsonValue::Object(out))
}

/// `VALUE(doc, path)`: follows strings (attributes) and numbers (array positions, negative
/// from the end).
pub(super) fn value_fn(mut a: Args) -> R {
    let JsonValue::Array(path) = take(&mut a, 1) else { return Ok(JsonValue::Null) };
    let mut cur = take(&mut a, 0);
    if !matches!(cur, JsonValue::Object(_)) {
        return Ok(JsonValue::Null);
    }
    for step in &path {
        cur = match (cur, step) {
            (JsonValue::Object(m), JsonValue::String(k)) => match into_members(m).into_iter().find(|(mk, _)| mk == k) {
                Some((_, v)) => v,
                None => return Ok(JsonValue::Null),
            },
            (JsonValue::Array(mut items), JsonValue::Number(_)) => {
                let i = to_i64(step);
                let i = if i < 0 { i + items.len() as i64 } else { i };
                if i < 0 || i >= items.len() as i64 {
                    return Ok(JsonValue::Null);
                }
                items.swap_remove(i as usize)
            }
            _ => return Ok(JsonValue::Null),
        };
    }
    Ok(cur)
}

pub(super) fn json_stringify(a: Args) -> R {
    Ok(JsonValue::String(value::to_json_text(&a[0])))
}

/// `JSON_PARSE(text)`: `null` for anything but a string holding JSON.
pub(super) fn json_parse(a: Args) -> R {
    let JsonValue::String(s) = &a[0] else { return Ok(JsonValue::Null) };
    Ok(jsonvalue::parse_json(s).map(value::canonical).unwrap_or(JsonValue::Null))
}

/// The `_id` string of an identifier argument (a string, or an object's `_id`).
fn identifier(v: &JsonValue) -> Option<&str> {
    match v {
        JsonValue::String(s) => Some(s),
        JsonValue::Object(m) => match value::member(m, "_id") {
            Some(JsonValue::String(s)) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

/// Collection and key of a document identifier with exactly one `/`.
fn split_id(v: &JsonValue) -> Option<(&str, &str)> {
    let id = identifier(v)?;
    let (c, k) = id.split_once('/')?;
    (!k.contains('/')).then_some((c, k))
}

pub(super) fn parse_identifier(a: Args) -> R {
    Ok(split_id(&a[0]).map_or(JsonValue::Null, |(c, k)| {
        JsonValue::Object(vec![("collection".into(), JsonValue::String(c.into())), ("key".into(), JsonValue::String(k.into()))])
    }))
}

pub(super) fn parse_collection(a: Args) -> R {
    Ok(split_id(&a[0]).map_or(JsonValue::Null, |(c, _)| JsonValue::String(c.into())))
}

pub(super) fn parse_key(a: Args) -> R {
    Ok(split_id(&a[0]).map_or(JsonValue::Null, |(_, k)| JsonValue::String(k.into())))
}

/// `IS_SAME_COLLECTION(collection, identifier)`: compares the collection parts.
pub(super) fn is_same_collection(a: Args) -> R {
    let name = |v: &JsonValue| identifier(v).map(|s| s.split('/').next().unwrap_or("").to_string()).filter(|s| !s.is_empty());
    Ok(match (name(&a[0]), name(&a[1])) {
        (Some(x), Some(y)) => JsonValue::Bool(x == y),
        _ => JsonValue::Null,
    })
}
