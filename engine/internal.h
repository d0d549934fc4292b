/*
 * Engine-internal definitions shared by store.c, instance.c, conf.c and
 * text.c.  Not installed; nothing outside engine/ includes it.
 */
#ifndef TENANTFS_INTERNAL_H
#define TENANTFS_INTERNAL_H

#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "hmap.h"
#include "tenantfs/seed.h"
#include "tenantfs/instance.h"
#include "tenantfs/store.h"

/* A small cache of prepared statements, keyed by the SQL text's address
 * (always a string literal), so hot lookups are not re-prepared. */
#define DB_CACHE_SIZE 96
typedef struct db_conn {
	sqlite3 *db;
	const char *sql[DB_CACHE_SIZE];
	sqlite3_stmt *stmt[DB_CACHE_SIZE];
} db_conn;

/*
 * SQLite's page cache per connection, in KiB.  A large change set (a
 * package of many records) inserts into indexes keyed by random names and
 * guids; with the everyday cache their pages are written out and read
 * back again and again (at 10^6 records, a fifth of the apply).  It gets
 * the larger cache while it lasts: bounded, whatever its size.
 */
#define DB_CACHE_KIB      16000
#define DB_CACHE_BULK_KIB 131072

int db_open(db_conn *c, const char *path, bool create);
/* A read-only connection to an existing database (WAL: it never waits
 * for the writer and sees the last committed state). */
int db_open_reader(db_conn *c, const char *path);
/* Set the connection's page cache to `kib` KiB. */
int db_cache_size(db_conn *c, int kib);
void db_close(db_conn *c);
/* Roll back the open transaction, if any, keeping the error set. */
void db_rollback(db_conn *c);
/* Run SQL without results. */
int db_exec(db_conn *c, const char *sql);
/* A cached, reset statement for `sql` (a string literal); NULL on error
 * (with the error set). */
sqlite3_stmt *db_stmt(db_conn *c, const char *sql);
/* Set the error from the connection's last SQLite error. */
int db_fail(db_conn *c, const char *what);
/* Step a statement expected to finish (no rows): 0 or error. */
int db_done(db_conn *c, sqlite3_stmt *s);
/* Text of column i, never NULL. */
const char *db_text(sqlite3_stmt *s, int i);

/*
 * ---- Concurrency (conc.c) -----------------------------------------------
 *
 * Locks, in the only order in which they may be taken:
 *
 *   1. an instance's writer lock (tfs_inst.wl): its change sets, imports,
 *      reverts, projects, packages, drop results and instance.conf;
 *      never two instances' at once;
 *   2. the console's writer lock (tfs_store.wl): console.db (events,
 *      .conf files of console entities);
 *   3. the history handle's own locks (history.c);
 *   4. leaf locks over in-memory tables (the tree's, a pool's, the
 *      checkpoint thread's, the import reader's): nothing else is taken
 *      or called while one is held.
 *
 * Readers take no lock: a thread that does not hold a database's writer
 * lock reads it through a read-only connection of its pool (inst_db,
 * store_db), borrowed until db_reads_done().  libgit2 objects never leave
 * the thread that made them.
 */
typedef struct wlock {
	pthread_mutex_t mu;
	uintptr_t owner; /* the holder's tag, 0 if free (atomic) */
	int depth;       /* the holder's nesting (the holder's alone) */
} wlock;
void wlock_init(wlock *l);
void wlock_destroy(wlock *l);
/* Take the lock (again, if this thread holds it). */
void wlock_take(wlock *l);
/* Take the lock if it is free or ours: true if taken. */
bool wlock_trytake(wlock *l);
void wlock_drop(wlock *l);
bool wlock_held(const wlock *l);

struct rconn;
typedef struct db_pool {
	char *path;
	pthread_mutex_t mu; /* leaf: the two lists */
	struct rconn *idle;
	struct rconn *all;
	unsigned gen; /* counts db_pool_renew() */
} db_pool;
int db_pool_init(db_pool *p, const char *path);
/* Close every connection; none may be borrowed by another thread. */
void db_pool_free(db_pool *p);
/* This thread's read-only connection of `p`, opened if none is idle.
 * Never NULL: if opening fails, a connection whose every query fails. */
db_conn *db_pool_reader(db_pool *p);
/* The calling thread's connection of `p` (if it borrowed one) gives up
 * its snapshot: its next query sees the last commit (after a write of
 * this thread's, for instance), on the new file if it was replaced. */
