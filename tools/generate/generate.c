/*
 * Large synthetic tenants (tenantctl generate) and packages (tenantctl
 * generate-package), for measuring tenantfs at scale with tools/bench.
 *
 * This file holds the entry points and the machinery the content files
 * share: the counting put function, the per-document "differs in
 * production" decision, hashing.  The content itself is in
 * generate_meta.c (configuration) and generate_rec.c (records).
 *
 * A tenant is added to a store as two instances, staging and production,
 * each loaded through inst_load() (engine/change.c) as its first commit,
 * the two in parallel threads: each has its own database connection, the
 * history handle serializes its own use, and the document parser is
 * thread-safe.  A package is streamed to its file one record at a time.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "package_int.h"
#include "tenantfs/error.h"
#include "tenantfs/generate.h"
#include "generate_int.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* How master and data records are spread over the core business objects
 * (weights; each business object's records get their own directory). */
static const unsigned master_weights[GEN_NCORE] = {
	[GEN_EMPLOYEE] = 55, [GEN_TEAM] = 5,     [GEN_ORGUNIT] = 5,
	[GEN_LOCATION] = 6,  [GEN_CATEGORY] = 5, [GEN_VENDOR] = 8,
	[GEN_CONTRACT] = 16,
};
static const unsigned data_weights[GEN_NCORE] = {
	[GEN_INCIDENT] = 30,   [GEN_PROBLEM] = 2,   [GEN_CHANGE] = 7,
	[GEN_SERVICEREQ] = 12, [GEN_TASK] = 18,     [GEN_JOURNAL] = 24,
	[GEN_CI] = 6,          [GEN_KNOWLEDGE] = 1,
};

/* ---- shared machinery ---------------------------------------------------- */

uint64_t gen_hash(uint64_t seed, const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	/* splitmix64 finalizer: FNV's low bits alone are weak */
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
	return h ^ (h >> 31);
}

int gen_put(void *ctx, tfs_kind kind, const char *type, const char *name,
	    const char *xml, size_t len, int64_t mtime)
{
	gen *x = ctx;
	int rc;

	if (x->put &&
	    (rc = x->put(x->put_ctx, kind, type, name, xml, len, mtime)) != 0)
		return rc;
	x->written++;
	if (x->left && --x->left == 0)
		return GEN_FULL;
	return 0;
}

void gen_phase(gen *x, uint64_t quota)
{
	x->left = quota;
	x->g.error = 0;
}

void gen_begin(gen *x, tfs_kind kind, const char *type, const char *root,
	       const char *name, const char *bo)
{
	dg_gen *g = &x->g;
	uint64_t h;

	dg_begin(g, kind, type, root, name, bo);
	x->cur_differs = false;
	if (!x->production)
		return;
	h = gen_hash(x->salt ^ (uint64_t)kind, g->type, strlen(g->type));
	h = gen_hash(h, g->name, strlen(g->name));
	if (h % 100 == 0) {
		x->cur_differs = true;
		x->differing++;
	}
}

int gen_finish_config(gen *x)
{
	dg_gen *g = &x->g;
	char label[160];
	int64_t t;

	snprintf(label, sizeof(label), "%s/%s", tfs_kind_dir(g->kind), g->type);
	t = dg_config_mtime(g, label, g->name);
	if (x->cur_differs)
		t = g->now - DG_DAY + (t % DG_HOUR);
	return dg_finish(g, t);
}

static void gen_init(gen *x, tfs_put_fn put, void *ctx, uint64_t seed,
		     int64_t now, bool production)
{
	memset(x, 0, sizeof(*x));
	x->put = put;
	x->put_ctx = ctx;
	x->production = production;
	x->salt = gen_hash(0x74656e61ULL, &seed, sizeof(seed));
	x->g.put = gen_put;
	x->g.ctx = x;
	x->g.now = now ? now : tfs_now();
	/* set up a year ago, at 09:00 UTC (as the demo) */
	x->g.install = ((x->g.now - 364 * DG_DAY) / DG_DAY) * DG_DAY +
		       9 * DG_HOUR;
}

/* ---- sizes --------------------------------------------------------------- */

/* Documents of the core configuration: a dry run that only counts (a
 * few hundred documents, about a millisecond). */
