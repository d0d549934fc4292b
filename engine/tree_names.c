/*
 * Names: the changes users make with ordinary tools: create, unlink,
 * rename, mkdir, rmdir, truncate(2) and touch.
 *
 * Names that are not stored files in a writable directory (vim's 4913 and
 * .swp, sed's sedXXXXXX, x~) are temporary files that live in memory only.
 * Renaming a stored file to such a name (vim's backup) hides it until it
 * is saved again; removing the moved-aside copy while the name is still
 * vacant deletes the object.
 *
 * What a name means is decided by its directory's kind (the target
 * operation), from engine reads made without the tree's lock: a snapshot.
 * Each function re-checks the memory nodes and hidden names it relies on
 * when it re-takes the lock after an engine call, and leaves to the
 * engine, which serializes writes per instance, the judgement of the
 * stored state (a name created meanwhile is updated, not created twice).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "tree_internal.h"
#include "tenantfs/error.h"

/* ---- where a write goes ----------------------------------------------------------- */

void target_plain_dir(struct target *tg, tfs_tree *t, uint64_t parent,
		      const char *name)
{
	tfs_attr a;

	if (tree_lookup(&a, t, parent, name) == 0) {
		if (S_ISREG(a.mode) && (a.mode & 0200)) {
			tg->kind = TG_STORED;
			tg->ino = a.ino;
		}
		return;
	}
	if (has_suffix(name, ".conf") && name[0] != '.') {
		tg->error = tfs_error_set(TFS_EACCESS,
					  "%s: new entries "
					  "cannot be created this way",
					  name);
		return;
	}
	tg->kind = TG_SCRATCH;
}

/*
 * What writing `name` in directory `parent` means.  Existing temporary
 * names are handled by the callers (they are in memory).
 */
static void classify(struct target *tg, tfs_tree *t, uint64_t parent,
		     const char *name)
{
	const struct node_ops *ops = node_kind(parent);
	size_t n = strlen(name);
	struct hidden *h;

	memset(tg, 0, sizeof(*tg));
	tg->kind = TG_NONE;
	tg->error = tfs_error_set(TFS_EACCESS, "%s cannot be written here",
				  name);
	if (n == 0 || n > 255 || strchr(name, '/'))
		return;
	if (in_history(t, parent)) {
		tg->error = tfs_error_set(TFS_ELOCKED, "history is read-only");
		return;
	}
	tree_lock(t);
	if ((h = hidden_find(t, parent, name))) {
		tg->kind = TG_STORED;
		tg->ino = h->ino;
	}
	tree_unlock(t);
	if (tg->kind == TG_STORED)
		return;
	if (ops->target)
		ops->target(tg, t, parent, name);
}

/* ---- create ------------------------------------------------------------------------- */

/* Make memory node `name` of `type` in `parent` and open it; a node made
 * there by another thread meanwhile: 1 (the caller opens that one). */
static int create_mem(tfs_file **out, tfs_attr *attr, tfs_tree *t,
		      uint64_t parent, const char *name, enum mem_type type,
		      const struct target *tg, int fd, const char *tmp,
		      int flags, const tfs_caller *who)
{
	struct mem *m;
	int error = 0;

	tree_lock(t);
	if (mem_by_name(t, parent, name)) {
		tree_unlock(t);
		return 1;
	}
	if (!(m = mem_new(t, type, parent, name))) {
		tree_unlock(t);
		return TFS_ERROR;
	}
	m->inst = tg->in ? tfs_inst_id(tg->in) : 0;
	if (type == M_NEW) {
		m->kind = tg->okind;
		snprintf(m->type_name, sizeof(m->type_name), "%s", tg->type);
	}
	if (type == M_DROP) {
		m->fd = fd;
		m->tmp = strdup(tmp);
		m->n = (int)INO_B(parent);
	}
	/* A new object is stored when the creator closes it, even empty
	 * (touch): an empty document is then rejected. */
	if ((type == M_DROP && !m->tmp) ||
	    !(*out = file_open_mem(m, flags, who, type == M_NEW))) {
		error = tfs_error_set(TFS_ERROR, "out of memory");
		/* the caller closes and removes the spool file */
		free(m->tmp);
		m->tmp = NULL;
		m->fd = -1;
		mem_unlink(t, m);
	} else {
		mem_attr_locked(attr, m);
	}
	tree_unlock(t);
	return error;
}

