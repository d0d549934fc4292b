/*
 * Demo content, part 1: the schema of the demo tenant.  Business objects
 * (metadata/BusinessObject), their counters (metadata/Counter), the pick
 * lists (validation/) and the pick-list definitions
 * (metadata/ValidationListDefinition).
 *
 * The field tables here are the single source of the field names that the
 * rest of the demo refers to: forms, grids, searches and parts in
 * demo_meta.c, and the Values of records in demo_data.c.  Every business
 * object gets the system fields RecId, CreatedDateTime, CreatedBy,
 * LastModDateTime and LastModBy before its own.  Called from
 * tfs_demo_generate() through demo_gen_metadata() and demo_gen_validation().
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "demo_int.h"

enum {
	F_NOTNULL = 1,
	F_UNIQUE = 2,
	F_INDEXED = 4,
	F_LOCALIZED = 8,
	F_AUDIT = 16,
};

typedef struct bo_field {
	const char *name;
	const char *type;
	int size;		/* Text: length; Number and Money: precision */
	unsigned flags;
	const char *ref;	/* Text: validationList; Link: linkTo */
} bo_field;

#define TXT(n, len, fl)		{ n, "Text", len, fl, NULL }
#define PICK(n, len, list, fl)	{ n, "Text", len, fl, list }
#define LNK(n, bo, fl)		{ n, "Link", 0, fl, bo }
#define INT(n, fl)		{ n, "Integer", 0, fl, NULL }
#define NUM(n, prec)		{ n, "Number", prec, 0, NULL }
#define MONEY(n)		{ n, "Money", 2, 0, NULL }
#define DTM(n, fl)		{ n, "DateTime", 0, fl, NULL }
#define DATE(n)			{ n, "Date", 0, 0, NULL }
#define BOOL(n)			{ n, "Boolean", 0, 0, NULL }
#define GUID(n, fl)		{ n, "Guid", 0, fl, NULL }
#define BIN(n)			{ n, "Binary", 0, 0, NULL }
#define END			{ NULL, NULL, 0, 0, NULL }

typedef struct bo_rel {
	const char *name, *target, *cardinality;
} bo_rel;

typedef struct bo_def {
	const char *name;
	const char *table;
	const char *description;
	bool audit;
	bool validation;
	const char *base;	/* business object whose fields come first */
	const bo_field *fields;
	const bo_rel *rels;
} bo_def;

static const bo_field system_fields[] = {
	TXT("RecId", 32, F_NOTNULL | F_UNIQUE | F_INDEXED),
	DTM("CreatedDateTime", F_INDEXED),
	TXT("CreatedBy", 100, 0),
	DTM("LastModDateTime", F_INDEXED),
	TXT("LastModBy", 100, 0),
	END
};

static const bo_field incident_fields[] = {
	INT("IncidentNumber", F_NOTNULL | F_UNIQUE | F_INDEXED),
	TXT("Subject", 255, F_NOTNULL | F_INDEXED),
	TXT("Symptom", 32000, 0),
	PICK("Status", 30, "Status", F_NOTNULL | F_INDEXED | F_AUDIT),
	PICK("Priority", 10, "Priority", F_INDEXED | F_AUDIT),
	PICK("Urgency", 20, "Urgency", 0),
	PICK("Impact", 20, "Impact", 0),
	PICK("Category", 60, "Category", F_INDEXED),
	PICK("Service", 100, "Service", F_INDEXED),
	PICK("Source", 30, "Source", 0),
	LNK("ProfileLink", "Employee", F_INDEXED),
	LNK("OrgUnitLink", "OrgUnit", 0),
	LNK("LocationLink", "Location", 0),
	LNK("Owner", "Employee", F_INDEXED | F_AUDIT),
	LNK("OwnerTeam", "Team", F_INDEXED | F_AUDIT),
	LNK("CILink", "CI", 0),
	LNK("ProblemLink", "Problem", 0),
	DTM("ResponseDeadline", 0),
	DTM("ResolutionDeadline", F_INDEXED),
	DTM("ResolvedDateTime", 0),
	DTM("ClosedDateTime", 0),
	TXT("Resolution", 4000, 0),
	PICK("CauseCode", 50, "CauseCode", 0),
	TXT("CustomerEmail", 255, 0),
	BOOL("IsVIP"),
	BOOL("FirstCallResolution"),
	INT("ReopenCount", 0),
	NUM("TotalTimeSpent", 2),
	END
};

