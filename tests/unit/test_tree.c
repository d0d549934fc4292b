/*
 * Unit tests of the store, instances and the tree, without a mount: the
 * same calls fs/ makes, on a demo store in a temporary directory.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "tenantfs/demo.h"
#include "tenantfs/error.h"
#include "tenantfs/instance.h"
#include "tenantfs/store.h"
#include "tenantfs/tree.h"

static tfs_caller root = {0, 0};

/* Resolve a path below the root to its attributes. */
static int walk(tfs_attr *out, tfs_tree *t, const char *path)
{
	char buf[1024], *p, *save = NULL;
	uint64_t ino = TFS_ROOT_INO;
	int error = 0;

	snprintf(buf, sizeof(buf), "%s", path);
	error = tfs_tree_getattr(out, t, ino, &root);
	for (p = strtok_r(buf, "/", &save); p && !error;
	     p = strtok_r(NULL, "/", &save)) {
		error = tfs_tree_lookup(out, t, ino, p, &root);
		ino = out->ino;
	}
	return error;
}

static int read_all(tfs_buf *out, tfs_tree *t, const char *path)
{
	tfs_file *f;
	tfs_attr a;
	bool direct, keep;
	int error;

	if ((error = walk(&a, t, path)) < 0 ||
	    (error = tfs_tree_open(&f, t, a.ino, O_RDONLY, &root, &direct,
				   &keep)) < 0)
		return error;
	error = tfs_file_read(out, t, f, 0, 1 << 30);
	tfs_file_release(t, f);
	return error;
}

