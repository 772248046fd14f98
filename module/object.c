// SPDX-License-Identifier: GPL-2.0
/*
 * vmmap: the memory object.
 *
 * The object is a ramfs-like file that nobody can name: an inode of the
 * driver's own pseudo filesystem whose address_space (page cache) holds the
 * pages and whose i_size is the object's size. Pages are allocated zeroed on
 * first touch and never evicted. Keeping them in an address_space is what
 * lets the driver use the kernel's fault-around (filemap_map_pages), rmap
 * based write-protection (folio_mkclean) and truncation (truncate_pagecache)
 * instead of writing its own.
 *
 * Locking, outermost first:
 *   inode->i_rwsem	write(2) and resize: one size change or writer at a time
 *   mmap_lock / VMA lock	held by the core around ->fault and ->page_mkwrite
 *   obj->resize_lock	read: adding a page; write: changing i_size
 *   i_mmap_rwsem, folio lock	taken inside truncate_pagecache() / here
 */
#include <linux/delay.h>
#include <linux/fs_context.h>
#include <linux/memcontrol.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>
#include <linux/rmap.h>
#include <linux/uio.h>

#include "compat.h"
#include "vmmap.h"
#include "vmmap_trace.h"

#define VMMAP_FS_MAGIC 0x766d6d70 /* "vmmp" */

/*
 * There is no backing store: pages are never written back, read in or
 * evicted. "Dirty" means "written since the last fsync", and is kept only
 * in the page cache's DIRTY tag, so that fsync finds dirty folios in time
 * proportional to their number, not to the object's size.
 *
 * Every path that dirties a folio through a mapping (our ->page_mkwrite, the
 * core unmapping a dirty PTE, GUP unpinning a written page) calls
 * folio_mark_dirty(), which lands here; write(2) tags its whole range at
 * once (vmmap_object_tag_dirty()). Unlike filemap_dirty_folio() this
 * does not set PG_dirty: the core treats PG_dirty on a page-cache folio as
 * accounted for writeback, which only writeback-capable mappings (and shmem)
 * do; splitting a PG_dirty large folio during truncation would "un-account"
 * it through a writeback context this inode does not have.
 *
 * Context: any context, including under a page table lock; the folio may be
 * unlocked if it is mapped; must not sleep.
 * Return: true if the folio was clean.
 */
static bool vmmap_dirty_folio(struct address_space *mapping,
			      struct folio *folio)
{
	unsigned long flags;
	bool newly = false;

	/*
	 * Already tagged: nothing to do, and no lock to take. The core calls
	 * this again right after ->page_mkwrite and for every dirty PTE it
	 * unmaps. Racing with fsync is fine: it write-protects the folio
	 * before it clears the tag, so a writer either finds the tag set or
	 * faults and tags the folio again.
	 */
	if (xa_get_mark(&mapping->i_pages, folio->index, PAGECACHE_TAG_DIRTY))
		return false;

	/* Not truncated meanwhile: only then may the index be tagged. */
	xa_lock_irqsave(&mapping->i_pages, flags);
	if (folio->mapping == mapping) {
		__xa_set_mark(&mapping->i_pages, folio->index,
			      PAGECACHE_TAG_DIRTY);
		newly = true;
	}
	xa_unlock_irqrestore(&mapping->i_pages, flags);
	return newly;
}

VMMAP_DEFINE_SET_PAGE_DIRTY(vmmap_dirty_folio)

static const struct address_space_operations vmmap_aops = {
	VMMAP_AOP_DIRTY(vmmap_dirty_folio),
};

static int vmmap_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, VMMAP_FS_MAGIC) ? 0 : -ENOMEM;
}

/* Never registered, so it cannot be mounted from userspace. */
static struct file_system_type vmmap_fs_type = {
	.name = "vmmap",
	.init_fs_context = vmmap_fs_init_fs_context,
	.kill_sb = kill_anon_super,
};

/**
 * vmmap_object_ram_limit - the largest max_size the object may have
 *
 * Object pages are unevictable RAM, so the object may not be larger than the
 * machine's RAM (nor than a file may be).
 *
 * Return: that size in bytes, page aligned.
 */
loff_t vmmap_object_ram_limit(void)
{
	u64 ram = (u64)totalram_pages() << PAGE_SHIFT;

	return min_t(u64, ram, MAX_LFS_FILESIZE) & PAGE_MASK;
}

