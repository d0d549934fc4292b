/*
 * Unit test of engine/doc*.c: canonical bytes of sample documents, that
 * canonical bytes parse to themselves, that formatting differences vanish,
 * every rejection with its message, secrets, references, guid filling, the
 * small helpers of doc.h, thread safety and silence on stderr.
 *
 * Plain C, TAP-like output ("ok N - ...", "not ok N - ..."); exits 1 if
 * any check failed.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "tenantfs/buf.h"
#include "tenantfs/doc.h"
#include "tenantfs/error.h"

#define G1 "6f1c0000-aaaa-4bbb-8ccc-0123456789ab"
#define G2 "0b7c6e4e-1d2a-4c3b-9f00-5a6b7c8d9e0f"

static tfs_doc *parse(tfs_kind kind, const char *type, const char *name,
		      const char *xml, const char *guid)
{
	tfs_doc *d = NULL;

	if (tfs_doc_parse(&d, kind, type, name, xml, strlen(xml), guid) != 0)
		return NULL;
	return d;
}

/* The canonical bytes of `xml` equal `want`, and parse to themselves. */
static void expect_canon(tfs_kind kind, const char *type, const char *name,
			 const char *xml, const char *want, const char *desc)
{
	tfs_doc *d = parse(kind, type, name, xml, NULL), *again = NULL;
	char what[256];

	if (!d)
		printf("# error: %s\n", tfs_error_last());
	else if (strcmp(d->canon, want) != 0)
		printf("# got:\n%s# want:\n%s", d->canon, want);
	CHECK(d && strcmp(d->canon, want) == 0 && d->canon_len == strlen(want),
	      "%s", desc);
	if (d)
		again = parse(kind, type, name, d->canon, NULL);
	snprintf(what, sizeof(what), "idempotent: %s", desc);
	CHECK(again && strcmp(again->canon, d->canon) == 0 &&
		      again->canon_len == d->canon_len,
	      "%s", what);
	tfs_doc_free(d);
	tfs_doc_free(again);
}

/* Both inputs give the same canonical bytes. */
static void expect_same(tfs_kind kind, const char *type, const char *name,
			const char *a, const char *b, const char *desc)
{
	tfs_doc *x = parse(kind, type, name, a, NULL);
	tfs_doc *y = parse(kind, type, name, b, NULL);

	if (!x || !y)
		printf("# error: %s\n", tfs_error_last());
	CHECK(x && y && strcmp(x->canon, y->canon) == 0, "%s", desc);
	tfs_doc_free(x);
	tfs_doc_free(y);
}

/* `xml` is rejected with TFS_EINVALID and a message containing `msg`. */
static void expect_reject_len(tfs_kind kind, const char *type, const char *name,
			      const char *xml, size_t len, const char *msg,
			      const char *desc)
{
	tfs_doc *d = (tfs_doc *)&d; /* must come back NULL */
	int rc = tfs_doc_parse(&d, kind, type, name, xml, len, NULL);
	bool good = rc == TFS_EINVALID && !d &&
		    strstr(tfs_error_last(), msg) != NULL;

	if (!good)
		printf("# rc %d, message '%s', want '%s'\n", rc,
		       tfs_error_last(), msg);
	CHECK(good, "%s", desc);
	if (rc == 0)
		tfs_doc_free(d);
}

static void expect_reject(tfs_kind kind, const char *type, const char *name,
			  const char *xml, const char *msg, const char *desc)
{
	expect_reject_len(kind, type, name, xml, strlen(xml), msg, desc);
}

/* The references of `xml`, one "Kind Target\n" each, equal `want`. */
static void expect_refs(tfs_kind kind, const char *type, const char *name,
			const char *xml, const char *want, const char *desc)
{
	tfs_doc *d = parse(kind, type, name, xml, NULL);
	tfs_buf b = TFS_BUF_INIT;
	size_t i;

	if (!d)
		printf("# error: %s\n", tfs_error_last());
	for (i = 0; d && i < d->nrefs; i++)
		tfs_buf_printf(&b, "%s %s\n", d->refs[i].kind,
			       d->refs[i].target);
	if (d && strcmp(b.ptr ? b.ptr : "", want) != 0)
		printf("# got:\n%s# want:\n%s", b.ptr ? b.ptr : "", want);
	CHECK(d && strcmp(b.ptr ? b.ptr : "", want) == 0, "%s", desc);
	tfs_buf_free(&b);
	tfs_doc_free(d);
}

