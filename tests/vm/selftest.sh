#!/bin/bash
# selftest.sh - tests of the VM runner's verdicts (lib.sh), TAP output: what
# vm_check_log fails a console log for, and after which failures vm_boot_failed
# lets run.sh boot again (only a kernel that crashed or hung before the
# guest's /init ran, with nothing of vmmap loaded); which Debian archive
# vm_mirror takes from apt sources (fixtures, then the host's own); how check.sh
# counts a KTAP stream. With --vm, also two real
# runs of run.sh: a kernel that cannot start /init (rdinit=/nonexistent) and
# a boot limit too short to reach /init; each is booted twice, then FAILs.
#
# Usage: tests/vm/selftest.sh [--vm [KERNEL]]   (KERNEL default 6.1-amd64)
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0

# t NAME CMD... - one test: CMD runs in its own subshell; ok if it succeeds.
t() {
	local name=$1 out
	shift
	n=$((n + 1))
	if out=$( ("$@") 2>&1); then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		[[ -z $out ]] || printf '#   %s\n' "${out//$'\n'/$'\n'#   }"
		failed=$((failed + 1))
	fi
}

# Console logs as run.sh's guest writes them.
boot='SeaBIOS (version 1.16.2-debian-1.16.2-1)
[    0.044000] tsc: Unable to calibrate against PIT
[    2.419557] acpi PNP0A03:00: fail to add MMCONFIG information'
good="$boot
VMMAP-BOOT 6.1.0-56-amd64 x86_64
[    6.403676] vmmap: loading out-of-tree module taints kernel.
ok 1 - lazy_allocation
[    9.100000] vmmap: unloaded, 16 pages allocated, 16 pages freed
VMMAP-MEM free_kb_before=900000 free_kb_after=899000 live_vmas=0
VMMAP-DONE insmod=0 rc=0 rmmod=0"
oops='[    1.981585] Oops: int3: 0000 [#1] SMP NOPTI
[    1.998486] Kernel panic - not syncing: Fatal exception in interrupt'
printf '%s\n' "$good" >"$tmp/good"
printf '%s\n%s\n' "$boot" "$oops" >"$tmp/early"
printf '%s\n' "$good" | sed '/^ok 1/a [    7.000000] Oops: general protection fault: 0000 [#1] SMP NOPTI' >"$tmp/late"
printf '%s\n%s\n' "$boot" "$(sed -n '/VMMAP-BOOT/,/taints/p' <<<"$good")" >"$tmp/hung"
# The marker glued to a kernel line by interleaved console output, then
# an oops: a crash of a guest that had started, never to be booted again.
printf '%s\n[    2.5] randomVMMAP-BOOT 6.1.0-56-amd64 x86_64\n%s\n' "$boot" "$oops" >"$tmp/glued"
printf '%s\n[    2.5] Oops: int3: 0000 [#1] SMP NOPTI\nModules linked in: vmmap\n' "$boot" >"$tmp/modules"
printf '%s\nrun.sh: boot hung: /init not started after 300 s; qemu killed\n' "$boot" >"$tmp/stuck"
sed 's/16 pages freed/15 pages freed/' "$tmp/good" >"$tmp/leak"
sed 's/free_kb_after=899000/free_kb_after=800000/' "$tmp/good" >"$tmp/memfree"
sed 's/live_vmas=0/live_vmas=1/' "$tmp/good" >"$tmp/vmas"
sed 's/rmmod=0/rmmod=1/' "$tmp/good" >"$tmp/rmmod"
sed 's/rc=0/rc=3/' "$tmp/good" >"$tmp/rc"
# KCSAN reports (6.12-amd64-kcsan): one of the kernel's own, one with a
# frame of the module.
kcsan() {
	printf '%s\n' '[   20.1] ==================================================================' \
		"[   20.1] BUG: KCSAN: data-race in $1 / $2" '[   20.1] ' \
		'[   20.1] write to 0xffff888003a1c0d8 of 8 bytes by task 61 on cpu 1:' \
		"[   20.1]  $1+0x2e/0x70$3" '[   20.1]  do_syscall_64+0x9e/0x1a0' '[   20.1] ' \
		'[   20.1] read to 0xffff888003a1c0d8 of 8 bytes by task 62 on cpu 0:' \
		"[   20.1]  $2+0x14/0x40" '[   20.1] ' \
		'[   20.1] Reported by Kernel Concurrency Sanitizer on:' \
		'[   20.1] CPU: 0 UID: 0 PID: 62 Comm: vmmap-stress Not tainted 6.12.118-vmmap-kcsan' \
		'[   20.1] =================================================================='
}
{ sed '/^ok 1/q' "$tmp/good"; kcsan vmmap_fault vmmap_map_pages ' [vmmap]'; sed '1,/^ok 1/d' "$tmp/good"; } >"$tmp/kcsan-module"
{ sed '/^ok 1/q' "$tmp/good"; kcsan tick_sched_do_timer ktime_get ''; sed '1,/^ok 1/d' "$tmp/good"; } >"$tmp/kcsan-kernel"