/* A max_size of 0 is the default: half of RAM, as for tmpfs. */
static int vmmap_check_max_size(u64 *max_size)
{
	if (!*max_size)
		*max_size = (vmmap_object_ram_limit() / 2) & PAGE_MASK;
	if (!PAGE_ALIGNED(*max_size) || *max_size > vmmap_object_ram_limit())
		return -EINVAL;
	return 0;
}

/**
 * vmmap_object_set_max_size - change the largest size a resize may set
 * @obj:	the object
 * @max_size:	bytes, page aligned, at most vmmap_object_ram_limit(); 0 for
 *		the default, half of RAM
 *
 * Never shrinks the object: a limit below its size is refused.
 *
 * Context: process context; takes the inode lock; may sleep.
 * Return: 0; -EINVAL for a size not page aligned or above RAM; -EBUSY for
 * one below the object's size. On error nothing changed.
 */
int vmmap_object_set_max_size(struct vmmap_object *obj, u64 max_size)
{
	int err = vmmap_check_max_size(&max_size);

	if (err)
		return err;
	inode_lock(obj->inode);
	if (max_size < vmmap_size(obj))
		err = -EBUSY;
	else
		WRITE_ONCE(obj->max_size, max_size);
	inode_unlock(obj->inode);
	return err;
}

int vmmap_object_init(struct vmmap_object *obj, loff_t size, u64 max_size)
{
	struct address_space *mapping;
	int err;

	if (size < 0 || !PAGE_ALIGNED(size) || vmmap_check_max_size(&max_size))
		return -EINVAL;
	if (size > max_size)
		return -EFBIG;

	obj->max_size = max_size;
	init_rwsem(&obj->resize_lock);
	obj->stats = alloc_percpu(struct vmmap_pcpu_stats);
	if (!obj->stats)
		return -ENOMEM;
	obj->mnt = kern_mount(&vmmap_fs_type);
	if (IS_ERR(obj->mnt)) {
		err = PTR_ERR(obj->mnt);
		goto free_stats;
	}
	obj->inode = alloc_anon_inode(obj->mnt->mnt_sb);
	if (IS_ERR(obj->inode)) {
		err = PTR_ERR(obj->inode);
		goto unmount;
	}
	i_size_write(obj->inode, size);
	obj->end = size >> PAGE_SHIFT;

	mapping = obj->inode->i_mapping;
	mapping->a_ops = &vmmap_aops;
	/* As ramfs: highmem is fine (pages are kmapped to copy), no eviction. */
	mapping_set_gfp_mask(mapping, GFP_HIGHUSER);
	mapping_set_unevictable(mapping);
	if (VMMAP_PMD_ORDER)
		mapping_set_large_folios(mapping);
	return 0;

unmount:
	kern_unmount(obj->mnt);
free_stats:
	free_percpu(obj->stats);
	return err;
}

/**
 * vmmap_object_destroy - free every page and the object's inode
 * @obj: the object; nothing may map or open it any more. Its counters go
 *	too: read them first.
 *
 * Return: pages still in the object after the final truncation, which the
 * unload message reports (0 unless the page cache lost count).
 */
unsigned long vmmap_object_destroy(struct vmmap_object *obj)
{
	unsigned long left;

	truncate_inode_pages_final(vmmap_mapping(obj));
	left = vmmap_object_resident_pages(obj);
	iput(obj->inode);
	kern_unmount(obj->mnt);
	free_percpu(obj->stats);
	return left;
}

/*
 * A zeroed folio of @order pages covering @index, inserted into the page
 * cache. A large one only if its whole aligned range lies inside the object
 * and is free; otherwise (or if memory is fragmented) one page.
 */