static void test_canonical(void)
{
	expect_canon(
		TFS_KIND_METADATA, "BusinessObject", "Incident",
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<!-- Incident business object -->\n"
		"<BusinessObject audit=\"true\" table=\"incident\" "
		"name=\"Incident\"\n"
		"    guid=\"6F1C0000-AAAA-4BBB-8CCC-0123456789AB\" "
		"description=\"An &quot;incident&quot; &amp; more\">\n"
		"  <Relationship cardinality=\"OneToMany\" target=\"Task\" "
		"name=\"Tasks\"/>\n"
		"  <Field unique=\"false\" name=\"Priority\" indexed=\"true\" "
		"nullable=\"true\"\n"
		"         validationList=\"Priority\" length=\"10\" "
		"type=\"Text\"></Field>\n"
		"  <!-- the summary -->\n"
		"  <Field name=\"Summary\" type=\"Text\" length=\"200\"/>\n"
		"  <Field name=\"Cost\" type=\"Money\" precision=\"2\"/>\n"
		"  <?pi dropped?>\n"
		"  <Field name=\"Parent\" type=\"Link\" linkTo=\"Incident\"/>\n"
		"  <Field name=\"Owner\" type=\"Link\" linkTo=\"Employee\"/>\n"
		"</BusinessObject>\n",
		"<BusinessObject name=\"Incident\" guid=\"" G1 "\" "
		"table=\"incident\" audit=\"true\" description=\"An "
		"&quot;incident&quot; &amp; more\">\n"
		"  <Relationship name=\"Tasks\" target=\"Task\" "
		"cardinality=\"OneToMany\"/>\n"
		"  <Field name=\"Priority\" type=\"Text\" length=\"10\" "
		"nullable=\"true\" unique=\"false\" indexed=\"true\" "
		"validationList=\"Priority\"/>\n"
		"  <Field name=\"Summary\" type=\"Text\" length=\"200\"/>\n"
		"  <Field name=\"Cost\" type=\"Money\" precision=\"2\"/>\n"
		"  <Field name=\"Parent\" type=\"Link\" linkTo=\"Incident\"/>\n"
		"  <Field name=\"Owner\" type=\"Link\" linkTo=\"Employee\"/>\n"
		"</BusinessObject>\n",
		"canonical BusinessObject");

	expect_canon(
		TFS_KIND_METADATA, "Form", "Incident.Default",
		"<Form businessObject=\"Incident\" name=\"Incident.Default\" "
		"caption=\"Incident &lt;default&gt;\" guid=\"" G2 "\">\n"
		"\t<FieldRef name=\"Priority\"/>\n"
		"\t<Section name=\"Details\">\n"
		"\t\t<FieldRef name=\"Summary\" />\n"
		"\t\t<FieldRef name=\"Priority\"></FieldRef>\n"
		"\t</Section>\n"
		"\t<Section name=\"Empty\">\n\n\t</Section>\n"
		"</Form>",
		"<Form name=\"Incident.Default\" guid=\"" G2 "\" "
		"businessObject=\"Incident\" "
		"caption=\"Incident &lt;default&gt;\">\n"
		"  <FieldRef name=\"Priority\"/>\n"
		"  <Section name=\"Details\">\n"
		"    <FieldRef name=\"Summary\"/>\n"
		"    <FieldRef name=\"Priority\"/>\n"
		"  </Section>\n"
		"  <Section name=\"Empty\"/>\n"
		"</Form>\n",
		"canonical Form");

	expect_canon(TFS_KIND_METADATA, "Rule", "Incident.Check",
		     "<Rule name='Incident.Check' guid='" G1 "' "
		     "businessObject='Incident' event='Save'><Expression>"
		     "<![CDATA[ a < b && c > \"d\" ]]>\n"
		     "  or x&#13;y<!-- gone --> end </Expression></Rule>",
		     "<Rule name=\"Incident.Check\" guid=\"" G1 "\" "
		     "businessObject=\"Incident\" event=\"Save\">\n"
		     "  <Expression> a &lt; b &amp;&amp; c &gt; \"d\" \n"
		     "  or x&#13;y end </Expression>\n"
		     "</Rule>\n",
		     "text kept exactly: CDATA merged, escapes, CR, comment");

	expect_canon(
		TFS_KIND_METADATA, "Form", "F",
		"<Form name=\"F\" guid=\"" G1 "\" businessObject=\"Incident\" "
		"caption=\"tab&#9;nl&#10;cr&#13;q&quot;a'lt&lt;gt>\"/>",
		"<Form name=\"F\" guid=\"" G1 "\" businessObject=\"Incident\" "
		"caption=\"tab&#9;nl&#10;cr&#13;q&quot;a'lt&lt;gt&gt;\"/>\n",
		"attribute escaping");

	expect_canon(TFS_KIND_METADATA, "Form", "F",
		     "<Form name=\"F\" guid=\"" G1
		     "\" businessObject=\"Incident\" "
		     "caption=\"a\tb\nc\"/>",
		     "<Form name=\"F\" guid=\"" G1
		     "\" businessObject=\"Incident\" "
		     "caption=\"a b c\"/>\n",
		     "literal whitespace in attributes is normalized by XML");

	expect_canon(TFS_KIND_SETTINGS, "GlobalConstant", "Timeout",
		     "<GlobalConstant name=\"Timeout\" guid=\"" G1 "\">\n"
		     "  <Value> 30 </Value>\n  <Unit>\n  </Unit>\n"
		     "  <Note>caf\xc3\xa9 \xe2\x82\xac</Note>\n"
		     "</GlobalConstant>",
		     "<GlobalConstant name=\"Timeout\" guid=\"" G1 "\">\n"
		     "  <Value> 30 </Value>\n  <Unit/>\n"
		     "  <Note>caf\xc3\xa9 \xe2\x82\xac</Note>\n"
		     "</GlobalConstant>\n",
		     "free form: text kept, blank text dropped, UTF-8 kept");

	expect_canon(TFS_KIND_DATA, "Incident", "INC1",
		     "<Record businessObject=\"Incident\" name=\"INC1\" "
		     "guid=\"" G1 "\">\n"
		     "  <Value field=\"Subject\">  </Value>\n"
		     "  <Value field=\"Empty\"/>\n"
		     "  <Value field=\"Body\">line 1\r\nline 2</Value>\n"
		     "</Record>\n",
		     "<Record name=\"INC1\" guid=\"" G1 "\" "
		     "businessObject=\"Incident\">\n"
		     "  <Value field=\"Subject\">  </Value>\n"
		     "  <Value field=\"Empty\"/>\n"
		     "  <Value field=\"Body\">line 1\nline 2</Value>\n"
		     "</Record>\n",
		     "record values keep blank text; CRLF becomes LF");

	expect_canon(TFS_KIND_VALIDATION, "", "Priority",
		     "<ValidationList name=\"Priority\" guid=\"" G1 "\">"
		     "<Item order=\"1\" value=\"1\" display=\"Critical\"/>"
		     "<Item active=\"false\" value=\"2\" display=\"High\"/>"
		     "</ValidationList>",
		     "<ValidationList name=\"Priority\" guid=\"" G1 "\">\n"
		     "  <Item value=\"1\" display=\"Critical\" order=\"1\"/>\n"
		     "  <Item value=\"2\" display=\"High\" active=\"false\"/>\n"
		     "</ValidationList>\n",
		     "canonical ValidationList");
}

static void test_variations(void)
{
	static const char *const forms[] = {
		"<Form name=\"F\" guid=\"" G1 "\" businessObject=\"Incident\">"
		"<FieldRef name=\"A\"/><FieldRef name=\"B\"/></Form>",

		"<?xml version=\"1.0\"?>\r\n<Form   businessObject = "
		"'Incident'\r\n guid=\"" G1 "\"\tname=\"F\" >\r\n"
		"  <FieldRef\n name=\"A\"></FieldRef>\r\n\r\n"
		"\t<FieldRef name=\"B\" />\r\n</Form>\r\n\r\n",

		"\xef\xbb\xbf<Form guid=\"" G1 "\" name=\"F\" "
		"businessObject=\"Incident\"><!-- c -->\n"
		"        <FieldRef name=\"A\"/>\n"
		"<FieldRef name=\"B\"/>\n</Form>",
	};

	expect_same(TFS_KIND_METADATA, "Form", "F", forms[0], forms[1],
		    "whitespace, CRLF, quotes, declaration give one canon");
	expect_same(TFS_KIND_METADATA, "Form", "F", forms[0], forms[2],
		    "BOM, comments, indentation give one canon");
	expect_same(
		TFS_KIND_METADATA, "BusinessObject", "B",
		"<BusinessObject name=\"B\" guid=\"" G1 "\" audit=\"true\" "
		"table=\"t\" description=\"2\"><Field name=\"X\" type=\"Integer\" "
		"stored=\"true\" indexed=\"true\"/></BusinessObject>",
		"<BusinessObject description=\"2\" table=\"t\" audit=\"true\" "
		"guid=\"" G1 "\" name=\"B\"><Field indexed=\"true\" "
		"stored=\"true\" type=\"Integer\" name=\"X\"/>"
		"</BusinessObject>",
		"attribute order does not matter");
	expect_same(TFS_KIND_METADATA, "Form", "F",
		    "<Form name=\"F\" guid=\"" G1 "\" "
		    "businessObject=\"Incident\"/>",
		    "<Form name=\"F\" guid=\"" G1 "\" "
		    "businessObject=\"Incident\">\n  \n</Form>",
		    "an element holding only blanks is empty");
}

