/*
 * Reading history: paths, files, directory listings and diffs of commits,
 * each through a reader of the handle's pool (history.h, "Threads").
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>

#include "history_int.h"
#include "tenantfs/error.h"
#include "tenantfs/history.h"

/*
 * Find `path` ("" or NULL: the root) in commit `hex`.  On success exactly
 * one of *dir (the directory's tree) and *file (the file's entry) is set,
 * and the caller frees it.  TFS_ENOTFOUND if the commit or path is absent
 * or the path is neither a file nor a directory (a submodule).
 */
static int resolve(git_tree **dir, git_tree_entry **file, struct hist_reader *r,
		   const char *hex, const char *path)
{
	git_commit *c = NULL;
	git_tree *root = NULL;
	git_tree_entry *e = NULL;
	git_oid id;
	int error, rc;

	*dir = NULL;
	*file = NULL;
	if ((error = hist_parse_oid(&id, hex)) < 0 ||
	    (error = hist_lookup_commit(&c, r->repo, &id, hex)) < 0)
		goto done;
	if (git_commit_tree(&root, c) < 0) {
		error = hist_git_fail("read tree");
		goto done;
	}
	if (!path || !*path) {
		*dir = root;
		root = NULL;
		goto done;
	}
	rc = git_tree_entry_bypath(&e, root, path);
	if (rc == GIT_ENOTFOUND) {
		error = tfs_error_set(TFS_ENOTFOUND, "no '%s' in commit %.12s",
				      path, hex);
		goto done;
	}
	if (rc < 0) {
		error = hist_git_fail(path);
		goto done;
	}
	switch (git_tree_entry_type(e)) {
	case GIT_OBJECT_TREE:
		if (git_tree_lookup(dir, r->repo, git_tree_entry_id(e)) < 0)
			error = hist_git_fail(path);
		break;
	case GIT_OBJECT_BLOB:
		*file = e;
		e = NULL;
		break;
	default:
		error = tfs_error_set(TFS_ENOTFOUND,
				      "'%s' in commit %.12s is "
				      "not a file",
				      path, hex);
		break;
	}
done:
	git_tree_entry_free(e);
	git_tree_free(root);
	git_commit_free(c);
	return error;
}

/* The size of blob `id` without inflating all of it. */
static int blob_size(size_t *out, struct hist_reader *r, const git_oid *id)
{
	git_object_t type;

	if (git_odb_read_header(out, &type, r->odb, id) < 0)
		return hist_git_fail("read object");
	return 0;
}

/*
 * The tree of directory `path` at commit `hex`, borrowed from the handle's
 * cache of the last directories read (a file of a large directory is then
 * one lookup, not a parse of its directory's tree per file).
 */
static int dir_tree(git_tree **out, struct hist_reader *r, const char *hex,
		    const char *path)
{
	git_tree *dir = NULL;
	git_tree_entry *file = NULL;
	unsigned int i;
	git_oid id;
	char *copy;
	int error;

	*out = NULL;
	if ((error = hist_parse_oid(&id, hex)) < 0)
		return error;
	for (i = 0; i < 2; i++) {
		if (r->dirs[i].path && git_oid_equal(&r->dirs[i].commit, &id) &&
		    strcmp(r->dirs[i].path, path) == 0) {
			*out = r->dirs[i].tree;
			return 0;
		}
	}
	if ((error = resolve(&dir, &file, r, hex, path)) < 0)
		return error;
	if (!dir) {
		git_tree_entry_free(file);
		return tfs_error_set(TFS_EINVALID, "'%s' is not a directory",
				     path);
	}
	if (!(copy = strdup(path))) {
		git_tree_free(dir);
		return tfs_error_set(TFS_ERROR, "out of memory");
	}
	i = r->next_dir;
	r->next_dir = (i + 1) % 2;
	git_tree_free(r->dirs[i].tree);
	free(r->dirs[i].path);
	r->dirs[i].commit = id;
	r->dirs[i].path = copy;
	r->dirs[i].tree = dir;
	*out = dir;
	return 0;
}

int tfs_history_stat(tfs_history *h, const char *oid, const char *path,
		     int *is_dir, size_t *size)
{
	struct hist_reader *r;
	git_tree *dir = NULL;
	git_tree_entry *file = NULL;
	size_t len = 0;
	int error;

	if ((error = hist_reader_get(&r, h)) < 0)
		return error;
	if ((error = resolve(&dir, &file, r, oid, path)) < 0)
		goto done;
	if (file && (error = blob_size(&len, r, git_tree_entry_id(file))) < 0)
		goto done;
	if (is_dir)
		*is_dir = dir != NULL;
	if (size)
		*size = len;
done:
	git_tree_entry_free(file);
	git_tree_free(dir);
	hist_reader_put(r);
	return error;
}

