/*
 * `key = value` text files (.conf): parsing of what users write, and the
 * schema-driven rendering and update of console rows (users, landscape
 * groups, landscapes, servers, tenants, instances).
 */
#ifndef TENANTFS_CONF_H
#define TENANTFS_CONF_H

#include <stddef.h>
#include "buf.h"

typedef struct tfs_conf_kv {
	char *key;
	char *value;
	int line;
} tfs_conf_kv;

typedef struct tfs_conf {
	tfs_conf_kv *kv;
	size_t n;
} tfs_conf;

/*
 * Parse `key = value` lines; blank lines and lines starting with '#' are
 * ignored; surrounding blanks are trimmed.  A line without '=', an empty or
 * malformed key, or a key given twice is TFS_EINVALID ("line 3: ...").
 */
int tfs_conf_parse(tfs_conf *out, const char *bytes, size_t len);
const char *tfs_conf_get(const tfs_conf *conf, const char *key);
void tfs_conf_free(tfs_conf *conf);

#endif
