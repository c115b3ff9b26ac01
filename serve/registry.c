/*
 * registry.c — the registry a user needs to shape a served fleet (`aws iot
 * create-thing`, delete-thing, create-thing-group, add-thing-to-thing-group,
 * remove-thing-from-thing-group, list-things-in-thing-group,
 * describe-thing-group, list-thing-groups), over the engine's registry:
 * the scenario's fleet groups (each also a thing's behaviour) and groups
 * created at run time. Membership changes feed CONTINUOUS jobs as arrivals
 * and departures do. Shapes from the botocore iot 2015-05-28 model.
 *
 * A thing made by CreateThing takes the device behaviour of a fleet group:
 * the one its attribute "jobsim:group" names, else the first fleet group
 * whose behaviour is {"external": true} (a device you drive through the
 * data plane), else the first fleet group; it is in no thing group.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "describe.h"
#include "endpoint_internal.h"
#include "execview.h"
#include "jsonw.h"

#define ATTR_GROUP "jobsim:group"

static void reply_w(serve_call *c, report_jsonw *w) {
  size_t len = 0;
  char *t = report_jsonw_take(w, &len);
  serve_call_reply(c, t, len);
}

static void empty_reply(serve_call *c) {
  char *t = malloc(3);
  if (t) memcpy(t, "{}", 3);
  serve_call_reply(c, t, 2);
}

static void arn_of(const serve_call *c, const char *kind, const char *name, char *buf,
                   size_t n) {
  const model_scenario *sc = c->ep->sc;
  snprintf(buf, n, "arn:aws:iot:%s:%s:%s/%s", sc->sim.region, sc->sim.account_id, kind,
           name);
}

static bool name_ok(const char *s) {
  size_t n = strlen(s);
  if (n < 1 || n > 128) return false;
  for (; *s; s++)
    if (!(isalnum((unsigned char)*s) || *s == ':' || *s == '_' || *s == '-')) return false;
  return true;
}

/* A string member of the body: absent -> *out NULL; malformed -> false after
 * an InvalidRequestException in AWS's validation wording. */
static bool body_str(serve_call *c, const cJSON *obj, const char *key, bool name,
                     size_t max, const char **out) {
  *out = NULL;
  const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
  if (!v) return true;
  if (!cJSON_IsString(v)) {
    serve_call_error(c, SERVE_ERR_INVALID_REQUEST,
                     "1 validation error detected: Value at '%s' failed to satisfy "
                     "constraint: Member must be a string", key);
    return false;
  }
  if ((name && !name_ok(v->valuestring)) || strlen(v->valuestring) > max) {
    serve_call_error(c, SERVE_ERR_INVALID_REQUEST,
                     "1 validation error detected: Value '%.200s' at '%s' failed to satisfy "
                     "constraint: %s", v->valuestring, key,
                     name ? "Member must satisfy regular expression pattern: [a-zA-Z0-9:_-]+"
                          : "Member must have length less than or equal to 2048");
    return false;
  }
  *out = v->valuestring;
  return true;
}

/* The group named by thingGroupName or thingGroupArn of the body. */
static bool body_group(serve_call *c, size_t *g) {
  const char *name, *arn;
  if (!body_str(c, c->body, "thingGroupName", true, 128, &name) ||
      !body_str(c, c->body, "thingGroupArn", false, 2048, &arn))
    return false;
  if (!name && arn) {
    const char *slash = strstr(arn, ":thinggroup/");
    char want[300];
    name = slash ? slash + 12 : NULL;
    if (name) arn_of(c, "thinggroup", name, want, sizeof want);
    if (!name || strcmp(want, arn) != 0) {
      serve_call_error(c, SERVE_ERR_NOT_FOUND, "Thing group %.200s does not exist", arn);
      return false;
    }
  }
  if (!name) {
    serve_call_error(c, SERVE_ERR_INVALID_REQUEST,
                     "thingGroupName or thingGroupArn is required");
    return false;
  }
  long k = model_engine_find_group(c->ep->e, name);
  if (k < 0) {
    serve_call_error(c, SERVE_ERR_NOT_FOUND, "Thing group %s does not exist", name);
    return false;
  }
  *g = (size_t)k;
  return true;
}

