//! The language's vocabulary as the library publishes it, and the typed errors that
//! name what a query got wrong.

use factgraph::vocabulary::{is_complete, FUNCTIONS, KEYWORDS};
use factgraph::{Error, Graph, QueryError};

fn graph() -> Graph {
    let g = Graph::in_memory().unwrap();
    g.query(
        "document d { outlet: \"X\" }; entity Alice: Person; entity Bob: Person; assert Alice met Bob from d \"met\"",
    )
    .unwrap();
    g
}

fn query_error(g: &Graph, text: &str) -> QueryError {
    match g.query(text) {
        Err(Error::Query(q)) => q,
        other => panic!("{text}: expected a query error, got {other:?}"),
    }
}

#[test]
fn every_listed_function_is_known_to_the_engine() {
    let g = graph();
    for f in FUNCTIONS {
        let q = format!("match (a)-[r]->(b) return {f}(r)");
        if let Err(Error::Query(e @ QueryError::UnknownFunction { .. })) = g.query(&q) {
            panic!("FUNCTIONS lists {f}, but the engine says: {e}");
        }
    }
    assert!(
        FUNCTIONS.windows(2).all(|w| w[0].to_lowercase() < w[1].to_lowercase()),
        "FUNCTIONS is kept sorted, without regard to case"
    );
}

#[test]
fn a_misspelt_function_suggests_the_nearest() {
    let e = query_error(&graph(), "match (a) return tolowr(a.name)");
    assert!(matches!(&e, QueryError::UnknownFunction { suggestions, .. } if suggestions == &["toLower"]), "{e:?}");
    assert_eq!(e.to_string(), "there is no function tolowr(); did you mean \"toLower\"?");
}

#[test]
fn the_vocabulary_is_the_languages() {
    assert!(KEYWORDS.contains(&"match") && KEYWORDS.contains(&"neighbors"));
    assert!(is_complete("describe Bob // Bob's \"friend\" ("));
    assert!(!is_complete("describe \"Bob"));
}

/// A query, a test of the kind of error it causes, and the words the user sees.
type Case = (&'static str, fn(&QueryError) -> bool, &'static str);

/// Each error kind with a query that causes it and the words the user sees. (The
/// rules behind `NotAllowed` are checked by their words: `Restriction` is not yet
/// re-exported at the crate root.)
#[test]
fn typed_errors_say_what_is_wrong() {
    let g = graph();
    let cases: &[Case] = &[
        (
            "match (a) return x.name",
            |e| matches!(e, QueryError::UndefinedVariable { name, .. } if name == "x"),
            "`x` is not defined in the pattern",
        ),
        (
            // Found when planning, before any row: the relationship `r` used as a node.
            "match (a)-[r]->(b), (r)-[s]->(c) return a",
            |e| matches!(e, QueryError::VariableTypeConflict { name, .. } if name == "r"),
            "`r` is a relationship in one place and a node in another",
        ),
        (
            "match (a) return size(a, a)",
            |e| matches!(e, QueryError::ArgumentCount { expected: 1, .. }),
            "size() takes one argument",
        ),
        (
            "match (a) return count(collect(a))",
            |e| matches!(e, QueryError::NotAllowed { .. }),
            "aggregates cannot be nested",
        ),
        (
            "match (a) where count(a) > 1 return a",
            |e| matches!(e, QueryError::NotAllowed { .. }),
            "count() aggregates rows: use it in `return` or `with`",
        ),
        (
            "match (a) return count(*) order by a.name",
            |e| matches!(e, QueryError::NotAllowed { .. }),
            "after aggregation, order by a returned column",
        ),
        (
            "document e { file: 3 }",
            |e| matches!(e, QueryError::TypeMismatch { found, .. } if found == "integer"),
            "`file:` must be a string, not an integer",
        ),
        (
            "document e { file: \"e.txt\" }",
            |e| matches!(e, QueryError::NotAllowed { .. }),
            "`file:` is only read when loading a script from a file",
        ),
        (
            "assert Alice met Bob from Bob \"met\"",
            |e| matches!(e, QueryError::NotADocument { kind, .. } if kind == "Person"),
            "\"Bob\" is a Person, not a document",
        ),
        (
            "entity Alice: Organization",
            |e| matches!(e, QueryError::KindConflict { kind, wanted, .. } if kind == "Person" && wanted == "Organization"),
            "\"Alice\" is already a Person; it cannot also be an Organization",
        ),
        (
            "document Alice",
            |e| matches!(e, QueryError::KindConflict { wanted, .. } if wanted == "Document"),
            "\"Alice\" is already a Person; it cannot also be a Document",
        ),
        (
            "entity Carol",
            |e| matches!(e, QueryError::MissingKind { .. }),
            "\"Carol\" is new: give its kind, as in `entity \"Carol\": Person`",
        ),
        (
            "assert @x = Alice met Bob from d \"a\"; assert @x = Bob met Alice from d \"b\"",
            |e| matches!(e, QueryError::DuplicateLabel { label, .. } if label == "x"),
            "@x is already defined in this load",
        ),
        (
            "create (a:Person {name: \"Alice\"})-[:met]-(b:Person {name: \"Bob\"})",
            |e| matches!(e, QueryError::NotAllowed { .. }),
            "a created relationship needs a direction: -[]-> or <-[]-",
        ),
        (
            "create (a {name: \"Alice\"})-[:met]->(b {name: \"Bob\"}), (a:Person {name: \"Alice\"})-[:met]->(b)",
            |e| matches!(e, QueryError::AlreadyBound { name, .. } if name == "a"),
            "`a` is already bound; refer to it as (a)",
        ),
    ];
    for (text, is_kind, message) in cases {
        let e = query_error(&g, text);
        assert!(is_kind(&e), "{text}: unexpected kind {e:?}");
        assert_eq!(e.to_string(), *message, "{text}");
        assert!(e.span().is_some(), "{text}: every typed error keeps its span");
    }
    // The store's refusals keep the store's words, placed at what asked for the write.
    let e = query_error(&g, "entity \"\": Person");
    assert!(matches!(e, QueryError::Refused { span, .. } if span.start == 11), "{e:?}");
    assert!(e.to_string().contains("at least one letter or digit"), "{e}");
}
