/*
 * Object documents: the single gate every document passes before it is
 * stored (include/tenantfs/doc.h).  Callers: the store on every save, the
 * demo generator, package application.
 *
 * tfs_doc_parse() parses with libxml2 (no network, no DTD: a DOCTYPE stops
 * the parser the moment it is seen, so entity expansion never starts; no
 * entity substitution; libxml2's own depth and size limits), checks the
 * root here, then makes one walk over the tree (doc_walk.c) that checks the
 * rules of doc_schema.c (the object schema, engine/SCHEMA.md), collects
 * references and secrets, and renders the
 * canonical bytes into a single buffer.  Every step is linear in the
 * input except a few sorts (field names, list values, refs): O(n log n).
 *
 * The canonical form, in full (also engine/SCHEMA.md, "4 The canonical
 * form"):
 *   - no XML declaration, no DOCTYPE, no comments or processing
 *     instructions; UTF-8; each element on its own line, indented two
 *     spaces per level; the last line ends in "\n";
 *   - attributes ordered name, guid, businessObject, then the order of the
 *     element's rule (doc_schema.c), then the rest by byte order of name;
 *     values in double quotes with & < > " tab LF CR escaped (&amp; &lt;
 *     &gt; &quot; &#9; &#10; &#13;);
 *   - an element without children or text is written <X a="1"/>;
 *   - an element with text is written <X>text</X> with nothing added
 *     around the text, which is kept exactly (CDATA merged; a text with
 *     newlines spans lines) with & < > CR escaped;
 *   - whitespace-only text is formatting and dropped, except in elements
 *     the rules declare as text (Expression, Condition, Content, Data,
 *     Value), where it is content and kept;
 *   - the root's guid is lower case (filled in when missing), secrets read
 *     "***".
 * Parsing the canonical bytes gives the same bytes again.
 *
 * Thread safety: no shared mutable state; libxml2 errors go to a handler
 * of the parser context (and, for the few libxml2 reports that have no
 * context, to this thread's handler, restored afterwards), never stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "tenantfs/buf.h"
#include "tenantfs/doc.h"
#include "tenantfs/error.h"
#include "tenantfs/sha256.h"
#include "doc_int.h"
#include "xml_scan.h"
#include "internal.h"

/* Kinds, types and names */

const char *const tfs_metadata_types[] = {
	"BusinessObject", "Counter",      "Form",
	"Grid",           "Layout",       "QuickAction",
	"Rule",           "RuleOverride", "Trigger",
	"Branding",       "Role",         "ValidationListDefinition",
	"BusinessRule",   "Search",       "Dashboard",
	"ChartPart",      "GridPart",     "SpecialPart",
	"ViewPart",       "Workflow",     "WorkflowType",
	"Report",         "Image",        NULL,
};

const char *const tfs_settings_types[] = {
	"AllowedAttachments",
	"AuthenticationProvider",
	"BulkUploadProfile",
	"DynamicStyle",
	"GlobalConstant",
	"IntegrationSetting",
	"LdapConfiguration",
	"ObjectMatchingList",
	"PasswordPolicy",
	"VoiceIntegration",
	"WatchListItem",
	"EmailConfiguration",
	NULL,
};

static const char *const kind_dirs[TFS_KIND__COUNT] = {
	"metadata", "validation", "settings", "master", "data", "translations",
};

const char *tfs_kind_dir(tfs_kind kind)
{
	if ((unsigned)kind >= TFS_KIND__COUNT)
		return NULL;
	return kind_dirs[kind];
}

int tfs_kind_from_dir(tfs_kind *out, const char *dir)
{
	int i;

	for (i = 0; dir && i < TFS_KIND__COUNT; i++) {
		if (strcmp(dir, kind_dirs[i]) == 0) {
			*out = (tfs_kind)i;
			return 0;
		}
	}
	return tfs_error_set(TFS_ENOTFOUND, "no object directory '%s'",
			     dir ? dir : "");
}

