/*
 * Open files of the tree: opening, reading, buffered writing, and
 * committing what was written.
 *
 * Writes to a stored file are buffered in its open file and committed when
 * the writer flushes (close), fsyncs, or renames a temporary file onto the
 * stored name; the engine checks the save then, and a rejected save fails
 * that call and changes nothing.  Temporary and new files live in memory
 * nodes (tree.c); packages dropped into apply/ and the like are spooled to
 * a temporary file and imported on close (node_drops.c).
 *
 * Locking (tree_internal.h): an open file's buffers and flags, and the
 * memory node it holds (nopen keeps it allocated), change under the leaf
 * lock; content is loaded and saves are made without it, from copies.
 * Public functions that call the engine end with request_end (tree.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "tree_internal.h"
#include "tenantfs/error.h"

struct tfs_file {
	uint64_t ino;
	struct mem *mem; /* temporary or new file: its node */
	tfs_buf data;    /* stored or generated files: the content */
	bool writable;
	bool dirty;
	bool failed;        /* a save from this file was rejected */
	bool append;        /* O_APPEND: writes go to the end of our copy */
	bool written;       /* write or truncate since open (not O_TRUNC) */
	bool lazy;          /* a reader's stored file: loaded at first read */
	bool push;          /* to be put into the kernel's page cache */
	bool toobig_logged; /* a write past object_max was logged */
	int spool_errno;    /* a dropped package's write failed: why */
	tfs_caller who;
};

/* ---- committing --------------------------------------------------------------------- */

void user_of(tfs_tree *t, const tfs_caller *who, char out[64])
{
	tfs_store_user_of(t->st, who->uid, out);
}

void reject(tfs_tree *t, tfs_inst *in, const tfs_caller *who, const char *path,
	    const char *reason)
{
	char user[64];

	user_of(t, who, user);
	if (in) {
		tfs_inst_reject(in, user, path, reason);
	} else {
		char msg[1024];
		tfs_event ev = { .user = user,
				 .action = "Conf/Reject",
				 .message = msg };
		snprintf(msg, sizeof(msg), "%s: %s", path, reason);
		tfs_store_event(t->st, &ev);
	}
}

/*
 * A refused access to status (administrators only), recorded as a refused
 * save is, keeping the error set.  `echo fix > status` by anyone else is
 * refused at the path walk (the lookup of status), which cannot tell a
 * write from a read: every refused lookup of it is recorded.
 */
/* Whether a refusal of `status` to `who` is to be recorded now: not if
 * one was in the last minute (the slot of the oldest is reused). */
static bool status_refusal_due(tfs_tree *t, const tfs_caller *who)
{
	int64_t now = tfs_now();
	size_t i, slot = 0;
	bool due = true;

	pthread_mutex_lock(&t->mu);
	for (i = 0; i < 8; i++) {
		if (t->status_refused[i].at &&
		    t->status_refused[i].uid == who->uid) {
			slot = i;
			due = now - t->status_refused[i].at >= 60;
			break;
		}
		if (t->status_refused[i].at < t->status_refused[slot].at)
			slot = i;
	}
	if (due) {
		t->status_refused[slot].uid = who->uid;
		t->status_refused[slot].at = now;
	}
	pthread_mutex_unlock(&t->mu);
	return due;
}

void reject_status(tfs_tree *t, const tfs_caller *who)
{
	char reason[512];

	snprintf(reason, sizeof(reason), "%s", tfs_error_last());
	if (status_refusal_due(t, who))
		reject(t, NULL, who, "status", reason);
	tfs_error_set(TFS_EACCESS, "%s", reason);
}

/*
 * Store `bytes` as the stored file `ino` through its kind's store
 * operation, under a claim on `ino` (the store reads the object's row,
 * then saves by name: an unlink between the two would otherwise be
 * undone).  Returns 0 or the engine's error; a rejection is recorded
 * (log, events) and the kernel's cached pages of the file are dropped.
 */
