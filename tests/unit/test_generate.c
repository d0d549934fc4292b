/*
 * Unit test of the large-tenant generator (tools/generate/).
 *
 *  - content: exactly the asked number of documents, master and data
 *    records as asked (a tenth each by default), every document passes
 *    tfs_doc_parse() with its own guid, names are unique per directory,
 *    every metadata and settings type is present, and every reference
 *    the parser reports (business objects, fields, pick lists, forms,
 *    grids, parts, searches, workflows, workflow types, rules) resolves
 *    inside the content;
 *  - determinism: the same options give the same bytes;
 *  - production: the same names and guids as staging, and between 0.3%
 *    and 3% of the documents with other bytes;
 *  - sizes: too few objects is TFS_EINVALID, the minimum works; a put
 *    error stops generation and is returned;
 *  - packages: well-formed, closed, one create transaction per record
 *    with a path matching the record, records that pass tfs_doc_parse(),
 *    keys apart between seeds;
 *  - tenants: tfs_generate_tenant() creates the store, a landscape group,
 *    staging (unlocked) and production (locked) with one commit each;
 *    the same tenant again is TFS_EEXISTS and leaves it as it was; a load
 *    that fails (the history cannot write its pack) leaves no tenant, no
 *    instance and no instance databases behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/hash.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "helper.h"
#include "tenantfs/doc.h"
#include "tenantfs/error.h"
#include "tenantfs/generate.h"
#include "tenantfs/instance.h"
#include "tenantfs/package.h"
#include "tenantfs/instance.h"
#include "tenantfs/sha256.h"
#include "tenantfs/store.h"
#include "tenantfs/tenant.h"

#define NOW ((int64_t)1795000000) /* 2026-11-18T06:13:20Z */

/* ---- collecting the content of one run ---------------------------------- */

typedef struct entry {
	char guid[40];
	char sha[65];
} entry;

typedef struct run {
	xmlHashTablePtr objs;   /* "kind/type/name" -> entry */
	xmlHashTablePtr fields; /* "BO.Field" -> (void *)1 */
	xmlHashTablePtr guids;  /* guid -> (void *)1 */
	tfs_ref *refs;          /* every reference reported, to check later */
	size_t nrefs, arefs;
	size_t count[TFS_KIND__COUNT];
	size_t bad;
	long stop_at; /* put returns -7 at this document; -1 never */
} run;

static void key_of(char *out, size_t size, tfs_kind kind, const char *type,
		   const char *name)
{
	snprintf(out, size, "%d/%s/%s", (int)kind, type, name);
}

static void add_fields(run *r, const char *bo, const char *canon)
{
	const char *p = canon, *q;
	char key[600];

	while ((p = strstr(p, "<Field name=\"")) != NULL) {
		p += 13;
		q = strchr(p, '"');
		if (!q)
			break;
		snprintf(key, sizeof(key), "%s.%.*s", bo, (int)(q - p), p);
		xmlHashAddEntry(r->fields, BAD_CAST key, (void *)1);
		p = q;
	}
}

