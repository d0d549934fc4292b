/*
 * Console administration (INTERFACE.md, "Console administration"):
 * creating and deleting landscape groups, landscapes and database
 * servers, and the rules their .conf files keep beyond conf.c's key
 * tables: a group's tier count may only drop while no instance would be
 * stranded, a landscape's patterns keep {tenantName}, a server's
 * locations are writable directories on this machine.
 *
 * Everything runs under the console's writer lock, so the rows a rule
 * judged are the rows changed.  Each change and each refusal is a
 * console event (LandscapeGroup/..., Landscape/..., Server/...; refusals
 * of .conf edits are recorded by the tree as Conf/Reject).  Called by
 * the landscapes/ nodes (node_console.c) and the unit tests.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "tenantfs/conf.h"
#include "tenantfs/doc.h"
#include "tenantfs/error.h"
#include "tenantfs/landscape.h"

/* ---- upgrading older stores -------------------------------------------------- */

static const struct {
	const char *table, *column, *decl;
} added_columns[] = {
	{ "groups", "backup_engine", "TEXT NOT NULL DEFAULT 'mssql'" },
	{ "landscapes", "config_service_url", "TEXT NOT NULL DEFAULT ''" },
	{ "servers", "host", "TEXT NOT NULL DEFAULT ''" },
	{ "servers", "log_location", "TEXT NOT NULL DEFAULT ''" },
	{ "servers", "login", "TEXT NOT NULL DEFAULT ''" },
	{ "servers", "password", "TEXT NOT NULL DEFAULT ''" },
};

/* Whether `table` has `column` (1), not (0), or an error. */
static int has_column(tfs_store *st, const char *table, const char *column)
{
	sqlite3_stmt *s = NULL;
	int rc, n = 0;

	if (sqlite3_prepare_v2(st->db.db,
			       "SELECT count(*) FROM "
			       "pragma_table_info(?1) WHERE name = ?2",
			       -1, &s, NULL) != SQLITE_OK)
		return db_fail(&st->db, "upgrade");
	sqlite3_bind_text(s, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, column, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? n != 0 : db_fail(&st->db, "upgrade");
}

int landscape_upgrade(tfs_store *st)
{
	char sql[256];
	size_t i;
	int n, error;

	for (i = 0; i < sizeof(added_columns) / sizeof(added_columns[0]); i++) {
		if ((n = has_column(st, added_columns[i].table,
				    added_columns[i].column)) < 0)
			return n;
		if (n)
			continue;
		/* Names and declarations come from the table above. */
		snprintf(sql, sizeof(sql), "ALTER TABLE %s ADD COLUMN %s %s",
			 added_columns[i].table, added_columns[i].column,
			 added_columns[i].decl);
		if ((error = db_exec(&st->db, sql)) < 0)
			return error;
	}
	return 0;
}

/* ---- shared ------------------------------------------------------------------- */

/* Record console event `action` with `msg` (no tenant, no instance). */
static int record(tfs_store *st, const char *user, const char *action,
		  const char *msg)
{
	tfs_event ev = { .user = user, .action = action, .message = msg };

	return store_event_locked(st, &ev);
}

/* Record `action` with `msg` and commit the transaction the caller began;
 * on failure, roll it back. */
static int record_and_commit(tfs_store *st, const char *user,
			     const char *action, const char *msg)
{
	int error;

	if ((error = record(st, user, action, msg)) < 0 ||
	    (error = db_exec(&st->db, "COMMIT")) < 0)
		db_rollback(&st->db);
	return error;
}

/* Run INSERT `sql` with ?1 = `a` (may be unused), ?2 = `b`, ?3 = now;
 * the new row's id into *out.  `what` names the row for EEXISTS. */
static int insert_row(int64_t *out, tfs_store *st, const char *sql, int64_t a,
		      const char *b, const char *what)
{
	sqlite3_stmt *s = db_stmt(&st->db, sql);
	int error;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, a);
	sqlite3_bind_text(s, 2, b, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, tfs_now());
	if ((error = db_done(&st->db, s)) < 0) {
		if (error == TFS_EEXISTS)
			tfs_error_set(error, "%s exists", what);
		return error;
	}
	*out = sqlite3_last_insert_rowid(st->db.db);
	return 0;
}

