/*
 * Pass 1 of importing a package (import.c): check the file's shape and
 * count its transactions before anything is changed, so a malformed or
 * hostile file is refused up front and pass 2 can report progress.
 *
 * libxml2's SAX2 push parser, fed 256 KB at a time: no tree, and nothing
 * kept per element, so memory is constant whatever the package's size.
 * A DOCTYPE stops the parser before any declaration in it is read (no
 * entity is ever defined, expanded or loaded); elements inside a
 * <transaction> are its object's and are not interpreted (pass 2 reads
 * them).  The checks and messages are those pass 2's reader would give.
 */
#include <errno.h>
#include <fcntl.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "survey.h"
#include "xml_scan.h"
#include "tenantfs/error.h"

#if LIBXML_VERSION >= 21200
typedef const xmlError *xml_error_arg;
#else
typedef xmlErrorPtr xml_error_arg;
#endif

/* Bytes handed to the parser at a time. */
#define SURVEY_CHUNK (256 * 1024)

/*
 * Pass 2 reads each transaction with xmlTextReader, whose tree builder
 * refuses a 258th level of elements and a text node longer than
 * XML_MAX_TEXT_LENGTH (we never pass XML_PARSE_HUGE).  Pass 1 builds no
 * tree, so it checks both itself: a package it accepts, pass 2 can read.
 */
#define MAX_DEPTH 257

/*
 * Pass 1 state, in the parser context's _private.  Constant size: nothing
 * is kept per element but the last sub-package order of each depth.
 */
struct survey {
	struct pkg_survey *out;
	int error;       /* the first rejection (tfs_error_set done) */
	char first[256]; /* libxml2's first error, "line N: message" */
	int depth;       /* elements open */
	int skip;        /* depth of the transaction being skipped, or -1 */
	int packages;
	/* the last sub-package order at each depth: orders rise within
	 * one master, and a master inside it has its own */
	int64_t last_order[MAX_DEPTH + 1];
	size_t text; /* bytes of the current text node */
};

static struct survey *survey_of(void *ctx)
{
	return ((xmlParserCtxtPtr)ctx)->_private;
}

static int line_of(void *ctx)
{
	return xmlSAX2GetLineNumber(ctx);
}

/* Keep the first rejection (already set with tfs_error_set) and stop. */
static void reject(void *ctx, int error)
{
	struct survey *sv = survey_of(ctx);

	if (!sv->error)
		sv->error = error;
	xmlStopParser(ctx);
}

static void reject_dtd(void *ctx)
{
	reject(ctx, tfs_error_set(TFS_EINVALID, "DOCTYPE and entities are "
						"not allowed"));
}

/*
 * Attribute `name` (in no namespace, as xmlTextReaderGetAttribute finds
 * it) of a SAX2 start tag, truncated to `size` like get_attr().  Without
 * entity substitution libxml2 hands '&' in a value over as "&#38;" (for
 * its tree builder to decode again); so do we.
 */
static void sax_attr(char *out, size_t size, const xmlChar **attrs, int nattrs,
		     const char *name)
{
	const char *v, *end;
	size_t n = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < nattrs; i++, attrs += 5)
		if (!attrs[2] && strcmp((const char *)attrs[0], name) == 0)
			break;
	if (i == nattrs)
		return;
	v = (const char *)attrs[3];
	end = (const char *)attrs[4];
	while (v < end && n + 1 < size) {
		if (end - v >= 5 && memcmp(v, "&#38;", 5) == 0) {
			out[n++] = '&';
			v += 5;
		} else {
			out[n++] = *v++;
		}
	}
	out[n] = '\0';
}

static void start_package(void *ctx, const xmlChar **attrs, int nattrs)
{
	struct survey *sv = survey_of(ctx);
	struct pkg_survey *out = sv->out;
	char fmt[16], state[16];

	sax_attr(fmt, sizeof(fmt), attrs, nattrs, "format");
	sax_attr(state, sizeof(state), attrs, nattrs, "state");
	if (strcmp(fmt, "1") != 0) {
		reject(ctx, tfs_error_set(TFS_EINVALID,
					  "unknown package "
					  "format '%s'",
					  fmt));
		return;
	}
	if (strcmp(state, "closed") != 0)
		out->any_open = true;
	if (sv->packages++ == 0) {
		char t[64], i[64];

		sax_attr(out->name, sizeof(out->name), attrs, nattrs, "name");
		snprintf(out->state, sizeof(out->state), "%s", state);
		sax_attr(out->type, sizeof(out->type), attrs, nattrs, "type");
		sax_attr(out->description, sizeof(out->description), attrs,
			 nattrs, "description");
		sax_attr(t, sizeof(t), attrs, nattrs, "source-tenant");
		sax_attr(i, sizeof(i), attrs, nattrs, "source-instance");
		if (t[0] && i[0])
			snprintf(out->source, sizeof(out->source), "%s/%s", t,
				 i);
	}
}

