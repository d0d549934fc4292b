/*
 * tenantfs: the FUSE daemon.  Each callback unpacks its arguments, makes
 * one call into the engine's tree (engine/tree.c), maps the error with
 * errno_of(), and replies.  Everything else (names, contents, rules) is in
 * the engine.
 *
 * Usage: tenantfs [-f] [-o store=STORE[,FUSE options]] MOUNTPOINT
 */
#define FUSE_USE_VERSION 312
#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <limits.h>
#include <malloc.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loop.h"
#include "notify.h"
#include "tenantfs/error.h"
#include "tenantfs/store.h"
#include "tenantfs/tree.h"

/* Objects change only through events the tree reports. */
#define LONG_TIMEOUT 86400.0

struct fs {
	tfs_store *st;
	tfs_tree *tree;
	notifier *nt;
	bool sync_notify; /* flushes wait for their invalidations */
	int debug;
};

static struct fs *fs_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/* The one place engine errors become errno values. */
static int errno_of(int error)
{
	switch (error) {
	case TFS_ENOTFOUND:
		return ENOENT;
	case TFS_EEXISTS:
		return EEXIST;
	case TFS_EINVALID:
		return EINVAL;
	case TFS_ECONFLICT:
		return EBUSY;
	case TFS_ELOCKED:
		return EROFS;
	case TFS_EACCESS:
		return EACCES;
	case TFS_EBUSY:
		return EBUSY;
	case TFS_ENOTEMPTY:
		return ENOTEMPTY;
	case TFS_ENOTSUP:
		return ENOTSUP;
	case TFS_ENOSPC:
		return ENOSPC;
	case TFS_ETOOBIG:
		return EFBIG;
	case TFS_EDAMAGED:
		return EIO;
	default:
		return EIO;
	}
}

static void reply_error(fuse_req_t req, int error)
{
	struct fs *fs = fs_of(req);

	if (fs->debug)
		fprintf(stderr, "tenantfs: %s\n", tfs_error_last());
	fuse_reply_err(req, errno_of(error));
}

static tfs_caller caller(fuse_req_t req)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	tfs_caller who = { ctx->uid, ctx->gid };

	return who;
}

static void to_stat(struct stat *st, const tfs_attr *a, const struct fs *fs)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = a->ino;
	st->st_mode = a->mode;
	st->st_nlink = a->nlink;
	st->st_size = (off_t)a->size;
	st->st_blksize = 4096;
	st->st_blocks = (blkcnt_t)((a->size + 511) / 512);
	st->st_mtim.tv_sec = a->mtime;
	st->st_ctim.tv_sec = a->mtime;
	st->st_atim.tv_sec = a->mtime;
	st->st_uid = getuid();
	st->st_gid = getgid();
	(void)fs;
}

static double attr_timeout(const tfs_attr *a)
{
	return a->cacheable ? LONG_TIMEOUT : 0.0;
}

static void to_entry(struct fuse_entry_param *e, const tfs_attr *a,
		     const struct fs *fs)
{
	memset(e, 0, sizeof(*e));
	e->ino = a->ino;
	e->generation = 1;
	to_stat(&e->attr, a, fs);
	e->attr_timeout = attr_timeout(a);
	e->entry_timeout = a->volatile_entry ? 0.0 : LONG_TIMEOUT;
}

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	/* O_TRUNC arrives with open, not as a separate truncate (which
	 * would store an empty document before the new one arrives). */
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
	/* Writes must reach us in order, at close we check them. */
	conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
	if (conn->capable & FUSE_CAP_READDIRPLUS)
		conn->want |= FUSE_CAP_READDIRPLUS;
	conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fs *fs = fs_of(req);
	tfs_caller who = caller(req);
	struct fuse_entry_param e;
	tfs_attr a;
	int error = tfs_tree_lookup(&a, fs->tree, parent, name, &who);

	if (error < 0) {
		if (error == TFS_ENOTFOUND)
			fuse_reply_err(req, ENOENT);
		else
			reply_error(req, error);
		return;
	}
	to_entry(&e, &a, fs);
	fuse_reply_entry(req, &e);
}

