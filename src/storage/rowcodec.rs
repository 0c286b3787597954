//! The row codec: how a table row is stored as a RocksDB value.
//!
//! Designed so a scan can pull any column of a row in O(1) and append it straight into an
//! Arrow builder, without parsing the other columns. Every column has a *slot*: its attnum
//! minus one. Slot widths are fixed by the column type (dropped columns keep theirs), so
//! the byte offset of a slot in the fixed area is known from the catalog alone.
//!
//! ```text
//! +---------+-----------+---------------------------+-----------------+---------------+
//! | version | n: u16 LE | fixed area: slots 0..n    | null bitmap     | var area      |
//! | 0x01    |           | (width per type, below)   | ceil(n/8) bytes | (bytes)       |
//! +---------+-----------+---------------------------+-----------------+---------------+
//! ```
//!
//! * `n` is the number of slots when the row was written. Columns added later (slot ≥ n)
//!   read as the column's `missing` value (the ADD COLUMN default) or NULL.
//! * Fixed widths (little-endian): bool 1; int2 2; int4, float4, date, oid 4; int8, float8,
//!   time, timestamp, timestamptz 8; numeric (i128 unscaled) 16; interval 16 (months i32,
//!   days i32, nanoseconds i64); uuid 16 (raw bytes).
//! * Variable-length types (text, varchar, char, json, jsonb, bytea, arrays) have a 4-byte
//!   slot holding the *end* offset of their bytes in the var area; the start is the end of
//!   the previous variable-length slot (0 for the first). NULL slots are zero-filled (var
//!   slots repeat the running end offset), and bit `i` of the bitmap marks slot `i` NULL.
//! * Arrays in the var area: `count: u32 LE`, then per element `0x00` (NULL) or `0x01`
//!   followed by the element's fixed bytes, or `len: u32 LE` + bytes for variable types.

use crate::storage::error::StorageError;
use crate::storage::keycode::parse_uuid_text;
use datafusion::arrow::array::{
    Array, ArrayBuilder, ArrayRef, BinaryArray, BinaryBuilder, BooleanArray, BooleanBuilder, Date32Array, Date32Builder, Decimal128Array,
    Decimal128Builder, Float32Array, Float32Builder, Float64Array, Float64Builder, Int16Array, Int16Builder, Int32Array, Int32Builder,
    Int64Array, Int64Builder, IntervalMonthDayNanoArray, IntervalMonthDayNanoBuilder, ListArray, ListBuilder, StringArray, StringBuilder,
    Time64MicrosecondArray, Time64MicrosecondBuilder, TimestampMicrosecondArray, TimestampMicrosecondBuilder, UInt32Array, UInt32Builder,
};
use datafusion::arrow::datatypes::{Field, IntervalMonthDayNano};
use quiverdb_catalog::{SqlType, TableDef};
use std::fmt::Write as _;
use std::sync::Arc;

/// Current row format version.
const VERSION: u8 = 1;
/// Bytes before the fixed area.
const HEADER: usize = 3;

/// Width of a type's slot in the fixed area, and whether its bytes live in the var area.
fn slot_width(ty: &SqlType) -> (usize, bool) {
    match ty {
        SqlType::Bool => (1, false),
        SqlType::Int2 => (2, false),
        SqlType::Int4 | SqlType::Float4 | SqlType::Date | SqlType::Oid => (4, false),
        SqlType::Int8 | SqlType::Float8 | SqlType::Time | SqlType::Timestamp | SqlType::Timestamptz => (8, false),
        SqlType::Numeric { .. } | SqlType::Interval | SqlType::Uuid => (16, false),
        SqlType::Text
        | SqlType::Varchar(_)
        | SqlType::Char(_)
        | SqlType::Json
        | SqlType::Jsonb
        | SqlType::Bytea
        | SqlType::Array(_)
        | SqlType::Vector(_) => (4, true),
    }
}

/// Where every slot of a table lives; computed once per table definition.
#[derive(Debug, Clone)]
pub struct RowLayout {
    types: Vec<SqlType>,
    /// `offsets[i]`: start of slot i in the fixed area; `offsets[n]`: fixed area size.
    offsets: Vec<usize>,
    var: Vec<bool>,
    /// For variable slots: the previous variable slot.
    prev_var: Vec<Option<usize>>,
    /// Encoded value (or NULL) for slots missing from older rows.
    missing: Vec<Option<Vec<u8>>>,
    dropped: Vec<bool>,
}

