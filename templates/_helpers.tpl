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