void db_pool_refresh(db_pool *p);
/* Give back every connection this thread borrowed, snapshots released. */
void db_reads_done(void);
/* The file at the pool's path was replaced (inst_file.c): idle
 * connections are closed now, borrowed ones when given back (their
 * borrowers go on reading the old file, a consistent state), and new
 * ones open the new file. */
void db_pool_renew(db_pool *p);

struct tfs_inst {
	tfs_store *st;
	int64_t id;
	int64_t tenant_id;
	int64_t landscape_id;
	char tenant[64];
	char name[64];
	char landscape[32];
	char company[128];
	char branch[160];
	bool locked;  /* atomic: changed by instance.conf writes */
	bool gone;    /* atomic: deleted (rmdir); see struct inst_table */
	wlock wl;     /* writers of the instance (order: 1) */
	db_conn db;   /* the write connection: wl's holder's alone */
	db_pool pool; /* read-only connections of everyone else */
	/* Objects found damaged (bytes that do not match their hash), one
	 * path a line, for `status`; the part past `dlogged` is not yet in
	 * the patch log and events (written by the next writer). */
	pthread_mutex_t dmu; /* leaf: damaged, dlogged */
	tfs_buf damaged;
	size_t dlogged;
};

/*
 * The open instances, by id (console.db's ids: AUTOINCREMENT, never
 * reused).  Threads serving the mount read the table without a lock
 * while mkdir adds an instance and rmdir removes one, so:
 *
 *  - a table never changes in place, except that an empty slot receives
 *    a fully opened instance (an atomic release store).  Growing makes a
 *    bigger copy, publishes it with one atomic store (tfs_store.tab) and
 *    keeps the old one (`older`) until the store is freed: a thread still
 *    holding an old table reads valid memory, and all it finds there is
 *    in the new one too;
 *  - an instance, once published, is freed by tfs_store_free() alone.
 *    rmdir marks it gone (tfs_inst.gone): lookups stop finding it
 *    (tfs_store_inst), its writers are refused (cset_begin, inst_load),
 *    and a thread that already holds the pointer may go on reading;
 *  - adding and removing take the console's writer lock; only the code
 *    that opens the store (one thread, before serving) writes `broken`
 *    or frees a slot's instance (store_forget_instance).
 *
 * Slots are read with store_slot() and the count with store_ninsts().
 */
struct inst_table {
	size_t n;
	tfs_inst **slot; /* n entries, loaded and stored atomically */
	/* By instance id: why an instance that could not be opened (or is
	 * not writable, or whose history is broken) is not served; NULL for
	 * those that are.  The others mount and serve all the same.
	 * Shared with the older tables (copied pointers; the newest frees
	 * them). */
	char **broken;
	struct inst_table *older;
};

struct tfs_store {
	char *path;
	int lockfd;
	uid_t mount_uid;
	wlock wl;     /* writers of console.db (order: 2) */
	db_conn db;   /* console.db's write connection: wl's holder's */
	db_pool pool; /* console.db's read-only connections */
	tfs_history *hist;
	struct inst_table *tab; /* atomic; see struct inst_table */
	tfs_change_cb observer;
	void *observer_ctx;
	struct tfs_ckpt *ckpt; /* background checkpoints, or NULL */
	uint64_t object_max;   /* atomic; console.conf (console_conf.c) */
	/* Objects served without checking their SHA-256 (tfs_inst_obj_read):
	 * set before the first read (-o noverify), for measurement only. */
	bool noverify;
};

/* Read the store-wide settings of console.conf from console.db's meta
 * table into the store (console_conf.c); at open. */
int console_conf_load(tfs_store *st);

/* The connection this thread uses for the instance's or the console's
 * database: the write connection while it holds the writer lock, a
 * read-only one otherwise. */
static inline db_conn *inst_db(tfs_inst *in)
{
	return wlock_held(&in->wl) ? &in->db : db_pool_reader(&in->pool);
}

static inline db_conn *store_db(tfs_store *st)
{
	return wlock_held(&st->wl) ? &st->db : db_pool_reader(&st->pool);
}

/* Writers of an instance: the lock, and on the last release the
 * thread's own read connection made to see what it wrote. */
