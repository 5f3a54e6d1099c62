# Shared settings of the local cluster scripts (sourced, not run). Every value can be overridden
# from the environment; the defaults keep all traffic on this machine.
# shellcheck shell=bash disable=SC2034  # the variables are used by the scripts that source this file

# Built binaries and the unpacked source: outside the repository, kept between runs.
LOCAL_CLUSTER_CACHE="${LOCAL_CLUSTER_CACHE:-/var/cache/stateful-visits/k8s-v1.20.2}"
# Everything a running cluster writes (certificates, etcd data, containerd root and state, kubelet
# root, volumes, logs). Removed by down.sh; a fixed path so that a run after a crash finds it.
LOCAL_CLUSTER_STATE="${LOCAL_CLUSTER_STATE:-/var/lib/stateful-visits-cluster}"

K8S_VERSION=v1.20.2
K8S_BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubelet)
BIN_DIR="$LOCAL_CLUSTER_CACHE/bin"

# Pods and Services inside 198.18.0.0/15 (RFC 2544, benchmark networks: never routed, and not a
# private range anything else here uses).
POD_CIDR="${LOCAL_CLUSTER_POD_CIDR:-198.18.0.0/24}"
POD_GATEWAY="${LOCAL_CLUSTER_POD_GATEWAY:-198.18.0.1}"
SERVICE_CIDR="${LOCAL_CLUSTER_SERVICE_CIDR:-198.19.0.0/24}"
# Names that say whose they are, so teardown removes only these.
BRIDGE="${LOCAL_CLUSTER_BRIDGE:-sv-cni0}"
CNI_NETWORK=stateful-visits
NODE_NAME="${LOCAL_CLUSTER_NODE_NAME:-sv-local-node}"
CGROUP_PARENT=stateful-visits
IPTABLES_COMMENT="stateful-visits local cluster: pod-to-pod traffic"

# Ports on this machine, apart from the usual ones so a cluster someone else runs is not disturbed.
ETCD_CLIENT_PORT="${LOCAL_CLUSTER_ETCD_PORT:-32379}"
ETCD_PEER_PORT="${LOCAL_CLUSTER_ETCD_PEER_PORT:-32380}"
APISERVER_PORT="${LOCAL_CLUSTER_APISERVER_PORT:-36443}"
CONTROLLER_MANAGER_PORT="${LOCAL_CLUSTER_CONTROLLER_MANAGER_PORT:-30257}"
SCHEDULER_PORT="${LOCAL_CLUSTER_SCHEDULER_PORT:-30259}"
KUBELET_PORT="${LOCAL_CLUSTER_KUBELET_PORT:-30250}"
KUBELET_HEALTHZ_PORT="${LOCAL_CLUSTER_KUBELET_HEALTHZ_PORT:-30248}"

CONTAINERD_SOCKET="$LOCAL_CLUSTER_STATE/containerd/containerd.sock"
KUBECONFIG_ADMIN="$LOCAL_CLUSTER_STATE/admin.kubeconfig"
CLUSTER_ENV="$LOCAL_CLUSTER_STATE/cluster.env"
PAUSE_IMAGE=stateful-visits.local/pause:3.4
# Pre-created local PersistentVolumes: the suite scales to 5 pods; 10 serve two runs on a kept cluster.
PV_COUNT="${LOCAL_CLUSTER_PV_COUNT:-10}"
STORAGE_CLASS=stateful-visits-local

log() { printf '[local-cluster] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# "<component> <pid>" of a cluster component that is running (a kept cluster, or another run's);
# fails when none is.
running_component() {
  local f pid
  for f in "$LOCAL_CLUSTER_STATE"/pids/*; do
    [[ -f "$f" ]] || continue
    pid="$(cat "$f")"
    if kill -0 "$pid" 2>/dev/null && { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -qF -- "$LOCAL_CLUSTER_STATE/"; then
      echo "$(basename "$f") $pid"
      return 0
    fi
  done
  return 1
}

refuse_if_running() {
  local running
  if running="$(running_component)"; then
    die "a local cluster is running (${running% *} is pid ${running#* }): use it (source $CLUSTER_ENV) or remove it (bash scripts/local-cluster/down.sh) first"
  fi
}

require_root() {
  [[ "$(id -u)" == 0 ]] || die "must run as root: it starts containerd, a kubelet and changes iptables"
}
