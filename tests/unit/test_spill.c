/*
 * Unit tests of the spill log (engine/spill.c): records of every size come
 * back whole and in order, across the move from memory to the temporary
 * file and across the reader's refills, and the file leaves nothing
 * behind in its directory.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../engine/spill.h"
#include "helper.h"
#include "tap.h"
#include "tenantfs/error.h"

/* Record i: its length (every few a very long one, some empty) and the
 * bytes, all derived from i. */
static size_t rec_len(size_t i)
{
	if (i % 5003 == 7)
		return SPILL_REC_MAX;
	if (i % 1009 == 3)
		return 0;
	return (i * 7919) % 301;
}

static void rec_fill(unsigned char *p, size_t i, size_t len)
{
	size_t k;

	for (k = 0; k < len; k++)
		p[k] = (unsigned char)(i * 31 + k * 7);
}

/* Whether the log reads back records 0..n exactly. */
static int read_back(const struct spill *sp, size_t n)
{
	static unsigned char want[SPILL_REC_MAX];
	struct spill_reader r;
	const void *rec;
	size_t i = 0, len;
	int more, ok = 1;

	spill_read_begin(&r, sp);
	while (ok && (more = spill_read(&r, &rec, &len)) > 0) {
		rec_fill(want, i, rec_len(i));
		ok = i < n && len == rec_len(i) && memcmp(rec, want, len) == 0;
		i++;
	}
	spill_read_end(&r);
	return ok && more == 0 && i == n;
}

static size_t entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	if (d)
		closedir(d);
	return n;
}

int main(void)
{
	static unsigned char buf[SPILL_REC_MAX + 1];
	char dir[TH_PATH];
	struct spill sp, zero = { 0 };
	struct spill_reader r;
	const void *rec;
	size_t i, len, n = 120000;
	int error = 0;

	if (th_tmpdir(dir, "spill") < 0)
		return 1;
	spill_read_begin(&r, &zero);
	CHECK(spill_read(&r, &rec, &len) == 0, "a zeroed log is empty");
	spill_read_end(&r);
	spill_free(&zero);

	spill_init(&sp, dir);
	for (i = 0; i < 10 && !error; i++) {
		rec_fill(buf, i, rec_len(i));
		error = spill_append(&sp, buf, rec_len(i));
	}
	CHECK(!error && !sp.has_fd && read_back(&sp, 10),
	      "10 records read back from memory");

	for (; i < n && !error; i++) {
		rec_fill(buf, i, rec_len(i));
		error = spill_append(&sp, buf, rec_len(i));
	}
	CHECK(!error && sp.has_fd && sp.filed > 0 && sp.count == n,
	      "%zu records (%lld bytes in the file)", n, (long long)sp.filed);
	CHECK(read_back(&sp, n), "every record read back whole and in order, "
				 "the file's then memory's");
	CHECK(read_back(&sp, n), "and again by a second reader");
	CHECK(entries(dir) == 0, "the temporary file has no name in %s", dir);
	CHECK(spill_append(&sp, buf, SPILL_REC_MAX + 1) == TFS_EINVALID &&
		      sp.count == n,
	      "a record over %d bytes is refused", SPILL_REC_MAX);
	spill_free(&sp);
	CHECK(!sp.has_fd && sp.count == 0 && read_back(&sp, 0), "freed: empty");

	th_rmtree(dir, false);
	printf("%d tests, %d failed\n", count, failures);
	return failures ? 1 : 0;
}
