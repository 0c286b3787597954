//! Protocol-neutral errors.
//!
//! Every layer has its own error enum (`StorageError`, `SqlError`, ...) and converts it into
//! [`Error`] at its boundary: a [`ErrorCode`] that says *what kind* of failure happened, the
//! message a person can act on, and optional detail / hint / cursor position. Errors that
//! travel through DataFusion are wrapped as `DataFusionError::External(Box<Error>)`, and
//! [`Error::from_datafusion`] recovers them (or classifies DataFusion's own errors).
//!
//! The mapping from [`ErrorCode`] to a PostgreSQL SQLSTATE lives in exactly one table in
//! the server's wire layer; nothing below the wire knows SQLSTATE strings.

use datafusion::arrow::error::ArrowError;
use datafusion::common::{DataFusionError, SchemaError};
use std::fmt;

/// What kind of failure happened, independent of the protocol that reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    // --- syntax and naming
    /// The statement text does not parse.
    SyntaxError,
    /// A table, view or collection does not exist.
    UndefinedTable,
    /// A column does not exist.
    UndefinedColumn,
    /// A function does not exist (or not with these argument types).
    UndefinedFunction,
    /// A schema does not exist.
    UndefinedSchema,
    /// A database does not exist.
    UndefinedDatabase,
    /// Some other named object (setting, savepoint, prepared statement...) does not exist.
    UndefinedObject,
    /// A bind parameter is referenced but not supplied.
    UndefinedParameter,
    /// A table or view of this name already exists.
    DuplicateTable,
    /// A schema of this name already exists.
    DuplicateSchema,
    /// A database of this name already exists.
    DuplicateDatabase,
    /// A column of this name already exists.
    DuplicateColumn,
    /// Another named object (constraint, role, savepoint...) already exists.
    DuplicateObject,
    /// 42P05: a prepared statement of that name exists.
    DuplicatePreparedStatement,
    /// A column reference matches more than one column.
    AmbiguousColumn,
    /// More than one operator or function matches equally well.
    AmbiguousFunction,
    /// Types do not match and cannot be coerced.
    DatatypeMismatch,
    /// No cast exists between the two types (`true::bigint`).
    CannotCoerce,
    /// LIMIT is negative.
    InvalidLimit,
    /// `power` of a negative number to a fractional exponent, or of zero to a negative one.
    InvalidArgumentForPowerFunction,
    /// A NULL where none is allowed (format('%I', NULL)).
    NullValueNotAllowed,
    /// OFFSET is negative.
    InvalidOffset,
    /// Bytes that are not valid in the encoding.
    CharacterNotInRepertoire,
    /// An object is of the wrong kind for the command (e.g. DROP TABLE on a view).
    WrongObjectType,
    /// A table definition is invalid (e.g. two primary keys).
    InvalidTableDefinition,
    /// Another object definition is invalid (e.g. a volatile function in an index).
    InvalidObjectDefinition,
    /// A column definition is invalid.
    InvalidColumnDefinition,
    /// A column reference is invalid (ORDER BY position, ON CONFLICT target...).
    InvalidColumnReference,
    /// A substring length is negative.
    SubstringError,
    /// An aggregate/grouping rule is violated.
    GroupingError,
    /// A window function is used where it is not allowed.
    WindowingError,
    /// A name is not valid (e.g. too long, reserved).
    InvalidName,
    /// Other dependent objects prevent the command (e.g. DROP SCHEMA that is not empty).
    DependentObjectsStillExist,
    /// The object is in use by another session.
    ObjectInUse,
    /// The current role lacks the privilege or attribute the command needs.
    InsufficientPrivilege,
    /// The name is reserved for the system (e.g. roles starting with `pg_`).
    ReservedName,
    // --- data
    /// A unique or primary-key constraint would be violated.
    UniqueViolation,
    /// A NOT NULL constraint would be violated.
    NotNullViolation,
    /// A column the system maintains was assigned (a collection's `_key`, `_id`, ...).
    GeneratedAlways,
    /// A document addressed by key does not exist (AQL UPDATE/REPLACE/REMOVE).
    NoDataFound,
    /// A CHECK constraint would be violated.
    CheckViolation,
    /// Text cannot be converted to the target type.
    InvalidTextRepresentation,
    /// A number is out of range for its type.
    NumericValueOutOfRange,
    /// A sequence reached its bound and does not cycle.
    SequenceGeneratorLimitExceeded,
    /// Division by zero.
    DivisionByZero,
    /// The object is not in the state the command needs (a NO SCROLL cursor moved back).
    ObjectNotInPrerequisiteState,
    /// A cursor of that name is already open.
    DuplicateCursor,
    /// A string is too long for its declared length.
    StringDataRightTruncation,
    /// A date/time field is out of range.
    DatetimeFieldOverflow,
    /// A date/time value has an invalid format.
    InvalidDatetimeFormat,
    /// A parameter or setting value is not valid.
    InvalidParameterValue,
    /// A read-only setting cannot be changed.
    CantChangeRuntimeParam,
    /// A subquery used as an expression returned more than one row.
    CardinalityViolation,
    /// An array subscript is out of range or malformed.
    ArraySubscriptError,
    /// A regular expression is invalid.
    InvalidRegularExpression,
    /// A LIKE escape string is invalid.
    InvalidEscapeSequence,
    /// COPY data that does not follow its format (wrong column count, bad quoting).
    BadCopyFileFormat,
    /// Some other data exception.
    DataException,
    // --- transactions
    /// The transaction must be retried (write-write conflict, serialization failure).
    SerializationFailure,
    /// A deadlock was detected.
    DeadlockDetected,
    /// The current transaction is aborted; commands are ignored until ROLLBACK.
    InFailedTransaction,
    /// The command cannot run inside a transaction block.
    ActiveTransaction,
    /// The command needs a transaction block and there is none.
    NoActiveTransaction,
    /// The transaction is in a state that forbids the command.
    InvalidTransactionState,
    /// A savepoint does not exist.
    InvalidSavepoint,
    /// A write was attempted in a read-only transaction.
    ReadOnlyTransaction,
    // --- operator intervention and resources
    /// The statement was cancelled or hit statement_timeout.
    QueryCanceled,
    /// The server is shutting down.
    AdminShutdown,
    /// Too many connections.
    TooManyConnections,
    /// A program limit was exceeded (e.g. too many columns).
    ProgramLimitExceeded,
    /// Out of memory.
    OutOfMemory,
    /// Disk is full.
    DiskFull,
    // --- protocol and features
    /// The feature is not supported (yet).
    FeatureNotSupported,
    /// The client violated the protocol.
    ProtocolViolation,
    /// A prepared statement does not exist.
    InvalidStatementName,
    /// A cursor does not exist.
    InvalidCursorName,
    /// Authentication failed.
    InvalidPassword,
    /// The role is not allowed to log in or does not exist.
    InvalidAuthorization,
    // --- internal
    /// Stored data is corrupt.
    DataCorrupted,
    /// An I/O error in the storage engine.
    IoError,
    /// A bug or an unexpected internal condition.
    Internal,
}

