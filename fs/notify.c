/*
 * The notification queue (see notify.h).  A singly linked FIFO guarded by a
 * mutex; one thread drains it.  Sends that fail with ENOENT (the kernel no
 * longer knows the inode) are expected and ignored.
 */
#define FUSE_USE_VERSION 312
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "notify.h"

struct item {
	uint64_t ino;
	uint64_t parent;
	char *name; /* NULL: inode invalidation */
	struct item *next;
};

struct notifier {
	struct fuse_session *se;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	pthread_cond_t sent_cond;
	struct item *head, *tail;
	uint64_t queued, sent; /* items ever queued, ever delivered */
	bool stop;
};

static void *run(void *arg)
{
	notifier *n = arg;
	struct item *it;

	pthread_mutex_lock(&n->mu);
	for (;;) {
		while (!n->head && !n->stop)
			pthread_cond_wait(&n->cond, &n->mu);
		if (!n->head && n->stop)
			break;
		it = n->head;
		n->head = it->next;
		if (!n->head)
			n->tail = NULL;
		pthread_mutex_unlock(&n->mu);
		if (it->name)
			fuse_lowlevel_notify_inval_entry(n->se, it->parent,
							 it->name,
							 strlen(it->name));
		else
			fuse_lowlevel_notify_inval_inode(n->se, it->ino, 0, 0);
		free(it->name);
		free(it);
		pthread_mutex_lock(&n->mu);
		n->sent++;
		pthread_cond_broadcast(&n->sent_cond);
	}
	pthread_mutex_unlock(&n->mu);
	return NULL;
}

int notifier_start(notifier **out, struct fuse_session *se)
{
	notifier *n = calloc(1, sizeof(*n));

	if (!n)
		return -1;
	n->se = se;
	pthread_mutex_init(&n->mu, NULL);
	pthread_cond_init(&n->cond, NULL);
	pthread_cond_init(&n->sent_cond, NULL);
	if (pthread_create(&n->thread, NULL, run, n) != 0) {
		free(n);
		return -1;
	}
	*out = n;
	return 0;
}

void notifier_stop(notifier *n)
{
	if (!n)
		return;
	pthread_mutex_lock(&n->mu);
	n->stop = true;
	pthread_cond_signal(&n->cond);
	pthread_mutex_unlock(&n->mu);
	pthread_join(n->thread, NULL);
	pthread_mutex_destroy(&n->mu);
	pthread_cond_destroy(&n->cond);
	pthread_cond_destroy(&n->sent_cond);
	free(n);
}

static void push(notifier *n, struct item *it)
{
	pthread_mutex_lock(&n->mu);
	if (n->tail)
		n->tail->next = it;
	else
		n->head = it;
	n->tail = it;
	n->queued++;
	pthread_cond_signal(&n->cond);
	pthread_mutex_unlock(&n->mu);
}

void notifier_sync(notifier *n)
{
	uint64_t target;

	if (!n)
		return;
	pthread_mutex_lock(&n->mu);
	target = n->queued;
	while (n->sent < target && !n->stop)
		pthread_cond_wait(&n->sent_cond, &n->mu);
	pthread_mutex_unlock(&n->mu);
}

void notifier_inode(void *ctx, uint64_t ino)
{
	struct item *it = calloc(1, sizeof(*it));

	if (!it)
		return;
	it->ino = ino;
	push(ctx, it);
}

void notifier_entry(void *ctx, uint64_t parent, const char *name)
{
	struct item *it = calloc(1, sizeof(*it));

	if (!it)
		return;
	it->parent = parent;
	it->name = strdup(name);
	if (!it->name) {
		free(it);
		return;
	}
	push(ctx, it);
}

void notifier_store(void *ctx, uint64_t ino, const char *data, size_t size)
{
	notifier *n = ctx;
	struct fuse_bufvec bv = FUSE_BUFVEC_INIT(size);

	bv.buf[0].mem = (void *)data;
	/* Not queued: the pages must be there when the open is answered.
	 * ENOENT (the kernel forgot the inode) is harmless. */
	fuse_lowlevel_notify_store(n->se, ino, 0, &bv, 0);
}
