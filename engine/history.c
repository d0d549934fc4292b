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

/* Longest path accepted in a change; far beyond what instances use. */
#define PATH_MAX_LEN 4096

/* Commits writing at least this many new blobs go through a pack. */
#define PACK_MIN 1024


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
		 */
		git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)8 << 20);
		git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_BLOB,
				 (size_t)0);
		/*
		 * GIT_OPT_ENABLE_FSYNC_GITDIR stays off.  In 1.5 it is a
		 * process-wide flag read by the loose backend, the indexer
		 * and the refdb, so it could not honor one handle's
		 * tfs_history_set_fsync(); it would also sync each object
		 * and its directory in turn.  Ours cover the same ground:
		 * loose objects staged and synced together before they are
		 * named (writer_odb(), history_loose.c), packs likewise
		 * (history_blobs.c, store_pack()), refs after they move
		 * (sync_ref()).
		 */
	}
}

/*
 * Record the last libgit2 error for this thread and return TFS_ERROR.
 * Call right after the failing libgit2 call.
 */
static int git_fail(const char *what)
{
	const git_error *e = git_error_last();
	const char *msg = e && e->message ? e->message : "unknown error";

	/* A full disk is the caller's ENOSPC, not an I/O error. */
	return tfs_error_set(strstr(msg, strerror(ENOSPC)) ? TFS_ENOSPC :
			     TFS_ERROR, "git: %s: %s", what, msg);
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
static int parse_oid(git_oid *out, const char *hex)
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
		return tfs_error_set(TFS_EINVALID,
				     "'%.60s' is not a commit id", hex);
	return 0;
}

/*
 * Check that `path` can be stored: relative, components neither empty nor
 * ".", ".." or ".git" (in any case; git refuses those on checkout and
 * fsck flags them).  Returns 0 or TFS_EINVALID.
 */
static int check_path(const char *path)
{
	const char *p = path, *slash;
	size_t len;

	if (!path || !*path)
		return tfs_error_set(TFS_EINVALID, "empty path");
	if (strlen(path) > PATH_MAX_LEN)
		return tfs_error_set(TFS_EINVALID, "path too long");
	for (;;) {
		slash = strchr(p, '/');
		len = slash ? (size_t)(slash - p) : strlen(p);
		if (len == 0 || (len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.') ||
		    (len == 4 && strncasecmp(p, ".git", 4) == 0))
			return tfs_error_set(TFS_EINVALID,
					     "invalid path '%s'", path);
		if (!slash)
			return 0;
		p = slash + 1;
	}
}

/* Whether `path` lies below directory `dir`, i.e. begins with "dir/". */
static int is_below(const char *path, const char *dir)
{
	size_t len = strlen(dir);

	return strncmp(path, dir, len) == 0 && path[len] == '/';
}

/*
 * Order paths byte-wise but with '/' before every other byte, so that a
 * path is immediately followed by the paths below it ("a", "a/b", "a.x").
 */
static int cmp_dir_order(const void *a, const void *b)
{
	const unsigned char *p =
		(const unsigned char *)((const struct change *)a)->path;
	const unsigned char *q =
		(const unsigned char *)((const struct change *)b)->path;
	unsigned int cp, cq;

	while (*p && *p == *q) {
		p++;
		q++;
	}
	cp = *p == '/' ? 1 : *p ? *p + 1u : 0;
	cq = *q == '/' ? 1 : *q ? *q + 1u : 0;
	return (cp > cq) - (cp < cq);
}

/* Plain strcmp order: what git_tree_create_updated sorts by. */
static int cmp_update(const void *a, const void *b)
{
	return strcmp(((const git_tree_update *)a)->path,
		      ((const git_tree_update *)b)->path);
}

/*
 * Check the change list and sort it in place with cmp_dir_order.  Rejects
 * bad paths, a path given twice and a file added below a file added in the
 * same commit (TFS_EINVALID).  Sets *mixed when some path is both a file
 * and a directory prefix in the list (a file replaced by a directory or
 * back), which needs removals applied first.
 */
static int sort_changes(int *mixed, struct change *c, size_t n)
{
	size_t i, j;
	int error;

	*mixed = 0;
	if (n && !c)
		return tfs_error_set(TFS_EINVALID, "missing change list");
	for (i = 0; i < n; i++)
		if ((error = check_path(c[i].path)) < 0)
			return error;
	qsort(c, n, sizeof(*c), cmp_dir_order);
	for (i = 0; i + 1 < n; i++) {
		if (strcmp(c[i].path, c[i + 1].path) == 0)
			return tfs_error_set(TFS_EINVALID, "path '%s' changed "
					     "twice", c[i].path);
		if (!is_below(c[i + 1].path, c[i].path))
			continue;
		*mixed = 1;
		if (!c[i].put)
			continue;
		for (j = i + 1; j < n && is_below(c[j].path, c[i].path); j++)
			if (c[j].put)
				return tfs_error_set(TFS_EINVALID, "'%s' cannot"
						     " be both a file and a "
						     "directory", c[i].path);
	}
	return 0;
}

enum { DELETES = 1, UPSERTS = 2 };

/*
 * Apply the deletions and/or upserts (`which`) of c[0..n) to `base` with
 * git_tree_create_updated and write the new root tree into *out.
 * Deletions of paths absent from `base` are dropped beforehand, because
 * libgit2 fails on them; deleting a directory is TFS_EINVALID, and so is
 * a file where `base` has a directory or the other way round.
 */
static int apply_updates(git_oid *out, git_repository *repo, git_tree *base,
			 const struct change *c, size_t n, int which)
{
	git_tree_update *u = NULL;
	git_tree_entry *e = NULL;
	const git_error *ge;
	size_t i, k = 0;
	int error = 0, rc;

	u = calloc(n ? n : 1, sizeof(*u));
	if (!u)
		return tfs_error_set(TFS_ERROR, "out of memory");
	for (i = 0; i < n; i++) {
		if (c[i].put && (which & UPSERTS)) {
			u[k].action = GIT_TREE_UPDATE_UPSERT;
			u[k].id = c[i].id;
			u[k].filemode = GIT_FILEMODE_BLOB;
			u[k++].path = c[i].path;
			continue;
		}
		if (c[i].put || !(which & DELETES))
			continue;
		rc = git_tree_entry_bypath(&e, base, c[i].path);
		if (rc == GIT_ENOTFOUND)
			continue;
		if (rc < 0) {
			error = git_fail("look up path");
			goto done;
		}
		if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
			error = tfs_error_set(TFS_EINVALID,
					      "cannot delete '%s': it is a "
					      "directory", c[i].path);
			goto done;
		}
		git_tree_entry_free(e);
		e = NULL;
		u[k].action = GIT_TREE_UPDATE_REMOVE;
		u[k++].path = c[i].path;
	}
	/*
	 * libgit2 inserts the updates one at a time into a sorted vector;
	 * given its own order, each insertion appends instead of moving
	 * the tail, which matters for large batches.
	 */
	qsort(u, k, sizeof(*u), cmp_update);
	if (git_tree_create_updated(out, repo, base, k, u) < 0) {
		ge = git_error_last();
		/* Its tree-class errors are D/F conflicts with `base`. */
		if (ge && ge->klass == GIT_ERROR_TREE)
			error = tfs_error_set(TFS_EINVALID, "git: %s",
					      ge->message);
		else
			error = git_fail("update tree");
	}
done:
	git_tree_entry_free(e);
	free(u);
	return error;
}

