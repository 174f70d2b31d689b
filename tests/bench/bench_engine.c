/* The AWS policy engine's decisions per second on the differential
 * test's cases (tests/oracle/oracle.mjs), timed two ways: from the
 * parsed JSON documents each time (load, compile, decide: what
 * @cloud-copilot/iam-simulate does per call), and with the policies
 * compiled once (decide alone, as the checks use it). As on
 * iam-simulate's side (bench_simulate.mjs), each case's request is read
 * from its JSON before timing starts; its documents and context are
 * read within the time.
 *
 *   bench_engine CASES.jsonl [SECONDS]
 *
 * Each way runs whole passes over the cases until SECONDS (default 3)
 * have gone by. Exit status 1 when a case cannot be read or the engine
 * disagrees with the decision the differential test expects. */
#include "../oracle/oracle_case.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct timing {
  long decisions, passes;
  double seconds;
};

static double now_s(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A case and its request, read before timing. */
struct bench_case {
  const cJSON *json;
  struct oracle_request request;
};

/* The cases the oracle decided: the ones iam-simulate is timed on. */
static enum nhi_rc pick_cases(cJSON *all, struct bench_case **out,
                              size_t *n)
{
  const cJSON *c;

  *n = 0;
  *out = calloc((size_t)cJSON_GetArraySize(all) + 1, sizeof **out);
  if (!*out) {
    nhi_error("out of memory");
    return NHI_ERR_NOMEM;
  }
  cJSON_ArrayForEach(c, all)
    if (oracle_case_expected(c)) {
      (*out)[*n].json = c;
      oracle_case_request(c, &(*out)[(*n)++].request);
    }
  return NHI_OK;
}

static enum nhi_rc decide(const struct oracle_case *oc,
                          enum nhi_aws_decision *d)
{
  struct nhi_aws_result r;

  if (nhi_aws_evaluate(&oc->ps, &oc->rq, &r)) {
    nhi_error("out of memory");
    return NHI_ERR_NOMEM;
  }
  *d = r.decision;
  nhi_aws_result_clear(&r);
  return NHI_OK;
}

/* Loads, compiles and decides case c; *d is the decision. */
static enum nhi_rc load_and_decide(const struct bench_case *c,
                                   enum nhi_aws_decision *d)
{
  const cJSON *id;
  struct oracle_case oc;
  char why[256];
  enum nhi_rc rc;

  rc = oracle_case_compile(&c->request, &oc, why, sizeof why);
  if (rc) {
    id = cJSON_GetObjectItemCaseSensitive(c->json, "id");
    nhi_error("case %d: %s", cJSON_IsNumber(id) ? id->valueint : 0, why);
    return rc;
  }
  rc = decide(&oc, d);
  oracle_case_free(&oc);
  return rc;
}

/* One untimed pass: every decision must be the expected one. */
static enum nhi_rc check_pass(const struct bench_case *cases, size_t n)
{
  enum nhi_aws_decision d;
  size_t bad = 0;
  enum nhi_rc rc;

  for (size_t i = 0; i < n; i++) {
    rc = load_and_decide(&cases[i], &d);
    if (rc)
      return rc;
    if (strcmp(nhi_aws_decision_name(d),
               oracle_case_expected(cases[i].json)) != 0)
      bad++;
  }
  if (bad) {
    nhi_error("%zu of %zu cases disagree with iam-simulate: run "
              "build/tests/test_aws_oracle", bad, n);
    return NHI_ERR_INTERNAL;
  }
  return NHI_OK;
}

static enum nhi_rc time_full(const struct bench_case *cases, size_t n,
                             double secs, struct timing *t)
{
  double start = now_s();
  enum nhi_aws_decision d;
  enum nhi_rc rc;

  do {
    for (size_t i = 0; i < n; i++) {
      rc = load_and_decide(&cases[i], &d);
      if (rc)
        return rc;
    }
    t->passes++;
    t->decisions += (long)n;
    t->seconds = now_s() - start;
  } while (t->seconds < secs);
  return NHI_OK;
}

static enum nhi_rc time_decide(const struct oracle_case *oc, size_t n,
                               double secs, struct timing *t)
{
  double start = now_s();
  enum nhi_aws_decision d;
  enum nhi_rc rc;

  do {
    for (size_t i = 0; i < n; i++) {
      rc = decide(&oc[i], &d);
      if (rc)
        return rc;
    }
    t->passes++;
    t->decisions += (long)n;
    t->seconds = now_s() - start;
  } while (t->seconds < secs);
  return NHI_OK;
}

static void print_timing(const char *what, const struct timing *t)
{
  printf("%-15s %12.0f decisions/s  (%ld passes, %ld decisions, "
         "%.2f s)\n", what, (double)t->decisions / t->seconds, t->passes,
         t->decisions, t->seconds);
}

/* Compiles every case once, then times decide alone. */
static enum nhi_rc run_decide(const struct bench_case *cases, size_t n,
                              double secs)
{
  struct oracle_case *oc = calloc(n + 1, sizeof *oc);
  struct timing t = { 0 };
  char why[256];
  size_t done = 0;
  enum nhi_rc rc = NHI_ERR_NOMEM;

  if (!oc) {
    nhi_error("out of memory");
    return rc;
  }
  for (rc = NHI_OK; done < n && rc == NHI_OK; done++)
    rc = oracle_case_compile(&cases[done].request, &oc[done], why,
                             sizeof why);
  if (rc)
    nhi_error("cannot compile a case: %s", why);
  else
    rc = time_decide(oc, n, secs, &t);
  if (rc == NHI_OK)
    print_timing("decide", &t);
  for (size_t i = 0; i < done; i++)
    oracle_case_free(&oc[i]);
  free(oc);
  return rc;
}

static enum nhi_rc run(const char *path, double secs)
{
  struct bench_case *cases = NULL;
  struct timing t = { 0 };
  cJSON *all = NULL;
  size_t n = 0;
  enum nhi_rc rc;

  rc = oracle_cases_read(path, &all);
  if (rc == NHI_OK)
    rc = pick_cases(all, &cases, &n);
  if (rc == NHI_OK)
    rc = check_pass(cases, n);
  if (rc)
    goto out;
  printf("cases           %zu (all decided as the differential test "
         "expects)\n", n);
  rc = time_full(cases, n, secs, &t);
  if (rc)
    goto out;
  print_timing("load+decide", &t);
  rc = run_decide(cases, n, secs);
out:
  free(cases);
  cJSON_Delete(all);
  return rc;
}

int main(int argc, char **argv)
{
  double secs = argc > 2 ? strtod(argv[2], NULL) : 3.0;

  if (argc < 2 || argc > 3 || !(secs > 0)) {
    fprintf(stderr, "usage: bench_engine CASES.jsonl [SECONDS]\n");
    return 2;
  }
  return run(argv[1], secs) ? 1 : 0;
}
