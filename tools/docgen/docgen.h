/*
 * The document writer the content generators share (engine/docgen.c):
 * the scale generator (engine/generate*.c) and the demo's record
 * generator (tools/demo/).  It writes plain XML for the caller's put
 * function, which passes it through the document gate; a random stream,
 * times and guids that depend only on their labels keep output
 * reproducible.  The names carry the `demo_` prefix they were born with.
 *
 * A demo_gen writes one document at a time into its buffer:
 *
 *	demo_begin(g, TFS_KIND_METADATA, "Form", "Form", "Incident.Default",
 *		   "Incident");
 *	demo_el(g, "FieldRef");
 *	demo_attr(g, "name", "Subject");
 *	demo_end(g);
 *	demo_finish(g, mtime);		(closes what is open, calls put)
 *
 * Errors are sticky: the first failure (out of memory, or a nonzero return
 * of the caller's put function) is kept in g->error, every later call is a
 * no-op, and demo_finish() returns it.  Generators therefore check the
 * return of demo_finish() only, to stop early.
 */
#ifndef TENANTFS_DOCGEN_H
#define TENANTFS_DOCGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenantfs/buf.h"
#include "tenantfs/seed.h"

#define DEMO_HOUR     ((int64_t)3600)
#define DEMO_DAY      ((int64_t)86400)
#define DEMO_MAXDEPTH 16

typedef struct demo_gen {
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
	const char *stack[DEMO_MAXDEPTH];
	int depth;
	bool open; /* a start tag is not yet closed by '>' */
} demo_gen;

/* Random numbers: a splitmix64 stream, reseeded per section by a label. */
void demo_seed(demo_gen *g, const char *label);
uint64_t demo_rand(demo_gen *g);
/* Uniform in [0, n); n > 0. */
unsigned demo_below(demo_gen *g, unsigned n);
/* True with the given chance in percent. */
bool demo_chance(demo_gen *g, unsigned percent);
/* Index into `weights` (n entries, not all zero) with those weights. */
unsigned demo_pick(demo_gen *g, const unsigned *weights, unsigned n);

/*
 * A creation time in the last `max_age` seconds before g->now (and at least
 * a minute before it), preferring working days between 07:00 and 19:00 UTC.
 */
int64_t demo_past(demo_gen *g, int64_t max_age);
/* Time of the last change of a configuration object: install day or later. */
int64_t demo_config_mtime(const demo_gen *g, const char *type,
			  const char *name);
/* "2025-03-04T10:22:05Z" and "2025-03-04". */
void demo_fmt_time(char out[32], int64_t t);
void demo_fmt_date(char out[16], int64_t t);

/* The deterministic guid of an object: a version-4-shaped UUID. */
void demo_guid(char out[37], tfs_kind kind, const char *type, const char *name);

/* Base64 of `len` bytes into the current element as text (see demo_text). */
void demo_text_base64(demo_gen *g, const char *tag, const void *data,
		      size_t len);

/* The document writer; see the comment at the top. */
void demo_begin(demo_gen *g, tfs_kind kind, const char *type, const char *root,
		const char *name, const char *bo);
void demo_el(demo_gen *g, const char *tag);
void demo_attr(demo_gen *g, const char *key, const char *value);
void demo_attrf(demo_gen *g, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void demo_attr_int(demo_gen *g, const char *key, long long value);
void demo_attr_bool(demo_gen *g, const char *key, bool value);
/* A child element holding only text: <tag>text</tag>. */
void demo_text(demo_gen *g, const char *tag, const char *text);
void demo_end(demo_gen *g);
/* Close the document and hand it to put.  Returns g->error. */
int demo_finish(demo_gen *g, int64_t mtime);

/* An element with only a name attribute: <FormRef name="..."/>. */
void demo_ref(demo_gen *g, const char *tag, const char *name);

/* Record helpers (root Record): <Value field=...>, <Link .../>. */
void demo_value(demo_gen *g, const char *field, const char *text);
void demo_valuef(demo_gen *g, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void demo_value_time(demo_gen *g, const char *field, int64_t t);
void demo_link(demo_gen *g, const char *field, const char *bo, const char *key);

#endif
