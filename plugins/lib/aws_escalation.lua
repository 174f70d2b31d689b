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

-- Every row of sql, as a list.
local function all_rows(ctx, sql, ...)
  local out = {}
  for row in ctx.db:rows(sql, ...) do out[#out + 1] = row end
  return out
end

-- Candidates are asked in chunks, the first this long (Graph:targets),
-- so that a node stops once it has allowed edges to esc.ADMIN_EDGES
-- administrators: the one a path takes and the ten more a finding names.
esc.CHUNK = 32
esc.ADMIN_EDGES = 11

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
  local g = setmetatable({ ctx = ctx, nodes = {}, by_id = {}, order = {}, out = {} }, Graph)
  for row in ctx.db:rows(NODES) do
    row.type = row.native_id:match(":user/") and "user" or "role"
    g.nodes[row.native_id] = row
    g.by_id[row.id] = row.native_id
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
  local allowed, open = self.ctx.aws:allowed_resources(arn, action, resources,
                                                        { context = context })
  if #allowed > 0 then return "allow" end
  if #open > 0 then return "indeterminate" end
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

-- Adds the edge a -> b (b an ARN, or "admin" for any permission): a
-- step of a's, with its place among a's edges: the move that found it,
-- allowed before open, then index, the target's place in the move's
-- candidates. An open edge that Graph:trim would drop is not made
-- (Graph:keeps_open).
function Graph:add(a, b, index, permission, resource, technique, decision, note)
  local allowed, admin = decision == "allow", self:is_admin_target(b)
  if not allowed and not self:keeps_open(admin, b) then return end
  local step = as_step(a, permission, resource, technique, decision)
  step.note = note
  local edges = self.out[a]
  local key = self.move * 4294967296 + (allowed and 0 or 2147483648) + (index or 0)
  edges[#edges + 1] = { to = b, step = step, key = key }
  if allowed and admin then self:settle() end
  if allowed and admin and not self.admins_seen[b] then
    self.admins_seen[b] = true
    self.allowed_to_admin = self.allowed_to_admin + 1
  end
end

-- In the first round, until a node has an allowed edge to an
-- administrator, its open edges to administrators are counted as
-- Graph:trim counts them for a node that has no allowed one: past the
-- esc.ADMIN_EDGES-th administrator they name, trim keeps no open edge,
-- so none is made. (Moves come in the order of their keys, and without
-- allowed edges to administrators so do the open ones within a move.)
-- Should an allowed edge to an administrator come after edges were left
-- out, trim would have kept them: the node is expanded again, whole.
function Graph:keeps_open(admin, b)
  if self.allow_only then return false end
  local cap = self.cap
  if not cap then return true end
  if cap.full then return false end
  if not admin then return true end
  if cap.count >= esc.ADMIN_EDGES then
    cap.full = true
    return false
  end
  if not cap.seen[b] then
    cap.seen[b] = true
    cap.count = cap.count + 1
  end
  return true
end

-- Whether no open edge will be kept from here on: a move may skip
-- asking about what could only give open edges.
function Graph:drops_open()
  return self.allow_only or (self.cap ~= nil and self.cap.full == true)
end

-- The node has an allowed edge to an administrator: trim keeps every
-- open edge to an administrator before its esc.ADMIN_EDGES-th one, so
-- none is left out from now on, and any left out already must be found
-- again.
function Graph:settle()
  if not self.cap then return end
  self.redo = self.redo or self.cap.full == true
  self.cap = nil
end

-- Moves are numbered in the order a node's are tried, the same in every
-- round, so that edges found in different rounds sort as if found in one.
function Graph:next_move()
  self.move = self.move + 1
end

-- Each kind of move numbers its moves from its own base, so that a kind
-- left out of a round (self-grants once "admin" is not wanted) does not
-- renumber the others.
function Graph:moves_from(base)
  self.move = base
end

-- Whether b is a target of the admin search: "admin", or a principal
-- holding administrator rights (or perhaps holding them).
function Graph:is_admin_target(b)
  return b == "admin" or self.admin_targets[b] == true
end



-- The principals with an Allow that could match an action: only they
-- can be allowed it by identity-based policies. The Allow grants'
-- action patterns are read once, each with the ids of its holders; an
-- action's holders are those of the patterns that match it, and of
-- every NotAction grant. Cached per action.
local PATTERN_HOLDERS = [[
  SELECT lower(a.value) AS pattern, group_concat(DISTINCT g.identity_id) AS holders
  FROM grants g, json_each(g.actions) a
  WHERE g.effect = 'allow' AND g.not_action = 0
  GROUP BY 1 ORDER BY 1
]]
local NOT_ACTION_HOLDERS = [[
  SELECT DISTINCT i.native_id FROM grants g JOIN identities i ON i.id = g.identity_id
  WHERE g.effect = 'allow' AND g.not_action = 1
]]

-- An action pattern (* and ?) as an anchored Lua pattern.
local function lua_pattern(glob)
  return "^" .. glob:gsub("[%^%$%(%)%%%.%[%]%+%-]", "%%%0"):gsub("%*", ".*"):gsub("%?", ".")
    .. "$"
end

function Graph:holds(arn, action)
  if not self.patterns then
    self.patterns, self.holders = all_rows(self.ctx, PATTERN_HOLDERS), {}
    for _, row in ipairs(self.patterns) do row.match = lua_pattern(row.pattern) end
    self.not_action = {}
    for row in self.ctx.db:rows(NOT_ACTION_HOLDERS) do self.not_action[row.native_id] = true end
  end
  local set = self.holders[action]
  if not set then
    set = setmetatable({}, { __index = self.not_action })
    local lower = action:lower()
    for _, row in ipairs(self.patterns) do
      if lower:find(row.match) then
        for id in row.holders:gmatch("%d+") do
          local node = self.by_id[tonumber(id)]
          if node then set[node] = true end
        end
      end
    end
    self.holders[action] = set
  end
  return set[arn] == true
end

-- The candidates of lists (taken as one list, in order) that the round
-- wants, each once: {arns, place = {[arn] = its first place in the
-- whole list}}. Kept for the round: a list is filtered once, and a
-- combination of lists merged once, not per node.
local WEAK = { __mode = "k" }
local RESULT = {}
local EMPTY = {}

-- The places in list of the candidates the round wants.
function Graph:wanted_places(list)
  local places = self.places[list]
  if not places then
    places = {}
    for i, c in ipairs(list) do
      if self.wanted[c] then places[#places + 1] = i end
    end
    self.places[list] = places
  end
  return places
end

function Graph:pick(lists)
  local cache = self.combos
  for _, list in ipairs(lists) do
    cache[list] = cache[list] or setmetatable({}, WEAK)
    cache = cache[list]
  end
  if not cache[RESULT] then
    local arns, place, offset = {}, {}, 0
    for _, list in ipairs(lists) do
      for _, i in ipairs(self:wanted_places(list)) do
        local c = list[i]
        if not place[c] then
          arns[#arns + 1] = c
          place[c] = offset + i
        end
      end
      offset = offset + #list
    end
    cache[RESULT] = { arns = arns, place = place }
  end
  return cache[RESULT]
end

local NO_PICKS = { arns = EMPTY, place = EMPTY }

-- Calls emit(target, decision, place) for each target (an ARN, not arn
-- itself) arn may act on with action among picks (Graph:pick), allowed
-- ones first in each chunk. Unless any_policy (a resource policy may
-- allow it alone), only a holder of a matching Allow is asked. Asked in
-- chunks, each twice as long as the one before: once the node has
-- esc.ADMIN_EDGES allowed edges to administrators, it needs no more.
-- (Only the first round has administrators to find, and a node that
-- finds one there keeps no edge past the esc.ADMIN_EDGES-th, see
-- Graph:trim: so how far the last chunk goes changes no path.) Open
-- targets are not emitted once no open edge would be kept.
function Graph:targets(arn, action, picks, context, any_policy, emit)
  local list, place = picks.arns, picks.place
  if #list == 0 or (not any_policy and not self:holds(arn, action)) then return end
  if place[arn] then
    local others = {}
    for _, c in ipairs(list) do
      if c ~= arn then others[#others + 1] = c end
    end
    list = others
  end
  local found, extra, counted = {}, 0, {}
  local first, size = 1, esc.CHUNK
  while first <= #list and self.allowed_to_admin + extra < esc.ADMIN_EDGES do
    local last = math.min(first + size - 1, #list)
    local chunk = table.move(list, first, last, 1, {})
    first, size = last + 1, size * 2
    local allowed, open = self.ctx.aws:allowed_resources(arn, action, chunk,
                                                          { context = context })
    for _, r in ipairs(allowed) do
      if self:is_admin_target(r) and not self.admins_seen[r] and not counted[r] then
        counted[r] = true
        extra = extra + 1
      end
    end
    found[#found + 1], found[#found + 2] = allowed, open
  end
  for i = 1, #found, 2 do
    for _, r in ipairs(found[i]) do emit(r, "allow", place[r]) end
    for _, r in ipairs(found[i + 1]) do
      if self:drops_open() then break end
      emit(r, "indeterminate", place[r])
    end
  end
end

local GROUPS = [[
  SELECT from_ref AS arn, to_ref AS grp FROM edges
  WHERE kind = 'member_of' AND to_type = 'group' ORDER BY id
]]
local OWN_POLICIES = [[
  SELECT i.native_id AS arn, own.policy FROM (
    SELECT DISTINCT identity_id, policy FROM grants
    WHERE policy IN (SELECT native_id FROM policies WHERE kind = 'managed'
                     AND coalesce(json_extract(attrs, '$.aws_managed'), 0) = 0)) own
  JOIN identities i ON i.id = own.identity_id
  ORDER BY 1, 2
]]

-- {[arn] = {values}} from the rows of sql, read once.
local function lists_by_arn(ctx, sql, field)
  local out = {}
  for row in ctx.db:rows(sql) do
    local list = out[row.arn] or {}
    out[row.arn] = list
    list[#list + 1] = row[field]
  end
  return out
end

-- The groups of each principal, and the customer managed policies
-- attached to it (or to its groups), read once.
function Graph:own()
  if not self.groups_of then
    self.groups_of = lists_by_arn(self.ctx, GROUPS, "grp")
    self.policies_of = lists_by_arn(self.ctx, OWN_POLICIES, "policy")
  end
  return self.groups_of, self.policies_of
end

-- Edges to "admin": node rewrites its own permissions.
function Graph:self_grants(node)
  local arn, context = node.native_id, { ["iam:PolicyARN"] = ADMIN_POLICY }
  self:moves_from(0)
  if not self.wanted.admin then return end
  local function try(action, resource, technique, note)
    self:next_move()
    if not self:holds(arn, action) then return end
    local d = self:may(arn, action, { resource }, context)
    if d then
      self:add(arn, "admin", nil, action, resource, technique,
               note and "indeterminate" or d, note)
    end
  end
  for _, action in ipairs(SELF_GRANT[node.type]) do try(action, arn, "self-policy") end
  local groups_of, policies_of = self:own()
  for _, group in ipairs(groups_of[arn] or EMPTY) do
    for _, action in ipairs(SELF_GRANT.group) do try(action, group, "group-policy") end
  end
  for _, policy in ipairs(policies_of[arn] or EMPTY) do
    try("iam:CreatePolicyVersion", policy, "policy-version")
    try("iam:SetDefaultPolicyVersion", policy, "default-policy-version",
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
  self:moves_from(1000000)
  self:next_move()
  if node.type ~= "user" or not self.wanted.admin then return end
  if not self.admin_groups then
    local groups = { arns = {}, place = {} }
    for i, row in ipairs(all_rows(self.ctx, ADMIN_GROUPS)) do
      groups.arns[i] = row.arn
      groups.place[row.arn] = i
    end
    self.admin_groups = groups
  end
  self:targets(node.native_id, "iam:AddUserToGroup", self.admin_groups, nil, false,
    function(group, d, place)
      self:add(node.native_id, "admin", place, "iam:AddUserToGroup", group, "join-group", d)
    end)
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
  return self.trusts[principal] or EMPTY
end

-- The roles that trust service and, if it needs one, have an instance
-- profile: the roles it can run code as. One list per service, kept.
function Graph:service_roles(service, profile)
  local key = service .. (profile and "+profile" or "")
  self.by_service = self.by_service or {}
  if not self.by_service[key] then
    local out = {}
    for _, r in ipairs(self:trusted_by(service)) do
      if not profile or (self.nodes[r].profiles or 0) > 0 then out[#out + 1] = r end
    end
    self.by_service[key] = out
  end
  return self.by_service[key]
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

-- Edges to other principals through IAM: assuming, rewriting a trust
-- policy, minting a user's key or console password.
function Graph:identity_moves(node)
  local arn, by = node.native_id, self:lists()
  local root = ("arn:aws:iam::%s:root"):format(node.account or "")
  -- A trust policy naming the principal (or anyone) may allow on its
  -- own; one naming its account lets its IAM policies decide.
  local holds_assume = self:holds(arn, "sts:AssumeRole")
  local moves = {
    { "sts:AssumeRole", "assume-role",
      { self:trusted_by(arn), holds_assume and self:trusted_by(root) or EMPTY,
        self:trusted_by("*") } },
    { "iam:UpdateAssumeRolePolicy", "rewrite-trust", { by.roles_in[node.account or ""] or EMPTY } },
    { "iam:CreateAccessKey", "create-access-key", { by.users } },
    { "iam:CreateLoginProfile", "create-login-profile", { by.no_password } },
    { "iam:UpdateLoginProfile", "update-login-profile", { by.password } },
  }
  self:moves_from(2000000)
  for _, m in ipairs(moves) do
    local action, technique = m[1], m[2]
    self:next_move()
    local any_policy = action == "sts:AssumeRole"
    if any_policy or self:holds(arn, action) then
      self:targets(arn, action, self:pick(m[3]), nil, any_policy, function(to, d, place)
        self:add(arn, to, place, action, to, technique, d)
      end)
    end
  end
end

-- "allow", "indeterminate" or nil: may node make every call of run?
-- Also the actions it would use, one of each "any of" list. Kept per
-- node and technique: the answer does not change between rounds.
function Graph:may_run(node, run, template)
  local memo = self.ran[node.native_id] or {}
  self.ran[node.native_id] = memo
  if memo[run] then return table.unpack(memo[run]) end
  local probes, verdict, used = self:probes(node, template), "allow", {}
  for _, need in ipairs(run) do
    local best, pick
    for _, action in ipairs(type(need) == "table" and need or { need }) do
      local d = self:holds(node.native_id, action)
        and self:may(node.native_id, action, probes)
      if d == "allow" then best, pick = d, action break end
      if d == "indeterminate" and not best then best, pick = d, action end
    end
    if not best then verdict, used = nil, nil break end
    verdict = weaker(verdict, best)
    used[#used + 1] = pick
  end
  memo[run] = { verdict, used }
  return verdict, used
end

local function by_place(a, b) return a[3] < b[3] end

-- Edges to roles passed to a service that runs code as them.
function Graph:pass_role_moves(node)
  local arn = node.native_id
  self:moves_from(3000000)
  for _, t in ipairs(esc.PASS_ROLE) do
    self:next_move()
    local picks = self:holds(arn, "iam:PassRole")
      and self:pick({ self:service_roles(t.service, t.profile) }) or NO_PICKS
    local d, used
    if #picks.arns > 0 then d, used = self:may_run(node, t.run, t.probe) end
    if d == "indeterminate" and self:drops_open() then d = nil end
    if d then
      local context = { ["iam:PassedToService"] = t.service }
      local permission = "iam:PassRole + " .. table.concat(used, " + ")
      local function add(role, decision, place)
        self:add(arn, role, place, permission, role, "pass-role-" .. t.id,
                 weaker(d, decision))
      end
      if d == "allow" then
        self:targets(arn, "iam:PassRole", picks, context, false, add)
      else
        -- Every step is open when running is: made in the order of their
        -- keys, as Graph:keeps_open counts them.
        local hits = {}
        self:targets(arn, "iam:PassRole", picks, context, false, function(...)
          hits[#hits + 1] = { ... }
        end)
        table.sort(hits, by_place)
        for _, hit in ipairs(hits) do add(hit[1], hit[2], hit[3]) end
      end
    end
  end
end

local RUNS_AS = [[
  SELECT e.from_ref AS resource, e.to_ref FROM edges e JOIN resources r
    ON r.native_id = e.from_ref AND r.type = ?
  WHERE e.kind = 'runs_as' ORDER BY 1
]]

-- The runs_as edges of resources of a type, read once.
function Graph:runs_as(type)
  self.runs = self.runs or {}
  if not self.runs[type] then self.runs[type] = all_rows(self.ctx, RUNS_AS, type) end
  return self.runs[type]
end

-- Of the runs_as rows of a type, the places of those whose role the
-- round wants, and their resources, each once. Kept for the round.
function Graph:wanted_runs(type)
  local key = "runs_as:" .. type
  if not self.round_cache[key] then
    local places, resources, seen = {}, {}, {}
    for i, row in ipairs(self:runs_as(type)) do
      if self.nodes[row.to_ref] and self.wanted[row.to_ref] then
        places[#places + 1] = i
        if not seen[row.resource] then
          seen[row.resource] = true
          resources[#resources + 1] = row.resource
        end
      end
    end
    self.round_cache[key] = { places = places, resources = resources }
  end
  return self.round_cache[key]
end

-- Edges to roles that code already running as them can be made to use.
function Graph:run_as_moves(node)
  local arn = node.native_id
  self:moves_from(4000000)
  for _, t in ipairs(esc.RUN_AS) do
    self:next_move()
    if self:holds(arn, t.action) then
      local rows, runs = self:runs_as(t.type), self:wanted_runs(t.type)
      if #runs.resources > 0 then
        local decision = {}
        local allowed, open = self.ctx.aws:allowed_resources(arn, t.action, runs.resources)
        for _, r in ipairs(open) do decision[r] = "indeterminate" end
        for _, r in ipairs(allowed) do decision[r] = "allow" end
        for _, i in ipairs(runs.places) do
          local row = rows[i]
          local d = decision[row.resource]
          if d and row.to_ref ~= arn then
            self:add(arn, row.to_ref, i, t.action, row.resource, t.id, d)
          end
        end
      end
      local picks = #rows == 0 and not self:drops_open()
        and self:pick({ self:service_roles(t.service, t.profile) }) or NO_PICKS
      local d = #picks.arns > 0 and self:may(arn, t.action, self:probes(node, t.probe))
      local note = "the evidence does not say which " .. t.type .. " runs as this role"
      for _, role in ipairs(d and picks.arns or EMPTY) do
        if self:drops_open() then break end
        if role ~= arn then
          self:add(arn, role, picks.place[role], t.action, role, t.id, "indeterminate", note)
        end
      end
    end
  end
end

function Graph:try_moves(node, cap)
  local arn = node.native_id
  self.cap = cap
  self.admins_seen = self.seen_by[arn] or {}
  self.seen_by[arn] = self.admins_seen
  self.allowed_to_admin = self.to_admin[arn] or 0
  self:self_grants(node)
  self:join_groups(node)
  self:identity_moves(node)
  self:pass_role_moves(node)
  self:run_as_moves(node)
  self.to_admin[arn] = self.allowed_to_admin
  self.cap = nil
end

-- Tries every move of node toward the candidates the round wants. In the
-- first round (node has no edges yet) its open edges to administrators
-- are capped (Graph:keeps_open); should the cap turn out wrong, the node
-- is tried again without it.
function Graph:expand(node, first)
  self.redo = false
  self:try_moves(node, first and { count = 0, seen = {} } or nil)
  if self.redo then
    local arn = node.native_id
    self.out[arn], self.seen_by[arn], self.to_admin[arn] = {}, nil, nil
    self:try_moves(node, nil)
  end
end

local function by_key(a, b) return a.key < b.key end

-- What a node's edges to administrators leave of its other edges, once
-- they are all known (after the first round). With an allowed step to
-- an administrator, it keeps only its edges to administrators, up to the
-- esc.ADMIN_EDGES-th one allowed: no shorter path runs through its other
-- edges, and a finding names no more administrators than that. With
-- only open steps to administrators, a path that may pass through it
-- ends there as well, so of its other edges it keeps the allowed ones,
-- which a path of allowed steps only may still take. Returns whether it
-- is done: settled, its edges final.
function Graph:trim(arn)
  local edges = self.out[arn]
  table.sort(edges, by_key)
  local settled, open = (self.to_admin[arn] or 0) > 0, false
  for _, e in ipairs(edges) do open = open or self:is_admin_target(e.to) end
  open = open and not settled
  local kept, seen, count = {}, {}, 0
  for _, e in ipairs(edges) do
    local admin = self:is_admin_target(e.to)
    if admin and count < esc.ADMIN_EDGES then
      kept[#kept + 1] = e
      if (open or e.step.decision == "allow") and not seen[e.to] then
        seen[e.to] = true
        count = count + 1
      end
    elseif not admin and not settled and (not open or e.step.decision == "allow") then
      kept[#kept + 1] = e
    end
  end
  self.out[arn] = kept
  self.open_to_admin[arn] = open
  self.seen_by[arn] = nil
  return settled
end

-- Builds the edges that lead somewhere: to administrator rights (to
-- "admin", or to a principal for which is_admin(arn) is not "no"), or to
-- a principal for which has_data(arn) says it reaches sensitive data of
-- its own, directly or through other principals. Rounds go backwards
-- from those: each asks every node about the principals that became
-- reachable-from in the round before, so no node is asked about a
-- principal that leads nowhere. Nodes skip(arn) leaves out (already
-- administrators) get no edges.
function Graph:build(skip, is_admin, has_data)
  self.admin_targets, self.to_admin, self.seen_by, self.ran = {}, {}, {}, {}
  self.open_to_admin = {}
  local useful, active = { admin = true }, {}
  for _, arn in ipairs(self.order) do
    if is_admin and is_admin(arn) ~= "no" then self.admin_targets[arn] = true end
    if self.admin_targets[arn] or (has_data and has_data(arn)) then useful[arn] = true end
    if not (skip and skip(arn)) then active[#active + 1] = arn end
  end
  local wanted, first = useful, true
  while next(wanted) do
    self.wanted = wanted
    self.places, self.combos = setmetatable({}, WEAK), setmetatable({}, WEAK)
    self.round_cache = {}
    local next_wanted, still = {}, {}
    for _, arn in ipairs(active) do
      local before = #self.out[arn]
      self.allow_only = self.open_to_admin[arn]
      self:expand(self.nodes[arn], first)
      if #self.out[arn] > before and not useful[arn] then
        useful[arn] = true
        next_wanted[arn] = true
      end
      if not (first and self:trim(arn)) then still[#still + 1] = arn end
    end
    active, wanted, first = still, next_wanted, false
  end
  for _, arn in ipairs(active) do table.sort(self.out[arn], by_key) end
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
