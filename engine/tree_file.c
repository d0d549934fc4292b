/*
 * Files of the tree: contents, opening, reading, buffered writing, and the
 * changes users make with ordinary tools (create, unlink, rename, mkdir,
 * rmdir, truncate).
 *
 * Writes to a stored file are buffered in its open file and committed when
 * the writer flushes (close), fsyncs, or renames a temporary file onto the
 * stored name; the engine checks the save then, and a rejected save fails
 * that call and changes nothing.  Names that are not stored files in a
 * writable directory (vim's 4913 and .swp, sed's sedXXXXXX, x~) are
 * temporary files that live in memory only.  Renaming a stored file to such
 * a name (vim's backup) hides it until it is saved again; removing the
 * moved-aside copy while the name is still vacant deletes the object.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "tree_internal.h"
#include "tenantfs/package.h"
#include "tenantfs/error.h"
#include "tenantfs/history.h"

struct tfs_file {
	uint64_t ino;
	struct mem *mem;    /* temporary or new file: its node */
	tfs_buf data;       /* stored or generated files: the content */
	bool writable;
	bool dirty;
	bool failed;        /* a save from this file was rejected */
	bool append;        /* O_APPEND: writes go to the end of our copy */
	bool written;       /* write or truncate since open (not O_TRUNC) */
	bool lazy;          /* a reader's stored file: loaded at first read */
	bool push;          /* to be put into the kernel's page cache */
	tfs_caller who;
};

/* ---- content -------------------------------------------------------------------- */

int tree_content(tfs_buf *out, tfs_tree *t, uint64_t ino, bool *direct)
{
	int64_t a = INO_A(ino), b = INO_B(ino);
	tfs_inst *in;
	tfs_row row;
	struct mem *m;
	int error;

	*direct = true;
	switch (INO_CLASS(ino)) {
	case C_GLOBAL:
		if (b == G_README) {
			*direct = false;
			return tfs_store_render_readme(out, t->st);
		}
		if (b == G_STATUS)
			return tfs_store_render_status(out, t->st);
		if (b == G_EVENTS) {
			uint64_t size;
			int64_t mtime;
			if ((error = tfs_store_events_size(t->st, &size,
							   &mtime)) < 0)
				return error;
			return tfs_store_events_read(out, t->st, 0,
						     (size_t)size);
		}
		break;
	case C_USER:
		return tfs_store_conf_render(out, t->st, TFS_ENT_USER, b);
	case C_GROUP:
		return tfs_store_conf_render(out, t->st, TFS_ENT_GROUP, a);
	case C_LAND:
		return tfs_store_conf_render(out, t->st, TFS_ENT_LANDSCAPE, a);
	case C_SERVER:
		return tfs_store_conf_render(out, t->st, TFS_ENT_SERVER, b);
	case C_TENANT:
		if (b == 1)
			return tfs_store_conf_render(out, t->st,
						     TFS_ENT_TENANT, a);
		return tfs_store_render_dashboard(out, t->st, a);
	case C_INST:
		if (!(in = tfs_store_inst(t->st, a)))
			return TFS_ENOTFOUND;
		switch (b) {
		case I_CONF:
			return tfs_store_conf_render(out, t->st,
						     TFS_ENT_INSTANCE, a);
		case I_ACTIVE:
			if ((error = tfs_inst_active_project(&row, in)) < 0)
				return error;
			return tfs_buf_printf(out, "%s\n", row.name);
		case I_REVERT:
			return 0;
		case I_REVERT_RESULT:
			return tfs_inst_revert_result(out, in);
		case I_HLOG:
			return tfs_inst_history_render(out, in);
		case I_LOG:
			return tfs_inst_log_render(out, in);
		}
		break;
	case C_TXSET:
		if (!(in = tfs_store_inst(t->st, a)))
			return TFS_ENOTFOUND;
		*direct = false;
		return tfs_inst_txset_render(out, in, b);
	case C_OBJ:
		if (!(in = tfs_store_inst(t->st, a)))
			return TFS_ENOTFOUND;
		*direct = false;
		return tfs_inst_obj_read(out, in, b);
	case C_PKGF:
		if (!(in = tfs_store_inst(t->st, a)))
			return TFS_ENOTFOUND;
		return tfs_pkg_render(out, in, b >> 4, (tfs_pkg_file)(b & 15));
	case C_DROPF:
		if (!(in = tfs_store_inst(t->st, a)))
			return TFS_ENOTFOUND;
		if ((uint64_t)b == DROP_RUNNING) {
			pthread_mutex_lock(&t->run_mu);
			error = tfs_buf_put(out, t->run.text.ptr,
					    t->run.text.size);
			pthread_mutex_unlock(&t->run_mu);
			return error;
		}
		return tfs_drop_read(out, in, b);
	case C_HFILE: {
		tfs_inst *hin;
		char oid[41];
		if (!(m = hfile_dir(t, ino)) ||
		    !(hin = tfs_store_inst(t->st, m->inst)))
			return TFS_ENOTFOUND;
		*direct = false;
		if ((error = tfs_inst_history_commit(oid, NULL, hin,
						     m->n)) < 0)
			return error;
		return tfs_history_read_at(out, tfs_store_history(t->st), oid,
					   m->path, (size_t)b);
	}
	case C_MEM:
		if (!(m = mem_by_ino(t, ino)))
			break;
		*direct = false;
		if (m->type == M_DROP) {
			*direct = true;
			if (tfs_buf_grow(out, out->size + m->size) < 0)
				return TFS_ERROR;
			if (pread(m->fd, out->ptr + out->size, m->size, 0) !=
			    (ssize_t)m->size)
				return tfs_error_set(TFS_ERROR, "read error");
			out->size += m->size;
			out->ptr[out->size] = '\0';
			return 0;
		}
		if (m->type == M_HIST && !m->is_dir) {
			tfs_inst *hin = tfs_store_inst(t->st, m->inst);
			char oid[41];
			if (!hin || (error = tfs_inst_history_commit(oid, NULL,
							hin, m->n)) < 0)
				return TFS_ENOTFOUND;
			return tfs_history_read(out, tfs_store_history(t->st),
						oid, m->path);
		}
		if (m->type == M_NEW && m->obj &&
		    (in = tfs_store_inst(t->st, m->inst)))
			return tfs_inst_obj_read(out, in, m->obj);
		return tfs_buf_put(out, m->data.ptr, m->data.size);
	}
	return tfs_error_set(TFS_ENOTFOUND, "not a file");
}

/* ---- where a write goes ----------------------------------------------------------- */

enum target_kind {
	TG_DROP,      /* a package dropped into apply/, validate/, ... */
	TG_NONE,      /* nothing may be written here */
	TG_SCRATCH,   /* a temporary name: kept in memory */
	TG_NEW,       /* a new object */
	TG_STORED,    /* an existing stored file: ino */
};

