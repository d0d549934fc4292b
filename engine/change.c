/*
 * Changes to an instance: the change set that every write goes through
 * (save, delete, rename, revert, and later package apply), plus the
 * rejection log and the initial load of the demo.
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
#include "tenantfs/demo.h"
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
	free(cs->hidx);
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

static int grow(void **p, size_t *alloc, size_t need, size_t elem)
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

static size_t path_hash(const char *p)
{
	size_t h = 1469598103934665603ULL;

	for (; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return h;
}

/* The slot of `path` in the index: its entry, or the empty slot for it. */
static uint32_t *history_slot(struct cset *cs, const char *path)
{
	size_t i = path_hash(path) & (cs->hcap - 1);

	while (cs->hidx[i] && strcmp(cs->hc[cs->hidx[i] - 1].path, path) != 0)
		i = (i + 1) & (cs->hcap - 1);
	return &cs->hidx[i];
}

static int history_index_grow(struct cset *cs)
{
	size_t cap = cs->hcap ? cs->hcap * 2 : 1024, i, oldcap = cs->hcap;
	uint32_t *old = cs->hidx;

	cs->hidx = calloc(cap, sizeof(*cs->hidx));
	if (!cs->hidx) {
		cs->hidx = old;
		return tfs_error_set(TFS_ERROR, "out of memory");
	}
	cs->hcap = cap;
	for (i = 0; i < oldcap; i++)
		if (old[i])
			*history_slot(cs, cs->hc[old[i] - 1].path) = old[i];
	free(old);
	return 0;
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
static int add_history(struct cset *cs, const char *path, const char *bytes,
		       size_t len, char blob[TFS_OID_HEXSZ + 1], size_t *at)
{
	struct change *c, next = { 0 };
	uint32_t *slot;
	int error;

	if (cs->nhc >= UINT32_MAX - 1)
		return tfs_error_set(TFS_EINVALID, "too many changes");
	if ((cs->nhc + 1) * 2 > cs->hcap && history_index_grow(cs) < 0)
		return TFS_ERROR;
	if (!cs->blobs && !cs->dry && cs->nhc >= STREAM_MIN &&
	    (error = start_streaming(cs)) < 0)
		return error;
	next.put = bytes != NULL;
	if (bytes && cs->dry) {
		/* Never committed: the id is all it needs, nothing is
		 * written to the repository. */
		if ((error = tfs_history_blob_id(next.id.id, bytes,
						 len)) < 0)
			return error;
		next.have_id = true;
		if (blob)
			tfs_history_id_hex(blob, next.id.id);
	} else if (bytes && cs->blobs) {
		if ((error = tfs_history_blobs_put(next.id.id, cs->blobs,
						   bytes, len)) < 0)
			return error;
		next.have_id = true;
		if (blob)
			tfs_history_id_hex(blob, next.id.id);
	} else if (bytes) {
		char *copy;

		if (blob && (error = tfs_history_blob_id(next.id.id, bytes,
							 len)) < 0)
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
	slot = history_slot(cs, path);
	if (*slot) {
		c = &cs->hc[*slot - 1];
		free((char *)c->bytes);
		next.path = c->path;
		*c = next;
		cs->hseq[*slot - 1] = 0;
		if (at)
			*at = *slot - 1;
		return 0;
	}
	if (grow((void **)&cs->hc, &cs->ahc, cs->nhc + 1, sizeof(*cs->hc)) ||
	    grow((void **)&cs->hseq, &cs->ahseq, cs->nhc + 1,
		 sizeof(*cs->hseq)) ||
	    !(next.path = keep_path(cs, path))) {
		free((char *)next.bytes);
		return TFS_ERROR;
	}
	cs->hseq[cs->nhc] = 0;
	cs->hc[cs->nhc++] = next;
	*slot = (uint32_t)cs->nhc;
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
	uint32_t *slot;
	int64_t seq;
	int error;

	if (!cs->hcap)
		return 0;
	slot = history_slot(cs, path);
	if (!*slot || !(seq = cs->hseq[*slot - 1]))
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
	cs->hseq[*slot - 1] = 0;
	return 0;
}

/* Every blob of the change set is in the repository (streaming only). */
static int flush_blobs(struct cset *cs)
{
	return cs->blobs ? tfs_history_blobs_flush(cs->blobs) : 0;
}

/*
 * Items are kept encoded in the change set's spill log: op, created, dir,
 * obj and tag, then the name with its NUL.  A package of a million
 * records keeps them in a temporary file, not in memory.
 */
#define ITEM_HEAD (2 + 3 * 8)

static int add_item(struct cset *cs, tfs_change_op op, int64_t dir,
		    int64_t obj, const char *name, bool created)
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
	tfs_row row = {0};
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
 * history.git (package.c).  `obj` is the object's row before the change
 * (0 when creating): its last transaction becomes this one's `prev`, so
 * that the bytes before a transaction are one lookup away without an
 * index of transactions by path (package.c, bytes_before).
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
		sqlite3_bind_text(s, 4, cs->source[0] ? cs->source :
				  "tenantfs", -1, SQLITE_STATIC);
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
static int store_doc_rows(tfs_inst *in, int64_t obj, const tfs_doc *doc,
			  bool fresh)
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
		sqlite3_bind_text(s, 3, doc->refs[i].target, -1,
				  SQLITE_STATIC);
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
int cset_put(struct cset *cs, tfs_kind kind, const char *type,
		    int64_t dir, const char *name, const tfs_doc *doc,
		    const tfs_obj_info *old)
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
		if ((error = add_history(cs, path, doc->canon, doc->canon_len,
					 blob, &at)) < 0 ||
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
	sqlite3_bind_blob(s, 7, doc->canon, (int)doc->canon_len,
			  SQLITE_STATIC);
	if (seq)
		sqlite3_bind_int64(s, 9, seq);
	if ((error = db_done(inst_db(in), s)) < 0)
		return error;
	id = old ? old->id : sqlite3_last_insert_rowid(inst_db(in)->db);
	if ((error = store_doc_rows(in, id, doc, !old)) < 0)
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
	    ((error = add_history(cs, path, NULL, 0, NULL, NULL)) < 0 ||
	     (error = add_transaction(cs, "D", old->kind, old->type, NULL,
				      old->name, NULL, old->sha, "",
				      NULL, old->id)) < 0))
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

static int append_log(tfs_inst *in, int64_t t, const char *user,
		      const char *what, const char *text)
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

static int queue_event(tfs_inst *in, int64_t t, const char *user,
		       const char *action, const char *message)
{
	sqlite3_stmt *s =
	    db_stmt(inst_db(in), "INSERT INTO pending_events(time,"
				 " user, action, message) VALUES(?, ?, ?, ?)");

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, t);
	sqlite3_bind_text(s, 2, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, message, -1, SQLITE_STATIC);
	return db_done(inst_db(in), s);
}

static void notify(tfs_store *st, int64_t inst, tfs_change_op op,
		   int64_t dir, int64_t obj, const char *name)
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
 * Commit the change set: history commit (if anything versioned changed),
 * commit row, metadata, log, event; then the branch and the observers.
 * `action` is the event action; `message` the commit message (NULL: made
 * from the counts).  On error everything is rolled back.
 */
int cset_commit(struct cset *cs, const char *action,
		       const char *message)
{
	tfs_inst *in = cs->in;
	tfs_store *st = in->st;
	char parent[41], oid[41] = "", msg[700], logtext[800];
	tfs_history_sig sig;
	sqlite3_stmt *s;
	char email[160];
	struct cset_items items;
	struct cset_item it;
	bool last_created = false;
	int64_t last_dir = 0;
	int n = 0, error, more;

	if (cs->nitems == 0 && !cs->force) {
		cset_abort(cs);
		return 0;
	}
	if (message)
		snprintf(msg, sizeof(msg), "%s", message);
	else if (cs->nitems == 1)
		snprintf(msg, sizeof(msg), "%s %s",
			 cs->counts[0] ? "Create" :
			 cs->counts[1] ? "Update" : "Delete", cs->first);
	else
		snprintf(msg, sizeof(msg), "%d created, %d updated, %d "
			 "deleted", cs->counts[0], cs->counts[1],
			 cs->counts[2]);
	if ((!cs->checked && (error = cset_check(cs)) < 0) ||
	    (error = inst_last_commit(in, &n, parent)) < 0)
		goto fail;
	if (cs->nhc > 0 || cs->force) {
		snprintf(email, sizeof(email), "%s@tenantfs.local", cs->user);
		sig.name = cs->user;
		sig.email = email;
		sig.time = cs->now;
		if ((error = flush_blobs(cs)) < 0)
			goto fail;
		/* Nothing is put any more: the index by path goes before
		 * the commit sorts the list (16 MB at 10^6 paths). */
		free(cs->hidx);
		free(cs->hseq);
		cs->hidx = NULL;
		cs->hseq = NULL;
		cs->hcap = cs->ahseq = 0;
		if ((error = hist_write_commit(oid, st->hist,
				parent[0] ? parent : NULL, cs->hc, cs->nhc,
				&sig, msg)) < 0)
			goto fail;
		n++;
		s = db_stmt(inst_db(in),
			    "INSERT INTO commits(n, oid, time, user,"
			    " message, txset) VALUES(?, ?, ?, ?, ?, ?)");
		if (!s) {
			error = TFS_ERROR;
			goto fail;
		}
		sqlite3_bind_int(s, 1, n);
		sqlite3_bind_text(s, 2, oid, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, cs->now);
		sqlite3_bind_text(s, 4, cs->user, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, msg, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 6, cs->txset);
		if ((error = db_done(inst_db(in), s)) < 0)
			goto fail;
		s = db_stmt(inst_db(in), "UPDATE txsets SET commit_n = ? "
					 "WHERE id = ?");
		if (!s) {
			error = TFS_ERROR;
			goto fail;
		}
		sqlite3_bind_int(s, 1, n);
		sqlite3_bind_int64(s, 2, cs->txset);
		if ((error = db_done(inst_db(in), s)) < 0)
			goto fail;
	}
	if (oid[0] && cs->txset)
		snprintf(logtext, sizeof(logtext), "%s (transaction set %lld,"
			 " commit %d)", msg, (long long)cs->txset, n);
	else if (oid[0])
		snprintf(logtext, sizeof(logtext), "%s (commit %d)", msg, n);
	else if (cs->txset)
		snprintf(logtext, sizeof(logtext), "%s (transaction set %lld)",
			 msg, (long long)cs->txset);
	else
		snprintf(logtext, sizeof(logtext), "%s", msg);
	if (cs->version > 0 &&
	    (error = inst_meta_set_int(in, "version", cs->version)) < 0)
		goto fail;
	if ((error = inst_meta_set_int(in, "last_update", cs->now)) < 0 ||
	    (error = inst_meta_set_text(in, "last_update_by", cs->user)) < 0 ||
	    (error = append_log(in, cs->now, cs->user, "apply", logtext)) < 0 ||
	    (error = queue_event(in, cs->now, cs->user, action, logtext)) < 0)
		goto fail;
	if ((error = db_exec(inst_db(in), "COMMIT")) < 0)
		goto fail;
	/* Committed.  What follows can only lag, never undo: a failure to
	 * move the branch is repaired by inst_recover() on the next open. */
	if (oid[0] && tfs_history_set_ref(st->hist, in->branch, oid) < 0)
		fprintf(stderr, "tenantfs: %s: %s (repaired on next mount)\n",
			in->branch, tfs_error_last());
	store_flush_events(st, in);
	cset_items_begin(&items, cs);
	while ((more = cset_items_next(&items, &it)) > 0) {
		/* A new object is in no kernel cache: only its directory's
		 * listing changed, once per directory (a package may create
		 * a million records). */
		if (it.created) {
			if (!(last_created && last_dir == it.dir))
				notify(st, in->id, TFS_CHANGE_DIR, it.dir, 0,
				       NULL);
		} else {
			notify(st, in->id, it.op, it.dir, it.obj, it.name);
		}
		last_created = it.created;
		last_dir = it.dir;
	}
	cset_items_end(&items);
	/* Only a failing disk stops the read-back, and the change is
	 * committed by then: say that caches may lag (until their
	 * timeouts) rather than fail what is done. */
	if (more < 0)
		fprintf(stderr, "tenantfs: after a commit to %s/%s: %s; cached "
			"objects may be stale until their timeouts\n",
			in->tenant, in->name, tfs_error_last());
	notify(st, in->id, TFS_CHANGE_INSTANCE, 0, 0, NULL);
	cset_free(cs);
	return 0;
fail:
	cset_abort(cs);
	return error;
}

/* ---- saves ------------------------------------------------------------------ */

static int check_lock(tfs_inst *in, tfs_kind kind, const char *type)
{
	if (tfs_inst_locked(in) && tfs_inst_type_lockable(kind, type))
		return tfs_error_set(TFS_ELOCKED, "metadata of %s/%s is "
				     "locked (instance.conf: metadata_locked "
				     "= true)", in->tenant, in->name);
	return 0;
}

/* Whether saving `doc` over `old` changes nothing (bytes and secrets). */
static int unchanged(tfs_inst *in, const tfs_obj_info *old,
		     const tfs_doc *doc)
{
	char sha[65];
	sqlite3_stmt *s;
	size_t i;
	int same = 1, nstored = 0;

	snprintf(sha, sizeof(sha), "%s", doc->sha);
	if (strcmp(sha, old->sha) != 0)
		return 0;
	s = db_stmt(inst_db(in), "SELECT count(*) FROM secrets WHERE obj = ?");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, old->id);
	if (sqlite3_step(s) == SQLITE_ROW)
		nstored = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	s = db_stmt(inst_db(in), "SELECT value FROM secrets WHERE obj = ? "
				 "AND path = ?");
	if (!s)
		return TFS_ERROR;
	for (i = 0; i < doc->nsecrets && same; i++) {
		const tfs_secret *sec = &doc->secrets[i];
		sqlite3_bind_int64(s, 1, old->id);
		sqlite3_bind_text(s, 2, sec->path, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW) {
			if (sec->value && strcmp(sec->value,
						 db_text(s, 0)) != 0)
				same = 0;
		} else if (sec->value) {
			same = 0;
		}
		sqlite3_reset(s);
	}
	if ((size_t)nstored > doc->nsecrets)
		same = 0;
	return same;
}

