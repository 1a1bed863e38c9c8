#!/usr/bin/env python3
"""Differential cases for qspgb against real Helm: a seeded generator of values files, and
a recorder that renders each with Helm's Go SDK (PyPI's helm-python-sdk, a shared library
with a Python binding) from the reference wrapper chart of the original qs-pgbouncer.

    oracle.py record --chart DIR --seed S --count N --out DIR

writes one JSON file per case: the `helm template` arguments, the values file's text and
what Helm printed (the manifest stream, exactly as `helm template` prints it, or its error).
`oracle.py compare` renders the same cases with qspgb and compares parsed documents;
scripts/helm-oracle.sh runs both. The cases in tests/helm-oracle/corpus were recorded
this way (seed and count in its README.md), so CI compares against real Helm's output
without the upstream chart, which the project does not carry.

The generator writes YAML text itself, so YAML 1.1 scalars (`yes`, `0x1F`, `1e+06`, `~`)
reach both parsers as written. It draws keys from the upstream chart's values.yaml, from
the keys its templates read, and from qspgb's own schema, with values biased towards each
key's type but also across types, nulls that delete defaults, empty maps and unicode.
"""

import argparse
import json
import os
import random
import sys

ALIASES = ("pgbouncerPharia", "pgbouncerTemporal")

# Scalars written as they are, so that each YAML reader decides their type.
RAW_TOKENS = [
    "yes", "no", "on", "off", "y", "n", "Yes", "NO", "true", "false", "True", "~", "null",
    "0x1F", "0o17", "017", "1e3", "1e+06", "1000000", "1234567", "123456789012", "-1", "0",
    "3.0", "1.5", ".5", "1_000", "12:30", "2001-12-14", "0.1e2", "+12", "-0", "1e6",
]
STRINGS = [
    "", "a", "pgbouncer", "x-y", "my.name", "MiXeD", "with space", "Ünïcödé", "名前",
    "é" * 40, "n" * 70, "a" * 62 + "é", "1.24.1", "v0.10.2", "latest", "2", "1e6", "true",
    "registry.example.com:5000/team", "docker.io", "ghcr.io/icoretech/pgbouncer-docker",
    "trailing ", "colon: inside", "#hash", "-dash", "50%", "100m", "256Mi", "session",
]
BIG_NUMBERS = ["1000000", "1234567", "123456789", "10000000", "999999", "2147483648",
               "1e+06", "1.5e7", "12345678.5"]
SMALL_INTS = ["0", "1", "2", "3", "5", "10", "30", "100", "5432", "9127", "-1", "65535"]

LABEL_KEYS = ["prometheus.io/scrape", "prometheus.io/port", "prometheus.io/path",
              "app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component",
              "helm.sh/chart", "checksum/config", "team", "example.com/owner", "a", "release",
              "app.kubernetes.io/managed-by"]

PGBOUNCER_SETTINGS = {
    "pool_mode": ["session", "transaction", "statement"],
    "max_client_conn": SMALL_INTS + BIG_NUMBERS,
    "default_pool_size": SMALL_INTS + BIG_NUMBERS,
    "min_pool_size": SMALL_INTS,
    "reserve_pool_size": SMALL_INTS,
    "max_db_connections": SMALL_INTS + BIG_NUMBERS,
    "server_idle_timeout": SMALL_INTS + ["1.5", "600"],
    "query_wait_timeout": SMALL_INTS + ["120.5"],
    "ignore_startup_parameters": ['"extra_float_digits"', '"extra_float_digits,search_path"'],
    "server_reset_query": ['"DISCARD ALL"', '""'],
    "log_connections": ["0", "1", "true", "false", "yes"],
    "log_disconnections": ["0", "1", "true"],
    "stats_period": ["60", "1000000"],
    "server_tls_sslmode": ["disable", "require", "verify-full"],
    "application_name_add_host": ["0", "1"],
    "max_prepared_statements": ["0", "100", "200"],
    "tcp_keepalive": ["1", "0"],
    "unix_socket_dir": ['""', "/tmp"],
}

DATABASE_PARAMS = {
    "host": ['"cluster-rw"', "db.example.com", "127.0.0.1", '""'],
    "port": ["5432", "6432", '"5432"', "1e+06"],
    "dbname": ["app", '"my db"', "pharia"],
    "user": ["app", "admin"],
    "pool_mode": ["session", "transaction"],
    "pool_size": ["10", "1000000", "20"],
    "connect_query": ['"SELECT 1"'],
    "auth_user": ["pgbouncer"],
}


