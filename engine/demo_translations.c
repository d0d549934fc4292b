/*
 * Demo translations (tfs_demo_translations, loaded with the demo by
 * inst_load_demo): German (de-DE) and French (fr-FR) strings of a few
 * forms and pick lists (metadata/ValidationListDefinition), the same in
 * every instance but staging, which has the edits its translators made
 * an hour ago: entries newer than, different from, or missing in
 * production's, and one more form, for copy translation.
 *
 * Keys name the element being translated: "@caption" the object's own
 * caption, "Field[Subject]@label" a field's label, "Section[Details]@caption"
 * a section's, "Item[High]@display" a pick-list value's display text.
 * The shared strings carry no modified= (configuration does not depend on
 * the clock, see demo.c); staging's edits carry the time they were made.
 */
#include <stdio.h>
#include <string.h>

#include "doc_int.h"
#include "tenantfs/buf.h"
#include "tenantfs/error.h"
#include "demo_int.h"

typedef struct tr_entry {
	const char *key, *de, *fr;
} tr_entry;

typedef struct tr_obj {
	const char *type, *name;
	const tr_entry *e;      /* NULL-key terminated */
} tr_obj;

static const tr_entry incident_default[] = {
	{ "@caption", "Vorfall", "Incident" },
	{ "Section[Details]@caption", "Details", "Détails" },
	{ "Section[Classification]@caption", "Klassifizierung",
	  "Classification" },
	{ "Section[Assignment]@caption", "Zuweisung", "Affectation" },
	{ "Section[Resolution]@caption", "Lösung", "Résolution" },
	{ "Field[Subject]@label", "Betreff", "Objet" },
	{ "Field[Status]@label", "Status", "Statut" },
	{ "Field[Urgency]@label", "Dringlichkeit", "Urgence" },
	{ "Field[Impact]@label", "Auswirkung", "Impact" },
	{ "Field[Priority]@label", "Priorität", "Priorité" },
	{ "Field[Owner]@label", "Bearbeiter", "Responsable" },
	{ NULL, NULL, NULL }
};

static const tr_entry incident_self[] = {
	{ "@caption", "Problem melden", "Signaler un problème" },
	{ "Field[Subject]@label", "Betreff", "Objet" },
	{ "Field[Symptom]@label", "Was ist passiert?", "Que s'est-il passé ?" },
	{ "Field[Category]@label", "Kategorie", "Catégorie" },
	{ "Field[Urgency]@label", "Dringlichkeit", "Urgence" },
	{ NULL, NULL, NULL }
};

static const tr_entry request_self[] = {
	{ "@caption", "Etwas anfordern", "Demander quelque chose" },
	{ "Field[Subject]@label", "Betreff", "Objet" },
	{ "Field[Description]@label", "Beschreibung", "Description" },
	{ "Field[Quantity]@label", "Menge", "Quantité" },
	{ NULL, NULL, NULL }
};

static const tr_entry priority_list[] = {
	{ "Item[1]@display", "Kritisch", "Critique" },
	{ "Item[2]@display", "Hoch", "Haute" },
	{ "Item[3]@display", "Mittel", "Moyenne" },
	{ "Item[4]@display", "Niedrig", "Basse" },
	{ "Item[5]@display", "Planung", "Planification" },
	{ NULL, NULL, NULL }
};

static const tr_entry level_list[] = {
	{ "Item[High]@display", "Hoch", "Haute" },
	{ "Item[Medium]@display", "Mittel", "Moyenne" },
	{ "Item[Low]@display", "Niedrig", "Basse" },
	{ NULL, NULL, NULL }
};

