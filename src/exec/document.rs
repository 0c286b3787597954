//! Documents of collections on the write path: keys, ids, revisions and edge ends.
//!
//! A collection is a table `(_key, _id, doc [, _from, _to])` whose columns repeat what
//! the document says. Every row written to one (by SQL or AQL, INSERT or UPDATE) passes
//! through [`fill_system_attributes`] before its constraints are checked, which makes the
//! two agree:
//!
//! * `_key`: the `_key` column if set, else the document's `_key` (a string), else a
//!   generated one (the decimal of a [`tick`], increasing). Keys follow ArangoDB's rules:
//!   1–254 bytes of letters, digits and `_-:.@()+,=;$!*'%`.
//!   On UPDATE the column holds the existing key, and a `_key` in the document yields to it.
//! * `_id` is always `collection/_key`; `_rev` is a fresh [`tick`] per write, so a
//!   document's revision changes with each write.
//! * Edges need `_from` and `_to` document ids (`collection/key`) in the document; they are
//!   copied to the `_from`/`_to` columns (which graph lookups index).
//!
//! The document is stored as canonical jsonb text with these attributes in it, so reading
//! `doc` returns them without looking at the columns.

use crate::functions::jsonvalue::{JsonValue, parse_jsonb};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringBuilder};
use datafusion::common::Result;
use quiverdb_catalog::{CollectionKind, Error, ErrorCode, TableDef};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Longest document key, in bytes (ArangoDB's limit).
pub const MAX_KEY_LEN: usize = 254;

/// A number larger than every earlier one in this process and, as it starts from the
/// clock in microseconds, than those of earlier runs (unless the clock went back).
pub fn tick() -> u64 {
    static LAST: AtomicU64 = AtomicU64::new(0);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros() as u64).unwrap_or(0);
    let mut last = LAST.load(Ordering::Relaxed);
    loop {
        let next = now.max(last + 1);
        match LAST.compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return next,
            Err(seen) => last = seen,
        }
    }
}

/// A new `_rev` value.
pub fn new_revision() -> String {
    format!("_{:x}", tick())
}

/// Checks a document key against ArangoDB's rules.
pub fn validate_key(key: &str) -> Result<(), Error> {
    let ok_char = |b: u8| b.is_ascii_alphanumeric() || b"_-:.@()+,=;$!*'%".contains(&b);
    if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(ok_char) {
        return Err(Error::new(ErrorCode::InvalidParameterValue, format!("illegal document key \"{key}\""))
            .with_hint("A key has 1 to 254 characters: letters, digits and _-:.@()+,=;$!*'%."));
    }
    Ok(())
}

/// Checks a document id (`collection/key`).
pub fn validate_id(id: &str) -> bool {
    match id.split_once('/') {
        Some((coll, key)) => !coll.is_empty() && !coll.contains('/') && validate_key(key).is_ok(),
        None => false,
    }
}

/// Positions of a collection's system columns among the table's live columns.
struct Positions {
    key: usize,
    id: usize,
    doc: usize,
    ends: Option<(usize, usize)>,
}

impl Positions {
    fn of(table: &TableDef, kind: CollectionKind) -> Result<Positions, Error> {
        let pos = |name: &str| {
            table
                .live_columns()
                .position(|c| c.name == name)
                .ok_or_else(|| Error::internal(format!("collection {} lacks its {name} column", table.name)))
        };
        let ends = match kind {
            CollectionKind::Edge => Some((pos("_from")?, pos("_to")?)),
            CollectionKind::Document => None,
        };
        Ok(Positions { key: pos("_key")?, id: pos("_id")?, doc: pos("doc")?, ends })
    }
}

/// Makes the system columns of rows written to a collection agree with their documents
/// (see the module docs); `update` rows keep the key their `_key` column holds. Rows with
/// a NULL document are left for the NOT NULL check.
pub fn fill_system_attributes(table: &TableDef, kind: CollectionKind, columns: &mut [ArrayRef], update: bool) -> Result<()> {
    let pos = Positions::of(table, kind)?;
    let n = columns[pos.doc].len();
    let text = |i: usize| -> Result<ArrayRef> {
        Ok(datafusion::arrow::compute::cast(&columns[i], &datafusion::arrow::datatypes::DataType::Utf8)?)
    };
    let (keys, docs) = (text(pos.key)?, text(pos.doc)?);
    let (keys, docs) = (keys.as_string::<i32>(), docs.as_string::<i32>());
    let mut out = [StringBuilder::new(), StringBuilder::new(), StringBuilder::new(), StringBuilder::new(), StringBuilder::new()];
    for row in 0..n {
        if docs.is_null(row) {
            let key = keys.is_valid(row).then(|| keys.value(row));
            out[0].append_option(key);
            out[1].append_option(key.map(|k| format!("{}/{k}", table.name)));
            for b in &mut out[2..] {
                b.append_null();
            }
            continue;
        }
        let column_key = keys.is_valid(row).then(|| keys.value(row));
        let doc = Document::new(table, kind, docs.value(row), column_key, update)?;
        out[0].append_value(&doc.key);
        out[1].append_value(&doc.id);
        out[2].append_value(&doc.text);
        let (from, to) = doc.ends.unzip();
        out[3].append_option(from);
        out[4].append_option(to);
    }
    let [mut k, mut id, mut d, mut f, mut t] = out;
    columns[pos.key] = Arc::new(k.finish());
    columns[pos.id] = Arc::new(id.finish());
    columns[pos.doc] = Arc::new(d.finish());
    if let Some((fp, tp)) = pos.ends {
        columns[fp] = Arc::new(f.finish());
        columns[tp] = Arc::new(t.finish());
    }
    Ok(())
}