def quote(s):
    return json.dumps(s, ensure_ascii=False)


def emit(value, indent=0):
    """YAML text for a value built from ('raw', token) leaves, dicts and lists."""
    pad = "  " * indent
    if isinstance(value, dict):
        if not value:
            return " {}\n"
        out = "\n"
        for k, v in value.items():
            out += f"{pad}{quote(k)}:{emit(v, indent + 1)}"
        return out
    if isinstance(value, list):
        if not value:
            return " []\n"
        out = "\n"
        for item in value:
            body = emit(item, indent + 1)
            if body.startswith("\n"):
                # A map item: its first key on the dash line.
                lines = body[1:].splitlines(keepends=True)
                first = lines[0][len("  " * (indent + 1)):]
                out += f"{pad}- {first}" + "".join(lines[1:])
            else:
                out += f"{pad}-{body}"
        return out
    kind, token = value
    return f" {token}\n" if kind == "raw" else f" {quote(token)}\n"


class Generator:
    """Seeded values files for the reference wrapper chart."""

    def __init__(self, seed, upstream_values, schema):
        self.rng = random.Random(seed)
        self.upstream = upstream_values
        self.schema_paths = list(schema_leaf_paths(schema))

    def pick(self, items):
        return self.rng.choice(items)

    def scalar(self, kind=None):
        r = self.rng.random()
        # Mostly of the key's type, so that most cases pass the schema and get rendered;
        # now and then of another type or null.
        if kind == "int":
            if r < 0.65:
                return ("raw", self.pick(SMALL_INTS))
            if r < 0.96:
                return ("raw", self.pick(BIG_NUMBERS))
        elif kind == "bool":
            if r < 0.96:
                return ("raw", self.pick(["true", "false", "yes", "no", "on", "off"]))
        elif kind == "str":
            if r < 0.94:
                return ("str", self.pick(STRINGS))
        if r < 0.9:
            return ("raw", self.pick(RAW_TOKENS))
        return ("str", self.pick(STRINGS))

    def label_map(self):
        return {self.pick(LABEL_KEYS): self.scalar(self.pick(["str", "int", "bool"]))
                for _ in range(self.rng.randint(0, 3))}

    def setting_map(self, table):
        out = {}
        for name in self.rng.sample(sorted(table), self.rng.randint(1, 4)):
            out[name] = ("raw", self.pick(table[name])) if self.rng.random() < 0.85 else self.scalar()
        return out

    def special(self, path):
        """A value shaped for the key at `path`, or None for the generic generator."""
        last = path[-1]
        r = self.rng.random()
        if r < 0.1:
            return ("raw", "null")
        if path[-2:] == ("config", "pgbouncer"):
            return self.setting_map(PGBOUNCER_SETTINGS)
        if path[-2:] == ("config", "databases"):
            names = ["*", "app", "pharia-os", "Ünï", "my db"]
            return {self.pick(names): (self.setting_map(DATABASE_PARAMS) if self.rng.random() < 0.9
                                       else self.scalar("str"))
                    for _ in range(self.rng.randint(1, 3))}
        if path[-2:] == ("config", "users"):
            return {self.pick(["app", "admin", "ro"]): {"pool_mode": ("raw", self.pick(["session", "transaction"])),
                                                        "max_user_connections": self.scalar("int")}}
        if path[-2:] == ("config", "userlist"):
            return {self.pick(["app", "admin", "us\"er", "Ünï"]): self.scalar("str")
                    for _ in range(self.rng.randint(1, 3))}
        if last in ("podAnnotations", "podLabels", "annotations", "nodeSelector"):
            return self.label_map()
        if last == "imagePullSecrets":
            return [{"name": self.scalar("str")} for _ in range(self.rng.randint(0, 2))]
        if last in ("resources",):
            return {k: (self.pick([{}, ("raw", "null"), {"cpu": self.scalar("str"), "memory": ("str", "64Mi")}]))
                    for k in self.rng.sample(["limits", "requests"], self.rng.randint(1, 2))}
        if last == "extraEnvs":
            return [{"name": ("str", "FOO"), "value": self.scalar()}]
        if last == "tolerations":
            return [{"key": ("str", "k"), "operator": ("str", "Exists"), "effect": ("str", "NoSchedule")}]
        if last in ("securityContext", "podSecurityContext"):
            return self.pick([{}, {"runAsUser": self.scalar("int")}, {"privileged": self.scalar("bool")}])
        if last == "kind":
            return ("raw", self.pick(["Deployment"] * 5 + ["DaemonSet"] * 4 + ["StatefulSet"]))
        if last == "pullPolicy":
            return ("raw", self.pick(["IfNotPresent", "Always", "Never", "always"]))
        if last == "internalTrafficPolicy":
            return ("raw", self.pick(["Cluster", "Local"]))
        if last == "sslmode":
            return ("raw", self.pick(["disable", "require", "verify-full", "prefer"]))
        if last in ("extraVolumes", "extraVolumeMounts", "extraContainers", "extraInitContainers"):
            return self.pick([[], ("raw", "null"),
                              [{"name": self.scalar("str"), "mountPath": ("str", "/x"),
                                "emptyDir": {}}]])
        if last in ("command", "args"):
            return self.pick([[], ("raw", "null"), [self.scalar("str")], [self.scalar("str"), self.scalar()]])
        if last in ("existingAdminSecret", "existingUserlistSecret"):
            # Empty renders the chart's own Secret (admin password, userlist.txt).
            return ("str", self.pick(["", "", "my-secret", "pgbouncer-pharia-admin"]))
        if last in ("adminPassword", "authPassword", "adminUser", "authUser"):
            return ("str", self.pick(["secret", "pa ss", 'q"uote', "Ünï", "", "1000000", "x" * 40]))
        if last in ("nameOverride", "fullnameOverride"):
            return ("str", self.pick(STRINGS + ["pgb", "qs-pgbouncer", "abc-" + "é" * 30, "x" * 63]))
        if last in ("maxUnavailable", "minAvailable"):
            return ("raw", self.pick(["1", "0", "25%", '"50%"', "2", "1e+06"]))
        if last == "tag":
            return ("raw", self.pick(["1.24.1", "1.24", "1e6", "1000000", "v0.10.2", "latest", "~", "2", "1.5"]))
        if last == "type" and "service" in path:
            return ("raw", self.pick(["ClusterIP", "NodePort", "LoadBalancer"]))
        return None

    def value_for(self, path, default):
        shaped = self.special(path)
        if shaped is not None:
            return shaped
        if isinstance(default, bool):
            return self.scalar("bool")
        if isinstance(default, (int, float)):
            return self.scalar("int")
        if isinstance(default, str):
            return self.scalar("str")
        if isinstance(default, dict):
            if default and self.rng.random() < 0.9:
                key = self.pick(sorted(default))
                return {key: self.value_for(path + (key,), default[key])}
            return self.pick([{}, ("raw", "null"), self.label_map()])
        if isinstance(default, list):
            return self.pick([[], ("raw", "null"), [self.scalar("str")]])
        return self.scalar()

    def instance(self, alias, product_keys):
        values = {}
        if self.rng.random() < 0.08:
            values["enabled"] = ("raw", self.pick(["false", "no", "off"]))
        # Keys of qspgb's schema that the upstream chart does not have, in a tenth of the
        # cases: they switch on qspgb's own features, which Helm's chart ignores.
        use_product = self.rng.random() < 0.1
        for _ in range(self.rng.randint(1, 7)):
            if use_product and self.rng.random() < 0.3:
                path, sub = self.pick(self.schema_paths)
                if path[0] not in self.upstream:
                    product_keys.append(".".join((alias,) + path))
                    set_path(values, path, self.schema_value(path, sub))
                    continue
            key = self.pick(sorted(self.upstream))
            path, default = (key,), self.upstream[key]
            while isinstance(default, dict) and default and self.rng.random() < 0.6:
                key = self.pick(sorted(default))
                path, default = path + (key,), default[key]
            set_path(values, path, self.value_for((alias,) + path, default))
        return values

    def schema_value(self, path, sub):
        types = sub.get("type") if isinstance(sub, dict) else None
        types = types if isinstance(types, list) else [types]
        if "boolean" in types:
            return self.scalar("bool")
        if "integer" in types or "number" in types:
            return self.scalar("int")
        if "string" in types:
            enum = sub.get("enum")
            return ("str", self.pick(enum)) if enum and self.rng.random() < 0.8 else self.scalar("str")
        return self.value_for(path, {} if "object" in types else None)

    def case(self, index):
        values = {}
        product_keys = []
        for alias in ALIASES:
            if self.rng.random() < 0.85:
                values[alias] = self.instance(alias, product_keys)
        if self.rng.random() < 0.15:
            values["fullnameOverride"] = self.special(("fullnameOverride",)) or ("str", "qs")
        if self.rng.random() < 0.05:
            values["global"] = {"a": self.scalar()}
        args = {
            "release": self.pick(["my-pgbouncer"] * 6 + ["rel", "pgbouncer", "qs", "r" * 53]),
            "namespace": self.pick(["pharia-ai"] * 4 + ["default", "ns-1"]),
        }
        r = self.rng.random()
        if r < 0.1:
            args["kube_version"] = self.pick(["1.31.0", "v1.35.1", "1.31.0.1", "1.30.0", "1.36", "v1.33.4+k3s1"])
        if self.rng.random() < 0.1:
            args["api_versions"] = self.pick([["monitoring.coreos.com/v1"], ["policy/v1", "example.com/v1"]])
        return {"index": index, "args": args, "product_keys": product_keys, "values": "# generated\n" + emit(values)[1:]
                if values else "{}\n"}


