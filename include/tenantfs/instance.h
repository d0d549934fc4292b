/*
 * A tenant instance: its configuration objects, development projects,
 * transaction sets, history mapping and patch log, all in the instance's
 * own SQLite database (WAL), and its branch in the store's history.
 *
 * Every stored change goes through one path (a change set): open a write
 * transaction, put or delete objects, record the transactions in a new
 * transaction set of the active project, write the history commit, record
 * it, commit the database, move the branch, publish the event.  A failure
 * at any point leaves database, branch and events as they were.
 */
#ifndef TENANTFS_INSTANCE_H
#define TENANTFS_INSTANCE_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "doc.h"
#include "store.h"

typedef struct tfs_obj_info {
	int64_t id;
	int64_t dir;
	tfs_kind kind;
	char type[256];
	char name[256];
	int64_t size;
	int64_t mtime;
	char sha[65];
} tfs_obj_info;

int64_t tfs_inst_id(const tfs_inst *in);
const char *tfs_inst_tenant(const tfs_inst *in);
const char *tfs_inst_name(const tfs_inst *in);
/* Whether the instance's metadata is locked (instance.conf). */
bool tfs_inst_locked(const tfs_inst *in);
/* Whether objects of (kind, type) are read-only under the metadata lock. */
bool tfs_inst_type_lockable(tfs_kind kind, const char *type);
/* Time of the instance's last change (for directory mtimes). */
int64_t tfs_inst_mtime(tfs_inst *in);

/* ---- directories and objects (reads) ---------------------------------- */

/* The directory (kind, type): 0 and *out, or TFS_ENOTFOUND. */
int tfs_inst_dir_find(int64_t *out, tfs_inst *in, tfs_kind kind,
		      const char *type);
/* Kind and type of directory `id`. */
int tfs_inst_dir_get(tfs_inst *in, int64_t id, tfs_kind *kind, char type[256]);
/* Create the business-object directory master/BO or data/BO; the business
 * object must exist in metadata.  TFS_EEXISTS if it exists. */
int tfs_inst_dir_create(int64_t *out, tfs_inst *in, tfs_kind kind,
			const char *type);
/* Remove an empty business-object directory (TFS_ENOTEMPTY otherwise). */
int tfs_inst_dir_remove(tfs_inst *in, int64_t id);
/* Directories of `kind`, sorted by type: the business objects of master/
 * or data/; for TFS_KIND_TRANSLATION every "<locale>/<Type>" directory of
 * translations/ (see tfs_translation_split), each listed with
 * tfs_inst_obj_list like any other. */
int tfs_inst_dir_list(tfs_inst *in, tfs_kind kind, tfs_row_cb cb, void *ctx);

/*
 * Locales of translations/ (engine/translation.c).  A locale holds one
 * directory per metadata type, made and removed together; it is named by
 * the id of its first directory ("<locale>/BusinessObject").  A save into
 * a locale the instance lacks (tfs_inst_save of kind TFS_KIND_TRANSLATION,
 * a revert, a package) makes the locale first.
 */
/* The id naming `locale`: 0 and *out, or TFS_ENOTFOUND. */
int tfs_inst_locale_find(int64_t *out, tfs_inst *in, const char *locale);
/* The locale named by `id`, or TFS_ENOTFOUND. */
int tfs_inst_locale_name(tfs_inst *in, int64_t id,
			 char locale[TFS_LOCALE_MAX + 1]);
/* Locales sorted by name: row id names it, mtime is its last change. */
int tfs_inst_locale_list(tfs_inst *in, tfs_row_cb cb, void *ctx);
/* Make an empty locale: TFS_EINVALID for a bad name, TFS_EEXISTS. */
int tfs_inst_locale_create(tfs_inst *in, const char *locale);
/* Remove an empty locale: TFS_ENOTEMPTY while it holds translations. */
int tfs_inst_locale_remove(tfs_inst *in, const char *locale);

int tfs_inst_obj_find(tfs_obj_info *out, tfs_inst *in, int64_t dir,
		      const char *name);
int tfs_inst_obj_get(tfs_obj_info *out, tfs_inst *in, int64_t id);
/* Append the stored (canonical) bytes of object `id` to `out`. */
int tfs_inst_obj_read(tfs_buf *out, tfs_inst *in, int64_t id);
/*
 * Check every object's bytes against its stored SHA-256; `cb` gets the
 * path of each that does not match (a nonzero return stops).  Returns the
 * number of damaged objects, or an error.
 */
typedef int (*tfs_inst_damage_cb)(void *ctx, const char *path);
int tfs_inst_verify(tfs_inst *in, tfs_inst_damage_cb cb, void *ctx);

/*
 * Check that history.git has the instance's last commit whole: the commit
 * and every tree and blob of its snapshot (for fsck: a walk of it all).
 * If not, the history is repaired from the database (a commit of the whole
 * instance, on the newest commit git still has) and *lost set to the
 * number of commits git had lost.  0 whole, 1 repaired, <0 error.
 */
