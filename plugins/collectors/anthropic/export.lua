-- Anthropic, from saved Admin API answers: a folder holding
-- workspaces.json, users.json and api_keys.json (what anthropic:admin
-- saves under raw/), each one list answer or a JSON array of its pages.
-- A file that is not there is a coverage gap; one that cannot be read
-- fails the source, naming the file.
local admin = require("ai_admin")
local org = require("anthropic_org")

local read = admin.read_optional

return {
  id = "anthropic.export",
  kind = "collector",
  source = "anthropic:export",
  provides = { "identities", "credentials", "resources", "ai_agents", "edges" },
  description = [[
An Anthropic organisation from Admin API answers saved as files (the
layout is in docs/usage.md): the same evidence as anthropic:admin.]],

  run = function(ctx)
    local dir = admin.export_dir(ctx, "anthropic:export")
    local data = {}
    data.api_keys = admin.read_pages(dir, org.FILES.api_keys)
    if not data.api_keys then
      error(string.format("anthropic:export: no '%s/%s' (is '%s' an Anthropic export "
        .. "folder?)", dir, org.FILES.api_keys, dir), 0)
    end
    data.workspaces = read(ctx, dir, org.FILES.workspaces, "anthropic:ListWorkspaces")
    data.users = read(ctx, dir, org.FILES.users, "anthropic:ListUsers")
    local n = org.write(ctx, data)
    nhi.log.info("%d workspaces, %d users, %d API keys", n.workspaces, n.users, n.keys)
  end,
}