/*
 * The new root tree: `base` with the changes applied.  git_tree_create_
 * updated cannot turn a file into a directory or back in one pass, so when
 * the list does that (`mixed`), deletions are applied first; the
 * intermediate tree is left as an unreferenced object.
 */
static int tree_from_parent(git_oid *out, git_repository *repo,
			    git_tree *base, const struct change *c, size_t n,
			    int mixed)
{
	git_tree *mid = NULL;
	git_oid mid_id;
	int error;

	if (!mixed)
		return apply_updates(out, repo, base, c, n, DELETES | UPSERTS);
	if ((error = apply_updates(&mid_id, repo, base, c, n, DELETES)) < 0)
		goto done;
	if (git_tree_lookup(&mid, repo, &mid_id) < 0) {
		error = git_fail("look up tree");
		goto done;
	}
	error = apply_updates(out, repo, mid, c, n, UPSERTS);
done:
	git_tree_free(mid);
	return error;
}

/*
 * Where a commit's new objects go.  Small commits write loose objects into
 * the main repository.  Large ones use a second handle on the same
 * repository whose object database has an in-memory backend in front:
 * reads still find everything on disk, new objects land in memory, and
 * sink_flush() stores exactly those as one pack and index, every
 * FLUSH_BYTES of blobs and at the end, so memory stays bounded on huge
 * imports.  A crash in between leaves only unreferenced objects, as with
 * loose ones.
 *
 * The ids to pack are noted as objects are written: git_mempack_dump()
 * would pack only what the commits in memory reach, i.e. nothing before
 * the commit exists and the whole tree, old files included, after.
 */
struct sink {
	git_repository *repo;      /* write here: the main or scratch repo */
	git_repository *scratch;
	git_odb *odb;              /* scratch's */
	git_odb_backend *mem;      /* the mempack, owned by the recorder */
	git_oid *ids;              /* objects in mem, to pack */
	size_t nids, aids;
	size_t pending;            /* blob bytes in mem */
	tfs_history *h;
	struct hist_dirs dirs;     /* directories of new names, to sync */
};

/* Raw blob bytes held in memory before they are flushed to a pack. */
#define FLUSH_BYTES ((size_t)256 << 20)

/* Remember that object `id` is in the mempack and must be packed. */
static int note(struct sink *s, const git_oid *id)
{
	size_t want;
	git_oid *ids;

	if (s->nids == s->aids) {
		want = s->aids ? s->aids * 2 : 1024;
		ids = realloc(s->ids, want * sizeof(*ids));
		if (!ids)
			return tfs_error_set(TFS_ERROR, "out of memory");
		s->ids = ids;
		s->aids = want;
	}
	s->ids[s->nids++] = *id;
	return 0;
}

/* The backend in front of the mempack: notes what libgit2 writes. */
struct recorder {
	git_odb_backend parent;
	git_odb_backend *mem;
	struct sink *sink;
};

static int rec_read(void **data, size_t *len, git_object_t *type,
		    git_odb_backend *b, const git_oid *id)
{
	git_odb_backend *mem = ((struct recorder *)b)->mem;

	return mem->read(data, len, type, mem, id);
}

static int rec_read_header(size_t *len, git_object_t *type,
			   git_odb_backend *b, const git_oid *id)
{
	git_odb_backend *mem = ((struct recorder *)b)->mem;

	return mem->read_header(len, type, mem, id);
}

static int rec_exists(git_odb_backend *b, const git_oid *id)
{
	git_odb_backend *mem = ((struct recorder *)b)->mem;

	return mem->exists(mem, id);
}

static int rec_write(git_odb_backend *b, const git_oid *id, const void *data,
		     size_t len, git_object_t type)
{
	struct recorder *r = (struct recorder *)b;

	if (r->mem->exists(r->mem, id))
		return 0;
	if (r->mem->write(r->mem, id, data, len, type) < 0)
		return -1;
	if (note(r->sink, id) < 0) {
		git_error_set_str(GIT_ERROR_NOMEMORY, "out of memory");
		return -1;
	}
	return 0;
}