int commit_stored(tfs_tree *t, uint64_t ino, const char *bytes, size_t len,
		  const tfs_caller *who)
{
	const struct node_ops *ops = node_kind(ino);
	tfs_inst *in = owner(t, ino);
	char user[64], path[600], reason[512];
	struct hidden *h;
	int error;

	if (ops->per_instance && !in)
		return TFS_ENOTFOUND;
	user_of(t, who, user);
	claim(t, ino);
	if (ops->store_as) {
		tfs_user u;
		if ((error = caller_user(&u, t, who)) == 0)
			error = ops->store_as(t, ino, &u, bytes, len);
	} else {
		error = ops->store ?
				ops->store(t, ino, user, bytes, len) :
				tfs_error_set(TFS_EACCESS, "read-only file");
	}
	if (error < 0) {
		snprintf(reason, sizeof(reason), "%s", tfs_error_last());
		if (ops->describe)
			ops->describe(path, sizeof(path), t, ino);
		else
			snprintf(path, sizeof(path), "landscapes/*.conf");
		if (path[0])
			reject(t, in, who, path, reason);
		tfs_error_set(error, "%s", reason);
	}
	tree_lock(t);
	if (error == 0) {
		for (h = t->hidden; h; h = h->next)
			if (h->ino == ino) {
				hidden_drop(t, h);
				break;
			}
	}
	/* The writer's pages hold what it wrote, not what is stored. */
	inval_inode(t, ino);
	tree_unlock(t);
	unclaim(t, ino);
	return error;
}

/* The path of new object `name` (for rejections). */
static void new_path(char *out, size_t size, tfs_kind kind, const char *type,
		     const char *name)
{
	if (kind == TFS_KIND_VALIDATION)
		snprintf(out, size, "validation/%s", name);
	else
		snprintf(out, size, "%s/%s/%s", tfs_kind_dir(kind), type, name);
}

/*
 * Store a new object from memory node `m` (a file being created, held
 * open by the caller).  Saved from a copy of its bytes, without the lock;
 * meanwhile a lookup of its name still finds the node, which shows the
 * same bytes.  Once stored the name belongs to the object: the node
 * leaves its directory (if still there) and remembers the object row.
 * Two flushes of one node at once may both save: the second, by name,
 * updates the object the first created.
 */
static int commit_new(tfs_tree *t, struct mem *m, const tfs_caller *who)
{
	tfs_inst *in = tfs_store_inst(t->st, m->inst);
	char user[64], path[600], base[256], name[256], reason[512];
	tfs_buf data = TFS_BUF_INIT;
	int64_t id = 0, obj;
	int error;

	if (!in)
		return TFS_ENOTFOUND;
	tree_lock(t);
	obj = m->obj;
	snprintf(name, sizeof(name), "%s", m->name);
	error = tfs_buf_put(&data, m->data.ptr ? m->data.ptr : "",
			    m->data.size);
	tree_unlock(t);
	if (error < 0)
		goto done;
	if (obj) {
		error = commit_stored(t, INO(C_OBJ, m->inst, obj),
				      data.ptr ? data.ptr : "", data.size, who);
		goto done;
	}
	user_of(t, who, user);
	object_file_name(base, name);
	error = tfs_inst_save(&id, in, user, m->kind, m->type_name, base,
			      data.ptr ? data.ptr : "", data.size);
	if (error < 0) {
		snprintf(reason, sizeof(reason), "%s", tfs_error_last());
		new_path(path, sizeof(path), m->kind, m->type_name, name);
		if (error != TFS_ERROR)
			reject(t, in, who, path, reason);
		tfs_error_set(error, "%s", reason);
	}
	tree_lock(t);
	if (error == 0) {
		m->obj = id;
		tfs_buf_free(&m->data);
	}
	if (m->linked) {
		/* Stored: the name now belongs to the object.  Rejected:
		 * the file being created is gone. */
		inval_entry(t, m->parent, m->name);
		if (error == 0)
			m->linked = false;
		else
			mem_unlink(t, m);
	}
	tree_unlock(t);
done:
	tfs_buf_free(&data);
	return error;
}

/* ---- opening ------------------------------------------------------------------------ */

static bool wants_write(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
}

int may_write_mode(tfs_tree *t, uint64_t ino)
{
	tfs_attr a;
	int error;

	if ((error = tree_getattr(&a, t, ino)) < 0)
		return error;
	if (S_ISDIR(a.mode))
		return tfs_error_set(TFS_EACCESS, "is a directory");
	if (!(a.mode & 0200))
		return tfs_error_set(TFS_EACCESS, "read-only file");
	return 0;
}

