/*
 * Reverting a history commit: its changes undone as one new change set
 * (change.c), refused when a later commit touched one of its paths.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cset.h"
#include "history_int.h"
#include "internal.h"
#include "tenantfs/seed.h"
#include "tenantfs/error.h"
#include "tenantfs/history.h"
#include "tenantfs/sha256.h"

/* ---- revert ------------------------------------------------------------------ */

struct path_list {
	char **path;
	char **before;
	size_t *before_len;
	size_t n, alloc;
};

static void path_list_free(struct path_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->path[i]);
		free(l->before[i]);
	}
	free(l->path);
	free(l->before);
	free(l->before_len);
	memset(l, 0, sizeof(*l));
}

static int collect_change(void *ctx, const char *path, const char *before,
			  size_t before_len, const char *after,
			  size_t after_len)
{
	struct path_list *l = ctx;
	size_t a = l->alloc;

	(void)after;
	(void)after_len;
	if (cset_grow((void **)&l->path, &a, l->n + 1, sizeof(char *)) < 0)
		return TFS_ERROR;
	a = l->alloc;
	if (cset_grow((void **)&l->before, &a, l->n + 1, sizeof(char *)) < 0)
		return TFS_ERROR;
	a = l->alloc;
	if (cset_grow((void **)&l->before_len, &a, l->n + 1, sizeof(size_t)) <
	    0)
		return TFS_ERROR;
	l->alloc = a;
	l->path[l->n] = strdup(path);
	l->before[l->n] = NULL;
	l->before_len[l->n] = before_len;
	if (before) {
		l->before[l->n] = malloc(before_len + 1);
		if (l->before[l->n]) {
			memcpy(l->before[l->n], before, before_len);
			l->before[l->n][before_len] = '\0';
		}
	}
	l->n++;
	if (!l->path[l->n - 1] || (before && !l->before[l->n - 1]))
		return tfs_error_set(TFS_ERROR, "out of memory");
	return 0;
}

struct conflict_scan {
	struct path_list *mine;
	tfs_buf *result;
	int commit;
	int found;
};

static int scan_later(void *ctx, const char *path, const char *before,
		      size_t before_len, const char *after, size_t after_len)
{
	struct conflict_scan *cs = ctx;
	size_t i;

	(void)before;
	(void)before_len;
	(void)after;
	(void)after_len;
	for (i = 0; i < cs->mine->n; i++) {
		if (strcmp(cs->mine->path[i], path) == 0) {
			cs->found++;
			return tfs_buf_printf(cs->result,
					      "conflict commit=%d: "
					      "%s: changed by a later commit\n",
					      cs->commit, path);
		}
	}
	return 0;
}

static bool commit_is_package(tfs_inst *in, int n)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), "SELECT message FROM commits "
					       "WHERE n = ?");
	bool yes = false;

	if (!s)
		return false;
	sqlite3_bind_int(s, 1, n);
	if (sqlite3_step(s) == SQLITE_ROW)
		yes = strncmp(db_text(s, 0), "Apply package ", 14) == 0;
	sqlite3_reset(s);
	return yes;
}

/*
 * revert.result becomes `text`; a refusal (error < 0) is also a line of
 * the patch log and an event, with its reason, like a refused save.
 */
static void revert_outcome(tfs_inst *in, const char *user, const char *text,
			   int error)
{
	char reason[600];

	snprintf(reason, sizeof(reason), "%s", tfs_error_last());
	inst_record_outcome(in, user, "revert_result", text,
			    "History/RevertReject", error < 0 ? reason : NULL);
	if (error < 0)
		tfs_error_set(error, "%s", reason);
}

/* Whether commit n of `count` may be reverted at all: 0, or the error
 * with the rejection in out. */
static int revert_allowed(tfs_buf *out, tfs_inst *in, int n, int count)
{
	int error = inst_check_open(in, "reverts");

	if (error >= 0 && (n < 1 || n > count))
		error = tfs_error_set(TFS_ENOTFOUND,
				      "no commit %d (history "
				      "has 1..%d)",
				      n, count);
	else if (error >= 0 && n == 1)
		error = tfs_error_set(TFS_EINVALID,
				      "commit 1 is the initial "
				      "configuration and cannot be reverted");
	if (error < 0)
		tfs_buf_printf(out, "rejected\nerror: %s\n", tfs_error_last());
	return error;
}

/* Commits n + 1 .. count must leave commit n's paths alone: 0, or
 * TFS_ECONFLICT with the rejection, a line per conflict, in out. */
static int scan_later_commits(tfs_buf *out, tfs_inst *in,
			      struct path_list *mine, int n, int count)
{
	struct conflict_scan scan = { .mine = mine, .result = out };
	char oid[41];
	int64_t t;
	int m, error;

	tfs_buf_puts(out, "rejected\n");
	for (m = n + 1; m <= count; m++) {
		scan.commit = m;
		if ((error = tfs_inst_history_commit(oid, &t, in, m)) < 0 ||
		    (error = tfs_history_diff_parent(in->st->hist, oid,
						     scan_later, &scan)) < 0)
			return error;
	}
	if (scan.found)
		return tfs_error_set(TFS_ECONFLICT,
				     "later commits changed "
				     "objects of commit %d",
				     n);
	tfs_buf_clear(out);
	return 0;
}

