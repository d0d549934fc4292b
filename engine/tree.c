/*
 * The tree under the mount point: inode numbering, name lookup, attributes
 * and directory listings.  File contents and changes are in tree_file.c.
 *
 * Inode numbers: class << 56 | a << 40 | b.  Classes and their a/b are
 * listed below; all but C_MEM are derived from database row ids, which are
 * never reused (AUTOINCREMENT), so they are stable across mounts.  C_MEM
 * nodes (temporary files, files being created, history snapshots) live in
 * memory, in two hash tables (by inode, by parent and name).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tree_internal.h"
#include "tenantfs/package.h"
#include "tenantfs/error.h"
#include "tenantfs/history.h"

/* ---- memory nodes ------------------------------------------------------------ */

static uint64_t hash_name(uint64_t parent, const char *name)
{
	uint64_t h = 1469598103934665603ULL ^ parent;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 1099511628211ULL;
	return h;
}

static int mem_rehash(tfs_tree *t)
{
	size_t n = t->nbuckets ? t->nbuckets * 2 : 256, i;
	struct mem **by_ino = calloc(n, sizeof(*by_ino));
	struct mem **by_name = calloc(n, sizeof(*by_name));

	if (!by_ino || !by_name) {
		free(by_ino);
		free(by_name);
		return tfs_error_set(TFS_ERROR, "out of memory");
	}
	for (i = 0; i < t->nbuckets; i++) {
		struct mem *m, *next;
		for (m = t->by_ino[i]; m; m = next) {
			next = m->next_ino;
			m->next_ino = by_ino[m->ino % n];
			by_ino[m->ino % n] = m;
		}
		for (m = t->by_name[i]; m; m = next) {
			next = m->next_name;
			m->next_name = by_name[hash_name(m->parent, m->name) % n];
			by_name[hash_name(m->parent, m->name) % n] = m;
		}
	}
	free(t->by_ino);
	free(t->by_name);
	t->by_ino = by_ino;
	t->by_name = by_name;
	t->nbuckets = n;
	return 0;
}

struct mem *mem_by_ino(tfs_tree *t, uint64_t ino)
{
	struct mem *m;

	if (!t->nbuckets)
		return NULL;
	for (m = t->by_ino[ino % t->nbuckets]; m; m = m->next_ino)
		if (m->ino == ino)
			return m;
	return NULL;
}

struct mem *mem_by_name(tfs_tree *t, uint64_t parent, const char *name)
{
	struct mem *m;

	if (!t->nbuckets)
		return NULL;
	for (m = t->by_name[hash_name(parent, name) % t->nbuckets]; m;
	     m = m->next_name)
		if (m->linked && m->parent == parent &&
		    strcmp(m->name, name) == 0)
			return m;
	return NULL;
}

struct mem *mem_new(tfs_tree *t, enum mem_type type, uint64_t parent,
		    const char *name)
{
	struct mem *m;
	size_t b;

	if (t->nmem + 1 > t->nbuckets && mem_rehash(t) < 0)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m || !(m->name = strdup(name))) {
		free(m);
		tfs_error_set(TFS_ERROR, "out of memory");
		return NULL;
	}
	m->type = type;
	m->ino = INO(C_MEM, 0, ++t->next_mem);
	m->parent = parent;
	m->linked = true;
	m->mtime = tfs_now();
	b = m->ino % t->nbuckets;
	m->next_ino = t->by_ino[b];
	t->by_ino[b] = m;
	b = hash_name(parent, name) % t->nbuckets;
	m->next_name = t->by_name[b];
	t->by_name[b] = m;
	t->nmem++;
	return m;
}

/* Take `m` out of its directory (the inode lives on while referenced). */
void mem_unlink(tfs_tree *t, struct mem *m)
{
	/* A kernel that keeps the listing must not keep this name. */
	if (m->linked && tfs_tree_listing_cacheable(m->parent))
		inval_inode(t, m->parent);
	m->linked = false;
	mem_maybe_free(t, m);
}

/* Move `m` to a new name (memory-only rename). */
int mem_rename(tfs_tree *t, struct mem *m, uint64_t parent, const char *name)
{
	struct mem **pp;
	char *copy = strdup(name);
	size_t b;

	if (!copy)
		return tfs_error_set(TFS_ERROR, "out of memory");
	b = hash_name(m->parent, m->name) % t->nbuckets;
	for (pp = &t->by_name[b]; *pp; pp = &(*pp)->next_name) {
		if (*pp == m) {
			*pp = m->next_name;
			break;
		}
	}
	free(m->name);
	m->name = copy;
	m->parent = parent;
	b = hash_name(parent, name) % t->nbuckets;
	m->next_name = t->by_name[b];
	t->by_name[b] = m;
	return 0;
}

void mem_maybe_free(tfs_tree *t, struct mem *m)
{
	struct mem **pp;
	size_t b;

	if (m->linked || m->nlookup > 0 || m->nopen > 0 || m->child_refs > 0)
		return;
	if (m->slot)
		t->hslot[m->slot] = NULL;
	b = m->ino % t->nbuckets;
	for (pp = &t->by_ino[b]; *pp; pp = &(*pp)->next_ino)
		if (*pp == m) {
			*pp = m->next_ino;
			break;
		}
	b = hash_name(m->parent, m->name) % t->nbuckets;
	for (pp = &t->by_name[b]; *pp; pp = &(*pp)->next_name)
		if (*pp == m) {
			*pp = m->next_name;
			break;
		}
	if (m->tmp) {
		close(m->fd);
		unlink(m->tmp);
		free(m->tmp);
	}
	tfs_buf_free(&m->data);
	free(m->name);
	free(m->path);
	free(m);
	t->nmem--;
}

/* ---- inode sets ---------------------------------------------------------------- */

/* Where `ino` starts probing in a table of `cap` (a power of two) slots.
 * Inode numbers differ in few, high bits (instance) and run in sequence
 * (rows): mixed, so that neither clusters. */
static size_t ino_slot(uint64_t ino, size_t cap)
{
	ino ^= ino >> 33;
	ino *= 0xff51afd7ed558ccdULL;
	ino ^= ino >> 33;
	return (size_t)ino & (cap - 1);
}

