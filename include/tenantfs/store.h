/*
 * The store: a directory holding the console database (console.db), one
 * database per tenant instance (instances/<tenant>/<instance>.db) and the
 * history repository (history.git).  A store is opened by one process at a
 * time (an flock on STORE/lock).
 *
 * The console database holds landscape groups, landscapes, database
 * servers, tenants, instances (their static properties), Ops Console users
 * and the event log.  Everything an instance changes atomically with its
 * configuration (objects, projects, history mapping, version, patch log,
 * pending events) lives in the instance's own database; see instance.h.
 */
#ifndef TENANTFS_STORE_H
#define TENANTFS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "seed.h"

typedef struct tfs_store tfs_store;
typedef struct tfs_inst tfs_inst;
typedef struct tfs_history tfs_history;

/* Create an empty store at `path` (the directory may exist if empty). */
int tfs_store_create(const char *path);

/* Create a store at `path` filled from `seed` (tenantfs/seed.h). */
int tfs_store_create_seeded(const char *path, const tfs_seed *seed);

/*
 * Create a store (filled from `seed`, or empty if NULL) all or nothing:
 * it is built in a new directory beside `path` and renamed into place, so
 * a failure (a full disk, say) leaves nothing behind.  `path` must not
 * exist or be an empty directory.
 */
int tfs_store_init(const char *path, const tfs_seed *seed);

/*
 * Open the store; takes the store lock (TFS_EBUSY with a clear message if
 * another process holds it), recovers interrupted work (history branches
 * behind their databases, pending events).  `mount_uid` is mapped to the
 * admin user along with root.
 */
int tfs_store_open(tfs_store **out, const char *path, uid_t mount_uid);
void tfs_store_free(tfs_store *st);
/*
 * For long-running processes: from now on the instance databases copy
 * their write-ahead logs back in a thread of their own, not in the thread
 * that commits (a large commit returns without waiting for a second copy
 * of everything it wrote).  The same thread reads each database once into
 * the page cache, while they fit in a quarter of the free memory, so the
 * first reads after a mount do not wait on the disk page by page.
 * Stopped by tfs_store_free().
 */
int tfs_store_checkpoint_in_background(tfs_store *st);

const char *tfs_store_path(const tfs_store *st);
/* statvfs(3) of the filesystem that holds the store. */
struct statvfs;
int tfs_store_statfs(struct statvfs *out, tfs_store *st);
tfs_history *tfs_store_history(tfs_store *st);
/* Whether history objects are fsynced before the databases name them (the
 * default); off for benchmarks only (tfs_history_set_fsync). */
int tfs_store_set_fsync(tfs_store *st, bool on);
/* Whether objects read from the instance databases are checked against
 * their stored SHA-256 (the default).  Off for measuring what the check
 * costs only (tools/bench's integrity rows): a damaged object is then
 * served.  Call before the store is read from more than one thread. */
void tfs_store_set_verify(tfs_store *st, bool on);
/* When the store was created (seconds since the epoch). */
int64_t tfs_store_created(tfs_store *st);
int64_t tfs_now(void);
/* Format `t` (seconds, UTC) as 2026-11-22T10:00:00Z into `out`. */
void tfs_time_iso(char out[32], int64_t t);

/*
 * End of one request's reads: the read-only connections this thread used
 * since its last call give up their snapshots (so its next read sees the
 * last committed state) and go back to their pools.  Every entry point of
 * the tree calls it before returning; it never blocks on a writer.
 */
void tfs_store_reads_done(tfs_store *st);

/* The Ops Console login of `uid` into out (e.g. "admin"); "uid<N>" if no
 * user has it (tenantfs/perm.h: never admin by default). */
void tfs_store_user_of(tfs_store *st, uid_t uid, char out[64]);

/* ---- console entities: ids and names, for the tree ------------------- */

typedef enum tfs_entity {
	TFS_ENT_USER,
	TFS_ENT_GROUP,
	TFS_ENT_LANDSCAPE,
	TFS_ENT_SERVER,
	TFS_ENT_TENANT,
	TFS_ENT_INSTANCE,
} tfs_entity;

/* One row for listing: its id, directory/file name and change time. */
typedef struct tfs_row {
	int64_t id;
	char name[256];
	int64_t mtime;
	int64_t size; /* objects: byte size; 0 otherwise */
} tfs_row;

typedef int (*tfs_row_cb)(void *ctx, const tfs_row *row);