/* A package dropped into apply/ and the like: spooled to disk, not
 * memory (packages can be large). */
static int create_drop(tfs_file **out, tfs_attr *attr, tfs_tree *t,
		       uint64_t parent, const char *name,
		       const struct target *tg, int flags,
		       const tfs_caller *who)
{
	char tmp[4200], user[64];
	int fd, error;

	if (!tg->in)
		return TFS_ENOTFOUND;
	/* Refused at the open, with the reason in the log, when the
	 * tenant's development project is disabled (no packages). */
	user_of(t, who, user);
	if (IS_PACKAGE_DROP(INO_B(parent)) &&
	    (error = inst_check_packages(tg->in, user)) < 0)
		return error;
	snprintf(tmp, sizeof(tmp), "%s/tmp/drop-XXXXXX", tfs_store_path(t->st));
	if ((fd = mkstemp(tmp)) < 0)
		return tfs_error_set(TFS_ERROR,
				     "cannot spool the package: "
				     "%s",
				     strerror(errno));
	error = create_mem(out, attr, t, parent, name, M_DROP, tg, fd, tmp,
			   flags, who);
	if (error) { /* the node, if made, was freed without its spool */
		close(fd);
		unlink(tmp);
		return error;
	}
	/* Dropped even if nothing is written: its last close runs it, and
	 * an empty package or request is refused like any other bad one.
	 * cp of an empty file (O_EXCL, no write) is run by its first
	 * close, which cp waits for; a shell's `> file` (O_TRUNC, closed
	 * once after dup2 before anything is written) is not. */
	file_mark_dirty(t, *out, (flags & O_EXCL) != 0);
	return 0;
}

/* O_CREAT of an existing memory node or stored file: open it. */
static int create_existing(tfs_file **out, tfs_attr *attr, tfs_tree *t,
			   uint64_t ino, const char *name, bool stored,
			   int flags, const tfs_caller *who)
{
	int error;

	if (flags & O_EXCL)
		return tfs_error_set(TFS_EEXISTS, "%s exists", name);
	if ((error = file_open(out, t, ino, flags | O_TRUNC, who)) < 0)
		return error;
	if ((error = tree_getattr(attr, t, ino)) < 0)
		return error;
	if (stored) {
		attr->size = 0;
		attr->volatile_entry = true;
	}
	return 0;
}

/* A new users/<login>.conf: refused at the open (and recorded) unless
 * the caller may create users; the store checks again when it is saved. */
static int may_create_user(tfs_tree *t, const char *name, const tfs_caller *who)
{
	tfs_user_row row = { .login = name, .uid = -1 };
	char path[300], reason[512];
	tfs_user u;
	int error;

	if ((error = caller_user(&u, t, who)) < 0)
		return error;
	if ((error = tfs_perm_user_create(&u, &row)) < 0) {
		snprintf(reason, sizeof(reason), "%s", tfs_error_last());
		snprintf(path, sizeof(path), "users/%s", name);
		reject(t, NULL, who, path, reason);
		return tfs_error_set(error, "%s", reason);
	}
	return 0;
}

