/*
 * Packages of an instance: incremental packages collect transaction sets,
 * master packages order other packages, file packages are frozen exports.
 * Their files under packages/P/ are rendered in package_export.c and, for
 * the writable ones, updated all or nothing in package_update.c.  A closed
 * package never changes again.
 *
 * The export (package.xml) carries, for each transaction of the package's
 * transaction sets, the whole object as stored by that transaction and the
 * SHA-256 of the object before it (the base), so the importer can detect
 * conflicts.  Secrets are exported as "***", as they are stored.  A
 * transaction row names the object's blob in history.git (transactions.blob)
 * rather than holding its bytes; rows written before that column, and
 * versions superseded within their change set, hold the bytes (tx_bytes).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "package_int.h"
#include "tenantfs/doc.h"
#include "tenantfs/error.h"
#include "tenantfs/history.h"
#include "tenantfs/package.h"

const char *const tfs_pkg_file_names[TFS_PKG__COUNT] = {
	[TFS_PKG_CONF] = "package.conf",
	[TFS_PKG_TXSETS] = "transaction-sets",
	[TFS_PKG_ASPECTS] = "aspects",
	[TFS_PKG_SUBS] = "sub-packages",
	[TFS_PKG_XML] = "package.xml",
	[TFS_PKG_COMPACT] = "package.compact.xml",
	[TFS_PKG_IMPACT] = "impact",
	[TFS_PKG_DEPS] = "dependencies",
};

static const char pkg_schema[] =
	"CREATE TABLE IF NOT EXISTS packages("
	" id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,"
	" type TEXT NOT NULL DEFAULT 'incremental',"
	" description TEXT NOT NULL DEFAULT '',"
	" state TEXT NOT NULL DEFAULT 'open', created INTEGER NOT NULL,"
	" mtime INTEGER NOT NULL, frozen BLOB);"
	"CREATE TABLE IF NOT EXISTS package_txsets(package INTEGER NOT NULL,"
	" txset INTEGER NOT NULL, PRIMARY KEY(package, txset));"
	"CREATE TABLE IF NOT EXISTS package_aspects(package INTEGER NOT NULL,"
	" aspect TEXT NOT NULL, version TEXT NOT NULL, vendor TEXT NOT NULL,"
	" uninstall INTEGER NOT NULL, PRIMARY KEY(package, aspect));"
	"CREATE TABLE IF NOT EXISTS package_subs(package INTEGER NOT NULL,"
	" ord INTEGER NOT NULL, sub INTEGER NOT NULL,"
	" PRIMARY KEY(package, ord));"
	"CREATE TABLE IF NOT EXISTS applied(key TEXT PRIMARY KEY,"
	" name TEXT NOT NULL, commit_n INTEGER, time INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS drops(id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" dir INTEGER NOT NULL, name TEXT NOT NULL, content BLOB NOT NULL,"
	" time INTEGER NOT NULL, UNIQUE(dir, name));";

int pkg_schema_init(tfs_inst *in)
{
	sqlite3_stmt *s;
	bool has_source;
	int error;

	if ((error = db_exec(inst_db(in), pkg_schema)) < 0)
		return error;
	/* Stores made before packages remembered where they came from. */
	s = db_stmt(inst_db(in), "SELECT count(*) FROM pragma_table_info("
				 "'packages') WHERE name = 'source'");
	if (!s)
		return TFS_ERROR;
	has_source = sqlite3_step(s) == SQLITE_ROW &&
		     sqlite3_column_int(s, 0) > 0;
	sqlite3_reset(s);
	return has_source ?
		       0 :
		       db_exec(inst_db(in), "ALTER TABLE packages "
					    "ADD COLUMN source TEXT NOT NULL "
					    "DEFAULT ''");
}

