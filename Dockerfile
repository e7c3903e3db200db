# The container of the GitHub Action (action.yml). Published to ghcr.io by
# .github/workflows/release.yml; workflows pull that image instead of building this file.
#
# Build stage: a release build of the one binary.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
RUN cargo build --release --locked \
 && install -m 0755 target/release/ecs-migrate /ecs-migrate

# The Docker CLI and its buildx plugin, static binaries, for `run` steps that build the image.
FROM docker:27-cli AS docker-cli

# Runtime: what `run` needs at run time and nothing else.
# - ca-certificates: TLS to AWS, GitHub and Slack.
# - the Docker CLI (+ buildx): builds and pushes talk to the runner's engine through the
#   /var/run/docker.sock the runner mounts into container actions.
# No USER (the runner expects root, to write the workspace and the file commands) and no
# WORKDIR (the runner sets --workdir /github/workspace itself, with the workspace mounted there).
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=docker-cli /usr/local/bin/docker /usr/local/bin/docker
COPY --from=docker-cli /usr/local/libexec/docker/cli-plugins/docker-buildx /usr/local/libexec/docker/cli-plugins/docker-buildx
COPY --from=build /ecs-migrate /usr/local/bin/ecs-migrate
ENTRYPOINT ["/usr/local/bin/ecs-migrate"]
