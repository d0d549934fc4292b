/*
 * Locales of an instance's translations/: a locale is the set of its
 * directories "<locale>/<Type>", one per metadata type (kind
 * TFS_KIND_TRANSLATION in the dirs table), made and removed together, so
 * that a locale and every type directory in it exist or none do.  The
 * locale is named by the row of its first type ("<locale>/BusinessObject",
 * the lowest id of the set): tfs_inst_locale_find().
 *
 * Objects in them are saved, deleted and versioned like any other
 * (change.c); a save, revert or package into a locale the instance lacks
 * makes the locale first (inst_translation_dir), in the same transaction.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "tenantfs/error.h"

/* The type of the row that names a locale. */
#define LOCALE_ROW_TYPE "BusinessObject"

static int bad_locale(const char *locale)
{
	return tfs_error_set(TFS_EINVALID,
			     "invalid locale name '%.80s' "
			     "(letters, digits, - and _ only, starting with "
			     "a letter, at most %d)",
			     locale ? locale : "", TFS_LOCALE_MAX);
}

/* Every type directory of `locale` exists afterwards (writer lock held,
 * inside the caller's transaction). */
static int locale_ensure(tfs_inst *in, const char *locale)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), "INSERT OR IGNORE INTO "
					       "dirs(kind, type) VALUES(?, ?)");
	char type[TFS_LOCALE_MAX + 64];
	size_t i;
	int error;

	if (!s)
		return TFS_ERROR;
	/* tfs_metadata_types[0] first: it names the locale. */
	for (i = 0; tfs_metadata_types[i]; i++) {
		snprintf(type, sizeof(type), "%s/%s", locale,
			 tfs_metadata_types[i]);
		sqlite3_bind_int(s, 1, TFS_KIND_TRANSLATION);
		sqlite3_bind_text(s, 2, type, -1, SQLITE_TRANSIENT);
		if ((error = db_done(inst_db(in), s)) < 0)
			return error;
	}
	return 0;
}

int inst_translation_dir(int64_t *out, tfs_inst *in, const char *type)
{
	char locale[TFS_LOCALE_MAX + 1];
	const char *mtype;
	int error;

	if (!tfs_translation_split(type, locale, &mtype))
		return tfs_error_set(TFS_EINVALID,
				     "'%.80s' is not a "
				     "directory of translations/",
				     type);
	if ((error = locale_ensure(in, locale)) < 0)
		return error;
	return tfs_inst_dir_find(out, in, TFS_KIND_TRANSLATION, type);
}

int tfs_inst_locale_find(int64_t *out, tfs_inst *in, const char *locale)
{
	char type[TFS_LOCALE_MAX + 64];

	if (!tfs_locale_valid(locale))
		return tfs_error_set(TFS_ENOTFOUND, "no locale '%.80s'",
				     locale ? locale : "");
	snprintf(type, sizeof(type), "%s/%s", locale, LOCALE_ROW_TYPE);
	return tfs_inst_dir_find(out, in, TFS_KIND_TRANSLATION, type);
}

int tfs_inst_locale_name(tfs_inst *in, int64_t id,
			 char locale[TFS_LOCALE_MAX + 1])
{
	const char *mtype;
	char type[256];
	tfs_kind kind;
	int error;

	if ((error = tfs_inst_dir_get(in, id, &kind, type)) < 0)
		return error;
	if (kind != TFS_KIND_TRANSLATION ||
	    !tfs_translation_split(type, locale, &mtype) ||
	    strcmp(mtype, LOCALE_ROW_TYPE) != 0)
		return tfs_error_set(TFS_ENOTFOUND, "no locale %lld",
				     (long long)id);
	return 0;
}

