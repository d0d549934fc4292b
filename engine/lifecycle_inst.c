/*
 * Creating and deleting instances while the mount serves (mkdir and
 * rmdir of tenants/<t>/<type>; the rules are in lifecycle.c's header and
 * at struct inst_table, internal.h).
 *
 * A new instance: its console row (under the console's writer lock, so
 * two mkdirs of one name cannot both succeed), then its database (the
 * schema, no history commit), then it is published in the store's
 * table.  A failure on the way removes the row again.
 *
 * A deleted instance, under its writer lock: refused unless in
 * maintenance; its database copied by SQLite's online backup to
 * STORE/backups/<tenant>/<instance>/<stamp>-deleted.db (+ .info), its
 * branch renamed to refs/deleted/<tenant>/<instance>/<stamp>; then its
 * row and event in one console transaction, then gone, then its files
 * (the last three under the console's writer lock).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "push_int.h"
#include "tenantfs/error.h"
#include "tenantfs/history.h"
#include "tenantfs/lifecycle.h"

static const char *const db_suffixes[] = { "", "-wal", "-shm" };

/* ---- patterns -------------------------------------------------------------------- */

/*
 * `pattern` with {tenantName} replaced by the tenant's name and {dbName}
 * by its upper-case form ("{dbName}-STG" of acme: "ACME-STG").  An empty
 * pattern gives the tenant name.
 */
static int expand(char *out, size_t size, const char *pattern,
		  const char *tenant)
{
	tfs_buf b = TFS_BUF_INIT;
	const char *p = *pattern ? pattern : "{tenantName}";
	size_t i;
	int error = 0;

	while (*p && !error) {
		if (strncmp(p, "{tenantName}", 12) == 0) {
			error = tfs_buf_puts(&b, tenant);
			p += 12;
		} else if (strncmp(p, "{dbName}", 8) == 0) {
			for (i = 0; tenant[i] && !error; i++) {
				char c = tenant[i];
				if (c >= 'a' && c <= 'z')
					c = (char)(c - 'a' + 'A');
				error = tfs_buf_put(&b, &c, 1);
			}
			p += 8;
		} else {
			error = tfs_buf_put(&b, p++, 1);
		}
	}
	if (!error && b.size >= size)
		error = tfs_error_set(TFS_EINVALID,
				      "pattern '%s' gives a "
				      "name too long",
				      pattern);
	if (!error)
		snprintf(out, size, "%s", b.ptr ? b.ptr : "");
	tfs_buf_free(&b);
	return error;
}

/* ---- creating ---------------------------------------------------------------------- */

struct new_inst {
	int64_t tenant_id, landscape_id, id;
	char tenant[64], contact[256], uri[512], database[256];
	bool locked;
};

/*
 * The landscape of `type` in the tenant's group, the patterns' uri
 * (https://<tenant pattern>.<the group's production e-mail domain>) and
 * database name; console writer lock held.
 */
