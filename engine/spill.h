/*
 * Spill log: an append-only list of small records, read back in order.
 *
 * A change set lists every object it touched, to check their references
 * and to tell the kernel's caches afterwards (change.c).  A package of a
 * million records would keep a million such entries; the log keeps the
 * first SPILL_MEM bytes in memory and writes the rest to an unlinked
 * temporary file in the store's directory, so the entries cost no memory
 * beyond that, whatever their number.
 */
#ifndef TFS_SPILL_H
#define TFS_SPILL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The largest record (its length is stored in two bytes). */
#define SPILL_REC_MAX 65535

struct spill {
	const char *dir;    /* where the temporary file goes (not owned) */
	int fd;             /* the file, when has_fd */
	bool has_fd;        /* a zeroed struct spill is an empty log */
	off_t filed;        /* bytes written to the file */
	unsigned char *buf; /* the records after those in the file */
	size_t len, cap;
	size_t count; /* records appended */
};

/* An empty log whose temporary file, if one is needed, goes in `dir`. */
void spill_init(struct spill *sp, const char *dir);
/* Remove every record and free the memory; closes the file. */
void spill_free(struct spill *sp);
/* Append `len` bytes (at most SPILL_REC_MAX) as one record. */
int spill_append(struct spill *sp, const void *rec, size_t len);

/* Reads the records appended before spill_read_begin(), in order. */
struct spill_reader {
	const struct spill *sp;
	off_t off, end;     /* the file part still to read */
	size_t mem_len;     /* the memory part at the start */
	bool in_mem;        /* the file part is done */
	unsigned char *buf; /* file bytes read, [pos, len) unconsumed */
	size_t pos, len, cap;
};

void spill_read_begin(struct spill_reader *r, const struct spill *sp);
/* The next record in *rec (valid until the next call) and *len: 1; at the
 * end 0; an error (the file cannot be read) < 0. */
int spill_read(struct spill_reader *r, const void **rec, size_t *len);
void spill_read_end(struct spill_reader *r);

#endif
