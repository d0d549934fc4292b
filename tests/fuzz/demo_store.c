/*
 * The demo store of fuzz_conf and fuzz_pkg (demo_store.h): opened once
 * per process, from LLVMFuzzerInitialize, and kept open to the end.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo_store.h"
#include "tenantfs/demo.h"
#include "tenantfs/error.h"

static char dir[64];
static tfs_store *st;

static int rm_one(const char *path, const struct stat *sb, int flag,
		  struct FTW *ftw)
{
	return remove(path);
}

static void cleanup(void)
{
	tfs_store_free(st);
	if (dir[0])
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

tfs_store *fuzz_demo_store(tfs_user *admin)
{
	const char *given = getenv("FUZZ_STORE");
	char path[96];

	if (given && *given) {
		snprintf(path, sizeof(path), "%s", given);
	} else {
		snprintf(dir, sizeof(dir), "%s/fuzz_store.XXXXXX",
			 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (strlen(dir) >= sizeof(dir) - 1 || !mkdtemp(dir)) {
			perror("fuzz: mkdtemp");
			exit(1);
		}
		snprintf(path, sizeof(path), "%s/store", dir);
		if (tfs_store_init(path, &tfs_demo_seed) < 0) {
			fprintf(stderr, "fuzz: demo store: %s\n",
				tfs_error_last());
			exit(1);
		}
	}
	if (tfs_store_open(&st, path, 0) < 0 ||
	    tfs_store_user_by_uid(admin, st, 0) < 0 || !admin->admin) {
		fprintf(stderr, "fuzz: store %s: %s\n", path, tfs_error_last());
		exit(1);
	}
	atexit(cleanup);
	tfs_store_set_fsync(st, false);
	return st;
}