/// One document with its system attributes settled.
struct Document {
    key: String,
    id: String,
    text: String,
    ends: Option<(String, String)>,
}

impl Document {
    fn new(table: &TableDef, kind: CollectionKind, text: &str, column_key: Option<&str>, update: bool) -> Result<Document, Error> {
        let value = parse_jsonb(text).map_err(|e| Error::new(ErrorCode::InvalidTextRepresentation, e.to_string()))?;
        let JsonValue::Object(mut members) = value else {
            return Err(Error::new(
                ErrorCode::InvalidParameterValue,
                format!("a document must be a JSON object, not {}", value.type_name()),
            ));
        };
        let doc_key = match member(&members, "_key") {
            None | Some(JsonValue::Null) => None,
            Some(JsonValue::String(s)) => Some(s.clone()),
            Some(_) => return Err(Error::new(ErrorCode::InvalidParameterValue, "a document's _key must be a string")),
        };
        let key = match (column_key, doc_key) {
            (Some(c), Some(d)) if !update && c != d => {
                return Err(Error::new(
                    ErrorCode::InvalidParameterValue,
                    format!("the _key column (\"{c}\") and the document's _key (\"{d}\") differ"),
                ));
            }
            (Some(c), _) => c.to_string(),
            (None, Some(d)) => d,
            (None, None) => tick().to_string(),
        };
        validate_key(&key)?;
        let id = format!("{}/{key}", table.name);
        let ends = match kind {
            CollectionKind::Document => None,
            CollectionKind::Edge => Some((edge_end(&members, "_from")?, edge_end(&members, "_to")?)),
        };
        set_member(&mut members, "_key", JsonValue::String(key.clone()));
        set_member(&mut members, "_id", JsonValue::String(id.clone()));
        set_member(&mut members, "_rev", JsonValue::String(new_revision()));
        Ok(Document { key, id, text: JsonValue::Object(members).to_jsonb_text(), ends })
    }
}

/// An edge document's `_from` or `_to`.
fn edge_end(members: &[(String, JsonValue)], name: &str) -> Result<String, Error> {
    match member(members, name) {
        Some(JsonValue::String(s)) if validate_id(s) => Ok(s.clone()),
        Some(JsonValue::String(s)) => {
            Err(Error::new(ErrorCode::InvalidParameterValue, format!("edge attribute {name} is not a document id: \"{s}\""))
                .with_hint("Document ids have the form collection/key."))
        }
        _ => Err(Error::new(ErrorCode::NotNullViolation, format!("an edge document needs {name}, a document id such as \"users/alice\""))),
    }
}

/// The value of member `name` of normalized object members.
fn member<'a>(members: &'a [(String, JsonValue)], name: &str) -> Option<&'a JsonValue> {
    members.iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// Sets member `name`, keeping jsonb's member order (by length, then bytes).
fn set_member(members: &mut Vec<(String, JsonValue)>, name: &str, value: JsonValue) {
    let order = |k: &str| (k.len(), k.as_bytes().to_vec());
    match members.binary_search_by(|(k, _)| order(k).cmp(&order(name))) {
        Ok(i) => members[i].1 = value,
        Err(i) => members.insert(i, (name.to_string(), value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_arangodb_rules() {
        assert!(validate_key("alice").is_ok());
        assert!(validate_key("a-b_c:d.e@f(g)+h,i=j;k$l!m*n'o%p").is_ok());
        assert!(validate_key("").is_err());
        assert!(validate_key("a/b").is_err());
        assert!(validate_key("ä").is_err());
        assert!(validate_key(&"k".repeat(255)).is_err());
        assert!(validate_id("users/alice"));
        assert!(!validate_id("users"));
        assert!(!validate_id("/alice"));
        assert!(!validate_id("a/b/c"));
    }

    #[test]
    fn ticks_increase() {
        let a = tick();
        let b = tick();
        assert!(b > a);
    }

    #[test]
    fn members_stay_in_jsonb_order() {
        let JsonValue::Object(mut m) = parse_jsonb(r#"{"a": 1, "zzzz": 2, "_id": "x"}"#).unwrap() else { panic!() };
        set_member(&mut m, "_key", JsonValue::String("k".into()));
        set_member(&mut m, "_id", JsonValue::String("c/k".into()));
        assert_eq!(JsonValue::Object(m).to_jsonb_text(), r#"{"a": 1, "_id": "c/k", "_key": "k", "zzzz": 2}"#);
    }
}
