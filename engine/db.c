/*
 * Thin helpers over SQLite: opening a connection in WAL mode with sane
 * pragmas, a per-connection cache of prepared statements, and error
 * reporting through tfs_error_set().  Every engine query binds its
 * parameters; no SQL is built from user input.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "tenantfs/error.h"

static pthread_once_t config_once = PTHREAD_ONCE_INIT;

/*
 * SQLite's memory statistics (on unless compiled out; nothing here reads
 * them) take one process-wide mutex on every allocation, and the system
 * library allocates every small object (no lookaside): a few percent of
 * a large apply, and a lock every thread using SQLite contends for.
 * Only possible before SQLite initializes; if it already has, the call
 * fails and nothing changes.
 */
static void config(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int db_open(db_conn *c, const char *path, bool create)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
		    SQLITE_OPEN_URI;

	pthread_once(&config_once, config);
	memset(c, 0, sizeof(*c));
	if (create)
		flags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &c->db, flags, NULL) != SQLITE_OK) {
		int error = tfs_error_set(TFS_ERROR, "cannot open %s: %s", path,
					  c->db ? sqlite3_errmsg(c->db) :
						  "out of memory");
		sqlite3_close(c->db);
		c->db = NULL;
		return error;
	}
	sqlite3_busy_timeout(c->db, 10000);
	if (db_exec(c, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
		       "PRAGMA foreign_keys=ON;") < 0 ||
	    db_cache_size(c, DB_CACHE_KIB) < 0) {
		db_close(c);
		return TFS_ERROR;
	}
	return 0;
}

int db_open_reader(db_conn *c, const char *path)
{
	int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX;

	pthread_once(&config_once, config);
	memset(c, 0, sizeof(*c));
	if (sqlite3_open_v2(path, &c->db, flags, NULL) != SQLITE_OK) {
		int error = tfs_error_set(TFS_ERROR,
					  "cannot open %s for "
					  "reading: %s",
					  path,
					  c->db ? sqlite3_errmsg(c->db) :
						  "out of memory");
		sqlite3_close(c->db);
		c->db = NULL;
		return error;
	}
	sqlite3_busy_timeout(c->db, 10000);
	if (db_cache_size(c, DB_CACHE_KIB) < 0) {
		db_close(c);
		return TFS_ERROR;
	}
	return 0;
}

int db_cache_size(db_conn *c, int kib)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA cache_size=-%d", kib);
	return db_exec(c, sql);
}

void db_close(db_conn *c)
{
	size_t i;

	if (!c->db)
		return;
	for (i = 0; i < DB_CACHE_SIZE; i++)
		sqlite3_finalize(c->stmt[i]);
	sqlite3_close(c->db);
	memset(c, 0, sizeof(*c));
}

/* The engine's code for the connection's last error. */
static int code_of(db_conn *c, int rc)
{
	return (rc & 0xff) == SQLITE_FULL ? TFS_ENOSPC : TFS_ERROR;
}

int db_fail(db_conn *c, const char *what)
{
	return tfs_error_set(code_of(c, sqlite3_extended_errcode(c->db)),
			     "%s: %s", what, sqlite3_errmsg(c->db));
}

void db_rollback(db_conn *c)
{
	/* SQLite rolls back by itself after some errors (a full disk
	 * among them): a second rollback would only bury their message. */
	if (c->db && !sqlite3_get_autocommit(c->db))
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

int db_exec(db_conn *c, const char *sql)
{
	char *msg = NULL;
	int rc;

	if (!c->db)
		return TFS_ERROR; /* a reader that could not open: error set */
	if ((rc = sqlite3_exec(c->db, sql, NULL, NULL, &msg)) != SQLITE_OK) {
		int error = tfs_error_set(code_of(c, rc), "sqlite: %s",
					  msg ? msg : "error");
		sqlite3_free(msg);
		return error;
	}
	return 0;
}

sqlite3_stmt *db_stmt(db_conn *c, const char *sql)
{
	size_t i;

	if (!c->db)
		return NULL; /* a reader that could not open: error set */
	for (i = 0; i < DB_CACHE_SIZE && c->sql[i]; i++) {
		if (c->sql[i] == sql) {
			sqlite3_reset(c->stmt[i]);
			sqlite3_clear_bindings(c->stmt[i]);
			return c->stmt[i];
		}
	}
	if (i == DB_CACHE_SIZE) {
		/* Full: evict the last slot; the cache is sized for all of
		 * the engine's statements, so this is rare. */
		i = DB_CACHE_SIZE - 1;
		sqlite3_finalize(c->stmt[i]);
		c->sql[i] = NULL;
		c->stmt[i] = NULL;
	}
	if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
			       &c->stmt[i], NULL) != SQLITE_OK) {
		db_fail(c, "prepare");
		c->stmt[i] = NULL;
		return NULL;
	}
	c->sql[i] = sql;
	return c->stmt[i];
}

int db_done(db_conn *c, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		if (rc == SQLITE_CONSTRAINT)
			return tfs_error_set(TFS_EEXISTS, "%s",
					     sqlite3_errmsg(c->db));
		return db_fail(c, "sqlite");
	}
	sqlite3_reset(s);
	return 0;
}

const char *db_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? (const char *)t : "";
}
