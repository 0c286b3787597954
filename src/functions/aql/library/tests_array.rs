//! Array functions, with the examples of ArangoDB's documentation.

use super::tests::{check, check_invalid};

#[test]
fn length_and_access() {
    check("LENGTH", r#"["🥑"]"#, "1");
    check("LENGTH", "[1234]", "4");
    check("LENGTH", "[[1, 2, 3, 4, 5, 6, 7]]", "7");
    check("LENGTH", "[false]", "0");
    check("LENGTH", "[true]", "1");
    check("LENGTH", "[null]", "0");
    check("LENGTH", r#"[{"a": 1, "b": 2, "c": 3, "d": 4, "e": {"f": 5, "g": 6}}]"#, "5");
    check("LENGTH", r#"["foobar"]"#, "6");
    check("COUNT", r#"["电脑坏了"]"#, "4");
    check("FIRST", "[[1, 2, 3]]", "1");
    check("FIRST", "[[]]", "null");
    check("FIRST", "[1]", "null");
    check("LAST", "[[1, 2, 3, 4, 5]]", "5");
    check("LAST", "[[]]", "null");
    check("NTH", r#"[["foo", "bar", "baz"], 2]"#, r#""baz""#);
    check("NTH", r#"[["foo", "bar", "baz"], 3]"#, "null");
    check("NTH", r#"[["foo", "bar", "baz"], -1]"#, "null");
    check("POSITION", "[[2, 4, 6, 8], 4]", "true");
    check("POSITION", "[[2, 4, 6, 8], 4, true]", "1");
    check("POSITION", "[[2, 4, 6, 8], 5, true]", "-1");
    check("POSITION", r#"[["foo", "bar", "baz", "bay"], "baz", true]"#, "2");
    check("CONTAINS_ARRAY", "[[1, 2.0], 2]", "true");
    check("POSITION", "[3, 3]", "null");
    check("REVERSE", "[[2, 4, 6, 8, 10]]", "[10, 8, 6, 4, 2]");
}

#[test]
fn flatten_and_slices() {
    check("FLATTEN", "[[1, 2, [3, 4], 5, [6, 7], [8, [9, 10]]]]", "[1, 2, 3, 4, 5, 6, 7, 8, [9, 10]]");
    check("FLATTEN", "[[1, 2, [3, 4], 5, [6, 7], [8, [9, 10]]], 2]", "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]");
    check("FLATTEN", "[[1, [2, [3]]]]", "[1, 2, [3]]");
    check("FLATTEN", "[[1, [2, [3]]], 0]", "[1, 2, [3]]");
    check("FLATTEN", "[[1, [2, [3]]], 100]", "[1, 2, 3]");
    check("FLATTEN", "[1]", "null");
    check("SLICE", "[[1, 2, 3, 4, 5], 0, 1]", "[1]");
    check("SLICE", "[[1, 2, 3, 4, 5], 1, 2]", "[2, 3]");
    check("SLICE", "[[1, 2, 3, 4, 5], 3]", "[4, 5]");
    check("SLICE", "[[1, 2, 3, 4, 5], 1, -1]", "[2, 3, 4]");
    check("SLICE", "[[1, 2, 3, 4, 5], 0, -2]", "[1, 2, 3]");
    check("SLICE", "[[1, 2, 3, 4, 5], -3, 2]", "[3, 4]");
    check("SLICE", "[[1, 2, 3, 4, 5], 10]", "[]");
    check("SLICE", "[[1, 2, 3, 4, 5], 3, -4]", "[]");
}

#[test]
fn modifying() {
    check("APPEND", "[[1, 2, 3], [5, 6, 9]]", "[1, 2, 3, 5, 6, 9]");
    check("APPEND", "[[1, 2, 3], [3, 4, 5, 2, 9], true]", "[1, 2, 3, 4, 5, 9]");
    check("APPEND", "[[1, 2], 3]", "[1, 2, 3]");
    check("APPEND", "[null, [1]]", "[1]");
    check("APPEND", "[[1], null]", "[1]");
    check("APPEND", "[3, [1]]", "null");
    check("PUSH", "[[1, 2, 3], 4]", "[1, 2, 3, 4]");
    check("PUSH", "[[1, 2, 2, 3], 2, true]", "[1, 2, 2, 3]");
    check("PUSH", "[null, 1]", "[1]");
    check("UNSHIFT", "[[1, 2, 3], 4]", "[4, 1, 2, 3]");
    check("UNSHIFT", "[[1, 2, 3], 2, true]", "[1, 2, 3]");
    check("POP", "[[1, 2, 3, 4]]", "[1, 2, 3]");
    check("POP", "[[1]]", "[]");
    check("POP", "[null]", "null");
    check("SHIFT", "[[1, 2, 3, 4]]", "[2, 3, 4]");
    check("SHIFT", "[[1]]", "[]");
    check("SHIFT", "[[]]", "[]");
    check("REMOVE_NTH", r#"[["a", "b", "c", "d", "e"], 1]"#, r#"["a", "c", "d", "e"]"#);
    check("REMOVE_NTH", r#"[["a", "b", "c", "d", "e"], -2]"#, r#"["a", "b", "c", "e"]"#);
    check("REMOVE_NTH", r#"[["a", "b"], 5]"#, r#"["a", "b"]"#);
    check("REPLACE_NTH", r#"[["a", "b", "c"], 1, "z"]"#, r#"["a", "z", "c"]"#);
    check("REPLACE_NTH", r#"[["a", "b", "c"], 3, "z"]"#, r#"["a", "b", "c", "z"]"#);
    check("REPLACE_NTH", r#"[["a", "b", "c"], 6, "z", "y"]"#, r#"["a", "b", "c", "y", "y", "y", "z"]"#);
    check("REPLACE_NTH", r#"[["a", "b", "c"], -1, "z"]"#, r#"["a", "b", "z"]"#);
    check("REPLACE_NTH", r#"[["a", "b", "c"], -9, "z"]"#, r#"["z", "b", "c"]"#);
    check_invalid("REPLACE_NTH", r#"[["a", "b", "c"], 6, "z"]"#, "REPLACE_NTH");
    check_invalid("REPLACE_NTH", r#"[["a"], null, "z"]"#, "REPLACE_NTH");
    check_invalid("REPLACE_NTH", r#"[["a"], 1e12, "z", null]"#, "too large");
    check("REMOVE_VALUE", r#"[["a", "b", "b", "a", "c"], "a"]"#, r#"["b", "b", "c"]"#);
    check("REMOVE_VALUE", r#"[["a", "b", "b", "a", "c"], "a", 1]"#, r#"["b", "b", "a", "c"]"#);
    check("REMOVE_VALUE", r#"[null, "a"]"#, "[]");
    check("REMOVE_VALUES", r#"[["a", "a", "b", "c", "d", "e", "f"], ["a", "f", "d"]]"#, r#"["b", "c", "e"]"#);
    check("REMOVE_VALUES", "[[1, 2], null]", "[1, 2]");
}

#[test]
fn sets() {
    check("COUNT_DISTINCT", "[[1, 2, 3]]", "3");
    check("COUNT_DISTINCT", r#"[["yes", "no", "yes", "sauron", "no", "yes"]]"#, "3");
    check("COUNT_UNIQUE", "[[1, 1.0, [1], [1.0]]]", "2");
    check("UNIQUE", "[[1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 5]]", "[1, 2, 3, 4, 5]");
    check("UNIQUE", r#"[[3, "a", 3, {"x": 1}, {"x": 1}]]"#, r#"[3, "a", {"x": 1}]"#);
    check("SORTED", "[[8, 4, 2, 10, 6]]", "[2, 4, 6, 8, 10]");
    check("SORTED", r#"[["b", null, 1, [], true, {}]]"#, r#"[null, true, 1, "b", [], {}]"#);
    check("SORTED_UNIQUE", "[[8, 4, 2, 10, 6, 2, 8, 6, 4]]", "[2, 4, 6, 8, 10]");
    check("UNION", "[[1, 2, 3], [1, 2]]", "[1, 2, 3, 1, 2]");
    check("UNION", "[[1], 2]", "null");
    check("UNION_DISTINCT", "[[1, 2, 3], [1, 2]]", "[1, 2, 3]");
    check("INTERSECTION", "[[1, 2, 3, 4, 5], [2, 3, 4, 5, 6], [3, 4, 5, 6, 7]]", "[3, 4, 5]");
    check("INTERSECTION", "[[2, 4, 6], [8, 10, 12], [14, 16, 18]]", "[]");
    check("INTERSECTION", "[[1, 1, 2], [1]]", "[1]");
    check("MINUS", "[[1, 2, 3, 4], [3, 4, 5, 6], [5, 6, 7, 8]]", "[1, 2]");
    check("OUTERSECTION", "[[1, 2, 3], [2, 3, 4], [3, 4, 5]]", "[1, 5]");
    check("INTERLEAVE", "[[1, 1, 1], [2, 2, 2], [3, 3, 3]]", "[1, 2, 3, 1, 2, 3, 1, 2, 3]");
    check("INTERLEAVE", "[[1], [2, 2], [3, 3, 3]]", "[1, 2, 3, 2, 3, 3]");
    check("INTERLEAVE", "[[1], 2]", "null");
    check("JACCARD", "[[1, 2, 3, 4], [3, 4, 5, 6]]", "0.3333333333333333");
    check("JACCARD", "[[1, 1, 2, 2, 2, 3], [2, 2, 3, 4]]", "0.5");
    check("JACCARD", "[[1, 2, 3], []]", "0");
    check("JACCARD", "[[], []]", "1");
}
