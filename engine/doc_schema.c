/*
 * The per-type rules of object documents, as tables: the object schema
 * that doc.c walks: which attributes an element has and of what type,
 * which children it may hold, and the few checks that span attributes (a
 * Field's length against its type) or children (unique Field names,
 * Transitions between the Steps of their Workflow).
 *
 * The object schema as a document is engine/SCHEMA.md (sections "6
 * Metadata" to "9 Master and data records", "11 References", "12
 * Secrets").  The document and these tables must agree: a change here (a
 * type, an attribute, its type, order or limit, a child, a count, a
 * check) changes SCHEMA.md in the same commit.  tests/unit/test_doc.c
 * checks that every type is named there.
 *
 * The order of attributes in each table is also their canonical order after
 * name, guid and businessObject; changing it changes the canonical bytes of
 * stored objects, so append rather than reorder.
 *
 * Everything here is constant; the functions are pure apart from the
 * references they hand to doc_ref().  Called from doc.c and doc_walk.c.
 * The value of one attribute against its type, and uniqueness among
 * children, are checked in doc_values.c.
 *
 * The schema of translations/<locale>/<Type>/<Name>.xml (root
 * <Translation locale= type=> with <String key= modified=>text</String>;
 * engine/SCHEMA.md, "10 Translations") is in doc_translation.c, whose
 * rule doc_rule_root() returns.
 */
#include <assert.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tenantfs/buf.h"
#include "tenantfs/error.h"
#include "doc_int.h"

#define INT_ANY DOC_INT_ANY
#define REQ     DOC_AF_REQ

/* clang-format off */
#define A_STR(n, f)      { .name = n, .type = DOC_AT_STR, .flags = f }
#define A_NAME(n, f)     { .name = n, .type = DOC_AT_NAME, .flags = f }
#define A_BOOL(n)        { .name = n, .type = DOC_AT_BOOL }
#define A_INT(n, f, lo, hi) \
	{ .name = n, .type = DOC_AT_INT, .flags = f, .min = lo, .max = hi }
#define A_ENUM(n, f, v)  { .name = n, .type = DOC_AT_ENUM, .flags = f, \
			   .values = v }
#define A_COLOR(n, f)    { .name = n, .type = DOC_AT_COLOR, .flags = f }
#define A_REF(n, f, k)   { .name = n, .type = DOC_AT_NAME, .flags = f, \
			   .ref = k }
#define A_FIELD(n, f)    { .name = n, .type = DOC_AT_NAME, \
			   .flags = (f) | DOC_AF_FIELD, .ref = "Field" }
#define A_END            { .name = NULL }
#define A_BO(f)          A_REF("businessObject", f, "BusinessObject")
/* clang-format on */

static const char *const field_types[] = {
	"Text",  "Number", "Integer", "Boolean", "Date", "DateTime",
	"Money", "Binary", "Guid",    "Link",    NULL,
};
static const char *const cardinalities[] = {
	"OneToOne",
	"OneToMany",
	"ManyToMany",
	NULL,
};
static const char *const qa_actions[] = {
	"UpdateObject", "CreateObject", "RunWorkflow",
	"SendEmail",    "OpenUrl",      NULL,
};
static const char *const rule_events[] = { "Load", "Save", "Change", NULL };
static const char *const trigger_events[] = {
	"Insert", "Update", "Delete", "Save", NULL,
};
static const char *const access_levels[] = {
	"none", "read", "write", "full", NULL,
};
static const char *const br_kinds[] = {
	"Validation", "Calculation", "Before", "After", NULL,
};
static const char *const search_ops[] = {
	"eq", "ne", "lt", "le", "gt", "ge", "like", "in", "isnull", NULL,
};
static const char *const directions[] = { "asc", "desc", NULL };
static const char *const part_types[] = {
	"ChartPart", "GridPart", "SpecialPart", "ViewPart", NULL,
};
static const char *const chart_types[] = {
	"Bar", "Pie", "Line", "Column", "Gauge", NULL,
};
static const char *const report_formats[] = { "Pdf", "Excel", "Html", NULL };
static const char *const mime_types[] = {
	"image/png", "image/svg+xml", "image/jpeg", "image/gif", NULL,
};

