/*
 * Loose objects stored without compression (part of history.c; see
 * history_int.h).
 *
 * A save in a directory of 10^5 entries rewrites a tree of several MB.
 * history_tree.c stores such trees as loose objects made of zlib "stored"
 * blocks: git and libgit2 read them like any loose object, and writing
 * them costs a copy instead of a deflate.
 *
 * Why not libgit2's loose writer (git_odb_write): measured 2026-12-07 on
 * the 2-core test machine, a tree-like object of 55,000 entries (2.2 MB),
 * best of 7, fsync off.  libgit2 1.5.1's loose backend took 31-44 ms at
 * its default level (1; hashing included), these stored blocks 1.4 ms
 * plus 2.5 ms for the id (sha1.c).  At compression level 0 libgit2 took
 * 6.3-6.7 ms but wrote objects git rejects: `git cat-file` and `git fsck`
 * fail with "inflate: data stream error (incorrect header check)".  The
 * test against the library is test_loose in tests/unit/test_history.c:
 * what is written here reads back through libgit2 (git_odb_read) with its
 * bytes, and `git fsck --strict` accepts it.
 *
 * Writing gathers each block's 5-byte header and the caller's bytes with
 * writev(), and checksums with zlib's adler32_z.  They are read back
 * through libgit2 (git_odb_read) like any loose object.
 *
 * New objects are not written into objects/ directly but into a staging
 * directory (struct hist_stage, history_stage.c), where the writer
 * handle's object database reads them too; when the commit is written,
 * hist_stage_settle() makes them all durable at once and only then names
 * them in objects/: a name git finds never holds a torn object, which a
 * later save of the same tree would trust.  The fsync helpers at the end
 * of this file serve history.c, history_blobs.c and history_stage.c too.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <zlib.h>

#include "history_int.h"
#include "tenantfs/error.h"

#define STORED_BLOCK 65535u /* the most a stored block holds */

/* A zlib stream's header: deflate, 32 KB window, no dictionary. */
static const unsigned char zhead[2] = { 0x78, 0x01 };

/* The 5 bytes before a stored block of len bytes (at a byte boundary). */
static void block_header(unsigned char bh[5], size_t len, bool last)
{
	bh[0] = last;
	bh[1] = (unsigned char)len;
	bh[2] = (unsigned char)(len >> 8);
	bh[3] = (unsigned char)~len;
	bh[4] = (unsigned char)(~len >> 8);
}

/* The stream's trailer: the adler32 of the content, big-endian. */
static void adler_trailer(unsigned char out[4], uint32_t adler)
{
	out[0] = (unsigned char)(adler >> 24);
	out[1] = (unsigned char)(adler >> 16);
	out[2] = (unsigned char)(adler >> 8);
	out[3] = (unsigned char)adler;
}

/* objects/xx/yyyy... of `id` into path; the fan-out directory is the
 * first `dirlen` bytes. */
int hist_object_path(char *path, size_t size, size_t *dirlen,
		     const char *objects, const git_oid *id)
{
	char hex[GIT_OID_HEXSZ + 1];
	int n;

	git_oid_tostr(hex, sizeof(hex), id);
	n = snprintf(path, size, "%s/%.2s/%s", objects, hex, hex + 2);
	if (n < 0 || (size_t)n >= size)
		return tfs_error_set(TFS_ERROR, "git: path too long");
	*dirlen = strlen(objects) + 3;
	return 0;
}

/* Write the iovecs v[0..n) whole, however the kernel splits them. */
static int write_iov(int fd, struct iovec *v, int n)
{
	ssize_t done;

	while (n > 0) {
		done = writev(fd, v, n);
		if (done < 0 && errno == EINTR)
			continue;
		if (done <= 0)
			return -1;
		while (n > 0 && (size_t)done >= v->iov_len) {
			done -= (ssize_t)v->iov_len;
			v++;
			n--;
		}
		if (n > 0) {
			v->iov_base = (char *)v->iov_base + done;
			v->iov_len -= (size_t)done;
		}
	}
	return 0;
}

/*
 * The object as zlib stored blocks into fd: the zlib header, then the
 * object's header and data cut into blocks, then the checksum.  One
 * writev() per block: the page cache takes a write in folios as large as
 * the write, and finding a free 2 MB folio for a 3 MB write cost more
 * than the copy (6-9 ms against 1 ms in 64 KB writes, kernel 6.18).
 */
