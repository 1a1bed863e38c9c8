//! Replays the fuzzers' committed inputs on stable Rust, so `cargo test` keeps them
//! meaningful without nightly or libFuzzer: every file of `fuzz/corpus/<target>/`,
//! `fuzz/seeds/<target>/` and `fuzz/regressions/<target>/` goes through the very check
//! the fuzz target runs (`fuzz/checks/`, included below, is shared with the targets).
//!
//! A failure names the file; reproduce it under the fuzzer with
//! `cargo +nightly fuzz run <target> <file>` in `fuzz/`; CONTRIBUTING.md,
//! the Fuzzing bullet, says how a crash becomes a regression input.

#[path = "../../fuzz/checks/mod.rs"]
mod checks;

use std::path::{Path, PathBuf};

/// The committed inputs of one target, sorted by path.
fn inputs(target: &str) -> Vec<PathBuf> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files = Vec::new();
    for dir in ["corpus", "seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(dir).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("reading a corpus folder").path();
            if path.is_file() {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn replay(target: &str, check: fn(&[u8])) {
    let files = inputs(target);
    assert!(!files.is_empty(), "no committed inputs for {target}");
    for path in files {
        let data = std::fs::read(&path).expect("reading a corpus file");
        if std::panic::catch_unwind(|| check(&data)).is_err() {
            panic!("{target}: {} fails the fuzz check", path.display());
        }
    }
}

#[test]
fn set_parser_corpus() {
    replay("set_parser", checks::set_parser::check);
}

#[test]
fn values_merge_corpus() {
    replay("values_merge", checks::values_merge::check);
}
