/*
 * The one writer of package files (INTERFACE.md "Packages"; public as
 * tfs_pkgw_*, tenantfs/package.h), used by the export of a package
 * (package_export.c: packages/P/package.xml) and by tools that make
 * packages (tools/generate/: tenantctl generate-package).  All must
 * produce what import_reader.c reads, so the layout lives here once: two
 * spaces per level, attributes escaped by doc_put_attr (the one XML
 * escaper), each object line indented under its transaction.
 *
 * The writer streams: the generator writes packages of 10^6 records, so
 * with a FILE the bytes are handed on past PKGW_FLUSH and never held
 * whole; without one (the export) they stay in the caller's buffer.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "doc_int.h"
#include "package_int.h"
#include "tenantfs/error.h"

/* Bytes kept before they go to the FILE: a few records' worth, so that
 * stdio sees large writes. */
#define PKGW_FLUSH 65536

void tfs_pkgw_init(tfs_pkgw *w, tfs_buf *out, FILE *f)
{
	w->out = out;
	w->f = f;
	w->indent = 0;
}

int tfs_pkgw_flush(tfs_pkgw *w)
{
	if (!w->f || !w->out->size)
		return 0;
	if (fwrite(w->out->ptr, 1, w->out->size, w->f) != w->out->size)
		return tfs_error_set(errno == ENOSPC || errno == EDQUOT ?
					     TFS_ENOSPC :
					     TFS_ERROR,
				     "write: %s", strerror(errno));
	tfs_buf_clear(w->out);
	return 0;
}

/* After a call that wrote: pass its error on, else hand a full buffer to
 * the FILE. */
static int spill(tfs_pkgw *w, int error)
{
	if (error < 0 || !w->f || w->out->size < PKGW_FLUSH)
		return error;
	return tfs_pkgw_flush(w);
}

/* `n` spaces: the indentation of one line (a format of "%*s" per line
 * would be a printf per object line of 10^6 records). */
static int put_spaces(tfs_buf *b, int n)
{
	static const char spaces[] = "                                ";
	int error = 0;

	while (!error && n > 0) {
		int k = n < (int)sizeof(spaces) - 1 ? n :
						      (int)sizeof(spaces) - 1;

		error = tfs_buf_put(b, spaces, (size_t)k);
		n -= k;
	}
	return error;
}

/* The indentation of the next line, then the literal `s`. */
static int put_line(tfs_pkgw *w, int indent, const char *s)
{
	int error = put_spaces(w->out, indent);

	return error ? error : tfs_buf_puts(w->out, s);
}

static int put_int_attr(tfs_buf *b, const char *name, int64_t v)
{
	char num[32];

	snprintf(num, sizeof(num), "%lld", (long long)v);
	return doc_put_attr(b, name, num);
}

int tfs_pkgw_begin(tfs_pkgw *w, const struct tfs_pkgw_head *h)
{
	tfs_buf *b = w->out;
	int error = put_line(w, w->indent, "<package format=\"1\"");

	if (!error)
		error = doc_put_attr(b, "name", h->name);
	if (!error)
		error = doc_put_attr(b, "type", h->type);
	if (!error)
		error = doc_put_attr(b, "state", h->state);
	if (!error && h->description && h->description[0])
		error = doc_put_attr(b, "description", h->description);
	if (!error)
		error = doc_put_attr(b, "source-tenant", h->source_tenant);
	if (!error)
		error = doc_put_attr(b, "source-instance", h->source_instance);
	if (!error && h->source_commit)
		error = doc_put_attr(b, "source-commit", h->source_commit);
	if (!error)
		error = tfs_buf_puts(b, ">\n");
	w->indent += 2;
	return spill(w, error);
}

int tfs_pkgw_end(tfs_pkgw *w)
{
	int error;

	w->indent -= 2;
	error = put_line(w, w->indent, "</package>\n");
	/* the outermost package is the end of the file */
	if (!error && w->indent == 0)
		error = tfs_pkgw_flush(w);
	return spill(w, error);
}

int tfs_pkgw_aspect(tfs_pkgw *w, const char *id, const char *version,
		    const char *vendor, bool uninstall)
{
	tfs_buf *b = w->out;
	int error = put_line(w, w->indent, "<aspect");

	if (!error)
		error = doc_put_attr(b, "id", id);
	if (!error)
		error = doc_put_attr(b, "version", version);
	if (!error)
		error = doc_put_attr(b, "vendor-id", vendor);
	if (!error)
		error = doc_put_attr(b, "uninstall", uninstall ? "yes" : "no");
	if (!error)
		error = tfs_buf_puts(b, "/>\n");
	return spill(w, error);
}

int tfs_pkgw_sub_begin(tfs_pkgw *w, int64_t order)
{
	int error = put_line(w, w->indent, "<sub-package");

	if (!error)
		error = put_int_attr(w->out, "order", order);
	if (!error)
		error = tfs_buf_puts(w->out, ">\n");
	w->indent += 2;
	return spill(w, error);
}

int tfs_pkgw_sub_end(tfs_pkgw *w)
{
	w->indent -= 2;
	return spill(w, put_line(w, w->indent, "</sub-package>\n"));
}

int tfs_pkgw_set_begin(tfs_pkgw *w, int64_t id, const char *project,
		       const char *user, const char *created)
{
	tfs_buf *b = w->out;
	int error = put_line(w, w->indent, "<transaction-set");

	if (!error)
		error = put_int_attr(b, "id", id);
	if (!error)
		error = doc_put_attr(b, "project", project);
	if (!error)
		error = doc_put_attr(b, "user", user);
	if (!error)
		error = doc_put_attr(b, "created", created);
	if (!error)
		error = tfs_buf_puts(b, ">\n");
	w->indent += 2;
	return spill(w, error);
}

int tfs_pkgw_set_end(tfs_pkgw *w)
{
	w->indent -= 2;
	return spill(w, put_line(w, w->indent, "</transaction-set>\n"));
}

/* Lines of `obj` (`len` bytes), each indented by `indent` spaces and ended
 * by a newline: the object is stored with its own newlines, and a last
 * line without one gets one. */
static int put_object(tfs_buf *b, const char *obj, size_t len, int indent)
{
	const char *p = obj, *end = obj + len, *nl;
	int error = 0;

	while (!error && p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		error = put_spaces(b, indent);
		if (!error)
			error = tfs_buf_put(b, p, (size_t)(nl - p));
		if (!error)
			error = tfs_buf_put(b, "\n", 1);
		p = nl + 1;
	}
	return error;
}

int tfs_pkgw_tx(tfs_pkgw *w, int64_t seq, char op, const char *path,
		const char *base, const char *obj, size_t len)
{
	tfs_buf *b = w->out;
	char opattr[] = " op=\"?\"";
	int error = put_line(w, w->indent, "<transaction");

	opattr[5] = op; /* C, U or D: nothing to escape */
	if (!error)
		error = put_int_attr(b, "seq", seq);
	if (!error)
		error = tfs_buf_puts(b, opattr);
	if (!error)
		error = doc_put_attr(b, "path", path);
	if (!error)
		error = doc_put_attr(b, "base", base);
	if (!error && !obj)
		return spill(w, tfs_buf_puts(b, "/>\n"));
	if (!error)
		error = tfs_buf_puts(b, ">\n");
	if (!error)
		error = put_object(b, obj, len, w->indent + 2);
	if (!error)
		error = put_line(w, w->indent, "</transaction>\n");
	return spill(w, error);
}
