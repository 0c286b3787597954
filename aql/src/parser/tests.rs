//! Parser tests: every operation and expression form, compared as S-expressions, and
//! spans; `errors` holds the error and robustness tests.

use super::*;
use crate::ast::*;

fn q(text: &str) -> Query {
    parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

fn err(text: &str) -> ParseError {
    match parse(text) {
        Ok(query) => panic!("{text:?} parsed: {query:?}"),
        Err(e) => e,
    }
}

/// The value of `RETURN <text>`.
fn ret(text: &str) -> Expr {
    let query = q(&format!("RETURN {text}"));
    match query.ops.into_iter().next() {
        Some(Op::Return { value, .. }) => value,
        other => panic!("{other:?}"),
    }
}

/// `RETURN <text>` as an S-expression.
fn sx_of(text: &str) -> String {
    sx(&ret(text))
}

fn binop(op: BinaryOp) -> &'static str {
    use BinaryOp::*;
    match op {
        Or => "||",
        And => "&&",
        Eq => "==",
        Ne => "!=",
        Lt => "<",
        Le => "<=",
        Gt => ">",
        Ge => ">=",
        In => "IN",
        NotIn => "NOT IN",
        Like => "LIKE",
        NotLike => "NOT LIKE",
        RegexMatch => "=~",
        RegexNotMatch => "!~",
        Add => "+",
        Sub => "-",
        Mul => "*",
        Div => "/",
        Mod => "%",
        Range => "..",
    }
}

fn sx_opt(label: &str, e: &Option<Box<Expr>>) -> String {
    e.as_ref().map_or(String::new(), |e| format!(" {label}={}", sx(e)))
}

/// A compact rendering of an expression for assertions.
fn sx(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Null => "null".into(),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Number(n) => n.to_string(),
        ExprKind::String(s) => format!("{s:?}"),
        ExprKind::Array(items) => format!("[{}]", items.iter().map(sx).collect::<Vec<_>>().join(" ")),
        ExprKind::Object(entries) => {
            let parts: Vec<String> = entries
                .iter()
                .map(|(k, v)| match k {
                    ObjectKey::Name(n) => format!("{n}:{}", sx(v)),
                    ObjectKey::Computed(c) => format!("[{}]:{}", sx(c), sx(v)),
                })
                .collect();
            format!("{{{}}}", parts.join(" "))
        }
        ExprKind::Name(n) => n.clone(),
        ExprKind::Bind(n) => format!("@{n}"),
        ExprKind::BindCollection(n) => format!("@@{n}"),
        ExprKind::Attribute(b, n) => format!("(. {} {n})", sx(b)),
        ExprKind::Index(b, i) => format!("([] {} {})", sx(b), sx(i)),
        ExprKind::Expansion(x) => {
            let limit = x.limit.as_ref().map_or(String::new(), |(o, c)| match o {
                Some(o) => format!(" limit={},{}", sx(o), sx(c)),
                None => format!(" limit={}", sx(c)),
            });
            format!(
                "(expand{} {}{}{}{}{})",
                if x.flatten > 0 { format!("{}", x.flatten) } else { String::new() },
                sx(&x.base),
                sx_opt("filter", &x.filter),
                limit,
                sx_opt("return", &x.ret),
                sx_opt("proj", &x.projection)
            )
        }
        ExprKind::Unary(op, x) => {
            let o = match op {
                UnaryOp::Not => "!",
                UnaryOp::Neg => "-",
                UnaryOp::Plus => "+",
            };
            format!("({o} {})", sx(x))
        }
        ExprKind::Binary(op, l, r) => format!("({} {} {})", binop(*op), sx(l), sx(r)),
        ExprKind::Quantified { quantifier, op, lhs, rhs } => {
            format!("({quantifier:?} {} {} {})", binop(*op), sx(lhs), sx(rhs))
        }
        ExprKind::Ternary { cond, then, otherwise } => match then {
            Some(t) => format!("(? {} {} {})", sx(cond), sx(t), sx(otherwise)),
            None => format!("(?: {} {})", sx(cond), sx(otherwise)),
        },
        ExprKind::Call { name, args } => {
            format!("({name}{})", args.iter().map(|a| format!(" {}", sx(a))).collect::<String>())
        }
        ExprKind::Subquery(query) => format!("(subquery {})", query.ops.len()),
    }
}

fn name(e: &Expr) -> &str {
    match &e.kind {
        ExprKind::Name(n) => n,
        other => panic!("not a name: {other:?}"),
    }
}

fn coll_name(c: &CollectionRef) -> String {
    match c {
        CollectionRef::Name(i) => i.name.clone(),
        CollectionRef::Bind(i) => format!("@@{}", i.name),
    }
}

fn sp(start: usize, end: usize) -> Span {
    Span { start, end }
}

// ---------------------------------------------------------------------------------------
// Operations