# fails LOG WHY - vm_check_log fails LOG, giving a reason that matches WHY.
fails() {
	local why
	! why=$(vm_check_log "$1") || { echo "vm_check_log passed $1"; return 1; }
	grep -q -E "$2" <<<"$why" || { echo "reasons: $why"; return 1; }
}

t "a clean run passes" vm_check_log "$tmp/good"
t "an oops fails the run" fails "$tmp/late" 'kernel reported problems'
t "no VMMAP-DONE marker fails the run" fails "$tmp/hung" 'no VMMAP-DONE marker'
t "a boot that hung before /init fails the run" fails "$tmp/stuck" 'boot hung'
t "pages allocated but not freed fail the run" fails "$tmp/leak" 'page leak'
t "free memory not back after rmmod fails the run" fails "$tmp/memfree" 'free memory not back'
t "a VMA still counted fails the run" fails "$tmp/vmas" 'live_vmas 1'
t "a failed rmmod fails the run" fails "$tmp/rmmod" 'rmmod vmmap failed'
t "the guest command's exit status fails the run" fails "$tmp/rc" 'exited with status 3'
t "a KCSAN report of the kernel's own passes" vm_check_log "$tmp/kcsan-kernel"
t "a KCSAN report with a frame of vmmap fails the run" fails "$tmp/kcsan-module" 'BUG: KCSAN: data-race in vmmap_fault'
listed() {
	local got
	got=$(vm_kcsan_kernel "$tmp/kcsan-kernel" "$tmp/kcsan-module" "$tmp/kcsan-kernel")
	[[ $(xargs <<<"$got") == "2 data-race in tick_sched_do_timer / ktime_get" ]] || { echo "listed: $got"; return 1; }
}
t "the kernel's own KCSAN reports are listed, the module's not" listed

# retried LOG LINE - run.sh would boot again after LOG, naming LINE.
retried() {
	local first
	first=$(vm_boot_failed "$1") || { echo "not booted again"; return 1; }
	[[ $first == *"$2"* ]] || { echo "named: $first"; return 1; }
}
# not_retried LOG - run.sh would not boot again after LOG.
not_retried() {
	declare -F vm_boot_failed >/dev/null || return 1
	! vm_boot_failed "$1"
}

t "a kernel crash before /init is booted again" retried "$tmp/early" "Oops: int3"
t "a boot that hung before /init is booted again" retried "$tmp/stuck" "boot hung"
t "a crash after /init ran is not booted again" not_retried "$tmp/late"
t "a crash after a glued VMMAP-BOOT is not booted again" not_retried "$tmp/glued"
t "a crash with vmmap in the module list is not booted again" not_retried "$tmp/modules"
t "a guest that hung after /init ran is not booted again" not_retried "$tmp/hung"
t "a clean run is not booted again" not_retried "$tmp/good"

