/*
 * .conf files: `key = value` lines.  Parsing what users write, and the
 * table-driven rendering and update of console rows.
 *
 * Each entity has a fixed list of keys in a fixed order; a key is writable
 * or read-only, and may be secret (rendered as "***").  An update accepts a
 * file that keeps every read-only key at its current value (or leaves it
 * out), changes writable keys to valid values, and writes "***" (or omits)
 * for secrets it does not change.  Anything else fails the whole update.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "tenantfs/conf.h"
#include "tenantfs/error.h"
#include "tenantfs/sha256.h"

/* ---- parsing --------------------------------------------------------------- */

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

void tfs_conf_free(tfs_conf *conf)
{
	size_t i;

	if (!conf)
		return;
	for (i = 0; i < conf->n; i++) {
		free(conf->kv[i].key);
		free(conf->kv[i].value);
	}
	free(conf->kv);
	conf->kv = NULL;
	conf->n = 0;
}

/*
 * Bounds of a .conf file, far above what any key needs, so that a value
 * of a megabyte is refused rather than copied into events, and the
 * duplicate-key check stays small.
 */
#define CONF_LINE_MAX  4096
#define CONF_VALUE_MAX 1024
#define CONF_KEYS_MAX  64

int tfs_conf_parse(tfs_conf *out, const char *bytes, size_t len)
{
	const char *p = bytes, *end = bytes + len;
	char *line = NULL;
	int lineno = 0, error = 0;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (memchr(bytes, '\0', len))
		return tfs_error_set(TFS_EINVALID, "NUL byte in a .conf file");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *key, *value, *eq, *k;
		tfs_conf_kv *kv;

		lineno++;
		if (n > CONF_LINE_MAX) {
			error = tfs_error_set(TFS_EINVALID,
					      "line %d: longer "
					      "than %d bytes",
					      lineno, CONF_LINE_MAX);
			goto fail;
		}
		free(line);
		line = strndup(p, n);
		p += n + (nl ? 1 : 0);
		if (!line) {
			error = tfs_error_set(TFS_ERROR, "out of memory");
			goto fail;
		}
		key = trim(line);
		if (!*key || *key == '#')
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			error = tfs_error_set(TFS_EINVALID,
					      "line %d: expected "
					      "'key = value'",
					      lineno);
			goto fail;
		}
		*eq = '\0';
		value = trim(eq + 1);
		key = trim(key);
		for (k = key; *k; k++)
			if (!islower((unsigned char)*k) && *k != '_' &&
			    !isdigit((unsigned char)*k))
				break;
		if (!*key || *k) {
			error = tfs_error_set(TFS_EINVALID,
					      "line %d: bad key "
					      "'%s'",
					      lineno, key);
			goto fail;
		}
		if (strlen(value) > CONF_VALUE_MAX || out->n == CONF_KEYS_MAX) {
			error = tfs_error_set(TFS_EINVALID, "line %d: %s",
					      lineno,
					      out->n == CONF_KEYS_MAX ?
						      "too many keys" :
						      "value too long");
			goto fail;
		}
		for (i = 0; i < out->n; i++) {
			if (strcmp(out->kv[i].key, key) == 0) {
				error = tfs_error_set(TFS_EINVALID,
						      "line %d: "
						      "key '%s' given twice",
						      lineno, key);
				goto fail;
			}
		}
		kv = realloc(out->kv, (out->n + 1) * sizeof(*kv));
		if (!kv) {
			error = tfs_error_set(TFS_ERROR, "out of memory");
			goto fail;
		}
		out->kv = kv;
		kv[out->n].key = strdup(key);
		kv[out->n].value = strdup(value);
		kv[out->n].line = lineno;
		out->n++;
		if (!kv[out->n - 1].key || !kv[out->n - 1].value) {
			error = tfs_error_set(TFS_ERROR, "out of memory");
			goto fail;
		}
	}
	free(line);
	return 0;
