/*
 * planner.h — `jobsim plan`: search rollout settings and abort criteria for
 * the fastest configuration that meets a deadline and, when asked for, two
 * risk limits.
 *
 * Candidates are the product of a rollout list (constant maximumPerMinute
 * values, and exponential base:factor:notified settings capped at the
 * rollout quota) and an abort list (thresholdPercentage x
 * minNumberOfExecutedThings, with the failureType of the scenario's first
 * criterion, ALL when it has none; action CANCEL). plan_planner_grid derives
 * every list not set by hand from the fleet and the deadline. Each
 * candidate is the scenario's job with those two members replaced, loaded
 * again so AWS's ranges are checked. Candidate 0 is the baseline, "yours":
 * the scenario's job as written, always measured in every world.
 *
 * Worlds: the healthy world and one or more bad-release worlds (exposure:
 * things of its affected groups that ran the job). Without a bad-release
 * world (a scenario without $.worlds, or worlds that all affect nothing),
 * the planner adds the default bad release PLAN_DEFAULT_BAD_DESC: every
 * behaviour used by a targeted group gets outcomes {"FAILED": 1}, and the
 * targeted groups are its affected groups. Without $.worlds the healthy
 * world is the scenario as written.
 *
 * Constraints, with T the deadline measure on the healthy world (below),
 * infinite when not reached, and E the exposure, at confidence level C:
 *   deadline     P(T <= D) >= C            (the C-quantile of T is <= D)
 *   false abort  P(abort | healthy) <= P   (only with has_false_abort)
 *   exposure     P(E <= K) >= C, in every bad-release world (has_exposure)
 * The deadline measure (deadline_for):
 *   rollout      the instant the last execution is created (every targeted
 *                thing has an execution)
 *   terminal:P   the first instant P % of the targeted things have a
 *                finished execution (plan_metrics.terminal_at)
 *   completed    completedAt: the job reached COMPLETED
 * Each constraint is a binomial proportion against a limit. With n
 * replications it PASSes when its 95 % Wilson interval lies on the good
 * side, FAILs when it lies on the bad side, and is CLOSE when it straddles
 * the limit; a CLOSE constraint gets `initial` more replications, up to
 * `max` per world, and is decided by its point estimate at the cap. A
 * candidate that FAILs a constraint gets no more replications. All
 * candidates use the same seeds per replication index (common random
 * numbers).
 *
 * Feasible candidates (the baseline among them) are ranked by the
 * C-quantile of T, then by the worst C-quantile of E, then by candidate
 * number; the first is the pick.
 *
 * Ownership: a plan_result owns its candidates and scenarios; the scenario
 * and options passed in are borrowed for the call.
 */
#ifndef JOBSIM_PLAN_PLANNER_H
#define JOBSIM_PLAN_PLANNER_H

#include <stdio.h>
#include "metrics.h"
#include "stats.h"
#include "sweepout.h"

#define PLAN_MAX_CHOICES 32
#define PLAN_DEFAULT_BAD_DESC \
  "default bad release: every targeted thing that runs the job fails"

typedef enum plan_constraint {
  PLAN_C_DEADLINE,
  PLAN_C_FALSE_ABORT,
  PLAN_C_EXPOSURE,
  PLAN_C_COUNT
} plan_constraint;

typedef enum plan_deadline_for {
  PLAN_DL_TERMINAL,     /* P % of targeted things finished (default, P = 99) */
  PLAN_DL_ROLLOUT,      /* the last execution created */
  PLAN_DL_COMPLETED,    /* the job COMPLETED */
  PLAN_DL_COUNT
} plan_deadline_for;

/* "rollout", "terminal:99", "completed" (terminal with its percentage). */
void plan_deadline_for_name(plan_deadline_for f, double pct, char *buf, size_t n);
/* Parse --deadline-for; false when malformed. */
bool plan_deadline_for_parse(const char *s, plan_deadline_for *f, double *pct);

/* Progress of a search, for a progress line. */
typedef struct plan_progress {
  size_t reps_done;            /* replications finished in all */
  size_t batch_done, batch_total; /* in the batch running now */
  size_t round;                /* 1.. */
  size_t candidates;           /* with the baseline */
  size_t decided;              /* candidates with nothing left to run */
} plan_progress;

typedef struct plan_exp_rate {
  int64_t base;          /* baseRatePerMinute */
  double factor;         /* incrementFactor */
  int64_t notified;      /* rateIncreaseCriteria.numberOfNotifiedThings */
} plan_exp_rate;

typedef struct plan_planner_opts {
  sim_time_ms deadline;        /* D, ms after creation */
  plan_deadline_for deadline_for;
  double terminal_pct;         /* P of terminal:P; 0: 99 */
  bool has_exposure;           /* apply the exposure limit */
  int64_t max_exposure;        /* K */
  bool has_false_abort;        /* apply the false-abort limit */
  double max_false_abort;      /* P */
  double confidence;           /* C */
  size_t initial, max;         /* replications: first batch and batch size, cap */
  uint64_t seed;
  unsigned threads;
  const char *healthy;         /* world names; NULL: defaults (see plan_cmd.c) */
  const char *bad;             /* NULL: every world that affects a group */
  int64_t rates[PLAN_MAX_CHOICES];        /* constant maximumPerMinute */
  size_t n_rates;
  plan_exp_rate exps[PLAN_MAX_CHOICES];   /* exponential settings */
  size_t n_exps;
  double thresholds[PLAN_MAX_CHOICES];    /* thresholdPercentage */
  size_t n_thresholds;
  int64_t min_exec[PLAN_MAX_CHOICES];     /* minNumberOfExecutedThings */
  size_t n_min_exec;
  /* which lists were set by hand (plan_planner_grid leaves them alone) */
  bool set_rates, set_exps, set_thresholds, set_min_exec;
  void (*progress)(void *ud, const plan_progress *p);   /* or NULL */
  void *progress_ud;
} plan_planner_opts;

