/*
 * Console nodes: the root and its files (README, events, status: writable
 * by administrators, status.c; licenses, licenses.c; console.conf: the
 * store-wide settings, console_conf.c), users/,
 * landscapes/ with groups, landscapes and servers, tenants/ with each
 * tenant's directory, tenant.conf, dashboard, events (events_scope.c)
 * and licenses.  Their .conf files are rendered and stored by the store
 * (tfs_store_conf_*); groups, landscapes and servers are made, changed
 * and removed by landscape.c.
 *
 * Called by the dispatch in tree.c, without the tree's lock; nothing here
 * touches the tree's tables.
 */
#include <stdio.h>
#include <string.h>

#include "tree_internal.h"
#include "tenantfs/error.h"
#include "tenantfs/landscape.h"
#include "tenantfs/lifecycle.h"

static const struct name_ino root_names[] = {
	{ "README", G_README },
	{ "console.conf", G_CONSOLE_CONF },
	{ "events", G_EVENTS },
	{ "landscapes", G_LANDSCAPES },
	{ "licenses", G_LICENSES },
	{ "status", G_STATUS },
	{ "tenants", G_TENANTS },
	{ "users", G_USERS },
	{ NULL, 0 },
};

static void describe_landscapes(char *out, size_t size, tfs_tree *t,
				uint64_t ino)
{
	if (INO_CLASS(ino) == C_GLOBAL && INO_B(ino) == G_CONSOLE_CONF)
		snprintf(out, size, "console.conf");
	else if (INO_CLASS(ino) == C_GLOBAL && INO_B(ino) == G_STATUS)
		snprintf(out, size, "status");
	else
		snprintf(out, size, "landscapes/*.conf");
}

/* ---- the root and its files ----------------------------------------------- */

