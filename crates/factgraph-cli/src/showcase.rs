//! The showcase dataset, built into the binary: the five articles and the scripts
//! that turn them into a graph (`data/` in the repository).

use std::path::{Path, PathBuf};

use factgraph::{Graph, WriteSummary};

include!(concat!(env!("OUT_DIR"), "/showcase_files.rs"));

/// Writes the embedded files under `dir` and loads every `.fg` script, in name order,
/// as one batch.
pub fn load_into(graph: &Graph, dir: &Path) -> factgraph::Result<WriteSummary> {
    let mut scripts: Vec<PathBuf> = Vec::new();
    for (rel, text) in FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| factgraph::Error::Io { context: format!("creating {}", parent.display()), source: e })?;
        }
        std::fs::write(&path, text)
            .map_err(|e| factgraph::Error::Io { context: format!("writing {}", path.display()), source: e })?;
        if rel.ends_with(".fg") && !rel.contains('/') {
            scripts.push(path);
        }
    }
    scripts.sort();
    graph.load_scripts(&scripts)
}

/// True when the binary carries showcase scripts.
pub fn available() -> bool {
    FILES.iter().any(|(rel, _)| rel.ends_with(".fg"))
}
