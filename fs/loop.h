/*
 * The session loop of the daemon (without -s): one thread reads and
 * answers requests, others take over when a request keeps it (loop.c).
 */
#ifndef TENANTFS_FS_LOOP_H
#define TENANTFS_FS_LOOP_H

#include <fuse_lowlevel.h>

/* Serve `se` until it ends, with at most max_threads threads of which at
 * most max_idle wait.  0, or -1 on a read error. */
int loop_run(struct fuse_session *se, unsigned int max_threads,
	     unsigned int max_idle);

#endif
