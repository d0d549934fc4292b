/*
 * Shared between history.c and history_tree.c, the two files that use
 * libgit2; nothing else includes it.
 */
#ifndef TENANTFS_HISTORY_INT_H
#define TENANTFS_HISTORY_INT_H

#include <stddef.h>

#include <git2.h>

/* One entry of tfs_history_write_commit's change list, after checking. */
struct change {
	const char *path;
	const char *bytes; /* NULL: delete */
	size_t len;
	git_oid id;        /* the blob, for upserts (written already) */
};

/* Large trees written lately, raw, so that the next save into the same
 * directory needs no read (and no inflate and hash check) of its parent. */
#define TREE_CACHE_SLOTS 4
struct tree_cache {
	struct {
		git_oid id;
		char *data; /* NULL: empty slot */
		size_t len;
	} slot[TREE_CACHE_SLOTS];
	unsigned int next;
};

void history_tree_cache_free(struct tree_cache *tc);

/* Where new trees go: the object database to check and write through,
 * and the objects directory for large trees stored as loose objects
 * (NULL: everything through `odb`, e.g. into an in-memory pack, and
 * nothing cached); `cache` may be NULL. */
struct tree_writer {
	git_odb *odb;
	const char *objects;
	struct tree_cache *cache;
};

/*
 * The root tree of `base` (a tree id) with the changes c[0..n) applied,
 * written, into *out.  c must be sorted by history.c's cmp_dir_order,
 * checked by sort_changes, without a path that is both a file and a
 * directory prefix of another.  Returns 0, TFS_EINVALID for a change
 * that conflicts with `base` (a file over a directory or back, deleting
 * a directory), or TFS_ERROR.
 */
int history_tree_update(git_oid *out, const struct tree_writer *w,
			const git_oid *base, const struct change *c,
			size_t n);

#endif
