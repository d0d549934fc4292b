/*
 * copy-to-replace and restore: the target's content (directories,
 * objects, references, secrets) becomes that of another database, read
 * through a snapshot: an instance's database (the source of a push) or a
 * backup.  The target keeps what is its own: its history, projects,
 * transaction sets, packages, log and drops.
 *
 * The new database is built beside the target's (inst_file.c): SQLite's
 * online backup of the source, page by page from one snapshot (its
 * writers never wait for us), then the target's own tables copied in,
 * the options (trim, scrub, users enabled or disabled, shrink) applied
 * and the history commit, version and event recorded in it; then one
 * rename makes it the target's.  The history commit's tree is the
 * source's commit's tree (the configuration is identical), with only what
 * scrubbing changed written anew: no blob is written for what did not
 * change.  Written and synced before the rename, named only by the new
 * database: a crash at any point leaves the target as it was (history.h,
 * "Durability").  Records deleted or rewritten here are overwritten where
 * they lay (secure_delete); free pages copied from the source keep what
 * the source left in them, which `shrink` (VACUUM) drops.
 */
#include <limits.h>
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
		if (sscanf(v, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year,
			   &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
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
			while (d > i + 1 &&
			       (p[d - 1] == '.' || p[d - 1] == '-'))
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
#define DISABLED_TRUE  "<Value field=\"Disabled\">true</Value>"

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
	} fns[] = { { "tfs_rec_time", fn_rec_time },
		    { "tfs_scrub", fn_scrub },
		    { "tfs_disable", fn_disable },
		    { "tfs_enable", fn_enable },
		    { "tfs_sha256", fn_sha256 } };
	size_t i;

	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		if (sqlite3_create_function_v2(db->db, fns[i].name, 1,
					       SQLITE_UTF8 |
						       SQLITE_DETERMINISTIC,
					       NULL, fns[i].fn, NULL, NULL,
					       NULL) != SQLITE_OK)
			return db_fail(db, "add functions");
	return 0;
}

/* ---- the copy of the source ---------------------------------------------- */

struct repl {
	tfs_inst *in;
	db_conn *db; /* the aside (the instance's writer meanwhile) */
	const struct push_req *r;
	struct push_counts *c;
	struct change *hc; /* versioned objects scrubbed or disabled */
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

/* Pages copied per step of the backup: progress between steps. */
#define COPY_STEP_PAGES 4096
/* How long the copy waits, in all, for a lock it should never meet. */
#define COPY_BUSY_MS 10000

static int sqlite_fail(sqlite3 *db, int rc, const char *what)
{
	int code = (rc & 0xff) == SQLITE_FULL ? TFS_ENOSPC :
		   (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED ?
						TFS_EBUSY :
						TFS_ERROR;

	return tfs_error_set(code, "%s: %s", what,
			     db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

/* The source's newest commit and object count, in the read transaction
 * that the backup then goes on in (one snapshot). */
static int source_facts(struct repl *x, sqlite3 *src, uint64_t *total)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = sqlite3_exec(src, "BEGIN", NULL, NULL, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_prepare_v2(src,
				     "SELECT (SELECT oid FROM commits"
				     " ORDER BY n DESC LIMIT 1), (SELECT"
				     " count(*) FROM objects)",
				     -1, &s, NULL)) != SQLITE_OK)
		return sqlite_fail(src, rc, "read the source");
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *oid = sqlite3_column_text(s, 0);

		snprintf(x->from_commit, sizeof(x->from_commit), "%s",
			 oid ? (const char *)oid : "");
		*total = (uint64_t)sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : sqlite_fail(src, rc, "read the source");
}

/*
 * The aside becomes a copy of the database at `from`: SQLite's online
 * backup, page by page (no record decoded, no index rebuilt), from one
 * snapshot of the source, whose writers never wait for it.
 */
static int copy_source(struct repl *x, sqlite3 *dst, const char *from,
		       struct push_progress *pg)
{
	sqlite3 *src = NULL;
	sqlite3_backup *b = NULL;
	int rc, error, busy_ms = 0;

	if ((rc = sqlite3_open_v2(from, &src,
				  SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
				  NULL)) != SQLITE_OK) {
		error = sqlite_fail(src, rc, "open the source");
		goto done;
	}
	sqlite3_busy_timeout(src, 10000);
	if ((error = source_facts(x, src, &pg->total)) < 0)
		goto done;
	if (!(b = sqlite3_backup_init(dst, "main", src, "main"))) {
		error = sqlite_fail(dst, SQLITE_ERROR, "copy the source");
		goto done;
	}
	/* Both ends are ours alone (the source in its read transaction, the
	 * aside unopened elsewhere): busy is not expected, and not waited
	 * for without end (COPY_BUSY_MS in all). */
	while ((rc = sqlite3_backup_step(b, COPY_STEP_PAGES)) == SQLITE_OK ||
	       ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) &&
		busy_ms < COPY_BUSY_MS)) {
		int all = sqlite3_backup_pagecount(b);

		if (rc != SQLITE_OK) {
			sqlite3_sleep(10);
			busy_ms += 10;
		}
		if (all > 0) {
			pg->done = pg->total *
				   (uint64_t)(all -
					      sqlite3_backup_remaining(b)) /
				   (uint64_t)all;
			if (pg->fn && pg->done < pg->total)
				pg->fn(pg->ctx, pg->done, pg->total);
		}
	}
	error = rc == SQLITE_DONE ? 0 : sqlite_fail(dst, rc, "copy the source");
done:
	if (b)
		sqlite3_backup_finish(b);
	sqlite3_close(src);
	return error;
}

