/*
 * The root's status file: every instance with its state and its API key
 * state, then the problems of the system; `echo fix > status` fixes the
 * API keys (INTERFACE.md "Console administration").
 *
 * API keys: each instance's must be unique (the Ops Console guide,
 * "Checking the API Keys").  A key is `blank` if empty, `duplicate` if
 * another instance has the same one, else `ok`.  A fix gives every blank
 * key a new one, and of each group of instances sharing a key keeps it
 * for the oldest (lowest id: the instance it was made for) and gives the
 * others new ones; afterwards every key is unique and set.  New keys are
 * 32 upper-case hex digits from the kernel's random source (tfs_uuid_new),
 * checked unique.  Keys never appear in the file: it says only their
 * state (instance.conf reads ***).
 *
 * Server locations: each server's data, backup and log location must be
 * an existing, writable directory on this machine (access(2) as the
 * daemon), as landscape.c checks when a server is made or changed; the
 * directory may have gone or changed since.
 *
 * Called without the tree's lock; the fix takes the store's writer lock
 * and is one transaction of the console database.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "tenantfs/error.h"
#include "tenantfs/history.h"
#include "tenantfs/perm.h"

/* One problem line per damaged object of `in`; their count. */
static int damage_lines(tfs_buf *probs, tfs_inst *in, const char *name)
{
	tfs_buf d = TFS_BUF_INIT;
	char *line, *end;
	int n = 0;

	inst_damage_render(&d, in);
	for (line = d.ptr; line && (end = strchr(line, '\n'));
	     line = end + 1, n++)
		tfs_buf_printf(probs,
			       "%s: %.*s is damaged: its stored bytes "
			       "do not match their SHA-256\n",
			       name, (int)(end - line), line);
	tfs_buf_free(&d);
	return n;
}

/* The problems of instance `id` (`name`: tenant/instance) other than its
 * key's: expired, history out of step, damaged, not served; their count. */
static int inst_problems(tfs_buf *probs, tfs_store *st, int64_t id,
			 const char *name, const char *exp)
{
	tfs_inst *in = tfs_store_inst(st, id);
	char today[32], ref[41], db_oid[41];
	int n = 0, problems = 0;

	tfs_time_iso(today, tfs_now());
	today[10] = '\0';
	if (strcmp(exp, "never") != 0 && strcmp(exp, today) < 0) {
		tfs_buf_printf(probs, "%s: expired on %s\n", name, exp);
		problems++;
	}
	if (in && inst_last_commit(in, &n, db_oid) == 0 && n > 0 &&
	    (tfs_history_get_ref(ref, st->hist, in->branch) < 0 ||
	     strcmp(ref, db_oid) != 0)) {
		tfs_buf_printf(probs,
			       "%s: history branch does not "
			       "match the database\n",
			       name);
		problems++;
	}
	if (in)
		problems += damage_lines(probs, in, name);
	if (store_broken(st, id)) {
		tfs_buf_printf(probs, "%s: not served: %s\n", name,
			       store_broken(st, id));
		problems++;
	}
	return problems;
}

/* Key state column `k` (0 ok, 1 duplicate, 2 blank) as a word, and its
 * problem line; 1 if it is a problem. */
static int key_problem(tfs_buf *probs, const char *name, int k, int shared)
{
	if (k == 2)
		tfs_buf_printf(probs,
			       "%s: API key is blank (echo fix > "
			       "status gives it one)\n",
			       name);
	else if (k == 1)
		tfs_buf_printf(probs,
			       "%s: API key is duplicate: shared with "
			       "%d other instance%s (echo fix > status)\n",
			       name, shared - 1, shared == 2 ? "" : "s");
	return k != 0;
}

static const char *const key_words[] = { "ok", "duplicate", "blank" };

/* Why `path` is not a writable directory, or NULL if it is. */
static const char *location_problem(const char *path)
{
	struct stat sb;

	if (!path[0])
		return "is not set";
	if (path[0] != '/')
		return "is not an absolute path on this machine";
	if (stat(path, &sb) != 0)
		return "does not exist";
	if (!S_ISDIR(sb.st_mode))
		return "is not a directory";
	if (access(path, W_OK | X_OK) != 0)
		return "is not writable";
	return NULL;
}

