/*
 * Console administration of landscapes (INTERFACE.md, "Console
 * administration"): landscape groups, their landscapes and the
 * landscapes' database servers.  Every operation is for administrators
 * only (TFS_EACCESS otherwise) and records its outcome, success or
 * refusal, in the console's events; a refusal changes nothing.
 */
#ifndef TENANTFS_LANDSCAPE_H
#define TENANTFS_LANDSCAPE_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* mkdir landscapes/<name>: a three-tier group, backup engine mssql. */
int tfs_group_create(tfs_store *st, const char *user, const char *name);
/* rmdir landscapes/<group>: TFS_ENOTEMPTY while it has landscapes or
 * tenants. */
int tfs_group_remove(tfs_store *st, const char *user, int64_t id);
/* group.conf: `tiers` accepts 2, 3, two-tier, three-tier (rendered
 * two-tier / three-tier); going to two-tier is TFS_EBUSY while a tenant
 * of the group has a uat instance (the message names them). */
int tfs_group_conf_update(tfs_store *st, const char *user, int64_t id,
			  const char *bytes, size_t len);

/* mkdir landscapes/<group>/<type>: TFS_EINVALID for an unknown type,
 * TFS_EEXISTS for a second one of a type. */
int tfs_landscape_create(tfs_store *st, const char *user, int64_t group_id,
			 const char *type);
/* rmdir of a landscape: TFS_ENOTEMPTY while instances or servers are
 * on it. */
int tfs_landscape_remove(tfs_store *st, const char *user, int64_t id);
/* landscape.conf: both patterns must keep {tenantName} (TFS_EINVALID). */
int tfs_landscape_conf_update(tfs_store *st, const char *user, int64_t id,
			      const char *bytes, size_t len);

/* servers/<name>.conf created from .conf text `bytes`: every location
 * must be an absolute path to a directory this process may write
 * (TFS_EINVALID naming the key otherwise). */
int tfs_server_create(tfs_store *st, const char *user, int64_t landscape_id,
		      const char *name, const char *bytes, size_t len);
/* An edit of servers/<name>.conf; the locations are checked again. */
int tfs_server_update(tfs_store *st, const char *user, int64_t id,
		      const char *bytes, size_t len);
/* rm servers/<name>.conf: TFS_EBUSY while an instance lives on the
 * server's landscape (instances record no server of their own, so every
 * instance of a landscape may have its databases on any of its servers). */
int tfs_server_delete(tfs_store *st, const char *user, int64_t id);

/* The path of a group's, landscape's or server's .conf file, for
 * messages ("landscapes/G/uat/landscape.conf"); a placeholder and
 * an error if the row is gone. */
int tfs_landscape_conf_path(char *out, size_t size, tfs_store *st,
			    tfs_entity ent, int64_t id);

#endif
