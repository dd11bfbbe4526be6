//! Runs every example of `docs/language.md`, in order, on one fresh store, and
//! snapshots what each prints: the reference cannot drift from the language.

mod common;

use factgraph::Graph;

#[test]
fn every_example_in_the_language_reference_runs() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/language.md")).unwrap();
    let graph = Graph::in_memory().unwrap();
    let mut transcript = String::new();
    let mut blocks = 0;
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        let fence = line.trim();
        if fence != "```fg" && fence != "```fg-error" {
            continue;
        }
        let mut body = String::new();
        for l in lines.by_ref() {
            if l.trim() == "```" {
                break;
            }
            body.push_str(l);
            body.push('\n');
        }
        blocks += 1;
        transcript.push_str(&format!("> {}\n", body.trim()));
        match (graph.query(&body), fence == "```fg-error") {
            (Ok(results), false) => transcript.push_str(&common::render(&results, false)),
            (Err(e), true) => transcript.push_str(&format!("error: {e}\n")),
            (Ok(_), true) => panic!("this example should fail:\n{body}"),
            (Err(e), false) => panic!("this example fails: {e}\n{body}"),
        }
        transcript.push('\n');
    }
    assert!(blocks >= 19, "found only {blocks} examples");
    insta::assert_snapshot!(transcript);
}