static int collect(void *ctx, tfs_kind kind, const char *type, const char *name,
		   const char *xml, size_t len, int64_t mtime)
{
	run *r = ctx;
	tfs_doc *doc = NULL;
	entry *e;
	char key[600];
	size_t i;
	long n = 0;

	for (i = 0; i < TFS_KIND__COUNT; i++)
		n += (long)r->count[i];
	if (r->stop_at >= 0 && n == r->stop_at)
		return -7;
	r->count[kind]++;
	TH_CHECK(mtime > NOW - 3 * 366 * 86400 && mtime <= NOW,
		 "%s/%s: mtime %lld out of range", type, name,
		 (long long)mtime);
	if (tfs_doc_parse(&doc, kind, type, name, xml, len, NULL) < 0) {
		if (++r->bad < 10)
			th_fail("%s %s/%s does not parse: %s\n%.*s",
				tfs_kind_dir(kind), type, name,
				tfs_error_last(), (int)(len < 600 ? len : 600),
				xml);
		return 0;
	}
	key_of(key, sizeof(key), kind, type, name);
	e = calloc(1, sizeof(*e));
	if (!e)
		abort();
	snprintf(e->guid, sizeof(e->guid), "%s", doc->guid);
	tfs_sha256_hex(e->sha, doc->canon, doc->canon_len);
	if (xmlHashAddEntry(r->objs, BAD_CAST key, e) != 0) {
		th_fail("%s: name given twice", key);
		free(e);
	}
	if (xmlHashAddEntry(r->guids, BAD_CAST doc->guid, (void *)1) != 0)
		th_fail("%s: guid %s given twice", key, doc->guid);
	if (kind == TFS_KIND_METADATA && strcmp(type, "BusinessObject") == 0)
		add_fields(r, name, doc->canon);
	for (i = 0; i < doc->nrefs; i++) {
		if (r->nrefs == r->arefs) {
			r->arefs = r->arefs ? 2 * r->arefs : 1024;
			r->refs = realloc(r->refs, r->arefs * sizeof(*r->refs));
			if (!r->refs)
				abort();
		}
		r->refs[r->nrefs].kind = strdup(doc->refs[i].kind);
		r->refs[r->nrefs].target = strdup(doc->refs[i].target);
		r->nrefs++;
	}
	tfs_doc_free(doc);
	return 0;
}

static void entry_free(void *payload, const xmlChar *name)
{
	(void)name;
	free(payload);
}

static void run_free(run *r)
{
	size_t i;

	xmlHashFree(r->objs, entry_free);
	xmlHashFree(r->fields, NULL);
	xmlHashFree(r->guids, NULL);
	for (i = 0; i < r->nrefs; i++) {
		free(r->refs[i].kind);
		free(r->refs[i].target);
	}
	free(r->refs);
	memset(r, 0, sizeof(*r));
}

static int generate(run *r, const tfs_generate_opts *o, bool production,
		    long stop_at)
{
	memset(r, 0, sizeof(*r));
	r->objs = xmlHashCreate(4096);
	r->fields = xmlHashCreate(4096);
	r->guids = xmlHashCreate(4096);
	r->stop_at = stop_at;
	return tfs_generate_content(collect, r, o, production);
}

static size_t total(const run *r)
{
	size_t i, n = 0;

	for (i = 0; i < TFS_KIND__COUNT; i++)
		n += r->count[i];
	return n;
}

/* ---- checks ---------------------------------------------------------------- */

static bool has(const run *r, tfs_kind kind, const char *type, const char *name)
{
	char key[600];

	key_of(key, sizeof(key), kind, type, name);
	return xmlHashLookup(r->objs, BAD_CAST key) != NULL;
}

/* Record "<BO>/<key>" of a Link: in master/ or data/. */
static bool has_record(const run *r, const char *target)
{
	const char *slash = strchr(target, '/');
	char bo[256];

	if (!slash || (size_t)(slash - target) >= sizeof(bo))
		return false;
	snprintf(bo, sizeof(bo), "%.*s", (int)(slash - target), target);
	return has(r, TFS_KIND_MASTER, bo, slash + 1) ||
	       has(r, TFS_KIND_DATA, bo, slash + 1);
}

static void check_refs(const run *r)
{
	size_t i, bad = 0;

	for (i = 0; i < r->nrefs; i++) {
		const tfs_ref *f = &r->refs[i];
		bool ok;

		if (strcmp(f->kind, "Field") == 0)
			ok = xmlHashLookup(r->fields, BAD_CAST f->target);
		else if (strcmp(f->kind, "ValidationList") == 0)
			ok = has(r, TFS_KIND_VALIDATION, "", f->target);
		else if (strcmp(f->kind, "Record") == 0)
			ok = has_record(r, f->target);
		else
			ok = has(r, TFS_KIND_METADATA, f->kind, f->target);
		if (!ok && ++bad < 10)
			th_fail("reference %s %s does not resolve", f->kind,
				f->target);
	}
	TH_CHECK(r->nrefs > 1000, "only %zu references", r->nrefs);
}

struct types_ctx {
	const run *r;
	const char *type;
	tfs_kind kind;
	bool found;
};