/// A failure with its kind and the message a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// What kind of failure this is.
    pub code: ErrorCode,
    /// One line, lower case, no trailing period (PostgreSQL's style).
    pub message: String,
    /// Optional secondary message with more detail.
    pub detail: Option<String>,
    /// Optional suggestion for fixing the problem.
    pub hint: Option<String>,
    /// Optional 1-based character position in the statement text.
    pub position: Option<u32>,
    /// Optional context line: where the error happened (`COPY t, line 3, column a: "x"`).
    pub context: Option<String>,
    /// The object a constraint violation is about (ErrorResponse's schema, table, column
    /// and constraint fields, which drivers expose, e.g. psycopg2's `diag.constraint_name`).
    pub object: Option<Box<ErrorObject>>,
}

/// The table (and column or constraint) an error is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorObject {
    /// OID of the table's schema; the session fills in `schema` from it.
    pub schema_oid: crate::types::Oid,
    pub schema: Option<String>,
    pub table: String,
    pub column: Option<String>,
    pub constraint: Option<String>,
}

/// Result type of the catalog and frontend layers.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Creates an error of `code` with `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error { code, message: message.into(), detail: None, hint: None, position: None, context: None, object: None }
    }

    /// Adds a detail line.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Adds a hint line.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds a 1-based character position in the statement text.
    pub fn with_position(mut self, position: u32) -> Self {
        self.position = Some(position);
        self
    }

    /// Names the table (and column or constraint) the error is about.
    pub fn with_object(mut self, table: &crate::TableDef, column: Option<&str>, constraint: Option<&str>) -> Self {
        self.object = Some(Box::new(ErrorObject {
            schema_oid: table.schema,
            schema: None,
            table: table.name.clone(),
            column: column.map(str::to_string),
            constraint: constraint.map(str::to_string),
        }));
        self
    }

    /// Adds a context line (kept when one is already set: the innermost wins).
    pub fn with_context(mut self, context: impl Into<String>) -> Self {
        self.context.get_or_insert_with(|| context.into());
        self
    }

    /// Shorthand for an [`ErrorCode::FeatureNotSupported`] error.
    pub fn unsupported(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::FeatureNotSupported, message)
    }

    /// Shorthand for an [`ErrorCode::Internal`] error.
    pub fn internal(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Internal, message)
    }

    /// Shorthand for an [`ErrorCode::SyntaxError`] error.
    pub fn syntax(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::SyntaxError, message)
    }

    /// Wraps this error so it can travel through DataFusion.
    pub fn into_datafusion(self) -> DataFusionError {
        DataFusionError::External(Box::new(self))
    }

    /// Recovers our error from a DataFusion error, classifying DataFusion's own errors.
    pub fn from_datafusion(err: DataFusionError) -> Self {
        classify(err)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<Error> for DataFusionError {
    fn from(err: Error) -> Self {
        err.into_datafusion()
    }
}

impl From<DataFusionError> for Error {
    fn from(err: DataFusionError) -> Self {
        classify(err)
    }
}

/// Finds our error inside a DataFusion error, or classifies DataFusion's own error.
fn classify(err: DataFusionError) -> Error {
    match err {
        DataFusionError::External(e) => match e.downcast::<Error>() {
            Ok(ours) => *ours,
            Err(other) => match other.downcast::<DataFusionError>() {
                Ok(df) => classify(*df),
                Err(other) => Error::new(ErrorCode::Internal, other.to_string()),
            },
        },
        DataFusionError::Diagnostic(_, inner) => classify(*inner),
        DataFusionError::Context(ctx, inner) => {
            let mut e = classify(*inner);
            if e.code == ErrorCode::Internal {
                e.message = format!("{ctx}: {}", e.message);
            }
            e
        }
        DataFusionError::Shared(shared) => match shared.as_ref() {
            DataFusionError::External(e) => match e.downcast_ref::<Error>() {
                Some(ours) => ours.clone(),
                None => Error::new(ErrorCode::Internal, e.to_string()),
            },
            other => classify_message(other),
        },
        DataFusionError::Collection(errs) => match errs.into_iter().next() {
            Some(first) => classify(first),
            None => Error::internal("unknown error"),
        },
        DataFusionError::ArrowError(arrow, _) => classify_arrow(*arrow),
        DataFusionError::SQL(parser, _) => Error::syntax(strip_sql_prefix(&parser.to_string())),
        DataFusionError::SchemaError(schema, _) => classify_schema(*schema),
        DataFusionError::NotImplemented(msg) => unsupported_cast(&msg).unwrap_or_else(|| Error::unsupported(msg)),
        DataFusionError::ResourcesExhausted(msg) => Error::new(ErrorCode::OutOfMemory, msg),
        DataFusionError::IoError(io) => Error::new(ErrorCode::IoError, io.to_string()),
        other => classify_message(&other),
    }
}

/// Classifies an Arrow compute error.
fn classify_arrow(err: ArrowError) -> Error {
    match err {
        ArrowError::DivideByZero => Error::new(ErrorCode::DivisionByZero, "division by zero"),
        ArrowError::ArithmeticOverflow(msg) => Error::new(ErrorCode::NumericValueOutOfRange, overflow_message(&msg)),
        ArrowError::CastError(msg) => classify_cast(&msg),
        ArrowError::ParseError(msg) => Error::new(ErrorCode::InvalidTextRepresentation, msg),
        ArrowError::ExternalError(e) => match e.downcast::<Error>() {
            Ok(ours) => *ours,
            Err(other) => match other.downcast::<DataFusionError>() {
                Ok(df) => classify(*df),
                Err(other) => Error::internal(other.to_string()),
            },
        },
        ArrowError::MemoryError(msg) => Error::new(ErrorCode::OutOfMemory, msg),
        ArrowError::InvalidArgumentError(msg) if msg.contains("to store in a Decimal") => {
            Error::new(ErrorCode::NumericValueOutOfRange, "numeric field overflow")
        }
        ArrowError::ComputeError(msg) if msg.contains("overflow") => {
            // "Int32Array overflow on abs(-2147483648)"
            let ty = msg.split("Array").next().unwrap_or("");
            Error::new(ErrorCode::NumericValueOutOfRange, format!("{} out of range", range_name(ty)))
        }
        other => Error::internal(other.to_string()),
    }
}

/// Maps Arrow's overflow message to PostgreSQL's wording where the type is known.
fn overflow_message(msg: &str) -> String {
    // Arrow says e.g. "Overflow happened on: 2147483647 + 1"; the operand type is not in
    // the message, so we use PostgreSQL's generic wording.
    let _ = msg;
    "integer out of range".to_string()
}

/// PostgreSQL's name for an Arrow type as DataFusion prints it in messages (`Utf8`).
fn arrow_type_name(arrow: &str) -> String {
    let base = arrow.split('(').next().unwrap_or(arrow).trim();
    match base {
        "Utf8" | "LargeUtf8" | "Utf8View" => "text",
        "Int16" => "smallint",
        "Int32" => "integer",
        "Int64" => "bigint",
        "Float32" => "real",
        "Float64" => "double precision",
        "Boolean" => "boolean",
        "Date32" => "date",
        "Decimal128" | "Decimal256" => "numeric",
        "Timestamp" if arrow.contains("None") => "timestamp without time zone",
        "Timestamp" => "timestamp with time zone",
        "Time64" => "time without time zone",
        "Interval" => "interval",
        "Binary" | "LargeBinary" | "BinaryView" => "bytea",
        "Null" => "unknown",
        "List" | "LargeList" => "anyarray",
        other => other,
    }
    .to_string()
}

/// PostgreSQL's name of an Arrow integer type in "out of range" messages.
fn range_name(arrow_type: &str) -> &'static str {
    match arrow_type.trim().trim_end_matches('.') {
        "Int16" | "Int8" | "UInt8" => "smallint",
        "Int32" | "UInt16" => "integer",
        "Int64" | "UInt32" | "UInt64" => "bigint",
        "Float32" => "real",
        "Float64" => "double precision",
        _ => "numeric",
    }
}

