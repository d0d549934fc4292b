/*
 * History internals shared by history.c (the handle, readers, refs),
 * history_write.c (commits), history_read.c (reads), history_blobs.c (the
 * blob writer of large change sets), history_pack.c (packs made durable
 * and named) and history_tree.c (trees spliced from their parent's raw
 * bytes); nothing else includes it.
 */
#ifndef TENANTFS_HISTORY_INT_H
#define TENANTFS_HISTORY_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <git2.h>
#include <openssl/evp.h>

#include "tenantfs/history.h"

/*
 * SHA-1 through libcrypto (sha1.c): object ids and pack trailers, faster
 * than libgit2's SHA-1DC.  init and the id functions return 0 or TFS_ERROR
 * (no memory for a context); every init is ended by final or free.
 */
typedef struct hist_sha1 {
	EVP_MD_CTX *ctx; /* NULL: init failed */
} hist_sha1;

int hist_sha1_init(hist_sha1 *s);
void hist_sha1_update(hist_sha1 *s, const void *data, size_t len);
/* The digest into out (zeros on failure), and the context freed. */
int hist_sha1_final(hist_sha1 *s, unsigned char out[20]);
void hist_sha1_free(hist_sha1 *s);
/* The git id of object `data` of type `type` ("blob", "tree"). */
int hist_object_id(unsigned char id[20], const char *type, const void *data,
		   size_t len);

/*
 * Resumable ids of large objects.  The hashed stream is "<type> <len>\0"
 * and the data; mark k is a copy of the SHA-1 context after its first
 * (k + 1) x HIST_MARK_STRIDE bytes, and an object has hist_marks_count()
 * of them (hist_marks_new makes room for them, none taken yet).
 * hist_object_id_marked computes the id and takes the marks, starting
 * from the last mark within the first `same` bytes of data: those bytes
 * must be the ones the marks were taken of (0: from the beginning); the
 * marks must be for an object of this type and length.  A tree saved in
 * place (a file's new id) then costs the hash of what follows the change.
 */
#define HIST_MARK_STRIDE ((size_t)16 << 10)
typedef struct hist_marks {
	char type[8];
	size_t len; /* of the object's data */
	size_t n;
	EVP_MD_CTX *ctx[]; /* n marks, NULL until taken */
} hist_marks;

size_t hist_marks_count(const char *type, size_t len);
/* NULL: out of memory. */
hist_marks *hist_marks_new(const char *type, size_t len);
void hist_marks_free(hist_marks *m);
int hist_object_id_marked(unsigned char id[20], const char *type,
			  const void *data, size_t len, hist_marks *marks,
			  size_t same);

/* One entry of tfs_history_write_commit's change list, after checking. */
struct change {
	const char *path;
	const char *bytes; /* NULL: delete, unless `put` (blob already written) */
	size_t len;
	bool put;     /* an upsert (bytes, or id given) */
	bool have_id; /* id is known: the blob is in the repository */
	git_oid id;   /* the blob, for upserts */
};

/*
 * tfs_history_write_commit() on a list of the engine's own, which is
 * sorted in place (and ids filled in) rather than copied: a change set
 * of a million paths (change.c) keeps one list, not two.
 */
/* Longest path accepted in a change; far beyond what instances use. */
#define PATH_MAX_LEN 4096

/* Commits writing at least this many new blobs go through a pack. */
#define PACK_MIN 1024

/* Shared by history.c, history_write.c and history_read.c. */
/* `hex` as an object id: 0, or TFS_EINVALID. */
int hist_parse_oid(git_oid *out, const char *hex);
/* Look up commit `id` (spelled `hex`); TFS_ENOTFOUND if it is not one. */
int hist_lookup_commit(git_commit **out, git_repository *repo,
		       const git_oid *id, const char *hex);
/* A reader of h's pool, for this call (history.h, "Threads"). */
struct hist_reader;
int hist_reader_get(struct hist_reader **out, tfs_history *h);
void hist_reader_put(struct hist_reader *r);