static void rec_free(git_odb_backend *b)
{
	struct recorder *r = (struct recorder *)b;

	r->mem->free(r->mem);
	free(r);
}

static int sink_open(struct sink *s, tfs_history *h, int big)
{
	struct recorder *r = NULL;
	int error = 0;

	memset(s, 0, sizeof(*s));
	s->repo = h->repo;
	s->h = h;
	if (!big)
		return 0;
	r = calloc(1, sizeof(*r));
	if (!r)
		return tfs_error_set(TFS_ERROR, "out of memory");
	if (git_odb_init_backend(&r->parent, GIT_ODB_BACKEND_VERSION) < 0 ||
	    git_mempack_new(&r->mem) < 0 ||
	    git_repository_open_bare(&s->scratch, h->git_dir) < 0 ||
	    git_repository_odb(&s->odb, s->scratch) < 0) {
		error = git_fail("open pack writer");
		goto done;
	}
	r->parent.read = rec_read;
	r->parent.read_header = rec_read_header;
	r->parent.exists = rec_exists;
	r->parent.write = rec_write;
	r->parent.free = rec_free;
	r->sink = s;
	/* Highest priority: git_odb_write uses the first writable one. */
	if (git_odb_add_backend(s->odb, &r->parent, 1000) < 0) {
		error = git_fail("open pack writer");
		goto done;
	}
	s->mem = r->mem;
	s->repo = s->scratch;
	r = NULL;
done:
	if (r) {
		if (r->mem)
			r->mem->free(r->mem);
		free(r);
	}
	return error;
}

/*
 * Index the pack pack[0..len) with libgit2's indexer in a directory of its
 * own below objects/pack, make both files durable, then move them into
 * objects/pack, the pack before its index (libgit2 finds a pack by its
 * index).  The indexer cannot be asked to fsync but through the global
 * GIT_OPT_ENABLE_FSYNC_GITDIR (see init_libgit2), and where it writes
 * straight into objects/pack it names the files before they are durable.
 */
