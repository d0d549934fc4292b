/*
 * TAP-style checks shared by unit tests: each CHECK prints "ok N - what"
 * or "not ok N - what (file:line; last error: ...)" and counts; main()
 * ends with "N tests, N failed".  Include once, in the test's .c file.
 */
#ifndef TENANTFS_TEST_TAP_H
#define TENANTFS_TEST_TAP_H

#include <stdio.h>

#include "tenantfs/error.h"

static int failures, count;

#define CHECK(cond, ...) do { \
	count++; \
	if (cond) { \
		printf("ok %d - ", count); printf(__VA_ARGS__); printf("\n"); \
	} else { \
		failures++; \
		printf("not ok %d - ", count); printf(__VA_ARGS__); \
		printf(" (%s:%d; last error: %s)\n", __FILE__, __LINE__, \
		       tfs_error_last()); \
	} \
} while (0)

#endif
