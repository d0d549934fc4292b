/*
 * Growable byte buffer.  Invariant: when ptr is non-NULL, ptr[size] == '\0'
 * and size < asize.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenantfs/buf.h"
#include "tenantfs/error.h"

int tfs_buf_grow(tfs_buf *b, size_t need)
{
	size_t want;
	char *p;

	if (need < b->asize)
		return 0;
	want = b->asize ? b->asize : 64;
	while (want <= need) {
		if (want > ((size_t)-1) / 2)
			return tfs_error_set(TFS_ERROR, "buffer too large");
		want *= 2;
	}
	p = realloc(b->ptr, want);
	if (!p)
		return tfs_error_set(TFS_ERROR, "out of memory");
	if (!b->ptr)
		p[0] = '\0';
	b->ptr = p;
	b->asize = want;
	return 0;
}

int tfs_buf_put(tfs_buf *b, const void *data, size_t len)
{
	if (len > ((size_t)-1) - b->size - 1)
		return tfs_error_set(TFS_ERROR, "buffer too large");
	if (tfs_buf_grow(b, b->size + len) < 0)
		return TFS_ERROR;
	if (len)
		memcpy(b->ptr + b->size, data, len);
	b->size += len;
	b->ptr[b->size] = '\0';
	return 0;
}

int tfs_buf_puts(tfs_buf *b, const char *s)
{
	return tfs_buf_put(b, s, strlen(s));
}

int tfs_buf_printf(tfs_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (tfs_buf_grow(b, b->size + 64) < 0)
		return TFS_ERROR;
	va_start(ap, fmt);
	n = vsnprintf(b->ptr + b->size, b->asize - b->size, fmt, ap);
	va_end(ap);
	if (n < 0)
		return tfs_error_set(TFS_ERROR, "format error");
	if ((size_t)n >= b->asize - b->size) {
		if (tfs_buf_grow(b, b->size + (size_t)n) < 0)
			return TFS_ERROR;
		va_start(ap, fmt);
		vsnprintf(b->ptr + b->size, b->asize - b->size, fmt, ap);
		va_end(ap);
	}
	b->size += (size_t)n;
	return 0;
}

void tfs_buf_clear(tfs_buf *b)
{
	b->size = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

void tfs_buf_free(tfs_buf *b)
{
	if (!b)
		return;
	free(b->ptr);
	b->ptr = NULL;
	b->size = b->asize = 0;
}

char *tfs_buf_detach(tfs_buf *b, size_t *len)
{
	char *p = b->ptr;

	if (!p)
		p = calloc(1, 1);
	if (len)
		*len = b->size;
	b->ptr = NULL;
	b->size = b->asize = 0;
	return p;
}
