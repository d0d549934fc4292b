/*
 * Console administration without a mount (engine/landscape.c): groups,
 * their tier count and the instances it would strand, landscapes and
 * their patterns, servers and their locations, removal of what is empty
 * only, administrators only, and an older store's missing columns added
 * at open.  An empty store (tenantctl init) keeps it quick.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper.h"
#include "tap.h"
#include "tenantfs/error.h"
#include "tenantfs/landscape.h"
#include "tenantfs/lifecycle.h"
#include "tenantfs/store.h"

static int group_set(tfs_store *st, int64_t id, const char *text)
{
	return tfs_group_conf_update(st, "admin", id, text, strlen(text));
}

static void check_groups(tfs_store *st, int64_t *gid)
{
	char v[256];

	CHECK(tfs_group_create(st, "admin", "G1") == 0, "admin creates G1");
	*gid = th_find(st, TFS_ENT_GROUP, 0, "G1");
	th_conf_get(v, sizeof(v), st, TFS_ENT_GROUP, *gid, "tiers");
	CHECK(strcmp(v, "three-tier") == 0, "a new group is three-tier (%s)",
	      v);
	th_conf_get(v, sizeof(v), st, TFS_ENT_GROUP, *gid, "backup_engine");
	CHECK(strcmp(v, "mssql") == 0, "... backup engine mssql (%s)", v);
	CHECK(tfs_group_create(st, "admin", "G1") == TFS_EEXISTS,
	      "a second G1 is EEXISTS");
	CHECK(tfs_group_create(st, "admin", "a b") == TFS_EINVALID,
	      "'a b' is not a group name");
	CHECK(tfs_group_create(st, "nobody", "G2") == TFS_EACCESS &&
		      !th_find(st, TFS_ENT_GROUP, 0, "G2"),
	      "a non-administrator creates no group");
	CHECK(group_set(st, *gid, "tiers = 2\n") == 0, "tiers = 2");
	th_conf_get(v, sizeof(v), st, TFS_ENT_GROUP, *gid, "tiers");
	CHECK(strcmp(v, "two-tier") == 0, "... reads two-tier (%s)", v);
	CHECK(group_set(st, *gid, "tiers = 3\nbackup_engine = litespeed\n") ==
		      0,
	      "tiers = 3, backup_engine = litespeed");
	th_conf_get(v, sizeof(v), st, TFS_ENT_GROUP, *gid, "tiers");
	CHECK(strcmp(v, "three-tier") == 0, "... reads three-tier (%s)", v);
	CHECK(group_set(st, *gid, "tiers = 4\n") == TFS_EINVALID,
	      "tiers = 4 is EINVALID");
	CHECK(group_set(st, *gid, "backup_engine = oracle\n") == TFS_EINVALID,
	      "backup_engine = oracle is EINVALID");
	th_conf_get(v, sizeof(v), st, TFS_ENT_GROUP, *gid, "backup_engine");
	CHECK(strcmp(v, "litespeed") == 0, "... nothing changed (%s)", v);
}

static void check_landscapes(tfs_store *st, int64_t gid)
{
	const char *bad = "tenant_pattern = fixed\n";
	const char *good = "tenant_pattern = {tenantName}.p\n"
			   "database_pattern = P_{tenantName}\n"
			   "email_domain = p.example.com\n";
	int64_t prod;
	char v[256];

	CHECK(tfs_landscape_create(st, "admin", gid, "production") == 0 &&
		      tfs_landscape_create(st, "admin", gid, "uat") == 0 &&
		      tfs_landscape_create(st, "admin", gid, "staging") == 0,
	      "production, uat, staging");
	CHECK(tfs_landscape_create(st, "admin", gid, "uat") == TFS_EEXISTS,
	      "a second uat is EEXISTS");
	CHECK(tfs_landscape_create(st, "admin", gid, "qa") == TFS_EINVALID,
	      "qa is not a landscape type");
	prod = th_find(st, TFS_ENT_LANDSCAPE, gid, "production");
	CHECK(tfs_landscape_conf_update(st, "admin", prod, bad, strlen(bad)) ==
		      TFS_EINVALID,
	      "a tenant_pattern without {tenantName} is EINVALID");
	th_conf_get(v, sizeof(v), st, TFS_ENT_LANDSCAPE, prod,
		    "tenant_pattern");
	CHECK(strcmp(v, "{tenantName}") == 0, "... unchanged (%s)", v);
	CHECK(tfs_landscape_conf_update(st, "admin", prod, good,
					strlen(good)) == 0,
	      "new patterns");
	th_conf_get(v, sizeof(v), st, TFS_ENT_LANDSCAPE, prod,
		    "config_service_url");
	CHECK(strcmp(v, "") == 0, "config_service_url is empty (%s)", v);
}

/* A tenant on G1 with production and uat: two tiers strand uat. */
static void check_tiers(tfs_store *st, int64_t gid)
{
	const char *grp = "landscape_group = G1\n";
	int64_t t, uat;
	char v[256];

	CHECK(tfs_tenant_create(&t, st, "admin", "zed") == 0 &&
		      tfs_store_conf_update(st, TFS_ENT_TENANT, t, "admin", grp,
					    strlen(grp)) == 0 &&
		      tfs_inst_create(NULL, st, "admin", t, "production") ==
			      0 &&
		      tfs_inst_create(NULL, st, "admin", t, "uat") == 0,
	      "tenant zed with production and uat on G1");
	th_conf_get(v, sizeof(v), st, TFS_ENT_INSTANCE,
		    th_find(st, TFS_ENT_INSTANCE, t, "production"), "uri");
	CHECK(strcmp(v, "https://zed.p.p.example.com") == 0,
	      "production's uri follows the new pattern (%s)", v);
	th_conf_get(v, sizeof(v), st, TFS_ENT_INSTANCE,
		    th_find(st, TFS_ENT_INSTANCE, t, "production"), "database");
	CHECK(strcmp(v, "P_zed") == 0, "... and its database (%s)", v);
	CHECK(group_set(st, gid, "tiers = two-tier\n") == TFS_EBUSY &&
		      strstr(tfs_error_last(), "zed/uat"),
	      "two tiers are EBUSY, naming zed/uat");
	th_conf_get(v, sizeof(v), st, TFS_ENT_GROUP, gid, "tiers");
	CHECK(strcmp(v, "three-tier") == 0, "... unchanged (%s)", v);
	uat = th_find(st, TFS_ENT_INSTANCE, t, "uat");
	CHECK(tfs_store_conf_update(st, TFS_ENT_INSTANCE, uat, "admin",
				    "in_maintenance = true\n", 22) == 0 &&
		      tfs_inst_remove(NULL, st, "admin", uat) == 0,
	      "zed/uat removed");
	CHECK(group_set(st, gid, "tiers = 2\n") == 0, "now two tiers");
	CHECK(tfs_inst_create(NULL, st, "admin", t, "uat") == TFS_EINVALID,
	      "no uat instance in a two-tier group");
	CHECK(tfs_group_remove(st, "admin", gid) == TFS_ENOTEMPTY,
	      "G1 is not empty");
}

