/* Unit tests for the Lua sandbox (core/sandbox.c): limits, the
 * allow-listed environment, and the wrapped pcall, load, io and require. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>

#include "lua_api.h"
#include "sandbox.h"

#define MiB (1024u * 1024u)

struct fixture {
  char dir[64];
  char *roots[2];              /* DIR/allowed */
  char *libs[3];               /* DIR/lib, DIR/my.plugins/lib */
  struct nhi_sandbox *sb;
};

static void remove_tree(const char *path)
{
  struct stat sb;
  struct dirent *e;
  DIR *d;
  char sub[4096];

  if (lstat(path, &sb) != 0)
    return;
  if (!S_ISDIR(sb.st_mode)) {
    unlink(path);
    return;
  }
  d = opendir(path);
  while (d && (e = readdir(d))) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
    remove_tree(sub);
  }
  if (d)
    closedir(d);
  rmdir(path);
}

/* DIR/rel, malloc'd. */
static char *path_in(struct fixture *fx, const char *rel)
{
  size_t n = strlen(fx->dir) + strlen(rel) + 2;
  char *p = malloc(n);

  assert_non_null(p);
  snprintf(p, n, "%s/%s", fx->dir, rel);
  return p;
}

/* Writes text to DIR/rel, creating the folders on the way. */
static void write_file(struct fixture *fx, const char *rel, const char *text)
{
  char *path = path_in(fx, rel);
  FILE *f;

  for (char *p = path + strlen(fx->dir) + 1; *p; p++)
    if (*p == '/') {
      *p = '\0';
      mkdir(path, 0700);
      *p = '/';
    }
  f = fopen(path, "w");
  if (!f)
    fail_msg("cannot write '%s'", path);
  fputs(text, f);
  fclose(f);
  free(path);
}

static int file_exists(struct fixture *fx, const char *rel)
{
  char *path = path_in(fx, rel);
  struct stat sb;
  int yes = lstat(path, &sb) == 0;

  free(path);
  return yes;
}

/* Replaces the fixture's sandbox with one of the given limits. */
static void new_sandbox(struct fixture *fx, size_t memory,
                        unsigned long long budget)
{
  struct nhi_sandbox_limits limits = { memory, budget };

  nhi_sandbox_free(fx->sb);
  fx->sb = NULL;
  assert_int_equal(nhi_sandbox_new(&limits, "test", &fx->sb), NHI_OK);
  fx->sb->read_roots = (const char *const *)fx->roots;
  fx->sb->lib_dirs = (const char *const *)fx->libs;
}

static int setup(void **state)
{
  struct fixture *fx = calloc(1, sizeof *fx);

  if (!fx)
    return -1;
  strcpy(fx->dir, "/tmp/nhi-unit-sandbox-XXXXXX");
  if (!mkdtemp(fx->dir)) {
    free(fx);
    return -1;
  }
  fx->roots[0] = path_in(fx, "allowed");
  fx->libs[0] = path_in(fx, "lib");
  fx->libs[1] = path_in(fx, "my.plugins/lib");
  write_file(fx, "allowed/in.txt", "inside\nsecond line\n");
  write_file(fx, "allowed2/near.txt", "next door\n");
  write_file(fx, "secret.txt", "outside\n");
  new_sandbox(fx, 64 * MiB, 50000000ULL);
  *state = fx;
  return 0;
}

static int teardown(void **state)
{
  struct fixture *fx = *state;

  nhi_sandbox_free(fx->sb);
  remove_tree(fx->dir);
  free(fx->roots[0]);
  free(fx->libs[0]);
  free(fx->libs[1]);
  free(fx);
  return 0;
}

/* Runs code as DIR/chunk.lua the way the host runs a plugin file: nhi
 * API, strict environment (plus DIR, the fixture folder), text load.
 * Leaves nresults results on the stack on success. */
static enum nhi_rc run_n(struct fixture *fx, const char *code, int nresults)
{
  lua_State *L = fx->sb->L;
  char *path = path_in(fx, "chunk.lua");
  enum nhi_rc rc;

