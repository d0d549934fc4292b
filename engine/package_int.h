/*
 * Package internals shared by package.c, package_export.c,
 * package_update.c and package_write.c; generate.c includes it for the
 * package writer only.
 */
#ifndef TENANTFS_PACKAGE_INT_H
#define TENANTFS_PACKAGE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "internal.h"
#include "tenantfs/buf.h"

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

/*
 * The package writer (package_write.c), the one that writes the package
 * format: the export above and tenantctl generate-package.  Calls nest as
 * the elements do (begin, aspects, then transaction sets or sub-packages,
 * end); the writer keeps the indentation.  Bytes are appended to `out`;
 * with a FILE `f` they are written to it as they accumulate (and all of
 * them at the outermost pkgw_end), so a package of 10^6 records streams.
 * Each call returns 0 or TFS_ERROR; after an error, stop writing.
 */
typedef struct pkgw {
	tfs_buf *out;
	FILE *f;    /* NULL: everything stays in out */
	int indent; /* of the next element */
} pkgw;

struct pkgw_head {
	const char *name, *type, *state;
	const char *description; /* NULL or "": none */
	const char *source_tenant, *source_instance;
	const char *source_commit; /* NULL: none */
};

/* Start writing to `out` (and `f`, or NULL) at indentation 0. */
void pkgw_init(pkgw *w, tfs_buf *out, FILE *f);
/* <package ...> with the attributes of `h`; </package>. */
int pkgw_begin(pkgw *w, const struct pkgw_head *h);
int pkgw_end(pkgw *w);
/* One <aspect/> of the package. */
int pkgw_aspect(pkgw *w, const char *id, const char *version,
		const char *vendor, bool uninstall);
/* <sub-package order="N"> of a master package, a pkgw_begin...pkgw_end
 * inside, </sub-package>. */
int pkgw_sub_begin(pkgw *w, int64_t order);
int pkgw_sub_end(pkgw *w);
/* <transaction-set ...>, its transactions, </transaction-set>. */
int pkgw_set_begin(pkgw *w, int64_t id, const char *project, const char *user,
		   const char *created);
int pkgw_set_end(pkgw *w);
/* A transaction: op C, U or D, the object's path and base (the SHA-256
 * before, "" for C), and its new bytes `obj` (`len` of them, written
 * indented under the transaction), or NULL for none (a delete). */
int pkgw_tx(pkgw *w, int64_t seq, char op, const char *path, const char *base,
	    const char *obj, size_t len);
/* Write what is kept to the FILE (nothing without one). */
int pkgw_flush(pkgw *w);

#endif
