# SPDX-License-Identifier: GPL-2.0
#
# vmmap: user-facing targets. The kbuild pass reads ./Kbuild, not this file.
#
#   make            module for the running kernel (or KDIR= / KERNELRELEASE=)
#                   and the userspace tools
#   make demo       boot a Debian kernel under qemu and run vmmap-demo there
#                   (runs it directly if /dev/vmmap is loaded on this host)
#   make check      userspace with -Werror, lint, then the tests in qemu on
#                   every kernel of KERNELS, and make trace-quick
#   make bench      benchmark vmmap against shmem and anonymous memory in
#                   qemu (KERNEL=, BENCH_ARGS= for vmmap-bench), regenerate
#                   docs/benchmarks.md; bench-quick: tiny sizes, just runs
#   make matrix     the tests in qemu on every kernel line (5.10 to 7.3,
#                   amd64 and arm64, 4K and 16K pages, 6.12 PREEMPT_RT);
#                   tests/vm/matrix.sh; EXCEPT_CHECK=1 leaves out the rows
#                   make check boots; ROWS=ci boots only CI's rows
#                   (tests/vm/lib.sh)
#   make dkms-test  dkms add/build/install in Debian chroots (bookworm,
#                   trixie, sid; amd64 and arm64 cross), then the tests in
#                   qemu with the module dkms built; tests/dkms/dkms-test.sh;
#                   QUICK=1 runs only its smoke tests there (CI)
#   make deb        the Debian packages vmmap-dkms and vmmap-utils, built in a
#                   bookworm chroot, in build/deb/
#   make deb-test   install them with apt in those chroots, check what dkms
#                   built, purge
#   make stress     vmmap-stress (DURATION= seconds, default 60) and
#                   vmmap-fuzz (CALLS=, SEED=) in qemu on every kernel of
#                   KERNELS and of RT_KERNELS (6.12 PREEMPT_RT, amd64 and
#                   arm64; RT=0 leaves those out, as CI does), hardened
#                   boot (tests/stress/ci.sh), with 2 vCPUs, then with 4
#                   on KERNELS (SMP4=0: not; CI); then
#                   fio, memtester, stress-ng and trinity on /dev/vmmap, long
#                   form (tests/clients/ci.sh -l; CLIENTS=0 leaves it out,
#                   as CI does, which runs make clients instead)
#   make clients    fio, memtester, stress-ng, trinity from Debian (static builds
#                   of the sources, else the binary packages with their
#                   libraries; cached) run against /dev/vmmap in qemu on every
#                   kernel of KERNELS, quick form; tests/clients/ci.sh
#   make soak       make stress's two programs on every kernel line make
#                   matrix boots, SOAK_DURATION= seconds (default 600),
#                   then with 4 vCPUs on KERNELS (SMP4=0: not)
#   make fuzz       vmmap-fuzz only (CALLS= default 100000, SEED= default 1,
#                   SEED=random)
#   make check-debug
#                   the tests, vmmap-stress (DEBUG_DURATION=, default 60 s)
#                   and vmmap-fuzz (DEBUG_CALLS=, default 20000; SEED=) in
#                   qemu on a kernel built from Debian's linux-source-6.12
#                   with KASAN, lockdep, DEBUG_VM, DEBUG_PAGEALLOC and
#                   KFENCE (built once, cached); tests/debug/check-debug.sh;
#                   KCSAN=1: the same on a KCSAN (data race) kernel instead
#                   of KASAN; fails on races of the module, lists the
#                   kernel's own
#   make trace      boot each kernel of TRACE_KERNELS (or KERNEL="..."),
#                   run the mmap path's scenario under the function_graph
#                   tracer with the vmmap tracepoints, keep the traces in
#                   build/trace/ and regenerate the trace blocks of
#                   docs/mmap-path.md and docs/guide/STEP.svg
#                   (tests/trace/trace.sh); trace-quick: 6.12-amd64 only,
#                   checks the scenario ran, writes no doc
#   make install    modules_install + depmod for KERNELRELEASE
#   make uninstall  remove what install put there, depmod
#   make clean

KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build
KERNELS ?= 6.1-amd64 6.12-amd64 6.1-arm64
KERNEL ?= 6.12-amd64
DURATION ?= 60
SOAK_DURATION ?= 600
CALLS ?= 100000
SEED ?= 1
CLIENTS ?= 1
SMP4 ?= 1
RT ?= 1
RT_KERNELS = 6.12-rt-amd64 6.12-rt-arm64
DEBUG_DURATION ?= 60
DEBUG_CALLS ?= 20000
TRACE_KERNELS = 5.10-amd64 6.1-amd64 6.12-amd64 7.2-amd64 7.3-amd64 6.12-arm64

all: module userspace

