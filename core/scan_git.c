/* The history of a local git clone scanned for secrets: every commit's
 * added lines, streamed from `git log -p`, each secret recorded once at
 * the commit that first added it, and marked as only in history when
 * the file at HEAD no longer holds it. */
#include "scan_git.h"
#include "scan_store.h"
#include "strutil.h"
#include "timeutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define COMMIT_MARK '\x01'

/* A secret found, before it is written. */
struct found {
  char *path;
  char commit[41];
  long long when;
  struct nhi_scan_hit hit;    /* attrs owned */
  int at_head;
};

struct history {
  const struct nhi_scan_rules *set;
  const char *dir;
  struct found *items;
  size_t n, cap;
  /* the hunk being read */
  char commit[41];
  long long when;
  char *path;                 /* the file the diff is about, or NULL */
  int in_header;              /* between "diff --git" and its first @@ */
  long start;                 /* the new-file line of the hunk's first */
  char *buf;
  size_t len, bufcap;
  long long commits, lines;
};

/* Runs git with argv, its stdout on *out (read end), its stdin from
 * in_fd (or none when -1); *pid set. */
static enum nhi_rc spawn_git(char *const argv[], int in_fd, FILE **out,
                             pid_t *pid)
{
  int fds[2];

  if (pipe(fds) < 0)
    return NHI_ERR_IO;
  *pid = fork();
  if (*pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return NHI_ERR_IO;
  }
  if (*pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    if (in_fd >= 0)
      dup2(in_fd, STDIN_FILENO);
    else
      close(STDIN_FILENO);
    close(fds[0]);
    close(fds[1]);
    /* the clone is the one named, whatever the caller's git setting */
    unsetenv("GIT_DIR");
    unsetenv("GIT_WORK_TREE");
    unsetenv("GIT_INDEX_FILE");
    execvp("git", argv);
    _exit(127);
  }
  close(fds[1]);
  *out = fdopen(fds[0], "r");
  if (!*out) {
    close(fds[0]);
    return NHI_ERR_IO;
  }
  return NHI_OK;
}

/* Waits for git; NHI_OK when it exited 0, else logs what it said. */
static enum nhi_rc reap_git(pid_t pid, const char *dir, const char *what)
{
  int status = 0;

  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return NHI_OK;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
    nhi_error("cannot read git repository '%s': the git command is not "
              "installed", dir);
  else
    nhi_error("cannot read git repository '%s': git %s failed (status "
              "%d); is it a clone?", dir, what,
              WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  return NHI_ERR_INPUT;
}

static int known(const struct history *h, const char *path, const char *fp)
{
  for (size_t i = 0; i < h->n; i++)
    if (!strcmp(h->items[i].hit.fingerprint, fp) &&
        !strcmp(h->items[i].path, path))
      return 1;
  return 0;
}

static enum nhi_rc keep(struct history *h, struct nhi_scan_hit *hit)
{
  struct found *f;

  if (h->n == h->cap) {
    size_t cap = h->cap ? h->cap * 2 : 32;
    struct found *grown = realloc(h->items, cap * sizeof *grown);

    if (!grown)
      return NHI_ERR_NOMEM;
    h->items = grown;
    h->cap = cap;
  }
  f = &h->items[h->n];
  memset(f, 0, sizeof *f);
  f->path = strdup(h->path);
  if (!f->path)
    return NHI_ERR_NOMEM;
  memcpy(f->commit, h->commit, sizeof f->commit);
  f->when = h->when;
  f->hit = *hit;
  f->hit.line += h->start - 1;
  hit->attrs = NULL;
  h->n++;
  return NHI_OK;
}

/* Scans the added lines of the hunk read so far. */
static enum nhi_rc flush_hunk(struct history *h)
{
  struct nhi_scan_hits hits = { 0 };
  enum nhi_rc rc = NHI_OK;

  if (!h->len || !h->path)
    goto out;
  rc = nhi_scan_buffer(h->set, h->buf, h->len, &hits);
  for (size_t i = 0; i < hits.count && !rc; i++)
    if (!known(h, h->path, hits.items[i].fingerprint))
      rc = keep(h, &hits.items[i]);
out:
  nhi_scan_hits_free(&hits);
  h->len = 0;
  return rc;
}

static enum nhi_rc add_line(struct history *h, const char *s, size_t n)
{
  if (h->len + n + 2 > h->bufcap) {
    size_t cap = (h->len + n + 2) * 2;
    char *grown = realloc(h->buf, cap);

    if (!grown)
      return NHI_ERR_NOMEM;
    h->buf = grown;
    h->bufcap = cap;
  }
  memcpy(h->buf + h->len, s, n);
  h->len += n;
  h->buf[h->len++] = '\n';
  h->lines++;
  return NHI_OK;
}

/* One line of `git log -p --unified=0`: a commit mark, a file header, a
 * hunk header, or an added line. */
static enum nhi_rc on_line(struct history *h, char *s, size_t n)
{
  enum nhi_rc rc = NHI_OK;