int file_may_write(tfs_tree *t, uint64_t ino)
{
	const struct node_ops *ops = node_kind(ino);

	return ops->may_write ? ops->may_write(t, ino) : may_write_mode(t, ino);
}

/* (mu held) */
static struct writer *writer_of(tfs_tree *t, uint64_t ino)
{
	struct writer *w;

	for (w = t->writers; w; w = w->next)
		if (w->ino == ino)
			return w;
	return NULL;
}

/* (mu held) Count an open writer of stored file `ino` (delta +1 or -1). */
static void count_writer(tfs_tree *t, uint64_t ino, int delta)
{
	struct writer *w = writer_of(t, ino), **pp;

	if (!w && delta > 0 && (w = calloc(1, sizeof(*w)))) {
		w->ino = ino;
		w->next = t->writers;
		t->writers = w;
	}
	if (!w)
		return;
	w->count += delta;
	if (w->count > 0)
		return;
	for (pp = &t->writers; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			free(w);
			return;
		}
}

void file_mark_dirty(tfs_tree *t, tfs_file *f, bool written)
{
	tree_lock(t);
	f->dirty = true;
	f->written = f->written || written;
	tree_unlock(t);
}

/* (mu held) Open memory node `m` (a temporary, new or dropped file). */
static void attach_mem(tfs_file *f, struct mem *m, int flags)
{
	f->mem = m;
	m->nopen++;
	if (flags & O_TRUNC) {
		tfs_buf_clear(&m->data);
		f->dirty = true;
	}
}

/*
 * A reader of a stored object whose pages the kernel may keep: the kernel
 * asks for content only if it has none.  The first open loads it to put
 * it into the page cache (push_content); later ones load it lazily.
 */
static int open_cached_reader(tfs_file *f, tfs_tree *t, bool *direct,
			      bool *keep)
{
	bool lazy;
	int error;

	if (!tfs_store_inst(t->st, INO_A(f->ino)))
		return TFS_ENOTFOUND;
	*keep = true;
	tree_lock(t);
	lazy = !t->nt.store || inoset_has(&t->pushed, f->ino);
	tree_unlock(t);
	if (lazy) {
		f->lazy = true;
		return 0;
	}
	if ((error = tree_content(&f->data, t, f->ino, direct)) < 0)
		return error;
	tree_lock(t);
	f->push = inoset_add(&t->pushed, f->ino) == 0;
	tree_unlock(t);
	return 0;
}

/* Load a stored or generated file's content into `f` (none for O_TRUNC,
 * which only learns whether the file is generated per open). */
static int open_stored(tfs_file *f, tfs_tree *t, int flags, bool *direct,
		       bool *keep)
{
	tfs_buf tmp = TFS_BUF_INIT;
	bool cached;
	int error;

	if (flags & O_TRUNC) {
		f->dirty = true;
		tree_content(&tmp, t, f->ino, direct);
		tfs_buf_free(&tmp);
	} else if ((error = tree_content(&f->data, t, f->ino, direct)) < 0 ||
		   (error = perm_filter_content(&f->data, t, &f->who, f->ino)) <
			   0) {
		return error;
	}
	tree_lock(t);
	if (INO_CLASS(f->ino) == C_OBJ) {
		if (f->writable) {
			count_writer(t, f->ino, +1);
			inoset_add(&t->touched, f->ino);
		} else if (writer_of(t, f->ino) || cache_stale(t, f->ino)) {
			/* A writer may make the kernel think the file is
			 * empty (O_TRUNC) while it writes: files that are
			 * being or have been written this mount are read
			 * around the page cache and its idea of the size. */
			*direct = true;
		}
	}
	cached = cache_stale(t, f->ino);
	tree_unlock(t);
	*keep = !*direct && !f->writable && !cached;
	return 0;
}

