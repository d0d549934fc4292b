/*
 * The configuration of a generated tenant: metadata, pick lists and
 * settings (the generator's entry points are in generate.c, records in
 * generate_rec.c).
 *
 * First the core: workflow types, brandings, images, special parts, the
 * administrator role, the shared pick lists, settings of every type, and
 * the fifteen core business objects (Employee ... Knowledge) each with its
 * bundle; then modules: a business object named from a vocabulary (Fleet
 * + Inspection -> FleetInspection) with its own pick lists and the same
 * bundle, and a pair of roles for every eight modules.  A bundle is what a
 * business object brings in a real tenant: counter, forms, grids, layouts,
 * quick actions, rules, an override, triggers, pick-list definitions,
 * business rules, searches, chart/grid/view parts, a dashboard, workflows,
 * reports, sometimes an icon and a few settings: about forty objects.
 *
 * Invariant that lets a phase stop after any document: every document
 * refers only to documents written before it (lists before their
 * definitions and business objects, a business object before its forms,
 * forms and grids before layouts, workflows before triggers, parts before
 * the dashboard).  So any prefix of the output is consistent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenantfs/error.h"
#include "generate_int.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the core business objects -------------------------------------- */

#define TX(n, l, h)	{ n, 'T', l, NULL, h }
#define PK(n, l, list)	{ n, 'P', l, list, 0 }
#define LK(n, bo)	{ n, 'L', 0, bo, 0 }
#define IN(n, h)	{ n, 'I', 0, NULL, h }
#define NU(n)		{ n, 'N', 0, NULL, 0 }
#define MO(n)		{ n, 'M', 0, NULL, 0 }
#define DT(n)		{ n, 'D', 0, NULL, 0 }
#define DA(n)		{ n, 'd', 0, NULL, 0 }
#define BO_(n)		{ n, 'B', 0, NULL, 0 }

static const gen_bo core[GEN_NCORE] = {
	[GEN_EMPLOYEE] = { "Employee", "employee", "", "EmployeeStatus", "",
		NULL, GEN_EMPLOYEE, false, {
		TX("LoginID", 64, 'g'), TX("FirstName", 50, 'f'),
		TX("LastName", 50, 'l'), TX("DisplayName", 120, 'm'),
		TX("PrimaryEmail", 120, 'e'), TX("Phone", 40, 'p'),
		TX("Title", 100, 't'), PK("Status", 30, "EmployeeStatus"),
		TX("Department", 100, 'w'), TX("CostCenter", 20, 'c'),
		BO_("IsVIP"), DA("StartDate"), LK("OrgUnitLink", "OrgUnit"),
		LK("LocationLink", "Location"), LK("PrimaryTeam", "Team"),
		LK("ManagerLink", "Employee") } },
	[GEN_TEAM] = { "Team", "team", "", "", "", NULL, GEN_TEAM, false, {
		TX("TeamName", 100, 'k'), TX("Email", 120, 'e'),
		TX("Description", 4000, 'x'), BO_("IsActive"),
		LK("OrgUnitLink", "OrgUnit"), LK("TeamLead", "Employee") } },
	[GEN_ORGUNIT] = { "OrgUnit", "organizational unit", "", "", "", NULL,
		GEN_ORGUNIT, false, {
		TX("OrgUnitName", 100, 'k'), TX("Code", 20, 'c'),
		TX("CostCenter", 20, 'c'), PK("Country", 60, "Country"),
		LK("ParentLink", "OrgUnit"), LK("Manager", "Employee") } },
	[GEN_LOCATION] = { "Location", "location", "", "", "", NULL,
		GEN_LOCATION, false, {
		TX("LocationName", 100, 'k'), TX("Address", 255, 'a'),
		TX("City", 100, 'y'), PK("Country", 60, "Country"),
		PK("TimeZone", 60, "TimeZone"), TX("Building", 50, 'c') } },
	[GEN_CATEGORY] = { "Category", "category", "", "", "", NULL,
		GEN_CATEGORY, false, {
		TX("CategoryName", 100, 'k'), TX("Description", 4000, 'x'),
		BO_("IsActive"), LK("ParentLink", "Category"),
		LK("DefaultTeam", "Team") } },
	[GEN_VENDOR] = { "Vendor", "vendor", "", "", "", NULL, GEN_VENDOR,
		false, {
		TX("VendorName", 150, 'k'), TX("VendorNumber", 20, 'c'),
		TX("Email", 120, 'e'), TX("Phone", 40, 'p'),
		PK("Country", 60, "Country"), IN("Rating", 0),
		LK("AccountManager", "Employee") } },
	[GEN_CONTRACT] = { "Contract", "contract", "", "ContractStatus", "",
		"CTR", GEN_CONTRACT, false, {
		TX("ContractNumber", 30, 'k'), TX("Title", 200, 's'),
		PK("Status", 30, "ContractStatus"), DA("StartDate"),
		DA("EndDate"), MO("AnnualValue"), BO_("AutoRenew"),
		LK("VendorLink", "Vendor"), LK("Owner", "Employee") } },
	[GEN_INCIDENT] = { "Incident", "incident", "IncidentNumber", "Status",
		"", "INC", GEN_INCIDENT, false, {
		IN("IncidentNumber", 'n'), TX("Subject", 255, 's'),
		TX("Symptom", 32000, 'x'), PK("Status", 30, "Status"),
		PK("Priority", 10, "Priority"), PK("Urgency", 20, "Urgency"),
		PK("Impact", 20, "Impact"), PK("Category", 60, "Category"),
		PK("Source", 30, "Source"), LK("ProfileLink", "Employee"),
		LK("Owner", "Employee"), LK("OwnerTeam", "Team"),
		LK("LocationLink", "Location"), LK("CILink", "CI"),
		DT("ResolutionDeadline"), DT("ResolvedDateTime"),
		TX("Resolution", 4000, 'x'), BO_("IsVIP") } },
	[GEN_PROBLEM] = { "Problem", "problem", "ProblemNumber",
		"ProblemStatus", "", "PRB", GEN_PROBLEM, false, {
		IN("ProblemNumber", 'n'), TX("Subject", 255, 's'),
		TX("Description", 32000, 'x'),
		PK("Status", 30, "ProblemStatus"),
		PK("Priority", 10, "Priority"), PK("Category", 60, "Category"),
		LK("Owner", "Employee"), LK("OwnerTeam", "Team"),
		TX("RootCause", 4000, 'x'), TX("Workaround", 4000, 'x'),
		BO_("IsKnownError"), DT("ResolvedDateTime") } },
	[GEN_CHANGE] = { "Change", "change", "ChangeNumber", "ChangeStatus",
		"ChangeType", "CHG", GEN_CHANGE, false, {
		IN("ChangeNumber", 'n'), TX("Subject", 255, 's'),
		TX("Description", 32000, 'x'),
		PK("Status", 30, "ChangeStatus"),
		PK("TypeOfChange", 30, "ChangeType"),
		PK("Risk", 20, "RiskLevel"), PK("Priority", 10, "Priority"),
		LK("RequestedBy", "Employee"), LK("Owner", "Employee"),
		LK("OwnerTeam", "Team"), DT("ScheduledStartDate"),
		DT("ScheduledEndDate"), TX("BackoutPlan", 4000, 'x'),
		PK("CABApproval", 30, "ApprovalStatus") } },
	[GEN_SERVICEREQ] = { "ServiceReq", "service request",
		"ServiceReqNumber", "ServiceReqStatus", "", "SR",
		GEN_SERVICEREQ, false, {
		IN("ServiceReqNumber", 'n'), TX("Subject", 255, 's'),
		PK("Status", 30, "ServiceReqStatus"),
		PK("Approval", 30, "ApprovalStatus"),
		PK("Category", 60, "Category"), LK("ProfileLink", "Employee"),
		LK("Owner", "Employee"), LK("OwnerTeam", "Team"),
		DA("ExpectedDate"), MO("TotalCost"), IN("Quantity", 0) } },
	[GEN_TASK] = { "Task", "task", "AssignmentID", "TaskStatus",
		"TaskType", "TSK", GEN_TASK, false, {
		IN("AssignmentID", 'n'), TX("Subject", 255, 's'),
		PK("Status", 30, "TaskStatus"), PK("TaskType", 30, "TaskType"),
		TX("ParentObjectType", 50, 'o'), TX("ParentRecId", 32, 'i'),
		LK("Owner", "Employee"), LK("OwnerTeam", "Team"),
		DT("DueDate"), NU("PlannedEffort"), NU("ActualEffort") } },
	[GEN_JOURNAL] = { "Journal", "journal entry", "JournalNumber", "", "",
		"JRN", GEN_JOURNAL, false, {
		IN("JournalNumber", 'n'), TX("Subject", 255, 's'),
		TX("Body", 32000, 'x'), PK("Category", 40, "JournalCategory"),
		PK("Source", 30, "Source"), TX("ParentObjectType", 50, 'o'),
		TX("ParentRecId", 32, 'i'), BO_("IsPublic"),
		LK("Author", "Employee") } },
	[GEN_CI] = { "CI", "configuration item", "", "CIStatus", "CIType",
		"ASSET", GEN_CI, false, {
		TX("AssetTag", 30, 'k'), TX("CIName", 100, 'h'),
		PK("CIType", 40, "CIType"), PK("Status", 30, "CIStatus"),
		TX("SerialNumber", 60, 'c'), TX("Manufacturer", 60, 'v'),
		PK("OperatingSystem", 60, "OperatingSystem"),
		LK("Owner", "Employee"), LK("LocationLink", "Location"),
		LK("VendorLink", "Vendor"), DA("WarrantyExpiry") } },
	[GEN_KNOWLEDGE] = { "Knowledge", "knowledge article", "ArticleNumber",
		"KnowledgeStatus", "", "KB", GEN_KNOWLEDGE, false, {
		IN("ArticleNumber", 'n'), TX("Title", 255, 's'),
		TX("Body", 32000, 'x'), PK("Status", 30, "KnowledgeStatus"),
		PK("Category", 60, "Category"), LK("Author", "Employee"),
		IN("Views", 0), DA("PublishedDate") } },
};

