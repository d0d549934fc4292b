/*
 * Unit tests of packages without a mount: making packages in staging
 * (transaction sets, close, export, compact export, impact, dependencies)
 * and importing the exported files into uat and production with the engine
 * calls fs/ makes for apply/, validate/, apply-unvalidated/ and preview/.
 *
 * Each case asserts what a user would check: the return code, the first
 * line of the result and its error/conflict/warning lines (with seq and
 * path), the bytes of the objects, the history count and the instance
 * version, and that a rejection leaves the instance exactly as it was.
 *
 * One demo store serves every case; each case works on its own objects
 * (different demo forms, its own new objects) so they do not interfere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "helper.h"
#include "tap.h"
#include "tenantfs/doc.h"
#include "tenantfs/error.h"
#include "tenantfs/instance.h"
#include "tenantfs/package.h"
#include "tenantfs/sha256.h"
#include "tenantfs/store.h"

/* Text (a result, a diff, a rendered file) as "# " diagnostic lines. */
static void diag(const char *text)
{
	const char *p = text;

	if (!p || !*p) {
		printf("#   (empty)\n");
		return;
	}
	while (*p) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);
		printf("#   %.*s\n", n, p);
		p += n + (nl ? 1 : 0);
	}
}

/* CHECK, showing `text` when it fails. */
#define CHECK_R(cond, text, ...) \
	((void)(CHECK((cond), __VA_ARGS__) || (diag(text), 0)))

#define USER "admin"

/* Guids of the objects the tests create (valid UUIDs, unused by the demo). */
#define G_WIDGET_BO   "0a000000-0000-4000-8000-000000000001"
#define G_WIDGET_FORM "0a000000-0000-4000-8000-000000000002"
#define G_PKG_GUID    "0a000000-0000-4000-8000-000000000003"
#define G_PKG_PATH    "0a000000-0000-4000-8000-000000000004"
#define G_OTHER_PATH  "0a000000-0000-4000-8000-000000000005"
#define G_COMPACT     "0a000000-0000-4000-8000-000000000006"
#define G_TXBLOB      "0a000000-0000-4000-8000-000000000007"
#define G_TXBAD       "0a000000-0000-4000-8000-000000000008"
#define G_PREV        "0a000000-0000-4000-8000-000000000009"

static char tmpdir[TH_PATH];
static tfs_store *st;
static int64_t uat_id;

/* ---- helpers: objects ---------------------------------------------------- */

/* Replace the bytes of `out` by the stored bytes of metadata/TYPE/NAME.xml
 * of `in`: 0, TFS_ENOTFOUND, or another error. */
static int meta_read(tfs_buf *out, tfs_inst *in, const char *type,
		     const char *name)
{
	tfs_obj_info o;
	int64_t dir;
	int error;

	tfs_buf_clear(out);
	if ((error = tfs_inst_dir_find(&dir, in, TFS_KIND_METADATA, type)) <
		    0 ||
	    (error = tfs_inst_obj_find(&o, in, dir, name)) < 0)
		return error;
	return tfs_inst_obj_read(out, in, o.id);
}

/* Whether metadata/TYPE/NAME.xml exists in `in`. */
static bool meta_exists(tfs_inst *in, const char *type, const char *name)
{
	tfs_buf b = TFS_BUF_INIT;
	int error = meta_read(&b, in, type, name);

	tfs_buf_free(&b);
	return error == 0;
}

/* Whether metadata/TYPE/NAME.xml is byte-for-byte the same in `a` and `b`. */
static bool same_object(tfs_inst *a, tfs_inst *b, const char *type,
			const char *name)
{
	tfs_buf x = TFS_BUF_INIT, y = TFS_BUF_INIT;
	bool same = meta_read(&x, a, type, name) == 0 &&
		    meta_read(&y, b, type, name) == 0 && x.size == y.size &&
		    memcmp(x.ptr, y.ptr, x.size) == 0;

	tfs_buf_free(&x);
	tfs_buf_free(&y);
	return same;
}

/* Whether the object of `in` holds exactly `bytes`. */
static bool holds(tfs_inst *in, const char *type, const char *name,
		  const char *bytes)
{
	tfs_buf x = TFS_BUF_INIT;
	bool same = meta_read(&x, in, type, name) == 0 &&
		    x.size == strlen(bytes) &&
		    memcmp(x.ptr, bytes, x.size) == 0;

	tfs_buf_free(&x);
	return same;
}

/* The stored form NAME of `in` with its caption set to `caption` (the
 * caller frees it), or NULL. */
static char *form_with_caption(tfs_inst *in, const char *name,
			       const char *caption)
{
	tfs_buf b = TFS_BUF_INIT;
	const char *p, *q;
	char *r = NULL;
	size_t n;

	if (meta_read(&b, in, "Form", name) == 0 &&
	    (p = strstr(b.ptr, " caption=\"")) && (q = strchr(p + 10, '"'))) {
		n = b.size - (size_t)(q - p - 10) + strlen(caption) + 1;
		if ((r = malloc(n)))
			snprintf(r, n, "%.*s%s%s", (int)(p + 10 - b.ptr), b.ptr,
				 caption, q);
	}
	tfs_buf_free(&b);
	return r;
}

static int save(tfs_inst *in, const char *type, const char *name,
		const char *bytes)
{
	if (!bytes)
		return tfs_error_set(TFS_ERROR, "no bytes to save");
	return tfs_inst_save(NULL, in, USER, TFS_KIND_METADATA, type, name,
			     bytes, strlen(bytes));
}

/* Set the caption of form NAME of `in`; 0 or the save's error. */
static int set_caption(tfs_inst *in, const char *name, const char *caption)
{
	char *bytes = form_with_caption(in, name, caption);
	int error = save(in, "Form", name, bytes);

	free(bytes);
	return error;
}

/* uat's metadata lock, through instance.conf as a user would. */
static int set_uat_locked(bool locked)
{
	const char *text = locked ? "metadata_locked = true\n" :
				    "metadata_locked = false\n";

	return tfs_store_conf_update(st, TFS_ENT_INSTANCE, uat_id, USER, text,
				     strlen(text));
}

/* Save in uat despite its lock: unlock, save, lock again. */
static int uat_save(tfs_inst *uat, const char *type, const char *name,
		    const char *bytes)
{
	int error, e2;

	if ((error = set_uat_locked(false)) < 0)
		return error;
	error = save(uat, type, name, bytes);
	e2 = set_uat_locked(true);
	return error < 0 ? error : e2;
}

static int uat_set_caption(tfs_inst *uat, const char *name, const char *caption)
{
	char *bytes = form_with_caption(uat, name, caption);
	int error = uat_save(uat, "Form", name, bytes);

	free(bytes);
	return error;
}

static int sha_of(char out[65], tfs_inst *in, const char *type,
		  const char *name)
{
	tfs_buf b = TFS_BUF_INIT;
	int error = meta_read(&b, in, type, name);

	if (!error)
		tfs_sha256_hex(out, b.ptr, b.size);
	tfs_buf_free(&b);
	return error;
}

/* ---- helpers: instance state ------------------------------------------ */

static int max_row(void *ctx, const tfs_row *row)
{
	int64_t *max = ctx;

	if (row->id > *max)
		*max = row->id;
	return 0;
}

/* The newest transaction set of the active project of `in` (0 if none). */
static int64_t last_txset(tfs_inst *in)
{
	tfs_row project;
	int64_t max = 0;

	if (tfs_inst_active_project(&project, in) == 0)
		tfs_inst_txset_list(in, project.id, max_row, &max);
	return max;
}

static int hist(tfs_inst *in)
{
	int n = -1;

	tfs_inst_history_count(in, &n);
	return n;
}

static int64_t version(tfs_inst *in)
{
	tfs_inst_meta m;

	if (tfs_inst_meta_get(&m, in) < 0)
		return -1;
	return m.version;
}

struct names {
	char **v;
	size_t n, cap;
	tfs_inst *in;
	const char *type;
};

static int collect_name(void *ctx, const tfs_row *row)
{
	struct names *l = ctx;
	tfs_obj_info o;
	char line[700];

	if (tfs_inst_obj_get(&o, l->in, row->id) < 0)
		return -1;
	snprintf(line, sizeof(line), "%s/%s %s", l->type, row->name, o.sha);
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		char **v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	if (!(l->v[l->n] = strdup(line)))
		return -1;
	l->n++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A digest of every metadata and validation object of `in` (path and
 * SHA-256), so "nothing changed" covers objects added, removed, renamed
 * or rewritten anywhere a package can reach in these tests. */
static void meta_digest(char out[65], tfs_inst *in)
{
	struct names l = { NULL, 0, 0, in, NULL };
	tfs_sha256 s;
	unsigned char d[32];
	int64_t dir;
	size_t i;
	int t;

	for (t = 0; tfs_metadata_types[t]; t++) {
		l.type = tfs_metadata_types[t];
		if (tfs_inst_dir_find(&dir, in, TFS_KIND_METADATA, l.type) == 0)
			tfs_inst_obj_list(in, dir, collect_name, &l);
	}
	l.type = "validation";
	if (tfs_inst_dir_find(&dir, in, TFS_KIND_VALIDATION, "") == 0)
		tfs_inst_obj_list(in, dir, collect_name, &l);
	qsort(l.v, l.n, sizeof(*l.v), cmp_str);
	tfs_sha256_init(&s);
	for (i = 0; i < l.n; i++) {
		tfs_sha256_update(&s, l.v[i], strlen(l.v[i]) + 1);
		free(l.v[i]);
	}
	free(l.v);
	tfs_sha256_final(&s, d);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* What "nothing changed" compares: history, version, all metadata. */
struct snap {
	int hist;
	int64_t version;
	char digest[65];
};

static void snap_take(struct snap *s, tfs_inst *in)
{
	s->hist = hist(in);
	s->version = version(in);
	meta_digest(s->digest, in);
}

static bool snap_same(const struct snap *s, tfs_inst *in)
{
	struct snap now;

	snap_take(&now, in);
	return now.hist == s->hist && now.version == s->version &&
	       strcmp(now.digest, s->digest) == 0;
}

/* ---- helpers: packages and results ------------------------------------ */

/* Create package NAME in `in` holding transaction sets `txsets` ("N\n..."),
 * closed when `close`; *id is its id.  0 or the first error. */
static int make_pkg(int64_t *id, tfs_inst *in, const char *name,
		    const char *txsets, bool close)
{
	tfs_row row;
	int error;

	if ((error = tfs_pkg_create(in, USER, name)) < 0 ||
	    (error = tfs_pkg_find(&row, in, name)) < 0)
		return error;
	*id = row.id;
	if (txsets && (error = tfs_pkg_update(in, USER, row.id, TFS_PKG_TXSETS,
					      txsets, strlen(txsets))) < 0)
		return error;
	if (close && (error = tfs_pkg_update(in, USER, row.id, TFS_PKG_CONF,
					     "state = closed\n", 15)) < 0)
		return error;
	return 0;
}

static int write_file(const char *path, const char *bytes, size_t len)
{
	FILE *f = fopen(path, "wb");
	int error = 0;

	if (!f)
		return tfs_error_set(TFS_ERROR, "cannot create %s", path);
	if (len && fwrite(bytes, 1, len, f) != len)
		error = tfs_error_set(TFS_ERROR, "cannot write %s", path);
	if (fclose(f) != 0 && !error)
		error = tfs_error_set(TFS_ERROR, "cannot write %s", path);
	return error;
}

/* The path of temporary file NAME into out. */
static void tmp_path(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", tmpdir, name);
}

/* Render file `f` of package `id` into `xml` (cleared first) and write it
 * to the temporary file NAME, whose path goes to `path`. */
static int export_pkg(tfs_buf *xml, char path[512], tfs_inst *in, int64_t id,
		      tfs_pkg_file f, const char *name)
{
	int error;

	tfs_buf_clear(xml);
	tmp_path(path, 512, name);
	if ((error = tfs_pkg_render(xml, in, id, f)) < 0)
		return error;
	return write_file(path, xml->ptr, xml->size);
}

/* Import with the result and diff buffers cleared first. */
static int import(tfs_buf *result, tfs_buf *diff, tfs_inst *in,
		  const char *path, tfs_pkg_mode mode)
{
	tfs_buf_clear(result);
	if (diff)
		tfs_buf_clear(diff);
	return tfs_pkg_import(result, diff, in, USER, path, mode, NULL, NULL);
}

static bool starts_with(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Whether the first line of `text` is exactly `word`. */
static bool first_line(const tfs_buf *text, const char *word)
{
	size_t n = strlen(word);

	return text->ptr && strncmp(text->ptr, word, n) == 0 &&
	       (text->ptr[n] == '\n' || text->ptr[n] == '\0');
}

/* Whether `text` has a line exactly `line`. */
static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len == n && memcmp(p, line, n) == 0)
			return true;
		p = nl ? nl + 1 : NULL;
	}
	return false;
}

