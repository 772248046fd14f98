# shellcheck shell=bash disable=SC2034 # variables here are used by the sourcing scripts
# lib.sh - helpers shared by the scripts in tests/vm/ (sourced, not run).
#
# Environment:
#   VMMAP_CACHE  cache for kernels, headers and apt state
#                (default ${XDG_CACHE_HOME:-$HOME/.cache}/vmmap; safe to delete)
#   VMMAP_TOP    source tree to build and test (default: this repository)
#   VMMAP_MIRROR, VMMAP_SECURITY_MIRROR  the Debian archive and the one of
#                its -security suites (default: from the host's apt
#                sources; see vm_mirror)

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_TOP=${VMMAP_TOP:-$(cd "$VM_DIR/../.." && pwd)}
VM_CACHE=${VMMAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmmap}
VM_LOGS="$VM_TOP/build/vm-logs"

# Directories whose Makefile (CC=, OUT=, LDFLAGS=) builds programs for the
# guest; run.sh builds each one that exists and puts its programs in /bin.
VM_USER_DIRS="userspace tests tests/stress bench tests/trace"

# Kernels "make check" boots when none are named.
VM_DEFAULT_KERNELS="6.1-amd64 6.12-amd64 6.1-arm64"
# Kernels "make matrix" boots: every line from 5.10 to 7.3, 4K and 16K pages,
# 6.12 with PREEMPT_RT (tests/vm/kernel.sh --list has a few more).
VM_MATRIX_KERNELS="5.10-amd64 6.1-amd64 6.12-amd64 6.12-rt-amd64 7.2-amd64
	7.3-amd64 6.1-arm64 6.12-arm64 6.12-rt-arm64 6.12-arm64-16k 7.2-arm64-16k
	7.2-amd64+mmap_prepare 7.3-amd64+mmap_prepare"
# The rows of make matrix that CI boots after make check's: the oldest and
# the newest line, 16K pages (arm64), f_op->mmap_prepare. The others (7.2
# amd64, 6.12 arm64 4K and 16K, 7.2 mmap_prepare, 6.12 RT) are make matrix's:
# CI stays under an hour (its matrix stage: 1186 s for six rows).
VM_CI_MATRIX_KERNELS="5.10-amd64 7.3-amd64 7.2-arm64-16k 7.3-amd64+mmap_prepare"

# vm_row ROW - a row of make matrix: KERNEL, or KERNEL+mmap_prepare for the
# module built with VMMAP_MMAP_PREPARE=1 (f_op->mmap_prepare). Sets
# VM_ROW_KERNEL (the kernel to boot), VM_ROW_ENV (variables for env(1) when
# building and running) and VM_ROW_SUFFIX (" mmap_prepare" or "", for the
# end of the row's result line).
vm_row() {
	# shellcheck disable=SC2034 # for the caller
	VM_ROW_KERNEL=${1%+mmap_prepare} VM_ROW_ENV=() VM_ROW_SUFFIX=""
	if [[ $1 != "$VM_ROW_KERNEL" ]]; then
		# shellcheck disable=SC2034 # for the caller
		VM_ROW_ENV=(VMMAP_MMAP_PREPARE=1) VM_ROW_SUFFIX=" mmap_prepare"
	fi
}

vm_say() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
vm_die() { vm_say "error: $*"; exit 1; }

