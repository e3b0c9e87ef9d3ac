#!/bin/sh
# A disk-inspection tool, as small as it gets: what an inventory scan reads from a guest's disk
# image without mounting it. Prints one JSON line:
#   {"hostname": "...", "distro": "...", "packages": N, "user_files": N, "user_bytes": N, "fsck": "clean"}
# It checks the filesystem read-only (e2fsck -fn), reads /etc/hostname, /etc/os-release and the
# package database with one debugfs session, then copies the user files out (debugfs rdump) and
# checksums them, as an inventory that detects changed files would.
#
# INSPECT_SLOWDOWN=N (a whole number, default 1) scans the image N times: the regression the
# gate must catch.
set -eu
PATH="$PATH:/usr/sbin:/sbin"
image=${1:?usage: inspect.sh IMAGE}
slowdown=${INSPECT_SLOWDOWN:-1}
case $slowdown in
  ''|*[!0-9]*|0) echo "inspect.sh: INSPECT_SLOWDOWN=$slowdown: expected a whole number >= 1" >&2; exit 2 ;;
esac
[ -f "$image" ] || { echo "inspect.sh: $image: no such image (make it with ./make-images.sh)" >&2; exit 2; }

out=$(mktemp)
files=$(mktemp -d)
trap 'rm -rf "$out" "$files"' EXIT
i=0
while [ "$i" -lt "$slowdown" ]; do
  i=$((i + 1))
  e2fsck -fn "$image" >/dev/null 2>&1 || { echo "inspect.sh: e2fsck -fn $image found errors" >&2; exit 1; }
  # One session, four reads; debugfs writes its banner to stderr.
  debugfs -f - "$image" >"$out" 2>/dev/null <<'CMDS'
cat /etc/hostname
cat /etc/os-release
cat /var/lib/dpkg/status
cat /lib/apk/db/installed
cat /var/lib/rpm/rpm-qa.txt
CMDS
  rm -rf "$files"/data
  debugfs -R "rdump /home/user/data $files" "$image" >/dev/null 2>&1
  find "$files"/data -type f -exec sha256sum {} + >"$files/sums"
done

hostname=$(sed -n 2p "$out")   # the line after debugfs's echo of `cat /etc/hostname`
distro=$(sed -n 's/^ID=//p' "$out" | head -n 1)
# dpkg "Package:", apk "P:", rpm-qa "name-version-release.arch" lines.
packages=$(grep -c -E '^(Package: |P:|[a-z0-9.+_-]+-[^ ]+\.(x86_64|noarch)$)' "$out" || true)
user_files=$(wc -l <"$files/sums")
user_bytes=$(find "$files"/data -type f -exec cat {} + | wc -c)
printf '{"hostname": "%s", "distro": "%s", "packages": %s, "user_files": %s, "user_bytes": %s, "fsck": "clean"}\n' \
  "$hostname" "$distro" "$packages" "$user_files" "$user_bytes"
