/*
 * Internals of the tree: inode classes, node kinds and their operations,
 * memory nodes, and the tree's leaf lock.
 *
 * Files: tree.c (inode numbering, memory-node tables, the leaf lock and
 * the dispatch), tree_attr.c (attribute and name helpers), tree_list.c
 * (directory listings), tree_file.c (open files: buffering, flush,
 * commit), tree_names.c (create, unlink, rename, mkdir, rmdir, truncate),
 * and one node_*.c file per kind of node (node_console.c,
 * node_instance.c, node_objects.c, node_projects.c, node_packages.c,
 * node_drops.c, node_history.c, node_mem.c, node_translations.c).
 *
 * ---- Locks, in the order they may be taken --------------------------------
 *
 *   1. a claim on one stored file (claim()/unclaim() in tree.c): taken
 *      by a request that saves, deletes or renames that file, around
 *      its engine calls; at most one per request; waited for on
 *      `claimed` (with `mu`, released while waiting);
 *   2. the engine's per-instance writer lock (inside tfs_inst_*,
 *      tfs_pkg_*, tfs_drop_*, tfs_store_* writes);
 *   3. tfs_tree.mu, the tree's leaf lock.
 *
 * The leaf lock is last: the engine's change observer (observe() in
 * tree.c) and the import progress callback take it from the writing
 * thread while that thread holds the instance's writer lock.  Hence,
 * while holding `mu`, nothing may be called but in-memory work on the
 * tables below and the notify callbacks (which only queue work): no
 * engine call (tfs_store_*, tfs_inst_*, tfs_pkg_*, tfs_drop_*,
 * tfs_history_*, anything doing SQLite, git or file I/O), no read(2),
 * write(2), close(2) or unlink(2).  Functions below say "(mu held)" when
 * their caller must hold it; every other function is called without it.
 *
 * `mu` guards: the memory-node tables (by_ino, by_name, next_mem,
 * hslot, graveyard) and the mutable fields of every struct mem; the hidden
 * list; the touched, pushed, valdirs and dashboards sets; the writers
 * list; the claims; the running imports; the notify callbacks; the
 * mem/dirty/lazy/data fields of open files.
 *
 * ---- Memory nodes across engine calls ------------------------------------
 *
 * A struct mem stays allocated while anything references it: its name
 * (linked), the kernel (nlookup, child_refs), open files (nopen) or a
 * thread between two critical sections (pins).  A thread that needs a
 * node across an engine call pins it (mem_pin), drops the lock, works,
 * re-takes the lock and re-checks what it relied on (linked, name, obj),
 * then unpins.  Fields set when the node is made, before the lock that
 * made it is released (ino, type, inst, kind, type_name, n, path, is_dir,
 * fd, tmp, slot; for M_HIST also mtime and size), never change afterwards and may be read by a pinning
 * thread without the lock.  All other fields are read and written with
 * `mu` held.  Nodes are freed after the lock is released (tree_unlock).
 *
 * Invariants:
 *  - A name in a directory is answered, in this order, by a linked memory
 *    node, else nothing if it is hidden (moved aside), else the engine.
 *    A memory node being stored as an object (commit_new) stays linked
 *    until the save has committed, then leaves under `mu`: a lookup
 *    meanwhile finds the node with the same bytes, one after finds the
 *    object; never neither.
 *  - A node is freed only by mem_maybe_free with all its counts at zero,
 *    and only after `mu` is released (tree_unlock).  A pointer to a node
 *    is used outside `mu` only while the user holds a count on it (an
 *    open file's nopen, or pins).  Inode numbers from the kernel are
 *    looked up again under `mu` each time (mem_by_ino, hfile_dir).
 *  - A lookup's reference (nlookup, child_refs) is taken under `mu` after
 *    the lookup; a node freed in between makes tfs_tree_lookup look the
 *    name up again.
 *  - A stored file is saved, deleted or renamed by at most one request
 *    at a time (claim()): the reads that decide such a change and the
 *    change itself are not split by another request of this tree.
 *  - Each import owns its struct running; finished ones stay (for
 *    kernels holding their inode) until the next import in that
 *    directory.
 *
 * Engine state (rows, objects) is never cached here: every decision made
 * from an engine read may be stale by the time it acts, and the engine,
 * which serializes writes per instance, is the judge (a save by name of
 * an object deleted meanwhile creates it again, as the same two calls one
 * after the other would).
 */
