/*
 * Pushes that change the target object by object: copy-configuration
 * (metadata and validation data), copy-configuration-and-master-data,
 * copy-master-data, copy-data, copy-settings, copy-translation, simple,
 * and no-op (nothing but the version).  One change set of the target:
 * every object passes the same document gate and reference checks as a
 * save, and the push is one transaction and one history commit.
 *
 * Each directory of the push is a merge of the source's and the target's
 * objects in name order (two index scans, one object in memory at a
 * time): in the source only, created; in both with other bytes, updated
 * (unless the rules keep the target's); in the target only, deleted if
 * the request says so.  The source is read through one snapshot.
 *
 * A record's links to business objects the push does not carry are not
 * copied (the console copies a relationship only when both ends are in
 * the push): the target keeps its own links of those, if it has the
 * record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cset.h"
#include "push_int.h"
#include "tenantfs/error.h"
#include "tenantfs/history.h"

/* One directory of the push and what the request says about it. */
struct pdir {
	tfs_kind kind;
	const char *type;
	bool delete_missing;
	bool update;     /* update objects that differ */
	bool keep_newer; /* keep target objects newer than the source's */
	bool links;      /* filter links by the push's business objects */
	bool merge;      /* translations: move strings in, remove none */
};

struct copy {
	tfs_inst *in, *src;
	const struct push_req *r;
	struct cset cs;
	tfs_buf *diff;
	struct push_counts *c;
	struct push_progress *pg;
	/* data directories in a preview: counts only */
	uint64_t dc, du, dd;
	/* a preview of copy-to-replace without keep_users_enabled: the
	 * Employees as the push leaves them (disabled) */
	bool disable_users;
};

struct side {
	sqlite3_stmt *s;
	bool more;
	tfs_obj_info info;
};

static const char list_sql[] =
	"SELECT o.id, o.dir, o.name, length(o.bytes), o.mtime, o.sha,"
	" d.kind, d.type FROM objects o JOIN dirs d ON d.id = o.dir"
	" WHERE o.dir = ? ORDER BY o.name";

static int side_open(struct side *sd, db_conn *db, int64_t dir)
{
	memset(sd, 0, sizeof(*sd));
	if (dir == 0)
		return 0;
	/* Two scans at once on one connection: not the cached statement. */
	if (sqlite3_prepare_v2(db->db, list_sql, -1, &sd->s, NULL) != SQLITE_OK)
		return db_fail(db, "list objects");
	sqlite3_bind_int64(sd->s, 1, dir);
	return 0;
}

static int side_next(struct side *sd)
{
	int rc;

	sd->more = false;
	if (!sd->s)
		return 0;
	rc = sqlite3_step(sd->s);
	if (rc == SQLITE_ROW) {
		sd->info.id = sqlite3_column_int64(sd->s, 0);
		sd->info.dir = sqlite3_column_int64(sd->s, 1);
		snprintf(sd->info.name, sizeof(sd->info.name), "%s",
			 db_text(sd->s, 2));
		sd->info.size = sqlite3_column_int64(sd->s, 3);
		sd->info.mtime = sqlite3_column_int64(sd->s, 4);
		snprintf(sd->info.sha, sizeof(sd->info.sha), "%s",
			 db_text(sd->s, 5));
		sd->info.kind = (tfs_kind)sqlite3_column_int(sd->s, 6);
		snprintf(sd->info.type, sizeof(sd->info.type), "%s",
			 db_text(sd->s, 7));
		sd->more = true;
		return 0;
	}
	if (rc != SQLITE_DONE)
		return tfs_error_set(TFS_ERROR, "sqlite: %s",
				     sqlite3_errstr(rc));
	return 0;
}

static void side_close(struct side *sd)
{
	sqlite3_finalize(sd->s);
	sd->s = NULL;
}

/* ---- links of records ----------------------------------------------------- */

