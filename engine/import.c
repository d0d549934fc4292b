/*
 * Importing a package file: validate, apply, apply without validation, or
 * preview.  All modes do the same work inside one change set (one SQLite
 * transaction); validate and preview roll it back, apply commits it if
 * nothing was found wrong.  So what is validated is exactly what would be
 * applied, references are checked against the instance as the package
 * leaves it (order within the package does not matter), and a failure or
 * crash at any point leaves the instance as it was.
 *
 * The file is read twice as a stream (no network, no DTD, no entities):
 * once as SAX events to check it is well formed and count its
 * transactions, for progress (import_survey.c), once with xmlTextReader
 * to apply them, read and parsed by a thread of its own while this one
 * applies (import_reader.c).  Memory is bounded by a queue of objects,
 * not by the package.
 *
 * Rules per transaction (seq, op, path, base): the target object is found
 * by guid, then by path; a guid found at another path, or a path holding
 * another guid, is a conflict (objects are never duplicated).  C: the path
 * must be free (or hold exactly the new bytes); U and D: the target's
 * SHA-256 must equal `base` (or already be the new bytes).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cset.h"
#include "internal.h"
#include "reader.h"
#include "survey.h"
#include "tenantfs/error.h"
#include "tenantfs/package.h"
#include "tenantfs/sha256.h"

#define MAX_LINES 1000

struct imp {
	tfs_inst *in;
	const char *user;
	tfs_pkg_mode mode;
	struct cset cs;
	bool cs_open;
	tfs_buf lines; /* error/conflict/warning lines */
	tfs_buf why;   /* impact reasons */
	tfs_buf *diff;
	int nlines;
	int errors, conflicts, warnings;
	int impact;
	uint64_t total, done;
	uint64_t changed, unchanged;
	const char *path;
	bool applying; /* apply or apply-unvalidated */
	struct pkg_survey sv;
	char key[65]; /* SHA-256 of the file, which `applied` keeps */
	tfs_pkg_progress_fn progress;
	void *progress_ctx;
	/* apply-unvalidated: transactions left out because their references
	 * do not resolve, and the warnings saying so */
	int64_t *skip;
	size_t nskip, skip_cap;
	tfs_buf skipped;
	/* The directory of the last transaction: a package's records come
	 * by the thousand per business object.  Valid within one change set
	 * (a directory made in it goes when it rolls back). */
	int64_t dir_id;
	tfs_kind dir_kind;
	char dir_type[256];
};

/* The directory (kind, type) into *dir; made for master and data records
 * that have none yet.  0 or an error (TFS_ENOTFOUND for other kinds). */
static int find_dir(int64_t *dir, struct imp *im, tfs_kind kind,
		    const char *type)
{
	int error;

	if (im->dir_id && im->dir_kind == kind &&
	    strcmp(im->dir_type, type) == 0) {
		*dir = im->dir_id;
		return 0;
	}
	error = tfs_inst_dir_find(dir, im->in, kind, type);
	if (error == TFS_ENOTFOUND &&
	    (kind == TFS_KIND_MASTER || kind == TFS_KIND_DATA))
		error = inst_dir_insert(dir, im->in, kind, type);
	else if (error == TFS_ENOTFOUND && kind == TFS_KIND_TRANSLATION)
		error = inst_translation_dir(dir, im->in, type);
	if (error < 0)
		return error;
	im->dir_id = *dir;
	im->dir_kind = kind;
	snprintf(im->dir_type, sizeof(im->dir_type), "%s", type);
	return 0;
}

/* The kind and type of directory `dir` (see find_dir; *type is valid
 * until the next call). */
static int dir_of(struct imp *im, int64_t dir, tfs_kind *kind,
		  const char **type)
{
	int error;

	if (im->dir_id != dir) {
		im->dir_id = 0;
		if ((error = tfs_inst_dir_get(im->in, dir, &im->dir_kind,
					      im->dir_type)) < 0)
			return error;
		im->dir_id = dir;
	}
	*kind = im->dir_kind;
	*type = im->dir_type;
	return 0;
}

static bool skipped(const struct imp *im, int64_t seq)
{
	size_t i;

	for (i = 0; i < im->nskip; i++)
		if (im->skip[i] == seq)
			return true;
	return false;
}

