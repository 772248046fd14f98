#!/usr/bin/env bash
# Kernel-style checks of the module and the uapi header, with the tools the
# kernel community runs, taken from Debian's linux-source-6.12:
#   checkpatch.pl --strict --no-tree, the kernel's .clang-format (check only),
#   kernel-doc -none -Wall (every documented function fully documented),
#   and a W=1 build with sparse (C=2) against the 6.1 amd64 headers;
# and tests/guide-names.sh: every vmmap_* name in docs/mmap-path.md exists.
# Fails on any finding. Usage: tests/lint.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
src=$("$top/tests/kernel-src.sh" .clang-format scripts/checkpatch.pl \
	scripts/kernel-doc scripts/spelling.txt scripts/const_structs.checkpatch)

cd "$top"
files=()
for f in module/*.c module/*.h uapi/vmmap.h; do
	[ "$f" = module/vmmap.mod.c ] || files+=("$f")
done
fail=0
"$top/tests/guide-names.sh" || fail=1
for f in "${files[@]}"; do
	out=$(perl "$src/scripts/checkpatch.pl" --strict --no-tree --terse -f "$f" |
		grep -v '^total: 0 errors, 0 warnings, 0 checks' || true)
	[ -z "$out" ] || { echo "$out"; fail=1; }
	if ! clang-format --style="file:$src/.clang-format" --dry-run -Werror "$f"; then
		fail=1
	fi
done

out=$(perl "$src/scripts/kernel-doc" -none -Wall "${files[@]}" 2>&1)
[ -z "$out" ] || { echo "$out"; fail=1; }

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
echo "lint: checkpatch, clang-format, kernel-doc, W=1, sparse and guide names clean"
