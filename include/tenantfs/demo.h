/*
 * Content of the demo store: a believable out-of-the-box ITSM configuration
 * for one tenant instance.  The same content (same names, same guids) is put
 * into every instance of the demo tenant, so a fresh demo diffs clean.
 *
 * The generator knows nothing of the store: it hands each document to
 * `put`, which parses it with tfs_doc_parse() and stores it.  Documents are
 * plain XML (not necessarily canonical), each with name and guid.
 */
#ifndef TENANTFS_DEMO_H
#define TENANTFS_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "doc.h"

/* `mtime` is the object's change time (seconds since the epoch). */
typedef int (*tfs_demo_put_fn)(void *ctx, tfs_kind kind, const char *type,
			       const char *name, const char *xml, size_t len,
			       int64_t mtime);

/*
 * Generate the demo content.  `now` anchors dates (records are spread over
 * the year before it); output depends only on `now`.  Returns 0, or the
 * first nonzero value `put` returned.
 */
int tfs_demo_generate(tfs_demo_put_fn put, void *ctx, int64_t now);

/*
 * The demo's translations (engine/demo_translations.c): German and French
 * strings of a few forms and pick lists, the same in every instance but
 * staging (`staging`), where the translators have since changed and added
 * strings (stamped modified=), removed one and translated one more form:
 * what copy translation moves.  Output depends only on `now` and
 * `staging`.  Returns 0, or the first nonzero value `put` returned.
 */
int tfs_demo_translations(tfs_demo_put_fn put, void *ctx, int64_t now,
			  bool staging);

#endif
