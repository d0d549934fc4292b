/*
 * The demo store's content (INTERFACE.md, "The demo store").
 *
 * The console's rows are console.sql.  Each instance gets the fixtures of
 * content/ (configuration and master data, as XML, passed through the
 * document gate by the store like any save), acme's staging with staging/
 * in place of the same names (its translators' edits), then the records
 * of demo_data.c, which follow from `now`.  pack.py packs the fixtures
 * into the binary at build time, so `tenantctl init --demo` reads no
 * files and needs no path to them.
 *
 * A fixture's mtime is the install day or a day of the year after it
 * (dg_config_mtime, from its kind, type and name); staging's edits were
 * made an hour ago.
 */
#include <stdio.h>
#include <string.h>

#include "demo_int.h"
#include "tenantfs/demo.h"

/*
 * Whether `f` is replaced in staging by one of staging's own fixtures.
 * pack.py writes the staging set after the content set, so only the few
 * fixtures from `first` on are compared.
 */
static bool replaced(const demo_fixture *f, size_t first)
{
	size_t i;

	for (i = first; i < demo_nfixtures; i++) {
		const demo_fixture *s = &demo_fixtures[i];

		if (s->kind == f->kind && strcmp(s->type, f->type) == 0 &&
		    strcmp(s->name, f->name) == 0)
			return true;
	}
	return false;
}

static int put_fixtures(dg_gen *g, bool staging)
{
	char label[160];
	int64_t mtime;
	size_t i, first = demo_nfixtures;
	int error;

	while (first > 0 && demo_fixtures[first - 1].which == DEMO_STAGING)
		first--;
	for (i = 0; i < demo_nfixtures; i++) {
		const demo_fixture *f = &demo_fixtures[i];

		if (f->which == DEMO_STAGING) {
			if (!staging)
				continue;
			mtime = g->now - DG_HOUR;
		} else {
			if (staging && replaced(f, first))
				continue;
			snprintf(label, sizeof(label), "%s/%s",
				 tfs_kind_dir(f->kind), f->type);
			mtime = dg_config_mtime(g, label, f->name);
		}
		error = g->put(g->ctx, f->kind, f->type, f->name, f->xml,
			       f->len, mtime);
		if (error)
			return error;
	}
	return 0;
}

int tfs_demo_generate(tfs_put_fn put, void *ctx, int64_t now, bool staging)
{
	dg_gen g;
	int error;

	memset(&g, 0, sizeof(g));
	g.put = put;
	g.ctx = ctx;
	g.now = now;
	/* set up a year ago, at 09:00 UTC */
	g.install = ((now - 364 * DG_DAY) / DG_DAY) * DG_DAY + 9 * DG_HOUR;
	error = put_fixtures(&g, staging);
	if (!error)
		error = demo_gen_records(&g);
	tfs_buf_free(&g.buf);
	return error;
}

/* ---- the seed ---------------------------------------------------------- */

static bool acme_staging(const char *tenant, const char *inst)
{
	return strcmp(tenant, "acme") == 0 && strcmp(inst, "staging") == 0;
}

static int content(tfs_put_fn put, void *put_ctx, const char *tenant,
		   const char *inst, int64_t now)
{
	return tfs_demo_generate(put, put_ctx, now, acme_staging(tenant, inst));
}

/* acme's staging is loaded, not copied, so that copy-translation has
 * strings to move; every other instance is a copy of its production. */
const tfs_seed tfs_demo_seed = {
	.console_sql = demo_console_sql,
	.content = content,
	.own_content = acme_staging,
};
