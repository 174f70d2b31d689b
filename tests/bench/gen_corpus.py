#!/usr/bin/env python3
"""Generates a source-like corpus with planted secrets, for the secrets
scanner's benchmark (tests/bench/secrets.sh).

usage: gen_corpus.py OUT_DIR [--mib N] [--seed S] [--every K]

Writes OUT_DIR/tree/ (N MiB, default 1024, of files in a few languages:
Python, JavaScript, Go, YAML, JSON, shell, Markdown, in nested project
folders) and OUT_DIR/planted.tsv (path, line, type: every planted
secret). About one file in K (default 8) gets one secret, of a type
drawn in turn from every kind the bundled rules know, with invented
values of the real shape (GitHub tokens carry a valid CRC32). The text
around holds the words the rules look for in harmless uses
(`token = request.headers[...]`, `password: ${DB_PASSWORD}`), so the
keyword prefilter does real work. The same arguments give the same
corpus byte for byte.
"""
import argparse
import base64
import json
import os
import random
import sys
import zlib

B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
B64 = B62 + "+/"
URL = B62 + "_-"

WORDS = ("order robot arm weld pallet firmware telemetry sensor queue batch "
         "report customer invoice region bucket worker schedule retry cache "
         "config parser metric alert deploy build release session request "
         "response handler client server stream event record").split()


def ident(rng):
    return "_".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))


def camel(rng):
    w = [rng.choice(WORDS) for _ in range(rng.randint(1, 3))]
    return w[0] + "".join(x.title() for x in w[1:])


def rnd(rng, n, alphabet=B62):
    return "".join(rng.choice(alphabet) for _ in range(n))


def github(rng, prefix):
    body = rnd(rng, 30)
    crc = zlib.crc32(body.encode())
    tail = ""
    for _ in range(6):
        tail = B62[crc % 62] + tail
        crc //= 62
    return prefix + body + tail


def jwt(rng):
    def part(obj):
        raw = json.dumps(obj, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")
    head = part({"alg": "RS256", "typ": "JWT"})
    claims = part({"iss": "https://auth.%s.test" % rng.choice(WORDS),
                   "sub": ident(rng), "exp": rng.randint(1.7e9, 1.9e9)})
    return "%s.%s.%s" % (head, claims, rnd(rng, 43, URL))


# Each planted kind: (type, lines of text holding one secret).
def planted(rng, kind):
    v = ident(rng).upper()
    if kind == "aws_access_key_id":
        return kind, ["AWS_ACCESS_KEY_ID=AKIA" + rnd(rng, 16, B32)]
    if kind == "aws_secret_access_key":
        return kind, ["aws_secret_access_key = " + rnd(rng, 40, B64)]
    if kind == "github_token":
        return kind, ['GITHUB_TOKEN = "%s"' % github(rng, rng.choice(
            ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]))]
    if kind == "github_fine_grained_pat":
        return kind, ["token: github_pat_%s_%s" % (rnd(rng, 22), rnd(rng, 59))]
    if kind == "gitlab_token":
        return kind, ["GITLAB_TOKEN=glpat-" + rnd(rng, 20, URL)]
    if kind == "slack_token":
        return kind, ['slack_bot = "xoxb-%s-%s-%s"' % (
            rnd(rng, 11, "0123456789"), rnd(rng, 13, "0123456789"),
            rnd(rng, 24))]
    if kind == "slack_webhook":
        return kind, ["webhook: https://hooks.slack.com/services/T%s/B%s/%s"
                      % (rnd(rng, 8, B32), rnd(rng, 9, B32), rnd(rng, 24))]
    if kind == "stripe_secret_key":
        return kind, ["STRIPE_KEY = 'sk_live_%s'" % rnd(rng, 32)]
    if kind == "openai_api_key":
        return kind, ['openai.api_key = "sk-proj-%sT3BlbkFJ%s"' % (
            rnd(rng, 20, URL), rnd(rng, 28, URL))]
    if kind == "anthropic_api_key":
        return kind, ["ANTHROPIC_API_KEY=sk-ant-api03-%sAA" % rnd(rng, 93, URL)]
    if kind == "google_api_key":
        return kind, ['mapsKey: "AIza%s"' % rnd(rng, 35, URL)]
    if kind == "npm_token":
        return kind, ["//registry.npmjs.org/:_authToken=" + github(rng, "npm_")]
    if kind == "pypi_token":
        return kind, ["password = pypi-AgEIcHlwaS5vcmc" + rnd(rng, 60, URL)]
    if kind == "database_password":
        return kind, ['DATABASE_URL = "postgres://%s:%s@db.%s.internal:5432/app"'
                      % (rng.choice(WORDS), rnd(rng, 16), rng.choice(WORDS))]
    if kind == "azure_storage_key":
        return kind, ["AZURE_STORAGE=DefaultEndpointsProtocol=https;AccountName=%s;"
                      "AccountKey=%s==;EndpointSuffix=core.windows.net"
                      % (rnd(rng, 12, "abcdefghijklmnopqrstuvwxyz"),
                         rnd(rng, 86, B64))]
    if kind == "azure_client_secret":
        return kind, ['client_secret: "%s8Q~%s"' % (rnd(rng, 3), rnd(rng, 34, URL))]
    if kind == "jwt":
        return kind, ["Authorization: Bearer " + jwt(rng)]
    if kind == "private_key":
        body = [rnd(rng, 64, B64) for _ in range(rng.randint(4, 12))]
        return kind, (["-----BEGIN RSA PRIVATE KEY-----"] + body
                      + ["-----END RSA PRIVATE KEY-----"])
    if kind == "generic_secret":
        return kind, ['%s_PASSWORD = "%s#%s"' % (v, rnd(rng, 7), rnd(rng, 6))]
    raise ValueError(kind)