impl RowLayout {
    /// The layout of `table`'s rows.
    pub fn new(table: &TableDef) -> Self {
        let n = table.columns.iter().map(|c| c.attnum as usize).max().unwrap_or(0);
        let mut types = vec![SqlType::Int4; n];
        let mut missing = vec![None; n];
        let mut dropped = vec![true; n];
        for c in &table.columns {
            let i = c.attnum as usize - 1;
            types[i] = c.ty.clone();
            missing[i] = c.missing.clone();
            dropped[i] = c.dropped;
        }
        let mut offsets = Vec::with_capacity(n + 1);
        let mut var = Vec::with_capacity(n);
        let mut prev_var = Vec::with_capacity(n);
        let mut at = 0;
        let mut last_var = None;
        for (i, ty) in types.iter().enumerate() {
            let (w, is_var) = slot_width(ty);
            offsets.push(at);
            at += w;
            var.push(is_var);
            prev_var.push(if is_var { last_var } else { None });
            if is_var {
                last_var = Some(i);
            }
        }
        offsets.push(at);
        RowLayout { types, offsets, var, prev_var, missing, dropped }
    }

    /// Number of slots.
    pub fn slots(&self) -> usize {
        self.types.len()
    }

    /// Encodes row `row` of `columns` (one array per slot; `None` for dropped slots).
    pub fn encode(&self, columns: &[Option<&ArrayRef>], row: usize, out: &mut Vec<u8>) -> Result<(), StorageError> {
        let n = self.slots();
        if columns.len() != n {
            return Err(StorageError::Internal(format!("row has {} columns, layout has {n} slots", columns.len())));
        }
        out.clear();
        out.push(VERSION);
        out.extend_from_slice(&(n as u16).to_le_bytes());
        let fixed_start = out.len();
        out.resize(fixed_start + self.offsets[n] + n.div_ceil(8), 0);
        let bitmap_start = fixed_start + self.offsets[n];
        let mut var_data: Vec<u8> = Vec::new();
        for i in 0..n {
            let at = fixed_start + self.offsets[i];
            let value = match columns[i] {
                Some(a) if !a.is_null(row) => a,
                _ => {
                    out[bitmap_start + i / 8] |= 1 << (i % 8);
                    if self.var[i] {
                        out[at..at + 4].copy_from_slice(&(var_data.len() as u32).to_le_bytes());
                    }
                    continue;
                }
            };
            if self.var[i] {
                put_var(&self.types[i], value, row, &mut var_data)?;
                out[at..at + 4].copy_from_slice(&(var_data.len() as u32).to_le_bytes());
            } else {
                put_fixed(&self.types[i], value, row, &mut out[at..at + self.offsets[i + 1] - self.offsets[i]])?;
            }
        }
        out.extend_from_slice(&var_data);
        Ok(())
    }

    /// The raw bytes of slot `i` in `row` (`None` when NULL), honouring missing slots.
    fn slot<'a>(&'a self, row: &'a [u8], i: usize) -> Result<Option<&'a [u8]>, StorageError> {
        if row.len() < HEADER || row[0] != VERSION {
            return Err(StorageError::Corrupt("unknown row format".into()));
        }
        let n = u16::from_le_bytes([row[1], row[2]]) as usize;
        if i >= n {
            return Ok(self.missing.get(i).and_then(|m| m.as_deref()));
        }
        let fixed_end = HEADER + self.offsets[n];
        let bitmap = row.get(fixed_end..fixed_end + n.div_ceil(8)).ok_or_else(corrupt)?;
        if bitmap[i / 8] & (1 << (i % 8)) != 0 {
            return Ok(None);
        }
        let at = HEADER + self.offsets[i];
        if !self.var[i] {
            let end = HEADER + self.offsets[i + 1];
            return row.get(at..end).map(Some).ok_or_else(corrupt);
        }
        let var_start = fixed_end + n.div_ceil(8);
        let end = read_u32(row, at)? as usize;
        let start = match self.prev_var[i] {
            Some(p) => read_u32(row, HEADER + self.offsets[p])? as usize,
            None => 0,
        };
        row.get(var_start + start..var_start + end).map(Some).ok_or_else(corrupt)
    }