/* A problem line per unreachable data, backup or log location of a
 * server; their count. */
static int server_problems(tfs_buf *probs, tfs_store *st)
{
	sqlite3_stmt *s = db_stmt(
		store_db(st),
		"SELECT g.name, l.type, s.name, s.data_location,"
		" s.backup_location, s.log_location FROM servers s JOIN"
		" landscapes l ON"
		" l.id = s.landscape_id JOIN groups g ON g.id = l.group_id"
		" ORDER BY g.name, l.type, s.name");
	static const char *const what[] = { "data", "backup", "log" };
	const char *why;
	int rc, i, problems = 0;

	if (!s)
		return 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		for (i = 0; i < 3; i++) {
			if (!(why = location_problem(db_text(s, 3 + i))))
				continue;
			tfs_buf_printf(probs,
				       "landscapes/%s/%s/servers/%s: "
				       "%s location '%s' %s\n",
				       db_text(s, 0), db_text(s, 1),
				       db_text(s, 2), what[i],
				       db_text(s, 3 + i), why);
			problems++;
		}
	}
	sqlite3_reset(s);
	return problems;
}

int tfs_store_render_status(tfs_buf *out, tfs_store *st)
{
	sqlite3_stmt *s = db_stmt(
		store_db(st),
		"SELECT i.id, t.name, i.name, i.status, i.metadata_locked,"
		" i.in_maintenance, i.expiration, CASE WHEN i.api_key = ''"
		" THEN 2 WHEN (SELECT count(*) FROM instances j WHERE"
		" j.api_key = i.api_key) > 1 THEN 1 ELSE 0 END,"
		" (SELECT count(*) FROM instances j WHERE j.api_key ="
		" i.api_key) FROM instances i JOIN tenants t ON"
		" t.id = i.tenant_id ORDER BY t.name, i.name");
	int rc, error, problems = 0;
	tfs_buf probs = TFS_BUF_INIT;

	if (!s)
		return TFS_ERROR;
	error = tfs_buf_printf(out, "%-24s %-8s %-6s %-11s %-7s %s\n",
			       "instance", "status", "locked", "maintenance",
			       "version", "api key");
	while (!error && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		tfs_inst *in = tfs_store_inst(st, id);
		int k = sqlite3_column_int(s, 7);
		tfs_inst_meta m = { 0 };
		char name[160];

		if (in)
			tfs_inst_meta_get(&m, in);
		snprintf(name, sizeof(name), "%s/%s", db_text(s, 1),
			 db_text(s, 2));
		error = tfs_buf_printf(out, "%-24s %-8s %-6s %-11s %-7lld %s\n",
				       name, db_text(s, 3),
				       sqlite3_column_int(s, 4) ? "yes" : "no",
				       sqlite3_column_int(s, 5) ? "yes" : "no",
				       (long long)m.version,
				       key_words[k < 0 || k > 2 ? 0 : k]);
		problems += key_problem(&probs, name, k,
					sqlite3_column_int(s, 8));
		problems += inst_problems(&probs, st, id, name, db_text(s, 6));
	}
	sqlite3_reset(s);
	problems += server_problems(&probs, st);
	if (!error)
		error = tfs_buf_printf(out, "\nproblems: %d\n%s", problems,
				       probs.ptr ? probs.ptr : "");
	tfs_buf_free(&probs);
	return error;
}

/* ---- echo fix > status ---------------------------------------------------- */

/* A new API key no instance has: 32 upper-case hex digits. */
static int new_key(char out[33], tfs_store *st)
{
	sqlite3_stmt *s;
	char uuid[37];
	int tries, taken;
	size_t i, j;

	for (tries = 0; tries < 8; tries++) {
		tfs_uuid_new(uuid);
		for (i = j = 0; uuid[i] && j < 32; i++)
			if (uuid[i] != '-')
				out[j++] = (char)(uuid[i] >= 'a' &&
								  uuid[i] <=
									  'f' ?
							  uuid[i] - 'a' + 'A' :
							  uuid[i]);
		out[j] = '\0';
		if (!(s = db_stmt(&st->db, "SELECT 1 FROM instances WHERE"
					   " api_key = ?")))
			return TFS_ERROR;
		sqlite3_bind_text(s, 1, out, -1, SQLITE_STATIC);
		taken = sqlite3_step(s) == SQLITE_ROW;
		sqlite3_reset(s);
		if (!taken)
			return 0;
	}
	return tfs_error_set(TFS_ERROR, "no unique API key could be made");
}

