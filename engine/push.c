/*
 * Push requests: parsing, the console's rules (migration paths, versions,
 * the development project, backups), and the run of one push with its
 * result text.  The work itself is in push_copy.c and push_replace.c.
 *
 * A push holds the target's writer lock from its checks to its commit, so
 * the versions it checked are the versions it changes; the source is only
 * read (through its own snapshot), never locked: the source may go on
 * changing, and the push copies one consistent state of it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "push_int.h"
#include "tenantfs/conf.h"
#include "tenantfs/error.h"

static const struct {
	enum push_op op;
	const char *name;
	const char *action;
} ops[] = {
	{ OP_COPY_CONFIG, "copy-configuration", "Sandbox/Copy" },
	{ OP_COPY_CONFIG_MASTER, "copy-configuration-and-master-data",
	  "Sandbox/Copy" },
	{ OP_COPY_MASTER, "copy-master-data", "Sandbox/Copy" },
	{ OP_COPY_TO_REPLACE, "copy-to-replace", "Sandbox/Replace" },
	{ OP_COPY_DATA, "copy-data", "Sandbox/Copy" },
	{ OP_COPY_SETTINGS, "copy-settings", "Sandbox/Copy" },
	{ OP_COPY_TRANSLATION, "copy-translation", "Sandbox/Copy" },
	{ OP_NO_OP, "no-op", "Sandbox/NoOp" },
	{ OP_SIMPLE, "simple", "Sandbox/Copy" },
};

const char *push_op_name(enum push_op op)
{
	return ops[op].name;
}

const char *push_op_action(enum push_op op)
{
	return ops[op].action;
}

void push_progress_step(struct push_progress *p, uint64_t n)
{
	uint64_t before = p->done;

	p->done += n;
	if (p->fn && (p->done / 1000 != before / 1000 || p->done == p->total))
		p->fn(p->ctx, p->done, p->total);
}

/* ---- name sets ------------------------------------------------------------ */

bool name_set_has(const struct name_set *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i], name) == 0)
			return true;
	return false;
}

static int name_set_add(struct name_set *s, const char *name)
{
	char **v;

	if (name_set_has(s, name))
		return 0;
	if (!(v = realloc(s->v, (s->n + 1) * sizeof(*v))) ||
	    !(v[s->n] = strdup(name))) {
		if (v)
			s->v = v;
		return tfs_error_set(TFS_ERROR, "out of memory");
	}
	s->v = v;
	s->n++;
	return 0;
}

static void name_set_free(struct name_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

void push_req_free(struct push_req *r)
{
	name_set_free(&r->master);
	name_set_free(&r->data);
	name_set_free(&r->named_master);
	name_set_free(&r->named_data);
}

/* ---- parsing ------------------------------------------------------------------ */

/* The master data groups of the console's Copy dialog. */
static const struct {
	const char *group;
	const char *bos; /* space-separated business objects */
} master_groups[] = {
	{ "user-only", "Employee" },
	{ "user-related", "Employee Team OrgUnit ContactGroup Department" },
	{ "service-request", "RequestOffering Category" },
	{ "escalation-schedule", "EscalationSchedule" },
};

static int parse_bool(bool *out, const char *key, const char *v)
{
	if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "0"))
		*out = false;
	else
		return tfs_error_set(TFS_EINVALID,
				     "%s: '%s' is not true or "
				     "false",
				     key, v);
	return 0;
}

/* Call `fn` for each space-separated word of `v`. */
static int each_word(const char *v, int (*fn)(void *, const char *), void *ctx)
{
	char word[256];
	size_t n;
	int error;

	while (*v) {
		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		n = strcspn(v, " \t,");
		if (n == 0)
			break;
		if (n >= sizeof(word))
			return tfs_error_set(TFS_EINVALID,
					     "name too long: "
					     "%.40s...",
					     v);
		memcpy(word, v, n);
		word[n] = '\0';
		if ((error = fn(ctx, word)) < 0)
			return error;
		v += n;
	}
	return 0;
}

struct type_set {
	const char *key;
	const char *const *types;
	bool *set;
	const char *only; /* NULL, or the types allowed, space-separated */
};

