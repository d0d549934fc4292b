/*
 * The first load of an instance (a seed's content, or a generator's): one
 * database transaction and the instance's first commit, built bottom-up.
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

/* ---- demo ---------------------------------------------------------------------- */

struct first_load {
	struct cset cs;
	int error;
};

static int load_put(void *ctx, tfs_kind kind, const char *type,
		    const char *name, const char *xml, size_t len,
		    int64_t mtime)
{
	struct first_load *dl = ctx;
	tfs_inst *in = dl->cs.in;
	tfs_doc *doc = NULL;
	char sha[65], path[512];
	sqlite3_stmt *s;
	int64_t dir, id;
	int error;

	if ((error = tfs_doc_parse(&doc, kind, type, name, xml, len, NULL)) <
	    0) {
		tfs_error_set(error, "%s/%s/%s: %s", tfs_kind_dir(kind), type,
			      name, tfs_error_last());
		goto done;
	}
	error = tfs_inst_dir_find(&dir, in, kind, type);
	if (error == TFS_ENOTFOUND && kind == TFS_KIND_TRANSLATION)
		error = inst_translation_dir(&dir, in, type);
	else if (error == TFS_ENOTFOUND)
		error = inst_dir_insert(&dir, in, kind, type);
	if (error < 0)
		goto done;
	snprintf(sha, sizeof(sha), "%s", doc->sha);
	s = db_stmt(inst_db(in), "INSERT INTO objects(dir, name, guid, bo, sha,"
				 " mtime, bytes) VALUES(?, ?, ?, ?, ?, ?, ?)");
	if (!s) {
		error = TFS_ERROR;
		goto done;
	}
	sqlite3_bind_int64(s, 1, dir);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, doc->guid, -1, SQLITE_STATIC);
	if (doc->bo)
		sqlite3_bind_text(s, 4, doc->bo, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, sha, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, mtime);
	sqlite3_bind_blob(s, 7, doc->canon, (int)doc->canon_len, SQLITE_STATIC);
	if ((error = db_done(inst_db(in), s)) < 0)
		goto done;
	id = sqlite3_last_insert_rowid(inst_db(in)->db);
	if ((error = cset_doc_rows(in, id, doc, true)) < 0)
		goto done;
	if (tfs_kind_versioned(kind)) {
		if ((error = obj_path(path, sizeof(path), kind, type, name)) <
			    0 ||
		    (error = cset_add_history(&dl->cs, path, doc->canon,
					      doc->canon_len, NULL, NULL)) < 0)
			goto done;
	}
done:
	tfs_doc_free(doc);
	return error;
}

static int inst_load_locked(tfs_inst *in, int64_t now, tfs_content_fn gen,
			    void *ctx)
{
	struct first_load dl;
	tfs_history_sig sig = { "admin", "admin@tenantfs.local", now };
	char oid[41];
	int n, error;

	if (inst_gone(in))
		return tfs_error_set(TFS_ENOTFOUND, "%s was deleted",
				     in->branch);
	if ((error = tfs_inst_history_count(in, &n)) < 0)
		return error;
	if (n > 0)
		return tfs_error_set(TFS_EEXISTS, "%s already has history",
				     in->branch);
	memset(&dl, 0, sizeof(dl));
	if ((error = cset_begin(&dl.cs, in, "admin")) < 0)
		return error;
	if ((error = gen(load_put, &dl, ctx)) < 0 ||
	    (error = cset_flush_blobs(&dl.cs)) < 0)
		goto fail;
	if ((error = hist_write_commit(oid, in->st->hist, NULL, dl.cs.hc,
				       dl.cs.nhc, &sig,
				       "Initial configuration")) < 0)
		goto fail;
	if ((error = inst_commit_row(inst_db(in), 1, oid, now, "admin",
				     "Initial configuration", 0)) < 0 ||
	    (error = inst_meta_set_int(in, "last_update", now)) < 0 ||
	    (error = cset_log(in, now, "admin", "apply",
			      "Initial configuration (commit 1)")) < 0 ||
	    (error = db_exec(inst_db(in), "COMMIT")) < 0)
		goto fail;
	error = tfs_history_set_ref(in->st->hist, in->branch, oid);
	cset_free(&dl.cs);
	return error;
fail:
	cset_abort(&dl.cs);
	return error;
}

int inst_load(tfs_inst *in, int64_t now, tfs_content_fn gen, void *ctx)
{
	int error;

	inst_write_begin(in);
	error = inst_load_locked(in, now, gen, ctx);
	inst_write_end(in);
	return error;
}
