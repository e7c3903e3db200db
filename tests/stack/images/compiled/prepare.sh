#!/usr/bin/env bash
# Builds sqlx-cli (PostgreSQL only, rustls) once per machine into the stack's cache and copies
# the binary into the build context (the current directory).
set -euo pipefail
version=0.8.6
root="$IMAGE_CACHE/sqlx-cli-$version"
if [[ ! -x "$root/bin/sqlx" ]]; then
  target="$(mktemp -d)"
  trap 'rm -rf "$target"' EXIT
  nice cargo install sqlx-cli --version "$version" --locked --no-default-features \
    --features postgres,rustls --root "$root" --target-dir "$target" --quiet
fi
cp "$root/bin/sqlx" ./sqlx
