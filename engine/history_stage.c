/*
 * The staging directory and the .keep files of packs no ref names yet
 * (part of history.c; see history_int.h).
 *
 * New loose objects are written into objects/tfs-stage/ first, where the
 * writer handle's object database reads them too (hist_stage_backend).
 * When the commit is written, hist_stage_settle() makes them durable at
 * once and only then links them into objects/: a name git finds never
 * holds a torn object.  The staged link stays until the branch has moved
 * and PENDING_HOLD has passed (history.c), so that what a concurrent
 * `git prune` removes in that window can be linked back
 * (hist_stage_restore).  At open, whole objects a crash left staged are
 * linked back where they are missing (hist_stage_open).
 *
 * Packs get a .keep before they are named (hist_keep_make), so that a
 * repack leaves them alone until a ref reaches their objects.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <git2/sys/odb_backend.h>
#include <zlib.h>

#include "history_int.h"
#include "tenantfs/error.h"

int hist_stage_note(struct hist_stage *st, const git_oid *id)
{
	size_t want;
	git_oid *ids;

	if (st->n == st->cap) {
		want = st->cap ? st->cap * 2 : 64;
		if (!(ids = realloc(st->ids, want * sizeof(*ids))))
			return tfs_error_set(TFS_ERROR, "out of memory");
		st->ids = ids;
		st->cap = want;
	}
	st->ids[st->n++] = *id;
	return 0;
}

static int cmp_oid(const void *a, const void *b)
{
	return git_oid_cmp(a, b);
}

/* Sort the noted ids and drop repeats (an object staged twice). */
static void unique_ids(struct hist_stage *st)
{
	size_t i, k = 0;

	if (st->n < 2)
		return; /* (qsort of no ids: a NULL array) */
	qsort(st->ids, st->n, sizeof(*st->ids), cmp_oid);
	for (i = 0; i < st->n; i++)
		if (k == 0 || !git_oid_equal(&st->ids[k - 1], &st->ids[i]))
			st->ids[k++] = st->ids[i];
	st->n = k;
}

