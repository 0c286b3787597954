//! Identifiers as PostgreSQL prints them (`quote_ident`, `pg_get_indexdef`, `format`).

/// Reserved words that always need quoting as identifiers.
const RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "current_catalog",
    "current_date",
    "current_role",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "initially",
    "intersect",
    "into",
    "lateral",
    "leading",
    "limit",
    "localtime",
    "localtimestamp",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "placing",
    "primary",
    "references",
    "returning",
    "select",
    "session_user",
    "some",
    "symmetric",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "when",
    "where",
    "window",
    "with",
];

/// `quote_ident`: double quotes unless `s` is a plain lower-case identifier.
pub fn quote_ident(s: &str) -> String {
    let plain = s.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
        && !RESERVED.contains(&s);
    if plain { s.to_string() } else { format!("\"{}\"", s.replace('"', "\"\"")) }
}

/// `parse_ident(text, strict)`: the parts of a qualified name — unquoted parts lower-cased,
/// `"quoted"` parts kept (with `""` read as `"`), whitespace around parts and dots ignored.
/// `None` when the text does not start with a valid name, or (`strict`) has anything after it.
pub fn parse_ident(text: &str, strict: bool) -> Option<Vec<String>> {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut parts = Vec::new();
    let skip_space = |i: &mut usize| {
        while *i < chars.len() && chars[*i].is_whitespace() {
            *i += 1;
        }
    };
    loop {
        skip_space(&mut i);
        let mut part = String::new();
        if chars.get(i) == Some(&'"') {
            i += 1;
            loop {
                match chars.get(i) {
                    None => return None,
                    Some('"') if chars.get(i + 1) == Some(&'"') => {
                        part.push('"');
                        i += 2;
                    }
                    Some('"') => {
                        i += 1;
                        break;
                    }
                    Some(c) => {
                        part.push(*c);
                        i += 1;
                    }
                }
            }
            if part.is_empty() {
                return None;
            }
        } else {
            while let Some(c) = chars.get(i).filter(|c| c.is_alphanumeric() || **c == '_' || **c == '$') {
                part.extend(c.to_lowercase());
                i += 1;
            }
            if part.is_empty() {
                return None;
            }
        }
        parts.push(part);
        skip_space(&mut i);
        if chars.get(i) == Some(&'.') {
            i += 1;
            continue;
        }
        break;
    }
    (!strict || i == chars.len()).then_some(parts)
}

#[cfg(test)]
mod parse_ident_tests {
    use super::parse_ident;

    #[test]
    fn parts_are_lowercased_unless_quoted() {
        assert_eq!(parse_ident("SomeSchema.\"SomeTable\"", true), Some(vec!["someschema".to_string(), "SomeTable".to_string()]));
        assert_eq!(parse_ident(" a . \"b\"\"c\" ", true), Some(vec!["a".to_string(), "b\"c".to_string()]));
        assert_eq!(parse_ident("orders", true), Some(vec!["orders".to_string()]));
        assert_eq!(parse_ident("a.b()", true), None);
        assert_eq!(parse_ident("a.b()", false), Some(vec!["a".to_string(), "b".to_string()]));
        assert_eq!(parse_ident("a..b", true), None);
        assert_eq!(parse_ident("\"\"", true), None);
    }
}
