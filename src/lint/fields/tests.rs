//! The probe against its oracle (the serde_json route it replaced), over every kind in
//! [`KINDS`]: each kind's object with every mutation the sweep can make (an unknown key in
//! every map, every value replaced by values of other types, and their combinations) must
//! give the same findings both ways.

mod oracle;

use k8s_openapi::api::{apps, autoscaling, batch, core, networking, policy, rbac};

use super::*;

/// The oracle's reader of a kind: the serde_json route, with the same struct as [`KINDS`].
type OracleReader = fn(serde_json::Value) -> (Report, Result<(), serde_json::Error>);

/// The same kinds as [`KINDS`], read the old way (the test fails if the tables differ).
const ORACLE: &[(&str, &str, OracleReader)] = &[
    ("v1", "ConfigMap", oracle::probe::<core::v1::ConfigMap>),
    ("v1", "Pod", oracle::probe::<core::v1::Pod>),
    ("v1", "Secret", oracle::probe::<core::v1::Secret>),
    ("v1", "Service", oracle::probe::<core::v1::Service>),
    (
        "v1",
        "ServiceAccount",
        oracle::probe::<core::v1::ServiceAccount>,
    ),
    ("apps/v1", "DaemonSet", oracle::probe::<apps::v1::DaemonSet>),
    (
        "apps/v1",
        "Deployment",
        oracle::probe::<apps::v1::Deployment>,
    ),
    (
        "apps/v1",
        "StatefulSet",
        oracle::probe::<apps::v1::StatefulSet>,
    ),
    (
        "autoscaling/v1",
        "HorizontalPodAutoscaler",
        oracle::probe::<autoscaling::v1::HorizontalPodAutoscaler>,
    ),
    (
        "autoscaling/v2",
        "HorizontalPodAutoscaler",
        oracle::probe::<autoscaling::v2::HorizontalPodAutoscaler>,
    ),
    ("batch/v1", "CronJob", oracle::probe::<batch::v1::CronJob>),
    ("batch/v1", "Job", oracle::probe::<batch::v1::Job>),
    (
        "networking.k8s.io/v1",
        "NetworkPolicy",
        oracle::probe::<networking::v1::NetworkPolicy>,
    ),
    (
        "policy/v1",
        "PodDisruptionBudget",
        oracle::probe::<policy::v1::PodDisruptionBudget>,
    ),
    (
        "rbac.authorization.k8s.io/v1",
        "ClusterRole",
        oracle::probe::<rbac::v1::ClusterRole>,
    ),
    (
        "rbac.authorization.k8s.io/v1",
        "ClusterRoleBinding",
        oracle::probe::<rbac::v1::ClusterRoleBinding>,
    ),
    (
        "rbac.authorization.k8s.io/v1",
        "Role",
        oracle::probe::<rbac::v1::Role>,
    ),
    (
        "rbac.authorization.k8s.io/v1",
        "RoleBinding",
        oracle::probe::<rbac::v1::RoleBinding>,
    ),
];

/// A pod spec with lists of structs, free-key maps, int-or-strings and quantities, its keys
/// deliberately not sorted.
const POD_SPEC: &str = "{containers: [{name: c, image: i, ports: [{name: pg, containerPort: 5432}], \
    env: [{value: b, name: A}], resources: {limits: {memory: 1Gi, cpu: 1}}, \
    readinessProbe: {tcpSocket: {port: pg}, periodSeconds: 5}}], \
    volumes: [{name: v, emptyDir: {}}], nodeSelector: {z: w}, \
    tolerations: [{key: k, operator: Exists, tolerationSeconds: 3}]}";

