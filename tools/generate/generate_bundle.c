/*
 * The bundle of one business object in a generated tenant: everything a
 * business object brings in a real tenant, about 35 documents: its
 * pick lists and their definitions, the business object, a counter,
 * workflows, forms, grids, layouts, quick actions, rules and an override,
 * triggers, business rules, searches, chart/grid/view parts and a
 * dashboard, reports, sometimes an icon and a few settings.  Which of the
 * optional ones a business object has follows a hash of its name, so
 * every instance gets the same set.
 *
 * The order keeps the generator's invariant (generate_meta.c): each
 * document refers only to documents written before it.  Called by
 * generate_meta.c for the core business objects and for every module.
 */
#include <stdio.h>
#include <string.h>

#include "generate_int.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- pick lists ---------------------------------------------------------- */

int gen_list_doc(gen *x, const char *name, const char *bo,
		 const char *description, const char *const *items, unsigned n)
{
	dg_gen *g = &x->g;
	unsigned i;

	gen_begin(x, TFS_KIND_VALIDATION, "", "ValidationList", name, NULL);
	if (bo)
		dg_attr(g, "businessObject", bo);
	if (description)
		dg_attr(g, "description", description);
	for (i = 0; i < n; i++) {
		dg_el(g, "Item");
		dg_attr(g, "value", items[i]);
		dg_attr(g, "display", items[i]);
		dg_attr_int(g, "order", 10 * (i + 1));
		/* production retired one value of a differing list */
		if (x->cur_differs && i == n - 1 && n > 2)
			dg_attr_bool(g, "active", false);
		dg_end(g);
	}
	return gen_finish_config(x);
}

int gen_list_definition(gen *x, const char *name, const char *list,
			const char *bo, const char *field)
{
	dg_gen *g = &x->g;

	gen_begin(x, TFS_KIND_METADATA, "ValidationListDefinition",
		  "ValidationListDefinition", name, bo);
	dg_attr(g, "list", list);
	dg_attr(g, "valueField", field ? field : "Value");
	dg_attrf(g, "description", "Values offered for %s%s",
		 field ? field : list,
		 x->cur_differs ? " (sorted by usage)" : "");
	return gen_finish_config(x);
}

/* ---- the bundle of one business object -------------------------------- */

static const gen_field system_fields[] = {
	{ "RecId", 'T', 32, NULL, 'k' },
	{ "CreatedDateTime", 'D', 0, NULL, 0 },
	{ "CreatedBy", 'T', 100, NULL, 0 },
	{ "LastModDateTime", 'D', 0, NULL, 0 },
	{ "LastModBy", 'T', 100, NULL, 0 },
};

/* What the bundle's documents point at, found once per business object. */
typedef struct bo_roles {
	const gen_field *number, *title, *status, *priority, *kind, *owner,
		*team, *date, *text;
} bo_roles;

static unsigned nfields(const gen_bo *bo)
{
	unsigned n = 0;

	while (n < GEN_MAXFIELDS && bo->fields[n].name)
		n++;
	return n;
}

static void find_roles(bo_roles *r, const gen_bo *bo)
{
	unsigned i, n = nfields(bo);

	memset(r, 0, sizeof(*r));
	for (i = 0; i < n; i++) {
		const gen_field *f = &bo->fields[i];

		if (bo->number[0] && strcmp(f->name, bo->number) == 0)
			r->number = f;
		else if (!r->title && (f->hint == 's' || f->hint == 'k'))
			r->title = f;
		else if (strcmp(f->name, "Status") == 0)
			r->status = f;
		else if (strcmp(f->name, "Priority") == 0)
			r->priority = f;
		else if (f->type == 'P' && !r->kind && bo->type_list[0] &&
			 strcmp(f->ref, bo->type_list) == 0)
			r->kind = f;
		else if (f->type == 'L' && !r->owner &&
			 strcmp(f->ref, "Employee") == 0)
			r->owner = f;
		else if (f->type == 'L' && !r->team &&
			 strcmp(f->ref, "Team") == 0)
			r->team = f;
		else if ((f->type == 'D' || f->type == 'd') && !r->date)
			r->date = f;
		else if (f->type == 'T' && f->len >= 4000 && !r->text)
			r->text = f;
	}
	if (!r->title)
		r->title = &bo->fields[0];
}

