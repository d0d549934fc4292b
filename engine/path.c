/*
 * Object paths relative to an instance: "metadata/Form/X.xml",
 * "validation/X.xml", "master/Employee/K.xml",
 * "translations/de-DE/Form/X.xml" (type "de-DE/Form").  The one place that turns
 * (kind, type, name) into a path and back; history, transaction sets,
 * packages and messages all use these paths.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "tenantfs/error.h"

int obj_path(char *out, size_t size, tfs_kind kind, const char *type,
	     const char *name)
{
	int n;

	if (kind == TFS_KIND_VALIDATION)
		n = snprintf(out, size, "%s/%s.xml", tfs_kind_dir(kind), name);
	else
		n = snprintf(out, size, "%s/%s/%s.xml", tfs_kind_dir(kind),
			     type, name);
	if (n < 0 || (size_t)n >= size)
		return tfs_error_set(TFS_EINVALID, "path too long");
	return 0;
}

int tfs_obj_path(char *out, size_t size, tfs_kind kind, const char *type,
		 const char *name)
{
	return obj_path(out, size, kind, type, name);
}

int obj_path_split(const char *path, tfs_kind *kind, char type[256],
		   char name[256])
{
	char buf[600], *a, *b;
	size_t n;

	if (strlen(path) >= sizeof(buf))
		return tfs_error_set(TFS_EINVALID, "path too long");
	snprintf(buf, sizeof(buf), "%s", path);
	if (!(a = strchr(buf, '/')))
		goto bad;
	*a++ = '\0';
	if (tfs_kind_from_dir(kind, buf) < 0)
		goto bad;
	if (*kind == TFS_KIND_VALIDATION) {
		type[0] = '\0';
		b = a;
	} else {
		if (!(b = strchr(a, '/')))
			goto bad;
		/* a translation's type is "<locale>/<Type>" */
		if (*kind == TFS_KIND_TRANSLATION && !(b = strchr(b + 1, '/')))
			goto bad;
		*b++ = '\0';
		snprintf(type, 256, "%s", a);
	}
	n = strlen(b);
	if (n < 5 || n - 4 >= 256 || strcmp(b + n - 4, ".xml") != 0 ||
	    strchr(b, '/'))
		goto bad;
	snprintf(name, 256, "%.*s", (int)(n - 4), b);
	if (!tfs_type_valid(*kind, type) || !tfs_name_valid(name))
		goto bad;
	return 0;
bad:
	return tfs_error_set(TFS_EINVALID, "'%s' is not an object path", path);
}
