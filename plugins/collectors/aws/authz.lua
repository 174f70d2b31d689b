-- AWS IAM from an export of `aws iam get-account-authorization-details`.
-- The C importer does the parsing; this plugin names the source and
-- reports what it found.
return {
  id = "aws.authz",
  kind = "collector",
  source = "aws:authz",
  description = "AWS IAM users, roles, groups and policies "
    .. "(get-account-authorization-details export)",
  provides = { "identities", "policies", "grants", "edges", "resources" },

  run = function(ctx)
    local path = ctx.source.location
    if not path then
      error("aws:authz needs the export's path: --source aws:authz=gaad.json", 0)
    end
    local got = ctx:import("aws.authz", path)
    nhi.log.info("%s: %d identities, %d grants, %d edges, %d resources",
      path, got.identities, got.grants, got.edges, got.resources)
  end,
}
