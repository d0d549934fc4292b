/*
 * History: history/ (log and one directory per commit), history/log, and
 * the read-only trees history/<n>/ of each commit, browsed straight from
 * git.  Directories of those trees are memory nodes (M_HIST); the files
 * of a directory node that has a slot are C_HFILE inodes (slot, index in
 * the directory's git tree), which cost no memory however many the
 * kernel holds; without a free slot they are memory nodes too.
 *
 * A history node's path, commit and instance are fixed when it is made,
 * so a thread that pins it reads them without the lock while it asks git
 * (see tree_internal.h).  Called by the dispatch in tree.c (and by
 * node_mem.c for M_HIST nodes), without the tree's lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tree_internal.h"
#include "tenantfs/error.h"
#include "tenantfs/history.h"

/* ---- slots of directory nodes ------------------------------------------------------ */

struct mem *hfile_dir(tfs_tree *t, uint64_t ino)
{
	size_t slot = (size_t)INO_A(ino);

	if (INO_CLASS(ino) != C_HFILE || slot >= t->nhslot)
		return NULL;
	return t->hslot[slot];
}

/* (mu held) A free slot for history directory node `m` (none: 0, its
 * files become memory nodes). */
static void hslot_take(tfs_tree *t, struct mem *m)
{
	size_t i;

	for (i = 1; i < t->nhslot; i++)
		if (!t->hslot[i])
			break;
	if (i >= t->nhslot) {
		size_t n = t->nhslot ? t->nhslot * 2 : 64;
		struct mem **v;
		if (n > (size_t)HSLOT_MAX + 1)
			n = (size_t)HSLOT_MAX + 1;
		if (i >= n || !(v = realloc(t->hslot, n * sizeof(*v))))
			return;
		memset(v + t->nhslot, 0, (n - t->nhslot) * sizeof(*v));
		t->hslot = v;
		t->nhslot = n;
	}
	t->hslot[i] = m;
	m->slot = (uint32_t)i;
}

/* ---- nodes of a commit's tree --------------------------------------------------------- */

struct hist_at {
	int64_t inst;
	int n;
	int64_t time;
};

/*
 * Entry `name` (at `path`, number `index` in its directory's tree) of
 * history commit h->n, in directory `parent` (pinned; NULL:
 * history/<n> itself, in `parent_ino`).  A name that another thread made
 * a node for meanwhile keeps that node.
 */
static int hist_node(tfs_attr *out, tfs_tree *t, struct mem *parent,
		     uint64_t parent_ino, const char *name,
		     const struct hist_at *h, const char *path, int is_dir,
		     size_t size, size_t index)
{
	struct mem *m;
	int error = 0;

	if (!is_dir && parent && parent->slot && index <= 0xffffffffffULL) {
		file_attr(out, INO(C_HFILE, parent->slot, index), 0444, size,
			  h->time, true);
		return 0;
	}
	tree_lock(t);
	if ((m = mem_by_name(t, parent_ino, name)) && m->type == M_HIST) {
		mem_attr_locked(out, m);
		goto done;
	}
	if (!(m = mem_new(t, M_HIST, parent_ino, name))) {
		error = TFS_ERROR;
		goto done;
	}
	m->inst = h->inst;
	m->n = h->n;
	m->path = strdup(path);
	m->is_dir = is_dir;
	m->size = size;
	m->mtime = h->time;
	if (!m->path) {
		mem_unlink(t, m);
		error = tfs_error_set(TFS_ERROR, "out of memory");
		goto done;
	}
	if (is_dir)
		hslot_take(t, m);
	mem_attr_locked(out, m);
done:
	tree_unlock(t);
	return error;
}

/* Entry `name` of history directory node `dir` (pinned), or (dir NULL)
 * the root of commit n as history/<n>. */
static int hist_child(tfs_attr *out, tfs_tree *t, struct mem *dir,
		      uint64_t parent, const char *name, int64_t inst, int n)
{
	tfs_inst *in = tfs_store_inst(t->st, inst);
	struct hist_at h = { inst, n, 0 };
	char oid[41], path[1024];
	int is_dir = 1, error;
	size_t size = 0, index = 0;

	if (!in)
		return TFS_ENOTFOUND;
	if ((error = tfs_inst_history_commit(oid, &h.time, in, n)) < 0)
		return error;
	if (!dir) {
		path[0] = '\0';
	} else {
		if ((error = tfs_history_find(tfs_store_history(t->st), oid,
					      dir->path, name, &index, &is_dir,
					      &size)) < 0)
			return error;
		snprintf(path, sizeof(path), "%s%s%s", dir->path,
			 dir->path[0] ? "/" : "", name);
	}
	return hist_node(out, t, dir, parent, name, &h, path, is_dir, size,
			 index);
}

int hist_dir_lookup(tfs_attr *out, tfs_tree *t, struct mem *dir,
		    const char *name)
{
	int error = hist_child(out, t, dir, dir->ino, name, dir->inst, dir->n);

	return error == TFS_ENOTFOUND ?
		       tfs_error_set(TFS_ENOTFOUND, "no %s", name) :
		       error;
}

struct hist_listing {
	struct listing *l;
	struct mem *dir;
	struct hist_at at;
};

/* One entry of a history directory: the listing already says what it is,
 * so no lookup from the root of the commit's tree per entry (which made
 * listing a large directory quadratic). */
