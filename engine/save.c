/*
 * Saves, deletes and renames of one object, and the record of a refused
 * save: each one change set (change.c) with the checks a user's write
 * needs first (the metadata lock, the instance's state, guids, the
 * document gate).
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

/* ---- saves ------------------------------------------------------------------ */

int save_check_lock(tfs_inst *in, tfs_kind kind, const char *type)
{
	if (tfs_inst_locked(in) && tfs_inst_type_lockable(kind, type))
		return tfs_error_set(TFS_ELOCKED,
				     "metadata of %s/%s is "
				     "locked (instance.conf: metadata_locked "
				     "= true)",
				     in->tenant, in->name);
	return 0;
}

/* Whether saving `doc` over `old` changes nothing (bytes and secrets). */
static int unchanged(tfs_inst *in, const tfs_obj_info *old, const tfs_doc *doc)
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
			if (sec->value &&
			    strcmp(sec->value, db_text(s, 0)) != 0)
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
int save_resolve_dir(int64_t *out, tfs_inst *in, tfs_kind kind,
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
static int guid_taken(tfs_inst *in, const char *guid, int64_t self, char *where,
		      size_t size)
{
	sqlite3_stmt *s = db_stmt(inst_db(in),
				  "SELECT o.name, d.kind, d.type "
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
			  const char *type, const char *name, const char *bytes,
			  size_t len, const tfs_obj_info *old,
			  const char *old_guid)
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
		error = tfs_error_set(TFS_EINVALID,
				      "guid cannot change "
				      "(stored %s, given %s)",
				      old_guid, doc->guid);
		goto done;
	}
	error = guid_taken(in, doc->guid, old ? old->id : 0, where,
			   sizeof(where));
	if (error > 0)
		error = tfs_error_set(TFS_EINVALID,
				      "guid %s is already used "
				      "by %s",
				      doc->guid, where);
	if (error < 0)
		goto done;
	*out = doc;
	doc = NULL;
done:
	tfs_doc_free(doc);
	return error;
}

int save_obj_guid(tfs_inst *in, int64_t id, char out[64])
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
		return tfs_error_set(TFS_EINVALID,
				     "'%s' is not a directory "
				     "of %s/",
				     type, tfs_kind_dir(kind));
	if (!tfs_name_valid(name))
		return tfs_error_set(TFS_EINVALID,
				     "invalid object name '%s' "
				     "(letters, digits, . _ - # only)",
				     name);
	if ((error = inst_check_open(in, "edits")) < 0 ||
	    (error = save_check_lock(in, kind, type)) < 0)
		return error;
	if ((error = cset_begin(&cs, in, user)) < 0)
		return error;
	if ((error = save_resolve_dir(&dir, in, kind, type)) < 0)
		goto fail;
	error = tfs_inst_obj_find(&old, in, dir, name);
	if (error == 0) {
		oldp = &old;
		if ((error = save_obj_guid(in, old.id, guid)) < 0)
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
	error = inst_save_locked(out_id, in, user, kind, type, name, bytes,
				 len);
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
	    (error = save_check_lock(in, old.kind, old.type)) < 0 ||
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
	    (error = save_check_lock(in, old.kind, old.type)) < 0)
		return error;
	if ((error = tfs_inst_obj_read(&bytes, in, id)) < 0 ||
	    (error = save_obj_guid(in, id, guid)) < 0)
		goto out;
	/* Canonical bytes start with <Root name="old" ...: swap the name. */
	p = strstr(bytes.ptr, " name=\"");
	q = p ? strchr(p + 7, '"') : NULL;
	if (!p || !q) {
		error = tfs_error_set(TFS_ERROR, "stored object has no name");
		goto out;
	}
	if ((error = tfs_buf_put(&fixed, bytes.ptr,
				 (size_t)(p - bytes.ptr) + 7)) < 0 ||
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
	if ((error = tfs_doc_parse(&doc, old.kind, old.type, newname, fixed.ptr,
				   fixed.size, guid)) < 0)
		goto fail;
	/* Replace the target, store the renamed object, move the secrets
	 * (the canonical bytes hold only "***"), remove the old name. */
	if ((targetp && (error = cset_delete(&cs, targetp)) < 0) ||
	    (error = cset_put(&cs, old.kind, old.type, old.dir, newname, doc,
			      NULL)) < 0 ||
	    (error = move_secrets(in, old.id, cs.last_obj)) < 0 ||
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
	if (cset_log(in, t, user, "reject", text) < 0 ||
	    cset_queue_event(in, t, user, "Object/Reject", text) < 0 ||
	    db_exec(inst_db(in), "COMMIT") < 0) {
		db_rollback(inst_db(in));
		return;
	}
	store_flush_events(in->st, in);
	cset_notify(in->st, in->id, TFS_CHANGE_INSTANCE, 0, 0, NULL);
}

void tfs_inst_reject(tfs_inst *in, const char *user, const char *path,
		     const char *reason)
{
	inst_write_begin(in);
	inst_reject_locked(in, user, path, reason);
	inst_write_end(in);
}