/* The count of rows `sql` (one int64 parameter `id`) selects, names of
 * the first few appended to `names`; or an error. */
static int count_rows(tfs_buf *names, tfs_store *st, const char *sql,
		      int64_t id)
{
	sqlite3_stmt *s = db_stmt(&st->db, sql);
	int rc, n = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (names && n < 20)
			tfs_buf_printf(names, "%s%s", n ? " " : "",
				       db_text(s, 0));
		n++;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? n : db_fail(&st->db, "landscapes");
}

/* Delete row `id` of `table` (a static name) and record `action` with
 * `msg`, in one transaction. */
static int delete_row(tfs_store *st, const char *table, int64_t id,
		      const char *user, const char *action, const char *msg)
{
	char sql[128];
	sqlite3_stmt *s;
	int error;

	snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE id = ?", table);
	if ((error = db_exec(&st->db, "BEGIN IMMEDIATE")) < 0)
		return error;
	if (!(s = db_stmt(&st->db, sql)))
		error = TFS_ERROR;
	else
		sqlite3_bind_int64(s, 1, id);
	if (error == 0 && (error = db_done(&st->db, s)) == 0)
		return record_and_commit(st, user, action, msg);
	db_rollback(&st->db);
	return error;
}

int tfs_landscape_conf_path(char *out, size_t size, tfs_store *st,
			    tfs_entity ent, int64_t id)
{
	static const char *const sql[] = {
		[TFS_ENT_GROUP] = "SELECT name || '/group.conf' FROM groups "
				  "WHERE id = ?",
		[TFS_ENT_LANDSCAPE] = "SELECT g.name || '/' || l.type || "
				      "'/landscape.conf' FROM landscapes l JOIN"
				      " groups g ON g.id = l.group_id WHERE "
				      "l.id = ?",
		[TFS_ENT_SERVER] = "SELECT g.name || '/' || l.type || "
				   "'/servers/' || s.name || '.conf' FROM "
				   "servers s JOIN landscapes l ON l.id = "
				   "s.landscape_id JOIN groups g ON g.id = "
				   "l.group_id WHERE s.id = ?",
	};
	sqlite3_stmt *s;
	int error = 0;

	snprintf(out, size, "landscapes/*.conf");
	if ((ent != TFS_ENT_GROUP && ent != TFS_ENT_LANDSCAPE &&
	     ent != TFS_ENT_SERVER) ||
	    !(s = db_stmt(store_db(st), sql[ent])))
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		snprintf(out, size, "landscapes/%s", db_text(s, 0));
	else
		error = TFS_ENOTFOUND;
	sqlite3_reset(s);
	return error;
}

/* ---- groups --------------------------------------------------------------------- */

int tfs_group_create(tfs_store *st, const char *user, const char *name)
{
	char what[300], msg[300];
	int64_t id;
	int error;

	snprintf(what, sizeof(what), "mkdir landscapes/%.200s", name);
	store_write_begin(st);
	if ((error = require_admin_of(st, user,
				      "create landscape "
				      "groups")) < 0)
		goto done;
	if (!tfs_name_valid(name) || strlen(name) > 64) {
		error = tfs_error_set(TFS_EINVALID,
				      "invalid group name "
				      "(letters, digits, . _ - #; at most 64)");
		goto done;
	}
	if ((error = db_exec(&st->db, "BEGIN IMMEDIATE")) < 0)
		goto done;
	snprintf(msg, sizeof(msg),
		 "landscape group %s created (three-tier, "
		 "backup engine mssql: see its group.conf)",
		 name);
	if ((error = insert_row(&id, st,
				"INSERT INTO groups(name, tiers,"
				" mtime) VALUES(?2, 'three-tier', ?3)",
				0, name, name)) < 0)
		db_rollback(&st->db);
	else
		error = record_and_commit(st, user, "LandscapeGroup/Create",
					  msg);
done:
	store_write_end(st);
	return lifecycle_refused(st, user, "LandscapeGroup/Reject", 0, what,
				 error);
}

