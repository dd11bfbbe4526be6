//! The `script` target: `factgraph_fuzz::script`, which `crates/factgraph-fuzz/tests/corpus.rs`
//! also runs on every file of `fuzz/corpus/script/`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| factgraph_fuzz::script(data));
