/*
 * The store: directory layout, the console database, the store lock,
 * listing of console entities for the tree, the event log, and opening of
 * instances.
 *
 * Invariants: console.db's schema is created once by tfs_store_create();
 * every instance row has a database at instances/<tenant>/<name>.db and a
 * branch <tenant>/<name> in history.git once it has a first commit.  The
 * events file is the concatenation of events.line ordered by id; events.off
 * is the byte offset of each line, so reads at any offset are one indexed
 * query and the size is known without rendering.
 */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "tenantfs/perm.h"
#include "tenantfs/error.h"
#include "tenantfs/history.h"

static const char console_schema[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
	"CREATE TABLE groups(id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" name TEXT NOT NULL UNIQUE, tiers TEXT NOT NULL,"
	" backup_type TEXT NOT NULL DEFAULT 'live',"
	" description TEXT NOT NULL DEFAULT '', mtime INTEGER NOT NULL,"
	" backup_engine TEXT NOT NULL DEFAULT 'mssql');"
	"CREATE TABLE landscapes(id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" group_id INTEGER NOT NULL REFERENCES groups(id), type TEXT NOT NULL,"
	" tenant_pattern TEXT NOT NULL DEFAULT '',"
	" db_pattern TEXT NOT NULL DEFAULT '',"
	" email_domain TEXT NOT NULL DEFAULT '',"
	" allow_all_backups INTEGER NOT NULL DEFAULT 0,"
	" mtime INTEGER NOT NULL,"
	" config_service_url TEXT NOT NULL DEFAULT '', UNIQUE(group_id, type));"
	"CREATE TABLE servers(id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" landscape_id INTEGER NOT NULL REFERENCES landscapes(id),"
	" name TEXT NOT NULL, data_location TEXT NOT NULL DEFAULT '',"
	" backup_location TEXT NOT NULL DEFAULT '', mtime INTEGER NOT NULL,"
	" host TEXT NOT NULL DEFAULT '', log_location TEXT NOT NULL DEFAULT '',"
	" login TEXT NOT NULL DEFAULT '', password TEXT NOT NULL DEFAULT '',"
	" UNIQUE(landscape_id, name));"
	"CREATE TABLE tenants(id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" name TEXT NOT NULL UNIQUE, group_id INTEGER REFERENCES groups(id),"
	" company TEXT NOT NULL DEFAULT '', contact TEXT NOT NULL DEFAULT '',"
	" dev_project INTEGER NOT NULL DEFAULT 1, created INTEGER NOT NULL,"
	" mtime INTEGER NOT NULL);"
	"CREATE TABLE instances(id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" tenant_id INTEGER NOT NULL REFERENCES tenants(id),"
	" name TEXT NOT NULL, landscape_id INTEGER REFERENCES landscapes(id),"
	" status TEXT NOT NULL DEFAULT 'active',"
	" in_maintenance INTEGER NOT NULL DEFAULT 0,"
	" metadata_locked INTEGER NOT NULL DEFAULT 0,"
	" expiration TEXT NOT NULL DEFAULT 'never',"
	" named_licenses INTEGER NOT NULL DEFAULT 0,"
	" concurrent_licenses INTEGER NOT NULL DEFAULT 0,"
	" session_timeout INTEGER NOT NULL DEFAULT 60,"
	" contact TEXT NOT NULL DEFAULT '',"
	" email_listener INTEGER NOT NULL DEFAULT 0,"
	" uri TEXT NOT NULL DEFAULT '', database TEXT NOT NULL DEFAULT '',"
	" api_key TEXT NOT NULL DEFAULT '', created INTEGER NOT NULL,"
	" mtime INTEGER NOT NULL, UNIQUE(tenant_id, name));"
	"CREATE TABLE users(id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" login TEXT NOT NULL UNIQUE, name TEXT NOT NULL DEFAULT '',"
	" company TEXT NOT NULL DEFAULT '',"
	" administrator INTEGER NOT NULL DEFAULT 0,"
	" email TEXT NOT NULL DEFAULT '', uid INTEGER, mtime INTEGER NOT NULL,"
	" password TEXT NOT NULL DEFAULT '');"
	"CREATE TABLE events(id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" off INTEGER NOT NULL, time INTEGER NOT NULL, line TEXT NOT NULL,"
	" source TEXT UNIQUE);";

int64_t tfs_now(void)
{
	return (int64_t)time(NULL);
}

void tfs_time_iso(char out[32], int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static struct inst_table *table(tfs_store *st)
{
	return __atomic_load_n(&st->tab, __ATOMIC_ACQUIRE);
}

tfs_inst *store_slot(tfs_store *st, int64_t id)
{
	struct inst_table *tab = table(st);

	if (!tab || id <= 0 || (size_t)id >= tab->n)
		return NULL;
	return __atomic_load_n(&tab->slot[id], __ATOMIC_ACQUIRE);
}

size_t store_ninsts(tfs_store *st)
{
	struct inst_table *tab = table(st);

	return tab ? tab->n : 0;
}

const char *store_broken(tfs_store *st, int64_t id)
{
	struct inst_table *tab = table(st);

	if (!tab || id <= 0 || (size_t)id >= tab->n)
		return NULL;
	return tab->broken[id];
}

/* A table of `n` slots holding what `old` (may be NULL) holds. */
static struct inst_table *table_new(size_t n, struct inst_table *old)
{
	struct inst_table *tab = calloc(1, sizeof(*tab));
	size_t i;

	if (tab) {
		tab->slot = calloc(n, sizeof(*tab->slot));
		tab->broken = calloc(n, sizeof(*tab->broken));
	}
	if (!tab || !tab->slot || !tab->broken) {
		if (tab) {
			free(tab->slot);
			free(tab->broken);
		}
		free(tab);
		tfs_error_set(TFS_ERROR, "out of memory");
		return NULL;
	}
	tab->n = n;
	for (i = 0; old && i < old->n; i++) {
		tab->slot[i] = __atomic_load_n(&old->slot[i], __ATOMIC_ACQUIRE);
		tab->broken[i] = old->broken[i];
	}
	tab->older = old;
	return tab;
}

int store_publish(tfs_store *st, tfs_inst *in)
{
	struct inst_table *tab = table(st), *grown;
	size_t id = (size_t)in->id;

	if (in->id <= 0 || in->id > 0xffff)
		return tfs_error_set(TFS_ERROR, "too many instances");
	if (!tab || id >= tab->n) {
		/* Room for a few more, so that each mkdir does not copy. */
		if (!(grown = table_new(id + 1 + 16, tab)))
			return TFS_ERROR;
		__atomic_store_n(&st->tab, grown, __ATOMIC_RELEASE);
		tab = grown;
	}
	__atomic_store_n(&tab->slot[id], in, __ATOMIC_RELEASE);
	return 0;
}

void store_forget_instance(tfs_store *st, int64_t id)
{
	struct inst_table *t;

	for (t = table(st); t; t = t->older) {
		if (id > 0 && (size_t)id < t->n) {
			if (t == table(st))
				inst_free(t->slot[id]);
			t->slot[id] = NULL;
		}
	}
}

const char *tfs_store_path(const tfs_store *st)
{
	return st->path;
}

int64_t tfs_store_created(tfs_store *st)
{
	sqlite3_stmt *s = db_stmt(store_db(st), "SELECT value FROM meta "
						"WHERE key = 'created'");
	int64_t t = 0;

	if (s && sqlite3_step(s) == SQLITE_ROW)
		t = sqlite3_column_int64(s, 0);
	if (s)
		sqlite3_reset(s);
	return t;
}

int tfs_store_statfs(struct statvfs *out, tfs_store *st)
{
	if (statvfs(st->path, out) < 0)
		return tfs_error_set(errno == ENOSPC ? TFS_ENOSPC : TFS_ERROR,
				     "statvfs %s: %s", st->path,
				     strerror(errno));
	return 0;
}

tfs_history *tfs_store_history(tfs_store *st)
{
	return st->hist;
}

int tfs_store_set_fsync(tfs_store *st, bool on)
{
	return tfs_history_set_fsync(st->hist, on);
}

void tfs_store_set_verify(tfs_store *st, bool on)
{
	st->noverify = !on;
}

void tfs_store_set_observer(tfs_store *st, tfs_change_cb cb, void *ctx)
{
	st->observer = cb;
	st->observer_ctx = ctx;
}

static int join(char *out, size_t size, const char *a, const char *b)
{
	int n = snprintf(out, size, "%s/%s", a, b);

	if (n < 0 || (size_t)n >= size)
		return tfs_error_set(TFS_ERROR, "path too long: %s/%s", a, b);
	return 0;
}

static int make_dir(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return tfs_error_set(TFS_ERROR, "mkdir %s: %s", path,
				     strerror(errno));
	return 0;
}

int tfs_store_create(const char *path)
{
	char p[PATH_MAX];
	db_conn c = { 0 };
	tfs_history *h = NULL;
	struct stat sb;
	int error;

	if (stat(path, &sb) == 0 && !S_ISDIR(sb.st_mode))
		return tfs_error_set(TFS_EEXISTS,
				     "%s exists and is not a "
				     "directory",
				     path);
	if ((error = make_dir(path)) < 0)
		return error;
	if ((error = join(p, sizeof(p), path, "console.db")) < 0)
		return error;
	if (access(p, F_OK) == 0)
		return tfs_error_set(TFS_EEXISTS, "%s already holds a store",
				     path);
	if ((error = db_open(&c, p, true)) < 0)
		return error;
	if ((error = db_exec(&c, "BEGIN")) < 0 ||
	    (error = db_exec(&c, console_schema)) < 0 ||
	    (error = db_exec(&c, "INSERT INTO meta VALUES('format', '1');"
				 "INSERT INTO meta VALUES('created', "
				 "CAST(strftime('%s', 'now') AS INTEGER));"
				 "COMMIT")) < 0)
		goto done;
	if ((error = join(p, sizeof(p), path, "instances")) < 0 ||
	    (error = make_dir(p)) < 0)
		goto done;
	if ((error = join(p, sizeof(p), path, "backups")) < 0 ||
	    (error = make_dir(p)) < 0)
		goto done;
	if ((error = join(p, sizeof(p), path, "history.git")) < 0 ||
	    (error = tfs_history_open(&h, p, 1)) < 0)
		goto done;
done:
	tfs_history_free(h);
	db_close(&c);
	return error;
}

static int remove_entry(const char *path, const struct stat *sb, int flag,
			struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* Whether `path` is a directory with nothing in it. */
static bool empty_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	bool empty = true;

	if (!d)
		return false;
	while (empty && (e = readdir(d)))
		empty = strcmp(e->d_name, ".") == 0 ||
			strcmp(e->d_name, "..") == 0;
	closedir(d);
	return empty;
}

void store_abs_path(char out[PATH_MAX], const char *path)
{
	char cwd[PATH_MAX];
	int n;

	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)) ||
	    (n = snprintf(out, PATH_MAX, "%s/%s", cwd, path)) < 0 ||
	    n >= PATH_MAX)
		snprintf(out, PATH_MAX, "%s", path);
}

