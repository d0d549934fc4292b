/*
 * Helpers the kinds of node share: attributes of directories and files,
 * and the shapes of names (X.xml, x.conf, numbers).  No locks, no state.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "tree_internal.h"
#include "tenantfs/error.h"

void dir_attr(tfs_attr *a, uint64_t ino, int64_t mtime, bool cache)
{
	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->mode = S_IFDIR | 0755;
	a->nlink = 2;
	a->size = 4096;
	a->mtime = mtime;
	a->cacheable = cache;
}

void file_attr(tfs_attr *a, uint64_t ino, uint32_t perm, uint64_t size,
	       int64_t mtime, bool cache)
{
	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->mode = S_IFREG | perm;
	a->nlink = 1;
	a->size = size;
	a->mtime = mtime;
	a->cacheable = cache;
}

int text_attr(tfs_attr *out, tfs_tree *t, uint64_t ino, uint32_t perm,
	      int64_t mtime)
{
	tfs_buf b = TFS_BUF_INIT;
	bool direct;
	int error = tree_content(&b, t, ino, &direct);

	if (error == 0)
		file_attr(out, ino, perm, b.size, mtime, !direct);
	tfs_buf_free(&b);
	return error;
}

int scoped_events_attr(tfs_attr *out, tfs_tree *t, uint64_t ino,
		       int64_t tenant_id, int64_t inst_id)
{
	uint64_t size;
	int64_t mtime;
	int error;

	if ((error = tfs_store_events_scope_size(t->st, tenant_id, inst_id,
						 &size, &mtime)) < 0)
		return error;
	file_attr(out, ino, 0444, size, mtime ? mtime : t->mounted, false);
	return 0;
}

int64_t store_mtime(tfs_tree *t)
{
	uint64_t size;
	int64_t mtime = 0;

	tfs_store_events_size(t->st, &size, &mtime);
	return mtime ? mtime : t->mounted;
}

bool object_file_name(char out[256], const char *file)
{
	size_t n = strlen(file);

	if (n <= 4 || n - 4 >= 256 || strcmp(file + n - 4, ".xml") != 0)
		return false;
	memcpy(out, file, n - 4);
	out[n - 4] = '\0';
	return tfs_name_valid(out);
}

bool conf_name(char out[256], const char *file)
{
	size_t n = strlen(file);

	if (n <= 5 || n - 5 >= 256 || strcmp(file + n - 5, ".conf") != 0)
		return false;
	memcpy(out, file, n - 5);
	out[n - 5] = '\0';
	return true;
}

bool parse_uint(const char *s, int64_t *out)
{
	int64_t v = 0;

	if (!*s || (*s == '0' && s[1]))
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000000LL)
			return false;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return true;
}

bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && strcmp(s + n - k, suffix) == 0;
}

int find_name(const struct name_ino *list, const char *name)
{
	for (; list->name; list++)
		if (strcmp(list->name, name) == 0)
			return list->code;
	return -1;
}