static int plan_instance(struct new_inst *ni, tfs_store *st, const char *type)
{
	sqlite3_stmt *s;
	char host[256], group[256] = "";
	bool grouped = false, found = false, has_prod = false;
	int error = 0;

	s = db_stmt(&st->db,
		    "SELECT t.name, t.contact, g.name, l.id,"
		    " l.tenant_pattern, l.db_pattern, t.group_id IS NOT NULL,"
		    " (SELECT p.email_domain FROM landscapes p WHERE"
		    "  p.group_id = t.group_id AND p.type = 'production'),"
		    " EXISTS(SELECT 1 FROM instances i JOIN landscapes k ON"
		    "  k.id = i.landscape_id WHERE i.tenant_id = t.id AND"
		    "  k.type = 'production'), COALESCE(g.tiers, '')"
		    " FROM tenants t LEFT JOIN groups g ON g.id = t.group_id"
		    " LEFT JOIN landscapes l ON l.group_id = t.group_id AND"
		    " l.type = ?2 WHERE t.id = ?1");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, ni->tenant_id);
	sqlite3_bind_text(s, 2, type, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_ROW) {
		error = tfs_error_set(TFS_ENOTFOUND, "no such tenant");
		goto done;
	}
	snprintf(ni->tenant, sizeof(ni->tenant), "%s", db_text(s, 0));
	snprintf(ni->contact, sizeof(ni->contact), "%s", db_text(s, 1));
	snprintf(group, sizeof(group), "%s", db_text(s, 2));
	grouped = sqlite3_column_int(s, 6) != 0;
	found = sqlite3_column_type(s, 3) != SQLITE_NULL;
	ni->landscape_id = sqlite3_column_int64(s, 3);
	has_prod = sqlite3_column_int(s, 8) != 0;
	if (!grouped) {
		error = tfs_error_set(TFS_EINVALID,
				      "tenant %s has no landscape "
				      "group yet: set landscape_group in its "
				      "tenant.conf first",
				      ni->tenant);
	} else if (!found) {
		error = tfs_error_set(TFS_EINVALID,
				      "landscape group %s has no "
				      "%s landscape",
				      group, type);
	} else if (strcmp(type, "uat") == 0 &&
		   strcmp(db_text(s, 9), "two-tier") == 0) {
		/* the tier count says which landscapes instances may use:
		 * tfs_group_conf_update keeps it so (landscape.c) */
		error = tfs_error_set(TFS_EINVALID,
				      "landscape group %s is "
				      "two-tier (production and staging): no "
				      "uat instances",
				      group);
	} else if (!has_prod && strcmp(type, "production") != 0) {
		error = tfs_error_set(TFS_EINVALID,
				      "tenant %s has no "
				      "production instance: create production "
				      "first",
				      ni->tenant);
	} else if ((error = expand(host, sizeof(host), db_text(s, 4),
				   ni->tenant)) == 0 &&
		   (error = expand(ni->database, sizeof(ni->database),
				   db_text(s, 5), ni->tenant)) == 0) {
		const char *domain = db_text(s, 7);
		snprintf(ni->uri, sizeof(ni->uri), "https://%s%s%s", host,
			 *domain ? "." : "", domain);
	}
	/* Production and UAT are normally metadata-locked (DOMAIN.md). */
	ni->locked = strcmp(type, "production") == 0 ||
		     strcmp(type, "uat") == 0;
done:
	sqlite3_reset(s);
	return error;
}

static int insert_row(struct new_inst *ni, tfs_store *st, const char *type)
{
	sqlite3_stmt *s;
	char key[37];
	int64_t now = tfs_now();
	int error;

	tfs_uuid_new(key);
	s = db_stmt(&st->db,
		    "INSERT INTO instances(tenant_id, name,"
		    " landscape_id, status, metadata_locked, contact, uri,"
		    " database, api_key, created, mtime)"
		    " VALUES(?1, ?2, ?3, 'active', ?4, ?5, ?6, ?7, ?8, ?9, ?9)");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, ni->tenant_id);
	sqlite3_bind_text(s, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, ni->landscape_id);
	sqlite3_bind_int(s, 4, ni->locked);
	sqlite3_bind_text(s, 5, ni->contact, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, ni->uri, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, ni->database, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 9, now);
	if ((error = db_done(&st->db, s)) < 0) {
		if (error == TFS_EEXISTS)
			tfs_error_set(error, "%s/%s exists", ni->tenant, type);
		return error;
	}
	ni->id = sqlite3_last_insert_rowid(st->db.db);
	if (ni->id > 0xffff)
		return tfs_error_set(TFS_ERROR, "too many instances");
	return 0;
}

static int delete_row(tfs_store *st, int64_t id)
{
	sqlite3_stmt *s = db_stmt(&st->db, "DELETE FROM instances "
					   "WHERE id = ?");

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	return db_done(&st->db, s);
}

/* "<store>/instances/<tenant>/<name>.db<suffix>" */
static int db_path(char *out, size_t size, tfs_store *st, const char *tenant,
		   const char *name, const char *suffix)
{
	int n = snprintf(out, size, "%s/instances/%s/%s.db%s", st->path, tenant,
			 name, suffix);

	if (n < 0 || (size_t)n >= size)
		return tfs_error_set(TFS_ERROR, "path too long");
	return 0;
}

static void stamp_now(char out[32])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, 32, "%Y%m%dT%H%M%SZ", &tm);
}

