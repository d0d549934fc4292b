/*
 * The configuration of a generated tenant: metadata, pick lists and
 * settings (entry points in generate.c, the bundle of one business object
 * in generate_bundle.c, records in generate_rec.c).
 *
 * First the core: workflow types, brandings, images, special parts, the
 * administrator role, the shared pick lists, settings of every type, and
 * the fifteen core business objects (Employee ... Knowledge), each with its
 * bundle, and three roles over them; then modules: a business object named
 * from a vocabulary (Fleet + Inspection -> FleetInspection) with its own
 * pick lists and the same bundle, and a pair of roles for every eight
 * modules.  A bundle is about 35 objects, so a tenant of N
 * configuration objects has about N / 35 business objects.
 *
 * Invariant that lets a phase stop after any document of the modules:
 * every document refers only to documents written before it (lists before
 * their definitions and business objects, a business object before its
 * forms, forms and grids before layouts, workflows before triggers, parts
 * before the dashboard, business objects before roles).  The core is
 * always written whole (its shared pick lists name business objects that
 * come later in it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenantfs/error.h"
#include "generate_int.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the core business objects -------------------------------------- */

/* clang-format off */
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
/* clang-format on */

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
	{ "Status", "Incident", "Incident status",
	  ITEMS("Logged", "Active", "Waiting for Customer",
		"Waiting for 3rd Party", "Resolved", "Closed") },
	{ "Priority", NULL, "1 critical to 5 planning",
	  ITEMS("1", "2", "3", "4", "5") },
	{ "Urgency", NULL, NULL, ITEMS("High", "Medium", "Low") },
	{ "Impact", NULL, NULL, ITEMS("High", "Medium", "Low") },
	{ "Category", "Category", "Service catalog categories",
	  ITEMS("Hardware", "Laptop", "Desktop", "Printer", "Software",
		"Email and Calendar", "Office Applications",
		"Business Application", "Network", "VPN", "Wi-Fi", "Telephony",
		"Access and Accounts", "Password Reset", "Security", "Server",
		"Database", "Facilities", "HR Services") },
	{ "Source", NULL, "How the request reached us",
	  ITEMS("Phone", "Email", "Self Service", "Walk-in", "Monitoring",
		"Chat") },
	{ "EmployeeStatus", "Employee", NULL,
	  ITEMS("Active", "On Leave", "Contractor", "Terminated") },
	{ "Country", NULL, NULL,
	  ITEMS("United Kingdom", "United States", "Germany", "France",
		"Netherlands", "Spain", "India", "Singapore", "Australia",
		"Canada", "Brazil", "Japan") },
	{ "TimeZone", NULL, NULL,
	  ITEMS("Europe/London", "Europe/Berlin", "America/New_York",
		"America/Chicago", "America/Los_Angeles", "Asia/Kolkata",
		"Asia/Singapore", "Australia/Sydney") },
	{ "ContractStatus", "Contract", NULL,
	  ITEMS("Draft", "Active", "Expiring", "Expired", "Terminated") },
	{ "ProblemStatus", "Problem", NULL,
	  ITEMS("Logged", "Investigation", "Known Error", "Resolved",
		"Closed") },
	{ "ChangeStatus", "Change", NULL,
	  ITEMS("Requested", "Assessment", "Pending Approval", "Scheduled",
		"Implementing", "Completed", "Cancelled") },
	{ "ChangeType", "Change", NULL,
	  ITEMS("Standard", "Normal", "Emergency") },
	{ "RiskLevel", NULL, NULL,
	  ITEMS("Low", "Medium", "High", "Very High") },
	{ "ServiceReqStatus", "ServiceReq", NULL,
	  ITEMS("Submitted", "Pending Approval", "Fulfilling", "Fulfilled",
		"Cancelled", "Closed") },
	{ "ApprovalStatus", NULL, NULL,
	  ITEMS("Not Required", "Pending", "Approved", "Rejected") },
	{ "TaskStatus", "Task", NULL,
	  ITEMS("Logged", "Assigned", "In Progress", "Completed",
		"Cancelled") },
	{ "TaskType", "Task", NULL,
	  ITEMS("Assignment", "Approval", "Review", "Deployment",
		"Procurement") },
	{ "JournalCategory", "Journal", NULL,
	  ITEMS("Note", "Email", "Phone Call", "Resolution Note",
		"Work Note") },
	{ "CIType", "CI", NULL,
	  ITEMS("Workstation", "Laptop", "Server", "Network Device", "Printer",
		"Mobile Device", "Virtual Machine", "Database Instance") },
	{ "CIStatus", "CI", NULL,
	  ITEMS("Ordered", "In Stock", "Deployed", "In Repair", "Retired") },
	{ "OperatingSystem", NULL, NULL,
	  ITEMS("Windows 11", "Windows Server 2022", "Ubuntu 22.04",
		"Red Hat Enterprise Linux 9", "macOS 14", "iOS 17",
		"Android 14") },
	{ "KnowledgeStatus", "Knowledge", NULL,
	  ITEMS("Draft", "In Review", "Published", "Expired") },
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

