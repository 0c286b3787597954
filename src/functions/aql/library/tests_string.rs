//! String functions, with the examples of ArangoDB's documentation.

use super::tests::{check, check_invalid, run};
use crate::functions::jsonvalue::JsonValue;

#[test]
fn lengths_and_case() {
    check("CHAR_LENGTH", r#"["foo"]"#, "3");
    check("CHAR_LENGTH", r#"[{"foo": "bar"}]"#, "13");
    check("CHAR_LENGTH", "[true]", "4");
    check("CHAR_LENGTH", "[false]", "5");
    check("CHAR_LENGTH", "[null]", "0");
    check("CHAR_LENGTH", "[1234]", "4");
    check("CHAR_LENGTH", r#"["电脑坏了"]"#, "4");
    check("LOWER", r#"["AVOcado"]"#, r#""avocado""#);
    check("UPPER", r#"["AVOcado"]"#, r#""AVOCADO""#);
    check("UPPER", r#"["straße"]"#, r#""STRASSE""#);
}

#[test]
fn concat() {
    check("CONCAT", r#"["foo", "bar", "baz"]"#, r#""foobarbaz""#);
    check("CONCAT", "[1, 2, 3]", r#""123""#);
    check("CONCAT", r#"[null, false, 0, true, ""]"#, r#""false0true""#);
    check("CONCAT", r#"[[5, 6], {"foo": "bar"}]"#, r#""[5,6]{\"foo\":\"bar\"}""#);
    check("CONCAT", r#"[["foo", "bar", "baz"]]"#, r#""foobarbaz""#);
    check("CONCAT", r#"[[null, false, 0, true, ""]]"#, r#""false0true""#);
    check("CONCAT", r#"[[[5, 6], {"foo": "bar"}]]"#, r#""[5,6]{\"foo\":\"bar\"}""#);
    check("CONCAT_SEPARATOR", r#"[", ", "foo", "bar", "baz"]"#, r#""foo, bar, baz""#);
    check("CONCAT_SEPARATOR", r#"[", ", 1, 2, 3]"#, r#""1, 2, 3""#);
    check("CONCAT_SEPARATOR", r#"[", ", null, false, 0, true, ""]"#, r#""false, 0, true, ""#);
    check("CONCAT_SEPARATOR", r#"[", ", [5, 6], {"foo": "bar"}]"#, r#""[5,6], {\"foo\":\"bar\"}""#);
    check("CONCAT_SEPARATOR", r#"[", ", ["foo", "bar", "baz"]]"#, r#""foo, bar, baz""#);
    check("CONCAT_SEPARATOR", r#"[", ", [[5, 6], {"foo": "bar"}]]"#, r#""[5,6], {\"foo\":\"bar\"}""#);
}

#[test]
fn contains_and_find() {
    check("CONTAINS", r#"["foobarbaz", "bar"]"#, "true");
    check("CONTAINS", r#"["foobarbaz", "horse"]"#, "false");
    check("CONTAINS", r#"["foobarbaz", "bar", true]"#, "3");
    check("CONTAINS", r#"["foobarbaz", "horse", true]"#, "-1");
    check("CONTAINS", r#"["äöübar", "bar", true]"#, "3");
    check("CONTAINS", r#"["abc", ""]"#, "false");
    check("FIND_FIRST", r#"["foobarbaz", "ba"]"#, "3");
    check("FIND_FIRST", r#"["foobarbaz", "ba", 4]"#, "6");
    check("FIND_FIRST", r#"["foobarbaz", "ba", 0, 3]"#, "-1");
    check("FIND_FIRST", r#"["foobarbaz", "ba", 0, 4]"#, "3");
    check("FIND_FIRST", r#"["foobarbaz", "", 2]"#, "2");
    check("FIND_FIRST", r#"["foobarbaz", "ba", -1]"#, "-1");
    check("FIND_FIRST", r#"["ääba", "ba"]"#, "2");
    check("FIND_LAST", r#"["foobarbaz", "ba"]"#, "6");
    check("FIND_LAST", r#"["foobarbaz", "ba", 7]"#, "-1");
    check("FIND_LAST", r#"["foobarbaz", "ba", 0, 4]"#, "3");
    check("FIND_LAST", r#"["foobarbaz", ""]"#, "9");
    check("FIND_LAST", r#"["foobarbaz", "", 0, 4]"#, "5");
    check("STARTS_WITH", r#"["foobar", "foo"]"#, "true");
    check("STARTS_WITH", r#"["foobar", "baz"]"#, "false");
    check("STARTS_WITH", r#"["foobar", ["bar", "foo"]]"#, "true");
    check("STARTS_WITH", r#"["foobar", ["bar", "baz"]]"#, "false");
    check("STARTS_WITH", r#"["foobar", ["f", "fo", "x"], 2]"#, "true");
}

#[test]
fn substrings() {
    check("SUBSTRING", r#"["Holy Guacamole!", 5]"#, r#""Guacamole!""#);
    check("SUBSTRING", r#"["Holy Guacamole!", 5, 4]"#, r#""Guac""#);
    check("SUBSTRING", r#"["Holy Guacamole!", 10, 4]"#, r#""mole""#);
    check("SUBSTRING", r#"["Holy Guacamole!", -5, 4]"#, r#""mole""#);
    check("SUBSTRING", r#"["Holy Guacamole!", -50, 4]"#, r#""Holy""#);
    check("SUBSTRING", r#"["Holy", 10]"#, r#""""#);
    check("SUBSTRING", r#"["Holy", 1, -1]"#, r#""""#);
    check("SUBSTRING", r#"["电脑坏了", 1, 2]"#, r#""脑坏""#);
    check("SUBSTRING_BYTES", r#"["We ❤️ avocado!", 10]"#, r#""avocado!""#);
    check("SUBSTRING_BYTES", r#"["We ❤️ avocado!", 3, 3]"#, r#""❤""#);
    check("SUBSTRING_BYTES", r#"["We ❤️ avocado!", -15, 6]"#, r#""❤️""#);
    check("SUBSTRING_BYTES", r#"["We ❤️ avocado!", -15, 4]"#, "null");
    check("LEFT", r#"["foobar", 3]"#, r#""foo""#);
    check("LEFT", r#"["foobar", 10]"#, r#""foobar""#);
    check("LEFT", r#"["foobar", -1]"#, r#""""#);
    check("RIGHT", r#"["foobar", 3]"#, r#""bar""#);
    check("RIGHT", r#"["foobar", 10]"#, r#""foobar""#);
    check("RIGHT", r#"["电脑坏了", 2]"#, r#""坏了""#);
    check("REVERSE", r#"["foobar"]"#, r#""raboof""#);
    check("REVERSE", r#"["电脑坏了"]"#, r#""了坏脑电""#);
    check("REVERSE", "[12]", "null");
}

#[test]
fn trimming() {
    check("TRIM", r#"["foo bar"]"#, r#""foo bar""#);
    check("TRIM", r#"["  foo bar  "]"#, r#""foo bar""#);
    check("TRIM", r#"["--==[foo-bar]==--", "-=[]"]"#, r#""foo-bar""#);
    check("TRIM", r#"["  foobar\t \r\n "]"#, r#""foobar""#);
    check("TRIM", r#"[";foo;bar;baz, ", ",; "]"#, r#""foo;bar;baz""#);
    check("TRIM", r#"["  x  ", 1]"#, r#""x  ""#);
    check("TRIM", r#"["  x  ", 2]"#, r#""  x""#);
    check("TRIM", r#"["  x  ", 7]"#, r#""x""#);
    check("LTRIM", r#"["  foo bar  "]"#, r#""foo bar  ""#);
    check("LTRIM", r#"["--==[foo-bar]==--", "-=[]"]"#, r#""foo-bar]==--""#);
    check("RTRIM", r#"["  foo bar  "]"#, r#""  foo bar""#);
    check("RTRIM", r#"["--==[foo-bar]==--", "-=[]"]"#, r#""--==[foo-bar""#);
    check("RTRIM", r#"["xx", "x"]"#, r#""""#);
}

#[test]
fn like_and_regex() {
    check("LIKE", r#"["cart", "ca_t"]"#, "true");
    check("LIKE", r#"["carrot", "ca_t"]"#, "false");
    check("LIKE", r#"["carrot", "ca%t"]"#, "true");
    check("LIKE", r#"["foo bar baz", "bar"]"#, "false");
    check("LIKE", r#"["foo bar baz", "%bar%"]"#, "true");
    check("LIKE", r#"["bar", "%bar%"]"#, "true");
    check("LIKE", r#"["FoO bAr BaZ", "fOo%bAz"]"#, "false");
    check("LIKE", r#"["FoO bAr BaZ", "fOo%bAz", true]"#, "true");
    check("REGEX_TEST", r#"["the quick brown fox", "the.*fox"]"#, "true");
    check("REGEX_TEST", r#"["the quick brown fox", "^(a|the)\\s+(quick|slow).*f.x$"]"#, "true");
    check("REGEX_TEST", r#"["the\nquick\nbrown\nfox", "^the(\n[a-w]+)+\nfox$"]"#, "true");
    check("REGEX_TEST", r#"["ABC", "b"]"#, "false");
    check("REGEX_TEST", r#"["ABC", "b", true]"#, "true");
    check_invalid("REGEX_TEST", r#"["abc", "(unclosed"]"#, "invalid regular expression '(unclosed'");
    check("REGEX_MATCHES", r#"["My-us3r_n4m3", "^[a-z0-9_-]{3,16}$", true]"#, r#"["My-us3r_n4m3"]"#);
    check("REGEX_MATCHES", r##"["#4d82h4", "^#?([a-f0-9]{6}|[a-f0-9]{3})$", true]"##, "null");
    check(
        "REGEX_MATCHES",
        r#"["john@doe.com", "^([a-z0-9_\\.-]+)@([\\da-z-]+)\\.([a-z\\.]{2,6})$", false]"#,
        r#"["john@doe.com", "john", "doe", "com"]"#,
    );
    check("REGEX_MATCHES", r#"["ab", "(x)?b"]"#, r#"["b", ""]"#);
    check("REGEX_SPLIT", r#"["hypertext language, programming", "[\\s, ]+"]"#, r#"["hypertext", "language", "programming"]"#);
    check("REGEX_SPLIT", r#"["Capture the article", "(the)"]"#, r#"["Capture ", "the", " article"]"#);
    check("REGEX_SPLIT", r#"["Don't capture the article", "the"]"#, r#"["Don't capture ", " article"]"#);
    check("REGEX_SPLIT", r#"["cA,Bc,A,BcA,BcA,Bc", "a,b", true, 3]"#, r#"["c", "c,", "c"]"#);
    check("REGEX_SPLIT", r#"["abc", ""]"#, r#"["a", "b", "c"]"#);
    check("REGEX_SPLIT", r#"["abc", "b", false, 0]"#, "[]");
    check("REGEX_SPLIT", r#"["abc", "b", false, -1]"#, "null");
    check("REGEX_REPLACE", r#"["the quick brown fox", "the.*fox", "jumped over"]"#, r#""jumped over""#);
    check("REGEX_REPLACE", r#"["An Avocado", "a", "_"]"#, r#""An Avoc_do""#);
    check("REGEX_REPLACE", r#"["An Avocado", "a", "_", true]"#, r#""_n _voc_do""#);
    check("REGEX_REPLACE", r#"["abc", "(b)", "[$1]"]"#, r#""a[b]c""#);
    check("REGEX_REPLACE", r#"["abc", "(b)", "$1x\\$"]"#, r#""abx$c""#);
    check_invalid("REGEX_REPLACE", r#"["abc", "[", "x"]"#, "invalid regular expression");
}

#[test]
fn split() {
    check("SPLIT", r#"["foo-bar-baz", "-"]"#, r#"["foo", "bar", "baz"]"#);
    check("SPLIT", r#"["foo-bar-baz", "-", 1]"#, r#"["foo"]"#);
    check("SPLIT", r#"["foo, bar & baz", [", ", " & "]]"#, r#"["foo", "bar", "baz"]"#);
    check("SPLIT", r#"["a.b*c", ".*"]"#, r#"["a.b*c"]"#);
    check("SPLIT", r#"["a.b", "."]"#, r#"["a", "b"]"#);
    check("SPLIT", r#"["abc", ""]"#, r#"["a", "b", "c"]"#);
    check("SPLIT", r#"["abc", "", 2]"#, r#"["a", "b"]"#);
    check("SPLIT", r#"["foo"]"#, r#"["foo"]"#);
    check("SPLIT", r#"["", "-"]"#, r#"[""]"#);
    check("SPLIT", r#"["a-", "-"]"#, r#"["a", ""]"#);
    check("SPLIT", r#"["a-b", "-", 0]"#, "[]");
    check("SPLIT", r#"["a-b", "-", -1]"#, "null");
    check("SPLIT", r#"["a-b", {}]"#, "null");
}

#[test]
fn substitute() {
    let fox = r#""the quick brown foxx""#;
    check("SUBSTITUTE", &format!(r#"[{fox}, "quick", "lazy"]"#), r#""the lazy brown foxx""#);
    check("SUBSTITUTE", &format!(r#"[{fox}, ["quick", "foxx"], ["slow", "dog"]]"#), r#""the slow brown dog""#);
    check("SUBSTITUTE", &format!(r#"[{fox}, ["the", "foxx"], ["that", "dog"], 1]"#), r#""that quick brown foxx""#);
    check("SUBSTITUTE", &format!(r#"[{fox}, ["the", "quick", "foxx"], ["A", "VOID!"]]"#), r#""A VOID! brown ""#);
    check("SUBSTITUTE", &format!(r#"[{fox}, ["quick", "foxx"], "xx"]"#), r#""the xx brown xx""#);
    check("SUBSTITUTE", &format!(r#"[{fox}, {{"quick": "small", "brown": "slow", "foxx": "ant"}}]"#), r#""the small slow ant""#);
    check("SUBSTITUTE", &format!(r#"[{fox}, {{"quick": "", "brown": null, "foxx": "ant"}}]"#), r#""the   ant""#);
    check("SUBSTITUTE", &format!(r#"[{fox}, {{"quick": "small", "brown": "slow", "foxx": "ant"}}, 2]"#), r#""the small slow foxx""#);
    check("SUBSTITUTE", &format!(r#"[{fox}, "quick"]"#), r#""the  brown foxx""#);
    check("SUBSTITUTE", r#"["aaa", "a", "b", 2]"#, r#""bba""#);
    check("SUBSTITUTE", r#"["abcd", ["bc", "b"], ["X", "Y"]]"#, r#""aXd""#);
    check("SUBSTITUTE", r#"[123, "x", "y", 0]"#, "123");
    check("SUBSTITUTE", r#"["abc", 1, "y"]"#, "null");
}

#[test]
fn hashes_and_encodings() {
    check("MD5", r#"["foobar"]"#, r#""3858f62230ac3c915f300c664312c63f""#);
    check("MD5", r#"[""]"#, r#""d41d8cd98f00b204e9800998ecf8427e""#);
    check("SHA1", r#"["foobar"]"#, r#""8843d7f92416211de9ebb963ff4ce28125932878""#);
    check("SHA256", r#"["foobar"]"#, r#""c3ab8ff13720e8ad9047dd39466b3c8974e592c2fa383d4a3960714caef0c4f2""#);
    check(
        "SHA512",
        r#"["foobar"]"#,
        r#""0a50261ebd1a390fed2bf326f2673c145582a6342d523204973d0219337f81616a8069b012587cf5635f6925f1b56c360230c19b273500ee013e030601bf2425""#,
    );
    let long = "a".repeat(1000);
    check("SHA256", &format!(r#"["{long}"]"#), r#""41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3""#);
    let y = "y".repeat(64);
    check("SHA1", &format!(r#"["{y}"]"#), r#""b6376ceaac8c20081a513ca7e5b6973ff853c149""#);
    check("CRC32", r#"["foobar"]"#, r#""D5F5C7F""#);
    check("FNV64", r#"["foobar"]"#, r#""85944171F73967E8""#);
    check("TO_BASE64", r#"["ABC."]"#, r#""QUJDLg==""#);
    check("TO_BASE64", r#"["123456"]"#, r#""MTIzNDU2""#);
    check("TO_HEX", r#"["ABC."]"#, r#""4142432e""#);
    check("TO_HEX", r#"["ü"]"#, r#""c3bc""#);
    check("ENCODE_URI_COMPONENT", r#"["fünf %"]"#, r#""f%C3%BCnf%20%25""#);
    check("ENCODE_URI_COMPONENT", r#"["a-b_c.d!e~f*g'h(i)j k"]"#, r#""a-b_c.d!e~f*g'h(i)j%20k""#);
    check("SOUNDEX", r#"["example"]"#, r#""E251""#);
    check("SOUNDEX", r#"["ekzampul"]"#, r#""E251""#);
    check("SOUNDEX", r#"["soundex"]"#, r#""S532""#);
    check("SOUNDEX", r#"["sounteks"]"#, r#""S532""#);
    check("SOUNDEX", r#"["  Robert"]"#, r#""R163""#);
    check("SOUNDEX", r#"["123"]"#, r#""""#);
    check("LEVENSHTEIN_DISTANCE", r#"["foobar", "bar"]"#, "3");
    check("LEVENSHTEIN_DISTANCE", r#"[" ", ""]"#, "1");
    check(
        "LEVENSHTEIN_DISTANCE",
        r#"["The quick brown fox jumps over the lazy dog", "The quick black dog jumps over the brown fox"]"#,
        "13",
    );
    check("LEVENSHTEIN_DISTANCE", r#"["der mötör trötet", "der trötet"]"#, "6");
    check("LEVENSHTEIN_DISTANCE", r#"["ab", "ba"]"#, "1");
}

#[test]
fn ipv4() {
    check("IPV4_FROM_NUMBER", "[0]", r#""0.0.0.0""#);
    check("IPV4_FROM_NUMBER", "[134744072]", r#""8.8.8.8""#);
    check("IPV4_FROM_NUMBER", "[2130706433]", r#""127.0.0.1""#);
    check("IPV4_FROM_NUMBER", "[3232235521]", r#""192.168.0.1""#);
    check("IPV4_FROM_NUMBER", "[-23]", "null");
    check("IPV4_FROM_NUMBER", "[4294967296]", "null");
    check("IPV4_TO_NUMBER", r#"["0.0.0.0"]"#, "0");
    check("IPV4_TO_NUMBER", r#"["8.8.8.8"]"#, "134744072");
    check("IPV4_TO_NUMBER", r#"["127.0.0.1"]"#, "2130706433");
    check("IPV4_TO_NUMBER", r#"["192.168.0.1"]"#, "3232235521");
    check("IPV4_TO_NUMBER", r#"["milk"]"#, "null");
    check("IS_IPV4", r#"["127.0.0.1"]"#, "true");
    check("IS_IPV4", r#"["8.8.8.8"]"#, "true");
    check("IS_IPV4", r#"["008.008.008.008"]"#, "false");
    check("IS_IPV4", r#"["12345.2.3.4"]"#, "false");
    check("IS_IPV4", r#"["12.34"]"#, "false");
    check("IS_IPV4", "[8888]", "false");
    check("IS_IPV4", r#"["256.1.1.1"]"#, "false");
}

#[test]
fn random_values() {
    let Ok(JsonValue::String(t)) = run("RANDOM_TOKEN", "[8]") else { panic!() };
    assert_eq!(t.len(), 8);
    assert!(t.bytes().all(|b| b.is_ascii_alphanumeric()));
    assert_ne!(run("RANDOM_TOKEN", "[32]"), run("RANDOM_TOKEN", "[32]"));
    check("RANDOM_TOKEN", "[0]", r#""""#);
    check_invalid("RANDOM_TOKEN", "[-1]", "RANDOM_TOKEN");
    check_invalid("RANDOM_TOKEN", "[65537]", "RANDOM_TOKEN");
    let Ok(JsonValue::String(u)) = run("UUID", "[]") else { panic!() };
    let parts: Vec<&str> = u.split('-').collect();
    assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), vec![8, 4, 4, 4, 12]);
    assert!(parts[2].starts_with('4'));
    assert!(u.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    assert_ne!(run("UUID", "[]"), run("UUID", "[]"));
}
