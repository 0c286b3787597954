//! Column types: the PostgreSQL types QuiverDB exposes and their Arrow representation.
//!
//! Every column has a [`SqlType`]. It decides three things:
//!
//! * the Arrow type DataFusion computes with ([`SqlType::to_arrow`]),
//! * the PostgreSQL type OID, typmod and length sent in `RowDescription`,
//! * how values are stored (the row codec and the key encoding switch on it).
//!
//! Several PostgreSQL types share one Arrow type (text, varchar, char, json, jsonb and uuid
//! are all `Utf8`). The Arrow field then carries metadata `pg.type` (and `pg.typmod`) so the
//! PostgreSQL type can be recovered from a result schema ([`SqlType::from_field`]).
//!
//! | SqlType | Arrow | OID |
//! |---|---|---|
//! | bool | Boolean | 16 |
//! | int2 / int4 / int8 | Int16 / Int32 / Int64 | 21 / 23 / 20 |
//! | float4 / float8 | Float32 / Float64 | 700 / 701 |
//! | numeric(p,s) | Decimal128(p,s); unconstrained: Decimal128(38,10) + metadata | 1700 |
//! | text / varchar(n) / char(n) | Utf8 (+ metadata) | 25 / 1043 / 1042 |
//! | bytea | Binary | 17 |
//! | date / time | Date32 / Time64(µs) | 1082 / 1083 |
//! | timestamp / timestamptz | Timestamp(µs) / Timestamp(µs, "+00:00") | 1114 / 1184 |
//! | interval | Interval(MonthDayNano) | 1186 |
//! | uuid / json / jsonb | Utf8 + metadata (canonical text) | 2950 / 114 / 3802 |
//! | T[] | List(T) | the array type's OID |

use datafusion::arrow::datatypes::{DataType, Field, FieldRef, IntervalUnit, TimeUnit};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// Field metadata key naming the PostgreSQL type when the Arrow type is ambiguous.
pub const META_PG_TYPE: &str = "pg.type";
/// Field metadata key holding the PostgreSQL typmod (decimal string).
pub const META_PG_TYPMOD: &str = "pg.typmod";
/// Time zone string used for timestamptz Arrow types.
pub const UTC_TZ: &str = "+00:00";
/// Scale used for unconstrained `numeric` columns.
pub const UNCONSTRAINED_NUMERIC_SCALE: i8 = 10;
/// Largest numeric precision we can store (Decimal128).
pub const MAX_NUMERIC_PRECISION: u8 = 38;

/// A PostgreSQL object id.
pub type Oid = u32;

/// The PostgreSQL type of a column or expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SqlType {
    Bool,
    Int2,
    Int4,
    Int8,
    Float4,
    Float8,
    /// `numeric(precision, scale)`; `precision: None` is unconstrained `numeric`.
    Numeric {
        precision: Option<u8>,
        scale: u8,
    },
    Text,
    /// `varchar(n)`; `None` is unbounded `varchar`.
    Varchar(Option<u32>),
    /// `char(n)` (`bpchar`), blank-padded to `n`.
    Char(u32),
    Bytea,
    Date,
    Time,
    Timestamp,
    Timestamptz,
    Interval,
    Uuid,
    Json,
    Jsonb,
    /// `oid` (object identifier; issue 4 adds the reg* casts).
    Oid,
    /// One-dimensional array of a scalar type.
    Array(Box<SqlType>),
    /// `int2vector` (elements `Int2`) or `oidvector` (elements `Oid`): the catalogs' key
    /// lists (`pg_index.indkey`, `indclass`), an array PostgreSQL prints space-separated
    /// (`1 2`) and sends in binary like an array. Not a column type of user tables.
    Vector(Box<SqlType>),
}