fail:
	free(line);
	tfs_conf_free(out);
	return error;
}

const char *tfs_conf_get(const tfs_conf *conf, const char *key)
{
	size_t i;

	for (i = 0; i < conf->n; i++)
		if (strcmp(conf->kv[i].key, key) == 0)
			return conf->kv[i].value;
	return NULL;
}

/* ---- entity schemas ----------------------------------------------------------- */

enum ktype {
	K_TEXT,     /* one line of text */
	K_BOOL,     /* true/false, stored 1/0 */
	K_INT,      /* non-negative integer */
	K_ENUM,     /* one of `values` (space-separated) */
	K_DATE,     /* YYYY-MM-DD or never */
	K_TIME,     /* seconds since epoch, rendered ISO (read-only) */
	K_INST,     /* value from the instance database (read-only) */
	K_UID,      /* a numeric uid or "none" */
	K_GROUP,    /* a landscape group's name (its id stored); set once */
	K_PASSWORD, /* stored as its SHA-256 only, never read back */
};

struct key {
	const char *key;
	const char *column; /* NULL for K_INST */
	enum ktype type;
	const char *values;
	unsigned ro : 1;
	unsigned secret : 1;
};

struct schema {
	const char *table;
	const char *what;   /* "instance", for messages and events */
	const char *action; /* event action */
	const struct key *keys;
};

static const struct key user_keys[] = {
	{ "login", "login", K_TEXT, NULL, 1, 0 },
	{ "name", "name", K_TEXT, NULL, 0, 0 },
	{ "company", "company", K_TEXT, NULL, 0, 0 },
	{ "administrator", "administrator", K_BOOL, NULL, 0, 0 },
	{ "email", "email", K_TEXT, NULL, 0, 0 },
	{ "uid", "uid", K_UID, NULL, 0, 0 },
	{ "password", "password", K_PASSWORD, NULL, 0, 1 },
	{ NULL, NULL, K_TEXT, NULL, 0, 0 },
};

static const struct key group_keys[] = {
	{ "name", "name", K_TEXT, NULL, 1, 0 },
	/* 2 and 3 are accepted too: tfs_group_conf_update maps them */
	{ "tiers", "tiers", K_ENUM, "two-tier three-tier", 0, 0 },
	{ "description", "description", K_TEXT, NULL, 0, 0 },
	{ "backup_engine", "backup_engine", K_ENUM, "mssql litespeed", 0, 0 },
	/* how pushes back up their target by default, not the engine */
	{ "backup_type", "backup_type", K_ENUM, "last live file restored", 0,
	  0 },
	{ NULL, NULL, K_TEXT, NULL, 0, 0 },
};

static const struct key landscape_keys[] = {
	{ "type", "type", K_TEXT, NULL, 1, 0 },
	{ "tenant_pattern", "tenant_pattern", K_TEXT, NULL, 0, 0 },
	{ "database_pattern", "db_pattern", K_TEXT, NULL, 0, 0 },
	{ "email_domain", "email_domain", K_TEXT, NULL, 0, 0 },
	{ "allow_all_backup_options", "allow_all_backups", K_BOOL, NULL, 0, 0 },
	{ "config_service_url", "config_service_url", K_TEXT, NULL, 0, 0 },
	{ NULL, NULL, K_TEXT, NULL, 0, 0 },
};

static const struct key server_keys[] = {
	{ "name", "name", K_TEXT, NULL, 1, 0 },
	{ "host", "host", K_TEXT, NULL, 0, 0 },
	{ "data_location", "data_location", K_TEXT, NULL, 0, 0 },
	{ "backup_location", "backup_location", K_TEXT, NULL, 0, 0 },
	{ "log_location", "log_location", K_TEXT, NULL, 0, 0 },
	{ "login", "login", K_TEXT, NULL, 0, 0 },
	/* kept as given (a console connects with it), shown as *** */
	{ "password", "password", K_TEXT, NULL, 0, 1 },
	{ NULL, NULL, K_TEXT, NULL, 0, 0 },
};

