#!/usr/bin/env bash
# Regenerates docs/showcase.svg and docs/red-notice.svg from the showcase data, so
# people can see the graph before installing anything. Needs GraphViz (`dot`).
#   bash docs/render-svgs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v dot >/dev/null || { echo "install GraphViz first (apt-get install graphviz)"; exit 1; }
cargo build -q --release -p factgraph-cli
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fg=target/release/factgraph
"$fg" --db "$work/store" load data/ >/dev/null
"$fg" --db "$work/store" dot -o "$work/showcase.dot"
"$fg" --db "$work/store" dot 'who reported "red notice"' -o "$work/red-notice.dot"
dot -Tsvg "$work/showcase.dot" -o docs/showcase.svg
dot -Tsvg "$work/red-notice.dot" -o docs/red-notice.svg
for f in docs/showcase.svg docs/red-notice.svg; do
  echo "wrote $f: $(grep -o '<svg width="[^"]*" height="[^"]*"' "$f" | head -1 | sed 's/<svg //')"
done
