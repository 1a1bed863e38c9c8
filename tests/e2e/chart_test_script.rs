//! The chart's `helm test` script (templates/tests/pgbouncer-test.yaml) under shellcheck,
//! which scripts/test.sh installs. (Its rendering and its runs with bash alone:
//! `it/chart_tests.rs`.)

use std::process::Command;

use crate::util::{default_test_script, output_with_stdin, stderr};

#[test]
fn the_script_is_shellcheck_clean() {
    let out = output_with_stdin(
        Command::new("shellcheck").args(["-s", "bash", "-"]),
        &default_test_script(),
    );
    assert!(
        out.status.success(),
        "shellcheck:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );
}
