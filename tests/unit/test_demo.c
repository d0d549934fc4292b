/*
 * Unit test of the demo (tools/demo/: its fixtures and its records).
 *
 * Generates the demo content for a fixed `now` into memory and checks what
 * a user of the demo tenant relies on:
 *  - every document parses (libxml2, no network) and has the right root,
 *    name, a UUID-v4-shaped guid unique across the content, a valid type
 *    directory and an mtime in the year before `now`;
 *  - the shape rules of the object schema (engine/SCHEMA.md, sections 6
 *    to 9; the tables of engine/doc_schema.c): children, enums, booleans,
 *    field lengths, colours, base64, steps and transitions, unique items;
 *  - the reference closure: every business object, field, pick list,
 *    form, grid, part, search, workflow, workflow type and rule named
 *    anywhere exists in the content, record Values use fields of their
 *    business object and pick-list values of their list, and record Links
 *    point at existing records of a fitting business object;
 *  - coverage: every metadata and settings type has an object, and the
 *    record counts the interface promises;
 *  - determinism: the same `now` gives the same bytes; another `now`
 *    changes no configuration bytes (only mtimes and records);
 *  - a nonzero return of put stops generation and is returned;
 *  - every document passes tfs_doc_parse() (the store's gate), and the
 *    references doc.c reports resolve, and no secret survives in the
 *    canonical bytes.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libxml/hash.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "helper.h"
#include "tenantfs/demo.h"
#include "tenantfs/doc.h"
#include "tenantfs/error.h"
#include "tenantfs/sha256.h"

#define NOW ((int64_t)1795000000) /* 2026-11-18T06:13:20Z */
#define DAY ((int64_t)86400)

/* ThreadSanitizer makes every memory access several times slower: the
 * build-tsan run of this test (tools/test.sh) checks the same things with
 * a looser clock. */
#if defined(__SANITIZE_THREAD__)
#define TIME_SCALE 5.0
#else
#define TIME_SCALE 1.0
#endif

/* The types every demo must cover: the engine's own lists (doc.c). */
#define metadata_types tfs_metadata_types
#define settings_types tfs_settings_types

static const char *const kind_dirs[] = {
	"metadata", "validation", "settings", "master", "data", "translations",
};

/* ---- collecting ---------------------------------------------------------- */

typedef struct doc {
	tfs_kind kind;
	char *type, *name, *xml;
	size_t len;
	int64_t mtime;
	xmlDoc *x; /* kept for metadata, validation, settings */
} doc;

typedef struct docs {
	doc *v;
	size_t n, alloc;
	long calls, stop_at;    /* stop_at > 0: return 7 on that call */
	tfs_sha256 all, config; /* digests of the stream */
} docs;

static int collect(void *ctx, tfs_kind kind, const char *type, const char *name,
		   const char *xml, size_t len, int64_t mtime)
{
	docs *d = ctx;
	doc *e;

	d->calls++;
	if (d->stop_at && d->calls == d->stop_at)
		return 7;
	if (d->stop_at && d->calls > d->stop_at)
		th_fail("put called after it returned nonzero");
	tfs_sha256_update(&d->all, &kind, sizeof(kind));
	tfs_sha256_update(&d->all, type, strlen(type) + 1);
	tfs_sha256_update(&d->all, name, strlen(name) + 1);
	tfs_sha256_update(&d->all, xml, len);
	tfs_sha256_update(&d->all, &mtime, sizeof(mtime));
	if (kind != TFS_KIND_DATA) {
		tfs_sha256_update(&d->config, &kind, sizeof(kind));
		tfs_sha256_update(&d->config, type, strlen(type) + 1);
		tfs_sha256_update(&d->config, name, strlen(name) + 1);
		tfs_sha256_update(&d->config, xml, len);
	}
	if (!d->v && d->alloc == (size_t)-1)
		return 0; /* digest only */
	if (d->n == d->alloc) {
		size_t want = d->alloc ? d->alloc * 2 : 1024;
		doc *p = realloc(d->v, want * sizeof(*p));

		if (!p)
			return -1;
		d->v = p;
		d->alloc = want;
	}
	e = &d->v[d->n++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->type = strdup(type);
	e->name = strdup(name);
	e->xml = malloc(len + 1);
	if (!e->type || !e->name || !e->xml)
		return -1;
	memcpy(e->xml, xml, len);
	e->xml[len] = '\0';
	e->len = len;
	e->mtime = mtime;
	return 0;
}

static void docs_free(docs *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].type);
		free(d->v[i].name);
		free(d->v[i].xml);
		if (d->v[i].x)
			xmlFreeDoc(d->v[i].x);
	}
	free(d->v);
}

/* ---- small helpers ------------------------------------------------------- */

static bool in_list(const char *s, const char *const *list)
{
	for (; s && *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

static bool name_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 200 || s[0] == '.')
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-' || c == '#'))
			return false;
	}
	return true;
}

static bool guid_ok(const char *s)
{
	size_t i;

	if (!s || strlen(s) != 36)
		return false;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
			     (s[i] >= 'a' && s[i] <= 'f'))) {
			return false;
		}
	}
	return s[14] == '4' && strchr("89ab", s[19]);
}

static bool int_ok(const char *s, long long lo, long long hi)
{
	char *end;
	long long v;

	if (!s || !*s || !((*s >= '0' && *s <= '9') || *s == '-'))
		return false;
	v = strtoll(s, &end, 10);
	return !*end && v >= lo && v <= hi;
}

