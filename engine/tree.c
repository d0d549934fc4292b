/*
 * The tree under the mount point: inode numbering, the memory-node tables,
 * the leaf lock, and the dispatch of every request to the operations of
 * its node's kind (struct node_ops, one node_*.c file per kind).
 *
 * Inode numbers: class << 56 | a << 40 | b.  Classes and their a/b are
 * listed in tree_internal.h; all but C_MEM are derived from database row
 * ids, which are never reused (AUTOINCREMENT), so they are stable across
 * mounts.  C_MEM nodes (temporary files, files being created, history
 * snapshots) live in memory, in two hash tables (by inode, by parent and
 * name), guarded by the leaf lock `mu` (see tree_internal.h for the lock
 * order and the rules for using a node across an engine call).
 *
 * Every tfs_tree_* entry point that calls the engine ends with
 * request_end: after the request's last engine call, it releases the
 * thread's read snapshots (tfs_store_reads_done).
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

/* ---- the leaf lock ------------------------------------------------------------ */

void tree_lock(tfs_tree *t)
{
	pthread_mutex_lock(&t->mu);
}

/*
 * Claims on stored files: a save, a delete, a rename of one stored file
 * read what it acts on (the object's row) and then change it, two engine
 * calls; a claim makes the pair atomic against the tree's other requests
 * on that file (a save and an unlink of the same name end in one of the
 * two orders, never in a save that recreates what the unlink removed
 * between its two calls).  A request holds at most one claim.
 */
void claim(tfs_tree *t, uint64_t ino)
{
	size_t i;

	tree_lock(t);
	for (i = 0; i < t->nclaims;) {
		if (t->claims[i] == ino) {
			pthread_cond_wait(&t->claimed, &t->mu);
			i = 0;
		} else {
			i++;
		}
	}
	if (t->nclaims == t->claims_cap) {
		size_t n = t->claims_cap ? t->claims_cap * 2 : 16;
		uint64_t *v = realloc(t->claims, n * sizeof(*v));
		if (!v) { /* unclaimed: the engine still serializes */
			tree_unlock(t);
			return;
		}
		t->claims = v;
		t->claims_cap = n;
	}
	t->claims[t->nclaims++] = ino;
	tree_unlock(t);
}

void unclaim(tfs_tree *t, uint64_t ino)
{
	size_t i;

	tree_lock(t);
	for (i = 0; i < t->nclaims; i++)
		if (t->claims[i] == ino) {
			t->claims[i] = t->claims[--t->nclaims];
			break;
		}
	pthread_cond_broadcast(&t->claimed);
	tree_unlock(t);
}

void request_end(tfs_tree *t)
{
	tfs_store_reads_done(t->st);
}

/* Nodes retired under the lock are freed here, after it: closing and
 * unlinking a drop's spool file is I/O. */
