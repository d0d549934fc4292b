/*
 * Reference checking: every reference of a stored object resolves in its
 * instance, and nothing is removed while other objects still refer to it.
 *
 * Checks run when a change set commits, inside its transaction, so they see
 * the instance as it will be; the order of puts and deletes within one
 * change set does not matter (a package may add a business object after
 * the form that uses it).  References are the rows doc.c extracted into the
 * refs table; a Field reference "BO.Field" resolves when business object BO
 * defines it, which the canonical form lets us check with one search.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tenantfs/error.h"

/* The (kind, type) of the object a reference of `kind` names; false for
 * kinds that are not checked. */
static bool target_of(const char *kind, tfs_kind *okind, const char **type)
{
	size_t i;

	if (strcmp(kind, "ValidationList") == 0) {
		*okind = TFS_KIND_VALIDATION;
		*type = "";
		return true;
	}
	for (i = 0; tfs_metadata_types[i]; i++) {
		if (strcmp(kind, tfs_metadata_types[i]) == 0) {
			*okind = TFS_KIND_METADATA;
			*type = tfs_metadata_types[i];
			return true;
		}
	}
	return false;
}

static int object_exists(tfs_inst *in, tfs_kind kind, const char *type,
			 const char *name, int64_t *id)
{
	tfs_obj_info info;
	int64_t dir;
	int error;

	if ((error = tfs_inst_dir_find(&dir, in, kind, type)) < 0)
		return error == TFS_ENOTFOUND ? 0 : error;
	error = tfs_inst_obj_find(&info, in, dir, name);
	if (error == TFS_ENOTFOUND)
		return 0;
	if (error < 0)
		return error;
	if (id)
		*id = info.id;
	return 1;
}

/* Whether business object `bo` defines field `field`. */
static int field_exists(tfs_inst *in, const char *bo, const char *field)
{
	tfs_buf b = TFS_BUF_INIT;
	char needle[320];
	int64_t id;
	int error;

	if ((error = object_exists(in, TFS_KIND_METADATA, "BusinessObject", bo,
				   &id)) <= 0)
		return error;
	if ((error = tfs_inst_obj_read(&b, in, id)) < 0)
		return error;
	snprintf(needle, sizeof(needle), "\n  <Field name=\"%s\"", field);
	error = strstr(b.ptr, needle) != NULL;
	tfs_buf_free(&b);
	return error;
}

/* Whether record "<BO>/<key>" exists in master/ or data/: 1, or 0 with
 * the reason set. */
static int record_exists(tfs_inst *in, const char *target)
{
	const char *slash = strchr(target, '/');
	char bo[256];
	int error;

	if (!slash || (size_t)(slash - target) >= sizeof(bo))
		return 1;
	snprintf(bo, sizeof(bo), "%.*s", (int)(slash - target), target);
	if ((error = object_exists(in, TFS_KIND_MASTER, bo, slash + 1, NULL)) !=
		    0 ||
	    (error = object_exists(in, TFS_KIND_DATA, bo, slash + 1, NULL)) !=
		    0)
		return error;
	tfs_error_set(TFS_EINVALID,
		      "record %s not found (neither "
		      "master/%s/%s.xml nor data/%s/%s.xml)",
		      target, bo, slash + 1, bo, slash + 1);
	return 0;
}