int hist_stage_settle(struct hist_stage *st, tfs_history *h,
		      const char *objects)
{
	char from[4200], to[4200];
	unsigned char seen[256] = { 0 };
	int *fds = NULL, dfd[257];
	size_t i, k = 0, nd = 0, dirlen;
	bool made = false, on = atomic_load(&h->fsync);
	int error = 0;

	unique_ids(st);
	if (on && st->n && !(fds = malloc(st->n * sizeof(*fds)))) {
		error = tfs_error_set(TFS_ERROR, "out of memory");
		goto done;
	}
	for (i = 0; on && i < st->n; i++, k++) {
		if ((error = hist_object_path(from, sizeof(from), &dirlen,
					      st->dir, &st->ids[i])) < 0)
			goto done;
		if ((fds[k] = open(from, O_RDONLY | O_CLOEXEC)) < 0) {
			error = tfs_error_set(hist_errno(), "git: open %s: %s",
					      from, strerror(errno));
			goto done;
		}
	}
	if ((error = hist_sync_fds(h, fds, k)) < 0)
		goto done;
	for (i = 0; i < st->n; i++) {
		if ((error = hist_object_path(from, sizeof(from), &dirlen,
					      st->dir, &st->ids[i])) < 0 ||
		    (error = hist_object_path(to, sizeof(to), &dirlen, objects,
					      &st->ids[i])) < 0)
			goto done;
		to[dirlen] = '\0';
		if (mkdir(to, 0755) == 0) {
			made = true;
		} else if (errno != EEXIST) {
			error = tfs_error_set(hist_errno(), "git: mkdir %s: %s",
					      to, strerror(errno));
			goto done;
		}
		to[dirlen] = '/';
		/* A link, not a rename: the staged name stays until a ref
		 * names the commit (struct hist_pending).  EEXIST: git or an
		 * earlier commit has the same object. */
		if (link(from, to) < 0 && errno != EEXIST) {
			error = tfs_error_set(hist_errno(), "git: link %s: %s",
					      from, strerror(errno));
			goto done;
		}
		seen[st->ids[i].id[0]] = 1;
	}
	/* The directories that got names, each once, all at once. */
	for (i = 0; on && i < 257; i++) {
		if (i < 256 && !seen[i])
			continue;
		if (i == 256 && !made)
			break;
		if (i < 256)
			snprintf(to, sizeof(to), "%s/%02zx", objects, i);
		else
			snprintf(to, sizeof(to), "%s", objects);
		if ((dfd[nd] = open(to, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) <
		    0) {
			error = tfs_error_set(hist_errno(), "git: open %s: %s",
					      to, strerror(errno));
			goto done;
		}
		nd++;
	}
	error = hist_fsync_fds(h, dfd, nd);
done:
	while (k > 0)
		close(fds[--k]);
	while (nd > 0)
		close(dfd[--nd]);
	free(fds);
	if (error < 0)
		hist_stage_drop(st);
	return error;
}

int hist_stage_restore(struct hist_stage *st, const char *objects,
		       const git_oid *ids, size_t n)
{
	char from[4200], to[4200];
	size_t i, dirlen, fromlen;
	struct stat sb;
	int made = 0;

	for (i = 0; i < n; i++) {
		if (hist_object_path(to, sizeof(to), &dirlen, objects,
				     &ids[i]) < 0 ||
		    hist_object_path(from, sizeof(from), &fromlen, st->dir,
				     &ids[i]) < 0)
			return TFS_ERROR;
		if (stat(to, &sb) == 0 || errno != ENOENT)
			continue;
		/* Gone: pruned, or packed by git and then pruned; a second
		 * copy beside a pack is harmless. */
		to[dirlen] = '\0';
		if (mkdir(to, 0755) < 0 && errno != EEXIST)
			return tfs_error_set(hist_errno(), "git: mkdir %s: %s",
					     to, strerror(errno));
		to[dirlen] = '/';
		if (link(from, to) == 0)
			made++;
		else if (errno != EEXIST && errno != ENOENT) /* ENOENT: lost */
			return tfs_error_set(hist_errno(), "git: link %s: %s",
					     from, strerror(errno));
	}
	return made;
}

void hist_stage_forget(struct hist_stage *st, const git_oid *ids, size_t n)
{
	char path[4200];
	size_t i, dirlen;

	for (i = 0; i < n; i++)
		if (hist_object_path(path, sizeof(path), &dirlen, st->dir,
				     &ids[i]) == 0)
			unlink(path);
}

/* ---- .keep files of packs no ref names yet ------------------------------- */

/* What our .keep files say, so that a user's own are never removed. */
static const char KEEP_MARK[] = "tenantfs: not yet referenced\n";

int hist_keep_make(char ***keeps, size_t *n, const char *pack)
{
	size_t len = strlen(pack);
	char **grown, *path;
	int fd, error = 0;

	if (len < 5 || strcmp(pack + len - 5, ".pack") != 0)
		return tfs_error_set(TFS_ERROR, "git: %s is not a pack", pack);
	if (!(grown = realloc(*keeps, (*n + 1) * sizeof(*grown))))
		return tfs_error_set(TFS_ERROR, "out of memory");
	*keeps = grown;
	if (!(path = strdup(pack)))
		return tfs_error_set(TFS_ERROR, "out of memory");
	memcpy(path + len - 5, ".keep", 5); /* as long as ".pack" */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, KEEP_MARK, sizeof(KEEP_MARK) - 1) !=
			      (ssize_t)(sizeof(KEEP_MARK) - 1))
		error = tfs_error_set(hist_errno(), "git: %s: %s", path,
				      strerror(errno));
	if (fd >= 0)
		close(fd);
	if (error < 0) {
		unlink(path);
		free(path);
		return error;
	}
	(*keeps)[(*n)++] = path;
	return 0;
}

void hist_keeps_drop(char **keeps, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unlink(keeps[i]);
		free(keeps[i]);
	}
	free(keeps);
}

/*
 * Temporary names in objects/ and objects/pack start with "tfs-tmp-",
 * never with "tmp_": `git prune` removes every tmp_* file and directory
 * there at once with --expire=now, under a writer's feet.  What a crash
 * left of them goes here, at open (one mount writes at a time).
 */