/* Number of lines of `text` starting with `prefix`. */
static int lines_starting(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);
	const char *p = text;
	int c = 0;

	while (p && *p) {
		c += strncmp(p, prefix, n) == 0;
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return c;
}

/* The decimal number `s` (all of it), or -1. */
static long number(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	return s[0] && !*end ? v : -1;
}

/* The number after "commit: " in a result, or -1. */
static int result_commit(const tfs_buf *result)
{
	const char *p = result->ptr ? strstr(result->ptr, "\ncommit: ") : NULL;
	char *end;
	long v;

	if (!p)
		return -1;
	v = strtol(p + 9, &end, 10);
	return *end == '\n' ? (int)v : -1;
}

/*
 * Attribute `attr` of the n-th (0-based) <transaction> of `xml` whose path
 * is `path`, into out; false when there is no such transaction.
 */
static bool tx_attr(char *out, size_t size, const char *xml, const char *path,
		    int nth, const char *attr)
{
	char want[700], key[64];
	const char *p = xml;

	snprintf(want, sizeof(want), " path=\"%s\"", path);
	snprintf(key, sizeof(key), " %s=\"", attr);
	while (p && (p = strstr(p, "<transaction "))) {
		const char *end = strchr(p, '>'), *a, *q;
		const char *w = strstr(p, want);
		if (!end)
			return false;
		if (w && w < end && nth-- == 0) {
			a = strstr(p, key);
			if (!a || a > end)
				return false;
			a += strlen(key);
			q = strchr(a, '"');
			if (!q || q > end)
				return false;
			snprintf(out, size, "%.*s", (int)(q - a), a);
			return true;
		}
		p = end;
	}
	return false;
}

static int tx_count(const char *xml, const char *path)
{
	char v[32];
	int n = 0;

	while (tx_attr(v, sizeof(v), xml, path, n, "seq"))
		n++;
	return n;
}

/* ---- the cases ---------------------------------------------------------- */

/*
 * staging -> uat: edit, package, close, export; validate and preview
 * change nothing; apply; apply again.  Returns the commit of the
 * application (for the revert case) via *commit and the package file.
 */
static void case_flow(tfs_inst *stg, tfs_inst *uat, char p1_path[512],
		      int *commit)
{
	tfs_buf xml = TFS_BUF_INIT, res = TFS_BUF_INIT, diff = TFS_BUF_INIT;
	tfs_buf b = TFS_BUF_INIT;
	char line[900], num[32], seq[32], base[80], sha[65];
	struct snap before;
	int64_t tx, id;
	int rc, h;

	*commit = -1;
	sha_of(sha, stg, "Form", "Incident.Default");
	CHECK(set_caption(stg, "Incident.Default", "Incident (pkg)") == 0,
	      "flow: caption of staging's Incident.Default changed");
	tx = last_txset(stg);
	CHECK(tx > 0, "flow: the save made transaction set %lld",
	      (long long)tx);
	snprintf(num, sizeof(num), "%lld\n", (long long)tx);
	CHECK(make_pkg(&id, stg, "P1", num, false) == 0,
	      "flow: package P1 created with transaction set %lld",
	      (long long)tx);
	tfs_pkg_render(&b, stg, id, TFS_PKG_TXSETS);
	CHECK(b.ptr && strcmp(b.ptr, num) == 0,
	      "flow: transaction-sets reads back '%lld'", (long long)tx);
	CHECK(tfs_pkg_update(stg, USER, id, TFS_PKG_CONF, "state = closed\n",
			     15) == 0,
	      "flow: P1 closed");
	tfs_buf_clear(&b);
	tfs_pkg_render(&b, stg, id, TFS_PKG_CONF);
	CHECK(b.ptr && strstr(b.ptr, "state = closed\n"),
	      "flow: package.conf says state = closed");
	rc = tfs_pkg_update(stg, USER, id, TFS_PKG_TXSETS, "", 0);
	CHECK(rc == TFS_EACCESS,
	      "flow: a closed package does not change "
	      "(rc %d)",
	      rc);
	CHECK(export_pkg(&xml, p1_path, stg, id, TFS_PKG_XML, "P1.xml") == 0,
	      "flow: P1 exported");
	CHECK(starts_with(xml.ptr, "<package format=\"1\" name=\"P1\" "
				   "type=\"incremental\" state=\"closed\"") &&
		      strstr(xml.ptr,
			     " source-tenant=\"acme\" source-instance=\""
			     "staging\""),
	      "flow: export root names P1, closed, "
	      "acme/staging");
	CHECK(tx_count(xml.ptr, "metadata/Form/Incident.Default.xml") == 1 &&
		      tx_attr(seq, sizeof(seq), xml.ptr,
			      "metadata/Form/Incident.Default.xml", 0, "seq") &&
		      tx_attr(base, sizeof(base), xml.ptr,
			      "metadata/Form/Incident.Default.xml", 0,
			      "base") &&
		      strcmp(base, sha) == 0,
	      "flow: one transaction (seq %s), base = SHA-256 of the bytes "
	      "before",
	      seq);

	/* Validate and preview change nothing. */
	snap_take(&before, uat);
	rc = import(&res, NULL, uat, p1_path, TFS_PKG_VALIDATE);
	CHECK_R(rc == 0 && first_line(&res, "validated") &&
			has_line(res.ptr, "impact: medium") &&
			has_line(res.ptr,
				 "objects: 1/1 (1 changed, 0 unchanged)"),
		res.ptr, "validate: rc %d", rc);
	CHECK(snap_same(&before, uat), "validate: uat unchanged");
	rc = import(&res, &diff, uat, p1_path, TFS_PKG_PREVIEW);
	CHECK_R(rc == 0 && first_line(&res, "previewed"), res.ptr,
		"preview: rc %d", rc);
	CHECK(snap_same(&before, uat), "preview: uat unchanged");
	CHECK_R(starts_with(diff.ptr,
			    "--- a/metadata/Form/Incident.Default."
			    "xml\n+++ b/metadata/Form/Incident.Default.xml\n"
			    "@@ "),
		diff.ptr, "preview: diff -u header for the form");
	{
		const char *minus = diff.ptr ? strstr(diff.ptr, "\n-<Form ") :
					       NULL;
		const char *plus = diff.ptr ? strstr(diff.ptr, "\n+<Form ") :
					      NULL;
		CHECK(minus && plus && minus < plus &&
			      strstr(minus, "caption=\"Incident\">\n") &&
			      strstr(plus, "caption=\"Incident (pkg)\">\n"),
		      "preview: '-' old caption line before '+' new one");
		CHECK(lines_starting(diff.ptr, "-") == 2 &&
			      lines_starting(diff.ptr, "+") == 2,
		      "preview: only the caption line changes (one -, one + "
		      "besides the headers)");
	}

	/* Apply into locked uat (medium impact). */
	h = hist(uat);
	rc = import(&res, NULL, uat, p1_path, TFS_PKG_APPLY);
	*commit = result_commit(&res);
	CHECK_R(rc == 0 && first_line(&res, "applied") &&
			has_line(res.ptr, "impact: medium") && *commit == h + 1,
		res.ptr, "apply: rc %d", rc);
	CHECK(same_object(stg, uat, "Form", "Incident.Default"),
	      "apply: uat's form bytes equal staging's");
	CHECK(hist(uat) == before.hist + 1, "apply: history + 1 (%d)",
	      hist(uat));
	CHECK(version(uat) == before.version + 1, "apply: version + 1 (%lld)",
	      (long long)version(uat));
	CHECK(tfs_inst_locked(uat), "apply: uat is still locked");
	snprintf(line, sizeof(line),
		 "warning: impact medium: metadata/Form/"
		 "Incident.Default.xml: changed");
	CHECK(has_line(res.ptr, line), "apply: the impact reason is listed");

	/* Again: already applied, nothing changes. */
	snap_take(&before, uat);
	rc = import(&res, NULL, uat, p1_path, TFS_PKG_APPLY);
	CHECK_R(rc == 0 && first_line(&res, "already-applied") &&
			result_commit(&res) == *commit,
		res.ptr, "apply again: rc %d", rc);
	CHECK(snap_same(&before, uat), "apply again: nothing changed");

	tfs_buf_free(&xml);
	tfs_buf_free(&res);
	tfs_buf_free(&diff);
	tfs_buf_free(&b);
}

static const char widget_bo[] =
	"<BusinessObject name=\"Widget\" guid=\"" G_WIDGET_BO "\" "
	"table=\"Widget\">\n"
	"  <Field name=\"RecId\" type=\"Text\" length=\"32\"/>\n"
	"  <Field name=\"Title\" type=\"Text\" length=\"100\"/>\n"
	"</BusinessObject>\n";
static const char widget_form[] =
	"<Form name=\"Widget.Default\" guid=\"" G_WIDGET_FORM "\" "
	"businessObject=\"Widget\" caption=\"Widget\">\n"
	"  <FieldRef name=\"Title\"/>\n"
	"</Form>\n";