/* The thing named by thingName or thingArn of the body. */
static bool body_thing(serve_call *c, int64_t *t) {
  const char *name, *arn;
  if (!body_str(c, c->body, "thingName", true, 128, &name) ||
      !body_str(c, c->body, "thingArn", false, 2048, &arn))
    return false;
  if (!name && arn) {
    const char *slash = strstr(arn, ":thing/");
    char want[300];
    name = slash ? slash + 7 : NULL;
    if (name) arn_of(c, "thing", name, want, sizeof want);
    if (!name || strcmp(want, arn) != 0) {
      serve_call_error(c, SERVE_ERR_NOT_FOUND, "Thing %.200s does not exist", arn);
      return false;
    }
  }
  if (!name) {
    serve_call_error(c, SERVE_ERR_INVALID_REQUEST, "thingName or thingArn is required");
    return false;
  }
  *t = model_engine_find_thing(c->ep->e, name);
  if (*t < 0 || model_engine_thing_gone(c->ep->e, *t)) {
    serve_call_error(c, SERVE_ERR_NOT_FOUND, "Thing %s does not exist", name);
    return false;
  }
  return true;
}

/* ---------------------------------------------------------------- things --- */

/* The fleet group whose behaviour a created thing takes. */
static bool behavior_group(serve_call *c, long *g) {
  const model_fleet *f = &c->ep->sc->fleet;
  const cJSON *ap = c->body ? cJSON_GetObjectItemCaseSensitive(c->body, "attributePayload")
                            : NULL;
  const cJSON *attrs = ap ? cJSON_GetObjectItemCaseSensitive(ap, "attributes") : NULL;
  const char *want = NULL;
  if (attrs && !body_str(c, attrs, ATTR_GROUP, true, 128, &want)) return false;
  if (want) {
    *g = model_fleet_find_group(f, want);
    if (*g < 0) {
      serve_call_error(c, SERVE_ERR_INVALID_REQUEST,
                       "attribute %s names '%s', which is not a group of the scenario's "
                       "fleet (a created thing takes the device behavior of a fleet group)",
                       ATTR_GROUP, want);
      return false;
    }
    return true;
  }
  *g = 0;
  for (size_t i = 0; i < f->n_groups; i++)
    if (f->behaviors[f->groups[i].behavior].external) {
      *g = (long)i;
      break;
    }
  return true;
}

static void thing_reply(serve_call *c, int64_t t) {
  char name[160], arn[320], id[40];
  model_engine_thing_name(c->ep->e, t, name, sizeof name);
  arn_of(c, "thing", name, arn, sizeof arn);
  model_engine_thing_id(c->ep->e, t, id, sizeof id);
  report_jsonw w;
  report_jsonw_init(&w, true);
  report_jsonw_object(&w);
  report_jsonw_key(&w, "thingName");
  report_jsonw_string(&w, name);
  report_jsonw_key(&w, "thingArn");
  report_jsonw_string(&w, arn);
  report_jsonw_key(&w, "thingId");
  report_jsonw_string(&w, id);
  report_jsonw_end_object(&w);
  reply_w(c, &w);
}

void serve_iot_create_thing(serve_call *c) {
  const char *name = serve_call_label(c, "thingName");
  long g;
  if (!behavior_group(c, &g)) return;
  int64_t t = -1;
  model_refusal why;
  int rc = model_engine_create_thing(c->ep->e, name, g, &t, &why);
  if (rc == SIM_ERR_STATE && t >= 0) {   /* the same thing again: AWS answers 200 */
    thing_reply(c, t);
    return;
  }
  if (rc == SIM_ERR_STATE) {
    serve_call_refusal(c, &why);
    return;
  }
  if (!serve_call_engine_ok(c, rc)) return;
  thing_reply(c, t);
}

/* A thing's registry version: 1 for every thing, since nothing served
 * updates a thing (no UpdateThing); DeleteThing's expectedVersion is
 * checked against it. */
#define THING_VERSION 1

void serve_iot_delete_thing(serve_call *c) {
  const char *name = serve_call_label(c, "thingName");
  int64_t expected = 0;
  bool present;
  if (!serve_call_query_int(c, "expectedVersion", INT64_MIN, INT64_MAX, &expected, &present))
    return;
  int64_t t = model_engine_find_thing(c->ep->e, name);
  if (t < 0 || model_engine_thing_gone(c->ep->e, t)) {   /* AWS: not an error */
    empty_reply(c);
    return;
  }
  if (present && expected != THING_VERSION) {
    serve_call_error(c, SERVE_ERR_VERSION_CONFLICT,
                     "The version for thing %s does not match the expected version "
                     "(the thing has version %d, expected %" PRId64 ").",
                     name, THING_VERSION, expected);
    return;
  }
  model_refusal why;
  int rc = model_engine_delete_thing(c->ep->e, t, &why);
  if (rc == SIM_ERR_STATE) {
    serve_call_refusal(c, &why);
    return;
  }
  if (!serve_call_engine_ok(c, rc)) return;
  rc = model_engine_run(c->ep->e, model_engine_now(c->ep->e));
  if (!serve_call_engine_ok(c, rc)) return;
  empty_reply(c);
}

