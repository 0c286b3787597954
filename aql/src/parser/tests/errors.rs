//! Parser tests: error messages with positions, and robustness against hostile input.

use super::*;

// ---------------------------------------------------------------------------------------
// Errors

#[test]
fn empty_and_incomplete_queries() {
    for text in ["", "   ", "/* only a comment */", "// x"] {
        let e = err(text);
        assert_eq!(e.message, "unexpected end of query", "{text:?}");
    }
    let e = err("FOR u IN users\n  FILTER u.x == 1");
    assert_eq!(e.message, "unexpected end of query");
    assert_eq!(e.position, crate::error::Position { line: 2, column: 18 });
    assert_eq!(e.to_string(), "syntax error, unexpected end of query at position 2:18");
    assert_eq!(err("RETURN").message, "unexpected end of query");
    assert_eq!(err("LET x = ").message, "unexpected end of query");
    assert_eq!(err("RETURN [1, 2").message, "unexpected end of query");
}

#[test]
fn unexpected_token_on_line_three() {
    let text = "FOR u IN users\n  FILTER u.active\n  LET x y\n  RETURN u";
    let e = err(text);
    assert_eq!(e.message, "unexpected identifier 'y', expecting '='");
    assert_eq!(e.position.to_string(), "3:9");
    assert_eq!(e.span, sp(41, 42));
    assert_eq!(e.to_string(), "syntax error, unexpected identifier 'y', expecting '=' at position 3:9");
}

#[test]
fn unterminated_string_and_lexical_errors() {
    let e = err("FOR u IN users\n  RETURN \"abc");
    assert_eq!(e.message, "unterminated string literal");
    assert_eq!(e.position.to_string(), "2:10");
    let e = err("RETURN 1 /* never closed");
    assert_eq!(e.message, "unterminated comment");
    let e = err("RETURN a # b");
    assert_eq!(e.message, "unexpected character '#'");
    assert_eq!(e.position.to_string(), "1:10");
    // A syntax error before a lexical one is reported first.
    let e = err("RETURN RETURN 'open");
    assert_eq!(e.message, "unexpected RETURN declaration, expecting expression");
    // And a lexical error right where the parser stops.
    assert_eq!(err("LET x = 'open").message, "unterminated string literal");
    assert_eq!(err("RETURN 1 'open").message, "unterminated string literal");
    assert_eq!(err("RETURN \"\\x\"").message, "invalid escape sequence '\\x'");
}

#[test]
fn syntax_errors_read_like_arangodb() {
    assert_eq!(err("FOR u users RETURN u").message, "unexpected identifier 'users', expecting IN");
    assert_eq!(err("FOR IN users RETURN 1").message, "unexpected IN keyword, expecting identifier");
    assert_eq!(err("RETURN 1 RETURN 2").message, "unexpected RETURN declaration, expecting end of query");
    assert_eq!(err("RETURN 1)").message, "unexpected ')', expecting end of query");
    assert_eq!(err("FOR u IN users FILTER u.a u.b RETURN u").message, "unexpected identifier 'u', expecting RETURN or another operation");
    assert_eq!(err("RETURN (1 + 2").message, "unexpected end of query");
    assert_eq!(err("RETURN (1 + 2 3)").message, "unexpected integer number '3', expecting ')'");
    assert_eq!(err("INSERT {} users").message, "unexpected identifier 'users', expecting IN or INTO");
    assert_eq!(err("INSERT {} INTO 5").message, "unexpected integer number '5', expecting collection name");
    assert_eq!(err("INSERT {} INTO @c").message, "unexpected bind parameter '@c', expecting collection name");
    assert_eq!(err("INSERT {} INTO c OPTIONS 1").message, "unexpected integer number '1', expecting '{'");
    assert_eq!(err("RETURN a.1").message, "unexpected number '.1', expecting end of query");
    assert_eq!(err("RETURN a.").message, "unexpected end of query");
    assert_eq!(err("RETURN a.(b)").message, "unexpected '(', expecting attribute name");
    assert_eq!(err("RETURN 'a'.b").message, "unexpected '.', expecting end of query");
    assert_eq!(err("RETURN a ? b").message, "unexpected end of query");
    assert_eq!(err("RETURN a ? b c").message, "unexpected identifier 'c', expecting ':'");
    assert_eq!(err("RETURN DISTINCT").message, "unexpected end of query");
    assert_eq!(err("LET = 1 RETURN 1").message, "unexpected '=', expecting identifier");
    assert_eq!(err("LET for = 1 RETURN 1").message, "unexpected FOR declaration, expecting identifier");
    assert_eq!(err("SORT RETURN 1").message, "unexpected RETURN declaration, expecting expression");
    assert_eq!(err("RETURN ALL").message, "unexpected all modifier, expecting expression");
    assert_eq!(err("REMOVE x IN y IN z").message, "unexpected IN keyword, expecting end of query");
}