# vm_usage - the calling script's usage, its header comment (line 2 to the
# "set -" line), on stderr; exits 2.
vm_usage() { sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

# vm_each [-c] [-t] [-s SUMMARY] NAME FUNC ITEM... - the loop of the scripts
# that test kernel after kernel: FUNC ITEM for each ITEM in turn (with
# VM_EACH_I its number from 1, VM_EACH_N their count), FUNC reporting each
# of its results with vm_result. Then the summary line
#   NAME: N passed, M failed[ (T s)]
# N and M counting the results, -t adding the time the loop took; or what
# the function SUMMARY prints instead (":" for nothing). With -c, results go
# to stderr as they come and, after the loop and a "done in T s" there,
# together to stdout. Returns 1 if a result failed.
vm_each() {
	local collect=0 timed=0 summary="" name func item start=$SECONDS
	while [[ $1 == -* ]]; do
		case "$1" in
		-c) collect=1; shift ;;
		-t) timed=1; shift ;;
		-s) summary=$2; shift 2 ;;
		esac
	done
	name=$1 func=$2
	shift 2
	VM_EACH_N=$# VM_EACH_I=0 VM_EACH_COLLECT=$collect VM_EACH_PASS=0 VM_EACH_FAIL=0
	VM_EACH_LINES=()
	for item in "$@"; do
		VM_EACH_I=$((VM_EACH_I + 1))
		"$func" "$item"
	done
	if [[ $collect == 1 ]]; then
		vm_say "done in $((SECONDS - start)) s"
		[[ ${#VM_EACH_LINES[@]} == 0 ]] || printf '%s\n' "${VM_EACH_LINES[@]}"
	fi
	if [[ -n $summary ]]; then
		"$summary"
	elif [[ $timed == 1 ]]; then
		echo "$name: $VM_EACH_PASS passed, $VM_EACH_FAIL failed ($((SECONDS - start)) s)"
	else
		echo "$name: $VM_EACH_PASS passed, $VM_EACH_FAIL failed"
	fi
	[[ $VM_EACH_FAIL == 0 ]]
}

# vm_result LINE - report a result of vm_each's FUNC: LINE starts with
# PASS or OK if it passed.
vm_result() {
	if [[ $1 == PASS* || $1 == OK* ]]; then
		VM_EACH_PASS=$((VM_EACH_PASS + 1))
	else
		VM_EACH_FAIL=$((VM_EACH_FAIL + 1))
	fi
	if [[ $VM_EACH_COLLECT == 1 ]]; then
		vm_say "$1"
		VM_EACH_LINES+=("$1")
	else
		echo "$1"
	fi
}

# vm_quiet ERR COMMAND... - COMMAND, its output thrown away and its errors
# appended to the file ERR ("-": left on stderr); with VM_VERBOSE=1 both
# shown as they come.
vm_quiet() {
	local err=$1
	shift
	if [[ ${VM_VERBOSE-0} == 1 ]]; then
		"$@"
	elif [[ $err == - ]]; then
		"$@" >/dev/null
	else
		"$@" >/dev/null 2>>"$err"
	fi
}

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

# Lines on the console that fail a run whatever the guest reported: also
# what the debug kernel (tests/debug) reports with: KASAN ("BUG: KASAN:"),
# lockdep ("WARNING: possible circular locking dependency", "inconsistent
# lock state"...), DEBUG_VM (VM_BUG_ON_* prints "page dumped because" then
# "kernel BUG at"), SLUB ("BUG kmalloc-64 (Not tainted): ...", "INFO: ..."),
# RCU stalls and hung tasks ("INFO:"), lockdep switching itself off.
VM_BAD_RE='WARNING:|BUG:|Oops|KFENCE:|general protection|Kernel panic|vmmap: leaked'
VM_BAD_RE+='|kernel BUG at|BUG [^ ]+ \((Not tainted|Tainted)|(^|[^A-Za-z_])INFO:|page dumped because'
VM_BAD_RE+='|VM_BUG_ON|UBSAN:|turning off the locking correctness validator'

# KCSAN (the 6.12-amd64-kcsan kernel) reports a data race in a block from
# "BUG: KCSAN: data-race in A / B" to a line of "=": the two accesses'
# stacks, then the CPU. A block with a frame of the module (" [vmmap]", a
# vmmap_ function, a lock of its held) fails a run like any other report;
# one without is the kernel's own race: not the module's to fix, so
# vm_bad_lines skips it and vm_kcsan_kernel lists it, for triage by hand.
#
# vm_kcsan_split MODE - console text on stdin; MODE "rest": the text
# without the kernel's own KCSAN blocks; MODE "kernel": those blocks'
# "data-race in A / B" lines, timestamps stripped.
vm_kcsan_split() {
	awk -v mode="$1" '
	function flush(i) {
		if (mod && mode == "rest")
			for (i = 1; i <= n; i++) print buf[i]
		else if (!mod && mode == "kernel")
			print title
		inrep = 0
	}
	/BUG: KCSAN: / {
		if (inrep) flush()
		inrep = 1; n = 0; mod = 0
		title = $0; sub(/^.*BUG: KCSAN: /, "", title)
	}
	inrep {
		buf[++n] = $0
		if ($0 ~ /\[vmmap\]|vmmap_/) mod = 1
		if (n > 1 && $0 ~ /^(\[ *[0-9.]+\] )?=====/) flush()
		next
	}
	mode == "rest" { print }
	END { if (inrep) flush() }'
}

# vm_bad_lines - the lines of console text on stdin that fail a run:
# VM_BAD_RE's, but none of a KCSAN report of the kernel's own.
vm_bad_lines() { vm_kcsan_split rest | grep -a -E "$VM_BAD_RE"; }

# vm_kcsan_kernel LOG... - the kernel's own KCSAN reports in the console
# logs, "COUNT data-race in A / B" a line (A, B: the racing functions).
# A missing log has none.
vm_kcsan_kernel() { { cat -- "$@" 2>/dev/null || true; } | vm_kcsan_split kernel | sort | uniq -c; }

# Free memory (zone free pages plus per-CPU lists, caches dropped) may be
# this much lower after rmmod than before insmod: about 3 times the worst
# seen. Measured over 13 boots (6.1, 6.12 amd64, 6.1 arm64; idle, 64 MiB
# of device pages written and freed, the whole suite): 88 to 700 KiB short
# (slab the tests grew); MemFree alone moved from -13.8 to +10.1 MiB.
VM_FREE_SLACK_KB=${VMMAP_FREE_SLACK_KB:-2048}

# vm_check_log LOG - print why the console log LOG shows a failed run, one
# reason a line; returns 1 if there is any.
vm_check_log() {
	local log=$1 marker rc rm ins bad unl mem before after vmas n=0
	marker=$(grep -a '^VMMAP-DONE ' "$log" | tail -n 1) || true
	if [[ -z $marker ]]; then
		echo "no VMMAP-DONE marker: guest hung, crashed or timed out"
		grep -a -m 1 -E "$VM_HUNG_RE" "$log" || true
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
	# run.sh prints debug_locks from /proc/lockdep_stats on lockdep kernels
	if grep -a -q '^VMMAP-LOCKDEP debug_locks=0' "$log"; then
		echo "lockdep was off at the end (debug_locks=0): it turned itself off"
		n=1
	fi
	bad=$(vm_bad_lines <"$log" | sort -u | head -n 5) || true
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
	mem=$(grep -a '^VMMAP-MEM ' "$log" | tail -n 1) || true
	if [[ -n $marker && $ins == 0 ]]; then
		before=$(sed -n 's/.* free_kb_before=\([0-9]*\).*/\1/p' <<<"$mem")
		after=$(sed -n 's/.* free_kb_after=\([0-9]*\).*/\1/p' <<<"$mem")
		vmas=$(sed -n 's/.* live_vmas=\([0-9-]*\).*/\1/p' <<<"$mem")
		if [[ -z $before || -z $after ]]; then
			echo "no 'VMMAP-MEM free_kb_before=B free_kb_after=A' line"
			n=1
		elif ((after < before - VM_FREE_SLACK_KB)); then
			echo "vmmap: free memory not back after rmmod: $after kB, $before kB before insmod ($((before - after)) kB short, slack $VM_FREE_SLACK_KB kB)"
			n=1
		fi
		[[ $vmas == 0 ]] || { echo "vmmap: live_vmas $vmas after the guest command: VMAs still counted"; n=1; }
	fi
	return "$n"
}

# The line run.sh adds to a console log when the guest's /init had not
# started VM_BOOT_LIMIT seconds after qemu did (VMMAP_BOOT_LIMIT, default
# 300: a boot to /init takes 2-17 s here, arm64 and the debug kernel's too).
VM_BOOT_LIMIT=${VMMAP_BOOT_LIMIT:-300}
VM_HUNG_RE='^run\.sh: boot hung: '

# vm_init_ran LOG - true once the console log LOG shows the guest's /init
# at work: "vmmap" anywhere (its VMMAP-BOOT line, the first thing it
# prints, before insmod, even when glued to a kernel line; the module's
# messages; vmmap in an oops's module list).
vm_init_ran() { grep -a -q -i 'vmmap' "$1" 2>/dev/null; }

# vm_boot_failed LOG - true if the kernel in the console log LOG crashed or
# hung before the guest's /init ran: not vm_init_ran, but a kernel report
# or run.sh's boot-hung line. Nothing of the project's had run, so the
# failure is the kernel's or qemu's (e.g. "Oops: int3" in a boot under TCG
# before run.sh booted amd64 on one CPU: see there), and run.sh boots again
# rather than fail a test that never started. Prints the first report line.
vm_boot_failed() {
	! vm_init_ran "$1" || return 1
	vm_kcsan_split rest <"$1" | grep -a -m 1 -E "$VM_BAD_RE|$VM_HUNG_RE"
}

# Build chroots (tests/vm/chroot.sh) live here, one per Debian suite.
VM_CHROOTS="$VM_CACHE/chroots"

# vm_suites DIST - the apt suites of a Debian release: its -updates and
# -security for a stable release, sid under experimental.
vm_suites() {
	case "$1" in
	sid | unstable) echo "$1" ;;
	experimental) echo "sid experimental" ;;
	*-backports) echo "${1%-backports} ${1%-backports}-updates ${1%-backports}-security $1" ;;
	*) echo "$1 $1-updates $1-security" ;;
	esac
}

