/* Scoring: the four questions' answers and scores, and the overall
 * grade, from findings, population and evidence coverage. The method is
 * docs/scoring.md; keep the two in step. */
#ifndef NHI_SCORE_H
#define NHI_SCORE_H

#include "store.h"

#define NHI_QUESTIONS 4
#define NHI_SEVERITIES 5

struct nhi_question_score {
  const char *id;              /* "overprivilege" */
  const char *answer;          /* yes, partly, no, not-assessed */
  int assessed;
  int score;                   /* 0..100; meaningless unless assessed */
  double coverage;             /* share of needed evidence present */
  const char *missing[4];      /* evidence tables not collected */
  size_t nmissing;
  long long counts[NHI_SEVERITIES];  /* failing findings by severity */
  long long indeterminate;
  long long total;
  int checks_ok, checks_failed;
};

struct nhi_score {
  struct nhi_question_score q[NHI_QUESTIONS];
  long long population;        /* non-human identities */
  int overall;
  char grade[2];
};

/* Computes the score from the store. */
enum nhi_rc nhi_score_compute(struct nhi_store *s, struct nhi_score *out);

/* Evidence tables each question needs, NULL-terminated. */
const char *const *nhi_score_needs(const char *question);

#endif