void inst_write_begin(tfs_inst *in);
void inst_write_end(tfs_inst *in);
void store_write_begin(tfs_store *st);
void store_write_end(tfs_store *st);
/* Update row `id` of `ent` from .conf text (conf.c), the store's writer
 * lock held (users.c checks the permission table first). */
int conf_update_locked(tfs_store *st, tfs_entity ent, int64_t id,
		       const char *user, const char *bytes, size_t len);
/* Stores made before users had a password get the column (users.c). */
int users_upgrade(tfs_store *st);
/* The tenant and instance an event line is about (0: none), stored with
 * it so that their own events files are indexed reads (events_scope.c). */
struct event_scope {
	int64_t tenant_id;
	int64_t instance_id;
};
/* Stores made before events had a tenant and an instance get the columns,
 * filled from their lines, and the indexes (events_scope.c). */
int events_upgrade(tfs_store *st);
/* Stores made before console administration get the columns of
 * group.conf, landscape.conf and the servers' .conf added since
 * (landscape.c). */
int landscape_upgrade(tfs_store *st);

/* Background checkpoints (checkpoint.c): a thread copying the write-ahead
 * logs of attached connections back into their databases. */
struct tfs_ckpt;
int ckpt_start(struct tfs_ckpt **out);
/* From now on `c` (a connection to `path`) leaves its checkpoints to the
 * thread. */
int ckpt_attach(struct tfs_ckpt *ck, db_conn *c, const char *path);
/* The file at `path` was replaced (inst_file.c): `c` is the new
 * connection to attach, and the thread's own is opened anew. */
void ckpt_renew(struct tfs_ckpt *ck, db_conn *c, const char *path);
/* Stop the thread and close its connections (before the attached ones). */
void ckpt_stop(struct tfs_ckpt *ck);

/*
 * An instance's database replaced whole (inst_file.c): its path is the
 * database or a link to the current one, "<path>.<generation>".
 */
/* A free name for a new database beside `path`. */
int inst_file_aside(char *out, size_t size, const char *path);
/* Make `aside` (complete, in WAL mode, synced, closed) the database of
 * `in`, whose writer lock is held: one rename; then the writer, its
 * readers and its checkpoints use the new file. */
int inst_file_swap(tfs_inst *in, const char *aside);
/* Remove an aside that was not swapped in. */
void inst_file_drop_aside(const char *aside);
/* The file `path` is or links to, into `out`: 1 if a link, 0 if not. */
int inst_file_real(char *out, size_t size, const char *path);
/* Remove the generations and companions that are not the current
 * database's (a replacement cut short, a file replaced): at open, and
 * before the next replacement, when no connection can still be opening
 * the replaced file (those that read it keep their open files). */
void inst_file_tidy(const char *path);
/* Remove database `path`, what it links to and their companions. */
void inst_file_remove(const char *path);
/* fsync file (or, with `dir`, directory) `path`; ENOSPC as TFS_ENOSPC. */
int path_sync(const char *path, bool dir);

/* Open the store; with `create`, create the instance databases too. */
int store_open(tfs_store **out, const char *path, uid_t mount_uid, bool create);

/* Add an instance (and its tenant if new) with an empty database. */
int store_add_instance(tfs_inst **out, tfs_store *st, const char *tenant,
		       const char *name, const char *landscape, bool locked);

/* The instance table (struct inst_table): slot `id` (gone or not; NULL
 * if none), the number of slots, publishing a newly opened instance
 * (console writer lock held, or the store not yet serving), and, for
 * offline tools only, closing one whose creation is undone. */
tfs_inst *store_slot(tfs_store *st, int64_t id);
size_t store_ninsts(tfs_store *st);
int store_publish(tfs_store *st, tfs_inst *in);
void store_forget_instance(tfs_store *st, int64_t id);
/* Whether the instance was deleted (rmdir) while it was open. */
static inline bool inst_gone(const tfs_inst *in)
{
	return __atomic_load_n(&in->gone, __ATOMIC_ACQUIRE);
}

/* Open (creating the schema if `create`) the instance database. */
int inst_open(tfs_inst **out, tfs_store *st, int64_t id, bool create);
void inst_free(tfs_inst *in);
/* Recover after a crash: branch behind database, pending events. */
int inst_recover(tfs_inst *in);
/* Refresh the cached console properties (lock flag, names). */
int inst_reload(tfs_inst *in);
/*
 * Load an instance that has no history yet with the documents `gen` hands
 * to the put function (tfs_put_fn, tenantfs/seed.h), as one
 * database transaction and the instance's first commit ("Initial
 * configuration").  No references are checked: the generator is trusted.
 */
