/*
 * Concurrency of the engine: writer locks and pools of read-only
 * connections (the lock order is in internal.h, "Concurrency").
 *
 * A writer lock (struct wlock) serializes the writers of one database:
 * an instance's change sets, imports and reverts, or the console's
 * updates.  Its holder may take it again (a public entry point calling
 * another), and asks wlock_held() which connection to use: the holder
 * reads and writes through the database's one write connection, and sees
 * its own uncommitted work; every other thread reads through a read-only
 * connection of the database's pool (struct db_pool), in WAL mode, so it
 * never waits for the writer and sees the last committed state, never a
 * part of a transaction in progress.
 *
 * A thread borrows at most one connection per pool and keeps it until
 * db_reads_done() (the end of its request: tfs_store_reads_done), which
 * resets the statements it left open (an open statement keeps its
 * snapshot, so the next request would see an old state) and gives the
 * connections back.  The borrowed connections are kept in a thread-local
 * list threaded through the connections themselves: borrowing costs no
 * allocation, and a pool's connections number the threads that read it
 * at once, not all threads that ever did.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tenantfs/error.h"

/* ---- writer locks ---------------------------------------------------- */

/* The address of a thread-local byte names the thread. */
static __thread char thread_tag;

static uintptr_t self(void)
{
	return (uintptr_t)&thread_tag;
}

void wlock_init(wlock *l)
{
	pthread_mutex_init(&l->mu, NULL);
	l->owner = 0;
	l->depth = 0;
}

void wlock_destroy(wlock *l)
{
	pthread_mutex_destroy(&l->mu);
}

bool wlock_held(const wlock *l)
{
	return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) == self();
}

void wlock_take(wlock *l)
{
	if (wlock_held(l)) {
		l->depth++;
		return;
	}
	pthread_mutex_lock(&l->mu);
	__atomic_store_n(&l->owner, self(), __ATOMIC_RELAXED);
	l->depth = 1;
}

bool wlock_trytake(wlock *l)
{
	if (wlock_held(l)) {
		l->depth++;
		return true;
	}
	if (pthread_mutex_trylock(&l->mu) != 0)
		return false;
	__atomic_store_n(&l->owner, self(), __ATOMIC_RELAXED);
	l->depth = 1;
	return true;
}

void wlock_drop(wlock *l)
{
	if (--l->depth > 0)
		return;
	__atomic_store_n(&l->owner, 0, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&l->mu);
}

/* ---- read-only connections ------------------------------------------- */

struct rconn {
	db_conn c;
	db_pool *pool;
	struct rconn *next_idle;     /* in pool->idle, under pool->mu */
	struct rconn *next_all;      /* in pool->all, under pool->mu */
	struct rconn *next_borrowed; /* in the borrowing thread's list */
	unsigned gen;                /* the pool's gen when it was opened */
};

/* The connections this thread borrowed since its last db_reads_done(). */
static __thread struct rconn *borrowed;

int db_pool_init(db_pool *p, const char *path)
{
	memset(p, 0, sizeof(*p));
	if (!(p->path = strdup(path)))
		return tfs_error_set(TFS_ERROR, "out of memory");
	pthread_mutex_init(&p->mu, NULL);
	return 0;
}

/* Reset every statement of `c` that still holds a read snapshot. */
static void reset_open_statements(db_conn *c)
{
	sqlite3_stmt *s = NULL;

	while ((s = sqlite3_next_stmt(c->db, s)))
		if (sqlite3_stmt_busy(s))
			sqlite3_reset(s);
}

/* Take `rc` off this thread's list; true if it was there. */
static bool unborrow(struct rconn *rc)
{
	struct rconn **pp;

	for (pp = &borrowed; *pp; pp = &(*pp)->next_borrowed) {
		if (*pp == rc) {
			*pp = rc->next_borrowed;
			rc->next_borrowed = NULL;
			return true;
		}
	}
	return false;
}

static struct rconn *borrowed_of(db_pool *p)
{
	struct rconn *rc;

	for (rc = borrowed; rc; rc = rc->next_borrowed)
		if (rc->pool == p)
			return rc;
	return NULL;
}

void db_pool_free(db_pool *p)
{
	struct rconn *rc, *next;

	if (!p->path)
		return;
	if ((rc = borrowed_of(p)))
		unborrow(rc);
	for (rc = p->all; rc; rc = next) {
		next = rc->next_all;
		db_close(&rc->c);
		free(rc);
	}
	pthread_mutex_destroy(&p->mu);
	free(p->path);
	memset(p, 0, sizeof(*p));
}

static struct rconn *open_reader(db_pool *p)
{
	struct rconn *rc = calloc(1, sizeof(*rc));

