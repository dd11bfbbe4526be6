//! The `parse` target: `factgraph_fuzz::parse`, which `crates/factgraph-fuzz/tests/corpus.rs`
//! also runs on every file of `fuzz/corpus/parse/`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| factgraph_fuzz::parse(data));
