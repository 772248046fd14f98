/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmap, madvise, mremap and preadv2 flags newer than the oldest C library
 * the tests are built with (bookworm's glibc, and cross toolchains of the
 * same age). Values from the kernel's include/uapi/; a libc that has them
 * wins. One place for the suite, vmmap-stress, vmmap-fuzz and the benchmark.
 */
#ifndef VMMAP_TESTS_SYS_COMPAT_H
#define VMMAP_TESTS_SYS_COMPAT_H

#include <errno.h>
#include <sys/mman.h>
#include <sys/uio.h>

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE	0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC		0x80000
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif
#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED	0x4000000
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP	4
#endif
#ifndef PROT_SEM
#define PROT_SEM		0x8
#endif

#ifndef MADV_COLD
#define MADV_COLD		20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT		21
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif
#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED	24
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE		25
#endif

#ifndef RWF_HIPRI
#define RWF_HIPRI		0x01
#endif
#ifndef RWF_DSYNC
#define RWF_DSYNC		0x02
#endif
#ifndef RWF_SYNC
#define RWF_SYNC		0x04
#endif
#ifndef RWF_NOWAIT
#define RWF_NOWAIT		0x08
#endif
#ifndef RWF_APPEND
#define RWF_APPEND		0x10
#endif

#ifndef EHWPOISON
#define EHWPOISON		133
#endif

#endif
