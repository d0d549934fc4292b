/*
 * Demo content: the user-facing metadata built on the business objects of
 * demo_bo.c.  Forms, grids and layouts; roles and branding; searches,
 * dashboards and their parts; reports and images.  (Workflows, quick
 * actions and rules are in demo_process.c.)
 *
 * The tables use compact specs to stay readable: a form is a list of field
 * names with "[Section ... ]" groups, a grid "Field:width ...", a layout
 * "F:form G:grid ...".  Every name in a spec must exist in demo_bo.c or in
 * the tables here (tests/unit/test_demo.c checks the closure).  Called from
 * tfs_demo_generate() through demo_gen_metadata().
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "demo_int.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void begin(demo_gen *g, const char *type, const char *name,
		  const char *bo)
{
	demo_begin(g, TFS_KIND_METADATA, type, type, name, bo);
}

/* ---- forms, grids, layouts ----------------------------------------------- */

static const struct {
	const char *name, *bo, *caption, *spec;
} forms[] = {
	{ "Incident.Default", "Incident", "Incident",
	  "IncidentNumber Status CreatedDateTime "
	  "[Customer ProfileLink OrgUnitLink LocationLink IsVIP ] "
	  "[Details Subject Symptom Category Service Source CILink ] "
	  "[Classification Urgency Impact Priority ResponseDeadline "
	  "ResolutionDeadline ] [Assignment OwnerTeam Owner ] "
	  "[Resolution CauseCode Resolution ResolvedDateTime ProblemLink "
	  "FirstCallResolution TotalTimeSpent ]" },
	{ "Incident.Mobile", "Incident", "Incident",
	  "IncidentNumber Subject Status Priority Owner ProfileLink" },
	{ "Incident.SelfService", "Incident", "Report a problem",
	  "Subject Symptom Category Urgency" },
	{ "Incident.Resolve", "Incident", "Resolve Incident",
	  "CauseCode Resolution FirstCallResolution" },
	{ "Problem.Default", "Problem", "Problem",
	  "ProblemNumber Status [Details Subject Description Category "
	  "Urgency Impact Priority ] [Assignment OwnerTeam Owner ] "
	  "[Analysis RootCause Workaround IsKnownError ResolvedDateTime ]" },
	{ "Change.Default", "Change", "Change",
	  "ChangeNumber Status [Details Subject Description Category "
	  "TypeOfChange Risk Urgency Impact Priority RequestorLink ] "
	  "[Schedule ScheduledStartDate ScheduledEndDate ActualEndDate ] "
	  "[Plan ImplementationPlan BackoutPlan EstimatedCost ] "
	  "[Assignment OwnerTeam Owner CABApproved ]" },
	{ "Change.CAB", "Change", "CAB Review",
	  "ChangeNumber Subject TypeOfChange Risk ScheduledStartDate "
	  "ScheduledEndDate ImplementationPlan BackoutPlan CABApproved" },
	{ "ServiceReq.Default", "ServiceReq", "Service Request",
	  "ServiceReqNumber Status ApprovalStatus [Request "
	  "RequestOfferingLink Subject Description Category Urgency Quantity "
	  "TotalCost ExpectedDate ] [Requester ProfileLink ] "
	  "[Assignment OwnerTeam Owner FulfilledDateTime ]" },
	{ "ServiceReq.SelfService", "ServiceReq", "Request something",
	  "RequestOfferingLink Subject Description Urgency Quantity" },
	{ "Task.Default", "Task", "Task",
	  "AssignmentID Status TaskType Priority [Details Subject Details "
	  "ParentBusinessObject ParentLink ] [Assignment OwnerTeam Owner "
	  "DueDate ] [Effort PlannedEffort ActualEffort CompletedDateTime ]" },
	{ "Employee.Default", "Employee", "Employee",
	  "LoginID Status [Person FirstName LastName DisplayName Title "
	  "PrimaryEmail Phone MobilePhone Language Photo ] [Organisation "
	  "OrgUnitLink LocationLink ManagerLink PrimaryTeam CostCenter IsVIP "
	  "Disabled ]" },
	{ "Team.Default", "Team", "Team",
	  "TeamName Description TeamEmail ManagerLink OrgUnitLink IsActive" },
	{ "OrgUnit.Default", "OrgUnit", "Organizational Unit",
	  "OrgUnitName Description ParentLink ManagerLink LocationLink "
	  "CostCenter" },
	{ "RequestOffering.Default", "RequestOffering", "Request Offering",
	  "OfferingName Status [Catalogue Description Category Price "
	  "DeliveryTargetDays ] [Fulfilment RequiresApproval OwnerTeam ]" },
	{ "EscalationSchedule.Default", "EscalationSchedule",
	  "Escalation Schedule",
	  "ScheduleName Description Priority BusinessHours ResponseMinutes "
	  "ResolutionMinutes WarningPercent EscalateToTeam IsActive" },
	{ "Journal.Default", "Journal", "Journal",
	  "JournalNumber Category Source Subject Body ParentBusinessObject "
	  "ParentLink IsPublic" },
	{ "Category.Default", "Category", "Category",
	  "CategoryName Description ParentLink DefaultTeam IsActive" },
	{ "Location.Default", "Location", "Location",
	  "LocationName Address City Country TimeZone IsActive" },
	{ "FRS_Knowledge.Default", "FRS_Knowledge", "Knowledge Article",
	  "ArticleNumber Status [Article Title Body Keywords Category ] "
	  "[Publishing AuthorLink PublishedDateTime ExpiryDate IsPublic "
	  "ViewCount ]" },
	{ "FRS_Knowledge.QandA.Default", "FRS_Knowledge.QandA",
	  "Question and Answer", "Question Answer ArticleLink SortOrder" },
	{ "CI.Default", "CI", "Configuration Item",
	  "Name AssetTag SerialNumber Status Manufacturer Model OwnerLink "
	  "OwnerTeam LocationLink PurchaseDate WarrantyExpiry" },
	{ "CI#Computer.Default", "CI#Computer", "Computer",
	  "Name AssetTag Status [Hardware Manufacturer Model SerialNumber "
	  "CPU MemoryGB DiskGB IsLaptop ] [Software Hostname OperatingSystem "
	  "IPAddress ] [Ownership OwnerLink OwnerTeam LocationLink "
	  "PurchaseDate WarrantyExpiry ]" },
	{ "CI#Server.Default", "CI#Server", "Server",
	  "Name Hostname AssetTag Status [Hardware Manufacturer Model "
	  "SerialNumber CPUCount MemoryGB IsVirtual ] [Service ServerRole "
	  "OperatingSystem IPAddress OwnerTeam LocationLink ]" },
};