/*
 * A new database file: no journal while it is built (nobody else opens
 * it; a crash leaves it to inst_file_tidy), synced once when done.
 */
static int open_aside(db_conn *c, const char *path)
{
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = sqlite3_open_v2(path, &c->db,
				  SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
					  SQLITE_OPEN_NOMUTEX,
				  NULL)) != SQLITE_OK) {
		rc = sqlite_fail(c->db, rc, "create the new database");
		db_close(c);
		return rc;
	}
	return db_exec(c, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
			  " PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON");
}

/* The source's content, not its own: what copy-to-replace takes. */
#define CONTENT_TABLES "'dirs', 'objects', 'refs', 'secrets', 'applied'"

/* The column list of table `t` in schema `schema`, into `out`. */
static int columns(db_conn *db, tfs_buf *out, const char *schema, const char *t)
{
	sqlite3_stmt *s = NULL;
	int error = 0, rc;

	tfs_buf_clear(out);
	if (sqlite3_prepare_v2(db->db,
			       "SELECT name FROM pragma_table_info("
			       "?, ?) ORDER BY cid",
			       -1, &s, NULL) != SQLITE_OK)
		return db_fail(db, "columns");
	sqlite3_bind_text(s, 1, t, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, schema, -1, SQLITE_STATIC);
	while (!error && (rc = sqlite3_step(s)) == SQLITE_ROW)
		error = tfs_buf_printf(out, "%s\"%s\"", out->size ? ", " : "",
				       db_text(s, 0));
	sqlite3_finalize(s);
	return error;
}

/* Table `t` of the instance (schema t) copied over the aside's: as is
 * (SQLite copies the records without decoding them) where the columns
 * agree, by name where an upgrade added some in another order. */
static int copy_own_table(db_conn *db, const char *t)
{
	tfs_buf a = TFS_BUF_INIT, b = TFS_BUF_INIT, sql = TFS_BUF_INIT;
	int error;

	if (!(error = columns(db, &a, "main", t)) &&
	    !(error = columns(db, &b, "t", t))) {
		if (a.size && strcmp(a.ptr, b.ptr) == 0)
			error = tfs_buf_printf(&sql,
					       "DELETE FROM main.\"%s\";"
					       " INSERT INTO main.\"%s\" SELECT"
					       " * FROM t.\"%s\"",
					       t, t, t);
		else
			error = tfs_buf_printf(&sql,
					       "DELETE FROM main.\"%s\";"
					       " INSERT INTO main.\"%s\"(%s)"
					       " SELECT %s FROM t.\"%s\"",
					       t, t, b.ptr, b.ptr, t);
	}
	if (!error)
		error = db_exec(db, sql.ptr);
	tfs_buf_free(&a);
	tfs_buf_free(&b);
	tfs_buf_free(&sql);
	return error;
}

/*
 * What the instance keeps (INTERFACE.md: its history, projects,
 * transaction sets, packages, log, drops, settings of its own): every
 * table but the content copied from the instance into the aside.  Its
 * AUTOINCREMENT counters go with them; those of the content never go
 * back (ids of objects are not reused).
 */