static void check_servers(tfs_store *st, const char *dir, int64_t gid)
{
	int64_t prod = th_find(st, TFS_ENT_LANDSCAPE, gid, "production");
	int64_t stg = th_find(st, TFS_ENT_LANDSCAPE, gid, "staging");
	char ok[1024], bad[1024], file[300], v[256];

	snprintf(file, sizeof(file), "%s/file", dir);
	fclose(fopen(file, "w"));
	snprintf(ok, sizeof(ok),
		 "host = h\ndata_location = %s\n"
		 "backup_location = %s\nlog_location = /tmp\npassword = pw\n",
		 dir, dir);
	snprintf(bad, sizeof(bad),
		 "data_location = %s\nbackup_location = "
		 "%s\nlog_location = /tmp\n",
		 dir, file);
	CHECK(tfs_server_create(st, "admin", prod, "s1", ok, strlen(ok)) == 0,
	      "server s1");
	th_conf_get(v, sizeof(v), st, TFS_ENT_SERVER,
		    th_find(st, TFS_ENT_SERVER, prod, "s1"), "password");
	CHECK(strcmp(v, "***") == 0, "its password reads *** (%s)", v);
	CHECK(tfs_server_create(st, "admin", prod, "s2", bad, strlen(bad)) ==
			      TFS_EINVALID &&
		      strstr(tfs_error_last(), "backup_location"),
	      "a file as backup_location is EINVALID, naming the key");
	CHECK(!th_find(st, TFS_ENT_SERVER, prod, "s2"), "... s2 not created");
	CHECK(tfs_server_create(st, "nobody", prod, "s3", ok, strlen(ok)) ==
		      TFS_EACCESS,
	      "a non-administrator creates no server");
	CHECK(tfs_server_update(st, "admin",
				th_find(st, TFS_ENT_SERVER, prod, "s1"),
				"log_location = /nonexistent\n",
				28) == TFS_EINVALID,
	      "an edit to a missing log_location is EINVALID");
	CHECK(tfs_server_delete(st, "admin",
				th_find(st, TFS_ENT_SERVER, prod, "s1")) ==
		      TFS_EBUSY,
	      "s1 is EBUSY: zed/production is on its landscape");
	CHECK(tfs_server_create(st, "admin", stg, "s4", ok, strlen(ok)) == 0 &&
		      tfs_landscape_remove(st, "admin", stg) == TFS_ENOTEMPTY &&
		      tfs_server_delete(st, "admin",
					th_find(st, TFS_ENT_SERVER, stg,
						"s4")) == 0 &&
		      tfs_landscape_remove(st, "admin", stg) == 0,
	      "staging: not removable with a server, removable without");
}

