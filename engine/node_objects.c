/*
 * Objects: the type directories of an instance (metadata/, settings/,
 * master/, data/), the object directories below them and validation/
 * (C_DIR, I_VALIDATION), and the object files (C_OBJ), whose bytes are
 * the canonical documents the instance stores.
 *
 * Writing in an object directory: "<Name>.xml" is an object (stored, or
 * new), other names are an editor's temporary files unless the metadata
 * is locked.  Called by the dispatch in tree.c, without the tree's lock.
 */
#include <stdio.h>
#include <string.h>

#include "tree_internal.h"
#include "tenantfs/error.h"

bool in_locked_dir(tfs_inst *in, tfs_kind kind, const char *type)
{
	return tfs_inst_locked(in) && tfs_inst_type_lockable(kind, type);
}

/* ---- metadata/, settings/, master/, data/ --------------------------------------- */

static tfs_kind typedir_kind(int64_t b)
{
	return b == I_METADATA ? TFS_KIND_METADATA :
	       b == I_SETTINGS ? TFS_KIND_SETTINGS :
	       b == I_MASTER   ? TFS_KIND_MASTER :
				 TFS_KIND_DATA;
}

/* master/ and data/ take directories (business objects) from users. */
static bool user_dirs(int64_t b)
{
	return b == I_MASTER || b == I_DATA;
}

static int typedirs_lookup(tfs_attr *out, tfs_tree *t, uint64_t parent,
			   const char *name)
{
	tfs_inst *in = owner(t, parent);
	int64_t b = INO_B(parent), dir;
	tfs_kind kind = typedir_kind(b);

	if (!in)
		return TFS_ENOTFOUND;
	if (user_dirs(b) ? !tfs_name_valid(name) : !tfs_type_valid(kind, name))
		return TFS_ENOTFOUND;
	if (tfs_inst_dir_find(&dir, in, kind, name) < 0)
		return TFS_ENOTFOUND;
	return tree_getattr(out, t, INO(C_DIR, INO_A(parent), dir));
}

static int row_dir(void *ctx, const tfs_row *r)
{
	struct listing *l = ctx;

	return add_ino(l, r->name, INO(C_DIR, l->inst, r->id));
}

static int typedirs_readdir(struct listing *l, uint64_t ino)
{
	tfs_inst *in = owner(l->t, ino);
	int64_t b = INO_B(ino);
	const char *const *types;
	size_t i;
	int error;

	if (!in)
		return TFS_ENOTFOUND;
	l->inst = INO_A(ino);
	if (user_dirs(b))
		return tfs_inst_dir_list(in, typedir_kind(b), row_dir, l);
	types = b == I_METADATA ? tfs_metadata_types : tfs_settings_types;
	for (i = 0; types[i]; i++)
		if ((error = add_child(l, types[i])))
			return error;
	return 0;
}

static int typedirs_mkdir(tfs_tree *t, uint64_t parent, const char *name,
			  const char *user)
{
	tfs_inst *in = owner(t, parent);
	int64_t dir;

	if (!in || !user_dirs(INO_B(parent)))
		return tfs_error_set(TFS_EACCESS, "directories cannot be "
						  "created here");
	return tfs_inst_dir_create(&dir, in, typedir_kind(INO_B(parent)), name);
}

static int typedirs_rmdir(tfs_tree *t, uint64_t parent, const tfs_attr *a,
			  const char *name, const char *user)
{
	tfs_inst *in = owner(t, parent);

	if (!in || !user_dirs(INO_B(parent)) || INO_CLASS(a->ino) != C_DIR)
		return 1;
	return tfs_inst_dir_remove(in, INO_B(a->ino));
}

const struct node_ops typedirs_ops = {
	.lookup = typedirs_lookup,
	.getattr = inst_dir_getattr,
	.readdir = typedirs_readdir,
	.mkdir = typedirs_mkdir,
	.rmdir = typedirs_rmdir,
	.per_instance = true,
};

/* ---- object directories ------------------------------------------------------------ */

static int objdir_lookup(tfs_attr *out, tfs_tree *t, uint64_t parent,
			 const char *name)
{
	char base[256], type[256];
	tfs_obj_info info;
	tfs_kind kind;
	tfs_inst *in;
	int64_t dir;
	int error;

	if ((error = tree_object_dir(&in, &dir, &kind, type, t, parent)) < 0)
		return error;
	if (!object_file_name(base, name) ||
	    tfs_inst_obj_find(&info, in, dir, base) < 0)
		return TFS_ENOTFOUND;
	return tree_getattr(out, t, INO(C_OBJ, tfs_inst_id(in), info.id));
}

static int objdir_getattr(tfs_attr *out, tfs_tree *t, uint64_t ino)
{
	tfs_inst *in = owner(t, ino);
	char type[256];
	tfs_kind kind;
	int error;

	if (INO_CLASS(ino) == C_INST) /* validation/ */
		return inst_dir_getattr(out, t, ino);
	if (!in)
		return TFS_ENOTFOUND;
	if ((error = tfs_inst_dir_get(in, INO_B(ino), &kind, type)) < 0)
		return error;
	dir_attr(out, ino, tfs_inst_mtime(in), false);
	return 0;
}

