/*
 * copy-to-replace and restore: the target's content (directories,
 * objects, references, secrets) becomes that of another database, read
 * through a snapshot: an instance's database (the source of a push) or a
 * backup.  The target keeps what is its own: its history, projects,
 * transaction sets, packages, log and drops.
 *
 * It is one SQLite transaction of the target.  The source is attached
 * read-only (mode=ro: its writers never wait for us) and its tables are
 * copied with INSERT INTO ... SELECT *, which SQLite carries out as a
 * copy of b-tree records, without decoding them (the "transfer
 * optimization"), so its cost is close to copying the pages.  The history
 * commit's tree is the source's commit's tree (the configuration is
 * identical), with only what scrubbing changed written anew: no blob is
 * written for what did not change.  Written and synced before the
 * transaction commits, named only by it: a crash at any point leaves the
 * target as it was (history.h, "Durability").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "history_int.h"
#include "push_int.h"
#include "tenantfs/error.h"
#include "tenantfs/history.h"
#include "tenantfs/sha256.h"

/* ---- SQL functions: dates and e-mail addresses of records ------------------ */

/* The time of `<Value field="F">2025-12-08T11:49:12Z</Value>` in a
 * record's canonical bytes, or 0. */
static int64_t value_time(const char *p, size_t len, const char *field)
{
	char pat[64];
	const char *v;
	struct tm tm;
	size_t n = (size_t)snprintf(pat, sizeof(pat), "<Value field=\"%s\">",
				    field);

	for (v = p; v && (size_t)(v - p) + n + 20 <= len;) {
		v = memmem(v, len - (size_t)(v - p), pat, n);
		if (!v)
			break;
		v += n;
		memset(&tm, 0, sizeof(tm));
		if (sscanf(v, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
			   &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
			   &tm.tm_sec) == 6) {
			tm.tm_year -= 1900;
			tm.tm_mon -= 1;
			return (int64_t)timegm(&tm);
		}
	}
	return 0;
}

/* rec_time(bytes): the later of a record's creation and last change, or
 * NULL if it has neither (never trimmed). */
static void fn_rec_time(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const char *p = sqlite3_value_blob(argv[0]);
	size_t len = (size_t)sqlite3_value_bytes(argv[0]);
	int64_t c, m;

	(void)argc;
	if (!p) {
		sqlite3_result_null(cx);
		return;
	}
	c = value_time(p, len, "CreatedDateTime");
	m = value_time(p, len, "LastModDateTime");
	if (!c && !m)
		sqlite3_result_null(cx);
	else
		sqlite3_result_int64(cx, c > m ? c : m);
}

static bool local_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || strchr("._%+-", ch);
}

static bool domain_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '.' || ch == '-';
}

static const char scrub_domain[] = "it.com";

/*
 * Every e-mail address of `p` moved to the domain it.com (the console's
 * "scrub e-mail addresses"): the domain after each '@' that has a local
 * part before it and a dotted domain after it.  Returns the new length,
 * written to `out` (room for len + len / 2 + 16 bytes), or 0 if nothing
 * changed.
 */
static size_t scrub(char *out, const char *p, size_t len)
{
	size_t i = 0, o = 0, d;
	bool changed = false;

	while (i < len) {
		if (p[i] == '@' && i > 0 && local_char(p[i - 1])) {
			for (d = i + 1; d < len && domain_char(p[d]); d++)
				;
			while (d > i + 1 && (p[d - 1] == '.' || p[d - 1] == '-'))
				d--;
			if (memchr(p + i + 1, '.', d - i - 1) &&
			    (d - i - 1 != sizeof(scrub_domain) - 1 ||
			     memcmp(p + i + 1, scrub_domain, d - i - 1))) {
				out[o++] = '@';
				memcpy(out + o, scrub_domain,
				       sizeof(scrub_domain) - 1);
				o += sizeof(scrub_domain) - 1;
				i = d;
				changed = true;
				continue;
			}
		}
		out[o++] = p[i++];
	}
	return changed ? o : 0;
}

