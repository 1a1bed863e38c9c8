//! The Argo CD Config Management Plugin: its environment, turned into a `render` command line.
//!
//! Argo CD runs the plugin's generate command in the application's source directory with:
//!
//! | variable | becomes |
//! |---|---|
//! | `ARGOCD_APP_NAME` | release name (override: `ARGOCD_ENV_QSPGB_RELEASE_NAME`) |
//! | `ARGOCD_APP_NAMESPACE` | `--namespace` |
//! | `KUBE_VERSION` | `--kube-version` |
//! | `KUBE_API_VERSIONS` | `--api-versions` |
//! | `ARGOCD_ENV_QSPGB_VALUES` | `-f` for each file (comma or space separated, relative to the source directory) |
//! | `ARGOCD_ENV_QSPGB_ARGS` | extra `render` flags (split on spaces; `'…'` and `"…"` group) |
//! | `ARGOCD_ENV_QSPGB_ALLOW_EMPTY=true` | allow zero documents |
//! | `ARGOCD_APP_PARAMETERS` | parameters: `values` (array), `set`, `set-string` (maps), `hook-style`, `namespace-in-manifests` (strings) |
//! | `PARAM_VALUES_<n>`, `PARAM_HOOK_STYLE`, `PARAM_NAMESPACE_IN_MANIFESTS` | the same, when `ARGOCD_APP_PARAMETERS` is absent |
//!
//! Building an argument list (rather than settings) means the plugin and the command line
//! share one parser and one set of checks.

use anyhow::{Context, Result, bail};

use crate::value::Value;
use crate::yaml;

/// Builds the `qspgb render ...` arguments (without the program name) for an Argo CD
/// generate run. `env` looks up one variable; `all_env` lists every variable (for
/// `PARAM_*`). Render flags from `ARGOCD_ENV_QSPGB_ARGS` come last, so they win.
pub fn render_args(
    env: &dyn Fn(&str) -> Option<String>,
    all_env: &[(String, String)],
) -> Result<Vec<String>> {
    let release = env("ARGOCD_ENV_QSPGB_RELEASE_NAME")
        .or_else(|| env("ARGOCD_APP_NAME"))
        .filter(|s| !s.is_empty())
        .context(
            "ARGOCD_APP_NAME is not set: run this as an Argo CD plugin, or use `qspgb render`",
        )?;
    let mut args = vec!["render".to_string(), release];
    if let Some(ns) = env("ARGOCD_APP_NAMESPACE").filter(|s| !s.is_empty()) {
        args.push(format!("--namespace={ns}"));
    }
    if let Some(kv) = env("KUBE_VERSION").filter(|s| !s.is_empty()) {
        args.push(format!("--kube-version={kv}"));
    }
    if let Some(apis) = env("KUBE_API_VERSIONS").filter(|s| !s.is_empty()) {
        args.push(format!("--api-versions={apis}"));
    }
    if !env("ARGOCD_ENV_QSPGB_ALLOW_EMPTY").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        args.push("--fail-if-empty".to_string());
    }
    for file in env("ARGOCD_ENV_QSPGB_VALUES")
        .unwrap_or_default()
        .split([',', ' ', '\n'])
        .filter(|f| !f.is_empty())
    {
        args.push(format!("--values={file}"));
    }
    match env("ARGOCD_APP_PARAMETERS").filter(|s| !s.trim().is_empty()) {
        Some(json) => args.extend(parameter_args(&json)?),
        None => args.extend(param_env_args(all_env)),
    }
    if let Some(extra) = env("ARGOCD_ENV_QSPGB_ARGS") {
        args.extend(split_words(&extra).context("ARGOCD_ENV_QSPGB_ARGS")?);
    }
    Ok(args)
}

/// Flags from Argo CD's `ARGOCD_APP_PARAMETERS` JSON (a list of `{name, string|array|map}`).
pub fn parameter_args(json: &str) -> Result<Vec<String>> {
    // The parser's message quotes the text around the error, and parameters may carry
    // passwords (a `set` map): only the position is shown.
    let params = yaml::parse_json(json).map_err(|e| {
        anyhow::anyhow!(
            "{}",
            crate::redact::position_only("ARGOCD_APP_PARAMETERS is not valid JSON", &e.to_string())
        )
    })?;
    let Value::List(params) = params else {
        bail!("ARGOCD_APP_PARAMETERS: expected a JSON list of parameters");
    };
    let mut args = Vec::new();
    for (i, param) in params.iter().enumerate() {
        let at = format!("ARGOCD_APP_PARAMETERS[{i}]");
        let Some(name) = param.path("name").and_then(Value::as_str) else {
            bail!("{at}: expected an object with a string \"name\"");
        };
        match name {
            "values" => {
                let Some(Value::List(files)) = param.path("array") else {
                    bail!("{at} (values): expected an \"array\" of values files");
                };
                for file in files {
                    let file = file
                        .as_str()
                        .with_context(|| format!("{at} (values): file names must be strings"))?;
                    // One word `--flag=value`: a value that starts with `-` stays a value.
                    args.push(format!("--values={file}"));
                }
            }
            "set" | "set-string" => {
                let Some(Value::Map(entries)) = param.path("map") else {
                    bail!("{at} ({name}): expected a \"map\" of value paths to values");
                };
                for (key, value) in entries {
                    let value = match value {
                        Value::String(s) => s.clone(),
                        other => bail!(
                            "{at} ({name}): {key} must be a string, found {}",
                            other.type_name()
                        ),
                    };
                    // Argo CD passes each value whole; commas would split a --set.
                    let escaped = value.replace('\\', "\\\\").replace(',', "\\,");
                    args.push(format!("--{name}={key}={escaped}"));
                }
            }
            "hook-style" | "namespace-in-manifests" => {
                let value = param
                    .path("string")
                    .and_then(Value::as_str)
                    .with_context(|| format!("{at} ({name}): expected a \"string\""))?;
                args.extend(string_param_args(name, value)?);
            }
            other => bail!(
                "{at}: unknown parameter {other:?} (known: values, set, set-string, hook-style, namespace-in-manifests)"
            ),
        }
    }
    Ok(args)
}

