/*
 * Translations: an instance's translations/ (C_INST, I_TRANSLATIONS),
 * whose entries are its locales (C_LOCALE: a, the instance; b, the dirs
 * row naming the locale, see engine/translation.c), each holding one
 * object directory per metadata type (C_DIR, like metadata/Form: the
 * objects in them are node_objects.c's).
 *
 * mkdir translations/<locale> makes a locale, rmdir removes an empty one.
 * A locale appears or goes also by a save, revert or package elsewhere,
 * so its entry is never cached by the kernel (volatile).  Called by the
 * dispatch in tree.c, without the tree's lock.
 */
#include <stdio.h>
#include <string.h>

#include "tree_internal.h"
#include "tenantfs/error.h"

/* ---- translations/ ------------------------------------------------------ */

static int locales_lookup(tfs_attr *out, tfs_tree *t, uint64_t parent,
			  const char *name)
{
	tfs_inst *in = owner(t, parent);
	int64_t id;

	if (!in || !tfs_locale_valid(name) ||
	    tfs_inst_locale_find(&id, in, name) < 0)
		return TFS_ENOTFOUND;
	return tree_getattr(out, t, INO(C_LOCALE, INO_A(parent), id));
}

/* Attributes as locale_getattr gives them (the instance's time, like
 * every directory of an instance). */
static int row_locale(void *ctx, const tfs_row *r)
{
	struct listing *l = ctx;

	return add_ino(l, r->name, INO(C_LOCALE, l->inst, r->id));
}

static int locales_readdir(struct listing *l, uint64_t ino)
{
	tfs_inst *in = owner(l->t, ino);

	if (!in)
		return TFS_ENOTFOUND;
	l->inst = INO_A(ino);
	return tfs_inst_locale_list(in, row_locale, l);
}

static int locales_mkdir(tfs_tree *t, uint64_t parent, const char *name,
			 const char *user)
{
	tfs_inst *in = owner(t, parent);

	if (!in)
		return TFS_ENOTFOUND;
	return tfs_inst_locale_create(in, name);
}

static int locales_rmdir(tfs_tree *t, uint64_t parent, const tfs_attr *a,
			 const char *name, const char *user)
{
	tfs_inst *in = owner(t, parent);
	char locale[TFS_LOCALE_MAX + 1];
	int error;

	if (!in || INO_CLASS(a->ino) != C_LOCALE)
		return 1;
	if ((error = tfs_inst_locale_name(in, INO_B(a->ino), locale)) < 0)
		return error;
	return tfs_inst_locale_remove(in, locale);
}

const struct node_ops locales_ops = {
	.lookup = locales_lookup,
	.getattr = inst_dir_getattr,
	.readdir = locales_readdir,
	.mkdir = locales_mkdir,
	.rmdir = locales_rmdir,
	.per_instance = true,
};

/* ---- translations/<locale>/ --------------------------------------------- */

static int locale_getattr(tfs_attr *out, tfs_tree *t, uint64_t ino)
{
	tfs_inst *in = owner(t, ino);
	char locale[TFS_LOCALE_MAX + 1];
	int error;

	if (!in)
		return TFS_ENOTFOUND;
	if ((error = tfs_inst_locale_name(in, INO_B(ino), locale)) < 0)
		return error;
	dir_attr(out, ino, tfs_inst_mtime(in), false);
	out->volatile_entry = true;
	return 0;
}

static int locale_lookup(tfs_attr *out, tfs_tree *t, uint64_t parent,
			 const char *name)
{
	tfs_inst *in = owner(t, parent);
	char locale[TFS_LOCALE_MAX + 1], type[TFS_LOCALE_MAX + 64];
	int64_t dir;

	if (!in || !tfs_type_valid(TFS_KIND_METADATA, name) ||
	    tfs_inst_locale_name(in, INO_B(parent), locale) < 0)
		return TFS_ENOTFOUND;
	snprintf(type, sizeof(type), "%s/%s", locale, name);
	if (tfs_inst_dir_find(&dir, in, TFS_KIND_TRANSLATION, type) < 0)
		return TFS_ENOTFOUND;
	return tree_getattr(out, t, INO(C_DIR, INO_A(parent), dir));
}

static int locale_readdir(struct listing *l, uint64_t ino)
{
	size_t i;
	int error;

	if (!owner(l->t, ino))
		return TFS_ENOTFOUND;
	l->inst = INO_A(ino);
	for (i = 0; tfs_metadata_types[i]; i++)
		if ((error = add_child(l, tfs_metadata_types[i])))
			return error;
	return 0;
}

const struct node_ops locale_ops = {
	.lookup = locale_lookup,
	.getattr = locale_getattr,
	.readdir = locale_readdir,
	.per_instance = true,
};