static int store_pack(struct sink *s, const void *pack, size_t len)
{
	git_indexer_options opts = GIT_INDEXER_OPTIONS_INIT;
	git_indexer_progress stats = { 0 };
	git_indexer *idx = NULL;
	char tmp[4200], from[4300], to[4300];
	const char *ext[2] = { "pack", "idx" };
	int fds[2] = { -1, -1 }, error = 0, i, made = 0;

	snprintf(tmp, sizeof(tmp), "%s/pack/tmp_tfs_XXXXXX", s->h->objects);
	if (!mkdtemp(tmp))
		return tfs_error_set(TFS_ERROR, "git: mkdtemp %s: %s", tmp,
				     strerror(errno));
	if (git_indexer_new(&idx, tmp, 0, NULL, &opts) < 0 ||
	    git_indexer_append(idx, pack, len, &stats) < 0 ||
	    git_indexer_commit(idx, &stats) < 0) {
		error = git_fail("write pack");
		goto done;
	}
	for (i = 0; i < 2; i++) {
		snprintf(from, sizeof(from), "%s/pack-%s.%s", tmp,
			 git_indexer_name(idx), ext[i]);
		if ((fds[i] = open(from, O_RDONLY | O_CLOEXEC)) < 0) {
			error = tfs_error_set(TFS_ERROR, "git: open %s: %s",
					      from, strerror(errno));
			goto done;
		}
	}
	if ((error = hist_sync_fds(s->h, fds, 2)) < 0)
		goto done;
	for (i = 0; i < 2; i++, made++) {
		snprintf(from, sizeof(from), "%s/pack-%s.%s", tmp,
			 git_indexer_name(idx), ext[i]);
		snprintf(to, sizeof(to), "%s/pack/pack-%s.%s", s->h->objects,
			 git_indexer_name(idx), ext[i]);
		if (rename(from, to) < 0) {
			error = tfs_error_set(TFS_ERROR, "git: rename %s: %s",
					      from, strerror(errno));
			goto done;
		}
	}
	snprintf(to, sizeof(to), "%s/pack", s->h->objects);
	error = hist_dirs_note(&s->dirs, s->h, to);
done:
	for (i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	/* What is left of a failed attempt; the directory itself. */
	for (i = made; idx && i < 2; i++) {
		snprintf(from, sizeof(from), "%s/pack-%s.%s", tmp,
			 git_indexer_name(idx), ext[i]);
		unlink(from);
	}
	git_indexer_free(idx);
	if (rmdir(tmp) < 0 && error == 0)
		error = tfs_error_set(TFS_ERROR, "git: rmdir %s: %s", tmp,
				      strerror(errno));
	return error;
}

/*
 * Pack the objects noted since the last flush into objects/pack (durable:
 * store_pack), empty the mempack and make the scratch handle see the new
 * pack.
 */
static int sink_flush(struct sink *s)
{
	git_packbuilder *pb = NULL;
	git_buf pack = { 0 };
	size_t i;
	int error = 0;

	if (s->nids == 0)
		return 0;
	if (git_packbuilder_new(&pb, s->scratch) < 0) {
		error = git_fail("pack");
		goto done;
	}
	git_packbuilder_set_threads(pb, 0);
	for (i = 0; i < s->nids; i++) {
		if (git_packbuilder_insert(pb, &s->ids[i], NULL) < 0) {
			error = git_fail("pack");
			goto done;
		}
	}
	/*
	 * Through a buffer and the indexer rather than
	 * git_packbuilder_write(), which is 2-3 times slower in 1.5.
	 */
	if (git_packbuilder_write_buf(&pack, pb) < 0) {
		error = git_fail("pack");
		goto done;
	}
	if ((error = store_pack(s, pack.ptr, pack.size)) < 0)
		goto done;
	s->nids = 0;
	s->pending = 0;
	if (git_mempack_reset(s->mem) < 0 || git_odb_refresh(s->odb) < 0)
		error = git_fail("refresh");
done:
	git_buf_dispose(&pack);
	git_packbuilder_free(pb);
	return error;
}

/*
 * Write one blob.  For big commits this bypasses
 * git_odb_write(), whose freshen step rescans objects/pack for every new
 * object (most of the cost of an import): hash, skip it if present,
 * put it in the mempack.
 */
static int sink_blob(git_oid *id, struct sink *s, const char *bytes,
		     size_t len)
{
	int error;

	if (!s->mem) {
		if (git_blob_create_from_buffer(id, s->repo, bytes, len) < 0)
			return git_fail("write blob");
		return 0;
	}
	if ((error = hist_object_id(id->id, "blob", bytes, len)) < 0)
		return error;
	if (git_odb_exists_ext(s->odb, id, GIT_ODB_LOOKUP_NO_REFRESH) == 1)
		return 0;
	if (s->mem->write(s->mem, id, bytes, len, GIT_OBJECT_BLOB) < 0)
		return git_fail("write blob");
	if ((error = note(s, id)) < 0)
		return error;
	s->pending += len;
	if (s->pending >= FLUSH_BYTES)
		return sink_flush(s);
	return 0;
}

/* Store what is still in memory; then the main handle sees it all. */
static int sink_finish(struct sink *s, tfs_history *h)
{
	int error;

	if (!s->mem)
		return 0;
	if ((error = sink_flush(s)) < 0)
		return error;
	if (git_odb_refresh(h->odb) < 0)
		return git_fail("refresh");
	return 0;
}

static void sink_close(struct sink *s)
{
	hist_dirs_clear(&s->dirs);
	git_odb_free(s->odb);
	git_repository_free(s->scratch);
	free(s->ids);
}

/*
 * Build the tree of the upserts c[lo..hi), all below the directory whose
 * path is the first `off` bytes of their paths, and write it into *out.
 * c is in cmp_dir_order, so each subdirectory's files are contiguous.
 * Each blob is written just before it is inserted: libgit2 checks that
 * the object exists, which is cheap while it is still in memory and not
 * yet in a pack (about 10 s per million files otherwise).  Recursion depth
 * is the directory depth, bounded by PATH_MAX_LEN / 2.
 */
static int build_tree(git_oid *out, struct sink *s, struct change *c,
		      size_t lo, size_t hi, size_t off)
{
	git_treebuilder *bld = NULL;
	char *name = NULL;
	git_oid sub;
	size_t i = lo, j, len;
	const char *rest, *slash;
	int error = 0;

	if (git_treebuilder_new(&bld, s->repo, NULL) < 0) {
		error = git_fail("tree builder");
		goto done;
	}
	while (i < hi) {
		rest = c[i].path + off;
		slash = strchr(rest, '/');
		if (!slash) {
			if (!c[i].have_id &&
			    (error = sink_blob(&c[i].id, s, c[i].bytes,
					       c[i].len)) < 0)
				goto done;
			if (git_treebuilder_insert(NULL, bld, rest, &c[i].id,
						   GIT_FILEMODE_BLOB) < 0) {
				error = git_fail("insert file");
				goto done;
			}
			i++;
			continue;
		}
		len = (size_t)(slash - rest);
		for (j = i + 1; j < hi; j++) {
			if (strncmp(c[j].path + off, rest, len + 1) != 0)
				break;
		}
		if ((error = build_tree(&sub, s, c, i, j, off + len + 1)) < 0)
			goto done;
		name = strndup(rest, len);
		if (!name) {
			error = tfs_error_set(TFS_ERROR, "out of memory");
			goto done;
		}
		if (git_treebuilder_insert(NULL, bld, name, &sub,
					   GIT_FILEMODE_TREE) < 0) {
			error = git_fail("insert directory");
			goto done;
		}
		free(name);
		name = NULL;
		i = j;
	}
	if (git_treebuilder_write(out, bld) < 0)
		error = git_fail("write tree");
done:
	free(name);
	git_treebuilder_free(bld);
	return error;
}

/*
 * The new root tree from `base` (the parent's root) and the changes c[0..n)
 * (not mixed) through history_tree.c.  Large trees of small commits are
 * stored loose without compression; big commits write everything into
 * their pack.
 */
static int splice_trees(git_oid *out, tfs_history *h, struct sink *s,
			const git_oid *base, const struct change *c, size_t n)
{
	struct tree_writer w;
	int error;

	if (git_repository_odb(&w.odb, s->repo) < 0)
		return git_fail("open object database");
	w.objects = s->mem ? NULL : h->objects;
	w.cache = &h->trees;
	w.stage = &h->stage;
	error = history_tree_update(out, &w, base, c, n);
	git_odb_free(w.odb);
	return error;
}

/*
 * The tree of a commit without parent, bottom-up: the upserts of
 * c[0..n), whose blobs it writes; deletions are dropped (there is
 * nothing to delete).  Reorders c.
 */
static int tree_from_scratch(git_oid *out, struct sink *s, struct change *c,
			     size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (c[i].put)
			c[k++] = c[i];
	}
	return build_tree(out, s, c, 0, k, 0);
}

