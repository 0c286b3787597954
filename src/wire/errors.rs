//! The one table from protocol-neutral [`ErrorCode`]s to PostgreSQL SQLSTATEs, and the
//! conversion of our errors into pgwire's `ErrorInfo`.

use pgwire::error::{ErrorInfo, PgWireError};
use quiverdb_catalog::{Error, ErrorCode};

/// The SQLSTATE of `code`.
pub fn sqlstate(code: ErrorCode) -> &'static str {
    use ErrorCode::*;
    match code {
        SyntaxError => "42601",
        UndefinedTable => "42P01",
        UndefinedColumn => "42703",
        UndefinedFunction => "42883",
        UndefinedSchema => "3F000",
        UndefinedDatabase => "3D000",
        UndefinedObject => "42704",
        UndefinedParameter => "42P02",
        DuplicateTable => "42P07",
        DuplicateSchema => "42P06",
        DuplicateDatabase => "42P04",
        DuplicateColumn => "42701",
        DuplicateObject => "42710",
        DuplicatePreparedStatement => "42P05",
        AmbiguousColumn => "42702",
        AmbiguousFunction => "42725",
        DatatypeMismatch => "42804",
        CannotCoerce => "42846",
        InvalidLimit => "2201W",
        InvalidArgumentForPowerFunction => "2201F",
        NullValueNotAllowed => "22004",
        InvalidOffset => "2201X",
        CharacterNotInRepertoire => "22021",
        WrongObjectType => "42809",
        InvalidTableDefinition => "42P16",
        InvalidObjectDefinition => "42P17",
        InvalidColumnDefinition => "42611",
        InvalidColumnReference => "42P10",
        SubstringError => "22011",
        GroupingError => "42803",
        WindowingError => "42P20",
        InvalidName => "42602",
        DependentObjectsStillExist => "2BP01",
        ObjectInUse => "55006",
        InsufficientPrivilege => "42501",
        ReservedName => "42939",
        UniqueViolation => "23505",
        NotNullViolation => "23502",
        GeneratedAlways => "428C9",
        NoDataFound => "P0002",
        CheckViolation => "23514",
        InvalidTextRepresentation => "22P02",
        NumericValueOutOfRange => "22003",
        SequenceGeneratorLimitExceeded => "2200H",
        DivisionByZero => "22012",
        StringDataRightTruncation => "22001",
        DatetimeFieldOverflow => "22008",
        InvalidDatetimeFormat => "22007",
        InvalidParameterValue => "22023",
        CantChangeRuntimeParam => "55P02",
        CardinalityViolation => "21000",
        ArraySubscriptError => "2202E",
        InvalidRegularExpression => "2201B",
        InvalidEscapeSequence => "22025",
        BadCopyFileFormat => "22P04",
        ObjectNotInPrerequisiteState => "55000",
        DuplicateCursor => "42P03",
        DataException => "22000",
        SerializationFailure => "40001",
        DeadlockDetected => "40P01",
        InFailedTransaction => "25P02",
        ActiveTransaction => "25001",
        NoActiveTransaction => "25P01",
        InvalidTransactionState => "25000",
        InvalidSavepoint => "3B001",
        ReadOnlyTransaction => "25006",
        QueryCanceled => "57014",
        AdminShutdown => "57P01",
        TooManyConnections => "53300",
        ProgramLimitExceeded => "54000",
        OutOfMemory => "53200",
        DiskFull => "53100",
        FeatureNotSupported => "0A000",
        ProtocolViolation => "08P01",
        InvalidStatementName => "26000",
        InvalidCursorName => "34000",
        InvalidPassword => "28P01",
        InvalidAuthorization => "28000",
        DataCorrupted => "XX001",
        IoError => "58030",
        Internal => "XX000",
    }
}

