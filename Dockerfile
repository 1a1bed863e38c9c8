# The qspgb image: one static binary and nothing else. The chart's hook Job (`qspgb hooks`),
# the userlist init container (`qspgb check-userlist`) and the Argo CD sidecar
# (deploy/argocd) run it. Build it with
#
#   bash scripts/image.sh build
#
# which tags it with the crate version (Cargo.toml `version`, the chart's hooks.image.tag;
# tests/it/image.rs fails when a tag written anywhere in the repository disagrees).
#
# Why there is no builder stage: a `FROM rust:…` stage needs a registry to pull from, and
# the machines that build this image reach none (only package registries). So the script
# builds the release binary on the host (`cargo build --release --locked`), refuses it
# unless it is static (no PT_INTERP program header, no DT_NEEDED library: `ldd` cannot tell,
# it exits 0 for a static-pie binary), and hands this file a build context that holds that
# binary alone.
#
# Why `scratch` works: the binary is statically linked (glibc, crt-static, see
# .cargo/config.toml), TLS is rustls with the cluster CA from the service account, and the
# in-cluster API address comes from KUBERNETES_SERVICE_HOST (an IP), so no DNS, no CA
# bundle and no shell are needed. `bash scripts/image.sh test` runs the built image that
# way, and tests/e2e/hooks_e2e.rs runs the binary in an empty root directory as user 65532.

FROM scratch
# The crate version, passed by scripts/image.sh; a label, so `podman image inspect` shows
# which qspgb an image holds whatever it was tagged.
ARG VERSION
LABEL org.opencontainers.image.title="qspgb" \
      org.opencontainers.image.version="${VERSION}"
COPY qspgb /usr/local/bin/qspgb
# Non-root, matching the chart's runAsUser; the root filesystem can be read-only.
USER 65532:65532
# On the default PATH, so the Argo CD sidecar (deploy/argocd) finds `qspgb` too.
ENTRYPOINT ["/usr/local/bin/qspgb"]