int pkg_record_import(tfs_inst *in, const char *name, const char *type,
		      const char *description, const char *source,
		      const char *aspects, int64_t txset)
{
	sqlite3_stmt *s;
	tfs_row row;
	int64_t id;
	char line[600];
	const char *p, *nl;
	int error;

	if (!tfs_name_valid(name) || tfs_pkg_find(&row, in, name) == 0)
		return 0; /* kept under its own name already, or none */
	s = db_stmt(inst_db(in), "INSERT INTO packages(name, type, "
				 "description, state, created, mtime, source) "
				 "VALUES(?1, ?2, ?3, 'closed', ?4, ?4, ?5)");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	/* Whatever its type there (a master's parts, a file's frozen
	 * copy), here it is the one transaction set it was applied as. */
	(void)type;
	sqlite3_bind_text(s, 2, "incremental", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, description, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, tfs_now());
	sqlite3_bind_text(s, 5, source, -1, SQLITE_STATIC);
	if ((error = db_done(inst_db(in), s)) < 0)
		return error;
	id = sqlite3_last_insert_rowid(inst_db(in)->db);
	s = db_stmt(inst_db(in), "INSERT INTO package_txsets(package, txset)"
				 " VALUES(?, ?)");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, txset);
	if ((error = db_done(inst_db(in), s)) < 0)
		return error;
	for (p = aspects; p && (nl = strchr(p, '\n')); p = nl + 1) {
		char a[256], v[64], vendor[256], un[8];

		snprintf(line, sizeof(line), "%.*s", (int)(nl - p), p);
		if (sscanf(line, "%255s %63s %255s %7s", a, v, vendor, un) != 4)
			continue;
		s = db_stmt(inst_db(in), "INSERT OR IGNORE INTO package_aspects"
					 "(package, aspect, version, vendor,"
					 " uninstall) VALUES(?, ?, ?, ?, ?)");
		if (!s)
			return TFS_ERROR;
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_text(s, 2, a, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 3, v, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 4, vendor, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(s, 5, strcmp(un, "yes") == 0);
		if ((error = db_done(inst_db(in), s)) < 0)
			return error;
	}
	return 0;
}

#define PKG_COLUMNS "SELECT id, name, mtime FROM packages "

static int pkg_row(tfs_row *out, tfs_inst *in, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s), error = 0;

	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		out->id = sqlite3_column_int64(s, 0);
		snprintf(out->name, sizeof(out->name), "%s", db_text(s, 1));
		out->mtime = sqlite3_column_int64(s, 2);
	} else if (rc == SQLITE_DONE) {
		error = tfs_error_set(TFS_ENOTFOUND, "no such package");
	} else {
		error = db_fail(inst_db(in), "packages");
	}
	sqlite3_reset(s);
	return error;
}

int tfs_pkg_list(tfs_inst *in, tfs_row_cb cb, void *ctx)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), PKG_COLUMNS "ORDER BY name");
	tfs_row row = { 0 };
	int rc, error = 0;

	if (!s)
		return TFS_ERROR;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row.id = sqlite3_column_int64(s, 0);
		snprintf(row.name, sizeof(row.name), "%s", db_text(s, 1));
		row.mtime = sqlite3_column_int64(s, 2);
		if ((error = cb(ctx, &row)) != 0)
			break;
	}
	sqlite3_reset(s);
	return error;
}

int tfs_pkg_find(tfs_row *out, tfs_inst *in, const char *name)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), PKG_COLUMNS "WHERE name = ?");

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	return pkg_row(out, in, s);
}

int tfs_pkg_get(tfs_row *out, tfs_inst *in, int64_t id)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), PKG_COLUMNS "WHERE id = ?");

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	return pkg_row(out, in, s);
}