/* "<BO>.<suffix>" into out. */
static const char *dotted(char out[160], const gen_bo *bo, const char *sfx)
{
	return gen_dotted(out, bo->name, sfx);
}

const char *gen_dotted(char out[160], const char *a, const char *b)
{
	snprintf(out, 160, "%s.%s", a, b);
	return out;
}

/*
 * The description of a generated object; production's drifted copy names
 * its hotfix there (an attribute of its own would be one the object
 * schema does not know, and is refused: engine/SCHEMA.md, "5 Rules common
 * to every element").
 */
void gen_describe(gen *x, const char *fmt, const char *what)
{
	char text[512];

	snprintf(text, sizeof(text), fmt, what);
	if (x->cur_differs)
		dg_attrf(&x->g, "description", "%s (hotfix CR-PRD-hotfix)",
			 text);
	else
		dg_attr(&x->g, "description", text);
}

static void attr_field(dg_gen *g, const gen_field *f)
{
	char kind[16];

	dg_el(g, "Field");
	dg_attr(g, "name", f->name);
	switch (f->type) {
	case 'T':
	case 'P':
		snprintf(kind, sizeof(kind), "Text");
		break;
	case 'L':
		snprintf(kind, sizeof(kind), "Link");
		break;
	case 'I':
		snprintf(kind, sizeof(kind), "Integer");
		break;
	case 'N':
		snprintf(kind, sizeof(kind), "Number");
		break;
	case 'M':
		snprintf(kind, sizeof(kind), "Money");
		break;
	case 'D':
		snprintf(kind, sizeof(kind), "DateTime");
		break;
	case 'd':
		snprintf(kind, sizeof(kind), "Date");
		break;
	case 'B':
		snprintf(kind, sizeof(kind), "Boolean");
		break;
	default:
		snprintf(kind, sizeof(kind), "Guid");
		break;
	}
	dg_attr(g, "type", kind);
	if (f->type == 'T' || f->type == 'P')
		dg_attr_int(g, "length", f->len);
	if (f->type == 'N' || f->type == 'M')
		dg_attr_int(g, "precision", 2);
	dg_attr_bool(g, "nullable", f->hint != 'n' && f->hint != 'k');
	dg_attr_bool(g, "unique", f->hint == 'n' || f->hint == 'k');
	dg_attr_bool(g, "indexed",
		     f->hint == 'n' || f->hint == 'k' || f->type == 'P' ||
			     f->type == 'L');
	if (f->type == 'P')
		dg_attr(g, "validationList", f->ref);
	if (f->type == 'L')
		dg_attr(g, "linkTo", f->ref);
	dg_end(g);
}

static int bo_doc(gen *x, const gen_bo *bo, const bo_roles *r)
{
	dg_gen *g = &x->g;
	unsigned i, n = nfields(bo);

	gen_begin(x, TFS_KIND_METADATA, "BusinessObject", "BusinessObject",
		  bo->name, NULL);
	dg_attrf(g, "table", "%s%s", bo->core >= 0 ? "" : "Cust_", bo->name);
	dg_attr_bool(g, "audit", r->status != NULL);
	gen_describe(x, "The %s records of the tenant", bo->noun);
	for (i = 0; i < N(system_fields); i++)
		attr_field(g, &system_fields[i]);
	for (i = 0; i < n; i++) {
		gen_field f = bo->fields[i];

		/* production widened one text field of a differing BO */
		if (x->cur_differs && f.type == 'T' && f.len < 4000)
			f.len *= 2;
		attr_field(g, &f);
	}
	if (r->owner) {
		dg_el(g, "Relationship");
		dg_attrf(g, "name", "%sAssociatedEmployee", bo->name);
		dg_attr(g, "target", "Employee");
		dg_attr(g, "cardinality", "ManyToMany");
		dg_end(g);
	}
	if (bo->core < 0 || bo->core >= GEN_FIRST_DATA) {
		dg_el(g, "Relationship");
		dg_attrf(g, "name", "%sAssociatedJournal", bo->name);
		dg_attr(g, "target", "Journal");
		dg_attr(g, "cardinality", "OneToMany");
		dg_end(g);
	}
	return gen_finish_config(x);
}