/* Leave transaction `seq` out of the next round, with the reason. */
static int skip_seq(struct imp *im, int64_t seq, const char *path,
		    const char *msg)
{
	if (im->nskip == im->skip_cap) {
		size_t cap = im->skip_cap ? im->skip_cap * 2 : 16;
		int64_t *v = realloc(im->skip, cap * sizeof(*v));
		if (!v)
			return tfs_error_set(TFS_ERROR, "out of memory");
		im->skip = v;
		im->skip_cap = cap;
	}
	im->skip[im->nskip++] = seq;
	return tfs_buf_printf(&im->skipped,
			      "warning seq=%lld: %s: %s (not "
			      "applied)\n",
			      (long long)seq, path, msg);
}

static int add_line(struct imp *im, const char *what, int64_t seq,
		    const char *path, const char *msg)
{
	if (strcmp(what, "error") == 0)
		im->errors++;
	else if (strcmp(what, "conflict") == 0)
		im->conflicts++;
	else
		im->warnings++;
	if (++im->nlines > MAX_LINES)
		return 0;
	if (im->nlines == MAX_LINES)
		return tfs_buf_puts(&im->lines, "warning: more problems; only "
						"the first ones are listed\n");
	if (seq >= 0)
		return tfs_buf_printf(&im->lines, "%s seq=%lld: %s: %s\n", what,
				      (long long)seq, path, msg);
	return tfs_buf_printf(&im->lines, "%s: %s%s%s\n", what, path,
			      path[0] ? ": " : "", msg);
}

/* A problem with a transaction: an error or conflict normally, a warning
 * (and the transaction skipped) when applying without validation. */
static int problem(struct imp *im, const char *what, int64_t seq,
		   const char *path, const char *msg)
{
	if (im->mode == TFS_PKG_APPLY_UNVALIDATED)
		what = "warning";
	return add_line(im, what, seq, path, msg);
}

/* ---- pass 2 ------------------------------------------------------------ */

/* The object holding `guid`, if any: *found, and its path. */
static int by_guid(tfs_inst *in, const char *guid, bool *found, char path[600])
{
	sqlite3_stmt *s = db_stmt(inst_db(in),
				  "SELECT o.name, d.kind, d.type "
				  "FROM objects o JOIN dirs d ON d.id = o.dir "
				  "WHERE o.guid = ? LIMIT 1");

	if (!s)
		return TFS_ERROR;
	*found = false;
	sqlite3_bind_text(s, 1, guid, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW) {
		tfs_kind kind = (tfs_kind)sqlite3_column_int(s, 1);
		*found = true;
		obj_path(path, 600, kind, db_text(s, 2), db_text(s, 0));
	}
	sqlite3_reset(s);
	return 0;
}

static int obj_guid(tfs_inst *in, int64_t id, char out[64])
{
	sqlite3_stmt *s = db_stmt(inst_db(in), "SELECT guid FROM objects "
					       "WHERE id = ?");

	if (!s)
		return TFS_ERROR;
	out[0] = '\0';
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		snprintf(out, 64, "%s", db_text(s, 0));
	sqlite3_reset(s);
	return 0;
}

/*
 * What one transaction applies to.  The tx_ steps return 1 when the
 * transaction ends early (a problem recorded, or nothing to do), 0 to go
 * on, or an error.
 */
struct tx_target {
	int64_t seq;
	char op; /* 'C', 'U' or 'D' */
	tfs_kind kind;
	char type[256], name[256];
	int64_t dir;
	const tfs_doc *doc;      /* the package's object (not for D) */
	tfs_obj_info cur, *curp; /* the target's object, if any */
};

static int stop(int error)
{
	return error < 0 ? error : 1;
}

/* The transaction's seq, op, path and object, checked. */
static int tx_parse(struct imp *im, const struct pkg_tx *tx,
		    struct tx_target *t)
{
	const char *path = tx->path;
	char *end;