static int gen_forms(demo_gen *g)
{
	char tok[64];
	unsigned i;

	for (i = 0; i < N(forms); i++) {
		const char *s = forms[i].spec;
		bool section = false;

		begin(g, "Form", forms[i].name, forms[i].bo);
		demo_attr(g, "caption", forms[i].caption);
		while (demo_next_token(&s, ' ', tok, sizeof(tok))) {
			if (tok[0] == '[') {
				assert(!section);
				demo_el(g, "Section");
				demo_attr(g, "name", tok + 1);
				section = true;
			} else if (!strcmp(tok, "]")) {
				assert(section);
				demo_end(g);
				section = false;
			} else {
				demo_el(g, "FieldRef");
				demo_attr(g, "name", tok);
				demo_end(g);
			}
		}
		if (demo_finish_config(g))
			return g->error;
	}
	return 0;
}

static const struct {
	const char *name, *bo, *spec;
} grids[] = {
	{ "Incident.List", "Incident", "IncidentNumber:80 Subject:300 "
	  "Status:110 Priority:60 OwnerTeam:140 Owner:140 "
	  "CreatedDateTime:140" },
	{ "Incident.Mobile", "Incident",
	  "IncidentNumber:70 Subject:200 Status:90" },
	{ "Problem.List", "Problem", "ProblemNumber:80 Subject:300 "
	  "Status:110 Priority:60 OwnerTeam:140 IsKnownError:80" },
	{ "Change.List", "Change", "ChangeNumber:80 Subject:300 Status:110 "
	  "TypeOfChange:100 Risk:80 ScheduledStartDate:140 OwnerTeam:140" },
	{ "ServiceReq.List", "ServiceReq", "ServiceReqNumber:80 Subject:260 "
	  "Status:110 RequestOfferingLink:180 ProfileLink:140 "
	  "CreatedDateTime:140" },
	{ "Task.List", "Task", "AssignmentID:80 Subject:260 Status:100 "
	  "Owner:140 OwnerTeam:140 DueDate:100" },
	{ "Employee.List", "Employee", "DisplayName:180 LoginID:120 "
	  "PrimaryEmail:220 Title:160 OrgUnitLink:140 Status:80" },
	{ "Team.List", "Team",
	  "TeamName:180 TeamEmail:220 ManagerLink:160 IsActive:60" },
	{ "OrgUnit.List", "OrgUnit",
	  "OrgUnitName:200 ParentLink:180 CostCenter:80" },
	{ "RequestOffering.List", "RequestOffering", "OfferingName:220 "
	  "Category:140 Status:90 Price:80 DeliveryTargetDays:80" },
	{ "EscalationSchedule.List", "EscalationSchedule", "ScheduleName:180 "
	  "Priority:60 ResponseMinutes:90 ResolutionMinutes:90 "
	  "BusinessHours:140" },
	{ "Journal.List", "Journal", "JournalNumber:80 Category:110 "
	  "Subject:300 CreatedBy:120 CreatedDateTime:140" },
	{ "Category.List", "Category",
	  "CategoryName:200 ParentLink:160 DefaultTeam:160 IsActive:60" },
	{ "Location.List", "Location",
	  "LocationName:180 City:120 Country:120 TimeZone:140" },
	{ "FRS_Knowledge.List", "FRS_Knowledge", "ArticleNumber:80 "
	  "Title:320 Status:90 Category:140 ViewCount:70" },
	{ "FRS_Knowledge.QandA.List", "FRS_Knowledge.QandA",
	  "SortOrder:50 Question:400" },
	{ "CI.List", "CI", "Name:160 AssetTag:100 Status:90 OwnerLink:160 "
	  "LocationLink:140" },
	{ "CI#Computer.List", "CI#Computer", "Name:160 Hostname:140 "
	  "OperatingSystem:160 OwnerLink:160 Status:90" },
	{ "CI#Server.List", "CI#Server", "Name:160 Hostname:140 "
	  "ServerRole:160 OperatingSystem:160 IsVirtual:60" },
};