    /// True when slot `i` belongs to a dropped column.
    pub fn is_dropped(&self, i: usize) -> bool {
        self.dropped.get(i).copied().unwrap_or(true)
    }

    /// Encodes a single value as a `missing` value for slot `i` (ADD COLUMN ... DEFAULT).
    pub fn encode_single(ty: &SqlType, array: &ArrayRef, row: usize) -> Result<Option<Vec<u8>>, StorageError> {
        if array.is_null(row) {
            return Ok(None);
        }
        let (w, is_var) = slot_width(ty);
        let mut out = Vec::new();
        if is_var {
            put_var(ty, array, row, &mut out)?;
        } else {
            out.resize(w, 0);
            put_fixed(ty, array, row, &mut out)?;
        }
        Ok(Some(out))
    }
}

fn corrupt() -> StorageError {
    StorageError::Corrupt("row value is truncated".into())
}

fn read_u32(row: &[u8], at: usize) -> Result<u32, StorageError> {
    let b = row.get(at..at + 4).ok_or_else(corrupt)?;
    Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn cast<T: 'static>(a: &ArrayRef) -> Result<&T, StorageError> {
    a.as_any().downcast_ref::<T>().ok_or_else(|| StorageError::Internal(format!("unexpected array type {}", a.data_type())))
}

/// Writes the fixed-width bytes of `a[row]` into `out` (exactly the slot width).
fn put_fixed(ty: &SqlType, a: &ArrayRef, row: usize, out: &mut [u8]) -> Result<(), StorageError> {
    match ty {
        SqlType::Bool => out[0] = cast::<BooleanArray>(a)?.value(row) as u8,
        SqlType::Int2 => out.copy_from_slice(&cast::<Int16Array>(a)?.value(row).to_le_bytes()),
        SqlType::Int4 => out.copy_from_slice(&cast::<Int32Array>(a)?.value(row).to_le_bytes()),
        SqlType::Oid => out.copy_from_slice(&cast::<UInt32Array>(a)?.value(row).to_le_bytes()),
        SqlType::Float4 => out.copy_from_slice(&cast::<Float32Array>(a)?.value(row).to_le_bytes()),
        SqlType::Date => out.copy_from_slice(&cast::<Date32Array>(a)?.value(row).to_le_bytes()),
        SqlType::Int8 => out.copy_from_slice(&cast::<Int64Array>(a)?.value(row).to_le_bytes()),
        SqlType::Float8 => out.copy_from_slice(&cast::<Float64Array>(a)?.value(row).to_le_bytes()),
        SqlType::Time => out.copy_from_slice(&cast::<Time64MicrosecondArray>(a)?.value(row).to_le_bytes()),
        SqlType::Timestamp | SqlType::Timestamptz => out.copy_from_slice(&cast::<TimestampMicrosecondArray>(a)?.value(row).to_le_bytes()),
        SqlType::Numeric { .. } => out.copy_from_slice(&cast::<Decimal128Array>(a)?.value(row).to_le_bytes()),
        SqlType::Interval => {
            let v = cast::<IntervalMonthDayNanoArray>(a)?.value(row);
            out[0..4].copy_from_slice(&v.months.to_le_bytes());
            out[4..8].copy_from_slice(&v.days.to_le_bytes());
            out[8..16].copy_from_slice(&v.nanoseconds.to_le_bytes());
        }
        SqlType::Uuid => out.copy_from_slice(&parse_uuid_text(cast::<StringArray>(a)?.value(row))?),
        _ => return Err(StorageError::Internal(format!("{ty} is not fixed-width"))),
    }
    Ok(())
}

/// Appends the var-area bytes of `a[row]`.
fn put_var(ty: &SqlType, a: &ArrayRef, row: usize, out: &mut Vec<u8>) -> Result<(), StorageError> {
    match ty {
        SqlType::Bytea => out.extend_from_slice(cast::<BinaryArray>(a)?.value(row)),
        SqlType::Array(elem) | SqlType::Vector(elem) => {
            let list = cast::<ListArray>(a)?;
            let values = list.value(row);
            out.extend_from_slice(&(values.len() as u32).to_le_bytes());
            let (w, is_var) = slot_width(elem);
            let mut scratch = vec![0u8; w];
            for j in 0..values.len() {
                if values.is_null(j) {
                    out.push(0);
                    continue;
                }
                out.push(1);
                if is_var {
                    let mut bytes = Vec::new();
                    put_var(elem, &values, j, &mut bytes)?;
                    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
                    out.extend_from_slice(&bytes);
                } else {
                    put_fixed(elem, &values, j, &mut scratch)?;
                    out.extend_from_slice(&scratch);
                }
            }
        }
        _ => out.extend_from_slice(cast::<StringArray>(a)?.value(row).as_bytes()),
    }
    Ok(())
}