# apt sources as hosts have them, for vm_mirror: the one-line format with
# options, comments, deb-src and other vendors' archives first (one with
# a Debian suite name, its Release file from another Origin); deb822
# with a disabled stanza, a deb-src one, continuation lines, the security
# archive first and one apt has no Release file of before the one whose
# Release file says Debian, beside files apt does not read; no security
# source; none of Debian's.
mkdir -p "$tmp"/{line,822,nosec,none}/sources.list.d
cat >"$tmp/line/sources.list" <<'EOF'
# deb http://commented.example/debian bookworm main
deb-src http://src.example/debian bookworm main
deb [arch=amd64 signed-by=/usr/share/keyrings/vendor.gpg] https://vendor.example/apt stable-vendor main
deb [ arch=amd64,arm64 trusted=yes ] http://security.example/debian-security bookworm-security main
deb https://vendor.example/linux/debian bookworm stable
deb http://mirror.example:3142/debian/ bookworm main contrib # a caching proxy
EOF
# What apt knows of the vendors using Debian's suite names: their Release files.
mkdir -p "$tmp/lists"
printf 'Origin: Vendor\nSuite: bookworm\n' >"$tmp/lists/vendor.example_linux_debian_dists_bookworm_InRelease"
printf 'Origin: Vendor\nSuite: stable\n' >"$tmp/lists/vendor.example_apt_dists_stable_Release"
cat >"$tmp/822/sources.list.d/debian.sources" <<'EOF'
Types: deb
URIs: http://off.example/debian
Suites: bookworm
Enabled: no

Types: deb-src
URIs: http://src.example/debian
Suites: bookworm

# the security archive
Types: deb
URIs: http://sec.example/debian-security
Suites: trixie-security
Components: main

Types: deb
URIs: http://unknown.example/debian
Suites: trixie

types: deb deb-src
URIs:
 http://archive.example/debian
 http://second.example/debian
Suites: trixie
	trixie-updates
Components: main
EOF
printf 'Origin: Debian\n' >"$tmp/lists/archive.example_debian_dists_trixie-updates_InRelease"
printf 'deb http://first.example/debian sid main\n' >"$tmp/822/sources.list.d/a.list.save"
printf 'Types: deb\nURIs: http://first.example/debian\nSuites: sid\n' \
	>"$tmp/822/sources.list.d/a.sources.disabled"
printf 'deb file:/srv/debian/ trixie main\n' >"$tmp/nosec/sources.list"
printf 'deb https://vendor.example/apt stable main\n' >"$tmp/none/sources.list"
printf 'Types: deb\nURIs: http://vendor.example/node\nSuites: nodistro\n' \
	>"$tmp/none/sources.list.d/node.sources"

# mirror [-s] DIR WANT - vm_mirror [-s] DIR, without the variables that
# override it, prints WANT.
mirror() {
	local opt=() got
	[[ $1 != -s ]] || { opt=(-s); shift; }
	got=$(unset VMMAP_MIRROR VMMAP_SECURITY_MIRROR; vm_mirror "${opt[@]}" "$1") || return 1
	[[ $got == "$2" ]] || { echo "vm_mirror ${opt[*]} $1: $got, not $2"; return 1; }
}
# no_mirror DIR - vm_mirror DIR fails, saying what to set.
no_mirror() {
	local err
	! err=$(unset VMMAP_MIRROR; vm_mirror "$1" 2>&1) || { echo "vm_mirror found $err"; return 1; }
	grep -q 'set VMMAP_MIRROR' <<<"$err" || { echo "said: $err"; return 1; }
}
# host_mirror - the host's own apt sources give an archive named in them.
host_mirror() {
	local m
	m=$(unset VMMAP_MIRROR; vm_mirror) || return 1
	grep -r -q -F "${m#*://}" /etc/apt/sources.list /etc/apt/sources.list.d 2>/dev/null ||
		{ echo "$m is not in /etc/apt"; return 1; }
}

VM_APT_LISTS=$tmp/lists
t "vm_mirror: one-line sources, options, comments, a proxy's port" \
	mirror "$tmp/line" http://mirror.example:3142/debian