static void fieldref(dg_gen *g, const gen_field *f)
{
	if (f)
		dg_ref(g, "FieldRef", f->name);
}

/* A form: the header fields, then sections by kind of field. */
static int form_doc(gen *x, const gen_bo *bo, const bo_roles *r,
		    const char *sfx, unsigned maxfields)
{
	static const struct {
		const char *name, *types;
	} sections[] = {
		{ "Details", "TG" },   { "Classification", "P" },
		{ "Assignment", "L" }, { "Dates", "Dd" },
		{ "Other", "INMB" },
	};
	dg_gen *g = &x->g;
	char name[160];
	unsigned i, s, n = nfields(bo), used = 0;

	gen_begin(x, TFS_KIND_METADATA, "Form", "Form", dotted(name, bo, sfx),
		  bo->name);
	dg_attrf(g, "caption", "%s%s%s", bo->noun,
		 strcmp(sfx, "Default") ? " - " : "",
		 strcmp(sfx, "Default") ? sfx : "");
	if (x->cur_differs)
		dg_attr(g, "description", "Reordered for the service desk");
	fieldref(g, r->number);
	fieldref(g, r->title);
	fieldref(g, r->status);
	for (s = 0; s < N(sections) && used < maxfields; s++) {
		bool open = false;

		for (i = 0; i < n && used < maxfields; i++) {
			const gen_field *f = &bo->fields[i];

			if (f == r->number || f == r->title || f == r->status ||
			    !strchr(sections[s].types, f->type))
				continue;
			if (!open) {
				dg_el(g, "Section");
				dg_attr(g, "name", sections[s].name);
				open = true;
			}
			fieldref(g, f);
			used++;
		}
		if (open)
			dg_end(g);
	}
	return gen_finish_config(x);
}

static void column(dg_gen *g, const gen_field *f, int width)
{
	if (!f)
		return;
	dg_el(g, "Column");
	dg_attr(g, "field", f->name);
	dg_attr_int(g, "width", width);
	dg_end(g);
}

static int grid_doc(gen *x, const gen_bo *bo, const bo_roles *r,
		    const char *sfx, bool wide)
{
	dg_gen *g = &x->g;
	char name[160];
	const gen_field *created = &system_fields[1];

	gen_begin(x, TFS_KIND_METADATA, "Grid", "Grid", dotted(name, bo, sfx),
		  bo->name);
	if (x->cur_differs)
		dg_attr(g, "description", "Wider subject column");
	column(g, r->number, 90);
	column(g, r->title, x->cur_differs ? 420 : 300);
	column(g, r->status, 110);
	if (wide) {
		column(g, r->priority, 70);
		column(g, r->kind, 110);
		column(g, r->owner, 140);
		column(g, r->team, 140);
		column(g, r->date, 130);
	}
	column(g, created, 130);
	return gen_finish_config(x);
}

