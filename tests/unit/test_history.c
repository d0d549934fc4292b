/*
 * Unit test of engine/history.c: commits, refs and reads in a bare git
 * repository in a temporary directory, checked through the engine and
 * through the real git (fsck --strict, log, show), as a user would.
 *
 * Prints "ok N - ..." / "not ok N - ..." and exits 1 on any failure.
 * With TFS_HISTORY_BENCH=1 it also times a 100,000-file first commit and
 * a one-file update on top (TFS_HISTORY_BENCH_FILES changes the count);
 * the figures are printed as "# bench" lines, never asserted.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>
#include <zlib.h>

#include "../../engine/history_int.h"
#include "helper.h"
#include "tap.h"
#include "tenantfs/error.h"
#include "tenantfs/history.h"

static char tmp_dir[TH_PATH];
static char git_dir[TH_PATH + 16];

static const tfs_history_sig admin = {
	"admin",
	"admin@tenantfs.local",
	1700000000,
};

static tfs_history_change file(const char *path, const char *text)
{
	tfs_history_change c = { path, text, strlen(text) };

	return c;
}

static tfs_history_change gone(const char *path)
{
	tfs_history_change c = { path, NULL, 0 };

	return c;
}

/* Run a shell command on the test repository; returns its exit status. */
static int run(const char *fmt, const char *arg)
{
	char cmd[1024];
	int rc;

	snprintf(cmd, sizeof(cmd), fmt, git_dir, arg);
	rc = system(cmd);
	return rc == -1 || !WIFEXITED(rc) ? -1 : WEXITSTATUS(rc);
}

/* The standard output of a git command on the repository, in `out`. */
static int capture(char *out, size_t size, const char *args)
{
	char cmd[1024];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), "git --git-dir='%s' %s", git_dir, args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	return pclose(p) == 0 ? 0 : -1;
}

