/*
 * The values of attributes against their rules (doc_schema.c's tables):
 * names, booleans, integers in range, enumerations, colours, text within
 * its limit; attributes an element does not know; which attribute names
 * are secrets; children that must differ in an attribute.  engine/SCHEMA.md,
 * "5 Rules common to every element" and "12 Secrets", says the same as a
 * document.
 *
 * Pure.  Called from doc_schema.c (doc_check_attrs, the per-type checks)
 * and doc_walk.c.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tenantfs/error.h"
#include "doc_int.h"

static bool ends_with_nocase(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

bool doc_secret_name(const char *name)
{
	static const char *const exact[] = {
		"password", "bindPassword", "secret", "clientSecret",
		"apiKey",   "token",        NULL,
	};
	size_t i;

	for (i = 0; exact[i]; i++)
		if (strcasecmp(name, exact[i]) == 0)
			return true;
	return ends_with_nocase(name, "Password") ||
	       ends_with_nocase(name, "Secret");
}

/*
 * Parse an unsigned decimal integer (no sign, digits only) into *out.
 * False on anything else, including overflow past LLONG_MAX.
 */
static bool parse_uint(const char *s, long long *out)
{
	long long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (LLONG_MAX - (*s - '0')) / 10)
			return false;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return true;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static int fail_int(const xmlNode *n, const doc_attr_rule *a)
{
	bool open = a->max == LLONG_MAX || a->max == DOC_INT_ANY;

	if (open && a->min == 1)
		return doc_fail(n, "%s must be a positive integer", a->name);
	if (open && a->min == 0)
		return doc_fail(n, "%s must be a non-negative integer",
				a->name);
	return doc_fail(n, "%s must be an integer from %lld to %lld", a->name,
			a->min, a->max);
}

static int fail_enum(const xmlNode *n, const doc_attr_rule *a)
{
	char list[256];
	size_t i, used = 0;

	list[0] = '\0';
	for (i = 0; a->values[i] && used < sizeof(list); i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used,
					 "%s%s", i ? ", " : "", a->values[i]);
	return doc_fail(n, "%s must be one of %s", a->name, list);
}

/* Check one attribute value against its rule; 0 or TFS_EINVALID. */
int doc_check_value(const xmlNode *n, const doc_attr_rule *a, const char *v)
{
	long long num;
	size_t i;

	switch (a->type) {
	case DOC_AT_NAME:
		if (!tfs_name_valid(v))
			return doc_fail(n, "%s '%.80s' is not a valid name",
					a->name, v);
		return 0;
	case DOC_AT_BOOL:
		if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
			return doc_fail(n, "%s must be true or false", a->name);
		return 0;
	case DOC_AT_INT:
		if (!parse_uint(v, &num) || num < a->min || num > a->max)
			return fail_int(n, a);
		return 0;
	case DOC_AT_ENUM:
		for (i = 0; a->values[i]; i++)
			if (strcmp(v, a->values[i]) == 0)
				return 0;
		return fail_enum(n, a);
	case DOC_AT_COLOR:
		if (v[0] != '#' || strlen(v) != 7)
			goto bad_color;
		for (i = 1; i < 7; i++)
			if (!is_hex(v[i]))
				goto bad_color;
		return 0;
	default:
		return 0;
	}
bad_color:
	return doc_fail(n, "%s must be a color #rrggbb", a->name);
}

/* The length of attribute `a`'s value (its text nodes; put_attrs()
 * refuses anything else later). */
static size_t attr_len(const xmlAttr *a)
{
	const xmlNode *t;
	size_t len = 0;

	for (t = a->children; t; t = t->next)
		if (t->type == XML_TEXT_NODE && t->content)
			len += strlen((const char *)t->content);
	return len;
}

/* The rule of attribute `name` in `r`, or NULL. */
static const doc_attr_rule *find_attr(const doc_elem_rule *r, const char *name)
{
	size_t i;

	for (i = 0; r && r->attrs && r->attrs[i].name; i++)
		if (strcmp(r->attrs[i].name, name) == 0)
			return &r->attrs[i];
	return NULL;
}

/*
 * Every attribute of `n` is one the schema knows for it (doc_int.h;
 * engine/SCHEMA.md, "5 Rules common to every element") and no longer
 * than its kind allows ("3 What the gate refuses").  Runs first, before
 * any value is judged, so the cost is the rule's width per attribute,
 * and the scanner (xml_scan.h) bounds the attributes per element.
 */
int doc_check_known(const doc_walk *w, const doc_elem_rule *r, const xmlNode *n)
{
	bool any = !r || (r->flags & DOC_ER_ANYATTR);
	const doc_attr_rule *a;
	const xmlAttr *p;
	const char *name;
	size_t max;

	for (p = n->properties; p; p = p->next) {
		name = (const char *)p->name;
		if (p->ns)
			return doc_fail(n, "namespaces are not allowed");
		a = find_attr(r, name);
		if (a)
			max = a->type == DOC_AT_STR ? DOC_VALUE_TEXT_MAX :
						      DOC_VALUE_SHORT_MAX;
		else if (n == w->root && (strcmp(name, "name") == 0 ||
					  strcmp(name, "guid") == 0))
			max = DOC_VALUE_SHORT_MAX;
		else if (strcmp(name, "description") == 0 || any)
			max = DOC_VALUE_TEXT_MAX;
		else
			return doc_fail(n, "unknown attribute %.80s", name);
		if (attr_len(p) > max)
			return doc_fail(n,
					"attribute %.80s is longer than "
					"%zu bytes",
					name, max);
	}
	return 0;
}

int doc_key_cmp(const void *a, const void *b)
{
	return strcmp(((const doc_keyed *)a)->key, ((const doc_keyed *)b)->key);
}

static int keyed_order(const void *a, const void *b)
{
	const doc_keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Collect the `attr` values of the children of `parent` called `elem`,
 * sorted, into *out (the caller frees it).  Returns the count, or -1 with
 * the error set.  The attributes were checked present by their rules.
 */
long doc_collect(doc_keyed **out, const xmlNode *parent, const char *elem,
		 const char *attr)
{
	const xmlNode *c;
	size_t n = 0, i = 0;
	doc_keyed *k;

	for (c = parent->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)c->name, elem) == 0)
			n++;
	k = malloc((n ? n : 1) * sizeof(*k));
	if (!k)
		return tfs_error_set(TFS_ERROR, "out of memory");
	for (c = parent->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)c->name, elem) != 0)
			continue;
		k[i].key = doc_prop(c, attr);
		k[i].node = c;
		k[i].seq = i;
		if (!k[i].key)
			k[i].key = "";
		i++;
	}
	qsort(k, n, sizeof(*k), keyed_order);
	*out = k;
	return (long)n;
}

/* Children `elem` of `parent` must differ in `attr`: O(n log n)
 * (doc_int.h). */
int doc_check_unique(const xmlNode *parent, const char *elem, const char *attr)
{
	doc_keyed *k = NULL;
	long n, i;
	int error = 0;

	if ((n = doc_collect(&k, parent, elem, attr)) < 0)
		return TFS_ERROR;
	for (i = 1; i < n; i++) {
		if (strcmp(k[i - 1].key, k[i].key) == 0) {
			error = doc_fail(k[i].node,
					 "duplicate %s '%.80s' "
					 "(first at line %ld)",
					 attr, k[i].key,
					 doc_line(k[i - 1].node));
			break;
		}
	}
	free(k);
	return error;
}
