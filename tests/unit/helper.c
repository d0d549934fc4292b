/*
 * Fixtures shared by the unit tests: see helper.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper.h"
#include "tenantfs/demo.h"
#include "tenantfs/error.h"

int th_failures;

void th_fail(const char *fmt, ...)
{
	va_list ap;

	if (++th_failures > TH_FAIL_SHOWN)
		return;
	fputs("FAIL: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int th_tmpdir(char dir[TH_PATH], const char *name)
{
	snprintf(dir, TH_PATH, "/tmp/tenantfs-%s-XXXXXX", name);
	if (mkdtemp(dir))
		return 0;
	printf("# cannot make %s: %s\n", dir, strerror(errno));
	return -1;
}

static int remove_entry(const char *path, const struct stat *sb, int flag,
			struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int th_rmtree(const char *dir, bool keep)
{
	if (keep || getenv("TFS_KEEP_TMP")) {
		printf("# kept %s\n", dir);
		return 0;
	}
	/* Depth first, and links are removed, never followed out of it. */
	if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0)
		return 0;
	printf("# could not remove %s: %s\n", dir, strerror(errno));
	return -1;
}

static int store_path(char store[TH_PATH], const char *dir, const char *name)
{
	int n = snprintf(store, TH_PATH, "%s/%s", dir, name);

	if (n < 0 || n >= TH_PATH)
		return tfs_error_set(TFS_EINVALID, "store path too long");
	return 0;
}

int th_demo_store(char store[TH_PATH], const char *dir, const char *name)
{
	int error = store_path(store, dir, name);

	return error < 0 ? error :
			   tfs_store_create_seeded(store, &tfs_demo_seed);
}

int th_empty_store(char store[TH_PATH], const char *dir, const char *name)
{
	int error = store_path(store, dir, name);

	return error < 0 ? error : tfs_store_create(store);
}

int th_store_open(tfs_store **out, const char *store)
{
	return tfs_store_open(out, store, getuid());
}

int64_t th_find(tfs_store *st, tfs_entity ent, int64_t parent, const char *name)
{
	tfs_row row;

	return tfs_store_find(&row, st, ent, parent, name) == 0 ? row.id : 0;
}

tfs_inst *th_inst(tfs_store *st, const char *tenant, const char *name)
{
	tfs_row t, row;

	if (tfs_store_find(&t, st, TFS_ENT_TENANT, 0, tenant) < 0 ||
	    tfs_store_find(&row, st, TFS_ENT_INSTANCE, t.id, name) < 0)
		return NULL;
	return tfs_store_inst(st, row.id);
}

void th_conf_get(char *out, size_t size, tfs_store *st, tfs_entity ent,
		 int64_t id, const char *key)
{
	tfs_buf b = TFS_BUF_INIT;
	char pat[64];
	const char *p;

	out[0] = '\0';
	/* At the start of a line only: "tiers = " is not "max_tiers = ". */
	snprintf(pat, sizeof(pat), "\n%s = ", key);
	if (tfs_store_conf_render(&b, st, ent, id) == 0 && b.ptr &&
	    ((p = strstr(b.ptr, pat + 1)) == b.ptr ||
	     (p = strstr(b.ptr, pat)))) {
		p += p == b.ptr ? strlen(pat + 1) : strlen(pat);
		snprintf(out, size, "%.*s", (int)strcspn(p, "\n"), p);
	}
	tfs_buf_free(&b);
}

bool th_git_fsck(const char *store)
{
	char cmd[TH_PATH + 100];

	snprintf(cmd, sizeof(cmd),
		 "git --git-dir='%s/history.git' fsck "
		 "--no-progress >/dev/null 2>&1",
		 store);
	return system(cmd) == 0;
}

int th_walk(tfs_attr *out, tfs_tree *t, const char *path, const tfs_caller *who)
{
	char buf[1024], *p, *save = NULL;
	uint64_t ino = TFS_ROOT_INO;
	int error;

	snprintf(buf, sizeof(buf), "%s", path);
	error = tfs_tree_getattr(out, t, ino, who);
	for (p = strtok_r(buf, "/", &save); p && !error;
	     p = strtok_r(NULL, "/", &save)) {
		error = tfs_tree_lookup(out, t, ino, p, who);
		ino = out->ino;
	}
	return error;
}

int th_read_ino(tfs_buf *out, tfs_tree *t, uint64_t ino, const tfs_caller *who)
{
	tfs_file *f;
	bool direct, keep;
	int error;

	/* tfs_file_read appends: the whole file, not the rest after it. */
	tfs_buf_clear(out);
	if ((error = tfs_tree_open(&f, t, ino, O_RDONLY, who, &direct, &keep)) <
	    0)
		return error;
	error = tfs_file_read(out, t, f, 0, 1 << 30);
	tfs_file_release(t, f);
	return error;
}

int th_read_all(tfs_buf *out, tfs_tree *t, const char *path,
		const tfs_caller *who)
{
	tfs_attr a;
	int error;

	tfs_buf_clear(out);
	if ((error = th_walk(&a, t, path, who)) < 0)
		return error;
	return th_read_ino(out, t, a.ino, who);
}

char *th_replace(const char *s, const char *from, const char *to)
{
	const char *p = s ? strstr(s, from) : NULL;
	size_t n;
	char *r;

	if (!p)
		return NULL;
	n = strlen(s) - strlen(from) + strlen(to) + 1;
	if (!(r = malloc(n)))
		return NULL;
	snprintf(r, n, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
	return r;
}