static struct folio *vmmap_object_alloc_folio(struct vmmap_object *obj,
					      pgoff_t index, unsigned int order,
					      pgoff_t end)
{
	struct address_space *mapping = vmmap_mapping(obj);
	gfp_t gfp = mapping_gfp_mask(mapping);
	pgoff_t start = round_down(index, 1UL << order);
	/* A large folio is an optimisation: fail fast, fall back quietly. */
	gfp_t huge_gfp = gfp | __GFP_ZERO | __GFP_NORETRY | __GFP_NOWARN;
	struct folio *folio;
	int err;

	if (order && start + (1UL << order) <= end) {
		folio = folio_alloc(huge_gfp, order);
		if (folio) {
			__folio_mark_uptodate(folio);
			if (!filemap_add_folio(mapping, folio, start, gfp))
				return folio;
			/* Part of the range is cached already: one page. */
			folio_put(folio);
		}
	}
	folio = folio_alloc(gfp | __GFP_ZERO, 0);
	if (!folio)
		return ERR_PTR(-ENOMEM);
	/* Zeroed and not yet visible: uptodate before anyone can look. */
	__folio_mark_uptodate(folio);
	err = filemap_add_folio(mapping, folio, index, gfp);
	if (err) {
		folio_put(folio);
		return ERR_PTR(err);
	}
	return folio;
}

/*
 * Add a page for @index unless @index is past the end. Returns it locked,
 * ERR_PTR(-EEXIST) if someone else inserted one first, -ENXIO past the end,
 * -ENOMEM.
 */
static struct folio *vmmap_object_add_folio(struct vmmap_object *obj,
					    pgoff_t index, unsigned int order)
{
	pgoff_t end;
	struct folio *folio;

	down_read(&obj->resize_lock);
	end = vmmap_size_pages(obj);
	if (index >= end) {
		folio = ERR_PTR(-ENXIO);
		goto out;
	}
	folio = vmmap_object_alloc_folio(obj, index, order, end);
	if (!IS_ERR(folio))
		vmmap_count_n(obj, VMMAP_STAT_PAGES_ALLOCATED,
			      folio_nr_pages(folio));
out:
	up_read(&obj->resize_lock);
	return folio;
}

/**
 * vmmap_object_get_folio - find or create the page at @index
 * @obj:	the object
 * @index:	page offset into the object
 * @order:	if the page must be allocated, the folio order to try first:
 *		0, or VMMAP_PMD_ORDER for a range one PMD entry can map
 *
 * Context: process context; takes and drops @obj->resize_lock for reading;
 * may sleep.
 * Return: the folio, locked and with a reference, still in the object and
 * below its end; ERR_PTR(-ENXIO) past the end; ERR_PTR(-ENOMEM).
 */
struct folio *vmmap_object_get_folio(struct vmmap_object *obj, pgoff_t index,
				     unsigned int order)
{
	struct address_space *mapping = vmmap_mapping(obj);
	struct folio *folio;

	for (;;) {
		folio = vmmap_lock_folio(mapping, index);
		if (!folio) {
			folio = vmmap_object_add_folio(obj, index, order);
			if (PTR_ERR_OR_ZERO(folio) == -EEXIST)
				continue;
			if (IS_ERR(folio))
				return folio;
		}
		/* Truncated while we waited for the lock: look again. */
		if (likely(folio->mapping == mapping))
			break;
		folio_unlock(folio);
		folio_put(folio);
	}
	if (unlikely(index >= vmmap_size_pages(obj))) {
		folio_unlock(folio);
		folio_put(folio);
		return ERR_PTR(-ENXIO);
	}
	return folio;
}

/*
 * The large folio that straddles page @index (starts below it and ends past
 * it), with a reference; NULL if @index starts a folio, is a hole, or the
 * folio is a single page.
 */
static struct folio *vmmap_straddling_folio(struct address_space *mapping,
					    pgoff_t index)
{
	struct folio *folio = vmmap_lookup_folio(mapping, index);

	if (folio && folio->index == index) {
		folio_put(folio);
		folio = NULL;
	}
	return folio;
}

/*
 * Set or clear PG_dirty on the folios of pages @index..@end-1. PG_dirty is
 * what keeps truncation from dropping a large folio it fails to split (see
 * vmmap_object_shrink()); outside a shrink no folio of the object has it.
 */
static void vmmap_set_keep(struct address_space *mapping, pgoff_t index,
			   pgoff_t end, bool keep)
{
	struct folio *folio;

	while (index < end) {
		folio = vmmap_lookup_folio(mapping, index);
		if (!folio) {
			index++;
			continue;
		}
		folio_lock(folio);
		if (folio->mapping == mapping) {
			if (keep)
				folio_set_dirty(folio);
			else
				folio_clear_dirty(folio);
		}
		index = folio->index + folio_nr_pages(folio);
		folio_unlock(folio);
		folio_put(folio);
	}
}

