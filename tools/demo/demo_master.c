/*
 * The people, teams, categories and request offerings of the fictitious
 * Acme Corporation, as the record generators (demo_data.c and the files
 * after it) need them to pick owners, teams and links.  The master records
 * themselves are fixtures (tools/demo/content/master/); the keys here must
 * be theirs, which tests/unit/test_demo.c checks (every link of a record
 * resolves).
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
	{ "OperatingSystem", "Operating System", "Software", "DesktopSupport" },
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
	  "HRServices", "ServiceReq.Offboarding", "Published", 0, 5, false, 4 },
	{ "MeetingRoomAV", "Meeting Room AV Support", "Facilities",
	  "Facilities", "ServiceReq.Fulfillment", "Published", 0, 2, false, 4 },
	{ "GuestWiFi", "Guest Wi-Fi Voucher", "Wi-Fi", "NetworkOperations",
	  "ServiceReq.Fulfillment", "Draft", 0, 1, false, 0 },
	{ "DeskPhone", "Desk Phone", "Telephony", "NetworkOperations",
	  "ServiceReq.HardwareRequest", "Retired", 18000, 5, true, 0 },
};
const unsigned demo_nofferings = N(demo_offerings);

const char *const demo_location_keys[] = {
	"LondonHQ", "NewYork", "Berlin", "Singapore", "Austin", "Remote",
};

enum {
	LOC_LONDON,
	LOC_NEWYORK,
	LOC_BERLIN,
	LOC_SINGAPORE,
	LOC_AUSTIN,
	LOC_REMOTE
};

/* Where each org unit of demo_orgunit_keys sits (its LocationLink). */
static const unsigned orgunit_location[] = {
	LOC_LONDON,  LOC_LONDON, LOC_LONDON, LOC_AUSTIN,
	LOC_LONDON,  LOC_LONDON, LOC_LONDON, LOC_NEWYORK,
	LOC_NEWYORK, LOC_BERLIN, LOC_LONDON, LOC_LONDON,
};

const char *const demo_orgunit_keys[] = {
	"Acme",
	"Acme.IT",
	"Acme.IT.ServiceManagement",
	"Acme.IT.Infrastructure",
	"Acme.IT.Applications",
	"Acme.IT.Security",
	"Acme.Finance",
	"Acme.Sales",
	"Acme.Marketing",
	"Acme.Operations",
	"Acme.Legal",
	"Acme.HR",
};

enum { OU_ACME = 0, OU_IT = 1, OU_BUSINESS_FIRST = 6, OU_BUSINESS_N = 5 };

const unsigned demo_response_minutes[5] = { 15, 30, 120, 240, 480 };
const unsigned demo_resolution_minutes[5] = { 240, 480, 1440, 4320, 10080 };

static const char *const first_names[DEMO_NPEOPLE] = {
	"Ann",     "James",  "Priya",   "Mohammed", "Sophie", "Lukas",
	"Chen",    "Olivia", "Daniel",  "Fatima",   "Tom",    "Grace",
	"Raj",     "Emma",   "Kenji",   "Laura",    "Marco",  "Aisha",
	"Peter",   "Hannah", "Samuel",  "Chloe",    "Ivan",   "Nadia",
	"George",  "Mei",    "Oliver",  "Zoe",      "Carlos", "Ingrid",
	"Ben",     "Leila",  "Patrick", "Sarah",    "Yusuf",  "Julia",
	"Michael", "Elena",  "David",   "Amara",    "Robert", "Sina",
	"Henry",   "Claire", "Arjun",   "Freya",    "Lars",   "Nina",
	"Kwame",   "Rachel", "Hugo",    "Isla",     "Victor", "Maya",
	"Felix",   "Ruth",   "Omar",    "Lucy",     "Stefan", "Tara",
};

static const char *const last_names[] = {
	"Smith",   "Patel",  "Khan",     "Mueller",  "Wong",     "Jones",
	"O'Brien", "Garcia", "Schmidt",  "Tanaka",   "Brown",    "Okafor",
	"Rossi",   "Novak",  "Williams", "Singh",    "Fischer",  "Taylor",
	"Nguyen",  "Murphy", "Silva",    "Kowalski", "Andersen", "Cohen",
	"Martin",  "Ahmed",  "Clarke",   "Becker",   "Lim",      "Evans",
	"Costa",   "Hughes", "Ivanova",  "Walsh",    "Kaur",     "Moreau",
	"Bauer",   "Reyes",  "Fraser",   "Dubois",   "Haddad",   "Lindqvist",
	"Mensah",
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
		LOC_NEWYORK,
		LOC_BERLIN,
		LOC_SINGAPORE,
		LOC_AUSTIN,
	};
	static const unsigned business_loc[] = {
		LOC_LONDON, LOC_NEWYORK, LOC_BERLIN,  LOC_SINGAPORE,
		LOC_LONDON, LOC_REMOTE,  LOC_NEWYORK,
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

		for (ou = 0;
		     strcmp(demo_orgunit_keys[ou], demo_teams[t].orgunit); ou++)
			;
		for (j = 0; j < demo_teams[t].size; j++, p++) {
			out[p].team = (int)t;
			out[p].orgunit = (unsigned)ou;
			out[p].location = j % 3 == 2 ? away[(p / 3) % N(away)] :
						       LOC_LONDON;
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
					  orgunit_location[out[i].orgunit] :
					  business_loc[k % N(business_loc)];
		/* the first of each unit heads it */
		out[i].manager = k < OU_BUSINESS_N ?
					 P_CEO :
					 (int)(P_BUSINESS_FIRST + unit);
		out[i].vip = k < 2; /* the finance and sales directors */
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

		for (j = 0;
		     strcmp(demo_categories[j].key, demo_categories[i].parent);
		     j++)
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