static int type_index(const char *const *types, const char *name)
{
	int i;

	for (i = 0; types[i]; i++)
		if (strcmp(types[i], name) == 0)
			return i;
	return -1;
}

static int add_type(void *ctx, const char *word)
{
	struct type_set *ts = ctx;
	int i;

	if (strcmp(word, "all") == 0 && !ts->only) {
		for (i = 0; ts->types[i]; i++)
			ts->set[i] = true;
		return 0;
	}
	if (strcmp(word, "none") == 0)
		return 0;
	if ((i = type_index(ts->types, word)) < 0 ||
	    (ts->only && !strstr(ts->only, word)))
		return tfs_error_set(TFS_EINVALID, "%s: unknown type '%s'%s%s",
				     ts->key, word, ts->only ? " (one of " : "",
				     ts->only ? ts->only : "");
	ts->set[i] = true;
	return 0;
}

static int parse_types(bool *set, const char *key, const char *v,
		       const char *const *types, const char *only)
{
	struct type_set ts = { key, types, set, only };

	memset(set, 0, PUSH_TYPES * sizeof(bool));
	return each_word(v, add_type, &ts);
}

struct bo_set {
	const char *key;
	struct name_set *set;
	bool groups;            /* words may name master data groups */
	struct name_set *named; /* business objects the user named */
};

static int add_bo(void *ctx, const char *word)
{
	struct bo_set *bs = ctx;
	size_t i;
	int error;

	for (i = 0;
	     bs->groups && i < sizeof(master_groups) / sizeof(master_groups[0]);
	     i++)
		if (strcmp(word, master_groups[i].group) == 0)
			return each_word(master_groups[i].bos, add_bo,
					 &(struct bo_set){ bs->key, bs->set,
							   false, NULL });
	if (!tfs_type_valid(TFS_KIND_DATA, word))
		return tfs_error_set(TFS_EINVALID,
				     "%s: '%s' is not a "
				     "business object name",
				     bs->key, word);
	if (bs->named && (error = name_set_add(bs->named, word)) < 0)
		return error;
	return name_set_add(bs->set, word);
}

/* Which options each operation takes (besides source, operation, mode,
 * backup). */
static const struct {
	const char *key;
	unsigned ops; /* bit per enum push_op */
} option_ops[] = {
#define B(op) (1u << (op))
	{ "delete_missing", B(OP_COPY_CONFIG) | B(OP_COPY_CONFIG_MASTER) },
	{ "replace_newer", B(OP_COPY_CONFIG) | B(OP_COPY_CONFIG_MASTER) },
	{ "validation_delete_missing",
	  B(OP_COPY_CONFIG) | B(OP_COPY_CONFIG_MASTER) },
	{ "master",
	  B(OP_COPY_CONFIG_MASTER) | B(OP_COPY_MASTER) | B(OP_SIMPLE) },
	{ "master_delete_missing",
	  B(OP_COPY_CONFIG_MASTER) | B(OP_COPY_MASTER) | B(OP_SIMPLE) },
	{ "data", B(OP_COPY_DATA) },
	{ "data_delete_missing", B(OP_COPY_DATA) },
	{ "settings", B(OP_COPY_SETTINGS) },
	{ "settings_delete_missing", B(OP_COPY_SETTINGS) },
	{ "settings_update_changed", B(OP_COPY_SETTINGS) },
	{ "keep_users_enabled", B(OP_COPY_TO_REPLACE) },
	{ "scrub_user_email", B(OP_COPY_TO_REPLACE) },
	{ "scrub_other_email", B(OP_COPY_TO_REPLACE) },
	{ "trim_days", B(OP_COPY_TO_REPLACE) },
	{ "shrink", B(OP_COPY_TO_REPLACE) },
#undef B
};