static int is_hex_oid(const char *s)
{
	size_t i;

	for (i = 0; i < TFS_OID_HEXSZ; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return s[i] == '\0';
}

/* Whether `path` at commit `oid` reads exactly as `text`. */
static int reads_as(tfs_history *h, const char *oid, const char *path,
		    const char *text)
{
	tfs_buf b = TFS_BUF_INIT;
	int same;

	same = tfs_history_read(&b, h, oid, path) == 0 &&
	       b.size == strlen(text) && memcmp(b.ptr, text, b.size) == 0;
	tfs_buf_free(&b);
	return same;
}

static int stat_is(tfs_history *h, const char *oid, const char *path,
		   int want_dir, size_t want_size)
{
	int is_dir = -1;
	size_t size = 12345;

	if (tfs_history_stat(h, oid, path, &is_dir, &size) != 0)
		return 0;
	return is_dir == want_dir && (want_dir || size == want_size);
}

/* list callback: append "name/" or "name:size" and a space. */
static int collect_entry(void *ctx, const char *name, int is_dir, size_t size)
{
	tfs_buf *b = ctx;

	if (is_dir)
		return tfs_buf_printf(b, "%s/ ", name);
	return tfs_buf_printf(b, "%s:%zu ", name, size);
}

static int stop_at_second(void *ctx, const char *name, int is_dir, size_t size)
{
	int *seen = ctx;

	return ++*seen == 2 ? 42 : 0;
}

static int list_is(tfs_history *h, const char *oid, const char *path,
		   const char *want)
{
	tfs_buf b = TFS_BUF_INIT;
	int same;

	same = tfs_history_list(h, oid, path, collect_entry, &b) == 0 &&
	       strcmp(b.ptr ? b.ptr : "", want) == 0;
	if (!same)
		printf("# list '%s': got '%s', want '%s'\n", path,
		       b.ptr ? b.ptr : "", want);
	tfs_buf_free(&b);
	return same;
}

/* Every entry of `path` at `oid`, by index: listed, found by name and
 * read by index agree with what tfs_history_stat / _read say by path. */
struct by_index {
	tfs_history *h;
	const char *oid, *path;
	int ok, n;
};

static int check_index(void *ctx, const char *name, int is_dir, size_t size,
		       size_t index)
{
	struct by_index *x = ctx;
	char full[512], got[256];
	size_t i = 0, sz = 0;
	int d = -1;
	tfs_buf a = TFS_BUF_INIT, b = TFS_BUF_INIT;

	snprintf(full, sizeof(full), "%s%s%s", x->path, *x->path ? "/" : "",
		 name);
	x->n++;
	if (tfs_history_find(x->h, x->oid, x->path, name, &i, &d, &sz) != 0 ||
	    i != index || d != is_dir || sz != size ||
	    tfs_history_entry_at(x->h, x->oid, x->path, index, got, &d, &sz) !=
		    0 ||
	    strcmp(got, name) != 0 || d != is_dir || sz != size ||
	    (!is_dir &&
	     (tfs_history_read_at(&a, x->h, x->oid, x->path, index) != 0 ||
	      tfs_history_read(&b, x->h, x->oid, full) != 0 ||
	      a.size != b.size || memcmp(a.ptr, b.ptr, a.size) != 0))) {
		printf("# entry %zu '%s' of '%s' disagrees\n", index, name,
		       x->path);
		x->ok = 0;
	}
	tfs_buf_free(&a);
	tfs_buf_free(&b);
	return 0;
}

static int index_agrees(tfs_history *h, const char *oid, const char *path,
			int want_n)
{
	struct by_index x = { h, oid, path, 1, 0 };

	return tfs_history_list_at(h, oid, path, check_index, NULL, &x) == 0 &&
	       x.ok && x.n == want_n;
}

/* diff callback: "A path after", "D path before", "M path before>after". */
static int collect_diff(void *ctx, const char *path, const char *before,
			size_t before_len, const char *after, size_t after_len)
{
	tfs_buf *b = ctx;

	if (!before)
		return tfs_buf_printf(b, "A %s %.*s\n", path, (int)after_len,
				      after);
	if (!after)
		return tfs_buf_printf(b, "D %s %.*s\n", path, (int)before_len,
				      before);
	return tfs_buf_printf(b, "M %s %.*s>%.*s\n", path, (int)before_len,
			      before, (int)after_len, after);
}

static int diff_is(tfs_history *h, const char *oid, const char *want)
{
	tfs_buf b = TFS_BUF_INIT;
	int same;

	same = tfs_history_diff_parent(h, oid, collect_diff, &b) == 0 &&
	       strcmp(b.ptr ? b.ptr : "", want) == 0;
	if (!same)
		printf("# diff: got:\n%s# want:\n%s", b.ptr ? b.ptr : "", want);
	tfs_buf_free(&b);
	return same;
}

static int commit(char out[TFS_OID_HEXSZ + 1], tfs_history *h,
		  const char *parent, const tfs_history_change *c, size_t n,
		  const char *msg)
{
	return tfs_history_write_commit(out, h, parent, c, n, &admin, msg);
}

/* A list callback that calls back into the same handle. */
struct reenter {
	tfs_history *h;
	const char *oid;
	int ok;
};

static int reenter_entry(void *ctx, const char *name, int is_dir, size_t size)
{
	struct reenter *r = ctx;
	char path[256];
	int d;
	size_t s;

	snprintf(path, sizeof(path), "metadata/Form/%s", name);
	if (tfs_history_stat(r->h, r->oid, path, &d, &s) != 0 || d != is_dir ||
	    s != size)
		r->ok = 0;
	return 0;
}

struct worker {
	tfs_history *h;
	const char *oid;
	int ok;
};

static void *read_many(void *arg)
{
	struct worker *w = arg;
	int i;

	for (i = 0; i < 200; i++) {
		if (!reads_as(w->h, w->oid, "metadata/Form/A.xml", "<A v2/>"))
			w->ok = 0;
	}
	return NULL;
}

static void *commit_many(void *arg)
{
	struct worker *w = arg;
	char path[64], out[TFS_OID_HEXSZ + 1];
	tfs_history_change c;
	int i;

	for (i = 0; i < 20; i++) {
		snprintf(path, sizeof(path), "threads/%d.xml", i);
		c = file(path, "<T/>");
		if (commit(out, w->h, w->oid, &c, 1, "thread") != 0)
			w->ok = 0;
	}
	return NULL;
}

static void test_basics(tfs_history *h)
{
	char c1[TFS_OID_HEXSZ + 1], c2[TFS_OID_HEXSZ + 1];
	char c3[TFS_OID_HEXSZ + 1], c4[TFS_OID_HEXSZ + 1];
	char c5[TFS_OID_HEXSZ + 1], c6[TFS_OID_HEXSZ + 1];
	char ref[TFS_OID_HEXSZ + 1], out[4096], x[TFS_OID_HEXSZ + 1];
	tfs_buf b = TFS_BUF_INIT;
	int seen = 0, is_dir;
	size_t size;
	struct reenter r;
	const tfs_history_change first[] = {
		file("metadata/Menu/M.xml", "<M/>"),
		file("metadata/Form/B.xml", "<B/>"),
		file("README", "tenant acme"),
		file("metadata/Form/A.xml", "<A v1/>"),
		file("master/Customer/1.xml", "<C id=\"1\"/>"),
		gone("metadata/Gone/X.xml"),
	};
	const tfs_history_change second[] = {
		file("metadata/Form/A.xml", "<A v2/>"),
		file("metadata/Report/R.xml", "<R/>"),
		gone("metadata/Menu/M.xml"),
		gone("master/Customer/404.xml"),
		gone("nodir/x.xml"),
		gone("README/below-a-file.xml"),
	};
	const tfs_history_change no_master[] = {
		gone("master/Customer/1.xml"),
	};
	const tfs_history_change file_to_dir[] = {
		gone("README"),
		file("README/en.txt", "hello"),
	};
	const tfs_history_change dir_to_file[] = {
		gone("README/en.txt"),
		file("README", "back"),
	};

	CHECK(tfs_history_get_ref(ref, h, "acme/staging") == TFS_ENOTFOUND,
	      "get_ref of a missing branch is TFS_ENOTFOUND");

	/* First commit, unsorted, with a deletion of nothing. */
	CHECK(commit(c1, h, NULL, first, 6, "Import acme/staging\n") == 0 &&
		      is_hex_oid(c1),
	      "first commit");
	CHECK(tfs_history_get_ref(ref, h, "acme/staging") == TFS_ENOTFOUND,
	      "write_commit moves no ref");
	CHECK(tfs_history_has_commit(h, c1) == 1, "has_commit of it is 1");
	CHECK(tfs_history_has_commit(
		      h, "0123456789012345678901234567890123456789") == 0,
	      "has_commit of an unknown id is 0");
	CHECK(tfs_history_has_commit(h, "xyz") == TFS_EINVALID,
	      "has_commit of a malformed id is TFS_EINVALID");
	CHECK(tfs_history_set_ref(h, "acme/staging", c1) == 0 &&
		      tfs_history_get_ref(ref, h, "acme/staging") == 0 &&
		      strcmp(ref, c1) == 0,
	      "set_ref then get_ref");

	/* Incremental: update, add, delete, deletions of missing paths. */
	CHECK(commit(c2, h, c1, second, 6, "Edit forms\n") == 0,
	      "incremental commit");
	CHECK(tfs_history_get_ref(ref, h, "acme/staging") == 0 &&
		      strcmp(ref, c1) == 0,
	      "the branch stays until set_ref");
	CHECK(tfs_history_set_ref(h, "acme/staging", c2) == 0 &&
		      tfs_history_get_ref(ref, h, "acme/staging") == 0 &&
		      strcmp(ref, c2) == 0,
	      "set_ref moves the branch forward");

	/* Reads at both commits. */
	CHECK(reads_as(h, c1, "metadata/Form/A.xml", "<A v1/>") &&
		      reads_as(h, c2, "metadata/Form/A.xml", "<A v2/>"),
	      "read of an updated file at both commits");
	CHECK(reads_as(h, c1, "metadata/Form/B.xml", "<B/>") &&
		      reads_as(h, c2, "metadata/Form/B.xml", "<B/>"),
	      "read of an unchanged file at both commits");
	CHECK(reads_as(h, c2, "metadata/Report/R.xml", "<R/>") &&
		      tfs_history_read(&b, h, c1, "metadata/Report/R.xml") ==
			      TFS_ENOTFOUND,
	      "an added file exists only in the new commit");
	CHECK(stat_is(h, c1, "metadata/Menu/M.xml", 0, 4) &&
		      tfs_history_stat(h, c2, "metadata/Menu/M.xml", &is_dir,
				       &size) == TFS_ENOTFOUND,
	      "a deleted file exists only in the old commit");
	CHECK(stat_is(h, c1, "metadata/Menu", 1, 0) &&
		      tfs_history_stat(h, c2, "metadata/Menu", &is_dir,
				       &size) == TFS_ENOTFOUND,
	      "a directory emptied by a delete is pruned");
	CHECK(stat_is(h, c2, "", 1, 0) && stat_is(h, c2, "metadata", 1, 0) &&
		      stat_is(h, c2, "metadata/Form/A.xml", 0, 7) &&
		      stat_is(h, c2, "README", 0, 11),
	      "stat of the root, a directory and files");
	CHECK(tfs_history_stat(h, c2, "metadata/Nope", &is_dir, &size) ==
			      TFS_ENOTFOUND &&
		      tfs_history_stat(h, c2, "README/x", &is_dir, &size) ==
			      TFS_ENOTFOUND,
	      "stat of missing paths is TFS_ENOTFOUND");
	CHECK(list_is(h, c1, "", "README:11 master/ metadata/ ") &&
		      list_is(h, c1, "metadata", "Form/ Menu/ ") &&
		      list_is(h, c2, "metadata", "Form/ Report/ ") &&
		      list_is(h, c2, "metadata/Form", "A.xml:7 B.xml:4 "),
	      "list in git order at both commits");
	CHECK(index_agrees(h, c2, "", 3) &&
		      index_agrees(h, c2, "metadata", 2) &&
		      index_agrees(h, c2, "metadata/Form", 2) &&
		      index_agrees(h, c1, "metadata", 2),
	      "entries by index: listed, found by name, read by index agree");
	{
		size_t i;
		int d;
		char nm[256];
		CHECK(tfs_history_find(h, c2, "metadata/Form", "C.xml", &i, &d,
				       &size) == TFS_ENOTFOUND &&
			      tfs_history_entry_at(h, c2, "metadata/Form", 2,
						   nm, &d,
						   &size) == TFS_ENOTFOUND &&
			      tfs_history_read_at(&b, h, c2, "", 2) ==
				      TFS_EINVALID,
		      "find of a missing name, entry past the end, read of a "
		      "directory by index");
	}
	CHECK(tfs_history_list(h, c2, "", stop_at_second, &seen) == 42 &&
		      seen == 2,
	      "a nonzero callback return stops list");
	r.h = h;
	r.oid = c2;
	r.ok = 1;
	CHECK(tfs_history_list(h, c2, "metadata/Form", reenter_entry, &r) ==
			      0 &&
		      r.ok,
	      "a list callback may call the same handle");
	tfs_buf_clear(&b);
	CHECK(tfs_history_read(&b, h, c2, "metadata") == TFS_EINVALID &&
		      tfs_history_list(h, c2, "README", collect_entry, &b) ==
			      TFS_EINVALID &&
		      tfs_history_read(&b, h, c2, "nope") == TFS_ENOTFOUND,
	      "read of a directory, list of a file, read of nothing");
	CHECK(tfs_history_stat(h, "0123456789012345678901234567890123456789",
			       "", &is_dir, &size) == TFS_ENOTFOUND,
	      "stat at an unknown commit is TFS_ENOTFOUND");

	/* Diffs. */
	CHECK(diff_is(h, c2,
		      "M metadata/Form/A.xml <A v1/>><A v2/>\n"
		      "D metadata/Menu/M.xml <M/>\n"
		      "A metadata/Report/R.xml <R/>\n"),
	      "diff_parent of the incremental commit");
	CHECK(diff_is(h, c1,
		      "A README tenant acme\n"
		      "A master/Customer/1.xml <C id=\"1\"/>\n"
		      "A metadata/Form/A.xml <A v1/>\n"
		      "A metadata/Form/B.xml <B/>\n"
		      "A metadata/Menu/M.xml <M/>\n"),
	      "diff_parent of the root commit adds every file");

	/* Pruning up to the root. */
	CHECK(commit(c3, h, c2, no_master, 1, "Drop customers\n") == 0 &&
		      list_is(h, c3, "", "README:11 metadata/ "),
	      "deleting the last file of a subtree prunes it to the root");

	/* A file turning into a directory and back in one commit. */
	CHECK(commit(c4, h, c3, file_to_dir, 2, "File to dir\n") == 0 &&
		      stat_is(h, c4, "README", 1, 0) &&
		      reads_as(h, c4, "README/en.txt", "hello"),
	      "a file replaced by a directory in one commit");
	CHECK(commit(c5, h, c4, dir_to_file, 2, "Dir to file\n") == 0 &&
		      reads_as(h, c5, "README", "back"),
	      "a directory replaced by a file in one commit");
	CHECK(diff_is(h, c5, "A README back\nD README/en.txt hello\n"),
	      "diff_parent across a file/directory switch");

	/* An empty commit on top changes nothing; an empty tree is fine. */
	CHECK(commit(c6, h, c5, NULL, 0, "Nothing\n") == 0 &&
		      diff_is(h, c6, ""),
	      "a commit without changes");
	CHECK(commit(x, h, NULL, NULL, 0, "Empty\n") == 0 &&
		      list_is(h, x, "", "") && stat_is(h, x, "", 1, 0),
	      "a root commit without files has the empty tree");
	CHECK(tfs_history_set_ref(h, "acme/staging", c6) == 0,
	      "set_ref to the last commit");

	/* The real git is content and sees what we wrote. */
	CHECK(run("git --git-dir='%s' fsck --strict --no-dangling "
		  ">/dev/null 2>&1%s",
		  "") == 0,
	      "git fsck --strict");
	CHECK(capture(out, sizeof(out),
		      "log --format=%an/%ae/%at/%s acme/staging") == 0 &&
		      strcmp(out,
			     "admin/admin@tenantfs.local/1700000000/Nothing\n"
			     "admin/admin@tenantfs.local/1700000000/Dir to file\n"
			     "admin/admin@tenantfs.local/1700000000/File to dir\n"
			     "admin/admin@tenantfs.local/1700000000/"
			     "Drop customers\n"
			     "admin/admin@tenantfs.local/1700000000/Edit forms\n"
			     "admin/admin@tenantfs.local/1700000000/"
			     "Import acme/staging\n") == 0,
	      "git log of the branch shows every commit and its author");
	CHECK(capture(out, sizeof(out),
		      "log -1 --format=%ad --date=raw "
		      "acme/staging") == 0 &&
		      strcmp(out, "1700000000 +0000\n") == 0,
	      "commit time is the given time at +0000");
	CHECK(capture(out, sizeof(out),
		      "show acme/staging~5:"
		      "metadata/Form/A.xml") == 0 &&
		      strcmp(out, "<A v1/>") == 0,
	      "git show reads a file of the first commit");
	CHECK(capture(out, sizeof(out), "ls-tree -r acme/staging~4") == 0 &&
		      strstr(out, "100644 blob ") && !strstr(out, "Menu"),
	      "git ls-tree: mode 100644 files, pruned directory gone");
	tfs_buf_free(&b);
}

static void test_rejects(tfs_history *h)
{
	char c1[TFS_OID_HEXSZ + 1], out[TFS_OID_HEXSZ + 1];
	tfs_history_sig bad = { "Eve <x>", "eve@x", 0 };
	const tfs_history_change base[] = {
		file("a/b.xml", "<b/>"),
		file("f.xml", "<f/>"),
	};
	tfs_history_change one;
	tfs_history_change pair[2];
	static const char *const bad_paths[] = {
		"",        "/abs.xml",   "a//b.xml",    "a/",
		"./a.xml", "a/../b.xml", ".git/config", "x/.GIT/y",
	};
	size_t i;
	int all = 1;

	CHECK(commit(c1, h, NULL, base, 2, "base\n") == 0, "base commit");
	for (i = 0; i < sizeof(bad_paths) / sizeof(bad_paths[0]); i++) {
		one = file(bad_paths[i], "x");
		if (commit(out, h, c1, &one, 1, "bad") != TFS_EINVALID) {
			printf("# accepted '%s'\n", bad_paths[i]);
			all = 0;
		}
	}
	CHECK(all, "bad paths are TFS_EINVALID");
	pair[0] = file("d.xml", "1");
	pair[1] = gone("d.xml");
	CHECK(commit(out, h, c1, pair, 2, "dup") == TFS_EINVALID,
	      "a path given twice is TFS_EINVALID");
	pair[0] = file("n", "1");
	pair[1] = file("n/m", "2");
	CHECK(commit(out, h, c1, pair, 2, "df") == TFS_EINVALID,
	      "a file below a new file is TFS_EINVALID");
	one = file("f.xml/g.xml", "x");
	CHECK(commit(out, h, c1, &one, 1, "df") == TFS_EINVALID,
	      "a file below an existing file is TFS_EINVALID");
	one = file("a", "x");
	CHECK(commit(out, h, c1, &one, 1, "df") == TFS_EINVALID,
	      "a file over an existing directory is TFS_EINVALID");
	one = gone("a");
	CHECK(commit(out, h, c1, &one, 1, "rmdir") == TFS_EINVALID,
	      "deleting a directory is TFS_EINVALID");
	one = file("z.xml", "z");
	CHECK(commit(out, h, "0123456789012345678901234567890123456789", &one,
		     1, "orphan") == TFS_ENOTFOUND,
	      "an unknown parent is TFS_ENOTFOUND");
	CHECK(tfs_history_write_commit(out, h, c1, &one, 1, &bad, "x") ==
		      TFS_EINVALID,
	      "an author with angle brackets is TFS_EINVALID");
	CHECK(tfs_history_set_ref(h, "acme/bad..name", c1) == TFS_EINVALID &&
		      tfs_history_get_ref(out, h, "bad name") == TFS_EINVALID,
	      "an invalid branch name is TFS_EINVALID");
	CHECK(tfs_history_set_ref(h, "acme/x",
				  "0123456789012345678901234567890123456789") ==
		      TFS_ENOTFOUND,
	      "set_ref to an unknown commit is TFS_ENOTFOUND");
}

/* Make `n` files in 22 metadata types and some master-data objects. */
static int make_files(tfs_history_change **out, char **store, size_t n)
{
	static const char *const types[] = {
		"Form",       "Menu",    "Report",   "Workflow",     "Rule",
		"Field",      "Table",   "View",     "Role",         "Group",
		"Queue",      "SLA",     "Template", "Notification", "Script",
		"Dashboard",  "Widget",  "Catalog",  "Category",     "Approval",
		"Escalation", "Mapping",
	};
	static const char *const bos[] = {
		"Customer", "Contact",  "Site",     "Asset",      "Contract",
		"Product",  "Supplier", "Location", "Department", "Person",
	};
	const size_t path_max = 64, body_max = 512;
	tfs_history_change *c;
	char *s;
	size_t i;

	c = calloc(n, sizeof(*c));
	s = malloc(n * (path_max + body_max));
	if (!c || !s) {
		free(c);
		free(s);
		return -1;
	}
	for (i = 0; i < n; i++) {
		char *path = s + i * (path_max + body_max);
		char *body = path + path_max;
		int len;

		if (i % 2)
			snprintf(path, path_max, "metadata/%s/Obj%06zu.xml",
				 types[(i / 2) % 22], i);
		else
			snprintf(path, path_max, "master/%s/%06zu.xml",
				 bos[i % 10], i);
		len = snprintf(body, body_max,
			       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			       "<object id=\"%zu\" type=\"%s\">\n"
			       "  <name>Object %zu</name>\n"
			       "  <description>Generated for the history "
			       "benchmark; about five hundred bytes of XML "
			       "per file, like a small form or customer."
			       "</description>\n"
			       "  <owner>admin</owner>\n"
			       "  <created>2024-01-01T00:00:00Z</created>\n"
			       "  <properties>\n"
			       "    <property key=\"a\">%zu</property>\n"
			       "    <property key=\"b\">%zu</property>\n"
			       "    <property key=\"c\">value c</property>\n"
			       "  </properties>\n"
			       "</object>\n",
			       i, types[(i / 2) % 22], i, i * 7, i * 13);
		c[i].path = path;
		c[i].bytes = body;
		c[i].len = (size_t)len;
	}
	*out = c;
	*store = s;
	return 0;
}

/* How many files in objects/pack of repository `dir` end in `ext` (".pack",
 * ".keep"), or -1. */
static int count_in_pack(const char *dir, const char *ext)
{
	char path[TH_PATH + 32];
	size_t len, n_ext = strlen(ext);
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "%s/objects/pack", dir);
	if (!(d = opendir(path)))
		return -1;
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		n += len > n_ext && strcmp(e->d_name + len - n_ext, ext) == 0;
	}
	closedir(d);
	return n;
}