static const struct key tenant_keys[] = {
	{ "name", "name", K_TEXT, NULL, 1, 0 },
	{ "company", "company", K_TEXT, NULL, 0, 0 },
	{ "contact", "contact", K_TEXT, NULL, 0, 0 },
	{ "landscape_group", "group_id", K_GROUP, NULL, 0, 0 },
	{ "development_project", "dev_project", K_BOOL, NULL, 0, 0 },
	{ "created", "created", K_TIME, NULL, 1, 0 },
	{ NULL, NULL, K_TEXT, NULL, 0, 0 },
};

static const struct key instance_keys[] = {
	{ "status", "status", K_ENUM, "active on-hold closed", 0, 0 },
	{ "in_maintenance", "in_maintenance", K_BOOL, NULL, 0, 0 },
	{ "metadata_locked", "metadata_locked", K_BOOL, NULL, 0, 0 },
	{ "expiration", "expiration", K_DATE, NULL, 0, 0 },
	{ "named_licenses", "named_licenses", K_INT, NULL, 0, 0 },
	{ "concurrent_licenses", "concurrent_licenses", K_INT, NULL, 0, 0 },
	{ "session_timeout", "session_timeout", K_INT, NULL, 0, 0 },
	{ "contact", "contact", K_TEXT, NULL, 0, 0 },
	{ "email_listener", "email_listener", K_BOOL, NULL, 0, 0 },
	{ "version", NULL, K_INST, NULL, 1, 0 },
	{ "landscape", NULL, K_INST, NULL, 1, 0 },
	{ "uri", "uri", K_TEXT, NULL, 1, 0 },
	{ "database", "database", K_TEXT, NULL, 1, 0 },
	{ "api_key", "api_key", K_TEXT, NULL, 1, 1 },
	{ "created", "created", K_TIME, NULL, 1, 0 },
	{ "last_update", NULL, K_INST, NULL, 1, 0 },
	{ "last_update_by", NULL, K_INST, NULL, 1, 0 },
	{ NULL, NULL, K_TEXT, NULL, 0, 0 },
};

static const struct schema schemas[] = {
	[TFS_ENT_USER] = { "users", "user", "User/Update", user_keys },
	[TFS_ENT_GROUP] = { "groups", "landscape group",
			    "LandscapeGroup/Update", group_keys },
	[TFS_ENT_LANDSCAPE] = { "landscapes", "landscape", "Landscape/Update",
				landscape_keys },
	[TFS_ENT_SERVER] = { "servers", "database server", "Server/Update",
			     server_keys },
	[TFS_ENT_TENANT] = { "tenants", "tenant", "Tenant/Update",
			     tenant_keys },
	[TFS_ENT_INSTANCE] = { "instances", "instance", "Instance/Update",
			       instance_keys },
};