/* What a row still holds, by kind, that keeps it from being deleted. */
struct holder {
	const char *label; /* "landscapes" */
	const char *sql;   /* names of the held rows; ?1 = the id */
};

/*
 * Delete row `id` of `table`, which `what` names ("landscape group
 * DEMO"), if it holds nothing: TFS_ENOTEMPTY naming what it holds
 * otherwise.  The delete is recorded as `action` (writer lock held).
 */
static int delete_empty(tfs_store *st, const char *user, const char *table,
			int64_t id, const char *what, const struct holder h[2],
			const char *action)
{
	tfs_buf names[2] = { TFS_BUF_INIT, TFS_BUF_INIT };
	char msg[400];
	int n[2] = { 0, 0 }, i, error = 0;

	for (i = 0; i < 2 && !error; i++)
		if ((n[i] = count_rows(&names[i], st, h[i].sql, id)) < 0)
			error = n[i];
	if (!error && (n[0] || n[1]))
		error = tfs_error_set(TFS_ENOTEMPTY,
				      "%s still has %s%s%s%s%s%s"
				      "%s",
				      what, n[0] ? h[0].label : "",
				      n[0] ? ": " : "",
				      n[0] ? names[0].ptr : "",
				      n[0] && n[1] ? "; " : "",
				      n[1] ? h[1].label : "", n[1] ? ": " : "",
				      n[1] ? names[1].ptr : "");
	if (!error) {
		snprintf(msg, sizeof(msg), "%s deleted", what);
		error = delete_row(st, table, id, user, action, msg);
	}
	tfs_buf_free(&names[0]);
	tfs_buf_free(&names[1]);
	return error;
}

int tfs_group_remove(tfs_store *st, const char *user, int64_t id)
{
	static const struct holder held[2] = {
		{ "landscapes", "SELECT type FROM landscapes WHERE group_id = ?"
				" ORDER BY type" },
		{ "tenants", "SELECT name FROM tenants WHERE group_id = ? "
			     "ORDER BY name" },
	};
	char group[256] = "", what[300];
	tfs_row row;
	int error;

	store_write_begin(st);
	if ((error = tfs_store_get(&row, st, TFS_ENT_GROUP, id)) == 0) {
		snprintf(group, sizeof(group), "%s", row.name);
		snprintf(what, sizeof(what), "landscape group %s", group);
	}
	if (error == 0)
		error = require_admin_of(st, user, "delete landscape groups");
	if (error == 0)
		error = delete_empty(st, user, "groups", id, what, held,
				     "LandscapeGroup/Delete");
	store_write_end(st);
	snprintf(what, sizeof(what), "rmdir landscapes/%s", group);
	return lifecycle_refused(st, user, "LandscapeGroup/Reject", 0, what,
				 error);
}

/*
 * `conf` rendered back as .conf text into `out`, with `tiers` in its
 * stored spelling (2 -> two-tier, 3 -> three-tier).  Sets *two when the
 * file asks for two tiers.
 */
static int group_text(tfs_buf *out, bool *two, const tfs_conf *conf)
{
	size_t i;
	int error = 0;

	*two = false;
	for (i = 0; i < conf->n && !error; i++) {
		const char *k = conf->kv[i].key, *v = conf->kv[i].value;
		if (strcmp(k, "tiers") == 0) {
			if (strcmp(v, "2") == 0)
				v = "two-tier";
			else if (strcmp(v, "3") == 0)
				v = "three-tier";
			*two = strcmp(v, "two-tier") == 0;
		}
		error = tfs_buf_printf(out, "%s = %s\n", k, v);
	}
	return error;
}