static int copy_own(struct repl *x)
{
	sqlite3_stmt *s = NULL;
	int error = 0, rc;

	if (sqlite3_prepare_v2(x->db->db,
			       "SELECT name FROM t.sqlite_master"
			       " WHERE type = 'table' AND name NOT LIKE"
			       " 'sqlite_%' AND name NOT IN (" CONTENT_TABLES
			       ")",
			       -1, &s, NULL) != SQLITE_OK)
		return db_fail(x->db, "the instance's tables");
	while (!error && (rc = sqlite3_step(s)) == SQLITE_ROW)
		error = copy_own_table(x->db, db_text(s, 0));
	sqlite3_finalize(s);
	if (error)
		return error;
	return db_exec(
		x->db,
		"DELETE FROM main.sqlite_sequence WHERE name NOT IN (" CONTENT_TABLES
		");"
		"INSERT INTO main.sqlite_sequence SELECT name, seq FROM"
		" t.sqlite_sequence WHERE name NOT IN (" CONTENT_TABLES ");"
		"UPDATE main.sqlite_sequence SET seq = max(seq, coalesce(("
		"SELECT o.seq FROM t.sqlite_sequence o WHERE o.name ="
		" sqlite_sequence.name), 0)) WHERE name IN (" CONTENT_TABLES
		");"
		/* a source that never had a row of one (an empty instance) */
		"INSERT INTO main.sqlite_sequence SELECT name, seq FROM"
		" t.sqlite_sequence WHERE name IN (" CONTENT_TABLES ") AND"
		" name NOT IN (SELECT name FROM main.sqlite_sequence)");
}