/* Append blob `id` (the file `what`) to `out`. */
static int read_blob(tfs_buf *out, struct hist_reader *r, const git_oid *id,
		     const char *what)
{
	git_blob *blob = NULL;
	unsigned char sum[20];
	size_t len;
	int error;

	if (git_blob_lookup(&blob, r->repo, id) < 0)
		return hist_git_fail(what);
	len = (size_t)git_blob_rawsize(blob);
	error = hist_object_id(sum, "blob", git_blob_rawcontent(blob), len);
	if (error == 0 && memcmp(sum, id->id, sizeof(sum)) != 0)
		error = tfs_error_set(TFS_ERROR,
				      "git: %s: object %s is "
				      "corrupt",
				      what, git_oid_tostr_s(id));
	else if (error == 0)
		error = tfs_buf_put(out, git_blob_rawcontent(blob), len);
	git_blob_free(blob);
	return error;
}

int tfs_history_read_blob(tfs_buf *out, tfs_history *h, const char *hex,
			  const char *what)
{
	struct hist_reader *r;
	git_oid id;
	int error;

	if ((error = hist_parse_oid(&id, hex)) < 0)
		return tfs_error_set(error, "%s: '%.60s' is not a blob id",
				     what, hex ? hex : "");
	if ((error = hist_reader_get(&r, h)) < 0)
		return error;
	error = read_blob(out, r, &id, what);
	hist_reader_put(r);
	return error;
}

int tfs_history_read(tfs_buf *out, tfs_history *h, const char *oid,
		     const char *path)
{
	struct hist_reader *r;
	git_tree *dir = NULL;
	git_tree_entry *file = NULL;
	int error;

	if ((error = hist_reader_get(&r, h)) < 0)
		return error;
	if ((error = resolve(&dir, &file, r, oid, path)) < 0)
		goto done;
	if (dir) {
		error = tfs_error_set(TFS_EINVALID, "'%s' is a directory",
				      path ? path : "");
		goto done;
	}
	error = read_blob(out, r, git_tree_entry_id(file), path);
done:
	git_tree_entry_free(file);
	git_tree_free(dir);
	hist_reader_put(r);
	return error;
}

int tfs_history_find(tfs_history *h, const char *oid, const char *dir_path,
		     const char *name, size_t *index, int *is_dir, size_t *size)
{
	struct hist_reader *r;
	git_tree *dir;
	const git_tree_entry *e, *m;
	size_t lo = 0, hi, mid = 0, len = strlen(name);
	int error, isdir, c = 1;

	if ((error = hist_reader_get(&r, h)) < 0)
		return error;
	if ((error = dir_tree(&dir, r, oid, dir_path)) < 0)
		goto done;
	if (!(e = git_tree_entry_byname(dir, name)) ||
	    (git_tree_entry_type(e) != GIT_OBJECT_BLOB &&
	     git_tree_entry_type(e) != GIT_OBJECT_TREE)) {
		error = tfs_error_set(TFS_ENOTFOUND, "no '%s' in '%s'", name,
				      dir_path);
		goto done;
	}
	isdir = git_tree_entry_type(e) == GIT_OBJECT_TREE;
	/* Its position: a binary search in git's order. */
	hi = git_tree_entrycount(dir);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		m = git_tree_entry_byindex(dir, mid);
		c = hist_entry_cmp(git_tree_entry_name(m),
				   strlen(git_tree_entry_name(m)),
				   git_tree_entry_type(m) == GIT_OBJECT_TREE,
				   name, len, isdir);
		if (c == 0)
			break;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (c != 0) {
		error = tfs_error_set(TFS_ERROR,
				      "git: tree of '%s' is not "
				      "in git's order",
				      dir_path);
		goto done;
	}
	*index = mid;
	*is_dir = isdir;
	*size = 0;
	if (!isdir)
		error = blob_size(size, r, git_tree_entry_id(e));
done:
	hist_reader_put(r);
	return error;
}

/* Entry `index` of the cached tree of `dir_path` at `oid`. */
static int entry_at(const git_tree_entry **out, struct hist_reader *r,
		    const char *oid, const char *dir_path, size_t index)
{
	git_tree *dir;
	int error;

	if ((error = dir_tree(&dir, r, oid, dir_path)) < 0)
		return error;
	if (!(*out = git_tree_entry_byindex(dir, index)) ||
	    strlen(git_tree_entry_name(*out)) >= 256)
		return tfs_error_set(TFS_ENOTFOUND, "no entry %zu in '%s'",
				     index, dir_path);
	return 0;
}

