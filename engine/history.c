/*
 * History: commits of instance trees in the store's bare git repository,
 * written and read with libgit2.
 *
 * tfs_history_write_commit() writes blobs, trees and one commit and never
 * touches a ref; tfs_history_set_ref() moves a branch afterwards (see
 * history.h for why the two steps are separate).  Trees are made two ways:
 *
 *   - with a parent, only the trees on the changed paths are rewritten
 *     and trees that become empty are dropped: history_tree.c splices
 *     the changes into the parent's raw trees (a save into a directory
 *     of 10^5 files costs a copy of its tree, not a rebuild), and
 *     git_tree_create_updated() takes the rare lists that turn a file
 *     into a directory or back;
 *   - without one, the files are sorted and each directory gets one tree
 *     builder, bottom-up, so a first import of 10^5..10^6 files costs
 *     O(n log n) and writes every tree exactly once.
 *
 * Invariants of what we write, so that `git fsck --strict` is content:
 * every path is relative, has no empty, ".", ".." or ".git" component,
 * files are 0100644 blobs, no tree is empty except the root of an empty
 * commit, author and committer are the given signature at offset +0000.
 *
 * Large commits (see PACK_MIN) are written into an in-memory object
 * backend of a second repository handle and then stored as one pack with
 * its index, instead of one loose file per object.
 *
 * Durability: loose objects (libgit2's and our own trees) are staged
 * (writer_odb(), history_loose.c) and packs written under temporary
 * names; before tfs_history_write_commit() returns, all of them are
 * synced at once, named, and the directories that got names synced at
 * once.  Refs are synced after they move (sync_ref()).
 *
 * Callers: the store (write, set_ref, get_ref, has_commit) and the
 * history views of fs/ (stat, read, list, diff_parent).  Writers share
 * the handle's repository under its recursive writer lock; readers each
 * take a repository handle of their own from the handle's pool (see
 * history.h for the rules), so a read never waits for a commit being
 * written.  libgit2 objects never leave this file and history_tree.c,
 * nor the thread that made them.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>

#include "history_int.h"
#include "tenantfs/error.h"
#include "tenantfs/history.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_result;

static void init_libgit2(void)
{
	init_result = git_libgit2_init();
	/*
	 * Packs are read through mapped windows, whose touched pages count
	 * as the daemon's resident memory: listing a snapshot of 10^6 files
	 * reads every blob's header, i.e. touches the whole pack (~1 GB).
	 * Small windows under a small limit keep that bounded.
	 */
	if (init_result >= 0) {
		git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, (size_t)8 << 20);
		git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT,
				 (size_t)64 << 20);
		/*
		 * libgit2 checks every object it reads against its id with
		 * SHA-1DC: reading the 3 MB tree of a directory of 55,000
		 * objects for a save spent more time there than inflating it.
		 * Blobs and the trees saves build on are checked here instead
		 * (read_blob(), history_tree.c), with our own SHA-1; zlib's
		 * checksum still guards everything read from disk.
		 */
		git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
		/*
		 * Nor does libgit2 check that the objects a new tree or
		 * commit names exist: every id we give it is one we wrote
		 * (blobs given by id come from a flushed blob writer), and
		 * the check reads each blob's pack entry header through
		 * its maps (a million records: the whole new pack in the
		 * daemon's resident memory).  Set here, once: options are
		 * process-wide, and flipping one around a commit would race
		 * with the other handles' threads.
		 */
		git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 0);
		/*
		 * libgit2 keeps objects it has read in a cache of up to
		 * 256 MB per repository (a writer and up to eight readers
		 * here): every save reads its parent's trees, so a long
		 * mount grew by their size save after save (4.6 KB a save,
		 * 199 MB after 40,000), and a 50 MB blob stayed resident.
		 * The large trees saves rewrite are cached by
		 * history_tree.c; libgit2's cache keeps little, no blobs.
		 * The limit counts all handles together (one counter for
		 * the process).  It is 1 MB, not 8: what a save puts there
		 * (its parent commit and the small trees on its path) is
		 * read once and replaced by the next save's, so a larger
		 * cache only filled up with the history of the mount (8 MB
		 * after ~5,000 saves, the bulk of the daemon's growth;
		 * 2 MB still showed as 4 MB resident after 4,000 saves).
		 */
		git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)1 << 20);
		git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT,
				 GIT_OBJECT_BLOB, (size_t)0);
		/*
		 * GIT_OPT_ENABLE_FSYNC_GITDIR stays off.  In 1.5 it is a
		 * process-wide flag read by the loose backend, the indexer
		 * and the refdb, so it could not honor one handle's
		 * tfs_history_set_fsync(); it would also sync each object
		 * and its directory in turn.  Ours cover the same ground:
		 * loose objects staged and synced together before they are
		 * named (writer_odb(), history_loose.c), packs likewise
		 * (history_pack.c), refs after they move
		 * (sync_ref()).
		 */
	}
}

