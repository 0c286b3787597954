//! SQL type names → [`SqlType`], PostgreSQL's spelling and aliases included.
//!
//! Used for column definitions and casts. [`PgTypePlanner`] plugs the same mapping into
//! DataFusion's SQL planner, so `x::int4`, `CAST(x AS timestamptz)` and `varchar(5)` all
//! mean what they mean in PostgreSQL (microsecond timestamps, Int32 integers, ...).

use datafusion::arrow::datatypes::{Field, FieldRef};
use datafusion::common::Result;
use datafusion::logical_expr::planner::TypePlanner;
use datafusion::sql::sqlparser::ast::{ArrayElemTypeDef, CharacterLength, DataType, ExactNumberInfo, TimezoneInfo};
use quiverdb_catalog::types::MAX_NUMERIC_PRECISION;
use quiverdb_catalog::{Error, ErrorCode, SqlType};
use std::sync::Arc;

/// Maps a parsed SQL type to our column type.
pub fn sql_type(dt: &DataType) -> Result<SqlType, Error> {
    Ok(match dt {
        DataType::Bool | DataType::Boolean => SqlType::Bool,
        DataType::SmallInt(_) | DataType::Int2(_) => SqlType::Int2,
        DataType::Int(_) | DataType::Integer(_) | DataType::Int4(_) => SqlType::Int4,
        DataType::BigInt(_) | DataType::Int8(_) => SqlType::Int8,
        DataType::Real | DataType::Float4 => SqlType::Float4,
        DataType::Double(ExactNumberInfo::None) | DataType::DoublePrecision | DataType::Float8 => SqlType::Float8,
        DataType::Float(info) => match info {
            ExactNumberInfo::Precision(p) if *p <= 24 => SqlType::Float4,
            ExactNumberInfo::Precision(p) if *p > 53 => {
                return Err(Error::new(ErrorCode::InvalidParameterValue, "precision for type float must be less than 54 bits"));
            }
            _ => SqlType::Float8,
        },
        DataType::Numeric(info) | DataType::Decimal(info) | DataType::Dec(info) => numeric(info)?,
        DataType::Text | DataType::String(None) => SqlType::Text,
        DataType::Varchar(len) | DataType::CharacterVarying(len) | DataType::CharVarying(len) => SqlType::Varchar(length(len)?),
        DataType::Char(len) | DataType::Character(len) => SqlType::Char(length(len)?.unwrap_or(1)),
        DataType::Bytea => SqlType::Bytea,
        DataType::Date => SqlType::Date,
        DataType::Time(_, tz) => match tz {
            TimezoneInfo::None | TimezoneInfo::WithoutTimeZone => SqlType::Time,
            _ => {
                return Err(Error::unsupported("type time with time zone is not supported"));
            }
        },
        DataType::Timestamp(_, tz) => match tz {
            TimezoneInfo::None | TimezoneInfo::WithoutTimeZone => SqlType::Timestamp,
            TimezoneInfo::WithTimeZone | TimezoneInfo::Tz => SqlType::Timestamptz,
        },
        DataType::Interval { .. } => SqlType::Interval,
        DataType::Uuid => SqlType::Uuid,
        DataType::JSON => SqlType::Json,
        DataType::JSONB => SqlType::Jsonb,
        DataType::Array(elem) => {
            let inner = match elem {
                ArrayElemTypeDef::AngleBracket(t) | ArrayElemTypeDef::SquareBracket(t, _) | ArrayElemTypeDef::Parenthesis(t) => t,
                ArrayElemTypeDef::None => {
                    return Err(Error::syntax("array type needs an element type"));
                }
            };
            match sql_type(inner)? {
                // PostgreSQL treats int[][] as int[]: arrays are one type of any dimension.
                SqlType::Array(e) => SqlType::Array(e),
                e => SqlType::Array(Box::new(e)),
            }
        }
        DataType::Custom(name, modifiers) => {
            // `int4`, `pg_catalog.int4`, `"pg_catalog"."int4"` (asyncpg quotes both parts).
            let parts: Vec<String> = name.0.iter().map(|p| p.to_string().trim_matches('"').to_ascii_lowercase()).collect();
            let n = match parts.as_slice() {
                [schema, n] if schema == "pg_catalog" => n.as_str(),
                [n] => n.as_str(),
                _ => return Err(Error::new(ErrorCode::UndefinedObject, format!("type \"{name}\" does not exist"))),
            };
            return custom(n, modifiers);
        }
        other => {
            return Err(Error::new(ErrorCode::UndefinedObject, format!("type \"{other}\" does not exist")));
        }
    })
}

