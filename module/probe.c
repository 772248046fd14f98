// SPDX-License-Identifier: GPL-2.0
/*
 * vmmap: feature probes, not part of vmmap.ko.
 *
 * Kbuild compiles this file once per probe, with -DVMMAP_PROBE_<name> and
 * the target kernel's own flags and headers, syntax only; if it compiles,
 * the module is built with -DVMMAP_HAVE_<name> and compat.h uses the
 * interface. Each probe is the code the driver writes, so it tests the
 * declaration the driver uses (a member's type, an argument list), not a
 * line of text a grep could find in another prototype or a comment.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

/* The probe compiler itself: a failure here stops the build (Kbuild). */
#ifdef VMMAP_PROBE_CC
static int __maybe_unused vmmap_probe(void)
{
	return 0;
}
#endif

/* struct folio and the page cache's folio API (v5.16, 7b230db3b8d3). */
#ifdef VMMAP_PROBE_FOLIO
static struct folio *__maybe_unused vmmap_probe(struct address_space *mapping,
						struct page *page)
{
	struct folio *folio = page_folio(page);

	if (folio->mapping == mapping)
		return folio;
	return filemap_lock_folio(mapping, folio->index);
}
#endif

/* a_ops->dirty_folio (v5.18, 6f31a5a261db) replaced ->set_page_dirty. */
#ifdef VMMAP_PROBE_DIRTY_FOLIO
static bool vmmap_probe_dirty(struct address_space *mapping,
			      struct folio *folio)
{
	return false;
}

static const struct address_space_operations vmmap_probe_aops __maybe_unused = {
	.dirty_folio = vmmap_probe_dirty,
};
#endif

/* vm_ops->map_pages returns vm_fault_t (v5.12, f9ce0be71d1f), not void. */
#ifdef VMMAP_PROBE_MAP_PAGES_VM_FAULT_T
static vm_fault_t vmmap_probe_map_pages(struct vm_fault *vmf,
					pgoff_t start_pgoff, pgoff_t end_pgoff)
{
	return 0;
}

static const struct vm_operations_struct vmmap_probe_vm_ops __maybe_unused = {
	.map_pages = vmmap_probe_map_pages,
};
#endif

/* vm_ops->mapped (v7.1), for VMAs set up through f_op->mmap_prepare. */
#ifdef VMMAP_PROBE_VM_OPS_MAPPED
static int vmmap_probe_mapped(unsigned long start, unsigned long end,
			      pgoff_t pgoff, const struct file *file,
			      void **vm_private_data)
{
	return 0;
}

static const struct vm_operations_struct vmmap_probe_vm_ops __maybe_unused = {
	.mapped = vmmap_probe_mapped,
};
#endif

/* desc->vma_flags, a vma_flags_t, with vma_flags_to_legacy() (7.x). */
#ifdef VMMAP_PROBE_VMA_FLAGS_TO_LEGACY
static vm_flags_t __maybe_unused vmmap_probe(const struct vm_area_desc *desc)
{
	return vma_flags_to_legacy(desc->vma_flags);
}
#endif

/* mm_get_unmapped_area(mm, ...) (v6.10, 529ce23a764f). */
#ifdef VMMAP_PROBE_MM_GET_UNMAPPED_AREA
static unsigned long __maybe_unused vmmap_probe(struct file *file)
{
	return mm_get_unmapped_area(current->mm, file, 0, PAGE_SIZE, 0, 0);
}
#endif

/* mm_get_unmapped_area() without its mm argument (later). */
#ifdef VMMAP_PROBE_MM_GET_UNMAPPED_AREA_NO_MM
static unsigned long __maybe_unused vmmap_probe(struct file *file)
{
	return mm_get_unmapped_area(file, 0, PAGE_SIZE, 0, 0);
}
#endif

/* copy_folio_from_iter_atomic() (v6.12). */
#ifdef VMMAP_PROBE_COPY_FOLIO_FROM_ITER_ATOMIC
static size_t __maybe_unused vmmap_probe(struct folio *folio,
					 struct iov_iter *i)
{
	return copy_folio_from_iter_atomic(folio, 0, PAGE_SIZE, i);
}
#endif

/* copy_page_from_iter_atomic() (v5.14), advancing the iterator. */
#ifdef VMMAP_PROBE_COPY_PAGE_FROM_ITER_ATOMIC
static size_t __maybe_unused vmmap_probe(struct page *page, struct iov_iter *i)
{
	return copy_page_from_iter_atomic(page, 0, PAGE_SIZE, i);
}
#endif

/* fault_in_iov_iter_readable() (v5.16): the bytes it could not fault in. */
#ifdef VMMAP_PROBE_FAULT_IN_IOV_ITER_READABLE
static size_t __maybe_unused vmmap_probe(struct iov_iter *i)
{
	return fault_in_iov_iter_readable(i, PAGE_SIZE);
}
#endif

/* copy_struct_to_user() (v6.13). */
#ifdef VMMAP_PROBE_COPY_STRUCT_TO_USER
static int __maybe_unused vmmap_probe(void __user *dst, size_t usize,
				      const void *src, size_t ksize)
{
	bool ignored;

	return copy_struct_to_user(dst, usize, src, ksize, &ignored);
}
#endif