/// "can't cast value 32768 to type Int16" → "smallint out of range".
fn cast_overflow(msg: &str) -> Option<Error> {
    let lower = msg.to_ascii_lowercase();
    let at = lower.find("to type ")?;
    if !(lower.contains("can't cast value") || lower.contains("cannot cast value") || lower.contains("overflow")) {
        return None;
    }
    let ty = msg[at + "to type ".len()..].split_whitespace().next().unwrap_or("");
    let name = range_name(ty);
    if name == "numeric" {
        return Some(Error::new(ErrorCode::NumericValueOutOfRange, "numeric field overflow"));
    }
    Some(Error::new(ErrorCode::NumericValueOutOfRange, format!("{name} out of range")))
}

/// "Unsupported CAST from Date32 to Time64(µs)" → 42846 "cannot cast type date to time
/// without time zone"; `None` for other messages.
fn unsupported_cast(msg: &str) -> Option<Error> {
    let (from, to) = msg.split("Unsupported CAST from ").nth(1)?.split_once(" to ")?;
    Some(Error::new(
        ErrorCode::CannotCoerce,
        format!("cannot cast type {} to {}", arrow_type_name(from), arrow_type_name(to.trim_end_matches('.'))),
    ))
}

/// "Cannot cast string 'x5' to value of Int32 type" → 22P02 `invalid input syntax for
/// type integer: "x5"`; `None` for other messages.
fn invalid_text(msg: &str) -> Option<Error> {
    let rest = msg.split("Cannot cast string '").nth(1)?;
    let (value, tail) = rest.rsplit_once("' to value of ")?;
    let ty = tail.trim_end_matches('.').trim_end_matches(" type");
    Some(Error::new(ErrorCode::InvalidTextRepresentation, format!("invalid input syntax for type {}: \"{value}\"", arrow_type_name(ty))))
}