static int open_file(tfs_file **out, tfs_tree *t, uint64_t ino, int flags,
		     const tfs_caller *who, bool *direct, bool *keep)
{
	tfs_file *f;
	struct mem *m;
	bool reader = false;
	int error;

	*out = NULL;
	*direct = false;
	*keep = false;
	if (wants_write(flags) && (error = file_may_write(t, ino)) < 0)
		return error;
	if (!(f = calloc(1, sizeof(*f))))
		return tfs_error_set(TFS_ERROR, "out of memory");
	f->ino = ino;
	f->who = *who;
	f->writable = wants_write(flags);
	/* The kernel's idea of the size of a generated file may be stale;
	 * appends go to the end of what this file holds. */
	f->append = (flags & O_APPEND) != 0;
	tree_lock(t);
	m = INO_CLASS(ino) == C_MEM ? mem_by_ino(t, ino) : NULL;
	if (m && m->type != M_HIST && !(m->type == M_NEW && m->obj)) {
		attach_mem(f, m, flags);
		tree_unlock(t);
		*out = f;
		return 0;
	}
	if (m && m->type == M_NEW && m->obj) /* created, then stored */
		f->ino = INO(C_OBJ, m->inst, m->obj);
	if (!m && INO_CLASS(ino) == C_OBJ && !f->writable &&
	    !(flags & O_TRUNC) && !writer_of(t, ino) && !cache_stale(t, ino))
		reader = true;
	tree_unlock(t);
	error = reader ? open_cached_reader(f, t, direct, keep) :
			 open_stored(f, t, flags, direct, keep);
	if (error < 0) {
		tfs_buf_free(&f->data);
		free(f);
		return error;
	}
	*out = f;
	return 0;
}

/*
 * Put a reader's freshly loaded content into the kernel's page cache
 * (outside the lock: the kernel may wait for a read of the same pages).
 * A change committed meanwhile may have invalidated the inode before
 * these pages landed: invalidate it again.
 */
static void push_content(tfs_tree *t, tfs_file *f)
{
	tfs_tree_notify nt;

	tree_lock(t);
	nt = t->nt;
	tree_unlock(t);
	if (nt.store)
		nt.store(nt.ctx, f->ino, f->data.ptr ? f->data.ptr : "",
			 f->data.size);
	tree_lock(t);
	if (cache_stale(t, f->ino))
		inval_inode(t, f->ino);
	tree_unlock(t);
}

int tfs_tree_open(tfs_file **out, tfs_tree *t, uint64_t ino, int flags,
		  const tfs_caller *who, bool *direct, bool *keep)
{
	int error;

	/* Every open is checked, not only the lookup that found the inode
	 * (tree_perm.c): the kernel shares inodes between callers. */
	*out = NULL;
	if ((error = perm_caller_ino(t, who, ino)) < 0) {
		if (wants_write(flags) && ino == INO(C_GLOBAL, 0, G_STATUS))
			reject_status(t, who);
		request_end(t);
		return error;
	}
	if (IS_RUNNING_INO(ino)) {
		tfs_file *f = calloc(1, sizeof(*f));
		if (!f)
			return tfs_error_set(TFS_ERROR, "out of memory");
		f->ino = ino;
		f->who = *who;
		error = running_content(&f->data, t, ino);
		*direct = true;
		*keep = false;
		*out = f;
		return error;
	}
	error = open_file(out, t, ino, flags, who, direct, keep);
	request_end(t);
	if (error == 0 && (*out)->push)
		push_content(t, *out);
	return error;
}

/* ---- reading and writing ------------------------------------------------------------- */

static int read_range(tfs_buf *out, const tfs_buf *src, uint64_t off,
		      size_t size)
{
	size_t n;

	if (off >= src->size)
		return 0;
	n = src->size - (size_t)off;
	return tfs_buf_put(out, src->ptr + off, n < size ? n : size);
}

/* A lazy reader's first read loads the content (without the lock; two
 * reads racing load it twice and keep the first). */
static int load_lazy(tfs_tree *t, tfs_file *f)
{
	tfs_buf b = TFS_BUF_INIT;
	bool direct;
	int error;

	error = tree_content(&b, t, f->ino, &direct);
	request_end(t);
	tree_lock(t);
	if (error == 0 && f->lazy) {
		tfs_buf swap = f->data;
		f->data = b;
		b = swap;
		f->lazy = false;
	}
	tree_unlock(t);
	tfs_buf_free(&b);
	return error;
}

/* Read the spooled package of drop node `m`: its size under the lock,
 * its bytes without. */
