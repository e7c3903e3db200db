#!/usr/bin/env bash
# Builds the reference, the mdBook in docs/src, into docs/book (not committed), and fails on a
# broken internal link: a link to a chapter or file that does not exist, or to an anchor (a
# heading's #id) that the target page does not have.
#
# - mdBook renders the book; it does not check links itself.
# - hyperlink checks every link between the rendered pages, anchors included (--check-anchors),
#   and names the Markdown file of a broken one (--sources). It reads files only: external
#   (http) links are not followed, since CI reaches no website.
# - README.md's relative links (into the book) are checked here too: each must name an existing
#   file (they carry no anchors; an anchor there is not checked).
#
# Both tools come from crates.io via .ci/install-tool, compiled once per machine into
# /var/cache/ecs-migrate-ci/tools (ECS_MIGRATE_TOOLS_DIR): mdBook without its `serve`/`watch`
# features (a web server and a file watcher a CI build does not need). Run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

MDBOOK_VERSION=0.5.4       # the newest on crates.io; needs Rust 1.88
HYPERLINK_VERSION=0.3.2    # the newest on crates.io

mdbook="$(.ci/install-tool mdbook "$MDBOOK_VERSION" --no-default-features --features search)"
hyperlink="$(.ci/install-tool hyperlink "$HYPERLINK_VERSION")"

rm -rf docs/book
"$mdbook" build docs
"$hyperlink" docs/book --check-anchors --sources docs/src

broken=0
while IFS= read -r target; do
  if [[ ! -e "$target" ]]; then
    echo "docs/build.sh: README.md links to $target, which does not exist" >&2
    broken=1
  fi
done < <(grep -o '\]([^)]*)' README.md | sed -e 's/^](//' -e 's/)$//' -e 's/#.*$//' \
           | grep -v -E '^(https?:|mailto:|$)')
if (( broken )); then
  exit 1
fi
echo "docs/build.sh: the book is in docs/book; its links and README.md's links into it are sound"