static void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	tfs_tree_forget(fs_of(req)->tree, ino, nlookup);
	fuse_reply_none(req);
}

static void op_forget_multi(fuse_req_t req, size_t count,
			    struct fuse_forget_data *forgets)
{
	size_t i;

	for (i = 0; i < count; i++)
		tfs_tree_forget(fs_of(req)->tree, forgets[i].ino,
				forgets[i].nlookup);
	fuse_reply_none(req);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	tfs_caller who = caller(req);
	struct stat st;
	tfs_attr a;
	int error = tfs_tree_getattr(&a, fs->tree, ino, &who);

	(void)fi;
	if (error < 0) {
		reply_error(req, error);
		return;
	}
	to_stat(&st, &a, fs);
	fuse_reply_attr(req, &st, attr_timeout(&a));
}

static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
		       int to_set, struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	tfs_caller who = caller(req);
	struct stat st;
	tfs_attr a;
	int error = 0;

	/* Mode, owner and times are not properties of objects: accepted
	 * and ignored so cp -p, touch and vim's checks work (by callers
	 * who may reach the file). */
	if (to_set & ~FUSE_SET_ATTR_SIZE) {
		error = tfs_tree_access(fs->tree, ino, &who);
		if (!error)
			error = tfs_tree_touch(fs->tree, ino);
	}
	if (!error && (to_set & FUSE_SET_ATTR_SIZE)) {
		if (fi)
			error = tfs_file_truncate(fs->tree,
						  (tfs_file *)(uintptr_t)fi->fh,
						  (uint64_t)attr->st_size);
		else
			error = tfs_tree_truncate(fs->tree, ino,
						  (uint64_t)attr->st_size,
						  &who);
	}
	if (error == 0)
		error = tfs_tree_getattr(&a, fs->tree, ino, &who);
	if (error < 0) {
		reply_error(req, error);
		return;
	}
	if ((to_set & FUSE_SET_ATTR_SIZE) && fi)
		a.size = (uint64_t)attr->st_size;
	to_stat(&st, &a, fs);
	fuse_reply_attr(req, &st, 0.0);
}

/* ---- directories ------------------------------------------------------------- */

struct dir_entry {
	char *name;
	tfs_attr attr;
};

struct dir_handle {
	struct dir_entry *e;
	size_t n, alloc;
	bool listed;
	uint64_t gen; /* tfs_tree_listing_gen when listed */
};

static int collect(void *ctx, const char *name, const tfs_attr *attr)
{
	struct dir_handle *d = ctx;

	if (d->n == d->alloc) {
		size_t n = d->alloc ? d->alloc * 2 : 64;
		struct dir_entry *e = realloc(d->e, n * sizeof(*e));
		if (!e)
			return tfs_error_set(TFS_ERROR, "out of memory");
		d->e = e;
		d->alloc = n;
	}
	d->e[d->n].name = strdup(name);
	if (!d->e[d->n].name)
		return tfs_error_set(TFS_ERROR, "out of memory");
	d->e[d->n].attr = *attr;
	d->n++;
	return 0;
}

static void free_dir(struct dir_handle *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++)
		free(d->e[i].name);
	free(d->e);
	free(d);
}

static void op_opendir(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	tfs_caller who = caller(req);
	struct dir_handle *d;
	int error;

	/* Every opendir asks the engine: a listing the kernel keeps is
	 * served only to callers who may open the directory. */
	if ((error = tfs_tree_access(fs_of(req)->tree, ino, &who)) < 0) {
		reply_error(req, error);
		return;
	}
	if (!(d = calloc(1, sizeof(*d)))) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	/* The listing is taken at the first read of this open (a listing
	 * the kernel keeps needs none), once, so a reader paging through a
	 * large directory sees one consistent snapshot. */
	if (tfs_tree_listing_cacheable(ino)) {
		fi->cache_readdir = 1;
		fi->keep_cache = 1;
	}
	fi->fh = (uint64_t)(uintptr_t)d;
	fuse_reply_open(req, fi);
}