/* References must resolve in the target or in the package, in any order. */
static void case_refs(tfs_inst *stg, tfs_inst *uat)
{
	tfs_buf xml = TFS_BUF_INIT, res = TFS_BUF_INIT, bo = TFS_BUF_INIT;
	tfs_buf b = TFS_BUF_INIT;
	char path[512], path2[512], num[32], line[900], fseq[32], bseq[32];
	char *tx = NULL, *both = NULL;
	int64_t tx_bo, tx_form, id_form, id_both;
	struct snap before;
	int rc;

	CHECK(save(stg, "BusinessObject", "Widget", widget_bo) == 0,
	      "refs: business object Widget created in staging");
	tx_bo = last_txset(stg);
	CHECK(save(stg, "Form", "Widget.Default", widget_form) == 0,
	      "refs: form Widget.Default created in staging");
	tx_form = last_txset(stg);
	snprintf(num, sizeof(num), "%lld\n", (long long)tx_form);
	CHECK(make_pkg(&id_form, stg, "PFormOnly", num, true) == 0,
	      "refs: package with the form only");
	snprintf(num, sizeof(num), "%lld\n%lld\n", (long long)tx_bo,
		 (long long)tx_form);
	CHECK(make_pkg(&id_both, stg, "PWidget", num, true) == 0,
	      "refs: package with business object and form");

	/* Dependencies: what the package refers to and does not carry. */
	tfs_pkg_render(&b, stg, id_form, TFS_PKG_DEPS);
	CHECK_R(b.ptr && strcmp(b.ptr,
				"metadata/BusinessObject/Widget.xml\n") == 0,
		b.ptr, "refs: dependencies of the form-only package");
	tfs_buf_clear(&b);
	tfs_pkg_render(&b, stg, id_both, TFS_PKG_DEPS);
	CHECK_R(b.size == 0, b.ptr,
		"refs: no dependencies when the package "
		"carries the business object");
	tfs_buf_clear(&b);
	tfs_pkg_render(&b, stg, id_both, TFS_PKG_IMPACT);
	CHECK_R(b.ptr && strncmp(b.ptr, "medium\n", 7) == 0 &&
			has_line(b.ptr,
				 "medium: metadata/BusinessObject/Widget.xml: "
				 "business object added"),
		b.ptr, "refs: impact of a new business object is medium");
	tfs_buf_clear(&b);
	tfs_pkg_render(&b, stg, id_form, TFS_PKG_IMPACT);
	CHECK_R(b.ptr && strcmp(b.ptr, "low\n") == 0, b.ptr,
		"refs: impact of a new form alone is low");

	/* The form without its business object is rejected. */
	CHECK(export_pkg(&xml, path, stg, id_form, TFS_PKG_XML,
			 "PFormOnly.xml") == 0 &&
		      tx_attr(fseq, sizeof(fseq), xml.ptr,
			      "metadata/Form/Widget.Default.xml", 0, "seq"),
	      "refs: form-only package exported (form seq %s)", fseq);
	snap_take(&before, uat);
	rc = import(&res, NULL, uat, path, TFS_PKG_APPLY);
	snprintf(line, sizeof(line),
		 "error seq=%s: metadata/Form/"
		 "Widget.Default.xml: business object Widget not found in "
		 "target or package",
		 fseq);
	CHECK_R(rc == TFS_EINVALID && first_line(&res, "rejected") &&
			has_line(res.ptr, line),
		res.ptr,
		"refs: missing business object "
		"rejected: rc %d",
		rc);
	CHECK(snap_same(&before, uat) &&
		      !meta_exists(uat, "Form", "Widget.Default"),
	      "refs: nothing changed after the rejection");
	rc = import(&res, NULL, uat, path, TFS_PKG_VALIDATE);
	CHECK(rc == TFS_EINVALID && first_line(&res, "rejected") &&
		      has_line(res.ptr, line),
	      "refs: validate says the same "
	      "(rc %d)",
	      rc);

	/* The same package plus the business object AFTER the form. */
	meta_read(&bo, stg, "BusinessObject", "Widget");
	{
		tfs_buf t = TFS_BUF_INIT;
		tfs_buf e = TFS_BUF_INIT;
		/* The business object's transaction as staging exported it. */
		tfs_buf_clear(&e);
		tfs_pkg_render(&e, stg, id_both, TFS_PKG_XML);
		CHECK(tx_attr(bseq, sizeof(bseq), e.ptr,
			      "metadata/BusinessObject/Widget.xml", 0, "seq") &&
			      number(bseq) >= 0 && number(bseq) < number(fseq),
		      "refs: business object seq %s is before the form's %s",
		      bseq, fseq);
		tfs_buf_printf(&t,
			       "<transaction seq=\"%s\" op=\"C\" path=\""
			       "metadata/BusinessObject/Widget.xml\" base=\"\">"
			       "\n%s      </transaction>\n",
			       bseq, bo.ptr ? bo.ptr : "");
		tx = tfs_buf_detach(&t, NULL);
		tfs_buf_free(&e);
	}
	{
		/* Insert after the form's </transaction> line. */
		const char *end = strstr(xml.ptr, "</transaction>\n");
		size_t at = end ? (size_t)(end - xml.ptr) + 15 : 0;
		tfs_buf t = TFS_BUF_INIT;
		if (end && tx) {
			tfs_buf_put(&t, xml.ptr, at);
			tfs_buf_printf(&t, "      %s", tx);
			tfs_buf_puts(&t, xml.ptr + at);
			both = tfs_buf_detach(&t, NULL);
		}
		tfs_buf_free(&t);
	}
	tmp_path(path2, sizeof(path2), "PWidgetAfter.xml");
	CHECK(both && write_file(path2, both, strlen(both)) == 0 &&
		      strstr(both, "Widget.Default.xml") <
			      strstr(both, "BusinessObject/Widget.xml"),
	      "refs: package file with the business object after the form");
	rc = import(&res, NULL, uat, path2, TFS_PKG_APPLY);
	CHECK_R(rc == 0 && first_line(&res, "applied") &&
			has_line(res.ptr,
				 "objects: 2/2 (2 changed, 0 unchanged)") &&
			!strstr(res.ptr, "\nerror"),
		res.ptr,
		"refs: with the business object after the form it applies: "
		"rc %d",
		rc);
	CHECK(same_object(stg, uat, "Form", "Widget.Default") &&
		      same_object(stg, uat, "BusinessObject", "Widget"),
	      "refs: both objects in uat as in staging");
	CHECK(hist(uat) == before.hist + 1 &&
		      version(uat) == before.version + 1,
	      "refs: one commit, version + 1");

	free(tx);
	free(both);
	tfs_buf_free(&xml);
	tfs_buf_free(&res);
	tfs_buf_free(&bo);
	tfs_buf_free(&b);
}

/* A change in the target since the package's base is a conflict. */
static void case_conflict(tfs_inst *stg, tfs_inst *uat)
{
	tfs_buf xml = TFS_BUF_INIT, res = TFS_BUF_INIT, orig = TFS_BUF_INIT;
	char path[512], num[32], line[900], seq[32];
	struct snap before;
	int64_t id;
	int rc;

	meta_read(&orig, uat, "Form", "Incident.Mobile");
	CHECK(set_caption(stg, "Incident.Mobile", "Mobile (pkg)") == 0,
	      "conflict: staging's Incident.Mobile changed");
	snprintf(num, sizeof(num), "%lld\n", (long long)last_txset(stg));
	CHECK(make_pkg(&id, stg, "PConflict", num, true) == 0 &&
		      export_pkg(&xml, path, stg, id, TFS_PKG_XML,
				 "PConflict.xml") == 0 &&
		      tx_attr(seq, sizeof(seq), xml.ptr,
			      "metadata/Form/Incident.Mobile.xml", 0, "seq"),
	      "conflict: package exported (seq %s)", seq);
	CHECK(uat_set_caption(uat, "Incident.Mobile", "Mobile (uat)") == 0 &&
		      tfs_inst_locked(uat),
	      "conflict: uat's Incident.Mobile changed "
	      "(unlocked, saved, locked again)");
	snap_take(&before, uat);
	rc = import(&res, NULL, uat, path, TFS_PKG_APPLY);
	snprintf(line, sizeof(line),
		 "conflict seq=%s: metadata/Form/"
		 "Incident.Mobile.xml: changed in target since the package's "
		 "base",
		 seq);
	CHECK_R(rc == TFS_ECONFLICT && first_line(&res, "rejected") &&
			has_line(res.ptr, line),
		res.ptr, "conflict: rejected: rc %d", rc);
	CHECK(snap_same(&before, uat), "conflict: nothing applied");

	/* Back to the base bytes: the package applies. */
	CHECK(uat_save(uat, "Form", "Incident.Mobile", orig.ptr) == 0 &&
		      holds(uat, "Form", "Incident.Mobile", orig.ptr),
	      "conflict: uat's form put back to the base bytes");
	snap_take(&before, uat);
	rc = import(&res, NULL, uat, path, TFS_PKG_APPLY);
	CHECK_R(rc == 0 && first_line(&res, "applied") &&
			same_object(stg, uat, "Form", "Incident.Mobile"),
		res.ptr,
		"conflict: applies once the target is at the base: rc %d", rc);
	CHECK(hist(uat) == before.hist + 1 &&
		      version(uat) == before.version + 1,
	      "conflict: one commit, version + 1");

	tfs_buf_free(&xml);
	tfs_buf_free(&res);
	tfs_buf_free(&orig);
}

/* A target already holding the new bytes is unchanged, not a conflict. */
static void case_same_bytes(tfs_inst *stg, tfs_inst *uat)
{
	tfs_buf xml = TFS_BUF_INIT, res = TFS_BUF_INIT, b = TFS_BUF_INIT;
	char path[512], num[64];
	struct snap before;
	int64_t a = 0, c = 0, id;
	int rc;

	CHECK(set_caption(stg, "Incident.Resolve", "Resolve (pkg)") == 0,
	      "same bytes: staging's Incident.Resolve changed");
	a = last_txset(stg);
	CHECK(set_caption(stg, "Incident.SelfService", "Self (pkg)") == 0,
	      "same bytes: staging's Incident.SelfService changed");
	c = last_txset(stg);
	snprintf(num, sizeof(num), "%lld\n%lld\n", (long long)a, (long long)c);
	CHECK(make_pkg(&id, stg, "PSame", num, true) == 0 &&
		      export_pkg(&xml, path, stg, id, TFS_PKG_XML,
				 "PSame.xml") == 0,
	      "same bytes: package exported");
	meta_read(&b, stg, "Form", "Incident.Resolve");
	CHECK(uat_save(uat, "Form", "Incident.Resolve", b.ptr) == 0 &&
		      same_object(stg, uat, "Form", "Incident.Resolve"),
	      "same bytes: uat already holds the new Incident.Resolve");
	snap_take(&before, uat);
	rc = import(&res, NULL, uat, path, TFS_PKG_APPLY);
	CHECK_R(rc == 0 && first_line(&res, "applied") &&
			has_line(res.ptr,
				 "objects: 2/2 (1 changed, 1 unchanged)") &&
			!strstr(res.ptr, "conflict"),
		res.ptr,
		"same bytes: applied, one unchanged, no conflict: rc %d", rc);
	CHECK(same_object(stg, uat, "Form", "Incident.SelfService") &&
		      same_object(stg, uat, "Form", "Incident.Resolve"),
	      "same bytes: both forms as in staging");
	CHECK(hist(uat) == before.hist + 1 &&
		      version(uat) == before.version + 1,
	      "same bytes: one commit, version + 1");

	tfs_buf_free(&xml);
	tfs_buf_free(&res);
	tfs_buf_free(&b);
}

static const char pkg_guid_form[] =
	"<Form name=\"Incident.PkgGuid\" guid=\"" G_PKG_GUID "\" "
	"businessObject=\"Incident\" caption=\"Guid\">\n"
	"  <FieldRef name=\"Subject\"/>\n"
	"</Form>\n";
static const char other_form[] =
	"<Form name=\"Incident.Other\" guid=\"" G_PKG_GUID "\" "
	"businessObject=\"Incident\" caption=\"Other\">\n"
	"  <FieldRef name=\"Subject\"/>\n"
	"</Form>\n";
static const char pkg_path_form[] =
	"<Form name=\"Incident.PkgPath\" guid=\"" G_PKG_PATH "\" "
	"businessObject=\"Incident\" caption=\"Path\">\n"
	"  <FieldRef name=\"Subject\"/>\n"
	"</Form>\n";
static const char uat_path_form[] =
	"<Form name=\"Incident.PkgPath\" guid=\"" G_OTHER_PATH "\" "
	"businessObject=\"Incident\" caption=\"Path\">\n"
	"  <FieldRef name=\"Subject\"/>\n"
	"</Form>\n";

/* Objects are matched by guid, then path; never duplicated. */
static void case_guid(tfs_inst *stg, tfs_inst *uat)
{
	tfs_buf xml = TFS_BUF_INIT, res = TFS_BUF_INIT, b = TFS_BUF_INIT;
	char path[512], num[32], line[900], seq[32];
	struct snap before;
	int64_t id;
	int rc;

	/* A guid at another path. */
	CHECK(save(stg, "Form", "Incident.PkgGuid", pkg_guid_form) == 0,
	      "guid: staging creates Incident.PkgGuid");
	snprintf(num, sizeof(num), "%lld\n", (long long)last_txset(stg));
	CHECK(make_pkg(&id, stg, "PGuid", num, true) == 0 &&
		      export_pkg(&xml, path, stg, id, TFS_PKG_XML,
				 "PGuid.xml") == 0 &&
		      tx_attr(seq, sizeof(seq), xml.ptr,
			      "metadata/Form/Incident.PkgGuid.xml", 0, "seq"),
	      "guid: package exported (seq %s)", seq);
	tfs_pkg_render(&b, stg, id, TFS_PKG_IMPACT);
	CHECK_R(b.ptr && strcmp(b.ptr, "low\n") == 0, b.ptr,
		"guid: impact of adding a form is 'low'");
	tfs_buf_clear(&b);
	tfs_pkg_render(&b, stg, id, TFS_PKG_DEPS);
	CHECK_R(b.ptr && strcmp(b.ptr,
				"metadata/BusinessObject/Incident.xml\n") == 0,
		b.ptr,
		"guid: dependencies name the business object the "
		"form uses");
	CHECK(uat_save(uat, "Form", "Incident.Other", other_form) == 0,
	      "guid: uat holds the same guid as Incident.Other");
	snap_take(&before, uat);
	rc = import(&res, NULL, uat, path, TFS_PKG_APPLY);
	snprintf(line, sizeof(line),
		 "conflict seq=%s: metadata/Form/"
		 "Incident.PkgGuid.xml: object with guid " G_PKG_GUID " is "
		 "metadata/Form/Incident.Other.xml in the target",
		 seq);
	CHECK_R(rc == TFS_ECONFLICT && first_line(&res, "rejected") &&
			has_line(res.ptr, line),
		res.ptr, "guid: conflict: rc %d", rc);
	CHECK(snap_same(&before, uat) &&
		      !meta_exists(uat, "Form", "Incident.PkgGuid") &&
		      holds(uat, "Form", "Incident.Other", other_form),
	      "guid: nothing duplicated, Incident.Other untouched");

	/* A path holding another guid. */
	CHECK(save(stg, "Form", "Incident.PkgPath", pkg_path_form) == 0,
	      "path: staging creates Incident.PkgPath");
	snprintf(num, sizeof(num), "%lld\n", (long long)last_txset(stg));
	CHECK(make_pkg(&id, stg, "PPath", num, true) == 0 &&
		      export_pkg(&xml, path, stg, id, TFS_PKG_XML,
				 "PPath.xml") == 0 &&
		      tx_attr(seq, sizeof(seq), xml.ptr,
			      "metadata/Form/Incident.PkgPath.xml", 0, "seq"),
	      "path: package exported (seq %s)", seq);
	CHECK(uat_save(uat, "Form", "Incident.PkgPath", uat_path_form) == 0,
	      "path: uat holds Incident.PkgPath with another guid");
	snap_take(&before, uat);
	rc = import(&res, NULL, uat, path, TFS_PKG_APPLY);
	snprintf(line, sizeof(line),
		 "conflict seq=%s: metadata/Form/"
		 "Incident.PkgPath.xml: the target's object of this name has "
		 "guid " G_OTHER_PATH ", the package's " G_PKG_PATH,
		 seq);
	CHECK_R(rc == TFS_ECONFLICT && first_line(&res, "rejected") &&
			has_line(res.ptr, line),
		res.ptr, "path: conflict: rc %d", rc);
	CHECK(snap_same(&before, uat) &&
		      holds(uat, "Form", "Incident.PkgPath", uat_path_form),
	      "path: nothing changed, uat's object kept");

	tfs_buf_free(&xml);
	tfs_buf_free(&res);
	tfs_buf_free(&b);
}