/* Render the current value of key `k` of row `id` into `out`. */
static int key_value(tfs_buf *out, tfs_store *st, tfs_entity ent, int64_t id,
		     const struct key *k, bool reveal)
{
	const struct schema *sc = &schemas[ent];
	char sql[256], iso[32];
	sqlite3_stmt *s = NULL;
	int error = 0;

	if (k->type == K_INST) {
		tfs_inst *in = tfs_store_inst(st, id);
		return in ? inst_conf_value(out, in, k->key) : TFS_ERROR;
	}
	/* Table and column names come from the static schema above. */
	if (k->type == K_GROUP)
		snprintf(sql, sizeof(sql),
			 "SELECT (SELECT name FROM groups g "
			 "WHERE g.id = t.%s) FROM %s t WHERE id = ?",
			 k->column, sc->table);
	else
		snprintf(sql, sizeof(sql), "SELECT %s FROM %s WHERE id = ?",
			 k->column, sc->table);
	if (sqlite3_prepare_v2(store_db(st)->db, sql, -1, &s, NULL) !=
	    SQLITE_OK)
		return db_fail(store_db(st), "conf");
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		error = tfs_error_set(TFS_ENOTFOUND, "no such %s", sc->what);
		goto done;
	}
	switch (k->type) {
	case K_BOOL:
		error = tfs_buf_puts(out, sqlite3_column_int(s, 0) ? "true" :
								     "false");
		break;
	case K_INT:
		error = tfs_buf_printf(out, "%lld",
				       (long long)sqlite3_column_int64(s, 0));
		break;
	case K_UID:
		if (sqlite3_column_type(s, 0) == SQLITE_NULL)
			error = tfs_buf_puts(out, "none");
		else
			error = tfs_buf_printf(
				out, "%lld",
				(long long)sqlite3_column_int64(s, 0));
		break;
	case K_TIME:
		tfs_time_iso(iso, sqlite3_column_int64(s, 0));
		error = tfs_buf_puts(out, iso);
		break;
	default:
		if (k->secret && !reveal)
			error = tfs_buf_puts(out, "***");
		else
			error = tfs_buf_puts(out, db_text(s, 0));
	}
done:
	sqlite3_finalize(s);
	return error;
}

int tfs_store_conf_render(tfs_buf *out, tfs_store *st, tfs_entity ent,
			  int64_t id)
{
	const struct schema *sc = &schemas[ent];
	const struct key *k;
	int error = 0;

	for (k = sc->keys; k->key && !error; k++) {
		if ((error = tfs_buf_printf(out, "%s = ", k->key)) < 0 ||
		    (error = key_value(out, st, ent, id, k, false)) < 0)
			break;
		error = tfs_buf_puts(out, "\n");
	}
	return error;
}

static bool valid_date(const char *v)
{
	struct tm tm;
	char *end;

	if (strcmp(v, "never") == 0)
		return true;
	memset(&tm, 0, sizeof(tm));
	end = strptime(v, "%Y-%m-%d", &tm);
	return end && !*end && strlen(v) == 10;
}

static bool valid_int(const char *v, long long max, long long *out)
{
	char *end;
	long long n;

	if (!isdigit((unsigned char)*v))
		return false;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || *end || n > max)
		return false;
	*out = n;
	return true;
}

