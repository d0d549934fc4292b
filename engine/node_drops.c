/*
 * Drop directories: apply/, validate/, apply-unvalidated/ and preview/
 * take a package copied in (a memory node spooled to a temporary file,
 * imported when the copy is closed) and keep each import's result file
 * (and preview's diff) as C_DROPF nodes; push/ takes push requests the
 * same way (a request saved with mode = save stays there, and writing it
 * again runs it).
 *
 * While an import runs, its "<name>.result" reads "running" and the
 * progress: a struct running in the tree (under the leaf lock), with an
 * inode of its own above every drops row.  A finished one keeps its last
 * text for a kernel that still holds its inode, until the next import in
 * the same directory.  Imports of different instances run at the same
 * time; the engine serializes those of one instance.
 *
 * Called by the dispatch in tree.c and by tree_file.c (run_import),
 * without the tree's lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tree_internal.h"
#include "tenantfs/push.h"
#include "tenantfs/error.h"
#include "tenantfs/package.h"

/* ---- running imports --------------------------------------------------------------- */

/* (mu held) The running import of `ino`, or the active one named `name`
 * in `parent`. */
static struct running *running_find(tfs_tree *t, uint64_t parent,
				    const char *name, uint64_t ino)
{
	struct running *r;

	for (r = t->running; r; r = r->next) {
		if (ino ? r->ino == ino :
			  r->parent == parent && r->name[0] &&
				    strcmp(r->name, name) == 0)
			return r;
	}
	return NULL;
}

int running_attr(tfs_attr *out, tfs_tree *t, uint64_t parent, const char *name,
		 uint64_t ino)
{
	struct running *r;
	int found = 0;

	tree_lock(t);
	if ((r = running_find(t, parent, name, ino))) {
		file_attr(out, r->ino, 0444, r->text.size, r->mtime, false);
		out->volatile_entry = true;
		found = 1;
	}
	tree_unlock(t);
	return found;
}

int running_content(tfs_buf *out, tfs_tree *t, uint64_t ino)
{
	struct running *r;
	int error;

	tree_lock(t);
	if ((r = running_find(t, 0, NULL, ino)))
		error = tfs_buf_put(out, r->text.ptr, r->text.size);
	else
		error = tfs_error_set(TFS_ENOTFOUND, "no such file");
	tree_unlock(t);
	return error;
}

/* (mu held) Register an import of `rname` in `parent` of `inst`, after
 * dropping finished ones of that directory. */
static struct running *running_start(tfs_tree *t, int64_t inst, uint64_t parent,
				     const char *rname)
{
	struct running **pp = &t->running, *r;

	while ((r = *pp)) {
		if (r->parent == parent && !r->name[0]) {
			*pp = r->next;
			tfs_buf_free(&r->text);
			free(r);
		} else {
			pp = &r->next;
		}
	}
	if (!(r = calloc(1, sizeof(*r))))
		return NULL;
	r->ino = INO(C_DROPF, inst,
		     DROP_RUNNING - (t->next_running++ & 0xffffULL));
	r->parent = parent;
	snprintf(r->name, sizeof(r->name), "%s", rname);
	r->mtime = tfs_now();
	tfs_buf_puts(&r->text, "running\nobjects: 0/0\n");
	r->next = t->running;
	t->running = r;
	return r;
}

struct progress_ctx {
	tfs_tree *t;
	struct running *r;
};

/* From the importing thread, which may hold the instance's writer lock:
 * the leaf lock comes after it. */
static void progress(void *ctx, uint64_t done, uint64_t total)
{
	struct progress_ctx *p = ctx;

	if (!p->r)
		return;
	tree_lock(p->t);
	tfs_buf_clear(&p->r->text);
	tfs_buf_printf(&p->r->text, "running\nobjects: %llu/%llu\n",
		       (unsigned long long)done, (unsigned long long)total);
	tree_unlock(p->t);
}

