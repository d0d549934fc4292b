/*
 * Internals shared by the record generators of the demo: demo_data.c
 * (configuration items, knowledge, the tasks and journal entries, the
 * entry point demo_gen_records), demo_incidents.c (problems, incidents)
 * and demo_changes.c (changes, service requests).
 *
 * A demo_world holds what records refer to across those files: the
 * people, the first member of each team, when each problem was logged,
 * and the tasks and journal entries collected while their parents are
 * generated.  Those are written last, sorted by time, so that their
 * numbers follow creation order as a counter's would.
 */
#ifndef TENANTFS_DEMO_REC_H
#define TENANTFS_DEMO_REC_H

#include "demo_int.h"

#define DEMO_YEAR      (365 * DG_DAY)
#define DEMO_NPROBLEMS 25

/* People: 0..36 IT staff, 37 the head of IT, 38 the CEO, 39.. business. */
enum { DEMO_P_STAFF_END = 37, DEMO_P_BUSINESS_FIRST = 39 };

typedef struct demo_parent {
	const char *bo; /* "Incident", "Change", "ServiceReq" */
	char key[24];
} demo_parent;

typedef struct demo_task {
	int64_t t, due, done; /* done: completion time or 0 */
	demo_parent of;
	char subject[256];
	const char *type, *status, *priority;
	int team, owner;              /* -1 for none */
	unsigned planned_q, actual_q; /* effort in quarter hours */
} demo_task;

typedef struct demo_journal {
	int64_t t;
	demo_parent of;
	char subject[256];
	char body[400];
	const char *category, *source;
	int author;
	bool is_public;
	/* E-mails: the addresses ("" for other entries), so that scrubbing
	 * other e-mail addresses has something to do. */
	char from[96], to[96];
} demo_journal;

typedef struct demo_world {
	demo_person people[DEMO_NPEOPLE];
	unsigned team_first[16]; /* first member of each team */
	int64_t problem_created[DEMO_NPROBLEMS];
	demo_task *tasks;
	size_t ntasks, atasks;
	demo_journal *journals;
	size_t njournals, ajournals;
} demo_world;

/* New zeroed entries in the world's lists, or NULL (g->error set). */
demo_task *demo_add_task(dg_gen *g, demo_world *w);
demo_journal *demo_add_journal(dg_gen *g, demo_world *w, const demo_parent *of,
			       int64_t t, const char *category, int author);
/*
 * `n` creation times in the last `max_age` seconds, ascending, in a new
 * array (the caller frees it), or NULL with g->error set.
 */
int64_t *demo_creation_times(dg_gen *g, unsigned n, int64_t max_age);

int64_t demo_min64(int64_t a, int64_t b);
/* Uniform in [lo, hi); lo when the range is empty. */
int64_t demo_between(dg_gen *g, int64_t lo, int64_t hi);
/* A random member of team `team` (index into demo_teams). */
int demo_member(dg_gen *g, const demo_world *w, int team);
/* Index of a team that must exist. */
int demo_team_index(const char *key);
/* Someone who raises tickets: mostly business users, some IT staff. */
int demo_customer(dg_gen *g);
/* Name of a random server with the role code, or NULL. */
const char *demo_server_with(dg_gen *g, char code);

/* Values and links of records (dg_value() and friends, demo_int.h). */
void demo_value_date(dg_gen *g, const char *field, int64_t t);
void demo_value_hours(dg_gen *g, const char *field, unsigned quarters);
void demo_link_person(dg_gen *g, const demo_world *w, const char *field, int p);
void demo_link_team(dg_gen *g, const char *field, int t);
/* CreatedDateTime/By and LastModDateTime/By, in that order. */
void demo_stamps(dg_gen *g, int64_t created, const char *by, int64_t modified,
		 const char *mod_by);

/* The generators, in the order demo_gen_records() runs them. */
int demo_gen_problems(dg_gen *g, demo_world *w);
int demo_gen_incidents(dg_gen *g, demo_world *w);
int demo_gen_changes(dg_gen *g, demo_world *w);
int demo_gen_requests(dg_gen *g, demo_world *w);

#endif