#ifndef TENANTFS_TREE_INTERNAL_H
#define TENANTFS_TREE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "internal.h"
#include "tenantfs/perm.h"
#include "tenantfs/tree.h"

#define INO(cls, a, b) \
	(((uint64_t)(cls) << 56) | ((uint64_t)(a) << 40) | (uint64_t)(b))
#define INO_CLASS(ino) ((int)((ino) >> 56))
#define INO_A(ino)     ((int64_t)(((ino) >> 40) & 0xffff))
#define INO_B(ino)     ((int64_t)((ino)&0xffffffffffULL))

enum ino_class {
	C_GLOBAL = 0, /* b: G_* */
	C_USER = 1,   /* b: user id (users/<login>.conf) */
	C_GROUP = 2,  /* a: group id; b: 0 dir, 1 group.conf */
	C_LAND = 3, /* a: landscape id; b: 0 dir, 1 landscape.conf, 2 servers/ */
	C_SERVER = 4,  /* b: server id (servers/<name>.conf) */
	C_TENANT = 5,  /* a: tenant id; b: 0 dir, 1 tenant.conf, 2 dashboard */
	C_INST = 6,    /* a: instance id; b: I_* */
	C_DIR = 7,     /* a: instance; b: dirs row (metadata/Form, master/BO) */
	C_OBJ = 8,     /* a: instance; b: object row */
	C_PROJ = 9,    /* a: instance; b: project row (projects/<p>/) */
	C_PROJTS = 10, /* a: instance; b: project row (.../transaction-sets/) */
	C_TXSET = 11,  /* a: instance; b: txset row (<id>.xml) */
	C_MEM = 12,    /* b: counter (struct mem) */
	C_PKG = 13,    /* a: instance; b: package row (packages/<P>/) */
	C_PKGF = 14,   /* a: instance; b: package row << 4 | tfs_pkg_file */
	C_DROPF = 15,  /* a: instance; b: drops row (apply/P.xml.result) */
	C_HFILE = 16,  /* a: slot of its history directory's node (struct
		       * mem); b: index of the file in that directory's tree */
	C_LOCALE = 17, /* a: instance; b: dirs row naming the locale
		       * (translations/<locale>/) */
	C_BACKUP = 18, /* a: instance; b: the backup file's inode number */
	C__COUNT
};

/* Slots of history directory nodes (C_HFILE's a): 1 .. HSLOT_MAX. */
#define HSLOT_MAX 0xffff

/* Result files of imports running now (C_DROPF): b from DROP_RUNNING_MIN
 * to DROP_RUNNING, far above any drops row. */
#define DROP_RUNNING     0xffffffffffULL
#define DROP_RUNNING_MIN (DROP_RUNNING - 0xffffULL)
#define IS_RUNNING_INO(ino) \
	(INO_CLASS(ino) == C_DROPF && (uint64_t)INO_B(ino) >= DROP_RUNNING_MIN)

enum {
	G_ROOT = 1,
	G_README,
	G_EVENTS,
	G_STATUS,
	G_USERS,
	G_LANDSCAPES,
	G_TENANTS,
	G_CONSOLE_CONF,
	G_LICENSES
};

/* The files of tenants/<t>/ (C_TENANT's b; 0: the directory). */
enum { T_DIR = 0, T_CONF, T_DASHBOARD, T_EVENTS, T_LICENSES };

enum inst_node {
	I_DIR = 0,
	I_CONF,
	I_METADATA,
	I_VALIDATION,
	I_SETTINGS,
	I_MASTER,
	I_DATA,
	I_ACTIVE,
	I_PROJECTS,
	I_HISTORY,
	I_HLOG,
	I_REVERT,
	I_LOG,
	I_REVERT_RESULT,
	I_PACKAGES,
	I_APPLY,
	I_VALIDATE,
	I_APPLY_UNVAL,
	I_PREVIEW,
	I_PUSH,
	I_TRANSLATIONS,
	I_BACKUPS,
	I_RESTORE,
	I_RESTORE_RESULT,
	I_EVENTS,
	I__COUNT
};

