/*
 * Translations (translations/<locale>/<Type>/<Name>.xml): the document gate
 * (engine/doc_translation.c) on good, bad and hostile input and its
 * canonical bytes; locale and type names; and, on a demo store, locales
 * (engine/translation.c), saves, the reference to the translated object,
 * history and revert, and the demo's translations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tenantfs/doc.h"
#include "tenantfs/error.h"
#include "tenantfs/instance.h"
#include "tenantfs/store.h"
#include "helper.h"
#include "tap.h"

#define G    "0f8fad5b-d9cb-469f-a165-70867728950e"
#define FORM "de-DE/Form"

/* ---- the document gate ----------------------------------------------- */

static tfs_doc *parse(const char *type, const char *name, const char *xml)
{
	tfs_doc *d = NULL;

	if (tfs_doc_parse(&d, TFS_KIND_TRANSLATION, type, name, xml,
			  strlen(xml), NULL) < 0)
		return NULL;
	return d;
}

static void expect_canon(const char *xml, const char *want, const char *what)
{
	tfs_doc *d = parse(FORM, "Incident.Default", xml), *again = NULL;

	if (d && strcmp(d->canon, want) != 0)
		printf("# got:\n%s# want:\n%s", d->canon, want);
	CHECK(d && strcmp(d->canon, want) == 0 && d->canon_len == strlen(want),
	      "%s", what);
	if (d)
		again = parse(FORM, "Incident.Default", d->canon);
	CHECK(again && strcmp(again->canon, d->canon) == 0, "idempotent: %s",
	      what);
	tfs_doc_free(d);
	tfs_doc_free(again);
}

static void expect_reject_in(const char *type, const char *xml, const char *msg,
			     const char *what)
{
	tfs_doc *d = NULL;
	int rc = tfs_doc_parse(&d, TFS_KIND_TRANSLATION, type,
			       "Incident.Default", xml, strlen(xml), NULL);

	if (rc != TFS_EINVALID || !strstr(tfs_error_last(), msg))
		printf("# rc %d, message '%s', want '%s'\n", rc,
		       tfs_error_last(), msg);
	CHECK(rc == TFS_EINVALID && !d && strstr(tfs_error_last(), msg),
	      "refused: %s", what);
	tfs_doc_free(d);
}

static void expect_reject(const char *xml, const char *msg, const char *what)
{
	expect_reject_in(FORM, xml, msg, what);
}

#define ROOT                                                     \
	"<Translation name=\"Incident.Default\" guid=\"" G "\" " \
	"locale=\"de-DE\" type=\"Form\">"

