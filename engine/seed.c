/*
 * The demo store (INTERFACE.md, "The demo store"): landscape group DEMO,
 * three-tier, with production, staging and uat landscapes and servers;
 * landscape group SMALL, two-tier; the users admin (uid 0), mops, jdoe
 * and gwen; tenant acme with three instances, production and uat
 * metadata-locked, its development project enabled; tenant globex with
 * production and staging, its development project disabled.
 *
 * Each tenant's production is loaded with the demo content
 * (engine/demo.c) as its first history commit; the tenant's other
 * instances are copies of it (SQLite's online backup of the database,
 * the branch at the same commit), as the guide's story has them: made
 * from production, hence at version 1 while production is at 0.  One
 * load per tenant instead of one per instance keeps `tenantctl init
 * --demo` quick.
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

static const char demo_console[] =
	"BEGIN;"
	"INSERT INTO groups(name, tiers, backup_type, description, mtime)"
	" VALUES('DEMO', 'three-tier', 'live',"
	" 'Demo landscape group', :now),"
	" ('SMALL', 'two-tier', 'live',"
	" 'Small customers: production and staging only', :now);"
	"INSERT INTO landscapes(group_id, type, tenant_pattern, db_pattern,"
	" email_domain, allow_all_backups, mtime) VALUES"
	" (1, 'production', '{tenantName}', '{dbName}', 'itsm.example.com',"
	"  0, :now),"
	" (1, 'staging', '{tenantName}.stg', '{dbName}-STG',"
	"  'stg.itsm.example.com', 1, :now),"
	" (1, 'uat', '{tenantName}.uat', '{dbName}-UAT',"
	"  'uat.itsm.example.com', 1, :now),"
	" (2, 'production', '{tenantName}', 'SB-{dbName}',"
	"  'small.itsm.example.com', 0, :now),"
	" (2, 'staging', '{tenantName}.stg', 'SB-{dbName}-STG',"
	"  'stg.small.itsm.example.com', 1, :now);"
	"INSERT INTO servers(landscape_id, name, host, login, mtime) VALUES"
	" (1, 'sql-prod-01', 'sql-prod-01.itsm.example.com', 'tfs', :now),"
	" (1, 'sql-prod-02', 'sql-prod-02.itsm.example.com', 'tfs', :now),"
	" (2, 'sql-stg-01', 'sql-stg-01.itsm.example.com', 'tfs', :now),"
	" (3, 'sql-uat-01', 'sql-uat-01.itsm.example.com', 'tfs', :now),"
	" (4, 'sql-small-01', 'sql-small-01.itsm.example.com', 'tfs', :now),"
	" (5, 'sql-small-stg-01', 'sql-small-stg-01.itsm.example.com', 'tfs',"
	"  :now);"
	"DELETE FROM users WHERE login = 'admin';"
	"INSERT INTO users(login, name, company, administrator, email, uid,"
	" mtime) VALUES"
	" ('admin', 'Operations Administrator', 'Hosting Provider', 1,"
	"  'admin@hosting.example.com', 0, :now),"
	" ('gwen', 'Gwen Stacy', 'Globex Inc', 0,"
	"  'gwen.stacy@globex.example.com', NULL, :now),"
	" ('jdoe', 'Jane Doe', 'Acme Corporation', 0,"
	"  'jane.doe@acme.example.com', NULL, :now),"
	" ('mops', 'Max Ops', 'Hosting Provider', 1,"
	"  'max.ops@hosting.example.com', NULL, :now);"
	"INSERT INTO tenants(name, group_id, company, contact, dev_project,"
	" created, mtime) VALUES('acme', 1, 'Acme Corporation',"
	" 'Jane Doe <jane.doe@acme.example.com>', 1, :now, :now),"
	" ('globex', 2, 'Globex Inc',"
	" 'Gwen Stacy <gwen.stacy@globex.example.com>', 0, :now, :now);"
	"INSERT INTO instances(tenant_id, name, landscape_id, status,"
	" metadata_locked, named_licenses, concurrent_licenses,"
	" session_timeout, contact, email_listener, uri, database, api_key,"
	" created, mtime) VALUES"
	" (1, 'production', 1, 'active', 1, 250, 80, 60,"
	"  'Jane Doe', 1, 'https://acme.itsm.example.com', 'ACME', :k1,"
	"  :now, :now),"
	" (1, 'staging', 2, 'active', 0, 25, 10, 60, 'Jane Doe', 0,"
	"  'https://acme.stg.itsm.example.com', 'ACME-STG', :k2, :now, :now),"
	" (1, 'uat', 3, 'active', 1, 50, 20, 60, 'Jane Doe', 0,"
	"  'https://acme.uat.itsm.example.com', 'ACME-UAT', :k3, :now, :now),"
	" (2, 'production', 4, 'active', 1, 40, 15, 60, 'Gwen Stacy', 1,"
	"  'https://globex.small.itsm.example.com', 'SB-GLOBEX', :k4,"
	"  :now, :now),"
	" (2, 'staging', 5, 'active', 0, 10, 5, 60, 'Gwen Stacy', 0,"
	"  'https://globex.stg.small.itsm.example.com', 'SB-GLOBEX-STG', :k5,"
	"  :now, :now);"
	"COMMIT;";

static int run_seed(db_conn *c, int64_t now)
{
	const char *sql = demo_console, *tail;
	sqlite3_stmt *s;
	char key[37];
	int rc, i;

	while (*sql) {
		if (sqlite3_prepare_v2(c->db, sql, -1, &s, &tail) != SQLITE_OK)
			return db_fail(c, "demo");
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
			return db_fail(c, "demo");
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
		error = db_fail(&in->db, "demo copy");
		goto done;
	}
	rc = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		error = db_fail(&in->db, "demo copy");
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

static int load_at_version(tfs_inst *in, int64_t now, int64_t version)
{
	int error = inst_load_demo(in, now);

	if (error)
		return error;
	inst_write_begin(in);
	error = inst_meta_set_int(in, "version", version);
	inst_write_end(in);
	return error;
}

static int demo_event(tfs_store *st, const char *action, int64_t tenant,
		      int64_t inst, const char *fmt, const char *arg)
{
	char msg[200];
	tfs_event ev = {"admin", action, msg, inst, tenant};

	snprintf(msg, sizeof(msg), fmt, arg);
	return tfs_store_event(st, &ev);
}

/*
 * The demo servers' locations are directories of this machine, as a
 * server's must be (landscape.c): servers/<name>/{data,backup,log} in
 * the store, so that the demo's servers can be edited and `status` finds
 * them reachable.  Made under `store`, named under `home` (where the
 * store will be: tfs_store_init builds it beside).
 */