/* Whether an instance node is one of the drop directories (push/ too:
 * a request dropped there runs as a package does). */
#define IS_DROP_DIR(b) ((b) >= I_APPLY && (b) <= I_PUSH)
/* ... and one that takes packages (not push/): refused without the
 * tenant's development project. */
#define IS_PACKAGE_DROP(b) ((b) >= I_APPLY && (b) <= I_PREVIEW)

enum mem_type {
	M_SCRATCH, /* an editor's or tool's temporary file */
	M_NEW,     /* an object being created; stored on flush */
	M_HIST,    /* a file or directory of history/<n>/ */
	M_DROP,    /* a package being dropped into apply/ etc. */
};

struct mem {
	/* Fixed once made (see the header comment). */
	uint64_t ino;
	enum mem_type type;
	int64_t inst;  /* M_NEW, M_HIST, M_DROP: the instance */
	tfs_kind kind; /* M_NEW: where it goes */
	char type_name[256];
	int fd; /* M_DROP: the package is spooled to tmp */
	char *tmp;
	int n;       /* M_HIST: commit; M_DROP: the drop directory */
	char *path;  /* M_HIST: path in the commit's tree */
	bool is_dir; /* M_HIST */
	/* M_HIST directories: their files are C_HFILE inodes, named by this
	 * slot (0: none free, the files are memory nodes); references the
	 * kernel holds to those files keep this node. */
	uint32_t slot;

	/* Mutable: with `mu` held. */
	uint64_t parent;
	char *name;
	bool linked;      /* still has its name in `parent` */
	uint64_t nlookup; /* kernel references */
	int nopen;        /* open files */
	int pins;         /* threads using it across an engine call */
	uint64_t child_refs;
	int64_t mtime;
	uint64_t size; /* M_HIST: file size; M_DROP: spooled bytes */
	tfs_buf data;  /* M_SCRATCH, M_NEW: the content */
	int64_t obj;   /* M_NEW: once stored, the object row */
	/* M_SCRATCH made by renaming a stored file aside: that file. */
	uint64_t aside_of;
	uint64_t name_hash;    /* of (parent, name): its key in by_name */
	struct mem *next_dead; /* in the tree's graveyard */
};

/* A stored file renamed to a temporary name: hidden until saved again. */
struct hidden {
	uint64_t parent;
	char *name;
	uint64_t ino;
	struct hidden *next;
};

/* A set of inode numbers: the words of an hmap are the inodes. */
struct inoset {
	struct hmap h;
};

/* Open writers of a stored file. */
struct writer {
	uint64_t ino;
	int count;
	struct writer *next;
};

/* An import running now: its result file reads "running" and progress. */
struct running {
	uint64_t ino; /* INO(C_DROPF, inst, DROP_RUNNING - k) */
	uint64_t parent;
	char name[300];
	tfs_buf text;
	int64_t mtime;
	struct running *next;
};

struct tfs_tree {
	pthread_mutex_t mu; /* the leaf lock: see the top of this file */
	tfs_store *st;
	uid_t uid;
	gid_t gid;
	int64_t mounted;
	tfs_tree_notify nt;
	/* Memory nodes (words: struct mem *) by inode, and by (parent,
	 * name), unlinked ones too until freed (tree.c). */
	struct hmap by_ino, by_name;
	uint64_t next_mem;
	/* Nodes taken out of the tables, freed by tree_unlock. */
	struct mem *graveyard;
	struct hidden *hidden;
	/* Stored files written or changed during this mount: their pages in
	 * the kernel may be stale until a notification lands, so opens of
	 * them drop the page cache instead of keeping it. */
	struct inoset touched;
	/* Stored files whose content was put into the kernel's page cache
	 * (see tfs_tree_notify.store): later opens need not load them. */
	struct inoset pushed;
	/* Instances whose content a copy-to-replace or restore replaced
	 * this mount (keys INO(C_INST, inst, I_DIR)): an object inode the
	 * kernel still holds may now name another object, so their files
	 * are read around the page cache, as the touched ones. */
	struct inoset replaced;
	/* Known to observe(), which may not ask the engine: the C_DIR
	 * inodes of validation/ directories, the tenants' dashboards. */
	struct inoset valdirs;
	struct inoset dashboards;
	/* Bumped by every invalidation of a cacheable listing (atomic). */
	uint64_t listing_gen;
	/* The last refusals of `status` recorded, by uid (under mu): a
	 * caller refused at every lookup (ls -l of the root, say) is
	 * recorded once a minute, not at each. */
	struct {
		uid_t uid;
		int64_t at;
	} status_refused[8];
	/* History directory nodes by slot (C_HFILE); hslot[0] unused. */
	struct mem **hslot;
	size_t nhslot;
	struct writer *writers;
	/* Stored files claimed by a request (claim()), and the condition
	 * their waiters wait on. */
	uint64_t *claims;
	size_t nclaims, claims_cap;
	pthread_cond_t claimed;
	struct running *running;
	uint64_t next_running;
};

