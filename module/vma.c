// SPDX-License-Identifier: GPL-2.0
/*
 * vmmap: the vm_operations_struct, i.e. what happens after mmap(2) returned.
 *
 * The first access to a page of a vmmap VMA takes a page fault that reaches
 * handle_mm_fault() -> do_fault(). From there:
 *   read fault	 -> ->map_pages (fault-around: map neighbours already
 *		    resident), then ->fault if the page itself was not mapped
 *   write fault, MAP_SHARED  -> ->fault, then ->page_mkwrite
 *   write fault, MAP_PRIVATE -> ->fault for the source page; the core copies
 *		    it (COW) and never calls ->page_mkwrite
 *   write to a present, write-protected shared PTE -> ->page_mkwrite
 * ->open runs when the core duplicates a VMA (fork, split, mremap), ->close
 * whenever one goes away; the first mmap is counted in f_op->mmap instead.
 */
#include <linux/mm.h>
#include <linux/pagemap.h>

#include "compat.h"
#include "vmmap.h"
#include "vmmap_trace.h"

/**
 * vmmap_vma_open - a VMA of ours was duplicated
 * @vma: the new VMA (a fork child's copy, a split-off piece, a moved VMA)
 *
 * Runs from dup_mmap() (fork), __split_vma() (partial munmap/mprotect) and
 * copy_vma() (mremap move) with the mmap_lock held for writing. Must not
 * sleep on anything that a fault could hold, and must not fail.
 */
static void vmmap_vma_open(struct vm_area_struct *vma)
{
	struct vmmap_object *obj = vma->vm_private_data;

	atomic_long_inc(&obj->live_vmas);
	vmmap_count(obj, VMMAP_STAT_VMA_OPEN);
	trace_vmmap_vma_open(vma->vm_start, vma->vm_end, vma->vm_pgoff);
}

/**
 * vmmap_vma_close - a VMA of ours is going away
 * @vma: the VMA, already unmapped
 *
 * Runs from munmap, exit, mremap and when a split piece is discarded, with
 * the mmap_lock held for writing (or the mm being torn down). Must not
 * touch the pages: they belong to the object, not to the VMA.
 */
static void vmmap_vma_close(struct vm_area_struct *vma)
{
	struct vmmap_object *obj = vma->vm_private_data;

	atomic_long_dec(&obj->live_vmas);
	vmmap_count(obj, VMMAP_STAT_VMA_CLOSE);
	trace_vmmap_vma_close(vma->vm_start, vma->vm_end, vma->vm_pgoff);
}

/*
 * The folio order a fault should allocate: PMD-sized when huge mappings are
 * on and one PMD entry of this VMA can map the whole aligned range around
 * the address (the range lies inside the VMA, and the VMA's address and
 * file offset agree modulo the PMD size, which vmmap_get_unmapped_area()
 * arranges). Then finish_fault() or filemap_map_pages() maps it with a
 * single PMD. Everything else, including read(2) and write(2), allocates
 * single pages, so the object holds only what was touched; so do private
 * write faults, whose page the core copies at once.
 */
static unsigned int vmmap_fault_order(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long start =
		ALIGN_DOWN(vmf->address, PAGE_SIZE << VMMAP_PMD_ORDER);
	unsigned long end = start + (PAGE_SIZE << VMMAP_PMD_ORDER);

	if (!VMMAP_PMD_ORDER || !READ_ONCE(vmmap_huge))
		return 0;
	/* A private write copies one page: the object needs only that one. */
	if ((vmf->flags & FAULT_FLAG_WRITE) && !(vma->vm_flags & VM_SHARED))
		return 0;
	if (start < vma->vm_start || end > vma->vm_end)
		return 0;
	if (!IS_ALIGNED((vma->vm_start >> PAGE_SHIFT) - vma->vm_pgoff,
			1UL << VMMAP_PMD_ORDER))
		return 0;
	return VMMAP_PMD_ORDER;
}

