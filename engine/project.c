/*
 * Development projects, transaction sets, and the text views of an
 * instance's history and patch log.
 *
 * Every instance has a project "default"; meta.active_project names the
 * project new transaction sets go to.  A project with transaction sets, or
 * the active one, cannot be removed.
 */
#include <stdio.h>
#include <string.h>

#include "doc_int.h"
#include "internal.h"
#include "tenantfs/error.h"

static int row_from(tfs_row *out, sqlite3_stmt *s, db_conn *c, const char *what)
{
	int rc = sqlite3_step(s), error = 0;

	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(s, 0);
		snprintf(out->name, sizeof(out->name), "%s", db_text(s, 1));
		out->mtime = sqlite3_column_int64(s, 2);
	} else if (rc == SQLITE_DONE) {
		error = tfs_error_set(TFS_ENOTFOUND, "no such %s", what);
	} else {
		error = db_fail(c, what);
	}
	sqlite3_reset(s);
	return error;
}

static int each_row(sqlite3_stmt *s, db_conn *c, tfs_row_cb cb, void *ctx)
{
	tfs_row row = { 0 };
	int rc, error = 0;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row.id = sqlite3_column_int64(s, 0);
		snprintf(row.name, sizeof(row.name), "%s", db_text(s, 1));
		row.mtime = sqlite3_column_int64(s, 2);
		if ((error = cb(ctx, &row)) != 0)
			break;
	}
	if (!error && rc != SQLITE_DONE)
		error = db_fail(c, "list");
	sqlite3_reset(s);
	return error;
}

#define PROJECT_COLUMNS                                               \
	"SELECT id, name, max(mtime, COALESCE((SELECT "               \
	"max(created) FROM txsets WHERE project = projects.id), 0)) " \
	"FROM projects "

int tfs_inst_project_list(tfs_inst *in, tfs_row_cb cb, void *ctx)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), PROJECT_COLUMNS "ORDER BY name");

	return s ? each_row(s, inst_db(in), cb, ctx) : TFS_ERROR;
}

int tfs_inst_project_find(tfs_row *out, tfs_inst *in, const char *name)
{
	sqlite3_stmt *s = db_stmt(inst_db(in),
				  PROJECT_COLUMNS "WHERE name = ?");

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	return row_from(out, s, inst_db(in), "project");
}

int tfs_inst_project_get(tfs_row *out, tfs_inst *in, int64_t id)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), PROJECT_COLUMNS "WHERE id = ?");

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	return row_from(out, s, inst_db(in), "project");
}

int inst_log_event(tfs_inst *in, const char *user, const char *action,
		   const char *message)
{
	char iso[32], line[600];
	int64_t t = tfs_now();
	sqlite3_stmt *s;
	int error;

	tfs_time_iso(iso, t);
	snprintf(line, sizeof(line), "%s %s %s\n", iso, user, message);
	s = db_stmt(inst_db(in), "INSERT INTO log(time, line) VALUES(?, ?)");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, t);
	sqlite3_bind_text(s, 2, line, -1, SQLITE_STATIC);
	if ((error = db_done(inst_db(in), s)) < 0)
		return error;
	s = db_stmt(inst_db(in),
		    "INSERT INTO pending_events(time, user, action,"
		    " message) VALUES(?, ?, ?, ?)");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, t);
	sqlite3_bind_text(s, 2, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, message, -1, SQLITE_STATIC);
	return db_done(inst_db(in), s);
}

/*
 * A small change to an instance that is not an object (projects, the
 * active project, packages): `body` runs inside one write transaction with
 * a patch-log line and an event; the instance's files are then invalidated.
 */
int inst_small_change(tfs_inst *in, const char *user, const char *action,
		      const char *message, int (*body)(tfs_inst *, void *),
		      void *ctx)
{
	int error;

	inst_write_begin(in);
	if ((error = db_exec(inst_db(in), "BEGIN IMMEDIATE")) < 0)
		goto done;
	if ((error = body(in, ctx)) < 0 ||
	    (error = inst_log_event(in, user, action, message)) < 0 ||
	    (error = db_exec(inst_db(in), "COMMIT")) < 0) {
		db_rollback(inst_db(in));
		goto done;
	}
	store_flush_events(in->st, in);
	if (in->st->observer)
		in->st->observer(in->st->observer_ctx, in->id,
				 TFS_CHANGE_INSTANCE, 0, 0, NULL);
done:
	inst_write_end(in);
	return error;
}

struct one_stmt {
	const char *sql; /* ?1 = arg (text) or id, ?2 = now */
	const char *arg;
	int64_t id;
};