int hist_errno(void)
{
	return errno == ENOSPC || errno == EDQUOT ? TFS_ENOSPC : TFS_ERROR;
}

/*
 * Record the last libgit2 error for this thread and return TFS_ERROR.
 * Call right after the failing libgit2 call.
 */
static int git_fail(const char *what)
{
	const git_error *e = git_error_last();
	const char *msg = e && e->message ? e->message : "unknown error";

	int code = TFS_ERROR;

	/* A full disk is the caller's ENOSPC, not an I/O error; an object
	 * the repository lacks (what we read was named by a commit or the
	 * database) is damage. */
	if (strstr(msg, strerror(ENOSPC)) || strstr(msg, strerror(EDQUOT)))
		code = TFS_ENOSPC;
	else if (e && e->klass == GIT_ERROR_ODB && strstr(msg, "not found"))
		code = TFS_EDAMAGED;
	return tfs_error_set(code, "git: %s: %s", what, msg);
}

static void lock(tfs_history *h)
{
	pthread_mutex_lock(&h->lock);
}

static void unlock(tfs_history *h)
{
	pthread_mutex_unlock(&h->lock);
}

void hist_lock(tfs_history *h)
{
	lock(h);
}

void hist_unlock(tfs_history *h)
{
	unlock(h);
}

int hist_git_fail(const char *what)
{
	return git_fail(what);
}

/* Parse a 40-digit hex object id; TFS_EINVALID if it is not one. */
int hist_parse_oid(git_oid *out, const char *hex)
{
	size_t i;

	if (!hex)
		return tfs_error_set(TFS_EINVALID, "missing commit id");
	for (i = 0; i < TFS_OID_HEXSZ; i++) {
		char c = hex[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		      (c >= 'A' && c <= 'F')))
			break;
	}
	if (i != TFS_OID_HEXSZ || hex[i] != '\0' ||
	    git_oid_fromstr(out, hex) < 0)
		return tfs_error_set(TFS_EINVALID, "'%.60s' is not a commit id",
				     hex);
	return 0;
}

/*
 * The writer's object database: libgit2's packs and loose objects, and in
 * front of them the staging directory, where everything the writer writes
 * loose goes until hist_stage_settle() names it (a loose backend that
 * fsyncs would sync each object and its directory in a row: see
 * history_loose.c).
 */
static int writer_odb(tfs_history *h)
{
	git_odb_backend *stage = NULL;
	int error;

	if ((error = hist_stage_open(&h->stage, h->objects)) < 0 ||
	    (error = hist_stage_backend(&stage, &h->stage)) < 0)
		return error;
	if (git_repository_odb(&h->odb, h->repo) < 0 ||
	    git_odb_add_backend(h->odb, stage, 1000) < 0) {
		stage->free(stage);
		return git_fail("open object database");
	}
	return 0;
}