static void test_canonical(void)
{
	tfs_doc *d;

	expect_canon("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		     "<!-- translated by hand -->\n"
		     "<Translation type='Form'   locale='de-DE'\n"
		     "  guid='"
		     "0F8FAD5B-D9CB-469F-A165-70867728950E"
		     "'"
		     " name='Incident.Default'>\n"
		     "    <String modified='2026-03-04T10:22:05Z' "
		     "key='Field[Subject]@label'>Betreff</String>\n"
		     "\t<String key=\"@caption\">Vorfall &amp; mehr</String>"
		     "<String key=\"Item[a&lt;b]@display\"><![CDATA[x<y]]>"
		     "</String>\n"
		     "<String key=\"empty\"/>\n"
		     "</Translation>\n",
		     ROOT
		     "\n"
		     "  <String key=\"Field[Subject]@label\" "
		     "modified=\"2026-03-04T10:22:05Z\">Betreff</String>\n"
		     "  <String key=\"@caption\">Vorfall &amp; mehr</String>\n"
		     "  <String key=\"Item[a&lt;b]@display\">x&lt;y</String>\n"
		     "  <String key=\"empty\"/>\n"
		     "</Translation>\n",
		     "canonical: attribute order, indentation, escapes, "
		     "guid lower case, no declaration or comment");
	expect_canon(ROOT "<String key=\"k\">  spaced\n text </String>"
			  "</Translation>",
		     ROOT "\n  <String key=\"k\">  spaced\n text </String>\n"
			  "</Translation>\n",
		     "a string's text is kept exactly");
	expect_canon(ROOT "\n</Translation>",
		     "<Translation name=\"Incident.Default\" guid=\"" G "\" "
		     "locale=\"de-DE\" type=\"Form\"/>\n",
		     "an empty translation");
	d = parse(FORM, "Incident.Default", ROOT "</Translation>");
	CHECK(d && d->nrefs == 1 && !strcmp(d->refs[0].kind, "Form") &&
		      !strcmp(d->refs[0].target, "Incident.Default") &&
		      !strcmp(d->guid, G) && !d->bo && !d->nsecrets,
	      "it refers to the translated object (Form Incident.Default)");
	tfs_doc_free(d);
	d = parse("fr-FR/ValidationListDefinition", "Priority",
		  "<Translation name=\"Priority\" guid=\"" G "\" "
		  "locale=\"fr-FR\" type=\"ValidationListDefinition\">"
		  "<String key=\"Item[1]@display\">Critique</String>"
		  "</Translation>");
	CHECK(d && d->nrefs == 1 &&
		      !strcmp(d->refs[0].kind, "ValidationListDefinition") &&
		      !strcmp(d->refs[0].target, "Priority"),
	      "a pick list's translation refers to its definition");
	tfs_doc_free(d);
	d = NULL;
#define NOGUID                                                     \
	"<Translation name=\"Incident.Default\" locale=\"de-DE\" " \
	"type=\"Form\"/>"
	CHECK(tfs_doc_parse(&d, TFS_KIND_TRANSLATION, FORM, "Incident.Default",
			    NOGUID, strlen(NOGUID), G) == 0 &&
		      d && strstr(d->canon, "guid=\"" G "\""),
	      "a missing guid is filled in");
	tfs_doc_free(d);
}

