/*
 * Change sets (change.c): the one path every change to an instance takes.
 * Engine-internal; see change.c for the contract.
 */
#ifndef TENANTFS_CSET_H
#define TENANTFS_CSET_H

#include "hmap.h"
#include "internal.h"
#include "spill.h"
#include "tenantfs/history.h"

struct change;
struct cset_chunk;

/* An object the change set put or deleted, as cset_items_next() gives it. */
struct cset_item {
	tfs_change_op op; /* TFS_CHANGE_PUT or TFS_CHANGE_DELETE */
	bool created;     /* new object: no kernel cache can hold it */
	int64_t dir;
	int64_t obj;
	int64_t tag;      /* cs->tag when it was put (import: package seq) */
	const char *name; /* valid until the next cset_items_next() */
};

struct cset {
	tfs_inst *in;
	bool writing; /* holds the instance's writer lock */
	bool dry;     /* never committed (validate, preview): no history
		       * object is written for it */
	const char *user;
	int64_t now;
	int64_t txset;
	struct change *hc; /* the history commit's list (history_int.h) */
	size_t nhc, ahc;
	int64_t *hseq; /* per hc: the put transaction naming its blob */
	size_t ahseq;
	struct hmap hidx; /* hc by path: hash << 32 | (i + 1) (change.c) */
	struct cset_chunk *paths; /* hc's paths, packed */
	tfs_history_blobs *blobs; /* large sets: blobs written as they come */
	struct spill items;       /* struct cset_item, encoded (change.c) */
	size_t nitems;
	int64_t last_obj; /* the object of the last item */
	int64_t tag;      /* recorded with each item from now on */
	int counts[3];    /* C, U, D */
	char first[512];
	char source[300]; /* transaction set source ("package P") */
	bool checked;     /* references already checked by the caller */
	/* A push: committed (one history commit) even with nothing put,
	 * and the instance's version set to `version` (when > 0). */
	bool force;
	int64_t version;
};

/* Reads the items of a change set in the order they were added; add none
 * while reading. */
struct cset_items {
	struct spill_reader r;
};
void cset_items_begin(struct cset_items *it, struct cset *cs);
/* The next item in *out: 1; at the end 0; an error < 0. */
int cset_items_next(struct cset_items *it, struct cset_item *out);
void cset_items_end(struct cset_items *it);

/* BEGIN IMMEDIATE on the instance; `user` is recorded. */
int cset_begin(struct cset *cs, tfs_inst *in, const char *user);
/* Put `doc` as object `name` in directory `dir` (`old`: the current
 * object, or NULL to create). */
int cset_put(struct cset *cs, tfs_kind kind, const char *type, int64_t dir,
	     const char *name, const tfs_doc *doc, const tfs_obj_info *old);
int cset_delete(struct cset *cs, const tfs_obj_info *old);
/* Check references of everything put or removed (first failure). */
int cset_check(struct cset *cs);
/* Commit: history commit, records, event `action`, branch; or roll back
 * everything on error.  `message` NULL: made from the counts. */
int cset_commit(struct cset *cs, const char *action, const char *message);
/* Roll back and free. */
void cset_abort(struct cset *cs);
void cset_free(struct cset *cs);

/* ---- shared by change.c, save.c, revert.c and load.c ------------------- */

/* Grow *p (of *alloc elements of `elem` bytes) to hold `need`. */
int cset_grow(void **p, size_t *alloc, size_t need, size_t elem);
/* Add `path` (its new bytes, or NULL: deleted) to the history commit;
 * see change.c. */
int cset_add_history(struct cset *cs, const char *path, const char *bytes,
		     size_t len, char blob[TFS_OID_HEXSZ + 1], size_t *at);
/* Every blob of the change set is in the repository (streaming only). */
int cset_flush_blobs(struct cset *cs);
/* Replace the refs and secrets rows of object `obj` from `doc`; `fresh`:
 * the object was just created and has none yet. */
int cset_doc_rows(tfs_inst *in, int64_t obj, const tfs_doc *doc, bool fresh);
/* A patch-log line, and a queued event, in the caller's transaction. */
int cset_log(tfs_inst *in, int64_t t, const char *user, const char *what,
	     const char *text);
int cset_queue_event(tfs_inst *in, int64_t t, const char *user,
		     const char *action, const char *message);
/* Tell the store's observer of a committed change. */
void cset_notify(tfs_store *st, int64_t inst, tfs_change_op op, int64_t dir,
		 int64_t obj, const char *name);

/* Checks of saves (save.c), which a revert makes too. */
int save_check_lock(tfs_inst *in, tfs_kind kind, const char *type);
int save_resolve_dir(int64_t *out, tfs_inst *in, tfs_kind kind,
		     const char *type);
int save_obj_guid(tfs_inst *in, int64_t id, char out[64]);

/*
 * A commit of the whole instance as its database has it (heal.c), for a
 * history.git that lost commits the database names; its parent the
 * newest commit git has whole at the top, *lost the number of newer ones
 * it lacks.  Blobs go through *blobs (a writer made if NULL), which the
 * caller frees after the branch moves.  Inside the caller's transaction,
 * under the writer lock.
 */
int inst_history_heal(tfs_inst *in, tfs_history_blobs **blobs, char oid[41],
		      const tfs_history_sig *sig, const char *message,
		      int *lost);

#endif