/// "Unable to parse date from 2023, 2, 29" (make_date) → 22008 "date field value out of
/// range: 2023-02-29"; `None` for other messages.
fn bad_date_parts(msg: &str) -> Option<Error> {
    let parts = msg.split("Unable to parse date from ").nth(1)?;
    let p: Vec<&str> = parts.split(',').map(str::trim).collect();
    let [y, m, d] = p.as_slice() else { return None };
    let two = |s: &str| {
        if s.len() < 2 { format!("0{s}") } else { s.to_string() }
    };
    Some(Error::new(ErrorCode::DatetimeFieldOverflow, format!("date field value out of range: {y}-{}-{}", two(m), two(d))))
}

/// Classifies an Arrow cast error (usually bad text input).
fn classify_cast(msg: &str) -> Error {
    if let Some(e) = cast_overflow(msg).or_else(|| unsupported_cast(msg)) {
        return e;
    }
    if let Some(ty) = msg.split(" is out of range ").nth(1) {
        return Error::new(ErrorCode::NumericValueOutOfRange, format!("{} out of range", range_name(ty)));
    }
    if let Some(e) = invalid_text(msg) {
        return e;
    }
    if msg.contains("Overflowing on") {
        return Error::new(ErrorCode::NumericValueOutOfRange, "numeric field overflow");
    }
    if msg.contains("Cannot cast string") || msg.contains("Error parsing") {
        return Error::new(ErrorCode::InvalidTextRepresentation, cast_message(msg));
    }
    if msg.contains("Overflow") || msg.contains("out of range") || msg.contains("too large") {
        return Error::new(ErrorCode::NumericValueOutOfRange, cast_message(msg));
    }
    if msg.contains("Unsupported") {
        return Error::new(ErrorCode::DatatypeMismatch, cast_message(msg));
    }
    Error::new(ErrorCode::InvalidTextRepresentation, cast_message(msg))
}