static const bo_rel incident_rels[] = {
	{ "IncidentAssociatedJournal", "Journal", "OneToMany" },
	{ "IncidentAssociatedTask", "Task", "OneToMany" },
	{ "IncidentAssociatesProblem", "Problem", "ManyToMany" },
	{ "IncidentAssociatesChange", "Change", "ManyToMany" },
	{ "IncidentAssociatesKnowledge", "FRS_Knowledge", "ManyToMany" },
	{ "IncidentAssociatesCI", "CI", "ManyToMany" },
	{ NULL, NULL, NULL }
};

static const bo_field problem_fields[] = {
	INT("ProblemNumber", F_NOTNULL | F_UNIQUE | F_INDEXED),
	TXT("Subject", 255, F_NOTNULL),
	TXT("Description", 32000, 0),
	PICK("Status", 30, "ProblemStatus", F_NOTNULL | F_INDEXED | F_AUDIT),
	PICK("Priority", 10, "Priority", F_INDEXED),
	PICK("Urgency", 20, "Urgency", 0),
	PICK("Impact", 20, "Impact", 0),
	PICK("Category", 60, "Category", F_INDEXED),
	LNK("Owner", "Employee", F_INDEXED),
	LNK("OwnerTeam", "Team", F_INDEXED),
	TXT("RootCause", 4000, 0),
	TXT("Workaround", 4000, 0),
	BOOL("IsKnownError"),
	DTM("ResolvedDateTime", 0),
	DTM("ClosedDateTime", 0),
	END
};

static const bo_rel problem_rels[] = {
	{ "ProblemAssociatedJournal", "Journal", "OneToMany" },
	{ "ProblemAssociatedTask", "Task", "OneToMany" },
	{ "ProblemAssociatesIncident", "Incident", "ManyToMany" },
	{ "ProblemAssociatesChange", "Change", "ManyToMany" },
	{ NULL, NULL, NULL }
};

static const bo_field change_fields[] = {
	INT("ChangeNumber", F_NOTNULL | F_UNIQUE | F_INDEXED),
	TXT("Subject", 255, F_NOTNULL),
	TXT("Description", 32000, 0),
	PICK("Status", 30, "ChangeStatus", F_NOTNULL | F_INDEXED | F_AUDIT),
	PICK("TypeOfChange", 30, "ChangeType", F_INDEXED | F_AUDIT),
	PICK("Risk", 20, "RiskLevel", F_AUDIT),
	PICK("Priority", 10, "Priority", 0),
	PICK("Urgency", 20, "Urgency", 0),
	PICK("Impact", 20, "Impact", 0),
	PICK("Category", 60, "Category", F_INDEXED),
	LNK("Owner", "Employee", F_INDEXED),
	LNK("OwnerTeam", "Team", F_INDEXED),
	LNK("RequestorLink", "Employee", 0),
	DTM("ScheduledStartDate", F_INDEXED),
	DTM("ScheduledEndDate", 0),
	DTM("ActualEndDate", 0),
	TXT("ImplementationPlan", 8000, 0),
	TXT("BackoutPlan", 8000, 0),
	BOOL("CABApproved"),
	MONEY("EstimatedCost"),
	DTM("ClosedDateTime", 0),
	END
};

static const bo_rel change_rels[] = {
	{ "ChangeAssociatedTask", "Task", "OneToMany" },
	{ "ChangeAssociatedJournal", "Journal", "OneToMany" },
	{ "ChangeAssociatesCI", "CI", "ManyToMany" },
	{ "ChangeAssociatesIncident", "Incident", "ManyToMany" },
	{ NULL, NULL, NULL }
};

