/*
 * Packages of an instance: incremental packages collect transaction sets,
 * master packages order other packages, file packages are frozen exports.
 * Their files under packages/P/ are rendered here and, for the writable
 * ones, updated all or nothing.  A closed package never changes again.
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
	return has_source ? 0 : db_exec(inst_db(in), "ALTER TABLE packages "
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
	tfs_row row = {0};
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

struct pkg {
	int64_t id;
	char name[256];
	char type[16];
	char description[512];
	char state[16];
	int64_t created;
	char source[160];   /* "<tenant>/<instance>" of an imported one */
};

static int pkg_load(struct pkg *p, tfs_inst *in, int64_t id)
{
	sqlite3_stmt *s =
	    db_stmt(inst_db(in), "SELECT id, name, type, "
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
	sqlite3_stmt *s =
	    db_stmt(inst_db(in), "INSERT INTO packages(name, "
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
		return tfs_error_set(TFS_EACCESS, "package %s is closed and "
				     "cannot be removed", p.name);
	s = db_stmt(inst_db(in), "SELECT 1 FROM package_subs WHERE sub = ?");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	used = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	if (used)
		return tfs_error_set(TFS_EBUSY, "package %s is used by a "
				     "master package", p.name);
	snprintf(msg, sizeof(msg), "package %s removed", p.name);
	return inst_small_change(in, user, "Package/Delete", msg, remove_body, &id);
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

/* ---- rendering --------------------------------------------------------- */

static int put_escaped(tfs_buf *b, const char *v)
{
	int error = 0;

	for (; !error && *v; v++) {
		switch (*v) {
		case '&': error = tfs_buf_puts(b, "&amp;"); break;
		case '<': error = tfs_buf_puts(b, "&lt;"); break;
		case '>': error = tfs_buf_puts(b, "&gt;"); break;
		case '"': error = tfs_buf_puts(b, "&quot;"); break;
		case '\n': error = tfs_buf_puts(b, "&#10;"); break;
		case '\t': error = tfs_buf_puts(b, "&#9;"); break;
		case '\r': error = tfs_buf_puts(b, "&#13;"); break;
		default: error = tfs_buf_put(b, v, 1);
		}
	}
	return error;
}

static int attr(tfs_buf *b, const char *name, const char *value)
{
	int error = tfs_buf_printf(b, " %s=\"", name);

	if (!error)
		error = put_escaped(b, value);
	return error ? error : tfs_buf_puts(b, "\"");
}

/* Lines of `bytes` indented by `indent` spaces. */
static int put_indented(tfs_buf *b, const char *bytes, size_t len,
			int indent)
{
	const char *p = bytes, *end = bytes + len, *nl;
	int error = 0;

	while (!error && p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		error = tfs_buf_printf(b, "%*s", indent, "");
		if (!error)
			error = tfs_buf_put(b, p, (size_t)(nl - p));
		if (!error)
			error = tfs_buf_puts(b, "\n");
		p = nl + 1;
	}
	return error;
}

/*
 * One transaction of a package, as exported.  The object's bytes are read
 * when they are written out (tx_object), not kept: a package of 10^5
 * records would hold them all.
 */
struct tx {
	int64_t seq;
	int64_t txset;
	int64_t object;   /* the transaction whose object this one puts
			   * (compact folds later updates in), 0: none */
	char *path;
	char base[65];
	char op;
	bool dropped;     /* folded into an earlier one (compact) */
};

struct txlist {
	struct tx *v;
	size_t n, cap;
};

static void txlist_free(struct txlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/*
 * Append the object transaction row `s` stored, from its columns `col`
 * (bytes) and `col + 1` (blob), to `out`: the row's bytes when it has
 * them (rows written before transactions.blob, and versions superseded
 * within their change set), else its blob read from history.git.  *found:
 * whether the row names an object at all (not for a delete).  `path`
 * names the object in errors.
 */
static int tx_bytes(tfs_buf *out, bool *found, tfs_inst *in,
		    sqlite3_stmt *s, int col, const char *path)
{
	*found = true;
	if (sqlite3_column_type(s, col) != SQLITE_NULL)
		return tfs_buf_put(out, sqlite3_column_blob(s, col),
				   (size_t)sqlite3_column_bytes(s, col));
	if (sqlite3_column_type(s, col + 1) != SQLITE_NULL)
		return tfs_history_read_blob(out, in->st->hist,
					     db_text(s, col + 1), path);
	*found = false;
	return 0;
}

static int load_txs(struct txlist *l, tfs_inst *in, int64_t txset)
{
	sqlite3_stmt *s =
	    db_stmt(inst_db(in), "SELECT seq, op, kind, type, name,"
				 " before, bytes IS NOT NULL OR blob IS NOT "
				 "NULL FROM transactions WHERE txset = ? "
				 "ORDER BY seq");
	char path[600];
	int rc, error = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, txset);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct tx *t;
		if (l->n == l->cap) {
			size_t n = l->cap ? l->cap * 2 : 16;
			struct tx *v = realloc(l->v, n * sizeof(*v));
			if (!v) {
				error = tfs_error_set(TFS_ERROR, "out of memory");
				break;
			}
			l->v = v;
			l->cap = n;
		}
		t = &l->v[l->n];
		memset(t, 0, sizeof(*t));
		t->seq = sqlite3_column_int64(s, 0);
		t->txset = txset;
		t->op = db_text(s, 1)[0];
		obj_path(path, sizeof(path),
			(tfs_kind)sqlite3_column_int(s, 2), db_text(s, 3),
			db_text(s, 4));
		snprintf(t->base, sizeof(t->base), "%s", db_text(s, 5));
		t->object = sqlite3_column_int(s, 6) ? t->seq : 0;
		if (!(t->path = strdup(path))) {
			error = tfs_error_set(TFS_ERROR, "out of memory");
			break;
		}
		l->n++;
	}
	if (!error && rc != SQLITE_DONE)
		error = db_fail(inst_db(in), "transactions");
	sqlite3_reset(s);
	return error;
}

/* The object transaction `t` puts, into `out` (cleared first); empty
 * for a delete. */
static int tx_object(tfs_buf *out, tfs_inst *in, const struct tx *t)
{
	sqlite3_stmt *s;
	bool found;
	int error;

	tfs_buf_clear(out);
	if (!t->object)
		return 0;
	s = db_stmt(inst_db(in), "SELECT bytes, blob FROM transactions "
				 "WHERE seq = ?");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, t->object);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return db_fail(inst_db(in), "transactions");
	}
	error = tx_bytes(out, &found, in, s, 0, t->path);
	sqlite3_reset(s);
	return error;
}