/* A signature git writes and fsck accepts, or TFS_EINVALID. */
static int check_sig(const tfs_history_sig *sig)
{
	if (!sig || !sig->name || !sig->email || !*sig->name || !*sig->email)
		return tfs_error_set(TFS_EINVALID, "missing author");
	if (strpbrk(sig->name, "<>\n") || strpbrk(sig->email, "<>\n"))
		return tfs_error_set(TFS_EINVALID, "invalid author '%s <%s>'",
				     sig->name, sig->email);
	return 0;
}

/* Look up commit `id` (spelled `hex`); TFS_ENOTFOUND if it is not one. */
static int lookup_commit(git_commit **out, git_repository *repo,
			 const git_oid *id, const char *hex)
{
	int rc = git_commit_lookup(out, repo, id);

	if (rc == GIT_ENOTFOUND)
		return tfs_error_set(TFS_ENOTFOUND, "no commit %s", hex);
	if (rc < 0)
		return git_fail("look up commit");
	return 0;
}

int tfs_history_write_commit(char out[TFS_OID_HEXSZ + 1], tfs_history *h,
			     const char *parent,
			     const tfs_history_change *changes, size_t n,
			     const tfs_history_sig *sig, const char *message)
{
	struct change *c;
	size_t i;
	int error;

	if (n && !changes)
		return tfs_error_set(TFS_EINVALID, "missing change list");
	if (n > ((size_t)-1) / sizeof(*c))
		return tfs_error_set(TFS_EINVALID, "too many changes");
	if (!(c = calloc(n ? n : 1, sizeof(*c))))
		return tfs_error_set(TFS_ERROR, "out of memory");
	for (i = 0; i < n; i++) {
		c[i].path = changes[i].path;
		c[i].bytes = changes[i].bytes;
		c[i].len = changes[i].bytes ? changes[i].len : 0;
		c[i].have_id = !changes[i].bytes && changes[i].has_id;
		c[i].put = changes[i].bytes || c[i].have_id;
		if (c[i].have_id)
			git_oid_fromraw(&c[i].id, changes[i].id);
	}
	error = hist_write_commit(out, h, parent, c, n, sig, message);
	free(c);
	return error;
}

int hist_write_commit(char out[TFS_OID_HEXSZ + 1], tfs_history *h,
		      const char *parent, struct change *c, size_t n,
		      const tfs_history_sig *sig, const char *message)
{
	return hist_write_commit_on(out, h, parent, parent, c, n, sig,
				    message);
}

/* The tree of commit `hex` in *out; nothing if `hex` is NULL or "". */
static int base_tree(git_tree **out, git_commit **commit, git_repository *repo,
		     const char *hex)
{
	git_oid id;
	int error;

	if (!hex || !*hex)
		return 0;
	if ((error = parse_oid(&id, hex)) < 0 ||
	    (error = lookup_commit(commit, repo, &id, hex)) < 0)
		return error;
	if (git_commit_tree(out, *commit) < 0)
		return git_fail("read base tree");
	return 0;
}

int hist_write_commit_on(char out[TFS_OID_HEXSZ + 1], tfs_history *h,
			 const char *parent, const char *from,
			 struct change *c, size_t n,
			 const tfs_history_sig *sig, const char *message)
{
	struct sink s = { 0 };
	git_commit *pc = NULL, *fc = NULL;
	git_tree *base = NULL, *tree = NULL;
	git_signature *gs = NULL;
	const git_commit *parents[1];
	git_oid tid, cid;
	size_t i, nblobs = 0;
	int mixed, error;

	lock(h);
	if ((error = check_sig(sig)) < 0)
		goto done;
	if (!message) {
		error = tfs_error_set(TFS_EINVALID, "missing message");
		goto done;
	}
	if ((error = sort_changes(&mixed, c, n)) < 0)
		goto done;
	for (i = 0; i < n; i++)
		nblobs += c[i].bytes != NULL;
	if ((error = sink_open(&s, h, nblobs >= PACK_MIN)) < 0)
		goto done;
	if ((error = base_tree(&base, &pc, s.repo, parent)) < 0)
		goto done;
	if (from != parent && (!from || !parent || strcmp(from, parent))) {
		git_tree_free(base);
		base = NULL;
		if ((error = base_tree(&base, &fc, s.repo, from)) < 0)
			goto done;
	}
	/* Blobs given by id were written by a blob writer just before;
	 * libgit2 does not check them (see init_libgit2). */
	if (!base) {
		error = tree_from_scratch(&tid, &s, c, n);
	} else {
		for (i = 0; i < n && error == 0; i++) {
			if (c[i].bytes && !c[i].have_id)
				error = sink_blob(&c[i].id, &s, c[i].bytes,
						  c[i].len);
		}
		if (error == 0 && !mixed)
			error = splice_trees(&tid, h, &s, git_tree_id(base), c,
					     n);
		else if (error == 0)
			error = tree_from_parent(&tid, s.repo, base, c, n,
						 mixed);
	}
	if (error < 0)
		goto done;
	if (git_tree_lookup(&tree, s.repo, &tid) < 0 ||
	    git_signature_new(&gs, sig->name, sig->email,
			      (git_time_t)sig->time, 0) < 0) {
		error = git_fail("commit");
		goto done;
	}
	parents[0] = pc;
	if (git_commit_create(&cid, s.repo, NULL, gs, gs, NULL, message, tree,
			      pc ? 1 : 0, parents) < 0) {
		error = git_fail("write commit");
		goto done;
	}
	/* Durable before return: packs are synced, their directory is
	 * not yet; staged loose objects are neither. */
	if ((error = sink_finish(&s, h)) < 0 ||
	    (error = hist_sync_dirs(&s.dirs, h)) < 0 ||
	    (error = hist_stage_settle(&h->stage, h, h->objects)) < 0)
		goto done;
	git_oid_tostr(out, TFS_OID_HEXSZ + 1, &cid);
done:
	git_signature_free(gs);
	git_tree_free(tree);
	git_tree_free(base);
	git_commit_free(pc);
	git_commit_free(fc);
	sink_close(&s);
	if (error < 0)
		hist_stage_drop(&h->stage); /* never named: harmless */
	unlock(h);
	return error;
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

void tfs_history_free(tfs_history *h)
{
	unsigned int i;

	if (!h)
		return;
	for (i = 0; i < h->nreaders; i++)
		reader_free(h->readers[i]);
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
 * reader_put().
 */
static int reader_get(struct hist_reader **out, tfs_history *h)
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

static void reader_put(struct hist_reader *r)
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
			error = tfs_error_set(TFS_ERROR, "git: open %s: %s",
					      path, strerror(errno));
			break;
		}
		n++;
		if (n > 1 && (existed || strlen(path) <= strlen(h->git_dir) +
						 sizeof("/refs") - 1))
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
	    (error = parse_oid(&id, oid)) < 0)
		goto done;
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
done:
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

	if ((error = reader_get(&r, h)) < 0)
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
	reader_put(r);
	return error;
}

