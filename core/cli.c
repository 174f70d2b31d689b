/* The command line: parsing options and the help texts. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Takes the value of an option given as "--opt VALUE" or "--opt=VALUE". */
static const char *value_of(int argc, char **argv, int *i, const char *arg,
                            const char *name)
{
  size_t n = strlen(name);

  if (arg[n] == '=')
    return arg + n + 1;
  if (*i + 1 < argc)
    return argv[++*i];
  nhi_error("option '%s' needs a value (see --help)", name);
  return NULL;
}

static int matches(const char *arg, const char *name)
{
  size_t n = strlen(name);

  return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

static enum nhi_rc parse_number(const char *name, const char *text,
                                unsigned long long *out)
{
  char *end;

  *out = strtoull(text, &end, 10);
  if (!*text || *end || *out == 0) {
    nhi_error("option '%s' needs a positive whole number (got '%s')", name,
              text);
    return NHI_ERR_USAGE;
  }
  return NHI_OK;
}

static const char *const valued[] = {
  "-o", "--out", "--profile", "--now", "--lang", "--source", "--plugins",
  "--set", "--memory", "--budget", "--format", "--baseline", "--template",
  NULL
};

/* Parses --format's comma-separated list (json,pdf,csv,sarif) into
 * nhi_format bits. */
static enum nhi_rc parse_formats(const char *text, unsigned *out)
{
  static const struct { const char *name; unsigned bit; } names[] = {
    { "json", NHI_FORMAT_JSON }, { "pdf", NHI_FORMAT_PDF },
    { "csv", NHI_FORMAT_CSV }, { "sarif", NHI_FORMAT_SARIF },
  };
  const char *p = text;
  size_t n, k;

  *out = 0;
  do {
    n = strcspn(p, ",");
    for (k = 0; k < sizeof names / sizeof names[0]; k++)
      if (n == strlen(names[k].name) && !strncmp(p, names[k].name, n))
        break;
    if (k == sizeof names / sizeof names[0]) {
      nhi_error("option '--format': unknown format '%.*s' in '%s' "
                "(json, pdf, csv or sarif, comma-separated)", (int)n, p,
                text);
      return NHI_ERR_USAGE;
    }
    *out |= names[k].bit;
    p += n;
  } while (*p++ == ',');
  return NHI_OK;
}

/* Stores the value of one of the valued options. */
static enum nhi_rc take_valued(struct nhi_options *o, const char *name,
                               const char *v)
{
  unsigned long long n = 0;
  enum nhi_rc rc = NHI_OK;

  if (!strcmp(name, "-o") || !strcmp(name, "--out"))
    o->out_dir = v;
  else if (!strcmp(name, "--profile"))
    o->profile = v;
  else if (!strcmp(name, "--now"))
    o->now = v;
  else if (!strcmp(name, "--lang"))
    o->lang = v;
  else if (!strcmp(name, "--source"))
    rc = nhi_strings_add(&o->sources, v, 0);
  else if (!strcmp(name, "--plugins"))
    rc = nhi_strings_add(&o->plugin_dirs, v, 0);
  else if (!strcmp(name, "--set"))
    rc = nhi_strings_add(&o->sets, v, 0);
  else if (!strcmp(name, "--format"))
    rc = parse_formats(v, &o->formats);
  else if (!strcmp(name, "--baseline"))
    o->baseline = v;
  else if (!strcmp(name, "--template"))
    o->template_name = v;
  else if (!(rc = parse_number(name, v, &n)) && !strcmp(name, "--memory"))
    o->memory_mib = (size_t)n;
  else if (!rc)
    o->budget_minstr = n;
  return rc;
}

static int take_flag(struct nhi_options *o, const char *arg, int *help)
{
  if (!strcmp(arg, "-h") || !strcmp(arg, "--help"))
    *help = 1;
  else if (!strcmp(arg, "-v"))
    nhi_log_threshold = NHI_LOG_INFO;
  else if (!strcmp(arg, "-vv"))
    nhi_log_threshold = NHI_LOG_DEBUG;
  else if (!strcmp(arg, "-q"))
    nhi_log_threshold = NHI_LOG_ERROR;
  else if (!strcmp(arg, "--demo"))
    o->demo = 1;
  else if (!strcmp(arg, "--json"))
    o->json = 1;
  else if (!strcmp(arg, "--version"))
    o->version = 1;
  else
    return 0;
  return 1;
}

enum nhi_rc nhi_cli_parse(struct nhi_runtime *rt, int argc, char **argv,
                          const char **command, int *help)
{
  struct nhi_options *o = &rt->opt;
  enum nhi_rc rc = NHI_OK;
  const char *v;
  int i, k;

  *command = NULL;
  *help = 0;
  for (i = 1; i < argc && !rc; i++) {
    const char *arg = argv[i];

    if (arg[0] != '-' || !strcmp(arg, "-")) {
      if (!*command)
        *command = arg;
      else
        rc = nhi_strings_add(&o->args, arg, 0);
      continue;
    }
    if (take_flag(o, arg, help))
      continue;
    for (k = 0; valued[k] && !matches(arg, valued[k]); k++)
      ;
    if (!valued[k]) {
      nhi_error("unknown option '%s' (see nhiscope --help)", arg);
      return NHI_ERR_USAGE;
    }
    v = value_of(argc, argv, &i, arg, valued[k]);
    rc = v ? take_valued(o, valued[k], v) : NHI_ERR_USAGE;
  }
  if (!o->formats)
    o->formats = NHI_FORMAT_JSON | NHI_FORMAT_PDF;
  return rc;
}
