//! Each input's schema problems, as findings, and the values they make unusable left out
//! so that the later checks still run on the rest.

use super::{Finding, Severity, deployability};
use crate::chart::schema::{KeyPath, ProblemKind, Segment};
use crate::value::{Map, Value};
use crate::values::InputReport;

/// Every input's schema problems as findings: [`ProblemKind::Invalid`] always an error,
/// [`ProblemKind::Undeployable`] an error unless `helm_exact`, [`ProblemKind::UnknownKey`]
/// an error unless `skip_unknown` (`--skip-schema-validation`: a warning, the key ignored).
pub fn schema_findings(report: &InputReport, helm_exact: bool, skip_unknown: bool) -> Vec<Finding> {
    report
        .problems
        .iter()
        .map(|(origin, problem)| {
            let (severity, message) = match problem.kind {
                ProblemKind::Invalid => (Severity::Error, problem.message.clone()),
                ProblemKind::Undeployable => (deployability(helm_exact), problem.message.clone()),
                ProblemKind::UnknownKey if skip_unknown => (
                    Severity::Warning,
                    format!(
                        "{}; ignored (--skip-schema-validation): left out of the values the templates see",
                        problem.message
                    ),
                ),
                ProblemKind::UnknownKey => (Severity::Error, problem.message.clone()),
            };
            Finding {
                severity,
                origin: origin.clone(),
                path: problem.path.to_string(),
                message,
            }
        })
        .collect()
}

/// Leaves out of the merged values every value a schema problem makes unusable (a wrong
/// type, a control character, an unknown key; not a format Kubernetes would refuse, which
/// renders as written): the key that holds it, or the list that does, so the defaults
/// apply there. `false` when a problem is about the whole input (nothing can be checked).
pub fn leave_out_unusable(report: &mut InputReport) -> bool {
    for (_, problem) in &report.problems {
        if problem.kind == ProblemKind::Undeployable {
            continue;
        }
        if !leave_out(&mut report.values, &problem.path) {
            return false;
        }
    }
    true
}

/// Removes the value at `path` (cut at its first list index: the list goes, as an item
/// removed would shift the others' meaning). `false` for the top level.
fn leave_out(values: &mut Map, path: &KeyPath) -> bool {
    let keys: Vec<&str> = path
        .0
        .iter()
        .map_while(|segment| match segment {
            Segment::Key(key) => Some(key.as_str()),
            Segment::Index(_) => None,
        })
        .collect();
    let Some((last, parents)) = keys.split_last() else {
        return false;
    };
    let mut here = values;
    for key in parents {
        match here.get_mut(*key) {
            Some(Value::Map(inner)) => here = inner,
            // Already left out with a problem above it, or never set in the merged values.
            _ => return true,
        }
    }
    here.shift_remove(*last);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_out_the_key_or_the_list_and_refuses_the_top_level() {
        let tree = |text: &str| match crate::yaml::parse_values(text, "t").unwrap() {
            Value::Map(m) => m,
            _ => unreachable!(),
        };
        let key = |parts: &[&str]| {
            KeyPath(
                parts
                    .iter()
                    .map(|p| match p.parse::<usize>() {
                        Ok(i) => Segment::Index(i),
                        Err(_) => Segment::Key(p.to_string()),
                    })
                    .collect(),
            )
        };
        let cases: &[(&[&str], &str)] = &[
            (&["a", "b"], "a: {c: 2}\nl: [1, {x: 1}]\n"),
            (&["l", "1", "x"], "a: {b: 1, c: 2}\n"),
            (&["a", "z", "y"], "a: {b: 1, c: 2}\nl: [1, {x: 1}]\n"),
            (&["a"], "l: [1, {x: 1}]\n"),
        ];
        for (path, expected) in cases {
            let mut values = tree("a: {b: 1, c: 2}\nl: [1, {x: 1}]\n");
            assert!(leave_out(&mut values, &key(path)), "{path:?}");
            assert_eq!(values, tree(expected), "{path:?}");
        }
        let mut values = tree("a: 1\n");
        assert!(!leave_out(&mut values, &KeyPath::default()));
    }
}
