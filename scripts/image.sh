#!/usr/bin/env bash
# The qspgb container image (Dockerfile): built offline with Debian's podman, and run the
# way the chart runs it.
#
#   bash scripts/image.sh install            podman and runc from Debian, when missing
#   bash scripts/image.sh build              the release binary, its static check, and
#                                            `podman build`, tagged ghcr.io/qs/qspgb:<version>
#   bash scripts/image.sh test               build, then run the image's checks (below)
#   bash scripts/image.sh static-check FILE  exit 0 only when FILE runs without a dynamic
#                                            loader (no PT_INTERP, no DT_NEEDED)
#   bash scripts/image.sh ref                print the image reference
#
# <version> is Cargo.toml's `version`: the tag the chart's hooks.image.tag names (a test
# keeps every written tag equal to it, tests/it/image.rs). QSPGB_IMAGE overrides the
# repository (default ghcr.io/qs/qspgb). The release binary is built in $CARGO_TARGET_DIR
# (default target/); `build` and `test` may be run again: nothing changed, nothing rebuilt.
#
# Every podman command names the runc runtime: Debian's default, crun, fails to start
# containers on machines with hybrid cgroups over their rlimits, hence also the explicit
# --ulimit values. The containers run with no network, a read-only root, no capabilities
# and no new privileges, as the chart's securityContext runs them.
set -euo pipefail
# static-check's FILE is relative to where the script was started.
caller_dir="$PWD"
cd "$(dirname "$0")/.."

log() { printf '==> %s\n' "$*" >&2; }
# Temporary directories, removed at exit however the script ends.
temporary=()
trap 'rm -rf "${temporary[@]}"' EXIT
# tempdir NAME: a new temporary directory in variable NAME (no subshell, so it is recorded).
tempdir() { printf -v "$1" '%s' "$(mktemp -d)"; temporary+=("${!1}"); }
die() { printf 'image.sh: %s\n' "$*" >&2; exit 1; }

repository="${QSPGB_IMAGE:-ghcr.io/qs/qspgb}"
podman=(podman --runtime runc)
run=("${podman[@]}" run --rm --pull=never --network none --read-only --cap-drop ALL
     --security-opt no-new-privileges --ulimit nofile=1024:1024 --ulimit nproc=4096:4096)

# The crate version, read from Cargo.toml's [package] table (no cargo needed).
version() {
  local v
  v=$(awk '/^\[/ { pkg = ($0 == "[package]") } pkg && /^version *=/ { gsub(/.*= *"|".*/, ""); print; exit }' Cargo.toml)
  [ -n "$v" ] || die "Cargo.toml: [package] version: expected \"X.Y.Z\", found none"
  printf '%s\n' "$v"
}

image_ref() { printf '%s:%s\n' "$repository" "$(version)"; }

