//! The qspgb container image (Dockerfile, scripts/image.sh): one tag everywhere, a static
//! check that refuses what cannot run in an empty image, and a Dockerfile that runs the
//! binary as the chart's non-root user.
//!
//! Building and running the image needs podman: `bash scripts/image.sh test`, which
//! `scripts/test.sh full` (CI) runs. These tests need only the checkout, git and readelf.

use std::path::Path;
use std::process::Command;

use crate::util::{render, stderr, stdout};

/// The image repository every qspgb image reference names.
const REPOSITORY: &str = "ghcr.io/qs/qspgb";

/// The crate version: the one tag the image, the chart and the docs may name.
const VERSION: &str = env!("CARGO_PKG_VERSION");

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A tag written somewhere: where, how it was written, and the tag.
#[derive(Debug, PartialEq)]
struct Tag {
    line: usize,
    form: &'static str,
    tag: String,
}

/// Every literal qspgb image tag in `text`, in the three forms the repository writes one:
/// an image reference (the repository, `:` and a tag, in YAML, Markdown, comments or code), a
/// YAML image map (`repository: ghcr.io/qs/qspgb` with a sibling `tag:`, as in
/// values/pgbouncer.yaml) and a Markdown table row of `hooks.image.tag`. A reference whose
/// tag is not written out (`ghcr.io/qs/qspgb:{}`, `:<version>`, `:$VERSION`) is a
/// placeholder, not a tag.
fn tags(text: &str) -> Vec<Tag> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let reference = format!("{REPOSITORY}:");
    for (i, line) in lines.iter().enumerate() {
        let mut rest = *line;
        while let Some(at) = rest.find(&reference) {
            rest = &rest[at + reference.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || "_.-".contains(c)))
                .unwrap_or(rest.len());
            // A sentence's full stop is not part of the tag.
            let tag = rest[..end].trim_end_matches('.');
            if !tag.is_empty() {
                found.push(Tag {
                    line: i + 1,
                    form: "image reference",
                    tag: tag.to_string(),
                });
            }
        }
        if let Some(tag) = yaml_map_tag(&lines, i) {
            found.push(Tag {
                line: tag.0,
                form: "YAML image map (repository + tag)",
                tag: tag.1,
            });
        }
        if line.trim_start().starts_with('|') && line.contains("`hooks.image.tag`") {
            // The cell after the key's: `"0.9.0"`.
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            if let Some(key) = cells.iter().position(|c| *c == "`hooks.image.tag`")
                && let Some(value) = cells.get(key + 1)
            {
                let tag = value.trim_matches(|c| c == '`' || c == '"' || c == '\'');
                if tag.starts_with(|c: char| c.is_ascii_digit()) {
                    found.push(Tag {
                        line: i + 1,
                        form: "Markdown row of hooks.image.tag",
                        tag: tag.to_string(),
                    });
                }
            }
        }
    }
    found
}

/// When line `i` is `repository: ghcr.io/qs/qspgb` in a YAML map: the line and value of
/// the `tag:` key of the same map, before or after it.
fn yaml_map_tag(lines: &[&str], i: usize) -> Option<(usize, String)> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let line = lines[i];
    let key = line.trim_start().trim_start_matches("- ");
    let value = key.strip_prefix("repository:")?;
    let value = value.split(" #").next().unwrap_or("").trim();
    if value.trim_matches(|c| c == '"' || c == '\'') != REPOSITORY {
        return None;
    }
    let own = indent(line) + (line.trim_start().len() - key.len());
    let siblings = |range: &mut dyn Iterator<Item = usize>| {
        for j in range {
            let l = lines[j];
            if l.trim().is_empty() || l.trim_start().starts_with('#') {
                continue;
            }
            if indent(l) < own {
                return None;
            }
            if indent(l) == own
                && let Some(tag) = l.trim_start().strip_prefix("tag:")
            {
                let tag = tag.split(" #").next().unwrap_or("").trim();
                return Some((
                    j + 1,
                    tag.trim_matches(|c| c == '"' || c == '\'').to_string(),
                ));
            }
        }
        None
    };
    siblings(&mut (i + 1..lines.len())).or_else(|| siblings(&mut (0..i).rev()))
}

/// Files where a tag is history or data, not a claim about this version: the changelog's
/// released sections, and the fuzzers' committed inputs (bytes replayed by
/// tests/it/fuzz_corpus.rs, whatever they say).
fn is_history_or_data(path: &str) -> bool {
    path == "CHANGELOG.md"
        || path.starts_with("fuzz/seeds/")
        || path.starts_with("fuzz/corpus/")
        || path.starts_with("fuzz/regressions/")
}