static void find_type(void *payload, void *data, const xmlChar *name)
{
	struct types_ctx *c = data;
	char prefix[300];

	(void)payload;
	snprintf(prefix, sizeof(prefix), "%d/%s/", (int)c->kind, c->type);
	if (strncmp((const char *)name, prefix, strlen(prefix)) == 0)
		c->found = true;
}

static void check_types(const run *r)
{
	struct types_ctx c = { r, NULL, TFS_KIND_METADATA, false };
	size_t i;

	for (i = 0; tfs_metadata_types[i]; i++) {
		c.type = tfs_metadata_types[i];
		c.kind = TFS_KIND_METADATA;
		c.found = false;
		xmlHashScan(r->objs, find_type, &c);
		TH_CHECK(c.found, "no metadata/%s", c.type);
	}
	for (i = 0; tfs_settings_types[i]; i++) {
		c.type = tfs_settings_types[i];
		c.kind = TFS_KIND_SETTINGS;
		c.found = false;
		xmlHashScan(r->objs, find_type, &c);
		TH_CHECK(c.found, "no settings/%s", c.type);
	}
}

struct cmp_ctx {
	const run *other;
	size_t missing, guid, bytes;
};

static void compare(void *payload, void *data, const xmlChar *name)
{
	const entry *a = payload, *b;
	struct cmp_ctx *c = data;

	b = xmlHashLookup(c->other->objs, name);
	if (!b) {
		if (++c->missing < 5)
			th_fail("%s missing in the other run", name);
		return;
	}
	if (strcmp(a->guid, b->guid) != 0 && ++c->guid < 5)
		th_fail("%s: guid %s and %s", name, a->guid, b->guid);
	if (strcmp(a->sha, b->sha) != 0)
		c->bytes++;
}

static void test_content(void)
{
	tfs_generate_opts o = { 3000, -1, -1, 7, NOW, 0 };
	struct cmp_ctx c = { NULL, 0, 0, 0 };
	run a, b, p;

	TH_CHECK(generate(&a, &o, false, -1) == 0, "staging: %s",
		 tfs_error_last());
	TH_CHECK(total(&a) == 3000, "%zu documents, not 3000", total(&a));
	TH_CHECK(a.count[TFS_KIND_MASTER] == 300, "%zu master records",
		 a.count[TFS_KIND_MASTER]);
	TH_CHECK(a.count[TFS_KIND_DATA] == 300, "%zu data records",
		 a.count[TFS_KIND_DATA]);
	TH_CHECK(a.count[TFS_KIND_VALIDATION] > 20, "%zu pick lists",
		 a.count[TFS_KIND_VALIDATION]);
	TH_CHECK(a.bad == 0, "%zu documents do not parse", a.bad);
	check_types(&a);
	check_refs(&a);
	TH_CHECK(has(&a, TFS_KIND_METADATA, "Form", "Incident.Default"),
		 "no Form Incident.Default (tools/bench edits it)");

	TH_CHECK(generate(&b, &o, false, -1) == 0, "again: %s",
		 tfs_error_last());
	c.other = &b;
	xmlHashScan(a.objs, compare, &c);
	TH_CHECK(total(&b) == total(&a) && c.missing == 0 && c.bytes == 0,
		 "not deterministic: %zu missing, %zu with other bytes",
		 c.missing, c.bytes);

	TH_CHECK(generate(&p, &o, true, -1) == 0, "production: %s",
		 tfs_error_last());
	check_refs(&p);
	memset(&c, 0, sizeof(c));
	c.other = &p;
	xmlHashScan(a.objs, compare, &c);
	TH_CHECK(total(&p) == total(&a) && c.missing == 0 && c.guid == 0,
		 "production: %zu documents, %zu missing, %zu other guids",
		 total(&p), c.missing, c.guid);
	TH_CHECK(c.bytes * 1000 >= 3 * total(&a) &&
			 c.bytes * 100 <= 3 * total(&a),
		 "production differs in %zu of %zu documents", c.bytes,
		 total(&a));
	printf("content: %zu documents (%zu pick lists, %zu settings, %zu "
	       "master, %zu data), %zu references; production differs in "
	       "%zu\n",
	       total(&a), a.count[TFS_KIND_VALIDATION],
	       a.count[TFS_KIND_SETTINGS], a.count[TFS_KIND_MASTER],
	       a.count[TFS_KIND_DATA], a.nrefs, c.bytes);
	run_free(&a);
	run_free(&b);
	run_free(&p);
}

