/*
 * The tree under several threads at once, without a mount: the calls fs/
 * makes from its worker threads, racing on the tree's in-memory tables
 * (temporary files made, renamed and removed, history snapshots looked up
 * and forgotten, listings) while another thread saves objects, whose
 * change observer takes the tree's lock from inside the engine.  Checks
 * that every call answers as it would alone and that nothing is left
 * behind; run it under TSan to see the races themselves.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper.h"
#include "tap.h"
#include "tenantfs/error.h"
#include "tenantfs/store.h"
#include "tenantfs/tree.h"

#define STG    "tenants/acme/staging/"
#define ROUNDS 150
#define SAVES  12

static tfs_caller root = { 0, 0 };

static int count_entry(void *ctx, const char *name, const tfs_attr *a)
{
	(*(int *)ctx)++;
	return 0;
}

struct job {
	tfs_tree *t;
	uint64_t dir;     /* staging/metadata/Form */
	uint64_t history; /* staging/history */
	int id;
	int failures;
	char why[256];
};

static void fail(struct job *j, const char *what, int error)
{
	if (!j->failures++)
		snprintf(j->why, sizeof(j->why), "%s: %d %s", what, error,
			 tfs_error_last());
}

/* Temporary files: create, write, flush, look up, rename, list, remove,
 * forget; and history/1 looked up, listed and forgotten. */
static void *scratch_worker(void *arg)
{
	struct job *j = arg;
	char name[64], other[64];
	tfs_attr a;
	tfs_file *f;
	int i, error, n;

	for (i = 0; i < ROUNDS; i++) {
		snprintf(name, sizeof(name), ".tfs%d-%d.swp", j->id, i);
		snprintf(other, sizeof(other), ".tfs%d-%d.tmp", j->id, i);
		if ((error = tfs_tree_create(&f, &a, j->t, j->dir, name,
					     0100644, O_WRONLY | O_CREAT,
					     &root)) < 0) {
			fail(j, "create", error);
			continue;
		}
		if ((error = tfs_file_write(j->t, f, 0, "scratch", 7)) < 0 ||
		    (error = tfs_file_flush(j->t, f)) < 0)
			fail(j, "write", error);
		tfs_file_release(j->t, f);
		tfs_tree_forget(j->t, a.ino, 1);
		if ((error = tfs_tree_lookup(&a, j->t, j->dir, name, &root)) <
			    0 ||
		    a.size != 7)
			fail(j, "lookup of a temporary file", error);
		else
			tfs_tree_forget(j->t, a.ino, 1);
		if ((error = tfs_tree_rename(j->t, j->dir, name, j->dir, other,
					     0, &root)) < 0)
			fail(j, "rename", error);
		n = 0;
		if ((error = tfs_tree_readdir(j->t, j->dir, count_entry, &n,
					      &root)) < 0 ||
		    n == 0)
			fail(j, "readdir", error);
		if ((error = tfs_tree_unlink(j->t, j->dir, other, &root)) < 0)
			fail(j, "unlink", error);
		if (tfs_tree_lookup(&a, j->t, j->dir, other, &root) !=
		    TFS_ENOTFOUND)
			fail(j, "removed name still found", 0);
		if ((error = tfs_tree_lookup(&a, j->t, j->history, "1",
					     &root)) < 0) {
			fail(j, "history/1", error);
			continue;
		}
		n = 0;
		if ((error = tfs_tree_readdir(j->t, a.ino, count_entry, &n,
					      &root)) < 0 ||
		    n == 0)
			fail(j, "history/1 listing", error);
		tfs_tree_forget(j->t, a.ino, 1);
	}
	return NULL;
}

/* Saves of one object, each a commit whose observer takes the tree's
 * lock from inside the engine. */
static void *save_worker(void *arg)
{
	struct job *j = arg;
	tfs_buf b = TFS_BUF_INIT;
	char text[64], *p, *doc;
	tfs_attr a;
	tfs_file *f;
	int i, error;

	if ((error = th_walk(&a, j->t,
			     STG "metadata/BusinessObject/"
				 "Incident.xml",
			     &root)) < 0 ||
	    (error = th_read_ino(&b, j->t, a.ino, &root)) < 0 ||
	    !(p = strstr(b.ptr, "<Field name="))) {
		fail(j, "read Incident", error);
		return NULL;
	}
	for (i = 0; i < SAVES; i++) {
		size_t n = b.size + 64;
		snprintf(text, sizeof(text), "<Field description=\"t%d\" ", i);
		doc = malloc(n);
		snprintf(doc, n, "%.*s%s%s", (int)(p - b.ptr), b.ptr, text,
			 p + strlen("<Field "));
		if ((error = tfs_tree_open(&f, j->t, a.ino, O_WRONLY | O_TRUNC,
					   &root, &(bool){ false },
					   &(bool){ false })) < 0) {
			fail(j, "open for writing", error);
			free(doc);
			continue;
		}
		if ((error = tfs_file_write(j->t, f, 0, doc, strlen(doc))) <
			    0 ||
		    (error = tfs_file_flush(j->t, f)) < 0)
			fail(j, "save", error);
		tfs_file_release(j->t, f);
		free(doc);
	}
	tfs_buf_free(&b);
	return NULL;
}

