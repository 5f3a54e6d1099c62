#!/usr/bin/env bash
# Makes a Docker engine reachable, for CI and fresh machines where nothing runs one.
#
# Idempotent: does nothing when `docker info` already works. Otherwise installs Debian's docker.io
# when dockerd is missing, starts dockerd in the background with its output in a log file, and waits
# (bounded) for it to answer. On failure it prints the tail of that log and exits non-zero.
#
#   bash scripts/start-docker.sh
#   DOCKERD_LOG=/tmp/dockerd.log DOCKERD_WAIT_SECONDS=60 bash scripts/start-docker.sh
set -euo pipefail

log="${DOCKERD_LOG:-/tmp/dockerd.log}"
wait_seconds="${DOCKERD_WAIT_SECONDS:-60}"

if docker info >/dev/null 2>&1; then
  echo "start-docker: a Docker engine is already reachable"
  exit 0
fi

sudo=()
if [[ "$(id -u)" != 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "start-docker: must run as root (or with sudo available)" >&2; exit 1; }
  sudo=(sudo)
fi

if ! command -v dockerd >/dev/null 2>&1; then
  echo "start-docker: dockerd not found; installing Debian's docker.io"
  "${sudo[@]}" apt-get update
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y docker.io
fi

show_log() {
  echo "start-docker: last lines of $log:" >&2
  tail -n 40 "$log" >&2 || true
}

dockerd_pid=
if command -v pgrep >/dev/null 2>&1 && pgrep -x dockerd >/dev/null 2>&1; then
  echo "start-docker: dockerd is already running but not answering yet; waiting for it"
else
  echo "start-docker: starting dockerd, log in $log"
  # setsid: dockerd must outlive this script and the CI step's process group.
  "${sudo[@]}" setsid dockerd >"$log" 2>&1 </dev/null &
  dockerd_pid=$!
fi

deadline=$((SECONDS + wait_seconds))
until docker info >/dev/null 2>&1; do
  if ((SECONDS >= deadline)); then
    echo "start-docker: dockerd did not answer within ${wait_seconds}s" >&2
    show_log
    exit 1
  fi
  if [[ -n "$dockerd_pid" ]] && ! kill -0 "$dockerd_pid" 2>/dev/null; then
    echo "start-docker: dockerd exited during startup" >&2
    show_log
    exit 1
  fi
  sleep 1
done

echo "start-docker: Docker engine ready ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo unknown)), log in $log"