int tfs_history_entry_at(tfs_history *h, const char *oid, const char *dir_path,
			 size_t index, char name[256], int *is_dir,
			 size_t *size)
{
	struct hist_reader *r;
	const git_tree_entry *e;
	int error;

	if ((error = hist_reader_get(&r, h)) < 0)
		return error;
	if ((error = entry_at(&e, r, oid, dir_path, index)) < 0)
		goto done;
	snprintf(name, 256, "%s", git_tree_entry_name(e));
	*is_dir = git_tree_entry_type(e) == GIT_OBJECT_TREE;
	*size = 0;
	if (git_tree_entry_type(e) == GIT_OBJECT_BLOB)
		error = blob_size(size, r, git_tree_entry_id(e));
done:
	hist_reader_put(r);
	return error;
}

int tfs_history_read_at(tfs_buf *out, tfs_history *h, const char *oid,
			const char *dir_path, size_t index)
{
	struct hist_reader *r;
	const git_tree_entry *e;
	int error;

	if ((error = hist_reader_get(&r, h)) < 0)
		return error;
	if ((error = entry_at(&e, r, oid, dir_path, index)) < 0)
		goto done;
	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB) {
		error = tfs_error_set(TFS_EINVALID, "'%s' is a directory",
				      git_tree_entry_name(e));
		goto done;
	}
	error = read_blob(out, r, git_tree_entry_id(e), git_tree_entry_name(e));
done:
	hist_reader_put(r);
	return error;
}

int tfs_history_list(tfs_history *h, const char *oid, const char *path,
		     tfs_history_entry_cb cb, void *ctx)
{
	return tfs_history_list_at(h, oid, path, NULL, cb, ctx);
}

int tfs_history_list_at(tfs_history *h, const char *oid, const char *path,
			tfs_history_index_cb icb, tfs_history_entry_cb cb,
			void *ctx)
{
	struct hist_reader *r;
	git_tree *dir = NULL;
	git_tree_entry *file = NULL;
	const git_tree_entry *e;
	size_t i, n, size;
	git_object_t type;
	int error;

	if ((error = hist_reader_get(&r, h)) < 0)
		return error;
	if ((error = resolve(&dir, &file, r, oid, path)) < 0)
		goto done;
	if (file) {
		error = tfs_error_set(TFS_EINVALID, "'%s' is not a directory",
				      path);
		goto done;
	}
	n = git_tree_entrycount(dir);
	for (i = 0; i < n; i++) {
		e = git_tree_entry_byindex(dir, i);
		type = git_tree_entry_type(e);
		size = 0;
		if (type == GIT_OBJECT_BLOB &&
		    (error = blob_size(&size, r, git_tree_entry_id(e))) < 0)
			goto done;
		if (type != GIT_OBJECT_BLOB && type != GIT_OBJECT_TREE)
			continue;
		error = icb ? icb(ctx, git_tree_entry_name(e),
				  type == GIT_OBJECT_TREE, size, i) :
			      cb(ctx, git_tree_entry_name(e),
				 type == GIT_OBJECT_TREE, size);
		if (error)
			goto done;
	}
done:
	git_tree_entry_free(file);
	git_tree_free(dir);
	hist_reader_put(r);
	return error;
}

/*
 * Load the blob on one side of a diff delta into *out, or leave it NULL
 * when that side has no file (added, deleted, or a submodule).
 */
static int delta_blob(git_blob **out, git_repository *repo,
		      const git_diff_file *f)
{
	*out = NULL;
	if (!(f->flags & GIT_DIFF_FLAG_EXISTS) ||
	    (f->mode != GIT_FILEMODE_BLOB &&
	     f->mode != GIT_FILEMODE_BLOB_EXECUTABLE &&
	     f->mode != GIT_FILEMODE_LINK))
		return 0;
	if (git_blob_lookup(out, repo, &f->id) < 0)
		return hist_git_fail(f->path);
	return 0;
}