/*
 * Two tiers are production and staging; three add uat (DOMAIN.md,
 * "Landscape group"; pilot, development and other are outside the tier
 * count).  TFS_EBUSY, naming them, while instances of the group's
 * tenants live on its uat landscape.
 */
static int check_two_tier(tfs_store *st, int64_t id)
{
	tfs_buf names = TFS_BUF_INIT;
	int n, error = 0;

	/* Only a change is judged: a file saved unchanged is no switch. */
	n = count_rows(&names, st,
		       "SELECT t.name || '/' || i.name FROM "
		       "instances i JOIN landscapes l ON l.id = i.landscape_id"
		       " JOIN tenants t ON t.id = i.tenant_id JOIN groups g ON"
		       " g.id = l.group_id WHERE l.group_id = ? AND l.type = "
		       "'uat' AND g.tiers <> 'two-tier' ORDER BY 1",
		       id);
	if (n < 0)
		error = n;
	else if (n > 0)
		error = tfs_error_set(TFS_EBUSY,
				      "tiers: a two-tier group has "
				      "no uat, and these instances are on its "
				      "uat landscape: %s (delete them first)",
				      names.ptr);
	tfs_buf_free(&names);
	return error;
}

int tfs_group_conf_update(tfs_store *st, const char *user, int64_t id,
			  const char *bytes, size_t len)
{
	tfs_buf text = TFS_BUF_INIT;
	tfs_conf conf = { 0 };
	bool two;
	int error;

	store_write_begin(st);
	if ((error = require_admin_of(st, user,
				      "change landscape "
				      "groups")) < 0 ||
	    (error = tfs_conf_parse(&conf, bytes, len)) < 0 ||
	    (error = group_text(&text, &two, &conf)) < 0 ||
	    (two && (error = check_two_tier(st, id)) < 0))
		goto done;
	error = conf_update_locked(st, TFS_ENT_GROUP, id, user,
				   text.ptr ? text.ptr : "", text.size);
done:
	store_write_end(st);
	tfs_conf_free(&conf);
	tfs_buf_free(&text);
	return error;
}

/* ---- landscapes ------------------------------------------------------------------- */

/* The patterns a new landscape starts with: production keeps the bare
 * names, the others add their type ("{tenantName}.staging",
 * "{dbName}-STAGING"), so no two landscapes of a group collide. */
static void default_patterns(char *tenant, char *db, size_t size,
			     const char *type)
{
	char up[32];
	size_t i;

	if (strcmp(type, "production") == 0) {
		snprintf(tenant, size, "{tenantName}");
		snprintf(db, size, "{dbName}");
		return;
	}
	for (i = 0; type[i] && i < sizeof(up) - 1; i++)
		up[i] = (char)(type[i] >= 'a' && type[i] <= 'z' ?
				       type[i] - 'a' + 'A' :
				       type[i]);
	up[i] = '\0';
	snprintf(tenant, size, "{tenantName}.%s", type);
	snprintf(db, size, "{dbName}-%s", up);
}

static int landscape_insert(tfs_store *st, const char *user, int64_t gid,
			    const char *group, const char *type)
{
	char tp[64], dp[64], msg[700], what[300];
	sqlite3_stmt *s;
	int error;

	default_patterns(tp, dp, sizeof(tp), type);
	snprintf(what, sizeof(what), "landscape %s/%s", group, type);
	if ((error = db_exec(&st->db, "BEGIN IMMEDIATE")) < 0)
		return error;
	s = db_stmt(&st->db, "INSERT INTO landscapes(group_id, type,"
			     " tenant_pattern, db_pattern, mtime)"
			     " VALUES(?1, ?2, ?3, ?4, ?5)");
	if (!s) {
		error = TFS_ERROR;
		goto fail;
	}
	sqlite3_bind_int64(s, 1, gid);
	sqlite3_bind_text(s, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, tp, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, dp, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, tfs_now());
	if ((error = db_done(&st->db, s)) < 0) {
		if (error == TFS_EEXISTS)
			tfs_error_set(error,
				      "%s exists (one of each type "
				      "per group)",
				      what);
		goto fail;
	}
	snprintf(msg, sizeof(msg),
		 "%s created (tenant_pattern %s, "
		 "database_pattern %s)",
		 what, tp, dp);
	return record_and_commit(st, user, "Landscape/Create", msg);
fail:
	db_rollback(&st->db);
	return error;
}