/* 1 if the reference resolves, 0 if not (with the reason set). */
static int resolves(tfs_inst *in, const char *kind, const char *target)
{
	const char *type, *dot;
	tfs_kind okind;
	char bo[256];
	int error;

	if (strcmp(kind, "Field") == 0) {
		dot = strrchr(target, '.');
		if (!dot || (size_t)(dot - target) >= sizeof(bo))
			return 1;
		snprintf(bo, sizeof(bo), "%.*s", (int)(dot - target), target);
		error = field_exists(in, bo, dot + 1);
		if (error == 0)
			tfs_error_set(TFS_EINVALID,
				      "field %s of business "
				      "object %s not found",
				      dot + 1, bo);
		return error;
	}
	if (strcmp(kind, "Record") == 0)
		return record_exists(in, target);
	if (!target_of(kind, &okind, &type))
		return 1;
	error = object_exists(in, okind, type, target, NULL);
	if (error == 0) {
		if (strcmp(kind, "BusinessObject") == 0)
			tfs_error_set(TFS_EINVALID,
				      "business object %s not "
				      "found",
				      target);
		else if (okind == TFS_KIND_VALIDATION)
			tfs_error_set(TFS_EINVALID,
				      "pick list %s not found "
				      "(validation/%s.xml)",
				      target, target);
		else
			tfs_error_set(TFS_EINVALID,
				      "%s %s not found "
				      "(metadata/%s/%s.xml)",
				      kind, target, type, target);
	}
	return error;
}

/* At most this many resolved references are remembered. */
#define MEMO_MAX 65536

/* The memo's words are its keys, strdup'ed. */
static uint64_t memo_hash(uint64_t v, const void *ctx)
{
	(void)ctx;
	return hmap_hash_str(0, (const char *)(uintptr_t)v);
}

static bool memo_eq(uint64_t v, const void *key, const void *ctx)
{
	(void)ctx;
	return strcmp((const char *)(uintptr_t)v, key) == 0;
}

static bool memo_has(const refs_memo *m, const char *key)
{
	return hmap_get(&m->keys, hmap_hash_str(0, key), memo_eq, key, NULL) !=
	       0;
}

/* Remember `key` as resolving; failing to (memory, the bound) is fine. */
static void memo_add(refs_memo *m, const char *key)
{
	uint64_t hash = hmap_hash_str(0, key);
	size_t slot;
	char *copy;

	if (m->keys.n >= MEMO_MAX ||
	    hmap_reserve(&m->keys, 1, memo_hash, NULL) < 0)
		return;
	slot = hmap_slot(&m->keys, hash, memo_eq, key, NULL);
	if (!m->keys.slot[slot] && (copy = strdup(key)) != NULL)
		hmap_put_at(&m->keys, slot, (uintptr_t)copy);
}

void refs_memo_free(refs_memo *m)
{
	size_t i;

	for (i = 0; i < hmap_cap(&m->keys); i++)
		free((char *)(uintptr_t)m->keys.slot[i]);
	hmap_free(&m->keys);
}

int refs_check_object_memo(tfs_inst *in, int64_t obj, refs_memo *memo)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), "SELECT kind, target FROM refs "
					       "WHERE obj = ?");
	char kind[64], target[512], key[600];
	int rc, error = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, obj);
	while (!error && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		/* The key without formatting: a package's references are
		 * nearly all remembered, and this runs for each. */
		const char *k = db_text(s, 0), *t = db_text(s, 1);
		size_t kn = strlen(k), tn = strlen(t);

		if (kn >= sizeof(kind) || tn >= sizeof(target))
			kn = tn = 0; /* not remembered; resolved below */
		memcpy(key, k, kn);
		key[kn] = '\n';
		memcpy(key + kn + 1, t, tn);
		key[kn + 1 + tn] = '\0';
		if (kn && memo && memo_has(memo, key))
			continue;
		/* Copy the row out: resolving runs other statements. */
		snprintf(kind, sizeof(kind), "%s", k);
		snprintf(target, sizeof(target), "%s", t);
		error = resolves(in, kind, target);
		if (error == 1 && memo && kn)
			memo_add(memo, key);
		error = error == 1 ? 0 : error == 0 ? TFS_EINVALID : error;
	}
	sqlite3_reset(s);
	return error;
}

int refs_check_object(tfs_inst *in, int64_t obj)
{
	return refs_check_object_memo(in, obj, NULL);
}

