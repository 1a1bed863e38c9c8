{#- The body of networkpolicy.yaml, included inside its gate: compiled only when the gate is open. -#}
{% import "_helpers.tpl" as h %}
{% set exporter = Values.pgbouncerExporter %}
{% set database = np.databaseEgress or {} %}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ h.fullname() | scalar }}
  labels:
    {{- h.labels() | nindent(4) }}
spec:
  podSelector:
    matchLabels:
      {{- h.selectorLabels() | nindent(6) }}
  policyTypes:
  - Ingress
  - Egress
  ingress:
  {# PgBouncer's listen_port (configmap.yaml) and container port `psql`. #}
  - ports:
    - port: 5432
      protocol: TCP
{% if np.allowedClients %}
    from:
    {{- np.allowedClients | toYaml | nindent(4) }}
{% endif %}
{% if exporter.enabled %}
  - ports:
    - port: {{ exporter.servicePort | scalar }}
      protocol: TCP
{% if np.prometheus %}
    from:
    {{- np.prometheus | toYaml | nindent(4) }}
{% endif %}
{% endif %}
{# Peering (docs/peering.md): each PgBouncer forwards cancel requests to its peers. #}
{% if h.peering() %}
  - ports:
    - port: 5432
      protocol: TCP
    from:
    - podSelector:
        matchLabels:
          {{- h.selectorLabels() | nindent(10) }}
{% endif %}
{% if np.extraIngress %}
{{ np.extraIngress | toYaml | indent(2) }}
{% endif %}
  egress:
{% if database.ports %}
  - ports:
    {{- database.ports | toYaml | nindent(4) }}
{% if database.peers %}
    to:
    {{- database.peers | toYaml | nindent(4) }}
{% endif %}
{% elif database.peers %}
  - to:
    {{- database.peers | toYaml | nindent(4) }}
{% else %}
  {# No ports and no peers: Kubernetes' empty rule, everything. #}
  - {}
{% endif %}
  - ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
{% if np.dnsEgress %}
    to:
    {{- np.dnsEgress | toYaml | nindent(4) }}
{% endif %}
{% if h.peering() %}
  - ports:
    - port: 5432
      protocol: TCP
    to:
    - podSelector:
        matchLabels:
          {{- h.selectorLabels() | nindent(10) }}
{% endif %}
{% if np.extraEgress %}
{{ np.extraEgress | toYaml | indent(2) }}
{% endif %}
