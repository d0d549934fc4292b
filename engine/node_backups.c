/*
 * backups/ of an instance: the files of STORE/backups/<tenant>/<instance>/
 * (backup.c), read-only.  A file's inode is its inode number on the
 * store's file system, under the instance's class C_BACKUP.
 *
 * Called by the dispatch in tree.c, without the tree's lock.
 */
#include <stdio.h>
#include <string.h>

#include "tree_internal.h"
#include "tenantfs/error.h"
#include "tenantfs/push.h"

struct by_ino {
	int64_t ino;
	tfs_row row;
	bool found;
};

static int match_ino(void *ctx, const tfs_row *r)
{
	struct by_ino *b = ctx;

	if (r->id != b->ino)
		return 0;
	b->row = *r;
	b->found = true;
	return 1;
}

/* The backup file of inode `ino`. */
static int backup_of(tfs_row *out, tfs_inst **in, tfs_tree *t, uint64_t ino)
{
	struct by_ino b = { INO_B(ino), { 0 }, false };

	if (!(*in = owner(t, ino)))
		return TFS_ENOTFOUND;
	if (tfs_backup_list(*in, match_ino, &b) < 0 || !b.found)
		return tfs_error_set(TFS_ENOTFOUND, "no such backup");
	*out = b.row;
	return 0;
}

static void backup_attr(tfs_attr *out, int64_t inst, const tfs_row *r)
{
	file_attr(out, INO(C_BACKUP, inst, (uint64_t)r->id & 0xffffffffffULL),
		  0444, (uint64_t)r->size, r->mtime, false);
	out->volatile_entry = true; /* a new backup may take a name */
}

static int backups_lookup(tfs_attr *out, tfs_tree *t, uint64_t parent,
			  const char *name)
{
	tfs_inst *in = owner(t, parent);
	tfs_row row;
	int error;

	if (!in)
		return TFS_ENOTFOUND;
	if ((error = tfs_backup_find(&row, in, name)) < 0)
		return error;
	backup_attr(out, INO_A(parent), &row);
	return 0;
}

static int row_backup(void *ctx, const tfs_row *r)
{
	struct listing *l = ctx;
	tfs_attr a;

	backup_attr(&a, l->inst, r);
	return add_entry(l, r->name, &a);
}

static int backups_readdir(struct listing *l, uint64_t ino)
{
	tfs_inst *in = owner(l->t, ino);

	if (!in)
		return TFS_ENOTFOUND;
	l->inst = INO_A(ino);
	return tfs_backup_list(in, row_backup, l);
}

static void backups_target(struct target *tg, tfs_tree *t, uint64_t parent,
			   const char *name)
{
	tg->error = tfs_error_set(TFS_EACCESS,
				  "%s: backups are taken by "
				  "tenantfs (before each push)",
				  name);
}

const struct node_ops backups_ops = {
	.lookup = backups_lookup,
	.getattr = inst_dir_getattr,
	.readdir = backups_readdir,
	.target = backups_target,
	.per_instance = true,
};

static int backupfile_getattr(tfs_attr *out, tfs_tree *t, uint64_t ino)
{
	tfs_inst *in;
	tfs_row row;
	int error;

	if ((error = backup_of(&row, &in, t, ino)) < 0)
		return error;
	backup_attr(out, INO_A(ino), &row);
	return 0;
}

/* The whole file, as every file of the tree; a backup too large for that
 * is read from the store directory instead (the error says where). */
static int backupfile_content(tfs_buf *out, tfs_tree *t, uint64_t ino,
			      bool *direct)
{
	tfs_inst *in;
	tfs_row row;
	int error;

	if ((error = backup_of(&row, &in, t, ino)) < 0)
		return error;
	if ((uint64_t)row.size > TFS_OBJECT_MAX)
		return tfs_error_set(TFS_ETOOBIG,
				     "%s is %lld bytes: copy it "
				     "from %s/backups/%s/%s/",
				     row.name, (long long)row.size,
				     tfs_store_path(t->st), tfs_inst_tenant(in),
				     tfs_inst_name(in));
	return tfs_backup_read(out, in, row.name, 0, (size_t)row.size);
}

const struct node_ops backupfile_ops = {
	.getattr = backupfile_getattr,
	.content = backupfile_content,
	.per_instance = true,
};
