/*
 * An instance's database replaced whole: copy-to-replace and restore
 * (push_replace.c).
 *
 * Copying a million records into the instance's own database, in place,
 * costs the old content's removal, the new content written twice (the
 * write-ahead log, then the checkpoint) and every index updated row by
 * row: 5.4 times SQLite's backup of the same database.  Instead the new
 * database is built beside the old one (the "aside": SQLite's backup of
 * the source, then the instance's own tables copied in), synced, and
 * made the instance's with one rename.  Readers go on meanwhile, on the
 * old file, and see the new one from their next request.
 *
 * The layout: STORE/instances/<tenant>/<name>.db is the database itself
 * (as created) or a symbolic link to the current one,
 * <name>.db.<generation>, in the same directory.  SQLite follows the
 * link, so the write-ahead log and shared memory are named after the
 * file itself: the old file's and the new one's never meet, whoever still
 * has the old one open.  The rename of a new link over the path is the
 * commit point; a crash before it leaves an aside that the next open
 * removes (inst_file_tidy), a crash after it the new database.
 *
 * After the rename the instance's writer connection is replaced by one to
 * the new file (opened before the rename: it cannot fail after the
 * commit), its readers' pool is renewed (db_pool_renew) and the
 * checkpoint thread reopens its own connection.  The old file is
 * unlinked: those still reading it keep it until they close.  Its log and
 * shared memory keep their names until the next replacement or open
 * tidies them: a connection opened just before the rename may not have
 * read them yet.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "tenantfs/error.h"

static const char *const companions[] = { "-wal", "-shm", "-journal" };
#define NCOMPANIONS (sizeof(companions) / sizeof(companions[0]))

static int fail_errno(const char *what, const char *path)
{
	return tfs_error_set(errno == ENOSPC ? TFS_ENOSPC : TFS_ERROR,
			     "%s %s: %s", what, path, strerror(errno));
}

static const char *base_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* The directory part of `path` into `out`. */
static int dir_of(char *out, size_t size, const char *path)
{
	const char *s = strrchr(path, '/');
	size_t n = s ? (size_t)(s - path) : 1;

	if (n + 1 > size)
		return tfs_error_set(TFS_ERROR, "path too long");
	memcpy(out, s ? path : ".", n);
	out[n] = '\0';
	return 0;
}

