//! "Did you mean": the known name closest to an unknown one, for the values schema's
//! unknown keys and PgBouncer's unknown settings alike.

/// The candidate closest to `name`, if one is close enough to be a plausible typo: a small
/// edit distance (ignoring case), or a long shared start.
///
/// ```
/// # use qspgb::suggest::closest;
/// let keys = ["replicaCount", "revisionHistoryLimit", "resources"];
/// assert_eq!(closest("replicaCont", keys), Some("replicaCount"));
/// assert_eq!(closest("Resources", keys), Some("resources"));
/// assert_eq!(closest("replicas", keys), Some("replicaCount"));
/// assert_eq!(closest("zzz", keys), None);
/// ```
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if name.is_empty() {
        return None;
    }
    let lower = name.to_lowercase();
    let limit = (name.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .filter_map(|candidate| {
            let other = candidate.to_lowercase();
            let distance = edit_distance(&lower, &other);
            // A long shared start is a typo too (`replicas` for `replicaCount`,
            // `pgbouncer` for `pgbouncerPharia`).
            let shared = lower
                .chars()
                .zip(other.chars())
                .take_while(|(a, b)| a == b)
                .count();
            let prefix = shared >= 4 && shared * 4 >= lower.chars().count() * 3;
            (distance <= limit || prefix).then_some((distance, candidate))
        })
        .min_by_key(|&(distance, candidate)| (distance, candidate))
        .map(|(_, candidate)| candidate)
}

/// Edit distance over characters where swapping two neighbours counts as one edit
/// (optimal string alignment): `tga` is one typo away from `tag`.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // rows[i][j]: distance between the first i chars of a and the first j chars of b.
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
        assert_eq!(edit_distance("tga", "tag"), 1);
        assert_eq!(
            closest("pgbouncer", ["pgbouncerPharia", "pgbouncerTemporal"]),
            Some("pgbouncerPharia")
        );
        assert_eq!(closest("", ["a"]), None);
    }
}
