/*
 * The document writer the content generators share (docgen.h): the scale
 * generator (tools/generate/) and the demo's records (tools/demo/).  It holds
 * the random stream, the times and guids they derive from labels, and the
 * writer that builds one document at a time for the caller's put.
 *
 * Invariants the generators rely on (tests/unit/test_demo.c and
 * test_generate.c check their output):
 *  - a stream reseeded by a label gives the same numbers every time, so
 *    sections do not shift one another and output depends only on the
 *    generator's inputs;
 *  - a guid depends only on (kind, type, name), so every instance made
 *    from the same content has the same guids and diffs clean;
 *  - documents are well-formed with every text and attribute escaped by
 *    the one XML escaper (the engine's, tfs_xml_put_escaped).
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tenantfs/error.h"
#include "tenantfs/sha256.h"
#include "tenantfs/doc.h"
#include "docgen.h"

/* ---- random numbers and times ----------------------------------------- */

/* Seed the stream from a label, so sections do not shift one another. */
void dg_seed(dg_gen *g, const char *label)
{
	unsigned char h[32];
	tfs_sha256 s;
	int i;

	tfs_sha256_init(&s);
	tfs_sha256_update(&s, "tenantfs-demo-seed/", 19);
	tfs_sha256_update(&s, label, strlen(label));
	tfs_sha256_final(&s, h);
	g->rng = 0;
	for (i = 0; i < 8; i++)
		g->rng = (g->rng << 8) | h[i];
}

/* splitmix64 (Steele, Lea, Flood 2014). */
uint64_t dg_rand(dg_gen *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

unsigned dg_below(dg_gen *g, unsigned n)
{
	assert(n > 0);
	return (unsigned)(dg_rand(g) % n);
}

bool dg_chance(dg_gen *g, unsigned percent)
{
	return dg_below(g, 100) < percent;
}

unsigned dg_pick(dg_gen *g, const unsigned *weights, unsigned n)
{
	unsigned total = 0, r, i;

	for (i = 0; i < n; i++)
		total += weights[i];
	assert(total > 0);
	r = dg_below(g, total);
	for (i = 0; i + 1 < n; i++) {
		if (r < weights[i])
			return i;
		r -= weights[i];
	}
	return n - 1;
}

/* Day of the week of a day number since the epoch (0 = Sunday). */
static int weekday(int64_t day)
{
	return (int)((day + 4) % 7); /* 1970-01-01 was a Thursday */
}

int64_t dg_past(dg_gen *g, int64_t max_age)
{
	int64_t t = g->now - 60, day, cand;
	int tries;

	assert(max_age > 2 * DG_HOUR);
	for (tries = 0; tries < 4; tries++) {
		t = g->now - 60 - (int64_t)(dg_rand(g) % (uint64_t)max_age);
		day = t / DG_DAY;
		/* most work is logged on weekdays */
		if (tries < 3 && (weekday(day) == 0 || weekday(day) == 6) &&
		    dg_chance(g, 85))
			continue;
		cand = day * DG_DAY + 7 * DG_HOUR +
		       (int64_t)dg_below(g, 12 * 3600);
		if (dg_chance(g, 93) && cand < g->now - 60 &&
		    cand > g->now - max_age)
			return cand;
		return t;
	}
	return t;
}

/* A 64-bit hash of a label pair, for choices that must not use the stream. */
static uint64_t hash64(const char *a, const char *b)
{
	unsigned char h[32];
	tfs_sha256 s;
	uint64_t v = 0;
	int i;

	tfs_sha256_init(&s);
	tfs_sha256_update(&s, a, strlen(a));
	tfs_sha256_update(&s, "/", 1);
	tfs_sha256_update(&s, b, strlen(b));
	tfs_sha256_final(&s, h);
	for (i = 0; i < 8; i++)
		v = (v << 8) | h[i];
	return v;
}

/*
 * Most configuration was created on install day (during the working day);
 * about a third was changed later in the year by the tenant's administrators.
 */
int64_t dg_config_mtime(const dg_gen *g, const char *type, const char *name)
{
	uint64_t h = hash64(type, name);
	int64_t t, day;

	t = g->install + (int64_t)(h % (8 * 3600));
	if ((h >> 20) % 100 < 35) {
		day = g->install / DG_DAY + 1 + (int64_t)((h >> 32) % 355);
		if (weekday(day) == 0)
			day += 1;
		else if (weekday(day) == 6)
			day += 2;
		t = day * DG_DAY + 8 * DG_HOUR +
		    (int64_t)((h >> 12) % (10 * 3600));
	}
	if (t > g->now - DG_HOUR)
		t = g->now - DG_HOUR;
	return t;
}

void dg_fmt_time(char out[32], int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) ||
	    !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "1970-01-01T00:00:00Z");
}

void dg_fmt_date(char out[16], int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(out, 16, "%Y-%m-%d", &tm))
		snprintf(out, 16, "1970-01-01");
}

/* ---- guids --------------------------------------------------------------- */

/*
 * SHA-256 of "tenantfs-demo/<kind>/<type>/<name>", cut to 128 bits with the
 * version (4) and variant (10xx) bits of RFC 4122 set.
 */
void dg_guid(char out[37], tfs_kind kind, const char *type, const char *name)
{
	unsigned char h[32];
	tfs_sha256 s;
	const char *k = tfs_kind_dir(kind);

	tfs_sha256_init(&s);
	tfs_sha256_update(&s, "tenantfs-demo/", 14);
	tfs_sha256_update(&s, k, strlen(k));
	tfs_sha256_update(&s, "/", 1);
	tfs_sha256_update(&s, type, strlen(type));
	tfs_sha256_update(&s, "/", 1);
	tfs_sha256_update(&s, name, strlen(name));
	tfs_sha256_final(&s, h);
	h[6] = (unsigned char)((h[6] & 0x0f) | 0x40);
	h[8] = (unsigned char)((h[8] & 0x3f) | 0x80);
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9],
		 h[10], h[11], h[12], h[13], h[14], h[15]);
}