#[test]
fn for_filter_return() {
    let query = q("FOR u IN users FILTER u.active == true RETURN u.name");
    assert!(query.with.is_empty());
    assert_eq!(query.ops.len(), 3);
    let Op::For { var, source, options, span } = &query.ops[0] else { panic!() };
    assert_eq!(var.name, "u");
    assert_eq!(var.span, sp(4, 5));
    assert_eq!(name(source), "users");
    assert!(options.is_none());
    assert_eq!(*span, sp(0, 14));
    let Op::Filter { condition, span } = &query.ops[1] else { panic!() };
    assert_eq!(sx(condition), "(== (. u active) true)");
    assert_eq!(*span, sp(15, 38));
    let Op::Return { distinct, value, .. } = &query.ops[2] else { panic!() };
    assert!(!distinct);
    assert_eq!(sx(value), "(. u name)");
    assert_eq!(query.span, sp(0, 52));
}

#[test]
fn for_with_options_and_expression_sources() {
    let query = q("FOR d IN docs OPTIONS { indexHint: 'byName', forceIndexHint: true } RETURN d");
    let Op::For { options: Some(o), span, .. } = &query.ops[0] else { panic!() };
    assert_eq!(sx(o), r#"{indexHint:"byName" forceIndexHint:true}"#);
    assert_eq!(span.end, 67);
    let query = q("FOR i IN 1..10 FOR j IN @list FOR k IN @@coll FOR x IN [1, 2] RETURN [i, j, k, x]");
    let sources: Vec<String> = query
        .ops
        .iter()
        .filter_map(|op| match op {
            Op::For { source, .. } => Some(sx(source)),
            _ => None,
        })
        .collect();
    assert_eq!(sources, ["(.. 1 10)", "@list", "@@coll", "[1 2]"]);
    // Soft keywords may name variables and collections.
    let query = q("FOR options IN keep RETURN options");
    let Op::For { var, source, .. } = &query.ops[0] else { panic!() };
    assert_eq!((var.name.as_str(), name(source)), ("options", "keep"));
}

#[test]
fn let_single_and_multiple() {
    let query = q("LET a = 1, b = a + 1 LET `my var` = 'x' RETURN [a, b, `my var`]");
    assert_eq!(query.ops.len(), 4);
    let lets: Vec<(String, String, Span)> = query
        .ops
        .iter()
        .filter_map(|op| match op {
            Op::Let { var, value, span } => Some((var.name.clone(), sx(value), *span)),
            _ => None,
        })
        .collect();
    assert_eq!(lets[0], ("a".into(), "1".into(), sp(0, 9)));
    assert_eq!(lets[1], ("b".into(), "(+ a 1)".into(), sp(11, 20)));
    assert_eq!(lets[2].0, "my var");
    assert_eq!(sx_of("[a, b, `my var`]"), "[a b my var]");
}

#[test]
fn sort_keys_and_directions() {
    let query = q("FOR u IN users SORT u.age DESC, u.name, u.x asc RETURN u");
    let Op::Sort { keys, span } = &query.ops[1] else { panic!() };
    let keys: Vec<(String, bool)> = keys.iter().map(|k| (sx(&k.expr), k.descending)).collect();
    assert_eq!(keys, [("(. u age)".into(), true), ("(. u name)".into(), false), ("(. u x)".into(), false)]);
    assert_eq!(*span, sp(15, 47));
}

#[test]
fn limit_forms() {
    let query = q("FOR u IN users LIMIT 5 LIMIT 2, @n RETURN u");
    let Op::Limit { offset: None, count, .. } = &query.ops[1] else { panic!() };
    assert_eq!(sx(count), "5");
    let Op::Limit { offset: Some(offset), count, span } = &query.ops[2] else { panic!() };
    assert_eq!((sx(offset), sx(count)), ("2".into(), "@n".into()));
    assert_eq!(*span, sp(23, 34));
}

fn collect_of(text: &str) -> Collect {
    let query = q(text);
    query
        .ops
        .into_iter()
        .find_map(|op| match op {
            Op::Collect(c) => Some(*c),
            _ => None,
        })
        .unwrap()
}

#[test]
fn collect_groups_into_keep_options() {
    let c = collect_of("FOR u IN users COLLECT city = u.city, age = u.age INTO g KEEP u OPTIONS { method: 'sorted' } RETURN g");
    let groups: Vec<(String, String)> = c.groups.iter().map(|a| (a.var.name.clone(), sx(&a.value))).collect();
    assert_eq!(groups, [("city".into(), "(. u city)".into()), ("age".into(), "(. u age)".into())]);
    assert!(c.aggregates.is_empty());
    assert!(matches!(&c.into, Some(CollectInto::Group { var, value: None }) if var.name == "g"));
    assert_eq!(c.keep.iter().map(|k| k.name.as_str()).collect::<Vec<_>>(), ["u"]);
    assert_eq!(sx(c.options.as_ref().unwrap()), r#"{method:"sorted"}"#);
    assert_eq!(c.span, sp(15, 92));

    let c = collect_of("FOR u IN users COLLECT c = u.c INTO names = u.name RETURN names");
    assert!(matches!(&c.into, Some(CollectInto::Group { var, value: Some(v) }) if var.name == "names" && sx(v) == "(. u name)"));

    let c = collect_of("FOR u IN users COLLECT keep_x = u.c, options = 1 RETURN [keep_x, options]");
    assert_eq!(c.groups.iter().map(|a| a.var.name.as_str()).collect::<Vec<_>>(), ["keep_x", "options"]);
}

#[test]
fn collect_count_and_aggregate() {
    let c = collect_of("FOR u IN users COLLECT WITH COUNT INTO n RETURN n");
    assert!(c.groups.is_empty());
    assert!(matches!(&c.into, Some(CollectInto::Count(v)) if v.name == "n"));

    let c = collect_of("FOR u IN users COLLECT city = u.city with count into n RETURN [city, n]");
    assert_eq!(c.groups.len(), 1);
    assert!(matches!(&c.into, Some(CollectInto::Count(v)) if v.name == "n"));

    let c = collect_of("FOR u IN users COLLECT AGGREGATE lo = MIN(u.age), hi = MAX(u.age) RETURN [lo, hi]");
    assert!(c.groups.is_empty());
    let aggs: Vec<String> = c.aggregates.iter().map(|a| format!("{}={}", a.var.name, sx(&a.value))).collect();
    assert_eq!(aggs, ["lo=(MIN (. u age))", "hi=(MAX (. u age))"]);

    let c = collect_of("FOR u IN users COLLECT g = u.g AGGREGATE s = SUM(u.x) INTO rows OPTIONS {method: 'hash'} RETURN s");
    assert_eq!(c.groups.len(), 1);
    assert_eq!(c.aggregates.len(), 1);
    assert!(matches!(&c.into, Some(CollectInto::Group { var, .. }) if var.name == "rows"));
    assert!(c.options.is_some());

    assert_eq!(err("FOR u IN users COLLECT AGGREGATE s = u.x + 1 RETURN s").message, "aggregate expression must be a function call");
    assert_eq!(err("FOR u IN users COLLECT a = u.a KEEP u RETURN a").message, "use of 'KEEP' without 'INTO'");
    assert_eq!(err("FOR u IN users COLLECT WITH SUM INTO n RETURN n").message, "unexpected identifier 'SUM', expecting COUNT");
    assert_eq!(err("FOR u IN users COLLECT RETURN 1").message, "unexpected RETURN declaration, expecting identifier");
}

#[test]
fn window_forms() {
    let query = q("FOR t IN obs WINDOW { preceding: 1, following: 1 } AGGREGATE s = SUM(t.val), n = LENGTH(t) RETURN s");
    let Op::Window(w) = &query.ops[1] else { panic!() };
    assert!(w.range_value.is_none());
    assert_eq!(sx(&w.bounds), "{preceding:1 following:1}");
    assert_eq!(w.aggregates.len(), 2);
    assert_eq!(w.span, sp(13, 90));

    let query = q("FOR t IN obs WINDOW t.time WITH { preceding: 'PT1H' } AGGREGATE m = AVG(t.val) RETURN m");
    let Op::Window(w) = &query.ops[1] else { panic!() };
    assert_eq!(sx(w.range_value.as_ref().unwrap()), "(. t time)");
    assert_eq!(sx(&w.bounds), r#"{preceding:"PT1H"}"#);

    assert_eq!(err("FOR t IN obs WINDOW t.x AGGREGATE m = AVG(t.x) RETURN m").message, "unexpected AGGREGATE keyword, expecting WITH");
    assert_eq!(err("FOR t IN obs WINDOW {preceding: 1} RETURN 1").message, "unexpected RETURN declaration, expecting AGGREGATE");
}

#[test]
fn return_distinct() {
    let query = q("FOR u IN users RETURN DISTINCT u.city");
    let Op::Return { distinct, value, span } = &query.ops[1] else { panic!() };
    assert!(distinct);
    assert_eq!(sx(value), "(. u city)");
    assert_eq!(*span, sp(15, 37));
}

#[test]
fn insert_forms() {
    let query = q("INSERT { a: 1 } INTO users OPTIONS { waitForSync: true } RETURN NEW");
    let Op::Insert { doc, collection, options, span } = &query.ops[0] else { panic!() };
    assert_eq!(sx(doc), "{a:1}");
    assert_eq!(coll_name(collection), "users");
    assert!(options.is_some());
    assert_eq!(*span, sp(0, 56));
    let Op::Return { value, .. } = &query.ops[1] else { panic!() };
    assert_eq!(name(value), "NEW");

    let query = q("FOR i IN 1..3 INSERT { i } IN @@coll");
    let Op::Insert { doc, collection, .. } = &query.ops[1] else { panic!() };
    assert_eq!(sx(doc), "{i:i}");
    assert_eq!(coll_name(collection), "@@coll");
    let CollectionRef::Bind(ident) = collection else { panic!() };
    assert_eq!(ident.span, sp(30, 36));

    let query = q("INSERT {} INTO 'my coll'");
    let Op::Insert { collection, .. } = &query.ops[0] else { panic!() };
    assert_eq!(coll_name(collection), "my coll");
    let query = q("INSERT {} INTO `my coll`");
    let Op::Insert { collection, .. } = &query.ops[0] else { panic!() };
    assert_eq!(coll_name(collection), "my coll");
    // The document may use IN inside brackets or as NOT IN.
    let query = q("INSERT { ok: 1 IN [1] } IN c");
    let Op::Insert { doc, .. } = &query.ops[0] else { panic!() };
    assert_eq!(sx(doc), "{ok:(IN 1 [1])}");
}

#[test]
fn update_and_replace_forms() {
    let query = q("FOR u IN users UPDATE u WITH { seen: true } IN users OPTIONS { keepNull: false } RETURN NEW");
    let Op::Update { key: Some(key), doc, collection, options: Some(_), replace: false, span } = &query.ops[1] else { panic!() };
    assert_eq!(name(key), "u");
    assert_eq!(sx(doc), "{seen:true}");
    assert_eq!(coll_name(collection), "users");
    assert_eq!(*span, sp(15, 80));

    let query = q("FOR u IN users UPDATE { _key: u._key, n: 1 } INTO users");
    let Op::Update { key: None, doc, replace: false, .. } = &query.ops[1] else { panic!() };
    assert_eq!(sx(doc), "{_key:(. u _key) n:1}");

    let query = q("FOR u IN users REPLACE u WITH { a: 1 } IN users");
    assert!(matches!(&query.ops[1], Op::Update { key: Some(_), replace: true, .. }));
    let query = q("FOR u IN users REPLACE u IN users LET x = OLD RETURN x");
    assert!(matches!(&query.ops[1], Op::Update { key: None, replace: true, .. }));
    assert_eq!(query.ops.len(), 4);
}

#[test]
fn remove_forms() {
    let query = q("FOR u IN users FILTER u.old REMOVE u IN users");
    let Op::Remove { key, collection, options: None, span } = &query.ops[2] else { panic!() };
    assert_eq!(name(key), "u");
    assert_eq!(coll_name(collection), "users");
    assert_eq!(*span, sp(28, 45));
    let query = q("REMOVE { _key: 'a' } INTO @@c OPTIONS { ignoreErrors: true } RETURN OLD");
    let Op::Remove { options: Some(_), collection, .. } = &query.ops[0] else { panic!() };
    assert_eq!(coll_name(collection), "@@c");
    let query = q("REMOVE 'k' IN users");
    let Op::Remove { key, .. } = &query.ops[0] else { panic!() };
    assert_eq!(sx(key), "\"k\"");
}

#[test]
fn upsert_forms() {
    let query = q("UPSERT { name: 'a' } INSERT { name: 'a', n: 1 } UPDATE { n: OLD.n + 1 } IN users RETURN NEW");
    let Op::Upsert { search, insert, update, replace: false, collection, options: None, span } = &query.ops[0] else { panic!() };
    assert_eq!(sx(search), r#"{name:"a"}"#);
    assert_eq!(sx(insert), r#"{name:"a" n:1}"#);
    assert_eq!(sx(update), "{n:(+ (. OLD n) 1)}");
    assert_eq!(coll_name(collection), "users");
    assert_eq!(*span, sp(0, 80));
    let query = q("UPSERT @s INSERT @i REPLACE @r INTO @@c OPTIONS { exclusive: true }");
    assert!(matches!(&query.ops[0], Op::Upsert { replace: true, options: Some(_), .. }));
    assert_eq!(err("UPSERT {} INSERT {} RETURN 1").message, "unexpected RETURN declaration, expecting UPDATE or REPLACE");
    assert!(err("UPSERT FILTER $CURRENT.a == 1 INSERT {} UPDATE {} IN c").message.contains("not supported"));
}

#[test]
fn with_collections() {
    let query = q("WITH users, groups edges FOR u IN users RETURN u");
    assert_eq!(query.with.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(), ["users", "groups", "edges"]);
    assert_eq!(query.with[1].span, sp(12, 18));
    let query = q("WITH @@c, `x y` RETURN 1");
    assert_eq!(query.with.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(), ["@@c", "x y"]);
    assert_eq!(err("WITH users, FOR u IN users RETURN u").message, "unexpected FOR declaration, expecting collection name");
    assert_eq!(err("RETURN (WITH a RETURN 1)").message, "unexpected WITH keyword, WITH is only allowed at the start of the query");
}

#[test]
fn operations_after_data_modification() {
    let query = q("FOR u IN users UPDATE u WITH { a: 1 } IN users LET n = NEW FILTER n.a SORT n.b LIMIT 1 COLLECT x = n.x RETURN x");
    assert_eq!(query.ops.len(), 8);
    // Ending in a data-modification operation is complete.
    assert_eq!(q("FOR u IN users REMOVE u IN users").ops.len(), 2);
    // Ending in anything else is not.
    assert_eq!(err("FOR u IN users REMOVE u IN users LET x = 1").message, "unexpected end of query");
}

#[test]
fn keywords_are_case_insensitive() {
    let query = q("for u in users filter u.a and not u.b sort u.c desc limit 1 return distinct u");
    assert_eq!(query.ops.len(), 5);
    assert_eq!(sx_of("a Or b AnD c"), "(|| a (&& b c))");
    assert_eq!(sx_of("[null, TRUE, False]"), "[null true false]");
}

// ---------------------------------------------------------------------------------------
// Expressions

#[test]
fn arithmetic_precedence() {
    assert_eq!(sx_of("1 + 2 * 3"), "(+ 1 (* 2 3))");
    assert_eq!(sx_of("(1 + 2) * 3"), "(* (+ 1 2) 3)");
    assert_eq!(sx_of("1 - 2 - 3"), "(- (- 1 2) 3)");
    assert_eq!(sx_of("8 / 4 % 3 * 2"), "(* (% (/ 8 4) 3) 2)");
    assert_eq!(sx_of("1 + 2 .. 3 * 4"), "(.. (+ 1 2) (* 3 4))");
}

#[test]
fn logical_and_comparison_precedence() {
    assert_eq!(sx_of("a || b && c"), "(|| a (&& b c))");
    assert_eq!(sx_of("a && b || c && d"), "(|| (&& a b) (&& c d))");
    assert_eq!(sx_of("a OR b OR c"), "(|| (|| a b) c)");
    assert_eq!(sx_of("a == 1 && b < 2"), "(&& (== a 1) (< b 2))");
    // IN binds tighter than ==, comparisons tighter than IN, ranges tighter still.
    assert_eq!(sx_of("x IN y == true"), "(== (IN x y) true)");
    assert_eq!(sx_of("a < b IN c"), "(IN (< a b) c)");
    assert_eq!(sx_of("x IN 1..3"), "(IN x (.. 1 3))");
    assert_eq!(sx_of("a == b != c"), "(!= (== a b) c)");
    assert_eq!(sx_of("a NOT IN b == c"), "(== (NOT IN a b) c)");
    assert_eq!(sx_of("a LIKE 'x%' || b =~ 'y' && c !~ 'z'"), r#"(|| (LIKE a "x%") (&& (=~ b "y") (!~ c "z")))"#);
    assert_eq!(sx_of("a NOT LIKE b"), "(NOT LIKE a b)");
    assert_eq!(sx_of("a not  in b"), "(NOT IN a b)");
    assert_eq!(sx_of("a ! LIKE b"), "(NOT LIKE a b)");
    assert_eq!(sx_of("a NOT =~ b"), "(!~ a b)");
    assert_eq!(sx_of("a <= b >= c"), "(>= (<= a b) c)");
}

#[test]
fn unary_operators() {
    assert_eq!(sx_of("-1"), "(- 1)");
    assert_eq!(sx_of("1 - -1"), "(- 1 (- 1))");
    assert_eq!(sx_of("1-1"), "(- 1 1)");
    assert_eq!(sx_of("- 2 * 3"), "(* (- 2) 3)");
    assert_eq!(sx_of("-a.b"), "(- (. a b))");
    assert_eq!(sx_of("+x"), "(+ x)");
    assert_eq!(sx_of("!a && b"), "(&& (! a) b)");
    assert_eq!(sx_of("NOT a == b"), "(== (! a) b)");
    assert_eq!(sx_of("NOT NOT a"), "(! (! a))");
    assert_eq!(sx_of("!-+x"), "(! (- (+ x)))");
    assert_eq!(sx_of("-1..-3"), "(.. (- 1) (- 3))");
    assert_eq!(ret("- 5").span, sp(7, 10));
}

#[test]
fn ranges() {
    assert_eq!(sx_of("1..10"), "(.. 1 10)");
    assert_eq!(sx_of("a..b"), "(.. a b)");
    assert_eq!(sx_of("1 .. 10"), "(.. 1 10)");
    assert_eq!(sx_of("1.5..2"), "(.. 1.5 2)");
    assert_eq!(sx_of("@lo..@hi"), "(.. @lo @hi)");
    assert_eq!(sx_of("x.a..x.b"), "(.. (. x a) (. x b))");
    assert_eq!(ret("1..10").span, sp(7, 12));
}

#[test]
fn ternary_operator() {
    assert_eq!(sx_of("a ? b : c"), "(? a b c)");
    assert_eq!(sx_of("a ? b : c ? d : e"), "(? a b (? c d e))");
    assert_eq!(sx_of("a || b ? c + 1 : d"), "(? (|| a b) (+ c 1) d)");
    assert_eq!(sx_of("a ? b ? c : d : e"), "(? a (? b c d) e)");
    assert_eq!(sx_of("a ?: b"), "(?: a b)");
    assert_eq!(sx_of("a ? : b || c"), "(?: a (|| b c))");
    assert_eq!(ret("x ? 1 : 2").span, sp(7, 16));
}

#[test]
fn quantifiers() {
    assert_eq!(sx_of("[1,2] ALL IN [1,2,3]"), "(All IN [1 2] [1 2 3])");
    assert_eq!(sx_of("x ANY == 2"), "(Any == x 2)");
    assert_eq!(sx_of("x NONE > 1"), "(None > x 1)");
    assert_eq!(sx_of("x ALL NOT IN y"), "(All NOT IN x y)");
    assert_eq!(sx_of("x any != 1 + 2"), "(Any != x (+ 1 2))");
    assert_eq!(sx_of("a AND x ALL <= y"), "(&& a (All <= x y))");
    assert_eq!(sx_of("a == b ALL IN c"), "(All IN (== a b) c)");
    assert_eq!(sx_of("x ALL >= 1 == true"), "(== (All >= x 1) true)");
    assert_eq!(err("RETURN x ALL + 1").message, "unexpected all modifier, expecting end of query");
}

#[test]
fn literals_strings_and_numbers() {
    assert_eq!(sx_of(r#""a\"b\n""#), r#""a\"b\n""#);
    assert_eq!(sx_of(r"'it\'s'"), r#""it's""#);
    assert_eq!(sx_of(r#""\u00fc\ud83d\ude00""#), "\"ü😀\"");
    assert_eq!(sx_of("[0x1F, 0b101, .5, 1e3, 2.5E-1, 0]"), "[31 5 0.5 1000 0.25 0]");
    assert_eq!(sx_of("null"), "null");
    assert_eq!(err("RETURN 01").message, "unexpected integer number '1', expecting end of query");
    assert_eq!(err("RETURN 1.").message, "unexpected '.', expecting end of query");
}

#[test]
fn arrays_and_objects() {
    assert_eq!(sx_of("[]"), "[]");
    assert_eq!(sx_of("[1, [2, 3], ]"), "[1 [2 3]]");
    assert_eq!(sx_of("{}"), "{}");
    assert_eq!(sx_of("{ a: 1, 'b c': 2, \"d\": 3, `e`: 4, }"), "{a:1 b c:2 d:3 e:4}");
    assert_eq!(sx_of("{ [CONCAT('a', 'b')]: 1, @key: 2 }"), "{[(CONCAT \"a\" \"b\")]:1 [@key]:2}");
    assert_eq!(sx_of("{ a, b, keep }"), "{a:a b:b keep:keep}");
    assert_eq!(sx_of("{ return: 1, FOR: 2, null: 3 }"), "{return:1 FOR:2 null:3}");
    assert_eq!(sx_of("{ a: { b: [1] } }.a.b[0]"), "([] (. (. {a:{b:[1]}} a) b) 0)");
    assert_eq!(err("RETURN [1,,2]").message, "unexpected ',', expecting expression");
    assert_eq!(err("RETURN [1 2]").message, "unexpected integer number '2', expecting ',' or ']'");
    assert_eq!(err("RETURN { a: 1 b: 2 }").message, "unexpected identifier 'b', expecting ',' or '}'");
    assert_eq!(err("RETURN { 1: 2 }").message, "unexpected integer number '1', expecting attribute name");
    assert_eq!(err("RETURN { FOR }").message, "unexpected FOR declaration, expecting attribute name");
    assert_eq!(err("RETURN { a: }").message, "unexpected '}', expecting expression");
}

#[test]
fn names_and_bind_parameters() {
    assert_eq!(sx_of("[NEW, OLD, CURRENT, $x, _key, `a b`, ´c´]"), "[NEW OLD CURRENT $x _key a b c]");
    assert_eq!(sx_of("[@x, @@coll, @1, @_a]"), "[@x @@coll @1 @_a]");
    assert_eq!(sx_of("@obj.a"), "(. @obj a)");
    assert_eq!(sx_of("u.@attr"), "([] u @attr)");
    assert_eq!(sx_of("u.`a b`.´c´"), "(. (. u a b) c)");
    assert_eq!(sx_of("u.filter.return"), "(. (. u filter) return)");
}

#[test]
fn attribute_and_index_access() {
    assert_eq!(sx_of("u.a.b"), "(. (. u a) b)");
    assert_eq!(sx_of("u['a b']"), "(. u a b)");
    assert_eq!(sx_of("u[0]"), "([] u 0)");
    assert_eq!(sx_of("u[-1]"), "([] u (- 1))");
    assert_eq!(sx_of("u[i + 1].x"), "(. ([] u (+ i 1)) x)");
    assert_eq!(sx_of("u[@k]"), "([] u @k)");
    assert_eq!(sx_of("f(x).y[0]"), "([] (. (f x) y) 0)");
    assert_eq!(sx_of("(a).b"), "(. a b)");
    let e = ret("u.a[0]");
    assert_eq!(e.span, sp(7, 13));
    let ExprKind::Index(base, index) = &e.kind else { panic!() };
    assert_eq!(base.span, sp(7, 10));
    assert_eq!(index.span, sp(11, 12));
}

#[test]
fn function_calls() {
    assert_eq!(sx_of("LENGTH(x)"), "(LENGTH x)");
    assert_eq!(sx_of("RAND()"), "(RAND)");
    assert_eq!(sx_of("CONCAT(a, 'b', 1 + 2)"), "(CONCAT a \"b\" (+ 1 2))");
    assert_eq!(sx_of("MY::NS::FN(1)"), "(MY::NS::FN 1)");
    assert_eq!(sx_of("LIKE(t, 'a%', true)"), "(LIKE t \"a%\" true)");
    assert_eq!(sx_of("like(t, 'a%')"), "(like t \"a%\")");
    assert_eq!(sx_of("KEEP(doc, 'a')"), "(KEEP doc \"a\")");
    assert_eq!(sx_of("COUNT(x)"), "(COUNT x)");
    assert_eq!(sx_of("`weird fn`(1)"), "(weird fn 1)");
    assert_eq!(sx_of("a LIKE(b)"), "(LIKE a b)");
    assert_eq!(sx_of("NOT(x)"), "(! x)");
    let e = ret("f( 1 )");
    assert_eq!(e.span, sp(7, 13));
    assert_eq!(err("RETURN f(1,)").message, "unexpected ')', expecting expression");
    assert_eq!(err("RETURN f(1 2)").message, "unexpected integer number '2', expecting ',' or ')'");
    assert_eq!(err("RETURN MY::x").message, "unexpected end of query");
    assert_eq!(err("RETURN MY::x + 1").message, "unexpected '+', expecting '('");
}

#[test]
fn expansions() {
    assert_eq!(sx_of("u.friends[*]"), "(expand (. u friends))");
    assert_eq!(sx_of("u.friends[*].name"), "(expand (. u friends) proj=(. CURRENT name))");
    assert_eq!(sx_of("u.friends[*].name.first"), "(expand (. u friends) proj=(. (. CURRENT name) first))");
    assert_eq!(sx_of("u.friends[*][0]"), "(expand (. u friends) proj=([] CURRENT 0))");
    assert_eq!(sx_of("a[**]"), "(expand1 a)");
    assert_eq!(sx_of("a[***]"), "(expand2 a)");
    assert_eq!(
        sx_of("u.friends[* FILTER CURRENT.age > 18 LIMIT 2, 5 RETURN CURRENT.name]"),
        "(expand (. u friends) filter=(> (. CURRENT age) 18) limit=2,5 return=(. CURRENT name))"
    );
    assert_eq!(sx_of("a[* LIMIT 3]"), "(expand a limit=3)");
    assert_eq!(sx_of("a[* RETURN CURRENT * 2].x"), "(expand a return=(* CURRENT 2) proj=(. CURRENT x))");
    // A further [*] nests into the projection.
    assert_eq!(sx_of("a[*].b[*].c"), "(expand a proj=(expand (. CURRENT b) proj=(. CURRENT c)))");
    assert_eq!(sx_of("a[*].b[*].c[*].d"), "(expand a proj=(expand (. CURRENT b) proj=(expand (. CURRENT c) proj=(. CURRENT d))))");
    assert_eq!(sx_of("a[*][*]"), "(expand a proj=(expand CURRENT))");
    // [**] after an expansion flattens the expansion's result.
    assert_eq!(sx_of("a[*].b[**].c"), "(expand1 (expand a proj=(. CURRENT b)) proj=(. CURRENT c))");
    // Parentheses end the chain.
    assert_eq!(sx_of("(a[*].b).c"), "(. (expand a proj=(. CURRENT b)) c)");
    assert_eq!(sx_of("(a[*].b)[0]"), "([] (expand a proj=(. CURRENT b)) 0)");
    assert_eq!(sx_of("a[*].b + 1"), "(+ (expand a proj=(. CURRENT b)) 1)");
    assert_eq!(sx_of("[1, 2][*]"), "(expand [1 2])");

    let e = ret("u.friends[*].name.first");
    assert_eq!(e.span, sp(7, 30));
    let ExprKind::Expansion(x) = &e.kind else { panic!() };
    assert_eq!(x.base.span, sp(7, 16));
    let proj = x.projection.as_ref().unwrap();
    assert_eq!(proj.span, sp(19, 30));
    let ExprKind::Attribute(inner, _) = &proj.kind else { panic!() };
    assert_eq!(inner.span, sp(19, 24));

    let e = ret("a[*].b[*].c");
    assert_eq!(e.span, sp(7, 18));
    let ExprKind::Expansion(x) = &e.kind else { panic!() };
    assert_eq!(x.projection.as_ref().unwrap().span, sp(11, 18));

    assert_eq!(err("RETURN a[* FILTER x y]").message, "unexpected identifier 'y', expecting LIMIT, RETURN or ']'");
    assert_eq!(err("RETURN a[* ALL FILTER x]").message, "unexpected all modifier, expecting FILTER, LIMIT, RETURN or ']'");
    assert!(err("RETURN a[? FILTER x]").message.contains("not supported"));
}

#[test]
fn subqueries() {
    let e = ret("(FOR x IN xs FILTER x > 1 RETURN x)");
    let ExprKind::Subquery(sub) = &e.kind else { panic!() };
    assert_eq!(sub.ops.len(), 3);
    assert_eq!(e.span, sp(7, 42));
    assert_eq!(sub.span, sp(8, 41));
    assert_eq!(sx_of("(RETURN 1)[0]"), "([] (subquery 1) 0)");
    assert_eq!(sx_of("(LET a = 1 RETURN a)"), "(subquery 2)");
    assert_eq!(sx_of("LENGTH(FOR u IN users RETURN u)"), "(LENGTH (subquery 2))");
    assert_eq!(sx_of("FIRST((FOR u IN users LIMIT 1 RETURN u))"), "(FIRST (subquery 3))");
    assert_eq!(sx_of("(FOR u IN users REMOVE u IN users)"), "(subquery 2)");
    assert_eq!(sx_of("COUNT(FOR a IN b RETURN a, FOR c IN d RETURN c)"), "(COUNT (subquery 2) (subquery 2))");
    let query = q("FOR u IN users LET n = (FOR f IN u.friends RETURN f.name) RETURN { u, n }");
    let Op::Let { value, .. } = &query.ops[1] else { panic!() };
    let ExprKind::Subquery(sub) = &value.kind else { panic!() };
    let Op::For { source, .. } = &sub.ops[0] else { panic!() };
    assert_eq!(sx(source), "(. u friends)");
    assert_eq!(err("RETURN (FOR x IN y RETURN x FILTER x)").message, "unexpected FILTER declaration, expecting ')'");
    assert_eq!(err("RETURN (FOR x IN y)").message, "unexpected ')', expecting RETURN or another operation");
}

#[test]
fn comments_and_whitespace() {
    let query = q("/* head */ FOR u IN users // loop\n  /* multi\n line */ RETURN /* mid */ u // tail");
    assert_eq!(query.ops.len(), 2);
    assert_eq!(query.span, sp(11, 72));
    assert_eq!(sx_of("1 /* c */ + /* d */ 2"), "(+ 1 2)");
}

#[test]
fn spans_of_nodes() {
    let text = "FOR u IN users\n  FILTER u.age >= @min AND u.name LIKE 'A%'\n  RETURN { name: u.name }";
    let query = q(text);
    let Op::Filter { condition, span } = &query.ops[1] else { panic!() };
    assert_eq!(&text[span.start..span.end], "FILTER u.age >= @min AND u.name LIKE 'A%'");
    assert_eq!(&text[condition.span.start..condition.span.end], "u.age >= @min AND u.name LIKE 'A%'");
    let ExprKind::Binary(BinaryOp::And, l, r) = &condition.kind else { panic!() };
    assert_eq!(&text[l.span.start..l.span.end], "u.age >= @min");
    assert_eq!(&text[r.span.start..r.span.end], "u.name LIKE 'A%'");
    let ExprKind::Binary(_, ll, lr) = &l.kind else { panic!() };
    assert_eq!(&text[ll.span.start..ll.span.end], "u.age");
    assert_eq!(&text[lr.span.start..lr.span.end], "@min");
    let Op::Return { value, span, .. } = &query.ops[2] else { panic!() };
    assert_eq!(&text[span.start..span.end], "RETURN { name: u.name }");
    assert_eq!(&text[value.span.start..value.span.end], "{ name: u.name }");
    let e = ret("( 1 + 2 ) * 3");
    let ExprKind::Binary(_, l, _) = &e.kind else { panic!() };
    assert_eq!(l.span, sp(7, 16));
    assert_eq!(e.span, sp(7, 20));
    let e = ret("NOT x.y");
    assert_eq!(e.span, sp(7, 14));
}

mod errors;
