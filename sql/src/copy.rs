//! COPY: validated options, the target columns of `COPY t FROM STDIN`, and the query
//! behind `COPY t TO STDOUT` / `COPY (query) TO STDOUT`.
//!
//! Only the client side of the connection is a data source or sink (STDIN / STDOUT, which
//! psql's `\copy` uses too); server-side files and programs are refused with 0A000. The
//! data formats themselves (text, CSV, binary) are the wire layer's business: this module
//! only checks the options the way PostgreSQL 15 does, with its messages.
//!
//! `COPY FROM` loads through the same INSERT plan as SQL ([`crate::dml::insert_copied`]):
//! defaults fill the columns not listed, and constraints and indexes are maintained by
//! the one modify operator.

use crate::context::QuiverContext;
use crate::{Plan, normalize_ident, query};
use datafusion::sql::sqlparser::ast::{
    CopyLegacyCsvOption, CopyLegacyOption, CopyOption, CopySource, CopyTarget, Ident, ObjectName, Statement,
};
use quiverdb_catalog::ident::quote_ident;
use quiverdb_catalog::{Error, ErrorCode, Result, SqlType, TableDef};
use std::sync::Arc;

/// The quote style of the one-column list that stands for `FORCE_QUOTE *` (the parser
/// turns `*` into `(*)` quoted with a character PostgreSQL identifiers never use).
pub const ALL_COLUMNS_QUOTE: char = '`';

/// Whether a FORCE QUOTE column list is the `*` marker.
fn is_all(cols: &[Ident]) -> bool {
    matches!(cols, [c] if c.value == "*" && matches!(c.quote_style, None | Some(ALL_COLUMNS_QUOTE)))
}

/// The data format of a COPY.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyFormat {
    Text,
    Csv,
    Binary,
}

/// COPY options after validation, with PostgreSQL's defaults filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyOptions {
    pub format: CopyFormat,
    /// Field separator (tab for text, comma for CSV; unused in binary).
    pub delimiter: char,
    /// The text that stands for NULL (`\N` for text, empty for CSV).
    pub null: String,
    /// The first line holds column names (skipped on input, written on output).
    pub header: bool,
    /// CSV quote character.
    pub quote: char,
    /// CSV escape character (defaults to the quote).
    pub escape: char,
    /// Per COPY column: always quote non-NULL values (CSV, COPY TO).
    pub force_quote: Vec<bool>,
    /// Per COPY column: an unquoted NULL string is a value, not NULL (CSV, COPY FROM).
    pub force_not_null: Vec<bool>,
    /// Per COPY column: a quoted NULL string is NULL too (CSV, COPY FROM).
    pub force_null: Vec<bool>,
}

/// A column of the COPY data.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyColumn {
    pub name: String,
    pub ty: SqlType,
}

/// `COPY table [(columns)] FROM STDIN`.
#[derive(Debug, Clone)]
pub struct CopyFromPlan {
    pub table: Arc<TableDef>,
    /// Positions (among the live columns) of the columns the data provides, in order.
    pub targets: Vec<usize>,
    /// The data's columns (names and types of `targets`).
    pub columns: Vec<CopyColumn>,
    pub options: CopyOptions,
}

/// Options as written, before defaults and checks.
#[derive(Default)]
struct RawOptions {
    format: Option<CopyFormat>,
    delimiter: Option<char>,
    null: Option<String>,
    header: Option<bool>,
    quote: Option<char>,
    escape: Option<char>,
    /// `None`: not given; `Some(None)`: `*`.
    force_quote: Option<Option<Vec<Ident>>>,
    force_not_null: Option<Vec<Ident>>,
    force_null: Option<Vec<Ident>>,
}

fn redundant() -> Error {
    Error::syntax("conflicting or redundant options")
}

/// Stores `value` in `slot`, refusing a second occurrence.
fn once<T>(slot: &mut Option<T>, value: T) -> Result<()> {
    if slot.is_some() {
        return Err(redundant());
    }
    *slot = Some(value);
    Ok(())
}

