//! The documentation cannot rot: every command README.md and docs/*.md show is run (the
//! rules, by a block's info string, are in `util/docs.rs`). Here: the offline blocks, the
//! commands CI runs itself, the links, and the README's size. The blocks that need a
//! cluster run in `e2e/docs_commands.rs`, against the real API server.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use crate::util::docs::{self, Place};

/// "One screen": what qspgb is, the two set-up commands, install, a quick start per use,
/// links. Everything else belongs in docs/ or CONTRIBUTING.md.
const README_MAX_LINES: usize = 80;

#[test]
fn info_strings_are_parsed_and_typos_refused() {
    let md = "```sh\na\n```\n```sh cluster checkout exit=1\nb\n```\n```text\nc\n```\n";
    let blocks = docs::blocks_of("x.md", md).unwrap();
    assert_eq!(blocks.len(), 2);
    assert_eq!(blocks[0].place, Place::Offline);
    assert_eq!(blocks[1].place, Place::ClusterCheckout);
    assert_eq!(blocks[1].exit, 1);
    for bad in [
        "```sh clsuter\na\n```\n",
        "```bash\na\n```\n",
        "```sh ci cluster\na\n```\n",
        "```sh exit=x\na\n```\n",
        "```sh\na\n",
    ] {
        assert!(docs::blocks_of("x.md", bad).is_err(), "{bad:?}");
    }
}

#[test]
fn command_lines_join_continuations_and_drop_comments() {
    assert_eq!(
        docs::command_lines("# x\nqspgb render \\\n  -n a   # comment\n\nb\n"),
        vec!["qspgb render -n a".to_string(), "b".to_string()]
    );
}

/// git's view of the working tree, to prove a `checkout` block changed nothing.
fn git_status(root: &Path) -> Option<String> {
    let out = Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=all"])
        .current_dir(root)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).to_string())
}