static uint64_t core_size(void)
{
	gen x;

	gen_init(&x, NULL, NULL, 0, 1700000000, false);
	gen_config_core(&x);
	tfs_buf_free(&x.g.buf);
	return x.written;
}

struct sizes {
	uint64_t config, master, data;
};

static int resolve_sizes(struct sizes *out, const tfs_generate_opts *o)
{
	uint64_t core = core_size();

	out->master = o->master < 0 ? o->objects / 10 : (uint64_t)o->master;
	out->data = o->data < 0 ? o->objects / 10 : (uint64_t)o->data;
	if (o->objects < out->master + out->data ||
	    o->objects - out->master - out->data < core)
		return tfs_error_set(
			TFS_EINVALID,
			"%llu objects cannot hold "
			"the core configuration (%llu objects) "
			"and %llu records; ask for at least %llu",
			(unsigned long long)o->objects,
			(unsigned long long)core,
			(unsigned long long)(out->master + out->data),
			(unsigned long long)tfs_generate_min_objects(o->master,
								     o->data));
	out->config = o->objects - out->master - out->data;
	return 0;
}

uint64_t tfs_generate_min_objects(int64_t master, int64_t data)
{
	uint64_t core = core_size(), n;

	if (master >= 0 && data >= 0)
		return core + (uint64_t)master + (uint64_t)data;
	/* defaults take a tenth each of the total */
	for (n = core;; n++) {
		uint64_t m = master < 0 ? n / 10 : (uint64_t)master;
		uint64_t d = data < 0 ? n / 10 : (uint64_t)data;

		if (n >= m + d && n - m - d >= core)
			return n;
	}
}

/* Spread `total` records over the business objects by weight. */
static void spread(uint64_t count[GEN_NCORE], const unsigned *weights,
		   uint64_t total)
{
	uint64_t sum = 0, given = 0;
	unsigned i, first = GEN_NCORE;

	for (i = 0; i < GEN_NCORE; i++) {
		sum += weights[i];
		if (weights[i] && first == GEN_NCORE)
			first = i;
	}
	for (i = 0; i < GEN_NCORE; i++) {
		if (!weights[i])
			continue;
		count[i] = total * weights[i] / sum;
		given += count[i];
	}
	count[first] += total - given;
}

/* ---- content ------------------------------------------------------------- */

static int records(gen *x, unsigned from, unsigned to, bool master)
{
	unsigned bo;
	uint64_t i;
	int error;

	for (bo = from; bo < to; bo++)
		for (i = 0; i < x->count[bo]; i++)
			if ((error = gen_record(x, bo, i, master)) != 0)
				return error;
	return 0;
}

static int content(gen *x, const tfs_generate_opts *o)
{
	struct sizes sz;
	int error;

	if ((error = resolve_sizes(&sz, o)) < 0)
		return error;
	spread(x->count, master_weights, sz.master);
	spread(x->count, data_weights, sz.data);

	gen_phase(x, sz.config);
	error = gen_config_core(x);
	if (!error)
		error = gen_config_modules(x);
	if (error != GEN_FULL)
		return error ? error :
			       tfs_error_set(TFS_ERROR, "generator "
							"stopped early");
	gen_phase(x, 0);
	if ((error = records(x, 0, GEN_FIRST_DATA, true)) != 0 ||
	    (error = records(x, GEN_FIRST_DATA, GEN_NCORE, false)) != 0)
		return error;
	return 0;
}

int tfs_generate_content(tfs_put_fn put, void *ctx, const tfs_generate_opts *o,
			 bool production)
{
	gen *x = malloc(sizeof(*x));
	int error;

	if (!x)
		return tfs_error_set(TFS_ERROR, "out of memory");
	gen_init(x, put, ctx, o->seed, o->now, production);
	error = content(x, o);
	tfs_buf_free(&x->g.buf);
	free(x);
	return error;
}

/* ---- tenants in a store ------------------------------------------------- */

struct load {
	tfs_inst *in;
	const tfs_generate_opts *o;
	bool production;
	int64_t now;
	int error;
	char message[512];
	uint64_t differing;
	struct timespec t0, t1, t2;
};

/* The inst_load() generator: content, noting when it is all handed over
 * (what follows in inst_load is the first commit). */
