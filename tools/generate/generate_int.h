/*
 * Internals of the large-tenant generator, shared by generate.c (entry
 * points: tenants into a store, packages), generate_meta.c (configuration:
 * metadata, pick lists, settings) and generate_rec.c (master and data
 * records).  Nothing else includes this header.
 *
 * Documents are written with the document writer the demo uses too
 * (tools/docgen/docgen.h: the same believable XML style and the same
 * deterministic guids); the generator wraps the caller's put function to
 * count documents, so that a phase stops exactly at its quota: gen_put()
 * returns GEN_FULL, which stays in g.error like any failure and ends the
 * phase; gen_phase() clears it again.
 */
#ifndef TENANTFS_GENERATE_INT_H
#define TENANTFS_GENERATE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "docgen.h"
#include "tenantfs/generate.h"

/* Positive: the phase's quota of documents is reached (not an error). */
#define GEN_FULL 1

/*
 * A field of a business object.  type: T text, P pick list (Text with a
 * validationList), L link, I integer, N number, M money, D date-time,
 * d date, B boolean, G guid.  `hint` says what a record's value looks
 * like (see generate_rec.c); 0 means "by type".
 */
typedef struct gen_field {
	const char *name;
	char type;
	int len;         /* Text and pick list: length */
	const char *ref; /* P: the list; L: the business object */
	char hint;
} gen_field;

#define GEN_MAXFIELDS 40

/* A business object: one of the core table or a generated module. */
typedef struct gen_bo {
	char name[64];
	char noun[64];        /* for captions: "Fleet Inspection" */
	char number[64];      /* the numbering field, e.g. IncidentNumber */
	char status_list[80]; /* pick list of its Status field */
	char type_list[80];   /* pick list of its Type field, or "" */
	const char *prefix;   /* record keys and counters: "INC", or NULL */
	int core;             /* index in the core table, or -1 */
	bool own_lists;       /* status and type lists are the module's */
	/* own fields (not the system ones), ended by a NULL name */
	gen_field fields[GEN_MAXFIELDS];
} gen_bo;

/* The core business objects (generate_meta.c), in generation order. */
enum {
	GEN_EMPLOYEE,
	GEN_TEAM,
	GEN_ORGUNIT,
	GEN_LOCATION,
	GEN_CATEGORY,
	GEN_VENDOR,
	GEN_CONTRACT,
	GEN_INCIDENT,
	GEN_PROBLEM,
	GEN_CHANGE,
	GEN_SERVICEREQ,
	GEN_TASK,
	GEN_JOURNAL,
	GEN_CI,
	GEN_KNOWLEDGE,
	GEN_NCORE
};
#define GEN_FIRST_DATA GEN_INCIDENT

typedef struct gen {
	dg_gen g;       /* the writer; g.put is gen_put, g.ctx this */
	tfs_put_fn put; /* the caller's, or NULL to count only */
	void *put_ctx;
	bool production;
	uint64_t salt; /* from the seed */
	uint64_t left; /* documents left in the phase; 0: no quota */
	uint64_t written;
	uint64_t differing;        /* documents that differ (production) */
	uint64_t count[GEN_NCORE]; /* records of each core BO */
	uint64_t key_base;         /* added to record numbers (packages) */
	uint64_t link_max;         /* links name records below this (0: any) */
	int link_own;     /* a package's BO: links to its own records */
	bool cur_differs; /* the document being written differs */
} gen;

/* The put function the writer calls. */
int gen_put(void *ctx, tfs_kind kind, const char *type, const char *name,
	    const char *xml, size_t len, int64_t mtime);

/* Start a phase of at most `quota` documents (0: no limit). */
void gen_phase(gen *x, uint64_t quota);

/* A 64-bit hash of bytes, mixed with a seed (FNV-1a, then splitmix). */
uint64_t gen_hash(uint64_t seed, const void *data, size_t len);

/*
 * dg_begin(), and decide whether this document differs in production:
 * by its kind, type and name, about 1 in 100 (x->cur_differs, counted in
 * x->differing; always false for staging).
 */
void gen_begin(gen *x, tfs_kind kind, const char *type, const char *root,
	       const char *name, const char *bo);
/* Finish a configuration document: its mtime follows its name, later for
 * one that differs in production.  Returns g.error (GEN_FULL included). */
int gen_finish_config(gen *x);

/* The core business object `i` (GEN_EMPLOYEE, ...). */
const gen_bo *gen_core_bo(unsigned i);
/* Index of the core business object named `name`, or -1. */
int gen_core_find(const char *name);
/* The items of core pick list `name` (*n of them), or NULL. */
const char *const *gen_list_items(const char *name, unsigned *n);

/* ---- writers shared by generate_meta.c and generate_bundle.c ---- */

/* "a.b" into out. */
const char *gen_dotted(char out[160], const char *a, const char *b);
/* A description attribute (fmt has one %s); a document that differs in
 * production also carries the change request that changed it. */
void gen_describe(gen *x, const char *fmt, const char *what);
/* A small square SVG icon, drawn from the name, as the Data element. */
void gen_icon_data(gen *x, const char *name);
/* A pick list (validation/<name>.xml) with `n` items. */
int gen_list_doc(gen *x, const char *name, const char *bo,
		 const char *description, const char *const *items, unsigned n);
/* A ValidationListDefinition `name` of `list`. */
int gen_list_definition(gen *x, const char *name, const char *list,
			const char *bo, const char *field);
/* Everything business object `bo` brings (generate_bundle.c); `first`
 * includes every optional type. */
int gen_bundle(gen *x, const gen_bo *bo, bool first);

/* Configuration: globals and the core business objects (generate_meta.c)
 * and then modules until the phase's quota is reached (never returns 0
 * without a quota: modules go on). */
int gen_config_core(gen *x);
int gen_config_modules(gen *x);

/* Record `i` of core business object `bo` (generate_rec.c): its key and
 * the whole document through the writer. */
void gen_record_key(char out[96], const gen *x, unsigned bo, uint64_t i);
int gen_record(gen *x, unsigned bo, uint64_t i, bool master);

#endif
