#!/usr/bin/env bash
# `npm run test:cluster:local`: provisions the local cluster (cached build), starts it, runs the
# cluster suite against it, and always tears it down — after success, failure, Ctrl-C or kill.
#
#   npm run test:cluster:local
#   LOCAL_CLUSTER_KEEP=1 npm run test:cluster:local   # leave it running; then bash scripts/local-cluster/down.sh
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
source "$here/lib.sh"
require_root
# Before the trap: a running cluster is not this run's to tear down.
refuse_if_running

elapsed() { printf '%ss' "$((SECONDS - $1))"; }
t0=$SECONDS
# Names this run's images (stateful-visits/visits:cluster-<id>), so the teardown can remove them
# when an interrupted suite could not.
export CLUSTER_RUN_ID="${CLUSTER_RUN_ID:-local$(date +%s)$$}"
suite_pid=
teardown() {
  local status=$?
  # Every step below runs, whatever the one before it returned.
  set +e
  trap - EXIT INT TERM
  if [[ -n "$suite_pid" ]] && kill -0 "$suite_pid" 2>/dev/null; then
    log "stopping the cluster suite"
    kill -INT -- "-$suite_pid" 2>/dev/null
    for _ in $(seq 30); do kill -0 "$suite_pid" 2>/dev/null || break; sleep 1; done
    kill -KILL -- "-$suite_pid" 2>/dev/null
    local image
    for image in "stateful-visits/visits:cluster-$CLUSTER_RUN_ID" "stateful-visits/visits:cluster-$CLUSTER_RUN_ID-canary"; do
      docker image inspect "$image" >/dev/null 2>&1 && docker image rm --force "$image" >/dev/null
    done
  fi
  if [[ "${LOCAL_CLUSTER_KEEP:-}" == 1 && $status == 0 ]]; then
    log "LOCAL_CLUSTER_KEEP=1: the cluster keeps running; source $CLUSTER_ENV to use it, bash scripts/local-cluster/down.sh to remove it"
    exit 0
  fi
  local t=$SECONDS
  bash "$here/down.sh" || { ((status != 0)) || status=1; }
  log "teardown $(elapsed "$t"); total $(elapsed "$t0"); exit $status"
  exit "$status"
}
trap teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

t=$SECONDS
bash "$here/provision.sh"
log "provision $(elapsed "$t")"
t=$SECONDS
bash "$here/up.sh"
log "start $(elapsed "$t")"

# shellcheck disable=SC1090
source "$CLUSTER_ENV"
# The suite must run here: a missing piece is an error, not a skip.
export CLUSTER_REQUIRED=1
t=$SECONDS
cd "$root"
# In a process group of its own, waited for in the background: a signal to this script runs the
# trap at once (bash defers traps while a foreground command runs), and the trap stops the group.
setsid npx turbo run test:cluster --filter=@stateful-visits/cluster-tests &
suite_pid=$!
wait "$suite_pid"
suite_pid=
log "cluster suite $(elapsed "$t")"
