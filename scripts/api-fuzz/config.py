"""Writes the schemathesis configuration of one fuzzing pass.

Operations on one resource by id (`/tasks/{id}`, `/tasks/{id}/start`, ...) get
the id of a real resource of the server under test, found through the API with
the pass's own credentials, so that the fuzzer exercises the code behind the
404 too; everything else about those requests stays generated. Resources the
server has none of keep generated ids.

Usage: python3 config.py BASE_URL OUT.toml tenant|operator
Credentials come from the environment as in run.sh (WAIHU_API_TOKEN, or
WAIHU_OPERATOR_COOKIE and WAIHU_OPERATOR_CSRF).
"""

import json
import os
import sys
import urllib.request

API = "/api/v1"


def get(base, path, headers):
    req = urllib.request.Request(base + API + path, headers=headers)
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.load(resp)


def first_id(base, path, headers, keep=lambda item: True):
    try:
        body = get(base, path, headers)
    except OSError as e:  # a 4xx/5xx is an HTTPError, an OSError
        print(f"config.py: GET {API}{path}: {e}", file=sys.stderr)
        return None
    items = body.get("items", []) if isinstance(body, dict) else body
    for item in items:
        if isinstance(item, dict) and "id" in item and keep(item):
            return str(item["id"])
    return None


def toml_str(s):
    return json.dumps(s)  # a JSON string is a valid TOML basic string


def main():
    base, out, who = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
    if who == "tenant":
        headers = {"Authorization": "Bearer " + os.environ["WAIHU_API_TOKEN"]}
        script = first_id(base, "/scripts", headers)
        version = script and first_id(base, f"/scripts/{script}/versions", headers)
        ids = {
            r"/contact-lists/\{id\}": first_id(base, "/contact-lists", headers),
            r"/scripts/\{id\}": script,
            r"/script-versions/\{id\}": version,
            r"/tasks/\{id\}": first_id(base, "/tasks", headers),
            r"/calls/\{id\}": first_id(base, "/calls", headers),
            r"/leads/\{id\}": first_id(base, "/leads", headers),
            # Not the admin the API token acts for: the fuzzer may delete it.
            r"/users/\{id\}": first_id(
                base, "/users", headers, keep=lambda u: u.get("role") != "admin"
            ),
        }
    elif who == "operator":
        headers = {
            "Cookie": os.environ["WAIHU_OPERATOR_COOKIE"],
            "X-CSRF-Token": os.environ["WAIHU_OPERATOR_CSRF"],
        }
        tenant = first_id(base, "/tenants", headers)
        # A tenant's user, never the operator's own account (the fuzzer may
        # delete it, and this pass runs on its session).
        user = tenant and first_id(base, f"/tenants/{tenant}/users", headers)
        ids = {r"/tenants/\{id\}": tenant, r"/users/\{id\}": user}
    else:
        sys.exit(f"config.py: unknown pass {who!r}")
    lines = []
    for path, value in ids.items():
        if value is None:
            continue
        lines += [
            "[[operations]]",
            f"include-path-regex = {toml_str('^' + API + path)}",
            f"parameters = {{ \"path.id\" = {toml_str(value)} }}",
            "",
        ]
        print(f"   {API}{path.replace(chr(92), '')} -> {value}")
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
