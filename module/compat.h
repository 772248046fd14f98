/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmmap: every difference between the kernel versions the driver builds for.
 *
 * The .c files call the vmmap_* names below and read as if written for one
 * kernel. Where distributions backport an interface, Kbuild probes the
 * target's headers and passes -DVMMAP_HAVE_<feature>; a version number is
 * used only where the interface changed meaning without changing its shape.
 */
#ifndef VMMAP_COMPAT_H
#define VMMAP_COMPAT_H

#include <linux/err.h>
#include <linux/huge_mm.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
/* struct folio_batch moved out of pagevec.h into its own header (7.x). */
#ifdef VMMAP_HAVE_FOLIO_BATCH_H
#include <linux/folio_batch.h>
#else
#include <linux/pagevec.h>
#endif
#include <linux/sched.h>
#include <linux/sched/mm.h>

/*
 * Page cache lookups: __filemap_get_folio() returned NULL for "not cached"
 * until v6.4 (66dabbb65d67 "mm: return an ERR_PTR from __filemap_get_folio")
 * and ERR_PTR(-ENOENT) since. Same prototype, so no probe can tell: accept
 * both and give the callers NULL.
 */
static inline struct folio *vmmap_folio_or_null(struct folio *folio)
{
	return IS_ERR(folio) ? NULL : folio;
}

static inline struct folio *vmmap_lock_folio(struct address_space *mapping,
					     pgoff_t index)
{
	return vmmap_folio_or_null(filemap_lock_folio(mapping, index));
}

static inline struct folio *vmmap_get_folio(struct address_space *mapping,
					    pgoff_t index)
{
	return vmmap_folio_or_null(filemap_get_folio(mapping, index));
}

/*
 * The mm's default placement, for a mapping we do not align ourselves.
 * v6.10 (529ce23a764f "mm: switch mm->get_unmapped_area() to a flag") removed
 * mm->get_unmapped_area and exported mm_get_unmapped_area(mm, ...); a later
 * kernel dropped its mm argument. Kbuild probes sched/mm.h for both.
 */
static inline unsigned long vmmap_default_get_unmapped_area(struct file *file,
							    unsigned long addr,
							    unsigned long len,
							    unsigned long pgoff,
							    unsigned long flags)
{
#if defined(VMMAP_HAVE_MM_GET_UNMAPPED_AREA_NO_MM)
	return mm_get_unmapped_area(file, addr, len, pgoff, flags);
#elif defined(VMMAP_HAVE_MM_GET_UNMAPPED_AREA)
	return mm_get_unmapped_area(current->mm, file, addr, len, pgoff, flags);
#else
	return current->mm->get_unmapped_area(file, addr, len, pgoff, flags);
#endif
}

/*
 * Order of a folio one PMD entry maps (2 MiB on 4K pages, 32 MiB on 16K);
 * 0 where the kernel has no transparent huge pages, which turns huge
 * mappings off. HPAGE_PMD_ORDER is a BUILD_BUG() without THP.
 */
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
#define VMMAP_PMD_ORDER HPAGE_PMD_ORDER
#else
#define VMMAP_PMD_ORDER 0
#endif

/*
 * "make VMMAP_MMAP_PREPARE=1" sets VMAs up through f_op->mmap_prepare
 * (v6.16) and counts them in vm_ops->mapped (v7.1); Kbuild probes both.
 */
#if defined(VMMAP_MMAP_PREPARE) && !defined(VMMAP_HAVE_VM_OPS_MAPPED)
#error "VMMAP_MMAP_PREPARE=1 needs f_op->mmap_prepare and vm_ops->mapped (7.1 or later)"
#endif

#endif /* VMMAP_COMPAT_H */