/*
 * List rows of `ent` whose parent is `parent_id` (group of a landscape,
 * landscape of a server, tenant of an instance; ignored for users, groups,
 * tenants), sorted by name.  Names: user login, group name, landscape type,
 * server name, tenant name, instance name.
 */
int tfs_store_list(tfs_store *st, tfs_entity ent, int64_t parent_id,
		   tfs_row_cb cb, void *ctx);
/* Find one by parent and name: 0 and *out, or TFS_ENOTFOUND. */
int tfs_store_find(tfs_row *out, tfs_store *st, tfs_entity ent,
		   int64_t parent_id, const char *name);
/* The row of `id`: 0 and *out, or TFS_ENOTFOUND. */
int tfs_store_get(tfs_row *out, tfs_store *st, tfs_entity ent, int64_t id);

/* Render the .conf of an entity row. */
int tfs_store_conf_render(tfs_buf *out, tfs_store *st, tfs_entity ent,
			  int64_t id);
/* Update an entity from a rewritten .conf (see conf.c for the rules). */
int tfs_store_conf_update(tfs_store *st, tfs_entity ent, int64_t id,
			  const char *user, const char *bytes, size_t len);

/* ---- console.conf: store-wide settings (console_conf.c) ---------------- */

struct tfs_user;

/* The largest file a write through the mount may make (object_max). */
uint64_t tfs_store_object_max(tfs_store *st);
/* console.conf's text. */
int tfs_store_console_conf_render(tfs_buf *out, tfs_store *st);
/* Update console.conf as user `u`: administrators only (TFS_EACCESS),
 * known keys and valid values only (TFS_EINVALID); an event if it
 * changed. */
int tfs_store_console_conf_update(tfs_store *st, const struct tfs_user *u,
				  const char *bytes, size_t len);

/* ---- instances --------------------------------------------------------- */

/* The open instance of `id` (owned by the store), or NULL with an error. */
tfs_inst *tfs_store_inst(tfs_store *st, int64_t id);

/* ---- text views -------------------------------------------------------- */

int tfs_store_render_readme(tfs_buf *out, tfs_store *st);
/* Every instance with its API key state (ok, duplicate, blank) and the
 * problems: expired, duplicate or blank API keys, history out of step,
 * damaged objects, instances not served, unreachable server locations
 * (status.c). */
int tfs_store_render_status(tfs_buf *out, tfs_store *st);
/* Write to status as `u`: "fix" (administrators only) gives every
 * duplicate or blank API key a new one, all or nothing, one event per
 * instance changed; anything else is EINVALID. */
int tfs_store_status_write(tfs_store *st, const struct tfs_user *u,
			   const char *bytes, size_t len);
/* Whether `bytes` may be (the start of) what status takes: 0, or
 * TFS_EINVALID at once for a write that can never become "fix". */
int tfs_store_status_check(const char *bytes, size_t len);
/* License usage as CSV (date,tenant,instance,license_type,licenses,used):
 * of every instance, or of tenant `tenant_id`'s only (licenses.c). */
int tfs_store_render_licenses(tfs_buf *out, tfs_store *st, int64_t tenant_id);
int tfs_store_render_dashboard(tfs_buf *out, tfs_store *st, int64_t tenant_id);

/* ---- events ------------------------------------------------------------ */

typedef struct tfs_event {
	const char *user;
	const char *action; /* "Object/Update", "Package/Apply", ... */
	const char *message;
	int64_t instance_id; /* 0 if not about an instance */
	int64_t tenant_id;   /* 0 if not about a tenant */
} tfs_event;

/* Append an event to the console's log (time: now). */
int tfs_store_event(tfs_store *st, const tfs_event *ev);
/* Total size in bytes of the events file and its last change time. */
int tfs_store_events_size(tfs_store *st, uint64_t *size, int64_t *mtime);
/* The events of tenant `tenant_id` (inst_id 0) or of instance `inst_id`
 * only: their file's size and last change (0 if none), and its content
 * (events_scope.c). */
int tfs_store_events_scope_size(tfs_store *st, int64_t tenant_id,
				int64_t inst_id, uint64_t *size,
				int64_t *mtime);
int tfs_store_events_scope_read(tfs_buf *out, tfs_store *st, int64_t tenant_id,
				int64_t inst_id);
/* Append bytes [off, off+len) of the events file to `out`. */
int tfs_store_events_read(tfs_buf *out, tfs_store *st, uint64_t off,
			  size_t len);

#endif
