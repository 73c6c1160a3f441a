# syntax=docker/dockerfile:1
# quarry's container image, for the recipes in pipelines/deploy/ (Slurm via
# apptainer, Kubernetes Indexed Jobs):
#   docker build -t registry.example.com/quarry:0.1.0 .
#   docker run --rm registry.example.com/quarry:0.1.0 run /opt/quarry/pipelines/documents.toml \
#       --input s3://bucket/incoming --output s3://bucket/quarry
# Needs BuildKit (the default builder since Docker 23) for the cache mounts.

# The workspace's toolchain (rustc 1.95; Cargo.toml's rust-version is the
# minimum). Bookworm, like the runtime stage, so the binary's glibc matches.
ARG RUST_VERSION=1.95
FROM rust:${RUST_VERSION}-bookworm AS build
WORKDIR /src
# The whole workspace: cargo reads every member's manifest and the targets
# they declare (crates/quarry names ../../tests/end_to_end.rs).
COPY . .
# The same build as `make build`, pinned to Cargo.lock. aws-lc-sys (TLS for
# object stores) and zstd-sys compile C with the image's gcc; nothing else
# native is needed. target/ is a cache mount, so the binary is copied out in
# the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p quarry \
 && install -m 0755 target/release/quarry /usr/local/bin/quarry

FROM debian:bookworm-slim
# ca-certificates: rustls checks https endpoints against the system roots.
# A fixed numeric uid/gid so Kubernetes' runAsNonRoot can verify it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 quarry \
 && useradd --system --uid 10001 --gid quarry --create-home --home-dir /home/quarry --shell /usr/sbin/nologin quarry
COPY --from=build /usr/local/bin/quarry /usr/local/bin/quarry
COPY pipelines/ /opt/quarry/pipelines/
USER 10001:10001
WORKDIR /home/quarry
ENTRYPOINT ["quarry"]
CMD ["--help"]
