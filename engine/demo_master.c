/*
 * Demo content, part 3: master data (master/<BO>/<Key>.xml).  Locations,
 * org units, teams, employees, categories, request offerings and
 * escalation schedules of the fictitious Acme Corporation.
 *
 * Master data depends on nothing but these tables (no clock, no random
 * stream), so every instance gets the same bytes; only the mtimes follow
 * `now`.  The tables are shared with demo_data.c, whose records link to
 * these keys, and with demo_bo.c (the Category pick list).  Called from
 * tfs_demo_generate() through demo_gen_master().
 */
#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "demo_int.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

const demo_category demo_categories[] = {
	{ "Hardware", "Hardware", NULL, "DesktopSupport" },
	{ "Laptop", "Laptop", "Hardware", NULL },
	{ "Desktop", "Desktop", "Hardware", NULL },
	{ "Monitor", "Monitor", "Hardware", NULL },
	{ "Printer", "Printer", "Hardware", NULL },
	{ "MobileDevice", "Mobile Device", "Hardware", NULL },
	{ "Software", "Software", NULL, "ApplicationSupport" },
	{ "EmailAndCalendar", "Email and Calendar", "Software", NULL },
	{ "OfficeApplications", "Office Applications", "Software", NULL },
	{ "BusinessApplication", "Business Application", "Software", NULL },
	{ "OperatingSystem", "Operating System", "Software",
	  "DesktopSupport" },
	{ "Network", "Network", NULL, "NetworkOperations" },
	{ "VPN", "VPN", "Network", NULL },
	{ "WiFi", "Wi-Fi", "Network", NULL },
	{ "Telephony", "Telephony", "Network", NULL },
	{ "AccessAndAccounts", "Access and Accounts", NULL, "ServiceDesk" },
	{ "PasswordReset", "Password Reset", "AccessAndAccounts", NULL },
	{ "Security", "Security", NULL, "SecurityOperations" },
	{ "Server", "Server", NULL, "ServerOperations" },
	{ "Database", "Database", "Server", "DatabaseAdministration" },
	{ "Facilities", "Facilities", NULL, "Facilities" },
	{ "HRServices", "HR Services", NULL, "HRServices" },
};
const unsigned demo_ncategories = N(demo_categories);

const demo_team demo_teams[] = {
	{ "ServiceDesk", "Service Desk", "Acme.IT.ServiceManagement",
	  "Service Desk Analyst", "Service Desk Manager", 8 },
	{ "DesktopSupport", "Desktop Support", "Acme.IT.ServiceManagement",
	  "Desktop Support Technician", "Desktop Support Lead", 5 },
	{ "NetworkOperations", "Network Operations", "Acme.IT.Infrastructure",
	  "Network Engineer", "Network Manager", 4 },
	{ "ServerOperations", "Server Operations", "Acme.IT.Infrastructure",
	  "Systems Administrator", "Infrastructure Manager", 4 },
	{ "DatabaseAdministration", "Database Administration",
	  "Acme.IT.Infrastructure", "Database Administrator",
	  "Lead Database Administrator", 3 },
	{ "ApplicationSupport", "Application Support", "Acme.IT.Applications",
	  "Application Analyst", "Applications Manager", 4 },
	{ "SecurityOperations", "Security Operations", "Acme.IT.Security",
	  "Security Analyst", "Information Security Officer", 3 },
	{ "ChangeAdvisoryBoard", "Change Advisory Board",
	  "Acme.IT.ServiceManagement", "Change Coordinator", "Change Manager",
	  2 },
	{ "Facilities", "Facilities", "Acme.Operations",
	  "Facilities Coordinator", "Facilities Manager", 2 },
	{ "HRServices", "HR Services", "Acme.HR", "HR Advisor",
	  "HR Operations Manager", 2 },
};
const unsigned demo_nteams = N(demo_teams);

