//! The shape of a system table and how its rows become one Arrow batch.
//!
//! A system table is a list of typed columns and a function that lists its rows from a
//! [`SystemView`]; rows are plain [`V`] values, so the table definitions read like the
//! catalog documentation they mirror.

use super::SystemView;
use crate::types::{Oid, SqlType, UTC_TZ};
use datafusion::arrow::array::{
    ArrayBuilder, ArrayRef, BooleanBuilder, Float32Builder, Int16Builder, Int32Builder, Int64Builder, ListBuilder, StringBuilder,
    TimestampMicrosecondBuilder, UInt32Builder,
};
use datafusion::arrow::datatypes::{Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::Result;
use std::sync::Arc;

/// The type of a system-table column. `name`, `"char"`, `regproc` and `pg_node_tree`
/// columns are text; `int2vector` and `oidvector` are arrays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Oid,
    Text,
    Bool,
    I16,
    I32,
    I64,
    F32,
    Timestamptz,
    TextArray,
    I16Array,
    OidArray,
    /// `int2vector`: an `I16Array` PostgreSQL prints space-separated.
    Int2Vector,
    /// `oidvector`: an `OidArray` PostgreSQL prints space-separated.
    OidVector,
}

impl Ty {
    /// The column type as the planner sees it.
    pub fn sql_type(self) -> SqlType {
        match self {
            Ty::Oid => SqlType::Oid,
            Ty::Text => SqlType::Text,
            Ty::Bool => SqlType::Bool,
            Ty::I16 => SqlType::Int2,
            Ty::I32 => SqlType::Int4,
            Ty::I64 => SqlType::Int8,
            Ty::F32 => SqlType::Float4,
            Ty::Timestamptz => SqlType::Timestamptz,
            Ty::TextArray => SqlType::Array(Box::new(SqlType::Text)),
            Ty::I16Array => SqlType::Array(Box::new(SqlType::Int2)),
            Ty::OidArray => SqlType::Array(Box::new(SqlType::Oid)),
            Ty::Int2Vector => SqlType::Vector(Box::new(SqlType::Int2)),
            Ty::OidVector => SqlType::Vector(Box::new(SqlType::Oid)),
        }
    }
}

/// One value of a system-table row. A value that does not fit its column's type is read
/// as NULL.
#[derive(Debug, Clone, PartialEq)]
pub enum V {
    Null,
    B(bool),
    I(i64),
    F(f64),
    S(String),
    A(Vec<V>),
}

impl From<&str> for V {
    fn from(s: &str) -> V {
        V::S(s.to_string())
    }
}
impl From<String> for V {
    fn from(s: String) -> V {
        V::S(s)
    }
}
impl From<&String> for V {
    fn from(s: &String) -> V {
        V::S(s.clone())
    }
}
impl From<bool> for V {
    fn from(b: bool) -> V {
        V::B(b)
    }
}
impl From<i16> for V {
    fn from(i: i16) -> V {
        V::I(i.into())
    }
}
impl From<i32> for V {
    fn from(i: i32) -> V {
        V::I(i.into())
    }
}
impl From<i64> for V {
    fn from(i: i64) -> V {
        V::I(i)
    }
}
impl From<Oid> for V {
    fn from(i: Oid) -> V {
        V::I(i.into())
    }
}
impl From<usize> for V {
    fn from(i: usize) -> V {
        V::I(i as i64)
    }
}
impl From<f64> for V {
    fn from(f: f64) -> V {
        V::F(f)
    }
}
impl<T: Into<V>> From<Option<T>> for V {
    fn from(o: Option<T>) -> V {
        o.map(Into::into).unwrap_or(V::Null)
    }
}
impl<T: Into<V>> From<Vec<T>> for V {
    fn from(items: Vec<T>) -> V {
        V::A(items.into_iter().map(Into::into).collect())
    }
}

/// Builds a row from values of mixed types: `row![oid, name, true]`.
macro_rules! row {
    ($($v:expr),* $(,)?) => { vec![$($crate::system::table::V::from($v)),*] };
}
pub(crate) use row;

/// A table of `pg_catalog` or `information_schema`.
pub struct SystemTable {
    pub schema: &'static str,
    pub name: &'static str,
    /// Its OID in `pg_class` (PostgreSQL's own where it has one).
    pub oid: Oid,
    /// `'r'` for catalogs, `'v'` for PostgreSQL's views over them (`pg_tables`, ...).
    pub kind: &'static str,
    pub columns: &'static [(&'static str, Ty)],
    pub rows: fn(&SystemView) -> Vec<Vec<V>>,
}

impl SystemTable {
    /// The Arrow schema of the table.
    pub fn schema(&self) -> SchemaRef {
        Arc::new(Schema::new(self.columns.iter().map(|(n, t)| t.sql_type().to_field(n, true)).collect::<Vec<_>>()))
    }

    /// The table's rows as one batch.
    pub fn batch(&self, view: &SystemView) -> Result<RecordBatch> {
        let rows = (self.rows)(view);
        let columns: Vec<ArrayRef> = self.columns.iter().enumerate().map(|(i, (_, ty))| column(*ty, rows.iter().map(|r| &r[i]))).collect();
        Ok(RecordBatch::try_new(self.schema(), columns)?)
    }
}

