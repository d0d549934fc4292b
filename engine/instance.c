/*
 * Tenant instances: the instance database and every change to it.
 *
 * All changes go through a change set (struct cset): BEGIN IMMEDIATE, put
 * or delete objects (recording one transaction row each in one transaction
 * set of the active project), write the history commit objects, record the
 * commit, queue the event, COMMIT, then move the branch and publish the
 * event.  The branch moves only after the database commit, so a crash
 * leaves the branch at most one commit behind, which inst_recover() fixes
 * on the next open.  Object rows hold the canonical bytes (secrets masked),
 * so reads are lookups.
 *
 * Called by the tree (engine/tree.c) under its lock, and by tenantctl.
 */
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cset.h"
#include "internal.h"
#include "tenantfs/seed.h"
#include "tenantfs/error.h"
#include "tenantfs/history.h"
#include "tenantfs/sha256.h"

static const char inst_schema[] =
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value);"
	"CREATE TABLE IF NOT EXISTS dirs("
	" id INTEGER PRIMARY KEY AUTOINCREMENT, kind INTEGER NOT NULL,"
	" type TEXT NOT NULL, UNIQUE(kind, type));"
	"CREATE TABLE IF NOT EXISTS objects("
	" id INTEGER PRIMARY KEY AUTOINCREMENT, dir INTEGER NOT NULL,"
	" name TEXT NOT NULL, guid TEXT NOT NULL, bo TEXT,"
	" sha TEXT NOT NULL, mtime INTEGER NOT NULL, bytes BLOB NOT NULL,"
	" last_tx INTEGER, UNIQUE(dir, name));"
	"CREATE INDEX IF NOT EXISTS objects_guid ON objects(guid);"
	"CREATE TABLE IF NOT EXISTS refs(obj INTEGER NOT NULL,"
	" kind TEXT NOT NULL, target TEXT NOT NULL,"
	" PRIMARY KEY(obj, kind, target)) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS refs_target ON refs(kind, target);"
	"CREATE TABLE IF NOT EXISTS secrets(obj INTEGER NOT NULL,"
	" path TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY(obj, path));"
	"CREATE TABLE IF NOT EXISTS projects("
	" id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,"
	" created INTEGER NOT NULL, mtime INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS txsets("
	" id INTEGER PRIMARY KEY AUTOINCREMENT, project INTEGER NOT NULL,"
	" user TEXT NOT NULL, created INTEGER NOT NULL,"
	" source TEXT NOT NULL DEFAULT '', commit_n INTEGER);"
	"CREATE INDEX IF NOT EXISTS txsets_project ON txsets(project);"
	"CREATE TABLE IF NOT EXISTS transactions("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT, txset INTEGER NOT NULL,"
	" op TEXT NOT NULL, kind INTEGER NOT NULL, type TEXT NOT NULL,"
	" bo TEXT, name TEXT NOT NULL, guid TEXT,"
	" before TEXT NOT NULL DEFAULT '', after TEXT NOT NULL DEFAULT '',"
	" bytes BLOB, blob TEXT, prev INTEGER);"
	"CREATE INDEX IF NOT EXISTS transactions_txset ON transactions(txset);"
	"CREATE TABLE IF NOT EXISTS commits(n INTEGER PRIMARY KEY,"
	" oid TEXT NOT NULL, time INTEGER NOT NULL, user TEXT NOT NULL,"
	" message TEXT NOT NULL, txset INTEGER);"
	"CREATE TABLE IF NOT EXISTS log(id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" time INTEGER NOT NULL, line TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS pending_events("
	" id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL,"
	" user TEXT NOT NULL, action TEXT NOT NULL, message TEXT NOT NULL);";

int64_t tfs_inst_id(const tfs_inst *in)
{
	return in->id;
}
const char *tfs_inst_tenant(const tfs_inst *in)
{
	return in->tenant;
}
const char *tfs_inst_name(const tfs_inst *in)
{
	return in->name;
}
bool tfs_inst_locked(const tfs_inst *in)
{
	return __atomic_load_n(&in->locked, __ATOMIC_RELAXED);
}

bool tfs_inst_type_lockable(tfs_kind kind, const char *type)
{
	if (kind == TFS_KIND_VALIDATION)
		return true;
	if (kind != TFS_KIND_METADATA)
		return false;
	return strcmp(type, "QuickAction") != 0 &&
	       strcmp(type, "Dashboard") != 0 && strcmp(type, "Search") != 0 &&
	       strcmp(type, "Report") != 0;
}

/* ---- small helpers ------------------------------------------------------- */

static int meta_get_int(tfs_inst *in, const char *key, int64_t *out)
{
	sqlite3_stmt *s = db_stmt(inst_db(in),
				  "SELECT value FROM meta WHERE key = ?");

	if (!s)
		return TFS_ERROR;
	*out = 0;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

int inst_meta_get_text(tfs_inst *in, const char *key, tfs_buf *out)
{
	sqlite3_stmt *s = db_stmt(inst_db(in),
				  "SELECT value FROM meta WHERE key = ?");
	int error = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		error = tfs_buf_puts(out, db_text(s, 0));
	sqlite3_reset(s);
	return error;
}

int inst_meta_set_int(tfs_inst *in, const char *key, int64_t v)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), "INSERT OR REPLACE INTO "
					       "meta(key, value) VALUES(?, ?)");

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, v);
	return db_done(inst_db(in), s);
}

