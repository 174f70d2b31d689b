/* The command line: parsing options and dispatching commands. */
#ifndef NHI_CLI_H
#define NHI_CLI_H

#include "runtime.h"

/* Parses argv into rt->opt; *command is argv's command word, or NULL.
 * NHI_ERR_USAGE with a message on bad options. */
enum nhi_rc nhi_cli_parse(struct nhi_runtime *rt, int argc, char **argv,
                          const char **command, int *help);

/* Prints the help of command (NULL: the overview) to stdout. */
void nhi_cli_help(const char *command);

/* The commands; each returns the process exit status. */
int nhi_cmd_assess(struct nhi_runtime *rt);
int nhi_cmd_collect(struct nhi_runtime *rt);
int nhi_cmd_check(struct nhi_runtime *rt);
int nhi_cmd_report(struct nhi_runtime *rt);
int nhi_cmd_plugins(struct nhi_runtime *rt);
int nhi_cmd_test(struct nhi_runtime *rt);

/* diff OLD NEW: compares two reports (report.json files or assessment
 * folders) and prints the summary, or with --json the comparison. */
int nhi_cmd_diff(struct nhi_runtime *rt);

/* plugins new ID: writes a working check and its test cases into -o DIR
 * (default: the current folder). */
int nhi_cmd_plugins_new(struct nhi_runtime *rt, const char *id);

/* Maps a result to the documented exit status: 0 done, 1 done with
 * failed sources or plugins (or a failure while running), 2 bad usage
 * or input. */
int nhi_exit_status(const struct nhi_runtime *rt, enum nhi_rc rc);

#endif