/* Open for writing with O_TRUNC, write, flush: returns the flush result. */
static int write_all(tfs_tree *t, const char *path, const char *text)
{
	char dir[1024], *slash;
	tfs_file *f;
	tfs_attr a;
	bool direct, keep;
	int error;

	if (walk(&a, t, path) == 0) {
		error = tfs_tree_open(&f, t, a.ino, O_WRONLY | O_TRUNC, &root,
				      &direct, &keep);
	} else {
		snprintf(dir, sizeof(dir), "%s", path);
		slash = strrchr(dir, '/');
		*slash = '\0';
		if ((error = walk(&a, t, dir)) < 0)
			return error;
		error = tfs_tree_create(&f, &a, t, a.ino, slash + 1, 0100644,
					O_WRONLY | O_CREAT | O_TRUNC, &root);
	}
	if (error < 0)
		return error;
	error = tfs_file_write(t, f, 0, text, strlen(text));
	if (!error)
		error = tfs_file_flush(t, f);
	tfs_file_release(t, f);
	return error;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

static char *replace(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	size_t n;
	char *r;

	if (!p)
		return NULL;
	n = strlen(s) - strlen(from) + strlen(to) + 1;
	r = malloc(n);
	snprintf(r, n, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
	return r;
}

#define STG "tenants/acme/staging/"

int main(void)
{
	char dir[] = "/tmp/tenantfs-unit-XXXXXX", store[256], cmd[512];
	tfs_buf b = TFS_BUF_INIT, b2 = TFS_BUF_INIT, hist = TFS_BUF_INIT;
	tfs_store *st = NULL;
	tfs_tree *t = NULL;
	tfs_attr a, a2;
	char *changed;
	int error, lines;

	if (!mkdtemp(dir))
		return 1;
	snprintf(store, sizeof(store), "%s/store", dir);
	error = tfs_store_create_seeded(store, &tfs_demo_seed);
	CHECK(error == 0, "demo store created");
	if (error)
		return 1;
	error = tfs_store_open(&st, store, getuid());
	CHECK(error == 0, "store opens");
	if (error)
		return 1;
	{
		tfs_store *second = NULL;
		error = tfs_store_open(&second, store, getuid());
		CHECK(error == TFS_EBUSY, "a second open is refused");
		tfs_store_free(second);
	}
	CHECK(tfs_tree_new(&t, st, getuid(), getgid()) == 0, "tree");

	/* Browsing. */
	CHECK(walk(&a, t, STG "metadata/Form/Incident.Default.xml") == 0,
	      "Incident.Default form exists");
	CHECK(read_all(&b, t, STG "metadata/Form/Incident.Default.xml") == 0
	      && b.size == a.size, "size equals bytes read (%zu)", b.size);
	CHECK(walk(&a2, t, "tenants/acme/production/metadata/Form/"
		   "Incident.Default.xml") == 0 && a2.ino != a.ino,
	      "production has its own inode");
	tfs_buf_clear(&b2);
	CHECK(read_all(&b2, t, "tenants/acme/production/metadata/Form/"
		       "Incident.Default.xml") == 0 && b2.size == b.size &&
	      memcmp(b.ptr, b2.ptr, b.size) == 0,
	      "staging and production render the same bytes");
	CHECK(walk(&a, t, STG "metadata/Nope") == TFS_ENOTFOUND,
	      "unknown type directory is not found");
	tfs_buf_clear(&b);
	CHECK(read_all(&b, t, STG "instance.conf") == 0 &&
	      strstr(b.ptr, "metadata_locked = false") &&
	      strstr(b.ptr, "api_key = ***"), "instance.conf with secret "
	      "masked");

	/* An edit: one commit, one transaction set. */
	tfs_buf_clear(&hist);
	read_all(&hist, t, STG "history/log");
	lines = count_lines(hist.ptr);
	tfs_buf_clear(&b);
	read_all(&b, t, STG "metadata/BusinessObject/Incident.xml");
	changed = replace(b.ptr, "<Field name=", "<Field description=\"x\" "
			  "name=");
	CHECK(changed && write_all(t, STG "metadata/BusinessObject/"
				   "Incident.xml", changed) == 0,
	      "a valid edit is stored");
	free(changed);
	tfs_buf_clear(&hist);
	read_all(&hist, t, STG "history/log");
	CHECK(count_lines(hist.ptr) == lines + 1 &&
	      strstr(hist.ptr, " admin Update metadata/BusinessObject/"
		     "Incident.xml"), "one new history line by admin");
	CHECK(walk(&a, t, STG "projects/default/transaction-sets/1.xml") == 0,
	      "transaction set 1 in the default project");

	/* Rejections change nothing. */
	tfs_buf_clear(&b);
	read_all(&b, t, STG "metadata/Form/Incident.Default.xml");
	error = write_all(t, STG "metadata/Form/Incident.Default.xml",
			  "<Form");
	CHECK(error == TFS_EINVALID, "malformed save rejected");
	changed = replace(b.ptr, "name=\"Incident.Default\"",
			  "name=\"Other\"");
	error = write_all(t, STG "metadata/Form/Incident.Default.xml",
			  changed);
	free(changed);
	CHECK(error == TFS_EINVALID, "name mismatch rejected");
	tfs_buf_clear(&b2);
	read_all(&b2, t, STG "metadata/Form/Incident.Default.xml");
	CHECK(b.size == b2.size && !memcmp(b.ptr, b2.ptr, b.size),
	      "bytes unchanged after rejections");
	tfs_buf_clear(&b2);
	read_all(&b2, t, STG "log");
	CHECK(strstr(b2.ptr, "reject metadata/Form/Incident.Default.xml") &&
	      strstr(b2.ptr, "does not match"), "reason in the log");
	tfs_buf_clear(&b2);
	read_all(&b2, t, STG "instance.conf");
	changed = replace(b2.ptr, "status = active", "colour = blue");
	CHECK(write_all(t, STG "instance.conf", changed) == TFS_EINVALID,
	      "unknown key in instance.conf rejected");
	free(changed);
	changed = replace(b2.ptr, "version = ", "version = 9");
	CHECK(write_all(t, STG "instance.conf", changed) == TFS_EINVALID,
	      "read-only key rejected");
	free(changed);

	/* Locked production. */
	CHECK(write_all(t, "tenants/acme/production/metadata/Form/"
			"Incident.Default.xml", b.ptr) == TFS_ELOCKED,
	      "production form is locked");

	/* Temporary files and rename onto an object (sed -i). */
	tfs_buf_clear(&b);
	read_all(&b, t, STG "metadata/Form/Incident.Default.xml");
	changed = replace(b.ptr, "<FieldRef ", "<FieldRef description=\"y\" ");
	CHECK(write_all(t, STG "metadata/Form/sedAbC123", changed) == 0,
	      "temporary file written");
	free(changed);
	CHECK(walk(&a, t, STG "metadata/Form") == 0 &&
	      tfs_tree_rename(t, a.ino, "sedAbC123", a.ino,
			      "Incident.Default.xml", 0, &root) == 0,
	      "rename of the temporary file onto the object stores it");
	CHECK(walk(&a2, t, STG "metadata/Form/sedAbC123") == TFS_ENOTFOUND,
	      "temporary name gone");

	/* Revert the last commit. */
	tfs_buf_clear(&hist);
	read_all(&hist, t, STG "history/log");
	{
		int n = (int)strtol(hist.ptr, NULL, 10);
		char num[16];
		snprintf(num, sizeof(num), "%d\n", n);
		CHECK(write_all(t, STG "revert", num) == 0, "revert %d", n);
		tfs_buf_clear(&b2);
		read_all(&b2, t, STG "metadata/Form/Incident.Default.xml");
		CHECK(b2.size == b.size && !memcmp(b.ptr, b2.ptr, b.size),
		      "revert restored the earlier bytes");
	}

	tfs_tree_free(t);
	tfs_store_free(st);
	snprintf(cmd, sizeof(cmd), "git --git-dir=%s/history.git fsck "
		 "--no-progress >/dev/null 2>&1", store);
	CHECK(system(cmd) == 0, "git fsck clean");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (!failures)
		system(cmd);
	tfs_buf_free(&b);
	tfs_buf_free(&b2);
	tfs_buf_free(&hist);
	printf("%d tests, %d failed\n", count, failures);
	return failures ? 1 : 0;
}
