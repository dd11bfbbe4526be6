//! Helpers shared by the integration tests.

/// Results as plain text for snapshots: columns, rows (sorted unless their order means
/// something), notes; with `counts`, a row count after each table.
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
