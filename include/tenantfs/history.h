/*
 * History: the store's bare git repository, STORE/history.git, with one
 * branch per instance, refs/heads/<tenant>/<instance>.
 *
 * Writing is split in two steps so that the instance database and the
 * branch can never disagree after a crash: tfs_history_write_commit() writes
 * blobs, trees and the commit object (unreferenced, harmless if lost); the
 * caller then commits its database transaction that records the commit id;
 * only then does tfs_history_set_ref() move the branch.  On open, the caller
 * compares the branch with its database and moves the branch forward if a
 * crash came between the two.
 *
 * Trees are updated incrementally from the parent commit's tree (only the
 * changed paths are rewritten); a first commit with many files is built
 * bottom-up with tree builders.
 *
 * Durability: tfs_history_write_commit() returns only once the commit and
 * every object it wrote are on stable storage (files fdatasynced before
 * they are named, all at once, their directories fsynced after), and
 * tfs_history_blobs_flush() likewise for every blob put before it; so a
 * database transaction committed after either names nothing a power loss
 * can take away.  tfs_history_set_ref() returns with the branch's ref file
 * and its directory fsynced.  tfs_history_set_fsync(h, 0) turns all of
 * that off, for measurements only.
 *
 * Threads: one handle may be shared between threads, and readers never
 * wait for writers.
 *   - Readers (tfs_history_stat, _read, _list, _list_at, _find,
 *     _entry_at, _read_at, _read_blob, _get_ref, _has_commit,
 *     _diff_parent) each take a reader of the handle's pool: a
 *     repository handle of its own on history.git with its own lock,
 *     held for that one call (up to HIST_READERS are kept open, one per
 *     concurrently reading thread).  They see what writers wrote before
 *     the call began: libgit2 rescans the packs when it misses an object.
 *   - Writers (tfs_history_write_commit, _set_ref, _set_fsync, and
 *     tfs_history_blobs_flush's refresh) serialize on the handle's writer
 *     lock, which covers one commit's trees and objects, not the blobs of
 *     a change set: a blob writer writes its packs without any lock.
 *   - Lock order: a reader's lock, then the writer lock (a read callback
 *     may write); never the other way round, so a writer never waits for
 *     a reader.  The pool's own lock is a leaf.
 *   - Callbacks may call back into the same handle (but must not free
 *     it); a nested read gets another reader.
 */
#ifndef TENANTFS_HISTORY_H
#define TENANTFS_HISTORY_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"

typedef struct tfs_history tfs_history;

#define TFS_OID_HEXSZ 40

/* Open STORE/history.git at `git_dir`, creating a bare repository there if
 * `create` is nonzero and it does not exist. */
int tfs_history_open(tfs_history **out, const char *git_dir, int create);
void tfs_history_free(tfs_history *h);

/* One changed path, relative to the instance ("metadata/Form/X.xml").
 * `bytes` NULL means the path is deleted, unless `has_id`: then the path
 * is the blob `id` (20 bytes), already written with a blob writer. */
typedef struct tfs_history_change {
	const char *path;
	const char *bytes;
	size_t len;
	unsigned char id[20];
	int has_id;
} tfs_history_change;

typedef struct tfs_history_sig {
	const char *name;  /* Ops Console login, e.g. "admin" */
	const char *email; /* e.g. "admin@tenantfs.local" */
	int64_t time;      /* seconds since the epoch, UTC */
} tfs_history_sig;

/*
 * Write a commit whose tree is the parent's tree with `changes` applied
 * (the empty tree if `parent` is NULL or "").  Changes need not be sorted;
 * a path may appear once.  Deleting a path that does not exist is not an
 * error.  Empty directories are pruned.  Writes the new commit id (40 hex
 * digits and a NUL) into `out`.  Does not move any ref.  At return the
 * commit and all it reaches are durable (see above).
 */
int tfs_history_write_commit(char out[TFS_OID_HEXSZ + 1], tfs_history *h,
			     const char *parent,
			     const tfs_history_change *changes, size_t n,
			     const tfs_history_sig *sig, const char *message);

/*
 * Blob writer, for change sets too large to keep their files in memory:
 * put writes a blob (into a pack, in batches of bounded size) and gives
 * its id; flush makes every blob put so far part of the repository, to be
 * named by id in tfs_history_write_commit(), and durable.  Free discards
 * what was not flushed; what was is left as unreferenced objects until
 * used.  A writer is used by one thread at a time; writers of different
 * threads (instances) do not wait for each other, nor for readers.
 */
typedef struct tfs_history_blobs tfs_history_blobs;
int tfs_history_blobs_new(tfs_history_blobs **out, tfs_history *h);
int tfs_history_blobs_put(unsigned char id[20], tfs_history_blobs *w,
			  const char *bytes, size_t len);
int tfs_history_blobs_flush(tfs_history_blobs *w);
void tfs_history_blobs_free(tfs_history_blobs *w);

/* The git id of a blob of `bytes` (what `git hash-object` prints), without
 * writing it; the id tfs_history_blobs_put gives for the same bytes.
 * 0, or TFS_ERROR (no memory to hash). */
int tfs_history_blob_id(unsigned char id[20], const char *bytes, size_t len);
/* `id` as 40 lowercase hex digits and a NUL. */
void tfs_history_id_hex(char out[TFS_OID_HEXSZ + 1],
			const unsigned char id[20]);