static void clean_tmp(const char *dir)
{
	char path[4300], file[4600];
	struct dirent *e, *f;
	DIR *d, *sub;

	if (!(d = opendir(dir)))
		return;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "tfs-tmp-", 8) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (unlink(path) == 0 || !(sub = opendir(path)))
			continue;
		while ((f = readdir(sub)) != NULL) {
			if (f->d_name[0] == '.')
				continue;
			snprintf(file, sizeof(file), "%s/%s", path, f->d_name);
			unlink(file);
		}
		closedir(sub);
		rmdir(path);
	}
	closedir(d);
}

void hist_keeps_clean(const char *objects)
{
	char path[4300], text[sizeof(KEEP_MARK)];
	struct dirent *e;
	size_t len;
	ssize_t got;
	DIR *d;
	int fd;

	clean_tmp(objects);
	snprintf(path, sizeof(path), "%s/pack", objects);
	clean_tmp(path);
	if (!(d = opendir(path)))
		return;
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 5, ".keep") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/pack/%s", objects, e->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		got = read(fd, text, sizeof(text));
		close(fd);
		if (got == (ssize_t)sizeof(KEEP_MARK) - 1 &&
		    memcmp(text, KEEP_MARK, sizeof(KEEP_MARK) - 1) == 0)
			unlink(path);
	}
	closedir(d);
}

void hist_stage_drop(struct hist_stage *st)
{
	char path[4200];
	size_t i, dirlen;

	for (i = 0; i < st->n; i++)
		if (hist_object_path(path, sizeof(path), &dirlen, st->dir,
				     &st->ids[i]) == 0)
			unlink(path);
	st->n = 0;
}

/* Whether loose object file `file` inflates whole to an object whose id
 * is `hex` (a crash may have torn what was never settled). */
static bool staged_whole(const char *file, const char *hex)
{
	unsigned char in[16384], out[16384], id[20];
	char got[41];
	z_stream z = { 0 };
	hist_sha1 sha;
	ssize_t n;
	int fd, rc = Z_OK;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	if (inflateInit(&z) != Z_OK || hist_sha1_init(&sha) < 0) {
		close(fd);
		return false;
	}
	while (rc != Z_STREAM_END && (n = read(fd, in, sizeof(in))) > 0) {
		z.next_in = in;
		z.avail_in = (uInt)n;
		do {
			z.next_out = out;
			z.avail_out = sizeof(out);
			rc = inflate(&z, Z_NO_FLUSH);
			if (rc != Z_OK && rc != Z_STREAM_END)
				break;
			hist_sha1_update(&sha, out, sizeof(out) - z.avail_out);
		} while (z.avail_in > 0 && rc == Z_OK);
		if (rc != Z_OK && rc != Z_STREAM_END)
			break;
	}
	close(fd);
	inflateEnd(&z);
	if (hist_sha1_final(&sha, id) < 0 || rc != Z_STREAM_END)
		return false;
	for (n = 0; n < 20; n++)
		snprintf(got + 2 * n, 3, "%02x", id[n]);
	return strcmp(got, hex) == 0;
}

/* Link staged file `file` (object dir/name) into `objects` if missing and
 * whole. */
static void restore_one(const char *objects, const char *dir, const char *name,
			const char *file)
{
	char to[4300], hex[48];
	struct stat sb;

	if (strlen(dir) != 2 || strlen(name) != 38)
		return;
	snprintf(to, sizeof(to), "%s/%s/%s", objects, dir, name);
	snprintf(hex, sizeof(hex), "%s%s", dir, name);
	if (stat(to, &sb) == 0 || !staged_whole(file, hex))
		return;
	snprintf(to, sizeof(to), "%s/%s", objects, dir);
	if (mkdir(to, 0755) < 0 && errno != EEXIST)
		return;
	snprintf(to, sizeof(to), "%s/%s/%s", objects, dir, name);
	if (link(file, to) < 0 && errno != EEXIST)
		fprintf(stderr, "tenantfs: git: link %s: %s\n", file,
			strerror(errno));
}