  if (n && s[n - 1] == '\n')
    s[--n] = '\0';
  if (s[0] == COMMIT_MARK) {
    rc = flush_hunk(h);
    snprintf(h->commit, sizeof h->commit, "%.40s", s + 1);
    h->when = n > 42 ? atoll(s + 42) : 0;
    h->commits++;
  } else if (h->in_header && !strncmp(s, "+++ ", 4)) {
    rc = flush_hunk(h);
    free(h->path);
    h->path = !strncmp(s + 4, "b/", 2) ? strdup(s + 6) : NULL;
    if (!strncmp(s + 4, "b/", 2) && !h->path)
      rc = NHI_ERR_NOMEM;
  } else if (!strncmp(s, "@@ ", 3)) {
    const char *plus = strstr(s, " +");

    rc = flush_hunk(h);
    h->in_header = 0;
    h->start = plus ? atol(plus + 2) : 1;
  } else if (s[0] == '+' && h->path && !h->in_header) {
    rc = add_line(h, s + 1, n - 1);
  } else if (!strncmp(s, "diff --git ", 11)) {
    rc = flush_hunk(h);
    free(h->path);
    h->path = NULL;
    h->in_header = 1;
  }
  return rc;
}

static enum nhi_rc read_log(struct history *h)
{
  char *argv[] = {
    "git", "-C", (char *)h->dir, "-c", "core.quotePath=false",
    "-c", NULL, "log", "-p", "--all", "--reverse", "--no-color",
    "--no-ext-diff", "--no-textconv", "--no-renames", "--unified=0",
    "--format=tformat:%x01%H %ct", NULL
  };
  char *safe = nhi_aprintf("safe.directory=%s", h->dir), *line = NULL;
  size_t cap = 0;
  ssize_t n;
  FILE *out = NULL;
  pid_t pid;
  enum nhi_rc rc = safe ? NHI_OK : NHI_ERR_NOMEM;

  argv[6] = safe;
  if (!rc)
    rc = spawn_git(argv, -1, &out, &pid);
  if (rc == NHI_ERR_IO)
    nhi_error("cannot read git repository '%s': cannot run git: %s",
              h->dir, strerror(errno));
  if (rc)
    goto out;
  while (!rc && (n = getline(&line, &cap, out)) >= 0)
    rc = on_line(h, line, (size_t)n);
  if (!rc)
    rc = flush_hunk(h);
  fclose(out);
  if (rc)
    kill(pid, SIGTERM);
  if (reap_git(pid, h->dir, "log") && !rc)
    rc = NHI_ERR_INPUT;
out:
  free(line);
  free(safe);
  return rc;
}

/* Marks item i as still at HEAD when blob (its file at HEAD) holds the
 * same secret. */
static enum nhi_rc mark_head(struct history *h, size_t i, const char *blob,
                             size_t len)
{
  struct nhi_scan_hits hits = { 0 };
  enum nhi_rc rc = nhi_scan_buffer(h->set, blob, len, &hits);

  for (size_t k = 0; k < hits.count && !rc; k++)
    if (!strcmp(hits.items[k].fingerprint, h->items[i].hit.fingerprint))
      h->items[i].at_head = 1;
  nhi_scan_hits_free(&hits);
  return rc;
}

/* Reads `git cat-file --batch` answers, one per item, in order:
 * "<sha> blob <size>" then the bytes, or "<name> missing". */
static enum nhi_rc read_batch(struct history *h, FILE *out)
{
  char *line = NULL, *blob = NULL;
  size_t cap = 0;
  enum nhi_rc rc = NHI_OK;

  for (size_t i = 0; i < h->n && !rc; i++) {
    char *sp;
    unsigned long long size;

    if (getline(&line, &cap, out) < 0) {
      rc = NHI_ERR_INPUT;
      break;
    }
    sp = strstr(line, " blob ");
    if (!sp)
      continue;
    size = strtoull(sp + 6, NULL, 10);
    free(blob);
    blob = size < (1ull << 31) ? malloc(size + 1) : NULL;
    if (!blob || fread(blob, 1, size + 1, out) != size + 1) {
      rc = blob ? NHI_ERR_INPUT : NHI_ERR_NOMEM;
      break;
    }
    blob[size] = '\0';
    if (!nhi_scan_is_binary(blob, size))
      rc = mark_head(h, i, blob, size);
  }
  free(line);
  free(blob);
  return rc;
}

static enum nhi_rc run_batch(struct history *h, char *const argv[],
                             int in_fd)
{
  FILE *out = NULL;
  pid_t pid;
  enum nhi_rc rc = spawn_git(argv, in_fd, &out, &pid);

  if (rc)
    return rc;
  rc = read_batch(h, out);
  fclose(out);
  if (rc)
    kill(pid, SIGTERM);
  if (reap_git(pid, h->dir, "cat-file") && !rc)
    rc = NHI_ERR_INPUT;
  if (rc == NHI_ERR_INPUT)
    nhi_error("cannot read git repository '%s': unexpected answer from "
              "git cat-file", h->dir);
  return rc;
}

/* Marks what the files at HEAD still hold: `git cat-file --batch` of
 * HEAD:<path> for each path with a secret, each scanned whole. */
static enum nhi_rc check_head(struct history *h)
{
  char *safe = nhi_aprintf("safe.directory=%s", h->dir);
  char *argv[] = { "git", "-C", (char *)h->dir, "-c", safe, "cat-file",
                   "--batch", NULL };
  const char *tmpdir = getenv("TMPDIR");
  char *tmp = nhi_aprintf("%s/nhiscope-head-XXXXXX",
                          tmpdir && *tmpdir ? tmpdir : "/tmp");
  FILE *in = NULL;
  int fd = -1;
  enum nhi_rc rc = safe && tmp ? NHI_OK : NHI_ERR_NOMEM;

