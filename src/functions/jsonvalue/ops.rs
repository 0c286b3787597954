//! `jsonb` operators and functions on normalized values: `->`, `->>`, `#>`, `#>>`,
//! `?`, `?|`, `?&`, `||`, `-`, `jsonb_array_length`, `jsonb_object_keys`.
//! `None` results mean SQL NULL. Containment (`@>`, `<@`) lives in [`super::compare`].
//!
//! A top-level scalar behaves, as in PostgreSQL, like a one-element array for `->`
//! with an integer (`'1'::jsonb -> 0` is `1`) and for `?` (`'"a"'::jsonb ? 'a'` is
//! true), but not for paths (`'1'::jsonb #> '{0}'` is NULL).

use super::JsonValue;
use super::error::JsonError;
use super::parse::normalize_members;

/// Parse an array subscript given as path text like C `strtol` into an `int`: optional
/// leading whitespace (space, `\t \n \v \f \r`), optional sign, decimal digits, nothing
/// after; `None` if malformed or outside `i32`.
pub(super) fn path_index(text: &str) -> Option<i32> {
    let t = text.trim_start_matches([' ', '\t', '\n', '\u{0B}', '\u{0C}', '\r']);
    let (negative, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, t.get(1..)?),
        Some(b'+') => (false, t.get(1..)?),
        _ => (false, t),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut value: i64 = 0;
    for b in digits.bytes() {
        value = value * 10 + i64::from(b - b'0');
        if value > i64::from(i32::MAX) + 1 {
            return None;
        }
    }
    i32::try_from(if negative { -value } else { value }).ok()
}

/// Resolve a possibly negative subscript against `len` elements.
fn resolve_index(index: i64, len: usize) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let i = if index < 0 { len + index } else { index };
    if (0..len).contains(&i) { usize::try_from(i).ok() } else { None }
}

fn cannot_delete_from_scalar() -> JsonError {
    JsonError::invalid_parameter("cannot delete from scalar")
}

