/*
 * History repaired from the database: when history.git has lost commits an
 * instance's database names (git maintenance while mounted, a repository
 * restored from an old copy, files removed by hand), the database is the
 * truth.  The repair is one commit holding the whole instance as its
 * database has it, its parent the newest commit that git still has whole
 * at the top (its commit and root tree), so `git log` goes on from there;
 * the commits in between are named as lost in the patch log and events.
 *
 * Called inside the caller's database transaction, under the instance's
 * writer lock: by a change set whose parent commit is damaged (change.c),
 * which records the commit row and moves the branch as for any commit;
 * and, through inst_heal_history() below, at open (instance.c) and by
 * `tenantctl fsck` (tfs_inst_history_check) when the database's last
 * commit is not whole in git.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cset.h"
#include "history_int.h"
#include "tenantfs/error.h"
#include "tenantfs/history.h"

struct heal {
	tfs_inst *in;
	tfs_history_blobs *blobs;
	struct change *c;
	size_t n, cap;
};

/* Every versioned object of the instance, as the database has it now, into
 * h->c; the blobs written as they come (bounded memory for 10^6 files). */
static int collect(struct heal *h)
{
	sqlite3 *db = inst_db(h->in)->db;
	sqlite3_stmt *s = NULL;
	char path[1024];
	struct change *grown;
	int rc, error = 0;

	if (sqlite3_prepare_v2(db,
			       "SELECT d.kind, d.type, o.name, o.bytes "
			       "FROM objects o JOIN dirs d ON d.id = o.dir",
			       -1, &s, NULL) != SQLITE_OK)
		return tfs_error_set(TFS_ERROR, "sqlite: %s",
				     sqlite3_errmsg(db));
	while (error == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		tfs_kind kind = (tfs_kind)sqlite3_column_int(s, 0);
		struct change *c;

		if (!tfs_kind_versioned(kind))
			continue;
		if ((error = obj_path(path, sizeof(path), kind, db_text(s, 1),
				      db_text(s, 2))) < 0)
			break;
		if (h->n == h->cap) {
			size_t want = h->cap ? h->cap * 2 : 1024;

			if (!(grown = realloc(h->c, want * sizeof(*grown)))) {
				error = tfs_error_set(TFS_ERROR,
						      "out of memory");
				break;
			}
			h->c = grown;
			h->cap = want;
		}
		c = &h->c[h->n];
		memset(c, 0, sizeof(*c));
		if (!(c->path = strdup(path))) {
			error = tfs_error_set(TFS_ERROR, "out of memory");
			break;
		}
		h->n++;
		c->put = c->have_id = true;
		error = tfs_history_blobs_put(c->id.id, h->blobs,
					      sqlite3_column_blob(s, 3),
					      (size_t)sqlite3_column_bytes(s,
									   3));
	}
	if (error == 0 && rc != SQLITE_DONE)
		error = tfs_error_set(TFS_ERROR, "sqlite: %s",
				      sqlite3_errmsg(db));
	sqlite3_finalize(s);
	if (error == 0)
		error = tfs_history_blobs_flush(h->blobs);
	return error;
}

/*
 * The newest commit of the database that git has whole at the top into
 * `parent` ("" if none), and *lost the number of newer ones it lacks.
 */
static int intact_parent(tfs_inst *in, char parent[41], int *lost)
{
	sqlite3 *db = inst_db(in)->db;
	sqlite3_stmt *s = NULL;
	int rc, ok = 0;

	parent[0] = '\0';
	*lost = 0;
	if (sqlite3_prepare_v2(db, "SELECT oid FROM commits ORDER BY n DESC",
			       -1, &s, NULL) != SQLITE_OK)
		return tfs_error_set(TFS_ERROR, "sqlite: %s",
				     sqlite3_errmsg(db));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *oid = db_text(s, 0);

		if ((ok = tfs_history_commit_whole(in->st->hist, oid, 0)) < 0)
			break;
		if (ok) {
			snprintf(parent, 41, "%s", oid);
			break;
		}
		(*lost)++;
	}
	sqlite3_finalize(s);
	if (ok < 0)
		return ok;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return tfs_error_set(TFS_ERROR, "sqlite: %s",
				     sqlite3_errmsg(db));
	return 0;
}

int inst_history_heal(tfs_inst *in, tfs_history_blobs **blobs, char oid[41],
		      const tfs_history_sig *sig, const char *message,
		      int *lost)
{
	struct heal h = { .in = in };
	char parent[41];
	size_t i;
	int error;

	if ((error = intact_parent(in, parent, lost)) < 0)
		return error;
	if (!*blobs && (error = tfs_history_blobs_new(blobs, in->st->hist)) < 0)
		return error;
	h.blobs = *blobs;
	if ((error = collect(&h)) == 0)
		error = hist_write_commit_on(oid, in->st->hist,
					     parent[0] ? parent : NULL, NULL,
					     h.c, h.n, sig, message);
	for (i = 0; i < h.n; i++)
		free((char *)h.c[i].path);
	free(h.c);
	return error;
}

/* ---- repairs at open and by fsck (internal.h) ------------------------- */

int inst_heal_history(tfs_inst *in, int n, int *lost_out)
{
	tfs_history_sig sig = { "admin", "admin@tenantfs.local", time(NULL) };
	tfs_history_blobs *blobs = NULL;
	char oid[41], text[400];
	int lost, error;

	if ((error = db_exec(inst_db(in), "BEGIN IMMEDIATE")) < 0)
		return error;
	if ((error = inst_history_heal(in, &blobs, oid, &sig,
				       "History repaired from the database",
				       &lost)) < 0)
		goto fail;
	snprintf(text, sizeof(text),
		 "history.git had lost %d commit%s of "
		 "%s, the newest %d; commit %d holds the whole instance",
		 lost, lost == 1 ? "" : "s", in->branch, n, n + 1);
	if ((error = inst_commit_row(inst_db(in), n + 1, oid, sig.time, "admin",
				     "History repaired from the "
				     "database",
				     0)) < 0 ||
	    (error = inst_log_event(in, "admin", "History/Repaired", text)) <
		    0 ||
	    (error = db_exec(inst_db(in), "COMMIT")) < 0)
		goto fail;
	fprintf(stderr, "tenantfs: %s\n", text);
	if (lost_out)
		*lost_out = lost;
	error = tfs_history_set_ref(in->st->hist, in->branch, oid);
	tfs_history_blobs_free(blobs);
	return error;
fail:
	db_exec(inst_db(in), "ROLLBACK");
	tfs_history_blobs_free(blobs);
	return error;
}

int tfs_inst_history_check(tfs_inst *in, int *lost)
{
	char oid[41];
	int n, whole = 1, error;

	*lost = 0;
	inst_write_begin(in);
	error = inst_last_commit(in, &n, oid);
	if (error == 0 && n > 0 &&
	    (whole = tfs_history_commit_whole(in->st->hist, oid, 1)) < 0)
		error = whole;
	if (error == 0 && !whole &&
	    (error = inst_heal_history(in, n, lost)) == 0) {
		store_flush_events(in->st, in);
		error = 1;
	}
	inst_write_end(in);
	return error;
}