  if (!rc && (fd = mkstemp(tmp)) < 0)
    rc = NHI_ERR_IO;
  if (!rc && !(in = fdopen(fd, "w+")))
    rc = NHI_ERR_IO;
  for (size_t i = 0; i < h->n && !rc; i++)
    if (fprintf(in, "HEAD:%s\n", h->items[i].path) < 0)
      rc = NHI_ERR_IO;
  if (!rc && (fflush(in) || fseek(in, 0, SEEK_SET)))
    rc = NHI_ERR_IO;
  if (!rc)
    rc = run_batch(h, argv, fileno(in));
  if (rc == NHI_ERR_IO)
    nhi_error("cannot read git repository '%s': cannot check HEAD: %s",
              h->dir, strerror(errno));
  if (in)
    fclose(in);
  else if (fd >= 0)
    close(fd);
  if (tmp && fd >= 0)
    unlink(tmp);
  free(tmp);
  free(safe);
  return rc;
}

/* A work tree's top (.git, a folder or a worktree's file) or a bare
 * repository: git is never let find a clone above dir. */
static int is_clone(const char *dir)
{
  const char *const marks[] = { ".git", "HEAD", "objects" };
  int has[3];

  for (int i = 0; i < 3; i++) {
    char *p = nhi_aprintf("%s/%s", dir, marks[i]);

    has[i] = p && access(p, F_OK) == 0;
    free(p);
  }
  return has[0] || (has[1] && has[2]);
}

static void history_free(struct history *h)
{
  for (size_t i = 0; i < h->n; i++) {
    free(h->items[i].path);
    free(h->items[i].hit.attrs);
  }
  free(h->items);
  free(h->path);
  free(h->buf);
}

/* Writes one secrets row per secret found: attrs.commit (and
 * attrs.committed_at), in_history when HEAD no longer has it. */
static enum nhi_rc store_found(struct nhi_store *s, struct history *h)
{
  enum nhi_rc rc = NHI_OK;

  for (size_t i = 0; i < h->n && !rc; i++) {
    struct found *f = &h->items[i];
    cJSON *extra = cJSON_CreateObject();
    char when[NHI_TIME_SIZE];

    if (!extra)
      return NHI_ERR_NOMEM;
    cJSON_AddStringToObject(extra, "commit", f->commit);
    if (f->when > 0) {
      nhi_time_format((time_t)f->when, when);
      cJSON_AddStringToObject(extra, "committed_at", when);
    }
    rc = nhi_scan_store_hit(s, f->path, &f->hit, !f->at_head, extra, NULL);
    cJSON_Delete(extra);
  }
  return rc;
}

enum nhi_rc nhi_scan_git(struct nhi_store *s,
                         const struct nhi_scan_rules *set, const char *dir,
                         struct nhi_git_stats *stats)
{
  struct history h;
  char *abs;
  enum nhi_rc rc;

  memset(&h, 0, sizeof h);
  memset(stats, 0, sizeof *stats);
  h.set = set;
  /* git compares safe.directory with the absolute path */
  abs = realpath(dir, NULL);
  if (!abs) {
    nhi_error("cannot read git repository '%s': %s", dir, strerror(errno));
    return NHI_ERR_INPUT;
  }
  h.dir = abs;
  if (!is_clone(abs)) {
    nhi_error("cannot read git repository '%s': not the top of a clone "
              "(no .git in it, and not a bare repository)", dir);
    free(abs);
    return NHI_ERR_INPUT;
  }
  rc = read_log(&h);
  if (!rc && h.n)
    rc = check_head(&h);
  if (!rc)
    rc = store_found(s, &h);
  if (rc == NHI_ERR_NOMEM)
    nhi_error("cannot read git repository '%s': out of memory", dir);
  stats->commits = h.commits;
  stats->lines = h.lines;
  stats->secrets = (long long)h.n;
  for (size_t i = 0; i < h.n; i++)
    stats->in_history += !h.items[i].at_head;
  history_free(&h);
  free(abs);
  return rc;
}