static int read_drop(tfs_buf *out, tfs_tree *t, struct mem *m, uint64_t off,
		     size_t size)
{
	uint64_t have;
	ssize_t got;
	size_t n;

	tree_lock(t);
	have = m->size;
	tree_unlock(t);
	if (off >= have)
		return 0;
	n = have - (size_t)off < size ? have - (size_t)off : size;
	if (tfs_buf_grow(out, out->size + n) < 0)
		return TFS_ERROR;
	got = pread(m->fd, out->ptr + out->size, n, (off_t)off);
	if (got < 0)
		return tfs_error_set(TFS_ERROR, "read error");
	out->size += (size_t)got;
	return 0;
}

/*
 * f->mem and f->lazy change under the lock (a flush turns a new file into
 * a stored one; a first read loads a lazy one): read them under it.  A
 * reader's own content, once loaded, never changes and is read without.
 */
int tfs_file_read(tfs_buf *out, tfs_tree *t, tfs_file *f, uint64_t off,
		  size_t size)
{
	struct mem *m;
	bool lazy;
	int error;

	tree_lock(t);
	m = f->mem;
	lazy = f->lazy;
	tree_unlock(t);
	if (lazy && (error = load_lazy(t, f)) < 0)
		return error;
	if (!m && !f->writable)
		return read_range(out, &f->data, off, size);
	if (m && m->type == M_DROP)
		return read_drop(out, t, m, off, size);
	tree_lock(t);
	error = read_range(out, f->mem ? &f->mem->data : &f->data, off, size);
	tree_unlock(t);
	return error;
}

/* Refused before anything is allocated: a write far past the end (dd
 * seek=3G) must not make the daemon allocate what it would refuse.  `max`
 * is the store's object_max (console.conf). */
static int too_big(uint64_t size, uint64_t max)
{
	return tfs_error_set(TFS_ETOOBIG,
			     "%llu bytes: a file may hold at "
			     "most %llu bytes (object_max in console.conf)",
			     (unsigned long long)size, (unsigned long long)max);
}

static int buf_write(tfs_buf *b, uint64_t off, const char *data, size_t len,
		     uint64_t max)
{
	size_t end;

	if (off > max || len > max - off)
		return too_big(off + len, max);
	end = (size_t)off + len;
	if (tfs_buf_grow(b, end) < 0)
		return TFS_ERROR;
	if (off > b->size)
		memset(b->ptr + b->size, 0, (size_t)off - b->size);
	memcpy(b->ptr + off, data, len);
	if (end > b->size) {
		b->size = end;
		b->ptr[end] = '\0';
	}
	return 0;
}

int buf_truncate(tfs_buf *b, uint64_t size, uint64_t max)
{
	if (size > b->size) {
		if (size > max)
			return too_big(size, max);
		if (tfs_buf_grow(b, size) < 0)
			return TFS_ERROR;
		memset(b->ptr + b->size, 0, (size_t)size - b->size);
	}
	b->size = (size_t)size;
	if (b->ptr)
		b->ptr[b->size] = '\0';
	return 0;
}

/* A dropped package could not be spooled: errno `e`. */
int spool_failed(int e)
{
	return tfs_error_set(e == ENOSPC ? TFS_ENOSPC : TFS_ERROR,
			     "cannot "
			     "spool the package: %s",
			     strerror(e));
}

/* Spool bytes of a dropped package (I/O without the lock). */
static int write_drop(tfs_tree *t, tfs_file *f, uint64_t off, const char *data,
		      size_t len)
{
	struct mem *m = f->mem; /* a drop node: fixed */
	ssize_t put = pwrite(m->fd, data, len, (off_t)off);

	/* A short write is a full disk too (the next one says ENOSPC).  The
	 * package is then never imported: its close fails the same way. */
	if (put != (ssize_t)len) {
		int e = put >= 0 || errno == EDQUOT ? ENOSPC : errno;

		tree_lock(t);
		if (!f->spool_errno)
			f->spool_errno = e;
		f->dirty = f->written = true; /* so that close reports it */
		tree_unlock(t);
		return spool_failed(e);
	}
	tree_lock(t);
	if (off + len > m->size)
		m->size = off + len;
	f->dirty = f->written = true;
	tree_unlock(t);
	return 0;
}

/* The drop node `f` writes to, if it is a dropped package (drop nodes
 * never leave their file). */
static struct mem *drop_of(tfs_tree *t, tfs_file *f)
{
	struct mem *m;

	tree_lock(t);
	m = f->mem && f->mem->type == M_DROP ? f->mem : NULL;
	tree_unlock(t);
	return m;
}

