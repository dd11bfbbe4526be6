//! Property: `parse(print(ast)) == ast` over generated trees of every statement form.
//! (Spans are blanked before comparing, so this checks meaning.)

mod common;

use factgraph_syntax::ast::*;
use factgraph_syntax::{parse, print, KEYWORDS};
use proptest::prelude::*;

fn not_keyword(s: &str) -> bool {
    !KEYWORDS.contains(&s.to_lowercase().as_str())
}

fn sp() -> Span {
    Span::default()
}

fn ident(re: &'static str) -> impl Strategy<Value = Ident> {
    re.prop_filter("not a keyword", |s: &String| not_keyword(s)).prop_map(|text| Ident { text, span: sp() })
}

fn word() -> impl Strategy<Value = Ident> {
    ident("[A-Za-z][a-z0-9_]{0,7}")
}

fn relation() -> impl Strategy<Value = Ident> {
    ident("[a-z]{1,7}(-[a-z]{1,5})?")
}

fn name() -> impl Strategy<Value = Name> {
    prop_oneof![
        word().prop_map(|w| Name { text: w.text, quoted: false, span: sp() }),
        "[ -~\u{e9}\u{627}\n\t]{1,12}".prop_map(|text| Name { text, quoted: true, span: sp() }),
    ]
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        "[ -~]{0,10}".prop_map(Literal::Str),
        any::<i64>().prop_map(Literal::Int),
        (-1_000_000i64..1_000_000).prop_map(|x| Literal::Float(x as f64 / 100.0 + 0.25)),
        any::<bool>().prop_map(Literal::Bool),
        (1000i32..2999, 1u8..=12, 1u8..=28).prop_map(|(year, month, day)| Literal::Date(Date { year, month, day })),
    ]
}

fn properties() -> impl Strategy<Value = Vec<Property>> {
    prop::collection::btree_map(
        "[a-z][a-z_]{0,6}".prop_filter("not a keyword", |s: &String| not_keyword(s)),
        literal(),
        0..3,
    )
    .prop_map(|m| {
        m.into_iter().map(|(k, v)| Property { key: Ident { text: k, span: sp() }, value: v, span: sp() }).collect()
    })
}

fn pattern_properties() -> impl Strategy<Value = Vec<PatternProperty>> {
    properties().prop_map(|props| {
        props
            .into_iter()
            .map(|p| PatternProperty {
                key: p.key,
                value: Expr { kind: ExprKind::Literal(p.value), span: sp() },
                span: sp(),
            })
            .collect()
    })
}

fn label() -> impl Strategy<Value = Label> {
    "[a-z][a-z0-9_]{0,6}".prop_map(|name| Label { name, span: sp() })
}

fn question_leaf() -> impl Strategy<Value = Question> {
    prop_oneof![
        (relation(), name()).prop_map(|(relation, target)| Question::Who { relation, target }),
        (name(), relation()).prop_map(|(subject, relation)| Question::What { subject, relation }),
        name().prop_map(Question::Describe),
        (name(), name()).prop_map(|(from, to)| Question::Path { from, to }),
        (name(), proptest::option::of(0u64..10))
            .prop_map(|(name, d)| Question::Neighbours { name, depth: d.map(|d| (d, sp())) }),
        name().prop_map(Question::Sources),
        name().prop_map(Question::WhoIs),
        (any::<bool>(), proptest::option::of(name())).prop_map(|(all, about)| Question::Conflicts { all, about }),
        Just(Question::Verify),
    ]
}

/// A leaf, or a leaf ending in `including negated` (the parser puts it round the
/// innermost question).
fn question_inner() -> impl Strategy<Value = Question> {
    prop_oneof![
        3 => question_leaf(),
        1 => question_leaf().prop_map(|q| Question::IncludingNegated(Box::new(q))),
    ]
}

fn question() -> impl Strategy<Value = Question> {
    prop_oneof![
        3 => question_inner(),
        1 => (name(), question_inner()).prop_map(|(source, q)| Question::According { source, question: Box::new(q) }),
        1 => question_inner().prop_map(|q| Question::Why(Box::new(q))),
    ]
}

fn term(objects: bool) -> BoxedStrategy<Term> {
    let base = prop_oneof![label().prop_map(Term::Label), name().prop_map(Term::Name)];
    if objects {
        prop_oneof![base, literal().prop_map(|l| Term::Literal(l, sp()))].boxed()
    } else {
        base.boxed()
    }
}