def set_path(tree, path, value):
    for key in path[:-1]:
        node = tree.get(key)
        if not isinstance(node, dict):
            node = tree[key] = {}
        tree = node
    tree[path[-1]] = value


def schema_leaf_paths(schema, prefix=()):
    """(key path, schema) of a JSON schema's properties, down to leaves (qspgb's instance
    schema)."""
    for key, sub in sorted(schema.get("properties", {}).items()):
        path = prefix + (key,)
        if isinstance(sub, dict) and sub.get("properties"):
            yield from schema_leaf_paths(sub, path)
        else:
            yield path, sub


def helm_render(chart_dir, case):
    import helm_python
    from helm_python import _native

    args = case["args"]
    cfg = helm_python.Config(namespace=args["namespace"])
    chart = helm_python.Chart.load(chart_dir)
    try:
        values = helm_python.values_from_yaml(case["values"])
        opts = {"namespace": args["namespace"], "dry_run": "client", "replace": True}
        if "api_versions" in args:
            opts["api_versions"] = args["api_versions"]
        if "kube_version" in args:
            opts["kube_version"] = args["kube_version"]
        rel = json.loads(_native.call_string(
            "helm_install", cfg._raw(), _native.HANDLE(0), chart._raw(), None,
            args["release"], json.dumps(values), json.dumps(opts)))
        # What `helm template` prints: TrimSpace(rel.Manifest) + "\n".
        # A release without templates to render has no manifest at all.
        return {"manifest": rel.get("manifest", "").strip() + "\n"}
    except Exception as err:  # every Helm failure is an outcome to compare
        return {"error": str(err)}


