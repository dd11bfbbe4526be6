//! The parser on every form, its errors, its limits, and print/parse round trips.

mod common;

use factgraph_syntax::ast::*;
use factgraph_syntax::{parse, print, ParseError};

fn one(text: &str) -> Statement {
    let mut s = parse(text).unwrap_or_else(|e| panic!("{text}: {e}")).statements;
    assert_eq!(s.len(), 1, "{text}");
    s.remove(0)
}

fn err(text: &str) -> ParseError {
    parse(text).expect_err(text)
}

const SAMPLES: &[&str] = &[
    "who reported \"red notice\"",
    "who accused Trump",
    "who is Soleimani",
    "WHO killed Soleimani",
    "what does Interpol forbid",
    "what did \"Mark Esper\" say",
    "describe \"Qasi Mehr\"",
    "path from Trump to Interpol",
    "neighbours of Soleimani depth 2",
    "neighbors of Soleimani",
    "sources of Alqasimehr",
    "conflicts",
    "conflicts about Trump",
    "conflicts all",
    "conflicts all about \"Iranian missile attack on US troops in Iraq\"",
    "verify",
    "according to IRNA who accused Trump",
    "why who accused Trump",
    "document sky { title: \"A \\\"quoted\\\" title\", published: 2020-06-29, pages: 3 }",
    "entity \"Donald Trump\": Person aka \"Trump\" in sky, ap, \"Mr Trump\" in sky { born: 1946-06-14 }",
    "entity IRNA: Organization",
    "assert @acc = \"Ali Alqasimehr\" accused \"Donald Trump\" { charge: \"murder\", count: 36 } from sky \"they face charges\" by IRNA from ap \"q\"",
    "assert @acc reported-by IRNA from sky \"IRNA reported\"",
    "assert Interpol forbids text \"political intervention\" from sky \"forbid\"",
    "assert @strike killed-on 2020-01-03 from sky \"on 3 January\"",
    "retract @acc",
    "delete entity \"Nobody\"",
    "match (a:Person)-[r:accused]->(b {name: \"Trump\"}) where a.name <> \"x\" and r.count >= 30 return a.name, r.charge as charge, count(*) order by a.name desc skip 1 limit 5",
    "match (a)<-[:reported-by|said]-(b) return distinct b.name",
    "match (a)-[*1..3]-(b) where not a.name contains \"x\" or b.name is null return collect(b.name)",
    "match (a)-[r*2]->(b), (c) where a.name in [\"x\", \"y\"] return sources(r), evidence(r)",
    // Found by the round-trip property test: a negation under `is null` must keep its
    // parentheses when printed.
    "match () return a order by (not (oec)) is null desc",
    "create (a:Person {name: \"Alice\"})-[:met {date: 2020-01-03}]->(b:Person {name: \"Bob\"}), (c:Place {name: \"Lyon\"})",
];

#[test]
fn every_sample_parses_and_round_trips() {
    for text in SAMPLES {
        let first = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let printed = print(&first);
        let second = parse(&printed).unwrap_or_else(|e| panic!("{printed}: {e}"));
        assert_eq!(common::meaning(&first), common::meaning(&second), "{text}\n{printed}");
        assert_eq!(print(&second), printed);
    }
}

