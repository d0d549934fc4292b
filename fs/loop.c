/*
 * The session loop: a leader and its followers.
 *
 * libfuse's multi-threaded loop keeps idle threads blocked in read() on
 * /dev/fuse, and the kernel hands each request to the one that has waited
 * longest: every request wakes another thread, often on the other CPU.
 * For the short requests that dominate reads (OPEN, RELEASE, GETATTR:
 * microseconds each) that wake-up is most of the cost.  On this 2-CPU VM
 * opening and closing 50,000 cached files took, per file: with the CPUs
 * kept busy by other work, 22-48 us (libfuse) against 9-12 us with one
 * thread (-s); with the machine idle, where waking a halted virtual CPU
 * costs 20-40 us, 37-45 us (libfuse) and 23 us here.  But one thread
 * cannot serve anyone while a request takes seconds (a commit, a package
 * being applied), and a request may wait for another to be answered (see
 * notify.h).
 *
 * So one thread, the leader, reads and answers requests itself, and the
 * others wait on a condition variable.  One of them, the watcher, checks
 * on the leader: when a request has kept it for LOOP_HANDOFF_US, the
 * watcher becomes the leader and reads the next requests, and a new
 * watcher is chosen (a thread is started if none is waiting, up to the
 * thread limit).  The old leader finishes its request and then waits as
 * a follower, or exits if enough threads wait.  While the leader only
 * reads, the watcher looks less and less often (up to every
 * LOOP_IDLE_MAX_US), so an idle mount costs little.
 *
 * Before it sleeps in read(), the leader stays awake LOOP_SPIN_US for the
 * next request (a program reading files asks again within microseconds):
 * without that, on the idle machine above, 62-73 us per file.
 */
#define FUSE_USE_VERSION 312

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "loop.h"

#define LOOP_HANDOFF_US  2000
#define LOOP_IDLE_MAX_US 32000
#define LOOP_SPIN_US     200

struct loop {
	struct fuse_session *se;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* followers wait here */
	pthread_cond_t gone; /* a thread exited */
	unsigned int threads, idle, max_threads, max_idle;
	const void *leader; /* the thread reading, or NULL */
	pthread_t leader_tid;
	const void *watcher; /* the follower checking on it, or NULL */
	uint64_t gen;        /* requests the leader started */
	bool busy;           /* the leader is answering request gen */
	uint64_t since;      /* since then (us, monotonic) */
	bool stop;
	int error;
};

static uint64_t now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

static void wait_until(struct loop *l, uint64_t us)
{
	struct timespec t = { (time_t)(us / 1000000u),
			      (long)(us % 1000000u) * 1000 };

	pthread_cond_timedwait(&l->cond, &l->lock, &t);
}

static void *worker(void *arg);

/* Start a follower (lock held). */
static void spawn(struct loop *l)
{
	pthread_t t;
	pthread_attr_t a;

	if (l->threads >= l->max_threads || pthread_attr_init(&a) != 0)
		return;
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &a, worker, l) == 0)
		l->threads++;
	pthread_attr_destroy(&a);
}

/*
 * Wait as a follower until this thread leads (true) or the loop stops or
 * enough threads wait already (false).  Lock held.
 */
static bool follow(struct loop *l, const void *me)
{
	uint64_t seen = l->gen, interval = 1000, t;

	l->idle++;
	for (;;) {
		if (!l->stop && fuse_session_exited(l->se)) {
			/* A signal (SIGTERM, SIGINT) ended the session but
			 * found a follower: wake the leader out of read(). */
			l->stop = true;
			pthread_cond_broadcast(&l->cond);
			if (l->leader && !l->busy)
				pthread_kill(l->leader_tid, SIGTERM);
		}
		if (l->stop)
			break;
		if (!l->leader) {
			l->leader = me;
			l->leader_tid = pthread_self();
			break;
		}
		if (!l->watcher)
			l->watcher = me;
		if (l->watcher != me) {
			pthread_cond_wait(&l->cond, &l->lock);
			continue;
		}
		t = now_us();
		if (l->busy && t - l->since >= LOOP_HANDOFF_US) {
			/* The leader is kept: take over reading. */
			l->leader = me;
			l->leader_tid = pthread_self();
			l->watcher = NULL;
			l->busy = false;
			break;
		}
		if (l->busy) {
			wait_until(l, l->since + LOOP_HANDOFF_US);
			interval = 1000;
		} else {
			interval = l->gen != seen ? 1000 :
				   interval * 2 < LOOP_IDLE_MAX_US ?
						    interval * 2 :
						    LOOP_IDLE_MAX_US;
			seen = l->gen;
			wait_until(l, t + interval);
		}
	}
	l->idle--;
	if (l->watcher == me)
		l->watcher = NULL;
	if (l->leader == me) {
		/* Someone must watch the new leader. */
		if (l->idle == 0)
			spawn(l);
		else
			pthread_cond_signal(&l->cond);
		return true;
	}
	return false;
}

