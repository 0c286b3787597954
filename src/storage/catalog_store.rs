//! Persistence of catalog objects in the `catalog` column family.
//!
//! Key layout (one entry per object, value = the object as JSON):
//!
//! ```text
//! b'd' ++ oid: u32 BE   → DatabaseDef
//! b's' ++ oid: u32 BE   → SchemaDef
//! b'r' ++ oid: u32 BE   → TableDef (tables and views)
//! b't' ++ oid: u32 BE   → TableStats of relation oid (ANALYZE; read after the relations)
//! b'u' ++ oid: u32 BE   → RoleDef (cluster-wide; passwords as verifiers only)
//! b'q' ++ oid: u32 BE   → a sequence's state (not a catalog object: see `sequences`)
//! b'V'                  → on-disk format version (u32 BE)
//! ```
//!
//! JSON keeps the catalog readable with `ldb` and tolerant of added fields; it is read once
//! at start-up and written only by DDL.

use crate::storage::error::StorageError;
use quiverdb_catalog::objects::TableStats;
use quiverdb_catalog::{CatalogChange, CatalogSnapshot, DatabaseDef, RoleDef, SchemaDef, TableDef};

/// Key of the on-disk format version.
pub const FORMAT_KEY: &[u8] = b"V";
/// Current on-disk format version.
pub const FORMAT_VERSION: u32 = 1;

fn key(tag: u8, oid: u32) -> Vec<u8> {
    let mut k = Vec::with_capacity(5);
    k.push(tag);
    k.extend_from_slice(&oid.to_be_bytes());
    k
}

/// Catalog key of relation `oid`.
pub fn relation_key(oid: u32) -> Vec<u8> {
    key(b'r', oid)
}

fn json<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, StorageError> {
    serde_json::to_vec(v).map_err(|e| StorageError::Internal(format!("catalog encode: {e}")))
}

/// The catalog-CF key and value (`None` = delete) that persist `change`.
pub fn encode_change(change: &CatalogChange) -> Result<(Vec<u8>, Option<Vec<u8>>), StorageError> {
    Ok(match change {
        CatalogChange::PutDatabase(d) => (key(b'd', d.oid), Some(json(d)?)),
        CatalogChange::DropDatabase(oid) => (key(b'd', *oid), None),
        CatalogChange::PutSchema(s) => (key(b's', s.oid), Some(json(s)?)),
        CatalogChange::DropSchema(oid) => (key(b's', *oid), None),
        CatalogChange::PutRelation(r) => (relation_key(r.oid), Some(json(r)?)),
        CatalogChange::DropRelation(oid) => (relation_key(*oid), None),
        CatalogChange::PutStats(oid, stats) => (key(b't', *oid), Some(json(stats)?)),
        CatalogChange::PutRole(r) => (key(b'u', r.oid), Some(json(r)?)),
        CatalogChange::DropRole(oid) => (key(b'u', *oid), None),
    })
}

/// Rebuilds the catalog from its stored entries.
pub fn decode_all<'a>(entries: impl Iterator<Item = (&'a [u8], &'a [u8])>) -> Result<CatalogSnapshot, StorageError> {
    let mut snap = CatalogSnapshot::new();
    for (k, v) in entries {
        let bad = |e: serde_json::Error| StorageError::Corrupt(format!("catalog entry {k:?}: {e}"));
        let change = match k.first() {
            Some(b'd') => CatalogChange::PutDatabase(serde_json::from_slice::<DatabaseDef>(v).map_err(bad)?),
            Some(b's') => CatalogChange::PutSchema(serde_json::from_slice::<SchemaDef>(v).map_err(bad)?),
            Some(b'r') => CatalogChange::PutRelation(serde_json::from_slice::<TableDef>(v).map_err(bad)?),
            Some(b'u') => CatalogChange::PutRole(serde_json::from_slice::<RoleDef>(v).map_err(bad)?),
            Some(b't') => {
                let oid = k
                    .get(1..5)
                    .and_then(|b| b.try_into().ok())
                    .map(u32::from_be_bytes)
                    .ok_or_else(|| StorageError::Corrupt(format!("catalog entry {k:?}: bad statistics key")))?;
                CatalogChange::PutStats(oid, serde_json::from_slice::<TableStats>(v).map_err(bad)?)
            }
            _ => continue,
        };
        snap.apply(&change);
    }
    Ok(snap)
}