/*
 * Files a crash left at the new instance's path (a creation cut short)
 * are moved into the backups, never reused: the new database starts
 * empty.
 */
static void move_leftovers(tfs_store *st, const char *tenant, const char *name)
{
	char from[PATH_MAX], real[PATH_MAX], to[PATH_MAX], stamp[32];
	size_t i;

	stamp_now(stamp);
	for (i = 0; i < 3; i++) {
		if (db_path(from, sizeof(from), st, tenant, name,
			    db_suffixes[i]) < 0 ||
		    access(from, F_OK) != 0)
			continue;
		/* a link to a replaced database (inst_file.c): its file */
		if (i == 0 && inst_file_real(real, sizeof(real), from) == 1) {
			snprintf(to, sizeof(to),
				 "%s/backups/%s-%s-%s-"
				 "leftover.db",
				 st->path, tenant, name, stamp);
			if (rename(real, to) < 0)
				unlink(real);
			unlink(from);
			inst_file_tidy(from);
			continue;
		}
		snprintf(to, sizeof(to), "%s/backups/%s-%s-%s-leftover.db%s",
			 st->path, tenant, name, stamp, db_suffixes[i]);
		if (rename(from, to) < 0)
			unlink(from);
	}
}

static void remove_files(tfs_store *st, const char *tenant, const char *name)
{
	char p[PATH_MAX];

	if (db_path(p, sizeof(p), st, tenant, name, "") == 0)
		inst_file_remove(p);
}

static int inst_create(tfs_inst **out, tfs_store *st, const char *user,
		       int64_t tenant_id, const char *type)
{
	struct new_inst ni;
	tfs_inst *in = NULL;
	char msg[1200];
	int error;

	if (out)
		*out = NULL;
	memset(&ni, 0, sizeof(ni));
	ni.tenant_id = tenant_id;
	if (!landscape_type_ok(type))
		return tfs_error_set(TFS_EINVALID,
				     "'%s' is not a landscape "
				     "type (production staging uat pilot "
				     "development other)",
				     type);
	store_write_begin(st);
	if ((error = require_admin_of(st, user, "create instances")) < 0 ||
	    (error = plan_instance(&ni, st, type)) < 0 ||
	    (error = insert_row(&ni, st, type)) < 0) {
		store_write_end(st);
		return error;
	}
	move_leftovers(st, ni.tenant, type);
	store_write_end(st);
	/* Opened without the console's lock: it reads the committed row. */
	if ((error = inst_open(&in, st, ni.id, true)) < 0)
		goto undo;
	store_write_begin(st);
	if ((error = store_publish(st, in)) == 0) {
		tfs_event ev = { user, "Instance/Create", msg, ni.id, 0 };
		snprintf(msg, sizeof(msg),
			 "instance %s created, empty (uri %s, "
			 "database %s); fill it with a copy-to-replace push",
			 type, ni.uri, ni.database);
		store_event_locked(st, &ev);
	}
	store_write_end(st);
	if (error < 0)
		goto undo;
	if (out)
		*out = in;
	return 0;
undo : {
	char reason[512];
	snprintf(reason, sizeof(reason), "%s", tfs_error_last());
	inst_free(in);
	remove_files(st, ni.tenant, type);
	store_write_begin(st);
	delete_row(st, ni.id);
	store_write_end(st);
	return tfs_error_set(error, "%s", reason);
}
}

int tfs_inst_create(tfs_inst **out, tfs_store *st, const char *user,
		    int64_t tenant_id, const char *type)
{
	char what[300];
	tfs_row row;

	if (tfs_store_get(&row, st, TFS_ENT_TENANT, tenant_id) < 0)
		snprintf(row.name, sizeof(row.name), "?");
	snprintf(what, sizeof(what), "mkdir tenants/%.64s/%.200s", row.name,
		 type);
	return lifecycle_refused(st, user, "Instance/CreateReject", tenant_id,
				 what,
				 inst_create(out, st, user, tenant_id, type));
}

/* ---- deleting ---------------------------------------------------------------------- */

/*
 * Back up `in` (backup.c) as "<stamp>-deleted.db" in its backups:
 * *base is the name without ".db", *path the database's path.
 */