static void mem_destroy(struct mem *m)
{
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

void tree_unlock(tfs_tree *t)
{
	struct mem *dead = t->graveyard, *next;

	t->graveyard = NULL;
	pthread_mutex_unlock(&t->mu);
	for (; dead; dead = next) {
		next = dead->next_dead;
		mem_destroy(dead);
	}
}

/* ---- memory nodes ------------------------------------------------------------ */

/*
 * The tables' words are struct mem pointers.  Memory inodes are numbered
 * in sequence: by_ino puts inode i at slot 2i (mod the size), so that
 * live ones, mostly recent, each sit at home with an empty slot after
 * (a lookup reads no other node, a deletion shifts nothing), as the
 * chains by `ino % nbuckets` did before; a mixed hash cost about a probe
 * more at 10^5 nodes.  by_name keeps each node's hash of (parent, name)
 * in the node, so that moving entries needs no string and a probe
 * compares names only when the hashes agree.
 */
#define MEM(v) ((struct mem *)(uintptr_t)(v))

struct name_key {
	uint64_t parent;
	const char *name;
	uint64_t hash;
};

static uint64_t mem_ino_hash(uint64_t ino)
{
	return ino << 1;
}

static uint64_t ino_hash(uint64_t v, const void *ctx)
{
	(void)ctx;
	return mem_ino_hash(MEM(v)->ino);
}

static bool ino_eq(uint64_t v, const void *key, const void *ctx)
{
	(void)ctx;
	return MEM(v)->ino == *(const uint64_t *)key;
}

static uint64_t name_hash(uint64_t v, const void *ctx)
{
	(void)ctx;
	return MEM(v)->name_hash;
}

/* Only a linked node answers for its name. */
static bool name_eq(uint64_t v, const void *key, const void *ctx)
{
	const struct name_key *k = key;
	const struct mem *m = MEM(v);

	(void)ctx;
	return m->name_hash == k->hash && m->linked && m->parent == k->parent &&
	       strcmp(m->name, k->name) == 0;
}

static void by_name_remove(tfs_tree *t, struct mem *m)
{
	size_t i = hmap_slot_of(&t->by_name, m->name_hash, (uintptr_t)m);

	if (i != SIZE_MAX)
		hmap_delete_at(&t->by_name, i, name_hash, NULL);
}

struct mem *mem_by_ino(tfs_tree *t, uint64_t ino)
{
	return MEM(hmap_get(&t->by_ino, mem_ino_hash(ino), ino_eq, &ino, NULL));
}

struct mem *mem_by_name(tfs_tree *t, uint64_t parent, const char *name)
{
	struct name_key k = { parent, name, 0 };

	if (!t->by_name.n)
		return NULL; /* the usual case: no hashing */
	k.hash = hmap_hash_str(parent, name);
	return MEM(hmap_get(&t->by_name, k.hash, name_eq, &k, NULL));
}

struct mem *mem_new(tfs_tree *t, enum mem_type type, uint64_t parent,
		    const char *name)
{
	struct mem *m;

	if (hmap_reserve(&t->by_ino, 1, ino_hash, NULL) < 0 ||
	    hmap_reserve(&t->by_name, 1, name_hash, NULL) < 0)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m || !(m->name = strdup(name))) {
		free(m);
		tfs_error_set(TFS_ERROR, "out of memory");
		return NULL;
	}
	m->type = type;
	m->fd = -1;
	m->ino = INO(C_MEM, 0, ++t->next_mem);
	m->parent = parent;
	m->mtime = tfs_now();
	m->linked = true;
	m->name_hash = hmap_hash_str(parent, name);
	hmap_put_at(&t->by_ino,
		    hmap_slot_empty(&t->by_ino, mem_ino_hash(m->ino)),
		    (uintptr_t)m);
	/* Unlinked nodes of the same name may be there (until freed). */
	hmap_put_at(&t->by_name, hmap_slot_empty(&t->by_name, m->name_hash),
		    (uintptr_t)m);
	return m;
}

/* (mu held) Take `m` out of its directory (the inode lives on while referenced). */
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
	char *copy = strdup(name);

	if (!copy)
		return tfs_error_set(TFS_ERROR, "out of memory");
	by_name_remove(t, m);
	free(m->name);
	m->name = copy;
	m->parent = parent;
	m->name_hash = hmap_hash_str(parent, name);
	/* One out, one in: no growth. */
	hmap_put_at(&t->by_name, hmap_slot_empty(&t->by_name, m->name_hash),
		    (uintptr_t)m);
	return 0;
}

void mem_maybe_free(tfs_tree *t, struct mem *m)
{
	size_t i;

	if (m->linked || m->nlookup > 0 || m->nopen > 0 || m->pins > 0 ||
	    m->child_refs > 0)
		return;
	if (m->slot)
		t->hslot[m->slot] = NULL;
	i = hmap_slot_of(&t->by_ino, mem_ino_hash(m->ino), (uintptr_t)m);
	if (i != SIZE_MAX)
		hmap_delete_at(&t->by_ino, i, ino_hash, NULL);
	by_name_remove(t, m);
	/* freed by tree_unlock, outside the lock */
	m->next_dead = t->graveyard;
	t->graveyard = m;
}