/* An <aspect> of the first package: kept for the target's record. */
static void start_aspect(void *ctx, const xmlChar **attrs, int nattrs)
{
	struct survey *sv = survey_of(ctx);
	struct pkg_survey *out = sv->out;
	char id[256], version[64], vendor[256], un[8];
	size_t used = strlen(out->aspects), n = 0;
	const char *p;

	for (p = out->aspects; (p = strchr(p, '\n')); p++)
		n++;
	if (n >= SURVEY_ASPECTS)
		return;
	sax_attr(id, sizeof(id), attrs, nattrs, "id");
	sax_attr(version, sizeof(version), attrs, nattrs, "version");
	sax_attr(vendor, sizeof(vendor), attrs, nattrs, "vendor-id");
	sax_attr(un, sizeof(un), attrs, nattrs, "uninstall");
	if (!id[0] || strpbrk(id, " \t") || strpbrk(version, " \t") ||
	    strpbrk(vendor, " \t"))
		return;
	snprintf(out->aspects + used, sizeof(out->aspects) - used,
		 "%s %s %s %s\n", id, version[0] ? version : "1",
		 vendor[0] ? vendor : "-", strcmp(un, "yes") ? "no" : "yes");
}

static void start_sub_package(void *ctx, int depth, const xmlChar **attrs,
			      int nattrs)
{
	struct survey *sv = survey_of(ctx);
	char ord[32];
	char *end;
	long long o;

	sax_attr(ord, sizeof(ord), attrs, nattrs, "order");
	o = strtoll(ord, &end, 10);
	if (!ord[0] || *end || o <= sv->last_order[depth]) {
		reject(ctx, tfs_error_set(TFS_EINVALID,
					  "sub-package order "
					  "'%s' is not a number above the "
					  "previous one",
					  ord));
		return;
	}
	sv->last_order[depth] = o;
}

/*
 * SAX2 start tag.  Inside a transaction nothing is interpreted: its object
 * may hold elements of any name, read in pass 2.
 */
static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
		     const xmlChar *uri, int nns, const xmlChar **ns,
		     int nattrs, int ndefaulted, const xmlChar **attrs)
{
	struct survey *sv = survey_of(ctx);
	const char *name = (const char *)localname;
	int depth = sv->depth++;

	sv->text = 0;
	if (sv->depth > MAX_DEPTH) {
		reject(ctx, tfs_error_set(TFS_EINVALID,
					  "malformed package: "
					  "line %d: elements nested deeper "
					  "than %d",
					  line_of(ctx), MAX_DEPTH));
		return;
	}
	if (sv->skip >= 0)
		return;
	if (depth == 0 && strcmp(name, "package") != 0)
		reject(ctx, tfs_error_set(TFS_EINVALID, "the root element "
							"must be <package>"));
	else if (strcmp(name, "package") == 0) {
		sv->last_order[depth + 1] = -1;
		start_package(ctx, attrs, nattrs);
	} else if (strcmp(name, "sub-package") == 0)
		start_sub_package(ctx, depth, attrs, nattrs);
	else if (strcmp(name, "aspect") == 0 && depth == 1)
		start_aspect(ctx, attrs, nattrs);
	else if (strcmp(name, "transaction") == 0) {
		sv->out->total++;
		sv->skip = depth;
	}
}

static void on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
		   const xmlChar *uri)
{
	struct survey *sv = survey_of(ctx);

	sv->text = 0;
	if (--sv->depth == sv->skip)
		sv->skip = -1;
}

/* Text, CDATA and character references: one text node until the next
 * tag, comment or processing instruction, as pass 2's tree builder
 * merges them. */
static void on_text(void *ctx, const xmlChar *ch, int len)
{
	struct survey *sv = survey_of(ctx);

	sv->text += (size_t)len;
	if (sv->text > XML_MAX_TEXT_LENGTH)
		reject(ctx, tfs_error_set(TFS_EINVALID,
					  "malformed package: "
					  "line %d: text longer than %d "
					  "bytes",
					  line_of(ctx), XML_MAX_TEXT_LENGTH));
}

static void on_comment(void *ctx, const xmlChar *value)
{
	survey_of(ctx)->text = 0;
}

static void on_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
	survey_of(ctx)->text = 0;
}

/* <!DOCTYPE: rejected before any declaration in it is read. */
static void on_doctype(void *ctx, const xmlChar *name, const xmlChar *eid,
		       const xmlChar *sid)
{
	reject_dtd(ctx);
}

/* Declarations and references can only follow a DOCTYPE, which stopped
 * the parser; refused here too should that ever change. */
static void on_entity_decl(void *ctx, const xmlChar *name, int type,
			   const xmlChar *pid, const xmlChar *sid,
			   xmlChar *content)
{
	reject_dtd(ctx);
}

static void on_reference(void *ctx, const xmlChar *name)
{
	reject_dtd(ctx);
}

/* No entity is ever resolved: &x; is then "Entity 'x' not defined", as
 * pass 2 reports it.  The predefined ones (&amp; ...) do not come here. */
