/*
 * Tenants and instances, without a mount: the demo v2 (groups, tenants,
 * users, versions, customer e-mails), creating and deleting tenants and
 * instances (engine/lifecycle.c, lifecycle_inst.c), the states that
 * refuse edits, applies and reverts, the disabled development project,
 * and instances created and deleted while other threads read the store
 * (run it under TSan to see races).
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper.h"
#include "tap.h"
#include "tenantfs/error.h"
#include "tenantfs/instance.h"
#include "tenantfs/lifecycle.h"
#include "tenantfs/package.h"
#include "tenantfs/perm.h"
#include "tenantfs/store.h"

static const char form[] =
	"<Form name=\"Lc.Test\" businessObject=\"Incident\">\n"
	"  <FieldRef name=\"Subject\"/>\n</Form>\n";

static int set_conf(tfs_store *st, tfs_entity ent, int64_t id, const char *user,
		    const char *line)
{
	return tfs_store_conf_update(st, ent, id, user, line, strlen(line));
}

static int commits(tfs_inst *in)
{
	int n = -1;

	tfs_inst_history_count(in, &n);
	return n;
}

static void check_demo(tfs_store *st)
{
	int64_t acme = th_find(st, TFS_ENT_TENANT, 0, "acme");
	int64_t globex = th_find(st, TFS_ENT_TENANT, 0, "globex");
	static const char *const vers[][3] = {
		{ "acme", "production", "0" }, { "acme", "staging", "1" },
		{ "acme", "uat", "1" },        { "globex", "production", "0" },
		{ "globex", "staging", "1" },
	};
	char v[256];
	size_t i;

	CHECK(th_find(st, TFS_ENT_GROUP, 0, "DEMO") &&
		      th_find(st, TFS_ENT_GROUP, 0, "SMALL"),
	      "groups DEMO and SMALL");
	th_conf_get(v, sizeof(v), st, TFS_ENT_GROUP,
		    th_find(st, TFS_ENT_GROUP, 0, "SMALL"), "tiers");
	CHECK(strcmp(v, "two-tier") == 0, "SMALL is two-tier (%s)", v);
	CHECK(acme && globex, "tenants acme and globex");
	th_conf_get(v, sizeof(v), st, TFS_ENT_TENANT, globex, "company");
	CHECK(strcmp(v, "Globex Inc") == 0, "globex's company (%s)", v);
	th_conf_get(v, sizeof(v), st, TFS_ENT_TENANT, globex,
		    "development_project");
	CHECK(strcmp(v, "false") == 0, "globex: no development project");
	th_conf_get(v, sizeof(v), st, TFS_ENT_TENANT, globex,
		    "landscape_group");
	CHECK(strcmp(v, "SMALL") == 0, "globex is in SMALL (%s)", v);
	th_conf_get(v, sizeof(v), st, TFS_ENT_USER,
		    th_find(st, TFS_ENT_USER, 0, "admin"), "uid");
	CHECK(strcmp(v, "0") == 0, "admin has uid 0 (%s)", v);
	th_conf_get(v, sizeof(v), st, TFS_ENT_USER,
		    th_find(st, TFS_ENT_USER, 0, "gwen"), "company");
	CHECK(strcmp(v, "Globex Inc") == 0, "gwen is Globex's (%s)", v);
	th_conf_get(v, sizeof(v), st, TFS_ENT_USER,
		    th_find(st, TFS_ENT_USER, 0, "mops"), "administrator");
	CHECK(strcmp(v, "true") == 0, "mops is an administrator");
	th_conf_get(v, sizeof(v), st, TFS_ENT_USER,
		    th_find(st, TFS_ENT_USER, 0, "jdoe"), "uid");
	CHECK(strcmp(v, "none") == 0, "jdoe has no uid (%s)", v);
	for (i = 0; i < sizeof(vers) / sizeof(vers[0]); i++) {
		int64_t t = th_find(st, TFS_ENT_TENANT, 0, vers[i][0]);
		int64_t id = th_find(st, TFS_ENT_INSTANCE, t, vers[i][1]);
		tfs_inst *in = tfs_store_inst(st, id);
		th_conf_get(v, sizeof(v), st, TFS_ENT_INSTANCE, id, "version");
		CHECK(in && strcmp(v, vers[i][2]) == 0 && commits(in) == 1,
		      "%s/%s: version %s (%s), one commit", vers[i][0],
		      vers[i][1], vers[i][2], v);
	}
}

/* An incident and an e-mail journal entry carry customer addresses. */
/* status's fix (who, what), licenses' rows, a tenant's events. */
static void check_admin_files(tfs_store *st)
{
	tfs_user admin = { .id = 1, .login = "admin", .admin = true };
	tfs_user jdoe = { .id = 3, .login = "jdoe", .admin = false };
	int64_t acme = th_find(st, TFS_ENT_TENANT, 0, "acme");
	tfs_buf b = TFS_BUF_INIT;
	uint64_t size = 0;
	int64_t mtime = 0;
	int rows = 0;
	size_t i;

	CHECK(tfs_store_status_check("fix\n", 4) == 0 &&
		      tfs_store_status_check(" fi", 3) == 0,
	      "status takes fix, and its start while it is written");
	CHECK(tfs_store_status_check("fixx", 4) == TFS_EINVALID &&
		      tfs_store_status_check("garbage", 7) == TFS_EINVALID,
	      "status refuses anything else at once");
	CHECK(tfs_store_status_write(st, &jdoe, "fix", 3) == TFS_EACCESS,
	      "a non-administrator cannot fix status");
	CHECK(tfs_store_status_write(st, &admin, "fi", 2) == TFS_EINVALID,
	      "an administrator cannot write fi");
	CHECK(tfs_store_status_write(st, &admin, "fix\n", 4) == 0,
	      "an administrator fixes (nothing to fix in the demo)");
	CHECK(tfs_store_render_licenses(&b, st, 0) == 0 && b.ptr &&
		      strncmp(b.ptr,
			      "date,tenant,instance,license_type,licenses,"
			      "used\n",
			      45) == 0,
	      "licenses: the CSV header");
	for (i = 0; b.ptr && i < b.size; i++)
		rows += b.ptr[i] == '\n';
	CHECK(rows == 1 + 2 * 5, "licenses: two rows per instance (%d)",
	      rows - 1);
	tfs_buf_clear(&b);
	CHECK(tfs_store_events_scope_size(st, acme, 0, &size, &mtime) == 0 &&
		      tfs_store_events_scope_read(&b, st, acme, 0) == 0 &&
		      size > 0 && size == b.size && mtime > 0,
	      "acme's events: size %llu, read %zu", (unsigned long long)size,
	      b.size);
	tfs_buf_free(&b);
}