/* Transaction-set ids of a package, ascending. */
static int pkg_txsets(int64_t **out, size_t *n, tfs_inst *in, int64_t id)
{
	sqlite3_stmt *s =
	    db_stmt(inst_db(in), "SELECT txset FROM package_txsets "
				 "WHERE package = ? ORDER BY txset");
	int64_t *v = NULL;
	size_t cap = 0;

	*n = 0;
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (*n == cap) {
			int64_t *g = realloc(v, (cap = cap ? cap * 2 : 8) *
					     sizeof(*v));
			if (!g) {
				free(v);
				sqlite3_reset(s);
				return tfs_error_set(TFS_ERROR, "out of memory");
			}
			v = g;
		}
		v[(*n)++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	*out = v;
	return 0;
}

/* All transactions of an incremental package, in order. */
static int pkg_transactions(struct txlist *l, tfs_inst *in, int64_t id)
{
	int64_t *sets = NULL;
	size_t n, i;
	int error;

	if ((error = pkg_txsets(&sets, &n, in, id)) < 0)
		return error;
	for (i = 0; i < n && !error; i++)
		error = load_txs(l, in, sets[i]);
	free(sets);
	return error;
}

/* A transaction of a list by path, then by place in the list. */
struct tx_at {
	const char *path;
	size_t i;
};

static int tx_at_cmp(const void *a, const void *b)
{
	const struct tx_at *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/*
 * Fold consecutive changes of one object: an update after a create or an
 * update replaces its bytes (keeping the first base and op); a create is
 * never turned into an update.  The list is visited by path (sorted,
 * not searched back for each update: a package of 10^5 updates), each
 * path's changes in their order.
 */
static int compact(struct txlist *l)
{
	struct tx_at *at = malloc((l->n ? l->n : 1) * sizeof(*at));
	struct tx *live = NULL;
	size_t i;

	if (!at)
		return tfs_error_set(TFS_ERROR, "out of memory");
	for (i = 0; i < l->n; i++) {
		at[i].path = l->v[i].path;
		at[i].i = i;
	}
	qsort(at, l->n, sizeof(*at), tx_at_cmp);
	for (i = 0; i < l->n; i++) {
		struct tx *t = &l->v[at[i].i];

		if (i == 0 || strcmp(at[i].path, at[i - 1].path) != 0)
			live = NULL; /* the path's first change */
		if (t->op == 'U' && live &&
		    (live->op == 'C' || live->op == 'U')) {
			live->object = t->object;
			t->dropped = true;
			continue; /* the change before stays the live one */
		}
		live = t;
	}
	free(at);
	return 0;
}

static int export_txsets(tfs_buf *b, tfs_inst *in, struct txlist *l,
			 int indent)
{
	tfs_buf obj = TFS_BUF_INIT;
	sqlite3_stmt *s;
	size_t i;
	int64_t open_set = 0;
	int error = 0;

	for (i = 0; i < l->n && !error; i++) {
		struct tx *t = &l->v[i];
		char iso[32], num[32];

		if (t->dropped)
			continue;
		if (t->txset != open_set) {
			if (open_set)
				error = tfs_buf_printf(b, "%*s</transaction-set>"
						       "\n", indent, "");
			s = db_stmt(inst_db(in),
				    "SELECT p.name, t.user, t.created"
				    " FROM txsets t JOIN projects p ON p.id ="
				    " t.project WHERE t.id = ?");
			if (!s) {
				error = TFS_ERROR;
				break;
			}
			sqlite3_bind_int64(s, 1, t->txset);
			if (sqlite3_step(s) != SQLITE_ROW) {
				sqlite3_reset(s);
				error = tfs_error_set(TFS_ERROR, "transaction "
						      "set %lld is missing",
						      (long long)t->txset);
				break;
			}
			tfs_time_iso(iso, sqlite3_column_int64(s, 2));
			snprintf(num, sizeof(num), "%lld", (long long)t->txset);
			if (!error)
				error = tfs_buf_printf(b, "%*s<transaction-set",
						       indent, "");
			if (!error) error = attr(b, "id", num);
			if (!error) error = attr(b, "project", db_text(s, 0));
			if (!error) error = attr(b, "user", db_text(s, 1));
			if (!error) error = attr(b, "created", iso);
			if (!error) error = tfs_buf_puts(b, ">\n");
			sqlite3_reset(s);
			open_set = t->txset;
		}
		snprintf(num, sizeof(num), "%lld", (long long)t->seq);
		if (!error)
			error = tfs_buf_printf(b, "%*s<transaction", indent + 2,
					       "");
		if (!error) error = attr(b, "seq", num);
		if (!error) error = tfs_buf_printf(b, " op=\"%c\"", t->op);
		if (!error) error = attr(b, "path", t->path);
		if (!error) error = attr(b, "base", t->base);
		if (!error && !t->object)
			error = tfs_buf_puts(b, "/>\n");
		else if (!error) {
			error = tfs_buf_puts(b, ">\n");
			if (!error)
				error = tx_object(&obj, in, t);
			if (!error)
				error = put_indented(b, obj.ptr, obj.size,
						     indent + 4);
			if (!error)
				error = tfs_buf_printf(b, "%*s</transaction>\n",
						       indent + 2, "");
		}
	}
	if (!error && open_set)
		error = tfs_buf_printf(b, "%*s</transaction-set>\n", indent,
				       "");
	tfs_buf_free(&obj);
	return error;
}

static int export_pkg(tfs_buf *b, tfs_inst *in, int64_t id, bool compacted,
		      int indent, int depth);

/* The sub-packages of master `id` and their orders, in order. */
#define SUBS_MAX 256
static int subs_of(int64_t ord[SUBS_MAX], int64_t sub[SUBS_MAX], size_t *n,
		   tfs_inst *in, int64_t id)
{
	sqlite3_stmt *s =
	    db_stmt(inst_db(in), "SELECT ord, sub FROM package_subs"
				 " WHERE package = ? ORDER BY ord");
	int rc;

	*n = 0;
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < SUBS_MAX) {
		ord[*n] = sqlite3_column_int64(s, 0);
		sub[(*n)++] = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return tfs_error_set(TFS_EINVALID, "a master package holds "
				     "more than %d packages", SUBS_MAX);
	return 0;
}

static int export_subs(tfs_buf *b, tfs_inst *in, int64_t id, bool compacted,
		       int indent, int depth)
{
	int64_t ord[SUBS_MAX], sub[SUBS_MAX];
	size_t n = 0, i;
	int error;

	if ((error = subs_of(ord, sub, &n, in, id)) < 0)
		return error;
	for (i = 0; i < n && !error; i++) {
		error = tfs_buf_printf(b, "%*s<sub-package order=\"%lld\">\n",
				       indent, "", (long long)ord[i]);
		if (!error)
			error = export_pkg(b, in, sub[i], compacted,
					   indent + 2, depth + 1);
		if (!error)
			error = tfs_buf_printf(b, "%*s</sub-package>\n", indent,
					       "");
	}
	return error;
}

static int export_pkg(tfs_buf *b, tfs_inst *in, int64_t id, bool compacted,
		      int indent, int depth)
{
	struct txlist l = {0};
	struct pkg p;
	sqlite3_stmt *s;
	char head[41] = "";
	int error;

	if (depth > 16)
		return tfs_error_set(TFS_EINVALID, "master packages nest too "
				     "deep");
	if ((error = pkg_load(&p, in, id)) < 0)
		return error;
	tfs_history_get_ref(head, in->st->hist, in->branch);
	error = tfs_buf_printf(b, "%*s<package format=\"1\"", indent, "");
	if (!error) error = attr(b, "name", p.name);
	if (!error) error = attr(b, "type", p.type);
	if (!error) error = attr(b, "state", p.state);
	if (!error && p.description[0])
		error = attr(b, "description", p.description);
	if (!error) error = attr(b, "source-tenant", in->tenant);
	if (!error) error = attr(b, "source-instance", in->name);
	if (!error) error = attr(b, "source-commit", head);
	if (!error) error = tfs_buf_puts(b, ">\n");
	s = db_stmt(inst_db(in),
		    "SELECT aspect, version, vendor, uninstall FROM "
		    "package_aspects WHERE package = ? ORDER BY aspect");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	while (!error && sqlite3_step(s) == SQLITE_ROW) {
		error = tfs_buf_printf(b, "%*s<aspect", indent + 2, "");
		if (!error) error = attr(b, "id", db_text(s, 0));
		if (!error) error = attr(b, "version", db_text(s, 1));
		if (!error) error = attr(b, "vendor-id", db_text(s, 2));
		if (!error) error = attr(b, "uninstall",
					 sqlite3_column_int(s, 3) ? "yes" : "no");
		if (!error) error = tfs_buf_puts(b, "/>\n");
	}
	sqlite3_reset(s);
	if (!error && strcmp(p.type, "master") == 0)
		error = export_subs(b, in, id, compacted, indent + 2, depth);
	else if (!error) {
		error = pkg_transactions(&l, in, id);
		if (!error && compacted)
			error = compact(&l);
		if (!error)
			error = export_txsets(b, in, &l, indent + 2);
	}
	txlist_free(&l);
	return error ? error : tfs_buf_printf(b, "%*s</package>\n", indent, "");
}

/* The object at `path` before transaction `seq`: the bytes of the
 * object's previous transaction (transactions.prev, if it names the same
 * path: after a copy-to-replace, objects.last_tx may name a transaction
 * of the source's), else the instance's first commit. */
static int bytes_before(tfs_buf *out, bool *found, tfs_inst *in,
			const char *path, int64_t seq)
{
	sqlite3_stmt *s =
	    db_stmt(inst_db(in), "SELECT p.op, p.bytes, p.blob FROM "
				 "transactions t JOIN transactions p ON "
				 "p.seq = t.prev AND p.kind = t.kind AND "
				 "p.type = t.type AND p.name = t.name "
				 "WHERE t.seq = ?");
	char oid[41];
	int error = 0;

	*found = false;
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, seq);
	if (sqlite3_step(s) == SQLITE_ROW) {
		if (db_text(s, 0)[0] != 'D')
			error = tx_bytes(out, found, in, s, 1, path);
		sqlite3_reset(s);
		return error;
	}
	sqlite3_reset(s);
	if (tfs_inst_history_commit(oid, NULL, in, 1) == 0 &&
	    tfs_history_read(out, in->st->hist, oid, path) == 0)
		*found = true;
	return 0;
}

static int impact_of_pkg(int *level, tfs_buf *why, tfs_inst *in, int64_t id,
			 int depth);

/* A master package's impact is the highest of its parts'. */
static int impact_of_subs(int *level, tfs_buf *why, tfs_inst *in,
			  int64_t id, int depth)
{
	int64_t ord[SUBS_MAX], sub[SUBS_MAX];
	size_t n, i;
	int error;

	if (depth > 16)
		return tfs_error_set(TFS_EINVALID, "master packages nest too "
				     "deep");
	if ((error = subs_of(ord, sub, &n, in, id)) < 0)
		return error;
	for (i = 0; i < n && !error; i++)
		error = impact_of_pkg(level, why, in, sub[i], depth + 1);
	return error;
}

static int impact_of_pkg(int *level, tfs_buf *why, tfs_inst *in, int64_t id,
			 int depth)
{
	struct txlist l = {0};
	tfs_buf old = TFS_BUF_INIT, obj = TFS_BUF_INIT;
	struct pkg p;
	size_t i;
	int error;

	if ((error = pkg_load(&p, in, id)) < 0)
		return error;
	if (strcmp(p.type, "master") == 0)
		return impact_of_subs(level, why, in, id, depth);
	if ((error = pkg_transactions(&l, in, id)) < 0)
		goto done;
	for (i = 0; i < l.n && !error; i++) {
		struct tx *t = &l.v[i];
		char type[256], name[256];
		tfs_kind kind;
		bool found = false;

		if (obj_path_split(t->path, &kind, type, name) < 0)
			continue;
		tfs_buf_clear(&old);
		if (t->op != 'C' &&
		    (error = bytes_before(&old, &found, in, t->path,
					  t->seq)) < 0)
			break;
		if ((error = tx_object(&obj, in, t)) < 0)
			break;
		error = impact_of(level, why, t->path, kind, type, t->op,
				  found ? old.ptr : NULL, old.size,
				  t->object ? obj.ptr : NULL, obj.size);
	}
done:
	txlist_free(&l);
	tfs_buf_free(&old);
	tfs_buf_free(&obj);
	return error;
}

static int render_impact(tfs_buf *out, tfs_inst *in, int64_t id)
{
	tfs_buf why = TFS_BUF_INIT;
	int level = TFS_IMPACT_LOW, error;

	if ((error = impact_of_pkg(&level, &why, in, id, 0)) == 0)
		error = tfs_buf_printf(out, "%s\n%s", impact_name(level),
				       why.ptr ? why.ptr : "");
	tfs_buf_free(&why);
	return error;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The path a reference names, or false when it is not checked. */
static bool ref_path(char *out, size_t size, const tfs_ref *r)
{
	size_t i;

	if (strcmp(r->kind, "Field") == 0) {
		const char *dot = strrchr(r->target, '.');
		if (!dot)
			return false;
		snprintf(out, size, "metadata/BusinessObject/%.*s.xml",
			 (int)(dot - r->target), r->target);
		return true;
	}
	if (strcmp(r->kind, "ValidationList") == 0) {
		snprintf(out, size, "validation/%s.xml", r->target);
		return true;
	}
	for (i = 0; tfs_metadata_types[i]; i++) {
		if (strcmp(r->kind, tfs_metadata_types[i]) == 0) {
			snprintf(out, size, "metadata/%s/%s.xml", r->kind,
				 r->target);
			return true;
		}
	}
	return false;
}

static int render_deps(tfs_buf *out, tfs_inst *in, int64_t id)
{
	struct txlist l = {0};
	char **paths = NULL, p[600];
	const char **own = NULL;
	tfs_buf obj = TFS_BUF_INIT;
	size_t n = 0, cap = 0, nown = 0, i, r;
	int error;

	if ((error = pkg_transactions(&l, in, id)) < 0)
		goto done;
	/* What the package itself puts, sorted to be looked up by each
	 * reference (a package of 10^5 records has 10^5 and more). */
	if (!(own = malloc((l.n ? l.n : 1) * sizeof(*own)))) {
		error = tfs_error_set(TFS_ERROR, "out of memory");
		goto done;
	}
	for (i = 0; i < l.n; i++)
		if (l.v[i].op != 'D')
			own[nown++] = l.v[i].path;
	qsort(own, nown, sizeof(*own), cmp_str);
	for (i = 0; i < l.n && !error; i++) {
		struct tx *t = &l.v[i];
		char type[256], name[256];
		const char *key = p;
		tfs_kind kind;
		tfs_doc *doc = NULL;

		if (!t->object ||
		    obj_path_split(t->path, &kind, type, name) < 0)
			continue;
		if ((error = tx_object(&obj, in, t)) < 0)
			break;
		if (tfs_doc_parse(&doc, kind, type, name, obj.ptr, obj.size,
				  NULL) < 0)
			continue;
		for (r = 0; r < doc->nrefs && !error; r++) {
			if (!ref_path(p, sizeof(p), &doc->refs[r]) ||
			    bsearch(&key, own, nown, sizeof(*own), cmp_str))
				continue;
			if (n == cap) {
				char **g = realloc(paths, (cap = cap ? cap * 2 :
							   16) * sizeof(*g));
				if (!g) {
					error = tfs_error_set(TFS_ERROR,
							      "out of memory");
					break;
				}
				paths = g;
			}
			if (!(paths[n] = strdup(p)))
				error = tfs_error_set(TFS_ERROR, "out of memory");
			else
				n++;
		}
		tfs_doc_free(doc);
	}
	if (n)
		qsort(paths, n, sizeof(*paths), cmp_str);
	for (i = 0; i < n && !error; i++)
		if (i == 0 || strcmp(paths[i], paths[i - 1]) != 0)
			error = tfs_buf_printf(out, "%s\n", paths[i]);
done:
	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	free(own);
	tfs_buf_free(&obj);
	txlist_free(&l);
	return error;
}

int tfs_pkg_render(tfs_buf *out, tfs_inst *in, int64_t id, tfs_pkg_file f)
{
	sqlite3_stmt *s;
	struct pkg p;
	int error;

	if ((error = pkg_load(&p, in, id)) < 0)
		return error;
	switch (f) {
	case TFS_PKG_CONF:
		error = tfs_buf_printf(out, "type = %s\ndescription = %s\n"
				       "state = %s\n", p.type, p.description,
				       p.state);
		if (!error && p.source[0])
			error = tfs_buf_printf(out, "source = %s\n", p.source);
		return error;
	case TFS_PKG_TXSETS:
		s = db_stmt(inst_db(in),
			    "SELECT txset FROM package_txsets WHERE "
			    "package = ? ORDER BY txset");
		if (!s)
			return TFS_ERROR;
		sqlite3_bind_int64(s, 1, id);
		while (!error && sqlite3_step(s) == SQLITE_ROW)
			error = tfs_buf_printf(out, "%lld\n", (long long)
					       sqlite3_column_int64(s, 0));
		sqlite3_reset(s);
		return error;
	case TFS_PKG_ASPECTS:
		s = db_stmt(inst_db(in),
			    "SELECT aspect, version, vendor, "
			    "uninstall FROM package_aspects WHERE package = ? "
			    "ORDER BY aspect");
		if (!s)
			return TFS_ERROR;
		sqlite3_bind_int64(s, 1, id);
		while (!error && sqlite3_step(s) == SQLITE_ROW)
			error = tfs_buf_printf(out, "%s %s %s %s\n",
					       db_text(s, 0), db_text(s, 1),
					       db_text(s, 2),
					       sqlite3_column_int(s, 3) ?
					       "yes" : "no");
		sqlite3_reset(s);
		return error;
	case TFS_PKG_SUBS:
		s = db_stmt(inst_db(in),
			    "SELECT s.ord, p.name FROM package_subs s"
			    " JOIN packages p ON p.id = s.sub WHERE s.package "
			    "= ? ORDER BY s.ord");
		if (!s)
			return TFS_ERROR;
		sqlite3_bind_int64(s, 1, id);
		while (!error && sqlite3_step(s) == SQLITE_ROW)
			error = tfs_buf_printf(out, "%lld %s\n", (long long)
					       sqlite3_column_int64(s, 0),
					       db_text(s, 1));
		sqlite3_reset(s);
		return error;
	case TFS_PKG_XML:
	case TFS_PKG_COMPACT:
		if (strcmp(p.type, "file") == 0) {
			s = db_stmt(inst_db(in),
				    "SELECT frozen FROM packages "
				    "WHERE id = ? AND frozen IS NOT NULL");
			if (!s)
				return TFS_ERROR;
			sqlite3_bind_int64(s, 1, id);
			if (sqlite3_step(s) == SQLITE_ROW) {
				error = tfs_buf_put(out,
					sqlite3_column_blob(s, 0),
					(size_t)sqlite3_column_bytes(s, 0));
				sqlite3_reset(s);
				return error;
			}
			sqlite3_reset(s);
		}
		return export_pkg(out, in, id, f == TFS_PKG_COMPACT, 0, 0);
	case TFS_PKG_IMPACT:
		return render_impact(out, in, id);
	case TFS_PKG_DEPS:
		return render_deps(out, in, id);
	default:
		break;
	}
	return tfs_error_set(TFS_ENOTFOUND, "no such package file");
}

/* ---- updates ----------------------------------------------------------- */

struct update {
	tfs_inst *in;
	int64_t id;
	tfs_pkg_file f;
	const char *bytes;
	size_t len;
	const char *user;
	char msg[600];
};

/* Lines of `bytes` as NUL-terminated strings, blank and # lines skipped;
 * calls `cb` with each line (1-based number). */
static int each_line(const char *bytes, size_t len,
		     int (*cb)(void *ctx, char *line, int no), void *ctx)
{
	const char *p = bytes, *end = bytes + len;
	char line[1024];
	int no = 0, error = 0;

	if (memchr(bytes, '\0', len))
		return tfs_error_set(TFS_EINVALID, "NUL byte in the file");
	while (!error && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *l;
		no++;
		if (n >= sizeof(line))
			return tfs_error_set(TFS_EINVALID, "line %d: too long",
					     no);
		memcpy(line, p, n);
		line[n] = '\0';
		p += n + 1;
		l = line;
		while (isspace((unsigned char)*l))
			l++;
		n = strlen(l);
		while (n && isspace((unsigned char)l[n - 1]))
			l[--n] = '\0';
		if (!*l || *l == '#')
			continue;
		error = cb(ctx, l, no);
	}
	return error;
}

static int exec_id(tfs_inst *in, const char *sql, int64_t id)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), sql);

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	return db_done(inst_db(in), s);
}

