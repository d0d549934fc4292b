/*
 * Changes to an instance: the change set that every write goes through
 * (saves in save.c, reverts in revert.c, the first load in load.c,
 * package applies in import.c, pushes in push_copy.c).
 *
 * A change set is one SQLite write transaction, one transaction set in the
 * active project, at most one history commit, one event.  Nothing is
 * visible to readers until cset_commit(); cset_abort() leaves everything as
 * it was.  See instance.c for the crash-ordering argument.
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

/*
 * The paths of a change set's history list, packed into chunks that never
 * move (4 KB first, doubling to 1 MB): a million paths cost their bytes,
 * not a million allocations.
 */
struct cset_chunk {
	struct cset_chunk *next;
	size_t used, cap;
	char data[];
};

#define CHUNK_MIN ((size_t)4 << 10)
#define CHUNK_MAX ((size_t)1 << 20)

static const char *keep_path(struct cset *cs, const char *path)
{
	struct cset_chunk *c = cs->paths;
	size_t n = strlen(path) + 1, cap;

	if (!c || c->cap - c->used < n) {
		cap = c ? c->cap * 2 : CHUNK_MIN;
		if (cap > CHUNK_MAX)
			cap = CHUNK_MAX;
		if (cap < n)
			cap = n;
		if (!(c = malloc(sizeof(*c) + cap))) {
			tfs_error_set(TFS_ERROR, "out of memory");
			return NULL;
		}
		c->next = cs->paths;
		c->used = 0;
		c->cap = cap;
		cs->paths = c;
	}
	memcpy(c->data + c->used, path, n);
	c->used += n;
	return c->data + c->used - n;
}

void cset_free(struct cset *cs)
{
	struct cset_chunk *c, *next;
	size_t i;

	if (cs->blobs && cs->in)
		db_cache_size(inst_db(cs->in), DB_CACHE_KIB);
	for (i = 0; i < cs->nhc; i++)
		free((char *)cs->hc[i].bytes);
	for (c = cs->paths; c; c = next) {
		next = c->next;
		free(c);
	}
	tfs_history_blobs_free(cs->blobs);
	spill_free(&cs->items);
	free(cs->hc);
	free(cs->hseq);
	hmap_free(&cs->hidx);
	if (cs->writing)
		inst_write_end(cs->in);
	memset(cs, 0, sizeof(*cs));
}

int cset_begin(struct cset *cs, tfs_inst *in, const char *user)
{
	int error;

	memset(cs, 0, sizeof(*cs));
	cs->in = in;
	cs->user = user;
	cs->now = tfs_now();
	spill_init(&cs->items, in->st->path);
	inst_write_begin(in);
	cs->writing = true;
	/* A writer that waited for the lock while rmdir deleted the
	 * instance: nothing may reach its (renamed) branch any more. */
	if (inst_gone(in))
		error = tfs_error_set(TFS_ENOTFOUND, "%s/%s was deleted",
				      in->tenant, in->name);
	else
		error = db_exec(inst_db(in), "BEGIN IMMEDIATE");
	if (error < 0) {
		cs->writing = false;
		inst_write_end(in);
	}
	return error;
}

void cset_abort(struct cset *cs)
{
	db_rollback(inst_db(cs->in));
	cset_free(cs);
}

int cset_grow(void **p, size_t *alloc, size_t need, size_t elem)
{
	void *q;
	size_t n;

	if (need <= *alloc)
		return 0;
	n = *alloc ? *alloc * 2 : 8;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elem);
	if (!q)
		return tfs_error_set(TFS_ERROR, "out of memory");
	*p = q;
	*alloc = n;
	return 0;
}

/*
 * The index of cs->hc by path: each word is the low 32 bits of the
 * path's hash above the entry's index + 1, so that growth needs no path
 * and a probe compares a path only when the hashes agree.
 */
static uint64_t history_word_hash(uint64_t v, const void *ctx)
{
	(void)ctx;
	return v >> 32;
}

struct history_key {
	const char *path;
	uint32_t hash;
};

static bool history_word_eq(uint64_t v, const void *key, const void *ctx)
{
	const struct cset *cs = ctx;
	const struct history_key *k = key;

	return (v >> 32) == k->hash &&
	       strcmp(cs->hc[(uint32_t)v - 1].path, k->path) == 0;
}

