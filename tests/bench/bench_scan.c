/* The secrets scanner's benchmark driver (./build.sh bench): scans a
 * tree RUNS times with the bundled rules over THREADS threads, prints
 * one JSON object (files, bytes, seconds per run, MB/s of the best run)
 * to stdout, and writes what the last run found to HITS as
 * "path\tline\ttype" lines, for recall against the planted list. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "scan.h"

static double now_s(void)
{
  struct timespec t;

  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int write_hits(const char *path, const struct nhi_scan_result *r)
{
  FILE *f = fopen(path, "w");

  if (!f)
    return 1;
  for (size_t i = 0; i < r->hits.count; i++)
    fprintf(f, "%s\t%ld\t%s\n", r->files[r->hits.items[i].file].path,
            r->hits.items[i].line, r->hits.items[i].type);
  return fclose(f) != 0;
}

int main(int argc, char **argv)
{
  struct nhi_scan_rules *set = NULL;
  struct nhi_scan_opts o = { 0 };
  struct nhi_scan_result r = { 0 };
  double best = 0;
  int runs;

  if (argc != 6) {
    fprintf(stderr, "usage: bench_scan RULES TREE THREADS RUNS HITS\n");
    return 2;
  }
  o.threads = atoi(argv[3]);
  o.sample = -1;
  runs = atoi(argv[4]);
  if (nhi_scan_rules_load(argv[1], &set))
    return 2;
  printf("{\"threads\": %d, \"seconds\": [", o.threads);
  for (int i = 0; i < runs; i++) {
    double t0;

    nhi_scan_result_free(&r);
    t0 = now_s();
    if (nhi_scan_tree(set, argv[2], &o, &r))
      return 2;
    t0 = now_s() - t0;
    best = i == 0 || t0 < best ? t0 : best;
    printf("%s%.3f", i ? ", " : "", t0);
  }
  printf("], \"files\": %zu, \"bytes\": %lld, \"hits\": %zu, "
         "\"mb_s\": %.1f}\n", r.nfiles, r.bytes, r.hits.count,
         (double)r.bytes / 1e6 / best);
  if (write_hits(argv[5], &r))
    return 2;
  nhi_scan_result_free(&r);
  nhi_scan_rules_free(set);
  return 0;
}
