#!/bin/sh
# vmmap-clients.sh - run programs written by others against /dev/vmmap, in
# the test guest (busybox sh; fio, memtester, stress-ng, trinity and
# vmmapctl in PATH). TAP on stdout, one line a program run; exit status 1 if any failed.
#
#   fio       write with one engine, verify with another (--verify_only):
#             psync -> mmap, then mmap -> psync, both with fsync=N (fsync(2)
#             for psync, msync(MS_SYNC) for mmap; and at the end, so every
#             written page is synced); the device is wiped in
#             between (resize to 0 and back), and a verify of the wiped
#             device must fail, so a verify that checks nothing cannot pass
#   memtester -p 0 -d /dev/vmmap: every pattern through a MAP_SHARED |
#             MAP_LOCKED mapping of the device (quick: MEMTESTER_TEST_MASK)
#   stress-ng --dev on /dev/vmmap: open flags, lseek, poll, ioctls, mmap
#             from several threads
#   trinity   the syscall fuzzer with the device as its only files (-V, a
#             directory of 8 nodes of it; its fd pool: --enable-fds=
#             pseudo), the mmap family and read/write/ioctl/lseek/fsync
#             (TR_CALLS), a fixed number of calls (-N), twice: as uid/gid
#             65534 (busybox su; the nodes are group 65534, 0660) and as
#             root (--dangerous); the device's counters (mmap, faults)
#             must have moved, so a run that never touched it fails
#
# Usage: vmmap-clients.sh [-l]
#   default: the quick form (CI): fio 16 MiB, memtester mask 0x3 on 4 MiB,
#            stress-ng 10 s, trinity TR_OPS calls a run
#   -l:      the long form (make stress): fio 48 MiB, every memtester test
#            on 4 MiB, stress-ng 60 s, trinity 10 times as many calls (10000)
set -u

DEV=/dev/vmmap
DEVSIZE=64M
FIO_SIZE=16M FIO_BS=64k FIO_FSYNC=8
MT_SIZE=4M MT_MASK=0x3
SNG_SECS=10
TR_OPS=1000 TR_CHILDREN=2 TR_VICTIMS=/tmp/trinity-victims TR_NODES=8
TR_CALLS="mmap munmap mremap msync mprotect madvise remap_file_pages mlock munlock mincore
	read write pread64 pwrite64 readv writev preadv pwritev ioctl lseek fsync fdatasync"
if [ "${1-}" = -l ]; then
	FIO_SIZE=48M FIO_FSYNC=4
	MT_MASK=""
	SNG_SECS=60
	TR_OPS=10000
