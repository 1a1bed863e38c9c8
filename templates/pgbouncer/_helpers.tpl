{#-
  Named helpers of the pgbouncer chart. Templates import them with
  {% import "_helpers.tpl" as h %}; macros see the same Values, Chart and Release.
  Every macro returns its text without surrounding whitespace.
-#}

{#- The chart name used in labels: nameOverride, or the chart's (alias) name. -#}
{% macro name() -%}
{{ Values.nameOverride | default(Chart.Name) | trunc(63) | trimSuffix("-") }}
{%- endmacro %}

{#-
  Object name: fullnameOverride, else "<release>-<name>", or just the release name when it
  already contains the name (so release "pgbouncer" does not become "pgbouncer-pgbouncer").
-#}
{% macro fullname() -%}
{% set n = Values.nameOverride | default(Chart.Name) %}
{% if Values.fullnameOverride -%}
{{ Values.fullnameOverride | trunc(63) | trimSuffix("-") }}
{%- elif n in Release.Name -%}
{{ Release.Name | trunc(63) | trimSuffix("-") }}
{%- else -%}
{{ (Release.Name ~ "-" ~ n) | trunc(63) | trimSuffix("-") }}
{%- endif %}
{%- endmacro %}

{#- The helm.sh/chart label: "<name>-<version>". -#}
{% macro chart() -%}
{{ (Chart.Name ~ "-" ~ Chart.Version) | replace("+", "_") | trunc(63) | trimSuffix("-") }}
{%- endmacro %}

{#- Labels on every object. -#}
{% macro labels() -%}
helm.sh/chart: {{ chart() | scalar }}
{% if Chart.AppVersion %}
app.kubernetes.io/version: {{ Chart.AppVersion | quote }}
{% endif %}
{{ selectorLabels() }}
app.kubernetes.io/managed-by: {{ Release.Service | scalar }}
{%- endmacro %}

{#-
  Labels that select this instance's pods (Service, PDB, workload, anti-affinity), except
  the keys of `replaced` (the pod template's podLabels, which replace the chart's entry).
-#}
{% macro selectorLabels(replaced={}) -%}
{% if "app.kubernetes.io/name" not in replaced %}
app.kubernetes.io/name: {{ name() | scalar }}
{% endif %}
{% if "app.kubernetes.io/instance" not in replaced %}
app.kubernetes.io/instance: {{ Release.Name | scalar }}
{%- endif %}
{%- endmacro %}

{#- The ServiceAccount the pods run as. -#}
{% macro serviceAccountName() -%}
{% if Values.serviceAccount.name -%}
{{ Values.serviceAccount.name | trunc(63) | trimSuffix("-") }}
{%- else -%}
{{ fullname() }}
{%- endif %}
{%- endmacro %}

{#- "[registry/]repository:tag" of an image block. -#}
{% macro image(spec) -%}
{% if spec.registry %}{{ spec.registry }}/{% endif %}{{ spec.repository | go_s }}:{{ spec.tag | go_s }}
{%- endmacro %}

{#- The Secret holding the admin credentials: an existing one, or the one this chart renders. -#}
{% macro adminSecretName() -%}
{{ Values.config.existingAdminSecret | default(fullname() ~ "-secret") }}
{%- endmacro %}

{#- The Secret holding userlist.txt: an existing one, or the one this chart renders. -#}
{% macro userlistSecretName() -%}
{{ Values.config.existingUserlistSecret | default(fullname() ~ "-userlist-secret") }}
{%- endmacro %}

{#-
  Contents of the rendered userlist.txt: the admin (unless an existing admin Secret is used),
  the auth_user, then config.userlist in key order. One `"user" "password"` line each, in
  PgBouncer's format (a `"` doubled).
-#}
{% macro userlist() -%}
{% if not Values.config.existingAdminSecret %}
{{ userlist_line(Values.config.adminUser, Values.config.adminPassword | required("A valid .Values.config.adminPassword entry required!")) }}
{% endif %}
{% if Values.config.authUser %}
{{ userlist_line(Values.config.authUser, Values.config.authPassword | required("A valid .Values.config.authPassword entry required!")) }}
{% endif %}
{% if Values.config.userlist %}
{{ Values.config.userlist | userlist_entries }}
{% endif %}
{%- endmacro %}

{#- qspgb additions (not in upstream 4.0.2). -#}

{#- Name of the hook Job's ServiceAccount, Role, RoleBinding and NetworkPolicy. -#}
{% macro hooksName() -%}
{{ (fullname() | trunc(57) | trimSuffix("-")) ~ "-hooks" }}
{%- endmacro %}

{#-
  Name of the hook Job: named by its content (the first 10 hex digits of the sha256 of its
  spec), at most 63 characters. A Job's pod template is immutable, so with a fixed name a
  `kubectl apply` of a changed rendering would fail on it; a changed spec makes a new Job.
-#}
{% macro hooksJobName(spec) -%}
{{ (fullname() | trunc(46) | trimSuffix("-")) ~ "-hooks-" ~ (spec | sha256sum | trunc(10)) }}
{%- endmacro %}

{#- Labels of the hook objects: the chart's labels plus the hooks component. -#}
{% macro hooksLabels() -%}
{{ labels() }}
app.kubernetes.io/component: hooks
{%- endmacro %}

{#- Name of the rotation CronJob: at most 52 characters, as a CronJob's name must be. -#}
{% macro hooksRotationName() -%}
{{ (fullname() | trunc(37) | trimSuffix("-")) ~ "-hooks-rotation" }}
{%- endmacro %}

{#-
  Labels of the pods running `qspgb hooks` (hook Job and rotation CronJob): none of
  PgBouncer's selector labels.
-#}
{% macro hooksPodLabels() -%}
app.kubernetes.io/name: qspgb-hooks
app.kubernetes.io/instance: {{ Release.Name | scalar }}
app.kubernetes.io/component: hooks
{%- endmacro %}

{#-
  The `qspgb hooks` command line of the hook Job and the rotation CronJob, as a YAML list
  (one source, so the two cannot drift). The binary gets exactly the values it needs as
  --set-json, so its embedded defaults plus these give what this rendering saw.
-#}
{% macro hooksArgs() -%}
{% set instance = {
  "config": {
    "adminUser": Values.config.adminUser,
    "adminUserKey": Values.config.adminUserKey | default("adminUser"),
    "adminPasswordKey": Values.config.adminPasswordKey | default("adminPassword"),
    "existingAdminSecret": Values.config.existingAdminSecret,
    "existingUserlistSecret": Values.config.existingUserlistSecret,
  },
  "fullnameOverride": fullname() | string,
  "hooks": {
    "enabled": true,
    "sourceSecretSelector": Values.hooks.sourceSecretSelector,
    "sourceSecretNames": Values.hooks.sourceSecretNames,
    "restartOnChange": Values.hooks.restartOnChange,
  },
  "kind": Values.kind,
  "pgbouncerExporter": {"enabled": Values.pgbouncerExporter.enabled},
  "userlistReload": {"enabled": (Values.userlistReload or {}).enabled or false},
} %}
{#- With peering the workload is a StatefulSet: the hooks must patch that one. -#}
{% if peering() %}
{% set instance = dict(instance, peering={"enabled": true}) %}
{% endif %}
{% set args = [
  "hooks",
  Release.Name,
  "--namespace=" ~ Release.Namespace,
  "--instance=" ~ Chart.Name,
  "--set-json=" ~ Chart.Name ~ "=" ~ (instance | toJson),
] %}
{{ args | toYaml }}
{%- endmacro %}

{#-
  The pod template (metadata and spec) of the hook Job and of the rotation CronJob's Jobs:
  the hooks ServiceAccount, its token (the pod calls the API), non-root with a read-only
  root file system, hooksArgs(). Its labels are none of PgBouncer's selector labels, so the
  Service, PDB and anti-affinity never select these pods.
-#}
{% macro hooksPodTemplate() -%}
{% set hooks = Values.hooks %}
metadata:
  labels:
    {{- hooksPodLabels() | nindent(4) }}
spec:
  serviceAccountName: {{ hooksName() | scalar }}
  automountServiceAccountToken: true
  restartPolicy: Never
  securityContext:
    runAsNonRoot: true
    runAsUser: 65532
    runAsGroup: 65532
    seccompProfile:
      type: RuntimeDefault
{% if Values.imagePullSecrets %}
  imagePullSecrets:
    {{- Values.imagePullSecrets | toYaml | nindent(2) }}
{% endif %}
{% if hooks.nodeSelector %}
  nodeSelector:
    {{- hooks.nodeSelector | toYaml | nindent(4) }}
{% endif %}
{% if hooks.tolerations %}
  tolerations:
    {{- hooks.tolerations | toYaml | nindent(2) }}
{% endif %}
  containers:
  - name: hooks
    image: {{ image(hooks.image) | scalar }}
    imagePullPolicy: {{ hooks.image.pullPolicy | scalar }}
    args:
    {{- hooksArgs() | nindent(4) }}
{% if hooks.resources %}
    resources:
      {{- hooks.resources | toYaml | nindent(6) }}
{% endif %}
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      runAsNonRoot: true
      capabilities:
        drop:
        - ALL
{%- endmacro %}

{#-
  Fails unless the hooks have what they need: the two existing Secrets they write and the
  labels of the Secrets they read. Messages name the instance's key paths (Chart.Name is
  the alias). Returns nothing.
-#}
{% macro hooksPreconditions() -%}
{% set i = Chart.Name %}
{% if not Values.config.existingUserlistSecret %}
{{ fail(i ~ ".hooks.enabled needs " ~ i ~ ".config.existingUserlistSecret: the name of the userlist Secret the hooks write (or set " ~ i ~ ".hooks.enabled=false)") }}
{% endif %}
{% if not Values.config.existingAdminSecret %}
{{ fail(i ~ ".hooks.enabled needs " ~ i ~ ".config.existingAdminSecret: the name of the admin Secret the hooks write (or set " ~ i ~ ".hooks.enabled=false)") }}
{% endif %}
{% if Values.config.existingUserlistSecret == Values.config.existingAdminSecret %}
{{ fail(i ~ ".config.existingUserlistSecret and " ~ i ~ ".config.existingAdminSecret are both " ~ (Values.config.existingAdminSecret | quote) ~ ": the hooks write two different Secrets") }}
{% endif %}
{% set selector = Values.hooks.sourceSecretSelector %}
{% if selector is defined and selector is not none and selector is not mapping %}
{{ fail(i ~ ".hooks.sourceSecretSelector must be a map of labels, found " ~ (selector | quote)) }}
{% endif %}
{#- A `key: null` label was deleted from the product defaults: it does not count. -#}
{% set labels = selector | sorted_items | rejectattr(1, "none") | list %}
{% set names = Values.hooks.sourceSecretNames %}
{% if names is defined and names is not none and (names is string or names is mapping) %}
{{ fail(i ~ ".hooks.sourceSecretNames must be a list of Secret names, found " ~ (names | quote)) }}
{% endif %}
{% if names and labels %}
{{ fail(i ~ ".hooks.sourceSecretNames and " ~ i ~ ".hooks.sourceSecretSelector are both set: use one (set " ~ i ~ ".hooks.sourceSecretSelector to null to read the Secrets by name)") }}
{% endif %}
{% for target in [Values.config.existingUserlistSecret, Values.config.existingAdminSecret] if names and target in names %}
{{ fail(i ~ ".hooks.sourceSecretNames names " ~ (target | quote) ~ ", a Secret the hooks write (config.existingUserlistSecret / config.existingAdminSecret): the sources are the database cluster's credential Secrets") }}
{% endfor %}
{% if not names and not labels %}
{{ fail(i ~ ".hooks.enabled needs " ~ i ~ ".hooks.sourceSecretSelector: the labels of the database cluster's credential Secrets, or " ~ i ~ ".hooks.sourceSecretNames: their names (or set " ~ i ~ ".hooks.enabled=false)") }}
{% endif %}
{#- The admin Secret also holds the hooks' fingerprint key: three different keys. -#}
{% set userKey = Values.config.adminUserKey or "adminUser" %}
{% set passwordKey = Values.config.adminPasswordKey or "adminPassword" %}
{% for path, key in [["adminUserKey", userKey], ["adminPasswordKey", passwordKey]] %}
{% if key == "qspgb-hash-key" %}
{{ fail(i ~ ".config." ~ path ~ " is \"qspgb-hash-key\": the hooks keep their fingerprint key under that key of the admin Secret; choose another key") }}
{% endif %}
{% endfor %}
{% if userKey == passwordKey %}
{{ fail(i ~ ".config.adminUserKey and " ~ i ~ ".config.adminPasswordKey are both " ~ (userKey | quote) ~ ": the admin Secret needs two different keys") }}
{% endif %}
{%- endmacro %}

{#-
  A probe of the PgBouncer or exporter container (a Kubernetes Probe object, null entries
  dropped) as YAML, or nothing when it is empty. Fails unless it has exactly one handler;
  `path` is the key path for the message.
-#}
{% macro probe(path, value) -%}
{% if value is defined and value is not none and value is not mapping %}
{{ fail(path ~ " must be a Kubernetes probe (a map), found " ~ (value | quote)) }}
{% endif %}
{% set value = value | without_nulls %}
{% if value %}
{% set handlers = ["exec", "grpc", "httpGet", "tcpSocket"] | select("in", value) | list %}
{% if handlers | length != 1 %}
{{ fail(path ~ " needs exactly one handler (exec, grpc, httpGet or tcpSocket), found " ~ ((handlers | join(", ")) or "none") ~ ": set the ones you do not want to null") }}
{% endif %}
{{ value | toYaml }}
{%- endif %}
{%- endmacro %}

{#-
  The pgbouncer.ini lines qspgb derives from `logging`, `clientTLS` and `connectionBudget`, as
  (parameter, value) pairs, in this order. A parameter also under config.pgbouncer is left
  out: the explicit setting wins and no parameter is written twice. Fails naming the key
  when a value cannot be written.
-#}
{% macro derivedIniLines() -%}
{% set i = Chart.Name %}
{% set explicit = Values.config.pgbouncer or {} %}
{% set logging = Values.logging or {} %}
{% set lines = namespace(pairs=[]) %}
{% for key, param in [("connections", "log_connections"), ("disconnections", "log_disconnections"), ("poolerErrors", "log_pooler_errors")] %}
{% set value = logging[key] %}
{% if value is defined and value is not none %}
{% if value is boolean %}
{% set lines.pairs = lines.pairs + [(param, 1 if value else 0)] %}
{% elif value is integer and value in [0, 1] %}
{% set lines.pairs = lines.pairs + [(param, value)] %}
{% else %}
{{ fail(i ~ ".logging." ~ key ~ " must be true, false or null, found " ~ (value | quote)) }}
{% endif %}
{% endif %}
{% endfor %}
{% if logging.verbose is defined and logging.verbose is not none %}
{% if logging.verbose is integer and logging.verbose is not boolean and logging.verbose >= 0 %}
{% set lines.pairs = lines.pairs + [("verbose", logging.verbose)] %}
{% else %}
{{ fail(i ~ ".logging.verbose must be a whole number >= 0 (0 to 3) or null, found " ~ (logging.verbose | quote)) }}
{% endif %}
{% endif %}
{% if Values.clientTLS and Values.clientTLS.enabled %}
{% set _ = clientTLSPreconditions() %}
{% set lines.pairs = lines.pairs + [
  ("client_tls_sslmode", Values.clientTLS.sslmode),
  ("client_tls_key_file", clientTLSDir() ~ "/tls.key"),
  ("client_tls_cert_file", clientTLSDir() ~ "/tls.crt"),
] %}
{% if Values.clientTLS.caFile %}
{% set lines.pairs = lines.pairs + [("client_tls_ca_file", clientTLSDir() ~ "/ca.crt")] %}
{% endif %}
{% endif %}
{#- The connection budget (docs/connection-budget.md): fails the render when the worst case
    of server connections exceeds connectionBudget.maxServerConnections; with
    deriveMaxDbConnections it gives the max_db_connections that fits (none when the user set
    config.pgbouncer.max_db_connections, which the loop below keeps anyway). -#}
{% set budgetCap = connection_budget(Values, i) %}
{% if budgetCap is not none %}
{% set lines.pairs = lines.pairs + [("max_db_connections", budgetCap)] %}
{% endif %}
{% for param, value in lines.pairs if param not in explicit %}
{{ ini_setting(param, value, i) }}
{% endfor %}
{%- endmacro %}

{#- Where the clientTLS Secret is mounted in the PgBouncer container. -#}
{% macro clientTLSDir() -%}
/etc/pgbouncer-tls
{%- endmacro %}

{#-
  Fails unless clientTLS (when enabled) can work: a Secret name, one of PgBouncer's
  sslmodes, a CA file for verify-full (PgBouncer refuses to start without one), and an
  exporter (when enabled) that can still connect. Returns nothing.
-#}
{% macro clientTLSPreconditions() -%}
{% set i = Chart.Name %}
{% set tls = Values.clientTLS %}
{% set explicit = Values.config.pgbouncer or {} %}
{% if not tls.secretName %}
{{ fail(i ~ ".clientTLS.enabled needs " ~ i ~ ".clientTLS.secretName: the name of a kubernetes.io/tls Secret with tls.crt and tls.key (or set " ~ i ~ ".clientTLS.enabled=false)") }}
{% endif %}
{% if tls.sslmode not in ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] %}
{{ fail(i ~ ".clientTLS.sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full (PgBouncer's client_tls_sslmode), found " ~ (tls.sslmode | quote)) }}
{% endif %}
{% set sslmode = explicit.client_tls_sslmode if "client_tls_sslmode" in explicit else tls.sslmode %}
{% if sslmode == "verify-full" and not tls.caFile and "client_tls_ca_file" not in explicit %}
{{ fail(i ~ ".clientTLS.sslmode verify-full needs " ~ i ~ ".clientTLS.caFile=true (the Secret's ca.crt): PgBouncer refuses to start without client_tls_ca_file") }}
{% endif %}
{#- The exporter connects over TCP to 127.0.0.1, so client TLS applies to it too. -#}
{% set exporter = Values.pgbouncerExporter %}
{% if exporter.enabled and sslmode in ["verify-ca", "verify-full"] %}
{{ fail(i ~ ".clientTLS.sslmode " ~ sslmode ~ " requires client certificates, which the exporter (" ~ i ~ ".pgbouncerExporter.enabled) does not have: use require, or disable the exporter") }}
{% elif exporter.enabled and sslmode == "require" and exporter.sslmode == "disable" %}
{{ fail(i ~ ".clientTLS.sslmode require refuses the exporter's connection without TLS: set " ~ i ~ ".pgbouncerExporter.sslmode=require") }}
{% endif %}
{%- endmacro %}

{#-
  Whether the graceful shutdown applies: gracefulShutdown.enabled and no explicit
  `lifecycle` (which wins, and with it the timings are the user's).
-#}
{% macro shutdownApplies() -%}
{% if Values.gracefulShutdown and Values.gracefulShutdown.enabled and not Values.lifecycle %}true{% endif %}
{%- endmacro %}

{#-
  The pool modes this instance's pools run in, sorted and comma-separated: the global
  pool_mode (PgBouncer's default is session) and every database's and user's own.
-#}
{% macro poolModes() -%}
{% set config = Values.config or {} %}
{% set modes = namespace(all=[((config.pgbouncer or {}).pool_mode | default("session")) | string]) %}
{% for section in [config.databases or {}, config.users or {}] if section is mapping %}
{% for name, params in section | sorted_items if params is mapping and params.pool_mode is defined and params.pool_mode is not none %}
{% set modes.all = modes.all + [params.pool_mode | string] %}
{% endfor %}
{% endfor %}
{{ modes.all | unique | sort | join(",") }}
{%- endmacro %}

{#-
  Seconds PgBouncer keeps serving its connected clients after SIGTERM, so that they leave
  by themselves: gracefulShutdown.clientSeconds of the slowest pool mode in use (session
  if any pool is in session mode, else transaction; statement counts as transaction).
-#}
{% macro clientWaitSeconds() -%}
{% set waits = Values.gracefulShutdown.clientSeconds %}
{{ waits.session if "session" in poolModes() else waits.transaction }}
{%- endmacro %}

{#-
  The grace period the graceful shutdown needs: the drain, the wait for clients, then the
  running transactions (gracefulShutdown.transactionSeconds).
-#}
{% macro derivedGracePeriod() -%}
{% set g = Values.gracefulShutdown %}
{{ g.drainSeconds + (clientWaitSeconds() | int) + g.transactionSeconds }}
{%- endmacro %}

{#-
  The pod's terminationGracePeriodSeconds: the value when set, else (graceful shutdown)
  derivedGracePeriod(), else Kubernetes' default 30 (upstream's default value).
-#}
{% macro terminationGracePeriod() -%}
{% set grace = Values.terminationGracePeriodSeconds %}
{% if (grace is not defined or grace is none) and shutdownApplies() -%}
{{ derivedGracePeriod() }}
{%- elif grace is not defined or grace is none -%}
{#- As Helm prints upstream's `{{ .Values.terminationGracePeriodSeconds }}` for null. -#}
null
{%- else -%}
{{ grace | scalar }}
{%- endif %}
{%- endmacro %}

{#-
  The workload's minReadySeconds, or nothing: the value when set (upstream writes it only
  when it is not 0), else (graceful shutdown) drainSeconds: a new pod must be ready that
  long, so that its endpoint has reached every node's kube-proxy before an old pod stops.
-#}
{% macro minReadySeconds() -%}
{% set ready = Values.minReadySeconds %}
{% if ready is defined and ready is not none -%}
{% if ready %}{{ ready | scalar }}{% endif %}
{%- elif shutdownApplies() -%}
{{ Values.gracefulShutdown.drainSeconds | scalar }}
{%- endif %}
{%- endmacro %}

{#-
  The rollout strategy the graceful shutdown derives, as the YAML body of a Deployment's
  `strategy` or a DaemonSet's or StatefulSet's `updateStrategy` (`kind`), or nothing: when
  the shutdown does not apply, or updateStrategy is set (it wins). One new pod first, and
  an old one stops only once it is available (maxSurge 1, maxUnavailable 0), so capacity
  never drops and the old pod's clients have somewhere to reconnect to. A StatefulSet
  cannot surge: it replaces one pod at a time, each after the previous one is ready.
-#}
{% macro rolloutStrategy(kind) -%}
{#-
  Not for a DaemonSet: its maxSurge needs Kubernetes 1.22 (the API server refuses the field
  before), and upstream renders no updateStrategy for it (kept, see README).
-#}
{% if shutdownApplies() and not Values.updateStrategy and kind != "DaemonSet" %}
type: RollingUpdate
{% if kind != "StatefulSet" %}
rollingUpdate:
  maxSurge: 1
  maxUnavailable: 0
{% endif %}
{% endif %}
{%- endmacro %}

{#-
  Fails unless the graceful shutdown (when it applies) fits into the grace period. Returns
  the preStop script: serve everyone for drainSeconds while the endpoint leaves every
  kube-proxy; SIGTERM (PgBouncer 1.23+: SHUTDOWN WAIT_FOR_CLIENTS: the listener closes,
  connected clients are served as before, PgBouncer exits when the last one has left);
  after clientWaitSeconds() still running, SHUTDOWN WAIT_FOR_SERVERS on the admin console
  (running transactions finish, every client is turned away at its next one); block until
  PgBouncer has exited, so that the kubelet's own SIGTERM (a fast exit during a shutdown)
  cannot cut the shutdown short. docs/drain.md has the measurements.
-#}
{% macro gracefulShutdownScript() -%}
{% set i = Chart.Name %}
{% set g = Values.gracefulShutdown %}
{% set waits = g.clientSeconds or {} %}
{% for key, value in [("drainSeconds", g.drainSeconds), ("transactionSeconds", g.transactionSeconds), ("clientSeconds.transaction", waits.transaction), ("clientSeconds.session", waits.session)] %}
{% if value is not integer or value is boolean or value < 0 %}
{{ fail(i ~ ".gracefulShutdown." ~ key ~ " must be a whole number of seconds >= 0, found " ~ (value | quote)) }}
{% endif %}
{% endfor %}
{% set drain = g.drainSeconds %}
{% set grace = Values.terminationGracePeriodSeconds %}
{% if grace is integer and grace is not boolean and grace <= drain %}
{{ fail(i ~ ".gracefulShutdown.drainSeconds (" ~ drain ~ ") must be less than " ~ i ~ ".terminationGracePeriodSeconds (" ~ grace ~ "): the grace period bounds the drain and PgBouncer's shutdown together") }}
{% endif %}
{#-
  PgBouncer is PID 1 of its container unless the pod shares one process namespace (PID 1
  is then the pause container) or `command` replaces the image's: then find it by name.
  The admin console needs no password over the Unix socket for the user `pgbouncer` of
  PgBouncer's own UID (admin.c admin_pre_login); the directory is a shell word, quoted.
-#}
{% set by_name = Values.shareProcessNamespace or Values.command %}
{% set signal = "pkill -TERM -x pgbouncer" if by_name else "kill -TERM 1" %}
{% set alive = "pgrep -x pgbouncer >/dev/null" if by_name else "kill -0 1 2>/dev/null" %}
{% set dir = (Values.config.pgbouncer or {}).unix_socket_dir | default("/tmp") | string %}
{% if dir %}
{% set console = "psql -X -q -h '" ~ (dir | replace("'", "'\\''")) ~ "' -p 5432 -U pgbouncer -d pgbouncer -c 'SHUTDOWN WAIT_FOR_SERVERS' >/dev/null 2>&1" %}
sleep {{ drain }}; {{ signal }}; n=0; while {{ alive }}; do if [ $n -eq {{ clientWaitSeconds() }} ]; then {{ console }}; fi; n=$((n+1)); sleep 1; done
{%- else %}
sleep {{ drain }}; {{ signal }}; while {{ alive }}; do sleep 1; done
{%- endif %}
{%- endmacro %}

{#-
  qspgb addition: the Unix user and group PgBouncer runs as, "UID GID": the container's
  securityContext, else the pod's, else the image's `postgres` user (70, as upstream's
  image). The userlist-reload sidecar must be that very user: PgBouncer's admin console
  lets only its own user in over the socket without a password.
-#}
{% macro pgbouncerUser() -%}
{% set container = Values.securityContext or {} %}
{% set pod = Values.podSecurityContext or {} %}
{% set uid = container.runAsUser if container.runAsUser is integer else (pod.runAsUser if pod.runAsUser is integer else 70) %}
{% set gid = container.runAsGroup if container.runAsGroup is integer else (pod.runAsGroup if pod.runAsGroup is integer else uid) %}
{{ uid }} {{ gid }}
{%- endmacro %}


{#-
  qspgb addition: userlistReload needs PgBouncer's Unix socket in the /tmp emptyDir the
  sidecar shares.
-#}
{% macro userlistReloadPreconditions() -%}
{% set i = Chart.Name %}
{% set dir = (Values.config.pgbouncer or {}).unix_socket_dir %}
{% if dir is defined and dir is not none and dir != "/tmp" and dir != "/tmp/" %}
{{ fail(i ~ ".userlistReload.enabled needs PgBouncer's Unix socket in /tmp (the emptyDir the sidecar shares), but " ~ i ~ ".config.pgbouncer.unix_socket_dir is " ~ (dir | quote) ~ ": leave it unset, or turn userlistReload off") }}
{% endif %}
{% set interval = Values.userlistReload.intervalSeconds %}
{% if interval is not integer or interval is boolean or interval < 1 %}
{{ fail(i ~ ".userlistReload.intervalSeconds must be a whole number of seconds >= 1, found " ~ (interval | quote)) }}
{% endif %}
{%- endmacro %}

{#-
  qspgb addition, peering (docs/peering.md): whether this instance's PgBouncers are peered.
  "true" or "" (a macro returns text).
-#}
{% macro peering() -%}
{% if (Values.peering or {}).enabled %}true{% endif %}
{%- endmacro %}

{#- The headless Service that gives each peered pod its DNS name. -#}
{% macro peersServiceName() -%}
{{ fullname() ~ "-peers" }}
{%- endmacro %}

{#- The emptyDir where the peer-config init container writes the pod's peer_id. -#}
{% macro peerConfigDir() -%}
/etc/pgbouncer-peer
{%- endmacro %}

{#-
  How many peers [peers] lists: every pod the StatefulSet can have, so scaling never
  changes the config (autoscaling.maxReplicas with autoscaling, else replicaCount).
-#}
{% macro peerCount() -%}
{% set autoscaling = Values.autoscaling or {} %}
{{ autoscaling.maxReplicas if autoscaling.enabled else Values.replicaCount }}
{%- endmacro %}

{#-
  The render errors of peering, each naming its keys: what Kubernetes or PgBouncer would
  refuse, or what would silently not work.
-#}
{% macro peeringPreconditions() -%}
{% set i = Chart.Name %}
{% if Values.kind != "Deployment" %}
{{ fail(i ~ ".peering.enabled needs " ~ i ~ ".kind Deployment (rendered as a StatefulSet, whose pods have stable names), found " ~ (Values.kind | quote) ~ ": a DaemonSet's pods have no stable identity to peer by (or set " ~ i ~ ".peering.enabled=false)") }}
{% endif %}
{% if "peer_id" in (Values.config.pgbouncer or {}) %}
{{ fail(i ~ ".config.pgbouncer.peer_id cannot be set with " ~ i ~ ".peering.enabled: each pod sets its own peer_id (its ordinal + 1); one value for every pod would make all of them the same peer") }}
{% endif %}
{% set autoscaling = Values.autoscaling or {} %}
{% set key = (i ~ ".autoscaling.maxReplicas") if autoscaling.enabled else (i ~ ".replicaCount") %}
{% set count = autoscaling.maxReplicas if autoscaling.enabled else Values.replicaCount %}
{#- PgBouncer's peer_id is at most 16383 (it is part of the cancel key). -#}
{% if not (count is integer and count >= 0 and count <= 16383) %}
{{ fail(key ~ " must be a whole number from 0 to 16383 with " ~ i ~ ".peering.enabled (PgBouncer's largest peer_id is 16383), found " ~ (count | toJson)) }}
{% endif %}
{#-
  The StatefulSet controller labels each pod with controller-revision-hash
  "<name>-<hash of up to 10 characters>", a label value of at most 63 characters.
-#}
{% if fullname() | length > 52 %}
{{ fail(i ~ ": with " ~ i ~ ".peering.enabled the StatefulSet's name " ~ (fullname() | quote) ~ " must be at most 52 characters (Kubernetes labels its pods with \"<name>-<revision hash>\", at most 63); set " ~ i ~ ".fullnameOverride to a shorter name") }}
{% endif %}
{% set strategy = Values.updateStrategy or {} %}
{% if strategy.type == "Recreate" or "maxSurge" in (strategy.rollingUpdate or {}) %}
{{ fail(i ~ ".updateStrategy is a Deployment strategy (type Recreate or rollingUpdate.maxSurge), but " ~ i ~ ".peering.enabled renders a StatefulSet, whose updateStrategy is type RollingUpdate (rollingUpdate.partition, maxUnavailable) or OnDelete") }}
{% endif %}
{%- endmacro %}