static int pkg_is_empty(tfs_inst *in, int64_t id)
{
	sqlite3_stmt *s =
	    db_stmt(inst_db(in), "SELECT (SELECT count(*) FROM "
				 "package_txsets WHERE package = ?1) + (SELECT"
				 " count(*) FROM package_subs WHERE package ="
				 " ?1)");
	int n = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	return n == 0;
}

struct conf_ctx {
	tfs_inst *in;
	struct update *u;
	struct pkg p;
	char type[16];
	char description[512];
	char state[16];
	char save_as[256];
	char source[160];
};

static int conf_line(void *ctx, char *line, int no)
{
	struct conf_ctx *c = ctx;
	char *eq = strchr(line, '='), *key = line, *v;
	size_t n;

	if (!eq)
		return tfs_error_set(TFS_EINVALID, "line %d: expected 'key = "
				     "value'", no);
	*eq = '\0';
	v = eq + 1;
	while (isspace((unsigned char)*v))
		v++;
	n = strlen(key);
	while (n && isspace((unsigned char)key[n - 1]))
		key[--n] = '\0';
	if (strcmp(key, "type") == 0) {
		if (strcmp(v, "incremental") && strcmp(v, "master") &&
		    strcmp(v, "file"))
			return tfs_error_set(TFS_EINVALID, "line %d: type is "
					     "incremental, master or file", no);
		snprintf(c->type, sizeof(c->type), "%s", v);
	} else if (strcmp(key, "description") == 0) {
		snprintf(c->description, sizeof(c->description), "%s", v);
	} else if (strcmp(key, "state") == 0) {
		if (strcmp(v, "open") && strcmp(v, "closed"))
			return tfs_error_set(TFS_EINVALID, "line %d: state is "
					     "open or closed", no);
		snprintf(c->state, sizeof(c->state), "%s", v);
	} else if (strcmp(key, "source") == 0) {
		if (strcmp(v, c->source) != 0)
			return tfs_error_set(TFS_EINVALID, "line %d: source is "
					     "read-only", no);
	} else if (strcmp(key, "save_as") == 0) {
		if (!tfs_name_valid(v))
			return tfs_error_set(TFS_EINVALID, "line %d: invalid "
					     "package name '%s'", no, v);
		snprintf(c->save_as, sizeof(c->save_as), "%s", v);
	} else {
		return tfs_error_set(TFS_EINVALID, "line %d: unknown key '%s' "
				     "(type, description, state, save_as)", no,
				     key);
	}
	return 0;
}