/* The whole request of a push (a few lines: bounded). */
static int read_request(tfs_buf *out, const char *path)
{
	char chunk[4096];
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC), error = 0;

	if (fd < 0)
		return tfs_error_set(TFS_ERROR, "cannot read the request: %s",
				     strerror(errno));
	while (!error && (got = read(fd, chunk, sizeof(chunk))) > 0) {
		if (out->size + (size_t)got > PUSH_REQUEST_MAX)
			error = tfs_error_set(TFS_ETOOBIG,
					      "a push request is "
					      "at most %d bytes",
					      PUSH_REQUEST_MAX);
		else
			error = tfs_buf_put(out, chunk, (size_t)got);
	}
	close(fd);
	return error;
}

/* Run the push request dropped as `m` (named `name`); a request saved
 * for later (mode = save) stays as push/<name>. */
static int push_dropped(tfs_buf *result, tfs_buf *diff, bool *previewed,
			tfs_inst *in, const char *user, struct mem *m,
			const char *name, tfs_pkg_progress_fn progress,
			void *ctx)
{
	tfs_buf req = TFS_BUF_INIT;
	tfs_push_outcome outcome = TFS_PUSH_REJECTED;
	int error;

	if ((error = read_request(&req, m->tmp)) == 0)
		error = tfs_push(result, diff, &outcome, in, user,
				 req.ptr ? req.ptr : "", req.size, false,
				 progress, ctx);
	else
		tfs_buf_printf(result, "rejected\nerror %s\n",
			       tfs_error_last());
	*previewed = outcome == TFS_PUSH_PREVIEWED;
	if (!error && outcome == TFS_PUSH_SAVED)
		error = tfs_drop_put(in, I_PUSH, name, req.ptr, req.size);
	tfs_buf_free(&req);
	return error;
}

/*
 * Import the package dropped as memory node `m` (pinned by the caller's
 * open file; its directory decides how), store the result (and preview
 * diff) next to it, and remove the dropped file.  Runs without the tree's
 * lock: the import may take minutes, and readers of every other file,
 * this instance's included, go on meanwhile.
 */
int run_import(tfs_tree *t, struct mem *m, const tfs_caller *who,
	       int spool_errno)
{
	tfs_inst *in = tfs_store_inst(t->st, m->inst);
	tfs_buf result = TFS_BUF_INIT, diff = TFS_BUF_INIT;
	tfs_pkg_mode mode = m->n == I_VALIDATE    ? TFS_PKG_VALIDATE :
			    m->n == I_APPLY_UNVAL ? TFS_PKG_APPLY_UNVALIDATED :
			    m->n == I_PREVIEW     ? TFS_PKG_PREVIEW :
						    TFS_PKG_APPLY;
	char user[64], name[256], rname[300], dname[300], reason[512];
	struct progress_ctx pc = { t, NULL };
	bool previewed = false;
	uint64_t parent;
	int error, stored;

	if (!in)
		return TFS_ENOTFOUND;
	user_of(t, who, user);
	tree_lock(t);
	parent = m->parent;
	snprintf(name, sizeof(name), "%s", m->name);
	snprintf(rname, sizeof(rname), "%s.result", name);
	snprintf(dname, sizeof(dname), "%s.diff", name);
	pc.r = running_start(t, m->inst, parent, rname);
	inval_entry(t, parent, rname);
	tree_unlock(t);

	if (spool_errno) {
		error = spool_failed(spool_errno);
		tfs_buf_printf(&result, "failed\nerror: %s\n",
			       tfs_error_last());
	} else if (m->n == I_PUSH)
		error = push_dropped(&result, &diff, &previewed, in, user, m,
				     name, progress, &pc);
	else
		error = tfs_pkg_import(&result,
				       mode == TFS_PKG_PREVIEW ? &diff : NULL,
				       in, user, m->tmp, mode, progress, &pc);
	snprintf(reason, sizeof(reason), "%s", tfs_error_last());
	stored = tfs_drop_put(in, m->n, rname, result.ptr, result.size);
	if (!stored && (mode == TFS_PKG_PREVIEW || previewed))
		stored = tfs_drop_put(in, m->n, dname, diff.ptr, diff.size);

	tree_lock(t);
	if (pc.r) { /* finished: no longer found by name */
		pc.r->name[0] = '\0';
		tfs_buf_clear(&pc.r->text);
		tfs_buf_put(&pc.r->text, result.ptr, result.size);
	}
	/* The dropped file has done its work. */
	inval_entry(t, parent, name);
	inval_entry(t, parent, rname);
	inval_entry(t, parent, dname);
	inval_inode(t, parent);
	mem_unlink(t, m);
	tree_unlock(t);
	tfs_buf_free(&result);
	tfs_buf_free(&diff);
	if (error < 0)
		return tfs_error_set(error, "%s", reason);
	return stored;
}