static int hist_entry(void *ctx, const char *name, int is_dir, size_t size,
		      size_t index)
{
	struct hist_listing *h = ctx;
	struct mem *d = h->dir;
	char path[1024];
	tfs_attr a;
	int error;

	snprintf(path, sizeof(path), "%s%s%s", d->path, d->path[0] ? "/" : "",
		 name);
	if ((error = hist_node(&a, h->l->t, d, d->ino, name, &h->at, path,
			       is_dir, size, index)) < 0)
		return error;
	return add_entry(h->l, name, &a);
}

int hist_dir_list(struct listing *l, struct mem *dir)
{
	tfs_inst *in = tfs_store_inst(l->t->st, dir->inst);
	struct hist_listing h = { l, dir, { dir->inst, dir->n, 0 } };
	char oid[41];

	if (!in || tfs_inst_history_commit(oid, &h.at.time, in, dir->n) < 0)
		return TFS_ENOTFOUND;
	return tfs_history_list_at(tfs_store_history(l->t->st), oid, dir->path,
				   hist_entry, NULL, &h);
}

int hist_file_content(tfs_buf *out, tfs_tree *t, struct mem *m)
{
	tfs_inst *in = tfs_store_inst(t->st, m->inst);
	char oid[41];

	if (!in || tfs_inst_history_commit(oid, NULL, in, m->n) < 0)
		return TFS_ENOTFOUND;
	return tfs_history_read(out, tfs_store_history(t->st), oid, m->path);
}

/* ---- history/ ------------------------------------------------------------------------- */

static int history_lookup(tfs_attr *out, tfs_tree *t, uint64_t parent,
			  const char *name)
{
	tfs_inst *in = owner(t, parent);
	int64_t id;
	int count;

	if (!in)
		return TFS_ENOTFOUND;
	if (strcmp(name, "log") == 0)
		return tree_getattr(out, t, INO(C_INST, INO_A(parent), I_HLOG));
	if (!parse_uint(name, &id) || tfs_inst_history_count(in, &count) < 0 ||
	    id < 1 || id > count)
		return TFS_ENOTFOUND;
	return hist_child(out, t, NULL, parent, name, INO_A(parent), (int)id);
}

static int history_readdir(struct listing *l, uint64_t ino)
{
	tfs_inst *in = owner(l->t, ino);
	char num[32];
	int count, n, error;

	if (!in)
		return TFS_ENOTFOUND;
	l->inst = INO_A(ino);
	if ((error = tfs_inst_history_count(in, &count)) < 0)
		return error;
	for (n = 1; n <= count; n++) {
		snprintf(num, sizeof(num), "%d", n);
		if ((error = add_child(l, num)))
			return error;
	}
	return add_child(l, "log");
}

const struct node_ops history_ops = {
	.lookup = history_lookup,
	.getattr = inst_dir_getattr,
	.readdir = history_readdir,
	.per_instance = true,
};

/* ---- history/log ------------------------------------------------------------------------ */

static int hlog_getattr(tfs_attr *out, tfs_tree *t, uint64_t ino)
{
	tfs_inst *in = owner(t, ino);

	if (!in)
		return TFS_ENOTFOUND;
	return text_attr(out, t, ino, 0444, tfs_inst_mtime(in));
}

static int hlog_content(tfs_buf *out, tfs_tree *t, uint64_t ino, bool *direct)
{
	tfs_inst *in = owner(t, ino);

	if (!in)
		return TFS_ENOTFOUND;
	return tfs_inst_history_render(out, in);
}

const struct node_ops hlog_ops = {
	.getattr = hlog_getattr,
	.content = hlog_content,
	.per_instance = true,
};

/* ---- files of history directory nodes (C_HFILE) ------------------------------------------ */

static int hfile_getattr(tfs_attr *out, tfs_tree *t, uint64_t ino)
{
	struct mem *d = hfile_pin(t, ino);
	tfs_inst *in = d ? tfs_store_inst(t->st, d->inst) : NULL;
	char oid[41], name[256];
	int is_dir, error;
	size_t size;

	if (!in) {
		error = TFS_ENOTFOUND;
		goto done;
	}
	if ((error = tfs_inst_history_commit(oid, NULL, in, d->n)) < 0 ||
	    (error = tfs_history_entry_at(tfs_store_history(t->st), oid,
					  d->path, (size_t)INO_B(ino), name,
					  &is_dir, &size)) < 0)
		goto done;
	file_attr(out, ino, 0444, size, d->mtime, true);
done:
	mem_unpin(t, d);
	return error;
}

static int hfile_content(tfs_buf *out, tfs_tree *t, uint64_t ino, bool *direct)
{
	struct mem *d = hfile_pin(t, ino);
	tfs_inst *in = d ? tfs_store_inst(t->st, d->inst) : NULL;
	char oid[41];
	int error;

	if (!in) {
		error = TFS_ENOTFOUND;
		goto done;
	}
	*direct = false;
	if ((error = tfs_inst_history_commit(oid, NULL, in, d->n)) < 0)
		goto done;
	error = tfs_history_read_at(out, tfs_store_history(t->st), oid, d->path,
				    (size_t)INO_B(ino));
done:
	mem_unpin(t, d);
	return error;
}

static int read_only(tfs_tree *t, uint64_t ino)
{
	return tfs_error_set(TFS_ELOCKED, "history is read-only");
}

const struct node_ops hfile_ops = {
	.getattr = hfile_getattr,
	.content = hfile_content,
	.may_write = read_only,
};