int tfs_store_init(const char *path, const tfs_seed *seed)
{
	char tmp[PATH_MAX];
	struct stat sb;
	bool replace = false;
	int n, error;

	if (stat(path, &sb) == 0) {
		if (!S_ISDIR(sb.st_mode) || !empty_dir(path))
			return tfs_error_set(TFS_EEXISTS,
					     "%s exists and is "
					     "not an empty directory",
					     path);
		replace = true;
	}
	n = snprintf(tmp, sizeof(tmp), "%s.init-XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return tfs_error_set(TFS_EINVALID, "path too long");
	if (!mkdtemp(tmp))
		return tfs_error_set(errno == ENOSPC ? TFS_ENOSPC : TFS_ERROR,
				     "cannot create %s: %s", tmp,
				     strerror(errno));
	if (seed) {
		char home[PATH_MAX];

		store_abs_path(home, path);
		error = store_create_seeded(tmp, home, seed);
	} else {
		error = tfs_store_create(tmp);
	}
	if (error == 0 && replace && rmdir(path) < 0)
		error = tfs_error_set(TFS_EEXISTS, "%s: %s", path,
				      strerror(errno));
	if (error == 0 && rename(tmp, path) < 0)
		error = tfs_error_set(TFS_ERROR, "rename %s to %s: %s", tmp,
				      path, strerror(errno));
	if (error < 0)
		nftw(tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	return error;
}

/* ---- opening ------------------------------------------------------------ */

static void clean_tmp(const char *dir)
{
	char p[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d)))
		if (strncmp(e->d_name, "drop-", 5) == 0 &&
		    snprintf(p, sizeof(p), "%s/%s", dir, e->d_name) <
			    (int)sizeof(p))
			unlink(p);
	closedir(d);
}