static void check_emails(tfs_store *st)
{
	int64_t t = th_find(st, TFS_ENT_TENANT, 0, "acme");
	tfs_inst *in = tfs_store_inst(st, th_find(st, TFS_ENT_INSTANCE, t,
						  "production"));
	tfs_obj_info info;
	tfs_buf b = TFS_BUF_INIT;
	int64_t dir;

	CHECK(in &&
		      tfs_inst_dir_find(&dir, in, TFS_KIND_DATA, "Incident") ==
			      0 &&
		      tfs_inst_obj_find(&info, in, dir, "INC-10001") == 0 &&
		      tfs_inst_obj_read(&b, in, info.id) == 0 &&
		      strstr(b.ptr, "field=\"CustomerEmail\">") &&
		      strstr(b.ptr, "@acme.example<"),
	      "INC-10001 has the customer's e-mail address");
	tfs_buf_free(&b);
}

static void check_tenants(tfs_store *st)
{
	int64_t id = 0, t;
	char v[256];

	CHECK(tfs_tenant_create(NULL, st, "admin", "Bad_Name") == TFS_EINVALID,
	      "a tenant name with capitals is refused");
	CHECK(tfs_tenant_create(NULL, st, "jdoe", "initech") == TFS_EACCESS,
	      "jdoe (not an administrator) cannot create tenants");
	CHECK(!th_find(st, TFS_ENT_TENANT, 0, "initech"), "... none was made");
	CHECK(tfs_tenant_create(&id, st, "admin", "initech") == 0 && id > 0,
	      "admin creates tenant initech");
	CHECK(tfs_tenant_create(NULL, st, "admin", "initech") == TFS_EEXISTS,
	      "a second initech is refused");
	th_conf_get(v, sizeof(v), st, TFS_ENT_TENANT, id, "landscape_group");
	CHECK(v[0] == '\0', "a new tenant has no landscape group yet");
	CHECK(tfs_inst_create(NULL, st, "admin", id, "production") ==
		      TFS_EINVALID,
	      "no instance before the landscape group is set");
	CHECK(set_conf(st, TFS_ENT_TENANT, id, "admin",
		       "landscape_group = NOPE\n") == TFS_EINVALID,
	      "landscape_group must name a group");
	CHECK(set_conf(st, TFS_ENT_TENANT, id, "admin",
		       "landscape_group = SMALL\n") == 0,
	      "landscape_group = SMALL");
	CHECK(set_conf(st, TFS_ENT_TENANT, id, "admin",
		       "landscape_group = DEMO\n") == TFS_EINVALID,
	      "... and it is set once");
	th_conf_get(v, sizeof(v), st, TFS_ENT_TENANT, id, "landscape_group");
	CHECK(strcmp(v, "SMALL") == 0, "... still SMALL (%s)", v);
	t = th_find(st, TFS_ENT_TENANT, 0, "initech");
	CHECK(tfs_tenant_remove(st, "admin", t) == 0 &&
		      !th_find(st, TFS_ENT_TENANT, 0, "initech"),
	      "an empty tenant is removed");
}

