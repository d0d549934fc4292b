/*
 * A unified diff (diff -u style, three lines of context) of two texts, for
 * previews of what a package or a push would change: libgit2's
 * (git_patch_from_buffers, xdiff underneath), with our own file header so
 * that an added or removed object reads `--- /dev/null` or `+++ /dev/null`
 * as diff(1) and patch(1) expect.
 */
#include <string.h>

#include <git2.h>

#include "internal.h"
#include "tenantfs/error.h"

/* "@@ -1,5 +1,5 @@" of a hunk's header: diff -u's, without the line git
 * adds after it as the hunk's context. */
static size_t head_len(const git_diff_hunk *hunk)
{
	size_t n = hunk->header_len;
	size_t i;

	for (i = 2; i + 1 < n; i++)
		if (hunk->header[i] == '@' && hunk->header[i + 1] == '@')
			return i + 2;
	return n;
}

static int put_line(const git_diff_delta *delta, const git_diff_hunk *hunk,
		    const git_diff_line *line, void *payload)
{
	tfs_buf *out = payload;
	char origin = line->origin;

	(void)delta;
	if (origin == GIT_DIFF_LINE_FILE_HDR)
		return 0; /* ours is written first */
	if (origin == GIT_DIFF_LINE_HUNK_HDR)
		return tfs_buf_put(out, hunk->header, head_len(hunk)) < 0 ||
				       tfs_buf_puts(out, "\n") < 0 ?
			       -1 :
			       0;
	if ((origin == GIT_DIFF_LINE_CONTEXT ||
	     origin == GIT_DIFF_LINE_ADDITION ||
	     origin == GIT_DIFF_LINE_DELETION) &&
	    tfs_buf_put(out, &origin, 1) < 0)
		return -1;
	return tfs_buf_put(out, line->content, line->content_len) < 0 ? -1 : 0;
}

int diff_unified(tfs_buf *out, const char *path, const char *old, size_t oldlen,
		 const char *new, size_t newlen)
{
	git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
	git_patch *patch = NULL;
	int error;

	if (old && new &&oldlen == newlen && memcmp(old, new, oldlen) == 0)
		return 0;
	opts.flags = GIT_DIFF_FORCE_TEXT;
	if (git_patch_from_buffers(&patch, old, old ? oldlen : 0, path, new,
				   new ? newlen : 0, path, &opts) < 0)
		return tfs_error_set(TFS_ERROR, "diff of %s: %s", path,
				     git_error_last() ?
					     git_error_last()->message :
					     "failed");
	if (!patch || git_patch_num_hunks(patch) == 0) {
		git_patch_free(patch);
		return 0;
	}
	error = tfs_buf_printf(out, "--- %s%s\n+++ %s%s\n", old ? "a/" : "",
			       old ? path : "/dev/null", new ? "b/" : "",
			       new ? path : "/dev/null");
	if (!error && git_patch_print(patch, put_line, out) < 0)
		error = tfs_error_set(TFS_ERROR, "diff of %s: out of memory",
				      path);
	git_patch_free(patch);
	return error;
}
