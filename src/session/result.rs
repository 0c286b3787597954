//! What a statement returns to the wire: rows (streamed), a command tag, or nothing; plus
//! notices and changed settings to report.

use datafusion::arrow::array::{RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::execution::SendableRecordBatchStream;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use quiverdb_catalog::{Error, ErrorCode, Oid, Result, SqlType};
use quiverdb_sql::Plan;
use quiverdb_sql::copy::{CopyFromPlan, CopyOptions};
use std::sync::Arc;

/// A result column as RowDescription describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnInfo {
    pub name: String,
    pub ty: SqlType,
    /// Source table OID and column attnum, when the column is a plain table column.
    pub source: Option<(Oid, i16)>,
}

impl ColumnInfo {
    /// A column of type `ty` without a source.
    pub fn new(name: impl Into<String>, ty: SqlType) -> Self {
        ColumnInfo { name: name.into(), ty, source: None }
    }
}

/// A NOTICE or WARNING sent before the statement's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    /// `NOTICE` or `WARNING`.
    pub severity: &'static str,
    pub code: Option<ErrorCode>,
    pub message: String,
}

impl Notice {
    /// A NOTICE (SQLSTATE 00000).
    pub fn info(message: impl Into<String>) -> Self {
        Notice { severity: "NOTICE", code: None, message: message.into() }
    }

    /// A WARNING with a code.
    pub fn warning(code: ErrorCode, message: impl Into<String>) -> Self {
        Notice { severity: "WARNING", code: Some(code), message: message.into() }
    }
}

/// The payload of a statement's result.
pub enum Response {
    /// Rows; the command tag is `tag` followed by the row count (`SELECT 3`, `INSERT 0 2`).
    Rows { columns: Vec<ColumnInfo>, stream: SendableRecordBatchStream, tag: &'static str },
    /// A command without rows and its complete tag (`CREATE TABLE`, `UPDATE 4`).
    Command(String),
    /// An empty query.
    Empty,
    /// COPY FROM STDIN: the wire layer collects the data, then calls
    /// [`crate::session::Session::copy_from`].
    CopyIn(Box<CopyFromPlan>),
    /// COPY TO STDOUT: rows to send in the COPY format.
    CopyOut { columns: Vec<ColumnInfo>, stream: SendableRecordBatchStream, options: CopyOptions },
}

/// A statement's complete result.
pub struct StatementResult {
    pub response: Response,
    pub notices: Vec<Notice>,
    /// Settings whose new value the client must be told (ParameterStatus).
    pub parameter_status: Vec<(&'static str, String)>,
    /// Rows go out in binary in the simple protocol too (FETCH from a BINARY cursor).
    pub binary: bool,
}

impl StatementResult {
    /// A result without notices.
    pub fn new(response: Response) -> Self {
        StatementResult { response, notices: vec![], parameter_status: vec![], binary: false }
    }

    /// Adds a notice.
    pub fn with_notice(mut self, n: Notice) -> Self {
        self.notices.push(n);
        self
    }