/* The slot of `path` in the index: its entry, or the empty slot for it
 * (its hash in *hash); the index must have slots. */
static size_t history_slot(struct cset *cs, const char *path, uint32_t *hash)
{
	struct history_key k = { path, (uint32_t)hmap_hash_str(0, path) };

	*hash = k.hash;
	return hmap_slot(&cs->hidx, k.hash, history_word_eq, &k, cs);
}

/*
 * Past this many files, a change set writes each file's blob as it comes
 * (history_blobs.c) and keeps only its id: a package of a million
 * records must not hold a million files until its commit.
 */
#define STREAM_MIN 1024

/* Write the blob of `c` with the blob writer and keep only its id. */
static int stream_change(struct cset *cs, struct change *c)
{
	int error;

	if (!c->bytes)
		return 0;
	if ((error = tfs_history_blobs_put(c->id.id, cs->blobs, c->bytes,
					   c->len)) < 0)
		return error;
	free((char *)c->bytes);
	c->bytes = NULL;
	c->len = 0;
	c->have_id = true;
	return 0;
}

/* Start writing blobs as they come, beginning with those kept so far. */
static int start_streaming(struct cset *cs)
{
	size_t i;
	int error;

	if ((error = tfs_history_blobs_new(&cs->blobs, cs->in->st->hist)) < 0 ||
	    (error = db_cache_size(inst_db(cs->in), DB_CACHE_BULK_KIB)) < 0)
		return error;
	for (i = 0; i < cs->nhc; i++)
		if ((error = stream_change(cs, &cs->hc[i])) < 0)
			return error;
	return 0;
}

/*
 * Record the new content of `path` (NULL: deleted) for the history commit.
 * A path changed twice in one change set (a package updating an object in
 * two transaction sets) keeps its last content: a commit holds each path
 * once.  With `blob`, also give the id of the content's blob (40 hex
 * digits; "" when deleted) and, in *at, the change's index in cs->hc.
 */
int cset_add_history(struct cset *cs, const char *path, const char *bytes,
		     size_t len, char blob[TFS_OID_HEXSZ + 1], size_t *at)
{
	struct change *c, next = { 0 };
	uint32_t hash;
	size_t slot;
	int error;

	if (cs->nhc >= UINT32_MAX - 1)
		return tfs_error_set(TFS_EINVALID, "too many changes");
	if (hmap_reserve(&cs->hidx, 1, history_word_hash, NULL) < 0)
		return TFS_ERROR;
	if (!cs->blobs && !cs->dry && cs->nhc >= STREAM_MIN &&
	    (error = start_streaming(cs)) < 0)
		return error;
	next.put = bytes != NULL;
	if (bytes && cs->dry) {
		/* Never committed: the id is all it needs, nothing is
		 * written to the repository. */
		if ((error = tfs_history_blob_id(next.id.id, bytes, len)) < 0)
			return error;
		next.have_id = true;
		if (blob)
			tfs_history_id_hex(blob, next.id.id);
	} else if (bytes && cs->blobs) {
		if ((error = tfs_history_blobs_put(next.id.id, cs->blobs, bytes,
						   len)) < 0)
			return error;
		next.have_id = true;
		if (blob)
			tfs_history_id_hex(blob, next.id.id);
	} else if (bytes) {
		char *copy;

		if (blob &&
		    (error = tfs_history_blob_id(next.id.id, bytes, len)) < 0)
			return error;
		if (!(copy = malloc(len ? len : 1)))
			return tfs_error_set(TFS_ERROR, "out of memory");
		memcpy(copy, bytes, len);
		next.bytes = copy;
		next.len = len;
		if (blob)
			tfs_history_id_hex(blob, next.id.id);
	} else if (blob) {
		blob[0] = '\0';
	}
	slot = history_slot(cs, path, &hash);
	if (cs->hidx.slot[slot]) {
		size_t i = (uint32_t)cs->hidx.slot[slot] - 1;

		c = &cs->hc[i];
		free((char *)c->bytes);
		next.path = c->path;
		*c = next;
		cs->hseq[i] = 0;
		if (at)
			*at = i;
		return 0;
	}
	if (cset_grow((void **)&cs->hc, &cs->ahc, cs->nhc + 1,
		      sizeof(*cs->hc)) ||
	    cset_grow((void **)&cs->hseq, &cs->ahseq, cs->nhc + 1,
		      sizeof(*cs->hseq)) ||
	    !(next.path = keep_path(cs, path))) {
		free((char *)next.bytes);
		return TFS_ERROR;
	}
	cs->hseq[cs->nhc] = 0;
	cs->hc[cs->nhc++] = next;
	hmap_put_at(&cs->hidx, slot, (uint64_t)hash << 32 | cs->nhc);
	if (at)
		*at = cs->nhc - 1;
	return 0;
}