module:
	@test -d "$(KDIR)" || { \
	  echo "make: no kernel headers at $(KDIR)."; \
	  echo "      Install them (Debian: apt-get install linux-headers-$(KERNELRELEASE))"; \
	  echo "      or point KDIR= at a kernel build tree."; exit 1; }
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" modules

userspace:
	$(MAKE) -C userspace
	$(MAKE) -C tests

deps:
	tests/vm/deps.sh

lint: deps
	tests/lint.sh

check: deps
	$(MAKE) -C userspace WERROR=1
	$(MAKE) -C tests WERROR=1
	tests/lint.sh
	tests/vm/selftest.sh --vm
	tests/vm/check.sh $(KERNELS)
	tests/trace/trace.sh --quick 6.12-amd64

demo: deps
	$(MAKE) -C userspace
	tests/vm/demo.sh $(KERNEL)

bench: deps
	bench/bench.sh --kernel $(KERNEL) $(BENCH_ARGS)

bench-quick: deps
	bench/bench.sh --kernel $(KERNEL) --quick $(BENCH_ARGS)

matrix: deps
	VMMAP_MATRIX_EXCEPT="$(if $(filter 1,$(EXCEPT_CHECK)),$(KERNELS))" tests/vm/matrix.sh $(if $(filter ci,$(ROWS)),--ci)

dkms-test: deps
	tests/dkms/dkms-test.sh $(if $(filter 1,$(QUICK)),--quick)

deb: deps
	tests/dkms/deb.sh

deb-test: deb
	tests/dkms/deb-test.sh

stress: deps
	$(MAKE) -C tests/stress WERROR=1
	tests/stress/ci.sh -d $(DURATION) -n $(CALLS) -s $(SEED) $(KERNELS) \
	  $(if $(filter 1,$(RT)),$(filter-out $(KERNELS),$(RT_KERNELS)))
	$(if $(filter 1,$(SMP4)),tests/stress/ci.sh --smp 4 -d $(DURATION) -n $(CALLS) -s $(SEED) $(KERNELS))
	$(if $(filter 1,$(CLIENTS)),tests/clients/ci.sh -l $(KERNELS))

soak: deps
	$(MAKE) -C tests/stress WERROR=1
	tests/stress/ci.sh --matrix -d $(SOAK_DURATION) -n $(CALLS) -s $(SEED)
	$(if $(filter 1,$(SMP4)),tests/stress/ci.sh --smp 4 -d $(SOAK_DURATION) -n $(CALLS) -s $(SEED) $(KERNELS))

clients: deps
	tests/clients/ci.sh $(KERNELS)

fuzz: deps
	$(MAKE) -C tests/stress WERROR=1
	tests/stress/ci.sh --fuzz-only -n $(CALLS) -s $(SEED) $(KERNELS)

check-debug: deps
	$(MAKE) -C tests/stress WERROR=1
	tests/debug/check-debug.sh $(if $(filter 1,$(KCSAN)),--kcsan) -d $(DEBUG_DURATION) -n $(DEBUG_CALLS) -s $(SEED)

# make trace KERNEL="6.12-amd64 5.10-amd64": KERNEL given on the command
# line picks the kernels; its default (6.12-amd64, for demo and bench) does not.
trace: deps
	tests/trace/trace.sh $(if $(filter command line,$(origin KERNEL)),$(KERNEL),$(TRACE_KERNELS))

trace-quick: deps
	tests/trace/trace.sh --quick $(if $(filter command line,$(origin KERNEL)),$(KERNEL),6.12-amd64)

install: module
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" modules_install
	depmod -a "$(KERNELRELEASE)"

# modules_install puts it in extra/ (6.1) or updates/ (6.12), or INSTALL_MOD_DIR.
MODLIB = $(INSTALL_MOD_PATH)/lib/modules/$(KERNELRELEASE)
uninstall:
	@for d in extra updates $(INSTALL_MOD_DIR); do \
	  rm -fv "$(MODLIB)/$$d"/module/vmmap.ko*; \
	  test ! -d "$(MODLIB)/$$d/module" || rmdir --ignore-fail-on-non-empty "$(MODLIB)/$$d/module"; \
	done
	depmod -a "$(KERNELRELEASE)"
	@test ! -d /sys/module/vmmap || echo "make: vmmap is still loaded (rmmod vmmap)"

clean:
	-test -d "$(KDIR)" && $(MAKE) -C "$(KDIR)" M="$(CURDIR)" clean
	$(MAKE) -C userspace clean
	$(MAKE) -C tests clean
	$(MAKE) -C tests/trace clean
	rm -rf build

.PHONY: all module userspace deps lint check matrix dkms-test deb deb-test uninstall demo bench bench-quick stress soak clients fuzz check-debug trace trace-quick install clean