static void test_rejections(void)
{
	char *big;
	size_t i;

	expect_reject("<Form name=\"Incident.Default\" guid=\"" G "\"/>",
		      "root element is <Form>, expected <Translation>",
		      "another root");
	expect_reject("<Translation name=\"Incident.Default\" guid=\"" G
		      "\" locale=\"fr-FR\" type=\"Form\"/>",
		      "locale 'fr-FR' does not match the directory 'de-DE'",
		      "a locale other than the directory's");
	expect_reject("<Translation name=\"Incident.Default\" guid=\"" G
		      "\" locale=\"de-DE\" type=\"Grid\"/>",
		      "type 'Grid' does not match the directory 'Form'",
		      "a type other than the directory's");
	expect_reject("<Translation name=\"Incident.Default\" guid=\"" G
		      "\" type=\"Form\"/>",
		      "locale is required", "no locale");
	expect_reject("<Translation name=\"Other\" guid=\"" G
		      "\" locale=\"de-DE\" type=\"Form\"/>",
		      "does not match the file name", "a name not the file's");
	expect_reject(ROOT "<Label key=\"a\">x</Label></Translation>",
		      "unknown element in Translation", "an unknown element");
	expect_reject(ROOT "<String key=\"a\" lang=\"x\">x</String>"
			   "</Translation>",
		      "unknown attribute lang",
		      "an unknown attribute of String");
	expect_reject("<Translation name=\"Incident.Default\" guid=\"" G
		      "\" locale=\"de-DE\" type=\"Form\" x=\"1\"/>",
		      "unknown attribute x",
		      "an unknown attribute of the root");
	expect_reject(ROOT "<String>x</String></Translation>",
		      "key is required", "a String without key");
	expect_reject(ROOT "<String key=\"\">x</String></Translation>",
		      "key must be 1 to 512 bytes", "an empty key");
	expect_reject(ROOT "<String key=\"a\">x</String>\n"
			   "<String key=\"a\">y</String></Translation>",
		      "duplicate key 'a' (first at line 1)", "a repeated key");
	expect_reject(ROOT "<String key=\"a\" modified=\"yesterday\">x"
			   "</String></Translation>",
		      "modified must be a UTC time", "a bad modified time");
	expect_reject(ROOT "<String key=\"a\" modified=\"2026-13-01T00:00:00Z"
			   "\">x</String></Translation>",
		      "modified must be a UTC time", "month 13");
	expect_reject(ROOT "<String key=\"a\"><b>x</b></String>"
			   "</Translation>",
		      "unknown element in String", "markup inside a String");
	expect_reject(ROOT "loose text</Translation>",
		      "text content is not allowed", "text in the root");
	expect_reject("<t:Translation xmlns:t=\"urn:x\" name=\"Incident."
		      "Default\" guid=\"" G "\" locale=\"de-DE\" type=\"Form\""
		      "/>",
		      "namespaces are not allowed", "a namespace");
	expect_reject_in("de-DE/Nope", ROOT "</Translation>",
			 "is not a type of translations",
			 "a directory of no metadata type");
	expect_reject_in("de DE/Form", ROOT "</Translation>",
			 "is not a type of translations", "a bad locale");
	expect_reject_in("de-DE", ROOT "</Translation>",
			 "is not a type of translations", "a locale alone");

	/* hostile */
	expect_reject("<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b "
		      "\"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n" ROOT
		      "<String key=\"k\">&b;</String></Translation>",
		      "DOCTYPE is not allowed", "entity expansion");
	expect_reject(ROOT "<String key=\"k\">&ext;</String></Translation>", "",
		      "an undeclared entity");
	expect_reject(ROOT "<String key=\"k\">x</String>", "",
		      "a truncated document");
	big = malloc(70000);
	if (big) {
		strcpy(big, ROOT "<String key=\"k\">");
		for (i = strlen(big); i < strlen(ROOT) + 16 + 8193; i++)
			big[i] = 'x';
		strcpy(big + i, "</String></Translation>");
		expect_reject(big, "longer than 8192 bytes",
			      "a string over 8192 bytes");
		memset(big, 0, 70000);
		strcpy(big, ROOT "<String key=\"");
		for (i = strlen(big); i < strlen(ROOT) + 13 + 513; i++)
			big[i] = 'k';
		strcpy(big + i, "\">x</String></Translation>");
		expect_reject(big, "key must be 1 to 512 bytes",
			      "a key over 512 bytes");
		free(big);
	}
	{
		tfs_buf b = TFS_BUF_INIT;

		tfs_buf_puts(&b, ROOT);
		for (i = 0; i < 20001; i++)
			tfs_buf_printf(&b, "<String key=\"k%zu\">x</String>",
				       i);
		tfs_buf_puts(&b, "</Translation>");
		expect_reject(b.ptr, "at most 20000 allowed in Translation",
			      "more than 20000 strings");
		tfs_buf_free(&b);
	}
}

static void test_names(void)
{
	char locale[TFS_LOCALE_MAX + 1], name[40];
	const char *mtype = NULL;

	CHECK(tfs_locale_valid("de-DE") && tfs_locale_valid("fr") &&
		      tfs_locale_valid("zh_Hant_TW") && tfs_locale_valid("x1"),
	      "locales de-DE, fr, zh_Hant_TW, x1");
	CHECK(!tfs_locale_valid("") && !tfs_locale_valid(NULL) &&
		      !tfs_locale_valid("1de") && !tfs_locale_valid("-de") &&
		      !tfs_locale_valid("de DE") &&
		      !tfs_locale_valid("de/DE") && !tfs_locale_valid("..") &&
		      !tfs_locale_valid("de.DE") &&
		      !tfs_locale_valid("d\xc3\xa9"),
	      "no empty, digit-first, spaced, slashed, dotted or non-ASCII "
	      "locale");
	memset(name, 'a', sizeof(name));
	name[TFS_LOCALE_MAX] = '\0';
	CHECK(tfs_locale_valid(name), "a locale of %d bytes", TFS_LOCALE_MAX);
	name[TFS_LOCALE_MAX] = 'a';
	name[TFS_LOCALE_MAX + 1] = '\0';
	CHECK(!tfs_locale_valid(name), "no locale of %d bytes",
	      TFS_LOCALE_MAX + 1);
	CHECK(tfs_translation_split("de-DE/Form", locale, &mtype) &&
		      !strcmp(locale, "de-DE") && mtype &&
		      !strcmp(mtype, "Form"),
	      "de-DE/Form splits into de-DE and Form");
	CHECK(!tfs_translation_split("de-DE/Formx", locale, &mtype) &&
		      !tfs_translation_split("de-DE", locale, &mtype) &&
		      !tfs_translation_split("/Form", locale, &mtype) &&
		      !tfs_translation_split("de-DE/Form/x", locale, &mtype) &&
		      !tfs_translation_split("a b/Form", locale, &mtype),
	      "no split of other types");
	CHECK(tfs_type_valid(TFS_KIND_TRANSLATION,
			     "fr-FR/"
			     "ValidationListDefinition") &&
		      !tfs_type_valid(TFS_KIND_TRANSLATION, "Form") &&
		      !tfs_type_valid(TFS_KIND_TRANSLATION, ""),
	      "translation directory types");
	CHECK(!strcmp(tfs_kind_dir(TFS_KIND_TRANSLATION), "translations") &&
		      tfs_kind_versioned(TFS_KIND_TRANSLATION) &&
		      !strcmp(tfs_doc_root(TFS_KIND_TRANSLATION, "de-DE/Grid"),
			      "Translation"),
	      "kind dir translations, versioned, root Translation");
}