/* ---- node kinds ------------------------------------------------------------ */

/* A directory listing being built (tree_list.c). */
struct listing {
	tfs_tree *t;
	struct entry *e;
	size_t n, alloc;
	uint64_t parent;
	int64_t inst;
	/* Names hidden in `parent` (moved aside), copied under `mu`. */
	char **hidden;
	size_t nhidden;
};

enum target_kind {
	TG_DROP,    /* a package dropped into apply/, validate/, ... */
	TG_NONE,    /* nothing may be written here */
	TG_SCRATCH, /* a temporary name: kept in memory */
	TG_NEW,     /* a new object */
	TG_STORED,  /* an existing stored file: ino */
};

/* What writing a name in a directory means (a snapshot: see the top). */
struct target {
	enum target_kind kind;
	uint64_t ino;
	tfs_inst *in;
	tfs_kind okind;
	char type[256];
	char name[256];
	int error; /* for TG_NONE: why */
};

/*
 * The operations of one kind of node, configfs style.  A NULL operation
 * is not supported: lookup/readdir answer "not a directory" (ENOTFOUND),
 * content "not a file", store "read-only file" (EACCES), target "cannot
 * be written here", mkdir EACCES, rmdir/unlink EACCES (ENOTSUP for a
 * file given to rmdir).  Directory operations (lookup, readdir, target,
 * mkdir, rmdir, unlink) belong to the directory's kind.  All are called
 * without `mu`.
 */
struct node_ops {
	/* Entry `name` of directory `parent` of this kind, or
	 * TFS_ENOTFOUND (memory nodes and hidden names are handled
	 * before). */
	int (*lookup)(tfs_attr *out, tfs_tree *t, uint64_t parent,
		      const char *name);
	int (*getattr)(tfs_attr *out, tfs_tree *t, uint64_t ino);
	/* Entries of directory `ino`, in any order, into l (add_*). */
	int (*readdir)(struct listing *l, uint64_t ino);
	/* The bytes of file `ino` appended to out; *direct: generated per
	 * open (starts true). */
	int (*content)(tfs_buf *out, tfs_tree *t, uint64_t ino, bool *direct);
	/* May `ino` be opened for writing?  NULL: its mode bits say. */
	int (*may_write)(tfs_tree *t, uint64_t ino);
	/* Store `bytes` written to file `ino` as console user `user`. */
	int (*store)(tfs_tree *t, uint64_t ino, const char *user,
		     const char *bytes, size_t len);
	/* A user-facing path of file `ino`, for rejection messages. */
	void (*describe)(char *out, size_t size, tfs_tree *t, uint64_t ino);
	/* What writing `name` in directory `parent` means (tg is preset to
	 * TG_NONE with an EACCES error). */
	void (*target)(struct target *tg, tfs_tree *t, uint64_t parent,
		       const char *name);
	/* Make directory `name` in `parent`. */
	int (*mkdir)(tfs_tree *t, uint64_t parent, const char *name,
		     const char *user);
	/* Remove entry `a` (named `name`) of directory `parent`: a
	 * directory (rmdir) or a file (unlink).  1: not an entry this kind
	 * removes (the caller refuses). */
	int (*rmdir)(tfs_tree *t, uint64_t parent, const tfs_attr *a,
		     const char *name, const char *user);
	int (*unlink)(tfs_tree *t, uint64_t parent, const tfs_attr *a,
		      const char *name, const char *user);
	/* Instead of store and unlink, for nodes whose rules depend on
	 * the acting user's rights (users/): as console user `u`. */
	int (*store_as)(tfs_tree *t, uint64_t ino, const tfs_user *u,
			const char *bytes, size_t len);
	int (*unlink_as)(tfs_tree *t, uint64_t parent, const tfs_attr *a,
			 const char *name, const tfs_user *u);
	/* Nodes of this kind belong to instance INO_A(ino). */
	bool per_instance;
};