  write_file(fx, "chunk.lua", code);
  nhi_api_push(L);
  nhi_sandbox_push_env(fx->sb, -1, 1);
  lua_remove(L, -2);
  lua_pushliteral(L, "DIR");
  lua_pushstring(L, fx->dir);
  lua_rawset(L, -3);
  rc = nhi_sandbox_load(fx->sb, path);
  if (!rc)
    rc = nhi_sandbox_call(fx->sb, 0, nresults);
  free(path);
  return rc;
}

static void expect_ok(struct fixture *fx, const char *code)
{
  if (run_n(fx, code, 0) != NHI_OK)
    fail_msg("chunk failed: %s", fx->sb->error ? fx->sb->error : "?");
  assert_int_equal(lua_gettop(fx->sb->L), 0);
}

static void expect_error(struct fixture *fx, const char *code,
                         const char *want)
{
  enum nhi_rc rc = run_n(fx, code, 0);

  if (rc != NHI_ERR_PLUGIN)
    fail_msg("chunk gave rc %d, expected a failure with '%s'", rc, want);
  if (!fx->sb->error || !strstr(fx->sb->error, want))
    fail_msg("error '%s' does not contain '%s'",
             fx->sb->error ? fx->sb->error : "(none)", want);
  assert_int_equal(lua_gettop(fx->sb->L), 0);
}

static void test_plain_chunk_runs(void **state)
{
  struct fixture *fx = *state;
  lua_State *L = fx->sb->L;

  assert_ptr_equal(nhi_sandbox_of(L), fx->sb);
  assert_int_equal(run_n(fx, "local t = {}\n"
                         "for i = 1, 10 do t[#t + 1] = i * 2 end\n"
                         "assert(('abc'):upper() == 'ABC', 'string methods')\n"
                         "assert(math.max(1, 3) == 3 and #t == 10)\n"
                         "return t[10] + #table.concat({'a', 'b'})\n", 1),
                   NHI_OK);
  assert_int_equal(lua_gettop(L), 1);
  assert_int_equal(lua_tointeger(L, -1), 22);
  lua_pop(L, 1);
  assert_null(fx->sb->error);
}

static void test_budget_stops_endless_loop(void **state)
{
  struct fixture *fx = *state;

  new_sandbox(fx, 64 * MiB, 5000000ULL);
  expect_error(fx, "while true do end", "instruction budget exceeded");
  assert_true(fx->sb->over_budget);
  assert_true(fx->sb->instr_used >= 5000000ULL);
}

static void test_budget_not_caught_by_pcall(void **state)
{
  struct fixture *fx = *state;

  new_sandbox(fx, 64 * MiB, 5000000ULL);
  expect_error(fx, "local ok, err = pcall(function() while true do end end)\n"
               "error('pcall returned ' .. tostring(err))\n",
               "instruction budget exceeded");
}

static void test_budget_not_caught_by_xpcall(void **state)
{
  struct fixture *fx = *state;

  new_sandbox(fx, 64 * MiB, 5000000ULL);
  expect_error(fx, "xpcall(function() while true do end end,\n"
               "       function(m) return 'handled' end)\n"
               "error('xpcall returned')\n",
               "instruction budget exceeded");
  new_sandbox(fx, 64 * MiB, 5000000ULL);
  expect_error(fx, "xpcall(function() error('first') end,\n"
               "       function(m) while true do end end)\n"
               "error('xpcall returned')\n",
               "instruction budget exceeded");
}

/* Lua runs __close while unwinding from the budget error: a looping
 * one must be stopped too. */
static void test_budget_stops_looping_close(void **state)
{
  struct fixture *fx = *state;

  new_sandbox(fx, 64 * MiB, 5000000ULL);
  expect_error(fx, "local x <close> = setmetatable({}, {\n"
               "  __close = function() while true do end end})\n"
               "while true do end\n", "instruction budget exceeded");
}

static const char hoard[] =
  "local t = {}\n"
  "for i = 1, 100 do t[i] = string.rep('x', 1024 * 1024) .. i end\n";