/* Resolve (kind, type) to a directory, creating master/data BO dirs and
 * the locale of a translation. */
static int resolve_dir(int64_t *out, tfs_inst *in, tfs_kind kind,
		       const char *type)
{
	int error = tfs_inst_dir_find(out, in, kind, type);

	if (error == TFS_ENOTFOUND &&
	    (kind == TFS_KIND_MASTER || kind == TFS_KIND_DATA))
		error = tfs_inst_dir_create(out, in, kind, type);
	else if (error == TFS_ENOTFOUND && kind == TFS_KIND_TRANSLATION)
		error = inst_translation_dir(out, in, type);
	return error;
}

/* Whether another object than `self` already uses `guid`. */
static int guid_taken(tfs_inst *in, const char *guid, int64_t self,
		      char *where, size_t size)
{
	sqlite3_stmt *s =
	    db_stmt(inst_db(in), "SELECT o.name, d.kind, d.type "
				 "FROM objects o JOIN dirs d ON d.id = o.dir "
				 "WHERE o.guid = ? AND o.id != ? LIMIT 1");
	int taken = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_text(s, 1, guid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, self);
	if (sqlite3_step(s) == SQLITE_ROW) {
		taken = 1;
		obj_path(where, size, (tfs_kind)sqlite3_column_int(s, 1),
			    db_text(s, 2), db_text(s, 0));
	}
	sqlite3_reset(s);
	return taken;
}