/* Enough files to go through the pack writer, then an update on top. */
static void test_large(tfs_history *h)
{
	char c1[TFS_OID_HEXSZ + 1], c2[TFS_OID_HEXSZ + 1];
	tfs_history_change *c = NULL, *upd;
	tfs_buf b = TFS_BUF_INIT;
	char *store = NULL;
	size_t i, n = 3000;
	int packs;

	if (make_files(&c, &store, n) < 0) {
		CHECK(0, "allocate files");
		return;
	}
	CHECK(commit(c1, h, NULL, c, n, "Large import\n") == 0,
	      "a 3000-file first commit");
	CHECK(run("ls '%s'/objects/pack/*.pack >/dev/null 2>&1%s", "") == 0,
	      "it is stored as a pack");
	packs = count_in_pack(git_dir, ".pack");
	CHECK(commit(c2, h, NULL, c, n, "Large import\n") == 0 &&
		      strcmp(c1, c2) == 0,
	      "the same large commit again: nothing new to pack");
	CHECK(count_in_pack(git_dir, ".pack") == packs,
	      "and no empty pack is stored");
	CHECK(tfs_history_read(&b, h, c1, c[2999].path) == 0 &&
		      b.size == c[2999].len &&
		      memcmp(b.ptr, c[2999].bytes, b.size) == 0,
	      "a file of it reads back");
	/*
	 * 2500 changes on top, through the pack writer again: 2000 edits
	 * (half of them identical, so already stored), 500 deletions.
	 */
	upd = calloc(2500, sizeof(*upd));
	for (i = 0; upd && i < 2500; i++) {
		upd[i] = c[i];
		if (i >= 2000)
			upd[i].bytes = NULL;
		else if (i % 2)
			upd[i].len = 10;
	}
	CHECK(upd && commit(c2, h, c1, upd, 2500, "Large edit\n") == 0,
	      "a 2500-change commit on top of it");
	tfs_buf_clear(&b);
	CHECK(tfs_history_read(&b, h, c2, c[1].path) == 0 && b.size == 10 &&
		      reads_as(h, c2, c[2].path, c[2].bytes) &&
		      tfs_history_read(&b, h, c2, c[2200].path) ==
			      TFS_ENOTFOUND &&
		      reads_as(h, c2, c[2700].path, c[2700].bytes),
	      "its edits, deletions and untouched files read back");
	CHECK(tfs_history_set_ref(h, "acme/large", c2) == 0 &&
		      run("git --git-dir='%s' fsck --strict --no-dangling "
			  ">/dev/null 2>&1%s",
			  "") == 0,
	      "git fsck --strict with packs");
	tfs_buf_free(&b);
	free(upd);
	free(c);
	free(store);
}

/*
 * Saves into a directory whose tree is large (history_tree.c stores such
 * trees loose without compression and keeps the last ones in memory): one
 * file at a time, as sed -i does, including a new file and a deletion;
 * git reads them and agrees with their ids.
 */
/*
 * Saves into five large directories in turn: the cache of large trees
 * (4 slots) evicts a parent's tree while its directory is being rewritten
 * (a use-after-free once; ASan would report it).  Every commit reads back.
 */
static void test_tree_cache(tfs_history *h)
{
	static const char *const dirs[] = { "A", "A/x", "B", "C", "D" };
	static const char *const seq[] = { "A/x/F000001.xml", "B/F000001.xml",
					   "C/F000001.xml",   "D/F000001.xml",
					   "A/x/F000002.xml", "A/F000003.xml" };
	char c[8][TFS_OID_HEXSZ + 1];
	tfs_history_change *f, one;
	char(*p)[40];
	size_t n = 0, i, k;
	tfs_buf b = TFS_BUF_INIT;
	int ok = 1;

	f = calloc(10000, sizeof(*f));
	p = calloc(10000, sizeof(*p));
	if (!f || !p) {
		CHECK(0, "allocate files");
		free(f);
		free(p);
		return;
	}
	for (k = 0; k < 5; k++)
		for (i = 0; i < 2000; i++) {
			snprintf(p[n], sizeof(p[n]), "%s/F%06zu.xml", dirs[k],
				 i);
			f[n] = file(p[n], "<F/>");
			n++;
		}
	ok = tfs_history_write_commit(c[0], h, NULL, f, n, &admin,
				      "five large directories\n") == 0;
	for (k = 0; ok && k < 6; k++) {
		one = file(seq[k], "<F v=\"2\"/>");
		ok = tfs_history_write_commit(c[k + 1], h, c[k], &one, 1,
					      &admin, "save\n") == 0;
		tfs_buf_clear(&b);
		ok = ok && tfs_history_read(&b, h, c[k + 1], seq[k]) == 0 &&
		     b.size == 10 && memcmp(b.ptr, "<F v=\"2\"/>", 10) == 0;
		tfs_buf_clear(&b);
		ok = ok &&
		     tfs_history_read(&b, h, c[k + 1], "A/x/F000000.xml") ==
			     0 &&
		     b.size == 4;
	}
	CHECK(ok, "saves into five large directories in turn read back");
	CHECK(ok && tfs_history_set_ref(h, "tree-cache", c[6]) == 0 &&
		      run("git --git-dir='%s' fsck --strict --no-dangling "
			  "tree-cache%s >/dev/null 2>&1",
			  "") == 0,
	      "... and git fsck --strict accepts them");
	tfs_buf_free(&b);
	free(f);
	free(p);
}