static void test_rejections(void)
{
	tfs_kind M = TFS_KIND_METADATA;
	tfs_doc *d = NULL;
	int rc;

	expect_reject(M, "Form", "F",
		      "<Form name=\"F\" guid=\"" G1 "\" businessObject=\"I\">\n"
		      "<FieldRef name=\"A\">\n</Form>",
		      "line 3: Opening and ending tag mismatch",
		      "malformed XML names the line");
	expect_reject(M, "Form", "F", "", "empty document", "empty input");
	expect_reject(M, "Form", "F", " \n\t", "empty document", "blank input");
	expect_reject(M, "Form", "F",
		      "<Form name=\"F\" guid=\"" G1
		      "\" businessObject=\"I\"/>x",
		      "line 1: Extra content at the end of the document",
		      "trailing garbage");
	expect_reject(
		M, "Form", "F",
		"<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE lolz [\n"
		" <!ENTITY lol \"lol\">\n"
		" <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
		" <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
		"]>\n<Form name=\"F\">&lol3;</Form>",
		"line 2: DOCTYPE is not allowed", "billion laughs");
	expect_reject(M, "Form", "F",
		      "<!DOCTYPE Form SYSTEM \"http://127.0.0.1:9/x.dtd\">"
		      "<Form name=\"F\"/>",
		      "DOCTYPE is not allowed", "external DTD");
	expect_reject(
		M, "Form", "F",
		"<!DOCTYPE Form [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
		"<Form name=\"F\">&x;</Form>",
		"DOCTYPE is not allowed", "external entity (XXE)");
	expect_reject(M, "Form", "F",
		      "<Form name=\"F\" guid=\"" G1 "\" businessObject=\"I\">"
		      "&undefined;</Form>",
		      "Entity 'undefined' not defined", "undefined entity");
	expect_reject(M, "Form", "F",
		      "<Grid name=\"F\" guid=\"" G1 "\" businessObject=\"I\"/>",
		      "line 1: root element is <Grid>, expected <Form>",
		      "wrong root element");
	expect_reject(TFS_KIND_MASTER, "Employee", "E1",
		      "<Employee name=\"E1\" guid=\"" G1 "\"/>",
		      "expected <Record>", "record root must be Record");
	expect_reject(M, "Form", "Incident.Default",
		      "<Form name=\"Other\" guid=\"" G1
		      "\" businessObject=\"I\"/>",
		      "name attribute 'Other' does not match the file name "
		      "'Incident.Default'",
		      "name mismatch");
	expect_reject(M, "Form", "F",
		      "<Form guid=\"" G1 "\" businessObject=\"I\"/>",
		      "name attribute is required", "name missing");
	expect_reject(
		M, "Form", "F",
		"<Form name=\"F\" guid=\"6f1c0000-aaaa-4bbb-8ccc-0123456789\" "
		"businessObject=\"I\"/>",
		"line 1: guid '6f1c0000-aaaa-4bbb-8ccc-0123456789' is not a "
		"valid UUID",
		"short guid");
	expect_reject(M, "Form", "F",
		      "<Form name=\"F\" guid=\"{" G1
		      "}\" businessObject=\"I\"/>",
		      "is not a valid UUID", "guid in braces");
	expect_reject(M, "Form", "F",
		      "<Form name=\"F\" "
		      "guid=\"6f1c0000-aaaa-4bbb-8ccc-0123456789ag\" "
		      "businessObject=\"I\"/>",
		      "is not a valid UUID", "guid with a non-hex digit");
	expect_reject(M, "Form", "F", "<Form name=\"F\" businessObject=\"I\"/>",
		      "guid attribute is required",
		      "guid missing, none to fill");
	expect_reject(
		M, "BusinessObject", "B",
		"<BusinessObject name=\"B\" guid=\"" G1 "\">\n"
		"  <Field name=\"Priority\" type=\"Text\"/>\n"
		"</BusinessObject>",
		"line 2: Field 'Priority': length is required for type Text",
		"Text field without length");
	expect_reject(M, "BusinessObject", "B",
		      "<BusinessObject name=\"B\" guid=\"" G1 "\">\n"
		      "  <Field name=\"a.b\" type=\"Text\" length=\"5\"/>\n"
		      "</BusinessObject>",
		      "line 2: Field 'a.b': a field name may not contain '.'",
		      "a dotted field name, which no reference could name");
	expect_reject(M, "BusinessObject", "B",
		      "<BusinessObject name=\"B\" guid=\"" G1 "\">\n"
		      "  <Field name=\"P\" type=\"Text\" length=\"0\"/>\n"
		      "</BusinessObject>",
		      "line 2: Field 'P': length must be an integer from 1 to "
		      "1000000",
		      "length out of range");
	expect_reject(M, "BusinessObject", "B",
		      "<BusinessObject name=\"B\" guid=\"" G1 "\">"
		      "<Field name=\"P\" type=\"Text\" length=\"+5\"/>"
		      "</BusinessObject>",
		      "length must be an integer", "length with a sign");
	expect_reject(M, "BusinessObject", "B",
		      "<BusinessObject name=\"B\" guid=\"" G1 "\">"
		      "<Field name=\"P\" type=\"Boolean\" length=\"5\"/>"
		      "</BusinessObject>",
		      "length is not allowed for type Boolean",
		      "length on a Boolean");
	expect_reject(M, "BusinessObject", "B",
		      "<BusinessObject name=\"B\" guid=\"" G1 "\">"
		      "<Field name=\"P\" type=\"Integer\" precision=\"2\"/>"
		      "</BusinessObject>",
		      "precision is only allowed", "precision on an Integer");
	expect_reject(M, "BusinessObject", "B",
		      "<BusinessObject name=\"B\" guid=\"" G1 "\">"
		      "<Field name=\"P\" type=\"Txt\" length=\"5\"/>"
		      "</BusinessObject>",
		      "type must be one of Text, Number,",
		      "unknown field type");
	expect_reject(M, "BusinessObject", "B",
		      "<BusinessObject name=\"B\" guid=\"" G1 "\">"
		      "<Field name=\"P\" type=\"Integer\" nullable=\"yes\"/>"
		      "</BusinessObject>",
		      "nullable must be true or false", "bad boolean");
	expect_reject(M, "BusinessObject", "B",
		      "<BusinessObject name=\"B\" guid=\"" G1 "\">\n"
		      "<Field name=\"P\" type=\"Integer\"/>\n"
		      "<Field name=\"P\" type=\"Date\"/></BusinessObject>",
		      "line 3: Field 'P': duplicate name 'P' (first at line 2)",
		      "duplicate field names");
	expect_reject(M, "BusinessObject", "B",
		      "<BusinessObject name=\"B\" guid=\"" G1 "\"/>",
		      "at least 1 Field required",
		      "business object without fields");
	expect_reject(M, "BusinessObject", "B",
		      "<BusinessObject name=\"B\" guid=\"" G1 "\">"
		      "<Field name=\"P\" type=\"Integer\">text</Field>"
		      "</BusinessObject>",
		      "Field 'P': text content is not allowed",
		      "text in a Field");
	expect_reject(M, "Form", "F",
		      "<Form name=\"F\" guid=\"" G1 "\" businessObject=\"I\">\n"
		      "  <FieldRf name=\"A\"/>\n</Form>",
		      "line 2: FieldRf 'A': unknown element in Form",
		      "unknown child element in metadata");
	expect_reject(
		M, "Form", "F",
		"<Form name=\"F\" guid=\"" G1 "\" businessObject=\"I\">"
		"<Section name=\"S\"><Section name=\"T\"/></Section></Form>",
		"Section 'T': unknown element in Section",
		"sections nest one level only");
	expect_reject(M, "Form", "F", "<Form name=\"F\" guid=\"" G1 "\"/>",
		      "Form 'F': businessObject is required",
		      "Form without businessObject");
	expect_reject(M, "Form", "F",
		      "<Form name=\"F\" guid=\"" G1 "\" "
		      "businessObject=\"Bad Name\"/>",
		      "businessObject 'Bad Name' is not a valid name",
		      "businessObject must be a name");
	expect_reject(M, "Form", "F",
		      "<Form name=\"F\" guid=\"" G1 "\" businessObject=\"I\">"
		      "<FieldRef/></Form>",
		      "FieldRef: name is required", "FieldRef without name");
	expect_reject(M, "Rule", "R",
		      "<Rule name=\"R\" guid=\"" G1 "\" businessObject=\"I\"/>",
		      "Rule 'R': Expression is required",
		      "Rule without Expression");
	expect_reject(
		M, "Rule", "R",
		"<Rule name=\"R\" guid=\"" G1 "\" businessObject=\"I\">"
		"<Expression>a</Expression><Expression>b</Expression></Rule>",
		"Expression: at most 1 allowed in Rule", "two Expressions");
	expect_reject(M, "Rule", "R",
		      "<Rule name=\"R\" guid=\"" G1 "\" businessObject=\"I\">"
		      "<Expression> </Expression></Rule>",
		      "Expression: text must not be empty", "blank Expression");
	expect_reject(M, "Trigger", "T",
		      "<Trigger name=\"T\" guid=\"" G1
		      "\" businessObject=\"I\" "
		      "event=\"Create\"/>",
		      "event must be one of Insert, Update, Delete, Save",
		      "bad enumeration value");
	expect_reject(M, "Layout", "L",
		      "<Layout name=\"L\" guid=\"" G1
		      "\" businessObject=\"I\"/>",
		      "at least one child element is required", "empty Layout");
	expect_reject(M, "Workflow", "W",
		      "<Workflow name=\"W\" guid=\"" G1
		      "\" businessObject=\"I\">\n"
		      "<Step name=\"New\"/><Step name=\"Done\"/>\n"
		      "<Transition from=\"New\" to=\"Closed\"/></Workflow>",
		      "line 3: Transition: to 'Closed' is not a Step",
		      "Transition to an unknown Step");
	expect_reject(M, "Branding", "B",
		      "<Branding name=\"B\" guid=\"" G1 "\">"
		      "<Color name=\"bg\" value=\"#12345g\"/></Branding>",
		      "value must be a color #rrggbb", "bad color");
	expect_reject(M, "Image", "Logo",
		      "<Image name=\"Logo\" guid=\"" G1
		      "\" mimeType=\"image/png\">"
		      "<Data>iVBOR*w0K</Data></Image>",
		      "Data: text is not valid base64", "bad base64");
	expect_reject(M, "Image", "Logo",
		      "<Image name=\"Logo\" guid=\"" G1
		      "\" mimeType=\"image/bmp\">"
		      "<Data>AAAA</Data></Image>",
		      "mimeType must be one of", "unknown mime type");
	expect_reject(TFS_KIND_VALIDATION, "", "P",
		      "<ValidationList name=\"P\" guid=\"" G1 "\">"
		      "<Item value=\"1\"/><Item value=\"1\"/></ValidationList>",
		      "duplicate value '1'", "duplicate list values");
	expect_reject(TFS_KIND_DATA, "Incident", "INC1",
		      "<Record name=\"INC1\" guid=\"" G1 "\" "
		      "businessObject=\"Problem\"/>",
		      "businessObject 'Problem' does not match the directory "
		      "'Incident'",
		      "record businessObject mismatch");
	expect_reject(TFS_KIND_MASTER, "Employee", "E1",
		      "<Record name=\"E1\" guid=\"" G1 "\"/>",
		      "businessObject is required",
		      "record without businessObject");
	expect_reject(
		TFS_KIND_DATA, "Incident", "INC1",
		"<Record name=\"INC1\" guid=\"" G1 "\" "
		"businessObject=\"Incident\"><Value field=\"a\">x<b/></Value>"
		"</Record>",
		"mixed content", "mixed content in a record");
	expect_reject(TFS_KIND_SETTINGS, "GlobalConstant", "C",
		      "<GlobalConstant name=\"C\" guid=\"" G1 "\">\n"
		      "  <A>1</A>\n  stray text\n</GlobalConstant>",
		      "line 1: GlobalConstant 'C': mixed content",
		      "mixed content in settings");
	expect_reject(TFS_KIND_SETTINGS, "LdapConfiguration", "L",
		      "<LdapConfiguration name=\"L\" guid=\"" G1
		      "\" host=\"h\" "
		      "port=\"70000\"/>",
		      "port must be an integer from 1 to 65535", "port range");
	expect_reject(TFS_KIND_SETTINGS, "EmailConfiguration", "E",
		      "<EmailConfiguration name=\"E\" guid=\"" G1
		      "\" port=\"25\"/>",
		      "server is required", "settings required attribute");
	expect_reject(M, "Form", "F",
		      "<Form xmlns=\"urn:x\" name=\"F\" guid=\"" G1 "\" "
		      "businessObject=\"I\"/>",
		      "namespaces are not allowed", "default namespace");
	expect_reject(M, "Form", "F",
		      "<Form name=\"F\" guid=\"" G1 "\" businessObject=\"I\" "
		      "xml:lang=\"en\"/>",
		      "namespaces are not allowed", "namespaced attribute");
	expect_reject_len(
		M, "Form", "F", "<Form name=\"F\"\n guid=\"" G1 "\">\0</Form>",
		sizeof("<Form name=\"F\"\n guid=\"" G1 "\">\0</Form>") - 1,
		"line 2: NUL byte in document", "NUL byte");
	expect_reject(M, "Form", "F",
		      "<Form name=\"F\" guid=\"" G1 "\" businessObject=\"I\" "
		      "caption=\"\xff\xfe\"/>",
		      "line 1: Input is not proper UTF-8", "invalid UTF-8");
	expect_reject(M, "Form", "F",
		      "<Form name=\"F\" guid=\"" G1 "\" businessObject=\"I\" "
		      "caption=\"\xed\xa0\x80\"/>",
		      "line 1:", "UTF-8 encoded surrogate");

	{
		tfs_buf b = TFS_BUF_INIT;
		int i;

		tfs_buf_puts(&b, "<GlobalConstant name=\"C\" guid=\"" G1 "\">");
		for (i = 0; i < 1000; i++)
			tfs_buf_puts(&b, "<a>");
		for (i = 0; i < 1000; i++)
			tfs_buf_puts(&b, "</a>");
		tfs_buf_puts(&b, "</GlobalConstant>");
		expect_reject(TFS_KIND_SETTINGS, "GlobalConstant", "C", b.ptr,
			      "nested deeper than", "deep nesting");
		tfs_buf_free(&b);
	}

	rc = tfs_doc_parse(&d, M, "Nope", "X", "<Nope/>", 7, NULL);
	CHECK(rc == TFS_EINVALID && !d, "unknown metadata type");
	rc = tfs_doc_parse(&d, M, "Form", "../x", "<Form/>", 7, NULL);
	CHECK(rc == TFS_EINVALID && !d, "invalid object name");
	rc = tfs_doc_parse(&d, M, "Form", "F",
			   "<Form name=\"F\" "
			   "businessObject=\"I\"/>",
			   33, "not-a-guid");
	CHECK(rc == TFS_EINVALID && !d, "invalid guid_if_missing");
}