static int update_conf(tfs_inst *in, struct update *u, struct pkg *p)
{
	struct conf_ctx c;
	sqlite3_stmt *s;
	tfs_buf frozen = TFS_BUF_INIT;
	int error;

	memset(&c, 0, sizeof(c));
	c.in = in;
	c.u = u;
	snprintf(c.type, sizeof(c.type), "%s", p->type);
	snprintf(c.description, sizeof(c.description), "%s", p->description);
	snprintf(c.state, sizeof(c.state), "%s", p->state);
	snprintf(c.source, sizeof(c.source), "%s", p->source);
	if ((error = each_line(u->bytes, u->len, conf_line, &c)) < 0)
		return error;
	if (strcmp(c.type, p->type) != 0) {
		if ((error = pkg_is_empty(in, p->id)) < 0)
			return error;
		if (!error)
			return tfs_error_set(TFS_EINVALID, "type can change "
					     "only while the package is empty");
	}
	if (strcmp(c.state, "open") == 0 && strcmp(p->state, "closed") == 0)
		return tfs_error_set(TFS_EINVALID, "a closed package cannot "
				     "be reopened");
	s = db_stmt(inst_db(in),
		    "UPDATE packages SET type = ?, description = ?,"
		    " state = ?, mtime = ? WHERE id = ?");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_text(s, 1, c.type, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, c.description, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, c.state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, tfs_now());
	sqlite3_bind_int64(s, 5, p->id);
	if ((error = db_done(inst_db(in), s)) < 0)
		return error;
	snprintf(u->msg, sizeof(u->msg), "package %s: type %s, state %s",
		 p->name, c.type, c.state);
	if (!c.save_as[0])
		return 0;
	/* "Save as file": a frozen, closed copy of the export. */
	if ((error = export_pkg(&frozen, in, p->id, false, 0, 0)) < 0)
		goto done;
	s = db_stmt(inst_db(in),
		    "INSERT INTO packages(name, type, description,"
		    " state, created, mtime, frozen) VALUES(?1, 'file', ?2, "
		    "'closed', ?3, ?3, ?4)");
	if (!s) {
		error = TFS_ERROR;
		goto done;
	}
	sqlite3_bind_text(s, 1, c.save_as, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, c.description, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, tfs_now());
	sqlite3_bind_blob(s, 4, frozen.ptr, (int)frozen.size, SQLITE_STATIC);
	if ((error = db_done(inst_db(in), s)) < 0)
		goto done;
	snprintf(u->msg, sizeof(u->msg), "package %s saved as file package "
		 "%s", p->name, c.save_as);
done:
	tfs_buf_free(&frozen);
	return error;
}