/* ---------------------------------------------------------------- groups --- */

static void group_reply(serve_call *c, size_t g) {
  model_group_view v;
  model_engine_group(c->ep->e, g, &v);
  char arn[320];
  arn_of(c, "thinggroup", v.name, arn, sizeof arn);
  report_jsonw w;
  report_jsonw_init(&w, true);
  report_jsonw_object(&w);
  report_jsonw_key(&w, "thingGroupName");
  report_jsonw_string(&w, v.name);
  report_jsonw_key(&w, "thingGroupArn");
  report_jsonw_string(&w, arn);
  report_jsonw_key(&w, "thingGroupId");
  report_jsonw_string(&w, v.id);
  report_jsonw_end_object(&w);
  reply_w(c, &w);
}

void serve_iot_create_thing_group(serve_call *c) {
  const char *name = serve_call_label(c, "thingGroupName");
  const char *parent, *desc = NULL;
  if (!body_str(c, c->body, "parentGroupName", true, 128, &parent)) return;
  const cJSON *props =
      c->body ? cJSON_GetObjectItemCaseSensitive(c->body, "thingGroupProperties") : NULL;
  if (props && !body_str(c, props, "thingGroupDescription", false, 2028, &desc)) return;
  size_t g;
  model_refusal why;
  int rc = model_engine_create_group(c->ep->e, name, parent, desc, &g, &why);
  if (rc == SIM_ERR_STATE) {
    serve_call_refusal(c, &why);
    return;
  }
  if (!serve_call_engine_ok(c, rc)) return;
  group_reply(c, g);
}

static void membership(serve_call *c, bool add) {
  size_t g;
  int64_t t;
  if (!body_group(c, &g) || !body_thing(c, &t)) return;
  model_refusal why;
  int rc = add ? model_engine_add_member(c->ep->e, t, g, &why)
               : model_engine_remove_member(c->ep->e, t, g, &why);
  if (rc == SIM_ERR_STATE) {
    serve_call_refusal(c, &why);
    return;
  }
  if (!serve_call_engine_ok(c, rc)) return;
  rc = model_engine_run(c->ep->e, model_engine_now(c->ep->e));
  if (!serve_call_engine_ok(c, rc)) return;
  empty_reply(c);
}

void serve_iot_add_thing_to_group(serve_call *c) { membership(c, true); }
void serve_iot_remove_thing_from_group(serve_call *c) { membership(c, false); }

static bool group_label(serve_call *c, size_t *g) {
  const char *name = serve_call_label(c, "thingGroupName");
  long k = model_engine_find_group(c->ep->e, name);
  if (k < 0) {
    serve_call_error(c, SERVE_ERR_NOT_FOUND, "Thing group %s does not exist", name);
    return false;
  }
  *g = (size_t)k;
  return true;
}

static void next_token(report_jsonw *w, int64_t pos) {
  char tok[64];
  report_next_token(pos, tok, sizeof tok);
  report_jsonw_key(w, "nextToken");
  report_jsonw_string(w, tok);
}

void serve_iot_list_things_in_group(serve_call *c) {
  bool recursive = false;
  int64_t max, start;
  size_t g;
  if (!serve_call_query_bool(c, "recursive", &recursive) ||
      !serve_call_page(c, 250, &max, &start) || !group_label(c, &g))
    return;
  int64_t *v = malloc((size_t)max * sizeof *v);
  if (!v) {
    serve_call_error(c, SERVE_ERR_INTERNAL, "out of memory");
    return;
  }
  int64_t pos = start;
  size_t n = model_engine_group_members(c->ep->e, g, recursive, &pos, v, (size_t)max);
  report_jsonw w;
  report_jsonw_init(&w, true);
  report_jsonw_object(&w);
  report_jsonw_key(&w, "things");
  report_jsonw_array(&w);
  for (size_t i = 0; i < n; i++) {
    char name[160];
    model_engine_thing_name(c->ep->e, v[i], name, sizeof name);
    report_jsonw_string(&w, name);
  }
  report_jsonw_end_array(&w);
  if (pos >= 0) next_token(&w, pos);
  report_jsonw_end_object(&w);
  free(v);
  reply_w(c, &w);
}