/*
 * Shrink to @new_size inside @folio, a large folio an earlier shrink kept
 * whole and whose tail is past i_size already: no split is tried (a split
 * of a PG_dirty folio would drop PG_dirty tails past i_size through a
 * writeback context the inode does not have, and a clean one is dropped
 * whole if it fails). Everything past the object is this folio's tail:
 * unmap the part past the new end, private copies included, and zero it
 * under the folio lock. Consumes the reference on @folio.
 */
static void vmmap_cut_kept_folio(struct vmmap_object *obj, struct folio *folio,
				 loff_t new_size)
{
	struct address_space *mapping = vmmap_mapping(obj);
	size_t from;

	unmap_mapping_range(mapping, new_size, 0, 1);
	folio_lock(folio);
	if (folio->mapping == mapping) {
		from = new_size - folio_pos(folio);
		folio_zero_range(folio, from, folio_size(folio) - from);
	}
	folio_unlock(folio);
	folio_put(folio);
}

/* Splits that fail for a transient reference are tried again this often. */
#define VMMAP_SPLIT_TRIES 4

/*
 * Shrink to @new_size. truncate_pagecache() zeroes the part of a large
 * folio that straddles the new end and tries to split it; if the split
 * fails (anyone else holds a reference: a fault waiting for the folio lock,
 * fsync's or read's folio batch, a pipe, a GUP pin) it drops the whole
 * folio unless the folio is PG_dirty, taking the data below the new end
 * with it: the page cache assumes clean data can be read back, and the
 * object has no backing store. So such a folio is marked PG_dirty for the
 * truncation and the mark is taken off again afterwards.
 *
 * PG_dirty is otherwise never set (vmmap_dirty_folio() explains why); its
 * one hazard is a successful split, which "un-accounts" PG_dirty tails past
 * i_size through a writeback context this inode does not have. So the
 * truncation runs while i_size still covers the folio, with @obj->end
 * already lowered so that no fault, page_mkwrite or new page gets past the
 * new end; then i_size follows and a last unmap catches what fault-around
 * mapped meanwhile.
 *
 * A folio that still cannot be split stays whole, its tail past the end
 * zeroed (resident_pages counts it) until the object grows again or shrinks
 * below it; a later shrink inside it zeroes more of it and splits nothing
 * (vmmap_cut_kept_folio()).
 */
static void vmmap_object_shrink(struct vmmap_object *obj, loff_t new_size)
{
	struct inode *inode = obj->inode;
	struct address_space *mapping = inode->i_mapping;
	pgoff_t old_end = vmmap_size_pages(obj);
	pgoff_t new_end = new_size >> PAGE_SHIFT;
	struct folio *folio;
	pgoff_t first;
	int tries;

	down_write(&obj->resize_lock);
	WRITE_ONCE(obj->end, new_end);
	up_write(&obj->resize_lock);

	for (tries = 0;; tries++) {
		folio = vmmap_straddling_folio(mapping, new_end);
		if (folio && folio->index + folio_nr_pages(folio) > old_end) {
			/* kept by an earlier shrink: cut it again, whole */
			vmmap_cut_kept_folio(obj, folio, new_size);
			folio = NULL;
			break;
		}
		if (!folio || tries == VMMAP_SPLIT_TRIES) {
			if (!tries)
				truncate_pagecache(inode, new_size);
			break;
		}
		first = folio->index;
		folio_put(folio);
		if (tries)
			usleep_range(1000, 2000);
		vmmap_set_keep(mapping, first, new_end + 1, true);
		truncate_pagecache(inode, new_size);
		vmmap_set_keep(mapping, first, new_end + 1, false);
	}
	if (folio)
		folio_put(folio);

	down_write(&obj->resize_lock);
	i_size_write(inode, new_size);
	up_write(&obj->resize_lock);
	unmap_mapping_range(mapping, new_size, 0, 1);
}

/*
 * Grow to @new_size. The pages past the old end were freed when it shrank,
 * except the tail of a large folio a shrink could not split: zeroed then,
 * and unreachable since, unless the kernel mapped that folio with one PMD
 * across i_size (as kernels without upstream 6.18's "do not map large
 * folios across i_size" do for every large file folio: 6.1.192 does,
 * 6.12.118 no longer), through which a write may have reached the tail. So
 * unmap it and zero the tail again, under the folio lock, which keeps
 * faults from mapping it until i_size is up.
 */