/*
 * Instance `id` cannot be served (the error just set says why): it is
 * closed and named in status, and every other instance serves as usual.
 */
static void mark_broken(tfs_store *st, int64_t id)
{
	const char *why = tfs_error_last();

	fprintf(stderr, "tenantfs: instance %lld is not served: %s\n",
		(long long)id, why);
	store_forget_instance(st, id);
	free(st->tab->broken[id]);
	st->tab->broken[id] = strdup(why && *why ? why : "cannot be opened");
}

static int load_instances(tfs_store *st, bool create)
{
	sqlite3_stmt *s = db_stmt(store_db(st),
				  "SELECT id FROM instances ORDER BY id");
	int64_t max = 0;
	int rc, error = 0;

	if (!s)
		return TFS_ERROR;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (sqlite3_column_int64(s, 0) > max)
			max = sqlite3_column_int64(s, 0);
	if (rc != SQLITE_DONE)
		return db_fail(store_db(st), "instances");
	if (max > 0xffff)
		return tfs_error_set(TFS_ERROR, "too many instances");
	if (!(st->tab = table_new((size_t)max + 1, NULL)))
		return TFS_ERROR;
	sqlite3_reset(s);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		if ((error = inst_open(&st->tab->slot[id], st, id, create)) <
		    0) {
			if (create)
				break;
			mark_broken(st, id);
			error = 0;
		}
	}
	sqlite3_reset(s);
	return error;
}