# Debian's suite names (codenames and aliases): what tells a Debian archive
# from the other apt sources of a host.
VM_DEBIAN_SUITES="stretch buster bullseye bookworm trixie forky duke oldoldstable
	oldstable stable testing unstable sid experimental"

# vm_apt_uris [DIR] - "SUITE URI" for each suite of each enabled deb source
# of the apt configuration in DIR (default /etc/apt), in apt's order:
# DIR/sources.list and DIR/sources.list.d/*.list (one-line format, "deb
# [options] URI SUITE COMPONENT..."), DIR/sources.list.d/*.sources (deb822:
# Types, URIs, Suites, Enabled). Only http(s) and file URIs (what debootstrap
# takes too).
vm_apt_uris() {
	local dir=${1:-/etc/apt} f files=()
	[[ -f $dir/sources.list ]] && files+=("$dir/sources.list")
	for f in "$dir"/sources.list.d/*; do
		[[ -f $f && ($f == *.list || $f == *.sources) ]] && files+=("$f")
	done
	[[ ${#files[@]} -gt 0 ]] || return 0
	awk '
	function out(suites, uris,   s, u, ns, nu, i, j) {
		nu = split(uris, u, " ")
		ns = split(suites, s, " ")
		for (i = 1; i <= nu; i++)
			for (j = 1; j <= ns; j++)
				if (u[i] ~ /^(https?|file):/)
					print s[j], u[i]
	}
	function flush() {
		if (f["types"] ~ /(^|[ \t])deb([ \t]|$)/ && tolower(f["enabled"]) !~ /^[ \t]*no[ \t]*$/)
			out(f["suites"], f["uris"])
		split("", f)
		key = ""
	}
	FNR == 1 { flush(); deb822 = FILENAME ~ /\.sources$/ }
	!deb822 {
		sub(/#.*/, "")
		if ($1 != "deb")
			next
		i = 2
		if ($2 ~ /^\[/) {
			while (i < NF && $i !~ /\]$/)
				i++
			i++
		}
		out($(i + 1), $i)
		next
	}
	/^#/ { next }
	/^[ \t]*$/ { flush(); next }
	/^[ \t]/ { if (key != "") f[key] = f[key] " " $0; next }
	{
		key = tolower($0)
		sub(/:.*/, "", key)
		v = $0
		sub(/^[^:]*:/, "", v)
		f[key] = v
	}
	END { flush() }
	' "${files[@]}"
}