int inst_load(tfs_inst *in, int64_t now, tfs_content_fn gen, void *ctx);
/* Why instance `id` is not served, or NULL if it is. */
const char *store_broken(tfs_store *st, int64_t id);
/* Append an event (the console's writer lock held, inside or outside
 * the holder's transaction). */
int store_event_locked(tfs_store *st, const tfs_event *ev);
/* Move events queued by an instance transaction into the console log. */
int store_flush_events(tfs_store *st, tfs_inst *in);

int inst_meta_get_text(tfs_inst *in, const char *key, tfs_buf *out);
int inst_meta_set_int(tfs_inst *in, const char *key, int64_t v);
int inst_meta_set_text(tfs_inst *in, const char *key, const char *v);
/* Insert a directory row (no checks). */
int inst_dir_insert(int64_t *out, tfs_inst *in, tfs_kind kind,
		    const char *type);
/* The translations directory `type` ("de-DE/Form") into *out, making its
 * locale if missing (writer lock held, in the caller's transaction). */
int inst_translation_dir(int64_t *out, tfs_inst *in, const char *type);
/* `path` made absolute against the working directory, into out (as
 * given if it does not fit). */
void store_abs_path(char out[PATH_MAX], const char *path);
/* A store filled from `seed` built at `path`, its server directories
 * named as under `home`, where it will be (seed.c;
 * tfs_store_create_seeded builds it in place). */
int store_create_seeded(const char *path, const char *home,
			const tfs_seed *seed);
/* The last history commit recorded in the database (n 0 if none). */
int inst_last_commit(tfs_inst *in, int *n, char oid[41]);
/* Record commit `n` (its `oid`) in the commits table of `db`; txset 0
 * for a commit no transaction set made. */
int inst_commit_row(db_conn *db, int n, const char *oid, int64_t time,
		    const char *user, const char *message, int64_t txset);
/* history.git lacks the database's last commit `n` (or its tree): commit
 * the whole instance as the database has it, log what was lost (*lost, if
 * not NULL), move the branch (heal.c).  Under the writer lock. */
int inst_heal_history(tfs_inst *in, int n, int *lost);

/*
 * tfs_doc_parse() of a document libxml2 has already parsed (doc.c): its
 * root element `root`, read and never changed.  The same checks and the
 * same canonical bytes; error messages may differ (lines count from the
 * tree's own document), so a caller that reports them parses the bytes
 * with tfs_doc_parse() when this fails.
 */
struct _xmlNode;
int doc_from_node(tfs_doc **out, tfs_kind kind, const char *type,
		  const char *name, struct _xmlNode *root);

/* References (refs.c): every reference of object `obj` resolves. */
int refs_check_object(tfs_inst *in, int64_t obj);
/*
 * References found to resolve, remembered while nothing changes the
 * instance (a package's checks after its last put): a million records
 * that all link to the same few objects resolve each link once.  Bounded;
 * zero-initialize, free with refs_memo_free.
 */
typedef struct refs_memo {
	struct hmap keys; /* "kind\ntarget", strdup'ed (refs.c) */
} refs_memo;
int refs_check_object_memo(tfs_inst *in, int64_t obj, refs_memo *memo);
void refs_memo_free(refs_memo *memo);
/* Nothing refers to (kind, type, name) if `gone`; for business objects,
 * every Field reference into it resolves. */
int refs_check_incoming(tfs_inst *in, tfs_kind kind, const char *type,
			const char *name, bool gone);
int refs_check_fields(tfs_inst *in, const char *bo);

/* A patch-log line and a queued event, inside the caller's transaction. */
int inst_log_event(tfs_inst *in, const char *user, const char *action,
		   const char *message);
/* The outcome of a request that changed nothing (or only its result):
 * meta `key` = `text` and a log line and event, each if not NULL, in one
 * transaction, and the observer told (change.c). */
void inst_record_outcome(tfs_inst *in, const char *user, const char *key,
			 const char *text, const char *action,
			 const char *message);
/* A change that is not an object's (project.c): `body` inside one write
 * transaction with a log line and event `action`. */