KINDS = ["aws_access_key_id", "aws_secret_access_key", "github_token",
         "github_fine_grained_pat", "gitlab_token", "slack_token",
         "slack_webhook", "stripe_secret_key", "openai_api_key",
         "anthropic_api_key", "google_api_key", "npm_token", "pypi_token",
         "database_password", "azure_storage_key", "azure_client_secret",
         "jwt", "private_key", "generic_secret"]


def py_lines(rng):
    f, a = ident(rng), ident(rng)
    return [
        "def %s(%s, token=None):" % (f, a),
        '    """Handles the %s of a %s."""' % (rng.choice(WORDS), rng.choice(WORDS)),
        "    if token is None:",
        '        token = request.headers.get("Authorization", "")',
        "    for %s in %s.items():" % (ident(rng), a),
        "        log.debug('%s %%s', %s)" % (rng.choice(WORDS), a),
        "    password = os.environ[\"%s_PASSWORD\"]" % ident(rng).upper(),
        "    return %s(%s, retries=%d)" % (ident(rng), a, rng.randint(1, 9)),
        "",
    ]


def js_lines(rng):
    f = camel(rng)
    return [
        "export async function %s(%s) {" % (f, camel(rng)),
        "  const secret = process.env.%s_SECRET;" % ident(rng).upper(),
        "  const res = await fetch(`${baseUrl}/%s`, { headers: { token } });"
        % rng.choice(WORDS),
        "  if (!res.ok) throw new Error('%s failed: ' + res.status);" % f,
        "  return res.json().then((d) => d.%s ?? %d);" % (camel(rng),
                                                          rng.randint(0, 999)),
        "}",
        "",
    ]


def go_lines(rng):
    return [
        "func %s(ctx context.Context, apiKey string) error {" % camel(rng).title(),
        "\tif apiKey == \"\" {",
        "\t\treturn fmt.Errorf(\"%s: missing api key\")" % rng.choice(WORDS),
        "\t}",
        "\treturn client.Do(ctx, \"%s\", %d)" % (ident(rng), rng.randint(1, 100)),
        "}",
        "",
    ]


def yaml_lines(rng):
    return [
        "%s:" % ident(rng),
        "  image: registry.%s.test/%s:%d.%d" % (rng.choice(WORDS), ident(rng),
                                              rng.randint(1, 9), rng.randint(0, 20)),
        "  env:",
        "    - name: DB_PASSWORD",
        "      valueFrom: { secretKeyRef: { name: %s, key: password } }" % ident(rng),
        "    - name: REGION",
        "      value: eu-central-%d" % rng.randint(1, 2),
    ]


def md_lines(rng):
    return [
        "## %s" % " ".join(rng.choice(WORDS) for _ in range(3)).title(),
        "",
        "Set `%s_TOKEN` to your token (see `.env.example`); the %s reads it"
        % (ident(rng).upper(), rng.choice(WORDS)),
        "at start-up and retries %d times. Example: `AKIAIOSFODNN7EXAMPLE`."
        % rng.randint(2, 9),
        "",
    ]


def json_lines(rng):
    return ['  "%s": {"%s": %d, "%s": "%s", "secret_ref": "vault:%s"},'
            % (camel(rng), camel(rng), rng.randint(0, 10000), camel(rng),
               ident(rng), ident(rng)) for _ in range(4)]


LANGS = [(".py", py_lines), (".js", js_lines), (".go", go_lines),
         (".yaml", yaml_lines), (".md", md_lines), (".json", json_lines)]


def write_file(rng, path, size, secret):
    """Writes about size bytes; returns the secret's line (or None)."""
    ext = os.path.splitext(path)[1]
    gen = dict(LANGS)[ext]
    lines, total, at = [], 0, None
    plant_at = rng.randint(0, max(0, size - 2048)) if secret else -1
    while total < size:
        if secret and at is None and total >= plant_at:
            at = len(lines) + 1
            lines.extend(secret)
            total += sum(len(x) + 1 for x in secret)
        block = gen(rng)
        lines.extend(block)
        total += sum(len(x) + 1 for x in block)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return at


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--mib", type=int, default=1024)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--every", type=int, default=8)
    a = ap.parse_args(argv)
    rng = random.Random(a.seed)
    tree = os.path.join(a.out, "tree")
    os.makedirs(tree, exist_ok=True)
    budget, written, n, k = a.mib << 20, 0, 0, 0
    rows = []
    while written < budget:
        proj = "project-%03d" % (n // 400)
        sub = rng.choice(["src", "lib", "deploy", "docs", "config", "internal/%s"
                          % rng.choice(WORDS)])
        ext, _ = rng.choice(LANGS)
        rel = "%s/%s/%s_%05d%s" % (proj, sub, ident(rng), n, ext)
        os.makedirs(os.path.join(tree, os.path.dirname(rel)), exist_ok=True)
        size = min(int(rng.lognormvariate(10.3, 0.9)), 2 << 20)
        secret, kind = None, None
        if n % a.every == a.every - 1:
            kind, secret = planted(rng, KINDS[k % len(KINDS)])
            k += 1
        line = write_file(rng, os.path.join(tree, rel), size, secret)
        if kind:
            rows.append("%s\t%d\t%s" % (rel, line, kind))
        written += os.path.getsize(os.path.join(tree, rel))
        n += 1
    with open(os.path.join(a.out, "planted.tsv"), "w") as f:
        f.write("\n".join(rows) + "\n")
    print("%d files, %d bytes, %d planted secrets" % (n, written, len(rows)),
          file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
