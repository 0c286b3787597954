//! The AQL lexer: query text to [`Token`]s with byte [`Span`]s.
//!
//! Follows ArangoDB's tokenizer (`tokens.ll`):
//!
//! * keywords are case-insensitive and only match whole words (`FORx` is a name);
//! * names are `$?[A-Za-z][A-Za-z0-9_]*` or `_+[A-Za-z][A-Za-z0-9_]*` (so `_key`, `$x`,
//!   but not `_` or `_1`), or any text in backticks (`` `my name` ``) or forward ticks
//!   (`´my name´`), which are never keywords;
//! * strings use single or double quotes with the escapes `\n \t \r \b \f \\ \" \' \/ \`
//!   ``\` `` and `\uXXXX` (surrogate pairs combine); a string may span lines;
//! * numbers are `0`, `[1-9][0-9]*`, with optional fraction and exponent, `.5`, `0x1F`,
//!   `0b101`; `1..10` is `1`, `..`, `10`, and `1.` is `1` followed by `.`;
//! * bind parameters are `@name` and `@@name` (`@@` names a collection);
//! * comments are `// ...` (to the end of the line) and `/* ... */` (not nested).
//!
//! `[*]` and `NOT IN` are not single tokens: the parser combines `[`, `*`, `]` and
//! `NOT`, `IN`.

use crate::ast::Span;
use crate::error::ParseError;
use std::fmt;

/// A keyword. Keywords are matched case-insensitively.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    For,
    In,
    Filter,
    Let,
    Sort,
    Limit,
    Collect,
    Window,
    Return,
    Distinct,
    Insert,
    Update,
    Replace,
    Remove,
    Upsert,
    With,
    Into,
    Aggregate,
    Keep,
    Options,
    Asc,
    Desc,
    Not,
    And,
    Or,
    Like,
    All,
    Any,
    None,
    Null,
    True,
    False,
    Outbound,
    Inbound,
    Graph,
    ShortestPath,
    Prune,
    Search,
}

/// Every keyword with its spelling, for lookup.
const KEYWORDS: &[(&str, Keyword)] = &[
    ("FOR", Keyword::For),
    ("IN", Keyword::In),
    ("FILTER", Keyword::Filter),
    ("LET", Keyword::Let),
    ("SORT", Keyword::Sort),
    ("LIMIT", Keyword::Limit),
    ("COLLECT", Keyword::Collect),
    ("WINDOW", Keyword::Window),
    ("RETURN", Keyword::Return),
    ("DISTINCT", Keyword::Distinct),
    ("INSERT", Keyword::Insert),
    ("UPDATE", Keyword::Update),
    ("REPLACE", Keyword::Replace),
    ("REMOVE", Keyword::Remove),
    ("UPSERT", Keyword::Upsert),
    ("WITH", Keyword::With),
    ("INTO", Keyword::Into),
    ("AGGREGATE", Keyword::Aggregate),
    ("KEEP", Keyword::Keep),
    ("OPTIONS", Keyword::Options),
    ("ASC", Keyword::Asc),
    ("DESC", Keyword::Desc),
    ("NOT", Keyword::Not),
    ("AND", Keyword::And),
    ("OR", Keyword::Or),
    ("LIKE", Keyword::Like),
    ("ALL", Keyword::All),
    ("ANY", Keyword::Any),
    ("NONE", Keyword::None),
    ("NULL", Keyword::Null),
    ("TRUE", Keyword::True),
    ("FALSE", Keyword::False),
    ("OUTBOUND", Keyword::Outbound),
    ("INBOUND", Keyword::Inbound),
    ("GRAPH", Keyword::Graph),
    ("SHORTEST_PATH", Keyword::ShortestPath),
    ("PRUNE", Keyword::Prune),
    ("SEARCH", Keyword::Search),
];

impl Keyword {
    /// The keyword spelled `word` (any case), if it is one.
    pub fn lookup(word: &str) -> Option<Keyword> {
        KEYWORDS.iter().find(|(k, _)| k.eq_ignore_ascii_case(word)).map(|&(_, kw)| kw)
    }