/*
 * Parse `bytes` as the new content of (kind, type, name) given the current
 * object `old` (NULL if none), enforcing guid stability and uniqueness.
 */
static int parse_for_save(tfs_doc **out, tfs_inst *in, tfs_kind kind,
			  const char *type, const char *name,
			  const char *bytes, size_t len,
			  const tfs_obj_info *old, const char *old_guid)
{
	char fresh[37], where[512];
	tfs_doc *doc = NULL;
	int error;

	*out = NULL;
	tfs_uuid_new(fresh);
	if ((error = tfs_doc_parse(&doc, kind, type, name, bytes, len,
				   old ? old_guid : fresh)) < 0)
		return error;
	if (old && strcmp(doc->guid, old_guid) != 0) {
		error = tfs_error_set(TFS_EINVALID, "guid cannot change "
				      "(stored %s, given %s)", old_guid,
				      doc->guid);
		goto done;
	}
	error = guid_taken(in, doc->guid, old ? old->id : 0, where,
			   sizeof(where));
	if (error > 0)
		error = tfs_error_set(TFS_EINVALID, "guid %s is already used "
				      "by %s", doc->guid, where);
	if (error < 0)
		goto done;
	*out = doc;
	doc = NULL;
done:
	tfs_doc_free(doc);
	return error;
}