/* The business object and key of a canonical Link line, or false. */
static bool link_target(const char *line, size_t len, char bo[256],
			char key[256])
{
	static const char pre[] = "<Link businessObject=\"";
	const char *p = line, *e = line + len, *q, *k, *ke;

	while (p < e && *p == ' ')
		p++;
	if ((size_t)(e - p) < sizeof(pre) - 1 ||
	    memcmp(p, pre, sizeof(pre) - 1))
		return false;
	p += sizeof(pre) - 1;
	if (!(q = memchr(p, '"', (size_t)(e - p))) || q - p >= 256 ||
	    !(k = memmem(q, (size_t)(e - q), " key=\"", 6)))
		return false;
	k += 6;
	if (!(ke = memchr(k, '"', (size_t)(e - k))) || ke - k >= 256)
		return false;
	snprintf(bo, 256, "%.*s", (int)(q - p), p);
	snprintf(key, 256, "%.*s", (int)(ke - k), k);
	return true;
}

/* Whether the target holds record `key` of business object `bo`. */
static bool target_has(tfs_inst *in, const char *bo, const char *key)
{
	static const tfs_kind kinds[] = { TFS_KIND_MASTER, TFS_KIND_DATA };
	tfs_obj_info info;
	int64_t dir;
	size_t i;

	for (i = 0; i < 2; i++)
		if (tfs_inst_dir_find(&dir, in, kinds[i], bo) == 0 &&
		    tfs_inst_obj_find(&info, in, dir, key) == 0)
			return true;
	tfs_error_clear();
	return false;
}

/*
 * The record to store: `src` without its links whose other end is
 * neither in the push nor already in the target (the guide: a
 * relationship is copied only when both ends are there; a link to
 * nothing would dangle).  *dropped counts what was left out.
 */
static int filter_links(tfs_buf *out, size_t *dropped, tfs_inst *in,
			const struct push_req *r, const tfs_buf *src)
{
	const char *p = src->ptr, *e = src->ptr + src->size, *nl;
	char bo[256], key[256];
	int error = 0;

	*dropped = 0;
	for (; !error && p && p < e; p = nl + 1) {
		if (!(nl = memchr(p, '\n', (size_t)(e - p))))
			nl = e - 1;
		if (link_target(p, (size_t)(nl - p), bo, key) &&
		    !name_set_has(&r->master, bo) &&
		    !name_set_has(&r->data, bo) && !target_has(in, bo, key)) {
			(*dropped)++;
			continue;
		}
		error = tfs_buf_put(out, p, (size_t)(nl + 1 - p));
	}
	return error;
}

/* ---- one object ------------------------------------------------------------- */