int inst_meta_set_text(tfs_inst *in, const char *key, const char *v)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), "INSERT OR REPLACE INTO "
					       "meta(key, value) VALUES(?, ?)");

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, v, -1, SQLITE_TRANSIENT);
	return db_done(inst_db(in), s);
}

int tfs_inst_meta_get(tfs_inst_meta *out, tfs_inst *in)
{
	tfs_buf b = TFS_BUF_INIT;
	int error;

	memset(out, 0, sizeof(*out));
	if ((error = meta_get_int(in, "version", &out->version)) < 0 ||
	    (error = meta_get_int(in, "last_update", &out->last_update)) < 0 ||
	    (error = inst_meta_get_text(in, "last_update_by", &b)) < 0)
		goto done;
	snprintf(out->last_update_by, sizeof(out->last_update_by), "%s",
		 b.ptr ? b.ptr : "");
done:
	tfs_buf_free(&b);
	return error;
}

int64_t tfs_inst_mtime(tfs_inst *in)
{
	int64_t t = 0;

	meta_get_int(in, "last_update", &t);
	return t;
}

int inst_conf_value(tfs_buf *out, tfs_inst *in, const char *key)
{
	tfs_inst_meta m;
	char iso[32];
	int error;

	if ((error = tfs_inst_meta_get(&m, in)) < 0)
		return error;
	if (strcmp(key, "version") == 0)
		return tfs_buf_printf(out, "%lld", (long long)m.version);
	if (strcmp(key, "last_update") == 0) {
		tfs_time_iso(iso, m.last_update);
		return tfs_buf_puts(out, iso);
	}
	if (strcmp(key, "last_update_by") == 0)
		return tfs_buf_puts(out, m.last_update_by);
	if (strcmp(key, "landscape") == 0)
		return tfs_buf_puts(out, in->landscape);
	return tfs_error_set(TFS_ENOTFOUND, "no key %s", key);
}

/* ---- opening ------------------------------------------------------------- */

/*
 * The instance's console properties.  `first`: all of them (at open,
 * before any other thread sees the instance); otherwise only those that
 * can change while it is open (the metadata lock), so that readers of
 * the names never race with the reload.
 */
static int load_props(tfs_inst *in, bool first)
{
	sqlite3_stmt *s = db_stmt(
		store_db(in->st),
		"SELECT i.name, t.name, t.company, i.metadata_locked,"
		" COALESCE(l.type, ''), i.tenant_id, COALESCE(i.landscape_id, 0)"
		" FROM instances i JOIN tenants t ON t.id = i.tenant_id"
		" LEFT JOIN landscapes l ON l.id = i.landscape_id"
		" WHERE i.id = ?");
	int error = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, in->id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		error = tfs_error_set(TFS_ENOTFOUND, "no instance %lld",
				      (long long)in->id);
		goto done;
	}
	__atomic_store_n(&in->locked, sqlite3_column_int(s, 3) != 0,
			 __ATOMIC_RELAXED);
	if (!first)
		goto done;
	snprintf(in->name, sizeof(in->name), "%s", db_text(s, 0));
	snprintf(in->tenant, sizeof(in->tenant), "%s", db_text(s, 1));
	snprintf(in->company, sizeof(in->company), "%s", db_text(s, 2));
	snprintf(in->landscape, sizeof(in->landscape), "%s", db_text(s, 4));
	in->tenant_id = sqlite3_column_int64(s, 5);
	in->landscape_id = sqlite3_column_int64(s, 6);
	snprintf(in->branch, sizeof(in->branch), "%s/%s", in->tenant, in->name);