static void vmmap_object_grow(struct vmmap_object *obj, loff_t new_size)
{
	struct address_space *mapping = vmmap_mapping(obj);
	pgoff_t old_end = vmmap_size_pages(obj);
	struct folio *folio = vmmap_straddling_folio(mapping, old_end);
	size_t from;

	down_write(&obj->resize_lock);
	if (folio) {
		folio_lock(folio);
		if (folio->mapping == mapping) {
			unmap_mapping_range(mapping, folio_pos(folio),
					    folio_size(folio), 0);
			from = (old_end - folio->index) << PAGE_SHIFT;
			folio_zero_range(folio, from, folio_size(folio) - from);
		}
	}
	i_size_write(obj->inode, new_size);
	WRITE_ONCE(obj->end, new_size >> PAGE_SHIFT);
	if (folio) {
		folio_unlock(folio);
		folio_put(folio);
	}
	up_write(&obj->resize_lock);
}

/**
 * vmmap_object_resize - change the object's size
 * @obj:	the object
 * @new_size:	bytes, page aligned, at most @obj->max_size
 *
 * Shrinking zaps every PTE past @new_size in every process that maps the
 * object (private COW copies included, as for a truncated file), then frees
 * those pages; a later access there gets SIGBUS from ->fault. A huge page
 * that straddles the new end is split, or if something holds it, kept
 * whole with its tail zeroed. Growing exposes zeroes, never old data.
 *
 * Context: process context; no mmap_lock held (truncation takes i_mmap_rwsem
 * and page locks); may sleep.
 * Return: 0, -EINVAL, -EFBIG; on error nothing changed.
 */
int vmmap_object_resize(struct vmmap_object *obj, loff_t new_size)
{
	struct inode *inode = obj->inode;
	unsigned long resident;
	loff_t old_size;

	if (new_size < 0 || !PAGE_ALIGNED(new_size))
		return -EINVAL;

	inode_lock(inode);
	if (new_size > obj->max_size) {
		inode_unlock(inode);
		return -EFBIG;
	}
	old_size = vmmap_size(obj);
	resident = vmmap_object_resident_pages(obj);
	if (new_size < old_size)
		vmmap_object_shrink(obj, new_size);
	else if (new_size > old_size)
		vmmap_object_grow(obj, new_size);
	trace_vmmap_resize(old_size, new_size,
			   resident - vmmap_object_resident_pages(obj));
	inode_unlock(inode);
	vmmap_count(obj, VMMAP_STAT_RESIZE);
	return 0;
}

/*
 * Write-protect one dirty folio in every mapping and mark it clean, so the
 * next write through any mapping goes through ->page_mkwrite again. With
 * @whole, only if the folio lies wholly inside pages @first..@last (what
 * VMMAP_IOC_DIRTY reported). fsync and VMMAP_IOC_DIRTY both clean here, so
 * that both follow one protocol. Returns the number of pages cleaned.
 */
static long vmmap_clean_folio(struct address_space *mapping,
			      struct folio *folio, pgoff_t first, pgoff_t last,
			      bool whole)
{
	long cleaned = 0;

	folio_lock(folio);
	if (folio->mapping != mapping)
		goto unlock; /* truncated meanwhile */
	/* Under the lock the folio cannot be split: its bounds hold. */
	if (whole && (folio->index < first ||
		      folio->index + folio_nr_pages(folio) - 1 > last))
		goto unlock;
	/*
	 * PTEs first, then the tag, as folio_clear_dirty_for_io() does with
	 * PG_dirty: a write racing with us faults on the now read-only PTE
	 * and waits in ->page_mkwrite for our lock, then tags it again.
	 */
	folio_mkclean(folio);
	xa_lock_irq(&mapping->i_pages);
	if (xa_get_mark(&mapping->i_pages, folio->index, PAGECACHE_TAG_DIRTY)) {
		__xa_clear_mark(&mapping->i_pages, folio->index,
				PAGECACHE_TAG_DIRTY);
		cleaned = folio_nr_pages(folio);
	}
	xa_unlock_irq(&mapping->i_pages);
unlock:
	folio_unlock(folio);
	return cleaned;
}

