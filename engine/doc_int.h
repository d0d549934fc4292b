/*
 * Private interface of the document module: doc.c (safe parsing, root
 * checks, the public entry points), doc_walk.c (the one walk that checks,
 * renders, and collects references and secrets) and doc_schema.c (the
 * per-type rules, kept as tables, described by engine/SCHEMA.md), and
 * doc_translation.c; the writers of translations (translation_merge.c),
 * of packages (package_write.c, the one package writer) and of
 * transaction sets (project.c) for tfs_xml_put_escaped (tenantfs/doc.h),
 * the one XML escaper, which tools/docgen/ uses too.
 *
 * A rule describes one element: its known attributes (their order in the
 * table is also their canonical order, after name, guid, businessObject),
 * the child elements it may hold and how often, and whether it holds text.
 * An element without a rule (inside settings and records, which are free
 * form) may carry any attributes and children; a settings root
 * (DOC_ER_ANYATTR) any attributes besides its rule's.  Every other element
 * carries only its rule's attributes and a free-text description, and a
 * root also name and guid (engine/SCHEMA.md, "5 Rules common to every
 * element"): an attribute the schema does not know is refused, not stored
 * (issue 15).
 */
#ifndef TENANTFS_DOC_INT_H
#define TENANTFS_DOC_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "tenantfs/buf.h"
#include "tenantfs/doc.h"

enum doc_attr_type {
	DOC_AT_STR,   /* any text */
	DOC_AT_NAME,  /* tfs_name_valid() */
	DOC_AT_BOOL,  /* true or false */
	DOC_AT_INT,   /* decimal digits, min..max */
	DOC_AT_ENUM,  /* one of values[] */
	DOC_AT_COLOR, /* #rrggbb */
};

#define DOC_AF_REQ 0x01 /* the attribute is required */
/* An integer attribute's upper bound "any integer": what the database's
 * int holds. */
#define DOC_INT_ANY  2147483647LL
#define DOC_AF_FIELD 0x02 /* ref target is "<businessObject>.<value>" */

typedef struct doc_attr_rule {
	const char *name;
	unsigned char type;        /* enum doc_attr_type */
	unsigned char flags;       /* DOC_AF_* */
	const char *ref;           /* kind of reference the value makes */
	long long min, max;        /* DOC_AT_INT */
	const char *const *values; /* DOC_AT_ENUM, NULL-terminated */
} doc_attr_rule;

#define DOC_ER_TEXT     0x01 /* holds text, kept exactly; no children */
#define DOC_ER_TEXT_REQ 0x02 /* that text must not be blank */
#define DOC_ER_BASE64   0x04 /* that text is base64 */
#define DOC_ER_OPEN     0x08 /* unknown children allowed (free form) */
#define DOC_ER_FREETEXT 0x10 /* non-blank text allowed; blank dropped */
#define DOC_ER_NONEMPTY 0x20 /* at least one child element */
#define DOC_ER_ANYATTR  0x40 /* attributes besides the rule's allowed */

/*
 * Longest attribute values, in bytes, checked before a value is looked at
 * any further: typed values (names, references, guids, numbers, enums,
 * flags, colours) are short; text (DOC_AT_STR, description, attributes of
 * free-form elements) may be longer but not unbounded (issue 15).
 */
#define DOC_VALUE_SHORT_MAX 1024
#define DOC_VALUE_TEXT_MAX  65536

/* Most child slots any rule has; doc.c counts children per slot. */
#define DOC_MAX_SLOTS 4
/* Most attributes any rule lists. */
#define DOC_MAX_ATTRS 16

typedef struct doc_elem_rule doc_elem_rule;

/* One attribute of the element being rendered. */
typedef struct attr_ent {
	const char *name;
	const char *value;
	int rank;
} attr_ent;

/* A reference found by the walk, before sorting and deduplication. */
typedef struct tmp_ref {
	const char *kind; /* static, or in the xmlDoc */
	char *target;
} tmp_ref;

/*
 * State of one tfs_doc_parse(): set up by doc.c, filled by the walk.
 * Pointers to const char point into the xmlDoc or static data.
 */
typedef struct doc_walk {
	tfs_kind kind;
	const char *type;
	const char *self; /* a BusinessObject's own name, else NULL */
	const char *bo;   /* businessObject of the root, or NULL */
	const xmlNode *root;
	char guid[37];  /* the root's guid, normalized */
	bool add_guid;  /* the root has none: render guid */
	bool mask;      /* mask secrets (settings, records) */
	tfs_buf out;    /* the canonical bytes */
	attr_ent *ents; /* scratch for one element's attributes */
	size_t aents;
	tmp_ref *refs;
	size_t nrefs, arefs;
	tfs_secret *secrets;
	size_t nsecrets, asecrets;
} doc_walk;

