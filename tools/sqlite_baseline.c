/*
 * sqlite_baseline: the raw SQLite insert rate that tools/bench compares
 * package application with.
 *
 *   sqlite_baseline PACKAGE DB
 *
 * Reads the records of a package file (tenantctl generate-package) into
 * memory first (streamed with xmlTextReader; not timed), then times the
 * plain way to store them: open DB (a new file), create one table, and in
 * one transaction insert every row (business object, key, guid, document)
 * through one prepared statement, commit, close.  Prints
 *
 *   rows N seconds S rate R
 *
 * The table has the same uniqueness the engine keeps (business object and
 * key) and default pragmas; nothing else (no parsing, no checks, no
 * history), which is what makes it the physical limit the bench measures
 * against.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxml/xmlreader.h>
#include <sqlite3.h>

struct row {
	char *bo, *name, *guid;
	xmlChar *bytes;
	size_t len;
};

struct rows {
	struct row *v;
	size_t n, alloc;
};

static void rows_free(struct rows *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].bo);
		free(r->v[i].name);
		free(r->v[i].guid);
		xmlFree(r->v[i].bytes);
	}
	free(r->v);
}

static char *attr(xmlTextReaderPtr rd, const char *name)
{
	xmlChar *v = xmlTextReaderGetAttribute(rd, BAD_CAST name);
	char *copy = strdup(v ? (const char *)v : "");

	xmlFree(v);
	return copy;
}

/* Every <Record> inside a <transaction>, as its outer XML. */
static int read_package(struct rows *out, const char *path)
{
	xmlTextReaderPtr rd;
	int rc, error = 0;

	rd = xmlReaderForFile(path, NULL, XML_PARSE_NONET);
	if (!rd) {
		fprintf(stderr, "sqlite_baseline: cannot read %s\n", path);
		return -1;
	}
	rc = xmlTextReaderRead(rd);
	while (rc == 1) {
		struct row *r;

		if (xmlTextReaderNodeType(rd) != XML_READER_TYPE_ELEMENT ||
		    !xmlStrEqual(xmlTextReaderConstName(rd),
				 BAD_CAST "Record")) {
			rc = xmlTextReaderRead(rd);
			continue;
		}
		if (out->n == out->alloc) {
			size_t na = out->alloc ? 2 * out->alloc : 1024;
			struct row *nv = realloc(out->v, na * sizeof(*nv));

			if (!nv) {
				error = -1;
				break;
			}
			out->v = nv;
			out->alloc = na;
		}
		r = &out->v[out->n++];
		r->bo = attr(rd, "businessObject");
		r->name = attr(rd, "name");
		r->guid = attr(rd, "guid");
		r->bytes = xmlTextReaderReadOuterXml(rd);
		r->len = r->bytes ? (size_t)xmlStrlen(r->bytes) : 0;
		if (!r->bo || !r->name || !r->guid || !r->bytes) {
			error = -1;
			break;
		}
		/* past the record's subtree, to whatever follows it */
		rc = xmlTextReaderNext(rd);
	}
	if (rc < 0) {
		fprintf(stderr, "sqlite_baseline: %s is not well-formed\n",
			path);
		error = -1;
	}
	if (error && rc >= 0)
		fprintf(stderr, "sqlite_baseline: out of memory\n");
	xmlFreeTextReader(rd);
	return error;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int fail(sqlite3 *db, const char *what)
{
	fprintf(stderr, "sqlite_baseline: %s: %s\n", what,
		db ? sqlite3_errmsg(db) : "out of memory");
	return -1;
}

static int insert_all(const struct rows *r, const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	size_t i;
	int error = 0;

	if (sqlite3_open(path, &db) != SQLITE_OK) {
		error = fail(db, path);
		goto done;
	}
	if (sqlite3_exec(db,
			 "CREATE TABLE records(id INTEGER PRIMARY KEY,"
			 " bo TEXT NOT NULL, name TEXT NOT NULL, guid TEXT NOT"
			 " NULL, bytes BLOB NOT NULL, UNIQUE(bo, name));"
			 "BEGIN",
			 NULL, NULL, NULL) != SQLITE_OK) {
		error = fail(db, "create");
		goto done;
	}
	if (sqlite3_prepare_v2(db,
			       "INSERT INTO records(bo, name, guid, "
			       "bytes) VALUES(?, ?, ?, ?)",
			       -1, &s, NULL) != SQLITE_OK) {
		error = fail(db, "prepare");
		goto done;
	}
	for (i = 0; i < r->n; i++) {
		sqlite3_bind_text(s, 1, r->v[i].bo, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, r->v[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, r->v[i].guid, -1, SQLITE_STATIC);
		sqlite3_bind_blob(s, 4, r->v[i].bytes, (int)r->v[i].len,
				  SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE) {
			error = fail(db, "insert");
			goto done;
		}
		sqlite3_reset(s);
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		error = fail(db, "commit");
done:
	sqlite3_finalize(s);
	if (db && sqlite3_close(db) != SQLITE_OK && !error)
		error = fail(db, "close");
	return error;
}

int main(int argc, char **argv)
{
	struct rows r = { NULL, 0, 0 };
	double t0, t1;
	int error;

	if (argc != 3) {
		fprintf(stderr, "usage: sqlite_baseline PACKAGE DB\n");
		return 2;
	}
	if (unlink(argv[2]) != 0 && errno != ENOENT) {
		fprintf(stderr, "sqlite_baseline: %s: %s\n", argv[2],
			strerror(errno));
		return 1;
	}
	if ((error = read_package(&r, argv[1])) == 0) {
		t0 = now();
		error = insert_all(&r, argv[2]);
		t1 = now();
		if (!error)
			printf("rows %zu seconds %.3f rate %.0f\n", r.n,
			       t1 - t0, (double)r.n / (t1 - t0));
	}
	rows_free(&r);
	xmlCleanupParser();
	return error ? 1 : 0;
}
