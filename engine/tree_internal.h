/*
 * Internals of the tree (tree.c, tree_file.c): inode classes, memory nodes
 * and the tree structure.
 */
#ifndef TENANTFS_TREE_INTERNAL_H
#define TENANTFS_TREE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "internal.h"
#include "tenantfs/tree.h"

#define INO(cls, a, b) (((uint64_t)(cls) << 56) | ((uint64_t)(a) << 40) | \
			(uint64_t)(b))
#define INO_CLASS(ino) ((int)((ino) >> 56))
#define INO_A(ino) ((int64_t)(((ino) >> 40) & 0xffff))
#define INO_B(ino) ((int64_t)((ino) & 0xffffffffffULL))

enum ino_class {
	C_GLOBAL = 0, /* b: G_* */
	C_USER = 1,   /* b: user id (users/<login>.conf) */
	C_GROUP = 2,  /* a: group id; b: 0 dir, 1 group.conf */
	C_LAND = 3,   /* a: landscape id; b: 0 dir, 1 landscape.conf, 2 servers/ */
	C_SERVER = 4, /* b: server id (servers/<name>.conf) */
	C_TENANT = 5, /* a: tenant id; b: 0 dir, 1 tenant.conf, 2 dashboard */
	C_INST = 6,   /* a: instance id; b: I_* */
	C_DIR = 7,    /* a: instance; b: dirs row (metadata/Form, master/BO) */
	C_OBJ = 8,    /* a: instance; b: object row */
	C_PROJ = 9,   /* a: instance; b: project row (projects/<p>/) */
	C_PROJTS = 10,/* a: instance; b: project row (.../transaction-sets/) */
	C_TXSET = 11, /* a: instance; b: txset row (<id>.xml) */
	C_MEM = 12,   /* b: counter (struct mem) */
	C_PKG = 13,   /* a: instance; b: package row (packages/<P>/) */
	C_PKGF = 14,  /* a: instance; b: package row << 4 | tfs_pkg_file */
	C_DROPF = 15, /* a: instance; b: drops row (apply/P.xml.result) */
	C_HFILE = 16, /* a: slot of its history directory's node (struct
		       * mem); b: index of the file in that directory's tree */
};

/* Slots of history directory nodes (C_HFILE's a): 1 .. HSLOT_MAX. */
#define HSLOT_MAX 0xffff

/* The result file of the import running now (C_DROPF). */
#define DROP_RUNNING 0xffffffffffULL

enum { G_ROOT = 1, G_README, G_EVENTS, G_STATUS, G_USERS, G_LANDSCAPES,
       G_TENANTS };

enum inst_node {
	I_DIR = 0, I_CONF, I_METADATA, I_VALIDATION, I_SETTINGS, I_MASTER,
	I_DATA, I_ACTIVE, I_PROJECTS, I_HISTORY, I_HLOG, I_REVERT, I_LOG,
	I_REVERT_RESULT, I_PACKAGES, I_APPLY, I_VALIDATE, I_APPLY_UNVAL,
	I_PREVIEW, I_PUSH,
};

/* Whether an instance node is one of the drop directories. */
#define IS_DROP_DIR(b) ((b) >= I_APPLY && (b) <= I_PREVIEW)

enum mem_type {
	M_SCRATCH, /* an editor's or tool's temporary file */
	M_NEW,     /* an object being created; stored on flush */
	M_HIST,    /* a file or directory of history/<n>/ */
	M_DROP,    /* a package being dropped into apply/ etc. */
};

struct mem {
	uint64_t ino;
	uint64_t parent;
	char *name;
	enum mem_type type;
	bool linked;        /* still has its name in `parent` */
	uint64_t nlookup;   /* kernel references */
	int nopen;          /* open files */
	int64_t mtime;
	tfs_buf data;       /* M_SCRATCH, M_NEW: the content */
	/* M_NEW: where it goes; once stored, the object row. */
	int64_t inst;
	tfs_kind kind;
	char type_name[256];
	int64_t obj;
	/* M_SCRATCH made by renaming a stored file aside: that file. */
	uint64_t aside_of;
	/* M_DROP: the package is spooled to a temporary file */
	int fd;
	char *tmp;
	/* M_HIST */
	int n;
	char *path;
	bool is_dir;
	uint64_t size;
	/* M_HIST directories: their files are C_HFILE inodes, named by this
	 * slot (0: none free, the files are memory nodes); references the
	 * kernel holds to those files keep this node. */
	uint32_t slot;
	uint64_t child_refs;
	struct mem *next_ino, *next_name;
};

