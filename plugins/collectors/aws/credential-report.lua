-- The AWS IAM credential report: per user, console password, MFA and the
-- state, age and last use of each access key and signing certificate.
-- The C importer does the parsing; this plugin names the source and
-- reports what it found.
return {
  id = "aws.credential-report",
  kind = "collector",
  source = "aws:credential-report",
  description = "AWS IAM credential report (get-credential-report, "
    .. "as the decoded CSV or the CLI's JSON)",
  provides = { "identities", "credentials" },

  run = function(ctx)
    local path = ctx.source.location
    if not path then
      error("aws:credential-report needs the report's path: "
        .. "--source aws:credential-report=cred.csv", 0)
    end
    local got = ctx:import("aws.credential-report", path)
    nhi.log.info("%s: %d users, %d credentials", path, got.identities,
      got.credentials)
  end,
}
