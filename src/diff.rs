//! Unified diffs of text, for `qspgb diff` / `render --check` (golden files in CI).
//!
//! A plain longest-common-subsequence diff over lines: rendered files are a few hundred
//! lines, so its quadratic table is small, and its output is deterministic.

/// Lines of context around each change, as `diff -u` uses.
const CONTEXT: usize = 3;

/// Largest `old × new` line product diffed line by line; beyond it the whole file is shown
/// as replaced (a bound on memory for pathological inputs).
const MAX_TABLE: usize = 25_000_000;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Same(usize, usize),
    Removed(usize),
    Added(usize),
}

/// A unified diff from `old` to `new` with `---`/`+++` headers naming them; empty when the
/// texts are equal.
///
/// ```
/// # use qspgb::diff::unified;
/// let d = unified("a\nb\nc\n", "a\nB\nc\n", "golden/x.yaml", "rendered");
/// assert!(d.contains("-b\n+B\n"));
/// assert_eq!(unified("same\n", "same\n", "a", "b"), "");
/// ```
pub fn unified(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    if old == new {
        return String::new();
    }
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let ops = edit_script(&a, &b);
    let mut out = format!("--- {old_name}\n+++ {new_name}\n");
    let changes: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, op)| !matches!(op, Op::Same(..)))
        .map(|(i, _)| i)
        .collect();
    let mut i = 0;
    while i < changes.len() {
        // Grow a hunk while the next change is within twice the context.
        let start = changes[i].saturating_sub(CONTEXT);
        let mut end = changes[i];
        while i + 1 < changes.len() && changes[i + 1] <= end + 2 * CONTEXT + 1 {
            i += 1;
            end = changes[i];
        }
        let end = (end + CONTEXT + 1).min(ops.len());
        let hunk = &ops[start..end];
        let (old_start, new_start) = position(&ops[..start]);
        let old_len = hunk.iter().filter(|o| !matches!(o, Op::Added(_))).count();
        let new_len = hunk.iter().filter(|o| !matches!(o, Op::Removed(_))).count();
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            range(old_start, old_len),
            range(new_start, new_len)
        ));
        for op in hunk {
            let (mark, line) = match *op {
                Op::Same(x, _) => (' ', a[x]),
                Op::Removed(x) => ('-', a[x]),
                Op::Added(y) => ('+', b[y]),
            };
            out.push(mark);
            out.push_str(line);
            if !line.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
        i += 1;
    }
    out
}

/// `start,len` as diff prints it (1-based; a zero-length range names the line before).
fn range(start: usize, len: usize) -> String {
    match len {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        _ => format!("{},{len}", start + 1),
    }
}

/// How many old and new lines come before an index into the edit script.
fn position(ops: &[Op]) -> (usize, usize) {
    ops.iter().fold((0, 0), |(o, n), op| match op {
        Op::Same(..) => (o + 1, n + 1),
        Op::Removed(_) => (o + 1, n),
        Op::Added(_) => (o, n + 1),
    })
}

fn edit_script(a: &[&str], b: &[&str]) -> Vec<Op> {
    // Common prefix and suffix need no table.
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a_mid, b_mid) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut ops: Vec<Op> = (0..prefix).map(|i| Op::Same(i, i)).collect();
    if a_mid.len().saturating_mul(b_mid.len()) > MAX_TABLE {
        ops.extend((0..a_mid.len()).map(|i| Op::Removed(prefix + i)));
        ops.extend((0..b_mid.len()).map(|j| Op::Added(prefix + j)));
    } else {
        // lcs[i][j]: length of the LCS of a_mid[i..] and b_mid[j..].
        let (n, m) = (a_mid.len(), b_mid.len());
        let mut lcs = vec![0u32; (n + 1) * (m + 1)];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i * (m + 1) + j] = if a_mid[i] == b_mid[j] {
                    lcs[(i + 1) * (m + 1) + j + 1] + 1
                } else {
                    lcs[(i + 1) * (m + 1) + j].max(lcs[i * (m + 1) + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && a_mid[i] == b_mid[j] {
                ops.push(Op::Same(prefix + i, prefix + j));
                i += 1;
                j += 1;
            } else if i < n && (j == m || lcs[(i + 1) * (m + 1) + j] >= lcs[i * (m + 1) + j + 1]) {
                // Removals before additions, as diff -u prints a changed line.
                ops.push(Op::Removed(prefix + i));
                i += 1;
            } else {
                ops.push(Op::Added(prefix + j));
                j += 1;
            }
        }
    }
    let (a_end, b_end) = (a.len() - suffix, b.len() - suffix);
    ops.extend((0..suffix).map(|k| Op::Same(a_end + k, b_end + k)));
    ops
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
}
