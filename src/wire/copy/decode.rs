//! COPY FROM STDIN data → Arrow batches, in PostgreSQL's text, CSV and binary formats.
//!
//! CopyData messages split the data anywhere, so [`CopyDecoder::push`] appends to a buffer
//! and decodes every complete record in it, keeping the rest for the next message; a
//! record is complete at an unescaped newline (text), a newline outside quotes (CSV), or
//! once all its length-prefixed fields arrived (binary). Values go through the column
//! types' input functions ([`decode_text`] / [`decode_binary`]), so `COPY` accepts exactly
//! what a literal of the type accepts, and errors carry PostgreSQL's CONTEXT line:
//! `COPY t, line 3, column a: "x"`. Records count as lines, the header included.

use crate::functions::json::json_error;
use crate::functions::jsonvalue::{parse_jsonb, validate_json};
use datafusion::arrow::array::{ArrayRef, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{Schema, SchemaRef};
use datafusion::scalar::ScalarValue;
use quiverdb_catalog::input::{decode_binary, decode_text};
use quiverdb_catalog::pgvalue::FormatSettings;
use quiverdb_catalog::{Error, ErrorCode, Result, SqlType};
use quiverdb_sql::copy::{CopyColumn, CopyFormat, CopyFromPlan, CopyOptions};
use std::sync::Arc;

/// Rows per decoded batch.
const BATCH_ROWS: usize = 8192;

/// The binary format's signature.
pub const BINARY_SIGNATURE: &[u8; 11] = b"PGCOPY\n\xff\r\n\0";

/// Decodes one COPY FROM STDIN stream.
pub struct CopyDecoder {
    options: CopyOptions,
    table: String,
    columns: Vec<CopyColumn>,
    settings: FormatSettings,
    schema: SchemaRef,
    /// Bytes not decoded yet (an incomplete record).
    buf: Vec<u8>,
    /// Records read so far (the current record's line number once it is counted).
    line: u64,
    header_pending: bool,
    /// Binary: the file header still has to be read.
    binary_header_pending: bool,
    /// The end-of-data marker (`\.` or the binary trailer) was seen.
    ended: bool,
    values: Vec<Vec<ScalarValue>>,
    batches: Vec<RecordBatch>,
}

impl CopyDecoder {
    /// A decoder for `plan`'s columns and options.
    pub fn new(plan: &CopyFromPlan, settings: FormatSettings) -> Self {
        let fields: Vec<_> = plan.columns.iter().map(|c| c.ty.to_field(&c.name, true)).collect();
        CopyDecoder {
            header_pending: plan.options.header,
            binary_header_pending: plan.options.format == CopyFormat::Binary,
            options: plan.options.clone(),
            table: plan.table.name.clone(),
            columns: plan.columns.clone(),
            settings,
            schema: Arc::new(Schema::new(fields)),
            buf: Vec::new(),
            line: 0,
            ended: false,
            values: vec![Vec::new(); plan.columns.len()],
            batches: Vec::new(),
        }
    }

    /// Decodes the complete records of `data` (after what earlier calls left over).
    pub fn push(&mut self, data: &[u8]) -> Result<()> {
        if self.ended {
            return Ok(());
        }
        self.buf.extend_from_slice(data);
        self.decode(false)
    }

    /// Decodes what is left at the end of the data and returns every row.
    pub fn finish(mut self) -> Result<(SchemaRef, Vec<RecordBatch>)> {
        if !self.ended {
            self.decode(true)?;
        }
        self.flush()?;
        Ok((self.schema, self.batches))
    }

    fn decode(&mut self, last: bool) -> Result<()> {
        // The buffer leaves `self` while records borrow it.
        let buf = std::mem::take(&mut self.buf);
        let mut pos = 0;
        let result = loop {
            if self.ended || pos >= buf.len() {
                break Ok(());
            }
            let step = match self.options.format {
                CopyFormat::Text => self.text_record(&buf, pos, last),
                CopyFormat::Csv => self.csv_record(&buf, pos, last),
                CopyFormat::Binary => self.binary_record(&buf, pos, last),
            };
            match step {
                Ok(Some(next)) => pos = next,
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        self.buf = buf;
        self.buf.drain(..pos);
        if result.is_ok() && last && !self.buf.is_empty() && !self.ended {
            return Err(Error::new(ErrorCode::BadCopyFileFormat, "unexpected EOF in COPY data").with_context(self.context_line()));
        }
        result
    }

    fn context_line(&self) -> String {
        format!("COPY {}, line {}", self.table, self.line)
    }

    /// `COPY t, line n: "record"` for errors about a whole record.
    fn record_error(&self, code: ErrorCode, message: impl Into<String>, record: &[u8]) -> Error {
        let text = String::from_utf8_lossy(record);
        Error::new(code, message).with_context(format!("{}: \"{}\"", self.context_line(), text.trim_end_matches(['\r', '\n'])))
    }

    /// Whether `record` (without its newline) is the end-of-data marker `\.`.
    fn is_end_marker(record: &[u8]) -> bool {
        record == b"\\." || record == b"\\.\r"
    }

    /// Decodes the text-format record at `pos`; `None` while its newline has not arrived.
    fn text_record(&mut self, buf: &[u8], pos: usize, last: bool) -> Result<Option<usize>> {
        let rest = &buf[pos..];
        let (len, next) = match memchr(b'\n', rest) {
            Some(nl) => (nl, pos + nl + 1),
            None if last => (rest.len(), buf.len()),
            None => return Ok(None),
        };
        let mut record = &buf[pos..pos + len];
        if record.last() == Some(&b'\r') {
            record = &record[..record.len() - 1];
        }
        if Self::is_end_marker(record) {
            self.ended = true;
            return Ok(Some(next));
        }
        self.line += 1;
        if std::mem::take(&mut self.header_pending) {
            return Ok(Some(next));
        }
        let fields = self.split_text(record)?;
        self.add_row(fields, record)?;
        Ok(Some(next))
    }

    /// Splits a text-format record at unescaped delimiters, matching the NULL string
    /// against the raw field and de-escaping the others.
    fn split_text(&self, record: &[u8]) -> Result<Vec<Option<String>>> {
        let delim = self.options.delimiter as u8;
        let null = self.options.null.as_bytes();
        let mut fields = Vec::with_capacity(self.columns.len());
        let mut start = 0;
        let mut i = 0;
        loop {
            if i == record.len() || record[i] == delim {
                let raw = &record[start..i];
                let value = if raw == null { None } else { Some(self.unescape(raw, record)?) };
                fields.push(value);
                if i == record.len() {
                    break;
                }
                i += 1;
                start = i;
                continue;
            }
            i += if record[i] == b'\\' { 2 } else { 1 };
            i = i.min(record.len());
        }
        Ok(fields)
    }

    /// A text-format field with its backslash escapes resolved.
    fn unescape(&self, raw: &[u8], record: &[u8]) -> Result<String> {
        if !raw.contains(&b'\\') {
            return self.utf8(raw.to_vec(), record);
        }
        let mut out = Vec::with_capacity(raw.len());
        let mut i = 0;
        while i < raw.len() {
            let c = raw[i];
            i += 1;
            if c != b'\\' || i == raw.len() {
                out.push(c);
                continue;
            }
            let e = raw[i];
            i += 1;
            match e {
                b'b' => out.push(8),
                b'f' => out.push(12),
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b't' => out.push(b'\t'),
                b'v' => out.push(11),
                b'0'..=b'7' => {
                    let mut v = (e - b'0') as u32;
                    for _ in 0..2 {
                        match raw.get(i) {
                            Some(d @ b'0'..=b'7') => {
                                v = v * 8 + (d - b'0') as u32;
                                i += 1;
                            }
                            _ => break,
                        }
                    }
                    out.push((v & 0xff) as u8);
                }
                b'x' if raw.get(i).is_some_and(u8::is_ascii_hexdigit) => {
                    let mut v = 0u32;
                    for _ in 0..2 {
                        match raw.get(i).and_then(|d| (*d as char).to_digit(16)) {
                            Some(d) => {
                                v = v * 16 + d;
                                i += 1;
                            }
                            None => break,
                        }
                    }
                    out.push(v as u8);
                }
                other => out.push(other),
            }
        }
        self.utf8(out, record)
    }

    fn utf8(&self, bytes: Vec<u8>, record: &[u8]) -> Result<String> {
        String::from_utf8(bytes)
            .map_err(|_| self.record_error(ErrorCode::CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\"", record))
    }

    /// Decodes the CSV record at `pos`; `None` while it is incomplete.
    fn csv_record(&mut self, buf: &[u8], pos: usize, last: bool) -> Result<Option<usize>> {
        let (delim, quote, escape) = (self.options.delimiter as u8, self.options.quote as u8, self.options.escape as u8);
        // The end marker is a line holding only `\.`.
        if let Some(nl) = memchr(b'\n', &buf[pos..]) {
            if Self::is_end_marker(&buf[pos..pos + nl]) {
                self.ended = true;
                return Ok(Some(pos + nl + 1));
            }
        } else if last && Self::is_end_marker(&buf[pos..]) {
            self.ended = true;
            return Ok(Some(buf.len()));
        }
        // (field bytes, quoted) per field.
        let mut fields: Vec<(Vec<u8>, bool)> = Vec::with_capacity(self.columns.len());
        let mut cur = Vec::new();
        let mut quoted = false;
        let mut in_quotes = false;
        let mut i = pos;
        let end = loop {
            let Some(&c) = buf.get(i) else {
                if !last {
                    return Ok(None);
                }
                if in_quotes {
                    self.line += 1;
                    return Err(self.record_error(ErrorCode::BadCopyFileFormat, "unterminated CSV quoted field", &buf[pos..]));
                }
                fields.push((std::mem::take(&mut cur), quoted));
                break buf.len();
            };
            if in_quotes {
                if c == escape && buf.get(i + 1).is_some_and(|n| *n == quote || (escape != quote && *n == escape)) {
                    cur.push(buf[i + 1]);
                    i += 2;
                } else if c == escape && escape == quote && i + 1 == buf.len() && !last {
                    // A quote at the end of the data so far: doubled or closing?
                    return Ok(None);
                } else if c == quote {
                    in_quotes = false;
                    i += 1;
                } else {
                    cur.push(c);
                    i += 1;
                }
                continue;
            }
            if c == delim {
                fields.push((std::mem::take(&mut cur), quoted));
                quoted = false;
                i += 1;
            } else if c == b'\n' {
                if cur.last() == Some(&b'\r') && !quoted {
                    cur.pop();
                }
                fields.push((std::mem::take(&mut cur), quoted));
                break i + 1;
            } else if c == quote {
                in_quotes = true;
                quoted = true;
                i += 1;
            } else {
                cur.push(c);
                i += 1;
            }
        };
        self.line += 1;
        if std::mem::take(&mut self.header_pending) {
            return Ok(Some(end));
        }
        let record = &buf[pos..end];
        let null = self.options.null.as_bytes();
        let mut raw = Vec::with_capacity(fields.len());
        for (k, (bytes, quoted)) in fields.into_iter().enumerate() {
            let force_not_null = self.options.force_not_null.get(k).copied().unwrap_or(false);
            let force_null = self.options.force_null.get(k).copied().unwrap_or(false);
            let is_null = bytes == null && if quoted { force_null } else { !force_not_null };
            let value = if is_null { None } else { Some(self.utf8(bytes, record)?) };
            raw.push(value);
        }
        self.add_row(raw, record)?;
        Ok(Some(end))
    }

    /// Decodes the binary-format header or tuple at `pos`; `None` while incomplete.
    fn binary_record(&mut self, buf: &[u8], pos: usize, last: bool) -> Result<Option<usize>> {
        let buf = &buf[pos..];
        let bad = |m: &str| Error::new(ErrorCode::BadCopyFileFormat, m.to_string());
        if self.binary_header_pending {
            if buf.len() < 19 {
                return if last { Err(bad("COPY file signature not recognized")) } else { Ok(None) };
            }
            if &buf[..11] != BINARY_SIGNATURE {
                return Err(bad("COPY file signature not recognized"));
            }
            // Bit 16 announces OIDs; bits 0-15 are critical flags we do not know.
            let flags = u32::from_be_bytes([buf[11], buf[12], buf[13], buf[14]]);
            if flags & (1 << 16) != 0 {
                return Err(bad("invalid COPY file header (WITH OIDS)"));
            }
            if flags & 0xffff != 0 {
                return Err(bad("unrecognized critical flags in COPY file header"));
            }
            let ext = u32::from_be_bytes([buf[15], buf[16], buf[17], buf[18]]) as usize;
            if buf.len() < 19 + ext {
                return Ok(None);
            }
            self.binary_header_pending = false;
            return Ok(Some(pos + 19 + ext));
        }
        if buf.len() < 2 {
            return Ok(None);
        }
        let count = i16::from_be_bytes([buf[0], buf[1]]);
        if count == -1 {
            self.ended = true;
            return Ok(Some(pos + 2));
        }
        let mut at = 2;
        let mut fields: Vec<Option<&[u8]>> = Vec::with_capacity(count.max(0) as usize);
        for _ in 0..count.max(0) {
            let Some(len) = buf.get(at..at + 4) else { return Ok(None) };
            let len = i32::from_be_bytes([len[0], len[1], len[2], len[3]]);
            at += 4;
            if len < 0 {
                fields.push(None);
                continue;
            }
            let Some(bytes) = buf.get(at..at + len as usize) else { return Ok(None) };
            fields.push(Some(bytes));
            at += len as usize;
        }
        self.line += 1;
        if count as usize != self.columns.len() {
            return Err(bad(&format!("row field count is {count}, expected {}", self.columns.len())).with_context(self.context_line()));
        }
        let mut row = Vec::with_capacity(fields.len());
        for (k, f) in fields.iter().enumerate() {
            let ty = &self.columns[k].ty;
            row.push(match f {
                None => null_of(ty)?,
                Some(b) => binary_value(b, ty, &self.settings)
                    .map_err(|e| e.with_context(format!("{}, column {}", self.context_line(), self.columns[k].name)))?,
            });
        }
        self.push_row(row)?;
        Ok(Some(pos + at))
    }

    /// Converts a text or CSV record's fields (`None`: NULL) and adds the row.
    fn add_row(&mut self, fields: Vec<Option<String>>, record: &[u8]) -> Result<()> {
        if fields.len() > self.columns.len() {
            return Err(self.record_error(ErrorCode::BadCopyFileFormat, "extra data after last expected column", record));
        }
        if fields.len() < self.columns.len() {
            let missing = &self.columns[fields.len()].name;
            return Err(self.record_error(ErrorCode::BadCopyFileFormat, format!("missing data for column \"{missing}\""), record));
        }
        let mut row = Vec::with_capacity(fields.len());
        for (k, f) in fields.into_iter().enumerate() {
            let ty = &self.columns[k].ty;
            row.push(match f {
                None => null_of(ty)?,
                Some(s) => text_value(&s, ty, &self.settings)
                    .map_err(|e| e.with_context(format!("{}, column {}: \"{s}\"", self.context_line(), self.columns[k].name)))?,
            });
        }
        self.push_row(row)
    }

    fn push_row(&mut self, row: Vec<ScalarValue>) -> Result<()> {
        for (k, v) in row.into_iter().enumerate() {
            self.values[k].push(v);
        }
        if self.values.first().is_some_and(|v| v.len() >= BATCH_ROWS) {
            self.flush()?;
        }
        Ok(())
    }

    /// Moves the buffered rows into a batch.
    fn flush(&mut self) -> Result<()> {
        let rows = self.values.first().map_or(0, Vec::len);
        if rows == 0 {
            return Ok(());
        }
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(self.values.len());
        for (k, values) in self.values.iter_mut().enumerate() {
            let array = ScalarValue::iter_to_array(values.drain(..))?;
            let want = self.schema.field(k).data_type();
            arrays.push(if array.data_type() == want { array } else { cast(&array, want).map_err(arrow_error)? });
        }
        self.batches.push(RecordBatch::try_new(self.schema.clone(), arrays).map_err(arrow_error)?);
        Ok(())
    }
}

fn arrow_error(e: datafusion::arrow::error::ArrowError) -> Error {
    Error::internal(format!("COPY data conversion failed: {e}"))
}

/// `ty`'s input function applied to `s`; json is validated and jsonb normalized here (their
/// input functions live with the json operators).
fn text_value(s: &str, ty: &SqlType, settings: &FormatSettings) -> Result<ScalarValue> {
    let json = |e| Error::from(json_error(e));
    match ty {
        SqlType::Json => {
            validate_json(s).map_err(json)?;
            Ok(ScalarValue::Utf8(Some(s.to_string())))
        }
        SqlType::Jsonb => Ok(ScalarValue::Utf8(Some(parse_jsonb(s).map_err(json)?.to_jsonb_text()))),
        _ => decode_text(s, ty, settings),
    }
}

/// `ty`'s binary input function applied to `b` (json and jsonb checked as in text).
fn binary_value(b: &[u8], ty: &SqlType, settings: &FormatSettings) -> Result<ScalarValue> {
    match decode_binary(b, ty)? {
        ScalarValue::Utf8(Some(s)) if matches!(ty, SqlType::Json | SqlType::Jsonb) => text_value(&s, ty, settings),
        v => Ok(v),
    }
}

/// A NULL of `ty`'s Arrow type.
fn null_of(ty: &SqlType) -> Result<ScalarValue> {
    Ok(ScalarValue::try_from(ty.to_arrow())?)
}

/// The position of `needle` in `haystack`.
fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|b| *b == needle)
}