static void do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi, int plus)
{
	struct fs *fs = fs_of(req);
	struct dir_handle *d = (struct dir_handle *)(uintptr_t)fi->fh;
	char *buf = malloc(size);
	size_t used = 0, i;
	uint64_t gen;

	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	if (!d->listed) {
		tfs_caller who = caller(req);
		int error;
		d->gen = tfs_tree_listing_gen(fs->tree);
		if ((error = tfs_tree_readdir(fs->tree, ino, collect, d,
					      &who)) < 0) {
			free(buf);
			reply_error(req, error);
			return;
		}
		d->listed = true;
	}
	/* Offsets 0 and 1 are "." and ".."; entry i is at offset i + 3. */
	for (i = (size_t)off; i < d->n + 2; i++) {
		struct fuse_entry_param e;
		const char *name;
		size_t need;

		if (i < 2) {
			/* The kernel takes no reference for these. */
			memset(&e, 0, sizeof(e));
			e.ino = ino;
			e.attr.st_ino = ino;
			e.attr.st_mode = S_IFDIR;
			name = i == 0 ? "." : "..";
			need = plus ? fuse_add_direntry_plus(req, buf + used,
							     size - used, name,
							     &e, (off_t)i + 1) :
				      fuse_add_direntry(req, buf + used,
							size - used, name,
							&e.attr, (off_t)i + 1);
			if (need > size - used)
				break;
			used += need;
			continue;
		}
		name = d->e[i - 2].name;
		to_entry(&e, &d->e[i - 2].attr, fs);
		if (plus)
			need = fuse_add_direntry_plus(req, buf + used,
						      size - used, name, &e,
						      (off_t)i + 1);
		else
			need = fuse_add_direntry(req, buf + used, size - used,
						 name, &e.attr, (off_t)i + 1);
		if (need > size - used)
			break;
		if (plus)
			tfs_tree_ref(fs->tree, e.ino);
		used += need;
	}
	/* Once answered, the handle may be released at any moment. */
	gen = d->gen;
	fuse_reply_buf(req, buf, used);
	free(buf);
	/* A change since the listing was taken: its invalidation may have
	 * reached the kernel before this reply, which the kernel keeps. */
	if (tfs_tree_listing_cacheable(ino) &&
	    tfs_tree_listing_gen(fs->tree) != gen)
		tfs_tree_listing_changed(fs->tree, ino);
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, fi, 0);
}

static void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size,
			   off_t off, struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, fi, 1);
}

static void op_releasedir(fuse_req_t req, fuse_ino_t ino,
			  struct fuse_file_info *fi)
{
	(void)ino;
	free_dir((struct dir_handle *)(uintptr_t)fi->fh);
	fuse_reply_err(req, 0);
}

static void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		     mode_t mode)
{
	struct fs *fs = fs_of(req);
	tfs_caller who = caller(req);
	struct fuse_entry_param e;
	tfs_attr a;
	int error = tfs_tree_mkdir(&a, fs->tree, parent, name, &who);

	(void)mode;
	if (error < 0) {
		reply_error(req, error);
		return;
	}
	to_entry(&e, &a, fs);
	fuse_reply_entry(req, &e);
}

static void op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	tfs_caller who = caller(req);
	int error = tfs_tree_rmdir(fs_of(req)->tree, parent, name, &who);

	if (error < 0)
		reply_error(req, error);
	else
		fuse_reply_err(req, 0);
}

/* ---- files ---------------------------------------------------------------------- */

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	tfs_caller who = caller(req);
	tfs_file *f;
	bool direct, keep;
	int error = tfs_tree_open(&f, fs_of(req)->tree, ino, fi->flags, &who,
				  &direct, &keep);

	if (error < 0) {
		reply_error(req, error);
		return;
	}
	fi->fh = (uint64_t)(uintptr_t)f;
	fi->direct_io = direct;
	fi->keep_cache = keep;
	/* A reader's close has nothing to commit: spare the round trip. */
	fi->noflush = (fi->flags & O_ACCMODE) == O_RDONLY &&
		      !(fi->flags & O_TRUNC);
	fuse_reply_open(req, fi);
}

