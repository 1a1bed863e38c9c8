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
//! | `ARGOCD_APP_PARAMETERS` | parameters, see [`PARAMETERS`] |
//! | `PARAM_<NAME>` | the string and array parameters, when `ARGOCD_APP_PARAMETERS` is absent |
//!
//! Building an argument list (rather than settings) means the plugin and the command line
//! share one parser and one set of checks. What no `render` flag expresses (inline values,
//! missing values files, the pinned version) travels beside it in [`Request`].

use anyhow::{Context, Result, bail};

use crate::value::Value;
use crate::yaml;

/// Every parameter the plugin takes: its name, its Argo CD collection type, and what it
/// does. deploy/argocd/plugin.yaml announces exactly these, and docs/argocd.md documents
/// them (both checked by tests).
pub const PARAMETERS: [(&str, &str, &str); 9] = [
    (
        "values",
        "array",
        "values files, relative to the source directory; later files win (`-f`)",
    ),
    (
        "values-inline",
        "string",
        "values as YAML text, applied after every values file (as Argo CD's Helm `values`/`valuesObject`)",
    ),
    (
        "ignore-missing-values-files",
        "string",
        "`true`: a values file that does not exist is skipped with a warning (as Argo CD's Helm `ignoreMissingValueFiles`); else it is an error",
    ),
    ("set", "map", "values to set, path = value (`--set`)"),
    (
        "set-string",
        "map",
        "values to set as strings (`--set-string`)",
    ),
    ("preset", "string", "a preset's defaults (`--preset`)"),
    (
        "hook-style",
        "string",
        "`helm` or `argocd` hook annotations (`--hook-style`)",
    ),
    (
        "namespace-in-manifests",
        "string",
        "`true`: write metadata.namespace (`--namespace-in-manifests`)",
    ),
    (
        "version",
        "string",
        "the qspgb version this Application was written for (`0.10.1` or `v0.10.1`); generate fails when the plugin runs another",
    ),
];

/// A generate run as the environment asks for it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    /// The `qspgb render ...` arguments (without the program name).
    pub args: Vec<String>,
    /// Parameter `values-inline`: YAML text, merged after every values file.
    pub inline_values: Option<String>,
    /// Parameter `ignore-missing-values-files`.
    pub ignore_missing_values_files: bool,
    /// Parameter `version`: the qspgb version the Application pins.
    pub version: Option<String>,
}

/// Builds the `qspgb render ...` arguments (without the program name) for an Argo CD
/// generate run: [`request`]'s arguments.
pub fn render_args(
    env: &dyn Fn(&str) -> Option<String>,
    all_env: &[(String, String)],
) -> Result<Vec<String>> {
    Ok(request(env, all_env)?.args)
}

/// Reads a generate run from the environment. `env` looks up one variable; `all_env` lists
/// every variable (for `PARAM_*`). Render flags from `ARGOCD_ENV_QSPGB_ARGS` come last, so
/// they win.
pub fn request(
    env: &dyn Fn(&str) -> Option<String>,
    all_env: &[(String, String)],
) -> Result<Request> {
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
    let mut request = match env("ARGOCD_APP_PARAMETERS").filter(|s| !s.trim().is_empty()) {
        Some(json) => parameters(&json)?,
        None => param_env(all_env)?,
    };
    args.append(&mut request.args);
    if let Some(extra) = env("ARGOCD_ENV_QSPGB_ARGS") {
        args.extend(split_words(&extra).context("ARGOCD_ENV_QSPGB_ARGS")?);
    }
    request.args = args;
    Ok(request)
}