static const bo_field servicereq_fields[] = {
	INT("ServiceReqNumber", F_NOTNULL | F_UNIQUE | F_INDEXED),
	TXT("Subject", 255, F_NOTNULL),
	TXT("Description", 4000, 0),
	PICK("Status", 30, "ServiceReqStatus", F_NOTNULL | F_INDEXED |
	     F_AUDIT),
	PICK("Urgency", 20, "Urgency", 0),
	PICK("Category", 60, "Category", 0),
	PICK("ApprovalStatus", 20, "ApprovalStatus", 0),
	LNK("RequestOfferingLink", "RequestOffering", F_INDEXED),
	LNK("ProfileLink", "Employee", F_INDEXED),
	LNK("Owner", "Employee", F_INDEXED),
	LNK("OwnerTeam", "Team", F_INDEXED),
	INT("Quantity", 0),
	MONEY("TotalCost"),
	DATE("ExpectedDate"),
	DTM("FulfilledDateTime", 0),
	DTM("ClosedDateTime", 0),
	END
};

static const bo_rel servicereq_rels[] = {
	{ "ServiceReqAssociatedTask", "Task", "OneToMany" },
	{ "ServiceReqAssociatedJournal", "Journal", "OneToMany" },
	{ NULL, NULL, NULL }
};

static const bo_field task_fields[] = {
	INT("AssignmentID", F_NOTNULL | F_UNIQUE | F_INDEXED),
	TXT("Subject", 255, F_NOTNULL),
	TXT("Details", 4000, 0),
	PICK("Status", 30, "TaskStatus", F_NOTNULL | F_INDEXED),
	PICK("TaskType", 30, "TaskType", 0),
	PICK("Priority", 10, "Priority", 0),
	LNK("Owner", "Employee", F_INDEXED),
	LNK("OwnerTeam", "Team", F_INDEXED),
	LNK("ParentLink", NULL, F_INDEXED),
	TXT("ParentBusinessObject", 60, 0),
	NUM("PlannedEffort", 2),
	NUM("ActualEffort", 2),
	DATE("DueDate"),
	DTM("CompletedDateTime", 0),
	END
};

static const bo_rel task_rels[] = {
	{ "TaskAssociatedJournal", "Journal", "OneToMany" },
	{ NULL, NULL, NULL }
};

static const bo_field employee_fields[] = {
	TXT("LoginID", 100, F_NOTNULL | F_UNIQUE | F_INDEXED),
	TXT("FirstName", 60, 0),
	TXT("LastName", 60, F_INDEXED),
	TXT("DisplayName", 120, F_INDEXED),
	TXT("PrimaryEmail", 255, F_UNIQUE | F_INDEXED),
	TXT("Phone", 50, 0),
	TXT("MobilePhone", 50, 0),
	TXT("Title", 100, 0),
	PICK("Status", 20, "EmployeeStatus", F_INDEXED),
	PICK("Language", 10, "Language", 0),
	LNK("OrgUnitLink", "OrgUnit", 0),
	LNK("LocationLink", "Location", 0),
	LNK("ManagerLink", "Employee", 0),
	LNK("PrimaryTeam", "Team", 0),
	TXT("CostCenter", 20, 0),
	BOOL("IsVIP"),
	BOOL("Disabled"),
	BIN("Photo"),
	END
};

static const bo_rel employee_rels[] = {
	{ "EmployeeTeamMembership", "Team", "ManyToMany" },
	{ "EmployeeDirectReports", "Employee", "OneToMany" },
	{ "EmployeeServiceRequests", "ServiceReq", "OneToMany" },
	{ "EmployeeOwnsCI", "CI", "OneToMany" },
	{ NULL, NULL, NULL }
};

static const bo_field team_fields[] = {
	TXT("TeamName", 100, F_NOTNULL | F_UNIQUE | F_INDEXED),
	TXT("Description", 1000, F_LOCALIZED),
	TXT("TeamEmail", 255, 0),
	LNK("ManagerLink", "Employee", 0),
	LNK("OrgUnitLink", "OrgUnit", 0),
	BOOL("IsActive"),
	END
};

static const bo_rel team_rels[] = {
	{ "TeamMembers", "Employee", "ManyToMany" },
	{ NULL, NULL, NULL }
};

static const bo_field orgunit_fields[] = {
	TXT("OrgUnitName", 100, F_NOTNULL | F_UNIQUE | F_INDEXED),
	TXT("Description", 1000, 0),
	LNK("ParentLink", "OrgUnit", 0),
	LNK("ManagerLink", "Employee", 0),
	LNK("LocationLink", "Location", 0),
	TXT("CostCenter", 20, 0),
	END
};