static void check_instances(tfs_store *st)
{
	int64_t t = 0, id;
	tfs_inst *prod = NULL, *stg = NULL, *again = NULL;
	char v[256], key1[64], key2[64], backup[4096], path[4200];
	struct stat sb;

	tfs_tenant_create(&t, st, "admin", "hooli");
	set_conf(st, TFS_ENT_TENANT, t, "admin", "landscape_group = SMALL\n");
	CHECK(tfs_inst_create(NULL, st, "admin", t, "staging") == TFS_EINVALID,
	      "staging before production is refused");
	CHECK(tfs_inst_create(NULL, st, "admin", t, "uat") == TFS_EINVALID,
	      "uat is refused: SMALL has no uat landscape");
	CHECK(tfs_inst_create(NULL, st, "admin", t, "qa") == TFS_EINVALID,
	      "qa is not a landscape type");
	CHECK(tfs_inst_create(NULL, st, "jdoe", t, "production") == TFS_EACCESS,
	      "jdoe cannot create instances");
	CHECK(tfs_inst_create(&prod, st, "admin", t, "production") == 0 && prod,
	      "production of hooli");
	CHECK(tfs_inst_create(&stg, st, "admin", t, "staging") == 0 && stg,
	      "then its staging");
	CHECK(tfs_inst_create(NULL, st, "admin", t, "staging") == TFS_EEXISTS,
	      "a second staging is refused");
	if (!prod || !stg)
		return;
	CHECK(commits(prod) == 0 && commits(stg) == 0,
	      "new instances have no history commit");
	th_conf_get(v, sizeof(v), st, TFS_ENT_INSTANCE, tfs_inst_id(stg),
		    "uri");
	CHECK(strcmp(v, "https://hooli.stg.small.itsm.example.com") == 0,
	      "staging's uri from the patterns (%s)", v);
	th_conf_get(v, sizeof(v), st, TFS_ENT_INSTANCE, tfs_inst_id(stg),
		    "database");
	CHECK(strcmp(v, "SB-HOOLI-STG") == 0, "staging's database (%s)", v);
	{
		tfs_buf a = TFS_BUF_INIT;
		/* api_key reads *** in conf renderings; status lists keys */
		tfs_store_render_status(&a, st);
		CHECK(a.ptr && strstr(a.ptr, "hooli"), "status lists hooli");
		tfs_buf_free(&a);
	}
	(void)key1;
	(void)key2;

	/* Not in maintenance: EBUSY, nothing removed. */
	id = tfs_inst_id(stg);
	CHECK(tfs_inst_remove(NULL, st, "admin", id) == TFS_EBUSY &&
		      tfs_store_inst(st, id) == stg,
	      "rmdir outside maintenance: "
	      "EBUSY, still there");
	CHECK(tfs_inst_save(NULL, stg, "admin", TFS_KIND_METADATA, "Form",
			    "Lc.Test", form, strlen(form)) < 0,
	      "an edit of an empty staging fails (no Incident): fine");
	CHECK(set_conf(st, TFS_ENT_INSTANCE, id, "admin",
		       "in_maintenance = true\n") == 0,
	      "staging into maintenance");
	CHECK(tfs_inst_remove(backup, st, "admin", id) == 0,
	      "rmdir of staging in maintenance");
	CHECK(tfs_store_inst(st, id) == NULL &&
		      !th_find(st, TFS_ENT_INSTANCE, t, "staging"),
	      "... it is gone from the store");
	CHECK(stat(backup, &sb) == 0 && sb.st_size > 0,
	      "... its backup exists: %s", backup);
	snprintf(path, sizeof(path), "%s/instances/hooli/staging.db",
		 tfs_store_path(st));
	CHECK(stat(path, &sb) < 0, "... its database file is removed");
	CHECK(tfs_inst_save(NULL, stg, "admin", TFS_KIND_METADATA, "Form",
			    "Lc.Test", form, strlen(form)) < 0,
	      "a writer still holding it is refused");
	CHECK(tfs_inst_history_count(stg, &(int){ 0 }) == 0,
	      "... and reading through it still works");
	CHECK(tfs_inst_create(&again, st, "admin", t, "staging") == 0 &&
		      again && again != stg && commits(again) == 0,
	      "a new staging of the same name starts empty");
	CHECK(tfs_tenant_remove(st, "admin", t) == TFS_ENOTEMPTY,
	      "a tenant with instances is not removed");
}