static void test_big_dir(tfs_history *h)
{
	char c[4][TFS_OID_HEXSZ + 1], out[256];
	tfs_history_change *f, one[2];
	char(*paths)[40], body[64];
	size_t i, n = 2000, size;
	int ok = 1, is_dir;

	f = calloc(n, sizeof(*f));
	paths = calloc(n, sizeof(*paths));
	if (!f || !paths) {
		CHECK(0, "allocate files");
		free(f);
		free(paths);
		return;
	}
	for (i = 0; i < n; i++) {
		snprintf(paths[i], sizeof(paths[i]), "big/Form%06zu.xml", i);
		f[i] = file(paths[i], "<Form/>");
	}
	f[0] = file("big.xml", "<a file that sorts before big/>");
	CHECK(commit(c[0], h, NULL, f, n, "Big directory\n") == 0,
	      "a commit with a 2000-file directory (80 KB of tree)");
	for (i = 1; i < 4 && ok; i++) {
		snprintf(body, sizeof(body), "<Form v=\"%zu\"/>", i);
		one[0] = file(paths[i * 100], body);
		one[1] = i == 2 ? gone(paths[7]) :
				  file(i == 3 ? "big/Zz.xml" :
						paths[i * 100 + 1],
				       body);
		ok = commit(c[i], h, c[i - 1], one, 2, "Save\n") == 0 &&
		     reads_as(h, c[i], paths[i * 100], body);
	}
	CHECK(ok, "three saves into it read back");
	CHECK(reads_as(h, c[3], "big/Zz.xml", "<Form v=\"3\"/>") &&
		      reads_as(h, c[3], paths[101], "<Form v=\"1\"/>") &&
		      reads_as(h, c[3], paths[6], "<Form/>") &&
		      reads_as(h, c[3], "big.xml",
			       "<a file that sorts before big/>") &&
		      tfs_history_stat(h, c[3], paths[7], &is_dir, &size) ==
			      TFS_ENOTFOUND,
	      "a new file, an earlier save, untouched files, a deletion");
	for (i = 1; i < 4; i++) {
		char cmd[1400];
		snprintf(cmd, sizeof(cmd),
			 "git --git-dir='%s' ls-tree %s:big "
			 "| git --git-dir='%s' mktree --missing | grep -qx "
			 "$(git --git-dir='%s' rev-parse %s:big)",
			 git_dir, c[i], git_dir, git_dir, c[i]);
		if (system(cmd) != 0)
			ok = 0;
	}
	CHECK(ok, "git mktree makes the same trees from their entries");
	CHECK(tfs_history_set_ref(h, "acme/big", c[3]) == 0 &&
		      run("git --git-dir='%s' fsck --strict --no-dangling "
			  ">/dev/null 2>&1%s",
			  "") == 0 &&
		      capture(out, sizeof(out),
			      "diff --name-status acme/big~3 "
			      "acme/big") == 0 &&
		      strcmp(out,
			     "D\tbig/Form000007.xml\nM\tbig/Form000100.xml\n"
			     "M\tbig/Form000101.xml\nM\tbig/Form000200.xml\n"
			     "M\tbig/Form000300.xml\nA\tbig/Zz.xml\n") == 0,
	      "git fsck --strict, and git diff sees exactly the saves");
	free(f);
	free(paths);
}