static void test_secrets(void)
{
	static const char xml[] =
		"<LdapConfiguration name=\"Corp\" guid=\"" G1 "\" "
		"host=\"ldap.corp\" port=\"636\" bindDn=\"cn=svc\" "
		"bindPassword=\"s3cr&amp;t\">\n"
		"  <Server host=\"a\" apiKey=\"k1\"/>\n"
		"  <Other/>\n"
		"  <Server host=\"b\" apiKey=\"***\"/>\n"
		"  <Server host=\"c\"><Auth userPassword=\"p3\" "
		"TOKEN=\"t3\" tokenUrl=\"https://x\"/></Server>\n"
		"</LdapConfiguration>\n";
	static const char want[] =
		"<LdapConfiguration name=\"Corp\" guid=\"" G1 "\" "
		"host=\"ldap.corp\" port=\"636\" bindDn=\"cn=svc\" "
		"bindPassword=\"***\">\n"
		"  <Server apiKey=\"***\" host=\"a\"/>\n"
		"  <Other/>\n"
		"  <Server apiKey=\"***\" host=\"b\"/>\n"
		"  <Server host=\"c\">\n"
		"    <Auth TOKEN=\"***\" tokenUrl=\"https://x\" "
		"userPassword=\"***\"/>\n"
		"  </Server>\n"
		"</LdapConfiguration>\n";
	static const char *const paths[] = {
		"/LdapConfiguration@bindPassword",
		"/LdapConfiguration/Server@apiKey",
		"/LdapConfiguration/Server[2]@apiKey",
		"/LdapConfiguration/Server[3]/Auth@userPassword",
		"/LdapConfiguration/Server[3]/Auth@TOKEN",
	};
	static const char *const values[] = { "s3cr&t", "k1", NULL, "p3",
					      "t3" };
	tfs_doc *d, *again = NULL;
	bool good;
	size_t i;

	d = parse(TFS_KIND_SETTINGS, "LdapConfiguration", "Corp", xml, NULL);
	if (d && strcmp(d->canon, want) != 0)
		printf("# got:\n%s", d->canon);
	CHECK(d && strcmp(d->canon, want) == 0, "secrets masked in canon");
	good = d && d->nsecrets == 5;
	for (i = 0; good && i < 5; i++) {
		/* Document order, the attributes of one element in input
		 * order. */
		good = strcmp(d->secrets[i].path, paths[i]) == 0 &&
		       (values[i] ? d->secrets[i].value &&
					    strcmp(d->secrets[i].value,
						   values[i]) == 0 :
				    !d->secrets[i].value);
		if (!good)
			printf("# secret %zu: %s = %s\n", i, d->secrets[i].path,
			       d->secrets[i].value ? d->secrets[i].value :
						     "(null)");
	}
	CHECK(good, "secret paths and values; *** reported as NULL");
	if (d)
		again = parse(TFS_KIND_SETTINGS, "LdapConfiguration", "Corp",
			      d->canon, NULL);
	good = again && strcmp(again->canon, d->canon) == 0 &&
	       again->nsecrets == 5;
	for (i = 0; good && i < again->nsecrets; i++)
		good = again->secrets[i].value == NULL;
	CHECK(good, "masked canon parses to itself with all values NULL");
	tfs_doc_free(d);
	tfs_doc_free(again);

	d = parse(TFS_KIND_MASTER, "Employee", "E1",
		  "<Record name=\"E1\" guid=\"" G1 "\" "
		  "businessObject=\"Employee\"><Value field=\"Login\">jdoe"
		  "</Value><Credential clientSecret=\"cs\"/></Record>",
		  NULL);
	CHECK(d && strstr(d->canon, "<Credential clientSecret=\"***\"/>") &&
		      d->nsecrets == 1 &&
		      strcmp(d->secrets[0].path,
			     "/Record/Credential@clientSecret") == 0 &&
		      strcmp(d->secrets[0].value, "cs") == 0,
	      "record secrets");
	tfs_doc_free(d);

	/* Metadata knows no secret attributes: one is unknown, not masked. */
	expect_reject(TFS_KIND_METADATA, "Form", "F",
		      "<Form name=\"F\" guid=\"" G1 "\" businessObject=\"I\" "
		      "password=\"visible\"/>",
		      "line 1: Form 'F': unknown attribute password",
		      "a secret-named attribute in metadata is unknown");
}

