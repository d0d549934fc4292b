/*
 * The attribute-count pre-scan (xml_scan.h).  A small state machine over
 * bytes: text, markup that is not a start tag (comments, CDATA sections,
 * processing instructions, declarations and end tags, skipped to their
 * terminator), and start tags, where '=' outside a quoted value is one
 * attribute.  One pass, constant memory, any chunking.
 */
#include "xml_scan.h"

#include "tenantfs/error.h"

enum {
	S_TEXT,  /* character data */
	S_LT,    /* just after '<' */
	S_TAG,   /* in a start tag, outside values */
	S_VALUE, /* in a quoted attribute value */
	S_BANG,  /* "<!": a comment, CDATA or declaration follows */
	S_SKIP,  /* in markup skipped to `end` */
};

/* Terminators of skipped markup, by kind. */
static const char *const ends[] = { ">", "-->", "]]>", "?>" };

void xml_scan_init(xml_scan *s)
{
	s->state = S_TEXT;
	s->quote = 0;
	s->attrs = 0;
	s->match = 0;
	s->line = 1;
	s->tag_line = 1;
}

/* Skip markup until `end`; the kind is kept in `quote` (index in ends). */
static void skip_to(xml_scan *s, int kind)
{
	s->state = S_SKIP;
	s->quote = (char)kind;
	s->match = 0;
}

static int feed_one(xml_scan *s, char c)
{
	const char *end;

	switch (s->state) {
	case S_TEXT:
		if (c == '<')
			s->state = S_LT;
		break;
	case S_LT:
		s->tag_line = s->line;
		if (c == '!') {
			s->state = S_BANG;
		} else if (c == '?') {
			skip_to(s, 3);
		} else if (c == '/') {
			skip_to(s, 0);
		} else {
			s->state = S_TAG;
			s->attrs = 0;
		}
		break;
	case S_BANG:
		/* "<!-" opens a comment, "<![" a CDATA section; anything
		 * else (a DOCTYPE) ends at '>' for our purpose. */
		skip_to(s, c == '-' ? 1 : c == '[' ? 2 : 0);
		break;
	case S_SKIP:
		end = ends[(int)s->quote];
		if (c == end[s->match]) {
			if (!end[++s->match])
				s->state = S_TEXT;
		} else if (!(s->match == 2 && c == end[0] && end[1] == c)) {
			/* ("--->" and "]]]>" still end where they should) */
			s->match = c == end[0] ? 1 : 0;
		}
		break;
	case S_TAG:
		if (c == '"' || c == '\'') {
			s->state = S_VALUE;
			s->quote = c;
		} else if (c == '=') {
			if (++s->attrs > XML_SCAN_MAX_ATTRS)
				return tfs_error_set(
					TFS_EINVALID,
					"line %ld: "
					"an element with more than %d "
					"attributes",
					s->tag_line, XML_SCAN_MAX_ATTRS);
		} else if (c == '>') {
			s->state = S_TEXT;
		}
		break;
	case S_VALUE:
		if (c == s->quote)
			s->state = S_TAG;
		break;
	}
	return 0;
}

int xml_scan_feed(xml_scan *s, const char *p, size_t len)
{
	size_t i;
	int error;

	for (i = 0; i < len; i++) {
		if (p[i] == '\n')
			s->line++;
		if ((error = feed_one(s, p[i])) < 0)
			return error;
	}
	return 0;
}
