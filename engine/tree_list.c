/*
 * Directory listings: a listing collects its entries (the directory's
 * kind adds them through add_entry, add_ino and add_child), then the
 * memory nodes in the directory, sorts them by name and hands them to the
 * caller.  The directory's kind runs without the leaf lock; names hidden
 * in the directory (moved aside) are copied under it first, and memory
 * nodes are added under it last.
 */
#include <stdlib.h>
#include <string.h>

#include "tree_internal.h"
#include "tenantfs/error.h"

struct entry {
	char *name;
	tfs_attr attr;
};

int add_entry(struct listing *l, const char *name, const tfs_attr *a)
{
	if (l->n == l->alloc) {
		size_t n = l->alloc ? l->alloc * 2 : 32;
		struct entry *e = realloc(l->e, n * sizeof(*e));
		if (!e)
			return tfs_error_set(TFS_ERROR, "out of memory");
		l->e = e;
		l->alloc = n;
	}
	l->e[l->n].name = strdup(name);
	if (!l->e[l->n].name)
		return tfs_error_set(TFS_ERROR, "out of memory");
	l->e[l->n].attr = *a;
	l->n++;
	return 0;
}

int add_ino(struct listing *l, const char *name, uint64_t ino)
{
	tfs_attr a;
	int error = tree_getattr(&a, l->t, ino);

	return error < 0 ? error : add_entry(l, name, &a);
}

int add_child(struct listing *l, const char *name)
{
	tfs_attr a;
	int error = tree_lookup(&a, l->t, l->parent, name);

	if (error == TFS_ENOTFOUND)
		return 0;
	return error < 0 ? error : add_entry(l, name, &a);
}

bool listing_hides(const struct listing *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->nhidden; i++)
		if (strcmp(l->hidden[i], name) == 0)
			return true;
	return false;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name,
		      ((const struct entry *)b)->name);
}

/* (mu held) Copy the names hidden in l->parent. */
static int copy_hidden(struct listing *l)
{
	struct hidden *h;
	size_t n = 0;

	for (h = l->t->hidden; h; h = h->next)
		n += h->parent == l->parent;
	if (!n)
		return 0;
	if (!(l->hidden = calloc(n, sizeof(*l->hidden))))
		return tfs_error_set(TFS_ERROR, "out of memory");
	for (h = l->t->hidden; h; h = h->next)
		if (h->parent == l->parent &&
		    (l->hidden[l->nhidden] = strdup(h->name)))
			l->nhidden++;
	return 0;
}

/* (mu held) Temporary files and files being created in l->parent. */
static int add_mem_entries(struct listing *l)
{
	tfs_tree *t = l->t;
	struct mem *m;
	size_t i;
	int error = 0;

	for (i = 0; !error && i < hmap_cap(&t->by_ino); i++) {
		tfs_attr a;

		m = (struct mem *)(uintptr_t)t->by_ino.slot[i];
		if (!m || !m->linked || m->parent != l->parent ||
		    m->type == M_HIST)
			continue;
		/* linked nodes are never stored M_NEW ones */
		if (mem_attr_locked(&a, m))
			error = add_entry(l, m->name, &a);
	}
	return error;
}

/* Drop the entries `u` may not see (listings of the root and tenants/,
 * which depend on the caller and are never cached: tree_perm.c). */
static void filter_entries(struct listing *l, const tfs_user *u)
{
	size_t i, kept = 0;

	for (i = 0; i < l->n; i++) {
		if (perm_ino(l->t, u, l->e[i].attr.ino) == 0) {
			perm_gate(&l->e[i].attr);
			l->e[kept++] = l->e[i];
		} else {
			free(l->e[i].name);
		}
	}
	l->n = kept;
}

int tfs_tree_readdir(tfs_tree *t, uint64_t ino, tfs_dirent_cb cb, void *ctx,
		     const tfs_caller *who)
{
	struct listing l = { .t = t, .parent = ino };
	const struct node_ops *ops = node_kind(ino);
	tfs_user u;
	size_t i;
	int error;

	if ((error = caller_user(&u, t, who)) < 0 ||
	    (error = perm_ino(t, &u, ino)) < 0) {
		request_end(t);
		return error;
	}
	tree_lock(t);
	error = copy_hidden(&l);
	tree_unlock(t);
	if (!error)
		error = ops->readdir ?
				ops->readdir(&l, ino) :
				tfs_error_set(TFS_ENOTFOUND, "not a directory");
	if (!error && perm_filters_listing(ino))
		filter_entries(&l, &u);
	request_end(t);
	if (!error) {
		tree_lock(t);
		error = add_mem_entries(&l);
		tree_unlock(t);
	}
	if (!error && l.n)
		qsort(l.e, l.n, sizeof(*l.e), cmp_entry);
	for (i = 0; i < l.n; i++) {
		if (!error)
			error = cb(ctx, l.e[i].name, &l.e[i].attr);
		free(l.e[i].name);
	}
	for (i = 0; i < l.nhidden; i++)
		free(l.hidden[i]);
	free(l.hidden);
	free(l.e);
	return error > 0 ? 0 : error;
}
