#!/usr/bin/env bash
# Install what tenantfs needs on Debian 12 (only what is missing) and build
# it into build/.  Run as root, or as a user who may sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential meson ninja-build pkg-config libfuse3-dev fuse3
	  libsqlite3-dev libxml2-dev libgit2-dev libssl-dev zlib1g-dev git vim
	  python3 diffutils util-linux clang libclang-rt-14-dev)
missing=()
for p in "${packages[@]}"; do
	dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

if [ ! -d build ]; then
	meson setup build --buildtype=debugoptimized >/dev/null
fi
ninja -C build >/dev/null
echo "built: build/fs/tenantfs build/tools/tenantctl"