static void test_refs(void)
{
	tfs_kind M = TFS_KIND_METADATA;

	expect_refs(M, "BusinessObject", "Incident",
		    "<BusinessObject name=\"Incident\" guid=\"" G1 "\">"
		    "<Field name=\"Priority\" type=\"Text\" length=\"10\" "
		    "validationList=\"Priority\"/>"
		    "<Field name=\"Parent\" type=\"Link\" linkTo=\"Incident\"/>"
		    "<Field name=\"Owner\" type=\"Link\" linkTo=\"Employee\"/>"
		    "<Relationship name=\"Tasks\" target=\"Task\" "
		    "cardinality=\"OneToMany\"/>"
		    "<Relationship name=\"Kids\" target=\"Incident\" "
		    "cardinality=\"OneToMany\"/></BusinessObject>",
		    "BusinessObject Employee\nBusinessObject Task\n"
		    "ValidationList Priority\n",
		    "BusinessObject refs, none to itself");
	expect_refs(M, "Form", "Incident.Default",
		    "<Form name=\"Incident.Default\" guid=\"" G1 "\" "
		    "businessObject=\"Incident\"><FieldRef name=\"Priority\"/>"
		    "<Section name=\"S\"><FieldRef name=\"Summary\"/>"
		    "<FieldRef name=\"Priority\"/></Section></Form>",
		    "BusinessObject Incident\nField Incident.Priority\n"
		    "Field Incident.Summary\n",
		    "Form refs, deduplicated");
	expect_refs(M, "Layout", "Incident",
		    "<Layout name=\"Incident\" guid=\"" G1 "\" "
		    "businessObject=\"Incident\">"
		    "<FormRef name=\"Incident.Default\"/>"
		    "<GridRef name=\"Incident.All\"/></Layout>",
		    "BusinessObject Incident\nForm Incident.Default\n"
		    "Grid Incident.All\n",
		    "Layout refs");
	expect_refs(M, "Dashboard", "Home",
		    "<Dashboard name=\"Home\" guid=\"" G1 "\" columns=\"2\">"
		    "<PartRef type=\"ChartPart\" name=\"ByPriority\"/>"
		    "<PartRef name=\"Mine\" type=\"ViewPart\"/></Dashboard>",
		    "ChartPart ByPriority\nViewPart Mine\n", "Dashboard refs");
	expect_refs(M, "Role", "Analyst",
		    "<Role name=\"Analyst\" guid=\"" G1 "\">"
		    "<Permission businessObject=\"Incident\" access=\"write\"/>"
		    "<Permission businessObject=\"Change\" access=\"read\"/>"
		    "</Role>",
		    "BusinessObject Change\nBusinessObject Incident\n",
		    "Role refs");
	expect_refs(M, "Trigger", "T",
		    "<Trigger name=\"T\" guid=\"" G1 "\" "
		    "businessObject=\"Incident\" "
		    "event=\"Insert\"><WorkflowRef name=\"Assign\"/>"
		    "<Condition>Priority = 1</Condition></Trigger>",
		    "BusinessObject Incident\nWorkflow Assign\n",
		    "Trigger refs");
	expect_refs(M, "Workflow", "Assign",
		    "<Workflow name=\"Assign\" guid=\"" G1 "\" "
		    "businessObject=\"Incident\" workflowType=\"Approval\">"
		    "<Step name=\"Start\" kind=\"start\"/><Step name=\"End\"/>"
		    "<Transition from=\"Start\" to=\"End\"/></Workflow>",
		    "BusinessObject Incident\nWorkflowType Approval\n",
		    "Workflow refs");
	expect_refs(M, "RuleOverride", "O",
		    "<RuleOverride name=\"O\" guid=\"" G1 "\" "
		    "businessObject=\"Incident\" rule=\"Incident.Check\"/>",
		    "BusinessObject Incident\nRule Incident.Check\n",
		    "RuleOverride refs");
	expect_refs(M, "Search", "S",
		    "<Search name=\"S\" guid=\"" G1 "\" "
		    "businessObject=\"Incident\">"
		    "<Criterion field=\"Status\" op=\"eq\" value=\"Active\"/>"
		    "<Sort field=\"Created\" direction=\"desc\"/></Search>",
		    "BusinessObject Incident\nField Incident.Created\n"
		    "Field Incident.Status\n",
		    "Search refs");
	expect_refs(M, "Grid", "G",
		    "<Grid name=\"G\" guid=\"" G1
		    "\" businessObject=\"Incident\">"
		    "<Column field=\"Subject\" width=\"200\"/></Grid>",
		    "BusinessObject Incident\nField Incident.Subject\n",
		    "Grid refs");
	expect_refs(M, "ViewPart", "Mine",
		    "<ViewPart name=\"Mine\" guid=\"" G1 "\" "
		    "businessObject=\"Incident\" search=\"MyIncidents\"/>",
		    "BusinessObject Incident\nSearch MyIncidents\n",
		    "ViewPart refs");
	expect_refs(
		TFS_KIND_MASTER, "RequestOffering", "Laptop",
		"<Record name=\"Laptop\" guid=\"" G1 "\" "
		"businessObject=\"RequestOffering\">"
		"<Value field=\"Title\">New laptop</Value>"
		"<WorkflowRef name=\"Fulfil\"/>"
		"<Link field=\"Owner\" businessObject=\"Employee\" key=\"E1\"/>"
		"</Record>",
		"BusinessObject RequestOffering\nRecord Employee/E1\n"
		"Workflow Fulfil\n",
		"Record refs");
	expect_refs(TFS_KIND_SETTINGS, "BulkUploadProfile", "P",
		    "<BulkUploadProfile name=\"P\" guid=\"" G1 "\" "
		    "businessObject=\"Incident\"/>",
		    "BusinessObject Incident\n",
		    "businessObject= in free-form settings");
}

