/*
 * Package internals shared by package.c, package_export.c,
 * package_update.c and package_write.c.
 */
#ifndef TENANTFS_PACKAGE_INT_H
#define TENANTFS_PACKAGE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "internal.h"
#include "tenantfs/buf.h"
#include "tenantfs/package.h"

struct pkg {
	int64_t id;
	char name[256];
	char type[16];
	char description[512];
	char state[16];
	int64_t created;
	char source[160]; /* "<tenant>/<instance>" of an imported one */
};

/* The row of package `id`, or TFS_ENOTFOUND. */
int pkg_load(struct pkg *p, tfs_inst *in, int64_t id);

/* The sub-packages of master `id` and their orders, in order. */
#define SUBS_MAX 256
int pkg_subs(int64_t ord[SUBS_MAX], int64_t sub[SUBS_MAX], size_t *n,
	     tfs_inst *in, int64_t id);
/* Append the export of package `id` (package.xml; `compacted`: updates of
 * one object folded). */
int pkg_export(tfs_buf *b, tfs_inst *in, int64_t id, bool compacted);

/* The package writer is public: tenantfs/package.h, tfs_pkgw_*. */

#endif
