//! The `jsonl` target: `factgraph_fuzz::jsonl`, which `crates/factgraph-fuzz/tests/corpus.rs`
//! also runs on every file of `fuzz/corpus/jsonl/`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| factgraph_fuzz::jsonl(data));
