/*
 * The files of packages/P/: package.conf, transaction-sets, aspects,
 * sub-packages, impact, dependencies and package.xml, the export (see
 * package.c for what it carries).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "package_int.h"
#include "tenantfs/doc.h"
#include "tenantfs/error.h"
#include "tenantfs/history.h"
#include "tenantfs/package.h"

/*
 * One transaction of a package, as exported.  The object's bytes are read
 * when they are written out (tx_object), not kept: a package of 10^5
 * records would hold them all.
 */
struct tx {
	int64_t seq;
	int64_t txset;
	int64_t object; /* the transaction whose object this one puts
			   * (compact folds later updates in), 0: none */
	char *path;
	char base[65];
	char op;
	bool dropped; /* folded into an earlier one (compact) */
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
static int tx_bytes(tfs_buf *out, bool *found, tfs_inst *in, sqlite3_stmt *s,
		    int col, const char *path)
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
	sqlite3_stmt *s = db_stmt(inst_db(in),
				  "SELECT seq, op, kind, type, name,"
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
				error = tfs_error_set(TFS_ERROR,
						      "out of memory");
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
		obj_path(path, sizeof(path), (tfs_kind)sqlite3_column_int(s, 2),
			 db_text(s, 3), db_text(s, 4));
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
	sqlite3_stmt *s = db_stmt(inst_db(in),
				  "SELECT txset FROM package_txsets "
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
				return tfs_error_set(TFS_ERROR,
						     "out of memory");
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

static int export_txsets(tfs_pkgw *w, tfs_inst *in, struct txlist *l)
{
	tfs_buf obj = TFS_BUF_INIT;
	sqlite3_stmt *s;
	size_t i;
	int64_t open_set = 0;
	int error = 0;

	for (i = 0; i < l->n && !error; i++) {
		struct tx *t = &l->v[i];
		char iso[32];

		if (t->dropped)
			continue;
		if (t->txset != open_set) {
			if (open_set && (error = tfs_pkgw_set_end(w)) < 0)
				break;
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
				error = tfs_error_set(TFS_ERROR,
						      "transaction "
						      "set %lld is missing",
						      (long long)t->txset);
				break;
			}
			tfs_time_iso(iso, sqlite3_column_int64(s, 2));
			error = tfs_pkgw_set_begin(w, t->txset, db_text(s, 0),
						   db_text(s, 1), iso);
			sqlite3_reset(s);
			open_set = t->txset;
		}
		if (!error)
			error = tx_object(&obj, in, t);
		/* an empty object is still one ("" where the buffer has
		 * no memory yet); only a delete has none */
		if (!error)
			error = tfs_pkgw_tx(w, t->seq, t->op, t->path, t->base,
					    t->object ?
						    (obj.ptr ? obj.ptr : "") :
						    NULL,
					    obj.size);
	}
	if (!error && open_set)
		error = tfs_pkgw_set_end(w);
	tfs_buf_free(&obj);
	return error;
}

/* The sub-packages of master `id` (package_int.h). */
int pkg_subs(int64_t ord[SUBS_MAX], int64_t sub[SUBS_MAX], size_t *n,
	     tfs_inst *in, int64_t id)
{
	sqlite3_stmt *s = db_stmt(inst_db(in),
				  "SELECT ord, sub FROM package_subs"
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
		return tfs_error_set(TFS_EINVALID,
				     "a master package holds "
				     "more than %d packages",
				     SUBS_MAX);
	return 0;
}

static int export_pkg(tfs_pkgw *w, tfs_inst *in, int64_t id, bool compacted,
		      int depth);

static int export_subs(tfs_pkgw *w, tfs_inst *in, int64_t id, bool compacted,
		       int depth)
{
	int64_t ord[SUBS_MAX], sub[SUBS_MAX];
	size_t n = 0, i;
	int error;

	if ((error = pkg_subs(ord, sub, &n, in, id)) < 0)
		return error;
	for (i = 0; i < n && !error; i++) {
		error = tfs_pkgw_sub_begin(w, ord[i]);
		if (!error)
			error = export_pkg(w, in, sub[i], compacted, depth + 1);
		if (!error)
			error = tfs_pkgw_sub_end(w);
	}
	return error;
}

/* Package `id`, `depth` masters deep. */
static int export_pkg(tfs_pkgw *w, tfs_inst *in, int64_t id, bool compacted,
		      int depth)
{
	struct txlist l = { 0 };
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
	error = tfs_pkgw_begin(w, &(struct tfs_pkgw_head){
					  .name = p.name,
					  .type = p.type,
					  .state = p.state,
					  .description = p.description,
					  .source_tenant = in->tenant,
					  .source_instance = in->name,
					  .source_commit = head });
	s = db_stmt(inst_db(in),
		    "SELECT aspect, version, vendor, uninstall FROM "
		    "package_aspects WHERE package = ? ORDER BY aspect");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	while (!error && sqlite3_step(s) == SQLITE_ROW)
		error = tfs_pkgw_aspect(w, db_text(s, 0), db_text(s, 1),
					db_text(s, 2),
					sqlite3_column_int(s, 3));
	sqlite3_reset(s);
	if (!error && strcmp(p.type, "master") == 0)
		error = export_subs(w, in, id, compacted, depth);
	else if (!error) {
		error = pkg_transactions(&l, in, id);
		if (!error && compacted)
			error = compact(&l);
		if (!error)
			error = export_txsets(w, in, &l);
	}
	txlist_free(&l);
	return error ? error : tfs_pkgw_end(w);
}

/* package.xml of package `id` (package_int.h). */
int pkg_export(tfs_buf *b, tfs_inst *in, int64_t id, bool compacted)
{
	tfs_pkgw w;

	tfs_pkgw_init(&w, b, NULL);
	return export_pkg(&w, in, id, compacted, 0);
}

/* The object at `path` before transaction `seq`: the bytes of the
 * object's previous transaction (transactions.prev, if it names the same
 * path: after a copy-to-replace, objects.last_tx may name a transaction
 * of the source's), else the instance's first commit. */
static int bytes_before(tfs_buf *out, bool *found, tfs_inst *in,
			const char *path, int64_t seq)
{
	sqlite3_stmt *s = db_stmt(inst_db(in),
				  "SELECT p.op, p.bytes, p.blob FROM "
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
static int impact_of_subs(int *level, tfs_buf *why, tfs_inst *in, int64_t id,
			  int depth)
{
	int64_t ord[SUBS_MAX], sub[SUBS_MAX];
	size_t n, i;
	int error;

	if (depth > 16)
		return tfs_error_set(TFS_EINVALID, "master packages nest too "
						   "deep");
	if ((error = pkg_subs(ord, sub, &n, in, id)) < 0)
		return error;
	for (i = 0; i < n && !error; i++)
		error = impact_of_pkg(level, why, in, sub[i], depth + 1);
	return error;
}

static int impact_of_pkg(int *level, tfs_buf *why, tfs_inst *in, int64_t id,
			 int depth)
{
	struct txlist l = { 0 };
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
		if (t->op != 'C' && (error = bytes_before(&old, &found, in,
							  t->path, t->seq)) < 0)
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
	struct txlist l = { 0 };
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
				char **g = realloc(paths,
						   (cap = cap ? cap * 2 : 16) *
							   sizeof(*g));
				if (!g) {
					error = tfs_error_set(TFS_ERROR,
							      "out of memory");
					break;
				}
				paths = g;
			}
			if (!(paths[n] = strdup(p)))
				error = tfs_error_set(TFS_ERROR,
						      "out of memory");
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
		error = tfs_buf_printf(out,
				       "type = %s\ndescription = %s\n"
				       "state = %s\n",
				       p.type, p.description, p.state);
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
			error = tfs_buf_printf(
				out, "%lld\n",
				(long long)sqlite3_column_int64(s, 0));
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
						       "yes" :
						       "no");
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
			error = tfs_buf_printf(
				out, "%lld %s\n",
				(long long)sqlite3_column_int64(s, 0),
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
				error = tfs_buf_put(
					out, sqlite3_column_blob(s, 0),
					(size_t)sqlite3_column_bytes(s, 0));
				sqlite3_reset(s);
				return error;
			}
			sqlite3_reset(s);
		}
		return pkg_export(out, in, id, f == TFS_PKG_COMPACT);
	case TFS_PKG_IMPACT:
		return render_impact(out, in, id);
	case TFS_PKG_DEPS:
		return render_deps(out, in, id);
	default:
		break;
	}
	return tfs_error_set(TFS_ENOTFOUND, "no such package file");
}