const demo_offering demo_offerings[] = {
	{ "PasswordReset", "Password Reset", "Password Reset", "ServiceDesk",
	  "ServiceReq.PasswordReset", "Published", 0, 1, false, 18 },
	{ "SoftwareInstall", "Software Installation", "Office Applications",
	  "DesktopSupport", "ServiceReq.SoftwareRequest", "Published", 0, 3,
	  false, 16 },
	{ "ApplicationAccess", "Access to a Business Application",
	  "Access and Accounts", "ServiceDesk", "ServiceReq.AccessRequest",
	  "Published", 0, 3, true, 12 },
	{ "NewMonitor", "Additional Monitor", "Monitor", "DesktopSupport",
	  "ServiceReq.HardwareRequest", "Published", 22000, 5, false, 8 },
	{ "NewLaptop", "New Laptop", "Laptop", "DesktopSupport",
	  "ServiceReq.HardwareRequest", "Published", 145000, 7, true, 8 },
	{ "SharedMailbox", "Shared Mailbox", "Email and Calendar",
	  "ApplicationSupport", "ServiceReq.AccessRequest", "Published", 0, 3,
	  true, 6 },
	{ "VPNAccess", "VPN Access", "VPN", "NetworkOperations",
	  "ServiceReq.AccessRequest", "Published", 0, 2, true, 6 },
	{ "MobilePhone", "Mobile Phone", "Mobile Device", "DesktopSupport",
	  "ServiceReq.HardwareRequest", "Published", 65000, 5, true, 5 },
	{ "SoftwareLicense", "New Software License", "Business Application",
	  "ApplicationSupport", "ServiceReq.SoftwareRequest", "Published",
	  30000, 5, true, 5 },
	{ "NewHireOnboarding", "New Hire Onboarding", "HR Services",
	  "HRServices", "ServiceReq.NewHire", "Published", 0, 10, true, 5 },
	{ "EmployeeOffboarding", "Employee Offboarding", "HR Services",
	  "HRServices", "ServiceReq.Offboarding", "Published", 0, 5, false,
	  4 },
	{ "MeetingRoomAV", "Meeting Room AV Support", "Facilities",
	  "Facilities", "ServiceReq.Fulfillment", "Published", 0, 2, false,
	  4 },
	{ "GuestWiFi", "Guest Wi-Fi Voucher", "Wi-Fi", "NetworkOperations",
	  "ServiceReq.Fulfillment", "Draft", 0, 1, false, 0 },
	{ "DeskPhone", "Desk Phone", "Telephony", "NetworkOperations",
	  "ServiceReq.HardwareRequest", "Retired", 18000, 5, true, 0 },
};
const unsigned demo_nofferings = N(demo_offerings);

static const struct {
	const char *key, *name, *address, *city, *country, *tz, *phone;
} locations[] = {
	{ "LondonHQ", "London HQ", "1 Canada Square", "London",
	  "United Kingdom", "Europe/London", "+44 20 7946 0%03u" },
	{ "NewYork", "New York Office", "350 Fifth Avenue", "New York",
	  "United States", "America/New_York", "+1 212 555 01%02u" },
	{ "Berlin", "Berlin Office", "Friedrichstrasse 68", "Berlin",
	  "Germany", "Europe/Berlin", "+49 30 901820%02u" },
	{ "Singapore", "Singapore Office", "1 Raffles Place", "Singapore",
	  "Singapore", "Asia/Singapore", "+65 6555 0%03u" },
	{ "Austin", "Austin Data Centre", "7000 Burleson Road", "Austin",
	  "United States", "America/Chicago", "+1 512 555 01%02u" },
	{ "Remote", "Remote / Home Office", NULL, NULL, "United Kingdom",
	  "Europe/London", "+44 7700 900%03u" },
};

const char *const demo_location_keys[] = {
	"LondonHQ", "NewYork", "Berlin", "Singapore", "Austin", "Remote",
};

enum { LOC_LONDON, LOC_NEWYORK, LOC_BERLIN, LOC_SINGAPORE, LOC_AUSTIN,
       LOC_REMOTE };