const gen_bo *gen_core_bo(unsigned i)
{
	return i < GEN_NCORE ? &core[i] : NULL;
}

int gen_core_find(const char *name)
{
	unsigned i;

	for (i = 0; i < GEN_NCORE; i++)
		if (strcmp(core[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* ---- pick lists ------------------------------------------------------ */

typedef struct gen_list {
	const char *name, *bo, *description;
	const char *const *items;
} gen_list;

#define ITEMS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const gen_list lists[] = {
	{ "Status", "Incident", "Incident status", ITEMS("Logged", "Active",
	  "Waiting for Customer", "Waiting for 3rd Party", "Resolved",
	  "Closed") },
	{ "Priority", NULL, "1 critical to 5 planning",
	  ITEMS("1", "2", "3", "4", "5") },
	{ "Urgency", NULL, NULL, ITEMS("High", "Medium", "Low") },
	{ "Impact", NULL, NULL, ITEMS("High", "Medium", "Low") },
	{ "Category", "Category", "Service catalog categories",
	  ITEMS("Hardware", "Laptop", "Desktop", "Printer", "Software",
		"Email and Calendar", "Office Applications",
		"Business Application", "Network", "VPN", "Wi-Fi",
		"Telephony", "Access and Accounts", "Password Reset",
		"Security", "Server", "Database", "Facilities",
		"HR Services") },
	{ "Source", NULL, "How the request reached us", ITEMS("Phone", "Email",
	  "Self Service", "Walk-in", "Monitoring", "Chat") },
	{ "EmployeeStatus", "Employee", NULL, ITEMS("Active", "On Leave",
	  "Contractor", "Terminated") },
	{ "Country", NULL, NULL, ITEMS("United Kingdom", "United States",
	  "Germany", "France", "Netherlands", "Spain", "India", "Singapore",
	  "Australia", "Canada", "Brazil", "Japan") },
	{ "TimeZone", NULL, NULL, ITEMS("Europe/London", "Europe/Berlin",
	  "America/New_York", "America/Chicago", "America/Los_Angeles",
	  "Asia/Kolkata", "Asia/Singapore", "Australia/Sydney") },
	{ "ContractStatus", "Contract", NULL, ITEMS("Draft", "Active",
	  "Expiring", "Expired", "Terminated") },
	{ "ProblemStatus", "Problem", NULL, ITEMS("Logged", "Investigation",
	  "Known Error", "Resolved", "Closed") },
	{ "ChangeStatus", "Change", NULL, ITEMS("Requested", "Assessment",
	  "Pending Approval", "Scheduled", "Implementing", "Completed",
	  "Cancelled") },
	{ "ChangeType", "Change", NULL, ITEMS("Standard", "Normal",
	  "Emergency") },
	{ "RiskLevel", NULL, NULL, ITEMS("Low", "Medium", "High",
	  "Very High") },
	{ "ServiceReqStatus", "ServiceReq", NULL, ITEMS("Submitted",
	  "Pending Approval", "Fulfilling", "Fulfilled", "Cancelled",
	  "Closed") },
	{ "ApprovalStatus", NULL, NULL, ITEMS("Not Required", "Pending",
	  "Approved", "Rejected") },
	{ "TaskStatus", "Task", NULL, ITEMS("Logged", "Assigned",
	  "In Progress", "Completed", "Cancelled") },
	{ "TaskType", "Task", NULL, ITEMS("Assignment", "Approval", "Review",
	  "Deployment", "Procurement") },
	{ "JournalCategory", "Journal", NULL, ITEMS("Note", "Email",
	  "Phone Call", "Resolution Note", "Work Note") },
	{ "CIType", "CI", NULL, ITEMS("Workstation", "Laptop", "Server",
	  "Network Device", "Printer", "Mobile Device", "Virtual Machine",
	  "Database Instance") },
	{ "CIStatus", "CI", NULL, ITEMS("Ordered", "In Stock", "Deployed",
	  "In Repair", "Retired") },
	{ "OperatingSystem", NULL, NULL, ITEMS("Windows 11",
	  "Windows Server 2022", "Ubuntu 22.04", "Red Hat Enterprise Linux 9",
	  "macOS 14", "iOS 17", "Android 14") },
	{ "KnowledgeStatus", "Knowledge", NULL, ITEMS("Draft", "In Review",
	  "Published", "Expired") },
};

/* The items of core list `name` (records pick their values here). */
const char *const *gen_list_items(const char *name, unsigned *n)
{
	unsigned i, k;

	for (i = 0; i < N(lists); i++) {
		if (strcmp(lists[i].name, name) != 0)
			continue;
		for (k = 0; lists[i].items[k]; k++)
			;
		*n = k;
		return lists[i].items;
	}
	*n = 0;
	return NULL;
}

static int list_doc(gen *x, const char *name, const char *bo,
		    const char *description, const char *const *items,
		    unsigned n)
{
	demo_gen *g = &x->g;
	unsigned i;

	gen_begin(x, TFS_KIND_VALIDATION, "", "ValidationList", name, NULL);
	if (bo)
		demo_attr(g, "businessObject", bo);
	if (description)
		demo_attr(g, "description", description);
	for (i = 0; i < n; i++) {
		demo_el(g, "Item");
		demo_attr(g, "value", items[i]);
		demo_attr(g, "display", items[i]);
		demo_attr_int(g, "order", 10 * (i + 1));
		/* production retired one value of a differing list */
		if (x->cur_differs && i == n - 1 && n > 2)
			demo_attr_bool(g, "active", false);
		demo_end(g);
	}
	return gen_finish_config(x);
}

static int list_definition(gen *x, const char *name, const char *list,
			   const char *bo, const char *field)
{
	demo_gen *g = &x->g;

	gen_begin(x, TFS_KIND_METADATA, "ValidationListDefinition",
		  "ValidationListDefinition", name, bo);
	demo_attr(g, "list", list);
	demo_attr(g, "valueField", field ? field : "Value");
	demo_attrf(g, "description", "Values offered for %s%s",
		   field ? field : list,
		   x->cur_differs ? " (sorted by usage)" : "");
	return gen_finish_config(x);
}

/* ---- the bundle of one business object -------------------------------- */

static const gen_field system_fields[] = {
	TX("RecId", 32, 0), DT("CreatedDateTime"), TX("CreatedBy", 100, 0),
	DT("LastModDateTime"), TX("LastModBy", 100, 0),
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
	snprintf(out, 160, "%s.%s", bo->name, sfx);
	return out;
}

/* dotted() for a name that is not a business object's. */
static const char *dotted_s(char out[160], const char *a, const char *b)
{
	snprintf(out, 160, "%s.%s", a, b);
	return out;
}

static void describe(gen *x, const char *fmt, const char *what)
{
	demo_attrf(&x->g, "description", fmt, what);
	if (x->cur_differs)
		demo_attr(&x->g, "changeRequest", "CR-PRD-hotfix");
}

static void attr_field(demo_gen *g, const gen_field *f)
{
	char kind[16];

	demo_el(g, "Field");
	demo_attr(g, "name", f->name);
	switch (f->type) {
	case 'T': case 'P': snprintf(kind, sizeof(kind), "Text"); break;
	case 'L': snprintf(kind, sizeof(kind), "Link"); break;
	case 'I': snprintf(kind, sizeof(kind), "Integer"); break;
	case 'N': snprintf(kind, sizeof(kind), "Number"); break;
	case 'M': snprintf(kind, sizeof(kind), "Money"); break;
	case 'D': snprintf(kind, sizeof(kind), "DateTime"); break;
	case 'd': snprintf(kind, sizeof(kind), "Date"); break;
	case 'B': snprintf(kind, sizeof(kind), "Boolean"); break;
	default: snprintf(kind, sizeof(kind), "Guid"); break;
	}
	demo_attr(g, "type", kind);
	if (f->type == 'T' || f->type == 'P')
		demo_attr_int(g, "length", f->len);
	if (f->type == 'N' || f->type == 'M')
		demo_attr_int(g, "precision", 2);
	demo_attr_bool(g, "nullable", f->hint != 'n' && f->hint != 'k');
	demo_attr_bool(g, "unique", f->hint == 'n' || f->hint == 'k');
	demo_attr_bool(g, "indexed", f->hint == 'n' || f->hint == 'k' ||
		       f->type == 'P' || f->type == 'L');
	if (f->type == 'P')
		demo_attr(g, "validationList", f->ref);
	if (f->type == 'L')
		demo_attr(g, "linkTo", f->ref);
	demo_end(g);
}

static int bo_doc(gen *x, const gen_bo *bo, const bo_roles *r)
{
	demo_gen *g = &x->g;
	unsigned i, n = nfields(bo);

	gen_begin(x, TFS_KIND_METADATA, "BusinessObject", "BusinessObject",
		  bo->name, NULL);
	demo_attrf(g, "table", "%s%s", bo->core >= 0 ? "" : "Cust_",
		   bo->name);
	demo_attr_bool(g, "audit", r->status != NULL);
	describe(x, "The %s records of the tenant", bo->noun);
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
		demo_el(g, "Relationship");
		demo_attrf(g, "name", "%sAssociatedEmployee", bo->name);
		demo_attr(g, "target", "Employee");
		demo_attr(g, "cardinality", "ManyToMany");
		demo_end(g);
	}
	if (bo->core < 0 || bo->core >= GEN_FIRST_DATA) {
		demo_el(g, "Relationship");
		demo_attrf(g, "name", "%sAssociatedJournal", bo->name);
		demo_attr(g, "target", "Journal");
		demo_attr(g, "cardinality", "OneToMany");
		demo_end(g);
	}
	return gen_finish_config(x);
}

static void fieldref(demo_gen *g, const gen_field *f)
{
	if (f)
		demo_ref(g, "FieldRef", f->name);
}

/* A form: the header fields, then sections by kind of field. */
static int form_doc(gen *x, const gen_bo *bo, const bo_roles *r,
		    const char *sfx, unsigned maxfields)
{
	static const struct {
		const char *name, *types;
	} sections[] = {
		{ "Details", "TG" }, { "Classification", "P" },
		{ "Assignment", "L" }, { "Dates", "Dd" }, { "Other", "INMB" },
	};
	demo_gen *g = &x->g;
	char name[160];
	unsigned i, s, n = nfields(bo), used = 0;

	gen_begin(x, TFS_KIND_METADATA, "Form", "Form", dotted(name, bo, sfx),
		  bo->name);
	demo_attrf(g, "caption", "%s%s%s", bo->noun,
		   strcmp(sfx, "Default") ? " - " : "",
		   strcmp(sfx, "Default") ? sfx : "");
	if (x->cur_differs)
		demo_attr(g, "description", "Reordered for the service desk");
	fieldref(g, r->number);
	fieldref(g, r->title);
	fieldref(g, r->status);
	for (s = 0; s < N(sections) && used < maxfields; s++) {
		bool open = false;

		for (i = 0; i < n && used < maxfields; i++) {
			const gen_field *f = &bo->fields[i];

			if (f == r->number || f == r->title ||
			    f == r->status || !strchr(sections[s].types,
						      f->type))
				continue;
			if (!open) {
				demo_el(g, "Section");
				demo_attr(g, "name", sections[s].name);
				open = true;
			}
			fieldref(g, f);
			used++;
		}
		if (open)
			demo_end(g);
	}
	return gen_finish_config(x);
}

static void column(demo_gen *g, const gen_field *f, int width)
{
	if (!f)
		return;
	demo_el(g, "Column");
	demo_attr(g, "field", f->name);
	demo_attr_int(g, "width", width);
	demo_end(g);
}

static int grid_doc(gen *x, const gen_bo *bo, const bo_roles *r,
		    const char *sfx, bool wide)
{
	demo_gen *g = &x->g;
	char name[160];
	const gen_field created = DT("CreatedDateTime");

	gen_begin(x, TFS_KIND_METADATA, "Grid", "Grid", dotted(name, bo, sfx),
		  bo->name);
	if (x->cur_differs)
		demo_attr(g, "description", "Wider subject column");
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
	column(g, &created, 130);
	return gen_finish_config(x);
}

static int workflow_doc(gen *x, const gen_bo *bo, const char *sfx,
			const char *wftype, const char *const *steps)
{
	demo_gen *g = &x->g;
	char name[160];
	unsigned i;

	gen_begin(x, TFS_KIND_METADATA, "Workflow", "Workflow",
		  dotted(name, bo, sfx), bo->name);
	demo_attr(g, "workflowType", wftype);
	describe(x, "%s process", sfx);
	demo_el(g, "Step");
	demo_attr(g, "name", "Start");
	demo_attr(g, "kind", "Start");
	demo_end(g);
	for (i = 0; steps[i]; i++) {
		demo_el(g, "Step");
		demo_attr(g, "name", steps[i]);
		demo_attr(g, "kind", i % 2 ? "Update" : "Email");
		demo_end(g);
	}
	demo_el(g, "Step");
	demo_attr(g, "name", "End");
	demo_attr(g, "kind", "End");
	demo_end(g);
	for (i = 0; i == 0 || steps[i - 1]; i++) {
		demo_el(g, "Transition");
		demo_attr(g, "from", i == 0 ? "Start" : steps[i - 1]);
		demo_attr(g, "to", steps[i] ? steps[i] : "End");
		demo_end(g);
	}
	return gen_finish_config(x);
}

static void param(demo_gen *g, const char *name, const char *value)
{
	demo_el(g, "Param");
	demo_attr(g, "name", name);
	demo_attr(g, "value", value);
	demo_end(g);
}

static void expression(gen *x, const char *fmt, const char *a,
		       const char *b)
{
	char text[400], full[440];

	snprintf(text, sizeof(text), fmt, a, b);
	/* production skips the rule for imported records */
	snprintf(full, sizeof(full), x->cur_differs ? "!IsImport && (%s)" :
		 "%s", text);
	demo_text(&x->g, "Expression", full);
}

static int search_doc(gen *x, const gen_bo *bo, const char *sfx,
		      const gen_field *f, const char *op, const char *value,
		      const gen_field *sort)
{
	demo_gen *g = &x->g;
	char name[160];

	gen_begin(x, TFS_KIND_METADATA, "Search", "Search",
		  dotted(name, bo, sfx), bo->name);
	describe(x, "Saved search: %s", sfx);
	if (f) {
		demo_el(g, "Criterion");
		demo_attr(g, "field", f->name);
		demo_attr(g, "op", op);
		if (value)
			demo_attr(g, "value", x->cur_differs &&
				  strcmp(op, "eq") == 0 ? "1" : value);
		demo_end(g);
	}
	if (sort) {
		demo_el(g, "Sort");
		demo_attr(g, "field", sort->name);
		demo_attr(g, "direction", "desc");
		demo_end(g);
	}
	return gen_finish_config(x);
}

static int chart_doc(gen *x, const gen_bo *bo, const char *sfx,
		     const char *chart, const gen_field *group)
{
	demo_gen *g = &x->g;
	char name[160];

	gen_begin(x, TFS_KIND_METADATA, "ChartPart", "ChartPart",
		  dotted(name, bo, sfx), bo->name);
	demo_attr(g, "chartType", x->cur_differs ? "Column" : chart);
	if (group)
		demo_attr(g, "groupBy", group->name);
	describe(x, "Chart of %s", bo->noun);
	return gen_finish_config(x);
}

static void partref(demo_gen *g, const char *type, const char *name)
{
	demo_el(g, "PartRef");
	demo_attr(g, "type", type);
	demo_attr(g, "name", name);
	demo_end(g);
}

/* A small square icon as SVG, drawn from the name. */
static void icon_data(gen *x, const char *name)
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
	demo_text_base64(&x->g, "Data", svg, (size_t)n);
}

/*
 * Everything a business object brings, in an order where each document
 * refers only to earlier ones.  `first` forces the optional types, so that
 * the core holds every metadata type.
 */
static int bundle(gen *x, const gen_bo *bo, bool first)
{
	static const char *const lifecycle[] = {
		"Triage", "Assign", "Work", "Review", NULL };
	static const char *const approval[] = {
		"RequestApproval", "RecordDecision", NULL };
	static const char *const notify[] = {
		"NotifyRequester", "NotifyTeam", NULL };
	static const char *const extra_forms[] = {
		"Mobile", "SelfService", "New", "Approval", "Admin", "Print" };
	demo_gen *g = &x->g;
	bo_roles r;
	char name[160], ref[160];
	bool has_form[N(extra_forms)] = { false };
	bool wf_approval, wf_notify, mobile_grid, rule_override;
	unsigned i, nforms;
	uint64_t h = gen_hash(x->salt, bo->name, strlen(bo->name));

	find_roles(&r, bo);
	wf_approval = first || h % 10 < 6;
	wf_notify = first || (h >> 4) % 10 < 4;
	mobile_grid = first || (h >> 8) % 10 < 5;
	rule_override = first || (h >> 12) % 10 < 3;
	nforms = 1 + (unsigned)((h >> 16) % 4);

	if (bo->own_lists) {
		static const char *const states[] = { "New", "Submitted",
			"In Progress", "On Hold", "Completed", "Cancelled",
			"Closed" };
		static const char *const kinds[] = { "Standard", "Urgent",
			"Internal", "External", "Planned", "Unplanned",
			"Routine", "Recurring", "One-off", "Major", "Minor",
			"Regulatory" };
		unsigned nk = 3 + (unsigned)((h >> 20) % 6);

		if (list_doc(x, bo->status_list, bo->name, NULL, states,
			     N(states)) ||
		    list_doc(x, bo->type_list, bo->name, NULL,
			     kinds + (h >> 24) % (N(kinds) - nk + 1), nk))
			return g->error;
	}
	if (bo->own_lists || bo->core >= 0) {
		if (bo->status_list[0] && r.status &&
		    list_definition(x, bo->own_lists ? bo->status_list :
				    dotted(name, bo, "Status"),
				    bo->status_list, bo->name, "Status"))
			return g->error;
		if (bo->type_list[0] && r.kind &&
		    list_definition(x, bo->own_lists ? bo->type_list :
				    dotted(name, bo, r.kind->name),
				    bo->type_list, bo->name, r.kind->name))
			return g->error;
	}
	if (bo_doc(x, bo, &r))
		return g->error;

	if (r.number) {
		gen_begin(x, TFS_KIND_METADATA, "Counter", "Counter",
			  dotted(name, bo, r.number->name), bo->name);
		demo_attrf(g, "prefix", "%s-", bo->prefix ? bo->prefix : "N");
		demo_attr_int(g, "start", x->cur_differs ? 500001 : 100001);
		demo_attr_int(g, "step", 1);
		if (gen_finish_config(x))
			return g->error;
	}

	if (workflow_doc(x, bo, "Lifecycle", "Lifecycle", lifecycle) ||
	    (wf_approval &&
	     workflow_doc(x, bo, "Approval", "Approval", approval)) ||
	    (wf_notify &&
	     workflow_doc(x, bo, "Notification", "Notification", notify)))
		return g->error;

	if (form_doc(x, bo, &r, "Default", 40))
		return g->error;
	for (i = 0; i < nforms - 1; i++) {
		unsigned k = (unsigned)((h >> (28 + 3 * i)) % N(extra_forms));

		if (first)
			k = i;
		if (has_form[k])
			continue;
		has_form[k] = true;
		if (form_doc(x, bo, &r, extra_forms[k], k == 0 ? 4 : 8 + k))
			return g->error;
	}
	if (first && !has_form[0]) {
		has_form[0] = true;
		if (form_doc(x, bo, &r, "Mobile", 4))
			return g->error;
	}
	if (grid_doc(x, bo, &r, "List", true) ||
	    (mobile_grid && grid_doc(x, bo, &r, "Mobile", false)))
		return g->error;

	gen_begin(x, TFS_KIND_METADATA, "Layout", "Layout",
		  dotted(name, bo, "Default"), bo->name);
	demo_ref(g, "FormRef", dotted(ref, bo, "Default"));
	demo_ref(g, "GridRef", dotted(ref, bo, "List"));
	if (has_form[3])
		demo_ref(g, "FormRef", dotted(ref, bo, "Approval"));
	if (x->cur_differs && has_form[4])
		demo_ref(g, "FormRef", dotted(ref, bo, "Admin"));
	if (gen_finish_config(x))
		return g->error;
	if (has_form[0] && mobile_grid) {
		gen_begin(x, TFS_KIND_METADATA, "Layout", "Layout",
			  dotted(name, bo, "Mobile"), bo->name);
		demo_ref(g, "FormRef", dotted(ref, bo, "Mobile"));
		demo_ref(g, "GridRef", dotted(ref, bo, "Mobile"));
		if (gen_finish_config(x))
			return g->error;
	}
	if (has_form[1]) {
		gen_begin(x, TFS_KIND_METADATA, "Layout", "Layout",
			  dotted(name, bo, "SelfService"), bo->name);
		demo_ref(g, "FormRef", dotted(ref, bo, "SelfService"));
		if (gen_finish_config(x))
			return g->error;
	}

	/* quick actions */
	if (r.owner) {
		gen_begin(x, TFS_KIND_METADATA, "QuickAction", "QuickAction",
			  dotted(name, bo, "TakeOwnership"), bo->name);
		demo_attr(g, "action", "UpdateObject");
		param(g, r.owner->name, "$(CurrentLoginId())");
		if (r.status)
			param(g, "Status", x->cur_differs ? "Assigned" :
			      "In Progress");
		if (gen_finish_config(x))
			return g->error;
	}
	if (r.status) {
		gen_begin(x, TFS_KIND_METADATA, "QuickAction", "QuickAction",
			  dotted(name, bo, "Close"), bo->name);
		demo_attr(g, "action", "UpdateObject");
		param(g, "Status", "Closed");
		if (x->cur_differs)
			param(g, "LastModBy", "$(CurrentLoginId())");
		if (gen_finish_config(x))
			return g->error;
	}
	if (wf_approval) {
		gen_begin(x, TFS_KIND_METADATA, "QuickAction", "QuickAction",
			  dotted(name, bo, "SubmitForApproval"), bo->name);
		demo_attr(g, "action", "RunWorkflow");
		describe(x, "Starts the %s approval", bo->noun);
		demo_ref(g, "WorkflowRef", dotted(ref, bo, "Approval"));
		if (gen_finish_config(x))
			return g->error;
	}
	if (first || h % 2) {
		gen_begin(x, TFS_KIND_METADATA, "QuickAction", "QuickAction",
			  dotted(name, bo, "EmailOwner"), bo->name);
		demo_attr(g, "action", "SendEmail");
		param(g, "template", x->cur_differs ? "OwnerNoticeV2" :
		      "OwnerNotice");
		if (gen_finish_config(x))
			return g->error;
	}

	/* rules */
	gen_begin(x, TFS_KIND_METADATA, "Rule", "Rule",
		  dotted(name, bo, "DefaultValues"), bo->name);
	demo_attr(g, "event", "Load");
	expression(x, "%s = $(IsNull(%s, \"New\"))",
		   r.status ? "Status" : r.title->name,
		   r.status ? "Status" : r.title->name);
	if (gen_finish_config(x))
		return g->error;
	if (r.owner) {
		gen_begin(x, TFS_KIND_METADATA, "Rule", "Rule",
			  dotted(name, bo, "RequireOwner"), bo->name);
		demo_attr(g, "event", "Save");
		expression(x, "!IsEmpty(%s)%s", r.owner->name,
			   r.status ? " || Status == \"New\"" : "");
		if (gen_finish_config(x))
			return g->error;
	}
	if (r.date) {
		gen_begin(x, TFS_KIND_METADATA, "Rule", "Rule",
			  dotted(name, bo, "DefaultDate"), bo->name);
		demo_attr(g, "event", "Change");
		expression(x, "%s = $(AddDays(CurrentDateTime(), %s))",
			   r.date->name, "5");
		if (gen_finish_config(x))
			return g->error;
	}
	if (rule_override) {
		gen_begin(x, TFS_KIND_METADATA, "RuleOverride", "RuleOverride",
			  dotted(name, bo, "DefaultValues.Imported"),
			  bo->name);
		demo_attr(g, "rule", dotted(ref, bo, "DefaultValues"));
		describe(x, "Imported %s records keep their values", bo->noun);
		demo_text(g, "Expression", "IsImport");
		if (gen_finish_config(x))
			return g->error;
	}

	/* triggers */
	gen_begin(x, TFS_KIND_METADATA, "Trigger", "Trigger",
		  dotted(name, bo, "OnCreate"), bo->name);
	demo_attr(g, "event", "Insert");
	demo_ref(g, "WorkflowRef", dotted(ref, bo, "Lifecycle"));
	if (x->cur_differs)
		demo_text(g, "Condition", "!IsImport");
	if (gen_finish_config(x))
		return g->error;
	if (wf_notify && r.status) {
		gen_begin(x, TFS_KIND_METADATA, "Trigger", "Trigger",
			  dotted(name, bo, "OnStatusChange"), bo->name);
		demo_attr(g, "event", "Update");
		demo_ref(g, "WorkflowRef", dotted(ref, bo, "Notification"));
		demo_text(g, "Condition", x->cur_differs ?
			  "Status != Previous(Status) && Status == \"Closed\"" :
			  "Status != Previous(Status)");
		if (gen_finish_config(x))
			return g->error;
	}

	/* business rules */
	gen_begin(x, TFS_KIND_METADATA, "BusinessRule", "BusinessRule",
		  dotted(name, bo, "Validate"), bo->name);
	demo_attr(g, "kind", "Validation");
	expression(x, "Len(%s) > %s", r.title->name,
		   x->cur_differs ? "5" : "3");
	if (gen_finish_config(x))
		return g->error;
	if (first || h % 3 == 0) {
		gen_begin(x, TFS_KIND_METADATA, "BusinessRule",
			  "BusinessRule", dotted(name, bo, "CalculateAge"),
			  bo->name);
		demo_attr(g, "kind", "Calculation");
		expression(x, "DateDiff(\"d\", %s, CurrentDateTime())%s",
			   "CreatedDateTime", "");
		if (gen_finish_config(x))
			return g->error;
	}

	/* searches */
	if (search_doc(x, bo, "All", NULL, NULL, NULL, r.number) ||
	    (r.owner && search_doc(x, bo, "MyOpen", r.owner, "eq",
				   "$(CurrentLoginId())", r.number)) ||
	    (r.owner && search_doc(x, bo, "Unassigned", r.owner, "isnull",
				   NULL, r.number)) ||
	    (r.status && search_doc(x, bo, "RecentlyClosed", r.status,
				    "eq", "Closed", r.number)) ||
	    (r.priority && search_doc(x, bo, "HighPriority", r.priority,
				      "le", "2", r.date)))
		return g->error;

	/* parts and the dashboard */
	if (chart_doc(x, bo, "ByStatus", "Pie", r.status ? r.status :
		      r.title) ||
	    (r.kind && chart_doc(x, bo, "ByType", "Bar", r.kind)) ||
	    (r.priority && chart_doc(x, bo, "ByPriority", "Column",
				     r.priority)))
		return g->error;
	gen_begin(x, TFS_KIND_METADATA, "GridPart", "GridPart",
		  dotted(name, bo, "Recent"), bo->name);
	demo_attr(g, "grid", dotted(ref, bo, "List"));
	describe(x, "Latest %s records", bo->noun);
	if (gen_finish_config(x))
		return g->error;
	gen_begin(x, TFS_KIND_METADATA, "ViewPart", "ViewPart",
		  dotted(name, bo, r.owner ? "MyOpen" : "All"), bo->name);
	demo_attr(g, "search", dotted(ref, bo, r.owner ? "MyOpen" : "All"));
	if (gen_finish_config(x))
		return g->error;
	gen_begin(x, TFS_KIND_METADATA, "Dashboard", "Dashboard",
		  dotted(name, bo, "Overview"), NULL);
	demo_attr_int(g, "columns", x->cur_differs ? 3 : 2);
	describe(x, "Work overview: %s", bo->noun);
	partref(g, "ChartPart", dotted(ref, bo, "ByStatus"));
	if (r.kind)
		partref(g, "ChartPart", dotted(ref, bo, "ByType"));
	if (r.priority)
		partref(g, "ChartPart", dotted(ref, bo, "ByPriority"));
	partref(g, "GridPart", dotted(ref, bo, "Recent"));
	partref(g, "ViewPart", dotted(ref, bo, r.owner ? "MyOpen" : "All"));
	if (first || h % 4 == 1)
		partref(g, "SpecialPart", "Home.Announcements");
	if (gen_finish_config(x))
		return g->error;

	/* reports */
	gen_begin(x, TFS_KIND_METADATA, "Report", "Report",
		  dotted(name, bo, "Summary"), bo->name);
	demo_attr(g, "format", x->cur_differs ? "Excel" : "Pdf");
	describe(x, "Monthly summary of %s records", bo->noun);
	demo_el(g, "Parameter");
	demo_attr(g, "name", "From");
	demo_attr(g, "type", "Date");
	demo_end(g);
	demo_el(g, "Parameter");
	demo_attr(g, "name", "To");
	demo_attr(g, "type", "Date");
	demo_end(g);
	if (gen_finish_config(x))
		return g->error;
	if (r.status && (first || h % 2 == 0)) {
		gen_begin(x, TFS_KIND_METADATA, "Report", "Report",
			  dotted(name, bo, "Aging"), bo->name);
		demo_attr(g, "format", "Excel");
		demo_el(g, "Parameter");
		demo_attr(g, "name", "OlderThanDays");
		demo_attr(g, "type", "Integer");
		demo_end(g);
		if (gen_finish_config(x))
			return g->error;
	}

	/* an icon for some, and the settings that name the object */
	if (first || h % 4 == 2) {
		gen_begin(x, TFS_KIND_METADATA, "Image", "Image",
			  dotted_s(name, "Icon", bo->name), NULL);
		demo_attr(g, "mimeType", "image/svg+xml");
		icon_data(x, bo->name);
		if (gen_finish_config(x))
			return g->error;
	}
	if (r.status && (first || h % 10 < 3)) {
		gen_begin(x, TFS_KIND_SETTINGS, "WatchListItem",
			  "WatchListItem", bo->name, NULL);
		demo_attr(g, "businessObject", bo->name);
		demo_attr_bool(g, "enabled", true);
		demo_attr(g, "notifyOn", x->cur_differs ? "Status,Owner" :
			  "Status");
		if (gen_finish_config(x))
			return g->error;
	}
	if (r.date && (first || h % 10 == 5)) {
		gen_begin(x, TFS_KIND_SETTINGS, "DynamicStyle", "DynamicStyle",
			  dotted(name, bo, "Overdue"), NULL);
		demo_attr(g, "businessObject", bo->name);
		demo_attrf(g, "condition", "%s < $(CurrentDateTime())",
			   r.date->name);
		demo_el(g, "Style");
		demo_attr(g, "property", "color");
		demo_attr(g, "value", x->cur_differs ? "#c62828" : "#b71c1c");
		demo_end(g);
		if (gen_finish_config(x))
			return g->error;
	}
	return 0;
}

/* ---- the globals -------------------------------------------------------- */

static int globals(gen *x)
{
	static const char *const wftypes[][2] = {
		{ "Approval", "Governance" }, { "Escalation", "Service" },
		{ "Fulfillment", "Service" }, { "Lifecycle", "Records" },
		{ "Notification", "Communication" },
		{ "Scheduled", "Automation" },
	};
	static const char *const brandings[][4] = {
		{ "Default", "Light", "#1565c0", "#ffffff" },
		{ "HighContrast", "Dark", "#ffeb3b", "#000000" },
		{ "SelfService", "Light", "#2e7d32", "#fafafa" },
	};
	static const char *const specials[][3] = {
		{ "Home.Announcements", "Html",
		  "<p>Planned maintenance on Saturday night.</p>" },
		{ "Home.News", "Rss", "https://intranet.example/news.rss" },
		{ "Home.Calendar", "Calendar", NULL },
	};
	static const char *const images[] = {
		"CompanyLogo", "Favicon", "SelfServiceBanner" };
	demo_gen *g = &x->g;
	unsigned i;

	for (i = 0; i < N(wftypes); i++) {
		gen_begin(x, TFS_KIND_METADATA, "WorkflowType",
			  "WorkflowType", wftypes[i][0], NULL);
		demo_attr(g, "category", wftypes[i][1]);
		if (gen_finish_config(x))
			return g->error;
	}
	for (i = 0; i < N(brandings); i++) {
		gen_begin(x, TFS_KIND_METADATA, "Branding", "Branding",
			  brandings[i][0], NULL);
		demo_attr(g, "logo", "CompanyLogo");
		demo_attr(g, "theme", brandings[i][1]);
		demo_el(g, "Color");
		demo_attr(g, "name", "primary");
		demo_attr(g, "value", x->cur_differs ? "#0d47a1" :
			  brandings[i][2]);
		demo_end(g);
		demo_el(g, "Color");
		demo_attr(g, "name", "background");
		demo_attr(g, "value", brandings[i][3]);
		demo_end(g);
		if (gen_finish_config(x))
			return g->error;
	}
	for (i = 0; i < N(images); i++) {
		gen_begin(x, TFS_KIND_METADATA, "Image", "Image", images[i],
			  NULL);
		demo_attr(g, "mimeType", "image/svg+xml");
		icon_data(x, images[i]);
		if (gen_finish_config(x))
			return g->error;
	}
	for (i = 0; i < N(specials); i++) {
		gen_begin(x, TFS_KIND_METADATA, "SpecialPart", "SpecialPart",
			  specials[i][0], NULL);
		demo_attr(g, "kind", specials[i][1]);
		if (specials[i][2])
			demo_text(g, "Content", specials[i][2]);
		if (gen_finish_config(x))
			return g->error;
	}
	gen_begin(x, TFS_KIND_METADATA, "Role", "Role", "Administrator", NULL);
	demo_attr_bool(g, "admin", true);
	describe(x, "%s: full access to everything", "Tenant administrators");
	if (gen_finish_config(x))
		return g->error;
	for (i = 0; i < N(lists); i++) {
		unsigned n;
		const char *const *items = gen_list_items(lists[i].name, &n);

		if (list_doc(x, lists[i].name, lists[i].bo,
			     lists[i].description, items, n) ||
		    list_definition(x, lists[i].name, lists[i].name,
				    lists[i].bo, NULL))
			return g->error;
	}
	return 0;
}

/* Settings of every type: what a tenant of this size has configured. */
static int settings(gen *x)
{
	static const char *const constants[][2] = {
		{ "CompanyName", "Example Holdings" },
		{ "ServiceDeskPhone", "+44 20 7946 0000" },
		{ "ServiceDeskEmail", "servicedesk@example.com" },
		{ "DefaultTimeZone", "Europe/London" },
		{ "AutoCloseDays", "5" }, { "SLAWarningPercent", "75" },
	};
	demo_gen *g = &x->g;
	unsigned i;

	gen_begin(x, TFS_KIND_SETTINGS, "AllowedAttachments",
		  "AllowedAttachments", "Default", NULL);
	demo_attr_int(g, "maxSizeKB", x->cur_differs ? 51200 : 25600);
	demo_attr(g, "extensions", "pdf,docx,xlsx,pptx,txt,csv,png,jpg,zip");
	if (gen_finish_config(x))
		return g->error;
	gen_begin(x, TFS_KIND_SETTINGS, "AuthenticationProvider",
		  "AuthenticationProvider", "Internal", NULL);
	demo_attr(g, "kind", "Internal");
	demo_attr_bool(g, "enabled", true);
	if (gen_finish_config(x))
		return g->error;
	gen_begin(x, TFS_KIND_SETTINGS, "AuthenticationProvider",
		  "AuthenticationProvider", "CorporateSSO", NULL);
	demo_attr(g, "kind", "SAML");
	demo_attr(g, "entityId", "https://itsm.example.com/sso/saml");
	demo_attr(g, "clientSecret", "gen-sso-4Jv8qW2n");
	if (gen_finish_config(x))
		return g->error;
	gen_begin(x, TFS_KIND_SETTINGS, "BulkUploadProfile",
		  "BulkUploadProfile", "EmployeeImport", NULL);
	demo_attr(g, "businessObject", "Employee");
	demo_attr(g, "format", "csv");
	demo_attr(g, "matchField", "LoginID");
	if (gen_finish_config(x))
		return g->error;
	gen_begin(x, TFS_KIND_SETTINGS, "DynamicStyle", "DynamicStyle",
		  "Incident.Critical", NULL);
	demo_attr(g, "businessObject", "Incident");
	demo_attr(g, "condition", "Priority == \"1\"");
	if (gen_finish_config(x))
		return g->error;
	for (i = 0; i < N(constants); i++) {
		gen_begin(x, TFS_KIND_SETTINGS, "GlobalConstant",
			  "GlobalConstant", constants[i][0], NULL);
		demo_attr(g, "value", constants[i][1]);
		if (gen_finish_config(x))
			return g->error;
	}
	gen_begin(x, TFS_KIND_SETTINGS, "IntegrationSetting",
		  "IntegrationSetting", "MonitoringWebhook", NULL);
	demo_attr(g, "endpoint", "https://monitor.example.com/api/v2");
	demo_attr(g, "apiKey", "gen-mon-71c2a9e4");
	demo_attr(g, "businessObject", "Incident");
	if (gen_finish_config(x))
		return g->error;
	gen_begin(x, TFS_KIND_SETTINGS, "LdapConfiguration",
		  "LdapConfiguration", "CorporateAD", NULL);
	demo_attr(g, "host", "ldap.example.com");
	demo_attr_int(g, "port", 636);
	demo_attr(g, "bindDn", "CN=svc-itsm,OU=Service,DC=example,DC=com");
	demo_attr(g, "bindPassword", "gen-Ldap-9tR4");
	demo_attr(g, "businessObject", "Employee");
	if (gen_finish_config(x))
		return g->error;
	gen_begin(x, TFS_KIND_SETTINGS, "ObjectMatchingList",
		  "ObjectMatchingList", "Employee.ByEmail", NULL);
	demo_attr(g, "businessObject", "Employee");
	demo_el(g, "Match");
	demo_attr(g, "field", "PrimaryEmail");
	demo_end(g);
	if (gen_finish_config(x))
		return g->error;
	gen_begin(x, TFS_KIND_SETTINGS, "PasswordPolicy", "PasswordPolicy",
		  "Default", NULL);
	demo_attr_int(g, "minLength", x->cur_differs ? 14 : 12);
	demo_attr_int(g, "maxAgeDays", 90);
	if (gen_finish_config(x))
		return g->error;
	gen_begin(x, TFS_KIND_SETTINGS, "VoiceIntegration", "VoiceIntegration",
		  "ContactCenter", NULL);
	demo_attr(g, "provider", "GenericCTI");
	demo_attr(g, "host", "cti.example.com");
	if (gen_finish_config(x))
		return g->error;
	gen_begin(x, TFS_KIND_SETTINGS, "EmailConfiguration",
		  "EmailConfiguration", "Outbound", NULL);
	demo_attr(g, "server", "smtp.example.com");
	demo_attr_int(g, "port", 587);
	demo_attr(g, "password", "gen-Smtp-2wQ7");
	return gen_finish_config(x);
}

static int role_doc(gen *x, const char *name, const gen_bo *const *bos,
		    unsigned n, const char *access)
{
	demo_gen *g = &x->g;
	unsigned i;

	gen_begin(x, TFS_KIND_METADATA, "Role", "Role", name, NULL);
	demo_attr_bool(g, "admin", false);
	for (i = 0; i < n; i++) {
		demo_el(g, "Permission");
		demo_attr(g, "businessObject", bos[i]->name);
		demo_attr(g, "access", x->cur_differs && i == 0 ? "read" :
			  access);
		demo_end(g);
	}
	return gen_finish_config(x);
}

int gen_config_core(gen *x)
{
	const gen_bo *all[GEN_NCORE];
	unsigned i;

	if (globals(x) || settings(x))
		return x->g.error;
	for (i = 0; i < GEN_NCORE; i++) {
		all[i] = &core[i];
		if (bundle(x, &core[i], i == 0))
			return x->g.error;
	}
	if (role_doc(x, "ServiceDeskAnalyst", all + GEN_FIRST_DATA,
		     GEN_NCORE - GEN_FIRST_DATA, "write") ||
	    role_doc(x, "ServiceDeskManager", all, GEN_NCORE, "full") ||
	    role_doc(x, "Auditor", all, GEN_NCORE, "read"))
		return x->g.error;
	return 0;
}

/* ---- modules ------------------------------------------------------------- */

static const char *const areas[] = {
	"Asset", "Fleet", "Facility", "Procurement", "Finance", "Legal",
	"Security", "Training", "Project", "Supplier", "Release", "Event",
	"Access", "License", "Inventory", "Compliance", "Audit", "Risk",
	"Travel", "Payroll", "Recruiting", "Onboarding", "Marketing", "Sales",
	"Quality", "Lab", "Clinic", "Warehouse", "Shipping", "Billing",
	"Portal", "Network", "Cloud", "Backup", "Telecom", "Energy",
	"Maintenance", "Hospitality", "Media", "Research",
};

static const struct {
	const char *word, *number;
} entities[] = {
	{ "Request", "RequestNumber" }, { "Item", "ItemNumber" },
	{ "Case", "CaseNumber" }, { "Order", "OrderNumber" },
	{ "Approval", "ApprovalNumber" }, { "Assignment", "AssignmentNumber" },
	{ "Schedule", "ScheduleNumber" }, { "Review", "ReviewNumber" },
	{ "Plan", "PlanNumber" }, { "Entry", "EntryNumber" },
	{ "Check", "CheckNumber" }, { "Visit", "VisitNumber" },
	{ "Booking", "BookingNumber" }, { "Claim", "ClaimNumber" },
	{ "Expense", "ExpenseNumber" }, { "Budget", "BudgetNumber" },
	{ "Permit", "PermitNumber" }, { "Inspection", "InspectionNumber" },
	{ "Delivery", "DeliveryNumber" }, { "Survey", "SurveyNumber" },
	{ "Feedback", "FeedbackNumber" }, { "Policy", "PolicyNumber" },
	{ "Agreement", "AgreementNumber" }, { "Allocation", "AllocationNumber" },
	{ "Reservation", "ReservationNumber" }, { "Incident", "CaseNumber" },
	{ "Exception", "ExceptionNumber" }, { "Milestone", "MilestoneNumber" },
	{ "Certificate", "CertificateNumber" }, { "Finding", "FindingNumber" },
	{ "Measurement", "MeasurementNumber" }, { "Contact", "ContactNumber" },
};

static const gen_field pool[] = {
	PK("Priority", 10, "Priority"), PK("Category", 60, "Category"),
	LK("Owner", "Employee"), LK("OwnerTeam", "Team"),
	LK("RequestedBy", "Employee"), LK("LocationLink", "Location"),
	LK("VendorLink", "Vendor"), LK("ContractLink", "Contract"),
	LK("CILink", "CI"), DT("DueDate"), DA("StartDate"), DA("EndDate"),
	DT("ApprovedDateTime"), LK("ApprovedBy", "Employee"), MO("Amount"),
	IN("Quantity", 0), NU("Score"), BO_("IsApproved"), BO_("IsBillable"),
	TX("Reference", 60, 'c'), TX("CostCenter", 20, 'c'),
	TX("Notes", 4000, 'x'), { "ExternalId", 'G', 0, NULL, 0 },
	PK("Country", 60, "Country"), PK("Impact", 20, "Impact"),
	PK("Urgency", 20, "Urgency"), PK("Source", 30, "Source"),
	TX("Resolution", 4000, 'x'), DT("ClosedDateTime"),
	PK("Risk", 20, "RiskLevel"),
};

/*
 * Module `i`: its name (area, entity, and a round number past the first
 * pass through the vocabulary), its own lists, and 4 to 14 fields from
 * the pool besides the number, subject, description, status and type.
 */
static void make_module(gen_bo *bo, gen *x, uint64_t i)
{
	uint64_t combos = N(areas) * N(entities);
	uint64_t round = i / combos, c = i % combos;
	/* spread the areas: consecutive modules belong to different ones */
	unsigned a = (unsigned)(c % N(areas));
	unsigned e = (unsigned)((c / N(areas) + c) % N(entities));
	uint64_t h;
	bool taken[N(pool)] = { false };
	unsigned n = 0, extra, k;

	memset(bo, 0, sizeof(*bo));
	if (round)
		snprintf(bo->name, sizeof(bo->name), "%s%s%llu", areas[a],
			 entities[e].word, (unsigned long long)round + 1);
	else
		snprintf(bo->name, sizeof(bo->name), "%s%s", areas[a],
			 entities[e].word);
	snprintf(bo->noun, sizeof(bo->noun), "%s %s", areas[a],
		 entities[e].word);
	snprintf(bo->number, sizeof(bo->number), "%s", entities[e].number);
	snprintf(bo->status_list, sizeof(bo->status_list), "%sStatus",
		 bo->name);
	snprintf(bo->type_list, sizeof(bo->type_list), "%sType", bo->name);
	bo->core = -1;
	bo->own_lists = true;
	h = gen_hash(x->salt, bo->name, strlen(bo->name));
	bo->fields[n++] = (gen_field)IN(entities[e].number, 'n');
	bo->fields[n++] = (gen_field)TX("Subject", 255, 's');
	bo->fields[n++] = (gen_field)TX("Description", 4000, 'x');
	bo->fields[n++] = (gen_field)PK("Status", 30, bo->status_list);
	bo->fields[n++] = (gen_field)PK("Type", 30, bo->type_list);
	/* the common ones most modules have */
	if (h % 10 < 8) {
		bo->fields[n++] = pool[2];
		taken[2] = true;
	}
	if ((h >> 4) % 10 < 7) {
		bo->fields[n++] = pool[3];
		taken[3] = true;
	}
	if ((h >> 8) % 10 < 6) {
		bo->fields[n++] = pool[0];
		taken[0] = true;
	}
	extra = 2 + (unsigned)((h >> 12) % 9);
	for (k = 0; k < extra && n < GEN_MAXFIELDS - 1; k++) {
		unsigned p = (unsigned)((h >> (16 + 3 * (k % 15))) ^
					(k * 7919u)) % N(pool);

		while (taken[p])
			p = (p + 1) % N(pool);
		taken[p] = true;
		bo->fields[n++] = pool[p];
	}
}

int gen_config_modules(gen *x)
{
	const gen_bo *group[8];
	gen_bo *mods = NULL;
	char name[160];
	uint64_t i;
	int error = 0;

	/* a group of eight modules lives until its roles are written */
	mods = calloc(8, sizeof(*mods));
	if (!mods)
		return tfs_error_set(TFS_ERROR, "out of memory");
	for (i = 0;; i++) {
		gen_bo *bo = &mods[i % 8];

		make_module(bo, x, i);
		group[i % 8] = bo;
		if ((error = bundle(x, bo, false)) != 0)
			break;
		if (i % 8 != 7)
			continue;
		if ((error = role_doc(x, dotted_s(name, group[0]->name,
						  "Agents"),
				      group, 8, "write")) != 0 ||
		    (error = role_doc(x, dotted_s(name, group[0]->name,
						  "Managers"),
				      group, 8, "full")) != 0)
			break;
	}
	free(mods);
	return error;
}