static int run_one(tfs_inst *in, void *ctx)
{
	struct one_stmt *o = ctx;
	sqlite3_stmt *s = db_stmt(inst_db(in), o->sql);

	if (!s)
		return TFS_ERROR;
	if (o->arg)
		sqlite3_bind_text(s, 1, o->arg, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(s, 1, o->id);
	sqlite3_bind_int64(s, 2, tfs_now());
	return db_done(inst_db(in), s);
}

static int simple_change(tfs_inst *in, const char *user, const char *sql,
			 const char *arg, int64_t id, const char *action,
			 const char *message)
{
	struct one_stmt o = { sql, arg, id };

	return inst_small_change(in, user, action, message, run_one, &o);
}

static int inst_project_create_locked(tfs_inst *in, const char *user,
				      const char *name)
{
	char msg[400];
	tfs_row row = { 0 };

	if (!tfs_name_valid(name))
		return tfs_error_set(TFS_EINVALID, "invalid project name '%s'",
				     name);
	if (tfs_inst_project_find(&row, in, name) == 0)
		return tfs_error_set(TFS_EEXISTS, "project %s exists", name);
	snprintf(msg, sizeof(msg), "project %s created", name);
	return simple_change(in, user,
			     "INSERT INTO projects(name, created,"
			     " mtime) VALUES(?1, ?2, ?2)",
			     name, 0, "Project/Create", msg);
}

int tfs_inst_project_create(tfs_inst *in, const char *user, const char *name)
{
	int error;

	inst_write_begin(in);
	error = inst_project_create_locked(in, user, name);
	inst_write_end(in);
	return error;
}

static int inst_project_remove_locked(tfs_inst *in, const char *user,
				      int64_t id)
{
	tfs_row row, active;
	sqlite3_stmt *s;
	char msg[400];
	int error, used;

	if ((error = tfs_inst_project_get(&row, in, id)) < 0 ||
	    (error = tfs_inst_active_project(&active, in)) < 0)
		return error;
	if (active.id == id)
		return tfs_error_set(TFS_EBUSY,
				     "project %s is the active "
				     "project",
				     row.name);
	s = db_stmt(inst_db(in),
		    "SELECT 1 FROM txsets WHERE project = ? LIMIT 1");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	used = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	if (used)
		return tfs_error_set(TFS_ENOTEMPTY,
				     "project %s has "
				     "transaction sets",
				     row.name);
	snprintf(msg, sizeof(msg), "project %s removed", row.name);
	return simple_change(in, user,
			     "DELETE FROM projects WHERE id = ?1 "
			     "AND ?2 = ?2",
			     NULL, id, "Project/Delete", msg);
}

int tfs_inst_project_remove(tfs_inst *in, const char *user, int64_t id)
{
	int error;

	inst_write_begin(in);
	error = inst_project_remove_locked(in, user, id);
	inst_write_end(in);
	return error;
}

int tfs_inst_active_project(tfs_row *out, tfs_inst *in)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), PROJECT_COLUMNS
				  "WHERE name = "
				  "(SELECT value FROM meta WHERE key = "
				  "'active_project')");

	if (!s)
		return TFS_ERROR;
	return row_from(out, s, inst_db(in), "active project");
}

static int inst_set_active_project_locked(tfs_inst *in, const char *user,
					  const char *name)
{
	char msg[400];
	tfs_row row = { 0 };
	int error;

	if ((error = tfs_inst_project_find(&row, in, name)) < 0)
		return tfs_error_set(TFS_EINVALID,
				     "no project '%s' (create "
				     "it with mkdir projects/%s)",
				     name, name);
	snprintf(msg, sizeof(msg), "active project set to %s", name);
	return simple_change(in, user,
			     "INSERT OR REPLACE INTO meta(key, "
			     "value) SELECT 'active_project', ?1 WHERE ?2 = ?2",
			     name, 0, "Project/Activate", msg);
}

int tfs_inst_set_active_project(tfs_inst *in, const char *user,
				const char *name)
{
	int error;

	inst_write_begin(in);
	error = inst_set_active_project_locked(in, user, name);
	inst_write_end(in);
	return error;
}

int tfs_inst_txset_list(tfs_inst *in, int64_t project, tfs_row_cb cb, void *ctx)
{
	sqlite3_stmt *s = db_stmt(inst_db(in),
				  "SELECT id, id, created FROM "
				  "txsets WHERE project = ? ORDER BY id");

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, project);
	return each_row(s, inst_db(in), cb, ctx);
}

int tfs_inst_txset_get(tfs_row *out, int64_t *project, tfs_inst *in, int64_t id)
{
	sqlite3_stmt *s = db_stmt(inst_db(in),
				  "SELECT id, id, created, project "
				  "FROM txsets WHERE id = ?");
	int error = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		out->id = sqlite3_column_int64(s, 0);
		snprintf(out->name, sizeof(out->name), "%s", db_text(s, 1));
		out->mtime = sqlite3_column_int64(s, 2);
		if (project)
			*project = sqlite3_column_int64(s, 3);
	} else {
		error = tfs_error_set(TFS_ENOTFOUND, "no transaction set");
	}
	sqlite3_reset(s);
	return error;
}

