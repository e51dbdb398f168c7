#!/usr/bin/env bash
# Installs meshward's build and test dependencies from Debian 12 packages.
# Idempotent: packages already present are skipped, so repeat runs cost one dpkg query.
# Extra package names given as arguments are installed too (scripts/sanitize.sh adds clang).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libboost-dev libboost-system-dev
  libssl-dev openssl
  rapidjson-dev libyaml-cpp-dev libre2-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libgoogle-perftools-dev
  curl ca-certificates
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "deps: all present"
fi