struct target {
	enum target_kind kind;
	uint64_t ino;
	tfs_inst *in;
	tfs_kind okind;
	char type[256];
	char name[256];
	int error;     /* for TG_NONE: why */
};

static bool in_locked_dir(tfs_inst *in, tfs_kind kind, const char *type)
{
	return tfs_inst_locked(in) && tfs_inst_type_lockable(kind, type);
}

/*
 * What writing `name` in directory `parent` means.  Existing temporary
 * names are handled by the callers (they are in memory).
 */
static void classify(struct target *tg, tfs_tree *t, uint64_t parent,
		     const char *name)
{
	tfs_attr a;
	int64_t dir;
	int cls = INO_CLASS(parent);
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
	if ((h = hidden_find(t, parent, name))) {
		tg->kind = TG_STORED;
		tg->ino = h->ino;
		return;
	}
	if (tree_object_dir(&tg->in, &dir, &tg->okind, tg->type, t,
			    parent) == 0) {
		if (object_file_name(tg->name, name)) {
			tfs_obj_info info;
			if (tfs_inst_obj_find(&info, tg->in, dir,
					      tg->name) == 0) {
				tg->kind = TG_STORED;
				tg->ino = INO(C_OBJ, tfs_inst_id(tg->in),
					      info.id);
			} else {
				tg->kind = TG_NEW;
			}
			return;
		}
		if (n > 4 && strcmp(name + n - 4, ".xml") == 0 &&
		    name[0] != '.') {
			tg->error = tfs_error_set(TFS_EINVALID, "invalid "
				"object name '%s': letters, digits, . _ - # "
				"only", name);
			return;
		}
		if (in_locked_dir(tg->in, tg->okind, tg->type)) {
			tg->error = tfs_error_set(TFS_ELOCKED, "metadata is "
						  "locked");
			return;
		}
		tg->kind = TG_SCRATCH;
		return;
	}
	switch (cls) {
	case C_INST:
		if (IS_DROP_DIR(INO_B(parent))) {
			if ((n > 7 && strcmp(name + n - 7, ".result") == 0) ||
			    (n > 5 && strcmp(name + n - 5, ".diff") == 0)) {
				tg->error = tfs_error_set(TFS_EACCESS, "%s: "
					"results are written by tenantfs",
					name);
				return;
			}
			tg->kind = TG_DROP;
			tg->in = tfs_store_inst(t->st, INO_A(parent));
			return;
		}
		if (INO_B(parent) == I_PUSH) {
			tg->error = tfs_error_set(TFS_ENOTSUP, "push requests "
						  "are not supported yet");
			return;
		}
		if (INO_B(parent) != I_DIR)
			return;
		if (strcmp(name, "instance.conf") == 0 ||
		    strcmp(name, "active-project") == 0 ||
		    strcmp(name, "revert") == 0) {
			if (tree_lookup(&a, t, parent, name) == 0) {
				tg->kind = TG_STORED;
				tg->ino = a.ino;
			}
			return;
		}
		break;
	case C_TENANT:
		if (INO_B(parent) != 0)
			return;
		if (strcmp(name, "tenant.conf") == 0) {
			tg->kind = TG_STORED;
			tg->ino = INO(C_TENANT, INO_A(parent), 1);
			return;
		}
		break;
	case C_GLOBAL:
		if (INO_B(parent) != G_USERS)
			return;
		break;
	case C_GROUP:
	case C_LAND:
		if (INO_B(parent) == 1)
			return;
		break;
	case C_PKG:
		break;
	default:
		return;
	}
	/* A directory of console files: existing files are stored, other
	 * names (not the directory's own entries) are temporary. */
	if (tree_lookup(&a, t, parent, name) == 0) {
		if (S_ISREG(a.mode) && (a.mode & 0200)) {
			tg->kind = TG_STORED;
			tg->ino = a.ino;
		}
		return;
	}
	n = strlen(name);
	if (n > 5 && strcmp(name + n - 5, ".conf") == 0 && name[0] != '.') {
		tg->error = tfs_error_set(TFS_EACCESS, "%s: new entries "
					  "cannot be created this way", name);
		return;
	}
	tg->kind = TG_SCRATCH;
}

/* The instance a stored file belongs to (for the patch log), or NULL. */
static tfs_inst *owner(tfs_tree *t, uint64_t ino)
{
	switch (INO_CLASS(ino)) {
	case C_INST: case C_DIR: case C_OBJ: case C_PROJ: case C_PROJTS:
	case C_TXSET: case C_PKG: case C_PKGF: case C_DROPF:
		return tfs_store_inst(t->st, INO_A(ino));
	}
	return NULL;
}

/* A user-facing path of a stored file, for messages. */
static void describe(char *out, size_t size, tfs_tree *t, uint64_t ino)
{
	tfs_obj_info info;
	tfs_inst *in = owner(t, ino);

	if (INO_CLASS(ino) == C_OBJ && in &&
	    tfs_inst_obj_get(&info, in, INO_B(ino)) == 0) {
		obj_path(out, size, info.kind, info.type, info.name);
		return;
	}
	if (INO_CLASS(ino) == C_INST) {
		switch (INO_B(ino)) {
		case I_CONF: snprintf(out, size, "instance.conf"); return;
		case I_ACTIVE: snprintf(out, size, "active-project"); return;
		case I_REVERT: snprintf(out, size, "revert"); return;
		}
	}
	if (INO_CLASS(ino) == C_PKGF && in) {
		tfs_row row;
		if (tfs_pkg_get(&row, in, INO_B(ino) >> 4) == 0) {
			snprintf(out, size, "packages/%s/%s", row.name,
				 tfs_pkg_file_names[INO_B(ino) & 15]);
			return;
		}
	}
	snprintf(out, size, "%s", INO_CLASS(ino) == C_TENANT ? "tenant.conf" :
		 INO_CLASS(ino) == C_USER ? "users/*.conf" :
		 "landscapes/*.conf");
}

static void user_of(tfs_tree *t, const tfs_caller *who, char out[64])
{
	tfs_store_user_of(t->st, who->uid, out);
}

/* Record a rejected save where the user will look for it. */
static void reject(tfs_tree *t, tfs_inst *in, const tfs_caller *who,
		   const char *path, const char *reason)
{
	char user[64];

	user_of(t, who, user);
	if (in) {
		tfs_inst_reject(in, user, path, reason);
	} else {
		char msg[1024];
		tfs_event ev = {.user = user, .action = "Conf/Reject",
				.message = msg};
		snprintf(msg, sizeof(msg), "%s: %s", path, reason);
		tfs_store_event(t->st, &ev);
	}
}

/*
 * Store `bytes` as the stored file `ino`.  Returns 0 or the engine's
 * error; a rejection is recorded (log, events) and the kernel's cached
 * pages of the file are dropped.
 */