int inst_file_real(char *out, size_t size, const char *path)
{
	char target[NAME_MAX + 1], dir[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	int error;

	if (n < 0) {
		if ((size_t)snprintf(out, size, "%s", path) >= size)
			return tfs_error_set(TFS_ERROR, "path too long");
		return 0;
	}
	target[n] = '\0';
	if (strchr(target, '/'))
		return tfs_error_set(TFS_ERROR,
				     "%s: links outside its "
				     "directory",
				     path);
	if ((error = dir_of(dir, sizeof(dir), path)) < 0)
		return error;
	if ((size_t)snprintf(out, size, "%s/%s", dir, target) >= size)
		return tfs_error_set(TFS_ERROR, "path too long");
	return 1;
}

int path_sync(const char *path, bool dir)
{
	int fd = open(path, (dir ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
	int error = 0;

	if (fd < 0 || fsync(fd) < 0)
		error = fail_errno("sync", path);
	if (fd >= 0)
		close(fd);
	return error;
}

static int sync_dir(const char *path)
{
	char dir[PATH_MAX];
	int error = dir_of(dir, sizeof(dir), path);

	return error ? error : path_sync(dir, true);
}

int inst_file_aside(char *out, size_t size, const char *path)
{
	struct timespec ts;
	unsigned k;

	clock_gettime(CLOCK_REALTIME, &ts);
	for (k = 0; k < 100; k++) {
		if ((size_t)snprintf(out, size, "%s.%lld%09ld%02u", path,
				     (long long)ts.tv_sec, ts.tv_nsec,
				     k) >= size)
			return tfs_error_set(TFS_ERROR, "path too long");
		if (access(out, F_OK) < 0 && errno == ENOENT)
			return 0;
	}
	return tfs_error_set(TFS_ERROR,
			     "%s: no free name for a new "
			     "database",
			     path);
}

/* Unlink `path` and its companions. */
static void unlink_db(const char *path)
{
	char p[PATH_MAX];
	size_t i;

	unlink(path);
	for (i = 0; i < NCOMPANIONS; i++)
		if ((size_t)snprintf(p, sizeof(p), "%s%s", path,
				     companions[i]) < sizeof(p))
			unlink(p);
}

void inst_file_drop_aside(const char *aside)
{
	unlink_db(aside);
}

void inst_file_remove(const char *path)
{
	char real[PATH_MAX];

	if (inst_file_real(real, sizeof(real), path) == 1)
		unlink_db(real);
	else
		tfs_error_clear();
	unlink_db(path);
	inst_file_tidy(path);
}

/* Whether directory entry `name` is one of database `base`'s
 * generations or their companions ("<base>.<digits>[-wal|...]") or a
 * link being made ("<base>.link"). */
static bool generation_file(const char *name, const char *base)
{
	size_t n = strlen(base);
	const char *s;

	if (strncmp(name, base, n) != 0 || name[n] != '.')
		return false;
	s = name + n + 1;
	if (strcmp(s, "link") == 0)
		return true;
	if (!(*s >= '0' && *s <= '9'))
		return false;
	while (*s >= '0' && *s <= '9')
		s++;
	return *s == '\0' || *s == '-';
}

void inst_file_tidy(const char *path)
{
	char dir[PATH_MAX], real[PATH_MAX], p[PATH_MAX];
	const char *base = base_of(path), *cur = NULL;
	struct dirent *e;
	size_t i, n = 0;
	DIR *d;

	if (dir_of(dir, sizeof(dir), path) < 0 ||
	    inst_file_real(real, sizeof(real), path) < 0) {
		tfs_error_clear();
		return;
	}
	if (strcmp(real, path) != 0) {
		cur = base_of(real);
		n = strlen(cur);
		/* the log and shared memory of the file it replaced */
		for (i = 0; i < NCOMPANIONS; i++)
			if ((size_t)snprintf(p, sizeof(p), "%s%s", path,
					     companions[i]) < sizeof(p))
				unlink(p);
	}
	if (!(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		if (!generation_file(e->d_name, base) ||
		    (cur && strncmp(e->d_name, cur, n) == 0 &&
		     (e->d_name[n] == '\0' || e->d_name[n] == '-')))
			continue;
		if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, e->d_name) <
		    sizeof(p))
			unlink(p);
	}
	closedir(d);
}

int inst_file_swap(tfs_inst *in, const char *aside)
{
	const char *path = in->pool.path;
	char link[PATH_MAX], old[PATH_MAX];
	db_conn fresh;
	int was_link, error;

	if ((was_link = inst_file_real(old, sizeof(old), path)) < 0)
		return was_link;
	if ((size_t)snprintf(link, sizeof(link), "%s.link", path) >=
	    sizeof(link))
		return tfs_error_set(TFS_ERROR, "path too long");
	if ((error = db_open(&fresh, aside, false)) < 0)
		return error;
	unlink(link);
	if (symlink(base_of(aside), link) < 0 || rename(link, path) < 0) {
		error = fail_errno("replace", path);
		unlink(link);
		db_close(&fresh);
		return error;
	}
	/* Committed.  Made durable now; should the directory's sync fail,
	 * a power loss may still find the old database, whole. */
	if (sync_dir(path) < 0) {
		fprintf(stderr, "tenantfs: %s\n", tfs_error_last());
		tfs_error_clear();
	}
	sqlite3_db_config(in->db.db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	db_close(&in->db);
	in->db = fresh;
	if (in->st->ckpt)
		ckpt_renew(in->st->ckpt, &in->db, path);
	db_pool_renew(&in->pool);
	if (was_link)
		unlink(old);
	return 0;
}