fn write() -> impl Strategy<Value = Write> {
    let alias = ("[ -~]{1,10}", prop::collection::vec(word(), 0..3)).prop_map(|(text, documents)| AliasDecl {
        text,
        span: sp(),
        documents,
    });
    let evidence = (name(), "[ -~]{1,20}", proptest::option::of(name()))
        .prop_map(|(document, quote, by)| EvidenceDecl { document, quote, quote_span: sp(), by });
    prop_oneof![
        (name(), properties()).prop_map(|(name, properties)| Write::Document { name, properties }),
        (name(), proptest::option::of(word()), prop::collection::vec(alias, 0..3), properties())
            .prop_map(|(name, kind, aliases, properties)| Write::Entity { name, kind, aliases, properties }),
        (
            proptest::option::of(label()),
            term(false),
            relation(),
            term(true),
            properties(),
            prop::collection::vec(evidence, 1..3)
        )
            .prop_map(|(label, subject, relation, object, qualifiers, evidence)| {
                Write::Assert(Assert { label, subject, relation, object, qualifiers, evidence })
            }),
        label().prop_map(Write::Retract),
        name().prop_map(Write::DeleteEntity),
    ]
}

fn var() -> impl Strategy<Value = Ident> {
    ident("[a-z][a-z0-9]{0,4}")
}

fn node_pattern() -> impl Strategy<Value = NodePattern> {
    // A name as a query gives it: text, a variable's property, text joined to one.
    let e = |kind| Expr { kind, span: sp() };
    let text = "[a-zA-Z' ]{0,8}".prop_map(move |s| e(ExprKind::Literal(Literal::Str(s))));
    let named = proptest::option::of(prop_oneof![
        text.clone(),
        (var(), var()).prop_map(move |(v, k)| e(ExprKind::Property(v.text, k.text))),
        (text, var(), var()).prop_map(move |(t, v, k)| e(ExprKind::Arith(
            ArithOp::Add,
            Box::new(t),
            Box::new(e(ExprKind::Property(v.text, k.text)))
        ))),
    ]);
    (proptest::option::of(var()), proptest::option::of(word()), named, pattern_properties(), any::<bool>()).prop_map(
        |(var, kind, named, properties, braces)| {
            // Braces are written whenever there are properties.
            let braces = braces || !properties.is_empty();
            NodePattern { var, kind, named, properties, braces, parameter: None, span: sp() }
        },
    )
}

fn rel_pattern() -> impl Strategy<Value = RelPattern> {
    let length = proptest::option::of(prop_oneof![
        Just((None, None)),
        (1u64..5).prop_map(|n| (Some(n), Some(n))),
        (0u64..3, 3u64..8).prop_map(|(a, b)| (Some(a), Some(b))),
        (1u64..8).prop_map(|b| (None, Some(b))),
    ]);
    (
        proptest::option::of(var()),
        prop::collection::vec(relation(), 0..3),
        prop_oneof![Just(Arrow::Right), Just(Arrow::Left), Just(Arrow::Either)],
        length,
        pattern_properties(),
    )
        .prop_map(|(var, types, arrow, length, properties)| RelPattern {
            var,
            types,
            arrow,
            length,
            bad_length: None,
            properties,
            parameter: None,
            span: sp(),
        })
}

fn path() -> impl Strategy<Value = PathPattern> {
    (proptest::option::of(var()), node_pattern(), prop::collection::vec((rel_pattern(), node_pattern()), 0..3))
        .prop_map(|(name, start, steps)| PathPattern { name, start, steps })
}

/// A path of at least one relationship, as a pattern in an expression has (named only
/// in a comprehension).
fn relationships(named: bool) -> impl Strategy<Value = PathPattern> {
    (proptest::option::of(var()), node_pattern(), prop::collection::vec((rel_pattern(), node_pattern()), 1..3))
        .prop_map(move |(name, start, steps)| PathPattern { name: name.filter(|_| named), start, steps })
}