bool tfs_kind_versioned(tfs_kind kind)
{
	return (unsigned)kind < TFS_KIND__COUNT && kind != TFS_KIND_DATA;
}

bool tfs_name_valid(const char *name)
{
	size_t i;
	char c;

	if (!name || !name[0] || name[0] == '.')
		return false;
	for (i = 0; (c = name[i]); i++) {
		if (i >= 200)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-' || c == '#'))
			return false;
	}
	return true;
}

/* The entry of `list` equal to `type`, or NULL. */
static const char *find_type(const char *const *list, const char *type)
{
	for (; type && *list; list++)
		if (strcmp(*list, type) == 0)
			return *list;
	return NULL;
}

bool tfs_locale_valid(const char *locale)
{
	size_t i;
	char c;

	if (!locale || !((locale[0] >= 'a' && locale[0] <= 'z') ||
			 (locale[0] >= 'A' && locale[0] <= 'Z')))
		return false;
	for (i = 0; (c = locale[i]); i++) {
		if (i >= TFS_LOCALE_MAX)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

bool tfs_translation_split(const char *type, char locale[TFS_LOCALE_MAX + 1],
			   const char **mtype)
{
	const char *slash = type ? strchr(type, '/') : NULL;
	size_t n;

	if (!slash || (n = (size_t)(slash - type)) > TFS_LOCALE_MAX)
		return false;
	memcpy(locale, type, n);
	locale[n] = '\0';
	*mtype = find_type(tfs_metadata_types, slash + 1);
	return *mtype && tfs_locale_valid(locale);
}

bool tfs_type_valid(tfs_kind kind, const char *type)
{
	switch (kind) {
	case TFS_KIND_METADATA:
		return find_type(tfs_metadata_types, type) != NULL;
	case TFS_KIND_SETTINGS:
		return find_type(tfs_settings_types, type) != NULL;
	case TFS_KIND_VALIDATION:
		return !type || !type[0];
	case TFS_KIND_MASTER:
	case TFS_KIND_DATA:
		return tfs_name_valid(type);
	case TFS_KIND_TRANSLATION: {
		char locale[TFS_LOCALE_MAX + 1];
		const char *mtype;

		return tfs_translation_split(type, locale, &mtype);
	}
	default:
		return false;
	}
}

const char *tfs_doc_root(tfs_kind kind, const char *type)
{
	switch (kind) {
	case TFS_KIND_METADATA:
		return find_type(tfs_metadata_types, type);
	case TFS_KIND_SETTINGS:
		return find_type(tfs_settings_types, type);
	case TFS_KIND_VALIDATION:
		return "ValidationList";
	case TFS_KIND_MASTER:
	case TFS_KIND_DATA:
		return "Record";
	case TFS_KIND_TRANSLATION:
		return tfs_type_valid(kind, type) ? "Translation" : NULL;
	default:
		return NULL;
	}
}

/* UUIDs */

/* Fill `p` from the kernel's random source; false if it is unavailable. */
static bool random_bytes(unsigned char *p, size_t n)
{
	size_t got = 0;
	ssize_t r;
	int fd;

	while (got < n) {
		r = getrandom(p + got, n - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got == n)
		return true;
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	for (got = 0; got < n;) {
		r = read(fd, p + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	return got == n;
}

void tfs_uuid_new(char out[37])
{
	static const char hex[] = "0123456789abcdef";
	/* Only for the fallback: keeps two calls in one clock tick apart. */
	static _Thread_local unsigned long calls;
	unsigned char b[32];
	size_t i, j = 0;

	if (!random_bytes(b, 16)) {
		/* No kernel randomness (a broken chroot): unique, not
		 * unpredictable, which is all a guid must be. */
		struct {
			struct timespec rt, mono;
			pid_t pid;
			unsigned long n;
			void *where;
		} seed;
		tfs_sha256 h;

		memset(&seed, 0, sizeof(seed));
		clock_gettime(CLOCK_REALTIME, &seed.rt);
		clock_gettime(CLOCK_MONOTONIC, &seed.mono);
		seed.pid = getpid();
		seed.n = ++calls;
		seed.where = &seed;
		tfs_sha256_init(&h);
		tfs_sha256_update(&h, &seed, sizeof(seed));
		tfs_sha256_final(&h, b);
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[j++] = '-';
		out[j++] = hex[b[i] >> 4];
		out[j++] = hex[b[i] & 15];
	}
	out[36] = '\0';
}

/* Copy `s` into `out` lower-cased if it is a UUID in 8-4-4-4-12 form. */
static bool guid_norm(char out[37], const char *s)
{
	size_t i;
	char c;

	for (i = 0; i < 36; i++) {
		c = s[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return false;
		} else if (c >= 'A' && c <= 'F') {
			c = (char)(c - 'A' + 'a');
		} else if (!((c >= '0' && c <= '9') ||
			     (c >= 'a' && c <= 'f'))) {
			return false; /* also the NUL of a short string */
		}
		out[i] = c;
	}
	out[36] = '\0';
	return s[36] == '\0';
}

/* Parsing */

#if LIBXML_VERSION >= 21200
typedef const xmlError *xml_error_arg;
#else
typedef xmlErrorPtr xml_error_arg;
#endif

/*
 * Never NOENT, DTDLOAD, DTDATTR or HUGE.  NOCDATA merges CDATA into text;
 * BIG_LINES keeps line numbers past 65535 for messages; COMPACT stores
 * short text inside the node (we never modify the tree).
 */
#define PARSE_OPTIONS                                                \
	(XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES | \
	 XML_PARSE_COMPACT)

/* What went wrong while libxml2 parsed; the first error wins. */
typedef struct capture {
	bool doctype;
	long doctype_line;
	bool failed;
	int code;
	long line;
	char msg[200];
} capture;

static void capture_error(capture *cap, xml_error_arg e)
{
	const char *m;
	size_t n;

	if (!cap || !e || cap->failed || e->level < XML_ERR_ERROR)
		return;
	cap->failed = true;
	cap->code = e->code;
	cap->line = e->line;
	m = e->message ? e->message : "malformed XML";
	/* libxml2 messages end in "\n" and some go on to a second line. */
	n = strcspn(m, "\n");
	while (n && (m[n - 1] == ' ' || m[n - 1] == '\t' || m[n - 1] == '\r'))
		n--;
	if (n >= sizeof(cap->msg))
		n = sizeof(cap->msg) - 1;
	memcpy(cap->msg, m, n);
	cap->msg[n] = '\0';
}

/* The parser context's handler: libxml2 passes the context itself. */
static void on_ctxt_error(void *ctx, xml_error_arg e)
{
	xmlParserCtxtPtr ctxt = ctx;

	capture_error(ctxt ? ctxt->_private : NULL, e);
}

/* This thread's handler, for reports made without a parser context. */
static void on_thread_error(void *ctx, xml_error_arg e)
{
	capture_error(ctx, e);
}

static void on_generic_error(void *ctx, const char *msg, ...)
{
}

/* SAX internalSubset: called at <!DOCTYPE, before any declaration. */
static void on_doctype(void *ctx, const xmlChar *name, const xmlChar *eid,
		       const xmlChar *sid)
{
	xmlParserCtxtPtr ctxt = ctx;
	capture *cap = ctxt->_private;

	if (cap && !cap->doctype) {
		cap->doctype = true;
		cap->doctype_line = ctxt->input ? ctxt->input->line : 0;
	}
	xmlStopParser(ctxt);
}

/*
 * SAX startElementNs: build the node as usual, then keep line numbers past
 * 65535, which libxml2 2.9 keeps for text nodes only, in the element's
 * psvi (unused without schema validation) for doc_line().
 */
static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
		     const xmlChar *uri, int nns, const xmlChar **ns,
		     int nattrs, int ndefaulted, const xmlChar **attrs)
{
	xmlParserCtxtPtr ctxt = ctx;

	xmlSAX2StartElementNs(ctx, localname, prefix, uri, nns, ns, nattrs,
			      ndefaulted, attrs);
	if (ctxt->node && ctxt->input && ctxt->input->line >= 65535)
		ctxt->node->psvi = (void *)(intptr_t)ctxt->input->line;
}

long doc_line(const xmlNode *n)
{
	if (n->type == XML_ELEMENT_NODE && n->line == 65535 && n->psvi)
		return (long)(intptr_t)n->psvi;
	return xmlGetLineNo(n);
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
	xmlInitParser();
}

static int fail_line(long line, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* TFS_EINVALID with "line L: <message>" (no prefix if the line is unknown). */
static int fail_line(long line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		return tfs_error_set(TFS_EINVALID, "line %ld: %s", line, msg);
	return tfs_error_set(TFS_EINVALID, "%s", msg);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Checks libxml2 would make less clearly, or not at all (NUL bytes). */
static int check_bytes(const char *bytes, size_t len)
{
	xml_scan scan;
	const char *nul, *p;
	long line = 1;
	size_t i;

	for (i = 0; i < len && is_space(bytes[i]); i++)
		;
	if (i == len)
		return tfs_error_set(TFS_EINVALID, "empty document");
	nul = memchr(bytes, '\0', len);
	if (nul) {
		for (p = bytes; (p = memchr(p, '\n', (size_t)(nul - p))); p++)
			line++;
		return fail_line(line, "NUL byte in document");
	}
	if (len > INT_MAX)
		return tfs_error_set(TFS_EINVALID,
				     "document too large (%zu bytes)", len);
	xml_scan_init(&scan);
	return xml_scan_feed(&scan, bytes, len);
}

/*
 * Parse `len` bytes into *out (the caller frees it with xmlFreeDoc).
 * TFS_EINVALID with libxml2's first error and its line, or TFS_ERROR.
 */
static int parse_xml(xmlDoc **out, const char *bytes, size_t len)
{
	capture cap;
	xmlParserCtxtPtr ctxt;
	xmlStructuredErrorFunc old_serror;
	xmlGenericErrorFunc old_gerror;
	void *old_sctx, *old_gctx;
	xmlDoc *doc;
	int error = 0;

	*out = NULL;
	pthread_once(&xml_once, xml_init);
	memset(&cap, 0, sizeof(cap));
	ctxt = xmlNewParserCtxt();
	if (!ctxt)
		return tfs_error_set(TFS_ERROR, "out of memory");
	ctxt->_private = &cap;
	ctxt->sax->serror = on_ctxt_error;
	ctxt->sax->internalSubset = on_doctype;
	ctxt->sax->startElementNs = on_start;

	old_serror = xmlStructuredError;
	old_sctx = xmlStructuredErrorContext;
	old_gerror = xmlGenericError;
	old_gctx = xmlGenericErrorContext;
	xmlSetStructuredErrorFunc(&cap, on_thread_error);
	xmlSetGenericErrorFunc(NULL, on_generic_error);
	doc = xmlCtxtReadMemory(ctxt, bytes, (int)len, NULL, NULL,
				PARSE_OPTIONS);
	xmlSetStructuredErrorFunc(old_sctx, old_serror);
	xmlSetGenericErrorFunc(old_gctx, old_gerror);

	if (cap.doctype || (doc && (doc->intSubset || doc->extSubset))) {
		error = fail_line(cap.doctype_line, "DOCTYPE is not allowed");
	} else if (cap.failed && cap.code == XML_ERR_NO_MEMORY &&
		   strstr(cap.msg, "huge")) {
		error = fail_line(cap.line,
				  "text too large (more than %d "
				  "bytes in one element)",
				  XML_MAX_TEXT_LENGTH);
	} else if (cap.failed && strstr(cap.msg, "Excessive depth")) {
		error = fail_line(cap.line,
				  "elements nested deeper than %u "
				  "levels",
				  xmlParserMaxDepth);
	} else if (cap.failed) {
		error = fail_line(cap.line, "%s", cap.msg);
	} else if (!doc || !ctxt->wellFormed || !ctxt->nsWellFormed) {
		error = tfs_error_set(TFS_EINVALID, "malformed XML");
	} else if (!xmlDocGetRootElement(doc)) {
		error = tfs_error_set(TFS_EINVALID, "no root element");
	}
	if (error < 0)
		xmlFreeDoc(doc);
	else
		*out = doc;
	xmlFreeParserCtxt(ctxt);
	return error;
}

/* The document */

/*
 * The root's own checks: element name, name= against the file name, guid
 * (normalized into w->guid), a record's businessObject against its
 * directory.
 */
static int check_root(doc_walk *w, const xmlNode *root, const char *name,
		      const char *guid_if_missing)
{
	const char *want = tfs_doc_root(w->kind, w->type);
	long line = doc_line(root);
	const char *v;

	if (strcmp((const char *)root->name, want) != 0)
		return fail_line(line, "root element is <%.80s>, expected <%s>",
				 (const char *)root->name, want);
	v = doc_prop(root, "name");
	if (!v)
		return fail_line(line, "%s: name attribute is required", want);
	if (strcmp(v, name) != 0)
		return fail_line(line,
				 "name attribute '%.80s' does not match "
				 "the file name '%s'",
				 v, name);
	v = doc_prop(root, "guid");
	if (v) {
		if (!guid_norm(w->guid, v))
			return fail_line(line,
					 "guid '%.80s' is not a valid "
					 "UUID",
					 v);
	} else if (guid_if_missing) {
		if (!guid_norm(w->guid, guid_if_missing))
			return tfs_error_set(TFS_EINVALID,
					     "guid_if_missing "
					     "'%.80s' is not a valid UUID",
					     guid_if_missing);
		w->add_guid = true;
	} else {
		return fail_line(line, "%s '%s': guid attribute is required",
				 want, name);
	}
	w->bo = doc_prop(root, "businessObject");
	if ((w->kind == TFS_KIND_MASTER || w->kind == TFS_KIND_DATA) && w->bo &&
	    strcmp(w->bo, w->type) != 0)
		return fail_line(line,
				 "businessObject '%.80s' does not match "
				 "the directory '%s'",
				 w->bo, w->type);
	return 0;
}

static int ref_cmp(const void *a, const void *b)
{
	const tmp_ref *x = a, *y = b;
	int c = strcmp(x->kind, y->kind);

	return c ? c : strcmp(x->target, y->target);
}

/*
 * Move the walk's results into a new tfs_doc: canonical bytes, guid, bo,
 * references sorted by (kind, target) without duplicates, secrets in
 * document order.  The walk keeps what was not moved.
 */
static int make_doc(tfs_doc **out, doc_walk *w)
{
	tfs_doc *d;
	tfs_ref *last = NULL;
	size_t i;
	int error = 0;

	*out = NULL;
	if (!(d = calloc(1, sizeof(*d))))
		return tfs_error_set(TFS_ERROR, "out of memory");
	if (w->nrefs > 1)
		qsort(w->refs, w->nrefs, sizeof(*w->refs), ref_cmp);
	if (w->nrefs && !(d->refs = calloc(w->nrefs, sizeof(*d->refs))))
		goto oom;
	for (i = 0; i < w->nrefs; i++) {
		if (last && strcmp(last->kind, w->refs[i].kind) == 0 &&
		    strcmp(last->target, w->refs[i].target) == 0)
			continue;
		last = &d->refs[d->nrefs];
		if (!(last->kind = strdup(w->refs[i].kind)))
			goto oom;
		last->target = w->refs[i].target;
		w->refs[i].target = NULL;
		d->nrefs++;
	}
	d->secrets = w->secrets;
	d->nsecrets = w->nsecrets;
	w->secrets = NULL;
	w->nsecrets = w->asecrets = 0;
	if (!(d->guid = strdup(w->guid)) ||
	    (w->bo && !(d->bo = strdup(w->bo))) ||
	    !(d->canon = tfs_buf_detach(&w->out, &d->canon_len)))
		goto oom;
	if ((error = tfs_sha256_hex(d->sha, d->canon, d->canon_len)) < 0) {
		tfs_doc_free(d);
		return error;
	}
	*out = d;
	return 0;
oom:
	error = tfs_error_set(TFS_ERROR, "out of memory");
	tfs_doc_free(d);
	return error;
}

static void walk_free(doc_walk *w)
{
	size_t i;

	tfs_buf_free(&w->out);
	free(w->ents);
	for (i = 0; i < w->nrefs; i++)
		free(w->refs[i].target);
	free(w->refs);
	for (i = 0; i < w->nsecrets; i++) {
		free(w->secrets[i].path);
		free(w->secrets[i].value);
	}
	free(w->secrets);
}

/* The checks of a type and name made before any XML is read. */
static int check_names(tfs_kind kind, const char *type, const char *name)
{
	if (!tfs_type_valid(kind, type))
		return tfs_error_set(TFS_EINVALID,
				     "'%.80s' is not a type of "
				     "%s",
				     type,
				     tfs_kind_dir(kind) ? tfs_kind_dir(kind) :
							  "document");
	if (!tfs_name_valid(name))
		return tfs_error_set(TFS_EINVALID,
				     "'%.80s' is not a valid "
				     "name",
				     name ? name : "");
	return 0;
}

/* Check and render the document whose root element is `root`; `hint`:
 * the usual canonical length, to size the output buffer up front. */
static int doc_from_root(tfs_doc **out, tfs_kind kind, const char *type,
			 const char *name, xmlNode *root, size_t hint,
			 const char *guid_if_missing)
{
	doc_walk w;
	int error;

	memset(&w, 0, sizeof(w));
	w.kind = kind;
	w.type = type;
	w.root = root;
	w.mask = kind == TFS_KIND_SETTINGS || kind == TFS_KIND_MASTER ||
		 kind == TFS_KIND_DATA;
	if (kind == TFS_KIND_METADATA && strcmp(type, "BusinessObject") == 0)
		w.self = name;
	if ((error = check_root(&w, root, name, guid_if_missing)) < 0)
		goto done;
	if ((error = tfs_buf_grow(&w.out, hint)) < 0 ||
	    (error = doc_render(&w, root, doc_rule_root(kind, type))) < 0 ||
	    (error = make_doc(out, &w)) < 0)
		goto done;
done:
	walk_free(&w);
	return error;
}

int tfs_doc_parse(tfs_doc **out, tfs_kind kind, const char *type,
		  const char *name, const char *bytes, size_t len,
		  const char *guid_if_missing)
{
	xmlDoc *xml = NULL;
	int error;

	*out = NULL;
	if (!type)
		type = "";
	if ((error = check_names(kind, type, name)) < 0)
		goto done;
	if ((error = check_bytes(bytes, len)) < 0 ||
	    (error = parse_xml(&xml, bytes, len)) < 0)
		goto done;
	/* One buffer, sized for the usual canonical length up front. */
	error = doc_from_root(out, kind, type, name, xmlDocGetRootElement(xml),
			      len + len / 8 + 64, guid_if_missing);
done:
	xmlFreeDoc(xml);
	return error;
}

int doc_from_node(tfs_doc **out, tfs_kind kind, const char *type,
		  const char *name, xmlNode *root)
{
	int error;

	*out = NULL;
	if (!type)
		type = "";
	if ((error = check_names(kind, type, name)) < 0)
		return error;
	return doc_from_root(out, kind, type, name, root, 4096, NULL);
}

void tfs_doc_free(tfs_doc *doc)
{
	size_t i;

	if (!doc)
		return;
	free(doc->canon);
	free(doc->guid);
	free(doc->bo);
	for (i = 0; i < doc->nrefs; i++) {
		free(doc->refs[i].kind);
		free(doc->refs[i].target);
	}
	free(doc->refs);
	for (i = 0; i < doc->nsecrets; i++) {
		free(doc->secrets[i].path);
		free(doc->secrets[i].value);
	}
	free(doc->secrets);
	free(doc);
}
