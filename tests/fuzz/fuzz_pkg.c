/*
 * libFuzzer harness for the package reader: what reads a package file
 * dropped into apply/ (engine/import.c), before anything touches an
 * instance.  Pass 1, pkg_survey() (engine/import_survey.c), checks the
 * file's shape with a SAX push parser; only a file it accepts goes on, as
 * in an import, to pass 2, the reader thread of engine/import_reader.c,
 * which parses each transaction's object through the document gate.
 *
 * Both passes take a path (they stream the file), so the input is written
 * to a memory file once per run and read as /proc/self/fd/N.  The input
 * is the package's bytes as they are; tests/fuzz/corpus/pkg/ holds small
 * real packages.
 *
 * Checked besides the sanitizers: pass 1's promise (import_survey.c), a
 * package it accepts pass 2 reads to the end, and finds the transactions
 * pass 1 counted.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "reader.h"
#include "survey.h"
#include "tenantfs/error.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	xmlInitParser();
	fd = memfd_create("fuzz_pkg", MFD_CLOEXEC);
	if (fd < 0) {
		perror("memfd_create");
		exit(1);
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkg_survey sv;
	struct pkg_reader *rd;
	struct pkg_tx *tx;
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
		fprintf(stderr, "pass 1 counted %llu transactions, pass 2 "
			"read %llu\n", (unsigned long long)sv.total,
			(unsigned long long)n);
		abort();
	}
	return 0;
}