static int write_blocks(int fd, const char *hdr, size_t hlen, const char *data,
			size_t len)
{
	size_t total = hlen + len, at = 0, blk, take;
	unsigned char bh[5], tail[4];
	struct iovec v[5];
	uint32_t adler;
	bool last = false;
	int n;

	adler = (uint32_t)adler32_z(1, (const Bytef *)hdr, hlen);
	adler = (uint32_t)adler32_z(adler, (const Bytef *)data, len);
	adler_trailer(tail, adler);
	while (!last) {
		n = 0;
		if (at == 0)
			v[n++] = (struct iovec){ (void *)zhead, sizeof(zhead) };
		blk = total - at < STORED_BLOCK ? total - at : STORED_BLOCK;
		last = at + blk == total;
		block_header(bh, blk, last);
		v[n++] = (struct iovec){ bh, sizeof(bh) };
		for (; blk > 0; blk -= take, at += take) {
			if (at < hlen) {
				take = hlen - at < blk ? hlen - at : blk;
				v[n++] = (struct iovec){ (void *)(hdr + at),
							 take };
			} else {
				take = blk;
				v[n++] = (struct iovec){
					(void *)(data + (at - hlen)), take
				};
			}
		}
		if (last)
			v[n++] = (struct iovec){ tail, sizeof(tail) };
		if (write_iov(fd, v, n) < 0)
			return -1;
	}
	return 0;
}

/* A temporary file in `objects` for an object being written, into tmp. */
static int temp_object(char tmp[4300], const char *objects)
{
	int fd;

	snprintf(tmp, 4300, "%s/tfs-tmp-obj-XXXXXX", objects);
	if ((fd = mkstemp(tmp)) < 0)
		return tfs_error_set(hist_errno(), "git: %s: %s", tmp,
				     strerror(errno));
	return fd;
}

/* Give the written temporary file `tmp` its place as object `id` in the
 * fan-out directory of `objects`, like git. */
static int place_in(const char *tmp, const char *objects, const git_oid *id)
{
	char path[4200];
	size_t dirlen;
	int error;

	if ((error = hist_object_path(path, sizeof(path), &dirlen, objects,
				      id)) < 0)
		return error;
	path[dirlen] = '\0';
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return tfs_error_set(hist_errno(), "git: mkdir %s: %s", path,
				     strerror(errno));
	path[dirlen] = '/';
	if (rename(tmp, path) < 0)
		return tfs_error_set(hist_errno(), "git: rename %s: %s", tmp,
				     strerror(errno));
	return 0;
}

/* Stage the written temporary file `tmp` as object `id` (w->stage). */
static int place_object(const char *tmp, const struct tree_writer *w,
			const git_oid *id)
{
	int error;

	if ((error = place_in(tmp, w->stage->dir, id)) < 0)
		return error;
	return hist_stage_note(w->stage, id);
}

int hist_loose_write(const struct tree_writer *w, const git_oid *id,
		     const char *type, const char *data, size_t len)
{
	char path[4200], tmp[4300], hdr[64];
	struct stat sb;
	size_t dirlen;
	int fd, hlen, error;

	if ((error = hist_object_path(path, sizeof(path), &dirlen, w->objects,
				      id)) < 0)
		return error;
	if (stat(path, &sb) == 0)
		return 0;
	if ((fd = temp_object(tmp, w->stage->dir)) < 0)
		return fd;
	hlen = snprintf(hdr, sizeof(hdr), "%s %zu", type, len) + 1;
	if (write_blocks(fd, hdr, (size_t)hlen, data, len) < 0 ||
	    fchmod(fd, 0444) < 0) {
		error = tfs_error_set(TFS_ERROR, "git: write %s: %s", tmp,
				      strerror(errno ? errno : ENOMEM));
		close(fd);
		unlink(tmp);
		return error;
	}
	if (close(fd) < 0)
		error = tfs_error_set(hist_errno(), "git: %s: %s", tmp,
				      strerror(errno));
	else
		error = place_object(tmp, w, id);
	if (error < 0)
		unlink(tmp);
	return error;
}

/*
 * A loose stored object written as it is made, for trees too large to
 * hold twice (a directory of 10^6 files is a 50 MB tree): its length
 * comes first, then its bytes in any pieces; the id is known at the end.
 */