int inst_small_change(tfs_inst *in, const char *user, const char *action,
		      const char *message, int (*body)(tfs_inst *, void *),
		      void *ctx);
/* Bring the database of `in` (inst_db) up to this version's layout, as
 * on every open. */
int inst_schema_upgrade(tfs_inst *in);
/* Create the package tables if missing (package.c). */
int pkg_schema_init(tfs_inst *in);
/*
 * Remember a package applied from elsewhere (inside the applying
 * transaction): closed, with its source ("<tenant>/<instance>"), its
 * aspects ("id version vendor yes|no" lines) and the transaction set it
 * became.  Nothing if a package of that name is already here.
 */
int pkg_record_import(tfs_inst *in, const char *name, const char *type,
		      const char *description, const char *source,
		      const char *aspects, int64_t txset);

/* Append a unified diff of `old` and `new` (either NULL: absent) labelled
 * a/`path` and b/`path`; nothing when they are equal (diff.c). */
int diff_unified(tfs_buf *out, const char *path, const char *old, size_t oldlen,
		 const char *new, size_t newlen);

/* Object paths (path.c): "metadata/Form/X.xml", "validation/X.xml". */
int obj_path(char *out, size_t size, tfs_kind kind, const char *type,
	     const char *name);
/* Split an object path; TFS_EINVALID unless kind, type and name are
 * valid. */
int obj_path_split(const char *path, tfs_kind *kind, char type[256],
		   char name[256]);

/* Impact levels (impact.c). */
enum { TFS_IMPACT_LOW = 0, TFS_IMPACT_MEDIUM = 1, TFS_IMPACT_HIGH = 2 };
/*
 * Raise *level to the impact of one transaction (op 'C', 'U' or 'D') on
 * the object at `path`; `old`/`new` are its canonical bytes before and
 * after (NULL when absent).  Reasons go to `why`, one line each.
 */
int impact_of(int *level, tfs_buf *why, const char *path, tfs_kind kind,
	      const char *type, char op, const char *old, size_t oldlen,
	      const char *new, size_t newlen);
const char *impact_name(int level);

/*
 * An object whose stored bytes do not match their hash (instance.c): its
 * path joins the instance's damaged list (`status`), and the patch log
 * and events name it as soon as a writer of the instance is free.  Sets
 * and returns the error every read of it gives (TFS_ERROR: EIO).
 */
int inst_damaged(tfs_inst *in, int64_t obj);
/* Write the damage not yet logged (the writer lock held). */
void inst_log_damage(tfs_inst *in);
/* Paths of the damaged objects found this mount, one a line. */
int inst_damage_render(tfs_buf *out, tfs_inst *in);

/*
 * ---- Lifecycle and state (lifecycle.c) ------------------------------------
 *
 * Whether instance `in` takes `what` ("edits", "package applies",
 * "reverts"): 0, or TFS_ELOCKED with the reason (in maintenance, status
 * not active, expired; TFS_ENOTFOUND once deleted).  Saves, deletes,
 * renames, applies and reverts call it; the low-level change set does
 * not, so that pushes into an instance in maintenance, and administrator
 * changes to its instance.conf, still work.  The caller records the
 * refusal (log, events) as it records its other refusals.
 */
int inst_check_open(tfs_inst *in, const char *what);
/* Whether the instance's tenant has its development project enabled. */
int inst_dev_project(tfs_inst *in, bool *on);
/* 0 if the tenant's development project is enabled; else TFS_EACCESS
 * with the reason, recorded in the instance's log and events as
 * Package/Reject when `user` is given. */
int inst_check_packages(tfs_inst *in, const char *user);
/* Record a refusal: a patch-log line and event `action` with `reason`. */
void inst_refusal(tfs_inst *in, const char *user, const char *action,
		  const char *reason);
/* A refused lifecycle change `what` (error < 0, its message set):
 * recorded as console event `action`; returns `error`. */
int lifecycle_refused(tfs_store *st, const char *user, const char *action,
		      int64_t tenant_id, const char *what, int error);
/* TFS_EACCESS unless console user `user` is an administrator. */
int require_admin_of(tfs_store *st, const char *user, const char *what);
/* Whether `type` is a landscape type (production staging uat ...). */
bool landscape_type_ok(const char *type);

/* Instance keys that live in the instance database (version, ...). */
int inst_conf_value(tfs_buf *out, tfs_inst *in, const char *key);

#endif