impl RawOptions {
    fn collect(options: Vec<CopyOption>, legacy: Vec<CopyLegacyOption>) -> Result<RawOptions> {
        let mut raw = RawOptions::default();
        for o in options {
            match o {
                CopyOption::Format(name) => {
                    let f = match name.value.to_ascii_lowercase().as_str() {
                        "text" => CopyFormat::Text,
                        "csv" => CopyFormat::Csv,
                        "binary" => CopyFormat::Binary,
                        other => {
                            return Err(Error::new(ErrorCode::InvalidParameterValue, format!("COPY format \"{other}\" not recognized")));
                        }
                    };
                    once(&mut raw.format, f)?;
                }
                CopyOption::Freeze(_) => {}
                CopyOption::Delimiter(c) => once(&mut raw.delimiter, c)?,
                CopyOption::Null(s) => once(&mut raw.null, s)?,
                CopyOption::Header(h) => once(&mut raw.header, h)?,
                CopyOption::Quote(c) => once(&mut raw.quote, c)?,
                CopyOption::Escape(c) => once(&mut raw.escape, c)?,
                CopyOption::ForceQuote(cols) => once(&mut raw.force_quote, if is_all(&cols) { None } else { Some(cols) })?,
                CopyOption::ForceNotNull(cols) => once(&mut raw.force_not_null, cols)?,
                CopyOption::ForceNull(cols) => once(&mut raw.force_null, cols)?,
                CopyOption::Encoding(e) => {
                    let e = e.to_ascii_uppercase().replace(['-', '_'], "");
                    if e != "UTF8" && e != "SQLASCII" {
                        return Err(Error::unsupported(format!("COPY encoding \"{e}\" is not supported; the server encoding is UTF8")));
                    }
                }
            }
        }
        for o in legacy {
            match o {
                CopyLegacyOption::Binary => once(&mut raw.format, CopyFormat::Binary)?,
                CopyLegacyOption::Delimiter(c) => once(&mut raw.delimiter, c)?,
                CopyLegacyOption::Null(s) => once(&mut raw.null, s)?,
                CopyLegacyOption::Csv(items) => {
                    once(&mut raw.format, CopyFormat::Csv)?;
                    for item in items {
                        match item {
                            CopyLegacyCsvOption::Header => once(&mut raw.header, true)?,
                            CopyLegacyCsvOption::Quote(c) => once(&mut raw.quote, c)?,
                            CopyLegacyCsvOption::Escape(c) => once(&mut raw.escape, c)?,
                            CopyLegacyCsvOption::ForceQuote(cols) => {
                                once(&mut raw.force_quote, if is_all(&cols) { None } else { Some(cols) })?
                            }
                            CopyLegacyCsvOption::ForceNotNull(cols) => once(&mut raw.force_not_null, cols)?,
                        }
                    }
                }
                other => return Err(Error::syntax(format!("syntax error at or near \"{other}\""))),
            }
        }
        Ok(raw)
    }

