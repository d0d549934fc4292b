/*
 * tenantctl: offline tools for tenantfs stores.
 *
 *   tenantctl init [--demo] STORE   create a store (with the demo)
 *   tenantctl fsck STORE            check history branches against the
 *                                   databases (and repair a branch left
 *                                   behind by a crash)
 *   tenantctl generate STORE ...    add a large synthetic tenant
 *   tenantctl generate-package FILE ...
 *                                   write a package of many master records
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tenantfs/demo.h"
#include "tenantfs/error.h"
#include "tenantfs/generate.h"
#include "tenantfs/instance.h"
#include "tenantfs/store.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: tenantctl COMMAND [ARGS]\n"
		"\n"
		"commands:\n"
		"  init [--demo] STORE   create a new store in directory STORE;\n"
		"                        --demo fills it with the demo tenants acme\n"
		"                        and globex\n"
		"  fsck STORE            check the store (history branches agree\n"
		"                        with the databases; repairs a branch a\n"
		"                        crash left behind)\n"
		"  generate STORE --tenant NAME --objects N [--master N]\n"
		"           [--data N] [--seed S] [--jobs 1|2]\n"
		"                        add tenant NAME with instances staging\n"
		"                        and production (metadata-locked, ~1%%\n"
		"                        of objects differ), N objects each:\n"
		"                        configuration, master records (default\n"
		"                        N/10) and data records (default N/10);\n"
		"                        creates STORE if needed\n"
		"  generate-package FILE --records N [--bo Employee] [--seed S]\n"
		"           [--name NAME]\n"
		"                        write a closed package creating N master\n"
		"                        records (for apply/ of a generated\n"
		"                        tenant)\n"
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
	error = tfs_store_init(store, demo ? &tfs_demo_seed : NULL);
	if (error < 0) {
		fprintf(stderr, "tenantctl init: %s\n", tfs_error_last());
		return 1;
	}
	printf("created %s%s\n", store,
	       demo ? " (demo: tenants acme with "
		      "production, staging, uat; globex with production, staging)" :
		      "");
	return 0;
}

struct fsck_ctx {
	tfs_store *st;
	int bad;
};

static int print_damage(void *ctx, const char *path)
{
	tfs_inst *in = ctx;

	printf("%s/%s: %s is damaged: its stored bytes do not match their "
	       "SHA-256\n",
	       tfs_inst_tenant(in), tfs_inst_name(in), path);
	return 0;
}

static int check_instance(void *ctx, const tfs_row *row)
{
	struct fsck_ctx *c = ctx;
	tfs_inst *in = tfs_store_inst(c->st, row->id);
	int n = 0, lost, bad;

	if (!in) {
		printf("%s: cannot open: %s\n", row->name, tfs_error_last());
		c->bad++;
		return 0;
	}
	switch (tfs_inst_history_check(in, &lost)) {
	case 0:
		break;
	case 1:
		printf("%s/%s: history.git lacked part of the last commit; "
		       "repaired: a new commit holds the whole instance as "
		       "its database has it; %d commit%s of history lost\n",
		       tfs_inst_tenant(in), tfs_inst_name(in), lost,
		       lost == 1 ? "" : "s");
		c->bad++;
		break;
	default:
		printf("%s/%s: cannot check history: %s\n", tfs_inst_tenant(in),
		       tfs_inst_name(in), tfs_error_last());
		c->bad++;
	}
	tfs_inst_history_count(in, &n);
	bad = tfs_inst_verify(in, print_damage, in);
	if (bad < 0) {
		printf("%s/%s: cannot check objects: %s\n", tfs_inst_tenant(in),
		       tfs_inst_name(in), tfs_error_last());
		c->bad++;
	} else if (bad > 0) {
		printf("%s/%s: %d commits, %d damaged objects\n",
		       tfs_inst_tenant(in), tfs_inst_name(in), n, bad);
		c->bad++;
	} else {
		printf("%s/%s: %d commits, ok\n", tfs_inst_tenant(in),
		       tfs_inst_name(in), n);
	}
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
	struct fsck_ctx c = { 0 };

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

/* A decimal count: 0 and *out, or -1 with a message. */
static int parse_count(uint64_t *out, const char *cmd, const char *opt,
		       const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = s ? strtoull(s, &end, 10) : 0;
	if (!s || !*s || *s == '-' || *end || errno) {
		fprintf(stderr, "tenantctl %s: %s needs a number, not '%s'\n",
			cmd, opt, s ? s : "");
		return -1;
	}
	*out = v;
	return 0;
}