static void test_sizes(void)
{
	uint64_t min = tfs_generate_min_objects(-1, -1);
	tfs_generate_opts o = { 0, -1, -1, 1, NOW, 0 };
	run r;
	int rc;

	TH_CHECK(min > 100 && min < 3000, "minimum %llu",
		 (unsigned long long)min);
	o.objects = min - 1;
	rc = generate(&r, &o, false, -1);
	TH_CHECK(rc == TFS_EINVALID && total(&r) == 0,
		 "too few objects: %d, %zu documents", rc, total(&r));
	run_free(&r);
	o.objects = min;
	rc = generate(&r, &o, false, -1);
	TH_CHECK(rc == 0 && total(&r) == min, "the minimum: %d, %zu documents",
		 rc, total(&r));
	check_refs(&r);
	run_free(&r);

	o.objects = 1000;
	o.master = 0;
	o.data = 5;
	rc = generate(&r, &o, false, -1);
	TH_CHECK(rc == 0 && r.count[TFS_KIND_MASTER] == 0 &&
			 r.count[TFS_KIND_DATA] == 5 && total(&r) == 1000,
		 "--master 0 --data 5: %d, %zu master, %zu data", rc,
		 r.count[TFS_KIND_MASTER], r.count[TFS_KIND_DATA]);
	run_free(&r);

	o.master = -1;
	o.data = -1;
	rc = generate(&r, &o, false, 10);
	TH_CHECK(rc == -7 && total(&r) == 10,
		 "a put error stops generation: %d after %zu", rc, total(&r));
	run_free(&r);
}

/* ---- packages --------------------------------------------------------------- */

static const char *attr(const xmlNode *n, const char *name)
{
	const xmlAttr *a;

	for (a = n->properties; a; a = a->next)
		if (strcmp((const char *)a->name, name) == 0 && a->children)
			return (const char *)a->children->content;
	return "";
}

