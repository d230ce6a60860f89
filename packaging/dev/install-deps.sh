#!/usr/bin/env bash
# Installs everything ves-agent needs to build, test and run, from Debian 12 packages only.
# Idempotent and non-interactive: does nothing when every package is already there.
set -euo pipefail

packages=(
  build-essential cmake pkg-config ccache git
  libboost1.81-dev nlohmann-json3-dev libyaml-cpp-dev libcurl4-openssl-dev libspdlog-dev
  libgtest-dev libgmock-dev libssl-dev librabbitmq-dev libre2-dev
  python3 python3-jsonschema python3-yaml openssl ca-certificates
  clang-14 libclang-rt-14-dev
  prometheus-alertmanager prometheus prometheus-node-exporter etcd-server etcd-client
  rabbitmq-server python3-amqp squid dante-server
  libbenchmark-dev dpkg-dev rpm file systemd man-db
)

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
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