/* The path of object `obj` for messages. */
static void path_of(char *out, size_t size, tfs_inst *in, int64_t obj)
{
	tfs_obj_info info;

	if (tfs_inst_obj_get(&info, in, obj) < 0)
		snprintf(out, size, "object %lld", (long long)obj);
	else
		obj_path(out, size, info.kind, info.type, info.name);
}

/*
 * References into (kind, type, name): when `gone`, any reference to it is
 * a conflict; for a business object, every Field reference into it must
 * still resolve (a changed business object may have lost fields).
 * TFS_ECONFLICT naming the first referrer, or 0.
 */
int refs_check_incoming(tfs_inst *in, tfs_kind kind, const char *type,
			const char *name, bool gone)
{
	const char *rkind = kind == TFS_KIND_VALIDATION ? "ValidationList" :
							  type;
	sqlite3_stmt *s;
	char path[800], rec[600];
	int64_t obj = 0;
	int count = 0;

	if (kind == TFS_KIND_MASTER || kind == TFS_KIND_DATA) {
		/* Records are named by Links as "<BO>/<key>". */
		if (!gone)
			return 0;
		snprintf(rec, sizeof(rec), "%s/%s", type, name);
		rkind = "Record";
		name = rec;
	} else if (kind != TFS_KIND_METADATA && kind != TFS_KIND_VALIDATION) {
		return 0;
	}
	if (gone) {
		s = db_stmt(inst_db(in), "SELECT obj FROM refs WHERE kind = ? "
					 "AND target = ?");
		if (!s)
			return TFS_ERROR;
		sqlite3_bind_text(s, 1, rkind, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
		while (sqlite3_step(s) == SQLITE_ROW)
			if (!count++)
				obj = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		if (count > 1) {
			path_of(path, sizeof(path), in, obj);
			return tfs_error_set(TFS_ECONFLICT,
					     "%s is still used "
					     "by %d objects, such as %s",
					     name, count, path);
		}
		if (count) {
			path_of(path, sizeof(path), in, obj);
			return tfs_error_set(TFS_ECONFLICT,
					     "%s is still used "
					     "by %s",
					     name, path);
		}
	}
	if (kind == TFS_KIND_METADATA && strcmp(type, "BusinessObject") == 0)
		return refs_check_fields(in, name);
	return 0;
}

/* Every Field reference into business object `bo` resolves. */
int refs_check_fields(tfs_inst *in, const char *bo)
{
	sqlite3_stmt *s = db_stmt(
		inst_db(in),
		"SELECT obj, target FROM refs "
		"WHERE kind = 'Field' AND target >= ?1 || '.' AND target < "
		"?1 || '/'");
	struct {
		int64_t obj;
		char field[256];
	} *bad = NULL;
	size_t n = strlen(bo), nbad = 0, cap = 0, i;
	char path[800];
	int rc, error = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_text(s, 1, bo, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t = db_text(s, 1);
		if (strncmp(t, bo, n) != 0 || t[n] != '.' ||
		    strchr(t + n + 1, '.'))
			continue;
		if (nbad == cap) {
			void *p = realloc(bad, (cap = cap ? cap * 2 : 16) *
						       sizeof(*bad));
			if (!p) {
				error = tfs_error_set(TFS_ERROR,
						      "out of memory");
				break;
			}
			bad = p;
		}
		bad[nbad].obj = sqlite3_column_int64(s, 0);
		snprintf(bad[nbad].field, sizeof(bad[nbad].field), "%s",
			 t + n + 1);
		nbad++;
	}
	sqlite3_reset(s);
	for (i = 0; !error && i < nbad; i++) {
		int ok = field_exists(in, bo, bad[i].field);
		if (ok < 0)
			error = ok;
		else if (!ok) {
			path_of(path, sizeof(path), in, bad[i].obj);
			error = tfs_error_set(TFS_ECONFLICT,
					      "field %s of %s "
					      "is still used by %s",
					      bad[i].field, bo, path);
		}
	}
	free(bad);
	return error;
}
