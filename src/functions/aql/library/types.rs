//! Type check and cast functions: `TO_BOOL`, `TO_NUMBER`, `TO_STRING`, `TO_ARRAY`, the `IS_*`
//! checks and `TYPENAME`.

use super::{Args, CallError, arg, members, number};
use crate::functions::aql::value;
use crate::functions::jsonvalue::JsonValue;

type R = Result<JsonValue, CallError>;

pub(super) fn to_bool(a: Args) -> R {
    Ok(JsonValue::Bool(value::to_bool(arg(&a, 0))))
}

/// `TO_NUMBER`: never `null`; a non-finite result reads as 0.
pub(super) fn to_number(a: Args) -> R {
    let n = value::to_number(arg(&a, 0));
    Ok(if n.is_finite() { number(n) } else { number(0.0) })
}

pub(super) fn to_string(a: Args) -> R {
    Ok(JsonValue::String(value::to_string(arg(&a, 0))))
}

/// `TO_ARRAY` / `TO_LIST`: `null` → `[]`, scalars → `[v]`, arrays as they are, objects → their
/// attribute values.
pub(super) fn to_array(mut a: Args) -> R {
    Ok(match a.swap_remove(0) {
        JsonValue::Null => JsonValue::Array(Vec::new()),
        JsonValue::Array(items) => JsonValue::Array(items),
        JsonValue::Object(m) => JsonValue::Array(members(&m).into_iter().map(|(_, v)| v.clone()).collect()),
        other => JsonValue::Array(vec![other]),
    })
}

pub(super) fn is_null(a: Args) -> R {
    Ok(JsonValue::Bool(matches!(arg(&a, 0), JsonValue::Null)))
}

pub(super) fn is_bool(a: Args) -> R {
    Ok(JsonValue::Bool(matches!(arg(&a, 0), JsonValue::Bool(_))))
}

pub(super) fn is_number(a: Args) -> R {
    Ok(JsonValue::Bool(matches!(arg(&a, 0), JsonValue::Number(_))))
}

pub(super) fn is_string(a: Args) -> R {
    Ok(JsonValue::Bool(matches!(arg(&a, 0), JsonValue::String(_))))
}

pub(super) fn is_array(a: Args) -> R {
    Ok(JsonValue::Bool(matches!(arg(&a, 0), JsonValue::Array(_))))
}

pub(super) fn is_object(a: Args) -> R {
    Ok(JsonValue::Bool(matches!(arg(&a, 0), JsonValue::Object(_))))
}

/// `IS_KEY`: 1 to 254 bytes of letters, digits and `_-:.@()+,=;$!*'%`.
pub(super) fn is_key(a: Args) -> R {
    let ok = match arg(&a, 0) {
        JsonValue::String(s) => valid_key(s),
        _ => false,
    };
    Ok(JsonValue::Bool(ok))
}

/// Whether `s` can be a document key.
pub(super) fn valid_key(s: &str) -> bool {
    !s.is_empty() && s.len() <= 254 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-:.@()+,=;$!*'%".contains(&b))
}

pub(super) fn typename(a: Args) -> R {
    Ok(JsonValue::String(value::type_name(arg(&a, 0)).to_string()))
}
