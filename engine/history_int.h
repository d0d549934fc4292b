/*
 * History internals shared by history.c (commits, reads) and
 * history_blobs.c (the blob writer of large change sets).
 */
#ifndef TENANTFS_HISTORY_INT_H
#define TENANTFS_HISTORY_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <git2.h>

#include "tenantfs/history.h"

struct tfs_history {
	pthread_mutex_t lock;
	git_repository *repo;
	git_odb *odb;
	char *git_dir;
};

void hist_lock(tfs_history *h);
void hist_unlock(tfs_history *h);
/* Record the last libgit2 error for this thread; TFS_ERROR. */
int hist_git_fail(const char *what);

/* SHA-1, for what libgit2 does not hash for us (pack trailers). */
typedef struct hist_sha1 {
	uint32_t st[5];
	uint64_t total;
	unsigned char buf[64];
	size_t have;
} hist_sha1;

void hist_sha1_init(hist_sha1 *s);
void hist_sha1_update(hist_sha1 *s, const void *data, size_t len);
void hist_sha1_final(hist_sha1 *s, unsigned char out[20]);

#endif
