//! Replays every checked-in fuzz corpus (`fuzz/corpus/<target>/`) through the same
//! entry function its fuzz target calls, so each input a fuzzer kept (and each
//! regression it found) is run again by every `cargo test`, without a fuzzer or a
//! nightly toolchain. Every target must have a non-empty corpus: nothing is skipped.

use std::path::{Path, PathBuf};

fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus").join(target)
}

fn replay(target: &str) {
    let dir = corpus_dir(target);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the corpus {} is missing: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "the corpus {} is empty", dir.display());
    let mut failed = Vec::new();
    for path in &paths {
        let data = std::fs::read(path).unwrap();
        let outcome = std::panic::catch_unwind(|| assert!(factgraph_fuzz::run(target, &data), "unknown target"));
        if outcome.is_err() {
            failed.push(path.display().to_string());
        }
    }
    assert!(failed.is_empty(), "{} of {} {target} inputs panicked:\n{}", failed.len(), paths.len(), failed.join("\n"));
    eprintln!("{target}: {} inputs replayed", paths.len());
}

#[test]
fn the_parse_corpus_replays_without_a_panic() {
    replay("parse");
}

#[test]
fn the_script_corpus_replays_without_a_panic() {
    replay("script");
}

#[test]
fn the_jsonl_corpus_replays_without_a_panic() {
    replay("jsonl");
}

#[test]
fn the_tsv_corpus_replays_without_a_panic() {
    replay("tsv");
}

#[test]
fn the_open_corpus_replays_without_a_panic() {
    replay("open");
}

/// Every target has its test above and its folder; a new target without either fails here.
#[test]
fn every_target_has_a_corpus() {
    for target in factgraph_fuzz::TARGETS {
        assert!(corpus_dir(target).is_dir(), "no corpus for {target}");
    }
}