static const struct {
	const char *key, *name, *parent, *cost_center, *description;
	unsigned location;
	const char *title, *lead;	/* business units: job titles */
} orgunits[] = {
	{ "Acme", "Acme Corporation", NULL, "1000", "The whole company",
	  LOC_LONDON, NULL, NULL },
	{ "Acme.IT", "Information Technology", "Acme", "2000", NULL,
	  LOC_LONDON, NULL, NULL },
	{ "Acme.IT.ServiceManagement", "IT Service Management", "Acme.IT",
	  "2100", "Service desk, desktop support and change management",
	  LOC_LONDON, NULL, NULL },
	{ "Acme.IT.Infrastructure", "IT Infrastructure", "Acme.IT", "2200",
	  "Networks, servers, storage and databases", LOC_AUSTIN, NULL,
	  NULL },
	{ "Acme.IT.Applications", "Business Applications", "Acme.IT", "2300",
	  NULL, LOC_LONDON, NULL, NULL },
	{ "Acme.IT.Security", "Information Security", "Acme.IT", "2400",
	  NULL, LOC_LONDON, NULL, NULL },
	{ "Acme.Finance", "Finance", "Acme", "3000", NULL, LOC_LONDON,
	  "Accountant", "Finance Director" },
	{ "Acme.Sales", "Sales", "Acme", "4000", NULL, LOC_NEWYORK,
	  "Account Executive", "Sales Director" },
	{ "Acme.Marketing", "Marketing", "Acme", "4500", NULL, LOC_NEWYORK,
	  "Marketing Specialist", "Marketing Director" },
	{ "Acme.Operations", "Operations", "Acme", "5000", NULL, LOC_BERLIN,
	  "Operations Coordinator", "Operations Director" },
	{ "Acme.Legal", "Legal", "Acme", "6000", NULL, LOC_LONDON,
	  "Legal Counsel", "General Counsel" },
	{ "Acme.HR", "Human Resources", "Acme", "7000", NULL, LOC_LONDON,
	  NULL, NULL },
};

const char *const demo_orgunit_keys[] = {
	"Acme", "Acme.IT", "Acme.IT.ServiceManagement",
	"Acme.IT.Infrastructure", "Acme.IT.Applications", "Acme.IT.Security",
	"Acme.Finance", "Acme.Sales", "Acme.Marketing", "Acme.Operations",
	"Acme.Legal", "Acme.HR",
};

enum { OU_ACME = 0, OU_IT = 1, OU_BUSINESS_FIRST = 6, OU_BUSINESS_N = 5 };

const unsigned demo_response_minutes[5] = { 15, 30, 120, 240, 480 };
const unsigned demo_resolution_minutes[5] = { 240, 480, 1440, 4320, 10080 };

static const char *const first_names[DEMO_NPEOPLE] = {
	"Ann", "James", "Priya", "Mohammed", "Sophie", "Lukas", "Chen",
	"Olivia", "Daniel", "Fatima", "Tom", "Grace", "Raj", "Emma", "Kenji",
	"Laura", "Marco", "Aisha", "Peter", "Hannah", "Samuel", "Chloe",
	"Ivan", "Nadia", "George", "Mei", "Oliver", "Zoe", "Carlos",
	"Ingrid", "Ben", "Leila", "Patrick", "Sarah", "Yusuf", "Julia",
	"Michael", "Elena", "David", "Amara", "Robert", "Sina", "Henry",
	"Claire", "Arjun", "Freya", "Lars", "Nina", "Kwame", "Rachel", "Hugo",
	"Isla", "Victor", "Maya", "Felix", "Ruth", "Omar", "Lucy", "Stefan",
	"Tara",
};

static const char *const last_names[] = {
	"Smith", "Patel", "Khan", "Mueller", "Wong", "Jones", "O'Brien",
	"Garcia", "Schmidt", "Tanaka", "Brown", "Okafor", "Rossi", "Novak",
	"Williams", "Singh", "Fischer", "Taylor", "Nguyen", "Murphy", "Silva",
	"Kowalski", "Andersen", "Cohen", "Martin", "Ahmed", "Clarke",
	"Becker", "Lim", "Evans", "Costa", "Hughes", "Ivanova", "Walsh",
	"Kaur", "Moreau", "Bauer", "Reyes", "Fraser", "Dubois", "Haddad",
	"Lindqvist", "Mensah",
};

enum { P_HEAD_OF_IT = 37, P_CEO = 38, P_BUSINESS_FIRST = 39 };

/* Lower-case letters and digits of `s` appended to out (size n). */
static void key_part(char *out, size_t n, const char *s)
{
	size_t len = strlen(out);

	for (; *s && len + 1 < n; s++)
		if (isalnum((unsigned char)*s))
			out[len++] = (char)tolower((unsigned char)*s);
	out[len] = '\0';
}

/*
 * People 0..36 are the IT and support staff, team by team (the first of
 * each team leads it); 37 is the head of IT, 38 the CEO, 39.. work in the
 * business units (the first of each unit heads it).
 */
