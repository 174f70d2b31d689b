-- AWS CloudTrail trail configuration: the JSON `aws cloudtrail
-- describe-trails` prints, with the get-event-selectors and
-- get-trail-status outputs of each trail when collected, in one folder.
-- The C importer recognises each file by its keys; this plugin names the
-- source and reports what it found.
return {
  id = "aws.trails",
  kind = "collector",
  source = "aws:trails",
  description = "AWS CloudTrail trails, their event selectors and status "
    .. "(describe-trails, get-event-selectors, get-trail-status)",
  provides = { "resources" },

  run = function(ctx)
    local path = ctx.source.location
    if not path then
      error("aws:trails needs the exports' path: --source aws:trails=trails/", 0)
    end
    local got = ctx:import("aws.trails", path)
    nhi.log.info("%s: %d trails listed, %d files", path, got.records, got.files)
  end,
}