int store_open(tfs_store **out, const char *path, uid_t mount_uid, bool create)
{
	char p[PATH_MAX];
	tfs_store *st;
	size_t i;
	int error;

	*out = NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return tfs_error_set(TFS_ERROR, "out of memory");
	st->lockfd = -1;
	wlock_init(&st->wl);
	st->mount_uid = mount_uid;
	st->path = realpath(path, NULL);
	if (!st->path) {
		error = tfs_error_set(TFS_ENOTFOUND, "store %s: %s", path,
				      strerror(errno));
		goto done;
	}
	if ((error = join(p, sizeof(p), st->path, "console.db")) < 0)
		goto done;
	if (access(p, F_OK) != 0) {
		error = tfs_error_set(TFS_ENOTFOUND,
				      "%s is not a tenantfs "
				      "store (no console.db; create one with "
				      "'tenantctl init')",
				      path);
		goto done;
	}
	if ((error = join(p, sizeof(p), st->path, "lock")) < 0)
		goto done;
	st->lockfd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (st->lockfd < 0) {
		error = tfs_error_set(TFS_ERROR, "%s: %s", p, strerror(errno));
		goto done;
	}
	/* A tenantfs that was just unmounted may still be closing its
	 * databases: give it a few seconds before calling the store busy. */
	for (i = 0; flock(st->lockfd, LOCK_EX | LOCK_NB) < 0; i++) {
		if (i == 50) {
			error = tfs_error_set(TFS_EBUSY,
					      "store %s is in use by "
					      "another tenantfs or tenantctl",
					      path);
			goto done;
		}
		usleep(100 * 1000);
	}
	if ((error = join(p, sizeof(p), st->path, "console.db")) < 0 ||
	    (error = db_open(&st->db, p, false)) < 0 ||
	    (error = users_upgrade(st)) < 0 ||
	    (error = events_upgrade(st)) < 0 ||
	    (error = landscape_upgrade(st)) < 0 ||
	    (error = db_pool_init(&st->pool, p)) < 0 ||
	    (error = console_conf_load(st)) < 0)
		goto done;
	/* Spool space for packages being dropped; left-overs of a crash
	 * are removed by the daemon's next start (tmp is ours alone). */
	if ((error = join(p, sizeof(p), st->path, "tmp")) < 0 ||
	    (error = make_dir(p)) < 0)
		goto done;
	clean_tmp(p);
	if ((error = join(p, sizeof(p), st->path, "history.git")) < 0 ||
	    (error = tfs_history_open(&st->hist, p, 1)) < 0)
		goto done;
	if ((error = load_instances(st, create)) < 0)
		goto done;
	for (i = 0; i < store_ninsts(st); i++) {
		if (store_slot(st, (int64_t)i) &&
		    inst_recover(store_slot(st, (int64_t)i)) < 0) {
			if (create) {
				error = TFS_ERROR;
				goto done;
			}
			mark_broken(st, (int64_t)i);
		}
	}
	*out = st;
	st = NULL;
done:
	tfs_store_free(st);
	return error;
}