/* ---- copy translation's merge ----------------------------------------- */

#define MROOT(g)                                                 \
	"<Translation name=\"Incident.Default\" guid=\"" g "\" " \
	"locale=\"de-DE\" type=\"Form\">"
#define G2 "1b4e28ba-2fa1-41d2-883f-0016d3cca427"

/* Merge source into target: the count moved, *got the bytes (or ""). */
static int merged(const char *target, const char *source, const char **got)
{
	static char buf[4096];
	tfs_doc *d = NULL;
	size_t moved = 99;
	int rc;

	rc = tfs_translation_merge(&d, &moved, FORM, "Incident.Default", target,
				   strlen(target), source, strlen(source));
	snprintf(buf, sizeof(buf), "%s", d ? d->canon : "");
	*got = buf;
	tfs_doc_free(d);
	if (rc < 0)
		return rc;
	if (!moved && d)
		return -100;
	return (int)moved;
}

static void test_merge(void)
{
	const char *got;
	const char *tgt = MROOT(
		G) "<String key=\"a\">A</String>"
		   "<String key=\"b\">B</String>"
		   "<String key=\"only-target\">T</String>"
		   "<String key=\"t-newer\" modified=\"2026-05-01T00:00:00Z\">"
		   "same</String>"
		   "<String key=\"s-newer\" modified=\"2026-01-01T00:00:00Z\">"
		   "same</String></Translation>";
	const char *src = MROOT(
		G2) "<String key=\"new\">N &amp; &lt;x&gt;</String>"
		    "<String key=\"b\" modified=\"2026-02-02T00:00:00Z\">B2"
		    "</String>"
		    "<String key=\"a\">A</String>"
		    "<String key=\"t-newer\">same</String>"
		    "<String key=\"s-newer\" modified=\"2026-03-01T00:00:00Z\">"
		    "same</String></Translation>";

	CHECK(merged(tgt, src, &got) == 3 &&
		      !strcmp(got,
			      MROOT(G) "\n"
				       "  <String key=\"a\">A</String>\n"
				       "  <String key=\"b\" modified=\"2026-02-02T00:00:00Z\">B2"
				       "</String>\n"
				       "  <String key=\"only-target\">T</String>\n"
				       "  <String key=\"t-newer\" "
				       "modified=\"2026-05-01T00:00:00Z\">same</String>\n"
				       "  <String key=\"s-newer\" "
				       "modified=\"2026-03-01T00:00:00Z\">same</String>\n"
				       "  <String key=\"new\">N &amp; &lt;x&gt;</String>\n"
				       "</Translation>\n"),
	      "merge: a different and a newer string move, a new one is "
	      "added, the target's own and newer ones stay, its guid kept");
	if (strstr(got, "only-target") == NULL)
		printf("# got:\n%s", got);
	CHECK(merged(tgt, tgt, &got) == 0 && !*got,
	      "merge of a translation with itself moves nothing");
	CHECK(merged(tgt, MROOT(G2) "</Translation>", &got) == 0 && !*got,
	      "an empty source moves nothing and deletes nothing");
	CHECK(merged(tgt, MROOT(G2) "<Bad/></Translation>", &got) ==
			      TFS_EINVALID &&
		      strstr(tfs_error_last(), "source: "),
	      "a bad source is refused");
	CHECK(merged("<Form/>", src, &got) == TFS_EINVALID &&
		      strstr(tfs_error_last(), "target: "),
	      "a bad target is refused");
}