int tfs_landscape_create(tfs_store *st, const char *user, int64_t group_id,
			 const char *type)
{
	char group[256] = "?", what[400];
	tfs_row row;
	int error;

	store_write_begin(st);
	if ((error = tfs_store_get(&row, st, TFS_ENT_GROUP, group_id)) == 0)
		snprintf(group, sizeof(group), "%s", row.name);
	if (error == 0)
		error = require_admin_of(st, user, "create landscapes");
	if (error == 0 && !landscape_type_ok(type))
		error = tfs_error_set(TFS_EINVALID,
				      "unknown landscape type "
				      "'%.64s' (one of production staging uat "
				      "pilot development other)",
				      type);
	if (error == 0)
		error = landscape_insert(st, user, group_id, group, type);
	store_write_end(st);
	snprintf(what, sizeof(what), "mkdir landscapes/%s/%.64s", group, type);
	return lifecycle_refused(st, user, "Landscape/Reject", 0, what, error);
}

int tfs_landscape_remove(tfs_store *st, const char *user, int64_t id)
{
	static const struct holder held[2] = {
		{ "instances", "SELECT t.name || '/' || i.name FROM instances i"
			       " JOIN tenants t ON t.id = i.tenant_id WHERE "
			       "i.landscape_id = ? ORDER BY 1" },
		{ "servers", "SELECT name FROM servers WHERE landscape_id = ? "
			     "ORDER BY name" },
	};
	char name[300] = "?", what[400];
	sqlite3_stmt *s;
	int error;

	store_write_begin(st);
	if (!(s = db_stmt(&st->db,
			  "SELECT g.name || '/' || l.type FROM "
			  "landscapes l JOIN groups g ON g.id = l.group_id "
			  "WHERE l.id = ?"))) {
		error = TFS_ERROR;
		goto done;
	}
	sqlite3_bind_int64(s, 1, id);
	error = sqlite3_step(s) == SQLITE_ROW ?
			0 :
			tfs_error_set(TFS_ENOTFOUND, "no such landscape");
	if (error == 0)
		snprintf(name, sizeof(name), "%s", db_text(s, 0));
	sqlite3_reset(s);
	snprintf(what, sizeof(what), "landscape %s", name);
	if (error == 0)
		error = require_admin_of(st, user, "delete landscapes");
	if (error == 0)
		error = delete_empty(st, user, "landscapes", id, what, held,
				     "Landscape/Delete");
done:
	store_write_end(st);
	snprintf(what, sizeof(what), "rmdir landscapes/%s", name);
	return lifecycle_refused(st, user, "Landscape/Reject", 0, what, error);
}

