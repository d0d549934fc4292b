/*
 * Backups of an instance and restore (INTERFACE.md, "Backups and
 * restore").
 *
 * A backup is SQLite's online backup of the instance database, taken by
 * the instance's writer (so no change is half in it), into
 * STORE/backups/<tenant>/<instance>/<UTC time>-<what>.db, with a text
 * companion .info naming the history commit it matches.  It is written
 * under a temporary name, synced and renamed: a crash never leaves half
 * a backup under a backup's name.  Restore replaces the instance's
 * content with the backup's as one transaction and one history commit
 * (push_replace.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "push_int.h"
#include "tenantfs/error.h"

int backup_dir(char *out, size_t size, tfs_inst *in)
{
	if ((size_t)snprintf(out, size, "%s/backups/%s/%s", in->st->path,
			     in->tenant, in->name) >= size)
		return tfs_error_set(TFS_EINVALID, "path too long");
	return 0;
}

static int mkdirs(const char *path)
{
	char p[4096], *s;

	snprintf(p, sizeof(p), "%s", path);
	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return tfs_error_set(TFS_ERROR, "mkdir %s: %s", p,
					     strerror(errno));
		*s = '/';
	}
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		return tfs_error_set(TFS_ERROR, "mkdir %s: %s", p,
				     strerror(errno));
	return 0;
}

/* Copy the database of `in` (its writer) into `path`, a new file. */
static int copy_db(tfs_inst *in, const char *path)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	int rc;

	if (sqlite3_open_v2(path, &dst,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    NULL) != SQLITE_OK) {
		sqlite3_close(dst);
		return tfs_error_set(TFS_ERROR, "cannot create %s", path);
	}
	if (!(b = sqlite3_backup_init(dst, "main", inst_db(in)->db, "main"))) {
		rc = tfs_error_set(TFS_ERROR, "backup: %s",
				   sqlite3_errmsg(dst));
		sqlite3_close(dst);
		return rc;
	}
	rc = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (rc == SQLITE_DONE)
		rc = sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL,
				  NULL);
	if (rc != SQLITE_DONE && rc != SQLITE_OK) {
		int error = tfs_error_set(rc == SQLITE_FULL ? TFS_ENOSPC :
							      TFS_ERROR,
					  "backup: %s", sqlite3_errstr(rc));
		sqlite3_close(dst);
		return error;
	}
	sqlite3_close(dst);
	return 0;
}

static int write_info(tfs_inst *in, const char *path, const char *what)
{
	tfs_inst_meta m = { 0 };
	char oid[41], iso[32];
	int n = 0, fd, error;
	tfs_buf b = TFS_BUF_INIT;

	if ((error = inst_last_commit(in, &n, oid)) < 0 ||
	    (error = tfs_inst_meta_get(&m, in)) < 0)
		return error;
	tfs_time_iso(iso, tfs_now());
	if ((error = tfs_buf_printf(&b,
				    "instance: %s/%s\ntime: %s\n"
				    "reason: %s\nversion: %lld\n"
				    "commit: %d %s\n",
				    in->tenant, in->name, iso, what,
				    (long long)m.version, n,
				    n ? oid : "none")) < 0)
		return error;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0444);
	if (fd < 0 || write(fd, b.ptr, b.size) != (ssize_t)b.size ||
	    fsync(fd) < 0)
		error = tfs_error_set(errno == ENOSPC ? TFS_ENOSPC : TFS_ERROR,
				      "write %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	tfs_buf_free(&b);
	return error;
}