/* scrub(bytes): the bytes scrubbed, or NULL if they have no address to
 * move. */
static void fn_scrub(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const char *p = sqlite3_value_blob(argv[0]);
	size_t len = (size_t)sqlite3_value_bytes(argv[0]), n;
	char *out;

	(void)argc;
	if (!p || !memchr(p, '@', len)) {
		sqlite3_result_null(cx);
		return;
	}
	if (!(out = sqlite3_malloc64(len + len / 2 + 16))) {
		sqlite3_result_error_nomem(cx);
		return;
	}
	if ((n = scrub(out, p, len)) == 0) {
		sqlite3_free(out);
		sqlite3_result_null(cx);
		return;
	}
	sqlite3_result_blob64(cx, out, n, sqlite3_free);
}

#define DISABLED_FALSE "<Value field=\"Disabled\">false</Value>"
#define DISABLED_TRUE "<Value field=\"Disabled\">true</Value>"

int push_user_disabled(tfs_buf *out, const char *p, size_t len, bool disable)
{
	const char *from = disable ? DISABLED_FALSE : DISABLED_TRUE;
	const char *to = disable ? DISABLED_TRUE : DISABLED_FALSE;
	size_t fl = strlen(from), k;
	const char *at = p ? memmem(p, len, from, fl) : NULL;
	int error;

	if (!at)
		return 0;
	k = (size_t)(at - p);
	if ((error = tfs_buf_put(out, p, k)) < 0 ||
	    (error = tfs_buf_puts(out, to)) < 0 ||
	    (error = tfs_buf_put(out, at + fl, len - k - fl)) < 0)
		return error;
	return 1;
}

/* tfs_disable(bytes) / tfs_enable(bytes): a user disabled (enabled), or
 * NULL if it already was. */
static void swap_disabled(sqlite3_context *cx, sqlite3_value **argv,
			  bool disable)
{
	tfs_buf b = TFS_BUF_INIT;
	int rc = push_user_disabled(&b, sqlite3_value_blob(argv[0]),
				    (size_t)sqlite3_value_bytes(argv[0]),
				    disable);

	if (rc < 0)
		sqlite3_result_error_nomem(cx);
	else if (rc == 0)
		sqlite3_result_null(cx);
	else
		sqlite3_result_blob64(cx, b.ptr, b.size, SQLITE_TRANSIENT);
	tfs_buf_free(&b);
}

static void fn_disable(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	swap_disabled(cx, argv, true);
}

static void fn_enable(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	swap_disabled(cx, argv, false);
}

static void fn_sha256(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const void *p = sqlite3_value_blob(argv[0]);
	char hex[65];

	(void)argc;
	tfs_sha256_hex(hex, p ? p : "", (size_t)sqlite3_value_bytes(argv[0]));
	sqlite3_result_text(cx, hex, 64, SQLITE_TRANSIENT);
}

static int add_functions(db_conn *db)
{
	static const struct {
		const char *name;
		void (*fn)(sqlite3_context *, int, sqlite3_value **);
	} fns[] = {{"tfs_rec_time", fn_rec_time}, {"tfs_scrub", fn_scrub},
		   {"tfs_disable", fn_disable}, {"tfs_enable", fn_enable},
		   {"tfs_sha256", fn_sha256}};
	size_t i;

	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		if (sqlite3_create_function_v2(db->db, fns[i].name, 1,
					       SQLITE_UTF8 |
					       SQLITE_DETERMINISTIC, NULL,
					       fns[i].fn, NULL, NULL,
					       NULL) != SQLITE_OK)
			return db_fail(db, "add functions");
	return 0;
}

/* ---- progress of the bulk copy -------------------------------------------- */

/*
 * A bulk INSERT ... SELECT reports nothing until it ends: SQLite's
 * progress handler counts its virtual machine's steps instead, about
 * STEPS_PER_ROW for each row copied with its indexes, and the estimate
 * stays below the total until the copy is done.
 */
#define STEPS_PER_ROW 16
#define STEPS_PER_CALL 20000

