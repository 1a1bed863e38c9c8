//! What each template may produce: its declared kinds, checked against what it rendered.
//!
//! Values are data: no value may add a document to the output. The templates serialize
//! every value they write ([`super::functions`] `scalar`), and the schemas refuse line
//! breaks; this is the last line of defence behind both. Every template that renders
//! documents declares them in a comment,
//!
//! ```jinja
//! {#- emits: ServiceAccount, Role, RoleBinding -#}
//! {#- emits: Pod per instance -#}
//! {#- emits: helm test NetworkPolicy -#}
//! ```
//!
//! and a rendered file must be empty or be exactly that sequence of kinds, once (or, with
//! `per instance`, at most once per enabled instance). `helm test` declares that every
//! document is a `helm test` hook: such templates are not rendered when the output leaves
//! the test hooks out ([`crate::render::RenderContext::tests`]), and a document that is not
//! one fails the render. Anything else is an internal error: nothing is printed.

use anyhow::{Result, bail};

/// The documents a template declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emits {
    /// The kinds of one emission, in order.
    pub kinds: Vec<String>,
    /// Whether the sequence repeats once per enabled instance.
    pub per_instance: bool,
    /// Whether every document is a `helm test` hook (`emits: helm test Pod`).
    pub tests: bool,
}

/// The marker in a template's comment.
const MARKER: &str = "emits:";

impl Emits {
    /// The declaration in a template's source, if any: the first `{# ... emits: ... #}`
    /// comment. `name` is the template's path, for errors.
    pub fn parse(source: &str, name: &str) -> Result<Option<Emits>> {
        // Most of a chart's text is in partials, which declare nothing: one substring search
        // spares them the comment-by-comment walk below.
        if !source.contains(MARKER) {
            return Ok(None);
        }
        let mut rest = source;
        while let Some(start) = rest.find("{#") {
            let after = &rest[start + 2..];
            let Some(end) = after.find("#}") else {
                break;
            };
            let comment = after[..end].trim_matches(['-', ' ', '\n', '\t']);
            if let Some(declared) = comment.strip_prefix(MARKER) {
                let declared = declared.trim();
                let (declared, tests) = match declared.strip_prefix("helm test ") {
                    Some(rest) => (rest.trim(), true),
                    None => (declared, false),
                };
                let (list, per_instance) = match declared.strip_suffix("per instance") {
                    Some(list) => (list.trim(), true),
                    None => (declared, false),
                };
                let kinds: Vec<String> = list.split(',').map(|k| k.trim().to_string()).collect();
                let valid = |k: &String| {
                    k.starts_with(|c: char| c.is_ascii_uppercase())
                        && k.chars().all(|c| c.is_ascii_alphanumeric())
                };
                if kinds.is_empty() || !kinds.iter().all(valid) {
                    bail!(
                        "{name}: `emits:` must list kinds such as `Deployment` or `ServiceAccount, Role`, optionally after `helm test` and followed by `per instance`"
                    );
                }
                return Ok(Some(Emits {
                    kinds,
                    per_instance,
                    tests,
                }));
            }
            rest = &after[end + 2..];
        }
        Ok(None)
    }

    /// Checks the kinds a file rendered against the declaration; `instances` is the number
    /// of enabled instances.
    pub fn check(&self, path: &str, rendered: &[&str], instances: usize) -> Result<()> {
        let one = self.kinds.len();
        let times = rendered.len() / one;
        let most = if self.per_instance { instances } else { 1 };
        let fits = rendered.len().is_multiple_of(one)
            && times <= most
            && rendered
                .chunks(one)
                .all(|chunk| chunk.iter().eq(self.kinds.iter()));
        if !fits {
            bail!(
                "internal error: {path} rendered [{}], but its template emits [{}]{}: a value \
                 changed the structure of the output, so nothing is printed (please report this)",
                rendered.join(", "),
                self.kinds.join(", "),
                if self.per_instance {
                    format!(" at most once per instance ({instances})")
                } else {
                    String::new()
                }
            );
        }
        Ok(())
    }
}

impl Emits {
    /// Checks that a file declared `helm test` rendered only `helm test` hooks; `tests`
    /// tells, for each document, whether it is one.
    pub fn check_tests(&self, path: &str, tests: impl IntoIterator<Item = bool>) -> Result<()> {
        if self.tests && !tests.into_iter().all(|test| test) {
            bail!(
                "internal error: {path} rendered a document that is not a `helm test` hook, but \
                 its template declares `emits: helm test ...`: nothing is printed (please report this)"
            );
        }
        Ok(())
    }
}

/// A rendered file of a template without a declaration must be empty.
pub fn check_undeclared(path: &str, rendered: &[&str]) -> Result<()> {
    if rendered.is_empty() {
        return Ok(());
    }
    bail!(
        "internal error: {path} rendered [{}], but its template declares no `{{#- emits: ... -#}}`: \
         nothing is printed",
        rendered.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequences_repeat_only_per_instance() {
        let rbac = Emits::parse("{#- emits: ServiceAccount, Role, RoleBinding -#}", "t")
            .unwrap()
            .unwrap();
        assert!(rbac.check("p", &[], 2).is_ok());
        assert!(
            rbac.check("p", &["ServiceAccount", "Role", "RoleBinding"], 2)
                .is_ok()
        );
        assert!(rbac.check("p", &["ServiceAccount", "Role"], 2).is_err());
        assert!(
            rbac.check(
                "p",
                &["ServiceAccount", "Role", "RoleBinding", "Namespace"],
                2
            )
            .is_err()
        );
        let pods = Emits::parse("{# emits: Pod per instance #}", "t")
            .unwrap()
            .unwrap();
        assert!(pods.check("p", &["Pod", "Pod"], 2).is_ok());
        assert!(pods.check("p", &["Pod", "Pod", "Pod"], 2).is_err());
        assert!(pods.check("p", &["Pod", "Namespace"], 2).is_err());
        let one = Emits::parse("{#- emits: ConfigMap -#}", "t")
            .unwrap()
            .unwrap();
        assert!(one.check("p", &["ConfigMap", "ConfigMap"], 2).is_err());
        assert!(check_undeclared("p", &["Namespace"]).is_err());
        assert!(Emits::parse("{#- emits: not a kind -#}", "t").is_err());
    }

    #[test]
    fn helm_test_declares_test_hooks_only() {
        let tests = Emits::parse("{#- emits: helm test Pod per instance -#}", "t")
            .unwrap()
            .unwrap();
        assert_eq!(
            (tests.kinds.clone(), tests.per_instance, tests.tests),
            (vec!["Pod".to_string()], true, true)
        );
        assert!(tests.check_tests("p", [true, true]).is_ok());
        assert!(tests.check_tests("p", [true, false]).is_err());
        let plain = Emits::parse("{#- emits: Pod -#}", "t").unwrap().unwrap();
        assert!(!plain.tests);
        assert!(plain.check_tests("p", [false]).is_ok());
        assert!(Emits::parse("{#- emits: helm test -#}", "t").is_err());
    }

    // The examples of the items' documentation, from when the module was public.

    #[test]
    fn parse_example() {
        use crate::render::emits::Emits;
        let e = Emits::parse("{#- emits: Pod per instance -#}\n...", "t.yaml")
            .unwrap()
            .unwrap();
        assert_eq!((e.kinds, e.per_instance), (vec!["Pod".to_string()], true));
        assert!(Emits::parse("kind: Pod", "t.yaml").unwrap().is_none());
    }
}
