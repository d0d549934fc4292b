/*
 * A linear pre-scan of XML bytes, run before libxml2 sees them: libxml2
 * checks each attribute of a start tag against every earlier one, so a
 * tag of 100,000 attributes costs minutes of CPU before any rule of ours
 * can refuse it.  The scan counts each start tag's attributes as the
 * bytes stream by (chunks may split anything) and refuses a tag past
 * XML_SCAN_MAX_ATTRS, naming its line.  Nothing else is judged here:
 * libxml2 still parses (and refuses) everything else.
 */
#ifndef TENANTFS_XML_SCAN_H
#define TENANTFS_XML_SCAN_H

#include <stddef.h>

/* Far above any element of the object schema (the widest, Field, lists
 * 12: engine/SCHEMA.md, "3 What the gate refuses"). */
#define XML_SCAN_MAX_ATTRS 256

typedef struct xml_scan {
	int state;     /* enum in xml_scan.c */
	char quote;    /* the quote a value opened with */
	int attrs;     /* attributes of the start tag being read */
	int match;     /* characters of the current terminator seen */
	long line;     /* 1-based line of the current byte */
	long tag_line; /* line where the current tag started */
} xml_scan;

void xml_scan_init(xml_scan *s);
/* Scan the next `len` bytes: 0, or TFS_EINVALID with the line. */
int xml_scan_feed(xml_scan *s, const char *p, size_t len);

#endif