    /// Applies PostgreSQL's defaults and checks (`ProcessCopyOptions`). `columns` are the
    /// COPY column names, for the FORCE_* lists.
    fn validate(self, to: bool, columns: &[CopyColumn]) -> Result<CopyOptions> {
        let format = self.format.unwrap_or(CopyFormat::Text);
        let csv = format == CopyFormat::Csv;
        let binary = format == CopyFormat::Binary;
        let invalid = |m: &str| Error::new(ErrorCode::InvalidParameterValue, m.to_string());
        if binary && self.delimiter.is_some() {
            return Err(Error::syntax("cannot specify DELIMITER in BINARY mode"));
        }
        if binary && self.null.is_some() {
            return Err(Error::syntax("cannot specify NULL in BINARY mode"));
        }
        if binary && self.header.is_some() {
            return Err(Error::syntax("cannot specify HEADER in BINARY mode"));
        }
        let delimiter = self.delimiter.unwrap_or(if csv { ',' } else { '\t' });
        let null = self.null.unwrap_or_else(|| if csv { String::new() } else { "\\N".into() });
        if !delimiter.is_ascii() {
            return Err(Error::unsupported("COPY delimiter must be a single one-byte character"));
        }
        if delimiter == '\n' || delimiter == '\r' {
            return Err(invalid("COPY delimiter cannot be newline or carriage return"));
        }
        if null.contains(['\n', '\r']) {
            return Err(invalid("COPY null representation cannot use newline or carriage return"));
        }
        if !csv && !binary && "\\.abcdefghijklmnopqrstuvwxyz0123456789".contains(delimiter) {
            return Err(invalid(&format!("COPY delimiter cannot be \"{delimiter}\"")));
        }
        if !csv && self.quote.is_some() {
            return Err(Error::unsupported("COPY quote available only in CSV mode"));
        }
        let quote = self.quote.unwrap_or('"');
        if !quote.is_ascii() {
            return Err(Error::unsupported("COPY quote must be a single one-byte character"));
        }
        if csv && delimiter == quote {
            return Err(invalid("COPY delimiter and quote must be different"));
        }
        if !csv && self.escape.is_some() {
            return Err(Error::unsupported("COPY escape available only in CSV mode"));
        }
        let escape = self.escape.unwrap_or(quote);
        if !escape.is_ascii() {
            return Err(Error::unsupported("COPY escape must be a single one-byte character"));
        }
        if self.force_quote.is_some() {
            if !csv {
                return Err(Error::unsupported("COPY force quote available only in CSV mode"));
            }
            if !to {
                return Err(Error::unsupported("COPY force quote only available using COPY TO"));
            }
        }
        if self.force_not_null.is_some() {
            if !csv {
                return Err(Error::unsupported("COPY force not null available only in CSV mode"));
            }
            if to {
                return Err(Error::unsupported("COPY force not null only available using COPY FROM"));
            }
        }
        if self.force_null.is_some() {
            if !csv {
                return Err(Error::unsupported("COPY force null available only in CSV mode"));
            }
            if to {
                return Err(Error::unsupported("COPY force null only available using COPY FROM"));
            }
        }
        if !binary && null.contains(delimiter) {
            return Err(invalid("COPY delimiter must not appear in the NULL specification"));
        }
        if csv && null.contains(quote) {
            return Err(invalid("CSV quote character must not appear in the NULL specification"));
        }
        let flags = |list: Option<Vec<Ident>>, option: &str| -> Result<Vec<bool>> {
            let mut flags = vec![false; columns.len()];
            for ident in list.unwrap_or_default() {
                let name = normalize_ident(&ident);
                let pos = columns.iter().position(|c| c.name == name).ok_or_else(|| {
                    Error::new(ErrorCode::InvalidColumnReference, format!("{option} column \"{name}\" not referenced by COPY"))
                })?;
                flags[pos] = true;
            }
            Ok(flags)
        };
        let force_quote = match self.force_quote {
            Some(None) => vec![true; columns.len()],
            Some(list) => flags(list, "FORCE_QUOTE")?,
            None => vec![false; columns.len()],
        };
        Ok(CopyOptions {
            format,
            delimiter,
            null,
            header: self.header.unwrap_or(false),
            quote,
            escape,
            force_quote,
            force_not_null: flags(self.force_not_null, "FORCE_NOT_NULL")?,
            force_null: flags(self.force_null, "FORCE_NULL")?,
        })
    }
}

/// Resolves `COPY`'s table, refusing views.
fn copy_table(ctx: &QuiverContext, name: &ObjectName, to: bool) -> Result<Arc<TableDef>> {
    let def = crate::dml::resolve_name(ctx, name)?;
    if def.is_view() {
        let e = if to {
            Error::new(ErrorCode::WrongObjectType, format!("cannot copy from view \"{}\"", def.name))
                .with_hint("Try the COPY (SELECT ...) TO variant.")
        } else {
            Error::new(ErrorCode::WrongObjectType, format!("cannot copy to view \"{}\"", def.name))
        };
        return Err(e);
    }
    if def.is_sequence() {
        return Err(if to {
            Error::new(ErrorCode::WrongObjectType, format!("cannot copy from sequence \"{}\"", def.name))
                .with_hint("Try the COPY (SELECT ...) TO variant.")
        } else {
            Error::new(ErrorCode::WrongObjectType, format!("cannot copy to sequence \"{}\"", def.name))
        });
    }
    Ok(def)
}