int tfs_store_open(tfs_store **out, const char *path, uid_t mount_uid)
{
	return store_open(out, path, mount_uid, false);
}

void tfs_store_free(tfs_store *st)
{
	struct inst_table *tab, *older;
	size_t i;

	if (!st)
		return;
	ckpt_stop(st->ckpt);
	for (tab = st->tab; tab; tab = older) {
		older = tab->older;
		for (i = 0; tab == st->tab && i < tab->n; i++) {
			inst_free(tab->slot[i]);
			free(tab->broken[i]);
		}
		free(tab->slot);
		free(tab->broken);
		free(tab);
	}
	tfs_history_free(st->hist);
	db_pool_free(&st->pool);
	db_close(&st->db);
	wlock_destroy(&st->wl);
	if (st->lockfd >= 0)
		close(st->lockfd);
	free(st->path);
	free(st);
}

int tfs_store_checkpoint_in_background(tfs_store *st)
{
	size_t i;
	int error;

	if (st->ckpt)
		return 0;
	if ((error = ckpt_start(&st->ckpt)) < 0)
		return error;
	for (i = 0; i < store_ninsts(st); i++) {
		tfs_inst *in = store_slot(st, (int64_t)i);
		if (in && !inst_gone(in) &&
		    (error = ckpt_attach(st->ckpt, &in->db,
					 sqlite3_db_filename(in->db.db,
							     "main"))) < 0)
			return error;
	}
	return 0;
}

tfs_inst *tfs_store_inst(tfs_store *st, int64_t id)
{
	const char *why = store_broken(st, id);
	tfs_inst *in = store_slot(st, id);

	if (why) {
		tfs_error_set(TFS_ERROR,
			      "instance is damaged and not served: "
			      "%s",
			      why);
		return NULL;
	}
	if (!in || inst_gone(in)) {
		tfs_error_set(TFS_ENOTFOUND, "no instance %lld", (long long)id);
		return NULL;
	}
	return in;
}

/* ---- users ---------------------------------------------------------------- */

void tfs_store_user_of(tfs_store *st, uid_t uid, char out[64])
{
	tfs_user u;

	/* Unmapped (or unreadable): "uid<N>", never admin. */
	tfs_store_user_by_uid(&u, st, uid);
	snprintf(out, 64, "%s", u.login);
}

/* ---- entity listing ------------------------------------------------------- */

struct entity_sql {
	const char *list; /* ?1 = parent id */
	const char *find; /* ?1 = parent id, ?2 = name */
	const char *get;  /* ?1 = id */
};