struct hist_loose_stream {
	int fd;
	char tmp[4300];
	const struct tree_writer *w;
	hist_sha1 sha;
	uint32_t adler;
	size_t total, done; /* zlib content: header and data */
	size_t have;        /* bytes waiting in blk */
	bool started;       /* the zlib header is out */
	unsigned char blk[STORED_BLOCK];
};

/* Write blk[0..have) as one stored block. */
static int stream_block(struct hist_loose_stream *s)
{
	unsigned char bh[5];
	struct iovec v[3];
	int n = 0;

	s->done += s->have;
	block_header(bh, s->have, s->done == s->total);
	if (!s->started)
		v[n++] = (struct iovec){ (void *)zhead, sizeof(zhead) };
	s->started = true;
	v[n++] = (struct iovec){ bh, sizeof(bh) };
	v[n++] = (struct iovec){ s->blk, s->have };
	s->have = 0;
	return write_iov(s->fd, v, n);
}

static int stream_put(struct hist_loose_stream *s, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t take;

	if (len > s->total - s->done - s->have)
		return tfs_error_set(TFS_ERROR, "git: object longer than "
						"announced");
	hist_sha1_update(&s->sha, p, len);
	s->adler = (uint32_t)adler32_z(s->adler, p, len);
	while (len > 0) {
		take = STORED_BLOCK - s->have < len ? STORED_BLOCK - s->have :
						      len;
		memcpy(s->blk + s->have, p, take);
		s->have += take;
		p += take;
		len -= take;
		if (s->have == STORED_BLOCK && stream_block(s) < 0)
			return tfs_error_set(hist_errno(), "git: write %s: %s",
					     s->tmp, strerror(errno));
	}
	return 0;
}

int hist_loose_stream_open(struct hist_loose_stream **out,
			   const struct tree_writer *w, const char *type,
			   size_t len)
{
	struct hist_loose_stream *s = calloc(1, sizeof(*s));
	char hdr[64];
	int hlen, error;

	*out = NULL;
	if (!s)
		return tfs_error_set(TFS_ERROR, "out of memory");
	s->w = w;
	if ((error = hist_sha1_init(&s->sha)) < 0) {
		free(s);
		return error;
	}
	if ((s->fd = temp_object(s->tmp, w->stage->dir)) < 0) {
		error = s->fd;
		hist_sha1_free(&s->sha);
		free(s);
		return error;
	}
	hlen = snprintf(hdr, sizeof(hdr), "%s %zu", type, len) + 1;
	s->total = (size_t)hlen + len;
	s->adler = 1;
	*out = s;
	return stream_put(s, hdr, (size_t)hlen);
}

int hist_loose_stream_write(struct hist_loose_stream *s, const void *data,
			    size_t len)
{
	return stream_put(s, data, len);
}

int hist_loose_stream_close(struct hist_loose_stream *s, git_oid *id)
{
	unsigned char tail[4];
	int error;

	if (s->done + s->have != s->total)
		return tfs_error_set(TFS_ERROR, "git: object shorter than "
						"announced");
	if ((error = hist_sha1_final(&s->sha, id->id)) < 0)
		return error;
	adler_trailer(tail, s->adler);
	/* The last block, unless a full one ended the content. */
	if (s->have > 0 && stream_block(s) < 0)
		return tfs_error_set(hist_errno(), "git: write %s: %s", s->tmp,
				     strerror(errno));
	if (write_iov(s->fd, &(struct iovec){ tail, sizeof(tail) }, 1) < 0 ||
	    fchmod(s->fd, 0444) < 0)
		return tfs_error_set(hist_errno(), "git: write %s: %s", s->tmp,
				     strerror(errno));
	if (git_odb_exists_ext(s->w->odb, id, GIT_ODB_LOOKUP_NO_REFRESH) == 1)
		return 0; /* hist_loose_stream_free drops the copy */
	error = close(s->fd);
	s->fd = -1;
	if (error < 0)
		return tfs_error_set(hist_errno(), "git: %s: %s", s->tmp,
				     strerror(errno));
	if ((error = place_object(s->tmp, s->w, id)) < 0)
		return error;
	s->tmp[0] = '\0';
	return 0;
}

void hist_loose_stream_free(struct hist_loose_stream *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	if (s->tmp[0])
		unlink(s->tmp);
	hist_sha1_free(&s->sha);
	free(s);
}