/* A business object ImpactPrev in three saves: title length 10, 20, then a
 * field added. */
static const char *const prev_bo[] = {
	"<BusinessObject name=\"ImpactPrev\" guid=\"" G_PREV "\" "
	"table=\"ImpactPrev\">\n"
	"  <Field name=\"Title\" type=\"Text\" length=\"10\"/>\n"
	"</BusinessObject>\n",
	"<BusinessObject name=\"ImpactPrev\" guid=\"" G_PREV "\" "
	"table=\"ImpactPrev\">\n"
	"  <Field name=\"Title\" type=\"Text\" length=\"20\"/>\n"
	"</BusinessObject>\n",
	"<BusinessObject name=\"ImpactPrev\" guid=\"" G_PREV "\" "
	"table=\"ImpactPrev\">\n"
	"  <Field name=\"Title\" type=\"Text\" length=\"20\"/>\n"
	"  <Field name=\"Note\" type=\"Text\" length=\"20\"/>\n"
	"</BusinessObject>\n",
};

/*
 * The impact of an update compares it with the object as the previous
 * transaction of that object left it (transactions.prev), not as an older
 * one or the first commit: a package of only the third save adds a field
 * and changes no length.  Deleted and created again, the object's chain
 * starts anew.
 */
static void case_impact_prev(tfs_inst *stg)
{
	tfs_buf b = TFS_BUF_INIT;
	const char *path = "metadata/BusinessObject/ImpactPrev.xml";
	char num[32], line[200];
	tfs_obj_info info;
	int64_t id, dir;
	int i, ok = 1;

	for (i = 0; i < 3; i++)
		ok &= save(stg, "BusinessObject", "ImpactPrev", prev_bo[i]) ==
		      0;
	CHECK(ok, "prev: ImpactPrev saved three times");
	snprintf(num, sizeof(num), "%lld\n", (long long)last_txset(stg));
	CHECK(make_pkg(&id, stg, "PPrev", num, false) == 0 &&
		      tfs_pkg_render(&b, stg, id, TFS_PKG_IMPACT) == 0,
	      "prev: package "
	      "of the third save");
	snprintf(line, sizeof(line), "medium: %s: field Note added", path);
	CHECK_R(b.ptr && strncmp(b.ptr, "medium\n", 7) == 0 &&
			has_line(b.ptr, line) &&
			!strstr(b.ptr, "length changed"),
		b.ptr, "prev: the impact is against the second save");

	/* Delete, create with the third bytes, update to the first. */
	ok = tfs_inst_dir_find(&dir, stg, TFS_KIND_METADATA,
			       "BusinessObject") == 0 &&
	     tfs_inst_obj_find(&info, stg, dir, "ImpactPrev") == 0 &&
	     tfs_inst_delete(stg, USER, info.id) == 0 &&
	     save(stg, "BusinessObject", "ImpactPrev", prev_bo[2]) == 0 &&
	     save(stg, "BusinessObject", "ImpactPrev", prev_bo[0]) == 0;
	CHECK(ok, "prev: ImpactPrev deleted, created, updated");
	snprintf(num, sizeof(num), "%lld\n", (long long)last_txset(stg));
	tfs_buf_clear(&b);
	CHECK(make_pkg(&id, stg, "PPrev2", num, false) == 0 &&
		      tfs_pkg_render(&b, stg, id, TFS_PKG_IMPACT) == 0,
	      "prev: package "
	      "of the update after the new creation");
	snprintf(line, sizeof(line), "high: %s: field Note removed", path);
	CHECK_R(b.ptr && strncmp(b.ptr, "high\n", 5) == 0 &&
			has_line(b.ptr, line),
		b.ptr,
		"prev: the impact is against "
		"the creation");
	tfs_buf_free(&b);
}

/* A package of `n` new employees Many0..Many<n-1>; the one at `bad` (if
 * any, < n) has no guid. */
/*
 * A package creating `n` employees STEM0..; record `bad` has no guid and
 * records badref[0] and badref[1] link to a business object that does
 * not exist (-1: none).
 */
static void many_pkg_refs(tfs_buf *xml, const char *stem, int n, int bad,
			  const int badref[2])
{
	int i;

	tfs_buf_clear(xml);
	tfs_buf_puts(xml, "<package format=\"1\" name=\"Many\" type=\""
			  "incremental\" state=\"closed\">\n  <transaction-set "
			  "id=\"1\" project=\"default\" user=\"admin\">\n");
	for (i = 0; i < n; i++) {
		tfs_buf_printf(xml,
			       "    <transaction seq=\"%d\" op=\"C\" "
			       "path=\"master/Employee/%s%d.xml\" base=\"\">"
			       "\n      <Record name=\"%s%d\"",
			       i + 1, stem, i, stem, i);
		if (i != bad)
			tfs_buf_printf(xml,
				       " guid=\"%s000000-0000-4000-8000-"
				       "%012d\"",
				       strcmp(stem, "Many") ? "0c" : "0b", i);
		tfs_buf_printf(xml,
			       " businessObject=\"Employee\">\n"
			       "        <Value field=\"LoginID\">many%d</Value>"
			       "\n",
			       i);
		if (i == badref[0] || i == badref[1])
			tfs_buf_puts(xml,
				     "        <Link businessObject=\""
				     "Nowhere\" field=\"ManagerLink\" key=\""
				     "many0\"/>\n");
		tfs_buf_puts(xml, "      </Record>\n    </transaction>\n");
	}
	tfs_buf_puts(xml, "  </transaction-set>\n</package>\n");
}

static void many_pkg(tfs_buf *xml, int n, int bad)
{
	static const int none[2] = { -1, -1 };

	many_pkg_refs(xml, "Many", n, bad, none);
}

/*
 * Transactions are read and parsed ahead by a thread of their own, a
 * bounded queue at a time: a package several queues long applies whole
 * and in order, and an object that does not parse far into it is
 * reported with its seq and reason, and changes nothing.
 */
static void case_many(tfs_inst *uat)
{
	tfs_buf xml = TFS_BUF_INIT, res = TFS_BUF_INIT;
	struct snap before;
	char path[512];
	int rc;

	tmp_path(path, sizeof(path), "Many.xml");
	many_pkg(&xml, 1000, 700);
	snap_take(&before, uat);
	rc = write_file(path, xml.ptr, xml.size) == 0 ?
		     import(&res, NULL, uat, path, TFS_PKG_APPLY) :
		     0;
	CHECK_R(rc == TFS_EINVALID && first_line(&res, "rejected") &&
			starts_with(strstr(res.ptr, "\nerror seq=701: "),
				    "\nerror "
				    "seq=701: master/Employee/Many700.xml: ") &&
			strstr(res.ptr, "Many700.xml: ")[13] != '\n' &&
			!strstr(res.ptr, "seq=702"),
		res.ptr,
		"many: the object without a guid, seq 701 of 1000, is named "
		"with its reason (rc %d)",
		rc);
	CHECK(snap_same(&before, uat), "many: nothing changed");

	many_pkg(&xml, 1000, -1);
	rc = write_file(path, xml.ptr, xml.size) == 0 ?
		     import(&res, NULL, uat, path, TFS_PKG_APPLY) :
		     0;
	CHECK_R(rc == 0 && first_line(&res, "applied") &&
			has_line(res.ptr, "objects: 1000/1000 (1000 changed, 0 "
					  "unchanged)"),
		res.ptr,
		"many: 1000 records applied "
		"(rc %d)",
		rc);
	CHECK(hist(uat) == before.hist + 1, "many: in one commit");
	tfs_buf_free(&xml);
	tfs_buf_free(&res);
}

/*
 * What a change set touched is kept in a temporary file once it outgrows
 * memory (spill.c).  40,000 records list about 1.5 MB of them, so the
 * first ones are read back from the file and the last ones from memory:
 * a broken reference in either part is named with its seq, and nothing
 * changes.
 */
static void case_many_spilled(tfs_inst *uat)
{
	static const int badref[2] = { 100, 39990 };
	tfs_buf xml = TFS_BUF_INIT, res = TFS_BUF_INIT;
	struct snap before;
	char path[512];
	int rc;

	tmp_path(path, sizeof(path), "Spilled.xml");
	many_pkg_refs(&xml, "Spill", 40000, -1, badref);
	snap_take(&before, uat);
	rc = write_file(path, xml.ptr, xml.size) == 0 ?
		     import(&res, NULL, uat, path, TFS_PKG_APPLY) :
		     0;
	CHECK_R(rc == TFS_EINVALID && first_line(&res, "rejected") &&
			has_line(
				res.ptr,
				"error seq=101: master/Employee/Spill100.xml"
				": record Nowhere/many0 not found (neither master/"
				"Nowhere/many0.xml nor data/Nowhere/many0.xml) in "
				"target or package") &&
			has_line(
				res.ptr,
				"error seq=39991: master/Employee/"
				"Spill39990.xml: record Nowhere/many0 not found "
				"(neither master/Nowhere/many0.xml nor data/Nowhere/"
				"many0.xml) in target or package") &&
			!strstr(res.ptr, "seq=102:"),
		res.ptr,
		"spilled: the broken references of records 101 and 39991 of "
		"40000 are named (rc %d)",
		rc);
	CHECK(snap_same(&before, uat), "spilled: nothing changed");
	tfs_buf_free(&xml);
	tfs_buf_free(&res);
}

/* Adding an audited field is a schema change of the audit tables: high
 * (DOMAIN.md: the first version called it medium). */
static void case_audit(tfs_inst *stg)
{
	tfs_buf xml = TFS_BUF_INIT, b = TFS_BUF_INIT;
	char path[512], num[32];
	char *changed;
	int64_t id;

	meta_read(&b, stg, "BusinessObject", "Problem");
	changed = th_replace(b.ptr, "</BusinessObject>",
			     "  <Field name=\""
			     "AuditNote\" type=\"Text\" length=\"50\" "
			     "nullable=\"true\" unique=\"false\" indexed=\""
			     "false\" audit=\"true\"/>\n</BusinessObject>");
	CHECK(changed && save(stg, "BusinessObject", "Problem", changed) == 0,
	      "audit: staging's Problem gets an audited field");
	free(changed);
	snprintf(num, sizeof(num), "%lld\n", (long long)last_txset(stg));
	CHECK(make_pkg(&id, stg, "PAudit", num, true) == 0 &&
		      export_pkg(&xml, path, stg, id, TFS_PKG_XML,
				 "PAudit.xml") == 0,
	      "audit: package exported");
	tfs_buf_clear(&b);
	tfs_pkg_render(&b, stg, id, TFS_PKG_IMPACT);
	CHECK_R(b.ptr && strncmp(b.ptr, "high\n", 5) == 0 &&
			has_line(b.ptr,
				 "high: metadata/BusinessObject/Problem.xml: "
				 "field AuditNote added (an audit field)"),
		b.ptr, "audit: adding an audited field is high impact");
	tfs_buf_free(&xml);
	tfs_buf_free(&b);
}

