//! Template errors as a user reads them: the innermost cause first, with its file and
//! line, then the templates it was reached from.

use minijinja::Error;

/// The root cause first (`template:line: what went wrong`), then where it was reached
/// from; for a chart read from `dir`, template names become paths on disk.
pub(super) fn describe_error_in(err: &Error, dir: Option<&std::path::Path>) -> String {
    let file = |name: &str| match dir {
        Some(dir) => dir.join(name).display().to_string(),
        None => name.to_string(),
    };
    let mut lines = Vec::new();
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(mj) = e.downcast_ref::<Error>() {
            let place = match (mj.name(), mj.line()) {
                (Some(name), Some(line)) => format!("{}:{line}: ", file(name)),
                (Some(name), None) => format!("{}: ", file(name)),
                _ => String::new(),
            };
            let what = mj
                .detail()
                .map(str::to_string)
                .unwrap_or_else(|| mj.kind().to_string());
            let line = format!("{place}{what}");
            if !lines.contains(&line) {
                lines.push(line);
            }
        } else {
            lines.push(e.to_string());
        }
        current = e.source();
    }
    // minijinja reports the outermost template first; the user needs the innermost.
    let Some(root_cause) = lines.pop() else {
        return err.to_string();
    };
    let mut text = root_cause;
    for outer in lines.iter().rev() {
        let place = outer.split(": ").next().unwrap_or(outer);
        text.push_str(&format!("\n  reached from {place}"));
    }
    text
}
