#!/bin/bash
# run.sh - boot one Debian kernel under qemu with vmmap.ko loaded and run a
# command in the guest; fail on a bad exit status, a failed rmmod, a page leak
# (the module's count, or free memory not back after rmmod), a VMA still
# counted, or any kernel warning/oops on the console.
#
# Usage: tests/vm/run.sh --kernel KERNEL [--timeout SECS] [--log FILE]
#                        [--append "extra cmdline"] [--module KO] [--bin DIR]...
#                        [--root DIR]... [--smp N] -- GUEST_COMMAND...
#   KERNEL: a name known to kernel.sh (tests/vm/kernel.sh --list)
#   --module: load this prebuilt vmmap.ko (e.g. built by dkms) instead of
#   building one (in the kernel's BUILD_CHROOT when kernel.sh names one);
#   default $VMMAP_MODULE (how check.sh callers pass it)
#   --timeout: kill qemu after SECS seconds (default $VMMAP_TIMEOUT or 600)
#   --smp: vCPUs of the guest (default $VMMAP_SMP or 2)
#   --log: console log (default build/vm-logs/KERNEL.log)
#   --bin: copy the executables in DIR to /bin of the guest too (static
#   programs of the kernel's architecture, e.g. tests/clients/build.sh's)
#   --root: copy the tree DIR into the guest's / (e.g. a dynamically linked
#   program in bin/ with its loader and libraries at their absolute paths)
#   GUEST_COMMAND runs in /tmp of the guest with the project's binaries
#   (userspace/, tests/) in PATH, e.g. vmmap-check or vmmap-demo.
# A kernel that crashes before the guest's /init runs, or has not run it
# $VMMAP_BOOT_LIMIT s (default 300) after qemu started (vmmap not loaded
# yet; lib.sh's vm_boot_failed), is booted again, up to
# $VMMAP_BOOT_RETRIES times (default 1); its log is kept as LOG.failed-N.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

kernel="" timeout=${VMMAP_TIMEOUT:-600} boot_retries=${VMMAP_BOOT_RETRIES:-1} log="" append="" module=${VMMAP_MODULE:-} bins=() roots=()
smp=${VMMAP_SMP:-2}
while [[ $# -gt 0 ]]; do
	case "$1" in
	--kernel) kernel=${2?}; shift 2 ;;
	--timeout) timeout=${2?}; shift 2 ;;
	--log) log=${2?}; shift 2 ;;
	--append) append=${2?}; shift 2 ;;
	--module) module=${2?}; shift 2 ;;
	--bin) bins+=("${2?}"); shift 2 ;;
	--root) roots+=("${2?}"); shift 2 ;;
	--smp) smp=${2?}; shift 2 ;;
	--) shift; break ;;
	*) vm_usage ;;
	esac
