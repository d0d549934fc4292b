/*
 * Console users and their permissions: who the caller of a request is,
 * and the permission table of INTERFACE.md ("Users and permissions", the
 * guide's Appendix A, "Working With Operations Console Users").
 *
 * The rules (tfs_perm_*) are pure functions of the acting user and the
 * rows involved, so they are tested without a store or a mount; the tree
 * (engine/tree*.c) asks them for every request, and the store's user
 * writes (engine/users.c) ask them again under the store's write lock.
 */
#ifndef TENANTFS_PERM_H
#define TENANTFS_PERM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "store.h"

/* The console user a request is answered as. */
typedef struct tfs_user {
	int64_t id;     /* users row; 0: the uid names no user */
	char login[64]; /* for events; "uid<N>" when unmapped */
	char company[128];
	bool admin;
} tfs_user;

/* A users row as the rules see it (before or after a change). */
typedef struct tfs_user_row {
	int64_t id;
	const char *login;
	bool admin;
	int64_t uid; /* -1: none */
} tfs_user_row;

/*
 * The user whose uid is `uid`; if none names it, uid 0 and the uid that
 * opened the store are `admin` (a private mount's owner is its
 * administrator); any other uid is unmapped (id 0).  Never fails over to
 * admin on an error: a failed read is unmapped (and returns the error).
 */
int tfs_store_user_by_uid(tfs_user *out, tfs_store *st, uid_t uid);

/* Whether `u` sees tenants of `company`: administrators and users with a
 * blank company see all; others only their own company's. */
bool tfs_perm_sees_company(const tfs_user *u, const char *company);

/* Areas of the console with one rule each. */
typedef enum tfs_area {
	TFS_AREA_README,  /* README and the root listing: anyone */
	TFS_AREA_CONSOLE, /* users/, tenants/, events: any console user */
	TFS_AREA_ADMIN,   /* landscapes/, status, licenses: administrators */
} tfs_area;

/* 0, or TFS_EACCESS with the reason. */
int tfs_perm_area(const tfs_user *u, tfs_area area);
int tfs_perm_user_create(const tfs_user *u, const tfs_user_row *created);
int tfs_perm_user_edit(const tfs_user *u, const tfs_user_row *before,
		       const tfs_user_row *after);
int tfs_perm_user_delete(const tfs_user *u, const tfs_user_row *victim);

/*
 * Keep the lines of the events file `in` (as tfs_store_events_read gives
 * them) whose tenant field names a tenant `visible` says yes to; lines
 * about no tenant are dropped.  Appends to `out`.
 */
typedef bool (*tfs_tenant_visible_fn)(void *ctx, const char *tenant,
				      size_t len);
int tfs_perm_filter_events(tfs_buf *out, const char *in, size_t len,
			   tfs_tenant_visible_fn visible, void *ctx);

/* Users rows, changed by the rules above as `u` (engine/users.c): a
 * refusal is TFS_EACCESS, a uid another user has TFS_EINVALID. */
int tfs_store_user_update(tfs_store *st, const tfs_user *u, int64_t id,
			  const char *bytes, size_t len);
int tfs_store_user_create(tfs_store *st, const tfs_user *u, const char *login,
			  const char *bytes, size_t len);
int tfs_store_user_delete(tfs_store *st, const tfs_user *u, int64_t id);

#endif
