//! SQL text → statements, with PostgreSQL-style syntax errors.
//!
//! sqlparser reports `Expected: ..., found: X at Line: l, Column: c`; PostgreSQL says
//! `syntax error at or near "X"` with a character position. We report PostgreSQL's form
//! (clients and tests match on it) and keep sqlparser's expectation as a hint.

use datafusion::sql::sqlparser::ast::{BinaryOperator, Expr, Spanned, Statement, VisitMut, VisitorMut};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::keywords::Keyword;
use datafusion::sql::sqlparser::parser::{Parser, ParserError};
use datafusion::sql::sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer, Word};
use quiverdb_catalog::{Error, ErrorCode};
use std::ops::ControlFlow;

/// Deepest expression nesting accepted before "stack depth limit exceeded".
const RECURSION_LIMIT: usize = 200;

/// Parses one or more `;`-separated statements.
pub fn parse(sql: &str) -> Result<Vec<Statement>, Error> {
    let dialect = PostgreSqlDialect {};
    let tokens = Tokenizer::new(&dialect, sql)
        .with_unescape(true)
        .tokenize_with_location()
        .map_err(|e| convert(sql, ParserError::TokenizerError(e.to_string())))?;
    let (tokens, symmetric) = normalize(sql, tokens)?;
    let mut parser = Parser::new(&dialect).with_recursion_limit(RECURSION_LIMIT).with_tokens_with_locations(tokens);
    let mut stmts = parser.parse_statements().map_err(|e| convert(sql, e))?;
    if !symmetric.is_empty() {
        for stmt in stmts.iter_mut() {
            let _ = stmt.visit(&mut Symmetric { lows: &symmetric });
        }
    }
    Ok(stmts)
}

/// Token fixes for syntax sqlparser lacks: `ABORT` (= ROLLBACK) at the start of a
/// statement, collection DDL ([`crate::collection`]), CREATE/ALTER SEQUENCE ([`crate::sequence`]), CREATE/ALTER USER ([`crate::role`]), COPY's `FORCE_QUOTE *` (a marker
/// column list, see [`crate::copy::ALL_COLUMNS_QUOTE`]), and `BETWEEN SYMMETRIC` (the keyword is dropped; the locations of the
/// lower bounds are returned so the parsed BETWEENs can be made symmetric).
fn normalize(sql: &str, mut tokens: Vec<TokenWithSpan>) -> Result<(Vec<TokenWithSpan>, Vec<Location>), Error> {
    let mut at_start = true;
    let mut symmetric = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i].token {
            Token::Whitespace(_) => {}
            Token::SemiColon => at_start = true,
            Token::Word(w) if at_start && w.quote_style.is_none() && w.value.eq_ignore_ascii_case("abort") => {
                tokens[i].token = Token::Word(Word { value: "ROLLBACK".into(), quote_style: None, keyword: Keyword::ROLLBACK });
                at_start = false;
            }
            Token::Word(w)
                if at_start && w.quote_style.is_none() && (w.keyword == Keyword::FETCH || w.value.eq_ignore_ascii_case("move")) =>
            {
                fetch_tokens(&mut tokens, i);
                at_start = false;
            }
            Token::Word(w) if at_start && w.quote_style.is_none() && matches!(w.keyword, Keyword::CREATE | Keyword::DROP) => {
                if !crate::collection::rewrite_tokens(&mut tokens, i) && !crate::sequence::rewrite_tokens(sql, &mut tokens, i)? {
                    crate::role::rewrite_tokens(&mut tokens, i);
                }
                at_start = false;
            }
            Token::Word(w) if at_start && w.quote_style.is_none() && w.keyword == Keyword::ALTER => {
                if !crate::sequence::rewrite_tokens(sql, &mut tokens, i)? {
                    crate::role::rewrite_tokens(&mut tokens, i);
                }
                at_start = false;
            }
            Token::Word(w) if w.keyword == Keyword::BETWEEN => {
                at_start = false;
                let next = (i + 1..tokens.len()).find(|&j| !matches!(tokens[j].token, Token::Whitespace(_)));
                if let Some(j) = next
                    && matches!(&tokens[j].token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("symmetric"))
                {
                    tokens.remove(j);
                    if let Some(k) = (j..tokens.len()).find(|&k| !matches!(tokens[k].token, Token::Whitespace(_))) {
                        symmetric.push(tokens[k].span.start);
                    }
                }
            }
            Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("identity") => {
                at_start = false;
                identity_option_order(&mut tokens, i);
            }
            Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("force_quote") => {
                at_start = false;
                let next = (i + 1..tokens.len()).find(|&j| !matches!(tokens[j].token, Token::Whitespace(_)));
                if let Some(j) = next
                    && tokens[j].token == Token::Mul
                {
                    let span = tokens[j].span;
                    let marker = Word { value: "*".into(), quote_style: Some(crate::copy::ALL_COLUMNS_QUOTE), keyword: Keyword::NoKeyword };
                    let parts = [Token::LParen, Token::Word(marker), Token::RParen].map(|token| TokenWithSpan { token, span });
                    tokens.splice(j..=j, parts);
                }
            }
            _ => at_start = false,
        }
        i += 1;
    }
    Ok((tokens, symmetric))
}