#[test]
fn graph_and_view_syntax_is_rejected_cleanly() {
    let e = err("FOR v IN OUTBOUND 'users/1' edges RETURN v");
    assert_eq!(e.message, "unexpected outbound modifier, graph traversals are not supported");
    assert_eq!(e.position.to_string(), "1:10");
    assert!(err("FOR v IN 1..3 ANY 'a/1' GRAPH 'g' RETURN v").message.starts_with("unexpected any modifier, graph"));
    assert!(err("FOR v, e IN OUTBOUND 'a/1' edges RETURN v").message.contains("graph traversals"));
    assert!(err("FOR v IN INBOUND SHORTEST_PATH 'a' TO 'b' GRAPH 'g' RETURN v").message.contains("graph"));
    assert!(err("FOR d IN view SEARCH d.x == 1 RETURN d").message.starts_with("unexpected SEARCH keyword"));
    // As names (not keywords in ArangoDB) PRUNE and SEARCH are fine.
    assert_eq!(sx_of("[prune, search]"), "[prune search]");
}

// ---------------------------------------------------------------------------------------
// Robustness

fn deep_error(text: &str) {
    let e = err(text);
    assert_eq!(e.message, "query is nested too deeply", "{}", &text[..text.len().min(40)]);
}

#[test]
fn nesting_limits() {
    let n = 100_000;
    deep_error(&format!("RETURN {}1{}", "(".repeat(n), ")".repeat(n)));
    deep_error(&format!("RETURN {}1{}", "[".repeat(n), "]".repeat(n)));
    deep_error(&format!("RETURN {}1{}", "{a:".repeat(n), "}".repeat(n)));
    deep_error(&format!("RETURN {}1{}", "f(".repeat(n), ")".repeat(n)));
    deep_error(&format!("RETURN {}1{}", "(RETURN ".repeat(n), ")".repeat(n)));
    deep_error(&format!("RETURN {}1", "-".repeat(n)));
    deep_error(&format!("RETURN {}1", "NOT ".repeat(n)));
    deep_error(&format!("RETURN a{}", ".b".repeat(n)));
    deep_error(&format!("RETURN a{}", "[0]".repeat(n)));
    deep_error(&format!("RETURN a{}", "[*]".repeat(n)));
    deep_error(&format!("RETURN a{}", "[*].b".repeat(n)));
    deep_error(&format!("RETURN 1{}", " + 1".repeat(n)));
    deep_error(&format!("RETURN 1{}", " ? 1 : 1".repeat(n)));
    deep_error(&format!("RETURN {}1", "1 ? 1 : ".repeat(n)));
    deep_error(&format!("RETURN {}1", "a[".repeat(n)));
    // Unterminated deep nesting is still reported as too deep (not a crash).
    deep_error(&format!("RETURN {}", "(".repeat(n)));
    // Moderate nesting is fine.
    let m = MAX_NESTING - 10;
    q(&format!("RETURN {}1{}", "(".repeat(m), ")".repeat(m)));
    q(&format!("RETURN {}1{}", "[".repeat(m), "]".repeat(m)));
    q(&format!("RETURN 1{}", " + 1".repeat(MAX_HEIGHT - 10)));
    q(&format!("RETURN a{}", ".b".repeat(MAX_HEIGHT - 10)));
    q(&format!("RETURN [{}]", "1,".repeat(n)));
    q(&format!("LET a = 1 {}RETURN a", "FILTER a ".repeat(10_000)));
}