	if (!rc) {
		tfs_error_set(TFS_ERROR, "out of memory");
		return NULL;
	}
	/* The generation before the open: a connection opened while the
	 * file is replaced may have found the old one, and is then closed
	 * when given back (db_pool_renew). */
	pthread_mutex_lock(&p->mu);
	rc->gen = p->gen;
	pthread_mutex_unlock(&p->mu);
	if (db_open_reader(&rc->c, p->path) < 0) {
		free(rc);
		return NULL;
	}
	rc->pool = p;
	pthread_mutex_lock(&p->mu);
	rc->next_all = p->all;
	p->all = rc;
	pthread_mutex_unlock(&p->mu);
	return rc;
}

db_conn *db_pool_reader(db_pool *p)
{
	struct rconn *rc = borrowed_of(p);

	if (rc)
		return &rc->c;
	pthread_mutex_lock(&p->mu);
	if ((rc = p->idle))
		p->idle = rc->next_idle;
	pthread_mutex_unlock(&p->mu);
	if (!rc && !(rc = open_reader(p))) {
		/* Every query on it fails with the reason just set. */
		static db_conn none;
		return &none;
	}
	rc->next_idle = NULL;
	rc->next_borrowed = borrowed;
	borrowed = rc;
	return &rc->c;
}

void db_pool_refresh(db_pool *p)
{
	struct rconn *rc = borrowed_of(p);
	unsigned gen;

	if (!rc)
		return;
	reset_open_statements(&rc->c);
	pthread_mutex_lock(&p->mu);
	gen = p->gen;
	pthread_mutex_unlock(&p->mu);
	if (rc->gen == gen)
		return;
	/* Borrowed before the file was replaced: opened again in place
	 * (the borrower may hold its address), on the new file. */
	db_close(&rc->c);
	if (db_open_reader(&rc->c, p->path) == 0)
		rc->gen = gen;
	/* else its queries fail (the error set says why) and it is
	 * closed when given back */
}

/* Take `rc` off its pool's list of all connections; its mu held. */
static void forget_locked(db_pool *p, struct rconn *rc)
{
	struct rconn **pp;

	for (pp = &p->all; *pp; pp = &(*pp)->next_all) {
		if (*pp == rc) {
			*pp = rc->next_all;
			return;
		}
	}
}

static void close_reader(struct rconn *rc)
{
	db_close(&rc->c);
	free(rc);
}

void db_reads_done(void)
{
	struct rconn *rc, *next;
	db_pool *p;
	bool stale;

	for (rc = borrowed; rc; rc = next) {
		next = rc->next_borrowed;
		rc->next_borrowed = NULL;
		reset_open_statements(&rc->c);
		p = rc->pool;
		pthread_mutex_lock(&p->mu);
		if ((stale = rc->gen != p->gen)) {
			forget_locked(p, rc);
		} else {
			rc->next_idle = p->idle;
			p->idle = rc;
		}
		pthread_mutex_unlock(&p->mu);
		if (stale)
			close_reader(rc);
	}
	borrowed = NULL;
}

void db_pool_renew(db_pool *p)
{
	struct rconn *rc, *idle;

	pthread_mutex_lock(&p->mu);
	p->gen++;
	idle = p->idle;
	p->idle = NULL;
	for (rc = idle; rc; rc = rc->next_idle)
		forget_locked(p, rc);
	pthread_mutex_unlock(&p->mu);
	while ((rc = idle)) {
		idle = rc->next_idle;
		close_reader(rc);
	}
}

/* ---- the engine's writers -------------------------------------------- */

/*
 * The write connection's page cache is emptied when its writer is done.
 * Its readers (the pools) drop their caches whenever another connection
 * has committed, but a writer keeps every page it wrote, all of them
 * still valid: on a long mount the caches of console.db's and each
 * written instance's write connection filled up save after save (the
 * new rows of history and events land on new pages) to DB_CACHE_KIB
 * each, 16 MB, the daemon's steady growth after libgit2's cache was
 * full.  A save needs a few dozen pages again, read back from the
 * kernel's page cache: microseconds, against milliseconds for the save;
 * readers never use this connection.  So what stays resident between
 * writes is bounded by the pools (one connection per concurrent reader,
 * each cache emptied by the next commit), not by how many saves ran.
 */
static void writer_release(db_conn *c)
{
	if (c->db)
		sqlite3_db_release_memory(c->db);
}

void inst_write_begin(tfs_inst *in)
{
	wlock_take(&in->wl);
}

void inst_write_end(tfs_inst *in)
{
	if (in->wl.depth == 1) {
		inst_log_damage(in);
		db_pool_refresh(&in->pool);
		writer_release(&in->db);
	}
	wlock_drop(&in->wl);
}

void store_write_begin(tfs_store *st)
{
	wlock_take(&st->wl);
}

void store_write_end(tfs_store *st)
{
	if (st->wl.depth == 1) {
		db_pool_refresh(&st->pool);
		writer_release(&st->db);
	}
	wlock_drop(&st->wl);
}
