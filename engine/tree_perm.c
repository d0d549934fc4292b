/*
 * Who may reach which node of the tree: the permission table
 * (tenantfs/perm.h) applied to inodes, for every request that names one.
 *
 * ---- Why the kernel's caches cannot leak across callers ------------------
 *
 * The kernel shares dentries, attributes, page-cache pages and directory
 * listings between all callers of the mount, and without
 * default_permissions (our rules are not mode bits) it asks us nothing
 * while it walks cached dentries.  So the rules are enforced at places
 * every caller must pass through again:
 *
 *  - Gates: the entries of the root (users, events, tenants, landscapes,
 *    status) and every tenants/<t> directory are returned with entry
 *    timeout 0 (tfs_attr.volatile_entry, set by perm_gate), so each path
 *    walk through them is revalidated by a lookup, in the walker's name;
 *    a lookup we refuse drops the dentry.  Everything a caller may not
 *    see lies below such a gate (a tenant's instances, objects, history;
 *    landscapes/), so cached dentries and attributes below it (which keep
 *    their long timeouts, and so their speed) are reachable only by
 *    callers the gate let through.  Their attributes are identical for
 *    all callers who may see them.
 *  - Listings that depend on the caller (the root, tenants/) are not
 *    cacheable (tfs_tree_listing_cacheable is false for them) and are
 *    made per open, filtered here.  The events file is generated per open
 *    (direct I/O, never in the page cache) and filtered per caller.
 *  - open, opendir, getattr, create, mkdir, unlink, rmdir, rename and
 *    truncate check the inode itself every time (perm_ino), not only the
 *    lookup that found it: an inode number held by the kernel proves
 *    nothing about the caller.  A lookup checks its directory too, so a
 *    process started in a directory it may not see (a cwd inherited from
 *    a more privileged parent, which is delegation, as passing a file
 *    descriptor is) finds no new names there; only the attributes of
 *    entries already cached below that directory remain visible to it.
 *
 * Called without the tree's lock; reads the store (the caller's user, a
 * tenant's company) and, for memory nodes, takes the leaf lock briefly.
 */
#include <stdio.h>
#include <string.h>

#include "tree_internal.h"
#include "tenantfs/error.h"

int caller_user(tfs_user *u, tfs_tree *t, const tfs_caller *who)
{
	return tfs_store_user_by_uid(u, t->st, who->uid);
}

/* The company of tenant `id` (sql ?1: a tenant or instance id) into out;
 * false if there is no such row. */
static bool company_of(char out[256], tfs_tree *t, const char *sql, int64_t id)
{
	sqlite3_stmt *s = db_stmt(store_db(t->st), sql);
	bool found;

	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, id);
	found = sqlite3_step(s) == SQLITE_ROW;
	if (found)
		snprintf(out, 256, "%s", db_text(s, 0));
	sqlite3_reset(s);
	return found;
}

/* Whether `u` sees tenant `id` (with `by_inst`: the tenant of instance
 * `id`).  Administrators and blank companies need no read. */
static bool sees(tfs_tree *t, const tfs_user *u, int64_t id, bool by_inst)
{
	char company[256];

	if (!u->id)
		return false;
	if (u->admin || !u->company[0])
		return true;
	if (!company_of(
		    company, t,
		    by_inst ?
			    "SELECT t.company FROM instances i JOIN tenants t "
			    "ON t.id = i.tenant_id WHERE i.id = ?1" :
			    "SELECT company FROM tenants WHERE id = ?1",
		    id))
		return false;
	return tfs_perm_sees_company(u, company);
}

static int hidden_tenant(void)
{
	return tfs_error_set(TFS_ENOTFOUND, "no such tenant");
}

static int area(const tfs_user *u, int64_t b)
{
	switch (b) {
	case G_ROOT:
	case G_README:
		return tfs_perm_area(u, TFS_AREA_README);
	case G_USERS:
	case G_TENANTS:
	case G_EVENTS:
		return tfs_perm_area(u, TFS_AREA_CONSOLE);
	default:
		/* landscapes/, status, and any console file added later
		 * (licenses) until it says otherwise */
		return tfs_perm_area(u, TFS_AREA_ADMIN);
	}
}

/* The instance of memory node `ino` or the inode it lives in. */
static int mem_scope(int64_t *inst, uint64_t *parent, tfs_tree *t, uint64_t ino)
{
	struct mem *m;

	tree_lock(t);
	m = INO_CLASS(ino) == C_MEM ? mem_by_ino(t, ino) : hfile_dir(t, ino);
	if (m) {
		*inst = m->type == M_SCRATCH ? 0 : m->inst;
		*parent = m->parent;
	}
	tree_unlock(t);
	return m ? 0 : tfs_error_set(TFS_ENOTFOUND, "no such file");
}

/* Temporary files at the root exist to edit console.conf: made, seen and
 * renamed by those who may change it (administrators) only. */
