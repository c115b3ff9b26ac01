/*
 * clock.c — the served simulated clock (see clock.h).
 */
#include "clock.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "json.h"
#include "scenario.h"

void serve_clock_init(serve_clock *c, bool manual, double speed, sim_time_ms limit,
                      double wall_now) {
  c->manual = manual;
  c->speed = speed > 0 ? speed : 1;
  c->base = 0;
  c->wall_base = wall_now;
  c->limit = limit;
}

sim_time_ms serve_clock_now(const serve_clock *c, double wall_now) {
  if (c->manual || wall_now <= c->wall_base) return c->base;
  double run = floor((wall_now - c->wall_base) * c->speed * 1000.0);
  if (run >= (double)(c->limit - c->base)) return c->limit;
  return c->base + (sim_time_ms)run;
}

int serve_clock_set(serve_clock *c, sim_time_ms to, double wall_now) {
  sim_time_ms now = serve_clock_now(c, wall_now);
  if (to < now || to > c->limit) return SIM_ERR_RANGE;
  c->base = to;
  c->wall_base = wall_now;
  return SIM_OK;
}

/* A duration member, allowing a leading '+' on strings. */
static int offset_of(const cJSON *it, sim_time_ms *out, sim_diag *d, const char *path) {
  if (cJSON_IsString(it) && it->valuestring[0] == '+') {
    const char *why = NULL;
    int rc = sim_duration_parse(it->valuestring + 1, out, &why);
    if (rc)
      return sim_diag_set(d, rc, path,
                          "expected a duration such as \"+10m\" or \"1h30m\" (%s)",
                          why ? why : "malformed");
    return SIM_OK;
  }
  return sim_duration_from_json(it, out, d, path);
}

int serve_clock_apply(serve_clock *c, const cJSON *body, int64_t start_epoch_ms,
                      double wall_now, sim_diag *d) {
  static const char *const allowed[] = {"advance", "to", NULL};
  int rc = sim_json_check_object(body, allowed, d, "$");
  if (rc) return rc;
  const cJSON *adv = sim_json_get(body, "advance"), *to = sim_json_get(body, "to");
  if (!adv && !to)
    return sim_diag_set(d, SIM_ERR_SCHEMA, "$",
                        "expected {\"advance\": DURATION} or {\"to\": OFFSET}");
  if (adv && to)
    return sim_diag_set(d, SIM_ERR_SCHEMA, "$", "give either 'advance' or 'to', not both");
  sim_time_ms now = serve_clock_now(c, wall_now), target;
  if (adv) {
    sim_time_ms step;
    if ((rc = offset_of(adv, &step, d, "$.advance"))) return rc;
    target = step > c->limit - now ? c->limit + 1 : now + step;
  } else {
    int64_t epoch;
    if (cJSON_IsString(to) && model_parse_iso8601(to->valuestring, &epoch)) {
      target = epoch - start_epoch_ms;
    } else if ((rc = offset_of(to, &target, d, "$.to"))) {
      return rc;
    }
  }
  if (target < now) {
    char a[64], b[64];
    sim_duration_format(target, a, sizeof a);
    sim_duration_format(now, b, sizeof b);
    return sim_diag_set(d, SIM_ERR_RANGE, adv ? "$.advance" : "$.to",
                        "the clock cannot go back (to +%s; it is at +%s)", a, b);
  }
  if (target > c->limit) {
    char a[64];
    sim_duration_format(c->limit, a, sizeof a);
    return sim_diag_set(d, SIM_ERR_RANGE, adv ? "$.advance" : "$.to",
                        "the clock cannot pass +%s", a);
  }
  return serve_clock_set(c, target, wall_now);
}

char *serve_clock_json(sim_time_ms offset, int64_t start_epoch_ms, size_t *len) {
  char iso[40], dur[64];
  model_format_iso8601(start_epoch_ms + offset, iso, sizeof iso);
  sim_duration_format(offset, dur, sizeof dur);
  char *out = malloc(160);
  if (!out) return NULL;
  int n = snprintf(out, 160, "{\"now\": \"%s\", \"offset\": \"%s\"}\n", iso, dur);
  *len = (size_t)n;
  return out;
}
