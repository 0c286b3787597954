//! AQL errors: syntax errors with their `line:column`, and planning errors.

use crate::ast::Span;
use std::fmt;

/// A 1-based line and column (in characters) of a position in the query text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

impl Position {
    /// The position of byte `offset` in `text` (offsets past the end count as the end).
    pub fn of(text: &str, offset: usize) -> Position {
        let offset = offset.min(text.len());
        let before = text.get(..offset).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Position { line, column }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A syntax error: what was found and what was expected, and where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("syntax error, {message} at position {position}")]
pub struct ParseError {
    /// E.g. `unexpected identifier 'x', expecting '='`.
    pub message: String,
    /// Where the offending token starts.
    pub position: Position,
    /// The offending token's bytes.
    pub span: Span,
}

impl ParseError {
    /// An error at `span` of `text`.
    pub fn new(text: &str, span: Span, message: impl Into<String>) -> Self {
        ParseError { message: message.into(), position: Position::of(text, span.start), span }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "FOR u IN users\n  FILTER ü.x\nRETURN u";
        assert_eq!(Position::of(text, 0), Position { line: 1, column: 1 });
        assert_eq!(Position::of(text, 4), Position { line: 1, column: 5 });
        let f = text.find("ü").unwrap();
        assert_eq!(Position::of(text, f), Position { line: 2, column: 10 });
        // After the two-byte 'ü', the column counts characters, not bytes.
        assert_eq!(Position::of(text, f + 2), Position { line: 2, column: 11 });
        assert_eq!(Position::of(text, 10_000), Position { line: 3, column: 9 });
    }
}