/* Path `path` back to `before` (NULL: gone) in cs.  The metadata lock
 * holds unless the commit was a package's. */
static int stage_path(struct cset *cs, tfs_inst *in, const char *path,
		      const char *before, size_t before_len, bool package)
{
	tfs_obj_info old, *oldp = NULL;
	char type[256], name[256], guid[64] = "";
	tfs_doc *doc = NULL;
	tfs_kind kind;
	int64_t dir;
	int error;

	if ((error = obj_path_split(path, &kind, type, name)) < 0 ||
	    (!package && (error = save_check_lock(in, kind, type)) < 0) ||
	    (error = save_resolve_dir(&dir, in, kind, type)) < 0)
		return error;
	error = tfs_inst_obj_find(&old, in, dir, name);
	if (error == 0) {
		oldp = &old;
		error = save_obj_guid(in, old.id, guid);
	} else if (error == TFS_ENOTFOUND) {
		error = 0;
	}
	if (error < 0)
		return error;
	if (!before)
		return oldp ? cset_delete(cs, oldp) : 0;
	error = tfs_doc_parse(&doc, kind, type, name, before, before_len, NULL);
	if (!error)
		error = cset_put(cs, kind, type, dir, name, doc, oldp);
	tfs_doc_free(doc);
	return error;
}

/* A reverted package may be applied again. */
static int forget_applied(tfs_inst *in, int n)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), "DELETE FROM applied "
					       "WHERE commit_n = ?");

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int(s, 1, n);
	return db_done(inst_db(in), s);
}

static int inst_revert_locked(tfs_buf *result, tfs_inst *in, const char *user,
			      int n)
{
	bool package;
	struct path_list mine = { 0 };
	tfs_buf out = TFS_BUF_INIT;
	struct cset cs;
	char oid[41], msg[128];
	int64_t t;
	int count, error;
	size_t i;

	if ((error = tfs_inst_history_count(in, &count)) < 0)
		return error;
	if ((error = revert_allowed(&out, in, n, count)) < 0 ||
	    (error = tfs_inst_history_commit(oid, &t, in, n)) < 0 ||
	    (error = tfs_history_diff_parent(in->st->hist, oid, collect_change,
					     &mine)) < 0)
		goto done;
	/* Undoing a package is like applying its inverse: the metadata lock
	 * is lifted for it as it was for the package. */
	package = commit_is_package(in, n);
	if ((error = scan_later_commits(&out, in, &mine, n, count)) < 0 ||
	    (error = cset_begin(&cs, in, user)) < 0)
		goto done;
	for (i = 0; i < mine.n && !error; i++)
		error = stage_path(&cs, in, mine.path[i], mine.before[i],
				   mine.before_len[i], package);
	if (error < 0) {
		tfs_buf_printf(&out, "rejected\nerror: %s\n", tfs_error_last());
		cset_abort(&cs);
		goto done;
	}
	snprintf(msg, sizeof(msg), "Revert commit %d", n);
	if (package && forget_applied(in, n) < 0) {
		tfs_buf_printf(&out, "failed\nerror: %s\n", tfs_error_last());
		cset_abort(&cs);
		error = TFS_ERROR;
		goto done;
	}
	if ((error = cset_commit(&cs, "History/Revert", msg)) < 0) {
		tfs_buf_printf(&out, "failed\nerror: %s\n", tfs_error_last());
		goto done;
	}
	tfs_inst_history_count(in, &count);
	tfs_buf_printf(&out, "reverted\ncommit: %d\n", count);
done:
	if (out.size)
		revert_outcome(in, user, out.ptr, error);
	if (result && out.size)
		tfs_buf_put(result, out.ptr, out.size);
	tfs_buf_free(&out);
	path_list_free(&mine);
	return error;
}

int tfs_inst_revert_request(tfs_buf *result, tfs_inst *in, const char *user,
			    const char *text)
{
	char line[600];
	long long n;
	char *end;
	int error;

	errno = 0;
	n = strtoll(text, &end, 10);
	if (errno || end == text || *end || n < 1 || n > 2000000000) {
		inst_write_begin(in);
		error = tfs_error_set(TFS_EINVALID,
				      "revert: '%.60s' is not a "
				      "commit number",
				      text);
		snprintf(line, sizeof(line), "rejected\nerror: %s\n",
			 tfs_error_last());
		revert_outcome(in, user, line, error);
		inst_write_end(in);
		if (result)
			tfs_buf_puts(result, line);
		return error;
	}
	return tfs_inst_revert(result, in, user, (int)n);
}

int tfs_inst_revert(tfs_buf *result, tfs_inst *in, const char *user, int n)
{
	int error;

	inst_write_begin(in);
	error = inst_revert_locked(result, in, user, n);
	inst_write_end(in);
	return error;
}

int tfs_inst_revert_result(tfs_buf *out, tfs_inst *in)
{
	return inst_meta_get_text(in, "revert_result", out);
}