static int gen_grids(demo_gen *g)
{
	char tok[64];
	unsigned i;

	for (i = 0; i < N(grids); i++) {
		const char *s = grids[i].spec;

		begin(g, "Grid", grids[i].name, grids[i].bo);
		while (demo_next_token(&s, ' ', tok, sizeof(tok))) {
			char *colon = strchr(tok, ':');

			assert(colon);
			*colon = '\0';
			demo_el(g, "Column");
			demo_attr(g, "field", tok);
			demo_attr(g, "width", colon + 1);
			demo_end(g);
		}
		if (demo_finish_config(g))
			return g->error;
	}
	return 0;
}

static const struct {
	const char *name, *bo, *form, *grid;
} extra_layouts[] = {
	{ "Incident.Mobile", "Incident", "Incident.Mobile",
	  "Incident.Mobile" },
	{ "Incident.SelfService", "Incident", "Incident.SelfService",
	  "Incident.List" },
	{ "ServiceReq.SelfService", "ServiceReq", "ServiceReq.SelfService",
	  "ServiceReq.List" },
	{ "Change.CAB", "Change", "Change.CAB", "Change.List" },
};

/* Every business object has <BO>.Default (its default form and list). */
static int gen_layouts(demo_gen *g)
{
	char name[160], form[160], grid[160];
	const char *bo;
	unsigned i;

	for (i = 0; (bo = demo_bo_name(i)) != NULL; i++) {
		snprintf(name, sizeof(name), "%s.Default", bo);
		snprintf(form, sizeof(form), "%s.Default", bo);
		snprintf(grid, sizeof(grid), "%s.List", bo);
		begin(g, "Layout", name, bo);
		demo_ref(g, "FormRef", form);
		demo_ref(g, "GridRef", grid);
		if (!strcmp(bo, "Incident"))
			demo_ref(g, "FormRef", "Incident.Resolve");
		if (demo_finish_config(g))
			return g->error;
	}
	for (i = 0; i < N(extra_layouts); i++) {
		begin(g, "Layout", extra_layouts[i].name, extra_layouts[i].bo);
		demo_ref(g, "FormRef", extra_layouts[i].form);
		demo_ref(g, "GridRef", extra_layouts[i].grid);
		if (demo_finish_config(g))
			return g->error;
	}
	return 0;
}

