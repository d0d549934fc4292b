/*
 * A store created from a seed (tenantfs/seed.h; the demo's is in
 * tools/demo/): the seed's console rows, a directory in the store for
 * each of its servers' locations, and each instance loaded with the
 * seed's content as its first history commit.
 *
 * Only a tenant's first instance (its production) and those the seed says
 * have content of their own are loaded; the tenant's other instances are
 * copies of its production (SQLite's online backup of the database, the
 * branch at the same commit), as the console's story has them: made from
 * production, hence at version 1 while production is at 0.  One load per
 * tenant instead of one per instance keeps `tenantctl init --demo` quick.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>

#include "internal.h"
#include "tenantfs/doc.h"
#include "tenantfs/error.h"
#include "tenantfs/history.h"

static int run_seed(db_conn *c, const char *sql, int64_t now)
{
	const char *tail;
	sqlite3_stmt *s;
	char key[37];
	int rc, i;

	while (*sql) {
		if (sqlite3_prepare_v2(c->db, sql, -1, &s, &tail) != SQLITE_OK)
			return db_fail(c, "seed");
		if (!s)
			break;
		for (i = 1; i <= sqlite3_bind_parameter_count(s); i++) {
			const char *p = sqlite3_bind_parameter_name(s, i);
			if (p && strcmp(p, ":now") == 0) {
				sqlite3_bind_int64(s, i, now);
			} else {
				tfs_uuid_new(key);
				sqlite3_bind_text(s, i, key, -1,
						  SQLITE_TRANSIENT);
			}
		}
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE)
			return db_fail(c, "seed");
		sql = tail;
	}
	return 0;
}

/*
 * Make `in` (just created, empty) a copy of `from` (loaded, nobody else
 * using either): the database by SQLite's online backup, the branch at
 * the same commit, the version `version`.
 */
static int clone_instance(tfs_inst *in, tfs_inst *from, int64_t version)
{
	sqlite3_backup *b;
	char oid[41];
	int n, rc, error;

	inst_write_begin(in);
	b = sqlite3_backup_init(in->db.db, "main", from->db.db, "main");
	if (!b) {
		error = db_fail(&in->db, "seed copy");
		goto done;
	}
	rc = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		error = db_fail(&in->db, "seed copy");
		goto done;
	}
	if ((error = inst_meta_set_int(in, "version", version)) < 0 ||
	    (error = inst_last_commit(in, &n, oid)) < 0)
		goto done;
	if (n > 0)
		error = tfs_history_set_ref(in->st->hist, in->branch, oid);
done:
	inst_write_end(in);
	return error;
}

struct seed_load {
	const tfs_seed *seed;
	const char *tenant, *inst;
	int64_t now;
};

/* The inst_load() generator: the seed's content of one instance. */
static int seed_gen(tfs_put_fn put, void *put_ctx, void *ctx)
{
	const struct seed_load *l = ctx;

	return l->seed->content(put, put_ctx, l->tenant, l->inst, l->now);
}

/* Load `in` with the seed's content, at version `version`. */
static int load_seeded(tfs_inst *in, const tfs_seed *seed, int64_t now,
		       int64_t version)
{
	struct seed_load l = { seed, tfs_inst_tenant(in), in->name, now };
	int error = inst_load(in, now, seed_gen, &l);

	if (error || version == 0)
		return error;
	inst_write_begin(in);
	error = inst_meta_set_int(in, "version", version);
	inst_write_end(in);
	return error;
}

static int seed_event(tfs_store *st, const char *action, int64_t tenant,
		      int64_t inst, const char *fmt, const char *arg)
{
	char msg[200];
	tfs_event ev = { "admin", action, msg, inst, tenant };

	snprintf(msg, sizeof(msg), fmt, arg);
	return tfs_store_event(st, &ev);
}

/*
 * The seed's servers' locations are directories of this machine, as a
 * server's must be (landscape.c): servers/<name>/{data,backup,log} in
 * the store, so that the servers can be edited and `status` finds them
 * reachable.  Made under `store`, named under `home` (where the
 * store will be: tfs_store_init builds it beside).
 */
