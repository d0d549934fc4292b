/*
 * Writing history commits (history.c has the overview): the changes
 * checked and sorted, blobs written loose or into one pack (struct sink),
 * trees spliced from the parent's (history_tree.c) or built bottom-up,
 * the commit object, all durable before the commit id is returned.
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
			return tfs_error_set(TFS_EINVALID, "invalid path '%s'",
					     path);
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
	if (n > 1)
		qsort(c, n, sizeof(*c), cmp_dir_order);
	for (i = 0; i + 1 < n; i++) {
		if (strcmp(c[i].path, c[i + 1].path) == 0)
			return tfs_error_set(TFS_EINVALID,
					     "path '%s' changed "
					     "twice",
					     c[i].path);
		if (!is_below(c[i + 1].path, c[i].path))
			continue;
		*mixed = 1;
		if (!c[i].put)
			continue;
		for (j = i + 1; j < n && is_below(c[j].path, c[i].path); j++)
			if (c[j].put)
				return tfs_error_set(TFS_EINVALID,
						     "'%s' cannot"
						     " be both a file and a "
						     "directory",
						     c[i].path);
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
			error = hist_git_fail("look up path");
			goto done;
		}
		if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
			error = tfs_error_set(TFS_EINVALID,
					      "cannot delete '%s': it is a "
					      "directory",
					      c[i].path);
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
			error = hist_git_fail("update tree");
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
static int tree_from_parent(git_oid *out, git_repository *repo, git_tree *base,
			    const struct change *c, size_t n, int mixed)
{
	git_tree *mid = NULL;
	git_oid mid_id;
	int error;

	if (!mixed)
		return apply_updates(out, repo, base, c, n, DELETES | UPSERTS);
	if ((error = apply_updates(&mid_id, repo, base, c, n, DELETES)) < 0)
		goto done;
	if (git_tree_lookup(&mid, repo, &mid_id) < 0) {
		error = hist_git_fail("look up tree");
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
	git_repository *repo; /* write here: the main or scratch repo */
	git_repository *scratch;
	git_odb *odb;         /* scratch's */
	git_odb_backend *mem; /* the mempack, owned by the recorder */
	git_oid *ids;         /* objects in mem, to pack */
	size_t nids, aids;
	size_t pending; /* blob bytes in mem */
	tfs_history *h;
	struct hist_dirs dirs; /* directories of new names, to sync */
	char **keeps;          /* .keep files of the packs written */
	size_t nkeeps;
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

static int rec_read_header(size_t *len, git_object_t *type, git_odb_backend *b,
			   const git_oid *id)
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
		error = hist_git_fail("open pack writer");
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
		error = hist_git_fail("open pack writer");
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
 * Store the pack pack[0..len) in objects/pack, indexed by libgit2 and
 * durable (history_pack.c); its .keep joins the sink's.
 */
static int store_pack(struct sink *s, const void *pack, size_t len)
{
	struct hist_piece part = { pack, len };
	struct hist_pack p;
	int error;

	if ((error = hist_pack_index(&p, s->h, &part, 1)) < 0)
		return error;
	return hist_pack_settle(s->h, &p, 1, &s->keeps, &s->nkeeps, &s->dirs);
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
		error = hist_git_fail("pack");
		goto done;
	}
	git_packbuilder_set_threads(pb, 0);
	for (i = 0; i < s->nids; i++) {
		if (git_packbuilder_insert(pb, &s->ids[i], NULL) < 0) {
			error = hist_git_fail("pack");
			goto done;
		}
	}
	/*
	 * Through a buffer and the indexer rather than
	 * git_packbuilder_write(), which is 2-3 times slower in 1.5.
	 */
	if (git_packbuilder_write_buf(&pack, pb) < 0) {
		error = hist_git_fail("pack");
		goto done;
	}
	if ((error = store_pack(s, pack.ptr, pack.size)) < 0)
		goto done;
	s->nids = 0;
	s->pending = 0;
	if (git_mempack_reset(s->mem) < 0 || git_odb_refresh(s->odb) < 0)
		error = hist_git_fail("refresh");
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
static int sink_blob(git_oid *id, struct sink *s, const char *bytes, size_t len)
{
	int error;

	if (!s->mem) {
		if (git_blob_create_from_buffer(id, s->repo, bytes, len) < 0)
			return hist_git_fail("write blob");
		return 0;
	}
	if ((error = hist_object_id(id->id, "blob", bytes, len)) < 0)
		return error;
	if (git_odb_exists_ext(s->odb, id, GIT_ODB_LOOKUP_NO_REFRESH) == 1)
		return 0;
	if (s->mem->write(s->mem, id, bytes, len, GIT_OBJECT_BLOB) < 0)
		return hist_git_fail("write blob");
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
		return hist_git_fail("refresh");
	return 0;
}