static int obj_guid(tfs_inst *in, int64_t id, char out[64])
{
	sqlite3_stmt *s = db_stmt(inst_db(in), "SELECT guid FROM objects "
					       "WHERE id = ?");

	if (!s)
		return TFS_ERROR;
	out[0] = '\0';
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		snprintf(out, 64, "%s", db_text(s, 0));
	sqlite3_reset(s);
	return 0;
}

static int inst_save_locked(int64_t *out_id, tfs_inst *in, const char *user,
			    tfs_kind kind, const char *type, const char *name,
			    const char *bytes, size_t len)
{
	tfs_obj_info old, *oldp = NULL;
	tfs_doc *doc = NULL;
	struct cset cs;
	char guid[64] = "";
	const char *action;
	int64_t dir;
	int error;

	if (!tfs_type_valid(kind, type))
		return tfs_error_set(TFS_EINVALID, "'%s' is not a directory "
				     "of %s/", type, tfs_kind_dir(kind));
	if (!tfs_name_valid(name))
		return tfs_error_set(TFS_EINVALID, "invalid object name '%s' "
				     "(letters, digits, . _ - # only)", name);
	if ((error = inst_check_open(in, "edits")) < 0 ||
	    (error = check_lock(in, kind, type)) < 0)
		return error;
	if ((error = cset_begin(&cs, in, user)) < 0)
		return error;
	if ((error = resolve_dir(&dir, in, kind, type)) < 0)
		goto fail;
	error = tfs_inst_obj_find(&old, in, dir, name);
	if (error == 0) {
		oldp = &old;
		if ((error = obj_guid(in, old.id, guid)) < 0)
			goto fail;
	} else if (error != TFS_ENOTFOUND) {
		goto fail;
	}
	if ((error = parse_for_save(&doc, in, kind, type, name, bytes, len,
				    oldp, guid)) < 0)
		goto fail;
	if (oldp && (error = unchanged(in, oldp, doc)) != 0) {
		if (error > 0) {
			error = 0;
			if (out_id)
				*out_id = old.id;
		}
		goto fail; /* nothing to do: roll back the empty txn */
	}
	if ((error = cset_put(&cs, kind, type, dir, name, doc, oldp)) < 0)
		goto fail;
	if (out_id)
		*out_id = cs.last_obj;
	action = oldp ? "Object/Update" : "Object/Create";
	tfs_doc_free(doc);
	return cset_commit(&cs, action, NULL);
fail:
	tfs_doc_free(doc);
	cset_abort(&cs);
	return error;
}

int tfs_inst_save(int64_t *out_id, tfs_inst *in, const char *user,
		  tfs_kind kind, const char *type, const char *name,
		  const char *bytes, size_t len)
{
	int error;

	inst_write_begin(in);
	error =
	    inst_save_locked(out_id, in, user, kind, type, name, bytes, len);
	inst_write_end(in);
	return error;
}

