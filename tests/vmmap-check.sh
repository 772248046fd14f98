#!/bin/sh
# vmmap-check: run in the test VM by tests/vm/check.sh. Runs vmmap-tests and,
# where it was built, vmmap-tests32 (the same tests as a 32-bit process on the
# 64-bit kernel), one TAP stream after the other; fails if either fails.
# The 32-bit pass leaves out the long data races added with issues 9 and
# 14, which exercise the driver, not the compat ABI (ioctls, mmap offsets)
# that pass is for: they take a minute of a 4K arm64 row under emulation.
rc=0
vmmap-tests "$@" || rc=1
if command -v vmmap-tests32 >/dev/null 2>&1; then
	echo "# the same tests as a 32-bit process (compat ABI), but the long races"
	vmmap-tests32 -x 'huge_shrink_race_*' -x lifetime_sigkill_stops_long_rw \
		-x 'dirty_replica_*' "$@" || rc=1
fi
exit $rc