static int copy_secrets(struct copy *x, int64_t from, int64_t to)
{
	db_conn *sdb = inst_db(x->src), *tdb = inst_db(x->in);
	sqlite3_stmt *r = db_stmt(sdb, "SELECT path, value FROM secrets "
				       "WHERE obj = ?");
	sqlite3_stmt *w;
	int error = 0;

	if (!r)
		return TFS_ERROR;
	sqlite3_bind_int64(r, 1, from);
	while (!error && sqlite3_step(r) == SQLITE_ROW) {
		if (!(w = db_stmt(tdb, "INSERT OR REPLACE INTO secrets(obj, "
				       "path, value) VALUES(?, ?, ?)"))) {
			error = TFS_ERROR;
			break;
		}
		sqlite3_bind_int64(w, 1, to);
		sqlite3_bind_text(w, 2, db_text(r, 0), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(w, 3, db_text(r, 1), -1, SQLITE_TRANSIENT);
		error = db_done(tdb, w);
	}
	sqlite3_reset(r);
	return error;
}

static void count(struct copy *x, const struct pdir *d, char op)
{
	bool data_preview = x->diff && d->kind == TFS_KIND_DATA;
	uint64_t *n = op == 'C' ? (data_preview ? &x->dc : &x->c->created) :
		      op == 'U' ? (data_preview ? &x->du : &x->c->updated) :
				  (data_preview ? &x->dd : &x->c->deleted);

	(*n)++;
}

static bool disables(const struct copy *x, const struct pdir *d)
{
	return x->disable_users && d->kind == TFS_KIND_MASTER &&
	       strcmp(d->type, "Employee") == 0;
}

/* An Employee as copy-to-replace leaves it without keep_users_enabled
 * (push_replace.c's tfs_disable does the same to the table). */
static int disable_user(struct copy *x, tfs_buf *b)
{
	tfs_buf out = TFS_BUF_INIT;
	int rc = push_user_disabled(&out, b->ptr, b->size, true);

	if (rc <= 0) {
		tfs_buf_free(&out);
		return rc;
	}
	tfs_buf_free(b);
	*b = out;
	x->c->disabled++;
	return 0;
}

/* copy-translation: the strings of source object `si` (bytes `sb`)
 * moved into target object `old`, none removed (translation_merge.c). */
static int merge_one(struct copy *x, const struct pdir *d, int64_t dir,
		     const tfs_obj_info *si, const tfs_obj_info *old,
		     const tfs_buf *sb)
{
	tfs_buf ob = TFS_BUF_INIT;
	tfs_doc *doc = NULL;
	char path[512];
	size_t moved = 0;
	int error;

	if ((error = tfs_inst_obj_read(&ob, x->in, old->id)) < 0 ||
	    (error = tfs_translation_merge(&doc, &moved, d->type, si->name,
					   ob.ptr, ob.size, sb->ptr,
					   sb->size)) < 0 ||
	    !doc)
		goto done;
	count(x, d, 'U');
	if (x->diff) {
		if ((error = obj_path(path, sizeof(path), d->kind, d->type,
				      si->name)) == 0)
			error = diff_unified(x->diff, path, ob.ptr, ob.size,
					     doc->canon, doc->canon_len);
	} else {
		error = cset_put(&x->cs, d->kind, d->type, dir, si->name, doc,
				 old);
	}
done:
	tfs_doc_free(doc);
	tfs_buf_free(&ob);
	return error;
}

/* Create or update target object `old` (NULL: create) from source
 * object `si` of directory `d`. */
static int put_one(struct copy *x, const struct pdir *d, int64_t dir,
		   const tfs_obj_info *si, const tfs_obj_info *old)
{
	tfs_buf sb = TFS_BUF_INIT, ob = TFS_BUF_INIT, nb = TFS_BUF_INIT;
	const tfs_buf *bytes = &sb;
	tfs_doc *doc = NULL;
	char path[512];
	int error;

	if ((error = tfs_inst_obj_read(&sb, x->src, si->id)) < 0)
		goto done;
	if (disables(x, d) && (error = disable_user(x, &sb)) < 0)
		goto done;
	if (disables(x, d) && old &&
	    (error = tfs_inst_obj_read(&ob, x->in, old->id)) == 0 &&
	    ob.size == sb.size && memcmp(ob.ptr, sb.ptr, sb.size) == 0)
		goto done; /* the same once disabled */
	if (error < 0)
		goto done;
	tfs_buf_clear(&ob);
	if (d->merge && old) {
		error = merge_one(x, d, dir, si, old, &sb);
		goto done;
	}
	if (d->links) {
		size_t dropped;

		if ((error = filter_links(&nb, &dropped, x->in, x->r, &sb)) < 0)
			goto done;
		if (dropped)
			bytes = &nb;
		if (dropped && old &&
		    (error = tfs_inst_obj_read(&ob, x->in, old->id)) == 0 &&
		    ob.size == nb.size && memcmp(ob.ptr, nb.ptr, nb.size) == 0)
			goto done; /* what differs is not carried */
		if (error < 0)
			goto done;
	}
	count(x, d, old ? 'U' : 'C');
	if (x->diff) {
		if (d->kind == TFS_KIND_DATA)
			goto done;
		if (old && !ob.size &&
		    (error = tfs_inst_obj_read(&ob, x->in, old->id)) < 0)
			goto done;
		if ((error = obj_path(path, sizeof(path), d->kind, d->type,
				      si->name)) == 0)
			error = diff_unified(x->diff, path, old ? ob.ptr : NULL,
					     ob.size, bytes->ptr, bytes->size);
		goto done;
	}
	if ((error = tfs_doc_parse(&doc, d->kind, d->type, si->name, bytes->ptr,
				   bytes->size, NULL)) < 0 ||
	    (error = cset_put(&x->cs, d->kind, d->type, dir, si->name, doc,
			      old)) < 0)
		goto done;
	if (doc->nsecrets)
		error = copy_secrets(x, si->id, x->cs.last_obj);
done:
	if (error < 0 && error != TFS_ERROR)
		tfs_error_set(error, "%s/%s: %s",
			      d->type[0] ? d->type : tfs_kind_dir(d->kind),
			      si->name, tfs_error_last());
	tfs_doc_free(doc);
	tfs_buf_free(&sb);
	tfs_buf_free(&ob);
	tfs_buf_free(&nb);
	return error;
}

static int delete_one(struct copy *x, const struct pdir *d,
		      const tfs_obj_info *old)
{
	tfs_buf ob = TFS_BUF_INIT;
	char path[512];
	int error = 0;

	count(x, d, 'D');
	if (!x->diff)
		return cset_delete(&x->cs, old);
	if (d->kind == TFS_KIND_DATA)
		return 0;
	if ((error = tfs_inst_obj_read(&ob, x->in, old->id)) == 0 &&
	    (error = obj_path(path, sizeof(path), d->kind, d->type,
			      old->name)) == 0)
		error = diff_unified(x->diff, path, ob.ptr, ob.size, NULL, 0);
	tfs_buf_free(&ob);
	return error;
}

/* ---- one directory ------------------------------------------------------------ */

static int target_dir(int64_t *out, struct copy *x, const struct pdir *d)
{
	int error = tfs_inst_dir_find(out, x->in, d->kind, d->type);

	if (error != TFS_ENOTFOUND)
		return error;
	*out = 0;
	if (x->diff)
		return 0;
	if (d->kind == TFS_KIND_TRANSLATION) /* a locale is all its types */
		return inst_translation_dir(out, x->in, d->type);
	return inst_dir_insert(out, x->in, d->kind, d->type);
}

/* What a push does with source object `s` and target object `t` (either
 * NULL when absent) of directory `d`. */
static int decide(struct copy *x, const struct pdir *d, int64_t dir,
		  const tfs_obj_info *s, const tfs_obj_info *t)
{
	if (!t)
		return put_one(x, d, dir, s, NULL);
	if (!s)
		return d->delete_missing ? delete_one(x, d, t) : 0;
	if (strcmp(s->sha, t->sha) == 0 && !disables(x, d))
		return 0;
	if (!d->update || (d->keep_newer && t->mtime > s->mtime)) {
		x->c->kept++;
		return 0;
	}
	return put_one(x, d, dir, s, t);
}

static int merge_step(struct copy *x, const struct pdir *d, int64_t dir,
		      struct side *s, struct side *t)
{
	int cmp = !s->more ? 1 :
		  !t->more ? -1 :
			     strcmp(s->info.name, t->info.name);
	int error;

	if ((error = decide(x, d, dir, cmp <= 0 ? &s->info : NULL,
			    cmp >= 0 ? &t->info : NULL)) < 0)
		return error;
	if (cmp <= 0) {
		push_progress_step(x->pg, 1);
		if ((error = side_next(s)) < 0)
			return error;
	}
	if (cmp >= 0)
		error = side_next(t);
	return error;
}

/* Both sides in name order, every object compared by its hash. */
static int merge_dir(struct copy *x, const struct pdir *d, int64_t sdir,
		     int64_t tdir)
{
	struct side s, t;
	int error;

	if ((error = side_open(&s, inst_db(x->src), sdir)) < 0)
		return error;
	if ((error = side_open(&t, inst_db(x->in), tdir)) < 0) {
		side_close(&s);
		return error;
	}
	if ((error = side_next(&s)) == 0)
		error = side_next(&t);
	while (!error && (s.more || t.more))
		error = merge_step(x, d, tdir, &s, &t);
	side_close(&s);
	side_close(&t);
	return error;
}

/*
 * A versioned directory: the files that differ between the two
 * instances' history commits, which hold exactly their databases'
 * versioned objects, are the objects that differ; no other object is
 * read.  (At 100,000 objects of which 1% differ, the merge spent most
 * of the push reading rows only to find their hashes equal.)
 */
struct by_diff {
	struct copy *x;
	const struct pdir *d;
	int64_t sdir, tdir;
};

static int find_side(tfs_obj_info *out, bool *found, tfs_inst *in, int64_t dir,
		     const char *name)
{
	int error = dir ? tfs_inst_obj_find(out, in, dir, name) : TFS_ENOTFOUND;

	*found = error == 0;
	if (error == TFS_ENOTFOUND) {
		tfs_error_clear();
		return 0;
	}
	return error;
}

static int diff_one(void *ctx, const char *file)
{
	struct by_diff *b = ctx;
	tfs_obj_info s, t;
	char name[256];
	size_t n = strlen(file);
	bool has_s, has_t;
	int error;

	if (n <= 4 || n - 4 >= sizeof(name) || strchr(file, '/') ||
	    strcmp(file + n - 4, ".xml") != 0)
		return 0; /* not an object's file */
	snprintf(name, sizeof(name), "%.*s", (int)(n - 4), file);
	if ((error = find_side(&s, &has_s, b->x->src, b->sdir, name)) < 0 ||
	    (error = find_side(&t, &has_t, b->x->in, b->tdir, name)) < 0)
		return error;
	if (!has_s && !has_t)
		return 0;
	return decide(b->x, b->d, b->tdir, has_s ? &s : NULL,
		      has_t ? &t : NULL);
}

static int count_dir(uint64_t *n, tfs_inst *in, int64_t dir)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), "SELECT count(*) FROM objects"
					       " WHERE dir = ?");

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, dir);
	*n = sqlite3_step(s) == SQLITE_ROW ?
		     (uint64_t)sqlite3_column_int64(s, 0) :
		     0;
	sqlite3_reset(s);
	return 0;
}

