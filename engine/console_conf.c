/*
 * console.conf at the top of the mount: the store-wide settings, kept in
 * console.db's meta table (one row per key) so that they travel with the
 * store and survive remounts.  One key so far:
 *
 *   object_max   the largest file a write through the mount may make, in
 *                bytes (default TFS_OBJECT_MAX; from 1 MiB to 1 GiB).
 *                Writes past it fail with EFBIG before anything is
 *                allocated (tree_file.c), so the daemon's memory for one
 *                file is bounded by it (issue 15).
 *
 * Only administrators change it (a non-administrator cannot open the file
 * at all: tree_perm.c keeps console files other than README, users/,
 * tenants/ and events to administrators).  The write path reads the value
 * cached in the store (an atomic load, no SQL per write); an update
 * changes the row and the cache under the store's writer lock.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tenantfs/conf.h"
#include "tenantfs/error.h"
#include "tenantfs/perm.h"
#include "tenantfs/tree.h"

uint64_t tfs_store_object_max(tfs_store *st)
{
	return __atomic_load_n(&st->object_max, __ATOMIC_RELAXED);
}

/* `v` as a size in bytes within the bounds: 0, or TFS_EINVALID. */
static int parse_object_max(uint64_t *out, const char *v)
{
	uint64_t n = 0;
	const char *p;

	if (!*v)
		goto bad;
	for (p = v; *p; p++) {
		if (*p < '0' || *p > '9' || n > TFS_OBJECT_MAX_CEIL)
			goto bad;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (n < TFS_OBJECT_MAX_FLOOR || n > TFS_OBJECT_MAX_CEIL)
		goto bad;
	*out = n;
	return 0;
bad:
	return tfs_error_set(TFS_EINVALID,
			     "object_max: '%.40s' is not a size "
			     "in bytes from %" PRIu64 " (1 MiB) to %" PRIu64
			     " (1 GiB)",
			     v, TFS_OBJECT_MAX_FLOOR, TFS_OBJECT_MAX_CEIL);
}

int console_conf_load(tfs_store *st)
{
	sqlite3_stmt *s = db_stmt(store_db(st), "SELECT value FROM meta "
						"WHERE key = 'object_max'");
	uint64_t n = TFS_OBJECT_MAX;
	int rc, error = 0;

	if (!s)
		return TFS_ERROR;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW &&
	    parse_object_max(&n, db_text(s, 0)) < 0)
		error = tfs_error_set(TFS_ERROR,
				      "console.db: meta object_max "
				      "'%.40s' is not a valid size",
				      db_text(s, 0));
	else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		error = db_fail(store_db(st), "meta");
	sqlite3_reset(s);
	if (error == 0)
		__atomic_store_n(&st->object_max, n, __ATOMIC_RELAXED);
	return error;
}

int tfs_store_console_conf_render(tfs_buf *out, tfs_store *st)
{
	return tfs_buf_printf(out,
			      "# store-wide settings (administrators "
			      "only)\n# object_max: the largest file a write "
			      "may make, in bytes (%" PRIu64 " to %" PRIu64
			      ")\nobject_max = %" PRIu64 "\n",
			      TFS_OBJECT_MAX_FLOOR, TFS_OBJECT_MAX_CEIL,
			      tfs_store_object_max(st));
}

/* Check `conf`: only known keys, a valid object_max (*n, unchanged if the
 * key is absent). */
static int check_conf(uint64_t *n, const tfs_conf *conf)
{
	size_t i;

	for (i = 0; i < conf->n; i++)
		if (strcmp(conf->kv[i].key, "object_max") != 0)
			return tfs_error_set(TFS_EINVALID,
					     "line %d: unknown "
					     "key '%.40s' (console.conf has: "
					     "object_max)",
					     conf->kv[i].line, conf->kv[i].key);
	if (tfs_conf_get(conf, "object_max"))
		return parse_object_max(n, tfs_conf_get(conf, "object_max"));
	return 0;
}

/* Store object_max `n` (the writer lock held) and record the event. */
static int store_object_max(tfs_store *st, const tfs_user *u, uint64_t n,
			    uint64_t was)
{
	sqlite3_stmt *s;
	char msg[160], v[32];
	tfs_event ev = { .user = u->login,
			 .action = "Console/Update",
			 .message = msg };
	int error;

	snprintf(v, sizeof(v), "%" PRIu64, n);
	if (!(s = db_stmt(&st->db, "INSERT OR REPLACE INTO meta(key, value) "
				   "VALUES('object_max', ?)")))
		return TFS_ERROR;
	sqlite3_bind_text(s, 1, v, -1, SQLITE_TRANSIENT);
	if ((error = db_done(&st->db, s)) < 0)
		return error;
	__atomic_store_n(&st->object_max, n, __ATOMIC_RELAXED);
	snprintf(msg, sizeof(msg),
		 "console.conf: object_max = %" PRIu64 " (was %" PRIu64 ")", n,
		 was);
	return store_event_locked(st, &ev);
}

int tfs_store_console_conf_update(tfs_store *st, const tfs_user *u,
				  const char *bytes, size_t len)
{
	tfs_conf conf = { 0 };
	uint64_t was, n;
	int error;

	if (!u->admin)
		return tfs_error_set(TFS_EACCESS, "only administrators change "
						  "console.conf");
	store_write_begin(st);
	was = n = tfs_store_object_max(st);
	if ((error = tfs_conf_parse(&conf, bytes, len)) < 0 ||
	    (error = check_conf(&n, &conf)) < 0)
		goto done;
	if (n != was)
		error = store_object_max(st, u, n, was);
done:
	store_write_end(st);
	tfs_conf_free(&conf);
	return error;
}
