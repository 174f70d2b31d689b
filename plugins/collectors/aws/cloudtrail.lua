-- AWS CloudTrail logs: the files a trail delivers to S3
-- (AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz), a folder
-- of them, or a JSON Lines export. The C importer streams them and
-- aggregates events into activity rows; this plugin names the source and
-- reports what it found.
return {
  id = "aws.cloudtrail",
  kind = "collector",
  source = "aws:cloudtrail",
  description = "AWS CloudTrail log files (S3 delivery, gzipped or plain, "
    .. "or JSON Lines), aggregated into activity",
  provides = { "activity" },

  run = function(ctx)
    local path = ctx.source.location
    if not path then
      error("aws:cloudtrail needs the logs' path: --source aws:cloudtrail=AWSLogs/", 0)
    end
    local got = ctx:import("aws.cloudtrail", path)
    if got.records == 0 then
      nhi.log.warn("%s: the logs hold no events", path)
    end
    nhi.log.info("%s: %d events in %d files, %d activity rows", path,
      got.records, got.files, got.activity)
  end,
}