/* High impact only validates on locked instances. */
static void case_high(tfs_inst *stg, tfs_inst *prod)
{
	tfs_buf xml = TFS_BUF_INIT, res = TFS_BUF_INIT, b = TFS_BUF_INIT;
	char path[512], num[32];
	char *changed;
	struct snap before;
	int64_t id;
	int rc;

	meta_read(&b, stg, "BusinessObject", "Incident");
	changed = th_replace(b.ptr,
			     "<Field name=\"Subject\" type=\"Text\" "
			     "length=\"255\"",
			     "<Field name=\"Subject\" type=\""
			     "Text\" length=\"300\"");
	CHECK(changed && save(stg, "BusinessObject", "Incident", changed) == 0,
	      "high: staging's Incident.Subject length 255 -> 300");
	free(changed);
	snprintf(num, sizeof(num), "%lld\n", (long long)last_txset(stg));
	CHECK(make_pkg(&id, stg, "PHigh", num, true) == 0 &&
		      export_pkg(&xml, path, stg, id, TFS_PKG_XML,
				 "PHigh.xml") == 0,
	      "high: package exported");
	tfs_buf_clear(&b);
	tfs_pkg_render(&b, stg, id, TFS_PKG_IMPACT);
	CHECK_R(b.ptr && strncmp(b.ptr, "high\n", 5) == 0 &&
			has_line(b.ptr,
				 "high: metadata/BusinessObject/Incident.xml: "
				 "field Subject length changed"),
		b.ptr, "high: impact file says high with the reason");

	CHECK(tfs_inst_locked(prod), "high: production is locked");
	snap_take(&before, prod);
	rc = import(&res, NULL, prod, path, TFS_PKG_APPLY);
	CHECK_R(rc == TFS_ELOCKED && first_line(&res, "rejected") &&
			has_line(res.ptr, "impact: high") &&
			has_line(
				res.ptr,
				"error: high impact package: acme/production "
				"is metadata-locked, so it can only be validated"),
		res.ptr, "high: apply into production rejected: rc %d", rc);
	CHECK(snap_same(&before, prod), "high: production unchanged");
	rc = import(&res, NULL, prod, path, TFS_PKG_VALIDATE);
	CHECK_R(rc == 0 && first_line(&res, "validated") &&
			has_line(res.ptr, "impact: high") &&
			has_line(res.ptr,
				 "warning: impact high: metadata/"
				 "BusinessObject/Incident.xml: field Subject length "
				 "changed"),
		res.ptr, "high: validate into production: rc %d", rc);
	CHECK(snap_same(&before, prod), "high: validate changed nothing");

	tfs_buf_free(&xml);
	tfs_buf_free(&res);
	tfs_buf_free(&b);
}

/*
 * Only closed packages into production; an open one applies into uat.
 * Then a later change of the same object makes reverting it a conflict.
 */
static void case_open(tfs_inst *stg, tfs_inst *uat, tfs_inst *prod)
{
	tfs_buf xml = TFS_BUF_INIT, res = TFS_BUF_INIT, b = TFS_BUF_INIT;
	char path[512], num[32], line[200];
	struct snap before;
	int64_t id;
	int rc, commit;

	CHECK(set_caption(stg, "Problem.Default", "Problem (open)") == 0,
	      "open: staging's Problem.Default changed");
	snprintf(num, sizeof(num), "%lld\n", (long long)last_txset(stg));
	CHECK(make_pkg(&id, stg, "POpen", num, false) == 0 &&
		      export_pkg(&xml, path, stg, id, TFS_PKG_XML,
				 "POpen.xml") == 0 &&
		      strstr(xml.ptr, " state=\"open\""),
	      "open: open package exported with state=\"open\"");
	snap_take(&before, prod);
	rc = import(&res, NULL, prod, path, TFS_PKG_APPLY);
	CHECK_R(rc == TFS_EACCESS && first_line(&res, "rejected") &&
			has_line(res.ptr,
				 "error: production accepts only closed "
				 "packages"),
		res.ptr, "open: rejected by production: rc %d", rc);
	CHECK(snap_same(&before, prod), "open: production unchanged");
	snap_take(&before, uat);
	rc = import(&res, NULL, uat, path, TFS_PKG_APPLY);
	commit = result_commit(&res);
	CHECK_R(rc == 0 && first_line(&res, "applied") &&
			commit == before.hist + 1 &&
			same_object(stg, uat, "Form", "Problem.Default"),
		res.ptr, "open: applied into uat: rc %d", rc);

	/* Revert refused when a later commit touched the same object. */
	CHECK(uat_set_caption(uat, "Problem.Default", "Problem (later)") == 0,
	      "revert: a later commit changes uat's Problem.Default");
	meta_read(&b, uat, "Form", "Problem.Default");
	snap_take(&before, uat);
	tfs_buf_clear(&res);
	rc = tfs_inst_revert(&res, uat, USER, commit);
	snprintf(line, sizeof(line),
		 "conflict commit=%d: metadata/Form/"
		 "Problem.Default.xml: changed by a later commit",
		 before.hist);
	CHECK_R(rc == TFS_ECONFLICT && first_line(&res, "rejected") &&
			has_line(res.ptr, line),
		res.ptr, "revert: refused with a conflict: rc %d", rc);
	CHECK(snap_same(&before, uat) &&
		      holds(uat, "Form", "Problem.Default", b.ptr),
	      "revert: refusal changed nothing");

	tfs_buf_free(&xml);
	tfs_buf_free(&res);
	tfs_buf_free(&b);
}

/* A master package applies its sub-packages in order. */
static void case_master(tfs_inst *stg, tfs_inst *uat)
{
	tfs_buf xml = TFS_BUF_INIT, res = TFS_BUF_INIT, b = TFS_BUF_INIT;
	tfs_buf a_bytes = TFS_BUF_INIT;
	char path[512], num[32];
	const char *subs = "1 MA\n2 MB\n";
	struct snap before;
	int64_t ida, idb, idm;
	int rc;

	CHECK(set_caption(stg, "Change.Default", "Change A") == 0,
	      "master: A changes Change.Default");
	meta_read(&a_bytes, stg, "Form", "Change.Default");
	snprintf(num, sizeof(num), "%lld\n", (long long)last_txset(stg));
	CHECK(make_pkg(&ida, stg, "MA", num, true) == 0, "master: package A");
	CHECK(set_caption(stg, "Change.Default", "Change B") == 0,
	      "master: B changes it again");
	snprintf(num, sizeof(num), "%lld\n", (long long)last_txset(stg));
	CHECK(make_pkg(&idb, stg, "MB", num, true) == 0, "master: package B");
	CHECK(make_pkg(&idm, stg, "M", NULL, false) == 0 &&
		      tfs_pkg_update(stg, USER, idm, TFS_PKG_CONF,
				     "type = master\n", 14) == 0 &&
		      tfs_pkg_update(stg, USER, idm, TFS_PKG_SUBS, subs,
				     strlen(subs)) == 0 &&
		      tfs_pkg_update(stg, USER, idm, TFS_PKG_CONF,
				     "state = closed\n", 15) == 0,
	      "master: master package M with sub-packages 1 MA, 2 MB, closed");
	tfs_pkg_render(&b, stg, idm, TFS_PKG_SUBS);
	CHECK(b.ptr && strcmp(b.ptr, subs) == 0, "master: sub-packages read "
						 "back");
	CHECK(export_pkg(&xml, path, stg, idm, TFS_PKG_XML, "M.xml") == 0 &&
		      tx_count(xml.ptr, "metadata/Form/Change.Default.xml") ==
			      2,
	      "master: export carries both transactions");
	{
		const char *pa = strstr(xml.ptr, "<sub-package order=\"1\">");
		const char *pb = strstr(xml.ptr, "<sub-package order=\"2\">");
		CHECK(pa && pb && pa < pb && strstr(pa, "name=\"MA\"") < pb &&
			      strstr(pb, "name=\"MB\""),
		      "master: sub-package 1 is MA, 2 is MB");
	}
	snap_take(&before, uat);
	rc = import(&res, NULL, uat, path, TFS_PKG_VALIDATE);
	CHECK_R(rc == 0 && first_line(&res, "validated") &&
			snap_same(&before, uat),
		res.ptr, "master: validates: rc %d", rc);
	rc = import(&res, NULL, uat, path, TFS_PKG_APPLY);
	CHECK_R(rc == 0 && first_line(&res, "applied") &&
			has_line(res.ptr,
				 "objects: 2/2 (2 changed, 0 unchanged)"),
		res.ptr, "master: applied: rc %d", rc);
	CHECK(rc == 0 || snap_same(&before, uat),
	      "master: a failed application leaves uat as it was");
	CHECK(same_object(stg, uat, "Form", "Change.Default") &&
		      !holds(uat, "Form", "Change.Default", a_bytes.ptr),
	      "master: uat's form holds B's bytes (applied in order)");
	CHECK(hist(uat) == before.hist + 1 &&
		      version(uat) == before.version + 1,
	      "master: one commit, version + 1");

	/* Its impact is the highest of its parts' (it was 'low': a master
	 * has no transaction sets of its own). */
	tfs_buf_clear(&b);
	tfs_pkg_render(&b, stg, idm, TFS_PKG_IMPACT);
	CHECK_R(b.ptr && strncmp(b.ptr, "medium\n", 7) == 0 &&
			strstr(b.ptr, "metadata/Form/Change.Default.xml"),
		b.ptr,
		"master: impact is its parts' highest, with their reasons");
	/* A master may hold masters, never itself. */
	{
		int64_t id2, id3;
		const char *s2 = "1 M\n", *s3 = "1 M2\n", *loop = "1 M\n2 M3\n";

		CHECK(make_pkg(&id2, stg, "M2", NULL, false) == 0 &&
			      tfs_pkg_update(stg, USER, id2, TFS_PKG_CONF,
					     "type = master\n", 14) == 0 &&
			      tfs_pkg_update(stg, USER, id2, TFS_PKG_SUBS, s2,
					     strlen(s2)) == 0,
		      "master: M2 holds the master M");
		CHECK(make_pkg(&id3, stg, "M3", NULL, false) == 0 &&
			      tfs_pkg_update(stg, USER, id3, TFS_PKG_CONF,
					     "type = master\n", 14) == 0 &&
			      tfs_pkg_update(stg, USER, id3, TFS_PKG_SUBS, s3,
					     strlen(s3)) == 0,
		      "master: M3 holds M2");
		CHECK(tfs_pkg_update(stg, USER, id2, TFS_PKG_SUBS, loop,
				     strlen(loop)) == TFS_EINVALID &&
			      strstr(tfs_error_last(), "cannot hold itself"),
		      "master: M2 cannot hold M3, which holds M2");
		tfs_buf_clear(&b);
		tfs_pkg_render(&b, stg, id3, TFS_PKG_IMPACT);
		CHECK_R(b.ptr && strncmp(b.ptr, "medium\n", 7) == 0, b.ptr,
			"master: M3's impact reaches through M2 and M");
		tfs_buf_clear(&b);
		CHECK(tfs_pkg_render(&b, stg, id3, TFS_PKG_XML) == 0 &&
			      tx_count(b.ptr,
				       "metadata/Form/Change.Default.xml") == 2,
		      "master: M3's export carries M's transactions");
		/* Each master's sub-packages count from 1: M3 holds
		 * order 1 (M2) holding order 1 (M) holding 1 and 2. */
		tfs_buf_clear(&xml);
		rc = export_pkg(&xml, path, stg, id3, TFS_PKG_XML, "M3.xml");
		CHECK(rc == 0, "master: M3 exported");
		/* uat holds B's form already, so M's first change
		 * conflicts; what counts is that the package is read
		 * through (before, pass 1 refused M2's order 1). */
		rc = import(&res, NULL, uat, path, TFS_PKG_VALIDATE);
		CHECK_R(res.ptr && strstr(res.ptr, "objects: 2/2") &&
				!strstr(res.ptr, "sub-package order"),
			res.ptr,
			"master: M3, masters within a master, is read through:"
			" rc %d",
			rc);
	}

	tfs_buf_free(&xml);
	tfs_buf_free(&res);
	tfs_buf_free(&b);
	tfs_buf_free(&a_bytes);
}

static const char compact_form[] =
	"<Form name=\"Incident.Compact\" guid=\"" G_COMPACT "\" "
	"businessObject=\"Incident\" caption=\"Compact 1\">\n"
	"  <FieldRef name=\"Subject\"/>\n"
	"</Form>\n";

/*
 * The compact export folds consecutive changes of one object; the full
 * export, carrying both changes of each object, applies as well.
 */