/* Drop the new columns, as a store of the previous build lacks them. */
static void check_upgrade(const char *store)
{
	static const char *const drops[] = {
		"ALTER TABLE groups DROP COLUMN backup_engine",
		"ALTER TABLE landscapes DROP COLUMN config_service_url",
		"ALTER TABLE servers DROP COLUMN host",
		"ALTER TABLE servers DROP COLUMN log_location",
		"ALTER TABLE servers DROP COLUMN login",
		"ALTER TABLE servers DROP COLUMN password",
	};
	char path[300], v[256];
	tfs_store *st = NULL;
	sqlite3 *db;
	size_t i;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/console.db", store);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		rc = -1;
	for (i = 0; i < sizeof(drops) / sizeof(drops[0]) && rc == 0; i++)
		rc = sqlite3_exec(db, drops[i], NULL, NULL, NULL);
	sqlite3_close(db);
	CHECK(rc == 0, "the new columns dropped");
	CHECK(th_store_open(&st, store) == 0, "the old store opens");
	if (!st)
		return;
	th_conf_get(v, sizeof(v), st, TFS_ENT_GROUP,
		    th_find(st, TFS_ENT_GROUP, 0, "G1"), "backup_engine");
	CHECK(strcmp(v, "mssql") == 0, "backup_engine defaults to mssql (%s)",
	      v);
	tfs_store_free(st);
}

int main(void)
{
	char dir[TH_PATH], store[TH_PATH];
	tfs_store *st = NULL;
	int64_t gid = 0;

	if (th_tmpdir(dir, "landscape") < 0)
		return 1;
	if (th_empty_store(store, dir, "store") < 0 ||
	    th_store_open(&st, store) < 0) {
		CHECK(0, "empty store");
		return 1;
	}
	check_groups(st, &gid);
	check_landscapes(st, gid);
	check_tiers(st, gid);
	check_servers(st, dir, gid);
	tfs_store_free(st);
	check_upgrade(store);
	if (th_rmtree(dir, false) < 0)
		return 1;
	printf("%d tests, %d failed\n", count, failures);
	return failures != 0;
}