static void test_memory_cap(void **state)
{
  struct fixture *fx = *state;

  new_sandbox(fx, 32 * MiB, 50000000ULL);
  expect_error(fx, hoard, "memory limit exceeded");
  assert_true(fx->sb->mem_used <= 32 * MiB);
}

static void test_memory_cap_not_caught_by_pcall(void **state)
{
  struct fixture *fx = *state;
  char code[512];

  new_sandbox(fx, 32 * MiB, 50000000ULL);
  snprintf(code, sizeof code, "local ok, err = pcall(function()\n%s end)\n"
           "error('pcall returned: ' .. tostring(err))\n", hoard);
  expect_error(fx, code, "memory limit exceeded");
}

static void test_dangerous_functions_absent(void **state)
{
  expect_ok(*state,
            "for _, name in ipairs{'execute', 'exit', 'remove', 'rename',\n"
            "    'getenv', 'tmpname', 'setlocale'} do\n"
            "  assert(rawget(os, name) == nil, 'os.' .. name)\n"
            "end\n"
            "for _, name in ipairs{'popen', 'write', 'output', 'input',\n"
            "    'tmpfile'} do\n"
            "  assert(rawget(io, name) == nil, 'io.' .. name)\n"
            "end\n"
            "local ok, err = pcall(function() return os.execute end)\n"
            "assert(not ok and err:find('not available'), 'os.execute')\n"
            "assert(string.dump == nil, 'string.dump')\n"
            "for _, name in ipairs{'debug', 'dofile', 'loadfile',\n"
            "    'collectgarbage', 'package', 'coroutine',\n"
            "    'loadstring'} do\n"
            "  assert(rawget(_G, name) == nil, name .. ' is reachable')\n"
            "end\n"
            "assert(type(os.time()) == 'number', 'os.time stays')\n");
}

static void test_unknown_global_read_raises(void **state)
{
  expect_error(*state, "local x = undefined_name", "unknown global "
               "'undefined_name'");
}

static void test_global_assignment_raises(void **state)
{
  expect_error(*state, "oops = 1", "assignment to unknown global 'oops'");
}

static void test_setmetatable_refuses_gc(void **state)
{
  struct fixture *fx = *state;

  expect_error(fx, "setmetatable({}, {__gc = function() end})", "__gc");
  expect_ok(fx, "local mt = {}\n"
            "local t = setmetatable({}, mt)\n"
            "assert(getmetatable(t) == mt, 'own metatable readable')\n"
            "local p = setmetatable({}, {__metatable = 'locked'})\n"
            "assert(getmetatable(p) == 'locked', '__metatable honoured')\n"
            "assert(not pcall(setmetatable, p, {}), 'protected')\n");
}

static void test_string_metatable_hidden(void **state)
{
  expect_ok(*state,
            "local ok, idx = pcall(function()\n"
            "  return getmetatable('').__index end)\n"
            "assert(not ok or type(idx) ~= 'table' or idx.dump == nil,\n"
            "       'string.dump reachable through the string metatable')\n"
            "assert(('x').dump == nil, 'string.dump reachable as a method')\n"
            "assert(type(getmetatable('')) ~= 'table', 'exposed')\n");
}

/* A host metatable given a __gc would run it outside the budget, even
 * while the state closes: plugins must not reach any. */
static void test_host_metatables_hidden(void **state)
{
  expect_ok(*state,
            "local f = assert(io.open(DIR .. '/allowed/in.txt'))\n"
            "assert(getmetatable(f) == nil, 'file metatable exposed')\n"
            "f:close()\n"
            "assert(getmetatable(nhi.json.object()) == nil,\n"
            "       'JSON object marker exposed')\n"
            "assert(getmetatable(nhi.json.decode('[1]')) == nil,\n"
            "       'JSON array marker exposed')\n"
            "assert(nhi.json.encode(nhi.json.array()) == '[]',\n"
            "       'markers still work')\n");
}

