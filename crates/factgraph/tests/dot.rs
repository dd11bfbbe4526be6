//! DOT output parsed back with a DOT parser: ids and labels survive quoting.

use factgraph::dot::DotOptions;
use factgraph::Graph;

#[test]
fn dot_with_awkward_names_parses_back() {
    let g = Graph::in_memory().unwrap();
    g.query(
        r#"document d { outlet: "X" };
        entity "Say \"hi\"": Person;
        entity "back\\slash": Place;
        entity "two\nlines": Concept;
        entity "Soleimaní — قاسم": Person;
        assert @a = "Say \"hi\"" visited "back\\slash" { count: 3 } from d "q";
        assert @a reported-by "Soleimaní — قاسم" from d "r";
        assert "two\nlines" forbids text "a \"quoted\" thing" from d "s""#,
    )
    .unwrap();
    let dot = g.to_dot(None, &DotOptions { evidence_counts: true, ..Default::default() }).unwrap();
    let graph = dot_parser::ast::Graph::try_from(dot.as_str()).unwrap_or_else(|e| panic!("{e}\n{dot}"));
    let text = format!("{graph:?}");
    for needle in ["Say \\\\\\\"hi\\\\\\\"", "Soleimaní — قاسم", "visited"] {
        assert!(text.contains(needle), "{needle} missing from {text}");
    }
    // Entities, the reified statement and the literal are nodes; three statements make
    // four edges (the reified one is drawn as two).
    assert_eq!(dot.matches(" -> ").count(), 4, "{dot}");
    // A subgraph for one statement pulls in the statement it is about.
    let about = g.query("match (s)-[r:reported-by]->(x) return r").unwrap();
    let id = match &about[0].rows[0].cells[0] {
        factgraph::Cell::Statement { id, .. } => *id,
        other => panic!("{other:?}"),
    };
    let sub = g.to_dot(Some(&[id]), &DotOptions::default()).unwrap();
    dot_parser::ast::Graph::try_from(sub.as_str()).unwrap();
    assert!(sub.contains("visited") && sub.contains("reported-by"), "{sub}");
    assert!(!sub.contains("forbids"), "{sub}");
}
