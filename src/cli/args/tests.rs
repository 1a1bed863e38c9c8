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

#[test]
fn request_timeouts() {
    assert_eq!(
        parse_duration("30s").unwrap(),
        std::time::Duration::from_secs(30)
    );
    assert_eq!(
        parse_duration("2m").unwrap(),
        std::time::Duration::from_secs(120)
    );
    assert_eq!(
        parse_duration("45").unwrap(),
        std::time::Duration::from_secs(45)
    );
    for bad in ["0", "-1s", "1h", "", "s"] {
        assert!(parse_duration(bad).is_err(), "{bad}");
    }
}