int tfs_history_open(tfs_history **out, const char *git_dir, int create)
{
	tfs_history *h = NULL;
	pthread_mutexattr_t attr;
	int error = 0, rc, locks = 0;

	*out = NULL;
	pthread_once(&init_once, init_libgit2);
	if (init_result < 0)
		return tfs_error_set(TFS_ERROR, "git: cannot initialize "
						"libgit2");
	h = calloc(1, sizeof(*h));
	if (!h || !(h->git_dir = strdup(git_dir))) {
		error = tfs_error_set(TFS_ERROR, "out of memory");
		goto done;
	}
	atomic_init(&h->fsync, 1);
	atomic_init(&h->fsyncs, 0);
	if (pthread_mutexattr_init(&attr) != 0) {
		error = tfs_error_set(TFS_ERROR, "cannot create mutex");
		goto done;
	}
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	rc = pthread_mutex_init(&h->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	if (rc != 0) {
		error = tfs_error_set(TFS_ERROR, "cannot create mutex");
		goto done;
	}
	locks = 1;
	if (pthread_mutex_init(&h->pool_lock, NULL) != 0) {
		error = tfs_error_set(TFS_ERROR, "cannot create mutex");
		goto done;
	}
	locks = 2;
	rc = git_repository_open_bare(&h->repo, git_dir);
	if (rc == GIT_ENOTFOUND && create)
		rc = git_repository_init(&h->repo, git_dir, 1);
	if (rc == GIT_ENOTFOUND) {
		error = tfs_error_set(TFS_ENOTFOUND, "no git repository at %s",
				      git_dir);
		goto done;
	}
	if (rc < 0) {
		error = git_fail(git_dir);
		goto done;
	}
	{
		const char *gd = git_repository_path(h->repo);
		size_t len = strlen(gd) + sizeof("/objects");
		if (!(h->objects = malloc(len))) {
			error = tfs_error_set(TFS_ERROR, "out of memory");
			goto done;
		}
		snprintf(h->objects, len, "%s%sobjects", gd,
			 gd[0] && gd[strlen(gd) - 1] == '/' ? "" : "/");
	}
	if ((error = writer_odb(h)) < 0)
		goto done;
	hist_keeps_clean(h->objects);
	*out = h;
	h = NULL;
done:
	if (h) {
		git_odb_free(h->odb);
		git_repository_free(h->repo);
		hist_stage_close(&h->stage);
		if (locks > 0)
			pthread_mutex_destroy(&h->lock);
		if (locks > 1)
			pthread_mutex_destroy(&h->pool_lock);
		free(h->objects);
		free(h->git_dir);
		free(h);
	}
	return error;
}

static void reader_free(struct hist_reader *r);

/* ---- git maintenance while mounted -----------------------------------------
 *
 * git gc, repack and prune (with any expiry, --prune=now included) remove
 * objects that no ref reaches.  A commit's objects are written before the
 * database transaction that names the commit, and the branch moves only
 * after it (history.h), so for a while nothing in git names them:
 *
 *   - packs get a .keep file before they are named (hist_keep_make), which
 *     repack and gc honour; it goes once the branch has moved: a repack
 *     that began before that leaves the pack alone, one that begins after
 *     sees the branch;
 *   - loose objects are linked into objects/ and their staged links kept
 *     (hist_stage_settle): when the branch moves, whatever git removed is
 *     linked again, before and after the move.  A prune that read the
 *     refs just before the move may still delete afterwards, so the
 *     staged links stay for PENDING_HOLD seconds after it, and while a
 *     `git gc` runs (its gc.pid exists), checked by each later move of
 *     the branch and every PENDING_TICK seconds by a thread of their own
 *     (keeper), and once more when dropped.  A commit that finds an
 *     object of its parent missing restores them all first
 *     (hist_pending_restore_all).
 *
 * What is left is a prune that runs longer than that; then the next
 * commit finds its parent damaged and the instance's history is repaired
 * from its database (engine/heal.c).
 */

/* How long the staged links of a named commit stay (see above), and how
 * many of a branch's last commits each move checks again. */
#define PENDING_HOLD    60
#define PENDING_RECHECK 16
#define PENDING_TICK    2

static int64_t now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Whether a `git gc` is running on the repository (it holds gc.pid). */
static bool gc_running(tfs_history *h)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/gc.pid", h->git_dir);
	return access(path, F_OK) == 0;
}