/// A builder for one output column of a scan.
enum ColumnBuilder {
    Bool(BooleanBuilder),
    I16(Int16Builder),
    I32(Int32Builder),
    I64(Int64Builder),
    U32(UInt32Builder),
    F32(Float32Builder),
    F64(Float64Builder),
    Decimal(Decimal128Builder),
    Date(Date32Builder),
    Time(Time64MicrosecondBuilder),
    Timestamp(TimestampMicrosecondBuilder),
    Interval(IntervalMonthDayNanoBuilder),
    Str(StringBuilder),
    Uuid(StringBuilder),
    Binary(BinaryBuilder),
    List(ListBuilder<Box<dyn ArrayBuilder>>, SqlType),
}

impl ColumnBuilder {
    fn new(ty: &SqlType, capacity: usize) -> Self {
        match ty {
            SqlType::Bool => ColumnBuilder::Bool(BooleanBuilder::with_capacity(capacity)),
            SqlType::Int2 => ColumnBuilder::I16(Int16Builder::with_capacity(capacity)),
            SqlType::Int4 => ColumnBuilder::I32(Int32Builder::with_capacity(capacity)),
            SqlType::Int8 => ColumnBuilder::I64(Int64Builder::with_capacity(capacity)),
            SqlType::Oid => ColumnBuilder::U32(UInt32Builder::with_capacity(capacity)),
            SqlType::Float4 => ColumnBuilder::F32(Float32Builder::with_capacity(capacity)),
            SqlType::Float8 => ColumnBuilder::F64(Float64Builder::with_capacity(capacity)),
            SqlType::Numeric { .. } => {
                let dt = ty.to_arrow();
                ColumnBuilder::Decimal(Decimal128Builder::with_capacity(capacity).with_data_type(dt))
            }
            SqlType::Date => ColumnBuilder::Date(Date32Builder::with_capacity(capacity)),
            SqlType::Time => ColumnBuilder::Time(Time64MicrosecondBuilder::with_capacity(capacity)),
            SqlType::Timestamp => ColumnBuilder::Timestamp(TimestampMicrosecondBuilder::with_capacity(capacity)),
            SqlType::Timestamptz => ColumnBuilder::Timestamp(
                TimestampMicrosecondBuilder::with_capacity(capacity).with_timezone(quiverdb_catalog::types::UTC_TZ),
            ),
            SqlType::Interval => ColumnBuilder::Interval(IntervalMonthDayNanoBuilder::with_capacity(capacity)),
            SqlType::Uuid => ColumnBuilder::Uuid(StringBuilder::with_capacity(capacity, capacity * 36)),
            SqlType::Bytea => ColumnBuilder::Binary(BinaryBuilder::with_capacity(capacity, capacity * 16)),
            SqlType::Array(elem) | SqlType::Vector(elem) => {
                let inner = datafusion::arrow::array::make_builder(&elem.to_arrow(), capacity);
                let field = Field::new("item", elem.to_arrow(), true).with_metadata(elem.field_metadata());
                ColumnBuilder::List(ListBuilder::new(inner).with_field(Arc::new(field)), (**elem).clone())
            }
            _ => ColumnBuilder::Str(StringBuilder::with_capacity(capacity, capacity * 16)),
        }
    }

