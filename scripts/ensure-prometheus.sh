#!/usr/bin/env bash
# Makes Debian's Prometheus (the server and promtool) available for the rule tests and the
# monitoring suite, and prints where they are.
#
# Idempotent: does nothing but print the paths when both binaries are on PATH. Otherwise installs
# Debian's `prometheus` package without its recommends (the node exporter is not needed) and without
# starting the package's service: the tests start their own server with a temporary config, and a
# system one would hold port 9090 and scrape nothing of ours. A policy-rc.d that denies every start
# is put in place for the install when the machine has none (Docker images usually already do).
#
#   bash scripts/ensure-prometheus.sh
set -euo pipefail

if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
  echo "ensure-prometheus: promtool at $(command -v promtool), prometheus at $(command -v prometheus)"
  promtool --version 2>&1 | head -n 1
  exit 0
fi

sudo=()
if [[ "$(id -u)" != 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "ensure-prometheus: must run as root (or with sudo available) to install Debian's prometheus" >&2; exit 1; }
  sudo=(sudo)
fi

policy=/usr/sbin/policy-rc.d
added_policy=
if [[ ! -e "$policy" ]]; then
  printf '#!/bin/sh\n# Added by scripts/ensure-prometheus.sh for the install only: start no service.\nexit 101\n' |
    "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod 755 "$policy"
  added_policy=1
fi
remove_policy() { if [[ -n "$added_policy" ]]; then "${sudo[@]}" rm -f "$policy"; fi; }
trap remove_policy EXIT

echo "ensure-prometheus: installing Debian's prometheus (service not started)"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends prometheus

for tool in promtool prometheus; do
  command -v "$tool" >/dev/null 2>&1 || { echo "ensure-prometheus: $tool is still not on PATH after installing the package" >&2; exit 1; }
done
echo "ensure-prometheus: promtool at $(command -v promtool), prometheus at $(command -v prometheus)"
promtool --version 2>&1 | head -n 1