impl SqlType {
    /// The Arrow type values of this type are computed with.
    pub fn to_arrow(&self) -> DataType {
        match self {
            SqlType::Bool => DataType::Boolean,
            SqlType::Int2 => DataType::Int16,
            SqlType::Int4 => DataType::Int32,
            SqlType::Int8 => DataType::Int64,
            SqlType::Float4 => DataType::Float32,
            SqlType::Float8 => DataType::Float64,
            SqlType::Numeric { precision: Some(p), scale } => DataType::Decimal128(*p, *scale as i8),
            SqlType::Numeric { precision: None, .. } => DataType::Decimal128(MAX_NUMERIC_PRECISION, UNCONSTRAINED_NUMERIC_SCALE),
            SqlType::Text | SqlType::Varchar(_) | SqlType::Char(_) | SqlType::Uuid | SqlType::Json | SqlType::Jsonb => DataType::Utf8,
            SqlType::Bytea => DataType::Binary,
            SqlType::Date => DataType::Date32,
            SqlType::Time => DataType::Time64(TimeUnit::Microsecond),
            SqlType::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, None),
            SqlType::Timestamptz => DataType::Timestamp(TimeUnit::Microsecond, Some(Arc::from(UTC_TZ))),
            SqlType::Interval => DataType::Interval(IntervalUnit::MonthDayNano),
            SqlType::Oid => DataType::UInt32,
            SqlType::Array(elem) | SqlType::Vector(elem) => DataType::List(Arc::new(elem.to_field("item", true))),
        }
    }

    /// An Arrow field of this type, with the metadata needed to recover the SqlType.
    pub fn to_field(&self, name: &str, nullable: bool) -> Field {
        let field = Field::new(name, self.to_arrow(), nullable);
        let meta = self.field_metadata();
        if meta.is_empty() { field } else { field.with_metadata(meta) }
    }

    /// The field metadata that distinguishes this type from others sharing its Arrow type.
    pub fn field_metadata(&self) -> HashMap<String, String> {
        let mut meta = HashMap::new();
        let tag = match self {
            SqlType::Varchar(_) => Some("varchar"),
            SqlType::Char(_) => Some("bpchar"),
            SqlType::Uuid => Some("uuid"),
            SqlType::Json => Some("json"),
            SqlType::Jsonb => Some("jsonb"),
            SqlType::Numeric { precision: None, .. } => Some("numeric"),
            SqlType::Oid => Some("oid"),
            SqlType::Vector(elem) if **elem == SqlType::Oid => Some("oidvector"),
            SqlType::Vector(_) => Some("int2vector"),
            _ => None,
        };
        if let Some(tag) = tag {
            meta.insert(META_PG_TYPE.to_string(), tag.to_string());
        }
        if matches!(self, SqlType::Varchar(Some(_)) | SqlType::Char(_)) {
            meta.insert(META_PG_TYPMOD.to_string(), self.typmod().to_string());
        }
        meta
    }

    /// Recovers the PostgreSQL type of an Arrow field (falls back on the closest type).
    pub fn from_field(field: &Field) -> SqlType {
        let meta = field.metadata();
        let typmod = meta.get(META_PG_TYPMOD).and_then(|m| m.parse::<i32>().ok());
        match meta.get(META_PG_TYPE).map(String::as_str) {
            Some("varchar") if is_string(field.data_type()) => {
                return SqlType::Varchar(typmod.map(|t| (t - 4).max(0) as u32));
            }
            Some("bpchar") if is_string(field.data_type()) => {
                return SqlType::Char(typmod.map(|t| (t - 4).max(1) as u32).unwrap_or(1));
            }
            Some("uuid") if is_string(field.data_type()) => return SqlType::Uuid,
            Some("json") if is_string(field.data_type()) => return SqlType::Json,
            Some("jsonb") if is_string(field.data_type()) => return SqlType::Jsonb,
            Some("numeric") if matches!(field.data_type(), DataType::Decimal128(..)) => {
                return SqlType::Numeric { precision: None, scale: 0 };
            }
            Some("oid") => return SqlType::Oid,
            Some("int2vector") => return SqlType::Vector(Box::new(SqlType::Int2)),
            Some("oidvector") => return SqlType::Vector(Box::new(SqlType::Oid)),
            _ => {}
        }
        SqlType::from_arrow(field.data_type())
    }

    /// The closest PostgreSQL type for an Arrow type without metadata.
    pub fn from_arrow(dt: &DataType) -> SqlType {
        match dt {
            DataType::Boolean => SqlType::Bool,
            DataType::Int8 | DataType::Int16 | DataType::UInt8 => SqlType::Int2,
            DataType::Int32 | DataType::UInt16 => SqlType::Int4,
            DataType::Int64 => SqlType::Int8,
            // Only `oid` values are computed as UInt32 (a column, an aggregate or CASE over them
            // may lose the field tag, never the type).
            DataType::UInt32 => SqlType::Oid,
            DataType::UInt64 => SqlType::Numeric { precision: Some(20), scale: 0 },
            DataType::Float16 | DataType::Float32 => SqlType::Float4,
            DataType::Float64 => SqlType::Float8,
            // Unconstrained numeric is computed as Decimal128(38, 10); results of that type
            // (sums, casts to numeric) keep its meaning even where field metadata is lost.
            DataType::Decimal128(38, 10) => SqlType::Numeric { precision: None, scale: 0 },
            DataType::Decimal32(p, s) | DataType::Decimal64(p, s) | DataType::Decimal128(p, s) => {
                SqlType::Numeric { precision: Some(*p), scale: (*s).max(0) as u8 }
            }
            DataType::Decimal256(p, s) => SqlType::Numeric { precision: Some(*p), scale: (*s).max(0) as u8 },
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => SqlType::Text,
            DataType::Binary | DataType::LargeBinary | DataType::BinaryView | DataType::FixedSizeBinary(_) => SqlType::Bytea,
            DataType::Date32 | DataType::Date64 => SqlType::Date,
            DataType::Time32(_) | DataType::Time64(_) => SqlType::Time,
            DataType::Timestamp(_, None) => SqlType::Timestamp,
            DataType::Timestamp(_, Some(_)) => SqlType::Timestamptz,
            DataType::Interval(_) | DataType::Duration(_) => SqlType::Interval,
            DataType::List(f)
            | DataType::LargeList(f)
            | DataType::ListView(f)
            | DataType::LargeListView(f)
            | DataType::FixedSizeList(f, _) => {
                let elem = SqlType::from_field(f);
                match elem {
                    SqlType::Array(_) => SqlType::Text,
                    other => SqlType::Array(Box::new(other)),
                }
            }
            DataType::Dictionary(_, value) => SqlType::from_arrow(value),
            DataType::Null => SqlType::Text,
            // Structs, maps and unions are sent as their JSON text.
            _ => SqlType::Json,
        }
    }

    /// The PostgreSQL type OID.
    pub fn oid(&self) -> Oid {
        match self {
            SqlType::Bool => 16,
            SqlType::Bytea => 17,
            SqlType::Int8 => 20,
            SqlType::Int2 => 21,
            SqlType::Int4 => 23,
            SqlType::Text => 25,
            SqlType::Oid => 26,
            SqlType::Json => 114,
            SqlType::Float4 => 700,
            SqlType::Float8 => 701,
            SqlType::Char(_) => 1042,
            SqlType::Varchar(_) => 1043,
            SqlType::Date => 1082,
            SqlType::Time => 1083,
            SqlType::Timestamp => 1114,
            SqlType::Timestamptz => 1184,
            SqlType::Interval => 1186,
            SqlType::Numeric { .. } => 1700,
            SqlType::Uuid => 2950,
            SqlType::Jsonb => 3802,
            SqlType::Array(elem) => elem.array_oid(),
            SqlType::Vector(elem) if **elem == SqlType::Oid => 30,
            SqlType::Vector(_) => 22,
        }
    }

    /// The OID of the array type whose elements are of this type (0 for arrays).
    pub fn array_oid(&self) -> Oid {
        match self {
            SqlType::Bool => 1000,
            SqlType::Bytea => 1001,
            SqlType::Int2 => 1005,
            SqlType::Int4 => 1007,
            SqlType::Text => 1009,
            SqlType::Oid => 1028,
            SqlType::Char(_) => 1014,
            SqlType::Varchar(_) => 1015,
            SqlType::Int8 => 1016,
            SqlType::Float4 => 1021,
            SqlType::Float8 => 1022,
            SqlType::Timestamp => 1115,
            SqlType::Date => 1182,
            SqlType::Time => 1183,
            SqlType::Timestamptz => 1185,
            SqlType::Interval => 1187,
            SqlType::Numeric { .. } => 1231,
            SqlType::Uuid => 2951,
            SqlType::Json => 199,
            SqlType::Jsonb => 3807,
            SqlType::Vector(elem) if **elem == SqlType::Oid => 1013,
            SqlType::Vector(_) => 1006,
            SqlType::Array(_) => 0,
        }
    }

    /// The PostgreSQL type modifier (`atttypmod`), -1 when there is none.
    pub fn typmod(&self) -> i32 {
        match self {
            SqlType::Varchar(Some(n)) | SqlType::Char(n) => *n as i32 + 4,
            SqlType::Numeric { precision: Some(p), scale } => (((*p as i32) << 16) | *scale as i32) + 4,
            SqlType::Array(elem) => elem.typmod(),
            _ => -1,
        }
    }

    /// `pg_type.typlen`: the fixed width in bytes, or -1 for variable-length types.
    pub fn typlen(&self) -> i16 {
        match self {
            SqlType::Bool => 1,
            SqlType::Int2 => 2,
            SqlType::Int4 | SqlType::Float4 | SqlType::Date | SqlType::Oid => 4,
            SqlType::Int8 | SqlType::Float8 | SqlType::Time | SqlType::Timestamp | SqlType::Timestamptz => 8,
            SqlType::Interval | SqlType::Uuid => 16,
            _ => -1,
        }
    }

    /// The collation OID of a column of this type: PostgreSQL's `default` (100) for the
    /// string types and arrays of them, 0 (not collatable) otherwise.
    pub fn collation(&self) -> Oid {
        match self {
            SqlType::Array(elem) => elem.collation(),
            t if t.is_text_like() => crate::system::DEFAULT_COLLATION,
            _ => 0,
        }
    }

    /// True for the string-like types stored as UTF-8 text.
    pub fn is_text_like(&self) -> bool {
        matches!(self, SqlType::Text | SqlType::Varchar(_) | SqlType::Char(_))
    }

    /// Whether PostgreSQL converts a `from` value to this type on assignment (INSERT,
    /// UPDATE SET): same type, any type into a string type (I/O conversion), numeric into
    /// numeric, date/time into date/time, json ⇄ jsonb, and arrays element-wise. Untyped
    /// literals never reach this check (they take the column's type).
    pub fn assignable_from(&self, from: &SqlType) -> bool {
        use SqlType::*;
        let numeric = |t: &SqlType| matches!(t, Int2 | Int4 | Int8 | Float4 | Float8 | Numeric { .. } | Oid);
        let datetime = |t: &SqlType| matches!(t, Date | Timestamp | Timestamptz);
        match (self, from) {
            (Array(to), Array(from)) => to.assignable_from(from),
            (Array(_), _) | (_, Array(_)) => false,
            (to, _) if to.is_text_like() => true,
            (to, from) if numeric(to) && numeric(from) => true,
            (to, from) if datetime(to) && datetime(from) => true,
            (Time, Timestamp | Timestamptz | Interval | Time) | (Interval, Time | Interval) => true,
            (Json | Jsonb, Json | Jsonb) => true,
            (to, from) => std::mem::discriminant(to) == std::mem::discriminant(from),
        }
    }

    /// True when values of this type can be part of a primary key or unique constraint.
    pub fn is_key_type(&self) -> bool {
        !matches!(self, SqlType::Json | SqlType::Array(_) | SqlType::Vector(_))
    }

    /// The element type of an array (or vector) type.
    pub fn element(&self) -> Option<&SqlType> {
        match self {
            SqlType::Array(elem) | SqlType::Vector(elem) => Some(elem),
            _ => None,
        }
    }

    /// The type name as PostgreSQL's `format_type` prints it.
    pub fn display_name(&self) -> String {
        self.to_string()
    }
}