/* ---- the globals -------------------------------------------------------- */

static int globals(gen *x)
{
	static const char *const wftypes[][2] = {
		{ "Approval", "Governance" },
		{ "Escalation", "Service" },
		{ "Fulfillment", "Service" },
		{ "Lifecycle", "Records" },
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
	static const char *const images[] = { "CompanyLogo", "Favicon",
					      "SelfServiceBanner" };
	dg_gen *g = &x->g;
	unsigned i;

	for (i = 0; i < N(wftypes); i++) {
		gen_begin(x, TFS_KIND_METADATA, "WorkflowType", "WorkflowType",
			  wftypes[i][0], NULL);
		dg_attr(g, "category", wftypes[i][1]);
		if (gen_finish_config(x))
			return g->error;
	}
	for (i = 0; i < N(brandings); i++) {
		gen_begin(x, TFS_KIND_METADATA, "Branding", "Branding",
			  brandings[i][0], NULL);
		dg_attr(g, "logo", "CompanyLogo");
		dg_attr(g, "theme", brandings[i][1]);
		dg_el(g, "Color");
		dg_attr(g, "name", "primary");
		dg_attr(g, "value",
			x->cur_differs ? "#0d47a1" : brandings[i][2]);
		dg_end(g);
		dg_el(g, "Color");
		dg_attr(g, "name", "background");
		dg_attr(g, "value", brandings[i][3]);
		dg_end(g);
		if (gen_finish_config(x))
			return g->error;
	}
	for (i = 0; i < N(images); i++) {
		gen_begin(x, TFS_KIND_METADATA, "Image", "Image", images[i],
			  NULL);
		dg_attr(g, "mimeType", "image/svg+xml");
		gen_icon_data(x, images[i]);
		if (gen_finish_config(x))
			return g->error;
	}
	for (i = 0; i < N(specials); i++) {
		gen_begin(x, TFS_KIND_METADATA, "SpecialPart", "SpecialPart",
			  specials[i][0], NULL);
		dg_attr(g, "kind", specials[i][1]);
		if (specials[i][2])
			dg_text(g, "Content", specials[i][2]);
		if (gen_finish_config(x))
			return g->error;
	}
	gen_begin(x, TFS_KIND_METADATA, "Role", "Role", "Administrator", NULL);
	dg_attr_bool(g, "admin", true);
	gen_describe(x, "%s: full access to everything",
		     "Tenant administrators");
	if (gen_finish_config(x))
		return g->error;
	for (i = 0; i < N(lists); i++) {
		unsigned n;
		const char *const *items = gen_list_items(lists[i].name, &n);

		if (gen_list_doc(x, lists[i].name, lists[i].bo,
				 lists[i].description, items, n) ||
		    gen_list_definition(x, lists[i].name, lists[i].name,
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
		{ "AutoCloseDays", "5" },
		{ "SLAWarningPercent", "75" },
	};
	dg_gen *g = &x->g;
	unsigned i;

	gen_begin(x, TFS_KIND_SETTINGS, "AllowedAttachments",
		  "AllowedAttachments", "Default", NULL);
	dg_attr_int(g, "maxSizeKB", x->cur_differs ? 51200 : 25600);
	dg_attr(g, "extensions", "pdf,docx,xlsx,pptx,txt,csv,png,jpg,zip");
	if (gen_finish_config(x))
		return g->error;
	gen_begin(x, TFS_KIND_SETTINGS, "AuthenticationProvider",
		  "AuthenticationProvider", "Internal", NULL);
	dg_attr(g, "kind", "Internal");
	dg_attr_bool(g, "enabled", true);
	if (gen_finish_config(x))
		return g->error;
	gen_begin(x, TFS_KIND_SETTINGS, "AuthenticationProvider",
		  "AuthenticationProvider", "CorporateSSO", NULL);
	dg_attr(g, "kind", "SAML");
	dg_attr(g, "entityId", "https://itsm.example.com/sso/saml");
	dg_attr(g, "clientSecret", "gen-sso-4Jv8qW2n");
	if (gen_finish_config(x))
		return g->error;
	gen_begin(x, TFS_KIND_SETTINGS, "BulkUploadProfile",
		  "BulkUploadProfile", "EmployeeImport", NULL);
	dg_attr(g, "businessObject", "Employee");
	dg_attr(g, "format", "csv");
	dg_attr(g, "matchField", "LoginID");
	if (gen_finish_config(x))
		return g->error;
	gen_begin(x, TFS_KIND_SETTINGS, "DynamicStyle", "DynamicStyle",
		  "Incident.Critical", NULL);
	dg_attr(g, "businessObject", "Incident");
	dg_attr(g, "condition", "Priority == \"1\"");
	if (gen_finish_config(x))
		return g->error;
	for (i = 0; i < N(constants); i++) {
		gen_begin(x, TFS_KIND_SETTINGS, "GlobalConstant",
			  "GlobalConstant", constants[i][0], NULL);
		dg_attr(g, "value", constants[i][1]);
		if (gen_finish_config(x))
			return g->error;
	}
	gen_begin(x, TFS_KIND_SETTINGS, "IntegrationSetting",
		  "IntegrationSetting", "MonitoringWebhook", NULL);
	dg_attr(g, "endpoint", "https://monitor.example.com/api/v2");
	dg_attr(g, "apiKey", "gen-mon-71c2a9e4");
	dg_attr(g, "businessObject", "Incident");
	if (gen_finish_config(x))
		return g->error;
	gen_begin(x, TFS_KIND_SETTINGS, "LdapConfiguration",
		  "LdapConfiguration", "CorporateAD", NULL);
	dg_attr(g, "host", "ldap.example.com");
	dg_attr_int(g, "port", 636);
	dg_attr(g, "bindDn", "CN=svc-itsm,OU=Service,DC=example,DC=com");
	dg_attr(g, "bindPassword", "gen-Ldap-9tR4");
	dg_attr(g, "businessObject", "Employee");
	if (gen_finish_config(x))
		return g->error;
	gen_begin(x, TFS_KIND_SETTINGS, "ObjectMatchingList",
		  "ObjectMatchingList", "Employee.ByEmail", NULL);
	dg_attr(g, "businessObject", "Employee");
	dg_el(g, "Match");
	dg_attr(g, "field", "PrimaryEmail");
	dg_end(g);
	if (gen_finish_config(x))
		return g->error;
	gen_begin(x, TFS_KIND_SETTINGS, "PasswordPolicy", "PasswordPolicy",
		  "Default", NULL);
	dg_attr_int(g, "minLength", x->cur_differs ? 14 : 12);
	dg_attr_int(g, "maxAgeDays", 90);
	if (gen_finish_config(x))
		return g->error;
	gen_begin(x, TFS_KIND_SETTINGS, "VoiceIntegration", "VoiceIntegration",
		  "ContactCenter", NULL);
	dg_attr(g, "provider", "GenericCTI");
	dg_attr(g, "host", "cti.example.com");
	if (gen_finish_config(x))
		return g->error;
	gen_begin(x, TFS_KIND_SETTINGS, "EmailConfiguration",
		  "EmailConfiguration", "Outbound", NULL);
	dg_attr(g, "server", "smtp.example.com");
	dg_attr_int(g, "port", 587);
	dg_attr(g, "password", "gen-Smtp-2wQ7");
	return gen_finish_config(x);
}

static int role_doc(gen *x, const char *name, const gen_bo *const *bos,
		    unsigned n, const char *access)
{
	dg_gen *g = &x->g;
	unsigned i;

	gen_begin(x, TFS_KIND_METADATA, "Role", "Role", name, NULL);
	dg_attr_bool(g, "admin", false);
	for (i = 0; i < n; i++) {
		dg_el(g, "Permission");
		dg_attr(g, "businessObject", bos[i]->name);
		dg_attr(g, "access",
			x->cur_differs && i == 0 ? "read" : access);
		dg_end(g);
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
		if (gen_bundle(x, &core[i], i == 0))
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
	"Asset",      "Fleet",       "Facility",    "Procurement", "Finance",
	"Legal",      "Security",    "Training",    "Project",     "Supplier",
	"Release",    "Event",       "Access",      "License",     "Inventory",
	"Compliance", "Audit",       "Risk",        "Travel",      "Payroll",
	"Recruiting", "Onboarding",  "Marketing",   "Sales",       "Quality",
	"Lab",        "Clinic",      "Warehouse",   "Shipping",    "Billing",
	"Portal",     "Network",     "Cloud",       "Backup",      "Telecom",
	"Energy",     "Maintenance", "Hospitality", "Media",       "Research",
};

static const struct {
	const char *word, *number;
} entities[] = {
	{ "Request", "RequestNumber" },
	{ "Item", "ItemNumber" },
	{ "Case", "CaseNumber" },
	{ "Order", "OrderNumber" },
	{ "Approval", "ApprovalNumber" },
	{ "Assignment", "AssignmentNumber" },
	{ "Schedule", "ScheduleNumber" },
	{ "Review", "ReviewNumber" },
	{ "Plan", "PlanNumber" },
	{ "Entry", "EntryNumber" },
	{ "Check", "CheckNumber" },
	{ "Visit", "VisitNumber" },
	{ "Booking", "BookingNumber" },
	{ "Claim", "ClaimNumber" },
	{ "Expense", "ExpenseNumber" },
	{ "Budget", "BudgetNumber" },
	{ "Permit", "PermitNumber" },
	{ "Inspection", "InspectionNumber" },
	{ "Delivery", "DeliveryNumber" },
	{ "Survey", "SurveyNumber" },
	{ "Feedback", "FeedbackNumber" },
	{ "Policy", "PolicyNumber" },
	{ "Agreement", "AgreementNumber" },
	{ "Allocation", "AllocationNumber" },
	{ "Reservation", "ReservationNumber" },
	{ "Incident", "CaseNumber" },
	{ "Exception", "ExceptionNumber" },
	{ "Milestone", "MilestoneNumber" },
	{ "Certificate", "CertificateNumber" },
	{ "Finding", "FindingNumber" },
	{ "Measurement", "MeasurementNumber" },
	{ "Contact", "ContactNumber" },
};

static const gen_field pool[] = {
	PK("Priority", 10, "Priority"),
	PK("Category", 60, "Category"),
	LK("Owner", "Employee"),
	LK("OwnerTeam", "Team"),
	LK("RequestedBy", "Employee"),
	LK("LocationLink", "Location"),
	LK("VendorLink", "Vendor"),
	LK("ContractLink", "Contract"),
	LK("CILink", "CI"),
	DT("DueDate"),
	DA("StartDate"),
	DA("EndDate"),
	DT("ApprovedDateTime"),
	LK("ApprovedBy", "Employee"),
	MO("Amount"),
	IN("Quantity", 0),
	NU("Score"),
	BO_("IsApproved"),
	BO_("IsBillable"),
	TX("Reference", 60, 'c'),
	TX("CostCenter", 20, 'c'),
	TX("Notes", 4000, 'x'),
	{ "ExternalId", 'G', 0, NULL, 0 },
	PK("Country", 60, "Country"),
	PK("Impact", 20, "Impact"),
	PK("Urgency", 20, "Urgency"),
	PK("Source", 30, "Source"),
	TX("Resolution", 4000, 'x'),
	DT("ClosedDateTime"),
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
					(k * 7919u)) %
			     N(pool);

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
		if ((error = gen_bundle(x, bo, false)) != 0)
			break;
		if (i % 8 != 7)
			continue;
		if ((error = role_doc(x,
				      gen_dotted(name, group[0]->name, "Agents"),
				      group, 8, "write")) != 0 ||
		    (error = role_doc(
			     x, gen_dotted(name, group[0]->name, "Managers"),
			     group, 8, "full")) != 0)
			break;
	}
	free(mods);
	return error;
}
