/*
 * Unit tests of console users and permissions (tenantfs/perm.h): the
 * permission table as pure rules, the store's user changes that apply
 * it (a uid to one user, refusals recorded), and the tree answering each
 * caller as its user (tenants by company, landscapes/ and status for
 * administrators, events filtered, unmapped uids kept out), without a
 * mount.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper.h"
#include "tap.h"
#include "tenantfs/conf.h"
#include "tenantfs/error.h"
#include "tenantfs/perm.h"
#include "tenantfs/store.h"
#include "tenantfs/tree.h"

static const tfs_caller root = { 0, 0 };
static const tfs_caller jdoe_uid = { 5001, 5001 };
static const tfs_caller gwen_uid = { 5002, 5002 };
static const tfs_caller nobody = { 5009, 5009 };

static tfs_user user(int64_t id, const char *login, const char *company,
		     bool admin)
{
	tfs_user u = { .id = id, .admin = admin };

	snprintf(u.login, sizeof(u.login), "%s", login);
	snprintf(u.company, sizeof(u.company), "%s", company);
	return u;
}

static void test_rules(void)
{
	tfs_user admin = user(1, "admin", "Hosting", true);
	tfs_user mops = user(4, "mops", "Hosting", true);
	tfs_user jdoe = user(3, "jdoe", "Acme", false);
	tfs_user blank = user(5, "blank", "", false);
	tfs_user none = user(0, "uid7", "", false);
	tfs_user_row r_admin = { 1, "admin", true, 0 };
	tfs_user_row r_mops = { 4, "mops", true, -1 };
	tfs_user_row r_jdoe = { 3, "jdoe", false, -1 };
	tfs_user_row r_gwen = { 2, "gwen", false, -1 };
	tfs_user_row after;

	CHECK(tfs_perm_sees_company(&jdoe, "Acme") &&
		      !tfs_perm_sees_company(&jdoe, "Globex"),
	      "a non-administrator sees only its company's tenants");
	CHECK(tfs_perm_sees_company(&blank, "Globex"),
	      "a blank company sees every tenant");
	CHECK(tfs_perm_sees_company(&mops, "Globex"),
	      "an administrator sees every tenant");
	CHECK(!tfs_perm_sees_company(&none, "Globex") &&
		      tfs_perm_area(&none, TFS_AREA_CONSOLE) == TFS_EACCESS &&
		      tfs_perm_area(&none, TFS_AREA_README) == 0,
	      "an unmapped uid sees nothing but README");
	CHECK(tfs_perm_area(&jdoe, TFS_AREA_ADMIN) == TFS_EACCESS &&
		      tfs_perm_area(&jdoe, TFS_AREA_CONSOLE) == 0 &&
		      tfs_perm_area(&mops, TFS_AREA_ADMIN) == 0,
	      "landscapes, status, licenses: administrators only");

	CHECK(tfs_perm_user_create(&mops, &r_gwen) == 0 &&
		      tfs_perm_user_create(&jdoe, &r_gwen) == TFS_EACCESS,
	      "only administrators create users");

	after = r_jdoe;
	CHECK(tfs_perm_user_edit(&jdoe, &r_jdoe, &after) == 0,
	      "a non-administrator edits itself");
	after.admin = true;
	CHECK(tfs_perm_user_edit(&jdoe, &r_jdoe, &after) == TFS_EACCESS,
	      "a non-administrator cannot make itself an administrator");
	after = r_jdoe;
	after.uid = 5001;
	CHECK(tfs_perm_user_edit(&jdoe, &r_jdoe, &after) == TFS_EACCESS,
	      "a non-administrator cannot set its uid");
	CHECK(tfs_perm_user_edit(&mops, &r_jdoe, &after) == 0,
	      "an administrator sets anyone's uid");
	CHECK(tfs_perm_user_edit(&jdoe, &r_gwen, &r_gwen) == TFS_EACCESS,
	      "a non-administrator cannot edit another user");
	after = r_admin;
	after.uid = 5001;
	CHECK(tfs_perm_user_edit(&jdoe, &r_admin, &after) == TFS_EACCESS,
	      "a non-administrator cannot take admin's uid");
	after = r_mops;
	after.admin = false;
	CHECK(tfs_perm_user_edit(&mops, &r_mops, &after) == 0,
	      "an administrator may drop its own status");
	{
		tfs_user was = user(4, "mops", "Hosting", false);
		tfs_user_row dropped = { 4, "mops", false, -1 };
		tfs_user_row back = { 4, "mops", true, -1 };
		CHECK(tfs_perm_user_edit(&was, &dropped, &back) == TFS_EACCESS,
		      "...and never regain it");
	}
	after = r_admin;
	after.admin = false;
	CHECK(tfs_perm_user_edit(&mops, &r_admin, &after) == TFS_EACCESS &&
		      tfs_perm_user_edit(&admin, &r_admin, &after) ==
			      TFS_EACCESS,
	      "nobody takes admin's administrator status");
	after = r_gwen;
	after.admin = true;
	CHECK(tfs_perm_user_edit(&mops, &r_gwen, &after) == 0,
	      "an administrator edits another user");

	CHECK(tfs_perm_user_delete(&mops, &r_jdoe) == 0,
	      "an administrator deletes a non-administrator");
	CHECK(tfs_perm_user_delete(&mops, &r_admin) == TFS_EACCESS &&
		      tfs_perm_user_delete(&admin, &r_mops) == TFS_EACCESS &&
		      tfs_perm_user_delete(&mops, &r_mops) == TFS_EACCESS &&
		      tfs_perm_user_delete(&jdoe, &r_gwen) == TFS_EACCESS &&
		      tfs_perm_user_delete(&jdoe, &r_jdoe) == TFS_EACCESS,
	      "never admin, an administrator, oneself, or as a "
	      "non-administrator");
}

static bool only_acme(void *ctx, const char *tenant, size_t len)
{
	(void)ctx;
	return len == 4 && memcmp(tenant, "acme", 4) == 0;
}

static void test_filter(void)
{
	const char *log =
		"t\tadmin\tUser/Update\tx\t\t\t\t\n"
		"t\tadmin\tObject/Update\ty\tacme\tstaging\tl\tAcme\n"
		"t\tgwen\tObject/Update\tz\tglobex\tproduction\tl\tGlobex\n"
		"t\tjdoe\tObject/Update\tw\tacme\tuat\tl\tAcme";
	tfs_buf b = TFS_BUF_INIT;

	CHECK(tfs_perm_filter_events(&b, log, strlen(log), only_acme, NULL) ==
			      0 &&
		      b.ptr &&
		      strcmp(b.ptr,
			     "t\tadmin\tObject/Update\ty\tacme\tstaging\tl"
			     "\tAcme\nt\tjdoe\tObject/Update\tw\tacme\tuat\tl\tAcme") ==
			      0,
	      "events: only lines of visible tenants, no others");
	tfs_buf_free(&b);
}

static int names(void *ctx, const char *name, const tfs_attr *a)
{
	tfs_buf *b = ctx;

	(void)a;
	return tfs_buf_printf(b, "%s ", name);
}

static int list(tfs_buf *out, tfs_tree *t, const char *path,
		const tfs_caller *who)
{
	tfs_attr a;
	int error;

	tfs_buf_clear(out);
	if ((error = th_walk(&a, t, path, who)) < 0)
		return error;
	return tfs_tree_readdir(t, a.ino, names, out, who);
}

static void test_store(tfs_store *st)
{
	tfs_user admin, jdoe, u;
	tfs_buf b = TFS_BUF_INIT;
	char login[64];

	CHECK(tfs_store_user_by_uid(&admin, st, 0) == 0 && admin.admin &&
		      strcmp(admin.login, "admin") == 0,
	      "uid 0 is admin");
	CHECK(tfs_store_user_by_uid(&u, st, 5009) == 0 && u.id == 0 &&
		      strcmp(u.login, "uid5009") == 0,
	      "an unmapped uid is no user");
	tfs_store_user_of(st, 5009, login);
	CHECK(strcmp(login, "uid5009") == 0,
	      "tfs_store_user_of does not fall back to admin");
	CHECK(tfs_store_user_update(st, &admin, 3, "uid = 5001\n", 11) == 0,
	      "admin maps jdoe to uid 5001");
	CHECK(tfs_store_user_by_uid(&jdoe, st, 5001) == 0 && jdoe.id == 3 &&
		      !jdoe.admin &&
		      strcmp(jdoe.company, "Acme Corporation") == 0,
	      "uid 5001 is jdoe");
	CHECK(tfs_store_user_update(st, &admin, 2, "uid = 5001\n", 11) ==
		      TFS_EINVALID,
	      "a second user cannot have uid 5001");
	CHECK(tfs_store_user_update(st, &admin, 2, "uid = 5002\n", 11) == 0,
	      "gwen gets uid 5002");
	CHECK(tfs_store_user_update(st, &jdoe, 3, "administrator = true\n",
				    21) == TFS_EACCESS,
	      "jdoe cannot promote herself in the store");
	CHECK(tfs_store_user_update(st, &jdoe, 1, "uid = 5001\n", 11) ==
		      TFS_EACCESS,
	      "jdoe cannot take admin's uid");
	CHECK(tfs_store_user_update(st, &jdoe, 3, "password = s3cret!\n", 19) ==
		      0,
	      "jdoe sets her password");
	tfs_buf_clear(&b);
	CHECK(tfs_store_conf_render(&b, st, TFS_ENT_USER, 3) == 0 && b.ptr &&
		      strstr(b.ptr, "\npassword = ***\n") &&
		      !strstr(b.ptr, "s3cret"),
	      "the password reads back ***");
	tfs_buf_clear(&b);
	tfs_store_events_read(&b, st, 0, 1 << 30);
	CHECK(b.ptr && !strstr(b.ptr, "s3cret"),
	      "the password is not in the events");
	CHECK(tfs_store_user_update(st, &jdoe, 3, "password = ***\n", 15) == 0,
	      "writing *** back keeps it");
	CHECK(tfs_store_user_by_uid(&u, st, 0) == 0 &&
		      strcmp(u.login, "admin") == 0,
	      "uid 0 is still admin");
	CHECK(tfs_store_user_create(st, &jdoe, "eve", "name = Eve\n", 11) ==
		      TFS_EACCESS,
	      "jdoe cannot create a user");
	tfs_buf_clear(&b);
	tfs_store_events_read(&b, st, 0, 1 << 30);
	CHECK(b.ptr && strstr(b.ptr, "\tjdoe\tUser/Reject\tusers/eve.conf"),
	      "the refusal is recorded in events, by jdoe");
	CHECK(tfs_store_user_create(st, &admin, "eve", "login = bob\n", 12) ==
		      TFS_EINVALID,
	      "a login that is not the file's name is refused");
	CHECK(tfs_store_user_create(st, &admin, "eve",
				    "name = Eve\nuid = 5001\n",
				    22) == TFS_EINVALID,
	      "a new user cannot take a uid in use");
	CHECK(tfs_store_user_create(st, &admin, "eve",
				    "name = Eve\nuid = 5003\n", 22) == 0 &&
		      tfs_store_user_by_uid(&u, st, 5003) == 0 &&
		      strcmp(u.login, "eve") == 0,
	      "admin creates eve with uid 5003");
	CHECK(tfs_store_user_create(st, &admin, "eve", "", 0) == TFS_EEXISTS,
	      "eve exists");
	CHECK(tfs_store_user_delete(st, &jdoe, u.id) == TFS_EACCESS &&
		      tfs_store_user_delete(st, &admin, 1) == TFS_EACCESS,
	      "jdoe cannot delete; admin cannot be deleted");
	CHECK(tfs_store_user_delete(st, &admin, u.id) == 0 &&
		      tfs_store_user_by_uid(&u, st, 5003) == 0 && u.id == 0,
	      "admin deletes eve; her uid is unmapped");
	CHECK(tfs_store_user_update(st, &admin, 1, "uid = none\n", 11) == 0 &&
		      tfs_store_user_by_uid(&u, st, 0) == 0 && u.id == 1,
	      "uid 0 named by nobody is still admin");
	CHECK(tfs_store_user_update(st, &admin, 4, "uid = 0\n", 8) == 0 &&
		      tfs_store_user_by_uid(&u, st, 0) == 0 &&
		      strcmp(u.login, "mops") == 0,
	      "uid 0 named by mops is mops");
	CHECK(tfs_store_user_update(st, &u, 4, "uid = none\n", 11) == 0 &&
		      tfs_store_user_update(st, &admin, 1, "uid = 0\n", 8) ==
			      0 &&
		      tfs_store_user_by_uid(&u, st, 0) == 0 && u.id == 1,
	      "uid 0 back to admin");
	tfs_buf_free(&b);
}

static void test_tree(tfs_tree *t)
{
	tfs_buf b = TFS_BUF_INIT;
	tfs_attr a;

	CHECK(list(&b, t, "tenants", &root) == 0 && b.ptr &&
		      strcmp(b.ptr, "acme globex ") == 0,
	      "admin lists every tenant");
	CHECK(list(&b, t, "tenants", &jdoe_uid) == 0 && b.ptr &&
		      strcmp(b.ptr, "acme ") == 0,
	      "jdoe lists only acme");
	CHECK(list(&b, t, "tenants", &gwen_uid) == 0 && b.ptr &&
		      strcmp(b.ptr, "globex ") == 0,
	      "gwen lists only globex");
	CHECK(th_walk(&a, t, "tenants/globex/production/instance.conf",
		      &root) == 0 &&
		      tfs_tree_getattr(&a, t, a.ino, &jdoe_uid) ==
			      TFS_ENOTFOUND,
	      "an inode of globex is not jdoe's, whoever looked it up");
	CHECK(th_walk(&a, t, "tenants/globex", &jdoe_uid) == TFS_ENOTFOUND,
	      "jdoe does not find globex");
	CHECK(th_walk(&a, t, "tenants/acme", &jdoe_uid) == 0 &&
		      a.volatile_entry,
	      "a tenant's entry is never cached");
	CHECK(th_read_all(&b, t, "tenants/acme/staging/instance.conf",
			  &jdoe_uid) == 0,
	      "jdoe reads acme's files");
	CHECK(th_walk(&a, t, "tenants", &jdoe_uid) == 0 && a.volatile_entry &&
		      th_walk(&a, t, "users", &jdoe_uid) == 0 &&
		      a.volatile_entry &&
		      th_walk(&a, t, "landscapes", &root) == 0 &&
		      a.volatile_entry,
	      "the root's gates are never cached either");
	CHECK(th_walk(&a, t, "README", &nobody) == 0 && !a.volatile_entry &&
		      th_walk(&a, t,
			      "tenants/acme/staging/metadata/Form/"
			      "Incident.Default.xml",
			      &jdoe_uid) == 0 &&
		      !a.volatile_entry && a.cacheable,
	      "below a gate, entries keep their long timeouts");
	CHECK(th_walk(&a, t, "landscapes", &jdoe_uid) == TFS_EACCESS &&
		      th_walk(&a, t, "status", &jdoe_uid) == TFS_EACCESS,
	      "landscapes and status are refused to jdoe");
	CHECK(list(&b, t, "", &jdoe_uid) == 0 && b.ptr &&
		      strcmp(b.ptr, "README events tenants users ") == 0,
	      "jdoe's root: README events tenants users");
	CHECK(th_read_all(&b, t, "events", &gwen_uid) == 0 && b.ptr &&
		      !strstr(b.ptr, "\tacme\t"),
	      "gwen's events have no acme line");
	CHECK(list(&b, t, "", &nobody) == 0 && b.ptr &&
		      strcmp(b.ptr, "README ") == 0 &&
		      th_read_all(&b, t, "README", &nobody) == 0,
	      "an unmapped uid lists and reads README");
	CHECK(th_walk(&a, t, "users", &nobody) == TFS_EACCESS &&
		      th_walk(&a, t, "tenants", &nobody) == TFS_EACCESS &&
		      th_read_all(&b, t, "events", &nobody) == TFS_EACCESS,
	      "...and nothing else");
	tfs_buf_free(&b);
}

int main(void)
{
	char dir[TH_PATH], store[TH_PATH];
	tfs_store *st = NULL;
	tfs_tree *t = NULL;

	test_rules();
	test_filter();
	if (th_tmpdir(dir, "perm") < 0)
		return 1;
	CHECK(th_demo_store(store, dir, "store") == 0, "demo store created");
	/* Owned by uid 0 here: the uid that opens the store is admin
	 * only when no user names it. */
	if (tfs_store_open(&st, store, 0) < 0 || tfs_tree_new(&t, st, 0, 0) < 0)
		return 1;
	test_store(st);
	test_tree(t);
	tfs_tree_free(t);
	tfs_store_free(st);
	if (th_rmtree(dir, false) < 0)
		return 1;
	printf("%d tests, %d failed\n", count, failures);
	return failures ? 1 : 0;
}
