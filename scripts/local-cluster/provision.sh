#!/usr/bin/env bash
# Provisions what the local cluster needs, from Debian's packages only:
#   - runtime pieces: etcd-server, containerd, runc, containernetworking-plugins, iptables, openssl,
#     dnsmasq-base (the cluster DNS: Debian has no CoreDNS)
#   - Kubernetes v1.20.2 server binaries (kube-apiserver, kube-controller-manager, kube-scheduler,
#     kubelet) built from Debian's `kubernetes` source package (the full upstream tree with vendor/)
#     with Debian's Go, and the pause image built from that tree's pause.c.
# Built results are cached in $LOCAL_CLUSTER_CACHE (outside the repository): the first run takes
# several minutes of compiling, later runs only check that everything is there.
#
#   bash scripts/local-cluster/provision.sh
#   LOCAL_CLUSTER_CACHE=/somewhere/else bash scripts/local-cluster/provision.sh
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_root

RUNTIME_PACKAGES=(etcd-server containerd runc containernetworking-plugins iptables iproute2 openssl util-linux dnsmasq-base)
BUILD_PACKAGES=(golang-go gcc libc6-dev)
SOURCE_PACKAGE=kubernetes
# bookworm's kubernetes source is upstream v1.20.2 with vendor/ (newer Debian sources are kubectl only).
ORIG_TARBALL=kubernetes_1.20.5+really1.20.2.orig.tar.gz
# Written last: its presence means every binary below it was built completely.
STAMP="$BIN_DIR/.complete-$K8S_VERSION"

missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
  done
}

