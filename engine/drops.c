/*
 * Files of the drop directories: the results (and preview diffs) of
 * package imports, one row each in the instance's `drops` table.  They are
 * plain data with no history; writing a new result of the same name
 * replaces the old one.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "tenantfs/error.h"
#include "tenantfs/package.h"

static int drop_put_locked(tfs_inst *in, int dir, const char *name,
			   const char *bytes, size_t len)
{
	sqlite3_stmt *s = db_stmt(inst_db(in),
				  "INSERT OR REPLACE INTO drops(dir,"
				  " name, content, time) VALUES(?, ?, ?, ?)");

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int(s, 1, dir);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, bytes ? bytes : "", (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, tfs_now());
	return db_done(inst_db(in), s);
}

int tfs_drop_put(tfs_inst *in, int dir, const char *name, const char *bytes,
		 size_t len)
{
	int error;

	inst_write_begin(in);
	error = drop_put_locked(in, dir, name, bytes, len);
	inst_write_end(in);
	return error;
}

static int row_of(tfs_row *out, int *dir, tfs_inst *in, sqlite3_stmt *s)
{
	int error = 0;

	if (sqlite3_step(s) == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		out->id = sqlite3_column_int64(s, 0);
		snprintf(out->name, sizeof(out->name), "%s", db_text(s, 1));
		out->mtime = sqlite3_column_int64(s, 2);
		out->size = sqlite3_column_int64(s, 3);
		if (dir)
			*dir = sqlite3_column_int(s, 4);
	} else {
		error = tfs_error_set(TFS_ENOTFOUND, "no such file");
	}
	sqlite3_reset(s);
	(void)in;
	return error;
}

#define DROP_COLUMNS "SELECT id, name, time, length(content), dir FROM drops "

int tfs_drop_find(tfs_row *out, tfs_inst *in, int dir, const char *name)
{
	sqlite3_stmt *s = db_stmt(inst_db(in),
				  DROP_COLUMNS "WHERE dir = ? AND name = ?");

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int(s, 1, dir);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	return row_of(out, NULL, in, s);
}

int tfs_drop_get(tfs_row *out, int *dir, tfs_inst *in, int64_t id)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), DROP_COLUMNS "WHERE id = ?");

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	return row_of(out, dir, in, s);
}

int tfs_drop_read(tfs_buf *out, tfs_inst *in, int64_t id)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), "SELECT content FROM drops "
					       "WHERE id = ?");
	int error = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		error = tfs_buf_put(out, sqlite3_column_blob(s, 0),
				    (size_t)sqlite3_column_bytes(s, 0));
	else
		error = tfs_error_set(TFS_ENOTFOUND, "no such file");
	sqlite3_reset(s);
	return error;
}

int tfs_drop_list(tfs_inst *in, int dir, tfs_row_cb cb, void *ctx)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), DROP_COLUMNS "WHERE dir = ? "
							    "ORDER BY name");
	tfs_row row = { 0 };
	int error = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int(s, 1, dir);
	while (sqlite3_step(s) == SQLITE_ROW) {
		row.id = sqlite3_column_int64(s, 0);
		snprintf(row.name, sizeof(row.name), "%s", db_text(s, 1));
		row.mtime = sqlite3_column_int64(s, 2);
		row.size = sqlite3_column_int64(s, 3);
		if ((error = cb(ctx, &row)) != 0)
			break;
	}
	sqlite3_reset(s);
	return error;
}

static int drop_remove_locked(tfs_inst *in, int64_t id)
{
	sqlite3_stmt *s = db_stmt(inst_db(in),
				  "DELETE FROM drops WHERE id = ?");

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	return db_done(inst_db(in), s);
}

int tfs_drop_remove(tfs_inst *in, int64_t id)
{
	int error;

	inst_write_begin(in);
	error = drop_remove_locked(in, id);
	inst_write_end(in);
	return error;
}
