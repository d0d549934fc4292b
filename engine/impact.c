/*
 * Impact levels of package transactions (DOMAIN.md, "Import assigns an
 * impact level"): high for schema changes (deleting a business object,
 * changing a field's type, length, precision, unique, nullable, stored,
 * localized, indexed or audit property, removing a field, adding an
 * audited field); low for
 * additions of forms, grids, layouts, quick actions, pick lists,
 * dashboards, parts, roles, branding, searches; medium for everything else
 * that is configuration.  Records of master data are low, except request
 * offerings and escalation schedules; transactional records are low.
 *
 * Business objects are compared field by field on their canonical bytes,
 * where each field is one line `  <Field name="X" ...>`.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "tenantfs/error.h"

static const char *const schema_attrs[] = {
	"type",   "length",    "precision", "unique", "nullable",
	"stored", "localized", "indexed",   "audit",  NULL,
};

/* The line of field `field` in canonical business object `bo`, or NULL;
 * *len is its length. */
static const char *field_line(const char *bo, size_t bolen, const char *field,
			      size_t *len)
{
	char needle[300];
	const char *p, *end = bo + bolen, *nl;
	size_t n = (size_t)snprintf(needle, sizeof(needle),
				    "\n  <Field name=\"%s\"", field);

	for (p = bo; p && p < end; p = nl) {
		p = memmem(p, (size_t)(end - p), needle, n);
		if (!p)
			return NULL;
		p++;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (p[n - 1] == ' ' || p[n - 1] == '/' || p[n - 1] == '>') {
			*len = (size_t)(nl - p);
			return p;
		}
	}
	return NULL;
}

/* Value of attribute `attr` in one line into out ("" if absent). */
static void attr_of(char *out, size_t size, const char *line, size_t len,
		    const char *attr)
{
	char needle[64];
	const char *p, *q, *end = line + len;
	size_t n = (size_t)snprintf(needle, sizeof(needle), " %s=\"", attr);

	out[0] = '\0';
	p = memmem(line, len, needle, n);
	if (!p)
		return;
	p += n;
	q = memchr(p, '"', (size_t)(end - p));
	if (!q)
		return;
	snprintf(out, size, "%.*s", (int)(q - p), p);
}

/* Each field name of a canonical business object, in order. */
static int each_field(const char *bo, size_t len,
		      int (*cb)(void *ctx, const char *name), void *ctx)
{
	static const char tag[] = "\n  <Field name=\"";
	const char *p = bo, *end = bo + len, *q;
	char name[256];
	int error = 0;

	while (!error &&
	       (p = memmem(p, (size_t)(end - p), tag, sizeof(tag) - 1))) {
		p += sizeof(tag) - 1;
		q = memchr(p, '"', (size_t)(end - p));
		if (!q)
			break;
		snprintf(name, sizeof(name), "%.*s", (int)(q - p), p);
		error = cb(ctx, name);
		p = q;
	}
	return error;
}

struct bo_cmp {
	const char *old, *new;
	size_t oldlen, newlen;
	int level;
	tfs_buf *why;
	const char *path;
};

static void raise_to(int *level, int to)
{
	if (to > *level)
		*level = to;
}

static int cmp_old_field(void *ctx, const char *name)
{
	struct bo_cmp *c = ctx;
	const char *ol, *nl;
	size_t olen, nlen;
	char a[128], b[128];
	int i;

	ol = field_line(c->old, c->oldlen, name, &olen);
	nl = field_line(c->new, c->newlen, name, &nlen);
	if (!ol)
		return 0;
	if (!nl) {
		raise_to(&c->level, TFS_IMPACT_HIGH);
		return tfs_buf_printf(c->why, "high: %s: field %s removed\n",
				      c->path, name);
	}
	for (i = 0; schema_attrs[i]; i++) {
		attr_of(a, sizeof(a), ol, olen, schema_attrs[i]);
		attr_of(b, sizeof(b), nl, nlen, schema_attrs[i]);
		if (strcmp(a, b) != 0) {
			raise_to(&c->level, TFS_IMPACT_HIGH);
			return tfs_buf_printf(c->why,
					      "high: %s: field %s %s "
					      "changed\n",
					      c->path, name, schema_attrs[i]);
		}
	}
	if (olen != nlen || memcmp(ol, nl, olen) != 0) {
		raise_to(&c->level, TFS_IMPACT_MEDIUM);
		return tfs_buf_printf(c->why, "medium: %s: field %s changed\n",
				      c->path, name);
	}
	return 0;
}

