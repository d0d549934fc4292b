/*
 * TAP-style checks shared by unit tests: each CHECK prints "ok N - what"
 * or "not ok N - what (file:line; last error: ...)", counts, and is true
 * when the check passed (so a test can show more on a failure: see
 * test_package's CHECK_R); main() ends with "N tests, N failed".
 * Include once, in the test's .c file.
 */
#ifndef TENANTFS_TEST_TAP_H
#define TENANTFS_TEST_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "tenantfs/error.h"

static int failures, count;
static bool tap_pass;

static bool tap_check(bool pass, const char *file, int line, const char *fmt,
		      ...) __attribute__((format(printf, 4, 5), unused));

static bool tap_check(bool pass, const char *file, int line, const char *fmt,
		      ...)
{
	va_list ap;

	count++;
	if (!pass)
		failures++;
	printf("%sok %d - ", pass ? "" : "not ", count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!pass)
		printf(" (%s:%d; last error: %s)", file, line,
		       tfs_error_last());
	printf("\n");
	return pass;
}

/* The condition is evaluated before the message's arguments (in a call
 * their order would be open), so a message shows what the condition set,
 * and before tfs_error_last() is read. */
#define CHECK(cond, ...)    \
	(tap_pass = (cond), \
	 tap_check(tap_pass, __FILE__, __LINE__, __VA_ARGS__))

#endif