	t->doc = NULL;
	t->curp = NULL;
	t->seq = strtoll(tx->seq, &end, 10);
	if (!tx->seq[0] || *end || t->seq < 0)
		return stop(add_line(im, "error", -1, path,
				     "transaction "
				     "without a valid seq"));
	if (skipped(im, t->seq))
		return 1;
	if (strlen(tx->op) != 1 || !strchr("CUD", tx->op[0]))
		return stop(problem(im, "error", t->seq, path,
				    "op must be C, "
				    "U or D"));
	t->op = tx->op[0];
	if (obj_path_split(path, &t->kind, t->type, t->name) < 0)
		return stop(problem(im, "error", t->seq, path,
				    "not a valid "
				    "object path"));
	if (t->op == 'D')
		return 0;
	if (tx->error)
		return stop(problem(im, "error", t->seq, path, tx->error));
	if (tx->empty || !tx->doc)
		return stop(problem(im, "error", t->seq, path,
				    "the "
				    "transaction carries no object"));
	t->doc = tx->doc;
	return 0;
}

/* The target's object at `path`, if any; objects are never duplicated,
 * so the package's guid must be at this path or nowhere, and the
 * target's object at this path must have the package's guid. */
static int tx_find_target(struct imp *im, const char *path, struct tx_target *t)
{
	const tfs_doc *doc = t->doc;
	char where[600], guid[64], msg[900];
	bool found;
	int error;

	if (doc) {
		if ((error = by_guid(im->in, doc->guid, &found, where)) < 0)
			return error;
		if (found && strcmp(where, path) != 0) {
			snprintf(msg, sizeof(msg),
				 "object with guid %s is %s "
				 "in the target",
				 doc->guid, where);
			return stop(problem(im, "conflict", t->seq, path, msg));
		}
	}
	if ((error = find_dir(&t->dir, im, t->kind, t->type)) < 0)
		return error;
	error = tfs_inst_obj_find(&t->cur, im->in, t->dir, t->name);
	if (error == TFS_ENOTFOUND)
		return 0;
	if (error != 0)
		return error;
	t->curp = &t->cur;
	if (!doc)
		return 0;
	if ((error = obj_guid(im->in, t->cur.id, guid)) < 0)
		return error;
	if (strcmp(guid, doc->guid) == 0)
		return 0;
	snprintf(msg, sizeof(msg),
		 "the target's object of this name has "
		 "guid %s, the package's %s",
		 guid, doc->guid);
	return stop(problem(im, "conflict", t->seq, path, msg));
}

/* C needs the path free; U and D need the target's object as the
 * package's base had it (a D of what is gone is done already). */
static int tx_check_base(struct imp *im, const struct tx_target *t,
			 const struct pkg_tx *tx)
{
	if (t->op == 'C')
		return t->curp ? stop(problem(im, "conflict", t->seq, tx->path,
					      "exists in the target with "
					      "other content")) :
				 0;
	if (!t->curp && t->op == 'U')
		return stop(problem(im, "conflict", t->seq, tx->path,
				    "not "
				    "found in the target"));
	if (!t->curp) {
		im->unchanged++; /* already gone */
		return 1;
	}
	if (strcmp(t->cur.sha, tx->base) != 0)
		return stop(problem(im, "conflict", t->seq, tx->path,
				    "changed "
				    "in target since the package's base"));
	return 0;
}