static void test_threads(tfs_history *h)
{
	const tfs_history_change one = file("metadata/Form/A.xml", "<A v2/>");
	char c1[TFS_OID_HEXSZ + 1];
	struct worker w[4];
	pthread_t t[4];
	int i, all = 1;

	CHECK(commit(c1, h, NULL, &one, 1, "threads\n") == 0,
	      "commit for the thread test");
	for (i = 0; i < 4; i++) {
		w[i].h = h;
		w[i].oid = c1;
		w[i].ok = 1;
		pthread_create(&t[i], NULL, i % 2 ? commit_many : read_many,
			       &w[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		all &= w[i].ok;
	}
	CHECK(all, "one handle shared by reading and writing threads");
}

/* Holds the writer lock (as a commit being written does) until told. */
struct holder {
	tfs_history *h;
	pthread_mutex_t m;
	pthread_cond_t c;
	int state; /* 0 start, 1 holding, 2 release */
};

static void *hold_writer(void *arg)
{
	struct holder *x = arg;

	hist_lock(x->h);
	pthread_mutex_lock(&x->m);
	x->state = 1;
	pthread_cond_broadcast(&x->c);
	while (x->state != 2)
		pthread_cond_wait(&x->c, &x->m);
	pthread_mutex_unlock(&x->m);
	hist_unlock(x->h);
	return NULL;
}

/*
 * Every reader answers while another thread holds the writer lock (a
 * writer would otherwise hang this test: the alarm fails it), and sees
 * a commit written just before by the writer.
 */
static void test_readers_never_wait(tfs_history *h)
{
	const tfs_history_change one = file("r/x.xml", "<x/>");
	char c1[TFS_OID_HEXSZ + 1], ref[TFS_OID_HEXSZ + 1], blob[41];
	struct holder x = { .h = h, .state = 0 };
	unsigned char id[20];
	tfs_buf b = TFS_BUF_INIT;
	pthread_t t;
	size_t size, index;
	int is_dir, ok;
	char name[256];

	ok = commit(c1, h, NULL, &one, 1, "readers\n") == 0 &&
	     tfs_history_set_ref(h, "acme/readers", c1) == 0;
	pthread_mutex_init(&x.m, NULL);
	pthread_cond_init(&x.c, NULL);
	pthread_create(&t, NULL, hold_writer, &x);
	pthread_mutex_lock(&x.m);
	while (x.state != 1)
		pthread_cond_wait(&x.c, &x.m);
	pthread_mutex_unlock(&x.m);
	alarm(60);
	tfs_history_blob_id(id, "<x/>", 4);
	tfs_history_id_hex(blob, id);
	ok = ok && reads_as(h, c1, "r/x.xml", "<x/>") &&
	     stat_is(h, c1, "r/x.xml", 0, 4) &&
	     list_is(h, c1, "r", "x.xml:4 ") &&
	     tfs_history_find(h, c1, "r", "x.xml", &index, &is_dir, &size) ==
		     0 &&
	     index == 0 &&
	     tfs_history_entry_at(h, c1, "r", 0, name, &is_dir, &size) == 0 &&
	     tfs_history_read_at(&b, h, c1, "r", 0) == 0 &&
	     tfs_history_read_blob(&b, h, blob, "x") == 0 &&
	     tfs_history_get_ref(ref, h, "acme/readers") == 0 &&
	     strcmp(ref, c1) == 0 && tfs_history_has_commit(h, c1) == 1 &&
	     diff_is(h, c1, "A r/x.xml <x/>\n");
	alarm(0);
	pthread_mutex_lock(&x.m);
	x.state = 2;
	pthread_cond_broadcast(&x.c);
	pthread_mutex_unlock(&x.m);
	pthread_join(t, NULL);
	pthread_mutex_destroy(&x.m);
	pthread_cond_destroy(&x.c);
	tfs_buf_free(&b);
	CHECK(ok, "every read answers while a writer holds the writer lock");
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of the whole process, all threads (the pack writer uses
 * several), to read wall times on a loaded machine. */
static double cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int count_entry(void *ctx, const char *name, int is_dir, size_t size)
{
	++*(size_t *)ctx;
	return 0;
}

static int count_diff(void *ctx, const char *path, const char *before,
		      size_t before_len, const char *after, size_t after_len)
{
	++*(size_t *)ctx;
	return 0;
}

static void bench(void)
{
	char c1[TFS_OID_HEXSZ + 1], c2[TFS_OID_HEXSZ + 1];
	char dir[300], out[400];
	const char *env = getenv("TFS_HISTORY_BENCH_FILES");
	tfs_history_change *c = NULL, one;
	tfs_history *h = NULL;
	tfs_buf b = TFS_BUF_INIT;
	char *store = NULL, *end;
	size_t n = 100000, count = 0;
	double t, t_cpu;
	long v;
	int rc;

	if (env) {
		v = strtol(env, &end, 10);
		if (*end == '\0' && v > 0)
			n = (size_t)v;
	}
	snprintf(dir, sizeof(dir), "%s/bench.git", tmp_dir);
	if (tfs_history_open(&h, dir, 1) < 0 || make_files(&c, &store, n) < 0) {
		CHECK(0, "bench setup");
		goto done;
	}
	t = now();
	t_cpu = cpu();
	rc = commit(c1, h, NULL, c, n, "Bench import\n");
	printf("# bench first commit, %zu files: %.3f s (cpu %.3f s)\n", n,
	       now() - t, cpu() - t_cpu);
	CHECK(rc == 0, "bench first commit");
	t = now();
	rc = tfs_history_set_ref(h, "bench/main", c1);
	printf("# bench set_ref: %.6f s\n", now() - t);
	one = file(c[n / 2].path, "<changed/>");
	t = now();
	t_cpu = cpu();
	rc |= commit(c2, h, c1, &one, 1, "Bench one file\n");
	printf("# bench one-file update: %.6f s (cpu %.6f s)\n", now() - t,
	       cpu() - t_cpu);
	CHECK(rc == 0, "bench update commit");
	t = now();
	rc = tfs_history_read(&b, h, c2, c[n / 2].path);
	printf("# bench read one file: %.6f s\n", now() - t);
	t = now();
	rc |= tfs_history_list(h, c2, "metadata/Form", count_entry, &count);
	printf("# bench list metadata/Form (%zu entries): %.6f s\n", count,
	       now() - t);
	count = 0;
	t = now();
	rc |= tfs_history_diff_parent(h, c2, count_diff, &count);
	printf("# bench diff_parent of the update (%zu files): %.6f s\n", count,
	       now() - t);
	count = 0;
	t = now();
	rc |= tfs_history_diff_parent(h, c1, count_diff, &count);
	printf("# bench diff_parent of the import (%zu files): %.3f s\n", count,
	       now() - t);
	CHECK(rc == 0, "bench reads");
	t = now();
	snprintf(out, sizeof(out),
		 "git --git-dir='%s' fsck --strict "
		 "--no-dangling >/dev/null 2>&1",
		 dir);
	rc = system(out);
	printf("# bench git fsck --strict: %.3f s\n", now() - t);
	CHECK(rc == 0, "bench git fsck --strict");
	snprintf(out, sizeof(out), "du -sh '%s' | sed 's/^/# bench size: /'",
		 dir);
	if (system(out) != 0)
		printf("# bench size unknown\n");
done:
	tfs_buf_free(&b);
	tfs_history_free(h);
	free(c);
	free(store);
}

/* Replace file `path` with data[0..len). */
static int put_file(const char *path, const char *data, size_t len)
{
	FILE *f;
	int ok;

	chmod(path, 0644);
	if (!(f = fopen(path, "wb")))
		return -1;
	ok = fwrite(data, 1, len, f) == len;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* Replace loose object file `path` with `data` deflated (any content:
 * a valid zlib stream whose id may not match its name). */
static int write_loose(const char *path, const char *data, size_t len)
{
	unsigned char z[256];
	uLongf zlen = sizeof(z);

	if (compress2(z, &zlen, (const Bytef *)data, len, 1) != Z_OK)
		return -1;
	return put_file(path, (const char *)z, zlen);
}

/*
 * libgit2 no longer checks what it reads against its id; we do.  A loose
 * blob replaced by other content of the same size (a valid zlib stream,
 * so only the id can tell) reads as corrupt, not as the other content.
 */
static void test_corrupt_blob(tfs_history *h)
{
	const tfs_history_change one[] = { file("metadata/Form/C.xml",
						"<C original/>") };
	static const char fake[] = "blob 13\0<C replaced/>";
	static const char real[] = "blob 13\0<C original/>";
	char c[TFS_OID_HEXSZ + 1], blob[64] = "", args[200], path[700];
	tfs_buf b = TFS_BUF_INIT;

	if (commit(c, h, NULL, one, 1, "corrupt me") < 0) {
		CHECK(0, "corrupt blob: commit");
		return;
	}
	snprintf(args, sizeof(args), "rev-parse %s:metadata/Form/C.xml", c);
	if (capture(blob, sizeof(blob), args) < 0 || strlen(blob) < 40) {
		CHECK(0, "corrupt blob: rev-parse");
		return;
	}
	snprintf(path, sizeof(path), "%s/objects/%.2s/%.38s", git_dir, blob,
		 blob + 2);
	CHECK(tfs_history_read(&b, h, c, "metadata/Form/C.xml") == 0 &&
		      b.size == 13,
	      "corrupt blob: the original reads back");
	tfs_buf_clear(&b);
	if (write_loose(path, fake, sizeof(fake) - 1) < 0) {
		CHECK(0, "corrupt blob: cannot rewrite the object");
		return;
	}
	CHECK(tfs_history_read(&b, h, c, "metadata/Form/C.xml") == TFS_ERROR &&
		      strstr(tfs_error_last(), "corrupt"),
	      "corrupt blob: a blob that is not its id reads as corrupt");
	tfs_buf_free(&b);
	/* Leave a sound repository for the tests that follow. */
	CHECK(write_loose(path, real, sizeof(real) - 1) == 0,
	      "corrupt blob: restored");
}

/* The bytes of file `path` into *out (malloc'd), or -1. */
static long slurp(char **out, const char *path)
{
	FILE *f = fopen(path, "rb");
	long n = -1;

	*out = NULL;
	if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (*out = malloc((size_t)n)) &&
	    fread(*out, 1, (size_t)n, f) != (size_t)n)
		n = -1;
	if (f)
		fclose(f);
	return n;
}

/*
 * A commit on a parent whose directory's tree is damaged on disk (read
 * by the splice, history_tree.c: streamed when loose) fails and names
 * it; with the object whole again, the same commit is made.  The damage
 * is a valid zlib stream of other bytes of the same length, which only
 * the id can tell.  (A loose object cut short is not tried: libgit2
 * 1.5.1 inflates it forever, in git_odb_read and git_odb_open_rstream
 * alike.)
 */
static void test_corrupt_parent_tree(tfs_history *h)
{
	const tfs_history_change one[] = { file("metadata/Form/T.xml",
						"<T one/>") };
	const tfs_history_change two[] = { file("metadata/Form/T.xml",
						"<T two/>") };
	char c1[TFS_OID_HEXSZ + 1], c2[TFS_OID_HEXSZ + 1], tree[64] = "";
	char args[200], path[700], *real = NULL, raw[4096];
	long n;
	int len;

	if (commit(c1, h, NULL, one, 1, "parent") < 0) {
		CHECK(0, "corrupt tree: commit");
		return;
	}
	snprintf(args, sizeof(args), "rev-parse %s:metadata/Form", c1);
	if (capture(tree, sizeof(tree), args) < 0 || strlen(tree) < 40) {
		CHECK(0, "corrupt tree: rev-parse");
		return;
	}
	snprintf(path, sizeof(path), "%s/objects/%.2s/%.38s", git_dir, tree,
		 tree + 2);
	if ((n = slurp(&real, path)) < 8) {
		CHECK(0, "corrupt tree: %s is not a loose object", path);
		free(real);
		return;
	}
	/* "T.xml" becomes "U.xml": a valid tree of the same length */
	len = snprintf(raw, sizeof(raw), "tree 33%c100644 U.xml%c", '\0', '\0');
	memset(raw + len, 0xab, 20);
	CHECK(write_loose(path, raw, (size_t)len + 20) == 0 &&
		      commit(c2, h, c1, two, 1, "on a false tree") < 0 &&
		      strstr(tfs_error_last(), "corrupt"),
	      "corrupt tree: a parent tree that is not its id fails: %s",
	      tfs_error_last());
	CHECK(put_file(path, real, (size_t)n) == 0 &&
		      commit(c2, h, c1, two, 1, "on the whole tree") == 0,
	      "corrupt tree: the same commit, the tree whole again");
	free(real);
}

/* n pseudo-random bytes (xorshift from seed), or NULL. */
static unsigned char *random_bytes(size_t n, uint32_t x)
{
	unsigned char *buf = malloc(n ? n : 1);
	size_t i;

	for (i = 0; buf && i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (unsigned char)x;
	}
	return buf;
}

/* Our object ids (libcrypto's SHA-1) against libgit2's (SHA-1DC), for
 * every length across block boundaries and a large tree. */
static void test_object_ids(void)
{
	static const char *const types[] = { "blob", "tree" };
	const git_object_t gtypes[] = { GIT_OBJECT_BLOB, GIT_OBJECT_TREE };
	size_t big = (size_t)3 << 20, len, bad = 0;
	unsigned char *buf = random_bytes(big, 2463534242u), ours[20];
	git_oid theirs;
	int t;

	if (!buf) {
		CHECK(0, "object ids: out of memory");
		return;
	}
	for (t = 0; t < 2; t++) {
		for (len = 0; len <= big; len = len < 1100    ? len + 1 :
						len < big - 7 ? big - 7 :
								len + 1) {
			bad += hist_object_id(ours, types[t], buf, len) != 0 ||
			       git_odb_hash(&theirs, buf, len, gtypes[t]) !=
				       0 ||
			       memcmp(ours, theirs.id, 20) != 0;
		}
	}
	if (bad)
		printf("# %zu object ids differ from libgit2's\n", bad);
	CHECK(bad == 0, "object ids equal libgit2's");
	free(buf);
}

/* The digest of the stream up to mark k (a copy of the context, ended). */
static void mark_digest(unsigned char out[20], const hist_marks *m, size_t k)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	memset(out, 0, 20);
	if (c && m->ctx[k] && EVP_MD_CTX_copy_ex(c, m->ctx[k]) == 1)
		EVP_DigestFinal_ex(c, out, NULL);
	EVP_MD_CTX_free(c);
}

/* Ids resumed from marks (copied SHA-1 contexts) equal ids computed whole,
 * for changes at and around the stride boundaries, and the marks equal
 * fresh ones. */
static void test_marks(unsigned char *buf, size_t big)
{
	static const size_t sizes[] = {
		0, 100, 16384 - 12, 16384 - 11, 16384, 40000, (size_t)3 << 20
	};
	size_t i, j, k, bad = 0;
	unsigned char whole[20], resumed[20], a[20], b[20];
	hist_marks *marks = NULL, *fresh = NULL;
	int ok = 1;

	for (i = 0; ok && i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t len = sizes[i] <= big ? sizes[i] : big;
		size_t at[] = { 0,          1,
				16384 - 12, 16384 - 11,
				16384 - 10, 32768 - 11,
				len / 2,    len ? len - 1 : 0,
				len };

		marks = hist_marks_new("tree", len);
		fresh = hist_marks_new("tree", len);
		ok = marks && fresh &&
		     marks->n == hist_marks_count("tree", len) &&
		     hist_object_id_marked(resumed, "tree", buf, len, marks,
					   0) == 0 &&
		     hist_object_id(whole, "tree", buf, len) == 0;
		bad += memcmp(whole, resumed, 20) != 0;
		for (j = 0; ok && j < sizeof(at) / sizeof(at[0]); j++) {
			if (at[j] > len)
				continue;
			if (at[j] < len)
				buf[at[j]] ^= 0x5a;
			ok = hist_object_id_marked(resumed, "tree", buf, len,
						   marks, at[j]) == 0 &&
			     hist_object_id(whole, "tree", buf, len) == 0;
			bad += memcmp(whole, resumed, 20) != 0;
			ok = ok && hist_object_id_marked(whole, "tree", buf,
							 len, fresh, 0) == 0;
			for (k = 0; ok && k < marks->n; k++) {
				mark_digest(a, marks, k);
				mark_digest(b, fresh, k);
				bad += memcmp(a, b, 20) != 0 || !marks->ctx[k];
			}
		}
		/* Marks are for one object: another length is an error. */
		ok = ok &&
		     hist_object_id_marked(resumed, "tree", buf, len + 1, marks,
					   0) == TFS_ERROR &&
		     hist_object_id_marked(resumed, "blob", buf, len, marks,
					   0) == TFS_ERROR;
		hist_marks_free(marks);
		hist_marks_free(fresh);
	}
	if (bad)
		printf("# %zu resumed ids or marks differ\n", bad);
	CHECK(ok && bad == 0, "ids resumed from marks equal whole ids");
}

/*
 * Loose objects of stored blocks (history_loose.c) against the library:
 * each reads back through libgit2 (git_odb_read) with its bytes, git's
 * own cat-file gives bytes that hash to the id, and git fsck --strict
 * accepts them all.
 */
/*
 * Settle the staged objects: named in `objects`, and still staged, their
 * ids kept for the caller (struct hist_pending), until forgotten.
 */
static int settle_forget(struct hist_stage *st, tfs_history *h,
			 const char *objects)
{
	char path[600], hex[GIT_OID_HEXSZ + 1];
	size_t i, n = st->n;
	int ok;

	ok = hist_stage_settle(st, h, objects) == 0 && st->n == n;
	for (i = 0; ok && i < st->n; i++) {
		git_oid_tostr(hex, sizeof(hex), &st->ids[i]);
		snprintf(path, sizeof(path), "%s/%.2s/%s", st->dir, hex,
			 hex + 2);
		ok = access(path, F_OK) == 0;
	}
	hist_stage_forget(st, st->ids, st->n);
	for (i = 0; ok && i < st->n; i++) {
		git_oid_tostr(hex, sizeof(hex), &st->ids[i]);
		snprintf(path, sizeof(path), "%s/%.2s/%s", st->dir, hex,
			 hex + 2);
		ok = access(path, F_OK) != 0;
	}
	st->n = 0;
	return ok ? 0 : -1;
}

static void test_loose(const unsigned char *buf)
{
	static const size_t lens[] = { 0,          1,     65535 - 13,
				       65535 - 12, 65535, 200000 };
	char objects[300], cmd[600], hex[GIT_OID_HEXSZ + 1];
	size_t i;
	git_oid id, id2;
	git_odb *odb = NULL;
	git_odb_object *obj = NULL;
	tfs_history *h = NULL;
	struct hist_stage stage = { 0 };
	struct tree_writer w = { 0 };
	unsigned long synced;
	int ok = 1, staged = 1;

	snprintf(objects, sizeof(objects), "%s/objects", git_dir);
	if (git_odb_open(&odb, objects) < 0 ||
	    tfs_history_open(&h, git_dir, 0) < 0 ||
	    hist_stage_open(&stage, objects) < 0) {
		CHECK(0, "loose: open the object database");
		git_odb_free(odb);
		tfs_history_free(h);
		return;
	}
	w.odb = odb;
	w.objects = objects;
	w.stage = &stage;
	synced = tfs_history_fsyncs(h);
	for (i = 0; ok && i < sizeof(lens) / sizeof(lens[0]); i++) {
		ok = hist_object_id(id.id, "blob", buf, lens[i]) == 0 &&
		     hist_loose_write(&w, &id, "blob", (const char *)buf,
				      lens[i]) == 0 &&
		     stage.n == 1 && git_odb_exists(odb, &id) == 0 &&
		     settle_forget(&stage, h, objects) == 0 &&
		     git_odb_read(&obj, odb, &id) == 0 &&
		     git_odb_object_type(obj) == GIT_OBJECT_BLOB &&
		     git_odb_object_size(obj) == lens[i] &&
		     memcmp(git_odb_object_data(obj), buf, lens[i]) == 0;
		git_odb_object_free(obj);
		obj = NULL;
		/* git's reading: its bytes hash to the id again. */
		git_oid_tostr(hex, sizeof(hex), &id);
		snprintf(cmd, sizeof(cmd),
			 "test \"$(git --git-dir='%%s' "
			 "cat-file blob %s | git hash-object --stdin)\" = %s%%s",
			 hex, hex);
		ok = ok && run(cmd, "") == 0;
	}
	CHECK(ok, "loose: stored objects read back through libgit2 and git "
		  "cat-file with their bytes");
	CHECK(ok && tfs_history_fsyncs(h) >= synced + 12,
	      "loose: staged objects are named only when settled, each "
	      "synced with its directory");
	/* Without fsync: the same, no sync (and a failed commit's staged
	 * objects are dropped, never named). */
	synced = tfs_history_fsyncs(h);
	hist_object_id(id2.id, "blob", "nofsync", 7);
	staged = tfs_history_set_fsync(h, 0) == 0 &&
		 hist_loose_write(&w, &id2, "blob", "nofsync", 7) == 0 &&
		 settle_forget(&stage, h, objects) == 0 &&
		 git_odb_exists(odb, &id2) == 1 &&
		 tfs_history_fsyncs(h) == synced;
	hist_object_id(id2.id, "blob", "dropped", 7);
	staged = staged && tfs_history_set_fsync(h, 1) == 0 &&
		 hist_loose_write(&w, &id2, "blob", "dropped", 7) == 0 &&
		 stage.n == 1;
	hist_stage_drop(&stage);
	CHECK(staged && stage.n == 0 && git_odb_exists(odb, &id2) == 0 &&
		      tfs_history_fsyncs(h) == synced,
	      "loose: with fsync off nothing is synced; dropped objects "
	      "are never named");
	CHECK(ok && run("git --git-dir='%s' fsck --strict --no-dangling%s "
			">/dev/null 2>&1",
			"") == 0,
	      "loose: git fsck --strict accepts them");
	hist_stage_close(&stage);
	tfs_history_free(h);
	git_odb_free(odb);
}

/*
 * Random saves against libgit2: each commit's tree must be the one
 * git_tree_create_updated() makes from the parent's tree and the same
 * changes.  Updates, adds and deletes land in small directories, a large
 * one (stored loose, cached, saved in place and hashed from marks) and
 * names that sort around "/" ("d", "d-x", "d.x", "d/"); every few rounds
 * the handle is reopened so parents are read back from disk.
 */
#define RT_FILES 4400
static void test_random_trees(tfs_history **hp)
{
	static const char *const dirs[] = { "d",   "d-x", "d.x",
					    "d/e", "big", "f/g/h" };
	char(*paths)[48] = calloc(RT_FILES, sizeof(*paths));
	bool *live = calloc(RT_FILES, sizeof(*live));
	char parent[TFS_OID_HEXSZ + 1], next[TFS_OID_HEXSZ + 1];
	tfs_history_change ch[24];
	git_tree_update up[24];
	char body[24][40];
	git_repository *repo = NULL;
	git_commit *cm = NULL;
	git_tree *base = NULL;
	git_oid want, oid;
	uint32_t x = 12345;
	size_t i, k, n, bad = 0, rounds = 0;
	int ok = 1;

#define RT_RAND() (x ^= x << 13, x ^= x >> 17, x ^= x << 5, x)
	if (!paths || !live || git_repository_open_bare(&repo, git_dir) < 0) {
		CHECK(0, "random trees: setup");
		goto done;
	}
	/* The files: most in "big" (a tree over 64 KB), the rest spread. */
	for (i = 0; i < RT_FILES; i++)
		snprintf(paths[i], sizeof(paths[i]), "rt/%s/%c%zu.xml",
			 i < 4000 ? "big" : dirs[i % 6], 'a' + (int)(i % 7), i);
	n = 0;
	for (i = 0; i < RT_FILES; i += 2) { /* half of them to start */
		live[i] = true;
		n++;
	}
	{
		tfs_history_change *all = calloc(n, sizeof(*all));

		for (i = 0, k = 0; all && i < RT_FILES; i++)
			if (live[i])
				all[k++] = file(paths[i], "<F/>");
		ok = all && commit(parent, *hp, NULL, all, n, "rt base\n") == 0;
		free(all);
	}
	for (; ok && rounds < 120; rounds++) {
		size_t m = 1 + RT_RAND() % (rounds % 3 ? 3 : 20);
		bool used[RT_FILES] = { false };

		for (k = 0; k < m; k++) {
			do
				i = RT_RAND() % RT_FILES;
			while (used[i]);
			used[i] = true;
			/* Mostly saves of existing files (in place). */
			if (live[i] && RT_RAND() % 4 == 0) {
				ch[k] = gone(paths[i]);
				up[k].action = GIT_TREE_UPDATE_REMOVE;
			} else {
				snprintf(body[k], sizeof(body[k]),
					 "<F r=\"%zu\"/>", rounds);
				ch[k] = file(paths[i], body[k]);
				up[k].action = GIT_TREE_UPDATE_UPSERT;
				ok = ok && git_blob_create_from_buffer(
						   &up[k].id, repo, body[k],
						   strlen(body[k])) == 0;
			}
			if (!live[i] && up[k].action == GIT_TREE_UPDATE_REMOVE)
				ok = 0;
			up[k].filemode = GIT_FILEMODE_BLOB;
			up[k].path = paths[i];
			live[i] = up[k].action == GIT_TREE_UPDATE_UPSERT;
		}
		git_oid_fromstr(&oid, parent);
		ok = ok && git_commit_lookup(&cm, repo, &oid) == 0 &&
		     git_commit_tree(&base, cm) == 0 &&
		     git_tree_create_updated(&want, repo, base, m, up) == 0 &&
		     commit(next, *hp, parent, ch, m, "rt\n") == 0;
		git_tree_free(base);
		git_commit_free(cm);
		base = NULL;
		cm = NULL;
		git_oid_fromstr(&oid, next);
		ok = ok && git_commit_lookup(&cm, repo, &oid) == 0;
		if (ok && !git_oid_equal(git_commit_tree_id(cm), &want))
			bad++;
		git_commit_free(cm);
		cm = NULL;
		memcpy(parent, next, sizeof(parent));
		if (ok && rounds % 10 == 9) { /* parents from disk again */
			tfs_history_free(*hp);
			*hp = NULL;
			ok = tfs_history_open(hp, git_dir, 0) == 0;
		}
	}
#undef RT_RAND
	if (bad)
		printf("# %zu of %zu trees differ from libgit2's\n", bad,
		       rounds);
	CHECK(ok && bad == 0 && rounds == 120,
	      "random saves make the trees libgit2 makes");
done:
	git_repository_free(repo);
	free(paths);
	free(live);
}

/*
 * A directory whose tree is over 16 MB (75,000 names of 200 characters):
 * a save that adds and removes names writes it as a stream, never whole
 * in memory; git and libgit2 must agree with it, and the next save (in
 * place) reads it back.
 */
static void test_huge_dir(tfs_history *h)
{
	const size_t n = 75000, plen = 220;
	char *paths = malloc(n * plen), parent[TFS_OID_HEXSZ + 1];
	char next[TFS_OID_HEXSZ + 1], last[TFS_OID_HEXSZ + 1];
	tfs_history_change *f = calloc(n, sizeof(*f)), ch[2];
	git_tree_update up[2];
	git_repository *repo = NULL;
	git_commit *cm = NULL;
	git_tree *base = NULL;
	git_oid want, oid;
	size_t i;
	int ok;

	if (!paths || !f || git_repository_open_bare(&repo, git_dir) < 0) {
		CHECK(0, "huge directory: setup");
		goto done;
	}
	for (i = 0; i < n; i++) {
		snprintf(paths + i * plen, plen, "huge/%0200zu.xml", i * 2);
		f[i] = file(paths + i * plen, "<H/>");
	}
	ok = commit(parent, h, NULL, f, n, "huge\n") == 0;
	/* A new name between two, and one gone: not in place. */
	snprintf(paths, plen, "huge/%0200zu.xml", (size_t)777);
	ch[0] = file(paths, "<H n=\"777\"/>");
	ch[1] = gone(paths + 5 * plen);
	up[0].action = GIT_TREE_UPDATE_UPSERT;
	up[0].filemode = GIT_FILEMODE_BLOB;
	up[0].path = ch[0].path;
	up[1].action = GIT_TREE_UPDATE_REMOVE;
	up[1].path = ch[1].path;
	git_oid_fromstr(&oid, parent);
	/* Ours first: libgit2 would not write the tree again. */
	ok = ok &&
	     commit(next, h, parent, ch, 2, "huge: one more, one less\n") ==
		     0 &&
	     git_blob_create_from_buffer(&up[0].id, repo, ch[0].bytes,
					 ch[0].len) == 0 &&
	     git_commit_lookup(&cm, repo, &oid) == 0 &&
	     git_commit_tree(&base, cm) == 0 &&
	     git_tree_create_updated(&want, repo, base, 2, up) == 0;
	git_commit_free(cm);
	cm = NULL;
	git_oid_fromstr(&oid, next);
	ok = ok && git_commit_lookup(&cm, repo, &oid) == 0 &&
	     git_oid_equal(git_commit_tree_id(cm), &want);
	CHECK(ok, "huge directory: a tree over 16 MB, written as a stream, "
		  "is libgit2's");
	/* In place, from that tree read back (a fresh handle). */
	ch[0] = file(paths + 9 * plen, "<H n=\"18\"/>");
	{
		tfs_history *h2 = NULL;
		tfs_buf b = TFS_BUF_INIT;

		ok = ok && tfs_history_open(&h2, git_dir, 0) == 0 &&
		     commit(last, h2, next, ch, 1, "huge: a save\n") == 0 &&
		     tfs_history_read(&b, h2, last, paths + 9 * plen) == 0 &&
		     b.size == ch[0].len &&
		     tfs_history_read(&b, h2, last, paths) == 0;
		tfs_buf_free(&b);
		tfs_history_free(h2);
	}
	ok = ok && tfs_history_set_ref(h, "huge", last) == 0 &&
	     run("git --git-dir='%s' fsck --strict --no-dangling huge%s "
		 ">/dev/null 2>&1",
		 "") == 0 &&
	     run("test \"$(git --git-dir='%s' ls-tree huge~1:huge | wc -l)\" "
		 "= 75000%s",
		 "") == 0 &&
	     run("test \"$(git --git-dir='%s' ls-tree huge:huge | wc -l)\" "
		 "= 75000%s",
		 "") == 0;
	CHECK(ok, "huge directory: saved again in place; git fsck --strict "
		  "accepts it");
done:
	git_tree_free(base);
	git_commit_free(cm);
	git_repository_free(repo);
	free(f);
	free(paths);
}

/*
 * The blob writer packs blobs in batches of at most 32 MB: 2,600 blobs of
 * 30 KB (about 78 MB) make at least three packs, one blob put again within
 * a batch is stored once, and blobs put after a flush (which frees the
 * batch's memory) go to a pack of their own.  Every blob reads back through
 * libgit2 with its bytes, a commit of them all passes git fsck.
 */
static void blob_bytes(char *bytes, size_t len, size_t i)
{
	size_t k;

	for (k = 0; k < len; k++)
		bytes[k] = (char)('a' + (i * 7 + k * 13 + k / 97) % 26);
	memcpy(bytes, &i, sizeof(i)); /* every blob its own */
}

static void test_blob_batches(tfs_history *h)
{
	const size_t n = 2600, len = 30000;
	char *bytes = malloc(len), *paths = malloc(n * 32);
	char oid[TFS_OID_HEXSZ + 1];
	tfs_history_change *f = calloc(n, sizeof(*f));
	tfs_history_blobs *w = NULL;
	git_repository *repo = NULL;
	git_blob *blob;
	git_oid id;
	size_t i;
	unsigned long synced = tfs_history_fsyncs(h);
	int packs, ok = bytes && paths && f &&
			tfs_history_blobs_new(&w, h) == 0 && w;

	packs = count_in_pack(git_dir, ".pack");

	for (i = 0; ok && i < n; i++) {
		blob_bytes(bytes, len, i);
		ok = tfs_history_blobs_put(f[i].id, w, bytes, len) == 0;
		if (ok && i == 5) /* the same bytes again, same batch */
			ok = tfs_history_blobs_put(f[i].id, w, bytes, len) == 0;
		if (ok && i == n - 100) /* the rest after a flush */
			ok = tfs_history_blobs_flush(w) == 0;
		snprintf(paths + i * 32, 32, "b/%05zu.xml", i);
		f[i].path = paths + i * 32;
		f[i].has_id = 1;
	}
	ok = ok && tfs_history_blobs_flush(w) == 0 &&
	     git_repository_open_bare(&repo, git_dir) == 0;
	for (i = 0; ok && i < n; i += 37) {
		blob_bytes(bytes, len, i);
		git_oid_fromraw(&id, f[i].id);
		ok = git_blob_lookup(&blob, repo, &id) == 0;
		ok = ok && git_blob_rawsize(blob) == (git_object_size_t)len &&
		     memcmp(git_blob_rawcontent(blob), bytes, len) == 0;
		if (ok)
			git_blob_free(blob);
	}
	CHECK(ok && count_in_pack(git_dir, ".pack") - packs == 4,
	      "blob writer: 2,600 blobs of 30 KB in batches of at most 32 MB "
	      "(3 packs) and after a flush (1), read back");
	CHECK(tfs_history_fsyncs(h) == synced + 4 * 2 + 2,
	      "blob writer: each pack and index synced once, the pack "
	      "directory once per flush");
	ok = ok && commit(oid, h, NULL, f, n, "blobs\n") == 0 &&
	     tfs_history_set_ref(h, "blobs", oid) == 0 &&
	     run("git --git-dir='%s' fsck --strict --no-dangling blobs%s "
		 ">/dev/null 2>&1",
		 "") == 0;
	CHECK(ok, "blob writer: a commit of them passes git fsck --strict");
	git_repository_free(repo);
	tfs_history_blobs_free(w);
	free(f);
	free(paths);
	free(bytes);
}

/*
 * Our pack index writer (history_blobs.c) against libgit2's indexer on the
 * same pack bytes: a blob writer's packs, indexed again by git_indexer in
 * a directory of their own, give a byte-identical .idx (the same ids,
 * CRCs, offsets and checksums), and git verify-pack accepts ours.  The
 * file header of history_blobs.c says why we keep our own.
 */
static int read_file(unsigned char **out, size_t *len, const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;

	*out = NULL;
	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) < 0 || !(*out = malloc((size_t)n + 1)) ||
	    fread(*out, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(*out);
		*out = NULL;
		return -1;
	}
	fclose(f);
	*len = (size_t)n;
	return 0;
}

static void test_blob_index(void)
{
	char dir[300], pack_dir[320], path[700], redo[400], sh[1200];
	unsigned char *pack = NULL, *ours = NULL, *theirs = NULL;
	size_t plen, olen, tlen, i, len;
	git_indexer_options opts = GIT_INDEXER_OPTIONS_INIT;
	git_indexer_progress stats = { 0 };
	git_indexer *ix = NULL;
	tfs_history_blobs *w = NULL;
	tfs_history *h = NULL;
	unsigned char id[20];
	char bytes[3000];
	struct dirent *e;
	DIR *d = NULL;
	int ok, packs = 0, same = 0, verified = 0;

	snprintf(dir, sizeof(dir), "%s/index.git", tmp_dir);
	snprintf(pack_dir, sizeof(pack_dir), "%s/objects/pack", dir);
	snprintf(redo, sizeof(redo), "%s/index-redo", tmp_dir);
	ok = tfs_history_open(&h, dir, 1) == 0 &&
	     tfs_history_blobs_new(&w, h) == 0 && mkdir(redo, 0755) == 0;
	/* Sizes across the one- to three-byte entry headers, and an empty
	 * blob; two flushes, two packs. */
	for (i = 0; ok && i < 5000; i++) {
		len = i == 0 ? 0 : (i * 611) % sizeof(bytes);
		blob_bytes(bytes, len, i);
		if (len < sizeof(i))
			memset(bytes, (int)i, len);
		ok = tfs_history_blobs_put(id, w, bytes, len) == 0;
		if (ok && i == 2500)
			ok = tfs_history_blobs_flush(w) == 0;
	}
	ok = ok && tfs_history_blobs_flush(w) == 0 &&
	     (d = opendir(pack_dir)) != NULL;
	while (ok && (e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 5, ".pack") != 0)
			continue;
		packs++;
		snprintf(path, sizeof(path), "%s/%s", pack_dir, e->d_name);
		ok = read_file(&pack, &plen, path) == 0 &&
		     git_indexer_new(&ix, redo, 0, NULL, &opts) == 0 &&
		     git_indexer_append(ix, pack, plen, &stats) == 0 &&
		     git_indexer_commit(ix, &stats) == 0;
		memcpy(path + strlen(path) - 4, "idx", 4);
		ok = ok && read_file(&ours, &olen, path) == 0;
		snprintf(path, sizeof(path), "%s/pack-%s.idx", redo,
			 ok ? git_indexer_name(ix) : "");
		ok = ok && read_file(&theirs, &tlen, path) == 0;
		same += ok && olen == tlen && memcmp(ours, theirs, olen) == 0;
		snprintf(sh, sizeof(sh),
			 "git verify-pack '%s/%.*s' "
			 ">/dev/null 2>&1",
			 pack_dir, (int)(len - 5), e->d_name);
		verified += ok && system(sh) == 0;
		git_indexer_free(ix);
		ix = NULL;
		free(pack);
		free(ours);
		free(theirs);
		pack = ours = theirs = NULL;
	}
	if (d)
		closedir(d);
	CHECK(ok && packs == 2 && same == 2,
	      "blob writer: its .idx is "
	      "byte for byte the one libgit2's indexer makes of the pack");
	CHECK(ok && verified == 2, "blob writer: git verify-pack accepts "
				   "its packs");
	tfs_history_blobs_free(w);
	tfs_history_free(h);
}

