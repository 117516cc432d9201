#!/usr/bin/env bash
# Installs every Debian package GraphKeeper's build, tests and benchmarks need. Idempotent:
# apt-get install of what is already there changes nothing. Runs as root or through sudo.
set -euo pipefail

packages=(
  # build and runtime
  build-essential cmake pkg-config git
  liblmdb-dev lmdb-utils libcapnp-dev capnproto libboost-graph-dev catch2
  libspdlog-dev libfmt-dev nlohmann-json3-dev libcli11-dev
  # tests: real ZooKeeper clients (kazoo, zkCli.sh, the official C client) and the
  # reference server for side-by-side runs
  python3 python3-kazoo python3-pytest zookeeper libzookeeper-mt-dev
  netcat-openbsd procps
  # the query parser's libFuzzer run (scripts/fuzz.sh)
  clang-14 libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
echo "setup: installing ${missing[*]}"
$SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}"
