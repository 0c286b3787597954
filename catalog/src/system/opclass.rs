//! Operator classes: `pg_opclass` and `pg_opfamily`, and the class each index key uses.
//!
//! Every index is a btree whose keys compare in the order of their type (see the storage
//! layer's typed key encoding), which is what PostgreSQL's default btree operator class of
//! that type gives. So each type we expose has exactly one class, its default, with
//! PostgreSQL's OID; `pg_index.indclass` lists them per key and clients that look for
//! non-default classes (SQLAlchemy's index reflection) find none. `varchar` keys use
//! `text_ops`, as in PostgreSQL. `json` has no btree class there; its keys report 0.

use super::table::{SystemTable, Ty, V, row};
use super::{BTREE_AM, PG_CATALOG_OID, ROLE_OID, SystemView};
use crate::types::{Oid, SqlType};
use crate::view::PG_CATALOG;

/// The default btree classes: (class OID, name, input type OID, family OID).
const CLASSES: &[(Oid, &str, Oid, Oid)] = &[
    (10003, "bool_ops", 16, 424),
    (10006, "bytea_ops", 17, 428),
    (3124, "int8_ops", 20, 1976),
    (1979, "int2_ops", 21, 1976),
    (1978, "int4_ops", 23, 1976),
    (3126, "text_ops", 25, 1994),
    (1981, "oid_ops", 26, 1989),
    (10012, "float4_ops", 700, 1970),
    (3123, "float8_ops", 701, 1970),
    (10004, "bpchar_ops", 1042, 426),
    (3122, "date_ops", 1082, 434),
    (10038, "time_ops", 1083, 1996),
    (3128, "timestamp_ops", 1114, 434),
    (3127, "timestamptz_ops", 1184, 434),
    (10022, "interval_ops", 1186, 1982),
    (3125, "numeric_ops", 1700, 1988),
    (10065, "uuid_ops", 2950, 2968),
    (10088, "jsonb_ops", 3802, 4033),
    (10000, "array_ops", 2277, 397),
];

/// The families of those classes: (OID, name).
const FAMILIES: &[(Oid, &str)] = &[
    (397, "array_ops"),
    (424, "bool_ops"),
    (426, "bpchar_ops"),
    (428, "bytea_ops"),
    (434, "datetime_ops"),
    (1970, "float_ops"),
    (1976, "integer_ops"),
    (1982, "interval_ops"),
    (1988, "numeric_ops"),
    (1989, "oid_ops"),
    (1994, "text_ops"),
    (1996, "time_ops"),
    (2968, "uuid_ops"),
    (4033, "jsonb_ops"),
];

/// The OID of the btree operator class a key of type `ty` uses; 0 when PostgreSQL has no
/// btree class for it (`json`).
pub fn btree_class(ty: &SqlType) -> Oid {
    let input = match ty {
        SqlType::Varchar(_) => 25,
        SqlType::Array(_) => 2277,
        other => other.oid(),
    };
    CLASSES.iter().find(|(_, _, t, _)| *t == input).map_or(0, |(oid, ..)| *oid)
}

const OPCLASS: &[(&str, Ty)] = &[
    ("oid", Ty::Oid),
    ("opcmethod", Ty::Oid),
    ("opcname", Ty::Text),
    ("opcnamespace", Ty::Oid),
    ("opcowner", Ty::Oid),
    ("opcfamily", Ty::Oid),
    ("opcintype", Ty::Oid),
    ("opcdefault", Ty::Bool),
    ("opckeytype", Ty::Oid),
];

fn opclass_rows(_: &SystemView) -> Vec<Vec<V>> {
    CLASSES
        .iter()
        .map(|&(oid, name, input, family)| row![oid, BTREE_AM, name, PG_CATALOG_OID, ROLE_OID, family, input, true, 0u32])
        .collect()
}

const OPFAMILY: &[(&str, Ty)] =
    &[("oid", Ty::Oid), ("opfmethod", Ty::Oid), ("opfname", Ty::Text), ("opfnamespace", Ty::Oid), ("opfowner", Ty::Oid)];

fn opfamily_rows(_: &SystemView) -> Vec<Vec<V>> {
    FAMILIES.iter().map(|&(oid, name)| row![oid, BTREE_AM, name, PG_CATALOG_OID, ROLE_OID]).collect()
}

/// These catalogs.
pub const TABLES: &[SystemTable] = &[
    SystemTable { schema: PG_CATALOG, name: "pg_opclass", oid: 2616, kind: "r", columns: OPCLASS, rows: opclass_rows },
    SystemTable { schema: PG_CATALOG, name: "pg_opfamily", oid: 2753, kind: "r", columns: OPFAMILY, rows: opfamily_rows },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_indexable_type_has_its_default_class() {
        assert_eq!(btree_class(&SqlType::Int4), 1978);
        assert_eq!(btree_class(&SqlType::Varchar(Some(3))), 3126);
        assert_eq!(btree_class(&SqlType::Array(Box::new(SqlType::Int8))), 10000);
        assert_eq!(btree_class(&SqlType::Json), 0);
        for (_, _, _, family) in CLASSES {
            assert!(FAMILIES.iter().any(|(oid, _)| oid == family), "family {family} listed");
        }
    }
}
