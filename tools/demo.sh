#!/usr/bin/env bash
# The main job: set up, build, create the demo store, mount it, and print
# what to try.  Usage: tools/demo.sh [STORE [MOUNTPOINT]]
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
store=${1:-/tmp/tenantfs-demo/store}
mnt=${2:-/tmp/tenantfs-demo/mnt}

bash tools/setup.sh

if mountpoint -q "$mnt" 2>/dev/null; then
	fusermount3 -u "$mnt" || umount -l "$mnt"
fi
if [ ! -e "$store/console.db" ]; then
	mkdir -p "$(dirname "$store")"
	"$top/build/tools/tenantctl" init --demo "$store"
fi
mkdir -p "$mnt"
"$top/build/fs/tenantfs" -o store="$store" "$mnt"
for _ in $(seq 50); do mountpoint -q "$mnt" && break; sleep 0.1; done
mountpoint -q "$mnt"

cat <<TXT

tenantfs is mounted: store $store at $mnt

Try:
  cd $mnt
  cat README
  ls tenants/acme/staging/metadata/Form
  cat tenants/acme/staging/metadata/Form/Incident.Default.xml
  sed -i 's/length="100"/length="120"/' tenants/acme/staging/metadata/BusinessObject/Incident.xml
  diff -r tenants/acme/staging/metadata tenants/acme/production/metadata
  cat tenants/acme/staging/history/log
  git --git-dir=$store/history.git log --stat acme/staging
  cat tenants/acme/staging/log

Unmount with: fusermount3 -u $mnt
TXT