static int diff_dir(struct copy *x, const struct pdir *d, int64_t sdir,
		    int64_t tdir)
{
	struct by_diff b = { x, d, sdir, tdir };
	char from[41], to[41], path[512];
	uint64_t n = 0;
	int k, error;

	if (d->kind == TFS_KIND_VALIDATION)
		snprintf(path, sizeof(path), "%s", tfs_kind_dir(d->kind));
	else
		snprintf(path, sizeof(path), "%s/%s", tfs_kind_dir(d->kind),
			 d->type);
	if ((error = inst_last_commit(x->in, &k, to)) < 0 ||
	    (error = inst_last_commit(x->src, &k, from)) < 0 ||
	    (error = tfs_history_dir_diff(x->in->st->hist, to, from, path,
					  diff_one, &b)) < 0 ||
	    (sdir && (error = count_dir(&n, x->src, sdir)) < 0))
		return error;
	push_progress_step(x->pg, n);
	return 0;
}

static int copy_dir(struct copy *x, const struct pdir *d)
{
	int64_t sdir = 0, tdir = 0;
	int error;

	error = tfs_inst_dir_find(&sdir, x->src, d->kind, d->type);
	if (error == TFS_ENOTFOUND) {
		sdir = 0;
		if (!d->delete_missing)
			return 0;
	} else if (error < 0) {
		return error;
	}
	if ((error = target_dir(&tdir, x, d)) < 0)
		return error;
	if (tfs_kind_versioned(d->kind) && !disables(x, d))
		return diff_dir(x, d, sdir, tdir);
	return merge_dir(x, d, sdir, tdir);
}