/*
 * `path`, the object `obj`, is about to change again in this change set.
 * The commit holds only a path's last content, so the transaction that
 * stored the earlier one can name no blob of it: give that transaction
 * the earlier bytes instead, read from the object row before it changes.
 */
static int supersede(struct cset *cs, const char *path, int64_t obj)
{
	sqlite3_stmt *s;
	uint32_t hash;
	uint64_t v;
	int64_t seq;
	int error;

	if (!cs->hidx.n)
		return 0;
	v = cs->hidx.slot[history_slot(cs, path, &hash)];
	if (!v || !(seq = cs->hseq[(uint32_t)v - 1]))
		return 0;
	s = db_stmt(inst_db(cs->in),
		    "UPDATE transactions SET blob = NULL, bytes ="
		    " (SELECT bytes FROM objects WHERE id = ?1)"
		    " WHERE seq = ?2");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, obj);
	sqlite3_bind_int64(s, 2, seq);
	if ((error = db_done(inst_db(cs->in), s)) < 0)
		return error;
	cs->hseq[(uint32_t)v - 1] = 0;
	return 0;
}

/* Every blob of the change set is in the repository (streaming only). */
int cset_flush_blobs(struct cset *cs)
{
	return cs->blobs ? tfs_history_blobs_flush(cs->blobs) : 0;
}

/*
 * Items are kept encoded in the change set's spill log: op, created, dir,
 * obj and tag, then the name with its NUL.  A package of a million
 * records keeps them in a temporary file, not in memory.
 */
#define ITEM_HEAD (2 + 3 * 8)

static int add_item(struct cset *cs, tfs_change_op op, int64_t dir, int64_t obj,
		    const char *name, bool created)
{
	unsigned char rec[ITEM_HEAD + 256];
	size_t n = strlen(name) + 1;
	int error;

	if (n > sizeof(rec) - ITEM_HEAD)
		return tfs_error_set(TFS_EINVALID, "name too long");
	rec[0] = (unsigned char)op;
	rec[1] = created;
	memcpy(rec + 2, &dir, 8);
	memcpy(rec + 10, &obj, 8);
	memcpy(rec + 18, &cs->tag, 8);
	memcpy(rec + ITEM_HEAD, name, n);
	if ((error = spill_append(&cs->items, rec, ITEM_HEAD + n)) < 0)
		return error;
	cs->nitems++;
	cs->last_obj = obj;
	return 0;
}

void cset_items_begin(struct cset_items *it, struct cset *cs)
{
	spill_read_begin(&it->r, &cs->items);
}

int cset_items_next(struct cset_items *it, struct cset_item *out)
{
	const unsigned char *rec;
	const void *p;
	size_t len;
	int more = spill_read(&it->r, &p, &len);

	if (more <= 0)
		return more;
	rec = p;
	if (len <= ITEM_HEAD || rec[len - 1] != '\0')
		return tfs_error_set(TFS_ERROR, "change set: a bad item");
	out->op = (tfs_change_op)rec[0];
	out->created = rec[1];
	memcpy(&out->dir, rec + 2, 8);
	memcpy(&out->obj, rec + 10, 8);
	memcpy(&out->tag, rec + 18, 8);
	out->name = (const char *)rec + ITEM_HEAD;
	return 1;
}

void cset_items_end(struct cset_items *it)
{
	spill_read_end(&it->r);
}

static int active_project_id(tfs_inst *in, int64_t *out)
{
	tfs_row row = { 0 };
	int error = tfs_inst_active_project(&row, in);

	if (error == 0)
		*out = row.id;
	return error;
}