static void test_load_refuses_binary(void **state)
{
  struct fixture *fx = *state;

  expect_ok(fx, "local f, err = load('\\27Lua\\84\\0\\25\\147')\n"
            "assert(f == nil and err:find('binary'), tostring(err))\n"
            "local g = load('return 1 + 1')\n"
            "assert(g() == 2, 'text chunks load')\n");
  expect_error(fx, "load('return 1', 'x', 'b')", "binary chunks are not "
               "allowed");
  expect_error(fx, "load('return 1', 'x', 'bt')", "binary chunks are not "
               "allowed");
}

static void test_loaded_chunk_sees_no_host_globals(void **state)
{
  expect_ok(*state,
            "assert(load('return rawget(os, \"execute\")')() == nil,\n"
            "       'os.execute')\n"
            "assert(load('return rawget(_G, \"debug\")')() == nil, 'debug')\n"
            "rawset(_G, 'marker', 1)\n"
            "assert(load('return rawget(_G, \"marker\")')() == nil,\n"
            "       'the caller environment leaked into load')\n"
            "local ok, err = pcall(load('return undefined_x'))\n"
            "assert(not ok and err:find('unknown global'), 'not strict')\n"
            "assert(load('return x', 'n', 't', {x = 5})() == 5, 'env arg')\n");
}

static void test_io_open_outside_roots(void **state)
{
  struct fixture *fx = *state;
  char *target = path_in(fx, "secret.txt");
  char *link = path_in(fx, "allowed/link.txt");

  assert_int_equal(symlink(target, link), 0);
  expect_error(fx, "io.open(DIR .. '/secret.txt')", "outside the paths");
  expect_error(fx, "io.open(DIR .. '/allowed/../secret.txt')",
               "outside the paths");
  expect_error(fx, "io.open(DIR .. '/allowed/link.txt')",
               "outside the paths");
  expect_error(fx, "io.open(DIR .. '/allowed2/near.txt')",
               "outside the paths");
  expect_error(fx, "for l in io.lines(DIR .. '/secret.txt') do end",
               "outside the paths");
  free(target);
  free(link);
}

static void test_io_open_inside_roots(void **state)
{
  expect_ok(*state,
            "local f = assert(io.open(DIR .. '/allowed/in.txt'))\n"
            "local s = f:read('a')\n"
            "f:close()\n"
            "assert(s == 'inside\\nsecond line\\n', s)\n"
            "local n = 0\n"
            "for l in io.lines(DIR .. '/allowed/in.txt') do n = n + 1 end\n"
            "assert(n == 2, 'io.lines read ' .. n .. ' lines')\n"
            "assert(io.open(DIR .. '/allowed/in.txt', 'rb'), 'mode rb')\n"
            "local g, err = io.open(DIR .. '/allowed/missing.txt')\n"
            "assert(g == nil and err:find('No such file'), tostring(err))\n");
}

static void test_io_open_refuses_writing(void **state)
{
  struct fixture *fx = *state;

  expect_error(fx, "io.open(DIR .. '/allowed/new.txt', 'w')",
               "may only read");
  expect_error(fx, "io.open(DIR .. '/allowed/in.txt', 'a')", "may only read");
  expect_error(fx, "io.open(DIR .. '/allowed/in.txt', 'r+')",
               "may only read");
  assert_false(file_exists(fx, "allowed/new.txt"));
}

static void test_require_finds_and_caches(void **state)
{
  struct fixture *fx = *state;

  write_file(fx, "lib/counter.lua",
             "local n = 0\n"
             "return { bump = function() n = n + 1 return n end }\n");
  write_file(fx, "lib/aws/arn.lua", "return { kind = 'arn' }\n");
  write_file(fx, "lib/quiet.lua", "local x = 1\n");
  expect_ok(fx, "local a = require('counter')\n"
            "local b = require('counter')\n"
            "assert(a == b, 'second require loaded the file again')\n"
            "assert(a.bump() == 1 and b.bump() == 2, 'one module state')\n"
            "assert(require('aws.arn').kind == 'arn', 'a.b -> a/b.lua')\n"
            "assert(require('quiet') == true, 'no result -> true')\n");
}