/* Append the content of blob `hex` (40 hex digits) to `out`.  `what` (the
 * file's path) names it in the message of a failure: TFS_EINVALID if `hex`
 * is not an object id, TFS_EDAMAGED if the repository lacks the blob,
 * TFS_ERROR if it cannot read it. */
int tfs_history_read_blob(tfs_buf *out, tfs_history *h, const char *hex,
			  const char *what);

/*
 * History objects are fsynced (1, the default) or not (0: for benchmarks
 * only; a power loss may then lose commits the databases name).  Applies
 * to writes that start after it returns.  Returns 0 or TFS_ERROR.
 */
int tfs_history_set_fsync(tfs_history *h, int on);
/* How many fsync/fdatasync calls were made on h's files and directories
 * so far (libgit2 makes none itself: see history.c), for tests. */
unsigned long tfs_history_fsyncs(tfs_history *h);

/* Point refs/heads/<branch> at `oid`, creating it if needed; durable at
 * return (see above).  TFS_ENOTFOUND if `oid` is not a commit. */
int tfs_history_set_ref(tfs_history *h, const char *branch, const char *oid);

/* Move refs/heads/<branch> to `to` (a full ref name such as
 * "refs/deleted/..."), durable at return; nothing if the branch does
 * not exist. */
int tfs_history_keep_ref(tfs_history *h, const char *branch, const char *to);

/* The commit refs/heads/<branch> points at, or TFS_ENOTFOUND. */
int tfs_history_get_ref(char out[TFS_OID_HEXSZ + 1], tfs_history *h,
			const char *branch);

/* Whether the commit object `oid` exists in the repository (1/0), <0 on
 * error. */
int tfs_history_has_commit(tfs_history *h, const char *oid);

/* Whether the repository has commit `oid` whole (1/0), <0 on error: the
 * commit and its root tree; with `deep`, every tree and blob below it too
 * (a walk of the whole snapshot: for fsck). */
int tfs_history_commit_whole(tfs_history *h, const char *oid, int deep);

/*
 * Look up `path` ("" is the root) in the tree of commit `oid`.  Sets
 * *is_dir, and for files *size; TFS_ENOTFOUND if absent.
 */
int tfs_history_stat(tfs_history *h, const char *oid, const char *path,
		     int *is_dir, size_t *size);

/* Append the content of file `path` at commit `oid` to `out`. */
int tfs_history_read(tfs_buf *out, tfs_history *h, const char *oid,
		     const char *path);

/*
 * Call `cb` for each entry of directory `path` at commit `oid`, in git's
 * (byte-wise sorted) order.  `size` is the blob size for files, 0 for
 * directories.  A nonzero return from `cb` stops the walk and is returned.
 */
typedef int (*tfs_history_entry_cb)(void *ctx, const char *name, int is_dir,
				    size_t size);
int tfs_history_list(tfs_history *h, const char *oid, const char *path,
		     tfs_history_entry_cb cb, void *ctx);
/* The same, `icb` also given each entry's index in the tree (the index
 * tfs_history_entry_at and tfs_history_find use); `cb` unused then. */
typedef int (*tfs_history_index_cb)(void *ctx, const char *name, int is_dir,
				    size_t size, size_t index);
int tfs_history_list_at(tfs_history *h, const char *oid, const char *path,
			tfs_history_index_cb icb, tfs_history_entry_cb cb,
			void *ctx);

/*
 * Entry `name` of directory `dir_path` at commit `oid`: its index in the
 * directory's tree, whether it is a directory, and a file's size;
 * TFS_ENOTFOUND if absent.
 */
int tfs_history_find(tfs_history *h, const char *oid, const char *dir_path,
		     const char *name, size_t *index, int *is_dir,
		     size_t *size);
/* Entry number `index` of directory `dir_path` at commit `oid`. */
int tfs_history_entry_at(tfs_history *h, const char *oid, const char *dir_path,
			 size_t index, char name[256], int *is_dir,
			 size_t *size);
/* Append the content of file number `index` of `dir_path` at `oid`. */
int tfs_history_read_at(tfs_buf *out, tfs_history *h, const char *oid,
			const char *dir_path, size_t index);

/*
 * Call `cb` for each file path that differs between commit `oid` and its
 * first parent (every file, for a root commit), with the blob content
 * before and after (NULL and 0 when absent).  Buffers are valid only during
 * the call.
 */
typedef int (*tfs_history_diff_cb)(void *ctx, const char *path,
				   const char *before, size_t before_len,
				   const char *after, size_t after_len);
int tfs_history_diff_parent(tfs_history *h, const char *oid,
			    tfs_history_diff_cb cb, void *ctx);

/*
 * Call `cb` with the path, relative to directory `path`, of each file that
 * differs in that directory between commits `old_oid` and `new_oid` ("" is
 * the empty tree), in git's order, without reading a blob: unchanged
 * subtrees are skipped by their ids.  A nonzero return from `cb` stops
 * the walk and is returned.
 */
typedef int (*tfs_history_name_cb)(void *ctx, const char *path);
int tfs_history_dir_diff(tfs_history *h, const char *old_oid,
			 const char *new_oid, const char *path,
			 tfs_history_name_cb cb, void *ctx);

#endif