/*
 * Record one transaction (creating the transaction set on first use); its
 * seq is then sqlite3_last_insert_rowid().  `blob` is the id of the
 * object's blob in the history commit of this change set; NULL or "" for
 * a delete.  The bytes are not stored twice: readers take them from
 * history.git (package_export.c).  `obj` is the object's row before the
 * change (0 when creating): its last transaction becomes this one's `prev`, so
 * that the bytes before a transaction are one lookup away without an
 * index of transactions by path (package_export.c, bytes_before).
 */
static int add_transaction(struct cset *cs, const char *op, tfs_kind kind,
			   const char *type, const char *bo, const char *name,
			   const char *guid, const char *before,
			   const char *after, const char *blob, int64_t obj)
{
	tfs_inst *in = cs->in;
	sqlite3_stmt *s;
	int64_t project;
	int error;

	if (!cs->txset) {
		if ((error = active_project_id(in, &project)) < 0)
			return error;
		s = db_stmt(inst_db(in), "INSERT INTO txsets(project, user, "
					 "created, source) VALUES(?, ?, ?, ?)");
		if (!s)
			return TFS_ERROR;
		sqlite3_bind_int64(s, 1, project);
		sqlite3_bind_text(s, 2, cs->user, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, cs->now);
		sqlite3_bind_text(s, 4, cs->source[0] ? cs->source : "tenantfs",
				  -1, SQLITE_STATIC);
		if ((error = db_done(inst_db(in), s)) < 0)
			return error;
		cs->txset = sqlite3_last_insert_rowid(inst_db(in)->db);
	}
	s = db_stmt(inst_db(in),
		    "INSERT INTO transactions(txset, op, kind, type,"
		    " bo, name, guid, before, after, blob, prev)"
		    " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		    " (SELECT last_tx FROM objects WHERE id = ?))");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, cs->txset);
	sqlite3_bind_text(s, 2, op, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, (int)kind);
	sqlite3_bind_text(s, 4, type, -1, SQLITE_STATIC);
	if (bo)
		sqlite3_bind_text(s, 5, bo, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, name, -1, SQLITE_STATIC);
	if (guid)
		sqlite3_bind_text(s, 7, guid, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, before ? before : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, after ? after : "", -1, SQLITE_STATIC);
	if (blob && blob[0])
		sqlite3_bind_text(s, 10, blob, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 11, obj);
	return db_done(inst_db(in), s);
}

/* Replace the refs and secrets rows of object `obj` from `doc`; `fresh`:
 * the object was just created and has none yet. */
int cset_doc_rows(tfs_inst *in, int64_t obj, const tfs_doc *doc, bool fresh)
{
	sqlite3_stmt *s;
	size_t i;
	int error;

	if (!fresh) {
		s = db_stmt(inst_db(in), "DELETE FROM refs WHERE obj = ?");
		if (!s)
			return TFS_ERROR;
		sqlite3_bind_int64(s, 1, obj);
		if ((error = db_done(inst_db(in), s)) < 0)
			return error;
	}
	s = db_stmt(inst_db(in), "INSERT INTO refs(obj, kind, target) "
				 "VALUES(?, ?, ?)");
	if (!s)
		return TFS_ERROR;
	for (i = 0; i < doc->nrefs; i++) {
		sqlite3_bind_int64(s, 1, obj);
		sqlite3_bind_text(s, 2, doc->refs[i].kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, doc->refs[i].target, -1, SQLITE_STATIC);
		if ((error = db_done(inst_db(in), s)) < 0)
			return error;
	}
	if (fresh && !doc->nsecrets)
		return 0;
	/* Secrets: "***" keeps the stored value; paths gone are dropped. */
	s = db_stmt(inst_db(in), "UPDATE secrets SET obj = -obj WHERE obj = ?");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, obj);
	if ((error = db_done(inst_db(in), s)) < 0)
		return error;
	for (i = 0; i < doc->nsecrets; i++) {
		const tfs_secret *sec = &doc->secrets[i];
		if (sec->value) {
			s = db_stmt(inst_db(in),
				    "INSERT OR REPLACE INTO secrets"
				    "(obj, path, value) "
				    "VALUES(?, ?, ?)");
			if (!s)
				return TFS_ERROR;
			sqlite3_bind_int64(s, 1, obj);
			sqlite3_bind_text(s, 2, sec->path, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 3, sec->value, -1, SQLITE_STATIC);
		} else {
			s = db_stmt(inst_db(in),
				    "UPDATE secrets SET obj = ?1 "
				    "WHERE obj = -?1 AND path = ?2");
			if (!s)
				return TFS_ERROR;
			sqlite3_bind_int64(s, 1, obj);
			sqlite3_bind_text(s, 2, sec->path, -1, SQLITE_STATIC);
		}
		if ((error = db_done(inst_db(in), s)) < 0)
			return error;
	}
	s = db_stmt(inst_db(in), "DELETE FROM secrets WHERE obj = -?");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, obj);
	return db_done(inst_db(in), s);
}