    fn append(&mut self, raw: Option<&[u8]>) -> Result<(), StorageError> {
        let Some(b) = raw else {
            self.append_null();
            return Ok(());
        };
        match self {
            ColumnBuilder::Bool(x) => x.append_value(b[0] != 0),
            ColumnBuilder::I16(x) => x.append_value(i16::from_le_bytes(fixed(b)?)),
            ColumnBuilder::I32(x) => x.append_value(i32::from_le_bytes(fixed(b)?)),
            ColumnBuilder::I64(x) => x.append_value(i64::from_le_bytes(fixed(b)?)),
            ColumnBuilder::U32(x) => x.append_value(u32::from_le_bytes(fixed(b)?)),
            ColumnBuilder::F32(x) => x.append_value(f32::from_le_bytes(fixed(b)?)),
            ColumnBuilder::F64(x) => x.append_value(f64::from_le_bytes(fixed(b)?)),
            ColumnBuilder::Decimal(x) => x.append_value(i128::from_le_bytes(fixed(b)?)),
            ColumnBuilder::Date(x) => x.append_value(i32::from_le_bytes(fixed(b)?)),
            ColumnBuilder::Time(x) => x.append_value(i64::from_le_bytes(fixed(b)?)),
            ColumnBuilder::Timestamp(x) => x.append_value(i64::from_le_bytes(fixed(b)?)),
            ColumnBuilder::Interval(x) => {
                let months = i32::from_le_bytes(fixed(&b[0..4])?);
                let days = i32::from_le_bytes(fixed(&b[4..8])?);
                let nanos = i64::from_le_bytes(fixed(&b[8..16])?);
                x.append_value(IntervalMonthDayNano::new(months, days, nanos))
            }
            ColumnBuilder::Str(x) => {
                x.append_value(std::str::from_utf8(b).map_err(|_| StorageError::Corrupt("stored text is not UTF-8".into()))?)
            }
            ColumnBuilder::Uuid(x) => {
                let mut s = String::with_capacity(36);
                for (i, byte) in b.iter().enumerate() {
                    if matches!(i, 4 | 6 | 8 | 10) {
                        s.push('-');
                    }
                    let _ = write!(s, "{byte:02x}");
                }
                x.append_value(s)
            }
            ColumnBuilder::Binary(x) => x.append_value(b),
            ColumnBuilder::List(x, elem) => {
                append_list(x, elem, b)?;
            }
        }
        Ok(())
    }

    fn append_null(&mut self) {
        match self {
            ColumnBuilder::Bool(x) => x.append_null(),
            ColumnBuilder::I16(x) => x.append_null(),
            ColumnBuilder::I32(x) => x.append_null(),
            ColumnBuilder::I64(x) => x.append_null(),
            ColumnBuilder::U32(x) => x.append_null(),
            ColumnBuilder::F32(x) => x.append_null(),
            ColumnBuilder::F64(x) => x.append_null(),
            ColumnBuilder::Decimal(x) => x.append_null(),
            ColumnBuilder::Date(x) => x.append_null(),
            ColumnBuilder::Time(x) => x.append_null(),
            ColumnBuilder::Timestamp(x) => x.append_null(),
            ColumnBuilder::Interval(x) => x.append_null(),
            ColumnBuilder::Str(x) | ColumnBuilder::Uuid(x) => x.append_null(),
            ColumnBuilder::Binary(x) => x.append_null(),
            ColumnBuilder::List(x, _) => x.append_null(),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            ColumnBuilder::Bool(x) => Arc::new(x.finish()),
            ColumnBuilder::I16(x) => Arc::new(x.finish()),
            ColumnBuilder::I32(x) => Arc::new(x.finish()),
            ColumnBuilder::I64(x) => Arc::new(x.finish()),
            ColumnBuilder::U32(x) => Arc::new(x.finish()),
            ColumnBuilder::F32(x) => Arc::new(x.finish()),
            ColumnBuilder::F64(x) => Arc::new(x.finish()),
            ColumnBuilder::Decimal(x) => Arc::new(x.finish()),
            ColumnBuilder::Date(x) => Arc::new(x.finish()),
            ColumnBuilder::Time(x) => Arc::new(x.finish()),
            ColumnBuilder::Timestamp(x) => Arc::new(x.finish()),
            ColumnBuilder::Interval(x) => Arc::new(x.finish()),
            ColumnBuilder::Str(x) | ColumnBuilder::Uuid(x) => Arc::new(x.finish()),
            ColumnBuilder::Binary(x) => Arc::new(x.finish()),
            ColumnBuilder::List(x, _) => Arc::new(x.finish()),
        }
    }
}

fn fixed<const N: usize>(b: &[u8]) -> Result<[u8; N], StorageError> {
    b.get(..N).and_then(|s| s.try_into().ok()).ok_or_else(corrupt)
}