def check_chart(chart_dir, reference):
    """Refuses a chart that is not the reference wrapper: it must print the reference
    rendering `a-defaults` byte for byte."""
    case = os.path.join(reference, "helm-4.0.2", "a-defaults", "manifests.yaml")
    with open(case, encoding="utf-8") as f:
        expected = f.read()
    got = helm_render(chart_dir, {"args": {"release": "my-pgbouncer", "namespace": "pharia-ai"},
                                  "values": "{}\n"})
    if got.get("manifest") != expected:
        sys.exit(f"{chart_dir}: not the reference wrapper chart (its rendering differs from {case})")


def load_yaml_via_helm(path):
    import helm_python
    with open(path, encoding="utf-8") as f:
        return helm_python.values_from_yaml(f.read())


# ---------------------------------------------------------------- comparison

def split_stream(text):
    """[(source, body)] of a `helm template` stream (`---\n# Source: PATH\n...`)."""
    docs = []
    for chunk in text.split("---\n# Source: ")[1:]:
        source, _, body = chunk.partition("\n")
        docs.append((source, body))
    return docs


def parse_doc(body):
    """A document as Kubernetes reads it: Helm's YAML reader (sigs.k8s.io/yaml over
    go-yaml v2, as kubectl), through the SDK; duplicate keys keep the last value."""
    import helm_python
    try:
        return helm_python.values_from_yaml(body)
    except Exception as err:
        return {"<unparsable>": str(err).splitlines()[0]}