static int check_field(doc_walk *w, const xmlNode *n, const char *const *v);
static int check_partref(doc_walk *w, const xmlNode *n, const char *const *v);
static int finish_bo(doc_walk *w, const xmlNode *n);
static int finish_workflow(doc_walk *w, const xmlNode *n);
static int finish_list(doc_walk *w, const xmlNode *n);

/* Shared leaf elements. */

static const doc_elem_rule expression_rule = {
	.name = "Expression",
	.flags = DOC_ER_TEXT | DOC_ER_TEXT_REQ,
};

static const doc_attr_rule workflowref_attrs[] = {
	A_REF("name", REQ, "Workflow"),
	A_END,
};
static const doc_elem_rule workflowref_rule = {
	.name = "WorkflowRef",
	.attrs = workflowref_attrs,
};

static const doc_attr_rule fieldref_attrs[] = {
	A_FIELD("name", REQ),
	A_END,
};
static const doc_elem_rule fieldref_rule = {
	.name = "FieldRef",
	.attrs = fieldref_attrs,
};

/* BusinessObject.  check_field() indexes field_attrs by these. */

enum {
	F_NAME,
	F_TYPE,
	F_LENGTH,
	F_PRECISION,
	F_NULLABLE,
	F_UNIQUE,
	F_INDEXED,
	F_LOCALIZED,
	F_STORED,
	F_AUDIT,
	F_VALIDATIONLIST,
	F_LINKTO
};

static const doc_attr_rule field_attrs[] = {
	A_NAME("name", REQ),
	A_ENUM("type", REQ, field_types),
	A_INT("length", 0, 1, 1000000),
	A_INT("precision", 0, 0, 38),
	A_BOOL("nullable"),
	A_BOOL("unique"),
	A_BOOL("indexed"),
	A_BOOL("localized"),
	A_BOOL("stored"),
	A_BOOL("audit"),
	A_REF("validationList", 0, "ValidationList"),
	A_REF("linkTo", 0, "BusinessObject"),
	A_END,
};
static const doc_elem_rule field_rule = {
	.name = "Field",
	.attrs = field_attrs,
	.check = check_field,
};

static const doc_attr_rule relationship_attrs[] = {
	A_NAME("name", REQ),
	A_REF("target", REQ, "BusinessObject"),
	A_ENUM("cardinality", REQ, cardinalities),
	A_END,
};
static const doc_elem_rule relationship_rule = {
	.name = "Relationship",
	.attrs = relationship_attrs,
};

static const doc_attr_rule bo_attrs[] = {
	A_STR("table", 0),
	A_BOOL("audit"),
	A_BOOL("validation"),
	A_END,
};
static const doc_child_rule bo_children[] = {
	{ &field_rule, 1, 0 },
	{ &relationship_rule, 0, 0 },
	{ NULL, 0, 0 },
};
static const doc_elem_rule bo_rule = {
	.name = "BusinessObject",
	.attrs = bo_attrs,
	.children = bo_children,
	.finish = finish_bo,
};

/* Counter */

static const doc_attr_rule counter_attrs[] = {
	A_BO(0),
	A_STR("prefix", 0),
	A_INT("start", REQ, 0, LLONG_MAX),
	A_INT("step", 0, 1, LLONG_MAX),
	A_END,
};
static const doc_elem_rule counter_rule = {
	.name = "Counter",
	.attrs = counter_attrs,
};

/* Form */

static const doc_attr_rule section_attrs[] = { A_STR("name", REQ), A_END };
static const doc_child_rule section_children[] = {
	{ &fieldref_rule, 0, 0 },
	{ NULL, 0, 0 },
};
static const doc_elem_rule section_rule = {
	.name = "Section",
	.attrs = section_attrs,
	.children = section_children,
};

static const doc_attr_rule form_attrs[] = {
	A_BO(REQ),
	A_STR("caption", 0),
	A_END,
};
static const doc_child_rule form_children[] = {
	{ &fieldref_rule, 0, 0 },
	{ &section_rule, 0, 0 },
	{ NULL, 0, 0 },
};
static const doc_elem_rule form_rule = {
	.name = "Form",
	.attrs = form_attrs,
	.children = form_children,
};

/* Grid */

static const doc_attr_rule column_attrs[] = {
	A_FIELD("field", REQ),
	A_INT("width", 0, 0, INT_ANY),
	A_END,
};
static const doc_elem_rule column_rule = {
	.name = "Column",
	.attrs = column_attrs,
};
static const doc_attr_rule bo_req_attrs[] = { A_BO(REQ), A_END };
static const doc_child_rule grid_children[] = {
	{ &column_rule, 0, 0 },
	{ NULL, 0, 0 },
};
static const doc_elem_rule grid_rule = {
	.name = "Grid",
	.attrs = bo_req_attrs,
	.children = grid_children,
};

