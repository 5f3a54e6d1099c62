#!/usr/bin/env bash
# Starts a single-node Kubernetes v1.20.2 on this machine from the binaries provision.sh built:
# its own containerd (own config, socket, root and state; Docker's is never touched), etcd, the
# API server, controller manager, scheduler and a kubelet whose node is this machine's own address.
#
# Network: pods on a bridge of their own (sv-cni0) in 198.18.0.0/24, Services in 198.19.0.0/24,
# both inside 198.18.0.0/15 (never routed). Pods get no default route and no masquerade: they
# reach each other and the node reaches them (probes), nothing else. There is no kube-proxy (it
# would add rules to the iptables tables Docker uses): the suite does not need ClusterIP routing.
#
# DNS: Debian has no CoreDNS. dnsmasq (Debian) answers on the pods' gateway address, which the
# kubelet gives pods as their nameserver; tests/cluster/src/local-dns keeps its records equal to
# what CoreDNS would serve for the Services (A records of Services and of a headless Service's
# named endpoints), polling the API server twice a second. A selector-less Service kube-dns in
# kube-system (label k8s-app=kube-dns, as CoreDNS's) points at it, so the suite finds cluster DNS
# the way it does on any cluster.
#
# Volumes: local PersistentVolumes on pre-created directories, offered by a default StorageClass
# with no provisioner, so the StatefulSet's claims bind without a dynamic provisioner.
#
# Everything it starts or creates is recorded under $LOCAL_CLUSTER_STATE; down.sh removes it all.
# On success it writes $LOCAL_CLUSTER_STATE/cluster.env with the variables the cluster suite reads.
#
#   bash scripts/local-cluster/up.sh && source /var/lib/stateful-visits-cluster/cluster.env
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
source "$here/lib.sh"
require_root

for b in "${K8S_BINARIES[@]}" pause-image.tar; do
  [[ -s "$BIN_DIR/$b" ]] || die "$BIN_DIR/$b is missing: run scripts/local-cluster/provision.sh first"
done
for tool in containerd ctr runc etcd iptables ip openssl kubectl findmnt dnsmasq node; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found on PATH (provision.sh installs the Debian packages; kubectl comes with the machine image; node: bash scripts/ensure-node.sh)"
done
[[ -x /usr/lib/cni/bridge && -x /usr/lib/cni/host-local && -x /usr/lib/cni/loopback ]] ||
  die "CNI plugins missing in /usr/lib/cni (Debian package containernetworking-plugins)"

# A cluster that runs (kept with LOCAL_CLUSTER_KEEP=1, or another run's) is never taken down here.
refuse_if_running
# Leftovers of a run that crashed are removed first: this run starts from nothing.
if [[ -e "$LOCAL_CLUSTER_STATE" ]] || ip link show "$BRIDGE" >/dev/null 2>&1; then
  log "removing what an earlier run left behind"
  bash "$here/down.sh"
fi

node_ip="${LOCAL_CLUSTER_NODE_IP:-}"
if [[ -z "$node_ip" ]]; then
  # The address of the interface holding the default route; the kubelet refuses loopback.
  dev="$(ip -4 route show default | awk '{for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit }}')"
  [[ -n "$dev" ]] || dev="$(ip -4 -o addr show scope global | awk '$2 != "docker0" { print $2; exit }')"
  node_ip="$(ip -4 -o addr show dev "${dev:-none}" scope global 2>/dev/null | awk '{ split($4, a, "/"); print a[1]; exit }')"
  [[ -n "$node_ip" ]] || die "found no IPv4 address for the node; set LOCAL_CLUSTER_NODE_IP to one of this machine's addresses"
fi

port_in_use() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
for port in "$ETCD_CLIENT_PORT" "$ETCD_PEER_PORT" "$APISERVER_PORT" "$CONTROLLER_MANAGER_PORT" \
  "$SCHEDULER_PORT" "$KUBELET_HEALTHZ_PORT"; do
  ! port_in_use 127.0.0.1 "$port" || die "port $port on 127.0.0.1 is in use; set the LOCAL_CLUSTER_*_PORT variables (scripts/local-cluster/lib.sh)"
