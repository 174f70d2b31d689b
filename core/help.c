/* The --help texts of nhiscope and each of its commands. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char overview[] =
  "usage: nhiscope [options] COMMAND [options]\n"
  "\n"
  "Assesses how an organisation governs its non-human identities.\n"
  "\n"
  "commands:\n"
  "  assess    collect + check + score + report into an output folder\n"
  "  collect   read sources into DIR/evidence.db\n"
  "  check     run the checks over DIR/evidence.db\n"
  "  report    write DIR/report.json and DIR/report.pdf\n"
  "  plugins   plugins list [--json] | info ID | new ID [-o DIR]\n"
  "  test      run plugin tests: test PATH...\n"
  "  diff      what changed between two reports: diff OLD NEW [--json]\n"
  "\n"
  "options for every command:\n"
  "  --now ISO8601        pin the assessment clock (reproducible reports)\n"
  "  --plugins DIR        also load plugins from DIR (repeatable)\n"
  "  --set ID.PARAM=VAL   override one plugin param (repeatable)\n"
  "  --memory MIB         memory cap per plugin run (default 512)\n"
  "  --budget MINSTR      instruction budget per plugin run, in millions\n"
  "                       of Lua VM instructions (default 20000)\n"
  "  -v, -vv, -q          more logging, debug logging, errors only\n"
  "  -h, --help           this help, or a command's: nhiscope assess -h\n"
  "  --version            print the version\n"
  "\n"
  "exit status: 0 done; 1 done, but a source or plugin failed (named on\n"
  "stderr and in the report); 2 bad usage or input.\n";

static const char assess_help[] =
  "usage: nhiscope assess [--source SPEC]... [--profile FILE] [--demo]\n"
  "                       [--lang L] [--format LIST] [--template NAME]\n"
  "                       [--baseline OLD] -o DIR\n"
  "\n"
  "Collects every source, runs every check, scores the four questions and\n"
  "writes DIR/evidence.db, DIR/report.json and DIR/report.pdf. An earlier\n"
  "DIR/evidence.db is replaced.\n"
  "\n"
  "  --source SPEC   provider:kind=path for an export, e.g.\n"
  "                  aws:authz=gaad.json (the output of aws iam\n"
  "                  get-account-authorization-details); repeatable;\n"
  "                  replaces the profile's sources\n"
  "  --profile FILE  the assessment profile (client, branding, sources,\n"
  "                  params, disabled checks, sensitivity labels)\n"
  "  --demo          assess the bundled demo company (Northwind Robotics)\n"
  "  --lang L        report language (default: the profile's, else en)\n"
  "  --format LIST   reports to write, comma-separated: json (report.json),\n"
  "                  pdf (report.pdf), csv (findings.csv), sarif\n"
  "                  (report.sarif); default json,pdf\n"
  "  --template NAME the PDF's template: executive (default, report.pdf)\n"
  "                  or technical (report-technical.pdf: every finding\n"
  "                  with its evidence); templates/NAME.json\n"
  "  --baseline OLD  an earlier report.json, or its assessment folder:\n"
  "                  report.json says what changed since (\"baseline\")\n"
  "  -o DIR          output folder (created if missing)\n";

static const char collect_help[] =
  "usage: nhiscope collect [--source SPEC]... [--profile FILE] [--demo] "
  "-o DIR\n"
  "\n"
  "Reads sources into DIR/evidence.db, adding to what is already there.\n"
  "Each source is one transaction: a failing source is recorded as failed\n"
  "and loses nothing collected before it.\n";

static const char check_help[] =
  "usage: nhiscope check [--profile FILE] -o DIR\n"
  "\n"
  "Runs every enabled check over DIR/evidence.db, replacing earlier\n"
  "findings. Checks whose evidence was not collected are skipped.\n";

static const char report_help[] =
  "usage: nhiscope report [--lang L] [--format LIST] [--template NAME]\n"
  "                       [--baseline OLD] -o DIR\n"
  "\n"
  "Scores the findings in DIR/evidence.db and writes DIR/report.json and\n"
  "DIR/report.pdf (DIR/report-NAME.pdf with --template NAME). --format,\n"
  "--template and --baseline as for assess.\n";

static const char diff_help[] =
  "usage: nhiscope diff OLD NEW [--json]\n"
  "\n"
  "Compares two reports: OLD and NEW are report.json files or assessment\n"
  "folders. A finding is the same in both when its check, identity and\n"
  "resource are. Prints the score changes, overall and per question, and\n"
  "the findings new, resolved and changed (severity or status); --json\n"
  "prints the same as report.json's \"baseline\" (docs/schema.md).\n"
  "Exit status 0, or 2 when a report cannot be read.\n";

static const char plugins_help[] =
  "usage: nhiscope plugins list [--json]\n"
  "       nhiscope plugins info ID\n"
  "       nhiscope plugins new ID [-o DIR]\n"
  "\n"
  "list: the built-in plugins and those of --plugins folders, with their\n"
  "metadata. info: one plugin in full, with its params. new: writes a\n"
  "working check DIR/ID.lua to start from, and its test cases in\n"
  "DIR/tests/ID/ (DIR defaults to the current folder; nothing is\n"
  "overwritten). Then: nhiscope test DIR.\n";

static const char test_help[] =
  "usage: nhiscope test PATH...\n"
  "\n"
  "Runs the test cases of the check plugins found under each PATH (a\n"
  "plugin file or folder). A check's cases are the *.json files in\n"
  "tests/plugins/<check id>/ of the install folder, or in tests/<check id>/\n"
  "next to the plugin's folder. Each case holds evidence rows and the\n"
  "findings expected; see docs/plugins.md. Ends with 'N passed, N failed'.\n";

void nhi_cli_help(const char *command)
{
  static const struct { const char *name, *text; } texts[] = {
    { "assess", assess_help }, { "collect", collect_help },
    { "check", check_help }, { "report", report_help },
    { "plugins", plugins_help }, { "test", test_help },
    { "diff", diff_help },
  };

  for (size_t i = 0; command && i < sizeof texts / sizeof texts[0]; i++)
    if (strcmp(texts[i].name, command) == 0) {
      fputs(texts[i].text, stdout);
      return;
    }
  fputs(overview, stdout);
}