/* ---- on a demo store --------------------------------------------------- */

struct names {
	char v[64][256];
	int64_t id[64];
	int n;
};

static int add_name(void *ctx, const tfs_row *r)
{
	struct names *n = ctx;

	if (n->n < 64) {
		snprintf(n->v[n->n], sizeof(n->v[0]), "%s", r->name);
		n->id[n->n++] = r->id;
	}
	return 0;
}

static int count_rows(void *ctx, const tfs_row *r)
{
	(*(int *)ctx)++;
	return 0;
}

/* The stored bytes of translations/<type>/<name>.xml, or "" (static). */
static const char *read_tr(tfs_inst *in, const char *type, const char *name)
{
	static tfs_buf b;
	tfs_obj_info info;
	int64_t dir;

	tfs_buf_clear(&b);
	if (tfs_inst_dir_find(&dir, in, TFS_KIND_TRANSLATION, type) < 0 ||
	    tfs_inst_obj_find(&info, in, dir, name) < 0 ||
	    tfs_inst_obj_read(&b, in, info.id) < 0 || !b.ptr)
		return "";
	return b.ptr;
}

static int save(tfs_inst *in, const char *type, const char *name,
		const char *xml)
{
	return tfs_inst_save(NULL, in, "admin", TFS_KIND_TRANSLATION, type,
			     name, xml, strlen(xml));
}

#define ES                                                          \
	"<Translation name=\"Incident.Default\" locale=\"es-ES\" "  \
	"type=\"Form\"><String key=\"@caption\">Incidente</String>" \
	"</Translation>"

static void test_demo(tfs_inst *stg, tfs_inst *prd)
{
	struct names loc = { .n = 0 }, dirs = { .n = 0 };
	tfs_obj_info info;
	int64_t dir;
	int i, nobj = 0, nprd = 0;

	CHECK(tfs_inst_locale_list(stg, add_name, &loc) == 0 && loc.n == 2 &&
		      !strcmp(loc.v[0], "de-DE") && !strcmp(loc.v[1], "fr-FR"),
	      "the demo's staging has locales de-DE and fr-FR");
	CHECK(tfs_inst_dir_list(stg, TFS_KIND_TRANSLATION, add_name, &dirs) ==
			      0 &&
		      dirs.n == 46 && !strcmp(dirs.v[0], "de-DE/Branding") &&
		      !strcmp(dirs.v[45], "fr-FR/WorkflowType"),
	      "tfs_inst_dir_list gives every <locale>/<Type>, sorted (%d)",
	      dirs.n);
	for (i = 0; i < dirs.n; i++) {
		tfs_inst_obj_list(stg, dirs.id[i], count_rows, &nobj);
		if (tfs_inst_dir_find(&dir, prd, TFS_KIND_TRANSLATION,
				      dirs.v[i]) == 0)
			tfs_inst_obj_list(prd, dir, count_rows, &nprd);
	}
	CHECK(nobj == 15 && nprd == 14,
	      "staging holds 15 translations, "
	      "production 14 (%d, %d)",
	      nobj, nprd);
	CHECK(strstr(read_tr(stg, FORM, "Incident.Default"), "modified=") &&
		      !strstr(read_tr(prd, FORM, "Incident.Default"),
			      "modified="),
	      "staging's Incident.Default has newer strings");
	CHECK(strstr(read_tr(prd, FORM, "Incident.SelfService"),
		     "Field[Symptom]@label") &&
		      !strstr(read_tr(stg, FORM, "Incident.SelfService"),
			      "Field[Symptom]@label"),
	      "production has a string staging lacks");
	for (i = 0; i < dirs.n; i++) {
		struct names objs = { .n = 0 };
		const char *mtype = strchr(dirs.v[i], '/') + 1;
		int64_t mdir;
		int j;

		tfs_inst_obj_list(stg, dirs.id[i], add_name, &objs);
		for (j = 0; j < objs.n; j++)
			CHECK(tfs_inst_dir_find(&mdir, stg, TFS_KIND_METADATA,
						mtype) == 0 &&
				      tfs_inst_obj_find(&info, stg, mdir,
							objs.v[j]) == 0,
			      "translations/%s/%s.xml translates an object "
			      "that exists",
			      dirs.v[i], objs.v[j]);
	}
}

