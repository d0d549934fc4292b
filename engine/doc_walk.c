/*
 * The walk over a parsed document: one pass, top down, that checks each
 * element against its rule (doc_schema.c; engine/SCHEMA.md), renders it in
 * canonical form (described in doc.c and engine/SCHEMA.md, "4 The
 * canonical form") into one buffer, and records the references it
 * makes and the secrets it holds.  Linear in the size of the document; the
 * tree is only read (apart from a cache in xmlNode._private, see
 * sibling_index()).  Called from tfs_doc_parse() through doc_render().
 */
#include <assert.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "tenantfs/buf.h"
#include "tenantfs/error.h"
#include "doc_int.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The text of attribute `a`, "" if empty, NULL if not plain text. */
static const char *attr_text(const xmlAttr *a)
{
	const xmlNode *t = a->children;

	if (!t)
		return "";
	if (t->type == XML_TEXT_NODE && !t->next && t->content)
		return (const char *)t->content;
	return NULL;
}

const char *doc_prop(const xmlNode *n, const char *name)
{
	const xmlAttr *a;

	for (a = n->properties; a; a = a->next)
		if (!a->ns && strcmp((const char *)a->name, name) == 0)
			return attr_text(a);
	return NULL;
}

int doc_fail(const xmlNode *n, const char *fmt, ...)
{
	char msg[400];
	const char *name = doc_prop(n, "name");
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (name && name[0])
		return tfs_error_set(TFS_EINVALID, "line %ld: %s '%.80s': %s",
				     doc_line(n), (const char *)n->name, name,
				     msg);
	return tfs_error_set(TFS_EINVALID, "line %ld: %s: %s", doc_line(n),
			     (const char *)n->name, msg);
}

/*
 * `arr` (room for *cap items of `size` bytes) with room for `need`: the
 * same or a moved pointer, *cap updated; NULL with the error set (and
 * `arr` untouched) when memory runs out.
 */
static void *grow(void *arr, size_t *cap, size_t need, size_t size)
{
	size_t want = *cap ? *cap : 8;
	void *q;

	if (need <= *cap)
		return arr;
	while (want < need && want <= SIZE_MAX / 2)
		want *= 2;
	if (want < need || want > SIZE_MAX / size ||
	    !(q = realloc(arr, want * size))) {
		tfs_error_set(TFS_ERROR, "out of memory");
		return NULL;
	}
	*cap = want;
	return q;
}

int doc_ref(doc_walk *w, const char *kind, const char *value, bool field)
{
	tfs_buf t = TFS_BUF_INIT;
	tmp_ref *r;
	int error;

	if (field && !w->bo)
		return 0;
	if (!field && w->self && strcmp(kind, "BusinessObject") == 0 &&
	    strcmp(value, w->self) == 0)
		return 0;
	if (!(r = grow(w->refs, &w->arefs, w->nrefs + 1, sizeof(*r))))
		return TFS_ERROR;
	w->refs = r;
	if (field && ((error = tfs_buf_puts(&t, w->bo)) < 0 ||
		      (error = tfs_buf_put(&t, ".", 1)) < 0))
		goto done;
	if ((error = tfs_buf_puts(&t, value)) < 0)
		goto done;
	w->refs[w->nrefs].kind = kind;
	w->refs[w->nrefs].target = tfs_buf_detach(&t, NULL);
	w->nrefs++;
done:
	tfs_buf_free(&t);
	return error;
}

/*
 * 1-based position of element `n` among its same-named siblings.  Cached
 * in n->_private so that many secrets under one parent stay linear.
 */
static size_t sibling_index(xmlNode *n)
{
	size_t seen = 0, idx;
	xmlNode *p;

	if (n->_private)
		return (size_t)(uintptr_t)n->_private;
	idx = 0;
	for (p = n->prev; p && !idx; p = p->prev) {
		if (p->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)p->name, (const char *)n->name) != 0)
			continue;
		if (p->_private)
			idx = (size_t)(uintptr_t)p->_private + seen + 1;
		else
			seen++;
	}
	if (!idx)
		idx = seen + 1;
	n->_private = (void *)(uintptr_t)idx;
	return idx;
}