/// A condition that is a pattern, or holds one (`where`).
fn condition() -> impl Strategy<Value = Expr> {
    let e = |kind| Expr { kind, span: sp() };
    prop_oneof![
        relationships(false).prop_map(move |p| e(ExprKind::PatternPredicate(Box::new(p)))),
        (relationships(false), comparison()).prop_map(move |(p, c)| e(ExprKind::Not(Box::new(e(ExprKind::And(
            Box::new(e(ExprKind::PatternPredicate(Box::new(p)))),
            Box::new(c)
        )))))),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    let e = |kind| Expr { kind, span: sp() };
    let leaf = prop_oneof![
        literal().prop_map(move |l| e(ExprKind::Literal(l))),
        Just(e(ExprKind::Null)),
        var().prop_map(move |v| e(ExprKind::Var(v.text))),
        (var(), var()).prop_map(move |(v, k)| e(ExprKind::Property(v.text, k.text))),
        var().prop_map(move |v| e(ExprKind::Call {
            name: "sources".into(),
            distinct: false,
            args: vec![e(ExprKind::Var(v.text))]
        })),
    ];
    leaf.prop_recursive(3, 12, 2, move |inner| {
        prop_oneof![
            inner.clone().prop_map(move |x| e(ExprKind::Not(Box::new(x)))),
            (inner.clone(), inner.clone()).prop_map(move |(a, b)| e(ExprKind::And(Box::new(a), Box::new(b)))),
            (inner.clone(), inner.clone()).prop_map(move |(a, b)| e(ExprKind::Or(Box::new(a), Box::new(b)))),
            (inner.clone(), any::<bool>())
                .prop_map(move |(a, negated)| e(ExprKind::IsNull { expr: Box::new(a), negated })),
            (inner.clone(), inner.clone()).prop_map(move |(a, b)| e(ExprKind::Xor(Box::new(a), Box::new(b)))),
            // `v.k` on a variable is a property; the tree says so.
            (inner.clone(), var()).prop_map(move |(a, k)| match a.kind {
                ExprKind::Var(v) => e(ExprKind::Property(v, k.text)),
                _ => e(ExprKind::Lookup(Box::new(a), k.text)),
            }),
            (inner.clone(), inner.clone()).prop_map(move |(a, b)| e(ExprKind::Index(Box::new(a), Box::new(b)))),
            (inner.clone(), proptest::option::of(inner.clone())).prop_map(move |(a, b)| e(ExprKind::Slice(
                Box::new(a),
                None,
                b.map(Box::new)
            ))),
            (inner.clone(), prop::collection::vec(word(), 1..3))
                .prop_map(move |(a, l)| e(ExprKind::HasLabels(Box::new(a), l.into_iter().map(|w| w.text).collect()))),
            (
                prop_oneof![
                    Just(Quantifier::All),
                    Just(Quantifier::Any),
                    Just(Quantifier::None),
                    Just(Quantifier::Single)
                ],
                var(),
                inner.clone(),
                inner.clone()
            )
                .prop_map(move |(kind, v, list, pred)| e(ExprKind::Quantifier {
                    kind,
                    var: v.text,
                    list: Box::new(list),
                    pred: Box::new(pred)
                })),
            (
                proptest::option::of(inner.clone()),
                prop::collection::vec((inner.clone(), inner.clone()), 1..3),
                proptest::option::of(inner.clone())
            )
                .prop_map(move |(subject, whens, otherwise)| e(ExprKind::Case {
                    subject: subject.map(Box::new),
                    whens,
                    otherwise: otherwise.map(Box::new)
                })),
            (var(), inner.clone(), proptest::option::of(inner.clone()), proptest::option::of(inner.clone())).prop_map(
                move |(v, list, filter, map)| e(ExprKind::ListComp {
                    var: v.text,
                    list: Box::new(list),
                    filter: filter.map(Box::new),
                    map: map.map(Box::new),
                })
            ),
            (relationships(true), proptest::option::of(inner.clone()), inner.clone()).prop_map(
                move |(path, filter, map)| e(ExprKind::PatternComp {
                    path: Box::new(path),
                    filter: filter.map(Box::new),
                    map: Box::new(map),
                })
            ),
            (prop::collection::vec(path(), 1..3), proptest::option::of(inner.clone()))
                .prop_map(move |(paths, filter)| e(ExprKind::Exists { paths, filter: filter.map(Box::new) })),
            prop::collection::vec(inner, 0..3).prop_map(move |items| e(ExprKind::List(items))),
        ]
    })
}

fn comparison() -> impl Strategy<Value = Expr> {
    let ops = prop_oneof![
        Just(CompareOp::Eq),
        Just(CompareOp::Ne),
        Just(CompareOp::Lt),
        Just(CompareOp::Ge),
        Just(CompareOp::Contains),
        Just(CompareOp::StartsWith),
        Just(CompareOp::In),
        Just(CompareOp::Named)
    ];
    (ops, var(), var(), literal()).prop_map(|(op, v, k, l)| Expr {
        kind: ExprKind::Compare(
            op,
            Box::new(Expr { kind: ExprKind::Property(v.text, k.text), span: sp() }),
            Box::new(Expr { kind: ExprKind::Literal(l), span: sp() }),
        ),
        span: sp(),
    })
}

fn projection(with: bool) -> impl Strategy<Value = Projection> {
    let item = (prop_oneof![expr(), Just(Expr { kind: ExprKind::CountStar, span: sp() })], proptest::option::of(var()))
        .prop_map(|(expr, alias)| ReturnItem { expr, alias, text: String::new() });
    (
        any::<bool>(),
        prop::collection::vec(item, 1..3),
        prop::collection::vec(
            (expr(), any::<bool>()).prop_map(|(expr, descending)| SortItem { expr, descending }),
            0..2,
        ),
        proptest::option::of(0u64..100),
        proptest::option::of(0u64..100),
        proptest::option::of(prop_oneof![comparison(), expr()]),
    )
        .prop_map(move |(distinct, items, order, skip, limit, filter)| Projection {
            distinct,
            star: false,
            items,
            order,
            skip: skip.map(|n: u64| Expr { kind: ExprKind::Literal(Literal::Int(n as i64)), span: sp() }),
            limit: limit.map(|n: u64| Expr { kind: ExprKind::Literal(Literal::Int(n as i64)), span: sp() }),
            filter: filter.filter(|_| with),
            span: sp(),
        })
}

fn matching() -> impl Strategy<Value = Clause> {
    (
        any::<bool>(),
        prop::collection::vec(path(), 1..3),
        proptest::option::of(prop_oneof![comparison(), expr(), condition()]),
    )
        .prop_map(|(optional, paths, filter)| Clause::Match(Match { optional, paths, filter }))
}

fn var_expr(v: Ident) -> Expr {
    Expr { kind: ExprKind::Var(v.text), span: sp() }
}

fn set_item() -> impl Strategy<Value = SetItem> {
    prop_oneof![
        (var(), word(), expr()).prop_map(|(v, key, value)| SetItem::Property { target: var_expr(v), key, value }),
        (var(), expr()).prop_map(|(var, value)| SetItem::Replace { var, value }),
        (var(), expr()).prop_map(|(var, value)| SetItem::Extend { var, value }),
        (var(), prop::collection::vec(word(), 1..3)).prop_map(|(var, labels)| SetItem::Labels { var, labels }),
    ]
}

/// `set`, `remove`, `[detach] delete` and `merge … on create set … on match set …`.
fn update() -> impl Strategy<Value = Clause> {
    let remove_item = prop_oneof![
        (var(), word()).prop_map(|(v, key)| RemoveItem::Property { target: var_expr(v), key }),
        (var(), prop::collection::vec(word(), 1..3)).prop_map(|(var, labels)| RemoveItem::Labels { var, labels }),
    ];
    prop_oneof![
        prop::collection::vec(set_item(), 1..3).prop_map(Clause::Set),
        prop::collection::vec(remove_item, 1..3).prop_map(Clause::Remove),
        (any::<bool>(), prop::collection::vec(expr(), 1..3))
            .prop_map(|(detach, exprs)| Clause::Delete { detach, exprs }),
        (path(), prop::collection::vec(set_item(), 0..2), prop::collection::vec(set_item(), 0..2))
            .prop_map(|(path, on_create, on_match)| Clause::Merge(Merge { path, on_create, on_match })),
    ]
}

/// `call a.b(ARGS) [yield x [as y], … [where …]]`; `alone`, a call that is its whole
/// query, may also say nothing of what it yields or `yield *`.
fn call(alone: bool) -> impl Strategy<Value = Clause> {
    let yields = prop::collection::vec((var(), proptest::option::of(var())), 1..3)
        .prop_flat_map(|items| (Just(items), proptest::option::of(condition())))
        .prop_map(|(items, filter)| Some(Yield::Items { items, filter }));
    let yields = if alone {
        prop_oneof![Just(None), Just(Some(Yield::All(sp()))), yields].boxed()
    } else {
        prop_oneof![Just(None), yields].boxed()
    };
    (prop::collection::vec(var(), 1..4), prop::collection::vec(expr(), 0..3), yields).prop_map(
        |(parts, args, yields)| {
            let text = parts.into_iter().map(|p| p.text).collect::<Vec<_>>().join(".");
            Clause::Call(Call {
                procedure: Ident { text, span: sp() },
                args: CallArgs::Given(args),
                yields,
                span: sp(),
            })
        },
    )
}

/// A query whose clauses are in an order the parser accepts: reading parts joined by
/// `with`, then `return`, `create` or another update.
fn query() -> impl Strategy<Value = Query> {
    let reading =
        prop_oneof![matching(), (expr(), var()).prop_map(|(expr, var)| Clause::Unwind { expr, var }), call(false)];
    (
        prop::collection::vec(reading.clone(), 0..3),
        proptest::option::of((projection(true), prop::collection::vec(reading, 0..2))),
        prop_oneof![
            projection(false).prop_map(Clause::Return),
            prop::collection::vec(path(), 1..3).prop_map(Clause::Create),
            update(),
        ],
    )
        .prop_map(|(first, with, end)| {
            let mut clauses = first;
            if let Some((p, more)) = with {
                clauses.push(Clause::With(p));
                clauses.extend(more);
            }
            clauses.push(end);
            clauses
        })
        .prop_flat_map(|clauses| {
            // Up to two more queries after `union [all]`, all of one kind.
            let returning = prop::collection::vec(matching(), 0..2).prop_flat_map(|reading| {
                projection(false).prop_map(move |p| {
                    let mut c = reading.clone();
                    c.push(Clause::Return(p));
                    c
                })
            });
            (Just(clauses), any::<bool>(), prop::collection::vec(returning, 0..3), any::<bool>())
        })
        .prop_map(|(clauses, all, more, including_negated)| Query {
            clauses,
            unions: more.into_iter().map(|clauses| Union { all, clauses, span: sp() }).collect(),
            including_negated,
        })
}

fn statement() -> impl Strategy<Value = Statement> {
    prop_oneof![
        question().prop_map(Statement::Question),
        write().prop_map(Statement::Write),
        query().prop_map(Statement::Query),
        call(true).prop_map(|c| Statement::Query(Query {
            clauses: vec![c],
            unions: Vec::new(),
            including_negated: false
        })),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Run by `parse_of_print_is_identity`, on a stack with room for it.
    fn print_then_parse(statements in prop::collection::vec(statement(), 1..4)) {
        let script = Script { statements, mode: None };
        let text = print(&script);
        let back = parse(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(common::meaning(&back), common::meaning(&script), "{}", text);
    }
}

/// Generating, printing and comparing deep random trees recurses as deep as they
/// are, which in a debug build can outgrow a test thread's 2 MiB stack: the cases run
/// on a thread with room for them (the parser's own stack is its business, and
/// `tests/parse.rs` checks it on ordinary threads).
#[test]
fn parse_of_print_is_identity() {
    let run = std::thread::Builder::new().stack_size(64 << 20).spawn(print_then_parse).unwrap();
    if let Err(panic) = run.join() {
        std::panic::resume_unwind(panic);
    }
}

/// Names in backticks print back in backticks (a backtick doubled), and keywords used
/// as names too, so the printed text parses to the same tree: names that are no word
/// were printed bare (`a b`), which reads as something else or not at all.
#[test]
fn names_in_backticks_print_back_in_backticks() {
    for q in [
        "with {`first name`: 'Ada', `x``y`: 1} as `the map` return `the map`.`first name` as `a b`",
        "unwind [1, 2] as ` x` return [`i j` in [` x`] | `i j` + 1] as l",
        "match `my p` = (`a b`)-[`r s`]->(b) where all(`k` in [1] where `k` > 0) return `a b`.`c d`",
        "match (n) set n.`odd key` = 1",
    ] {
        let script = parse(q).unwrap();
        let text = print(&script);
        let back = parse(&text).unwrap_or_else(|e| panic!("{q}\nprinted {text}\n{e}"));
        assert_eq!(common::meaning(&back), common::meaning(&script), "{q}\nprinted {text}");
        assert!(text.contains('`'), "{text}");
    }
}