static int commit_stored(tfs_tree *t, uint64_t ino, const char *bytes,
			 size_t len, const tfs_caller *who)
{
	int64_t a = INO_A(ino), b = INO_B(ino);
	tfs_obj_info info;
	char user[64], path[600], *text = NULL;
	tfs_inst *in = owner(t, ino);
	int error = TFS_EACCESS;

	user_of(t, who, user);
	tfs_error_set(TFS_EACCESS, "read-only file");
	switch (INO_CLASS(ino)) {
	case C_OBJ:
		if (!in)
			return TFS_ENOTFOUND;
		if ((error = tfs_inst_obj_get(&info, in, b)) < 0)
			return error;
		error = tfs_inst_save(NULL, in, user, info.kind, info.type,
				      info.name, bytes, len);
		break;
	case C_USER:
		error = tfs_store_conf_update(t->st, TFS_ENT_USER, b, user,
					      bytes, len);
		break;
	case C_GROUP:
		error = tfs_store_conf_update(t->st, TFS_ENT_GROUP, a, user,
					      bytes, len);
		break;
	case C_LAND:
		error = tfs_store_conf_update(t->st, TFS_ENT_LANDSCAPE, a,
					      user, bytes, len);
		break;
	case C_SERVER:
		error = tfs_store_conf_update(t->st, TFS_ENT_SERVER, b, user,
					      bytes, len);
		break;
	case C_TENANT:
		if (b == 1)
			error = tfs_store_conf_update(t->st, TFS_ENT_TENANT, a,
						      user, bytes, len);
		break;
	case C_PKGF:
		if (!in)
			return TFS_ENOTFOUND;
		error = tfs_pkg_update(in, user, b >> 4, (tfs_pkg_file)(b & 15),
				       bytes, len);
		break;
	case C_INST:
		if (!in)
			return TFS_ENOTFOUND;
		if (b == I_CONF) {
			error = tfs_store_conf_update(t->st, TFS_ENT_INSTANCE,
						      a, user, bytes, len);
			break;
		}
		if (b != I_ACTIVE && b != I_REVERT)
			break;
		text = strndup(bytes, len);
		if (!text)
			return tfs_error_set(TFS_ERROR, "out of memory");
		text[strcspn(text, "\r\n")] = '\0';
		if (b == I_ACTIVE) {
			error = tfs_inst_set_active_project(in, user, text);
		} else {
			int64_t n = 0;
			char *end;
			errno = 0;
			n = strtoll(text, &end, 10);
			if (errno || end == text || *end || n < 1 ||
			    n > 2000000000)
				error = tfs_error_set(TFS_EINVALID, "write a "
						      "commit number to "
						      "revert");
			else
				error = tfs_inst_revert(NULL, in, user,
							(int)n);
		}
		free(text);
		break;
	}
	if (error < 0) {
		char reason[512];
		snprintf(reason, sizeof(reason), "%s", tfs_error_last());
		if (!(INO_CLASS(ino) == C_INST && b == I_REVERT)) {
			describe(path, sizeof(path), t, ino);
			reject(t, in, who, path, reason);
		}
		tfs_error_set(error, "%s", reason);
	}
	if (error == 0) {
		struct hidden *h;
		for (h = t->hidden; h; h = h->next)
			if (h->ino == ino) {
				hidden_drop(t, h);
				break;
			}
	}
	/* The writer's pages hold what it wrote, not what is stored. */
	inval_inode(t, ino);
	return error;
}

/* Store a new object from memory node `m` (a file being created). */
static int commit_new(tfs_tree *t, struct mem *m, const tfs_caller *who)
{
	tfs_inst *in = tfs_store_inst(t->st, m->inst);
	char user[64], path[600], base[256];
	int64_t id = 0;
	int error;

	if (!in)
		return TFS_ENOTFOUND;
	if (m->obj)
		return commit_stored(t, INO(C_OBJ, m->inst, m->obj),
				     m->data.ptr, m->data.size, who);
	user_of(t, who, user);
	object_file_name(base, m->name);
	error = tfs_inst_save(&id, in, user, m->kind, m->type_name, base,
			      m->data.ptr ? m->data.ptr : "", m->data.size);
	if (error < 0) {
		char reason[512];
		snprintf(reason, sizeof(reason), "%s", tfs_error_last());
		if (m->kind == TFS_KIND_VALIDATION)
			snprintf(path, sizeof(path), "validation/%s",
				 m->name);
		else
			snprintf(path, sizeof(path), "%s/%s/%s",
				 tfs_kind_dir(m->kind), m->type_name, m->name);
		if (error != TFS_ERROR)
			reject(t, in, who, path, reason);
		tfs_error_set(error, "%s", reason);
		if (m->linked) {
			inval_entry(t, m->parent, m->name);
			mem_unlink(t, m);
		}
		return error;
	}
	m->obj = id;
	tfs_buf_free(&m->data);
	if (m->linked) {
		/* The name now belongs to the stored object. */
		inval_entry(t, m->parent, m->name);
		m->linked = false;
	}
	return 0;
}

/* ---- open files --------------------------------------------------------------------- */

static bool wants_write(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
}

/* May `ino` (stored) be opened for writing?  0 or the error. */
static int check_writable(tfs_tree *t, uint64_t ino)
{
	tfs_obj_info info;
	tfs_inst *in = owner(t, ino);
	tfs_attr a;
	int error;

	if (INO_CLASS(ino) == C_OBJ) {
		if (!in)
			return TFS_ENOTFOUND;
		if ((error = tfs_inst_obj_get(&info, in, INO_B(ino))) < 0)
			return error;
		if (in_locked_dir(in, info.kind, info.type))
			return tfs_error_set(TFS_ELOCKED, "metadata of %s/%s "
					     "is locked", tfs_inst_tenant(in),
					     tfs_inst_name(in));
		return 0;
	}
	if (INO_CLASS(ino) == C_PKGF && in) {
		bool closed = false;
		if ((error = tfs_pkg_closed(in, INO_B(ino) >> 4, &closed)) < 0)
			return error;
		if (closed && (INO_B(ino) & 15) < TFS_PKG_XML)
			return tfs_error_set(TFS_EACCESS, "the package is "
					     "closed");
	}
	if (INO_CLASS(ino) == C_HFILE)
		return tfs_error_set(TFS_ELOCKED, "history is read-only");
	if (INO_CLASS(ino) == C_MEM) {
		struct mem *m = mem_by_ino(t, ino);
		if (m && m->type == M_HIST)
			return tfs_error_set(TFS_ELOCKED, "history is "
					     "read-only");
		return m ? 0 : TFS_ENOTFOUND;
	}
	if ((error = tree_getattr(&a, t, ino)) < 0)
		return error;
	if (S_ISDIR(a.mode))
		return tfs_error_set(TFS_EACCESS, "is a directory");
	if (!(a.mode & 0200))
		return tfs_error_set(TFS_EACCESS, "read-only file");
	return 0;
}

static struct writer *writer_of(tfs_tree *t, uint64_t ino)
{
	struct writer *w;

	for (w = t->writers; w; w = w->next)
		if (w->ino == ino)
			return w;
	return NULL;
}