/* ---- roles and branding -------------------------------------------------- */

/*
 * Permissions are "BO=access" separated by spaces; an admin role gets full
 * access to every business object instead.
 */
static const struct {
	const char *name, *description, *perms;
	bool admin;
} roles[] = {
	{ "SelfService", "Employees using the self-service portal",
	  "Incident=write ServiceReq=write Journal=write FRS_Knowledge=read "
	  "FRS_Knowledge.QandA=read RequestOffering=read Employee=read "
	  "Category=read Location=read", false },
	{ "ServiceDeskAnalyst", "First and second line support",
	  "Incident=full ServiceReq=full Task=write Journal=full "
	  "Problem=write Change=read Employee=read Team=read OrgUnit=read "
	  "RequestOffering=read EscalationSchedule=read Category=read "
	  "Location=read FRS_Knowledge=write FRS_Knowledge.QandA=write "
	  "CI=read CI#Computer=read CI#Server=read", false },
	{ "ProblemManager", "Owns problems and known errors",
	  "Problem=full Incident=write Change=write Task=write Journal=full "
	  "FRS_Knowledge=write CI=read Employee=read Team=read", false },
	{ "ChangeManager", "Chairs the change advisory board",
	  "Change=full Task=full Journal=full Incident=read Problem=write "
	  "CI=write CI#Computer=write CI#Server=write Employee=read "
	  "Team=read", false },
	{ "KnowledgeManager", "Reviews and publishes articles",
	  "FRS_Knowledge=full FRS_Knowledge.QandA=full Incident=read "
	  "Category=read", false },
	{ "AssetManager", "Keeps the CMDB accurate",
	  "CI=full CI#Computer=full CI#Server=full Location=write "
	  "Employee=read Change=read", false },
	{ "Auditor", "Read-only access for compliance reviews",
	  "Incident=read Problem=read Change=read ServiceReq=read Task=read "
	  "Journal=read Employee=read Team=read OrgUnit=none", false },
	{ "Administrator", "Configures the tenant", NULL, true },
};

static int gen_roles(demo_gen *g)
{
	char tok[96];
	const char *bo;
	unsigned i, j;

	for (i = 0; i < N(roles); i++) {
		const char *s = roles[i].perms;

		begin(g, "Role", roles[i].name, NULL);
		demo_attr(g, "description", roles[i].description);
		demo_attr_bool(g, "admin", roles[i].admin);
		while (s && demo_next_token(&s, ' ', tok, sizeof(tok))) {
			char *eq = strchr(tok, '=');

			assert(eq);
			*eq = '\0';
			demo_el(g, "Permission");
			demo_attr(g, "businessObject", tok);
			demo_attr(g, "access", eq + 1);
			demo_end(g);
		}
		for (j = 0; roles[i].admin && (bo = demo_bo_name(j)); j++) {
			demo_el(g, "Permission");
			demo_attr(g, "businessObject", bo);
			demo_attr(g, "access", "full");
			demo_end(g);
		}
		if (demo_finish_config(g))
			return g->error;
	}
	return 0;
}

static const struct {
	const char *name, *logo, *theme, *colors;
} brandings[] = {
	{ "Default", "CompanyLogo", "Light",
	  "primary=#1565c0 secondary=#455a64 accent=#ff8f00 "
	  "header=#0d47a1 background=#ffffff text=#212121" },
	{ "SelfService", "SelfServiceBanner", "Light",
	  "primary=#00897b secondary=#546e7a accent=#fdd835 "
	  "background=#fafafa text=#263238" },
	{ "HighContrast", "CompanyLogo", "Dark",
	  "primary=#ffeb3b secondary=#ffffff background=#000000 "
	  "text=#ffffff" },
};

static int gen_branding(demo_gen *g)
{
	char tok[64];
	unsigned i;

	for (i = 0; i < N(brandings); i++) {
		const char *s = brandings[i].colors;

		begin(g, "Branding", brandings[i].name, NULL);
		demo_attr(g, "logo", brandings[i].logo);
		demo_attr(g, "theme", brandings[i].theme);
		while (demo_next_token(&s, ' ', tok, sizeof(tok))) {
			char *eq = strchr(tok, '=');

			assert(eq);
			*eq = '\0';
			demo_el(g, "Color");
			demo_attr(g, "name", tok);
			demo_attr(g, "value", eq + 1);
			demo_end(g);
		}
		if (demo_finish_config(g))
			return g->error;
	}
	return 0;
}

