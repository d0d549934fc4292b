/*
 * Packages: the development project side (packages of an instance, made
 * of transaction sets or of other packages, exported as XML) and the import
 * side (validate, apply, preview a package file against an instance).
 *
 * An import reads the package file as a stream (xmlTextReader), so its
 * size is bounded by the disk, not memory; an application is one change set
 * (one SQLite transaction, one history commit, one transaction set), so it
 * is all or nothing, crash included.
 */
#ifndef TENANTFS_PACKAGE_H
#define TENANTFS_PACKAGE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "store.h"

/* ---- packages of an instance ------------------------------------------- */

int tfs_pkg_list(tfs_inst *in, tfs_row_cb cb, void *ctx);
int tfs_pkg_find(tfs_row *out, tfs_inst *in, const char *name);
int tfs_pkg_get(tfs_row *out, tfs_inst *in, int64_t id);
/* mkdir packages/P: an open incremental package. */
int tfs_pkg_create(tfs_inst *in, const char *user, const char *name);
/* rmdir: only an open package that no master package uses. */
int tfs_pkg_remove(tfs_inst *in, const char *user, int64_t id);
/* Whether the package is closed. */
int tfs_pkg_closed(tfs_inst *in, int64_t id, bool *closed);

/* The files of packages/P/ that can be written. */
typedef enum tfs_pkg_file {
	TFS_PKG_CONF,    /* package.conf: type, description, state */
	TFS_PKG_TXSETS,  /* transaction-sets: one id per line */
	TFS_PKG_ASPECTS, /* aspects: <id> <version> <vendor-id> <yes|no> */
	TFS_PKG_SUBS,    /* sub-packages: <order> <package> */
	TFS_PKG_XML,     /* package.xml: the export (read-only) */
	TFS_PKG_COMPACT, /* package.compact.xml (read-only) */
	TFS_PKG_IMPACT,  /* impact (read-only) */
	TFS_PKG_DEPS,    /* dependencies (read-only) */
	TFS_PKG__COUNT
} tfs_pkg_file;

extern const char *const tfs_pkg_file_names[TFS_PKG__COUNT];

int tfs_pkg_render(tfs_buf *out, tfs_inst *in, int64_t id, tfs_pkg_file f);
/* Update a writable file from its rewritten content (all or nothing). */
int tfs_pkg_update(tfs_inst *in, const char *user, int64_t id, tfs_pkg_file f,
		   const char *bytes, size_t len);

/* ---- importing a package file ------------------------------------------ */

typedef enum tfs_pkg_mode {
	TFS_PKG_APPLY,             /* validate, and apply if no errors */
	TFS_PKG_VALIDATE,          /* validate only */
	TFS_PKG_APPLY_UNVALIDATED, /* apply what can be applied */
	TFS_PKG_PREVIEW,           /* what would change, as a unified diff */
} tfs_pkg_mode;

typedef void (*tfs_pkg_progress_fn)(void *ctx, uint64_t done, uint64_t total);

/*
 * Import the package in file `path` into `in`.  `result` receives the
 * result text (INTERFACE.md: first line applied, rejected, validated,
 * failed or already-applied; impact; commit; error/conflict/warning
 * lines); `diff` (may be NULL unless previewing) the unified diff of what
 * applying changes.  Returns 0 when the outcome is what the mode asked for
 * (applied, already applied, valid), else the error that rejected it.
 */
int tfs_pkg_import(tfs_buf *result, tfs_buf *diff, tfs_inst *in,
		   const char *user, const char *path, tfs_pkg_mode mode,
		   tfs_pkg_progress_fn progress, void *ctx);

/* ---- the package writer ----------------------------------------------- */

/*
 * The one writer of the package format (engine/package_write.c): the
 * engine's export (packages/P/package.xml) and tools that make packages
 * (tenantctl generate-package, tools/generate/) write with it, so that
 * everything they write is what tfs_pkg_import reads.  Calls nest as the
 * elements do (begin, aspects, then transaction sets or sub-packages,
 * end); the writer keeps the indentation.  Bytes are appended to `out`;
 * with a FILE `f` they are written to it as they accumulate (and all of
 * them at the outermost tfs_pkgw_end), so a package of 10^6 records
 * streams.  Each call returns 0 or a negative TFS_E* code (TFS_ENOSPC
 * when the FILE's disk is full); after an error, stop writing.
 *
 *	tfs_pkgw_init(&w, &buf, f);
 *	tfs_pkgw_begin(&w, &(struct tfs_pkgw_head){ .name = "p", ... });
 *	tfs_pkgw_set_begin(&w, 1, "default", "admin", "2025-01-02T03:04:05Z");
 *	tfs_pkgw_tx(&w, 1, 'C', "master/Employee/E1.xml", "", xml, len);
 *	tfs_pkgw_set_end(&w);
 *	tfs_pkgw_end(&w);
 */
typedef struct tfs_pkgw {
	tfs_buf *out;
	FILE *f;    /* NULL: everything stays in out */
	int indent; /* of the next element */
} tfs_pkgw;

struct tfs_pkgw_head {
	const char *name, *type, *state;
	const char *description; /* NULL or "": none */
	const char *source_tenant, *source_instance;
	const char *source_commit; /* NULL: none */
};

/* Start writing to `out` (and `f`, or NULL) at indentation 0. */
void tfs_pkgw_init(tfs_pkgw *w, tfs_buf *out, FILE *f);
/* <package ...> with the attributes of `h`; </package>. */
int tfs_pkgw_begin(tfs_pkgw *w, const struct tfs_pkgw_head *h);
int tfs_pkgw_end(tfs_pkgw *w);
/* One <aspect/> of the package. */
int tfs_pkgw_aspect(tfs_pkgw *w, const char *id, const char *version,
		    const char *vendor, bool uninstall);
/* <sub-package order="N"> of a master package, a tfs_pkgw_begin ...
 * tfs_pkgw_end inside, </sub-package>. */
int tfs_pkgw_sub_begin(tfs_pkgw *w, int64_t order);
int tfs_pkgw_sub_end(tfs_pkgw *w);
/* <transaction-set ...>, its transactions, </transaction-set>. */
int tfs_pkgw_set_begin(tfs_pkgw *w, int64_t id, const char *project,
		       const char *user, const char *created);
int tfs_pkgw_set_end(tfs_pkgw *w);
/* A transaction: op C, U or D, the object's path (tfs_obj_path) and base
 * (the SHA-256 before, "" for C), and its new bytes `obj` (`len` of them,
 * written indented under the transaction), or NULL for none (a delete). */
int tfs_pkgw_tx(tfs_pkgw *w, int64_t seq, char op, const char *path,
		const char *base, const char *obj, size_t len);
/* Write what is kept to the FILE (nothing without one). */
int tfs_pkgw_flush(tfs_pkgw *w);

#endif

/* ---- drop directories ------------------------------------------------- */

/*
 * The files the drop directories (apply/, validate/, ...) show: results
 * and previews of imports, kept in the instance's database by directory
 * code and name.  Row size is the content's length.
 */
int tfs_drop_put(tfs_inst *in, int dir, const char *name, const char *bytes,
		 size_t len);
int tfs_drop_find(tfs_row *out, tfs_inst *in, int dir, const char *name);
int tfs_drop_get(tfs_row *out, int *dir, tfs_inst *in, int64_t id);
int tfs_drop_read(tfs_buf *out, tfs_inst *in, int64_t id);
int tfs_drop_list(tfs_inst *in, int dir, tfs_row_cb cb, void *ctx);
int tfs_drop_remove(tfs_inst *in, int64_t id);