static const struct entity_sql entity_sql[] = {
	[TFS_ENT_USER] = {
		"SELECT id, login, mtime FROM users WHERE ?1 = ?1 "
		"ORDER BY login",
		"SELECT id, login, mtime FROM users WHERE ?1 = ?1 "
		"AND login = ?2",
		"SELECT id, login, mtime FROM users WHERE id = ?1",
	},
	[TFS_ENT_GROUP] = {
		"SELECT id, name, mtime FROM groups WHERE ?1 = ?1 "
		"ORDER BY name",
		"SELECT id, name, mtime FROM groups WHERE ?1 = ?1 "
		"AND name = ?2",
		"SELECT id, name, mtime FROM groups WHERE id = ?1",
	},
	[TFS_ENT_LANDSCAPE] = {
		"SELECT id, type, mtime FROM landscapes WHERE group_id = ?1 "
		"ORDER BY type",
		"SELECT id, type, mtime FROM landscapes WHERE group_id = ?1 "
		"AND type = ?2",
		"SELECT id, type, mtime FROM landscapes WHERE id = ?1",
	},
	[TFS_ENT_SERVER] = {
		"SELECT id, name, mtime FROM servers WHERE landscape_id = ?1 "
		"ORDER BY name",
		"SELECT id, name, mtime FROM servers WHERE landscape_id = ?1 "
		"AND name = ?2",
		"SELECT id, name, mtime FROM servers WHERE id = ?1",
	},
	[TFS_ENT_TENANT] = {
		"SELECT id, name, mtime FROM tenants WHERE ?1 = ?1 "
		"ORDER BY name",
		"SELECT id, name, mtime FROM tenants WHERE ?1 = ?1 "
		"AND name = ?2",
		"SELECT id, name, mtime FROM tenants WHERE id = ?1",
	},
	[TFS_ENT_INSTANCE] = {
		"SELECT id, name, mtime FROM instances WHERE tenant_id = ?1 "
		"ORDER BY name",
		"SELECT id, name, mtime FROM instances WHERE tenant_id = ?1 "
		"AND name = ?2",
		"SELECT id, name, mtime FROM instances WHERE id = ?1",
	},
};

static void fill_row(tfs_row *row, sqlite3_stmt *s)
{
	row->id = sqlite3_column_int64(s, 0);
	snprintf(row->name, sizeof(row->name), "%s", db_text(s, 1));
	row->mtime = sqlite3_column_int64(s, 2);
}

int tfs_store_list(tfs_store *st, tfs_entity ent, int64_t parent_id,
		   tfs_row_cb cb, void *ctx)
{
	sqlite3_stmt *s = db_stmt(store_db(st), entity_sql[ent].list);
	tfs_row row = { 0 };
	int rc, error = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, parent_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		fill_row(&row, s);
		if ((error = cb(ctx, &row)) != 0)
			break;
	}
	if (!error && rc != SQLITE_DONE)
		error = db_fail(store_db(st), "list");
	sqlite3_reset(s);
	return error;
}

static int one_row(tfs_row *out, db_conn *c, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);
	int error = 0;

	if (rc == SQLITE_ROW)
		fill_row(out, s);
	else if (rc == SQLITE_DONE)
		error = tfs_error_set(TFS_ENOTFOUND, "no such %s", what);
	else
		error = db_fail(c, what);
	sqlite3_reset(s);
	return error;
}

int tfs_store_find(tfs_row *out, tfs_store *st, tfs_entity ent,
		   int64_t parent_id, const char *name)
{
	sqlite3_stmt *s = db_stmt(store_db(st), entity_sql[ent].find);

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, parent_id);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	return one_row(out, store_db(st), s, name);
}

int tfs_store_get(tfs_row *out, tfs_store *st, tfs_entity ent, int64_t id)
{
	sqlite3_stmt *s = db_stmt(store_db(st), entity_sql[ent].get);

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, id);
	return one_row(out, store_db(st), s, "entity");
}

/* ---- events --------------------------------------------------------------- */

/* Strip tabs and newlines from a field so one event stays one line. */
static int put_field(tfs_buf *b, const char *s)
{
	int error = 0;

	for (; s && *s && !error; s++)
		error = tfs_buf_put(b,
				    (*s == '\t' || *s == '\n' || *s == '\r') ?
					    " " :
					    s,
				    1);
	return error;
}

