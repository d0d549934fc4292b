/*
 * A tenant added to an open store with its instances and their content
 * (tenantfs/tenant.h), for tools that make tenants: tenantctl generate
 * (tools/generate/) today.  The content comes from the tool's functions;
 * the engine makes the rows and loads each instance through inst_load()
 * (load.c) as its first commit, several at once on threads of their own
 * when asked: each instance has its own database connection, the history
 * handle serializes its own use, and the document parser is thread-safe.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "tenantfs/error.h"
#include "tenantfs/tenant.h"

/* The first landscape group (the one store_add_instance() puts a new
 * tenant in), created from the spec if the store has none. */
static int ensure_group(int64_t *group, tfs_store *st,
			const tfs_tenant_spec *spec, bool uat)
{
	sqlite3_stmt *s = db_stmt(&st->db, "SELECT min(id) FROM groups");
	int error;

	if (!s)
		return TFS_ERROR;
	*group = 0;
	if (sqlite3_step(s) == SQLITE_ROW)
		*group = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (*group)
		return 0;
	s = db_stmt(&st->db, "INSERT INTO groups(name, tiers, backup_type,"
			     " description, mtime) VALUES(?1, ?2, 'live',"
			     " ?3, ?4)");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_text(s, 1, spec->group ? spec->group : "DEFAULT", -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(s, 2, uat ? "three-tier" : "two-tier", -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(s, 3,
			  spec->group_description ? spec->group_description :
						    "",
			  -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, spec->now);
	if ((error = db_done(&st->db, s)) < 0)
		return error;
	*group = sqlite3_last_insert_rowid(st->db.db);
	return 0;
}

/* A landscape of `type` in `group`, unless the group has one. */
static int ensure_landscape(tfs_store *st, const tfs_tenant_spec *spec,
			    int64_t group, const char *type)
{
	sqlite3_stmt *s = db_stmt(&st->db,
				  "INSERT OR IGNORE INTO landscapes("
				  "group_id, type, tenant_pattern, db_pattern,"
				  " email_domain, mtime) VALUES(?1, ?2, "
				  "'{tenantName}', '{dbName}', ?3, ?4)");

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, group);
	sqlite3_bind_text(s, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3,
			  spec->email_domain ? spec->email_domain :
					       "example.com",
			  -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, spec->now);
	return db_done(&st->db, s);
}

/* The group and the landscapes the spec asks for, then those of its
 * instances (none new if they were listed). */
static int ensure_landscapes(tfs_store *st, const tfs_tenant_spec *spec)
{
	const char *const *t;
	int64_t group;
	bool uat = false;
	size_t i;
	int error;

	for (t = spec->landscapes; t && *t; t++)
		uat = uat || strcmp(*t, "uat") == 0;
	for (i = 0; i < spec->ninstances; i++)
		uat = uat || strcmp(spec->instances[i].landscape, "uat") == 0;
	if ((error = ensure_group(&group, st, spec, uat)) < 0)
		return error;
	for (t = spec->landscapes; t && *t; t++)
		if ((error = ensure_landscape(st, spec, group, *t)) < 0)
			return error;
	for (i = 0; i < spec->ninstances; i++)
		if ((error = ensure_landscape(st, spec, group,
					      spec->instances[i].landscape)) <
		    0)
			return error;
	return 0;
}

/* The console properties the spec gives the instance. */
static int describe_instance(tfs_store *st, tfs_inst *in,
			     const tfs_instance_spec *is)
{
	sqlite3_stmt *s = db_stmt(
		&st->db,
		"UPDATE instances SET uri = coalesce(?2, uri),"
		" database = coalesce(?3, database),"
		" contact = coalesce(?4, contact),"
		" named_licenses = CASE WHEN ?5 < 0 THEN named_licenses"
		" ELSE ?5 END, concurrent_licenses = CASE WHEN ?6 < 0 THEN"
		" concurrent_licenses ELSE ?6 END WHERE id = ?1");

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, tfs_inst_id(in));
	sqlite3_bind_text(s, 2, is->uri, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, is->database, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, is->contact, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 5, is->named_licenses);
	sqlite3_bind_int(s, 6, is->concurrent_licenses);
	return db_done(&st->db, s);
}

/*
 * Take the tenant out again after a failed load: instance rows and
 * databases, the tenant row.  A branch an instance got before a sibling
 * failed stays in history.git, unreferenced by any instance; a tenant of
 * the same name added later moves it.
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
		for (k = 0; k < sizeof(sfx) / sizeof(sfx[0]); k++) {
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

/* ---- loading, on threads ------------------------------------------------ */

struct load {
	tfs_inst *in;
	const tfs_instance_spec *is;
	int64_t now;
	int error;
	char message[512];
	struct timespec t0, t1, t2;
};

/* The inst_load() generator: the spec's content, noting when it is all
 * handed over (what follows in inst_load is the first commit). */
static int load_content(tfs_put_fn put, void *put_ctx, void *ctx)
{
	struct load *l = ctx;
	int error = l->is->content(put, put_ctx, l->is->ctx);

	clock_gettime(CLOCK_MONOTONIC, &l->t1);
	return error;
}

static void *load_thread(void *arg)
{
	struct load *l = arg;

	clock_gettime(CLOCK_MONOTONIC, &l->t0);
	l->t1 = l->t0;
	if (l->is->content)
		l->error = inst_load(l->in, l->now, load_content, l);
	clock_gettime(CLOCK_MONOTONIC, &l->t2);
	if (l->error < 0)
		snprintf(l->message, sizeof(l->message), "%s/%s: %s",
			 tfs_inst_tenant(l->in), tfs_inst_name(l->in),
			 tfs_error_last());
	return NULL;
}

