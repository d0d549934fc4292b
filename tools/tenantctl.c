/*
 * tenantctl: offline tools for tenantfs stores.
 *
 *   tenantctl init [--demo] STORE   create a store (with the demo)
 *   tenantctl fsck STORE            check history branches against the
 *                                   databases (and repair a branch left
 *                                   behind by a crash)
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tenantfs/error.h"
#include "tenantfs/instance.h"
#include "tenantfs/store.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: tenantctl COMMAND [ARGS]\n"
		"\n"
		"commands:\n"
		"  init [--demo] STORE   create a new store in directory STORE;\n"
		"                        --demo fills it with the demo tenant acme\n"
		"  fsck STORE            check the store (history branches agree\n"
		"                        with the databases; repairs a branch a\n"
		"                        crash left behind)\n"
		"  --help                this text\n"
		"\n"
		"Mount a store with: tenantfs -o store=STORE MOUNTPOINT\n");
}

static int cmd_init(int argc, char **argv)
{
	const char *store = NULL;
	int demo = 0, i, error;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--demo") == 0)
			demo = 1;
		else if (argv[i][0] == '-') {
			fprintf(stderr, "tenantctl init: unknown option %s\n",
				argv[i]);
			return 2;
		} else if (!store)
			store = argv[i];
		else {
			usage(stderr);
			return 2;
		}
	}
	if (!store) {
		usage(stderr);
		return 2;
	}
	error = demo ? tfs_store_create_demo(store) : tfs_store_create(store);
	if (error < 0) {
		fprintf(stderr, "tenantctl init: %s\n", tfs_error_last());
		return 1;
	}
	printf("created %s%s\n", store, demo ? " (demo: tenant acme with "
	       "production, staging, uat)" : "");
	return 0;
}

struct fsck_ctx {
	tfs_store *st;
	int bad;
};

static int check_instance(void *ctx, const tfs_row *row)
{
	struct fsck_ctx *c = ctx;
	tfs_inst *in = tfs_store_inst(c->st, row->id);
	int n = 0;

	if (!in) {
		printf("%s: cannot open: %s\n", row->name, tfs_error_last());
		c->bad++;
		return 0;
	}
	tfs_inst_history_count(in, &n);
	printf("%s/%s: %d commits, ok\n", tfs_inst_tenant(in),
	       tfs_inst_name(in), n);
	return 0;
}

static int check_tenant(void *ctx, const tfs_row *row)
{
	struct fsck_ctx *c = ctx;

	return tfs_store_list(c->st, TFS_ENT_INSTANCE, row->id, check_instance,
			      c);
}

static int cmd_fsck(int argc, char **argv)
{
	struct fsck_ctx c = {0};

	if (argc != 1) {
		usage(stderr);
		return 2;
	}
	/* Opening recovers: branches are moved to what the databases
	 * committed, pending events are published. */
	if (tfs_store_open(&c.st, argv[0], getuid()) < 0) {
		fprintf(stderr, "tenantctl fsck: %s\n", tfs_error_last());
		return 1;
	}
	tfs_store_list(c.st, TFS_ENT_TENANT, 0, check_tenant, &c);
	tfs_store_free(c.st);
	return c.bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "init") == 0)
		return cmd_init(argc - 2, argv + 2);
	if (strcmp(argv[1], "fsck") == 0)
		return cmd_fsck(argc - 2, argv + 2);
	fprintf(stderr, "tenantctl: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