fn string_param_args(name: &str, value: &str) -> Result<Vec<String>> {
    Ok(match name {
        "hook-style" => vec![format!("--hook-style={value}")],
        // The preset's name is checked against the chart's presets by the render.
        "preset" => vec![format!("--preset={value}")],
        "namespace-in-manifests" => match value {
            "true" => vec!["--namespace-in-manifests".to_string()],
            "false" | "" => Vec::new(),
            other => {
                bail!("parameter namespace-in-manifests: expected true or false, found {other:?}")
            }
        },
        _ => Vec::new(),
    })
}

/// The `PARAM_*` variables Argo CD also sets. Map keys lose their dots there, so only the
/// lossless ones are read: values files and the two string parameters.
fn param_env_args(all_env: &[(String, String)]) -> Vec<String> {
    let mut files: Vec<(usize, &str)> = all_env
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("PARAM_VALUES_")?.parse().ok()?, v.as_str())))
        .collect();
    files.sort();
    let mut args: Vec<String> = files
        .into_iter()
        .map(|(_, f)| format!("--values={f}"))
        .collect();
    for (var, name) in [
        ("PARAM_HOOK_STYLE", "hook-style"),
        ("PARAM_NAMESPACE_IN_MANIFESTS", "namespace-in-manifests"),
    ] {
        if let Some((_, value)) = all_env.iter().find(|(k, _)| k == var) {
            args.extend(string_param_args(name, value).unwrap_or_default());
        }
    }
    args
}

/// Splits a flag string on whitespace; single or double quotes group words. No variable
/// expansion or escapes: the value comes from an Application manifest, not a shell.
pub fn split_words(text: &str) -> Result<Vec<String>> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            (None, c) => {
                current.push(c);
                in_word = true;
            }
        }
    }
    if let Some(q) = quote {
        bail!("unterminated {q} quote");
    }
    if in_word {
        words.push(current);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(vars: &[(&str, &str)]) -> Result<Vec<String>> {
        let all: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let lookup = |name: &str| all.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        render_args(&lookup, &all)
    }

    #[test]
    fn the_argocd_environment_becomes_render_flags() {
        let a = args(&[
            ("ARGOCD_APP_NAME", "pgb"),
            ("ARGOCD_APP_NAMESPACE", "pharia-ai"),
            ("KUBE_VERSION", "1.31"),
            ("KUBE_API_VERSIONS", "v1,apps/v1,monitoring.coreos.com/v1"),
            ("ARGOCD_ENV_QSPGB_VALUES", "base.yaml, prod.yaml"),
            ("ARGOCD_ENV_QSPGB_ARGS", "--set 'a=b c' --no-hooks"),
            ("ARGOCD_APP_PARAMETERS", r#"[{"name":"values","array":["p.yaml"]},{"name":"set","map":{"x.y":"1,2"}},{"name":"hook-style","string":"argocd"}]"#),
        ])
        .unwrap();
        assert_eq!(
            a,
            [
                "render",
                "pgb",
                "--namespace=pharia-ai",
                "--kube-version=1.31",
                "--api-versions=v1,apps/v1,monitoring.coreos.com/v1",
                "--fail-if-empty",
                "--values=base.yaml",
                "--values=prod.yaml",
                "--values=p.yaml",
                "--set=x.y=1\\,2",
                "--hook-style=argocd",
                "--set",
                "a=b c",
                "--no-hooks"
            ]
        );
    }

    #[test]
    fn empty_output_can_be_allowed_and_param_env_is_a_fallback() {
        let a = args(&[
            ("ARGOCD_APP_NAME", "pgb"),
            ("ARGOCD_ENV_QSPGB_ALLOW_EMPTY", "true"),
            ("PARAM_VALUES_1", "b.yaml"),
            ("PARAM_VALUES_0", "a.yaml"),
            ("PARAM_NAMESPACE_IN_MANIFESTS", "true"),
        ])
        .unwrap();
        assert_eq!(
            a,
            [
                "render",
                "pgb",
                "--values=a.yaml",
                "--values=b.yaml",
                "--namespace-in-manifests"
            ]
        );
    }

    #[test]
    fn bad_environments_are_named() {
        assert!(
            args(&[])
                .unwrap_err()
                .to_string()
                .contains("ARGOCD_APP_NAME")
        );
        let e = args(&[
            ("ARGOCD_APP_NAME", "a"),
            ("ARGOCD_APP_PARAMETERS", "[{\"name\":\"nope\"}]"),
        ])
        .unwrap_err();
        assert!(e.to_string().contains("unknown parameter"), "{e}");
        let e = args(&[
            ("ARGOCD_APP_NAME", "a"),
            ("ARGOCD_APP_PARAMETERS", "{not json"),
        ])
        .unwrap_err();
        assert!(e.to_string().contains("not valid JSON"), "{e}");
        let e = args(&[
            ("ARGOCD_APP_NAME", "a"),
            ("ARGOCD_ENV_QSPGB_ARGS", "--set 'open"),
        ])
        .unwrap_err();
        assert!(format!("{e:#}").contains("unterminated"), "{e:#}");
    }

    #[test]
    fn words() {
        assert_eq!(
            split_words(r#" a "b c" 'd "e"' '' "#).unwrap(),
            ["a", "b c", r#"d "e""#, ""]
        );
    }
}