static const tr_entry status_list[] = {
	{ "Item[Logged]@display", "Erfasst", "Enregistré" },
	{ "Item[Active]@display", "In Bearbeitung", "En cours" },
	{ "Item[Waiting for Customer]@display", "Wartet auf Kunden",
	  "En attente du client" },
	{ "Item[Waiting for 3rd Party]@display", "Wartet auf Dritte",
	  "En attente d'un tiers" },
	{ "Item[Resolved]@display", "Gelöst", "Résolu" },
	{ "Item[Closed]@display", "Geschlossen", "Clos" },
	{ "Item[Cancelled]@display", "Storniert", "Annulé" },
	{ NULL, NULL, NULL }
};

static const tr_entry none[] = { { NULL, NULL, NULL } };

/* Problem.Default has no translation but staging's. */
static const tr_obj objs[] = {
	{ "Form", "Incident.Default", incident_default },
	{ "Form", "Incident.SelfService", incident_self },
	{ "Form", "ServiceReq.SelfService", request_self },
	{ "Form", "Problem.Default", none },
	{ "ValidationListDefinition", "Priority", priority_list },
	{ "ValidationListDefinition", "Urgency", level_list },
	{ "ValidationListDefinition", "Impact", level_list },
	{ "ValidationListDefinition", "Status", status_list },
};

#define NOBJS (sizeof(objs) / sizeof(objs[0]))

static const char *const locales[] = { "de-DE", "fr-FR" };

/* A staging edit: `text` replaces or adds the entry; NULL removes it. */
typedef struct tr_edit {
	const char *locale, *type, *name, *key, *text;
} tr_edit;

static const tr_edit edits[] = {
	{ "de-DE", "Form", "Incident.Default", "Field[Owner]@label",
	  "Verantwortlich" },
	{ "de-DE", "Form", "Incident.Default", "Field[Category]@label",
	  "Kategorie" },
	{ "de-DE", "Form", "Incident.SelfService", "Field[Symptom]@label",
	  NULL },
	{ "de-DE", "Form", "Problem.Default", "@caption", "Problem" },
	{ "de-DE", "Form", "Problem.Default", "Field[RootCause]@label",
	  "Grundursache" },
	{ "fr-FR", "ValidationListDefinition", "Status",
	  "Item[Waiting for Customer]@display", "En attente du demandeur" },
	{ "fr-FR", "ValidationListDefinition", "Priority", "Item[5]@display",
	  "Planifié" },
};

#define NEDITS (sizeof(edits) / sizeof(edits[0]))

static int put_string(tfs_buf *b, const char *key, const char *text,
		      const char *modified)
{
	int error;

	if ((error = tfs_buf_puts(b, "  <String key=\"")) < 0 ||
	    (error = doc_put_escaped(b, key, true)) < 0)
		return error;
	if (modified && ((error = tfs_buf_puts(b, "\" modified=\"")) < 0 ||
			 (error = tfs_buf_puts(b, modified)) < 0))
		return error;
	if ((error = tfs_buf_puts(b, "\">")) < 0 ||
	    (error = doc_put_escaped(b, text, false)) < 0)
		return error;
	return tfs_buf_puts(b, "</String>\n");
}

static const char *text_of(const tr_entry *e, size_t locale)
{
	return locale == 0 ? e->de : e->fr;
}

/* The staging edit of (locale, object, key), or NULL. */
static const tr_edit *edit_of(size_t locale, const tr_obj *o, const char *key)
{
	size_t i;

	for (i = 0; i < NEDITS; i++)
		if (strcmp(edits[i].locale, locales[locale]) == 0 &&
		    strcmp(edits[i].type, o->type) == 0 &&
		    strcmp(edits[i].name, o->name) == 0 &&
		    strcmp(edits[i].key, key) == 0)
			return &edits[i];
	return NULL;
}

/*
 * The document of object `o` in locale `locale` into b: the shared
 * strings, or with `modified` set the staging version (edits applied,
 * stamped `modified`).  Returns 1 if the document has no string (not
 * written), 0, or an error.
 */
