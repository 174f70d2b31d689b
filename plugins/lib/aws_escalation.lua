-- The ways one AWS principal can become another, or grant itself more,
-- as a graph over principals (A can become B): each edge is one step,
-- {principal, permission, resource, technique, decision}, decided by the
-- policy engine on the resource that makes it exploitable.
local esc = {}

-- Permissions that write the principal's own policies: one step to
-- anything. The attach calls are asked with AdministratorAccess as the
-- policy, so an iam:PolicyARN condition is judged on it.
local ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
local SELF_GRANT = {
  user = { "iam:PutUserPolicy", "iam:AttachUserPolicy" },
  role = { "iam:PutRolePolicy", "iam:AttachRolePolicy" },
  group = { "iam:PutGroupPolicy", "iam:AttachGroupPolicy" },
}

-- iam:PassRole with a service that then runs code as the passed role.
-- `run` lists the calls that must all be allowed (a list inside is "any
-- of"); `probe` is the resource a new one would have; `service` is the
-- principal the role must trust; `profile` asks for an instance profile.
esc.PASS_ROLE = {
  { id = "ec2", service = "ec2.amazonaws.com", profile = true,
    run = { "ec2:RunInstances" }, probe = "ec2:%s:%s:instance/*" },
  { id = "autoscaling", service = "ec2.amazonaws.com", profile = true,
    run = { "autoscaling:CreateLaunchConfiguration" },
    probe = "autoscaling:%s:%s:launchConfiguration:*:launchConfigurationName/*" },
  { id = "lambda", service = "lambda.amazonaws.com",
    run = { "lambda:CreateFunction", { "lambda:InvokeFunction",
      "lambda:CreateEventSourceMapping", "lambda:AddPermission" } },
    probe = "lambda:%s:%s:function:*" },
  { id = "cloudformation", service = "cloudformation.amazonaws.com",
    run = { { "cloudformation:CreateStack", "cloudformation:UpdateStack" } },
    probe = "cloudformation:%s:%s:stack/*/*" },
  { id = "glue-dev-endpoint", service = "glue.amazonaws.com",
    run = { "glue:CreateDevEndpoint" }, probe = "glue:%s:%s:devEndpoint/*" },
  { id = "glue-job", service = "glue.amazonaws.com",
    run = { "glue:CreateJob" }, probe = "glue:%s:%s:job/*" },
  { id = "datapipeline", service = "datapipeline.amazonaws.com",
    run = { "datapipeline:CreatePipeline" } },
  { id = "sagemaker", service = "sagemaker.amazonaws.com",
    run = { { "sagemaker:CreateNotebookInstance", "sagemaker:CreateTrainingJob",
      "sagemaker:CreateProcessingJob" } }, probe = "sagemaker:%s:%s:*" },
  { id = "codebuild", service = "codebuild.amazonaws.com",
    run = { "codebuild:CreateProject" }, probe = "codebuild:%s:%s:project/*" },
  { id = "ecs", service = "ecs-tasks.amazonaws.com",
    run = { { "ecs:RunTask", "ecs:RegisterTaskDefinition" } },
    probe = "ecs:%s:%s:task-definition/*" },
  { id = "batch", service = "ecs-tasks.amazonaws.com",
    run = { "batch:SubmitJob" }, probe = "batch:%s:%s:job-definition/*" },
  { id = "apprunner", service = "tasks.apprunner.amazonaws.com",
    run = { "apprunner:CreateService" }, probe = "apprunner:%s:%s:service/*" },
  { id = "bedrock-agentcore", service = "bedrock-agentcore.amazonaws.com",
    run = { "bedrock-agentcore:CreateCodeInterpreter",
      "bedrock-agentcore:InvokeCodeInterpreter" },
    probe = "bedrock-agentcore:%s:%s:code-interpreter-custom/*" },
}

-- Running code inside something that already runs as a role. Which one
-- runs as which role comes from runs_as edges; without them every role
-- the service may run is a possible target, and the step stays open.
esc.RUN_AS = {
  { id = "lambda-update-code", action = "lambda:UpdateFunctionCode",
    service = "lambda.amazonaws.com", type = "lambda-function",
    probe = "lambda:%s:%s:function:*" },
  { id = "glue-update-dev-endpoint", action = "glue:UpdateDevEndpoint",
    service = "glue.amazonaws.com", type = "glue-dev-endpoint",
    probe = "glue:%s:%s:devEndpoint/*" },
  { id = "ssm-send-command", action = "ssm:SendCommand", profile = true,
    service = "ec2.amazonaws.com", type = "ec2-instance",
    probe = "ec2:%s:%s:instance/*" },
  { id = "ssm-start-session", action = "ssm:StartSession", profile = true,
    service = "ec2.amazonaws.com", type = "ec2-instance",
    probe = "ec2:%s:%s:instance/*" },
  { id = "ec2-instance-connect", action = "ec2-instance-connect:SendSSHPublicKey",
    profile = true, service = "ec2.amazonaws.com", type = "ec2-instance",
    probe = "ec2:%s:%s:instance/*" },
}

local NODES = [[
  SELECT id, native_id, name, kind, is_human, account,
         json_extract(attrs, '$.password_enabled') AS password,
         json_array_length(attrs, '$.instance_profiles') AS profiles
  FROM identities
  WHERE provider = 'aws'
    AND (native_id LIKE 'arn:%:iam::%:user/%' OR native_id LIKE 'arn:%:iam::%:role/%')
  ORDER BY native_id
]]

-- Regions the evidence names: where new resources would be created.
local REGIONS = [[
  SELECT json_extract(attrs, '$.last_used_region') AS region FROM identities
  WHERE provider = 'aws'
  UNION SELECT native_id FROM resources WHERE provider = 'aws'
]]

local function as_step(principal, permission, resource, technique, decision)
  return { principal = principal, permission = permission, resource = resource,
           technique = technique, decision = decision }
end

-- The weaker of two decisions along a path.
local function weaker(a, b)
  if a == "indeterminate" or b == "indeterminate" then return "indeterminate" end
  return "allow"
end

local Graph = {}
Graph.__index = Graph

function esc.new(ctx)
  local g = setmetatable({ ctx = ctx, nodes = {}, order = {}, out = {} }, Graph)
  for row in ctx.db:rows(NODES) do
    row.type = row.native_id:match(":user/") and "user" or "role"
    g.nodes[row.native_id] = row
    g.order[#g.order + 1] = row.native_id
    g.out[row.native_id] = {}
  end
  local seen = {}
  g.regions = {}
  for row in ctx.db:rows(REGIONS) do
    local region = row.region and (row.region:match("^arn:[^:]*:[^:]*:([^:]*):")
      or row.region:match("^%l%l%-%l+%-%d$"))
    if region and region ~= "" and not seen[region] then
      seen[region] = true
      g.regions[#g.regions + 1] = region
    end
  end
  table.sort(g.regions)
  if #g.regions == 0 then g.regions = { "us-east-1" } end
  return g
end

-- "allow", "indeterminate" or nil: may arn do action on any of the
-- resources (a list)? context: extra request keys.
function Graph:may(arn, action, resources, context)
  local best
  for _, r in ipairs(resources) do
    local d = self.ctx.aws:decide{ principal = arn, action = action,
                                   resource = r, context = context }
    if d == "allow" then return "allow" end
    if d == "indeterminate" then best = "indeterminate" end
  end
  return best
end

-- The resources a new resource of a service could have, in every region
-- the evidence names, and "*".
function Graph:probes(node, template)
  local list = { "*" }
  if template then
    for _, region in ipairs(self.regions) do
      list[#list + 1] = "arn:aws:" .. template:format(region, node.account or "*")
    end
  end
  return list
end

-- Adds the edge a -> b (b an ARN, or "admin" for any permission).
function Graph:add(a, b, step)
  local edges = self.out[a]
  edges[#edges + 1] = { to = b, step = step }
end

-- The principals with an Allow that could match action: only they can
-- be allowed it by identity-based policies. Cached per action.
local HOLDERS = [[
  SELECT DISTINCT i.native_id FROM grants g JOIN identities i ON i.id = g.identity_id
  WHERE g.effect = 'allow' AND (g.not_action = 1 OR EXISTS (
    SELECT 1 FROM json_each(g.actions) a WHERE lower(?) GLOB lower(a.value)))
]]

function Graph:holds(arn, action)
  local cache = self.holders or {}
  self.holders = cache
  if not cache[action] then
    local set = {}
    for row in self.ctx.db:rows(HOLDERS, action) do set[row.native_id] = true end
    cache[action] = set
  end
  return cache[action][arn] == true
end

-- The targets (ARNs, not arn itself) arn may act on with action, each
-- with its decision. Unless any_policy (a resource policy may allow it
-- alone), only a holder of a matching Allow is asked.
function Graph:targets(arn, action, candidates, context, any_policy)
  if not any_policy and not self:holds(arn, action) then return {} end
  local list, seen = {}, {}
  for _, c in ipairs(candidates) do
    if c ~= arn and not seen[c] then
      seen[c] = true
      list[#list + 1] = c
    end
  end
  if #list == 0 then return {} end
  local allowed, open = self.ctx.aws:allowed_resources(arn, action, list,
                                                        { context = context })
  local out = {}
  for _, r in ipairs(allowed) do out[#out + 1] = { r, "allow" } end
  for _, r in ipairs(open) do out[#out + 1] = { r, "indeterminate" } end
  return out
end

local GROUPS_OF = [[
  SELECT to_ref FROM edges WHERE kind = 'member_of' AND from_ref = ? AND to_type = 'group'
]]
local OWN_POLICIES = [[
  SELECT DISTINCT g.policy FROM grants g JOIN identities i ON i.id = g.identity_id
  JOIN policies p ON p.native_id = g.policy AND p.kind = 'managed'
  WHERE i.native_id = ? AND coalesce(json_extract(p.attrs, '$.aws_managed'), 0) = 0
  ORDER BY g.policy
]]

-- Edges to "admin": node rewrites its own permissions.
function Graph:self_grants(node)
  local arn, context = node.native_id, { ["iam:PolicyARN"] = ADMIN_POLICY }
  local function try(action, resource, technique, note)
    if not self:holds(arn, action) then return end
    local d = self:may(arn, action, { resource }, context)
    if d then
      local step = as_step(arn, action, resource, technique, note and "indeterminate" or d)
      step.note = note
      self:add(arn, "admin", step)
    end
  end
  for _, action in ipairs(SELF_GRANT[node.type]) do try(action, arn, "self-policy") end
  for row in self.ctx.db:rows(GROUPS_OF, arn) do
    for _, action in ipairs(SELF_GRANT.group) do try(action, row.to_ref, "group-policy") end
  end
  for row in self.ctx.db:rows(OWN_POLICIES, arn) do
    try("iam:CreatePolicyVersion", row.policy, "policy-version")
    try("iam:SetDefaultPolicyVersion", row.policy, "default-policy-version",
        "an older version of the policy may grant more; the export does not say")
  end
end

-- Groups whose own policies allow "*" or "iam:*" on "*" unconditionally.
local ADMIN_GROUPS = [[
  SELECT DISTINCT e.to_ref AS arn FROM edges e
  JOIN identities i ON i.native_id = e.from_ref
  JOIN grants g ON g.identity_id = i.id
    AND g.via = 'group:' || substr(e.to_ref, instr(e.to_ref, ':group/') + 7)
  WHERE e.kind = 'member_of' AND e.to_type = 'group' AND g.effect = 'allow'
    AND g.condition IS NULL AND g.not_action = 0 AND g.not_resource = 0
    AND EXISTS (SELECT 1 FROM json_each(g.actions) WHERE lower(value) IN ('*', 'iam:*'))
    AND EXISTS (SELECT 1 FROM json_each(g.resources) WHERE value = '*')
  ORDER BY 1
]]

function Graph:join_groups(node)
  if node.type ~= "user" then return end
  if not self.admin_groups then
    self.admin_groups = {}
    for row in self.ctx.db:rows(ADMIN_GROUPS) do
      self.admin_groups[#self.admin_groups + 1] = row.arn
    end
  end
  for _, t in ipairs(self:targets(node.native_id, "iam:AddUserToGroup", self.admin_groups)) do
    self:add(node.native_id, "admin",
             as_step(node.native_id, "iam:AddUserToGroup", t[1], "join-group", t[2]))
  end
end

-- Every trust of a role in one pass: {[principal] = {roles}}, where the
-- principal is an ARN, an account root, a service or "*".
local TRUSTS = [[
  SELECT DISTINCT from_type, from_ref, to_ref FROM edges
  WHERE kind = 'can_assume' AND to_type = 'identity' AND from_type != 'federated'
  ORDER BY to_ref
]]

function Graph:trusted_by(principal)
  if not self.trusts then
    self.trusts = {}
    for row in self.ctx.db:rows(TRUSTS) do
      local key = row.from_type == "any" and "*" or row.from_ref
      if self.nodes[row.to_ref] then
        local list = self.trusts[key] or {}
        self.trusts[key] = list
        list[#list + 1] = row.to_ref
      end
    end
  end
  return self.trusts[principal] or {}
end

-- The roles that trust service and, if it needs one, have an instance
-- profile: the roles it can run code as.
function Graph:service_roles(service, profile)
  local out = {}
  for _, r in ipairs(self:trusted_by(service)) do
    if not profile or (self.nodes[r].profiles or 0) > 0 then out[#out + 1] = r end
  end
  return out
end

-- The candidate lists the IAM moves are asked about, built once.
function Graph:lists()
  if self.by then return self.by end
  local by = { users = {}, no_password = {}, password = {}, roles_in = {} }
  for _, arn in ipairs(self.order) do
    local n = self.nodes[arn]
    if n.type == "user" then
      by.users[#by.users + 1] = arn
      if n.password ~= 1 then by.no_password[#by.no_password + 1] = arn end
      if n.password ~= 0 then by.password[#by.password + 1] = arn end
    else
      local acct = n.account or ""
      by.roles_in[acct] = by.roles_in[acct] or {}
      table.insert(by.roles_in[acct], arn)
    end
  end
  self.by = by
  return by
end

local function concat(...)
  local out = {}
  for _, list in ipairs({ ... }) do table.move(list, 1, #list, #out + 1, out) end
  return out
end

-- Edges to other principals through IAM: assuming, rewriting a trust
-- policy, minting a user's key or console password.
function Graph:identity_moves(node)
  local arn, by = node.native_id, self:lists()
  local root = ("arn:aws:iam::%s:root"):format(node.account or "")
  local moves = {
    { "sts:AssumeRole", "assume-role",
      concat(self:trusted_by(arn), self:trusted_by(root), self:trusted_by("*")) },
    { "iam:UpdateAssumeRolePolicy", "rewrite-trust", by.roles_in[node.account or ""] or {} },
    { "iam:CreateAccessKey", "create-access-key", by.users },
    { "iam:CreateLoginProfile", "create-login-profile", by.no_password },
    { "iam:UpdateLoginProfile", "update-login-profile", by.password },
  }
  for _, m in ipairs(moves) do
    local action, technique = m[1], m[2]
    -- A trust policy naming the principal may allow on its own.
    local hits = action == "sts:AssumeRole" and self:targets(arn, action, m[3], nil, true)
      or self:targets(arn, action, m[3])
    for _, t in ipairs(hits) do
      self:add(arn, t[1], as_step(arn, action, t[1], technique, t[2]))
    end
  end
end

-- "allow", "indeterminate" or nil: may node make every call of run?
-- Also the actions it would use, one of each "any of" list.
function Graph:may_run(node, run, template)
  local probes, verdict, used = self:probes(node, template), "allow", {}
  for _, need in ipairs(run) do
    local best, pick
    for _, action in ipairs(type(need) == "table" and need or { need }) do
      local d = self:holds(node.native_id, action)
        and self:may(node.native_id, action, probes)
      if d == "allow" then best, pick = d, action break end
      if d == "indeterminate" and not best then best, pick = d, action end
    end
    if not best then return nil end
    verdict = weaker(verdict, best)
    used[#used + 1] = pick
  end
  return verdict, used
end

-- Edges to roles passed to a service that runs code as them.
function Graph:pass_role_moves(node)
  local arn = node.native_id
  for _, t in ipairs(esc.PASS_ROLE) do
    local d, used = self:may_run(node, t.run, t.probe)
    if d then
      local roles = self:service_roles(t.service, t.profile)
      local context = { ["iam:PassedToService"] = t.service }
      for _, hit in ipairs(self:targets(arn, "iam:PassRole", roles, context)) do
        local step = as_step(arn, "iam:PassRole + " .. table.concat(used, " + "), hit[1],
                             "pass-role-" .. t.id, weaker(d, hit[2]))
        self:add(arn, hit[1], step)
      end
    end
  end
end

local RUNS_AS = [[
  SELECT e.from_ref AS resource, e.to_ref FROM edges e JOIN resources r
    ON r.native_id = e.from_ref AND r.type = ?
  WHERE e.kind = 'runs_as' ORDER BY 1
]]

-- Edges to roles that code already running as them can be made to use.
function Graph:run_as_moves(node)
  local arn = node.native_id
  for _, t in ipairs(esc.RUN_AS) do
    if self:holds(arn, t.action) then
      local known = false
      for row in self.ctx.db:rows(RUNS_AS, t.type) do
        known = true
        local d = self.nodes[row.to_ref] and self:may(arn, t.action, { row.resource })
        if d and row.to_ref ~= arn then
          self:add(arn, row.to_ref, as_step(arn, t.action, row.resource, t.id, d))
        end
      end
      local d = not known and self:may(arn, t.action, self:probes(node, t.probe))
      if d then
        for _, r in ipairs(self:service_roles(t.service, t.profile)) do
          if r ~= arn then
            local step = as_step(arn, t.action, r, t.id, "indeterminate")
            step.note = "the evidence does not say which " .. t.type
              .. " runs as this role"
            self:add(arn, r, step)
          end
        end
      end
    end
  end
end

-- Builds the edges of every node but those skip(arn) leaves out.
function Graph:build(skip)
  for _, arn in ipairs(self.order) do
    local node = self.nodes[arn]
    if skip and skip(arn) then goto next end
    self:self_grants(node)
    self:join_groups(node)
    self:identity_moves(node)
    self:pass_role_moves(node)
    self:run_as_moves(node)
    ::next::
  end
  return self
end

-- Shortest paths from arn, breadth first: {[node] = steps}, in order of
-- discovery. With allow_only, steps not settled are not followed.
function Graph:paths(arn, allow_only)
  local found, order, queue, head = { [arn] = {} }, {}, { arn }, 1
  while head <= #queue do
    local at = queue[head]
    head = head + 1
    for _, e in ipairs(self.out[at] or {}) do
      if not found[e.to] and (not allow_only or e.step.decision == "allow") then
        local steps = table.move(found[at], 1, #found[at], 1, {})
        steps[#steps + 1] = e.step
        found[e.to] = steps
        order[#order + 1] = e.to
        if e.to ~= "admin" then queue[#queue + 1] = e.to end
      end
    end
  end
  return found, order
end

esc.weaker = weaker
return esc