done:
	sqlite3_reset(s);
	return error;
}

int inst_reload(tfs_inst *in)
{
	return load_props(in, false);
}

static int init_schema(tfs_inst *in)
{
	sqlite3_stmt *s;
	int64_t now = tfs_now();
	int error, k, i;

	if ((error = db_exec(inst_db(in), "BEGIN")) < 0)
		return error;
	if ((error = db_exec(inst_db(in), inst_schema)) < 0)
		goto fail;
	s = db_stmt(inst_db(in), "INSERT OR IGNORE INTO dirs(kind, type) "
				 "VALUES(?, ?)");
	if (!s) {
		error = TFS_ERROR;
		goto fail;
	}
	for (k = 0; k < 3; k++) {
		const char *const *types = k == 0 ? tfs_metadata_types :
					   k == 2 ? tfs_settings_types :
						    NULL;
		static const char *const none[] = { "", NULL };
		if (!types)
			types = none;
		for (i = 0; types[i]; i++) {
			sqlite3_bind_int(s, 1, k);
			sqlite3_bind_text(s, 2, types[i], -1, SQLITE_STATIC);
			if ((error = db_done(inst_db(in), s)) < 0)
				goto fail;
		}
	}
	s = db_stmt(inst_db(in),
		    "INSERT OR IGNORE INTO projects(name, created, "
		    "mtime) VALUES('default', ?1, ?1)");
	if (!s) {
		error = TFS_ERROR;
		goto fail;
	}
	sqlite3_bind_int64(s, 1, now);
	if ((error = db_done(inst_db(in), s)) < 0 ||
	    (error = db_exec(inst_db(in),
			     "INSERT OR IGNORE INTO meta "
			     "VALUES('active_project', 'default')")) < 0 ||
	    (error = inst_meta_set_int(in, "last_update", now)) < 0 ||
	    (error = inst_meta_set_text(in, "last_update_by", "admin")) < 0)
		goto fail;
	return db_exec(inst_db(in), "COMMIT");
fail:
	db_rollback(inst_db(in));
	return error;
}