/*
 * Clean the folios tagged dirty that overlap pages @index..@last (with
 * @whole: that lie wholly inside them). Walks only the tagged folios, so
 * the cost follows the number of dirty pages, not the object's size.
 */
static long vmmap_clean_range(struct vmmap_object *obj, pgoff_t index,
			      pgoff_t last, bool whole)
{
	struct address_space *mapping = vmmap_mapping(obj);
	pgoff_t first = index;
	struct folio_batch fbatch;
	long cleaned = 0;
	unsigned int i;

	folio_batch_init(&fbatch);
	while (index <= last &&
	       filemap_get_folios_tag(mapping, &index, last,
				      PAGECACHE_TAG_DIRTY, &fbatch)) {
		for (i = 0; i < folio_batch_count(&fbatch); i++)
			cleaned += vmmap_clean_folio(mapping, fbatch.folios[i],
						     first, last, whole);
		folio_batch_release(&fbatch);
		cond_resched();
	}
	vmmap_count_n(obj, VMMAP_STAT_PAGES_CLEANED, cleaned);
	return cleaned;
}

/**
 * vmmap_object_sync - clean the dirty pages between @start and @end
 * @obj:	the object
 * @start:	first byte
 * @end:	last byte (inclusive)
 *
 * A dirty folio that overlaps the range is cleaned whole.
 *
 * Context: process context; no locks needed; may sleep.
 * Return: pages cleaned.
 */
long vmmap_object_sync(struct vmmap_object *obj, loff_t start, loff_t end)
{
	return vmmap_clean_range(obj, start >> PAGE_SHIFT, end >> PAGE_SHIFT,
				 false);
}

/**
 * vmmap_object_dirty_scan - find the dirty folios of a range of pages
 * @obj:	the object
 * @index:	first page
 * @last:	last page (inclusive)
 * @ext:	filled with extents of adjacent dirty folios, in pages, whole
 *		folios (the first may begin before @index, the last end past
 *		@last), in increasing order
 * @max:	capacity of @ext, at least 1
 * @stop:	set to the first page of the first dirty folio that did not
 *		fit into @ext, or to @last + 1 when the walk went through
 *
 * Reads the dirty tags and changes nothing; a folio cleaned or dirtied
 * meanwhile may or may not be reported.
 *
 * Context: process context; no locks needed; may sleep.
 * Return: extents filled.
 */
unsigned int vmmap_object_dirty_scan(struct vmmap_object *obj, pgoff_t index,
				     pgoff_t last, struct vmmap_extent *ext,
				     unsigned int max, pgoff_t *stop)
{
	struct address_space *mapping = vmmap_mapping(obj);
	struct folio_batch fbatch;
	unsigned int i, n = 0;
	struct folio *folio;

	*stop = last + 1;
	folio_batch_init(&fbatch);
	while (index <= last &&
	       filemap_get_folios_tag(mapping, &index, last,
				      PAGECACHE_TAG_DIRTY, &fbatch)) {
		for (i = 0; i < folio_batch_count(&fbatch); i++) {
			folio = fbatch.folios[i];
			if (n && ext[n - 1].end == folio->index) {
				ext[n - 1].end += folio_nr_pages(folio);
				continue;
			}
			if (n == max) {
				*stop = folio->index;
				break;
			}
			ext[n].start = folio->index;
			ext[n].end = folio->index + folio_nr_pages(folio);
			n++;
		}
		folio_batch_release(&fbatch);
		if (*stop != last + 1)
			break;
		cond_resched();
	}
	return n;
}

/**
 * vmmap_object_clean_extents - clean what vmmap_object_dirty_scan() found
 * @obj:	the object
 * @ext:	the extents it filled
 * @n:		how many
 *
 * Cleans, as fsync does, each dirty folio that lies wholly inside one of
 * the extents; a folio that has grown past them since (a huge page
 * allocated after a shrink) stays dirty and is reported next time.
 *
 * Context: process context; no locks needed; may sleep.
 * Return: pages cleaned.
 */
long vmmap_object_clean_extents(struct vmmap_object *obj,
				const struct vmmap_extent *ext, unsigned int n)
{
	long cleaned = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		cleaned += vmmap_clean_range(obj, ext[i].start, ext[i].end - 1,
					     true);
	return cleaned;
}

