#!/usr/bin/env bash
# Fetches KaTeX's stylesheet, woff2 fonts and licence from the npm registry into preprocessor/assets/katex/,
# unmodified, at the exact version the `katex` crate bundles. The result is committed, so
# building the book needs neither Node nor the network; rerun this only when the crate (and so
# KaTeX) is upgraded, and update VERSION and INTEGRITY below together.
set -euo pipefail

VERSION=0.16.4
INTEGRITY='sha512-WudRKUj8yyBeVDI4aYMNxhx5Vhh2PjpzQw1GRu/LVGqL4m1AxwD1GcUp0IMbdJaf5zsjtj8ghP0DOQRYhroNkw=='

root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/preprocessor/assets/katex"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The crate's bundled KaTeX must be the version we ship CSS for.
crate_version=$(cat "$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/katex-0.4.6 | head -n1)/KATEX-VERSION" 2>/dev/null || echo "")
if [ -n "$crate_version" ] && [ "$crate_version" != "$VERSION" ]; then
  echo "error: the katex crate bundles KaTeX $crate_version, this script fetches $VERSION" >&2
  exit 1
fi

cd "$work"
npm pack --silent "katex@$VERSION" >/dev/null
tarball="katex-$VERSION.tgz"
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$actual" != "$INTEGRITY" ]; then
  echo "error: integrity mismatch for $tarball: got $actual" >&2
  exit 1
fi
tar -xzf "$tarball"

rm -rf "$dest"
mkdir -p "$dest/fonts"
cp package/dist/katex.min.css "$dest/"
cp package/dist/fonts/*.woff2 "$dest/fonts/"
cp package/LICENSE "$dest/LICENSE"
echo "$VERSION" > "$dest/VERSION"
echo "KaTeX $VERSION: $(ls "$dest/fonts" | wc -l) fonts copied to $dest"