/* One transaction of the package, as the reader read it. */
static int transaction(struct imp *im, const struct pkg_tx *tx)
{
	struct tx_target t;
	const tfs_doc *doc;
	tfs_buf old = TFS_BUF_INIT;
	int error;

	if ((error = tx_parse(im, tx, &t)) != 0 ||
	    (error = tx_find_target(im, tx->path, &t)) != 0)
		return error > 0 ? 0 : error;
	doc = t.doc;
	if (doc && t.curp && strcmp(t.cur.sha, doc->sha) == 0) {
		im->unchanged++; /* the target already holds the new bytes */
		return 0;
	}
	/* The impact is the package's, whether or not this transaction can
	 * be applied here. */
	if (t.curp &&
	    (im->mode == TFS_PKG_PREVIEW ||
	     (t.kind == TFS_KIND_METADATA &&
	      strcmp(t.type, "BusinessObject") == 0)) &&
	    (error = tfs_inst_obj_read(&old, im->in, t.cur.id)) < 0)
		goto done;
	if ((error = impact_of(&im->impact, &im->why, tx->path, t.kind, t.type,
			       t.op, t.curp ? old.ptr : NULL, old.size,
			       doc ? doc->canon : NULL,
			       doc ? doc->canon_len : 0)) < 0 ||
	    (error = tx_check_base(im, &t, tx)) != 0)
		goto done;
	if (im->diff && im->mode == TFS_PKG_PREVIEW &&
	    (error = diff_unified(im->diff, tx->path, t.curp ? old.ptr : NULL,
				  old.size, doc ? doc->canon : NULL,
				  doc ? doc->canon_len : 0)) < 0)
		goto done;
	im->cs.tag = t.seq;
	if (t.op == 'D')
		error = cset_delete(&im->cs, &t.cur);
	else
		error = cset_put(&im->cs, t.kind, t.type, t.dir, t.name, doc,
				 t.curp);
	im->changed++;
done:
	tfs_buf_free(&old);
	return error > 0 ? 0 : error;
}

static int apply_pass(struct imp *im, const char *path)
{
	struct pkg_reader *rd;
	struct pkg_tx *tx;
	int error;

	im->dir_id = 0; /* a new change set */
	if ((error = pkg_reader_start(&rd, path)) < 0)
		return error;
	while (!error && (tx = pkg_reader_take(rd))) {
		error = transaction(im, tx);
		pkg_reader_release(rd);
		if (++im->done % 1000 == 0 && im->progress)
			im->progress(im->progress_ctx, im->done, im->total);
	}
	error = pkg_reader_stop(rd, error);
	if (im->progress)
		im->progress(im->progress_ctx, im->done, im->total);
	return error;
}

/*
 * References of everything the package put or removed, with seq: errors,
 * or when applying without validation, transactions to leave out.
 */
static int check_refs(struct imp *im)
{
	bool collect = im->mode == TFS_PKG_APPLY_UNVALIDATED;
	tfs_inst *in = im->in;
	char path[700], msg[900];
	const char *type;
	tfs_obj_info info;
	refs_memo memo = { 0 };
	struct cset_items items;
	struct cset_item item, *it = &item;
	tfs_kind kind;
	int error = 0, more;

	cset_items_begin(&items, &im->cs);
	while ((more = cset_items_next(&items, it)) != 0) {
		if ((error = more) < 0 ||
		    (error = dir_of(im, it->dir, &kind, &type)) < 0)
			goto done;
		if (it->op == TFS_CHANGE_PUT) {
			error = refs_check_object_memo(in, it->obj, &memo);
			if (error == TFS_EINVALID) {
				snprintf(msg, sizeof(msg),
					 "%s in target or "
					 "package",
					 tfs_error_last());
				obj_path(path, sizeof(path), kind, type,
					 it->name);
				if (collect)
					error = skip_seq(im, it->tag, path,
							 msg);
				else
					error = add_line(im, "error", it->tag,
							 path, msg);
				if (error < 0)
					goto done;
				continue;
			}
			if (error < 0)
				goto done;
			error = refs_check_incoming(in, kind, type, it->name,
						    false);
		} else {
			error = tfs_inst_obj_find(&info, in, it->dir, it->name);
			if (error == 0)
				continue;
			if (error != TFS_ENOTFOUND)
				goto done;
			error = refs_check_incoming(in, kind, type, it->name,
						    true);
		}
		if (error == TFS_ECONFLICT) {
			snprintf(msg, sizeof(msg), "%s", tfs_error_last());
			obj_path(path, sizeof(path), kind, type, it->name);
			error = collect ? skip_seq(im, it->tag, path, msg) :
					  add_line(im, "error", it->tag, path,
						   msg);
			if (error < 0)
				goto done;
			continue;
		}
		if (error < 0)
			goto done;
	}
	error = 0;
done:
	cset_items_end(&items);
	refs_memo_free(&memo);
	return error;
}