/**
 * vmmap_fault - supply the page for a fault on a page not yet mapped
 * @vmf: the fault; vmf->pgoff is the page's offset in the object
 *
 * Runs from do_read_fault(), do_cow_fault() or do_shared_fault() with the
 * mmap_lock held for reading or, from 6.4 on, only the per-VMA lock. May
 * sleep (it allocates). Finds the page in the object or adds a zeroed one
 * (a PMD-sized folio where one PMD can map it), and returns it locked with
 * a reference; the core maps it, with one PMD entry if the folio is
 * PMD-sized and aligned, or copies it for MAP_PRIVATE. Past the object's
 * end it returns VM_FAULT_SIGBUS: the kernel never size-checks a character
 * device for us.
 *
 * Must not look at other VMAs or take the mmap_lock (it may hold only the
 * VMA lock), and must never return VM_FAULT_NOPAGE without a PTE installed,
 * which would refault forever.
 *
 * Return: VM_FAULT_LOCKED with vmf->page set, VM_FAULT_SIGBUS past the
 * end, VM_FAULT_OOM.
 */
static vm_fault_t vmmap_fault(struct vm_fault *vmf)
{
	struct vmmap_object *obj = vmf->vma->vm_private_data;
	unsigned int order = 0;
	struct folio *folio;
	vm_fault_t ret;

	vmmap_count(obj, VMMAP_STAT_FAULT);
	folio = vmmap_object_get_folio(obj, vmf->pgoff, vmmap_fault_order(vmf));
	if (IS_ERR(folio)) {
		if (PTR_ERR(folio) == -ENOMEM) {
			ret = VM_FAULT_OOM;
		} else {
			vmmap_count(obj, VMMAP_STAT_SIGBUS);
			ret = VM_FAULT_SIGBUS;
		}
	} else {
		vmf->page = folio_file_page(folio, vmf->pgoff);
		order = folio_order(folio);
		ret = VM_FAULT_LOCKED;
	}
	trace_vmmap_fault(vmf->pgoff, vmf->flags, order, ret);
	return ret;
}

/**
 * vmmap_map_pages - fault-around: map resident neighbours of a read fault
 * @vmf:	the fault
 * @start_pgoff: first page offset to try
 * @end_pgoff:	last page offset to try
 *
 * Runs from do_fault_around() on read faults, before ->fault, over a window
 * of fault_around_bytes (64 KiB by default) around the faulting address,
 * under rcu_read_lock() and the mmap_lock or VMA lock. Must not sleep or
 * allocate: it maps only pages that are already in the object, uptodate and
 * unlocked, and only below the object's end. filemap_map_pages() does
 * exactly that for an address_space, and is why the object keeps its pages
 * in one. Pages it maps save one ->fault each.
 *
 * Return: what filemap_map_pages() returns (0, or VM_FAULT_NOPAGE once the
 * faulting address itself is mapped).
 */
static vm_fault_t vmmap_map_pages(struct vm_fault *vmf, pgoff_t start_pgoff,
				  pgoff_t end_pgoff)
{
	struct vmmap_object *obj = vmf->vma->vm_private_data;
	vm_fault_t ret;

	vmmap_count(obj, VMMAP_STAT_MAP_PAGES);
	ret = vmmap_filemap_map_pages(vmf, start_pgoff, end_pgoff);
	trace_vmmap_map_pages(vmf->pgoff, start_pgoff, end_pgoff, ret);
	return ret;
}

VMMAP_DEFINE_MAP_PAGES_VOID(vmmap_map_pages)

/**
 * vmmap_page_mkwrite - a clean page of a shared mapping is about to be written
 * @vmf: the fault; vmf->page is the page, mapped read-only or about to be
 *
 * Runs from do_shared_fault() or do_wp_page() -> wp_page_shared() on the
 * first write to a page since it was last cleaned by fsync, with the
 * mmap_lock for reading or only the VMA lock; the page is referenced but not
 * locked. Shared writable VMAs get read-only PTEs from the start because we
 * have this handler (vma_wants_writenotify()).
 *
 * Locks the page, checks that a shrink did not take it out of the object
 * or cut the object below it meanwhile (if it did, VM_FAULT_NOPAGE makes the core retry the fault,
 * which then ends in SIGBUS or a new page), marks it dirty and returns it
 * locked, which the core needs to make the PTE writable without racing with
 * fsync's write-protection. Must not unlock the page before returning.
 *
 * Return: VM_FAULT_LOCKED, or VM_FAULT_NOPAGE if the page left the object.
 */