void demo_people(demo_person out[DEMO_NPEOPLE])
{
	static const unsigned away[] = {
		LOC_NEWYORK, LOC_BERLIN, LOC_SINGAPORE, LOC_AUSTIN,
	};
	static const unsigned business_loc[] = {
		LOC_LONDON, LOC_NEWYORK, LOC_BERLIN, LOC_SINGAPORE, LOC_LONDON,
		LOC_REMOTE, LOC_NEWYORK,
	};
	unsigned i, t, j, p = 0;

	memset(out, 0, sizeof(demo_person) * DEMO_NPEOPLE);
	for (i = 0; i < DEMO_NPEOPLE; i++) {
		demo_person *e = &out[i];
		char first[24] = "", last[32] = "";

		snprintf(e->first, sizeof(e->first), "%s", first_names[i]);
		snprintf(e->last, sizeof(e->last), "%s",
			 last_names[(i * 7 + 3) % N(last_names)]);
		snprintf(e->display, sizeof(e->display), "%s %s", e->first,
			 e->last);
		key_part(first, sizeof(first), e->first);
		key_part(last, sizeof(last), e->last);
		snprintf(e->key, sizeof(e->key), "%s.%s", first, last);
		e->team = -1;
		e->manager = -1;
	}
	for (t = 0; t < N(demo_teams); t++) {
		unsigned lead = p;
		int ou;

		for (ou = 0; strcmp(demo_orgunit_keys[ou],
				    demo_teams[t].orgunit); ou++)
			;
		for (j = 0; j < demo_teams[t].size; j++, p++) {
			out[p].team = (int)t;
			out[p].orgunit = (unsigned)ou;
			out[p].location = j % 3 == 2 ? away[(p / 3) % N(away)]
						     : LOC_LONDON;
			out[p].manager = j ? (int)lead : P_HEAD_OF_IT;
		}
	}
	assert(p == P_HEAD_OF_IT);
	out[P_HEAD_OF_IT].orgunit = OU_IT;
	out[P_HEAD_OF_IT].manager = P_CEO;
	out[P_HEAD_OF_IT].vip = true;
	out[P_CEO].orgunit = OU_ACME;
	out[P_CEO].vip = true;
	for (i = P_BUSINESS_FIRST; i < DEMO_NPEOPLE; i++) {
		unsigned k = i - P_BUSINESS_FIRST;
		unsigned unit = k % OU_BUSINESS_N;

		out[i].orgunit = OU_BUSINESS_FIRST + unit;
		out[i].location = k < OU_BUSINESS_N ?
				  orgunits[out[i].orgunit].location :
				  business_loc[k % N(business_loc)];
		/* the first of each unit heads it */
		out[i].manager = k < OU_BUSINESS_N ?
				 P_CEO : (int)(P_BUSINESS_FIRST + unit);
		out[i].vip = k < 2;	/* the finance and sales directors */
	}
}

int demo_category_find(const char *name)
{
	unsigned i;

	for (i = 0; i < N(demo_categories); i++)
		if (!strcmp(demo_categories[i].name, name))
			return (int)i;
	return -1;
}

const char *demo_category_team(unsigned i)
{
	while (!demo_categories[i].team) {
		unsigned j;

		for (j = 0; strcmp(demo_categories[j].key,
				   demo_categories[i].parent); j++)
			;
		i = j;
	}
	return demo_categories[i].team;
}

int demo_team_find(const char *key)
{
	unsigned i;

	for (i = 0; i < N(demo_teams); i++)
		if (!strcmp(demo_teams[i].key, key))
			return (int)i;
	return -1;
}

/* ---- generation ---------------------------------------------------------- */

static void begin(demo_gen *g, const char *bo, const char *key)
{
	demo_begin(g, TFS_KIND_MASTER, bo, "Record", key, bo);
}

static int gen_places(demo_gen *g)
{
	unsigned i;

	for (i = 0; i < N(locations); i++) {
		begin(g, "Location", locations[i].key);
		demo_value(g, "LocationName", locations[i].name);
		if (locations[i].address)
			demo_value(g, "Address", locations[i].address);
		if (locations[i].city)
			demo_value(g, "City", locations[i].city);
		demo_value(g, "Country", locations[i].country);
		demo_value(g, "TimeZone", locations[i].tz);
		demo_value(g, "IsActive", "true");
		if (demo_finish_config(g))
			return g->error;
	}
	return 0;
}

