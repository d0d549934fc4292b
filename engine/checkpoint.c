/*
 * Background checkpoints of the instance databases.
 *
 * In WAL mode SQLite copies the log back into the database file (a
 * checkpoint) in the thread that commits, once the log passes 1,000 pages.
 * After a large change set that copy is the whole change set a second time,
 * and the committing user waits for it: applying a 200,000-record package
 * spent 3.3 s of its 4.3 s commit there.  A long-running process (the
 * daemon) hands checkpoints to a thread of its own instead, with its own
 * connection to each database.  The commit returns once the log is written;
 * readers never need a checkpoint; a crash before the copy loses nothing
 * (the log is the database's, and is replayed when it is next opened).
 *
 * Checkpoints are PASSIVE: they copy what no reader still needs and never
 * wait for a writer, so the engine's own connections never block on them.
 * The log restarts from its beginning at the first commit after a complete
 * copy and is cut back to journal_size_limit then.
 *
 * The same thread also reads each database into the page cache once, in
 * 64 MB steps between checkpoints, while they fit in a quarter of the
 * memory available when it starts.  Right after a mount the first reads
 * of an instance otherwise wait on the disk for one 4 KB page after
 * another, in the order of file names rather than of the file: a fresh
 * `tar` of a 100,000-object instance took 3.4-6.0 s, and 2.4-2.6 s once
 * the database (113 MB, read in about 0.1 s) was in memory.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "internal.h"
#include "tenantfs/error.h"

/* Ask for a checkpoint once the log holds this many pages (SQLite's own
 * automatic threshold). */
#define CKPT_PAGES 1000

/* Read ahead this much at a time, so a checkpoint never waits long. */
#define PREFETCH_STEP ((off_t)64 << 20)

/* One database: its path and the thread's own connection to it. */
struct ckpt_db {
	struct tfs_ckpt *ck;
	char *path;
	sqlite3 *db;       /* opened by the thread on first use */
	bool due;          /* under ck->mu */
	bool reopen;       /* under ck->mu: the file was replaced */
	off_t ahead, size; /* read ahead so far, of size (-1: not yet) */
};

struct tfs_ckpt {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	bool stop;
	struct ckpt_db **dbs;
	size_t n;
	off_t budget; /* bytes still to read ahead, at most */
};

/* sqlite3_wal_hook: runs in the committing thread after each commit. */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct ckpt_db *d = arg;

	(void)db;
	(void)name;
	if (pages < CKPT_PAGES)
		return SQLITE_OK;
	pthread_mutex_lock(&d->ck->mu);
	d->due = true;
	pthread_cond_signal(&d->ck->cond);
	pthread_mutex_unlock(&d->ck->mu);
	return SQLITE_OK;
}

