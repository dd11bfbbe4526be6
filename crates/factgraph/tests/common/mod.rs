//! Helpers shared by the integration tests.

/// Results as plain text for snapshots: columns, rows (sorted unless their order means
/// something), notes; with `counts`, a row count after each table.
#[allow(dead_code)] // not every test file that shares these helpers renders results
pub fn render(results: &[factgraph::QueryResult], counts: bool) -> String {
    let mut out = String::new();
    for r in results {
        if !r.columns.is_empty() {
            out.push_str(&r.columns.join(" | "));
            out.push('\n');
            let mut rows: Vec<String> = r
                .rows
                .iter()
                .map(|row| row.cells.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(" | "))
                .collect();
            if !r.ordered {
                rows.sort();
            }
            for row in &rows {
                out.push_str(row);
                out.push('\n');
            }
            if counts {
                out.push_str(&format!("({} rows)\n", rows.len()));
            }
        }
        if let Some(n) = &r.note {
            out.push_str(&format!("({n})\n"));
        }
    }
    out
}

/// The showcase scripts (`data/*.fg`), in the order a load runs them.
#[allow(dead_code)] // not every test file that shares these helpers loads the showcase
pub fn showcase_scripts() -> Vec<std::path::PathBuf> {
    let data = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data"));
    let mut scripts: Vec<std::path::PathBuf> = std::fs::read_dir(&data)
        .expect("data/ exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "fg"))
        .collect();
    scripts.sort();
    scripts
}

/// A new in-memory graph with the showcase loaded.
#[allow(dead_code)]
pub fn showcase() -> factgraph::Graph {
    let g = factgraph::Graph::in_memory().expect("temporary graph");
    g.load_scripts(&showcase_scripts()).unwrap_or_else(|e| panic!("the showcase does not load: {e}"));
    g
}