#[test]
fn deepest_nesting_fits_in_a_small_stack() {
    // Every kind of nesting, driven to the limit, on a thread with a 1 MB stack.
    let patterns: &[(&str, &str)] = &[
        ("(", ")"),
        ("[", "]"),
        ("{a:", "}"),
        ("{[", "]:1}"),
        ("f(", ")"),
        ("(RETURN ", ")"),
        ("f(RETURN ", ")"),
        ("1 ? 1 : ", ""),
        ("1 ? (", ") : 1"),
        ("a[", "]"),
        ("a[* FILTER ", "]"),
        ("a[* LIMIT 1, ", "]"),
        ("-(", ")"),
        ("(INSERT ", " IN c)"),
        ("(FOR x IN y COLLECT a = ", " RETURN a)"),
        ("(FOR x IN y COLLECT AGGREGATE a = SUM(", ") RETURN a)"),
        ("(FOR x IN y COLLECT a = 1 INTO g = ", " RETURN a)"),
        ("(LIMIT 1, ", " RETURN 1)"),
        ("(UPSERT {} INSERT {} UPDATE ", " IN c)"),
        ("(FOR x IN y WINDOW {a: ", "} AGGREGATE s = SUM(1) RETURN 1)"),
        ("(FOR x IN y WINDOW x WITH {a: ", "} AGGREGATE s = SUM(1) RETURN 1)"),
        ("(FOR x IN ", " SORT x DESC RETURN x)"),
        ("(FOR x IN y UPDATE x WITH ", " IN c)"),
    ];
    let texts: Vec<String> =
        patterns.iter().map(|(open, close)| format!("RETURN {}1{}", open.repeat(MAX_NESTING + 5), close.repeat(MAX_NESTING + 5))).collect();
    let handle = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || texts.iter().map(|t| parse(t).map(|_| ()).map_err(|e| e.message)).collect::<Vec<_>>())
        .unwrap();
    for (result, pattern) in handle.join().unwrap().into_iter().zip(patterns) {
        assert_eq!(result, Err("query is nested too deeply".to_string()), "{pattern:?}");
    }
}

#[test]
fn positions_count_characters() {
    let e = err("RETURN 'ü' +\n  'é' 7");
    assert_eq!(e.message, "unexpected integer number '7', expecting end of query");
    assert_eq!(e.position.to_string(), "2:7");
}

/// A tiny deterministic xorshift generator.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const SAMPLES: &[&str] = &[
    "FOR u IN users FILTER u.active == true SORT u.name DESC LIMIT 2, 10 RETURN DISTINCT { name: u.name, age: u.age }",
    "FOR u IN users COLLECT city = u.city AGGREGATE n = COUNT(u), s = SUM(u.x) INTO g KEEP u OPTIONS {} RETURN [city, n]",
    "WITH a, b FOR x IN 1..10 LET y = x * 2 + -3 WINDOW x WITH { preceding: 1 } AGGREGATE m = AVG(y) RETURN m",
    "UPSERT { k: @k } INSERT { k: @k, n: 1 } UPDATE { n: OLD.n + 1 } IN @@c OPTIONS { waitForSync: true } RETURN NEW",
    "FOR u IN users UPDATE u WITH { tags: u.tags[* FILTER CURRENT != 'x' LIMIT 1, 2 RETURN UPPER(CURRENT)] } IN users",
    "RETURN (FOR a IN [1, 2, 3] FILTER a ALL IN [1] || a NOT IN [2] && a ANY == 1 RETURN a ? a : a ?: 'x')",
    "LET s = 'esc\\u00e9\\n' LET t = `quoted name`.´x´ RETURN LIKE(s, 'e%') AND s NOT LIKE 'x' OR s =~ '^e' /* c */ // d",
    "FOR v IN OUTBOUND 'a/1' GRAPH 'g' PRUNE v.x == 1 OPTIONS { bfs: true } RETURN v.a[**].b[*].c[0]",
];