/*
 * Put document `doc` as object `name` in directory `dir`; `old` is the
 * current object or NULL when creating.
 */
int cset_put(struct cset *cs, tfs_kind kind, const char *type, int64_t dir,
	     const char *name, const tfs_doc *doc, const tfs_obj_info *old)
{
	tfs_inst *in = cs->in;
	char sha[65], path[512], blob[TFS_OID_HEXSZ + 1] = "";
	bool versioned = tfs_kind_versioned(kind);
	sqlite3_stmt *s;
	size_t at = 0;
	int64_t id, seq = 0;
	int error;

	snprintf(sha, sizeof(sha), "%s", doc->sha);
	if ((error = obj_path(path, sizeof(path), kind, type, name)) < 0)
		return error;
	if (old && versioned && (error = supersede(cs, path, old->id)) < 0)
		return error;
	/* Transactional records are the customer's data, not configuration:
	 * they are stored and logged but belong to no transaction set nor
	 * history; everything else is versioned.  The transaction comes
	 * first: it reads the object's last one, and the row then names it. */
	if (versioned) {
		if ((error = cset_add_history(cs, path, doc->canon,
					      doc->canon_len, blob, &at)) < 0 ||
		    (error = add_transaction(cs, old ? "U" : "C", kind, type,
					     doc->bo, name, doc->guid,
					     old ? old->sha : "", sha, blob,
					     old ? old->id : 0)) < 0)
			return error;
		seq = sqlite3_last_insert_rowid(inst_db(in)->db);
		cs->hseq[at] = seq;
	}
	if (old) {
		s = db_stmt(inst_db(in),
			    "UPDATE objects SET name = ?2, guid = ?3,"
			    " bo = ?4, sha = ?5, mtime = ?6,"
			    " bytes = ?7, last_tx = ?9 WHERE id = ?1");
		if (!s)
			return TFS_ERROR;
		sqlite3_bind_int64(s, 1, old->id);
	} else {
		s = db_stmt(inst_db(in),
			    "INSERT INTO objects(dir, name, guid, bo,"
			    " sha, mtime, bytes, last_tx)"
			    " VALUES(?8, ?2, ?3, ?4, ?5, ?6, ?7, ?9)");
		if (!s)
			return TFS_ERROR;
		sqlite3_bind_int64(s, 8, dir);
	}
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, doc->guid, -1, SQLITE_STATIC);
	if (doc->bo)
		sqlite3_bind_text(s, 4, doc->bo, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, sha, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, cs->now);
	sqlite3_bind_blob(s, 7, doc->canon, (int)doc->canon_len, SQLITE_STATIC);
	if (seq)
		sqlite3_bind_int64(s, 9, seq);
	if ((error = db_done(inst_db(in), s)) < 0)
		return error;
	id = old ? old->id : sqlite3_last_insert_rowid(inst_db(in)->db);
	if ((error = cset_doc_rows(in, id, doc, !old)) < 0)
		return error;
	if (!cs->first[0])
		snprintf(cs->first, sizeof(cs->first), "%s", path);
	cs->counts[old ? 1 : 0]++;
	return add_item(cs, TFS_CHANGE_PUT, dir, id, name, !old);
}