int hist_write_commit(char out[TFS_OID_HEXSZ + 1], tfs_history *h,
		      const char *parent, struct change *c, size_t n,
		      const tfs_history_sig *sig, const char *message);
/* The same, the new tree made from the tree of commit `from` (NULL or "":
 * the empty tree) while the parent stays `parent`: a push that replaces
 * an instance's content with another's starts from the source's tree. */
int hist_write_commit_on(char out[TFS_OID_HEXSZ + 1], tfs_history *h,
			 const char *parent, const char *from, struct change *c,
			 size_t n, const tfs_history_sig *sig,
			 const char *message);

/* Large trees written lately, raw, so that the next save into the same
 * directory needs no read (and no inflate and hash check) of its parent. */
#define TREE_CACHE_SLOTS 4
struct tree_cache {
	struct {
		git_oid id;
		char *data; /* NULL: empty slot */
		size_t len;
		hist_marks *marks; /* for the tree of len bytes, or NULL */
	} slot[TREE_CACHE_SLOTS];
	unsigned int next;
};

void history_tree_cache_free(struct tree_cache *tc);

/* Git's order of tree entries: a directory's name sorts as "name/".
 * <0, 0, >0 like memcmp. */
int hist_entry_cmp(const char *a, size_t alen, bool atree, const char *b,
		   size_t blen, bool btree);

/* Where new trees go: the object database to check and write through,
 * and the objects directory for large trees stored as loose objects
 * (NULL: everything through `odb`, e.g. into an in-memory pack, and
 * nothing cached); `cache` may be NULL. */
/* The staging directory (history_stage.c; see hist_stage_settle below). */
struct hist_stage {
	char *dir;
	git_oid *ids;
	size_t n, cap;
};

struct tree_writer {
	git_odb *odb;
	const char *objects;
	struct tree_cache *cache;
	struct hist_stage *stage; /* where loose objects are written */
};

/*
 * The root tree of `base` (a tree id) with the changes c[0..n) applied,
 * written, into *out.  c must be sorted by history_write.c's cmp_dir_order,
 * checked by sort_changes, without a path that is both a file and a
 * directory prefix of another.  Returns 0, TFS_EINVALID for a change
 * that conflicts with `base` (a file over a directory or back, deleting
 * a directory), or TFS_ERROR.
 */
int history_tree_update(git_oid *out, const struct tree_writer *w,
			const git_oid *base, const struct change *c, size_t n);

/*
 * A reader: its own repository handle on history.git, used by one thread at
 * a time (libgit2 objects are not shared between threads), with the
 * directories it read last (history views: commits never change, so
 * neither does the tree at a path of one).
 */
struct hist_reader {
	pthread_mutex_t lock;
	git_repository *repo;
	git_odb *odb;
	struct {
		git_oid commit;
		char *path; /* NULL: empty slot */
		git_tree *tree;
	} dirs[2];
	unsigned int next_dir;
	bool temp; /* not in the pool: freed when given back */
};

/* Readers a handle keeps open at most, one per concurrently reading
 * thread (past that, a thread waits for one, or takes a temporary one
 * when it holds one already: see reader_get). */
#define HIST_READERS 8

/*
 * What a commit wrote that git maintenance may still take away, because no
 * ref names it yet (history.c, "git maintenance while mounted"): its
 * loose objects, still linked in the staging directory, and the .keep
 * files of its packs.  Kept on the handle, under the writer lock, from
 * the commit's write until the next commit of the same branch moves it.
 */
struct hist_pending {
	git_oid commit;
	char *branch;     /* the branch that names it; NULL until one does */
	int64_t named_at; /* CLOCK_MONOTONIC seconds */
	git_oid *loose;
	size_t nloose;
	char **keeps;
	size_t nkeeps;
	struct hist_pending *next;
};