/*
 * Format one event line: time user action message tenant instance
 * landscape company, tab-separated.
 */
static int event_line(tfs_buf *b, tfs_store *st, const tfs_event *ev, int64_t t,
		      struct event_scope *scope)
{
	char iso[32];
	const char *tenant = "", *inst = "", *land = "", *company = "";
	tfs_inst *in = NULL;
	sqlite3_stmt *s = NULL;
	int error;

	if (ev->instance_id && (in = tfs_store_inst(st, ev->instance_id))) {
		tenant = in->tenant;
		inst = in->name;
		scope->tenant_id = in->tenant_id;
		scope->instance_id = in->id;
		land = in->landscape;
		company = in->company;
	} else if (ev->tenant_id) {
		s = db_stmt(store_db(st), "SELECT name, company FROM tenants "
					  "WHERE id = ?");
		if (!s)
			return TFS_ERROR;
		sqlite3_bind_int64(s, 1, ev->tenant_id);
		if (sqlite3_step(s) == SQLITE_ROW) {
			tenant = db_text(s, 0);
			company = db_text(s, 1);
			scope->tenant_id = ev->tenant_id;
		}
	}
	tfs_time_iso(iso, t);
	error = tfs_buf_printf(b, "%s\t", iso);
	if (!error)
		error = put_field(b, ev->user);
	if (!error)
		error = tfs_buf_puts(b, "\t");
	if (!error)
		error = put_field(b, ev->action);
	if (!error)
		error = tfs_buf_puts(b, "\t");
	if (!error)
		error = put_field(b, ev->message);
	if (!error)
		error = tfs_buf_puts(b, "\t");
	if (!error)
		error = put_field(b, tenant);
	if (!error)
		error = tfs_buf_puts(b, "\t");
	if (!error)
		error = put_field(b, inst);
	if (!error)
		error = tfs_buf_puts(b, "\t");
	if (!error)
		error = put_field(b, land);
	if (!error)
		error = tfs_buf_puts(b, "\t");
	if (!error)
		error = put_field(b, company);
	if (!error)
		error = tfs_buf_puts(b, "\n");
	if (s)
		sqlite3_reset(s);
	return error;
}

/* Append a formatted line; `source` (may be NULL) makes it idempotent.
 * The line's tenant and instance (if any) and its offsets in their own
 * events files (events_scope.c) are stored with it. */
static int append_event_line(tfs_store *st, const char *line, int64_t t,
			     const char *source,
			     const struct event_scope *scope)
{
	sqlite3_stmt *s = db_stmt(
		store_db(st),
		"INSERT OR IGNORE INTO events(off, time, line, source,"
		" tenant_id, instance_id, tenant_off, instance_off) "
		"SELECT COALESCE((SELECT off + length(CAST(line AS BLOB)) "
		"FROM events ORDER BY id DESC LIMIT 1), 0), ?1, ?2, ?3,"
		" ?4, ?5, CASE WHEN ?4 IS NULL THEN NULL ELSE"
		" COALESCE((SELECT tenant_off + length(CAST(line AS BLOB))"
		" FROM events WHERE tenant_id = ?4 ORDER BY id DESC"
		" LIMIT 1), 0) END, CASE WHEN ?5 IS NULL THEN NULL ELSE"
		" COALESCE((SELECT instance_off + length(CAST(line AS BLOB))"
		" FROM events WHERE instance_id = ?5 ORDER BY id DESC"
		" LIMIT 1), 0) END");

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, t);
	sqlite3_bind_text(s, 2, line, -1, SQLITE_STATIC);
	if (source)
		sqlite3_bind_text(s, 3, source, -1, SQLITE_STATIC);
	if (scope->tenant_id)
		sqlite3_bind_int64(s, 4, scope->tenant_id);
	if (scope->instance_id)
		sqlite3_bind_int64(s, 5, scope->instance_id);
	return db_done(store_db(st), s);
}

