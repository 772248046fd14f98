# shellcheck shell=bash disable=SC2034 # variables here are used by the sourcing scripts
# lib.sh - helpers shared by the scripts in tests/vm/ (sourced, not run).
#
# Environment:
#   VMMAP_CACHE  cache for kernels, headers and apt state
#                (default ${XDG_CACHE_HOME:-$HOME/.cache}/vmmap; safe to delete)
#   VMMAP_TOP    source tree to build and test (default: this repository)

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_TOP=${VMMAP_TOP:-$(cd "$VM_DIR/../.." && pwd)}
VM_CACHE=${VMMAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmmap}
VM_LOGS="$VM_TOP/build/vm-logs"

# Kernels "make check" boots when none are named.
VM_DEFAULT_KERNELS="6.1-amd64 6.12-amd64 6.1-arm64"

vm_say() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
vm_die() { vm_say "error: $*"; exit 1; }

# vm_quote WORD... - the words single-quoted for a POSIX shell (busybox sh).
vm_quote() {
	local w out=""
	for w in "$@"; do
		out+="'${w//\'/\'\\\'\'}' "
	done
	printf '%s' "${out% }"
}

# vm_kernel_env KERNEL - fetch KERNEL if needed and import KVER, KDIR, ...
vm_kernel_env() {
	local env
	env=$("$VM_DIR/kernel.sh" "$1") || return 1
	eval "$env"
}

# Lines on the console that fail a run whatever the guest reported.
VM_BAD_RE='WARNING:|BUG:|Oops|KFENCE:|general protection|Kernel panic|vmmap: leaked'

# vm_check_log LOG - print why the console log LOG shows a failed run, one
# reason a line; returns 1 if there is any.
vm_check_log() {
	local log=$1 marker rc rm ins bad unl n=0
	marker=$(grep -a '^VMMAP-DONE ' "$log" | tail -n 1) || true
	if [[ -z $marker ]]; then
		echo "no VMMAP-DONE marker: guest hung, crashed or timed out"
		n=1
	else
		ins=$(sed -n 's/.* insmod=\([0-9]*\).*/\1/p' <<<"$marker")
		rc=$(sed -n 's/.* rc=\([0-9]*\).*/\1/p' <<<"$marker")
		rm=$(sed -n 's/.* rmmod=\([0-9]*\).*/\1/p' <<<"$marker")
		if [[ $ins != 0 ]]; then
			echo "insmod failed"
			n=1
		else
			[[ $rc == 0 ]] || { echo "guest command exited with status $rc"; n=1; }
			[[ $rm == 0 ]] || { echo "rmmod vmmap failed"; n=1; }
		fi
	fi
	bad=$(grep -a -E "$VM_BAD_RE" "$log" | sort -u | head -n 5) || true
	if [[ -n $bad ]]; then
		echo "kernel reported problems:"
		echo "    ${bad//$'\n'/$'\n'    }"
		n=1
	fi
	if [[ -n $marker && $ins == 0 && $rm == 0 ]]; then
		unl=$(grep -a -o 'vmmap: unloaded, [0-9]* pages allocated, [0-9]* pages freed' "$log" |
			tail -n 1) || true
		if [[ -z $unl ]]; then
			echo "no 'vmmap: unloaded, A pages allocated, F pages freed' line after rmmod"
			n=1
		else
			read -r _ _ a _ _ f _ <<<"$unl"
			[[ $a == "$f" ]] || { echo "page leak: $unl"; n=1; }
		fi
	fi
	return "$n"
}