static const bo_rel orgunit_rels[] = {
	{ "OrgUnitChildren", "OrgUnit", "OneToMany" },
	{ "OrgUnitEmployees", "Employee", "OneToMany" },
	{ NULL, NULL, NULL }
};

static const bo_field offering_fields[] = {
	TXT("OfferingName", 100, F_NOTNULL | F_UNIQUE | F_INDEXED |
	    F_LOCALIZED),
	TXT("Description", 4000, F_LOCALIZED),
	PICK("Category", 60, "Category", F_INDEXED),
	PICK("Status", 20, "OfferingStatus", F_INDEXED),
	MONEY("Price"),
	INT("DeliveryTargetDays", 0),
	BOOL("RequiresApproval"),
	LNK("OwnerTeam", "Team", 0),
	END
};

static const bo_rel offering_rels[] = {
	{ "RequestOfferingRequests", "ServiceReq", "OneToMany" },
	{ NULL, NULL, NULL }
};

static const bo_field escalation_fields[] = {
	TXT("ScheduleName", 100, F_NOTNULL | F_UNIQUE),
	TXT("Description", 1000, 0),
	PICK("Priority", 10, "Priority", F_INDEXED),
	PICK("BusinessHours", 40, "BusinessHours", 0),
	INT("ResponseMinutes", 0),
	INT("ResolutionMinutes", 0),
	INT("WarningPercent", 0),
	LNK("EscalateToTeam", "Team", 0),
	BOOL("IsActive"),
	END
};

static const bo_field journal_fields[] = {
	INT("JournalNumber", F_UNIQUE | F_INDEXED),
	TXT("Subject", 255, 0),
	TXT("Body", 32000, 0),
	PICK("Category", 30, "JournalCategory", F_INDEXED),
	PICK("Source", 30, "Source", 0),
	LNK("ParentLink", NULL, F_INDEXED),
	TXT("ParentBusinessObject", 60, F_INDEXED),
	BOOL("IsPublic"),
	TXT("EmailFrom", 255, 0),
	TXT("EmailTo", 255, 0),
	END
};

static const bo_field category_fields[] = {
	TXT("CategoryName", 60, F_NOTNULL | F_UNIQUE | F_LOCALIZED),
	TXT("Description", 1000, F_LOCALIZED),
	LNK("ParentLink", "Category", 0),
	LNK("DefaultTeam", "Team", 0),
	BOOL("IsActive"),
	END
};

static const bo_rel category_rels[] = {
	{ "CategoryChildren", "Category", "OneToMany" },
	{ NULL, NULL, NULL }
};

static const bo_field location_fields[] = {
	TXT("LocationName", 100, F_NOTNULL | F_UNIQUE | F_INDEXED),
	TXT("Address", 255, 0),
	TXT("City", 100, 0),
	PICK("Country", 60, "Country", 0),
	PICK("TimeZone", 60, "TimeZone", 0),
	BOOL("IsActive"),
	END
};

static const bo_field knowledge_fields[] = {
	INT("ArticleNumber", F_NOTNULL | F_UNIQUE | F_INDEXED),
	TXT("Title", 255, F_NOTNULL | F_LOCALIZED | F_INDEXED),
	TXT("Body", 100000, F_LOCALIZED),
	TXT("Keywords", 1000, 0),
	PICK("Status", 20, "KnowledgeStatus", F_INDEXED),
	PICK("Category", 60, "Category", F_INDEXED),
	LNK("AuthorLink", "Employee", 0),
	DTM("PublishedDateTime", 0),
	DATE("ExpiryDate"),
	INT("ViewCount", 0),
	BOOL("IsPublic"),
	END
};

static const bo_rel knowledge_rels[] = {
	{ "FRS_KnowledgeContainsQandA", "FRS_Knowledge.QandA", "OneToMany" },
	{ "FRS_KnowledgeAssociatesIncident", "Incident", "ManyToMany" },
	{ NULL, NULL, NULL }
};