static int workflow_doc(gen *x, const gen_bo *bo, const char *sfx,
			const char *wftype, const char *const *steps)
{
	dg_gen *g = &x->g;
	char name[160];
	unsigned i;

	gen_begin(x, TFS_KIND_METADATA, "Workflow", "Workflow",
		  dotted(name, bo, sfx), bo->name);
	dg_attr(g, "workflowType", wftype);
	gen_describe(x, "%s process", sfx);
	dg_el(g, "Step");
	dg_attr(g, "name", "Start");
	dg_attr(g, "kind", "Start");
	dg_end(g);
	for (i = 0; steps[i]; i++) {
		dg_el(g, "Step");
		dg_attr(g, "name", steps[i]);
		dg_attr(g, "kind", i % 2 ? "Update" : "Email");
		dg_end(g);
	}
	dg_el(g, "Step");
	dg_attr(g, "name", "End");
	dg_attr(g, "kind", "End");
	dg_end(g);
	for (i = 0; i == 0 || steps[i - 1]; i++) {
		dg_el(g, "Transition");
		dg_attr(g, "from", i == 0 ? "Start" : steps[i - 1]);
		dg_attr(g, "to", steps[i] ? steps[i] : "End");
		dg_end(g);
	}
	return gen_finish_config(x);
}

static void param(dg_gen *g, const char *name, const char *value)
{
	dg_el(g, "Param");
	dg_attr(g, "name", name);
	dg_attr(g, "value", value);
	dg_end(g);
}

static void expression(gen *x, const char *fmt, const char *a, const char *b)
{
	char text[400], full[440];

	snprintf(text, sizeof(text), fmt, a, b);
	/* production skips the rule for imported records */
	snprintf(full, sizeof(full),
		 x->cur_differs ? "!IsImport && (%s)" : "%s", text);
	dg_text(&x->g, "Expression", full);
}

static int search_doc(gen *x, const gen_bo *bo, const char *sfx,
		      const gen_field *f, const char *op, const char *value,
		      const gen_field *sort)
{
	dg_gen *g = &x->g;
	char name[160];

	gen_begin(x, TFS_KIND_METADATA, "Search", "Search",
		  dotted(name, bo, sfx), bo->name);
	gen_describe(x, "Saved search: %s", sfx);
	if (f) {
		dg_el(g, "Criterion");
		dg_attr(g, "field", f->name);
		dg_attr(g, "op", op);
		if (value)
			dg_attr(g, "value",
				x->cur_differs && strcmp(op, "eq") == 0 ?
					"1" :
					value);
		dg_end(g);
	}
	if (sort) {
		dg_el(g, "Sort");
		dg_attr(g, "field", sort->name);
		dg_attr(g, "direction", "desc");
		dg_end(g);
	}
	return gen_finish_config(x);
}

static int chart_doc(gen *x, const gen_bo *bo, const char *sfx,
		     const char *chart, const gen_field *group)
{
	dg_gen *g = &x->g;
	char name[160];

	gen_begin(x, TFS_KIND_METADATA, "ChartPart", "ChartPart",
		  dotted(name, bo, sfx), bo->name);
	dg_attr(g, "chartType", x->cur_differs ? "Column" : chart);
	if (group)
		dg_attr(g, "groupBy", group->name);
	gen_describe(x, "Chart of %s", bo->noun);
	return gen_finish_config(x);
}

static void partref(dg_gen *g, const char *type, const char *name)
{
	dg_el(g, "PartRef");
	dg_attr(g, "type", type);
	dg_attr(g, "name", name);
	dg_end(g);
}

void gen_icon_data(gen *x, const char *name)
{
	char svg[400];
	uint64_t h = gen_hash(x->salt, name, strlen(name));
	int n;

	n = snprintf(svg, sizeof(svg),
		     "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"32\" "
		     "height=\"32\"><rect width=\"32\" height=\"32\" rx=\"6\" "
		     "fill=\"#%06x\"/><text x=\"16\" y=\"21\" font-size=\"14\" "
		     "text-anchor=\"middle\" fill=\"#fff\">%c</text></svg>",
		     (unsigned)(h & 0x7f7f7f), name[0]);
	dg_text_base64(&x->g, "Data", svg, (size_t)n);
}

/* ---- the bundle ------------------------------------------------------------ */

static const char *const extra_forms[] = { "Mobile",   "SelfService", "New",
					   "Approval", "Admin",       "Print" };
enum { FORM_MOBILE, FORM_SELFSERVICE, FORM_NEW, FORM_APPROVAL, FORM_ADMIN };

