/*
 * Projects: projects/ (mkdir and rmdir make and remove projects),
 * projects/<p>/, its transaction-sets/ and the transaction sets in it
 * (<id>.xml, read-only renderings).
 *
 * Called by the dispatch in tree.c, without the tree's lock.
 */
#include <stdio.h>
#include <string.h>

#include "tree_internal.h"
#include "tenantfs/error.h"

/* ---- projects/ --------------------------------------------------------------------- */

static int projects_lookup(tfs_attr *out, tfs_tree *t, uint64_t parent,
			   const char *name)
{
	tfs_inst *in = owner(t, parent);
	tfs_row row;

	if (!in || tfs_inst_project_find(&row, in, name) < 0)
		return TFS_ENOTFOUND;
	return tree_getattr(out, t, INO(C_PROJ, INO_A(parent), row.id));
}

static int row_project(void *ctx, const tfs_row *r)
{
	struct listing *l = ctx;

	return add_ino(l, r->name, INO(C_PROJ, l->inst, r->id));
}

static int projects_readdir(struct listing *l, uint64_t ino)
{
	tfs_inst *in = owner(l->t, ino);

	if (!in)
		return TFS_ENOTFOUND;
	l->inst = INO_A(ino);
	return tfs_inst_project_list(in, row_project, l);
}

static int projects_mkdir(tfs_tree *t, uint64_t parent, const char *name,
			  const char *user)
{
	tfs_inst *in = owner(t, parent);

	if (!in)
		return TFS_ENOTFOUND;
	return tfs_inst_project_create(in, user, name);
}

static int projects_rmdir(tfs_tree *t, uint64_t parent, const tfs_attr *a,
			  const char *name, const char *user)
{
	tfs_inst *in = owner(t, parent);

	if (!in || INO_CLASS(a->ino) != C_PROJ)
		return 1;
	return tfs_inst_project_remove(in, user, INO_B(a->ino));
}

const struct node_ops projects_ops = {
	.lookup = projects_lookup,
	.getattr = inst_dir_getattr,
	.readdir = projects_readdir,
	.mkdir = projects_mkdir,
	.rmdir = projects_rmdir,
	.per_instance = true,
};

/* ---- projects/<p>/ and its transaction-sets/ ---------------------------------------- */

/* Both directories have the project's time. */
static int project_getattr(tfs_attr *out, tfs_tree *t, uint64_t ino)
{
	tfs_inst *in = owner(t, ino);
	tfs_row row;
	int error;

	if (!in)
		return TFS_ENOTFOUND;
	if ((error = tfs_inst_project_get(&row, in, INO_B(ino))) < 0)
		return error;
	dir_attr(out, ino, row.mtime, false);
	return 0;
}

static int project_lookup(tfs_attr *out, tfs_tree *t, uint64_t parent,
			  const char *name)
{
	if (strcmp(name, "transaction-sets") != 0)
		return TFS_ENOTFOUND;
	return tree_getattr(out, t,
			    INO(C_PROJTS, INO_A(parent), INO_B(parent)));
}

static int project_readdir(struct listing *l, uint64_t ino)
{
	return add_ino(l, "transaction-sets",
		       INO(C_PROJTS, INO_A(ino), INO_B(ino)));
}

const struct node_ops project_ops = {
	.lookup = project_lookup,
	.getattr = project_getattr,
	.readdir = project_readdir,
	.per_instance = true,
};

static int txsets_lookup(tfs_attr *out, tfs_tree *t, uint64_t parent,
			 const char *name)
{
	tfs_inst *in = owner(t, parent);
	int64_t id, project;
	char num[256];
	tfs_row row;

	if (!in)
		return TFS_ENOTFOUND;
	if (!object_file_name(num, name) || !parse_uint(num, &id) ||
	    tfs_inst_txset_get(&row, &project, in, id) < 0 ||
	    project != INO_B(parent))
		return TFS_ENOTFOUND;
	return tree_getattr(out, t, INO(C_TXSET, INO_A(parent), id));
}

static int row_txset(void *ctx, const tfs_row *r)
{
	struct listing *l = ctx;
	char name[300];

	snprintf(name, sizeof(name), "%s.xml", r->name);
	return add_ino(l, name, INO(C_TXSET, l->inst, r->id));
}

static int txsets_readdir(struct listing *l, uint64_t ino)
{
	tfs_inst *in = owner(l->t, ino);

	if (!in)
		return TFS_ENOTFOUND;
	l->inst = INO_A(ino);
	return tfs_inst_txset_list(in, INO_B(ino), row_txset, l);
}

const struct node_ops txsets_ops = {
	.lookup = txsets_lookup,
	.getattr = project_getattr,
	.readdir = txsets_readdir,
	.per_instance = true,
};

/* ---- transaction-sets/<id>.xml ---------------------------------------------------------- */

static int txset_getattr(tfs_attr *out, tfs_tree *t, uint64_t ino)
{
	tfs_inst *in = owner(t, ino);
	tfs_row row;
	int error;

	if (!in)
		return TFS_ENOTFOUND;
	if ((error = tfs_inst_txset_get(&row, NULL, in, INO_B(ino))) < 0)
		return error;
	return text_attr(out, t, ino, 0444, row.mtime);
}

static int txset_content(tfs_buf *out, tfs_tree *t, uint64_t ino, bool *direct)
{
	tfs_inst *in = owner(t, ino);

	if (!in)
		return TFS_ENOTFOUND;
	*direct = false;
	return tfs_inst_txset_render(out, in, INO_B(ino));
}

const struct node_ops txset_ops = {
	.getattr = txset_getattr,
	.content = txset_content,
	.per_instance = true,
};