    /// The canonical (upper-case) spelling.
    pub fn as_str(self) -> &'static str {
        KEYWORDS.iter().find(|&&(_, kw)| kw == self).map_or("?", |&(s, _)| s)
    }

    /// Keywords that ArangoDB treats as plain names outside their clause (`KEEP`,
    /// `OPTIONS`, `PRUNE`, `SEARCH`): they may name variables, collections, attributes
    /// and functions (`KEEP(doc, 'a')`).
    pub fn is_soft(self) -> bool {
        matches!(self, Keyword::Keep | Keyword::Options | Keyword::Prune | Keyword::Search)
    }

    /// How ArangoDB names the token in syntax errors.
    pub fn describe(self) -> String {
        use Keyword::*;
        let s = self.as_str();
        match self {
            For | Let | Filter | Return | Collect | Sort | Limit | Window => format!("{s} declaration"),
            Distinct => "DISTINCT modifier".to_string(),
            Insert | Update | Replace | Remove | Upsert => format!("{s} command"),
            Null => "null".to_string(),
            True => "true".to_string(),
            False => "false".to_string(),
            Not => "not operator".to_string(),
            And => "and operator".to_string(),
            Or => "or operator".to_string(),
            Like => "like operator".to_string(),
            Outbound | Inbound | Any | All | None => format!("{} modifier", s.to_ascii_lowercase()),
            _ => format!("{s} keyword"),
        }
    }
}

/// Operators and punctuation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sym {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `=~`
    RegexMatch,
    /// `!~`
    RegexNotMatch,
    /// `&&`
    AndAnd,
    /// `||`
    OrOr,
    /// `!`
    Bang,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `/`
    Slash,
    /// `%`
    Percent,
    /// `?`
    Question,
    /// `:`
    Colon,
    /// `::`
    Scope,
    /// `..`
    Range,
    /// `.`
    Dot,
    /// `,`
    Comma,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `=`
    Assign,
}

impl Sym {
    /// The symbol as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Sym::Eq => "==",
            Sym::Ne => "!=",
            Sym::Lt => "<",
            Sym::Le => "<=",
            Sym::Gt => ">",
            Sym::Ge => ">=",
            Sym::RegexMatch => "=~",
            Sym::RegexNotMatch => "!~",
            Sym::AndAnd => "&&",
            Sym::OrOr => "||",
            Sym::Bang => "!",
            Sym::Plus => "+",
            Sym::Minus => "-",
            Sym::Star => "*",
            Sym::Slash => "/",
            Sym::Percent => "%",
            Sym::Question => "?",
            Sym::Colon => ":",
            Sym::Scope => "::",
            Sym::Range => "..",
            Sym::Dot => ".",
            Sym::Comma => ",",
            Sym::LParen => "(",
            Sym::RParen => ")",
            Sym::LBracket => "[",
            Sym::RBracket => "]",
            Sym::LBrace => "{",
            Sym::RBrace => "}",
            Sym::Assign => "=",
        }
    }
}

impl fmt::Display for Sym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenKind {
    /// An unquoted name that is not a keyword.
    Ident(String),
    /// A name in backticks or forward ticks, unescaped (never a keyword).
    QuotedIdent(String),
    /// A keyword.
    Keyword(Keyword),
    /// A string literal, unescaped.
    String(String),
    /// A number literal; `integer` when written without fraction or exponent.
    Number { value: f64, integer: bool },
    /// `@name` (the name without `@`).
    Bind(String),
    /// `@@name` (the name without `@@`).
    BindCollection(String),
    /// An operator or punctuation.
    Sym(Sym),
    /// The end of the query text.
    Eof,
}

/// A token and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Its bytes in the query text.
    pub span: Span,
}

/// Converts query text into tokens, one at a time.
pub struct Lexer<'a> {
    text: &'a str,
    pos: usize,
}

/// Tokenizes all of `text`; the last token is [`TokenKind::Eof`].
pub fn tokenize(text: &str) -> Result<Vec<Token>, ParseError> {
    let (tokens, error) = tokenize_partial(text);
    match error {
        Some(e) => Err(e),
        None => Ok(tokens),
    }
}

/// Tokenizes `text` up to the first lexical error: the tokens before it (always ending
/// with an [`TokenKind::Eof`] token, placed at the error's position when there is one)
/// and the error. The parser uses this to report whichever error comes first in the text.
pub fn tokenize_partial(text: &str) -> (Vec<Token>, Option<ParseError>) {
    let mut lexer = Lexer::new(text);
    let mut tokens = Vec::new();
    loop {
        match lexer.next_token() {
            Ok(token) => {
                let eof = token.kind == TokenKind::Eof;
                tokens.push(token);
                if eof {
                    return (tokens, None);
                }
            }
            Err(e) => {
                tokens.push(Token { kind: TokenKind::Eof, span: Span { start: e.span.start, end: e.span.start } });
                return (tokens, Some(e));
            }
        }
    }
}

fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl<'a> Lexer<'a> {
    /// A lexer at the start of `text`.
    pub fn new(text: &'a str) -> Self {
        Lexer { text, pos: 0 }
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.text.as_bytes().get(at).copied()
    }

    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn error(&self, start: usize, end: usize, msg: impl Into<String>) -> ParseError {
        ParseError::new(self.text, Span { start, end }, msg)
    }

    fn token(&self, kind: TokenKind, start: usize) -> Token {
        Token { kind, span: Span { start, end: self.pos } }
    }

    /// Skips whitespace and comments.
    fn skip_trivia(&mut self) -> Result<(), ParseError> {
        loop {
            match self.byte(self.pos) {
                Some(b' ' | b'\t' | b'\r' | b'\n') => self.pos += 1,
                Some(b'/') if self.byte(self.pos + 1) == Some(b'/') => {
                    self.pos = self.rest().find('\n').map_or(self.text.len(), |i| self.pos + i + 1);
                }
                Some(b'/') if self.byte(self.pos + 1) == Some(b'*') => {
                    let start = self.pos;
                    match self.rest().get(2..).and_then(|r| r.find("*/")) {
                        Some(i) => self.pos += 2 + i + 2,
                        None => return Err(self.error(start, self.text.len(), "unterminated comment")),
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// The next token ([`TokenKind::Eof`] at the end, repeatedly).
    pub fn next_token(&mut self) -> Result<Token, ParseError> {
        self.skip_trivia()?;
        let start = self.pos;
        let Some(c) = self.rest().chars().next() else {
            return Ok(Token { kind: TokenKind::Eof, span: Span { start, end: start } });
        };
        let next = self.byte(start + 1);
        let sym2 = |s: Sym, this: &mut Self| {
            this.pos += 2;
            Ok(this.token(TokenKind::Sym(s), start))
        };
        let sym1 = |s: Sym, this: &mut Self| {
            this.pos += 1;
            Ok(this.token(TokenKind::Sym(s), start))
        };
        match c {
            'a'..='z' | 'A'..='Z' | '_' | '$' => self.ident(start),
            '0'..='9' => self.number(start),
            '.' if next.is_some_and(|b| b.is_ascii_digit()) => self.number(start),
            '"' | '\'' => {
                let value = self.quoted(start, c, "unterminated string literal")?;
                Ok(self.token(TokenKind::String(value), start))
            }
            '`' | '\u{b4}' => {
                let value = self.quoted(start, c, "unterminated quoted name")?;
                Ok(self.token(TokenKind::QuotedIdent(value), start))
            }
            '@' => self.bind(start),
            '=' if next == Some(b'=') => sym2(Sym::Eq, self),
            '=' if next == Some(b'~') => sym2(Sym::RegexMatch, self),
            '=' => sym1(Sym::Assign, self),
            '!' if next == Some(b'=') => sym2(Sym::Ne, self),
            '!' if next == Some(b'~') => sym2(Sym::RegexNotMatch, self),
            '!' => sym1(Sym::Bang, self),
            '<' if next == Some(b'=') => sym2(Sym::Le, self),
            '<' => sym1(Sym::Lt, self),
            '>' if next == Some(b'=') => sym2(Sym::Ge, self),
            '>' => sym1(Sym::Gt, self),
            '&' if next == Some(b'&') => sym2(Sym::AndAnd, self),
            '|' if next == Some(b'|') => sym2(Sym::OrOr, self),
            ':' if next == Some(b':') => sym2(Sym::Scope, self),
            ':' => sym1(Sym::Colon, self),
            '.' if next == Some(b'.') => sym2(Sym::Range, self),
            '.' => sym1(Sym::Dot, self),
            '+' => sym1(Sym::Plus, self),
            '-' => sym1(Sym::Minus, self),
            '*' => sym1(Sym::Star, self),
            '/' => sym1(Sym::Slash, self),
            '%' => sym1(Sym::Percent, self),
            '?' => sym1(Sym::Question, self),
            ',' => sym1(Sym::Comma, self),
            '(' => sym1(Sym::LParen, self),
            ')' => sym1(Sym::RParen, self),
            '[' => sym1(Sym::LBracket, self),
            ']' => sym1(Sym::RBracket, self),
            '{' => sym1(Sym::LBrace, self),
            '}' => sym1(Sym::RBrace, self),
            _ => Err(self.error(start, start + c.len_utf8(), format!("unexpected character '{c}'"))),
        }
    }

    /// A name or keyword at `start` (a letter, `_` or `$`).
    fn ident(&mut self, start: usize) -> Result<Token, ParseError> {
        let bytes = self.text.as_bytes();
        let mut i = start;
        let dollar = bytes.get(i) == Some(&b'$');
        if dollar {
            i += 1;
        } else {
            while bytes.get(i) == Some(&b'_') {
                i += 1;
            }
        }
        // After `$` or leading underscores a letter must follow.
        if !bytes.get(i).is_some_and(|b| b.is_ascii_alphabetic()) {
            let bad = if dollar { '$' } else { '_' };
            let end = if i > start { i } else { start + 1 };
            return Err(self.error(start, end, format!("unexpected character '{bad}'")));
        }
        while bytes.get(i).copied().is_some_and(is_ident_continue) {
            i += 1;
        }
        self.pos = i;
        let word = self.text.get(start..i).unwrap_or("");
        let kind = match Keyword::lookup(word) {
            Some(kw) if !dollar => TokenKind::Keyword(kw),
            _ => TokenKind::Ident(word.to_string()),
        };
        Ok(self.token(kind, start))
    }

    /// A number literal at `start` (a digit, or `.` followed by a digit).
    fn number(&mut self, start: usize) -> Result<Token, ParseError> {
        let bytes = self.text.as_bytes();
        let digits_from = |mut i: usize, ok: fn(u8) -> bool| {
            while bytes.get(i).copied().is_some_and(ok) {
                i += 1;
            }
            i
        };
        // Hexadecimal and binary integers.
        if bytes.get(start) == Some(&b'0') {
            let radix = match bytes.get(start + 1) {
                Some(b'x' | b'X') => 16,
                Some(b'b' | b'B') => 2,
                _ => 0,
            };
            let ok: fn(u8) -> bool = if radix == 16 { |b| b.is_ascii_hexdigit() } else { |b| b == b'0' || b == b'1' };
            if radix != 0 && bytes.get(start + 2).copied().is_some_and(ok) {
                let end = digits_from(start + 2, ok);
                let mut value = 0f64;
                for &b in bytes.get(start + 2..end).unwrap_or(&[]) {
                    let d = char::from(b).to_digit(radix).unwrap_or(0);
                    value = value * f64::from(radix) + f64::from(d);
                }
                self.pos = end;
                return self.finish_number(start, value, true);
            }
        }
        let mut i = start;
        let mut integer = true;
        if bytes.get(i) == Some(&b'0') {
            // No leading zeros: `01` is `0` followed by `1`.
            i += 1;
        } else {
            i = digits_from(i, |b| b.is_ascii_digit());
        }
        // A fraction needs a digit after the dot (`1..2` is a range, `1.` is `1` and `.`).
        if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(|b| b.is_ascii_digit()) {
            integer = false;
            i = digits_from(i + 1, |b| b.is_ascii_digit());
        }
        if matches!(bytes.get(i), Some(b'e' | b'E')) {
            let mut j = i + 1;
            if matches!(bytes.get(j), Some(b'+' | b'-')) {
                j += 1;
            }
            if bytes.get(j).is_some_and(|b| b.is_ascii_digit()) {
                integer = false;
                i = digits_from(j, |b| b.is_ascii_digit());
            }
        }
        self.pos = i;
        let raw = self.text.get(start..i).unwrap_or("");
        let value: f64 = raw.parse().map_err(|_| self.error(start, i, format!("invalid number '{raw}'")))?;
        self.finish_number(start, value, integer)
    }

    fn finish_number(&mut self, start: usize, value: f64, integer: bool) -> Result<Token, ParseError> {
        if !value.is_finite() {
            let raw = self.text.get(start..self.pos).unwrap_or("");
            return Err(self.error(start, self.pos, format!("number out of range '{raw}'")));
        }
        Ok(self.token(TokenKind::Number { value, integer }, start))
    }

    /// `@name` or `@@name` at `start`.
    fn bind(&mut self, start: usize) -> Result<Token, ParseError> {
        let bytes = self.text.as_bytes();
        let collection = bytes.get(start + 1) == Some(&b'@');
        let name_start = if collection { start + 2 } else { start + 1 };
        // `_+[A-Za-z0-9][A-Za-z0-9_]*` or `[A-Za-z0-9][A-Za-z0-9_]*`.
        let mut i = name_start;
        while bytes.get(i) == Some(&b'_') {
            i += 1;
        }
        if !bytes.get(i).is_some_and(|b| b.is_ascii_alphanumeric()) {
            let end = (i + 1).min(self.text.len()).max(name_start);
            let end = if self.text.is_char_boundary(end) { end } else { name_start };
            return Err(self.error(start, end, "invalid bind parameter name"));
        }
        while bytes.get(i).copied().is_some_and(is_ident_continue) {
            i += 1;
        }
        self.pos = i;
        let name = self.text.get(name_start..i).unwrap_or("").to_string();
        let kind = if collection { TokenKind::BindCollection(name) } else { TokenKind::Bind(name) };
        Ok(self.token(kind, start))
    }

    /// The unescaped contents of a string or quoted name opened by `quote` at `start`;
    /// leaves `pos` after the closing quote.
    fn quoted(&mut self, start: usize, quote: char, unterminated: &str) -> Result<String, ParseError> {
        let mut out = String::new();
        let mut i = start + quote.len_utf8();
        loop {
            let Some(c) = self.text.get(i..).and_then(|r| r.chars().next()) else {
                return Err(self.error(start, self.text.len(), unterminated));
            };
            if c == quote {
                self.pos = i + c.len_utf8();
                return Ok(out);
            }
            if c != '\\' {
                out.push(c);
                i += c.len_utf8();
                continue;
            }
            let Some(e) = self.text.get(i + 1..).and_then(|r| r.chars().next()) else {
                return Err(self.error(start, self.text.len(), unterminated));
            };
            let esc_end = i + 1 + e.len_utf8();
            match e {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                '\\' | '"' | '\'' | '/' | '`' | '\u{b4}' => out.push(e),
                'u' => {
                    let (ch, end) = self.unicode_escape(i)?;
                    out.push(ch);
                    i = end;
                    continue;
                }
                _ => return Err(self.error(i, esc_end, format!("invalid escape sequence '\\{e}'"))),
            }
            i = esc_end;
        }
    }

    /// Four hex digits after `\u` at `at` (the backslash).
    fn hex4(&self, at: usize) -> Option<u32> {
        let digits = self.text.get(at + 2..at + 6)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(digits, 16).ok()
    }

    /// `\uXXXX` (or a surrogate pair `\uD83D\uDE00`) at `at`: the character and the byte
    /// after the escape.
    fn unicode_escape(&self, at: usize) -> Result<(char, usize), ParseError> {
        let bad = |end: usize| {
            let end = end.min(self.text.len());
            let end = (at + 2..=end).rev().find(|&e| self.text.is_char_boundary(e)).unwrap_or(at + 2);
            let raw = self.text.get(at..end).unwrap_or("\\u");
            self.error(at, end, format!("invalid escape sequence '{raw}'"))
        };
        let hi = self.hex4(at).ok_or_else(|| bad(at + 6))?;
        if (0xD800..0xDC00).contains(&hi) {
            let lo = if self.text.get(at + 6..at + 8) == Some("\\u") { self.hex4(at + 6) } else { None };
            match lo {
                Some(lo) if (0xDC00..0xE000).contains(&lo) => {
                    let code = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                    let ch = char::from_u32(code).ok_or_else(|| bad(at + 12))?;
                    Ok((ch, at + 12))
                }
                _ => Err(bad(at + 6)),
            }
        } else {
            let ch = char::from_u32(hi).ok_or_else(|| bad(at + 6))?;
            Ok((ch, at + 6))
        }
    }
}

/// How a token is named in a syntax error (`identifier 'x'`, `'='`, `end of query`).
pub fn describe(token: &Token, text: &str) -> String {
    let raw = text.get(token.span.start..token.span.end).unwrap_or("");
    match &token.kind {
        TokenKind::Ident(name) | TokenKind::QuotedIdent(name) => format!("identifier '{}'", shorten(name)),
        TokenKind::Keyword(kw) => kw.describe(),
        TokenKind::String(_) => format!("quoted string {}", shorten(raw)),
        TokenKind::Number { integer: true, .. } => format!("integer number '{}'", shorten(raw)),
        TokenKind::Number { .. } => format!("number '{}'", shorten(raw)),
        TokenKind::Bind(_) => format!("bind parameter '{}'", shorten(raw)),
        TokenKind::BindCollection(_) => format!("bind data source parameter '{}'", shorten(raw)),
        TokenKind::Sym(s) => format!("'{s}'"),
        TokenKind::Eof => "end of query".to_string(),
    }
}

/// `s`, cut to at most 40 characters (with `...`).
fn shorten(s: &str) -> String {
    const MAX: usize = 40;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}...", s.get(..i).unwrap_or(s)),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<TokenKind> {
        tokenize(text).unwrap().into_iter().map(|t| t.kind).collect()
    }

    fn num(value: f64, integer: bool) -> TokenKind {
        TokenKind::Number { value, integer }
    }

    fn err(text: &str) -> ParseError {
        tokenize(text).unwrap_err()
    }

    #[test]
    fn keywords_are_case_insensitive_whole_words() {
        assert_eq!(
            kinds("for FoR In forx"),
            vec![
                TokenKind::Keyword(Keyword::For),
                TokenKind::Keyword(Keyword::For),
                TokenKind::Keyword(Keyword::In),
                TokenKind::Ident("forx".into()),
                TokenKind::Eof
            ]
        );
        assert_eq!(kinds("shortest_path")[0], TokenKind::Keyword(Keyword::ShortestPath));
        assert_eq!(kinds("$for")[0], TokenKind::Ident("$for".into()));
    }

    #[test]
    fn identifiers_follow_arangodb_rules() {
        assert_eq!(
            kinds("_key $x __a1 a_b9")[..4],
            [
                TokenKind::Ident("_key".into()),
                TokenKind::Ident("$x".into()),
                TokenKind::Ident("__a1".into()),
                TokenKind::Ident("a_b9".into())
            ]
        );
        assert_eq!(err("_1").message, "unexpected character '_'");
        assert_eq!(err("RETURN $").message, "unexpected character '$'");
        assert_eq!(err("RETURN #").message, "unexpected character '#'");
        assert_eq!(err("RETURN ü").span, Span { start: 7, end: 9 });
    }

    #[test]
    fn quoted_identifiers() {
        assert_eq!(kinds("`my var` ´for´")[..2], [TokenKind::QuotedIdent("my var".into()), TokenKind::QuotedIdent("for".into())]);
        assert_eq!(kinds(r"`a\`b`")[0], TokenKind::QuotedIdent("a`b".into()));
        assert_eq!(err("`abc").message, "unterminated quoted name");
    }

    #[test]
    fn strings_and_escapes() {
        assert_eq!(kinds(r#""a\"b" 'c\'d'"#)[..2], [TokenKind::String("a\"b".into()), TokenKind::String("c'd".into())]);
        assert_eq!(kinds(r#""\n\t\r\b\f\\\/""#)[0], TokenKind::String("\n\t\r\u{8}\u{c}\\/".into()));
        assert_eq!(kinds(r#""\u00e9\u20AC""#)[0], TokenKind::String("é€".into()));
        assert_eq!(kinds(r#""\ud83d\ude00""#)[0], TokenKind::String("😀".into()));
        assert_eq!(kinds("'multi\nline'")[0], TokenKind::String("multi\nline".into()));
        assert_eq!(kinds("'ü'")[0], TokenKind::String("ü".into()));
        let e = err(r#"RETURN "a\qb""#);
        assert_eq!(e.message, "invalid escape sequence '\\q'");
        assert_eq!(e.span, Span { start: 9, end: 11 });
        assert_eq!(err(r#""\ud83d""#).message, "invalid escape sequence '\\ud83d'");
        assert_eq!(err(r#""\u12""#).message, "invalid escape sequence '\\u12\"'");
        assert_eq!(err(r#""\u1"#).message, "invalid escape sequence '\\u1'");
        let e = err("RETURN 'abc");
        assert_eq!(e.message, "unterminated string literal");
        assert_eq!(e.position.column, 8);
        assert_eq!(err("'abc\\").message, "unterminated string literal");
    }

    #[test]
    fn numbers() {
        assert_eq!(
            kinds("0 42 1.5 .5 1e3 2.5E-2 0x1F 0b101 0XfF")[..9],
            [
                num(0.0, true),
                num(42.0, true),
                num(1.5, false),
                num(0.5, false),
                num(1000.0, false),
                num(0.025, false),
                num(31.0, true),
                num(5.0, true),
                num(255.0, true)
            ]
        );
        assert_eq!(kinds("1..10")[..3], [num(1.0, true), TokenKind::Sym(Sym::Range), num(10.0, true)]);
        assert_eq!(kinds("1.5..2.5")[..3], [num(1.5, false), TokenKind::Sym(Sym::Range), num(2.5, false)]);
        assert_eq!(kinds("1.")[..2], [num(1.0, true), TokenKind::Sym(Sym::Dot)]);
        assert_eq!(kinds("01")[..2], [num(0.0, true), num(1.0, true)]);
        assert_eq!(kinds("1e")[..2], [num(1.0, true), TokenKind::Ident("e".into())]);
        assert_eq!(kinds("0x")[..2], [num(0.0, true), TokenKind::Ident("x".into())]);
        assert_eq!(err("1e999").message, "number out of range '1e999'");
    }

    #[test]
    fn bind_parameters() {
        assert_eq!(
            kinds("@x @@coll @1 @_a")[..4],
            [
                TokenKind::Bind("x".into()),
                TokenKind::BindCollection("coll".into()),
                TokenKind::Bind("1".into()),
                TokenKind::Bind("_a".into())
            ]
        );
        assert_eq!(err("@ x").message, "invalid bind parameter name");
        assert_eq!(err("@@").message, "invalid bind parameter name");
        assert_eq!(err("@_").message, "invalid bind parameter name");
        assert_eq!(err("@é").span, Span { start: 0, end: 1 });
    }

    #[test]
    fn operators() {
        let syms: Vec<TokenKind> = "== != < <= > >= =~ !~ && || ! + - * / % ? : :: .. . , ( ) [ ] { } ="
            .split(' ')
            .map(|s| kinds(s).into_iter().next().unwrap())
            .collect();
        for (k, s) in syms.iter().zip("== != < <= > >= =~ !~ && || ! + - * / % ? : :: .. . , ( ) [ ] { } =".split(' ')) {
            match k {
                TokenKind::Sym(sym) => assert_eq!(sym.as_str(), s),
                other => panic!("{s}: {other:?}"),
            }
        }
        assert_eq!(
            kinds("[**]")[..4],
            [TokenKind::Sym(Sym::LBracket), TokenKind::Sym(Sym::Star), TokenKind::Sym(Sym::Star), TokenKind::Sym(Sym::RBracket)]
        );
        assert_eq!(err("a & b").message, "unexpected character '&'");
    }

    #[test]
    fn comments_and_spans() {
        let toks = tokenize("/* c */ RETURN // x\n 1 /* a\n b */").unwrap();
        assert_eq!(toks.len(), 3);
        assert_eq!(toks[0].span, Span { start: 8, end: 14 });
        assert_eq!(toks[1].span, Span { start: 21, end: 22 });
        assert_eq!(toks[2].span, Span { start: 33, end: 33 });
        assert_eq!(kinds("1 // end").len(), 2);
        assert_eq!(kinds("a/b")[1], TokenKind::Sym(Sym::Slash));
        let e = err("RETURN 1 /* open");
        assert_eq!(e.message, "unterminated comment");
        assert_eq!(e.position.column, 10);
    }

    #[test]
    fn partial_tokenization_keeps_tokens_before_the_error() {
        let (toks, e) = tokenize_partial("RETURN 'x");
        assert_eq!(toks.len(), 2);
        assert_eq!(toks[1].kind, TokenKind::Eof);
        assert_eq!(toks[1].span.start, 7);
        assert!(e.is_some());
    }

    #[test]
    fn descriptions() {
        let text = "x FOR 'a' 12 1.5 @p @@c == INTO";
        let toks = tokenize(text).unwrap();
        let d: Vec<String> = toks.iter().map(|t| describe(t, text)).collect();
        assert_eq!(
            d,
            [
                "identifier 'x'",
                "FOR declaration",
                "quoted string 'a'",
                "integer number '12'",
                "number '1.5'",
                "bind parameter '@p'",
                "bind data source parameter '@@c'",
                "'=='",
                "INTO keyword",
                "end of query"
            ]
        );
        let long = format!("'{}'", "é".repeat(100));
        let toks = tokenize(&long).unwrap();
        assert!(describe(&toks[0], &long).ends_with("..."));
    }
}
