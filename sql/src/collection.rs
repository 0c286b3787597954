//! `CREATE [EDGE] COLLECTION` and `DROP COLLECTION`: documents as tables.
//!
//! sqlparser knows neither statement, so [`rewrite_tokens`] turns them into statements it
//! does know before parsing, at the token level (spans stay those of the original text):
//!
//! ```text
//! CREATE [EDGE] COLLECTION [IF NOT EXISTS] name
//!   → CREATE TABLE [IF NOT EXISTS] name () WITH (quiver_collection = 'document' | 'edge')
//! DROP COLLECTION [IF EXISTS] name [, ...] [CASCADE | RESTRICT]
//!   → DROP TABLE [IF EXISTS] name [, ...] [CASCADE | RESTRICT] PURGE
//! ```
//!
//! The planner then gives a table marked this way the collection's columns
//! ([`collection_columns`]); PURGE (which PostgreSQL does not have) marks a drop that
//! accepts only collections.

use crate::parse::{next, word_at};
use datafusion::sql::sqlparser::ast::{CreateTableOptions, Expr, SqlOption, Value};
use datafusion::sql::sqlparser::keywords::Keyword;
use datafusion::sql::sqlparser::tokenizer::{Token, TokenWithSpan, Word};
use quiverdb_catalog::ddl::{NewColumn, NewKey};
use quiverdb_catalog::{CollectionKind, SqlType};

/// The table option that marks a collection.
pub const COLLECTION_OPTION: &str = "quiver_collection";

/// Rewrites a collection statement starting at token `start` (the statement's first
/// token, `CREATE` or `DROP`); returns whether it was one. Other statements are left as
/// they are.
pub fn rewrite_tokens(tokens: &mut Vec<TokenWithSpan>, start: usize) -> bool {
    let Some(verb) = word_at(tokens, start) else { return false };
    let mut i = next(tokens, start);
    if verb == "create" {
        let edge = word_at(tokens, i).as_deref() == Some("edge");
        let collection_at = if edge { next(tokens, i) } else { i };
        if word_at(tokens, collection_at).as_deref() != Some("collection") {
            return false;
        }
        let span = tokens[collection_at].span;
        tokens[collection_at].token = keyword("TABLE", Keyword::TABLE);
        if edge {
            tokens.drain(i..collection_at);
        }
        // Skip `IF NOT EXISTS` and the (possibly qualified) name.
        i = next(tokens, i);
        if word_at(tokens, i).as_deref() == Some("if") {
            i = next(tokens, next(tokens, next(tokens, i)));
        }
        if !matches!(tokens.get(i).map(|t| &t.token), Some(Token::Word(_))) {
            return true; // the parser reports the missing name
        }
        let mut end = i + 1;
        while matches!(tokens.get(end).map(|t| &t.token), Some(Token::Period))
            && matches!(tokens.get(end + 1).map(|t| &t.token), Some(Token::Word(_)))
        {
            end += 2;
        }
        let kind = if edge { "edge" } else { "document" };
        let inserted = [
            Token::Whitespace(datafusion::sql::sqlparser::tokenizer::Whitespace::Space),
            Token::LParen,
            Token::RParen,
            keyword("WITH", Keyword::WITH),
            Token::LParen,
            Token::Word(Word { value: COLLECTION_OPTION.into(), quote_style: None, keyword: Keyword::NoKeyword }),
            Token::Eq,
            Token::SingleQuotedString(kind.into()),
            Token::RParen,
        ];
        tokens.splice(end..end, inserted.into_iter().map(|token| TokenWithSpan { token, span }));
        return true;
    }
    if verb == "drop" && word_at(tokens, i).as_deref() == Some("collection") {
        let span = tokens[i].span;
        tokens[i].token = keyword("TABLE", Keyword::TABLE);
        let end = (i..tokens.len()).find(|&j| tokens[j].token == Token::SemiColon).unwrap_or(tokens.len());
        let purge = [Token::Whitespace(datafusion::sql::sqlparser::tokenizer::Whitespace::Space), keyword("PURGE", Keyword::PURGE)];
        tokens.splice(end..end, purge.into_iter().map(|token| TokenWithSpan { token, span }));
        return true;
    }
    false
}

/// The collection kind a CREATE TABLE's options mark, if any.
pub fn collection_option(options: &CreateTableOptions) -> Option<CollectionKind> {
    let CreateTableOptions::With(list) = options else { return None };
    list.iter().find_map(|o| match o {
        SqlOption::KeyValue { key, value: Expr::Value(v) } if key.value.eq_ignore_ascii_case(COLLECTION_OPTION) => match &v.value {
            Value::SingleQuotedString(s) if s == "edge" => Some(CollectionKind::Edge),
            Value::SingleQuotedString(s) if s == "document" => Some(CollectionKind::Document),
            _ => None,
        },
        _ => None,
    })
}

/// The columns and primary key of a collection of `kind`: `_key text` (the primary key),
/// `_id text`, `doc jsonb`, and for edges `_from text`, `_to text`; all NOT NULL.
pub fn collection_columns(table: &str, kind: CollectionKind) -> (Vec<NewColumn>, NewKey) {
    let columns = kind
        .columns()
        .iter()
        .map(|&name| NewColumn {
            name: name.to_string(),
            ty: if name == "doc" { SqlType::Jsonb } else { SqlType::Text },
            not_null: true,
            default: None,
            identity: None,
        })
        .collect();
    (columns, NewKey { name: format!("{table}_pkey"), columns: vec!["_key".to_string()] })
}

fn keyword(value: &str, keyword: Keyword) -> Token {
    Token::Word(Word { value: value.into(), quote_style: None, keyword })
}
