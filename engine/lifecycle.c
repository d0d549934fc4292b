/*
 * The lifecycle of tenants and instances (INTERFACE.md, "Tenants and
 * instances: lifecycle"): creating and deleting them (mkdir and rmdir
 * under tenants/, node_console.c), and the state that makes an instance
 * refuse work: in maintenance, not active, expired (inst_check_open), or
 * its tenant's development project disabled (inst_check_packages).
 *
 * Instances are created and deleted while the mount serves: the rules
 * that keep that safe for threads holding an instance are at struct
 * inst_table (internal.h).  A deleted instance's database is copied to
 * the store's backups and its branch kept under refs/deleted/ before
 * anything is removed; its files are unlinked last, under its writer
 * lock, so no writer of it runs meanwhile and none can after (gone).
 * SQLite never deletes the files of a new instance of the same name on
 * behalf of the old connections: a connection whose database file was
 * unlinked skips the checkpoint and WAL removal on close.
 */
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "tenantfs/error.h"
#include "tenantfs/lifecycle.h"

/* ---- who may ----------------------------------------------------------------- */

int require_admin_of(tfs_store *st, const char *user, const char *what)
{
	sqlite3_stmt *s = db_stmt(store_db(st), "SELECT administrator FROM "
						"users WHERE login = ?");
	bool admin = false;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_text(s, 1, user, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		admin = sqlite3_column_int(s, 0) != 0;
	sqlite3_reset(s);
	if (!admin)
		return tfs_error_set(TFS_EACCESS,
				     "%s: only administrators "
				     "may %s",
				     user, what);
	return 0;
}

/* Tenant names become host names, database names and branch names. */
static bool tenant_name_valid(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > 63 || name[0] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '-'))
			return false;
	return true;
}

bool landscape_type_ok(const char *type)
{
	static const char *const types[] = { "production",  "staging",
					     "uat",         "pilot",
					     "development", "other" };
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(type, types[i]) == 0)
			return true;
	return false;
}

/* ---- refusals and state -------------------------------------------------------- */

void inst_refusal(tfs_inst *in, const char *user, const char *action,
		  const char *reason)
{
	if (!inst_gone(in))
		inst_record_outcome(in, user, NULL, NULL, action, reason);
}

int inst_check_open(tfs_inst *in, const char *what)
{
	sqlite3_stmt *s;
	char today[16], status[32] = "", expiration[32] = "";
	struct tm tm;
	time_t now = time(NULL);
	int maint = 0;

	if (inst_gone(in))
		return tfs_error_set(TFS_ENOTFOUND, "%s/%s was deleted",
				     in->tenant, in->name);
	s = db_stmt(store_db(in->st), "SELECT status, in_maintenance, "
				      "expiration FROM instances WHERE id = ?");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, in->id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		snprintf(status, sizeof(status), "%s", db_text(s, 0));
		maint = sqlite3_column_int(s, 1);
		snprintf(expiration, sizeof(expiration), "%s", db_text(s, 2));
	}
	sqlite3_reset(s);
	gmtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	if (maint)
		return tfs_error_set(TFS_ELOCKED,
				     "%s/%s is in maintenance "
				     "(instance.conf: in_maintenance = true): "
				     "%s refused",
				     in->tenant, in->name, what);
	if (strcmp(status, "active") != 0)
		return tfs_error_set(TFS_ELOCKED,
				     "%s/%s is not active "
				     "(instance.conf: status = %s): %s "
				     "refused",
				     in->tenant, in->name, status, what);
	if (strcmp(expiration, "never") != 0 && *expiration &&
	    strcmp(expiration, today) < 0)
		return tfs_error_set(TFS_ELOCKED,
				     "%s/%s expired on %s "
				     "(instance.conf: expiration): %s "
				     "refused",
				     in->tenant, in->name, expiration, what);
	return 0;
}

int inst_dev_project(tfs_inst *in, bool *on)
{
	sqlite3_stmt *s = db_stmt(store_db(in->st),
				  "SELECT dev_project "
				  "FROM tenants WHERE id = ?");
	int error = 0;

	*on = false;
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, in->tenant_id);
	if (sqlite3_step(s) == SQLITE_ROW)
		*on = sqlite3_column_int(s, 0) != 0;
	else
		error = tfs_error_set(TFS_ENOTFOUND, "no tenant %s",
				      in->tenant);
	sqlite3_reset(s);
	return error;
}

int inst_check_packages(tfs_inst *in, const char *user)
{
	char reason[512];
	bool on;
	int error;

	if ((error = inst_dev_project(in, &on)) < 0 || on)
		return error;
	snprintf(reason, sizeof(reason),
		 "the development project of tenant "
		 "%s is disabled (tenant.conf: development_project = false): "
		 "no packages; configuration moves by push/",
		 in->tenant);
	if (user)
		inst_refusal(in, user, "Package/Reject", reason);
	return tfs_error_set(TFS_EACCESS, "%s", reason);
}

int lifecycle_refused(tfs_store *st, const char *user, const char *action,
		      int64_t tenant_id, const char *what, int error)
{
	char msg[900];
	tfs_event ev = { user, action, msg, 0, tenant_id };

	if (error >= 0)
		return error;
	snprintf(msg, sizeof(msg), "%s refused: %s", what, tfs_error_last());
	tfs_store_event(st, &ev);
	return tfs_error_set(error, "%s", msg);
}