/* Layout */

static const doc_attr_rule formref_attrs[] = {
	A_REF("name", REQ, "Form"),
	A_END,
};
static const doc_elem_rule formref_rule = {
	.name = "FormRef",
	.attrs = formref_attrs,
};
static const doc_attr_rule gridref_attrs[] = {
	A_REF("name", REQ, "Grid"),
	A_END,
};
static const doc_elem_rule gridref_rule = {
	.name = "GridRef",
	.attrs = gridref_attrs,
};
static const doc_child_rule layout_children[] = {
	{ &formref_rule, 0, 0 },
	{ &gridref_rule, 0, 0 },
	{ NULL, 0, 0 },
};
static const doc_elem_rule layout_rule = {
	.name = "Layout",
	.flags = DOC_ER_NONEMPTY,
	.attrs = bo_req_attrs,
	.children = layout_children,
};

/* QuickAction */

static const doc_attr_rule param_attrs[] = {
	A_STR("name", REQ),
	A_STR("value", 0),
	A_END,
};
static const doc_elem_rule param_rule = {
	.name = "Param",
	.attrs = param_attrs,
};
static const doc_attr_rule qa_attrs[] = {
	A_BO(REQ),
	A_ENUM("action", REQ, qa_actions),
	A_END,
};
static const doc_child_rule qa_children[] = {
	{ &param_rule, 0, 0 },
	{ &workflowref_rule, 0, 0 },
	{ NULL, 0, 0 },
};
static const doc_elem_rule qa_rule = {
	.name = "QuickAction",
	.attrs = qa_attrs,
	.children = qa_children,
};

/* Rule, RuleOverride, BusinessRule */

static const doc_child_rule one_expression[] = {
	{ &expression_rule, 1, 1 },
	{ NULL, 0, 0 },
};
static const doc_child_rule opt_expression[] = {
	{ &expression_rule, 0, 1 },
	{ NULL, 0, 0 },
};
static const doc_attr_rule rule_attrs[] = {
	A_BO(REQ),
	A_ENUM("event", 0, rule_events),
	A_END,
};
static const doc_elem_rule rule_rule = {
	.name = "Rule",
	.attrs = rule_attrs,
	.children = one_expression,
};
static const doc_attr_rule override_attrs[] = {
	A_BO(REQ),
	A_REF("rule", REQ, "Rule"),
	A_END,
};
static const doc_elem_rule override_rule = {
	.name = "RuleOverride",
	.attrs = override_attrs,
	.children = opt_expression,
};
static const doc_attr_rule br_attrs[] = {
	A_BO(REQ),
	A_ENUM("kind", 0, br_kinds),
	A_END,
};
static const doc_elem_rule br_rule = {
	.name = "BusinessRule",
	.attrs = br_attrs,
	.children = one_expression,
};

/* Trigger */

static const doc_elem_rule condition_rule = {
	.name = "Condition",
	.flags = DOC_ER_TEXT,
};
static const doc_attr_rule trigger_attrs[] = {
	A_BO(REQ),
	A_ENUM("event", REQ, trigger_events),
	A_END,
};
static const doc_child_rule trigger_children[] = {
	{ &workflowref_rule, 0, 0 },
	{ &condition_rule, 0, 1 },
	{ NULL, 0, 0 },
};
static const doc_elem_rule trigger_rule = {
	.name = "Trigger",
	.attrs = trigger_attrs,
	.children = trigger_children,
};

/* Branding */

static const doc_attr_rule color_attrs[] = {
	A_STR("name", REQ),
	A_COLOR("value", REQ),
	A_END,
};
static const doc_elem_rule color_rule = {
	.name = "Color",
	.attrs = color_attrs,
};
static const doc_attr_rule branding_attrs[] = {
	A_STR("logo", 0),
	A_STR("theme", 0),
	A_END,
};
static const doc_child_rule branding_children[] = {
	{ &color_rule, 0, 0 },
	{ NULL, 0, 0 },
};
static const doc_elem_rule branding_rule = {
	.name = "Branding",
	.attrs = branding_attrs,
	.children = branding_children,
};

