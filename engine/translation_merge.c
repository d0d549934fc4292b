/*
 * Copy translation's rule on one object (DOMAIN.md: "moves only entries
 * that are newer or different in the source and never deletes"):
 * tfs_translation_merge() moves into a stored translation every String of
 * another instance's translation of the same object that the first lacks,
 * holds with other text, or holds with an older modified= stamp.  Strings
 * only the target has stay, in their place; new ones follow in the
 * source's order.  The result passes the same gate as any save
 * (tfs_doc_parse), keeping the target's name, guid, locale and type.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libxml/hash.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "doc_int.h"
#include "tenantfs/buf.h"
#include "tenantfs/doc.h"
#include "tenantfs/error.h"

/* Both inputs are stored canonical documents; parsed without network,
 * entities or DTDs all the same. */
#define MERGE_PARSE (XML_PARSE_NONET | XML_PARSE_NOCDATA)

static const char *prop(const xmlNode *n, const char *name)
{
	const xmlAttr *a;

	for (a = n->properties; a; a = a->next)
		if (strcmp((const char *)a->name, name) == 0 && a->children &&
		    a->children->type == XML_TEXT_NODE)
			return (const char *)a->children->content;
	return NULL;
}

/* The text of String `n` (canonical: one text node, or none). */
static const char *text_of(const xmlNode *n)
{
	const xmlNode *c = n->children;

	return c && c->type == XML_TEXT_NODE && c->content ?
		       (const char *)c->content :
		       "";
}

static bool is_string(const xmlNode *n)
{
	return n->type == XML_ELEMENT_NODE &&
	       strcmp((const char *)n->name, "String") == 0 && prop(n, "key");
}

/* Whether source String `s` moves over target String `t` (NULL: none). */
static bool moves(const xmlNode *s, const xmlNode *t)
{
	const char *ms, *mt;

	if (!t || strcmp(text_of(s), text_of(t)) != 0)
		return true;
	ms = prop(s, "modified");
	mt = prop(t, "modified");
	/* UTC stamps of one fixed width compare as strings */
	return ms && (!mt || strcmp(ms, mt) > 0);
}

static int put_string(tfs_buf *b, const xmlNode *n)
{
	const char *m = prop(n, "modified");
	int error;

	if ((error = tfs_buf_puts(b, "<String key=\"")) < 0 ||
	    (error = tfs_xml_put_escaped(b, prop(n, "key"), true)) < 0)
		return error;
	if (m && ((error = tfs_buf_puts(b, "\" modified=\"")) < 0 ||
		  (error = tfs_xml_put_escaped(b, m, true)) < 0))
		return error;
	if ((error = tfs_buf_puts(b, "\">")) < 0 ||
	    (error = tfs_xml_put_escaped(b, text_of(n), false)) < 0)
		return error;
	return tfs_buf_puts(b, "</String>\n");
}

static int put_root(tfs_buf *b, const xmlNode *root)
{
	static const char *const attrs[] = {
		"name", "guid", "locale", "type", NULL,
	};
	const char *v;
	size_t i;
	int error = tfs_buf_puts(b, "<Translation");

	for (i = 0; attrs[i] && !error; i++) {
		if (!(v = prop(root, attrs[i])))
			continue;
		if ((error = tfs_buf_printf(b, " %s=\"", attrs[i])) < 0 ||
		    (error = tfs_xml_put_escaped(b, v, true)) < 0)
			break;
		error = tfs_buf_puts(b, "\"");
	}
	return error < 0 ? error : tfs_buf_puts(b, ">\n");
}

/* Index the Strings of `root` by key into a new table. */
static xmlHashTablePtr index_strings(const xmlNode *root)
{
	xmlHashTablePtr h = xmlHashCreate(64);
	const xmlNode *c;

	for (c = root->children; h && c; c = c->next)
		if (is_string(c))
			xmlHashAddEntry(h, BAD_CAST prop(c, "key"), (void *)c);
	return h;
}

/* The merged document into b; *moved counted.  Both roots checked. */
static int merge(tfs_buf *b, size_t *moved, const xmlNode *troot,
		 const xmlNode *sroot)
{
	xmlHashTablePtr th = index_strings(troot), sh = index_strings(sroot);
	const xmlNode *c, *s, *t;
	int error;

	if (!th || !sh) {
		error = tfs_error_set(TFS_ERROR, "out of memory");
		goto done;
	}
	if ((error = put_root(b, troot)) < 0)
		goto done;
	for (c = troot->children; c && !error; c = c->next) {
		if (!is_string(c))
			continue;
		s = xmlHashLookup(sh, BAD_CAST prop(c, "key"));
		if (s && moves(s, c))
			(*moved)++;
		else
			s = c;
		error = put_string(b, s);
	}
	for (c = sroot->children; c && !error; c = c->next) {
		if (!is_string(c))
			continue;
		t = xmlHashLookup(th, BAD_CAST prop(c, "key"));
		if (t)
			continue;
		(*moved)++;
		error = put_string(b, c);
	}
	if (!error)
		error = tfs_buf_puts(b, "</Translation>\n");
done:
	xmlHashFree(th, NULL);
	xmlHashFree(sh, NULL);
	return error;
}

int tfs_translation_merge(tfs_doc **out, size_t *moved, const char *type,
			  const char *name, const char *target, size_t tlen,
			  const char *source, size_t slen)
{
	xmlDoc *t = NULL, *s = NULL;
	tfs_doc *check = NULL;
	tfs_buf b = TFS_BUF_INIT;
	int error;

	*out = NULL;
	*moved = 0;
	/* Both pass the gate first: what follows reads checked documents. */
	if ((error = tfs_doc_parse(&check, TFS_KIND_TRANSLATION, type, name,
				   target, tlen, NULL)) < 0)
		return tfs_error_set(error, "target: %s", tfs_error_last());
	tfs_doc_free(check);
	if ((error = tfs_doc_parse(&check, TFS_KIND_TRANSLATION, type, name,
				   source, slen, NULL)) < 0)
		return tfs_error_set(error, "source: %s", tfs_error_last());
	tfs_doc_free(check);
	if (tlen > INT32_MAX || slen > INT32_MAX)
		return tfs_error_set(TFS_EINVALID, "document too large");
	t = xmlReadMemory(target, (int)tlen, NULL, NULL, MERGE_PARSE);
	s = xmlReadMemory(source, (int)slen, NULL, NULL, MERGE_PARSE);
	if (!t || !s || !xmlDocGetRootElement(t) || !xmlDocGetRootElement(s)) {
		error = tfs_error_set(TFS_ERROR, "cannot read a translation");
		goto done;
	}
	if ((error = merge(&b, moved, xmlDocGetRootElement(t),
			   xmlDocGetRootElement(s))) < 0)
		goto done;
	if (*moved)
		error = tfs_doc_parse(out, TFS_KIND_TRANSLATION, type, name,
				      b.ptr, b.size, NULL);
done:
	xmlFreeDoc(t);
	xmlFreeDoc(s);
	tfs_buf_free(&b);
	return error;
}