/* The operations of `ino`'s kind (never NULL; all NULL for no kind). */
const struct node_ops *node_kind(uint64_t ino);

/* Kinds, by file.  Classes (tree.c's table): */
extern const struct node_ops console_global_ops, console_user_ops,
	console_group_ops, console_land_ops, console_server_ops,
	console_tenant_ops;                          /* node_console.c */
extern const struct node_ops objdir_ops, object_ops; /* node_objects.c */
extern const struct node_ops project_ops, txsets_ops, txset_ops;
extern const struct node_ops package_ops, pkgfile_ops; /* node_packages.c */
extern const struct node_ops dropfile_ops;             /* node_drops.c */
extern const struct node_ops backupfile_ops;           /* node_backups.c */
extern const struct node_ops hfile_ops;                /* node_history.c */
extern const struct node_ops mem_ops;                  /* node_mem.c */
extern const struct node_ops locale_ops;               /* node_translations.c */
/* ... and the entries of an instance (C_INST, by I_*): */
extern const struct node_ops inst_dir_ops, inst_file_ops; /* node_instance.c */
extern const struct node_ops typedirs_ops;                /* node_objects.c */
extern const struct node_ops projects_ops;                /* node_projects.c */
extern const struct node_ops packages_ops;                /* node_packages.c */
extern const struct node_ops drops_ops, push_ops;         /* node_drops.c */
extern const struct node_ops backups_ops;                 /* node_backups.c */
extern const struct node_ops history_ops, hlog_ops;       /* node_history.c */
extern const struct node_ops locales_ops; /* node_translations.c */

/* ---- the leaf lock and memory nodes (tree.c) ------------------------------- */

void tree_lock(tfs_tree *t);
/* Release `mu`, then free the nodes mem_maybe_free retired. */
void tree_unlock(tfs_tree *t);

int inoset_add(struct inoset *s, uint64_t ino);        /* mu held */
bool inoset_has(const struct inoset *s, uint64_t ino); /* mu held */
void inoset_drop_inst(struct inoset *s, int64_t inst); /* mu held */
/* (mu held) Whether the kernel's pages of object `ino` may be stale:
 * written this mount, or its instance replaced. */
bool cache_stale(tfs_tree *t, uint64_t ino);
void inoset_free(struct inoset *s);

/* (mu held) */
struct mem *mem_by_ino(tfs_tree *t, uint64_t ino);
/* The history directory node of C_HFILE `ino`, or NULL. */
struct mem *hfile_dir(tfs_tree *t, uint64_t ino);
struct mem *mem_by_name(tfs_tree *t, uint64_t parent, const char *name);
struct mem *mem_new(tfs_tree *t, enum mem_type type, uint64_t parent,
		    const char *name);
void mem_unlink(tfs_tree *t, struct mem *m);
int mem_rename(tfs_tree *t, struct mem *m, uint64_t parent, const char *name);
void mem_maybe_free(tfs_tree *t, struct mem *m);
struct hidden *hidden_find(tfs_tree *t, uint64_t parent, const char *name);
void hidden_drop(tfs_tree *t, struct hidden *h);
void inval_inode(tfs_tree *t, uint64_t ino);
void inval_entry(tfs_tree *t, uint64_t parent, const char *name);
/* Attributes of `m` when they need no engine read (false: an M_NEW node
 * already stored, whose attributes are its object's). */
bool mem_attr_locked(tfs_attr *out, const struct mem *m);

/*
 * The end of every request that called the engine: the thread's read
 * snapshots are released (tfs_store_reads_done), so its next request
 * sees the last commit.
 */
void request_end(tfs_tree *t);

/* Without `mu` (waits while another request holds `ino`). */
void claim(tfs_tree *t, uint64_t ino);
void unclaim(tfs_tree *t, uint64_t ino);