static int file_key(char out[65], const char *path)
{
	unsigned char d[32], buf[65536];
	tfs_sha256 s;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), i, error;

	if (fd < 0)
		return tfs_error_set(TFS_ERROR, "cannot read %s", path);
	if ((error = tfs_sha256_init(&s)) < 0) {
		close(fd);
		return error;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		tfs_sha256_update(&s, buf, (size_t)n);
	close(fd);
	if (n < 0) {
		tfs_sha256_free(&s);
		return tfs_error_set(TFS_ERROR, "cannot read %s", path);
	}
	if ((error = tfs_sha256_final(&s, d)) < 0)
		return error;
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
	return 0;
}

struct key_job {
	const char *path;
	char key[65];
	int error;
	char msg[300];
};

static void *key_thread(void *arg)
{
	struct key_job *j = arg;

	if ((j->error = file_key(j->key, j->path)) < 0)
		snprintf(j->msg, sizeof(j->msg), "%s", tfs_error_last());
	return NULL;
}

/*
 * Pass 1 (pkg_survey) into *sv, and the package's key (SHA-256 of the
 * file, which `applied` remembers) into key: the key is hashed by a
 * thread of its own meanwhile, both being a read of the whole file.
 * The survey's outcome; *key_error is the key's (its message set when
 * the survey succeeded).
 */
static int survey_and_key(struct pkg_survey *sv, char key[65], int *key_error,
			  const char *path)
{
	struct key_job j = { .path = path };
	pthread_t t;
	bool threaded = pthread_create(&t, NULL, key_thread, &j) == 0;
	int error = pkg_survey(sv, path);

	if (threaded)
		pthread_join(t, NULL);
	else
		key_thread(&j);
	memcpy(key, j.key, sizeof(j.key));
	*key_error = j.error;
	if (!error && j.error)
		tfs_error_set(j.error, "%s", j.msg);
	return error;
}

static int applied_before(tfs_inst *in, const char *key, int *commit)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), "SELECT commit_n FROM applied "
					       "WHERE key = ?");
	int found = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW) {
		found = 1;
		*commit = sqlite3_column_int(s, 0);
	}
	sqlite3_reset(s);
	return found;
}

/* Record the outcome of a package that changed nothing. */
static void log_outcome(struct imp *im, const char *action, const char *word)
{
	char msg[600];

	snprintf(msg, sizeof(msg),
		 "package %s: %s (%d errors, %d conflicts, "
		 "%d warnings)",
		 im->sv.name[0] ? im->sv.name : "(unnamed)", word, im->errors,
		 im->conflicts, im->warnings);
	if (db_exec(inst_db(im->in), "BEGIN IMMEDIATE") < 0)
		return;
	if (inst_log_event(im->in, im->user, action, msg) < 0 ||
	    db_exec(inst_db(im->in), "COMMIT") < 0) {
		db_rollback(inst_db(im->in));
		return;
	}
	store_flush_events(im->in->st, im->in);
	if (im->in->st->observer)
		im->in->st->observer(im->in->st->observer_ctx, im->in->id,
				     TFS_CHANGE_INSTANCE, 0, 0, NULL);
}

static int finish(tfs_buf *result, struct imp *im, const char *word, int commit)
{
	int error = tfs_buf_printf(result, "%s\nimpact: %s\n", word,
				   impact_name(im->impact));

	if (!error && commit > 0)
		error = tfs_buf_printf(result, "commit: %d\n", commit);
	if (!error)
		error = tfs_buf_printf(result,
				       "objects: %llu/%llu (%llu "
				       "changed, %llu unchanged)\n",
				       (unsigned long long)im->done,
				       (unsigned long long)im->total,
				       (unsigned long long)im->changed,
				       (unsigned long long)im->unchanged);
	if (!error && im->lines.size)
		error = tfs_buf_put(result, im->lines.ptr, im->lines.size);
	if (!error && im->why.size) {
		const char *p = im->why.ptr;
		int shown = 0;
		/* The reasons for the level, as warnings, a few at most. */
		while (!error && *p && shown++ < 20) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			error = tfs_buf_printf(result, "warning: impact %.*s\n",
					       (int)n, p);
			p += n + (nl ? 1 : 0);
		}
	}
	return error;
}

/* ---- the apply policy -------------------------------------------------- */

/*
 * The console's rules for applying a package, kept together so that one
 * reading shows all of them.  Validate and preview are never refused by
 * them: they exist so that a package can be checked where it may not be
 * applied.
 */