static void sink_close(struct sink *s)
{
	hist_keeps_drop(s->keeps, s->nkeeps); /* unless pending took them */
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
static int build_tree(git_oid *out, struct sink *s, struct change *c, size_t lo,
		      size_t hi, size_t off)
{
	git_treebuilder *bld = NULL;
	char *name = NULL;
	git_oid sub;
	size_t i = lo, j, len;
	const char *rest, *slash;
	int error = 0;

	if (git_treebuilder_new(&bld, s->repo, NULL) < 0) {
		error = hist_git_fail("tree builder");
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
				error = hist_git_fail("insert file");
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
			error = hist_git_fail("insert directory");
			goto done;
		}
		free(name);
		name = NULL;
		i = j;
	}
	if (git_treebuilder_write(out, bld) < 0)
		error = hist_git_fail("write tree");
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
		return hist_git_fail("open object database");
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
int hist_lookup_commit(git_commit **out, git_repository *repo,
		       const git_oid *id, const char *hex)
{
	int rc = git_commit_lookup(out, repo, id);

	if (rc == GIT_ENOTFOUND)
		return tfs_error_set(TFS_ENOTFOUND, "no commit %s", hex);
	if (rc < 0)
		return hist_git_fail("look up commit");
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
	return hist_write_commit_on(out, h, parent, parent, c, n, sig, message);
}

/* The tree of commit `hex` in *out; nothing if `hex` is NULL or "". */
static int base_tree(git_tree **out, git_commit **commit, git_repository *repo,
		     const char *hex)
{
	git_oid id;
	int error;

	if (!hex || !*hex)
		return 0;
	if ((error = hist_parse_oid(&id, hex)) < 0)
		return error;
	if ((error = hist_lookup_commit(commit, repo, &id, hex)) < 0)
		return error;
	if (git_commit_tree(out, *commit) < 0)
		return hist_git_fail("read base tree");
	return 0;
}

/*
 * Remember what commit `cid` wrote until a branch names it (struct
 * hist_pending): the loose objects just settled and the sink's packs'
 * .keep files (taken over).
 */
static int note_pending(tfs_history *h, struct sink *s, const git_oid *cid)
{
	struct hist_pending *p = calloc(1, sizeof(*p));

	if (!p)
		return tfs_error_set(TFS_ERROR, "out of memory");
	p->commit = *cid;
	/* A copy of its size: the stage's list keeps its room for the next
	 * commit, and a minute of saves holds a few thousand of these. */
	if (h->stage.n &&
	    !(p->loose = malloc(h->stage.n * sizeof(*p->loose)))) {
		free(p);
		return tfs_error_set(TFS_ERROR, "out of memory");
	}
	if (h->stage.n)
		memcpy(p->loose, h->stage.ids, h->stage.n * sizeof(*p->loose));
	p->nloose = h->stage.n;
	h->stage.n = 0;
	p->keeps = s->keeps;
	p->nkeeps = s->nkeeps;
	s->keeps = NULL;
	s->nkeeps = 0;
	p->next = h->pending;
	h->pending = p;
	return 0;
}

static int write_commit_on(char out[TFS_OID_HEXSZ + 1], tfs_history *h,
			   const char *parent, const char *from,
			   struct change *c, size_t n,
			   const tfs_history_sig *sig, const char *message);

/*
 * Failing to read the parent may be git maintenance at work: a prune
 * removed what a commit of the last minute wrote (restored from the
 * staging directory: history.c), or a repack replaced the packs libgit2
 * had listed (it rescans on a miss, but a pack it listed may be gone
 * before it opens it).  Restore, rescan, and try once more.
 */
int hist_write_commit_on(char out[TFS_OID_HEXSZ + 1], tfs_history *h,
			 const char *parent, const char *from, struct change *c,
			 size_t n, const tfs_history_sig *sig,
			 const char *message)
{
	int error, made;

	error = write_commit_on(out, h, parent, from, c, n, sig, message);
	if (error >= 0 || error == TFS_EINVALID || error == TFS_ENOSPC ||
	    !parent || !*parent)
		return error;
	hist_lock(h);
	made = hist_pending_restore_all(h);
	if (made >= 0 && git_odb_refresh(h->odb) < 0)
		made = hist_git_fail("refresh");
	hist_unlock(h);
	if (made < 0)
		return error;
	return write_commit_on(out, h, parent, from, c, n, sig, message);
}

static int write_commit_on(char out[TFS_OID_HEXSZ + 1], tfs_history *h,
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

	hist_lock(h);
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
	    git_signature_new(&gs, sig->name, sig->email, (git_time_t)sig->time,
			      0) < 0) {
		error = hist_git_fail("commit");
		goto done;
	}
	parents[0] = pc;
	if (git_commit_create(&cid, s.repo, NULL, gs, gs, NULL, message, tree,
			      pc ? 1 : 0, parents) < 0) {
		error = hist_git_fail("write commit");
		goto done;
	}
	/* Durable before return: packs are synced, their directory is
	 * not yet; staged loose objects are neither. */
	if ((error = sink_finish(&s, h)) < 0 ||
	    (error = hist_sync_dirs(&s.dirs, h)) < 0 ||
	    (error = hist_stage_settle(&h->stage, h, h->objects)) < 0)
		goto done;
	if ((error = note_pending(h, &s, &cid)) < 0) {
		hist_stage_forget(&h->stage, h->stage.ids, h->stage.n);
		h->stage.n = 0;
		goto done;
	}
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
	hist_unlock(h);
	return error;
}