/* Without `mu`: take it for a moment. */
struct mem *mem_pin(tfs_tree *t, uint64_t ino);   /* NULL: none */
struct mem *hfile_pin(tfs_tree *t, uint64_t ino); /* its directory */
void mem_unpin(tfs_tree *t, struct mem *m);
void inval_inode_now(tfs_tree *t, uint64_t ino);
/* Note `ino` in `set` (valdirs, dashboards). */
void note_seen(tfs_tree *t, struct inoset *set, uint64_t ino);
void inval_entry_now(tfs_tree *t, uint64_t parent, const char *name);
/* Whether `ino` is history or inside it (read-only). */
bool in_history(tfs_tree *t, uint64_t ino);

/* ---- dispatch (tree.c) and shared helpers (tree_attr.c, tree_list.c) -------- */

int mem_attr(tfs_attr *out, tfs_tree *t, struct mem *m); /* m pinned */
int tree_lookup(tfs_attr *out, tfs_tree *t, uint64_t parent, const char *name);
int tree_getattr(tfs_attr *out, tfs_tree *t, uint64_t ino);
/* The content of a file (text views, conf, objects, history blobs). */
int tree_content(tfs_buf *out, tfs_tree *t, uint64_t ino, bool *direct);
/* The instance and object directory that `ino` (a directory) lists
 * objects of: 0, or TFS_ENOTFOUND if it is not an object directory. */
int tree_object_dir(tfs_inst **in, int64_t *dir, tfs_kind *kind, char type[256],
		    tfs_tree *t, uint64_t ino);
/* The instance of a per-instance node, or NULL. */
tfs_inst *owner(tfs_tree *t, uint64_t ino);
uint64_t obj_parent(int64_t inst, tfs_kind kind, int64_t dir);

void dir_attr(tfs_attr *a, uint64_t ino, int64_t mtime, bool cache);
void file_attr(tfs_attr *a, uint64_t ino, uint32_t perm, uint64_t size,
	       int64_t mtime, bool cache);
/* Attributes of the events of a tenant (inst_id 0) or an instance: as
 * the root's events file, never cached, its size kept by the store. */
int scoped_events_attr(tfs_attr *out, tfs_tree *t, uint64_t ino,
		       int64_t tenant_id, int64_t inst_id);
/* Content-derived attributes of a generated file. */
int text_attr(tfs_attr *out, tfs_tree *t, uint64_t ino, uint32_t perm,
	      int64_t mtime);
/* The time of the store's last event (or of the mount). */
int64_t store_mtime(tfs_tree *t);

int add_entry(struct listing *l, const char *name, const tfs_attr *a);
/* Add `name` with the attributes of `ino`. */
int add_ino(struct listing *l, const char *name, uint64_t ino);
/* Add `name` as looked up in the listed directory (absent: skipped). */
int add_child(struct listing *l, const char *name);
bool listing_hides(const struct listing *l, const char *name);

struct name_ino {
	const char *name;
	int code;
};
int find_name(const struct name_ino *list, const char *name);
/* Split "X.xml" into X; false if not object-shaped. */
bool object_file_name(char out[256], const char *file);
/* Name without a ".conf" suffix into out; false if not "<x>.conf". */
bool conf_name(char out[256], const char *file);
bool parse_uint(const char *s, int64_t *out);
bool has_suffix(const char *s, const char *suffix);

/* Attributes of a directory of instance `ino` (its time). */
int inst_dir_getattr(tfs_attr *out, tfs_tree *t, uint64_t ino);
/* The generic write check: a writable regular file (tree_file.c). */
int may_write_mode(tfs_tree *t, uint64_t ino);

/* ---- shared by kinds and names ---------------------------------------------- */

/* A directory of console files (users/, a group, a tenant, a package):
 * existing writable files are stored, other names temporary
 * (tree_names.c). */
void target_plain_dir(struct target *tg, tfs_tree *t, uint64_t parent,
		      const char *name);
bool in_locked_dir(tfs_inst *in, tfs_kind kind, const char *type);
void user_of(tfs_tree *t, const tfs_caller *who, char out[64]);
/* Record a rejected save where the user will look for it. */
void reject(tfs_tree *t, tfs_inst *in, const tfs_caller *who, const char *path,
	    const char *reason);