const FRAGMENTS: &[&str] = &[
    "FOR ",
    "IN ",
    "RETURN ",
    "FILTER ",
    "LET ",
    "= ",
    "( ",
    ") ",
    "[ ",
    "] ",
    "{ ",
    "} ",
    "[*",
    "[**]",
    ", ",
    ": ",
    "? ",
    ". ",
    "..",
    "'s",
    "\"",
    "`",
    "´",
    "@",
    "@@",
    "x ",
    "1 ",
    ".5 ",
    "0x",
    "NOT ",
    "IN ",
    "ALL ",
    "ANY ",
    "NONE ",
    "== ",
    "COLLECT ",
    "INTO ",
    "WITH ",
    "COUNT ",
    "AGGREGATE ",
    "WINDOW ",
    "UPSERT ",
    "INSERT ",
    "UPDATE ",
    "REMOVE ",
    "OPTIONS ",
    "KEEP ",
    "/*",
    "*/",
    "//",
    "\n",
    "\\",
    "\\u",
    "ü",
    "😀",
    "LIMIT ",
    "SORT ",
    "DESC ",
    "::",
    "f(",
    "-",
    "!",
    "+",
    "*",
    "/",
    "%",
    "&&",
    "||",
];

fn check_no_panic(text: &str) {
    match parse(text) {
        Ok(query) => assert!(query.span.end <= text.len()),
        Err(e) => {
            assert!(e.span.start <= e.span.end && e.span.end <= text.len(), "{text:?}: {e:?}");
            assert!(text.is_char_boundary(e.span.start) && text.is_char_boundary(e.span.end), "{text:?}: {e:?}");
            assert!(!e.message.is_empty());
        }
    }
}

#[test]
fn samples_parse_as_expected() {
    for (i, text) in SAMPLES.iter().enumerate() {
        let result = parse(text);
        assert_eq!(result.is_ok(), i != SAMPLES.len() - 1, "{text}: {result:?}");
    }
}

#[test]
fn random_and_mutated_input_never_panics() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    // Random bytes (made valid UTF-8).
    for _ in 0..3000 {
        let len = rng.below(64);
        let bytes: Vec<u8> = (0..len).map(|_| (rng.next() & 0xFF) as u8).collect();
        check_no_panic(&String::from_utf8_lossy(&bytes));
    }
    // Random printable ASCII, biased towards AQL punctuation.
    let alphabet = b"abcxyzFORINRETURN _$@`'\"\\()[]{}*?:.,=!<>+-/%&|0123456789 \n";
    for _ in 0..3000 {
        let len = rng.below(80);
        let text: String = (0..len).map(|_| char::from(alphabet[rng.below(alphabet.len())])).collect();
        check_no_panic(&text);
    }
    // Random sequences of fragments.
    for _ in 0..3000 {
        let n = rng.below(30);
        let text: String = (0..n).map(|_| FRAGMENTS[rng.below(FRAGMENTS.len())]).collect();
        check_no_panic(&text);
    }
    // Mutations of valid queries: deletions, insertions, duplications, truncations.
    for _ in 0..6000 {
        let base = SAMPLES[rng.below(SAMPLES.len())];
        let mut chars: Vec<char> = base.chars().collect();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(chars.len() + 1);
            match rng.below(4) {
                0 if at < chars.len() => {
                    chars.remove(at);
                }
                1 => {
                    let frag = FRAGMENTS[rng.below(FRAGMENTS.len())];
                    for (k, c) in frag.chars().enumerate() {
                        chars.insert((at + k).min(chars.len()), c);
                    }
                }
                2 => {
                    let end = (at + rng.below(20)).min(chars.len());
                    let piece: Vec<char> = chars[at.min(end)..end].to_vec();
                    for (k, c) in piece.into_iter().enumerate() {
                        chars.insert((at + k).min(chars.len()), c);
                    }
                }
                _ => chars.truncate(at),
            }
        }
        check_no_panic(&chars.into_iter().collect::<String>());
    }
}