/// Every tracked file, as git lists it (untracked scratch files are nobody's claim).
fn tracked_files() -> Vec<String> {
    let out = Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(root())
        .output()
        .expect("running git ls-files: this test reads the checkout's tracked files with git");
    assert!(out.status.success(), "git ls-files: {}", stderr(&out));
    String::from_utf8(out.stdout)
        .expect("UTF-8 paths")
        .split('\0')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// The image is tagged with the crate version (scripts/image.sh), so every qspgb image tag
/// written in the repository names it: the chart's hooks.image.tag, the Argo CD sidecar,
/// README.md and docs/, the goldens (what `render` prints from hooks.image.tag), comments
/// and examples. Bump Cargo.toml's version, then every place this lists, then
/// `UPDATE_GOLDEN=1 cargo test --test it golden`.
#[test]
fn every_written_qspgb_image_tag_is_the_crate_version() {
    let mut stale = Vec::new();
    let mut checked: Vec<(String, &str)> = Vec::new();
    for path in tracked_files() {
        if is_history_or_data(&path) {
            continue;
        }
        let Ok(bytes) = std::fs::read(root().join(&path)) else {
            continue; // tracked but deleted in the work tree
        };
        let Ok(text) = String::from_utf8(bytes) else {
            continue; // not text
        };
        for tag in tags(&text) {
            if tag.tag != VERSION {
                stale.push(format!(
                    "{path}:{}: {} names qspgb {:?}",
                    tag.line, tag.form, tag.tag
                ));
            }
            checked.push((path.clone(), tag.form));
        }
    }
    assert!(
        stale.is_empty(),
        "Cargo.toml's version is {VERSION}: the image is tagged {REPOSITORY}:{VERSION} \
         (scripts/image.sh), and every tag written must be that version:\n{}\nWrite \
         {VERSION} there (goldens: UPDATE_GOLDEN=1 cargo test --test it golden).",
        stale.join("\n")
    );
    // The sweep sees each form where the repository writes it: a scanner that finds
    // nothing passes nothing.
    for (path, form) in [
        ("values/pgbouncer.yaml", "YAML image map (repository + tag)"),
        ("docs/values.md", "Markdown row of hooks.image.tag"),
        ("deploy/argocd/repo-server-patch.yaml", "image reference"),
        ("docs/install.md", "image reference"),
        ("golden/defaults.yaml", "image reference"),
    ] {
        assert!(
            checked.iter().any(|(p, f)| p == path && *f == form),
            "no {form} found in {path}: the sweep no longer sees it"
        );
    }
}

/// The scanner finds a stale tag in each form, and takes placeholders for none.
#[test]
fn the_tag_sweep_finds_each_form_and_skips_placeholders() {
    let reference = format!("image: {REPOSITORY}:0.1.0\n# see {REPOSITORY}:0.2.0.\n");
    assert_eq!(
        tags(&reference)
            .iter()
            .map(|t| (t.line, t.tag.as_str()))
            .collect::<Vec<_>>(),
        [(1, "0.1.0"), (2, "0.2.0")]
    );
    let map_after = format!(
        "hooks:\n  image:\n    repository: {REPOSITORY}\n    # why\n    tag: \"0.3.0\"\n  other:\n    tag: x\n"
    );
    assert_eq!(tags(&map_after)[0].line, 5);
    assert_eq!(tags(&map_after)[0].tag, "0.3.0");
    let map_before =
        format!("image:\n  tag: '0.4.0'\n  registry: \"\"\n  repository: \"{REPOSITORY}\"\n");
    assert_eq!(tags(&map_before)[0].tag, "0.4.0");
    let other_map = format!("a:\n  repository: {REPOSITORY}\nb:\n  tag: \"0.5.0\"\n");
    assert!(tags(&other_map).is_empty(), "{:?}", tags(&other_map));
    let row = "| `hooks.image.tag` | `\"0.6.0\"` | the version |\n";
    assert_eq!(tags(row)[0].tag, "0.6.0");
    for placeholder in [
        format!("format!(\"{REPOSITORY}:{{}}\", v)"),
        format!("tagged {REPOSITORY}:<version>"),
        format!("-t {REPOSITORY}:$VERSION"),
        format!("{REPOSITORY}@sha256:abc"),
        "| `hooks.image.tag` | the crate version |".to_string(),
    ] {
        assert!(tags(&placeholder).is_empty(), "{placeholder}");
    }
}

/// `scripts/image.sh static-check` refuses a binary that needs the dynamic loader (which
/// `ldd` cannot tell from a static-pie one: it exits 0 for both), a shared library and a
/// non-ELF file, and accepts qspgb as this build links it (crt-static, static-pie).
#[test]
fn the_static_check_refuses_what_an_empty_image_cannot_run() {
    let check = |file: &Path| {
        Command::new("bash")
            .arg(root().join("scripts/image.sh"))
            .arg("static-check")
            .arg(file)
            .output()
            .expect("run bash scripts/image.sh")
    };
    let qspgb = check(Path::new(env!("CARGO_BIN_EXE_qspgb")));
    assert!(qspgb.status.success(), "{}", stderr(&qspgb));
    assert!(stdout(&qspgb).contains("no program interpreter, no shared libraries"));

    // A dynamic executable of the system: /bin/true names its loader in PT_INTERP.
    let dynamic = check(Path::new("/bin/true"));
    assert_eq!(dynamic.status.code(), Some(1), "{}", stderr(&dynamic));
    assert!(
        stderr(&dynamic).contains("found a PT_INTERP program header"),
        "{}",
        stderr(&dynamic)
    );
    // A relative FILE is relative to where the script was started, not to the checkout.
    let relative = Command::new("bash")
        .arg(root().join("scripts/image.sh"))
        .args(["static-check", "true"])
        .current_dir("/bin")
        .output()
        .expect("run bash scripts/image.sh");
    assert!(
        stderr(&relative).contains("/bin/true: expected a static binary"),
        "{}",
        stderr(&relative)
    );
    let text = check(&root().join("Cargo.toml"));
    assert_eq!(text.status.code(), Some(1));
    assert!(stderr(&text).contains("expected an ELF executable"));
    let missing = check(&root().join("target/no-such-binary"));
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("not found"));
}