static void op_create(fuse_req_t req, fuse_ino_t parent, const char *name,
		      mode_t mode, struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	tfs_caller who = caller(req);
	struct fuse_entry_param e;
	tfs_file *f;
	tfs_attr a;
	int error;

	if (!S_ISREG(mode)) {
		fuse_reply_err(req, ENOTSUP);
		return;
	}
	error = tfs_tree_create(&f, &a, fs->tree, parent, name, mode, fi->flags,
				&who);
	if (error < 0) {
		reply_error(req, error);
		return;
	}
	fi->fh = (uint64_t)(uintptr_t)f;
	fi->direct_io = 0;
	fi->keep_cache = 0;
	to_entry(&e, &a, fs);
	fuse_reply_create(req, &e, fi);
}

static void op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		     mode_t mode, dev_t rdev)
{
	(void)parent;
	(void)name;
	(void)mode;
	(void)rdev;
	fuse_reply_err(req, ENOTSUP);
}

static void op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
		       const char *name)
{
	(void)link;
	(void)parent;
	(void)name;
	fuse_reply_err(req, ENOTSUP);
}

static void op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t parent,
		    const char *name)
{
	(void)ino;
	(void)parent;
	(void)name;
	fuse_reply_err(req, ENOTSUP);
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	tfs_buf b = TFS_BUF_INIT;
	int error = tfs_file_read(&b, fs_of(req)->tree,
				  (tfs_file *)(uintptr_t)fi->fh, (uint64_t)off,
				  size);

	(void)ino;
	if (error < 0)
		reply_error(req, error);
	else
		fuse_reply_buf(req, b.ptr, b.size);
	tfs_buf_free(&b);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf,
		     size_t size, off_t off, struct fuse_file_info *fi)
{
	int error = tfs_file_write(fs_of(req)->tree,
				   (tfs_file *)(uintptr_t)fi->fh, (uint64_t)off,
				   buf, size);

	(void)ino;
	if (error < 0)
		reply_error(req, error);
	else
		fuse_reply_write(req, size);
}

static void op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	int error = tfs_file_flush(fs->tree, (tfs_file *)(uintptr_t)fi->fh);

	(void)ino;
	if (fs->sync_notify)
		notifier_sync(fs->nt);
	if (error < 0)
		reply_error(req, error);
	else
		fuse_reply_err(req, 0);
}

static void op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
		     struct fuse_file_info *fi)
{
	(void)datasync;
	op_flush(req, ino, fi);
}

static void op_release(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	(void)ino;
	tfs_file_release(fs_of(req)->tree, (tfs_file *)(uintptr_t)fi->fh);
	fuse_reply_err(req, 0);
}

static void op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	tfs_caller who = caller(req);
	int error = tfs_tree_unlink(fs_of(req)->tree, parent, name, &who);

	if (error < 0)
		reply_error(req, error);
	else
		fuse_reply_err(req, 0);
}

static void op_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		      fuse_ino_t newparent, const char *newname,
		      unsigned int flags)
{
	tfs_caller who = caller(req);
	int error;

	if (parent != newparent) {
		/* mv falls back to copy and remove. */
		fuse_reply_err(req, EXDEV);
		return;
	}
	error = tfs_tree_rename(fs_of(req)->tree, parent, name, newparent,
				newname, flags, &who);
	if (error < 0)
		reply_error(req, error);
	else
		fuse_reply_err(req, 0);
}

/* The store's own filesystem: what `df` says about the mount is what
 * saves will find. */
static void op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs sv;
	int error;

	(void)ino;
	if ((error = tfs_store_statfs(&sv, fs_of(req)->st)) < 0) {
		reply_error(req, error);
		return;
	}
	fuse_reply_statfs(req, &sv);
}

static const struct fuse_lowlevel_ops ops = {
	.init = op_init,
	.lookup = op_lookup,
	.forget = op_forget,
	.forget_multi = op_forget_multi,
	.getattr = op_getattr,
	.setattr = op_setattr,
	.opendir = op_opendir,
	.readdir = op_readdir,
	.readdirplus = op_readdirplus,
	.releasedir = op_releasedir,
	.mkdir = op_mkdir,
	.rmdir = op_rmdir,
	.open = op_open,
	.create = op_create,
	.mknod = op_mknod,
	.symlink = op_symlink,
	.link = op_link,
	.read = op_read,
	.write = op_write,
	.flush = op_flush,
	.fsync = op_fsync,
	.release = op_release,
	.unlink = op_unlink,
	.rename = op_rename,
	.statfs = op_statfs,
};

