//! go-yaml v2's key order for maps (`keyList.Less` and the sort that uses it).

use crate::value::{Map, Value};

/// go-yaml v2's `keyList.Less` for two string keys: a "natural" order in which letters
/// sort after non-letters and digit runs compare as numbers.
pub(super) fn key_less(a: &str, b: &str) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    // Go's unicode.IsDigit accepts every Nd digit but then computes `r - '0'`; only ASCII
    // digits make sense there, and only they are treated as digits here.
    let is_digit = |c: char| c.is_ascii_digit();
    for i in 0..ar.len().min(br.len()) {
        let (ac, bc) = (ar[i], br[i]);
        if ac == bc {
            continue;
        }
        // Go asks unicode.IsLetter (category L); Rust's Alphabetic is the same for
        // everything but a few marks and letter-like numbers.
        let (al, bl) = (ac.is_alphabetic(), bc.is_alphabetic());
        if al && bl {
            return ac < bc;
        }
        if al || bl {
            return bl;
        }
        // Both non-letters: compare the digit runs starting here as numbers. Go's quirk:
        // when a differing rune is '0' inside a number with a non-zero digit before it, both
        // runs count from 1, so that the zero is not taken for a leading zero.
        let (mut an, mut bn) = (0i64, 0i64);
        if ac == '0' || bc == '0' {
            for &c in ar[..i].iter().rev().take_while(|&&c| is_digit(c)) {
                if c != '0' {
                    (an, bn) = (1, 1);
                    break;
                }
            }
        }
        // Go's int64 arithmetic wraps on very long runs.
        let run = |s: &[char], mut n: i64| {
            let len = s[i..].iter().take_while(|&&c| is_digit(c)).count();
            for &c in &s[i..i + len] {
                n = n.wrapping_mul(10).wrapping_add(i64::from(c as u8 - b'0'));
            }
            (n, i + len)
        };
        let ((an, ai), (bn, bi)) = (run(&ar, an), run(&br, bn));
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ac < bc;
    }
    ar.len() < br.len()
}

/// Map entries in go-yaml's key order. The order is not quite transitive for odd keys,
/// so the algorithm matters: Go's `sort.Sort` uses insertion sort for up to 12 elements,
/// which we copy exactly; longer maps get a binary insertion sort, which (unlike
/// `slice::sort_by`) cannot panic on an inconsistent order.
pub(super) fn sorted_entries(m: &Map) -> Vec<(&String, &Value)> {
    let mut out: Vec<(&String, &Value)> = Vec::with_capacity(m.len());
    for entry in m {
        let not_after = |e: &(&String, &Value)| !key_less(entry.0, e.0);
        let at = if m.len() <= 12 {
            out.iter().rposition(not_after).map_or(0, |p| p + 1)
        } else {
            out.partition_point(not_after)
        };
        out.insert(at, entry);
    }
    out
}