impl JsonValue {
    /// `->` with text: the member named `key` of an object; `None` for a missing key or a
    /// non-object. With duplicate keys (verbatim values) the last one wins.
    pub fn get_field(&self, key: &str) -> Option<&JsonValue> {
        match self {
            JsonValue::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|m| &m.1),
            _ => None,
        }
    }

    /// `->` with an integer: array element `index`, negative counting from the end
    /// (`-1` is the last); `None` when out of range or for an object. A scalar counts as
    /// a one-element array, so `0` and `-1` return the scalar itself.
    pub fn get_index(&self, index: i32) -> Option<&JsonValue> {
        match self {
            JsonValue::Array(items) => items.get(resolve_index(index.into(), items.len())?),
            JsonValue::Object(_) => None,
            scalar => resolve_index(index.into(), 1).map(|_| scalar),
        }
    }

    /// `->>` with text: like [`Self::get_field`] but as text ([`Self::as_text`]); JSON
    /// `null` gives `None`.
    pub fn get_field_text(&self, key: &str) -> Option<String> {
        self.get_field(key).and_then(JsonValue::as_text)
    }

    /// `->>` with an integer: like [`Self::get_index`] but as text; JSON `null` gives `None`.
    pub fn get_index_text(&self, index: i32) -> Option<String> {
        self.get_index(index).and_then(JsonValue::as_text)
    }

    /// `#>`: follow `path` (object keys, or array subscripts as integer text such as
    /// `"2"`, `"-1"`, `" +1"`). An empty path returns the value itself (even a scalar);
    /// any NULL element, missing key, bad or out-of-range subscript, or step into a
    /// scalar gives `None`. `i32::MIN` as a subscript gives `None`, as in PostgreSQL.
    pub fn get_path(&self, path: &[Option<&str>]) -> Option<&JsonValue> {
        let mut current = self;
        for step in path {
            let step = (*step)?;
            current = match current {
                JsonValue::Object(_) => current.get_field(step)?,
                JsonValue::Array(items) => {
                    let index = path_index(step).filter(|&i| i != i32::MIN)?;
                    items.get(resolve_index(index.into(), items.len())?)?
                }
                _ => return None,
            };
        }
        Some(current)
    }

    /// `#>>`: like [`Self::get_path`] but as text; JSON `null` gives `None`.
    pub fn get_path_text(&self, path: &[Option<&str>]) -> Option<String> {
        self.get_path(path).and_then(JsonValue::as_text)
    }

    /// `?`: does `key` exist as an object key, or as a string element of a top-level
    /// array (a top-level string scalar counts as such an array)? Not searched
    /// recursively; a key with a JSON `null` value still exists.
    pub fn exists(&self, key: &str) -> bool {
        match self {
            JsonValue::Object(members) => members.iter().any(|(k, _)| k == key),
            JsonValue::Array(items) => items.iter().any(|v| matches!(v, JsonValue::String(s) if s == key)),
            JsonValue::String(s) => s == key,
            _ => false,
        }
    }

    /// `?|`: does any non-NULL key exist? False for an empty array or only NULLs.
    pub fn exists_any(&self, keys: &[Option<&str>]) -> bool {
        keys.iter().flatten().any(|k| self.exists(k))
    }

    /// `?&`: do all non-NULL keys exist? True for an empty array; NULL keys are ignored.
    pub fn exists_all(&self, keys: &[Option<&str>]) -> bool {
        keys.iter().flatten().all(|k| self.exists(k))
    }

    /// `||`: object || object merges (right side wins on equal keys); otherwise both
    /// sides are taken as arrays and concatenated, where a scalar counts as a
    /// one-element array and an object as a single element:
    /// `'1' || '2'` = `[1, 2]`, `'{"a":1}' || '[1]'` = `[{"a": 1}, 1]`.
    pub fn concat(self, other: JsonValue) -> JsonValue {
        let into_items = |v: JsonValue| match v {
            JsonValue::Array(items) => items,
            other => vec![other],
        };
        match (self, other) {
            (JsonValue::Object(mut left), JsonValue::Object(right)) => {
                left.extend(right);
                normalize_members(&mut left);
                JsonValue::Object(left)
            }
            (left, right) => {
                let mut items = into_items(left);
                items.extend(into_items(right));
                JsonValue::Array(items)
            }
        }
    }

    /// `-` with text: remove the key from an object, or every string element equal to it
    /// from an array. Error `22023 cannot delete from scalar` for a scalar.
    pub fn delete_key(self, key: &str) -> Result<JsonValue, JsonError> {
        self.delete_keys(&[Some(key)])
    }

    /// `-` with `text[]`: remove each listed key (or matching string elements); NULL
    /// entries are ignored. Error `22023 cannot delete from scalar` for a scalar, even
    /// with an empty list.
    pub fn delete_keys(self, keys: &[Option<&str>]) -> Result<JsonValue, JsonError> {
        let listed = |s: &str| keys.iter().flatten().any(|k| *k == s);
        match self {
            JsonValue::Object(mut members) => {
                members.retain(|(k, _)| !listed(k));
                Ok(JsonValue::Object(members))
            }
            JsonValue::Array(mut items) => {
                items.retain(|v| !matches!(v, JsonValue::String(s) if listed(s)));
                Ok(JsonValue::Array(items))
            }
            _ => Err(cannot_delete_from_scalar()),
        }
    }

    /// `-` with an integer: remove the array element at `index` (negative counts from the
    /// end); out of range leaves the array unchanged. Errors `22023`:
    /// `cannot delete from scalar`, `cannot delete from object using integer index`.
    pub fn delete_index(self, index: i32) -> Result<JsonValue, JsonError> {
        match self {
            JsonValue::Array(mut items) => {
                if let Some(i) = resolve_index(index.into(), items.len()) {
                    items.remove(i);
                }
                Ok(JsonValue::Array(items))
            }
            JsonValue::Object(_) => Err(JsonError::invalid_parameter("cannot delete from object using integer index")),
            _ => Err(cannot_delete_from_scalar()),
        }
    }

    /// `jsonb_array_length` / `json_array_length`: element count. Errors `22023`:
    /// `cannot get array length of a scalar` / `... of a non-array` (objects).
    pub fn array_length(&self) -> Result<usize, JsonError> {
        match self {
            JsonValue::Array(items) => Ok(items.len()),
            JsonValue::Object(_) => Err(JsonError::invalid_parameter("cannot get array length of a non-array")),
            _ => Err(JsonError::invalid_parameter("cannot get array length of a scalar")),
        }
    }

    /// `jsonb_object_keys`: the keys in stored order (by length, then bytes, for a
    /// normalized value). Errors `22023`: `cannot call jsonb_object_keys on a scalar` /
    /// `... on an array`.
    pub fn jsonb_object_keys(&self) -> Result<Vec<&str>, JsonError> {
        self.object_keys("jsonb_object_keys")
    }

    /// `json_object_keys` on a verbatim value: keys in input order, duplicates included.
    /// Errors `22023`: `cannot call json_object_keys on a scalar` / `... on an array`.
    pub fn json_object_keys(&self) -> Result<Vec<&str>, JsonError> {
        self.object_keys("json_object_keys")
    }

    fn object_keys(&self, function: &str) -> Result<Vec<&str>, JsonError> {
        match self {
            JsonValue::Object(members) => Ok(members.iter().map(|(k, _)| k.as_str()).collect()),
            JsonValue::Array(_) => Err(JsonError::invalid_parameter(&format!("cannot call {function} on an array"))),
            _ => Err(JsonError::invalid_parameter(&format!("cannot call {function} on a scalar"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strtol_like_subscripts() {
        assert_eq!(path_index("1"), Some(1));
        assert_eq!(path_index(" 1"), Some(1));
        assert_eq!(path_index("\t\n\r\u{b}\u{c} 1"), Some(1));
        assert_eq!(path_index("+1"), Some(1));
        assert_eq!(path_index("-1"), Some(-1));
        assert_eq!(path_index("01"), Some(1));
        assert_eq!(path_index("-0"), Some(0));
        assert_eq!(path_index("2147483647"), Some(i32::MAX));
        assert_eq!(path_index("-2147483648"), Some(i32::MIN));
        for bad in ["", "+", "-", "1 ", "0x1", "- 1", "+-1", "2147483648", "1e2", "99999999999999999999"] {
            assert_eq!(path_index(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn resolve() {
        assert_eq!(resolve_index(-1, 3), Some(2));
        assert_eq!(resolve_index(-3, 3), Some(0));
        assert_eq!(resolve_index(-4, 3), None);
        assert_eq!(resolve_index(3, 3), None);
        assert_eq!(resolve_index(i64::from(i32::MIN), 3), None);
        assert_eq!(resolve_index(0, 0), None);
    }
}
