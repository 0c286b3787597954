//! Document / object functions, with the examples of ArangoDB's documentation.

use super::tests::{check, j};
use crate::functions::aql::library::call;
use crate::functions::jsonvalue::JsonValue;

const DOC: &str = r#"{"foo": {"bar": {"foo": 1, "baz": 2}, "baz": 3}, "baz": 4}"#;

/// `name(DOC, rest...)`.
#[track_caller]
fn on_doc(name: &str, rest: &str, expected: &str) {
    check(name, &format!("[{DOC}, {rest}]"), expected);
}

#[test]
fn attributes_values_entries() {
    let doc = r#"{"foo": "bar", "_key": "123", "_custom": "yes"}"#;
    check("ATTRIBUTES", &format!("[{doc}]"), r#"["foo", "_key", "_custom"]"#);
    check("ATTRIBUTES", &format!("[{doc}, true]"), r#"["foo"]"#);
    check("KEYS", &format!("[{doc}, false, true]"), r#"["_custom", "_key", "foo"]"#);
    check("ATTRIBUTES", "[[1]]", "null");
    check("VALUES", r#"[{"_id": "users/jane", "name": "Jane", "age": 35}]"#, r#"["users/jane", "Jane", 35]"#);
    check("VALUES", r#"[{"_id": "users/jane", "name": "Jane", "age": 35}, true]"#, r#"["Jane", 35]"#);
    check("ENTRIES", r#"[{"foo": "bar", "_key": "123"}]"#, r#"[["foo", "bar"], ["_key", "123"]]"#);
    check("LENGTH", r#"[{"name": "Emma", "age": 36, "phone": {"mobile": "..."}}]"#, "3");
    let dup = JsonValue::Object(vec![("a".into(), j("1")), ("b".into(), j("2")), ("a".into(), j("3"))]);
    assert_eq!(call("VALUES", vec![dup.clone()]), Ok(j("[3, 2]")));
    assert_eq!(call("LENGTH", vec![dup.clone()]), Ok(j("2")));
    assert_eq!(call("ATTRIBUTES", vec![dup]), Ok(j(r#"["a", "b"]"#)));
}

#[test]
fn has_and_matches() {
    check("HAS", r#"[{"name": "Jane"}, "name"]"#, "true");
    check("HAS", r#"[{"name": "Jane"}, "age"]"#, "false");
    check("HAS", r#"[{"name": null}, "name"]"#, "true");
    check("HAS", r#"[{"1": null}, 1]"#, "true");
    check("HAS", r#"["name", "name"]"#, "false");
    check("MATCHES", r#"[{"name": "jane", "age": 27, "active": true}, {"age": 27, "active": true}]"#, "true");
    check("MATCHES", r#"[{"test": 1}, [{"test": 1, "foo": "bar"}, {"foo": 1}, {"test": 1}], true]"#, "2");
    check("MATCHES", r#"[{"test": 1}, [{"test": 2}], true]"#, "-1");
    check("MATCHES", r#"[{"a": 1}, {"b": null}]"#, "true");
    check("MATCHES", r#"[{"a": 1}, {}]"#, "true");
    check("MATCHES", r#"[1, {}]"#, "false");
}

#[test]
fn keep_and_unset() {
    on_doc("KEEP", r#""foo""#, r#"{"foo": {"bar": {"foo": 1, "baz": 2}, "baz": 3}}"#);
    on_doc("KEEP", r#""bar""#, "{}");
    on_doc("KEEP", r#""baz""#, r#"{"baz": 4}"#);
    on_doc("KEEP", r#""foo", "baz""#, DOC);
    on_doc("KEEP", r#"["foo", "baz"]"#, DOC);
    on_doc("KEEP_RECURSIVE", r#""foo""#, r#"{"foo": {}}"#);
    on_doc("KEEP_RECURSIVE", r#""bar""#, "{}");
    on_doc("KEEP_RECURSIVE", r#""baz""#, r#"{"baz": 4}"#);
    on_doc("KEEP_RECURSIVE", r#""foo", "bar""#, r#"{"foo": {"bar": {"foo": 1}}}"#);
    on_doc("KEEP_RECURSIVE", r#""foo", "baz""#, r#"{"foo": {"baz": 3}, "baz": 4}"#);
    on_doc("KEEP_RECURSIVE", r#""foo", "bar", "baz""#, DOC);
    on_doc("KEEP_RECURSIVE", r#"["foo", "baz"]"#, r#"{"foo": {"baz": 3}, "baz": 4}"#);
    on_doc("UNSET", r#""foo""#, r#"{"baz": 4}"#);
    on_doc("UNSET", r#""bar""#, DOC);
    on_doc("UNSET", r#""baz""#, r#"{"foo": {"bar": {"foo": 1, "baz": 2}, "baz": 3}}"#);
    on_doc("UNSET", r#""foo", "baz""#, "{}");
    on_doc("UNSET", r#"["foo", "bar"]"#, r#"{"baz": 4}"#);
    on_doc("UNSET_RECURSIVE", r#""foo""#, r#"{"baz": 4}"#);
    on_doc("UNSET_RECURSIVE", r#""bar""#, r#"{"foo": {"baz": 3}, "baz": 4}"#);
    on_doc("UNSET_RECURSIVE", r#""baz""#, r#"{"foo": {"bar": {"foo": 1}}}"#);
    on_doc("UNSET_RECURSIVE", r#""foo", "bar""#, r#"{"baz": 4}"#);
    on_doc("UNSET_RECURSIVE", r#""foo", "baz""#, "{}");
    on_doc("UNSET_RECURSIVE", r#""foo", "bar", "baz""#, "{}");
    on_doc("UNSET_RECURSIVE", r#"["baz"]"#, r#"{"foo": {"bar": {"foo": 1}}}"#);
    check("UNSET", r#"[{"1": 1, "2": 2}, 1]"#, r#"{"2": 2}"#);
    check("KEEP", r#"[[1], "a"]"#, "null");
}

#[test]
fn merging() {
    check(
        "MERGE",
        r#"[{"user1": {"name": "Jane"}}, {"user2": {"name": "Tom"}}]"#,
        r#"{"user1": {"name": "Jane"}, "user2": {"name": "Tom"}}"#,
    );
    check("MERGE", r#"[{"users": {"name": "Jane"}}, {"users": {"name": "Tom"}}]"#, r#"{"users": {"name": "Tom"}}"#);
    check(
        "MERGE",
        r#"[[{"foo": "bar"}, {"quux": "quetzalcoatl", "ruled": true}, {"bar": "baz", "foo": "done"}]]"#,
        r#"{"foo": "done", "quux": "quetzalcoatl", "ruled": true, "bar": "baz"}"#,
    );
    check("MERGE", r#"[{"a": 1}, {"b": 2}]"#, r#"{"a": 1, "b": 2}"#);
    check("MERGE", r#"[{"a": 1}]"#, r#"{"a": 1}"#);
    check("MERGE", r#"[{"a": 1}, 2]"#, "null");
    check("MERGE", r#"[[{"a": 1}, 2]]"#, "null");
    check("MERGE", r#"[{"a": 1}, {"a": null}]"#, r#"{"a": null}"#);
    check(
        "MERGE_RECURSIVE",
        r#"[{"user-1": {"name": "Jane", "livesIn": {"city": "LA"}}}, {"user-1": {"age": 42, "livesIn": {"state": "CA"}}}]"#,
        r#"{"user-1": {"name": "Jane", "livesIn": {"city": "LA", "state": "CA"}, "age": 42}}"#,
    );
    check(
        "MERGE_RECURSIVE",
        r#"[[{"user-1": {"name": "Jane", "livesIn": {"city": "LA"}}}, {"user-1": {"age": 42, "livesIn": {"city": "NY"}}}]]"#,
        r#"{"user-1": {"name": "Jane", "livesIn": {"city": "NY"}, "age": 42}}"#,
    );
    check(
        "ZIP",
        r#"[["name", "active", "hobbies"], ["some user", true, ["swimming", "riding"]]]"#,
        r#"{"name": "some user", "active": true, "hobbies": ["swimming", "riding"]}"#,
    );
    check("ZIP", r#"[["a", "a", 1], [1, 2, 3]]"#, r#"{"a": 1, "1": 3}"#);
    check("ZIP", r#"[["a"], [1, 2]]"#, "null");
}

#[test]
fn lookups_and_identifiers() {
    check("TRANSLATE", r#"["FR", {"US": "United States", "UK": "United Kingdom", "FR": "France"}]"#, r#""France""#);
    check("TRANSLATE", r#"[42, {"foo": "bar", "bar": "baz"}]"#, "42");
    check("TRANSLATE", r#"[42, {"foo": "bar", "bar": "baz"}, "not found!"]"#, r#""not found!""#);
    check("TRANSLATE", r#"[42, {"42": true}]"#, "true");
    check("TRANSLATE", r#"["x", 1]"#, "null");
    check("VALUE", r#"[{"foo": {"bar": "baz"}}, ["foo", "bar"]]"#, r#""baz""#);
    check("VALUE", r#"[{"foo": [{"bar": "baz"}, {"bar": {"inner": true}}]}, ["foo", 1, "bar"]]"#, r#"{"inner": true}"#);
    check("VALUE", r#"[{"foo": [1, 2]}, ["foo", -1]]"#, "2");
    check("VALUE", r#"[{"foo": 1}, ["bar"]]"#, "null");
    check("VALUE", r#"[{"foo": 1}, "foo"]"#, "null");
    check("PARSE_IDENTIFIER", r#"["_users/my-user"]"#, r#"{"collection": "_users", "key": "my-user"}"#);
    check(
        "PARSE_IDENTIFIER",
        r#"[{"_id": "mycollection/mykey", "value": "some value"}]"#,
        r#"{"collection": "mycollection", "key": "mykey"}"#,
    );
    check("PARSE_IDENTIFIER", r#"["a/b/c"]"#, "null");
    check("PARSE_IDENTIFIER", r#"["abc"]"#, "null");
    check("PARSE_COLLECTION", r#"["_users/my-user"]"#, r#""_users""#);
    check("PARSE_COLLECTION", r#"[{"_id": "mycollection/mykey", "value": "some value"}]"#, r#""mycollection""#);
    check("PARSE_KEY", r#"["_users/my-user"]"#, r#""my-user""#);
    check("PARSE_KEY", r#"[{"_id": "mycollection/mykey", "value": "some value"}]"#, r#""mykey""#);
    check("PARSE_KEY", "[1]", "null");
    check("IS_SAME_COLLECTION", r#"["_users", "_users/my-user"]"#, "true");
    check("IS_SAME_COLLECTION", r#"["_users", {"_id": "_users/my-user"}]"#, "true");
    check("IS_SAME_COLLECTION", r#"["_users", "foobar/baz"]"#, "false");
    check("IS_SAME_COLLECTION", r#"["_users", {"_id": "something/else"}]"#, "false");
    check("IS_SAME_COLLECTION", r#"["_users", {"id": "x/y"}]"#, "null");
}

#[test]
fn json() {
    check("JSON_PARSE", r#"["123"]"#, "123");
    check("JSON_PARSE", r#"["[ true, false, null, -0.5 ]"]"#, "[true, false, null, -0.5]");
    check("JSON_PARSE", r#"["{\"a\": 1}"]"#, r#"{"a": 1}"#);
    check("JSON_PARSE", r#"["\"abc\""]"#, r#""abc""#);
    check("JSON_PARSE", r#"["abc"]"#, "null");
    check("JSON_PARSE", r#"["1.50"]"#, "1.5");
    check("JSON_PARSE", "[1]", "null");
    check("JSON_STRINGIFY", "[true]", r#""true""#);
    check("JSON_STRINGIFY", r#"["abc"]"#, r#""\"abc\"""#);
    check("JSON_STRINGIFY", r#"[[1, {"2": 0.5}]]"#, r#""[1,{\"2\":0.5}]""#);
    check("JSON_STRINGIFY", "[null]", r#""null""#);
}