static void case_compact(tfs_inst *stg, tfs_inst *uat, tfs_inst *prod)
{
	tfs_buf xml = TFS_BUF_INIT, res = TFS_BUF_INIT;
	char path[512], full[512], num[128], sha[65], v[80];
	struct snap before;
	const char *cab = "metadata/Form/Change.CAB.xml";
	const char *cpt = "metadata/Form/Incident.Compact.xml";
	int64_t t[4] = { 0, 0, 0, 0 }, id;
	int rc, i;

	sha_of(sha, stg, "Form", "Change.CAB");
	CHECK(set_caption(stg, "Change.CAB", "CAB 1") == 0 &&
		      (t[0] = last_txset(stg)) > 0 &&
		      set_caption(stg, "Change.CAB", "CAB 2") == 0 &&
		      (t[1] = last_txset(stg)) > t[0],
	      "compact: Change.CAB updated twice");
	CHECK(save(stg, "Form", "Incident.Compact", compact_form) == 0 &&
		      (t[2] = last_txset(stg)) > t[1] &&
		      set_caption(stg, "Incident.Compact", "Compact 2") == 0 &&
		      (t[3] = last_txset(stg)) > t[2],
	      "compact: Incident.Compact created, then updated");
	snprintf(num, sizeof(num), "%lld\n%lld\n%lld\n%lld\n", (long long)t[0],
		 (long long)t[1], (long long)t[2], (long long)t[3]);
	CHECK(make_pkg(&id, stg, "PCompact", num, true) == 0,
	      "compact: package of the four transaction sets");
	CHECK(export_pkg(&xml, full, stg, id, TFS_PKG_XML,
			 "PCompactFull.xml") == 0 &&
		      tx_count(xml.ptr, cab) == 2 &&
		      tx_count(xml.ptr, cpt) == 2,
	      "compact: the full export has two transactions per object");
	CHECK(export_pkg(&xml, path, stg, id, TFS_PKG_COMPACT,
			 "PCompact.xml") == 0,
	      "compact: compact export");
	CHECK(tx_count(xml.ptr, cab) == 1 &&
		      tx_attr(v, sizeof(v), xml.ptr, cab, 0, "op") &&
		      strcmp(v, "U") == 0 &&
		      tx_attr(v, sizeof(v), xml.ptr, cab, 0, "base") &&
		      strcmp(v, sha) == 0,
	      "compact: two updates fold into one U with the first base");
	CHECK(strstr(xml.ptr, "caption=\"CAB 2\"") &&
		      !strstr(xml.ptr, "caption=\"CAB 1\""),
	      "compact: ... carrying the last bytes");
	CHECK(tx_count(xml.ptr, cpt) == 1 &&
		      tx_attr(v, sizeof(v), xml.ptr, cpt, 0, "op") &&
		      strcmp(v, "C") == 0 &&
		      tx_attr(v, sizeof(v), xml.ptr, cpt, 0, "base") &&
		      v[0] == '\0' &&
		      strstr(xml.ptr, "caption=\"Compact 2\"") &&
		      !strstr(xml.ptr, "caption=\"Compact 1\""),
	      "compact: create then update stays one C with the last bytes");
	rc = import(&res, NULL, uat, path, TFS_PKG_APPLY);
	CHECK_R(rc == 0 && first_line(&res, "applied") &&
			has_line(res.ptr,
				 "objects: 2/2 (2 changed, 0 unchanged)"),
		res.ptr, "compact: the compact export applies: rc %d", rc);
	for (i = 0; i < 2; i++)
		CHECK(same_object(stg, uat, "Form",
				  i ? "Incident.Compact" : "Change.CAB"),
		      "compact: %s as in staging", i ? cpt : cab);

	/* The full export into production (closed, medium impact). */
	snap_take(&before, prod);
	rc = import(&res, NULL, prod, full, TFS_PKG_APPLY);
	CHECK_R(rc == 0 && first_line(&res, "applied") &&
			has_line(res.ptr,
				 "objects: 4/4 (4 changed, 0 unchanged)"),
		res.ptr,
		"compact: the full export applies into production: "
		"rc %d",
		rc);
	CHECK(rc == 0 || snap_same(&before, prod),
	      "compact: a failed application leaves production as it was");
	for (i = 0; i < 2; i++)
		CHECK(same_object(stg, prod, "Form",
				  i ? "Incident.Compact" : "Change.CAB"),
		      "compact: production's %s as "
		      "in staging",
		      i ? cpt : cab);

	tfs_buf_free(&xml);
	tfs_buf_free(&res);
}

/* Apply without validation: the good part applies, the rest are warnings. */
static void case_unvalidated(tfs_inst *stg, tfs_inst *uat)
{
	tfs_buf xml = TFS_BUF_INIT, res = TFS_BUF_INIT, mine = TFS_BUF_INIT;
	char path[512], num[64], line[900], seq[32];
	struct snap before;
	int64_t a = 0, c = 0, id;
	int rc;

	CHECK(set_caption(stg, "Task.Default", "Task (pkg)") == 0 &&
		      (a = last_txset(stg)) > 0 &&
		      set_caption(stg, "Employee.Default", "Employee (pkg)") ==
			      0 &&
		      (c = last_txset(stg)) > a,
	      "unvalidated: staging's Task.Default and Employee.Default "
	      "changed");
	snprintf(num, sizeof(num), "%lld\n%lld\n", (long long)a, (long long)c);
	CHECK(make_pkg(&id, stg, "PUnval", num, true) == 0 &&
		      export_pkg(&xml, path, stg, id, TFS_PKG_XML,
				 "PUnval.xml") == 0 &&
		      tx_attr(seq, sizeof(seq), xml.ptr,
			      "metadata/Form/Employee.Default.xml", 0, "seq"),
	      "unvalidated: package exported");
	CHECK(uat_set_caption(uat, "Employee.Default", "Employee (uat)") == 0,
	      "unvalidated: uat's Employee.Default changed");
	meta_read(&mine, uat, "Form", "Employee.Default");
	snap_take(&before, uat);
	rc = import(&res, NULL, uat, path, TFS_PKG_APPLY);
	CHECK(rc == TFS_ECONFLICT && first_line(&res, "rejected") &&
		      snap_same(&before, uat),
	      "unvalidated: plain apply rejects all of it (rc %d)", rc);
	rc = import(&res, NULL, uat, path, TFS_PKG_APPLY_UNVALIDATED);
	snprintf(line, sizeof(line),
		 "warning seq=%s: metadata/Form/"
		 "Employee.Default.xml: changed in target since the package's "
		 "base",
		 seq);
	CHECK_R(rc == 0 && first_line(&res, "applied") &&
			has_line(res.ptr, line) &&
			!strstr(res.ptr, "\nconflict") &&
			!strstr(res.ptr, "\nerror"),
		res.ptr, "unvalidated: applied with a warning: rc %d", rc);
	CHECK(same_object(stg, uat, "Form", "Task.Default"),
	      "unvalidated: the good transaction applied");
	CHECK(holds(uat, "Form", "Employee.Default", mine.ptr),
	      "unvalidated: the conflicting one skipped");
	CHECK(hist(uat) == before.hist + 1 &&
		      version(uat) == before.version + 1,
	      "unvalidated: one commit, version + 1");

	/* All of it left out: 'applied' with the warning, nothing changed,
	 * never 'already-applied' (the first version's answer). */
	snprintf(num, sizeof(num), "%lld\n", (long long)c);
	tfs_buf_clear(&xml);
	CHECK(make_pkg(&id, stg, "PUnvalNone", num, true) == 0 &&
		      export_pkg(&xml, path, stg, id, TFS_PKG_XML,
				 "PUnvalNone.xml") == 0,
	      "unvalidated: a package of the conflicting change alone");
	snap_take(&before, uat);
	rc = import(&res, NULL, uat, path, TFS_PKG_APPLY_UNVALIDATED);
	CHECK_R(rc == 0 && first_line(&res, "applied") &&
			strstr(res.ptr, "\nwarning seq=") &&
			!strstr(res.ptr, "commit:"),
		res.ptr,
		"unvalidated: nothing applicable: 'applied' with a warning");
	CHECK(snap_same(&before, uat), "unvalidated: and nothing changed");

	tfs_buf_free(&xml);
	tfs_buf_free(&res);
	tfs_buf_free(&mine);
}

/* A package whose transaction holds `inner` (which need not be an object). */
static char *pkg_around(const char *inner)
{
	static const char head[] =
		"<package format=\"1\" name=\"H\" type=\"incremental\" "
		"state=\"closed\">\n  <transaction-set id=\"1\">\n"
		"    <transaction seq=\"1\" op=\"C\" path=\"metadata/Form/"
		"Incident.Entity.xml\" base=\"\">";
	static const char tail[] = "</transaction>\n  </transaction-set>\n"
				   "</package>\n";
	size_t n = strlen(inner);
	char *s = malloc(sizeof(head) + n + sizeof(tail));

	if (!s)
		return NULL;
	memcpy(s, head, sizeof(head) - 1);
	memcpy(s + sizeof(head) - 1, inner, n);
	memcpy(s + sizeof(head) - 1 + n, tail, sizeof(tail));
	return s;
}

/* `what` repeated `n` times. */
static char *repeat(const char *what, size_t n)
{
	size_t len = strlen(what), i;
	char *s = malloc(len * n + 1);

	if (!s)
		return NULL;
	for (i = 0; i < n; i++)
		memcpy(s + i * len, what, len);
	s[len * n] = '\0';
	return s;
}

/*
 * Hostile files the first pass must stop with `want`: nesting and text
 * beyond what the second pass's reader takes.
 */
static void case_hostile_sizes(tfs_inst *uat)
{
	static const char *const want[] = {
		"error: malformed package: line 3: elements nested deeper "
		"than 257",
		"error: malformed package: line 3: text longer than 10000000 "
		"bytes",
	};
	char *opening = repeat("<a>", 300), *closing = repeat("</a>", 300);
	/* 5 bytes of text each once parsed */
	char *text = repeat("xxxx&amp;", 2000001);
	char *inner[2];
	tfs_buf res = TFS_BUF_INIT, body = TFS_BUF_INIT;
	char path[512];
	struct snap before;
	int i, rc;

	tfs_buf_puts(&body, opening ? opening : "");
	tfs_buf_puts(&body, closing ? closing : "");
	inner[0] = pkg_around(body.ptr ? body.ptr : "");
	inner[1] = pkg_around(text ? text : "");
	snap_take(&before, uat);
	for (i = 0; i < 2; i++) {
		tmp_path(path, sizeof(path), "hostile.xml");
		CHECK(inner[i] &&
			      write_file(path, inner[i], strlen(inner[i])) == 0,
		      "hostile %d: written", i);
		rc = import(&res, NULL, uat, path, TFS_PKG_APPLY);
		CHECK_R(rc == TFS_EINVALID && first_line(&res, "rejected") &&
				has_line(res.ptr, want[i]),
			res.ptr, "hostile: %s: rc %d", want[i], rc);
		CHECK(snap_same(&before, uat), "hostile %d: changed nothing",
		      i);
	}
	free(opening);
	free(closing);
	free(text);
	free(inner[0]);
	free(inner[1]);
	tfs_buf_free(&body);
	tfs_buf_free(&res);
}

/*
 * Elements inside a transaction are its object's, whatever their names:
 * the first pass does not take them for the package's.  The object is
 * then refused by the second pass, as any object that is not one.
 */
static void case_inner_names(tfs_inst *uat)
{
	char *xml = pkg_around("<package format=\"9\" state=\"open\">"
			       "<sub-package order=\"x\"/><transaction/>"
			       "</package>");
	tfs_buf res = TFS_BUF_INIT;
	char path[512];
	struct snap before;
	int rc;

	snap_take(&before, uat);
	tmp_path(path, sizeof(path), "inner.xml");
	CHECK(xml && write_file(path, xml, strlen(xml)) == 0,
	      "inner names: written");
	rc = import(&res, NULL, uat, path, TFS_PKG_VALIDATE);
	CHECK_R(rc == TFS_EINVALID && first_line(&res, "rejected") &&
			lines_starting(res.ptr, "error seq=1: ") == 1 &&
			lines_starting(res.ptr, "error: ") == 0 &&
			strstr(res.ptr, "objects: 1/1 ") != NULL,
		res.ptr, "inner names: only the object is refused: rc %d", rc);
	CHECK(snap_same(&before, uat), "inner names: changed nothing");
	free(xml);
	tfs_buf_free(&res);
}

