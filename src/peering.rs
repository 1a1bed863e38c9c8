//! PgBouncer peering: a StatefulSet pod's own `peer_id`, from its name.
//!
//! Peered PgBouncers forward a cancel request to the peer whose `peer_id` is in its cancel
//! key. The chart's ConfigMap is every pod's, so a pod's `peer_id` comes from what only the
//! pod knows: its name, `<statefulset>-<ordinal>`, stable for a StatefulSet pod. The
//! `peer-config` init container writes `peer_id = <ordinal + 1>` for pgbouncer.ini's
//! `%include`; `[peers]` (the chart's configmap.yaml) numbers the pods the same way.

use crate::pgbouncer;

/// PgBouncer's largest `peer_id` (doc/config.md): the id is part of the cancel key.
pub const MAX_PEER_ID: u32 = 16383;

/// The `peer_id` of the StatefulSet `statefulset`'s pod `pod`: its ordinal + 1 (0 turns
/// peering off). The name must be exactly `<statefulset>-<ordinal>`, the ordinal written as
/// the StatefulSet controller writes it (decimal, no sign, no leading zero); anything else
/// is refused, as another pod's name would give this pod a wrong identity.
pub fn peer_id(statefulset: &str, pod: &str) -> Result<u32, String> {
    let not_ours = || {
        format!(
            "pod name {pod:?} is not \"{statefulset}-<ordinal>\" (a pod of the StatefulSet \
             {statefulset:?}), so it has no peer_id"
        )
    };
    if statefulset.is_empty() {
        return Err("the StatefulSet name is empty".to_string());
    }
    let ordinal = pod
        .strip_prefix(statefulset)
        .and_then(|rest| rest.strip_prefix('-'))
        .ok_or_else(not_ours)?;
    let canonical = !ordinal.is_empty()
        && ordinal.bytes().all(|b| b.is_ascii_digit())
        && (ordinal == "0" || !ordinal.starts_with('0'));
    if !canonical {
        return Err(not_ours());
    }
    match ordinal.parse::<u32>() {
        Ok(n) if n < MAX_PEER_ID => Ok(n + 1),
        _ => Err(format!(
            "pod {pod:?} has ordinal {ordinal}, but PgBouncer's peer_id (ordinal + 1) is at \
             most {MAX_PEER_ID}"
        )),
    }
}

/// The pgbouncer.ini lines the init container writes: the `peer_id` setting only.
pub fn peer_config(peer_id: u32) -> String {
    // A number is always a valid setting value; the one formatting rule is kept anyway.
    let line = pgbouncer::ini_setting("peer_id", &peer_id.to_string())
        .expect("a number is a valid pgbouncer.ini value");
    format!("{line}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ordinal_plus_one() {
        assert_eq!(peer_id("pgbouncer-pharia", "pgbouncer-pharia-0"), Ok(1));
        assert_eq!(peer_id("pgbouncer-pharia", "pgbouncer-pharia-2"), Ok(3));
        assert_eq!(
            peer_id("pgbouncer-pharia", "pgbouncer-pharia-16382"),
            Ok(16383)
        );
        // The StatefulSet's name may itself end in "-<digits>".
        assert_eq!(peer_id("pg-1", "pg-1-4"), Ok(5));
    }

    #[test]
    fn other_names_are_refused() {
        for pod in [
            "pgbouncer-pharia",
            "pgbouncer-pharia-",
            "pgbouncer-pharia-x",
            "pgbouncer-pharia-01",
            "pgbouncer-pharia-+1",
            "pgbouncer-pharia--1",
            "pgbouncer-pharia-1 ",
            "pgbouncer-pharia-1a",
            "pgbouncer-pharia-abc-1",
            "pgbouncer-pharia-7d4b9c-x2k8q",
            "pgbouncer-temporal-0",
            "pgbouncer-phari-0",
            "",
        ] {
            let err = peer_id("pgbouncer-pharia", pod).unwrap_err();
            assert!(err.contains("<ordinal>"), "{pod:?}: {err}");
        }
        assert!(peer_id("", "-0").unwrap_err().contains("empty"));
    }

    #[test]
    fn ordinals_past_the_largest_peer_id_are_refused() {
        for pod in ["s-16383", "s-99999999999999999999"] {
            let err = peer_id("s", pod).unwrap_err();
            assert!(err.contains("16383"), "{pod}: {err}");
        }
    }

    #[test]
    fn the_file_is_one_setting() {
        assert_eq!(peer_config(3), "peer_id = 3\n");
    }
}