void reject_too_big(tfs_tree *t, uint64_t ino, const char *name,
		    const tfs_caller *who)
{
	const struct node_ops *ops = node_kind(ino);
	char path[600] = "", reason[512];

	snprintf(reason, sizeof(reason), "%s", tfs_error_last());
	if (name && name[0])
		snprintf(path, sizeof(path), "%s", name);
	else if (ops->describe)
		ops->describe(path, sizeof(path), t, ino);
	reject(t, owner(t, ino), who, path[0] ? path : "(a file)", reason);
	tfs_error_set(TFS_ETOOBIG, "%s", reason);
}

/* reject_too_big() for open file `f`, once (a tool that goes on writing
 * is refused each time, logged once). */
static void log_too_big(tfs_tree *t, tfs_file *f)
{
	char name[256] = "";
	uint64_t ino;
	bool logged;

	tree_lock(t);
	logged = f->toobig_logged;
	f->toobig_logged = true;
	ino = f->ino;
	if (f->mem) {
		snprintf(name, sizeof(name), "%s",
			 f->mem->name ? f->mem->name : "");
		ino = f->mem->parent;
	}
	tree_unlock(t);
	if (!logged)
		reject_too_big(t, ino, name, &f->who);
}

int tfs_file_write(tfs_tree *t, tfs_file *f, uint64_t off, const char *data,
		   size_t len)
{
	uint64_t max = tfs_store_object_max(t->st);
	int error;

	if (!f->writable)
		return tfs_error_set(TFS_EACCESS, "not open for writing");
	if (drop_of(t, f))
		return write_drop(t, f, off, data, len);
	tree_lock(t);
	if (f->mem) {
		if (f->append)
			off = f->mem->data.size;
		error = buf_write(&f->mem->data, off, data, len, max);
		f->mem->mtime = tfs_now();
	} else {
		if (f->append)
			off = f->data.size;
		error = buf_write(&f->data, off, data, len, max);
		/* status takes only fix: anything else fails at once */
		if (!error && f->ino == INO(C_GLOBAL, 0, G_STATUS))
			error = tfs_store_status_check(f->data.ptr,
						       f->data.size);
	}
	if (!error)
		f->dirty = f->written = true;
	tree_unlock(t);
	if (error == TFS_ETOOBIG)
		log_too_big(t, f);
	return error;
}

int tfs_file_truncate(tfs_tree *t, tfs_file *f, uint64_t size)
{
	struct mem *m;
	int error;

	if (!f->writable)
		return tfs_error_set(TFS_EACCESS, "not open for writing");
	if ((m = drop_of(t, f))) {
		if (ftruncate(m->fd, (off_t)size) < 0)
			return tfs_error_set(TFS_ERROR, "truncate: %s",
					     strerror(errno));
		tree_lock(t);
		m->size = size;
		f->dirty = f->written = true;
		tree_unlock(t);
		return 0;
	}
	tree_lock(t);
	error = buf_truncate(f->mem ? &f->mem->data : &f->data, size,
			     tfs_store_object_max(t->st));
	if (!error)
		f->dirty = f->written = true;
	tree_unlock(t);
	if (error == TFS_ETOOBIG)
		log_too_big(t, f);
	return error;
}

/* ---- flush and release ----------------------------------------------------------------- */

/* A new file was stored: further writes through `f` update the object;
 * they start from what was stored. */
static void reopen_stored(tfs_tree *t, tfs_file *f, struct mem *m)
{
	tfs_buf b = TFS_BUF_INIT;
	uint64_t ino;
	bool direct;

	tree_lock(t);
	ino = INO(C_OBJ, m->inst, m->obj);
	tree_unlock(t);
	tree_content(&b, t, ino, &direct);
	tree_lock(t);
	f->mem = NULL;
	m->nopen--;
	mem_maybe_free(t, m);
	f->ino = ino;
	count_writer(t, ino, +1);
	tfs_buf_free(&f->data);
	f->data = b;
	tree_unlock(t);
}

/*
 * Commit what `f` holds.  A file only truncated by its open (O_TRUNC) and
 * not written yet is left alone until its last close (`final`): a shell
 * opening `> file` for a command closes one descriptor after dup2() before
 * the command writes through the other, and that first close must not
 * store an empty file.  A stored file a write past object_max was refused
 * for keeps what it holds: the part written before is never stored (a
 * new file's is, and is refused as the document it is not).
 */