/// The body of a valid object of each kind (after `apiVersion`, `kind` and `metadata`).
fn body(api_version: &str, kind: &str) -> String {
    let workload = format!(
        "spec: {{selector: {{matchLabels: {{a: b}}}}, template: {{metadata: {{labels: {{a: b}}}}, spec: {POD_SPEC}}}}}"
    );
    match kind {
        "ConfigMap" => "data: {b: c, a: x}\nbinaryData: {z: YQ==}".into(),
        "Pod" => format!("spec: {POD_SPEC}"),
        "Secret" => "type: Opaque\ndata: {a: YQ==}\nstringData: {b: c}".into(),
        "Service" => "spec: {type: ClusterIP, selector: {a: b}, \
            ports: [{name: pg, port: 5432, targetPort: pg, protocol: TCP}]}"
            .into(),
        "ServiceAccount" => {
            "automountServiceAccountToken: false\nimagePullSecrets: [{name: r}]".into()
        }
        "DaemonSet" | "StatefulSet" | "Deployment" => workload,
        "HorizontalPodAutoscaler" if api_version == "autoscaling/v1" => {
            "spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: d}, \
            minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 80}"
                .into()
        }
        "HorizontalPodAutoscaler" => "spec: {scaleTargetRef: {apiVersion: apps/v1, \
            kind: Deployment, name: d}, minReplicas: 1, maxReplicas: 3, \
            metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, \
            averageUtilization: 80}}}]}"
            .into(),
        "CronJob" => format!(
            "spec: {{schedule: '* * * * *', jobTemplate: {{spec: {{template: {{spec: {POD_SPEC}}}}}}}}}"
        ),
        "Job" => format!("spec: {{backoffLimit: 1, template: {{spec: {POD_SPEC}}}}}"),
        "NetworkPolicy" => "spec: {podSelector: {matchLabels: {a: b}}, policyTypes: [Ingress], \
            ingress: [{from: [{podSelector: {}}], ports: [{protocol: TCP, port: 5432}]}]}"
            .into(),
        "PodDisruptionBudget" => {
            "spec: {maxUnavailable: 1, selector: {matchLabels: {a: b}}}".into()
        }
        "ClusterRole" | "Role" => {
            "rules: [{verbs: [get], apiGroups: [''], resources: [secrets]}]".into()
        }
        "ClusterRoleBinding" | "RoleBinding" => {
            "roleRef: {name: r, apiGroup: rbac.authorization.k8s.io, kind: Role}\n\
             subjects: [{kind: ServiceAccount, name: s, namespace: ns}]"
                .into()
        }
        other => panic!("no object for {other}: add one"),
    }
}

/// A valid object of the kind, as the reader thread has it (parsed from YAML, keys as
/// written).
fn object(api_version: &str, kind: &str) -> Value {
    let text = format!(
        "kind: {kind}\napiVersion: {api_version}\nmetadata: {{name: x, namespace: ns, \
         labels: {{b: c, a: b}}, annotations: {{c: d}}, \
         ownerReferences: [{{uid: u, apiVersion: v1, kind: K, name: o}}]}}\n{}\n",
        body(api_version, kind)
    );
    let mut documents = crate::yaml::parse_documents(&text, "test").unwrap();
    documents.remove(0)
}

