//! The `tsv` target: `factgraph_fuzz::tsv`, which `crates/factgraph-fuzz/tests/corpus.rs`
//! also runs on every file of `fuzz/corpus/tsv/`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| factgraph_fuzz::tsv(data));