static const bo_field qanda_fields[] = {
	TXT("Question", 4000, F_NOTNULL | F_LOCALIZED),
	TXT("Answer", 32000, F_LOCALIZED),
	LNK("ArticleLink", "FRS_Knowledge", F_INDEXED),
	INT("SortOrder", 0),
	END
};

static const bo_field ci_fields[] = {
	TXT("Name", 100, F_NOTNULL | F_UNIQUE | F_INDEXED),
	TXT("AssetTag", 30, F_UNIQUE | F_INDEXED),
	TXT("SerialNumber", 60, F_INDEXED),
	PICK("Status", 20, "CIStatus", F_INDEXED),
	TXT("Manufacturer", 100, 0),
	TXT("Model", 100, 0),
	LNK("OwnerLink", "Employee", 0),
	LNK("OwnerTeam", "Team", 0),
	LNK("LocationLink", "Location", 0),
	GUID("DiscoveryId", 0),
	DATE("PurchaseDate"),
	DATE("WarrantyExpiry"),
	END
};

static const bo_rel ci_rels[] = {
	{ "CIAssociatesIncident", "Incident", "ManyToMany" },
	{ "CIAssociatesChange", "Change", "ManyToMany" },
	{ NULL, NULL, NULL }
};

static const bo_field computer_fields[] = {
	TXT("Hostname", 63, F_INDEXED),
	PICK("OperatingSystem", 60, "OperatingSystem", 0),
	TXT("CPU", 100, 0),
	INT("MemoryGB", 0),
	INT("DiskGB", 0),
	TXT("IPAddress", 45, 0),
	BOOL("IsLaptop"),
	END
};

static const bo_field server_fields[] = {
	TXT("Hostname", 63, F_UNIQUE | F_INDEXED),
	PICK("OperatingSystem", 60, "OperatingSystem", 0),
	TXT("ServerRole", 100, 0),
	INT("CPUCount", 0),
	INT("MemoryGB", 0),
	TXT("IPAddress", 45, 0),
	BOOL("IsVirtual"),
	END
};

static const bo_rel no_rels[] = {
	{ NULL, NULL, NULL }
};

static const bo_def bos[] = {
	{ "Incident", "Incident", "An unplanned interruption or degradation "
	  "of a service", true, false, NULL, incident_fields, incident_rels },
	{ "Problem", "Problem", "The underlying cause of one or more "
	  "incidents", true, false, NULL, problem_fields, problem_rels },
	{ "Change", "Change", "A controlled change to the infrastructure",
	  true, false, NULL, change_fields, change_rels },
	{ "ServiceReq", "ServiceReq", "A request for a catalogued service",
	  true, false, NULL, servicereq_fields, servicereq_rels },
	{ "Task", "Task", "A unit of work assigned to a team or person",
	  false, false, NULL, task_fields, task_rels },
	{ "Employee", "Profile", "People: customers and IT staff", true,
	  false, NULL, employee_fields, employee_rels },
	{ "Team", "StandardUserTeam", "Groups that own and work on records",
	  false, false, NULL, team_fields, team_rels },
	{ "OrgUnit", "OrganizationalUnit", "The organisation's structure",
	  false, false, NULL, orgunit_fields, orgunit_rels },
	{ "RequestOffering", "RequestOffering", "Items of the service "
	  "catalogue", true, false, NULL, offering_fields, offering_rels },
	{ "EscalationSchedule", "EscalationSchedule", "Response and "
	  "resolution targets", false, false, NULL, escalation_fields,
	  no_rels },
	{ "Journal", "Journal", "Notes, e-mails and calls on records", false,
	  false, NULL, journal_fields, no_rels },
	{ "Category", "Category", "Classification of records", false, true,
	  NULL, category_fields, category_rels },
	{ "Location", "Location", "Sites and offices", false, true, NULL,
	  location_fields, no_rels },
	{ "FRS_Knowledge", "FRS_Knowledge", "Knowledge articles", true,
	  false, NULL, knowledge_fields, knowledge_rels },
	{ "FRS_Knowledge.QandA", "FRS_Knowledge_QandA", "Questions and "
	  "answers inside a knowledge article", false, false, NULL,
	  qanda_fields, no_rels },
	{ "CI", "CI", "Configuration items", true, false, NULL, ci_fields,
	  ci_rels },
	{ "CI#Computer", "CI_Computer", "Desktops and laptops", true, false,
	  "CI", computer_fields, no_rels },
	{ "CI#Server", "CI_Server", "Physical and virtual servers", true,
	  false, "CI", server_fields, no_rels },
};

