{#-
  The pod template shared by deployment.yaml, daemonset.yaml and statefulset.yaml, written at its final
  indentation (under `spec:` of the workload). Included, so it sees the same variables,
  the helpers `h` among them (importing them again would run _helpers.tpl once more).
-#}
{% set exporter = Values.pgbouncerExporter %}
{% set i = Chart.Name %}
{# qspgb additions: key paths in messages start with the alias. #}
{% set podSecurityContext = Values.podSecurityContext | without_nulls %}
{% if podSecurityContext is defined and podSecurityContext is not none and podSecurityContext is not mapping %}
{{ fail(i ~ ".podSecurityContext must be a Kubernetes PodSecurityContext (a map), found " ~ (podSecurityContext | quote)) }}
{% endif %}
{% set automount = Values.automountServiceAccountToken %}
{% if automount is defined and automount is not none and automount is not boolean %}
{{ fail(i ~ ".automountServiceAccountToken must be true, false or null, found " ~ (automount | quote)) }}
{% endif %}
{% set spread = Values.topologySpreadConstraints %}
{% if spread is defined and spread is not none and spread is not sequence %}
{{ fail(i ~ ".topologySpreadConstraints must be a list of Kubernetes TopologySpreadConstraints, found " ~ (spread | quote)) }}
{% endif %}
{% set spreadKeys = {"zone": "topology.kubernetes.io/zone", "hostname": "kubernetes.io/hostname"} %}
{% if Values.topologySpreadPreset and Values.topologySpreadPreset not in spreadKeys %}
{{ fail(i ~ ".topologySpreadPreset must be \"zone\", \"hostname\" or empty, found " ~ (Values.topologySpreadPreset | quote)) }}
{% endif %}
{% set shutdown = Values.gracefulShutdown and Values.gracefulShutdown.enabled and not Values.lifecycle %}
{% set tls = Values.clientTLS and Values.clientTLS.enabled %}
{% set reload = Values.userlistReload and Values.userlistReload.enabled %}
{% if reload %}
{% set _ = h.userlistReloadPreconditions() %}
{% endif %}
{% set peering = h.peering() %}
{% if tls %}
{% set _ = h.clientTLSPreconditions() %}
{% endif %}
  template:
    metadata:
{#
  A podLabels or podAnnotations key the chart also sets replaces the chart's entry, as in
  Helm, whose output holds both and whose reader keeps the last (the user's); here the
  chart's is left out, so no document has a key twice. A podLabels entry that changes a
  selector label is reported by lint (the selector would no longer match the pods).
#}
{% set podLabels = Values.podLabels or {} %}
{% set podAnnotations = Values.podAnnotations or {} %}
      labels:
{% set selector = h.selectorLabels(podLabels) | trim %}
{% if selector %}
{{ selector | indent(8) }}
{% endif %}
{% for key, value in podLabels | sorted_items %}
        {{ key | scalar }}: {{ value | quote }}
{% endfor %}
      annotations:
        {# Changing the config or a rendered Secret rolls the pods. #}
{% if "checksum/config" not in podAnnotations %}
        checksum/config: {{ include(Template.BasePath ~ "/configmap.yaml") | sha256sum }}
{% endif %}
{# With userlistReload the sidecar reloads a changed userlist: no restart for it. #}
{% if "checksum/userlist" not in podAnnotations and not reload %}
        checksum/userlist: {{ include(Template.BasePath ~ "/userlist-secret.yaml") | sha256sum }}
{% endif %}
{% if "checksum/adminsecret" not in podAnnotations %}
        checksum/adminsecret: {{ include(Template.BasePath ~ "/secret.yaml") | sha256sum }}
{% endif %}
{% if exporter.enabled %}
{% if "prometheus.io/scrape" not in podAnnotations %}
        prometheus.io/scrape: "true"
{% endif %}
{% if "prometheus.io/port" not in podAnnotations %}
        {# Helm's template writes "{{ port }}": an empty string for a null port. #}
        prometheus.io/port: {{ (exporter.servicePort if exporter.servicePort is defined and exporter.servicePort is not none else "") | quote }}
{% endif %}
{% if "prometheus.io/path" not in podAnnotations %}
        prometheus.io/path: "/metrics"
{% endif %}
{% endif %}
{% for key, value in podAnnotations | sorted_items %}
        {{ key | scalar }}: {{ value | quote }}
{% endfor %}
    spec:
      serviceAccountName: {{ h.serviceAccountName() | scalar }}
{% if automount is boolean %}
      automountServiceAccountToken: {{ automount | scalar }}
{% endif %}
      terminationGracePeriodSeconds: {{ h.terminationGracePeriod() }}
{% if podSecurityContext %}
      securityContext:
        {{- podSecurityContext | toYaml | nindent(8) }}
{% endif %}
{% if Values.nodeSelector %}
      nodeSelector:
        {{- Values.nodeSelector | toYaml | nindent(8) }}
{% endif %}
{% if Values.tolerations %}
      tolerations:
        {{- Values.tolerations | toYaml | nindent(6) }}
{% endif %}
{% if Values.affinity %}
      affinity:
        {{- Values.affinity | toYaml | nindent(8) }}
{% elif Values.podAntiAffinityPreset == "soft" %}
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            podAffinityTerm:
              labelSelector:
                matchLabels:
                  {{- h.selectorLabels() | nindent(18) }}
              topologyKey: kubernetes.io/hostname
{% elif Values.podAntiAffinityPreset == "hard" %}
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector:
              matchLabels:
                {{- h.selectorLabels() | nindent(16) }}
            topologyKey: kubernetes.io/hostname
{% elif Values.podAntiAffinityPreset %}
{{ fail("podAntiAffinityPreset must be \"soft\", \"hard\" or empty, found " ~ (Values.podAntiAffinityPreset | quote)) }}
{% endif %}
{# qspgb addition: explicit constraints win over the preset, as affinity over its preset. #}
{% if spread %}
      topologySpreadConstraints:
        {{- spread | toYaml | nindent(6) }}
{% elif Values.topologySpreadPreset %}
      topologySpreadConstraints:
      - maxSkew: 1
        topologyKey: {{ spreadKeys[Values.topologySpreadPreset] | scalar }}
        whenUnsatisfiable: ScheduleAnyway
        labelSelector:
          matchLabels:
            {{- h.selectorLabels() | nindent(12) }}
{% endif %}
{% if Values.priorityClassName %}
      priorityClassName: {{ Values.priorityClassName | scalar }}
{% endif %}
{% if Values.runtimeClassName %}
      runtimeClassName: {{ Values.runtimeClassName | scalar }}
{% endif %}
{# The exporter's pull secrets join the pod's, once per name. #}
{% set pull = namespace(names=[], secrets=[]) %}
{% set candidates = (Values.imagePullSecrets or []) + ((exporter.imagePullSecrets or []) if exporter.enabled else []) %}
{% for secret in candidates %}
{# Helm's template fails on these too (a field of a non-map; `hasKey` of a non-string). #}
{% if secret is not mapping %}
{{ fail(i ~ ".imagePullSecrets: every entry must be a map with a Secret name ({name: ...}), found " ~ (secret | quote if secret is not none else "null")) }}
{% elif secret.name and secret.name is not string %}
{{ fail(i ~ ".imagePullSecrets: a name must be a string (a Secret name), found " ~ (secret.name | quote)) }}
{% endif %}
{% if secret.name and secret.name not in pull.names %}
{% set pull.names = pull.names + [secret.name] %}
{% set pull.secrets = pull.secrets + [secret] %}
{% endif %}
{% endfor %}
{% if pull.secrets %}
      imagePullSecrets:
        {{- pull.secrets | toYaml | nindent(6) }}
{% endif %}
{% if Values.shareProcessNamespace %}
      shareProcessNamespace: true
{% endif %}
{% if Values.userlistCheck.enabled or peering or Values.extraInitContainers %}
      initContainers:
{% if Values.userlistCheck.enabled %}
      {# qspgb addition: refuse to start PgBouncer without a valid userlist.txt, with a clear message. #}
      - name: userlist-check
        image: {{ h.image(Values.hooks.image) | scalar }}
        imagePullPolicy: {{ Values.hooks.image.pullPolicy | scalar }}
        args:
        - check-userlist
        - /etc/userlist/userlist.txt
{% if Values.userlistCheck.resources %}
        resources:
          {{- Values.userlistCheck.resources | toYaml | nindent(10) }}
{% endif %}
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          runAsNonRoot: true
          runAsUser: 65532
          capabilities:
            drop:
            - ALL
          seccompProfile:
            type: RuntimeDefault
        volumeMounts:
        - name: userlist
          mountPath: /etc/userlist/
          readOnly: true
{% endif %}
{% if peering %}
      {#
        qspgb addition, peering (docs/peering.md): the ConfigMap is every pod's; this pod's
        peer_id (its ordinal + 1) comes from its name, which the StatefulSet makes stable.
        `qspgb peer-config` refuses a name that is not "<statefulset>-<ordinal>".
      #}
      - name: peer-config
        image: {{ h.image(Values.hooks.image) | scalar }}
        imagePullPolicy: {{ Values.hooks.image.pullPolicy | scalar }}
        args:
        - peer-config
        - --statefulset
        - {{ h.fullname() | scalar }}
        - --pod-name
        - $(POD_NAME)
        - --output
        - {{ (h.peerConfigDir() ~ "/peer.ini") | scalar }}
        env:
        - name: POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
{% if Values.peering.resources %}
        resources:
          {{- Values.peering.resources | toYaml | nindent(10) }}
{% endif %}
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          runAsNonRoot: true
          runAsUser: 65532
          capabilities:
            drop:
            - ALL
          seccompProfile:
            type: RuntimeDefault
        volumeMounts:
        - name: peer-config
          mountPath: {{ (h.peerConfigDir() ~ "/") | scalar }}
{% endif %}
{% if Values.extraInitContainers %}
{{ Values.extraInitContainers | toYaml | indent(6) }}
{% endif %}
{% endif %}
      containers:
      - name: pgbouncer
        image: {{ h.image(Values.image) | scalar }}
{% if Values.command %}
        command:
          {{- Values.command | toYaml | nindent(8) }}
{% endif %}
{% if Values.args %}
        args:
          {{- Values.args | toYaml | nindent(8) }}
{% endif %}
        imagePullPolicy: {{ Values.image.pullPolicy | scalar }}
{% if Values.lifecycle %}
        lifecycle:
          {{- Values.lifecycle | toYaml | nindent(10) }}
{% elif shutdown %}
        {# qspgb addition: drain, SIGTERM, then WAIT_FOR_SERVERS; wait for PgBouncer to exit (docs/drain.md). #}
        lifecycle:
          preStop:
            exec:
              command:
              {{- ["/bin/sh", "-c", h.gracefulShutdownScript() | string] | toYaml | nindent(14) }}
{% endif %}
{% if Values.extraEnvs %}
        env:
          {{- Values.extraEnvs | toYaml | nindent(8) }}
{% endif %}
        ports:
        - name: psql
          containerPort: 5432
          protocol: TCP
{# qspgb addition: the probes are values; their defaults are upstream's hard-coded ones. #}
{% for key in ["readinessProbe", "livenessProbe", "startupProbe"] %}
{% set probe = h.probe(i ~ "." ~ key, Values[key]) %}
{% if probe %}
        {{ key | scalar }}:
          {{- probe | nindent(10) }}
{% endif %}
{% endfor %}
{% set resources = Values.resources | without_nulls %}
{% if resources %}
        resources:
          {{- resources | toYaml | nindent(10) }}
{% endif %}
{% if Values.securityContext %}
        securityContext:
          {{- Values.securityContext | toYaml | nindent(10) }}
{% endif %}
        volumeMounts:
        - name: tmp
          mountPath: /tmp
        - name: config
          mountPath: /etc/pgbouncer/
        - name: userlist
          mountPath: /etc/userlist/
{% if peering %}
        - name: peer-config
          mountPath: {{ (h.peerConfigDir() ~ "/") | scalar }}
          readOnly: true
{% endif %}
{% if tls %}
        - name: client-tls
          mountPath: {{ (h.clientTLSDir() ~ "/") | scalar }}
          readOnly: true
{% endif %}
{% if Values.extraVolumeMounts %}
        {{- Values.extraVolumeMounts | toYaml | nindent(8) }}
{% endif %}
{% if exporter.enabled %}
      - name: exporter
        image: {{ h.image(exporter.image) | scalar }}
        imagePullPolicy: {{ exporter.image.pullPolicy | scalar }}
{# Each argument is built as text, then written as one YAML scalar. #}
{% set listen %}--web.listen-address=:{{ exporter.servicePort }}{% endset %}
{% set level %}--log.level={{ exporter.log.level }}{% endset %}
{% set logformat %}--log.format={{ exporter.log.format }}{% endset %}
{% set connection %}--pgBouncer.connectionString=postgres://{{ exporter.host }}:{{ exporter.port }}/{{ exporter.database }}?sslmode={{ exporter.sslmode }}&connect_timeout={{ exporter.connect_timeout }}{% endset %}
        args:
        - {{ listen | scalar }}
        - --web.telemetry-path=/metrics
        - {{ level | scalar }}
        - {{ logformat | scalar }}
        - {{ connection | scalar }}
        env:
{% for env_name, key in [("PGBOUNCER_USER", "user"), ("PGBOUNCER_PASS", "password"), ("PGUSER", "user"), ("PGPASSWORD", "password")] %}
        - name: {{ env_name | scalar }}
          valueFrom:
            secretKeyRef:
              name: {{ h.adminSecretName() | scalar }}
              key: {{ ((Values.config.adminUserKey | default("adminUser")) if key == "user" else (Values.config.adminPasswordKey | default("adminPassword"))) | scalar }}
{% endfor %}
{% if exporter.resources %}
        resources:
          {{- exporter.resources | toYaml | nindent(10) }}
{% endif %}
{#
  Upstream gates the exporter's securityContext on the PgBouncer container's, and then
  writes the exporter's as it is: `null` or `{}` too (kept, as Helm renders it).
#}
{% if Values.securityContext %}
        securityContext:
          {{- (exporter.securityContext if exporter.securityContext is defined else none) | toYaml | nindent(10) }}
{% endif %}
        ports:
        - name: exporter
          containerPort: {{ exporter.servicePort | scalar }}
          protocol: TCP
{% for key in ["readinessProbe", "livenessProbe"] %}
{% set probe = h.probe(i ~ ".pgbouncerExporter." ~ key, exporter[key]) %}
{% if probe %}
        {{ key | scalar }}:
          {{- probe | nindent(10) }}
{% endif %}
{% endfor %}
{% endif %}
{% if reload %}
      {#
        qspgb addition: reloads PgBouncer when the kubelet swaps in a new userlist (see
        userlistReload in values/pgbouncer.yaml). As PgBouncer's own user, so that its admin
        console lets it in over the shared socket without a password.
      #}
      - name: userlist-reload
        image: {{ h.image(Values.hooks.image) | scalar }}
        imagePullPolicy: {{ Values.hooks.image.pullPolicy | scalar }}
{#
  The chart runs PgBouncer on 5432 only (listen_port is refused). The probes run the same
  command with --probe: its loop read the file lately (a stuck watcher would no longer take
  rotated passwords, so its pod leaves the Service).
#}
{% set watchArgs = ["watch-userlist", "/etc/userlist/userlist.txt", "--socket-dir=/tmp", "--port=5432", "--interval=" ~ Values.userlistReload.intervalSeconds ~ "s"] %}
        args:
          {{- watchArgs | toYaml | nindent(8) }}
{% for probe in ["readinessProbe", "livenessProbe"] %}
        {{ probe }}:
          exec:
            command:
            {{- (["/usr/local/bin/qspgb"] + watchArgs + ["--probe"]) | toYaml | nindent(12) }}
          periodSeconds: 10
          failureThreshold: 3
{% endfor %}
{% if Values.userlistReload.resources %}
        resources:
          {{- Values.userlistReload.resources | toYaml | nindent(10) }}
{% endif %}
{% set user = h.pgbouncerUser() | trim | split(" ") %}
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          runAsNonRoot: true
          runAsUser: {{ user[0] | int | scalar }}
          runAsGroup: {{ user[1] | int | scalar }}
          capabilities:
            drop:
            - ALL
          seccompProfile:
            type: RuntimeDefault
        volumeMounts:
        - name: tmp
          mountPath: /tmp
        - name: userlist
          mountPath: /etc/userlist/
          readOnly: true
{% endif %}
{% if Values.extraContainers %}
      {{- Values.extraContainers | toYaml | nindent(6) }}
{% endif %}
      volumes:
      - name: tmp
        emptyDir: {}
      - name: config
        configMap:
          name: {{ (h.fullname() ~ "-configmap") | scalar }}
      - name: userlist
        secret:
          secretName: {{ h.userlistSecretName() | scalar }}
{% if Values.userlistCheck.enabled %}
          {#
            With the check, a missing Secret must not hold the pod in ContainerCreating with
            only an event to explain it: the volume is then empty, and the userlist-check
            init container fails with a message in its log instead.
          #}
          optional: true
{% endif %}
{% if tls %}
      - name: client-tls
        secret:
          secretName: {{ Values.clientTLS.secretName | scalar }}
{% endif %}
{% if peering %}
      - name: peer-config
        emptyDir: {}
{% endif %}
{% if Values.extraVolumes %}
      {{- Values.extraVolumes | toYaml | nindent(6) }}
{% endif %}