/// `... AS IDENTITY (options)` at token `i` with the options in the one order sqlparser
/// reads (INCREMENT, MINVALUE, MAXVALUE, START, CACHE, CYCLE); PostgreSQL takes any order.
fn identity_option_order(tokens: &mut [TokenWithSpan], i: usize) {
    let open = next(tokens, i);
    if tokens.get(open).map(|t| &t.token) != Some(&Token::LParen) {
        return;
    }
    let Some(close) = (open + 1..tokens.len()).find(|&j| matches!(tokens[j].token, Token::RParen | Token::LParen)) else {
        return;
    };
    if tokens[close].token != Token::RParen {
        return;
    }
    let rank = |word: &str| match word {
        "increment" => Some(0),
        "minvalue" => Some(1),
        "maxvalue" => Some(2),
        "start" => Some(3),
        "cache" => Some(4),
        "cycle" => Some(5),
        _ => None,
    };
    // Each option runs from its keyword (or the NO before it) to the next option.
    let mut prefix: Vec<TokenWithSpan> = Vec::new();
    let mut groups: Vec<(usize, Vec<TokenWithSpan>)> = Vec::new();
    let mut j = open + 1;
    while j < close {
        let word = word_at(tokens, j);
        let negated = word.as_deref() == Some("no");
        let key = if negated { word_at(tokens, next(tokens, j)) } else { word };
        match key.as_deref().and_then(rank) {
            Some(r) => {
                // `NO MINVALUE`: the NO and its keyword start one option.
                let end = if negated { next(tokens, j).min(close - 1) } else { j };
                groups.push((r, tokens[j..=end].to_vec()));
                j = end;
            }
            None => match groups.last_mut() {
                Some((_, g)) => g.push(tokens[j].clone()),
                None if matches!(tokens[j].token, Token::Whitespace(_)) => prefix.push(tokens[j].clone()),
                None => return,
            },
        }
        j += 1;
    }
    groups.sort_by_key(|(r, _)| *r);
    let reordered: Vec<TokenWithSpan> = prefix.into_iter().chain(groups.into_iter().flat_map(|(_, g)| g)).collect();
    if reordered.len() == close - open - 1 {
        tokens[open + 1..close].clone_from_slice(&reordered);
    }
}

/// Turns each `-` followed by a number in `tokens[from..end]` into one negative number
/// token; returns the new end.
pub(crate) fn merge_negative_numbers(tokens: &mut Vec<TokenWithSpan>, from: usize, mut end: usize) -> usize {
    let mut j = from;
    while j + 1 < end {
        if tokens[j].token == Token::Minus
            && let Token::Number(n, long) = &tokens[j + 1].token
        {
            tokens[j + 1].token = Token::Number(format!("-{n}"), *long);
            tokens.remove(j);
            end -= 1;
        }
        j += 1;
    }
    end
}

/// The lower-cased unquoted word at token `i`.
pub(crate) fn word_at(tokens: &[TokenWithSpan], i: usize) -> Option<String> {
    match tokens.get(i).map(|t| &t.token) {
        Some(Token::Word(w)) if w.quote_style.is_none() => Some(w.value.to_ascii_lowercase()),
        _ => None,
    }
}

/// The index of the first non-whitespace token after `i` (`tokens.len()` when none).
pub(crate) fn next(tokens: &[TokenWithSpan], i: usize) -> usize {
    (i + 1..tokens.len()).find(|&j| !matches!(tokens[j].token, Token::Whitespace(_))).unwrap_or(tokens.len())
}

