#!/usr/bin/env bash
# Puts the Liquibase distribution into the build context (the current directory) as ./liquibase.
# No Maven Central here, but the npm package `liquibase` carries the whole CLI distribution
# (launcher, liquibase-core, the PostgreSQL JDBC driver in internal/lib) under
# package/dist/liquibase: npm's liquibase@4.28.1, the newest 4.x there, carries Liquibase 4.28.0
# (Apache-2.0, like every 4.x; 5.x is not). The 120 MB tarball is fetched once per machine by the
# host's npm (which trusts this machine's proxy) into the stack's cache; the JDBC drivers of
# other databases (snowflake-jdbc alone is 71 MB) are left out.
set -euo pipefail
version=4.28.1
integrity="sha512-UZCRA3wWYd57mt/fWkYZCpgOGrPWX/C6UGMd4uDCKxWA46Y6170Xq/YWDzMffNTKB61aMNkHCxvXrx/Ps5XINg=="
cache="$IMAGE_CACHE/liquibase-npm-$version"
tarball="$cache/liquibase-$version.tgz"
if [[ ! -s "$tarball" ]]; then
  command -v npm >/dev/null || { echo "prepare java: npm is not installed on this machine" >&2; exit 1; }
  mkdir -p "$cache"
  download="$(mktemp -d "$cache/.download-XXXXXX")"
  trap 'rm -rf "$download"' EXIT
  (cd "$download" && npm pack "liquibase@$version" --silent --loglevel=error >/dev/null)
  # npm pack checks the registry's integrity; this pins it to the tarball this was made with.
  got="sha512-$(openssl dgst -sha512 -binary "$download/liquibase-$version.tgz" | base64 -w0)"
  [[ "$got" == "$integrity" ]] || { echo "prepare java: liquibase-$version.tgz is $got, not $integrity" >&2; exit 1; }
  mv "$download/liquibase-$version.tgz" "$tarball"
fi
rm -rf liquibase && mkdir liquibase
tar -xzf "$tarball" -C liquibase --strip-components=3 package/dist/liquibase
(cd liquibase/internal/lib && rm -f snowflake-jdbc.jar sqlite-jdbc.jar jcc.jar ojdbc8.jar \
  mssql-jdbc.jar jaybird.jar mariadb-java-client.jar hsqldb.jar h2.jar)
chmod 0755 liquibase/liquibase
test -f liquibase/internal/lib/liquibase-core.jar && test -f liquibase/internal/lib/postgresql.jar