/* Copy translation of staging's de-DE Incident.Default onto production's. */
static void test_demo_merge(tfs_inst *stg, tfs_inst *prd)
{
	char t[8192], s[8192];
	tfs_doc *d = NULL;
	size_t moved = 0;

	snprintf(t, sizeof(t), "%s", read_tr(prd, FORM, "Incident.Default"));
	snprintf(s, sizeof(s), "%s", read_tr(stg, FORM, "Incident.Default"));
	CHECK(tfs_translation_merge(&d, &moved, FORM, "Incident.Default", t,
				    strlen(t), s, strlen(s)) == 0 &&
		      moved == 2 && d && !strcmp(d->canon, s),
	      "production's Incident.Default merged with staging's: 2 moved, "
	      "equal to staging's");
	tfs_doc_free(d);
	d = NULL;
	snprintf(t, sizeof(t), "%s",
		 read_tr(prd, FORM, "Incident.SelfService"));
	snprintf(s, sizeof(s), "%s",
		 read_tr(stg, FORM, "Incident.SelfService"));
	CHECK(tfs_translation_merge(&d, &moved, FORM, "Incident.SelfService", t,
				    strlen(t), s, strlen(s)) == 0 &&
		      moved == 0 && !d,
	      "Incident.SelfService: staging lacks a string; nothing moves, "
	      "nothing is deleted");
	tfs_doc_free(d);
}

static void test_locales(tfs_inst *stg)
{
	int64_t id, id2;
	tfs_obj_info info;
	char name[TFS_LOCALE_MAX + 1];
	int n0, n1;

	CHECK(tfs_inst_locale_create(stg, "es ES") == TFS_EINVALID &&
		      tfs_inst_locale_create(stg, "../x") == TFS_EINVALID,
	      "no locale 'es ES' or '../x'");
	CHECK(tfs_inst_locale_create(stg, "de-DE") == TFS_EEXISTS,
	      "de-DE exists");
	CHECK(tfs_inst_locale_create(stg, "es-ES") == 0 &&
		      tfs_inst_locale_find(&id, stg, "es-ES") == 0 &&
		      tfs_inst_locale_name(stg, id, name) == 0 &&
		      !strcmp(name, "es-ES"),
	      "mkdir of locale es-ES");
	CHECK(tfs_inst_dir_find(&id2, stg, TFS_KIND_TRANSLATION,
				"es-ES/Image") == 0 &&
		      tfs_inst_locale_name(stg, id2, name) == TFS_ENOTFOUND,
	      "it has every type directory; only the first names it");
	tfs_inst_history_count(stg, &n0);
	CHECK(save(stg, "es-ES/Form", "Incident.Default", ES) == 0,
	      "a translation saved into es-ES");
	tfs_inst_history_count(stg, &n1);
	CHECK(n1 == n0 + 1, "as one history commit");
	CHECK(tfs_inst_locale_remove(stg, "es-ES") == TFS_ENOTEMPTY,
	      "a locale with translations is not removed");
	CHECK(save(stg, "es-ES/Form", "No.Such.Form",
		   "<Translation name=\"No.Such.Form\" locale=\"es-ES\" "
		   "type=\"Form\"/>") == TFS_EINVALID &&
		      strstr(tfs_error_last(), "Form No.Such.Form not found"),
	      "a translation of a missing object is refused");
	CHECK(tfs_inst_dir_find(&id2, stg, TFS_KIND_METADATA,
				"ValidationListDefinition") == 0 &&
		      tfs_inst_obj_find(&info, stg, id2, "Urgency") == 0,
	      "metadata/ValidationListDefinition/Urgency.xml exists");
	CHECK(tfs_inst_delete(stg, "admin", info.id) == TFS_ECONFLICT &&
		      strstr(tfs_error_last(),
			     "Urgency is still used by 2 objects, "
			     "such as translations/"),
	      "a translated object is not deleted: %s", tfs_error_last());
	CHECK(tfs_inst_dir_find(&id2, stg, TFS_KIND_TRANSLATION,
				"es-ES/Form") == 0 &&
		      tfs_inst_obj_find(&info, stg, id2, "Incident.Default") ==
			      0 &&
		      tfs_inst_delete(stg, "admin", info.id) == 0 &&
		      tfs_inst_locale_remove(stg, "es-ES") == 0 &&
		      tfs_inst_locale_find(&id, stg, "es-ES") == TFS_ENOTFOUND,
	      "rm of the translation, then rmdir of the locale");
}