/* The thread's own connection to d (opened on first use), or NULL. */
static sqlite3 *own_db(struct ckpt_db *d)
{
	if (d->db)
		return d->db;
	if (sqlite3_open_v2(d->path, &d->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(d->db, 1000);
	/* A new connection knows the database is in WAL mode only once it
	 * has read it. */
	if (sqlite3_exec(d->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) !=
	    SQLITE_OK)
		goto fail;
	return d->db;
fail:
	sqlite3_close(d->db);
	d->db = NULL;
	return NULL; /* the next commit asks again */
}

static void checkpoint(struct ckpt_db *d)
{
	/* Failures (SQLITE_BUSY while another checkpoint runs, I/O errors)
	 * leave the log as it is: it stays valid and the next commit asks
	 * again; closing the last connection checkpoints too. */
	if (own_db(d))
		sqlite3_wal_checkpoint_v2(d->db, "main",
					  SQLITE_CHECKPOINT_PASSIVE, NULL,
					  NULL);
}

/*
 * The next step of reading database d into the page cache (d->size set
 * on the first step, against the budget); mu not held.
 *
 * Read through a connection of the thread's own (its VFS handle), never a
 * descriptor of ours: closing any descriptor of a file drops every fcntl
 * lock the process holds on it, and with them the shared lock that tells
 * other SQLite clients the daemon still has the database open (one
 * closing would then remove the write-ahead log under the daemon).
 * SQLite's own close keeps the descriptor while other connections hold
 * locks.  A connection opened here is closed after the step, so that an
 * instance nobody writes holds none (descriptors: one store may hold
 * hundreds of instances).
 */
static void read_ahead(struct tfs_ckpt *ck, struct ckpt_db *d)
{
	bool opened = !d->db;
	sqlite3_file *f = NULL;
	struct stat sb;

	if (d->size < 0) {
		if (stat(d->path, &sb) < 0)
			sb.st_size = 0;
		pthread_mutex_lock(&ck->mu);
		d->size = sb.st_size <= ck->budget ? sb.st_size : 0;
		ck->budget -= d->size;
		pthread_mutex_unlock(&ck->mu);
	}
	if (d->ahead >= d->size)
		return;
	if (!own_db(d) ||
	    sqlite3_file_control(d->db, "main", SQLITE_FCNTL_FILE_POINTER,
				 &f) != SQLITE_OK ||
	    !f || !f->pMethods) {
		d->ahead = d->size; /* unreadable: stop */
	} else {
		/* Plain reads: posix_fadvise(WILLNEED) reads no more than
		 * the device's largest request (16 MB here) per call. */
		const int chunk = 1 << 20;
		char *scratch = malloc(chunk);
		off_t end = d->size - d->ahead < PREFETCH_STEP ?
				    d->size :
				    d->ahead + PREFETCH_STEP;
		int rc = scratch ? SQLITE_OK : SQLITE_NOMEM;

		while (rc == SQLITE_OK && d->ahead < end) {
			int n = end - d->ahead < chunk ? (int)(end - d->ahead) :
							 chunk;

			/* SQLITE_IOERR_SHORT_READ: the file shrank */
			if ((rc = f->pMethods->xRead(f, scratch, n,
						     d->ahead)) == SQLITE_OK)
				d->ahead += n;
		}
		if (rc != SQLITE_OK)
			d->ahead = d->size; /* gone, unreadable: stop */
		free(scratch);
	}
	if (opened && d->db) {
		sqlite3_close(d->db);
		d->db = NULL;
	}
}

static void *run(void *arg)
{
	struct tfs_ckpt *ck = arg;
	size_t i;

	pthread_mutex_lock(&ck->mu);
	for (;;) {
		struct ckpt_db *d = NULL, *ahead = NULL;
		bool reopen;

		for (i = 0; i < ck->n && !d; i++) {
			if (ck->dbs[i]->due)
				d = ck->dbs[i];
			else if (!ahead &&
				 (ck->dbs[i]->size < 0 ||
				  ck->dbs[i]->ahead < ck->dbs[i]->size))
				ahead = ck->dbs[i];
		}
		if (ck->stop)
			break;
		if (!d && ahead) {
			pthread_mutex_unlock(&ck->mu);
			read_ahead(ck, ahead);
			pthread_mutex_lock(&ck->mu);
			continue;
		}
		if (!d) {
			pthread_cond_wait(&ck->cond, &ck->mu);
			continue;
		}
		d->due = false;
		reopen = d->reopen;
		d->reopen = false;
		pthread_mutex_unlock(&ck->mu);
		if (reopen && d->db) {
			/* the old file: unlinked, so closing skips its
			 * checkpoint */
			sqlite3_close(d->db);
			d->db = NULL;
		}
		checkpoint(d);
		pthread_mutex_lock(&ck->mu);
	}
	pthread_mutex_unlock(&ck->mu);
	return NULL;
}

int ckpt_start(struct tfs_ckpt **out)
{
	struct tfs_ckpt *ck = calloc(1, sizeof(*ck));

	*out = NULL;
	if (!ck)
		return tfs_error_set(TFS_ERROR, "out of memory");
	pthread_mutex_init(&ck->mu, NULL);
	pthread_cond_init(&ck->cond, NULL);
	ck->budget = (off_t)sysconf(_SC_AVPHYS_PAGES) / 4 *
		     (off_t)sysconf(_SC_PAGESIZE);
	if (pthread_create(&ck->thread, NULL, run, ck) != 0) {
		pthread_cond_destroy(&ck->cond);
		pthread_mutex_destroy(&ck->mu);
		free(ck);
		return tfs_error_set(TFS_ERROR, "cannot start the checkpoint "
						"thread");
	}
	*out = ck;
	return 0;
}

int ckpt_attach(struct tfs_ckpt *ck, db_conn *c, const char *path)
{
	struct ckpt_db *d, **v;

	d = calloc(1, sizeof(*d));
	if (!d || !(d->path = strdup(path))) {
		free(d);
		return tfs_error_set(TFS_ERROR, "out of memory");
	}
	d->ck = ck;
	d->size = -1;
	pthread_mutex_lock(&ck->mu);
	v = realloc(ck->dbs, (ck->n + 1) * sizeof(*v));
	if (v) {
		ck->dbs = v;
		ck->dbs[ck->n++] = d;
		pthread_cond_signal(&ck->cond);
	}
	pthread_mutex_unlock(&ck->mu);
	if (!v) {
		free(d->path);
		free(d);
		return tfs_error_set(TFS_ERROR, "out of memory");
	}
	/* Replaces SQLite's automatic checkpoint (itself a WAL hook). */
	sqlite3_wal_hook(c->db, wal_hook, d);
	return db_exec(c, "PRAGMA journal_size_limit=67108864");
}

void ckpt_renew(struct tfs_ckpt *ck, db_conn *c, const char *path)
{
	struct ckpt_db *d = NULL;
	size_t i;

	pthread_mutex_lock(&ck->mu);
	for (i = 0; i < ck->n; i++) /* the newest of that path */
		if (strcmp(ck->dbs[i]->path, path) == 0)
			d = ck->dbs[i];
	if (d) {
		d->reopen = d->due = true;
		pthread_cond_signal(&ck->cond);
	}
	pthread_mutex_unlock(&ck->mu);
	if (!d)
		return;
	sqlite3_wal_hook(c->db, wal_hook, d);
	if (db_exec(c, "PRAGMA journal_size_limit=67108864") < 0)
		tfs_error_clear();
}

void ckpt_stop(struct tfs_ckpt *ck)
{
	size_t i;

	if (!ck)
		return;
	pthread_mutex_lock(&ck->mu);
	ck->stop = true;
	pthread_cond_signal(&ck->cond);
	pthread_mutex_unlock(&ck->mu);
	pthread_join(ck->thread, NULL);
	for (i = 0; i < ck->n; i++) {
		sqlite3_close(ck->dbs[i]->db);
		free(ck->dbs[i]->path);
		free(ck->dbs[i]);
	}
	free(ck->dbs);
	pthread_cond_destroy(&ck->cond);
	pthread_mutex_destroy(&ck->mu);
	free(ck);
}