/* ---- main ----------------------------------------------------------------------- */

struct options {
	char *store;
	int nofsync;
	int noverify;
	int help;
};

static const struct fuse_opt option_spec[] = {
	{ "store=%s", offsetof(struct options, store), 1 },
	{ "--store=%s", offsetof(struct options, store), 1 },
	{ "nofsync", offsetof(struct options, nofsync), 1 },
	{ "noverify", offsetof(struct options, noverify), 1 },
	{ "-h", offsetof(struct options, help), 1 },
	{ "--help", offsetof(struct options, help), 1 },
	FUSE_OPT_END,
};

static void usage(const char *prog)
{
	printf("usage: %s [-f] [-d] -o store=STORE[,FUSE options] MOUNTPOINT\n"
	       "\n"
	       "Mount the tenantfs store STORE (made by 'tenantctl init') at\n"
	       "MOUNTPOINT.  -f stays in the foreground, -d prints each\n"
	       "request.  Unmount with: fusermount3 -u MOUNTPOINT\n"
	       "\n"
	       "    -o nofsync    for benchmarks only: history objects are not\n"
	       "                  fsynced\n"
	       "    -o noverify   for benchmarks only: objects are served without\n"
	       "                  checking their SHA-256 (damage goes unseen)\n",
	       prog);
}

/*
 * Detaching from the terminal.  libfuse's fuse_daemonize() forks after
 * the store is open, and the daemon would then hold none of SQLite's
 * locks: fcntl locks belong to the process that took them, which exits.
 * Another SQLite client closing console.db or an instance's database
 * while mounted would then think itself the last one and remove the
 * write-ahead log under the daemon.  So the daemon forks first and opens
 * the store itself; the parent waits until the daemon is mounted and
 * ready to serve (a zero byte on the pipe), or failed (the pipe closes:
 * its errors went to the terminal, which it keeps until then), and exits
 * accordingly.
 */

/* In the parent: never returns.  In the daemon: 0, *ready the pipe.
 * Until detached(), the daemon stays in the terminal's session, so that
 * an interrupt while it starts stops it as well as the waiting parent. */
static int detach(int *ready)
{
	int p[2], status = 0;
	pid_t pid;
	ssize_t n;
	char c = 1;

	if (pipe2(p, O_CLOEXEC) < 0) {
		perror("tenantfs: pipe");
		return -1;
	}
	if ((pid = fork()) < 0) {
		perror("tenantfs: fork");
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		*ready = p[1];
		return 0;
	}
	close(p[1]);
	while ((n = read(p[0], &c, 1)) < 0 && errno == EINTR)
		;
	if (n == 1 && c == 0)
		_exit(0);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	_exit(WIFEXITED(status) && WEXITSTATUS(status) ? WEXITSTATUS(status) :
							 1);
}

/* In the daemon, mounted and ready to serve: let go of the terminal and
 * tell the parent.  A parent gone meanwhile hears nothing (SIGPIPE is
 * ignored once libfuse's handlers are set); the mount serves on. */
static void detached(int ready)
{
	int fd = open("/dev/null", O_RDWR);
	ssize_t n;
	char c = 0;

	setsid();
	if (chdir("/") < 0)
		perror("tenantfs: chdir /");
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	n = write(ready, &c, 1);
	(void)n;
	close(ready);
}

/* The store of option store=, with the options that apply to it, and its
 * tree; 0 or a negative TFS_E* code (tfs_error_last() says why). */
static int open_store(struct fs *fs, const struct options *o)
{
	int error;

	if ((error = tfs_store_open(&fs->st, o->store, getuid())) < 0 ||
	    (o->nofsync && (error = tfs_store_set_fsync(fs->st, false)) < 0))
		return error;
	if (o->noverify)
		tfs_store_set_verify(fs->st, false);
	return tfs_tree_new(&fs->tree, fs->st, getuid(), getgid());
}

