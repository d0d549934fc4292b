/*
 * The events of one tenant or one instance: tenants/<t>/events and
 * tenants/<t>/<instance>/events, the lines of the console's events file
 * about that tenant (or instance) only, in the same order and format.
 *
 * Invariants: every events row carries the tenant and instance it is
 * about (NULL if none) and its byte offset in their own files
 * (tenant_off, instance_off: the sum of the lengths of that scope's
 * earlier lines), set when it is appended (store.c append_event_line).
 * So a scoped file's size is its last line's offset plus length, one
 * indexed read, and its content one indexed range, whatever the number
 * of other events.  Ids are never reused (AUTOINCREMENT): a tenant made
 * again under an old name starts with an empty file.
 *
 * Stores made before these columns get them on their next open
 * (events_upgrade), filled from the lines' tenant and instance names as
 * they are now; lines of tenants or instances since removed stay in the
 * console's file only.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "tenantfs/error.h"

/* Field `i` (0-based) of tab-separated `line` into out (empty if none). */
static void field(char out[256], const char *line, int i)
{
	const char *end;
	size_t n;

	for (; i > 0 && line; i--)
		if ((line = strchr(line, '\t')))
			line++;
	out[0] = '\0';
	if (!line)
		return;
	end = line + strcspn(line, "\t\n");
	n = (size_t)(end - line) < 255 ? (size_t)(end - line) : 255;
	memcpy(out, line, n);
	out[n] = '\0';
}

