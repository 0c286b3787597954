//! Registry tests, shared test helpers, misc/type functions, and a property test that no
//! function panics on arbitrary arguments.

use super::*;
use crate::functions::jsonvalue::parse_json;
use proptest::prelude::*;

/// A JSON text as a canonical value.
pub(super) fn j(text: &str) -> JsonValue {
    value::canonical(parse_json(text).unwrap_or_else(|e| panic!("bad test JSON {text}: {e:?}")))
}

/// Calls `name` with the elements of the JSON array `args`.
pub(super) fn run(name: &str, args: &str) -> Result<JsonValue, CallError> {
    let JsonValue::Array(args) = j(args) else { panic!("args must be an array") };
    call(name, args)
}

/// Asserts `name(args) == expected` (structurally, both canonical).
#[track_caller]
pub(super) fn check(name: &str, args: &str, expected: &str) {
    let got = run(name, args).unwrap_or_else(|e| panic!("{name}({args}) failed: {e}"));
    assert_eq!(value::canonical(got), j(expected), "{name}({args})");
}

/// Asserts `name(args)` is a number within 1e-9 of `expected`.
#[track_caller]
pub(super) fn check_approx(name: &str, args: &str, expected: f64) {
    match run(name, args) {
        Ok(JsonValue::Number(n)) => {
            let got = value::number_value(&n);
            assert!((got - expected).abs() <= 1e-9 * expected.abs().max(1.0), "{name}({args}) = {got}, expected {expected}");
        }
        other => panic!("{name}({args}) = {other:?}, expected {expected}"),
    }
}

/// Asserts `name(args)` fails with `CallError::Invalid` whose message contains `part`.
#[track_caller]
pub(super) fn check_invalid(name: &str, args: &str, part: &str) {
    match run(name, args) {
        Err(CallError::Invalid(m)) => assert!(m.contains(part), "{name}({args}): message {m:?} lacks {part:?}"),
        other => panic!("{name}({args}) = {other:?}, expected an error containing {part:?}"),
    }
}

#[test]
fn table_is_sorted_and_unique() {
    for w in FUNCTIONS.windows(2) {
        assert!(w[0].0 < w[1].0, "{} must sort before {}", w[0].0, w[1].0);
    }
    for d in FUNCTIONS {
        assert_eq!(d.0, d.0.to_ascii_uppercase());
        assert!(d.1 <= d.2, "{}", d.0);
    }
}