/* Production takes only closed packages: 0, or TFS_EACCESS with the
 * reason in why. */
static int policy_closed_only(const struct imp *im, char *why, size_t len)
{
	if (!im->applying || strcmp(im->in->landscape, "production") != 0 ||
	    !im->sv.any_open)
		return 0;
	snprintf(why, len, "production accepts only closed packages");
	return TFS_EACCESS;
}

/* A metadata-locked instance only validates a high-impact package: 0, or
 * TFS_ELOCKED with the reason in why. */
static int policy_locked_impact(const struct imp *im, char *why, size_t len)
{
	if (!tfs_inst_locked(im->in) || im->impact != TFS_IMPACT_HIGH ||
	    !im->applying)
		return 0;
	snprintf(why, len,
		 "high impact package: %s/%s is metadata-locked, "
		 "so it can only be validated",
		 im->in->tenant, im->in->name);
	return TFS_ELOCKED;
}

/* An applied package moves the instance's version on by one (an instance
 * without one starts at 1).  Inside the change set. */
static int policy_bump_version(tfs_inst *in)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), "UPDATE meta SET value = "
					       "value + 1 WHERE key = "
					       "'version'");
	int error;

	if (!s)
		return TFS_ERROR;
	if ((error = db_done(inst_db(in), s)) < 0)
		return error;
	if (sqlite3_changes(inst_db(in)->db) == 0)
		return inst_meta_set_int(in, "version", 1);
	return 0;
}

/* ---- outcomes ---------------------------------------------------------- */

/*
 * The outcome helpers end an import: each leaves the change set closed,
 * writes the result, logs the event (which needs the write connection
 * free of the change set's transaction) and returns what the import
 * returns, 1 standing for success with the result written.
 */

static void close_cset(struct imp *im)
{
	if (im->cs_open)
		cset_abort(&im->cs);
	im->cs_open = false;
}

/* Refused outright for `reason`, with error code `code`. */
static int refuse(tfs_buf *result, struct imp *im, int code, const char *reason)
{
	close_cset(im);
	add_line(im, "error", -1, "", reason);
	finish(result, im, "rejected", 0);
	log_outcome(im, "Package/Reject", "rejected");
	return tfs_error_set(code, "%s", reason);
}

/* Rejected for the errors and conflicts the passes found. */
static int reject_found(tfs_buf *result, struct imp *im)
{
	close_cset(im);
	finish(result, im, "rejected", 0);
	log_outcome(im,
		    im->mode == TFS_PKG_VALIDATE ? "Package/Validate" :
						   "Package/Reject",
		    "rejected");
	if (im->errors)
		return tfs_error_set(TFS_EINVALID,
				     "package rejected: %d "
				     "errors, %d conflicts",
				     im->errors, im->conflicts);
	return tfs_error_set(TFS_ECONFLICT, "package rejected: %d conflicts",
			     im->conflicts);
}

/* Failed with `error`, tfs_error_last() saying why. */
static int fail(tfs_buf *result, struct imp *im, int error)
{
	char reason[512];

	snprintf(reason, sizeof(reason), "%s", tfs_error_last());
	close_cset(im);
	add_line(im, "error", -1, "", reason);
	finish(result, im, "failed", 0);
	log_outcome(im, "Package/Reject", "failed");
	return tfs_error_set(error < 0 ? error : TFS_ERROR, "%s", reason);
}

/* Ended with nothing changed: result `word`, logged as `action`, `what`. */
static int unchanged(tfs_buf *result, struct imp *im, const char *word,
		     const char *action, const char *what)
{
	close_cset(im);
	finish(result, im, word, 0);
	log_outcome(im, action, what);
	return 1;
}

/* ---- the import, step by step ------------------------------------------ */

/*
 * Pass 1 and the refusals that need no pass 2: a malformed package, an
 * instance that takes no packages or no changes now, a package already
 * applied, an open package for production.  0 to go on, else the
 * import's return (see the outcomes).
 */