static int check_keys(const tfs_conf *conf, enum push_op op)
{
	size_t i, k;

	for (i = 0; i < conf->n; i++) {
		const char *key = conf->kv[i].key;

		if (!strcmp(key, "source") || !strcmp(key, "operation") ||
		    !strcmp(key, "mode") || !strcmp(key, "backup"))
			continue;
		for (k = 0; k < sizeof(option_ops) / sizeof(option_ops[0]); k++)
			if (strcmp(option_ops[k].key, key) == 0)
				break;
		if (k == sizeof(option_ops) / sizeof(option_ops[0]))
			return tfs_error_set(TFS_EINVALID,
					     "line %d: unknown "
					     "key '%s'",
					     conf->kv[i].line, key);
		if (!(option_ops[k].ops & (1u << op)))
			return tfs_error_set(TFS_EINVALID,
					     "line %d: '%s' is "
					     "not an option of %s",
					     conf->kv[i].line, key,
					     push_op_name(op));
	}
	return 0;
}

static int parse_enum(int *out, const char *key, const char *v,
		      const char *const *names)
{
	int i;

	for (i = 0; names[i]; i++)
		if (strcmp(names[i], v) == 0) {
			*out = i;
			return 0;
		}
	return tfs_error_set(TFS_EINVALID, "%s: unknown value '%s'", key, v);
}

/* The Simple Mode of the console's Copy dialog (seed guide, Appendix B,
 * "Simple Mode Migrated Data"), as a fixed copy-configuration-and-
 * master-data: written down in the README. */
static int simple_defaults(struct push_req *r)
{
	static const char *const del[] = {
		"Role",    "Layout", "Form",         "Grid",
		"Trigger", "Rule",   "RuleOverride", "ValidationListDefinition",
		NULL
	};
	static const char *const set[] = { "AllowedAttachments", "DynamicStyle",
					   "PasswordPolicy", NULL };
	int i, k;

	for (i = 0; del[i]; i++)
		if ((k = type_index(tfs_metadata_types, del[i])) >= 0)
			r->delete_missing[k] = true;
	for (i = 0; set[i]; i++)
		if ((k = type_index(tfs_settings_types, set[i])) >= 0)
			r->settings[k] = true;
	r->validation_delete_missing = true;
	r->master_delete_missing = true;
	r->settings_delete_missing = true;
	r->settings_update_changed = true;
	return each_word("user-related", add_bo,
			 &(struct bo_set){ "master", &r->master, true, NULL });
}

static int parse_options(struct push_req *r, const tfs_conf *conf)
{
	const char *v;
	int error = 0;

	if ((v = tfs_conf_get(conf, "delete_missing")))
		error = parse_types(r->delete_missing, "delete_missing", v,
				    tfs_metadata_types, NULL);
	if (!error && (v = tfs_conf_get(conf, "replace_newer")))
		error = parse_types(r->replace_newer, "replace_newer", v,
				    tfs_metadata_types,
				    "Search Report Dashboard QuickAction");
	if (!error && (v = tfs_conf_get(conf, "validation_delete_missing")))
		error = parse_bool(&r->validation_delete_missing,
				   "validation_delete_missing", v);
	if (!error && (v = tfs_conf_get(conf, "master")))
		error = each_word(v, add_bo,
				  &(struct bo_set){ "master", &r->master, true,
						    &r->named_master });
	if (!error && (v = tfs_conf_get(conf, "master_delete_missing")))
		error = parse_bool(&r->master_delete_missing,
				   "master_delete_missing", v);
	if (!error && (v = tfs_conf_get(conf, "data")))
		error = each_word(v, add_bo,
				  &(struct bo_set){ "data", &r->data, false,
						    &r->named_data });
	if (!error && (v = tfs_conf_get(conf, "data_delete_missing")))
		error = parse_bool(&r->data_delete_missing,
				   "data_delete_missing", v);
	if (!error && (v = tfs_conf_get(conf, "settings")))
		error = parse_types(r->settings, "settings", v,
				    tfs_settings_types, NULL);
	if (!error && (v = tfs_conf_get(conf, "settings_delete_missing")))
		error = parse_bool(&r->settings_delete_missing,
				   "settings_delete_missing", v);
	if (!error && (v = tfs_conf_get(conf, "settings_update_changed")))
		error = parse_bool(&r->settings_update_changed,
				   "settings_update_changed", v);
	if (!error && (v = tfs_conf_get(conf, "keep_users_enabled")))
		error = parse_bool(&r->keep_users_enabled, "keep_users_enabled",
				   v);
	if (!error && (v = tfs_conf_get(conf, "scrub_user_email")))
		error = parse_bool(&r->scrub_user_email, "scrub_user_email", v);
	if (!error && (v = tfs_conf_get(conf, "scrub_other_email")))
		error = parse_bool(&r->scrub_other_email, "scrub_other_email",
				   v);
	if (!error && (v = tfs_conf_get(conf, "shrink")))
		error = parse_bool(&r->shrink, "shrink", v);
	if (!error && (v = tfs_conf_get(conf, "trim_days"))) {
		char *end;
		long d;

		errno = 0;
		d = strtol(v, &end, 10);
		if (errno || *end || end == v || d < 0 || d > 100000)
			error = tfs_error_set(TFS_EINVALID,
					      "trim_days: '%s' "
					      "is not a number of days",
					      v);
		r->trim_days = (int)d;
	}
	return error;
}

