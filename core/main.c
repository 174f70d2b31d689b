/* nhiscope: assesses how an organisation governs its non-human
 * identities. This file only dispatches to the commands. */
#include "cli.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

static const struct {
  const char *name;
  int (*run)(struct nhi_runtime *);
} commands[] = {
  { "assess", nhi_cmd_assess }, { "collect", nhi_cmd_collect },
  { "check", nhi_cmd_check }, { "report", nhi_cmd_report },
  { "plugins", nhi_cmd_plugins }, { "test", nhi_cmd_test },
  { "diff", nhi_cmd_diff },
};

static int dispatch(struct nhi_runtime *rt, const char *command)
{
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(commands[i].name, command) == 0)
      return commands[i].run(rt);
  nhi_error("unknown command '%s' (see nhiscope --help)", command);
  return 2;
}

int main(int argc, char **argv)
{
  struct nhi_runtime rt = { 0 };
  const char *command = NULL;
  int help = 0, status;

  /* SQLite's allocation counts take one lock for the whole process on
   * every allocation: threads with connections of their own (the data
   * access derivation's) would queue on it. nhiscope never reads them.
   * Only possible before SQLite starts; without it only speed is lost. */
  if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
    nhi_debug("cannot turn off SQLite's allocation counts");
  if (nhi_cli_parse(&rt, argc, argv, &command, &help) != NHI_OK) {
    nhi_runtime_free(&rt);
    return 2;
  }
  if (rt.opt.version) {
    printf("nhiscope %s\n", NHI_VERSION);
    nhi_runtime_free(&rt);
    return 0;
  }
  if (help || !command) {
    nhi_cli_help(command);
    nhi_runtime_free(&rt);
    return help ? 0 : 2;
  }
  status = nhi_runtime_find_home(&rt, argv[0]) == NHI_OK
             ? dispatch(&rt, command) : 2;
  nhi_runtime_free(&rt);
  return status;
}