done
[[ -n $kernel && $# -gt 0 && $smp =~ ^[1-9][0-9]*$ ]] || vm_usage
log=${log:-$VM_LOGS/$kernel.log}

vm_kernel_env "$kernel" || vm_die "cannot get kernel $kernel"
work=$(mktemp -d "${TMPDIR:-/tmp}/vmmap-vm.XXXXXX")
# kill_qemu - stop the qemu of the boot under way, if any (its pidfile).
kill_qemu() {
	local pid
	pid=$(cat "$work/qemu.pid" 2>/dev/null) || return 0
	[[ $(cat "/proc/$pid/comm" 2>/dev/null) == qemu-system* ]] && kill "$pid" 2>/dev/null
	return 0
}
trap 'kill_qemu; wait; rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A clean copy of the sources, so builds for different kernels never mix.
mkdir -p "$work/bin" "$work/initramfs/bin"
vm_copy_src "$work/src"

start=$SECONDS
if [[ -n $module ]]; then
	vm_say "using $module"
	cp "$module" "$work/src/module/vmmap.ko" || vm_die "no module $module"
else
	vm_say "building vmmap.ko for $KVER ($ARCH)${BUILD_CHROOT:+ in $BUILD_CHROOT}"
	vm_kmake "$work/src" modules >&2 || vm_die "module build failed for $KVER"
fi
[[ -f $work/src/module/vmmap.ko ]] || vm_die "build made no module/vmmap.ko"
# 32-bit test programs too, where the kernel runs 32-bit processes: with
# CONFIG_COMPAT and 4K pages (32-bit ARM programs assume 4K pages and do
# not start on a 16K kernel).
cc32=""
if grep -q '^CONFIG_COMPAT=y' "$KDIR/.config" && [[ $PAGESIZE == 4K ]]; then
	cc32=${CC_USER32-}
fi
for d in $VM_USER_DIRS; do
	if [[ -f $work/src/$d/Makefile ]]; then
		vm_say "building $d/ for $ARCH"
		make -s -C "$work/src/$d" -j"$(nproc)" CC="$CC_USER" CC32="$cc32" OUT="$work/bin" LDFLAGS=-static >&2 ||
			vm_die "$d/ build failed for $ARCH"
	else
		vm_say "no $d/Makefile yet: skipping $d/"
	fi
done

# The initramfs: busybox, the module, the binaries and /init.
ir="$work/initramfs"
cp "$BUSYBOX" "$ir/bin/busybox"
cp "$work/src/module/vmmap.ko" "$ir/vmmap.ko"
for d in "$work/bin" "${bins[@]}"; do
	[[ -d $d ]] || vm_die "--bin $d: no such directory"
	find "$d" -maxdepth 1 -type f -perm -u+x -exec cp {} "$ir/bin/" \;
done
for d in "${roots[@]}"; do
	[[ -d $d ]] || vm_die "--root $d: no such directory"
	cp -a "$d/." "$ir/"
done
# x86 patches live kernel text through an int3 (text_poke_bp()); under
# qemu's multi-threaded TCG another vCPU may still run the int3 after the
# patch is done, and the kernel dies of "Oops: int3". Caught at
# sched_clock_cpu+0x9, 10 s into a 6.12 boot (1 of 35 boots, host load 10):
# sched_clock_init_late(), a late initcall, enabled __sched_clock_stable
# while the other vCPU ran sched_clock_cpu() in a timer interrupt. So amd64
# guests boot on one CPU (maxcpus=1) and /init brings up the others: no
# initcall patches text that another CPU runs. tsc=reliable keeps the
# clocksource watchdog, which can find qemu's TSC unstable on a loaded host
# and patch the same key back, off; TCG's TSC is qemu's virtual clock, one
# for every vCPU. no_timer_check: the boot's check that the timer ticks
# during a busy wait fails when the host does not run the vCPU meanwhile
# ("IO-APIC + timer doesn't work!", 0.06 s into a boot at load 10), as KVM
# guests skip it. A caller's own maxcpus= (tests/trace) is left alone.
online=0
if [[ $ARCH == amd64 ]]; then
	append="tsc=reliable no_timer_check${append:+ $append}"
	if [[ " $append " != *" maxcpus="* ]]; then
		online=1
		append="maxcpus=1 $append"
	fi
fi
cat >"$ir/init" <<EOF
#!/bin/busybox sh
/bin/busybox mkdir -p /dev /proc /sys /tmp
/bin/busybox mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
/bin/busybox --install -s /bin
export PATH=/bin HOME=/tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
if [ $online = 1 ]; then
	for c in /sys/devices/system/cpu/cpu[0-9]*/online; do
		[ "\$(cat \$c)" = 1 ] || echo 1 >\$c
	done
fi
mount -t tmpfs tmpfs /tmp
mkdir -p /dev/shm
mount -t tmpfs tmpfs /dev/shm
# vmmap's tracepoints, as on a host (tracefs works under lockdown). The
# ring buffer is sized now, before free memory is measured: the kernel
# expands it when tracing is first used. No comm recording: it hooks
# sched_switch whenever an event is switched on, and patching __schedule's
# text while the other vCPU runs it is not reliable under TCG ("Oops:
# int3" seen in __schedule); trace lines then name tasks <...>-PID.
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null && {
	echo 512 >/sys/kernel/tracing/buffer_size_kb
	echo 0 >/sys/kernel/tracing/options/record-cmd
}
echo "VMMAP-BOOT \$(uname -r) \$(uname -m), CPUs \$(cat /sys/devices/system/cpu/online)"
# Free memory in KiB with the caches dropped, before insmod and after rmmod
# (vm_check_log compares them): every zone's free pages plus those on the
# per-CPU lists, which MemFree leaves out and which move by many MiB.
freekb() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	awk -v kb=\$((\$(stat -f -c %S /tmp) / 1024)) '/^ *pages free/ { n += \$3 }
		\$1 == "count:" { n += \$2 } END { print n * kb }' /proc/zoneinfo
}
free0=\$(freekb)
ins=1 rc=1 rm=1 vmas=-
if insmod /vmmap.ko; then
	ins=0
	cd /tmp
	$(vm_quote "$@")
	rc=\$?
	cd /
	vmas=\$(cat /sys/class/misc/vmmap/live_vmas)
	rmmod vmmap && rm=0
fi
[ ! -r /proc/lockdep_stats ] ||
	sed -n 's/^ *debug_locks: */VMMAP-LOCKDEP debug_locks=/p' /proc/lockdep_stats
# KCSAN kernels: KCSAN on from boot and its selftest (info lines, which
# the console's loglevel leaves out)
dmesg | grep -E 'kcsan: (enabled early|selftest: )' | sed 's/^/VMMAP-KCSAN /'
dmesg | grep vmmap
echo "VMMAP-MEM free_kb_before=\$free0 free_kb_after=\$(freekb) live_vmas=\$vmas"
echo "VMMAP-DONE insmod=\$ins rc=\$rc rmmod=\$rm"
poweroff -f
EOF
chmod +x "$ir/init"
(cd "$ir" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz"

# A KCSAN report ends in check_panic_on_warn(): on a KCSAN kernel, the
# kernel's own data races (vm_bad_lines, lib.sh) must not stop the run.
panic_on_warn=1
if grep -q '^CONFIG_KCSAN=y' "$KDIR/.config"; then
	panic_on_warn=0
fi
cmdline="console=$CONSOLE loglevel=5 panic=-1 oops=panic panic_on_warn=$panic_on_warn"
cmdline+=" slub_debug=FZPU page_poison=1 init_on_free=1"
if grep -q '^CONFIG_KFENCE=y' "$KDIR/.config"; then
	cmdline+=" kfence.sample_interval=1"
fi
cmdline+=${append:+ $append}

read -ra qargs <<<"$QEMU_ARGS"
mkdir -p "$(dirname "$log")"
vm_say "built in $((SECONDS - start)) s; booting $KVER ($ARCH, $PAGESIZE pages): $*"
# boot - one qemu boot: the console to stdout and $log, qemu's exit status
# in qrc. Kills qemu if the console does not show the guest's /init at work
# (vm_init_ran) VM_BOOT_LIMIT seconds after the start, and says so in the log.
boot() {
	local t0=$SECONDS pipe started="" hung=""
	rm -f "$work/qemu.pid" "$work/qrc"
	{
		timeout -k 5 "$timeout" "$QEMU" "${qargs[@]}" -nographic -no-reboot -nic none \
			-m 1024 -smp "$smp" -pidfile "$work/qemu.pid" -kernel "$VMLINUZ" \
			-initrd "$work/initrd.gz" -append "$cmdline" </dev/null 2>&1
		echo $? >"$work/qrc"
	} | sed -u 's/\r$//; s/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g' | tee "$log" &
	pipe=$!
	while [[ -z $started ]] && kill -0 "$pipe" 2>/dev/null; do
		if vm_init_ran "$log"; then
			started=1
		elif ((SECONDS - t0 >= VM_BOOT_LIMIT)); then
			hung=1 started=1
			kill_qemu
		else
			sleep 1
		fi
	done
	wait "$pipe" || true
	qrc=$(cat "$work/qrc" 2>/dev/null) || qrc=1
	[[ -z $hung ]] ||
		echo "run.sh: boot hung: /init not started after $VM_BOOT_LIMIT s; qemu killed" | tee -a "$log"
}

start=$SECONDS
n=1 retried=""
rm -f "$log".failed-*
while :; do
	boot
	# A kernel that dies before /init ran never had vmmap loaded: boot again.
	if ((n > boot_retries)) || ! first=$(vm_boot_failed "$log"); then
		break
	fi
	mv "$log" "$log.failed-$n"
	vm_say "$KVER crashed or hung before /init ran, vmmap not loaded: ${first##*] }"
	vm_say "console log: $log.failed-$n; booting again (retry $n of $boot_retries)"
	retried=" (boot $((n + 1)): the kernel crashed or hung before /init on boot $n)"
	n=$((n + 1))
done

if reasons=$(vm_check_log "$log"); then
	vm_say "PASS $kernel ($KVER $ARCH) in $((SECONDS - start)) s$retried"
	exit 0
fi
[[ $qrc == 124 ]] && reasons="timed out after $timeout s"$'\n'"$reasons"
vm_say "FAIL $kernel ($KVER $ARCH) after $((SECONDS - start)) s$retried:"
printf '    %s\n' "${reasons//$'\n'/$'\n'    }" >&2
vm_say "console log: $log"
exit 1