static void test_guid_fill(void)
{
	tfs_doc *d;

	d = parse(TFS_KIND_METADATA, "Form", "F",
		  "<Form businessObject=\"I\" name=\"F\"/>",
		  "6F1C0000-AAAA-4BBB-8CCC-0123456789AB");
	CHECK(d &&
		      strcmp(d->canon, "<Form name=\"F\" guid=\"" G1 "\" "
				       "businessObject=\"I\"/>\n") == 0 &&
		      strcmp(d->guid, G1) == 0,
	      "missing guid filled, lower case");
	CHECK(d && d->bo && strcmp(d->bo, "I") == 0, "bo of the root");
	tfs_doc_free(d);

	d = parse(TFS_KIND_METADATA, "Form", "F",
		  "<Form name=\"F\" guid=\"" G2 "\" businessObject=\"I\"/>",
		  G1);
	CHECK(d && strcmp(d->guid, G2) == 0 && strstr(d->canon, G2),
	      "a present guid wins over guid_if_missing");
	tfs_doc_free(d);

	d = parse(TFS_KIND_METADATA, "WorkflowType", "Approval",
		  "<WorkflowType name=\"Approval\" "
		  "guid=\"6F1C0000-AAAA-4BBB-8CCC-0123456789AB\"/>",
		  NULL);
	CHECK(d && strcmp(d->guid, G1) == 0 && !d->bo && !d->nrefs &&
		      strcmp(d->canon,
			     "<WorkflowType name=\"Approval\" guid=\"" G1
			     "\"/>\n") == 0,
	      "upper-case guid lowered; no bo");
	tfs_doc_free(d);
}

static void test_helpers(void)
{
	char name[202], u1[37], u2[37];
	tfs_kind k;
	int i;
	bool good = true;

	for (i = 0; i < TFS_KIND__COUNT; i++)
		good = good && tfs_kind_from_dir(&k, tfs_kind_dir(i)) == 0 &&
		       k == (tfs_kind)i;
	CHECK(good && strcmp(tfs_kind_dir(TFS_KIND_MASTER), "master") == 0,
	      "kind dirs round trip");
	CHECK(tfs_kind_from_dir(&k, "metadatas") == TFS_ENOTFOUND,
	      "unknown kind dir");
	CHECK(tfs_kind_versioned(TFS_KIND_METADATA) &&
		      tfs_kind_versioned(TFS_KIND_MASTER) &&
		      !tfs_kind_versioned(TFS_KIND_DATA),
	      "versioned kinds");
	for (i = 0; tfs_metadata_types[i]; i++)
		;
	CHECK(i == 23 && strcmp(tfs_metadata_types[22], "Image") == 0,
	      "23 metadata types");
	for (i = 0; tfs_settings_types[i]; i++)
		;
	CHECK(i == 12 &&
		      strcmp(tfs_settings_types[11], "EmailConfiguration") == 0,
	      "12 settings types");
	CHECK(tfs_name_valid("MyNewBO#") &&
		      tfs_name_valid("FRS_Knowledge.QandA") &&
		      tfs_name_valid("a-b") && !tfs_name_valid("") &&
		      !tfs_name_valid(".hidden") && !tfs_name_valid("a b") &&
		      !tfs_name_valid("a/b") &&
		      !tfs_name_valid("caf\xc3\xa9") && !tfs_name_valid(NULL),
	      "name validity");
	memset(name, 'n', sizeof(name));
	name[200] = '\0';
	good = tfs_name_valid(name);
	name[200] = 'n';
	name[201] = '\0';
	CHECK(good && !tfs_name_valid(name), "names up to 200 bytes");
	CHECK(tfs_type_valid(TFS_KIND_METADATA, "Form") &&
		      !tfs_type_valid(TFS_KIND_METADATA, "GlobalConstant") &&
		      tfs_type_valid(TFS_KIND_SETTINGS, "GlobalConstant") &&
		      tfs_type_valid(TFS_KIND_VALIDATION, "") &&
		      !tfs_type_valid(TFS_KIND_VALIDATION, "X") &&
		      tfs_type_valid(TFS_KIND_DATA, "Incident") &&
		      !tfs_type_valid(TFS_KIND_DATA, ".x"),
	      "type validity");
	CHECK(strcmp(tfs_doc_root(TFS_KIND_VALIDATION, ""), "ValidationList") ==
			      0 &&
		      strcmp(tfs_doc_root(TFS_KIND_DATA, "Incident"),
			     "Record") == 0 &&
		      strcmp(tfs_doc_root(TFS_KIND_METADATA, "Form"), "Form") ==
			      0 &&
		      !tfs_doc_root(TFS_KIND_METADATA, "Nope"),
	      "document roots");
	tfs_uuid_new(u1);
	tfs_uuid_new(u2);
	good = strlen(u1) == 36 && strcmp(u1, u2) != 0 && u1[14] == '4' &&
	       strchr("89ab", u1[19]) != NULL;
	for (i = 0; good && i < 36; i++)
		good = (i == 8 || i == 13 || i == 18 || i == 23) ?
			       u1[i] == '-' :
			       strchr("0123456789abcdef", u1[i]) != NULL;
	CHECK(good, "uuid v4, lower case, distinct");
}