/* ---- searches, dashboards, parts ----------------------------------------- */

/*
 * Criteria are "field op value" triples separated by '|' (the value may
 * hold spaces); sorts are "field:direction".
 */
static const struct {
	const char *name, *bo, *criteria, *sorts;
} searches[] = {
	{ "Incident.MyOpenIncidents", "Incident",
	  "Owner eq $(CurrentLoginId())|Status in Logged,Active,Waiting for "
	  "Customer,Waiting for 3rd Party",
	  "Priority:asc CreatedDateTime:desc" },
	{ "Incident.MyTeamIncidents", "Incident",
	  "OwnerTeam eq $(CurrentUserTeam())|Status ne Closed",
	  "Priority:asc" },
	{ "Incident.Unassigned", "Incident",
	  "Owner isnull true|Status in Logged,Active", "CreatedDateTime:asc" },
	{ "Incident.MajorIncidents", "Incident",
	  "Priority eq 1|Status ne Closed", "CreatedDateTime:desc" },
	{ "Incident.ResolvedThisWeek", "Incident",
	  "ResolvedDateTime ge $(StartOfWeek(Today()))",
	  "ResolvedDateTime:desc" },
	{ "Incident.BreachingSLA", "Incident",
	  "ResolutionDeadline lt $(AddHours(Now(), 4))|Status in "
	  "Logged,Active", "ResolutionDeadline:asc" },
	{ "Problem.OpenProblems", "Problem",
	  "Status in Logged,Investigation,Known Error", "Priority:asc" },
	{ "Problem.KnownErrors", "Problem",
	  "IsKnownError eq true|Status ne Closed", "ProblemNumber:desc" },
	{ "Change.UpcomingChanges", "Change",
	  "ScheduledStartDate ge $(Today())|Status in Scheduled,Pending "
	  "Approval", "ScheduledStartDate:asc" },
	{ "Change.PendingApproval", "Change", "Status eq Pending Approval",
	  "ScheduledStartDate:asc" },
	{ "Change.Emergency", "Change",
	  "TypeOfChange eq Emergency|CreatedDateTime ge "
	  "$(AddDays(Today(), -30))", "CreatedDateTime:desc" },
	{ "ServiceReq.MyRequests", "ServiceReq",
	  "ProfileLink eq $(CurrentUserRecId())", "CreatedDateTime:desc" },
	{ "ServiceReq.AwaitingApproval", "ServiceReq",
	  "ApprovalStatus eq Pending", "CreatedDateTime:asc" },
	{ "Task.MyTasks", "Task",
	  "Owner eq $(CurrentLoginId())|Status in Logged,Assigned,In "
	  "Progress,Waiting", "DueDate:asc" },
	{ "FRS_Knowledge.Published", "FRS_Knowledge",
	  "Status eq Published|Title like %", "ViewCount:desc" },
	{ "Employee.ActiveEmployees", "Employee",
	  "Status eq Active|Disabled eq false", "LastName:asc FirstName:asc" },
	{ "CI#Computer.WarrantyExpiring", "CI#Computer",
	  "WarrantyExpiry le $(AddDays(Today(), 90))|Status eq Deployed",
	  "WarrantyExpiry:asc" },
};

static int gen_searches(demo_gen *g)
{
	char tok[160];
	unsigned i;

	for (i = 0; i < N(searches); i++) {
		const char *s = searches[i].criteria;

		begin(g, "Search", searches[i].name, searches[i].bo);
		while (demo_next_token(&s, '|', tok, sizeof(tok))) {
			char *op = strchr(tok, ' '), *value;

			assert(op);
			*op++ = '\0';
			value = strchr(op, ' ');
			assert(value);
			*value++ = '\0';
			demo_el(g, "Criterion");
			demo_attr(g, "field", tok);
			demo_attr(g, "op", op);
			demo_attr(g, "value", value);
			demo_end(g);
		}
		s = searches[i].sorts;
		while (demo_next_token(&s, ' ', tok, sizeof(tok))) {
			char *colon = strchr(tok, ':');

			assert(colon);
			*colon = '\0';
			demo_el(g, "Sort");
			demo_attr(g, "field", tok);
			demo_attr(g, "direction", colon + 1);
			demo_end(g);
		}
		if (demo_finish_config(g))
			return g->error;
	}
	return 0;
}