/* Append "/Root/Child[2]" for element `n` to `b`. */
static int put_path(tfs_buf *b, xmlNode *n)
{
	size_t idx;
	int error;

	if (n->parent && n->parent->type == XML_ELEMENT_NODE &&
	    (error = put_path(b, n->parent)) < 0)
		return error;
	if ((error = tfs_buf_put(b, "/", 1)) < 0 ||
	    (error = tfs_buf_puts(b, (const char *)n->name)) < 0)
		return error;
	idx = sibling_index(n);
	if (idx > 1)
		return tfs_buf_printf(b, "[%zu]", idx);
	return 0;
}

/* Record secret attribute `attr` = `value` of element `n`. */
static int add_secret(doc_walk *w, xmlNode *n, const char *attr,
		      const char *value)
{
	tfs_buf path = TFS_BUF_INIT;
	tfs_secret *s;
	char *v = NULL;
	int error;

	if (!(s = grow(w->secrets, &w->asecrets, w->nsecrets + 1, sizeof(*s))))
		return TFS_ERROR;
	w->secrets = s;
	if ((error = put_path(&path, n)) < 0 ||
	    (error = tfs_buf_put(&path, "@", 1)) < 0 ||
	    (error = tfs_buf_puts(&path, attr)) < 0)
		goto done;
	if (strcmp(value, "***") != 0 && !(v = strdup(value))) {
		error = tfs_error_set(TFS_ERROR, "out of memory");
		goto done;
	}
	w->secrets[w->nsecrets].path = tfs_buf_detach(&path, NULL);
	w->secrets[w->nsecrets].value = v;
	w->nsecrets++;
done:
	tfs_buf_free(&path);
	return error;
}

/* Rendering */

/* Bit 1: escaped in text; bit 2: escaped in attribute values. */
static const unsigned char esc_class[256] = {
	['\t'] = 2, ['\n'] = 2, ['\r'] = 3, ['&'] = 3,
	['<'] = 3,  ['>'] = 3,  ['"'] = 2,
};

static const char *esc_text(unsigned char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\t':
		return "&#9;";
	case '\n':
		return "&#10;";
	default:
		return "&#13;";
	}
}

/* Append `s` escaped for text (`cls` 1) or an attribute value (2). */
static int put_escaped(tfs_buf *b, const char *s, unsigned char cls)
{
	const unsigned char *p = (const unsigned char *)s, *run = p;
	int error;

	for (; *p; p++) {
		if (!(esc_class[*p] & cls))
			continue;
		if ((error = tfs_buf_put(b, run, (size_t)(p - run))) < 0 ||
		    (error = tfs_buf_puts(b, esc_text(*p))) < 0)
			return error;
		run = p + 1;
	}
	return tfs_buf_put(b, run, (size_t)(p - run));
}

int tfs_xml_put_escaped(tfs_buf *b, const char *s, bool attr)
{
	return put_escaped(b, s, attr ? 2 : 1);
}

int doc_put_attr(tfs_buf *b, const char *name, const char *value)
{
	int error;

	if ((error = tfs_buf_printf(b, " %s=\"", name)) < 0 ||
	    (error = put_escaped(b, value, 2)) < 0)
		return error;
	return tfs_buf_puts(b, "\"");
}

static int put_indent(tfs_buf *b, unsigned depth)
{
	static const char spaces[] = "                                ";
	size_t n = (size_t)depth * 2, k;
	int error;

	for (; n; n -= k) {
		k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
		if ((error = tfs_buf_put(b, spaces, k)) < 0)
			return error;
	}
	return 0;
}

static int ent_cmp(const attr_ent *a, const attr_ent *b)
{
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return strcmp(a->name, b->name);
}

static int ent_qcmp(const void *a, const void *b)
{
	return ent_cmp(a, b);
}

/* Sort an element's attributes: insertion sort for the usual handful. */
static void sort_ents(attr_ent *e, size_t n)
{
	attr_ent t;
	size_t i, j;

	if (n > 16) {
		qsort(e, n, sizeof(*e), ent_qcmp);
		return;
	}
	for (i = 1; i < n; i++) {
		t = e[i];
		for (j = i; j > 0 && ent_cmp(&e[j - 1], &t) > 0; j--)
			e[j] = e[j - 1];
		e[j] = t;
	}
}

/* Set attribute entry `i` of the element being rendered. */
static int add_ent(doc_walk *w, size_t i, const doc_elem_rule *r,
		   const char *name, const char *value)
{
	attr_ent *e;

	if (!(e = grow(w->ents, &w->aents, i + 1, sizeof(*e))))
		return TFS_ERROR;
	w->ents = e;
	e[i].name = name;
	e[i].value = value;
	e[i].rank = doc_attr_rank(r, name);
	return 0;
}