static int load_gen(tfs_put_fn put, void *put_ctx, void *ctx)
{
	struct load *l = ctx;
	gen *x = malloc(sizeof(*x));
	int error;

	if (!x)
		return tfs_error_set(TFS_ERROR, "out of memory");
	gen_init(x, put, put_ctx, l->o->seed, l->now, l->production);
	error = content(x, l->o);
	l->differing = x->differing;
	tfs_buf_free(&x->g.buf);
	free(x);
	clock_gettime(CLOCK_MONOTONIC, &l->t1);
	return error;
}

static void *load_thread(void *arg)
{
	struct load *l = arg;

	clock_gettime(CLOCK_MONOTONIC, &l->t0);
	l->t1 = l->t0;
	l->error = inst_load(l->in, l->now, load_gen, l);
	clock_gettime(CLOCK_MONOTONIC, &l->t2);
	if (l->error < 0)
		snprintf(l->message, sizeof(l->message), "%s/%s: %s",
			 tfs_inst_tenant(l->in), tfs_inst_name(l->in),
			 tfs_error_last());
	return NULL;
}

static double seconds(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/*
 * The landscape group new tenants join (the first one, as
 * store_add_instance() picks), with production and staging landscapes;
 * a group "GENERATED" is created if the store has none.
 */
static int ensure_landscapes(tfs_store *st, int64_t now)
{
	static const char *const types[] = { "production", "staging" };
	sqlite3_stmt *s;
	int64_t group = 0;
	unsigned i;
	int error;

	s = db_stmt(&st->db, "SELECT min(id) FROM groups");
	if (!s)
		return TFS_ERROR;
	if (sqlite3_step(s) == SQLITE_ROW)
		group = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (!group) {
		s = db_stmt(&st->db,
			    "INSERT INTO groups(name, tiers, "
			    "backup_type, description, mtime) VALUES("
			    "'GENERATED', 'two-tier', 'live', 'Generated "
			    "tenants for measurements', ?1)");
		if (!s)
			return TFS_ERROR;
		sqlite3_bind_int64(s, 1, now);
		if ((error = db_done(&st->db, s)) < 0)
			return error;
		group = sqlite3_last_insert_rowid(st->db.db);
	}
	for (i = 0; i < N(types); i++) {
		s = db_stmt(&st->db,
			    "INSERT OR IGNORE INTO landscapes("
			    "group_id, type, tenant_pattern, db_pattern, "
			    "email_domain, mtime) VALUES(?1, ?2, "
			    "'{tenantName}', '{dbName}', 'itsm.example.com',"
			    " ?3)");
		if (!s)
			return TFS_ERROR;
		sqlite3_bind_int64(s, 1, group);
		sqlite3_bind_text(s, 2, types[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, now);
		if ((error = db_done(&st->db, s)) < 0)
			return error;
	}
	return 0;
}

/* Instance properties a real one would have. */
static int describe_instance(tfs_store *st, tfs_inst *in, bool production)
{
	sqlite3_stmt *s;
	char uri[200], database[80];

	snprintf(uri, sizeof(uri), "https://%s%s.itsm.example.com",
		 tfs_inst_tenant(in), production ? "" : ".stg");
	snprintf(database, sizeof(database), "%s%s", tfs_inst_tenant(in),
		 production ? "" : "-STG");
	s = db_stmt(&st->db, "UPDATE instances SET uri = ?2, database = ?3,"
			     " named_licenses = ?4, concurrent_licenses = ?5,"
			     " contact = 'Generated tenant' WHERE id = ?1");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, tfs_inst_id(in));
	sqlite3_bind_text(s, 2, uri, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, database, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, production ? 5000 : 100);
	sqlite3_bind_int(s, 5, production ? 1500 : 40);
	return db_done(&st->db, s);
}

/*
 * Take the tenant out again after a failed load: instance rows and
 * databases, the tenant row.  A branch an instance got before its sibling
 * failed stays in history.git, unreferenced by any instance; a tenant of
 * the same name generated later moves it.
 */
static void drop_tenant(tfs_store *st, const char *tenant, tfs_inst **insts,
			size_t n)
{
	static const char *const sfx[] = { "", "-wal", "-shm" };
	char path[4096];
	sqlite3_stmt *s;
	size_t i, k;

	for (i = 0; i < n; i++) {
		char name[64];
		int64_t id;

		if (!insts[i])
			continue;
		id = tfs_inst_id(insts[i]);
		snprintf(name, sizeof(name), "%s", tfs_inst_name(insts[i]));
		/* insts[i] is the store's; close it before its files go */
		store_forget_instance(st, id);
		insts[i] = NULL;
		for (k = 0; k < N(sfx); k++) {
			snprintf(path, sizeof(path), "%s/instances/%s/%s.db%s",
				 st->path, tenant, name, sfx[k]);
			unlink(path);
		}
		s = db_stmt(&st->db, "DELETE FROM instances WHERE id = ?");
		if (s) {
			sqlite3_bind_int64(s, 1, id);
			db_done(&st->db, s);
		}
	}
	s = db_stmt(&st->db, "DELETE FROM tenants WHERE name = ?");
	if (s) {
		sqlite3_bind_text(s, 1, tenant, -1, SQLITE_STATIC);
		db_done(&st->db, s);
	}
	snprintf(path, sizeof(path), "%s/instances/%s", st->path, tenant);
	rmdir(path);
}

static int add_tenant(tfs_generate_stats *stats, tfs_store *st,
		      const char *tenant, const tfs_generate_opts *o,
		      int64_t now)
{
	static const char *const names[2] = { "staging", "production" };
	struct load l[2];
	pthread_t th[2];
	bool started[2] = { false, false };
	tfs_inst *insts[2] = { NULL, NULL };
	struct sizes sz;
	tfs_row row;
	size_t i;
	int error;

	if ((error = resolve_sizes(&sz, o)) < 0)
		return error;
	if (tfs_store_find(&row, st, TFS_ENT_TENANT, 0, tenant) == 0)
		return tfs_error_set(TFS_EEXISTS, "tenant %s already exists",
				     tenant);
	if ((error = ensure_landscapes(st, now)) < 0)
		return error;
	for (i = 0; i < 2; i++) {
		if ((error = store_add_instance(&insts[i], st, tenant, names[i],
						names[i], i == 1)) < 0 ||
		    (error = describe_instance(st, insts[i], i == 1)) < 0)
			goto done;
	}
	memset(l, 0, sizeof(l));
	for (i = 0; i < 2; i++) {
		l[i].in = insts[i];
		l[i].o = o;
		l[i].production = i == 1;
		l[i].now = now;
		if (pthread_create(&th[i], NULL, load_thread, &l[i]) != 0) {
			error = tfs_error_set(TFS_ERROR, "cannot start a "
							 "thread");
			goto done;
		}
		started[i] = true;
		/* one at a time: each first commit measured alone */
		if (o->jobs != 2) {
			pthread_join(th[i], NULL);
			started[i] = false;
			if ((error = l[i].error) < 0) {
				tfs_error_set(error, "%s", l[i].message);
				goto done;
			}
		}
	}
done:
	for (i = 0; i < 2; i++) {
		if (!started[i])
			continue;
		pthread_join(th[i], NULL);
		if (l[i].error < 0 && !error)
			error = tfs_error_set(l[i].error, "%s", l[i].message);
	}
	if (error < 0) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", tfs_error_last());
		drop_tenant(st, tenant, insts, 2);
		return tfs_error_set(error, "%s", msg);
	}
	if (stats) {
		memset(stats, 0, sizeof(*stats));
		stats->config = sz.config;
		stats->master = sz.master;
		stats->data = sz.data;
		stats->differing = l[1].differing;
		for (i = 0; i < 2; i++) {
			stats->load_seconds[i] = seconds(&l[i].t0, &l[i].t1);
			stats->commit_seconds[i] = seconds(&l[i].t1, &l[i].t2);
		}
	}
	return 0;
}