/**
 * vmmap_object_read - read(2) from the object
 * @obj:	the object
 * @iocb:	position and flags
 * @to:		destination
 *
 * Holes (pages never touched) read as zeroes without allocating anything.
 * No lock is held while copying, so the destination may itself be a mapping
 * of the object.
 *
 * Context: process context; no locks held; may sleep.
 * Return: bytes read, 0 at or past the end, -EFAULT; -EINTR if a fatal
 * signal came before anything was read (a read of gigabytes stops for
 * SIGKILL, as filemap_read() does).
 */
ssize_t vmmap_object_read(struct vmmap_object *obj, struct kiocb *iocb,
			  struct iov_iter *to)
{
	struct address_space *mapping = vmmap_mapping(obj);
	loff_t size = vmmap_size(obj);
	loff_t pos = iocb->ki_pos;
	ssize_t done = 0, err = 0;

	if (pos >= size || !iov_iter_count(to))
		return 0;

	while (iov_iter_count(to) && pos < size) {
		pgoff_t index = pos >> PAGE_SHIFT;
		size_t offset = offset_in_page(pos);
		size_t bytes = min_t(u64, PAGE_SIZE - offset, size - pos);
		struct folio *folio;
		size_t copied;

		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		bytes = min(bytes, iov_iter_count(to));
		folio = vmmap_lookup_folio(mapping, index);
		if (folio && unlikely(!folio_test_uptodate(folio))) {
			/*
			 * Only the new folio of a migration in progress is
			 * not uptodate: its data is not copied yet, and it
			 * is locked until it is. Wait for it.
			 */
			folio_put(folio);
			folio = vmmap_lock_folio(mapping, index);
			if (folio)
				folio_unlock(folio);
		}
		/*
		 * A shrink may have cut the object since the loop looked at
		 * the size, and zeroed or freed what lies past the new end:
		 * look again now that the page is held, as filemap_read()
		 * does. Finding the end moved is an end of file, not a fault.
		 */
		size = vmmap_size(obj);
		if (unlikely(pos >= size)) {
			if (folio)
				folio_put(folio);
			break;
		}
		bytes = min_t(u64, bytes, size - pos);
		if (folio) {
			copied =
				copy_page_to_iter(folio_file_page(folio, index),
						  offset, bytes, to);
			folio_put(folio);
		} else {
			copied = iov_iter_zero(bytes, to);
		}
		done += copied;
		pos += copied;
		if (copied < bytes) {
			err = -EFAULT;
			break;
		}
		cond_resched();
	}
	iocb->ki_pos = pos;
	return done ? done : err;
}

/*
 * Tag the folios of pages @first..@last dirty, as write(2) leaves them: one
 * walk under one lock for the whole range instead of a lock round trip per
 * page. Like tag_pages_for_writeback(), it drops the lock every
 * XA_CHECK_SCHED entries to keep interrupts off only briefly.
 *
 * Context: process context; the inode lock held, so no folio in the range
 * can leave the object meanwhile; may sleep.
 */
static void vmmap_object_tag_dirty(struct address_space *mapping, pgoff_t first,
				   pgoff_t last)
{
	XA_STATE(xas, &mapping->i_pages, first);
	unsigned int n = 0;
	void *entry;

	xas_lock_irq(&xas);
	xas_for_each(&xas, entry, last) {
		if (xa_is_value(entry))
			continue;
		xas_set_mark(&xas, PAGECACHE_TAG_DIRTY);
		if (++n % XA_CHECK_SCHED)
			continue;
		xas_pause(&xas);
		xas_unlock_irq(&xas);
		cond_resched();
		xas_lock_irq(&xas);
	}
	xas_unlock_irq(&xas);
}

/**
 * vmmap_object_write - write(2) to the object
 * @obj:	the object
 * @iocb:	position and flags
 * @from:	source
 *
 * The object does not grow on write: a write is cut at the end, and one that
 * starts at or past the end fails with -ENOSPC, as on a block device. A
 * write on a file opened with O_APPEND (or a pwritev2() with RWF_APPEND)
 * starts at the end, as on a regular file, so it always fails with -ENOSPC
 * (without this it would write at the file position). The written pages
 * are marked dirty, as a write through a mapping would.
 *
 * Context: process context; takes the inode lock, which excludes resize,
 * and each folio's lock while copying into it (the source may be a mapping
 * of the same page); may sleep.
 * Return: bytes written (fewer if a fatal signal came), -ENOSPC, -EFAULT,
 * -ENOMEM, -EINTR.
 */