/* The defaults of an operation, before its options. */
static void op_defaults(struct push_req *r)
{
	int i;

	if (r->op == OP_COPY_SETTINGS) {
		for (i = 0; tfs_settings_types[i]; i++)
			r->settings[i] = true;
		r->settings_update_changed = true;
	}
}

static int parse_request(struct push_req *r, const char *req, size_t len)
{
	static const char *const modes[] = { "execute", "preview", "save",
					     NULL };
	static const char *const backups[] = { "live", "last", "none", NULL };
	tfs_conf conf = { 0 };
	const char *v;
	int error, i, k;

	memset(r, 0, sizeof(*r));
	if ((error = tfs_conf_parse(&conf, req, len)) < 0)
		return error;
	if (!(v = tfs_conf_get(&conf, "operation"))) {
		error = tfs_error_set(TFS_EINVALID,
				      "missing 'operation' (one "
				      "of copy-configuration, copy-to-replace,"
				      " no-op, ...)");
		goto done;
	}
	for (k = -1, i = 0; i < (int)(sizeof(ops) / sizeof(ops[0])); i++)
		if (strcmp(ops[i].name, v) == 0)
			k = i;
	if (k < 0) {
		error = tfs_error_set(TFS_EINVALID, "unknown operation '%s'",
				      v);
		goto done;
	}
	r->op = ops[k].op;
	r->op_known = true;
	if (!(v = tfs_conf_get(&conf, "source")) || !*v) {
		error = tfs_error_set(TFS_EINVALID,
				      "missing 'source' (an "
				      "instance of this tenant, or "
				      "<tenant>/<instance>)");
		goto done;
	}
	snprintf(r->source, sizeof(r->source), "%s", v);
	if ((error = check_keys(&conf, r->op)) < 0)
		goto done;
	if ((v = tfs_conf_get(&conf, "mode")) &&
	    (error = parse_enum(&k, "mode", v, modes)) < 0)
		goto done;
	r->mode = v ? (enum push_mode)k : MODE_EXECUTE;
	if ((v = tfs_conf_get(&conf, "backup")) &&
	    (error = parse_enum(&k, "backup", v, backups)) < 0)
		goto done;
	r->backup = v ? (enum push_backup)k : BACKUP_LIVE;
	op_defaults(r);
	if (r->op == OP_SIMPLE && (error = simple_defaults(r)) < 0)
		goto done;
	if ((error = parse_options(r, &conf)) < 0)
		goto done;
	if (r->op == OP_COPY_MASTER && r->master.n == 0)
		error = tfs_error_set(TFS_EINVALID,
				      "copy-master-data needs "
				      "'master' (user-only, user-related, "
				      "service-request, escalation-schedule "
				      "or business objects)");
	else if (r->op == OP_COPY_DATA && r->data.n == 0)
		error = tfs_error_set(TFS_EINVALID, "copy-data needs 'data' "
						    "(business objects)");
done:
	tfs_conf_free(&conf);
	return error;
}

/* ---- the rules ------------------------------------------------------------- */