/* Derive every list not set by hand from the fleet and the deadline
 * (docs/sweep.md, "Candidates"): rates from the slowest whose rollout of
 * the targeted things fits in the deadline up to the rollout quota;
 * exponential starts at half and the whole of that slowest rate; minimum
 * executed 1, 2, 5, 10 % of the targeted things; thresholds 2, 5, 10, 20 %.
 * `why` (may be NULL) receives one sentence saying so. */
void plan_planner_grid(plan_planner_opts *o, const model_scenario *sc, char *why, size_t wn);
/* Candidates of the grid in o, without the baseline. */
size_t plan_planner_count(const plan_planner_opts *o);

/* The worlds plan would use: healthy first, then the bad-release ones
 * (names into `names`, at most 9 in all); *default_bad when the default bad
 * release is added (its name is then the last). Problems (an unknown
 * --healthy or --bad, no healthy world) go to err, one per line, and make
 * the return value false. */
bool plan_planner_worlds(const model_scenario *sc, const plan_planner_opts *o,
                         char names[9][72], size_t *n, bool *default_bad, char *err,
                         size_t en);
/* Bytes plan_planner_run(sc, o) needs at its peak, at most: a scenario
 * copy per candidate and per (candidate, world), o->max replications'
 * metrics of every (candidate, world) and a round's buffer of as many, one
 * engine per thread, a fixed allowance. For refusing a search that cannot
 * fit before building anything. */
uint64_t plan_planner_memory_estimate(const model_scenario *sc, const plan_planner_opts *o);

typedef struct plan_estimate {
  int64_t k, n;                /* successes ("good" outcomes) of n */
  double p, lo, hi;            /* estimate and 95 % Wilson interval */
  plan_decision decision;
  bool at_cap;                 /* decided by the point estimate at the cap */
  bool evaluated;
} plan_estimate;

typedef struct plan_candidate {
  size_t id;                   /* 0: the baseline ("yours") */
  bool baseline;
  bool exponential;
  int64_t rate;                /* constant rate, or the exponential's cap */
  plan_exp_rate exp;
  double threshold;
  int64_t min_executed;
  char rollout[96], abort[96]; /* descriptions */
  char *job_json;              /* the candidate's CreateJob request, as the
                                  AWS CLI prints JSON (free()) */
  model_scenario *sc;          /* the candidate scenario */
  model_scenario **world;      /* [0] healthy, [1..] bad worlds */
  plan_metrics **m;            /* per world, up to max replications */
  size_t *have, *need;         /* per world */
  plan_estimate est[PLAN_C_COUNT];
  plan_estimate bad_est[8];    /* exposure per bad world */
  int64_t t_q;                 /* C-quantile of T (ms), INT64_MAX: never */
  int64_t t_all[PLAN_DL_COUNT];/* the C-quantile of each deadline measure */
  int64_t e_q;                 /* worst C-quantile of E over bad worlds */
  double p_abort_bad;          /* P(abort) in the bad worlds (lowest) */
  double p_abort;              /* P(abort) on the healthy world */
  bool feasible;
  size_t rank;                 /* 1.. for feasible ones */
} plan_candidate;

typedef struct plan_result {
  const model_scenario *base;  /* with the default bad release, when added */
  model_scenario *own_base;    /* that scenario, owned; NULL: base is the caller's */
  bool default_bad;            /* the last world is the default bad release */
  bool no_worlds;              /* the scenario had no $.worlds */
  char grid_why[1024];         /* how the grid was chosen */
  plan_planner_opts o;
  plan_candidate *c;
  size_t n;
  size_t n_worlds;             /* 1 + bad worlds */
  char *world_names[9];
  size_t chosen;               /* index of the best feasible one, SIZE_MAX none */
  size_t replications;         /* replications run in all */
  char binding[512];           /* when none is feasible: which constraint binds */
  char advice[2048];           /* when none is feasible: the smallest limits some
                                  candidate meets, the closest candidate */
  char verdict[1024];          /* the pick against the baseline */
} plan_result;

int plan_planner_run(plan_result **out, const model_scenario *sc,
                     const plan_planner_opts *o, sim_diag *d);
void plan_result_free(plan_result *r);      /* NULL is a no-op */

/* ms as "45s", "12m05s", "6h10m", "2d03h"; "never" for INT64_MAX or < 0.
 * Rounded up to the unit shown, so a time shown within a limit is within it. */
void plan_fmt_duration(int64_t ms, char *b, size_t n);

/* The ranked table, for people (plan.txt holds the same). */
int plan_result_table(const plan_result *r, FILE *f);
/* DIR: candidates.csv, create-job.json (when one is chosen), plots/front.*,
 * run.json; written all at once. */
int plan_result_write(const plan_result *r, const char *dir, const char *version,
                      plan_out_status *ps, char *why, size_t wn, sim_diag *d);

#endif