static bool base64_ok(const char *s)
{
	size_t n = 0, pad = 0;

	for (; *s; s++, n++) {
		if (*s == '=') {
			pad++;
			continue;
		}
		if (pad ||
		    !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '+' || *s == '/'))
			return false;
	}
	return n > 0 && n % 4 == 0 && pad <= 2;
}

/* An attribute as a C string (owned by the tree), or NULL. */
static const char *attr(const xmlNode *n, const char *name)
{
	const xmlAttr *a;

	for (a = n->properties; a; a = a->next)
		if (!strcmp((const char *)a->name, name) && a->children &&
		    a->children->content)
			return (const char *)a->children->content;
	for (a = n->properties; a; a = a->next)
		if (!strcmp((const char *)a->name, name))
			return "";
	return NULL;
}

static bool is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	       !strcmp((const char *)n->name, name);
}

/* Text of an element (elements only have text or children here). */
static const char *text(const xmlNode *n)
{
	const xmlNode *c;

	for (c = n->children; c; c = c->next)
		if (c->type == XML_TEXT_NODE && c->content)
			return (const char *)c->content;
	return "";
}

static unsigned count_children(const xmlNode *n, const char *name)
{
	const xmlNode *c;
	unsigned k = 0;

	for (c = n->children; c; c = c->next)
		k += is(c, name);
	return k;
}

/* ---- the registry of names ----------------------------------------------- */

typedef struct reg {
	xmlHashTablePtr objs;   /* (kind dir, type, name) -> doc */
	xmlHashTablePtr fields; /* (bo, field) -> Field node */
	xmlHashTablePtr items;  /* (list, value) -> Item node */
	xmlHashTablePtr guids;  /* guid -> doc */
} reg;

static bool has_obj(const reg *r, tfs_kind k, const char *type,
		    const char *name)
{
	return xmlHashLookup3(r->objs, BAD_CAST kind_dirs[k], BAD_CAST type,
			      BAD_CAST name) != NULL;
}

static bool has_meta(const reg *r, const char *type, const char *name)
{
	return name && has_obj(r, TFS_KIND_METADATA, type, name);
}

static const xmlNode *field_of(const reg *r, const char *bo, const char *field)
{
	if (!bo || !field)
		return NULL;
	return xmlHashLookup2(r->fields, BAD_CAST bo, BAD_CAST field);
}

/* ---- pass 1: each document on its own ------------------------------------ */

