/* Unit tests for the worker threads that read files in parallel. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <string.h>

#include "workers.h"

#define JOBS 500

/* What the jobs of one run saw: each index once, and per thread how
 * many it ran. */
struct tally {
  atomic_int seen[JOBS];
  size_t fail_from;           /* jobs at or past this index fail */
};

struct ctx {
  struct tally *t;
  size_t ran;
};

static enum nhi_rc count_job(void *arg, size_t index)
{
  struct ctx *c = arg;

  atomic_fetch_add(&c->t->seen[index], 1);
  c->ran++;
  return index >= c->t->fail_from ? NHI_ERR_INPUT : NHI_OK;
}

static void run(struct tally *t, struct ctx *c, size_t threads, size_t n,
                enum nhi_rc want)
{
  void *ctxs[4];

  for (size_t i = 0; i < threads; i++) {
    c[i] = (struct ctx){ t, 0 };
    ctxs[i] = &c[i];
  }
  assert_int_equal(nhi_workers_run(threads, n, count_job, ctxs), want);
}

static void test_every_job_runs_once(void **state)
{
  struct tally t = { .fail_from = JOBS };
  struct ctx c[4];
  size_t total = 0;

  (void)state;
  for (size_t i = 0; i < JOBS; i++)
    atomic_init(&t.seen[i], 0);
  run(&t, c, 4, JOBS, NHI_OK);
  for (size_t i = 0; i < JOBS; i++)
    if (atomic_load(&t.seen[i]) != 1)
      fail_msg("job %zu ran %d times", i, atomic_load(&t.seen[i]));
  for (size_t i = 0; i < 4; i++)
    total += c[i].ran;
  assert_int_equal(total, JOBS);
}

static void test_a_failure_stops_new_jobs(void **state)
{
  struct tally t = { .fail_from = 10 };
  struct ctx c[3];
  size_t total = 0;

  (void)state;
  for (size_t i = 0; i < JOBS; i++)
    atomic_init(&t.seen[i], 0);
  run(&t, c, 3, JOBS, NHI_ERR_INPUT);
  for (size_t i = 0; i < 3; i++)
    total += c[i].ran;
  /* Jobs already taken when the first failed may finish; no more. */
  if (total > 10 + 3)
    fail_msg("%zu jobs ran after a failure at job 10", total);
  for (size_t i = 0; i < 10; i++)
    assert_int_equal(atomic_load(&t.seen[i]), 1);
}

static void test_one_thread_runs_in_order(void **state)
{
  struct tally t = { .fail_from = 3 };
  struct ctx c[1];

  (void)state;
  for (size_t i = 0; i < JOBS; i++)
    atomic_init(&t.seen[i], 0);
  run(&t, c, 1, JOBS, NHI_ERR_INPUT);
  assert_int_equal(c[0].ran, 4);
  assert_int_equal(atomic_load(&t.seen[4]), 0);
}

static void test_thread_count(void **state)
{
  (void)state;
  assert_int_equal(nhi_workers_count(0, 4), 1);
  assert_int_equal(nhi_workers_count(1, 4), 1);
  assert_true(nhi_workers_count(100, 4) >= 1);
  assert_true(nhi_workers_count(100, 4) <= 4);
  assert_int_equal(nhi_workers_count(100, 1), 1);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_every_job_runs_once),
    cmocka_unit_test(test_a_failure_stops_new_jobs),
    cmocka_unit_test(test_one_thread_runs_in_order),
    cmocka_unit_test(test_thread_count),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