done
! port_in_use "$node_ip" "$KUBELET_PORT" || die "port $KUBELET_PORT on $node_ip is in use; set LOCAL_CLUSTER_KUBELET_PORT"

S="$LOCAL_CLUSTER_STATE"
mkdir -p "$S"/{pki,logs,pids,etcd,containerd,cni/net.d,cni/ipam,kubelet,volumes,dns}
chmod 0700 "$S/pki" "$S/etcd"
# dnsmasq reads its hosts file as nobody.
chmod 0755 "$S" "$S/dns"
# What this run adds outside $S, written before it is added, so down.sh can remove exactly that.
for d in /var/log/pods /var/log/containers /var/lib/cni; do
  if [[ -d "$d" ]]; then ls -A "$d" >"$S/preexisting$(echo "$d" | tr / -)"; fi
done
started=$SECONDS

# ---------------------------------------------------------------------------------- certificates
pki="$S/pki"
new_ca() { # name, common name
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 -subj "/CN=$2" \
    -keyout "$pki/$1.key" -out "$pki/$1.crt" 2>/dev/null
}
new_cert() { # name, subject, ca, [subjectAltName], [extendedKeyUsage]
  local name="$1" subject="$2" ca="$3" san="${4:-}" eku="${5:-clientAuth}"
  openssl req -newkey rsa:2048 -nodes -sha256 -subj "$subject" \
    -keyout "$pki/$name.key" -out "$pki/$name.csr" 2>/dev/null
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    [[ -n "$san" ]] && echo "subjectAltName=$san"
  } >"$pki/$name.ext"
  openssl x509 -req -sha256 -days 2 -in "$pki/$name.csr" -CA "$pki/$ca.crt" -CAkey "$pki/$ca.key" \
    -CAcreateserial -extfile "$pki/$name.ext" -out "$pki/$name.crt" 2>/dev/null
  rm -f "$pki/$name.csr" "$pki/$name.ext"
}
log "certificates (node $NODE_NAME at $node_ip)"
first_service_ip="${SERVICE_CIDR%.*}.1"
new_ca ca stateful-visits-local-ca
new_ca front-proxy-ca stateful-visits-local-front-proxy-ca
new_cert apiserver "/CN=kube-apiserver" ca \
  "IP:127.0.0.1,IP:$node_ip,IP:$first_service_ip,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local" \
  serverAuth
new_cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" ca
new_cert admin "/O=system:masters/CN=stateful-visits-admin" ca
new_cert controller-manager "/CN=system:kube-controller-manager" ca
new_cert scheduler "/CN=system:kube-scheduler" ca
new_cert kubelet-client "/O=system:nodes/CN=system:node:$NODE_NAME" ca
new_cert kubelet-serving "/CN=$NODE_NAME" ca "IP:$node_ip,DNS:$NODE_NAME" serverAuth
new_cert front-proxy-client "/CN=front-proxy-client" front-proxy-ca
openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null

server="https://127.0.0.1:$APISERVER_PORT"
kubeconfig() { # file, user (certificate name), context name
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: stateful-visits-local
    cluster:
      server: $server
      certificate-authority: $pki/ca.crt
users:
  - name: $2
    user:
      client-certificate: $pki/$2.crt
      client-key: $pki/$2.key
contexts:
  - name: $3
    context: { cluster: stateful-visits-local, user: $2 }
current-context: $3
EOF
}
kubeconfig "$KUBECONFIG_ADMIN" admin stateful-visits-local
kubeconfig "$S/controller-manager.kubeconfig" controller-manager default
kubeconfig "$S/scheduler.kubeconfig" scheduler default
kubeconfig "$S/kubelet.kubeconfig" kubelet-client default
k() { kubectl --kubeconfig "$KUBECONFIG_ADMIN" "$@"; }

