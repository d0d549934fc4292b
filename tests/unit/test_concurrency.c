/*
 * Unit tests of the engine's concurrency (INTERFACE.md "Concurrency",
 * CONVENTIONS.md "Concurrency"), without a mount: on a demo store, one
 * thread writes into instance A (acme/staging: single saves alternating
 * with packages of PKG_N records, each one commit), one thread saves into
 * instance B (acme/uat; master records are allowed under its metadata
 * lock), while reader threads list and read both instances' master
 * records and the console's tables.  Each reader round ends with
 * tfs_store_reads_done(), as every request of the tree does.
 *
 * What a reader must see: only committed states (in A the number of
 * Employee records is the base plus whole cycles of 1 + PKG_N, or one
 * save more; never a part of a package), never going back from one round
 * to the next, every listed object readable with its own name; the
 * console's users, tenants and instances unchanged.
 *
 * Then a second phase: copy-to-replace from production into staging,
 * REPLACES times (each swaps staging's database file, engine/inst_file.c),
 * while readers read staging: each round sees staging before (its own
 * Employee records) or after (production's), never back, never a part.
 * Mainly run by the
 * TSan build (tools/test.sh, build-tsan), which fails on any data race.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper.h"
#include "tap.h"
#include "tenantfs/error.h"
#include "tenantfs/instance.h"
#include "tenantfs/package.h"
#include "tenantfs/push.h"
#include "tenantfs/store.h"
#include <dirent.h>

#define USER      "admin"
#define CYCLES    12 /* writer A: CYCLES x (one save + one package) */
#define PKG_N     10 /* records per package */
#define SAVES_B   30 /* writer B: single saves */
#define READERS_A 1
#define READERS_B 2
#define REPLACES  4 /* phase 2: copy-to-replace production -> staging */

static char tmpdir[TH_PATH];
static tfs_store *st;
static atomic_int writers_left;

/* A thread's outcome: its first failure (empty if none) and counts. */
struct outcome {
	char fail[512];
	long rounds;
	long reads;
};

