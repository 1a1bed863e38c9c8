//! Fuzz target `values_merge`: see fuzz/checks/values_merge.rs for the input format and the invariants.
#![no_main]

#[allow(dead_code)]
#[path = "../checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::values_merge::check(data));