/// Decodes the array encoding `b` into one list entry of `list`.
fn append_list(list: &mut ListBuilder<Box<dyn ArrayBuilder>>, elem: &SqlType, b: &[u8]) -> Result<(), StorageError> {
    let count = read_u32(b, 0)? as usize;
    let (w, is_var) = slot_width(elem);
    let mut at = 4;
    // Decode into a typed builder, then move the values into the list's dynamic builder.
    let mut tmp = ColumnBuilder::new(elem, count);
    for _ in 0..count {
        let tag = *b.get(at).ok_or_else(corrupt)?;
        at += 1;
        if tag == 0 {
            tmp.append(None)?;
            continue;
        }
        if is_var {
            let len = read_u32(b, at)? as usize;
            at += 4;
            tmp.append(Some(b.get(at..at + len).ok_or_else(corrupt)?))?;
            at += len;
        } else {
            tmp.append(Some(b.get(at..at + w).ok_or_else(corrupt)?))?;
            at += w;
        }
    }
    let values = tmp.finish();
    append_dyn(list.values(), &values)?;
    list.append(true);
    Ok(())
}

/// Appends every value of `values` to a dynamically typed builder of the same type.
fn append_dyn(builder: &mut Box<dyn ArrayBuilder>, values: &ArrayRef) -> Result<(), StorageError> {
    macro_rules! copy {
        ($arr:ty, $bld:ty) => {{
            let src = cast::<$arr>(values)?;
            let dst =
                builder.as_any_mut().downcast_mut::<$bld>().ok_or_else(|| StorageError::Internal("list builder type mismatch".into()))?;
            for i in 0..src.len() {
                if src.is_null(i) { dst.append_null() } else { dst.append_value(src.value(i)) }
            }
        }};
    }
    use datafusion::arrow::datatypes::DataType as D;
    match values.data_type() {
        D::Boolean => copy!(BooleanArray, BooleanBuilder),
        D::Int16 => copy!(Int16Array, Int16Builder),
        D::Int32 => copy!(Int32Array, Int32Builder),
        D::Int64 => copy!(Int64Array, Int64Builder),
        D::UInt32 => copy!(UInt32Array, UInt32Builder),
        D::Float32 => copy!(Float32Array, Float32Builder),
        D::Float64 => copy!(Float64Array, Float64Builder),
        D::Decimal128(..) => copy!(Decimal128Array, Decimal128Builder),
        D::Date32 => copy!(Date32Array, Date32Builder),
        D::Time64(_) => copy!(Time64MicrosecondArray, Time64MicrosecondBuilder),
        D::Timestamp(..) => copy!(TimestampMicrosecondArray, TimestampMicrosecondBuilder),
        D::Interval(_) => copy!(IntervalMonthDayNanoArray, IntervalMonthDayNanoBuilder),
        D::Utf8 => copy!(StringArray, StringBuilder),
        D::Binary => copy!(BinaryArray, BinaryBuilder),
        other => {
            return Err(StorageError::Internal(format!("unsupported array element {other}")));
        }
    }
    Ok(())
}

/// Decodes stored rows into Arrow columns for a projection of a table's live columns.
pub struct RowDecoder {
    layout: Arc<RowLayout>,
    /// Slot of each output column.
    slots: Vec<usize>,
    builders: Vec<ColumnBuilder>,
    types: Vec<SqlType>,
    rows: usize,
}

impl RowDecoder {
    /// A decoder producing the columns in `slots` (slot = attnum - 1).
    pub fn new(layout: Arc<RowLayout>, slots: Vec<usize>, capacity: usize) -> Self {
        let types: Vec<SqlType> = slots.iter().map(|&s| layout.types[s].clone()).collect();
        let builders = types.iter().map(|t| ColumnBuilder::new(t, capacity)).collect();
        RowDecoder { layout, slots, builders, types, rows: 0 }
    }

    /// Appends one stored row.
    pub fn push(&mut self, row: &[u8]) -> Result<(), StorageError> {
        for (b, &slot) in self.builders.iter_mut().zip(&self.slots) {
            b.append(self.layout.slot(row, slot)?)?;
        }
        self.rows += 1;
        Ok(())
    }

    /// Number of rows appended since the last [`RowDecoder::finish`].
    pub fn len(&self) -> usize {
        self.rows
    }