#[test]
fn lookup_is_case_insensitive() {
    assert_eq!(lookup("substring"), Some(("SUBSTRING", 2, Some(3))));
    assert_eq!(lookup("Concat"), Some(("CONCAT", 1, None)));
    assert_eq!(lookup("count"), Some(("COUNT", 1, Some(1))));
    assert_eq!(lookup("PI"), Some(("PI", 0, Some(0))));
    assert_eq!(lookup("no_such_function"), None);
    assert_eq!(lookup(""), None);
    assert_eq!(lookup("DOCUMENT"), None);
    assert_eq!(lookup("COLLECTIONS"), None);
    check("lower", r#"["ABC"]"#, r#""abc""#);
    check("To_Number", r#"["12"]"#, "12");
}

#[test]
fn unknown_function() {
    let e = run("frobnicate", "[1]").unwrap_err();
    assert_eq!(e, CallError::Unknown("FROBNICATE".into()));
    assert_eq!(e.to_string(), "unknown function 'FROBNICATE()'");
}

#[test]
fn arity_errors() {
    let e = run("SUBSTRING", r#"["x"]"#).unwrap_err();
    assert_eq!(e, CallError::Arity { name: "SUBSTRING".into(), min: 2, max: Some(3) });
    assert_eq!(
        e.to_string(),
        "invalid number of arguments for function 'SUBSTRING()', expected number of arguments: minimum: 2, maximum: 3"
    );
    assert!(matches!(run("PI", "[1]"), Err(CallError::Arity { min: 0, max: Some(0), .. })));
    assert!(matches!(run("CONCAT", "[]"), Err(CallError::Arity { min: 1, max: None, .. })));
    assert!(run("concat", "[]").unwrap_err().to_string().ends_with("minimum: 1, maximum: 65536"));
    assert!(matches!(run("IN_RANGE", "[1, 2, 3, true]"), Err(CallError::Arity { .. })));
    // Every function accepts its minimum and its maximum.
    for d in FUNCTIONS {
        if d.0 == "SLEEP" {
            continue;
        }
        for n in [d.1, d.2.min(d.1 + 3)] {
            let r = call(d.0, vec![JsonValue::Null; n]);
            assert!(!matches!(r, Err(CallError::Arity { .. } | CallError::Unknown(_))), "{}({n} args): {r:?}", d.0);
        }
        if d.1 > 0 {
            assert!(matches!(call(d.0, vec![JsonValue::Null; d.1 - 1]), Err(CallError::Arity { .. })), "{}", d.0);
        }
    }
}

#[test]
fn volatile_functions() {
    for name in ["RAND", "rand", "UUID", "DATE_NOW", "RANDOM_TOKEN", "FAIL", "SLEEP", "NOOPT", "APPLY", "CALL", "ASSERT", "WARN"] {
        assert!(is_volatile(name), "{name}");
    }
    for name in ["CONCAT", "DATE_ADD", "LENGTH", "NOEVAL", "VERSION", "unknown"] {
        assert!(!is_volatile(name), "{name}");
    }
}

#[test]
fn type_checks_and_casts() {
    check("TO_BOOL", "[null]", "false");
    check("TO_BOOL", "[0]", "false");
    check("TO_BOOL", "[-0.0]", "false");
    check("TO_BOOL", r#"["non-empty string"]"#, "true");
    check("TO_BOOL", r#"[""]"#, "false");
    check("TO_BOOL", "[[]]", "true");
    check("TO_BOOL", "[{}]", "true");
    check("TO_NUMBER", "[null]", "0");
    check("TO_NUMBER", "[true]", "1");
    check("TO_NUMBER", r#"[" 5 "]"#, "5");
    check("TO_NUMBER", r#"["foo"]"#, "0");
    check("TO_NUMBER", "[[8]]", "8");
    check("TO_NUMBER", "[[8, 9]]", "0");
    check("TO_NUMBER", "[{}]", "0");
    check("TO_STRING", "[null]", r#""""#);
    check("TO_STRING", "[true]", r#""true""#);
    check("TO_STRING", "[123]", r#""123""#);
    check("TO_STRING", "[-1.23]", r#""-1.23""#);
    check("TO_STRING", "[[1, 2, 3]]", r#""[1,2,3]""#);
    check("TO_STRING", r#"[{"foo": "bar", "baz": null}]"#, r#""{\"foo\":\"bar\",\"baz\":null}""#);
    check("TO_ARRAY", "[null]", "[]");
    check("TO_ARRAY", "[false]", "[false]");
    check("TO_ARRAY", "[5]", "[5]");
    check("TO_ARRAY", r#"["foo"]"#, r#"["foo"]"#);
    check("TO_ARRAY", r#"[[1, 2, "foo"]]"#, r#"[1, 2, "foo"]"#);
    check("TO_LIST", r#"[{"foo": 1, "bar": 2, "baz": [3, 4, 5]}]"#, "[1, 2, [3, 4, 5]]");
    for (v, t) in [("null", "null"), ("true", "bool"), ("-4.56", "number"), (r#""123""#, "string"), ("[]", "array"), ("{}", "object")] {
        check("TYPENAME", &format!("[{v}]"), &format!(r#""{t}""#));
    }
    check("IS_NULL", "[null]", "true");
    check("IS_NULL", "[0]", "false");
    check("IS_BOOL", "[false]", "true");
    check("IS_NUMBER", r#"["1"]"#, "false");
    check("IS_STRING", r#"["1"]"#, "true");
    check("IS_ARRAY", "[[]]", "true");
    check("IS_LIST", "[{}]", "false");
    check("IS_OBJECT", "[{}]", "true");
    check("IS_DOCUMENT", "[[]]", "false");
    check("IS_KEY", r#"["abc-123_:.@()+,=;$!*'%"]"#, "true");
    check("IS_KEY", r#"["a/b"]"#, "false");
    check("IS_KEY", r#"[""]"#, "false");
    check("IS_KEY", "[123]", "false");
    check("IS_KEY", &format!(r#"["{}"]"#, "k".repeat(255)), "false");
}

#[test]
fn misc_functions() {
    check_invalid("FAIL", r#"["my reason"]"#, "my reason");
    check_invalid("FAIL", "[]", "FAIL() called");
    check("ASSERT", r#"[true, "m"]"#, "true");
    check_invalid("ASSERT", r#"[false, "i is not greater 0"]"#, "i is not greater 0");
    check("ASSERT", "[true, 1]", "null");
    check("WARN", r#"[false, "m"]"#, "false");
    check("WARN", r#"[1, "m"]"#, "true");
    check("NOT_NULL", "[null, null, 3, 4]", "3");
    check("NOT_NULL", "[null]", "null");
    check("FIRST_LIST", "[1, {}, [2], [3]]", "[2]");
    check("FIRST_LIST", "[1]", "null");
    check("FIRST_DOCUMENT", r#"[1, [], {"a": 1}]"#, r#"{"a": 1}"#);
    check("PASSTHRU", "[[1, 2]]", "[1, 2]");
    check("NOOPT", "[123]", "123");
    check("NOEVAL", r#"["ab"]"#, r#""ab""#);
    check("VERSION", "[]", r#""3.12.0""#);
    check("CHECK_DOCUMENT", r#"[{"a": {"b": [1, {"c": 2}]}}]"#, "true");
    check("CHECK_DOCUMENT", "[[1]]", "false");
    let dup = JsonValue::Object(vec![("a".into(), j("1")), ("a".into(), j("2"))]);
    assert_eq!(call("CHECK_DOCUMENT", vec![dup.clone()]), Ok(JsonValue::Bool(false)));
    let nested = JsonValue::Object(vec![("x".into(), JsonValue::Array(vec![dup]))]);
    assert_eq!(call("CHECK_DOCUMENT", vec![nested]), Ok(JsonValue::Bool(false)));
    check("IN_RANGE", "[4, 3, 5, true, true]", "true");
    check("IN_RANGE", "[3, 3, 5, false, true]", "false");
    check("IN_RANGE", "[5, 3, 5, true, false]", "false");
    check("IN_RANGE", "[5, 5, 5, true, true]", "true");
    check("IN_RANGE", "[4, 5, 3, true, true]", "false");
    check("IN_RANGE", r#"["fox grape", "fo", "fp", true, false]"#, "true");
    check("IN_RANGE", r#"["fungus", "fo", "fp", true, false]"#, "false");
    check("IN_RANGE", "[4, 3, 5, 1, true]", "null");
    check("MIN_MATCH", "[true, false, true, 2]", "true");
    check("MIN_MATCH", "[true, false, false, 2]", "false");
    check("MIN_MATCH", "[true, 0]", "true");
    check("APPLY", r#"["SUBSTRING", ["this is a test", 0, 7]]"#, r#""this is""#);
    check("APPLY", r#"["pi"]"#, "3.141592653589793");
    check("CALL", r#"["substring", "this is a test", 0, 4]"#, r#""this""#);
    check("APPLY", r#"["CONCAT", 1]"#, "null");
    assert!(matches!(run("APPLY", r#"["NOPE", []]"#), Err(CallError::Unknown(_))));
    assert!(matches!(run("CALL", r#"["SUBSTRING"]"#), Err(CallError::Arity { .. })));
    check_invalid("APPLY", r#"["MYGROUP::MYFUNC", []]"#, "MYGROUP::MYFUNC");
    check_invalid("CALL", "[1]", "CALL()");
    check("SLEEP", "[0.01]", "null");
    check("SLEEP", "[-1]", "null");
    check("SLEEP", r#"["1"]"#, "null");
}

#[test]
fn hash_is_stable_and_order_insensitive() {
    let h = |v: &str| run("HASH", &format!("[{v}]")).unwrap();
    assert_eq!(h("1"), h("1.0"));
    assert_ne!(h("1"), h(r#""1""#));
    assert_eq!(h(r#"{"a": 1, "b": [2, 3]}"#), h(r#"{"b": [2, 3], "a": 1}"#));
    assert_ne!(h("[1, 2]"), h("[2, 1]"));
    assert_ne!(h("null"), h("false"));
    let JsonValue::Number(n) = h(r#""abc""#) else { panic!() };
    let n: f64 = n.parse().unwrap();
    assert!(n >= 0.0 && n < 2f64.powi(51) && n.fract() == 0.0);
}

/// Arbitrary values, shallow, biased towards the shapes functions look at.
fn json() -> impl Strategy<Value = JsonValue> {
    let leaf = prop_oneof![
        Just(JsonValue::Null),
        any::<bool>().prop_map(JsonValue::Bool),
        (-20i64..20).prop_map(|i| value::number(i as f64)),
        (-1.0e4f64..1.0e4).prop_map(value::number),
        prop_oneof![Just(1e300), Just(-1e300), Just(4294967295.0), Just(0.5), Just(253402300799999.0)].prop_map(value::number),
        "[a-zA-Z0-9 %_.,:/\\-]{0,8}".prop_map(JsonValue::String),
        prop_oneof![
            Just("2020-01-31"),
            Just("2014-05-07T14:19:09.522Z"),
            Just("P1Y2M3W4DT5H6M7.89S"),
            Just("days"),
            Just("m"),
            Just("%yyyy-%mm %&%"),
            Just("(a|b)*"),
            Just("[unclosed"),
            Just("rank"),
            Just("UTC"),
            Just("Europe/Berlin"),
            Just("_users/abc"),
            Just("ü€😀"),
        ]
        .prop_map(|s| JsonValue::String(s.to_string())),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(JsonValue::Array),
            prop::collection::vec(("[a-c_]{0,2}", inner), 0..4).prop_map(JsonValue::Object),
        ]
    })
}

/// Values as they may arrive from storage: numbers in any notation, even out of range.
fn raw_json() -> impl Strategy<Value = JsonValue> {
    let number_text = prop_oneof![
        Just("1e400"),
        Just("-1e400"),
        Just("-0"),
        Just("1E5"),
        Just("0.1e1"),
        Just("9223372036854775807"),
        Just("-9223372036854775809"),
        Just("4294967296"),
        Just("1e-320"),
    ];
    let leaf = prop_oneof![number_text.prop_map(|n| JsonValue::Number(n.to_string())), json()];
    leaf.prop_recursive(2, 8, 3, |inner| prop::collection::vec(inner, 0..3).prop_map(JsonValue::Array))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    /// Non-canonical and non-finite number texts do not panic any function either.
    #[test]
    fn raw_numbers_do_not_panic(index in 0..FUNCTIONS.len(), args in prop::collection::vec(raw_json(), 0..=4)) {
        let name = FUNCTIONS[index].0;
        prop_assume!(name != "SLEEP");
        let _ = call(name, args);
    }

    /// Any function (but `SLEEP`) with 0 to 4 arbitrary arguments returns a value or a
    /// `CallError`, never panics; results are canonical.
    #[test]
    fn no_function_panics(index in 0..FUNCTIONS.len(), args in prop::collection::vec(json(), 0..=4)) {
        let name = FUNCTIONS[index].0;
        prop_assume!(name != "SLEEP");
        if let Ok(v) = call(name, args.clone()) {
            prop_assert_eq!(value::canonical(v.clone()), v, "{}({:?})", name, args);
        }
    }

    /// The same, one function at a time, with arguments of the function's arity.
    #[test]
    fn every_function_in_its_arity(args in prop::collection::vec(json(), 0..=7)) {
        for d in FUNCTIONS.iter().filter(|d| d.0 != "SLEEP") {
            let n = args.len().clamp(d.1, d.2.min(7));
            let mut a = args.clone();
            a.resize(n, JsonValue::Null);
            let _ = call(d.0, a);
        }
    }
}

/// Every function, every arity up to 5, each position set to an extreme value over a few
/// baselines: no panic, no overflow.
#[test]
fn extreme_values_in_every_position() {
    let extremes: Vec<JsonValue> = [
        "1e300",
        "-1e300",
        "9.3e18",
        "-9.3e18",
        "4294967296",
        "-1",
        "0.5",
        r#""""#,
        r#""%""#,
        "[]",
        "{}",
        "[[1]]",
        r#""P1Y""#,
        r#"{"_id": "a/b"}"#,
    ]
    .iter()
    .map(|t| j(t))
    .collect();
    let baselines: Vec<JsonValue> = ["null", "1", r#""2020-01-31""#, "[1, 2]", r#""a""#, "true"].iter().map(|t| j(t)).collect();
    for d in FUNCTIONS.iter().filter(|d| d.0 != "SLEEP") {
        for n in d.1..=d.2.min(5) {
            for base in &baselines {
                for i in 0..n {
                    for e in &extremes {
                        let mut args = vec![base.clone(); n];
                        args[i] = e.clone();
                        let _ = call(d.0, args);
                    }
                }
            }
        }
    }
}