/*
 * git maintenance between a commit and the move of its branch (history.c,
 * "git maintenance while mounted"): a loose commit object `git prune`
 * removed is back when the branch moves; the packs of a blob writer keep
 * a .keep until the writer is freed; a commit whose parent git lost
 * entirely is TFS_ENOTFOUND (the engine then repairs from its database).
 */
static void test_maintenance(void)
{
	char dir[300], path[400], cmd[600], oid[TFS_OID_HEXSZ + 1], next[41];
	const tfs_history_change one = file("m/a.xml", "<a/>");
	const tfs_history_change two = file("m/b.xml", "<b/>");
	unsigned char id[20];
	tfs_history_blobs *w = NULL;
	tfs_history *h = NULL;
	int ok;

	snprintf(dir, sizeof(dir), "%s/maint.git", tmp_dir);
	if (tfs_history_open(&h, dir, 1) < 0) {
		CHECK(0, "maintenance: open a repository");
		return;
	}
	ok = commit(oid, h, NULL, &one, 1, "one\n") == 0;
	snprintf(path, sizeof(path), "%s/objects/%.2s/%s", dir, oid, oid + 2);
	snprintf(cmd, sizeof(cmd),
		 "git --git-dir='%s' fsck --strict "
		 "--no-dangling >/dev/null 2>&1",
		 dir);
	ok = ok && unlink(path) == 0 && access(path, F_OK) != 0 &&
	     tfs_history_set_ref(h, "acme/m", oid) == 0 &&
	     access(path, F_OK) == 0 && system(cmd) == 0;
	CHECK(ok, "maintenance: a commit object pruned before its branch "
		  "moved is there again when it moves");
	ok = tfs_history_blobs_new(&w, h) == 0 &&
	     tfs_history_blobs_put(id, w, "<kept/>", 7) == 0 &&
	     tfs_history_blobs_flush(w) == 0 &&
	     count_in_pack(dir, ".keep") == 1;
	tfs_history_blobs_free(w);
	CHECK(ok && count_in_pack(dir, ".keep") == 0,
	      "maintenance: a blob "
	      "writer's packs are kept from repack until the writer is "
	      "freed");
	ok = commit(next, h, "0123456789012345678901234567890123456789", &two,
		    1, "two\n") == TFS_ENOTFOUND;
	CHECK(ok, "maintenance: a parent git lacks is TFS_ENOTFOUND");
	tfs_history_free(h);
}