# vm_debian_suite SUITE - true if SUITE is one of Debian's: a name of
# VM_DEBIAN_SUITES, alone or with -updates, -backports, -proposed-updates
# or -security.
vm_debian_suite() {
	local base=${1%-updates}
	base=${base%-proposed}
	base=${base%-backports}
	base=${base%-security}
	[[ " ${VM_DEBIAN_SUITES//[$'\t\n']/ } " == *" $base "* ]]
}

# Where apt keeps the Release files of the host's sources (their Origin
# tells a Debian archive from another vendor's that uses Debian's suite
# names).
VM_APT_LISTS=/var/lib/apt/lists

# vm_apt_origin URI SUITE - the Origin of the Release file apt has for SUITE
# of URI in VM_APT_LISTS; nothing if it has none.
vm_apt_origin() {
	local f=${1#*://}
	f=${f%/}
	f=${f//\//_}_dists_$2
	sed -n 's/^Origin: //p' "$VM_APT_LISTS/${f}_InRelease" "$VM_APT_LISTS/${f}_Release" \
		2>/dev/null | head -n 1
}

# vm_mirror [-s] [DIR] - the URI of the Debian archive to fetch from:
# $VMMAP_MIRROR, else among the host's sources (vm_apt_uris DIR) of a
# Debian suite (vm_debian_suite) other than -security, the first whose
# Release file says "Origin: Debian", else the first apt has no Release
# file for (another vendor may use Debian's suite names). With -s, the
# archive of the -security suites: $VMMAP_SECURITY_MIRROR, else the first
# such source of a -security suite, else vm_mirror's URI with "-security"
# appended (the layout of Debian's own and most mirrors). Fails, saying
# what to set, if there is none.
vm_mirror() {
	local security=0 uri s u o unknown=""
	if [[ ${1-} == -s ]]; then
		security=1
		shift
	fi
	if [[ $security == 0 ]]; then
		uri=${VMMAP_MIRROR-}
	else
		uri=${VMMAP_SECURITY_MIRROR-}
	fi
	if [[ -z $uri ]]; then
		while read -r s u; do
			if [[ $s == *-security ]]; then
				[[ $security == 1 ]] || continue
			else
				[[ $security == 0 ]] || continue
			fi
			vm_debian_suite "$s" || continue
			o=$(vm_apt_origin "$u" "$s")
			if [[ $o == Debian ]]; then
				uri=$u
				break
			fi
			[[ -n $o || -n $unknown ]] || unknown=$u
		done < <(vm_apt_uris "${1-}")
		uri=${uri:-$unknown}
	fi
	if [[ -z $uri && $security == 1 ]]; then
		uri=$(vm_mirror "$@") || return 1
		uri=${uri%/}-security
	fi
	if [[ -z $uri ]]; then
		vm_say "error: no Debian archive in the apt sources of ${1:-/etc/apt}" \
			"(sources.list, sources.list.d/*.list or *.sources); set VMMAP_MIRROR to its URL"
		return 1
	fi
	echo "${uri%/}"
}

# vm_sources ARCH DIST - a sources.list (one-line format) for vm_suites DIST,
# from vm_mirror's archives.
vm_sources() {
	local s url main security
	main=$(vm_mirror) && security=$(vm_mirror -s) || return 1
	for s in $(vm_suites "$2"); do
		url=$main
		[[ $s == *-security ]] && url=$security
		echo "deb [arch=$1 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $url $s main"
	done
}

# vm_apt_setup ARCH DIST - create (once) and refresh (daily) a private apt
# configuration for ARCH packages of DIST, or with ARCH "src" for its source
# packages (deb-src); sets APT_CONF to its config file.
vm_apt_setup() {
	local apt_arch=$1 dist=$2 a="$VM_CACHE/apt/$1-$2" index=Packages sources stale=""
	APT_CONF="$a/apt.conf"
	if [[ $apt_arch == src ]]; then
		apt_arch=amd64 index=Sources
	fi
	sources=$(vm_sources "$apt_arch" "$dist") || exit 1
	[[ $index == Packages ]] || sources=${sources//"deb [arch=$apt_arch "/"deb-src ["}
	mkdir -p "$a/lists/partial" "$a/cache/archives/partial" "$a/state"
	# Another archive than last time (VMMAP_MIRROR, the host's sources): its
	# lists, fetched now.
	if [[ $sources != "$(cat "$a/sources.list" 2>/dev/null)" ]]; then
		echo "$sources" >"$a/sources.list"
		stale=1
	fi
	if [[ ! -f $APT_CONF ]]; then
		: >"$a/status"
		cat >"$APT_CONF.new" <<-EOF
			Dir::Etc::SourceList "$a/sources.list";
			Dir::Etc::SourceParts "/dev/null";
			Dir::Etc::Preferences "/dev/null";
			Dir::Etc::PreferencesParts "/dev/null";
			Dir::State "$a/state";
			Dir::State::Lists "$a/lists";
			Dir::State::status "$a/status";
			Dir::Cache "$a/cache";
			#clear APT::Architectures;
			APT::Architecture "$apt_arch";
			APT::Architectures { "$apt_arch"; };
			Acquire::Check-Valid-Until "false";
			Acquire::Check-Date "false";
			Acquire::Languages "none";
			#clear APT::Update::Post-Invoke-Success;
			#clear APT::Update::Post-Invoke;
		EOF
		if [[ $(id -u) == 0 ]]; then
			echo 'APT::Sandbox::User "root";' >>"$APT_CONF.new"
		fi
		mv "$APT_CONF.new" "$APT_CONF"
	fi
	if [[ -n $stale || -z $(find "$a/lists" -maxdepth 1 -name "*$index*" -mmin -1440 -print -quit) ]]; then
		vm_say "apt-get update ($1 $dist)"
		apt-get -c "$APT_CONF" -qq update >&2 ||
			vm_say "apt-get update reported errors; trying with what it got"
	fi
}

# vm_chroot DIR [-b PATH]... [--] COMMAND... - run COMMAND as root in the
# chroot DIR with a clean environment, /proc mounted and each PATH bound at
# the same path inside, so absolute paths mean the same on both sides. All
# of it happens in a private mount namespace: nothing stays mounted after.
vm_chroot() {
	local dir=$1 binds=()
	shift
	while [[ $# -gt 0 ]]; do
		case "$1" in
		-b) binds+=("${2?}"); shift 2 ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare --mount --propagation private /bin/bash -euc '
		dir=$1 n=$2
		shift 2
		mount -t proc proc "$dir/proc"
		for ((i = 0; i < n; i++)); do
			mkdir -p "$dir$1"
			mount --bind "$1" "$dir$1"
			shift
		done
		exec chroot "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
	' vm_chroot "$dir" "${#binds[@]}" "${binds[@]}" "$@"
}

# vm_copy_src DIR - a clean copy of the sources (no build products) in DIR,
# so builds for different kernels never mix.
vm_copy_src() {
	mkdir -p "$1"
	tar -C "$VM_TOP" -c --exclude=./.git --exclude=./build --exclude='*.o' --exclude='*.ko' \
		--exclude='*.mod' --exclude='*.mod.c' --exclude='.*.cmd' --exclude=Module.symvers \
		--exclude=modules.order --exclude=./debian/.debhelper . | tar -C "$1" -x
}

# vm_kmake DIR MAKE_ARG... - kbuild for the kernel of vm_kernel_env with
# M=DIR: on the host, or in BUILD_CHROOT with the headers and DIR bound in.
vm_kmake() {
	local m=$1
	shift
	local cmd=(make -s -C "$KDIR" M="$m" ARCH="$KARCH" CROSS_COMPILE="$CROSS_COMPILE" -j"$(nproc)"
		${VMMAP_MMAP_PREPARE:+VMMAP_MMAP_PREPARE="$VMMAP_MMAP_PREPARE"} "$@")
	if [[ -n ${BUILD_CHROOT-} ]]; then
		vm_chroot "$BUILD_CHROOT" -b "${KDIR%/usr/src/*}" -b "$m" -- "${cmd[@]}"
	else
		"${cmd[@]}"
	fi
}