struct mem *mem_pin(tfs_tree *t, uint64_t ino)
{
	struct mem *m = NULL;

	if (INO_CLASS(ino) != C_MEM)
		return NULL;
	tree_lock(t);
	if ((m = mem_by_ino(t, ino)))
		m->pins++;
	tree_unlock(t);
	return m;
}

struct mem *hfile_pin(tfs_tree *t, uint64_t ino)
{
	struct mem *m;

	tree_lock(t);
	if ((m = hfile_dir(t, ino)))
		m->pins++;
	tree_unlock(t);
	return m;
}

void mem_unpin(tfs_tree *t, struct mem *m)
{
	if (!m)
		return;
	tree_lock(t);
	m->pins--;
	mem_maybe_free(t, m);
	tree_unlock(t);
}

/* ---- inode sets ---------------------------------------------------------------- */

/* The words of an inode set are the inodes.  Inode numbers differ in
 * few, high bits (instance) and run in sequence (rows): mixed, so that
 * neither clusters. */
static uint64_t inoset_hash(uint64_t v, const void *ctx)
{
	(void)ctx;
	return hmap_mix(v);
}

static bool inoset_eq(uint64_t v, const void *key, const void *ctx)
{
	(void)ctx;
	return v == *(const uint64_t *)key;
}

int inoset_add(struct inoset *s, uint64_t ino)
{
	size_t i;

	if (hmap_reserve(&s->h, 1, inoset_hash, NULL) < 0)
		return TFS_ERROR;
	i = hmap_slot(&s->h, hmap_mix(ino), inoset_eq, &ino, NULL);
	if (!s->h.slot[i])
		hmap_put_at(&s->h, i, ino);
	return 0;
}

bool inoset_has(const struct inoset *s, uint64_t ino)
{
	return hmap_get(&s->h, hmap_mix(ino), inoset_eq, &ino, NULL) != 0;
}

/* Drop the inodes of instance `inst`. */
void inoset_drop_inst(struct inoset *s, int64_t inst)
{
	size_t i = 0;

	while (i < hmap_cap(&s->h)) {
		if (s->h.slot[i] && INO_A(s->h.slot[i]) == inst)
			hmap_delete_at(&s->h, i, inoset_hash, NULL);
		else
			i++;
	}
}

void inoset_free(struct inoset *s)
{
	hmap_free(&s->h);
}

bool in_history(tfs_tree *t, uint64_t ino)
{
	struct mem *m;
	bool hist;

	if (INO_CLASS(ino) == C_INST && INO_B(ino) == I_HISTORY)
		return true;
	if (INO_CLASS(ino) == C_HFILE)
		return true;
	if (INO_CLASS(ino) != C_MEM)
		return false;
	tree_lock(t);
	hist = (m = mem_by_ino(t, ino)) && m->type == M_HIST;
	tree_unlock(t);
	return hist;
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
	pthread_cond_init(&t->claimed, NULL);
	t->st = st;
	t->uid = uid;
	t->gid = gid;
	t->mounted = tfs_store_created(st);
	if (!t->mounted)
		t->mounted = tfs_now();
	tfs_store_set_observer(st, observe, t);
	tfs_store_reads_done(st);
	*out = t;
	return 0;
}