/// The parameters of `ARGOCD_APP_PARAMETERS` JSON (a list of `{name, string|array|map}`).
fn parameters(json: &str) -> Result<Request> {
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
    let mut request = Request::default();
    for (i, param) in params.iter().enumerate() {
        let at = format!("ARGOCD_APP_PARAMETERS[{i}]");
        let Some(name) = param.path("name").and_then(Value::as_str) else {
            bail!("{at}: expected an object with a string \"name\"");
        };
        let Some((_, kind, _)) = PARAMETERS.iter().find(|(known, _, _)| *known == name) else {
            let known: Vec<&str> = PARAMETERS.iter().map(|(n, _, _)| *n).collect();
            bail!(
                "{at}: unknown parameter {name:?} (known: {})",
                known.join(", ")
            );
        };
        match *kind {
            "array" => {
                let Some(Value::List(files)) = param.path("array") else {
                    bail!("{at} ({name}): expected an \"array\" of values files");
                };
                for file in files {
                    let file = file
                        .as_str()
                        .with_context(|| format!("{at} ({name}): file names must be strings"))?;
                    // One word `--flag=value`: a value that starts with `-` stays a value.
                    request.args.push(format!("--values={file}"));
                }
            }
            "map" => {
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
                    request.args.push(format!("--{name}={key}={escaped}"));
                }
            }
            _ => {
                let value = param
                    .path("string")
                    .and_then(Value::as_str)
                    .with_context(|| format!("{at} ({name}): expected a \"string\""))?;
                string_parameter(&mut request, name, value)?;
            }
        }
    }
    Ok(request)
}

/// A string parameter, into `request`. Each value reaches the parser as one word
/// (`--flag=value`), so a value that starts with `-` stays a value.
fn string_parameter(request: &mut Request, name: &str, value: &str) -> Result<()> {
    let flag = |value: &str| match value {
        "true" => Ok(true),
        "false" | "" => Ok(false),
        other => bail!("parameter {name}: expected true or false, found {other:?}"),
    };
    match name {
        "hook-style" => request.args.push(format!("--hook-style={value}")),
        // The preset's name is checked against the chart's presets by the render.
        "preset" if !value.is_empty() => request.args.push(format!("--preset={value}")),
        "namespace-in-manifests" => request
            .args
            .extend(flag(value)?.then(|| "--namespace-in-manifests".to_string())),
        "ignore-missing-values-files" => request.ignore_missing_values_files = flag(value)?,
        "values-inline" if !value.trim().is_empty() => {
            one_document(value)?;
            request.inline_values = Some(value.to_string());
        }
        "version" if !value.is_empty() => request.version = Some(value.to_string()),
        _ => {}
    }
    Ok(())
}

/// Refuses inline values of more than one YAML document. A values file's later documents
/// are ignored, as Helm ignores them; inline values are one map typed into an Application,
/// so a second document is a mistake to name rather than text to drop. A document marker
/// is `---` or `...` at the start of a line (YAML allows it nowhere else there); a `---`
/// before any content only starts the first document.
fn one_document(text: &str) -> Result<()> {
    let mut content = false;
    for (i, line) in text.lines().enumerate() {
        let marker = ["---", "..."].iter().any(|m| {
            line.strip_prefix(m)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
        });
        if marker && (content || line.starts_with("...")) {
            bail!(
                "parameter values-inline: line {}: a second YAML document (`---` or `...` at \
                 the start of a line); inline values are one map of values",
                i + 1
            );
        }
        let blank = line.trim().is_empty() || line.trim_start().starts_with('#');
        content |= !blank && !marker;
    }
    Ok(())
}

/// The `PARAM_*` variables Argo CD also sets. Map keys lose their dots there, so only the
/// lossless ones are read: values files and the string parameters.
fn param_env(all_env: &[(String, String)]) -> Result<Request> {
    let mut files: Vec<(usize, &str)> = all_env
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("PARAM_VALUES_")?.parse().ok()?, v.as_str())))
        .collect();
    files.sort();
    let mut request = Request {
        args: files
            .into_iter()
            .map(|(_, f)| format!("--values={f}"))
            .collect(),
        ..Request::default()
    };
    for (name, kind, _) in PARAMETERS {
        let var = format!("PARAM_{}", name.to_ascii_uppercase().replace('-', "_"));
        if kind == "string"
            && let Some((_, value)) = all_env.iter().find(|(k, _)| *k == var)
        {
            string_parameter(&mut request, name, value).with_context(|| var.clone())?;
        }
    }
    Ok(request)
}

