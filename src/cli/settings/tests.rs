use super::*;

#[test]
fn kube_versions() {
    // What Helm 4.2.3 shows as .Capabilities.KubeVersion.Version for each (measured
    // with helm-python-sdk), and what it refuses.
    for (given, version) in [
        ("1.31", "v1.31"),
        ("v1.20.2", "v1.20.2"),
        ("1.31.0-rc.1", "v1.31.0-rc.1"),
        ("1.31.0.1", "v1.31.0.1"),
        ("v1.33.4+k3s1", "v1.33.4+k3s1"),
        ("1.2.3.4.5", "v1.2.3.4.5"),
        ("1.31.x", "v1.31.x"),
        ("1.31.0+", "v1.31.0+"),
        ("", DEFAULT_KUBE_VERSION),
    ] {
        assert_eq!(normalize_kube_version(given).unwrap(), version, "{given}");
    }
    for refused in [
        "one",
        "1",
        "01.31",
        "x",
        "v",
        "1..2",
        "1.99999999999999999999",
    ] {
        assert!(normalize_kube_version(refused).is_err(), "{refused}");
    }
}