void tfs_tree_free(tfs_tree *t)
{
	size_t i;

	if (!t)
		return;
	tfs_store_set_observer(t->st, NULL, NULL);
	for (i = 0; i < hmap_cap(&t->by_ino); i++)
		if (t->by_ino.slot[i])
			mem_destroy(MEM(t->by_ino.slot[i]));
	tree_lock(t);
	while (t->hidden)
		hidden_drop(t, t->hidden);
	tree_unlock(t);
	while (t->writers) {
		struct writer *w = t->writers;
		t->writers = w->next;
		free(w);
	}
	while (t->running) {
		struct running *r = t->running;
		t->running = r->next;
		tfs_buf_free(&r->text);
		free(r);
	}
	inoset_free(&t->touched);
	inoset_free(&t->replaced);
	inoset_free(&t->pushed);
	inoset_free(&t->valdirs);
	inoset_free(&t->dashboards);
	free(t->hslot);
	hmap_free(&t->by_ino);
	hmap_free(&t->by_name);
	free(t->claims);
	pthread_cond_destroy(&t->claimed);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

void tfs_tree_set_notify(tfs_tree *t, const tfs_tree_notify *n)
{
	tree_lock(t);
	t->nt = *n;
	tree_unlock(t);
}

/* ---- invalidations ------------------------------------------------------------- */

uint64_t tfs_tree_listing_gen(tfs_tree *t)
{
	return __atomic_load_n(&t->listing_gen, __ATOMIC_ACQUIRE);
}

void tfs_tree_listing_changed(tfs_tree *t, uint64_t ino)
{
	inval_inode_now(t, ino);
}

/* (mu held) Drop what the kernel caches of `ino`. */
void inval_inode(tfs_tree *t, uint64_t ino)
{
	if (tfs_tree_listing_cacheable(ino))
		__atomic_add_fetch(&t->listing_gen, 1, __ATOMIC_RELEASE);
	if (INO_CLASS(ino) == C_OBJ)
		inoset_add(&t->touched, ino);
	if (t->nt.inval_inode)
		t->nt.inval_inode(t->nt.ctx, ino);
}

bool cache_stale(tfs_tree *t, uint64_t ino)
{
	return inoset_has(&t->touched, ino) ||
	       (INO_CLASS(ino) == C_OBJ &&
		inoset_has(&t->replaced, INO(C_INST, INO_A(ino), I_DIR)));
}

bool tfs_tree_listing_cacheable(uint64_t ino)
{
	return INO_CLASS(ino) == C_DIR ||
	       (INO_CLASS(ino) == C_INST && INO_B(ino) == I_VALIDATION);
}

/* (mu held) Drop the kernel's entry `name` of `parent`. */
void inval_entry(tfs_tree *t, uint64_t parent, const char *name)
{
	if (t->nt.inval_entry)
		t->nt.inval_entry(t->nt.ctx, parent, name);
	/* The kernel drops a cached listing with the entry only if it has
	 * the entry's dentry: drop the listing itself. */
	if (tfs_tree_listing_cacheable(parent))
		inval_inode(t, parent);
}

void inval_inode_now(tfs_tree *t, uint64_t ino)
{
	tree_lock(t);
	inval_inode(t, ino);
	tree_unlock(t);
}

void inval_entry_now(tfs_tree *t, uint64_t parent, const char *name)
{
	tree_lock(t);
	inval_entry(t, parent, name);
	tree_unlock(t);
}

uint64_t obj_parent(int64_t inst, tfs_kind kind, int64_t dir)
{
	if (kind == TFS_KIND_VALIDATION)
		return INO(C_INST, inst, I_VALIDATION);
	return INO(C_DIR, inst, dir);
}

static const char *content_name(int b)
{
	switch (b) {
	case I_METADATA:
		return "metadata";
	case I_VALIDATION:
		return "validation";
	case I_SETTINGS:
		return "settings";
	case I_MASTER:
		return "master";
	case I_TRANSLATIONS:
		return "translations";
	default:
		return "data";
	}
}

/*
 * Observer of committed changes: drop what the kernel may have cached.
 * Called from the writing thread after the commit, while the engine holds
 * that instance's writer lock, never with `mu` held (see the lock order).
 * It must not call into the engine: what it needs to know about the
 * instance (which directory is its validation/, which dashboards the
 * kernel has seen) the tree noted when it served them.
 */
static void observe(void *ctx, int64_t inst, tfs_change_op op, int64_t dir,
		    int64_t obj, const char *name)
{
	static const int files[] = { I_CONF,          I_HLOG,     I_LOG,
				     I_REVERT_RESULT, I_HISTORY,  I_PROJECTS,
				     I_DIR,           I_ACTIVE,   I_PACKAGES,
				     I_APPLY,         I_VALIDATE, I_APPLY_UNVAL,
				     I_PREVIEW,       I_PUSH,     I_BACKUPS,
				     I_RESTORE_RESULT };
	static const int content[] = {
		I_METADATA, I_VALIDATION, I_SETTINGS,
		I_MASTER,   I_DATA,       I_TRANSLATIONS
	};
	tfs_tree *t = ctx;
	char file[300];
	uint64_t parent;
	size_t i;

	tree_lock(t);
	if (op == TFS_CHANGE_REPLACING) {
		/* From now on opens read around the page cache: a reader
		 * between the commit and the invalidations below must not
		 * get pages cached before. */
		inoset_add(&t->replaced, INO(C_INST, inst, I_DIR));
		tree_unlock(t);
		return;
	}
	if (op == TFS_CHANGE_REPLACED) {
		/* Every name below may now be another object: the kernel
		 * drops the whole subtrees (and their directories' ids
		 * may name other directories now). */
		for (i = 0; i < sizeof(content) / sizeof(content[0]); i++) {
			inval_inode(t, INO(C_INST, inst, content[i]));
			inval_entry(t, INO(C_INST, inst, I_DIR),
				    content_name(content[i]));
		}
		inoset_drop_inst(&t->valdirs, inst);
		inoset_add(&t->replaced, INO(C_INST, inst, I_DIR));
		op = TFS_CHANGE_INSTANCE;
	}
	if (op == TFS_CHANGE_INSTANCE) {
		for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
			inval_inode(t, INO(C_INST, inst, files[i]));
		for (i = 0; i < hmap_cap(&t->dashboards.h); i++)
			if (t->dashboards.h.slot[i])
				inval_inode(t, t->dashboards.h.slot[i]);
		tree_unlock(t);
		return;
	}
	parent = inoset_has(&t->valdirs, INO(C_DIR, inst, dir)) ?
			 INO(C_INST, inst, I_VALIDATION) :
			 INO(C_DIR, inst, dir);
	if (op != TFS_CHANGE_DIR)
		inval_inode(t, INO(C_OBJ, inst, obj));
	inval_inode(t, parent);
	if (op == TFS_CHANGE_DELETE) {
		snprintf(file, sizeof(file), "%s.xml", name);
		inval_entry(t, parent, file);
	}
	tree_unlock(t);
}

void note_seen(tfs_tree *t, struct inoset *set, uint64_t ino)
{
	tree_lock(t);
	inoset_add(set, ino);
	tree_unlock(t);
}

/* ---- attributes of memory nodes ------------------------------------------------ */

bool mem_attr_locked(tfs_attr *out, const struct mem *m)
{
	switch (m->type) {
	case M_HIST:
		if (m->is_dir)
			dir_attr(out, m->ino, m->mtime, true);
		else
			file_attr(out, m->ino, 0444, m->size, m->mtime, true);
		return true;
	case M_NEW:
		if (m->obj)
			return false;
		/* fall through */
	case M_SCRATCH:
		file_attr(out, m->ino, 0644, m->data.size, m->mtime, false);
		out->volatile_entry = true;
		return true;
	case M_DROP:
		file_attr(out, m->ino, 0644, m->size, m->mtime, false);
		out->volatile_entry = true;
		return true;
	}
	return false;
}

/* Attributes of pinned node `m`; an M_NEW node once stored shows its
 * object's size and time (read without the lock). */
int mem_attr(tfs_attr *out, tfs_tree *t, struct mem *m)
{
	tfs_obj_info info;
	tfs_inst *in;
	int64_t obj;
	bool done;

	tree_lock(t);
	done = mem_attr_locked(out, m);
	obj = m->obj;
	if (!done) /* what it shows if the object has gone */
		file_attr(out, m->ino, 0644, m->data.size, m->mtime, false);
	tree_unlock(t);
	if (done)
		return 0;
	if ((in = tfs_store_inst(t->st, m->inst)) &&
	    tfs_inst_obj_get(&info, in, obj) == 0)
		file_attr(out, m->ino, 0644, (uint64_t)info.size, info.mtime,
			  false);
	out->volatile_entry = true;
	return 0;
}

tfs_inst *owner(tfs_tree *t, uint64_t ino)
{
	if (!node_kind(ino)->per_instance)
		return NULL;
	return tfs_store_inst(t->st, INO_A(ino));
}

int tree_object_dir(tfs_inst **in, int64_t *dir, tfs_kind *kind, char type[256],
		    tfs_tree *t, uint64_t ino)
{
	int cls = INO_CLASS(ino), error;

	if (cls == C_INST && INO_B(ino) == I_VALIDATION) {
		if (!(*in = owner(t, ino)))
			return TFS_ENOTFOUND;
		*kind = TFS_KIND_VALIDATION;
		type[0] = '\0';
		if ((error = tfs_inst_dir_find(dir, *in, TFS_KIND_VALIDATION,
					       "")) < 0)
			return error;
		/* for observe(), which may not ask the engine */
		note_seen(t, &t->valdirs, INO(C_DIR, INO_A(ino), *dir));
		return 0;
	}
	if (cls != C_DIR)
		return TFS_ENOTFOUND;
	if (!(*in = owner(t, ino)))
		return TFS_ENOTFOUND;
	*dir = INO_B(ino);
	return tfs_inst_dir_get(*in, *dir, kind, type);
}

/* ---- the dispatch ------------------------------------------------------------------ */

static const struct node_ops no_ops;

/* Kinds of node by inode class.  A new kind: one node_*.c file and one
 * entry here (or in inst_kinds for a fixed entry of an instance). */
static const struct node_ops *const kinds[C__COUNT] = {
	[C_GLOBAL] = &console_global_ops,
	[C_USER] = &console_user_ops,
	[C_GROUP] = &console_group_ops,
	[C_LAND] = &console_land_ops,
	[C_SERVER] = &console_server_ops,
	[C_TENANT] = &console_tenant_ops,
	[C_INST] = NULL, /* by entry: inst_kinds */
	[C_DIR] = &objdir_ops,
	[C_OBJ] = &object_ops,
	[C_PROJ] = &project_ops,
	[C_PROJTS] = &txsets_ops,
	[C_TXSET] = &txset_ops,
	[C_MEM] = &mem_ops,
	[C_PKG] = &package_ops,
	[C_PKGF] = &pkgfile_ops,
	[C_DROPF] = &dropfile_ops,
	[C_HFILE] = &hfile_ops,
	[C_LOCALE] = &locale_ops,
	[C_BACKUP] = &backupfile_ops,
};

/* The entries of an instance directory, by I_*. */
static const struct node_ops *const inst_kinds[I__COUNT] = {
	[I_DIR] = &inst_dir_ops,
	[I_CONF] = &inst_file_ops,
	[I_ACTIVE] = &inst_file_ops,
	[I_REVERT] = &inst_file_ops,
	[I_REVERT_RESULT] = &inst_file_ops,
	[I_LOG] = &inst_file_ops,
	[I_METADATA] = &typedirs_ops,
	[I_SETTINGS] = &typedirs_ops,
	[I_MASTER] = &typedirs_ops,
	[I_DATA] = &typedirs_ops,
	[I_VALIDATION] = &objdir_ops,
	[I_PROJECTS] = &projects_ops,
	[I_PACKAGES] = &packages_ops,
	[I_APPLY] = &drops_ops,
	[I_VALIDATE] = &drops_ops,
	[I_APPLY_UNVAL] = &drops_ops,
	[I_PREVIEW] = &drops_ops,
	[I_PUSH] = &push_ops,
	[I_BACKUPS] = &backups_ops,
	[I_RESTORE] = &inst_file_ops,
	[I_RESTORE_RESULT] = &inst_file_ops,
	[I_EVENTS] = &inst_file_ops,
	[I_HISTORY] = &history_ops,
	[I_HLOG] = &hlog_ops,
	[I_TRANSLATIONS] = &locales_ops,
};

const struct node_ops *node_kind(uint64_t ino)
{
	int cls = INO_CLASS(ino);
	const struct node_ops *ops = NULL;

	if (cls == C_INST && INO_B(ino) >= 0 && INO_B(ino) < I__COUNT)
		ops = inst_kinds[INO_B(ino)];
	else if (cls >= 0 && cls < C__COUNT)
		ops = kinds[cls];
	return ops ? ops : &no_ops;
}

int tree_getattr(tfs_attr *out, tfs_tree *t, uint64_t ino)
{
	const struct node_ops *ops = node_kind(ino);

	if (ops->getattr)
		return ops->getattr(out, t, ino);
	return tfs_error_set(TFS_ENOTFOUND, "no inode %llx",
			     (unsigned long long)ino);
}

/*
 * Entry `name` of `parent`: a memory node there, else nothing if the name
 * is hidden (moved aside), else whatever the parent's kind finds.  The
 * answer is a snapshot: by the time the caller uses it the entry may be
 * gone (a caller that takes a reference re-checks, see tfs_tree_lookup).
 */
int tree_lookup(tfs_attr *out, tfs_tree *t, uint64_t parent, const char *name)
{
	const struct node_ops *ops;
	struct mem *m;
	bool hidden, done = false;
	int error;

	tree_lock(t);
	if ((m = mem_by_name(t, parent, name))) {
		done = mem_attr_locked(out, m);
		m->pins++;
	}
	hidden = !m && hidden_find(t, parent, name);
	tree_unlock(t);
	if (m) {
		error = done ? 0 : mem_attr(out, t, m);
		mem_unpin(t, m);
		return error;
	}
	if (hidden)
		return tfs_error_set(TFS_ENOTFOUND, "no %s", name);
	ops = node_kind(parent);
	if (ops->lookup &&
	    (error = ops->lookup(out, t, parent, name)) != TFS_ENOTFOUND)
		return error;
	return tfs_error_set(TFS_ENOTFOUND, "no %s", name);
}

int tree_content(tfs_buf *out, tfs_tree *t, uint64_t ino, bool *direct)
{
	const struct node_ops *ops = node_kind(ino);

	*direct = true;
	if (ops->content)
		return ops->content(out, t, ino, direct);
	return tfs_error_set(TFS_ENOTFOUND, "not a file");
}

/* ---- references ------------------------------------------------------------------- */

/* (mu held) The kernel took a reference to `ino`: memory nodes count
 * them.  False if `ino` is a memory node that no longer exists. */
static bool take_ref(tfs_tree *t, uint64_t ino)
{
	struct mem *m = NULL;

	if (INO_CLASS(ino) == C_MEM) {
		if (!(m = mem_by_ino(t, ino)))
			return false;
		m->nlookup++;
	} else if ((m = hfile_dir(t, ino))) {
		m->child_refs++;
	}
	return true;
}

/*
 * Between tree_lookup and take_ref the lock is dropped: a memory node
 * found may have been freed meanwhile (unlinked and forgotten).  Then the
 * name is looked up again, which finds whatever holds it now.
 */
int tfs_tree_lookup(tfs_attr *out, tfs_tree *t, uint64_t parent,
		    const char *name, const tfs_caller *who)
{
	int error = 0, tries;
	bool ref = false;
	tfs_user u;

	/* The directory first (a caller may not probe names in a tenant
	 * it may not see), then what was found in the root and tenants/
	 * (the gates).  See tree_perm.c for why every lookup checks. */
	if ((error = caller_user(&u, t, who)) < 0 ||
	    (error = perm_ino(t, &u, parent)) < 0)
		goto done;
	if (INO_CLASS(parent) == C_INST && IS_DROP_DIR(INO_B(parent)) &&
	    running_attr(out, t, parent, name, 0))
		goto done;
	for (tries = 0; tries < 3 && !ref; tries++) {
		/* Below the root's entries, a child is in its parent's
		 * scope (already checked). */
		if ((error = tree_lookup(out, t, parent, name)) < 0 ||
		    (INO_CLASS(parent) == C_GLOBAL &&
		     (error = perm_ino(t, &u, out->ino)) < 0))
			break;
		tree_lock(t);
		ref = take_ref(t, out->ino);
		tree_unlock(t);
	}
	if (error == 0 && !ref)
		error = tfs_error_set(TFS_ENOTFOUND, "no %s", name);
	if (error == 0)
		perm_gate(out);
	if (error == TFS_EACCESS && out->ino == INO(C_GLOBAL, 0, G_STATUS))
		reject_status(t, who); /* echo fix > status walks here */
done:
	request_end(t);
	return error;
}

/* The events file's size is that of what `who` reads of it. */
static int caller_size(tfs_attr *out, tfs_tree *t, const tfs_caller *who)
{
	tfs_buf b = TFS_BUF_INIT;
	bool direct;
	tfs_user u;
	int error;

	if (INO_CLASS(out->ino) != C_GLOBAL || INO_B(out->ino) != G_EVENTS)
		return 0;
	if ((error = caller_user(&u, t, who)) < 0 || u.admin)
		return error; /* administrators read it whole */
	if ((error = tree_content(&b, t, out->ino, &direct)) == 0 &&
	    (error = perm_filter_content(&b, t, who, out->ino)) == 0)
		out->size = b.size;
	tfs_buf_free(&b);
	return error;
}

int tfs_tree_getattr(tfs_attr *out, tfs_tree *t, uint64_t ino,
		     const tfs_caller *who)
{
	int error;

	if ((error = perm_caller_ino(t, who, ino)) < 0)
		goto done;
	if (IS_RUNNING_INO(ino)) {
		error = running_attr(out, t, 0, NULL, ino) ?
				0 :
				tfs_error_set(TFS_ENOTFOUND, "no such file");
		goto done;
	}
	if ((error = tree_getattr(out, t, ino)) == 0)
		error = caller_size(out, t, who);
	if (error == 0)
		perm_gate(out);
done:
	request_end(t);
	return error;
}

void tfs_tree_ref(tfs_tree *t, uint64_t ino)
{
	if (INO_CLASS(ino) != C_MEM && INO_CLASS(ino) != C_HFILE)
		return;
	tree_lock(t);
	take_ref(t, ino);
	tree_unlock(t);
}

void tfs_tree_forget(tfs_tree *t, uint64_t ino, uint64_t nlookup)
{
	struct mem *m;

	if (INO_CLASS(ino) != C_MEM && INO_CLASS(ino) != C_HFILE)
		return;
	tree_lock(t);
	if (INO_CLASS(ino) == C_HFILE && (m = hfile_dir(t, ino))) {
		m->child_refs = m->child_refs > nlookup ?
					m->child_refs - nlookup :
					0;
		mem_maybe_free(t, m);
	} else if (INO_CLASS(ino) == C_MEM && (m = mem_by_ino(t, ino))) {
		m->nlookup = m->nlookup > nlookup ? m->nlookup - nlookup : 0;
		if (m->type == M_HIST && m->nlookup == 0)
			m->linked = false;
		mem_maybe_free(t, m);
	}
	tree_unlock(t);
}