/* Whether field `name` of canonical business object `bo` is audited. */
static bool audit_field(const char *bo, size_t len, const char *name)
{
	const char *line;
	size_t n;
	char v[16];

	if (!bo || !(line = field_line(bo, len, name, &n)))
		return false;
	attr_of(v, sizeof(v), line, n, "audit");
	return strcmp(v, "true") == 0;
}

/* A field added: medium, or high for an audited field (a new column of
 * the audit tables). */
static int cmp_new_field(void *ctx, const char *name)
{
	struct bo_cmp *c = ctx;
	size_t n;
	bool audit;

	if (c->old && field_line(c->old, c->oldlen, name, &n))
		return 0;
	audit = audit_field(c->new, c->newlen, name);
	raise_to(&c->level, audit ? TFS_IMPACT_HIGH : TFS_IMPACT_MEDIUM);
	return tfs_buf_printf(c->why, "%s: %s: field %s added%s\n",
			      audit ? "high" : "medium", c->path, name,
			      audit ? " (an audit field)" : "");
}

/* For a new business object: each audited field is high. */
static int audit_only(void *ctx, const char *name)
{
	struct bo_cmp *c = ctx;

	return audit_field(c->new, c->newlen, name) ? cmp_new_field(ctx, name) :
						      0;
}

static bool in_list(const char *type, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(type, *list) == 0)
			return true;
	return false;
}

int impact_of(int *level, tfs_buf *why, const char *path, tfs_kind kind,
	      const char *type, char op, const char *old, size_t oldlen,
	      const char *new, size_t newlen)
{
	static const char *const additive[] = {
		"Form",
		"Grid",
		"Layout",
		"QuickAction",
		"Dashboard",
		"ChartPart",
		"GridPart",
		"SpecialPart",
		"ViewPart",
		"Role",
		"Branding",
		"Search",
		"ValidationListDefinition",
		NULL,
	};
	static const char *const medium_master[] = {
		"RequestOffering",
		"EscalationSchedule",
		NULL,
	};
	int lv = TFS_IMPACT_LOW;

	switch (kind) {
	case TFS_KIND_DATA:
		break;
	case TFS_KIND_MASTER:
		if (in_list(type, medium_master))
			lv = TFS_IMPACT_MEDIUM;
		break;
	case TFS_KIND_SETTINGS:
		lv = TFS_IMPACT_MEDIUM;
		break;
	case TFS_KIND_VALIDATION:
		lv = op == 'C' ? TFS_IMPACT_LOW : TFS_IMPACT_MEDIUM;
		break;
	case TFS_KIND_METADATA:
		if (strcmp(type, "BusinessObject") == 0) {
			struct bo_cmp c = {
				old, new, oldlen, newlen, TFS_IMPACT_MEDIUM,
				why, path
			};
			int error;

			if (op == 'D') {
				raise_to(level, TFS_IMPACT_HIGH);
				return tfs_buf_printf(why,
						      "high: %s: business "
						      "object deleted\n",
						      path);
			}
			if (op == 'U' && old && new) {
				c.level = TFS_IMPACT_LOW;
				if ((error = each_field(old, oldlen,
							cmp_old_field, &c)) ||
				    (error = each_field(new, newlen,
							cmp_new_field, &c)))
					return error;
				if (c.level == TFS_IMPACT_LOW)
					c.level = TFS_IMPACT_MEDIUM;
			} else if (op == 'C' && new) {
				/* Only its audited fields make a new
				 * business object high. */
				struct bo_cmp a = {
					NULL,           new, 0,   newlen,
					TFS_IMPACT_LOW, why, path
				};
				if ((error = each_field(new, newlen, audit_only,
							&a)))
					return error;
				raise_to(&c.level, a.level);
			}
			raise_to(level, c.level);
			if (c.level == TFS_IMPACT_MEDIUM && op == 'C')
				return tfs_buf_printf(why,
						      "medium: %s: "
						      "business object added\n",
						      path);
			return 0;
		}
		lv = op == 'C' && in_list(type, additive) ? TFS_IMPACT_LOW :
							    TFS_IMPACT_MEDIUM;
		break;
	default:
		break;
	}
	if (lv > TFS_IMPACT_LOW && lv > *level)
		tfs_buf_printf(why, "%s: %s: %s\n",
			       lv == TFS_IMPACT_HIGH ? "high" : "medium", path,
			       op == 'C' ? "added" :
			       op == 'D' ? "deleted" :
					   "changed");
	raise_to(level, lv);
	return 0;
}

const char *impact_name(int level)
{
	return level == TFS_IMPACT_HIGH   ? "high" :
	       level == TFS_IMPACT_MEDIUM ? "medium" :
					    "low";
}
