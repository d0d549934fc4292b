/*
 * New trees of a commit with a parent, written from the raw bytes of the
 * parent's trees (part of history.c; see history_int.h).
 *
 * A save in a large instance changes one file of a directory that may hold
 * 10^5 entries (metadata/Form of a 10^6-object instance: 3 MB of tree).
 * git_tree_create_updated() loads such a directory into a tree builder (a
 * hash table of 10^5 allocated entries), sorts it again, serializes it and
 * deflates the result: about 150 ms, all of it growing with the directory.
 * Here the parent's raw tree is indexed in place, the few changed entries
 * are sorted and merged into it, and the untouched entries are copied as
 * they are: the cost is a copy and a hash of the bytes.  Large trees are
 * stored as loose objects without compression (zlib "stored" blocks, which
 * git and libgit2 read like any other loose object; history_loose.c);
 * deflating 3 MB costs more than the rest of the save.  `git gc` packs
 * them like any object.
 *
 * The common save, new content for files the directory has, changes
 * nothing but 20-byte ids: then the parent's bytes (read from its loose
 * object, kept from the last save, or copied from libgit2 when packed)
 * are changed in place, and the hash resumes from the SHA-1 context copied
 * just before the first changed id (hist_object_id_marked).  For
 * metadata/Form above that took the first save after a mount from 12.5
 * to 7.5 ms, later saves from 5.8 to 3.7 ms.
 *
 * The trees are exactly those git_tree_create_updated() writes for the
 * same updates: entries in git order ("name" of a directory sorts as
 * "name/"), modes "100644" and "40000", directories left empty removed,
 * an empty root written as the empty tree.  Errors match too: a file over
 * a directory, a directory over a file and deleting a directory are
 * TFS_EINVALID; deleting a path that does not exist is no change.
 *
 * Lists where a path is both a file and a directory prefix ("mixed", see
 * sort_changes) are left to history.c's two-pass path.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history_int.h"
#include "tenantfs/error.h"

/* Record the last libgit2 error for this thread; TFS_ERROR. */
static int git_fail(const char *what)
{
	const git_error *e = git_error_last();

	return tfs_error_set(TFS_ERROR, "git: %s: %s", what,
			     e && e->message ? e->message : "unknown error");
}

/* Trees at least this large are stored without compression, and cached
 * up to CACHE_MAX (see struct tree_cache: at most 4 x 16 MiB). */
#define STORED_MIN ((size_t)64 << 10)
#define CACHE_MAX  ((size_t)16 << 20)

/* One entry of a raw tree, pointing into its bytes. */
struct entry {
	const char *raw; /* "<mode> <name>\0<20-byte id>" */
	size_t rawlen;
	const char *name;
	size_t namelen;
	bool tree;
	const unsigned char *id;
};

/* An entry of the new tree that is not a copy of the parent's: one per
 * change at the directory's level (10^6 for a large package), so small. */
struct added { /* 24 bytes: one per file of an apply */
	const char *name;
	const unsigned char *id; /* the change's blob, or a new subtree */
	int32_t at;              /* the parent's entry it replaces, or -1 */
	uint32_t namelen : 31;   /* at most PATH_MAX_LEN (history.c) */
	uint32_t tree : 1;
};

int hist_entry_cmp(const char *a, size_t alen, bool atree, const char *b,
		   size_t blen, bool btree)
{
	size_t len = alen < blen ? alen : blen;
	int cmp = memcmp(a, b, len);
	unsigned int ca, cb;

	if (cmp)
		return cmp;
	ca = alen > len ? (unsigned char)a[len] : atree ? '/' : 0;
	cb = blen > len ? (unsigned char)b[len] : btree ? '/' : 0;
	return (ca > cb) - (ca < cb);
}

static int added_cmp(const void *x, const void *y)
{
	const struct added *a = x, *b = y;

	return hist_entry_cmp(a->name, a->namelen, a->tree, b->name, b->namelen,
			      b->tree);
}