/* Objects: attributes straight from the row, no per-object query. */
static int row_object(void *ctx, const tfs_row *r)
{
	struct listing *l = ctx;
	char name[300];
	tfs_attr a;

	snprintf(name, sizeof(name), "%s.xml", r->name);
	if (l->nhidden && listing_hides(l, name))
		return 0;
	file_attr(&a, INO(C_OBJ, l->inst, r->id), 0644, (uint64_t)r->size,
		  r->mtime, true);
	return add_entry(l, name, &a);
}

static int objdir_readdir(struct listing *l, uint64_t ino)
{
	char type[256];
	tfs_kind kind;
	tfs_inst *in;
	int64_t dir;
	int error;

	if ((error = tree_object_dir(&in, &dir, &kind, type, l->t, ino)) < 0)
		return error;
	l->inst = tfs_inst_id(in);
	return tfs_inst_obj_list(in, dir, row_object, l);
}

static void objdir_target(struct target *tg, tfs_tree *t, uint64_t parent,
			  const char *name)
{
	tfs_obj_info info;
	int64_t dir;

	if (tree_object_dir(&tg->in, &dir, &tg->okind, tg->type, t, parent) < 0)
		return;
	if (object_file_name(tg->name, name)) {
		if (tfs_inst_obj_find(&info, tg->in, dir, tg->name) == 0) {
			tg->kind = TG_STORED;
			tg->ino = INO(C_OBJ, tfs_inst_id(tg->in), info.id);
		} else {
			tg->kind = TG_NEW;
		}
		return;
	}
	if (has_suffix(name, ".xml") && name[0] != '.') {
		tg->error = tfs_error_set(TFS_EINVALID,
					  "invalid object name "
					  "'%s': letters, digits, . _ - # "
					  "only",
					  name);
		return;
	}
	if (in_locked_dir(tg->in, tg->okind, tg->type)) {
		tg->error = tfs_error_set(TFS_ELOCKED, "metadata is locked");
		return;
	}
	tg->kind = TG_SCRATCH;
}

static int objdir_unlink(tfs_tree *t, uint64_t parent, const tfs_attr *a,
			 const char *name, const char *user)
{
	tfs_inst *in = owner(t, a->ino);

	if (INO_CLASS(a->ino) != C_OBJ)
		return 1;
	return in ? tfs_inst_delete(in, user, INO_B(a->ino)) : TFS_ENOTFOUND;
}

const struct node_ops objdir_ops = {
	.lookup = objdir_lookup,
	.getattr = objdir_getattr,
	.readdir = objdir_readdir,
	.target = objdir_target,
	.unlink = objdir_unlink,
	.per_instance = true,
};

/* ---- object files --------------------------------------------------------------------- */

static int object_getattr(tfs_attr *out, tfs_tree *t, uint64_t ino)
{
	tfs_inst *in = owner(t, ino);
	tfs_obj_info info;
	int error;

	if (!in)
		return TFS_ENOTFOUND;
	if ((error = tfs_inst_obj_get(&info, in, INO_B(ino))) < 0)
		return error;
	file_attr(out, ino, 0644, (uint64_t)info.size, info.mtime, true);
	return 0;
}

static int object_content(tfs_buf *out, tfs_tree *t, uint64_t ino, bool *direct)
{
	tfs_inst *in = owner(t, ino);

	if (!in)
		return TFS_ENOTFOUND;
	*direct = false;
	return tfs_inst_obj_read(out, in, INO_B(ino));
}

static int object_may_write(tfs_tree *t, uint64_t ino)
{
	tfs_inst *in = owner(t, ino);
	tfs_obj_info info;
	int error;

	if (!in)
		return TFS_ENOTFOUND;
	if ((error = tfs_inst_obj_get(&info, in, INO_B(ino))) < 0)
		return error;
	if (in_locked_dir(in, info.kind, info.type))
		return tfs_error_set(TFS_ELOCKED,
				     "metadata of %s/%s is "
				     "locked",
				     tfs_inst_tenant(in), tfs_inst_name(in));
	return 0;
}

/* Saved by name: an object deleted since the file was opened is created
 * again (the engine serializes the two). */
static int object_store(tfs_tree *t, uint64_t ino, const char *user,
			const char *bytes, size_t len)
{
	tfs_inst *in = owner(t, ino);
	tfs_obj_info info;
	int error;

	if (!in)
		return TFS_ENOTFOUND;
	if ((error = tfs_inst_obj_get(&info, in, INO_B(ino))) < 0)
		return error;
	return tfs_inst_save(NULL, in, user, info.kind, info.type, info.name,
			     bytes, len);
}

/* An object gone since the file was opened: no path, no rejection to
 * record (the save failed for want of an object, not for its bytes). */
static void object_describe(char *out, size_t size, tfs_tree *t, uint64_t ino)
{
	tfs_inst *in = owner(t, ino);
	tfs_obj_info info;

	if (in && tfs_inst_obj_get(&info, in, INO_B(ino)) == 0)
		obj_path(out, size, info.kind, info.type, info.name);
	else
		snprintf(out, size, "%s", "");
}

const struct node_ops object_ops = {
	.getattr = object_getattr,
	.content = object_content,
	.may_write = object_may_write,
	.store = object_store,
	.describe = object_describe,
	.per_instance = true,
};
