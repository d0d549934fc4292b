/*
 * Internals of the demo (tools/demo/): its fixtures (packed into C by
 * pack.py), the tables of the fictitious Acme Corporation and the record
 * generators (demo_data.c, demo_incidents.c, demo_changes.c; their own
 * header is demo_rec.h).  The document writer they use is the one they
 * share with the scale generator (tools/docgen/docgen.h).  Nothing outside
 * tools/demo/ includes this header.
 */
#ifndef TENANTFS_DEMO_INT_H
#define TENANTFS_DEMO_INT_H

#include "docgen.h"

/* Tables of the Acme Corporation (demo_master.c) the records draw on. */
typedef struct demo_category {
	const char *key;    /* record key under master/Category */
	const char *name;   /* pick-list value, e.g. "Email and Calendar" */
	const char *parent; /* key of the parent, or NULL */
	const char *team;   /* key of the default team, or NULL: parent's */
} demo_category;

typedef struct demo_team {
	const char *key; /* record key under master/Team */
	const char *name;
	const char *orgunit; /* key of the org unit */
	const char *title;   /* job title of the members */
	const char *lead;    /* job title of the first member */
	unsigned size;       /* members; the first one manages the team */
} demo_team;

typedef struct demo_offering {
	const char *key, *name, *category, *team, *workflow, *status;
	unsigned price_cents;
	unsigned days; /* delivery target, working days */
	bool approval;
	unsigned weight; /* how often it is requested */
} demo_offering;

typedef struct demo_person {
	char key[48]; /* login and record key: "ann.smith" */
	char first[24];
	char last[32];
	char display[64];
	int team;          /* index into demo_teams, -1 for none */
	unsigned orgunit;  /* index into demo_orgunit_keys */
	unsigned location; /* index into demo_location_keys */
	int manager;       /* index into the people, -1 for none */
	bool vip;
} demo_person;

#define DEMO_NPEOPLE 60

extern const demo_category demo_categories[];
extern const unsigned demo_ncategories;
extern const demo_team demo_teams[];
extern const unsigned demo_nteams;
extern const demo_offering demo_offerings[];
extern const unsigned demo_nofferings;
extern const char *const demo_orgunit_keys[];
extern const char *const demo_location_keys[];
/* Response and resolution targets in minutes, by priority 1..5 ([0]). */
extern const unsigned demo_response_minutes[5];
extern const unsigned demo_resolution_minutes[5];

/* The employees, the same every time (no randomness, no clock). */
void demo_people(demo_person out[DEMO_NPEOPLE]);
/* Index of the category with that pick-list name, or -1. */
int demo_category_find(const char *name);
/* Key of a category's default team (inherited from its parent). */
const char *demo_category_team(unsigned i);
/* Index of the team with that key, or -1. */
int demo_team_find(const char *key);

/* The records (data/), demo_data.c: they depend on `now` only. */
int demo_gen_records(dg_gen *g);

/* One fixture (tools/demo/content/, staging/), packed by pack.py. */
typedef enum {
	DEMO_EVERY,   /* every instance */
	DEMO_STAGING, /* acme's staging: replaces the same name's, if any */
} demo_which;

typedef struct demo_fixture {
	demo_which which;
	tfs_kind kind;
	const char *type, *name;
	size_t len;
	const char *xml;
} demo_fixture;

extern const demo_fixture demo_fixtures[];
extern const size_t demo_nfixtures;
extern const char demo_console_sql[];

#endif