int cset_delete(struct cset *cs, const tfs_obj_info *old)
{
	tfs_inst *in = cs->in;
	char path[512];
	bool versioned = tfs_kind_versioned(old->kind);
	sqlite3_stmt *s;
	int error;

	if ((error = obj_path(path, sizeof(path), old->kind, old->type,
			      old->name)) < 0)
		return error;
	if (versioned && (error = supersede(cs, path, old->id)) < 0)
		return error;
	/* Before the row goes: the transaction reads its last one. */
	if (versioned &&
	    ((error = cset_add_history(cs, path, NULL, 0, NULL, NULL)) < 0 ||
	     (error = add_transaction(cs, "D", old->kind, old->type, NULL,
				      old->name, NULL, old->sha, "", NULL,
				      old->id)) < 0))
		return error;
	s = db_stmt(inst_db(in), "DELETE FROM objects WHERE id = ?");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, old->id);
	if ((error = db_done(inst_db(in), s)) < 0)
		return error;
	s = db_stmt(inst_db(in), "DELETE FROM refs WHERE obj = ?");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, old->id);
	if ((error = db_done(inst_db(in), s)) < 0)
		return error;
	s = db_stmt(inst_db(in), "DELETE FROM secrets WHERE obj = ?");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, old->id);
	if ((error = db_done(inst_db(in), s)) < 0)
		return error;
	if (!cs->first[0])
		snprintf(cs->first, sizeof(cs->first), "%s", path);
	cs->counts[2]++;
	return add_item(cs, TFS_CHANGE_DELETE, old->dir, old->id, old->name,
			false);
}

int cset_log(tfs_inst *in, int64_t t, const char *user, const char *what,
	     const char *text)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), "INSERT INTO log(time, line) "
					       "VALUES(?, ?)");
	tfs_buf b = TFS_BUF_INIT;
	char iso[32];
	const char *p;
	int error;

	if (!s)
		return TFS_ERROR;
	tfs_time_iso(iso, t);
	error = tfs_buf_printf(&b, "%s %s %s ", iso, user, what);
	for (p = text; !error && *p; p++)
		error = tfs_buf_put(&b, *p == '\n' ? " " : p, 1);
	if (!error)
		error = tfs_buf_puts(&b, "\n");
	if (!error) {
		sqlite3_bind_int64(s, 1, t);
		sqlite3_bind_text(s, 2, b.ptr, (int)b.size, SQLITE_STATIC);
		error = db_done(inst_db(in), s);
	}
	tfs_buf_free(&b);
	return error;
}

int cset_queue_event(tfs_inst *in, int64_t t, const char *user,
		     const char *action, const char *message)
{
	sqlite3_stmt *s = db_stmt(inst_db(in),
				  "INSERT INTO pending_events(time,"
				  " user, action, message) VALUES(?, ?, ?, ?)");

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, t);
	sqlite3_bind_text(s, 2, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, message, -1, SQLITE_STATIC);
	return db_done(inst_db(in), s);
}

void cset_notify(tfs_store *st, int64_t inst, tfs_change_op op, int64_t dir,
		 int64_t obj, const char *name)
{
	if (st->observer)
		st->observer(st->observer_ctx, inst, op, dir, obj, name);
}

/*
 * Check references on the instance as the change set leaves it: what was
 * put refers only to what exists, and what is gone is referred to by
 * nothing (a name deleted and put again in the same set is not gone).
 */
int cset_check(struct cset *cs)
{
	tfs_inst *in = cs->in;
	struct cset_items items;
	struct cset_item it;
	tfs_obj_info info;
	char type[256];
	tfs_kind kind;
	int error = 0, more;

	cset_items_begin(&items, cs);
	while (!error && (more = cset_items_next(&items, &it)) != 0) {
		if ((error = more) < 0 ||
		    (error = tfs_inst_dir_get(in, it.dir, &kind, type)) < 0)
			break;
		if (it.op == TFS_CHANGE_PUT) {
			if ((error = refs_check_object(in, it.obj)) < 0)
				break;
			error = refs_check_incoming(in, kind, type, it.name,
						    false);
			continue;
		}
		error = tfs_inst_obj_find(&info, in, it.dir, it.name);
		if (error == 0)
			continue; /* put again in this set */
		if (error != TFS_ENOTFOUND)
			break;
		error = refs_check_incoming(in, kind, type, it.name, true);
	}
	cset_items_end(&items);
	return error;
}

/*
 * history.git lost the parent commit (or part of it): the commit is made
 * of the whole instance instead (heal.c), and the repair logged.  `n` is
 * the database's last commit number.
 */