/* Role */

static const doc_attr_rule permission_attrs[] = {
	A_BO(REQ),
	A_ENUM("access", REQ, access_levels),
	A_END,
};
static const doc_elem_rule permission_rule = {
	.name = "Permission",
	.attrs = permission_attrs,
};
static const doc_attr_rule role_attrs[] = { A_BOOL("admin"), A_END };
static const doc_child_rule role_children[] = {
	{ &permission_rule, 0, 0 },
	{ NULL, 0, 0 },
};
static const doc_elem_rule role_rule = {
	.name = "Role",
	.attrs = role_attrs,
	.children = role_children,
};

/* ValidationListDefinition */

static const doc_attr_rule vld_attrs[] = {
	A_BO(0),
	A_REF("list", 0, "ValidationList"),
	A_STR("valueField", 0),
	A_END,
};
static const doc_elem_rule vld_rule = {
	.name = "ValidationListDefinition",
	.attrs = vld_attrs,
};

/* Search */

static const doc_attr_rule criterion_attrs[] = {
	A_FIELD("field", REQ),
	A_ENUM("op", REQ, search_ops),
	A_STR("value", 0),
	A_END,
};
static const doc_elem_rule criterion_rule = {
	.name = "Criterion",
	.attrs = criterion_attrs,
};
static const doc_attr_rule sort_attrs[] = {
	A_FIELD("field", REQ),
	A_ENUM("direction", 0, directions),
	A_END,
};
static const doc_elem_rule sort_rule = {
	.name = "Sort",
	.attrs = sort_attrs,
};
static const doc_child_rule search_children[] = {
	{ &criterion_rule, 0, 0 },
	{ &sort_rule, 0, 0 },
	{ NULL, 0, 0 },
};
static const doc_elem_rule search_rule = {
	.name = "Search",
	.attrs = bo_req_attrs,
	.children = search_children,
};

/* Dashboard and parts.  check_partref() indexes partref_attrs. */

static const doc_attr_rule partref_attrs[] = {
	A_NAME("name", REQ),
	A_ENUM("type", REQ, part_types),
	A_END,
};
static const doc_elem_rule partref_rule = {
	.name = "PartRef",
	.attrs = partref_attrs,
	.check = check_partref,
};
static const doc_attr_rule dashboard_attrs[] = {
	A_INT("columns", 0, 0, INT_ANY),
	A_END,
};
static const doc_child_rule dashboard_children[] = {
	{ &partref_rule, 0, 0 },
	{ NULL, 0, 0 },
};
static const doc_elem_rule dashboard_rule = {
	.name = "Dashboard",
	.attrs = dashboard_attrs,
	.children = dashboard_children,
};

static const doc_attr_rule chartpart_attrs[] = {
	A_BO(REQ),
	A_ENUM("chartType", REQ, chart_types),
	A_FIELD("groupBy", 0),
	A_END,
};
static const doc_elem_rule chartpart_rule = {
	.name = "ChartPart",
	.attrs = chartpart_attrs,
};
static const doc_attr_rule gridpart_attrs[] = {
	A_BO(REQ),
	A_REF("grid", 0, "Grid"),
	A_END,
};
static const doc_elem_rule gridpart_rule = {
	.name = "GridPart",
	.attrs = gridpart_attrs,
};
static const doc_elem_rule content_rule = {
	.name = "Content",
	.flags = DOC_ER_TEXT,
};
static const doc_attr_rule specialpart_attrs[] = {
	A_STR("kind", REQ),
	A_END,
};
static const doc_child_rule specialpart_children[] = {
	{ &content_rule, 0, 1 },
	{ NULL, 0, 0 },
};
static const doc_elem_rule specialpart_rule = {
	.name = "SpecialPart",
	.attrs = specialpart_attrs,
	.children = specialpart_children,
};
static const doc_attr_rule viewpart_attrs[] = {
	A_BO(REQ),
	A_REF("search", 0, "Search"),
	A_END,
};
static const doc_elem_rule viewpart_rule = {
	.name = "ViewPart",
	.attrs = viewpart_attrs,
};

/* Workflow, WorkflowType */