static int create_new(tfs_file **out, tfs_attr *attr, tfs_tree *t,
		      uint64_t parent, const char *name, int flags,
		      const tfs_caller *who)
{
	struct target tg;
	int error;

	classify(&tg, t, parent, name);
	switch (tg.kind) {
	case TG_NONE:
		return tfs_error_set(tg.error, "%s", tfs_error_last());
	case TG_STORED:
		/* Re-creating a hidden name (vim's write after its backup
		 * rename) or O_CREAT on an existing file. */
		return create_existing(out, attr, t, tg.ino, name, true,
				       flags & ~O_EXCL, who);
	case TG_DROP:
		return create_drop(out, attr, t, parent, name, &tg, flags, who);
	case TG_NEW:
		if (!tg.in && parent == INO(C_GLOBAL, 0, G_USERS) &&
		    (error = may_create_user(t, name, who)) < 0)
			return error;
		if (tg.in && in_locked_dir(tg.in, tg.okind, tg.type))
			return tfs_error_set(TFS_ELOCKED,
					     "metadata of %s/%s "
					     "is locked",
					     tfs_inst_tenant(tg.in),
					     tfs_inst_name(tg.in));
		error = create_mem(out, attr, t, parent, name, M_NEW, &tg, -1,
				   NULL, flags, who);
		return error;
	case TG_SCRATCH:
		return create_mem(out, attr, t, parent, name, M_SCRATCH, &tg,
				  -1, NULL, flags, who);
	}
	return TFS_ERROR;
}

int tfs_tree_create(tfs_file **out, tfs_attr *attr, tfs_tree *t,
		    uint64_t parent, const char *name, mode_t mode, int flags,
		    const tfs_caller *who)
{
	struct mem *m;
	uint64_t ino = 0;
	int error = 1, tries;

	*out = NULL;
	if ((error = perm_caller_ino(t, who, parent)) < 0 ||
	    (error = perm_caller_root(t, who, parent)) < 0) {
		request_end(t);
		return error;
	}
	error = 1;
	/* 1: another thread made the name a memory node meanwhile */
	for (tries = 0; error == 1 && tries < 3; tries++) {
		tree_lock(t);
		if ((m = mem_by_name(t, parent, name)))
			ino = m->ino;
		tree_unlock(t);
		error = m ? create_existing(out, attr, t, ino, name, false,
					    flags, who) :
			    create_new(out, attr, t, parent, name, flags, who);
	}
	if (error == 1)
		error = tfs_error_set(TFS_EBUSY, "%s is changing", name);
	if (!error && INO_CLASS(attr->ino) == C_MEM) {
		tree_lock(t);
		if ((m = mem_by_ino(t, attr->ino)))
			m->nlookup++;
		tree_unlock(t);
	}
	if (error && *out) {
		file_discard(t, *out);
		*out = NULL;
	}
	request_end(t);
	return error;
}

/* ---- touch, truncate ------------------------------------------------------------------ */

int tfs_tree_touch(tfs_tree *t, uint64_t ino)
{
	if (in_history(t, ino))
		return tfs_error_set(TFS_ELOCKED, "history is read-only");
	return 0;
}

int tfs_tree_truncate(tfs_tree *t, uint64_t ino, uint64_t size,
		      const tfs_caller *who)
{
	tfs_buf b = TFS_BUF_INIT;
	char name[256];
	uint64_t parent;
	struct mem *m;
	bool direct;
	int error;

	if ((error = perm_caller_ino(t, who, ino)) < 0)
		goto done;
	tree_lock(t);
	if ((m = mem_by_ino(t, ino)) && m->type != M_HIST &&
	    !(m->type == M_NEW && m->obj)) {
		error = buf_truncate(&m->data, size,
				     tfs_store_object_max(t->st));
		snprintf(name, sizeof(name), "%s", m->name ? m->name : "");
		parent = m->parent;
		tree_unlock(t);
		if (error == TFS_ETOOBIG)
			reject_too_big(t, parent, name, who);
		goto done;
	}
	if (m && m->type == M_NEW && m->obj)
		ino = INO(C_OBJ, m->inst, m->obj);
	tree_unlock(t);
	if ((error = file_may_write(t, ino)) < 0 ||
	    (error = tree_content(&b, t, ino, &direct)) < 0)
		goto done;
	if (b.size == size)
		goto done;
	if ((error = buf_truncate(&b, size, tfs_store_object_max(t->st))) < 0) {
		if (error == TFS_ETOOBIG)
			reject_too_big(t, ino, NULL, who);
		goto done;
	}
	error = commit_stored(t, ino, b.ptr ? b.ptr : "", b.size, who);
done:
	request_end(t);
	tfs_buf_free(&b);
	return error;
}