def normalize(doc):
    """Removes the differences docs/differences.md lists, by rule."""
    template = doc.get("spec", {}).get("template", {}) if isinstance(doc.get("spec"), dict) else {}
    annotations = (template.get("metadata") or {}).get("annotations") if isinstance(template, dict) else None
    if isinstance(annotations, dict):
        for key in annotations:
            if key.startswith("checksum/"):
                annotations[key] = "<checksum>"
    if doc.get("kind") == "ConfigMap" and isinstance(doc.get("data"), dict):
        for key, text in doc["data"].items():
            if isinstance(text, str):
                doc["data"][key] = expand_go_exponents(text)
    return doc


def expand_go_exponents(text):
    """`pool_size=1e+06` -> `pool_size=1000000`: pgbouncer.ini holds whole numbers exactly
    (README: PgBouncer cannot read Go's `%g` form)."""
    def expand(token):
        if "e+" in token:
            try:
                f = float(token)
                if f == int(f):
                    return str(int(f))
            except ValueError:
                pass
        return token
    lines = []
    for line in text.split("\n"):
        words = []
        for word in line.split(" "):
            k, eq, v = word.partition("=")
            words.append(f"{k}={expand(v)}" if eq else expand(word))
        lines.append(" ".join(words))
    return "\n".join(lines)


def qspgb_render(qspgb, repo, wrapper_values, case, tmp):
    import subprocess
    values = os.path.join(tmp, "values.yaml")
    with open(values, "w", encoding="utf-8") as f:
        f.write(case["values"])
    args = case["args"]
    cmd = [qspgb, "render", args["release"], "-n", args["namespace"], "--helm-exact",
           "--include-tests", "--preset", "upstream-compat", "-f", wrapper_values,
           "-f", values]
    if "kube_version" in args:
        cmd += ["--kube-version", args["kube_version"]]
    for api in args.get("api_versions", []):
        cmd += ["--api-versions", api]
    out = subprocess.run(cmd, cwd=repo, capture_output=True, timeout=60)
    if out.returncode != 0:
        return {"error": out.stderr.decode("utf-8", "replace"), "code": out.returncode,
                "values_file": values}
    return {"manifest": out.stdout.decode("utf-8")}


def documents(manifest):
    return [(source, parse_doc(body)) for source, body in split_stream(manifest)
            if "/charts/" in source]


def compare_case(case, ours):
    """(outcome, detail): outcome is "equal", "deviation: RULE" or "divergence"."""
    helm = case["helm"]
    if "error" in helm and "error" in ours:
        return "equal", "both fail"
    if "error" in ours:
        rule = documented_refusal(ours["error"], ours["values_file"])
        if rule:
            return f"deviation: {rule}", first_error(ours["error"])
        if case.get("product_keys"):
            return "deviation: qspgb-only keys", first_error(ours["error"])
        return "divergence", "qspgb fails, Helm renders: " + ours["error"].strip()
    if "error" in helm:
        rule = documented_helm_failure(helm["error"])
        if rule:
            return f"deviation: {rule}", helm["error"].strip().splitlines()[0]
        return "divergence", "Helm fails, qspgb renders: " + helm["error"].strip()
    expected = [(s, normalize(d)) for s, d in documents(helm["manifest"])]
    actual = [(s, normalize(d)) for s, d in documents(ours["manifest"])]
    product = case.get("product_keys")
    order = lambda docs: [f'{d.get("kind")} {s}' for s, d in docs]
    if order(expected) != order(actual):
        if product:
            return "deviation: qspgb-only keys", ", ".join(product)
        return "divergence", f"documents differ:\n  helm:  {order(expected)}\n  qspgb: {order(actual)}"
    differences = []
    for (source, e), (_, a) in zip(expected, actual):
        differences += [(source, path, he, qe) for path, he, qe in leaf_differences(e, a)]
    if not differences:
        return "equal", ""
    rules = set()
    unexplained = []
    for source, path, he, qe in differences:
        rule = documented_difference(path, he, qe) or ("qspgb-only keys" if product else None)
        if rule:
            rules.add(rule)
        else:
            unexplained.append(f"  {source} {path}: helm {show(he)} | qspgb {show(qe)}")
    if unexplained:
        return "divergence", "\n".join(unexplained)
    return "deviation: " + ", ".join(sorted(rules)), ""


ABSENT = object()


def show(value):
    return "<absent>" if value is ABSENT else json.dumps(value, ensure_ascii=False)[:300]