static int inst_delete_locked(tfs_inst *in, const char *user, int64_t id)
{
	tfs_obj_info old;
	struct cset cs;
	int error;

	if ((error = tfs_inst_obj_get(&old, in, id)) < 0)
		return error;
	if ((error = inst_check_open(in, "edits")) < 0 ||
	    (error = check_lock(in, old.kind, old.type)) < 0 ||
	    (error = cset_begin(&cs, in, user)) < 0)
		goto refused;
	if ((error = cset_delete(&cs, &old)) < 0) {
		cset_abort(&cs);
		goto refused;
	}
	if ((error = cset_commit(&cs, "Object/Delete", NULL)) == 0)
		return 0;
refused:
	/* Like a refused save: in the log and events, with the reason. */
	{
		char path[600], reason[512];

		snprintf(reason, sizeof(reason), "%s", tfs_error_last());
		if (obj_path(path, sizeof(path), old.kind, old.type,
			     old.name) == 0)
			tfs_inst_reject(in, user, path, reason);
		tfs_error_set(error, "%s", reason);
	}
	return error;
}

int tfs_inst_delete(tfs_inst *in, const char *user, int64_t id)
{
	int error;

	inst_write_begin(in);
	error = inst_delete_locked(in, user, id);
	inst_write_end(in);
	return error;
}

static int move_secrets(tfs_inst *in, int64_t from, int64_t to)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), "UPDATE secrets SET obj = ? "
					       "WHERE obj = ?");

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, to);
	sqlite3_bind_int64(s, 2, from);
	return db_done(inst_db(in), s);
}

/*
 * Rename: the object's bytes with the name attribute rewritten, parsed
 * again under the new name, replacing any object of that name; the guid
 * stays with the renamed object.
 */
static int inst_rename_locked(tfs_inst *in, const char *user, int64_t id,
			      const char *newname)
{
	tfs_obj_info old, target, *targetp = NULL;
	tfs_buf bytes = TFS_BUF_INIT, fixed = TFS_BUF_INIT;
	tfs_doc *doc = NULL;
	struct cset cs;
	char guid[64], msg[1100], from[512], to[512];
	const char *p, *q;
	int error;

	if (!tfs_name_valid(newname))
		return tfs_error_set(TFS_EINVALID, "invalid object name '%s'",
				     newname);
	if ((error = tfs_inst_obj_get(&old, in, id)) < 0)
		return error;
	if (strcmp(old.name, newname) == 0)
		return 0;
	if ((error = inst_check_open(in, "edits")) < 0 ||
	    (error = check_lock(in, old.kind, old.type)) < 0)
		return error;
	if ((error = tfs_inst_obj_read(&bytes, in, id)) < 0 ||
	    (error = obj_guid(in, id, guid)) < 0)
		goto out;
	/* Canonical bytes start with <Root name="old" ...: swap the name. */
	p = strstr(bytes.ptr, " name=\"");
	q = p ? strchr(p + 7, '"') : NULL;
	if (!p || !q) {
		error = tfs_error_set(TFS_ERROR, "stored object has no name");
		goto out;
	}
	if ((error = tfs_buf_put(&fixed, bytes.ptr, (size_t)(p - bytes.ptr)
				 + 7)) < 0 ||
	    (error = tfs_buf_puts(&fixed, newname)) < 0 ||
	    (error = tfs_buf_puts(&fixed, q)) < 0)
		goto out;
	if ((error = cset_begin(&cs, in, user)) < 0)
		goto out;
	error = tfs_inst_obj_find(&target, in, old.dir, newname);
	if (error == 0)
		targetp = &target;
	else if (error != TFS_ENOTFOUND)
		goto fail;
	if ((error = tfs_doc_parse(&doc, old.kind, old.type, newname,
				   fixed.ptr, fixed.size, guid)) < 0)
		goto fail;
	/* Replace the target, store the renamed object, move the secrets
	 * (the canonical bytes hold only "***"), remove the old name. */
	if ((targetp && (error = cset_delete(&cs, targetp)) < 0) ||
	    (error = cset_put(&cs, old.kind, old.type, old.dir, newname, doc,
			      NULL)) < 0 ||
	    (error = move_secrets(in, old.id,
				  cs.last_obj)) < 0 ||
	    (error = cset_delete(&cs, &old)) < 0)
		goto fail;
	obj_path(from, sizeof(from), old.kind, old.type, old.name);
	obj_path(to, sizeof(to), old.kind, old.type, newname);
	snprintf(msg, sizeof(msg), "Rename %s to %s", from, to);
	error = cset_commit(&cs, "Object/Rename", msg);
	goto out;
fail:
	cset_abort(&cs);
out:
	tfs_doc_free(doc);
	tfs_buf_free(&bytes);
	tfs_buf_free(&fixed);
	return error;
}

int tfs_inst_rename(tfs_inst *in, const char *user, int64_t id,
		    const char *newname)
{
	int error;

	inst_write_begin(in);
	error = inst_rename_locked(in, user, id, newname);
	inst_write_end(in);
	return error;
}

static void inst_reject_locked(tfs_inst *in, const char *user, const char *path,
			       const char *reason)
{
	char text[1024];
	int64_t t = tfs_now();

	snprintf(text, sizeof(text), "%s: %s", path, reason);
	if (db_exec(inst_db(in), "BEGIN IMMEDIATE") < 0)
		return;
	if (append_log(in, t, user, "reject", text) < 0 ||
	    queue_event(in, t, user, "Object/Reject", text) < 0 ||
	    db_exec(inst_db(in), "COMMIT") < 0) {
		db_rollback(inst_db(in));
		return;
	}
	store_flush_events(in->st, in);
	notify(in->st, in->id, TFS_CHANGE_INSTANCE, 0, 0, NULL);
}

