# SPDX-License-Identifier: GPL-2.0
#
# vmmap: user-facing targets. The kbuild pass reads ./Kbuild, not this file.
#
#   make            module for the running kernel (or KDIR= / KERNELRELEASE=)
#                   and the userspace tools
#   make demo       boot a Debian kernel under qemu and run vmmap-demo there
#                   (runs it directly if /dev/vmmap is loaded on this host)
#   make check      userspace with -Werror, lint, then the tests in qemu on
#                   every kernel of KERNELS
#   make install    modules_install + depmod for KERNELRELEASE
#   make clean

KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build
KERNELS ?= 6.1-amd64 6.12-amd64 6.1-arm64
KERNEL ?= 6.12-amd64

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
	tests/vm/check.sh $(KERNELS)

demo: deps
	$(MAKE) -C userspace
	tests/vm/demo.sh $(KERNEL)

install: module
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" modules_install
	depmod -a "$(KERNELRELEASE)"

clean:
	-test -d "$(KDIR)" && $(MAKE) -C "$(KDIR)" M="$(CURDIR)" clean
	$(MAKE) -C userspace clean
	$(MAKE) -C tests clean
	rm -rf build

.PHONY: all module userspace deps lint check demo install clean