static int attach_instance(db_conn *db, const char *path)
{
	tfs_buf uri = TFS_BUF_INIT;
	sqlite3_stmt *s = NULL;
	const char *p;
	int error = tfs_buf_puts(&uri, "file:");

	for (p = path; !error && *p; p++)
		error = strchr("?#%", *p) ? tfs_buf_printf(&uri, "%%%02X",
							   (unsigned char)*p) :
					    tfs_buf_put(&uri, p, 1);
	if (!error)
		error = tfs_buf_puts(&uri, "?mode=ro");
	if (!error && sqlite3_prepare_v2(db->db, "ATTACH ? AS t", -1, &s,
					 NULL) != SQLITE_OK)
		error = db_fail(db, "attach");
	if (!error) {
		sqlite3_bind_text(s, 1, uri.ptr, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			error = db_fail(db, "attach the instance");
	}
	sqlite3_finalize(s);
	tfs_buf_free(&uri);
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
		 " tfs_rec_time(o.bytes) < %lld",
		 (int)TFS_KIND_DATA, (long long)cutoff);
	if ((error = db_exec(x->db, sql)) < 0 ||
	    (error = exec_count(x,
				"DELETE FROM objects WHERE id IN (SELECT id"
				" FROM temp.trim)",
				&x->c->trimmed)) < 0)
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

	if (sqlite3_prepare_v2(x->db->db,
			       "SELECT d.kind, d.type, o.name,"
			       " o.bytes FROM temp.changed c JOIN objects o ON"
			       " o.id = c.id JOIN dirs d ON d.id = o.dir",
			       -1, &s, NULL) != SQLITE_OK)
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
static int rewrite(struct repl *x, tfs_kind kind, const char *bo, bool enabled,
		   const char *fn, uint64_t *n)
{
	char sql[700];
	sqlite3_stmt *s = NULL;
	int error = 0, rc = SQLITE_DONE;

	snprintf(sql, sizeof(sql),
		 "UPDATE objects SET bytes = %s(bytes), sha = tfs_sha256(%s("
		 "bytes)) WHERE id IN (SELECT o.id FROM objects o JOIN dirs d"
		 " ON d.id = o.dir WHERE d.kind = %d%s%s AND %s(o.bytes) IS NOT"
		 " NULL) RETURNING id",
		 fn, fn, (int)kind, bo ? " AND d.type = ?" : "",
		 enabled ? " AND o.name IN (SELECT name FROM temp.enabled)" :
			   "",
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
	return db_exec(
		x->db,
		"CREATE TEMP TABLE IF NOT EXISTS enabled(name TEXT PRIMARY KEY)"
		" WITHOUT ROWID; DELETE FROM temp.enabled;"
		"INSERT INTO temp.enabled SELECT o.name FROM t.objects o JOIN"
		" t.dirs d ON d.id = o.dir WHERE d.kind = 3 AND d.type ="
		" 'Employee'"
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
static int record_commit(struct repl *x, char oid[41], int *n, const char *user,
			 int64_t now, const char *message)
{
	tfs_inst *in = x->in;
	char parent[41], email[160];
	tfs_history_sig sig;
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
	return inst_commit_row(x->db, *n, oid, now, user, message, 0);
}

/*
 * The aside, a copy of the source, made the instance's: its own tables
 * copied in, the options applied, the history commit recorded with the
 * version, the time and the event.  `x->db` is the aside, and the
 * instance's writer while this runs, so every helper that writes the
 * instance writes the aside.
 */
static int fill_aside(struct repl *x, int *commit_n, char oid[41],
		      const char *user, int64_t version, const char *action,
		      const char *message)
{
	tfs_inst *in = x->in;
	int64_t now = tfs_now();
	char line[600];
	int error;

	if ((error = inst_schema_upgrade(in)) < 0 ||
	    (error = attach_instance(x->db, in->pool.path)) < 0 ||
	    (error = db_exec(x->db, "BEGIN")) < 0)
		return error;
	if ((error = copy_own(x)) < 0 ||
	    (error = db_exec(x->db, "CREATE TEMP TABLE IF NOT EXISTS changed("
				    "id INTEGER PRIMARY KEY);"
				    "DELETE FROM temp.changed")) < 0 ||
	    (x->r && x->r->keep_users_enabled &&
	     (error = note_enabled(x)) < 0) ||
	    (error = apply_options(x)) < 0 || (error = note_changes(x)) < 0 ||
	    (error = record_commit(x, oid, commit_n, user, now, message)) < 0)
		goto done;
	snprintf(line, sizeof(line), "%s (commit %d)", message, *commit_n);
	if ((error = inst_meta_set_int(in, "version", version)) < 0 ||
	    (error = inst_meta_set_int(in, "last_update", now)) < 0 ||
	    (error = inst_meta_set_text(in, "last_update_by", user)) < 0 ||
	    (error = inst_log_event(in, user, action, line)) < 0)
		goto done;
	error = db_exec(x->db, "COMMIT");
done:
	if (error)
		db_rollback(x->db);
	if (db_exec(x->db, "DETACH t") < 0)
		tfs_error_clear();
	return error;
}

/* The aside done: compacted if asked, in WAL mode like every instance
 * database, closed and synced. */
static int finish_aside(db_conn *db, const char *path, bool shrink)
{
	int error = 0;

	if (shrink)
		error = db_exec(db, "VACUUM");
	if (!error)
		error = db_exec(db, "PRAGMA journal_mode=WAL");
	db_close(db);
	return error ? error : path_sync(path, false);
}

/* Build the aside at `path`; the instance's writer connection is the
 * aside's while it is filled. */
static int build_aside(struct repl *x, const char *path, const char *from,
		       int *commit_n, char oid[41], const char *user,
		       int64_t version, const char *action, const char *message,
		       struct push_progress *pg)
{
	tfs_inst *in = x->in;
	db_conn aside, own;
	int error;

	if ((error = open_aside(&aside, path)) < 0)
		return error;
	if ((error = db_cache_size(&aside, DB_CACHE_BULK_KIB)) < 0 ||
	    (error = add_functions(&aside)) < 0 ||
	    (error = copy_source(x, aside.db, from, pg)) < 0 ||
	    /* the copy of a database in WAL mode says so in its header:
	     * back to no journal until it is done */
	    (error = db_exec(&aside, "PRAGMA journal_mode=OFF")) < 0) {
		db_close(&aside);
		return error;
	}
	x->c->created = pg->total;
	own = in->db;
	in->db = aside;
	error = fill_aside(x, commit_n, oid, user, version, action, message);
	aside = in->db;
	in->db = own;
	if (error) {
		db_close(&aside);
		return error;
	}
	return finish_aside(&aside, path, x->r && x->r->shrink);
}

int push_replace(struct push_counts *c, int *commit_n, tfs_inst *in,
		 const char *user, const char *from_path,
		 const struct push_req *r, int64_t version, const char *action,
		 const char *message, struct push_progress *pg)
{
	struct repl x = { in, &in->db, r, c, NULL, 0, "" };
	char aside[PATH_MAX], oid[41] = "";
	int error;

	/* what the last replacement left to those still reading the file
	 * it replaced (inst_file.c) */
	inst_file_tidy(in->pool.path);
	if ((error = inst_file_aside(aside, sizeof(aside), in->pool.path)) < 0)
		return error;
	error = build_aside(&x, aside, from_path, commit_n, oid, user, version,
			    action, message, pg);
	free_changes(&x);
	if (error) {
		inst_file_drop_aside(aside);
		return error;
	}
	pg->done = pg->total;
	if (pg->fn)
		pg->fn(pg->ctx, pg->done, pg->total);
	if (in->st->observer)
		in->st->observer(in->st->observer_ctx, in->id,
				 TFS_CHANGE_REPLACING, 0, 0, NULL);
	error = inst_file_swap(in, aside);
	if (error) {
		inst_file_drop_aside(aside);
	} else {
		/* Committed: the branch follows (or inst_recover moves
		 * it). */
		if (tfs_history_set_ref(in->st->hist, in->branch, oid) < 0)
			fprintf(stderr,
				"tenantfs: %s: %s (repaired on next "
				"mount)\n",
				in->branch, tfs_error_last());
		store_flush_events(in->st, in);
	}
	if (in->st->observer)
		in->st->observer(in->st->observer_ctx, in->id,
				 TFS_CHANGE_REPLACED, 0, 0, NULL);
	return error;
}