/* Index the raw tree `data` into *out (caller frees). */
static int parse_tree(struct entry **out, size_t *n, const char *data,
		      size_t len)
{
	struct entry *e = NULL, *grown;
	size_t cap = 0, k = 0, modelen;
	const char *p = data, *end = data + len, *sp, *nul;

	while (p < end) {
		sp = memchr(p, ' ', (size_t)(end - p));
		nul = sp ? memchr(sp + 1, '\0', (size_t)(end - sp - 1)) : NULL;
		if (!nul || (size_t)(end - nul - 1) < GIT_OID_RAWSZ) {
			free(e);
			return tfs_error_set(TFS_ERROR, "git: corrupt tree");
		}
		if (k == INT32_MAX) { /* struct added's `at` */
			free(e);
			return tfs_error_set(TFS_ERROR, "git: a tree of over "
							"2^31 entries");
		}
		if (k == cap) {
			/* At first room for entries of a typical length (a
			 * metadata file's: about 55 bytes), so that a large
			 * tree's index is not copied by realloc as it grows. */
			cap = cap ? cap * 2 : len / 48 + 64;
			grown = realloc(e, cap * sizeof(*e));
			if (!grown) {
				free(e);
				return tfs_error_set(TFS_ERROR,
						     "out of memory");
			}
			e = grown;
		}
		modelen = (size_t)(sp - p);
		e[k].raw = p;
		e[k].name = sp + 1;
		e[k].namelen = (size_t)(nul - sp - 1);
		e[k].tree = modelen == 5 && memcmp(p, "40000", 5) == 0;
		e[k].id = (const unsigned char *)nul + 1;
		p = nul + 1 + GIT_OID_RAWSZ;
		e[k].rawlen = (size_t)(p - e[k].raw);
		k++;
	}
	*out = e;
	*n = k;
	return 0;
}