elif [ $# -gt 0 ]; then
	echo "usage: vmmap-clients.sh [-l]" >&2
	exit 2
fi

n=0 failed=0
out=/tmp/vmmap-clients.out

# result NAME STATUS - a TAP line; on failure the program's output as comments.
result() {
	n=$((n + 1))
	if [ "$2" = 0 ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		failed=$((failed + 1))
		sed 's/^/# /' "$out" | tail -n 40
	fi
}

# wipe - drop every page of the device: it reads zeroes afterwards.
wipe() {
	{ vmmapctl resize 0 && vmmapctl resize "$DEVSIZE"; } || echo "# vmmapctl: wipe failed"
}

# run_fio NAME ENGINE VERIFY_ONLY [EXPECT_FAIL] - one fio job on the device:
# a sequential write with crc32c verify headers, or (VERIFY_ONLY=1) the
# verify pass of the same job, which reads and checks what is there.
run_fio() {
	name=$1 engine=$2 vonly=$3 expect=${4-0}
	fio --name=vmmap --filename="$DEV" --size="$FIO_SIZE" --bs="$FIO_BS" --rw=write \
		--ioengine="$engine" --fsync="$FIO_FSYNC" --end_fsync=1 --verify=crc32c --do_verify="$vonly" \
		--verify_only="$vonly" --verify_state_save=0 --verify_fatal=1 >"$out" 2>&1
	rc=$?
	if [ "$expect" != fail ]; then
		grep -E '^ *(READ|WRITE): bw=' "$out" | sed "s/^ */# $engine /"
	else
		[ $rc != 0 ] && grep -q 'verify: bad' "$out"
		rc=$?
	fi
	result "$name" $rc
}

# counter NAME - the device's counter NAME (root only).
counter() {
	cat "/sys/class/misc/vmmap/stats/$1" 2>/dev/null || echo 0
}

# victims - TR_VICTIMS, a directory of TR_NODES nodes of the device, group
# 65534 and mode 0660 (uid 65534 opens them; /dev/vmmap stays 0600):
# trinity opens each of its victim files once, with random open flags (an
# O_PATH descriptor, say, reaches nothing), so one node is not enough.
victims() {
	rm -rf "$TR_VICTIMS"
	mkdir -p "$TR_VICTIMS"
	majmin=$(cat /sys/class/misc/vmmap/dev)
	i=0
	while [ $i -lt $TR_NODES ]; do
		mknod -m 0660 "$TR_VICTIMS/vmmap$i" c "${majmin%:*}" "${majmin#*:}"
		chgrp 65534 "$TR_VICTIMS/vmmap$i"
		i=$((i + 1))
	done
}

# run_trinity nobody|root - trinity on the device alone (the nodes of
# TR_VICTIMS, and that directory itself), TR_OPS calls of
# TR_CALLS from TR_CHILDREN children; the counters are reset first and
# must show mappings of the device (mmap) and faults in them afterwards
# (fault, map_pages or sigbus: which, varies with the seed).
run_trinity() {
	who=$1 args="-q -q -l off -V $TR_VICTIMS --enable-fds=pseudo -N $TR_OPS -C $TR_CHILDREN"
	for c in $TR_CALLS; do
		args="$args -c $c"
	done
	vmmapctl reset
	# trinity's System V segments (it never removes them) go when it exits
	echo 1 >/proc/sys/kernel/shm_rmid_forced
	start=$(date +%s)
	if [ "$who" = root ]; then
		# --clowntown: no 10 s countdown before fuzzing as root
		# shellcheck disable=SC2086 # $args: words
		trinity --dangerous --clowntown $args >"$out" 2>&1
	else
		mkdir -p /etc
		grep -q '^nobody:' /etc/passwd 2>/dev/null ||
			echo 'nobody:x:65534:65534:nobody:/tmp:/bin/sh' >>/etc/passwd
		su -s /bin/sh nobody -c "cd /tmp && echo \"uid \$(id -u):\$(id -g)\" && exec trinity $args" >"$out" 2>&1
	fi
	rc=$?
	secs=$(($(date +%s) - start))
	counts=""
	for c in mmap vma_open fault map_pages page_mkwrite sigbus fsync resize pages_allocated; do
		counts="$counts $c=$(counter $c)"
	done
	grep -E '^uid |Initial random seed|Added [0-9]+ filenames|Bailing main loop|Ran [0-9]+ syscalls' "$out" |
		sed 's/^\[[^]]*\] *//; s/^/# trinity: /'
	echo "# trinity $who: $secs s;$counts"
	# as nobody: trinity itself refuses root without --dangerous
	if [ $rc = 0 ] && grep -q "Added $((TR_NODES + 1)) filenames from $TR_VICTIMS" "$out" &&
		{ [ "$who" = root ] || grep -q '^uid 65534:65534$' "$out"; } &&
		grep -q 'Completed maximum number of operations' "$out" &&
		[ "$(counter mmap)" -gt 0 ] &&
		[ $(($(counter fault) + $(counter map_pages) + $(counter sigbus))) -gt 0 ]; then
		rc=0
	else
		[ $rc = 0 ] && rc=1
	fi
	result "trinity $who $TR_OPS calls" $rc
}

echo "1..9"
echo "# $(uname -r) $(uname -m); fio $(fio --version); memtester, stress-ng $(stress-ng --version | sed -n 's/.*version \([^ ]*\).*/\1/p'), trinity"
[ -f /etc/vmmap-clients ] && sed 's/^/# /' /etc/vmmap-clients
vmmapctl resize "$DEVSIZE" && vmmapctl info | sed -n '1s/^/# /p'

wipe
run_fio "fio write $FIO_SIZE psync fsync=$FIO_FSYNC" psync 0
run_fio "fio verify $FIO_SIZE mmap" mmap 1
wipe
run_fio "fio verify of the wiped device fails (control)" mmap 1 fail
run_fio "fio write $FIO_SIZE mmap fsync=$FIO_FSYNC" mmap 0
run_fio "fio verify $FIO_SIZE psync" psync 1
vmmapctl stats | grep -E '^(fsync|pages_cleaned|page_mkwrite) ' | sed 's/^/# /'

wipe
if [ -n "$MT_MASK" ]; then
	MEMTESTER_TEST_MASK=$MT_MASK memtester -p 0 -d "$DEV" "$MT_SIZE" 1 >"$out" 2>&1
else
	memtester -p 0 -d "$DEV" "$MT_SIZE" 1 >"$out" 2>&1
fi
rc=$?
# "  Name   : <progress, backspaces> ok" a test; FAILURE lines go to stderr
sed -E -n 's/^ *([A-Z0-9][A-Za-z0-9 -]*[A-Za-z0-9]) *:.*(ok|FAILURE.*)$/\1: \2/p; t; /FAILURE|^Done/p' "$out" |
	sed 's/^/# memtester: /'
if [ $rc != 0 ] || ! grep -q '^Done' "$out"; then
	rc=1
fi
result "memtester $MT_SIZE, tests ${MT_MASK:-all}" $rc

wipe
stress-ng --dev 1 --dev-file "$DEV" -t "${SNG_SECS}s" --metrics-brief >"$out" 2>&1
rc=$?
grep -E ' dev +[0-9]+ | run completed|passed:|failed:|skipped:' "$out" | sed 's/^/# /'
# 0.15 ends with "successful run completed", later versions also count
# "passed: N" and "failed: N"; the dev stressor must have done some work
if [ $rc = 0 ] && grep -q 'successful run completed' "$out" &&
	! grep -q 'unsuccessful run' "$out" && ! grep -E -q '(failed|skipped): [1-9]' "$out" &&
	grep -E -q ' dev +[1-9][0-9]* ' "$out"; then
	rc=0
else
	[ $rc = 0 ] && rc=1
fi
result "stress-ng --dev $SNG_SECS s" $rc

victims
wipe
run_trinity nobody
wipe
run_trinity root
rm -rf "$TR_VICTIMS"

vmmapctl info | sed -n '1,4s/^/# /p'
echo "# $((n - failed)) passed, $failed failed"
[ $failed = 0 ]
