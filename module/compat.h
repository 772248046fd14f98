/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmmap: every difference between the kernel versions the driver builds for.
 *
 * The .c files are written for mainline and call its API by its names.
 * Where an older kernel lacks an interface, this file supplies it, under
 * the mainline name and with the mainline prototype, as a static inline
 * (or a struct definition) compiled only when the kernel has none; where
 * an interface changed shape, the .c files call a vmmap_* wrapper, or name
 * the handler through a VMMAP_* initializer. Nothing here renames a type
 * or function the kernel has: on any kernel that has folio_lock(), the
 * driver's folio_lock() is the kernel's.
 *
 * The folio API of 5.16 is given to 5.10 that way, rather than through
 * vmmap_* wrappers on every kernel, so that object.c reads as mainline
 * code and code navigation on a current kernel lands in the kernel's
 * headers. That needs struct folio itself, which 5.10 lacks entirely; it
 * is defined below as an overlay of struct page, as mainline defines it.
 *
 * Kbuild compiles a probe of each interface (probe.c) against the
 * target's headers and passes -DVMMAP_HAVE_<name>, since distributions
 * backport; a version number is used only where an interface changed
 * meaning without changing its shape.
 */
#ifndef VMMAP_COMPAT_H
#define VMMAP_COMPAT_H

#include <linux/build_bug.h>
#include <linux/err.h>
#include <linux/highmem.h>
#include <linux/huge_mm.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
/* struct folio_batch moved out of pagevec.h into its own header (7.x). */
#ifdef VMMAP_HAVE_FOLIO_BATCH_H
#include <linux/folio_batch.h>
#else
#include <linux/pagevec.h>
#endif
#include <linux/rmap.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#ifndef VMMAP_HAVE_FOLIO
/*
 * Before v5.16 (7b230db3b8d3 "mm: Introduce struct folio") there are only
 * pages. There the driver uses single pages only (VMMAP_PMD_ORDER is 0:
 * such kernels' page cache holds no large pages but shmem's), and a folio
 * of one page is that page. So struct folio is defined here as mainline
 * defines it, an overlay of the struct page fields the driver reads
 * (checked below), and each folio function the driver calls is a static
 * inline over its page-era ancestor. The names exist only where the
 * kernel has none of them: with a struct folio, every one is the kernel's.
 */
struct folio {
	union {
		struct {
			unsigned long flags;
			struct list_head lru;
			struct address_space *mapping;
			pgoff_t index;
		};
		struct page page;
	};
};

#define VMMAP_FOLIO_MATCH(pg, fl) \
	static_assert(offsetof(struct page, pg) == offsetof(struct folio, fl))
VMMAP_FOLIO_MATCH(flags, flags);
VMMAP_FOLIO_MATCH(lru, lru);
VMMAP_FOLIO_MATCH(mapping, mapping);
VMMAP_FOLIO_MATCH(index, index);
#undef VMMAP_FOLIO_MATCH

static inline struct folio *page_folio(struct page *page)
{
	return (struct folio *)compound_head(page);
}

static inline unsigned long folio_nr_pages(struct folio *folio)
{
	return compound_nr(&folio->page);
}

static inline struct page *folio_file_page(struct folio *folio, pgoff_t index)
{
	return &folio->page + (index & (folio_nr_pages(folio) - 1));
}

static inline unsigned int folio_order(struct folio *folio)
{
	return compound_order(&folio->page);
}

static inline size_t folio_size(struct folio *folio)
{
	return page_size(&folio->page);
}

static inline loff_t folio_pos(struct folio *folio)
{
	return page_offset(&folio->page);
}

static inline size_t offset_in_folio(struct folio *folio, loff_t pos)
{
	return pos & (folio_size(folio) - 1);
}

static inline void folio_lock(struct folio *folio)
{
	lock_page(&folio->page);
}

static inline void folio_unlock(struct folio *folio)
{
	unlock_page(&folio->page);
}

static inline void folio_put(struct folio *folio)
{
	put_page(&folio->page);
}

static inline bool folio_test_uptodate(struct folio *folio)
{
	return PageUptodate(&folio->page);
}

static inline void __folio_mark_uptodate(struct folio *folio)
{
	SetPageUptodate(&folio->page);
}

static inline bool folio_mark_dirty(struct folio *folio)
{
	return set_page_dirty(&folio->page);
}

static inline void folio_set_dirty(struct folio *folio)
{
	SetPageDirty(&folio->page);
}

static inline void folio_clear_dirty(struct folio *folio)
{
	ClearPageDirty(&folio->page);
}

static inline int folio_mkclean(struct folio *folio)
{
	return page_mkclean(&folio->page);
}

static inline ssize_t folio_mkwrite_check_truncate(struct folio *folio,
						   struct inode *inode)
{
	return page_mkwrite_check_truncate(&folio->page, inode);
}