/* A stored file renamed to a temporary name: hidden until saved again. */
struct hidden {
	uint64_t parent;
	char *name;
	uint64_t ino;
	struct hidden *next;
};

/* A set of inode numbers (open addressing, 0 is empty). */
struct inoset {
	uint64_t *v;
	size_t n, cap;
};

/* Open writers of a stored file. */
struct writer {
	uint64_t ino;
	int count;
	struct writer *next;
};

struct tfs_tree {
	pthread_mutex_t mu;
	tfs_store *st;
	uid_t uid;
	gid_t gid;
	int64_t mounted;
	tfs_tree_notify nt;
	struct mem **by_ino, **by_name;
	size_t nbuckets, nmem;
	uint64_t next_mem;
	struct hidden *hidden;
	/* Stored files written or changed during this mount: their pages in
	 * the kernel may be stale until a notification lands, so opens of
	 * them drop the page cache instead of keeping it. */
	struct inoset touched;
	/* Stored files whose content was put into the kernel's page cache
	 * (see tfs_tree_notify.store): later opens need not load them. */
	struct inoset pushed;
	/* Bumped by every invalidation of a cacheable listing (atomic). */
	uint64_t listing_gen;
	/* History directory nodes by slot (C_HFILE); hslot[0] unused. */
	struct mem **hslot;
	size_t nhslot;
	struct writer *writers;
	/* The import running now, readable without `mu` (see tree_file.c). */
	pthread_mutex_t run_mu;
	struct {
		int64_t inst;
		uint64_t parent;
		char name[300];
		tfs_buf text;
		int64_t mtime;
		bool active;
	} run;
};

int inoset_add(struct inoset *s, uint64_t ino);
bool inoset_has(const struct inoset *s, uint64_t ino);
void inoset_free(struct inoset *s);

struct mem *mem_by_ino(tfs_tree *t, uint64_t ino);
/* The history directory node of C_HFILE `ino`, or NULL. */
struct mem *hfile_dir(tfs_tree *t, uint64_t ino);
struct mem *mem_by_name(tfs_tree *t, uint64_t parent, const char *name);
struct mem *mem_new(tfs_tree *t, enum mem_type type, uint64_t parent,
		    const char *name);
void mem_unlink(tfs_tree *t, struct mem *m);
int mem_rename(tfs_tree *t, struct mem *m, uint64_t parent,
	       const char *name);
void mem_maybe_free(tfs_tree *t, struct mem *m);
struct hidden *hidden_find(tfs_tree *t, uint64_t parent, const char *name);
void hidden_drop(tfs_tree *t, struct hidden *h);
void inval_inode(tfs_tree *t, uint64_t ino);
void inval_entry(tfs_tree *t, uint64_t parent, const char *name);
uint64_t obj_parent(int64_t inst, tfs_kind kind, int64_t dir);

int mem_attr(tfs_attr *out, tfs_tree *t, struct mem *m);
/* Lookup and attributes without taking the mutex. */
int tree_lookup(tfs_attr *out, tfs_tree *t, uint64_t parent,
		const char *name);
int tree_getattr(tfs_attr *out, tfs_tree *t, uint64_t ino);
/* The content of a non-object file (text views, conf, history blobs). */
int tree_content(tfs_buf *out, tfs_tree *t, uint64_t ino, bool *direct);
/* The instance and object directory that `ino` (a directory) lists
 * objects of: 0, or TFS_ENOTFOUND if it is not an object directory. */
int tree_object_dir(tfs_inst **in, int64_t *dir, tfs_kind *kind,
		    char type[256], tfs_tree *t, uint64_t ino);
/* Split "X.xml" into X; false if not object-shaped. */
bool object_file_name(char out[256], const char *file);
/* Whether `ino` is history or inside it (read-only). */
bool in_history(tfs_tree *t, uint64_t ino);

#endif