/* Forget `p`: its objects are named (checked once more) or garbage. */
static void pending_release(tfs_history *h, struct hist_pending *p)
{
	struct hist_pending **at;

	for (at = &h->pending; *at && *at != p; at = &(*at)->next)
		;
	if (*at)
		*at = p->next;
	if (p->branch)
		hist_stage_restore(&h->stage, h->objects, p->loose, p->nloose);
	hist_stage_forget(&h->stage, p->loose, p->nloose);
	hist_keeps_drop(p->keeps, p->nkeeps);
	free(p->loose);
	free(p->branch);
	free(p);
}

/* What commit `id` wrote that no branch names yet, or NULL. */
static struct hist_pending *pending_of(tfs_history *h, const git_oid *id)
{
	struct hist_pending *p;

	for (p = h->pending; p; p = p->next)
		if (git_oid_equal(&p->commit, id))
			return p;
	return NULL;
}

static void *keeper_run(void *arg);

/* `branch` now names p's commit: its packs' keeps go, its loose objects
 * are checked again, and commits named long enough ago are released. */
static void pending_named(tfs_history *h, struct hist_pending *p,
			  const char *branch)
{
	struct hist_pending *q, *next;
	int64_t now = now_seconds();
	bool hold = gc_running(h);
	int recent = 0;

	hist_stage_restore(&h->stage, h->objects, p->loose, p->nloose);
	hist_keeps_drop(p->keeps, p->nkeeps);
	p->keeps = NULL;
	p->nkeeps = 0;
	/* The branch's last commits: a prune may be deleting them now. */
	for (q = h->pending; q && recent < PENDING_RECHECK; q = q->next) {
		if (q != p && q->branch && strcmp(q->branch, branch) == 0) {
			hist_stage_restore(&h->stage, h->objects, q->loose,
					   q->nloose);
			recent++;
		}
	}
	for (q = h->pending; q && !hold; q = next) {
		next = q->next;
		if (q != p && q->branch && now - q->named_at >= PENDING_HOLD)
			pending_release(h, q);
	}
	free(p->branch);
	p->branch = strdup(branch); /* NULL: released at the next free */
	p->named_at = now;
	/* A daemon forks after opening the store (which may commit: a
	 * repair), and threads do not survive a fork: started again in the
	 * process that commits. */
	if (h->keeper_on && h->keeper_pid != getpid())
		h->keeper_on = false;
	if (!h->keeper_on && pthread_cond_init(&h->keeper_cond, NULL) == 0) {
		h->keeper_stop = false;
		if (pthread_create(&h->keeper, NULL, keeper_run, h) == 0) {
			h->keeper_on = true;
			h->keeper_pid = getpid();
		} else {
			pthread_cond_destroy(&h->keeper_cond);
		}
	}
}

static void *keeper_run(void *arg)
{
	tfs_history *h = arg;
	struct hist_pending *p, *next;
	struct timespec until;
	bool hold;
	int checked;

	lock(h);
	while (!h->keeper_stop) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += PENDING_TICK;
		pthread_cond_timedwait(&h->keeper_cond, &h->lock, &until);
		if (h->keeper_stop || !h->pending)
			continue;
		hold = gc_running(h);
		checked = 0;
		for (p = h->pending; p; p = next) {
			next = p->next;
			if (!p->branch)
				continue;
			/* The newest ones; the rest when released. */
			if (checked++ < PENDING_RECHECK * 4)
				hist_stage_restore(&h->stage, h->objects,
						   p->loose, p->nloose);
			if (!hold &&
			    now_seconds() - p->named_at >= PENDING_HOLD)
				pending_release(h, p);
		}
	}
	unlock(h);
	return NULL;
}

int hist_pending_restore_all(tfs_history *h)
{
	struct hist_pending *p;
	int n = 0, made;

	for (p = h->pending; p; p = p->next) {
		if ((made = hist_stage_restore(&h->stage, h->objects, p->loose,
					       p->nloose)) < 0)
			return made;
		n += made;
	}
	return n;
}

