/* A few threads working through a numbered list of independent jobs. */
#include "workers.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

struct pool {
  nhi_job_fn job;
  size_t n;
  atomic_size_t next;         /* the next job to take */
  atomic_int stop;            /* a job failed: take no more */
  pthread_mutex_t lock;       /* guards failed_at and rc */
  size_t failed_at;
  enum nhi_rc rc;
};

struct worker {
  struct pool *pool;
  void *ctx;
};

static void note_failure(struct pool *p, size_t index, enum nhi_rc rc)
{
  pthread_mutex_lock(&p->lock);
  if (!p->rc || index < p->failed_at) {
    p->rc = rc;
    p->failed_at = index;
  }
  pthread_mutex_unlock(&p->lock);
  atomic_store(&p->stop, 1);
}

static void *work(void *arg)
{
  struct worker *w = arg;
  struct pool *p = w->pool;
  enum nhi_rc rc;
  size_t i;

  while (!atomic_load(&p->stop)) {
    i = atomic_fetch_add(&p->next, 1);
    if (i >= p->n)
      break;
    if ((rc = p->job(w->ctx, i)) != NHI_OK)
      note_failure(p, i, rc);
  }
  return NULL;
}

size_t nhi_workers_count(size_t n, size_t max)
{
  long online = sysconf(_SC_NPROCESSORS_ONLN);
  size_t k = online > 0 ? (size_t)online : 1;

  if (k > max)
    k = max;
  if (k > n)
    k = n;
  return k ? k : 1;
}

enum nhi_rc nhi_workers_run(size_t nthreads, size_t n, nhi_job_fn job,
                            void *const *ctxs)
{
  struct pool p = { .job = job, .n = n };
  struct worker *w = calloc(nthreads ? nthreads : 1, sizeof *w);
  pthread_t *threads = calloc(nthreads ? nthreads : 1, sizeof *threads);
  size_t started = 0;

  atomic_init(&p.next, 0);
  atomic_init(&p.stop, 0);
  if (!w || !threads || pthread_mutex_init(&p.lock, NULL) != 0) {
    free(w);
    free(threads);
    return NHI_ERR_NOMEM;
  }
  for (size_t i = 0; i < nthreads; i++)
    w[i] = (struct worker){ &p, ctxs[i] };
  /* The caller's thread is the first worker; a thread that cannot be
   * started leaves its share to the others. */
  for (size_t i = 1; i < nthreads; i++, started++)
    if (pthread_create(&threads[i], NULL, work, &w[i]) != 0)
      break;
  work(&w[0]);
  for (size_t i = 1; i <= started; i++)
    pthread_join(threads[i], NULL);
  pthread_mutex_destroy(&p.lock);
  free(w);
  free(threads);
  return p.rc;
}
