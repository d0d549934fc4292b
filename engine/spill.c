/*
 * Spill log (spill.h).  Records are framed as two bytes of length (little
 * endian) and the bytes.  The memory part only ever holds whole records
 * and is written to the file whole, so no record straddles the two.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spill.h"
#include "tenantfs/error.h"

/* Bytes kept in memory before the log goes to its file. */
#define SPILL_MEM ((size_t)1 << 20)
/* Bytes of the file read at a time. */
#define SPILL_READ ((size_t)256 << 10)

void spill_init(struct spill *sp, const char *dir)
{
	memset(sp, 0, sizeof(*sp));
	sp->dir = dir;
}

void spill_free(struct spill *sp)
{
	if (sp->has_fd)
		close(sp->fd);
	free(sp->buf);
	spill_init(sp, sp->dir);
}

/* An unlinked file in sp->dir (O_TMPFILE, or a named one removed at once
 * where the filesystem has no O_TMPFILE). */
static int open_file(struct spill *sp)
{
	char path[4096];
	int fd = open(sp->dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0 &&
	    (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
		snprintf(path, sizeof(path), "%s/.spill-XXXXXX", sp->dir);
		fd = mkostemp(path, O_CLOEXEC);
		if (fd >= 0)
			unlink(path);
	}
	if (fd < 0)
		return tfs_error_set(TFS_ERROR, "temporary file in %s: %s",
				     sp->dir, strerror(errno));
	sp->fd = fd;
	sp->has_fd = true;
	return 0;
}

/* Move the memory part to the end of the file. */
static int write_out(struct spill *sp)
{
	size_t done = 0;
	ssize_t n;
	int error;

	if (!sp->has_fd && (error = open_file(sp)) < 0)
		return error;
	while (done < sp->len) {
		n = pwrite(sp->fd, sp->buf + done, sp->len - done,
			   sp->filed + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return tfs_error_set(TFS_ERROR,
					     "temporary file in %s:"
					     " %s",
					     sp->dir,
					     n < 0 ? strerror(errno) :
						     "short write");
		done += (size_t)n;
	}
	sp->filed += (off_t)sp->len;
	sp->len = 0;
	return 0;
}

int spill_append(struct spill *sp, const void *rec, size_t len)
{
	size_t need = 2 + len, cap;
	unsigned char *p;
	int error;

	if (len > SPILL_REC_MAX)
		return tfs_error_set(TFS_EINVALID, "record too large");
	if (sp->len + need > SPILL_MEM && sp->len &&
	    (error = write_out(sp)) < 0)
		return error;
	if (sp->len + need > sp->cap) {
		cap = sp->cap ? sp->cap : 4096;
		while (cap < sp->len + need)
			cap *= 2;
		if (!(p = realloc(sp->buf, cap)))
			return tfs_error_set(TFS_ERROR, "out of memory");
		sp->buf = p;
		sp->cap = cap;
	}
	p = sp->buf + sp->len;
	p[0] = (unsigned char)(len & 0xff);
	p[1] = (unsigned char)(len >> 8);
	memcpy(p + 2, rec, len);
	sp->len += need;
	sp->count++;
	return 0;
}

void spill_read_begin(struct spill_reader *r, const struct spill *sp)
{
	memset(r, 0, sizeof(*r));
	r->sp = sp;
	r->end = sp->filed;
	r->mem_len = sp->len;
	r->in_mem = sp->filed == 0;
}

void spill_read_end(struct spill_reader *r)
{
	free(r->buf);
	r->buf = NULL;
}

/* Read more of the file behind the unconsumed bytes: 1, 0 at its end. */
static int refill(struct spill_reader *r)
{
	size_t want;
	ssize_t n;

	if (r->off >= r->end)
		return 0;
	if (!r->buf && !(r->buf = malloc(SPILL_READ + 2 + SPILL_REC_MAX)))
		return tfs_error_set(TFS_ERROR, "out of memory");
	memmove(r->buf, r->buf + r->pos, r->len - r->pos);
	r->len -= r->pos;
	r->pos = 0;
	want = SPILL_READ;
	if ((off_t)want > r->end - r->off)
		want = (size_t)(r->end - r->off);
	do
		n = pread(r->sp->fd, r->buf + r->len, want, r->off);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return tfs_error_set(TFS_ERROR, "temporary file in %s: %s",
				     r->sp->dir,
				     n < 0 ? strerror(errno) : "cut short");
	r->len += (size_t)n;
	r->off += n;
	return 1;
}

/* The next record of [p + *pos, p + len), if it is there whole. */
static bool take(const unsigned char *p, size_t *pos, size_t len,
		 const void **rec, size_t *rlen)
{
	size_t n;

	if (len - *pos < 2)
		return false;
	n = (size_t)p[*pos] | (size_t)p[*pos + 1] << 8;
	if (len - *pos - 2 < n)
		return false;
	*rec = p + *pos + 2;
	*rlen = n;
	*pos += 2 + n;
	return true;
}

int spill_read(struct spill_reader *r, const void **rec, size_t *len)
{
	int more;

	while (!r->in_mem) {
		if (take(r->buf, &r->pos, r->len, rec, len))
			return 1;
		if ((more = refill(r)) < 0)
			return more;
		if (more)
			continue;
		if (r->pos != r->len)
			return tfs_error_set(TFS_ERROR,
					     "temporary file in %s:"
					     " a record is cut",
					     r->sp->dir);
		r->in_mem = true;
		r->pos = 0;
	}
	return take(r->sp->buf, &r->pos, r->mem_len, rec, len) ? 1 : 0;
}
