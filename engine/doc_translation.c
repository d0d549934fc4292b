/*
 * The object schema of translations (engine/SCHEMA.md, "10 Translations";
 * the document and this rule must agree):
 * translations/<locale>/<Type>/<Name>.xml holds the localized strings of
 * metadata object metadata/<Type>/<Name>.xml for one locale.
 *
 *	<Translation name="Incident.Default" guid="..." locale="de-DE"
 *	             type="Form">
 *	  <String key="Field[Subject]@label">Betreff</String>
 *	  <String key="@caption" modified="2026-03-04T10:22:05Z">Fall</String>
 *	</Translation>
 *
 * Translation: name (the translated object's, = the file name), guid,
 * locale and type (required, equal to the directory's), description;
 * nothing else (doc_schema.c refuses attributes a rule does not know).
 * The translated object must exist: the document refers to it ("<Type>"
 * "<Name>", engine/refs.c), so it cannot be deleted while translated.
 * String: key (required; the element path being translated, 1..512 bytes,
 * unique in the document), modified (optional, "YYYY-MM-DDTHH:MM:SSZ",
 * when the entry last changed, for copy translation's "newer"); its text
 * is the translation, kept exactly, at most 8192 bytes.  At most 20,000
 * Strings.  Canonical form as for every document (engine/doc.c).
 *
 * Called from doc_schema.c (doc_rule_root) and the walk (doc_walk.c).
 */
#include <stdlib.h>
#include <string.h>

#include "tenantfs/error.h"
#include "doc_int.h"

#define TR_MAX_STRINGS 20000
#define TR_MAX_KEY     512
#define TR_MAX_TEXT    8192

static bool digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* The value of two characters already checked to be digits. */
static int two_digits(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* "YYYY-MM-DDTHH:MM:SSZ" with plausible fields. */
static bool utc_time_valid(const char *s)
{
	int mo, d, h, mi, sec;

	if (strlen(s) != 20 || !digits(s, 4) || s[4] != '-' ||
	    !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2) ||
	    s[10] != 'T' || !digits(s + 11, 2) || s[13] != ':' ||
	    !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2) ||
	    s[19] != 'Z')
		return false;
	mo = two_digits(s + 5);
	d = two_digits(s + 8);
	h = two_digits(s + 11);
	mi = two_digits(s + 14);
	sec = two_digits(s + 17);
	return mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 &&
	       mi <= 59 && sec <= 60;
}

static int check_string(doc_walk *w, const xmlNode *n, const char *const *v)
{
	const xmlNode *c;
	size_t len = 0;
	const char *k;

	if (!v[0][0] || strlen(v[0]) > TR_MAX_KEY)
		return doc_fail(n, "key must be 1 to %d bytes", TR_MAX_KEY);
	for (k = v[0]; *k; k++)
		if ((unsigned char)*k < 0x20)
			return doc_fail(n, "key must not hold control "
					   "characters");
	if (v[1] && !utc_time_valid(v[1]))
		return doc_fail(n, "modified must be a UTC time "
				   "YYYY-MM-DDTHH:MM:SSZ");
	for (c = n->children; c; c = c->next)
		if ((c->type == XML_TEXT_NODE ||
		     c->type == XML_CDATA_SECTION_NODE) &&
		    c->content)
			len += strlen((const char *)c->content);
	if (len > TR_MAX_TEXT)
		return doc_fail(n,
				"text of key '%.80s' is longer than %d "
				"bytes",
				v[0], TR_MAX_TEXT);
	return 0;
}

static const doc_attr_rule string_attrs[] = {
	{ .name = "key", .type = DOC_AT_STR, .flags = DOC_AF_REQ },
	{ .name = "modified", .type = DOC_AT_STR },
	{ .name = NULL },
};
static const doc_elem_rule string_rule = {
	.name = "String",
	.flags = DOC_ER_TEXT,
	.attrs = string_attrs,
	.check = check_string,
};

/* locale= and type= are the directory's; the translated object is a
 * reference. */
static int check_translation(doc_walk *w, const xmlNode *n,
			     const char *const *v)
{
	char locale[TFS_LOCALE_MAX + 1];
	const char *mtype;

	if (!tfs_translation_split(w->type, locale, &mtype))
		return doc_fail(n, "'%.80s' is not a translations directory",
				w->type);
	if (strcmp(v[0], locale) != 0)
		return doc_fail(n,
				"locale '%.80s' does not match the "
				"directory '%s'",
				v[0], locale);
	if (strcmp(v[1], mtype) != 0)
		return doc_fail(n,
				"type '%.80s' does not match the "
				"directory '%s'",
				v[1], mtype);
	return doc_ref(w, mtype, doc_prop(n, "name"), false);
}

/* Keys are unique: O(n log n). */
static int finish_translation(doc_walk *w, const xmlNode *n)
{
	(void)w;
	return doc_check_unique(n, "String", "key");
}

static const doc_attr_rule translation_attrs[] = {
	{ .name = "locale", .type = DOC_AT_STR, .flags = DOC_AF_REQ },
	{ .name = "type", .type = DOC_AT_STR, .flags = DOC_AF_REQ },
	/* every element may carry one (engine/SCHEMA.md, "5 Rules common
	 * to every element") */
	{ .name = "description", .type = DOC_AT_STR },
	{ .name = NULL },
};
static const doc_child_rule translation_children[] = {
	{ &string_rule, 0, TR_MAX_STRINGS },
	{ NULL, 0, 0 },
};
static const doc_elem_rule translation_rule = {
	.name = "Translation",
	.attrs = translation_attrs,
	.children = translation_children,
	.check = check_translation,
	.finish = finish_translation,
};

const doc_elem_rule *doc_rule_translation(void)
{
	return &translation_rule;
}