/// Our error as pgwire's ErrorInfo (severity ERROR, or FATAL when `fatal`).
pub fn error_info(err: &Error, fatal: bool) -> ErrorInfo {
    let mut info = ErrorInfo::new(if fatal { "FATAL" } else { "ERROR" }.to_string(), sqlstate(err.code).to_string(), err.message.clone());
    info.detail = err.detail.clone();
    info.hint = err.hint.clone();
    info.position = err.position.map(|p| p.to_string());
    info.where_context = err.context.clone();
    if let Some(o) = &err.object {
        info.schema = o.schema.clone();
        info.table = Some(o.table.clone());
        info.column = o.column.clone();
        info.constraint = o.constraint.clone();
    }
    info
}

/// Our error as a pgwire error (sent as ErrorResponse, the connection stays open).
pub fn to_pgwire(err: Error) -> PgWireError {
    PgWireError::UserError(Box::new(error_info(&err, false)))
}

/// A pgwire error as the ErrorInfo to send (ours carry one; others become XX000).
pub fn pgwire_error_info(err: PgWireError) -> ErrorInfo {
    match err {
        PgWireError::UserError(info) => *info,
        other => error_info(&Error::internal(other.to_string()), false),
    }
}

/// A FATAL pgwire error (the connection is closed after sending it).
pub fn fatal(err: Error) -> PgWireError {
    PgWireError::UserError(Box::new(error_info(&err, true)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code a client is documented to rely on maps to PostgreSQL's SQLSTATE.
    #[test]
    fn sqlstates_match_postgres() {
        let cases = [
            (ErrorCode::SyntaxError, "42601"),
            (ErrorCode::UndefinedTable, "42P01"),
            (ErrorCode::UndefinedColumn, "42703"),
            (ErrorCode::DuplicateTable, "42P07"),
            (ErrorCode::UniqueViolation, "23505"),
            (ErrorCode::NotNullViolation, "23502"),
            (ErrorCode::CheckViolation, "23514"),
            (ErrorCode::InvalidTextRepresentation, "22P02"),
            (ErrorCode::DivisionByZero, "22012"),
            (ErrorCode::FeatureNotSupported, "0A000"),
            (ErrorCode::InvalidPassword, "28P01"),
            (ErrorCode::InvalidAuthorization, "28000"),
            (ErrorCode::InsufficientPrivilege, "42501"),
            (ErrorCode::ReservedName, "42939"),
            (ErrorCode::DatatypeMismatch, "42804"),
            (ErrorCode::SerializationFailure, "40001"),
            (ErrorCode::InFailedTransaction, "25P02"),
            (ErrorCode::UndefinedDatabase, "3D000"),
            (ErrorCode::NumericValueOutOfRange, "22003"),
            (ErrorCode::StringDataRightTruncation, "22001"),
            (ErrorCode::UndefinedSchema, "3F000"),
            (ErrorCode::QueryCanceled, "57014"),
            (ErrorCode::TooManyConnections, "53300"),
            (ErrorCode::AmbiguousFunction, "42725"),
            (ErrorCode::CannotCoerce, "42846"),
            (ErrorCode::UndefinedFunction, "42883"),
            (ErrorCode::CardinalityViolation, "21000"),
            (ErrorCode::InvalidArgumentForPowerFunction, "2201F"),
        ];
        for (code, state) in cases {
            assert_eq!(sqlstate(code), state, "{code:?}");
        }
    }

    #[test]
    fn sqlstates_are_well_formed() {
        // Five characters of [0-9A-Z]: a malformed SQLSTATE breaks clients.
        for code in [ErrorCode::Internal, ErrorCode::DataCorrupted, ErrorCode::IoError, ErrorCode::InvalidSavepoint] {
            let s = sqlstate(code);
            assert_eq!(s.len(), 5);
            assert!(s.chars().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()));
        }
    }

    #[test]
    fn error_info_carries_detail_hint_and_position() {
        let e = Error::new(ErrorCode::UniqueViolation, "dup").with_detail("d").with_hint("h").with_position(7);
        let info = error_info(&e, false);
        assert_eq!(info.code, "23505");
        assert_eq!(info.severity, "ERROR");
        assert_eq!(info.detail.as_deref(), Some("d"));
        assert_eq!(info.hint.as_deref(), Some("h"));
        assert_eq!(info.position.as_deref(), Some("7"));
    }
}