/* One business object's bundle while it is written. */
typedef struct bundle {
	gen *x;
	dg_gen *g;
	const gen_bo *bo;
	bo_roles r;
	uint64_t h; /* hash of the name: which optional ones */
	bool first; /* all optional types (the first core BO) */
	bool wf_approval, wf_notify, mobile_grid;
	bool has_form[N(extra_forms)];
	char name[160], ref[160];
} bundle;

/* Start a metadata document "<BO>.<sfx>" of `type` for the business
 * object. */
static void begin(bundle *b, const char *type, const char *sfx)
{
	gen_begin(b->x, TFS_KIND_METADATA, type, type,
		  dotted(b->name, b->bo, sfx), b->bo->name);
}

/* "<BO>.<sfx>" as a reference, valid until the next call. */
static const char *ref(bundle *b, const char *sfx)
{
	return dotted(b->ref, b->bo, sfx);
}

static int schema(bundle *b)
{
	static const char *const states[] = { "New",         "Submitted",
					      "In Progress", "On Hold",
					      "Completed",   "Cancelled",
					      "Closed" };
	static const char *const kinds[] = {
		"Standard", "Urgent",    "Internal", "External",
		"Planned",  "Unplanned", "Routine",  "Recurring",
		"One-off",  "Major",     "Minor",    "Regulatory"
	};
	const gen_bo *bo = b->bo;
	gen *x = b->x;
	unsigned nk = 3 + (unsigned)((b->h >> 20) % 6);

	if (bo->own_lists &&
	    (gen_list_doc(x, bo->status_list, bo->name, NULL, states,
			  N(states)) ||
	     gen_list_doc(x, bo->type_list, bo->name, NULL,
			  kinds + (b->h >> 24) % (N(kinds) - nk + 1), nk)))
		return b->g->error;
	/* a module's definitions are named after its lists, a core business
	 * object's after itself and the field (the lists are shared) */
	if (bo->status_list[0] && b->r.status &&
	    gen_list_definition(x,
				bo->own_lists ? bo->status_list :
						dotted(b->name, bo, "Status"),
				bo->status_list, bo->name, "Status"))
		return b->g->error;
	if (bo->type_list[0] && b->r.kind &&
	    gen_list_definition(x,
				bo->own_lists ?
					bo->type_list :
					dotted(b->name, bo, b->r.kind->name),
				bo->type_list, bo->name, b->r.kind->name))
		return b->g->error;
	if (bo_doc(x, bo, &b->r))
		return b->g->error;
	if (b->r.number) {
		begin(b, "Counter", b->r.number->name);
		dg_attrf(b->g, "prefix", "%s-", bo->prefix ? bo->prefix : "N");
		dg_attr_int(b->g, "start", x->cur_differs ? 500001 : 100001);
		dg_attr_int(b->g, "step", 1);
		if (gen_finish_config(x))
			return b->g->error;
	}
	return 0;
}

static int workflows(bundle *b)
{
	static const char *const lifecycle[] = { "Triage", "Assign", "Work",
						 "Review", NULL };
	static const char *const approval[] = { "RequestApproval",
						"RecordDecision", NULL };
	static const char *const notify[] = { "NotifyRequester", "NotifyTeam",
					      NULL };

	if (workflow_doc(b->x, b->bo, "Lifecycle", "Lifecycle", lifecycle) ||
	    (b->wf_approval &&
	     workflow_doc(b->x, b->bo, "Approval", "Approval", approval)) ||
	    (b->wf_notify &&
	     workflow_doc(b->x, b->bo, "Notification", "Notification", notify)))
		return b->g->error;
	return 0;
}