/* Run the loads `jobs` at a time, in order; after a failure none starts.
 * Returns the first failure (in the order of the loads). */
static int load_all(struct load *l, size_t n, int jobs)
{
	pthread_t *th = calloc(n, sizeof(*th));
	size_t started = 0, joined = 0;
	int error = 0;

	if (!th)
		return tfs_error_set(TFS_ERROR, "out of memory");
	if (jobs < 1)
		jobs = 1;
	while (joined < n) {
		if (!error && started < n && started - joined < (size_t)jobs) {
			if (pthread_create(&th[started], NULL, load_thread,
					   &l[started]) != 0)
				error = tfs_error_set(TFS_ERROR, "cannot start "
								 "a thread");
			else
				started++;
			continue;
		}
		if (joined == started)
			break;
		pthread_join(th[joined], NULL);
		if (l[joined].error < 0 && !error)
			error = tfs_error_set(l[joined].error, "%s",
					      l[joined].message);
		joined++;
	}
	free(th);
	return error;
}

static double seconds(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* ---- the tenant ---------------------------------------------------------- */

static int check_spec(const char *tenant, const tfs_tenant_spec *spec)
{
	size_t i;

	if (!tfs_name_valid(tenant))
		return tfs_error_set(TFS_EINVALID, "invalid tenant name '%s'",
				     tenant);
	if (!spec->instances || spec->ninstances == 0)
		return tfs_error_set(TFS_EINVALID, "tenant %s: no instances",
				     tenant);
	for (i = 0; i < spec->ninstances; i++)
		if (!spec->instances[i].name || !spec->instances[i].landscape)
			return tfs_error_set(TFS_EINVALID,
					     "tenant %s: an instance "
					     "without a name or landscape",
					     tenant);
	return 0;
}

static int tenant_event(tfs_store *st, const char *tenant,
			const tfs_tenant_spec *spec)
{
	sqlite3_stmt *s = db_stmt(&st->db, "SELECT t.id, g.name FROM tenants t"
					   " LEFT JOIN groups g ON g.id ="
					   " t.group_id WHERE t.name = ?1");
	tfs_event ev = { "admin", "Tenant/Create", NULL, 0, 0 };
	char msg[512];

	if (!s)
		return TFS_ERROR;
	sqlite3_bind_text(s, 1, tenant, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW) {
		ev.tenant_id = sqlite3_column_int64(s, 0);
		snprintf(msg, sizeof(msg),
			 "tenant %s created in landscape group %s", tenant,
			 db_text(s, 1));
	} else {
		snprintf(msg, sizeof(msg), "tenant %s created", tenant);
	}
	sqlite3_reset(s);
	ev.message = spec->event ? spec->event : msg;
	return tfs_store_event(st, &ev);
}

/* Rows of the instances, then their loads; on failure `insts` holds
 * those made so far, for drop_tenant(). */
static int add_instances(tfs_store *st, const char *tenant,
			 const tfs_tenant_spec *spec, tfs_inst **insts,
			 struct load *l)
{
	const tfs_instance_spec *is;
	size_t i;
	int error;

	for (i = 0; i < spec->ninstances; i++) {
		is = &spec->instances[i];
		if ((error = store_add_instance(&insts[i], st, tenant, is->name,
						is->landscape,
						is->metadata_locked)) < 0 ||
		    (error = describe_instance(st, insts[i], is)) < 0)
			return error;
	}
	for (i = 0; i < spec->ninstances; i++) {
		l[i].in = insts[i];
		l[i].is = &spec->instances[i];
		l[i].now = spec->now;
	}
	return load_all(l, spec->ninstances, spec->jobs);
}

int tfs_store_add_tenant(tfs_store *st, const char *tenant,
			 const tfs_tenant_spec *spec, tfs_load_times *times)
{
	tfs_tenant_spec sp = *spec;
	tfs_inst **insts = NULL;
	struct load *l = NULL;
	tfs_row row;
	size_t i;
	int error;

	if ((error = check_spec(tenant, spec)) < 0)
		return error;
	if (!sp.now)
		sp.now = tfs_now();
	if (tfs_store_find(&row, st, TFS_ENT_TENANT, 0, tenant) == 0)
		return tfs_error_set(TFS_EEXISTS, "tenant %s already exists",
				     tenant);
	if ((error = ensure_landscapes(st, &sp)) < 0)
		return error;
	insts = calloc(sp.ninstances, sizeof(*insts));
	l = calloc(sp.ninstances, sizeof(*l));
	if (!insts || !l) {
		error = tfs_error_set(TFS_ERROR, "out of memory");
	} else if ((error = add_instances(st, tenant, &sp, insts, l)) < 0) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", tfs_error_last());
		drop_tenant(st, tenant, insts, sp.ninstances);
		error = tfs_error_set(error, "%s", msg);
	} else {
		for (i = 0; times && i < sp.ninstances; i++) {
			times[i].load_seconds = seconds(&l[i].t0, &l[i].t1);
			times[i].commit_seconds = seconds(&l[i].t1, &l[i].t2);
		}
		error = tenant_event(st, tenant, &sp);
	}
	free(insts);
	free(l);
	return error;
}
