//! The objects Helm gives every template besides the values: `.Release` and
//! `.Capabilities` (with `.Capabilities.APIVersions.Has`), and the check of the
//! `--api-versions` that feed the latter.

use std::sync::Arc;

use anyhow::{Result, bail};
use minijinja::value::{Object, Value as JValue};
use minijinja::{Error, ErrorKind, State};

use super::RenderContext;

/// The Kubernetes version templates see when `--kube-version` is not given (the one the
/// reference Helm build reports).
pub const DEFAULT_KUBE_VERSION: &str = "v1.36.0";

/// API group versions every cluster of [`DEFAULT_KUBE_VERSION`] serves; `--api-versions` adds
/// more (CRDs such as `monitoring.coreos.com/v1`).
pub const BUILTIN_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "apiextensions.k8s.io/v1",
    "apiregistration.k8s.io/v1",
    "apps/v1",
    "authentication.k8s.io/v1",
    "authorization.k8s.io/v1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "certificates.k8s.io/v1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "events.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1",
    "networking.k8s.io/v1",
    "node.k8s.io/v1",
    "policy/v1",
    "rbac.authorization.k8s.io/v1",
    "resource.k8s.io/v1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1",
];

/// The `--api-versions` flags (repeated or comma-separated; blanks and empty entries are
/// skipped), each checked to be `GROUP/VERSION`, a core `VERSION`, or either followed by
/// `/Kind` (Argo CD's `KUBE_API_VERSIONS` lists both forms).
///
/// Helm takes any text here, and a typo (`monitoring.coreos.com v1`,
/// `monitoring.coreos.com`) silently leaves out what the templates guard with
/// `Capabilities.APIVersions.Has` — a ServiceMonitor that is enabled and never rendered.
pub fn parse_api_versions(flags: &[String]) -> Result<Vec<String>> {
    let version = |s: &str| {
        let b = s.as_bytes();
        b.len() >= 2
            && b[0] == b'v'
            && b[1].is_ascii_digit()
            && b.iter()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    };
    let group = |s: &str| {
        !s.is_empty()
            && s.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label
                        .bytes()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
            })
    };
    let kind = |s: &str| {
        s.as_bytes().first().is_some_and(u8::is_ascii_uppercase)
            && s.bytes().all(|c| c.is_ascii_alphanumeric())
    };
    let valid = |entry: &str| {
        let mut parts: Vec<&str> = entry.split('/').collect();
        if parts.len() > 1 && parts.last().is_some_and(|last| kind(last)) {
            parts.pop();
        }
        match parts[..] {
            [v] => version(v),
            [g, v] => group(g) && version(v),
            _ => false,
        }
    };
    let mut out = Vec::new();
    for entry in flags.iter().flat_map(|f| f.split(',')).map(str::trim) {
        if entry.is_empty() {
            continue;
        }
        if !valid(entry) {
            bail!(
                "invalid --api-versions {entry:?}: expected GROUP/VERSION such as \
                 monitoring.coreos.com/v1 (or v1 for the core group), optionally followed by /Kind"
            );
        }
        out.push(entry.to_string());
    }
    Ok(out)
}

pub(super) fn release_object(ctx: &RenderContext) -> JValue {
    minijinja::context! {
        Name => ctx.release_name.clone(),
        Namespace => ctx.namespace.clone(),
        IsInstall => !ctx.is_upgrade,
        IsUpgrade => ctx.is_upgrade,
        Revision => ctx.revision,
        Service => "Helm",
    }
}

pub(super) fn capabilities_object(ctx: &RenderContext) -> JValue {
    let version = ctx.kube_version.trim_start_matches('v');
    // Major and minor are the first two numbers (the version was checked by the CLI).
    let mut parts = version.trim_start().split(['.', '-', '+']);
    let major = parts.next().unwrap_or_default().to_string();
    let minor = parts.next().unwrap_or_default().to_string();
    let git_version = format!("v{version}");
    let mut api: Vec<String> = BUILTIN_API_VERSIONS.iter().map(|s| s.to_string()).collect();
    api.extend(ctx.api_versions.iter().cloned());
    minijinja::context! {
        KubeVersion => minijinja::context! {
            Version => git_version.clone(),
            GitVersion => git_version,
            Major => major,
            Minor => minor,
        },
        APIVersions => JValue::from_object(ApiVersions(api)),
    }
}

/// `.Capabilities.APIVersions`: iterable, with Helm's `Has` method.
#[derive(Debug)]
struct ApiVersions(Vec<String>);

impl Object for ApiVersions {
    fn repr(self: &Arc<Self>) -> minijinja::value::ObjectRepr {
        minijinja::value::ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &JValue) -> Option<JValue> {
        let index = key.as_usize()?;
        self.0.get(index).map(|s| JValue::from(s.as_str()))
    }

    fn enumerate(self: &Arc<Self>) -> minijinja::value::Enumerator {
        minijinja::value::Enumerator::Seq(self.0.len())
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[JValue],
    ) -> Result<JValue, Error> {
        match (method, args) {
            ("Has", [wanted]) => Ok(JValue::from(
                self.0.iter().any(|v| Some(v.as_str()) == wanted.as_str()),
            )),
            _ => Err(Error::new(
                ErrorKind::UnknownMethod,
                format!(
                    "APIVersions has no method {method} taking {} arguments",
                    args.len()
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    // The examples of the items' documentation, from when the module was public.

    #[test]
    fn parse_api_versions_example() {
        use crate::render::parse_api_versions;
        let flags = vec![
            "monitoring.coreos.com/v1, v1/ConfigMap".to_string(),
            "apps/v1/Deployment".into(),
        ];
        assert_eq!(
            parse_api_versions(&flags).unwrap(),
            [
                "monitoring.coreos.com/v1",
                "v1/ConfigMap",
                "apps/v1/Deployment"
            ]
        );
        assert!(parse_api_versions(&["monitoring.coreos.com v1".to_string()]).is_err());
    }
}