/// Lower-cases the first letter of an Arrow message to match PostgreSQL's style.
fn cast_message(msg: &str) -> String {
    let mut chars = msg.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Classifies a DataFusion schema error (unknown/ambiguous/duplicate columns).
fn classify_schema(err: SchemaError) -> Error {
    match err {
        SchemaError::FieldNotFound { field, valid_fields } => {
            if let Some(rel) = &field.relation
                && !valid_fields.is_empty()
                && !valid_fields.iter().any(|c| c.relation.as_ref().is_some_and(|r| r.table() == rel.table()))
            {
                return Error::new(ErrorCode::UndefinedTable, format!("missing FROM-clause entry for table \"{}\"", rel.table()));
            }
            let name = match &field.relation {
                Some(rel) => format!("{rel}.{}", field.name),
                None => field.name.clone(),
            };
            Error::new(ErrorCode::UndefinedColumn, format!("column \"{name}\" does not exist"))
        }
        SchemaError::AmbiguousReference { field } => {
            Error::new(ErrorCode::AmbiguousColumn, format!("column reference \"{}\" is ambiguous", field.name))
        }
        SchemaError::DuplicateQualifiedField { name, .. } | SchemaError::DuplicateUnqualifiedField { name } => {
            Error::new(ErrorCode::DuplicateColumn, format!("column \"{name}\" specified more than once"))
        }
    }
}

/// Classifies DataFusion errors that only carry a message.
fn classify_message(err: &DataFusionError) -> Error {
    let full = err.to_string();
    let msg = strip_df_prefix(&full);
    let lower = msg.to_ascii_lowercase();
    if let Some(e) = cast_overflow(msg) {
        return e;
    }
    if lower.contains("queries have different number of columns") {
        let op = msg.split_whitespace().next().unwrap_or("UNION");
        return Error::syntax(format!("each {op} query must have the same number of columns"));
    }
    if lower.contains("step cannot be zero") {
        return Error::new(ErrorCode::InvalidParameterValue, "step size cannot equal zero");
    }
    if lower.contains("to store in a decimal") {
        return Error::new(ErrorCode::NumericValueOutOfRange, "numeric field overflow");
    }
    if let Some(rest) = msg.split("Order by column out of bounds, specified: ").nth(1) {
        let n = rest.split(',').next().unwrap_or("").trim();
        return Error::new(ErrorCode::InvalidColumnReference, format!("ORDER BY position {n} is not in select list"));
    }
    if let Some(rest) = msg.split("column \"").nth(1)
        && lower.contains("must appear in the group by clause")
    {
        let col = rest.split('"').next().unwrap_or("");
        return Error::new(
            ErrorCode::GroupingError,
            format!("column \"{col}\" must appear in the GROUP BY clause or be used in an aggregate function"),
        );
    }
    if lower.contains("too many columns") && lower.contains("subquery") {
        return Error::syntax("subquery must return only one column");
    }
    if let Some(rest) = msg.split("No function matches the given name and argument types '").nth(1) {
        let call = rest.split('\'').next().unwrap_or("");
        let (name, args) = call.split_once('(').unwrap_or((call, ")"));
        let args: Vec<String> = args.trim_end_matches(')').split(", ").filter(|a| !a.is_empty()).map(arrow_type_name).collect();
        return Error::new(ErrorCode::UndefinedFunction, format!("function {name}({}) does not exist", args.join(", ")))
            .with_hint("No function matches the given name and argument types. You might need to add explicit type casts.");
    }
    if let Some(rest) = msg.strip_prefix("Invalid function '") {
        let name = rest.split('\'').next().unwrap_or("");
        return Error::new(ErrorCode::UndefinedFunction, format!("function {name} does not exist"))
            .with_hint("No function matches the given name and argument types. You might need to add explicit type casts.");
    }
    if lower.starts_with("limit must be >=") {
        return Error::new(ErrorCode::InvalidLimit, "LIMIT must not be negative");
    }
    if lower.starts_with("offset must be >=") {
        return Error::new(ErrorCode::InvalidOffset, "OFFSET must not be negative");
    }
    if let Some(e) = unsupported_cast(msg).or_else(|| bad_date_parts(msg)).or_else(|| invalid_text(msg)) {
        return e;
    }
    if let Some(ty) = msg.split(" is out of range ").nth(1) {
        // "value of 10000000000000000000 is out of range Int64"
        return Error::new(ErrorCode::NumericValueOutOfRange, format!("{} out of range", range_name(ty)));
    }
    if let Some(rest) = msg.strip_prefix("Cannot create filter with non-boolean predicate '") {
        let ty = rest.rsplit("returning ").next().unwrap_or("");
        return Error::new(
            ErrorCode::DatatypeMismatch,
            format!("argument of WHERE must be type boolean, not type {}", arrow_type_name(ty)),
        );
    }
    if lower.starts_with("for select distinct, order by expressions") {
        return Error::new(ErrorCode::InvalidColumnReference, "for SELECT DISTINCT, ORDER BY expressions must appear in select list");
    }
    if lower.starts_with("aggregate function calls cannot be nested") {
        return Error::new(ErrorCode::GroupingError, "aggregate function calls cannot be nested");
    }
    if lower.contains("negative count not allowed") || lower.contains("negative substring length") {
        return Error::new(ErrorCode::SubstringError, "negative substring length not allowed");
    }
    let code = if lower.contains("divide by zero") || lower.contains("division by zero") {
        return Error::new(ErrorCode::DivisionByZero, "division by zero");
    } else if lower.contains("table") && lower.contains("not found") {
        ErrorCode::UndefinedTable
    } else if lower.contains("invalid function") || lower.contains("no function matches") {
        ErrorCode::UndefinedFunction
    } else if lower.contains("overflow") {
        ErrorCode::NumericValueOutOfRange
    } else if lower.contains("scalar subquery") && lower.contains("more than one row") {
        return Error::new(ErrorCode::CardinalityViolation, "more than one row returned by a subquery used as an expression");
    } else if lower.contains("cannot be cast")
        || lower.contains("cannot cast")
        || lower.contains("cannot infer common")
        || lower.contains("type coercion")
        || lower.contains("coercion from")
        || lower.contains("does not support") && (lower.contains("type") || lower.contains("argument"))
    {
        ErrorCode::DatatypeMismatch
    } else if lower.contains("not implemented") || lower.contains("unsupported") {
        ErrorCode::FeatureNotSupported
    } else if lower.contains("must appear in the group by") || lower.contains("projection references non-aggregate") {
        ErrorCode::GroupingError
    } else if lower.contains("regex") || lower.contains("regular expression") {
        ErrorCode::InvalidRegularExpression
    } else if matches!(err, DataFusionError::Plan(_)) {
        ErrorCode::SyntaxError
    } else if matches!(err, DataFusionError::Execution(_)) {
        ErrorCode::DataException
    } else {
        ErrorCode::Internal
    };
    Error::new(code, msg.to_string())
}

/// Strips DataFusion's "Error during planning: " style prefixes.
fn strip_df_prefix(msg: &str) -> &str {
    const PREFIXES: [&str; 8] = [
        "Error during planning: ",
        "Execution error: ",
        "Optimizer rule",
        "This feature is not implemented: ",
        "Internal error: ",
        "Schema error: ",
        "Arrow error: ",
        "External error: ",
    ];
    let mut s = msg;
    loop {
        let before = s;
        for p in PREFIXES {
            if let Some(rest) = s.strip_prefix(p) {
                s = rest;
            }
        }
        if s == before {
            return s;
        }
    }
}

/// Strips sqlparser's "sql parser error: " prefix.
fn strip_sql_prefix(msg: &str) -> String {
    msg.trim_start_matches("SQL error: ")
        .trim_start_matches("ParserError(")
        .trim_start_matches("sql parser error: ")
        .trim_end_matches(')')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_error_survives_a_trip_through_datafusion() {
        let ours = Error::new(ErrorCode::UniqueViolation, "duplicate key").with_detail("d");
        let back = Error::from_datafusion(ours.clone().into_datafusion());
        assert_eq!(back, ours);
        let ctx = DataFusionError::Context("c".into(), Box::new(ours.clone().into_datafusion()));
        assert_eq!(Error::from_datafusion(ctx), ours);
    }

    #[test]
    fn arrow_divide_by_zero_is_division_by_zero() {
        let e = Error::from_datafusion(DataFusionError::ArrowError(Box::new(ArrowError::DivideByZero), None));
        assert_eq!(e.code, ErrorCode::DivisionByZero);
        assert_eq!(e.message, "division by zero");
    }

    #[test]
    fn not_implemented_is_feature_not_supported() {
        let e = Error::from_datafusion(DataFusionError::NotImplemented("x".into()));
        assert_eq!(e.code, ErrorCode::FeatureNotSupported);
    }
}
