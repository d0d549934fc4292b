/*
 * Internals of the demo generator, shared by its files: demo.c (writer,
 * random numbers, times, settings, entry point), demo_bo.c (business
 * objects, counters, pick lists), demo_meta.c (forms, roles, searches,
 * dashboards, reports, images), demo_process.c (workflows, quick actions,
 * rules, triggers), demo_master.c (master data and the tables the records
 * share) and the records: demo_data.c, demo_incidents.c, demo_changes.c
 * (their own header is demo_rec.h).  Nothing outside these files includes
 * this header; its names carry the `demo_` prefix instead of the public
 * `tfs_` one.
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
#ifndef TENANTFS_DEMO_INT_H
#define TENANTFS_DEMO_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenantfs/buf.h"
#include "tenantfs/demo.h"

#define DEMO_HOUR ((int64_t)3600)
#define DEMO_DAY ((int64_t)86400)
#define DEMO_MAXDEPTH 16

typedef struct demo_gen {
	tfs_demo_put_fn put;
	void *ctx;
	int64_t now;
	int64_t install;	/* when the tenant was set up, a year ago */
	uint64_t rng;
	int error;		/* first failure; sticky */
	tfs_buf buf;
	/* the document being written */
	tfs_kind kind;
	char type[128];
	char name[256];
	const char *stack[DEMO_MAXDEPTH];
	int depth;
	bool open;		/* a start tag is not yet closed by '>' */
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
void demo_guid(char out[37], tfs_kind kind, const char *type,
	       const char *name);

/* Base64 of `len` bytes into the current element as text (see demo_text). */
void demo_text_base64(demo_gen *g, const char *tag, const void *data,
		      size_t len);

/* The document writer; see the comment at the top. */
void demo_begin(demo_gen *g, tfs_kind kind, const char *type,
		const char *root, const char *name, const char *bo);
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

/*
 * demo_finish() with the mtime of a configuration object: its kind, type
 * and name pick the time (see demo_config_mtime).
 */
int demo_finish_config(demo_gen *g);
/* An element with only a name attribute: <FormRef name="..."/>. */
void demo_ref(demo_gen *g, const char *tag, const char *name);
/*
 * Copy the next token of *sp (separated by `sep`) into tok and advance;
 * false at the end.  Specs are program constants: a token longer than
 * `size` is a programming error.
 */
bool demo_next_token(const char **sp, char sep, char *tok, size_t size);

/* Record helpers (root Record): <Value field=...>, <Link .../>. */
void demo_value(demo_gen *g, const char *field, const char *text);
void demo_valuef(demo_gen *g, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void demo_value_time(demo_gen *g, const char *field, int64_t t);
void demo_link(demo_gen *g, const char *field, const char *bo,
	       const char *key);

/* Shared tables (engine/demo_master.c), used by the records too. */
typedef struct demo_category {
	const char *key;	/* record key under master/Category */
	const char *name;	/* pick-list value, e.g. "Email and Calendar" */
	const char *parent;	/* key of the parent, or NULL */
	const char *team;	/* key of the default team, or NULL: parent's */
} demo_category;

typedef struct demo_team {
	const char *key;	/* record key under master/Team */
	const char *name;
	const char *orgunit;	/* key of the org unit */
	const char *title;	/* job title of the members */
	const char *lead;	/* job title of the first member */
	unsigned size;		/* members; the first one manages the team */
} demo_team;

typedef struct demo_offering {
	const char *key, *name, *category, *team, *workflow, *status;
	unsigned price_cents;
	unsigned days;		/* delivery target, working days */
	bool approval;
	unsigned weight;	/* how often it is requested */
} demo_offering;

typedef struct demo_person {
	char key[48];		/* login and record key: "ann.smith" */
	char first[24];
	char last[32];
	char display[64];
	int team;		/* index into demo_teams, -1 for none */
	unsigned orgunit;	/* index into demo_orgunit_keys */
	unsigned location;	/* index into demo_location_keys */
	int manager;		/* index into the people, -1 for none */
	bool vip;
} demo_person;

#define DEMO_NPEOPLE 60

extern const demo_category demo_categories[];
extern const unsigned demo_ncategories;
extern const demo_team demo_teams[];
extern const unsigned demo_nteams;
extern const demo_offering demo_offerings[];
extern const unsigned demo_nofferings;
extern const char *const demo_orgunit_keys[];
extern const char *const demo_location_keys[];
/* Response and resolution targets in minutes, by priority 1..5 ([0]). */
extern const unsigned demo_response_minutes[5];
extern const unsigned demo_resolution_minutes[5];

/* The employees, the same every time (no randomness, no clock). */
void demo_people(demo_person out[DEMO_NPEOPLE]);
/* Index of the category with that pick-list name, or -1. */
int demo_category_find(const char *name);
/* Key of a category's default team (inherited from its parent). */
const char *demo_category_team(unsigned i);
/* Index of the team with that key, or -1. */
int demo_team_find(const char *key);

/* The business objects in generation order; NULL past the end. */
const char *demo_bo_name(unsigned i);

/* The sections, in the order they are generated. */
int demo_gen_metadata(demo_gen *g);
int demo_gen_schema(demo_gen *g);	/* demo_bo.c */
int demo_gen_processes(demo_gen *g);	/* demo_process.c */
int demo_gen_validation(demo_gen *g);
int demo_gen_settings(demo_gen *g);
int demo_gen_master(demo_gen *g);
int demo_gen_records(demo_gen *g);

#endif
