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
 * through the engine's public tfs_store_add_tenant() (tenantfs/tenant.h),
 * which loads each with the content of load_content() as its first
 * commit, the two in parallel threads with --jobs 2.  A package is
 * streamed to its file one record at a time by the engine's package
 * writer (tfs_pkgw, tenantfs/package.h).  Only public engine headers are
 * used here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "tenantfs/error.h"
#include "tenantfs/generate.h"
#include "tenantfs/package.h"
#include "tenantfs/store.h"
#include "tenantfs/tenant.h"
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

/* One instance's content, for tfs_store_add_tenant (engine/tenant_add.c):
 * the generator's, noting how many documents differ from staging. */
struct load {
	const tfs_generate_opts *o;
	bool production;
	int64_t now;
	uint64_t differing;
};

static int load_content(tfs_put_fn put, void *put_ctx, void *ctx)
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
	return error;
}

static double seconds(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/*
 * Staging (unlocked) and production (metadata locked) with the properties
 * a real tenant's would have, in a group "GENERATED" with production and
 * staging landscapes if the store has no group.
 */
static int add_tenant(tfs_generate_stats *stats, tfs_store *st,
		      const char *tenant, const tfs_generate_opts *o,
		      int64_t now)
{
	static const char *const landscapes[] = { "production", "staging",
						  NULL };
	struct load l[2] = { { o, false, now, 0 }, { o, true, now, 0 } };
	char uri[2][200], database[2][80], event[200];
	tfs_instance_spec is[2];
	tfs_load_times times[2];
	struct sizes sz;
	size_t i;
	int error;

	if ((error = resolve_sizes(&sz, o)) < 0)
		return error;
	snprintf(uri[0], sizeof(uri[0]), "https://%s.stg.itsm.example.com",
		 tenant);
	snprintf(uri[1], sizeof(uri[1]), "https://%s.itsm.example.com", tenant);
	snprintf(database[0], sizeof(database[0]), "%s-STG", tenant);
	snprintf(database[1], sizeof(database[1]), "%s", tenant);
	snprintf(event, sizeof(event),
		 "tenant %s generated with staging and production, %llu "
		 "objects each",
		 tenant, (unsigned long long)o->objects);
	for (i = 0; i < 2; i++)
		is[i] = (tfs_instance_spec){
			.name = i ? "production" : "staging",
			.landscape = i ? "production" : "staging",
			.metadata_locked = i == 1,
			.uri = uri[i],
			.database = database[i],
			.contact = "Generated tenant",
			.named_licenses = i ? 5000 : 100,
			.concurrent_licenses = i ? 1500 : 40,
			.content = load_content,
			.ctx = &l[i],
		};
	error = tfs_store_add_tenant(
		st, tenant,
		&(tfs_tenant_spec){
			.instances = is,
			.ninstances = 2,
			.group = "GENERATED",
			.group_description = "Generated tenants for "
					     "measurements",
			.landscapes = landscapes,
			.email_domain = "itsm.example.com",
			.now = now,
			.jobs = o->jobs == 2 ? 2 : 1,
			.event = event },
		times);
	if (error < 0 || !stats)
		return error;
	memset(stats, 0, sizeof(*stats));
	stats->config = sz.config;
	stats->master = sz.master;
	stats->data = sz.data;
	stats->differing = l[1].differing;
	for (i = 0; i < 2; i++) {
		stats->load_seconds[i] = times[i].load_seconds;
		stats->commit_seconds[i] = times[i].commit_seconds;
	}
	return 0;
}

int tfs_generate_tenant(tfs_generate_stats *stats, const char *store,
			const char *tenant, const tfs_generate_opts *o)
{
	tfs_store *st = NULL;
	struct timespec t0, t1;
	char path[4096];
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
	error = add_tenant(stats, st, tenant, o, now);
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
 * that creates it, written by the engine's package writer (tfs_pkgw). */
static int pkg_put(void *ctx, tfs_kind kind, const char *type, const char *name,
		   const char *xml, size_t len, int64_t mtime)
{
	struct pkg_out *p = ctx;
	char path[600];
	int error;

	(void)mtime;
	if ((error = tfs_obj_path(path, sizeof(path), kind, type, name)) < 0)
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