int perm_root_write(const tfs_user *u)
{
	return tfs_perm_area(u, TFS_AREA_ADMIN);
}

int perm_ino(tfs_tree *t, const tfs_user *u, uint64_t ino)
{
	int64_t inst = 0;
	uint64_t parent = 0;
	int error, depth;

	/* A scratch file's scope is its directory's (at most a few
	 * levels: memory nodes live in stored directories). */
	for (depth = 0; depth < 4; depth++) {
		switch (INO_CLASS(ino)) {
		case C_GLOBAL:
			return area(u, INO_B(ino));
		case C_USER:
			return tfs_perm_area(u, TFS_AREA_CONSOLE);
		case C_GROUP:
		case C_LAND:
		case C_SERVER:
			return tfs_perm_area(u, TFS_AREA_ADMIN);
		case C_TENANT:
			if ((error = tfs_perm_area(u, TFS_AREA_CONSOLE)) < 0)
				return error;
			return sees(t, u, INO_A(ino), false) ? 0 :
							       hidden_tenant();
		case C_MEM:
		case C_HFILE:
			if ((error = mem_scope(&inst, &parent, t, ino)) < 0)
				return error;
			if (!inst && parent == INO(C_GLOBAL, 0, G_ROOT))
				return perm_root_write(u);
			if (!inst) {
				ino = parent;
				continue;
			}
			break;
		default:
			if (!node_kind(ino)->per_instance)
				return tfs_perm_area(u, TFS_AREA_CONSOLE);
			inst = INO_A(ino);
		}
		if ((error = tfs_perm_area(u, TFS_AREA_CONSOLE)) < 0)
			return error;
		return sees(t, u, inst, true) ? 0 : hidden_tenant();
	}
	return tfs_perm_area(u, TFS_AREA_CONSOLE);
}

int perm_caller_root(tfs_tree *t, const tfs_caller *who, uint64_t parent)
{
	tfs_user u;
	int error;

	if (parent != INO(C_GLOBAL, 0, G_ROOT))
		return 0;
	if ((error = caller_user(&u, t, who)) < 0)
		return error;
	return perm_root_write(&u);
}

int perm_caller_ino(tfs_tree *t, const tfs_caller *who, uint64_t ino)
{
	tfs_user u;
	int error;

	if ((error = caller_user(&u, t, who)) < 0)
		return error;
	return perm_ino(t, &u, ino);
}

int tfs_tree_access(tfs_tree *t, uint64_t ino, const tfs_caller *who)
{
	int error = perm_caller_ino(t, who, ino);

	request_end(t);
	return error;
}

void perm_gate(tfs_attr *a)
{
	if (INO_CLASS(a->ino) == C_GLOBAL && INO_B(a->ino) != G_ROOT &&
	    INO_B(a->ino) != G_README)
		a->volatile_entry = true;
	if (INO_CLASS(a->ino) == C_TENANT && INO_B(a->ino) == 0)
		a->volatile_entry = true;
}

bool perm_filters_listing(uint64_t ino)
{
	return INO_CLASS(ino) == C_GLOBAL &&
	       (INO_B(ino) == G_ROOT || INO_B(ino) == G_TENANTS);
}

struct visible_ctx {
	tfs_tree *t;
	const tfs_user *u;
};

static bool tenant_visible(void *ctx, const char *name, size_t len)
{
	struct visible_ctx *v = ctx;
	char tenant[256], company[256];
	sqlite3_stmt *s;
	bool found;

	if (len >= sizeof(tenant))
		return false;
	memcpy(tenant, name, len);
	tenant[len] = '\0';
	if (!(s = db_stmt(store_db(v->t->st),
			  "SELECT company FROM tenants WHERE name = ?")))
		return false;
	sqlite3_bind_text(s, 1, tenant, -1, SQLITE_STATIC);
	found = sqlite3_step(s) == SQLITE_ROW;
	if (found)
		snprintf(company, sizeof(company), "%s", db_text(s, 0));
	sqlite3_reset(s);
	return found && tfs_perm_sees_company(v->u, company);
}

int perm_filter_content(tfs_buf *b, tfs_tree *t, const tfs_caller *who,
			uint64_t ino)
{
	struct visible_ctx v = { t, NULL };
	tfs_buf kept = TFS_BUF_INIT;
	tfs_user u;
	int error;

	if (INO_CLASS(ino) != C_GLOBAL || INO_B(ino) != G_EVENTS)
		return 0;
	if ((error = caller_user(&u, t, who)) < 0)
		return error;
	if (u.admin)
		return 0;
	v.u = &u;
	error = tfs_perm_filter_events(&kept, b->ptr ? b->ptr : "", b->size,
				       tenant_visible, &v);
	if (error == 0) {
		tfs_buf swap = *b;
		*b = kept;
		kept = swap;
	}
	tfs_buf_free(&kept);
	return error;
}
