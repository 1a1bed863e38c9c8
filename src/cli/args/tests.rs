use super::*;

/// The message named only clap's error kind ("unexpected argument found") and quoted
/// the whole command line, `--set` passwords included.
#[test]
fn argocd_command_line_errors_name_the_argument_and_no_values() {
    let argv = [
        "qspgb",
        "render",
        "x",
        "--set",
        "pgbouncerPharia.config.adminPassword=hunter2",
        "--bogus",
    ];
    let err = argocd_command_line_error(Cli::try_parse_from(argv).unwrap_err()).to_string();
    assert!(
        err.ends_with("unexpected argument '--bogus' found"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
    // A password with a space, unquoted in ARGOCD_ENV_QSPGB_ARGS: its second word is
    // an unexpected argument, and clap would print it.
    let argv = [
        "qspgb",
        "render",
        "x",
        "--set",
        "pgbouncerPharia.config.adminPassword=hunter2",
        "Wm9ZtRb4Np",
    ];
    let err = argocd_command_line_error(Cli::try_parse_from(argv).unwrap_err()).to_string();
    assert!(err.contains("an unexpected word"), "{err}");
    assert!(!err.contains("Wm9Z"), "{err}");
}