static void failf(struct outcome *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Record the thread's first failure, with its thread-local last error. */
static void failf(struct outcome *o, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (o->fail[0])
		return;
	va_start(ap, fmt);
	vsnprintf(o->fail, sizeof(o->fail), fmt, ap);
	va_end(ap);
	n = strlen(o->fail);
	snprintf(o->fail + n, sizeof(o->fail) - n, " (last error: %s)",
		 tfs_error_last());
}

/* ---- writers ------------------------------------------------------------- */

struct writer {
	tfs_inst *in;
	const char *stem;
	struct outcome o;
};

static int save_record(tfs_inst *in, const char *name)
{
	char doc[512];

	snprintf(doc, sizeof(doc),
		 "<Record name=\"%s\" businessObject=\""
		 "Employee\">\n  <Value field=\"LoginID\">%s</Value>\n"
		 "</Record>\n",
		 name, name);
	return tfs_inst_save(NULL, in, USER, TFS_KIND_MASTER, "Employee", name,
			     doc, strlen(doc));
}

/* Write a package of PKG_N new records stem<cycle>_<j> to `path`. */
static int write_pkg(const char *path, const char *stem, int cycle)
{
	FILE *f = fopen(path, "w");
	int j;

	if (!f)
		return -1;
	fprintf(f,
		"<package format=\"1\" name=\"conc %s %d\" type=\""
		"incremental\" state=\"closed\">\n  <transaction-set id=\"1\" "
		"project=\"default\" user=\"admin\">\n",
		stem, cycle);
	for (j = 0; j < PKG_N; j++)
		fprintf(f,
			"    <transaction seq=\"%d\" op=\"C\" path=\"master/"
			"Employee/%s%d_%d.xml\" base=\"\">\n      <Record name="
			"\"%s%d_%d\" guid=\"0d000000-0000-4000-8000-%06d%06d\" "
			"businessObject=\"Employee\">\n        <Value field=\""
			"LoginID\">%s%d_%d</Value>\n      </Record>\n    "
			"</transaction>\n",
			j + 1, stem, cycle, j, stem, cycle, j, cycle, j, stem,
			cycle, j);
	fprintf(f, "  </transaction-set>\n</package>\n");
	return fclose(f) == 0 ? 0 : -1;
}

/* Writer A: CYCLES times a single save, then a package of PKG_N. */
static void *writer_a(void *arg)
{
	struct writer *w = arg;
	tfs_buf res = TFS_BUF_INIT;
	char name[64], path[512];
	int i, rc;

	for (i = 0; i < CYCLES && !w->o.fail[0]; i++) {
		snprintf(name, sizeof(name), "%s%d", w->stem, i);
		if (save_record(w->in, name) < 0) {
			failf(&w->o, "save %s%d into A", w->stem, i);
			break;
		}
		snprintf(path, sizeof(path), "%s/pkg-%d.xml", tmpdir, i);
		if (write_pkg(path, "pa", i) < 0) {
			failf(&w->o, "write %s (cycle %d)", path, i);
			break;
		}
		tfs_buf_clear(&res);
		rc = tfs_pkg_import(&res, NULL, w->in, USER, path,
				    TFS_PKG_APPLY, NULL, NULL);
		if (rc < 0 || !res.ptr || strncmp(res.ptr, "applied\n", 8)) {
			failf(&w->o,
			      "package of cycle %d into A: rc %d, "
			      "result: %.200s",
			      i, rc, res.ptr ? res.ptr : "");
			break;
		}
		w->o.rounds++;
	}
	tfs_buf_free(&res);
	atomic_fetch_sub(&writers_left, 1);
	return NULL;
}

/* Writer B: SAVES_B single saves. */
static void *writer_b(void *arg)
{
	struct writer *w = arg;
	char name[64];
	int i;

	for (i = 0; i < SAVES_B; i++) {
		snprintf(name, sizeof(name), "%s%d", w->stem, i);
		if (save_record(w->in, name) < 0) {
			failf(&w->o, "save %s%d into B", w->stem, i);
			break;
		}
		w->o.rounds++;
	}
	atomic_fetch_sub(&writers_left, 1);
	return NULL;
}

/* ---- readers ------------------------------------------------------------- */

struct names {
	int64_t id[4096];
	char name[4096][64];
	int n;
	int over;
};

static int collect(void *ctx, const tfs_row *row)
{
	struct names *ns = ctx;

	if (ns->n == 4096) {
		ns->over = 1;
		return 0;
	}
	ns->id[ns->n] = row->id;
	snprintf(ns->name[ns->n], sizeof(ns->name[0]), "%.63s", row->name);
	ns->n++;
	return 0;
}

static int count_row(void *ctx, const tfs_row *row)
{
	(void)row;
	(*(int *)ctx)++;
	return 0;
}

struct reader {
	tfs_inst *in;
	int64_t dir;        /* master/Employee */
	int base;           /* Employee records before the writers */
	int is_a;           /* the counts A's writer makes, else B's */
	int users, tenants; /* the console's, before */
	int alt;            /* phase 2: the count after a replace, or 0 */
	struct names ns;
	struct outcome o;
};

/* Whether `n` records is a committed state of the instance. */
static int committed(const struct reader *r, int n)
{
	int d = n - r->base;

	if (r->alt)
		return n == r->base || n == r->alt;
	if (d < 0)
		return 0;
	if (!r->is_a)
		return d <= SAVES_B;
	return d <= CYCLES * (1 + PKG_N) &&
	       (d % (1 + PKG_N) == 0 || d % (1 + PKG_N) == 1);
}

/* One round: list master/Employee, read every object listed, list the
 * console's users and tenants.  Returns the record count, -1 on failure. */
static int read_round(struct reader *r)
{
	tfs_buf b = TFS_BUF_INIT;
	char want[96];
	int i, users = 0, tenants = 0, n;

	r->ns.n = 0;
	r->ns.over = 0;
	if (tfs_inst_obj_list(r->in, r->dir, collect, &r->ns) < 0) {
		failf(&r->o, "list master/Employee (round %ld)", r->o.rounds);
		return -1;
	}
	n = r->ns.n;
	for (i = 0; i < n; i++) {
		tfs_buf_clear(&b);
		if (tfs_inst_obj_read(&b, r->in, r->ns.id[i]) < 0) {
			failf(&r->o, "read listed %s (round %ld, id %lld)",
			      r->ns.name[i], r->o.rounds,
			      (long long)r->ns.id[i]);
			break;
		}
		snprintf(want, sizeof(want), "<Record name=\"%s\"",
			 r->ns.name[i]);
		if (!b.ptr || strncmp(b.ptr, want, strlen(want))) {
			failf(&r->o,
			      "listed %s reads other bytes (round %ld, "
			      "size %ld)",
			      r->ns.name[i], r->o.rounds, (long)b.size);
			break;
		}
		r->o.reads++;
	}
	tfs_buf_free(&b);
	if (tfs_store_list(st, TFS_ENT_USER, 0, count_row, &users) < 0 ||
	    tfs_store_list(st, TFS_ENT_TENANT, 0, count_row, &tenants) < 0)
		failf(&r->o, "console lists (round %ld)", r->o.rounds);
	else if (users != r->users || tenants != r->tenants)
		failf(&r->o, "console lists %d users, %d tenants", users,
		      tenants);
	return r->o.fail[0] ? -1 : n;
}

static void *reader(void *arg)
{
	struct reader *r = arg;
	int n, last = -1, going = 1;

	while (going && !r->o.fail[0]) {
		/* one last round after the writers are done */
		going = atomic_load(&writers_left) > 0;
		n = read_round(r);
		tfs_store_reads_done(st);
		if (n < 0)
			break;
		if (r->ns.over) {
			failf(&r->o, "more than 4096 records");
			break;
		}
		if (!committed(r, n)) {
			failf(&r->o,
			      "%s lists %d Employee records: not a "
			      "committed state (round %ld)",
			      r->is_a ? "A" : "B", n, r->o.rounds);
			break;
		}
		if (r->alt ? last == r->alt && n != r->alt : n < last) {
			failf(&r->o, "%s went back from %d to %d records",
			      r->is_a ? "A" : "B", last, n);
			break;
		}
		last = n;
		r->o.rounds++;
	}
	return NULL;
}

static int count_records(tfs_inst *in, int64_t dir)
{
	int n = 0;

	if (tfs_inst_obj_list(in, dir, count_row, &n) < 0)
		return -1;
	return n;
}

/* ---- phase 2: the file replaced under readers ------------------------- */

struct replacer {
	tfs_inst *in;
	struct outcome o;
};

static void *replacer(void *arg)
{
	static const char req[] = "source = production\n"
				  "operation = copy-to-replace\n"
				  "keep_users_enabled = true\n";
	struct replacer *w = arg;
	tfs_buf res = TFS_BUF_INIT;
	tfs_push_outcome oc;
	int i;

	for (i = 0; i < REPLACES && !w->o.fail[0]; i++) {
		tfs_buf_clear(&res);
		if (tfs_push(&res, NULL, &oc, w->in, USER, req, sizeof(req) - 1,
			     false, NULL, NULL) < 0 ||
		    !res.ptr || strncmp(res.ptr, "pushed\n", 7) != 0)
			failf(&w->o, "push %d: %.200s", i,
			      res.ptr ? res.ptr : "");
		tfs_store_reads_done(st);
		w->o.rounds++;
	}
	tfs_buf_free(&res);
	atomic_fetch_sub(&writers_left, 1);
	return NULL;
}

/* Database files of staging beside its path: "staging.db.<digits>". */
static int generations(const char *store)
{
	char dir[300];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/instances/acme", store);
	if (!(d = opendir(dir)))
		return -1;
	while ((e = readdir(d)))
		if (strncmp(e->d_name, "staging.db.", 11) == 0 &&
		    strspn(e->d_name + 11, "0123456789") ==
			    strlen(e->d_name + 11))
			n++;
	closedir(d);
	return n;
}

static void phase2(tfs_inst *a, tfs_inst *prod, int64_t dir_a,
		   const char *store)
{
	static struct reader rd[READERS_A + 1];
	struct replacer w = { a, { { 0 }, 0, 0 } };
	pthread_t tw, tr[READERS_A + 1];
	int64_t dir_p = 0;
	int i, before, after, n;

	before = count_records(a, dir_a);
	tfs_inst_dir_find(&dir_p, prod, TFS_KIND_MASTER, "Employee");
	after = count_records(prod, dir_p);
	tfs_store_reads_done(st);
	CHECK(before > 0 && after > 0 && before != after,
	      "phase 2: staging "
	      "%d Employee records, production %d",
	      before, after);
	memset(rd, 0, sizeof(rd));
	for (i = 0; i < READERS_A + 1; i++) {
		rd[i].is_a = 1;
		rd[i].in = a;
		rd[i].dir = dir_a;
		rd[i].base = before;
		rd[i].alt = after;
		tfs_store_list(st, TFS_ENT_USER, 0, count_row, &rd[i].users);
		tfs_store_list(st, TFS_ENT_TENANT, 0, count_row,
			       &rd[i].tenants);
	}
	tfs_store_reads_done(st);
	atomic_store(&writers_left, 1);
	for (i = 0; i < READERS_A + 1; i++)
		pthread_create(&tr[i], NULL, reader, &rd[i]);
	pthread_create(&tw, NULL, replacer, &w);
	pthread_join(tw, NULL);
	for (i = 0; i < READERS_A + 1; i++)
		pthread_join(tr[i], NULL);
	CHECK(!w.o.fail[0],
	      "phase 2: %ld copy-to-replace pushes into staging"
	      "%s%s",
	      w.o.rounds, w.o.fail[0] ? ": " : "", w.o.fail);
	for (i = 0; i < READERS_A + 1; i++)
		CHECK(!rd[i].o.fail[0],
		      "phase 2: reader %d: %ld rounds, %ld "
		      "objects read, staging before or after%s%s",
		      i, rd[i].o.rounds, rd[i].o.reads,
		      rd[i].o.fail[0] ? ": " : "", rd[i].o.fail);
	n = count_records(a, dir_a);
	tfs_store_reads_done(st);
	CHECK(n == after,
	      "phase 2: staging ends with production's %d "
	      "Employee records (%d)",
	      after, n);
	CHECK(generations(store) == 1,
	      "phase 2: one database file of "
	      "staging's beside its link (%d)",
	      generations(store));
}

/* ---- main -------------------------------------------------------------- */

int main(void)
{
	struct writer wa = { 0 }, wb = { 0 };
	static struct reader rd[READERS_A + READERS_B];
	pthread_t tw[2], tr[READERS_A + READERS_B];
	char store[TH_PATH];
	int64_t dir_a = 0, dir_b = 0;
	tfs_inst *a, *b;
	tfs_row tenant;
	int i, base_a, base_b, hist_a0 = 0, hist_b0 = 0, hist_a1 = 0;
	int hist_b1 = 0, users = 0, tenants = 0, n;

	if (th_tmpdir(tmpdir, "concurrency") < 0)
		return 1;
	CHECK(th_demo_store(store, tmpdir, "store") == 0, "demo store created");
	if (th_store_open(&st, store) < 0) {
		CHECK(0, "store opens");
		return 1;
	}
	CHECK(tfs_store_find(&tenant, st, TFS_ENT_TENANT, 0, "acme") == 0,
	      "tenant acme");
	a = th_inst(st, "acme", "staging");
	b = th_inst(st, "acme", "uat");
	CHECK(a && b, "instances staging (A) and uat (B)");
	if (!a || !b)
		return 1;
	CHECK(tfs_inst_dir_find(&dir_a, a, TFS_KIND_MASTER, "Employee") == 0 &&
		      tfs_inst_dir_find(&dir_b, b, TFS_KIND_MASTER,
					"Employee") == 0,
	      "master/Employee in both");
	base_a = count_records(a, dir_a);
	base_b = count_records(b, dir_b);
	tfs_inst_history_count(a, &hist_a0);
	tfs_inst_history_count(b, &hist_b0);
	tfs_store_list(st, TFS_ENT_USER, 0, count_row, &users);
	tfs_store_list(st, TFS_ENT_TENANT, 0, count_row, &tenants);
	tfs_store_reads_done(st);
	CHECK(base_a > 0 && base_b > 0 && users > 0 && tenants > 0,
	      "before: A %d, B %d Employee records, %d users, %d tenants",
	      base_a, base_b, users, tenants);

	wa.in = a;
	wa.stem = "ca";
	wb.in = b;
	wb.stem = "cb";
	memset(rd, 0, sizeof(rd));
	for (i = 0; i < READERS_A + READERS_B; i++) {
		rd[i].is_a = i < READERS_A;
		rd[i].in = rd[i].is_a ? a : b;
		rd[i].dir = rd[i].is_a ? dir_a : dir_b;
		rd[i].base = rd[i].is_a ? base_a : base_b;
		rd[i].users = users;
		rd[i].tenants = tenants;
	}
	atomic_store(&writers_left, 2);
	for (i = 0; i < READERS_A + READERS_B; i++)
		pthread_create(&tr[i], NULL, reader, &rd[i]);
	pthread_create(&tw[0], NULL, writer_a, &wa);
	pthread_create(&tw[1], NULL, writer_b, &wb);
	for (i = 0; i < 2; i++)
		pthread_join(tw[i], NULL);
	for (i = 0; i < READERS_A + READERS_B; i++)
		pthread_join(tr[i], NULL);

	CHECK(!wa.o.fail[0],
	      "writer A: %d saves and %d packages of %d "
	      "records into staging%s%s",
	      CYCLES, CYCLES, PKG_N, wa.o.fail[0] ? ": " : "", wa.o.fail);
	CHECK(!wb.o.fail[0], "writer B: %d saves into uat%s%s", SAVES_B,
	      wb.o.fail[0] ? ": " : "", wb.o.fail);
	for (i = 0; i < READERS_A + READERS_B; i++)
		CHECK(!rd[i].o.fail[0],
		      "reader %d of %s: %ld rounds, %ld "
		      "objects read, only committed states, never back%s%s",
		      i, rd[i].is_a ? "A" : "B", rd[i].o.rounds, rd[i].o.reads,
		      rd[i].o.fail[0] ? ": " : "", rd[i].o.fail);

	n = count_records(a, dir_a);
	CHECK(n == base_a + CYCLES * (1 + PKG_N),
	      "A ends with %d records "
	      "(expected %d)",
	      n, base_a + CYCLES * (1 + PKG_N));
	n = count_records(b, dir_b);
	CHECK(n == base_b + SAVES_B, "B ends with %d records (expected %d)", n,
	      base_b + SAVES_B);
	tfs_inst_history_count(a, &hist_a1);
	tfs_inst_history_count(b, &hist_b1);
	tfs_store_reads_done(st);
	CHECK(hist_a1 == hist_a0 + 2 * CYCLES, "A: %d commits (expected %d)",
	      hist_a1 - hist_a0, 2 * CYCLES);
	CHECK(hist_b1 == hist_b0 + SAVES_B, "B: %d commits (expected %d)",
	      hist_b1 - hist_b0, SAVES_B);

	phase2(a, th_inst(st, "acme", "production"), dir_a, store);

	tfs_store_free(st);
	CHECK(th_git_fsck(store), "git fsck clean");
	th_rmtree(tmpdir, failures);
	printf("%d tests, %d failed\n", count, failures);
	return failures ? 1 : 0;
}