/* The count `sql` (one column, one row) gives; -1 with the error set. */
static int count_of(tfs_inst *in, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int rc, n = 0;

	/* Not through db_stmt: run once, it would only take a cache slot. */
	if (sqlite3_prepare_v2(inst_db(in)->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(inst_db(in), "schema");
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return db_fail(inst_db(in), "schema");
	return n;
}

/*
 * Link every transaction to the object's previous one (transactions.prev)
 * and every object to its latest (objects.last_tx), as the index
 * transactions_object of earlier versions finds them: the latest earlier
 * transaction of the same path.  Then drop that index, which every
 * transaction had to insert into at a random place (a third of the index
 * work of applying a large package).  Run in one transaction with the
 * columns' creation: a crash leaves the old layout, which the next open
 * upgrades again.
 */
static const char link_transactions[] =
	"CREATE INDEX IF NOT EXISTS transactions_object"
	" ON transactions(kind, type, name, seq);"
	"UPDATE transactions SET prev = (SELECT max(p.seq) FROM transactions p"
	" WHERE p.kind = transactions.kind AND p.type = transactions.type"
	" AND p.name = transactions.name AND p.seq < transactions.seq);"
	"UPDATE objects SET last_tx = (SELECT max(t.seq) FROM dirs d"
	" JOIN transactions t ON t.kind = d.kind AND t.type = d.type"
	" WHERE d.id = objects.dir AND t.name = objects.name);"
	"DROP INDEX transactions_object;";

/*
 * References keyed by what they are, (obj, kind, target), rather than by
 * a rowid that an index by obj then points to: one B-tree fewer to insert
 * into for every reference of every object stored.  An object's
 * references are unique (doc.c), so nothing is lost.
 */
static const char refs_by_obj[] =
	"CREATE TABLE refs_new(obj INTEGER NOT NULL, kind TEXT NOT NULL,"
	" target TEXT NOT NULL, PRIMARY KEY(obj, kind, target)) WITHOUT ROWID;"
	"INSERT OR IGNORE INTO refs_new SELECT obj, kind, target FROM refs"
	" ORDER BY obj, kind, target;"
	"DROP TABLE refs;"
	"ALTER TABLE refs_new RENAME TO refs;"
	"CREATE INDEX refs_target ON refs(kind, target);";

/* Run `sql` then `more` (each several statements, or "") in one write
 * transaction. */
static int exec_atomic(tfs_inst *in, const char *sql, const char *more)
{
	int error;

	if ((error = db_exec(inst_db(in), "BEGIN IMMEDIATE")) < 0)
		return error;
	if ((error = db_exec(inst_db(in), sql)) < 0 ||
	    (error = db_exec(inst_db(in), more)) < 0 ||
	    (error = db_exec(inst_db(in), "COMMIT")) < 0)
		db_rollback(inst_db(in));
	return error;
}

/*
 * Bring a database made by an earlier version up to inst_schema; run on
 * every open, so each step checks whether it is needed.
 *
 * transactions.blob: the git blob id of the object the transaction
 * stored (its bytes are in history.git; bytes then NULL).  Rows written
 * before it keep their bytes, and readers take those when present.
 *
 * transactions.prev, objects.last_tx: see link_transactions.  The old
 * index present means an earlier version wrote here (possibly after
 * this one, without keeping the links), so the links are made again.
 *
 * refs without rowid: see refs_by_obj; the old layout had refs_obj.
 */
static int upgrade_schema(tfs_inst *in)
{
	int n, cols, error;

	if ((n = count_of(in, "SELECT count(*) FROM pragma_table_info("
			      "'transactions') WHERE name = 'blob'")) < 0)
		return n;
	if (!n && (error = db_exec(inst_db(in), "ALTER TABLE transactions ADD "
						"COLUMN blob TEXT")) < 0)
		return error;
	if ((cols = count_of(in, "SELECT count(*) FROM pragma_table_info("
				 "'transactions') WHERE name = 'prev'")) < 0)
		return cols;
	if ((n = count_of(in, "SELECT count(*) FROM sqlite_master WHERE "
			      "type = 'index' AND name = "
			      "'transactions_object'")) < 0)
		return n;
	if ((!cols || n) &&
	    (error = exec_atomic(
		     in,
		     cols ? "" :
			    "ALTER TABLE transactions "
			    "ADD COLUMN prev INTEGER; ALTER TABLE objects "
			    "ADD COLUMN last_tx INTEGER;",
		     link_transactions)) < 0)
		return error;
	if ((n = count_of(in, "SELECT count(*) FROM sqlite_master WHERE "
			      "type = 'index' AND name = 'refs_obj'")) < 0)
		return n;
	return n ? exec_atomic(in, refs_by_obj, "") : 0;
}

int inst_schema_upgrade(tfs_inst *in)
{
	int error = upgrade_schema(in);

	return error ? error : pkg_schema_init(in);
}

int inst_open(tfs_inst **out, tfs_store *st, int64_t id, bool create)
{
	char path[PATH_MAX];
	tfs_inst *in;
	int n, error;

	*out = NULL;
	in = calloc(1, sizeof(*in));
	if (!in)
		return tfs_error_set(TFS_ERROR, "out of memory");
	in->st = st;
	in->id = id;
	wlock_init(&in->wl);
	pthread_mutex_init(&in->dmu, NULL);
	if ((error = load_props(in, true)) < 0)
		goto done;
	n = snprintf(path, sizeof(path), "%s/instances/%s", st->path,
		     in->tenant);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		error = tfs_error_set(TFS_ERROR, "path too long");
		goto done;
	}
	if (create)
		mkdir(path, 0755);
	n = snprintf(path, sizeof(path), "%s/instances/%s/%s.db", st->path,
		     in->tenant, in->name);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		error = tfs_error_set(TFS_ERROR, "path too long");
		goto done;
	}
	inst_file_tidy(path);
	if ((error = db_open(&in->db, path, create)) < 0 ||
	    (error = db_pool_init(&in->pool, path)) < 0)
		goto done;
	/* Found now, not at the first save: SQLite opens a file it cannot
	 * write read-only without a word. */
	if (sqlite3_db_readonly(in->db.db, "main") == 1 ||
	    access(path, W_OK) < 0) {
		error = tfs_error_set(TFS_ERROR, "%s is not writable", path);
		goto done;
	}
	if (st->ckpt && (error = ckpt_attach(st->ckpt, &in->db, path)) < 0)
		goto done;
	inst_write_begin(in);
	if ((!create || (error = init_schema(in)) == 0) &&
	    (error = upgrade_schema(in)) == 0)
		error = pkg_schema_init(in);
	inst_write_end(in);
	if (error < 0)
		goto done;
	*out = in;
	in = NULL;
done:
	inst_free(in);
	return error;
}