/*
 * Collect, mask and render the attributes of `n` (after "<name").
 * Secrets are recorded here, once per attribute.
 */
static int put_attrs(doc_walk *w, xmlNode *n, const doc_elem_rule *r)
{
	size_t cnt = 0, i;
	const char *name, *v;
	xmlAttr *a;
	int error;

	for (a = n->properties; a; a = a->next) {
		if (a->ns)
			return doc_fail(n, "namespaces are not allowed");
		name = (const char *)a->name;
		if (!(v = attr_text(a)))
			return doc_fail(n,
					"attribute %s: entity references "
					"are not allowed",
					name);
		if (n == w->root && strcmp(name, "guid") == 0)
			v = w->guid;
		if (w->mask && doc_secret_name(name)) {
			if ((error = add_secret(w, n, name, v)) < 0)
				return error;
			v = "***";
		}
		if ((error = add_ent(w, cnt++, r, name, v)) < 0)
			return error;
	}
	if (n == w->root && w->add_guid &&
	    (error = add_ent(w, cnt++, r, "guid", w->guid)) < 0)
		return error;
	sort_ents(w->ents, cnt);
	for (i = 0; i < cnt; i++) {
		if ((error = tfs_buf_put(&w->out, " ", 1)) < 0 ||
		    (error = tfs_buf_puts(&w->out, w->ents[i].name)) < 0 ||
		    (error = tfs_buf_put(&w->out, "=\"", 2)) < 0 ||
		    (error = put_escaped(&w->out, w->ents[i].value, 2)) < 0 ||
		    (error = tfs_buf_put(&w->out, "\"", 1)) < 0)
			return error;
	}
	return 0;
}

/* Append "</name>\n", indented by `depth` (0: right after the text). */
static int put_end(tfs_buf *b, const char *name, unsigned depth)
{
	int error;

	if ((error = put_indent(b, depth)) < 0 ||
	    (error = tfs_buf_put(b, "</", 2)) < 0 ||
	    (error = tfs_buf_puts(b, name)) < 0)
		return error;
	return tfs_buf_put(b, ">\n", 2);
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (!is_space(*s))
			return false;
	return true;
}

static bool base64_ok(const xmlNode *n)
{
	const xmlNode *c;
	const char *s;
	char ch;

	for (c = n->children; c; c = c->next) {
		if (c->type != XML_TEXT_NODE &&
		    c->type != XML_CDATA_SECTION_NODE)
			continue;
		for (s = (const char *)c->content; s && (ch = *s); s++)
			if (!((ch >= 'A' && ch <= 'Z') ||
			      (ch >= 'a' && ch <= 'z') ||
			      (ch >= '0' && ch <= '9') || ch == '+' ||
			      ch == '/' || ch == '=' || is_space(ch)))
				return false;
	}
	return true;
}

/* Check the number of children per slot of `r` against its limits. */
static int check_counts(const xmlNode *n, const doc_elem_rule *r,
			const unsigned *counts, bool elems)
{
	const doc_child_rule *c;
	size_t i;

	if ((r->flags & DOC_ER_NONEMPTY) && !elems)
		return doc_fail(n, "at least one child element is required");
	for (i = 0; r->children && r->children[i].elem; i++) {
		c = &r->children[i];
		if (counts[i] >= c->min)
			continue;
		if (c->max == 1)
			return doc_fail(n, "%s is required", c->elem->name);
		return doc_fail(n, "at least %u %s required", c->min,
				c->elem->name);
	}
	return 0;
}

/*
 * The kinds of n's children, checked against rule `r` (NULL: free form):
 * *elems if it has child elements, *keep if its text is to be rendered.
 * 0 or TFS_EINVALID.
 */