static int parse_id(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	v = strtoll(s, &end, 10);
	if (*end || v <= 0)
		return -1;
	*out = v;
	return 0;
}

static int txset_line(void *ctx, char *line, int no)
{
	struct update *u = ctx;
	tfs_inst *in = u->in;
	sqlite3_stmt *s;
	tfs_row row;
	int64_t id;

	if (parse_id(line, &id) < 0)
		return tfs_error_set(TFS_EINVALID, "line %d: '%s' is not a "
				     "transaction set id", no, line);
	if (tfs_inst_txset_get(&row, NULL, in, id) < 0)
		return tfs_error_set(TFS_EINVALID, "line %d: no transaction "
				     "set %lld", no, (long long)id);
	s = db_stmt(inst_db(in),
		    "INSERT OR IGNORE INTO package_txsets(package, "
		    "txset) VALUES(?, ?)");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, u->id);
	sqlite3_bind_int64(s, 2, id);
	return db_done(inst_db(in), s);
}

static int aspect_line(void *ctx, char *line, int no)
{
	struct update *u = ctx;
	tfs_inst *in = u->in;
	char *f[5], *save = NULL;
	sqlite3_stmt *s;
	int n = 0;

	for (f[n] = strtok_r(line, " \t", &save); f[n] && n < 4;
	     f[++n] = strtok_r(NULL, " \t", &save))
		;
	if (n != 4 || (strcmp(f[3], "yes") && strcmp(f[3], "no")))
		return tfs_error_set(TFS_EINVALID, "line %d: expected '<id> "
				     "<version> <vendor-id> <yes|no>'", no);
	s = db_stmt(inst_db(in),
		    "INSERT OR REPLACE INTO package_aspects(package,"
		    " aspect, version, vendor, uninstall) VALUES(?,?,?,?,?)");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, u->id);
	sqlite3_bind_text(s, 2, f[0], -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, f[1], -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, f[2], -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 5, strcmp(f[3], "yes") == 0);
	return db_done(inst_db(in), s);
}