void inst_free(tfs_inst *in)
{
	if (!in)
		return;
	db_pool_free(&in->pool);
	db_close(&in->db);
	wlock_destroy(&in->wl);
	pthread_mutex_destroy(&in->dmu);
	tfs_buf_free(&in->damaged);
	free(in);
}

int inst_last_commit(tfs_inst *in, int *n, char oid[41])
{
	sqlite3_stmt *s = db_stmt(inst_db(in), "SELECT n, oid FROM commits "
					       "ORDER BY n DESC LIMIT 1");

	if (!s)
		return TFS_ERROR;
	*n = 0;
	oid[0] = '\0';
	if (sqlite3_step(s) == SQLITE_ROW) {
		*n = sqlite3_column_int(s, 0);
		snprintf(oid, 41, "%s", db_text(s, 1));
	}
	sqlite3_reset(s);
	return 0;
}

int inst_commit_row(db_conn *db, int n, const char *oid, int64_t time,
		    const char *user, const char *message, int64_t txset)
{
	sqlite3_stmt *s = db_stmt(db, "INSERT INTO commits(n, oid, time, "
				      "user, message, txset) "
				      "VALUES(?, ?, ?, ?, ?, ?)");

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int(s, 1, n);
	sqlite3_bind_text(s, 2, oid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, time);
	sqlite3_bind_text(s, 4, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, message, -1, SQLITE_STATIC);
	if (txset)
		sqlite3_bind_int64(s, 6, txset);
	else
		sqlite3_bind_null(s, 6);
	return db_done(db, s);
}

static int inst_recover_locked(tfs_inst *in)
{
	char db_oid[41], ref[41];
	int n, error;

	if ((error = inst_last_commit(in, &n, db_oid)) < 0)
		return error;
	if (n > 0 &&
	    (error = tfs_history_commit_whole(in->st->hist, db_oid, 0)) <= 0) {
		if (error < 0 || (error = inst_heal_history(in, n, NULL)) < 0)
			return error;
		return store_flush_events(in->st, in);
	}
	if (n > 0) {
		error = tfs_history_get_ref(ref, in->st->hist, in->branch);
		if (error < 0 && error != TFS_ENOTFOUND)
			return error;
		if (error == TFS_ENOTFOUND || strcmp(ref, db_oid) != 0) {
			/* The database committed but the branch did not
			 * move: the commit object was written first, so it
			 * exists; move the branch to it. */
			if (tfs_history_has_commit(in->st->hist, db_oid) != 1)
				return tfs_error_set(
					TFS_ERROR,
					"%s: commit %s "
					"of the database is missing from "
					"history.git",
					in->branch, db_oid);
			if ((error = tfs_history_set_ref(in->st->hist,
							 in->branch, db_oid)) <
			    0)
				return error;
		}
	}
	return store_flush_events(in->st, in);
}

int inst_recover(tfs_inst *in)
{
	int error;

	inst_write_begin(in);
	error = inst_recover_locked(in);
	inst_write_end(in);
	return error;
}

/* ---- directories ----------------------------------------------------------- */

int tfs_inst_dir_find(int64_t *out, tfs_inst *in, tfs_kind kind,
		      const char *type)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), "SELECT id FROM dirs "
					       "WHERE kind = ? AND type = ?");
	int error = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int(s, 1, (int)kind);
	sqlite3_bind_text(s, 2, type, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	else
		error = tfs_error_set(TFS_ENOTFOUND, "no directory %s/%s",
				      tfs_kind_dir(kind), type);
	sqlite3_reset(s);
	return error;
}

int tfs_inst_dir_get(tfs_inst *in, int64_t id, tfs_kind *kind, char type[256])
{
	sqlite3_stmt *s = db_stmt(inst_db(in), "SELECT kind, type FROM dirs "
					       "WHERE id = ?");
	int error = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*kind = (tfs_kind)sqlite3_column_int(s, 0);
		snprintf(type, 256, "%s", db_text(s, 1));
	} else {
		error = tfs_error_set(TFS_ENOTFOUND, "no directory %lld",
				      (long long)id);
	}
	sqlite3_reset(s);
	return error;
}