struct inst_facts {
	int64_t version;
	int commits; /* history commits: 0 for a new instance */
	char tiers[16];
	char landscape[32];
	int64_t group_id;
	bool dev_project;
	bool allow_all_backups;
};

static int facts_of(struct inst_facts *f, tfs_inst *in)
{
	sqlite3_stmt *s;
	tfs_inst_meta m;
	int error;

	memset(f, 0, sizeof(*f));
	if ((error = tfs_inst_meta_get(&m, in)) < 0 ||
	    (error = tfs_inst_history_count(in, &f->commits)) < 0)
		return error;
	f->version = m.version;
	s = db_stmt(store_db(in->st),
		    "SELECT COALESCE(g.tiers, ''), COALESCE(l.type, ''),"
		    " COALESCE(g.id, 0), t.dev_project,"
		    " COALESCE(l.allow_all_backups, 0) FROM instances i"
		    " JOIN tenants t ON t.id = i.tenant_id"
		    " LEFT JOIN landscapes l ON l.id = i.landscape_id"
		    " LEFT JOIN groups g ON g.id = l.group_id WHERE i.id = ?");
	if (!s)
		return TFS_ERROR;
	sqlite3_bind_int64(s, 1, in->id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return tfs_error_set(TFS_ENOTFOUND, "no such instance");
	}
	snprintf(f->tiers, sizeof(f->tiers), "%s", db_text(s, 0));
	snprintf(f->landscape, sizeof(f->landscape), "%s", db_text(s, 1));
	f->group_id = sqlite3_column_int64(s, 2);
	f->dev_project = sqlite3_column_int(s, 3) != 0;
	f->allow_all_backups = sqlite3_column_int(s, 4) != 0;
	sqlite3_reset(s);
	return 0;
}

/*
 * Whether the group's migration paths lead from landscape `from` to `to`
 * (seed guide, "Before You Begin" and "There is No Push Link"): 0, or
 * TFS_EINVALID with the reason.
 */
static int path_open(const char *tiers, const char *from, const char *to,
		     int64_t to_version)
{
	static const char *const three[][2] = { { "production", "staging" },
						{ "staging", "uat" },
						{ "production", "uat" },
						{ "uat", "production" },
						{ "staging", "production" } };
	static const char *const two[][2] = { { "production", "staging" },
					      { "staging", "production" } };
	bool two_tier = strcmp(tiers, "two-tier") == 0;
	size_t i, n = two_tier ? 2 : 5;

	for (i = 0; i < n; i++) {
		const char *const *p = two_tier ? two[i] : three[i];

		if (strcmp(p[0], from) || strcmp(p[1], to))
			continue;
		if (!two_tier && !strcmp(from, "staging") &&
		    !strcmp(to, "production") && to_version != 0)
			return tfs_error_set(TFS_EINVALID,
					     "in a three-tier "
					     "group staging -> production is "
					     "open only while production is at"
					     " version 0 (it is at %lld)",
					     (long long)to_version);
		return 0;
	}
	return tfs_error_set(TFS_EINVALID,
			     "no migration path %s -> %s in "
			     "a %s group",
			     from, to, tiers[0] ? tiers : "no");
}

/* Find the source instance the request names. */
static int find_source(struct push_req *r, tfs_inst *target)
{
	tfs_store *st = target->st;
	char tenant[160], *slash;
	const char *inst = r->source;
	tfs_row trow, irow;
	int error;

	snprintf(tenant, sizeof(tenant), "%s", target->tenant);
	if ((slash = strchr(r->source, '/'))) {
		snprintf(tenant, sizeof(tenant), "%.*s",
			 (int)(slash - r->source), r->source);
		inst = slash + 1;
	}
	if ((error = tfs_store_find(&trow, st, TFS_ENT_TENANT, 0, tenant)) <
		    0 ||
	    (error = tfs_store_find(&irow, st, TFS_ENT_INSTANCE, trow.id,
				    inst)) < 0)
		return tfs_error_set(TFS_EINVALID, "source: no instance '%s'",
				     r->source);
	if (!(r->src = tfs_store_inst(st, irow.id)))
		return tfs_error_set(TFS_EINVALID,
				     "source %s is not served: "
				     "%s",
				     r->source, tfs_error_last());
	if (r->src == target)
		return tfs_error_set(TFS_EINVALID, "source and target are the "
						   "same instance");
	return 0;
}

