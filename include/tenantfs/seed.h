/*
 * What a new store is created with.  The engine holds no content of its
 * own: `tenantctl init --demo` passes the demo's seed (tools/demo/), and a
 * store created without a seed is empty.
 */
#ifndef TENANTFS_SEED_H
#define TENANTFS_SEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "doc.h"

/*
 * Hands one document to the store: `xml` (plain XML, not necessarily
 * canonical; it goes through tfs_doc_parse like any save) is object
 * `name` of `type` in `kind`, changed at `mtime` (seconds since the epoch).
 * Returns 0 or a negative TFS_E* code.
 */
typedef int (*tfs_put_fn)(void *ctx, tfs_kind kind, const char *type,
			  const char *name, const char *xml, size_t len,
			  int64_t mtime);

/*
 * Every document of one instance, to `put` (with `put_ctx`): returns 0,
 * or the first nonzero value put returned, or a negative TFS_E* code of
 * its own.  How tools hand an instance's content to the engine
 * (tfs_store_add_tenant, tenantfs/tenant.h).
 */
typedef int (*tfs_content_fn)(tfs_put_fn put, void *put_ctx, void *ctx);

typedef struct tfs_seed {
	/*
	 * SQL run on the new console database: landscape groups, landscapes,
	 * servers, users, tenants and instances (each tenant's first
	 * instance by id is its production).  `:now` is bound to the time of
	 * creation, every other parameter to a new random key.  The servers'
	 * locations are made as directories in the store.
	 */
	const char *console_sql;
	/*
	 * Every document of instance `inst` of `tenant`, to `put`; returns
	 * 0, or the first nonzero value put returned.  Loaded as the
	 * instance's first commit, "Initial configuration".
	 */
	int (*content)(tfs_put_fn put, void *put_ctx, const char *tenant,
		       const char *inst, int64_t now);
	/*
	 * Whether `inst` (not its tenant's first) has content of its own.
	 * Otherwise it is a copy of the tenant's first instance: SQLite's
	 * online backup of its database and the branch at the same commit,
	 * which keeps creation quick.  Either way it is at version 1, made
	 * from production (at 0), as the console's story has it.
	 */
	bool (*own_content)(const char *tenant, const char *inst);
} tfs_seed;

#endif