static int render(tfs_buf *b, size_t locale, const tr_obj *o,
		  const char *modified)
{
	const tr_entry *e;
	const tr_edit *ed;
	size_t n = 0, i;
	char guid[37], type[96];
	int error;

	snprintf(type, sizeof(type), "%s/%s", locales[locale], o->type);
	demo_guid(guid, TFS_KIND_TRANSLATION, type, o->name);
	tfs_buf_clear(b);
	if ((error = tfs_buf_printf(b, "<Translation name=\"%s\" guid=\"%s\" "
				    "locale=\"%s\" type=\"%s\">\n", o->name,
				    guid, locales[locale], o->type)) < 0)
		return error;
	for (e = o->e; e->key; e++) {
		ed = modified ? edit_of(locale, o, e->key) : NULL;
		if (ed && !ed->text)
			continue;
		if (!ed && !text_of(e, locale))
			continue;
		if ((error = put_string(b, e->key, ed ? ed->text :
					text_of(e, locale),
					ed ? modified : NULL)) < 0)
			return error;
		n++;
	}
	for (i = 0; modified && i < NEDITS; i++) {
		ed = &edits[i];
		if (!ed->text || strcmp(ed->locale, locales[locale]) != 0 ||
		    strcmp(ed->type, o->type) != 0 ||
		    strcmp(ed->name, o->name) != 0)
			continue;
		for (e = o->e; e->key && strcmp(e->key, ed->key) != 0; e++)
			;
		if (e->key)
			continue; /* replaced above */
		if ((error = put_string(b, ed->key, ed->text, modified)) < 0)
			return error;
		n++;
	}
	if ((error = tfs_buf_puts(b, "</Translation>\n")) < 0)
		return error;
	return n ? 0 : 1;
}

/* Whether staging edited (locale, o). */
static bool edited(size_t locale, const tr_obj *o)
{
	size_t i;

	for (i = 0; i < NEDITS; i++)
		if (strcmp(edits[i].locale, locales[locale]) == 0 &&
		    strcmp(edits[i].type, o->type) == 0 &&
		    strcmp(edits[i].name, o->name) == 0)
			return true;
	return false;
}

/* Hand every document to put: the staging version (edits applied,
 * stamped `modified`) of those edited when `modified` is set. */
static int generate(tfs_demo_put_fn put, void *ctx, const demo_gen *g,
		    const char *modified, int64_t edit_time)
{
	tfs_buf b = TFS_BUF_INIT;
	char type[96], label[128];
	const char *stamp;
	int64_t mtime;
	size_t l, i;
	int error = 0;

	for (l = 0; l < 2 && !error; l++) {
		for (i = 0; i < NOBJS && !error; i++) {
			stamp = modified && edited(l, &objs[i]) ? modified :
				NULL;
			if ((error = render(&b, l, &objs[i], stamp)) == 1) {
				error = 0;
				continue;
			}
			if (error < 0)
				break;
			snprintf(type, sizeof(type), "%s/%s", locales[l],
				 objs[i].type);
			snprintf(label, sizeof(label), "translations/%s", type);
			mtime = stamp ? edit_time :
				demo_config_mtime(g, label, objs[i].name);
			error = put(ctx, TFS_KIND_TRANSLATION, type,
				    objs[i].name, b.ptr, b.size, mtime);
		}
	}
	tfs_buf_free(&b);
	return error;
}

int tfs_demo_translations(tfs_demo_put_fn put, void *ctx, int64_t now,
			  bool staging)
{
	demo_gen g;
	char modified[32];
	int64_t edit_time = now - DEMO_HOUR;

	memset(&g, 0, sizeof(g));
	g.now = now;
	/* set up a year ago at 09:00 UTC, as tfs_demo_generate says */
	g.install = ((now - 364 * DEMO_DAY) / DEMO_DAY) * DEMO_DAY +
		    9 * DEMO_HOUR;
	demo_fmt_time(modified, edit_time);
	return generate(put, ctx, &g, staging ? modified : NULL, edit_time);
}