/* Each thread parses good and bad documents and checks its own message. */
static void *thread_main(void *arg)
{
	long id = (long)arg;
	char xml[256], name[32], want[64];
	tfs_doc *d;
	long i;

	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "T%ld_%ld", id, i);
		snprintf(xml, sizeof(xml),
			 "<Form name=\"%s\" guid=\"" G1
			 "\" businessObject=\"I\">\n%s</Form>",
			 name, i % 2 ? "<FieldRef name=\"A\"/>\n" : "<Bad>\n");
		snprintf(want, sizeof(want), "line %d:", i % 2 ? 0 : 3);
		if (tfs_doc_parse(&d, TFS_KIND_METADATA, "Form", name, xml,
				  strlen(xml), NULL) == 0) {
			if (i % 2 == 0 || !strstr(d->canon, name)) {
				tfs_doc_free(d);
				return (void *)1;
			}
			tfs_doc_free(d);
		} else if (i % 2 == 1 || !strstr(tfs_error_last(), want)) {
			return (void *)1;
		}
	}
	return NULL;
}

static void test_threads(void)
{
	pthread_t t[4];
	void *res;
	bool good = true;
	long i;

	for (i = 0; i < 4; i++)
		good = good &&
		       pthread_create(&t[i], NULL, thread_main, (void *)i) == 0;
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], &res);
		good = good && res == NULL;
	}
	CHECK(good, "parallel parses keep their own results and messages");
}

/* A Search whose root carries `n` extra attributes, and a comment and a
 * CDATA-free text full of '=' that are not attributes. */
static char *wide_search(int n)
{
	tfs_buf b = TFS_BUF_INIT;
	int i;

	tfs_buf_puts(&b, "<!-- a=1 b=2 c=3 -->\n<Search name=\"S\" "
			 "businessObject=\"Incident\"");
	for (i = 0; i < n; i++)
		tfs_buf_printf(&b, " a%d=\"x=y\"", i);
	tfs_buf_puts(&b, "/>\n");
	return b.ptr;
}

static void test_attribute_bound(void)
{
	tfs_doc *doc = NULL;
	char *x;
	struct timespec t0, t1;
	double secs;
	int error;

	x = wide_search(257 - 2);
	error = tfs_doc_parse(&doc, TFS_KIND_METADATA, "Search", "S", x,
			      strlen(x), NULL);
	CHECK(error == TFS_EINVALID && strstr(tfs_error_last(), "line 2") &&
		      strstr(tfs_error_last(), "more than 256 attributes"),
	      "an element of 257 attributes is refused, with its line");
	tfs_doc_free(doc);
	free(x);

	/* 256 pass the bound (the rules then judge the unknown ones). */
	x = wide_search(256 - 2);
	error = tfs_doc_parse(&doc, TFS_KIND_METADATA, "Search", "S", x,
			      strlen(x), NULL);
	CHECK(!strstr(tfs_error_last(), "more than 256"),
	      "an element of 256 attributes passes the bound");
	tfs_doc_free(doc);
	doc = NULL;
	free(x);

	x = wide_search(100000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	error = tfs_doc_parse(&doc, TFS_KIND_METADATA, "Search", "S", x,
			      strlen(x), NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("# 100,000 attributes refused in %.3f s\n", secs);
	CHECK(error == TFS_EINVALID && secs < 0.5,
	      "an element of 100,000 attributes is refused at once");
	tfs_doc_free(doc);
	free(x);
}

/*
 * Attributes the object schema (engine/SCHEMA.md, "5 Rules common to
 * every element") does not know are refused, naming the
 * element, the attribute and the line (issue 15); name and guid on a
 * root, description anywhere, and anything in free-form settings and
 * inside records' free-form children, stay accepted.
 */
static void test_unknown_attrs(void)
{
	tfs_kind M = TFS_KIND_METADATA;
	tfs_doc *d;

	expect_reject(M, "Form", "F",
		      "<Form name=\"F\" guid=\"" G1 "\" businessObject=\"I\" "
		      "colour=\"red\"/>",
		      "line 1: Form 'F': unknown attribute colour",
		      "unknown attribute on a metadata root");
	expect_reject(M, "BusinessObject", "B",
		      "<BusinessObject name=\"B\" guid=\"" G1 "\">\n"
		      "  <Field name=\"A\" type=\"Integer\"/>\n"
		      "  <Field name=\"Summary\" type=\"Text\" length=\"200\" "
		      "zExtra=\"1\"/>\n"
		      "</BusinessObject>",
		      "line 3: Field 'Summary': unknown attribute zExtra",
		      "unknown attribute on a child, with its line");
	expect_reject(M, "Role", "R",
		      "<Role name=\"R\" guid=\"" G1 "\" businessObject=\"I\"/>",
		      "unknown attribute businessObject",
		      "businessObject where it does not apply");
	expect_reject(M, "Form", "F",
		      "<Form name=\"F\" guid=\"" G1 "\" businessObject=\"I\" "
		      "changeRequest=\"CR-1\" caption=\"Txt\"/>",
		      "unknown attribute changeRequest",
		      "an unknown attribute beside known ones");
	expect_reject(TFS_KIND_VALIDATION, "", "Priority",
		      "<ValidationList name=\"Priority\" guid=\"" G1 "\">\n"
		      "  <Item value=\"1\" colour=\"red\"/>\n</ValidationList>",
		      "line 2: Item: unknown attribute colour",
		      "unknown attribute in a validation list");
	expect_reject(TFS_KIND_MASTER, "Employee", "E1",
		      "<Record name=\"E1\" guid=\"" G1
		      "\" businessObject=\"Employee\" "
		      "priority=\"1\"/>",
		      "line 1: Record 'E1': unknown attribute priority",
		      "unknown attribute on a record");
	expect_reject(
		TFS_KIND_DATA, "Incident", "I1",
		"<Record name=\"I1\" guid=\"" G1
		"\" businessObject=\"Incident\">"
		"\n  <Value field=\"Subject\" format=\"x\">a</Value>\n</Record>",
		"line 2: Value: unknown attribute format",
		"unknown attribute on a record's Value");
	expect_reject(
		TFS_KIND_DATA, "Incident", "I1",
		"<Record name=\"I1\" guid=\"" G1
		"\" businessObject=\"Incident\">"
		"<Link businessObject=\"Employee\" field=\"Owner\" key=\"E1\" "
		"role=\"x\"/></Record>",
		"Link: unknown attribute role",
		"unknown attribute on a record's Link");
	expect_reject(M, "Form", "F",
		      "<Form name=\"F\" guid=\"" G1 "\" businessObject=\"I\" "
		      "xml:lang=\"de\"/>",
		      "namespaces are not allowed",
		      "a namespaced attribute is refused as before");

	d = parse(M, "Form", "F",
		  "<Form name=\"F\" guid=\"" G1 "\" businessObject=\"I\" "
		  "description=\"free text\" caption=\"C\"/>",
		  NULL);
	CHECK(d != NULL, "name, guid, businessObject, description accepted");
	tfs_doc_free(d);
	d = parse(M, "Form", "F",
		  "<Form name=\"F\" guid=\"" G1 "\" businessObject=\"I\">"
		  "<FieldRef name=\"A\" description=\"x\"/></Form>",
		  NULL);
	CHECK(d != NULL, "any element of the schema may carry a description");
	tfs_doc_free(d);
	d = parse(TFS_KIND_DATA, "Incident", "I1",
		  "<Record name=\"I1\" guid=\"" G1
		  "\" businessObject=\"Incident\" "
		  "description=\"d\"><Value field=\"Subject\">a</Value>"
		  "<Extra anything=\"1\" other=\"2\"/></Record>",
		  NULL);
	CHECK(d != NULL, "a record's free-form children keep any attributes");
	tfs_doc_free(d);
	d = parse(TFS_KIND_SETTINGS, "GlobalConstant", "Tax",
		  "<GlobalConstant name=\"Tax\" guid=\"" G1 "\" value=\"19\" "
		  "unit=\"percent\"><Note lang=\"en\"/></GlobalConstant>",
		  NULL);
	CHECK(d != NULL, "settings are free form: any attributes");
	tfs_doc_free(d);
	d = parse(TFS_KIND_TRANSLATION, "de-DE/Form", "F",
		  "<Translation name=\"F\" guid=\"" G1 "\" locale=\"de-DE\" "
		  "type=\"Form\" description=\"d\"><String key=\"@caption\">"
		  "Fall</String></Translation>",
		  NULL);
	if (!d)
		printf("# error: %s\n", tfs_error_last());
	CHECK(d != NULL, "a translation may carry a description");
	tfs_doc_free(d);
	expect_reject(TFS_KIND_TRANSLATION, "de-DE/Form", "F",
		      "<Translation name=\"F\" guid=\"" G1
		      "\" locale=\"de-DE\" "
		      "type=\"Form\"><String key=\"@caption\" by=\"x\">Fall"
		      "</String></Translation>",
		      "String: unknown attribute by",
		      "unknown attribute in a translation");
}

/* A document whose root carries `attr` with a value of `len` 'x's. */
static char *long_attr(const char *head, const char *attr, size_t len,
		       const char *tail)
{
	tfs_buf b = TFS_BUF_INIT;
	size_t i;

	tfs_buf_puts(&b, head);
	tfs_buf_printf(&b, " %s=\"", attr);
	for (i = 0; i < len; i++)
		tfs_buf_put(&b, "x", 1);
	tfs_buf_puts(&b, "\"");
	tfs_buf_puts(&b, tail);
	return b.ptr;
}

/* Attribute values are bounded by their kind (issue 15). */
static void test_value_sizes(void)
{
	static const char form[] = "<Form name=\"F\" guid=\"" G1 "\" "
				   "businessObject=\"I\"";
	static const char ldap[] = "<LdapConfiguration name=\"L\" guid=\"" G1
				   "\" host=\"h\" port=\"1\"";
	tfs_doc *d = NULL;
	char *x;

	x = long_attr(form, "description", 65536, "/>");
	CHECK((d = parse(TFS_KIND_METADATA, "Form", "F", x, NULL)) != NULL,
	      "a description of 64 KiB is accepted");
	tfs_doc_free(d);
	free(x);
	x = long_attr(form, "description", 65537, "/>");
	expect_reject(TFS_KIND_METADATA, "Form", "F", x,
		      "line 1: Form 'F': attribute description is longer "
		      "than 65536 bytes",
		      "a description past 64 KiB");
	free(x);
	x = long_attr(form, "caption", 65537, "/>");
	expect_reject(TFS_KIND_METADATA, "Form", "F", x,
		      "attribute caption is longer than 65536 bytes",
		      "a text attribute past 64 KiB");
	free(x);
	x = long_attr("<Form name=\"F\" guid=\"" G1 "\"", "businessObject",
		      1025, "/>");
	expect_reject(TFS_KIND_METADATA, "Form", "F", x,
		      "attribute businessObject is longer than 1024 bytes",
		      "a reference past 1 KiB");
	free(x);
	x = long_attr("<Counter name=\"C\" guid=\"" G1 "\"", "start", 2000,
		      "/>");
	expect_reject(TFS_KIND_METADATA, "Counter", "C", x,
		      "attribute start is longer than 1024 bytes",
		      "a number past 1 KiB");
	free(x);
	x = long_attr(ldap, "bindDn", 65537, "/>");
	expect_reject(TFS_KIND_SETTINGS, "LdapConfiguration", "L", x,
		      "attribute bindDn is longer than 65536 bytes",
		      "a free-form settings attribute past 64 KiB");
	free(x);
}

/* The whole file at `path`, NUL-terminated, or NULL. */
static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (s = malloc((size_t)n + 1))) {
		if (fread(s, 1, (size_t)n, f) != (size_t)n) {
			free(s);
			s = NULL;
		} else {
			s[n] = '\0';
		}
	}
	fclose(f);
	return s;
}

