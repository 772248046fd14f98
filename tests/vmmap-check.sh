#!/bin/sh
# vmmap-check: run in the test VM by tests/vm/check.sh. Runs vmmap-tests and,
# where it was built, vmmap-tests32 (the same tests as a 32-bit process on the
# 64-bit kernel), one TAP stream after the other; fails if either fails.
rc=0
vmmap-tests "$@" || rc=1
if command -v vmmap-tests32 >/dev/null 2>&1; then
	echo "# the same tests as a 32-bit process (compat ABI)"
	vmmap-tests32 "$@" || rc=1
fi
exit $rc