/// The Dockerfile builds offline (`FROM scratch`, no registry) an image of the binary alone
/// that runs as the user the chart runs its hooks as (runAsUser), with qspgb as entrypoint.
#[test]
fn the_dockerfile_is_the_binary_alone_run_as_the_charts_user() {
    let dockerfile = std::fs::read_to_string(root().join("Dockerfile")).unwrap();
    let instructions: Vec<&str> = dockerfile
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|l| l.starts_with(|c: char| c.is_ascii_uppercase()))
        .collect();
    let named = |keyword: &str| -> Vec<&str> {
        instructions
            .iter()
            .filter_map(|l| l.strip_prefix(keyword)?.strip_prefix(' '))
            .collect()
    };
    assert_eq!(named("FROM"), ["scratch"], "one stage, from nothing");
    assert!(named("RUN").is_empty(), "scratch has no shell to RUN in");
    assert_eq!(named("COPY"), ["qspgb /usr/local/bin/qspgb"]);
    assert_eq!(named("ENTRYPOINT"), [r#"["/usr/local/bin/qspgb"]"#]);
    let user = named("USER");
    assert_eq!(user, ["65532:65532"], "non-root");

    // The chart runs the hook Job (and its rotation CronJob) as that user, and no
    // container of the image as root (the userlist-reload sidecar runs as PgBouncer's user,
    // the pod's, to share its files).
    let uid: i64 = user[0].split(':').next().unwrap().parse().unwrap();
    let docs = render(&[]);
    let (mut hooks, mut others) = (0, 0);
    for doc in &docs {
        let kind = doc["kind"].as_str().unwrap_or("");
        let pod = match kind {
            "CronJob" => &doc["spec"]["jobTemplate"]["spec"]["template"]["spec"],
            _ => &doc["spec"]["template"]["spec"],
        };
        for container in ["containers", "initContainers"]
            .iter()
            .filter_map(|k| pod[*k].as_sequence())
            .flatten()
        {
            let image = container["image"].as_str().unwrap_or("");
            if !image.starts_with(&format!("{REPOSITORY}:")) {
                continue;
            }
            let runs_as = container["securityContext"]["runAsUser"]
                .as_i64()
                .or_else(|| pod["securityContext"]["runAsUser"].as_i64());
            let what = format!(
                "{kind} {:?}, container {:?}",
                doc["metadata"]["name"], container["name"]
            );
            assert!(
                runs_as.is_some_and(|u| u != 0),
                "{what} runs as {runs_as:?}"
            );
            if kind == "Job" || kind == "CronJob" {
                assert_eq!(runs_as, Some(uid), "{what}");
                hooks += 1;
            } else {
                others += 1;
            }
        }
    }
    assert!(
        hooks >= 2 && others >= 2,
        "qspgb containers seen: {hooks} hook, {others} other"
    );
}