/* The index of the entry named `name` (either type) in e[0..n), or -1. */
static long find_entry(const struct entry *e, size_t n, const char *name,
		       size_t namelen)
{
	int t;

	for (t = 0; t < 2; t++) {
		size_t lo = 0, hi = n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int cmp = hist_entry_cmp(e[mid].name, e[mid].namelen,
						 e[mid].tree, name, namelen, t);
			if (cmp == 0)
				return (long)mid;
			if (cmp < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return -1;
}

/* Trees worth keeping in w's cache, and their hash marks. */
static bool cacheable(const struct tree_writer *w, size_t len)
{
	return w->cache && w->objects && len >= STORED_MIN && len <= CACHE_MAX;
}

/*
 * Hash tree `data` into *id and store it unless it exists.  With marks
 * (hist_marks_new for this tree), they are taken, and the hash starts after
 * the first `same` bytes of data if they are unchanged since the marks
 * were taken (see hist_object_id_marked).
 */
static int write_tree(git_oid *id, const struct tree_writer *w,
		      const char *data, size_t len, hist_marks *marks,
		      size_t same)
{
	git_oid written;
	int error;

	if (marks)
		error = hist_object_id_marked(id->id, "tree", data, len, marks,
					      same);
	else
		error = hist_object_id(id->id, "tree", data, len);
	if (error < 0)
		return error;
	if (git_odb_exists_ext(w->odb, id, GIT_ODB_LOOKUP_NO_REFRESH) == 1)
		return 0;
	if (w->objects && len >= STORED_MIN)
		return hist_loose_write(w, id, "tree", data, len);
	if (git_odb_write(&written, w->odb, data, len, GIT_OBJECT_TREE) < 0)
		return git_fail("write tree");
	return 0;
}

/* The cached raw tree `id`, or NULL. */
static const struct tree_cache *cached(const struct tree_cache *tc,
				       const git_oid *id, size_t *slot)
{
	size_t i;

	for (i = 0; tc && i < TREE_CACHE_SLOTS; i++) {
		if (tc->slot[i].data && git_oid_equal(&tc->slot[i].id, id)) {
			*slot = i;
			return tc;
		}
	}
	return NULL;
}

/* Keep raw tree `data` and its marks (taking ownership of both) as `id`,
 * dropping the oldest. */
static void cache_put(struct tree_cache *tc, const git_oid *id, char *data,
		      size_t len, hist_marks *marks)
{
	unsigned int i = tc->next;

	free(tc->slot[i].data);
	hist_marks_free(tc->slot[i].marks);
	git_oid_cpy(&tc->slot[i].id, id);
	tc->slot[i].data = data;
	tc->slot[i].len = len;
	tc->slot[i].marks = marks;
	tc->next = (i + 1) % TREE_CACHE_SLOTS;
}

void history_tree_cache_free(struct tree_cache *tc)
{
	size_t i;

	for (i = 0; i < TREE_CACHE_SLOTS; i++) {
		free(tc->slot[i].data);
		hist_marks_free(tc->slot[i].marks);
		tc->slot[i].data = NULL;
		tc->slot[i].marks = NULL;
	}
}

/* Append entry bytes to the growing buffer *b. */
static int put(char **b, size_t *len, size_t *cap, const void *p, size_t n)
{
	char *grown;
	size_t want;

	if (*len + n > *cap) {
		want = *cap ? *cap : 4096;
		while (want < *len + n)
			want *= 2;
		grown = realloc(*b, want);
		if (!grown)
			return tfs_error_set(TFS_ERROR, "out of memory");
		*b = grown;
		*cap = want;
	}
	memcpy(*b + *len, p, n);
	*len += n;
	return 0;
}

/* Where merged entries go: a buffer (put), a stream, or a count. */
typedef int (*emit_fn)(void *ctx, const void *p, size_t n);

struct growing {
	char *b;
	size_t len, cap;
};

static int emit_buf(void *ctx, const void *p, size_t n)
{
	struct growing *g = ctx;

	return put(&g->b, &g->len, &g->cap, p, n);
}

static int emit_count(void *ctx, const void *p, size_t n)
{
	(void)p;
	*(size_t *)ctx += n;
	return 0;
}

static int emit_stream(void *ctx, const void *p, size_t n)
{
	return hist_loose_stream_write(ctx, p, n);
}

static int emit_added(emit_fn emit, void *ctx, const struct added *a)
{
	const char *mode = a->tree ? "40000 " : "100644 ";

	if (emit(ctx, mode, strlen(mode)) < 0 ||
	    emit(ctx, a->name, a->namelen) < 0 || emit(ctx, "", 1) < 0 ||
	    emit(ctx, a->id, GIT_OID_RAWSZ) < 0)
		return TFS_ERROR;
	return 0;
}

/* The new tree's entries: the parent's e[] that stay, in order, merged
 * with add[] (sorted). */
static int merge(emit_fn emit, void *ctx, const struct entry *e, size_t ne,
		 const bool *gone, const struct added *add, size_t nadd)
{
	size_t i = 0, j = 0;
	int error = 0;

	while (error == 0 && (i < ne || j < nadd)) {
		if (i < ne && gone[i]) {
			i++;
		} else if (j >= nadd ||
			   (i < ne &&
			    hist_entry_cmp(e[i].name, e[i].namelen, e[i].tree,
					   add[j].name, add[j].namelen,
					   add[j].tree) < 0)) {
			error = emit(ctx, e[i].raw, e[i].rawlen);
			i++;
		} else {
			error = emit_added(emit, ctx, &add[j]);
			j++;
		}
	}
	return error;
}

/*
 * A merged tree too large to cache (over CACHE_MAX), hashed and stored as
 * it is made instead of built in memory first.  *len is its length.
 */
static int merge_streamed(git_oid *out, const struct tree_writer *w, size_t len,
			  const struct entry *e, size_t ne, const bool *gone,
			  const struct added *add, size_t nadd)
{
	struct hist_loose_stream *s = NULL;
	int error;

	if ((error = hist_loose_stream_open(&s, w, "tree", len)) == 0 &&
	    (error = merge(emit_stream, s, e, ne, gone, add, nadd)) == 0)
		error = hist_loose_stream_close(s, out);
	hist_loose_stream_free(s);
	return error;
}

/* Every added entry replaces one of the parent's e[], with the mode it
 * would be written with. */
static bool replaces_only(const struct added *a, size_t n,
			  const struct entry *e)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *mode = a[i].tree ? "40000 " : "100644 ";

		if (a[i].at < 0 ||
		    strncmp(e[a[i].at].raw, mode, strlen(mode)) != 0)
			return false;
	}
	return true;
}

static bool has_upsert(const struct change *c, size_t lo, size_t hi)
{
	for (; lo < hi; lo++)
		if (c[lo].put)
			return true;
	return false;
}

/*
 * Tree `id` streamed by libgit2 into a buffer of ours, if it is a loose
 * object; 1 if it is not (packed: libgit2 reads those whole only), or if
 * the stream fails (read_tree then asks git_odb_read, which may find a
 * packed copy and otherwise says what is wrong).  A loose tree is
 * inflated from the file's mapping straight into *buf: git_odb_read
 * would read the file into one buffer and inflate it into a second, both
 * touched fresh, before read_tree copied it into a third.  For
 * metadata/Form of a 10^6-object instance (3 MB), the first save after a
 * mount spent most of its time in those copies and their page faults.
 */