/* ---- what a push carries ---------------------------------------------------------- */

static int copy_bos(struct copy *x, tfs_kind kind, const struct name_set *bos,
		    bool delete_missing)
{
	struct pdir d = { kind, NULL, delete_missing, true, false, true };
	size_t i;
	int error = 0;

	for (i = 0; !error && i < bos->n; i++) {
		d.type = bos->v[i];
		error = copy_dir(x, &d);
	}
	return error;
}

static int copy_metadata(struct copy *x)
{
	const struct push_req *r = x->r;
	struct pdir d = { TFS_KIND_METADATA, NULL, false, true, false, false };
	int i, error = 0;

	for (i = 0; !error && tfs_metadata_types[i]; i++) {
		d.type = tfs_metadata_types[i];
		d.delete_missing = r->delete_missing[i];
		d.keep_newer = !r->replace_newer[i] &&
			       (!strcmp(d.type, "Search") ||
				!strcmp(d.type, "Report") ||
				!strcmp(d.type, "Dashboard") ||
				!strcmp(d.type, "QuickAction"));
		error = copy_dir(x, &d);
	}
	d = (struct pdir){ TFS_KIND_VALIDATION,
			   "",
			   r->validation_delete_missing,
			   true,
			   false,
			   false };
	return error ? error : copy_dir(x, &d);
}