int store_event_locked(tfs_store *st, const tfs_event *ev)
{
	struct event_scope scope = { 0, 0 };
	tfs_buf b = TFS_BUF_INIT;
	int64_t t = tfs_now();
	int error;

	if ((error = event_line(&b, st, ev, t, &scope)) == 0)
		error = append_event_line(st, b.ptr, t, NULL, &scope);
	tfs_buf_free(&b);
	return error;
}

int tfs_store_event(tfs_store *st, const tfs_event *ev)
{
	int error;

	store_write_begin(st);
	error = store_event_locked(st, ev);
	store_write_end(st);
	return error;
}

/*
 * Instance transactions queue their events in the instance database
 * (pending_events) atomically with the change; this moves them into the
 * console log.  The source key makes a repeat after a crash harmless.
 */
int store_flush_events(tfs_store *st, tfs_inst *in)
{
	sqlite3_stmt *s = db_stmt(inst_db(in),
				  "SELECT id, time, user, action, "
				  "message FROM pending_events ORDER BY id");
	sqlite3_stmt *del;
	tfs_buf b = TFS_BUF_INIT;
	char source[64];
	int64_t last = 0;
	int rc, error = 0;

	assert(wlock_held(&in->wl));
	if (!s)
		return TFS_ERROR;
	store_write_begin(st);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		tfs_event ev = {
			.user = db_text(s, 2),
			.action = db_text(s, 3),
			.message = db_text(s, 4),
			.instance_id = in->id,
		};
		struct event_scope scope = { 0, 0 };
		int64_t t = sqlite3_column_int64(s, 1);
		last = sqlite3_column_int64(s, 0);
		tfs_buf_clear(&b);
		snprintf(source, sizeof(source), "i%lld:%lld",
			 (long long)in->id, (long long)last);
		if ((error = event_line(&b, st, &ev, t, &scope)) < 0 ||
		    (error = append_event_line(st, b.ptr, t, source, &scope)) <
			    0)
			break;
	}
	store_write_end(st);
	sqlite3_reset(s);
	tfs_buf_free(&b);
	if (error || !last)
		return error;
	del = db_stmt(inst_db(in), "DELETE FROM pending_events WHERE id <= ?");
	if (!del)
		return TFS_ERROR;
	sqlite3_bind_int64(del, 1, last);
	return db_done(inst_db(in), del);
}

int tfs_store_events_size(tfs_store *st, uint64_t *size, int64_t *mtime)
{
	sqlite3_stmt *s = db_stmt(
		store_db(st),
		"SELECT off + length(CAST(line AS BLOB)), time FROM events "
		"ORDER BY id DESC LIMIT 1");

	if (!s)
		return TFS_ERROR;
	*size = 0;
	*mtime = 0;
	if (sqlite3_step(s) == SQLITE_ROW) {
		*size = (uint64_t)sqlite3_column_int64(s, 0);
		*mtime = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	return 0;
}

int tfs_store_events_read(tfs_buf *out, tfs_store *st, uint64_t off, size_t len)
{
	sqlite3_stmt *s = db_stmt(
		store_db(st),
		"SELECT off, CAST(line AS BLOB) FROM events WHERE id >= "
		"COALESCE((SELECT id FROM events WHERE off <= ?1 "
		"ORDER BY off DESC LIMIT 1), 0) ORDER BY id");
	uint64_t end = off + len;
	int rc, error = 0;

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, (int64_t)off);
	while (!error && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		uint64_t lo = (uint64_t)sqlite3_column_int64(s, 0);
		const char *line = sqlite3_column_blob(s, 1);
		uint64_t n = (uint64_t)sqlite3_column_bytes(s, 1);
		uint64_t a, b;

		if (lo >= end)
			break;
		a = off > lo ? off - lo : 0;
		b = end < lo + n ? end - lo : n;
		if (a < b)
			error = tfs_buf_put(out, line + a, (size_t)(b - a));
	}
	sqlite3_reset(s);
	return error;
}

void tfs_store_reads_done(tfs_store *st)
{
	(void)st;
	db_reads_done();
}