#define NBOS (sizeof(bos) / sizeof(bos[0]))

const char *demo_bo_name(unsigned i)
{
	return i < NBOS ? bos[i].name : NULL;
}

static const bo_def *find_bo(const char *name)
{
	unsigned i;

	for (i = 0; i < NBOS; i++)
		if (!strcmp(bos[i].name, name))
			return &bos[i];
	return NULL;
}

static void emit_fields(demo_gen *g, const bo_field *f)
{
	for (; f->name; f++) {
		bool text = !strcmp(f->type, "Text");
		bool link = !strcmp(f->type, "Link");

		demo_el(g, "Field");
		demo_attr(g, "name", f->name);
		demo_attr(g, "type", f->type);
		if (text)
			demo_attr_int(g, "length", f->size);
		if (!strcmp(f->type, "Number") || !strcmp(f->type, "Money"))
			demo_attr_int(g, "precision", f->size);
		demo_attr_bool(g, "nullable", !(f->flags & F_NOTNULL));
		demo_attr_bool(g, "unique", f->flags & F_UNIQUE);
		demo_attr_bool(g, "indexed", f->flags & F_INDEXED);
		if (f->flags & F_LOCALIZED)
			demo_attr_bool(g, "localized", true);
		if (f->flags & F_AUDIT)
			demo_attr_bool(g, "audit", true);
		if (text && f->ref)
			demo_attr(g, "validationList", f->ref);
		if (link && f->ref)
			demo_attr(g, "linkTo", f->ref);
		demo_end(g);
	}
}

static int gen_business_object(demo_gen *g, const bo_def *bo)
{
	const bo_rel *r;

	demo_begin(g, TFS_KIND_METADATA, "BusinessObject", "BusinessObject",
		   bo->name, NULL);
	demo_attr(g, "description", bo->description);
	demo_attr(g, "table", bo->table);
	demo_attr_bool(g, "audit", bo->audit);
	if (bo->validation)
		demo_attr_bool(g, "validation", true);
	emit_fields(g, system_fields);
	if (bo->base)
		emit_fields(g, find_bo(bo->base)->fields);
	emit_fields(g, bo->fields);
	for (r = bo->rels; r->name; r++) {
		demo_el(g, "Relationship");
		demo_attr(g, "name", r->name);
		demo_attr(g, "target", r->target);
		demo_attr(g, "cardinality", r->cardinality);
		demo_end(g);
	}
	return demo_finish_config(g);
}

static const struct {
	const char *name, *bo, *prefix;
	long start, step;
	const char *description;
} counters[] = {
	{ "Incident.IncidentNumber", "Incident", "INC-", 10001, 1,
	  "Incident numbers" },
	{ "Problem.ProblemNumber", "Problem", "PRB-", 5001, 1, NULL },
	{ "Change.ChangeNumber", "Change", "CHG-", 20001, 1, NULL },
	{ "ServiceReq.ServiceReqNumber", "ServiceReq", "SR-", 30001, 1,
	  NULL },
	{ "Task.AssignmentID", "Task", "TSK-", 40001, 1, NULL },
	{ "Journal.JournalNumber", "Journal", "JRN-", 100001, 1, NULL },
	{ "FRS_Knowledge.ArticleNumber", "FRS_Knowledge", "KB-", 1001, 1,
	  "Knowledge article numbers" },
	{ "CI.AssetTag", "CI", "ACME-", 1, 1, "Asset tags on new devices" },
	{ "PurchaseOrder", NULL, "PO-", 700000, 10,
	  "Purchase orders raised from service requests" },
};

static int gen_counters(demo_gen *g)
{
	unsigned i;

	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		demo_begin(g, TFS_KIND_METADATA, "Counter", "Counter",
			   counters[i].name, counters[i].bo);
		if (counters[i].description)
			demo_attr(g, "description", counters[i].description);
		demo_attr(g, "prefix", counters[i].prefix);
		demo_attr_int(g, "start", counters[i].start);
		demo_attr_int(g, "step", counters[i].step);
		if (demo_finish_config(g))
			return g->error;
	}
	return 0;
}