/* Allowed direct children of each metadata root (NULL: none). */
static const char *const *children_of(const char *type)
{
	static const char *const bo[] = { "Field", "Relationship", NULL };
	static const char *const form[] = { "FieldRef", "Section", NULL };
	static const char *const grid[] = { "Column", NULL };
	static const char *const layout[] = { "FormRef", "GridRef", NULL };
	static const char *const qa[] = { "Param", "WorkflowRef", NULL };
	static const char *const expr[] = { "Expression", NULL };
	static const char *const trig[] = { "WorkflowRef", "Condition", NULL };
	static const char *const brand[] = { "Color", NULL };
	static const char *const role[] = { "Permission", NULL };
	static const char *const search[] = { "Criterion", "Sort", NULL };
	static const char *const dash[] = { "PartRef", NULL };
	static const char *const special[] = { "Content", NULL };
	static const char *const wf[] = { "Step", "Transition", NULL };
	static const char *const report[] = { "Parameter", NULL };
	static const char *const image[] = { "Data", NULL };
	static const char *const none[] = { NULL };
	static const struct {
		const char *type;
		const char *const *children;
	} t[] = {
		{ "BusinessObject", bo }, { "Form", form },
		{ "Grid", grid },         { "Layout", layout },
		{ "QuickAction", qa },    { "Rule", expr },
		{ "RuleOverride", expr }, { "BusinessRule", expr },
		{ "Trigger", trig },      { "Branding", brand },
		{ "Role", role },         { "Search", search },
		{ "Dashboard", dash },    { "SpecialPart", special },
		{ "Workflow", wf },       { "Report", report },
		{ "Image", image },       { "ValidationList", NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(t[i].type, type))
			return t[i].children;
	return none;
}

static void check_bools(const doc *d, const xmlNode *n)
{
	static const char *const bools[] = {
		"nullable", "unique",     "indexed", "localized", "stored",
		"audit",    "validation", "admin",   "active",    NULL,
	};
	const xmlAttr *a;

	if (d->kind == TFS_KIND_SETTINGS)
		return;
	for (a = n->properties; a; a = a->next) {
		const char *v = attr(n, (const char *)a->name);

		if (in_list((const char *)a->name, bools))
			TH_CHECK(!strcmp(v, "true") || !strcmp(v, "false"),
				 "%s/%s: %s=\"%s\" is not a boolean", d->type,
				 d->name, a->name, v);
	}
}

/* No mixed content, anywhere. */
static void check_tree(const doc *d, const xmlNode *n)
{
	const xmlNode *c;
	bool elems = false, texts = false;

	check_bools(d, n);
	for (c = n->children; c; c = c->next) {
		if (c->type == XML_ELEMENT_NODE) {
			elems = true;
			check_tree(d, c);
		} else if (c->type == XML_TEXT_NODE && c->content &&
			   strspn((const char *)c->content, " \t\r\n") !=
				   strlen((const char *)c->content)) {
			texts = true;
		}
	}
	TH_CHECK(!(elems && texts), "%s/%s: <%s> has mixed content", d->type,
		 d->name, n->name);
}

static void check_field_def(const doc *d, const xmlNode *f)
{
	static const char *const types[] = {
		"Text",  "Number", "Integer", "Boolean", "Date", "DateTime",
		"Money", "Binary", "Guid",    "Link",    NULL,
	};
	static const char *const nolength[] = {
		"Boolean", "Date", "DateTime", "Guid", NULL,
	};
	const char *type = attr(f, "type"), *len = attr(f, "length");
	const char *prec = attr(f, "precision");

	TH_CHECK(attr(f, "name") && name_ok(attr(f, "name")),
		 "%s: Field without a valid name", d->name);
	TH_CHECK(in_list(type, types), "%s.%s: bad type", d->name,
		 attr(f, "name"));
	if (type && !strcmp(type, "Text"))
		TH_CHECK(int_ok(len, 1, 1000000), "%s.%s: Text needs a length",
			 d->name, attr(f, "name"));
	if (in_list(type, nolength))
		TH_CHECK(!len, "%s.%s: length not allowed", d->name,
			 attr(f, "name"));
	if (prec)
		TH_CHECK(int_ok(prec, 0, 38) && (!strcmp(type, "Number") ||
						 !strcmp(type, "Money")),
			 "%s.%s: bad precision", d->name, attr(f, "name"));
	if (attr(f, "linkTo"))
		TH_CHECK(!strcmp(type, "Link"), "%s.%s: linkTo on a non-link",
			 d->name, attr(f, "name"));
}

static void check_metadata_shape(const doc *d, const xmlNode *root)
{
	const char *const *allowed = children_of(d->type);
	const char *t = d->type;
	const xmlNode *c;

	for (c = root->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		TH_CHECK(allowed && in_list((const char *)c->name, allowed),
			 "%s/%s: unexpected <%s>", t, d->name, c->name);
		if (is(c, "Section"))
			TH_CHECK(count_children(c, "FieldRef") ==
					 (unsigned)xmlChildElementCount(
						 (xmlNode *)c),
				 "%s: Section holds more than FieldRefs",
				 d->name);
		if (is(c, "Field"))
			check_field_def(d, c);
		if (is(c, "Color")) {
			const char *v = attr(c, "value");

			TH_CHECK(v && strlen(v) == 7 && v[0] == '#' &&
					 strspn(v + 1, "0123456789abcdef") == 6,
				 "%s: bad colour %s", d->name, v ? v : "-");
		}
		if (is(c, "Data"))
			TH_CHECK(base64_ok(text(c)), "%s: Data is not base64",
				 d->name);
		if (is(c, "Permission"))
			TH_CHECK(in_list(attr(c, "access"),
					 (const char *const[]){ "none", "read",
								"write", "full",
								NULL }),
				 "%s: bad access", d->name);
		if (is(c, "Criterion"))
			TH_CHECK(in_list(attr(c, "op"),
					 (const char *const[]){
						 "eq", "ne", "lt", "le", "gt",
						 "ge", "like", "in", "isnull",
						 NULL }),
				 "%s: bad op", d->name);
		if (is(c, "Sort"))
			TH_CHECK(in_list(attr(c, "direction"),
					 (const char *const[]){ "asc", "desc",
								NULL }),
				 "%s: bad direction", d->name);
		if (is(c, "Relationship"))
			TH_CHECK(in_list(attr(c, "cardinality"),
					 (const char *const[]){
						 "OneToOne", "OneToMany",
						 "ManyToMany", NULL }),
				 "%s: bad cardinality", d->name);
	}
	if (!strcmp(t, "BusinessObject"))
		TH_CHECK(count_children(root, "Field") > 0, "%s: no Field",
			 d->name);
	if (!strcmp(t, "Layout"))
		TH_CHECK(xmlChildElementCount((xmlNode *)root) > 0,
			 "%s: empty layout", d->name);
	if (!strcmp(t, "Rule") || !strcmp(t, "BusinessRule") ||
	    !strcmp(t, "Image"))
		TH_CHECK(count_children(root, !strcmp(t, "Image") ?
						      "Data" :
						      "Expression") == 1,
			 "%s/%s: needs exactly one text child", t, d->name);
	if (!strcmp(t, "Counter"))
		TH_CHECK(int_ok(attr(root, "start"), 0, INT64_MAX) &&
				 (!attr(root, "step") ||
				  int_ok(attr(root, "step"), 1, INT64_MAX)),
			 "%s: bad start/step", d->name);
	if (!strcmp(t, "Trigger"))
		TH_CHECK(in_list(attr(root, "event"),
				 (const char *const[]){ "Insert", "Update",
							"Delete", "Save",
							NULL }),
			 "%s: bad event", d->name);
	if (!strcmp(t, "QuickAction"))
		TH_CHECK(in_list(attr(root, "action"),
				 (const char *const[]){
					 "UpdateObject", "CreateObject",
					 "RunWorkflow", "SendEmail", "OpenUrl",
					 NULL }),
			 "%s: bad action", d->name);
	if (!strcmp(t, "ChartPart"))
		TH_CHECK(in_list(attr(root, "chartType"),
				 (const char *const[]){ "Bar", "Pie", "Line",
							"Column", "Gauge",
							NULL }),
			 "%s: bad chartType", d->name);
	if (!strcmp(t, "Image"))
		TH_CHECK(in_list(attr(root, "mimeType"),
				 (const char *const[]){
					 "image/png", "image/svg+xml",
					 "image/jpeg", "image/gif", NULL }),
			 "%s: bad mimeType", d->name);
	if (!strcmp(t, "Workflow")) {
		for (c = root->children; c; c = c->next) {
			const xmlNode *s;
			bool from = false, to = false;

			if (!is(c, "Transition"))
				continue;
			for (s = root->children; s; s = s->next) {
				if (!is(s, "Step"))
					continue;
				from |= !strcmp(attr(s, "name"),
						attr(c, "from"));
				to |= !strcmp(attr(s, "name"), attr(c, "to"));
			}
			TH_CHECK(from && to,
				 "%s: transition %s>%s between "
				 "unknown steps",
				 d->name, attr(c, "from"), attr(c, "to"));
		}
	}
}

static void check_settings_shape(const doc *d, const xmlNode *root)
{
	static const struct {
		const char *type, *a1, *a2;
	} req[] = {
		{ "LdapConfiguration", "host", "port" },
		{ "EmailConfiguration", "server", "port" },
		{ "PasswordPolicy", "minLength", NULL },
		{ "AuthenticationProvider", "kind", NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(req) / sizeof(req[0]); i++) {
		if (strcmp(req[i].type, d->type))
			continue;
		TH_CHECK(attr(root, req[i].a1) && *attr(root, req[i].a1),
			 "%s/%s: needs %s", d->type, d->name, req[i].a1);
		if (req[i].a2)
			TH_CHECK(int_ok(attr(root, req[i].a2), 1, 65535),
				 "%s/%s: bad %s", d->type, d->name, req[i].a2);
	}
	if (!strcmp(d->type, "PasswordPolicy"))
		TH_CHECK(int_ok(attr(root, "minLength"), 0, 1000),
			 "%s: bad minLength", d->name);
}

/* Parse, check the document alone, register its names. */
static void pass1(reg *r, doc *d)
{
	xmlDoc *x;
	xmlNode *root, *c;
	const char *want, *guid;
	char label[512];

	snprintf(label, sizeof(label), "%s/%s/%s", kind_dirs[d->kind], d->type,
		 d->name);
	x = xmlReadMemory(d->xml, (int)d->len, label, "UTF-8", XML_PARSE_NONET);
	if (!x || !(root = xmlDocGetRootElement(x))) {
		th_fail("%s: not well-formed", label);
		xmlFreeDoc(x);
		return;
	}
	switch (d->kind) {
	case TFS_KIND_METADATA:
		want = d->type;
		TH_CHECK(in_list(d->type, metadata_types), "%s: bad type",
			 label);
		break;
	case TFS_KIND_SETTINGS:
		want = d->type;
		TH_CHECK(in_list(d->type, settings_types), "%s: bad type",
			 label);
		break;
	case TFS_KIND_VALIDATION:
		want = "ValidationList";
		TH_CHECK(!*d->type, "%s: validation type must be empty", label);
		break;
	case TFS_KIND_TRANSLATION:
		/* type is <locale>/<Type>, as the root says */
		want = "Translation";
		TH_CHECK(attr(root, "locale") && attr(root, "type") &&
				 !strncmp(d->type, attr(root, "locale"),
					  strlen(attr(root, "locale"))) &&
				 d->type[strlen(attr(root, "locale"))] == '/' &&
				 !strcmp(strchr(d->type, '/') + 1,
					 attr(root, "type")),
			 "%s: locale and type are not the directory", label);
		break;
	default:
		want = "Record";
		TH_CHECK(name_ok(d->type), "%s: bad type", label);
		TH_CHECK(attr(root, "businessObject") &&
				 !strcmp(attr(root, "businessObject"), d->type),
			 "%s: businessObject is not the directory", label);
		break;
	}
	TH_CHECK(!strcmp((const char *)root->name, want), "%s: root <%s>",
		 label, root->name);
	TH_CHECK(name_ok(d->name), "%s: invalid name", label);
	TH_CHECK(attr(root, "name") && !strcmp(attr(root, "name"), d->name),
		 "%s: name attribute differs", label);
	guid = attr(root, "guid");
	TH_CHECK(guid_ok(guid), "%s: bad guid %s", label, guid ? guid : "-");
	if (guid && xmlHashAddEntry(r->guids, BAD_CAST guid, d) < 0)
		th_fail("%s: guid %s used twice", label, guid);
	TH_CHECK(d->mtime <= NOW && d->mtime > NOW - 366 * DAY,
		 "%s: mtime %" PRId64 " outside the last year", label,
		 d->mtime);
	TH_CHECK(d->len > 0 && d->xml[d->len - 1] == '\n',
		 "%s: no final newline", label);
	if (xmlHashAddEntry3(r->objs, BAD_CAST kind_dirs[d->kind],
			     BAD_CAST d->type, BAD_CAST d->name, d) < 0)
		th_fail("%s: generated twice", label);
	check_tree(d, root);

	if (d->kind == TFS_KIND_METADATA)
		check_metadata_shape(d, root);
	if (d->kind == TFS_KIND_SETTINGS)
		check_settings_shape(d, root);
	for (c = root->children; c; c = c->next) {
		if (d->kind == TFS_KIND_METADATA && is(c, "Field") &&
		    !strcmp(d->type, "BusinessObject") && attr(c, "name") &&
		    xmlHashAddEntry2(r->fields, BAD_CAST d->name,
				     BAD_CAST attr(c, "name"), c) < 0)
			th_fail("%s: field %s twice", label, attr(c, "name"));
		if (d->kind == TFS_KIND_VALIDATION) {
			TH_CHECK(is(c, "Item") || c->type != XML_ELEMENT_NODE,
				 "%s: unexpected <%s>", label, c->name);
			if (is(c, "Item") &&
			    (!attr(c, "value") ||
			     xmlHashAddEntry2(r->items, BAD_CAST d->name,
					      BAD_CAST attr(c, "value"),
					      c) < 0))
				th_fail("%s: missing or repeated item value",
					label);
			if (is(c, "Item") && attr(c, "order"))
				TH_CHECK(int_ok(attr(c, "order"), 0, 1000000),
					 "%s: bad order", label);
		}
	}
	if (d->kind == TFS_KIND_MASTER || d->kind == TFS_KIND_DATA)
		xmlFreeDoc(x); /* re-read in pass 2; keeps memory small */
	else
		d->x = x;
}

/* ---- pass 2: references -------------------------------------------------- */

static void need_bo(const reg *r, const char *where, const char *bo)
{
	TH_CHECK(has_meta(r, "BusinessObject", bo),
		 "%s: business object %s not found", where, bo ? bo : "-");
}

static void need_field(const reg *r, const char *where, const char *bo,
		       const char *field)
{
	TH_CHECK(field_of(r, bo, field), "%s: field %s.%s not found", where,
		 bo ? bo : "-", field ? field : "-");
}

static void need_meta(const reg *r, const char *where, const char *type,
		      const char *name)
{
	TH_CHECK(has_meta(r, type, name), "%s: %s %s not found", where, type,
		 name ? name : "-");
}

/* The BO a metadata element's own businessObject attribute names. */
static const char *root_bo(const xmlNode *n)
{
	while (n->parent && n->parent->type == XML_ELEMENT_NODE)
		n = n->parent;
	return attr(n, "businessObject");
}

static void refs_metadata(const reg *r, const doc *d, const xmlNode *n,
			  const char *where)
{
	const char *bo = root_bo(n);
	const xmlNode *c;

	if (attr(n, "businessObject"))
		need_bo(r, where, attr(n, "businessObject"));
	if (is(n, "Field")) {
		if (attr(n, "validationList"))
			TH_CHECK(has_obj(r, TFS_KIND_VALIDATION, "",
					 attr(n, "validationList")),
				 "%s: pick list %s not found", where,
				 attr(n, "validationList"));
		if (attr(n, "linkTo"))
			need_bo(r, where, attr(n, "linkTo"));
	}
	if (is(n, "Relationship"))
		need_bo(r, where, attr(n, "target"));
	if (is(n, "FieldRef"))
		need_field(r, where, bo, attr(n, "name"));
	if (is(n, "Column") || is(n, "Criterion") || is(n, "Sort"))
		need_field(r, where, bo, attr(n, "field"));
	if (is(n, "FormRef") || is(n, "GridRef")) {
		const char *type = is(n, "FormRef") ? "Form" : "Grid";
		const char *name = attr(n, "name");

		need_meta(r, where, type, name);
		if (has_meta(r, type, name)) {
			const doc *t = xmlHashLookup3(r->objs,
						      BAD_CAST "metadata",
						      BAD_CAST type,
						      BAD_CAST name);
			const char *tbo = attr(xmlDocGetRootElement(t->x),
					       "businessObject");

			TH_CHECK(tbo && bo && !strcmp(tbo, bo),
				 "%s: %s %s belongs to another object", where,
				 type, name);
		}
	}
	if (is(n, "WorkflowRef"))
		need_meta(r, where, "Workflow", attr(n, "name"));
	if (is(n, "PartRef"))
		need_meta(r, where, attr(n, "type"), attr(n, "name"));
	if (is(n, "ChartPart") && attr(n, "groupBy"))
		need_field(r, where, bo, attr(n, "groupBy"));
	if (is(n, "GridPart") && attr(n, "grid"))
		need_meta(r, where, "Grid", attr(n, "grid"));
	if (is(n, "ViewPart") && attr(n, "search"))
		need_meta(r, where, "Search", attr(n, "search"));
	if (is(n, "Workflow") && attr(n, "workflowType"))
		need_meta(r, where, "WorkflowType", attr(n, "workflowType"));
	if (is(n, "RuleOverride"))
		need_meta(r, where, "Rule", attr(n, "rule"));
	if (is(n, "ValidationListDefinition") && attr(n, "list"))
		TH_CHECK(has_obj(r, TFS_KIND_VALIDATION, "", attr(n, "list")),
			 "%s: pick list %s not found", where, attr(n, "list"));
	if (is(n, "ValidationListDefinition") && attr(n, "valueField"))
		need_field(r, where, bo, attr(n, "valueField"));
	if (is(n, "Branding") && attr(n, "logo"))
		need_meta(r, where, "Image", attr(n, "logo"));
	/* settings: field= attributes name fields of the root's object */
	if (d->kind == TFS_KIND_SETTINGS && bo && attr(n, "field"))
		need_field(r, where, bo, attr(n, "field"));
	for (c = n->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			refs_metadata(r, d, c, where);
}

/* Whether records of `bo` may sit behind a Link field with `link_to`. */
static bool link_fits(const char *link_to, const char *bo)
{
	size_t n;

	if (!link_to)
		return true; /* a polymorphic link (Task, Journal) */
	n = strlen(link_to);
	return !strcmp(link_to, bo) ||
	       (!strncmp(link_to, bo, n) && bo[n] == '#');
}

static void refs_record(const reg *r, const doc *d, const char *where)
{
	xmlDoc *x = xmlReadMemory(d->xml, (int)d->len, where, "UTF-8",
				  XML_PARSE_NONET);
	xmlNode *root = x ? xmlDocGetRootElement(x) : NULL, *c;

	if (!root) {
		xmlFreeDoc(x);
		return;
	}
	need_bo(r, where, d->type);
	for (c = root->children; c; c = c->next) {
		const xmlNode *f;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		TH_CHECK(is(c, "Value") || is(c, "Link") ||
				 is(c, "WorkflowRef"),
			 "%s: unexpected <%s>", where, c->name);
		if (is(c, "WorkflowRef"))
			need_meta(r, where, "Workflow", attr(c, "name"));
		if (!attr(c, "field"))
			continue;
		f = field_of(r, d->type, attr(c, "field"));
		TH_CHECK(f, "%s: field %s.%s not found", where, d->type,
			 attr(c, "field"));
		if (!f)
			continue;
		if (is(c, "Value")) {
			const char *list = attr(f, "validationList");

			TH_CHECK(*text(c), "%s: empty Value %s", where,
				 attr(c, "field"));
			TH_CHECK(strcmp(attr(f, "type"), "Link"),
				 "%s: Value for link field %s", where,
				 attr(c, "field"));
			if (list)
				TH_CHECK(xmlHashLookup2(r->items, BAD_CAST list,
							BAD_CAST text(c)),
					 "%s: %s=\"%s\" is not in pick list %s",
					 where, attr(c, "field"), text(c),
					 list);
		} else if (is(c, "Link")) {
			const char *bo = attr(c, "businessObject");
			const char *key = attr(c, "key");

			TH_CHECK(!strcmp(attr(f, "type"), "Link"),
				 "%s: Link for non-link field %s", where,
				 attr(c, "field"));
			need_bo(r, where, bo);
			TH_CHECK(bo && link_fits(attr(f, "linkTo"), bo),
				 "%s: %s links to %s, not %s", where,
				 attr(c, "field"), bo ? bo : "-",
				 attr(f, "linkTo"));
			TH_CHECK(bo && key &&
					 (has_obj(r, TFS_KIND_MASTER, bo,
						  key) ||
					  has_obj(r, TFS_KIND_DATA, bo, key)),
				 "%s: link %s to missing record %s/%s", where,
				 attr(c, "field"), bo ? bo : "-",
				 key ? key : "-");
		}
	}
	xmlFreeDoc(x);
}

static void pass2(const reg *r, const doc *d)
{
	char where[512];

	snprintf(where, sizeof(where), "%s/%s/%s", kind_dirs[d->kind], d->type,
		 d->name);
	if (d->kind == TFS_KIND_MASTER || d->kind == TFS_KIND_DATA)
		refs_record(r, d, where);
	else if (d->kind == TFS_KIND_TRANSLATION)
		/* a translation translates an object of the demo */
		need_meta(r, where, strchr(d->type, '/') + 1, d->name);
	else if (d->x)
		refs_metadata(r, d, xmlDocGetRootElement(d->x), where);
}

/* ---- tfs_doc_parse ------------------------------------------------------- */

/*
 * Whether an attribute name is a secret (engine/SCHEMA.md, "12 Secrets";
 * engine/doc_schema.c):
 * password, bindPassword, secret, clientSecret, apiKey, token, or ending in
 * "Password" or "Secret", case-insensitively.
 */
static bool secret_name(const char *name)
{
	static const char *const exact[] = {
		"password", "bindpassword", "secret", "clientsecret",
		"apikey",   "token",        NULL,
	};
	size_t n = strlen(name), i;

	for (i = 0; exact[i]; i++)
		if (!strcasecmp(name, exact[i]))
			return true;
	return (n >= 8 && !strcasecmp(name + n - 8, "password")) ||
	       (n >= 6 && !strcasecmp(name + n - 6, "secret"));
}

/* Secret attributes with a value in the subtree of n. */
static size_t count_secrets(const xmlNode *n)
{
	const xmlAttr *a;
	const xmlNode *c;
	size_t k = 0;

	for (a = n->properties; a; a = a->next)
		k += secret_name((const char *)a->name) &&
		     strcmp(attr(n, (const char *)a->name), "***");
	for (c = n->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			k += count_secrets(c);
	return k;
}

/* Whether a reference reported by doc.c resolves in the demo content. */
static bool ref_resolves(const reg *r, const tfs_ref *ref)
{
	if (!strcmp(ref->kind, "BusinessObject"))
		return has_meta(r, "BusinessObject", ref->target);
	if (!strcmp(ref->kind, "ValidationList"))
		return has_obj(r, TFS_KIND_VALIDATION, "", ref->target);
	if (!strcmp(ref->kind, "Field")) {
		const char *dot = strrchr(ref->target, '.');
		char bo[256];

		if (!dot || (size_t)(dot - ref->target) >= sizeof(bo))
			return false;
		snprintf(bo, sizeof(bo), "%.*s", (int)(dot - ref->target),
			 ref->target);
		return field_of(r, bo, dot + 1) != NULL;
	}
	if (!strcmp(ref->kind, "Record")) {
		/* "<BO>/<key>": a record in master/ or data/ */
		const char *slash = strchr(ref->target, '/');
		char bo[256];

		if (!slash || (size_t)(slash - ref->target) >= sizeof(bo))
			return false;
		snprintf(bo, sizeof(bo), "%.*s", (int)(slash - ref->target),
			 ref->target);
		return has_obj(r, TFS_KIND_MASTER, bo, slash + 1) ||
		       has_obj(r, TFS_KIND_DATA, bo, slash + 1);
	}
	return in_list(ref->kind, metadata_types) &&
	       has_meta(r, ref->kind, ref->target);
}

static void check_doc_parse(const reg *r, const doc *d, size_t *nsecrets,
			    size_t *planted)
{
	char where[512];
	tfs_doc *p = NULL;
	xmlDoc *x;
	xmlNode *root;
	size_t i;
	int rc;

	snprintf(where, sizeof(where), "%s/%s/%s", kind_dirs[d->kind], d->type,
		 d->name);
	rc = tfs_doc_parse(&p, d->kind, d->type, d->name, d->xml, d->len, NULL);
	if (rc != 0) {
		th_fail("%s: tfs_doc_parse: %d %s", where, rc,
			tfs_error_last());
		return;
	}
	x = xmlReadMemory(d->xml, (int)d->len, where, "UTF-8", XML_PARSE_NONET);
	root = x ? xmlDocGetRootElement(x) : NULL;
	if (root) {
		const char *bo = attr(root, "businessObject");
		size_t want = 0;

		if (d->kind == TFS_KIND_SETTINGS ||
		    d->kind == TFS_KIND_MASTER || d->kind == TFS_KIND_DATA)
			want = count_secrets(root);

		TH_CHECK(p->nsecrets == want,
			 "%s: %zu secrets reported, "
			 "%zu in the document",
			 where, p->nsecrets, want);
		*planted += want;

		TH_CHECK(p->guid && !strcmp(p->guid, attr(root, "guid")),
			 "%s: doc.c guid differs", where);
		TH_CHECK((!bo && !p->bo) || (bo && p->bo && !strcmp(bo, p->bo)),
			 "%s: doc.c businessObject differs", where);
	}
	xmlFreeDoc(x);
	TH_CHECK(p->canon && p->canon_len && p->canon[p->canon_len - 1] == '\n',
		 "%s: canonical bytes do not end in a newline", where);
	for (i = 0; i < p->nrefs; i++)
		TH_CHECK(ref_resolves(r, &p->refs[i]),
			 "%s: doc.c reference %s %s does not resolve", where,
			 p->refs[i].kind, p->refs[i].target);
	for (i = 0; i < p->nsecrets; i++) {
		const char *v = p->secrets[i].value;

		TH_CHECK(v && *v && !strstr(p->canon, v),
			 "%s: secret %s shows in the canonical bytes", where,
			 p->secrets[i].path);
	}
	*nsecrets += p->nsecrets;
	if (!strcmp(d->type, "LdapConfiguration") ||
	    !strcmp(d->type, "EmailConfiguration"))
		TH_CHECK(p->nsecrets > 0,
			 "%s: credentials not reported as "
			 "secrets",
			 where);
	tfs_doc_free(p);
}

/* ---- the test ------------------------------------------------------------ */

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t count(const docs *d, tfs_kind kind, const char *type)
{
	size_t i, n = 0;

	for (i = 0; i < d->n; i++)
		n += d->v[i].kind == kind &&
		     (!type || !strcmp(d->v[i].type, type));
	return n;
}

/* Run the generator for `now` with digests only; return its result. */
static int digest_run(int64_t now, long stop_at, unsigned char all[32],
		      unsigned char config[32], long *calls)
{
	docs d;
	int rc;

	memset(&d, 0, sizeof(d));
	d.alloc = (size_t)-1; /* digest only, keep nothing */
	d.stop_at = stop_at;
	tfs_sha256_init(&d.all);
	tfs_sha256_init(&d.config);
	rc = tfs_demo_generate(collect, &d, now, false);
	tfs_sha256_final(&d.all, all);
	tfs_sha256_final(&d.config, config);
	if (calls)
		*calls = d.calls;
	return rc;
}

static void report_counts(const docs *d)
{
	xmlHashTablePtr seen = xmlHashCreate(64);
	size_t i, k;

	for (k = 0; k < TFS_KIND__COUNT; k++)
		printf("%-10s %6zu\n", kind_dirs[k],
		       count(d, (tfs_kind)k, NULL));
	for (i = 0; metadata_types[i]; i++)
		printf("  metadata/%-26s %4zu\n", metadata_types[i],
		       count(d, TFS_KIND_METADATA, metadata_types[i]));
	for (i = 0; settings_types[i]; i++)
		printf("  settings/%-26s %4zu\n", settings_types[i],
		       count(d, TFS_KIND_SETTINGS, settings_types[i]));
	for (i = 0; i < d->n; i++) {
		k = d->v[i].kind;
		if ((k != TFS_KIND_MASTER && k != TFS_KIND_DATA) ||
		    xmlHashAddEntry2(seen, BAD_CAST kind_dirs[k],
				     BAD_CAST d->v[i].type, d->v) < 0)
			continue;
		printf("  %s/%-28s %4zu\n", kind_dirs[k], d->v[i].type,
		       count(d, (tfs_kind)k, d->v[i].type));
	}
	xmlHashFree(seen, NULL);
}

int main(void)
{
	unsigned char all1[32], all2[32], conf1[32], conf2[32], all3[32];
	unsigned char conf3[32];
	reg r;
	docs d;
	double t0, t1;
	size_t i, nsecrets = 0, planted = 0;
	long calls = 0;
	int rc;

	LIBXML_TEST_VERSION;
	memset(&d, 0, sizeof(d));
	tfs_sha256_init(&d.all);
	tfs_sha256_init(&d.config);
	t0 = seconds();
	rc = tfs_demo_generate(collect, &d, NOW, false);
	t1 = seconds();
	TH_CHECK(rc == 0, "tfs_demo_generate returned %d (%s)", rc,
		 tfs_error_last());
	printf("generated %zu documents in %.3f s\n", d.n, t1 - t0);
	TH_CHECK(t1 - t0 < 2.0 * TIME_SCALE, "generation took %.3f s", t1 - t0);
	report_counts(&d);

	r.objs = xmlHashCreate(16384);
	r.fields = xmlHashCreate(1024);
	r.items = xmlHashCreate(512);
	r.guids = xmlHashCreate(16384);
	for (i = 0; i < d.n; i++)
		pass1(&r, &d.v[i]);
	for (i = 0; i < d.n; i++)
		pass2(&r, &d.v[i]);

	/* coverage */
	for (i = 0; metadata_types[i]; i++)
		TH_CHECK(count(&d, TFS_KIND_METADATA, metadata_types[i]) > 0,
			 "no metadata/%s", metadata_types[i]);
	for (i = 0; settings_types[i]; i++)
		TH_CHECK(count(&d, TFS_KIND_SETTINGS, settings_types[i]) > 0,
			 "no settings/%s", settings_types[i]);
	TH_CHECK(count(&d, TFS_KIND_VALIDATION, "") >= 10,
		 "too few pick lists");
	TH_CHECK(count(&d, TFS_KIND_DATA, "Incident") == 1500, "incidents");
	TH_CHECK(count(&d, TFS_KIND_DATA, "Change") == 300, "changes");
	TH_CHECK(count(&d, TFS_KIND_DATA, "ServiceReq") == 800, "requests");
	TH_CHECK(count(&d, TFS_KIND_DATA, "Task") >= 500, "tasks");
	TH_CHECK(count(&d, TFS_KIND_DATA, "Journal") >= 1000, "journal");
	TH_CHECK(count(&d, TFS_KIND_MASTER, "Employee") == 60, "employees");
	TH_CHECK(count(&d, TFS_KIND_MASTER, "RequestOffering") >= 10,
		 "request offerings");
	TH_CHECK(count(&d, TFS_KIND_MASTER, "EscalationSchedule") >= 5,
		 "escalation schedules");
	TH_CHECK(has_meta(&r, "BusinessObject", "FRS_Knowledge.QandA"),
		 "child business object FRS_Knowledge.QandA");
	TH_CHECK(has_meta(&r, "Search", "Incident.MyOpenIncidents"),
		 "search Incident.MyOpenIncidents");
	TH_CHECK(has_meta(&r, "Form", "Incident.Default") &&
			 has_meta(&r, "Form", "Incident.Mobile"),
		 "incident forms");

	/* every document through the store's gate */
	for (i = 0; i < d.n; i++)
		check_doc_parse(&r, &d.v[i], &nsecrets, &planted);
	printf("%zu secrets reported by tfs_doc_parse\n", nsecrets);
	TH_CHECK(nsecrets == planted && planted >= 9,
		 "%zu secrets reported, %zu planted", nsecrets, planted);

	/* determinism and the early stop */
	tfs_sha256_final(&d.all, all1);
	tfs_sha256_final(&d.config, conf1);
	TH_CHECK(digest_run(NOW, 0, all2, conf2, NULL) == 0, "second run");
	TH_CHECK(!memcmp(all1, all2, 32), "same now, different output");
	TH_CHECK(digest_run(NOW + 7 * DAY + 3600, 0, all3, conf3, NULL) == 0,
		 "third run");
	TH_CHECK(!memcmp(conf1, conf3, 32),
		 "configuration bytes depend on now");
	TH_CHECK(memcmp(all1, all3, 32), "records do not depend on now");
	rc = digest_run(NOW, 100, all3, conf3, &calls);
	TH_CHECK(rc == 7 && calls == 100, "early stop: rc %d after %ld calls",
		 rc, calls);

	xmlHashFree(r.objs, NULL);
	xmlHashFree(r.fields, NULL);
	xmlHashFree(r.items, NULL);
	xmlHashFree(r.guids, NULL);
	docs_free(&d);
	xmlCleanupParser();
	if (th_failures)
		fprintf(stderr, "%d failure(s)\n", th_failures);
	else
		printf("ok\n");
	return th_failures ? 1 : 0;
}