static void check_states(tfs_store *st)
{
	int64_t t = th_find(st, TFS_ENT_TENANT, 0, "acme");
	int64_t id = th_find(st, TFS_ENT_INSTANCE, t, "staging");
	tfs_inst *in = tfs_store_inst(st, id);
	tfs_buf log = TFS_BUF_INIT, r = TFS_BUF_INIT;
	int n0 = in ? commits(in) : -1;
	static const char *const states[] = {
		"in_maintenance = true\n",
		"status = on-hold\n",
		"status = closed\n",
		"expiration = 2001-01-01\n",
	};
	static const char *const undo[] = {
		"in_maintenance = false\n",
		"status = active\n",
		"status = active\n",
		"expiration = never\n",
	};
	size_t i;

	CHECK(set_conf(st, TFS_ENT_INSTANCE, id, "admin",
		       "status = onhold\n") == TFS_EINVALID,
	      "status onhold is not one of active on-hold closed");
	for (i = 0; in && i < 4; i++) {
		CHECK(set_conf(st, TFS_ENT_INSTANCE, id, "admin", states[i]) ==
			      0,
		      "administrator sets %.*s", (int)strlen(states[i]) - 1,
		      states[i]);
		CHECK(tfs_inst_save(NULL, in, "admin", TFS_KIND_METADATA,
				    "Form", "Lc.Test", form,
				    strlen(form)) == TFS_ELOCKED,
		      "... an edit is refused (EROFS)");
		tfs_buf_clear(&r);
		CHECK(tfs_inst_revert(&r, in, "admin", 1) == TFS_ELOCKED &&
			      r.ptr && strncmp(r.ptr, "rejected", 8) == 0,
		      "... a revert is refused");
		CHECK(set_conf(st, TFS_ENT_INSTANCE, id, "admin",
			       "named_licenses = 26\n") == 0 &&
			      set_conf(st, TFS_ENT_INSTANCE, id, "admin",
				       "named_licenses = 25\n") == 0,
		      "... instance.conf still takes the administrator's "
		      "changes");
		CHECK(set_conf(st, TFS_ENT_INSTANCE, id, "admin", undo[i]) == 0,
		      "back: %.*s", (int)strlen(undo[i]) - 1, undo[i]);
	}
	CHECK(in && commits(in) == n0, "no commit was made (%d)", n0);
	if (in)
		tfs_inst_log_render(&log, in);
	CHECK(log.ptr && strstr(log.ptr, "is in maintenance") &&
		      strstr(log.ptr, "is not active (instance.conf: status = "
				      "on-hold): reverts refused") &&
		      strstr(log.ptr, "expired on 2001-01-01") &&
		      strstr(log.ptr, "reverts refused"),
	      "the log says why each revert was refused (a refused save is "
	      "recorded by its writer, the tree)");
	CHECK(in && tfs_inst_save(NULL, in, "admin", TFS_KIND_METADATA, "Form",
				  "Lc.Test", form, strlen(form)) == 0,
	      "active again: the edit is taken");
	tfs_buf_free(&log);
	tfs_buf_free(&r);
}

