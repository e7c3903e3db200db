#!/bin/sh
# Installs the ecs-migrate binary from a GitHub release: detects the platform, downloads the
# archive and its SHA-256 checksum, refuses a download whose checksum does not match (nothing is
# installed then), and puts the binary in the chosen directory.
#
#   curl -fsSL https://raw.githubusercontent.com/ecs-migrate/ecs-migrate/main/install.sh \
#     | sh -s -- --version 0.1.0 --dir /usr/local/bin
#
# Options (or environment variables):
#   --version V   ECS_MIGRATE_VERSION   the release to install, e.g. 0.1.0 (default: the latest)
#   --dir D       ECS_MIGRATE_INSTALL_DIR  where to put the binary (default: /usr/local/bin when
#                                       writable, else ~/.local/bin)
#   ECS_MIGRATE_DOWNLOAD_URL   where releases are downloaded from (default: this repository's
#                              GitHub releases; a mirror or a test server keeps the same layout:
#                              <url>/v<version>/ecs-migrate-<version>-<target>.tar.gz[.sha256])
set -eu

REPOSITORY="ecs-migrate/ecs-migrate"
version="${ECS_MIGRATE_VERSION:-}"
dir="${ECS_MIGRATE_INSTALL_DIR:-}"
base="${ECS_MIGRATE_DOWNLOAD_URL:-https://github.com/${REPOSITORY}/releases/download}"

say() { echo "install.sh: $*" >&2; }
die() { say "error: $*"; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --version) [ $# -ge 2 ] || die "--version needs a value"; version="$2"; shift 2 ;;
    --dir) [ $# -ge 2 ] || die "--dir needs a value"; dir="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" 2>/dev/null || true; exit 0 ;;
    *) die "unknown option $1 (use --version V and --dir D)" ;;
  esac
done

# The release target of this machine, as the release workflow names its archives.
case "$(uname -s)" in
  Linux) os="unknown-linux-musl" ;;
  Darwin) os="apple-darwin" ;;
  *) die "no release binary for $(uname -s): build it with cargo install ecs-migrate" ;;
esac
case "$(uname -m)" in
  x86_64|amd64) arch="x86_64" ;;
  aarch64|arm64) arch="aarch64" ;;
  *) die "no release binary for $(uname -m): build it with cargo install ecs-migrate" ;;
esac
target="${arch}-${os}"

fetch() { # URL FILE
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 3 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1"
  else
    die "neither curl nor wget is installed"
  fi
}

if [ -z "$version" ]; then
  # GitHub redirects releases/latest to the newest release's tag.
  command -v curl >/dev/null 2>&1 || die "pass --version (finding the latest needs curl)"
  latest="$(curl -fsSLI -o /dev/null -w '%{url_effective}' "https://github.com/${REPOSITORY}/releases/latest")"
  version="${latest##*/v}"
  [ -n "$version" ] && [ "$version" != "$latest" ] || die "could not find the latest release; pass --version"
fi
version="${version#v}"

if [ -z "$dir" ]; then
  if [ -w /usr/local/bin ]; then dir=/usr/local/bin; else dir="${HOME}/.local/bin"; fi
fi

archive="ecs-migrate-${version}-${target}.tar.gz"
url="${base}/v${version}/${archive}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT INT TERM

say "downloading ${url}"
fetch "$url" "$work/$archive" || die "could not download ${url} (is ${version} released for ${target}?)"
fetch "${url}.sha256" "$work/$archive.sha256" || die "could not download the checksum ${url}.sha256"

expected="$(cut -d ' ' -f 1 < "$work/$archive.sha256")"
if command -v sha256sum >/dev/null 2>&1; then
  actual="$(sha256sum "$work/$archive" | cut -d ' ' -f 1)"
elif command -v shasum >/dev/null 2>&1; then
  actual="$(shasum -a 256 "$work/$archive" | cut -d ' ' -f 1)"
else
  die "neither sha256sum nor shasum is installed: cannot verify the download"
fi
[ -n "$expected" ] && [ "$actual" = "$expected" ] \
  || die "checksum mismatch for ${archive} (expected ${expected:-nothing}, got ${actual}): nothing installed"

tar -xzf "$work/$archive" -C "$work"
[ -f "$work/ecs-migrate" ] || die "${archive} holds no ecs-migrate binary"
mkdir -p "$dir"
# Copied beside the target, then renamed: a running ecs-migrate is never half overwritten.
cp "$work/ecs-migrate" "$dir/.ecs-migrate.new"
chmod 755 "$dir/.ecs-migrate.new"
mv -f "$dir/.ecs-migrate.new" "$dir/ecs-migrate"
say "installed ecs-migrate ${version} (${target}) in ${dir}"
case ":${PATH}:" in
  *":${dir}:"*) ;;
  *) say "note: ${dir} is not on your PATH" ;;
esac
