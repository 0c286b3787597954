//! The error type shared by every `json`/`jsonb` routine, shaped like a PostgreSQL
//! `ereport`: SQLSTATE, primary message, and optional detail, hint and context lines.

use std::fmt;

/// SQLSTATE `22P02` invalid_text_representation: malformed JSON text.
pub const INVALID_TEXT_REPRESENTATION: &str = "22P02";
/// SQLSTATE `22P05` untranslatable_character: `\u0000` in `jsonb` input.
pub const UNTRANSLATABLE_CHARACTER: &str = "22P05";
/// SQLSTATE `22003` numeric_value_out_of_range: a `jsonb` number outside `numeric`'s range.
pub const NUMERIC_VALUE_OUT_OF_RANGE: &str = "22003";
/// SQLSTATE `22023` invalid_parameter_value: an operator applied to the wrong kind of value.
pub const INVALID_PARAMETER_VALUE: &str = "22023";
/// SQLSTATE `54001` statement_too_complex: nesting deeper than [`super::MAX_DEPTH`].
pub const STATEMENT_TOO_COMPLEX: &str = "54001";

/// A PostgreSQL-style error: `message` is the primary text (what `Display` prints);
/// `detail`, `hint` and `context` are the `DETAIL:`, `HINT:` and `CONTEXT:` lines.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct JsonError {
    /// Five-character SQLSTATE code, e.g. `"22P02"`.
    pub sqlstate: &'static str,
    /// Primary message, e.g. `invalid input syntax for type json`.
    pub message: String,
    /// The `DETAIL` line, e.g. `Token "x" is invalid.`
    pub detail: Option<String>,
    /// The `HINT` line, if any.
    pub hint: Option<String>,
    /// The `CONTEXT` line, e.g. `JSON data, line 1: [1, x...` (syntax errors only).
    pub context: Option<String>,
}

impl JsonError {
    /// An error with only a SQLSTATE and a primary message.
    pub fn new(sqlstate: &'static str, message: impl Into<String>) -> Self {
        JsonError { sqlstate, message: message.into(), detail: None, hint: None, context: None }
    }

    /// Builder: set the `DETAIL` line.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Builder: set the `HINT` line.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Builder: set the `CONTEXT` line.
    pub fn with_context(mut self, context: impl Into<String>) -> Self {
        self.context = Some(context.into());
        self
    }

    /// `22P02 invalid input syntax for type json` with the given detail.
    pub(crate) fn syntax(detail: impl Into<String>) -> Self {
        JsonError::new(INVALID_TEXT_REPRESENTATION, "invalid input syntax for type json").with_detail(detail)
    }

    /// `22003 value overflows numeric format`, raised for out-of-range `jsonb` numbers.
    pub(crate) fn numeric_overflow() -> Self {
        JsonError::new(NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format")
    }

    /// `22023` with the given message (wrong kind of value for an operator).
    pub(crate) fn invalid_parameter(message: &str) -> Self {
        JsonError::new(INVALID_PARAMETER_VALUE, message)
    }

    /// `54001 stack depth limit exceeded`, raised instead of recursing too deep.
    pub(crate) fn too_deep() -> Self {
        JsonError::new(STATEMENT_TOO_COMPLEX, "stack depth limit exceeded")
            .with_hint(format!("JSON values may be nested at most {} levels deep.", super::MAX_DEPTH))
    }

    /// Render like `psql` with `VERBOSITY verbose` (minus position/location), for logs and tests.
    pub fn verbose(&self) -> String {
        VerboseError(self).to_string()
    }
}

struct VerboseError<'a>(&'a JsonError);

impl fmt::Display for VerboseError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self.0;
        write!(f, "ERROR:  {}: {}", e.sqlstate, e.message)?;
        if let Some(d) = &e.detail {
            write!(f, "\nDETAIL:  {d}")?;
        }
        if let Some(h) = &e.hint {
            write!(f, "\nHINT:  {h}")?;
        }
        if let Some(c) = &e.context {
            write!(f, "\nCONTEXT:  {c}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_primary_message() {
        let e = JsonError::syntax("Token \"x\" is invalid.").with_context("JSON data, line 1: x");
        assert_eq!(e.to_string(), "invalid input syntax for type json");
        assert_eq!(e.sqlstate, "22P02");
        assert_eq!(
            e.verbose(),
            "ERROR:  22P02: invalid input syntax for type json\n\
             DETAIL:  Token \"x\" is invalid.\nCONTEXT:  JSON data, line 1: x"
        );
    }

    #[test]
    fn depth_error_shape() {
        let e = JsonError::too_deep();
        assert_eq!(e.sqlstate, "54001");
        assert_eq!(e.message, "stack depth limit exceeded");
        assert!(e.hint.is_some());
    }
}
