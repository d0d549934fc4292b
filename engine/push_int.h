/*
 * Push migrations inside the engine: the parsed request (push.c) and the
 * two ways a push changes its target: object by object through a change
 * set (push_copy.c: copy-configuration, copy-master-data, copy-data,
 * copy-settings, copy-translation, no-op) or by replacing the target's
 * content with a snapshot of another database (push_replace.c:
 * copy-to-replace and restore).
 */
#ifndef TENANTFS_PUSH_INT_H
#define TENANTFS_PUSH_INT_H

#include "internal.h"
#include "tenantfs/push.h"

enum push_op {
	OP_COPY_CONFIG,
	OP_COPY_CONFIG_MASTER,
	OP_COPY_MASTER,
	OP_COPY_TO_REPLACE,
	OP_COPY_DATA,
	OP_COPY_SETTINGS,
	OP_COPY_TRANSLATION,
	OP_NO_OP,
	OP_SIMPLE,
};

enum push_mode { MODE_EXECUTE, MODE_PREVIEW, MODE_SAVE };
enum push_backup { BACKUP_LIVE, BACKUP_LAST, BACKUP_NONE };

/* A set of names (business objects), space-separated as written. */
struct name_set {
	char **v;
	size_t n;
};
bool name_set_has(const struct name_set *s, const char *name);

#define PUSH_TYPES 32 /* > the metadata and settings type lists */

struct push_req {
	enum push_op op;
	bool op_known; /* op was read from the request */
	enum push_mode mode;
	enum push_backup backup;
	char source[160]; /* as written */
	tfs_inst *src;
	/* copy-configuration */
	bool delete_missing[PUSH_TYPES]; /* by tfs_metadata_types index */
	bool replace_newer[PUSH_TYPES];
	bool validation_delete_missing;
	/* master data: business objects (groups expanded) */
	struct name_set master;
	bool master_delete_missing;
	/* the business objects named in master and data (not a group's) */
	struct name_set named_master, named_data;
	/* copy-data */
	struct name_set data;
	bool data_delete_missing;
	/* copy-settings */
	bool settings[PUSH_TYPES]; /* by tfs_settings_types index */
	bool settings_delete_missing;
	bool settings_update_changed;
	/* copy-to-replace */
	bool keep_users_enabled;
	bool scrub_user_email;
	bool scrub_other_email;
	int trim_days;
	bool shrink;
};

/* What a push did, for the result. */
struct push_counts {
	uint64_t created, updated, deleted, kept, scrubbed, trimmed, disabled,
		enabled;
};

/* Progress of a push: objects done of total. */
struct push_progress {
	tfs_pkg_progress_fn fn;
	void *ctx;
	uint64_t done, total;
};
void push_progress_step(struct push_progress *p, uint64_t n);

const char *push_op_name(enum push_op op);
/* The event action of an operation ("Sandbox/Copy", ...). */
const char *push_op_action(enum push_op op);
void push_req_free(struct push_req *r);

/*
 * Carry out an object-by-object push into `in` (its writer lock held):
 * one change set, the version set to `version`, one history commit
 * `message`.  With `diff`, nothing is kept: the unified diff of what it
 * would change goes there.  `errors` gets "error ..." lines.
 */
int push_copy(struct push_counts *c, tfs_buf *diff, tfs_buf *errors,
	      tfs_inst *in, const char *user, const struct push_req *r,
	      int64_t version, const char *message, struct push_progress *pg);

/*
 * Replace the content of `in` (writer lock held) with that of the SQLite
 * database at `from_path` (an instance's database, read through a
 * snapshot, or a backup), whose configuration is the tree of history
 * commit `from_commit` ("" if it has none): one transaction, one history
 * commit `message`, the version set to `version`, event `action`.  The
 * options of `r` (may be NULL) scrub, trim and shrink.  *commit_n gets
 * the new commit's number.
 */
int push_replace(struct push_counts *c, int *commit_n, tfs_inst *in,
		 const char *user, const char *from_path,
		 const struct push_req *r, int64_t version, const char *action,
		 const char *message, struct push_progress *pg);

/*
 * An Employee record disabled (`disable`) or enabled: its Disabled value
 * swapped, appended to `out`.  1 if it was swapped, 0 if the record
 * already had that value (nothing appended), or an error.
 */
int push_user_disabled(tfs_buf *out, const char *p, size_t len, bool disable);

/* Backups (backup.c). */
/* Take a backup of `in` now ("<UTC time>-<what>.db" and ".info"); its
 * name into `name`. */
int backup_take(char name[128], tfs_inst *in, const char *what);
/* The newest backup's name, or TFS_ENOTFOUND. */
int backup_last(char name[128], tfs_inst *in);
/* The directory of `in`'s backups. */
int backup_dir(char *out, size_t size, tfs_inst *in);

#endif