fn custom(name: &str, modifiers: &[String]) -> Result<SqlType, Error> {
    Ok(match name {
        "int2" | "smallint" => SqlType::Int2,
        "int4" | "int" | "integer" => SqlType::Int4,
        "int8" | "bigint" => SqlType::Int8,
        "float4" => SqlType::Float4,
        "float8" => SqlType::Float8,
        "bool" => SqlType::Bool,
        "timestamptz" => SqlType::Timestamptz,
        "timestamp" => SqlType::Timestamp,
        "bpchar" => SqlType::Char(modifiers.first().and_then(|m| m.parse().ok()).unwrap_or(1)),
        "varchar" => SqlType::Varchar(modifiers.first().and_then(|m| m.parse().ok())),
        "decimal" | "numeric" => {
            let p = modifiers.first().and_then(|m| m.parse().ok());
            let s = modifiers.get(1).and_then(|m| m.parse().ok());
            numeric(&match (p, s) {
                (Some(p), Some(s)) => ExactNumberInfo::PrecisionAndScale(p, s),
                (Some(p), None) => ExactNumberInfo::Precision(p),
                _ => ExactNumberInfo::None,
            })?
        }
        "json" => SqlType::Json,
        "jsonb" => SqlType::Jsonb,
        "uuid" => SqlType::Uuid,
        "oid" => SqlType::Oid,
        "name" => SqlType::Varchar(Some(63)),
        "text" | "char" | "pg_node_tree" => SqlType::Text,
        "float" | "double precision" => SqlType::Float8,
        "real" => SqlType::Float4,
        "boolean" => SqlType::Bool,
        "date" => SqlType::Date,
        "time" => SqlType::Time,
        "interval" => SqlType::Interval,
        "bytea" => SqlType::Bytea,
        "xid" => SqlType::Int8,
        "int2vector" => SqlType::Vector(Box::new(SqlType::Int2)),
        "oidvector" => SqlType::Vector(Box::new(SqlType::Oid)),
        other => {
            return Err(Error::new(ErrorCode::UndefinedObject, format!("type \"{other}\" does not exist")));
        }
    })
}

fn numeric(info: &ExactNumberInfo) -> Result<SqlType, Error> {
    let (p, s) = match *info {
        ExactNumberInfo::None => {
            return Ok(SqlType::Numeric { precision: None, scale: 0 });
        }
        ExactNumberInfo::Precision(p) => (p, 0),
        ExactNumberInfo::PrecisionAndScale(p, s) => (p, s),
    };
    if p == 0 || p > 1000 {
        return Err(Error::new(ErrorCode::InvalidParameterValue, format!("NUMERIC precision {p} must be between 1 and 1000")));
    }
    if s < 0 || s as u64 > p {
        return Err(Error::new(ErrorCode::InvalidParameterValue, format!("NUMERIC scale {s} must be between 0 and precision {p}")));
    }
    if p > MAX_NUMERIC_PRECISION as u64 {
        return Err(Error::unsupported(format!("NUMERIC precision {p} is above the supported maximum of {MAX_NUMERIC_PRECISION}")));
    }
    Ok(SqlType::Numeric { precision: Some(p as u8), scale: s as u8 })
}

fn length(len: &Option<CharacterLength>) -> Result<Option<u32>, Error> {
    match len {
        None | Some(CharacterLength::Max) => Ok(None),
        Some(CharacterLength::IntegerLength { length, .. }) => {
            if *length == 0 {
                return Err(Error::new(ErrorCode::InvalidParameterValue, "length for type varchar must be at least 1"));
            }
            if *length > 10_485_760 {
                return Err(Error::new(ErrorCode::InvalidParameterValue, "length for type varchar cannot exceed 10485760"));
            }
            Ok(Some(*length as u32))
        }
    }
}

/// The [`TypePlanner`] that makes DataFusion's SQL planner use PostgreSQL's types.
#[derive(Debug)]
pub struct PgTypePlanner;

impl TypePlanner for PgTypePlanner {
    fn plan_type_field(&self, dt: &DataType) -> Result<Option<FieldRef>> {
        match sql_type(dt) {
            Ok(ty) => Ok(Some(Arc::new(ty.to_field("", true)))),
            Err(e) if e.code == ErrorCode::UndefinedObject => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

/// A nullable field of `ty` (for casts).
pub fn cast_field(ty: &SqlType) -> FieldRef {
    Arc::new(Field::new("", ty.to_arrow(), true).with_metadata(ty.field_metadata()))
}