static const doc_attr_rule step_attrs[] = {
	A_STR("name", REQ),
	A_STR("kind", 0),
	A_END,
};
static const doc_elem_rule step_rule = {
	.name = "Step",
	.attrs = step_attrs,
};
static const doc_attr_rule transition_attrs[] = {
	A_STR("from", REQ),
	A_STR("to", REQ),
	A_END,
};
static const doc_elem_rule transition_rule = {
	.name = "Transition",
	.attrs = transition_attrs,
};
static const doc_attr_rule workflow_attrs[] = {
	A_BO(REQ),
	A_REF("workflowType", 0, "WorkflowType"),
	A_END,
};
static const doc_child_rule workflow_children[] = {
	{ &step_rule, 0, 0 },
	{ &transition_rule, 0, 0 },
	{ NULL, 0, 0 },
};
static const doc_elem_rule workflow_rule = {
	.name = "Workflow",
	.attrs = workflow_attrs,
	.children = workflow_children,
	.finish = finish_workflow,
};
static const doc_attr_rule wftype_attrs[] = {
	A_STR("category", 0),
	A_END,
};
static const doc_elem_rule wftype_rule = {
	.name = "WorkflowType",
	.attrs = wftype_attrs,
};

/* Report, Image */

static const doc_attr_rule parameter_attrs[] = {
	A_STR("name", REQ),
	A_STR("type", 0),
	A_END,
};
static const doc_elem_rule parameter_rule = {
	.name = "Parameter",
	.attrs = parameter_attrs,
};
static const doc_attr_rule report_attrs[] = {
	A_BO(0),
	A_ENUM("format", 0, report_formats),
	A_END,
};
static const doc_child_rule report_children[] = {
	{ &parameter_rule, 0, 0 },
	{ NULL, 0, 0 },
};
static const doc_elem_rule report_rule = {
	.name = "Report",
	.attrs = report_attrs,
	.children = report_children,
};
static const doc_elem_rule data_rule = {
	.name = "Data",
	.flags = DOC_ER_TEXT | DOC_ER_TEXT_REQ | DOC_ER_BASE64,
};
static const doc_attr_rule image_attrs[] = {
	A_ENUM("mimeType", REQ, mime_types),
	A_END,
};
static const doc_child_rule image_children[] = {
	{ &data_rule, 1, 1 },
	{ NULL, 0, 0 },
};
static const doc_elem_rule image_rule = {
	.name = "Image",
	.attrs = image_attrs,
	.children = image_children,
};

/* In the order of tfs_metadata_types. */
static const doc_elem_rule *const metadata_rules[] = {
	&bo_rule,       &counter_rule,     &form_rule,      &grid_rule,
	&layout_rule,   &qa_rule,          &rule_rule,      &override_rule,
	&trigger_rule,  &branding_rule,    &role_rule,      &vld_rule,
	&br_rule,       &search_rule,      &dashboard_rule, &chartpart_rule,
	&gridpart_rule, &specialpart_rule, &viewpart_rule,  &workflow_rule,
	&wftype_rule,   &report_rule,      &image_rule,     NULL,
};

/* validation/<List>.xml */

static const doc_attr_rule item_attrs[] = {
	A_STR("value", REQ),
	A_STR("display", 0),
	A_INT("order", 0, 0, INT_ANY),
	A_BOOL("active"),
	A_END,
};
static const doc_elem_rule item_rule = {
	.name = "Item",
	.attrs = item_attrs,
};
static const doc_attr_rule list_attrs[] = { A_BO(0), A_END };
static const doc_child_rule list_children[] = {
	{ &item_rule, 0, 0 },
	{ NULL, 0, 0 },
};
static const doc_elem_rule list_rule = {
	.name = "ValidationList",
	.attrs = list_attrs,
	.children = list_children,
	.finish = finish_list,
};

/* settings/<Type>/<Name>.xml: free form, a few required attributes. */

#define SETTINGS_FLAGS (DOC_ER_OPEN | DOC_ER_FREETEXT | DOC_ER_ANYATTR)

