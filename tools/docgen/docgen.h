/*
 * The document writer the content generators share (tools/docgen/docgen.c):
 * the scale generator (tools/generate/) and the demo's record generator
 * (tools/demo/).  It writes plain XML for the caller's put function, which
 * passes it through the document gate; a random stream, times and guids
 * that depend only on their labels keep output reproducible.  The labels
 * hashed for the stream and the guids still say "tenantfs-demo": changing
 * them would change every generated document.
 *
 * A dg_gen writes one document at a time into its buffer:
 *
 *	dg_begin(g, TFS_KIND_METADATA, "Form", "Form", "Incident.Default",
 *		   "Incident");
 *	dg_el(g, "FieldRef");
 *	dg_attr(g, "name", "Subject");
 *	dg_end(g);
 *	dg_finish(g, mtime);		(closes what is open, calls put)
 *
 * Errors are sticky: the first failure (out of memory, or a nonzero return
 * of the caller's put function) is kept in g->error, every later call is a
 * no-op, and dg_finish() returns it.  Generators therefore check the
 * return of dg_finish() only, to stop early.
 */
#ifndef TENANTFS_DOCGEN_H
#define TENANTFS_DOCGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenantfs/buf.h"
#include "tenantfs/seed.h"

#define DG_HOUR     ((int64_t)3600)
#define DG_DAY      ((int64_t)86400)
#define DG_MAXDEPTH 16

typedef struct dg_gen {
	tfs_put_fn put;
	void *ctx;
	int64_t now;
	int64_t install; /* when the tenant was set up, a year ago */
	uint64_t rng;
	int error; /* first failure; sticky */
	tfs_buf buf;
	/* the document being written */
	tfs_kind kind;
	char type[128];
	char name[256];
	const char *stack[DG_MAXDEPTH];
	int depth;
	bool open; /* a start tag is not yet closed by '>' */
} dg_gen;

/* Random numbers: a splitmix64 stream, reseeded per section by a label. */
void dg_seed(dg_gen *g, const char *label);
uint64_t dg_rand(dg_gen *g);
/* Uniform in [0, n); n > 0. */
unsigned dg_below(dg_gen *g, unsigned n);
/* True with the given chance in percent. */
bool dg_chance(dg_gen *g, unsigned percent);
/* Index into `weights` (n entries, not all zero) with those weights. */
unsigned dg_pick(dg_gen *g, const unsigned *weights, unsigned n);

/*
 * A creation time in the last `max_age` seconds before g->now (and at least
 * a minute before it), preferring working days between 07:00 and 19:00 UTC.
 */
int64_t dg_past(dg_gen *g, int64_t max_age);
/* Time of the last change of a configuration object: install day or later. */
int64_t dg_config_mtime(const dg_gen *g, const char *type, const char *name);
/* "2025-03-04T10:22:05Z" and "2025-03-04". */
void dg_fmt_time(char out[32], int64_t t);
void dg_fmt_date(char out[16], int64_t t);

/* The deterministic guid of an object: a version-4-shaped UUID. */
void dg_guid(char out[37], tfs_kind kind, const char *type, const char *name);

/* Base64 of `len` bytes into the current element as text (see dg_text). */
void dg_text_base64(dg_gen *g, const char *tag, const void *data, size_t len);

/* The document writer; see the comment at the top. */
void dg_begin(dg_gen *g, tfs_kind kind, const char *type, const char *root,
	      const char *name, const char *bo);
void dg_el(dg_gen *g, const char *tag);
void dg_attr(dg_gen *g, const char *key, const char *value);
void dg_attrf(dg_gen *g, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void dg_attr_int(dg_gen *g, const char *key, long long value);
void dg_attr_bool(dg_gen *g, const char *key, bool value);
/* A child element holding only text: <tag>text</tag>. */
void dg_text(dg_gen *g, const char *tag, const char *text);
void dg_end(dg_gen *g);
/* Close the document and hand it to put.  Returns g->error. */
int dg_finish(dg_gen *g, int64_t mtime);

/* An element with only a name attribute: <FormRef name="..."/>. */
void dg_ref(dg_gen *g, const char *tag, const char *name);

/* Record helpers (root Record): <Value field=...>, <Link .../>. */
void dg_value(dg_gen *g, const char *field, const char *text);
void dg_valuef(dg_gen *g, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void dg_value_time(dg_gen *g, const char *field, int64_t t);
void dg_link(dg_gen *g, const char *field, const char *bo, const char *key);

#endif