/* ---- unlink --------------------------------------------------------------------------- */

/*
 * Remove memory node `m` (pinned), named `name` in `parent`.  If it is
 * the moved-aside copy of a stored object whose name is still vacant
 * (hidden), the user moved the object away and deleted it: delete it.
 * After the delete the hidden entry and the node are looked up again: a
 * save meanwhile may have shown the name again, a rename may have moved
 * the node.
 */
static int unlink_mem(tfs_tree *t, struct mem *m, uint64_t parent,
		      const char *name, const tfs_caller *who)
{
	struct hidden *h;
	uint64_t aside = 0;
	char user[64];
	int error = 0;

	tree_lock(t);
	for (h = t->hidden; m->aside_of && h; h = h->next)
		if (h->ino == m->aside_of) {
			aside = h->ino;
			break;
		}
	tree_unlock(t);
	if (aside && INO_CLASS(aside) == C_OBJ) {
		tfs_inst *in = owner(t, aside);
		user_of(t, who, user);
		claim(t, aside);
		error = in ? tfs_inst_delete(in, user, INO_B(aside)) :
			     TFS_ENOTFOUND;
	}
	tree_lock(t);
	if (error == 0 && aside && INO_CLASS(aside) == C_OBJ) {
		for (h = t->hidden; h; h = h->next)
			if (h->ino == aside) {
				hidden_drop(t, h);
				break;
			}
	}
	if (error == 0 && m->linked && m->parent == parent &&
	    strcmp(m->name, name) == 0)
		mem_unlink(t, m);
	m->pins--;
	mem_maybe_free(t, m);
	tree_unlock(t);
	if (aside && INO_CLASS(aside) == C_OBJ)
		unclaim(t, aside);
	return error;
}

int tfs_tree_unlink(tfs_tree *t, uint64_t parent, const char *name,
		    const tfs_caller *who)
{
	const struct node_ops *ops = node_kind(parent);
	struct mem *m;
	bool hist = false;
	char user[64];
	tfs_attr a;
	tfs_user u;
	int error;

	if ((error = caller_user(&u, t, who)) < 0 ||
	    (error = perm_ino(t, &u, parent)) < 0)
		goto done;
	tree_lock(t);
	if ((m = mem_by_name(t, parent, name))) {
		hist = m->type == M_HIST;
		m->pins++;
	}
	tree_unlock(t);
	if (m && hist) {
		mem_unpin(t, m);
		error = tfs_error_set(TFS_ELOCKED, "history is read-only");
		goto done;
	}
	if (m) {
		error = unlink_mem(t, m, parent, name, who);
		goto done;
	}
	if ((error = tree_lookup(&a, t, parent, name)) < 0)
		goto done;
	user_of(t, who, user);
	claim(t, a.ino);
	if (ops->unlink_as)
		error = ops->unlink_as(t, parent, &a, name, &u);
	else
		error = ops->unlink ? ops->unlink(t, parent, &a, name, user) :
				      1;
	unclaim(t, a.ino);
	if (error == 1)
		error = in_history(t, parent) ?
				tfs_error_set(TFS_ELOCKED,
					      "history is read-only") :
				tfs_error_set(TFS_EACCESS,
					      "%s cannot be removed", name);
done:
	request_end(t);
	return error;
}

/* ---- rename ------------------------------------------------------------------------------ */

static int refuse_target(const struct target *to)
{
	if (to->kind == TG_DROP)
		return tfs_error_set(TFS_EACCESS, "copy packages into this "
						  "directory");
	return to->error;
}

/* Save `data` as new object `newname` (a temporary file renamed onto an
 * object name that is not stored). */
