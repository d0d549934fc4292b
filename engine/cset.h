/*
 * Change sets (change.c): the one path every change to an instance takes.
 * Engine-internal; see change.c for the contract.
 */
#ifndef TENANTFS_CSET_H
#define TENANTFS_CSET_H

#include "internal.h"
#include "tenantfs/history.h"

struct cset_item {
	tfs_change_op op;
	int64_t dir;
	int64_t obj;
	char *name;
	bool created;   /* new object: no kernel cache can hold it */
};

struct cset {
	tfs_inst *in;
	const char *user;
	int64_t now;
	int64_t txset;
	tfs_history_change *hc;
	size_t nhc, ahc;
	int64_t *hseq;      /* per hc: the put transaction naming its blob */
	size_t ahseq;
	size_t *hidx;       /* open-addressing index of hc by path (i + 1) */
	tfs_history_blobs *blobs; /* large sets: blobs written as they come */
	size_t hcap;
	struct cset_item *items;
	size_t nitems, aitems;
	int counts[3]; /* C, U, D */
	char first[512];
	char source[300];   /* transaction set source ("package P") */
	bool checked;       /* references already checked by the caller */
};

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

#endif