void tfs_inst_reject(tfs_inst *in, const char *user, const char *path,
		     const char *reason)
{
	inst_write_begin(in);
	inst_reject_locked(in, user, path, reason);
	inst_write_end(in);
}

/* ---- revert ------------------------------------------------------------------ */

struct path_list {
	char **path;
	char **before;
	size_t *before_len;
	size_t n, alloc;
};

static void path_list_free(struct path_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->path[i]);
		free(l->before[i]);
	}
	free(l->path);
	free(l->before);
	free(l->before_len);
	memset(l, 0, sizeof(*l));
}

static int collect_change(void *ctx, const char *path, const char *before,
			  size_t before_len, const char *after,
			  size_t after_len)
{
	struct path_list *l = ctx;
	size_t a = l->alloc;

	(void)after;
	(void)after_len;
	if (grow((void **)&l->path, &a, l->n + 1, sizeof(char *)) < 0)
		return TFS_ERROR;
	a = l->alloc;
	if (grow((void **)&l->before, &a, l->n + 1, sizeof(char *)) < 0)
		return TFS_ERROR;
	a = l->alloc;
	if (grow((void **)&l->before_len, &a, l->n + 1, sizeof(size_t)) < 0)
		return TFS_ERROR;
	l->alloc = a;
	l->path[l->n] = strdup(path);
	l->before[l->n] = NULL;
	l->before_len[l->n] = before_len;
	if (before) {
		l->before[l->n] = malloc(before_len + 1);
		if (l->before[l->n]) {
			memcpy(l->before[l->n], before, before_len);
			l->before[l->n][before_len] = '\0';
		}
	}
	l->n++;
	if (!l->path[l->n - 1] || (before && !l->before[l->n - 1]))
		return tfs_error_set(TFS_ERROR, "out of memory");
	return 0;
}

struct conflict_scan {
	struct path_list *mine;
	tfs_buf *result;
	int commit;
	int found;
};

static int scan_later(void *ctx, const char *path, const char *before,
		      size_t before_len, const char *after, size_t after_len)
{
	struct conflict_scan *cs = ctx;
	size_t i;

	(void)before; (void)before_len; (void)after; (void)after_len;
	for (i = 0; i < cs->mine->n; i++) {
		if (strcmp(cs->mine->path[i], path) == 0) {
			cs->found++;
			return tfs_buf_printf(cs->result, "conflict commit=%d: "
					      "%s: changed by a later commit\n",
					      cs->commit, path);
		}
	}
	return 0;
}

static bool commit_is_package(tfs_inst *in, int n)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), "SELECT message FROM commits "
					       "WHERE n = ?");
	bool yes = false;

	if (!s)
		return false;
	sqlite3_bind_int(s, 1, n);
	if (sqlite3_step(s) == SQLITE_ROW)
		yes = strncmp(db_text(s, 0), "Apply package ", 14) == 0;
	sqlite3_reset(s);
	return yes;
}

/*
 * revert.result becomes `text`; a refusal (error < 0) is also a line of
 * the patch log and an event, with its reason, like a refused save.
 */
static void revert_outcome(tfs_inst *in, const char *user, const char *text,
			   int error)
{
	char reason[600];
	bool logged = false;

	snprintf(reason, sizeof(reason), "%s", tfs_error_last());
	if (!db_exec(inst_db(in), "BEGIN IMMEDIATE")) {
		if (inst_meta_set_text(in, "revert_result", text) ||
		    (error < 0 &&
		     inst_log_event(in, user, "History/RevertReject",
				    reason)) ||
		    db_exec(inst_db(in), "COMMIT"))
			db_rollback(inst_db(in));
		else
			logged = error < 0;
	}
	if (logged)
		store_flush_events(in->st, in);
	notify(in->st, in->id, TFS_CHANGE_INSTANCE, 0, 0, NULL);
	if (error < 0)
		tfs_error_set(error, "%s", reason);
}