int tfs_inst_locale_list(tfs_inst *in, tfs_row_cb cb, void *ctx)
{
	/* The rows naming locales, and the time of their last change. */
	sqlite3_stmt *s = db_stmt(
		inst_db(in),
		"SELECT d.id, substr(d.type, 1, length(d.type) - ?2),"
		" COALESCE((SELECT max(o.mtime) FROM dirs e JOIN objects o"
		"  ON o.dir = e.id WHERE e.kind = ?1 AND e.type >="
		"  substr(d.type, 1, length(d.type) - ?2 + 1) AND e.type <"
		"  substr(d.type, 1, length(d.type) - ?2) || '0'), 0)"
		" FROM dirs d WHERE d.kind = ?1 AND d.type LIKE ?3"
		" ORDER BY d.type");
	tfs_row row = { 0 };
	int rc, error = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int(s, 1, TFS_KIND_TRANSLATION);
	sqlite3_bind_int(s, 2, (int)strlen("/" LOCALE_ROW_TYPE));
	sqlite3_bind_text(s, 3, "%/" LOCALE_ROW_TYPE, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row.id = sqlite3_column_int64(s, 0);
		snprintf(row.name, sizeof(row.name), "%s", db_text(s, 1));
		row.mtime = sqlite3_column_int64(s, 2);
		if (!tfs_locale_valid(row.name))
			continue; /* "a/b/BusinessObject" cannot be stored */
		if ((error = cb(ctx, &row)) != 0)
			break;
	}
	if (!error && rc != SQLITE_DONE && rc != SQLITE_ROW)
		error = db_fail(inst_db(in), "dirs");
	sqlite3_reset(s);
	return error;
}

static int locale_create_locked(tfs_inst *in, const char *locale)
{
	int64_t id;
	int error;

	if (!tfs_locale_valid(locale))
		return bad_locale(locale);
	if (tfs_inst_locale_find(&id, in, locale) == 0)
		return tfs_error_set(TFS_EEXISTS, "translations/%s exists",
				     locale);
	if ((error = db_exec(inst_db(in), "BEGIN IMMEDIATE")) < 0)
		return error;
	if ((error = locale_ensure(in, locale)) < 0 ||
	    (error = db_exec(inst_db(in), "COMMIT")) < 0) {
		db_rollback(inst_db(in));
		return error;
	}
	return 0;
}

int tfs_inst_locale_create(tfs_inst *in, const char *locale)
{
	int error;

	inst_write_begin(in);
	error = locale_create_locked(in, locale);
	inst_write_end(in);
	return error;
}

static int locale_remove_locked(tfs_inst *in, const char *locale)
{
	char lo[TFS_LOCALE_MAX + 2], hi[TFS_LOCALE_MAX + 2];
	sqlite3_stmt *s;
	int64_t id;
	bool busy;
	int error;

	if ((error = tfs_inst_locale_find(&id, in, locale)) < 0)
		return error;
	/* The locale's types sort from "<locale>/" up to "<locale>0". */
	snprintf(lo, sizeof(lo), "%s/", locale);
	snprintf(hi, sizeof(hi), "%s0", locale);
	s = db_stmt(inst_db(in), "SELECT 1 FROM objects o JOIN dirs d"
				 " ON d.id = o.dir WHERE d.kind = ? AND"
				 " d.type >= ? AND d.type < ? LIMIT 1");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int(s, 1, TFS_KIND_TRANSLATION);
	sqlite3_bind_text(s, 2, lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, hi, -1, SQLITE_STATIC);
	busy = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	if (busy)
		return tfs_error_set(TFS_ENOTEMPTY,
				     "translations/%s is not "
				     "empty",
				     locale);
	s = db_stmt(inst_db(in), "DELETE FROM dirs WHERE kind = ? AND"
				 " type >= ? AND type < ?");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int(s, 1, TFS_KIND_TRANSLATION);
	sqlite3_bind_text(s, 2, lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, hi, -1, SQLITE_STATIC);
	return db_done(inst_db(in), s);
}

int tfs_inst_locale_remove(tfs_inst *in, const char *locale)
{
	int error;

	inst_write_begin(in);
	error = locale_remove_locked(in, locale);
	inst_write_end(in);
	return error;
}
