//! Go's `path/filepath.Match`, which Helm's `--show-only` uses to pick templates.

/// Shell-style matching as Go's `filepath.Match`: `*` and `?` never cross `/`, `[...]`
/// classes with `^`/`!` negation and ranges, `\` escapes.
///
/// Each (pattern position, name position) pair is decided once: plain backtracking takes
/// time exponential in the number of `*` (`-s '*a*a*a*…b'` is a few bytes), and
/// `--show-only` comes from command lines and Argo CD parameters.
///
/// ```
/// use qspgb_helmtext::go::filepath::matches;
/// assert!(matches("templates/*.yaml", "templates/a.yaml"));
/// assert!(!matches("templates/*", "templates/x/a.yaml"));
/// ```
pub fn matches(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let mut memo = vec![None; (p.len() + 1) * (n.len() + 1)];
    Glob {
        p: &p,
        n: &n,
        memo: &mut memo,
    }
    .from(0, 0)
}

/// A pattern and a name being matched, with what is known of each pair of positions.
struct Glob<'a> {
    p: &'a [char],
    n: &'a [char],
    memo: &'a mut [Option<bool>],
}

impl Glob<'_> {
    fn from(&mut self, pi: usize, ni: usize) -> bool {
        let slot = pi * (self.n.len() + 1) + ni;
        if let Some(known) = self.memo[slot] {
            return known;
        }
        let (p, n) = (&self.p[pi..], &self.n[ni..]);
        let result = match p.first() {
            None => n.is_empty(),
            Some('*') => (0..=n.len())
                .take_while(|&i| i == 0 || n[i - 1] != '/')
                .any(|i| self.from(pi + 1, ni + i)),
            Some('?') => matches!(n.first(), Some(c) if *c != '/') && self.from(pi + 1, ni + 1),
            Some('[') => match n.first() {
                None => false,
                Some(&c) => match class_match(&p[1..], c) {
                    Some((matched, used)) => {
                        matched && c != '/' && self.from(pi + 1 + used, ni + 1)
                    }
                    None => false,
                },
            },
            Some('\\') if p.len() > 1 => n.first() == Some(&p[1]) && self.from(pi + 2, ni + 1),
            Some(c) => n.first() == Some(c) && self.from(pi + 1, ni + 1),
        };
        self.memo[slot] = Some(result);
        result
    }
}

/// Matches `c` against a class body (after `[`); returns (matched, chars used incl. `]`).
fn class_match(p: &[char], c: char) -> Option<(bool, usize)> {
    let mut i = 0;
    let negate = matches!(p.first(), Some('^') | Some('!'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == ']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        let lo = p[i];
        if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
            if lo <= c && c <= p[i + 2] {
                matched = true;
            }
            i += 3;
        } else {
            if lo == c {
                matched = true;
            }
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn globs_follow_go_filepath_match() {
        assert!(matches("templates/*.yaml", "templates/a.yaml"));
        assert!(!matches("templates/*", "templates/x/a.yaml"));
        assert!(matches(
            "charts/*/templates/service.yaml",
            "charts/pgbouncerPharia/templates/service.yaml"
        ));
        assert!(matches("t/[a-c]?.yaml", "t/bx.yaml"));
        assert!(!matches("t/[^a-c]?.yaml", "t/bx.yaml"));
        assert!(matches("t/\\*", "t/*"));
        assert!(!matches("t/\\*", "t/a"));
    }
}