static int cset_heal(struct cset *cs, char oid[41], const tfs_history_sig *sig,
		     const char *msg, int n)
{
	char text[400];
	int lost, error;

	fprintf(stderr, "tenantfs: %s: %s; committing the whole instance\n",
		cs->in->branch, tfs_error_last());
	if ((error = inst_history_heal(cs->in, &cs->blobs, oid, sig, msg,
				       &lost)) < 0)
		return error;
	snprintf(text, sizeof(text),
		 "history.git had lost %d commit%s of "
		 "%s, the newest %d (git maintenance?); commit %d holds the "
		 "whole instance",
		 lost, lost == 1 ? "" : "s", cs->in->branch, n, n + 1);
	return inst_log_event(cs->in, cs->user, "History/Repaired", text);
}

/* The commit message: `message`, or one made from the counts. */
static void commit_message(char *msg, size_t size, const struct cset *cs,
			   const char *message)
{
	if (message)
		snprintf(msg, size, "%s", message);
	else if (cs->nitems == 1)
		snprintf(msg, size, "%s %s",
			 cs->counts[0] ? "Create" :
			 cs->counts[1] ? "Update" :
					 "Delete",
			 cs->first);
	else
		snprintf(msg, size, "%d created, %d updated, %d deleted",
			 cs->counts[0], cs->counts[1], cs->counts[2]);
}

/*
 * The history commit of the change set on `parent` (none: "") as oid,
 * and its row, number *n + 1 (*n is the last one), in the database's
 * transaction.
 */
static int commit_history(char oid[41], int *n, struct cset *cs,
			  const char *parent, const char *msg)
{
	tfs_inst *in = cs->in;
	tfs_history_sig sig;
	sqlite3_stmt *s;
	char email[160];
	int error;

	snprintf(email, sizeof(email), "%s@tenantfs.local", cs->user);
	sig.name = cs->user;
	sig.email = email;
	sig.time = cs->now;
	if ((error = cset_flush_blobs(cs)) < 0)
		return error;
	/* Nothing is put any more: the index by path goes before the commit
	 * sorts the list (32 MB at 10^6 paths). */
	hmap_free(&cs->hidx);
	free(cs->hseq);
	cs->hseq = NULL;
	cs->ahseq = 0;
	error = hist_write_commit(oid, in->st->hist, parent[0] ? parent : NULL,
				  cs->hc, cs->nhc, &sig, msg);
	/* The database names the parent: if git lacks it (or part of it),
	 * git lost it. */
	if ((error == TFS_EDAMAGED || error == TFS_ENOTFOUND) && parent[0])
		error = cset_heal(cs, oid, &sig, msg, *n);
	if (error < 0)
		return error;
	++*n;
	if ((error = inst_commit_row(inst_db(in), *n, oid, cs->now, cs->user,
				     msg, cs->txset)) < 0)
		return error;
	s = db_stmt(inst_db(in), "UPDATE txsets SET commit_n = ? WHERE id = ?");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int(s, 1, *n);
	sqlite3_bind_int64(s, 2, cs->txset);
	return db_done(inst_db(in), s);
}

/* The instance's metadata, log line and event for the change set, in the
 * database's transaction; the log names the transaction set and commit. */
static int record_commit(struct cset *cs, const char *action, const char *msg,
			 const char *oid, int n)
{
	tfs_inst *in = cs->in;
	char logtext[800];
	int error;

	if (oid[0] && cs->txset)
		snprintf(logtext, sizeof(logtext),
			 "%s (transaction set %lld,"
			 " commit %d)",
			 msg, (long long)cs->txset, n);
	else if (oid[0])
		snprintf(logtext, sizeof(logtext), "%s (commit %d)", msg, n);
	else if (cs->txset)
		snprintf(logtext, sizeof(logtext), "%s (transaction set %lld)",
			 msg, (long long)cs->txset);
	else
		snprintf(logtext, sizeof(logtext), "%s", msg);
	if (cs->version > 0 &&
	    (error = inst_meta_set_int(in, "version", cs->version)) < 0)
		return error;
	if ((error = inst_meta_set_int(in, "last_update", cs->now)) < 0 ||
	    (error = inst_meta_set_text(in, "last_update_by", cs->user)) < 0 ||
	    (error = cset_log(in, cs->now, cs->user, "apply", logtext)) < 0)
		return error;
	return cset_queue_event(in, cs->now, cs->user, action, logtext);
}

