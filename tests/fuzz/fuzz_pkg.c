/*
 * libFuzzer harness for the package reader: what reads a package file
 * dropped into apply/ (engine/import.c), before anything touches an
 * instance.  Pass 1, pkg_survey() (engine/import_survey.c), checks the
 * file's shape with a SAX push parser; only a file it accepts goes on, as
 * in an import, to pass 2, the reader thread of engine/import_reader.c,
 * which parses each transaction's object through the document gate.
 *
 * Both passes take a path (they stream the file), so each input is written
 * to a memory file (made once) and read as /proc/self/fd/N.  The input
 * is the package's bytes as they are; tests/fuzz/corpus/pkg/ holds small
 * real packages.
 *
 * Checked besides the sanitizers: pass 1's promise (import_survey.c), a
 * package it accepts pass 2 reads to the end, and finds the transactions
 * pass 1 counted.
 *
 * A package pass 1 accepts is then previewed against acme/staging of a
 * demo store (demo_store.h) with tfs_pkg_import(), as the preview/ drop
 * directory does: every transaction checked against the instance, its
 * references and conflicts, and the unified diff made; a preview
 * changes no object, so every input meets the same instance.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "demo_store.h"
#include "reader.h"
#include "survey.h"
#include "tenantfs/error.h"
#include "tenantfs/package.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fd = -1;
static char path[64];
static tfs_inst *staging;

/* acme/staging of the demo store. */
static tfs_inst *demo_staging(void)
{
	tfs_user admin;
	tfs_store *st = fuzz_demo_store(&admin);
	tfs_row tenant, inst;

	if (tfs_store_find(&tenant, st, TFS_ENT_TENANT, 0, "acme") < 0 ||
	    tfs_store_find(&inst, st, TFS_ENT_INSTANCE, tenant.id, "staging") <
		    0) {
		fprintf(stderr, "fuzz_pkg: no acme/staging: %s\n",
			tfs_error_last());
		exit(1);
	}
	return tfs_store_inst(st, inst.id);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	xmlInitParser();
	fd = memfd_create("fuzz_pkg", MFD_CLOEXEC);
	if (fd < 0) {
		perror("memfd_create");
		exit(1);
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	staging = demo_staging();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkg_survey sv;
	struct pkg_reader *rd;
	struct pkg_tx *tx;
	tfs_buf result = TFS_BUF_INIT, diff = TFS_BUF_INIT;
	uint64_t n = 0;
	int error;

	if (ftruncate(fd, 0) < 0 ||
	    pwrite(fd, data, size, 0) != (ssize_t)size) {
		perror("writing the package");
		abort();
	}
	if (pkg_survey(&sv, path) < 0)
		return 0;
	if (pkg_reader_start(&rd, path) < 0)
		return 0;
	while ((tx = pkg_reader_take(rd))) {
		n++;
		pkg_reader_release(rd);
	}
	if ((error = pkg_reader_stop(rd, 0)) < 0) {
		fprintf(stderr, "pass 2 refuses what pass 1 accepted: %s\n",
			tfs_error_last());
		abort();
	}
	if (n != sv.total) {
		fprintf(stderr,
			"pass 1 counted %llu transactions, pass 2 "
			"read %llu\n",
			(unsigned long long)sv.total, (unsigned long long)n);
		abort();
	}
	tfs_pkg_import(&result, &diff, staging, "admin", path, TFS_PKG_PREVIEW,
		       NULL, NULL);
	tfs_buf_free(&result);
	tfs_buf_free(&diff);
	return 0;
}