static int flush_file(tfs_tree *t, tfs_file *f, bool final)
{
	tfs_buf data = TFS_BUF_INIT;
	struct mem *m;
	bool stored;
	int error = 0, spool_errno;

	tree_lock(t);
	if (!f->dirty || (!final && !f->written)) {
		tree_unlock(t);
		return 0;
	}
	f->dirty = false;
	if (f->toobig_logged && !f->mem) {
		tree_unlock(t);
		return tfs_error_set(TFS_ETOOBIG, "not stored: a write past "
						  "object_max was refused");
	}
	m = f->mem;
	spool_errno = f->spool_errno;
	if (!m)
		error = tfs_buf_put(&data, f->data.ptr ? f->data.ptr : "",
				    f->data.size);
	tree_unlock(t);
	if (m && m->type == M_SCRATCH)
		return 0;
	if (m && m->type == M_DROP)
		return run_import(t, m, &f->who, spool_errno);
	if (m && !m->inst) /* M_NEW in users/ or servers/ */
		return commit_new_user(t, m, &f->who);
	if (m) { /* M_NEW */
		if ((error = commit_new(t, m, &f->who)) < 0)
			return error;
		tree_lock(t);
		stored = m->obj != 0;
		tree_unlock(t);
		if (stored)
			reopen_stored(t, f, m);
		return 0;
	}
	if (error == 0)
		error = commit_stored(t, f->ino, data.ptr ? data.ptr : "",
				      data.size, &f->who);
	tfs_buf_free(&data);
	return error;
}

int tfs_file_flush(tfs_tree *t, tfs_file *f)
{
	bool dirty;
	int error;

	tree_lock(t);
	dirty = f->dirty;
	tree_unlock(t);
	if (!dirty)
		return 0; /* readers never wait for a running import */
	error = flush_file(t, f, false);
	request_end(t);
	return error;
}

/* Close `f` (a writer or a memory file: flushed one last time). */
/* Past this size, closing a written file returns freed memory to the
 * system (malloc_trim). */
#define LARGE_FILE ((size_t)1 << 20)

static void release_file(tfs_tree *t, tfs_file *f)
{
	/* Normally flushed already; a last chance for writers that never
	 * flushed or only truncated (the result is logged, not
	 * returned). */
	bool large;

	flush_file(t, f, true);
	tree_lock(t);
	large = (f->mem ? f->mem->data.size : f->data.size) > LARGE_FILE;
	if (f->writable && !f->mem && INO_CLASS(f->ino) == C_OBJ)
		count_writer(t, f->ino, -1);
	if (f->mem) {
		f->mem->nopen--;
		mem_maybe_free(t, f->mem);
	}
	tree_unlock(t);
	tfs_buf_free(&f->data);
	free(f);
	/* A large save's parse trees and copies went back to malloc's
	 * heap; give that memory back to the system, so that one 50 MB
	 * object does not keep the daemon large until unmount. */
	if (large)
		malloc_trim(0);
}

void tfs_file_release(tfs_tree *t, tfs_file *f)
{
	if (!f)
		return;
	if (f->writable || f->mem) {
		release_file(t, f);
		request_end(t);
		return;
	}
	tfs_buf_free(&f->data);
	free(f);
}

/* ---- helpers for tree_names.c ------------------------------------------------------------ */

int file_open(tfs_file **out, tfs_tree *t, uint64_t ino, int flags,
	      const tfs_caller *who)
{
	bool direct, keep;

	return open_file(out, t, ino, flags, who, &direct, &keep);
}

/* (mu held) A file open on new memory node `m`. */
tfs_file *file_open_mem(struct mem *m, int flags, const tfs_caller *who,
			bool dirty)
{
	tfs_file *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->ino = m->ino;
	f->who = *who;
	f->writable = wants_write(flags);
	f->append = (flags & O_APPEND) != 0;
	attach_mem(f, m, flags);
	f->dirty = f->dirty || dirty;
	return f;
}

void file_discard(tfs_tree *t, tfs_file *f)
{
	tree_lock(t);
	f->dirty = false;
	tree_unlock(t);
	release_file(t, f);
}