int tfs_generate_tenant(tfs_generate_stats *stats, const char *store,
			const char *tenant, const tfs_generate_opts *o)
{
	tfs_store *st = NULL;
	struct timespec t0, t1;
	char path[4096], msg[200];
	int64_t now = o->now ? o->now : tfs_now();
	int error;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	/*
	 * SQLite's memory statistics take one process-wide mutex on every
	 * allocation, which serializes the two loading threads.  Turning
	 * them off only works before SQLite initializes; if it already has,
	 * the call fails and the load is just slower.
	 */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (!tfs_name_valid(tenant))
		return tfs_error_set(TFS_EINVALID, "invalid tenant name '%s'",
				     tenant);
	snprintf(path, sizeof(path), "%s/console.db", store);
	if (access(path, F_OK) != 0 && (error = tfs_store_create(store)) < 0)
		return error;
	if ((error = tfs_store_open(&st, store, getuid())) < 0)
		return error;
	if ((error = add_tenant(stats, st, tenant, o, now)) < 0)
		goto done;
	{
		tfs_row row;
		tfs_event ev = { "admin", "Tenant/Create", msg, 0, 0 };

		if (tfs_store_find(&row, st, TFS_ENT_TENANT, 0, tenant) == 0)
			ev.tenant_id = row.id;
		snprintf(msg, sizeof(msg),
			 "tenant %s generated with "
			 "staging and production, %llu objects each",
			 tenant, (unsigned long long)o->objects);
		error = tfs_store_event(st, &ev);
	}
done:
	tfs_store_free(st);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (stats && !error)
		stats->total_seconds = seconds(&t0, &t1);
	return error;
}