/// `FETCH`/`MOVE [direction] [FROM | IN] cursor` at token `i`, in the shape sqlparser
/// parses: `FROM` inserted before the cursor name when missing, and `MOVE` spelled as
/// `FETCH ... INTO` [`crate::cursor::MOVE_MARKER`].
fn fetch_tokens(tokens: &mut Vec<TokenWithSpan>, i: usize) {
    let end = (i + 1..tokens.len()).find(|&j| tokens[j].token == Token::SemiColon).unwrap_or(tokens.len());
    // Negative counts (`ABSOLUTE -2`) as one number token.
    let mut end = merge_negative_numbers(tokens, i + 1, end);
    let words: Vec<usize> = (i + 1..end).filter(|&j| !matches!(tokens[j].token, Token::Whitespace(_))).collect();
    let span = tokens[i].span;
    let word = |value: &str, keyword: Keyword| TokenWithSpan {
        token: Token::Word(Word { value: value.into(), quote_style: None, keyword }),
        span,
    };
    let space = || TokenWithSpan { token: Token::Whitespace(datafusion::sql::sqlparser::tokenizer::Whitespace::Space), span };
    let is_move = matches!(&tokens[i].token, Token::Word(w) if w.keyword != Keyword::FETCH);
    if let Some(&name) = words.last() {
        let before = words.len().checked_sub(2).map(|k| &tokens[words[k]].token);
        let has_from =
            matches!(before, Some(Token::Word(w)) if w.quote_style.is_none() && matches!(w.keyword, Keyword::FROM | Keyword::IN));
        if !has_from {
            tokens.splice(name..name, [word("FROM", Keyword::FROM), space()]);
            end += 2;
        }
    }
    // sqlparser needs a direction, and a count after FORWARD / BACKWARD.
    let next_word =
        |tokens: &[TokenWithSpan], from: usize| (from..tokens.len()).find(|&j| !matches!(tokens[j].token, Token::Whitespace(_)));
    let is_from = |t: &Token| matches!(t, Token::Word(w) if w.quote_style.is_none() && matches!(w.keyword, Keyword::FROM | Keyword::IN));
    if let Some(first) = next_word(tokens, i + 1) {
        if is_from(&tokens[first].token) {
            tokens.splice(first..first, [word("NEXT", Keyword::NEXT), space()]);
            end += 2;
        } else if matches!(&tokens[first].token, Token::Word(w) if matches!(w.keyword, Keyword::FORWARD | Keyword::BACKWARD))
            && let Some(after) = next_word(tokens, first + 1)
            && is_from(&tokens[after].token)
        {
            tokens.splice(after..after, [TokenWithSpan { token: Token::Number("1".into(), false), span }, space()]);
            end += 2;
        }
    }
    if is_move {
        tokens[i] = word("FETCH", Keyword::FETCH);
        tokens.splice(end..end, [space(), word("INTO", Keyword::INTO), space(), word(crate::cursor::MOVE_MARKER, Keyword::NoKeyword)]);
    }
}

/// Turns `x BETWEEN a AND b` whose lower bound starts at a recorded location into
/// `(x BETWEEN a AND b OR x BETWEEN b AND a)`.
struct Symmetric<'a> {
    lows: &'a [Location],
}

impl VisitorMut for Symmetric<'_> {
    type Break = ();

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        if let Expr::Between { expr: x, negated, low, high } = expr
            && self.lows.contains(&low.span().start)
        {
            let forward = Expr::Between { expr: x.clone(), negated: false, low: low.clone(), high: high.clone() };
            let backward = Expr::Between { expr: x.clone(), negated: false, low: high.clone(), high: low.clone() };
            let either =
                Expr::Nested(Box::new(Expr::BinaryOp { left: Box::new(forward), op: BinaryOperator::Or, right: Box::new(backward) }));
            *expr = if *negated {
                Expr::UnaryOp { op: datafusion::sql::sqlparser::ast::UnaryOperator::Not, expr: Box::new(either) }
            } else {
                either
            };
        }
        ControlFlow::Continue(())
    }
}