static int inst_revert_locked(tfs_buf *result, tfs_inst *in, const char *user,
			      int n)
{
	bool package = false;
	struct path_list mine = {0};
	struct conflict_scan scan;
	tfs_buf out = TFS_BUF_INIT;
	struct cset cs;
	char oid[41], msg[128];
	int64_t t, dir;
	int count, m, error;
	size_t i;

	if ((error = tfs_inst_history_count(in, &count)) < 0)
		return error;
	if ((error = inst_check_open(in, "reverts")) < 0) {
		tfs_buf_printf(&out, "rejected\nerror: %s\n", tfs_error_last());
		goto done;
	}
	if (n < 1 || n > count) {
		error = tfs_error_set(TFS_ENOTFOUND, "no commit %d (history "
				      "has 1..%d)", n, count);
		tfs_buf_printf(&out, "rejected\nerror: %s\n", tfs_error_last());
		goto done;
	}
	if (n == 1) {
		error = tfs_error_set(TFS_EINVALID, "commit 1 is the initial "
				      "configuration and cannot be reverted");
		tfs_buf_printf(&out, "rejected\nerror: %s\n", tfs_error_last());
		goto done;
	}
	if ((error = tfs_inst_history_commit(oid, &t, in, n)) < 0 ||
	    (error = tfs_history_diff_parent(in->st->hist, oid,
					     collect_change, &mine)) < 0)
		goto done;
	/* Undoing a package is like applying its inverse: the metadata lock
	 * is lifted for it as it was for the package. */
	package = commit_is_package(in, n);
	scan.mine = &mine;
	scan.found = 0;
	tfs_buf_puts(&out, "rejected\n");
	scan.result = &out;
	for (m = n + 1; m <= count; m++) {
		scan.commit = m;
		if ((error = tfs_inst_history_commit(oid, &t, in, m)) < 0 ||
		    (error = tfs_history_diff_parent(in->st->hist, oid,
						     scan_later, &scan)) < 0)
			goto done;
	}
	if (scan.found) {
		error = tfs_error_set(TFS_ECONFLICT, "later commits changed "
				      "objects of commit %d", n);
		goto done;
	}
	tfs_buf_clear(&out);
	if ((error = cset_begin(&cs, in, user)) < 0)
		goto done;
	for (i = 0; i < mine.n && !error; i++) {
		tfs_obj_info old, *oldp = NULL;
		char type[256], name[256], guid[64] = "";
		tfs_doc *doc = NULL;
		tfs_kind kind;

		if ((error = obj_path_split(mine.path[i], &kind, type, name)) < 0 ||
		    (!package && (error = check_lock(in, kind, type)) < 0) ||
		    (error = resolve_dir(&dir, in, kind, type)) < 0)
			break;
		error = tfs_inst_obj_find(&old, in, dir, name);
		if (error == 0) {
			oldp = &old;
			error = obj_guid(in, old.id, guid);
		} else if (error == TFS_ENOTFOUND) {
			error = 0;
		}
		if (error < 0)
			break;
		if (!mine.before[i]) {
			if (oldp)
				error = cset_delete(&cs, oldp);
			continue;
		}
		error = tfs_doc_parse(&doc, kind, type, name, mine.before[i],
				      mine.before_len[i], NULL);
		if (!error)
			error = cset_put(&cs, kind, type, dir, name, doc, oldp);
		tfs_doc_free(doc);
	}
	if (error < 0) {
		tfs_buf_printf(&out, "rejected\nerror: %s\n", tfs_error_last());
		cset_abort(&cs);
		goto done;
	}
	snprintf(msg, sizeof(msg), "Revert commit %d", n);
	/* A reverted package may be applied again. */
	if (package) {
		sqlite3_stmt *s = db_stmt(inst_db(in), "DELETE FROM applied "
						       "WHERE commit_n = ?");
		if (!s ||
		    (sqlite3_bind_int(s, 1, n), db_done(inst_db(in), s)) < 0) {
			tfs_buf_printf(&out, "failed\nerror: %s\n",
				       tfs_error_last());
			cset_abort(&cs);
			error = TFS_ERROR;
			goto done;
		}
	}
	if ((error = cset_commit(&cs, "History/Revert", msg)) < 0) {
		tfs_buf_printf(&out, "failed\nerror: %s\n", tfs_error_last());
		goto done;
	}
	tfs_inst_history_count(in, &count);
	tfs_buf_printf(&out, "reverted\ncommit: %d\n", count);
done:
	if (out.size)
		revert_outcome(in, user, out.ptr, error);
	if (result && out.size)
		tfs_buf_put(result, out.ptr, out.size);
	tfs_buf_free(&out);
	path_list_free(&mine);
	return error;
}

int tfs_inst_revert_request(tfs_buf *result, tfs_inst *in, const char *user,
			    const char *text)
{
	char line[600];
	long long n;
	char *end;
	int error;

	errno = 0;
	n = strtoll(text, &end, 10);
	if (errno || end == text || *end || n < 1 || n > 2000000000) {
		inst_write_begin(in);
		error = tfs_error_set(TFS_EINVALID, "revert: '%.60s' is not a "
				      "commit number", text);
		snprintf(line, sizeof(line), "rejected\nerror: %s\n",
			 tfs_error_last());
		revert_outcome(in, user, line, error);
		inst_write_end(in);
		if (result)
			tfs_buf_puts(result, line);
		return error;
	}
	return tfs_inst_revert(result, in, user, (int)n);
}

int tfs_inst_revert(tfs_buf *result, tfs_inst *in, const char *user, int n)
{
	int error;

	inst_write_begin(in);
	error = inst_revert_locked(result, in, user, n);
	inst_write_end(in);
	return error;
}

int tfs_inst_revert_result(tfs_buf *out, tfs_inst *in)
{
	return inst_meta_get_text(in, "revert_result", out);
}

/* ---- demo ---------------------------------------------------------------------- */

struct demo_load {
	struct cset cs;
	int error;
};

