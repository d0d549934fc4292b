/*
 * Tenants and instances: creating and deleting them (INTERFACE.md,
 * "Tenants and instances: lifecycle"), as mkdir and rmdir under tenants/
 * do.  Only administrators may; every call records an event.
 */
#ifndef TENANTFS_LIFECYCLE_H
#define TENANTFS_LIFECYCLE_H

#include <stdint.h>

#include "store.h"

/*
 * A new tenant `name` (lowercase letters, digits and '-', starting with a
 * letter or digit, at most 63 bytes): no landscape group yet (set once in
 * tenant.conf), development project enabled.  *out_id: its id (may be
 * NULL).  TFS_EEXISTS if taken, TFS_EINVALID for a bad name, TFS_EACCESS
 * unless `user` is an administrator.
 */
int tfs_tenant_create(int64_t *out_id, tfs_store *st, const char *user,
		      const char *name);
/* Delete tenant `id`; TFS_ENOTEMPTY while it has instances. */
int tfs_tenant_remove(tfs_store *st, const char *user, int64_t id);

/*
 * A new, empty instance of tenant `tenant_id` on its landscape group's
 * landscape of type `type` (production staging uat pilot development
 * other), named after it: production first, the others only where the
 * group has such a landscape.  Its uri and database follow the
 * landscape's patterns, its API key is new.  The instance database has
 * its schema and no history commit (a push recognizes a new instance by
 * that).  *out: the instance (owned by the store; may be NULL).
 */
int tfs_inst_create(tfs_inst **out, tfs_store *st, const char *user,
		    int64_t tenant_id, const char *type);
/*
 * Delete instance `id`, which must be in maintenance (TFS_EBUSY
 * otherwise, the reason in its log).  Its database is first copied to
 * STORE/backups/<tenant>/<instance>/<UTC time>-deleted.db (with a .info
 * file) and its branch moves to refs/deleted/<tenant>/<instance>/<UTC
 * time>, so nothing of it is lost.  *backup (may be NULL, PATH_MAX
 * bytes): the backup's path.
 */
int tfs_inst_remove(char *backup, tfs_store *st, const char *user, int64_t id);

#endif