/* Every business object the request names is one the source has. */
static int check_named(const struct push_req *r)
{
	const struct name_set *sets[2] = { &r->named_master, &r->named_data };
	int64_t dir;
	size_t k, i;
	int error;

	for (k = 0; k < 2; k++)
		for (i = 0; i < sets[k]->n; i++) {
			error = tfs_inst_dir_find(&dir, r->src,
						  k ? TFS_KIND_DATA :
						      TFS_KIND_MASTER,
						  sets[k]->v[i]);
			if (error == TFS_ENOTFOUND)
				return tfs_error_set(TFS_EINVALID,
						     "%s: %s/%s "
						     "has no %s/%s",
						     k ? "data" : "master",
						     r->src->tenant,
						     r->src->name,
						     k ? "data" : "master",
						     sets[k]->v[i]);
			if (error < 0)
				return error;
		}
	return 0;
}

/* The console's rules for pushing `r` into `in`; `version` gets the
 * target's version after the push. */
static int check_rules(int64_t *version, const struct push_req *r, tfs_inst *in,
		       const struct inst_facts *src,
		       const struct inst_facts *dst)
{
	bool same_tenant = r->src->tenant_id == in->tenant_id;
	int error;

	if (r->backup == BACKUP_NONE && !dst->allow_all_backups)
		return tfs_error_set(TFS_EINVALID,
				     "backup = none: the %s "
				     "landscape does not allow all backup "
				     "options",
				     dst->landscape);
	if (dst->commits == 0) {
		/* A new instance takes a copy of any instance. */
		if (r->op != OP_COPY_TO_REPLACE)
			return tfs_error_set(TFS_EINVALID,
					     "%s/%s is new and "
					     "empty: only copy-to-replace can "
					     "fill it",
					     in->tenant, in->name);
		*version = src->version + 1;
		return 0;
	}
	if (!same_tenant)
		return tfs_error_set(TFS_EINVALID,
				     "source %s belongs to "
				     "another tenant: only a new instance "
				     "takes a push from another tenant",
				     r->source);
	if ((error = path_open(dst->tiers, src->landscape, dst->landscape,
			       dst->version)) < 0)
		return error;
	if (r->op != OP_NO_OP && src->version == dst->version)
		return tfs_error_set(TFS_EINVALID,
				     "versions are equal (both "
				     "%lld): push a no-op first to open the "
				     "path",
				     (long long)dst->version);
	if (dst->dev_project && r->op != OP_COPY_TO_REPLACE &&
	    r->op != OP_COPY_DATA && r->op != OP_COPY_MASTER &&
	    r->op != OP_NO_OP)
		return tfs_error_set(TFS_EINVALID,
				     "the development project of "
				     "%s is enabled: configuration moves by "
				     "packages; a push may only be "
				     "copy-to-replace, copy-data, "
				     "copy-master-data or no-op",
				     in->tenant);
	*version = dst->version + 1;
	return 0;
}

/* ---- running a push ---------------------------------------------------------- */

struct run {
	struct push_req r;
	struct inst_facts src, dst;
	int64_t version;
	char backup[128];
	int commit;
	struct push_counts c;
	tfs_buf errors;
};

static int run_backup(struct run *x, tfs_inst *in)
{
	int error;

	switch (x->r.backup) {
	case BACKUP_NONE:
		snprintf(x->backup, sizeof(x->backup), "none");
		return 0;
	case BACKUP_LAST:
		error = backup_last(x->backup, in);
		if (error != TFS_ENOTFOUND)
			return error;
		tfs_error_clear(); /* none yet: take one */
		break;
	case BACKUP_LIVE:
	default:
		break;
	}
	if (x->dst.commits == 0) {
		snprintf(x->backup, sizeof(x->backup),
			 "none (the instance "
			 "was empty)");
		return 0;
	}
	return backup_take(x->backup, in, push_op_name(x->r.op));
}

