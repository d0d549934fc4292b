/*
 * Fixtures shared by the unit tests (helper.c, linked into each of them):
 * a temporary directory and its removal, a store in it (the demo or an
 * empty one), entities and instances by name, a .conf value, git fsck of
 * a store's history, the tree's paths and whole files, a string with one
 * part replaced, and the quiet checks of the tests that make thousands.
 *
 * Every unit test that needs a store makes it here, so that a change of
 * how a store is made is one change.  The fixtures only report (an engine
 * error, tfs_error_last() says why, or -1 with a "# " line); the checks,
 * and so their counts, stay in the tests.
 */
#ifndef TENANTFS_TEST_HELPER_H
#define TENANTFS_TEST_HELPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenantfs/buf.h"
#include "tenantfs/store.h"
#include "tenantfs/tree.h"

/*
 * Quiet checks, for the tests that make thousands of them (test_demo,
 * test_generate): a check that passes prints nothing, one that fails
 * prints "FAIL: ..." on stderr (the first TH_FAIL_SHOWN of them, so that
 * one broken rule does not bury the others), and th_failures counts
 * them all.  The TAP checks of the other tests are tap.h's.
 */
#define TH_FAIL_SHOWN 60
extern int th_failures;
void th_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define TH_CHECK(cond, ...)                   \
	do {                                  \
		if (!(cond))                  \
			th_fail(__VA_ARGS__); \
	} while (0)

/* Room for a temporary directory, a store in it, and a file below. */
#define TH_PATH 256

/*
 * Make a new directory /tmp/tenantfs-NAME-XXXXXX and put its path in
 * `dir`: 0, or -1 with a "# " line saying why.
 */
int th_tmpdir(char dir[TH_PATH], const char *name);

/*
 * Remove the tree at `dir`, unless `keep` (a failed run keeps its files
 * to be looked at) or TFS_KEEP_TMP is set; a kept tree is named in a
 * "# kept" line.  0, or -1 if something could not be removed.
 */
int th_rmtree(const char *dir, bool keep);

/*
 * The demo store (INTERFACE.md) at DIR/NAME, its path in `store`: the one
 * place the unit tests make it.  0 or an engine error.
 */
int th_demo_store(char store[TH_PATH], const char *dir, const char *name);

/* An empty store (tenantctl init) at DIR/NAME, likewise. */
int th_empty_store(char store[TH_PATH], const char *dir, const char *name);

/* Open `store` as the user running the test (mapped to admin). */
int th_store_open(tfs_store **out, const char *store);

/* The id of `ent` named `name` under `parent`, or 0 if there is none. */
int64_t th_find(tfs_store *st, tfs_entity ent, int64_t parent,
		const char *name);

/* Instance TENANT/NAME of `st`, or NULL (tfs_error_last() says why). */
tfs_inst *th_inst(tfs_store *st, const char *tenant, const char *name);

/* The value of `key` in the rendering of a .conf file into out, or "". */
void th_conf_get(char *out, size_t size, tfs_store *st, tfs_entity ent,
		 int64_t id, const char *key);

/* Whether `git fsck` finds the store's history.git sound (the store
 * closed: no writer between). */
bool th_git_fsck(const char *store);

/* Resolve PATH below the root of `t` as `who`, as a lookup per name. */
int th_walk(tfs_attr *out, tfs_tree *t, const char *path,
	    const tfs_caller *who);

/* Replace `out` by the whole file `ino` (or PATH) of `t`, read as `who`
 * through open, read and release as a mount would. */
int th_read_ino(tfs_buf *out, tfs_tree *t, uint64_t ino, const tfs_caller *who);
int th_read_all(tfs_buf *out, tfs_tree *t, const char *path,
		const tfs_caller *who);

/* A copy of `s` with the first `from` replaced by `to`, to be freed;
 * NULL if `s` is NULL or has no `from`. */
char *th_replace(const char *s, const char *from, const char *to);

#endif