/* ---- pick lists ---------------------------------------------------------- */

/*
 * Items are "value" or "value|display"; a leading '-' marks an inactive
 * (retired) item.  Lists with a business object are kept in step with that
 * object's master records (Category).
 */
typedef struct pick_list {
	const char *name;
	const char *description;
	const char *const *items;
} pick_list;

static const char *const priority_items[] = {
	"1|Critical", "2|High", "3|Medium", "4|Low", "5|Planning", NULL
};
static const char *const level_items[] = { "High", "Medium", "Low", NULL };
static const char *const status_items[] = {
	"Logged", "Active", "Waiting for Customer", "Waiting for 3rd Party",
	"Resolved", "Closed", "Cancelled", NULL
};
static const char *const problem_status_items[] = {
	"Logged", "Investigation", "Known Error", "Resolved", "Closed", NULL
};
static const char *const change_status_items[] = {
	"Logged", "Requested", "Pending Approval", "Scheduled",
	"Implemented", "Closed", "Rejected", "Cancelled", NULL
};
static const char *const sr_status_items[] = {
	"Submitted", "Pending Approval", "Active", "Fulfilled", "Closed",
	"Cancelled", "Rejected", NULL
};
static const char *const task_status_items[] = {
	"Logged", "Assigned", "In Progress", "Waiting", "Completed",
	"Cancelled", NULL
};
static const char *const change_type_items[] = {
	"Standard|Standard (pre-approved)", "Normal", "Emergency", "Major",
	NULL
};
static const char *const risk_items[] = {
	"Low", "Medium", "High", "Very High", NULL
};
static const char *const service_items[] = {
	"Email and Collaboration", "Network and Connectivity",
	"Workplace Devices", "Business Applications", "Identity and Access",
	"Printing", "Telephony", "Hosting and Data Centre",
	"Information Security", "Facilities", "HR Services", NULL
};
static const char *const source_items[] = {
	"Phone", "Email", "Self Service", "Walk-in", "Chat", "Monitoring",
	"-Fax", NULL
};
static const char *const cause_items[] = {
	"Hardware Failure", "Software Defect", "Configuration Error",
	"User Error", "Capacity", "Third Party", "Known Error", "Unknown",
	"Duplicate", NULL
};
static const char *const journal_items[] = {
	"Note", "Email Sent", "Email Received", "Phone Call", "Resolution",
	"Status Change", NULL
};
static const char *const knowledge_items[] = {
	"Draft", "In Review", "Published", "Retired", NULL
};
static const char *const approval_items[] = {
	"Not Required", "Pending", "Approved", "Denied", NULL
};
static const char *const offering_items[] = {
	"Draft", "Published", "Retired", NULL
};
static const char *const employee_status_items[] = {
	"Active", "On Leave", "Inactive", NULL
};
static const char *const language_items[] = {
	"en-US|English (United States)", "en-GB|English (United Kingdom)",
	"de-DE|Deutsch", "fr-FR|Francais", "es-ES|Espanol", "ja-JP|Japanese",
	NULL
};
static const char *const timezone_items[] = {
	"Europe/London", "Europe/Berlin", "America/New_York",
	"America/Chicago", "Asia/Singapore", "UTC", NULL
};
static const char *const country_items[] = {
	"United Kingdom", "Germany", "United States", "Singapore", "Ireland",
	NULL
};
static const char *const task_type_items[] = {
	"Assignment", "Approval", "Implementation", "Review", "Procurement",
	NULL
};
static const char *const hours_items[] = {
	"24x7|24 hours, 7 days", "Weekdays 08-18|Weekdays 08:00-18:00",
	"Weekdays 07-19|Weekdays 07:00-19:00 (extended)", NULL
};
static const char *const ci_status_items[] = {
	"Ordered", "In Stock", "Deployed", "In Repair", "Retired", NULL
};
static const char *const os_items[] = {
	"Windows 11 Enterprise", "Windows 10 Enterprise", "macOS 14",
	"Ubuntu 22.04 LTS", "Windows Server 2022", "Windows Server 2019",
	"Red Hat Enterprise Linux 9", NULL
};

