/*
 * libFuzzer harness for the document gate, tfs_doc_parse() (engine/doc.c):
 * every kind and type, since each type has a schema of its own
 * (engine/SCHEMA.md; the tables of engine/doc_schema.c).
 *
 * Input: one byte choosing the kind (its top bit: pass a guid for a root
 * without one), one byte choosing the type among the real lists (a
 * metadata type, a settings type, a business object for master and data,
 * a locale and metadata type for translations), the object's name up to
 * a newline, then the document's bytes.  tests/fuzz/corpus/doc/ holds
 * demo objects in this form.
 *
 * Besides the sanitizers, the gate's promise is checked: the canonical
 * bytes parse again, to the same bytes (doc.h), the same guid, business
 * object and references, and the same secrets by path (their values then
 * read "***": kept).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "tenantfs/doc.h"
#include "tenantfs/error.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Master and data directories are named by business objects. */
static const char *const bos[] = {
	"Employee", "Incident", "Change", "Category", "Location", "Team", NULL,
};
static const char *const locales[] = { "de-DE", "fr-FR", NULL };

static size_t count(const char *const *list)
{
	size_t n = 0;

	while (list[n])
		n++;
	return n;
}

static const char *pick(const char *const *list, uint8_t b)
{
	return list[b % count(list)];
}

/* The type byte `b` names for `kind`, into `type`. */
static void choose_type(char type[64], tfs_kind kind, uint8_t b)
{
	switch (kind) {
	case TFS_KIND_METADATA:
		snprintf(type, 64, "%s", pick(tfs_metadata_types, b));
		break;
	case TFS_KIND_SETTINGS:
		snprintf(type, 64, "%s", pick(tfs_settings_types, b));
		break;
	case TFS_KIND_MASTER:
	case TFS_KIND_DATA:
		snprintf(type, 64, "%s", pick(bos, b));
		break;
	case TFS_KIND_TRANSLATION:
		snprintf(type, 64, "%s/%s", pick(locales, b & 1),
			 pick(tfs_metadata_types, b >> 1));
		break;
	default:
		type[0] = '\0';
		break;
	}
}

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* What the second parse of canonical bytes must give as the first did;
 * NULL, or what differs. */
static const char *differs(const tfs_doc *a, const tfs_doc *b)
{
	size_t i, j;

	if (!same(a->guid, b->guid) || !same(a->bo, b->bo))
		return "guid or businessObject";
	if (a->nrefs != b->nrefs)
		return "references";
	for (i = 0; i < a->nrefs; i++)
		if (!same(a->refs[i].kind, b->refs[i].kind) ||
		    !same(a->refs[i].target, b->refs[i].target))
			return "references";
	/* Secrets come in document order, which canonical order changes. */
	if (a->nsecrets != b->nsecrets)
		return "secrets";
	for (i = 0; i < a->nsecrets; i++) {
		for (j = 0; j < b->nsecrets; j++)
			if (same(a->secrets[i].path, b->secrets[j].path))
				break;
		if (j == b->nsecrets || b->secrets[j].value)
			return "secrets";
	}
	return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	xmlInitParser();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char guid[] = "0f1e2d3c-4b5a-4697-8877-665544332211";
	const char *bytes, *nl;
	char type[64], name[256];
	tfs_doc *doc = NULL, *again = NULL;
	const char *what;
	tfs_kind kind;
	size_t n;

	if (size < 2)
		return 0;
	kind = (tfs_kind)((data[0] & 0x7f) % TFS_KIND__COUNT);
	choose_type(type, kind, data[1]);
	bytes = (const char *)data + 2;
	size -= 2;
	nl = memchr(bytes, '\n', size < sizeof(name) ? size : sizeof(name));
	if (!nl)
		return 0;
	n = (size_t)(nl - bytes);
	memcpy(name, bytes, n);
	name[n] = '\0';
	size -= n + 1;
	bytes = nl + 1;

	if (tfs_doc_parse(&doc, kind, type, name, bytes, size,
			  data[0] & 0x80 ? guid : NULL) < 0)
		return 0;
	if (tfs_doc_parse(&again, kind, type, name, doc->canon, doc->canon_len,
			  NULL) < 0) {
		fprintf(stderr, "canonical bytes refused: %s\n%s",
			tfs_error_last(), doc->canon);
		abort();
	}
	if (again->canon_len != doc->canon_len ||
	    memcmp(again->canon, doc->canon, doc->canon_len) != 0) {
		fprintf(stderr,
			"canonical bytes change when parsed again:\n"
			"%s---\n%s",
			doc->canon, again->canon);
		abort();
	}
	if ((what = differs(doc, again))) {
		fprintf(stderr,
			"%s change when canonical bytes are parsed "
			"again:\n%s",
			what, doc->canon);
		abort();
	}
	tfs_doc_free(again);
	tfs_doc_free(doc);
	return 0;
}
