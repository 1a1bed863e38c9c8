//! "Did you mean": the known name closest to an unknown one, for the values schema's
//! unknown keys and PgBouncer's unknown settings alike, and [`aliases`]: the names users
//! bring from other charts and CloudNativePG for keys qspgb names differently.

pub mod aliases;

/// The candidate closest to `name`, if one is close enough to be a plausible typo: a small
/// edit distance (ignoring case), or a long shared start.
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
            // Optimal string alignment: swapping two neighbours is one edit (`tga` for `tag`).
            let distance = strsim::osa_distance(&lower, &other);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_and_prefixes() {
        assert_eq!(closest("tga", ["tag", "tags"]), Some("tag"));
        assert_eq!(
            closest("pgbouncer", ["pgbouncerPharia", "pgbouncerTemporal"]),
            Some("pgbouncerPharia")
        );
        assert_eq!(closest("", ["a"]), None);
    }

    // The examples of the items' documentation, from when the module was public.

    #[test]
    fn closest_example() {
        use crate::suggest::closest;
        let keys = ["replicaCount", "revisionHistoryLimit", "resources"];
        assert_eq!(closest("replicaCont", keys), Some("replicaCount"));
        assert_eq!(closest("Resources", keys), Some("resources"));
        assert_eq!(closest("replicas", keys), Some("replicaCount"));
        assert_eq!(closest("zzz", keys), None);
    }
}