/* Forms, grids, and the layouts that combine them. */
static int screens(bundle *b)
{
	gen *x = b->x;
	dg_gen *g = b->g;
	unsigned i, k, nforms = 1 + (unsigned)((b->h >> 16) % 4);

	if (form_doc(x, b->bo, &b->r, "Default", 40))
		return g->error;
	for (i = 0; i + 1 < nforms; i++) {
		k = b->first ?
			    i :
			    (unsigned)((b->h >> (28 + 3 * i)) % N(extra_forms));
		if (b->has_form[k])
			continue;
		b->has_form[k] = true;
		if (form_doc(x, b->bo, &b->r, extra_forms[k],
			     k == FORM_MOBILE ? 4 : 8 + k))
			return g->error;
	}
	if (b->first && !b->has_form[FORM_MOBILE]) {
		b->has_form[FORM_MOBILE] = true;
		if (form_doc(x, b->bo, &b->r, "Mobile", 4))
			return g->error;
	}
	if (grid_doc(x, b->bo, &b->r, "List", true) ||
	    (b->mobile_grid && grid_doc(x, b->bo, &b->r, "Mobile", false)))
		return g->error;

	begin(b, "Layout", "Default");
	dg_ref(g, "FormRef", ref(b, "Default"));
	dg_ref(g, "GridRef", ref(b, "List"));
	if (b->has_form[FORM_APPROVAL])
		dg_ref(g, "FormRef", ref(b, "Approval"));
	if (x->cur_differs && b->has_form[FORM_ADMIN])
		dg_ref(g, "FormRef", ref(b, "Admin"));
	if (gen_finish_config(x))
		return g->error;
	if (b->has_form[FORM_MOBILE] && b->mobile_grid) {
		begin(b, "Layout", "Mobile");
		dg_ref(g, "FormRef", ref(b, "Mobile"));
		dg_ref(g, "GridRef", ref(b, "Mobile"));
		if (gen_finish_config(x))
			return g->error;
	}
	if (b->has_form[FORM_SELFSERVICE]) {
		begin(b, "Layout", "SelfService");
		dg_ref(g, "FormRef", ref(b, "SelfService"));
		if (gen_finish_config(x))
			return g->error;
	}
	return 0;
}

static int quick_actions(bundle *b)
{
	gen *x = b->x;
	dg_gen *g = b->g;

	if (b->r.owner) {
		begin(b, "QuickAction", "TakeOwnership");
		dg_attr(g, "action", "UpdateObject");
		param(g, b->r.owner->name, "$(CurrentLoginId())");
		if (b->r.status)
			param(g, "Status",
			      x->cur_differs ? "Assigned" : "In Progress");
		if (gen_finish_config(x))
			return g->error;
	}
	if (b->r.status) {
		begin(b, "QuickAction", "Close");
		dg_attr(g, "action", "UpdateObject");
		param(g, "Status", "Closed");
		if (x->cur_differs)
			param(g, "LastModBy", "$(CurrentLoginId())");
		if (gen_finish_config(x))
			return g->error;
	}
	if (b->wf_approval) {
		begin(b, "QuickAction", "SubmitForApproval");
		dg_attr(g, "action", "RunWorkflow");
		gen_describe(x, "Starts the %s approval", b->bo->noun);
		dg_ref(g, "WorkflowRef", ref(b, "Approval"));
		if (gen_finish_config(x))
			return g->error;
	}
	if (b->first || b->h % 2) {
		begin(b, "QuickAction", "EmailOwner");
		dg_attr(g, "action", "SendEmail");
		param(g, "template",
		      x->cur_differs ? "OwnerNoticeV2" : "OwnerNotice");
		if (gen_finish_config(x))
			return g->error;
	}
	return 0;
}

