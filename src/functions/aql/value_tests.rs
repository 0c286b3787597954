//! Tests of AQL's value semantics against ArangoDB's documented examples, and of the sort
//! key against the comparison function.

use super::value::*;
use crate::functions::jsonvalue::{JsonValue, parse_json};
use proptest::prelude::*;
use std::cmp::Ordering;

fn v(text: &str) -> JsonValue {
    parse_json(text).unwrap()
}

fn key(x: &JsonValue) -> Vec<u8> {
    let mut out = Vec::new();
    sort_key(x, &mut out);
    out
}

/// Each pair is strictly ascending in AQL's order (from ArangoDB's documentation).
const ASCENDING: &[(&str, &str)] = &[
    ("null", "false"),
    ("null", "0"),
    ("null", "\"\""),
    ("null", "[]"),
    ("null", "{}"),
    ("false", "true"),
    ("true", "0"),
    ("true", "\"\""),
    ("0", "\"\""),
    ("0", "\"0\""),
    ("-1", "0"),
    ("1.5", "2"),
    ("\"\"", "\" \""),
    ("\"abc\"", "[]"),
    ("[]", "{}"),
    ("[]", "[0]"),
    ("[1]", "[2]"),
    ("[1, 2]", "[2]"),
    ("[99, 99]", "[100]"),
    ("[false]", "[true]"),
    ("[false, 1]", "[false, \"\"]"),
    ("{}", "{\"a\": 1}"),
    ("{\"a\": 1}", "{\"a\": 2}"),
    ("{\"b\": 2}", "{\"a\": 1}"),
    ("{\"a\": 1}", "{\"a\": 1, \"b\": 2}"),
    ("{\"b\": 1}", "{\"a\": null, \"b\": 2}"),
];

/// Equal pairs.
const EQUAL: &[(&str, &str)] = &[
    ("[]", "[null]"),
    ("[1]", "[1, null, null]"),
    ("{}", "{\"a\": null}"),
    ("{\"a\": 1, \"b\": 2}", "{\"b\": 2, \"a\": 1}"),
    ("1", "1.0"),
    ("0", "-0"),
    ("100", "1e2"),
];

#[test]
fn documented_order() {
    for (a, b) in ASCENDING {
        let (x, y) = (v(a), v(b));
        assert_eq!(compare(&x, &y), Ordering::Less, "{a} < {b}");
        assert_eq!(compare(&y, &x), Ordering::Greater, "{b} > {a}");
        assert!(key(&x) < key(&y), "sort key of {a} < {b}");
    }
    for (a, b) in EQUAL {
        let (x, y) = (v(a), v(b));
        assert_eq!(compare(&x, &y), Ordering::Equal, "{a} == {b}");
        assert_eq!(key(&x), key(&y), "sort keys of {a} and {b}");
    }
}

#[test]
fn truthiness_and_numbers() {
    for (text, b) in
        [("null", false), ("false", false), ("0", false), ("\"\"", false), ("[]", true), ("{}", true), ("\"0\"", true), ("-1", true)]
    {
        assert_eq!(to_bool(&v(text)), b, "{text}");
    }
    for (text, n) in [
        ("null", 0.0),
        ("true", 1.0),
        ("\"  12.5 \"", 12.5),
        ("\"abc\"", 0.0),
        ("\"\"", 0.0),
        ("[]", 0.0),
        ("[7]", 7.0),
        ("[1, 2]", 0.0),
        ("{}", 0.0),
        ("\"1e3\"", 1000.0),
    ] {
        assert_eq!(to_number(&v(text)), n, "{text}");
    }
}

#[test]
fn arithmetic_never_fails() {
    assert_eq!(arithmetic(Arith::Add, &v("\"abc\""), &v("1")), v("1"));
    assert_eq!(arithmetic(Arith::Add, &v("5"), &v("[2]")), v("7"));
    assert_eq!(arithmetic(Arith::Div, &v("1"), &v("0")), JsonValue::Null);
    assert_eq!(arithmetic(Arith::Mod, &v("1"), &v("0")), JsonValue::Null);
    assert_eq!(arithmetic(Arith::Div, &v("1"), &v("4")), v("0.25"));
    assert_eq!(arithmetic(Arith::Add, &v("0.1"), &v("0.2")), JsonValue::Number("0.30000000000000004".into()));
    assert_eq!(arithmetic(Arith::Mod, &v("-7"), &v("3")), v("-1"));
    assert_eq!(arithmetic(Arith::Mul, &v("1e308"), &v("10")), JsonValue::Null);
    assert_eq!(number(-0.0), v("0"));
}

#[test]
fn access_and_strings() {
    assert_eq!(get_index(&v("[1, 2, 3]"), &v("-1")), &v("3"));
    assert_eq!(get_index(&v("[1, 2, 3]"), &v("3")), &JsonValue::Null);
    assert_eq!(get_index(&v("[1, 2, 3]"), &v("-4")), &JsonValue::Null);
    assert_eq!(get_index(&v("{\"a\": 1}"), &v("\"a\"")), &v("1"));
    assert_eq!(get_attribute(&v("{\"a\": {\"b\": 2}}"), "a"), &v("{\"b\": 2}"));
    assert_eq!(get_attribute(&v("5"), "a"), &JsonValue::Null);
    assert_eq!(to_string(&v("null")), "");
    assert_eq!(to_string(&v("[1, \"a\", {\"b\": null}]")), "[1,\"a\",{\"b\":null}]");
    assert_eq!(to_string(&v("2.50")), "2.5");
    assert_eq!(range(&v("1"), &v("3"), 10), Some(v("[1, 2, 3]")));
    assert_eq!(range(&v("3"), &v("1"), 10), Some(v("[3, 2, 1]")));
    assert_eq!(range(&v("1"), &v("100"), 10), None);
    assert!(contains(&v("[1, \"a\", [2]]"), &v("[2]")));
    assert!(!contains(&v("\"abc\""), &v("\"a\"")));
}

fn arb_value() -> impl Strategy<Value = JsonValue> {
    let leaf = prop_oneof![
        Just(JsonValue::Null),
        any::<bool>().prop_map(JsonValue::Bool),
        (-3i32..4).prop_map(|n| number(f64::from(n) / 2.0)),
        prop::sample::select(vec!["", "a", "ab", "b", "\u{0}", "a\u{0}"]).prop_map(|s| JsonValue::String(s.to_string())),
    ];
    leaf.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(JsonValue::Array),
            prop::collection::vec((prop::sample::select(vec!["", "a", "b", "ab"]), inner), 0..3)
                .prop_map(|m| JsonValue::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

proptest! {
    /// The sort key orders every pair of values exactly as `compare` does.
    #[test]
    fn sort_key_agrees_with_compare(a in arb_value(), b in arb_value()) {
        prop_assert_eq!(key(&a).cmp(&key(&b)), compare(&a, &b), "{} vs {}", a, b);
    }
}