int tfs_history_has_commit(tfs_history *h, const char *oid)
{
	struct hist_reader *r;
	git_object_t type;
	git_oid id;
	size_t len;
	int error, rc;

	if ((error = reader_get(&r, h)) < 0)
		return error;
	if ((error = parse_oid(&id, oid)) < 0)
		goto done;
	rc = git_odb_read_header(&len, &type, r->odb, &id);
	if (rc == GIT_ENOTFOUND)
		error = 0;
	else if (rc < 0)
		error = git_fail("read object");
	else
		error = type == GIT_OBJECT_COMMIT;
done:
	reader_put(r);
	return error;
}

/*
 * Find `path` ("" or NULL: the root) in commit `hex`.  On success exactly
 * one of *dir (the directory's tree) and *file (the file's entry) is set,
 * and the caller frees it.  TFS_ENOTFOUND if the commit or path is absent
 * or the path is neither a file nor a directory (a submodule).
 */
static int resolve(git_tree **dir, git_tree_entry **file,
		   struct hist_reader *r,
		   const char *hex, const char *path)
{
	git_commit *c = NULL;
	git_tree *root = NULL;
	git_tree_entry *e = NULL;
	git_oid id;
	int error, rc;

	*dir = NULL;
	*file = NULL;
	if ((error = parse_oid(&id, hex)) < 0 ||
	    (error = lookup_commit(&c, r->repo, &id, hex)) < 0)
		goto done;
	if (git_commit_tree(&root, c) < 0) {
		error = git_fail("read tree");
		goto done;
	}
	if (!path || !*path) {
		*dir = root;
		root = NULL;
		goto done;
	}
	rc = git_tree_entry_bypath(&e, root, path);
	if (rc == GIT_ENOTFOUND) {
		error = tfs_error_set(TFS_ENOTFOUND, "no '%s' in commit %.12s",
				      path, hex);
		goto done;
	}
	if (rc < 0) {
		error = git_fail(path);
		goto done;
	}
	switch (git_tree_entry_type(e)) {
	case GIT_OBJECT_TREE:
		if (git_tree_lookup(dir, r->repo, git_tree_entry_id(e)) < 0)
			error = git_fail(path);
		break;
	case GIT_OBJECT_BLOB:
		*file = e;
		e = NULL;
		break;
	default:
		error = tfs_error_set(TFS_ENOTFOUND, "'%s' in commit %.12s is "
				      "not a file", path, hex);
		break;
	}
done:
	git_tree_entry_free(e);
	git_tree_free(root);
	git_commit_free(c);
	return error;
}

/* The size of blob `id` without inflating all of it. */
static int blob_size(size_t *out, struct hist_reader *r, const git_oid *id)
{
	git_object_t type;

	if (git_odb_read_header(out, &type, r->odb, id) < 0)
		return git_fail("read object");
	return 0;
}

/*
 * The tree of directory `path` at commit `hex`, borrowed from the handle's
 * cache of the last directories read (a file of a large directory is then
 * one lookup, not a parse of its directory's tree per file).
 */
static int dir_tree(git_tree **out, struct hist_reader *r, const char *hex,
		    const char *path)
{
	git_tree *dir = NULL;
	git_tree_entry *file = NULL;
	unsigned int i;
	git_oid id;
	char *copy;
	int error;

	*out = NULL;
	if ((error = parse_oid(&id, hex)) < 0)
		return error;
	for (i = 0; i < 2; i++) {
		if (r->dirs[i].path && git_oid_equal(&r->dirs[i].commit, &id) &&
		    strcmp(r->dirs[i].path, path) == 0) {
			*out = r->dirs[i].tree;
			return 0;
		}
	}
	if ((error = resolve(&dir, &file, r, hex, path)) < 0)
		return error;
	if (!dir) {
		git_tree_entry_free(file);
		return tfs_error_set(TFS_EINVALID, "'%s' is not a directory",
				     path);
	}
	if (!(copy = strdup(path))) {
		git_tree_free(dir);
		return tfs_error_set(TFS_ERROR, "out of memory");
	}
	i = r->next_dir;
	r->next_dir = (i + 1) % 2;
	git_tree_free(r->dirs[i].tree);
	free(r->dirs[i].path);
	r->dirs[i].commit = id;
	r->dirs[i].path = copy;
	r->dirs[i].tree = dir;
	*out = dir;
	return 0;
}

