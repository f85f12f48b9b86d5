"""Load test of public survey answering (issue 4 §4): a campaign day at a large one-stop centre.

For each database (SQLite, then a throwaway PostgreSQL cluster started here on 127.0.0.1 and
stopped at the end) it

1. migrates a fresh database and seeds the shipped SIPAS questionnaire (7 screens, 27 questions)
   with an open campaign over a province centre and ten communes;
2. starts the real application under gunicorn (a production WSGI server; ``--workers``) on
   127.0.0.1 only, DEBUG off, with the survey rate limits raised through their environment
   variables (``CCHC_SURVEY_RATE_PER_IP`` / ``_PER_UNIT``: every answerer comes from 127.0.0.1);
3. runs ``--users`` concurrent answerers (Locust as a library, in a child process) who, for
   ``--seconds``, each fill whole questionnaires screen by screen exactly as a browser without
   JavaScript does (GET the screen, POST it with the CSRF and survey tokens, follow the redirect),
   with a think time between screens (``--think``, seconds, "0" for none); after the deadline no
   new form starts, forms already started are finished (bounded by ``--grace``), then every
   answerer stops by itself. A share of them (``--replay``) sends its final screen a second time,
   which must be refused;
4. checks, in the database, that every accepted form (the final POST answered with the redirect to
   the thank-you page) is stored exactly once, with exactly the answers that were sent (the text
   answer carries a unique marker), and that nothing else was stored;
5. prints throughput, p50/p95/p99 latency (exact, from every request) and errors.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/surveys_load.py                     # SQLite and PostgreSQL, think 1–3 s
    .venv/bin/python bench/surveys_load.py --think 0 --backend sqlite   # saturation, no think time

Every request goes to 127.0.0.1; the run is bounded in time (seconds + grace + start-up) and in
count (users × forms they can finish in that time).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from pgcluster import postgres_cluster  # noqa: E402

OUT = HERE / "out" / "surveys"
BIN = Path(sys.executable).parent
PG_PORT = int(os.environ.get("BENCH_SURVEYS_PG_PORT", "5534"))
CAMPAIGN_PERIOD = 2025
UNITS = [("BENCH-T", "Trung tâm Phục vụ hành chính công tỉnh", "province", "")] + [
    (f"BENCH-X{i:02d}", f"Xã Thử Nghiệm {i}", "commune", "BENCH-T") for i in range(1, 11)
]


# ---------------------------------------------------------------- environment and database


def server_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "CCHC_VAR_DIR": str(OUT),
        "DJANGO_SETTINGS_MODULE": "cchc.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-" + secrets.token_urlsafe(32),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "CCHC_SECURE": "0",  # plain HTTP on loopback (in production a TLS proxy stands in front)
        "CCHC_SURVEY_RATE_PER_IP": "1000000",
        "CCHC_SURVEY_RATE_PER_UNIT": "1000000",
        "CCHC_LOG_LEVEL": "ERROR",
    }


def seed() -> None:
    """Child (Django set up): the shipped SIPAS questionnaire, the units and an open campaign;
    prints the public keys as JSON."""
    import django

    django.setup()
    import io

    from django.core.management import call_command

    from cchc.orgs.models import OrgUnit, UnitType
    from cchc.surveys.io import shipped_path
    from cchc.surveys.models import Channel, Questionnaire
    from cchc.surveys.services import create_campaign

    call_command("import_questionnaire", str(shipped_path("sipas-dich-vu")), stdout=io.StringIO())
    units = {}
    for code, name, type_code, parent in UNITS:
        units[code] = OrgUnit.objects.create(
            code=code, name=name, unit_type=UnitType.objects.get(code=type_code), parent=units.get(parent)
        )
    campaign = create_campaign(
        Questionnaire.objects.get(code="SIPAS-DV"),
        CAMPAIGN_PERIOD,
        list(units.values()),
        target=385,
        channels=[Channel.WEB],
        name="Ngày khảo sát tải",
    )
    keys = list(campaign.campaign_units.values_list("public_key", flat=True))
    print(json.dumps({"campaign": campaign.pk, "keys": keys}))


# ---------------------------------------------------------------- the answerers (Locust)


def token_nonce(token: str) -> str:
    """The nonce inside a signed survey token (django.core.signing: base64 JSON, ``.`` = zlib)."""
    payload = token.split(":")[0]
    compressed = payload.startswith(".")
    raw = base64.urlsafe_b64decode(payload.lstrip(".") + "=" * (-len(payload.lstrip(".")) % 4))
    if compressed:
        raw = zlib.decompress(raw)
    return json.loads(raw)["n"]


def client(args) -> None:
    """Child: run the answerers against ``args.url`` and write what was accepted to ``args.out``."""
    import random
    import re
    from urllib.parse import urlencode

    import gevent
    from locust import FastHttpUser, constant, task
    from locust.env import Environment
    from locust.exception import StopUser

    if not args.url.startswith("http://127.0.0.1:"):
        raise SystemExit("the load test only talks to 127.0.0.1")
    keys = args.keys.split(",")
    think_low, think_high = parse_think(args.think)
    token_re = re.compile(r'name="token" value="([^"]+)"')
    step_re = re.compile(r'name="step" value="(\d+)"')
    csrf_re = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    choice_re = re.compile(r'<input type="(radio|checkbox)" name="q_([A-Za-z0-9_]+)" value="([^"]+)"')
    free_re = re.compile(r'<(?:input type="text"[^>]*|textarea[^>]*) name="q_([A-Za-z0-9_]+)"')
    latencies: list[float] = []
    accepted: list[dict] = []
    unacknowledged: list[dict] = []
    counters = {"forms_started": 0, "replays": 0, "replays_refused": 0}
    started_at = time.monotonic()
    deadline = started_at + args.seconds
    hard_stop = deadline + args.grace

    def on_request(request_type, name, response_time, response_length, exception=None, **kw):
        latencies.append(response_time)

    def pick_answers(html: str, marker: str, rnd: random.Random) -> dict[str, object]:
        groups: dict[str, tuple[str, list[str]]] = {}
        for kind, code, value in choice_re.findall(html):
            groups.setdefault(code, (kind, []))[1].append(value)
        answers: dict[str, object] = {}
        for code, (kind, values) in groups.items():
            real = [v for v in values if v != "na"]
            if kind == "checkbox":
                chosen = set(rnd.sample(real, rnd.randint(1, min(3, len(real)))))
                answers[code] = [v for v in real if v in chosen]  # stored in the options' order
            elif set(real) == {"1", "2", "3", "4", "5"}:
                # Mostly satisfied, as in published results; 5% "không áp dụng".
                answers[code] = "na" if rnd.random() < 0.05 else rnd.choices(real, [3, 4, 10, 45, 38])[0]
            else:
                answers[code] = rnd.choice(real)
        for code in free_re.findall(html):
            if code == "SO_LAN":
                answers[code] = str(rnd.randint(1, 3))
            else:
                answers[code] = f"Góp ý thử tải {marker}"
        return answers

    class Answerer(FastHttpUser):
        host = args.url
        wait_time = constant(0)
        network_timeout = 60.0
        connection_timeout = 10.0

        def on_start(self):
            self.rnd = random.Random(secrets.randbits(64))
            # Answers sent under each survey token. A form interrupted by an error is resumed by
            # the server on the next visit (same session, same token): its earlier screens count.
            self.sent_by_nonce: dict[str, dict[str, object]] = {}

        def think(self):
            if think_high > 0:
                gevent.sleep(self.rnd.uniform(think_low, think_high))

        @task
        def one_form(self):
            if time.monotonic() >= deadline:
                raise StopUser()
            counters["forms_started"] += 1
            url = f"/s/{self.rnd.choice(keys)}/"
            marker = secrets.token_hex(8)
            page = self.client.get(url, name="GET screen")
            if page.status_code != 200:
                return
            nonce = None
            for _screen in range(12):
                html = page.text
                token, step, csrf = (
                    token_re.search(html).group(1),
                    step_re.search(html).group(1),
                    csrf_re.search(html).group(1),
                )
                nonce = token_nonce(token)
                sent = self.sent_by_nonce.setdefault(nonce, {})
                answers = pick_answers(html, marker, self.rnd)
                pairs = [("csrfmiddlewaretoken", csrf), ("token", token), ("step", step), ("action", "next")]
                pairs += [("website", "")]
                for code, value in answers.items():
                    for v in value if isinstance(value, list) else [value]:
                        pairs.append((f"q_{code}", v))
                body = urlencode(pairs)
                headers = {"Content-Type": "application/x-www-form-urlencoded"}
                self.think()
                last = 'value="next" class="primary">Gửi phiếu' in html
                posted = self.client.post(
                    url,
                    data=body,
                    headers=headers,
                    allow_redirects=False,
                    name="POST submit" if last else "POST screen",
                )
                if posted.status_code != 302:
                    if last:
                        unacknowledged.append(
                            {"nonce": nonce, "marker": marker, "status": posted.status_code}
                        )
                    return
                sent.update(answers)
                location = posted.headers.get("Location", "")
                if "cam-on" in location:
                    self.sent_by_nonce.pop(nonce, None)
                    text_marker = str(sent.get("GOP_Y_KHAC", "")).rsplit(" ", 1)[-1]
                    accepted.append({"nonce": nonce, "marker": text_marker, "answers": expected(sent)})
                    self.client.get(location, name="GET thanks")
                    if self.rnd.random() < args.replay:
                        counters["replays"] += 1
                        with self.client.post(
                            url,
                            data=body,
                            headers=headers,
                            allow_redirects=False,
                            name="POST replay",
                            catch_response=True,
                        ) as again:
                            if again.status_code == 200 and "đã được ghi nhận" in again.text:
                                counters["replays_refused"] += 1
                                again.success()
                            else:
                                again.failure(f"replay not refused: HTTP {again.status_code}")
                    return
                page = self.client.get(url, name="GET screen")
                if page.status_code != 200:
                    return

    def expected(sent: dict[str, object]) -> dict[str, str]:
        """What the server must store: skip logic drops SO_LAN after an online submission."""
        out = {}
        for code, value in sent.items():
            if code == "SO_LAN" and sent.get("KENH") == "truc_tuyen":
                continue
            out[code] = ";".join(value) if isinstance(value, list) else str(value)
        return out

    env = Environment(user_classes=[Answerer])
    env.events.request.add_listener(on_request)
    runner = env.create_local_runner()
    runner.start(args.users, spawn_rate=args.spawn_rate)
    while time.monotonic() < hard_stop:
        gevent.sleep(0.5)
        if time.monotonic() > deadline and runner.user_count == 0:
            break
    elapsed = time.monotonic() - started_at
    runner.quit()
    total = env.stats.total
    per_name = {
        name: {"requests": s.num_requests, "failures": s.num_failures, "median_ms": s.median_response_time}
        for (name, _method), s in env.stats.entries.items()
    }
    errors = {f"{e.method} {e.name}: {e.error}": e.occurrences for e in env.stats.errors.values()}
    Path(args.out).write_text(
        json.dumps(
            {
                "elapsed_s": elapsed,
                "requests": total.num_requests,
                "failures": total.num_failures,
                "latencies_ms": latencies,
                "per_name": per_name,
                "errors": errors,
                "accepted": accepted,
                "unacknowledged": unacknowledged,
                **counters,
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )


def parse_think(text: str) -> tuple[float, float]:
    if "-" in text:
        low, high = (float(x) for x in text.split("-", 1))
    else:
        low = high = float(text)
    if low < 0 or high < low:
        raise SystemExit(f"--think: expected 'A-B' with 0 <= A <= B, got {text!r}")
    return low, high


# ---------------------------------------------------------------- verification


def verify(args) -> None:
    """Child (Django set up): every accepted form stored exactly once with its answers; nothing
    else stored except forms whose final answer never reached the client."""
    import django

    django.setup()
    from collections import Counter, defaultdict

    from cchc.surveys.models import Answer, Response

    data = json.loads(Path(args.expect).read_text(encoding="utf-8"))
    responses = list(Response.objects.filter(campaign_id=args.campaign).values("pk", "client_token"))
    by_token = Counter(r["client_token"] for r in responses)
    answers: dict[int, dict[str, str]] = defaultdict(dict)
    for rid, code, display in (
        (a.response_id, a.question.code, a.display_value())
        for a in Answer.objects.filter(response__campaign_id=args.campaign).select_related("question")
    ):
        answers[rid][code] = display
    pk_of = {r["client_token"]: r["pk"] for r in responses}
    markers = Counter(v for per in answers.values() for code, v in per.items() if code == "GOP_Y_KHAC")
    lost, duplicated, wrong = [], [], []
    for form in data["accepted"]:
        n = by_token.get(form["nonce"], 0)
        if n == 0:
            lost.append(form["nonce"])
            continue
        if n > 1 or markers.get(f"Góp ý thử tải {form['marker']}", 0) != 1:
            duplicated.append(form["nonce"])
        if answers[pk_of[form["nonce"]]] != form["answers"]:
            wrong.append(form["nonce"])
    accepted_tokens = {f["nonce"] for f in data["accepted"]}
    unacked_tokens = {f["nonce"] for f in data["unacknowledged"]}
    extra = [t for t in by_token if t not in accepted_tokens]
    unexplained = [t for t in extra if t not in unacked_tokens]
    print(
        json.dumps(
            {
                "stored": len(responses),
                "accepted": len(data["accepted"]),
                "lost": len(lost),
                "duplicated": len(duplicated),
                "answers_differ": len(wrong),
                "stored_not_acknowledged": len(extra) - len(unexplained),
                "stored_unexplained": len(unexplained),
                "answers_stored": sum(len(a) for a in answers.values()),
            }
        )
    )


# ---------------------------------------------------------------- orchestration


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, seconds: float = 60) -> None:
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 - loopback only
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer {url} in {seconds:.0f} s")


def warm_up(url: str, n: int) -> None:
    """Not measured: let every worker thread load templates and open its database connection."""
    from concurrent.futures import ThreadPoolExecutor

    def get(_i):
        with urllib.request.urlopen(url, timeout=30) as r:  # noqa: S310 - loopback only
            r.read()

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(get, range(n)))


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def one_backend(name: str, database_url: str, args) -> dict:
    env = server_env(database_url)
    print(f"[{name}] migrating and seeding…", flush=True)
    subprocess.run([str(BIN / "cchc"), "migrate", "--noinput", "-v", "0"], env=env, check=True)
    seeded = subprocess.run(
        [sys.executable, __file__, "seed"], env=env, check=True, capture_output=True, text=True
    )
    info = json.loads(seeded.stdout.strip().splitlines()[-1])
    port = args.port or free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "cchc.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(args.threads),
            "--backlog",
            "2048",
            # Keep idle connections longer than the longest think time (a browser reuses them).
            "--keep-alive",
            "30",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=str(ROOT),
        start_new_session=True,
    )
    try:
        wait_ready(f"{url}/s/{info['keys'][0]}/")
        warm_up(f"{url}/s/{info['keys'][0]}/", 8 * args.workers * args.threads)
        out = OUT / f"client-{name}.json"
        print(
            f"[{name}] {args.users} answerers for {args.seconds} s (think {args.think} s per screen), "
            f"gunicorn {args.workers}×{args.threads} on {url}…",
            flush=True,
        )
        load_before = os.getloadavg()[0]
        subprocess.run(
            [
                sys.executable,
                __file__,
                "client",
                "--url",
                url,
                "--keys",
                ",".join(info["keys"]),
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--seconds",
                str(args.seconds),
                "--grace",
                str(args.grace),
                "--think",
                args.think,
                "--replay",
                str(args.replay),
                "--out",
                str(out),
            ],
            env={**os.environ, "PYTHONPATH": str(HERE)},
            check=True,
            timeout=args.seconds + args.grace + 120,
        )
        load_after = os.getloadavg()[0]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    checked = subprocess.run(
        [sys.executable, __file__, "verify", "--expect", str(out), "--campaign", str(info["campaign"])],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    check = json.loads(checked.stdout.strip().splitlines()[-1])
    data = json.loads(out.read_text(encoding="utf-8"))
    lat = data["latencies_ms"]
    result = {
        "backend": name,
        "elapsed_s": data["elapsed_s"],
        "requests": data["requests"],
        "rps": data["requests"] / data["elapsed_s"],
        "forms_per_s": len(data["accepted"]) / data["elapsed_s"],
        "p50": percentile(lat, 0.50),
        "p95": percentile(lat, 0.95),
        "p99": percentile(lat, 0.99),
        "max": max(lat) if lat else float("nan"),
        "failures": data["failures"],
        "errors": data["errors"],
        "per_name": data["per_name"],
        "forms_started": data["forms_started"],
        "replays": data["replays"],
        "replays_refused": data["replays_refused"],
        "load_1min": f"{load_before:.1f}→{load_after:.1f}",
        **check,
    }
    print(json.dumps({k: v for k, v in result.items() if k != "per_name"}, ensure_ascii=False), flush=True)
    return result


def report(results: list[dict], args) -> str:
    lines = [
        f"Survey answering under load: {args.users} concurrent answerers, {args.seconds} s, think time "
        f"{args.think} s per screen, gunicorn {args.workers} workers × {args.threads} threads, "
        f"{os.cpu_count()} CPUs (client and server on the same machine).",
        "",
        "| database | forms accepted | forms/s | requests/s | p50 ms | p95 ms | p99 ms | errors | "
        "lost | duplicated | answers differ | replays refused | load avg |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['backend']} | {r['accepted']:,} | {r['forms_per_s']:.1f} | {r['rps']:.0f} | {r['p50']:.0f} | "
            f"{r['p95']:.0f} | {r['p99']:.0f} | {r['failures']} | {r['lost']} | {r['duplicated']} | "
            f"{r['answers_differ']} | {r['replays_refused']}/{r['replays']} | {r['load_1min']} |"
        )
    lines.append("")
    for r in results:
        if r["errors"]:
            lines.append(f"{r['backend']} errors: {r['errors']}")
        if r["stored_not_acknowledged"] or r["stored_unexplained"]:
            lines.append(
                f"{r['backend']}: {r['stored_not_acknowledged']} stored whose answer never reached the client, "
                f"{r['stored_unexplained']} stored unexplained"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd")
    sub.add_parser("seed")
    c = sub.add_parser("client")
    c.add_argument("--url", required=True)
    c.add_argument("--keys", required=True)
    c.add_argument("--users", type=int, default=200)
    c.add_argument("--spawn-rate", type=float, default=50)
    c.add_argument("--seconds", type=float, default=60)
    c.add_argument("--grace", type=float, default=60)
    c.add_argument("--think", default="1-3")
    c.add_argument("--replay", type=float, default=0.05)
    c.add_argument("--out", required=True)
    v = sub.add_parser("verify")
    v.add_argument("--expect", required=True)
    v.add_argument("--campaign", type=int, required=True)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--spawn-rate", type=float, default=50, help="answerers started per second")
    parser.add_argument("--seconds", type=float, default=60, help="no form starts after this")
    parser.add_argument("--grace", type=float, default=60, help="at most this long to finish started forms")
    parser.add_argument("--think", default="1-3", help="seconds between screens, 'A-B' or '0'")
    parser.add_argument(
        "--replay", type=float, default=0.05, help="share of forms whose final screen is re-sent"
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=0, help="server port on 127.0.0.1 (default: a free one)")
    args = parser.parse_args()
    if args.cmd == "seed":
        return seed()
    if args.cmd == "client":
        return client(args)
    if args.cmd == "verify":
        return verify(args)
    parse_think(args.think)
    if args.users < 1 or args.seconds <= 0 or args.seconds > 600 or args.users > 2000:
        raise SystemExit("--users 1–2000 and --seconds up to 600")
    OUT.mkdir(parents=True, exist_ok=True)
    results = []
    if args.backend in ("sqlite", "both"):
        db = OUT / "load.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        results.append(one_backend("SQLite", f"sqlite:///{db}", args))
    if args.backend in ("postgres", "both"):
        with postgres_cluster(
            PG_PORT, "-c max_connections=200 -c shared_buffers=256MB", "cchc-surveys-pg."
        ) as url:
            results.append(one_backend("PostgreSQL", url, args))
    text = report(results, args)
    (OUT / "report.md").write_text(text, encoding="utf-8")
    (OUT / "report.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print()
    print(text)
    bad = [
        r for r in results if r["lost"] or r["duplicated"] or r["answers_differ"] or r["stored_unexplained"]
    ]
    if bad:
        raise SystemExit("answers were lost, duplicated or altered: see above")


if __name__ == "__main__":
    main()