static int run_push(struct run *x, tfs_buf *diff, tfs_inst *in,
		    const char *user, struct push_progress *pg)
{
	char msg[400];
	int error;

	snprintf(msg, sizeof(msg), "Push %s from %s/%s", push_op_name(x->r.op),
		 x->r.src->tenant, x->r.src->name);
	if (diff)
		return push_copy(&x->c, diff, &x->errors, in, user, &x->r,
				 x->version, msg, pg);
	if ((error = run_backup(x, in)) < 0)
		return error;
	if (x->r.op == OP_COPY_TO_REPLACE)
		return push_replace(&x->c, &x->commit, in, user,
				    x->r.src->pool.path, &x->r, x->version,
				    push_op_action(x->r.op), msg, pg);
	if ((error = push_copy(&x->c, NULL, &x->errors, in, user, &x->r,
			       x->version, msg, pg)) < 0)
		return error;
	return tfs_inst_history_count(in, &x->commit);
}

static int render(tfs_buf *out, const struct run *x, tfs_inst *in,
		  const char *state, int error)
{
	const struct push_counts *c = &x->c;
	int rc;

	rc = tfs_buf_printf(out, "%s\noperation: %s\nsource: %s%s%s\n", state,
			    x->r.op_known ? push_op_name(x->r.op) : "",
			    x->r.src ? x->r.src->tenant : x->r.source,
			    x->r.src ? "/" : "",
			    x->r.src ? x->r.src->name : "");
	if (!rc && x->version)
		rc = tfs_buf_printf(out, "version: %lld -> %lld\n",
				    (long long)x->dst.version,
				    (long long)(error ? x->dst.version :
							x->version));
	if (!rc && x->backup[0])
		rc = tfs_buf_printf(out, "backup: %s\n", x->backup);
	if (!rc && x->commit && !error)
		rc = tfs_buf_printf(out, "commit: %d\n", x->commit);
	if (!rc && !error && strcmp(state, "saved"))
		rc = tfs_buf_printf(out,
				    "created: %llu\nupdated: %llu\n"
				    "deleted: %llu\nkept: %llu\n"
				    "scrubbed: %llu\ntrimmed: %llu\n"
				    "disabled: %llu\n",
				    (unsigned long long)c->created,
				    (unsigned long long)c->updated,
				    (unsigned long long)c->deleted,
				    (unsigned long long)c->kept,
				    (unsigned long long)c->scrubbed,
				    (unsigned long long)c->trimmed,
				    (unsigned long long)c->disabled);
	if (!rc && x->errors.size)
		rc = tfs_buf_put(out, x->errors.ptr, x->errors.size);
	if (!rc && error && !x->errors.size)
		rc = tfs_buf_printf(out, "error %s\n", tfs_error_last());
	(void)in;
	return rc;
}

/* A refused or failed push goes to the target's log and events. */
static void record_refusal(tfs_inst *in, const char *user, const char *what,
			   const char *why)
{
	char line[700];

	snprintf(line, sizeof(line), "push %s refused: %s", what, why);
	inst_record_outcome(in, user, NULL, NULL, "Sandbox/Reject", line);
}