/*
 * Durability switches and errors on a repository of its own: without
 * fsync nothing is synced; a blob writer whose pack directory is gone
 * fails to flush, names nothing, and flushes once it is back; a commit
 * and a ref are synced.
 */
static void test_fsync(void)
{
	char dir[300], pack[320], moved[320], oid[TFS_OID_HEXSZ + 1];
	const tfs_history_change one = file("a/b.xml", "<b/>");
	tfs_history_change two = file("a/c.xml", "<c/>");
	unsigned char id[20];
	tfs_history_blobs *w = NULL;
	tfs_history *h = NULL;
	tfs_buf b = TFS_BUF_INIT;
	unsigned long n;
	int ok;

	snprintf(dir, sizeof(dir), "%s/fsync.git", tmp_dir);
	snprintf(pack, sizeof(pack), "%s/objects/pack", dir);
	snprintf(moved, sizeof(moved), "%s/objects/pack-away", dir);
	if (tfs_history_open(&h, dir, 1) < 0) {
		CHECK(0, "fsync: open a repository");
		return;
	}
	n = tfs_history_fsyncs(h);
	ok = commit(oid, h, NULL, &one, 1, "one\n") == 0 &&
	     tfs_history_fsyncs(h) >= n + 4;
	n = tfs_history_fsyncs(h);
	ok = ok && tfs_history_set_ref(h, "acme/x", oid) == 0 &&
	     tfs_history_fsyncs(h) >= n + 2;
	CHECK(ok, "fsync: a commit syncs its objects and their directories, "
		  "a new ref its file and directories");
	n = tfs_history_fsyncs(h);
	ok = tfs_history_set_fsync(h, 0) == 0 &&
	     commit(oid, h, oid, &two, 1, "two\n") == 0 &&
	     tfs_history_set_ref(h, "acme/x", oid) == 0 &&
	     tfs_history_blobs_new(&w, h) == 0 &&
	     tfs_history_blobs_put(id, w, "<nofsync/>", 10) == 0 &&
	     tfs_history_blobs_flush(w) == 0 &&
	     reads_as(h, oid, "a/c.xml", "<c/>") && tfs_history_fsyncs(h) == n;
	tfs_history_blobs_free(w);
	w = NULL;
	CHECK(ok, "fsync: off, commits, refs and blob packs are not synced");
	ok = tfs_history_set_fsync(h, 1) == 0 &&
	     tfs_history_blobs_new(&w, h) == 0 &&
	     tfs_history_blobs_put(id, w, "<away/>", 7) == 0 &&
	     rename(pack, moved) == 0 &&
	     tfs_history_blobs_flush(w) == TFS_ERROR &&
	     rename(moved, pack) == 0;
	tfs_history_id_hex(oid, id);
	ok = ok && tfs_history_read_blob(&b, h, oid, "away") == TFS_EDAMAGED &&
	     tfs_history_blobs_flush(w) == 0 &&
	     tfs_history_read_blob(&b, h, oid, "away") == 0 && b.size == 7 &&
	     memcmp(b.ptr, "<away/>", 7) == 0;
	CHECK(ok, "fsync: a flush that cannot write fails and names "
		  "nothing; the next one stores the blob");
	tfs_buf_free(&b);
	tfs_history_blobs_free(w);
	tfs_history_free(h);
}