# ------------------------------------------------------------------------------------- processes
# Each runs in a session of its own (setsid) so Ctrl-C in the terminal reaches only the scripts,
# whose trap then stops them in order. Its pid is recorded for down.sh.
start() { # name, command...
  local name="$1"
  shift
  setsid "$@" >"$S/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$S/pids/$name"
}
alive() { kill -0 "$(cat "$S/pids/$1")" 2>/dev/null; }
wait_for() { # what, seconds, component whose death ends the wait early, command...
  local what="$1" seconds="$2" component="$3" deadline=$((SECONDS + $2))
  shift 3
  until "$@" >/dev/null 2>&1; do
    if ! alive "$component"; then
      log "$component exited while waiting for $what; last lines of $S/logs/$component.log:"
      tail -n 30 "$S/logs/$component.log" >&2
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      log "$what not within ${seconds}s; last lines of $S/logs/$component.log:"
      tail -n 30 "$S/logs/$component.log" >&2
      exit 1
    fi
    sleep 1
  done
}

log "containerd (its own instance: $CONTAINERD_SOCKET)"
cat >"$S/containerd/config.toml" <<EOF
version = 2
root = "$S/containerd/root"
state = "$S/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]
[grpc]
  address = "$CONTAINERD_SOCKET"
[ttrpc]
  address = "$CONTAINERD_SOCKET.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$S/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # Root here lacks CAP_SYS_RESOURCE: without this every sandbox fails to start
  # ("can't get final child's PID from pipe: EOF").
  restrict_oom_score_adj = true
  # Network namespaces under the state directory, not /run/netns: teardown finds them all there.
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$(command -v runc)"
        Root = "$S/containerd/runc"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$S/cni/net.d"
EOF
cat >"$S/cni/net.d/10-$CNI_NETWORK.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "$CNI_NETWORK",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "isDefaultGateway": false,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "$POD_CIDR", "gateway": "$POD_GATEWAY" }]],
        "routes": [],
        "dataDir": "$S/cni/ipam"
      }
    }
  ]
}
EOF
start containerd containerd --config "$S/containerd/config.toml"
ctr_() { ctr --address "$CONTAINERD_SOCKET" --namespace k8s.io "$@"; }
wait_for "containerd" 30 containerd ctr_ version
ctr_ images import "$BIN_DIR/pause-image.tar" >/dev/null

# Docker's FORWARD policy is DROP and br_netfilter sends bridged traffic through it: accept traffic
# between pods. Its own chain when Docker is there (Docker keeps DOCKER-USER first in FORWARD).
chain=FORWARD
iptables -n -L DOCKER-USER >/dev/null 2>&1 && chain=DOCKER-USER
echo "$chain" >"$S/iptables-chain"
iptables -I "$chain" -s "$POD_CIDR" -d "$POD_CIDR" -m comment --comment "$IPTABLES_COMMENT" -j ACCEPT

log "etcd (127.0.0.1:$ETCD_CLIENT_PORT)"
start etcd etcd --name stateful-visits-local --data-dir "$S/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "stateful-visits-local=http://127.0.0.1:$ETCD_PEER_PORT" \
  --log-level warn

log "kube-apiserver ($server)"
start kube-apiserver "$BIN_DIR/kube-apiserver" \
  --bind-address=127.0.0.1 --secure-port="$APISERVER_PORT" --insecure-port=0 \
  --advertise-address=127.0.0.1 --endpoint-reconciler-type=none \
  --etcd-servers="http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --service-cluster-ip-range="$SERVICE_CIDR" \
  --client-ca-file="$pki/ca.crt" --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
  --kubelet-client-certificate="$pki/apiserver-kubelet-client.crt" --kubelet-client-key="$pki/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority="$pki/ca.crt" --kubelet-preferred-address-types=InternalIP \
  --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
  --requestheader-client-ca-file="$pki/front-proxy-ca.crt" --requestheader-allowed-names=front-proxy-client \
  --requestheader-extra-headers-prefix=X-Remote-Extra- --requestheader-group-headers=X-Remote-Group \
  --requestheader-username-headers=X-Remote-User \
  --proxy-client-cert-file="$pki/front-proxy-client.crt" --proxy-client-key-file="$pki/front-proxy-client.key" \
  --profiling=false --logtostderr=true --v=1
