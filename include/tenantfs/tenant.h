/*
 * Adding a tenant with content to an open store, for tools that make
 * tenants (tenantctl generate with tools/generate/; the daemon does not):
 * the tenant row, its instances on their landscapes, and each instance's
 * content loaded as its first history commit, "Initial configuration".
 * The engine holds no content: the caller's content functions hand the
 * documents over (tfs_content_fn, seed.h), as a seed's do when a store is
 * created.
 *
 *	static const tfs_instance_spec insts[] = {
 *		{ .name = "staging", .landscape = "staging",
 *		  .named_licenses = -1, .concurrent_licenses = -1,
 *		  .content = my_content, .ctx = &staging_ctx },
 *		...
 *	};
 *	tfs_tenant_spec spec = { .instances = insts, .ninstances = 2,
 *				 .group = "MINE", .jobs = 2 };
 *	error = tfs_store_add_tenant(st, "big", &spec, NULL);
 */
#ifndef TENANTFS_TENANT_H
#define TENANTFS_TENANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "seed.h"
#include "store.h"

typedef struct tfs_instance_spec {
	const char *name;      /* the instance's name */
	const char *landscape; /* type of its landscape in the tenant's group */
	bool metadata_locked;
	/* Console properties; NULL or negative: a new instance's defaults
	 * (empty, 0). */
	const char *uri, *database, *contact;
	int named_licenses, concurrent_licenses;
	/*
	 * The content, loaded as one database transaction and the first
	 * commit (NULL: the instance stays empty, without history).  No
	 * references are checked: the tool is trusted; every document still
	 * goes through tfs_doc_parse.  With `jobs` > 1 it runs on a thread of
	 * its own, at the same time as other instances' content functions.
	 */
	tfs_content_fn content;
	void *ctx;
} tfs_instance_spec;

typedef struct tfs_tenant_spec {
	const tfs_instance_spec *instances; /* created in this order */
	size_t ninstances;
	/*
	 * The tenant joins the store's first landscape group.  A store
	 * without one gets group `group` (NULL: "DEFAULT"), described by
	 * `group_description` (NULL: none), three-tier if a landscape is
	 * "uat", else two-tier, backed up live.  The landscapes of the types
	 * `landscapes` lists (NULL-terminated; NULL: the instances' types, in
	 * their order) are added to the group if it has none of that type,
	 * with e-mail domain `email_domain` (NULL: "example.com").
	 */
	const char *group, *group_description;
	const char *const *landscapes;
	const char *email_domain;
	/* Time of the first commits and new landscape rows; 0: now. */
	int64_t now;
	/* Instances loaded at once, each on a thread of its own: each
	 * instance has its own database connection, the history serializes
	 * its own use.  0 or 1: one after the other. */
	int jobs;
	/* The message of the Tenant/Create event (NULL: "tenant T created
	 * in landscape group G"). */
	const char *event;
} tfs_tenant_spec;

/* What loading an instance took, per instance of the spec. */
typedef struct tfs_load_times {
	/* Running the content function: making, parsing and inserting the
	 * documents. */
	double load_seconds;
	/* The first commit that follows: history, then the database. */
	double commit_seconds;
} tfs_load_times;

/*
 * Add tenant `tenant` to `st` (opened with tfs_store_open, not mounted)
 * with the instances of `spec`, each loaded with its content, and log a
 * Tenant/Create event.  TFS_EINVALID for a bad name or spec,
 * TFS_EEXISTS if the tenant exists.  On failure the tenant is taken out
 * again (instance rows and databases, the tenant row; the message names
 * the instance that failed); a landscape group or landscapes added for it
 * stay.  `times` (NULL, or ninstances entries) receives the load times.
 */
int tfs_store_add_tenant(tfs_store *st, const char *tenant,
			 const tfs_tenant_spec *spec, tfs_load_times *times);

#endif