int tfs_landscape_conf_update(tfs_store *st, const char *user, int64_t id,
			      const char *bytes, size_t len)
{
	static const char *const patterns[] = { "tenant_pattern",
						"database_pattern" };
	tfs_conf conf = { 0 };
	const char *v;
	size_t i;
	int error;

	store_write_begin(st);
	if ((error = require_admin_of(st, user, "change landscapes")) < 0 ||
	    (error = tfs_conf_parse(&conf, bytes, len)) < 0)
		goto done;
	/* New instances' uri and database come from the patterns: one
	 * without the tenant's name would give every tenant the same. */
	for (i = 0; i < 2; i++) {
		if (!(v = tfs_conf_get(&conf, patterns[i])) ||
		    strstr(v, "{tenantName}") ||
		    (i == 1 && strstr(v, "{dbName}")))
			continue;
		error = tfs_error_set(TFS_EINVALID,
				      "%s: '%s' does not "
				      "contain {tenantName}%s",
				      patterns[i], v,
				      i == 1 ? " (or {dbName}, its "
					       "upper-case form)" :
					       "");
		goto done;
	}
	error = conf_update_locked(st, TFS_ENT_LANDSCAPE, id, user, bytes, len);
done:
	store_write_end(st);
	tfs_conf_free(&conf);
	return error;
}

/* ---- servers ------------------------------------------------------------------------ */

static const char *const locations[] = { "data_location", "backup_location",
					 "log_location" };

/* TFS_EINVALID, naming `key`, unless `v` is an absolute path to a
 * directory this process may write and enter.  (The daemon is the one
 * that will put databases and backups there; a caller's own rights on
 * this machine say nothing about that.) */
static int check_location(const char *key, const char *v)
{
	struct stat sb;

	if (v[0] != '/')
		return tfs_error_set(TFS_EINVALID,
				     "%s: '%s' is not an "
				     "absolute path on this machine",
				     key, v);
	if (stat(v, &sb) < 0)
		return tfs_error_set(TFS_EINVALID, "%s: %s: %s", key, v,
				     strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return tfs_error_set(TFS_EINVALID, "%s: %s is not a directory",
				     key, v);
	if (access(v, W_OK | X_OK) < 0)
		return tfs_error_set(TFS_EINVALID, "%s: %s is not writable: %s",
				     key, v, strerror(errno));
	return 0;
}

/* Check the locations server `id` has now (inside the transaction that
 * set them). */
static int check_locations(tfs_store *st, int64_t id)
{
	sqlite3_stmt *s = db_stmt(&st->db,
				  "SELECT data_location, "
				  "backup_location, log_location FROM servers"
				  " WHERE id = ?");
	char v[3][1100];
	size_t i;
	int error = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) != SQLITE_ROW)
		error = tfs_error_set(TFS_ENOTFOUND, "no such server");
	for (i = 0; i < 3 && !error; i++)
		snprintf(v[i], sizeof(v[i]), "%s", db_text(s, (int)i));
	sqlite3_reset(s);
	for (i = 0; i < 3 && !error; i++)
		error = check_location(locations[i], v[i]);
	return error;
}

/* The server's `group/type/name` into `out`. */
static int server_path(char *out, size_t size, tfs_store *st, int64_t id,
		       int64_t *land)
{
	sqlite3_stmt *s = db_stmt(&st->db,
				  "SELECT g.name || '/' || l.type ||"
				  " '/servers/' || s.name, l.id FROM servers s"
				  " JOIN landscapes l ON l.id = s.landscape_id"
				  " JOIN groups g ON g.id = l.group_id WHERE"
				  " s.id = ?");
	int error = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		snprintf(out, size, "landscapes/%s.conf", db_text(s, 0));
		if (land)
			*land = sqlite3_column_int64(s, 1);
	} else {
		error = tfs_error_set(TFS_ENOTFOUND, "no such server");
	}
	sqlite3_reset(s);
	return error;
}

/* Record refusal `error` of `what` as Server/Reject; returns it. */
static int server_refused(tfs_store *st, const char *user, const char *what,
			  int error)
{
	char msg[1200];

	if (error >= 0 || error == TFS_ERROR)
		return error;
	snprintf(msg, sizeof(msg), "%s refused: %s", what, tfs_error_last());
	record(st, user, "Server/Reject", msg);
	return tfs_error_set(error, "%s", msg);
}

