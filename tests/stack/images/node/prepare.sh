#!/usr/bin/env bash
# Installs the locked node_modules into the build context (the current directory), on the
# host, whose npm trusts this machine's proxy.
set -euo pipefail
command -v npm >/dev/null || { echo "prepare node: npm is not installed on this machine" >&2; exit 1; }
# `npm install` with the lock file, not `npm ci`: npm 11's ci rejects the lock for the
# platform packages dbmate lists as optional, which it installs only for this platform.
npm install --no-audit --no-fund --omit=dev --loglevel=error