int pkg_load(struct pkg *p, tfs_inst *in, int64_t id)
{
	sqlite3_stmt *s = db_stmt(inst_db(in),
				  "SELECT id, name, type, "
				  "description, state, created, source FROM "
				  "packages WHERE id = ?");
	int error = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		p->id = sqlite3_column_int64(s, 0);
		snprintf(p->name, sizeof(p->name), "%s", db_text(s, 1));
		snprintf(p->type, sizeof(p->type), "%s", db_text(s, 2));
		snprintf(p->description, sizeof(p->description), "%s",
			 db_text(s, 3));
		snprintf(p->state, sizeof(p->state), "%s", db_text(s, 4));
		p->created = sqlite3_column_int64(s, 5);
		snprintf(p->source, sizeof(p->source), "%s", db_text(s, 6));
	} else {
		error = tfs_error_set(TFS_ENOTFOUND, "no such package");
	}
	sqlite3_reset(s);
	return error;
}

int tfs_pkg_closed(tfs_inst *in, int64_t id, bool *closed)
{
	struct pkg p;
	int error = pkg_load(&p, in, id);

	if (!error)
		*closed = strcmp(p.state, "closed") == 0;
	return error;
}

static int create_body(tfs_inst *in, void *ctx)
{
	sqlite3_stmt *s = db_stmt(inst_db(in),
				  "INSERT INTO packages(name, "
				  "created, mtime) VALUES(?1, ?2, ?2)");

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_text(s, 1, ctx, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, tfs_now());
	return db_done(inst_db(in), s);
}

static int pkg_create_locked(tfs_inst *in, const char *user, const char *name)
{
	char msg[400];
	tfs_row row;

	if (!tfs_name_valid(name) && !(strchr(name, ' ') == NULL &&
				       strlen(name) < 200 && name[0] != '.'))
		return tfs_error_set(TFS_EINVALID, "invalid package name '%s'",
				     name);
	if (tfs_pkg_find(&row, in, name) == 0)
		return tfs_error_set(TFS_EEXISTS, "package %s exists", name);
	snprintf(msg, sizeof(msg), "package %s created", name);
	return inst_small_change(in, user, "Package/Create", msg, create_body,
				 (void *)name);
}

int tfs_pkg_create(tfs_inst *in, const char *user, const char *name)
{
	int error;

	if ((error = inst_check_packages(in, user)) < 0)
		return error;
	inst_write_begin(in);
	error = pkg_create_locked(in, user, name);
	inst_write_end(in);
	return error;
}

static int remove_body(tfs_inst *in, void *ctx)
{
	static const char *const sql[] = {
		"DELETE FROM package_txsets WHERE package = ?",
		"DELETE FROM package_aspects WHERE package = ?",
		"DELETE FROM package_subs WHERE package = ?",
		"DELETE FROM packages WHERE id = ?",
	};
	int64_t id = *(int64_t *)ctx;
	size_t i;
	int error;

	for (i = 0; i < 4; i++) {
		sqlite3_stmt *s = db_stmt(inst_db(in), sql[i]);
		if (!s)
			return TFS_ERROR;
		sqlite3_bind_int64(s, 1, id);
		if ((error = db_done(inst_db(in), s)) < 0)
			return error;
	}
	return 0;
}

static int pkg_remove_locked(tfs_inst *in, const char *user, int64_t id)
{
	sqlite3_stmt *s;
	struct pkg p;
	char msg[400];
	int error, used;

	if ((error = pkg_load(&p, in, id)) < 0)
		return error;
	if (strcmp(p.state, "closed") == 0)
		return tfs_error_set(TFS_EACCESS,
				     "package %s is closed and "
				     "cannot be removed",
				     p.name);
	s = db_stmt(inst_db(in), "SELECT 1 FROM package_subs WHERE sub = ?");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	used = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	if (used)
		return tfs_error_set(TFS_EBUSY,
				     "package %s is used by a "
				     "master package",
				     p.name);
	snprintf(msg, sizeof(msg), "package %s removed", p.name);
	return inst_small_change(in, user, "Package/Delete", msg, remove_body,
				 &id);
}

int tfs_pkg_remove(tfs_inst *in, const char *user, int64_t id)
{
	int error;

	if ((error = inst_check_packages(in, user)) < 0)
		return error;
	inst_write_begin(in);
	error = pkg_remove_locked(in, user, id);
	inst_write_end(in);
	return error;
}