/* Rules, the override, triggers and business rules. */
static int rules(bundle *b)
{
	gen *x = b->x;
	dg_gen *g = b->g;
	const bo_roles *r = &b->r;
	const char *target = r->status ? "Status" : r->title->name;

	begin(b, "Rule", "DefaultValues");
	dg_attr(g, "event", "Load");
	expression(x, "%s = $(IsNull(%s, \"New\"))", target, target);
	if (gen_finish_config(x))
		return g->error;
	if (r->owner) {
		begin(b, "Rule", "RequireOwner");
		dg_attr(g, "event", "Save");
		expression(x, "!IsEmpty(%s)%s", r->owner->name,
			   r->status ? " || Status == \"New\"" : "");
		if (gen_finish_config(x))
			return g->error;
	}
	if (r->date) {
		begin(b, "Rule", "DefaultDate");
		dg_attr(g, "event", "Change");
		expression(x, "%s = $(AddDays(CurrentDateTime(), %s))",
			   r->date->name, "5");
		if (gen_finish_config(x))
			return g->error;
	}
	if (b->first || (b->h >> 12) % 10 < 3) {
		begin(b, "RuleOverride", "DefaultValues.Imported");
		dg_attr(g, "rule", ref(b, "DefaultValues"));
		gen_describe(x, "Imported %s records keep their values",
			     b->bo->noun);
		dg_text(g, "Expression", "IsImport");
		if (gen_finish_config(x))
			return g->error;
	}

	begin(b, "Trigger", "OnCreate");
	dg_attr(g, "event", "Insert");
	dg_ref(g, "WorkflowRef", ref(b, "Lifecycle"));
	if (x->cur_differs)
		dg_text(g, "Condition", "!IsImport");
	if (gen_finish_config(x))
		return g->error;
	if (b->wf_notify && r->status) {
		begin(b, "Trigger", "OnStatusChange");
		dg_attr(g, "event", "Update");
		dg_ref(g, "WorkflowRef", ref(b, "Notification"));
		dg_text(g, "Condition",
			x->cur_differs ?
				"Status != Previous(Status) && Status == \"Closed\"" :
				"Status != Previous(Status)");
		if (gen_finish_config(x))
			return g->error;
	}

	begin(b, "BusinessRule", "Validate");
	dg_attr(g, "kind", "Validation");
	expression(x, "Len(%s) > %s", r->title->name,
		   x->cur_differs ? "5" : "3");
	if (gen_finish_config(x))
		return g->error;
	if (b->first || b->h % 3 == 0) {
		begin(b, "BusinessRule", "CalculateAge");
		dg_attr(g, "kind", "Calculation");
		expression(x, "DateDiff(\"d\", %s, CurrentDateTime())%s",
			   "CreatedDateTime", "");
		if (gen_finish_config(x))
			return g->error;
	}
	return 0;
}

/* Searches, the parts built on them, the dashboard, reports. */
static int views(bundle *b)
{
	gen *x = b->x;
	dg_gen *g = b->g;
	const gen_bo *bo = b->bo;
	const bo_roles *r = &b->r;
	const char *view = r->owner ? "MyOpen" : "All";

	if (search_doc(x, bo, "All", NULL, NULL, NULL, r->number) ||
	    (r->owner && search_doc(x, bo, "MyOpen", r->owner, "eq",
				    "$(CurrentLoginId())", r->number)) ||
	    (r->owner && search_doc(x, bo, "Unassigned", r->owner, "isnull",
				    NULL, r->number)) ||
	    (r->status && search_doc(x, bo, "RecentlyClosed", r->status, "eq",
				     "Closed", r->number)) ||
	    (r->priority && search_doc(x, bo, "HighPriority", r->priority, "le",
				       "2", r->date)))
		return g->error;

	if (chart_doc(x, bo, "ByStatus", "Pie",
		      r->status ? r->status : r->title) ||
	    (r->kind && chart_doc(x, bo, "ByType", "Bar", r->kind)) ||
	    (r->priority &&
	     chart_doc(x, bo, "ByPriority", "Column", r->priority)))
		return g->error;
	begin(b, "GridPart", "Recent");
	dg_attr(g, "grid", ref(b, "List"));
	gen_describe(x, "Latest %s records", bo->noun);
	if (gen_finish_config(x))
		return g->error;
	begin(b, "ViewPart", view);
	dg_attr(g, "search", ref(b, view));
	if (gen_finish_config(x))
		return g->error;
	gen_begin(x, TFS_KIND_METADATA, "Dashboard", "Dashboard",
		  dotted(b->name, bo, "Overview"), NULL);
	dg_attr_int(g, "columns", x->cur_differs ? 3 : 2);
	gen_describe(x, "Work overview: %s", bo->noun);
	partref(g, "ChartPart", ref(b, "ByStatus"));
	if (r->kind)
		partref(g, "ChartPart", ref(b, "ByType"));
	if (r->priority)
		partref(g, "ChartPart", ref(b, "ByPriority"));
	partref(g, "GridPart", ref(b, "Recent"));
	partref(g, "ViewPart", ref(b, view));
	if (b->first || b->h % 4 == 1)
		partref(g, "SpecialPart", "Home.Announcements");
	if (gen_finish_config(x))
		return g->error;

	begin(b, "Report", "Summary");
	dg_attr(g, "format", x->cur_differs ? "Excel" : "Pdf");
	gen_describe(x, "Monthly summary of %s records", bo->noun);
	dg_el(g, "Parameter");
	dg_attr(g, "name", "From");
	dg_attr(g, "type", "Date");
	dg_end(g);
	dg_el(g, "Parameter");
	dg_attr(g, "name", "To");
	dg_attr(g, "type", "Date");
	dg_end(g);
	if (gen_finish_config(x))
		return g->error;
	if (r->status && (b->first || b->h % 2 == 0)) {
		begin(b, "Report", "Aging");
		dg_attr(g, "format", "Excel");
		dg_el(g, "Parameter");
		dg_attr(g, "name", "OlderThanDays");
		dg_attr(g, "type", "Integer");
		dg_end(g);
		if (gen_finish_config(x))
			return g->error;
	}
	return 0;
}