static const struct {
	const char *name, *bo, *chart, *group_by;
} chart_parts[] = {
	{ "Incident.ByPriority", "Incident", "Pie", "Priority" },
	{ "Incident.ByStatus", "Incident", "Bar", "Status" },
	{ "Incident.ByCategory", "Incident", "Column", "Category" },
	{ "Incident.ByTeam", "Incident", "Bar", "OwnerTeam" },
	{ "Incident.Trend", "Incident", "Line", "CreatedDateTime" },
	{ "Incident.SLAGauge", "Incident", "Gauge", NULL },
	{ "Change.ByRisk", "Change", "Pie", "Risk" },
	{ "Change.ByType", "Change", "Column", "TypeOfChange" },
	{ "ServiceReq.ByStatus", "ServiceReq", "Bar", "Status" },
	{ "ServiceReq.ByOffering", "ServiceReq", "Pie",
	  "RequestOfferingLink" },
	{ "FRS_Knowledge.ByCategory", "FRS_Knowledge", "Pie", "Category" },
};

static const struct {
	const char *name, *bo, *grid;
} grid_parts[] = {
	{ "Incident.MyOpen", "Incident", "Incident.List" },
	{ "Problem.Open", "Problem", "Problem.List" },
	{ "Change.PendingApproval", "Change", "Change.List" },
	{ "Task.MyTasks", "Task", "Task.List" },
	{ "ServiceReq.Recent", "ServiceReq", NULL },
};

static const struct {
	const char *name, *kind, *content;
} special_parts[] = {
	{ "ServiceDesk.Announcements", "Html",
	  "<h2>Service desk</h2><p>Planned maintenance of the e-mail "
	  "service on Saturday 22:00-02:00. Call +44 20 7946 0000 for "
	  "P1 incidents &amp; outages.</p>" },
	{ "SelfService.Welcome", "Html",
	  "<h1>Welcome to Acme IT</h1><p>Search the knowledge base, report "
	  "a problem or request something from the catalogue.</p>" },
	{ "SelfService.News", "Rss", "https://intranet.acme.example/it/"
	  "news.rss" },
	{ "Change.Calendar", "Calendar", NULL },
};

static const struct {
	const char *name, *bo, *search;
} view_parts[] = {
	{ "Incident.MyOpenIncidents", "Incident",
	  "Incident.MyOpenIncidents" },
	{ "Incident.Unassigned", "Incident", "Incident.Unassigned" },
	{ "Change.UpcomingChanges", "Change", "Change.UpcomingChanges" },
	{ "ServiceReq.MyRequests", "ServiceReq", "ServiceReq.MyRequests" },
	{ "FRS_Knowledge.Published", "FRS_Knowledge",
	  "FRS_Knowledge.Published" },
	{ "Task.All", "Task", NULL },
};

/* PartRefs are "Type:name" separated by spaces. */
static const struct {
	const char *name, *description, *parts;
	int columns;
} dashboards[] = {
	{ "ServiceDesk.Overview", "Home page of service desk analysts",
	  "ChartPart:Incident.ByPriority ChartPart:Incident.ByStatus "
	  "SpecialPart:ServiceDesk.Announcements "
	  "ViewPart:Incident.MyOpenIncidents ViewPart:Incident.Unassigned "
	  "GridPart:Incident.MyOpen", 3 },
	{ "Change.Management", "Change manager's view",
	  "ChartPart:Change.ByRisk ChartPart:Change.ByType "
	  "ViewPart:Change.UpcomingChanges SpecialPart:Change.Calendar "
	  "GridPart:Change.PendingApproval", 2 },
	{ "SelfService.Home", "Landing page of the self-service portal",
	  "SpecialPart:SelfService.Welcome ViewPart:ServiceReq.MyRequests "
	  "ViewPart:FRS_Knowledge.Published SpecialPart:SelfService.News",
	  1 },
	{ "Management.KPI", "Monthly service review figures",
	  "ChartPart:Incident.SLAGauge ChartPart:Incident.Trend "
	  "ChartPart:Incident.ByCategory ChartPart:Incident.ByTeam "
	  "ChartPart:ServiceReq.ByStatus ChartPart:ServiceReq.ByOffering "
	  "GridPart:Problem.Open", 3 },
	{ "Knowledge.Overview", NULL,
	  "ViewPart:FRS_Knowledge.Published "
	  "ChartPart:FRS_Knowledge.ByCategory", 2 },
	{ "MyWork", "Tasks and records assigned to me",
	  "GridPart:Task.MyTasks ViewPart:Task.All GridPart:ServiceReq.Recent",
	  2 },
};

