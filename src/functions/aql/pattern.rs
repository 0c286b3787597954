//! AQL's `LIKE` patterns and the regular expressions of `=~` / `REGEX_TEST`.
//!
//! `LIKE`: `%` matches any sequence (also empty), `_` any one character, `\%`, `\_` and
//! `\\` match the character itself; everything else matches itself, case-sensitively
//! unless asked otherwise. Regular expressions use the `regex` crate's syntax, which
//! covers the ICU syntax ArangoDB documents except look-around and back-references.

use datafusion::common::Result;
use quiverdb_catalog::{Error, ErrorCode};
use regex::Regex;
use std::collections::HashMap;

/// Compiled expressions of one batch, by pattern; `[case-sensitive, case-insensitive]`.
#[derive(Default)]
pub struct RegexCache {
    compiled: [HashMap<String, Regex>; 2],
}

impl RegexCache {
    /// The compiled `pattern`; an invalid pattern is a 2201B error naming it. A pattern
    /// seen before in the batch is found without allocating.
    pub fn get(&mut self, pattern: &str, case_insensitive: bool) -> Result<&Regex> {
        let map = &mut self.compiled[usize::from(case_insensitive)];
        if !map.contains_key(pattern) {
            let re = regex::RegexBuilder::new(pattern)
                .case_insensitive(case_insensitive)
                .size_limit(1 << 22)
                .build()
                .map_err(|e| Error::new(ErrorCode::InvalidRegularExpression, format!("invalid regular expression '{pattern}': {e}")))?;
            if map.len() > 64 {
                map.clear();
            }
            map.insert(pattern.to_string(), re);
        }
        map.get(pattern).ok_or_else(|| Error::internal("regex cache").into())
    }
}

/// One element of a parsed LIKE pattern.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok {
    Any,
    One,
    Char(char),
}

fn tokens(pattern: &str, fold: bool) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        out.push(match c {
            '%' => Tok::Any,
            '_' => Tok::One,
            '\\' => match chars.next() {
                Some(n) => Tok::Char(fold_char(n, fold)),
                None => Tok::Char('\\'),
            },
            c => Tok::Char(fold_char(c, fold)),
        });
    }
    out
}

fn fold_char(c: char, fold: bool) -> char {
    if fold { c.to_lowercase().next().unwrap_or(c) } else { c }
}

/// Does `text` match the LIKE `pattern`? Linear-time matching with one backtrack point
/// per `%` (the classic greedy algorithm), so hostile patterns cannot blow up.
pub fn like(text: &str, pattern: &str, case_insensitive: bool) -> bool {
    let toks = tokens(pattern, case_insensitive);
    let text: Vec<char> = text.chars().map(|c| fold_char(c, case_insensitive)).collect();
    let (mut t, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match toks.get(p) {
            Some(Tok::Any) => {
                star = Some((p, t));
                p += 1;
            }
            Some(Tok::One) => {
                t += 1;
                p += 1;
            }
            Some(Tok::Char(c)) if *c == text[t] => {
                t += 1;
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    toks[p.min(toks.len())..].iter().all(|t| *t == Tok::Any)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns() {
        assert!(like("cart", "ca_t", false));
        assert!(like("cart", "c%", false));
        assert!(like("", "%", false));
        assert!(!like("", "_", false));
        assert!(like("abc", "%b%", false));
        assert!(!like("abc", "%d%", false));
        assert!(like("a%c", "a\\%c", false));
        assert!(!like("abc", "a\\%c", false));
        assert!(like("a_c", "a\\_c", false));
        assert!(!like("ABC", "abc", false));
        assert!(like("ABC", "abc", true));
        assert!(like("aaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "%a%a%a%a%a%a%a%b", false));
        assert!(!like("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "%a%a%a%a%a%a%a%b", false));
        assert!(like("über", "_ber", false));
    }

    #[test]
    fn bad_regex_is_an_error() {
        let mut c = RegexCache::default();
        assert!(c.get("(", false).is_err());
        assert!(c.get("^a.c$", false).unwrap().is_match("abc"));
        assert!(c.get("^A", true).unwrap().is_match("abc"));
    }
}