/* An icon for some, and the settings that name the business object. */
static int extras(bundle *b)
{
	gen *x = b->x;
	dg_gen *g = b->g;
	const gen_bo *bo = b->bo;

	if (b->first || b->h % 4 == 2) {
		gen_begin(x, TFS_KIND_METADATA, "Image", "Image",
			  gen_dotted(b->name, "Icon", bo->name), NULL);
		dg_attr(g, "mimeType", "image/svg+xml");
		gen_icon_data(x, bo->name);
		if (gen_finish_config(x))
			return g->error;
	}
	if (b->r.status && (b->first || b->h % 10 < 3)) {
		gen_begin(x, TFS_KIND_SETTINGS, "WatchListItem",
			  "WatchListItem", bo->name, NULL);
		dg_attr(g, "businessObject", bo->name);
		dg_attr_bool(g, "enabled", true);
		dg_attr(g, "notifyOn",
			x->cur_differs ? "Status,Owner" : "Status");
		if (gen_finish_config(x))
			return g->error;
	}
	if (b->r.date && (b->first || b->h % 10 == 5)) {
		gen_begin(x, TFS_KIND_SETTINGS, "DynamicStyle", "DynamicStyle",
			  dotted(b->name, bo, "Overdue"), NULL);
		dg_attr(g, "businessObject", bo->name);
		dg_attrf(g, "condition", "%s < $(CurrentDateTime())",
			 b->r.date->name);
		dg_el(g, "Style");
		dg_attr(g, "property", "color");
		dg_attr(g, "value", x->cur_differs ? "#c62828" : "#b71c1c");
		dg_end(g);
		if (gen_finish_config(x))
			return g->error;
	}
	return 0;
}

int gen_bundle(gen *x, const gen_bo *bo, bool first)
{
	bundle b;

	memset(&b, 0, sizeof(b));
	b.x = x;
	b.g = &x->g;
	b.bo = bo;
	b.first = first;
	b.h = gen_hash(x->salt, bo->name, strlen(bo->name));
	b.wf_approval = first || b.h % 10 < 6;
	b.wf_notify = first || (b.h >> 4) % 10 < 4;
	b.mobile_grid = first || (b.h >> 8) % 10 < 5;
	find_roles(&b.r, bo);
	if (schema(&b) || workflows(&b) || screens(&b) || quick_actions(&b) ||
	    rules(&b) || views(&b) || extras(&b))
		return x->g.error;
	return 0;
}