static int read_tree_loose(char **buf, size_t *len, const struct tree_writer *w,
			   const git_oid *id)
{
	git_odb_stream *st;
	git_object_t type;
	size_t got = 0;
	int n = 1;

	if (git_odb_open_rstream(&st, len, &type, w->odb, id) < 0) {
		git_error_clear();
		return 1;
	}
	if (type != GIT_OBJECT_TREE) {
		git_odb_stream_free(st);
		return 1;
	}
	if (!(*buf = malloc(*len ? *len : 1))) {
		git_odb_stream_free(st);
		return tfs_error_set(TFS_ERROR, "out of memory");
	}
	while (got < *len &&
	       (n = git_odb_stream_read(st, *buf + got, *len - got)) > 0)
		got += (size_t)n;
	git_odb_stream_free(st);
	if (got == *len)
		return 0;
	free(*buf);
	*buf = NULL;
	git_error_clear();
	return 1;
}

/*
 * Tree `id`, not yet checked against its id, into *buf, *len (the caller
 * owns it and may change it).
 */
static int read_tree(char **buf, size_t *len, const struct tree_writer *w,
		     const git_oid *id)
{
	git_odb_object *obj;
	int error;

	if ((error = read_tree_loose(buf, len, w, id)) <= 0)
		return error;
	if (git_odb_read(&obj, w->odb, id) < 0)
		return git_fail("read tree");
	*len = git_odb_object_size(obj);
	if (git_odb_object_type(obj) != GIT_OBJECT_TREE) {
		git_odb_object_free(obj);
		return tfs_error_set(TFS_ERROR, "git: not a tree");
	}
	*buf = malloc(*len ? *len : 1);
	if (*buf)
		memcpy(*buf, git_odb_object_data(obj), *len);
	git_odb_object_free(obj);
	return *buf ? 0 : tfs_error_set(TFS_ERROR, "out of memory");
}

static int update_dir(git_oid *out, bool *empty, const struct tree_writer *w,
		      const git_oid *base, const struct change *c, size_t lo,
		      size_t hi, size_t off);

/* One directory's update (update_dir): the parent's tree, indexed in
 * place, and what replaces or joins its entries. */
struct dir_update {
	const struct tree_writer *w;
	const struct change *c;
	size_t off;     /* length of the directory's path prefix */
	char *base_raw; /* the parent's tree, e[] points into it */
	size_t bcap;
	hist_marks *marks; /* SHA-1 marks of base_raw, then of buf */
	struct entry *e;
	size_t ne;
	bool *gone; /* e[i] is replaced or deleted */
	size_t ngone;
	struct added *add;
	size_t nadd;
	git_oid *subs; /* new subdirectories, which add[] holds */
	size_t nsub;
	char *buf; /* the new tree */
	size_t blen;
	size_t same; /* buf's first `same` bytes are the parent's:
				  * the hash resumes from its marks */
};

static void dir_update_free(struct dir_update *d)
{
	free(d->buf);
	free(d->gone);
	free(d->add);
	free(d->subs);
	free(d->e);
	free(d->base_raw);
	hist_marks_free(d->marks);
}

/* The parent's tree `base` into d: taken from the cache, or read and
 * checked against its id (with marks, if the new one may be cached). */
static int load_base(struct dir_update *d, const git_oid *base)
{
	const struct tree_writer *w = d->w;
	unsigned char sum[20];
	size_t i, len = 0;
	int error;

	if (cached(w->cache, base, &i)) {
		/* Taken out of the cache: the children's writes may evict
		 * its slot, and this tree is being replaced anyway. */
		d->base_raw = w->cache->slot[i].data;
		d->bcap = w->cache->slot[i].len;
		d->marks = w->cache->slot[i].marks;
		w->cache->slot[i].data = NULL;
		w->cache->slot[i].marks = NULL;
		return parse_tree(&d->e, &d->ne, d->base_raw, d->bcap);
	}
	if ((error = read_tree(&d->base_raw, &len, w, base)) < 0)
		return error;
	if (cacheable(w, len) && (d->marks = hist_marks_new("tree", len)))
		error = hist_object_id_marked(sum, "tree", d->base_raw, len,
					      d->marks, 0);
	else
		error = hist_object_id(sum, "tree", d->base_raw, len);
	if (error < 0)
		return error;
	if (memcmp(sum, base->id, sizeof(sum)) != 0)
		return tfs_error_set(TFS_ERROR, "git: tree %s is corrupt",
				     git_oid_tostr_s(base));
	if ((error = parse_tree(&d->e, &d->ne, d->base_raw, len)) < 0)
		return error;
	d->bcap = len;
	return 0;
}