static int save_new(tfs_tree *t, const struct target *to, const char *newname,
		    const tfs_buf *data, const tfs_caller *who)
{
	char base[256], user[64], reason[512];
	int error;

	if (!to->in) /* users/, servers/: created by cp or by writing */
		return tfs_error_set(TFS_EACCESS,
				     "%s: create it by writing "
				     "it, not by renaming",
				     newname);
	if (in_locked_dir(to->in, to->okind, to->type))
		return tfs_error_set(TFS_ELOCKED, "metadata is locked");
	user_of(t, who, user);
	object_file_name(base, newname);
	error = tfs_inst_save(NULL, to->in, user, to->okind, to->type, base,
			      data->ptr ? data->ptr : "", data->size);
	if (error < 0) {
		snprintf(reason, sizeof(reason), "%s", tfs_error_last());
		reject(t, to->in, who, newname, reason);
		return tfs_error_set(error, "%s", reason);
	}
	return 0;
}

/*
 * Rename memory node `src` (pinned) to `newname`, a stored or new object
 * name: its bytes are saved (from a copy, without the lock), then the
 * temporary name and any node holding `newname` go, looked up again since
 * the save: the kernel now maps `newname` to the temporary inode; entries
 * of temporary files are never cached, so the next lookup finds the
 * stored file.
 */
static int rename_mem_save(tfs_tree *t, struct mem *src, uint64_t parent,
			   const char *name, const char *newname,
			   const struct target *to, const tfs_caller *who)
{
	tfs_buf data = TFS_BUF_INIT;
	struct hidden *h;
	struct mem *dst;
	int error;

	tree_lock(t);
	error = tfs_buf_put(&data, src->data.ptr ? src->data.ptr : "",
			    src->data.size);
	tree_unlock(t);
	if (error == 0)
		error = to->kind == TG_STORED ?
				commit_stored(t, to->ino,
					      data.ptr ? data.ptr : "",
					      data.size, who) :
				save_new(t, to, newname, &data, who);
	tfs_buf_free(&data);
	if (error < 0)
		return error;
	tree_lock(t);
	if ((h = hidden_find(t, parent, newname)))
		hidden_drop(t, h);
	if ((dst = mem_by_name(t, parent, newname)) && dst != src)
		mem_unlink(t, dst);
	if (src->linked && src->parent == parent &&
	    strcmp(src->name, name) == 0)
		mem_unlink(t, src);
	inval_entry(t, parent, newname);
	tree_unlock(t);
	return 0;
}

/* Rename memory node `name` (src, pinned) within `parent`. */
static int rename_mem(tfs_tree *t, struct mem *src, uint64_t parent,
		      const char *name, const char *newname,
		      const struct target *to, const tfs_caller *who)
{
	struct mem *dst;
	int error = 0;

	tree_lock(t);
	if (src->type == M_HIST)
		error = tfs_error_set(TFS_ELOCKED, "history is read-only");
	else if ((src->type == M_NEW && !src->obj) || src->type == M_DROP)
		error = tfs_error_set(TFS_EBUSY, "%s is still being written",
				      name);
	else if (to->kind == TG_SCRATCH) {
		if ((dst = mem_by_name(t, parent, newname)))
			mem_unlink(t, dst);
		error = src->linked ?
				mem_rename(t, src, parent, newname) :
				tfs_error_set(TFS_ENOTFOUND, "no %s", name);
		tree_unlock(t);
		return error;
	} else if (to->kind != TG_STORED && to->kind != TG_NEW) {
		error = refuse_target(to);
	}
	tree_unlock(t);
	if (error < 0)
		return error;
	return rename_mem_save(t, src, parent, name, newname, to, who);
}

/*
 * Move stored file `ino` aside to temporary name `newname` (vim's
 * backup): a temporary copy; the stored file stays stored but hidden
 * until saved again.  Its bytes are read first, without the lock; a file
 * hidden meanwhile by another rename is not there any more.
 */
