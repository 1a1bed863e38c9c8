# The qspgb image: one static binary and nothing else. The chart's hook Job (`qspgb hooks`)
# and the userlist init container (`qspgb check-userlist`) run it.
#
#   docker build -t ghcr.io/qs/qspgb:0.4.0 .
#
# Why `scratch` works: the binary is statically linked (glibc, crt-static, see
# .cargo/config.toml), TLS is rustls with the cluster CA from the service account, and the
# in-cluster API address comes from KUBERNETES_SERVICE_HOST (an IP), so no DNS, no CA
# bundle and no shell are needed. tests/hooks_e2e.rs runs the binary this way: in an empty
# root directory, as user 65532, with only a service account token, CA and namespace.

FROM docker.io/library/rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
# The build fails if the binary needs a dynamic loader: the final image has none.
RUN cargo build --release --locked \
 && cp target/x86_64-unknown-linux-gnu/release/qspgb /qspgb \
 && if ldd /qspgb >/dev/null 2>&1; then echo "qspgb is not static" >&2; exit 1; fi \
 && /qspgb version

FROM scratch
COPY --from=build /qspgb /usr/local/bin/qspgb
# Non-root, matching the chart's runAsUser; the root filesystem can be read-only.
USER 65532:65532
# On the default PATH, so the Argo CD sidecar (deploy/argocd) finds `qspgb` too.
ENTRYPOINT ["/usr/local/bin/qspgb"]