def leaf_differences(expected, actual, path=""):
    """[(path, helm, qspgb)] down to the first level where the two differ in kind."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = []
        for key in sorted(set(expected) | set(actual), key=str):
            e, a = expected.get(key, ABSENT), actual.get(key, ABSENT)
            if e != a:
                out += leaf_differences(e, a, f"{path}.{key}")
        return out
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        out = []
        for i, (e, a) in enumerate(zip(expected, actual)):
            if e != a:
                out += leaf_differences(e, a, f"{path}[{i}]")
        return out
    return [(path, expected, actual)]


def yaml_reading(text, expected):
    """Whether a YAML 1.1 reader (Helm's, kubectl's) makes `expected` of `text` written
    plain, as a map value or as a list item (Helm interpolates values raw in both places)."""
    import helm_python
    for doc in ("x: " + text, "x:\n- " + text):
        try:
            value = helm_python.values_from_yaml(doc).get("x", ABSENT)
        except Exception:
            continue
        if value == expected or (isinstance(value, list) and value == [expected]):
            return True
    return False


def documented_difference(path, helm, ours):
    """The README row that explains one differing leaf, or None."""
    # "A value YAML would read as something else is written double-quoted where Helm
    # writes it raw": Helm's value is what its reader made of the raw text, ours the text.
    if isinstance(ours, str) and helm is not ABSENT and helm != ours:
        if yaml_reading(ours, helm):
            return "values stay strings"
    # "In the rendered userlist.txt a `"` inside a user name or password is doubled".
    if path.endswith(".data.userlist.txt") and isinstance(helm, str) and isinstance(ours, str):
        import base64
        try:
            h, o = (base64.b64decode(v).decode("utf-8") for v in (helm, ours))
        except ValueError:
            return None
        lines = [l[1:-1].split('" "', 1) for l in o.splitlines()]
        undoubled = "\n".join(f'"{u.replace(chr(34) * 2, chr(34))}" "{p.replace(chr(34) * 2, chr(34))}"'
                               for u, p in lines)
        if undoubled == h.rstrip("\n") and h != o:
            return "userlist quotes doubled"
    # "A connection parameter value with a space or `'` is written quoted".
    if path.endswith(".pgbouncer.ini") and isinstance(helm, str) and isinstance(ours, str):
        if unquote_parameters(ours) == helm:
            return "connection parameters quoted"
    # "Null entries inside the PgBouncer container's resources, the pod's
    # podSecurityContext and the probes are left out".
    if ours is ABSENT and only_nulls(helm) and (
            path.startswith(".spec.template.spec.containers[0].resources")
            or path.startswith(".spec.template.spec.securityContext")
            or path.startswith(".spec.template.spec.containers[0].readinessProbe")
            or path.startswith(".spec.template.spec.containers[0].livenessProbe")):
        return "null entries left out"
    return None


def only_nulls(value):
    if isinstance(value, dict):
        return all(only_nulls(v) for v in value.values())
    return value is None


def unquote_parameters(ini):
    """pgbouncer.ini with `key='a b'` connection parameters written raw, as Helm does."""
    import re
    return re.sub(r"='((?:[^']|'')*)'", lambda m: "=" + m.group(1).replace("''", "'"), ini)


# qspgb refusals docs/differences.md lists, recognised by their messages.
SCHEMA_MESSAGES = (": expected ", ": unknown key ", ": must be at least ", ": must be at most ")
DOCUMENTED_REFUSALS = [
    ("empty connection parameter", "the value is empty, and PgBouncer would read the next parameter"),
    ("`kind` other than Deployment/DaemonSet", 'kind must be "Deployment" or "DaemonSet"'),
]


def first_error(stderr):
    return next((l for l in stderr.splitlines() if l.startswith("error:")), stderr.strip())


def documented_refusal(stderr, values_file):
    errors = [l for l in stderr.splitlines() if l.startswith("error:")]
    # Schema findings about the case's own values (not the wrapper's or the chart's).
    if errors and all(l.startswith(f"error: {values_file}: ") and any(m in l for m in SCHEMA_MESSAGES)
                      for l in errors):
        return "values schema"
    for rule, needle in DOCUMENTED_REFUSALS:
        if needle in stderr:
            return rule
    return None


def documented_helm_failure(error):
    """Helm fails where qspgb renders, for a reason README lists."""
    # A value that changes YAML structure where Helm interpolates it raw ("values are
    # data"): Helm's own reading of the rendered document then fails.
    if "error converting YAML to JSON" in error and "UTF-8" not in error:
        return "values are data"
    return None


def compare_corpus(opts):
    import tempfile
    cases = sorted(f for f in os.listdir(opts.corpus) if f.endswith(".json"))
    counts = {}
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in cases:
            with open(os.path.join(opts.corpus, name), encoding="utf-8") as f:
                case = json.load(f)
            ours = qspgb_render(opts.qspgb, opts.repo, opts.wrapper_values, case, tmp)
            outcome, detail = compare_case(case, ours)
            key = outcome.split(":")[0]
            counts[key] = counts.get(key, 0) + 1
            if opts.verbose or outcome == "divergence":
                print(f"== {name} ({outcome})\n{case['values']}{json.dumps(case['args'])}\n{detail}\n")
            if outcome == "divergence":
                failures.append(name)
    print(f"{len(cases)} cases: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
    return 1 if failures else 0


def record_regressions(opts):
    """One corpus case `r-NAME.json` per `NAME.yaml` of `--dir`: a minimized case of a
    divergence class found by the generator, kept for good. Its first lines may say
    `# args: {JSON}` (release, namespace, kube_version, api_versions)."""
    names = sorted(f for f in os.listdir(opts.dir) if f.endswith(".yaml"))
    for name in names:
        with open(os.path.join(opts.dir, name), encoding="utf-8") as f:
            values = f.read()
        args = {"release": "my-pgbouncer", "namespace": "pharia-ai"}
        for line in values.splitlines():
            if line.startswith("# args: "):
                args.update(json.loads(line[len("# args: "):]))
        case = {"index": name[:-5], "args": args, "product_keys": [], "values": values}
        case["helm"] = helm_render(opts.chart, case)
        with open(os.path.join(opts.out, f"r-{name[:-5]}.json"), "w", encoding="utf-8") as f:
            json.dump(case, f, ensure_ascii=False, indent=1)
            f.write("\n")
    print(f"recorded {len(names)} regression cases in {opts.out}", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record", help="generate cases and record Helm's output")
    rec.add_argument("--chart", required=True, help="the reference wrapper chart (directory)")
    rec.add_argument("--schema", required=True, help="qspgb's values/pgbouncer.schema.json")
    rec.add_argument("--seed", type=int, required=True)
    rec.add_argument("--count", type=int, required=True)
    rec.add_argument("--out", required=True)
    rec.add_argument("--reference", required=True,
                     help="../shared/reference: the chart must reproduce its a-defaults case")
    reg = sub.add_parser("record-regressions",
                         help="record Helm's output for the hand-written regression cases")
    reg.add_argument("--chart", required=True)
    reg.add_argument("--dir", required=True, help="tests/helm-oracle/regressions")
    reg.add_argument("--out", required=True)
    reg.add_argument("--reference", required=True)
    cmp = sub.add_parser("compare", help="render recorded cases with qspgb and compare")
    cmp.add_argument("--corpus", required=True)
    cmp.add_argument("--qspgb", required=True, help="the qspgb binary")
    cmp.add_argument("--repo", required=True, help="the qspgb repository (values/upstream-compat.yaml)")
    cmp.add_argument("--wrapper-values", required=True, help="the reference wrapper's values.yaml")
    cmp.add_argument("--verbose", action="store_true")
    opts = parser.parse_args()
    if opts.command == "compare":
        sys.exit(compare_corpus(opts))
    if opts.command == "record-regressions":
        check_chart(opts.chart, opts.reference)
        record_regressions(opts)
        return

    check_chart(opts.chart, opts.reference)
    upstream = load_yaml_via_helm(os.path.join(opts.chart, "charts", "pgbouncer", "values.yaml"))
    with open(opts.schema, encoding="utf-8") as f:
        schema = json.load(f)
    gen = Generator(opts.seed, upstream, schema)
    os.makedirs(opts.out, exist_ok=True)
    for index in range(opts.count):
        case = gen.case(index)
        case["seed"] = opts.seed
        case["helm"] = helm_render(opts.chart, case)
        with open(os.path.join(opts.out, f"{index:04}.json"), "w", encoding="utf-8") as f:
            json.dump(case, f, ensure_ascii=False, indent=1)
            f.write("\n")
    print(f"recorded {opts.count} cases (seed {opts.seed}) in {opts.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
