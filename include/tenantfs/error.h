/*
 * Errors of the tenantfs engine.
 *
 * Every engine function returns an int: 0 on success, one of the negative
 * TFS_E* codes below for the failures callers act on, or TFS_ERROR (-1)
 * otherwise.  The failing function leaves a one-line, human-readable message
 * in thread-local storage; tfs_error_last() returns it.  Callers pass errors
 * up unchanged; only fs/ maps them to errno, in one place.
 */
#ifndef TENANTFS_ERROR_H
#define TENANTFS_ERROR_H

enum {
	TFS_OK = 0,
	TFS_ERROR = -1,     /* anything else: I/O, SQLite, libgit2, memory */
	TFS_ENOTFOUND = -2, /* no such object, instance, commit, ... */
	TFS_EEXISTS = -3,   /* already exists */
	TFS_EINVALID = -4, /* bad content: malformed XML, wrong key, bad value */
	TFS_ECONFLICT = -5, /* later changes touch the same objects */
	TFS_ELOCKED = -6,   /* metadata of the instance is locked */
	TFS_EACCESS = -7,   /* the caller is not allowed */
	TFS_EBUSY = -8,     /* in use (active project, mounted store) */
	TFS_ENOTEMPTY = -9, /* directory-like thing still has members */
	TFS_ENOTSUP = -10,  /* operation not supported here */
	TFS_ENOSPC = -11,   /* the store's filesystem is full */
	TFS_ETOOBIG = -12,  /* larger than an object may be */
	TFS_EDAMAGED = -13, /* stored data is missing or wrong (history.git
			      * lost an object the database names, ...) */
};

/* The message of the last failure on this thread ("" if none). */
const char *tfs_error_last(void);

/* Record a message for the calling thread and return `code`. */
int tfs_error_set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void tfs_error_clear(void);

#endif