static int gen_orgunits(demo_gen *g, const demo_person *people)
{
	unsigned i, p;

	for (i = 0; i < N(orgunits); i++) {
		int head = -1;

		if (i == OU_ACME)
			head = P_CEO;
		else if (i == OU_IT)
			head = P_HEAD_OF_IT;
		for (p = P_BUSINESS_FIRST; head < 0 && p < DEMO_NPEOPLE; p++)
			if (people[p].orgunit == i)
				head = (int)p;
		for (p = 0; head < 0 && p < P_HEAD_OF_IT; p++)
			if (people[p].orgunit == i)
				head = (int)p;
		begin(g, "OrgUnit", orgunits[i].key);
		demo_value(g, "OrgUnitName", orgunits[i].name);
		if (orgunits[i].description)
			demo_value(g, "Description", orgunits[i].description);
		demo_value(g, "CostCenter", orgunits[i].cost_center);
		if (orgunits[i].parent)
			demo_link(g, "ParentLink", "OrgUnit",
				  orgunits[i].parent);
		if (head >= 0)
			demo_link(g, "ManagerLink", "Employee",
				  people[head].key);
		demo_link(g, "LocationLink", "Location",
			  locations[orgunits[i].location].key);
		if (demo_finish_config(g))
			return g->error;
	}
	return 0;
}

static int gen_teams(demo_gen *g, const demo_person *people)
{
	char email[128];
	unsigned t, lead = 0;

	for (t = 0; t < N(demo_teams); t++) {
		const demo_team *tm = &demo_teams[t];

		snprintf(email, sizeof(email), "%s", "");
		key_part(email, sizeof(email), tm->name);
		begin(g, "Team", tm->key);
		demo_value(g, "TeamName", tm->name);
		demo_valuef(g, "Description", "%s team (%u members)", tm->name,
			    tm->size);
		demo_valuef(g, "TeamEmail", "%s@acme.example", email);
		demo_value(g, "IsActive", "true");
		demo_link(g, "ManagerLink", "Employee", people[lead].key);
		demo_link(g, "OrgUnitLink", "OrgUnit", tm->orgunit);
		if (demo_finish_config(g))
			return g->error;
		lead += tm->size;
	}
	return 0;
}

static const char *person_title(const demo_person *people, unsigned i)
{
	const demo_person *e = &people[i];

	if (i == P_HEAD_OF_IT)
		return "Head of IT";
	if (i == P_CEO)
		return "Chief Executive Officer";
	if (e->team >= 0)
		return e->manager == P_HEAD_OF_IT ? demo_teams[e->team].lead :
						    demo_teams[e->team].title;
	return e->manager == P_CEO ? orgunits[e->orgunit].lead :
				     orgunits[e->orgunit].title;
}

static int gen_employees(demo_gen *g, const demo_person *people)
{
	unsigned i;

	for (i = 0; i < DEMO_NPEOPLE; i++) {
		const demo_person *e = &people[i];
		const char *status = "Active", *lang = "en-US";
		char phone[48];

		if (i == 45)
			status = "On Leave";
		else if (i == 52)
			status = "Inactive";
		if (e->location == LOC_LONDON || e->location == LOC_REMOTE ||
		    e->location == LOC_SINGAPORE)
			lang = "en-GB";
		else if (e->location == LOC_BERLIN)
			lang = "de-DE";
		snprintf(phone, sizeof(phone), locations[e->location].phone,
			 (10 + i * 3) % 100);
		begin(g, "Employee", e->key);
		demo_value(g, "LoginID", e->key);
		demo_value(g, "FirstName", e->first);
		demo_value(g, "LastName", e->last);
		demo_value(g, "DisplayName", e->display);
		demo_valuef(g, "PrimaryEmail", "%s@acme.example", e->key);
		demo_value(g, "Phone", phone);
		if (e->vip || e->team >= 0) {
			snprintf(phone, sizeof(phone), "+44 7700 900%03u",
				 (100 + i * 7) % 1000);
			demo_value(g, "MobilePhone", phone);
		}
		demo_value(g, "Title", person_title(people, i));
		demo_value(g, "Status", status);
		demo_value(g, "Language", lang);
		demo_value(g, "CostCenter",
			   orgunits[e->orgunit].cost_center);
		demo_value(g, "IsVIP", e->vip ? "true" : "false");
		demo_value(g, "Disabled", i == 52 ? "true" : "false");
		demo_link(g, "OrgUnitLink", "OrgUnit",
			  demo_orgunit_keys[e->orgunit]);
		demo_link(g, "LocationLink", "Location",
			  demo_location_keys[e->location]);
		if (e->manager >= 0)
			demo_link(g, "ManagerLink", "Employee",
				  people[e->manager].key);
		if (e->team >= 0)
			demo_link(g, "PrimaryTeam", "Team",
				  demo_teams[e->team].key);
		if (demo_finish_config(g))
			return g->error;
	}
	return 0;
}