/// Checks the parameter `version` against this binary's: `0.10.1` and `v0.10.1` both match
/// version 0.10.1. A mismatch names both and how to pin by plugin name instead.
pub fn check_version(pinned: &str, running: &str) -> Result<()> {
    if pinned.strip_prefix('v').unwrap_or(pinned) == running {
        return Ok(());
    }
    bail!(
        "parameter version: this Application pins qspgb {pinned}, but the plugin runs qspgb \
         {running}; point spec.source.plugin.name at the plugin of that version \
         (qspgb-v{}), or change the parameter",
        pinned.strip_prefix('v').unwrap_or(pinned)
    )
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

    fn request_of(vars: &[(&str, &str)]) -> Result<Request> {
        let all: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let lookup = |name: &str| all.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        request(&lookup, &all)
    }

    /// Each string parameter, from the JSON and from its `PARAM_*` variable alike.
    #[test]
    fn string_parameters_from_json_and_param_variables() {
        let cases: [(&str, &str, Request); 5] = [
            (
                "values-inline",
                "a: 1\n",
                Request {
                    inline_values: Some("a: 1\n".into()),
                    ..Request::default()
                },
            ),
            (
                "ignore-missing-values-files",
                "true",
                Request {
                    ignore_missing_values_files: true,
                    ..Request::default()
                },
            ),
            (
                "version",
                "v0.9.0",
                Request {
                    version: Some("v0.9.0".into()),
                    ..Request::default()
                },
            ),
            (
                "preset",
                "upstream-compat",
                Request {
                    args: vec!["--preset=upstream-compat".into()],
                    ..Request::default()
                },
            ),
            (
                "hook-style",
                "argocd",
                Request {
                    args: vec!["--hook-style=argocd".into()],
                    ..Request::default()
                },
            ),
        ];
        let base = ["render", "a", "--fail-if-empty"].map(String::from);
        for (name, value, expected) in cases {
            let json = serde_json::json!([{"name": name, "string": value}]).to_string();
            let var = format!("PARAM_{}", name.to_ascii_uppercase().replace('-', "_"));
            for env in [
                vec![
                    ("ARGOCD_APP_NAME", "a"),
                    ("ARGOCD_APP_PARAMETERS", json.as_str()),
                ],
                vec![("ARGOCD_APP_NAME", "a"), (var.as_str(), value)],
            ] {
                let mut got = request_of(&env).unwrap();
                assert!(got.args.starts_with(&base), "{got:?}");
                got.args.drain(..base.len());
                assert_eq!(got, expected, "{env:?}");
            }
        }
        let e = request_of(&[
            ("ARGOCD_APP_NAME", "a"),
            ("PARAM_IGNORE_MISSING_VALUES_FILES", "yes"),
        ])
        .unwrap_err();
        assert!(format!("{e:#}").contains("expected true or false"), "{e:#}");
    }

    #[test]
    fn inline_values_are_one_document() {
        for ok in [
            "a: 1\n",
            "---\na: 1\n",
            "# c\n--- # first\na: 1\n",
            "a: |\n  ---\n  ...\n",
            "a: '---'\nb: ---x\n",
        ] {
            assert!(one_document(ok).is_ok(), "{ok:?}");
        }
        for bad in [
            "a: 1\n---\nb: 2\n",
            "a: 1\n...\n",
            "...\n",
            "a: 1\n--- b: 2\n",
        ] {
            let e = one_document(bad).unwrap_err().to_string();
            assert!(e.contains("a second YAML document"), "{bad:?}: {e}");
        }
    }

    #[test]
    fn versions_match_with_or_without_a_v() {
        assert!(check_version("0.9.0", "0.9.0").is_ok());
        assert!(check_version("v0.9.0", "0.9.0").is_ok());
        for other in ["0.8.0", "v0.9", "0.9.0.1", "vv0.9.0", ""] {
            let e = check_version(other, "0.9.0").unwrap_err().to_string();
            assert!(e.contains("plugin runs qspgb 0.9.0"), "{e}");
        }
    }

    #[test]
    fn words() {
        assert_eq!(
            split_words(r#" a "b c" 'd "e"' '' "#).unwrap(),
            ["a", "b c", r#"d "e""#, ""]
        );
    }
}
