/*
 * A growable byte buffer.  `ptr` is always NUL-terminated after a
 * successful call (the NUL is not counted in `size`), so text can be used
 * as a C string.  A zeroed tfs_buf is a valid empty buffer.
 */
#ifndef TENANTFS_BUF_H
#define TENANTFS_BUF_H

#include <stddef.h>

typedef struct tfs_buf {
	char *ptr;
	size_t size;
	size_t asize;
} tfs_buf;

/* clang-format off */
#define TFS_BUF_INIT { NULL, 0, 0 }
/* clang-format on */

int tfs_buf_grow(tfs_buf *b, size_t need);
int tfs_buf_put(tfs_buf *b, const void *data, size_t len);
int tfs_buf_puts(tfs_buf *b, const char *s);
int tfs_buf_printf(tfs_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void tfs_buf_clear(tfs_buf *b);
void tfs_buf_free(tfs_buf *b);
/* Hand the memory to the caller (who frees it); the buffer becomes empty. */
char *tfs_buf_detach(tfs_buf *b, size_t *len);

#endif