struct bulk {
	struct push_progress *pg;
	uint64_t base;
};

static int on_progress(void *ctx)
{
	struct bulk *b = ctx;
	struct push_progress *pg = b->pg;
	uint64_t est = pg->done + STEPS_PER_CALL / STEPS_PER_ROW;

	if (est + 1 < pg->total && est < b->base + pg->total) {
		pg->done = est;
		if (pg->fn)
			pg->fn(pg->ctx, pg->done, pg->total);
	}
	return 0;
}

/* ---- the copy -------------------------------------------------------------- */

struct repl {
	tfs_inst *in;
	db_conn *db;
	const struct push_req *r;
	struct push_counts *c;
	struct change *hc;   /* versioned objects scrubbed or disabled */
	size_t nhc;
	char from_commit[41];
};

static int exec_count(struct repl *x, const char *sql, uint64_t *n)
{
	int error = db_exec(x->db, sql);

	if (!error && n)
		*n += (uint64_t)sqlite3_changes(x->db->db);
	return error;
}

static int attach(db_conn *db, const char *path)
{
	tfs_buf uri = TFS_BUF_INIT;
	sqlite3_stmt *s = NULL;
	const char *p;
	int error = tfs_buf_puts(&uri, "file:");

	for (p = path; !error && *p; p++)
		error = strchr("?#%", *p) ?
			tfs_buf_printf(&uri, "%%%02X", (unsigned char)*p) :
			tfs_buf_put(&uri, p, 1);
	if (!error)
		error = tfs_buf_puts(&uri, "?mode=ro");
	if (!error && sqlite3_prepare_v2(db->db, "ATTACH ? AS src", -1, &s,
					 NULL) != SQLITE_OK)
		error = db_fail(db, "attach");
	if (!error) {
		sqlite3_bind_text(s, 1, uri.ptr, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			error = db_fail(db, "attach the source");
	}
	sqlite3_finalize(s);
	tfs_buf_free(&uri);
	return error;
}

static int source_commit(struct repl *x, uint64_t *total)
{
	sqlite3_stmt *s = NULL;
	int error = 0;

	x->from_commit[0] = '\0';
	if (sqlite3_prepare_v2(x->db->db, "SELECT (SELECT oid FROM src.commits"
			       " ORDER BY n DESC LIMIT 1), (SELECT count(*)"
			       " FROM src.objects)", -1, &s, NULL) != SQLITE_OK)
		return db_fail(x->db, "read the source");
	if (sqlite3_step(s) == SQLITE_ROW) {
		snprintf(x->from_commit, sizeof(x->from_commit), "%s",
			 db_text(s, 0));
		*total = (uint64_t)sqlite3_column_int64(s, 1);
	} else {
		error = db_fail(x->db, "read the source");
	}
	sqlite3_finalize(s);
	return error;
}

static int copy_tables(struct repl *x, struct push_progress *pg)
{
	struct bulk b = {pg, 0};
	int error;

	if ((error = db_exec(x->db, "DELETE FROM refs; DELETE FROM secrets;"
				    " DELETE FROM objects; DELETE FROM dirs;")) <
	    0)
		return error;
	sqlite3_progress_handler(x->db->db, STEPS_PER_CALL, on_progress, &b);
	error = db_exec(x->db, "INSERT INTO dirs SELECT * FROM src.dirs;"
			       "INSERT INTO objects SELECT * FROM src.objects;"
			       "INSERT INTO refs SELECT * FROM src.refs;"
			       "INSERT INTO secrets SELECT * FROM src.secrets;");
	sqlite3_progress_handler(x->db->db, 0, NULL, NULL);
	/* objects.last_tx now names the source's transactions, which we
	 * do not have: a transaction's `prev` is only trusted where it
	 * names the same path (package_export.c, bytes_before), so these are
	 * harmless and need no pass over every row. */
	return error;
}

/*
 * trim_days: transactional records neither created nor changed in the
 * last N days are not copied (INTERFACE.md), whoever links to them: the
 * records kept are the source's, bytes unchanged, and a link of theirs
 * to a record left out points at nothing here (as a link to a record
 * deleted later would).
 */
static int trim(struct repl *x)
{
	char sql[600];
	int64_t cutoff = tfs_now() - (int64_t)x->r->trim_days * 86400;
	int error;

	snprintf(sql, sizeof(sql),
		 "CREATE TEMP TABLE IF NOT EXISTS trim(id INTEGER PRIMARY KEY);"
		 "DELETE FROM temp.trim;"
		 "INSERT INTO temp.trim SELECT o.id FROM objects o JOIN dirs d"
		 " ON d.id = o.dir WHERE d.kind = %d AND"
		 " tfs_rec_time(o.bytes) < %lld", (int)TFS_KIND_DATA,
		 (long long)cutoff);
	if ((error = db_exec(x->db, sql)) < 0 ||
	    (error = exec_count(x, "DELETE FROM objects WHERE id IN (SELECT id"
				   " FROM temp.trim)", &x->c->trimmed)) < 0)
		return error;
	return db_exec(x->db, "DELETE FROM refs WHERE obj IN (SELECT id FROM"
			      " temp.trim); DELETE FROM secrets WHERE obj IN"
			      " (SELECT id FROM temp.trim); DROP TABLE"
			      " temp.trim;");
}

/* Remember that object `id` changed (its history entry is written from
 * its final bytes, once, whatever rewrote it). */
static int mark_changed(struct repl *x, int64_t id)
{
	sqlite3_stmt *s = db_stmt(x->db, "INSERT OR IGNORE INTO temp.changed"
					 " VALUES(?)");

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	return db_done(x->db, s);
}

/* The history entry of versioned object `id`: its path and bytes. */
static int note_change(struct repl *x, sqlite3_stmt *s)
{
	tfs_kind kind = (tfs_kind)sqlite3_column_int(s, 0);
	size_t len = (size_t)sqlite3_column_bytes(s, 3);
	struct change *hc;
	char path[512], *bytes;
	int error;

	if (!tfs_kind_versioned(kind))
		return 0;
	if (!(hc = realloc(x->hc, (x->nhc + 1) * sizeof(*hc))))
		return tfs_error_set(TFS_ERROR, "out of memory");
	x->hc = hc;
	if ((error = obj_path(path, sizeof(path), kind, db_text(s, 1),
			      db_text(s, 2))) < 0)
		return error;
	if (!(bytes = malloc(len ? len : 1)))
		return tfs_error_set(TFS_ERROR, "out of memory");
	memcpy(bytes, sqlite3_column_blob(s, 3), len);
	memset(&hc[x->nhc], 0, sizeof(hc[0]));
	hc[x->nhc].bytes = bytes;
	hc[x->nhc].len = len;
	hc[x->nhc].put = true;
	if (!(hc[x->nhc].path = strdup(path))) {
		free(bytes);
		return tfs_error_set(TFS_ERROR, "out of memory");
	}
	x->nhc++;
	return 0;
}

static int note_changes(struct repl *x)
{
	sqlite3_stmt *s = NULL;
	int error = 0, rc;

	if (sqlite3_prepare_v2(x->db->db, "SELECT d.kind, d.type, o.name,"
			       " o.bytes FROM temp.changed c JOIN objects o ON"
			       " o.id = c.id JOIN dirs d ON d.id = o.dir", -1,
			       &s, NULL) != SQLITE_OK)
		return db_fail(x->db, "changes");
	while (!error && (rc = sqlite3_step(s)) == SQLITE_ROW)
		error = note_change(x, s);
	sqlite3_finalize(s);
	return error;
}

/*
 * Rewrite the objects of `kind` (and business object `bo`, if not NULL;
 * and named in temp.enabled, if `enabled`) through SQL function `fn`;
 * each one rewritten is marked changed.
 */
static int rewrite(struct repl *x, tfs_kind kind, const char *bo,
		   bool enabled, const char *fn, uint64_t *n)
{
	char sql[700];
	sqlite3_stmt *s = NULL;
	int error = 0, rc = SQLITE_DONE;

	snprintf(sql, sizeof(sql),
		 "UPDATE objects SET bytes = %s(bytes), sha = tfs_sha256(%s("
		 "bytes)) WHERE id IN (SELECT o.id FROM objects o JOIN dirs d"
		 " ON d.id = o.dir WHERE d.kind = %d%s%s AND %s(o.bytes) IS NOT"
		 " NULL) RETURNING id", fn, fn, (int)kind,
		 bo ? " AND d.type = ?" : "",
		 enabled ? " AND o.name IN (SELECT name FROM temp.enabled)" : "",
		 fn);
	if (sqlite3_prepare_v2(x->db->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(x->db, "rewrite records");
	if (bo)
		sqlite3_bind_text(s, 1, bo, -1, SQLITE_STATIC);
	/* RETURNING: every change is made by the first step */
	while (!error && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		(*n)++;
		error = mark_changed(x, sqlite3_column_int64(s, 0));
	}
	if (!error && rc != SQLITE_DONE)
		error = db_fail(x->db, "rewrite records");
	sqlite3_finalize(s);
	return error;
}

/* keep_users_enabled: the target's users enabled before the copy (the
 * guide: "keep existing users enabled in the target tenant"). */
static int note_enabled(struct repl *x)
{
	return db_exec(x->db,
		"CREATE TEMP TABLE IF NOT EXISTS enabled(name TEXT PRIMARY KEY)"
		" WITHOUT ROWID; DELETE FROM temp.enabled;"
		"INSERT INTO temp.enabled SELECT o.name FROM objects o JOIN dirs"
		" d ON d.id = o.dir WHERE d.kind = 3 AND d.type = 'Employee'"
		" AND instr(o.bytes, '<Value field=\"Disabled\">false</Value>')"
		" > 0");
}

static int apply_options(struct repl *x)
{
	const struct push_req *r = x->r;
	int error = 0;

	if (!r)
		return 0;
	if (r->trim_days > 0 && (error = trim(x)) < 0)
		return error;
	if (r->scrub_user_email &&
	    (error = rewrite(x, TFS_KIND_MASTER, NULL, false, "tfs_scrub",
			     &x->c->scrubbed)) < 0)
		return error;
	if (r->scrub_other_email &&
	    (error = rewrite(x, TFS_KIND_DATA, NULL, false, "tfs_scrub",
			     &x->c->scrubbed)) < 0)
		return error;
	if (r->op != OP_COPY_TO_REPLACE)
		return 0;
	if (r->keep_users_enabled)
		return rewrite(x, TFS_KIND_MASTER, "Employee", true,
			       "tfs_enable", &x->c->enabled);
	return rewrite(x, TFS_KIND_MASTER, "Employee", false, "tfs_disable",
		       &x->c->disabled);
}

static void free_changes(struct repl *x)
{
	size_t i;

	for (i = 0; i < x->nhc; i++) {
		free((char *)x->hc[i].path);
		free((char *)x->hc[i].bytes);
	}
	free(x->hc);
	x->hc = NULL;
	x->nhc = 0;
}

/* The history commit and its row; *n gets its number. */
static int record_commit(struct repl *x, char oid[41], int *n,
			 const char *user, int64_t now, const char *message)
{
	tfs_inst *in = x->in;
	char parent[41], email[160];
	tfs_history_sig sig;
	sqlite3_stmt *s;
	int error;

	if ((error = inst_last_commit(in, n, parent)) < 0)
		return error;
	snprintf(email, sizeof(email), "%s@tenantfs.local", user);
	sig.name = user;
	sig.email = email;
	sig.time = now;
	if ((error = hist_write_commit_on(oid, in->st->hist,
					  parent[0] ? parent : NULL,
					  x->from_commit, x->hc, x->nhc, &sig,
					  message)) < 0)
		return error;
	(*n)++;
	s = db_stmt(x->db, "INSERT INTO commits(n, oid, time, user, message,"
			   " txset) VALUES(?, ?, ?, ?, ?, NULL)");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int(s, 1, *n);
	sqlite3_bind_text(s, 2, oid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, now);
	sqlite3_bind_text(s, 4, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, message, -1, SQLITE_STATIC);
	return db_done(x->db, s);
}

static int replace_in_txn(struct repl *x, int *commit_n, char oid[41],
			  const char *user, int64_t version,
			  const char *action, const char *message,
			  struct push_progress *pg)
{
	tfs_inst *in = x->in;
	int64_t now = tfs_now();
	char line[600];
	int error;

	if ((error = source_commit(x, &pg->total)) < 0 ||
	    (error = db_exec(x->db, "CREATE TEMP TABLE IF NOT EXISTS changed("
				    "id INTEGER PRIMARY KEY);"
				    "DELETE FROM temp.changed")) < 0 ||
	    (x->r && x->r->keep_users_enabled &&
	     (error = note_enabled(x)) < 0) ||
	    (error = copy_tables(x, pg)) < 0)
		return error;
	x->c->created = pg->total;
	pg->done = pg->total;
	if (pg->fn)
		pg->fn(pg->ctx, pg->done, pg->total);
	if ((error = apply_options(x)) < 0 || (error = note_changes(x)) < 0 ||
	    (error = record_commit(x, oid, commit_n, user, now, message)) < 0)
		return error;
	snprintf(line, sizeof(line), "%s (commit %d)", message, *commit_n);
	if ((error = inst_meta_set_int(in, "version", version)) < 0 ||
	    (error = inst_meta_set_int(in, "last_update", now)) < 0 ||
	    (error = inst_meta_set_text(in, "last_update_by", user)) < 0 ||
	    (error = inst_log_event(in, user, action, line)) < 0)
		return error;
	/* Packages applied to the source are in what we now hold. */
	if (db_exec(x->db, "DELETE FROM applied; INSERT INTO applied"
			   " SELECT * FROM src.applied") < 0)
		tfs_error_clear();
	return 0;
}

int push_replace(struct push_counts *c, int *commit_n, tfs_inst *in,
		 const char *user, const char *from_path,
		 const struct push_req *r, int64_t version,
		 const char *action, const char *message,
		 struct push_progress *pg)
{
	struct repl x = {in, &in->db, r, c, NULL, 0, ""};
	char oid[41] = "";
	int error;

	if ((error = add_functions(x.db)) < 0 ||
	    (error = attach(x.db, from_path)) < 0)
		return error;
	if ((error = db_cache_size(x.db, DB_CACHE_BULK_KIB)) < 0 ||
	    (error = db_exec(x.db, "BEGIN IMMEDIATE")) < 0)
		goto detach;
	error = replace_in_txn(&x, commit_n, oid, user, version, action,
			       message, pg);
	if (!error && in->st->observer)
		in->st->observer(in->st->observer_ctx, in->id,
				 TFS_CHANGE_REPLACING, 0, 0, NULL);
	if (!error)
		error = db_exec(x.db, "COMMIT");
	if (error)
		db_rollback(x.db);
detach:
	db_cache_size(x.db, DB_CACHE_KIB);
	if (db_exec(x.db, "DETACH src") < 0)
		tfs_error_clear();
	free_changes(&x);
	if (error)
		return error;
	/* Committed: the branch follows (or inst_recover moves it). */
	if (tfs_history_set_ref(in->st->hist, in->branch, oid) < 0)
		fprintf(stderr, "tenantfs: %s: %s (repaired on next mount)\n",
			in->branch, tfs_error_last());
	store_flush_events(in->st, in);
	/* shrink: the space the old content held goes back to the disk
	 * (readers go on meanwhile: WAL). */
	if (r && r->shrink && db_exec(x.db, "VACUUM") < 0)
		fprintf(stderr, "tenantfs: %s: shrink: %s\n", in->branch,
			tfs_error_last());
	if (in->st->observer)
		in->st->observer(in->st->observer_ctx, in->id,
				 TFS_CHANGE_REPLACED, 0, 0, NULL);
	return 0;
}