/* Count an open writer of stored file `ino` (delta +1 or -1). */
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

static int open_file(tfs_file **out, tfs_tree *t, uint64_t ino, int flags,
		     const tfs_caller *who, bool *direct, bool *keep)
{
	tfs_file *f;
	struct mem *m = NULL;
	int error;

	*out = NULL;
	*direct = false;
	*keep = false;
	if (wants_write(flags) && (error = check_writable(t, ino)) < 0)
		return error;
	f = calloc(1, sizeof(*f));
	if (!f)
		return tfs_error_set(TFS_ERROR, "out of memory");
	f->ino = ino;
	f->who = *who;
	f->writable = wants_write(flags);
	/* The kernel's idea of the size of a generated file may be stale;
	 * appends go to the end of what this file holds. */
	f->append = (flags & O_APPEND) != 0;
	if (INO_CLASS(ino) == C_MEM && (m = mem_by_ino(t, ino)) &&
	    m->type != M_HIST && !(m->type == M_NEW && m->obj)) {
		f->mem = m;
		m->nopen++;
		if (flags & O_TRUNC) {
			tfs_buf_clear(&m->data);
			f->dirty = true;
		}
		*out = f;
		return 0;
	}
	if (m && m->type == M_NEW && m->obj) /* created, then stored */
		f->ino = ino = INO(C_OBJ, m->inst, m->obj);
	if (!m && INO_CLASS(ino) == C_OBJ && !f->writable &&
	    !(flags & O_TRUNC) && !writer_of(t, ino) &&
	    !inoset_has(&t->touched, ino)) {
		/* A reader of a stored object whose pages the kernel may
		 * keep: the kernel asks for content only if it has none. */
		if (!tfs_store_inst(t->st, INO_A(ino))) {
			free(f);
			return TFS_ENOTFOUND;
		}
		*keep = true;
		if (!t->nt.store || inoset_has(&t->pushed, ino)) {
			f->lazy = true;
		} else if ((error = tree_content(&f->data, t, ino,
						 direct)) < 0) {
			free(f);
			return error;
		} else {
			f->push = inoset_add(&t->pushed, ino) == 0;
		}
		*out = f;
		return 0;
	}
	if (flags & O_TRUNC) {
		f->dirty = true;
	} else if ((error = tree_content(&f->data, t, ino, direct)) < 0) {
		free(f);
		return error;
	}
	if (flags & O_TRUNC) {
		bool d;
		tfs_buf tmp = TFS_BUF_INIT;
		tree_content(&tmp, t, ino, &d); /* only to learn `direct` */
		*direct = d;
		tfs_buf_free(&tmp);
	}
	if (INO_CLASS(ino) == C_OBJ) {
		if (f->writable) {
			count_writer(t, ino, +1);
			inoset_add(&t->touched, ino);
		} else if (writer_of(t, ino) ||
			   inoset_has(&t->touched, ino)) {
			/* A writer may make the kernel think the file is
			 * empty (O_TRUNC) while it writes: files that are
			 * being or have been written this mount are read
			 * around the page cache and its idea of the size. */
			*direct = true;
		}
	}
	*keep = !*direct && !f->writable && !inoset_has(&t->touched, ino);
	*out = f;
	return 0;
}

/*
 * Put a reader's freshly loaded content into the kernel's page cache
 * (outside the lock: the kernel may wait for a read of the same pages,
 * whose request needs the lock).  A change committed meanwhile may have
 * invalidated the inode before these pages landed: invalidate it again.
 */
static void push_content(tfs_tree *t, tfs_file *f)
{
	tfs_tree_notify nt;

	pthread_mutex_lock(&t->mu);
	nt = t->nt;
	pthread_mutex_unlock(&t->mu);
	if (nt.store)
		nt.store(nt.ctx, f->ino, f->data.ptr ? f->data.ptr : "",
			 f->data.size);
	pthread_mutex_lock(&t->mu);
	if (inoset_has(&t->touched, f->ino))
		inval_inode(t, f->ino);
	pthread_mutex_unlock(&t->mu);
}

static int tree_open_req(tfs_file **out, tfs_tree *t, uint64_t ino, int flags,
			 const tfs_caller *who, bool *direct, bool *keep)
{
	int error;

	if (INO_CLASS(ino) == C_DROPF && (uint64_t)INO_B(ino) == DROP_RUNNING) {
		tfs_file *f = calloc(1, sizeof(*f));
		if (!f)
			return tfs_error_set(TFS_ERROR, "out of memory");
		f->ino = ino;
		f->who = *who;
		pthread_mutex_lock(&t->run_mu);
		error = tfs_buf_put(&f->data, t->run.text.ptr,
				    t->run.text.size);
		pthread_mutex_unlock(&t->run_mu);
		*direct = true;
		*keep = false;
		*out = f;
		return error;
	}

	pthread_mutex_lock(&t->mu);
	error = open_file(out, t, ino, flags, who, direct, keep);
	pthread_mutex_unlock(&t->mu);
	if (error == 0 && (*out)->push)
		push_content(t, *out);
	return error;
}

int tfs_tree_open(tfs_file **out, tfs_tree *t, uint64_t ino, int flags,
		  const tfs_caller *who, bool *direct, bool *keep)
{
	int error = tree_open_req(out, t, ino, flags, who, direct, keep);

	tfs_store_reads_done(t->st);
	return error;
}

static int read_range(tfs_buf *out, const tfs_buf *src, uint64_t off,
		      size_t size)
{
	size_t n;

	if (off >= src->size)
		return 0;
	n = src->size - (size_t)off;
	return tfs_buf_put(out, src->ptr + off, n < size ? n : size);
}

static int file_read_req(tfs_buf *out, tfs_tree *t, tfs_file *f, uint64_t off,
			 size_t size)
{
	struct mem *m = f->mem;
	ssize_t got;
	int error = 0;

	if (f->lazy) {
		pthread_mutex_lock(&t->mu);
		if (f->lazy) {
			bool direct;
			error = tree_content(&f->data, t, f->ino, &direct);
			f->lazy = error < 0;
		}
		pthread_mutex_unlock(&t->mu);
		if (error < 0)
			return error;
	}
	/* A file's own content needs no lock (it may be the result of an
	 * import that holds the tree for minutes). */
	if (!m)
		return read_range(out, &f->data, off, size);
	pthread_mutex_lock(&t->mu);
	if (m->type == M_DROP) {
		if (off < m->size) {
			size_t n = m->size - (size_t)off;
			n = n < size ? n : size;
			if ((error = tfs_buf_grow(out, out->size + n)) == 0) {
				got = pread(m->fd, out->ptr + out->size, n,
					    (off_t)off);
				if (got < 0)
					error = tfs_error_set(TFS_ERROR,
							      "read error");
				else
					out->size += (size_t)got;
			}
		}
	} else {
		error = read_range(out, &m->data, off, size);
	}
	pthread_mutex_unlock(&t->mu);
	return error;
}

