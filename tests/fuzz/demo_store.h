/*
 * The demo store some harnesses work on (tests/fuzz/demo_store.c).
 */
#ifndef FUZZ_DEMO_STORE_H
#define FUZZ_DEMO_STORE_H

#include "tenantfs/perm.h"
#include "tenantfs/store.h"

/*
 * Open the demo store at $FUZZ_STORE (tools/fuzz.sh makes a fresh one
 * with the quicker uninstrumented tenantctl), or else make one in a
 * temporary directory (15 s and more under the sanitizers), removed at
 * exit.  *admin: the administrator (uid 0).  Exits on failure.
 */
tfs_store *fuzz_demo_store(tfs_user *admin);

#endif