/* Whether business object `bo` exists in the instance's metadata. */
static int bo_exists(tfs_inst *in, const char *bo)
{
	tfs_obj_info info;
	int64_t dir;
	int error;

	if ((error = tfs_inst_dir_find(&dir, in, TFS_KIND_METADATA,
				       "BusinessObject")) < 0)
		return error;
	error = tfs_inst_obj_find(&info, in, dir, bo);
	if (error == TFS_ENOTFOUND)
		return 0;
	return error < 0 ? error : 1;
}

int inst_dir_insert(int64_t *out, tfs_inst *in, tfs_kind kind, const char *type)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), "INSERT INTO dirs(kind, type) "
					       "VALUES(?, ?)");
	int error;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int(s, 1, (int)kind);
	sqlite3_bind_text(s, 2, type, -1, SQLITE_STATIC);
	if ((error = db_done(inst_db(in), s)) < 0)
		return error;
	*out = sqlite3_last_insert_rowid(inst_db(in)->db);
	return 0;
}

static int inst_dir_create_locked(int64_t *out, tfs_inst *in, tfs_kind kind,
				  const char *type)
{
	int64_t id;
	int error;

	if (kind != TFS_KIND_MASTER && kind != TFS_KIND_DATA)
		return tfs_error_set(TFS_EACCESS,
				     "only business-object "
				     "directories under master/ and data/ "
				     "can be created");
	if (!tfs_type_valid(kind, type))
		return tfs_error_set(TFS_EINVALID,
				     "invalid business object "
				     "name '%s'",
				     type);
	if (tfs_inst_dir_find(&id, in, kind, type) == 0)
		return tfs_error_set(TFS_EEXISTS, "%s/%s exists",
				     tfs_kind_dir(kind), type);
	if ((error = bo_exists(in, type)) < 0)
		return error;
	if (!error)
		return tfs_error_set(TFS_EINVALID,
				     "business object %s is not "
				     "defined in metadata/BusinessObject",
				     type);
	if ((error = inst_dir_insert(&id, in, kind, type)) < 0)
		return error;
	if (out)
		*out = id;
	return 0;
}

int tfs_inst_dir_create(int64_t *out, tfs_inst *in, tfs_kind kind,
			const char *type)
{
	int error;

	inst_write_begin(in);
	error = inst_dir_create_locked(out, in, kind, type);
	inst_write_end(in);
	return error;
}

static int inst_dir_remove_locked(tfs_inst *in, int64_t id)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), "SELECT 1 FROM objects "
					       "WHERE dir = ? LIMIT 1");
	tfs_kind kind;
	char type[256];
	int error, busy;

	if ((error = tfs_inst_dir_get(in, id, &kind, type)) < 0)
		return error;
	if (kind != TFS_KIND_MASTER && kind != TFS_KIND_DATA)
		return tfs_error_set(TFS_EACCESS, "%s/%s cannot be removed",
				     tfs_kind_dir(kind), type);
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	busy = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	if (busy)
		return tfs_error_set(TFS_ENOTEMPTY, "%s/%s is not empty",
				     tfs_kind_dir(kind), type);
	s = db_stmt(inst_db(in), "DELETE FROM dirs WHERE id = ?");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	return db_done(inst_db(in), s);
}

int tfs_inst_dir_remove(tfs_inst *in, int64_t id)
{
	int error;

	inst_write_begin(in);
	error = inst_dir_remove_locked(in, id);
	inst_write_end(in);
	return error;
}

int tfs_inst_dir_list(tfs_inst *in, tfs_kind kind, tfs_row_cb cb, void *ctx)
{
	sqlite3_stmt *s = db_stmt(
		inst_db(in),
		"SELECT d.id, d.type,"
		" COALESCE((SELECT max(mtime) FROM objects WHERE dir = d.id), 0)"
		" FROM dirs d WHERE d.kind = ? ORDER BY d.type");
	tfs_row row = { 0 };
	int rc, error = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int(s, 1, (int)kind);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row.id = sqlite3_column_int64(s, 0);
		snprintf(row.name, sizeof(row.name), "%s", db_text(s, 1));
		row.mtime = sqlite3_column_int64(s, 2);
		if ((error = cb(ctx, &row)) != 0)
			break;
	}
	if (!error && rc != SQLITE_DONE)
		error = db_fail(inst_db(in), "dirs");
	sqlite3_reset(s);
	return error;
}