/* The ids of tenant `tenant` and of its instance `inst` (0 if none). */
static int ids_of(struct event_scope *sc, tfs_store *st, const char *tenant,
		  const char *inst)
{
	sqlite3_stmt *s = db_stmt(&st->db,
				  "SELECT t.id, COALESCE((SELECT i.id FROM"
				  " instances i WHERE i.tenant_id = t.id AND"
				  " i.name = ?2), 0) FROM tenants t WHERE"
				  " t.name = ?1");

	sc->tenant_id = sc->instance_id = 0;
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_text(s, 1, tenant, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, inst, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW) {
		sc->tenant_id = sqlite3_column_int64(s, 0);
		sc->instance_id = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	return 0;
}

/* Fill tenant_id and instance_id of every existing line from its
 * fields 4 and 5 (tenant, instance). */
static int backfill_ids(tfs_store *st)
{
	sqlite3_stmt *s = db_stmt(&st->db, "SELECT id, line FROM events"
					   " ORDER BY id");
	sqlite3_stmt *u;
	char tenant[256], inst[256];
	struct event_scope sc;
	int rc, error = 0;

	if (!s)
		return TFS_ERROR;
	while (!error && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		field(tenant, db_text(s, 1), 4);
		field(inst, db_text(s, 1), 5);
		if (!tenant[0])
			continue;
		if ((error = ids_of(&sc, st, tenant, inst)) < 0 ||
		    !sc.tenant_id)
			continue;
		if (!(u = db_stmt(&st->db,
				  "UPDATE events SET tenant_id = ?2,"
				  " instance_id = ?3 WHERE id = ?1"))) {
			error = TFS_ERROR;
			break;
		}
		sqlite3_bind_int64(u, 1, sqlite3_column_int64(s, 0));
		sqlite3_bind_int64(u, 2, sc.tenant_id);
		if (sc.instance_id)
			sqlite3_bind_int64(u, 3, sc.instance_id);
		else
			sqlite3_bind_null(u, 3);
		error = db_done(&st->db, u);
	}
	if (!error && rc != SQLITE_DONE)
		error = db_fail(&st->db, "events upgrade");
	sqlite3_reset(s);
	return error;
}

static const char add_columns[] =
	"ALTER TABLE events ADD COLUMN tenant_id INTEGER;"
	"ALTER TABLE events ADD COLUMN instance_id INTEGER;"
	"ALTER TABLE events ADD COLUMN tenant_off INTEGER;"
	"ALTER TABLE events ADD COLUMN instance_off INTEGER;";

/* Each line's offset in its tenant's and its instance's file. */
static const char fill_offsets[] =
	"UPDATE events SET tenant_off = w.o FROM (SELECT id,"
	" sum(length(CAST(line AS BLOB))) OVER (PARTITION BY tenant_id"
	" ORDER BY id) - length(CAST(line AS BLOB)) AS o FROM events"
	" WHERE tenant_id IS NOT NULL) AS w WHERE events.id = w.id;"
	"UPDATE events SET instance_off = w.o FROM (SELECT id,"
	" sum(length(CAST(line AS BLOB))) OVER (PARTITION BY instance_id"
	" ORDER BY id) - length(CAST(line AS BLOB)) AS o FROM events"
	" WHERE instance_id IS NOT NULL) AS w WHERE events.id = w.id;";

int events_upgrade(tfs_store *st)
{
	sqlite3_stmt *s = NULL;
	int rc, n = 0, error;

	if (sqlite3_prepare_v2(st->db.db,
			       "SELECT count(*) FROM "
			       "pragma_table_info('events') WHERE name = "
			       "'tenant_id'",
			       -1, &s, NULL) != SQLITE_OK)
		return db_fail(&st->db, "events");
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return db_fail(&st->db, "events");
	if (!n) {
		if ((error = db_exec(&st->db, "BEGIN IMMEDIATE")) < 0)
			return error;
		if ((error = db_exec(&st->db, add_columns)) < 0 ||
		    (error = backfill_ids(st)) < 0 ||
		    (error = db_exec(&st->db, fill_offsets)) < 0 ||
		    (error = db_exec(&st->db, "COMMIT")) < 0) {
			db_rollback(&st->db);
			return error;
		}
	}
	return db_exec(&st->db,
		       "CREATE INDEX IF NOT EXISTS events_tenant ON"
		       " events(tenant_id, id) WHERE tenant_id IS NOT NULL;"
		       "CREATE INDEX IF NOT EXISTS events_instance ON"
		       " events(instance_id, id) WHERE instance_id IS NOT"
		       " NULL;");
}

int tfs_store_events_scope_size(tfs_store *st, int64_t tenant_id,
				int64_t inst_id, uint64_t *size, int64_t *mtime)
{
	sqlite3_stmt *s =
		inst_id ?
			db_stmt(store_db(st),
				"SELECT instance_off +"
				" length(CAST(line AS BLOB)), time FROM events"
				" WHERE instance_id = ?1 ORDER BY id DESC"
				" LIMIT 1") :
			db_stmt(store_db(st),
				"SELECT tenant_off +"
				" length(CAST(line AS BLOB)), time FROM events"
				" WHERE tenant_id = ?1 ORDER BY id DESC LIMIT 1");

	*size = 0;
	*mtime = 0;
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, inst_id ? inst_id : tenant_id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*size = (uint64_t)sqlite3_column_int64(s, 0);
		*mtime = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	return 0;
}

int tfs_store_events_scope_read(tfs_buf *out, tfs_store *st, int64_t tenant_id,
				int64_t inst_id)
{
	sqlite3_stmt *s =
		inst_id ?
			db_stmt(store_db(st),
				"SELECT CAST(line AS BLOB) FROM"
				" events WHERE instance_id = ?1 ORDER BY id") :
			db_stmt(store_db(st),
				"SELECT CAST(line AS BLOB) FROM"
				" events WHERE tenant_id = ?1 ORDER BY id");
	int rc, error = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, inst_id ? inst_id : tenant_id);
	while (!error && (rc = sqlite3_step(s)) == SQLITE_ROW)
		error = tfs_buf_put(out, sqlite3_column_blob(s, 0),
				    (size_t)sqlite3_column_bytes(s, 0));
	if (!error && rc != SQLITE_DONE)
		error = db_fail(store_db(st), "events");
	sqlite3_reset(s);
	return error;
}