/* ---- the writer ---------------------------------------------------------- */

static void note(dg_gen *g, int rc)
{
	if (rc < 0 && !g->error)
		g->error = rc;
}

static void put_raw(dg_gen *g, const char *s, size_t len)
{
	if (!g->error)
		note(g, tfs_buf_put(&g->buf, s, len));
}

static void put_str(dg_gen *g, const char *s)
{
	put_raw(g, s, strlen(s));
}

/* Escape for text (quote = false) or a double-quoted attribute, by the
 * one XML escaper (doc_walk.c). */
static void put_escaped(dg_gen *g, const char *s, bool quote)
{
	if (!g->error)
		note(g, tfs_xml_put_escaped(&g->buf, s, quote));
}

static void put_indent(dg_gen *g)
{
	static const char spaces[] = "                                ";

	assert(2 * g->depth < (int)sizeof(spaces));
	put_raw(g, spaces, (size_t)(2 * g->depth));
}

/* Close a pending start tag before content follows. */
static void close_start(dg_gen *g)
{
	if (g->open) {
		put_str(g, ">\n");
		g->open = false;
	}
}

void dg_begin(dg_gen *g, tfs_kind kind, const char *type, const char *root,
	      const char *name, const char *bo)
{
	char guid[37];

	assert(strlen(type) < sizeof(g->type));
	assert(strlen(name) < sizeof(g->name));
	tfs_buf_clear(&g->buf);
	g->kind = kind;
	snprintf(g->type, sizeof(g->type), "%s", type);
	snprintf(g->name, sizeof(g->name), "%s", name);
	g->depth = 0;
	g->open = false;
	dg_el(g, root);
	dg_attr(g, "name", name);
	dg_guid(guid, kind, type, name);
	dg_attr(g, "guid", guid);
	if (bo)
		dg_attr(g, "businessObject", bo);
}

void dg_el(dg_gen *g, const char *tag)
{
	assert(g->depth < DG_MAXDEPTH);
	close_start(g);
	put_indent(g);
	put_str(g, "<");
	put_str(g, tag);
	g->stack[g->depth++] = tag;
	g->open = true;
}

void dg_attr(dg_gen *g, const char *key, const char *value)
{
	assert(g->open);
	put_str(g, " ");
	put_str(g, key);
	put_str(g, "=\"");
	put_escaped(g, value, true);
	put_str(g, "\"");
}

void dg_attrf(dg_gen *g, const char *key, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	dg_attr(g, key, tmp);
}

void dg_attr_int(dg_gen *g, const char *key, long long value)
{
	dg_attrf(g, key, "%lld", value);
}

void dg_attr_bool(dg_gen *g, const char *key, bool value)
{
	dg_attr(g, key, value ? "true" : "false");
}

void dg_text(dg_gen *g, const char *tag, const char *text)
{
	close_start(g);
	put_indent(g);
	put_str(g, "<");
	put_str(g, tag);
	put_str(g, ">");
	put_escaped(g, text, false);
	put_str(g, "</");
	put_str(g, tag);
	put_str(g, ">\n");
}

void dg_text_base64(dg_gen *g, const char *tag, const void *data, size_t len)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789+/";
	const unsigned char *p = data;
	char quad[4];
	size_t i;

	close_start(g);
	put_indent(g);
	put_str(g, "<");
	put_str(g, tag);
	put_str(g, ">");
	for (i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;

		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		quad[0] = tab[(v >> 18) & 63];
		quad[1] = tab[(v >> 12) & 63];
		quad[2] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		quad[3] = i + 2 < len ? tab[v & 63] : '=';
		put_raw(g, quad, 4);
	}
	put_str(g, "</");
	put_str(g, tag);
	put_str(g, ">\n");
}

void dg_end(dg_gen *g)
{
	const char *tag;

	assert(g->depth > 0);
	tag = g->stack[--g->depth];
	if (g->open) {
		put_str(g, "/>\n");
		g->open = false;
		return;
	}
	put_indent(g);
	put_str(g, "</");
	put_str(g, tag);
	put_str(g, ">\n");
}

int dg_finish(dg_gen *g, int64_t mtime)
{
	int rc;

	while (g->depth > 0)
		dg_end(g);
	if (g->error)
		return g->error;
	rc = g->put(g->ctx, g->kind, g->type, g->name, g->buf.ptr, g->buf.size,
		    mtime);
	if (rc)
		g->error = rc;
	return g->error;
}

void dg_value(dg_gen *g, const char *field, const char *text)
{
	close_start(g);
	put_indent(g);
	put_str(g, "<Value field=\"");
	put_escaped(g, field, true);
	put_str(g, "\">");
	put_escaped(g, text, false);
	put_str(g, "</Value>\n");
}

void dg_valuef(dg_gen *g, const char *field, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	dg_value(g, field, tmp);
}

void dg_value_time(dg_gen *g, const char *field, int64_t t)
{
	char tmp[32];

	dg_fmt_time(tmp, t);
	dg_value(g, field, tmp);
}

void dg_link(dg_gen *g, const char *field, const char *bo, const char *key)
{
	dg_el(g, "Link");
	dg_attr(g, "field", field);
	dg_attr(g, "businessObject", bo);
	dg_attr(g, "key", key);
	dg_end(g);
}

void dg_ref(dg_gen *g, const char *tag, const char *name)
{
	dg_el(g, tag);
	dg_attr(g, "name", name);
	dg_end(g);
}
