#!/usr/bin/env bash
# Installs what the benchmarks need on top of install-deps.sh, from Debian 12 packages only: wrk (an independent
# HTTP load generator) and nginx-light (a trivial sink), used to check that our own load generator is not the
# bottleneck; perf, valgrind and heaptrack for profiling a missed goal. Idempotent and non-interactive: does
# nothing when every package is already there. The nginx that the package may start on port 80 is stopped again:
# the benchmarks run their own nginx on a free loopback port.
set -euo pipefail
cd "$(dirname "$0")/../.."
packaging/dev/install-deps.sh

packages=(wrk nginx-light linux-perf valgrind heaptrack libbenchmark-dev python3)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# policy-rc.d 101 = "do not start services from maintainer scripts" (Debian's invoke-rc.d policy), so
# installing nginx does not leave a system nginx listening on port 80.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod +x "$policy"
  created_policy=1
fi
status=0
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || status=$?
if [ "$created_policy" = 1 ]; then $SUDO rm -f "$policy"; fi
exit "$status"
