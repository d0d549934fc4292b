/*
 * Thread-local last-error message.  Each engine failure path sets it once
 * at the point where the cause is known; callers higher up return the code
 * unchanged so the most specific message survives.
 */
#include <stdarg.h>
#include <stdio.h>

#include "tenantfs/error.h"

static _Thread_local char last_message[512];

const char *tfs_error_last(void)
{
	return last_message;
}

int tfs_error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_message, sizeof(last_message), fmt, ap);
	va_end(ap);
	return code;
}

void tfs_error_clear(void)
{
	last_message[0] = '\0';
}