static int move_aside(tfs_tree *t, uint64_t ino, uint64_t parent,
		      const char *name, const char *newname)
{
	tfs_buf b = TFS_BUF_INIT;
	struct hidden *h = NULL;
	struct mem *m, *dst;
	bool direct;
	int error;

	if ((error = tree_content(&b, t, ino, &direct)) < 0)
		return error;
	tree_lock(t);
	if (hidden_find(t, parent, name)) {
		error = tfs_error_set(TFS_ENOTFOUND, "no %s", name);
		goto done;
	}
	if ((dst = mem_by_name(t, parent, newname)))
		mem_unlink(t, dst);
	h = calloc(1, sizeof(*h));
	if (!h || !(h->name = strdup(name)) ||
	    !(m = mem_new(t, M_SCRATCH, parent, newname))) {
		if (h)
			free(h->name);
		free(h);
		error = tfs_error_set(TFS_ERROR, "out of memory");
		goto done;
	}
	m->data = b;
	b = (tfs_buf)TFS_BUF_INIT;
	m->aside_of = ino;
	h->parent = parent;
	h->ino = ino;
	h->next = t->hidden;
	t->hidden = h;
	inval_entry(t, parent, newname);
done:
	tree_unlock(t);
	tfs_buf_free(&b);
	return error;
}

/* Rename stored file `from` (claimed) from `name` to `newname`. */
static int rename_claimed(tfs_tree *t, const struct target *from,
			  uint64_t parent, const char *name,
			  const char *newname, const struct target *to,
			  const tfs_caller *who)
{
	char user[64], base[256];
	struct hidden *h;
	int error;

	if (INO_CLASS(from->ino) == C_OBJ &&
	    (error = file_may_write(t, from->ino)) < 0)
		return error;
	if (to->kind == TG_SCRATCH)
		return move_aside(t, from->ino, parent, name, newname);
	if (to->kind != TG_NEW && to->kind != TG_STORED)
		return refuse_target(to);
	if (INO_CLASS(from->ino) != C_OBJ ||
	    (to->kind == TG_STORED && INO_CLASS(to->ino) != C_OBJ))
		return tfs_error_set(TFS_EACCESS, "%s cannot be renamed", name);
	user_of(t, who, user);
	object_file_name(base, newname);
	if ((error = tfs_inst_rename(from->in, user, INO_B(from->ino), base)) <
	    0)
		return error;
	tree_lock(t);
	if ((h = hidden_find(t, parent, newname)))
		hidden_drop(t, h);
	inval_entry(t, parent, newname);
	tree_unlock(t);
	return 0;
}

/* Rename stored file `name` within `parent`. */
static int rename_stored(tfs_tree *t, uint64_t parent, const char *name,
			 const char *newname, const struct target *to,
			 const tfs_caller *who)
{
	struct target from;
	struct hidden *h;
	tfs_attr a;
	int error;

	classify(&from, t, parent, name);
	tree_lock(t);
	h = hidden_find(t, parent, name);
	tree_unlock(t);
	if (from.kind != TG_STORED || h) {
		if (tree_lookup(&a, t, parent, name) < 0)
			return tfs_error_set(TFS_ENOTFOUND, "no %s", name);
		if (in_history(t, parent))
			return tfs_error_set(TFS_ELOCKED, "history is "
							  "read-only");
		return tfs_error_set(TFS_EACCESS, "%s cannot be renamed", name);
	}
	claim(t, from.ino);
	error = rename_claimed(t, &from, parent, name, newname, to, who);
	unclaim(t, from.ino);
	return error;
}

int tfs_tree_rename(tfs_tree *t, uint64_t parent, const char *name,
		    uint64_t newparent, const char *newname, unsigned int flags,
		    const tfs_caller *who)
{
	struct target to;
	struct mem *src, *dst;
	int error;

	if (parent != newparent)
		return tfs_error_set(TFS_ENOTSUP, "rename across directories");
	if (flags & RENAME_EXCHANGE)
		return tfs_error_set(TFS_EINVALID, "exchange not supported");
	if ((error = perm_caller_ino(t, who, parent)) < 0 ||
	    (error = perm_caller_root(t, who, parent)) < 0) {
		request_end(t);
		return error;
	}
	if (strcmp(name, newname) == 0)
		return 0;
	classify(&to, t, parent, newname);
	tree_lock(t);
	src = mem_by_name(t, parent, name);
	dst = mem_by_name(t, parent, newname);
	if (src)
		src->pins++;
	tree_unlock(t);
	if ((flags & RENAME_NOREPLACE) && (dst || to.kind == TG_STORED))
		error = tfs_error_set(TFS_EEXISTS, "%s exists", newname);
	else if (src)
		error = rename_mem(t, src, parent, name, newname, &to, who);
	else
		error = rename_stored(t, parent, name, newname, &to, who);
	mem_unpin(t, src);
	request_end(t);
	return error;
}

