{#-
  Named helpers of the qs-pgbouncer chart's own templates (not the pgbouncer subchart's:
  those are templates/pgbouncer/_helpers.tpl). Import with
  {% import "templates/_helpers.tpl" as h %}. Every macro returns its text without
  surrounding whitespace.
-#}

{#- The aliases of the pgbouncer chart in Chart.yaml, in order. -#}
{% set instances = ["pgbouncerPharia", "pgbouncerTemporal"] %}

{#-
  Whether the instance is rendered: Helm's condition `<alias>.enabled` drops it only when
  that value is the boolean false (a missing or non-bool value leaves it enabled).
  Returns "true" or "".
-#}
{% macro enabled(alias) -%}
{% set v = Values[alias] %}
{% if v is mapping and v.enabled is not false %}true{% endif %}
{%- endmacro %}

{#-
  The instance's object name, exactly as the subchart computes it (its fullname(), with
  the alias as chart name): fullnameOverride; else "<release>-<name>", or just the release
  name when it already contains the name; trunc 63, one trailing "-" removed.
-#}
{% macro fullname(alias) -%}
{% set v = Values[alias] %}
{% set n = v.nameOverride | default(alias) %}
{% if v.fullnameOverride -%}
{{ v.fullnameOverride | trunc(63) | trimSuffix("-") }}
{%- elif n in Release.Name -%}
{{ Release.Name | trunc(63) | trimSuffix("-") }}
{%- else -%}
{{ (Release.Name ~ "-" ~ n) | trunc(63) | trimSuffix("-") }}
{%- endif %}
{%- endmacro %}

{#- The Secret with the instance's admin credentials (the subchart's adminSecretName()). -#}
{% macro adminSecretName(alias) -%}
{{ Values[alias].config.existingAdminSecret | default(fullname(alias) ~ "-secret") }}
{%- endmacro %}

{#- The Secret with the instance's userlist.txt (the subchart's userlistSecretName()). -#}
{% macro userlistSecretName(alias) -%}
{{ Values[alias].config.existingUserlistSecret | default(fullname(alias) ~ "-userlist-secret") }}
{%- endmacro %}

{#- qspgb additions: network, monitoring, autoscaling. -#}

{#- The instance's chart name, as its subchart's name() gives it (app.kubernetes.io/name). -#}
{% macro name(alias) -%}
{{ Values[alias].nameOverride | default(alias) | trunc(63) | trimSuffix("-") }}
{%- endmacro %}

{#- The labels that select the instance's pods (the subchart's selectorLabels()). -#}
{% macro selectorLabels(alias) -%}
app.kubernetes.io/name: {{ name(alias) | scalar }}
app.kubernetes.io/instance: {{ Release.Name | scalar }}
{%- endmacro %}

{#-
  Labels of a parent-chart object about one instance: the parent chart's helm.sh/chart,
  the instance's selector labels, the component and managed-by.
-#}
{% macro instanceLabels(alias, component) -%}
helm.sh/chart: {{ (Chart.Name ~ "-" ~ Chart.Version) | replace("+", "_") | trunc(63) | trimSuffix("-") | scalar }}
{{ selectorLabels(alias) }}
app.kubernetes.io/component: {{ component | scalar }}
app.kubernetes.io/managed-by: {{ Release.Service | scalar }}
{%- endmacro %}

{#- Whether the instance is rendered and runs the exporter. Returns "true" or "". -#}
{% macro exporterEnabled(alias) -%}
{% if enabled(alias) and (Values[alias].pgbouncerExporter or {}).enabled %}true{% endif %}
{%- endmacro %}

{#-
  The Prometheus `job` label values of the instance's exporter, as a regular expression:
  the chart's ServiceMonitor gives the Service name (the fullname), its PodMonitor
  "<namespace>/<PodMonitor name>" (also the fullname).
-#}
{% macro exporterJobRegex(alias) -%}
({{ Release.Namespace | regexQuoteMeta | promqlString }}/)?{{ fullname(alias) | regexQuoteMeta | promqlString }}
{%- endmacro %}

{#-
  The name of a parent-chart object of the whole release: the release name, with
  "-pgbouncer" added unless it already contains "pgbouncer", then the suffix; at most 63
  characters.
-#}
{% macro releaseObjectName(suffix) -%}
{% set base = Release.Name if "pgbouncer" in Release.Name else Release.Name ~ "-pgbouncer" %}
{% set room = 63 - suffix | length %}
{% if room > 0 -%}
{{ (base | trunc(room) | trimSuffix("-")) ~ suffix }}
{%- else -%}
{{ (base ~ suffix) | trunc(63) | trimSuffix("-") }}
{%- endif %}
{%- endmacro %}