wait_for "etcd" 30 etcd bash -c "exec 3<>/dev/tcp/127.0.0.1/$ETCD_CLIENT_PORT"
wait_for "the API server to be ready" 120 kube-apiserver k get --raw /readyz

log "cluster DNS: dnsmasq on $POD_GATEWAY:53, records from the API server"
: >"$S/dns/hosts"
chmod 0644 "$S/dns/hosts"
# Binds when the pod bridge gets its address (the first pod creates it); answers only from the
# hosts file for cluster.local (NXDOMAIN for the rest of it) and forwards nothing anywhere.
start dnsmasq dnsmasq --keep-in-foreground --conf-file=/dev/null --pid-file= --no-resolv --no-hosts \
  --no-poll --no-negcache --addn-hosts="$S/dns/hosts" --local=/cluster.local/ --domain-needed \
  --listen-address="$POD_GATEWAY" --bind-dynamic --log-facility=-
wait_for "dnsmasq" 10 dnsmasq grep -q "read $S/dns/hosts" "$S/logs/dnsmasq.log"
start local-dns node "$root/tests/cluster/src/local-dns/main.ts" --server "$server" \
  --ca "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
  --hosts "$S/dns/hosts" --dnsmasq-pid "$(cat "$S/pids/dnsmasq")"
k apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Service
metadata:
  name: kube-dns
  namespace: kube-system
  labels: { k8s-app: kube-dns, kubernetes.io/name: dnsmasq }
spec:
  clusterIP: None
  ports: [{ name: dns, port: 53, protocol: UDP }, { name: dns-tcp, port: 53, protocol: TCP }]
---
apiVersion: v1
kind: Endpoints
metadata:
  name: kube-dns
  namespace: kube-system
subsets:
  - addresses: [{ ip: $POD_GATEWAY }]
    ports: [{ name: dns, port: 53, protocol: UDP }, { name: dns-tcp, port: 53, protocol: TCP }]
EOF
wait_for "the DNS records" 20 local-dns grep -q "kube-dns.kube-system.svc.cluster.local" "$S/dns/hosts"

log "kube-controller-manager and kube-scheduler"
auth_flags() { echo --kubeconfig="$1" --authentication-kubeconfig="$1" --authorization-kubeconfig="$1"; }
# shellcheck disable=SC2046
start kube-controller-manager "$BIN_DIR/kube-controller-manager" $(auth_flags "$S/controller-manager.kubeconfig") \
  --bind-address=127.0.0.1 --secure-port="$CONTROLLER_MANAGER_PORT" --port=0 --leader-elect=false \
  --use-service-account-credentials=true --service-account-private-key-file="$pki/sa.key" \
  --root-ca-file="$pki/ca.crt" --cluster-signing-cert-file="$pki/ca.crt" --cluster-signing-key-file="$pki/ca.key" \
  --requestheader-client-ca-file="$pki/front-proxy-ca.crt" --client-ca-file="$pki/ca.crt" \
  --service-cluster-ip-range="$SERVICE_CIDR" --profiling=false --logtostderr=true --v=1
# shellcheck disable=SC2046
start kube-scheduler "$BIN_DIR/kube-scheduler" $(auth_flags "$S/scheduler.kubeconfig") \
  --bind-address=127.0.0.1 --secure-port="$SCHEDULER_PORT" --port=0 --leader-elect=false \
  --requestheader-client-ca-file="$pki/front-proxy-ca.crt" --client-ca-file="$pki/ca.crt" \
  --profiling=false --logtostderr=true --v=1