/* ---- packages ------------------------------------------------------------ */

struct pkg_out {
	tfs_pkgw w;
	int64_t seq;
};

/* The put function of a package: each document becomes a transaction
 * that creates it, written by the package writer (package_write.c). */
static int pkg_put(void *ctx, tfs_kind kind, const char *type, const char *name,
		   const char *xml, size_t len, int64_t mtime)
{
	struct pkg_out *p = ctx;
	char path[600];
	int error;

	(void)mtime;
	if ((error = obj_path(path, sizeof(path), kind, type, name)) < 0)
		return error;
	return tfs_pkgw_tx(&p->w, ++p->seq, 'C', path, "", xml, len);
}

int tfs_generate_package(const char *path, const char *bo, uint64_t records,
			 uint64_t seed, const char *name)
{
	tfs_buf out = TFS_BUF_INIT;
	struct pkg_out p = { .seq = 0 };
	FILE *f = NULL;
	char created[32], dflt[200];
	gen *x = NULL;
	uint64_t i;
	int k = gen_core_find(bo), error = 0;

	if (k < 0 || k >= GEN_FIRST_DATA)
		return tfs_error_set(TFS_EINVALID,
				     "%s is not a master "
				     "business object of a generated tenant",
				     bo);
	if (!name) {
		snprintf(dflt, sizeof(dflt), "%s import %llu-%llu", bo,
			 (unsigned long long)seed, (unsigned long long)records);
		name = dflt;
	}
	x = malloc(sizeof(*x));
	if (!x)
		return tfs_error_set(TFS_ERROR, "out of memory");
	gen_init(x, pkg_put, &p, seed, 0, false);
	/* keys past anything a tenant generates, apart per seed */
	x->key_base = 1000000000ULL * (1 + seed % 1000000);
	for (i = 0; i < GEN_FIRST_DATA; i++)
		x->count[i] = 8;
	x->count[k] = records;
	/* Links name the first few of the package's own records only:
	 * references are checked, and the target may be any tenant (the
	 * demo's as well as a generated one). */
	x->link_max = 8;
	x->link_own = k;
	f = fopen(path, "w");
	if (!f) {
		error = tfs_error_set(TFS_ERROR, "%s: %s", path,
				      strerror(errno));
		goto done;
	}
	tfs_pkgw_init(&p.w, &out, f);
	dg_fmt_time(created, x->g.now);
	if ((error = tfs_pkgw_begin(&p.w,
				    &(struct tfs_pkgw_head){
					    .name = name,
					    .type = "incremental",
					    .state = "closed",
					    .source_tenant = "generator",
					    .source_instance = "staging" })) <
		    0 ||
	    (error = tfs_pkgw_set_begin(&p.w, 1, "default", "admin", created)) <
		    0)
		goto done;
	for (i = 0; i < records && !error; i++)
		error = gen_record(x, (unsigned)k, i, true);
	if (!error)
		error = tfs_pkgw_set_end(&p.w);
	if (!error)
		error = tfs_pkgw_end(&p.w);
done:
	if (f && fclose(f) != 0 && !error)
		error = tfs_error_set(TFS_ERROR, "%s: %s", path,
				      strerror(errno));
	if (error && f)
		unlink(path);
	if (x)
		tfs_buf_free(&x->g.buf);
	free(x);
	tfs_buf_free(&out);
	return error;
}