int tfs_inst_txset_render(tfs_buf *out, tfs_inst *in, int64_t id)
{
	sqlite3_stmt *s =
		db_stmt(inst_db(in),
			"SELECT t.id, p.name, t.user, "
			"t.created, t.commit_n FROM txsets t JOIN projects p "
			"ON p.id = t.project WHERE t.id = ?");
	char iso[32], num[32];
	int rc, error = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return tfs_error_set(TFS_ENOTFOUND, "no transaction set");
	}
	tfs_time_iso(iso, sqlite3_column_int64(s, 3));
	error = tfs_buf_printf(out, "<transaction-set id=\"%lld\"",
			       (long long)id);
	if (!error)
		error = doc_put_attr(out, "project", db_text(s, 1));
	if (!error)
		error = doc_put_attr(out, "user", db_text(s, 2));
	if (!error)
		error = doc_put_attr(out, "created", iso);
	if (!error && sqlite3_column_type(s, 4) != SQLITE_NULL) {
		snprintf(num, sizeof(num), "%d", sqlite3_column_int(s, 4));
		error = doc_put_attr(out, "commit", num);
	}
	if (!error)
		error = tfs_buf_puts(out, ">\n");
	sqlite3_reset(s);
	s = db_stmt(inst_db(in),
		    "SELECT seq, op, kind, type, bo, name, guid, "
		    "before, after FROM transactions WHERE txset = ? "
		    "ORDER BY seq");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	while (!error && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		tfs_kind kind = (tfs_kind)sqlite3_column_int(s, 2);
		const char *type = db_text(s, 3);
		char path[600];

		obj_path(path, sizeof(path), kind, type, db_text(s, 5));
		error = tfs_buf_printf(out, "  <transaction seq=\"%lld\"",
				       (long long)sqlite3_column_int64(s, 0));
		if (!error)
			error = doc_put_attr(out, "op", db_text(s, 1));
		if (!error)
			error = doc_put_attr(out, "path", path);
		if (!error)
			error = doc_put_attr(out, "type",
					     kind == TFS_KIND_VALIDATION ?
						     "ValidationList" :
						     type);
		if (!error && sqlite3_column_type(s, 4) != SQLITE_NULL)
			error = doc_put_attr(out, "businessObject",
					     db_text(s, 4));
		if (!error)
			error = doc_put_attr(out, "name", db_text(s, 5));
		if (!error && sqlite3_column_type(s, 6) != SQLITE_NULL)
			error = doc_put_attr(out, "guid", db_text(s, 6));
		if (!error)
			error = doc_put_attr(out, "base", db_text(s, 7));
		if (!error)
			error = doc_put_attr(out, "after", db_text(s, 8));
		if (!error)
			error = tfs_buf_puts(out, "/>\n");
	}
	sqlite3_reset(s);
	return error ? error : tfs_buf_puts(out, "</transaction-set>\n");
}

/* ---- history and log text ---------------------------------------------------- */

int tfs_inst_history_count(tfs_inst *in, int *out)
{
	char oid[41];

	return inst_last_commit(in, out, oid);
}

int tfs_inst_history_commit(char oid[41], int64_t *time, tfs_inst *in, int n)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), "SELECT oid, time FROM commits "
					       "WHERE n = ?");
	int error = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int(s, 1, n);
	if (sqlite3_step(s) == SQLITE_ROW) {
		snprintf(oid, 41, "%s", db_text(s, 0));
		if (time)
			*time = sqlite3_column_int64(s, 1);
	} else {
		error = tfs_error_set(TFS_ENOTFOUND, "no commit %d", n);
	}
	sqlite3_reset(s);
	return error;
}

int tfs_inst_history_render(tfs_buf *out, tfs_inst *in)
{
	sqlite3_stmt *s = db_stmt(inst_db(in),
				  "SELECT n, oid, time, user, "
				  "message FROM commits ORDER BY n DESC");
	char iso[32];
	int rc, error = 0;

	if (!s)
		return TFS_ERROR;
	while (!error && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		tfs_time_iso(iso, sqlite3_column_int64(s, 2));
		error = tfs_buf_printf(out, "%d %s %s %s %s\n",
				       sqlite3_column_int(s, 0), db_text(s, 1),
				       iso, db_text(s, 3), db_text(s, 4));
	}
	sqlite3_reset(s);
	return error;
}

int tfs_inst_log_render(tfs_buf *out, tfs_inst *in)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), "SELECT line FROM log "
					       "ORDER BY id");
	int rc, error = 0;

	if (!s)
		return TFS_ERROR;
	while (!error && (rc = sqlite3_step(s)) == SQLITE_ROW)
		error = tfs_buf_puts(out, db_text(s, 0));
	sqlite3_reset(s);
	return error;
}
