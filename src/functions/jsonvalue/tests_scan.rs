//! Tests of [`super::scan`]: hand-written cases for each function and edge case; a
//! property test checking the scanner against the tree API (`parse_jsonb` +
//! `get_field` / `get_index` / `get_path` / `get_field_text`) on generated documents,
//! both in canonical `jsonb` text and in the messier text they were generated as; and a
//! no-panic test on truncated and mutated text.

use std::borrow::Cow;

use super::scan::{Kind, element, field, kind, path, to_text};
use super::{JsonValue, parse_jsonb};

fn owned(text: Option<Cow<'_, str>>) -> Option<String> {
    text.map(Cow::into_owned)
}

#[test]
fn field_finds_top_level_members() {
    let doc = r#"{"a": 1, "b": [1, 2], "ab": {"c": null}, "abc": "x", "city": "Oslo"}"#;
    assert_eq!(field(doc, "a"), Some("1"));
    assert_eq!(field(doc, "b"), Some("[1, 2]"));
    assert_eq!(field(doc, "ab"), Some(r#"{"c": null}"#));
    assert_eq!(field(doc, "abc"), Some(r#""x""#));
    assert_eq!(field(doc, "city"), Some(r#""Oslo""#));
    // Prefixes and extensions of present keys, nested keys, the empty key.
    for absent in ["abcd", "ci", "cityx", "c", "", "A", "a "] {
        assert_eq!(field(doc, absent), None, "{absent:?}");
    }
    assert_eq!(field("{}", "a"), None);
    assert_eq!(field("{}", ""), None);
    assert_eq!(field(r#"{"": 0}"#, ""), Some("0"));
    for not_object in ["[1]", r#"["a"]"#, r#""a""#, "1", "null", "true", "[]"] {
        assert_eq!(field(not_object, "a"), None, "{not_object}");
    }
}

#[test]
fn field_unescapes_keys() {
    let doc = r#"{"\u00e9": 1, "a\"b": 2, "a\\b": 3, "\ud83d\ude00": 4, "\/": 5, "t\tx": 6, "\u0041": 7, "é2": 8}"#;
    assert_eq!(field(doc, "é"), Some("1"));
    assert_eq!(field(doc, "a\"b"), Some("2"));
    assert_eq!(field(doc, "a\\b"), Some("3"));
    assert_eq!(field(doc, "😀"), Some("4"));
    assert_eq!(field(doc, "/"), Some("5"));
    assert_eq!(field(doc, "t\tx"), Some("6"));
    assert_eq!(field(doc, "A"), Some("7"));
    assert_eq!(field(doc, "é2"), Some("8"));
    // The escaped spelling itself is not the key.
    for absent in ["\\u00e9", "a\\\"b", "a\\\\b", "\\/", "t\\tx", "a", "ab", "\u{FFFD}", "é\u{0}"] {
        assert_eq!(field(doc, absent), None, "{absent:?}");
    }
    // Escapes `jsonb` refuses never match (and do not stop the scan).
    assert_eq!(field(r#"{"\u0000": 1, "b": 2}"#, "\0"), None);
    assert_eq!(field(r#"{"\u0000": 1, "b": 2}"#, "b"), Some("2"));
    assert_eq!(field(r#"{"\ud800": 1}"#, "\u{FFFD}"), None);
    assert_eq!(field(r#"{"\udc00\ud800": 1}"#, "\u{FFFD}\u{FFFD}"), None);
    assert_eq!(field(r#"{"\ud800\u0041": 1}"#, "\u{FFFD}A"), None);
    // A key longer than its escaped text cannot match; upper-case hex is fine.
    assert_eq!(field(r#"{"\u00E9\u00e9": 1}"#, "éé"), Some("1"));
    assert_eq!(field(r#"{"\u00e9": 1}"#, "ééé"), None);
}

#[test]
fn field_duplicates_keep_the_last() {
    assert_eq!(field(r#"{"a": 1, "b": 2, "a": 3}"#, "a"), Some("3"));
    assert_eq!(field(r#"{"a": 1, "\u0061": [2]}"#, "a"), Some("[2]"));
    assert_eq!(field(r#"{"\u0061": 1, "a": {"a": 4}}"#, "a"), Some(r#"{"a": 4}"#));
}

#[test]
fn strings_with_brackets_quotes_and_backslashes_are_skipped() {
    let doc = r#"{"a": "}]\"[{", "b": ["]", "\\", {"c": "\"}"}, "\\\""], "c\"}": 1, "d": "\\"}"#;
    assert_eq!(field(doc, "a"), Some(r#""}]\"[{""#));
    assert_eq!(field(doc, "b"), Some(r#"["]", "\\", {"c": "\"}"}, "\\\""]"#));
    assert_eq!(field(doc, "c\"}"), Some("1"));
    assert_eq!(field(doc, "d"), Some(r#""\\""#));
    assert_eq!(field(doc, "c"), None);
    assert_eq!(owned(to_text(field(doc, "a").unwrap_or_default())), Some("}]\"[{".into()));
}

#[test]
fn nested_and_empty_containers() {
    let doc = r#"{"a": [[], {}, [[1, [2]], {"x": {"y": []}}]], "b": {}, "c": []}"#;
    assert_eq!(field(doc, "a"), Some(r#"[[], {}, [[1, [2]], {"x": {"y": []}}]]"#));
    assert_eq!(field(doc, "b"), Some("{}"));
    assert_eq!(field(doc, "c"), Some("[]"));
    assert_eq!(element(field(doc, "a").unwrap_or_default(), 2), Some(r#"[[1, [2]], {"x": {"y": []}}]"#));
    assert_eq!(path(doc, &["a", "2", "1", "x", "y"]), Some("[]"));
    assert_eq!(path(doc, &["a", "2", "0", "1", "0"]), Some("2"));
}

#[test]
fn whitespace_anywhere() {
    let doc = " \n\t{ \"a\" :\r 1 , \"b\" : [ 1 ,\n2 ] ,\"c\":{ \"d\" : \"e\" } } \r\n";
    assert_eq!(field(doc, "a"), Some("1"));
    assert_eq!(field(doc, "b"), Some("[ 1 ,\n2 ]"));
    assert_eq!(path(doc, &["b", "1"]), Some("2"));
    assert_eq!(path(doc, &["c", "d"]), Some("\"e\""));
    assert_eq!(path(doc, &[]), Some(doc.trim()));
    assert_eq!(element(" [ 1 , 2 ] ", -1), Some("2"));
    assert_eq!(element(" 7 ", 0), Some("7"));
    assert_eq!(owned(to_text(" \"x\" ")), Some("x".into()));
    assert_eq!(kind("\n\t [1]"), Some(Kind::Array));
    // Only JSON's four whitespace characters count.
    assert_eq!(field("\u{0B}{\"a\": 1}", "a"), None);
    assert_eq!(field("{\"a\": 1}\u{A0}", "a"), None);
    assert_eq!(field("\u{FEFF}{\"a\": 1}", "a"), None);
}

#[test]
fn element_indexes() {
    let doc = r#"[1, [2, 3], {"a": 4}, "x", null]"#;
    let all = ["1", "[2, 3]", r#"{"a": 4}"#, r#""x""#, "null"];
    for (i, want) in all.iter().enumerate() {
        let i = i64::try_from(i).unwrap_or_default();
        assert_eq!(element(doc, i), Some(*want));
        assert_eq!(element(doc, i - 5), Some(*want));
    }
    for out in [5, 6, -6, -7, i64::MAX, i64::MIN, i64::from(i32::MIN), i64::from(i32::MAX)] {
        assert_eq!(element(doc, out), None, "{out}");
    }
    assert_eq!(element("[]", 0), None);
    assert_eq!(element("[]", -1), None);
    assert_eq!(element(r#"{"0": 1}"#, 0), None);
    assert_eq!(element("{}", -1), None);
    // A scalar is a one-element array for `->` (`'1'::jsonb -> 0` is `1`).
    assert_eq!(element("1", 0), Some("1"));
    assert_eq!(element(r#""a""#, -1), Some(r#""a""#));
    assert_eq!(element("null", 0), Some("null"));
    assert_eq!(element("1", 1), None);
    assert_eq!(element("1", -2), None);
    assert_eq!(element("1 2", 0), None);
}

#[test]
fn element_far_from_the_end() {
    let items: Vec<String> = (0..40).map(|i| format!("[{i}, \"]{i}\"]")).collect();
    let doc = format!("[{}]", items.join(", "));
    for (i, want) in items.iter().enumerate() {
        let i = i64::try_from(i).unwrap_or_default();
        assert_eq!(element(&doc, i), Some(want.as_str()), "{i}");
        assert_eq!(element(&doc, i - 40), Some(want.as_str()), "{}", i - 40);
    }
    assert_eq!(element(&doc, 40), None);
    assert_eq!(element(&doc, -41), None);
}

#[test]
fn path_steps() {
    let doc = r#"{"1": "one", "a": {"b": [10, {"c": "d"}, [true]]}}"#;
    let cases: &[(&[&str], Option<&str>)] = &[
        (&[], Some(doc)),
        (&["1"], Some(r#""one""#)),
        (&["a", "b", "0"], Some("10")),
        (&["a", "b", "1", "c"], Some(r#""d""#)),
        (&["a", "b", "-1", "0"], Some("true")),
        (&["a", "b", "-3"], Some("10")),
        (&["a", "b", " +1", "c"], Some(r#""d""#)),
        (&["a", "b", "\t\n\r\u{0B}\u{0C} 1", "c"], Some(r#""d""#)),
        (&["a", "b", "01"], Some(r#"{"c": "d"}"#)),
        (&["a", "b", "-0"], Some("10")),
        (&["a", "b", "-4"], None),
        (&["a", "b", "3"], None),
        (&["a", "b", "x"], None),
        (&["a", "b", ""], None),
        (&["a", "b", "-"], None),
        (&["a", "b", "+"], None),
        (&["a", "b", "1 "], None),
        (&["a", "b", "1e0"], None),
        (&["a", "b", "0x1"], None),
        (&["a", "b", "2147483648"], None),
        (&["a", "b", "-2147483648"], None),
        (&["a", "b", "99999999999999999999"], None),
        (&["a", "b", "1", "c", "x"], None),
        (&["a", "b", "1", "c", "0"], None),
        (&["a", "x"], None),
        (&["0"], None),
        (&["a", "b", "2", "0", "0"], None),
    ];
    for (steps, want) in cases {
        assert_eq!(path(doc, steps), *want, "{steps:?}");
    }
    // Scalars: the empty path gives the value, any step gives NULL.
    assert_eq!(path(" 1 ", &[]), Some("1"));
    assert_eq!(path("1", &["0"]), None);
    assert_eq!(path(r#""a""#, &["a"]), None);
    assert_eq!(path(" [1] ", &[]), Some("[1]"));
    assert_eq!(path("[[1, 2]]", &["0", "-2"]), Some("1"));
}

#[test]
fn to_text_semantics() {
    assert!(matches!(to_text(r#""abc""#), Some(Cow::Borrowed("abc"))));
    assert!(matches!(to_text(r#""""#), Some(Cow::Borrowed(""))));
    assert!(matches!(to_text(r#""é😀""#), Some(Cow::Borrowed("é😀"))));
    assert!(matches!(to_text(r#""a\nb""#), Some(Cow::Owned(s)) if s == "a\nb"));
    let cases = [
        (r#""\"\\\/\b\f\n\r\t""#, Some("\"\\/\u{8}\u{c}\n\r\t")),
        (r#""\u00e9\ud83d\ude00\u0041\u00E9""#, Some("é😀Aé")),
        (r#""\u001f\u007f""#, Some("\u{1f}\u{7f}")),
        ("null", None),
        (" null ", None),
        ("true", Some("true")),
        ("false", Some("false")),
        ("1.50", Some("1.50")),
        ("-0.5e-3", Some("-0.5e-3")),
        ("[1, 2]", Some("[1, 2]")),
        (" {\"a\": 1} ", Some("{\"a\": 1}")),
        // Not valid as `jsonb` text.
        (r#""\u0000""#, None),
        (r#""\ud800""#, None),
        (r#""\udc00""#, None),
        (r#""\ud800\u0041""#, None),
        (r#""\ud800\n""#, None),
        (r#""\ud800x""#, None),
        (r#""\ud800\ud800""#, None),
        // Malformed.
        ("\"abc", None),
        ("\"a\\\"", None),
        ("\"\\x\"", None),
        ("\"\\u12\"", None),
        ("\"\\u12g4\"", None),
        ("\"a\nb\"", None),
        ("nul", None),
        ("nulll", None),
        ("tru", None),
        ("truee", None),
        ("1.", None),
        ("01", None),
        ("-", None),
        ("+1", None),
        ("1e", None),
        (".5", None),
        ("[1", None),
        ("[1]]", None),
        ("{\"a\": 1", None),
        ("", None),
        ("   ", None),
        ("\"a\" x", None),
        ("\"a\" \"b\"", None),
    ];
    for (raw, want) in cases {
        assert_eq!(owned(to_text(raw)), want.map(String::from), "{raw:?}");
    }
}

#[test]
fn kind_from_first_byte() {
    let cases = [
        ("null", Some(Kind::Null)),
        ("true", Some(Kind::Bool)),
        (" false", Some(Kind::Bool)),
        ("0", Some(Kind::Number)),
        ("-1.5", Some(Kind::Number)),
        ("9e9", Some(Kind::Number)),
        ("\"x\"", Some(Kind::String)),
        ("[]", Some(Kind::Array)),
        ("\r\n{}", Some(Kind::Object)),
        ("", None),
        ("  ", None),
        ("+1", None),
        ("x", None),
        ("]", None),
        ("é", None),
    ];
    for (raw, want) in cases {
        assert_eq!(kind(raw), want, "{raw:?}");
    }
}

#[test]
fn malformed_text_gives_none() {
    let bad = [
        "{",
        "{\"a\"",
        "{\"a\":",
        "{\"a\": 1",
        "{\"a\": 1,",
        "{\"a\": 1,}",
        "{\"a\" 1}",
        "{\"a\": 1 \"b\": 2}",
        "{a: 1}",
        "{'a': 1}",
        "{\"a\": 1} x",
        "{\"a\": 1}}",
        "{\"a\": 1}{}",
        "{\"a\": [1}",
        "{\"a\": {]}",
        "{\"a\": [1, 2}]",
        "{\"a\": tru}",
        "{\"a\": nulls}",
        "{\"a\": 01}",
        "{\"a\": 1.}",
        "{\"a\": 1.e5}",
        "{\"a\": -}",
        "{\"a\": +1}",
        "{\"a\": \"x}",
        "{\"a\": \"\\x\"}",
        "{\"a\": \"\\u12\"}",
        "{\"a\": \"a\nb\"}",
        "{\"a\": \"a\u{1}b\"}",
        "{\"a\": 1 2}",
        "{\"a\": [\"]\"}",
        "{\"a\": [\"\\\"]}",
        "{,}",
        "{\"a\": 1,, \"b\": 2}",
        "{\"a\\\": 1}",
        "{\"a\": \"\\\"}",
        "{\"a\": }",
        "{\"a\":: 1}",
        "{\"a\"\n:\n}",
        "{\"a\u{0}\": 1}",
        "[",
        "[1",
        "[1,",
        "[1,]",
        "[,1]",
        "[1 2]",
        "[1]]",
        "[1] [2]",
        "[\"a\": 1]",
        "[{]",
        "]",
        "}",
        "",
        "  ",
        "\"",
        "nul",
        "\u{0}",
    ];
    for text in bad {
        assert_eq!(field(text, "a"), None, "field {text:?}");
        assert_eq!(element(text, 0), None, "element {text:?}");
        assert_eq!(element(text, -1), None, "element -1 {text:?}");
        assert_eq!(path(text, &["a"]), None, "path [a] {text:?}");
        assert_eq!(path(text, &["0"]), None, "path [0] {text:?}");
        // A container taken whole is only bracket-checked (see the next test).
        let whole = text.trim_matches([' ', '\n']);
        assert!(path(text, &[]).is_none_or(|p| p == whole && whole.starts_with(['{', '['])), "path [] {text:?}");
        assert!(to_text(text).is_none_or(|t| t == whole && whole.starts_with(['{', '['])), "to_text {text:?}");
    }
    let unbalanced = ["{", "[1", "{\"a\": [1}", "{\"a\": [1, 2}]", "[{]", "[1]]", "{\"a\": 1}}", "{\"a\": [\"]\"}", "]", "{\"a\": \"x}"];
    for text in unbalanced {
        assert_eq!(path(text, &[]), None, "path [] {text:?}");
        assert_eq!(to_text(text), None, "to_text {text:?}");
    }
}

#[test]
fn skipped_containers_are_only_bracket_checked() {
    // The documented limit: inside a container that is skipped or taken whole only
    // strings and bracket balance are checked, so structural errors there go unnoticed.
    assert_eq!(field(r#"{"a": [1 2], "b": 1}"#, "b"), Some("1"));
    assert_eq!(field(r#"{"a": [1 2], "b": 1}"#, "a"), Some("[1 2]"));
    assert_eq!(path("{,} ", &[]), Some("{,}"));
    assert_eq!(to_text("[1,]"), Some(Cow::Borrowed("[1,]")));
    assert_eq!(field(r#"{"a": {1}, "b": 1}"#, "b"), Some("1"));
    assert_eq!(field(r#"{"a": [{]], "b": 1}"#, "b"), Some("1"));
    // ... but the outer bracket pair and the strings are checked.
    assert_eq!(field(r#"{"a": [1}, "b": 1}"#, "b"), None);
    assert_eq!(field(r#"{"a": ["\q"], "b": 1}"#, "b"), None);
}

#[test]
fn canonical_document() {
    let text =
        r#"{"id": 7, "age": 31, "city": "Zürich", "name": "Ann \"A\"", "tags": ["x", "y"], "address": {"zip": "8000", "street": "Main"}}"#;
    let v = parse_jsonb(text).unwrap_or(JsonValue::Null);
    assert_eq!(v.to_jsonb_text(), text, "the sample is canonical");
    assert_eq!(field(text, "city"), Some("\"Zürich\""));
    assert!(matches!(to_text(field(text, "city").unwrap_or_default()), Some(Cow::Borrowed("Zürich"))));
    assert_eq!(owned(to_text(field(text, "name").unwrap_or_default())), Some("Ann \"A\"".into()));
    assert_eq!(path(text, &["address", "zip"]), Some("\"8000\""));
    assert_eq!(path(text, &["tags", "-1"]), Some("\"y\""));
}

// ---------------------------------------------------------------------------------
// Generated documents, checked against the tree API.

/// A small deterministic PRNG (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or_default()
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Keys: prefixes of each other, characters that need escapes, non-ASCII, brackets.
const KEYS: &[&str] = &["a", "b", "ab", "ba", "abc", "city", "", "é", "a\"b", "a\\b", "😀", "[", "}", "a b", "\n", "1", "-1", "/"];
/// Keys never generated.
const ABSENT_KEYS: &[&str] = &["c", "ci", "abcd", "A", "\\n", "a\\\"b"];
const STRING_CHARS: &[char] =
    &['a', 'b', 'z', ' ', '"', '\\', '/', '[', ']', '{', '}', ',', ':', 'é', '😀', '\n', '\t', '\u{1}', '\u{7f}', '0', 'u'];
const NUMBERS: &[&str] =
    &["0", "-0", "1", "-1", "10", "1.5", "-1.50", "1e2", "1E+2", "1e-2", "0.000e3", "12345678901234567890.5", "-0.0", "3.14159", "2e0"];
const WHITESPACE: &[char] = &[' ', '\t', '\n', '\r'];

/// Writes random JSON text: random whitespace, escapes and number spellings, duplicate
/// keys; so not canonical, but always valid `jsonb` input.
struct Generator<'r> {
    rng: &'r mut Rng,
    out: String,
    /// Percent chance of whitespace at each place JSON allows it.
    spacing: u64,
}

impl Generator<'_> {
    fn ws(&mut self) {
        if self.rng.chance(self.spacing) {
            for _ in 0..=self.rng.below(2) {
                let c = *self.rng.pick(WHITESPACE);
                self.out.push(c);
            }
        }
    }

    fn string(&mut self, s: &str) {
        self.out.push('"');
        for c in s.chars() {
            let alternate = self.rng.chance(30);
            match c {
                '"' if alternate => self.out.push_str("\\u0022"),
                '"' => self.out.push_str("\\\""),
                '\\' if alternate => self.out.push_str("\\u005C"),
                '\\' => self.out.push_str("\\\\"),
                '/' if alternate => self.out.push_str("\\/"),
                '\n' if !alternate => self.out.push_str("\\n"),
                '\t' if !alternate => self.out.push_str("\\t"),
                c if c < ' ' => self.out.push_str(&format!("\\u{:04x}", u32::from(c))),
                c if self.rng.chance(10) => {
                    for unit in c.encode_utf16(&mut [0; 2]) {
                        self.out.push_str(&format!("\\u{unit:04X}"));
                    }
                }
                c => self.out.push(c),
            }
        }
        self.out.push('"');
    }

    fn value(&mut self, depth: usize) {
        let choice = self.rng.below(if depth >= 4 { 5 } else { 9 });
        match choice {
            0 => self.out.push_str("null"),
            1 => self.out.push_str(if self.rng.chance(50) { "true" } else { "false" }),
            2 => {
                if self.rng.chance(50) {
                    let n = *self.rng.pick(NUMBERS);
                    self.out.push_str(n);
                } else {
                    let n = self.rng.next() % 100_000;
                    self.out.push_str(&n.to_string());
                }
            }
            3 | 4 => {
                let len = self.rng.below(8);
                let s: String = (0..len).map(|_| *self.rng.pick(STRING_CHARS)).collect();
                self.string(&s);
            }
            5 | 6 => {
                self.out.push('[');
                self.ws();
                for i in 0..self.rng.below(6) {
                    if i > 0 {
                        self.out.push(',');
                        self.ws();
                    }
                    self.value(depth + 1);
                    self.ws();
                }
                self.out.push(']');
            }
            _ => {
                self.out.push('{');
                self.ws();
                for i in 0..self.rng.below(7) {
                    if i > 0 {
                        self.out.push(',');
                        self.ws();
                    }
                    let key = *self.rng.pick(KEYS);
                    self.string(key);
                    self.ws();
                    self.out.push(':');
                    self.ws();
                    self.value(depth + 1);
                    self.ws();
                }
                self.out.push('}');
            }
        }
    }
}

/// A random document: an object most of the time, as stored documents are.
fn generate(rng: &mut Rng) -> String {
    let spacing = *rng.pick(&[0, 0, 10, 50]);
    let mut g = Generator { rng, out: String::new(), spacing };
    g.ws();
    if g.rng.chance(70) {
        g.out.push('{');
        for i in 0..=g.rng.below(8) {
            if i > 0 {
                g.out.push_str(", ");
            }
            let key = *g.rng.pick(KEYS);
            g.string(key);
            g.out.push_str(": ");
            g.value(1);
        }
        g.out.push('}');
    } else {
        g.value(0);
    }
    g.ws();
    g.out
}

/// A path that mostly follows `v`'s structure, with every subscript spelling, and
/// sometimes steps that miss.
fn generate_path(rng: &mut Rng, v: &JsonValue) -> Vec<String> {
    let mut steps = Vec::new();
    let mut current = Some(v);
    for _ in 0..rng.below(5) {
        let step = match current {
            Some(JsonValue::Object(members)) if !members.is_empty() && rng.chance(85) => rng.pick(members).0.clone(),
            Some(JsonValue::Array(items)) if !items.is_empty() && rng.chance(85) => {
                let n = items.len();
                let i = rng.below(n);
                match rng.below(5) {
                    0 => format!("-{}", n - i),
                    1 => format!(" +{i}"),
                    2 => format!("0{i}"),
                    _ => i.to_string(),
                }
            }
            _ => (*rng.pick(&["x", "0", "-1", "a", "1", "", "99", "-99", "1.0"])).to_string(),
        };
        current = current.and_then(|c| c.get_path(&[Some(step.as_str())]));
        steps.push(step);
    }
    steps
}

/// The scanner's slice against the tree's value. For canonical text the slice must be
/// exactly the canonical text; otherwise it must parse to the same value.
fn assert_same(got: Option<&str>, want: Option<&JsonValue>, canonical: bool, what: &dyn Fn() -> String) {
    let want_text = want.map(JsonValue::to_jsonb_text);
    if let Some(g) = got {
        assert_eq!(g, g.trim_matches(WHITESPACE), "untrimmed slice: {}", what());
    }
    if canonical {
        assert_eq!(got.map(String::from), want_text, "{}", what());
    } else {
        let reparsed = got.map(|g| parse_jsonb(g).map(|v| v.to_jsonb_text()).unwrap_or_else(|e| format!("ERR {e}")));
        assert_eq!(reparsed, want_text, "{}", what());
    }
    // `->>` on the same value.
    let text = got.and_then(to_text);
    let want_as_text = want.and_then(JsonValue::as_text);
    match want {
        Some(JsonValue::String(s)) => {
            assert_eq!(text.as_deref(), Some(s.as_str()), "to_text: {}", what());
            let needs_escape = s.chars().any(|c| c == '"' || c == '\\' || c < ' ');
            if canonical && !needs_escape {
                assert!(matches!(text, Some(Cow::Borrowed(_))), "to_text should borrow: {}", what());
            }
        }
        _ if canonical => assert_eq!(text.map(Cow::into_owned), want_as_text, "to_text: {}", what()),
        _ => {
            let reparsed = text.map(|t| parse_jsonb(&t).map(|v| v.to_jsonb_text()).unwrap_or_else(|e| format!("ERR {e}")));
            assert_eq!(reparsed, want_as_text, "to_text: {}", what());
        }
    }
    assert_eq!(got.and_then(kind), want.map(kind_of), "kind: {}", what());
}

fn kind_of(v: &JsonValue) -> Kind {
    match v {
        JsonValue::Null => Kind::Null,
        JsonValue::Bool(_) => Kind::Bool,
        JsonValue::Number(_) => Kind::Number,
        JsonValue::String(_) => Kind::String,
        JsonValue::Array(_) => Kind::Array,
        JsonValue::Object(_) => Kind::Object,
    }
}

/// Every function on `text` against the tree of `v = parse_jsonb(text)`.
fn check_against_tree(rng: &mut Rng, text: &str, v: &JsonValue, canonical: bool) {
    for key in KEYS.iter().chain(ABSENT_KEYS) {
        assert_same(field(text, key), v.get_field(key), canonical, &|| format!("field {key:?} of {text:?}"));
        if canonical {
            assert_eq!(field(text, key).and_then(to_text).map(Cow::into_owned), v.get_field_text(key), "->> {key:?} of {text:?}");
        }
    }
    let len = match v {
        JsonValue::Array(items) => items.len(),
        _ => 1,
    };
    let len = i32::try_from(len).unwrap_or(i32::MAX);
    for i in -len - 2..=len + 1 {
        assert_same(element(text, i.into()), v.get_index(i), canonical, &|| format!("element {i} of {text:?}"));
    }
    for i in [i64::MIN, i64::from(i32::MIN), i64::from(i32::MAX) + 1, i64::MAX] {
        assert_eq!(element(text, i), None, "element {i} of {text:?}");
    }
    assert_same(path(text, &[]), Some(v), canonical, &|| format!("path [] of {text:?}"));
    for _ in 0..12 {
        let steps = generate_path(rng, v);
        let refs: Vec<&str> = steps.iter().map(String::as_str).collect();
        let opts: Vec<Option<&str>> = steps.iter().map(|s| Some(s.as_str())).collect();
        assert_same(path(text, &refs), v.get_path(&opts), canonical, &|| format!("path {steps:?} of {text:?}"));
    }
}

#[test]
fn generated_documents_match_the_tree() {
    let mut rng = Rng(0x5EED);
    let mut objects = 0;
    for _ in 0..4000 {
        let raw = generate(&mut rng);
        let v = match parse_jsonb(&raw) {
            Ok(v) => v,
            Err(e) => panic!("generator wrote invalid jsonb {raw:?}: {}", e.verbose()),
        };
        if matches!(v, JsonValue::Object(_)) {
            objects += 1;
        }
        let canonical = v.to_jsonb_text();
        check_against_tree(&mut rng, &canonical, &v, true);
        check_against_tree(&mut rng, &raw, &v, false);
    }
    assert!(objects > 2000, "mostly objects: {objects}");
}

// ---------------------------------------------------------------------------------
// Truncated and mutated text: never a panic; whatever is still valid must agree.

const FUZZ_CHARS: &[char] =
    &['"', '\\', '{', '}', '[', ']', ',', ':', ' ', '\n', 'u', 'd', '8', '0', '1', '-', '.', 'e', 'n', 't', 'é', '😀', '\u{1}', 'a'];

fn char_boundaries(s: &str) -> Vec<usize> {
    s.char_indices().map(|(i, _)| i).chain([s.len()]).collect()
}

/// Call everything; nothing may panic.
fn poke(text: &str) {
    for key in ["a", "b", "ab", "é", ""] {
        if let Some(v) = field(text, key) {
            let _ = to_text(v);
            let _ = kind(v);
        }
    }
    for i in [0, 1, 2, -1, -2, -9, -10, i64::MIN, i64::MAX] {
        if let Some(v) = element(text, i) {
            let _ = to_text(v);
        }
    }
    for steps in [&[][..], &["a"], &["0"], &["a", "0"], &["-1", "b"], &["a", "b", "1"]] {
        let _ = path(text, steps);
    }
    let _ = to_text(text);
    let _ = kind(text);
}

#[test]
fn truncated_containers_give_none() {
    let mut rng = Rng(7);
    for _ in 0..250 {
        let raw = generate(&mut rng);
        // Every prefix is tried, so keep the texts short.
        let Ok(v) = parse_jsonb(&raw) else { continue };
        if v.is_scalar() || raw.len() > 500 {
            continue;
        }
        for text in [v.to_jsonb_text(), raw] {
            let end = text.trim_end_matches(WHITESPACE).len();
            for cut in char_boundaries(&text).into_iter().filter(|&c| c < end) {
                let t = &text[..cut];
                poke(t);
                assert_eq!(field(t, "a"), None, "{t:?}");
                assert_eq!(element(t, 0), None, "{t:?}");
                assert_eq!(element(t, -1), None, "{t:?}");
                assert_eq!(path(t, &[]), None, "{t:?}");
            }
        }
    }
}

#[test]
fn mutated_text_never_panics() {
    let mut rng = Rng(42);
    let mut still_valid = 0;
    for _ in 0..1000 {
        let raw = generate(&mut rng);
        let canonical = parse_jsonb(&raw).map(|v| v.to_jsonb_text()).unwrap_or_default();
        for base in [canonical, raw] {
            for _ in 0..12 {
                let mut text = base.clone();
                for _ in 0..=rng.below(3) {
                    let cuts = char_boundaries(&text);
                    let at = *rng.pick(&cuts);
                    let c = *rng.pick(FUZZ_CHARS);
                    match rng.below(5) {
                        0 => text.truncate(at),
                        1 => text.insert(at, c),
                        2 | 3 => {
                            if let Some(old) = text[at..].chars().next() {
                                text.replace_range(at..at + old.len_utf8(), c.encode_utf8(&mut [0; 4]));
                            }
                        }
                        _ => {
                            if let Some(old) = text[at..].chars().next() {
                                text.replace_range(at..at + old.len_utf8(), "");
                            }
                        }
                    }
                }
                poke(&text);
                if let Ok(v) = parse_jsonb(&text) {
                    still_valid += 1;
                    check_against_tree(&mut rng, &text, &v, false);
                }
            }
        }
    }
    assert!(still_valid > 2000, "enough mutants stay valid to compare: {still_valid}");
}