t "vm_mirror -s: the one-line sources' security archive" \
	mirror -s "$tmp/line" http://security.example/debian-security
t "vm_mirror: deb822 sources, disabled and deb-src stanzas left out, Origin: Debian first" \
	mirror "$tmp/822" http://archive.example/debian
t "vm_mirror -s: the deb822 sources' security archive" \
	mirror -s "$tmp/822" http://sec.example/debian-security
t "vm_mirror -s: no security source: the archive's URI with -security" \
	mirror -s "$tmp/nosec" file:/srv/debian-security
t "vm_mirror: no Debian archive fails, naming VMMAP_MIRROR" no_mirror "$tmp/none"
t "VMMAP_MIRROR overrides the sources" \
	eval "VMMAP_MIRROR=http://over.example/d/ vm_mirror '$tmp/line' | grep -x -q http://over.example/d"
VM_APT_LISTS=/var/lib/apt/lists
t "the host's apt sources name a Debian archive" host_mirror

# check.sh's count of vmmap-check's KTAP stream (its function, taken as is).
eval "$(sed -n '/^check_count_tap() {/,/^}/p' "$VM_DIR/check.sh")"
ktap='TAP version 13
1..3
# selftests: vmmap: vmmap-test-a
# ok 1 vmmap.one
# ok 2 vmmap.two # SKIP no THP
ok 1 selftests: vmmap: vmmap-test-a
# selftests: vmmap: vmmap-test-b
# not ok 1 kernel.three
# ok 2 kernel.four
not ok 2 selftests: vmmap: vmmap-test-b # exit=1
# selftests: vmmap: vmmap-test-c
# ok 1 vmmap.five
not ok 3 selftests: vmmap: vmmap-test-c # TIMEOUT 900 seconds'
# count TEXT WANT - check_count_tap of TEXT as a console log is WANT.
count() {
	printf '%s\n' "$1" >"$tmp/ktap"
	got=$(check_count_tap "$tmp/ktap" k 2>&1)
	[[ $got == "$2" ]] || { echo "got '$got', want '$2'"; return 1; }
}
t "KTAP: tests nested under programs, skips, a failed test" count "$ktap" "3 2 1"
t "KTAP: a program that never reported is a failure" \
	count "$(printf '%s\n' "$ktap" | sed '1,2s/^1\.\.3$/1..4/')" $'check.sh: k: plan 1..4 but 3 programs reported\n3 3 1'

# run_twice KERNEL WHY RUN.SH-ARGS... - a run.sh that cannot reach /init:
# it must boot twice, keep the first log, and fail for WHY.
run_twice() {
	local kernel=$1 why=$2 log=$tmp/vm.log
	shift 2
	rm -f "$log"*
	if "$VM_DIR/run.sh" --kernel "$kernel" --timeout 300 --log "$log" "$@" -- true \
		>"$tmp/vm.out" 2>"$tmp/vm.err"; then
		echo "run.sh passed a kernel that cannot start /init"
		return 1
	fi
	grep -q 'booting again (retry 1 of 1)' "$tmp/vm.err" || { cat "$tmp/vm.err"; return 1; }
	[[ -s $log.failed-1 && ! -e $log.failed-2 ]] || { ls "$log"*; return 1; }
	grep -q -E "$why" "$log" || { echo "no '$why' in the second boot's log"; return 1; }
}

# run_hung KERNEL - run_twice with a boot limit (2 s) no boot reaches /init in.
run_hung() { VMMAP_BOOT_LIMIT=2 run_twice "$1" 'boot hung'; }

if [[ ${1-} == --vm ]]; then
	k=${2:-6.1-amd64}
	t "run.sh boots a kernel that crashed before /init once more, then fails" \
		run_twice "$k" 'Kernel panic' --append rdinit=/nonexistent
	t "run.sh stops a boot that has not reached /init in time, boots again, fails" \
		run_hung "$k"
fi
echo "1..$n"
[[ $failed == 0 ]]