static int copy_settings(struct copy *x)
{
	const struct push_req *r = x->r;
	struct pdir d = {
		TFS_KIND_SETTINGS,          NULL,  r->settings_delete_missing,
		r->settings_update_changed, false, false
	};
	int i, error = 0;

	for (i = 0; !error && tfs_settings_types[i]; i++) {
		if (!r->settings[i])
			continue;
		d.type = tfs_settings_types[i];
		error = copy_dir(x, &d);
	}
	return error;
}

/* Every business-object directory of `kind` in either instance. */
struct bo_dirs {
	struct name_set *set;
};

static int add_dir(void *ctx, const tfs_row *row)
{
	struct name_set *set = ctx;
	char **v;

	if (name_set_has(set, row->name))
		return 0;
	if (!(v = realloc(set->v, (set->n + 1) * sizeof(*v))) ||
	    !(v[set->n] = strdup(row->name))) {
		if (v)
			set->v = v;
		return tfs_error_set(TFS_ERROR, "out of memory");
	}
	set->v = v;
	set->n++;
	return 0;
}

static void names_free(struct name_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

/*
 * Translations: every locale and type of the source, strings merged in
 * (copy-translation), or with `whole` every directory of either
 * instance, replaced whole (a preview of copy-to-replace).
 */
static int copy_translations(struct copy *x, bool whole)
{
	struct name_set dirs = { 0 };
	struct pdir d = {
		TFS_KIND_TRANSLATION, NULL, whole, true, false, false, !whole
	};
	size_t i;
	int error;

	error = tfs_inst_dir_list(x->src, TFS_KIND_TRANSLATION, add_dir, &dirs);
	if (!error && whole)
		error = tfs_inst_dir_list(x->in, TFS_KIND_TRANSLATION, add_dir,
					  &dirs);
	for (i = 0; !error && i < dirs.n; i++) {
		d.type = dirs.v[i];
		error = copy_dir(x, &d);
	}
	names_free(&dirs);
	return error;
}

/* A preview of copy-to-replace: everything, deleting what the source
 * lacks (scrubbing and trimming are not previewed). */
static int copy_everything(struct copy *x)
{
	const struct push_req *orig = x->r;
	struct push_req all = *x->r;
	struct name_set bos[2] = { { 0 } };
	int i, k, error = 0;

	for (i = 0; tfs_metadata_types[i]; i++)
		all.delete_missing[i] = all.replace_newer[i] = true;
	for (i = 0; tfs_settings_types[i]; i++)
		all.settings[i] = true;
	all.validation_delete_missing = all.settings_delete_missing = true;
	all.settings_update_changed = true;
	x->r = &all;
	for (k = 0; !error && k < 2; k++) {
		tfs_kind kind = k ? TFS_KIND_DATA : TFS_KIND_MASTER;

		if ((error = tfs_inst_dir_list(x->src, kind, add_dir,
					       &bos[k])) == 0)
			error = tfs_inst_dir_list(x->in, kind, add_dir,
						  &bos[k]);
	}
	all.master = bos[0];
	all.data = bos[1];
	if (!error)
		error = copy_metadata(x);
	if (!error)
		error = copy_settings(x);
	if (!error)
		error = copy_bos(x, TFS_KIND_MASTER, &bos[0], true);
	if (!error)
		error = copy_bos(x, TFS_KIND_DATA, &bos[1], true);
	if (!error)
		error = copy_translations(x, true);
	x->r = orig;
	names_free(&bos[0]);
	names_free(&bos[1]);
	return error;
}

static int carry(struct copy *x)
{
	const struct push_req *r = x->r;
	int error = 0;

	switch (r->op) {
	case OP_COPY_CONFIG:
		return copy_metadata(x);
	case OP_SIMPLE:
		if ((error = copy_settings(x)) < 0)
			return error;
		/* fall through */
	case OP_COPY_CONFIG_MASTER:
		if ((error = copy_metadata(x)) < 0)
			return error;
		/* fall through */
	case OP_COPY_MASTER:
		return copy_bos(x, TFS_KIND_MASTER, &r->master,
				r->master_delete_missing);
	case OP_COPY_DATA:
		return copy_bos(x, TFS_KIND_DATA, &r->data,
				r->data_delete_missing);
	case OP_COPY_SETTINGS:
		return copy_settings(x);
	case OP_COPY_TO_REPLACE:
		return copy_everything(x);
	case OP_COPY_TRANSLATION:
		return copy_translations(x, false);
	case OP_NO_OP:
	default:
		return 0;
	}
}

/* The number of objects the push reads from the source, for progress. */
static void total_of(struct copy *x)
{
	sqlite3_stmt *s = db_stmt(inst_db(x->src), "SELECT count(*) FROM "
						   "objects");

	if (s && sqlite3_step(s) == SQLITE_ROW)
		x->pg->total = (uint64_t)sqlite3_column_int64(s, 0);
	if (s)
		sqlite3_reset(s);
}

int push_copy(struct push_counts *c, tfs_buf *diff, tfs_buf *errors,
	      tfs_inst *in, const char *user, const struct push_req *r,
	      int64_t version, const char *message, struct push_progress *pg)
{
	struct copy x = { in, r->src, r, { 0 }, diff, c, pg, 0, 0, 0 };
	db_conn *sdb = inst_db(r->src);
	int error;

	/* One snapshot of the source for the whole push. */
	if ((error = db_exec(sdb, "BEGIN")) < 0)
		return error;
	total_of(&x);
	x.disable_users = diff && r->op == OP_COPY_TO_REPLACE &&
			  !r->keep_users_enabled;
	if (!diff && (error = cset_begin(&x.cs, in, user)) < 0)
		goto done;
	if (!diff) {
		snprintf(x.cs.source, sizeof(x.cs.source), "push %s from %s/%s",
			 push_op_name(r->op), r->src->tenant, r->src->name);
		x.cs.force = true;
		x.cs.version = version;
	}
	error = carry(&x);
	if (diff && !error &&
	    (x.dc || x.du || x.dd || r->op == OP_COPY_TO_REPLACE ||
	     r->op == OP_COPY_DATA))
		error = tfs_buf_printf(diff,
				       "# data: %llu created, %llu "
				       "updated, %llu deleted\n",
				       (unsigned long long)x.dc,
				       (unsigned long long)x.du,
				       (unsigned long long)x.dd);
	/* copy-to-replace counts what it copies (push_replace.c) */
	if (diff && r->op == OP_COPY_TO_REPLACE) {
		c->created = pg->total;
		c->updated = c->deleted = 0;
	}
	if (diff)
		goto done;
	if (error < 0) {
		tfs_buf_printf(errors, "error %s\n", tfs_error_last());
		cset_abort(&x.cs);
		goto done;
	}
	if ((error = cset_check(&x.cs)) < 0) {
		tfs_buf_printf(errors, "error %s\n", tfs_error_last());
		cset_abort(&x.cs);
		goto done;
	}
	x.cs.checked = true;
	error = cset_commit(&x.cs, push_op_action(r->op), message);
done:
	db_exec(sdb, "COMMIT");
	if (pg->fn)
		pg->fn(pg->ctx, pg->done, pg->total);
	return error;
}
