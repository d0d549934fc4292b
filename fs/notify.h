/*
 * Cache invalidation for the kernel: the tree reports changed inodes and
 * names while it holds its lock (inside a request); they are queued here
 * and sent by a thread of their own, never from a request handler, so a
 * notification can never wait on a lock its own request holds.
 */
#ifndef TENANTFS_FS_NOTIFY_H
#define TENANTFS_FS_NOTIFY_H

#include <fuse_lowlevel.h>
#include <stdint.h>

typedef struct notifier notifier;

int notifier_start(notifier **out, struct fuse_session *se);
void notifier_stop(notifier *n);
void notifier_inode(void *ctx, uint64_t ino);
void notifier_entry(void *ctx, uint64_t parent, const char *name);
/*
 * Wait until everything queued so far has reached the kernel, so that the
 * caller's reply comes after the invalidations its change made (a close
 * that commits, or refuses, is seen by the next ls at once).  Only from
 * requests during which the kernel holds no directory lock (flush, fsync),
 * and only with other threads to answer the requests a notification may
 * wait for.
 */
void notifier_sync(notifier *n);
/* Puts content into the kernel's page cache now (not queued). */
void notifier_store(void *ctx, uint64_t ino, const char *data, size_t size);

#endif
