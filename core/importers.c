/* The C importers collectors reach through ctx:import(name, path). */
#include "importers.h"

#include <string.h>

/* One line per importer: the name collectors use, and the function. */
static const struct {
  const char *name;
  nhi_importer_fn fn;
} importers[] = {
  { "aws.authz", nhi_import_aws_authz },
  { "aws.cloudtrail", nhi_import_aws_cloudtrail },
  { "aws.trails", nhi_import_aws_trails },
  { "aws.credential-report", nhi_import_aws_credreport },
};

nhi_importer_fn nhi_importer_find(const char *name)
{
  for (size_t i = 0; i < sizeof importers / sizeof importers[0]; i++)
    if (strcmp(importers[i].name, name) == 0)
      return importers[i].fn;
  return NULL;
}