int tfs_history_stat(tfs_history *h, const char *oid, const char *path,
		     int *is_dir, size_t *size)
{
	struct hist_reader *r;
	git_tree *dir = NULL;
	git_tree_entry *file = NULL;
	size_t len = 0;
	int error;

	if ((error = reader_get(&r, h)) < 0)
		return error;
	if ((error = resolve(&dir, &file, r, oid, path)) < 0)
		goto done;
	if (file && (error = blob_size(&len, r, git_tree_entry_id(file))) < 0)
		goto done;
	if (is_dir)
		*is_dir = dir != NULL;
	if (size)
		*size = len;
done:
	git_tree_entry_free(file);
	git_tree_free(dir);
	reader_put(r);
	return error;
}

/* Append blob `id` (the file `what`) to `out`. */
static int read_blob(tfs_buf *out, struct hist_reader *r, const git_oid *id,
		     const char *what)
{
	git_blob *blob = NULL;
	unsigned char sum[20];
	size_t len;
	int error;

	if (git_blob_lookup(&blob, r->repo, id) < 0)
		return git_fail(what);
	len = (size_t)git_blob_rawsize(blob);
	error = hist_object_id(sum, "blob", git_blob_rawcontent(blob), len);
	if (error == 0 && memcmp(sum, id->id, sizeof(sum)) != 0)
		error = tfs_error_set(TFS_ERROR, "git: %s: object %s is "
				      "corrupt", what, git_oid_tostr_s(id));
	else if (error == 0)
		error = tfs_buf_put(out, git_blob_rawcontent(blob), len);
	git_blob_free(blob);
	return error;
}

int tfs_history_read_blob(tfs_buf *out, tfs_history *h, const char *hex,
			  const char *what)
{
	struct hist_reader *r;
	git_oid id;
	int error;

	if ((error = parse_oid(&id, hex)) < 0)
		return tfs_error_set(error, "%s: '%.60s' is not a blob id",
				     what, hex ? hex : "");
	if ((error = reader_get(&r, h)) < 0)
		return error;
	error = read_blob(out, r, &id, what);
	reader_put(r);
	return error;
}

int tfs_history_read(tfs_buf *out, tfs_history *h, const char *oid,
		     const char *path)
{
	struct hist_reader *r;
	git_tree *dir = NULL;
	git_tree_entry *file = NULL;
	int error;

	if ((error = reader_get(&r, h)) < 0)
		return error;
	if ((error = resolve(&dir, &file, r, oid, path)) < 0)
		goto done;
	if (dir) {
		error = tfs_error_set(TFS_EINVALID, "'%s' is a directory",
				      path ? path : "");
		goto done;
	}
	error = read_blob(out, r, git_tree_entry_id(file), path);
done:
	git_tree_entry_free(file);
	git_tree_free(dir);
	reader_put(r);
	return error;
}

int tfs_history_find(tfs_history *h, const char *oid, const char *dir_path,
		     const char *name, size_t *index, int *is_dir,
		     size_t *size)
{
	struct hist_reader *r;
	git_tree *dir;
	const git_tree_entry *e, *m;
	size_t lo = 0, hi, mid = 0, len = strlen(name);
	int error, isdir, c = 1;

	if ((error = reader_get(&r, h)) < 0)
		return error;
	if ((error = dir_tree(&dir, r, oid, dir_path)) < 0)
		goto done;
	if (!(e = git_tree_entry_byname(dir, name)) ||
	    (git_tree_entry_type(e) != GIT_OBJECT_BLOB &&
	     git_tree_entry_type(e) != GIT_OBJECT_TREE)) {
		error = tfs_error_set(TFS_ENOTFOUND, "no '%s' in '%s'", name,
				      dir_path);
		goto done;
	}
	isdir = git_tree_entry_type(e) == GIT_OBJECT_TREE;
	/* Its position: a binary search in git's order. */
	hi = git_tree_entrycount(dir);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		m = git_tree_entry_byindex(dir, mid);
		c = hist_entry_cmp(git_tree_entry_name(m),
				strlen(git_tree_entry_name(m)),
				git_tree_entry_type(m) == GIT_OBJECT_TREE,
				name, len, isdir);
		if (c == 0)
			break;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (c != 0) {
		error = tfs_error_set(TFS_ERROR, "git: tree of '%s' is not "
				      "in git's order", dir_path);
		goto done;
	}
	*index = mid;
	*is_dir = isdir;
	*size = 0;
	if (!isdir)
		error = blob_size(size, r, git_tree_entry_id(e));
done:
	reader_put(r);
	return error;
}

/* Entry `index` of the cached tree of `dir_path` at `oid`. */
static int entry_at(const git_tree_entry **out, struct hist_reader *r,
		    const char *oid, const char *dir_path, size_t index)
{
	git_tree *dir;
	int error;

	if ((error = dir_tree(&dir, r, oid, dir_path)) < 0)
		return error;
	if (!(*out = git_tree_entry_byindex(dir, index)) ||
	    strlen(git_tree_entry_name(*out)) >= 256)
		return tfs_error_set(TFS_ENOTFOUND, "no entry %zu in '%s'",
				     index, dir_path);
	return 0;
}

int tfs_history_entry_at(tfs_history *h, const char *oid,
			 const char *dir_path, size_t index, char name[256],
			 int *is_dir, size_t *size)
{
	struct hist_reader *r;
	const git_tree_entry *e;
	int error;

	if ((error = reader_get(&r, h)) < 0)
		return error;
	if ((error = entry_at(&e, r, oid, dir_path, index)) < 0)
		goto done;
	snprintf(name, 256, "%s", git_tree_entry_name(e));
	*is_dir = git_tree_entry_type(e) == GIT_OBJECT_TREE;
	*size = 0;
	if (git_tree_entry_type(e) == GIT_OBJECT_BLOB)
		error = blob_size(size, r, git_tree_entry_id(e));
done:
	reader_put(r);
	return error;
}

