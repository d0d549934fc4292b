/*
 * Push migrations, backups and restore (INTERFACE.md, "Push migrations",
 * "Backups and restore").
 *
 * A push request is `key = value` text dropped into the target instance's
 * push/.  It names a source instance, an operation of the console's
 * Appendix B and its options.  A push is one write transaction of the
 * target (the target's writer lock, one SQLite transaction, one history
 * commit): all of it or nothing, whatever its size, and a crash at any
 * point leaves the target as it was.  Other instances are never held up,
 * the source included: it is read through a snapshot.
 */
#ifndef TENANTFS_PUSH_H
#define TENANTFS_PUSH_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "package.h"
#include "store.h"

/* A push request is a few lines of options. */
#define PUSH_REQUEST_MAX 65536

typedef enum tfs_push_outcome {
	TFS_PUSH_PUSHED,
	TFS_PUSH_PREVIEWED,
	TFS_PUSH_SAVED,
	TFS_PUSH_REJECTED,
	TFS_PUSH_FAILED,
} tfs_push_outcome;

/*
 * Run the request `req` (`len` bytes) against `target`.  `result` gets the
 * result text (first line pushed, previewed, saved, rejected or failed;
 * then operation:, source:, version:, backup:, commit:, counts and error
 * lines); `diff` (may be NULL) the unified diff of a preview.  *outcome
 * says which.  `force_execute`: run a saved request (mode = save is read
 * as execute).  Returns 0 when the request was carried out (pushed,
 * previewed or saved), else the error that stopped it.
 */
int tfs_push(tfs_buf *result, tfs_buf *diff, tfs_push_outcome *outcome,
	     tfs_inst *target, const char *user, const char *req, size_t len,
	     bool force_execute, tfs_pkg_progress_fn progress, void *ctx);

/*
 * The migration paths of the tenant's group as the dashboard shows them:
 * one line per path, "  <from> -> <to>  open" or "  closed: <why>",
 * computed from the instances' landscapes and versions now.
 */
int tfs_push_paths_render(tfs_buf *out, tfs_store *st, int64_t tenant_id);

/* ---- backups ------------------------------------------------------------ */

/* The instance's backups, oldest first (row name: the file name, ".db" or
 * ".info"; size and mtime of the file). */
int tfs_backup_list(tfs_inst *in, tfs_row_cb cb, void *ctx);
int tfs_backup_find(tfs_row *out, tfs_inst *in, const char *name);
/* Append the bytes of backup file `name` (offset `off`, up to `len`). */
int tfs_backup_read(tfs_buf *out, tfs_inst *in, const char *name, uint64_t off,
		    size_t len);
/*
 * Restore what the user wrote into `restore` (a backup's name, ".db" or
 * not): the instance's configuration and data become the backup's, as one
 * history commit "Restore <name>".  `result` gets the text of
 * restore.result ("restored\nbackup: ...\ncommit: n\n" or "rejected\n
 * error ...").
 */
int tfs_restore_request(tfs_buf *result, tfs_inst *in, const char *user,
			const char *text);
/* The text of restore.result ("" if none yet). */
int tfs_restore_result(tfs_buf *out, tfs_inst *in);

#endif