static int server_insert(tfs_store *st, const char *user, int64_t land,
			 const char *name, const char *bytes, size_t len)
{
	char path[600], msg[700];
	int64_t id;
	int error;

	if ((error = db_exec(&st->db, "BEGIN IMMEDIATE")) < 0)
		return error;
	if ((error = insert_row(&id, st,
				"INSERT INTO servers(landscape_id,"
				" name, mtime) VALUES(?1, ?2, ?3)",
				land, name, name)) < 0 ||
	    (error = conf_update_locked(st, TFS_ENT_SERVER, id, user, bytes,
					len)) < 0 ||
	    (error = check_locations(st, id)) < 0 ||
	    (error = server_path(path, sizeof(path), st, id, NULL)) < 0)
		goto fail;
	snprintf(msg, sizeof(msg), "%s created", path);
	return record_and_commit(st, user, "Server/Create", msg);
fail:
	db_rollback(&st->db);
	return error;
}

int tfs_server_create(tfs_store *st, const char *user, int64_t landscape_id,
		      const char *name, const char *bytes, size_t len)
{
	char what[400];
	tfs_conf conf = { 0 };
	const char *v;
	int error;

	snprintf(what, sizeof(what), "creating server %.200s", name);
	store_write_begin(st);
	if ((error = require_admin_of(st, user, "create servers")) < 0)
		goto done;
	if (!tfs_name_valid(name) || strlen(name) > 64) {
		error = tfs_error_set(TFS_EINVALID,
				      "invalid server name "
				      "(letters, digits, . _ - #; at most 64)");
		goto done;
	}
	if ((error = tfs_conf_parse(&conf, bytes, len)) < 0)
		goto done;
	if ((v = tfs_conf_get(&conf, "name")) && strcmp(v, name) != 0) {
		error = tfs_error_set(TFS_EINVALID,
				      "name: the file is named "
				      "%s.conf, not %s.conf",
				      name, v);
		goto done;
	}
	error = server_insert(st, user, landscape_id, name, bytes, len);
done:
	error = server_refused(st, user, what, error);
	store_write_end(st);
	tfs_conf_free(&conf);
	return error;
}

int tfs_server_update(tfs_store *st, const char *user, int64_t id,
		      const char *bytes, size_t len)
{
	int error;

	store_write_begin(st);
	if ((error = require_admin_of(st, user, "change servers")) < 0 ||
	    (error = db_exec(&st->db, "BEGIN IMMEDIATE")) < 0)
		goto done;
	if ((error = conf_update_locked(st, TFS_ENT_SERVER, id, user, bytes,
					len)) < 0 ||
	    (error = check_locations(st, id)) < 0 ||
	    (error = db_exec(&st->db, "COMMIT")) < 0)
		db_rollback(&st->db);
done:
	store_write_end(st);
	return error;
}

int tfs_server_delete(tfs_store *st, const char *user, int64_t id)
{
	tfs_buf insts = TFS_BUF_INIT;
	char path[600] = "a server", what[700], msg[700];
	int64_t land = 0;
	int n, error;

	store_write_begin(st);
	if ((error = server_path(path, sizeof(path), st, id, &land)) < 0 ||
	    (error = require_admin_of(st, user, "delete servers")) < 0)
		goto done;
	n = count_rows(&insts, st,
		       "SELECT t.name || '/' || i.name FROM "
		       "instances i JOIN tenants t ON t.id = i.tenant_id "
		       "WHERE i.landscape_id = ? ORDER BY 1",
		       land);
	if (n != 0) {
		error = n < 0 ? n :
				tfs_error_set(
					TFS_EBUSY,
					"instances on its landscape "
					"may keep their databases on it: %s",
					insts.ptr);
		goto done;
	}
	snprintf(msg, sizeof(msg), "%s deleted", path);
	error = delete_row(st, "servers", id, user, "Server/Delete", msg);
done:
	snprintf(what, sizeof(what), "rm %s", path);
	error = server_refused(st, user, what, error);
	store_write_end(st);
	tfs_buf_free(&insts);
	return error;
}