static int admit(tfs_buf *result, struct imp *im)
{
	tfs_inst *in = im->in;
	char reason[512], msg[1100];
	int error, key_error, commit = 0;

	/* What was read is kept even if rejected: the result names it. */
	error = survey_and_key(&im->sv, im->key, &key_error, im->path);
	im->total = im->sv.total;
	if (error < 0) {
		snprintf(reason, sizeof(reason), "%s", tfs_error_last());
		return refuse(result, im, TFS_EINVALID, reason);
	}
	if (key_error < 0)
		return key_error;
	if ((error = inst_check_packages(in, NULL)) < 0 ||
	    (im->applying && (error = inst_check_open(in, "package "
							  "applies")) < 0)) {
		snprintf(reason, sizeof(reason), "%s", tfs_error_last());
		add_line(im, "error", -1, "", reason);
		finish(result, im, "rejected", 0);
		snprintf(msg, sizeof(msg), "package %s: rejected: %s",
			 im->sv.name[0] ? im->sv.name : "(unnamed)", reason);
		inst_refusal(in, im->user, "Package/Reject", msg);
		return tfs_error_set(error, "%s", reason);
	}
	if (im->applying && applied_before(in, im->key, &commit) == 1) {
		finish(result, im, "already-applied", commit);
		log_outcome(im, "Package/Apply", "already applied");
		return 1;
	}
	if ((error = policy_closed_only(im, reason, sizeof(reason))) < 0)
		return refuse(result, im, error, reason);
	return 0;
}

/* A change set for one round of pass 2, written only when applying. */
static int open_cset(struct imp *im)
{
	int error;

	if ((error = cset_begin(&im->cs, im->in, im->user)) < 0)
		return error;
	im->cs_open = true;
	im->cs.dry = !im->applying;
	return 0;
}

/*
 * Applying without validation: leave out what does not resolve and go
 * again, as leaving something out may strand what refers to it.  Each
 * round starts from nothing but the transactions left out so far.
 */
static int unvalidated_rounds(tfs_buf *result, struct imp *im)
{
	size_t nskip = 0;
	int error, round;

	for (round = 0; im->nskip > nskip && round < 8; round++) {
		nskip = im->nskip;
		close_cset(im);
		tfs_buf_clear(&im->lines);
		tfs_buf_clear(&im->why);
		im->nlines = im->errors = im->conflicts = im->warnings = 0;
		im->impact = TFS_IMPACT_LOW;
		im->done = im->changed = im->unchanged = 0;
		if ((error = open_cset(im)) < 0)
			return error;
		if ((error = apply_pass(im, im->path)) < 0 ||
		    (error = check_refs(im)) < 0)
			return fail(result, im, error);
	}
	return 0;
}

/*
 * Pass 2 into an open change set, the references it leaves, and the
 * rounds without validation.  0 with the change set open, else the
 * import's return.
 */
static int passes(tfs_buf *result, struct imp *im)
{
	char reason[512];
	int error;

	if (im->progress)
		im->progress(im->progress_ctx, 0, im->total);
	if ((error = open_cset(im)) < 0)
		return error;
	/* A package pass 2 cannot read is rejected; anything else (a full
	 * disk, an I/O error) failed, and keeps its code for the caller. */
	if ((error = apply_pass(im, im->path)) == TFS_EINVALID) {
		snprintf(reason, sizeof(reason), "%s", tfs_error_last());
		add_line(im, "error", -1, "", reason);
		return reject_found(result, im);
	}
	if (error < 0)
		return fail(result, im, error);
	if ((error = check_refs(im)) < 0)
		return fail(result, im, error);
	if (im->mode == TFS_PKG_APPLY_UNVALIDATED &&
	    (error = unvalidated_rounds(result, im)) != 0)
		return error;
	if (im->skipped.size) {
		im->warnings += (int)im->nskip;
		tfs_buf_put(&im->lines, im->skipped.ptr, im->skipped.size);
	}
	return 0;
}

/* Remember the package as applied, in the change set, so that applying
 * it again changes nothing. */
