#!/bin/bash
# chroot.sh - create (once) a minimal Debian chroot of SUITE in the cache,
# make sure PACKAGEs are installed in it, and print its path. Idempotent: a
# run that finds everything in place only prints the path (no network).
# The chroot's apt uses SUITE with its -updates and -security suites, from
# the host's Debian archive (lib.sh vm_mirror; VMMAP_MIRROR overrides), the
# archive's Release dates are not checked (the archive may be a snapshot),
# recommends are off and no service starts in it. Needs root (debootstrap,
# chroot); commands run in it with vm_chroot (lib.sh), which mounts /proc.
#
# Usage: tests/vm/chroot.sh SUITE [PACKAGE...]
#   SUITE: bullseye | bookworm | trixie | sid (any suite debootstrap knows)
#   prints $VMMAP_CACHE/chroots/SUITE (about 200 MB each, safe to delete)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

[[ $# -ge 1 && $1 != -* ]] || vm_usage
suite=$1
shift
[[ $(id -u) == 0 ]] || vm_die "chroots need root (debootstrap, chroot)"
command -v debootstrap >/dev/null || vm_die "debootstrap missing (tests/vm/deps.sh installs it)"

dir="$VM_CHROOTS/$suite"
mirror=$(vm_mirror) || exit 1
sources=$(vm_sources amd64 "$suite" | sed 's/arch=amd64 //') || exit 1
mkdir -p "$VM_CHROOTS"
exec 9>"$dir.lock"
flock 9

if [[ ! -f $dir/etc/vmmap-chroot ]]; then
	start=$SECONDS
	vm_say "debootstrap $suite into $dir (once; about a minute)"
	rm -rf "$dir.tmp"
	debootstrap --variant=minbase "$suite" "$dir.tmp" "$mirror" \
		>"$dir.log" 2>&1 || { tail -n 20 "$dir.log" >&2; vm_die "debootstrap $suite failed (log: $dir.log)"; }
	echo "$sources" >"$dir.tmp/etc/apt/sources.list"
	cat >"$dir.tmp/etc/apt/apt.conf.d/99vmmap" <<-EOF
		Acquire::Check-Valid-Until "false";
		Acquire::Check-Date "false";
		Acquire::Languages "none";
		APT::Install-Recommends "false";
		APT::Install-Suggests "false";
		Dpkg::Use-Pty "false";
	EOF
	printf '#!/bin/sh\nexit 101\n' >"$dir.tmp/usr/sbin/policy-rc.d"
	chmod +x "$dir.tmp/usr/sbin/policy-rc.d"
	echo "$suite" >"$dir.tmp/etc/vmmap-chroot"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
	rm -f "$dir.log"
	# The first install below must see the new sources.
	touch -d @0 "$dir/var/lib/apt/lists"
	vm_say "$suite chroot made in $((SECONDS - start)) s"
elif [[ $sources != "$(cat "$dir/etc/apt/sources.list")" ]]; then
	# Another archive than the chroot was made from (VMMAP_MIRROR, the
	# host's sources): the next install updates the lists from it.
	vm_say "$suite chroot: apt sources now from $mirror"
	echo "$sources" >"$dir/etc/apt/sources.list"
	touch -d @0 "$dir/var/lib/apt/lists"
fi

missing=()
for p in "$@"; do
	# shellcheck disable=SC2016 # a dpkg-query format
	if [[ $(vm_chroot "$dir" dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null) != ii* ]]; then
		missing+=("$p")
	fi
done
if [[ ${#missing[@]} -gt 0 ]]; then
	start=$SECONDS
	vm_say "installing in the $suite chroot: ${missing[*]}"
	log="$dir.log"
	if [[ -n $(find "$dir/var/lib/apt/lists" -maxdepth 0 -mmin +60) ]]; then
		vm_chroot "$dir" apt-get -q update >"$log" 2>&1 ||
			vm_say "apt-get update reported errors; installing anyway (log: $log)"
		touch "$dir/var/lib/apt/lists"
	fi
	vm_chroot "$dir" apt-get -y -q install "${missing[@]}" >>"$log" 2>&1 ||
		{ tail -n 20 "$log" >&2; vm_die "apt-get install ${missing[*]} failed in $dir (log: $log)"; }
	vm_chroot "$dir" apt-get -q clean >>"$log" 2>&1
	vm_say "installed in $((SECONDS - start)) s"
fi
echo "$dir"
