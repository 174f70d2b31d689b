/* The diff command: what changed between two assessments' reports. */
#include "cli.h"
#include "report_diff.h"

#include <stdio.h>
#include <stdlib.h>

int nhi_cmd_diff(struct nhi_runtime *rt)
{
  const struct nhi_strings *args = &rt->opt.args;
  cJSON *older = NULL, *newer = NULL, *diff = NULL;
  char *text = NULL;
  enum nhi_rc rc = NHI_OK;

  if (args->count != 2) {
    nhi_error("diff: needs two reports, OLD and NEW (report.json files "
              "or assessment folders; see nhiscope diff --help)");
    return 2;
  }
  rc = nhi_diff_load(args->items[0], &older);
  if (!rc)
    rc = nhi_diff_load(args->items[1], &newer);
  if (!rc)
    rc = nhi_diff_build(older, newer, args->items[0], &diff);
  if (!rc && rt->opt.json) {
    text = cJSON_Print(diff);
    rc = text && puts(text) >= 0 ? NHI_OK : NHI_ERR_IO;
  } else if (!rc) {
    nhi_diff_print(stdout, diff, newer, args->items[1]);
  }
  if (!rc && fflush(stdout) != 0)
    rc = NHI_ERR_IO;
  free(text);
  cJSON_Delete(older);
  cJSON_Delete(newer);
  cJSON_Delete(diff);
  return nhi_exit_status(rt, rc);
}