static bool in_list(const char *v, const char *list)
{
	size_t n = strlen(v);
	const char *p = list;

	while (n && (p = strstr(p, v))) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

/* The id of landscape group `name`. */
static int group_id(int64_t *out, tfs_store *st, const char *name)
{
	sqlite3_stmt *s = db_stmt(store_db(st), "SELECT id FROM groups "
						"WHERE name = ?");
	int error = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	else
		error = tfs_error_set(TFS_EINVALID,
				      "landscape_group: no "
				      "landscape group '%s'",
				      name);
	sqlite3_reset(s);
	return error;
}

/* Check `v` for key `k`; bind it as parameter `i` of `s`. */
static int bind_value(tfs_store *st, sqlite3_stmt *s, int i,
		      const struct key *k, const char *v)
{
	int64_t id = 0;
	long long n;
	int error;

	switch (k->type) {
	case K_GROUP:
		if ((error = group_id(&id, st, v)) < 0)
			return error;
		sqlite3_bind_int64(s, i, id);
		return 0;
	case K_BOOL:
		if (strcmp(v, "true") && strcmp(v, "false"))
			return tfs_error_set(TFS_EINVALID,
					     "%s: expected true "
					     "or false, got '%s'",
					     k->key, v);
		sqlite3_bind_int(s, i, strcmp(v, "true") == 0);
		return 0;
	case K_INT:
		if (!valid_int(v, 1000000000LL, &n))
			return tfs_error_set(TFS_EINVALID,
					     "%s: expected a "
					     "non-negative integer, got '%s'",
					     k->key, v);
		if (strcmp(k->key, "session_timeout") == 0 &&
		    (n < 1 || n > 1440))
			return tfs_error_set(TFS_EINVALID,
					     "session_timeout: "
					     "minutes between 1 and 1440");
		sqlite3_bind_int64(s, i, n);
		return 0;
	case K_PASSWORD: {
		/* The console checks passwords, tenantfs never needs them
		 * back: only a digest is kept (no salt: the store is the
		 * administrators' own, not a login service). */
		char hex[65], stored[80];
		if (!*v)
			return tfs_error_set(TFS_EINVALID, "password: empty");
		if (tfs_sha256_hex(hex, v, strlen(v)) < 0)
			return TFS_ERROR;
		snprintf(stored, sizeof(stored), "sha256:%s", hex);
		sqlite3_bind_text(s, i, stored, -1, SQLITE_TRANSIENT);
		return 0;
	}
	case K_UID:
		if (strcmp(v, "none") == 0) {
			sqlite3_bind_null(s, i);
			return 0;
		}
		if (!valid_int(v, 4294967294LL, &n))
			return tfs_error_set(TFS_EINVALID,
					     "uid: expected a "
					     "number or none, got '%s'",
					     v);
		sqlite3_bind_int64(s, i, n);
		return 0;
	case K_ENUM:
		if (!in_list(v, k->values))
			return tfs_error_set(TFS_EINVALID,
					     "%s: expected one "
					     "of %s, got '%s'",
					     k->key, k->values, v);
		break;
	case K_DATE:
		if (!valid_date(v))
			return tfs_error_set(TFS_EINVALID,
					     "%s: expected "
					     "YYYY-MM-DD or never, got '%s'",
					     k->key, v);
		break;
	default:
		break;
	}
	sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	return 0;
}

/* The keys a .conf file changes, with their new values and the log
 * message naming each change (secrets as ***). */
struct conf_changes {
	const struct key *set[32];
	const char *val[32];
	size_t n;
	tfs_buf msg;
};

/*
 * The changes `conf` makes to entity `ent` `id` into *ch: keys it lists
 * with their current value, or a secret's "***", change nothing.  0, or
 * TFS_EINVALID for an unknown or read-only key or a bad value.
 */
static int conf_changes_find(struct conf_changes *ch, tfs_store *st,
			     tfs_entity ent, int64_t id, const tfs_conf *conf)
{
	const struct key *k;
	tfs_buf cur = TFS_BUF_INIT;
	size_t i;
	int error = 0;

	for (i = 0; i < conf->n; i++) {
		const char *v = conf->kv[i].value;
		int line = conf->kv[i].line;

		for (k = schemas[ent].keys; k->key; k++)
			if (strcmp(k->key, conf->kv[i].key) == 0)
				break;
		if (!k->key) {
			error = tfs_error_set(TFS_EINVALID,
					      "line %d: unknown "
					      "key '%s'",
					      line, conf->kv[i].key);
			goto done;
		}
		if (k->secret && strcmp(v, "***") == 0)
			continue;
		tfs_buf_clear(&cur);
		if ((error = key_value(&cur, st, ent, id, k, true)) < 0)
			goto done;
		if (strcmp(cur.ptr ? cur.ptr : "", v) == 0)
			continue;
		if (k->ro) {
			error = tfs_error_set(TFS_EINVALID,
					      "line %d: key '%s' "
					      "is read-only",
					      line, k->key);
			goto done;
		}
		/* A tenant's instances live on its group's landscapes. */
		if (k->type == K_GROUP && cur.size) {
			error = tfs_error_set(TFS_EINVALID,
					      "line %d: "
					      "landscape_group is set once "
					      "(it is %s)",
					      line, cur.ptr);
			goto done;
		}
		if (strchr(v, '\t') || ch->n == 32) {
			error = tfs_error_set(TFS_EINVALID,
					      "line %d: bad "
					      "value",
					      line);
			goto done;
		}
		tfs_buf_printf(&ch->msg, "%s%s: %s -> %s",
			       ch->msg.size ? ", " : "", k->key,
			       k->secret ? "***" : cur.ptr,
			       k->secret ? "***" : v);
		ch->set[ch->n] = k;
		ch->val[ch->n++] = v;
	}
done:
	tfs_buf_free(&cur);
	return error;
}

/* One UPDATE of entity `id`'s row with the changes, values checked as
 * they are bound. */
static int conf_changes_write(tfs_store *st, const struct schema *sc,
			      int64_t id, const struct conf_changes *ch)
{
	tfs_buf sql = TFS_BUF_INIT;
	sqlite3_stmt *s = NULL;
	size_t i;
	int error;

	tfs_buf_printf(&sql, "UPDATE %s SET mtime = ?1", sc->table);
	for (i = 0; i < ch->n; i++)
		tfs_buf_printf(&sql, ", %s = ?%zu", ch->set[i]->column, i + 3);
	if ((error = tfs_buf_puts(&sql, " WHERE id = ?2")) < 0)
		goto done;
	if (sqlite3_prepare_v2(store_db(st)->db, sql.ptr, -1, &s, NULL) !=
	    SQLITE_OK) {
		error = db_fail(store_db(st), "conf");
		goto done;
	}
	sqlite3_bind_int64(s, 1, tfs_now());
	sqlite3_bind_int64(s, 2, id);
	for (i = 0; i < ch->n; i++)
		if ((error = bind_value(st, s, (int)i + 3, ch->set[i],
					ch->val[i])) < 0)
			goto done;
	if (sqlite3_step(s) != SQLITE_DONE)
		error = db_fail(store_db(st), "conf");
done:
	sqlite3_finalize(s);
	tfs_buf_free(&sql);
	return error;
}

/* The event for a changed entity; an instance is reloaded, and the
 * observers told, as its .conf and status files changed. */
static void conf_changes_announce(tfs_store *st, tfs_entity ent, int64_t id,
				  const char *user, const char *msg)
{
	tfs_event ev = {
		.user = user,
		.action = schemas[ent].action,
		.message = msg,
		.instance_id = ent == TFS_ENT_INSTANCE ? id : 0,
		.tenant_id = ent == TFS_ENT_TENANT ? id : 0,
	};

	tfs_store_event(st, &ev);
	if (ent == TFS_ENT_INSTANCE) {
		tfs_inst *in = tfs_store_inst(st, id);
		if (in)
			inst_reload(in);
		if (st->observer)
			st->observer(st->observer_ctx, id, TFS_CHANGE_INSTANCE,
				     0, 0, NULL);
	}
}

int conf_update_locked(tfs_store *st, tfs_entity ent, int64_t id,
		       const char *user, const char *bytes, size_t len)
{
	struct conf_changes ch = { .n = 0, .msg = TFS_BUF_INIT };
	tfs_conf conf;
	int error;

	if ((error = tfs_conf_parse(&conf, bytes, len)) < 0)
		return error;
	if ((error = conf_changes_find(&ch, st, ent, id, &conf)) == 0 &&
	    ch.n > 0 &&
	    (error = conf_changes_write(st, &schemas[ent], id, &ch)) == 0)
		conf_changes_announce(st, ent, id, user, ch.msg.ptr);
	tfs_conf_free(&conf);
	tfs_buf_free(&ch.msg);
	return error;
}

int tfs_store_conf_update(tfs_store *st, tfs_entity ent, int64_t id,
			  const char *user, const char *bytes, size_t len)
{
	tfs_inst *in = NULL;
	int error;

	/* An instance's properties change in step with its own writers
	 * (an apply checks the metadata lock once, at its start). */
	if (ent == TFS_ENT_INSTANCE && (in = tfs_store_inst(st, id)))
		inst_write_begin(in);
	store_write_begin(st);
	error = conf_update_locked(st, ent, id, user, bytes, len);
	store_write_end(st);
	if (in)
		inst_write_end(in);
	return error;
}