static int gen_parts(demo_gen *g)
{
	unsigned i;

	for (i = 0; i < N(chart_parts); i++) {
		begin(g, "ChartPart", chart_parts[i].name, chart_parts[i].bo);
		demo_attr(g, "chartType", chart_parts[i].chart);
		if (chart_parts[i].group_by)
			demo_attr(g, "groupBy", chart_parts[i].group_by);
		if (demo_finish_config(g))
			return g->error;
	}
	for (i = 0; i < N(grid_parts); i++) {
		begin(g, "GridPart", grid_parts[i].name, grid_parts[i].bo);
		if (grid_parts[i].grid)
			demo_attr(g, "grid", grid_parts[i].grid);
		if (demo_finish_config(g))
			return g->error;
	}
	for (i = 0; i < N(special_parts); i++) {
		begin(g, "SpecialPart", special_parts[i].name, NULL);
		demo_attr(g, "kind", special_parts[i].kind);
		if (special_parts[i].content)
			demo_text(g, "Content", special_parts[i].content);
		if (demo_finish_config(g))
			return g->error;
	}
	for (i = 0; i < N(view_parts); i++) {
		begin(g, "ViewPart", view_parts[i].name, view_parts[i].bo);
		if (view_parts[i].search)
			demo_attr(g, "search", view_parts[i].search);
		if (demo_finish_config(g))
			return g->error;
	}
	return 0;
}

static int gen_dashboards(demo_gen *g)
{
	char tok[96];
	unsigned i;

	for (i = 0; i < N(dashboards); i++) {
		const char *s = dashboards[i].parts;

		begin(g, "Dashboard", dashboards[i].name, NULL);
		if (dashboards[i].description)
			demo_attr(g, "description", dashboards[i].description);
		demo_attr_int(g, "columns", dashboards[i].columns);
		while (demo_next_token(&s, ' ', tok, sizeof(tok))) {
			char *colon = strchr(tok, ':');

			assert(colon);
			*colon = '\0';
			demo_el(g, "PartRef");
			demo_attr(g, "type", tok);
			demo_attr(g, "name", colon + 1);
			demo_end(g);
		}
		if (demo_finish_config(g))
			return g->error;
	}
	return 0;
}

/* ---- reports and images -------------------------------------------------- */

/* Parameters are "name:type" separated by spaces. */
static const struct {
	const char *name, *bo, *format, *params, *description;
} reports[] = {
	{ "Incident.Aging", "Incident", "Pdf",
	  "StartDate:DateTime EndDate:DateTime OwnerTeam:Text",
	  "Open incidents by age and team" },
	{ "Incident.SLACompliance", "Incident", "Excel", "Month:Date",
	  "Response and resolution targets met per priority" },
	{ "Incident.FirstCallResolution", "Incident", "Html",
	  "StartDate:DateTime EndDate:DateTime", NULL },
	{ "Change.Summary", "Change", "Pdf",
	  "StartDate:DateTime EndDate:DateTime IncludeRejected:Boolean",
	  "Changes implemented, failed and backed out" },
	{ "ServiceReq.FulfillmentTimes", "ServiceReq", "Html",
	  "Offering:Text Months:Integer", NULL },
	{ "Employee.Directory", "Employee", "Excel", NULL,
	  "Names, teams and contact details" },
	{ "CI#Computer.WarrantyReport", "CI#Computer", "Excel",
	  "Days:Integer", NULL },
	{ "Management.MonthlyServiceReview", NULL, "Pdf", "Month:Date",
	  "Service review pack for the IT leadership team" },
};