void tfs_history_free(tfs_history *h)
{
	unsigned int i;

	if (!h)
		return;
	if (h->keeper_on && h->keeper_pid == getpid()) {
		lock(h);
		h->keeper_stop = true;
		pthread_cond_signal(&h->keeper_cond);
		unlock(h);
		pthread_join(h->keeper, NULL);
		pthread_cond_destroy(&h->keeper_cond);
	}
	for (i = 0; i < h->nreaders; i++)
		reader_free(h->readers[i]);
	while (h->pending)
		pending_release(h, h->pending);
	git_odb_free(h->odb);
	git_repository_free(h->repo);
	hist_stage_close(&h->stage);
	pthread_mutex_destroy(&h->lock);
	pthread_mutex_destroy(&h->pool_lock);
	history_tree_cache_free(&h->trees);
	free(h->objects);
	free(h->git_dir);
	free(h);
}

int tfs_history_set_fsync(tfs_history *h, int on)
{
	/* Under the writer lock: a commit syncs all of it or nothing. */
	lock(h);
	atomic_store(&h->fsync, on != 0);
	unlock(h);
	return 0;
}

unsigned long tfs_history_fsyncs(tfs_history *h)
{
	return atomic_load(&h->fsyncs);
}

/* ---- readers ------------------------------------------------------------ */

/* How many readers (of any handle) this thread holds: a thread that holds
 * one (a callback reading again) never waits for another, so no two
 * threads can wait for each other's. */
static _Thread_local unsigned int nheld;

