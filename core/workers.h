/* A few threads working through a numbered list of independent jobs
 * (files to read), each thread with a context of its own. */
#ifndef NHI_WORKERS_H
#define NHI_WORKERS_H

#include "nhi.h"

#include <stddef.h>

/* One job: index is its place in the list; ctx the running thread's. */
typedef enum nhi_rc (*nhi_job_fn)(void *ctx, size_t index);

/* How many threads to use for n jobs: the processors online, at most
 * max and at most n, at least 1. */
size_t nhi_workers_count(size_t n, size_t max);

/* Runs job for index 0 .. n - 1 on nthreads threads, thread i passing
 * ctxs[i] (nthreads entries; with one thread all run on the caller's).
 * Jobs are taken in order; once one fails no new job starts, and the
 * failure of the lowest index is returned (its message was logged by
 * the job). A thread that cannot be started leaves its share to the
 * others; NHI_ERR_NOMEM when the pool itself cannot be set up. */
enum nhi_rc nhi_workers_run(size_t nthreads, size_t n, nhi_job_fn job,
                            void *const *ctxs);

#endif