/* Answer requests until unmounted or signalled: on one thread, on our
 * loop, or on libfuse's with clone_fd.  0 on a clean exit. */
static int serve(struct fuse_session *se, const struct fuse_cmdline_opts *opts)
{
	struct fuse_loop_config *cfg;
	int ret;

	if (opts->singlethread)
		return fuse_session_loop(se);
	if (!opts->clone_fd)
		return loop_run(se, opts->max_threads, opts->max_idle_threads);
	if (!(cfg = fuse_loop_cfg_create()))
		return 1;
	fuse_loop_cfg_set_clone_fd(cfg, opts->clone_fd);
	fuse_loop_cfg_set_idle_threads(cfg, opts->max_idle_threads);
	fuse_loop_cfg_set_max_threads(cfg, opts->max_threads);
	ret = fuse_session_loop_mt(se, cfg);
	fuse_loop_cfg_destroy(cfg);
	return ret;
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts opts;
	struct options o = { 0 };
	struct fuse_session *se = NULL;
	struct fs fs = { 0 };
	tfs_tree_notify tn;
	int ret = 1, ready = -1;

	/*
	 * Buffers over 1 MB (a large object's bytes, its parse, its copies)
	 * are mapped on their own and unmapped when freed.  By default
	 * glibc raises this threshold to the size of the last such buffer
	 * freed (up to 32 MB), after which they come from the arena of the
	 * thread that asked, and each FUSE thread's arena kept its share
	 * after the save: a 40 MB Image left 30 MB resident, almost all of
	 * it free.  Fixed, it costs an mmap and munmap per large buffer
	 * only; small allocations, all reads of everyday objects, are as
	 * before.
	 */
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	memset(&opts, 0, sizeof(opts));
	if (fuse_opt_parse(&args, &o, option_spec, NULL) == -1)
		return 1;
	if (o.help) {
		usage(argv[0]);
		fuse_lowlevel_help();
		return 0;
	}
	if (fuse_parse_cmdline(&args, &opts) != 0)
		return 1;
	if (!opts.mountpoint || !o.store) {
		usage(argv[0]);
		goto out;
	}
	fs.debug = opts.debug;
	if (!opts.foreground && detach(&ready) < 0)
		goto out;
	/* Opened by the daemon (see detach), before it lets go of the
	 * terminal so that errors reach it; a store already mounted
	 * elsewhere is refused here. */
	if (open_store(&fs, &o) < 0) {
		fprintf(stderr, "tenantfs: %s\n", tfs_error_last());
		goto out;
	}
	fuse_opt_add_arg(&args, "-ofsname=tenantfs,subtype=tenantfs");
	se = fuse_session_new(&args, &ops, sizeof(ops), &fs);
	if (!se)
		goto out;
	if (fuse_set_signal_handlers(se) != 0)
		goto out;
	if (fuse_session_mount(se, opts.mountpoint) != 0)
		goto out_signals;
	if (tfs_store_checkpoint_in_background(fs.st) < 0) {
		fprintf(stderr, "tenantfs: %s\n", tfs_error_last());
		goto out_unmount;
	}
	if (notifier_start(&fs.nt, se) != 0)
		goto out_unmount;
	tn.inval_inode = notifier_inode;
	tn.inval_entry = notifier_entry;
	/* Storing pages may wait for a read of them in progress: only when
	 * another thread can answer that read. */
	tn.store = opts.singlethread ? NULL : notifier_store;
	fs.sync_notify = !opts.singlethread;
	tn.ctx = fs.nt;
	tfs_tree_set_notify(fs.tree, &tn);
	/* Only now does the parent exit 0: every failure before this point
	 * reached the terminal and the exit status. */
	if (ready >= 0)
		detached(ready);
	ret = serve(se, &opts);
	tfs_tree_set_notify(fs.tree, &(tfs_tree_notify){ 0 });
	notifier_stop(fs.nt);
out_unmount:
	fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
out:
	if (se)
		fuse_session_destroy(se);
	tfs_tree_free(fs.tree);
	tfs_store_free(fs.st);
	free(opts.mountpoint);
	free(o.store);
	fuse_opt_free_args(&args);
	return ret ? 1 : 0;
}
