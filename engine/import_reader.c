/*
 * Pass 2 of importing a package (import.c), the reading half: the file
 * read with xmlTextReader (no network, no DTD, no entities) and each
 * transaction's object parsed, checked and put in canonical form, in a
 * thread of its own, while import.c's thread checks each against the
 * instance and stores it.  Reading and parsing are a third or more of an
 * apply; on two cores, a large package now applies in about the time of
 * the slower half.
 *
 * The reading thread touches nothing but the file and memory of its own:
 * no database, no history, no engine state (errors are thread-local, so
 * a parse error travels as text).  Transactions go through a bounded
 * queue in package order, so memory is bounded by QUEUE_LEN objects, not
 * by the package.  Only import.c calls this.
 */
#include <libxml/xmlreader.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "reader.h"
#include "tenantfs/error.h"

/* Transactions read ahead at most; the taker is woken BATCH at a time so
 * that the two threads do not wake each other for every transaction. */
#define QUEUE_LEN 256
#define BATCH     32

struct pkg_reader {
	const char *path;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t more, room;
	struct pkg_tx q[QUEUE_LEN]; /* ring: n from head */
	size_t head, n;
	bool done; /* the thread has queued its last transaction */
	bool stop; /* the taker wants no more */
	int error; /* once done: 0 or the reading error */
	char msg[300];
};

static void tx_free(struct pkg_tx *tx)
{
	tfs_doc_free(tx->doc);
	free(tx->error);
	tx->doc = NULL;
	tx->error = NULL;
}

static void get_attr(char *out, size_t size, xmlTextReaderPtr r,
		     const char *name)
{
	xmlChar *v = xmlTextReaderGetAttribute(r, (const xmlChar *)name);

	snprintf(out, size, "%s", v ? (const char *)v : "");
	xmlFree(v);
}

static bool named(xmlTextReaderPtr r, const char *name)
{
	const xmlChar *n = xmlTextReaderConstLocalName(r);

	return n && strcmp((const char *)n, name) == 0;
}

/* Silence libxml2's own reports; the reader's status tells us. */
static void quiet(void *arg, const char *msg, xmlParserSeverities sev,
		  xmlTextReaderLocatorPtr loc)
{
	char *first = arg;
	size_t n;

	if (first[0] || sev == XML_PARSER_SEVERITY_WARNING ||
	    sev == XML_PARSER_SEVERITY_VALIDITY_WARNING)
		return;
	snprintf(first, 256, "line %d: %s", xmlTextReaderLocatorLineNumber(loc),
		 msg);
	n = strlen(first);
	while (n && (first[n - 1] == '\n' || first[n - 1] == ' '))
		first[--n] = '\0';
}

static xmlTextReaderPtr open_reader(const char *path, char first_error[256])
{
	xmlTextReaderPtr r = xmlReaderForFile(path, NULL,
					      XML_PARSE_NONET |
						      XML_PARSE_NOCDATA |
						      XML_PARSE_COMPACT);

	if (r)
		xmlTextReaderSetErrorHandler(r, quiet, first_error);
	return r;
}

/*
 * The object element of the transaction the reader is on, when the tree
 * the reader built can be checked as it is: exactly one element among
 * blank text, and no namespace declared above it (so nothing is inherited
 * that serializing would bring along).  NULL otherwise: the transaction's
 * inner XML is then serialized and parsed as a document of its own.
 */
static xmlNode *object_node(xmlTextReaderPtr r)
{
	xmlNode *t = xmlTextReaderExpand(r), *c, *obj = NULL, *p;

	if (!t || t->type != XML_ELEMENT_NODE)
		return NULL;
	for (p = t; p && p->type == XML_ELEMENT_NODE; p = p->parent)
		if (p->nsDef || p->ns)
			return NULL;
	for (c = t->children; c; c = c->next) {
		if (c->type == XML_ELEMENT_NODE) {
			if (obj)
				return NULL;
			obj = c;
		} else if (c->type != XML_TEXT_NODE || !c->content ||
			   c->content[strspn((const char *)c->content,
					     " \t\r\n")]) {
			return NULL;
		}
	}
	return obj;
}

/*
 * The document of the transaction the reader is on: checked from the
 * reader's tree when it can be, else (and for the messages of a document
 * that fails) from its inner XML parsed again.
 */
static int object_doc(tfs_doc **doc, xmlTextReaderPtr r, tfs_kind kind,
		      const char *type, const char *name, bool *empty)
{
	xmlNode *obj = NULL;
	xmlChar *inner = NULL;
	const char *b;
	size_t len;
	int error;

	*doc = NULL;
	*empty = false;
	if (!xmlTextReaderIsEmptyElement(r))
		obj = object_node(r);
	if (obj && doc_from_node(doc, kind, type, name, obj) == 0)
		return 0;
	if (!xmlTextReaderIsEmptyElement(r))
		inner = xmlTextReaderReadInnerXml(r);
	b = inner ? (const char *)inner : "";
	len = strlen(b);
	while (len && (*b == ' ' || *b == '\n' || *b == '\t' || *b == '\r'))
		b++, len--;
	if (!len) {
		*empty = true;
		xmlFree(inner);
		return 0;
	}
	error = tfs_doc_parse(doc, kind, type, name, b, len, NULL);
	xmlFree(inner);
	return error;
}

/* Read the transaction the reader is on into *tx: its attributes, and for
 * a C or U of a valid path, its object.  0 or TFS_ERROR (memory). */
