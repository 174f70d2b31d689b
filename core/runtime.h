/* The one runtime context of a command: options, profile, clock, store,
 * plugins. Everything a stage needs hangs off it. */
#ifndef NHI_RUNTIME_H
#define NHI_RUNTIME_H

#include "nhi.h"
#include "plugin.h"
#include "store.h"
#include "timeutil.h"

#include <cJSON.h>

/* A growable list of borrowed or owned strings. */
struct nhi_strings {
  char **items;
  size_t count;
};

/* The report formats --format names, as bits of nhi_options.formats. */
enum nhi_format {
  NHI_FORMAT_JSON = 1 << 0,     /* DIR/report.json */
  NHI_FORMAT_PDF = 1 << 1,      /* DIR/report.pdf */
  NHI_FORMAT_CSV = 1 << 2,      /* DIR/findings.csv */
  NHI_FORMAT_SARIF = 1 << 3     /* DIR/report.sarif */
};

/* What the command line said. Strings are borrowed from argv. */
struct nhi_options {
  const char *out_dir;
  const char *profile;
  const char *now;
  const char *lang;
  const char *baseline;         /* --baseline: an earlier report */
  const char *template_name;    /* --template: NULL for the default */
  unsigned formats;             /* --format bits (json and pdf) */
  int demo;
  int json;
  int version;
  struct nhi_strings sources;   /* --source SPEC */
  struct nhi_strings plugin_dirs;
  struct nhi_strings sets;      /* --set ID.PARAM=VALUE */
  struct nhi_strings args;      /* positional arguments */
  size_t memory_mib;
  unsigned long long budget_minstr;
};

/* What the assessment profile said; all owned. */
struct nhi_profile {
  char *path;
  char *dir;                    /* relative paths resolve against it */
  char *client;
  char *prepared_by;
  char *company;                /* prepared_by.company */
  char *logo;                   /* prepared_by.logo, resolved */
  char *lang;
  char *framework;
  char *now;
  struct nhi_strings sources;   /* specs; paths relative to dir */
  struct nhi_strings disable;
  struct nhi_strings known_accounts;
  cJSON *params;                /* { check id: { param: value } } */
  cJSON *sensitivity;           /* { ARN glob: level } */
  cJSON *sensitivity_tags;      /* { tag key: { tag value: level } } */
  int max_hops;                 /* paths.max_hops; 0: the default */
  cJSON *brand_colours;         /* prepared_by.colours */
};

struct nhi_runtime {
  struct nhi_options opt;
  struct nhi_profile profile;
  char *home;                   /* holds plugins/, templates/, demo/ */
  char now[NHI_TIME_SIZE];
  time_t now_unix;
  struct nhi_store *store;
  struct nhi_plugin_set plugins;
  struct nhi_plugin_env penv;
  struct nhi_strings read_roots;
  struct nhi_strings lib_dirs;
  cJSON *overrides;             /* effective param overrides by check */
  cJSON *baseline;              /* the --baseline report, once read */
  int failures;                 /* sources or plugins that failed */
};

/* Appends a copy of s (own != 0) or s itself to list. */
enum nhi_rc nhi_strings_add(struct nhi_strings *list, const char *s,
                            int own);
/* Frees the list, and its strings when they are owned. */
void nhi_strings_free(struct nhi_strings *list, int owned);

/* Loads the profile at path into rt->profile. NHI_ERR_USAGE with one
 * message naming the file and setting on failure. */
enum nhi_rc nhi_profile_load(struct nhi_runtime *rt, const char *path);
void nhi_profile_clear(struct nhi_profile *p);
/* Takes the settings the derivations read (sensitivity, sensitivity_tags,
 * paths; params too) out of settings into p, checking each; 0 with the
 * error logged against p->path. */
int nhi_profile_take_derive(struct nhi_profile *p, cJSON *settings);

/* Finds the install root (plugins/, templates/, demo/) into rt->home. */
enum nhi_rc nhi_runtime_find_home(struct nhi_runtime *rt, const char *argv0);

/* Sets the clock from --now, the profile, or the system clock. */
enum nhi_rc nhi_runtime_set_clock(struct nhi_runtime *rt);

/* Discovers the built-in and --plugins plugins into rt->plugins. */
enum nhi_rc nhi_runtime_load_plugins(struct nhi_runtime *rt);

/* Lets plugins read files at or below path (made absolute). */
enum nhi_rc nhi_runtime_allow_read(struct nhi_runtime *rt, const char *path);

/* Opens DIR/evidence.db; fresh removes an earlier one first. */
enum nhi_rc nhi_runtime_open_store(struct nhi_runtime *rt, int fresh);

/* Checks every source spec and finds its collector, changing nothing;
 * NHI_ERR_USAGE with a message naming the bad spec. */
enum nhi_rc nhi_stage_collect_validate(struct nhi_runtime *rt);

/* Stages, in the order assess runs them. */
enum nhi_rc nhi_stage_collect(struct nhi_runtime *rt);
/* After collection: sensitivity labels from the profile, tags and names,
 * the AWS data access edges and the AI agents' paths (core/derive.c). */
enum nhi_rc nhi_stage_derive(struct nhi_runtime *rt);
enum nhi_rc nhi_stage_check(struct nhi_runtime *rt);
enum nhi_rc nhi_stage_report(struct nhi_runtime *rt);

/* Reads the report --baseline names into rt->baseline, once; nothing
 * without --baseline. NHI_ERR_INPUT with a message naming the file when
 * it is not a report. */
enum nhi_rc nhi_stage_report_baseline(struct nhi_runtime *rt);

/* Checks that the --template named exists and reads; NHI_ERR_USAGE
 * with a message naming it otherwise. */
enum nhi_rc nhi_stage_report_check_template(struct nhi_runtime *rt);

/* With --baseline, adds to report (the report.json tree) what changed
 * since that report, as its "baseline" member. */
enum nhi_rc nhi_stage_report_add_baseline(struct nhi_runtime *rt,
                                          cJSON *report);

/* Writes the formats other than json and pdf that --format asks for
 * (findings.csv, report.sarif) from report as parsed from its text. */
enum nhi_rc nhi_stage_report_formats(struct nhi_runtime *rt,
                                     const cJSON *report);

/* Validates --set and the profile's params against plugin metadata and
 * builds rt->overrides. */
enum nhi_rc nhi_params_resolve(struct nhi_runtime *rt);

/* The effective params JSON of a plugin (defaults + overrides); caller
 * frees. NULL on allocation failure. */
char *nhi_params_effective(const struct nhi_runtime *rt,
                           const struct nhi_plugin *p);

void nhi_runtime_free(struct nhi_runtime *rt);

#endif