static inline void folio_zero_range(struct folio *folio, size_t start,
				    size_t length)
{
	zero_user(&folio->page, start, length);
}

static inline void flush_dcache_folio(struct folio *folio)
{
	flush_dcache_page(&folio->page);
}

static inline struct folio *folio_alloc(gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(gfp | __GFP_COMP, order);

	return page ? page_folio(page) : NULL;
}

static inline int filemap_add_folio(struct address_space *mapping,
				    struct folio *folio, pgoff_t index,
				    gfp_t gfp)
{
	return add_to_page_cache_lru(&folio->page, mapping, index, gfp);
}

/* NULL if not cached, as until v6.4 (see vmmap_folio_or_null()). */
static inline struct folio *filemap_get_folio(struct address_space *mapping,
					      pgoff_t index)
{
	struct page *page = find_get_page(mapping, index);

	return page ? page_folio(page) : NULL;
}

static inline struct folio *filemap_lock_folio(struct address_space *mapping,
					       pgoff_t index)
{
	struct page *page = find_lock_page(mapping, index);

	return page ? page_folio(page) : NULL;
}

static inline void mapping_set_large_folios(struct address_space *mapping)
{
}

/*
 * The part of struct folio_batch (v5.18) the driver uses, and
 * filemap_get_folios_tag() (v6.2; Debian's 6.1 has it from stable): every
 * kernel the driver builds for has these and the folio API, or none.
 */
struct folio_batch {
	unsigned int nr;
	struct folio *folios[PAGEVEC_SIZE];
};

static inline void folio_batch_init(struct folio_batch *fbatch)
{
	fbatch->nr = 0;
}

static inline unsigned int folio_batch_count(struct folio_batch *fbatch)
{
	return fbatch->nr;
}

static inline void folio_batch_release(struct folio_batch *fbatch)
{
	while (fbatch->nr)
		folio_put(fbatch->folios[--fbatch->nr]);
}

static inline unsigned int filemap_get_folios_tag(struct address_space *mapping,
						  pgoff_t *start, pgoff_t end,
						  xa_mark_t tag,
						  struct folio_batch *fbatch)
{
	struct page *pages[PAGEVEC_SIZE];
	unsigned int i;

	fbatch->nr = find_get_pages_range_tag(mapping, start, end, tag,
					      PAGEVEC_SIZE, pages);
	for (i = 0; i < fbatch->nr; i++)
		fbatch->folios[i] = page_folio(pages[i]);
	return fbatch->nr;
}
#endif /* !VMMAP_HAVE_FOLIO */

/*
 * Copying from user memory into a locked page cache folio, as
 * generic_perform_write() does: fault the source in first, then copy with
 * page faults disabled. copy_folio_from_iter_atomic() (v6.12 as a wrapper,
 * the only one left in 7.x) follows copy_page_from_iter_atomic() (v5.14),
 * which followed iov_iter_copy_from_user_atomic() (no iterator advance);
 * fault_in_iov_iter_readable() (v5.16, returns the bytes it could not fault
 * in) followed iov_iter_fault_in_readable() (0 or -EFAULT for the range).
 */
#if !defined(VMMAP_HAVE_COPY_FOLIO_FROM_ITER_ATOMIC) && \
	defined(VMMAP_HAVE_COPY_PAGE_FROM_ITER_ATOMIC)
static inline size_t copy_folio_from_iter_atomic(struct folio *folio,
						 size_t offset, size_t bytes,
						 struct iov_iter *i)
{
	return copy_page_from_iter_atomic(folio_page(folio, offset / PAGE_SIZE),
					  offset % PAGE_SIZE, bytes, i);
}
#elif !defined(VMMAP_HAVE_COPY_FOLIO_FROM_ITER_ATOMIC)
static inline size_t copy_folio_from_iter_atomic(struct folio *folio,
						 size_t offset, size_t bytes,
						 struct iov_iter *i)
{
	size_t copied =
		iov_iter_copy_from_user_atomic(&folio->page, i, offset, bytes);

	iov_iter_advance(i, copied);
	return copied;
}
#endif

#ifndef VMMAP_HAVE_FAULT_IN_IOV_ITER_READABLE
/* All or nothing before v5.16: bisect for the readable part of @bytes. */
static inline size_t fault_in_iov_iter_readable(struct iov_iter *i,
						size_t bytes)
{
	size_t ok = 0, bad = bytes, mid;

	if (!iov_iter_fault_in_readable(i, bytes))
		return 0;
	while (bad - ok > 1) {
		mid = ok + (bad - ok) / 2;
		if (iov_iter_fault_in_readable(i, mid))
			bad = mid;
		else
			ok = mid;
	}
	return bytes - ok;
}
#endif

/*
 * a_ops->dirty_folio(mapping, folio) replaced ->set_page_dirty(page) in
 * v5.18 (6f31a5a261db). VMMAP_AOP_DIRTY(fn) names the member the kernel
 * has; VMMAP_DEFINE_SET_PAGE_DIRTY(fn) defines the page-based fn_page it
 * points at on older kernels (unused, and dropped, on newer ones).
 */
