//! Fuzz target `set_parser`: see fuzz/checks/set_parser.rs for the input format and the invariants.
#![no_main]

#[allow(dead_code)]
#[path = "../checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::set_parser::check(data));