/* Malformed and hostile package files are rejected and change nothing. */
static void case_malformed(tfs_inst *uat, const char *p1_path)
{
	static const char dtd[] = "error: DOCTYPE and entities are not "
				  "allowed";
	static const char bad_xml[] = "error: malformed package: ";
	static const struct {
		const char *name, *text;
		size_t len;       /* 0: strlen(text) */
		const char *want; /* the start of the one error line */
	} bad[] = {
		{ "doctype.xml",
		  "<?xml version=\"1.0\"?>\n"
		  "<!DOCTYPE package [<!ENTITY x \"boom\">]>\n"
		  "<package format=\"1\" name=\"E\" type=\"incremental\" "
		  "state=\"closed\">\n"
		  "  <transaction-set id=\"1\">\n"
		  "    <transaction seq=\"1\" op=\"C\" path=\"metadata/Form/"
		  "Incident.Entity.xml\" base=\"\">&x;</transaction>\n"
		  "  </transaction-set>\n</package>\n",
		  0, dtd },
		{ "laughs.xml",
		  "<?xml version=\"1.0\"?>\n"
		  "<!DOCTYPE package [\n"
		  " <!ENTITY a \"aaaaaaaaaaaaaaaa\">\n"
		  " <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
		  " <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
		  " <!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n"
		  " <!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"
		  " <!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n"
		  " <!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n"
		  " <!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">\n"
		  "]>\n"
		  "<package format=\"1\" name=\"&h;\" state=\"closed\">&h;"
		  "</package>\n",
		  0, dtd },
		{ "xxe.xml",
		  "<!DOCTYPE package [<!ENTITY x SYSTEM "
		  "\"file:///etc/passwd\">]>\n"
		  "<package format=\"1\" name=\"X\" state=\"closed\">&x;"
		  "</package>\n",
		  0, dtd },
		{ "dtd.xml",
		  "<!DOCTYPE package SYSTEM \"http://127.0.0.1:9/p.dtd\">\n"
		  "<package format=\"1\" name=\"X\" state=\"closed\"/>\n",
		  0, dtd },
		{ "undeclared.xml",
		  "<package format=\"1\" name=\"U\" state=\"closed\">&x;"
		  "</package>\n",
		  0,
		  "error: malformed package: line 1: Entity 'x' not defined" },
		{ "root.xml",
		  "<pkg format=\"1\" name=\"R\" type=\"incremental\" "
		  "state=\"closed\"/>\n",
		  0, "error: the root element must be <package>" },
		{ "format.xml",
		  "<package format=\"2\" name=\"F\" type=\"incremental\" "
		  "state=\"closed\">\n</package>\n",
		  0, "error: unknown package format '2'" },
		{ "order.xml",
		  "<package format=\"1\" name=\"O\" state=\"closed\">\n"
		  "<sub-package order=\"2\"/><sub-package order=\"2\"/>\n"
		  "</package>\n",
		  0,
		  "error: sub-package order '2' is not a number above the "
		  "previous one" },
		{ "empty.xml", "", 0, bad_xml },
		{ "blank.xml", " \n\n", 0, bad_xml },
		{ "garbage.bin", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff\xfe<\0&",
		  21, bad_xml },
		{ "nul.xml", "<package format=\"1\" name=\"N\">\0</package>",
		  40, bad_xml },
		{ "trailing.xml", "<package format=\"1\" name=\"T\"/><x/>", 0,
		  bad_xml },
	};
	tfs_buf res = TFS_BUF_INIT, p1 = TFS_BUF_INIT;
	char path[512];
	struct snap before;
	size_t i, len;
	long size;
	FILE *f;
	int rc;

	/* Truncated: the first half of a real export. */
	if ((f = fopen(p1_path, "rb"))) {
		char buf[4096];
		size_t n;
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			tfs_buf_put(&p1, buf, n);
		fclose(f);
	}
	size = (long)p1.size;
	tmp_path(path, sizeof(path), "truncated.xml");
	CHECK(size > 100 && write_file(path, p1.ptr, (size_t)size / 2) == 0,
	      "malformed: truncated copy of P1 (%ld of %ld bytes)", size / 2,
	      size);
	snap_take(&before, uat);
	rc = import(&res, NULL, uat, path, TFS_PKG_APPLY);
	CHECK_R(rc == TFS_EINVALID && first_line(&res, "rejected") &&
			lines_starting(res.ptr, "error: malformed package") ==
				1,
		res.ptr, "malformed: truncated rejected: rc %d", rc);
	CHECK(snap_same(&before, uat), "malformed: truncated changed nothing");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = bad[i].len ? bad[i].len : strlen(bad[i].text);
		tmp_path(path, sizeof(path), bad[i].name);
		write_file(path, bad[i].text, len);
		rc = import(&res, NULL, uat, path, TFS_PKG_APPLY);
		CHECK_R(rc == TFS_EINVALID && first_line(&res, "rejected") &&
				lines_starting(res.ptr, "error: ") == 1 &&
				lines_starting(res.ptr, bad[i].want) == 1,
			res.ptr, "malformed: %s rejected: rc %d", bad[i].name,
			rc);
		CHECK(snap_same(&before, uat), "malformed: %s changed nothing",
		      bad[i].name);
	}
	CHECK(!meta_exists(uat, "Form", "Incident.Entity"),
	      "malformed: the entity's object was not created");
	tmp_path(path, sizeof(path), "doctype.xml");
	rc = import(&res, NULL, uat, path, TFS_PKG_VALIDATE);
	CHECK_R(rc == TFS_EINVALID &&
			has_line(res.ptr, "error: DOCTYPE and "
					  "entities are not allowed"),
		res.ptr, "malformed: validate names the DOCTYPE: rc %d", rc);
	tmp_path(path, sizeof(path), "root.xml");
	rc = import(&res, NULL, uat, path, TFS_PKG_VALIDATE);
	CHECK(rc == TFS_EINVALID &&
		      has_line(res.ptr, "error: the root "
					"element must be <package>"),
	      "malformed: the wrong root is named (rc %d)", rc);
	tmp_path(path, sizeof(path), "format.xml");
	rc = import(&res, NULL, uat, path, TFS_PKG_VALIDATE);
	CHECK(rc == TFS_EINVALID && has_line(res.ptr, "error: unknown package "
						      "format '2'"),
	      "malformed: the unknown format is named (rc %d)", rc);
	CHECK(snap_same(&before, uat), "malformed: validations changed "
				       "nothing");
	case_hostile_sizes(uat);
	case_inner_names(uat);

	tfs_buf_free(&res);
	tfs_buf_free(&p1);
}

/* Reverting a package's commit restores the previous bytes. */
static void case_revert(tfs_inst *stg, tfs_inst *uat, const char *p1_path,
			int commit, const char *orig)
{
	tfs_buf res = TFS_BUF_INIT;
	struct snap before;
	int rc;

	snap_take(&before, uat);
	rc = tfs_inst_revert(&res, uat, USER, commit);
	CHECK_R(rc == 0 && first_line(&res, "reverted") &&
			result_commit(&res) == before.hist + 1,
		res.ptr, "revert %d: rc %d", commit, rc);
	CHECK(holds(uat, "Form", "Incident.Default", orig),
	      "revert: uat's Incident.Default is back to its earlier bytes");
	CHECK(hist(uat) == before.hist + 1, "revert: a new commit (%d)",
	      hist(uat));
	CHECK(tfs_inst_locked(uat), "revert: uat still locked");
	/* A reverted package may be applied again. */
	rc = import(&res, NULL, uat, p1_path, TFS_PKG_APPLY);
	CHECK_R(rc == 0 && first_line(&res, "applied") &&
			same_object(stg, uat, "Form", "Incident.Default"),
		res.ptr, "revert: P1 applies again after its revert: rc %d",
		rc);
	tfs_buf_free(&res);
}

/* ---- transactions name their blob in history.git ------------------------ */

/* The instance database of acme/NAME in the store (for what no engine
 * call shows: the rows behind the files). */
static sqlite3 *inst_db(const char *name)
{
	char path[512];
	sqlite3 *db = NULL;

	snprintf(path, sizeof(path), "%s/store/instances/acme/%s.db", tmpdir,
		 name);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 10000);
	return db;
}

/* The integer result of `sql` (with `arg` for its parameter, if any) on
 * `db`, or -1. */
static int64_t sql_int(sqlite3 *db, const char *sql, int64_t arg)
{
	sqlite3_stmt *s = NULL;
	int64_t v = -1;

	if (db && sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_bind_parameter_count(s) > 0)
			sqlite3_bind_int64(s, 1, arg);
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	return v;
}

/* Run `sql` on `db`; whether it succeeded. */
static bool sql_run(sqlite3 *db, const char *sql)
{
	return db && sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
}

/* The first line of the output of shell command `cmd` into out ("" if
 * none); whether it exited 0. */
static bool run_line(char *out, size_t size, const char *cmd)
{
	FILE *p = popen(cmd, "r");
	bool ok;

	out[0] = '\0';
	if (!p)
		return false;
	if (fgets(out, (int)size, p))
		out[strcspn(out, "\n")] = '\0';
	while (fgetc(p) != EOF)
		;
	ok = pclose(p) == 0;
	return ok;
}

/*
 * Whether every transaction of acme/NAME that names a blob names one the
 * history commit of its transaction set holds (git ls-tree of that
 * commit), and no row names a blob without such a commit.  *n: the rows
 * checked.
 */