static int record_applied(struct imp *im)
{
	tfs_inst *in = im->in;
	sqlite3_stmt *s;
	int error, count;

	if ((error = policy_bump_version(in)) < 0 ||
	    (error = tfs_inst_history_count(in, &count)) < 0)
		return error;
	s = db_stmt(inst_db(in), "INSERT OR REPLACE INTO applied(key, name,"
				 " commit_n, time) VALUES(?, ?, ?, ?)");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_text(s, 1, im->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, im->sv.name, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, count + 1);
	sqlite3_bind_int64(s, 4, tfs_now());
	if ((error = db_done(inst_db(in), s)) < 0)
		return error;
	return pkg_record_import(in, im->sv.name, im->sv.type,
				 im->sv.description, im->sv.source,
				 im->sv.aspects, im->cs.txset);
}

/*
 * What the passes found decides the outcome: rejected, refused by the
 * policy, validated or previewed, nothing to change, or applied and
 * committed.  The import's return.
 */
static int conclude(tfs_buf *result, struct imp *im)
{
	static const char *const actions[] = {
		[TFS_PKG_APPLY] = "Package/Apply",
		[TFS_PKG_VALIDATE] = "Package/Validate",
		[TFS_PKG_APPLY_UNVALIDATED] = "Package/Apply",
		[TFS_PKG_PREVIEW] = "Package/Preview",
	};
	bool preview = im->mode == TFS_PKG_PREVIEW;
	char msg[1100];
	int error, count;

	if (im->errors ||
	    (im->conflicts && im->mode != TFS_PKG_APPLY_UNVALIDATED))
		return reject_found(result, im);
	if ((error = policy_locked_impact(im, msg, sizeof(msg))) < 0)
		return refuse(result, im, error, msg);
	if (!im->applying)
		return unchanged(result, im,
				 preview ? "previewed" : "validated",
				 actions[im->mode],
				 preview ? "previewed" : "validated");
	/* What could be applied was applied (none of it): the result says
	 * so, with a warning per transaction left out, and the package is
	 * not remembered as applied. */
	if (im->changed == 0 && im->mode == TFS_PKG_APPLY_UNVALIDATED &&
	    (im->nskip > 0 || im->warnings > 0))
		return unchanged(result, im, "applied", "Package/Apply",
				 "applied without validation: every "
				 "transaction was left out");
	if (im->changed == 0)
		return unchanged(result, im, "already-applied", "Package/Apply",
				 "already applied (the "
				 "target holds every object)");
	if ((error = record_applied(im)) < 0)
		return fail(result, im, error);
	snprintf(im->cs.source, sizeof(im->cs.source), "package %s",
		 im->sv.name);
	snprintf(msg, sizeof(msg), "Apply package %s", im->sv.name);
	im->cs.checked = true;
	im->cs_open = false; /* cset_commit consumes it, even on failure */
	if ((error = cset_commit(&im->cs, "Package/Apply", msg)) < 0)
		return fail(result, im, error);
	tfs_inst_history_count(im->in, &count);
	finish(result, im, "applied", count);
	return 1;
}

static int pkg_import_locked(tfs_buf *result, tfs_buf *diff, tfs_inst *in,
			     const char *user, const char *path,
			     tfs_pkg_mode mode, tfs_pkg_progress_fn progress,
			     void *ctx)
{
	struct imp im;
	int error;

	memset(&im, 0, sizeof(im));
	im.in = in;
	im.user = user;
	im.path = path;
	im.mode = mode;
	im.applying = mode == TFS_PKG_APPLY ||
		      mode == TFS_PKG_APPLY_UNVALIDATED;
	im.diff = diff;
	im.progress = progress;
	im.progress_ctx = ctx;
	if ((error = admit(result, &im)) == 0 &&
	    (error = passes(result, &im)) == 0)
		error = conclude(result, &im);
	close_cset(&im);
	tfs_buf_free(&im.lines);
	tfs_buf_free(&im.why);
	tfs_buf_free(&im.skipped);
	free(im.skip);
	return error > 0 ? 0 : error;
}

int tfs_pkg_import(tfs_buf *result, tfs_buf *diff, tfs_inst *in,
		   const char *user, const char *path, tfs_pkg_mode mode,
		   tfs_pkg_progress_fn progress, void *ctx)
{
	int error;

	inst_write_begin(in);
	error = pkg_import_locked(result, diff, in, user, path, mode, progress,
				  ctx);
	inst_write_end(in);
	return error;
}