/* .keep files (history_stage.c) of packs not yet referenced, which
 * `git repack -a -d` and `git gc` leave alone: hist_keep_make() before the
 * pack at `pack` (its path ending in ".pack") is named, adding the keep's
 * path to (*keeps)[*n]; hist_keeps_drop() removes and frees them;
 * hist_keeps_clean() removes those a crash left in objects/pack (only
 * ours: see KEEP_MARK), and the temporary files a crash left (see
 * clean_tmp). */
int hist_keep_make(char ***keeps, size_t *n, const char *pack);
void hist_keeps_drop(char **keeps, size_t n);
void hist_keeps_clean(const char *objects);

/* The settled objects of a commit: loose ones re-linked from the staging
 * directory where git took them away (missing from objects/); the count
 * re-linked, or TFS_ERROR. */
int hist_stage_restore(struct hist_stage *st, const char *objects,
		       const git_oid *ids, size_t n);
/* The staged links of ids[0..n) removed (the objects are referenced). */
void hist_stage_forget(struct hist_stage *st, const git_oid *ids, size_t n);
/* Every pending commit's loose objects restored (a commit found its
 * parent damaged); how many were missing, or TFS_ERROR. */
int hist_pending_restore_all(tfs_history *h);

struct tfs_history {
	/* The writer lock (recursive): the writer repository, its object
	 * database and the tree cache.  See history.h for the lock order. */
	pthread_mutex_t lock;
	git_repository *repo;
	git_odb *odb;
	char *git_dir;
	char *objects; /* git_dir/objects */
	struct tree_cache trees;
	struct hist_stage stage;
	struct hist_pending *pending; /* newest first */
	/* The keeper thread checks pending commits every PENDING_TICK s. */
	pthread_t keeper;
	pthread_cond_t keeper_cond; /* with `lock` */
	bool keeper_on, keeper_stop;
	pid_t keeper_pid;             /* the process it runs in (fork) */
	_Atomic int fsync;            /* tfs_history_set_fsync */
	_Atomic unsigned long fsyncs; /* fsync calls made (tests) */
	/* The readers: pool_lock (a leaf) guards nreaders and readers[]. */
	pthread_mutex_t pool_lock;
	struct hist_reader *readers[HIST_READERS];
	unsigned int nreaders;
};

void hist_lock(tfs_history *h);
void hist_unlock(tfs_history *h);
/* Record the last libgit2 error for this thread; TFS_ERROR. */
int hist_git_fail(const char *what);
/* The code of a failed system call, from errno: TFS_ENOSPC for a full
 * disk or quota (the caller's ENOSPC, not an I/O error), else TFS_ERROR. */
int hist_errno(void);

/*
 * Durability (history_loose.c).  Files are written under temporary names,
 * made durable (hist_sync_fd: fdatasync, unless the handle's fsync is
 * off) and only then renamed into place, so that a name git finds never
 * holds a torn object; the directories that got new names are noted in a
 * struct hist_dirs and each fsynced once (hist_sync_dirs) before the
 * function that promises durability returns.
 */
#define HIST_DIRS_MAX 16
struct hist_dirs {
	char *path[HIST_DIRS_MAX];
	size_t n;
};

int hist_sync_fd(tfs_history *h, int fd, const char *what);
/* fdatasync fds[0..n) at once (concurrent syncs share journal commits). */
int hist_sync_fds(tfs_history *h, const int *fds, size_t n);
/* The same with fsync (directories, and files whose metadata matters). */
int hist_fsync_fds(tfs_history *h, const int *fds, size_t n);
/* Note directory `path` (copied); with the set full, it is synced now. */
int hist_dirs_note(struct hist_dirs *d, tfs_history *h, const char *path);
/* Fsync every noted directory once and forget them, also on error. */
int hist_sync_dirs(struct hist_dirs *d, tfs_history *h);
/* Fsync directory `path` itself. */
int hist_sync_dir(tfs_history *h, const char *path);
void hist_dirs_clear(struct hist_dirs *d);