static bool tx_blobs_committed(const char *name, int *n)
{
	sqlite3 *db = inst_db(name);
	sqlite3_stmt *s = NULL;
	char cmd[1024], line[256];
	bool ok = db != NULL;

	*n = 0;
	if (ok && sqlite3_prepare_v2(db,
				     "SELECT t.blob, c.oid FROM "
				     "transactions t JOIN txsets x ON x.id = "
				     "t.txset LEFT JOIN commits c ON c.n = "
				     "x.commit_n WHERE t.blob IS NOT NULL",
				     -1, &s, NULL) != SQLITE_OK)
		ok = false;
	while (ok && sqlite3_step(s) == SQLITE_ROW) {
		const char *blob = (const char *)sqlite3_column_text(s, 0);
		const char *oid = (const char *)sqlite3_column_text(s, 1);
		(*n)++;
		if (!oid || strlen(blob) != 40 ||
		    strspn(blob, "0123456789abcdef") != 40) {
			printf("# %s: blob '%s' of commit %s\n", name, blob,
			       oid ? oid : "(none)");
			ok = false;
			break;
		}
		snprintf(cmd, sizeof(cmd),
			 "git --git-dir=%s/store/"
			 "history.git ls-tree -r %s | grep -c ' %s\t'",
			 tmpdir, oid, blob);
		if (!run_line(line, sizeof(line), cmd)) {
			printf("# %s: blob %s not in commit %s\n", name, blob,
			       oid);
			ok = false;
		}
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return ok;
}

static const char txblob_form[] =
	"<Form name=\"Incident.TxBlob\" guid=\"" G_TXBLOB "\" "
	"businessObject=\"Incident\" caption=\"TxBlob 1\">\n"
	"  <FieldRef name=\"Subject\"/>\n"
	"</Form>\n";

static const char txblob_bad_form[] =
	"<Form name=\"Incident.TxBad\" guid=\"" G_TXBAD "\" "
	"businessObject=\"NoSuchObject\" caption=\"TxBad\">\n"
	"</Form>\n";

/*
 * A transaction stores the id of its object's blob, not the bytes: the
 * id of the blob the history commit holds at the object's path, and the
 * export reads the bytes back from it.  A rejected change leaves no row.
 */
static void case_tx_blob(tfs_inst *stg)
{
	tfs_buf xml = TFS_BUF_INIT;
	const char *path = "metadata/Form/Incident.TxBlob.xml";
	char xpath[512], num[32], cmd[1024], blob[80] = "", id[256];
	sqlite3 *db = inst_db("staging");
	sqlite3_stmt *s = NULL;
	int64_t tx = 0, pkg, rows;
	bool ok;
	int rc, n;

	CHECK(save(stg, "Form", "Incident.TxBlob", txblob_form) == 0 &&
		      (tx = last_txset(stg)) > 0,
	      "tx-blob: form created in staging");
	if (db && sqlite3_prepare_v2(db,
				     "SELECT blob FROM transactions "
				     "WHERE txset = ? AND bytes IS NULL",
				     -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, tx);
		if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
			snprintf(blob, sizeof(blob), "%s",
				 (const char *)sqlite3_column_text(s, 0));
	}
	sqlite3_finalize(s);
	CHECK(strlen(blob) == 40,
	      "tx-blob: the transaction has no bytes and "
	      "a blob id ('%s')",
	      blob);
	snprintf(cmd, sizeof(cmd),
		 "git --git-dir=%s/store/history.git "
		 "rev-parse acme/staging:%s",
		 tmpdir, path);
	CHECK(run_line(id, sizeof(id), cmd) && strcmp(id, blob) == 0,
	      "tx-blob: ... the blob of %s in the history commit (%s)", path,
	      id);
	snprintf(num, sizeof(num), "%lld\n", (long long)tx);
	CHECK(make_pkg(&pkg, stg, "PTxBlob", num, true) == 0,
	      "tx-blob: package PTxBlob, closed");
	CHECK_R(export_pkg(&xml, xpath, stg, pkg, TFS_PKG_XML, "PTxBlob.xml") ==
				0 &&
			tx_count(xml.ptr, path) == 1 &&
			strstr(xml.ptr, "caption=\"TxBlob 1\"") &&
			strstr(xml.ptr, "<FieldRef name=\"Subject\"/>"),
		xml.ptr,
		"tx-blob: the export carries the object's bytes, read from "
		"its blob");

	rows = sql_int(db, "SELECT count(*) FROM transactions", 0);
	rc = save(stg, "Form", "Incident.TxBad", txblob_bad_form);
	CHECK(rc < 0 && rows > 0 &&
		      sql_int(db, "SELECT count(*) FROM transactions", 0) ==
			      rows &&
		      sql_int(db,
			      "SELECT count(*) FROM transactions WHERE name = "
			      "'Incident.TxBad'",
			      0) == 0,
	      "tx-blob: a save rejected on commit (rc %d: %s) leaves no "
	      "transaction row",
	      rc, tfs_error_last());
	sqlite3_close(db);
	ok = tx_blobs_committed("staging", &n);
	CHECK(ok && n > 0,
	      "tx-blob: all %d blob ids of staging are in their "
	      "commits",
	      n);
	tfs_buf_free(&xml);
}

/*
 * An object changed twice in one change set (the full export of
 * case_compact, applied into production) is committed once, with its last
 * bytes: the earlier transaction keeps its own bytes in its row, so
 * exporting production's transaction set still shows both.
 */
static void case_tx_superseded(tfs_inst *prod)
{
	tfs_buf xml = TFS_BUF_INIT;
	const char *cab = "metadata/Form/Change.CAB.xml";
	char xpath[512], num[32];
	sqlite3 *db = inst_db("production");
	int64_t tx = last_txset(prod), pkg;
	bool ok;
	int n;

	CHECK(sql_int(db,
		      "SELECT count(*) FROM transactions WHERE txset = ? "
		      "AND name = 'Change.CAB' AND bytes IS NOT NULL AND blob "
		      "IS NULL",
		      tx) == 1 &&
		      sql_int(db,
			      "SELECT count(*) FROM transactions WHERE txset = ? "
			      "AND name = 'Change.CAB' AND bytes IS NULL AND "
			      "blob IS NOT NULL",
			      tx) == 1,
	      "tx-blob: production's set %lld: the first change of "
	      "Change.CAB keeps its bytes, the last names its blob",
	      (long long)tx);
	sqlite3_close(db);
	snprintf(num, sizeof(num), "%lld\n", (long long)tx);
	CHECK(make_pkg(&pkg, prod, "PTxTwice", num, true) == 0,
	      "tx-blob: package of that set in production");
	CHECK_R(export_pkg(&xml, xpath, prod, pkg, TFS_PKG_XML,
			   "PTxTwice.xml") == 0 &&
			tx_count(xml.ptr, cab) == 2 &&
			strstr(xml.ptr, "caption=\"CAB 1\"") &&
			strstr(xml.ptr, "caption=\"CAB 2\""),
		xml.ptr,
		"tx-blob: its export carries both versions of Change.CAB");
	ok = tx_blobs_committed("production", &n);
	CHECK(ok && n > 0,
	      "tx-blob: all %d blob ids of production are in "
	      "their commits",
	      n);
	tfs_buf_free(&xml);
}

/*
 * A store from before transactions.blob: the column is added on open and
 * rows with bytes are exported from their bytes.  A blob history.git
 * lacks is an error naming the object.  Runs on the closed store.
 */
/*
 * Transactions (other than creations, whose bytes before are never asked
 * for) and objects whose link differs from what the index of earlier
 * versions found: the latest earlier transaction of the same path.
 */
static int64_t bad_links(sqlite3 *db)
{
	return sql_int(
		db,
		"SELECT (SELECT count(*) FROM transactions t"
		" WHERE t.op != 'C' AND t.prev IS NOT (SELECT max(p.seq)"
		" FROM transactions p WHERE p.kind = t.kind AND p.type = t.type"
		" AND p.name = t.name AND p.seq < t.seq))"
		" + (SELECT count(*) FROM objects o JOIN dirs d ON d.id = o.dir"
		" WHERE o.last_tx IS NOT (SELECT max(t.seq) FROM transactions t"
		" WHERE t.kind = d.kind AND t.type = d.type"
		" AND t.name = o.name))",
		0);
}

static void case_old_layout(const char *store)
{
	tfs_buf xml = TFS_BUF_INIT;
	const char *path = "metadata/Form/Incident.TxBlob.xml";
	sqlite3 *db = inst_db("staging");
	tfs_row pkg;
	tfs_inst *stg = NULL;
	tfs_obj_info info;
	int64_t nrefs, dir;
	int rc;

	/* Every save, delete, rename, revert and apply of the cases above
	 * kept the links. */
	CHECK(db &&
		      sql_int(db,
			      "SELECT count(*) FROM transactions WHERE "
			      "prev IS NOT NULL",
			      0) > 0 &&
		      bad_links(db) == 0,
	      "old layout: every transaction links to the object's previous "
	      "one");
	/* Before transactions.prev: the index by path instead; references
	 * in a table with a rowid and an index by object. */
	nrefs = sql_int(db, "SELECT count(*) FROM refs", 0);
	CHECK(sql_run(db,
		      "ALTER TABLE transactions DROP COLUMN prev;"
		      "ALTER TABLE objects DROP COLUMN last_tx;"
		      "CREATE INDEX transactions_object ON transactions(kind,"
		      " type, name, seq);"
		      "CREATE TABLE refs_old(obj INTEGER NOT NULL,"
		      " kind TEXT NOT NULL, target TEXT NOT NULL);"
		      "INSERT INTO refs_old SELECT obj, kind, target FROM refs;"
		      "DROP TABLE refs; ALTER TABLE refs_old RENAME TO refs;"
		      "CREATE INDEX refs_obj ON refs(obj);"
		      "CREATE INDEX refs_target ON refs(kind, target);") &&
		      nrefs > 0,
	      "old layout: without the links, refs with rowids");
	/* The old layout, with bytes that differ from the blob's so that the
	 * export shows which it read. */
	CHECK(sql_run(db,
		      "UPDATE transactions SET bytes = CAST(replace("
		      "CAST((SELECT o.bytes FROM objects o WHERE o.guid = "
		      "transactions.guid) AS TEXT), 'TxBlob 1', 'TxBlob old')"
		      " AS BLOB) WHERE name = 'Incident.TxBlob';"
		      "ALTER TABLE transactions DROP COLUMN blob;") &&
		      sql_int(db,
			      "SELECT count(*) FROM pragma_table_info("
			      "'transactions') WHERE name = 'blob'",
			      0) == 0 &&
		      sql_int(db,
			      "SELECT count(*) FROM transactions WHERE name = "
			      "'Incident.TxBlob' AND bytes IS NOT NULL",
			      0) == 1,
	      "old layout: staging's transactions without blob, with bytes");
	sqlite3_close(db);
	if (th_store_open(&st, store) < 0) {
		CHECK(false, "old layout: the store opens");
		return;
	}
	stg = th_inst(st, "acme", "staging");
	db = inst_db("staging");
	CHECK(stg && sql_int(db,
			     "SELECT count(*) FROM pragma_table_info("
			     "'transactions') WHERE name = 'blob'",
			     0) == 1,
	      "old layout: the store opens and has transactions.blob again");
	CHECK(sql_int(db,
		      "SELECT count(*) FROM sqlite_master WHERE name = "
		      "'transactions_object'",
		      0) == 0 &&
		      sql_int(db,
			      "SELECT count(*) FROM transactions WHERE "
			      "prev IS NOT NULL",
			      0) > 0 &&
		      bad_links(db) == 0,
	      "old layout: the links are made again, the index dropped");
	CHECK(sql_int(db, "SELECT count(*) FROM refs", 0) == nrefs &&
		      sql_int(db,
			      "SELECT count(*) FROM sqlite_master WHERE name = "
			      "'refs_obj'",
			      0) == 0 &&
		      sql_int(db,
			      "SELECT sql LIKE '%WITHOUT ROWID' FROM sqlite_master"
			      " WHERE name = 'refs'",
			      0) == 1,
	      "old layout: the same %lld references, keyed by object",
	      (long long)nrefs);
	CHECK(stg &&
		      tfs_inst_dir_find(&dir, stg, TFS_KIND_METADATA,
					"BusinessObject") == 0 &&
		      tfs_inst_obj_find(&info, stg, dir, "Incident") == 0 &&
		      tfs_inst_delete(stg, USER, info.id) == TFS_ECONFLICT &&
		      strstr(tfs_error_last(), "still used by"),
	      "old layout: a business object in use still cannot be deleted");
	CHECK(stg && tfs_pkg_find(&pkg, stg, "PTxBlob") == 0 &&
		      tfs_pkg_render(&xml, stg, pkg.id, TFS_PKG_XML) == 0 &&
		      tx_count(xml.ptr, path) == 1 &&
		      strstr(xml.ptr, "caption=\"TxBlob old\""),
	      "old layout: the export carries the row's bytes");

	/* A blob history.git does not have: an error, never empty bytes. */
	sql_run(db, "UPDATE transactions SET bytes = NULL, blob = "
		    "'0123456789abcdef0123456789abcdef01234567' WHERE name = "
		    "'Incident.TxBlob'");
	tfs_buf_clear(&xml);
	rc = stg ? tfs_pkg_render(&xml, stg, pkg.id, TFS_PKG_XML) : 0;
	CHECK(rc == TFS_EDAMAGED && strstr(tfs_error_last(), path),
	      "old layout: a missing blob fails the export naming %s (rc %d)",
	      path, rc);
	sql_run(db, "UPDATE transactions SET blob = 'not-an-id' WHERE name = "
		    "'Incident.TxBlob'");
	rc = stg ? tfs_pkg_render(&xml, stg, pkg.id, TFS_PKG_XML) : 0;
	CHECK(rc < 0 && strstr(tfs_error_last(), path),
	      "old layout: so does a malformed blob id (rc %d)", rc);
	sqlite3_close(db);
	tfs_store_free(st);
	st = NULL;
	tfs_buf_free(&xml);
}

int main(void)
{
	tfs_buf orig = TFS_BUF_INIT;
	char store[TH_PATH], p1_path[512];
	tfs_inst *stg, *uat, *prod;
	int error, commit;

	if (th_tmpdir(tmpdir, "package") < 0)
		return 1;
	error = th_demo_store(store, tmpdir, "store");
	CHECK(error == 0, "demo store created");
	if (error)
		return 1;
	error = th_store_open(&st, store);
	CHECK(error == 0, "store opens");
	if (error)
		return 1;
	CHECK(th_find(st, TFS_ENT_TENANT, 0, "acme"), "tenant acme");
	stg = th_inst(st, "acme", "staging");
	uat = th_inst(st, "acme", "uat");
	prod = th_inst(st, "acme", "production");
	CHECK(stg && uat && prod, "instances staging, uat, production");
	if (!stg || !uat || !prod)
		return 1;
	uat_id = tfs_inst_id(uat);
	CHECK(!tfs_inst_locked(stg) && tfs_inst_locked(uat) &&
		      tfs_inst_locked(prod),
	      "staging unlocked, uat and production "
	      "locked");

	meta_read(&orig, uat, "Form", "Incident.Default");
	case_flow(stg, uat, p1_path, &commit);
	case_refs(stg, uat);
	case_conflict(stg, uat);
	case_same_bytes(stg, uat);
	case_guid(stg, uat);
	case_high(stg, prod);
	case_audit(stg);
	case_impact_prev(stg);
	case_open(stg, uat, prod);
	case_master(stg, uat);
	case_compact(stg, uat, prod);
	case_tx_superseded(prod);
	case_tx_blob(stg);
	case_unvalidated(stg, uat);
	case_malformed(uat, p1_path);
	case_many(uat);
	case_many_spilled(uat);
	case_revert(stg, uat, p1_path, commit, orig.ptr ? orig.ptr : "");

	tfs_store_free(st);
	CHECK(th_git_fsck(store), "git fsck clean");
	case_old_layout(store);
	th_rmtree(tmpdir, failures);
	tfs_buf_free(&orig);
	printf("%d tests, %d failed\n", count, failures);
	return failures ? 1 : 0;
}
