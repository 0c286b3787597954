//! Arrow batches → COPY TO STDOUT data, one CopyData payload per row as PostgreSQL sends.
//!
//! Text values come from the types' output functions ([`ValueFormatter`]) and are then
//! escaped for the format: backslash escapes in text, quoting in CSV (when a value holds
//! the delimiter, the quote, a newline, equals the NULL string, or FORCE_QUOTE says so).
//! Binary rows use the same `*_send` encodings as binary result columns.

use super::decode::BINARY_SIGNATURE;
use crate::wire::encode::encode_binary;
use datafusion::arrow::array::{Array, RecordBatch};
use quiverdb_catalog::format::ValueFormatter;
use quiverdb_catalog::pgvalue::FormatSettings;
use quiverdb_catalog::{Result, SqlType};
use quiverdb_sql::copy::{CopyFormat, CopyOptions};

/// Encodes the rows of one COPY TO.
pub struct CopyEncoder {
    options: CopyOptions,
    types: Vec<SqlType>,
    settings: FormatSettings,
}

impl CopyEncoder {
    /// An encoder for columns of `types`.
    pub fn new(options: CopyOptions, types: Vec<SqlType>, settings: FormatSettings) -> Self {
        CopyEncoder { options, types, settings }
    }

    /// What precedes the rows: the binary file header, or the header line of column
    /// `names` (text and CSV with HEADER).
    pub fn header(&self, names: &[String]) -> Option<Vec<u8>> {
        match self.options.format {
            CopyFormat::Binary => {
                let mut out = BINARY_SIGNATURE.to_vec();
                out.extend_from_slice(&0u32.to_be_bytes());
                out.extend_from_slice(&0u32.to_be_bytes());
                Some(out)
            }
            _ if !self.options.header => None,
            format => {
                let mut line = String::new();
                for (i, name) in names.iter().enumerate() {
                    if i > 0 {
                        line.push(self.options.delimiter);
                    }
                    match format {
                        CopyFormat::Csv => self.csv_value(&mut line, name, false),
                        _ => self.text_value(&mut line, name),
                    }
                }
                line.push('\n');
                Some(line.into_bytes())
            }
        }
    }

    /// What follows the rows (the binary trailer).
    pub fn trailer(&self) -> Option<Vec<u8>> {
        (self.options.format == CopyFormat::Binary).then(|| (-1i16).to_be_bytes().to_vec())
    }

    /// Every row of `batch`, encoded.
    pub fn rows(&self, batch: &RecordBatch) -> Result<Vec<Vec<u8>>> {
        if self.options.format == CopyFormat::Binary {
            return self.binary_rows(batch);
        }
        let formatters: Vec<ValueFormatter> = (0..batch.num_columns())
            .map(|c| ValueFormatter::new(batch.column(c).as_ref(), &self.types[c], &self.settings))
            .collect::<Result<_>>()?;
        let csv = self.options.format == CopyFormat::Csv;
        let mut rows = Vec::with_capacity(batch.num_rows());
        let mut value = String::new();
        for r in 0..batch.num_rows() {
            let mut line = String::new();
            for (c, f) in formatters.iter().enumerate() {
                if c > 0 {
                    line.push(self.options.delimiter);
                }
                if batch.column(c).is_null(r) {
                    line.push_str(&self.options.null);
                    continue;
                }
                value.clear();
                f.write(r, &mut value)?;
                if csv {
                    self.csv_value(&mut line, &value, self.options.force_quote.get(c).copied().unwrap_or(false));
                } else {
                    self.text_value(&mut line, &value);
                }
            }
            line.push('\n');
            rows.push(line.into_bytes());
        }
        Ok(rows)
    }

    fn binary_rows(&self, batch: &RecordBatch) -> Result<Vec<Vec<u8>>> {
        let mut rows = Vec::with_capacity(batch.num_rows());
        let mut value = Vec::new();
        for r in 0..batch.num_rows() {
            let mut out = Vec::with_capacity(2 + batch.num_columns() * 8);
            out.extend_from_slice(&(batch.num_columns() as i16).to_be_bytes());
            for c in 0..batch.num_columns() {
                let col = batch.column(c);
                if col.is_null(r) {
                    out.extend_from_slice(&(-1i32).to_be_bytes());
                    continue;
                }
                value.clear();
                encode_binary(col, r, &self.types[c], &mut value)?;
                out.extend_from_slice(&(value.len() as i32).to_be_bytes());
                out.extend_from_slice(&value);
            }
            rows.push(out);
        }
        Ok(rows)
    }

    /// Appends `value` with text-format escapes.
    fn text_value(&self, out: &mut String, value: &str) {
        let delim = self.options.delimiter;
        for ch in value.chars() {
            match ch {
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                '\u{b}' => out.push_str("\\v"),
                c if c == delim => {
                    out.push('\\');
                    out.push(c);
                }
                c => out.push(c),
            }
        }
    }

    /// Appends `value` as a CSV field, quoted when needed (or `force`d).
    fn csv_value(&self, out: &mut String, value: &str, force: bool) {
        let (quote, escape, delim) = (self.options.quote, self.options.escape, self.options.delimiter);
        let needs_quotes = force
            || value == self.options.null
            || value == "\\."
            || value.chars().any(|c| c == delim || c == quote || c == '\n' || c == '\r');
        if !needs_quotes {
            out.push_str(value);
            return;
        }
        out.push(quote);
        for c in value.chars() {
            if c == quote || c == escape {
                out.push(escape);
            }
            out.push(c);
        }
        out.push(quote);
    }
}