/// Converts a sqlparser error into a PostgreSQL-style syntax error.
fn convert(sql: &str, err: ParserError) -> Error {
    match err {
        ParserError::RecursionLimitExceeded => Error::new(ErrorCode::ProgramLimitExceeded, "stack depth limit exceeded")
            .with_hint("The statement nests expressions too deeply."),
        ParserError::TokenizerError(msg) => {
            let (text, pos) = split_location(&msg);
            let position = pos.and_then(|(l, c)| offset(sql, l, c));
            let mut e = if text.contains("Unterminated string") || text.contains("unterminated") {
                let near = position.map(|p| near_token(sql, p as usize - 1)).unwrap_or_default();
                Error::syntax(format!("unterminated quoted string at or near \"{near}\""))
            } else {
                Error::syntax(format!("syntax error: {}", text.trim()))
            };
            if let Some(p) = position {
                e = e.with_position(p);
            }
            e
        }
        ParserError::ParserError(msg) => {
            let (text, pos) = split_location(&msg);
            let position = pos.and_then(|(l, c)| offset(sql, l, c));
            let found_eof = text.contains("found: EOF");
            let message = match (found_eof, position) {
                (true, _) => "syntax error at end of input".to_string(),
                (false, Some(p)) => format!("syntax error at or near \"{}\"", near_token(sql, p as usize - 1)),
                (false, None) => format!("syntax error: {}", text.trim()),
            };
            let mut e = Error::syntax(message);
            if let Some(p) = position {
                e = e.with_position(p);
            } else if found_eof {
                e = e.with_position(sql.chars().count() as u32 + 1);
            }
            let hint = text.trim().trim_end_matches('.');
            if !hint.is_empty() {
                e = e.with_hint(hint.replace("Expected: ", "Expected ").replace(", found:", ", found"));
            }
            e
        }
    }
}

/// Splits "... at Line: 1, Column: 8" into the text and (line, column).
fn split_location(msg: &str) -> (String, Option<(usize, usize)>) {
    let Some(at) = msg.rfind(" at Line: ") else {
        return (msg.to_string(), None);
    };
    let loc = &msg[at + " at Line: ".len()..];
    let mut parts = loc.split(", Column: ");
    let line = parts.next().and_then(|l| l.trim().parse().ok());
    let col = parts.next().and_then(|c| c.trim().trim_end_matches(|ch: char| !ch.is_ascii_digit()).parse().ok());
    match (line, col) {
        (Some(l), Some(c)) => (msg[..at].to_string(), Some((l, c))),
        _ => (msg.to_string(), None),
    }
}

/// 1-based character offset of (line, column) in `sql`.
fn offset(sql: &str, line: usize, col: usize) -> Option<u32> {
    let mut pos = 0usize;
    for (i, l) in sql.split('\n').enumerate() {
        if i + 1 == line {
            return Some((pos + col) as u32);
        }
        pos += l.chars().count() + 1;
    }
    None
}

/// The token starting at character index `at` (a word, a quoted string or one symbol).
fn near_token(sql: &str, at: usize) -> String {
    let chars: Vec<char> = sql.chars().collect();
    let Some(&first) = chars.get(at) else {
        return String::new();
    };
    let mut end = at + 1;
    if first.is_alphanumeric() || first == '_' {
        while end < chars.len() && (chars[end].is_alphanumeric() || chars[end] == '_' || chars[end] == '$') {
            end += 1;
        }
    } else if first == '\'' || first == '"' {
        while end < chars.len() && chars[end] != first {
            end += 1;
        }
        end = (end + 1).min(chars.len());
    } else {
        let ops = "<>=!~+-*/%^|&#@";
        if ops.contains(first) {
            while end < chars.len() && ops.contains(chars[end]) {
                end += 1;
            }
        }
    }
    chars[at..end].iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_look_like_postgres() {
        let e = parse("SELEC 1").unwrap_err();
        assert_eq!(e.code, ErrorCode::SyntaxError);
        assert_eq!(e.message, "syntax error at or near \"SELEC\"");
        assert_eq!(e.position, Some(1));

        let e = parse("SELECT 1 +").unwrap_err();
        assert_eq!(e.message, "syntax error at end of input");

        let e = parse("SELECT * FROM t WHERE").unwrap_err();
        assert_eq!(e.message, "syntax error at end of input");

        let e = parse("SELECT 'abc").unwrap_err();
        assert!(e.message.starts_with("unterminated quoted string"), "{}", e.message);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let sql = format!("SELECT {}1{}", "(".repeat(5000), ")".repeat(5000));
        let e = parse(&sql).unwrap_err();
        assert_eq!(e.code, ErrorCode::ProgramLimitExceeded);
    }

    #[test]
    fn abort_and_between_symmetric() {
        let s = parse("abort; select 1 where 2 between symmetric 3 and 1").unwrap();
        assert!(matches!(s[0], Statement::Rollback { .. }));
        assert!(s[1].to_string().contains("(2 BETWEEN 3 AND 1 OR 2 BETWEEN 1 AND 3)"), "{}", s[1]);
    }

    #[test]
    fn multiple_statements_parse() {
        assert_eq!(parse("SELECT 1; SELECT 2;").unwrap().len(), 2);
        assert!(parse("").unwrap().is_empty());
    }
}
