//! Operator and comparison tests. Every expectation was produced by PostgreSQL 15.18;
//! the SQL (with `psql -At` output) is quoted next to the cases. `None` stands for SQL
//! NULL, `Err(text)` for an error's primary message (all SQLSTATE `22023`).

use std::cmp::Ordering;

use super::*;

fn jb(text: &str) -> JsonValue {
    match parse_jsonb(text) {
        Ok(v) => v,
        Err(e) => panic!("test input {text:?} must parse: {}", e.verbose()),
    }
}

fn out(v: Option<&JsonValue>) -> Option<String> {
    v.map(JsonValue::to_string)
}

fn res(r: Result<JsonValue, JsonError>) -> Result<String, String> {
    match r {
        Ok(v) => Ok(v.to_string()),
        Err(e) => {
            assert_eq!(e.sqlstate, "22023", "{}", e.verbose());
            Err(e.message)
        }
    }
}

fn s(text: &str) -> Option<String> {
    Some(text.to_string())
}

#[test]
fn arrow_operators() {
    // select '1'::jsonb -> 0, '"a"'::jsonb -> 0, '[1]'::jsonb -> 0  ->  1|"a"|1
    assert_eq!(out(jb("1").get_index(0)), s("1"));
    assert_eq!(out(jb("\"a\"").get_index(0)), s("\"a\""));
    assert_eq!(out(jb("[1]").get_index(0)), s("1"));
    // '1' -> -1 = 1; '1' -> 1, '1' -> -2, '{}' -> 0, '"a"' -> 'a', '{"a":1}' -> 0 are NULL
    assert_eq!(out(jb("1").get_index(-1)), s("1"));
    assert_eq!(jb("1").get_index(1), None);
    assert_eq!(jb("1").get_index(-2), None);
    assert_eq!(jb("{}").get_index(0), None);
    assert_eq!(jb("\"a\"").get_field("a"), None);
    assert_eq!(jb(r#"{"a":1}"#).get_index(0), None);
    assert_eq!(jb("[1,2,3]").get_field("1"), None);
    // '[1,2,3]' -> -1 = 3, -> -3 = 1, -> -4 and -> 3 are NULL, -> -2147483648 NULL
    let a = jb("[1,2,3]");
    assert_eq!(out(a.get_index(-1)), s("3"));
    assert_eq!(out(a.get_index(-3)), s("1"));
    assert_eq!(a.get_index(-4), None);
    assert_eq!(a.get_index(3), None);
    assert_eq!(a.get_index(i32::MIN), None);
    // 'null'::jsonb -> 0 = null (JSON null), ->> 0 is SQL NULL; '"a"' ->> 0 = a
    assert_eq!(out(jb("null").get_index(0)), s("null"));
    assert_eq!(jb("null").get_index_text(0), None);
    assert_eq!(jb("\"a\"").get_index_text(0), s("a"));
    // '{"":1}' -> '' = 1
    assert_eq!(out(jb(r#"{"":1}"#).get_field("")), s("1"));
}

#[test]
fn text_arrow_operators() {
    // '{"a":"x\ny","b":null,"c":[1, "z"],"d":1.50,"e":true}'::jsonb ->> a, b, c, d, e
    let v = jb(r#"{"a":"x\ny","b":null,"c":[1, "z"],"d":1.50,"e":true}"#);
    assert_eq!(v.get_field_text("a"), s("x\ny"));
    assert_eq!(v.get_field_text("b"), None);
    assert_eq!(out(v.get_field("b")), s("null"));
    assert_eq!(v.get_field_text("c"), s("[1, \"z\"]"));
    assert_eq!(v.get_field_text("d"), s("1.50"));
    assert_eq!(v.get_field_text("e"), s("true"));
    assert_eq!(v.get_field_text("zz"), None);
    // '["a\"b"]' ->> 0 = a"b ; -> 0 = "a\"b"
    assert_eq!(jb(r#"["a\"b"]"#).get_index_text(0), s("a\"b"));
    assert_eq!(out(jb(r#"["a\"b"]"#).get_index(0)), s(r#""a\"b""#));
    // '{"a":[1,"b",null,{"c":true}]}' -> 'a' ->> 3 = {"c": true}; ->> 1 = b
    let w = jb(r#"{"a":[1,"b",null,{"c":true}]}"#);
    assert_eq!(w.get_field("a").and_then(|a| a.get_index_text(3)), s(r#"{"c": true}"#));
    assert_eq!(w.get_field("a").and_then(|a| a.get_index_text(1)), s("b"));
}

#[test]
fn path_operators() {
    let a = jb("[1,2,3]");
    let p = |v: &JsonValue, path: &[&str]| {
        let path: Vec<Option<&str>> = path.iter().map(|x| Some(*x)).collect();
        out(v.get_path(&path))
    };
    // #> '{" 1"}' = 2, '{"+1"}' = 2, '{"1 "}' NULL, '{-1}' = 3, '{-4}' NULL, '{a}' NULL
    assert_eq!(p(&a, &[" 1"]), s("2"));
    assert_eq!(p(&a, &["+1"]), s("2"));
    assert_eq!(p(&a, &["1 "]), None);
    assert_eq!(p(&a, &["-1"]), s("3"));
    assert_eq!(p(&a, &["-4"]), None);
    assert_eq!(p(&a, &["a"]), None);
    // '{"-2147483648"}', '{"2147483648"}', '{"0x1"}', '{""}' NULL; '{"01"}' = 2
    assert_eq!(p(&a, &["-2147483648"]), None);
    assert_eq!(p(&a, &["2147483648"]), None);
    assert_eq!(p(&a, &["0x1"]), None);
    assert_eq!(p(&a, &[""]), None);
    assert_eq!(p(&a, &["01"]), s("2"));
    // E'{"\t1"}' = 2, E'{"\n\r\f\v 1"}' = 2, '{"- 1"}' NULL, '{"+-1"}' NULL, '{"-0"}' = 1
    assert_eq!(p(&a, &["\t1"]), s("2"));
    assert_eq!(p(&a, &["\n\r\u{c}\u{b} 1"]), s("2"));
    assert_eq!(p(&a, &["- 1"]), None);
    assert_eq!(p(&a, &["+-1"]), None);
    assert_eq!(p(&a, &["-0"]), s("1"));
    assert_eq!(p(&a, &["+"]), None);
    assert_eq!(p(&a, &["2147483647"]), None);
    // '1' #> '{}' = 1; '"a"' #>> '{}' = a; '{"a":1}' #>> '{}' = {"a": 1};
    // 'null' #>> '{}' NULL; 'null' #> '{}' = null; '1' #> '{0}' NULL
    assert_eq!(out(jb("1").get_path(&[])), s("1"));
    assert_eq!(jb("\"a\"").get_path_text(&[]), s("a"));
    assert_eq!(jb(r#"{"a":1}"#).get_path_text(&[]), s(r#"{"a": 1}"#));
    assert_eq!(jb("null").get_path_text(&[]), None);
    assert_eq!(out(jb("null").get_path(&[])), s("null"));
    assert_eq!(p(&jb("1"), &["0"]), None);
    // '{"a":[1,{"b":2}]}' #> '{a,1,b}' = 2; #> array['a',null] NULL
    let v = jb(r#"{"a":[1,{"b":2}]}"#);
    assert_eq!(p(&v, &["a", "1", "b"]), s("2"));
    assert_eq!(out(v.get_path(&[Some("a"), None])), None);
    assert_eq!(out(v.get_path(&[None])), None);
    // '{"a":{"b":[1,{"c":"x"}]}}' #>> '{a,b,1,c}' = x; #> '{a,b,-1}' = {"c": "x"};
    // #> '{a,b,1,c,d}' NULL
    let w = jb(r#"{"a":{"b":[1,{"c":"x"}]}}"#);
    assert_eq!(w.get_path_text(&[Some("a"), Some("b"), Some("1"), Some("c")]), s("x"));
    assert_eq!(p(&w, &["a", "b", "-1"]), s(r#"{"c": "x"}"#));
    assert_eq!(p(&w, &["a", "b", "1", "c", "d"]), None);
    // '[[1,2],[3,4]]' #> '{1,0}' = 3 ; #>> '{1,5}' NULL
    assert_eq!(p(&jb("[[1,2],[3,4]]"), &["1", "0"]), s("3"));
    assert_eq!(p(&jb("[[1,2],[3,4]]"), &["1", "5"]), None);
    // '{"a":"b"}' #>> '{a}' = b, #> '{a}' = "b"; '[null]' #> '{0}' = null, #>> NULL
    assert_eq!(jb(r#"{"a":"b"}"#).get_path_text(&[Some("a")]), s("b"));
    assert_eq!(p(&jb(r#"{"a":"b"}"#), &["a"]), s("\"b\""));
    assert_eq!(p(&jb("[null]"), &["0"]), s("null"));
    assert_eq!(jb("[null]").get_path_text(&[Some("0")]), None);
    // '{"a":{"":2}}' #> '{a,""}' = 2
    assert_eq!(p(&jb(r#"{"a":{"":2}}"#), &["a", ""]), s("2"));
}

#[test]
fn containment() {
    let c = |a: &str, b: &str| jb(a).contains(&jb(b));
    let cases: &[(&str, &str, bool)] = &[
        ("[1,[2]]", "[[2]]", true),
        ("[1,2]", "1", true),
        ("1", "[1]", false),
        ("1", "1", true),
        ("[1,2]", "[2,1,1]", true),
        (r#"{"a":1}"#, "1", false),
        (r#"[{"a":1}]"#, r#"{"a":1}"#, false),
        (r#"{"a":[1,2]}"#, r#"{"a":1}"#, false),
        (r#"{"a":[1,2]}"#, r#"{"a":[1]}"#, true),
        (r#"{"a":{"b":1,"c":2}}"#, r#"{"a":{"b":1}}"#, true),
        (r#"{"a":1}"#, "{}", true),
        ("[]", "[]", true),
        ("[1]", "[]", true),
        ("{}", "[]", false),
        ("[]", "{}", false),
        ("[1.0]", "[1]", true),
        ("\"a\"", "\"a\"", true),
        ("\"a\"", "[\"a\"]", false),
        ("[\"a\"]", "\"a\"", true),
        ("[[1,2]]", "[1]", false),
        ("[[1,2]]", "[[1]]", true),
        ("[[1,2],[3]]", "[[3,1]]", false),
        (r#"[{"a":1},{"b":2}]"#, r#"[{"a":1,"b":2}]"#, false),
        ("[1,[2]]", "[[]]", true),
        ("[1]", "[[]]", false),
        ("[{}]", "[[]]", false),
        ("[[]]", "[{}]", false),
        (r#"{"a":{}}"#, r#"{"a":[]}"#, false),
        ("null", "null", true),
        ("[null]", "null", true),
        (r#"{"a":1, "b":{"c":[1,2,{"d":3}]}}"#, r#"{"b":{"c":[{"d":3}]}}"#, true),
        (r#"{"a":1, "b":{"c":[1,2,{"d":3}]}}"#, r#"{"b":{"c":[{"d":4}]}}"#, false),
        ("[[1,[2,3]]]", "[[[3]]]", true),
        ("[[1,[2,3]]]", "[[3]]", false),
        ("[\"a\",[\"b\"]]", "[\"b\"]", false),
        ("[1,\"1\"]", "[\"1\"]", true),
        ("[\"1\"]", "[1]", false),
        (r#"{"a":null}"#, r#"{"a":null}"#, true),
        (r#"{"a":null}"#, r#"{"b":null}"#, false),
        ("[[]]", "[]", true),
        (r#"{"a":true}"#, r#"{"a":"true"}"#, false),
        ("1e2", "100", true),
        ("1", "[]", false),
        ("[]", "1", false),
    ];
    for &(a, b, expected) in cases {
        assert_eq!(c(a, b), expected, "{a} @> {b}");
        assert_eq!(jb(b).contained_in(&jb(a)), expected, "{b} <@ {a}");
    }
    // '{"a":1,"b":2}' <@ '{"a":1}' = f; '[1,1]' <@ '[1]' = t; '[1]' <@ '[1,2]' = t
    assert!(!jb(r#"{"a":1,"b":2}"#).contained_in(&jb(r#"{"a":1}"#)));
    assert!(jb("[1,1]").contained_in(&jb("[1]")));
    assert!(jb("[1]").contained_in(&jb("[1,2]")));
}

#[test]
fn existence() {
    // '{"a":1}' ? 'a' t, '["a"]' ? 'a' t, '[["a"]]' ? 'a' f, '"a"' ? 'a' t, '1' ? '1' f,
    // '[1]' ? '1' f, '{"a":{"b":1}}' ? 'b' f, '{"a":null}' ? 'a' t
    let cases: &[(&str, &str, bool)] = &[
        (r#"{"a":1}"#, "a", true),
        ("[\"a\"]", "a", true),
        ("[[\"a\"]]", "a", false),
        ("\"a\"", "a", true),
        ("1", "1", false),
        ("[1]", "1", false),
        (r#"{"a":{"b":1}}"#, "b", false),
        (r#"{"a":null}"#, "a", true),
    ];
    for &(v, key, expected) in cases {
        assert_eq!(jb(v).exists(key), expected, "{v} ? {key}");
    }
    // '{"a":1,"b":2}' ?| array['x','b'] t; ?| '{}' f; ?& '{}' t; ?& array['a',null] t;
    // ?| array[null,'a'] t; ?| array[null] f; '{"a":1,"b":2}' ?& array['a','b','c'] f
    let v = jb(r#"{"a":1,"b":2}"#);
    assert!(v.exists_any(&[Some("x"), Some("b")]));
    assert!(!v.exists_any(&[]));
    assert!(v.exists_all(&[]));
    assert!(v.exists_all(&[Some("a"), None]));
    assert!(v.exists_any(&[None, Some("a")]));
    assert!(!v.exists_any(&[None]));
    assert!(!v.exists_all(&[Some("a"), Some("b"), Some("c")]));
}

#[test]
fn concatenation() {
    // select '{"a":1,"b":2}' || '{"b":3,"c":4}', '[1,2]' || '[3]', '1' || '2', ...
    let cases: &[(&str, &str, &str)] = &[
        (r#"{"a":1,"b":2}"#, r#"{"b":3,"c":4}"#, r#"{"a": 1, "b": 3, "c": 4}"#),
        ("[1,2]", "[3]", "[1, 2, 3]"),
        ("1", "2", "[1, 2]"),
        (r#"{"a":1}"#, "1", r#"[{"a": 1}, 1]"#),
        ("1", r#"{"a":1}"#, r#"[1, {"a": 1}]"#),
        ("[1]", r#"{"a":1}"#, r#"[1, {"a": 1}]"#),
        (r#"{"a":1}"#, "[1]", r#"[{"a": 1}, 1]"#),
        ("[]", "1", "[1]"),
        ("{}", "[]", "[{}]"),
        ("[]", "{}", "[{}]"),
        ("{}", "{}", "{}"),
        ("\"a\"", "null", "[\"a\", null]"),
        ("[]", "[]", "[]"),
        (r#"{"bb":1,"a":2}"#, r#"{"c":3}"#, r#"{"a": 2, "c": 3, "bb": 1}"#),
    ];
    for &(a, b, expected) in cases {
        assert_eq!(jb(a).concat(jb(b)).to_string(), expected, "{a} || {b}");
    }
}

#[test]
fn deletion() {
    // '{"a":1,"b":2}' - 'a' = {"b": 2}; '["a","b","a",1]' - 'a' = ["b", 1]; ...
    assert_eq!(res(jb(r#"{"a":1,"b":2}"#).delete_key("a")), Ok(r#"{"b": 2}"#.into()));
    assert_eq!(res(jb(r#"["a","b","a",1]"#).delete_key("a")), Ok(r#"["b", 1]"#.into()));
    assert_eq!(res(jb(r#"["a"]"#).delete_key("x")), Ok(r#"["a"]"#.into()));
    assert_eq!(res(jb("{}").delete_key("a")), Ok("{}".into()));
    assert_eq!(res(jb("[]").delete_key("a")), Ok("[]".into()));
    // '[1,2,3]' - 1 = [1, 3]; - -1 = [1, 2]; - -5, - 5, - -2147483648, - 2147483647 unchanged
    assert_eq!(res(jb("[1,2,3]").delete_index(1)), Ok("[1, 3]".into()));
    assert_eq!(res(jb("[1,2,3]").delete_index(-1)), Ok("[1, 2]".into()));
    for i in [-5, 5, i32::MIN, i32::MAX] {
        assert_eq!(res(jb("[1,2,3]").delete_index(i)), Ok("[1, 2, 3]".into()));
    }
    assert_eq!(res(jb("[]").delete_index(0)), Ok("[]".into()));
    // Errors (22023)
    let scalar = Err("cannot delete from scalar".to_string());
    assert_eq!(res(jb("1").delete_key("a")), scalar);
    assert_eq!(res(jb("\"a\"").delete_key("a")), scalar);
    assert_eq!(res(jb("1").delete_index(0)), scalar);
    assert_eq!(res(jb("1").delete_keys(&[Some("a")])), scalar);
    assert_eq!(res(jb("1").delete_keys(&[])), scalar);
    let object = Err("cannot delete from object using integer index".to_string());
    assert_eq!(res(jb(r#"{"a":1}"#).delete_index(0)), object);
    assert_eq!(res(jb("{}").delete_index(0)), object);
    // '{"a":1,"b":2,"c":3}' - array['a','c',null] = {"b": 2}; '["a","b"]' - array['a'] = ["b"]
    let keys = [Some("a"), Some("c"), None];
    assert_eq!(res(jb(r#"{"a":1,"b":2,"c":3}"#).delete_keys(&keys)), Ok(r#"{"b": 2}"#.into()));
    assert_eq!(res(jb(r#"["a","b"]"#).delete_keys(&[Some("a")])), Ok(r#"["b"]"#.into()));
    assert_eq!(res(jb("[]").delete_keys(&[Some("a")])), Ok("[]".into()));
    assert_eq!(res(jb(r#"{"a":1}"#).delete_keys(&[])), Ok(r#"{"a": 1}"#.into()));
}

#[test]
fn functions() {
    // jsonb_typeof('{}'), ('[]'), ('"a"'), ('1'), ('true'), ('null')
    let types: Vec<&str> = ["{}", "[]", "\"a\"", "1", "true", "null"].iter().map(|t| jb(t).type_name()).collect();
    assert_eq!(types, ["object", "array", "string", "number", "boolean", "null"]);
    // jsonb_array_length('[1,2,[3]]') = 3, ('[]') = 0, ('1'), ('null'), ('{}') errors
    assert_eq!(jb("[1,2,[3]]").array_length(), Ok(3));
    assert_eq!(jb("[]").array_length(), Ok(0));
    let msg = |r: Result<usize, JsonError>| r.map_err(|e| (e.sqlstate, e.message));
    let scalar = Err(("22023", "cannot get array length of a scalar".to_string()));
    assert_eq!(msg(jb("1").array_length()), scalar);
    assert_eq!(msg(jb("null").array_length()), scalar);
    let non_array = Err(("22023", "cannot get array length of a non-array".to_string()));
    assert_eq!(msg(jb("{}").array_length()), non_array);
    // jsonb_object_keys('{"b":1,"aa":2,"a":3}') = a, b, aa
    assert_eq!(jb(r#"{"b":1,"aa":2,"a":3}"#).jsonb_object_keys(), Ok(vec!["a", "b", "aa"]));
    let keys = |t: &str| jb(t).jsonb_object_keys().map(|_| ()).map_err(|e| e.message);
    assert_eq!(keys("1"), Err("cannot call jsonb_object_keys on a scalar".into()));
    assert_eq!(keys("[]"), Err("cannot call jsonb_object_keys on an array".into()));
    let json_keys = |t: &str| parse_json(t).and_then(|v| v.json_object_keys().map(|_| ()));
    let json_err = |t: &str| json_keys(t).map_err(|e| e.message);
    assert_eq!(json_err("1"), Err("cannot call json_object_keys on a scalar".into()));
    assert_eq!(json_err("[]"), Err("cannot call json_object_keys on an array".into()));
}

#[test]
fn ordering_matches_postgres() {
    // select x from (values ...) v(x) order by x
    let sorted = [
        "[]",
        "null",
        "\"\"",
        "\"a\"",
        "\"ab\"",
        "\"b\"",
        "-1",
        "1",
        "1.5",
        "false",
        "true",
        "[0]",
        "[1]",
        "[[]]",
        "{}",
        r#"{"a": 1}"#,
        r#"{"aa": 1}"#,
        r#"{"b": 1}"#,
    ];
    let mut values: Vec<Jsonb> = sorted.iter().rev().map(|t| Jsonb(jb(t))).collect();
    values.sort();
    let printed: Vec<String> = values.iter().map(Jsonb::to_string).collect();
    assert_eq!(printed, sorted);
    // jsonb_cmp('1','[]') = 1, ('[]','null') = -1, ('"b"','"ab"') = 1, ('{"ab":1}','{"b":1}') = -1,
    // ('[1,"a"]','[1,2]') = -1, ('1.0','1') = 0, ('{}','[]') = 1, ('true','{}') = -1
    use Ordering::*;
    let cases: &[(&str, &str, Ordering)] = &[
        ("1", "[]", Greater),
        ("[]", "null", Less),
        ("\"b\"", "\"ab\"", Greater),
        (r#"{"ab":1}"#, r#"{"b":1}"#, Less),
        ("[1,\"a\"]", "[1,2]", Less),
        ("1.0", "1", Equal),
        ("{}", "[]", Greater),
        ("true", "{}", Less),
        // '1' < '[1]', '1' < '[0]', 'true' < '[]' is false, '"é"' > '"z"' (bytewise)
        ("1", "[1]", Less),
        ("1", "[0]", Less),
        ("true", "[]", Greater),
        ("\"é\"", "\"z\"", Greater),
        (r#"{"a":2}"#, r#"{"a":1,"b":0}"#, Less),
        (r#"{"a":1,"b":2}"#, r#"{"a":1,"c":0}"#, Less),
        (r#"{"a":1,"c":2}"#, r#"{"b":1,"c":0}"#, Less),
        ("[1,[2]]", "[1,3]", Greater),
        ("[1,{}]", "[1,[]]", Greater),
        ("[[1,2]]", "[[3]]", Greater),
        ("[\"B\"]", "[\"a\"]", Less),
        ("[null]", "[\"a\"]", Less),
        ("[1]", "[null]", Greater),
        (r#"{"a":null}"#, r#"{"a":1}"#, Less),
        (r#"{"a":[]}"#, r#"{"a":1}"#, Greater),
        (r#"{"a":{}}"#, r#"{"a":[]}"#, Greater),
        (r#"{"a":[1,2]}"#, r#"{"a":[1,3]}"#, Less),
        ("[1,2,3]", "[2]", Greater),
        (r#"{"a":1,"b":1}"#, r#"{"c":5}"#, Greater),
        ("[true]", "[1]", Greater),
        (r#"[{"a":1}]"#, "[[1]]", Greater),
        ("\"a\"", "[\"a\"]", Less),
        (r#"{"a":1,"b":2}"#, r#"{"b":2,"a":1}"#, Equal),
        ("[1.0]", "[1.00]", Equal),
    ];
    for &(a, b, expected) in cases {
        assert_eq!(jsonb_cmp(&jb(a), &jb(b)), expected, "jsonb_cmp({a}, {b})");
        assert_eq!(jsonb_cmp(&jb(b), &jb(a)), expected.reverse(), "jsonb_cmp({b}, {a})");
        assert_eq!(jsonb_eq(&jb(a), &jb(b)), expected == Equal, "{a} = {b}");
    }
}

#[test]
fn hash_agrees_with_equality() {
    use std::collections::HashSet;
    let set: HashSet<Jsonb> =
        ["1", "1.0", "1e0", "[1.00]", "[1]", r#"{"a":1.0}"#, r#"{"a":1}"#, "\"1\""].iter().map(|t| Jsonb(jb(t))).collect();
    // {1, [1], {"a": 1}, "1"}
    assert_eq!(set.len(), 4);
}
