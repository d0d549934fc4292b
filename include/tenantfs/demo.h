/*
 * The demo (tools/demo/, linked by tenantctl and the tests, not by the
 * daemon): a believable out-of-the-box ITSM configuration, the same in
 * every instance of the demo tenants (same names, same guids), so a fresh
 * demo diffs clean; acme's staging alone has its translators' later edits.
 *
 * Configuration and master data are fixtures (tools/demo/content/, as
 * XML); records are generated, spread over the year before `now`.
 */
#ifndef TENANTFS_DEMO_H
#define TENANTFS_DEMO_H

#include <stdbool.h>
#include <stdint.h>
#include "seed.h"

/*
 * Every document of one demo instance to `put` (with `staging`, acme's
 * staging's).  Output depends only on `now` and `staging`.  Returns 0, or
 * the first nonzero value `put` returned.
 */
int tfs_demo_generate(tfs_put_fn put, void *ctx, int64_t now, bool staging);

/* The demo store (INTERFACE.md, "The demo store"), for tfs_store_init. */
extern const tfs_seed tfs_demo_seed;

#endif