/// Every node of `value` with its steps from the root, parents before children.
fn nodes(value: &Value, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(at.clone());
    match value {
        Value::Map(map) => {
            for (k, v) in map {
                at.push(Step::Key(k.clone()));
                nodes(v, at, out);
                at.pop();
            }
        }
        Value::List(items) => {
            for (i, v) in items.iter().enumerate() {
                at.push(Step::Index(i));
                nodes(v, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

fn node_mut<'a>(value: &'a mut Value, steps: &[Step]) -> &'a mut Value {
    steps.iter().fold(value, |node, step| match (node, step) {
        (Value::Map(map), Step::Key(k)) => map.get_mut(k).unwrap(),
        (Value::List(items), Step::Index(i)) => &mut items[*i],
        _ => unreachable!("the steps come from the same tree"),
    })
}

/// Two unknown keys in the map at `steps` (if it is one): one sorting before every field,
/// written last, and one sorting after, written first. Their value is one a free-key map
/// takes too (a string, base64 for a Secret's `data`), so that every map can hold them at
/// once without a type error.
fn add_unknown_keys(value: &mut Value, steps: &[Step]) {
    if let Value::Map(map) = node_mut(value, steps) {
        map.insert("AUnknown".into(), Value::String("YQ==".into()));
        map.shift_insert(0, "zUnknown".into(), Value::String("YQ==".into()));
    }
}

/// Values of every type, to put where another belongs.
fn replacements() -> Vec<Value> {
    vec![
        Value::Null,
        Value::Bool(true),
        Value::Int(7),
        Value::Int(-1),
        Value::Int(i64::MIN),
        Value::Float(1.5),
        Value::Float(f64::NAN),
        Value::Float(f64::NEG_INFINITY),
        Value::String("not-base64!".into()),
        Value::List(vec![Value::String("x".into())]),
        Value::map_of([("k", Value::String("v".into()))]),
    ]
}

/// How the sweep's findings spread, to show it exercised every class.
#[derive(Default)]
struct Seen {
    top: usize,
    nested: usize,
    in_list: usize,
    wrong_type: usize,
}

/// The probe and the oracle on `value`: the same report and the same findings.
fn same_as_oracle(read: Reader, oracle: OracleReader, kind: &str, value: &Value, seen: &mut Seen) {
    let (report, result) = read(value);
    let (expected, expected_result) = oracle(serde_json::to_value(value).unwrap());
    let context = || format!("{kind}: {}", serde_json::to_string(value).unwrap());
    assert_eq!(report.unknown, expected.unknown, "{}", context());
    assert_eq!(report.failed_at, expected.failed_at, "{}", context());
    assert_eq!(
        result.as_ref().map_err(ToString::to_string),
        expected_result.as_ref().map_err(ToString::to_string),
        "{}",
        context()
    );
    for unknown in &report.unknown {
        match unknown.path.0.as_slice() {
            [_] => seen.top += 1,
            steps if steps.iter().any(|s| matches!(s, Step::Index(_))) => seen.in_list += 1,
            _ => seen.nested += 1,
        }
    }
    seen.wrong_type += usize::from(result.is_err());
    let document = Document {
        source: "chart/templates/x.yaml".into(),
        index: 0,
        content: String::new(),
        kind: kind.into(),
        hook_events: Vec::new(),
        object: value.clone(),
    };
    let sources = [("values.yaml".to_string(), Map::default())];
    let new = findings(&document, &Probed { report, result }, &sources, false);
    let old = findings(
        &document,
        &Probed {
            report: expected,
            result: expected_result,
        },
        &sources,
        false,
    );
    assert_eq!(new, old, "{}", context());
}

#[test]
fn the_oracle_reads_the_same_kinds() {
    let new: Vec<(&str, &str)> = KINDS.iter().map(|(v, k, _)| (*v, *k)).collect();
    let old: Vec<(&str, &str)> = ORACLE.iter().map(|(v, k, _)| (*v, *k)).collect();
    assert_eq!(new, old);
}

#[test]
fn every_kind_finds_what_the_serde_json_route_found() {
    for ((api_version, kind, read), (_, _, oracle)) in KINDS.iter().zip(ORACLE) {
        let base = object(api_version, kind);
        let mut all = Vec::new();
        nodes(&base, &mut Vec::new(), &mut all);
        let mut seen = Seen::default();
        // The valid object: nothing found.
        let (report, result) = read(&base);
        assert!(
            report.unknown.is_empty() && result.is_ok(),
            "{kind}: {result:?}"
        );
        // Unknown keys in one map at a time, then in every map at once.
        let mut everywhere = base.clone();
        for steps in &all {
            let mut one = base.clone();
            add_unknown_keys(&mut one, steps);
            same_as_oracle(*read, *oracle, kind, &one, &mut seen);
            add_unknown_keys(&mut everywhere, steps);
        }
        same_as_oracle(*read, *oracle, kind, &everywhere, &mut seen);
        // Every value replaced by one of each type; and by a bool (of the wrong type nearly
        // everywhere) among the unknown keys, which are then found up to the wrong value.
        for steps in all.iter().filter(|s| !s.is_empty()) {
            for replacement in replacements() {
                let mut one = base.clone();
                *node_mut(&mut one, steps) = replacement;
                same_as_oracle(*read, *oracle, kind, &one, &mut seen);
            }
            let mut one = everywhere.clone();
            *node_mut(&mut one, steps) = Value::Bool(true);
            same_as_oracle(*read, *oracle, kind, &one, &mut seen);
        }
        // Two wrong values: which one is reported depends on the order keys are read in.
        // Pairs near and far apart (every pair would take the debug build half a minute).
        let scalars: Vec<&Vec<Step>> = all
            .iter()
            .filter(|s| !matches!(node_of(&base, s), Value::Map(_) | Value::List(_)))
            .collect();
        for (i, first) in scalars.iter().enumerate() {
            let apart = [1, 2, 3, 5, 8, 13, 21, 34];
            for second in apart.iter().filter_map(|d| scalars.get(i + d)) {
                let mut two = everywhere.clone();
                *node_mut(&mut two, first) = Value::List(Vec::new());
                *node_mut(&mut two, second) = Value::List(Vec::new());
                same_as_oracle(*read, *oracle, kind, &two, &mut seen);
            }
        }
        assert!(
            seen.top > 0 && seen.nested > 0 && seen.in_list > 0 && seen.wrong_type > 0,
            "{kind}: the sweep found top {}, nested {}, in a list {}, wrong types {}",
            seen.top,
            seen.nested,
            seen.in_list,
            seen.wrong_type
        );
    }
}

fn node_of<'a>(value: &'a Value, steps: &[Step]) -> &'a Value {
    steps.iter().fold(value, |node, step| match (node, step) {
        (Value::Map(map), Step::Key(k)) => &map[k.as_str()],
        (Value::List(items), Step::Index(i)) => &items[*i],
        _ => unreachable!("the steps come from the same tree"),
    })
}