/* Lib folders are often below paths with dots (~/.config, x-1.0/). */
static void test_require_from_dotted_folder(void **state)
{
  struct fixture *fx = *state;

  write_file(fx, "my.plugins/lib/extra.lua", "return { ok = true }\n");
  expect_ok(fx, "assert(require('extra').ok, 'module not loaded')\n");
}

static void test_require_refuses_bad_names(void **state)
{
  struct fixture *fx = *state;

  write_file(fx, "x.lua", "return {}\n");
  expect_error(fx, "require('../x')", "bad module name '../x'");
  expect_error(fx, "require('a..b')", "bad module name");
  expect_error(fx, "require('lib/x')", "bad module name");
  expect_error(fx, "require('/etc/passwd')", "bad module name");
  expect_error(fx, "require('missing')", "no Lua library 'missing'");
}

static void test_required_module_is_sandboxed(void **state)
{
  struct fixture *fx = *state;

  write_file(fx, "lib/probe.lua",
             "return { dbg = rawget(_G, 'debug'),\n"
             "         exec = rawget(os, 'execute'),\n"
             "         has_nhi = nhi ~= nil }\n");
  expect_ok(fx, "local p = require('probe')\n"
            "assert(p.dbg == nil and p.exec == nil, 'host globals leaked')\n"
            "assert(p.has_nhi, 'modules see the nhi API')\n");
}

static void test_syntax_error_names_file_and_line(void **state)
{
  struct fixture *fx = *state;
  lua_State *L = fx->sb->L;
  char *path = path_in(fx, "bad.lua");

  write_file(fx, "bad.lua", "local x = 1\nlocal y = = 2\n");
  nhi_sandbox_push_env(fx->sb, 0, 1);
  assert_int_equal(nhi_sandbox_load(fx->sb, path), NHI_ERR_PLUGIN);
  assert_int_equal(lua_gettop(L), 0);
  if (!strstr(fx->sb->error, "bad.lua:2:"))
    fail_msg("error '%s' does not name bad.lua:2", fx->sb->error);
  free(path);
  write_file(fx, "lib/broken.lua", "return {\n");
  expect_error(fx, "require('broken')", "broken.lua:");
}

static void test_traceback_recorded(void **state)
{
  struct fixture *fx = *state;

  expect_error(fx, "local function inner() error('boom') end\n"
               "local function outer() inner() end\n"
               "outer()\n", "chunk.lua:1: boom");
  assert_non_null(fx->sb->traceback);
  if (!strstr(fx->sb->traceback, "stack traceback") ||
      !strstr(fx->sb->traceback, "chunk.lua:2:"))
    fail_msg("traceback lacks the call chain: %s", fx->sb->traceback);
  assert_null(strchr(fx->sb->error, '\n'));
  expect_error(fx, "error({})", "error object is a table value");
}

int main(void)
{
  /* A limit that fails to stop a loop must fail the run, not hang it. */
  alarm(300);
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
  const struct CMUnitTest tests[] = {
    T(test_plain_chunk_runs),
    T(test_budget_stops_endless_loop),
    T(test_budget_not_caught_by_pcall),
    T(test_budget_not_caught_by_xpcall),
    T(test_budget_stops_looping_close),
    T(test_memory_cap),
    T(test_memory_cap_not_caught_by_pcall),
    T(test_dangerous_functions_absent),
    T(test_unknown_global_read_raises),
    T(test_global_assignment_raises),
    T(test_setmetatable_refuses_gc),
    T(test_string_metatable_hidden),
    T(test_host_metatables_hidden),
    T(test_load_refuses_binary),
    T(test_loaded_chunk_sees_no_host_globals),
    T(test_io_open_outside_roots),
    T(test_io_open_inside_roots),
    T(test_io_open_refuses_writing),
    T(test_require_finds_and_caches),
    T(test_require_from_dotted_folder),
    T(test_require_refuses_bad_names),
    T(test_required_module_is_sandboxed),
    T(test_syntax_error_names_file_and_line),
    T(test_traceback_recorded),
  };
#undef T

  return cmocka_run_group_tests(tests, NULL, NULL);
}
