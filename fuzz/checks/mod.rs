//! The checks behind the fuzz targets, shared with the stable-Rust regression test
//! `tests/it/fuzz_corpus.rs`, which includes this folder with `#[path]`. Keeping one copy
//! means the committed corpus is replayed through exactly what was fuzzed.
//!
//! Each check takes the raw fuzz input and panics when an invariant breaks; returning
//! normally means the input is fine (an error from the code under test is a fine outcome
//! as long as the error itself is well-formed).

pub mod common;
pub mod set_parser;
pub mod values_merge;