static int take_locked(char name[128], tfs_inst *in, const char *what)
{
	char dir[3072], tmp[4096], db[4096], info[4096], stamp[32];
	time_t now = (time_t)tfs_now();
	struct tm tm;
	struct stat sb;
	int k, error;

	if ((error = backup_dir(dir, sizeof(dir), in)) < 0 ||
	    (error = mkdirs(dir)) < 0)
		return error;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	for (k = 1;; k++) {
		if (k == 1)
			snprintf(name, 128, "%s-%s.db", stamp, what);
		else
			snprintf(name, 128, "%s-%s-%d.db", stamp, what, k);
		snprintf(db, sizeof(db), "%s/%s", dir, name);
		if (stat(db, &sb) < 0)
			break;
	}
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	snprintf(info, sizeof(info), "%.*s.info", (int)strlen(db) - 3, db);
	unlink(tmp);
	if ((error = copy_db(in, tmp)) < 0 || (error = path_sync(tmp, false)) ||
	    (error = write_info(in, info, what)) < 0)
		goto fail;
	if (rename(tmp, db) < 0) {
		error = tfs_error_set(TFS_ERROR, "rename %s: %s", db,
				      strerror(errno));
		goto fail;
	}
	return path_sync(dir, true);
fail:
	unlink(tmp);
	unlink(info);
	return error;
}

int backup_take(char name[128], tfs_inst *in, const char *what)
{
	int error;

	inst_write_begin(in);
	error = take_locked(name, in, what);
	inst_write_end(in);
	return error;
}

/* ---- listing -------------------------------------------------------------------- */

static bool backup_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && ((n > 3 && !strcmp(name + n - 3, ".db")) ||
				  (n > 5 && !strcmp(name + n - 5, ".info")));
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int tfs_backup_list(tfs_inst *in, tfs_row_cb cb, void *ctx)
{
	char dir[3072], path[4096];
	char **names = NULL;
	size_t n = 0, i;
	struct dirent *de;
	struct stat sb;
	tfs_row row;
	DIR *d;
	int error = 0;

	if ((error = backup_dir(dir, sizeof(dir), in)) < 0)
		return error;
	if (!(d = opendir(dir)))
		return 0;
	while ((de = readdir(d))) {
		char **v;

		if (!backup_name(de->d_name))
			continue;
		if (!(v = realloc(names, (n + 1) * sizeof(*v))) ||
		    !(v[n] = strdup(de->d_name))) {
			if (v)
				names = v;
			error = tfs_error_set(TFS_ERROR, "out of memory");
			break;
		}
		names = v;
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; !error && i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &sb) < 0)
			continue;
		memset(&row, 0, sizeof(row));
		row.id = (int64_t)sb.st_ino;
		snprintf(row.name, sizeof(row.name), "%s", names[i]);
		row.mtime = (int64_t)sb.st_mtime;
		row.size = (int64_t)sb.st_size;
		error = cb(ctx, &row);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return error;
}

int tfs_backup_find(tfs_row *out, tfs_inst *in, const char *name)
{
	char dir[3072], path[4096];
	struct stat sb;
	int error;

	if (!backup_name(name) || strchr(name, '/'))
		return tfs_error_set(TFS_ENOTFOUND, "no backup %s", name);
	if ((error = backup_dir(dir, sizeof(dir), in)) < 0)
		return error;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &sb) < 0)
		return tfs_error_set(TFS_ENOTFOUND, "no backup %s", name);
	memset(out, 0, sizeof(*out));
	out->id = (int64_t)sb.st_ino;
	snprintf(out->name, sizeof(out->name), "%s", name);
	out->mtime = (int64_t)sb.st_mtime;
	out->size = (int64_t)sb.st_size;
	return 0;
}

int tfs_backup_read(tfs_buf *out, tfs_inst *in, const char *name, uint64_t off,
		    size_t len)
{
	char dir[3072], path[4096], chunk[65536];
	ssize_t got;
	int fd, error = 0;

	if ((error = tfs_backup_find(&(tfs_row){ 0 }, in, name)) < 0 ||
	    (error = backup_dir(dir, sizeof(dir), in)) < 0)
		return error;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return tfs_error_set(TFS_ERROR, "open %s: %s", path,
				     strerror(errno));
	while (!error && len > 0) {
		got = pread(fd, chunk,
			    len < sizeof(chunk) ? len : sizeof(chunk),
			    (off_t)off);
		if (got < 0)
			error = tfs_error_set(TFS_ERROR, "read %s: %s", path,
					      strerror(errno));
		if (got <= 0)
			break;
		error = tfs_buf_put(out, chunk, (size_t)got);
		off += (uint64_t)got;
		len -= (size_t)got;
	}
	close(fd);
	return error;
}