int inoset_add(struct inoset *s, uint64_t ino)
{
	size_t i;

	if ((s->n + 1) * 2 > s->cap) {
		struct inoset bigger = {0};
		bigger.cap = s->cap ? s->cap * 2 : 64;
		bigger.v = calloc(bigger.cap, sizeof(*bigger.v));
		if (!bigger.v)
			return tfs_error_set(TFS_ERROR, "out of memory");
		for (i = 0; i < s->cap; i++)
			if (s->v[i])
				inoset_add(&bigger, s->v[i]);
		free(s->v);
		*s = bigger;
	}
	for (i = ino_slot(ino, s->cap); s->v[i]; i = (i + 1) & (s->cap - 1))
		if (s->v[i] == ino)
			return 0;
	s->v[i] = ino;
	s->n++;
	return 0;
}

bool inoset_has(const struct inoset *s, uint64_t ino)
{
	size_t i;

	if (!s->cap)
		return false;
	for (i = ino_slot(ino, s->cap); s->v[i]; i = (i + 1) & (s->cap - 1))
		if (s->v[i] == ino)
			return true;
	return false;
}

void inoset_free(struct inoset *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

bool in_history(tfs_tree *t, uint64_t ino)
{
	struct mem *m;

	if (INO_CLASS(ino) == C_INST && INO_B(ino) == I_HISTORY)
		return true;
	if (INO_CLASS(ino) == C_HFILE)
		return true;
	return INO_CLASS(ino) == C_MEM && (m = mem_by_ino(t, ino)) &&
	       m->type == M_HIST;
}

/* ---- hidden (moved-aside) names --------------------------------------------- */

struct hidden *hidden_find(tfs_tree *t, uint64_t parent, const char *name)
{
	struct hidden *h;

	for (h = t->hidden; h; h = h->next)
		if (h->parent == parent && strcmp(h->name, name) == 0)
			return h;
	return NULL;
}

void hidden_drop(tfs_tree *t, struct hidden *victim)
{
	struct hidden **pp;

	for (pp = &t->hidden; *pp; pp = &(*pp)->next) {
		if (*pp == victim) {
			/* the stored file's name shows again */
			if (tfs_tree_listing_cacheable(victim->parent))
				inval_inode(t, victim->parent);
			*pp = victim->next;
			free(victim->name);
			free(victim);
			return;
		}
	}
}

/* ---- setup ---------------------------------------------------------------------- */

static void observe(void *ctx, int64_t inst, tfs_change_op op, int64_t dir,
		    int64_t obj, const char *name);

int tfs_tree_new(tfs_tree **out, tfs_store *st, uid_t uid, gid_t gid)
{
	tfs_tree *t = calloc(1, sizeof(*t));

	*out = NULL;
	if (!t)
		return tfs_error_set(TFS_ERROR, "out of memory");
	pthread_mutex_init(&t->mu, NULL);
	pthread_mutex_init(&t->run_mu, NULL);
	t->st = st;
	t->uid = uid;
	t->gid = gid;
	t->mounted = tfs_store_created(st);
	if (!t->mounted)
		t->mounted = tfs_now();
	if (mem_rehash(t) < 0) {
		free(t);
		return TFS_ERROR;
	}
	tfs_store_set_observer(st, observe, t);
	*out = t;
	return 0;
}

void tfs_tree_free(tfs_tree *t)
{
	size_t i;

	if (!t)
		return;
	tfs_store_set_observer(t->st, NULL, NULL);
	for (i = 0; i < t->nbuckets; i++) {
		struct mem *m, *next;
		for (m = t->by_ino[i]; m; m = next) {
			next = m->next_ino;
			if (m->tmp) {
				close(m->fd);
				unlink(m->tmp);
				free(m->tmp);
			}
			tfs_buf_free(&m->data);
			free(m->name);
			free(m->path);
			free(m);
		}
	}
	while (t->hidden)
		hidden_drop(t, t->hidden);
	while (t->writers) {
		struct writer *w = t->writers;
		t->writers = w->next;
		free(w);
	}
	inoset_free(&t->touched);
	inoset_free(&t->pushed);
	free(t->hslot);
	free(t->by_ino);
	free(t->by_name);
	tfs_buf_free(&t->run.text);
	pthread_mutex_destroy(&t->run_mu);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

void tfs_tree_set_notify(tfs_tree *t, const tfs_tree_notify *n)
{
	pthread_mutex_lock(&t->mu);
	t->nt = *n;
	pthread_mutex_unlock(&t->mu);
}

uint64_t tfs_tree_listing_gen(tfs_tree *t)
{
	return __atomic_load_n(&t->listing_gen, __ATOMIC_ACQUIRE);
}

void tfs_tree_listing_changed(tfs_tree *t, uint64_t ino)
{
	pthread_mutex_lock(&t->mu);
	inval_inode(t, ino);
	pthread_mutex_unlock(&t->mu);
}

void inval_inode(tfs_tree *t, uint64_t ino)
{
	if (tfs_tree_listing_cacheable(ino))
		__atomic_add_fetch(&t->listing_gen, 1, __ATOMIC_RELEASE);
	if (INO_CLASS(ino) == C_OBJ)
		inoset_add(&t->touched, ino);
	if (t->nt.inval_inode)
		t->nt.inval_inode(t->nt.ctx, ino);
}

bool tfs_tree_listing_cacheable(uint64_t ino)
{
	return INO_CLASS(ino) == C_DIR ||
	       (INO_CLASS(ino) == C_INST && INO_B(ino) == I_VALIDATION);
}

void inval_entry(tfs_tree *t, uint64_t parent, const char *name)
{
	if (t->nt.inval_entry)
		t->nt.inval_entry(t->nt.ctx, parent, name);
	/* The kernel drops a cached listing with the entry only if it has
	 * the entry's dentry: drop the listing itself. */
	if (tfs_tree_listing_cacheable(parent))
		inval_inode(t, parent);
}

uint64_t obj_parent(int64_t inst, tfs_kind kind, int64_t dir)
{
	if (kind == TFS_KIND_VALIDATION)
		return INO(C_INST, inst, I_VALIDATION);
	return INO(C_DIR, inst, dir);
}

/*
 * Observer of committed changes (called with the tree's mutex held, from
 * inside the engine call that made the change): drop what the kernel may
 * have cached.
 */
static void observe(void *ctx, int64_t inst, tfs_change_op op, int64_t dir,
		    int64_t obj, const char *name)
{
	tfs_tree *t = ctx;
	tfs_inst *in = tfs_store_inst(t->st, inst);
	char file[300];
	tfs_kind kind = TFS_KIND_METADATA;
	char type[256];

	if (op == TFS_CHANGE_INSTANCE) {
		static const int files[] = {I_CONF, I_HLOG, I_LOG,
					    I_REVERT_RESULT, I_HISTORY,
					    I_PROJECTS, I_DIR, I_ACTIVE,
					    I_PACKAGES, I_APPLY, I_VALIDATE,
					    I_APPLY_UNVAL, I_PREVIEW};
		size_t i;
		for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
			inval_inode(t, INO(C_INST, inst, files[i]));
		if (in)
			inval_inode(t, INO(C_TENANT, in->tenant_id, 2));
		return;
	}
	if (!in || tfs_inst_dir_get(in, dir, &kind, type) < 0)
		return;
	if (op == TFS_CHANGE_DIR) {
		inval_inode(t, obj_parent(inst, kind, dir));
		return;
	}
	snprintf(file, sizeof(file), "%s.xml", name);
	inval_inode(t, INO(C_OBJ, inst, obj));
	inval_inode(t, obj_parent(inst, kind, dir));
	if (op == TFS_CHANGE_DELETE)
		inval_entry(t, obj_parent(inst, kind, dir), file);
}

/* ---- attributes ------------------------------------------------------------------- */

static int hfile_attr(tfs_attr *out, tfs_tree *t, uint64_t ino);

static void dir_attr(tfs_attr *a, uint64_t ino, int64_t mtime, bool cache)
{
	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->mode = S_IFDIR | 0755;
	a->nlink = 2;
	a->size = 4096;
	a->mtime = mtime;
	a->cacheable = cache;
}

static void file_attr(tfs_attr *a, uint64_t ino, uint32_t perm,
		      uint64_t size, int64_t mtime, bool cache)
{
	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->mode = S_IFREG | perm;
	a->nlink = 1;
	a->size = size;
	a->mtime = mtime;
	a->cacheable = cache;
}

bool object_file_name(char out[256], const char *file)
{
	size_t n = strlen(file);

	if (n <= 4 || n - 4 >= 256 || strcmp(file + n - 4, ".xml") != 0)
		return false;
	memcpy(out, file, n - 4);
	out[n - 4] = '\0';
	return tfs_name_valid(out);
}

static tfs_inst *inst_of(tfs_tree *t, uint64_t ino)
{
	return tfs_store_inst(t->st, INO_A(ino));
}

int tree_object_dir(tfs_inst **in, int64_t *dir, tfs_kind *kind,
		    char type[256], tfs_tree *t, uint64_t ino)
{
	int cls = INO_CLASS(ino), error;

	if (cls == C_INST && INO_B(ino) == I_VALIDATION) {
		if (!(*in = inst_of(t, ino)))
			return TFS_ENOTFOUND;
		*kind = TFS_KIND_VALIDATION;
		type[0] = '\0';
		return tfs_inst_dir_find(dir, *in, TFS_KIND_VALIDATION, "");
	}
	if (cls != C_DIR)
		return TFS_ENOTFOUND;
	if (!(*in = inst_of(t, ino)))
		return TFS_ENOTFOUND;
	*dir = INO_B(ino);
	if ((error = tfs_inst_dir_get(*in, *dir, kind, type)) < 0)
		return error;
	return 0;
}

static int64_t store_mtime(tfs_tree *t)
{
	uint64_t size;
	int64_t mtime = 0;

	tfs_store_events_size(t->st, &size, &mtime);
	return mtime ? mtime : t->mounted;
}

int mem_attr(tfs_attr *out, tfs_tree *t, struct mem *m)
{
	tfs_obj_info info;
	tfs_inst *in;

	switch (m->type) {
	case M_HIST:
		if (m->is_dir)
			dir_attr(out, m->ino, m->mtime, true);
		else
			file_attr(out, m->ino, 0444, m->size, m->mtime, true);
		return 0;
	case M_NEW:
		if (m->obj && (in = tfs_store_inst(t->st, m->inst)) &&
		    tfs_inst_obj_get(&info, in, m->obj) == 0) {
			file_attr(out, m->ino, 0644, (uint64_t)info.size,
				  info.mtime, false);
			out->volatile_entry = true;
			return 0;
		}
		/* fall through */
	case M_SCRATCH:
		file_attr(out, m->ino, 0644, m->data.size, m->mtime, false);
		out->volatile_entry = true;
		return 0;
	case M_DROP:
		file_attr(out, m->ino, 0644, m->size, m->mtime, false);
		out->volatile_entry = true;
		return 0;
	}
	return TFS_ERROR;
}

/* Content-derived attributes of a generated file. */
static int text_attr(tfs_attr *out, tfs_tree *t, uint64_t ino,
		     uint32_t perm, int64_t mtime)
{
	tfs_buf b = TFS_BUF_INIT;
	bool direct;
	int error = tree_content(&b, t, ino, &direct);

	if (error == 0)
		file_attr(out, ino, perm, b.size, mtime, !direct);
	tfs_buf_free(&b);
	return error;
}

int tree_getattr(tfs_attr *out, tfs_tree *t, uint64_t ino)
{
	int64_t a = INO_A(ino), b = INO_B(ino);
	tfs_obj_info info;
	tfs_inst *in;
	tfs_row row;
	struct mem *m;
	int error;

	switch (INO_CLASS(ino)) {
	case C_GLOBAL:
		switch (b) {
		case G_ROOT: case G_USERS: case G_LANDSCAPES: case G_TENANTS:
			dir_attr(out, ino, store_mtime(t), false);
			return 0;
		case G_EVENTS: {
			uint64_t size;
			int64_t mtime;
			if ((error = tfs_store_events_size(t->st, &size,
							   &mtime)) < 0)
				return error;
			file_attr(out, ino, 0444, size, mtime, false);
			return 0;
		}
		case G_README:
			return text_attr(out, t, ino, 0444, t->mounted);
		case G_STATUS:
			return text_attr(out, t, ino, 0444, store_mtime(t));
		}
		break;
	case C_USER:
		if ((error = tfs_store_get(&row, t->st, TFS_ENT_USER, b)) < 0)
			return error;
		return text_attr(out, t, ino, 0644, row.mtime);
	case C_GROUP:
		if ((error = tfs_store_get(&row, t->st, TFS_ENT_GROUP, a)) < 0)
			return error;
		if (b == 0) {
			dir_attr(out, ino, row.mtime, false);
			return 0;
		}
		return text_attr(out, t, ino, 0644, row.mtime);
	case C_LAND:
		if ((error = tfs_store_get(&row, t->st, TFS_ENT_LANDSCAPE,
					   a)) < 0)
			return error;
		if (b != 1) {
			dir_attr(out, ino, row.mtime, false);
			return 0;
		}
		return text_attr(out, t, ino, 0644, row.mtime);
	case C_SERVER:
		if ((error = tfs_store_get(&row, t->st, TFS_ENT_SERVER, b)) < 0)
			return error;
		return text_attr(out, t, ino, 0644, row.mtime);
	case C_TENANT:
		if ((error = tfs_store_get(&row, t->st, TFS_ENT_TENANT, a)) < 0)
			return error;
		if (b == 0) {
			dir_attr(out, ino, row.mtime, false);
			return 0;
		}
		return text_attr(out, t, ino, b == 1 ? 0644 : 0444,
				 b == 2 ? store_mtime(t) : row.mtime);
	case C_INST: {
		int64_t mtime;
		if (!(in = inst_of(t, ino)))
			return TFS_ENOTFOUND;
		mtime = tfs_inst_mtime(in);
		switch (b) {
		case I_DIR: case I_METADATA: case I_VALIDATION: case I_SETTINGS:
		case I_MASTER: case I_DATA: case I_PROJECTS: case I_HISTORY:
		case I_PACKAGES: case I_APPLY: case I_VALIDATE:
		case I_APPLY_UNVAL: case I_PREVIEW: case I_PUSH:
			dir_attr(out, ino, mtime, false);
			return 0;
		case I_CONF: case I_ACTIVE: case I_REVERT:
			return text_attr(out, t, ino, 0644, mtime);
		case I_HLOG: case I_LOG: case I_REVERT_RESULT:
			return text_attr(out, t, ino, 0444, mtime);
		}
		break;
	}
	case C_DIR:
		if (!(in = inst_of(t, ino)))
			return TFS_ENOTFOUND;
		{
			tfs_kind kind;
			char type[256];
			if ((error = tfs_inst_dir_get(in, b, &kind, type)) < 0)
				return error;
		}
		dir_attr(out, ino, tfs_inst_mtime(in), false);
		return 0;
	case C_OBJ:
		if (!(in = inst_of(t, ino)))
			return TFS_ENOTFOUND;
		if ((error = tfs_inst_obj_get(&info, in, b)) < 0)
			return error;
		file_attr(out, ino, 0644, (uint64_t)info.size, info.mtime,
			  true);
		return 0;
	case C_PROJ:
	case C_PROJTS:
		if (!(in = inst_of(t, ino)))
			return TFS_ENOTFOUND;
		if ((error = tfs_inst_project_get(&row, in, b)) < 0)
			return error;
		dir_attr(out, ino, row.mtime, false);
		return 0;
	case C_TXSET:
		if (!(in = inst_of(t, ino)))
			return TFS_ENOTFOUND;
		if ((error = tfs_inst_txset_get(&row, NULL, in, b)) < 0)
			return error;
		return text_attr(out, t, ino, 0444, row.mtime);
	case C_MEM:
		if ((m = mem_by_ino(t, ino)))
			return mem_attr(out, t, m);
		break;
	case C_HFILE:
		return hfile_attr(out, t, ino);
	case C_PKG:
		if (!(in = inst_of(t, ino)))
			return TFS_ENOTFOUND;
		if ((error = tfs_pkg_get(&row, in, b)) < 0)
			return error;
		dir_attr(out, ino, row.mtime, false);
		return 0;
	case C_PKGF:
		if (!(in = inst_of(t, ino)))
			return TFS_ENOTFOUND;
		if ((error = tfs_pkg_get(&row, in, b >> 4)) < 0)
			return error;
		return text_attr(out, t, ino, (b & 15) < TFS_PKG_XML ? 0644 :
				 0444, row.mtime);
	case C_DROPF:
		if (!(in = inst_of(t, ino)))
			return TFS_ENOTFOUND;
		if ((error = tfs_drop_get(&row, NULL, in, b)) < 0)
			return error;
		file_attr(out, ino, 0444, (uint64_t)row.size, row.mtime, false);
		out->volatile_entry = true; /* a new result takes the name */
		return 0;
	}
	return tfs_error_set(TFS_ENOTFOUND, "no inode %llx",
			     (unsigned long long)ino);
}

/* ---- lookup ------------------------------------------------------------------------ */

struct name_ino {
	const char *name;
	int code;
};

static const struct name_ino root_names[] = {
	{"README", G_README}, {"events", G_EVENTS}, {"landscapes", G_LANDSCAPES},
	{"status", G_STATUS}, {"tenants", G_TENANTS}, {"users", G_USERS},
	{NULL, 0},
};

static const struct name_ino inst_names[] = {
	{"active-project", I_ACTIVE}, {"apply", I_APPLY},
	{"apply-unvalidated", I_APPLY_UNVAL}, {"data", I_DATA},
	{"history", I_HISTORY}, {"instance.conf", I_CONF}, {"log", I_LOG},
	{"master", I_MASTER}, {"metadata", I_METADATA},
	{"packages", I_PACKAGES}, {"preview", I_PREVIEW},
	{"projects", I_PROJECTS}, {"push", I_PUSH}, {"revert", I_REVERT},
	{"revert.result", I_REVERT_RESULT}, {"settings", I_SETTINGS},
	{"validate", I_VALIDATE}, {"validation", I_VALIDATION},
	{NULL, 0},
};

static int find_name(const struct name_ino *list, const char *name)
{
	for (; list->name; list++)
		if (strcmp(list->name, name) == 0)
			return list->code;
	return -1;
}

/* Name without a ".conf" suffix into out; false if not "<x>.conf". */
static bool conf_name(char out[256], const char *file)
{
	size_t n = strlen(file);

	if (n <= 5 || n - 5 >= 256 || strcmp(file + n - 5, ".conf") != 0)
		return false;
	memcpy(out, file, n - 5);
	out[n - 5] = '\0';
	return true;
}

static bool parse_uint(const char *s, int64_t *out)
{
	int64_t v = 0;

	if (!*s || (*s == '0' && s[1]))
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000000LL)
			return false;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return true;
}

struct mem *hfile_dir(tfs_tree *t, uint64_t ino)
{
	size_t slot = (size_t)INO_A(ino);

	if (INO_CLASS(ino) != C_HFILE || slot >= t->nhslot)
		return NULL;
	return t->hslot[slot];
}

/* A free slot for history directory node `m` (none: 0, its files become
 * memory nodes). */
static void hslot_take(tfs_tree *t, struct mem *m)
{
	size_t i;

	for (i = 1; i < t->nhslot; i++)
		if (!t->hslot[i])
			break;
	if (i >= t->nhslot) {
		size_t n = t->nhslot ? t->nhslot * 2 : 64;
		struct mem **v;
		if (n > (size_t)HSLOT_MAX + 1)
			n = (size_t)HSLOT_MAX + 1;
		if (i >= n || !(v = realloc(t->hslot, n * sizeof(*v))))
			return;
		memset(v + t->nhslot, 0, (n - t->nhslot) * sizeof(*v));
		t->hslot = v;
		t->nhslot = n;
	}
	t->hslot[i] = m;
	m->slot = (uint32_t)i;
}

/*
 * Entry `name` (at `path`, number `index` in its directory's tree) of
 * history commit n, in directory `parent` (NULL: history/<n> itself).
 * Directories are memory nodes; files of a directory node with a slot
 * are C_HFILE inodes, which cost no memory however many the kernel holds.
 */
static int hist_node(tfs_attr *out, tfs_tree *t, struct mem *parent,
		     uint64_t parent_ino, const char *name, int64_t inst,
		     int n, int64_t time, const char *path, int is_dir,
		     size_t size, size_t index)
{
	struct mem *m;

	if (!is_dir && parent && parent->slot && index <= 0xffffffffffULL) {
		file_attr(out, INO(C_HFILE, parent->slot, index), 0444, size,
			  time, true);
		return 0;
	}
	if (!(m = mem_new(t, M_HIST, parent_ino, name)))
		return TFS_ERROR;
	m->inst = inst;
	m->n = n;
	m->path = strdup(path);
	m->is_dir = is_dir;
	m->size = size;
	m->mtime = time;
	if (!m->path)
		return tfs_error_set(TFS_ERROR, "out of memory");
	if (is_dir)
		hslot_take(t, m);
	return mem_attr(out, t, m);
}

/* Entry `name` of history directory node `dir`, or (dir NULL) the root of
 * commit n as history/<n>. */
static int hist_child(tfs_attr *out, tfs_tree *t, struct mem *dir,
		      uint64_t parent, const char *name, int64_t inst, int n)
{
	tfs_inst *in = tfs_store_inst(t->st, inst);
	char oid[41], path[1024];
	int64_t time;
	int is_dir = 1, error;
	size_t size = 0, index = 0;

	if (!in)
		return TFS_ENOTFOUND;
	if ((error = tfs_inst_history_commit(oid, &time, in, n)) < 0)
		return error;
	if (!dir) {
		path[0] = '\0';
	} else {
		if ((error = tfs_history_find(tfs_store_history(t->st), oid,
					      dir->path, name, &index,
					      &is_dir, &size)) < 0)
			return error;
		snprintf(path, sizeof(path), "%s%s%s", dir->path,
			 dir->path[0] ? "/" : "", name);
	}
	return hist_node(out, t, dir, parent, name, inst, n, time, path,
			 is_dir, size, index);
}

/* Attributes of C_HFILE `ino`. */
static int hfile_attr(tfs_attr *out, tfs_tree *t, uint64_t ino)
{
	struct mem *d = hfile_dir(t, ino);
	tfs_inst *in = d ? tfs_store_inst(t->st, d->inst) : NULL;
	char oid[41], name[256];
	int is_dir, error;
	size_t size;

	if (!in)
		return TFS_ENOTFOUND;
	if ((error = tfs_inst_history_commit(oid, NULL, in, d->n)) < 0 ||
	    (error = tfs_history_entry_at(tfs_store_history(t->st), oid,
					  d->path, (size_t)INO_B(ino), name,
					  &is_dir, &size)) < 0)
		return error;
	file_attr(out, ino, 0444, size, d->mtime, true);
	return 0;
}

int tree_lookup(tfs_attr *out, tfs_tree *t, uint64_t parent,
		const char *name)
{
	int64_t a = INO_A(parent), b = INO_B(parent), id, dir;
	char base[256], type[256];
	tfs_obj_info info;
	tfs_kind kind;
	tfs_inst *in;
	tfs_row row;
	struct mem *m;
	int code, error;

	if ((m = mem_by_name(t, parent, name)))
		return mem_attr(out, t, m);
	if (hidden_find(t, parent, name))
		return tfs_error_set(TFS_ENOTFOUND, "no %s", name);
	switch (INO_CLASS(parent)) {
	case C_GLOBAL:
		if (b == G_ROOT) {
			if ((code = find_name(root_names, name)) < 0)
				break;
			return tree_getattr(out, t, INO(C_GLOBAL, 0, code));
		}
		if (b == G_USERS && conf_name(base, name) &&
		    tfs_store_find(&row, t->st, TFS_ENT_USER, 0, base) == 0)
			return tree_getattr(out, t, INO(C_USER, 0, row.id));
		if (b == G_LANDSCAPES &&
		    tfs_store_find(&row, t->st, TFS_ENT_GROUP, 0, name) == 0)
			return tree_getattr(out, t, INO(C_GROUP, row.id, 0));
		if (b == G_TENANTS &&
		    tfs_store_find(&row, t->st, TFS_ENT_TENANT, 0, name) == 0)
			return tree_getattr(out, t, INO(C_TENANT, row.id, 0));
		break;
	case C_GROUP:
		if (b != 0)
			break;
		if (strcmp(name, "group.conf") == 0)
			return tree_getattr(out, t, INO(C_GROUP, a, 1));
		if (tfs_store_find(&row, t->st, TFS_ENT_LANDSCAPE, a,
				   name) == 0)
			return tree_getattr(out, t, INO(C_LAND, row.id, 0));
		break;
	case C_LAND:
		if (b == 0 && strcmp(name, "landscape.conf") == 0)
			return tree_getattr(out, t, INO(C_LAND, a, 1));
		if (b == 0 && strcmp(name, "servers") == 0)
			return tree_getattr(out, t, INO(C_LAND, a, 2));
		if (b == 2 && conf_name(base, name) &&
		    tfs_store_find(&row, t->st, TFS_ENT_SERVER, a, base) == 0)
			return tree_getattr(out, t, INO(C_SERVER, 0, row.id));
		break;
	case C_TENANT:
		if (b != 0)
			break;
		if (strcmp(name, "tenant.conf") == 0)
			return tree_getattr(out, t, INO(C_TENANT, a, 1));
		if (strcmp(name, "dashboard") == 0)
			return tree_getattr(out, t, INO(C_TENANT, a, 2));
		if (tfs_store_find(&row, t->st, TFS_ENT_INSTANCE, a,
				   name) == 0)
			return tree_getattr(out, t, INO(C_INST, row.id, I_DIR));
		break;
	case C_INST:
		if (!(in = inst_of(t, parent)))
			return TFS_ENOTFOUND;
		switch (b) {
		case I_DIR:
			if ((code = find_name(inst_names, name)) < 0)
				break;
			if (code == I_REVERT_RESULT) {
				tfs_buf r = TFS_BUF_INIT;
				tfs_inst_revert_result(&r, in);
				code = r.size ? code : -1;
				tfs_buf_free(&r);
				if (code < 0)
					break;
			}
			return tree_getattr(out, t, INO(C_INST, a, code));
		case I_METADATA:
		case I_SETTINGS:
			kind = b == I_METADATA ? TFS_KIND_METADATA :
						 TFS_KIND_SETTINGS;
			if (tfs_type_valid(kind, name) &&
			    tfs_inst_dir_find(&dir, in, kind, name) == 0)
				return tree_getattr(out, t, INO(C_DIR, a, dir));
			break;
		case I_MASTER:
		case I_DATA:
			kind = b == I_MASTER ? TFS_KIND_MASTER : TFS_KIND_DATA;
			if (tfs_name_valid(name) &&
			    tfs_inst_dir_find(&dir, in, kind, name) == 0)
				return tree_getattr(out, t, INO(C_DIR, a, dir));
			break;
		case I_PROJECTS:
			if (tfs_inst_project_find(&row, in, name) == 0)
				return tree_getattr(out, t,
						    INO(C_PROJ, a, row.id));
			break;
		case I_HISTORY: {
			int count;
			if (strcmp(name, "log") == 0)
				return tree_getattr(out, t,
						    INO(C_INST, a, I_HLOG));
			if (!parse_uint(name, &id) ||
			    tfs_inst_history_count(in, &count) < 0 ||
			    id < 1 || id > count)
				break;
			return hist_child(out, t, NULL, parent, name, a,
					  (int)id);
		}
		case I_VALIDATION:
			goto objects;
		case I_PACKAGES:
			if (tfs_pkg_find(&row, in, name) == 0)
				return tree_getattr(out, t,
						    INO(C_PKG, a, row.id));
			break;
		case I_APPLY: case I_VALIDATE: case I_APPLY_UNVAL:
		case I_PREVIEW:
			if (tfs_drop_find(&row, in, (int)b, name) == 0)
				return tree_getattr(out, t,
						    INO(C_DROPF, a, row.id));
			break;
		}
		break;
	case C_PKG: {
		int f;
		for (f = 0; f < TFS_PKG__COUNT; f++)
			if (strcmp(name, tfs_pkg_file_names[f]) == 0)
				return tree_getattr(out, t, INO(C_PKGF, a,
							(b << 4) | f));
		break;
	}
	case C_DIR:
	objects:
		if ((error = tree_object_dir(&in, &dir, &kind, type, t,
					     parent)) < 0)
			return error;
		if (object_file_name(base, name) &&
		    tfs_inst_obj_find(&info, in, dir, base) == 0)
			return tree_getattr(out, t,
					    INO(C_OBJ, tfs_inst_id(in), info.id));
		break;
	case C_PROJ:
		if (strcmp(name, "transaction-sets") == 0)
			return tree_getattr(out, t, INO(C_PROJTS, a, b));
		break;
	case C_PROJTS: {
		int64_t project;
		char num[256];
		if (!(in = inst_of(t, parent)))
			return TFS_ENOTFOUND;
		if (!object_file_name(num, name) || !parse_uint(num, &id) ||
		    tfs_inst_txset_get(&row, &project, in, id) < 0 ||
		    project != b)
			break;
		return tree_getattr(out, t, INO(C_TXSET, a, id));
	}
	case C_MEM:
		if ((m = mem_by_ino(t, parent)) && m->type == M_HIST &&
		    m->is_dir) {
			error = hist_child(out, t, m, parent, name, m->inst,
					   m->n);
			return error == TFS_ENOTFOUND ?
			       tfs_error_set(TFS_ENOTFOUND, "no %s", name) :
			       error;
		}
		break;
	}
	return tfs_error_set(TFS_ENOTFOUND, "no %s", name);
}

/* The result of the import running now, served without `mu`: 1 if
 * (parent, name) or `ino` is it, with *out filled. */
static int running_result(tfs_attr *out, tfs_tree *t, uint64_t parent,
			  const char *name, uint64_t ino)
{
	int found = 0;

	pthread_mutex_lock(&t->run_mu);
	if (ino ? ino == INO(C_DROPF, t->run.inst, DROP_RUNNING) :
	    t->run.active && t->run.parent == parent &&
	    strcmp(t->run.name, name) == 0) {
		file_attr(out, INO(C_DROPF, t->run.inst, DROP_RUNNING), 0444,
			  t->run.text.size, t->run.mtime, false);
		out->volatile_entry = true;
		found = 1;
	}
	pthread_mutex_unlock(&t->run_mu);
	return found;
}

/* The kernel took a reference to `ino`: memory nodes count them. */
static void take_ref(tfs_tree *t, uint64_t ino)
{
	struct mem *m = NULL;

	if (INO_CLASS(ino) == C_MEM)
		m = mem_by_ino(t, ino);
	if (m)
		m->nlookup++;
	else if ((m = hfile_dir(t, ino)))
		m->child_refs++;
}

static int tree_lookup_req(tfs_attr *out, tfs_tree *t, uint64_t parent,
			   const char *name)
{
	int error;

	if (INO_CLASS(parent) == C_INST && IS_DROP_DIR(INO_B(parent)) &&
	    running_result(out, t, parent, name, 0))
		return 0;

	pthread_mutex_lock(&t->mu);
	error = tree_lookup(out, t, parent, name);
	if (error == 0)
		take_ref(t, out->ino);
	pthread_mutex_unlock(&t->mu);
	return error;
}

int tfs_tree_lookup(tfs_attr *out, tfs_tree *t, uint64_t parent,
		    const char *name)
{
	int error = tree_lookup_req(out, t, parent, name);

	tfs_store_reads_done(t->st);
	return error;
}

static int tree_getattr_req(tfs_attr *out, tfs_tree *t, uint64_t ino)
{
	int error;

	if (INO_CLASS(ino) == C_DROPF && (uint64_t)INO_B(ino) == DROP_RUNNING)
		return running_result(out, t, 0, NULL, ino) ? 0 :
		       tfs_error_set(TFS_ENOTFOUND, "no such file");

	pthread_mutex_lock(&t->mu);
	error = tree_getattr(out, t, ino);
	pthread_mutex_unlock(&t->mu);
	return error;
}

int tfs_tree_getattr(tfs_attr *out, tfs_tree *t, uint64_t ino)
{
	int error = tree_getattr_req(out, t, ino);

	tfs_store_reads_done(t->st);
	return error;
}

void tfs_tree_ref(tfs_tree *t, uint64_t ino)
{
	if (INO_CLASS(ino) != C_MEM && INO_CLASS(ino) != C_HFILE)
		return;
	pthread_mutex_lock(&t->mu);
	take_ref(t, ino);
	pthread_mutex_unlock(&t->mu);
}

void tfs_tree_forget(tfs_tree *t, uint64_t ino, uint64_t nlookup)
{
	struct mem *m;

	if (INO_CLASS(ino) == C_HFILE) {
		pthread_mutex_lock(&t->mu);
		if ((m = hfile_dir(t, ino))) {
			m->child_refs = m->child_refs > nlookup ?
					m->child_refs - nlookup : 0;
			mem_maybe_free(t, m);
		}
		pthread_mutex_unlock(&t->mu);
		return;
	}
	if (INO_CLASS(ino) != C_MEM)
		return;
	pthread_mutex_lock(&t->mu);
	if ((m = mem_by_ino(t, ino))) {
		m->nlookup = m->nlookup > nlookup ? m->nlookup - nlookup : 0;
		if (m->type == M_HIST && m->nlookup == 0)
			m->linked = false;
		mem_maybe_free(t, m);
	}
	pthread_mutex_unlock(&t->mu);
}

/* ---- listings ---------------------------------------------------------------------- */

struct entry {
	char *name;
	tfs_attr attr;
};

struct listing {
	tfs_tree *t;
	struct entry *e;
	size_t n, alloc;
	uint64_t parent;
	int64_t inst;
	int error;
};

static int add_entry(struct listing *l, const char *name, const tfs_attr *a)
{
	if (l->n == l->alloc) {
		size_t n = l->alloc ? l->alloc * 2 : 32;
		struct entry *e = realloc(l->e, n * sizeof(*e));
		if (!e)
			return tfs_error_set(TFS_ERROR, "out of memory");
		l->e = e;
		l->alloc = n;
	}
	l->e[l->n].name = strdup(name);
	if (!l->e[l->n].name)
		return tfs_error_set(TFS_ERROR, "out of memory");
	l->e[l->n].attr = *a;
	l->n++;
	return 0;
}

/* Add `name` with the attributes of `ino`. */
static int add_ino(struct listing *l, const char *name, uint64_t ino)
{
	tfs_attr a;
	int error = tree_getattr(&a, l->t, ino);

	return error < 0 ? error : add_entry(l, name, &a);
}

static int add_child(struct listing *l, const char *name)
{
	tfs_attr a;
	int error = tree_lookup(&a, l->t, l->parent, name);

	if (error == TFS_ENOTFOUND)
		return 0;
	return error < 0 ? error : add_entry(l, name, &a);
}

static int row_user(void *ctx, const tfs_row *r)
{
	char name[300];

	snprintf(name, sizeof(name), "%s.conf", r->name);
	return add_ino(ctx, name, INO(C_USER, 0, r->id));
}

static int row_server(void *ctx, const tfs_row *r)
{
	char name[300];

	snprintf(name, sizeof(name), "%s.conf", r->name);
	return add_ino(ctx, name, INO(C_SERVER, 0, r->id));
}

static int row_group(void *ctx, const tfs_row *r)
{
	return add_ino(ctx, r->name, INO(C_GROUP, r->id, 0));
}

static int row_land(void *ctx, const tfs_row *r)
{
	return add_ino(ctx, r->name, INO(C_LAND, r->id, 0));
}

static int row_tenant(void *ctx, const tfs_row *r)
{
	return add_ino(ctx, r->name, INO(C_TENANT, r->id, 0));
}

static int row_inst(void *ctx, const tfs_row *r)
{
	return add_ino(ctx, r->name, INO(C_INST, r->id, I_DIR));
}

static int row_dir(void *ctx, const tfs_row *r)
{
	struct listing *l = ctx;

	return add_ino(l, r->name, INO(C_DIR, l->inst, r->id));
}

static int row_package(void *ctx, const tfs_row *r)
{
	struct listing *l = ctx;

	return add_ino(l, r->name, INO(C_PKG, l->inst, r->id));
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

static int row_project(void *ctx, const tfs_row *r)
{
	struct listing *l = ctx;

	return add_ino(l, r->name, INO(C_PROJ, l->inst, r->id));
}

static int row_txset(void *ctx, const tfs_row *r)
{
	struct listing *l = ctx;
	char name[300];

	snprintf(name, sizeof(name), "%s.xml", r->name);
	return add_ino(l, name, INO(C_TXSET, l->inst, r->id));
}

/* Objects: attributes straight from the row, no per-object query. */
static int row_object(void *ctx, const tfs_row *r)
{
	struct listing *l = ctx;
	char name[300];
	tfs_attr a;

	snprintf(name, sizeof(name), "%s.xml", r->name);
	if (l->t->hidden && hidden_find(l->t, l->parent, name))
		return 0;
	file_attr(&a, INO(C_OBJ, l->inst, r->id), 0644, (uint64_t)r->size,
		  r->mtime, true);
	return add_entry(l, name, &a);
}

struct hist_listing {
	struct listing *l;
	struct mem *dir;
	int64_t time;
};

/* One entry of a history directory: the listing already says what it is,
 * so no lookup from the root of the commit's tree per entry (which made
 * listing a large directory quadratic). */
static int hist_entry(void *ctx, const char *name, int is_dir, size_t size,
		      size_t index)
{
	struct hist_listing *h = ctx;
	struct mem *d = h->dir, *m;
	char path[1024];
	tfs_attr a;
	int error;

	if ((!d->slot || is_dir) && (m = mem_by_name(h->l->t, d->ino, name))) {
		if ((error = mem_attr(&a, h->l->t, m)) < 0)
			return error;
		return add_entry(h->l, name, &a);
	}
	snprintf(path, sizeof(path), "%s%s%s", d->path, d->path[0] ? "/" : "",
		 name);
	if ((error = hist_node(&a, h->l->t, d, d->ino, name, d->inst, d->n,
			       h->time, path, is_dir, size, index)) < 0)
		return error;
	return add_entry(h->l, name, &a);
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name,
		      ((const struct entry *)b)->name);
}

static int list_dir(struct listing *l, uint64_t ino)
{
	tfs_tree *t = l->t;
	int64_t a = INO_A(ino), b = INO_B(ino), dir;
	const char *const *types;
	char type[256];
	tfs_kind kind;
	tfs_inst *in;
	struct mem *m;
	size_t i;
	int error;

	switch (INO_CLASS(ino)) {
	case C_GLOBAL:
		switch (b) {
		case G_ROOT:
			for (i = 0; root_names[i].name; i++)
				if ((error = add_ino(l, root_names[i].name,
					INO(C_GLOBAL, 0, root_names[i].code))))
					return error;
			return 0;
		case G_USERS:
			return tfs_store_list(t->st, TFS_ENT_USER, 0, row_user, l);
		case G_LANDSCAPES:
			return tfs_store_list(t->st, TFS_ENT_GROUP, 0, row_group,
					      l);
		case G_TENANTS:
			return tfs_store_list(t->st, TFS_ENT_TENANT, 0,
					      row_tenant, l);
		}
		break;
	case C_GROUP:
		if ((error = add_ino(l, "group.conf", INO(C_GROUP, a, 1))) < 0)
			return error;
		return tfs_store_list(t->st, TFS_ENT_LANDSCAPE, a, row_land, l);
	case C_LAND:
		if (b == 2)
			return tfs_store_list(t->st, TFS_ENT_SERVER, a,
					      row_server, l);
		if ((error = add_ino(l, "landscape.conf", INO(C_LAND, a, 1))))
			return error;
		return add_ino(l, "servers", INO(C_LAND, a, 2));
	case C_TENANT:
		if ((error = add_ino(l, "tenant.conf", INO(C_TENANT, a, 1))) ||
		    (error = add_ino(l, "dashboard", INO(C_TENANT, a, 2))))
			return error;
		return tfs_store_list(t->st, TFS_ENT_INSTANCE, a, row_inst, l);
	case C_INST:
		if (!(in = inst_of(t, ino)))
			return TFS_ENOTFOUND;
		l->inst = a;
		switch (b) {
		case I_DIR:
			for (i = 0; inst_names[i].name; i++)
				if ((error = add_child(l, inst_names[i].name)))
					return error;
			return 0;
		case I_METADATA:
		case I_SETTINGS:
			types = b == I_METADATA ? tfs_metadata_types :
						  tfs_settings_types;
			for (i = 0; types[i]; i++)
				if ((error = add_child(l, types[i])))
					return error;
			return 0;
		case I_MASTER:
		case I_DATA:
			return tfs_inst_dir_list(in, b == I_MASTER ?
						 TFS_KIND_MASTER : TFS_KIND_DATA,
						 row_dir, l);
		case I_PROJECTS:
			return tfs_inst_project_list(in, row_project, l);
		case I_HISTORY: {
			char num[32];
			int count, n;
			if ((error = tfs_inst_history_count(in, &count)) < 0)
				return error;
			for (n = 1; n <= count; n++) {
				snprintf(num, sizeof(num), "%d", n);
				if ((error = add_child(l, num)))
					return error;
			}
			return add_child(l, "log");
		}
		case I_VALIDATION:
			goto objects;
		case I_PACKAGES:
			return tfs_pkg_list(in, row_package, l);
		case I_APPLY: case I_VALIDATE: case I_APPLY_UNVAL:
		case I_PREVIEW:
			return tfs_drop_list(in, (int)b, row_drop, l);
		case I_PUSH:
			return 0;
		}
		break;
	case C_PKG: {
		int f;
		for (f = 0; f < TFS_PKG__COUNT; f++)
			if ((error = add_ino(l, tfs_pkg_file_names[f],
					     INO(C_PKGF, a, (b << 4) | f))))
				return error;
		return 0;
	}
	case C_DIR:
	objects:
		if ((error = tree_object_dir(&in, &dir, &kind, type, t,
					     ino)) < 0)
			return error;
		l->inst = tfs_inst_id(in);
		return tfs_inst_obj_list(in, dir, row_object, l);
	case C_PROJ:
		return add_ino(l, "transaction-sets", INO(C_PROJTS, a, b));
	case C_PROJTS:
		if (!(in = inst_of(t, ino)))
			return TFS_ENOTFOUND;
		l->inst = a;
		return tfs_inst_txset_list(in, b, row_txset, l);
	case C_MEM:
		if ((m = mem_by_ino(t, ino)) && m->type == M_HIST &&
		    m->is_dir) {
			tfs_inst *hin = tfs_store_inst(t->st, m->inst);
			struct hist_listing h = {l, m, 0};
			char oid[41];
			if (!hin || (error = tfs_inst_history_commit(oid,
							&h.time, hin,
							m->n)) < 0)
				return TFS_ENOTFOUND;
			return tfs_history_list_at(tfs_store_history(t->st),
						   oid, m->path, hist_entry,
						   NULL, &h);
		}
		break;
	}
	return tfs_error_set(TFS_ENOTFOUND, "not a directory");
}

static int tree_readdir_req(tfs_tree *t, uint64_t ino, tfs_dirent_cb cb,
			    void *ctx)
{
	struct listing l = {.t = t, .parent = ino};
	size_t i, b;
	struct mem *m;
	int error;

	pthread_mutex_lock(&t->mu);
	error = list_dir(&l, ino);
	/* Temporary files and files being created sit among the rest. */
	for (b = 0; !error && b < t->nbuckets; b++) {
		for (m = t->by_ino[b]; m && !error; m = m->next_ino) {
			tfs_attr a;
			if (!m->linked || m->parent != ino || m->type == M_HIST)
				continue;
			if ((error = mem_attr(&a, t, m)) == 0)
				error = add_entry(&l, m->name, &a);
		}
	}
	pthread_mutex_unlock(&t->mu);
	if (!error && l.n)
		qsort(l.e, l.n, sizeof(*l.e), cmp_entry);
	for (i = 0; i < l.n; i++) {
		if (!error)
			error = cb(ctx, l.e[i].name, &l.e[i].attr);
		free(l.e[i].name);
	}
	free(l.e);
	return error > 0 ? 0 : error;
}

int tfs_tree_readdir(tfs_tree *t, uint64_t ino, tfs_dirent_cb cb, void *ctx)
{
	int error = tree_readdir_req(t, ino, cb, ctx);

	tfs_store_reads_done(t->st);
	return error;
}
