// SPDX-License-Identifier: GPL-2.0
/*
 * vmmap: the vm_operations_struct of the object's VMAs. When the core calls
 * each handler, and with what held, is the guide's business
 * (docs/mmap-path.md); the comments here keep what each handler must and
 * must not do. The per-VMA lock: from 6.12 on (checked in 6.12's
 * mm/memory.c, vmf_can_call_fault()) ->fault and ->page_mkwrite of a VMA
 * whose vm_ops has ->map_pages, as ours does, may run under it alone;
 * 6.1 and 5.10 have no per-VMA lock and hold the mmap_lock.
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
 * Must not wait for anything a fault could hold.
 *
 * Context: process context; mmap_lock held for writing; may sleep.
 * See docs/mmap-path.md, "7. msync, munmap, mremap and fork".
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
 * Must not touch the pages: they belong to the object, not to the VMA.
 *
 * Context: process context; mmap_lock held for writing, or for reading once
 * munmap has downgraded it (6.1 and 6.12 both do), or the mm being torn
 * down; may sleep.
 * See docs/mmap-path.md, "7. msync, munmap, mremap and fork".
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
 * Finds the page in the object or adds a zeroed one (a PMD-sized folio
 * where one PMD can map it), and returns it locked with a reference. Past
 * the object's end it returns VM_FAULT_SIGBUS: the kernel never
 * size-checks a character device for us.
 *
 * Must not look at other VMAs or take the mmap_lock (it may hold only the
 * per-VMA lock), and must never return VM_FAULT_NOPAGE without a PTE
 * installed, which would refault forever.
 *
 * Context: process context; mmap_lock or (6.12 and later) the per-VMA lock
 * held for reading; may sleep.
 * See docs/mmap-path.md, "6. The first faults".
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
 * Maps only pages that are already in the object, uptodate and unlocked,
 * and only below the object's end: filemap_map_pages() does exactly that
 * for an address_space, and is why the object keeps its pages in one. Must
 * not sleep or allocate.
 *
 * Context: process context; mmap_lock or (6.12 and later) the per-VMA lock
 * held for reading; in an RCU read-side section (the core's from 6.12 on,
 * filemap_map_pages()' own on 6.1 and 5.10); must not sleep.
 * See docs/mmap-path.md, "6. The first faults".
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
 * @vmf: the fault; vmf->page is the page, referenced but not locked
 *
 * Locks the page, checks that a shrink did not take it out of the object
 * or cut the object below it meanwhile (if it did, VM_FAULT_NOPAGE makes
 * the core retry the fault, which then ends in SIGBUS or a new page), marks
 * it dirty and returns it locked. Must not unlock the page before
 * returning: the lock is what keeps fsync's write-protection from racing
 * with the core making the PTE writable.
 *
 * Context: process context; mmap_lock or (6.12 and later) the per-VMA lock
 * held for reading; may sleep.
 * See docs/mmap-path.md, "6. The first faults".
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
 * Only with mmap_prepare (vm_ops->mapped is refused for ->mmap VMAs); not
 * called when the range merged into a neighbour, so the place to count the
 * VMA, as vmmap_vma_init() does for ->mmap.
 *
 * Context: process context; mmap_lock held for writing; may sleep.
 * See docs/mmap-path.md, "5. mmap_region and f_op->mmap".
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
 * The VMA flags stay as do_mmap() computed them, on purpose:
 *  - no VM_IO / VM_PFNMAP / VM_MIXEDMAP: the pages are ordinary page cache
 *    pages with struct pages, so GUP (O_DIRECT, ptrace, /proc/pid/mem),
 *    rmap, COW for MAP_PRIVATE, mlock and RSS accounting all just work;
 *  - no VM_DONTEXPAND: the object is file-like, so mremap() may grow a
 *    mapping (pages past the object's end raise SIGBUS, as for a file);
 *  - no VM_DONTCOPY: fork children share the mapping like any file mapping.
 *
 * Context: process context (f_op->mmap); mmap_lock held for writing.
 * See docs/mmap-path.md, "5. mmap_region and f_op->mmap".
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
 *
 * Context: process context (f_op->mmap_prepare); mmap_lock held for
 * writing.
 */
void vmmap_vma_desc_init(struct vmmap_object *obj, struct vm_area_desc *desc)
{
	desc->vm_ops = &vmmap_vm_ops;
	desc->private_data = obj;
}
#endif