ssize_t vmmap_object_write(struct vmmap_object *obj, struct kiocb *iocb,
			   struct iov_iter *from)
{
	struct inode *inode = obj->inode;
	struct address_space *mapping = vmmap_mapping(obj);
	ssize_t done = 0, err = 0;
	loff_t start, pos, size;

	if (!iov_iter_count(from))
		return 0;

	inode_lock(inode);
	size = vmmap_size(obj);
	start = iocb->ki_flags & IOCB_APPEND ? size : iocb->ki_pos;
	pos = start;
	if (pos >= size)
		err = -ENOSPC;

	while (!err && iov_iter_count(from) && pos < size) {
		pgoff_t index = pos >> PAGE_SHIFT;
		size_t offset = offset_in_page(pos);
		size_t bytes = min_t(u64, PAGE_SIZE - offset, size - pos);
		struct folio *folio;
		size_t copied;

		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		bytes = min(bytes, iov_iter_count(from));
		/*
		 * The copy runs with the folio locked, which keeps migration
		 * (compaction) from moving the page under it and losing the
		 * write, and so with page faults disabled: the source may be
		 * a mapping of this very page, whose fault would wait for
		 * the lock. So fault the source in first (the copy stops
		 * where the source is not there) and come back for the rest
		 * until none of it can be faulted in.
		 */
		if (fault_in_iov_iter_readable(from, bytes) == bytes) {
			err = -EFAULT;
			break;
		}
		folio = vmmap_object_get_folio(obj, index, 0);
		if (IS_ERR(folio)) {
			err = PTR_ERR(folio);
			break;
		}
		offset = offset_in_folio(folio, pos);
		copied =
			copy_folio_from_iter_atomic(folio, offset, bytes, from);
		flush_dcache_folio(folio);
		folio_unlock(folio);
		folio_put(folio);
		done += copied;
		pos += copied;
		cond_resched();
	}
	if (done)
		vmmap_object_tag_dirty(mapping, start >> PAGE_SHIFT,
				       (pos - 1) >> PAGE_SHIFT);
	iocb->ki_pos = pos;
	inode_unlock(inode);
	return done ? done : err;
}

unsigned long vmmap_object_resident_pages(struct vmmap_object *obj)
{
	return READ_ONCE(vmmap_mapping(obj)->nrpages);
}

/* Counts the folios tagged dirty: proportional to their number. */
unsigned long vmmap_object_dirty_pages(struct vmmap_object *obj)
{
	XA_STATE(xas, &vmmap_mapping(obj)->i_pages, 0);
	unsigned long nr = 0;
	struct folio *folio;

	rcu_read_lock();
	xas_for_each_marked(&xas, folio, ULONG_MAX, PAGECACHE_TAG_DIRTY) {
		if (xas_retry(&xas, folio) || xa_is_value(folio))
			continue;
		nr += folio_nr_pages(folio);
		if (need_resched()) {
			xas_pause(&xas);
			rcu_read_unlock();
			cond_resched();
			rcu_read_lock();
		}
	}
	rcu_read_unlock();
	return nr;
}

/*
 * Pages the object has given back since load. Derived rather than counted:
 * the page cache keeps nrpages exact on every removal path, including the
 * tail pages a split drops during truncation, which never reach
 * ->free_folio.
 */
u64 vmmap_object_pages_freed(struct vmmap_object *obj)
{
	return vmmap_stat_read(obj, VMMAP_STAT_PAGES_ALLOCATED) -
	       vmmap_object_resident_pages(obj);
}

/*
 * Counters restart from zero, except pages_allocated, which counts since
 * load so that pages_allocated - pages_freed stays the resident count.
 */
void vmmap_object_reset_stats(struct vmmap_object *obj)
{
	int i;

	int cpu;

	for_each_possible_cpu(cpu)
		for (i = 0; i < VMMAP_NR_STATS; i++)
			if (i != VMMAP_STAT_PAGES_ALLOCATED)
				per_cpu_ptr(obj->stats, cpu)->count[i] = 0;
}