/* The checksum and stored-object tests, on one buffer of random bytes. */
static void test_checksums(void)
{
	size_t big = (size_t)3 << 20;
	unsigned char *buf = random_bytes(big, 88675123u);

	if (!buf) {
		CHECK(0, "checksums: out of memory");
		return;
	}
	test_loose(buf);
	test_marks(buf, big);
	free(buf);
}

int main(void)
{
	tfs_history *h = NULL;
	const char *env = getenv("TFS_HISTORY_BENCH");

	if (th_tmpdir(tmp_dir, "history") < 0)
		return 1;
	snprintf(git_dir, sizeof(git_dir), "%s/history.git", tmp_dir);

	CHECK(tfs_history_open(&h, git_dir, 0) == TFS_ENOTFOUND && !h,
	      "open of a missing repository is TFS_ENOTFOUND");
	CHECK(tfs_history_open(&h, git_dir, 1) == 0 && h,
	      "open with create makes a bare repository");
	tfs_history_free(h);
	h = NULL;
	CHECK(tfs_history_open(&h, git_dir, 0) == 0 && h,
	      "open of the existing repository");
	CHECK(run("test \"$(git --git-dir='%s' rev-parse "
		  "--is-bare-repository)\" = true%s",
		  "") == 0,
	      "git sees a bare repository");
	test_object_ids();
	if (h) {
		test_basics(h);
		test_corrupt_blob(h);
		test_corrupt_parent_tree(h);
		test_checksums();
		test_rejects(h);
		test_large(h);
		test_big_dir(h);
		test_tree_cache(h);
		test_random_trees(&h);
		test_huge_dir(h);
		test_blob_batches(h);
		test_blob_index();
		test_threads(h);
		test_readers_never_wait(h);
		test_fsync();
		test_maintenance();
	}
	tfs_history_free(h);
	if (env && strcmp(env, "1") == 0)
		bench();

	th_rmtree(tmp_dir, false);
	printf("%d tests, %d failed\n", count, failures);
	return failures ? 1 : 0;
}