fn is_string(dt: &DataType) -> bool {
    matches!(dt, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

impl fmt::Display for SqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlType::Bool => f.write_str("boolean"),
            SqlType::Int2 => f.write_str("smallint"),
            SqlType::Int4 => f.write_str("integer"),
            SqlType::Int8 => f.write_str("bigint"),
            SqlType::Float4 => f.write_str("real"),
            SqlType::Float8 => f.write_str("double precision"),
            SqlType::Numeric { precision: Some(p), scale } => write!(f, "numeric({p},{scale})"),
            SqlType::Numeric { precision: None, .. } => f.write_str("numeric"),
            SqlType::Text => f.write_str("text"),
            SqlType::Varchar(Some(n)) => write!(f, "character varying({n})"),
            SqlType::Varchar(None) => f.write_str("character varying"),
            SqlType::Char(n) => write!(f, "character({n})"),
            SqlType::Bytea => f.write_str("bytea"),
            SqlType::Date => f.write_str("date"),
            SqlType::Time => f.write_str("time without time zone"),
            SqlType::Timestamp => f.write_str("timestamp without time zone"),
            SqlType::Timestamptz => f.write_str("timestamp with time zone"),
            SqlType::Interval => f.write_str("interval"),
            SqlType::Uuid => f.write_str("uuid"),
            SqlType::Json => f.write_str("json"),
            SqlType::Jsonb => f.write_str("jsonb"),
            SqlType::Oid => f.write_str("oid"),
            SqlType::Array(elem) => write!(f, "{elem}[]"),
            SqlType::Vector(elem) if **elem == SqlType::Oid => f.write_str("oidvector"),
            SqlType::Vector(_) => f.write_str("int2vector"),
        }
    }
}

