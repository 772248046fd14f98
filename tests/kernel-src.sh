#!/bin/bash
# kernel-src.sh FILE... - print a directory holding FILE... (paths inside
# the kernel tree, e.g. tools/testing/selftests/kselftest_harness.h), taken
# once from Debian's linux-source-6.12 package (tests/vm/deps.sh installs
# it) into the cache. Build-time inputs only: nothing of it is committed.
set -eu
[ $# -gt 0 ] || { echo "usage: $0 FILE..." >&2; exit 2; }
cache=${VMMAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmmap}
tree=$cache/kernel-src/linux-source-6.12
tarball=$(find /usr/src -maxdepth 1 -name "linux-source-6.12.tar.*" | head -n 1)
missing=""
for f in "$@"; do
	[ -f "$tree/$f" ] && [ ! "$tree/$f" -ot "$tarball" ] || missing="$missing linux-source-6.12/$f"
done
if [ -n "$missing" ]; then
	[ -n "$tarball" ] || {
		echo "$0: install linux-source-6.12 (tests/vm/deps.sh does)" >&2
		exit 1
	}
	mkdir -p "$cache/kernel-src"
	# shellcheck disable=SC2086 # one word per file
	tar -C "$cache/kernel-src" -xf "$tarball" $missing
	for f in "$@"; do touch "$tree/$f"; done
fi
echo "$tree"
