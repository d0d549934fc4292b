/*
 * Object documents: the XML files under metadata/, validation/, settings/,
 * master/, data/ and translations/ of an instance.  Their schema (every
 * kind and type, the canonical form, the limits, references and secrets)
 * is engine/SCHEMA.md.
 *
 * tfs_doc_parse() is the single gate every document passes before it is
 * stored, whether it comes from a save through the mount, the demo
 * generator, or (later) a package.  It parses safely (no network, no DTD,
 * no entity expansion), checks the document against the rules of its kind
 * and type, and produces the canonical bytes: the same object always renders
 * to the same bytes, so diff between instances shows exactly what differs.
 *
 * Canonical form: no XML declaration; one element per line, indented two
 * spaces per level; attributes in a fixed order (name, guid, businessObject,
 * then a per-type order, then the rest alphabetically); an element with
 * text content is written on one line (<Expression>a &lt; b</Expression>);
 * comments and processing instructions are dropped; UTF-8; ends in "\n".
 *
 * Secrets (passwords, API keys, LDAP bind credentials, client secrets,
 * tokens) never appear in the canonical bytes: their values are replaced by
 * "***" and returned separately in `secrets`, keyed by a stable path.
 */
#ifndef TENANTFS_DOC_H
#define TENANTFS_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

typedef enum tfs_kind {
	TFS_KIND_METADATA = 0,
	TFS_KIND_VALIDATION = 1,
	TFS_KIND_SETTINGS = 2,
	TFS_KIND_MASTER = 3,
	TFS_KIND_DATA = 4,
	TFS_KIND_TRANSLATION = 5, /* translations/<locale>/<Type>/ */
	TFS_KIND__COUNT
} tfs_kind;

/* NULL-terminated lists of the directory names under metadata/, settings/. */
extern const char *const tfs_metadata_types[];
extern const char *const tfs_settings_types[];

/* "metadata", "validation", ... */
const char *tfs_kind_dir(tfs_kind kind);
/* 0 and *out set, or TFS_ENOTFOUND. */
int tfs_kind_from_dir(tfs_kind *out, const char *dir);
/* Whether the kind is versioned in history (all but data). */
bool tfs_kind_versioned(tfs_kind kind);
/*
 * The path of object `name` of `type` in `kind`, relative to an instance,
 * as history, transaction sets and packages name it:
 * "metadata/Form/X.xml", "validation/X.xml" (type ignored),
 * "translations/de-DE/Form/X.xml" (type "de-DE/Form").  0, or
 * TFS_EINVALID if it does not fit in `size` bytes.
 */
int tfs_obj_path(char *out, size_t size, tfs_kind kind, const char *type,
		 const char *name);

/*
 * Whether `name` is a valid object or business object name: 1..200 bytes of
 * letters, digits, '.', '_', '-', '#', not starting with '.'.
 */
bool tfs_name_valid(const char *name);

/* Longest locale name (translations/<locale>/). */
#define TFS_LOCALE_MAX 35

/*
 * Whether `locale` is a valid locale name ("de-DE", "fr", "zh_Hant"):
 * 1..TFS_LOCALE_MAX letters, digits, '-' and '_', starting with a letter.
 */
bool tfs_locale_valid(const char *locale);

/*
 * Split the type of a translations directory, "<locale>/<MetadataType>"
 * ("de-DE/Form"), into the locale (copied into `locale`) and the metadata
 * type (a pointer into tfs_metadata_types).  False if `type` is not one.
 */
bool tfs_translation_split(const char *type, char locale[TFS_LOCALE_MAX + 1],
			   const char **mtype);

/*
 * Whether `type` names a directory of `kind`: one of the fixed lists for
 * metadata and settings, a valid business object name for master and data,
 * "" for validation (its documents sit directly under validation/), and
 * "<locale>/<MetadataType>" for translations.
 */
bool tfs_type_valid(tfs_kind kind, const char *type);

/* The root element a document of (kind, type) must have. */
const char *tfs_doc_root(tfs_kind kind, const char *type);

/*
 * A reference from a document to another object, recorded so that packages
 * can be checked for completeness.  `kind`/`target`, for example (all
 * kinds: engine/SCHEMA.md, "11 References"):
 *   "BusinessObject" "Incident"          businessObject= attributes,
 *                                        Permission businessObject=,
 *                                        Relationship target=
 *   "Field"          "Incident.Priority" FieldRef in Form/Grid/Search...
 *   "ValidationList" "Priority"          a Field's validationList=
 *   "Form" / "Grid"  "Incident.Default"  FormRef/GridRef in layouts
 *   "<PartType>"     "name"              PartRef type= name= in dashboards
 *   "Workflow"       "name"              WorkflowRef in triggers, records
 *   "WorkflowType"   "name"              Workflow workflowType=
 *   "Rule"           "name"              RuleOverride rule=
 */
typedef struct tfs_ref {
	char *kind;
	char *target;
} tfs_ref;

/*
 * A secret value found in the input.  `path` identifies the attribute
 * stably: "/Root/Child[2]@attr" (1-based index among same-named siblings,
 * "[1]" omitted).  `value` is the clear text as given; a value of exactly
 * "***" means "keep what is stored" and is reported with value NULL.
 */
typedef struct tfs_secret {
	char *path;
	char *value;
} tfs_secret;

typedef struct tfs_doc {
	char *canon; /* canonical bytes, secrets masked, NUL-terminated */
	size_t canon_len;
	char sha[65]; /* SHA-256 of canon, hex */
	char *guid;   /* never NULL after a successful parse */
	char *bo;     /* businessObject attribute of the root, or NULL */
	tfs_ref *refs;
	size_t nrefs;
	tfs_secret *secrets;
	size_t nsecrets;
} tfs_doc;

/*
 * Parse and check `len` bytes as the document `name` of (kind, type).
 *
 * `guid_if_missing` is used when the root has no guid attribute (a user
 * writing a new object need not invent one); pass NULL to require it.
 *
 * Returns 0 and a new document in *out (free with tfs_doc_free), or
 * TFS_EINVALID with a one-line reason in tfs_error_last() naming the line
 * where possible ("line 3: Field 'Priority': length must be a positive
 * integer"), or TFS_ERROR on allocation failure.
 */
int tfs_doc_parse(tfs_doc **out, tfs_kind kind, const char *type,
		  const char *name, const char *bytes, size_t len,
		  const char *guid_if_missing);

void tfs_doc_free(tfs_doc *doc);

/*
 * Copy translation's rule on one object (engine/translation_merge.c): the
 * stored translation `target` with every String of `source` (another
 * instance's translation of the same (type, name)) moved in that `target`
 * lacks, holds with other text, or holds with an older modified= stamp;
 * nothing is removed, the target's guid is kept.  *moved: how many
 * Strings moved; if any, *out is the new document (tfs_doc_free), else
 * NULL.  TFS_EINVALID if either document does not pass the gate.
 */
int tfs_translation_merge(tfs_doc **out, size_t *moved, const char *type,
			  const char *name, const char *target, size_t tlen,
			  const char *source, size_t slen);

/* A new random UUID (version 4), lower case, into `out`. */
void tfs_uuid_new(char out[37]);

/*
 * Append `s` to `b` escaped as the canonical form escapes text (`attr`
 * false: & < > and carriage return) or an attribute value (true: also ",
 * tab and newline, which attribute normalization would change).  The one
 * XML escaper: the engine's writers and tools/docgen/ use it.  0 or
 * TFS_ERROR.
 */
int tfs_xml_put_escaped(tfs_buf *b, const char *s, bool attr);

#endif