static int push_locked(tfs_buf *result, tfs_buf *diff,
		       tfs_push_outcome *outcome, tfs_inst *in,
		       const char *user, const char *req, size_t len,
		       bool force_execute, struct push_progress *pg)
{
	tfs_buf own_diff = TFS_BUF_INIT;
	struct run x;
	const char *state;
	char reason[512];
	int error;

	memset(&x, 0, sizeof(x));
	*outcome = TFS_PUSH_REJECTED;
	if ((error = parse_request(&x.r, req, len)) < 0 ||
	    (error = find_source(&x.r, in)) < 0 ||
	    (error = check_named(&x.r)) < 0)
		goto out;
	if (force_execute && x.r.mode == MODE_SAVE)
		x.r.mode = MODE_EXECUTE;
	if (x.r.mode == MODE_SAVE) {
		*outcome = TFS_PUSH_SAVED;
		goto out;
	}
	if ((error = facts_of(&x.src, x.r.src)) < 0 ||
	    (error = facts_of(&x.dst, in)) < 0 ||
	    (error = check_rules(&x.version, &x.r, in, &x.src, &x.dst)) < 0)
		goto out;
	if (x.r.mode == MODE_PREVIEW && !diff)
		diff = &own_diff;
	error = run_push(&x, x.r.mode == MODE_PREVIEW ? diff : NULL, in, user,
			 pg);
	*outcome = error ? (error == TFS_EINVALID || error == TFS_ECONFLICT ?
				    TFS_PUSH_REJECTED :
				    TFS_PUSH_FAILED) :
		   x.r.mode == MODE_PREVIEW ? TFS_PUSH_PREVIEWED :
					      TFS_PUSH_PUSHED;
out:
	snprintf(reason, sizeof(reason), "%s", tfs_error_last());
	state = *outcome == TFS_PUSH_PUSHED    ? "pushed" :
		*outcome == TFS_PUSH_PREVIEWED ? "previewed" :
		*outcome == TFS_PUSH_SAVED     ? "saved" :
		*outcome == TFS_PUSH_FAILED    ? "failed" :
						 "rejected";
	if (error) {
		tfs_error_set(error, "%s", reason);
		if (!x.errors.size)
			tfs_buf_printf(&x.errors, "error %s\n", reason);
		record_refusal(in, user,
			       x.r.op_known ? push_op_name(x.r.op) : "request",
			       reason);
	}
	render(result, &x, in, state, error);
	tfs_buf_free(&own_diff);
	tfs_buf_free(&x.errors);
	push_req_free(&x.r);
	if (error)
		tfs_error_set(error, "%s", reason);
	return error;
}

int tfs_push(tfs_buf *result, tfs_buf *diff, tfs_push_outcome *outcome,
	     tfs_inst *target, const char *user, const char *req, size_t len,
	     bool force_execute, tfs_pkg_progress_fn progress, void *ctx)
{
	struct push_progress pg = { progress, ctx, 0, 0 };
	int error;

	inst_write_begin(target);
	error = push_locked(result, diff, outcome, target, user, req, len,
			    force_execute, &pg);
	inst_write_end(target);
	return error;
}

/* ---- the dashboard's paths --------------------------------------------------- */

static int render_path(tfs_buf *out, tfs_inst *from, tfs_inst *to)
{
	struct inst_facts f, t;
	int error;

	if (facts_of(&f, from) < 0 || facts_of(&t, to) < 0)
		return 0;
	if (path_open(t.tiers, f.landscape, t.landscape, t.version) < 0 &&
	    strstr(tfs_error_last(), "no migration path"))
		return 0;
	error = path_open(t.tiers, f.landscape, t.landscape, t.version);
	if (!error && f.version == t.version)
		error = tfs_error_set(TFS_EINVALID,
				      "versions are equal (%lld):"
				      " a no-op opens it",
				      (long long)t.version);
	return tfs_buf_printf(out, "  %-12s -> %-12s %s%s\n", from->name,
			      to->name, error ? "closed: " : "open",
			      error ? tfs_error_last() : "");
}

struct tenant_insts {
	tfs_store *st;
	tfs_inst *v[16];
	size_t n;
};

static int add_inst(void *ctx, const tfs_row *row)
{
	struct tenant_insts *ti = ctx;
	tfs_inst *in;

	if (ti->n < sizeof(ti->v) / sizeof(ti->v[0]) &&
	    (in = tfs_store_inst(ti->st, row->id)))
		ti->v[ti->n++] = in;
	return 0;
}

int tfs_push_paths_render(tfs_buf *out, tfs_store *st, int64_t tenant_id)
{
	struct tenant_insts ti = { st, { 0 }, 0 };
	size_t i, j;
	int error;

	if ((error = tfs_store_list(st, TFS_ENT_INSTANCE, tenant_id, add_inst,
				    &ti)) < 0)
		return error;
	for (i = 0; i < ti.n; i++)
		for (j = 0; j < ti.n; j++)
			if (i != j &&
			    (error = render_path(out, ti.v[i], ti.v[j])) < 0)
				return error;
	return 0;
}