/* Whether package `from` is `target` or holds it at any depth: 1, 0, or
 * an error. */
static int holds(tfs_inst *in, int64_t from, int64_t target, int depth)
{
	int64_t ord[SUBS_MAX], sub[SUBS_MAX];
	size_t n, i;
	int r;

	if (from == target)
		return 1;
	if (depth > 16)
		return tfs_error_set(TFS_EINVALID, "master packages nest too "
				     "deep");
	if ((r = subs_of(ord, sub, &n, in, from)) < 0)
		return r;
	for (i = 0; i < n; i++)
		if ((r = holds(in, sub[i], target, depth + 1)) != 0)
			return r;
	return 0;
}

static int sub_line(void *ctx, char *line, int no)
{
	struct update *u = ctx;
	tfs_inst *in = u->in;
	char *name = line;
	sqlite3_stmt *s;
	struct pkg sub;
	tfs_row row;
	int64_t ord;
	int error;

	while (*name && !isspace((unsigned char)*name))
		name++;
	if (*name)
		*name++ = '\0';
	while (isspace((unsigned char)*name))
		name++;
	if (parse_id(line, &ord) < 0 || !*name)
		return tfs_error_set(TFS_EINVALID, "line %d: expected '<order>"
				     " <package>'", no);
	if (tfs_pkg_find(&row, in, name) < 0)
		return tfs_error_set(TFS_EINVALID, "line %d: no package %s",
				     no, name);
	if ((error = pkg_load(&sub, in, row.id)) < 0)
		return error;
	if ((error = holds(in, row.id, u->id, 0)) < 0)
		return error;
	if (error)
		return tfs_error_set(TFS_EINVALID, "line %d: %s holds this "
				     "package: a master package cannot hold "
				     "itself", no, name);
	s = db_stmt(inst_db(in), "INSERT INTO package_subs(package, ord, sub) "
				 "VALUES(?, ?, ?)");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, u->id);
	sqlite3_bind_int64(s, 2, ord);
	sqlite3_bind_int64(s, 3, row.id);
	error = db_done(inst_db(in), s);
	if (error == TFS_EEXISTS)
		return tfs_error_set(TFS_EINVALID, "line %d: order %lld given "
				     "twice", no, (long long)ord);
	return error;
}

