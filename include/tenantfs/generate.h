/*
 * Large synthetic tenants and packages, for measuring tenantfs at scale
 * (tenantctl generate, tenantctl generate-package, tools/bench).  Not part
 * of the engine: implemented in tools/generate/ (generate_dep, linked by
 * tenantctl and the tests, not the daemon) on the engine's public API.
 *
 * A generated tenant looks like a big customer's: a few hundred core
 * configuration objects (the usual ITSM business objects with their forms,
 * grids, layouts, searches, rules, workflows, pick lists and settings),
 * then as many more "modules" (a custom business object and its forms,
 * grids, ... in the same proportions) as it takes to reach the requested
 * number of objects, then master records and data records spread over the
 * core business objects.  Every reference resolves inside the content and
 * every document passes tfs_doc_parse().
 *
 * Output is deterministic: it depends on the options only (and `now` for
 * mtimes and record dates).  The production variant differs from staging
 * in about 1% of the objects (changed attribute or field values); every
 * other object has the same bytes, and all objects have the same names and
 * guids in both.
 */
#ifndef TENANTFS_GENERATE_H
#define TENANTFS_GENERATE_H

#include <stdbool.h>
#include <stdint.h>

#include "seed.h"

typedef struct tfs_generate_opts {
	/* Objects in each instance, every kind counted (metadata, pick
	 * lists, settings, master and data records). */
	uint64_t objects;
	/* Master and data records among them; negative: objects / 10. */
	int64_t master;
	int64_t data;
	uint64_t seed;
	/* Anchors dates (records spread over the year before); 0: now. */
	int64_t now;
	/* Instances loaded at once: 2, or 1 (also for 0).  On this kind of
	 * small VM two at once are no faster: a load is bound by memory and
	 * the disk, and the history commits take turns anyway. */
	int jobs;
} tfs_generate_opts;

typedef struct tfs_generate_stats {
	/* Per instance: configuration objects, master and data records. */
	uint64_t config, master, data;
	/* Objects of production that differ from staging. */
	uint64_t differing;
	/* Per instance (0 staging, 1 production): seconds spent generating,
	 * parsing and inserting the documents, and then in the first
	 * commit (the history commit, then the database commit). */
	double load_seconds[2];
	double commit_seconds[2];
	double total_seconds;
} tfs_generate_stats;

/*
 * The smallest `objects` that holds the core configuration besides
 * `master` and `data` records (the defaults when negative).
 */
uint64_t tfs_generate_min_objects(int64_t master, int64_t data);

/*
 * Hand the documents of one instance to `put` (the contract of
 * tfs_demo_generate): staging content, or with `production` its variant.
 * Returns 0, TFS_EINVALID if the options do not add up, or the first
 * nonzero value `put` returned.
 */
int tfs_generate_content(tfs_put_fn put, void *ctx, const tfs_generate_opts *o,
			 bool production);

/*
 * Add tenant `tenant` to the store at `store` (created if it does not
 * exist) with instances staging (unlocked) and production (metadata
 * locked), each loaded with generated content as its first commit.  Adds
 * a landscape group with production and staging landscapes if the store
 * has none.  TFS_EEXISTS if the tenant exists; TFS_EBUSY if the store is
 * mounted.  On failure the tenant is removed again.  `stats` may be NULL.
 */
int tfs_generate_tenant(tfs_generate_stats *stats, const char *store,
			const char *tenant, const tfs_generate_opts *o);

/*
 * Write a closed incremental package of `records` new master records of
 * business object `bo` (a core master business object: Employee, Team,
 * OrgUnit, Location, Category, Vendor or Contract) to `path`, streamed
 * (memory does not grow with `records`).  Keys do not collide with the
 * records of a generated tenant, nor with those of a package of another
 * `seed`.  `name` is the package's name (NULL: derived from bo, records
 * and seed).
 */
int tfs_generate_package(const char *path, const char *bo, uint64_t records,
			 uint64_t seed, const char *name);

#endif
