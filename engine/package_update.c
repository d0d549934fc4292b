/*
 * Writes to the files of packages/P/ (package.conf, transaction-sets,
 * aspects, sub-packages): each rewrite checked whole and applied all or
 * nothing; a closed package refuses them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "package_int.h"
#include "tenantfs/doc.h"
#include "tenantfs/error.h"
#include "tenantfs/history.h"
#include "tenantfs/package.h"

/* ---- updates ----------------------------------------------------------- */

struct update {
	tfs_inst *in;
	int64_t id;
	tfs_pkg_file f;
	const char *bytes;
	size_t len;
	const char *user;
	char msg[600];
};

/* Lines of `bytes` as NUL-terminated strings, blank and # lines skipped;
 * calls `cb` with each line (1-based number). */
static int each_line(const char *bytes, size_t len,
		     int (*cb)(void *ctx, char *line, int no), void *ctx)
{
	const char *p = bytes, *end = bytes + len;
	char line[1024];
	int no = 0, error = 0;

	if (memchr(bytes, '\0', len))
		return tfs_error_set(TFS_EINVALID, "NUL byte in the file");
	while (!error && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *l;
		no++;
		if (n >= sizeof(line))
			return tfs_error_set(TFS_EINVALID, "line %d: too long",
					     no);
		memcpy(line, p, n);
		line[n] = '\0';
		p += n + 1;
		l = line;
		while (isspace((unsigned char)*l))
			l++;
		n = strlen(l);
		while (n && isspace((unsigned char)l[n - 1]))
			l[--n] = '\0';
		if (!*l || *l == '#')
			continue;
		error = cb(ctx, l, no);
	}
	return error;
}

static int exec_id(tfs_inst *in, const char *sql, int64_t id)
{
	sqlite3_stmt *s = db_stmt(inst_db(in), sql);

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	return db_done(inst_db(in), s);
}

static int pkg_is_empty(tfs_inst *in, int64_t id)
{
	sqlite3_stmt *s = db_stmt(inst_db(in),
				  "SELECT (SELECT count(*) FROM "
				  "package_txsets WHERE package = ?1) + (SELECT"
				  " count(*) FROM package_subs WHERE package ="
				  " ?1)");
	int n = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	return n == 0;
}

struct conf_ctx {
	tfs_inst *in;
	struct update *u;
	struct pkg p;
	char type[16];
	char description[512];
	char state[16];
	char save_as[256];
	char source[160];
};

static int conf_line(void *ctx, char *line, int no)
{
	struct conf_ctx *c = ctx;
	char *eq = strchr(line, '='), *key = line, *v;
	size_t n;

	if (!eq)
		return tfs_error_set(TFS_EINVALID,
				     "line %d: expected 'key = "
				     "value'",
				     no);
	*eq = '\0';
	v = eq + 1;
	while (isspace((unsigned char)*v))
		v++;
	n = strlen(key);
	while (n && isspace((unsigned char)key[n - 1]))
		key[--n] = '\0';
	if (strcmp(key, "type") == 0) {
		if (strcmp(v, "incremental") && strcmp(v, "master") &&
		    strcmp(v, "file"))
			return tfs_error_set(TFS_EINVALID,
					     "line %d: type is "
					     "incremental, master or file",
					     no);
		snprintf(c->type, sizeof(c->type), "%s", v);
	} else if (strcmp(key, "description") == 0) {
		snprintf(c->description, sizeof(c->description), "%s", v);
	} else if (strcmp(key, "state") == 0) {
		if (strcmp(v, "open") && strcmp(v, "closed"))
			return tfs_error_set(TFS_EINVALID,
					     "line %d: state is "
					     "open or closed",
					     no);
		snprintf(c->state, sizeof(c->state), "%s", v);
	} else if (strcmp(key, "source") == 0) {
		if (strcmp(v, c->source) != 0)
			return tfs_error_set(TFS_EINVALID,
					     "line %d: source is "
					     "read-only",
					     no);
	} else if (strcmp(key, "save_as") == 0) {
		if (!tfs_name_valid(v))
			return tfs_error_set(TFS_EINVALID,
					     "line %d: invalid "
					     "package name '%s'",
					     no, v);
		snprintf(c->save_as, sizeof(c->save_as), "%s", v);
	} else {
		return tfs_error_set(TFS_EINVALID,
				     "line %d: unknown key '%s' "
				     "(type, description, state, save_as)",
				     no, key);
	}
	return 0;
}

