//! The `open` target: `factgraph_fuzz::open`, which `crates/factgraph-fuzz/tests/corpus.rs`
//! also runs on every file of `fuzz/corpus/open/`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| factgraph_fuzz::open(data));
