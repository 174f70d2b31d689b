-- OpenAI, from saved Admin API answers: a folder holding projects.json,
-- users.json, admin_api_keys.json and projects/<id>/service_accounts.json
-- and projects/<id>/api_keys.json (what openai:admin saves under raw/),
-- each one list answer or a JSON array of its pages. A file that is not
-- there is a coverage gap; one that cannot be read fails the source,
-- naming the file.
local admin = require("ai_admin")
local org = require("openai_org")

local read = admin.read_optional

return {
  id = "openai.export",
  kind = "collector",
  source = "openai:export",
  provides = { "identities", "credentials", "resources", "ai_agents", "edges" },
  description = [[
An OpenAI organisation from Admin API answers saved as files (the
layout is in docs/usage.md): the same evidence as openai:admin.]],

  run = function(ctx)
    local dir = admin.export_dir(ctx, "openai:export")
    local data = { service_accounts = {}, api_keys = {} }
    data.projects = admin.read_pages(dir, org.FILES.projects)
    if not data.projects then
      error(string.format("openai:export: no '%s/%s' (is '%s' an OpenAI export folder?)",
        dir, org.FILES.projects, dir), 0)
    end
    data.users = read(ctx, dir, org.FILES.users, "openai:ListUsers")
    data.admin_keys = read(ctx, dir, org.FILES.admin_keys, "openai:ListAdminApiKeys")
    for _, p in ipairs(admin.items(data.projects)) do
      if not org.valid_project_id(p.id) then
        error(string.format("cannot read '%s/%s': a project id that cannot name a folder: %s",
          dir, org.FILES.projects, tostring(p.id)), 0)
      end
      data.service_accounts[p.id] = read(ctx, dir, org.project_file(p.id, "service_accounts"),
        "openai:ListProjectServiceAccounts")
      data.api_keys[p.id] = read(ctx, dir, org.project_file(p.id, "api_keys"),
        "openai:ListProjectApiKeys")
    end
    local n = org.write(ctx, data)
    nhi.log.info("%d projects, %d users, %d service accounts, %d project keys, %d admin keys",
      n.projects, n.users, n.service_accounts, n.keys, n.admin_keys)
  end,
}