static int update_body(tfs_inst *in, void *ctx)
{
	struct update *u = ctx;
	struct pkg p;
	int error;

	if ((error = pkg_load(&p, in, u->id)) < 0)
		return error;
	if (strcmp(p.state, "closed") == 0)
		return tfs_error_set(TFS_EACCESS, "package %s is closed",
				     p.name);
	switch (u->f) {
	case TFS_PKG_CONF:
		error = update_conf(in, u, &p);
		break;
	case TFS_PKG_TXSETS:
		if (strcmp(p.type, "incremental") != 0) {
			error = tfs_error_set(TFS_EINVALID, "only incremental "
					      "packages hold transaction sets");
			break;
		}
		if (!(error = exec_id(in, "DELETE FROM package_txsets WHERE "
				      "package = ?", u->id)))
			error = each_line(u->bytes, u->len, txset_line, u);
		snprintf(u->msg, sizeof(u->msg), "package %s: transaction "
			 "sets changed", p.name);
		break;
	case TFS_PKG_ASPECTS:
		if (!(error = exec_id(in, "DELETE FROM package_aspects WHERE "
				      "package = ?", u->id)))
			error = each_line(u->bytes, u->len, aspect_line, u);
		snprintf(u->msg, sizeof(u->msg), "package %s: aspects changed",
			 p.name);
		break;
	case TFS_PKG_SUBS:
		if (strcmp(p.type, "master") != 0) {
			error = tfs_error_set(TFS_EINVALID, "only master "
					      "packages hold sub-packages");
			break;
		}
		if (!(error = exec_id(in, "DELETE FROM package_subs WHERE "
				      "package = ?", u->id)))
			error = each_line(u->bytes, u->len, sub_line, u);
		snprintf(u->msg, sizeof(u->msg), "package %s: sub-packages "
			 "changed", p.name);
		break;
	default:
		error = tfs_error_set(TFS_EACCESS, "%s is read-only",
				      tfs_pkg_file_names[u->f]);
	}
	if (!error)
		error = exec_id(in, "UPDATE packages SET mtime = "
				"CAST(strftime('%s', 'now') AS INTEGER) "
				"WHERE id = ?", u->id);
	return error;
}