/* Give instance `id` a new key, with its event (`blank`: why). */
static int rekey(tfs_store *st, const tfs_user *u, int64_t id, bool blank)
{
	sqlite3_stmt *s;
	char key[33], msg[160];
	tfs_event ev = { .user = u->login,
			 .action = "Instance/ApiKey",
			 .message = msg,
			 .instance_id = id };
	int error;

	if ((error = new_key(key, st)) < 0)
		return error;
	if (!(s = db_stmt(&st->db, "UPDATE instances SET api_key = ?2,"
				   " mtime = ?3 WHERE id = ?1")))
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, tfs_now());
	if ((error = db_done(&st->db, s)) < 0)
		return error;
	snprintf(msg, sizeof(msg), "status fix: a new API key (it was %s)",
		 blank ? "blank" : "duplicate");
	return store_event_locked(st, &ev);
}

/* Every blank key, and every duplicate but the oldest instance's, anew,
 * one at a time (a new key takes its instance out of the query); the
 * number changed into *n.  (Writer lock held, in a transaction.) */
static int fix_keys(tfs_store *st, const tfs_user *u, int *n)
{
	sqlite3_stmt *s;
	int64_t id;
	bool blank;
	int rc, error = 0;

	for (*n = 0; !error; (*n)++) {
		if (!(s = db_stmt(&st->db,
				  "SELECT i.id, i.api_key = '' FROM"
				  " instances i WHERE i.api_key = '' OR EXISTS"
				  " (SELECT 1 FROM instances j WHERE j.api_key"
				  " = i.api_key AND j.id < i.id) ORDER BY"
				  " i.id LIMIT 1")))
			return TFS_ERROR;
		rc = sqlite3_step(s);
		id = sqlite3_column_int64(s, 0);
		blank = sqlite3_column_int(s, 1) != 0;
		sqlite3_reset(s);
		if (rc != SQLITE_ROW)
			return rc == SQLITE_DONE ?
				       0 :
				       db_fail(&st->db, "instances");
		error = rekey(st, u, id, blank);
	}
	return error;
}

static int not_fix(void)
{
	return tfs_error_set(TFS_EINVALID,
			     "status takes only 'fix' (gives "
			     "every duplicate or blank API key a new one)");
}

int tfs_store_status_check(const char *bytes, size_t len)
{
	size_t i = 0, j = 0;

	while (i < len && strchr(" \t\r\n", bytes[i]))
		i++;
	for (; i < len && j < 3; i++, j++)
		if (bytes[i] != "fix"[j])
			return not_fix();
	for (; i < len; i++)
		if (!strchr(" \t\r\n", bytes[i]))
			return not_fix();
	return 0;
}

int tfs_store_status_write(tfs_store *st, const tfs_user *u, const char *bytes,
			   size_t len)
{
	char msg[64];
	tfs_event ev = { .user = u->login,
			 .action = "Status/Fix",
			 .message = msg };
	int error, n = 0;

	if (!u->id || !u->admin)
		return tfs_error_set(TFS_EACCESS,
				     "%s: only administrators "
				     "fix status problems",
				     u->login);
	while (len && strchr(" \t\r\n", bytes[len - 1]))
		len--;
	while (len && strchr(" \t\r\n", bytes[0]))
		bytes++, len--;
	if (len != 3 || memcmp(bytes, "fix", 3) != 0)
		return not_fix();
	store_write_begin(st);
	if ((error = db_exec(&st->db, "BEGIN IMMEDIATE")) == 0) {
		if ((error = fix_keys(st, u, &n)) == 0) {
			snprintf(msg, sizeof(msg), "%d API key%s fixed", n,
				 n == 1 ? "" : "s");
			error = store_event_locked(st, &ev);
		}
		if (error == 0)
			error = db_exec(&st->db, "COMMIT");
		if (error < 0)
			db_rollback(&st->db);
	}
	store_write_end(st);
	return error;
}