static int backup_deleted(char base[64], char path[PATH_MAX], tfs_inst *in)
{
	char name[128], dir[PATH_MAX - 200];
	int error;

	if ((error = backup_take(name, in, "deleted")) < 0 ||
	    (error = backup_dir(dir, sizeof(dir), in)) < 0)
		return error;
	snprintf(base, 64, "%.*s", (int)strlen(name) - 3, name);
	snprintf(path, PATH_MAX, "%s/%s", dir, name);
	return 0;
}

/* Rename refs/heads/<branch> to refs/deleted/<branch>/<base>, if any. */
static int keep_branch(tfs_inst *in, const char *base)
{
	char to[400];

	snprintf(to, sizeof(to), "refs/deleted/%s/%s", in->branch, base);
	return tfs_history_keep_ref(tfs_store_history(in->st), in->branch, to);
}

/*
 * The row and its event (named while the instance is still found), in
 * one console transaction; then the instance is gone and its files are
 * removed, still under the console's writer lock: a mkdir of the same
 * name (which inserts its row under that lock) finds the path free and
 * can never lose its new files to this unlink.  Writer lock of `in`
 * held.
 */
static int forget_row(tfs_inst *in, const char *user, const char *base)
{
	tfs_store *st = in->st;
	char msg[700];
	tfs_event ev = { user, "Instance/Delete", msg, in->id, 0 };
	int error;

	snprintf(msg, sizeof(msg),
		 "instance %s deleted; backup %s.db, "
		 "branch refs/deleted/%s/%s",
		 in->name, base, in->branch, base);
	store_write_begin(st);
	if ((error = db_exec(&st->db, "BEGIN IMMEDIATE")) == 0) {
		if ((error = store_event_locked(st, &ev)) < 0 ||
		    (error = delete_row(st, in->id)) < 0 ||
		    (error = db_exec(&st->db, "COMMIT")) < 0)
			db_rollback(&st->db);
	}
	if (error == 0) {
		__atomic_store_n(&in->gone, true, __ATOMIC_RELEASE);
		remove_files(st, in->tenant, in->name);
	}
	store_write_end(st);
	return error;
}

static int remove_locked(char *backup, tfs_inst *in, const char *user)
{
	sqlite3_stmt *s;
	char base[64], path[PATH_MAX], reason[512];
	int maint = 0, error;

	if (inst_gone(in))
		return tfs_error_set(TFS_ENOTFOUND, "no such instance");
	s = db_stmt(store_db(in->st), "SELECT in_maintenance FROM instances "
				      "WHERE id = ?");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, in->id);
	if (sqlite3_step(s) == SQLITE_ROW)
		maint = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	if (!maint) {
		snprintf(reason, sizeof(reason),
			 "rmdir %s/%s refused: only an "
			 "instance in maintenance can be deleted (set "
			 "in_maintenance = true in its instance.conf)",
			 in->tenant, in->name);
		inst_refusal(in, user, "Instance/DeleteReject", reason);
		return tfs_error_set(TFS_EBUSY, "%s", reason);
	}
	if ((error = backup_deleted(base, path, in)) < 0 ||
	    (error = keep_branch(in, base)) < 0 ||
	    (error = forget_row(in, user, base)) < 0) {
		snprintf(reason, sizeof(reason), "rmdir %s/%s failed: %s",
			 in->tenant, in->name, tfs_error_last());
		inst_refusal(in, user, "Instance/DeleteReject", reason);
		return tfs_error_set(error, "%s", reason);
	}
	if (backup)
		snprintf(backup, PATH_MAX, "%s", path);
	return 0;
}

int tfs_inst_remove(char *backup, tfs_store *st, const char *user, int64_t id)
{
	tfs_inst *in = tfs_store_inst(st, id);
	int error;

	if (!in)
		return TFS_ENOTFOUND;
	if ((error = require_admin_of(st, user, "delete instances")) < 0)
		return lifecycle_refused(st, user, "Instance/DeleteReject",
					 in->tenant_id, "rmdir of the instance",
					 error);
	inst_write_begin(in);
	error = remove_locked(backup, in, user);
	inst_write_end(in);
	if (error == 0 && st->observer)
		st->observer(st->observer_ctx, id, TFS_CHANGE_INSTANCE, 0, 0,
			     NULL);
	return error;
}