fn int(v: &V) -> Option<i64> {
    match v {
        V::I(i) => Some(*i),
        V::B(b) => Some(*b as i64),
        _ => None,
    }
}

fn text(v: &V) -> Option<String> {
    match v {
        V::S(s) => Some(s.clone()),
        V::I(i) => Some(i.to_string()),
        V::B(b) => Some(if *b { "true" } else { "false" }.to_string()),
        _ => None,
    }
}

/// Appends `v` to a scalar builder of type `ty` (not an array type).
fn append(ty: Ty, builder: &mut dyn ArrayBuilder, v: &V) {
    let any = builder.as_any_mut();
    match ty {
        Ty::Oid => any.downcast_mut::<UInt32Builder>().expect("oid builder").append_option(int(v).map(|i| i as u32)),
        Ty::Text => any.downcast_mut::<StringBuilder>().expect("text builder").append_option(text(v)),
        Ty::Bool => any.downcast_mut::<BooleanBuilder>().expect("bool builder").append_option(match v {
            V::B(b) => Some(*b),
            _ => None,
        }),
        Ty::I16 => any.downcast_mut::<Int16Builder>().expect("int2 builder").append_option(int(v).map(|i| i as i16)),
        Ty::I32 => any.downcast_mut::<Int32Builder>().expect("int4 builder").append_option(int(v).map(|i| i as i32)),
        Ty::I64 => any.downcast_mut::<Int64Builder>().expect("int8 builder").append_option(int(v)),
        Ty::F32 => any.downcast_mut::<Float32Builder>().expect("float4 builder").append_option(match v {
            V::F(f) => Some(*f as f32),
            V::I(i) => Some(*i as f32),
            _ => None,
        }),
        Ty::Timestamptz => any.downcast_mut::<TimestampMicrosecondBuilder>().expect("timestamptz builder").append_option(int(v)),
        Ty::TextArray | Ty::I16Array | Ty::OidArray | Ty::Int2Vector | Ty::OidVector => unreachable!("arrays are built by `column`"),
    }
}

fn builder(ty: Ty) -> Box<dyn ArrayBuilder> {
    match ty {
        Ty::Oid => Box::new(UInt32Builder::new()),
        Ty::Text => Box::new(StringBuilder::new()),
        Ty::Bool => Box::new(BooleanBuilder::new()),
        Ty::I16 => Box::new(Int16Builder::new()),
        Ty::I32 => Box::new(Int32Builder::new()),
        Ty::I64 => Box::new(Int64Builder::new()),
        Ty::F32 => Box::new(Float32Builder::new()),
        Ty::Timestamptz => Box::new(TimestampMicrosecondBuilder::new().with_timezone(UTC_TZ)),
        Ty::TextArray => Box::new(ListBuilder::new(StringBuilder::new()).with_field(Arc::new(SqlType::Text.to_field("item", true)))),
        Ty::I16Array | Ty::Int2Vector => {
            Box::new(ListBuilder::new(Int16Builder::new()).with_field(Arc::new(SqlType::Int2.to_field("item", true))))
        }
        Ty::OidArray | Ty::OidVector => {
            Box::new(ListBuilder::new(UInt32Builder::new()).with_field(Arc::new(SqlType::Oid.to_field("item", true))))
        }
    }
}

/// One column of values.
fn column<'a>(ty: Ty, values: impl Iterator<Item = &'a V>) -> ArrayRef {
    let mut b = builder(ty);
    let elem = match ty {
        Ty::TextArray => Some(Ty::Text),
        Ty::I16Array | Ty::Int2Vector => Some(Ty::I16),
        Ty::OidArray | Ty::OidVector => Some(Ty::Oid),
        _ => None,
    };
    for v in values {
        match elem {
            None => append(ty, b.as_mut(), v),
            Some(elem) => list_append(elem, b.as_mut(), v),
        }
    }
    b.finish()
}

fn list_append(elem: Ty, builder: &mut dyn ArrayBuilder, v: &V) {
    macro_rules! push {
        ($b:ty) => {{
            let list = builder.as_any_mut().downcast_mut::<ListBuilder<$b>>().expect("list builder");
            match v {
                V::A(items) => {
                    for item in items {
                        append(elem, list.values(), item);
                    }
                    list.append(true);
                }
                _ => list.append(false),
            }
        }};
    }
    match elem {
        Ty::Text => push!(StringBuilder),
        Ty::I16 => push!(Int16Builder),
        _ => push!(UInt32Builder),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Array, ListArray, StringArray, UInt32Array};

    #[test]
    fn values_become_typed_columns_and_misfits_are_null() {
        let oids = column(Ty::Oid, [V::I(26), V::Null, V::S("x".into())].iter());
        let oids = oids.as_any().downcast_ref::<UInt32Array>().unwrap();
        assert_eq!((oids.value(0), oids.is_null(1), oids.is_null(2)), (26, true, true));
        let names = column(Ty::Text, [V::from("t"), V::I(5)].iter());
        let names = names.as_any().downcast_ref::<StringArray>().unwrap();
        assert_eq!((names.value(0), names.value(1)), ("t", "5"));
        let arrays = column(Ty::I16Array, [V::from(vec![1i16, 2]), V::Null].iter());
        let arrays = arrays.as_any().downcast_ref::<ListArray>().unwrap();
        assert_eq!((arrays.value(0).len(), arrays.is_null(1)), (2, true));
    }
}