static int server_dirs(db_conn *c, const char *store, const char *home)
{
	static const char *const kinds[] = {"data", "backup", "log"};
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

int tfs_store_create_demo(const char *path)
{
	char home[PATH_MAX];

	store_abs_path(home, path);
	return store_create_demo(path, home);
}

int store_create_demo(const char *path, const char *home)
{
	static const char *const groups[] = {"", "DEMO", "SMALL"};
	char p[4096];
	tfs_store *st = NULL;
	tfs_inst *prod[3] = {NULL, NULL, NULL};
	db_conn c = {0};
	int64_t now = tfs_now();
	size_t i;
	int error;

	if ((error = tfs_store_create(path)) < 0)
		return error;
	snprintf(p, sizeof(p), "%s/console.db", path);
	if ((error = db_open(&c, p, false)) < 0)
		return error;
	if ((error = run_seed(&c, now)) == 0)
		error = server_dirs(&c, path, home);
	db_close(&c);
	if (error < 0)
		return error;
	if ((error = store_open(&st, path, 0, true)) < 0)
		return error;
	for (i = 1; i <= 2 && !error; i++) {
		char msg[100];
		snprintf(msg, sizeof(msg), "tenant %%s created in landscape "
			 "group %s", groups[i]);
		error = demo_event(st, "Tenant/Create", (int64_t)i, 0, msg,
				   i == 1 ? "acme" : "globex");
	}
	/* Instances are in id order, each tenant's production first. */
	for (i = 1; i < store_ninsts(st) && !error; i++) {
		tfs_inst *in = store_slot(st, (int64_t)i);
		bool first;

		if (!in || in->tenant_id <= 0 || in->tenant_id > 2)
			continue;
		first = !prod[in->tenant_id];
		/* acme's staging has its translators' later edits in its
		 * initial configuration (demo_translations.c): loaded, not
		 * copied, so that copy-translation has strings to move. */
		if (!first && in->tenant_id == 1 &&
		    strcmp(in->name, "staging") == 0)
			error = load_at_version(in, now, 1);
		else
			error = first ? inst_load_demo(in, now) :
				clone_instance(in, prod[in->tenant_id], 1);
		if (first)
			prod[in->tenant_id] = in;
		if (!error)
			error = demo_event(st, "Instance/Create", 0, in->id,
					   first ? "instance %s created with "
					   "the initial configuration" :
					   "instance %s created as a copy of "
					   "production", in->name);
	}
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
		s = db_stmt(&st->db, "INSERT INTO tenants(name, group_id, "
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
	s = db_stmt(&st->db, "INSERT INTO instances(tenant_id, name, "
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