static const pick_list lists[] = {
	{ "Priority", "Priority from urgency and impact", priority_items },
	{ "Urgency", "How soon the customer needs it", level_items },
	{ "Impact", "How many are affected", level_items },
	{ "Status", "Incident status", status_items },
	{ "ProblemStatus", NULL, problem_status_items },
	{ "ChangeStatus", NULL, change_status_items },
	{ "ServiceReqStatus", NULL, sr_status_items },
	{ "TaskStatus", NULL, task_status_items },
	{ "ChangeType", "ITIL change types", change_type_items },
	{ "RiskLevel", NULL, risk_items },
	{ "Category", "Categories of incidents, problems and requests",
	  NULL },
	{ "Service", "Business services", service_items },
	{ "Source", "How a record reached the service desk", source_items },
	{ "CauseCode", NULL, cause_items },
	{ "JournalCategory", NULL, journal_items },
	{ "KnowledgeStatus", NULL, knowledge_items },
	{ "ApprovalStatus", NULL, approval_items },
	{ "OfferingStatus", NULL, offering_items },
	{ "EmployeeStatus", NULL, employee_status_items },
	{ "Language", NULL, language_items },
	{ "TimeZone", NULL, timezone_items },
	{ "Country", NULL, country_items },
	{ "TaskType", NULL, task_type_items },
	{ "BusinessHours", "Calendars for escalation", hours_items },
	{ "CIStatus", "Lifecycle of configuration items", ci_status_items },
	{ "OperatingSystem", NULL, os_items },
};

#define NLISTS (sizeof(lists) / sizeof(lists[0]))

static void emit_item(demo_gen *g, const char *spec, unsigned order)
{
	char value[128];
	const char *bar;
	bool active = spec[0] != '-';

	if (!active)
		spec++;
	bar = strchr(spec, '|');
	snprintf(value, sizeof(value), "%.*s",
		 (int)(bar ? (size_t)(bar - spec) : strlen(spec)), spec);
	demo_el(g, "Item");
	demo_attr(g, "value", value);
	demo_attr(g, "display", bar ? bar + 1 : value);
	demo_attr_int(g, "order", order);
	demo_attr_bool(g, "active", active);
	demo_end(g);
}

int demo_gen_validation(demo_gen *g)
{
	unsigned i, j;

	for (i = 0; i < NLISTS; i++) {
		demo_begin(g, TFS_KIND_VALIDATION, "", "ValidationList",
			   lists[i].name, NULL);
		if (lists[i].description)
			demo_attr(g, "description", lists[i].description);
		if (!lists[i].items) {
			/* Category: one item per Category master record */
			demo_attr(g, "businessObject", "Category");
			for (j = 0; j < demo_ncategories; j++)
				emit_item(g, demo_categories[j].name,
					  10 * (j + 1));
		} else {
			for (j = 0; lists[i].items[j]; j++)
				emit_item(g, lists[i].items[j], 10 * (j + 1));
		}
		if (demo_finish_config(g))
			return g->error;
	}
	return 0;
}

static int gen_list_definitions(demo_gen *g)
{
	unsigned i;

	for (i = 0; i < NLISTS; i++) {
		bool bo = !lists[i].items;

		demo_begin(g, TFS_KIND_METADATA, "ValidationListDefinition",
			   "ValidationListDefinition", lists[i].name,
			   bo ? "Category" : NULL);
		demo_attr(g, "list", lists[i].name);
		if (bo)
			demo_attr(g, "valueField", "CategoryName");
		if (demo_finish_config(g))
			return g->error;
	}
	return 0;
}

/*
 * The schema half of the metadata.  Returns 0 or the first error; called by
 * demo_gen_metadata() before the forms and processes that refer to it.
 */
int demo_gen_schema(demo_gen *g)
{
	unsigned i;

	for (i = 0; i < NBOS; i++)
		if (gen_business_object(g, &bos[i]))
			return g->error;
	if (gen_counters(g) || gen_list_definitions(g))
		return g->error;
	return 0;
}