#[test]
fn every_offline_command_in_the_docs_runs() {
    let root = docs::root();
    let blocks = docs::all_blocks();
    let mut failures = Vec::new();
    let mut ran = 0;
    let files: BTreeSet<String> = blocks.iter().map(|b| b.file.clone()).collect();
    for file in files {
        let scratch = docs::Scratch::new(&file);
        let path = docs::path_with(&[]);
        let home = scratch.0.join(".home");
        std::fs::create_dir_all(&home).unwrap();
        for block in blocks.iter().filter(|b| b.file == file) {
            let dir = match block.place {
                Place::Offline => scratch.0.as_path(),
                Place::Checkout => root.as_path(),
                // Run with the API server by e2e/docs_commands.rs; CI's own commands are
                // checked by the next test.
                Place::Cluster | Place::ClusterCheckout | Place::Node | Place::Ci => continue,
            };
            let before = (block.place == Place::Checkout).then(|| git_status(&root));
            let envs = [("PATH", path.clone()), ("HOME", home.clone().into())];
            if let Some(failure) = docs::run_block(block, dir, &envs) {
                failures.push(failure);
            }
            if let Some(before) = before
                && git_status(&root) != before
            {
                failures.push(format!("{}: changed the checkout", block.at()));
            }
            ran += 1;
        }
    }
    assert!(ran > 0, "no offline block found");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The non-comment lines of CI's entry point and every script below scripts/.
fn ci_lines() -> Vec<String> {
    let root = docs::root();
    let mut files = vec![root.join(".ci/run")];
    for entry in std::fs::read_dir(root.join("scripts")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "sh") {
            files.push(path);
        }
    }
    files
        .iter()
        .flat_map(|f| {
            std::fs::read_to_string(f)
                .unwrap()
                .lines()
                .map(str::trim)
                .filter(|l| !l.starts_with('#'))
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn every_ci_command_in_the_docs_is_run_by_ci() {
    let lines = ci_lines();
    let mut missing = Vec::new();
    let mut seen = 0;
    for block in docs::all_blocks().iter().filter(|b| b.place == Place::Ci) {
        for command in docs::command_lines(&block.text) {
            seen += 1;
            if !lines.iter().any(|l| l.contains(&command)) {
                missing.push(format!("{}: `{command}`", block.at()));
            }
        }
    }
    assert!(seen > 0, "the README's set-up commands are `sh ci` blocks");
    assert!(
        missing.is_empty(),
        "not a command line of .ci/run or scripts/*.sh:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_readme_fits_on_one_screen_and_shows_the_two_set_up_commands() {
    let readme = std::fs::read_to_string(docs::root().join("README.md")).unwrap();
    let lines = readme.lines().count();
    assert!(
        lines <= README_MAX_LINES,
        "README.md has {lines} lines, at most {README_MAX_LINES}: move reference material to docs/"
    );
    let blocks = docs::blocks_of("README.md", &readme).unwrap();
    let ci: Vec<String> = blocks
        .iter()
        .filter(|b| b.place == Place::Ci)
        .flat_map(|b| docs::command_lines(&b.text))
        .collect();
    assert_eq!(
        ci,
        vec!["cargo run --release -- render", "bash scripts/test.sh"],
        "the two set-up commands"
    );
    let ci_run = std::fs::read_to_string(docs::root().join(".ci/run")).unwrap();
    assert!(
        ci_run
            .lines()
            .any(|l| !l.trim_start().starts_with('#') && l.contains("bash scripts/test.sh")),
        ".ci/run calls the README's test command"
    );
}

/// GitHub's anchor for a heading: lower case, spaces to `-`, punctuation other than `-`
/// and `_` dropped.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors(markdown: &str) -> BTreeSet<String> {
    let mut in_fence = false;
    let mut set = BTreeSet::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        } else if !in_fence && line.starts_with('#') {
            set.insert(anchor(line.trim_start_matches('#')));
        }
    }
    set
}

#[test]
fn every_relative_link_in_the_docs_resolves() {
    let root = docs::root();
    let mut files = docs::documents();
    files.push("CONTRIBUTING.md".to_string());
    let mut broken = Vec::new();
    for file in &files {
        let markdown = std::fs::read_to_string(root.join(file)).unwrap();
        let base = root.join(file).parent().unwrap().to_path_buf();
        let mut rest = markdown.as_str();
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            let Some(end) = rest.find(')') else { break };
            let target = &rest[..end];
            rest = &rest[end..];
            if target.contains("://") || target.starts_with("mailto:") || target.contains(' ') {
                continue;
            }
            let (path, fragment) = target.split_once('#').unwrap_or((target, ""));
            let resolved = if path.is_empty() {
                root.join(file)
            } else {
                base.join(path)
            };
            if !resolved.exists() {
                broken.push(format!("{file}: {target}: no such file"));
                continue;
            }
            if !fragment.is_empty() && resolved.extension().is_some_and(|e| e == "md") {
                let text = std::fs::read_to_string(&resolved).unwrap();
                if !anchors(&text).contains(fragment) {
                    broken.push(format!("{file}: {target}: no such heading"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

/// `qspgb [SUBCOMMAND…] --help`, for every subcommand `qspgb --help` lists, recursively.
fn help_pages(path: &mut Vec<String>, pages: &mut Vec<(String, String)>) {
    let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
    args.push("--help");
    let out = crate::util::qspgb(&args);
    assert!(out.status.success(), "qspgb {args:?}");
    let help = crate::util::stdout(&out);
    pages.push((path.join(" "), help.clone()));
    let mut in_commands = false;
    for line in help.lines() {
        if line == "Commands:" {
            in_commands = true;
        } else if in_commands {
            let Some(name) = line
                .strip_prefix("  ")
                .and_then(|l| l.split_whitespace().next())
            else {
                break;
            };
            if name != "help" {
                path.push(name.to_string());
                help_pages(path, pages);
                path.pop();
            }
        }
    }
}

/// docs/cli-help.md is every subcommand's `--help`, so the flag reference cannot disagree
/// with the binary. After a change of the command line:
/// `UPDATE_GOLDEN=1 cargo test --test it docs_commands`.
#[test]
fn cli_help_md_is_the_help_of_every_subcommand() {
    let mut pages = Vec::new();
    help_pages(&mut Vec::new(), &mut pages);
    let mut text = String::from(
        "# Every flag\n\nEach subcommand's `--help`, as the binary prints it (checked by \
         `tests/it/docs_commands.rs`; after a change of the command line, \
         `UPDATE_GOLDEN=1 cargo test --test it docs_commands` rewrites this file). What the \
         subcommands share is in [cli.md](cli.md).\n",
    );
    for (command, help) in &pages {
        let title = if command.is_empty() {
            "qspgb".to_string()
        } else {
            format!("qspgb {command}")
        };
        text.push_str(&format!(
            "\n## {title}\n\n```text\n{}\n```\n",
            help.trim_end()
        ));
    }
    let path = docs::root().join("docs/cli-help.md");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "docs/cli-help.md differs from the binary's --help: rerun with UPDATE_GOLDEN=1 and review the diff"
    );
}
