//! Unified diffs of text, for `qspgb diff` / `render --check` (golden files in CI).
//!
//! The `similar` crate's Myers diff over lines: the output is for people, not a
//! compatibility surface, so no hand-written algorithm is needed. A time limit bounds
//! pathological inputs; past it the diff is still correct, only less minimal.

use std::time::Duration;

use similar::TextDiff;

/// Lines of context around each change, as `diff -u` uses.
const CONTEXT: usize = 3;

/// How long the diff may search for the smallest edit script of one file.
const TIMEOUT: Duration = Duration::from_secs(2);

/// A unified diff from `old` to `new` with `---`/`+++` headers naming them; empty when the
/// texts are equal.
pub fn unified(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    if old == new {
        return String::new();
    }
    let diff = TextDiff::configure().timeout(TIMEOUT).diff_lines(old, new);
    diff.unified_diff()
        .context_radius(CONTEXT)
        .header(old_name, new_name)
        .to_string()
}

/// The `---` header of a committed file: `committed: <path>`, so a reader of CI's log
/// knows which side is in Git.
pub fn committed_label(path: &str) -> String {
    format!("committed: {path}")
}

/// The `+++` header of a file of the fresh render: `fresh render: <template path>`.
pub fn fresh_label(template_path: &str) -> String {
    format!("fresh render: {template_path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks_with_context() {
        let old: String = (1..=20).map(|i| format!("{i}\n")).collect();
        let new: String = (1..=20)
            .filter(|i| *i != 18)
            .map(|i| {
                if i == 5 {
                    "five\n".to_string()
                } else {
                    format!("{i}\n")
                }
            })
            .collect();
        let d = unified(&old, &new, "old", "new");
        assert_eq!(
            d,
            "--- old\n+++ new\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n@@ -15,6 +15,5 @@\n 15\n 16\n 17\n-18\n 19\n 20\n"
        );
    }

    #[test]
    fn additions_to_empty_and_missing_newline() {
        assert_eq!(
            unified("", "a\n", "old", "new"),
            "--- old\n+++ new\n@@ -0,0 +1 @@\n+a\n"
        );
        assert_eq!(
            unified("a\n", "a", "old", "new"),
            "--- old\n+++ new\n@@ -1 +1 @@\n-a\n+a\n\\ No newline at end of file\n"
        );
    }

    #[test]
    fn close_changes_share_a_hunk() {
        let d = unified("a\nb\nc\nd\ne\n", "A\nb\nc\nd\nE\n", "o", "n");
        assert_eq!(d.matches("@@").count(), 2, "{d}");
    }

    // The examples of the items' documentation, from when the module was public.

    #[test]
    fn unified_example() {
        use crate::diff::unified;
        let d = unified("a\nb\nc\n", "a\nB\nc\n", "golden/x.yaml", "rendered");
        assert!(d.contains("-b\n+B\n"));
        assert_eq!(unified("same\n", "same\n", "a", "b"), "");
    }
}
