#!/usr/bin/env bash
# Installs what Continuum needs from Debian 12's packages, if missing, and
# configures and builds it in build/. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config python3
  libyaml-cpp-dev nlohmann-json3-dev libsimdjson-dev libcli11-dev
  libboost-dev libgtest-dev libgmock-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev
  libsqlite3-dev sqlite3 libpq-dev postgresql-15 libsodium-dev libcsv-dev liboath-dev
  wrk nginx-light python3-yaml
  chromium  # the web app's browser tests (tests/web/)
)
# Node.js and npm for the web app and the API document's lint (tests)
# unless a Node.js with npm is already present (e.g. from another source
# than Debian).
if ! command -v npm >/dev/null; then packages+=(nodejs npm); fi
if [[ "${CONTINUUM_SETUP_EXTRA:-}" != "" ]]; then
  read -r -a extra <<<"$CONTINUUM_SETUP_EXTRA"
  packages+=("${extra[@]}")
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "Installing: ${missing[*]}"
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "setup: need root or sudo to install ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build
