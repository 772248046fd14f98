#!/usr/bin/env bash
# Every vmmap_* name the guide mentions must exist in module/: functions,
# variables, structs, enums, macros and tracepoint events (vmmap:vmmap_fault
# names the event vmmap_fault), i.e. appear in the module's code outside
# comments. Catches names that were renamed or never existed. The blocks
# make trace generates are left out: they show what the kernel ran,
# including functions the module's compat macros define on old kernels.
# Usage: tests/guide-names.sh [GUIDE [MODULE_DIR]]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
guide=${1:-$top/docs/mmap-path.md}
module=${2:-$top/module}

[ -f "$guide" ] || { echo "guide-names: no $guide"; exit 1; }
srcs=("$module"/*.c "$module"/*.h)
[ -f "${srcs[0]}" ] || { echo "guide-names: no sources in $module"; exit 1; }

# The module's identifiers: C comments and string literals stripped first,
# so that a name only mentioned in a comment does not count as defined.
defined=$(perl -0777 -ne '
	s{/\*.*?\*/}{ }gs; s{//[^\n]*}{}g; s{"(?:\\.|[^"\\])*"}{""}g;
	print "$1\n" while /(?<![A-Za-z0-9_])(vmmap_[a-z0-9_]+)/g;
' "${srcs[@]}" | sort -u)

# The guide's: a name not preceded by an identifier character (so
# trace_vmmap_fault is not read as vmmap_fault) and not followed by one of
# the upper-case or other characters that would make it another word.
prose=$(sed '/<!-- BEGIN GENERATED/,/<!-- END GENERATED/d' "$guide")
named=$(grep -oP '(?<![A-Za-z0-9_-])vmmap_[a-z0-9_]+(?![A-Za-z0-9_])' <<<"$prose" |
	sort -u || true)

missing=$(comm -23 <(printf '%s\n' "$named") <(printf '%s\n' "$defined") |
	sed '/^$/d')
if [ -n "$missing" ]; then
	while read -r name; do
		lines=$(grep -nP "(?<![A-Za-z0-9_-])$name(?![A-Za-z0-9_])" "$guide" |
			cut -d: -f1 | paste -sd, -)
		echo "guide-names: ${guide#"$top"/}:$lines: $name is not defined in module/"
	done <<<"$missing"
	exit 1
fi
echo "guide-names: $(printf '%s\n' "$named" | sed '/^$/d' | wc -l) vmmap names in ${guide#"$top"/}, all defined in module/"
