/* The report stage's extras: findings.csv and report.sarif when
 * --format asks for them, and the comparison with --baseline. */
#include "runtime.h"
#include "report_csv.h"
#include "report_diff.h"
#include "report_sarif.h"
#include "strutil.h"

#include <stdlib.h>

/* The rules of report.sarif take the checks' metadata from the plugins,
 * which a report stage run alone has not loaded yet. */
static enum nhi_rc write_sarif(struct nhi_runtime *rt, const cJSON *report,
                               const char *path)
{
  enum nhi_rc rc = NHI_OK;

  if (!rt->plugins.count && !rt->plugins.nfailures)
    rc = nhi_runtime_load_plugins(rt);
  return rc ? rc : nhi_sarif_write(report, &rt->plugins, path);
}

enum nhi_rc nhi_stage_report_formats(struct nhi_runtime *rt,
                                     const cJSON *report)
{
  char *csv = nhi_aprintf("%s/findings.csv", rt->opt.out_dir);
  char *sarif = nhi_aprintf("%s/report.sarif", rt->opt.out_dir);
  enum nhi_rc rc = csv && sarif ? NHI_OK : NHI_ERR_NOMEM;

  if (!rc && (rt->opt.formats & NHI_FORMAT_CSV))
    rc = nhi_csv_write(report, csv);
  if (!rc && (rt->opt.formats & NHI_FORMAT_SARIF))
    rc = write_sarif(rt, report, sarif);
  free(csv);
  free(sarif);
  return rc;
}

enum nhi_rc nhi_stage_report_baseline(struct nhi_runtime *rt)
{
  if (!rt->opt.baseline || rt->baseline)
    return NHI_OK;
  return nhi_diff_load(rt->opt.baseline, &rt->baseline);
}

enum nhi_rc nhi_stage_report_add_baseline(struct nhi_runtime *rt,
                                          cJSON *report)
{
  cJSON *diff = NULL;
  enum nhi_rc rc = nhi_stage_report_baseline(rt);

  if (!rc && rt->baseline)
    rc = nhi_diff_build(rt->baseline, report, rt->opt.baseline, &diff);
  if (!rc && diff && !cJSON_AddItemToObject(report, "baseline", diff)) {
    cJSON_Delete(diff);
    rc = NHI_ERR_NOMEM;
  }
  return rc;
}