/* {"groupName", "groupArn"} */
static void name_and_arn(serve_call *c, report_jsonw *w, const char *name) {
  char arn[320];
  arn_of(c, "thinggroup", name, arn, sizeof arn);
  report_jsonw_object(w);
  report_jsonw_key(w, "groupName");
  report_jsonw_string(w, name);
  report_jsonw_key(w, "groupArn");
  report_jsonw_string(w, arn);
  report_jsonw_end_object(w);
}

/* rootToParentThingGroups: the ancestors of a group, root first. */
static void ancestors(serve_call *c, report_jsonw *w, const char *parent, int depth) {
  if (!parent || depth > 8) return;
  long k = model_engine_find_group(c->ep->e, parent);
  if (k < 0) return;
  model_group_view p;
  model_engine_group(c->ep->e, (size_t)k, &p);
  ancestors(c, w, p.parent, depth + 1);
  name_and_arn(c, w, p.name);
}

void serve_iot_describe_thing_group(serve_call *c) {
  size_t g;
  if (!group_label(c, &g)) return;
  model_group_view v;
  model_engine_group(c->ep->e, g, &v);
  char arn[320], b[64];
  arn_of(c, "thinggroup", v.name, arn, sizeof arn);
  report_jsonw w;
  report_jsonw_init(&w, true);
  report_jsonw_object(&w);
  report_jsonw_key(&w, "thingGroupName");
  report_jsonw_string(&w, v.name);
  report_jsonw_key(&w, "thingGroupId");
  report_jsonw_string(&w, v.id);
  report_jsonw_key(&w, "thingGroupArn");
  report_jsonw_string(&w, arn);
  report_jsonw_key(&w, "version");
  report_jsonw_int(&w, v.version);
  report_jsonw_key(&w, "thingGroupProperties");
  report_jsonw_object(&w);
  if (v.description) {
    report_jsonw_key(&w, "thingGroupDescription");
    report_jsonw_string(&w, v.description);
  }
  report_jsonw_end_object(&w);
  report_jsonw_key(&w, "thingGroupMetadata");
  report_jsonw_object(&w);
  if (v.parent) {
    report_jsonw_key(&w, "parentGroupName");
    report_jsonw_string(&w, v.parent);
    report_jsonw_key(&w, "rootToParentThingGroups");
    report_jsonw_array(&w);
    ancestors(c, &w, v.parent, 0);
    report_jsonw_end_array(&w);
  }
  report_timestamp(c->ep->sc, v.created_at, REPORT_TS_EPOCH, b, sizeof b);
  report_jsonw_key(&w, "creationDate");
  report_jsonw_raw(&w, b);
  report_jsonw_end_object(&w);
  report_jsonw_end_object(&w);
  reply_w(c, &w);
}

/* Is group g a descendant of the group named `of` (child only unless
 * recursive)? */
static bool below(const model_engine *e, size_t g, const char *of, bool recursive) {
  model_group_view v;
  model_engine_group(e, g, &v);
  for (int depth = 0; v.parent && depth < 9; depth++) {
    if (strcmp(v.parent, of) == 0) return true;
    if (!recursive) return false;
    long k = model_engine_find_group(e, v.parent);
    if (k < 0) return false;
    model_engine_group(e, (size_t)k, &v);
  }
  return false;
}

void serve_iot_list_thing_groups(serve_call *c) {
  bool recursive = false;
  int64_t max, start;
  if (!serve_call_query_bool(c, "recursive", &recursive) ||
      !serve_call_page(c, 250, &max, &start))
    return;
  const char *parent = serve_request_query(c->rq, "parentGroup");
  const char *prefix = serve_request_query(c->rq, "namePrefixFilter");
  const model_engine *e = c->ep->e;
  if (parent && model_engine_find_group(e, parent) < 0) {
    serve_call_error(c, SERVE_ERR_NOT_FOUND, "Thing group %.128s does not exist", parent);
    return;
  }
  report_jsonw w;
  report_jsonw_init(&w, true);
  report_jsonw_object(&w);
  report_jsonw_key(&w, "thingGroups");
  report_jsonw_array(&w);
  int64_t pos = 0, shown = 0;
  bool more = false;
  for (size_t g = 0; g < model_engine_n_groups(e); g++) {
    model_group_view v;
    model_engine_group(e, g, &v);
    if (prefix && strncmp(v.name, prefix, strlen(prefix)) != 0) continue;
    if (parent && !below(e, g, parent, recursive)) continue;
    if (pos++ < start) continue;
    if (shown == max) {
      more = true;
      pos--;
      break;
    }
    name_and_arn(c, &w, v.name);
    shown++;
  }
  report_jsonw_end_array(&w);
  if (more) next_token(&w, pos);
  report_jsonw_end_object(&w);
  reply_w(c, &w);
}