static const xmlNode *first_element(const xmlNode *n)
{
	for (; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			return n;
	return NULL;
}

/* Checks the package at `path`; adds its record keys to `keys`. */
static size_t check_package(const char *path, xmlHashTablePtr keys,
			    size_t *dups)
{
	xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
	const xmlNode *root, *set, *t;
	size_t n = 0, bad = 0;
	long seq = 0;

	TH_CHECK(doc != NULL, "%s is not well-formed", path);
	if (!doc)
		return 0;
	root = xmlDocGetRootElement(doc);
	TH_CHECK(strcmp((const char *)root->name, "package") == 0 &&
			 strcmp(attr(root, "format"), "1") == 0 &&
			 strcmp(attr(root, "state"), "closed") == 0 &&
			 strcmp(attr(root, "type"), "incremental") == 0 &&
			 *attr(root, "name"),
		 "package root element and attributes");
	set = first_element(root->children);
	TH_CHECK(set && strcmp((const char *)set->name, "transaction-set") == 0,
		 "no transaction-set");
	for (t = set ? first_element(set->children) : NULL; t;
	     t = first_element(t->next)) {
		const xmlNode *rec = first_element(t->children);
		xmlBufferPtr buf = xmlBufferCreate();
		tfs_doc *d = NULL;
		char want[400];
		const char *name = rec ? attr(rec, "name") : "";

		n++;
		TH_CHECK(strtol(attr(t, "seq"), NULL, 10) == seq + 1,
			 "seq %s after %ld", attr(t, "seq"), seq);
		seq = strtol(attr(t, "seq"), NULL, 10);
		snprintf(want, sizeof(want), "master/Employee/%s.xml", name);
		TH_CHECK(strcmp(attr(t, "op"), "C") == 0 &&
				 strcmp(attr(t, "base"), "") == 0 &&
				 strcmp(attr(t, "path"), want) == 0,
			 "transaction %ld: op %s base '%s' path %s", seq,
			 attr(t, "op"), attr(t, "base"), attr(t, "path"));
		if (rec)
			xmlNodeDump(buf, rec->doc, (xmlNodePtr)rec, 0, 0);
		if (!rec ||
		    tfs_doc_parse(&d, TFS_KIND_MASTER, "Employee", name,
				  (const char *)xmlBufferContent(buf),
				  (size_t)xmlBufferLength(buf), NULL) < 0) {
			if (++bad < 5)
				th_fail("record %s: %s", name,
					tfs_error_last());
		}
		tfs_doc_free(d);
		xmlBufferFree(buf);
		if (xmlHashAddEntry(keys, BAD_CAST name, (void *)1) != 0)
			(*dups)++;
	}
	xmlFreeDoc(doc);
	return n;
}

static void test_package(const char *dir)
{
	char p1[600], p2[600];
	xmlHashTablePtr keys = xmlHashCreate(2048);
	size_t dups = 0, n;

	snprintf(p1, sizeof(p1), "%s/p1.xml", dir);
	snprintf(p2, sizeof(p2), "%s/p2.xml", dir);
	TH_CHECK(tfs_generate_package(p1, "Employee", 500, 1, NULL) == 0,
		 "package: %s", tfs_error_last());
	TH_CHECK(tfs_generate_package(p2, "Employee", 300, 2, "second") == 0,
		 "package: %s", tfs_error_last());
	n = check_package(p1, keys, &dups);
	TH_CHECK(n == 500, "%zu transactions, not 500", n);
	n = check_package(p2, keys, &dups);
	TH_CHECK(n == 300, "%zu transactions, not 300", n);
	TH_CHECK(dups == 0, "%zu keys given twice (within or across seeds)",
		 dups);
	TH_CHECK(tfs_generate_package(p1, "Incident", 5, 1, NULL) ==
			 TFS_EINVALID,
		 "a data business object is refused");
	xmlHashFree(keys, NULL);
}

/* ---- tenants in a store ----------------------------------------------------- */

static void check_instance(tfs_store *st, const char *tenant, const char *name,
			   bool locked)
{
	tfs_inst *in = th_inst(st, tenant, name);
	int n = 0;

	TH_CHECK(in != NULL, "no instance %s: %s", name, tfs_error_last());
	if (!in)
		return;
	TH_CHECK(tfs_inst_locked(in) == locked, "%s: locked %d", name,
		 (int)tfs_inst_locked(in));
	TH_CHECK(tfs_inst_history_count(in, &n) == 0 && n == 1,
		 "%s: %d commits", name, n);
}

static void test_tenant(const char *dir)
{
	tfs_generate_opts o = { 2000, -1, -1, 3, 0, 0 };
	tfs_generate_stats stats;
	char store[600];
	tfs_store *st = NULL;
	tfs_row row;
	int rc;

	snprintf(store, sizeof(store), "%s/store", dir);
	rc = tfs_generate_tenant(&stats, store, "big", &o);
	TH_CHECK(rc == 0, "generate tenant: %s", tfs_error_last());
	TH_CHECK(stats.config + stats.master + stats.data == 2000 &&
			 stats.master == 200 && stats.data == 200,
		 "stats: %llu + %llu + %llu", (unsigned long long)stats.config,
		 (unsigned long long)stats.master,
		 (unsigned long long)stats.data);
	TH_CHECK(stats.differing > 0 && stats.differing < 100,
		 "production differs in %llu",
		 (unsigned long long)stats.differing);
	rc = tfs_generate_tenant(NULL, store, "big", &o);
	TH_CHECK(rc == TFS_EEXISTS, "the same tenant again: %d", rc);
	o.objects = 10;
	rc = tfs_generate_tenant(NULL, store, "small", &o);
	TH_CHECK(rc == TFS_EINVALID, "too few objects: %d", rc);
	if (th_store_open(&st, store) < 0) {
		th_fail("open: %s", tfs_error_last());
		return;
	}
	TH_CHECK(tfs_store_find(&row, st, TFS_ENT_GROUP, 0, "GENERATED") == 0,
		 "no landscape group GENERATED");
	TH_CHECK(tfs_store_find(&row, st, TFS_ENT_TENANT, 0, "small") ==
			 TFS_ENOTFOUND,
		 "a refused tenant was left behind");
	if (tfs_store_find(&row, st, TFS_ENT_TENANT, 0, "big") == 0) {
		check_instance(st, "big", "staging", false);
		check_instance(st, "big", "production", true);
	} else {
		th_fail("no tenant big");
	}
	tfs_store_free(st);
}

/* A load that fails half way is undone. */
static void test_failed_load(const char *dir)
{
	tfs_generate_opts o = { 2000, -1, -1, 3, 0, 0 };
	char store[TH_PATH], path[700];
	tfs_store *st = NULL;
	tfs_row row;
	FILE *f;
	int rc;

	TH_CHECK(th_empty_store(store, dir, "broken") == 0, "create: %s",
		 tfs_error_last());
	/* no pack directory: the first commit (a pack) cannot be written */
	snprintf(path, sizeof(path), "%s/history.git/objects/pack", store);
	TH_CHECK(rmdir(path) == 0, "rmdir %s: %s", path, strerror(errno));
	f = fopen(path, "w");
	if (f)
		fclose(f);
	rc = tfs_generate_tenant(NULL, store, "half", &o);
	TH_CHECK(rc < 0, "a load whose commit cannot be written fails: %d", rc);
	if (th_store_open(&st, store) < 0) {
		th_fail("open: %s", tfs_error_last());
		return;
	}
	TH_CHECK(tfs_store_find(&row, st, TFS_ENT_TENANT, 0, "half") ==
			 TFS_ENOTFOUND,
		 "the failed tenant was left behind");
	tfs_store_free(st);
	snprintf(path, sizeof(path), "%s/instances/half/staging.db", store);
	TH_CHECK(access(path, F_OK) != 0, "%s was left behind", path);
	snprintf(path, sizeof(path), "%s/instances/half", store);
	TH_CHECK(access(path, F_OK) != 0, "%s was left behind", path);
}

/* Content for tfs_store_add_tenant: one GlobalConstant named after ctx,
 * or a failure after it when ctx starts with '!'. */
static int constant_content(tfs_put_fn put, void *put_ctx, void *ctx)
{
	const char *name = ctx;
	char xml[300];
	int n, error;

	n = snprintf(xml, sizeof(xml),
		     "<GlobalConstant name=\"%s\" guid=\"4ca62554-ef3b-4c5f-"
		     "8663-df8378b0c4a7\" value=\"x\"/>",
		     name[0] == '!' ? name + 1 : name);
	error = put(put_ctx, TFS_KIND_SETTINGS, "GlobalConstant",
		    name[0] == '!' ? name + 1 : name, xml, (size_t)n,
		    1765000000);
	if (error == 0 && name[0] == '!')
		return tfs_error_set(TFS_EINVALID, "content gave up");
	return error;
}

/* The engine's API for tools that add tenants (tenantfs/tenant.h). */
static void test_add_tenant(const char *dir)
{
	static char p1[] = "P1", s1[] = "S1", s2[] = "!S2";
	tfs_instance_spec in[3] = {
		{ .name = "production",
		  .landscape = "production",
		  .metadata_locked = true,
		  .uri = "https://t.example",
		  .named_licenses = 7,
		  .concurrent_licenses = -1,
		  .content = constant_content,
		  .ctx = p1 },
		{ .name = "staging",
		  .landscape = "staging",
		  .named_licenses = -1,
		  .concurrent_licenses = -1,
		  .content = constant_content,
		  .ctx = s1 },
		{ .name = "uat",
		  .landscape = "uat",
		  .named_licenses = -1,
		  .concurrent_licenses = -1 },
	};
	tfs_tenant_spec spec = {
		.instances = in, .ninstances = 3, .group = "TOOLS", .jobs = 2
	};
	tfs_load_times times[3];
	char store[TH_PATH], path[700];
	tfs_obj_info info;
	tfs_store *st = NULL;
	tfs_inst *i;
	int64_t d;
	tfs_row row;
	int rc;

	if (th_empty_store(store, dir, "addtenant") < 0 ||
	    th_store_open(&st, store) < 0) {
		th_fail("store: %s", tfs_error_last());
		return;
	}
	rc = tfs_store_add_tenant(st, "tools", &spec, times);
	TH_CHECK(rc == 0, "add: %d %s", rc, tfs_error_last());
	TH_CHECK(tfs_store_find(&row, st, TFS_ENT_GROUP, 0, "TOOLS") == 0,
		 "the new store's group is the spec's");
	TH_CHECK(times[0].load_seconds >= 0 && times[1].commit_seconds >= 0,
		 "times");
	i = th_inst(st, "tools", "staging");
	TH_CHECK(i &&
			 tfs_inst_dir_find(&d, i, TFS_KIND_SETTINGS,
					   "GlobalConstant") == 0 &&
			 tfs_inst_obj_find(&info, i, d, "S1") == 0,
		 "staging has its content");
	i = th_inst(st, "tools", "production");
	TH_CHECK(i && tfs_inst_locked(i), "production is locked");
	TH_CHECK(i &&
			 tfs_inst_dir_find(&d, i, TFS_KIND_SETTINGS,
					   "GlobalConstant") == 0 &&
			 tfs_inst_obj_find(&info, i, d, "P1") == 0 &&
			 tfs_inst_obj_find(&info, i, d, "S1") == TFS_ENOTFOUND,
		 "production has its own content");
	TH_CHECK(th_inst(st, "tools", "uat") != NULL, "an empty uat");
	rc = tfs_store_add_tenant(st, "tools", &spec, NULL);
	TH_CHECK(rc == TFS_EEXISTS, "the same tenant again: %d", rc);
	rc = tfs_store_add_tenant(st, "bad/name", &spec, NULL);
	TH_CHECK(rc == TFS_EINVALID, "a bad name: %d", rc);
	in[1].ctx = s2; /* staging's content fails after production's */
	rc = tfs_store_add_tenant(st, "undone", &spec, NULL);
	TH_CHECK(rc == TFS_EINVALID &&
			 strstr(tfs_error_last(), "undone/staging"),
		 "a failed load names its instance: %d %s", rc,
		 tfs_error_last());
	TH_CHECK(tfs_store_find(&row, st, TFS_ENT_TENANT, 0, "undone") ==
			 TFS_ENOTFOUND,
		 "the failed tenant was taken out");
	snprintf(path, sizeof(path), "%s/instances/undone", store);
	TH_CHECK(access(path, F_OK) != 0, "%s was left behind", path);
	tfs_store_free(st);
}

/* File size of `path`, or -1. */
static long long file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

/*
 * With background checkpoints a large commit returns before its log is
 * copied into the database; the copy follows in the thread, and closing
 * the store leaves no log behind.
 */
static void test_background_checkpoint(const char *dir)
{
	char store[600], pkg[600], db[700], wal[710];
	tfs_buf result = TFS_BUF_INIT;
	tfs_store *st = NULL;
	long long before, after = -1;
	tfs_inst *in;
	int i, rc;

	snprintf(store, sizeof(store), "%s/store", dir);
	snprintf(pkg, sizeof(pkg), "%s/ckpt.xml", dir);
	snprintf(db, sizeof(db), "%s/instances/big/staging.db", store);
	snprintf(wal, sizeof(wal), "%s-wal", db);
	TH_CHECK(tfs_generate_package(pkg, "Employee", 3000, 7, NULL) == 0,
		 "package: %s", tfs_error_last());
	if (th_store_open(&st, store) < 0) {
		th_fail("open: %s", tfs_error_last());
		return;
	}
	if (!(in = th_inst(st, "big", "staging"))) {
		th_fail("no big/staging: %s", tfs_error_last());
		tfs_store_free(st);
		return;
	}
	TH_CHECK(tfs_store_checkpoint_in_background(st) == 0, "start: %s",
		 tfs_error_last());
	before = file_size(db);
	rc = tfs_pkg_import(&result, NULL, in, "admin", pkg, TFS_PKG_APPLY,
			    NULL, NULL);
	TH_CHECK(rc == 0 && result.ptr &&
			 strncmp(result.ptr, "applied\n", 8) == 0,
		 "apply: %d %s", rc, result.ptr ? result.ptr : "");
	/* 3,000 records are ~10 MB of log: well past the 1,000 pages that
	 * ask for a checkpoint. */
	for (i = 0; i < 200; i++) {
		after = file_size(db);
		if (after > before + 4 * 1024 * 1024)
			break;
		usleep(50 * 1000);
	}
	TH_CHECK(after > before + 4 * 1024 * 1024,
		 "the log was not copied "
		 "into %s in 10 s (%lld -> %lld bytes)",
		 db, before, after);
	tfs_store_free(st);
	TH_CHECK(file_size(wal) <= 0, "%s left behind: %lld bytes", wal,
		 file_size(wal));
	if (th_store_open(&st, store) == 0) {
		in = th_inst(st, "big", "staging");
		TH_CHECK(in && tfs_inst_history_count(in, &i) == 0 && i == 2,
			 "history after reopening: %d commits", i);
		tfs_store_free(st);
	} else {
		th_fail("reopen: %s", tfs_error_last());
	}
	tfs_buf_free(&result);
}

/* Fraction of `path` in the page cache (mincore), or -1. */
static double resident(const char *path)
{
	struct stat sb;
	unsigned char *vec;
	size_t pages, i, in = 0;
	long pg = sysconf(_SC_PAGESIZE);
	void *map;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &sb) < 0 || sb.st_size == 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	pages = ((size_t)sb.st_size + (size_t)pg - 1) / (size_t)pg;
	map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0);
	vec = malloc(pages);
	if (map != MAP_FAILED && vec &&
	    mincore(map, (size_t)sb.st_size, vec) == 0)
		for (i = 0; i < pages; i++)
			in += vec[i] & 1;
	else
		in = (size_t)-1;
	if (map != MAP_FAILED)
		munmap(map, (size_t)sb.st_size);
	free(vec);
	close(fd);
	return in == (size_t)-1 ? -1 : (double)in / (double)pages;
}