int tfs_history_diff_parent(tfs_history *h, const char *oid,
			    tfs_history_diff_cb cb, void *ctx)
{
	struct hist_reader *r;
	git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
	git_commit *c = NULL, *p = NULL;
	git_tree *new_tree = NULL, *old_tree = NULL;
	git_diff *diff = NULL;
	git_blob *a = NULL, *b = NULL;
	const git_diff_delta *d;
	git_oid id;
	size_t i, n;
	int error;

	if ((error = hist_reader_get(&r, h)) < 0)
		return error;
	if ((error = hist_parse_oid(&id, oid)) < 0 ||
	    (error = hist_lookup_commit(&c, r->repo, &id, oid)) < 0)
		goto done;
	if (git_commit_tree(&new_tree, c) < 0 ||
	    (git_commit_parentcount(c) > 0 &&
	     (git_commit_parent(&p, c, 0) < 0 ||
	      git_commit_tree(&old_tree, p) < 0))) {
		error = hist_git_fail("read commit");
		goto done;
	}
	/* Only the list of changed files is wanted, no content sniffing. */
	opts.flags |= GIT_DIFF_SKIP_BINARY_CHECK;
	if (git_diff_tree_to_tree(&diff, r->repo, old_tree, new_tree, &opts) <
	    0) {
		error = hist_git_fail("diff");
		goto done;
	}
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n; i++) {
		d = git_diff_get_delta(diff, i);
		if ((error = delta_blob(&a, r->repo, &d->old_file)) < 0 ||
		    (error = delta_blob(&b, r->repo, &d->new_file)) < 0)
			goto done;
		if (a || b)
			error = cb(ctx, b ? d->new_file.path : d->old_file.path,
				   a ? git_blob_rawcontent(a) : NULL,
				   a ? (size_t)git_blob_rawsize(a) : 0,
				   b ? git_blob_rawcontent(b) : NULL,
				   b ? (size_t)git_blob_rawsize(b) : 0);
		git_blob_free(a);
		git_blob_free(b);
		a = b = NULL;
		if (error)
			goto done;
	}
done:
	git_blob_free(a);
	git_blob_free(b);
	git_diff_free(diff);
	git_tree_free(old_tree);
	git_tree_free(new_tree);
	git_commit_free(p);
	git_commit_free(c);
	hist_reader_put(r);
	return error;
}

/* The tree at directory `path` of commit `hex` ("" or a missing
 * directory: NULL, the empty tree). */
static int commit_dir_tree(git_tree **out, git_repository *repo,
			   const char *hex, const char *path)
{
	git_commit *c = NULL;
	git_tree *root = NULL;
	git_tree_entry *e = NULL;
	git_oid id;
	int error, rc;

	*out = NULL;
	if (!hex[0])
		return 0;
	if ((error = hist_parse_oid(&id, hex)) < 0 ||
	    (error = hist_lookup_commit(&c, repo, &id, hex)) < 0)
		return error;
	if (git_commit_tree(&root, c) < 0) {
		error = hist_git_fail("read commit");
		goto done;
	}
	rc = git_tree_entry_bypath(&e, root, path);
	if (rc == GIT_ENOTFOUND ||
	    (rc == 0 && git_tree_entry_type(e) != GIT_OBJECT_TREE))
		goto done;
	if (rc < 0 || git_tree_lookup(out, repo, git_tree_entry_id(e)) < 0)
		error = hist_git_fail("read tree");
done:
	git_tree_entry_free(e);
	git_tree_free(root);
	git_commit_free(c);
	return error;
}

int tfs_history_dir_diff(tfs_history *h, const char *old_oid,
			 const char *new_oid, const char *path,
			 tfs_history_name_cb cb, void *ctx)
{
	struct hist_reader *r;
	git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
	git_tree *a = NULL, *b = NULL;
	git_diff *diff = NULL;
	const git_diff_delta *d;
	size_t i, n;
	int error;

	if ((error = hist_reader_get(&r, h)) < 0)
		return error;
	if ((error = commit_dir_tree(&a, r->repo, old_oid, path)) < 0 ||
	    (error = commit_dir_tree(&b, r->repo, new_oid, path)) < 0)
		goto done;
	if ((a || b) &&
	    (!a || !b || !git_oid_equal(git_tree_id(a), git_tree_id(b)))) {
		opts.flags |= GIT_DIFF_SKIP_BINARY_CHECK;
		if (git_diff_tree_to_tree(&diff, r->repo, a, b, &opts) < 0) {
			error = hist_git_fail("diff");
			goto done;
		}
		n = git_diff_num_deltas(diff);
		for (i = 0; i < n && !error; i++) {
			d = git_diff_get_delta(diff, i);
			error = cb(ctx, d->new_file.path ? d->new_file.path :
							   d->old_file.path);
		}
	}
done:
	git_diff_free(diff);
	git_tree_free(a);
	git_tree_free(b);
	hist_reader_put(r);
	return error;
}