/* ---- apply/, validate/, apply-unvalidated/, preview/ --------------------------------- */

static int drops_lookup(tfs_attr *out, tfs_tree *t, uint64_t parent,
			const char *name)
{
	tfs_inst *in = owner(t, parent);
	tfs_row row;

	if (!in)
		return TFS_ENOTFOUND;
	/* Nothing is there (so that mkdir and cp reach the refusal,
	 * which records why, rather than the kernel's lookup). */
	if (IS_PACKAGE_DROP(INO_B(parent)) && inst_check_packages(in, NULL) < 0)
		return TFS_ENOTFOUND;
	if (tfs_drop_find(&row, in, (int)INO_B(parent), name) < 0)
		return TFS_ENOTFOUND;
	return tree_getattr(out, t, INO(C_DROPF, INO_A(parent), row.id));
}

static int row_drop(void *ctx, const tfs_row *r)
{
	struct listing *l = ctx;
	tfs_attr a;

	file_attr(&a, INO(C_DROPF, l->inst, r->id), 0444, (uint64_t)r->size,
		  r->mtime, false);
	a.volatile_entry = true;
	return add_entry(l, r->name, &a);
}

static int drops_readdir(struct listing *l, uint64_t ino)
{
	tfs_inst *in = owner(l->t, ino);
	int error;

	if (!in)
		return TFS_ENOTFOUND;
	/* No packages without the development project (see packages/). */
	if (IS_PACKAGE_DROP(INO_B(ino)) &&
	    (error = inst_check_packages(in, NULL)) < 0)
		return error;
	l->inst = INO_A(ino);
	return tfs_drop_list(in, (int)INO_B(ino), row_drop, l);
}

static void drops_target(struct target *tg, tfs_tree *t, uint64_t parent,
			 const char *name)
{
	if (has_suffix(name, ".result") || has_suffix(name, ".diff")) {
		tg->error = tfs_error_set(TFS_EACCESS,
					  "%s: results are "
					  "written by tenantfs",
					  name);
		return;
	}
	tg->kind = TG_DROP;
	tg->in = tfs_store_inst(t->st, INO_A(parent));
}

/* Results of imports may be cleaned up. */
static int drops_unlink(tfs_tree *t, uint64_t parent, const tfs_attr *a,
			const char *name, const char *user)
{
	tfs_inst *in = owner(t, a->ino);
	int error;

	if (INO_CLASS(a->ino) != C_DROPF || !in)
		return 1;
	error = tfs_drop_remove(in, INO_B(a->ino));
	inval_inode_now(t, parent);
	return error;
}

const struct node_ops drops_ops = {
	.lookup = drops_lookup,
	.getattr = inst_dir_getattr,
	.readdir = drops_readdir,
	.target = drops_target,
	.unlink = drops_unlink,
	.per_instance = true,
};

/* ---- result files ---------------------------------------------------------------------- */

static int dropfile_getattr(tfs_attr *out, tfs_tree *t, uint64_t ino)
{
	tfs_inst *in = owner(t, ino);
	tfs_row row;
	int error, dir;

	if (IS_RUNNING_INO(ino))
		return running_attr(out, t, 0, NULL, ino) ?
			       0 :
			       tfs_error_set(TFS_ENOTFOUND, "no such file");
	if (!in)
		return TFS_ENOTFOUND;
	if ((error = tfs_drop_get(&row, &dir, in, INO_B(ino))) < 0)
		return error;
	/* saved push requests may be written again (to run them) */
	file_attr(out, ino,
		  dir == I_PUSH && !has_suffix(row.name, ".result") &&
				  !has_suffix(row.name, ".diff") ?
			  0644 :
			  0444,
		  (uint64_t)row.size, row.mtime, false);
	out->volatile_entry = true; /* a new result takes the name */
	return 0;
}