int backup_last(char name[128], tfs_inst *in)
{
	char dir[3072];
	struct dirent *de;
	DIR *d;
	bool found = false;
	int error;

	if ((error = backup_dir(dir, sizeof(dir), in)) < 0)
		return error;
	if (!(d = opendir(dir)))
		return tfs_error_set(TFS_ENOTFOUND, "no backup yet");
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (de->d_name[0] == '.' || n < 4 ||
		    strcmp(de->d_name + n - 3, ".db") || n >= 128)
			continue;
		if (!found || strcmp(de->d_name, name) > 0)
			snprintf(name, 128, "%s", de->d_name);
		found = true;
	}
	closedir(d);
	return found ? 0 : tfs_error_set(TFS_ENOTFOUND, "no backup yet");
}

/* ---- restore ---------------------------------------------------------------------- */

static int restore_locked(tfs_buf *result, tfs_inst *in, const char *user,
			  const char *text)
{
	struct push_counts c = { 0 };
	struct push_progress pg = { 0 };
	char name[256], dir[3072], path[4096], msg[400];
	tfs_inst_meta m;
	size_t n;
	int commit = 0, error;

	n = strcspn(text, "\n");
	while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\r'))
		n--;
	while (n > 0 && *text == ' ')
		text++, n--;
	if (n == 0 || n >= sizeof(name) - 4)
		return tfs_error_set(TFS_EINVALID, "write a backup's name "
						   "(ls backups/)");
	/* the name, ".db" added if it lacks it */
	snprintf(name, sizeof(name), "%.*s%s", (int)n, text,
		 n >= 3 && memcmp(text + n - 3, ".db", 3) == 0 ? "" : ".db");
	if (strchr(name, '/') || tfs_backup_find(&(tfs_row){ 0 }, in, name) < 0)
		return tfs_error_set(TFS_EINVALID,
				     "no backup '%s' (ls "
				     "backups/)",
				     name);
	if ((error = backup_dir(dir, sizeof(dir), in)) < 0 ||
	    (error = tfs_inst_meta_get(&m, in)) < 0)
		return error;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(msg, sizeof(msg), "Restore %.*s", (int)strlen(name) - 3, name);
	if ((error = push_replace(&c, &commit, in, user, path, NULL, m.version,
				  "Sandbox/Restore", msg, &pg)) < 0)
		return error;
	return tfs_buf_printf(result,
			      "restored\nbackup: %s\ncommit: %d\n"
			      "objects: %llu\n",
			      name, commit, (unsigned long long)c.created);
}

int tfs_restore_request(tfs_buf *result, tfs_inst *in, const char *user,
			const char *text)
{
	char reason[512];
	int error;

	inst_write_begin(in);
	error = restore_locked(result, in, user, text);
	if (error) {
		snprintf(reason, sizeof(reason), "%s", tfs_error_last());
		tfs_buf_clear(result);
		tfs_buf_printf(result, "rejected\nerror %s\n", reason);
	}
	/* restore.result, and a refusal in the log and events */
	inst_record_outcome(in, user, "restore_result",
			    result->ptr ? result->ptr : "", "Sandbox/Reject",
			    error ? reason : NULL);
	if (error)
		tfs_error_set(error, "%s", reason);
	inst_write_end(in);
	return error;
}

int tfs_restore_result(tfs_buf *out, tfs_inst *in)
{
	return inst_meta_get_text(in, "restore_result", out);
}
