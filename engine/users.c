/*
 * Changes to console users (users/<login>.conf): edit, create, delete,
 * each checked against the permission table (perm.c) under the store's
 * writer lock, so that the row the rule judged is the row changed (two
 * administrators at once cannot both pass on a state neither sees).
 *
 * A uid belongs to at most one user: a change that would give a second
 * user a uid already named is refused (TFS_EINVALID).  Refused creates
 * and deletes are recorded in the events (edits are recorded by the tree,
 * as every rejected save of a .conf file is).  Called by the tree's
 * users/ nodes (node_console.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tenantfs/conf.h"
#include "tenantfs/error.h"
#include "tenantfs/perm.h"

/* Row `id` into *r (r->login points into `login`). */
static int read_row(tfs_user_row *r, char login[64], tfs_store *st, int64_t id)
{
	sqlite3_stmt *s = db_stmt(store_db(st), "SELECT login, administrator,"
						" uid FROM users WHERE id = ?");
	int rc;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		snprintf(login, 64, "%s", db_text(s, 0));
		r->id = id;
		r->login = login;
		r->admin = sqlite3_column_int(s, 1) != 0;
		r->uid = sqlite3_column_type(s, 2) == SQLITE_NULL ?
				 -1 :
				 sqlite3_column_int64(s, 2);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ?
		       tfs_error_set(TFS_ENOTFOUND, "no such user") :
		       db_fail(store_db(st), "users");
}

/* What `conf` would change of the rules' fields (values the update will
 * refuse anyway are left as they are: the update reports them). */
static void apply_conf(tfs_user_row *r, const tfs_conf *conf)
{
	const char *v;
	char *end;
	long long n;

	if ((v = tfs_conf_get(conf, "administrator")) &&
	    (!strcmp(v, "true") || !strcmp(v, "false")))
		r->admin = strcmp(v, "true") == 0;
	if (!(v = tfs_conf_get(conf, "uid")))
		return;
	if (strcmp(v, "none") == 0) {
		r->uid = -1;
		return;
	}
	errno = 0;
	n = strtoll(v, &end, 10);
	if (*v >= '0' && *v <= '9' && !*end && !errno && n <= 4294967294LL)
		r->uid = n;
}

/* TFS_EINVALID if another user than `id` has `uid`. */
static int uid_free(tfs_store *st, int64_t uid, int64_t id)
{
	sqlite3_stmt *s = db_stmt(store_db(st), "SELECT login FROM users "
						"WHERE uid = ? AND id <> ?");
	int error = 0;

	if (uid < 0)
		return 0;
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, uid);
	sqlite3_bind_int64(s, 2, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		error = tfs_error_set(TFS_EINVALID,
				      "uid: %lld belongs to %s "
				      "(a uid belongs to one user)",
				      (long long)uid, db_text(s, 0));
	sqlite3_reset(s);
	return error;
}

/* Record refusal `error` (the reason is the current error). */
static int record(tfs_store *st, const tfs_user *u, const char *path, int error)
{
	char msg[1024];
	tfs_event ev = { .user = u->login,
			 .action = "User/Reject",
			 .message = msg };

	snprintf(msg, sizeof(msg), "%s: %s", path, tfs_error_last());
	store_event_locked(st, &ev);
	tfs_error_set(error, "%s", msg + strlen(path) + 2);
	return error;
}

int tfs_store_user_update(tfs_store *st, const tfs_user *u, int64_t id,
			  const char *bytes, size_t len)
{
	tfs_user_row before, after;
	tfs_conf conf = { 0 };
	char login[64];
	int error;

	store_write_begin(st);
	if ((error = read_row(&before, login, st, id)) < 0 ||
	    (error = tfs_conf_parse(&conf, bytes, len)) < 0)
		goto done;
	after = before;
	apply_conf(&after, &conf);
	if ((error = tfs_perm_user_edit(u, &before, &after)) < 0 ||
	    (after.uid != before.uid &&
	     (error = uid_free(st, after.uid, id)) < 0))
		goto done;
	error = conf_update_locked(st, TFS_ENT_USER, id, u->login, bytes, len);
done:
	store_write_end(st);
	tfs_conf_free(&conf);
	return error;
}

