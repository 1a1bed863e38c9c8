{#- The body of prometheusrule.yaml, included inside its gate: compiled only when the gate is open. -#}
{% import "templates/_helpers.tpl" as h %}
{% set st = namespace(aliases=[], jobs=[]) %}
{% for alias in h.instances if h.exporterEnabled(alias) %}
{% set st.aliases = st.aliases + [alias] %}
{% set st.jobs = st.jobs + [h.exporterJobRegex(alias) | string] %}
{% endfor %}
{% if not st.aliases %}
{{ fail("prometheusRule.enabled needs an enabled instance with pgbouncerExporter.enabled (e.g. pgbouncerTemporal.pgbouncerExporter.enabled=true): the alerts read the exporter's metrics") }}
{% endif %}
{#- Label matchers, braces included: this release's series; its pools; its databases. -#}
{% set release = "namespace=\"" ~ (Release.Namespace | promqlString) ~ "\",job=~\"" ~ (st.jobs | join("|")) ~ "\"" %}
{% set sel = "{" ~ release ~ "}" %}
{% set pools = "{" ~ release ~ ",database!=\"pgbouncer\"}" %}
{% set databases = "{" ~ release ~ ",name!=\"pgbouncer\"}" %}
{% set alerts = rule.alerts or {} %}
{#- Prometheus' own templating in annotations, printed as is. -#}
{% set pod = "{{ $labels.namespace }}/{{ $labels.pod }}" %}
{% set job = "{{ $labels.job }}" %}
{% set database = "{{ $labels.database }}" %}
{% set pool = "{{ $labels.database }}/{{ $labels.user }}" %}
{% set value = "{{ $value }}" %}
{% set percent = "{{ $value | humanizePercentage }}" %}
{#-
  Fails unless an alert's threshold is a number (the schema checks text; this catches a
  null, which would leave the expression without its right-hand side). Returns nothing.
-#}
{% macro number(alert, key, v) -%}
{% if v is none or v is undefined or v is boolean or (v is string and not v) %}
{{ fail("prometheusRule.alerts." ~ alert ~ "." ~ key ~ " must be a number while the alert is enabled") }}
{% endif %}
{%- endmacro %}
{#- An alert's `for` and labels (prometheusRule.alertLabels, then its severity), as lines. -#}
{% macro settings(a, common) -%}
{% set m = namespace(lines=[], labels=[]) %}
{% if a.for %}
{% set m.lines = m.lines + ["for: " ~ (a.for | scalar)] %}
{% endif %}
{% for key, v in (common or {}) | sorted_items if key != "severity" and v is not none %}
{% set m.labels = m.labels + ["  " ~ (key | scalar) ~ ": " ~ (v | quote)] %}
{% endfor %}
{% if a.severity %}
{% set m.labels = m.labels + ["  severity: " ~ (a.severity | quote)] %}
{% endif %}
{% if m.labels %}
{% set m.lines = m.lines + ["labels:"] + m.labels %}
{% endif %}
{{ m.lines | join("\n") }}
{%- endmacro %}
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: {{ h.releaseObjectName("") | scalar }}
  labels:
    helm.sh/chart: {{ (Chart.Name ~ "-" ~ Chart.Version) | replace("+", "_") | trunc(63) | trimSuffix("-") | scalar }}
    app.kubernetes.io/name: {{ Chart.Name | scalar }}
    app.kubernetes.io/instance: {{ Release.Name | scalar }}
    app.kubernetes.io/component: alerts
    app.kubernetes.io/managed-by: {{ Release.Service | scalar }}
{% for key, v in (rule.labels or {}) | sorted_items if v is not none %}
    {{ key | scalar }}: {{ v | quote }}
{% endfor %}
spec:
  groups:
  - name: {{ ("pgbouncer." ~ Release.Namespace ~ "." ~ Release.Name) | scalar }}
    rules:
{% set a = alerts.exporterDown or {} %}
{% if a.enabled %}
    {# Scrapes fail, or an instance has no scraped exporter at all (absent: one per instance, labelled with its job). #}
    - alert: PgBouncerExporterDown
      expr: |-
        up{{ sel }} == 0
{% for alias in st.aliases %}
        or
        label_replace(absent(up{namespace="{{ Release.Namespace | promqlString }}",job=~"{{ h.exporterJobRegex(alias) }}"}), "job", "{{ h.fullname(alias) | promqlString }}", "", "")
{% endfor %}
{{ settings(a, rule.alertLabels) | indent(6) }}
      annotations:
        summary: PgBouncer exporter down
        description: {{ ("The exporter of " ~ job ~ " in {{ $labels.namespace }}{{ if $labels.pod }} (pod {{ $labels.pod }}){{ end }} cannot be scraped, or none of its exporters is scraped at all. PgBouncer may still work, but it is not monitored.") | quote }}
{% endif %}
{% set a = alerts.pgbouncerDown or {} %}
{% if a.enabled %}
    - alert: PgBouncerDown
      expr: |-
        pgbouncer_up{{ sel }} == 0
{{ settings(a, rule.alertLabels) | indent(6) }}
      annotations:
        summary: PgBouncer does not answer its exporter
        description: {{ ("The exporter of " ~ pod ~ " cannot query PgBouncer's admin console (pgbouncer_up is 0): PgBouncer is down, refuses the admin user, or cannot load its configuration.") | quote }}
{% endif %}
{% set a = alerts.clientsWaiting or {} %}
{% if a.enabled %}
{% set _ = number("clientsWaiting", "threshold", a.threshold | default(0)) %}
    - alert: PgBouncerClientsWaiting
      expr: |-
        sum by (namespace, job, pod, database, user) (pgbouncer_pools_client_waiting_connections{{ pools }}) > {{ a.threshold | default(0) }}
{{ settings(a, rule.alertLabels) | indent(6) }}
      annotations:
        summary: Clients wait for a PgBouncer server connection
        description: {{ (value ~ " clients of pool " ~ pool ~ " on " ~ pod ~ " wait for a server connection: the pool is exhausted.") | quote }}
{% endif %}
{% set a = alerts.maxWait or {} %}
{% if a.enabled %}
{% set _ = number("maxWait", "seconds", a.seconds) %}
    - alert: PgBouncerClientMaxWaitHigh
      expr: |-
        max by (namespace, job, pod, database) (pgbouncer_pools_client_maxwait_seconds{{ pools }}) > {{ a.seconds }}
{{ settings(a, rule.alertLabels) | indent(6) }}
      annotations:
        summary: PgBouncer clients wait long for a server connection
{% set d %}The oldest waiting client of database {{ database }} on {{ pod }} has waited {{ value }} s for a server connection (threshold {{ a.seconds }} s).{% endset %}
        description: {{ d | quote }}
{% endif %}
{% set a = alerts.poolSaturation or {} %}
{% if a.enabled %}
{% set _ = number("poolSaturation", "ratio", a.ratio) %}
    {# Active server connections per pool over its database's pool_size (SHOW DATABASES' `name` is the pools' `database`). #}
    - alert: PgBouncerPoolSaturated
      expr: |-
        sum by (namespace, job, pod, database, user) (pgbouncer_pools_server_active_connections{{ pools }})
          / on (namespace, job, pod, database) group_left
        max by (namespace, job, pod, database) (label_replace(pgbouncer_databases_pool_size{{ databases }}, "database", "$1", "name", "(.*)") > 0)
          > {{ a.ratio }}
{{ settings(a, rule.alertLabels) | indent(6) }}
      annotations:
        summary: PgBouncer pool close to its pool_size
{% set d %}Pool {{ pool }} on {{ pod }} has {{ percent }} of its database's pool_size in active server connections (threshold {{ a.ratio }}).{% endset %}
        description: {{ d | quote }}
{% endif %}
{% set a = alerts.maxClientConn or {} %}
{% if a.enabled %}
{% set _ = number("maxClientConn", "ratio", a.ratio) %}
    {# used_clients is the count PgBouncer compares with max_client_conn when it refuses a login. #}
    - alert: PgBouncerMaxClientConnNear
      expr: |-
        pgbouncer_used_clients{{ sel }} / pgbouncer_config_max_client_connections{{ sel }} > {{ a.ratio }}
{{ settings(a, rule.alertLabels) | indent(6) }}
      annotations:
        summary: PgBouncer close to max_client_conn
{% set d %}{{ pod }} has {{ percent }} of max_client_conn in use (threshold {{ a.ratio }}); beyond it, new clients are refused.{% endset %}
        description: {{ d | quote }}
{% endif %}
