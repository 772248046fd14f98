#!/usr/bin/env bash
# Kernel-style checks of the module and the uapi header, with the tools the
# kernel community runs, taken from Debian's linux-source-6.12:
#   checkpatch.pl --strict --no-tree, the kernel's .clang-format (check only),
#   and a W=1 build with sparse (C=2) against the 6.1 amd64 headers.
# Fails on any finding. Usage: tests/lint.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${VMMAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmmap}
src=$cache/lint/linux-source-6.12
tarball=$(ls /usr/src/linux-source-6.12.tar.* 2>/dev/null | head -n1 || true)
[ -n "$tarball" ] || { echo "lint: install linux-source-6.12 (tests/vm/deps.sh does)"; exit 1; }

if [ ! -f "$src/.stamp" ] || [ "$src/.stamp" -ot "$tarball" ]; then
	rm -rf "$src"
	mkdir -p "$cache/lint"
	tar -C "$cache/lint" -xf "$tarball" linux-source-6.12/.clang-format \
		linux-source-6.12/scripts/checkpatch.pl \
		linux-source-6.12/scripts/spelling.txt \
		linux-source-6.12/scripts/const_structs.checkpatch
	touch "$src/.stamp"
fi

cd "$top"
files=(module/*.c module/*.h uapi/vmmap.h)
files=("${files[@]/module\/vmmap.mod.c/}")
fail=0
for f in "${files[@]}"; do
	[ -n "$f" ] || continue
	out=$(perl "$src/scripts/checkpatch.pl" --strict --no-tree --terse -f "$f" |
		grep -v '^total: 0 errors, 0 warnings, 0 checks' || true)
	[ -z "$out" ] || { echo "$out"; fail=1; }
	if ! clang-format --style="file:$src/.clang-format" --dry-run -Werror "$f"; then
		fail=1
	fi
done

eval "$("$top/tests/vm/kernel.sh" 6.1-amd64)"
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
cp -r Kbuild module uapi "$build/"
rm -f "$build"/module/*.o "$build"/module/*.ko "$build"/module/.*.cmd
out=$(make -s -C "$KDIR" M="$build" W=1 C=2 modules 2>&1 |
	grep -v 'Skipping BTF generation' || true)
[ -z "$out" ] || { echo "$out"; fail=1; }

if [ "$fail" -ne 0 ]; then
	echo "lint: FAILED"
	exit 1
fi
echo "lint: checkpatch, clang-format, W=1 and sparse clean"
