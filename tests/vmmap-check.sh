#!/bin/sh
# vmmap-check [-t GLOB]... [-x GLOB]... - run every vmmap test program in
# the directory of this script (vmmap-test-*, then the 32-bit vmmap-test32-*
# where they were built) as one KTAP stream, in the format of the kernel's
# kselftest runner: one result line per program, its own KTAP output nested
# under "# ". -t runs only the tests whose name (FIXTURE[.VARIANT].TEST, as
# the harness prints it) matches a glob, -x leaves out those that match.
# Exit status: 0 if every program passed or skipped, 1 otherwise.
#
# The 32-bit pass leaves out the long data races, which exercise the driver,
# not the compat ABI (ioctls, mmap offsets) that pass is for.
set -u
dir=$(cd "$(dirname "$0")" && pwd)
timeout=@TIMEOUT@	# tests/settings
incl="" excl=""
while getopts t:x: opt; do
	case $opt in
	t) incl="$incl $OPTARG" ;;
	x) excl="$excl $OPTARG" ;;
	*) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
excl32="*.huge_shrink_race *.lifetime_sigkill_stops_long_rw *.dirty_replica"

# names PROGRAM - the FIXTURE[.VARIANT].TEST names of PROGRAM's tests, from
# the harness's -l table (fixture 20 columns, variant 25, then the test).
names() {
	"$1" -l 2>&1 >/dev/null | awk '
	/^# FIXTURE/ { next }
	/^----/ { flush(); next }
	{
		f = substr($0, 1, 20); v = substr($0, 22, 25); t = substr($0, 48)
		gsub(/ /, "", f); gsub(/ /, "", v); gsub(/ /, "", t)
		if (f != "") { flush(); fix = f }
		if (v != "") vs[nv++] = v
		if (t != "") ts[nt++] = t
	}
	function flush(  i, j) {
		for (i = 0; i < nt; i++)
			if (nv == 0)
				print fix "." ts[i]
			else for (j = 0; j < nv; j++)
				print fix "." vs[j] "." ts[i]
		nv = nt = 0
	}
	END { flush() }'
}

# matches NAME GLOBS - whether NAME matches one of the space-separated GLOBS.
matches() {
	name=$1
	shift
	for g in $1; do
		# shellcheck disable=SC2254 # a glob on purpose
		case $name in $g) return 0 ;; esac
	done
	return 1
}

# select PROGRAM EXCLUDES - the harness arguments that run the selected
# tests of PROGRAM ("" for all of them, "-" for none).
select_args() {
	[ -z "$incl" ] && [ -z "$2" ] && { echo ""; return; }
	args="" any=0
	for n in $(names "$1"); do
		[ -n "$incl" ] && ! matches "$n" "$incl" && continue
		matches "$n" "$2" && continue
		args="$args -r $n" any=1
	done
	[ $any = 1 ] && echo "$args" || echo "-"
}

all=$(ls "$dir"/vmmap-test-* "$dir"/vmmap-test32-* 2>/dev/null)
set -f	# the globs of -t and -x stay globs
progs="" n=0
for p in $all; do
	[ -x "$p" ] || continue
	case $p in */vmmap-test32-*) ex="$excl $excl32" ;; *) ex="$excl" ;; esac
	a=$(select_args "$p" "$ex")
	[ "$a" = - ] && continue
	progs="$progs ${p##*/}:$(echo "$a" | tr ' ' '^')"
	n=$((n + 1))
done

echo "TAP version 13"
echo "1..$n"
echo "# kernel $(uname -r) $(uname -m), page size $(getconf PAGESIZE 2>/dev/null || echo '?')"
exec 4>&1
rc=0 i=0
for entry in $progs; do
	i=$((i + 1))
	prog=${entry%%:*}
	args=$(echo "${entry#*:}" | tr '^' ' ')
	echo "# selftests: vmmap: $prog"
	# The program's output streams through sed to fd 4; its status comes
	# back on fd 3.
	# shellcheck disable=SC2086 # one word per argument
	st=$({ { timeout "$timeout" "$dir/$prog" $args 2>&1; echo $? >&3; } |
		sed 's/^/# /' >&4; } 3>&1)
	case $st in
	0) echo "ok $i selftests: vmmap: $prog" ;;
	4) echo "ok $i selftests: vmmap: $prog # SKIP" ;;
	124 | 137 | 143) echo "not ok $i selftests: vmmap: $prog # TIMEOUT $timeout seconds"; rc=1 ;;
	*) echo "not ok $i selftests: vmmap: $prog # exit=$st"; rc=1 ;;
	esac
done
exit $rc