/* The end of the run of changes from c[i] below the subdirectory whose
 * name, with its slash, is rest[0..len). */
static size_t run_end(const struct change *c, size_t i, size_t hi, size_t off,
		      const char *rest, size_t len)
{
	size_t j = i + 1;

	while (j < hi && strncmp(c[j].path + off, rest, len) == 0)
		j++;
	return j;
}

/*
 * Room for the names c[lo..hi) touch: one per file change and one per
 * run of changes below a subdirectory (c is in cmp_dir_order, so those
 * runs are contiguous), and an id per subdirectory.  (A million files in
 * a/b/ are one name in the root and in a/, and a million in a/b/.)
 */
static int alloc_lists(struct dir_update *d, size_t lo, size_t hi)
{
	const char *rest, *slash;
	size_t i, j, nsub = 0, nnames = 0;

	for (i = lo; i < hi; i = j, nnames++) {
		rest = d->c[i].path + d->off;
		j = i + 1;
		if (!(slash = strchr(rest, '/')))
			continue;
		j = run_end(d->c, i, hi, d->off, rest,
			    (size_t)(slash - rest) + 1);
		nsub++;
	}
	d->add = calloc(nnames ? nnames : 1, sizeof(*d->add));
	d->subs = calloc(nsub ? nsub : 1, sizeof(*d->subs));
	d->gone = calloc(d->ne ? d->ne : 1, sizeof(*d->gone));
	if (!d->add || !d->subs || !d->gone)
		return tfs_error_set(TFS_ERROR, "out of memory");
	return 0;
}

static void mark_gone(struct dir_update *d, long at)
{
	if (at >= 0) {
		d->gone[at] = true;
		d->ngone++;
	}
}

static void add_entry(struct dir_update *d, const char *name, size_t namelen,
		      bool tree, long at, const unsigned char *id)
{
	struct added *a = &d->add[d->nadd++];

	a->name = name;
	a->namelen = (uint32_t)namelen;
	a->tree = tree;
	a->at = at;
	a->id = id;
}

/* Change f to the file rest[0..namelen), the parent's e[at] if at >= 0. */
static int change_file(struct dir_update *d, const struct change *f,
		       const char *rest, size_t namelen, long at)
{
	if (at >= 0 && d->e[at].tree)
		return tfs_error_set(
			TFS_EINVALID,
			f->put ? "git: cannot "
				 "replace a directory with a file at '%s'" :
				 "cannot delete '%s': it is a directory",
			f->path);
	mark_gone(d, at);
	if (f->put)
		add_entry(d, rest, namelen, false, at, f->id.id);
	return 0;
}

/* Changes c[i..j) below the subdirectory rest[0..namelen), the parent's
 * e[at] if at >= 0: the subdirectory written first, by recursion. */
static int change_subdir(struct dir_update *d, size_t i, size_t j,
			 const char *rest, size_t namelen, long at)
{
	git_oid old;
	bool sub_empty;
	int error;

	if (at >= 0 && !d->e[at].tree) {
		if (!has_upsert(d->c, i, j))
			return 0; /* deletes of paths absent */
		return tfs_error_set(TFS_EINVALID,
				     "git: D/F conflict when "
				     "updating tree at '%.*s'",
				     (int)(d->off + namelen), d->c[i].path);
	}
	if (at >= 0)
		git_oid_fromraw(&old, d->e[at].id);
	if ((error = update_dir(&d->subs[d->nsub], &sub_empty, d->w,
				at >= 0 ? &old : NULL, d->c, i, j,
				d->off + namelen + 1)) < 0)
		return error;
	mark_gone(d, at);
	if (!sub_empty)
		add_entry(d, rest, namelen, true, at, d->subs[d->nsub++].id);
	return 0;
}

/* The changes c[lo..hi) as entries gone from the parent's and added. */
static int collect_changes(struct dir_update *d, size_t lo, size_t hi)
{
	const char *rest, *slash;
	size_t i, j, namelen;
	int error = 0;
	long at;

	for (i = lo; i < hi && error == 0; i = j) {
		rest = d->c[i].path + d->off;
		slash = strchr(rest, '/');
		namelen = slash ? (size_t)(slash - rest) : strlen(rest);
		at = find_entry(d->e, d->ne, rest, namelen);
		if (!slash) {
			j = i + 1;
			error = change_file(d, &d->c[i], rest, namelen, at);
		} else {
			j = run_end(d->c, i, hi, d->off, rest, namelen + 1);
			error = change_subdir(d, i, j, rest, namelen, at);
		}
	}
	return error;
}

