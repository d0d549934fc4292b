/*
 * The permission table of INTERFACE.md ("Users and permissions"), as pure
 * functions of the acting user and the users rows involved, and the
 * mapping of a caller's uid to its console user.
 *
 * Invariants: a uid maps to at most one user (users.c refuses a second);
 * nothing ever answers as `admin` because a read failed.  Called by the
 * tree for every request (tree_perm.c) and by users.c under the store's
 * write lock.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "tenantfs/error.h"
#include "tenantfs/perm.h"

static void unmapped(tfs_user *out, uid_t uid)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->login, sizeof(out->login), "uid%lu", (unsigned long)uid);
}

static int user_row(tfs_user *out, tfs_store *st, const char *sql, int64_t key,
		    const char *login)
{
	sqlite3_stmt *s = db_stmt(store_db(st), sql);
	int rc;

	if (!s)
		return TFS_ERROR;
	if (login)
		sqlite3_bind_text(s, 1, login, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(s, 1, key);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(s, 0);
		snprintf(out->login, sizeof(out->login), "%s", db_text(s, 1));
		snprintf(out->company, sizeof(out->company), "%s",
			 db_text(s, 2));
		out->admin = sqlite3_column_int(s, 3) != 0;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return TFS_ENOTFOUND;
	return db_fail(store_db(st), "users");
}

int tfs_store_user_by_uid(tfs_user *out, tfs_store *st, uid_t uid)
{
	int error;

	unmapped(out, uid);
	error = user_row(out, st,
			 "SELECT id, login, company, administrator "
			 "FROM users WHERE uid = ? ORDER BY id LIMIT 1",
			 (int64_t)uid, NULL);
	if (error == TFS_ENOTFOUND && (uid == 0 || uid == st->mount_uid))
		error = user_row(out, st,
				 "SELECT id, login, company, "
				 "administrator FROM users WHERE login = ?",
				 0, "admin");
	if (error < 0) {
		unmapped(out, uid);
		return error == TFS_ENOTFOUND ? 0 : error;
	}
	return 0;
}

/* ---- the rules ------------------------------------------------------------ */

static int refuse(const tfs_user *u, const char *what)
{
	return tfs_error_set(TFS_EACCESS, "%s: %s", u->login, what);
}

bool tfs_perm_sees_company(const tfs_user *u, const char *company)
{
	if (!u->id)
		return false;
	return u->admin || !u->company[0] ||
	       strcmp(u->company, company ? company : "") == 0;
}

int tfs_perm_area(const tfs_user *u, tfs_area area)
{
	switch (area) {
	case TFS_AREA_README:
		return 0;
	case TFS_AREA_CONSOLE:
		return u->id ? 0 : refuse(u, "no console user has this uid");
	case TFS_AREA_ADMIN:
		if (!u->id)
			return refuse(u, "no console user has this uid");
		return u->admin ? 0 : refuse(u, "administrators only");
	}
	return refuse(u, "unknown area");
}

int tfs_perm_user_create(const tfs_user *u, const tfs_user_row *created)
{
	(void)created;
	if (!u->id || !u->admin)
		return refuse(u, "only administrators create users");
	return 0;
}

/*
 * Non-administrators edit only themselves, and neither `administrator`
 * nor `uid`.  Administrators edit anyone, may drop their own status
 * (never regained: they are then non-administrators), and never take it
 * from `admin`.  Only administrators set a uid, anyone's.
 */
int tfs_perm_user_edit(const tfs_user *u, const tfs_user_row *before,
		       const tfs_user_row *after)
{
	bool self = u->id && u->id == before->id;

	if (!u->id)
		return refuse(u, "no console user has this uid");
	if (!u->admin) {
		if (!self)
			return refuse(u, "non-administrators edit only "
					 "themselves");
		if (after->admin != before->admin)
			return refuse(u, "only administrators change "
					 "administrator");
		if (after->uid != before->uid)
			return refuse(u, "only administrators set a uid");
		return 0;
	}
	if (before->admin && !after->admin &&
	    strcmp(before->login, "admin") == 0)
		return refuse(u, "admin's administrator status cannot be "
				 "taken away");
	return 0;
}

int tfs_perm_user_delete(const tfs_user *u, const tfs_user_row *victim)
{
	if (!u->id || !u->admin)
		return refuse(u, "only administrators delete users");
	if (victim->id == u->id)
		return refuse(u, "users cannot delete themselves");
	if (strcmp(victim->login, "admin") == 0)
		return refuse(u, "admin cannot be deleted");
	if (victim->admin)
		return refuse(u, "administrators cannot be deleted");
	return 0;
}

/* ---- events ---------------------------------------------------------------- */

/* Field 4 (0-based) of a tab-separated events line: the tenant. */
static bool tenant_field(const char *line, const char *end, const char **f,
			 size_t *n)
{
	int i;

	for (i = 0; i < 4; i++) {
		line = memchr(line, '\t', (size_t)(end - line));
		if (!line)
			return false;
		line++;
	}
	*f = line;
	line = memchr(line, '\t', (size_t)(end - line));
	*n = (size_t)((line ? line : end) - *f);
	return true;
}

int tfs_perm_filter_events(tfs_buf *out, const char *in, size_t len,
			   tfs_tenant_visible_fn visible, void *ctx)
{
	const char *p = in, *end = in + len;
	int error = 0;

	while (p < end && !error) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl + 1 : end, *f;
		size_t n;

		if (tenant_field(p, nl ? nl : end, &f, &n) && n &&
		    visible(ctx, f, n))
			error = tfs_buf_put(out, p, (size_t)(stop - p));
		p = stop;
	}
	return error;
}