static int cmd_generate(int argc, char **argv)
{
	tfs_generate_opts o = { 0, -1, -1, 1, 0, 0 };
	tfs_generate_stats stats;
	const char *store = NULL, *tenant = NULL;
	uint64_t v;
	int i, have_objects = 0;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i],
			   *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--tenant") == 0 && val) {
			tenant = val;
			i++;
		} else if (strcmp(a, "--objects") == 0 ||
			   strcmp(a, "--master") == 0 ||
			   strcmp(a, "--data") == 0 ||
			   strcmp(a, "--seed") == 0 ||
			   strcmp(a, "--jobs") == 0) {
			if (parse_count(&v, "generate", a, val) < 0)
				return 2;
			i++;
			if (strcmp(a, "--objects") == 0) {
				o.objects = v;
				have_objects = 1;
			} else if (strcmp(a, "--master") == 0) {
				o.master = (int64_t)v;
			} else if (strcmp(a, "--data") == 0) {
				o.data = (int64_t)v;
			} else if (strcmp(a, "--seed") == 0) {
				o.seed = v;
			} else if (v == 1 || v == 2) {
				o.jobs = (int)v;
			} else {
				fprintf(stderr, "tenantctl generate: --jobs is "
						"1 or 2\n");
				return 2;
			}
		} else if (a[0] == '-') {
			fprintf(stderr,
				"tenantctl generate: unknown or "
				"incomplete option %s\n",
				a);
			return 2;
		} else if (!store) {
			store = a;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!store || !tenant || !have_objects) {
		fprintf(stderr, "tenantctl generate: STORE, --tenant and "
				"--objects are required\n");
		usage(stderr);
		return 2;
	}
	if (tfs_generate_tenant(&stats, store, tenant, &o) < 0) {
		fprintf(stderr, "tenantctl generate: %s\n", tfs_error_last());
		return 1;
	}
	printf("generated tenant %s in %s: staging and production, "
	       "%" PRIu64 " objects each (%" PRIu64 " configuration, "
	       "%" PRIu64 " master, %" PRIu64 " data records); production "
	       "differs in %" PRIu64 "\n",
	       tenant, store, o.objects, stats.config, stats.master, stats.data,
	       stats.differing);
	printf("staging: load %.2f s, first commit %.2f s\n",
	       stats.load_seconds[0], stats.commit_seconds[0]);
	printf("production: load %.2f s, first commit %.2f s\n",
	       stats.load_seconds[1], stats.commit_seconds[1]);
	printf("total: %.2f s\n", stats.total_seconds);
	return 0;
}

static int cmd_generate_package(int argc, char **argv)
{
	const char *file = NULL, *bo = "Employee", *name = NULL;
	uint64_t records = 0, seed = 1;
	int i, have_records = 0;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i],
			   *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--records") == 0) {
			if (parse_count(&records, "generate-package", a, val) <
			    0)
				return 2;
			have_records = 1;
			i++;
		} else if (strcmp(a, "--seed") == 0) {
			if (parse_count(&seed, "generate-package", a, val) < 0)
				return 2;
			i++;
		} else if (strcmp(a, "--bo") == 0 && val) {
			bo = val;
			i++;
		} else if (strcmp(a, "--name") == 0 && val) {
			name = val;
			i++;
		} else if (a[0] == '-') {
			fprintf(stderr,
				"tenantctl generate-package: unknown "
				"or incomplete option %s\n",
				a);
			return 2;
		} else if (!file) {
			file = a;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!file || !have_records) {
		fprintf(stderr, "tenantctl generate-package: FILE and "
				"--records are required\n");
		usage(stderr);
		return 2;
	}
	if (tfs_generate_package(file, bo, records, seed, name) < 0) {
		fprintf(stderr, "tenantctl generate-package: %s\n",
			tfs_error_last());
		return 1;
	}
	printf("wrote %s: %" PRIu64 " new master/%s records\n", file, records,
	       bo);
	return 0;
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
	if (strcmp(argv[1], "generate") == 0)
		return cmd_generate(argc - 2, argv + 2);
	if (strcmp(argv[1], "generate-package") == 0)
		return cmd_generate_package(argc - 2, argv + 2);
	fprintf(stderr, "tenantctl: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
