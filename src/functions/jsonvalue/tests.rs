//! Cross-cutting tests. Every expectation was produced by PostgreSQL 15.18
//! (`psql -At`, `\set VERBOSITY verbose`); the SQL is quoted next to the cases.

use super::*;

/// `jsonb_in` then `jsonb_out`, or the error as `SQLSTATE|detail|context`.
fn jsonb(text: &str) -> String {
    match parse_jsonb(text) {
        Ok(v) => v.to_string(),
        Err(e) => err_line(&e),
    }
}

fn err_line(e: &JsonError) -> String {
    format!("{}|{}|{}|{}", e.sqlstate, e.message, e.detail.as_deref().unwrap_or(""), e.context.as_deref().unwrap_or(""))
}

const SYNTAX: &str = "22P02|invalid input syntax for type json";

/// `select '<input>'::json` errors: (input, detail, context).
const JSON_SYNTAX_ERRORS: &[(&str, &str, &str)] = &[
    ("tru", r#"Token "tru" is invalid."#, "JSON data, line 1: tru"),
    ("\"\\x\"", r#"Escape sequence "\x" is invalid."#, r#"JSON data, line 1: "\x..."#),
    ("\"\\é\"", r#"Escape sequence "\é" is invalid."#, r#"JSON data, line 1: "\é..."#),
    ("\"\\u12\"", r#""\u" must be followed by four hexadecimal digits."#, r#"JSON data, line 1: "\u12""#),
    ("\"\\u12x4\"", r#""\u" must be followed by four hexadecimal digits."#, r#"JSON data, line 1: "\u12x..."#),
    ("\"\\u12", r#"Token ""\u12" is invalid."#, r#"JSON data, line 1: "\u12"#),
    ("\"\\u", r#"Token ""\u" is invalid."#, r#"JSON data, line 1: "\u"#),
    ("\"a\nb\"", "Character with value 0x0a must be escaped.", r#"JSON data, line 1: "a"#),
    ("\"a\u{1}b\"", "Character with value 0x01 must be escaped.", r#"JSON data, line 1: "a..."#),
    ("\"ab\ncd\"", "Character with value 0x0a must be escaped.", r#"JSON data, line 1: "ab"#),
    ("\"abc", r#"Token ""abc" is invalid."#, r#"JSON data, line 1: "abc"#),
    ("\"abc\\", r#"Token ""abc\" is invalid."#, r#"JSON data, line 1: "abc\"#),
    ("", "The input string ended unexpectedly.", "JSON data, line 1: "),
    ("   ", "The input string ended unexpectedly.", "JSON data, line 1:    "),
    ("\n\n", "The input string ended unexpectedly.", "JSON data, line 3: "),
    ("[1 2]", r#"Expected "," or "]", but found "2"."#, "JSON data, line 1: [1 2..."),
    ("{\"a\" 1}", r#"Expected ":", but found "1"."#, r#"JSON data, line 1: {"a" 1..."#),
    ("{\"a\": 1 \"b\"}", r#"Expected "," or "}", but found ""b""."#, r#"JSON data, line 1: {"a": 1 "b"..."#),
    ("{1: 2}", r#"Expected string or "}", but found "1"."#, "JSON data, line 1: {1..."),
    ("{\"a\":1,}", r#"Expected string, but found "}"."#, r#"JSON data, line 1: {"a":1,}"#),
    ("[1,]", r#"Expected JSON value, but found "]"."#, "JSON data, line 1: [1,]"),
    ("[,1]", r#"Expected JSON value, but found ","."#, "JSON data, line 1: [,..."),
    ("1 2", r#"Expected end of input, but found "2"."#, "JSON data, line 1: 1 2"),
    ("true false", r#"Expected end of input, but found "false"."#, "JSON data, line 1: true false"),
    ("01", r#"Token "01" is invalid."#, "JSON data, line 1: 01"),
    ("00.5", r#"Token "00" is invalid."#, "JSON data, line 1: 00..."),
    ("-", r#"Token "-" is invalid."#, "JSON data, line 1: -"),
    ("1.", r#"Token "1." is invalid."#, "JSON data, line 1: 1."),
    ("1.e5", r#"Token "1.e5" is invalid."#, "JSON data, line 1: 1.e5"),
    (".5", r#"Token "." is invalid."#, "JSON data, line 1: ...."),
    ("-a", r#"Token "-a" is invalid."#, "JSON data, line 1: -a"),
    ("1.5.3", r#"Token "." is invalid."#, "JSON data, line 1: 1.5...."),
    ("1e", r#"Token "1e" is invalid."#, "JSON data, line 1: 1e"),
    ("1e+", r#"Token "1e+" is invalid."#, "JSON data, line 1: 1e+"),
    ("+1", r#"Token "+" is invalid."#, "JSON data, line 1: +..."),
    ("é", r#"Token "é" is invalid."#, "JSON data, line 1: é"),
    ("[1, tru$e]", r#"Token "tru" is invalid."#, "JSON data, line 1: [1, tru..."),
    ("{", "The input string ended unexpectedly.", "JSON data, line 1: {"),
    ("[", "The input string ended unexpectedly.", "JSON data, line 1: ["),
    ("{\"a\":", "The input string ended unexpectedly.", r#"JSON data, line 1: {"a":"#),
    ("{\"a\"", "The input string ended unexpectedly.", r#"JSON data, line 1: {"a""#),
    ("[1", "The input string ended unexpectedly.", "JSON data, line 1: [1"),
    ("[1,", "The input string ended unexpectedly.", "JSON data, line 1: [1,"),
    ("[1,[2,{\"a\":[]}]", "The input string ended unexpectedly.", r#"JSON data, line 1: [1,[2,{"a":[]}]"#),
    ("nul", r#"Token "nul" is invalid."#, "JSON data, line 1: nul"),
    ("NULL", r#"Token "NULL" is invalid."#, "JSON data, line 1: NULL"),
    ("true1", r#"Token "true1" is invalid."#, "JSON data, line 1: true1"),
    ("@", r#"Token "@" is invalid."#, "JSON data, line 1: @"),
    ("\u{c}[1]", "Token \"\u{c}\" is invalid.", "JSON data, line 1: \u{c}..."),
    ("{\"a\":1}}", r#"Expected end of input, but found "}"."#, r#"JSON data, line 1: {"a":1}}"#),
    ("[1]]", r#"Expected end of input, but found "]"."#, "JSON data, line 1: [1]]"),
    ("[1,\n2,\n x]", r#"Token "x" is invalid."#, "JSON data, line 3:  x..."),
    ("[1,\r\n2,\r\n x]", r#"Token "x" is invalid."#, "JSON data, line 3:  x..."),
    ("[1,\r2,\r x]", r#"Token "x" is invalid."#, "JSON data, line 1: [1,\r2,\r x..."),
    (
        "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, x]",
        r#"Token "x" is invalid."#,
        "JSON data, line 1: ... 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, x...",
    ),
    (
        "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, x, 1]",
        r#"Token "x" is invalid."#,
        "JSON data, line 1: ...11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, x...",
    ),
    (
        "[\"ééééééééééééééééééééééééééééééééééééééééééééééééééééééé\", x]",
        r#"Token "x" is invalid."#,
        "JSON data, line 1: ...éééééééééééééééééééééé\", x...",
    ),
    (
        "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 1,     x]",
        r#"Token "x" is invalid."#,
        "JSON data, line 1: ..., 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 1,     x...",
    ),
    (
        "[\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\", q]",
        r#"Token "q" is invalid."#,
        "JSON data, line 1: ...xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\", q...",
    ),
    (
        // 52 bytes up to the token: within 3 of the line start, so shown whole.
        "[\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\", q]",
        r#"Token "q" is invalid."#,
        "JSON data, line 1: [\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\", q...",
    ),
];

#[test]
fn json_syntax_errors_match_postgres() {
    for &(input, detail, context) in JSON_SYNTAX_ERRORS {
        let expected = format!("{SYNTAX}|{detail}|{context}");
        for (name, result) in [
            ("validate_json", validate_json(input).map(|_| JsonValue::Null)),
            ("parse_json", parse_json(input)),
            ("parse_jsonb", parse_jsonb(input)),
        ] {
            let got = match result {
                Ok(v) => format!("ok {v}"),
                Err(e) => err_line(&e),
            };
            assert_eq!(got, expected, "{name}({input:?})");
        }
    }
}

#[test]
fn jsonb_only_string_errors_match_postgres() {
    let cases: &[(&str, &str)] = &[
        (
            r#""\ud800""#,
            r#"22P02|invalid input syntax for type json|Unicode low surrogate must follow a high surrogate.|JSON data, line 1: "\ud800""#,
        ),
        (
            r#""\udc00""#,
            r#"22P02|invalid input syntax for type json|Unicode low surrogate must follow a high surrogate.|JSON data, line 1: "\udc00..."#,
        ),
        (
            r#""\ud800\ud800""#,
            r#"22P02|invalid input syntax for type json|Unicode high surrogate must not follow a high surrogate.|JSON data, line 1: "\ud800\ud800..."#,
        ),
        (
            r#""\ud800x""#,
            r#"22P02|invalid input syntax for type json|Unicode low surrogate must follow a high surrogate.|JSON data, line 1: "\ud800x..."#,
        ),
        (
            r#""\ud800\n""#,
            r#"22P02|invalid input syntax for type json|Unicode low surrogate must follow a high surrogate.|JSON data, line 1: "\ud800\n..."#,
        ),
        (
            r#"{"a":1,"\ud800":2}"#,
            r#"22P02|invalid input syntax for type json|Unicode low surrogate must follow a high surrogate.|JSON data, line 1: {"a":1,"\ud800"..."#,
        ),
        (r#""\u0000""#, r#"22P05|unsupported Unicode escape sequence|\u0000 cannot be converted to text.|JSON data, line 1: "\u0000..."#),
        (
            r#"["\u0000", x]"#,
            r#"22P05|unsupported Unicode escape sequence|\u0000 cannot be converted to text.|JSON data, line 1: ["\u0000..."#,
        ),
        (
            r#"{"\u0000":1}"#,
            r#"22P05|unsupported Unicode escape sequence|\u0000 cannot be converted to text.|JSON data, line 1: {"\u0000..."#,
        ),
        (r#"[x, "\u0000"]"#, r#"22P02|invalid input syntax for type json|Token "x" is invalid.|JSON data, line 1: [x..."#),
        // The numeric check runs after the next token is lexed.
        ("[1e131072, x]", "22003|value overflows numeric format||"),
        ("[1e131072 @]", r#"22P02|invalid input syntax for type json|Token "@" is invalid.|JSON data, line 1: [1e131072 @..."#),
        (
            r#"[1e131072 "\u0000"]"#,
            r#"22P05|unsupported Unicode escape sequence|\u0000 cannot be converted to text.|JSON data, line 1: [1e131072 "\u0000..."#,
        ),
        (r#"{"a":1e131072}"#, "22003|value overflows numeric format||"),
        ("1e999999999", "22003|value overflows numeric format||"),
    ];
    for &(input, expected) in cases {
        assert_eq!(jsonb(input), expected, "jsonb {input:?}");
    }
}

#[test]
fn json_accepts_what_jsonb_refuses() {
    // select '"\u0000"'::json, '"\ud800"'::json  ->  "\u0000"|"\ud800"
    for input in [r#""\u0000""#, r#""\ud800""#, r#""\udc00\ud800""#, "1e999999999"] {
        assert_eq!(validate_json(input), Ok(()), "{input}");
        assert!(parse_json(input).is_ok(), "{input}");
    }
    assert_eq!(parse_json(r#""a\u0000b""#), Ok(JsonValue::String("a\0b".into())));
    assert_eq!(parse_json(r#""\ud800x""#), Ok(JsonValue::String("\u{FFFD}x".into())));
    assert_eq!(parse_json(r#""\ud83d\ude00""#), Ok(JsonValue::String("😀".into())));
    // A verbatim value holding U+0000 cannot become jsonb.
    let e = parse_json(r#"["\u0000"]"#).and_then(JsonValue::normalize_jsonb);
    assert_eq!(e.map_err(|e| e.sqlstate), Err("22P05"));
}

#[test]
fn json_keeps_text_verbatim() {
    // select '{"a":1,"a":2}'::json -> {"a":1,"a":2}; json_object_keys keeps order and dups.
    let v = parse_json(r#"{"b":1,"aa":2,"a":3,"b":4}"#).unwrap_or(JsonValue::Null);
    assert_eq!(v.json_object_keys(), Ok(vec!["b", "aa", "a", "b"]));
    assert_eq!(v.get_field("b"), Some(&JsonValue::Number("4".into())));
    let n = parse_json("[1.0e2, -0, 1.50]").unwrap_or(JsonValue::Null);
    assert_eq!(n.to_string(), "[1.0e2, -0, 1.50]");
    assert_eq!(validate_json(" [1] "), Ok(()));
    assert_eq!(validate_json(" \t\n\r[1]\r\n"), Ok(()));
    assert_eq!(validate_json(r#"{"a":1 , "b" : [ 1 , 2 ] }"#), Ok(()));
}

#[test]
fn jsonb_output_matches_postgres() {
    let cases: &[(&str, &str)] = &[
        (r#"{"a":1,"a":2}"#, r#"{"a": 2}"#),
        (r#"{"b":1,"aa":2,"a":3,"ab":4,"":5}"#, r#"{"": 5, "a": 3, "b": 1, "aa": 2, "ab": 4}"#),
        (
            "[1e2, 1E2, 1.50, -0, -0.0, 1e-5, 1.5e1, 1.500e1, 0.000e3, 1.0e-1, 123e-1, 0e10, -1e0, 1E+2, 1e-0, 0.1e1]",
            "[100, 100, 1.50, 0, 0.0, 0.00001, 15, 15.00, 0, 0.10, 12.3, 0, -1, 100, 1, 1]",
        ),
        (
            r#"{"a": 1, "b": [1, 2, 3], "c": {}, "d": [], "e": {"x": null, "y": true, "z": false}}"#,
            r#"{"a": 1, "b": [1, 2, 3], "c": {}, "d": [], "e": {"x": null, "y": true, "z": false}}"#,
        ),
        (r#"[{"a":1,"a":{"c":1,"b":2,"b":3}}]"#, r#"[{"a": {"b": 3, "c": 1}}]"#),
        (r#""\ud83d\ude00""#, r#""😀""#),
        (r#""\u00e9\t\u0001\u001f\u007f/\/\"\\\b\f\r\n""#, "\"é\\t\\u0001\\u001f\u{7f}//\\\"\\\\\\b\\f\\r\\n\""),
        ("  true ", "true"),
        ("-0.000", "0.000"),
        ("{}", "{}"),
        ("[[],{}]", "[[], {}]"),
    ];
    for &(input, expected) in cases {
        assert_eq!(jsonb(input), expected, "jsonb {input:?}");
    }
}

#[test]
fn normalize_jsonb_equals_parse_jsonb() {
    for input in [r#"{"b":1,"aa":2,"a":3,"ab":4,"":5,"a":[1e2,{"y":1,"x":-0}]}"#, "[1.50e1, 0.000]", "\"x\""] {
        let via_json = parse_json(input).and_then(JsonValue::normalize_jsonb);
        assert_eq!(via_json, parse_jsonb(input), "{input}");
        let twice = parse_jsonb(input).and_then(JsonValue::normalize_jsonb);
        assert_eq!(twice, parse_jsonb(input), "idempotent {input}");
    }
}

#[test]
fn deep_nesting_errors_instead_of_overflowing() {
    // PostgreSQL: select (repeat('[', 100000) || repeat(']', 100000))::json
    //   -> 54001 stack depth limit exceeded
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    for result in [validate_json(&deep).map(|_| JsonValue::Null), parse_json(&deep), parse_jsonb(&deep)] {
        assert_eq!(result.map_err(|e| e.sqlstate), Err("54001"));
    }
    let unterminated = "[".repeat(1_000_000);
    assert_eq!(validate_json(&unterminated).map_err(|e| e.sqlstate), Err("54001"));
    let objects = format!("{}1{}", "{\"a\":".repeat(100_000), "}".repeat(100_000));
    assert_eq!(parse_jsonb(&objects).map_err(|e| e.sqlstate), Err("54001"));
}

/// Build `[[...[1]...]]` / `{"a":{"a":...1}}` with `depth` levels.
fn nested(depth: usize, object: bool) -> String {
    if object {
        format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth))
    } else {
        format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
    }
}

#[test]
fn deepest_accepted_value_is_usable_on_a_small_stack() {
    // Every recursive routine must cope with MAX_DEPTH (+1 from `||`) even on a
    // default-sized (2 MiB) thread; debug builds have the largest frames.
    let worker = std::thread::Builder::new().stack_size(2 << 20).spawn(|| {
        for object in [false, true] {
            let text = nested(MAX_DEPTH, object);
            let Ok(v) = parse_jsonb(&text) else {
                return Err(format!("depth {MAX_DEPTH} must parse"));
            };
            if parse_jsonb(&nested(MAX_DEPTH + 1, object)).is_ok() {
                return Err("depth limit not enforced".to_string());
            }
            // `object || array` wraps the object: the one way `||` adds a level.
            let deeper = if object { v.clone().concat(JsonValue::Array(vec![])) } else { JsonValue::Array(vec![v.clone()]) };
            let printed = deeper.to_string();
            let back = v.clone().normalize_jsonb().map_err(|e| e.verbose())?;
            let same = jsonb_cmp(&v, &back) == std::cmp::Ordering::Equal
                && v.contains(&back)
                && jsonb_eq(&deeper, &deeper.clone())
                && deeper.contains(&deeper)
                && deeper.depth() == MAX_DEPTH + 1
                && printed.len() > 2 * MAX_DEPTH;
            let mut h = std::collections::hash_map::DefaultHasher::new();
            jsonb_hash(&deeper, &mut h);
            if !same || v.to_string() != parse_json(&text).map(|j| j.to_string()).unwrap_or_default() {
                return Err("deep value round trip failed".to_string());
            }
            drop(deeper);
        }
        Ok(())
    });
    let outcome = match worker {
        Ok(handle) => handle.join().map_err(|_| "worker panicked".to_string()),
        Err(e) => Err(e.to_string()),
    };
    assert_eq!(outcome, Ok(Ok(())));
}

/// Deterministic pseudo-random garbage must never panic, only error or parse.
#[test]
fn garbage_never_panics() {
    let alphabet: Vec<char> = "{}[],:\"\\/ \t\n\r0123456789.eE+-truefalsn\u{0}\u{1f}ué😀x".chars().collect();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut accepted = 0;
    for _ in 0..20_000 {
        let len = (next() % 40) as usize;
        let text: String = (0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect();
        let valid = validate_json(&text).is_ok();
        assert_eq!(parse_json(&text).is_ok(), valid, "{text:?}");
        if let Ok(v) = parse_jsonb(&text) {
            accepted += 1;
            // Output re-parses to the same value.
            assert_eq!(parse_jsonb(&v.to_string()), Ok(v.clone()), "{text:?}");
        }
        if let Err(e) = parse_jsonb(&text) {
            assert!(["22P02", "22P05", "22003"].contains(&e.sqlstate), "{text:?}");
            if e.sqlstate != "22003" {
                assert!(e.context.is_some() && e.detail.is_some(), "{text:?}");
            }
        }
    }
    assert!(accepted > 0);
    // Arbitrary bytes that are valid UTF-8 after lossy conversion.
    for seed in 0..2_000u64 {
        let bytes: Vec<u8> = (0..64).map(|i| (seed.wrapping_mul(31).wrapping_add(i * 7919) % 256) as u8).collect();
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse_jsonb(&text);
        let _ = validate_json(&text);
    }
}