static int gen_reports(demo_gen *g)
{
	char tok[96];
	unsigned i;

	for (i = 0; i < N(reports); i++) {
		const char *s = reports[i].params;

		begin(g, "Report", reports[i].name, reports[i].bo);
		if (reports[i].description)
			demo_attr(g, "description", reports[i].description);
		demo_attr(g, "format", reports[i].format);
		while (s && demo_next_token(&s, ' ', tok, sizeof(tok))) {
			char *colon = strchr(tok, ':');

			assert(colon);
			*colon = '\0';
			demo_el(g, "Parameter");
			demo_attr(g, "name", tok);
			demo_attr(g, "type", colon + 1);
			demo_end(g);
		}
		if (demo_finish_config(g))
			return g->error;
	}
	return 0;
}

/* 16x16 and 8x8 solid PNGs (IHDR, one zlib IDAT, IEND). */
static const unsigned char logo_png[] = {
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00,
	0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00,
	0x00, 0x10, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x91, 0x68, 0x36,
	0x00, 0x00, 0x00, 0x16, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63,
	0x10, 0x4d, 0x3d, 0x40, 0x12, 0x62, 0x18, 0xd5, 0x30, 0xaa, 0x61,
	0xf8, 0x6a, 0x00, 0x00, 0x44, 0x30, 0x3a, 0x10, 0x86, 0x9e, 0x1c,
	0xcd, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42,
	0x60, 0x82,
};

static const unsigned char favicon_png[] = {
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00,
	0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00,
	0x00, 0x08, 0x08, 0x02, 0x00, 0x00, 0x00, 0x4b, 0x6d, 0x29, 0xdc,
	0x00, 0x00, 0x00, 0x11, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63,
	0x38, 0xa6, 0xa1, 0x81, 0x15, 0x31, 0x0c, 0x2d, 0x09, 0x00, 0x4f,
	0xdd, 0x45, 0x81, 0xc9, 0x96, 0x72, 0x95, 0x00, 0x00, 0x00, 0x00,
	0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
};

static const struct {
	const char *name, *color, *shape;
} icons[] = {
	{ "Icon.Incident", "#c62828",
	  "<path d='M12 2 L22 20 L2 20 Z'/>" },
	{ "Icon.Change", "#1565c0",
	  "<path d='M4 8 H18 L14 4 M20 16 H6 L10 20'/>" },
	{ "Icon.ServiceReq", "#00897b",
	  "<rect x='4' y='3' width='16' height='18' rx='2'/>" },
	{ "Icon.Knowledge", "#6a1b9a",
	  "<path d='M4 4 H11 V20 H4 Z M13 4 H20 V20 H13 Z'/>" },
	{ "SelfServiceBanner", "#00897b",
	  "<rect width='24' height='24'/><circle cx='12' cy='12' r='6' "
	  "fill='#ffffff'/>" },
};

static int gen_images(demo_gen *g)
{
	char svg[512];
	unsigned i;
	int n;

	begin(g, "Image", "CompanyLogo", NULL);
	demo_attr(g, "description", "Acme logo for headers and e-mails");
	demo_attr(g, "mimeType", "image/png");
	demo_text_base64(g, "Data", logo_png, sizeof(logo_png));
	if (demo_finish_config(g))
		return g->error;

	begin(g, "Image", "Favicon", NULL);
	demo_attr(g, "mimeType", "image/png");
	demo_text_base64(g, "Data", favicon_png, sizeof(favicon_png));
	if (demo_finish_config(g))
		return g->error;

	for (i = 0; i < N(icons); i++) {
		n = snprintf(svg, sizeof(svg),
			     "<svg xmlns='http://www.w3.org/2000/svg' "
			     "viewBox='0 0 24 24' fill='%s' stroke='%s'>%s"
			     "</svg>", icons[i].color, icons[i].color,
			     icons[i].shape);
		assert(n > 0 && (size_t)n < sizeof(svg));
		begin(g, "Image", icons[i].name, NULL);
		demo_attr(g, "mimeType", "image/svg+xml");
		demo_text_base64(g, "Data", svg, (size_t)n);
		if (demo_finish_config(g))
			return g->error;
	}
	return 0;
}

int demo_gen_metadata(demo_gen *g)
{
	if (demo_gen_schema(g) || gen_forms(g) || gen_grids(g) ||
	    gen_layouts(g) || demo_gen_processes(g) || gen_roles(g) ||
	    gen_branding(g) ||
	    gen_searches(g) || gen_parts(g) || gen_dashboards(g) ||
	    gen_reports(g) || gen_images(g))
		return g->error;
	return 0;
}