static int global_lookup(tfs_attr *out, tfs_tree *t, uint64_t parent,
			 const char *name)
{
	int64_t b = INO_B(parent);
	char base[256];
	tfs_row row;
	int code;

	if (b == G_ROOT) {
		if ((code = find_name(root_names, name)) < 0)
			return TFS_ENOTFOUND;
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
	return TFS_ENOTFOUND;
}

static int global_getattr(tfs_attr *out, tfs_tree *t, uint64_t ino)
{
	uint64_t size;
	int64_t mtime;
	int error;

	switch (INO_B(ino)) {
	case G_ROOT:
	case G_USERS:
	case G_LANDSCAPES:
	case G_TENANTS:
		dir_attr(out, ino, store_mtime(t), false);
		return 0;
	case G_EVENTS:
		if ((error = tfs_store_events_size(t->st, &size, &mtime)) < 0)
			return error;
		file_attr(out, ino, 0444, size, mtime, false);
		return 0;
	case G_README:
		return text_attr(out, t, ino, 0444, t->mounted);
	case G_STATUS:
		return text_attr(out, t, ino, 0644, store_mtime(t));
	case G_LICENSES:
		return text_attr(out, t, ino, 0444, store_mtime(t));
	case G_CONSOLE_CONF:
		return text_attr(out, t, ino, 0644, store_mtime(t));
	}
	return tfs_error_set(TFS_ENOTFOUND, "no inode %llx",
			     (unsigned long long)ino);
}

static int row_user(void *ctx, const tfs_row *r)
{
	char name[300];

	snprintf(name, sizeof(name), "%s.conf", r->name);
	return add_ino(ctx, name, INO(C_USER, 0, r->id));
}

static int row_group(void *ctx, const tfs_row *r)
{
	return add_ino(ctx, r->name, INO(C_GROUP, r->id, 0));
}

static int row_tenant(void *ctx, const tfs_row *r)
{
	return add_ino(ctx, r->name, INO(C_TENANT, r->id, 0));
}

static int global_readdir(struct listing *l, uint64_t ino)
{
	tfs_tree *t = l->t;
	size_t i;
	int error;

	switch (INO_B(ino)) {
	case G_ROOT:
		for (i = 0; root_names[i].name; i++)
			if ((error = add_ino(l, root_names[i].name,
					     INO(C_GLOBAL, 0,
						 root_names[i].code))))
				return error;
		return 0;
	case G_USERS:
		return tfs_store_list(t->st, TFS_ENT_USER, 0, row_user, l);
	case G_LANDSCAPES:
		return tfs_store_list(t->st, TFS_ENT_GROUP, 0, row_group, l);
	case G_TENANTS:
		return tfs_store_list(t->st, TFS_ENT_TENANT, 0, row_tenant, l);
	}
	return tfs_error_set(TFS_ENOTFOUND, "not a directory");
}

static int global_content(tfs_buf *out, tfs_tree *t, uint64_t ino, bool *direct)
{
	uint64_t size;
	int64_t mtime;
	int error;

	switch (INO_B(ino)) {
	case G_README:
		*direct = false;
		return tfs_store_render_readme(out, t->st);
	case G_STATUS:
		return tfs_store_render_status(out, t->st);
	case G_LICENSES:
		return tfs_store_render_licenses(out, t->st, 0);
	case G_CONSOLE_CONF:
		return tfs_store_console_conf_render(out, t->st);
	case G_EVENTS:
		if ((error = tfs_store_events_size(t->st, &size, &mtime)) < 0)
			return error;
		return tfs_store_events_read(out, t->st, 0, (size_t)size);
	}
	return tfs_error_set(TFS_ENOTFOUND, "not a file");
}

/* console.conf and status (echo fix > status), as console user `u` (the
 * store judges); the root's other files are read-only. */
static int global_store_as(tfs_tree *t, uint64_t ino, const tfs_user *u,
			   const char *bytes, size_t len)
{
	if (INO_B(ino) == G_STATUS)
		return tfs_store_status_write(t->st, u, bytes, len);
	if (INO_B(ino) != G_CONSOLE_CONF)
		return tfs_error_set(TFS_EACCESS, "read-only file");
	return tfs_store_console_conf_update(t->st, u, bytes, len);
}

/* users/: a new <login>.conf is a new user (created on its last close,
 * as the writer: commit_new_user); other new names are temporary.  The
 * root: console.conf, and temporary files (administrators only:
 * perm_root_write). */
static void global_target(struct target *tg, tfs_tree *t, uint64_t parent,
			  const char *name)
{
	char login[256];
	tfs_attr a;

	if (INO_B(parent) == G_ROOT) {
		/* console.conf and its editors' temporary files */
		target_plain_dir(tg, t, parent, name);
		return;
	}
	if (INO_B(parent) != G_USERS)
		return;
	if (name[0] != '.' && conf_name(login, name) &&
	    tree_lookup(&a, t, parent, name) == TFS_ENOTFOUND) {
		tg->kind = TG_NEW;
		tg->in = NULL;
		snprintf(tg->name, sizeof(tg->name), "%s", login);
		return;
	}
	target_plain_dir(tg, t, parent, name);
}

/* rm users/<login>.conf, as console user `u` (the store judges). */
static int global_unlink_as(tfs_tree *t, uint64_t parent, const tfs_attr *a,
			    const char *name, const tfs_user *u)
{
	if (INO_B(parent) != G_USERS || INO_CLASS(a->ino) != C_USER)
		return 1;
	return tfs_store_user_delete(t->st, u, INO_B(a->ino));
}

/* mkdir tenants/<t>: a new tenant; landscapes/<g>: a new group. */
static int global_mkdir(tfs_tree *t, uint64_t parent, const char *name,
			const char *user)
{
	if (INO_B(parent) == G_LANDSCAPES)
		return tfs_group_create(t->st, user, name);
	if (INO_B(parent) != G_TENANTS)
		return tfs_error_set(TFS_EACCESS, "directories cannot be "
						  "created here");
	return tfs_tenant_create(NULL, t->st, user, name);
}

/* rmdir tenants/<t>: a tenant without instances; landscapes/<g>: a group
 * without landscapes and tenants. */
static int global_rmdir(tfs_tree *t, uint64_t parent, const tfs_attr *a,
			const char *name, const char *user)
{
	if (INO_B(parent) == G_LANDSCAPES && INO_CLASS(a->ino) == C_GROUP &&
	    INO_B(a->ino) == 0)
		return tfs_group_remove(t->st, user, INO_A(a->ino));
	if (INO_B(parent) != G_TENANTS || INO_CLASS(a->ino) != C_TENANT ||
	    INO_B(a->ino) != 0)
		return 1;
	return tfs_tenant_remove(t->st, user, INO_A(a->ino));
}

const struct node_ops console_global_ops = {
	.lookup = global_lookup,
	.getattr = global_getattr,
	.readdir = global_readdir,
	.content = global_content,
	.store_as = global_store_as,
	.describe = describe_landscapes,
	.target = global_target,
	.mkdir = global_mkdir,
	.rmdir = global_rmdir,
	.unlink_as = global_unlink_as,
};

/* ---- users/<login>.conf ------------------------------------------------------ */

static int user_getattr(tfs_attr *out, tfs_tree *t, uint64_t ino)
{
	tfs_row row;
	int error;

	if ((error = tfs_store_get(&row, t->st, TFS_ENT_USER, INO_B(ino))) < 0)
		return error;
	return text_attr(out, t, ino, 0644, row.mtime);
}

static int user_content(tfs_buf *out, tfs_tree *t, uint64_t ino, bool *direct)
{
	return tfs_store_conf_render(out, t->st, TFS_ENT_USER, INO_B(ino));
}

/* The permission table decides, in the store (users.c). */
static int user_store_as(tfs_tree *t, uint64_t ino, const tfs_user *u,
			 const char *bytes, size_t len)
{
	return tfs_store_user_update(t->st, u, INO_B(ino), bytes, len);
}

/*
 * Store memory node `m` (a new users/<login>.conf or
 * landscapes/<g>/<type>/servers/<name>.conf, held open by the caller) as
 * a new user or server.  Created or refused, the name then leaves the
 * node: the new file, if made, answers it.
 */
int commit_new_user(tfs_tree *t, struct mem *m, const tfs_caller *who)
{
	tfs_buf data = TFS_BUF_INIT;
	char name[256], login[256], path[300], reason[512];
	uint64_t parent;
	tfs_user u;
	int error;

	tree_lock(t);
	snprintf(name, sizeof(name), "%s", m->name);
	parent = m->parent;
	error = tfs_buf_put(&data, m->data.ptr ? m->data.ptr : "",
			    m->data.size);
	tree_unlock(t);
	if (INO_CLASS(parent) == C_LAND) {
		/* (the store records servers' outcomes itself) */
		if (error == 0 && (error = caller_user(&u, t, who)) == 0) {
			conf_name(login, name);
			error = tfs_server_create(t->st, u.login, INO_A(parent),
						  login,
						  data.ptr ? data.ptr : "",
						  data.size);
		}
		goto unlink;
	}
	if (error == 0 && (error = caller_user(&u, t, who)) == 0) {
		conf_name(login, name);
		error = tfs_store_user_create(t->st, &u, login,
					      data.ptr ? data.ptr : "",
					      data.size);
	}
	if (error < 0 && error != TFS_EACCESS && error != TFS_ERROR) {
		/* (refusals by the table are recorded by the store) */
		snprintf(reason, sizeof(reason), "%s", tfs_error_last());
		snprintf(path, sizeof(path), "users/%s", name);
		reject(t, NULL, who, path, reason);
		tfs_error_set(error, "%s", reason);
	}
unlink:
	tree_lock(t);
	if (m->linked && m->parent == parent) {
		inval_entry(t, m->parent, m->name);
		mem_unlink(t, m);
	}
	tree_unlock(t);
	tfs_buf_free(&data);
	return error;
}

static void user_describe(char *out, size_t size, tfs_tree *t, uint64_t ino)
{
	snprintf(out, size, "users/*.conf");
}

const struct node_ops console_user_ops = {
	.getattr = user_getattr,
	.content = user_content,
	.store_as = user_store_as,
	.describe = user_describe,
};

/* ---- landscapes/<group>/ and group.conf ---------------------------------------- */

static int row_land(void *ctx, const tfs_row *r)
{
	return add_ino(ctx, r->name, INO(C_LAND, r->id, 0));
}

static int group_lookup(tfs_attr *out, tfs_tree *t, uint64_t parent,
			const char *name)
{
	int64_t a = INO_A(parent);
	tfs_row row;

	if (INO_B(parent) != 0)
		return TFS_ENOTFOUND;
	if (strcmp(name, "group.conf") == 0)
		return tree_getattr(out, t, INO(C_GROUP, a, 1));
	if (tfs_store_find(&row, t->st, TFS_ENT_LANDSCAPE, a, name) == 0)
		return tree_getattr(out, t, INO(C_LAND, row.id, 0));
	return TFS_ENOTFOUND;
}

static int group_getattr(tfs_attr *out, tfs_tree *t, uint64_t ino)
{
	tfs_row row;
	int error;

	if ((error = tfs_store_get(&row, t->st, TFS_ENT_GROUP, INO_A(ino))) < 0)
		return error;
	if (INO_B(ino) == 0) {
		dir_attr(out, ino, row.mtime, false);
		return 0;
	}
	return text_attr(out, t, ino, 0644, row.mtime);
}

static int group_readdir(struct listing *l, uint64_t ino)
{
	int64_t a = INO_A(ino);
	int error;

	if ((error = add_ino(l, "group.conf", INO(C_GROUP, a, 1))) < 0)
		return error;
	return tfs_store_list(l->t->st, TFS_ENT_LANDSCAPE, a, row_land, l);
}

static int group_content(tfs_buf *out, tfs_tree *t, uint64_t ino, bool *direct)
{
	return tfs_store_conf_render(out, t->st, TFS_ENT_GROUP, INO_A(ino));
}

static int group_store(tfs_tree *t, uint64_t ino, const char *user,
		       const char *bytes, size_t len)
{
	return tfs_group_conf_update(t->st, user, INO_A(ino), bytes, len);
}

/* The file named in refusals of its edits (events). */
static void group_describe(char *out, size_t size, tfs_tree *t, uint64_t ino)
{
	tfs_landscape_conf_path(out, size, t->st, TFS_ENT_GROUP, INO_A(ino));
}

/* mkdir landscapes/<g>/<type>: a new landscape. */
static int group_mkdir(tfs_tree *t, uint64_t parent, const char *name,
		       const char *user)
{
	if (INO_B(parent) != 0)
		return tfs_error_set(TFS_EACCESS, "directories cannot be "
						  "created here");
	return tfs_landscape_create(t->st, user, INO_A(parent), name);
}

/* rmdir landscapes/<g>/<type>: a landscape without instances and
 * servers. */
static int group_rmdir(tfs_tree *t, uint64_t parent, const tfs_attr *a,
		       const char *name, const char *user)
{
	if (INO_B(parent) != 0 || INO_CLASS(a->ino) != C_LAND ||
	    INO_B(a->ino) != 0)
		return 1;
	return tfs_landscape_remove(t->st, user, INO_A(a->ino));
}

/* Group and landscape directories take temporary files; their .conf
 * files (b == 1) are not directories. */
static void confdir_target(struct target *tg, tfs_tree *t, uint64_t parent,
			   const char *name)
{
	if (INO_B(parent) != 1)
		target_plain_dir(tg, t, parent, name);
}

const struct node_ops console_group_ops = {
	.lookup = group_lookup,
	.getattr = group_getattr,
	.readdir = group_readdir,
	.content = group_content,
	.store = group_store,
	.describe = group_describe,
	.target = confdir_target,
	.mkdir = group_mkdir,
	.rmdir = group_rmdir,
};

/* ---- landscapes/<group>/<type>/: landscape.conf, servers/ ----------------------- */

static int row_server(void *ctx, const tfs_row *r)
{
	char name[300];

	snprintf(name, sizeof(name), "%s.conf", r->name);
	return add_ino(ctx, name, INO(C_SERVER, 0, r->id));
}

static int land_lookup(tfs_attr *out, tfs_tree *t, uint64_t parent,
		       const char *name)
{
	int64_t a = INO_A(parent), b = INO_B(parent);
	char base[256];
	tfs_row row;

	if (b == 0 && strcmp(name, "landscape.conf") == 0)
		return tree_getattr(out, t, INO(C_LAND, a, 1));
	if (b == 0 && strcmp(name, "servers") == 0)
		return tree_getattr(out, t, INO(C_LAND, a, 2));
	if (b == 2 && conf_name(base, name) &&
	    tfs_store_find(&row, t->st, TFS_ENT_SERVER, a, base) == 0)
		return tree_getattr(out, t, INO(C_SERVER, 0, row.id));
	return TFS_ENOTFOUND;
}

static int land_getattr(tfs_attr *out, tfs_tree *t, uint64_t ino)
{
	tfs_row row;
	int error;

	if ((error = tfs_store_get(&row, t->st, TFS_ENT_LANDSCAPE,
				   INO_A(ino))) < 0)
		return error;
	if (INO_B(ino) != 1) {
		dir_attr(out, ino, row.mtime, false);
		return 0;
	}
	return text_attr(out, t, ino, 0644, row.mtime);
}

static int land_readdir(struct listing *l, uint64_t ino)
{
	int64_t a = INO_A(ino);
	int error;

	if (INO_B(ino) == 2)
		return tfs_store_list(l->t->st, TFS_ENT_SERVER, a, row_server,
				      l);
	if ((error = add_ino(l, "landscape.conf", INO(C_LAND, a, 1))))
		return error;
	return add_ino(l, "servers", INO(C_LAND, a, 2));
}

static int land_content(tfs_buf *out, tfs_tree *t, uint64_t ino, bool *direct)
{
	return tfs_store_conf_render(out, t->st, TFS_ENT_LANDSCAPE, INO_A(ino));
}

static int land_store(tfs_tree *t, uint64_t ino, const char *user,
		      const char *bytes, size_t len)
{
	return tfs_landscape_conf_update(t->st, user, INO_A(ino), bytes, len);
}

static void land_describe(char *out, size_t size, tfs_tree *t, uint64_t ino)
{
	tfs_landscape_conf_path(out, size, t->st, TFS_ENT_LANDSCAPE,
				INO_A(ino));
}

/* servers/: a new <name>.conf is a new server, created on its last
 * close (commit_new_user), as users/ does; other new names there and in
 * the landscape's directory are temporary files. */
static void land_target(struct target *tg, tfs_tree *t, uint64_t parent,
			const char *name)
{
	char base[256];
	tfs_attr a;

	if (INO_B(parent) == 1)
		return;
	if (INO_B(parent) == 2 && name[0] != '.' && conf_name(base, name) &&
	    tree_lookup(&a, t, parent, name) == TFS_ENOTFOUND) {
		tg->kind = TG_NEW;
		tg->in = NULL;
		snprintf(tg->name, sizeof(tg->name), "%s", base);
		return;
	}
	target_plain_dir(tg, t, parent, name);
}

/* rm servers/<name>.conf: a server no instance may use. */
static int land_unlink_as(tfs_tree *t, uint64_t parent, const tfs_attr *a,
			  const char *name, const tfs_user *u)
{
	if (INO_B(parent) != 2 || INO_CLASS(a->ino) != C_SERVER)
		return 1;
	return tfs_server_delete(t->st, u->login, INO_B(a->ino));
}

const struct node_ops console_land_ops = {
	.lookup = land_lookup,
	.getattr = land_getattr,
	.readdir = land_readdir,
	.content = land_content,
	.store = land_store,
	.describe = land_describe,
	.target = land_target,
	.unlink_as = land_unlink_as,
};

/* ---- servers/<name>.conf ---------------------------------------------------------- */

static int server_getattr(tfs_attr *out, tfs_tree *t, uint64_t ino)
{
	tfs_row row;
	int error;

	if ((error = tfs_store_get(&row, t->st, TFS_ENT_SERVER, INO_B(ino))) <
	    0)
		return error;
	return text_attr(out, t, ino, 0644, row.mtime);
}

static int server_content(tfs_buf *out, tfs_tree *t, uint64_t ino, bool *direct)
{
	return tfs_store_conf_render(out, t->st, TFS_ENT_SERVER, INO_B(ino));
}

static int server_store(tfs_tree *t, uint64_t ino, const char *user,
			const char *bytes, size_t len)
{
	return tfs_server_update(t->st, user, INO_B(ino), bytes, len);
}

static void server_describe(char *out, size_t size, tfs_tree *t, uint64_t ino)
{
	tfs_landscape_conf_path(out, size, t->st, TFS_ENT_SERVER, INO_B(ino));
}

const struct node_ops console_server_ops = {
	.getattr = server_getattr,
	.content = server_content,
	.store = server_store,
	.describe = server_describe,
};

/* ---- tenants/<tenant>/: tenant.conf, dashboard, events, licenses, instances -- */

static const struct name_ino tenant_names[] = {
	{ "tenant.conf", T_CONF },
	{ "dashboard", T_DASHBOARD },
	{ "events", T_EVENTS },
	{ "licenses", T_LICENSES },
	{ NULL, 0 },
};

static int row_inst(void *ctx, const tfs_row *r)
{
	return add_ino(ctx, r->name, INO(C_INST, r->id, I_DIR));
}

static int tenant_lookup(tfs_attr *out, tfs_tree *t, uint64_t parent,
			 const char *name)
{
	int64_t a = INO_A(parent);
	tfs_row row;
	int code;

	if (INO_B(parent) != 0)
		return TFS_ENOTFOUND;
	if ((code = find_name(tenant_names, name)) >= 0)
		return tree_getattr(out, t, INO(C_TENANT, a, code));
	if (tfs_store_find(&row, t->st, TFS_ENT_INSTANCE, a, name) == 0)
		return tree_getattr(out, t, INO(C_INST, row.id, I_DIR));
	return TFS_ENOTFOUND;
}

static int tenant_getattr(tfs_attr *out, tfs_tree *t, uint64_t ino)
{
	int64_t b = INO_B(ino);
	tfs_row row;
	int error;

	if ((error = tfs_store_get(&row, t->st, TFS_ENT_TENANT, INO_A(ino))) <
	    0)
		return error;
	if (b == T_DASHBOARD) /* instances' changes drop it: see observe() */
		note_seen(t, &t->dashboards, ino);
	if (b == T_DIR) {
		dir_attr(out, ino, row.mtime, false);
		return 0;
	}
	if (b == T_EVENTS)
		return scoped_events_attr(out, t, ino, INO_A(ino), 0);
	return text_attr(out, t, ino, b == T_CONF ? 0644 : 0444,
			 b == T_CONF ? row.mtime : store_mtime(t));
}

static int tenant_readdir(struct listing *l, uint64_t ino)
{
	int64_t a = INO_A(ino);
	size_t i;
	int error;

	for (i = 0; tenant_names[i].name; i++)
		if ((error = add_ino(l, tenant_names[i].name,
				     INO(C_TENANT, a, tenant_names[i].code))))
			return error;
	return tfs_store_list(l->t->st, TFS_ENT_INSTANCE, a, row_inst, l);
}

static int tenant_content(tfs_buf *out, tfs_tree *t, uint64_t ino, bool *direct)
{
	if (INO_B(ino) == T_CONF)
		return tfs_store_conf_render(out, t->st, TFS_ENT_TENANT,
					     INO_A(ino));
	if (INO_B(ino) == T_EVENTS)
		return tfs_store_events_scope_read(out, t->st, INO_A(ino), 0);
	if (INO_B(ino) == T_LICENSES)
		return tfs_store_render_licenses(out, t->st, INO_A(ino));
	note_seen(t, &t->dashboards, ino);
	return tfs_store_render_dashboard(out, t->st, INO_A(ino));
}

static int tenant_store(tfs_tree *t, uint64_t ino, const char *user,
			const char *bytes, size_t len)
{
	if (INO_B(ino) != 1)
		return tfs_error_set(TFS_EACCESS, "read-only file");
	return tfs_store_conf_update(t->st, TFS_ENT_TENANT, INO_A(ino), user,
				     bytes, len);
}

static void tenant_describe(char *out, size_t size, tfs_tree *t, uint64_t ino)
{
	snprintf(out, size, "tenant.conf");
}

static void tenant_target(struct target *tg, tfs_tree *t, uint64_t parent,
			  const char *name)
{
	if (INO_B(parent) != 0)
		return;
	if (strcmp(name, "tenant.conf") == 0) {
		tg->kind = TG_STORED;
		tg->ino = INO(C_TENANT, INO_A(parent), 1);
		return;
	}
	target_plain_dir(tg, t, parent, name);
}

/* mkdir tenants/<t>/<type>: a new, empty instance on that landscape. */
static int tenant_mkdir(tfs_tree *t, uint64_t parent, const char *name,
			const char *user)
{
	if (INO_B(parent) != 0)
		return tfs_error_set(TFS_EACCESS, "directories cannot be "
						  "created here");
	return tfs_inst_create(NULL, t->st, user, INO_A(parent), name);
}

/* rmdir tenants/<t>/<instance>: only in maintenance (else EBUSY). */
static int tenant_rmdir(tfs_tree *t, uint64_t parent, const tfs_attr *a,
			const char *name, const char *user)
{
	if (INO_B(parent) != 0 || INO_CLASS(a->ino) != C_INST ||
	    INO_B(a->ino) != I_DIR)
		return 1;
	return tfs_inst_remove(NULL, t->st, user, INO_A(a->ino));
}

const struct node_ops console_tenant_ops = {
	.lookup = tenant_lookup,
	.getattr = tenant_getattr,
	.readdir = tenant_readdir,
	.content = tenant_content,
	.store = tenant_store,
	.describe = tenant_describe,
	.target = tenant_target,
	.mkdir = tenant_mkdir,
	.rmdir = tenant_rmdir,
};
