/*
 * The tree: everything under the mount point, as inodes, names and file
 * contents, with no FUSE in it.  fs/ turns each FUSE request into one call
 * here; tests drive it directly.
 *
 * Inode numbers encode what they name (class, instance or parent id, row
 * id), so they are stable across mounts and need no table: an object's
 * inode is derived from its row id, which is never reused.  Only names that
 * live in memory (editors' temporary files, files being created, history
 * snapshots) get inode numbers from a counter.
 *
 * Calls may come from several threads at once.  The tree's own lock is a
 * short leaf lock over its in-memory tables, never held across engine work,
 * so one instance's long operation (a package apply) holds up no other
 * request.  Changes made anywhere (through a file, by revert, by package
 * apply) are reported through the notify callbacks so the kernel's caches
 * can be dropped; callbacks run with that lock held (possibly from the
 * thread of another request) and must only queue work.
 */
#ifndef TENANTFS_TREE_H
#define TENANTFS_TREE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "store.h"

typedef struct tfs_tree tfs_tree;

/* The caller of a request: its uid, mapped to an Ops Console user. */
typedef struct tfs_caller {
	uid_t uid;
	gid_t gid;
} tfs_caller;
typedef struct tfs_file tfs_file;

#define TFS_ROOT_INO 1

/*
 * The largest file a write may make (objects, .conf files, editors'
 * temporary files; dropped packages are spooled to disk and have no
 * limit), by default.  The largest object of a real console is a few MB.
 * Each store sets its own limit, between the floor and the ceiling, as
 * object_max in console.conf at the top of the mount (an addition to the
 * tree of INTERFACE.md; engine/console_conf.c, tfs_store_object_max()).
 */
#define TFS_OBJECT_MAX       ((uint64_t)64 << 20)
#define TFS_OBJECT_MAX_FLOOR ((uint64_t)1 << 20)
#define TFS_OBJECT_MAX_CEIL  ((uint64_t)1 << 30)

typedef struct tfs_attr {
	uint64_t ino;
	uint32_t mode; /* S_IFDIR|0755, S_IFREG|0644, ... */
	uint32_t nlink;
	uint64_t size;
	int64_t mtime;
	/* Content and attributes change only through notified events, so
	 * the kernel may cache them for long (entries and attributes). */
	bool cacheable;
	/* The name is transient (temporary file, file being created):
	 * never cache the entry. */
	bool volatile_entry;
} tfs_attr;

typedef struct tfs_tree_notify {
	void (*inval_inode)(void *ctx, uint64_t ino);
	void (*inval_entry)(void *ctx, uint64_t parent, const char *name);
	/* Optional: put a stored file's content into the kernel's page cache
	 * now, synchronously (from the thread of an open request, before its
	 * reply, without the tree's lock), so that the reader that opens it
	 * finds it there and needs no read request.  NULL: never. */
	void (*store)(void *ctx, uint64_t ino, const char *data, size_t size);
	void *ctx;
} tfs_tree_notify;

int tfs_tree_new(tfs_tree **out, tfs_store *st, uid_t uid, gid_t gid);
void tfs_tree_free(tfs_tree *t);
void tfs_tree_set_notify(tfs_tree *t, const tfs_tree_notify *n);

/* Errors are TFS_E* codes; fs/ maps them to errno. */
/*
 * Every call that names a node answers as the console user of `who`
 * (tenantfs/perm.h): what that user may not see is TFS_ENOTFOUND (a
 * tenant) or TFS_EACCESS, whatever another caller could reach.
 */
int tfs_tree_lookup(tfs_attr *out, tfs_tree *t, uint64_t parent,
		    const char *name, const tfs_caller *who);
int tfs_tree_getattr(tfs_attr *out, tfs_tree *t, uint64_t ino,
		     const tfs_caller *who);
void tfs_tree_forget(tfs_tree *t, uint64_t ino, uint64_t nlookup);
/* The kernel took a reference to `ino` without a lookup (readdirplus). */
void tfs_tree_ref(tfs_tree *t, uint64_t ino);

typedef int (*tfs_dirent_cb)(void *ctx, const char *name, const tfs_attr *attr);
/* Whether `who` may reach node `ino` at all (opendir): 0 or the error. */
int tfs_tree_access(tfs_tree *t, uint64_t ino, const tfs_caller *who);
/* Every entry of directory `ino` (without . and ..) that `who` may see,
 * in sorted order. */
int tfs_tree_readdir(tfs_tree *t, uint64_t ino, tfs_dirent_cb cb, void *ctx,
		     const tfs_caller *who);
/* Whether the kernel may keep the listing of directory `ino` across opens:
 * true for object directories, whose every change invalidates them. */
bool tfs_tree_listing_cacheable(uint64_t ino);
/*
 * A counter bumped whenever a cacheable listing is invalidated.  A reader
 * of such a listing reads it before listing and, if it moved by the time
 * the listing reached the kernel, calls tfs_tree_listing_changed: the
 * invalidation may have landed before the listing it should have dropped.
 */
uint64_t tfs_tree_listing_gen(tfs_tree *t);
void tfs_tree_listing_changed(tfs_tree *t, uint64_t ino);

/*
 * Open file `ino`.  `flags` are open(2) flags.  *direct tells the caller
 * the content is generated per open (no page cache), *keep that the cached
 * pages are still valid.
 */
int tfs_tree_open(tfs_file **out, tfs_tree *t, uint64_t ino, int flags,
		  const tfs_caller *who, bool *direct, bool *keep);
/* Create and open `name` in `parent`. */
int tfs_tree_create(tfs_file **out, tfs_attr *attr, tfs_tree *t,
		    uint64_t parent, const char *name, mode_t mode, int flags,
		    const tfs_caller *who);
/* Append up to `size` bytes at `off` to `out`. */
int tfs_file_read(tfs_buf *out, tfs_tree *t, tfs_file *f, uint64_t off,
		  size_t size);
int tfs_file_write(tfs_tree *t, tfs_file *f, uint64_t off, const char *data,
		   size_t len);
int tfs_file_truncate(tfs_tree *t, tfs_file *f, uint64_t size);
/* Commit pending writes (close, fsync): the save is checked here. */
int tfs_file_flush(tfs_tree *t, tfs_file *f);
void tfs_file_release(tfs_tree *t, tfs_file *f);

/* Changing mode, owner or times: accepted and ignored (they are not
 * properties of objects), except in history (TFS_ELOCKED). */
int tfs_tree_touch(tfs_tree *t, uint64_t ino);
/* truncate(2) without an open file. */
int tfs_tree_truncate(tfs_tree *t, uint64_t ino, uint64_t size,
		      const tfs_caller *who);
int tfs_tree_unlink(tfs_tree *t, uint64_t parent, const char *name,
		    const tfs_caller *who);
int tfs_tree_rename(tfs_tree *t, uint64_t parent, const char *name,
		    uint64_t newparent, const char *newname, unsigned int flags,
		    const tfs_caller *who);
int tfs_tree_mkdir(tfs_attr *out, tfs_tree *t, uint64_t parent,
		   const char *name, const tfs_caller *who);
int tfs_tree_rmdir(tfs_tree *t, uint64_t parent, const char *name,
		   const tfs_caller *who);

#endif