/* Record a refused access to status (tree_file.c): once a minute at most
 * for each uid. */
void reject_status(tfs_tree *t, const tfs_caller *who);
/* Store `bytes` as stored file `ino` (tree_file.c). */
int commit_stored(tfs_tree *t, uint64_t ino, const char *bytes, size_t len,
		  const tfs_caller *who);
/* Open files (tree_file.c) for tree_names.c: open `ino`; open new
 * memory node `m` (mu held; NULL: out of memory); drop a file unsaved. */
int file_open(tfs_file **out, tfs_tree *t, uint64_t ino, int flags,
	      const tfs_caller *who);
tfs_file *file_open_mem(struct mem *m, int flags, const tfs_caller *who,
			bool dirty);
void file_discard(tfs_tree *t, tfs_file *f);
/* May `ino` be opened for writing?  0 or the error. */
int file_may_write(tfs_tree *t, uint64_t ino);
/* Truncate or extend `b` to `size`; TFS_ETOOBIG past `max` (object_max)
 * before anything is allocated. */
int buf_truncate(tfs_buf *b, uint64_t size, uint64_t max);
/* Record a write refused past object_max (the current error, which names
 * the limit) for file `ino`, or for memory node `name` in directory `ino`,
 * in the instance's log and events (the console's events outside an
 * instance); the error stays set. */
void reject_too_big(tfs_tree *t, uint64_t ino, const char *name,
		    const tfs_caller *who);
/* ---- permissions (tree_perm.c) ---------------------------------------- */

/* The console user of `who` (unmapped: id 0). */
int caller_user(tfs_user *u, tfs_tree *t, const tfs_caller *who);
/* May `u` reach `ino`?  0, TFS_EACCESS, or TFS_ENOTFOUND for what lies
 * in a tenant it may not see. */
int perm_ino(tfs_tree *t, const tfs_user *u, uint64_t ino);
int perm_caller_ino(tfs_tree *t, const tfs_caller *who, uint64_t ino);
/* Whether `u` may create or rename names at the root (console.conf's
 * temporary files): 0 or TFS_EACCESS. */
int perm_root_write(const tfs_user *u);
/* perm_root_write() for the caller `who` if `parent` is the root, else 0. */
int perm_caller_root(tfs_tree *t, const tfs_caller *who, uint64_t parent);
/* Mark the entry of a node whose visibility depends on the caller: the
 * kernel must ask again on every walk through it. */
void perm_gate(tfs_attr *a);
/* Whether listing `ino` is filtered per caller (never cached). */
bool perm_filters_listing(uint64_t ino);
/* Filter generated content `b` of `ino` for `who` (the events file). */
int perm_filter_content(tfs_buf *b, tfs_tree *t, const tfs_caller *who,
			uint64_t ino);
/* A new console user or database server from memory node `m`
 * (users/<login>.conf, landscapes/<g>/<type>/servers/<name>.conf). */
int commit_new_user(tfs_tree *t, struct mem *m, const tfs_caller *who);

/* Import the package spooled in drop node `m` (pinned), node_drops.c;
 * if its spooling failed with errno `spool_errno`, nothing is imported
 * and the result says so. */
int run_import(tfs_tree *t, struct mem *m, const tfs_caller *who,
	       int spool_errno);
/* The error of a dropped package that could not be spooled (errno `e`):
 * TFS_ENOSPC for a full disk (tree_file.c). */
int spool_failed(int e);
/* File `f` has something to store on its last close (written or not);
 * `written`: on its first close already. */
void file_mark_dirty(tfs_tree *t, tfs_file *f, bool written);
/* The running import's result, if `ino` is one: 1 with *out filled. */
int running_attr(tfs_attr *out, tfs_tree *t, uint64_t parent, const char *name,
		 uint64_t ino);
int running_content(tfs_buf *out, tfs_tree *t, uint64_t ino);
/* History (node_history.c), for memory nodes of type M_HIST. */
int hist_dir_lookup(tfs_attr *out, tfs_tree *t, struct mem *dir,
		    const char *name);
int hist_dir_list(struct listing *l, struct mem *dir);
int hist_file_content(tfs_buf *out, tfs_tree *t, struct mem *m);

#endif
