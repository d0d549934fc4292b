/*
 * libFuzzer harness for the .conf files: the parser, tfs_conf_parse()
 * (engine/conf.c), that every .conf users write passes through, and the
 * updates of console rows that judge each key's value (conf.c's schemas,
 * users.c's rules, console_conf.c), as the tree calls them on a save.
 *
 * The input is the file's bytes.  What the parser accepts must keep
 * conf.h's promises: keys non-empty, unique, of a-z, 0-9 and '_'; values
 * trimmed; lines increasing; tfs_conf_get() finds each value.  It is then
 * saved, as an administrator, as users/<login>.conf, console.conf and the
 * .conf of a landscape group, landscape, server, tenant and instance of
 * a demo store (demo_store.h).  An accepted save is undone by saving
 * the text rendered before it, which must be accepted (the rule of
 * conf.c: a file that leaves every key as it is changes nothing), so
 * that every input meets the same rows.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo_store.h"
#include "tenantfs/conf.h"
#include "tenantfs/error.h"
#include "tenantfs/landscape.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CONSOLE (-1) /* console.conf, not an entity */

/* A row whose .conf is saved, and its text before any input. */
struct target {
	int ent;
	int64_t id;
	tfs_buf orig;
};

static tfs_store *st;
static tfs_user admin;
static struct target targets[7];
static size_t ntargets;

static void check(const tfs_conf *conf)
{
	size_t i, j, n;
	const char *v;

	for (i = 0; i < conf->n; i++) {
		const tfs_conf_kv *kv = &conf->kv[i];
		if (!kv->key[0] ||
		    strspn(kv->key, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
			    strlen(kv->key))
			abort();
		n = strlen(kv->value);
		v = kv->value;
		if (n && (strchr(" \t", v[0]) || strchr(" \t\r", v[n - 1])))
			abort();
		if (i && kv->line <= conf->kv[i - 1].line)
			abort();
		for (j = 0; j < i; j++)
			if (strcmp(conf->kv[j].key, kv->key) == 0)
				abort();
		if (tfs_conf_get(conf, kv->key) != kv->value)
			abort();
	}
}

static int save(const struct target *t, const char *bytes, size_t len)
{
	if (t->ent == CONSOLE)
		return tfs_store_console_conf_update(st, &admin, bytes, len);
	if (t->ent == TFS_ENT_USER)
		return tfs_store_user_update(st, &admin, t->id, bytes, len);
	/* as the landscapes/ nodes save them (node_console.c) */
	if (t->ent == TFS_ENT_GROUP)
		return tfs_group_conf_update(st, "admin", t->id, bytes, len);
	if (t->ent == TFS_ENT_LANDSCAPE)
		return tfs_landscape_conf_update(st, "admin", t->id, bytes,
						 len);
	if (t->ent == TFS_ENT_SERVER)
		return tfs_server_update(st, "admin", t->id, bytes, len);
	return tfs_store_conf_update(st, (tfs_entity)t->ent, t->id, "admin",
				     bytes, len);
}

static int last_row(void *ctx, const tfs_row *row)
{
	*(int64_t *)ctx = row->id;
	return 0;
}

/* The last row of `ent` under `parent` as a target; its id. */
static int64_t add(int ent, int64_t parent)
{
	struct target *t = &targets[ntargets++];
	int error;

	t->ent = ent;
	t->id = 0;
	if (ent == CONSOLE)
		error = tfs_store_console_conf_render(&t->orig, st);
	else if ((error = tfs_store_list(st, (tfs_entity)ent, parent, last_row,
					 &t->id)) == 0)
		error = t->id ? tfs_store_conf_render(&t->orig, st,
						      (tfs_entity)ent, t->id) :
				-1;
	if (error < 0) {
		fprintf(stderr, "fuzz_conf: no row %d: %s\n", ent,
			tfs_error_last());
		exit(1);
	}
	return t->id;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int64_t id;

	st = fuzz_demo_store(&admin);
	add(CONSOLE, 0);
	add(TFS_ENT_USER, 0);
	id = add(TFS_ENT_GROUP, 0);
	id = add(TFS_ENT_LANDSCAPE, id);
	add(TFS_ENT_SERVER, id);
	id = add(TFS_ENT_TENANT, 0);
	add(TFS_ENT_INSTANCE, id);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *bytes = (const char *)data;
	tfs_conf conf;
	size_t i;

	if (tfs_conf_parse(&conf, bytes, size) < 0)
		return 0;
	check(&conf);
	tfs_conf_free(&conf);
	for (i = 0; i < ntargets; i++) {
		const struct target *t = &targets[i];
		if (save(t, bytes, size) < 0)
			continue;
		if (save(t, t->orig.ptr, t->orig.size) < 0) {
			fprintf(stderr,
				"fuzz_conf: the .conf rendered before "
				"is refused after a save (%d): %s\n%s",
				t->ent, tfs_error_last(), t->orig.ptr);
			abort();
		}
	}
	return 0;
}