#ifdef VMMAP_HAVE_DIRTY_FOLIO
#define VMMAP_AOP_DIRTY(fn) .dirty_folio = (fn)
#else
#define VMMAP_AOP_DIRTY(fn) .set_page_dirty = (fn##_page)
#endif
#define VMMAP_DEFINE_SET_PAGE_DIRTY(fn)                                 \
	static int __maybe_unused fn##_page(struct page *page)          \
	{                                                               \
		return fn(page_folio(page)->mapping, page_folio(page)); \
	}

/*
 * vm_ops->map_pages returns vm_fault_t since v5.12 (f9ce0be71d1f), void
 * before. The handler has the new prototype; VMMAP_VM_OPS_MAP_PAGES(fn)
 * names it in the vm_ops, or on older kernels fn_void, which
 * VMMAP_DEFINE_MAP_PAGES_VOID(fn) defines (unused, and dropped, on newer).
 */
#ifdef VMMAP_HAVE_MAP_PAGES_VM_FAULT_T
#define VMMAP_VM_OPS_MAP_PAGES(fn) .map_pages = (fn)
#else
#define VMMAP_VM_OPS_MAP_PAGES(fn) .map_pages = (fn##_void)
#endif
#define VMMAP_DEFINE_MAP_PAGES_VOID(fn)                                       \
	static void __maybe_unused fn##_void(                                 \
		struct vm_fault *vmf, pgoff_t start_pgoff, pgoff_t end_pgoff) \
	{                                                                     \
		fn(vmf, start_pgoff, end_pgoff);                              \
	}

/* filemap_map_pages() with the result of 5.12 on (0 before, when void). */
static inline vm_fault_t vmmap_filemap_map_pages(struct vm_fault *vmf,
						 pgoff_t start_pgoff,
						 pgoff_t end_pgoff)
{
#ifdef VMMAP_HAVE_MAP_PAGES_VM_FAULT_T
	return filemap_map_pages(vmf, start_pgoff, end_pgoff);
#else
	filemap_map_pages(vmf, start_pgoff, end_pgoff);
	return 0;
#endif
}

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

static inline struct folio *vmmap_lookup_folio(struct address_space *mapping,
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
 * 0 where the kernel has no transparent huge pages or no large folios in
 * the page cache, which turns huge mappings off. HPAGE_PMD_ORDER is a BUILD_BUG() without THP.
 */
#if defined(CONFIG_TRANSPARENT_HUGEPAGE) && defined(VMMAP_HAVE_FOLIO)
#define VMMAP_PMD_ORDER HPAGE_PMD_ORDER
#else
#define VMMAP_PMD_ORDER 0
#endif

/*
 * copy_struct_to_user() (v6.13) is the output half of copy_struct_from_user()
 * (v5.4): copy what both sides know, min(@usize, @ksize) bytes, zero the
 * rest of a larger user struct, and tell whether a smaller one missed
 * non-zero bytes. The same contract for older kernels; Kbuild probes
 * uaccess.h.
 */
#ifndef VMMAP_HAVE_COPY_STRUCT_TO_USER
static inline int copy_struct_to_user(void __user *dst, size_t usize,
				      const void *src, size_t ksize,
				      bool *ignored_trailing)
{
	if (usize > ksize && clear_user(dst + ksize, usize - ksize))
		return -EFAULT;
	if (ignored_trailing)
		*ignored_trailing = usize < ksize &&
				    memchr_inv(src + usize, 0, ksize - usize);
	if (copy_to_user(dst, src, min(usize, ksize)))
		return -EFAULT;
	return 0;
}
#endif

/*
 * "make VMMAP_MMAP_PREPARE=1" sets VMAs up through f_op->mmap_prepare
 * (v6.16) and counts them in vm_ops->mapped (v7.1); Kbuild probes both.
 */
#if defined(VMMAP_MMAP_PREPARE) && !defined(VMMAP_HAVE_VM_OPS_MAPPED)
#error "VMMAP_MMAP_PREPARE=1 needs f_op->mmap_prepare and vm_ops->mapped (7.1 or later)"
#endif

#ifdef VMMAP_MMAP_PREPARE
/*
 * The flags of a vm_area_desc as a vm_flags_t: desc->vm_flags became the
 * bitmap desc->vma_flags (vma_flags_t) in 7.x, with vma_flags_to_legacy().
 */
static inline vm_flags_t vmmap_desc_vm_flags(const struct vm_area_desc *desc)
{
#ifdef VMMAP_HAVE_VMA_FLAGS_TO_LEGACY
	return vma_flags_to_legacy(desc->vma_flags);
#else
	return desc->vm_flags;
#endif
}
#endif

#endif /* VMMAP_COMPAT_H */
