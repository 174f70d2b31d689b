-- A folder tree (a checkout, a file share, a home folder) scanned for
-- secrets by the C scanner. Files are matched against the secret rules
-- (plugins/data/secrets/rules.json, plus data/secrets/rules.json of each
-- --plugins folder); excludes come from .nhiscopeignore files in the tree.
return {
  id = "files.path",
  kind = "collector",
  source = "files:path",
  description = "A folder tree scanned for secrets: keys, tokens, private keys, "
    .. "passwords (fingerprint and masked preview only)",
  provides = { "secrets" },

  run = function(ctx)
    local path = ctx.source.location
    if not path then
      error("files:path needs a folder: --source files:path=repo/", 0)
    end
    local got = ctx:scan_files(path)
    nhi.log.info("%s: %d files (%d skipped), %d bytes, %d secrets", path,
      got.files, got.skipped, got.bytes, got.secrets)
  end,
}
