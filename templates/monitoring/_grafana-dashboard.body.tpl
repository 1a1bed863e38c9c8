{#- The body of grafana-dashboard.yaml, included inside its gate: compiled only when the gate is open. -#}
{% import "templates/_helpers.tpl" as h %}
{% set scope = Release.Namespace ~ "/" ~ Release.Name %}
{% set name = h.releaseObjectName("-dashboard") if not g.namespace or g.namespace == Release.Namespace else h.releaseObjectName("-" ~ Release.Namespace ~ "-dashboard") %}
{% set dashboard = include(Template.BasePath ~ "/monitoring/_pgbouncer-dashboard.json")
  | replace("@@UID@@", "qspgb-" ~ (scope | sha256sum)[:12])
  | replace("@@TITLE@@", "PgBouncer (" ~ scope ~ ")")
  | replace("@@NAMESPACE@@", Release.Namespace) %}
apiVersion: v1
kind: ConfigMap
metadata:
  {# In another namespace (one the sidecar watches), the name also says which namespace it is from. #}
  name: {{ name | scalar }}
{% if g.namespace %}
  namespace: {{ g.namespace | scalar }}
{% endif %}
  labels:
    helm.sh/chart: {{ (Chart.Name ~ "-" ~ Chart.Version) | replace("+", "_") | trunc(63) | trimSuffix("-") | scalar }}
    app.kubernetes.io/name: {{ Chart.Name | scalar }}
    app.kubernetes.io/instance: {{ Release.Name | scalar }}
    app.kubernetes.io/component: dashboard
    app.kubernetes.io/managed-by: {{ Release.Service | scalar }}
{% for key, v in (g.labels or {}) | sorted_items if v is not none %}
    {{ key | scalar }}: {{ v | quote }}
{% endfor %}
{% set annotations = (g.annotations or {}) | sorted_items | rejectattr(1, "none") | list %}
{% if g.folder or annotations %}
  annotations:
{% if g.folder %}
    {{ g.folderAnnotation | default("grafana_folder") | scalar }}: {{ g.folder | quote }}
{% endif %}
{% for key, v in annotations %}
    {{ key | scalar }}: {{ v | quote }}
{% endfor %}
{% endif %}
data:
  pgbouncer.json: |-
    {{- dashboard | trim | nindent(4) }}