static void test_save_revert(tfs_inst *stg)
{
	tfs_buf r = TFS_BUF_INIT;
	int64_t id;
	int n;

	CHECK(save(stg, "it-IT/Form", "Incident.Default",
		   "<Translation name=\"Incident.Default\" locale=\"it-IT\" "
		   "type=\"Form\"><String key=\"@caption\">Incidente</String>"
		   "</Translation>") == 0 &&
		      tfs_inst_locale_find(&id, stg, "it-IT") == 0,
	      "a save into a missing locale makes it");
	tfs_inst_history_count(stg, &n);
	CHECK(tfs_inst_revert(&r, stg, "admin", n) == 0 &&
		      !*read_tr(stg, "it-IT/Form", "Incident.Default"),
	      "revert of that commit removes the translation");
	CHECK(tfs_inst_locale_remove(stg, "it-IT") == 0,
	      "the locale is empty again and goes");
	tfs_buf_clear(&r);
	CHECK(tfs_inst_revert(&r, stg, "admin", n + 1) == 0 &&
		      strstr(read_tr(stg, "it-IT/Form", "Incident.Default"),
			     ">Incidente<") &&
		      tfs_inst_locale_find(&id, stg, "it-IT") == 0,
	      "reverting the revert brings it back, and its locale");
	tfs_buf_free(&r);
}

static int run_store(void)
{
	char tmpdir[TH_PATH], store[TH_PATH], cmd[TH_PATH + 200];
	tfs_store *st = NULL;
	tfs_inst *stg, *prd;

	if (th_tmpdir(tmpdir, "translation") < 0)
		return 1;
	CHECK(th_demo_store(store, tmpdir, "store") == 0, "demo store created");
	if (th_store_open(&st, store) < 0)
		return 1;
	stg = th_inst(st, "acme", "staging");
	prd = th_inst(st, "acme", "production");
	CHECK(stg && prd, "instances staging and production");
	if (stg && prd) {
		test_demo(stg, prd);
		test_demo_merge(stg, prd);
		test_locales(stg);
		test_save_revert(stg);
	}
	tfs_store_free(st);
	snprintf(cmd, sizeof(cmd),
		 "git --git-dir=%s/history.git log "
		 "--format=%%s acme/staging -- translations/it-IT "
		 "| grep -c . | grep -qx 3",
		 store);
	CHECK(system(cmd) == 0, "git log of acme/staging shows the three "
				"commits of translations/it-IT");
	th_rmtree(tmpdir, false);
	return 0;
}

int main(void)
{
	test_canonical();
	test_rejections();
	test_names();
	test_merge();
	run_store();
	printf("%d tests, %d failed\n", count, failures);
	return failures ? 1 : 0;
}
