# The container of the GitHub Action (action.yml). Published to ghcr.io by
# .github/workflows/release.yml; workflows pull that image instead of building this file.
#
# Every base image is a build argument whose default is what the release builds from. The test
# suite (tests/integration/action_image.rs) passes images it made from Debian's packages, since
# no public registry is reachable there, and BINARY_FROM=<an image holding the binary it built>:
# with BuildKit the build stage is then never built (the release workflow builds it).
ARG RUST_IMAGE=rust:1-bookworm
ARG DOCKER_CLI_IMAGE=docker:27-cli
ARG RUNTIME_IMAGE=debian:bookworm-slim
# Where /ecs-migrate comes from: the build stage below, or an image with the binary at that path.
ARG BINARY_FROM=build

# Build stage: a release build of the one binary.
FROM ${RUST_IMAGE} AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
RUN cargo build --release --locked \
 && install -m 0755 target/release/ecs-migrate /ecs-migrate

FROM ${BINARY_FROM} AS binary

# The Docker CLI and its buildx plugin, static binaries, for `run` steps that build the image.
FROM ${DOCKER_CLI_IMAGE} AS docker-cli

# Runtime: what `run` needs at run time and nothing else.
# - ca-certificates: TLS to AWS, GitHub and Slack.
# - the Docker CLI (+ buildx): builds and pushes talk to the runner's engine through the
#   /var/run/docker.sock the runner mounts into container actions.
# No USER (the runner expects root, to write the workspace and the file commands) and no
# WORKDIR (the runner sets --workdir /github/workspace itself, with the workspace mounted there).
FROM ${RUNTIME_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=docker-cli /usr/local/bin/docker /usr/local/bin/docker
COPY --from=docker-cli /usr/local/libexec/docker/cli-plugins/docker-buildx /usr/local/libexec/docker/cli-plugins/docker-buildx
COPY --from=binary /ecs-migrate /usr/local/bin/ecs-migrate
ENTRYPOINT ["/usr/local/bin/ecs-migrate"]