/*
 * engine/SCHEMA.md, the object schema as a document, and the tables of
 * engine/doc_schema.c must agree: every metadata type has a section of its
 * own ("### Type"), every settings type and every root element is named
 * (`Type`), and every kind's directory too.  The path comes from meson
 * (tests/unit/meson.build); run by hand without it, this is skipped.
 */
static void test_schema_document(void)
{
	const char *path = getenv("TFS_SCHEMA_MD");
	const char *const roots[] = { "ValidationList", "Record", "Translation",
				      NULL };
	char want[128], what[200];
	char *md;
	size_t i;
	int k;

	if (!path || !path[0]) {
		CHECK(true, "SCHEMA.md names every type # SKIP TFS_SCHEMA_MD "
			    "not set");
		return;
	}
	md = read_file(path);
	CHECK(md != NULL, "engine/SCHEMA.md is readable");
	if (!md)
		return;
	for (i = 0; tfs_metadata_types[i]; i++) {
		snprintf(want, sizeof(want), "\n### %s\n",
			 tfs_metadata_types[i]);
		snprintf(what, sizeof(what),
			 "SCHEMA.md has a section for "
			 "metadata type %s",
			 tfs_metadata_types[i]);
		CHECK(strstr(md, want) != NULL, "%s", what);
	}
	for (i = 0; tfs_settings_types[i]; i++) {
		snprintf(want, sizeof(want), "`%s`", tfs_settings_types[i]);
		snprintf(what, sizeof(what),
			 "SCHEMA.md names settings type "
			 "%s",
			 tfs_settings_types[i]);
		CHECK(strstr(md, want) != NULL, "%s", what);
	}
	for (i = 0; roots[i]; i++) {
		snprintf(want, sizeof(want), "`%s`", roots[i]);
		snprintf(what, sizeof(what), "SCHEMA.md names root element %s",
			 roots[i]);
		CHECK(strstr(md, want) != NULL, "%s", what);
	}
	for (k = 0; k < TFS_KIND__COUNT; k++) {
		snprintf(want, sizeof(want), "`%s/", tfs_kind_dir((tfs_kind)k));
		snprintf(what, sizeof(what), "SCHEMA.md names directory %s/",
			 tfs_kind_dir((tfs_kind)k));
		CHECK(strstr(md, want) != NULL, "%s", what);
	}
	free(md);
}

int main(void)
{
	char path[] = "/tmp/test_doc_stderr.XXXXXX";
	struct stat st;
	int saved, fd;

	/* libxml2 must never write to stderr: catch it in a file. */
	fflush(stderr);
	saved = dup(2);
	fd = mkstemp(path);
	if (fd >= 0)
		dup2(fd, 2);

	test_canonical();
	test_variations();
	test_rejections();
	test_secrets();
	test_refs();
	test_guid_fill();
	test_helpers();
	test_threads();
	test_attribute_bound();
	test_unknown_attrs();
	test_value_sizes();
	test_schema_document();

	fflush(stderr);
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0,
	      "nothing written to stderr");
	if (saved >= 0)
		dup2(saved, 2);
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	printf("%d tests, %d failed\n", count, failures);
	return failures ? 1 : 0;
}