/// The listed columns of `table` (all live columns when `names` is empty) as positions
/// among the live columns.
fn column_positions(table: &TableDef, names: &[Ident]) -> Result<Vec<usize>> {
    let live: Vec<&quiverdb_catalog::ColumnDef> = table.live_columns().collect();
    if names.is_empty() {
        return Ok((0..live.len()).collect());
    }
    let mut out: Vec<usize> = Vec::with_capacity(names.len());
    for ident in names {
        let name = normalize_ident(ident);
        let pos = live.iter().position(|c| c.name == name).ok_or_else(|| {
            Error::new(ErrorCode::UndefinedColumn, format!("column \"{name}\" of relation \"{}\" does not exist", table.name))
        })?;
        if out.contains(&pos) {
            return Err(Error::new(ErrorCode::DuplicateColumn, format!("column \"{name}\" specified more than once")));
        }
        out.push(pos);
    }
    Ok(out)
}

/// Plans a COPY statement.
pub fn plan_copy(ctx: &QuiverContext, stmt: Statement, params: &[Option<SqlType>]) -> Result<Plan> {
    let Statement::Copy { source, to, target, options, legacy_options, values } = stmt else {
        return Err(Error::internal("not a COPY statement"));
    };
    match target {
        CopyTarget::Stdin | CopyTarget::Stdout => {}
        CopyTarget::File { .. } | CopyTarget::Program { .. } => {
            let verb = if to { "to" } else { "from" };
            return Err(Error::unsupported(format!("COPY {verb} a file or program on the server is not supported"))
                .with_hint("Use COPY ... FROM STDIN / TO STDOUT, for example psql's \\copy."));
        }
    }
    if !values.is_empty() {
        return Err(Error::syntax("COPY data must follow COPY FROM STDIN as CopyData messages, not in the query text"));
    }
    let raw = RawOptions::collect(options, legacy_options)?;
    match source {
        CopySource::Table { table_name, columns } => {
            let table = copy_table(ctx, &table_name, to)?;
            let targets = column_positions(&table, &columns)?;
            let live: Vec<&quiverdb_catalog::ColumnDef> = table.live_columns().collect();
            let copy_columns: Vec<CopyColumn> =
                targets.iter().map(|&p| CopyColumn { name: live[p].name.clone(), ty: live[p].ty.clone() }).collect();
            let options = raw.validate(to, &copy_columns)?;
            if to {
                let query = query::plan_statement(ctx, table_query(ctx, &table, &copy_columns)?, params)?;
                Ok(Plan::CopyTo { query, options })
            } else {
                Ok(Plan::CopyFrom(Box::new(CopyFromPlan { table, targets, columns: copy_columns, options })))
            }
        }
        CopySource::Query(q) => {
            if !to {
                return Err(Error::syntax("syntax error at or near \"FROM\""));
            }
            let query = query::plan_statement(ctx, Statement::Query(q), params)?;
            let columns: Vec<CopyColumn> =
                query.schema().fields().iter().map(|f| CopyColumn { name: f.name().clone(), ty: SqlType::from_field(f) }).collect();
            let options = raw.validate(to, &columns)?;
            Ok(Plan::CopyTo { query, options })
        }
    }
}

/// `SELECT columns FROM schema.table` for `COPY table TO`.
fn table_query(ctx: &QuiverContext, table: &TableDef, columns: &[CopyColumn]) -> Result<Statement> {
    let list: Vec<String> = columns.iter().map(|c| quote_ident(&c.name)).collect();
    let schema = ctx.catalog.snapshot().schema(table.schema).ok_or_else(|| Error::internal("table without schema"))?;
    let sql = format!("SELECT {} FROM {}.{}", list.join(", "), quote_ident(&schema.name), quote_ident(&table.name));
    crate::parse(&sql)?.pop().ok_or_else(|| Error::internal("COPY TO query did not parse"))
}
