/*
 * License usage (the root's licenses, tenants/<t>/licenses): CSV
 *
 *   date,tenant,instance,license_type,licenses,used
 *
 * one row per instance and license type (named, then concurrent), tenants
 * and instances by name.  `date` is today (UTC), `licenses` the
 * instance's named_licenses / concurrent_licenses (instance.conf).
 *
 * `used` counts the users recorded in the instance's master data: the
 * records of master/Employee (the business object holding the people who
 * log in: DOMAIN.md "employees with e-mail addresses").  An employee holds
 * a license unless it is disabled (field Disabled true) or inactive
 * (field Status Inactive); it holds a concurrent one if its field
 * LicenseType reads Concurrent, else a named one (the default type of an
 * ITSM user).  Matched on the stored canonical XML in one SQL query per
 * instance over that business object's rows only (their directory's
 * index), never parsed: cheap for an instance of any size.
 *
 * Called without the tree's lock; reads only.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "tenantfs/doc.h"
#include "tenantfs/error.h"

/* The licensed users of instance `in`: named into used[0], concurrent
 * into used[1]. */
static int count_users(int64_t used[2], tfs_inst *in)
{
	sqlite3_stmt *s = db_stmt(
		inst_db(in),
		"SELECT COALESCE(sum(instr(o.bytes, '<Value field=\"LicenseType\">"
		"Concurrent</Value>') = 0), 0), COALESCE(sum(instr(o.bytes,"
		" '<Value field=\"LicenseType\">Concurrent</Value>') > 0), 0)"
		" FROM objects o JOIN dirs d ON d.id = o.dir WHERE d.kind = ?1"
		" AND d.type = 'Employee' AND instr(o.bytes, '<Value"
		" field=\"Disabled\">true</Value>') = 0 AND instr(o.bytes,"
		" '<Value field=\"Status\">Inactive</Value>') = 0");
	int rc;

	used[0] = used[1] = 0;
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int(s, 1, TFS_KIND_MASTER);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		used[0] = sqlite3_column_int64(s, 0);
		used[1] = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : db_fail(inst_db(in), "licenses");
}

/* A CSV field: quoted if it holds a comma, a quote or a line break. */
static int csv_field(tfs_buf *out, const char *v)
{
	int error;

	if (!strpbrk(v, ",\"\r\n"))
		return tfs_buf_puts(out, v);
	error = tfs_buf_puts(out, "\"");
	for (; *v && !error; v++)
		error = *v == '"' ? tfs_buf_puts(out, "\"\"") :
				    tfs_buf_put(out, v, 1);
	return error ? error : tfs_buf_puts(out, "\"");
}

static int row(tfs_buf *out, const char *date, const char *tenant,
	       const char *inst, const char *type, int64_t licenses,
	       int64_t used)
{
	int error = tfs_buf_printf(out, "%s,", date);

	if (!error && !(error = csv_field(out, tenant)) &&
	    !(error = tfs_buf_puts(out, ",")) &&
	    !(error = csv_field(out, inst)))
		error = tfs_buf_printf(out, ",%s,%lld,%lld\n", type,
				       (long long)licenses, (long long)used);
	return error;
}

int tfs_store_render_licenses(tfs_buf *out, tfs_store *st, int64_t tenant_id)
{
	sqlite3_stmt *s = db_stmt(
		store_db(st),
		"SELECT i.id, t.name, i.name, i.named_licenses,"
		" i.concurrent_licenses FROM instances i JOIN tenants t ON"
		" t.id = i.tenant_id WHERE ?1 = 0 OR t.id = ?1"
		" ORDER BY t.name, i.name");
	char date[32];
	int rc, error;

	if (!s)
		return TFS_ERROR;
	tfs_time_iso(date, tfs_now());
	date[10] = '\0';
	sqlite3_bind_int64(s, 1, tenant_id);
	error = tfs_buf_puts(out, "date,tenant,instance,license_type,"
				  "licenses,used\n");
	while (!error && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		tfs_inst *in = tfs_store_inst(st, sqlite3_column_int64(s, 0));
		int64_t used[2] = { 0, 0 };

		/* an instance not served counts no users */
		if (in && (error = count_users(used, in)) < 0)
			break;
		error = row(out, date, db_text(s, 1), db_text(s, 2), "named",
			    sqlite3_column_int64(s, 3), used[0]);
		if (!error)
			error = row(out, date, db_text(s, 1), db_text(s, 2),
				    "concurrent", sqlite3_column_int64(s, 4),
				    used[1]);
	}
	if (!error && rc != SQLITE_DONE)
		error = db_fail(store_db(st), "licenses");
	sqlite3_reset(s);
	return error;
}
