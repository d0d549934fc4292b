/*
 * libFuzzer harness for the .conf parser, tfs_conf_parse()
 * (engine/conf.c): every .conf file users write (users/, console.conf,
 * tenants' and instances' properties, packages' package.conf, push
 * requests) passes through it before any rule of its own.
 *
 * Checked besides the sanitizers: what it accepts keeps its promises
 * (conf.h): keys non-empty and unique, of a-z, 0-9 and '_', values
 * trimmed, lines increasing, and tfs_conf_get() finds each key's value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tenantfs/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tfs_conf conf;

	if (tfs_conf_parse(&conf, (const char *)data, size) < 0)
		return 0;
	check(&conf);
	tfs_conf_free(&conf);
	return 0;
}