int tfs_store_user_create(tfs_store *st, const tfs_user *u, const char *login,
			  const char *bytes, size_t len)
{
	tfs_user_row row = { .login = login, .uid = -1 };
	tfs_conf conf = { 0 };
	sqlite3_stmt *s;
	char path[300];
	const char *v;
	int error;

	snprintf(path, sizeof(path), "users/%s.conf", login);
	store_write_begin(st);
	if ((error = tfs_perm_user_create(u, &row)) < 0) {
		record(st, u, path, error);
		goto done;
	}
	if (!tfs_name_valid(login)) {
		error = tfs_error_set(TFS_EINVALID, "bad login '%s'", login);
		goto done;
	}
	if ((error = tfs_conf_parse(&conf, bytes, len)) < 0)
		goto done;
	if ((v = tfs_conf_get(&conf, "login")) && strcmp(v, login) != 0) {
		error = tfs_error_set(TFS_EINVALID,
				      "login: the file is "
				      "named %s.conf, not %s.conf",
				      login, v);
		goto done;
	}
	apply_conf(&row, &conf);
	if ((error = uid_free(st, row.uid, 0)) < 0 ||
	    (error = db_exec(&st->db, "BEGIN IMMEDIATE")) < 0)
		goto done;
	s = db_stmt(&st->db, "INSERT INTO users(login, mtime) VALUES(?, ?)");
	if (!s) {
		error = TFS_ERROR;
	} else {
		int rc;
		sqlite3_bind_text(s, 1, login, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, tfs_now());
		if ((rc = sqlite3_step(s)) == SQLITE_CONSTRAINT)
			error = tfs_error_set(TFS_EEXISTS, "user %s exists",
					      login);
		else if (rc != SQLITE_DONE)
			error = db_fail(&st->db, "users");
		sqlite3_reset(s);
	}
	if (!error) {
		tfs_event ev = { .user = u->login,
				 .action = "User/Create",
				 .message = login };
		error = conf_update_locked(st, TFS_ENT_USER,
					   sqlite3_last_insert_rowid(st->db.db),
					   u->login, bytes, len);
		if (!error)
			error = store_event_locked(st, &ev);
	}
	if (!error)
		error = db_exec(&st->db, "COMMIT");
	if (error)
		db_rollback(&st->db);
done:
	store_write_end(st);
	tfs_conf_free(&conf);
	return error;
}

int tfs_store_user_delete(tfs_store *st, const tfs_user *u, int64_t id)
{
	tfs_user_row victim;
	sqlite3_stmt *s;
	char login[64], path[300];
	int error;

	store_write_begin(st);
	if ((error = read_row(&victim, login, st, id)) < 0)
		goto done;
	snprintf(path, sizeof(path), "users/%s.conf", login);
	if ((error = tfs_perm_user_delete(u, &victim)) < 0) {
		record(st, u, path, error);
		goto done;
	}
	if (!(s = db_stmt(&st->db, "DELETE FROM users WHERE id = ?"))) {
		error = TFS_ERROR;
		goto done;
	}
	sqlite3_bind_int64(s, 1, id);
	if ((error = db_done(&st->db, s)) == 0) {
		tfs_event ev = { .user = u->login,
				 .action = "User/Delete",
				 .message = login };
		error = store_event_locked(st, &ev);
	}
done:
	store_write_end(st);
	return error;
}

/* Every store has `admin`, an administrator whose uid is 0 unless
 * another user took it (INTERFACE.md, "Users and permissions"): a store
 * made without the demo (tenantctl generate) has no other user, and
 * without it nobody could work in it. */
static int ensure_admin(tfs_store *st)
{
	return db_exec(
		&st->db,
		"INSERT INTO users(login, name, administrator, uid, mtime)"
		" SELECT 'admin', 'Operations Administrator', 1,"
		" CASE WHEN EXISTS (SELECT 1 FROM users WHERE uid = 0)"
		" THEN NULL ELSE 0 END, CAST(strftime('%s', 'now') AS INTEGER)"
		" WHERE NOT EXISTS (SELECT 1 FROM users WHERE login = 'admin')");
}

int users_upgrade(tfs_store *st)
{
	sqlite3_stmt *s = NULL;
	int rc, n = 0, error;

	if (sqlite3_prepare_v2(st->db.db,
			       "SELECT count(*) FROM "
			       "pragma_table_info('users') WHERE name = "
			       "'password'",
			       -1, &s, NULL) != SQLITE_OK)
		return db_fail(&st->db, "users");
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return db_fail(&st->db, "users");
	if (!n &&
	    (error = db_exec(&st->db, "ALTER TABLE users ADD COLUMN "
				      "password TEXT NOT NULL DEFAULT ''")) < 0)
		return error;
	return ensure_admin(st);
}