/*
 * Wait for the next request awake for a moment before sleeping in read():
 * a program reading files asks again within microseconds, and waking a
 * CPU that went idle costs more than that (on a VM, a halted virtual CPU
 * waits for its host: 20-40 us).
 */
static void spin(struct loop *l)
{
	struct pollfd p = { fuse_session_fd(l->se), POLLIN, 0 };
	uint64_t t0 = now_us();

	while (poll(&p, 1, 0) == 0 && now_us() - t0 < LOOP_SPIN_US)
		;
}

/* Read and answer requests while this thread leads.  Lock held. */
static void lead(struct loop *l, const void *me, struct fuse_buf *buf)
{
	uint64_t mine;
	int res;

	while (l->leader == me && !l->stop) {
		pthread_mutex_unlock(&l->lock);
		spin(l);
		res = fuse_session_receive_buf(l->se, buf);
		pthread_mutex_lock(&l->lock);
		if (res == -EINTR && !fuse_session_exited(l->se))
			continue;
		if (res <= 0 || fuse_session_exited(l->se)) {
			if (res < 0 && res != -EINTR && !l->error)
				l->error = res;
			l->stop = true;
			pthread_cond_broadcast(&l->cond);
			break;
		}
		mine = ++l->gen;
		l->busy = true;
		l->since = now_us();
		pthread_mutex_unlock(&l->lock);
		fuse_session_process_buf(l->se, buf);
		pthread_mutex_lock(&l->lock);
		if (l->leader == me && l->gen == mine)
			l->busy = false;
	}
	if (l->leader == me)
		l->leader = NULL;
}

static void *worker(void *arg)
{
	struct loop *l = arg;
	struct fuse_buf buf;
	int me; /* its address names this thread */

	memset(&buf, 0, sizeof(buf));
	pthread_mutex_lock(&l->lock);
	for (;;) {
		if (l->leader == &me || follow(l, &me))
			lead(l, &me, &buf);
		if (l->stop || l->idle >= l->max_idle)
			break;
	}
	l->threads--;
	pthread_cond_broadcast(&l->gone);
	pthread_mutex_unlock(&l->lock);
	free(buf.mem);
	return NULL;
}

int loop_run(struct fuse_session *se, unsigned int max_threads,
	     unsigned int max_idle)
{
	struct loop l;
	struct fuse_buf buf;
	int me;

	memset(&l, 0, sizeof(l));
	memset(&buf, 0, sizeof(buf));
	l.se = se;
	l.max_threads = max_threads < 2 ? 2 : max_threads;
	l.max_idle = max_idle < 1 ? 1 : max_idle;
	if (pthread_mutex_init(&l.lock, NULL) != 0)
		return -1;
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&l.cond, &ca);
		pthread_condattr_destroy(&ca);
	}
	pthread_cond_init(&l.gone, NULL);
	pthread_mutex_lock(&l.lock);
	l.threads = 1; /* this one, which leads first and never exits early */
	l.leader = &me;
	l.leader_tid = pthread_self();
	spawn(&l);
	while (!l.stop) {
		if (l.leader == &me || follow(&l, &me))
			lead(&l, &me, &buf);
	}
	l.threads--;
	while (l.threads > 0)
		pthread_cond_wait(&l.gone, &l.lock);
	pthread_mutex_unlock(&l.lock);
	free(buf.mem);
	pthread_cond_destroy(&l.gone);
	pthread_cond_destroy(&l.cond);
	pthread_mutex_destroy(&l.lock);
	fuse_session_reset(se);
	return l.error ? -1 : 0;
}
