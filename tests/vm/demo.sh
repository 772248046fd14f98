#!/bin/bash
# demo.sh - "make demo": boot a Debian kernel under qemu with vmmap.ko loaded
# and run vmmap-demo in it, showing what it prints (the console is logged). If /dev/vmmap exists on this
# host (module loaded here), build and run vmmap-demo directly instead.
#
# Usage: tests/vm/demo.sh [KERNEL]   (default: 6.12-amd64)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

[[ $# -le 1 ]] || vm_usage
if [[ -e /dev/vmmap ]]; then
	vm_say "/dev/vmmap exists: running vmmap-demo on this host"
	make -s -C "$VM_TOP/userspace" OUT="$VM_TOP/build/userspace"
	exec "$VM_TOP/build/userspace/vmmap-demo"
fi
kernel=${1:-6.12-amd64}
# Show what the guest program prints, as it prints it; the whole console is
# in the log.
show_guest() {
	local on=0 line
	while IFS= read -r line; do
		case $line in
		"VMMAP-BOOT "*) on=1; echo "guest: Linux ${line#VMMAP-BOOT }" ;;
		"VMMAP-DONE "*) on=0 ;;
		"VMMAP-MEM "*) ;;
		*) if [[ $on == 1 && ! $line =~ ^\[\ *[0-9]+\.[0-9]+\] ]]; then echo "$line"; fi ;;
		esac
	done
}
"$VM_DIR/run.sh" --kernel "$kernel" --log "$VM_LOGS/demo-$kernel.log" -- vmmap-demo | show_guest