static int gen_categories(demo_gen *g)
{
	unsigned i;

	for (i = 0; i < N(demo_categories); i++) {
		const demo_category *c = &demo_categories[i];

		begin(g, "Category", c->key);
		demo_value(g, "CategoryName", c->name);
		demo_valuef(g, "Description", "%s issues and requests",
			    c->name);
		demo_value(g, "IsActive", "true");
		if (c->parent)
			demo_link(g, "ParentLink", "Category", c->parent);
		demo_link(g, "DefaultTeam", "Team", demo_category_team(i));
		if (demo_finish_config(g))
			return g->error;
	}
	return 0;
}

static int gen_offerings(demo_gen *g)
{
	unsigned i;

	for (i = 0; i < N(demo_offerings); i++) {
		const demo_offering *o = &demo_offerings[i];

		begin(g, "RequestOffering", o->key);
		demo_value(g, "OfferingName", o->name);
		demo_valuef(g, "Description", "Request a %s%s. Delivered "
			    "within %u working day%s.", o->name,
			    o->approval ? " (needs your manager's approval)" :
					  "", o->days, o->days == 1 ? "" : "s");
		demo_value(g, "Category", o->category);
		demo_value(g, "Status", o->status);
		demo_valuef(g, "Price", "%u.%02u", o->price_cents / 100,
			    o->price_cents % 100);
		demo_valuef(g, "DeliveryTargetDays", "%u", o->days);
		demo_value(g, "RequiresApproval",
			   o->approval ? "true" : "false");
		demo_link(g, "OwnerTeam", "Team", o->team);
		demo_el(g, "WorkflowRef");
		demo_attr(g, "name", o->workflow);
		demo_end(g);
		if (demo_finish_config(g))
			return g->error;
	}
	return 0;
}

static int gen_escalation(demo_gen *g)
{
	static const char *const names[5] = {
		"Critical", "High", "Medium", "Low", "Planning",
	};
	char key[32];
	unsigned i;

	for (i = 0; i < 5; i++) {
		snprintf(key, sizeof(key), "Priority%u", i + 1);
		begin(g, "EscalationSchedule", key);
		demo_valuef(g, "ScheduleName", "P%u - %s", i + 1, names[i]);
		demo_valuef(g, "Description", "Targets for priority %u "
			    "incidents", i + 1);
		demo_valuef(g, "Priority", "%u", i + 1);
		demo_value(g, "BusinessHours",
			   i < 2 ? "24x7" : "Weekdays 08-18");
		demo_valuef(g, "ResponseMinutes", "%u",
			    demo_response_minutes[i]);
		demo_valuef(g, "ResolutionMinutes", "%u",
			    demo_resolution_minutes[i]);
		demo_value(g, "WarningPercent", "75");
		demo_value(g, "IsActive", "true");
		demo_link(g, "EscalateToTeam", "Team",
			  i < 2 ? "ServerOperations" : "ServiceDesk");
		if (demo_finish_config(g))
			return g->error;
	}
	begin(g, "EscalationSchedule", "ServiceRequestStandard");
	demo_value(g, "ScheduleName", "Service request standard");
	demo_value(g, "Description", "Fulfilment target unless the offering "
		   "sets its own");
	demo_value(g, "Priority", "4");
	demo_value(g, "BusinessHours", "Weekdays 07-19");
	demo_value(g, "ResponseMinutes", "480");
	demo_value(g, "ResolutionMinutes", "7200");
	demo_value(g, "WarningPercent", "80");
	demo_value(g, "IsActive", "true");
	demo_link(g, "EscalateToTeam", "Team", "ServiceDesk");
	return demo_finish_config(g);
}

int demo_gen_master(demo_gen *g)
{
	demo_person people[DEMO_NPEOPLE];

	demo_people(people);
	if (gen_places(g) || gen_orgunits(g, people) || gen_teams(g, people) ||
	    gen_employees(g, people) || gen_categories(g) ||
	    gen_offerings(g) || gen_escalation(g))
		return g->error;
	return 0;
}