/*
 * Packs (history_pack.c): the bytes of a pack turned into a durable,
 * named pack and index in objects/pack.  hist_pack_index runs libgit2's
 * indexer over parts[0..n) (the pack's bytes in order, trailer included)
 * in a new temporary directory below objects/pack and starts the
 * writeback of both files.  hist_pack_settle syncs p[0..n) at once, gives
 * each pack its .keep (added to *keeps) and renames it into objects/pack,
 * the pack before its index, noting the directory in `dirs`; whatever
 * fails, every p[i] is dropped or named at return.  hist_pack_drop
 * removes one not named (accepts one already settled or dropped).
 * hist_pack_tmpdir, hist_pack_path and hist_pack_opened are for a pack
 * whose files are written some other way into p->dir as
 * pack-<p->name>.pack and .idx (0: pack, 1: idx).
 */
struct hist_pack {
	char dir[4200]; /* temporary directory; "" when there is none */
	char name[41];  /* the pack's checksum, 40 hex digits */
	int fd[2];      /* the pack and its index; -1: not open */
};

struct hist_piece {
	const void *data;
	size_t len;
};

int hist_pack_index(struct hist_pack *p, tfs_history *h,
		    const struct hist_piece *parts, size_t n);
int hist_pack_settle(tfs_history *h, struct hist_pack *p, size_t n,
		     char ***keeps, size_t *nkeeps, struct hist_dirs *dirs);
void hist_pack_drop(struct hist_pack *p);
int hist_pack_tmpdir(struct hist_pack *p, tfs_history *h);
void hist_pack_path(char *out, size_t size, const struct hist_pack *p,
		    int which);
int hist_pack_opened(struct hist_pack *p, tfs_history *h);

/*
 * The writer's staging directory, objects/tfs-stage (history_stage.c):
 * loose objects of a commit being written (by libgit2, through
 * hist_stage_backend(), and by hist_loose_write) land there under their
 * object paths, readable by the writer's object database, and their ids are
 * noted. hist_stage_settle() makes them all durable at once, links them
 * into `objects` and syncs the directories that got names; the staged links
 * stay, and st->ids lists them, until the caller takes the list (a struct
 * hist_pending: git may remove what no ref names yet, and they are linked
 * again from here, hist_stage_restore). hist_stage_drop() discards them (a
 * failed commit). Used under the writer lock.
 */

/* Create the directory if needed, dropping what a crash left in it. */
int hist_stage_open(struct hist_stage *st, const char *objects);
void hist_stage_close(struct hist_stage *st);
int hist_stage_note(struct hist_stage *st, const git_oid *id);
int hist_stage_settle(struct hist_stage *st, tfs_history *h,
		      const char *objects);
void hist_stage_drop(struct hist_stage *st);
/* libgit2's loose backend on st->dir, noting each id written (to be added
 * to the writer's object database, in front). */
int hist_stage_backend(git_odb_backend **out, struct hist_stage *st);

/* The path of object `id` under `objects` into path[size]; *dirlen is the
 * length of its directory part.  TFS_ERROR if it does not fit. */
int hist_object_path(char *path, size_t size, size_t *dirlen,
		     const char *objects, const git_oid *id);

/*
 * Loose objects of zlib stored blocks (history_loose.c), read back like
 * any other through libgit2.  hist_loose_write stores object `id` (its
 * SHA-1, already computed) of `type` unless it exists.
 */
int hist_loose_write(const struct tree_writer *w, const git_oid *id,
		     const char *type, const char *data, size_t len);
/*
 * The same, written as it is made (history_loose.c): open with the length
 * of the content, write it in any pieces, close to get its id and store
 * it unless w->odb has it already (durable, like hist_loose_write); free
 * always (it drops what was not
 * stored).
 */
struct hist_loose_stream;
int hist_loose_stream_open(struct hist_loose_stream **out,
			   const struct tree_writer *w, const char *type,
			   size_t len);
int hist_loose_stream_write(struct hist_loose_stream *s, const void *data,
			    size_t len);
int hist_loose_stream_close(struct hist_loose_stream *s, git_oid *id);
void hist_loose_stream_free(struct hist_loose_stream *s);

#endif
