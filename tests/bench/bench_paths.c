/* The AI path benchmark's timed part: on a store gen_paths.py filled,
 * either the path stage as `collect` runs it (nhi_ai_paths_derive), or
 * a recursive SQL CTE asking the same reachability without engine
 * decisions, steps or traces, to compare the two ways.
 *
 *   bench_paths STORE init          create the empty store
 *   bench_paths STORE c HOME        the path stage
 *   bench_paths STORE cte           the recursive CTE (counts pairs) */
#include "ai_paths.h"
#include "store.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char cte_sql[] =
  "WITH RECURSIVE reach(agent, identity, hops) AS ("
  "  SELECT from_ref, to_ref, 1 FROM edges"
  "  WHERE kind = 'runs_as' AND from_type = 'ai_agent'"
  "  UNION"
  "  SELECT r.agent, e.to_ref, r.hops + 1 FROM reach r JOIN edges e"
  "  ON e.kind = 'can_assume' AND e.from_type = 'identity'"
  "  AND e.from_ref = r.identity WHERE r.hops < 5)"
  " SELECT count(*) FROM (SELECT r.agent, d.resource_ref, d.kind,"
  " min(r.hops) FROM reach r JOIN data_access d"
  " ON d.identity_ref = r.identity JOIN resources s"
  " ON s.native_id = d.resource_ref"
  " AND s.sensitivity IN ('confidential', 'restricted')"
  " GROUP BY 1, 2, 3)";

static double seconds(void)
{
  struct timespec t;

  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int run_cte(struct nhi_store *s)
{
  sqlite3_stmt *st = NULL;
  double t0 = seconds();
  int ok = sqlite3_prepare_v2(s->db, cte_sql, -1, &st, NULL) == SQLITE_OK &&
           sqlite3_step(st) == SQLITE_ROW;

  if (ok)
    printf("cte: %lld agent, resource and kind pairs in %.2f s\n",
           (long long)sqlite3_column_int64(st, 0), seconds() - t0);
  else
    fprintf(stderr, "bench_paths: %s\n", sqlite3_errmsg(s->db));
  sqlite3_finalize(st);
  return ok ? 0 : 1;
}

static int run_c(struct nhi_store *s, const char *home)
{
  struct nhi_ai_paths_stats st;
  double t0 = seconds();

  if (nhi_ai_paths_derive(s, home, NHI_AI_PATHS_MAX_HOPS, &st))
    return 1;
  printf("c: %zu paths (%zu used, %zu unlogged) from %zu agents over "
         "%zu nodes, %zu edges, %zu sensitive resources; %zu "
         "sts:AssumeRole decisions; %.2f s\n", st.paths, st.used,
         st.unlogged, st.agents, st.identities, st.edges, st.resources,
         st.decisions, seconds() - t0);
  return 0;
}

int main(int argc, char **argv)
{
  struct nhi_store *s = NULL;
  int rc;

  if (argc < 3 || (strcmp(argv[2], "c") == 0 && argc < 4)) {
    fprintf(stderr, "usage: bench_paths STORE init|cte|c HOME\n");
    return 2;
  }
  if (nhi_store_open(argv[1], &s))
    return 1;
  if (strcmp(argv[2], "init") == 0)
    rc = 0;
  else if (strcmp(argv[2], "cte") == 0)
    rc = run_cte(s);
  else
    rc = run_c(s, argv[3]);
  nhi_store_close(s);
  return rc;
}