static int server_dirs(db_conn *c, const char *store, const char *home)
{
	static const char *const kinds[] = { "data", "backup", "log" };
	sqlite3_stmt *s = db_stmt(c, "SELECT id, name FROM servers");
	sqlite3_stmt *u = db_stmt(c, "UPDATE servers SET data_location = ?2,"
				     " backup_location = ?3, log_location = ?4"
				     " WHERE id = ?1");
	char dir[3][4096];
	int rc, i, error = 0;

	if (!s || !u)
		return TFS_ERROR;
	snprintf(dir[0], sizeof(dir[0]), "%s/servers", store);
	if (mkdir(dir[0], 0755) < 0 && errno != EEXIST)
		return tfs_error_set(TFS_ERROR, "%s: %s", dir[0],
				     strerror(errno));
	while (!error && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		snprintf(dir[0], sizeof(dir[0]), "%s/servers/%s", store,
			 db_text(s, 1));
		if (mkdir(dir[0], 0755) < 0 && errno != EEXIST)
			error = tfs_error_set(TFS_ERROR, "%s: %s", dir[0],
					      strerror(errno));
		for (i = 2; !error && i >= 0; i--) {
			snprintf(dir[i], sizeof(dir[i]), "%s/servers/%s/%s",
				 store, db_text(s, 1), kinds[i]);
			if (mkdir(dir[i], 0755) < 0 && errno != EEXIST)
				error = tfs_error_set(TFS_ERROR, "%s: %s",
						      dir[i], strerror(errno));
			snprintf(dir[i], sizeof(dir[i]), "%s/servers/%s/%s",
				 home, db_text(s, 1), kinds[i]);
		}
		if (error)
			break;
		sqlite3_bind_int64(u, 1, sqlite3_column_int64(s, 0));
		for (i = 0; i < 3; i++)
			sqlite3_bind_text(u, i + 2, dir[i], -1,
					  SQLITE_TRANSIENT);
		error = db_done(c, u);
	}
	sqlite3_reset(s);
	return error;
}

int tfs_store_create_seeded(const char *path, const tfs_seed *seed)
{
	char home[PATH_MAX];

	store_abs_path(home, path);
	return store_create_seeded(path, home, seed);
}

/* A Tenant/Create event for every tenant of the seed. */
static int tenant_events(tfs_store *st)
{
	sqlite3_stmt *s = db_stmt(&st->db, "SELECT t.id, t.name, g.name FROM"
					   " tenants t JOIN groups g ON g.id ="
					   " t.group_id ORDER BY t.id");
	char msg[200];
	int rc, error = 0;

	if (!s)
		return TFS_ERROR;
	while (!error && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		tfs_event ev = { "admin", "Tenant/Create", msg, 0,
				 sqlite3_column_int64(s, 0) };

		snprintf(msg, sizeof(msg),
			 "tenant %s created in landscape "
			 "group %s",
			 db_text(s, 1), db_text(s, 2));
		error = tfs_store_event(st, &ev);
	}
	if (!error && rc != SQLITE_DONE)
		error = db_fail(&st->db, "tenants");
	sqlite3_reset(s);
	return error;
}

/*
 * Load every instance of the seed, in id order (each tenant's production
 * first): loaded, or a copy of its tenant's production.  The tenants'
 * productions are remembered in `prod`, by tenant id.
 */