/* Drop `path` from the page cache (it must be clean: synced first). */
static void evict(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd >= 0) {
		fsync(fd);
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		close(fd);
	}
}

/* The background thread reads the instance databases into the page cache
 * once the store is opened for a long run (a daemon's mount). */
static void test_read_ahead(const char *dir)
{
	char store[600], db[700];
	tfs_store *st = NULL;
	double before, after = -1;
	int i;

	snprintf(store, sizeof(store), "%s/store", dir);
	snprintf(db, sizeof(db), "%s/instances/big/production.db", store);
	if (th_store_open(&st, store) < 0) {
		th_fail("open: %s", tfs_error_last());
		return;
	}
	evict(db);
	before = resident(db);
	TH_CHECK(before >= 0 && before < 0.5,
		 "%s still %.0f%% in memory after "
		 "eviction: this test cannot tell",
		 db, before * 100);
	TH_CHECK(tfs_store_checkpoint_in_background(st) == 0, "start: %s",
		 tfs_error_last());
	for (i = 0; i < 100; i++) {
		if ((after = resident(db)) > 0.9)
			break;
		usleep(50 * 1000);
	}
	TH_CHECK(after > 0.9, "%s read ahead to %.0f%% in 5 s (from %.0f%%)",
		 db, after * 100, before * 100);
	tfs_store_free(st);
}

int main(void)
{
	char dir[TH_PATH];

	if (th_tmpdir(dir, "generate") < 0)
		return 1;
	test_content();
	test_sizes();
	test_package(dir);
	test_tenant(dir);
	test_background_checkpoint(dir);
	test_read_ahead(dir);
	test_failed_load(dir);
	test_add_tenant(dir);
	th_rmtree(dir, false);
	xmlCleanupParser();
	if (th_failures) {
		fprintf(stderr, "%d failure(s)\n", th_failures);
		return 1;
	}
	printf("test_generate: all checks passed\n");
	return 0;
}
