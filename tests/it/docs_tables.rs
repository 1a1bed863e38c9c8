//! The reference tables of docs/argocd.md and docs/gitops.md, checked against what the
//! binary takes: the parameters generate accepts, the variables it reads, and the flags
//! `--help` shows. A table that drifts from the code fails here.

use std::collections::BTreeSet;
use std::path::Path;

use crate::util::{qspgb, stdout};

fn doc(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("docs")
            .join(name),
    )
    .unwrap_or_else(|e| panic!("docs/{name}: {e}"))
}

/// The rows of the Markdown table right below `heading` (a `## ` line): each row's cells,
/// trimmed, header and separator left out.
fn table_after(text: &str, heading: &str) -> Vec<Vec<String>> {
    let start = text
        .find(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("no heading {heading:?}"));
    text[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|row| {
            row.trim_matches('|')
                .split(" | ")
                .map(|cell| cell.trim().to_string())
                .collect()
        })
        .collect()
}

/// `` `text` `` without its backticks.
fn code(cell: &str) -> &str {
    cell.trim_matches('`')
}

#[test]
fn the_argocd_parameter_table_is_the_list_generate_takes() {
    let rows = table_after(&doc("argocd.md"), "## Parameters");
    let documented: Vec<(&str, &str)> = rows.iter().map(|r| (code(&r[0]), r[1].as_str())).collect();
    let taken: Vec<(&str, &str)> = qspgb::ARGOCD_PARAMETERS
        .iter()
        .map(|(name, kind, _)| (*name, *kind))
        .collect();
    assert_eq!(documented, taken);
}

#[test]
fn the_argocd_variable_table_is_what_generate_reads() {
    let rows = table_after(&doc("argocd.md"), "## What generate reads");
    let documented: BTreeSet<String> = rows.iter().map(|r| code(&r[0]).to_string()).collect();
    let source =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/argocd.rs"))
            .unwrap();
    // Every variable the code looks up by name is documented ...
    let read: BTreeSet<String> = source
        .split("env(\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(String::from)
        .collect();
    assert!(read.len() >= 8, "{read:?}");
    for var in &read {
        assert!(documented.contains(var), "docs/argocd.md lacks {var}");
    }
    // ... and every documented one is read (PARAM_<NAME> by its prefix).
    for var in &documented {
        let needle = var.strip_suffix("<NAME>").unwrap_or(var);
        assert!(
            source.contains(&format!("\"{needle}")),
            "docs/argocd.md documents {var}, which src/argocd.rs does not read"
        );
    }
}

#[test]
fn the_gitops_flag_table_matches_help() {
    let rows = table_after(&doc("gitops.md"), "## Flags");
    let cli = qspgb::command();
    let longs = |name: &str| -> BTreeSet<String> {
        cli.find_subcommand(name)
            .unwrap()
            .get_arguments()
            .filter_map(|a| a.get_long().map(String::from))
            .collect()
    };
    let mut documented_render = BTreeSet::new();
    for row in &rows {
        let command = code(&row[0]);
        let flag = code(&row[1]).split(' ').next().unwrap().to_string();
        let help = stdout(&qspgb(&[command, "--help"]));
        let shown = match flag.strip_prefix("--") {
            Some(long) => {
                if command == "render" {
                    documented_render.insert(long.to_string());
                }
                format!("--{long}")
            }
            None => format!("<{flag}>"),
        };
        assert!(
            help.contains(&shown),
            "docs/gitops.md: `qspgb {command} --help` does not show {shown}"
        );
    }
    // The table lists exactly the flags render has beyond diff's.
    let render_only: BTreeSet<String> = longs("render")
        .difference(&longs("diff"))
        .cloned()
        .collect();
    assert_eq!(documented_render, render_only);
}