apt_updated=false
install_packages() {
  local missing
  mapfile -t missing < <(missing_packages "$@")
  ((${#missing[@]} == 0)) && return 0
  log "installing Debian packages: ${missing[*]}"
  if [[ $apt_updated == false ]]; then
    apt-get update -qq
    apt_updated=true
  fi
  # Debian's etcd-server would start a system etcd on install where services may start; the
  # cluster runs its own on other ports either way.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The Signed-By of the machine's own entry for the Debian archive (bookworm): apt refuses two
# entries for one archive that name different keys, and that key is the right one anyway. Only
# files apt reads (*.list, *.sources) count.
debian_signed_by() {
  local key=""
  shopt -s nullglob
  local sources=(/etc/apt/sources.list.d/*.sources) lists=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list)
  shopt -u nullglob
  if ((${#sources[@]} > 0)); then
    key="$(awk -v RS= -F '\n' '
      /URIs:[^\n]*deb\.debian\.org\/debian([ \/\n]|$)/ && /Suites:[^\n]*bookworm( |\n|$)/ {
        for (i = 1; i <= NF; i++) if ($i ~ /^Signed-By:/) { sub(/^Signed-By:[ \t]*/, "", $i); print $i; exit }
      }' "${sources[@]}")"
  fi
  if [[ -z "$key" ]]; then
    key="$(cat "${lists[@]}" 2>/dev/null | grep -E '^deb .*deb\.debian\.org/debian/? +bookworm( |$)' |
      grep -oE 'signed-by=[^] ]+' | head -n 1 | cut -d= -f2 || true)"
  fi
  # An inline key block (deb822 allows one) is no file to name: fall back to Debian's keyring.
  [[ "$key" == /* ]] || key=/usr/share/keyrings/debian-archive-keyring.gpg
  echo "$key"
}

# apt-get source with a configuration of its own (a deb-src entry and its index in the cache):
# the machine's apt sources are left as they are.
fetch_source() {
  local apt_dir="$LOCAL_CLUSTER_CACHE/apt" src_dir="$LOCAL_CLUSTER_CACHE/src"
  [[ -f "$src_dir/$ORIG_TARBALL" ]] && return 0
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/sources.list.d" "$src_dir"
  echo "deb-src [signed-by=$(debian_signed_by)] http://deb.debian.org/debian bookworm main" >"$apt_dir/sources.list"
  local opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
    -o "Dir::State::Lists=$apt_dir/lists")
  log "fetching Debian's $SOURCE_PACKAGE source package (bookworm)"
  apt-get "${opts[@]}" update -qq
  # apt warns that root downloads unsandboxed into a root-owned directory: expected here.
  if ! (cd "$src_dir" && apt-get "${opts[@]}" source --download-only -qq "$SOURCE_PACKAGE" 2>&1) |
    { grep -v 'unsandboxed as root' >&2 || true; }; then
    die "apt-get source $SOURCE_PACKAGE failed (output above): it needs http://deb.debian.org/debian reachable"
  fi
  [[ -f "$src_dir/$ORIG_TARBALL" ]] ||
    die "apt-get source $SOURCE_PACKAGE did not give $ORIG_TARBALL (got: $(ls "$src_dir")); bookworm's source is the one with the full v1.20.2 tree"
}

build_kubernetes() {
  local gopath="$LOCAL_CLUSTER_CACHE/gopath" tree
  tree="$gopath/src/k8s.io/kubernetes"
  fetch_source
  # A fresh tree each time: a half-finished earlier attempt leaves nothing behind that matters.
  rm -rf "$gopath"
  mkdir -p "$gopath/src/k8s.io"
  tar -xzf "$LOCAL_CLUSTER_CACHE/src/$ORIG_TARBALL" -C "$gopath/src/k8s.io"
  mv "$gopath/src/k8s.io/kubernetes-1.20.2" "$tree"

  # v1.20's own build runs in GOPATH mode (hack/lib/golang.sh); module mode fails on its go.mod.
  export GOPATH="$gopath" GO111MODULE=off GOFLAGS='' CGO_ENABLED=0 GOCACHE="$LOCAL_CLUSTER_CACHE/go-build-cache"
  cd "$tree"

  # pkg/generated/openapi is generated at build time upstream and not in the tarball. Same inputs
  # as build/root/Makefile.generated_files: every package with a `+k8s:openapi-gen=` tag, staging
  # named as vendor/, without code-generator's and sample-apiserver's examples.
  log "generating pkg/generated/openapi"
  go build -o "$LOCAL_CLUSTER_CACHE/tools/openapi-gen" ./vendor/k8s.io/kube-openapi/cmd/openapi-gen
  local dirs
  dirs="$(find -H . \( -path './_*' -o -path './.*' -o -path ./vendor \) -prune -o -type f -name '*.go' -print0 |
    xargs -0 grep -l '^// *+k8s:' | xargs grep -l '+k8s:openapi-gen=' |
    sed -e 's|^\./staging/src|vendor|' -e 's|^\./||' -e 's|/[^/]*$||' | LC_ALL=C sort -u |
    grep -vE '^vendor/k8s\.io/(code-generator|sample-apiserver)/' | sed 's|^|k8s.io/kubernetes/|' | paste -sd, -)"
  "$LOCAL_CLUSTER_CACHE/tools/openapi-gen" --logtostderr -v 0 \
    -i "$dirs" -p k8s.io/kubernetes/pkg/generated/openapi -O zz_generated.openapi \
    -h vendor/k8s.io/code-generator/hack/boilerplate.go.txt -r "$LOCAL_CLUSTER_CACHE/tools/openapi-violations.report"
  [[ -s pkg/generated/openapi/zz_generated.openapi.go ]] || die "openapi-gen wrote no pkg/generated/openapi"

  # Version variables as hack/lib/version.sh sets them: the suite reads the server's version.
  local ldflags="-s -w" key pkg
  for pkg in client-go/pkg/version component-base/version; do
    for key in gitVersion=$K8S_VERSION gitMajor=1 gitMinor=20 gitTreeState=archive \
      "buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"; do
      ldflags+=" -X k8s.io/kubernetes/vendor/k8s.io/$pkg.$key"
    done
  done
  log "compiling ${K8S_BINARIES[*]} (several minutes on 2 cores)"
  local out="$LOCAL_CLUSTER_CACHE/bin.partial"
  rm -rf "$out" && mkdir -p "$out"
  go build -tags selinux,notest -trimpath -ldflags "$ldflags" -o "$out/" "${K8S_BINARIES[@]/#/./cmd/}"

  log "building the pause image from build/pause/linux/pause.c"
  gcc -Os -Wall -Werror -static -DVERSION="v3.4-$K8S_VERSION" -o "$out/pause" build/pause/linux/pause.c
  build_pause_image "$out"

  cd /
  rm -rf "$BIN_DIR"
  mv "$out" "$BIN_DIR"
  touch "$STAMP"
  # The tree and the Go build cache are only needed to build again: 2 GB less on disk.
  rm -rf "$gopath" "$LOCAL_CLUSTER_CACHE/go-build-cache"
}

# An OCI image layout tarball holding the static pause binary, for `ctr images import`.
build_pause_image() {
  local out="$1" work
  work="$(mktemp -d)"
  mkdir -p "$work/rootfs" "$work/blobs/sha256"
  cp "$out/pause" "$work/rootfs/pause"
  tar --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work/rootfs" -cf "$work/layer.tar" pause
  local layer_digest layer_size config config_digest config_size manifest manifest_digest manifest_size
  layer_digest="$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"
  layer_size="$(stat -c %s "$work/layer.tar")"
  mv "$work/layer.tar" "$work/blobs/sha256/$layer_digest"
  config="{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Entrypoint\":[\"/pause\"],\"User\":\"65535:65535\"},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:$layer_digest\"]}}"
  printf '%s' "$config" >"$work/config.json"
  config_digest="$(sha256sum "$work/config.json" | cut -d' ' -f1)"
  config_size="$(stat -c %s "$work/config.json")"
  mv "$work/config.json" "$work/blobs/sha256/$config_digest"
  manifest="{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:$config_digest\",\"size\":$config_size},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha256:$layer_digest\",\"size\":$layer_size}]}"
  printf '%s' "$manifest" >"$work/manifest.json"
  manifest_digest="$(sha256sum "$work/manifest.json" | cut -d' ' -f1)"
  manifest_size="$(stat -c %s "$work/manifest.json")"
  mv "$work/manifest.json" "$work/blobs/sha256/$manifest_digest"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$work/oci-layout"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
    "$manifest_digest" "$manifest_size" "$PAUSE_IMAGE" "${PAUSE_IMAGE##*:}" >"$work/index.json"
  tar -C "$work" -cf "$out/pause-image.tar" oci-layout index.json blobs
  rm -rf "$work"
}

started=$SECONDS
install_packages "${RUNTIME_PACKAGES[@]}"
if [[ -f "$STAMP" ]]; then
  log "Kubernetes $K8S_VERSION binaries cached in $BIN_DIR"
else
  install_packages "${BUILD_PACKAGES[@]}"
  mkdir -p "$LOCAL_CLUSTER_CACHE"
  build_kubernetes
  log "built Kubernetes $K8S_VERSION into $BIN_DIR in $((SECONDS - started))s"
fi
# The pause image archive is cheap to make again, e.g. after PAUSE_IMAGE changed.
if [[ -s "$BIN_DIR/pause" ]] && ! tar -xOf "$BIN_DIR/pause-image.tar" index.json 2>/dev/null | grep -qF "\"$PAUSE_IMAGE\""; then
  build_pause_image "$BIN_DIR"
fi
for b in "${K8S_BINARIES[@]}" pause pause-image.tar; do
  [[ -s "$BIN_DIR/$b" ]] || die "$BIN_DIR/$b is missing; remove $LOCAL_CLUSTER_CACHE and run again"
done
