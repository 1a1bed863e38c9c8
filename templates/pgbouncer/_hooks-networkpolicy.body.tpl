{#- The body of hooks-networkpolicy.yaml, included inside its gate: compiled only when the gate is open. -#}
{% import "_helpers.tpl" as h %}
{% set api = np.apiServerEgress or {} %}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ h.hooksName() | scalar }}
  labels:
    {{- h.hooksLabels() | nindent(4) }}
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: "-10"
    helm.sh/hook-delete-policy: before-hook-creation
spec:
  {# The hook pods' labels (hooks-job.yaml), none of PgBouncer's selector labels. #}
  podSelector:
    matchLabels:
      app.kubernetes.io/name: qspgb-hooks
      app.kubernetes.io/instance: {{ Release.Name | scalar }}
  policyTypes:
  - Ingress
  - Egress
  egress:
{% if api.ports %}
  - ports:
    {{- api.ports | toYaml | nindent(4) }}
{% if api.peers %}
    to:
    {{- api.peers | toYaml | nindent(4) }}
{% endif %}
{% elif api.peers %}
  - to:
    {{- api.peers | toYaml | nindent(4) }}
{% else %}
  - {}
{% endif %}