/* New ids for names the parent has (a save of an existing file, and the
 * directories above it): the same bytes but those ids, so the parent's
 * copy becomes the new tree, and keeps its marks. */
static void patch_in_place(struct dir_update *d)
{
	size_t k;

	d->same = d->bcap;
	for (k = 0; k < d->nadd; k++) {
		size_t at = (size_t)(d->e[d->add[k].at].id -
				     (const unsigned char *)d->base_raw);

		memcpy(d->base_raw + at, d->add[k].id, GIT_OID_RAWSZ);
		d->same = at < d->same ? at : d->same;
	}
	d->buf = d->base_raw;
	d->base_raw = NULL;
	d->blen = d->bcap;
}

/* add[] into git order.  c is in cmp_dir_order, which is git's order but
 * where a name is both a file and a directory's prefix ("a", "a.x",
 * "a/"): mostly sorted already, and qsort would copy it whole (32 MB for
 * a directory of 10^6 new files). */
static void sort_added(struct dir_update *d)
{
	size_t k;

	for (k = 1; k < d->nadd && added_cmp(&d->add[k - 1], &d->add[k]) <= 0;
	     k++)
		;
	if (k < d->nadd)
		qsort(d->add, d->nadd, sizeof(*d->add), added_cmp);
}

/* The merged tree, d->blen bytes, built in d->buf: a new tree, with
 * marks of its own if it is to be cached. */
static int merge_into_buf(struct dir_update *d)
{
	struct growing g = { NULL, 0, 0 };
	int error;

	g.cap = d->blen ? d->blen : 1;
	if (!(g.b = malloc(g.cap)))
		return tfs_error_set(TFS_ERROR, "out of memory");
	error = merge(emit_buf, &g, d->e, d->ne, d->gone, d->add, d->nadd);
	d->buf = g.b;
	d->blen = g.len;
	if (error < 0)
		return error;
	hist_marks_free(d->marks);
	d->marks = cacheable(d->w, d->blen) ? hist_marks_new("tree", d->blen) :
					      NULL;
	return 0;
}

/* d->buf written as tree *out, and cached if it may be. */
static int write_dir(git_oid *out, struct dir_update *d)
{
	const struct tree_writer *w = d->w;
	int error = write_tree(out, w, d->buf ? d->buf : "", d->blen, d->marks,
			       d->same);

	if (error == 0 && cacheable(w, d->blen)) {
		cache_put(w->cache, out, d->buf, d->blen, d->marks);
		d->buf = NULL;
		d->marks = NULL;
	}
	return error;
}

/*
 * The directory at path prefix c[lo].path[0..off) (its tree in the
 * parent: `base`, or none) with the changes c[lo..hi) applied.  Sets *out
 * and *empty (the new directory has no entries; it is then not written
 * unless it is the root, `off` 0).
 */
static int update_dir(git_oid *out, bool *empty, const struct tree_writer *w,
		      const git_oid *base, const struct change *c, size_t lo,
		      size_t hi, size_t off)
{
	struct dir_update d = { .w = w, .c = c, .off = off };
	int error = 0;

	if ((base && (error = load_base(&d, base)) < 0) ||
	    (error = alloc_lists(&d, lo, hi)) < 0 ||
	    (error = collect_changes(&d, lo, hi)) < 0)
		goto done;
	if (base && d.ngone == d.nadd && replaces_only(d.add, d.nadd, d.e)) {
		patch_in_place(&d);
	} else {
		sort_added(&d);
		/* Its size first: a tree too large to cache is not built in
		 * memory (a directory of 10^6 files: 50 MB). */
		if ((error = merge(emit_count, &d.blen, d.e, d.ne, d.gone,
				   d.add, d.nadd)) < 0)
			goto done;
		if (d.blen > CACHE_MAX && w->objects) {
			*empty = false;
			error = merge_streamed(out, w, d.blen, d.e, d.ne,
					       d.gone, d.add, d.nadd);
			goto done;
		}
		if ((error = merge_into_buf(&d)) < 0)
			goto done;
	}
	*empty = d.blen == 0;
	if (d.blen > 0 || off == 0)
		error = write_dir(out, &d);
done:
	dir_update_free(&d);
	return error;
}

int history_tree_update(git_oid *out, const struct tree_writer *w,
			const git_oid *base, const struct change *c, size_t n)
{
	bool empty;

	return update_dir(out, &empty, w, base, c, 0, n, 0);
}