static int update_conf(tfs_inst *in, struct update *u, struct pkg *p)
{
	struct conf_ctx c;
	sqlite3_stmt *s;
	tfs_buf frozen = TFS_BUF_INIT;
	int error;

	memset(&c, 0, sizeof(c));
	c.in = in;
	c.u = u;
	snprintf(c.type, sizeof(c.type), "%s", p->type);
	snprintf(c.description, sizeof(c.description), "%s", p->description);
	snprintf(c.state, sizeof(c.state), "%s", p->state);
	snprintf(c.source, sizeof(c.source), "%s", p->source);
	if ((error = each_line(u->bytes, u->len, conf_line, &c)) < 0)
		return error;
	if (strcmp(c.type, p->type) != 0) {
		if ((error = pkg_is_empty(in, p->id)) < 0)
			return error;
		if (!error)
			return tfs_error_set(TFS_EINVALID,
					     "type can change "
					     "only while the package is empty");
	}
	if (strcmp(c.state, "open") == 0 && strcmp(p->state, "closed") == 0)
		return tfs_error_set(TFS_EINVALID, "a closed package cannot "
						   "be reopened");
	s = db_stmt(inst_db(in),
		    "UPDATE packages SET type = ?, description = ?,"
		    " state = ?, mtime = ? WHERE id = ?");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_text(s, 1, c.type, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, c.description, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, c.state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, tfs_now());
	sqlite3_bind_int64(s, 5, p->id);
	if ((error = db_done(inst_db(in), s)) < 0)
		return error;
	snprintf(u->msg, sizeof(u->msg), "package %s: type %s, state %s",
		 p->name, c.type, c.state);
	if (!c.save_as[0])
		return 0;
	/* "Save as file": a frozen, closed copy of the export. */
	if ((error = pkg_export(&frozen, in, p->id, false)) < 0)
		goto done;
	s = db_stmt(inst_db(in),
		    "INSERT INTO packages(name, type, description,"
		    " state, created, mtime, frozen) VALUES(?1, 'file', ?2, "
		    "'closed', ?3, ?3, ?4)");
	if (!s) {
		error = TFS_ERROR;
		goto done;
	}
	sqlite3_bind_text(s, 1, c.save_as, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, c.description, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, tfs_now());
	sqlite3_bind_blob(s, 4, frozen.ptr, (int)frozen.size, SQLITE_STATIC);
	if ((error = db_done(inst_db(in), s)) < 0)
		goto done;
	snprintf(u->msg, sizeof(u->msg),
		 "package %s saved as file package "
		 "%s",
		 p->name, c.save_as);
done:
	tfs_buf_free(&frozen);
	return error;
}

static int parse_id(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	v = strtoll(s, &end, 10);
	if (*end || v <= 0)
		return -1;
	*out = v;
	return 0;
}

static int txset_line(void *ctx, char *line, int no)
{
	struct update *u = ctx;
	tfs_inst *in = u->in;
	sqlite3_stmt *s;
	tfs_row row;
	int64_t id;

	if (parse_id(line, &id) < 0)
		return tfs_error_set(TFS_EINVALID,
				     "line %d: '%s' is not a "
				     "transaction set id",
				     no, line);
	if (tfs_inst_txset_get(&row, NULL, in, id) < 0)
		return tfs_error_set(TFS_EINVALID,
				     "line %d: no transaction "
				     "set %lld",
				     no, (long long)id);
	s = db_stmt(inst_db(in),
		    "INSERT OR IGNORE INTO package_txsets(package, "
		    "txset) VALUES(?, ?)");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, u->id);
	sqlite3_bind_int64(s, 2, id);
	return db_done(inst_db(in), s);
}

static int aspect_line(void *ctx, char *line, int no)
{
	struct update *u = ctx;
	tfs_inst *in = u->in;
	char *f[5], *save = NULL;
	sqlite3_stmt *s;
	int n = 0;

	for (f[n] = strtok_r(line, " \t", &save); f[n] && n < 4;
	     f[++n] = strtok_r(NULL, " \t", &save))
		;
	/* f[4]: a fifth field, which the line must not have */
	if (n != 4 || f[4] || (strcmp(f[3], "yes") && strcmp(f[3], "no")))
		return tfs_error_set(TFS_EINVALID,
				     "line %d: expected '<id> "
				     "<version> <vendor-id> <yes|no>'",
				     no);
	s = db_stmt(inst_db(in),
		    "INSERT OR REPLACE INTO package_aspects(package,"
		    " aspect, version, vendor, uninstall) VALUES(?,?,?,?,?)");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, u->id);
	sqlite3_bind_text(s, 2, f[0], -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, f[1], -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, f[2], -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 5, strcmp(f[3], "yes") == 0);
	return db_done(inst_db(in), s);
}

/* Whether package `from` is `target` or holds it at any depth: 1, 0, or
 * an error. */
static int holds(tfs_inst *in, int64_t from, int64_t target, int depth)
{
	int64_t ord[SUBS_MAX], sub[SUBS_MAX];
	size_t n, i;
	int r;

	if (from == target)
		return 1;
	if (depth > 16)
		return tfs_error_set(TFS_EINVALID, "master packages nest too "
						   "deep");
	if ((r = pkg_subs(ord, sub, &n, in, from)) < 0)
		return r;
	for (i = 0; i < n; i++)
		if ((r = holds(in, sub[i], target, depth + 1)) != 0)
			return r;
	return 0;
}