static int demo_put(void *ctx, tfs_kind kind, const char *type,
		    const char *name, const char *xml, size_t len,
		    int64_t mtime)
{
	struct demo_load *dl = ctx;
	tfs_inst *in = dl->cs.in;
	tfs_doc *doc = NULL;
	char sha[65], path[512];
	sqlite3_stmt *s;
	int64_t dir, id;
	int error;

	if ((error = tfs_doc_parse(&doc, kind, type, name, xml, len,
				   NULL)) < 0) {
		tfs_error_set(error, "demo %s/%s/%s: %s", tfs_kind_dir(kind),
			      type, name, tfs_error_last());
		goto done;
	}
	error = tfs_inst_dir_find(&dir, in, kind, type);
	if (error == TFS_ENOTFOUND && kind == TFS_KIND_TRANSLATION)
		error = inst_translation_dir(&dir, in, type);
	else if (error == TFS_ENOTFOUND)
		error = inst_dir_insert(&dir, in, kind, type);
	if (error < 0)
		goto done;
	snprintf(sha, sizeof(sha), "%s", doc->sha);
	s = db_stmt(inst_db(in), "INSERT INTO objects(dir, name, guid, bo, sha,"
				 " mtime, bytes) VALUES(?, ?, ?, ?, ?, ?, ?)");
	if (!s) {
		error = TFS_ERROR;
		goto done;
	}
	sqlite3_bind_int64(s, 1, dir);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, doc->guid, -1, SQLITE_STATIC);
	if (doc->bo)
		sqlite3_bind_text(s, 4, doc->bo, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, sha, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, mtime);
	sqlite3_bind_blob(s, 7, doc->canon, (int)doc->canon_len,
			  SQLITE_STATIC);
	if ((error = db_done(inst_db(in), s)) < 0)
		goto done;
	id = sqlite3_last_insert_rowid(inst_db(in)->db);
	if ((error = store_doc_rows(in, id, doc, true)) < 0)
		goto done;
	if (tfs_kind_versioned(kind)) {
		if ((error = obj_path(path, sizeof(path), kind, type,
					 name)) < 0 ||
		    (error = add_history(&dl->cs, path, doc->canon,
					 doc->canon_len, NULL, NULL)) < 0)
			goto done;
	}
done:
	tfs_doc_free(doc);
	return error;
}

static int inst_load_locked(tfs_inst *in, int64_t now, inst_generator gen,
			    void *ctx)
{
	struct demo_load dl;
	tfs_history_sig sig = {"admin", "admin@tenantfs.local", now};
	char oid[41];
	sqlite3_stmt *s;
	int n, error;

	if (inst_gone(in))
		return tfs_error_set(TFS_ENOTFOUND, "%s was deleted",
				     in->branch);
	if ((error = tfs_inst_history_count(in, &n)) < 0)
		return error;
	if (n > 0)
		return tfs_error_set(TFS_EEXISTS, "%s already has history",
				     in->branch);
	memset(&dl, 0, sizeof(dl));
	if ((error = cset_begin(&dl.cs, in, "admin")) < 0)
		return error;
	if ((error = gen(demo_put, &dl, ctx)) < 0 ||
	    (error = flush_blobs(&dl.cs)) < 0)
		goto fail;
	if ((error = hist_write_commit(oid, in->st->hist, NULL, dl.cs.hc,
				       dl.cs.nhc, &sig,
				       "Initial configuration")) < 0)
		goto fail;
	s = db_stmt(inst_db(in), "INSERT INTO commits(n, oid, time, user, "
				 "message) VALUES(1, ?, ?, 'admin', "
				 "'Initial configuration')");
	if (!s) {
		error = TFS_ERROR;
		goto fail;
	}
	sqlite3_bind_text(s, 1, oid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now);
	if ((error = db_done(inst_db(in), s)) < 0 ||
	    (error = inst_meta_set_int(in, "last_update", now)) < 0 ||
	    (error = append_log(in, now, "admin", "apply",
				"Initial configuration (commit 1)")) < 0 ||
	    (error = db_exec(inst_db(in), "COMMIT")) < 0)
		goto fail;
	error = tfs_history_set_ref(in->st->hist, in->branch, oid);
	cset_free(&dl.cs);
	return error;
fail:
	cset_abort(&dl.cs);
	return error;
}

int inst_load(tfs_inst *in, int64_t now, inst_generator gen, void *ctx)
{
	int error;

	inst_write_begin(in);
	error = inst_load_locked(in, now, gen, ctx);
	inst_write_end(in);
	return error;
}

struct demo_ctx {
	int64_t now;
	bool staging;
};

/* The demo, and its translations (in staging: with the translators'
 * later edits). */
static int demo_gen(tfs_demo_put_fn put, void *put_ctx, void *ctx)
{
	const struct demo_ctx *d = ctx;
	int error = tfs_demo_generate(put, put_ctx, d->now);

	return error ? error : tfs_demo_translations(put, put_ctx, d->now,
						     d->staging);
}

int inst_load_demo(tfs_inst *in, int64_t now)
{
	struct demo_ctx d = { now, strcmp(in->name, "staging") == 0 };

	return inst_load(in, now, demo_gen, &d);
}