/* ---- objects (reads) ------------------------------------------------------- */

static void fill_info(tfs_obj_info *out, sqlite3_stmt *s)
{
	out->id = sqlite3_column_int64(s, 0);
	out->dir = sqlite3_column_int64(s, 1);
	snprintf(out->name, sizeof(out->name), "%s", db_text(s, 2));
	out->size = sqlite3_column_int64(s, 3);
	out->mtime = sqlite3_column_int64(s, 4);
	snprintf(out->sha, sizeof(out->sha), "%s", db_text(s, 5));
	out->kind = (tfs_kind)sqlite3_column_int(s, 6);
	snprintf(out->type, sizeof(out->type), "%s", db_text(s, 7));
}

#define OBJ_COLUMNS                                                    \
	"SELECT o.id, o.dir, o.name, length(o.bytes), o.mtime, o.sha," \
	" d.kind, d.type FROM objects o JOIN dirs d ON d.id = o.dir "

int tfs_inst_obj_find(tfs_obj_info *out, tfs_inst *in, int64_t dir,
		      const char *name)
{
	sqlite3_stmt *s = db_stmt(inst_db(in),
				  OBJ_COLUMNS "WHERE o.dir = ? AND o.name = ?");
	int error = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, dir);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		fill_info(out, s);
	else
		error = tfs_error_set(TFS_ENOTFOUND, "no object %s", name);
	sqlite3_reset(s);
	return error;
}

int tfs_inst_obj_get(tfs_obj_info *out, tfs_inst *in, int64_t id)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), OBJ_COLUMNS "WHERE o.id = ?");
	int error = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		fill_info(out, s);
	else
		error = tfs_error_set(TFS_ENOTFOUND, "no object %lld",
				      (long long)id);
	sqlite3_reset(s);
	return error;
}

/* Objects larger than this leave no pages in the reader's cache. */
#define OBJ_READ_KEEP ((size_t)1 << 20)

/*
 * Every object's bytes are checked against their SHA-256 as they leave
 * the database: a damaged row (a flipped byte that SQLite's own checks
 * cannot see) is never served, nor saved again as if it were an edit.
 * Only -o noverify (tfs_store_set_verify(), for measuring this check's
 * cost) skips it.
 */
int tfs_inst_obj_read(tfs_buf *out, tfs_inst *in, int64_t id)
{
	db_conn *c = inst_db(in);
	sqlite3_stmt *s = db_stmt(c, "SELECT bytes, sha FROM objects "
				     "WHERE id = ?");
	const char *bytes;
	size_t len;
	char sha[65];
	int error = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return tfs_error_set(TFS_ENOTFOUND, "no object %lld",
				     (long long)id);
	}
	bytes = sqlite3_column_blob(s, 0);
	len = (size_t)sqlite3_column_bytes(s, 0);
	if (!in->st->noverify)
		error = tfs_sha256_hex(sha, bytes ? bytes : "", len);
	if (error == 0 && (in->st->noverify || strcmp(sha, db_text(s, 1)) == 0))
		error = tfs_buf_put(out, bytes, len);
	else if (error == 0)
		error = 1;
	sqlite3_reset(s);
	/* A large object's overflow pages, copied out now, would stay in
	 * the connection's page cache (up to DB_CACHE_KIB, 16 MB, per
	 * connection) until the next commit: a 60 MB object read after
	 * its save kept the daemon 15 MB larger.  Freed, they are 4 KB
	 * chunks scattered in this thread's malloc arena, which keeps
	 * them resident until trimmed. */
	if (len > OBJ_READ_KEEP) {
		sqlite3_db_release_memory(c->db);
		malloc_trim(0);
	}
	return error == 1 ? inst_damaged(in, id) : error;
}

/* Whether `list` ("a\nb\n") holds the whole line `line` ("b\n"). */
static bool has_line(const char *list, const char *line)
{
	const char *p;

	for (p = list; p && (p = strstr(p, line)); p++)
		if (p == list || p[-1] == '\n')
			return true;
	return false;
}