/* ---- mkdir, rmdir ------------------------------------------------------------------------- */

/* mkdir and rmdir in `parent`: only where the caller may reach, and
 * tenants are made and removed by administrators only. */
/* Whether directory `parent` is landscapes/ or below it. */
static bool in_landscapes(uint64_t parent)
{
	return parent == INO(C_GLOBAL, 0, G_LANDSCAPES) ||
	       INO_CLASS(parent) == C_GROUP || INO_CLASS(parent) == C_LAND;
}

static int may_make_dir(tfs_tree *t, const tfs_caller *who, uint64_t parent)
{
	tfs_user u;
	int error;

	if ((error = caller_user(&u, t, who)) < 0)
		return error;
	if ((error = perm_ino(t, &u, parent)) < 0) {
		/* a kernel that cached a path under landscapes/ for an
		 * administrator may send another caller's mkdir here */
		if (in_landscapes(parent))
			reject(t, NULL, who, "landscapes/", tfs_error_last());
		return error;
	}
	if (parent == INO(C_GLOBAL, 0, G_TENANTS) && !u.admin) {
		tfs_error_set(TFS_EACCESS,
			      "%s: only administrators create "
			      "and remove tenants",
			      u.login);
		reject(t, NULL, who, "tenants/", tfs_error_last());
		return tfs_error_set(TFS_EACCESS, "only administrators "
						  "create and remove tenants");
	}
	return 0;
}

int tfs_tree_mkdir(tfs_attr *out, tfs_tree *t, uint64_t parent,
		   const char *name, const tfs_caller *who)
{
	const struct node_ops *ops = node_kind(parent);
	char user[64];
	int error;

	user_of(t, who, user);
	if ((error = may_make_dir(t, who, parent)) < 0)
		;
	else if (in_history(t, parent))
		error = tfs_error_set(TFS_ELOCKED, "history is read-only");
	else if (tree_lookup(out, t, parent, name) == 0) {
		error = tfs_error_set(TFS_EEXISTS, "%s exists", name);
		if (in_landscapes(parent)) /* (the engine records the rest) */
			reject(t, NULL, who, "mkdir landscapes/",
			       tfs_error_last());
	} else if (!ops->mkdir)
		error = tfs_error_set(TFS_EACCESS, "directories cannot be "
						   "created here");
	else if ((error = ops->mkdir(t, parent, name, user)) == 0)
		error = tree_lookup(out, t, parent, name);
	request_end(t);
	return error;
}

int tfs_tree_rmdir(tfs_tree *t, uint64_t parent, const char *name,
		   const tfs_caller *who)
{
	const struct node_ops *ops = node_kind(parent);
	char user[64];
	tfs_attr a;
	int error;

	user_of(t, who, user);
	if ((error = may_make_dir(t, who, parent)) < 0 ||
	    (error = tree_lookup(&a, t, parent, name)) < 0)
		goto done;
	if (in_history(t, parent))
		error = tfs_error_set(TFS_ELOCKED, "history is read-only");
	else
		error = ops->rmdir ? ops->rmdir(t, parent, &a, name, user) : 1;
	if (error == 1)
		error = !S_ISDIR(a.mode) ?
				tfs_error_set(TFS_ENOTSUP, "not a directory") :
				tfs_error_set(TFS_EACCESS,
					      "%s cannot be removed", name);
	if (error == 0)
		inval_entry_now(t, parent, name);
done:
	request_end(t);
	return error;
}
