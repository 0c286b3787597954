//! Miscellaneous functions: control flow (`NOT_NULL`, `FIRST_LIST`, ...), `FAIL`, `ASSERT`,
//! `WARN`, `SLEEP`, `HASH`, `IN_RANGE`, `APPLY`/`CALL`, `VERSION`.

use super::{Args, CallError, arg, as_number, int, members, take, type_mismatch};
use crate::functions::aql::value;
use crate::functions::jsonvalue::JsonValue;
use std::cmp::Ordering;
use std::collections::HashSet;

type R = Result<JsonValue, CallError>;

pub(super) fn passthru(mut a: Args) -> R {
    Ok(take(&mut a, 0))
}

/// The first argument satisfying `pred`, else `null`.
fn first_where(a: Args, pred: fn(&JsonValue) -> bool) -> R {
    Ok(a.into_iter().find(pred).unwrap_or(JsonValue::Null))
}

pub(super) fn not_null(a: Args) -> R {
    first_where(a, |v| !matches!(v, JsonValue::Null))
}

pub(super) fn first_list(a: Args) -> R {
    first_where(a, |v| matches!(v, JsonValue::Array(_)))
}

pub(super) fn first_document(a: Args) -> R {
    first_where(a, |v| matches!(v, JsonValue::Object(_)))
}

/// `FAIL(reason)`: always an error carrying `reason`.
pub(super) fn fail(a: Args) -> R {
    Err(CallError::Invalid(match arg(&a, 0) {
        JsonValue::String(s) => s.clone(),
        _ => "FAIL() called".to_string(),
    }))
}

/// `ASSERT(expr, message)`: `true`, or an error with `message`.
pub(super) fn assert(a: Args) -> R {
    let JsonValue::String(message) = &a[1] else { return Ok(JsonValue::Null) };
    if !value::to_bool(&a[0]) {
        return Err(CallError::Invalid(message.clone()));
    }
    Ok(JsonValue::Bool(true))
}

/// `WARN(expr, message)`: whether `expr` is true (ArangoDB also records a warning).
pub(super) fn warn(a: Args) -> R {
    if !matches!(a[1], JsonValue::String(_)) {
        return Ok(JsonValue::Null);
    }
    Ok(JsonValue::Bool(value::to_bool(&a[0])))
}

/// `SLEEP(seconds)`: really waits, at most 10 seconds.
pub(super) fn sleep(a: Args) -> R {
    match as_number(&a[0]) {
        Some(s) if s >= 0.0 => {
            std::thread::sleep(std::time::Duration::from_secs_f64(s.min(10.0)));
            Ok(JsonValue::Null)
        }
        _ => Ok(JsonValue::Null),
    }
}

/// `VERSION()`: the ArangoDB version QuiverDB's AQL follows.
pub(super) fn version(_: Args) -> R {
    Ok(JsonValue::String("3.12.0".to_string()))
}

/// `CHECK_DOCUMENT(doc)`: an object without duplicate attribute names at any depth.
pub(super) fn check_document(a: Args) -> R {
    fn valid(v: &JsonValue) -> bool {
        match v {
            JsonValue::Object(m) => {
                let mut seen = HashSet::new();
                m.iter().all(|(k, v)| seen.insert(k.as_str()) && valid(v))
            }
            JsonValue::Array(items) => items.iter().all(valid),
            _ => true,
        }
    }
    Ok(JsonValue::Bool(matches!(a[0], JsonValue::Object(_)) && valid(&a[0])))
}

/// `IN_RANGE(value, low, high, includeLow, includeHigh)` in AQL's order.
pub(super) fn in_range(a: Args) -> R {
    let (JsonValue::Bool(include_low), JsonValue::Bool(include_high)) = (&a[3], &a[4]) else { return Ok(JsonValue::Null) };
    let low = value::compare(&a[1], &a[0]);
    if low == Ordering::Greater || (!include_low && low == Ordering::Equal) {
        return Ok(JsonValue::Bool(false));
    }
    let high = value::compare(&a[0], &a[2]);
    Ok(JsonValue::Bool(high == Ordering::Less || (*include_high && high == Ordering::Equal)))
}

/// `MIN_MATCH(expr1, ..., exprN, minMatchCount)`: whether at least `minMatchCount` of the
/// expressions are true.
pub(super) fn min_match(a: Args) -> R {
    let Some((min, exprs)) = a.split_last() else { return Ok(JsonValue::Null) };
    let Some(min) = as_number(min) else { return Ok(JsonValue::Null) };
    let hits = exprs.iter().filter(|v| value::to_bool(v)).count();
    Ok(JsonValue::Bool(hits as f64 >= min.trunc()))
}

/// Feeds a value into an FNV-1a state: type tags, numbers by their double (so `1 == 1.0`),
/// object members by sorted key (member order does not matter).
fn hash_into(h: &mut u64, v: &JsonValue) {
    fn eat(h: &mut u64, bytes: &[u8]) {
        for &b in bytes {
            *h ^= b as u64;
            *h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    match v {
        JsonValue::Null => eat(h, &[0]),
        JsonValue::Bool(b) => eat(h, &[1, u8::from(*b)]),
        JsonValue::Number(n) => {
            let f = value::number_value(n);
            eat(h, &[2]);
            eat(h, &(if f == 0.0 { 0.0f64 } else { f }).to_bits().to_le_bytes());
        }
        JsonValue::String(s) => {
            eat(h, &[3]);
            eat(h, &(s.len() as u64).to_le_bytes());
            eat(h, s.as_bytes());
        }
        JsonValue::Array(items) => {
            eat(h, &[4]);
            eat(h, &(items.len() as u64).to_le_bytes());
            items.iter().for_each(|i| hash_into(h, i));
        }
        JsonValue::Object(m) => {
            let mut m = members(m);
            m.sort_unstable_by(|x, y| x.0.cmp(y.0));
            eat(h, &[5]);
            eat(h, &(m.len() as u64).to_le_bytes());
            for (k, v) in m {
                eat(h, &(k.len() as u64).to_le_bytes());
                eat(h, k.as_bytes());
                hash_into(h, v);
            }
        }
    }
}

/// `HASH(value)`: a stable 51-bit hash (so it survives a trip through a double). Equal values
/// hash equally; the number differs from ArangoDB's.
pub(super) fn hash(a: Args) -> R {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    hash_into(&mut h, &a[0]);
    Ok(int((h & 0x0007_ffff_ffff_ffff) as i64))
}

/// Calls built-in function `name` for `APPLY`/`CALL`.
fn dispatch(caller: &str, name: &JsonValue, args: Vec<JsonValue>) -> R {
    let JsonValue::String(name) = name else { return Err(type_mismatch(caller)) };
    if name.contains("::") {
        return Err(CallError::Invalid(format!("user-defined function '{name}' not found")));
    }
    super::call(name, args)
}

/// `APPLY(name, args)`.
pub(super) fn apply(mut a: Args) -> R {
    let args = match take(&mut a, 1) {
        JsonValue::Array(items) => items,
        JsonValue::Null if a.len() == 1 => Vec::new(),
        _ => return Ok(JsonValue::Null),
    };
    dispatch("APPLY", &a[0], args)
}

/// `CALL(name, arg1, ...)`.
pub(super) fn call_fn(mut a: Args) -> R {
    let args = a.split_off(1);
    dispatch("CALL", &a[0], args)
}
