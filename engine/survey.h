/*
 * Pass 1 of a package import (import_survey.c).  Engine-internal.
 */
#ifndef TENANTFS_SURVEY_H
#define TENANTFS_SURVEY_H

#include <stdbool.h>
#include <stdint.h>

/* What pass 1 learns of a package. */
struct pkg_survey {
	uint64_t total; /* <transaction> elements, for progress */
	char name[256]; /* the first <package>'s name and state */
	char state[16];
	char type[16];
	char description[512];
	char source[160]; /* "<tenant>/<instance>" it was exported from */
	/* Its own <aspect>s, "id version vendor-id yes|no" a line (at most
	 * SURVEY_ASPECTS; more are ignored here, as pass 2 never reads
	 * them). */
	char aspects[4096];
	bool any_open; /* some (sub-)package is not closed */
};
#define SURVEY_ASPECTS 32

/*
 * Check the package file at `path`: well formed, root <package>, no
 * DOCTYPE or entities, format 1, sub-package orders increasing.  0, or
 * TFS_EINVALID with the reason (TFS_ERROR if out of memory).  *out holds
 * what was read, also on failure.
 */
int pkg_survey(struct pkg_survey *out, const char *path);

#endif