typedef struct doc_child_rule {
	const doc_elem_rule *elem; /* NULL ends the list */
	unsigned short min, max;   /* occurrences; max 0: unbounded */
} doc_child_rule;

struct doc_elem_rule {
	const char *name;
	unsigned flags;                 /* DOC_ER_* */
	const doc_attr_rule *attrs;     /* NULL-name terminated, or NULL */
	const doc_child_rule *children; /* NULL-elem terminated, or NULL */
	/* After the attributes passed their checks; vals[i] is the value of
	 * attrs[i] or NULL. */
	int (*check)(doc_walk *w, const xmlNode *n, const char *const *vals);
	/* After all children were walked. */
	int (*finish)(doc_walk *w, const xmlNode *n);
};

/* --- doc_schema.c --- */

/* The rule of the root of (kind, type); NULL if the type is unknown. */
const doc_elem_rule *doc_rule_root(tfs_kind kind, const char *type);

/* The root rule of translations/ documents (doc_translation.c). */
const doc_elem_rule *doc_rule_translation(void);

/* The rule of child `name` under `r` and its slot, or NULL. */
const doc_elem_rule *doc_rule_child(const doc_elem_rule *r, const char *name,
				    size_t *slot);

/*
 * Check the attributes of `n` against `r` (which may be NULL: free form)
 * and record the references they make.  0, TFS_EINVALID or TFS_ERROR.
 */
int doc_check_attrs(doc_walk *w, const doc_elem_rule *r, const xmlNode *n);

/* Sort key of attribute `name` of an element with rule `r` (may be NULL). */
int doc_attr_rank(const doc_elem_rule *r, const char *name);

/* Whether an attribute called `name` holds a secret (settings, records). */
bool doc_secret_name(const char *name);

/* doc_values.c: value `v` of attribute `a` of element `n` against its
 * type; 0 or TFS_EINVALID (doc_fail). */
int doc_check_value(const xmlNode *n, const doc_attr_rule *a, const char *v);
/* The attributes of `n` that rule `r` does not know (unless it allows
 * any), or too long: 0 or TFS_EINVALID. */
int doc_check_known(const doc_walk *w, const doc_elem_rule *r,
		    const xmlNode *n);

/* Children of one element by an attribute's value (doc_collect). */
typedef struct doc_keyed {
	const char *key;
	const xmlNode *node;
	size_t seq; /* document order */
} doc_keyed;

/* The `attr` values of the children of `parent` called `elem`, sorted by
 * value then document order, into *out (the caller frees it): the count,
 * or -1 with the error set. */
long doc_collect(doc_keyed **out, const xmlNode *parent, const char *elem,
		 const char *attr);
/* By key only: for bsearch() in what doc_collect() sorted. */
int doc_key_cmp(const void *a, const void *b);

/* --- doc.c --- */

/* The line of `n` in the input, also past 65535. */
long doc_line(const xmlNode *n);

/* --- doc_walk.c --- */

/*
 * Check and render the document below `root` (rule `r`) into w->out,
 * collecting references and secrets.  0, TFS_EINVALID or TFS_ERROR.
 */
int doc_render(doc_walk *w, xmlNode *root, const doc_elem_rule *r);

/*
 * The value of attribute `name` of `n` without copying: NULL if absent.
 * Valid while the document lives.
 */
const char *doc_prop(const xmlNode *n, const char *name);

/*
 * Record TFS_EINVALID with "line L: Elem 'name': <message>" for node `n`
 * and return it.
 */
int doc_fail(const xmlNode *n, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Record a reference of `kind` to `value` (to "<businessObject>.<value>"
 * when `field`).  References to the document itself are dropped, as are
 * field references in a document without businessObject.  0 or TFS_ERROR.
 */
int doc_ref(doc_walk *w, const char *kind, const char *value, bool field);

/* Children `elem` of `parent` must differ in `attr` (doc_schema.c):
 * O(n log n); the second of two alike is named with the first's line. */
int doc_check_unique(const xmlNode *parent, const char *elem, const char *attr);

/* Append ` name="value"`, the value escaped by tfs_xml_put_escaped. */
int doc_put_attr(tfs_buf *b, const char *name, const char *value);

#endif