int tfs_file_read(tfs_buf *out, tfs_tree *t, tfs_file *f, uint64_t off,
		  size_t size)
{
	int error = file_read_req(out, t, f, off, size);

	tfs_store_reads_done(t->st);
	return error;
}

static int buf_write(tfs_buf *b, uint64_t off, const char *data, size_t len)
{
	size_t end;

	if (off > (uint64_t)1 << 40 || len > ((size_t)1 << 40))
		return tfs_error_set(TFS_EINVALID, "file too large");
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

static int buf_truncate(tfs_buf *b, uint64_t size)
{
	if (size > b->size) {
		if (size > (uint64_t)1 << 40 || tfs_buf_grow(b, size) < 0)
			return tfs_error_set(TFS_EINVALID, "file too large");
		memset(b->ptr + b->size, 0, (size_t)size - b->size);
	}
	b->size = (size_t)size;
	if (b->ptr)
		b->ptr[b->size] = '\0';
	return 0;
}

static int file_write_req(tfs_tree *t, tfs_file *f, uint64_t off,
			  const char *data, size_t len)
{
	int error;

	if (!f->writable)
		return tfs_error_set(TFS_EACCESS, "not open for writing");
	pthread_mutex_lock(&t->mu);
	if (f->mem && f->mem->type == M_DROP) {
		struct mem *m = f->mem;
		ssize_t put = pwrite(m->fd, data, len, (off_t)off);
		error = 0;
		if (put != (ssize_t)len)
			error = tfs_error_set(TFS_ERROR, "cannot spool the "
					      "package: %s", strerror(errno));
		else if (off + len > m->size)
			m->size = off + len;
	} else if (f->mem) {
		if (f->append)
			off = f->mem->data.size;
		error = buf_write(&f->mem->data, off, data, len);
		f->mem->mtime = tfs_now();
	} else {
		if (f->append)
			off = f->data.size;
		error = buf_write(&f->data, off, data, len);
	}
	if (!error)
		f->dirty = f->written = true;
	pthread_mutex_unlock(&t->mu);
	return error;
}

int tfs_file_write(tfs_tree *t, tfs_file *f, uint64_t off, const char *data,
		   size_t len)
{
	int error = file_write_req(t, f, off, data, len);

	tfs_store_reads_done(t->st);
	return error;
}

static int file_truncate_req(tfs_tree *t, tfs_file *f, uint64_t size)
{
	int error;

	if (!f->writable)
		return tfs_error_set(TFS_EACCESS, "not open for writing");
	pthread_mutex_lock(&t->mu);
	if (f->mem && f->mem->type == M_DROP) {
		error = ftruncate(f->mem->fd, (off_t)size) < 0 ?
			tfs_error_set(TFS_ERROR, "truncate: %s",
				      strerror(errno)) : 0;
		if (!error)
			f->mem->size = size;
	} else {
		error = buf_truncate(f->mem ? &f->mem->data : &f->data, size);
	}
	if (!error)
		f->dirty = f->written = true;
	pthread_mutex_unlock(&t->mu);
	return error;
}

int tfs_file_truncate(tfs_tree *t, tfs_file *f, uint64_t size)
{
	int error = file_truncate_req(t, f, size);

	tfs_store_reads_done(t->st);
	return error;
}

static void progress(void *ctx, uint64_t done, uint64_t total)
{
	tfs_tree *t = ctx;

	pthread_mutex_lock(&t->run_mu);
	tfs_buf_clear(&t->run.text);
	tfs_buf_printf(&t->run.text, "running\nobjects: %llu/%llu\n",
		       (unsigned long long)done, (unsigned long long)total);
	pthread_mutex_unlock(&t->run_mu);
}

/*
 * Import the package dropped as memory node `m` (its directory decides
 * how), store the result (and preview diff) next to it, and remove the
 * dropped file.  While it runs, <name>.result reads "running" with the
 * progress, served from t->run without the tree's lock.
 */
static int run_import(tfs_tree *t, struct mem *m, const tfs_caller *who)
{
	tfs_inst *in = tfs_store_inst(t->st, m->inst);
	tfs_buf result = TFS_BUF_INIT, diff = TFS_BUF_INIT;
	tfs_pkg_mode mode = m->n == I_VALIDATE ? TFS_PKG_VALIDATE :
			    m->n == I_APPLY_UNVAL ? TFS_PKG_APPLY_UNVALIDATED :
			    m->n == I_PREVIEW ? TFS_PKG_PREVIEW : TFS_PKG_APPLY;
	char user[64], rname[300], dname[300], reason[512];
	int error, stored;

	if (!in)
		return TFS_ENOTFOUND;
	user_of(t, who, user);
	snprintf(rname, sizeof(rname), "%s.result", m->name);
	snprintf(dname, sizeof(dname), "%s.diff", m->name);
	pthread_mutex_lock(&t->run_mu);
	t->run.inst = m->inst;
	t->run.parent = m->parent;
	snprintf(t->run.name, sizeof(t->run.name), "%s", rname);
	t->run.mtime = tfs_now();
	t->run.active = true;
	tfs_buf_clear(&t->run.text);
	tfs_buf_puts(&t->run.text, "running\nobjects: 0/0\n");
	pthread_mutex_unlock(&t->run_mu);
	inval_entry(t, m->parent, rname);

	error = tfs_pkg_import(&result, mode == TFS_PKG_PREVIEW ? &diff : NULL,
			       in, user, m->tmp, mode, progress, t);
	snprintf(reason, sizeof(reason), "%s", tfs_error_last());
	stored = tfs_drop_put(in, m->n, rname, result.ptr, result.size);
	if (!stored && mode == TFS_PKG_PREVIEW)
		stored = tfs_drop_put(in, m->n, dname, diff.ptr, diff.size);

	pthread_mutex_lock(&t->run_mu);
	t->run.active = false;
	tfs_buf_clear(&t->run.text);
	tfs_buf_put(&t->run.text, result.ptr, result.size);
	pthread_mutex_unlock(&t->run_mu);

	/* The dropped file has done its work. */
	inval_entry(t, m->parent, m->name);
	inval_entry(t, m->parent, rname);
	inval_entry(t, m->parent, dname);
	inval_inode(t, m->parent);
	mem_unlink(t, m);
	tfs_buf_free(&result);
	tfs_buf_free(&diff);
	if (error < 0)
		return tfs_error_set(error, "%s", reason);
	return stored;
}

/*
 * Commit what `f` holds.  A file only truncated by its open (O_TRUNC) and
 * not written yet is left alone until its last close (`final`): a shell
 * opening `> file` for a command closes one descriptor after dup2() before
 * the command writes through the other, and that first close must not
 * store an empty file.
 */
static int flush_file(tfs_tree *t, tfs_file *f, bool final)
{
	struct mem *m = f->mem;

	if (!f->dirty || (!final && !f->written))
		return 0;
	f->dirty = false;
	if (m && m->type == M_SCRATCH)
		return 0;
	if (m && m->type == M_DROP)
		return run_import(t, m, &f->who);
	if (m && m->type == M_NEW) {
		int error = commit_new(t, m, &f->who);
		if (error == 0 && m->obj) {
			/* Further writes through this file update the
			 * object; they start from what was stored. */
			f->mem = NULL;
			m->nopen--;
			f->ino = INO(C_OBJ, m->inst, m->obj);
			count_writer(t, f->ino, +1);
			tree_content(&f->data, t, f->ino, &(bool){false});
			mem_maybe_free(t, m);
		}
		return error;
	}
	return commit_stored(t, f->ino, f->data.ptr ? f->data.ptr : "",
			     f->data.size, &f->who);
}

static int file_flush_req(tfs_tree *t, tfs_file *f)
{
	int error;

	if (!f->dirty)
		return 0; /* readers never wait for a running import */
	pthread_mutex_lock(&t->mu);
	error = flush_file(t, f, false);
	pthread_mutex_unlock(&t->mu);
	return error;
}

int tfs_file_flush(tfs_tree *t, tfs_file *f)
{
	int error = file_flush_req(t, f);

	tfs_store_reads_done(t->st);
	return error;
}

static void file_release_req(tfs_tree *t, tfs_file *f)
{
	if (!f)
		return;
	if (!f->writable && !f->mem) {
		tfs_buf_free(&f->data);
		free(f);
		return;
	}
	pthread_mutex_lock(&t->mu);
	/* Normally flushed already; a last chance for writers that never
	 * flushed or only truncated (the result is logged, not returned). */
	flush_file(t, f, true);
	if (f->writable && !f->mem && INO_CLASS(f->ino) == C_OBJ)
		count_writer(t, f->ino, -1);
	if (f->mem) {
		f->mem->nopen--;
		mem_maybe_free(t, f->mem);
	}
	pthread_mutex_unlock(&t->mu);
	tfs_buf_free(&f->data);
	free(f);
}

void tfs_file_release(tfs_tree *t, tfs_file *f)
{
	file_release_req(t, f);
	tfs_store_reads_done(t->st);
}

/* ---- names ------------------------------------------------------------------------- */

static int tree_create_req(tfs_file **out, tfs_attr *attr, tfs_tree *t,
			   uint64_t parent, const char *name, mode_t mode,
			   int flags, const tfs_caller *who)
{
	struct target tg;
	struct mem *m;
	bool direct, keep;
	int error = 0;

	(void)mode;
	*out = NULL;
	pthread_mutex_lock(&t->mu);
	if ((m = mem_by_name(t, parent, name))) {
		error = (flags & O_EXCL) ? tfs_error_set(TFS_EEXISTS, "%s "
				"exists", name) :
			open_file(out, t, m->ino, flags | O_TRUNC, who,
				  &direct, &keep);
		if (!error)
			error = mem_attr(attr, t, m);
		goto done;
	}
	classify(&tg, t, parent, name);
	switch (tg.kind) {
	case TG_NONE:
		error = tg.error;
		tfs_error_set(error, "%s", tfs_error_last());
		goto done;
	case TG_STORED:
		/* Re-creating a hidden name (vim's write after its backup
		 * rename) or O_CREAT on an existing file. */
		if ((error = open_file(out, t, tg.ino, flags | O_TRUNC, who,
				       &direct, &keep)) < 0)
			goto done;
		error = tree_getattr(attr, t, tg.ino);
		if (error == 0) {
			attr->size = 0;
			attr->volatile_entry = true;
		}
		goto done;
	case TG_DROP: {
		char tmp[4200];
		if (!tg.in) {
			error = TFS_ENOTFOUND;
			goto done;
		}
		if (!(m = mem_new(t, M_DROP, parent, name))) {
			error = TFS_ERROR;
			goto done;
		}
		/* Packages can be large: spool to disk, not memory. */
		snprintf(tmp, sizeof(tmp), "%s/tmp/drop-XXXXXX",
			 tfs_store_path(t->st));
		m->fd = mkstemp(tmp);
		if (m->fd < 0 || !(m->tmp = strdup(tmp))) {
			error = tfs_error_set(TFS_ERROR, "cannot spool the "
					      "package: %s", strerror(errno));
			if (m->fd >= 0) {
				close(m->fd);
				unlink(tmp);
			}
			m->fd = -1;
			mem_unlink(t, m);
			goto done;
		}
		m->inst = tfs_inst_id(tg.in);
		m->n = (int)INO_B(parent);
		if ((error = open_file(out, t, m->ino, flags, who, &direct,
				       &keep)) < 0) {
			mem_unlink(t, m);
			goto done;
		}
		error = mem_attr(attr, t, m);
		break;
	}
	case TG_NEW:
		if (in_locked_dir(tg.in, tg.okind, tg.type)) {
			error = tfs_error_set(TFS_ELOCKED, "metadata of %s/%s "
					      "is locked", tfs_inst_tenant(tg.in),
					      tfs_inst_name(tg.in));
			goto done;
		}
		/* fall through */
	case TG_SCRATCH:
		if (!(m = mem_new(t, tg.kind == TG_NEW ? M_NEW : M_SCRATCH,
				  parent, name))) {
			error = TFS_ERROR;
			goto done;
		}
		if (tg.kind == TG_NEW) {
			m->inst = tfs_inst_id(tg.in);
			m->kind = tg.okind;
			snprintf(m->type_name, sizeof(m->type_name), "%s",
				 tg.type);
		}
		if ((error = open_file(out, t, m->ino, flags, who, &direct,
				       &keep)) < 0) {
			mem_unlink(t, m);
			goto done;
		}
		/* A new object is stored when the creator closes it, even
		 * empty (touch): an empty document is then rejected. */
		if (tg.kind == TG_NEW)
			(*out)->dirty = true;
		error = mem_attr(attr, t, m);
		break;
	}
done:
	if (!error && INO_CLASS(attr->ino) == C_MEM &&
	    (m = mem_by_ino(t, attr->ino)))
		m->nlookup++;
	if (error && *out) {
		(*out)->dirty = false;
		pthread_mutex_unlock(&t->mu);
		tfs_file_release(t, *out);
		*out = NULL;
		return error;
	}
	pthread_mutex_unlock(&t->mu);
	return error;
}

int tfs_tree_create(tfs_file **out, tfs_attr *attr, tfs_tree *t,
		    uint64_t parent, const char *name, mode_t mode, int flags,
		    const tfs_caller *who)
{
	int error =
	    tree_create_req(out, attr, t, parent, name, mode, flags, who);

	tfs_store_reads_done(t->st);
	return error;
}

static int tree_touch_req(tfs_tree *t, uint64_t ino)
{
	int error = 0;

	pthread_mutex_lock(&t->mu);
	if (in_history(t, ino))
		error = tfs_error_set(TFS_ELOCKED, "history is read-only");
	pthread_mutex_unlock(&t->mu);
	return error;
}

int tfs_tree_touch(tfs_tree *t, uint64_t ino)
{
	int error = tree_touch_req(t, ino);

	tfs_store_reads_done(t->st);
	return error;
}

static int tree_truncate_req(tfs_tree *t, uint64_t ino, uint64_t size,
			     const tfs_caller *who)
{
	tfs_buf b = TFS_BUF_INIT;
	struct mem *m;
	bool direct;
	int error;

	pthread_mutex_lock(&t->mu);
	if ((m = mem_by_ino(t, ino)) && m->type != M_HIST &&
	    !(m->type == M_NEW && m->obj)) {
		error = buf_truncate(&m->data, size);
		goto done;
	}
	if (m && m->type == M_NEW && m->obj)
		ino = INO(C_OBJ, m->inst, m->obj);
	if ((error = check_writable(t, ino)) < 0 ||
	    (error = tree_content(&b, t, ino, &direct)) < 0)
		goto done;
	if (b.size == size)
		goto done;
	if ((error = buf_truncate(&b, size)) < 0)
		goto done;
	error = commit_stored(t, ino, b.ptr ? b.ptr : "", b.size, who);
done:
	pthread_mutex_unlock(&t->mu);
	tfs_buf_free(&b);
	return error;
}

int tfs_tree_truncate(tfs_tree *t, uint64_t ino, uint64_t size,
		      const tfs_caller *who)
{
	int error = tree_truncate_req(t, ino, size, who);

	tfs_store_reads_done(t->st);
	return error;
}

static int tree_unlink_req(tfs_tree *t, uint64_t parent, const char *name,
			   const tfs_caller *who)
{
	struct hidden *h;
	struct target tg;
	struct mem *m;
	char user[64];
	int error = 0;

	pthread_mutex_lock(&t->mu);
	if ((m = mem_by_name(t, parent, name)) && m->type == M_HIST) {
		error = tfs_error_set(TFS_ELOCKED, "history is read-only");
		goto done;
	}
	if (m) {
		/* Removing the moved-aside copy of a stored file whose name
		 * is still vacant: the user moved it away and deleted it. */
		if (m->aside_of) {
			for (h = t->hidden; h; h = h->next)
				if (h->ino == m->aside_of)
					break;
			if (h && INO_CLASS(h->ino) == C_OBJ) {
				tfs_inst *in = owner(t, h->ino);
				user_of(t, who, user);
				error = in ? tfs_inst_delete(in, user,
						INO_B(h->ino)) : TFS_ENOTFOUND;
				if (error < 0)
					goto done;
				hidden_drop(t, h);
			}
		}
		mem_unlink(t, m);
		goto done;
	}
	classify(&tg, t, parent, name);
	if (tg.kind != TG_STORED || INO_CLASS(tg.ino) != C_OBJ ||
	    hidden_find(t, parent, name)) {
		tfs_attr a;
		error = tree_lookup(&a, t, parent, name);
		if (error == 0 && INO_CLASS(a.ino) == C_DROPF && owner(t, a.ino)) {
			/* Results of imports may be cleaned up. */
			error = tfs_drop_remove(owner(t, a.ino), INO_B(a.ino));
			inval_inode(t, parent);
			goto done;
		}
		if (error == 0)
			error = in_history(t, parent) ?
				tfs_error_set(TFS_ELOCKED, "history is "
					      "read-only") :
				tfs_error_set(TFS_EACCESS, "%s cannot be "
					      "removed", name);
		goto done;
	}
	user_of(t, who, user);
	error = tfs_inst_delete(tg.in ? tg.in : owner(t, tg.ino), user,
				INO_B(tg.ino));
done:
	pthread_mutex_unlock(&t->mu);
	return error;
}

int tfs_tree_unlink(tfs_tree *t, uint64_t parent, const char *name,
		    const tfs_caller *who)
{
	int error = tree_unlink_req(t, parent, name, who);

	tfs_store_reads_done(t->st);
	return error;
}

/* Copy the bytes of stored file `ino` into temporary node `m`. */
static int copy_aside(tfs_tree *t, struct mem *m, uint64_t ino)
{
	bool direct;

	tfs_buf_clear(&m->data);
	return tree_content(&m->data, t, ino, &direct);
}

static int rename_locked(tfs_tree *t, uint64_t parent, const char *name,
			 const char *newname, unsigned int flags,
			 const tfs_caller *who)
{
	struct mem *src = mem_by_name(t, parent, name);
	struct mem *dst = mem_by_name(t, parent, newname);
	struct target from, to;
	struct hidden *h;
	char user[64];
	int error;

	if (flags & RENAME_EXCHANGE)
		return tfs_error_set(TFS_EINVALID, "exchange not supported");
	if (strcmp(name, newname) == 0)
		return 0;
	classify(&to, t, parent, newname);
	if ((flags & RENAME_NOREPLACE) &&
	    (dst || to.kind == TG_STORED))
		return tfs_error_set(TFS_EEXISTS, "%s exists", newname);
	if (src) {
		if (src->type == M_HIST)
			return tfs_error_set(TFS_ELOCKED, "history is "
					     "read-only");
		if ((src->type == M_NEW && !src->obj) || src->type == M_DROP)
			return tfs_error_set(TFS_EBUSY, "%s is still being "
					     "written", name);
		switch (to.kind) {
		case TG_SCRATCH:
			if (dst)
				mem_unlink(t, dst);
			return mem_rename(t, src, parent, newname);
		case TG_STORED:
			if ((error = commit_stored(t, to.ino, src->data.ptr ?
						   src->data.ptr : "",
						   src->data.size, who)) < 0)
				return error;
			break;
		case TG_NEW: {
			char base[256];
			user_of(t, who, user);
			object_file_name(base, newname);
			if (in_locked_dir(to.in, to.okind, to.type))
				return tfs_error_set(TFS_ELOCKED, "metadata "
						     "is locked");
			error = tfs_inst_save(NULL, to.in, user, to.okind,
					      to.type, base, src->data.ptr ?
					      src->data.ptr : "",
					      src->data.size);
			if (error < 0) {
				char reason[512], path[600];
				snprintf(reason, sizeof(reason), "%s",
					 tfs_error_last());
				snprintf(path, sizeof(path), "%s", newname);
				reject(t, to.in, who, path, reason);
				return tfs_error_set(error, "%s", reason);
			}
			break;
		}
		case TG_DROP:
		case TG_NONE:
			return to.kind == TG_DROP ? tfs_error_set(TFS_EACCESS,
				"copy packages into this directory") :
				to.error;
		}
		if ((h = hidden_find(t, parent, newname)))
			hidden_drop(t, h);
		if (dst)
			mem_unlink(t, dst);
		mem_unlink(t, src);
		/* The kernel now maps `newname` to the temporary inode;
		 * entries of temporary files are never cached, so the next
		 * lookup finds the stored file. */
		inval_entry(t, parent, newname);
		return 0;
	}
	classify(&from, t, parent, name);
	if (from.kind != TG_STORED || hidden_find(t, parent, name)) {
		tfs_attr a;
		if (tree_lookup(&a, t, parent, name) < 0)
			return tfs_error_set(TFS_ENOTFOUND, "no %s", name);
		if (in_history(t, parent))
			return tfs_error_set(TFS_ELOCKED, "history is "
					     "read-only");
		return tfs_error_set(TFS_EACCESS, "%s cannot be renamed",
				     name);
	}
	if (INO_CLASS(from.ino) == C_OBJ &&
	    (error = check_writable(t, from.ino)) < 0)
		return error;
	switch (to.kind) {
	case TG_SCRATCH: {
		/* Moved aside (vim's backup): a temporary copy; the stored
		 * file stays stored but hidden until saved again. */
		struct mem *m;
		if (dst)
			mem_unlink(t, dst);
		if (!(m = mem_new(t, M_SCRATCH, parent, newname)))
			return TFS_ERROR;
		if ((error = copy_aside(t, m, from.ino)) < 0) {
			mem_unlink(t, m);
			return error;
		}
		m->aside_of = from.ino;
		h = calloc(1, sizeof(*h));
		if (!h || !(h->name = strdup(name))) {
			free(h);
			mem_unlink(t, m);
			return tfs_error_set(TFS_ERROR, "out of memory");
		}
		h->parent = parent;
		h->ino = from.ino;
		h->next = t->hidden;
		t->hidden = h;
		inval_entry(t, parent, newname);
		return 0;
	}
	case TG_NEW:
	case TG_STORED:
		if (INO_CLASS(from.ino) != C_OBJ ||
		    (to.kind == TG_STORED && INO_CLASS(to.ino) != C_OBJ))
			return tfs_error_set(TFS_EACCESS, "%s cannot be "
					     "renamed", name);
		user_of(t, who, user);
		{
			char base[256];
			object_file_name(base, newname);
			error = tfs_inst_rename(from.in, user,
						INO_B(from.ino), base);
		}
		if (error == 0 && (h = hidden_find(t, parent, newname)))
			hidden_drop(t, h);
		if (error == 0)
			inval_entry(t, parent, newname);
		return error;
	case TG_DROP:
	case TG_NONE:
		return to.kind == TG_DROP ? tfs_error_set(TFS_EACCESS,
			"copy packages into this directory") : to.error;
	}
	return TFS_ERROR;
}

static int tree_rename_req(tfs_tree *t, uint64_t parent, const char *name,
			   uint64_t newparent, const char *newname,
			   unsigned int flags, const tfs_caller *who)
{
	int error;

	if (parent != newparent)
		return tfs_error_set(TFS_ENOTSUP, "rename across directories");
	pthread_mutex_lock(&t->mu);
	error = rename_locked(t, parent, name, newname, flags, who);
	pthread_mutex_unlock(&t->mu);
	return error;
}

int tfs_tree_rename(tfs_tree *t, uint64_t parent, const char *name,
		    uint64_t newparent, const char *newname, unsigned int flags,
		    const tfs_caller *who)
{
	int error =
	    tree_rename_req(t, parent, name, newparent, newname, flags, who);

	tfs_store_reads_done(t->st);
	return error;
}

static int tree_mkdir_req(tfs_attr *out, tfs_tree *t, uint64_t parent,
			  const char *name, const tfs_caller *who)
{
	tfs_inst *in = owner(t, parent);
	char user[64];
	int64_t dir;
	int error;

	pthread_mutex_lock(&t->mu);
	user_of(t, who, user);
	if (in_history(t, parent)) {
		error = tfs_error_set(TFS_ELOCKED, "history is read-only");
		goto done;
	}
	if (tree_lookup(out, t, parent, name) == 0) {
		error = tfs_error_set(TFS_EEXISTS, "%s exists", name);
		goto done;
	}
	if (INO_CLASS(parent) == C_INST && in &&
	    INO_B(parent) == I_PROJECTS) {
		if ((error = tfs_inst_project_create(in, user, name)) == 0)
			error = tree_lookup(out, t, parent, name);
	} else if (INO_CLASS(parent) == C_INST && in &&
		   INO_B(parent) == I_PACKAGES) {
		if ((error = tfs_pkg_create(in, user, name)) == 0)
			error = tree_lookup(out, t, parent, name);
	} else if (INO_CLASS(parent) == C_INST && in &&
		   (INO_B(parent) == I_MASTER || INO_B(parent) == I_DATA)) {
		error = tfs_inst_dir_create(&dir, in, INO_B(parent) ==
					    I_MASTER ? TFS_KIND_MASTER :
					    TFS_KIND_DATA, name);
		if (error == 0)
			error = tree_lookup(out, t, parent, name);
	} else {
		error = tfs_error_set(TFS_EACCESS, "directories cannot be "
				      "created here");
	}
done:
	pthread_mutex_unlock(&t->mu);
	return error;
}

int tfs_tree_mkdir(tfs_attr *out, tfs_tree *t, uint64_t parent,
		   const char *name, const tfs_caller *who)
{
	int error = tree_mkdir_req(out, t, parent, name, who);

	tfs_store_reads_done(t->st);
	return error;
}

static int tree_rmdir_req(tfs_tree *t, uint64_t parent, const char *name,
			  const tfs_caller *who)
{
	tfs_inst *in = owner(t, parent);
	tfs_attr a;
	char user[64];
	int error;

	pthread_mutex_lock(&t->mu);
	user_of(t, who, user);
	if ((error = tree_lookup(&a, t, parent, name)) < 0)
		goto done;
	if (in_history(t, parent))
		error = tfs_error_set(TFS_ELOCKED, "history is read-only");
	else if (INO_CLASS(a.ino) == C_PKG && in)
		error = tfs_pkg_remove(in, user, INO_B(a.ino));
	else if (INO_CLASS(a.ino) == C_PROJ && in)
		error = tfs_inst_project_remove(in, user, INO_B(a.ino));
	else if (INO_CLASS(a.ino) == C_DIR && in &&
		 INO_CLASS(parent) == C_INST &&
		 (INO_B(parent) == I_MASTER || INO_B(parent) == I_DATA))
		error = tfs_inst_dir_remove(in, INO_B(a.ino));
	else if (!S_ISDIR(a.mode))
		error = tfs_error_set(TFS_ENOTSUP, "not a directory");
	else
		error = tfs_error_set(TFS_EACCESS, "%s cannot be removed",
				      name);
	if (error == 0)
		inval_entry(t, parent, name);
done:
	pthread_mutex_unlock(&t->mu);
	return error;
}

int tfs_tree_rmdir(tfs_tree *t, uint64_t parent, const char *name,
		   const tfs_caller *who)
{
	int error = tree_rmdir_req(t, parent, name, who);

	tfs_store_reads_done(t->st);
	return error;
}