install() {
  local missing=() pkg
  # binutils holds readelf (static-check); it is there wherever Rust links, but say so.
  for pkg in podman runc binutils; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if ((${#missing[@]} == 0)); then
    log "podman, runc and binutils are installed"
    return
  fi
  log "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

need_podman() {
  if ! command -v podman >/dev/null || ! command -v runc >/dev/null; then
    die "podman and runc not found: run \`bash scripts/image.sh install\` first"
  fi
}

# Whether FILE can run in an image without a dynamic loader. `ldd` cannot tell: on a
# static-pie binary (what crt-static builds) it prints "statically linked" and exits 0, as
# it does for a dynamic one. The ELF headers can: a program that needs the loader names it
# in a PT_INTERP program header, and the libraries it needs in DT_NEEDED entries.
static_check() {
  local file="$1" header type entry interp needed
  command -v readelf >/dev/null || die "readelf not found: install Debian's binutils"
  [ -f "$file" ] || { echo "$file: not found (expected a built binary)" >&2; return 1; }
  if ! header=$(LC_ALL=C readelf -hW "$file" 2>/dev/null); then
    echo "$file: expected an ELF executable, found a file readelf cannot read as ELF" >&2
    return 1
  fi
  type=$(sed -n 's/^ *Type: *\([A-Z]*\).*/\1/p' <<<"$header")
  entry=$(sed -n 's/^ *Entry point address: *//p' <<<"$header")
  if [[ "$type" != EXEC && "$type" != DYN ]] || [ "$entry" = 0x0 ]; then
    echo "$file: expected an ELF executable, found ELF type ${type:-?} with entry point ${entry:-?}" >&2
    return 1
  fi
  interp=$(LC_ALL=C readelf -lW "$file" | sed -n 's/.*\[Requesting program interpreter: \(.*\)\]/\1/p')
  if LC_ALL=C readelf -lW "$file" | grep -Eq '^ +INTERP '; then
    echo "$file: expected a static binary, found a PT_INTERP program header (needs the dynamic loader ${interp:-?}, which the image does not have)" >&2
    return 1
  fi
  needed=$(LC_ALL=C readelf -dW "$file" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | paste -sd ' ' -)
  if [ -n "$needed" ]; then
    echo "$file: expected a static binary, found DT_NEEDED shared libraries: $needed" >&2
    return 1
  fi
  echo "$file: static ELF $type, no program interpreter, no shared libraries"
}

# The release binary's path, as cargo reports it (whatever the target directory).
release_binary() {
  local bin
  log "cargo build --release --locked"
  bin=$(cargo build --release --locked --message-format=json-render-diagnostics \
        | sed -n 's/.*"executable":"\([^"]*\/qspgb\)".*/\1/p' | tail -n 1)
  if [ -z "$bin" ] || [ ! -x "$bin" ]; then
    die "cargo build --release reported no qspgb executable"
  fi
  printf '%s\n' "$bin"
}

image_id() { "${podman[@]}" image inspect --format '{{.Id}}' "$1" 2>/dev/null || true; }

# `build` sets it: the path of the checked release binary.
binary=""

build() {
  need_podman
  local bin ref before after context
  bin=$(release_binary)
  log "static check of $bin"
  static_check "$bin" >&2 || die "refusing to build an image the binary cannot run in"
  ref=$(image_ref)
  before=$(image_id "$ref")
  # The build context holds the checked binary alone: nothing else of the checkout (or
  # its gigabytes of target/) is sent, and the Dockerfile cannot pick up anything else.
  tempdir context
  cp "$bin" "$context/qspgb"
  log "podman build -t $ref"
  # --timestamp 0: the same binary gives the same image ID, so a rebuild changes nothing;
  # --layers=false: no intermediate images are left behind (one COPY has nothing to cache).
  "${podman[@]}" build --quiet --pull=never --network none --layers=false --timestamp 0 \
    --build-arg "VERSION=$(version)" -f "$PWD/Dockerfile" -t "$ref" "$context" >/dev/null
  after=$(image_id "$ref")
  if [ "$before" = "$after" ]; then
    log "$ref is up to date (${after:0:12})"
  else
    log "built $ref (${after:0:12})"
    # The image this tag named before is now untagged: remove it (not if something else
    # still names or uses it).
    [ -z "$before" ] || "${podman[@]}" image rm "$before" >/dev/null 2>&1 || true
  fi
  binary="$bin"
}

failures=0
ok() { printf 'ok   %s\n' "$*"; }
fail() { printf 'FAIL %s\n' "$*" >&2; failures=$((failures + 1)); }

test_image() {
  build
  local ref bin version work out code
  ref=$(image_ref)
  bin="$binary"
  version=$(version)
  tempdir work
  log "checking $ref"

  # The static check can fail: a dynamic binary is refused.
  if static_check /bin/true >/dev/null 2>"$work/err"; then
    fail "static-check accepted /bin/true, a dynamic binary"
  else
    ok "static-check refuses a dynamic binary: $(cat "$work/err")"
  fi

  # The image's configuration.
  local user entrypoint label
  user=$("${podman[@]}" image inspect --format '{{.Config.User}}' "$ref")
  entrypoint=$("${podman[@]}" image inspect --format '{{json .Config.Entrypoint}}' "$ref")
  label=$("${podman[@]}" image inspect --format '{{index .Config.Labels "org.opencontainers.image.version"}}' "$ref")
  if [ "$user" = 65532:65532 ]; then ok "runs as user 65532:65532"
  else fail "image user: expected 65532:65532 (non-root), found '${user}'"; fi
  if [ "$entrypoint" = '["/usr/local/bin/qspgb"]' ]; then ok "entrypoint is /usr/local/bin/qspgb"
  else fail "image entrypoint: expected [\"/usr/local/bin/qspgb\"], found $entrypoint"; fi
  if [ "$label" = "$version" ]; then ok "label org.opencontainers.image.version is $version"
  else fail "image label org.opencontainers.image.version: expected $version, found '${label}'"; fi

  # The image's filesystem, from its layers as `podman save` writes them (no mount, so
  # this works without root too): the binary and its directories, nothing else.
  mkdir "$work/save" "$work/root"
  "${podman[@]}" save --quiet --format docker-archive -o "$work/image.tar" "$ref"
  tar -xf "$work/image.tar" -C "$work/save"
  local layer files
  for layer in "$work"/save/*.tar; do
    if [ -f "$layer" ]; then tar -xf "$layer" -C "$work/root"; fi
  done
  files=$(cd "$work/root" && find . -mindepth 1 | sed 's|^\./||' | sort | paste -sd ' ' -)
  if [ "$files" = "usr usr/local usr/local/bin usr/local/bin/qspgb" ]; then
    ok "the filesystem holds only usr/local/bin/qspgb"
  else
    fail "image filesystem: expected only usr/local/bin/qspgb and its directories, found: $files"
  fi
  if cmp -s "$work/root/usr/local/bin/qspgb" "$bin"; then ok "its binary is the checked release binary"
  else fail "image /usr/local/bin/qspgb differs from $bin"; fi

  # Run it as the chart does.
  out=$("${run[@]}" "$ref" version 2>&1) && code=0 || code=$?
  if [ "$code" = 0 ] && [ "$(head -n 1 <<<"$out")" = "qspgb $version" ]; then
    ok "qspgb version: qspgb $version"
  else
    fail "qspgb version in the container: expected exit 0 and 'qspgb $version', found exit $code: $out"
  fi

  "$bin" render >"$work/host.yaml"
  "${run[@]}" "$ref" render >"$work/container.yaml" 2>"$work/err" && code=0 || code=$?
  if [ "$code" = 0 ] && [ -s "$work/host.yaml" ] && cmp -s "$work/host.yaml" "$work/container.yaml"; then
    ok "qspgb render: byte-identical to the host binary's ($(wc -c <"$work/host.yaml") bytes)"
  else
    fail "qspgb render in the container: expected exit 0 and the host binary's output, found exit $code: $(cat "$work/err")"
  fi

  # check-userlist on a mounted userlist, as the init container runs it. The directory and
  # two files are readable by user 65532; the entry is a made-up md5 hash, no password.
  mkdir -m 0755 "$work/userlist"
  printf '"app" "md5%s"\n' 0123456789abcdef0123456789abcdef >"$work/userlist/valid.txt"
  printf '"app" md5-without-quotes\n' >"$work/userlist/invalid.txt"
  cp "$work/userlist/valid.txt" "$work/userlist/private.txt"
  chmod 0644 "$work/userlist/valid.txt" "$work/userlist/invalid.txt"
  chmod 0600 "$work/userlist/private.txt"
  local mount=(-v "$work/userlist:/etc/userlist:ro")
  out=$("${run[@]}" "${mount[@]}" "$ref" check-userlist /etc/userlist/valid.txt 2>&1) && code=0 || code=$?
  if [ "$code" = 0 ]; then ok "check-userlist on a valid userlist: exit 0 ($out)"
  else fail "check-userlist on a valid userlist: expected exit 0, found exit $code: $out"; fi
  out=$("${run[@]}" "${mount[@]}" "$ref" check-userlist /etc/userlist/invalid.txt 2>&1) && code=0 || code=$?
  if [ "$code" = 1 ]; then ok "check-userlist on an invalid userlist: exit 1 ($out)"
  else fail "check-userlist on an invalid userlist: expected exit 1, found exit $code: $out"; fi
  # Not root at run time either: a file only root may read is refused (root would read it).
  out=$("${run[@]}" "${mount[@]}" "$ref" check-userlist /etc/userlist/private.txt 2>&1) && code=0 || code=$?
  if [ "$code" != 0 ] && grep -qi 'permission denied' <<<"$out"; then
    ok "runs as non-root: a file only root may read is refused"
  else
    fail "reading a root-only (0600) userlist: expected permission denied, found exit $code: $out"
  fi

  # docs/install.md's commands, as the page shows them (tests/it/docs_commands.rs checks
  # that each `sh ci` line there is a line here): running the image, moving it as a file.
  log "docs/install.md: podman run, podman save and podman load"
  if out=$(podman --runtime runc run --rm --network none --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 "$(bash scripts/image.sh ref)" version 2>&1) \
      && [ "$(head -n 1 <<<"$out")" = "qspgb $version" ]; then
    ok "docs/install.md: podman run … version prints qspgb $version"
  else
    fail "docs/install.md: podman run … version: $out"
  fi
  # (in the repository root, where the script runs; the archive is removed again)
  if { podman save --quiet --format oci-archive -o qspgb-image.tar "$(bash scripts/image.sh ref)" &&
       podman load --quiet -i qspgb-image.tar;
     } >/dev/null 2>"$work/err"; then
    ok "docs/install.md: podman save and podman load of $ref"
  else
    fail "docs/install.md: podman save/load: $(tail -n 20 "$work/err")"
  fi
  rm -f qspgb-image.tar

  # docs/install.md's `cargo install --locked --path .`; it reuses the release build.
  log "cargo install --locked --path . --root <temporary directory>"
  if cargo install --locked --path . --quiet --root "$work/install" >"$work/err" 2>&1 \
      && [ "$("$work/install/bin/qspgb" version | head -n 1)" = "qspgb $version" ]; then
    ok "cargo install --locked --path . installs bin/qspgb ($version)"
  else
    fail "cargo install --locked --path .: $(tail -n 20 "$work/err")"
  fi

  if ((failures)); then
    die "$failures check(s) of $ref failed"
  fi
  log "$ref passed every check"
}

case "${1:-}" in
  install) install ;;
  build) build ;;
  test) test_image ;;
  static-check)
    [ $# -eq 2 ] || die "usage: bash scripts/image.sh static-check FILE"
    file="$2"
    [[ "$file" = /* ]] || file="$caller_dir/$file"
    static_check "$file"
    ;;
  ref) image_ref ;;
  *)
    echo "usage: bash scripts/image.sh install|build|test|static-check FILE|ref" >&2
    exit 2
    ;;
esac