static const doc_attr_rule ldap_attrs[] = {
	A_STR("host", REQ),
	A_INT("port", REQ, 1, 65535),
	A_END,
};
static const doc_elem_rule ldap_rule = {
	.name = "LdapConfiguration",
	.flags = SETTINGS_FLAGS,
	.attrs = ldap_attrs,
};
static const doc_attr_rule email_attrs[] = {
	A_STR("server", REQ),
	A_INT("port", REQ, 1, 65535),
	A_END,
};
static const doc_elem_rule email_rule = {
	.name = "EmailConfiguration",
	.flags = SETTINGS_FLAGS,
	.attrs = email_attrs,
};
static const doc_attr_rule pwpolicy_attrs[] = {
	A_INT("minLength", REQ, 0, INT_ANY),
	A_END,
};
static const doc_elem_rule pwpolicy_rule = {
	.name = "PasswordPolicy",
	.flags = SETTINGS_FLAGS,
	.attrs = pwpolicy_attrs,
};
static const doc_attr_rule authprov_attrs[] = { A_STR("kind", REQ), A_END };
static const doc_elem_rule authprov_rule = {
	.name = "AuthenticationProvider",
	.flags = SETTINGS_FLAGS,
	.attrs = authprov_attrs,
};
static const doc_elem_rule settings_rule = {
	.name = NULL,
	.flags = SETTINGS_FLAGS,
};
static const doc_elem_rule *const settings_rules[] = {
	&ldap_rule, &email_rule, &pwpolicy_rule, &authprov_rule, NULL,
};

/* master/<BO>/<Key>.xml, data/<BO>/<Key>.xml */

static const doc_attr_rule value_attrs[] = { A_STR("field", REQ), A_END };
static const doc_elem_rule value_rule = {
	.name = "Value",
	.flags = DOC_ER_TEXT,
	.attrs = value_attrs,
};
static const doc_attr_rule link_attrs[] = {
	A_BO(REQ),
	A_STR("field", REQ),
	A_STR("key", REQ),
	A_END,
};
/* A Link names a record, "<businessObject>/<key>", in master/ or data/
 * (which also tells that its business object exists). */
static int check_link(doc_walk *w, const xmlNode *n, const char *const *v)
{
	tfs_buf t = TFS_BUF_INIT;
	int error;

	if (!tfs_name_valid(v[0]) || !tfs_name_valid(v[2]))
		return doc_fail(n, "a Link names a record by businessObject "
				   "and key");
	if ((error = tfs_buf_printf(&t, "%s/%s", v[0], v[2])) == 0)
		error = doc_ref(w, "Record", t.ptr, false);
	tfs_buf_free(&t);
	return error;
}
static const doc_elem_rule link_rule = {
	.name = "Link",
	.attrs = link_attrs,
	.check = check_link,
};
static const doc_child_rule record_children[] = {
	{ &value_rule, 0, 0 },
	{ &workflowref_rule, 0, 0 },
	{ &link_rule, 0, 0 },
	{ NULL, 0, 0 },
};
static const doc_elem_rule record_rule = {
	.name = "Record",
	.flags = DOC_ER_OPEN,
	.attrs = bo_req_attrs,
	.children = record_children,
};

const doc_elem_rule *doc_rule_root(tfs_kind kind, const char *type)
{
	size_t i;

	switch (kind) {
	case TFS_KIND_METADATA:
		for (i = 0; metadata_rules[i]; i++)
			if (strcmp(metadata_rules[i]->name, type) == 0)
				return metadata_rules[i];
		return NULL;
	case TFS_KIND_VALIDATION:
		return &list_rule;
	case TFS_KIND_SETTINGS:
		for (i = 0; settings_rules[i]; i++)
			if (strcmp(settings_rules[i]->name, type) == 0)
				return settings_rules[i];
		return &settings_rule;
	case TFS_KIND_MASTER:
	case TFS_KIND_DATA:
		return &record_rule;
	case TFS_KIND_TRANSLATION:
		return doc_rule_translation();
	default:
		return NULL;
	}
}

const doc_elem_rule *doc_rule_child(const doc_elem_rule *r, const char *name,
				    size_t *slot)
{
	size_t i;

	if (!r || !r->children)
		return NULL;
	for (i = 0; r->children[i].elem; i++) {
		if (strcmp(r->children[i].elem->name, name) == 0) {
			*slot = i;
			return r->children[i].elem;
		}
	}
	return NULL;
}

/* Sort keys: name, guid, businessObject, the rule's order, the rest. */
#define RANK_REST 1000

int doc_attr_rank(const doc_elem_rule *r, const char *name)
{
	size_t i;

	if (strcmp(name, "name") == 0)
		return 0;
	if (strcmp(name, "guid") == 0)
		return 1;
	if (strcmp(name, "businessObject") == 0)
		return 2;
	if (r && r->attrs)
		for (i = 0; r->attrs[i].name; i++)
			if (strcmp(r->attrs[i].name, name) == 0)
				return 3 + (int)i;
	return RANK_REST;
}