static int check_content(const xmlNode *n, const doc_elem_rule *r, bool *elems,
			 bool *keep)
{
	bool text = false, only_blank = true;
	const xmlNode *c;

	*elems = false;
	for (c = n->children; c; c = c->next) {
		switch (c->type) {
		case XML_ELEMENT_NODE:
			*elems = true;
			break;
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			text = true;
			if (only_blank && c->content &&
			    !blank((const char *)c->content))
				only_blank = false;
			break;
		case XML_COMMENT_NODE:
		case XML_PI_NODE:
			break;
		case XML_ENTITY_REF_NODE:
			return doc_fail(n, "entity references are not "
					   "allowed");
		default:
			return doc_fail(n, "unexpected XML node type %d",
					(int)c->type);
		}
	}
	if (!only_blank && *elems)
		return doc_fail(n, "mixed content (text and child elements) "
				   "is not allowed");
	if (!only_blank && r && !(r->flags & (DOC_ER_TEXT | DOC_ER_FREETEXT)))
		return doc_fail(n, "text content is not allowed");
	*keep = !only_blank;
	if (r && (r->flags & DOC_ER_TEXT)) {
		if ((r->flags & DOC_ER_TEXT_REQ) && only_blank)
			return doc_fail(n, "text must not be empty");
		if ((r->flags & DOC_ER_BASE64) && !base64_ok(n))
			return doc_fail(n, "text is not valid base64");
		*keep = text && !*elems;
	}
	return 0;
}

/* Append n's text, escaped: ">text</name>\n". */
static int put_text(doc_walk *w, const xmlNode *n, const char *name)
{
	const xmlNode *c;
	int error;

	if ((error = tfs_buf_put(&w->out, ">", 1)) < 0)
		return error;
	for (c = n->children; c; c = c->next)
		if ((c->type == XML_TEXT_NODE ||
		     c->type == XML_CDATA_SECTION_NODE) &&
		    c->content &&
		    (error = put_escaped(&w->out, (const char *)c->content,
					 1)) < 0)
			return error;
	return put_end(&w->out, name, 0);
}

static int walk_elem(doc_walk *w, xmlNode *n, const doc_elem_rule *r,
		     unsigned depth);

/*
 * Walk n's child elements, each by the rule of its slot in `r`, counted
 * in counts[] (a slot's maximum checked as they come, minimums by the
 * caller), then close n.
 */
static int walk_children(doc_walk *w, xmlNode *n, const doc_elem_rule *r,
			 unsigned depth, unsigned counts[DOC_MAX_SLOTS])
{
	const char *name = (const char *)n->name;
	const doc_elem_rule *cr;
	unsigned max;
	xmlNode *c;
	size_t slot;
	int error;

	if ((error = tfs_buf_put(&w->out, ">\n", 2)) < 0)
		return error;
	for (c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		cr = doc_rule_child(r, (const char *)c->name, &slot);
		if (cr) {
			assert(slot < DOC_MAX_SLOTS);
			max = r->children[slot].max;
			if (++counts[slot] > max && max)
				return doc_fail(c, "at most %u allowed in %s",
						max, name);
		} else if (r && !(r->flags & DOC_ER_OPEN)) {
			return doc_fail(c, "unknown element in %s", name);
		}
		if ((error = walk_elem(w, c, cr, depth + 1)) < 0)
			return error;
	}
	return put_end(&w->out, name, depth);
}

/*
 * Check element `n` (rule `r`, NULL for free form) and everything below,
 * and render it at `depth`.  0, TFS_EINVALID or TFS_ERROR.
 */
static int walk_elem(doc_walk *w, xmlNode *n, const doc_elem_rule *r,
		     unsigned depth)
{
	unsigned counts[DOC_MAX_SLOTS] = { 0 };
	const char *name = (const char *)n->name;
	bool elems = false, keep = false;
	int error;

	if (n->ns || n->nsDef)
		return doc_fail(n, "namespaces are not allowed");
	if ((error = check_content(n, r, &elems, &keep)) < 0 ||
	    (error = doc_check_attrs(w, r, n)) < 0)
		return error;
	if ((error = put_indent(&w->out, depth)) < 0 ||
	    (error = tfs_buf_put(&w->out, "<", 1)) < 0 ||
	    (error = tfs_buf_puts(&w->out, name)) < 0 ||
	    (error = put_attrs(w, n, r)) < 0)
		return error;
	if (elems)
		error = walk_children(w, n, r, depth, counts);
	else if (keep)
		error = put_text(w, n, name);
	else
		error = tfs_buf_put(&w->out, "/>\n", 3);
	if (error < 0)
		return error;
	if (!r)
		return 0;
	if ((error = check_counts(n, r, counts, elems)) < 0)
		return error;
	return r->finish ? r->finish(w, n) : 0;
}

int doc_render(doc_walk *w, xmlNode *root, const doc_elem_rule *r)
{
	return walk_elem(w, root, r, 0);
}