int inst_damaged(tfs_inst *in, int64_t obj)
{
	tfs_obj_info info;
	tfs_kind kind;
	char type[256], path[600], line[640];
	bool known;

	if (tfs_inst_obj_get(&info, in, obj) < 0 ||
	    tfs_inst_dir_get(in, info.dir, &kind, type) < 0 ||
	    obj_path(path, sizeof(path), kind, type, info.name) < 0)
		snprintf(path, sizeof(path), "object %lld", (long long)obj);
	snprintf(line, sizeof(line), "%s\n", path);
	pthread_mutex_lock(&in->dmu);
	known = has_line(in->damaged.ptr, line);
	if (!known)
		tfs_buf_puts(&in->damaged, line);
	pthread_mutex_unlock(&in->dmu);
	/* Logged now if no writer is busy, else by that writer's end. */
	if (!known && wlock_trytake(&in->wl))
		inst_write_end(in);
	return tfs_error_set(TFS_ERROR,
			     "%s/%s: %s is damaged: its stored "
			     "bytes do not match their SHA-256 (see status; "
			     "tenantctl fsck)",
			     in->tenant, in->name, path);
}

void inst_log_damage(tfs_inst *in)
{
	char *todo = NULL, *line, *end;

	pthread_mutex_lock(&in->dmu);
	if (in->damaged.size > in->dlogged) {
		todo = strndup(in->damaged.ptr + in->dlogged,
			       in->damaged.size - in->dlogged);
		in->dlogged = in->damaged.size;
	}
	pthread_mutex_unlock(&in->dmu);
	for (line = todo; line && (end = strchr(line, '\n')); line = end + 1) {
		char msg[700];
		*end = '\0';
		snprintf(msg, sizeof(msg),
			 "%s is damaged: its stored bytes do "
			 "not match their SHA-256; not served",
			 line);
		if (inst_log_event(in, "tenantfs", "Object/Damaged", msg) == 0)
			store_flush_events(in->st, in);
	}
	free(todo);
}

int inst_damage_render(tfs_buf *out, tfs_inst *in)
{
	int error = 0;

	pthread_mutex_lock(&in->dmu);
	if (in->damaged.size)
		error = tfs_buf_put(out, in->damaged.ptr, in->damaged.size);
	pthread_mutex_unlock(&in->dmu);
	return error;
}

int tfs_inst_verify(tfs_inst *in, tfs_inst_damage_cb cb, void *ctx)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), "SELECT id, bytes, sha "
					       "FROM objects ORDER BY id");
	char sha[65];
	int rc, error = 0, bad = 0;

	if (!s)
		return TFS_ERROR;
	while (!error && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *bytes = sqlite3_column_blob(s, 1);
		int64_t id = sqlite3_column_int64(s, 0);
		tfs_obj_info info;
		tfs_kind kind;
		char type[256], path[600];

		if ((error = tfs_sha256_hex(sha, bytes ? bytes : "",
					    (size_t)sqlite3_column_bytes(s,
									 1))) <
		    0)
			break;
		if (strcmp(sha, db_text(s, 2)) == 0)
			continue;
		bad++;
		if (tfs_inst_obj_get(&info, in, id) < 0 ||
		    tfs_inst_dir_get(in, info.dir, &kind, type) < 0 ||
		    obj_path(path, sizeof(path), kind, type, info.name) < 0)
			snprintf(path, sizeof(path), "object %lld",
				 (long long)id);
		error = cb(ctx, path);
	}
	if (!error && rc != SQLITE_DONE && rc != SQLITE_ROW)
		error = db_fail(inst_db(in), "objects");
	sqlite3_reset(s);
	return error < 0 ? error : bad;
}

int tfs_inst_obj_list(tfs_inst *in, int64_t dir, tfs_row_cb cb, void *ctx)
{
	sqlite3_stmt *s = db_stmt(inst_db(in),
				  "SELECT id, name, mtime, "
				  "length(bytes) FROM objects WHERE dir = ?");
	tfs_row row = { 0 };
	int rc, error = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, dir);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row.id = sqlite3_column_int64(s, 0);
		snprintf(row.name, sizeof(row.name), "%s", db_text(s, 1));
		row.mtime = sqlite3_column_int64(s, 2);
		row.size = sqlite3_column_int64(s, 3);
		if ((error = cb(ctx, &row)) != 0)
			break;
	}
	if (!error && rc != SQLITE_DONE)
		error = db_fail(inst_db(in), "objects");
	sqlite3_reset(s);
	return error;
}