static void check_dev_project(tfs_store *st)
{
	int64_t t = th_find(st, TFS_ENT_TENANT, 0, "globex");
	tfs_inst *in = tfs_store_inst(st, th_find(st, TFS_ENT_INSTANCE, t,
						  "staging"));
	tfs_buf log = TFS_BUF_INIT;
	tfs_row row;

	CHECK(in && tfs_pkg_create(in, "admin", "P1") == TFS_EACCESS &&
		      tfs_pkg_find(&row, in, "P1") < 0,
	      "globex (no development project): no package is made");
	if (in)
		tfs_inst_log_render(&log, in);
	CHECK(log.ptr && strstr(log.ptr, "development project of tenant "
					 "globex is disabled"),
	      "... the log says why");
	CHECK(set_conf(st, TFS_ENT_TENANT, t, "admin",
		       "development_project = true\n") == 0 &&
		      in && tfs_pkg_create(in, "admin", "P1") == 0,
	      "with the development project enabled, it is");
	set_conf(st, TFS_ENT_TENANT, t, "admin",
		 "development_project = false\n");
	tfs_buf_free(&log);
}

/* The objects in a database file, by SQLite; -1 if unreadable. */
static int count_objects(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int n = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
		    SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM objects", -1, &s,
			       NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

/* Deleting an instance with history: backup and branch are kept. */
static void check_delete_committed(tfs_store *st)
{
	int64_t t = th_find(st, TFS_ENT_TENANT, 0, "acme");
	int64_t id = th_find(st, TFS_ENT_INSTANCE, t, "uat");
	tfs_inst *in = tfs_store_inst(st, id);
	char backup[4096], cmd[4400], path[4200];
	int n;

	snprintf(path, sizeof(path), "%s/instances/acme/uat.db",
		 tfs_store_path(st));
	n = count_objects(path);
	CHECK(in && n > 1000, "acme/uat holds %d objects", n);
	CHECK(set_conf(st, TFS_ENT_INSTANCE, id, "admin",
		       "in_maintenance = true\n") == 0 &&
		      tfs_inst_remove(backup, st, "admin", id) == 0,
	      "acme/uat in maintenance is deleted");
	CHECK(count_objects(backup) == n,
	      "its backup holds the same %d "
	      "objects",
	      n);
	snprintf(cmd, sizeof(cmd),
		 "git --git-dir=%s/history.git "
		 "for-each-ref refs/deleted/acme/uat | grep -q commit && "
		 "! git --git-dir=%s/history.git rev-parse -q --verify "
		 "refs/heads/acme/uat >/dev/null",
		 tfs_store_path(st), tfs_store_path(st));
	CHECK(system(cmd) == 0, "its branch moved to refs/deleted/acme/uat/");
	snprintf(cmd, sizeof(cmd), "%.4000s", backup);
	snprintf(cmd + strlen(cmd) - 3, 8, ".info");
	snprintf(path, sizeof(path), "grep -q '^commit: 1 ' %s", cmd);
	CHECK(system(path) == 0, "the .info names its last commit");
}

/* ---- threads ------------------------------------------------------------ */

struct reader {
	tfs_store *st;
	volatile int *stop;
	int reads, failures;
};

/* Readers of acme's instances and of every instance found, while
 * another thread adds and removes instances. */
static void *read_worker(void *arg)
{
	struct reader *r = arg;
	int64_t acme = th_find(r->st, TFS_ENT_TENANT, 0, "acme");
	int64_t prod = th_find(r->st, TFS_ENT_INSTANCE, acme, "production");

	while (!__atomic_load_n(r->stop, __ATOMIC_ACQUIRE)) {
		tfs_inst *in = tfs_store_inst(r->st, prod);
		int64_t id;
		int n;

		if (!in || tfs_inst_history_count(in, &n) < 0 || n < 1)
			r->failures++;
		for (id = 1; id < 200; id++) {
			tfs_inst *o = tfs_store_inst(r->st, id);
			/* An instance deleted meanwhile may fail the read
			 * (its files are going): only one still there is a
			 * failure. */
			if (o && tfs_inst_history_count(o, &n) < 0 &&
			    tfs_store_inst(r->st, id))
				r->failures++;
		}
		tfs_store_reads_done(r->st);
		r->reads++;
	}
	return NULL;
}

static void check_threads(tfs_store *st)
{
	volatile int stop = 0;
	struct reader rd[3];
	pthread_t th[3];
	int i, k, made = 0, removed = 0;
	char name[32];

	for (i = 0; i < 3; i++) {
		rd[i] = (struct reader){ st, &stop, 0, 0 };
		pthread_create(&th[i], NULL, read_worker, &rd[i]);
	}
	/* More instances than the table had room for: it grows. */
	for (k = 0; k < 12; k++) {
		int64_t t = 0;
		tfs_inst *p = NULL, *s = NULL;

		snprintf(name, sizeof(name), "thr%d", k);
		if (tfs_tenant_create(&t, st, "admin", name) < 0 ||
		    set_conf(st, TFS_ENT_TENANT, t, "admin",
			     "landscape_group = SMALL\n") < 0 ||
		    tfs_inst_create(&p, st, "admin", t, "production") < 0 ||
		    tfs_inst_create(&s, st, "admin", t, "staging") < 0)
			break;
		made += 2;
		if (k % 2)
			continue;
		if (set_conf(st, TFS_ENT_INSTANCE, tfs_inst_id(s), "admin",
			     "in_maintenance = true\n") == 0 &&
		    tfs_inst_remove(NULL, st, "admin", tfs_inst_id(s)) == 0)
			removed++;
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	CHECK(made == 24 && removed == 6,
	      "24 instances made, 6 removed "
	      "while others read (%d, %d)",
	      made, removed);
	for (i = 0; i < 3; i++)
		CHECK(rd[i].failures == 0 && rd[i].reads > 0,
		      "reader %d: %d rounds, %d failures", i, rd[i].reads,
		      rd[i].failures);
}

int main(void)
{
	char dir[TH_PATH], store[TH_PATH], cmd[512];
	tfs_store *st = NULL;

	if (th_tmpdir(dir, "lifecycle") < 0)
		return 1;
	if (th_demo_store(store, dir, "store") < 0 ||
	    th_store_open(&st, store) < 0) {
		CHECK(0, "demo store");
		return 1;
	}
	check_demo(st);
	check_admin_files(st);
	check_emails(st);
	check_tenants(st);
	check_instances(st);
	check_states(st);
	check_dev_project(st);
	check_delete_committed(st);
	check_threads(st);
	tfs_store_free(st);
	/* Everything made and removed above holds after a reopen. */
	CHECK(th_store_open(&st, store) == 0 &&
		      th_find(st, TFS_ENT_TENANT, 0, "hooli") &&
		      th_find(st, TFS_ENT_TENANT, 0, "thr11"),
	      "the store opens again with the new tenants");
	tfs_store_free(st);
	snprintf(cmd, sizeof(cmd),
		 "git --git-dir=%s/history.git "
		 "for-each-ref refs/deleted | grep -q hooli/staging",
		 store);
	CHECK(system(cmd) != 0, "an instance never committed to leaves no "
				"deleted branch");
	if (th_rmtree(dir, false) < 0)
		return 1;
	printf("%d tests, %d failed\n", count, failures);
	return failures != 0;
}