/// Builds an Arrow field reference of `ty` named `name`.
pub fn field_ref(name: &str, ty: &SqlType, nullable: bool) -> FieldRef {
    Arc::new(ty.to_field(name, nullable))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(ty: SqlType) {
        let field = ty.to_field("c", true);
        let back = SqlType::from_field(&field);
        match (&ty, &back) {
            (SqlType::Numeric { precision: None, .. }, SqlType::Numeric { precision: None, .. }) => {}
            _ => assert_eq!(back, ty, "{ty:?} via {field:?}"),
        }
    }

    #[test]
    fn every_type_survives_an_arrow_field() {
        for ty in [
            SqlType::Bool,
            SqlType::Int2,
            SqlType::Int4,
            SqlType::Int8,
            SqlType::Float4,
            SqlType::Float8,
            SqlType::Numeric { precision: Some(10), scale: 2 },
            SqlType::Numeric { precision: None, scale: 0 },
            SqlType::Text,
            SqlType::Varchar(Some(20)),
            SqlType::Varchar(None),
            SqlType::Char(5),
            SqlType::Bytea,
            SqlType::Date,
            SqlType::Time,
            SqlType::Timestamp,
            SqlType::Timestamptz,
            SqlType::Interval,
            SqlType::Uuid,
            SqlType::Json,
            SqlType::Jsonb,
            SqlType::Array(Box::new(SqlType::Int4)),
            SqlType::Array(Box::new(SqlType::Text)),
            SqlType::Array(Box::new(SqlType::Jsonb)),
        ] {
            round_trip(ty);
        }
    }

    #[test]
    fn typmods_match_postgres() {
        assert_eq!(SqlType::Varchar(Some(20)).typmod(), 24);
        assert_eq!(SqlType::Char(1).typmod(), 5);
        assert_eq!(SqlType::Numeric { precision: Some(10), scale: 2 }.typmod(), 655366);
        assert_eq!(SqlType::Int4.typmod(), -1);
    }

    #[test]
    fn names_match_format_type() {
        assert_eq!(SqlType::Numeric { precision: Some(10), scale: 2 }.to_string(), "numeric(10,2)");
        assert_eq!(SqlType::Array(Box::new(SqlType::Int4)).to_string(), "integer[]");
        assert_eq!(SqlType::Varchar(Some(3)).to_string(), "character varying(3)");
    }
}