static void reader_free(struct hist_reader *r)
{
	unsigned int i;

	if (!r)
		return;
	for (i = 0; i < 2; i++) {
		git_tree_free(r->dirs[i].tree);
		free(r->dirs[i].path);
	}
	git_odb_free(r->odb);
	git_repository_free(r->repo);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

/* A new reader on h's repository, locked by the caller's thread. */
static int reader_new(struct hist_reader **out, tfs_history *h)
{
	struct hist_reader *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (!r)
		return tfs_error_set(TFS_ERROR, "out of memory");
	if (pthread_mutex_init(&r->lock, NULL) != 0) {
		free(r);
		return tfs_error_set(TFS_ERROR, "cannot create mutex");
	}
	pthread_mutex_lock(&r->lock);
	if (git_repository_open_bare(&r->repo, h->git_dir) < 0 ||
	    git_repository_odb(&r->odb, r->repo) < 0) {
		int error = git_fail(h->git_dir);

		pthread_mutex_unlock(&r->lock);
		reader_free(r);
		return error;
	}
	*out = r;
	return 0;
}

/*
 * A reader of h for this thread, locked: a free one of the pool, else a
 * new one (kept in the pool while it has room), else, the pool full and
 * busy, one of it waited for, or a temporary one when this thread holds a
 * reader already.  Never waits for the writer lock.  Give it back with
 * hist_reader_put().
 */
int hist_reader_get(struct hist_reader **out, tfs_history *h)
{
	static _Atomic unsigned int turn;
	struct hist_reader *r = NULL;
	unsigned int i, n;
	int error;

	pthread_mutex_lock(&h->pool_lock);
	n = h->nreaders;
	pthread_mutex_unlock(&h->pool_lock);
	/* readers[0..n) never change once counted */
	for (i = 0; i < n && !r; i++)
		if (pthread_mutex_trylock(&h->readers[i]->lock) == 0)
			r = h->readers[i];
	if (!r && n < HIST_READERS) {
		if ((error = reader_new(&r, h)) < 0)
			return error;
		pthread_mutex_lock(&h->pool_lock);
		if (h->nreaders < HIST_READERS)
			h->readers[h->nreaders++] = r;
		else
			r->temp = true;
		pthread_mutex_unlock(&h->pool_lock);
	}
	if (!r && nheld == 0 && n > 0) {
		r = h->readers[atomic_fetch_add(&turn, 1) % n];
		pthread_mutex_lock(&r->lock);
	}
	if (!r) {
		if ((error = reader_new(&r, h)) < 0)
			return error;
		r->temp = true;
	}
	nheld++;
	*out = r;
	return 0;
}

void hist_reader_put(struct hist_reader *r)
{
	nheld--;
	pthread_mutex_unlock(&r->lock);
	if (r->temp)
		reader_free(r);
}

/* ---- refs --------------------------------------------------------------- */

/* "refs/heads/<branch>" into `out`, or TFS_EINVALID if git refuses it. */
static int branch_ref(char *out, size_t size, const char *branch)
{
	int n, valid = 0;

	if (!branch || !*branch)
		return tfs_error_set(TFS_EINVALID, "empty branch name");
	n = snprintf(out, size, "refs/heads/%s", branch);
	if (n < 0 || (size_t)n >= size)
		return tfs_error_set(TFS_EINVALID, "branch name too long");
	if (git_reference_name_is_valid(&valid, out) < 0)
		return git_fail("check branch name");
	if (!valid)
		return tfs_error_set(TFS_EINVALID, "invalid branch name '%s'",
				     branch);
	return 0;
}

/*
 * Make the ref file `name` (moved just now) durable: the file, its
 * directory, and when the file is new (`existed` false) the directories
 * up to refs/, which libgit2 may have just created; all at once.
 */
static int sync_ref(tfs_history *h, const char *name, bool existed)
{
	char path[4200];
	char *slash;
	int fds[8], error = 0;
	size_t n = 0;

	if (!atomic_load(&h->fsync))
		return 0;
	snprintf(path, sizeof(path), "%s/%s", h->git_dir, name);
	do {
		if ((fds[n] = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
			error = tfs_error_set(hist_errno(), "git: open %s: %s",
					      path, strerror(errno));
			break;
		}
		n++;
		if (n > 1 &&
		    (existed ||
		     strlen(path) <= strlen(h->git_dir) + sizeof("/refs") - 1))
			break;
	} while (n < 8 && (slash = strrchr(path, '/')) != NULL &&
		 (*slash = '\0', 1));
	if (error == 0)
		error = hist_fsync_fds(h, fds, n);
	while (n > 0)
		close(fds[--n]);
	return error;
}

int tfs_history_set_ref(tfs_history *h, const char *branch, const char *oid)
{
	struct hist_pending *p = NULL;
	char name[1024], path[4200];
	git_reference *ref = NULL;
	git_object_t type;
	struct stat sb;
	git_oid id;
	size_t len;
	bool existed;
	int error, rc;

	lock(h);
	if ((error = branch_ref(name, sizeof(name), branch)) < 0 ||
	    (error = hist_parse_oid(&id, oid)) < 0)
		goto done;
	if ((p = pending_of(h, &id)) != NULL &&
	    hist_stage_restore(&h->stage, h->objects, p->loose, p->nloose) <
		    0) {
		error = TFS_ERROR;
		goto done;
	}
	/* Through the writer's database: the writer lock is never held
	 * while waiting for a reader (history.h). */
	rc = git_odb_read_header(&len, &type, h->odb, &id);
	if (rc < 0 && rc != GIT_ENOTFOUND) {
		error = git_fail("read object");
		goto done;
	}
	if (rc == GIT_ENOTFOUND || type != GIT_OBJECT_COMMIT) {
		error = tfs_error_set(TFS_ENOTFOUND, "no commit %s", oid);
		goto done;
	}
	snprintf(path, sizeof(path), "%s/%s", h->git_dir, name);
	existed = stat(path, &sb) == 0;
	if (git_reference_create(&ref, h->repo, name, &id, 1,
				 "tenantfs: commit") < 0)
		error = git_fail(name);
	else
		error = sync_ref(h, name, existed);
	if (error == 0 && p)
		pending_named(h, p, branch);
done:
	git_reference_free(ref);
	unlock(h);
	return error;
}

int tfs_history_keep_ref(tfs_history *h, const char *branch, const char *to)
{
	char name[1024];
	git_reference *ref = NULL, *moved = NULL;
	int error, rc;

	lock(h);
	if ((error = branch_ref(name, sizeof(name), branch)) < 0)
		goto done;
	if (strncmp(to, "refs/", 5) != 0 || strstr(to, "..") ||
	    git_reference_name_is_valid(&rc, to) < 0 || !rc) {
		error = tfs_error_set(TFS_EINVALID, "invalid ref %s", to);
		goto done;
	}
	rc = git_reference_lookup(&ref, h->repo, name);
	if (rc == GIT_ENOTFOUND)
		goto done; /* never committed to */
	if (rc < 0 ||
	    git_reference_rename(&moved, ref, to, 0, "tenantfs: kept") < 0)
		error = git_fail(name);
	else
		error = sync_ref(h, to, false);
done:
	git_reference_free(moved);
	git_reference_free(ref);
	unlock(h);
	return error;
}

int tfs_history_get_ref(char out[TFS_OID_HEXSZ + 1], tfs_history *h,
			const char *branch)
{
	struct hist_reader *r;
	char name[1024];
	git_reference *ref = NULL;
	git_object *obj = NULL;
	int error, rc;

	if ((error = hist_reader_get(&r, h)) < 0)
		return error;
	if ((error = branch_ref(name, sizeof(name), branch)) < 0)
		goto done;
	rc = git_reference_lookup(&ref, r->repo, name);
	if (rc == GIT_ENOTFOUND) {
		error = tfs_error_set(TFS_ENOTFOUND, "no branch %s", branch);
		goto done;
	}
	if (rc < 0 || git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) < 0) {
		error = git_fail(name);
		goto done;
	}
	git_oid_tostr(out, TFS_OID_HEXSZ + 1, git_object_id(obj));
done:
	git_object_free(obj);
	git_reference_free(ref);
	hist_reader_put(r);
	return error;
}

int tfs_history_has_commit(tfs_history *h, const char *oid)
{
	struct hist_reader *r;
	git_object_t type;
	git_oid id;
	size_t len;
	int error, rc;

	if ((error = hist_reader_get(&r, h)) < 0)
		return error;
	if ((error = hist_parse_oid(&id, oid)) < 0)
		goto done;
	rc = git_odb_read_header(&len, &type, r->odb, &id);
	if (rc == GIT_ENOTFOUND)
		error = 0;
	else if (rc < 0)
		error = git_fail("read object");
	else
		error = type == GIT_OBJECT_COMMIT;
done:
	hist_reader_put(r);
	return error;
}

struct whole_walk {
	git_odb *odb;
	int missing;
};

static int whole_cb(const char *root, const git_tree_entry *e, void *ctx)
{
	struct whole_walk *w = ctx;

	(void)root;
	if (git_tree_entry_type(e) == GIT_OBJECT_BLOB &&
	    !git_odb_exists(w->odb, git_tree_entry_id(e))) {
		w->missing = 1;
		return -1;
	}
	return 0;
}

int tfs_history_commit_whole(tfs_history *h, const char *oid, int deep)
{
	struct whole_walk w = { 0 };
	struct hist_reader *r;
	git_commit *c = NULL;
	git_tree *t = NULL;
	git_oid id;
	int error, rc;

	if ((error = hist_reader_get(&r, h)) < 0)
		return error;
	if ((error = hist_parse_oid(&id, oid)) < 0)
		goto done;
	rc = git_commit_lookup(&c, r->repo, &id);
	if (rc == 0)
		rc = git_commit_tree(&t, c);
	if (rc == GIT_ENOTFOUND) {
		error = 0;
		goto done;
	}
	if (rc < 0) {
		error = git_fail("read commit");
		goto done;
	}
	w.odb = r->odb;
	/* A subtree that is missing fails the walk with GIT_ENOTFOUND. */
	rc = deep ? git_tree_walk(t, GIT_TREEWALK_PRE, whole_cb, &w) : 0;
	if (rc < 0 && !w.missing && rc != GIT_ENOTFOUND)
		error = git_fail("walk tree");
	else
		error = rc == 0;
done:
	git_tree_free(t);
	git_commit_free(c);
	hist_reader_put(r);
	return error;
}