static vm_fault_t vmmap_page_mkwrite(struct vm_fault *vmf)
{
	struct vmmap_object *obj = vmf->vma->vm_private_data;
	struct folio *folio = page_folio(vmf->page);

	vm_fault_t ret = VM_FAULT_LOCKED;

	vmmap_count(obj, VMMAP_STAT_PAGE_MKWRITE);
	folio_lock(folio);
	if (folio_mkwrite_check_truncate(folio, obj->inode) < 0 ||
	    vmf->pgoff >= vmmap_size_pages(obj)) {
		folio_unlock(folio);
		ret = VM_FAULT_NOPAGE;
	} else {
		folio_mark_dirty(folio);
	}
	trace_vmmap_page_mkwrite(vmf->pgoff, ret);
	return ret;
}

#ifdef VMMAP_MMAP_PREPARE
/**
 * vmmap_vma_mapped - a VMA set up by vmmap_mmap_prepare() now exists
 * @start: its first address
 * @end: its end
 * @pgoff: its file offset in pages
 * @file: the device file
 * @vm_private_data: the VMA's private data (the object), may be changed
 *
 * Only with mmap_prepare (vm_ops->mapped is refused for ->mmap VMAs). Runs
 * from __mmap_region() with the mmap_lock held for writing, once the new
 * VMA is in the tree, and not when the range merged into a neighbour: the
 * place to count it, as vmmap_vma_init() does for the ->mmap path.
 *
 * Return: 0 (an error would unmap the new VMA).
 */
static int vmmap_vma_mapped(unsigned long start, unsigned long end,
			    pgoff_t pgoff, const struct file *file,
			    void **vm_private_data)
{
	struct vmmap_object *obj = *vm_private_data;

	atomic_long_inc(&obj->live_vmas);
	vmmap_count(obj, VMMAP_STAT_MMAP);
	return 0;
}
#endif

static const struct vm_operations_struct vmmap_vm_ops = {
	.open = vmmap_vma_open,
	.close = vmmap_vma_close,
	.fault = vmmap_fault,
	VMMAP_VM_OPS_MAP_PAGES(vmmap_map_pages),
	.page_mkwrite = vmmap_page_mkwrite,
#ifdef VMMAP_MMAP_PREPARE
	.mapped = vmmap_vma_mapped,
#endif
};

/**
 * vmmap_vma_init - our part of mmap_region(): set up a new VMA
 * @obj: the object the VMA maps
 * @vma: the VMA, not yet visible to anyone else
 *
 * Called from f_op->mmap with the mmap_lock held for writing.
 *
 * The VMA flags stay as do_mmap() computed them, on purpose:
 *  - no VM_IO / VM_PFNMAP / VM_MIXEDMAP: the pages are ordinary page cache
 *    pages with struct pages, so GUP (O_DIRECT, ptrace, /proc/pid/mem),
 *    rmap, COW for MAP_PRIVATE, mlock and RSS accounting all just work;
 *  - no VM_DONTEXPAND: the object is file-like, so mremap() may grow a
 *    mapping (pages past the object's end raise SIGBUS, as for a file);
 *  - no VM_DONTCOPY: fork children share the mapping like any file mapping.
 */
void vmmap_vma_init(struct vmmap_object *obj, struct vm_area_struct *vma)
{
	vma->vm_ops = &vmmap_vm_ops;
	vma->vm_private_data = obj;
	atomic_long_inc(&obj->live_vmas);
}

#ifdef VMMAP_MMAP_PREPARE
/**
 * vmmap_vma_desc_init - our part of mmap_region() with ->mmap_prepare
 * @obj: the object the new VMA will map
 * @desc: the VMA to be, as described to f_op->mmap_prepare
 *
 * The same setup as vmmap_vma_init(), on the description instead of the
 * VMA; the flags stay as do_mmap() computed them, for the same reasons.
 * Counting waits for vmmap_vma_mapped().
 */
void vmmap_vma_desc_init(struct vmmap_object *obj, struct vm_area_desc *desc)
{
	desc->vm_ops = &vmmap_vm_ops;
	desc->private_data = obj;
}
#endif
