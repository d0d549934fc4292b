/*
 * Packs made durable and named, for both writers of packs: the commit
 * packs of history_write.c (store_pack) and the blob batches of
 * history_blobs.c.  A pack's bytes go through libgit2's indexer, which
 * checks them, writes the pack and its version 2 index; then the files
 * are fdatasynced, the pack gets a .keep (hist_keep_make), and both are
 * renamed into objects/pack, the pack before its index: libgit2 finds a
 * pack by its index, so a pack is wholly visible or not at all, and never
 * torn after a power loss.
 *
 * The indexer writes into a temporary directory of its own below
 * objects/pack (tfs-tmp-*, which hist_keeps_clean removes after a crash),
 * not into objects/pack itself: it cannot be asked to fsync but through
 * the process-wide GIT_OPT_ENABLE_FSYNC_GITDIR (see init_libgit2), and
 * where it writes straight into objects/pack (which is what
 * git_odb_write_pack's writepack does, on the odb's pack directory) it
 * names the files before they are durable.
 *
 * Indexing and settling are two steps so that a writer can overlap them:
 * hist_pack_index starts the writeback of the new files, and
 * hist_pack_settle, called later for a set of packs, syncs them all at
 * once and names them.  Neither takes a lock: they touch nothing libgit2
 * holds but the pack directory, whose new names a handle finds when it
 * next misses an object or refreshes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "history_int.h"
#include "tenantfs/error.h"

static const char *const ext[2] = { "pack", "idx" };

/* Remove what is left in p's temporary directory, and the directory. */
static void clear_dir(const char *dir)
{
	char path[4400];
	struct dirent *e;
	DIR *d;

	if (!(d = opendir(dir)))
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

void hist_pack_drop(struct hist_pack *p)
{
	int k;

	for (k = 0; k < 2; k++) {
		if (p->fd[k] >= 0)
			close(p->fd[k]);
		p->fd[k] = -1;
	}
	if (p->dir[0])
		clear_dir(p->dir);
	p->dir[0] = '\0';
}

int hist_pack_tmpdir(struct hist_pack *p, tfs_history *h)
{
	p->fd[0] = p->fd[1] = -1;
	p->name[0] = '\0';
	snprintf(p->dir, sizeof(p->dir), "%s/pack/tfs-tmp-XXXXXX", h->objects);
	if (!mkdtemp(p->dir)) {
		int error = tfs_error_set(hist_errno(), "git: mkdtemp %s: %s",
					  p->dir, strerror(errno));

		p->dir[0] = '\0';
		return error;
	}
	return 0;
}

void hist_pack_path(char *out, size_t size, const struct hist_pack *p,
		    int which)
{
	snprintf(out, size, "%s/pack-%s.%s", p->dir, p->name, ext[which]);
}

int hist_pack_opened(struct hist_pack *p, tfs_history *h)
{
	char path[4400];
	int k;

	for (k = 0; k < 2; k++) {
		if (p->fd[k] >= 0)
			continue;
		hist_pack_path(path, sizeof(path), p, k);
		if ((p->fd[k] = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			return tfs_error_set(hist_errno(), "git: open %s: %s",
					     path, strerror(errno));
	}
	if (atomic_load(&h->fsync))
		for (k = 0; k < 2; k++)
			sync_file_range(p->fd[k], 0, 0, SYNC_FILE_RANGE_WRITE);
	return 0;
}

int hist_pack_index(struct hist_pack *p, tfs_history *h,
		    const struct hist_piece *parts, size_t n)
{
	git_indexer_options opts = GIT_INDEXER_OPTIONS_INIT;
	git_indexer_progress stats = { 0 };
	git_indexer *idx = NULL;
	size_t i;
	int error;

	if ((error = hist_pack_tmpdir(p, h)) < 0)
		return error;
	if (git_indexer_new(&idx, p->dir, 0, NULL, &opts) < 0) {
		error = hist_git_fail("index pack");
		goto done;
	}
	for (i = 0; i < n; i++) {
		if (parts[i].len &&
		    git_indexer_append(idx, parts[i].data, parts[i].len,
				       &stats) < 0) {
			error = hist_git_fail("index pack");
			goto done;
		}
	}
	if (git_indexer_commit(idx, &stats) < 0) {
		error = hist_git_fail("index pack");
		goto done;
	}
	snprintf(p->name, sizeof(p->name), "%s", git_indexer_name(idx));
	error = hist_pack_opened(p, h);
done:
	/* Freed first: an uncommitted indexer removes its own file. */
	git_indexer_free(idx);
	if (error < 0)
		hist_pack_drop(p);
	return error;
}

int hist_pack_settle(tfs_history *h, struct hist_pack *p, size_t n,
		     char ***keeps, size_t *nkeeps, struct hist_dirs *dirs)
{
	char from[4400], to[4400];
	int *fds = NULL, error = 0, k;
	size_t i, done = 0;

	if (n == 0)
		return 0;
	if (!(fds = malloc(2 * n * sizeof(*fds)))) {
		error = tfs_error_set(TFS_ERROR, "out of memory");
		goto done;
	}
	for (i = 0; i < n; i++)
		for (k = 0; k < 2; k++)
			fds[2 * i + k] = p[i].fd[k];
	if ((error = hist_sync_fds(h, fds, 2 * n)) < 0)
		goto done;
	for (; done < n; done++) {
		snprintf(to, sizeof(to), "%s/pack/pack-%s.pack", h->objects,
			 p[done].name);
		if ((error = hist_keep_make(keeps, nkeeps, to)) < 0)
			goto done;
		for (k = 0; k < 2; k++) {
			hist_pack_path(from, sizeof(from), &p[done], k);
			snprintf(to, sizeof(to), "%s/pack/pack-%s.%s",
				 h->objects, p[done].name, ext[k]);
			if (rename(from, to) < 0) {
				error = tfs_error_set(hist_errno(),
						      "git: rename %s: %s",
						      from, strerror(errno));
				/* no pack is left named without its index,
				 * which nothing would ever remove */
				if (k == 1) {
					snprintf(to, sizeof(to),
						 "%s/pack/pack-%s.pack",
						 h->objects, p[done].name);
					unlink(to);
				}
				goto done;
			}
		}
		hist_pack_drop(&p[done]); /* closes, removes the directory */
	}
	snprintf(to, sizeof(to), "%s/pack", h->objects);
	error = hist_dirs_note(dirs, h, to);
done:
	/* The packs not named; their .keeps are on the caller's list,
	 * dropped with them. */
	for (i = done; i < n; i++)
		hist_pack_drop(&p[i]);
	free(fds);
	return error;
}