static xmlEntityPtr no_entity(void *ctx, const xmlChar *name)
{
	return NULL;
}

static xmlParserInputPtr no_input(void *ctx, const xmlChar *pid,
				  const xmlChar *sid)
{
	return NULL;
}

/* libxml2's first error, as "line N: message"; its own report silenced. */
static void on_error(void *ctx, xml_error_arg e)
{
	struct survey *sv = survey_of(ctx);
	size_t n;

	if (!e || sv->first[0] || e->level < XML_ERR_ERROR)
		return;
	snprintf(sv->first, sizeof(sv->first), "line %d: %s", e->line,
		 e->message ? e->message : "parse error");
	n = strlen(sv->first);
	while (n && (sv->first[n - 1] == '\n' || sv->first[n - 1] == ' '))
		sv->first[--n] = '\0';
}

/*
 * The events pass 1 needs.  No startDocument: with no handler for it the
 * parser makes no document, and with no tree handlers it builds nothing.
 */
static void survey_sax(xmlSAXHandler *sax)
{
	memset(sax, 0, sizeof(*sax));
	sax->initialized = XML_SAX2_MAGIC;
	sax->startElementNs = on_start;
	sax->endElementNs = on_end;
	sax->characters = on_text;
	sax->ignorableWhitespace = on_text;
	sax->cdataBlock = on_text;
	sax->comment = on_comment;
	sax->processingInstruction = on_pi;
	sax->internalSubset = on_doctype;
	sax->externalSubset = on_doctype;
	sax->entityDecl = on_entity_decl;
	sax->reference = on_reference;
	sax->getEntity = no_entity;
	sax->getParameterEntity = no_entity;
	sax->resolveEntity = no_input;
	sax->serror = on_error;
}

/* Feed the file to the parser until it ends, is rejected or fails. */
static int feed(xmlParserCtxtPtr ctxt, int fd)
{
	struct survey *sv = ctxt->_private;
	char *buf = malloc(SURVEY_CHUNK);
	xml_scan scan;
	ssize_t n;
	int rc;

	xml_scan_init(&scan);
	if (!buf)
		return tfs_error_set(TFS_ERROR, "out of memory");
	for (;;) {
		n = read(fd, buf, SURVEY_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return tfs_error_set(TFS_EINVALID, "cannot read the "
							   "package");
		}
		if ((rc = xml_scan_feed(&scan, buf, (size_t)n)) < 0) {
			free(buf);
			return tfs_error_set(TFS_EINVALID,
					     "malformed package: "
					     "%s",
					     tfs_error_last());
		}
		/* The last call, with no bytes, reports a truncated file. */
		rc = xmlParseChunk(ctxt, buf, (int)n, n == 0);
		if (n == 0 || rc || sv->error)
			break;
	}
	free(buf);
	if (sv->error)
		return sv->error;
	if (rc || !ctxt->wellFormed || sv->first[0])
		return tfs_error_set(TFS_EINVALID, "malformed package: %s",
				     sv->first[0] ? sv->first : "parse error");
	return 0;
}

/*
 * Well formed, the right elements, no DOCTYPE; count transactions; the
 * package's name and states.  SAX events over the file read in chunks:
 * memory stays constant, and no tree is built for what pass 2 reads
 * anyway.  Options as import.c's reader: no network, no entity
 * substitution, no DTD loading, default size limits.
 */
int pkg_survey(struct pkg_survey *out, const char *path)
{
	struct survey sv;
	xmlSAXHandler sax;
	xmlParserCtxtPtr ctxt;
	xmlStructuredErrorFunc old_serror;
	void *old_sctx;
	int fd, error;

	memset(out, 0, sizeof(*out));
	memset(&sv, 0, sizeof(sv));
	memset(sv.last_order, 0xff, sizeof(sv.last_order)); /* all -1 */
	sv.out = out;
	sv.skip = -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tfs_error_set(TFS_EINVALID, "cannot read the package");
	survey_sax(&sax);
	ctxt = xmlCreatePushParserCtxt(&sax, NULL, NULL, 0, path);
	if (!ctxt) {
		close(fd);
		return tfs_error_set(TFS_ERROR, "out of memory");
	}
	ctxt->_private = &sv;
	xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOCDATA);
	/* Errors raised outside the parser's context (an encoding's
	 * conversion failing) go to this thread's handler (libxml2 keeps
	 * them per thread), stderr by default: to on_error instead. */
	old_serror = xmlStructuredError;
	old_sctx = xmlStructuredErrorContext;
	xmlSetStructuredErrorFunc(ctxt, on_error);
	error = feed(ctxt, fd);
	xmlSetStructuredErrorFunc(old_sctx, old_serror);
	if (!error && !sv.packages)
		error = tfs_error_set(TFS_EINVALID, "no <package> element");
	if (ctxt->myDoc)
		xmlFreeDoc(ctxt->myDoc);
	xmlFreeParserCtxt(ctxt);
	close(fd);
	return error;
}