/* ---- tenants ------------------------------------------------------------------- */

static int tenant_create_locked(int64_t *out_id, tfs_store *st,
				const char *user, const char *name)
{
	sqlite3_stmt *s;
	int64_t now = tfs_now(), id;
	int error;

	if ((error = db_exec(&st->db, "BEGIN IMMEDIATE")) < 0)
		return error;
	s = db_stmt(&st->db, "INSERT INTO tenants(name, group_id, company,"
			     " contact, dev_project, created, mtime)"
			     " VALUES(?1, NULL, '', '', 1, ?2, ?2)");
	if (!s) {
		error = TFS_ERROR;
		goto fail;
	}
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now);
	if ((error = db_done(&st->db, s)) < 0) {
		if (error == TFS_EEXISTS)
			tfs_error_set(error, "tenant %s exists", name);
		goto fail;
	}
	id = sqlite3_last_insert_rowid(st->db.db);
	if (id > 0xffff) {
		error = tfs_error_set(TFS_ERROR, "too many tenants");
		goto fail;
	}
	{
		char msg[200];
		tfs_event ev = { user, "Tenant/Create", msg, 0, id };
		snprintf(msg, sizeof(msg),
			 "tenant %s created (set its "
			 "landscape_group in tenant.conf)",
			 name);
		if ((error = store_event_locked(st, &ev)) < 0)
			goto fail;
	}
	if ((error = db_exec(&st->db, "COMMIT")) < 0)
		goto fail;
	if (out_id)
		*out_id = id;
	return 0;
fail:
	db_rollback(&st->db);
	return error;
}

int tfs_tenant_create(int64_t *out_id, tfs_store *st, const char *user,
		      const char *name)
{
	char what[300];
	int error;

	snprintf(what, sizeof(what), "mkdir tenants/%.200s", name);
	if (!tenant_name_valid(name)) {
		error = tfs_error_set(TFS_EINVALID,
				      "invalid tenant name "
				      "(lowercase letters, digits and -, at "
				      "most 63)");
		return lifecycle_refused(st, user, "Tenant/CreateReject", 0,
					 what, error);
	}
	store_write_begin(st);
	if ((error = require_admin_of(st, user, "create tenants")) == 0)
		error = tenant_create_locked(out_id, st, user, name);
	store_write_end(st);
	return lifecycle_refused(st, user, "Tenant/CreateReject", 0, what,
				 error);
}

/* The names of tenant `id`'s instances, space-separated; their count. */
static int tenant_instances(tfs_buf *names, tfs_store *st, int64_t id)
{
	sqlite3_stmt *s = db_stmt(&st->db, "SELECT name FROM instances WHERE "
					   "tenant_id = ? ORDER BY name");
	int n = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	while (sqlite3_step(s) == SQLITE_ROW)
		tfs_buf_printf(names, "%s%s", n++ ? " " : "", db_text(s, 0));
	sqlite3_reset(s);
	return n;
}

static int tenant_remove_locked(tfs_store *st, const char *user, int64_t id)
{
	tfs_buf names = TFS_BUF_INIT;
	char tenant[256], msg[600], path[PATH_MAX];
	tfs_row row;
	sqlite3_stmt *s;
	int n, error;

	if ((error = tfs_store_get(&row, st, TFS_ENT_TENANT, id)) < 0)
		return error;
	snprintf(tenant, sizeof(tenant), "%s", row.name);
	if ((n = tenant_instances(&names, st, id)) != 0) {
		error = n < 0 ? n :
				tfs_error_set(
					TFS_ENOTEMPTY,
					"tenant %s still has "
					"instances: %s (put each in maintenance "
					"and rmdir it first)",
					tenant, names.ptr);
		tfs_buf_free(&names);
		return error;
	}
	if ((error = db_exec(&st->db, "BEGIN IMMEDIATE")) < 0)
		return error;
	{
		/* Before the row goes: the event names the tenant. */
		tfs_event ev = { user, "Tenant/Delete", msg, 0, id };
		snprintf(msg, sizeof(msg), "tenant %s deleted", tenant);
		if ((error = store_event_locked(st, &ev)) < 0)
			goto fail;
	}
	s = db_stmt(&st->db, "DELETE FROM tenants WHERE id = ?");
	if (!s) {
		error = TFS_ERROR;
		goto fail;
	}
	sqlite3_bind_int64(s, 1, id);
	if ((error = db_done(&st->db, s)) < 0 ||
	    (error = db_exec(&st->db, "COMMIT")) < 0)
		goto fail;
	/* Its (empty) directory of databases, if any. */
	if (snprintf(path, sizeof(path), "%s/instances/%s", st->path, tenant) <
	    (int)sizeof(path))
		rmdir(path);
	return 0;
fail:
	db_rollback(&st->db);
	return error;
}

int tfs_tenant_remove(tfs_store *st, const char *user, int64_t id)
{
	int error;

	store_write_begin(st);
	if ((error = require_admin_of(st, user, "delete tenants")) == 0)
		error = tenant_remove_locked(st, user, id);
	store_write_end(st);
	return lifecycle_refused(st, user, "Tenant/DeleteReject", id,
				 "rmdir of the tenant", error);
}
