/*
 * Packages: packages/ (mkdir and rmdir make and remove packages),
 * packages/<P>/ and its files (package.conf, transaction-sets, aspects,
 * sub-packages: written to change the package while it is open;
 * package.xml and impact: read-only renderings).
 *
 * Called by the dispatch in tree.c, without the tree's lock.
 */
#include <stdio.h>
#include <string.h>

#include "tree_internal.h"
#include "tenantfs/error.h"
#include "tenantfs/package.h"

/* ---- packages/ ---------------------------------------------------------------------- */

static int packages_lookup(tfs_attr *out, tfs_tree *t, uint64_t parent,
			   const char *name)
{
	tfs_inst *in = owner(t, parent);
	tfs_row row;

	if (!in)
		return TFS_ENOTFOUND;
	/* Nothing is there (so that mkdir and cp reach the refusal,
	 * which records why, rather than the kernel's lookup). */
	if (inst_check_packages(in, NULL) < 0)
		return TFS_ENOTFOUND;
	if (tfs_pkg_find(&row, in, name) < 0)
		return TFS_ENOTFOUND;
	return tree_getattr(out, t, INO(C_PKG, INO_A(parent), row.id));
}

static int row_package(void *ctx, const tfs_row *r)
{
	struct listing *l = ctx;

	return add_ino(l, r->name, INO(C_PKG, l->inst, r->id));
}

static int packages_readdir(struct listing *l, uint64_t ino)
{
	tfs_inst *in = owner(l->t, ino);
	int error;

	if (!in)
		return TFS_ENOTFOUND;
	/* With the development project disabled there are no packages
	 * (reads are refused too, without a log line: only attempts to
	 * change something are recorded). */
	if ((error = inst_check_packages(in, NULL)) < 0)
		return error;
	l->inst = INO_A(ino);
	return tfs_pkg_list(in, row_package, l);
}

static int packages_mkdir(tfs_tree *t, uint64_t parent, const char *name,
			  const char *user)
{
	tfs_inst *in = owner(t, parent);

	if (!in)
		return TFS_ENOTFOUND;
	return tfs_pkg_create(in, user, name);
}

static int packages_rmdir(tfs_tree *t, uint64_t parent, const tfs_attr *a,
			  const char *name, const char *user)
{
	tfs_inst *in = owner(t, parent);

	if (!in || INO_CLASS(a->ino) != C_PKG)
		return 1;
	return tfs_pkg_remove(in, user, INO_B(a->ino));
}

const struct node_ops packages_ops = {
	.lookup = packages_lookup,
	.getattr = inst_dir_getattr,
	.readdir = packages_readdir,
	.mkdir = packages_mkdir,
	.rmdir = packages_rmdir,
	.per_instance = true,
};

/* ---- packages/<P>/ ------------------------------------------------------------------------ */

static int package_lookup(tfs_attr *out, tfs_tree *t, uint64_t parent,
			  const char *name)
{
	int f;

	for (f = 0; f < TFS_PKG__COUNT; f++)
		if (strcmp(name, tfs_pkg_file_names[f]) == 0)
			return tree_getattr(out, t,
					    INO(C_PKGF, INO_A(parent),
						(INO_B(parent) << 4) | f));
	return TFS_ENOTFOUND;
}

static int package_getattr(tfs_attr *out, tfs_tree *t, uint64_t ino)
{
	tfs_inst *in = owner(t, ino);
	tfs_row row;
	int error;

	if (!in)
		return TFS_ENOTFOUND;
	if ((error = tfs_pkg_get(&row, in, INO_B(ino))) < 0)
		return error;
	dir_attr(out, ino, row.mtime, false);
	return 0;
}

static int package_readdir(struct listing *l, uint64_t ino)
{
	int f, error;

	for (f = 0; f < TFS_PKG__COUNT; f++)
		if ((error = add_ino(l, tfs_pkg_file_names[f],
				     INO(C_PKGF, INO_A(ino),
					 (INO_B(ino) << 4) | f))))
			return error;
	return 0;
}

const struct node_ops package_ops = {
	.lookup = package_lookup,
	.getattr = package_getattr,
	.readdir = package_readdir,
	.target = target_plain_dir,
	.per_instance = true,
};

/* ---- packages/<P>/<file> -------------------------------------------------------------------- */

static int pkgfile_getattr(tfs_attr *out, tfs_tree *t, uint64_t ino)
{
	tfs_inst *in = owner(t, ino);
	tfs_row row;
	int error;

	if (!in)
		return TFS_ENOTFOUND;
	if ((error = tfs_pkg_get(&row, in, INO_B(ino) >> 4)) < 0)
		return error;
	return text_attr(out, t, ino,
			 (INO_B(ino) & 15) < TFS_PKG_XML ? 0644 : 0444,
			 row.mtime);
}

static int pkgfile_content(tfs_buf *out, tfs_tree *t, uint64_t ino,
			   bool *direct)
{
	tfs_inst *in = owner(t, ino);

	if (!in)
		return TFS_ENOTFOUND;
	return tfs_pkg_render(out, in, INO_B(ino) >> 4,
			      (tfs_pkg_file)(INO_B(ino) & 15));
}

/* A closed package's files are read-only. */
static int pkgfile_may_write(tfs_tree *t, uint64_t ino)
{
	tfs_inst *in = owner(t, ino);
	bool closed = false;
	int error;

	if (in) {
		if ((error = tfs_pkg_closed(in, INO_B(ino) >> 4, &closed)) < 0)
			return error;
		if (closed && (INO_B(ino) & 15) < TFS_PKG_XML)
			return tfs_error_set(TFS_EACCESS, "the package is "
							  "closed");
	}
	return may_write_mode(t, ino);
}

static int pkgfile_store(tfs_tree *t, uint64_t ino, const char *user,
			 const char *bytes, size_t len)
{
	tfs_inst *in = owner(t, ino);

	if (!in)
		return TFS_ENOTFOUND;
	return tfs_pkg_update(in, user, INO_B(ino) >> 4,
			      (tfs_pkg_file)(INO_B(ino) & 15), bytes, len);
}

static void pkgfile_describe(char *out, size_t size, tfs_tree *t, uint64_t ino)
{
	tfs_inst *in = owner(t, ino);
	tfs_row row;

	if (in && tfs_pkg_get(&row, in, INO_B(ino) >> 4) == 0)
		snprintf(out, size, "packages/%s/%s", row.name,
			 tfs_pkg_file_names[INO_B(ino) & 15]);
	else
		snprintf(out, size, "landscapes/*.conf");
}

const struct node_ops pkgfile_ops = {
	.getattr = pkgfile_getattr,
	.content = pkgfile_content,
	.may_write = pkgfile_may_write,
	.store = pkgfile_store,
	.describe = pkgfile_describe,
	.per_instance = true,
};