/* Readers of stored files and listings. */
static void *read_worker(void *arg)
{
	struct job *j = arg;
	tfs_buf b = TFS_BUF_INIT;
	tfs_attr a;
	int i, error, n;

	for (i = 0; i < ROUNDS; i++) {
		if ((error = th_walk(&a, j->t,
				     STG "metadata/Form/"
					 "Incident.Default.xml",
				     &root)) < 0 ||
		    (error = th_read_ino(&b, j->t, a.ino, &root)) < 0 ||
		    b.size != a.size)
			fail(j, "read a form", error);
		n = 0;
		if ((error = tfs_tree_readdir(j->t, TFS_ROOT_INO, count_entry,
					      &n, &root)) < 0 ||
		    n != 8) /* README console.conf events landscapes
			     * licenses status tenants users */
			fail(j, "list the root", error);
	}
	tfs_buf_free(&b);
	return NULL;
}

int main(void)
{
	char dir[TH_PATH], store[TH_PATH];
	struct job jobs[5];
	pthread_t th[5];
	tfs_buf b = TFS_BUF_INIT;
	tfs_store *st = NULL;
	tfs_tree *t = NULL;
	tfs_attr form, hist;
	int i, n, lines0 = 0, lines1 = 0;

	if (th_tmpdir(dir, "tree-threads") < 0)
		return 1;
	if (th_demo_store(store, dir, "store") < 0 ||
	    th_store_open(&st, store) < 0 ||
	    tfs_tree_new(&t, st, getuid(), getgid()) < 0) {
		CHECK(0, "demo store and tree");
		return 1;
	}
	CHECK(th_walk(&form, t, STG "metadata/Form", &root) == 0 &&
		      th_walk(&hist, t, STG "history", &root) == 0,
	      "staging's directories");
	th_read_all(&b, t, STG "history/log", &root);
	for (i = 0; b.ptr && b.ptr[i]; i++)
		lines0 += b.ptr[i] == '\n';

	for (i = 0; i < 5; i++) {
		jobs[i] = (struct job){
			.t = t, .dir = form.ino, .history = hist.ino, .id = i
		};
		pthread_create(&th[i], NULL,
			       i < 3  ? scratch_worker :
			       i == 3 ? save_worker :
					read_worker,
			       &jobs[i]);
	}
	for (i = 0; i < 5; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 3; i++)
		CHECK(!jobs[i].failures, "temporary files, thread %d (%s)", i,
		      jobs[i].why);
	CHECK(!jobs[3].failures, "%d saves while others work (%s)", SAVES,
	      jobs[3].why);
	CHECK(!jobs[4].failures, "readers meanwhile (%s)", jobs[4].why);

	th_read_all(&b, t, STG "history/log", &root);
	for (i = 0; b.ptr && b.ptr[i]; i++)
		lines1 += b.ptr[i] == '\n';
	CHECK(lines1 == lines0 + SAVES, "one commit per save (%d -> %d)",
	      lines0, lines1);
	CHECK(th_read_all(&b, t, STG "metadata/BusinessObject/Incident.xml",
			  &root) == 0 &&
		      strstr(b.ptr, "description=\"t"
				    "11\""),
	      "the last save is what is stored");
	n = 0;
	tfs_tree_readdir(t, form.ino, count_entry, &n, &root);
	{
		tfs_attr x;
		int left = 0;
		char name[64];
		for (i = 0; i < 3 * ROUNDS; i++) {
			snprintf(name, sizeof(name), ".tfs%d-%d.tmp",
				 i / ROUNDS, i % ROUNDS);
			left += tfs_tree_lookup(&x, t, form.ino, name, &root) ==
				0;
		}
		CHECK(left == 0, "no temporary file is left (%d)", left);
	}
	CHECK(n > 0, "metadata/Form lists its %d forms", n);

	tfs_buf_free(&b);
	tfs_tree_free(t);
	tfs_store_free(st);
	if (th_rmtree(dir, false) < 0)
		return 1;
	printf("%d tests, %d failed\n", count, failures);
	return failures != 0;
}