    /// Adds notices.
    pub fn with_notices(mut self, n: impl IntoIterator<Item = String>) -> Self {
        self.notices.extend(n.into_iter().map(Notice::info));
        self
    }
}

/// Result columns of an Arrow schema.
pub fn columns_of(schema: &Schema) -> Vec<ColumnInfo> {
    schema.fields().iter().map(|f| ColumnInfo::new(quiverdb_sql::colnames::display_name(f.name()), SqlType::from_field(f))).collect()
}

/// Result columns of query `plan`, with the source table and column of plain column
/// references (RowDescription's table OID and attnum).
pub fn plan_columns(plan: &datafusion::logical_expr::LogicalPlan) -> Vec<ColumnInfo> {
    let mut columns = columns_of(plan.schema().as_arrow());
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    let sources = crate::engine::sources::column_sources(plan, &names);
    for (column, source) in columns.iter_mut().zip(sources) {
        column.source = source;
    }
    columns
}

/// Rows from already computed batches.
pub fn batches_response(schema: SchemaRef, batches: Vec<RecordBatch>, tag: &'static str) -> Response {
    let columns = columns_of(&schema);
    let stream = RecordBatchStreamAdapter::new(schema, futures::stream::iter(batches.into_iter().map(Ok)));
    Response::Rows { columns, stream: Box::pin(stream), tag }
}

/// One text column of rows (SHOW, EXPLAIN).
pub fn text_rows(column: &str, rows: Vec<String>, tag: &'static str) -> Result<Response> {
    text_table(&[column], rows.into_iter().map(|r| vec![r]).collect(), tag)
}

/// Several text columns of rows.
pub fn text_table(columns: &[&str], rows: Vec<Vec<String>>, tag: &'static str) -> Result<Response> {
    let schema = Arc::new(Schema::new(columns.iter().map(|c| Field::new(*c, DataType::Utf8, true)).collect::<Vec<_>>()));
    let arrays =
        (0..columns.len()).map(|i| Arc::new(StringArray::from(rows.iter().map(|r| r[i].clone()).collect::<Vec<_>>())) as _).collect();
    let batch = RecordBatch::try_new(schema.clone(), arrays).map_err(|e| Error::internal(e.to_string()))?;
    Ok(batches_response(schema, vec![batch], tag))
}

/// Parameter types ($1..$n, `None` when unknown) and result columns of a plan.
pub fn describe(plan: &Plan) -> Result<(Vec<Option<SqlType>>, Vec<ColumnInfo>)> {
    let (lp, rows) = match plan {
        Plan::Query(p) => (p, true),
        Plan::Modify { plan, returning, .. } => (plan, *returning),
        Plan::Explain { plan, options } => {
            let params = param_types(plan)?;
            return Ok((params, vec![super::explain::explain_column(*options)]));
        }
        Plan::ExplainExecute { options, .. } => return Ok((vec![], vec![super::explain::explain_column(*options)])),
        Plan::SetConfig { column, .. } => return Ok((vec![], vec![ColumnInfo::new(column, SqlType::Text)])),
        _ => return Ok((vec![], vec![])),
    };
    let params = param_types(lp)?;
    let columns = if rows { plan_columns(lp) } else { vec![] };
    Ok((params, columns))
}

fn param_types(plan: &datafusion::logical_expr::LogicalPlan) -> Result<Vec<Option<SqlType>>> {
    let types = plan.get_parameter_fields()?;
    let mut out: Vec<Option<SqlType>> = Vec::new();
    for (name, field) in types {
        let Some(idx) = name.strip_prefix('$').and_then(|n| n.parse::<usize>().ok()) else {
            return Err(Error::new(ErrorCode::UndefinedParameter, format!("invalid parameter name {name}")));
        };
        if idx == 0 {
            return Err(Error::new(ErrorCode::UndefinedParameter, "there is no parameter $0"));
        }
        if out.len() < idx {
            out.resize(idx, None);
        }
        out[idx - 1] = field.map(|f| SqlType::from_field(&f));
    }
    Ok(out)
}

/// Result columns of utility statements that return rows (SHOW).
pub fn utility_columns(sql: &str) -> Vec<ColumnInfo> {
    let words: Vec<String> = sql.split_whitespace().map(|w| w.trim_end_matches(';').to_ascii_lowercase()).collect();
    match words.first().map(String::as_str) {
        Some("show") if words.get(1).map(String::as_str) == Some("all") => vec![
            ColumnInfo::new("name", SqlType::Text),
            ColumnInfo::new("setting", SqlType::Text),
            ColumnInfo::new("description", SqlType::Text),
        ],
        Some("show") => {
            let name = words[1..].join(" ");
            vec![ColumnInfo::new(show_column_name(&name), SqlType::Text)]
        }
        _ => vec![],
    }
}

/// The column name PostgreSQL gives `SHOW name`.
pub fn show_column_name(name: &str) -> String {
    match name {
        "transaction isolation level" => "transaction_isolation".into(),
        other => crate::session::settings::Settings::canonical(other).map(str::to_string).unwrap_or_else(|| other.to_string()),
    }
}