int tfs_history_read_at(tfs_buf *out, tfs_history *h, const char *oid,
			const char *dir_path, size_t index)
{
	struct hist_reader *r;
	const git_tree_entry *e;
	int error;

	if ((error = reader_get(&r, h)) < 0)
		return error;
	if ((error = entry_at(&e, r, oid, dir_path, index)) < 0)
		goto done;
	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB) {
		error = tfs_error_set(TFS_EINVALID, "'%s' is a directory",
				      git_tree_entry_name(e));
		goto done;
	}
	error = read_blob(out, r, git_tree_entry_id(e),
			  git_tree_entry_name(e));
done:
	reader_put(r);
	return error;
}

int tfs_history_list(tfs_history *h, const char *oid, const char *path,
		     tfs_history_entry_cb cb, void *ctx)
{
	return tfs_history_list_at(h, oid, path, NULL, cb, ctx);
}

int tfs_history_list_at(tfs_history *h, const char *oid, const char *path,
			tfs_history_index_cb icb, tfs_history_entry_cb cb,
			void *ctx)
{
	struct hist_reader *r;
	git_tree *dir = NULL;
	git_tree_entry *file = NULL;
	const git_tree_entry *e;
	size_t i, n, size;
	git_object_t type;
	int error;

	if ((error = reader_get(&r, h)) < 0)
		return error;
	if ((error = resolve(&dir, &file, r, oid, path)) < 0)
		goto done;
	if (file) {
		error = tfs_error_set(TFS_EINVALID, "'%s' is not a directory",
				      path);
		goto done;
	}
	n = git_tree_entrycount(dir);
	for (i = 0; i < n; i++) {
		e = git_tree_entry_byindex(dir, i);
		type = git_tree_entry_type(e);
		size = 0;
		if (type == GIT_OBJECT_BLOB &&
		    (error = blob_size(&size, r, git_tree_entry_id(e))) < 0)
			goto done;
		if (type != GIT_OBJECT_BLOB && type != GIT_OBJECT_TREE)
			continue;
		error = icb ? icb(ctx, git_tree_entry_name(e),
				  type == GIT_OBJECT_TREE, size, i) :
			      cb(ctx, git_tree_entry_name(e),
				 type == GIT_OBJECT_TREE, size);
		if (error)
			goto done;
	}
done:
	git_tree_entry_free(file);
	git_tree_free(dir);
	reader_put(r);
	return error;
}

/*
 * Load the blob on one side of a diff delta into *out, or leave it NULL
 * when that side has no file (added, deleted, or a submodule).
 */
static int delta_blob(git_blob **out, git_repository *repo,
		      const git_diff_file *f)
{
	*out = NULL;
	if (!(f->flags & GIT_DIFF_FLAG_EXISTS) ||
	    (f->mode != GIT_FILEMODE_BLOB &&
	     f->mode != GIT_FILEMODE_BLOB_EXECUTABLE &&
	     f->mode != GIT_FILEMODE_LINK))
		return 0;
	if (git_blob_lookup(out, repo, &f->id) < 0)
		return git_fail(f->path);
	return 0;
}

int tfs_history_diff_parent(tfs_history *h, const char *oid,
			    tfs_history_diff_cb cb, void *ctx)
{
	struct hist_reader *r;
	git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
	git_commit *c = NULL, *p = NULL;
	git_tree *new_tree = NULL, *old_tree = NULL;
	git_diff *diff = NULL;
	git_blob *a = NULL, *b = NULL;
	const git_diff_delta *d;
	git_oid id;
	size_t i, n;
	int error;

	if ((error = reader_get(&r, h)) < 0)
		return error;
	if ((error = parse_oid(&id, oid)) < 0 ||
	    (error = lookup_commit(&c, r->repo, &id, oid)) < 0)
		goto done;
	if (git_commit_tree(&new_tree, c) < 0 ||
	    (git_commit_parentcount(c) > 0 &&
	     (git_commit_parent(&p, c, 0) < 0 ||
	      git_commit_tree(&old_tree, p) < 0))) {
		error = git_fail("read commit");
		goto done;
	}
	/* Only the list of changed files is wanted, no content sniffing. */
	opts.flags |= GIT_DIFF_SKIP_BINARY_CHECK;
	if (git_diff_tree_to_tree(&diff, r->repo, old_tree, new_tree,
				  &opts) < 0) {
		error = git_fail("diff");
		goto done;
	}
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n; i++) {
		d = git_diff_get_delta(diff, i);
		if ((error = delta_blob(&a, r->repo, &d->old_file)) < 0 ||
		    (error = delta_blob(&b, r->repo, &d->new_file)) < 0)
			goto done;
		if (a || b)
			error = cb(ctx, b ? d->new_file.path : d->old_file.path,
				   a ? git_blob_rawcontent(a) : NULL,
				   a ? (size_t)git_blob_rawsize(a) : 0,
				   b ? git_blob_rawcontent(b) : NULL,
				   b ? (size_t)git_blob_rawsize(b) : 0);
		git_blob_free(a);
		git_blob_free(b);
		a = b = NULL;
		if (error)
			goto done;
	}
done:
	git_blob_free(a);
	git_blob_free(b);
	git_diff_free(diff);
	git_tree_free(old_tree);
	git_tree_free(new_tree);
	git_commit_free(p);
	git_commit_free(c);
	reader_put(r);
	return error;
}
