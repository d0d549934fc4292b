/*
 * Unit tests of the store, instances and the tree, without a mount: the
 * same calls fs/ makes, on a demo store in a temporary directory.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper.h"
#include "tap.h"
#include "tenantfs/error.h"
#include "tenantfs/instance.h"
#include "tenantfs/store.h"
#include "tenantfs/tree.h"

static tfs_caller root = { 0, 0 };

/* Open for writing with O_TRUNC, write, flush: returns the flush result. */
static int write_all(tfs_tree *t, const char *path, const char *text)
{
	char dir[1024], *slash;
	tfs_file *f;
	tfs_attr a;
	bool direct, keep;
	int error;

	if (th_walk(&a, t, path, &root) == 0) {
		error = tfs_tree_open(&f, t, a.ino, O_WRONLY | O_TRUNC, &root,
				      &direct, &keep);
	} else {
		snprintf(dir, sizeof(dir), "%s", path);
		slash = strrchr(dir, '/');
		*slash = '\0';
		if ((error = th_walk(&a, t, dir, &root)) < 0)
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

#define STG "tenants/acme/staging/"

int main(void)
{
	char dir[TH_PATH], store[TH_PATH];
	tfs_buf b = TFS_BUF_INIT, b2 = TFS_BUF_INIT, hist = TFS_BUF_INIT;
	tfs_store *st = NULL;
	tfs_tree *t = NULL;
	tfs_attr a, a2;
	char *changed;
	int error, lines;

	if (th_tmpdir(dir, "tree") < 0)
		return 1;
	error = th_demo_store(store, dir, "store");
	CHECK(error == 0, "demo store created");
	if (error)
		return 1;
	error = th_store_open(&st, store);
	CHECK(error == 0, "store opens");
	if (error)
		return 1;
	{
		tfs_store *second = NULL;
		error = th_store_open(&second, store);
		CHECK(error == TFS_EBUSY, "a second open is refused");
		tfs_store_free(second);
	}
	CHECK(tfs_tree_new(&t, st, getuid(), getgid()) == 0, "tree");

	/* Browsing. */
	CHECK(th_walk(&a, t, STG "metadata/Form/Incident.Default.xml", &root) ==
		      0,
	      "Incident.Default form exists");
	CHECK(th_read_all(&b, t, STG "metadata/Form/Incident.Default.xml",
			  &root) == 0 &&
		      b.size == a.size,
	      "size equals bytes read (%zu)", b.size);
	CHECK(th_walk(&a2, t,
		      "tenants/acme/production/metadata/Form/"
		      "Incident.Default.xml",
		      &root) == 0 &&
		      a2.ino != a.ino,
	      "production has its own inode");
	CHECK(th_read_all(&b2, t,
			  "tenants/acme/production/metadata/Form/"
			  "Incident.Default.xml",
			  &root) == 0 &&
		      b2.size == b.size && memcmp(b.ptr, b2.ptr, b.size) == 0,
	      "staging and production render the same bytes");
	CHECK(th_walk(&a, t, STG "metadata/Nope", &root) == TFS_ENOTFOUND,
	      "unknown type directory is not found");
	CHECK(th_read_all(&b, t, STG "instance.conf", &root) == 0 &&
		      strstr(b.ptr, "metadata_locked = false") &&
		      strstr(b.ptr, "api_key = ***"),
	      "instance.conf with secret "
	      "masked");

	/* An edit: one commit, one transaction set. */
	th_read_all(&hist, t, STG "history/log", &root);
	lines = count_lines(hist.ptr);
	th_read_all(&b, t, STG "metadata/BusinessObject/Incident.xml", &root);
	changed = th_replace(b.ptr, "<Field name=",
			     "<Field description=\"x\" "
			     "name=");
	CHECK(changed && write_all(t,
				   STG "metadata/BusinessObject/"
				       "Incident.xml",
				   changed) == 0,
	      "a valid edit is stored");
	free(changed);
	th_read_all(&hist, t, STG "history/log", &root);
	CHECK(count_lines(hist.ptr) == lines + 1 &&
		      strstr(hist.ptr, " admin Update metadata/BusinessObject/"
				       "Incident.xml"),
	      "one new history line by admin");
	CHECK(th_walk(&a, t, STG "projects/default/transaction-sets/1.xml",
		      &root) == 0,
	      "transaction set 1 in the default project");

	/* Rejections change nothing. */
	th_read_all(&b, t, STG "metadata/Form/Incident.Default.xml", &root);
	error = write_all(t, STG "metadata/Form/Incident.Default.xml", "<Form");
	CHECK(error == TFS_EINVALID, "malformed save rejected");
	changed = th_replace(b.ptr, "name=\"Incident.Default\"",
			     "name=\"Other\"");
	error = write_all(t, STG "metadata/Form/Incident.Default.xml", changed);
	free(changed);
	CHECK(error == TFS_EINVALID, "name mismatch rejected");
	th_read_all(&b2, t, STG "metadata/Form/Incident.Default.xml", &root);
	CHECK(b.size == b2.size && !memcmp(b.ptr, b2.ptr, b.size),
	      "bytes unchanged after rejections");
	th_read_all(&b2, t, STG "log", &root);
	CHECK(strstr(b2.ptr, "reject metadata/Form/Incident.Default.xml") &&
		      strstr(b2.ptr, "does not match"),
	      "reason in the log");
	th_read_all(&b2, t, STG "instance.conf", &root);
	changed = th_replace(b2.ptr, "status = active", "colour = blue");
	CHECK(write_all(t, STG "instance.conf", changed) == TFS_EINVALID,
	      "unknown key in instance.conf rejected");
	free(changed);
	changed = th_replace(b2.ptr, "version = ", "version = 9");
	CHECK(write_all(t, STG "instance.conf", changed) == TFS_EINVALID,
	      "read-only key rejected");
	free(changed);

	/* Locked production. */
	CHECK(write_all(t,
			"tenants/acme/production/metadata/Form/"
			"Incident.Default.xml",
			b.ptr) == TFS_ELOCKED,
	      "production form is locked");

	/* Temporary files and rename onto an object (sed -i). */
	th_read_all(&b, t, STG "metadata/Form/Incident.Default.xml", &root);
	changed = th_replace(b.ptr, "<FieldRef ",
			     "<FieldRef description=\"y\" ");
	CHECK(write_all(t, STG "metadata/Form/sedAbC123", changed) == 0,
	      "temporary file written");
	free(changed);
	CHECK(th_walk(&a, t, STG "metadata/Form", &root) == 0 &&
		      tfs_tree_rename(t, a.ino, "sedAbC123", a.ino,
				      "Incident.Default.xml", 0, &root) == 0,
	      "rename of the temporary file onto the object stores it");
	CHECK(th_walk(&a2, t, STG "metadata/Form/sedAbC123", &root) ==
		      TFS_ENOTFOUND,
	      "temporary name gone");

	/* Revert the last commit. */
	th_read_all(&hist, t, STG "history/log", &root);
	{
		int n = (int)strtol(hist.ptr, NULL, 10);
		char num[16];
		snprintf(num, sizeof(num), "%d\n", n);
		CHECK(write_all(t, STG "revert", num) == 0, "revert %d", n);
		th_read_all(&b2, t, STG "metadata/Form/Incident.Default.xml",
			    &root);
		CHECK(b2.size == b.size && !memcmp(b.ptr, b2.ptr, b.size),
		      "revert restored the earlier bytes");
	}

	tfs_tree_free(t);
	tfs_store_free(st);
	CHECK(th_git_fsck(store), "git fsck clean");
	th_rmtree(dir, failures);
	tfs_buf_free(&b);
	tfs_buf_free(&b2);
	tfs_buf_free(&hist);
	printf("%d tests, %d failed\n", count, failures);
	return failures ? 1 : 0;
}
