-- The history of a local git clone: every commit's added lines on every
-- branch and tag, scanned by the C scanner with the same rules as
-- files:path. A secret committed and later removed is still found, marked
-- as being only in history: it stays in every clone until rotated.
return {
  id = "git.repo",
  kind = "collector",
  source = "git:repo",
  description = "A local git clone's history (git log -p --all) scanned for "
    .. "secrets, those removed since marked as in history",
  provides = { "secrets" },

  run = function(ctx)
    local path = ctx.source.location
    if not path then
      error("git:repo needs a clone: --source git:repo=checkout/", 0)
    end
    local got = ctx:scan_git(path)
    nhi.log.info("%s: %d commits, %d added lines, %d secrets (%d only in history)",
      path, got.commits, got.lines, got.secrets, got.in_history)
  end,
}