int hist_stage_open(struct hist_stage *st, const char *objects)
{
	size_t len = strlen(objects) + sizeof("/tfs-stage");
	char path[4300];
	struct dirent *e;
	DIR *top, *sub;

	memset(st, 0, sizeof(*st));
	if (!(st->dir = malloc(len)))
		return tfs_error_set(TFS_ERROR, "out of memory");
	snprintf(st->dir, len, "%s/tfs-stage", objects);
	if (mkdir(st->dir, 0755) < 0 && errno != EEXIST)
		return tfs_error_set(hist_errno(), "git: mkdir %s: %s", st->dir,
				     strerror(errno));
	/* What a crash left staged: either never named (garbage git will
	 * collect) or named by a commit whose branch moved but which git
	 * maintenance may have removed since: linked again where missing,
	 * then dropped. */
	if (!(top = opendir(st->dir)))
		return tfs_error_set(hist_errno(), "git: %s: %s", st->dir,
				     strerror(errno));
	while ((e = readdir(top)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", st->dir, e->d_name);
		if (!(sub = opendir(path))) {
			unlink(path);
			continue;
		}
		{
			struct dirent *f;
			char file[4600];

			while ((f = readdir(sub)) != NULL) {
				if (f->d_name[0] == '.')
					continue;
				snprintf(file, sizeof(file), "%s/%s", path,
					 f->d_name);
				restore_one(objects, e->d_name, f->d_name,
					    file);
				unlink(file);
			}
		}
		closedir(sub);
	}
	closedir(top);
	return 0;
}

void hist_stage_close(struct hist_stage *st)
{
	free(st->dir);
	free(st->ids);
	memset(st, 0, sizeof(*st));
}

/*
 * The backend staged objects are written through: libgit2's loose backend
 * on the staging directory (libgit2 still deflates and writes each object;
 * only where it lands changes), noting each id it writes.
 */
struct stage_backend {
	git_odb_backend parent;
	git_odb_backend *loose;
	struct hist_stage *st;
};

static int sb_read(void **data, size_t *len, git_object_t *type,
		   git_odb_backend *b, const git_oid *id)
{
	git_odb_backend *l = ((struct stage_backend *)b)->loose;

	return l->read(data, len, type, l, id);
}

static int sb_read_header(size_t *len, git_object_t *type, git_odb_backend *b,
			  const git_oid *id)
{
	git_odb_backend *l = ((struct stage_backend *)b)->loose;

	return l->read_header(len, type, l, id);
}

static int sb_exists(git_odb_backend *b, const git_oid *id)
{
	git_odb_backend *l = ((struct stage_backend *)b)->loose;

	return l->exists(l, id);
}

static int sb_write(git_odb_backend *b, const git_oid *id, const void *data,
		    size_t len, git_object_t type)
{
	struct stage_backend *s = (struct stage_backend *)b;

	if (s->loose->write(s->loose, id, data, len, type) < 0)
		return -1;
	if (hist_stage_note(s->st, id) < 0) {
		git_error_set_str(GIT_ERROR_NOMEMORY, "out of memory");
		return -1;
	}
	return 0;
}

static void sb_free(git_odb_backend *b)
{
	struct stage_backend *s = (struct stage_backend *)b;

	s->loose->free(s->loose);
	free(s);
}

int hist_stage_backend(git_odb_backend **out, struct hist_stage *st)
{
	struct stage_backend *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s)
		return tfs_error_set(TFS_ERROR, "out of memory");
	if (git_odb_init_backend(&s->parent, GIT_ODB_BACKEND_VERSION) < 0 ||
	    git_odb_backend_loose(&s->loose, st->dir, -1, 0, 0, 0) < 0) {
		free(s);
		return hist_git_fail("open staging directory");
	}
	s->parent.read = sb_read;
	s->parent.read_header = sb_read_header;
	s->parent.exists = sb_exists;
	s->parent.write = sb_write;
	s->parent.free = sb_free;
	s->st = st;
	*out = &s->parent;
	return 0;
}