static int sub_line(void *ctx, char *line, int no)
{
	struct update *u = ctx;
	tfs_inst *in = u->in;
	char *name = line;
	sqlite3_stmt *s;
	struct pkg sub;
	tfs_row row;
	int64_t ord;
	int error;

	while (*name && !isspace((unsigned char)*name))
		name++;
	if (*name)
		*name++ = '\0';
	while (isspace((unsigned char)*name))
		name++;
	if (parse_id(line, &ord) < 0 || !*name)
		return tfs_error_set(TFS_EINVALID,
				     "line %d: expected '<order>"
				     " <package>'",
				     no);
	if (tfs_pkg_find(&row, in, name) < 0)
		return tfs_error_set(TFS_EINVALID, "line %d: no package %s", no,
				     name);
	if ((error = pkg_load(&sub, in, row.id)) < 0)
		return error;
	if ((error = holds(in, row.id, u->id, 0)) < 0)
		return error;
	if (error)
		return tfs_error_set(TFS_EINVALID,
				     "line %d: %s holds this "
				     "package: a master package cannot hold "
				     "itself",
				     no, name);
	s = db_stmt(inst_db(in), "INSERT INTO package_subs(package, ord, sub) "
				 "VALUES(?, ?, ?)");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, u->id);
	sqlite3_bind_int64(s, 2, ord);
	sqlite3_bind_int64(s, 3, row.id);
	error = db_done(inst_db(in), s);
	if (error == TFS_EEXISTS)
		return tfs_error_set(TFS_EINVALID,
				     "line %d: order %lld given "
				     "twice",
				     no, (long long)ord);
	return error;
}

static int update_body(tfs_inst *in, void *ctx)
{
	struct update *u = ctx;
	struct pkg p;
	int error;

	if ((error = pkg_load(&p, in, u->id)) < 0)
		return error;
	if (strcmp(p.state, "closed") == 0)
		return tfs_error_set(TFS_EACCESS, "package %s is closed",
				     p.name);
	switch (u->f) {
	case TFS_PKG_CONF:
		error = update_conf(in, u, &p);
		break;
	case TFS_PKG_TXSETS:
		if (strcmp(p.type, "incremental") != 0) {
			error = tfs_error_set(TFS_EINVALID,
					      "only incremental "
					      "packages hold transaction sets");
			break;
		}
		if (!(error = exec_id(in,
				      "DELETE FROM package_txsets WHERE "
				      "package = ?",
				      u->id)))
			error = each_line(u->bytes, u->len, txset_line, u);
		snprintf(u->msg, sizeof(u->msg),
			 "package %s: transaction "
			 "sets changed",
			 p.name);
		break;
	case TFS_PKG_ASPECTS:
		if (!(error = exec_id(in,
				      "DELETE FROM package_aspects WHERE "
				      "package = ?",
				      u->id)))
			error = each_line(u->bytes, u->len, aspect_line, u);
		snprintf(u->msg, sizeof(u->msg), "package %s: aspects changed",
			 p.name);
		break;
	case TFS_PKG_SUBS:
		if (strcmp(p.type, "master") != 0) {
			error = tfs_error_set(TFS_EINVALID,
					      "only master "
					      "packages hold sub-packages");
			break;
		}
		if (!(error = exec_id(in,
				      "DELETE FROM package_subs WHERE "
				      "package = ?",
				      u->id)))
			error = each_line(u->bytes, u->len, sub_line, u);
		snprintf(u->msg, sizeof(u->msg),
			 "package %s: sub-packages "
			 "changed",
			 p.name);
		break;
	default:
		error = tfs_error_set(TFS_EACCESS, "%s is read-only",
				      tfs_pkg_file_names[u->f]);
	}
	if (!error)
		error = exec_id(in,
				"UPDATE packages SET mtime = "
				"CAST(strftime('%s', 'now') AS INTEGER) "
				"WHERE id = ?",
				u->id);
	return error;
}

static int pkg_update_locked(tfs_inst *in, const char *user, int64_t id,
			     tfs_pkg_file f, const char *bytes, size_t len)
{
	struct update u = { in, id, f, bytes, len, user, "" };
	const char *action;
	int error;

	/* The event's action depends on what the update did, so this does
	 * not use inst_small_change(). */
	if ((error = db_exec(inst_db(in), "BEGIN IMMEDIATE")) < 0)
		return error;
	if ((error = update_body(in, &u)) < 0)
		goto fail;
	action = strstr(u.msg, "saved as")     ? "Package/SaveAsFile" :
		 strstr(u.msg, "state closed") ? "Package/Close" :
						 "Package/Update";
	if ((error = inst_log_event(in, user, action, u.msg)) < 0 ||
	    (error = db_exec(inst_db(in), "COMMIT")) < 0)
		goto fail;
	store_flush_events(in->st, in);
	if (in->st->observer)
		in->st->observer(in->st->observer_ctx, in->id,
				 TFS_CHANGE_INSTANCE, 0, 0, NULL);
	return 0;
fail:
	db_rollback(inst_db(in));
	return error;
}

int tfs_pkg_update(tfs_inst *in, const char *user, int64_t id, tfs_pkg_file f,
		   const char *bytes, size_t len)
{
	int error;

	if ((error = inst_check_packages(in, user)) < 0)
		return error;
	inst_write_begin(in);
	error = pkg_update_locked(in, user, id, f, bytes, len);
	inst_write_end(in);
	return error;
}