static int read_tx(struct pkg_tx *tx, xmlTextReaderPtr r)
{
	char type[256], name[256];
	tfs_kind kind;

	memset(tx, 0, sizeof(*tx));
	get_attr(tx->seq, sizeof(tx->seq), r, "seq");
	get_attr(tx->op, sizeof(tx->op), r, "op");
	get_attr(tx->path, sizeof(tx->path), r, "path");
	get_attr(tx->base, sizeof(tx->base), r, "base");
	if ((strcmp(tx->op, "C") != 0 && strcmp(tx->op, "U") != 0) ||
	    obj_path_split(tx->path, &kind, type, name) < 0)
		return 0;
	if (object_doc(&tx->doc, r, kind, type, name, &tx->empty) < 0 &&
	    !(tx->error = strdup(tfs_error_last())))
		return tfs_error_set(TFS_ERROR, "out of memory");
	return 0;
}

/*
 * The slot to read the next transaction into, once there is room; NULL
 * if the taker has stopped.  Slots from head to head + n are the
 * taker's; the one after is this thread's until publish().
 */
static struct pkg_tx *free_slot(struct pkg_reader *rd)
{
	struct pkg_tx *tx = NULL;

	pthread_mutex_lock(&rd->mu);
	while (rd->n == QUEUE_LEN && !rd->stop)
		pthread_cond_wait(&rd->room, &rd->mu);
	if (!rd->stop)
		tx = &rd->q[(rd->head + rd->n) % QUEUE_LEN];
	pthread_mutex_unlock(&rd->mu);
	return tx;
}

/* Hand the slot free_slot() gave to the taker. */
static void publish(struct pkg_reader *rd)
{
	pthread_mutex_lock(&rd->mu);
	if (++rd->n == BATCH)
		pthread_cond_signal(&rd->more);
	pthread_mutex_unlock(&rd->mu);
}

static void *read_all(void *arg)
{
	struct pkg_reader *rd = arg;
	char first[256] = "";
	xmlTextReaderPtr r = open_reader(rd->path, first);
	struct pkg_tx *tx;
	int rc = -1, error = 0;

	if (!r) {
		error = tfs_error_set(TFS_EINVALID, "cannot read the package");
		goto done;
	}
	rc = xmlTextReaderRead(r);
	while (rc == 1) {
		if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT ||
		    !named(r, "transaction")) {
			rc = xmlTextReaderRead(r);
			continue;
		}
		if (!(tx = free_slot(rd)))
			break;
		if ((error = read_tx(tx, r)) < 0) {
			tx_free(tx);
			break;
		}
		publish(rd);
		rc = xmlTextReaderNext(r);
	}
	if (!error && rc < 0)
		error = tfs_error_set(TFS_EINVALID, "malformed package: %s",
				      first[0] ? first : "parse error");
	xmlFreeTextReader(r);
done:
	pthread_mutex_lock(&rd->mu);
	rd->done = true;
	rd->error = error;
	if (error)
		snprintf(rd->msg, sizeof(rd->msg), "%s", tfs_error_last());
	pthread_cond_signal(&rd->more);
	pthread_mutex_unlock(&rd->mu);
	return NULL;
}

int pkg_reader_start(struct pkg_reader **out, const char *path)
{
	struct pkg_reader *rd = calloc(1, sizeof(*rd));

	*out = NULL;
	if (!rd)
		return tfs_error_set(TFS_ERROR, "out of memory");
	rd->path = path;
	xmlInitParser();
	pthread_mutex_init(&rd->mu, NULL);
	pthread_cond_init(&rd->more, NULL);
	pthread_cond_init(&rd->room, NULL);
	if (pthread_create(&rd->thread, NULL, read_all, rd) != 0) {
		pthread_mutex_destroy(&rd->mu);
		pthread_cond_destroy(&rd->more);
		pthread_cond_destroy(&rd->room);
		free(rd);
		return tfs_error_set(TFS_ERROR, "cannot start reading the "
						"package");
	}
	*out = rd;
	return 0;
}

struct pkg_tx *pkg_reader_take(struct pkg_reader *rd)
{
	struct pkg_tx *tx = NULL;

	pthread_mutex_lock(&rd->mu);
	while (!rd->n && !rd->done)
		pthread_cond_wait(&rd->more, &rd->mu);
	if (rd->n)
		tx = &rd->q[rd->head];
	pthread_mutex_unlock(&rd->mu);
	return tx;
}

void pkg_reader_release(struct pkg_reader *rd)
{
	tx_free(&rd->q[rd->head]);
	pthread_mutex_lock(&rd->mu);
	rd->head = (rd->head + 1) % QUEUE_LEN;
	if (rd->n-- == QUEUE_LEN - BATCH)
		pthread_cond_signal(&rd->room);
	pthread_mutex_unlock(&rd->mu);
}

int pkg_reader_stop(struct pkg_reader *rd, int error)
{
	if (!rd)
		return error;
	pthread_mutex_lock(&rd->mu);
	rd->stop = true;
	pthread_cond_signal(&rd->room);
	pthread_mutex_unlock(&rd->mu);
	pthread_join(rd->thread, NULL);
	for (; rd->n; rd->n--, rd->head = (rd->head + 1) % QUEUE_LEN)
		tx_free(&rd->q[rd->head]);
	if (!error && rd->error)
		error = tfs_error_set(rd->error, "%s", rd->msg);
	pthread_mutex_destroy(&rd->mu);
	pthread_cond_destroy(&rd->more);
	pthread_cond_destroy(&rd->room);
	free(rd);
	return error;
}
