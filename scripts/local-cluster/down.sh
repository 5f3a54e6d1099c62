#!/usr/bin/env bash
# Removes everything up.sh started or created: processes (the components, the cluster DNS,
# containers, containerd's shims), mounts, cgroups, the bridge and its veths, the iptables rule, pod log directories and
# $LOCAL_CLUSTER_STATE. Safe to run at any time, any number of times, also after a crash: it finds
# its processes by the state directory their command lines name, and touches nothing else (Docker's
# containerd and containers are never stopped).
#
#   bash scripts/local-cluster/down.sh
# shellcheck source-path=SCRIPTDIR
set -uo pipefail
source "$(dirname "$0")/lib.sh"
require_root

S="$LOCAL_CLUSTER_STATE"
problems=()
problem() { problems+=("$*"); log "problem: $*"; }

# Processes whose command line names the state directory: only this cluster's (the components,
# containerd and its shims); never matched by a bare program name.
own_pids() {
  local f pid
  for f in /proc/[0-9]*/cmdline; do
    pid="${f#/proc/}" && pid="${pid%/cmdline}"
    [[ "$pid" == "$$" || "$pid" == "$BASHPID" ]] && continue
    # A process may end between the glob and the read: no message for that.
    { tr '\0' ' ' <"$f"; } 2>/dev/null | grep -qF -- "$S/" && echo "$pid"
  done
}
cmd_of() { { tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null | cut -c1-100; }

stop_pids() { # seconds, pids... : SIGTERM, then SIGKILL after the grace period
  local seconds="$1" pid deadline
  shift
  (($# == 0)) && return 0
  kill -TERM "$@" 2>/dev/null
  deadline=$((SECONDS + seconds))
  for pid in "$@"; do
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      log "pid $pid ($(cmd_of "$pid")) did not stop on SIGTERM; SIGKILL"
      kill -KILL "$pid" 2>/dev/null
    fi
  done
}

stop_component() { # name in $S/pids
  local f="$S/pids/$1" pid
  [[ -f "$f" ]] || return 0
  pid="$(cat "$f")"
  # The recorded pid, if it is still the process this cluster started.
  if kill -0 "$pid" 2>/dev/null && { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -qF -- "$S/"; then
    stop_pids 20 "$pid"
  fi
  rm -f "$f"
}

if [[ -d "$S" ]]; then
  log "stopping the cluster in $S"
  # The kubelet first, so it does not restart what is stopped below; then the control plane.
  # The DNS records' sync before the API server it reads, dnsmasq with it.
  for c in local-dns dnsmasq kubelet kube-scheduler kube-controller-manager kube-apiserver etcd; do
    stop_component "$c"
  done

  # Every container through containerd, so that each shim exits and removes its socket.
  ctr_() { timeout 30 ctr --address "$CONTAINERD_SOCKET" --namespace k8s.io "$@"; }
  if [[ -S "$CONTAINERD_SOCKET" ]] && ctr_ version >/dev/null 2>&1; then
    for id in $(ctr_ tasks ls -q 2>/dev/null); do
      ctr_ tasks kill --signal SIGKILL "$id" >/dev/null 2>&1
    done
    for id in $(ctr_ tasks ls -q 2>/dev/null); do
      ctr_ tasks delete --force "$id" >/dev/null 2>&1
    done
    # The CRI plugin deletes exited tasks itself too, so a failed delete above may be a lost race;
    # only a task that is still there is a problem.
    for id in $(ctr_ tasks ls -q 2>/dev/null); do problem "containerd task $id could not be deleted"; done
    for id in $(ctr_ containers ls -q 2>/dev/null); do
      ctr_ containers delete "$id" >/dev/null 2>&1 || true
    done
  fi
fi

# Whatever still runs in the pods' cgroups (a crash left containers without their shim's care).
for hierarchy in /sys/fs/cgroup/*/; do
  root="$hierarchy$CGROUP_PARENT"
  [[ -d "$root" ]] || continue
  mapfile -t pids < <(find "$root" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u)
  ((${#pids[@]} > 0)) && kill -KILL "${pids[@]}" 2>/dev/null
done

stop_component containerd
# Shims whose containerd is gone, and any component left without a pid file (a crashed run).
mapfile -t rest < <(own_pids)
if ((${#rest[@]} > 0)); then
  log "stopping ${#rest[@]} remaining process(es) of the cluster"
  stop_pids 20 "${rest[@]}"
fi

# A shim killed without `ctr tasks delete` leaves its socket in /run/containerd/s, named by the
# sha256 of <containerd address>/<namespace>/<id>; remove exactly those of this cluster's tasks.
tasks_dir="$S/containerd/state/io.containerd.runtime.v2.task"
if [[ -d "$tasks_dir" ]]; then
  for task in "$tasks_dir"/*/*; do
    [[ -d "$task" ]] || continue
    ns="$(basename "$(dirname "$task")")"
    sock="/run/containerd/s/$(printf '%s' "$CONTAINERD_SOCKET/$ns/$(basename "$task")" | sha256sum | cut -d' ' -f1)"
    [[ -S "$sock" ]] && rm -f "$sock"
    # The CNI library's cached results for a sandbox: <network>-<sandbox id>-<interface>.
    rm -f /var/lib/cni/results/*-"$(basename "$task")"-* 2>/dev/null
  done
fi

# Mounts (overlay root file systems, network namespaces, pod volumes, tmpfs), deepest first.
if command -v findmnt >/dev/null 2>&1; then
  for attempt in 1 2 3; do
    mapfile -t mounts < <(findmnt -rn -o TARGET | grep -F -- "$S/" | awk '{ print length, $0 }' | sort -rn | cut -d' ' -f2-)
    ((${#mounts[@]} == 0)) && break
    for m in "${mounts[@]}"; do
      m="$(printf '%b' "$m")" # findmnt -r escapes spaces as \x20
      umount "$m" 2>/dev/null || { ((attempt == 3)) && umount -l "$m" 2>/dev/null; }
    done
  done
  findmnt -rn -o TARGET | grep -qF -- "$S/" && problem "mounts remain under $S: $(findmnt -rn -o TARGET | grep -F -- "$S/" | head -3)"
fi

# The pods' cgroups, leaves first.
for hierarchy in /sys/fs/cgroup/*/; do
  root="$hierarchy$CGROUP_PARENT"
  [[ -d "$root" ]] || continue
  find "$root" -depth -type d -exec rmdir {} + 2>/dev/null
  [[ -d "$root" ]] && problem "cgroup $root could not be removed"
done

# The bridge and any veth still attached to it (a veth goes with its pod's network namespace).
if ip link show "$BRIDGE" >/dev/null 2>&1; then
  for veth in $(ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{ print $2 }' | cut -d@ -f1); do
    ip link delete "$veth" 2>/dev/null
  done
  ip link delete "$BRIDGE" 2>/dev/null || problem "could not delete interface $BRIDGE"
fi

for chain in DOCKER-USER FORWARD; do
  rule=("$chain" -s "$POD_CIDR" -d "$POD_CIDR" -m comment --comment "$IPTABLES_COMMENT" -j ACCEPT)
  while iptables -C "${rule[@]}" 2>/dev/null; do iptables -D "${rule[@]}" || break; done
done

# Pod log directories the kubelet made (it writes to /var/log/pods whatever its root directory)
# and the CNI library's result cache (/var/lib/cni, not configurable through containerd): the
# entries up.sh did not find there, or the whole directory when there was none.
if [[ -d "$S" ]]; then
  for d in /var/log/pods /var/log/containers /var/lib/cni; do
    [[ -d "$d" ]] || continue
    list="$S/preexisting$(echo "$d" | tr / -)"
    if [[ -f "$list" ]]; then
      for entry in "$d"/*; do
        [[ -e "$entry" || -L "$entry" ]] && ! grep -qxF -- "$(basename "$entry")" "$list" && rm -rf "$entry"
      done
    else
      rm -rf "$d"
    fi
  done
fi

if [[ -e "$S" ]]; then
  rm -rf "$S" 2>/dev/null || problem "could not remove $S (a mount may remain)"
fi

if ((${#problems[@]} > 0)); then
  log "teardown incomplete:"
  printf '  - %s\n' "${problems[@]}" >&2
  exit 1
fi
log "torn down: no process, mount, cgroup, interface, iptables rule or directory of the cluster remains"