static int dropfile_content(tfs_buf *out, tfs_tree *t, uint64_t ino,
			    bool *direct)
{
	tfs_inst *in = owner(t, ino);

	if (!in)
		return TFS_ENOTFOUND;
	if (IS_RUNNING_INO(ino))
		return running_content(out, t, ino);
	return tfs_drop_read(out, in, INO_B(ino));
}

static int saved_store(tfs_tree *t, uint64_t ino, const char *user,
		       const char *bytes, size_t len);

const struct node_ops dropfile_ops = {
	.getattr = dropfile_getattr,
	.content = dropfile_content,
	.store = saved_store,
	.per_instance = true,
};

/* ---- push/ ---------------------------------------------------------------------------------- */

/* A request saved for later (push/<name>, not a result): writing it again
 * runs it. */
static bool saved_request(tfs_tree *t, uint64_t ino, tfs_inst **in,
			  tfs_row *row)
{
	int dir;

	if (IS_RUNNING_INO(ino) || !(*in = owner(t, ino)) ||
	    tfs_drop_get(row, &dir, *in, INO_B(ino)) < 0)
		return false;
	return dir == I_PUSH && !has_suffix(row->name, ".result") &&
	       !has_suffix(row->name, ".diff");
}

static int saved_store(tfs_tree *t, uint64_t ino, const char *user,
		       const char *bytes, size_t len)
{
	tfs_buf req = TFS_BUF_INIT, result = TFS_BUF_INIT, diff = TFS_BUF_INIT;
	tfs_push_outcome outcome;
	char rname[300], dname[300], reason[512];
	tfs_inst *in;
	tfs_row row;
	int error, stored;

	(void)bytes;
	(void)len;
	if (!saved_request(t, ino, &in, &row))
		return tfs_error_set(TFS_EACCESS, "results are written by "
						  "tenantfs");
	if ((error = tfs_drop_read(&req, in, INO_B(ino))) < 0)
		return error;
	error = tfs_push(&result, &diff, &outcome, in, user,
			 req.ptr ? req.ptr : "", req.size, true, NULL, NULL);
	snprintf(reason, sizeof(reason), "%s", tfs_error_last());
	snprintf(rname, sizeof(rname), "%s.result", row.name);
	snprintf(dname, sizeof(dname), "%s.diff", row.name);
	stored = tfs_drop_put(in, I_PUSH, rname, result.ptr, result.size);
	if (!stored && outcome == TFS_PUSH_PREVIEWED)
		stored = tfs_drop_put(in, I_PUSH, dname, diff.ptr, diff.size);
	inval_entry_now(t, INO(C_INST, INO_A(ino), I_PUSH), rname);
	inval_entry_now(t, INO(C_INST, INO_A(ino), I_PUSH), dname);
	inval_inode_now(t, INO(C_INST, INO_A(ino), I_PUSH));
	tfs_buf_free(&req);
	tfs_buf_free(&result);
	tfs_buf_free(&diff);
	if (error < 0)
		return tfs_error_set(error, "%s", reason);
	return stored;
}

static int push_target_of(struct target *tg, tfs_tree *t, uint64_t parent,
			  const char *name)
{
	tfs_row row;
	tfs_inst *in = tfs_store_inst(t->st, INO_A(parent));

	/* A saved request is rewritten in place (then run). */
	if (in && tfs_drop_find(&row, in, I_PUSH, name) == 0 &&
	    !has_suffix(name, ".result") && !has_suffix(name, ".diff")) {
		tg->kind = TG_STORED;
		tg->ino = INO(C_DROPF, INO_A(parent), row.id);
		return 1;
	}
	return 0;
}

static void push_target(struct target *tg, tfs_tree *t, uint64_t parent,
			const char *name)
{
	if (push_target_of(tg, t, parent, name))
		return;
	drops_target(tg, t, parent, name);
}

const struct node_ops push_ops = {
	.lookup = drops_lookup,
	.getattr = inst_dir_getattr,
	.readdir = drops_readdir,
	.target = push_target,
	.unlink = drops_unlink,
	.per_instance = true,
};