/* Tell the observers what a committed change set changed. */
static void notify_committed(struct cset *cs)
{
	tfs_inst *in = cs->in;
	tfs_store *st = in->st;
	struct cset_items items;
	struct cset_item it;
	bool last_created = false;
	int64_t last_dir = 0;
	int more;

	cset_items_begin(&items, cs);
	while ((more = cset_items_next(&items, &it)) > 0) {
		/* A new object is in no kernel cache: only its directory's
		 * listing changed, once per directory (a package may create
		 * a million records). */
		if (it.created) {
			if (!(last_created && last_dir == it.dir))
				cset_notify(st, in->id, TFS_CHANGE_DIR, it.dir,
					    0, NULL);
		} else {
			cset_notify(st, in->id, it.op, it.dir, it.obj, it.name);
		}
		last_created = it.created;
		last_dir = it.dir;
	}
	cset_items_end(&items);
	/* Only a failing disk stops the read-back, and the change is
	 * committed by then: say that caches may lag (until their
	 * timeouts) rather than fail what is done. */
	if (more < 0)
		fprintf(stderr,
			"tenantfs: after a commit to %s/%s: %s; cached "
			"objects may be stale until their timeouts\n",
			in->tenant, in->name, tfs_error_last());
	cset_notify(st, in->id, TFS_CHANGE_INSTANCE, 0, 0, NULL);
}

/*
 * Commit the change set: history commit (if anything versioned changed),
 * commit row, metadata, log, event; then the branch and the observers.
 * `action` is the event action; `message` the commit message (NULL: made
 * from the counts).  On error everything is rolled back.
 */
int cset_commit(struct cset *cs, const char *action, const char *message)
{
	tfs_inst *in = cs->in;
	tfs_store *st = in->st;
	char parent[41], oid[41] = "", msg[700];
	int n = 0, error;

	if (cs->nitems == 0 && !cs->force) {
		cset_abort(cs);
		return 0;
	}
	commit_message(msg, sizeof(msg), cs, message);
	if ((!cs->checked && (error = cset_check(cs)) < 0) ||
	    (error = inst_last_commit(in, &n, parent)) < 0 ||
	    ((cs->nhc > 0 || cs->force) &&
	     (error = commit_history(oid, &n, cs, parent, msg)) < 0) ||
	    (error = record_commit(cs, action, msg, oid, n)) < 0 ||
	    (error = db_exec(inst_db(in), "COMMIT")) < 0) {
		cset_abort(cs);
		return error;
	}
	/* Committed.  What follows can only lag, never undo: a failure to
	 * move the branch is repaired by inst_recover() on the next open. */
	if (oid[0] && tfs_history_set_ref(st->hist, in->branch, oid) < 0)
		fprintf(stderr, "tenantfs: %s: %s (repaired on next mount)\n",
			in->branch, tfs_error_last());
	store_flush_events(st, in);
	notify_committed(cs);
	cset_free(cs);
	return 0;
}

/*
 * The outcome of a request that is not a change set (a refused revert,
 * push or restore; a restore's result): meta `key` set to `text` (if
 * `key`), a log line and event `action` with `message` (if `message`),
 * in one transaction; then the observer, so that the kernel drops the
 * instance's log and result files.  Best effort: the request's own
 * error is what its caller reports.
 */
void inst_record_outcome(tfs_inst *in, const char *user, const char *key,
			 const char *text, const char *action,
			 const char *message)
{
	bool logged = false;

	inst_write_begin(in);
	if (!db_exec(inst_db(in), "BEGIN IMMEDIATE")) {
		if ((key && inst_meta_set_text(in, key, text)) ||
		    (message && inst_log_event(in, user, action, message)) ||
		    db_exec(inst_db(in), "COMMIT"))
			db_rollback(inst_db(in));
		else
			logged = message != NULL;
	}
	if (logged)
		store_flush_events(in->st, in);
	cset_notify(in->st, in->id, TFS_CHANGE_INSTANCE, 0, 0, NULL);
	inst_write_end(in);
}