int doc_check_attrs(doc_walk *w, const doc_elem_rule *r, const xmlNode *n)
{
	const char *vals[DOC_MAX_ATTRS] = { NULL };
	const doc_attr_rule *a;
	const char *v;
	size_t i;
	int error;

	if ((error = doc_check_known(w, r, n)) < 0)
		return error;
	/* businessObject= anywhere refers to a business object (a Link's
	 * is part of the record it names: check_link). */
	v = doc_prop(n, "businessObject");
	if (v && tfs_name_valid(v) && r != &link_rule &&
	    (error = doc_ref(w, "BusinessObject", v, false)) < 0)
		return error;
	if (!r || !r->attrs)
		return 0;
	for (i = 0; r->attrs[i].name; i++) {
		assert(i < DOC_MAX_ATTRS);
		a = &r->attrs[i];
		vals[i] = v = doc_prop(n, a->name);
		if (!v) {
			if (a->flags & DOC_AF_REQ)
				return doc_fail(n, "%s is required", a->name);
			continue;
		}
		if ((error = doc_check_value(n, a, v)) < 0)
			return error;
		if (a->ref && strcmp(a->name, "businessObject") != 0 &&
		    (error = doc_ref(w, a->ref, v, a->flags & DOC_AF_FIELD)) <
			    0)
			return error;
	}
	if (r->check)
		return r->check(w, n, vals);
	return 0;
}

static bool in_list(const char *v, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(v, *list) == 0)
			return true;
	return false;
}

/* A Field's length, precision and linkTo against its type. */
static int check_field(doc_walk *w, const xmlNode *n, const char *const *v)
{
	static const char *const no_length[] = {
		"Boolean", "Date", "DateTime", "Guid", NULL,
	};
	const char *type = v[F_TYPE];

	/* Fields are referred to as <BusinessObject>.<field>, split at the
	 * last '.' (business object names may hold dots): a field's own dot
	 * would make every reference to it name another object. */
	if (strchr(v[F_NAME], '.'))
		return doc_fail(n,
				"a field name may not contain '.' (fields "
				"are referred to as <BusinessObject>.<field>)");
	if (strcmp(type, "Text") == 0 && !v[F_LENGTH])
		return doc_fail(n, "length is required for type Text");
	if (v[F_LENGTH] && in_list(type, no_length))
		return doc_fail(n, "length is not allowed for type %s", type);
	if (v[F_PRECISION] && strcmp(type, "Number") != 0 &&
	    strcmp(type, "Money") != 0)
		return doc_fail(n, "precision is only allowed for types "
				   "Number and Money");
	if (v[F_LINKTO] && strcmp(type, "Link") != 0)
		return doc_fail(n, "linkTo is only allowed for type Link");
	return 0;
}

/* A PartRef refers to a part whose kind is its type. */
static int check_partref(doc_walk *w, const xmlNode *n, const char *const *v)
{
	return doc_ref(w, v[1], v[0], false);
}

static int finish_bo(doc_walk *w, const xmlNode *n)
{
	return doc_check_unique(n, "Field", "name");
}

static int finish_list(doc_walk *w, const xmlNode *n)
{
	return doc_check_unique(n, "Item", "value");
}

/* Transitions go between Steps of the same workflow. */
static int finish_workflow(doc_walk *w, const xmlNode *n)
{
	static const char *const ends[] = { "from", "to" };
	doc_keyed *steps = NULL, probe;
	const xmlNode *c;
	long nsteps;
	size_t i;
	int error = 0;

	if ((nsteps = doc_collect(&steps, n, "Step", "name")) < 0)
		return TFS_ERROR;
	for (c = n->children; c && !error; c = c->next) {
		if (c->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)c->name, "Transition") != 0)
			continue;
		for (i = 0; i < 2 && !error; i++) {
			probe.key = doc_prop(c, ends[i]);
			probe.seq = 0;
			if (!probe.key ||
			    !bsearch(&probe, steps, (size_t)nsteps,
				     sizeof(*steps), doc_key_cmp))
				error = doc_fail(c,
						 "%s '%.80s' is not a Step "
						 "of this workflow",
						 ends[i],
						 probe.key ? probe.key : "");
		}
	}
	free(steps);
	return error;
}
