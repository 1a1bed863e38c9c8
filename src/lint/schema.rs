//! Each input's schema problems, as findings.

use super::{Finding, Severity, deployability};
use crate::chart::schema::ProblemKind;
use crate::values::InputReport;

/// Every input's schema problems as findings: [`ProblemKind::Invalid`] always an error,
/// [`ProblemKind::Undeployable`] an error unless `helm_exact`.
pub fn schema_findings(report: &InputReport, helm_exact: bool) -> Vec<Finding> {
    report
        .problems
        .iter()
        .map(|(origin, problem)| Finding {
            severity: match problem.kind {
                ProblemKind::Invalid => Severity::Error,
                ProblemKind::Undeployable => deployability(helm_exact),
            },
            origin: origin.clone(),
            path: problem.path.to_string(),
            message: problem.message.clone(),
        })
        .collect()
}