/* ---- durability --------------------------------------------------------- */

/*
 * fdatasync (files) or fsync (directories) every fd of fds[0..n) at once:
 * one thread each, up to SYNC_THREADS.  Concurrent syncs of one file
 * system share its journal commits (ext4 and xfs group them), so k new
 * files cost about one commit's wait, not k in a row: a one-file save
 * writes five objects into five fan-out directories, ten syncs, which in
 * a row took about 45 ms of a 70 ms save here.
 */
#define SYNC_THREADS 16

struct sync_job {
	const int *fds;
	size_t n;
	bool dirs;
	_Atomic size_t next;
	_Atomic int err;
};

static void *sync_run(void *arg)
{
	struct sync_job *j = arg;
	size_t i;
	int rc;

	while ((i = atomic_fetch_add(&j->next, 1)) < j->n) {
		rc = j->dirs ? fsync(j->fds[i]) : fdatasync(j->fds[i]);
		if (rc < 0)
			atomic_store(&j->err, errno);
	}
	return NULL;
}

static int sync_all(tfs_history *h, const int *fds, size_t n, bool dirs)
{
	struct sync_job j = { .fds = fds, .n = n, .dirs = dirs };
	pthread_t t[SYNC_THREADS];
	size_t k = 0, want = n < SYNC_THREADS ? n : SYNC_THREADS;
	int err;

	if (!atomic_load(&h->fsync) || n == 0)
		return 0;
	atomic_init(&j.next, 0);
	atomic_init(&j.err, 0);
	atomic_fetch_add(&h->fsyncs, n);
	/* This thread is one of them; a thread that cannot start leaves
	 * its share to the others. */
	while (k + 1 < want && pthread_create(&t[k], NULL, sync_run, &j) == 0)
		k++;
	sync_run(&j);
	while (k > 0)
		pthread_join(t[--k], NULL);
	if ((err = atomic_load(&j.err)) != 0)
		return tfs_error_set(TFS_ERROR, "git: fsync: %s",
				     strerror(err));
	return 0;
}

int hist_sync_fds(tfs_history *h, const int *fds, size_t n)
{
	return sync_all(h, fds, n, false);
}

int hist_fsync_fds(tfs_history *h, const int *fds, size_t n)
{
	return sync_all(h, fds, n, true);
}

int hist_sync_fd(tfs_history *h, int fd, const char *what)
{
	if (!atomic_load(&h->fsync))
		return 0;
	atomic_fetch_add(&h->fsyncs, 1);
	if (fdatasync(fd) < 0)
		return tfs_error_set(hist_errno(), "git: fsync %s: %s", what,
				     strerror(errno));
	return 0;
}

/* Open the directories paths[0..n) and fsync them at once. */
static int sync_dir_paths(tfs_history *h, char *const *paths, size_t n)
{
	int fds[HIST_DIRS_MAX + 1] = { 0 };
	size_t i, k = 0;
	int error = 0;

	if (!atomic_load(&h->fsync))
		return 0;
	for (i = 0; i < n && error == 0; i++) {
		fds[k] = open(paths[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fds[k] < 0)
			error = tfs_error_set(hist_errno(), "git: open %s: %s",
					      paths[i], strerror(errno));
		else
			k++;
	}
	if (error == 0)
		error = sync_all(h, fds, k, true);
	while (k > 0)
		close(fds[--k]);
	return error;
}

int hist_sync_dir(tfs_history *h, const char *path)
{
	char *p = (char *)path;

	return sync_dir_paths(h, &p, 1);
}

void hist_dirs_clear(struct hist_dirs *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->path[i]);
	d->n = 0;
}

int hist_dirs_note(struct hist_dirs *d, tfs_history *h, const char *path)
{
	size_t i;

	if (!atomic_load(&h->fsync))
		return 0;
	for (i = 0; i < d->n; i++)
		if (strcmp(d->path[i], path) == 0)
			return 0;
	if (d->n == HIST_DIRS_MAX)
		return hist_sync_dir(h, path);
	if (!(d->path[d->n] = strdup(path)))
		return tfs_error_set(TFS_ERROR, "out of memory");
	d->n++;
	return 0;
}

int hist_sync_dirs(struct hist_dirs *d, tfs_history *h)
{
	int error = sync_dir_paths(h, d->path, d->n);

	hist_dirs_clear(d);
	return error;
}