    /// True when no rows were appended since the last finish.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Takes the decoded columns and resets the decoder.
    pub fn finish(&mut self) -> Vec<ArrayRef> {
        self.rows = 0;
        let cap = 1024;
        let out = self.builders.iter_mut().map(|b| b.finish()).collect();
        self.builders = self.types.iter().map(|t| ColumnBuilder::new(t, cap)).collect();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quiverdb_catalog::{ColumnDef, RelationKind};

    fn col(attnum: i16, ty: SqlType) -> ColumnDef {
        ColumnDef::new(attnum, format!("c{attnum}"), ty, false, None)
    }

    fn table(columns: Vec<ColumnDef>) -> TableDef {
        TableDef { storage_id: 1, ..TableDef::with_columns(1, 1, 1, "t".into(), RelationKind::Table, columns) }
    }

    #[test]
    fn rows_round_trip_with_nulls_and_var_columns() {
        let t = table(vec![
            col(1, SqlType::Int4),
            col(2, SqlType::Text),
            col(3, SqlType::Float8),
            col(4, SqlType::Bytea),
            col(5, SqlType::Uuid),
            col(6, SqlType::Array(Box::new(SqlType::Text))),
        ]);
        let layout = Arc::new(RowLayout::new(&t));
        let c1: ArrayRef = Arc::new(Int32Array::from(vec![Some(-7), None]));
        let c2: ArrayRef = Arc::new(StringArray::from(vec![Some("héllo"), Some("")]));
        let c3: ArrayRef = Arc::new(Float64Array::from(vec![None, Some(2.5)]));
        let c4: ArrayRef = Arc::new(BinaryArray::from(vec![Some(&b"\x00\x01"[..]), None]));
        let c5: ArrayRef = Arc::new(StringArray::from(vec![Some("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), None]));
        let mut lb = ListBuilder::new(StringBuilder::new());
        lb.values().append_value("x");
        lb.values().append_null();
        lb.append(true);
        lb.append(false);
        let c6: ArrayRef = Arc::new(lb.finish());
        let cols = [Some(&c1), Some(&c2), Some(&c3), Some(&c4), Some(&c5), Some(&c6)];
        let mut dec = RowDecoder::new(layout.clone(), vec![5, 4, 3, 2, 1, 0], 2);
        let mut buf = Vec::new();
        for row in 0..2 {
            layout.encode(&cols, row, &mut buf).unwrap();
            dec.push(&buf).unwrap();
        }
        let out = dec.finish();
        assert_eq!(out[5].as_ref(), c1.as_ref());
        assert_eq!(out[4].as_ref(), c2.as_ref());
        assert_eq!(out[3].as_ref(), c3.as_ref());
        assert_eq!(out[2].as_ref(), c4.as_ref());
        assert_eq!(out[1].as_ref(), c5.as_ref());
        assert_eq!(out[0].len(), 2);
        assert!(out[0].is_null(1));
    }

    #[test]
    fn old_rows_read_added_columns_as_missing_values() {
        let t1 = table(vec![col(1, SqlType::Int4)]);
        let layout1 = RowLayout::new(&t1);
        let c1: ArrayRef = Arc::new(Int32Array::from(vec![Some(1)]));
        let mut buf = Vec::new();
        layout1.encode(&[Some(&c1)], 0, &mut buf).unwrap();

        let default: ArrayRef = Arc::new(StringArray::from(vec![Some("dflt")]));
        let mut added = col(2, SqlType::Text);
        added.missing = RowLayout::encode_single(&SqlType::Text, &default, 0).unwrap();
        let t2 = table(vec![col(1, SqlType::Int4), added, col(3, SqlType::Int8)]);
        let mut dec = RowDecoder::new(Arc::new(RowLayout::new(&t2)), vec![0, 1, 2], 1);
        dec.push(&buf).unwrap();
        let out = dec.finish();
        assert_eq!(out[1].as_ref(), default.as_ref());
        assert!(out[2].is_null(0));
    }

    #[test]
    fn truncated_rows_are_errors_not_panics() {
        let t = table(vec![col(1, SqlType::Int8), col(2, SqlType::Text)]);
        let layout = Arc::new(RowLayout::new(&t));
        let mut dec = RowDecoder::new(layout, vec![0, 1], 1);
        for bad in [&b""[..], &b"\x01"[..], &b"\x01\x02\x00\x00"[..], &b"\x09\x00\x00"[..]] {
            assert!(dec.push(bad).is_err());
        }
    }
}