#[test]
fn questions_have_their_parts() {
    match one("who reported \"red notice\"") {
        Statement::Question(Question::Who { relation, target }) => {
            assert_eq!(relation.text, "reported");
            assert!(target.quoted);
            assert_eq!(target.text, "red notice");
        }
        other => panic!("{other:?}"),
    }
    match one("according to IRNA why who accused Trump") {
        Statement::Question(Question::According { source, question }) => {
            assert_eq!(source.text, "IRNA");
            assert!(matches!(*question, Question::Why(_)));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn writes_keep_aliases_documents_and_evidence() {
    match one("entity \"Donald Trump\": Person aka \"Trump\" in sky, ap, \"Mr Trump\" in sky") {
        Statement::Write(Write::Entity { aliases, kind, .. }) => {
            assert_eq!(kind.unwrap().text, "Person");
            assert_eq!(aliases.len(), 2);
            assert_eq!(aliases[0].documents.iter().map(|d| d.text.as_str()).collect::<Vec<_>>(), ["sky", "ap"]);
        }
        other => panic!("{other:?}"),
    }
    match one("assert @a = X accused Y { count: 36 } from d \"q \\\"w\\\"\" by Z") {
        Statement::Write(Write::Assert(a)) => {
            assert_eq!(a.label.unwrap().name, "a");
            assert_eq!(a.qualifiers[0].value, Literal::Int(36));
            assert_eq!(a.evidence[0].quote, "q \"w\"");
            assert_eq!(a.evidence[0].by.as_ref().unwrap().text, "Z");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn scripts_hold_many_statements_and_comments() {
    let s = parse("# showcase\nentity A: Person;\n// more\nentity B: Person;\n\nwho accused A;").unwrap();
    assert_eq!(s.statements.len(), 3);
    assert_eq!(parse("").unwrap().statements.len(), 0);
    assert_eq!(parse("  # only a comment\n").unwrap().statements.len(), 0);
}

#[test]
fn variable_length_forms() {
    let len = |t: &str| match one(t) {
        Statement::Query(Query { clauses, .. }) => match &clauses[0] {
            Clause::Match(m) => m.paths[0].steps[0].0.length,
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    };
    assert_eq!(len("match (a)-[*]->(b) return b"), Some((None, None)));
    assert_eq!(len("match (a)-[*2]->(b) return b"), Some((Some(2), Some(2))));
    assert_eq!(len("match (a)-[*1..3]->(b) return b"), Some((Some(1), Some(3))));
    assert_eq!(len("match (a)-[*..4]->(b) return b"), Some((None, Some(4))));
    assert_eq!(len("match (a)-[]->(b) return b"), None);
}

#[test]
fn errors_say_what_was_expected_in_words() {
    let e = err("describe");
    assert_eq!(e.to_string(), "line 1, column 9: expected an entity name or a quoted string, found end of input");
    let e = err("who accused");
    assert!(e.to_string().contains("expected an entity name or a quoted phrase"), "{e}");
    let e = err("entity X: Person;\nassert X accused Y");
    assert_eq!((e.line, e.column), (2, 19));
    assert_eq!(e.summary(), "expected `from` or `{`, found end of input");
    assert!(e.hint.as_deref().unwrap_or("").contains("needs evidence"), "{e:?}");
    // openCypher's `=~`, which factgraph lacks, says so rather than "found `~`" alone.
    let e = err("return 'abc' =~ 'a.*'");
    assert!(e.hint.as_deref().unwrap_or("").contains("regular expressions (`=~`) are not supported"), "{e:?}");
    let e = err("describe 'Trump");
    assert!(e.summary().contains("a string that is never closed (a `'` is missing)"), "{e:?}");
    let e = err("hello world");
    assert!(e.summary().contains("a statement"), "{e}");
    assert_eq!(e.found, "`hello`");
    let e = err("assert @a = X said 2020-02-30 from d \"q\"");
    assert!(e.summary().contains("not a calendar date"), "{e}");
    // `<-[]->` is openCypher's other spelling of `-[]-`.
    let Statement::Query(q) = one("match (a)<-[r]->(b) return a") else { panic!() };
    let Clause::Match(m) = &q.clauses[0] else { panic!() };
    assert_eq!(m.paths[0].steps[0].0.arrow, Arrow::Either);
}

#[test]
fn limits_are_quick_errors() {
    let deep = format!("match {}a{} return a", "(".repeat(5000), ")".repeat(5000));
    let t = std::time::Instant::now();
    let e = err(&deep);
    assert!(e.summary().contains("nest more than 64"), "{e}");
    assert!(t.elapsed() < std::time::Duration::from_secs(1));
    let big = format!("describe \"{}\"", "x".repeat(factgraph_syntax::MAX_INPUT_BYTES));
    assert!(err(&big).summary().contains("1 MiB"));
    // Long chains of conditions and repeated `not` would make a deep tree: refused.
    let wide = format!("match (a) where {} return a", vec!["a.x = 1"; 50_000].join(" or "));
    // (Refused by the chain limit or, first, by the bound on the grammar's work.)
    let e = err(&wide);
    let said = e.summary();
    assert!(said.contains("chains 50000 conditions") || said.contains("too complex to parse"), "{said}");
    let deep = format!("match (a) where {}a.x = 1 return a", "not ".repeat(200_000));
    assert!(err(&deep).summary().contains("`not` is repeated 200000 times"));
    parse(&format!("match (a) where {} return a", vec!["a.x = 1"; 64].join(" and "))).unwrap();
    let long = format!("match (a){} return a", "-[]->()".repeat(65));
    assert!(err(&long).summary().contains("at most 64 relationships"));
    // Brackets inside strings and comments do not count.
    parse(&format!("describe \"{}\" # {}", "(".repeat(100), "[".repeat(100))).unwrap();
}

mod robustness {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        /// Random text never panics, and every error's span lies inside the input.
        #[test]
        fn random_text(s in "\\PC{0,80}") {
            if let Err(e) = parse(&s) {
                prop_assert!(e.span.start <= s.len() && e.span.end <= s.len(), "{e:?}");
            }
        }

        /// Samples with a random cut and a random insertion never panic either.
        #[test]
        fn mutated_samples(i in 0..SAMPLES.len(), cut in 0usize..200, insert in "[ ()\\[\\]{}\"@:;,.*<>=a-z0-9-]{0,4}") {
            let base = SAMPLES[i];
            let mut at = cut.min(base.len());
            while !base.is_char_boundary(at) { at -= 1; }
            let text = format!("{}{}{}", &base[..at], insert, &base[at..]);
            match parse(&text) {
                Ok(ast) => { let _ = parse(&print(&ast)).expect("printed AST parses"); }
                Err(e) => prop_assert!(e.span.start <= text.len() && e.span.end <= text.len()),
            }
        }
    }
}

mod parameters {
    use factgraph_syntax::ast::*;
    use factgraph_syntax::{parse, parse_with, print, Params};

    fn params(pairs: &[(&str, Literal)]) -> Params {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone().into())).collect()
    }

    #[test]
    fn a_parameter_stands_for_its_value_wherever_a_string_or_literal_can() {
        let hostile = "Trump\" or 1=1; delete entity \"IRNA";
        let p = params(&[("who", Literal::Str(hostile.into())), ("n", Literal::Int(3))]);
        let script = parse_with("who accused $who; match (a {name: $who}) where a.rank > $n return a", &p).unwrap();
        assert_eq!(script.statements.len(), 2, "the value's quotes and semicolon are text, not syntax");
        let Statement::Question(Question::Who { target, .. }) = &script.statements[0] else { panic!() };
        assert_eq!((target.text.as_str(), target.quoted), (hostile, true));
        // Printed, the tree holds the values; parsed again it says the same.
        let printed = print(&script);
        assert!(printed.contains("3") && !printed.contains('$'), "{printed}");
        assert_eq!(format!("{:?}", parse(&printed).unwrap().statements.len()), "2");
    }

    #[test]
    fn writes_take_parameters_for_names_quotes_and_values() {
        let p = params(&[
            ("doc", Literal::Str("sky".into())),
            ("quote", Literal::Str("he said \"no\"".into())),
            ("when", Literal::Date(Date { year: 2020, month: 1, day: 3 })),
        ]);
        let script = parse_with("assert Trump said-on $when from $doc $quote", &p).unwrap();
        let printed = print(&script);
        assert!(
            printed.contains("2020-01-03") && printed.contains("\"sky\"") && printed.contains("\\\"no\\\""),
            "{printed}"
        );
    }

    #[test]
    fn a_missing_parameter_is_an_error_at_its_place() {
        let e = parse_with("describe $who", &Params::new()).unwrap_err();
        assert_eq!((e.span.start, e.span.end), (9, 13));
        assert!(e.to_string().contains("no value was given for the parameter $who"), "{e}");
    }

    #[test]
    fn a_name_needs_text_not_a_number() {
        let e = parse_with("describe $who", &params(&[("who", Literal::Int(1))])).unwrap_err();
        assert!(e.to_string().contains("the parameter $who is a whole number, where text is needed"), "{e}");
    }

    /// In an expression a parameter may be null, a list or a map, nested; where one
    /// value is needed (a name) it may not, and a value nested past the parser's
    /// bound is refused rather than walked.
    #[test]
    fn a_parameter_in_an_expression_may_be_null_a_list_or_a_map() {
        let mut p = Params::new();
        p.insert("none".into(), ParamValue::Null);
        p.insert(
            "names".into(),
            ParamValue::List(vec![Literal::Str("a".into()).into(), ParamValue::Null, ParamValue::List(vec![])]),
        );
        p.insert("m".into(), ParamValue::Map(vec![("k".into(), Literal::Int(1).into())]));
        let script = parse_with("return $none, $names, $m.k, $names[0]", &p).unwrap();
        let printed = print(&script);
        assert!(printed.contains("null, [\"a\", null, []], {k: 1}.k"), "{printed}");
        let e = parse_with("describe $names", &p).unwrap_err();
        assert!(e.to_string().contains("the parameter $names is a list, where a single value is needed"), "{e}");
        let mut deep = ParamValue::Null;
        for _ in 0..=factgraph_syntax::MAX_NESTING {
            deep = ParamValue::List(vec![deep]);
        }
        p.insert("deep".into(), deep);
        let e = parse_with("return $deep", &p).unwrap_err();
        assert!(e.to_string().contains("deeper than"), "{e}");
    }

    #[test]
    fn a_dollar_inside_quotes_is_text() {
        let script = parse_with("describe \"$who\"", &Params::new()).unwrap();
        let Statement::Question(Question::Describe(n)) = &script.statements[0] else { panic!() };
        assert_eq!(n.text, "$who");
    }
}

/// openCypher writes strings in single quotes; they mean what double quotes mean.
#[test]
fn single_quoted_strings_are_strings() {
    use factgraph_syntax::ast::*;
    let script = factgraph_syntax::parse("match (a {name: 'Al \"the\" O\\'Neil'}) where a.x = 'y' return 'z'").unwrap();
    let printed = factgraph_syntax::print(&script);
    assert!(printed.contains("\"Al \\\"the\\\" O'Neil\""), "{printed}");
    let Statement::Question(Question::Describe(n)) =
        &factgraph_syntax::parse("describe 'Qasi Mehr'").unwrap().statements[0]
    else {
        panic!()
    };
    assert_eq!((n.text.as_str(), n.quoted), ("Qasi Mehr", true));
    assert!(factgraph_syntax::is_complete("describe 'a (b'"));
    assert!(!factgraph_syntax::is_complete("describe 'a"));
    assert!(factgraph_syntax::is_complete("describe \"it's\""), "an apostrophe inside double quotes is text");
}

/// `return` needs no `match`: it answers one row with no variables.
#[test]
fn return_without_match_is_a_query_of_one_clause() {
    use factgraph_syntax::ast::*;
    let script = factgraph_syntax::parse("return 1 as one order by one limit 1").unwrap();
    let Statement::Query(q) = &script.statements[0] else { panic!("{script:?}") };
    let [Clause::Return(p)] = q.clauses.as_slice() else { panic!("{q:?}") };
    assert!(p.items.len() == 1 && p.limit.is_some());
    assert_eq!(factgraph_syntax::print(&script), "return 1 as one order by one limit 1");
    assert!(factgraph_syntax::parse("where 1 = 1 return 1").is_err(), "a filter needs a match");
}

/// Clauses run in an order openCypher allows, and one out of place is named in words.
#[test]
fn clauses_out_of_order_are_refused_in_words() {
    let message = |t: &str| factgraph_syntax::parse(t).unwrap_err().to_string();
    assert!(message("match (n) return n match (m) return m").contains("nothing may follow `return`"));
    assert!(message("match (n) with n").contains("cannot end with `with`"));
    assert!(message("match (n)").contains("must end with `return`"));
    assert!(message("create (a) match (n) return n").contains("put `with` between them"));
    for ok in [
        "match (a) optional match (a)-->(b) with a, count(b) as c where c > 1 return a.name, c",
        "unwind [1, 2] as x with x * 2 as y order by y desc limit 1 return y",
        "match (a) create (a)-[:T]->(b) return b",
        "create (a) with a match (b) return b",
        "return *",
        "match (a) return *, a.name as n",
    ] {
        factgraph_syntax::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
}

/// `'\uH'` was read as `'uH'`: an escape the language does not have was dropped
/// silently. Escapes are `\"`, `\'`, `\\`, `\n`, `\t`, `\r`, `\b`, `\f`, `\uXXXX`.
#[test]
fn an_unknown_escape_is_an_error_not_dropped() {
    let e = factgraph_syntax::parse("return '\\uH'").unwrap_err();
    assert!(e.to_string().contains("`\\uH` is not an escape"), "{e}");
    assert_eq!((e.span.start, e.span.end), (8, 11));
    let e = factgraph_syntax::parse("describe \"a\\qb\"").unwrap_err();
    assert!(e.to_string().contains("`\\q` is not an escape"), "{e}");
    use factgraph_syntax::ast::*;
    let script = factgraph_syntax::parse("return '\\u00e9\\t\\r\\'\\\\'").unwrap();
    let Statement::Query(Query { clauses, .. }) = &script.statements[0] else { panic!() };
    let Clause::Return(p) = &clauses[0] else { panic!() };
    let ExprKind::Literal(Literal::Str(s)) = &p.items[0].expr.kind else { panic!("{p:?}") };
    assert_eq!(s, "é\t\r'\\");
}

/// `create … create …` is one query of two clauses, which only writes.
#[test]
fn consecutive_create_clauses_are_one_write() {
    use factgraph_syntax::ast::*;
    let script = factgraph_syntax::parse("CREATE (a {name: 'a'})\nCREATE (b {name: 'b'}), (a)-[:T]->(b)").unwrap();
    assert_eq!(script.statements.len(), 1);
    let Statement::Query(q) = &script.statements[0] else { panic!("{script:?}") };
    assert!(q.only_writes() && q.clauses.len() == 2, "{q:?}");
}

/// Sixty-four brackets deep overflowed a 2 MiB thread's stack (pest recurses a dozen
/// rules a level): the deepest input the limits allow now parses on any thread, and
/// `case` inside `case`, which nests with no bracket, is bounded too.
#[test]
fn the_deepest_allowed_nesting_parses_on_a_small_thread_stack() {
    let inputs = vec![
        format!("return {}1{}", "(".repeat(64), ")".repeat(64)),
        format!("return {}1{}", "[".repeat(64), "]".repeat(64)),
        format!("return {}1{}", "case when true then ".repeat(60), " end".repeat(60)),
    ];
    for text in inputs {
        let t = text.clone();
        let parsed = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || factgraph_syntax::parse(&t).map(|_| ()))
            .unwrap()
            .join()
            .expect("no overflow");
        parsed.unwrap_or_else(|e| panic!("{e}: {}", &text[..40]));
    }
    let too_deep = format!("return {}1{}", "case when true then ".repeat(65), " end".repeat(65));
    assert!(err(&too_deep).summary().contains("nest more than 64 deep"));
}

/// `who is X` read `is` as a relation word; it is its own question, and `is-a` stays a
/// relation word.
#[test]
fn who_is_is_a_question_and_is_a_a_relation() {
    let Statement::Question(Question::WhoIs(n)) = one("who is \"the UK\"") else { panic!() };
    assert_eq!((n.text.as_str(), n.quoted), ("the UK", true));
    let Statement::Question(Question::Who { relation, .. }) = one("who is-a Interpol") else { panic!() };
    assert_eq!(relation.text, "is-a");
    assert_eq!(print(&parse("WHO IS Trump").unwrap()).trim(), "who is Trump");
}

/// Whole numbers in hexadecimal (`0x`) and octal (`0o`), as openCypher writes them:
/// signed, the smallest 64-bit integer included, and malformed or too large ones
/// refused where they are written.
#[test]
fn hexadecimal_and_octal_integers_are_read_with_their_sign() {
    for (text, value) in [
        ("return 0x1F", 31i64),
        ("return 0x1a2B", 0x1a2b),
        ("return -0x162CD4F6", -0x162C_D4F6),
        ("return 0x7FFFFFFFFFFFFFFF", i64::MAX),
        ("return -0x8000000000000000", i64::MIN),
        ("return 0o17", 15),
        ("return -0o0", 0),
        ("return 0o777777777777777777777", i64::MAX),
        ("return -0o1000000000000000000000", i64::MIN),
    ] {
        let printed = format!("{:?}", one(text));
        assert!(printed.contains(&format!("Int({value})")), "{text}: {printed}");
    }
    for text in ["return 0x8000000000000000", "return -0x8000000000000001", "return 0o1000000000000000000000"] {
        assert!(err(text).to_string().contains("does not fit in a 64-bit integer"), "{text}");
    }
    for (text, radix) in [
        ("return 0x", "hexadecimal"),
        ("return 0x1A2b3j4", "hexadecimal"),
        ("return -0x1G", "hexadecimal"),
        ("return 0o8", "octal"),
        ("return 0o17a", "octal"),
        ("return 0x1_0", "hexadecimal"),
    ] {
        let e = err(text).to_string();
        assert!(e.contains(&format!("is not a {radix} number")), "{text}: {e}");
    }
}

/// A pattern outside a condition is refused at the pattern, without the blanks after
/// it; one written after `x =` is compared with `x`, not named `x`.
#[test]
fn a_pattern_outside_a_condition_is_refused_where_it_stands() {
    let text = "return [(a)--(b)   , 1]";
    let e = err(text);
    assert_eq!(&text[e.span.start..e.span.end], "(a)--(b)");
    assert!(e.to_string().contains("only in `where`"), "{e}");
    // A comment inside a node pattern's properties is a comment there too.
    one("match (n:A) where (n {name: 'a}'\n # }\n})-->() return n.name");
    let printed = format!("{:?}", one("match (a), (b) where x = (a)-->(b) return a"));
    assert!(printed.contains("Compare(Eq") && printed.contains("PatternPredicate"), "{printed}");
}

/// `call`: a dotted name, arguments given or taken from the parameters (every
/// parameter kept, for the planner to pick the procedure's inputs from), and fields
/// yielded, renamed and filtered. A call alone is a query; within one it reads, so it
/// cannot end the query, and `yield *` belongs to a call alone.
#[test]
fn a_call_names_its_procedure_arguments_and_yields() {
    let Statement::Query(q) = one("CALL `my`.proc(1, 'a') YIELD a AS b, c WHERE b > 1 RETURN b, c") else {
        panic!("a query")
    };
    let Clause::Call(c) = &q.clauses[0] else { panic!("{:?}", q.clauses[0]) };
    assert_eq!(c.procedure.text, "my.proc");
    assert!(matches!(&c.args, CallArgs::Given(a) if a.len() == 2));
    let Some(Yield::Items { items, filter: Some(_) }) = &c.yields else { panic!("{:?}", c.yields) };
    let names: Vec<(&str, Option<&str>)> =
        items.iter().map(|(f, a)| (f.text.as_str(), a.as_ref().map(|a| a.text.as_str()))).collect();
    assert_eq!(names, [("a", Some("b")), ("c", None)]);
    let params = factgraph_syntax::Params::from([("x".to_owned(), ParamValue::Literal(Literal::Int(7)))]);
    let script = factgraph_syntax::parse_with("call db.labels", &params).unwrap();
    let Statement::Query(q) = &script.statements[0] else { panic!("a query") };
    let Clause::Call(Call { args: CallArgs::Implicit(given), yields: None, .. }) = &q.clauses[0] else {
        panic!("{:?}", q.clauses[0])
    };
    assert_eq!(given.len(), 1);
    assert_eq!(given[0].0, "x");
    assert_eq!(print(&parse("CALL a.b YIELD *").unwrap()), "call a.b yield *");
    let e = err("match (n) call db.labels() yield label");
    assert!(e.to_string().contains("must end with `return`"), "{e}");
    let e = err("unwind [1] as x call a.b() yield * return x");
    assert!(e.to_string().contains("`yield *` only goes with a `call` alone"), "{e}");
    let e = err("match (n) where exists { match (n) call db.labels() yield * } return n");
    assert!(e.to_string().contains("`yield *` only goes with a `call` alone"), "{e}");
    one("match (n) where exists { match (n)-->(m) with m } return n");
    // A subquery's union, printed as written.
    let text = "match (n) where exists { match (n)-->(m) return m union all match (m)-->(n) return m } return n";
    let printed = print(&parse(text).unwrap());
    assert_eq!(
        printed,
        "match (n) where exists { match (n)-[]->(m) return m union all match (m)-[]->(n) return m } return n"
    );
    assert_eq!(print(&parse(&printed).unwrap()), printed);
    let e = err("return 'x' as label union call db.labels()");
    assert!(e.to_string().contains("cannot be part of a `union`"), "{e}");
    let e = err("create () call db.labels() yield label return label");
    assert!(e.to_string().contains("cannot follow an update"), "{e}");
}

/// A `#` right after a number is no comment: the number is malformed, as openCypher
/// (which has no `#` comments) reads `9223372#54775808`; with a space it is a comment.
#[test]
fn a_number_running_into_a_hash_is_malformed_not_a_comment() {
    let e = err("return 9223372#54775808 as literal");
    assert_eq!(
        e.hint.as_deref(),
        Some("a number runs into a `#` written right after it: put a space before a comment")
    );
    assert!(err("return 1.5#x").to_string().contains("return"), "a float too");
    one("return 1 # a comment");
}
