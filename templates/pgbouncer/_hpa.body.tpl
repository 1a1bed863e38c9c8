{#- The body of hpa.yaml, included inside its gate: compiled only when the gate is open. -#}
{% import "_helpers.tpl" as h %}
{% set i = Chart.Name %}
{% if Values.kind != "Deployment" %}
{{ fail(i ~ ".autoscaling.enabled needs " ~ i ~ ".kind Deployment, found " ~ (Values.kind | quote) ~ ": a DaemonSet runs one pod per node and cannot be scaled (or set " ~ i ~ ".autoscaling.enabled=false)") }}
{% endif %}
{% set cpu = autoscaling.targetCPUUtilizationPercentage %}
{% if not (autoscaling.minReplicas is integer and autoscaling.minReplicas >= 1) %}
{{ fail(i ~ ".autoscaling.minReplicas must be a whole number of at least 1, found " ~ (autoscaling.minReplicas | toJson)) }}
{% endif %}
{% if not (autoscaling.maxReplicas is integer and autoscaling.maxReplicas >= autoscaling.minReplicas) %}
{{ fail(i ~ ".autoscaling.maxReplicas must be a whole number of at least " ~ i ~ ".autoscaling.minReplicas (" ~ autoscaling.minReplicas ~ "), found " ~ (autoscaling.maxReplicas | toJson)) }}
{% endif %}
{% if not cpu and not autoscaling.metrics %}
{{ fail(i ~ ".autoscaling.enabled needs " ~ i ~ ".autoscaling.targetCPUUtilizationPercentage or " ~ i ~ ".autoscaling.metrics") }}
{% endif %}
{#- A CPU utilization is a share of the request: without one the HPA never scales. -#}
{% if cpu and not ((Values.resources or {}).requests or {}).cpu %}
{{ fail(i ~ ".autoscaling.targetCPUUtilizationPercentage needs " ~ i ~ ".resources.requests.cpu: utilization is measured against the CPU request (or set " ~ i ~ ".autoscaling.targetCPUUtilizationPercentage=null and use " ~ i ~ ".autoscaling.metrics)") }}
{% endif %}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ h.fullname() | scalar }}
  labels:
    {{- h.labels() | nindent(4) }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    {# With peering.enabled the pods run in a StatefulSet (statefulset.yaml). #}
    kind: {{ ("StatefulSet" if h.peering() else "Deployment") | scalar }}
    name: {{ h.fullname() | scalar }}
  minReplicas: {{ autoscaling.minReplicas | scalar }}
  maxReplicas: {{ autoscaling.maxReplicas | scalar }}
  metrics:
{% if cpu %}
  - type: Resource
    resource:
      name: cpu
      target:
        type: Utilization
        averageUtilization: {{ cpu | scalar }}
{% endif %}
{% if autoscaling.metrics %}
{{ autoscaling.metrics | toYaml | indent(2) }}
{% endif %}
{% if autoscaling.behavior %}
  behavior:
    {{- autoscaling.behavior | toYaml | nindent(4) }}
{% endif %}
