/*
 * Text views at the top of the tree: README and a tenant's migration
 * dashboard (status: status.c; licenses: licenses.c).  Rendered on
 * demand from the console database; all are small.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "tenantfs/error.h"
#include "tenantfs/push.h"

int tfs_store_render_readme(tfs_buf *out, tfs_store *st)
{
	(void)st;
	return tfs_buf_puts(
		out,
		"tenantfs: the tenants of an ITSM Operations Console as files\n"
		"\n"
		"  users/<login>.conf                 Ops Console users\n"
		"  landscapes/<group>/...             landscape groups, landscapes, servers\n"
		"  tenants/<tenant>/tenant.conf       tenant properties\n"
		"  tenants/<tenant>/dashboard         instances, versions, migration paths\n"
		"  tenants/<tenant>/events            this tenant's events\n"
		"  tenants/<tenant>/licenses          this tenant's license usage (CSV)\n"
		"  tenants/<tenant>/<instance>/       one instance (production, staging, uat)\n"
		"    instance.conf                    properties; edit the writable keys\n"
		"    metadata/<Type>/<Name>.xml       business objects, forms, rules, ...\n"
		"    validation/<List>.xml            pick lists\n"
		"    settings/<Type>/<Name>.xml       configuration data (secrets read ***)\n"
		"    master/<BO>/<Key>.xml            master data (employees, teams, ...)\n"
		"    data/<BO>/<Key>.xml              transactional records (not versioned)\n"
		"    translations/<locale>/<Type>/<Name>.xml  localized strings of an object\n"
		"    active-project                   project new changes are recorded in\n"
		"    projects/<p>/transaction-sets/   one file per saved change\n"
		"    history/log                      commits, newest first\n"
		"    history/<n>/                     the instance as of commit n\n"
		"    revert                           echo N > revert undoes commit N\n"
		"    log                              this instance's patch log\n"
		"    events                           this instance's events\n"
		"  events                             audit log, one event per line\n"
		"  status                             instances, API keys, problems;\n"
		"                                     echo fix > status fixes the keys\n"
		"  licenses                           license usage (CSV)\n"
		"  console.conf                       store-wide settings (object_max)\n"
		"\n"
		"Edit objects with any tool (cp, sed -i, vim, ...).  A save is checked\n"
		"before it is stored; a bad save fails the writing command and the reason\n"
		"is in the instance's log.  Every change is one commit in the store's\n"
		"history.git (branch <tenant>/<instance>).\n"
		"\n"
		"Compare instances with diff -r; files are canonical, so only real\n"
		"differences show.\n");
}

int tfs_store_render_dashboard(tfs_buf *out, tfs_store *st, int64_t tenant_id)
{
	sqlite3_stmt *s = db_stmt(
		store_db(st),
		"SELECT t.name, t.company, t.dev_project, COALESCE(g.name, ''),"
		" COALESCE(g.tiers, '') FROM tenants t LEFT JOIN groups g"
		" ON g.id = t.group_id WHERE t.id = ?");
	char tiers[32] = "";
	int rc, error;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, tenant_id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return tfs_error_set(TFS_ENOTFOUND, "no such tenant");
	}
	snprintf(tiers, sizeof(tiers), "%s", db_text(s, 4));
	error = tfs_buf_printf(out,
			       "tenant %s (%s), landscape group %s "
			       "(%s), development project %s\n\n",
			       db_text(s, 0), db_text(s, 1), db_text(s, 3),
			       tiers,
			       sqlite3_column_int(s, 2) ? "enabled" :
							  "disabled");
	sqlite3_reset(s);
	if (!error)
		error = tfs_buf_printf(out,
				       "%-12s %-12s %-8s %-7s %-6s %-20s "
				       "%s\n",
				       "instance", "landscape", "status",
				       "version", "locked", "last update",
				       "by");
	s = db_stmt(store_db(st),
		    "SELECT id, name, status, metadata_locked FROM"
		    " instances WHERE tenant_id = ? ORDER BY name");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, tenant_id);
	while (!error && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		tfs_inst *in = tfs_store_inst(st, sqlite3_column_int64(s, 0));
		tfs_inst_meta m = { 0 };
		char iso[32];

		if (in)
			tfs_inst_meta_get(&m, in);
		tfs_time_iso(iso, m.last_update);
		error = tfs_buf_printf(out,
				       "%-12s %-12s %-8s %-7lld %-6s "
				       "%-20s %s\n",
				       db_text(s, 1), in ? in->landscape : "",
				       db_text(s, 2), (long long)m.version,
				       sqlite3_column_int(s, 3) ? "yes" : "no",
				       iso, m.last_update_by);
	}
	sqlite3_reset(s);
	/* Computed from the landscapes and versions now (push.c's rules). */
	if (!error)
		error = tfs_buf_puts(out, "\nmigration paths:\n");
	if (!error)
		error = tfs_push_paths_render(out, st, tenant_id);
	return error;
}