static int pkg_update_locked(tfs_inst *in, const char *user, int64_t id,
			     tfs_pkg_file f, const char *bytes, size_t len)
{
	struct update u = {in, id, f, bytes, len, user, ""};
	const char *action;
	int error;

	/* The event's action depends on what the update did, so this does
	 * not use inst_small_change(). */
	if ((error = db_exec(inst_db(in), "BEGIN IMMEDIATE")) < 0)
		return error;
	if ((error = update_body(in, &u)) < 0)
		goto fail;
	action = strstr(u.msg, "saved as") ? "Package/SaveAsFile" :
		 strstr(u.msg, "state closed") ? "Package/Close" :
		 "Package/Update";
	if ((error = inst_log_event(in, user, action, u.msg)) < 0 ||
	    (error = db_exec(inst_db(in), "COMMIT")) < 0)
		goto fail;
	store_flush_events(in->st, in);
	if (in->st->observer)
		in->st->observer(in->st->observer_ctx, in->id,
				 TFS_CHANGE_INSTANCE, 0, 0, NULL);
	return 0;
fail:
	db_rollback(inst_db(in));
	return error;
}

int tfs_pkg_update(tfs_inst *in, const char *user, int64_t id, tfs_pkg_file f,
		   const char *bytes, size_t len)
{
	int error;

	if ((error = inst_check_packages(in, user)) < 0)
		return error;
	inst_write_begin(in);
	error = pkg_update_locked(in, user, id, f, bytes, len);
	inst_write_end(in);
	return error;
}