static int fill_instances(tfs_store *st, const tfs_seed *seed, int64_t now)
{
	sqlite3_stmt *s = db_stmt(&st->db, "SELECT max(id) FROM tenants");
	tfs_inst **prod;
	int64_t ntenants;
	size_t i;
	int error = 0;

	if (!s)
		return TFS_ERROR;
	ntenants = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) :
						   0;
	sqlite3_reset(s);
	prod = calloc((size_t)ntenants + 1, sizeof(*prod));
	if (!prod)
		return tfs_error_set(TFS_ERROR, "out of memory");
	for (i = 1; i < store_ninsts(st) && !error; i++) {
		tfs_inst *in = store_slot(st, (int64_t)i);
		tfs_inst **first;

		if (!in || in->tenant_id <= 0 || in->tenant_id > ntenants)
			continue;
		first = &prod[in->tenant_id];
		if (!*first)
			error = load_seeded(in, seed, now, 0);
		else if (seed->own_content &&
			 seed->own_content(tfs_inst_tenant(in), in->name))
			error = load_seeded(in, seed, now, 1);
		else
			error = clone_instance(in, *first, 1);
		if (!error)
			error = seed_event(
				st, "Instance/Create", 0, in->id,
				!*first ? "instance %s created with "
					  "the initial configuration" :
					  "instance %s created as a copy of "
					  "production",
				in->name);
		if (!*first)
			*first = in;
	}
	free(prod);
	return error;
}

int store_create_seeded(const char *path, const char *home,
			const tfs_seed *seed)
{
	char p[4096];
	tfs_store *st = NULL;
	db_conn c = { 0 };
	int64_t now = tfs_now();
	int error;

	if ((error = tfs_store_create(path)) < 0)
		return error;
	snprintf(p, sizeof(p), "%s/console.db", path);
	if ((error = db_open(&c, p, false)) < 0)
		return error;
	if ((error = run_seed(&c, seed->console_sql, now)) == 0)
		error = server_dirs(&c, path, home);
	db_close(&c);
	if (error < 0)
		return error;
	if ((error = store_open(&st, path, 0, true)) < 0)
		return error;
	error = tenant_events(st);
	if (!error)
		error = fill_instances(st, seed, now);
	tfs_store_free(st);
	return error;
}

/*
 * Add instance `name` of tenant `tenant` (created if missing, in the first
 * landscape group) on the landscape of type `landscape`, with an empty
 * database; *out is the new instance (owned by the store).
 */
int store_add_instance(tfs_inst **out, tfs_store *st, const char *tenant,
		       const char *name, const char *landscape, bool locked)
{
	sqlite3_stmt *s;
	tfs_row row;
	int64_t now = tfs_now(), tenant_id, id;
	char key[37];
	tfs_inst *in;
	int error;

	*out = NULL;
	if (!tfs_name_valid(tenant) || !tfs_name_valid(name))
		return tfs_error_set(TFS_EINVALID, "invalid tenant or "
						   "instance name");
	if (tfs_store_find(&row, st, TFS_ENT_TENANT, 0, tenant) == 0) {
		tenant_id = row.id;
	} else {
		s = db_stmt(&st->db,
			    "INSERT INTO tenants(name, group_id, "
			    "company, contact, dev_project, created, mtime) "
			    "VALUES(?1, (SELECT min(id) FROM groups), ?1, '',"
			    " 1, ?2, ?2)");
		if (!s)
			return TFS_ERROR;
		sqlite3_bind_text(s, 1, tenant, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, now);
		if ((error = db_done(&st->db, s)) < 0)
			return error;
		tenant_id = sqlite3_last_insert_rowid(st->db.db);
	}
	tfs_uuid_new(key);
	s = db_stmt(&st->db,
		    "INSERT INTO instances(tenant_id, name, "
		    "landscape_id, metadata_locked, api_key, created, mtime) "
		    "VALUES(?1, ?2, (SELECT l.id FROM landscapes l JOIN tenants"
		    " t ON t.group_id = l.group_id WHERE t.id = ?1 AND l.type ="
		    " ?3), ?4, ?5, ?6, ?6)");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, tenant_id);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, landscape, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, locked);
	sqlite3_bind_text(s, 5, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, now);
	if ((error = db_done(&st->db, s)) < 0)
		return error;
	id = sqlite3_last_insert_rowid(st->db.db);
	if (id > 0xffff)
		return tfs_error_set(TFS_ERROR, "too many instances");
	if ((error = inst_open(&in, st, id, true)) < 0)
		return error;
	if ((error = store_publish(st, in)) < 0) {
		inst_free(in);
		return error;
	}
	*out = in;
	return 0;
}
