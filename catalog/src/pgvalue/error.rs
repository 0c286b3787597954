//! [`ValueError`]: a PostgreSQL-compatible error (SQLSTATE + message text).

use std::fmt;

/// SQLSTATE codes used by this module (PostgreSQL's `errcodes.txt` names).
pub mod sqlstate {
    /// `22P02` invalid_text_representation (bad syntax for a non-datetime type).
    pub const INVALID_TEXT_REPRESENTATION: &str = "22P02";
    /// `22P03` invalid_binary_representation (malformed binary wire value).
    pub const INVALID_BINARY_REPRESENTATION: &str = "22P03";
    /// `22003` numeric_value_out_of_range.
    pub const NUMERIC_VALUE_OUT_OF_RANGE: &str = "22003";
    /// `22007` invalid_datetime_format (bad syntax for a date/time/interval).
    pub const INVALID_DATETIME_FORMAT: &str = "22007";
    /// `22008` datetime_field_overflow (also used for "date/timestamp out of range").
    pub const DATETIME_FIELD_OVERFLOW: &str = "22008";
    /// `22009` invalid_time_zone_displacement_value.
    pub const INVALID_TIME_ZONE_DISPLACEMENT_VALUE: &str = "22009";
    /// `22015` interval_field_overflow.
    pub const INTERVAL_FIELD_OVERFLOW: &str = "22015";
    /// `22023` invalid_parameter_value (bad setting, unknown time zone, bad hex).
    pub const INVALID_PARAMETER_VALUE: &str = "22023";
    /// `08P01` protocol_violation (binary value shorter than its format).
    pub const PROTOCOL_VIOLATION: &str = "08P01";
    /// `0A000` feature_not_supported.
    pub const FEATURE_NOT_SUPPORTED: &str = "0A000";
}

/// An error converting a value, carrying PostgreSQL's SQLSTATE and exact message text.
///
/// `Display` prints only the primary message (as PostgreSQL's `ERROR:` line does);
/// the optional detail and hint correspond to PostgreSQL's `DETAIL:` and `HINT:` lines.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ValueError {
    code: &'static str,
    message: String,
    detail: Option<String>,
    hint: Option<String>,
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl ValueError {
    /// Creates an error with a SQLSTATE (five characters, see [`sqlstate`]) and message.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        ValueError { code, message: message.into(), detail: None, hint: None }
    }

    /// Returns the error with PostgreSQL's `DETAIL` text attached.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Returns the error with PostgreSQL's `HINT` text attached.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The five-character SQLSTATE, e.g. `"22P02"`.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The primary message, exactly as PostgreSQL words it.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// PostgreSQL's `DETAIL` line, if it has one for this error.
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }

    /// PostgreSQL's `HINT` line, if it has one for this error.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    // ---- constructors shared by the submodules ----

    /// `invalid input syntax for type {ty}: "{input}"` (22P02).
    pub(crate) fn invalid_syntax(ty: &str, input: &str) -> Self {
        Self::new(sqlstate::INVALID_TEXT_REPRESENTATION, format!("invalid input syntax for type {ty}: \"{input}\""))
    }

    /// `value "{input}" is out of range for type {ty}` (22003), used by integer input.
    pub(crate) fn int_out_of_range(ty: &str, input: &str) -> Self {
        Self::new(sqlstate::NUMERIC_VALUE_OUT_OF_RANGE, format!("value \"{input}\" is out of range for type {ty}"))
    }

    /// `"{input}" is out of range for type {ty}` (22003), used by float input.
    pub(crate) fn float_out_of_range(ty: &str, input: &str) -> Self {
        Self::new(sqlstate::NUMERIC_VALUE_OUT_OF_RANGE, format!("\"{input}\" is out of range for type {ty}"))
    }

    /// `value overflows numeric format` (22003).
    pub(crate) fn numeric_overflow() -> Self {
        Self::new(sqlstate::NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format")
    }

    /// `numeric field overflow` (22003) with the given detail.
    pub(crate) fn numeric_field_overflow(detail: String) -> Self {
        Self::new(sqlstate::NUMERIC_VALUE_OUT_OF_RANGE, "numeric field overflow").with_detail(detail)
    }

    /// `invalid input syntax for type {ty}: "{input}"` (22007), datetime flavour.
    pub(crate) fn datetime_syntax(ty: &str, input: &str) -> Self {
        Self::new(sqlstate::INVALID_DATETIME_FORMAT, format!("invalid input syntax for type {ty}: \"{input}\""))
    }

    /// `date/time field value out of range: "{input}"` (22008).
    pub(crate) fn datetime_field_overflow(input: &str) -> Self {
        Self::new(sqlstate::DATETIME_FIELD_OVERFLOW, format!("date/time field value out of range: \"{input}\""))
    }

    /// Like [`Self::datetime_field_overflow`], plus PostgreSQL's datestyle hint.
    pub(crate) fn datetime_md_field_overflow(input: &str) -> Self {
        Self::datetime_field_overflow(input).with_hint("Perhaps you need a different \"datestyle\" setting.")
    }

    /// `interval field value out of range: "{input}"` (22015).
    pub(crate) fn interval_field_overflow(input: &str) -> Self {
        Self::new(sqlstate::INTERVAL_FIELD_OVERFLOW, format!("interval field value out of range: \"{input}\""))
    }

    /// `time zone displacement out of range: "{input}"` (22009).
    pub(crate) fn tz_displacement_out_of_range(input: &str) -> Self {
        Self::new(sqlstate::INVALID_TIME_ZONE_DISPLACEMENT_VALUE, format!("time zone displacement out of range: \"{input}\""))
    }

    /// `time zone "{name}" not recognized` (22023).
    pub(crate) fn tz_not_recognized(name: &str) -> Self {
        Self::new(sqlstate::INVALID_PARAMETER_VALUE, format!("time zone \"{name}\" not recognized"))
    }

    /// `{what} out of range` or `{what} out of range: "{input}"` (22008).
    pub(crate) fn datetime_out_of_range(what: &str, input: Option<&str>) -> Self {
        let message = match input {
            Some(input) => format!("{what} out of range: \"{input}\""),
            None => format!("{what} out of range"),
        };
        Self::new(sqlstate::DATETIME_FIELD_OVERFLOW, message)
    }

    /// `invalid value for parameter "{name}": "{value}"` (22023).
    pub(crate) fn invalid_parameter(name: &str, value: &str) -> Self {
        Self::new(sqlstate::INVALID_PARAMETER_VALUE, format!("invalid value for parameter \"{name}\": \"{value}\""))
    }

    /// A malformed binary (`*_recv`) value (22P03).
    pub(crate) fn invalid_binary(message: impl Into<String>) -> Self {
        Self::new(sqlstate::INVALID_BINARY_REPRESENTATION, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accessors_and_display() {
        let e = ValueError::numeric_field_overflow("d".into()).with_hint("h");
        assert_eq!(e.code(), "22003");
        assert_eq!(e.message(), "numeric field overflow");
        assert_eq!(e.to_string(), "numeric field overflow");
        assert_eq!(e.detail(), Some("d"));
        assert_eq!(e.hint(), Some("h"));
        let e = ValueError::invalid_syntax("integer", "abc");
        assert_eq!(e.code(), sqlstate::INVALID_TEXT_REPRESENTATION);
        assert_eq!(e.message(), "invalid input syntax for type integer: \"abc\"");
        assert_eq!(e.detail(), None);
    }
}