log "kubelet (node $NODE_NAME, $node_ip:$KUBELET_PORT)"
# Every pod's cgroups under one parent of its own in each hierarchy: teardown empties and removes it.
for hierarchy in /sys/fs/cgroup/*/; do
  [[ -f "$hierarchy/cgroup.procs" && "$hierarchy" != */unified/ ]] && mkdir -p "$hierarchy$CGROUP_PARENT"
done
cat >"$S/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $node_ip
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ_PORT
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $pki/ca.crt }
authorization: { mode: Webhook }
tlsCertFile: $pki/kubelet-serving.crt
tlsPrivateKeyFile: $pki/kubelet-serving.key
cgroupDriver: cgroupfs
cgroupRoot: /$CGROUP_PARENT
failSwapOn: false
# No KUBE-* chains in the host's iptables tables (Docker's): nothing here needs them.
makeIPTablesUtilChains: false
clusterDomain: cluster.local
clusterDNS: [$POD_GATEWAY]
resolvConf: /etc/resolv.conf
volumePluginDir: $S/kubelet/volume-plugins
# A busy CI disk must not evict the suite's pods or collect its images.
evictionHard: { memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1% }
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
EOF
start kubelet "$BIN_DIR/kubelet" --config="$S/kubelet/config.yaml" --kubeconfig="$S/kubelet.kubeconfig" \
  --root-dir="$S/kubelet" --cert-dir="$S/kubelet/pki" \
  --container-runtime=remote --container-runtime-endpoint="unix://$CONTAINERD_SOCKET" --runtime-request-timeout=5m \
  --hostname-override="$NODE_NAME" --node-ip="$node_ip" --pod-infra-container-image="$PAUSE_IMAGE" \
  --logtostderr=true --v=1
node_ready() { [[ "$(k get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')" == True ]]; }
wait_for "the node to be Ready" 120 kubelet node_ready

log "storage: $PV_COUNT local PersistentVolumes, default StorageClass $STORAGE_CLASS"
{
  cat <<EOF
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: $STORAGE_CLASS
  annotations: { storageclass.kubernetes.io/is-default-class: "true" }
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
EOF
  for i in $(seq 0 $((PV_COUNT - 1))); do
    # root:root 0755, as an administrator's mkdir makes it: the pods' fsGroup makes it theirs
    # (local volumes honour fsGroup; hostPath volumes do not, see docs/deployment.md).
    install -d -m 0755 -o root -g root "$S/volumes/pv-$i"
    cat <<EOF
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: stateful-visits-local-$i
spec:
  capacity: { storage: 1Gi }
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: $STORAGE_CLASS
  local: { path: $S/volumes/pv-$i }
  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions:
            - { key: kubernetes.io/hostname, operator: In, values: [$NODE_NAME] }
EOF
  done
} | k apply -f - >/dev/null
# The controllers create the default ServiceAccount of a namespace; namespaces the suite creates
# need the controller manager working, so wait for its first one.
wait_for "the controller manager" 60 kube-controller-manager k get serviceaccount default -n default

cat >"$CLUSTER_ENV" <<EOF
# Written by scripts/local-cluster/up.sh: what the cluster suite needs to reach this cluster.
export KUBECONFIG=$KUBECONFIG_ADMIN
export CLUSTER_CONTEXT=stateful-visits-local
export CLUSTER_IMAGE_DELIVERY=ctr
export CLUSTER_CTR_ADDRESS=$CONTAINERD_SOCKET
EOF
log "cluster up in $((SECONDS - started))s: Kubernetes $(k get --raw /version | grep -o '"gitVersion": *"[^"]*"' | cut -d\" -f4) on $node_ip; kubeconfig $KUBECONFIG_ADMIN"
