{#- The body of pgbouncer-test.yaml, included inside its gate: compiled only when the gate is open. -#}
{% import "templates/_helpers.tpl" as h %}
{% for alias in h.instances if h.enabled(alias) %}
{% set instance = Values[alias] %}
{% set fullname = h.fullname(alias) | string %}
{% set settings = instance.config.pgbouncer or {} %}
---
apiVersion: v1
kind: Pod
metadata:
  name: {{ (fullname ~ "-test") | scalar }}
  {# Not the PgBouncer pods' selector labels: the Service, PDB and anti-affinity must not select this pod. #}
  labels:
    app.kubernetes.io/name: qspgb-test
    app.kubernetes.io/instance: {{ Release.Name | scalar }}
    app.kubernetes.io/component: test
  annotations:
    helm.sh/hook: test
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
    {# checkov's reasons may not contain "=" (README, "Validation"). #}
    checkov.io/skip1: CKV_K8S_8=a test Pod runs one script to completion, there is no server to probe
    checkov.io/skip2: CKV_K8S_9=a test Pod runs one script to completion and no Service routes to it
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  {# Other Services' *_PORT variables must not mix with the script's environment. #}
  enableServiceLinks: false
  securityContext:
    runAsNonRoot: true
    {# postgres in the postgres image #}
    runAsUser: 10999
    runAsGroup: 10999
    seccompProfile:
      type: RuntimeDefault
  containers:
  - name: test
    image: {{ Values.tests.image | scalar }}
    imagePullPolicy: IfNotPresent
    command:
    - bash
    - -c
    - |
{% raw %}
        set -u
        # The chart's test of one PgBouncer instance (`helm test`). Everything about the instance
        # comes from the environment; see the chart's README, "Tests". One line per check
        # (`ok: ...` or `FAIL: ...: reason`), then `N checks, M failed`; exit 1 if a check failed.
        # Passwords reach psql only through PGPASSWORD; no password or userlist line is printed.

        checks=0
        failed=0
        ok() {
          checks=$((checks + 1))
          printf 'ok: %s\n' "$1"
        }
        fail() {
          checks=$((checks + 1))
          failed=$((failed + 1))
          printf 'FAIL: %s: %s\n' "$1" "$2"
        }
        finish() {
          printf '%d checks, %d failed\n' "$checks" "$failed"
          if ((failed > 0)); then exit 1; fi
          exit 0
        }
        is_number() { [[ $1 =~ ^[0-9]+$ ]]; }

        # The userlist: `"user" "password"` per line, `""` inside quotes is one `"` (PgBouncer's
        # auth_file format, read as `qspgb check-userlist` reads it). Blank lines and lines
        # starting with `;` or `#` are skipped; another line is reported by its number only.
        users=()
        passwords=()
        bad_lines=()
        userlist_error=""
        # Takes one quoted word from the start of $rest into $word; the rest stays in $rest.
        take_quoted() {
          local s=$rest value="" chunk
          [[ $s == '"'* ]] || return 1
          s=${s:1}
          while true; do
            case $s in
              '""'*) value+='"'; s=${s:2} ;;
              '"'*) word=$value; rest=${s:1}; return 0 ;;
              '') return 1 ;;
              *) chunk=${s%%'"'*}; value+=$chunk; s=${s:${#chunk}} ;;
            esac
          done
        }
        parse_userlist() {
          local line user number=0
          if [[ ! -f $1 || ! -r $1 ]]; then
            userlist_error="$1 is missing or unreadable"
            return
          fi
          while IFS= read -r line || [[ -n $line ]]; do
            number=$((number + 1))
            line=${line%$'\r'}
            rest=${line#"${line%%[![:space:]]*}"}
            case $rest in '' | ';'* | '#'*) continue ;; esac
            if take_quoted; then
              user=$word
              rest=${rest#"${rest%%[![:space:]]*}"}
              if take_quoted && [[ $rest != *[![:space:]]* ]]; then
                users+=("$user")
                passwords+=("$word")
                continue
              fi
            fi
            bad_lines+=("$number")
          done <"$1"
          if ((${#users[@]} == 0 && ${#bad_lines[@]} == 0)); then
            userlist_error="$1 has no users"
          fi
        }
        # The database a role's login is checked on: its name with `_` replaced by `-`.
        database_of() { printf '%s' "${1//_/-}"; }

        if [[ ${PGBOUNCER_TEST_PARSE_ONLY:-} == 1 ]]; then
          # Only parse USERLIST_FILE: print each user the login check would use (every user but
          # ADMIN_USER) and its database, tab-separated, one per line. For tests.
          parse_userlist "${USERLIST_FILE:-}"
          for i in "${!users[@]}"; do
            [[ ${users[i]} == "${ADMIN_USER:-}" ]] && continue
            printf '%s\t%s\n' "${users[i]}" "$(database_of "${users[i]}")"
          done
          for number in "${bad_lines[@]}"; do
            printf 'FAIL: userlist: line %s is not "user" "password"\n' "$number"
          done
          if [[ -n $userlist_error ]]; then printf 'FAIL: userlist: %s\n' "$userlist_error"; fi
          if [[ -n $userlist_error || ${#bad_lines[@]} -gt 0 ]]; then exit 1; fi
          exit 0
        fi

        for name in PGBOUNCER_HOST PGBOUNCER_PORT USERLIST_FILE ADMIN_USER ADMIN_PASSWORD \
          MAX_CLIENT_CONN DEFAULT_POOL_SIZE CHECK_MAX_CLIENT_CONN; do
          if [[ -z ${!name:-} ]]; then fail "environment" "$name is not set"; fi
        done
        for name in PGBOUNCER_PORT MAX_CLIENT_CONN DEFAULT_POOL_SIZE; do
          if [[ -n ${!name:-} ]] && ! is_number "${!name}"; then
            fail "environment" "$name is not a number"
          fi
        done
        if ((failed > 0)); then finish; fi

        export PGCONNECT_TIMEOUT=5
        errfile=$(mktemp) || {
          fail "temporary file" "mktemp failed (is /tmp writable?)"
          finish
        }
        trap 'rm -f "$errfile"' EXIT
        # Each psql run gets a name of its own, to find its connection in SHOW CLIENTS.
        application="pgbouncer-test-$$"

        # A libpq connection-string value: single-quoted, with \ and ' escaped.
        conn_value() {
          local v=${1//\\/\\\\}
          v=${v//\'/\\\'}
          printf "'%s'" "$v"
        }
        # run_sql HOST PORT USER PASSWORD DATABASE PSQL_ARGS...: runs psql with the statements
        # and options in PSQL_ARGS (`-t -c 'SELECT 1;'`). Its output is in $out, psql's last
        # message line in $reason; returns psql's exit status.
        run_sql() {
          local host=$1 port=$2 user=$3 password=$4 database=$5 status line
          shift 5
          out=$(PGPASSWORD=$password psql -X -A -v ON_ERROR_STOP=1 \
            -d "host=$(conn_value "$host") port=$(conn_value "$port") user=$(conn_value "$user") dbname=$(conn_value "$database") application_name=$application" \
            "$@" 2>"$errfile")
          status=$?
          reason=""
          while IFS= read -r line; do
            if [[ -n $line ]]; then reason=$line; fi
          done <"$errfile"
          reason=${reason#psql: error: }
          reason=${reason:0:300}
          if ((status != 0)) && [[ -z $reason ]]; then reason="psql exited with $status"; fi
          return "$status"
        }
        # sql USER PASSWORD DATABASE PSQL_ARGS...: run_sql at PGBOUNCER_HOST:PGBOUNCER_PORT.
        sql() { run_sql "$PGBOUNCER_HOST" "$PGBOUNCER_PORT" "$@"; }
        # admin STATEMENT...: on the admin console; rows only, fields separated by |.
        admin() {
          local statements=() statement
          for statement in "$@"; do statements+=(-c "$statement"); done
          sql "$ADMIN_USER" "$ADMIN_PASSWORD" pgbouncer -t -F'|' "${statements[@]}"
        }
        # admin_table STATEMENT...: as admin, with each result's header row first, so that columns
        # are found by name (their order differs between PgBouncer versions).
        admin_table() {
          local statements=() statement
          for statement in "$@"; do statements+=(-c "$statement"); done
          sql "$ADMIN_USER" "$ADMIN_PASSWORD" pgbouncer -F'|' -P footer=off "${statements[@]}"
        }
        # column NAME...: the index of the first NAME in the array $header, else returns 1.
        column() {
          local name i
          for name in "$@"; do
            for i in "${!header[@]}"; do
              if [[ ${header[i]} == "$name" ]]; then
                printf '%s' "$i"
                return 0
              fi
            done
          done
          return 1
        }

        target="$PGBOUNCER_HOST:$PGBOUNCER_PORT"

        # 1. TCP.
        # shellcheck disable=SC2016 # $1 and $2 are the inner shell's arguments.
        if timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2"' pgbouncer-test "$PGBOUNCER_HOST" "$PGBOUNCER_PORT" 2>"$errfile"; then
          ok "TCP connection to $target"
        else
          status=$?
          if ((status == 124)); then
            fail "TCP connection to $target" "no connection within 5 s"
          else
            fail "TCP connection to $target" "$(tail -n 1 "$errfile")"
          fi
          finish
        fi

        # 2. The admin console.
        if admin 'SHOW VERSION;'; then
          ok "admin console login as $ADMIN_USER ($out)"
        else
          fail "admin console login as $ADMIN_USER" "$reason"
        fi

        # 3. The loaded configuration.
        if admin 'SHOW CONFIG;'; then
          declare -A config=()
          while IFS='|' read -r key value _; do
            if [[ -n $key ]]; then config[$key]=$value; fi
          done <<<"$out"
          for setting in "max_client_conn $MAX_CLIENT_CONN" "default_pool_size $DEFAULT_POOL_SIZE"; do
            key=${setting% *}
            want=${setting#* }
            if [[ -z ${config[$key]+set} ]]; then
              fail "$key is $want" "not in SHOW CONFIG"
            elif [[ ${config[$key]} == "$want" ]]; then
              ok "$key is $want"
            else
              fail "$key is $want" "the pooler runs with ${config[$key]}"
            fi
          done
        else
          fail "configuration (SHOW CONFIG)" "$reason"
        fi

        # 4. Every user of the userlist but the admin logs in.
        parse_userlist "$USERLIST_FILE"
        first=""
        for number in "${bad_lines[@]}"; do
          fail "userlist" "line $number is not \"user\" \"password\""
        done
        if [[ -n $userlist_error ]]; then
          fail "userlist" "$userlist_error"
        fi
        for i in "${!users[@]}"; do
          user=${users[i]}
          password=${passwords[i]}
          [[ $user == "$ADMIN_USER" ]] && continue
          [[ -z $first ]] && first=$i
          database=$(database_of "$user")
          what="$user runs SELECT 1 on database $database"
          if [[ $password =~ ^md5[0-9a-f]{32}$ || $password == SCRAM-SHA-256\$* ]]; then
            fail "$what" "the userlist holds a hashed password; a login needs the plain text"
          elif ! sql "$user" "$password" "$database" -t -c 'SELECT 1;'; then
            fail "$what" "$reason"
          elif [[ $out != 1 ]]; then
            fail "$what" "the result was not 1"
          else
            ok "$what"
          fi
        done
        if [[ -z $first && -z $userlist_error ]]; then
          fail "userlist" "no user besides $ADMIN_USER"
        fi

        # 5. A wrong password is refused.
        if [[ -n $first ]]; then
          user=${users[first]}
          what="a wrong password for $user is refused"
          if sql "$user" "${passwords[first]}-wrong" "$(database_of "$user")" -t -c 'SELECT 1;'; then
            fail "$what" "the login succeeded"
          elif [[ $reason == *"authentication failed"* ]]; then
            ok "$what"
          else
            fail "$what" "not an authentication error: $reason"
          fi
        fi

        # 6. Server connections stay within pool_size + reserve pool, per database.
        what="server connections within pool_size + reserve_pool"
        if ! admin_table 'SHOW DATABASES;'; then
          fail "$what" "SHOW DATABASES: $reason"
        else
          declare -A limit=()
          {
            IFS='|' read -r -a header
            name_at=$(column name) && size_at=$(column pool_size) &&
              reserve_at=$(column reserve_pool_size reserve_pool)
            columns_found=$?
            while IFS='|' read -r -a row; do
              ((columns_found == 0)) || break
              if is_number "${row[size_at]:-}" && is_number "${row[reserve_at]:-}"; then
                limit[${row[name_at]}]=$((row[size_at] + row[reserve_at]))
              fi
            done
          } <<<"$out"
          if ((columns_found != 0)); then
            fail "$what" "SHOW DATABASES has no name, pool_size or reserve_pool column"
          elif ! admin_table 'SHOW POOLS;'; then
            fail "$what" "SHOW POOLS: $reason"
          else
            pools=0
            problems=()
            {
              IFS='|' read -r -a header
              at=()
              for name in database user sv_active sv_idle sv_used sv_tested sv_login; do
                index=$(column "$name") || break
                at+=("$index")
              done
              if ((${#at[@]} != 7)); then
                problems+=("SHOW POOLS has no $name column")
              fi
              while ((${#at[@]} == 7)) && IFS='|' read -r -a row; do
                database=${row[at[0]]:-}
                [[ -z $database || $database == pgbouncer ]] && continue
                pools=$((pools + 1))
                pool="pool $database/${row[at[1]]:-}"
                servers=0
                for j in 2 3 4 5 6; do
                  count=${row[at[j]]:-}
                  if ! is_number "$count"; then
                    servers=""
                    break
                  fi
                  servers=$((servers + count))
                done
                allowed=${limit[$database]:-}
                if [[ -z $allowed ]]; then
                  problems+=("$pool: its database is not in SHOW DATABASES")
                elif [[ -z $servers ]]; then
                  problems+=("$pool: SHOW POOLS gave a count that is not a number")
                elif ((servers > allowed)); then
                  problems+=("$pool has $servers server connections, limit $allowed")
                fi
              done
            } <<<"$out"
            if ((${#problems[@]} == 0)); then
              ok "$what ($pools pools)"
            else
              reasons=${problems[0]}
              for problem in "${problems[@]:1}"; do reasons+="; $problem"; done
              fail "$what" "$reasons"
            fi
          fi
        fi

        # 7. max_client_conn is enforced: fill every client slot of one PgBouncer, then one more
        # login must be refused. The Service may spread connections over several pods, so the
        # slots are filled on the pod whose count was read, at the address it was reached on.
        if [[ $CHECK_MAX_CLIENT_CONN == true ]]; then
          what="max_client_conn $MAX_CLIENT_CONN is enforced"
          fd_limit=$(ulimit -n)
          if [[ $fd_limit != unlimited ]] && ((MAX_CLIENT_CONN > fd_limit - 20)); then
            fail "$what" "max_client_conn $MAX_CLIENT_CONN is more than this shell's file descriptor limit $fd_limit minus 20"
          elif [[ -z $first ]]; then
            fail "$what" "no user besides $ADMIN_USER in the userlist to log in with"
          elif ! admin_table 'SHOW CLIENTS;' 'SHOW LISTS;'; then
            fail "$what" "SHOW CLIENTS, SHOW LISTS: $reason"
          else
            pod_addr=""
            pod_port=""
            used=""
            {
              IFS='|' read -r -a header
              addr_at=$(column local_addr)
              port_at=$(column local_port)
              application_at=$(column application_name)
              while IFS='|' read -r -a row; do
                if [[ ${row[0]:-} == list && ${row[1]:-} == items ]]; then
                  while IFS='|' read -r list items; do
                    if [[ $list == used_clients ]]; then used=$items; fi
                  done
                  break
                fi
                if [[ -n $addr_at && -n $port_at && -n $application_at &&
                  ${row[application_at]:-} == "$application" ]]; then
                  pod_addr=${row[addr_at]:-}
                  pod_port=${row[port_at]:-}
                fi
              done
            } <<<"$out"
            if ! is_number "$used"; then
              fail "$what" "SHOW LISTS has no used_clients count"
            elif [[ -z $pod_addr || $pod_addr == unix ]] || ! is_number "$pod_port"; then
              fail "$what" "SHOW CLIENTS does not show this connection's local_addr and local_port"
            else
              # The console connection that read the count is closed now: the other clients are
              # used - 1. Filling up to max_client_conn leaves the next login one too many.
              open=$((MAX_CLIENT_CONN - used + 1))
              fds=()
              opened=0
              for ((n = 0; n < open; n++)); do
                { exec {fd}<>"/dev/tcp/$pod_addr/$pod_port"; } 2>"$errfile" || break
                fds+=("$fd")
                # One byte, the start of a startup packet: PgBouncer defers accepting a connection
                # until it has data (tcp_defer_accept), and then waits for the rest of the packet.
                printf '\0' 1>&"$fd" 2>"$errfile" || break
                opened=$((opened + 1))
              done
              user=${users[first]}
              if ((opened < open)); then
                fail "$what" "opened only $opened of $open connections to $pod_addr:$pod_port: $(tail -n 1 "$errfile")"
              elif run_sql "$pod_addr" "$pod_port" "$user" "${passwords[first]}" "$(database_of "$user")" -t -c 'SELECT 1;'; then
                fail "$what" "a login succeeded with every client slot in use"
              elif [[ $reason == *"no more connections allowed (max_client_conn)"* ]]; then
                ok "$what (a login with $MAX_CLIENT_CONN clients connected to $pod_addr:$pod_port is refused)"
              else
                fail "$what" "the login failed otherwise: $reason"
              fi
              for fd in "${fds[@]}"; do
                exec {fd}>&-
              done
            fi
          fi
        fi

        finish
{% endraw %}
    - pgbouncer-test
    env:
    - name: HOME
      value: /tmp
    - name: PGBOUNCER_HOST
      value: {{ fullname | quote }}
    - name: PGBOUNCER_PORT
      value: {{ instance.service.port | quote }}
    - name: USERLIST_FILE
      value: /etc/userlist/userlist.txt
    {#
      optional: a missing Secret leaves the variable unset (or the userlist folder empty),
      which the script reports as a failed check, instead of a pod that never starts.
    #}
{% for env_name, key in [("ADMIN_USER", instance.config.adminUserKey | default("adminUser")), ("ADMIN_PASSWORD", instance.config.adminPasswordKey | default("adminPassword"))] %}
    - name: {{ env_name | scalar }}
      valueFrom:
        secretKeyRef:
          name: {{ h.adminSecretName(alias) | scalar }}
          key: {{ key | scalar }}
          optional: true
{% endfor %}
    {# PgBouncer's own defaults when the chart does not set them. #}
    - name: MAX_CLIENT_CONN
      value: {{ settings.max_client_conn | default(100) | exact_string | quote }}
    - name: DEFAULT_POOL_SIZE
      value: {{ settings.default_pool_size | default(20) | exact_string | quote }}
    - name: CHECK_MAX_CLIENT_CONN
      value: {{ ("true" if Values.tests.checkMaxClientConn else "false") | quote }}
{% if Values.tests.resources %}
    resources:
      {{- Values.tests.resources | toYaml | nindent(6) }}
{% endif %}
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities:
        drop:
        - ALL
    volumeMounts:
    - name: tmp
      mountPath: /tmp
    - name: userlist
      mountPath: /etc/userlist
      readOnly: true
  volumes:
  - name: tmp
    emptyDir: {}
  - name: userlist
    secret:
      secretName: {{ h.userlistSecretName(alias) | scalar }}
      optional: true
{% endfor %}