int tfs_inst_history_check(tfs_inst *in, int *lost);
/* Objects of directory `dir`, unsorted (row name: object name, no ".xml";
 * row id: object id; mtime: change time; size: byte size). */
int tfs_inst_obj_list(tfs_inst *in, int64_t dir, tfs_row_cb cb, void *ctx);

/* ---- changes ------------------------------------------------------------ */

/*
 * Store `bytes` as object `name` of (kind, type), creating or updating it.
 * The document is parsed and checked (tfs_doc_parse); secrets given as
 * "***" keep their stored values.  Saving the bytes already stored is a
 * no-op.  On success *out_id (may be NULL) is the object id.  Returns
 * TFS_EINVALID (bad content), TFS_ELOCKED, or another error; on any error
 * nothing is changed.
 */
int tfs_inst_save(int64_t *out_id, tfs_inst *in, const char *user,
		  tfs_kind kind, const char *type, const char *name,
		  const char *bytes, size_t len);
int tfs_inst_delete(tfs_inst *in, const char *user, int64_t id);
/* Rename object `id` within its directory (its name attribute follows). */
int tfs_inst_rename(tfs_inst *in, const char *user, int64_t id,
		    const char *newname);
/*
 * Undo history commit `n` as a new commit.  Refuses with TFS_ECONFLICT when
 * a later commit touched one of its paths.  `result` receives the result
 * text ("reverted\ncommit: 9\n" or "rejected\nconflict ...").
 */
int tfs_inst_revert(tfs_buf *result, tfs_inst *in, const char *user, int n);
/* The same for what a user wrote into `revert` (a commit number); any
 * other text is refused there too: in revert.result, the log, events. */
int tfs_inst_revert_request(tfs_buf *result, tfs_inst *in, const char *user,
			    const char *text);

/* Record a rejected save (patch log and events). */
void tfs_inst_reject(tfs_inst *in, const char *user, const char *path,
		     const char *reason);

/* ---- projects and transaction sets ------------------------------------ */

int tfs_inst_project_list(tfs_inst *in, tfs_row_cb cb, void *ctx);
int tfs_inst_project_find(tfs_row *out, tfs_inst *in, const char *name);
int tfs_inst_project_get(tfs_row *out, tfs_inst *in, int64_t id);
int tfs_inst_project_create(tfs_inst *in, const char *user, const char *name);
int tfs_inst_project_remove(tfs_inst *in, const char *user, int64_t id);
int tfs_inst_active_project(tfs_row *out, tfs_inst *in);
int tfs_inst_set_active_project(tfs_inst *in, const char *user,
				const char *name);
/* Transaction sets of a project, by id (row name: the id in decimal). */
int tfs_inst_txset_list(tfs_inst *in, int64_t project, tfs_row_cb cb,
			void *ctx);
int tfs_inst_txset_get(tfs_row *out, int64_t *project, tfs_inst *in,
		       int64_t id);
int tfs_inst_txset_render(tfs_buf *out, tfs_inst *in, int64_t id);

/* ---- history, log, properties ------------------------------------------ */

/* Number of history commits of the instance (n runs 1..count). */
int tfs_inst_history_count(tfs_inst *in, int *out);
/* The commit id and time of commit n. */
int tfs_inst_history_commit(char oid[41], int64_t *time, tfs_inst *in, int n);
/* history/log: "<n> <id> <time> <user> <message>\n", newest first. */
int tfs_inst_history_render(tfs_buf *out, tfs_inst *in);
/* The patch log. */
int tfs_inst_log_render(tfs_buf *out, tfs_inst *in);
/* The result of the last revert ("" if none). */
int tfs_inst_revert_result(tfs_buf *out, tfs_inst *in);

typedef struct tfs_inst_meta {
	int64_t version;
	int64_t last_update;
	char last_update_by[64];
} tfs_inst_meta;
int tfs_inst_meta_get(tfs_inst_meta *out, tfs_inst *in);

/* ---- observing changes --------------------------------------------------- */

typedef enum tfs_change_op {
	TFS_CHANGE_PUT,      /* object created or its bytes changed */
	TFS_CHANGE_DELETE,   /* object removed from directory */
	TFS_CHANGE_INSTANCE, /* instance files (conf, logs, history) changed */
	TFS_CHANGE_DIR,      /* objects were created in directory `dir` */
	TFS_CHANGE_REPLACED, /* all of the instance's content was replaced
			     * (object and directory ids may now name other
			     * objects) */
	TFS_CHANGE_REPLACING /* the same is about to commit: called before
			     * the commit, so that nothing opened from now on
			     * is served from what the kernel cached */
} tfs_change_op;

/* Called after a change is committed, once per object and once with
 * TFS_CHANGE_INSTANCE.  Must not call back into the engine. */
typedef void (*tfs_change_cb)(void *ctx, int64_t inst, tfs_change_op op,
			      int64_t dir, int64_t obj, const char *name);
void tfs_store_set_observer(tfs_store *st, tfs_change_cb cb, void *ctx);

#endif
