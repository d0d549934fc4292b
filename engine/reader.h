/*
 * Pass 2 of a package import, the reading half (import_reader.c).
 * Engine-internal.
 */
#ifndef TENANTFS_READER_H
#define TENANTFS_READER_H

#include <stdbool.h>

#include "tenantfs/doc.h"

/* One <transaction> of the package as read, in package order. */
struct pkg_tx {
	char seq[32], op[8], path[600], base[80];
	tfs_doc *doc; /* the object, for a valid C or U whose object parses */
	bool empty;   /* a valid C or U that carries no object */
	char *error;  /* a valid C or U whose object does not parse: why */
};

struct pkg_reader;

/*
 * Start reading the package file at `path` in a thread of its own.  0,
 * or an error (nothing to stop then).
 */
int pkg_reader_start(struct pkg_reader **out, const char *path);

/*
 * The next transaction, in place (the reader's until
 * pkg_reader_release()), or NULL at the end of the file (or after a
 * reading error, which pkg_reader_stop() returns).
 */
struct pkg_tx *pkg_reader_take(struct pkg_reader *rd);

/* Done with the transaction pkg_reader_take() gave. */
void pkg_reader_release(struct pkg_reader *rd);

/*
 * Stop reading (at the end, or early), wait for the thread and free what
 * it had read.  `error` is the taker's outcome: when it failed, that is
 * returned unchanged (and its message kept); else 0 or the reading error,
 * TFS_EINVALID for a malformed package, with the reason.
 */
int pkg_reader_stop(struct pkg_reader *rd, int error);

#endif
