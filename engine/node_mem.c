/*
 * Memory nodes as nodes (C_MEM): editors' temporary files (M_SCRATCH),
 * objects being created (M_NEW), packages being dropped (M_DROP, spooled
 * to a temporary file) and history snapshots (M_HIST, whose directories
 * and files node_history.c serves).
 *
 * Each operation pins its node for its duration (tree_internal.h): a
 * forget or an unlink meanwhile cannot free it.  Called by the dispatch
 * in tree.c, without the tree's lock.
 */
#include <string.h>
#include <unistd.h>

#include "tree_internal.h"
#include "tenantfs/error.h"

/* Pinned `ino` if it is a history directory node, else NULL. */
static struct mem *pin_hist_dir(tfs_tree *t, uint64_t ino)
{
	struct mem *m = mem_pin(t, ino);

	if (m && (m->type != M_HIST || !m->is_dir)) {
		mem_unpin(t, m);
		return NULL;
	}
	return m;
}

static int mem_lookup(tfs_attr *out, tfs_tree *t, uint64_t parent,
		      const char *name)
{
	struct mem *d = pin_hist_dir(t, parent);
	int error;

	if (!d)
		return TFS_ENOTFOUND;
	error = hist_dir_lookup(out, t, d, name);
	mem_unpin(t, d);
	return error;
}

static int mem_readdir(struct listing *l, uint64_t ino)
{
	struct mem *d = pin_hist_dir(l->t, ino);
	int error;

	if (!d)
		return tfs_error_set(TFS_ENOTFOUND, "not a directory");
	error = hist_dir_list(l, d);
	mem_unpin(l->t, d);
	return error;
}

static int mem_getattr(tfs_attr *out, tfs_tree *t, uint64_t ino)
{
	struct mem *m = mem_pin(t, ino);
	int error;

	if (!m)
		return tfs_error_set(TFS_ENOTFOUND, "no inode %llx",
				     (unsigned long long)ino);
	error = mem_attr(out, t, m);
	mem_unpin(t, m);
	return error;
}

/* The spooled package: its size under the lock, its bytes without. */
static int drop_content(tfs_buf *out, tfs_tree *t, struct mem *m)
{
	uint64_t size;
	ssize_t got;

	tree_lock(t);
	size = m->size;
	tree_unlock(t);
	if (tfs_buf_grow(out, out->size + size) < 0)
		return TFS_ERROR;
	got = pread(m->fd, out->ptr + out->size, size, 0);
	if (got != (ssize_t)size)
		return tfs_error_set(TFS_ERROR, "read error");
	out->size += size;
	out->ptr[out->size] = '\0';
	return 0;
}

/* A memory file's own bytes, or those of the object it was stored as. */
static int mem_bytes(tfs_buf *out, tfs_tree *t, struct mem *m)
{
	tfs_inst *in;
	int64_t obj;
	int error;

	tree_lock(t);
	obj = m->type == M_NEW ? m->obj : 0;
	error = obj ? 0 : tfs_buf_put(out, m->data.ptr, m->data.size);
	tree_unlock(t);
	if (!obj)
		return error;
	if (!(in = tfs_store_inst(t->st, m->inst)))
		return TFS_ENOTFOUND;
	return tfs_inst_obj_read(out, in, obj);
}

static int mem_content(tfs_buf *out, tfs_tree *t, uint64_t ino, bool *direct)
{
	struct mem *m = mem_pin(t, ino);
	int error;

	if (!m)
		return tfs_error_set(TFS_ENOTFOUND, "not a file");
	*direct = m->type == M_DROP;
	if (m->type == M_DROP)
		error = drop_content(out, t, m);
	else if (m->type == M_HIST && !m->is_dir)
		error = hist_file_content(out, t, m);
	else
		error = mem_bytes(out, t, m);
	mem_unpin(t, m);
	return error;
}

static int mem_may_write(tfs_tree *t, uint64_t ino)
{
	struct mem *m = mem_pin(t, ino);
	int error = 0;

	if (!m)
		return TFS_ENOTFOUND;
	if (m->type == M_HIST)
		error = tfs_error_set(TFS_ELOCKED, "history is read-only");
	mem_unpin(t, m);
	return error;
}

const struct node_ops mem_ops = {
	.lookup = mem_lookup,
	.getattr = mem_getattr,
	.readdir = mem_readdir,
	.content = mem_content,
	.may_write = mem_may_write,
};
