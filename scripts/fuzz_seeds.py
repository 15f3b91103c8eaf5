#!/usr/bin/env python3
"""Regenerates the fuzz seed corpus in fuzz/seeds/<target>/.

Seeds come from two places:
- the Chromium Set-Cookie conformance vectors (the exact header bytes a
  real browser was sent), for the `set_cookie` and `service` targets;
- consent-cookie values as real consent banners write them (Cookiebot,
  OneTrust, cookieconsent, Klaro, django-cookie-consent, GOV.UK, CookieYes,
  Complianz, TCF, Opendatasoft) plus the crate's own formats and their edge
  cases, for the `consent_value` target.

Only files named `chromium-*`, `cmp-*`, `format-*` and `mix-*` are written
or removed; regression seeds (`regression-*`) and the hand-written purge,
hiding and GPC seeds (`revocation-*`) are left alone.

Usage: scripts/fuzz_seeds.py [path/to/set-cookie-chromium.json]
(default: tests/data/set-cookie-chromium.json)
"""

import base64
import hashlib
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fuzz" / "seeds"
GENERATED = ("chromium-", "cmp-", "format-", "mix-")
# Must match FUZZ_LINE_SEPARATOR in tests/common/oracles.rs.
SEP = b"\xff"

# Flags byte of a `service` input (see fuzz_service_with in tests/common/oracles.rs).
SEED_POLICY, ODS_POLICY, HOST_POLICY = 0, 1, 2
PATH_ONLY, HTTP_URI, HTTPS_URI, HOST_HEADER = 0 << 2, 1 << 2, 2 << 2, 3 << 2
SPLIT_COOKIE = 1 << 4
UNCHECKED = 1 << 5

CMP_VALUES = {
    # Opendatasoft: percent-encoded JSON keyed by tracker.
    "ods": "%7B%22functional_cookies%22%3Atrue%2C%22ga%22%3Afalse%2C%22matomo%22%3Atrue%2C"
    "%22xiti%22%3Afalse%2C%22at%22%3Afalse%2C%22piano%22%3Atrue%2C%22eulerian%22%3Afalse%2C"
    "%22timestamp%22%3A1763900000000%7D",
    "ods-raw": '{"functional_cookies":true,"ga":true,"matomo":false,"timestamp":1763900000000}',
    # Cookiebot: a JS object literal, only `'` and `,` encoded; or `-1`.
    "cookiebot": "{stamp:%275XvNCDJGCujZq3P+mpjU/gKpkCZau9OYdHlZohdrljwkFbdlC+p4Qw==%27%2C"
    "necessary:true%2Cpreferences:false%2Cstatistics:false%2Cmarketing:false%2C"
    "method:%27explicit%27%2Cver:3%2Cutc:1750423015309%2Cregion:%27ru%27}",
    "cookiebot-implied": "{stamp:%27-1%27%2Cnecessary:true%2Cpreferences:true%2Cstatistics:true%2C"
    "marketing:true%2Cmethod:%27implied%27%2Cver:1%2Cutc:1773406331342%2Cregion:%27VN%27}",
    "cookiebot-outside-region": "-1",
    # OneTrust: a form-encoded query string.
    "onetrust": "isGpcEnabled=0&datestamp=Mon+Apr+07+2025+18%3A20%3A29+GMT%2B0200+(x)&version="
    "202312.1.0&browserGpcFlag=0&isIABGlobal=false&consentId=282767a3-622b-41fa-9ea8-a0dc1e2ac40b"
    "&interactionCount=67&hosts=&landingPath=NotLandingPage&groups=C0001%3A1%2CC0002%3A0%2C"
    "C0003%3A0%2CC0004%3A0%2CC0005%3A0%2CV2STACK42%3A0%2CC0015%3A0%2CC0035%3A0"
    "&genVendors=V2%3A0%2CV1%3A0%2C&",
    "onetrust-alert-box-closed": "2025-03-19T07:27:30.342Z",
    # orestbida/cookieconsent v3: encodeURIComponent(JSON.stringify(...)).
    "cc-cookie": "%7B%22categories%22%3A%5B%22necessary%22%2C%22statistics%22%5D%2C%22revision"
    "%22%3A1%2C%22data%22%3Anull%2C%22consentTimestamp%22%3A%222024-11-20T19%3A02%3A36.823Z%22"
    "%2C%22consentId%22%3A%2212fd04af-4af6-48a3-8531-b7cf317849d1%22%2C%22services%22%3A%7B"
    "%22necessary%22%3A%5B%5D%2C%22analytics%22%3A%5B%5D%7D%2C%22expirationTime%22%3A"
    "1747854156824%7D",
    # Klaro: encodeURIComponent(JSON) of {service: bool}.
    "klaro": "%7B%22necessary-cookies%22%3Atrue%2C%22preferences%22%3Afalse%2C%22google-analytics"
    "%22%3Afalse%2C%22google-ads%22%3Afalse%7D",
    "klaro-matomo": "%7B%22klaro%22%3Atrue%2C%22cms%22%3Atrue%2C%22adsense%22%3Afalse%2C"
    "%22youtube%22%3Afalse%2C%22twitter%22%3Afalse%2C%22matomo%22%3Atrue%7D",
    # django-cookie-consent: `|`-joined pairs in DQUOTEs.
    "django": '"optional=-1|social=2013-06-04T03:17:01.421395+00:00"',
    # GOV.UK: raw JSON.
    "govuk": '{"essential":true,"settings":false,"usage":true,"campaigns":false}',
    "govuk-one-login": "%7B%22analytics%22%3Atrue%7D",
    # CookieYes: `k:v` pairs joined by `,`.
    "cookieyes": "consentid:d2JnOWNtWmgyM0pMdEU0ZkZXSGhzdE9BaTkxekF3WEk,consent:yes,action:yes,"
    "necessary:yes,functional:yes,analytics:yes,performance:yes,advertisement:yes,other:yes",
    "cookieyes-undecided": "consentid:YjZO,consent:,action:,necessary:,functional:,analytics:,",
    # Complianz: plain words and raw JSON helpers.
    "complianz-allow": "allow",
    "complianz-saved-categories": '["preferences","functional","statistics"]',
    "complianz-services": '{"youtube":true,"matomo":false}',
    # IAB TCF v2 TC string.
    "tcf": "CQX48QAQX48QAAGABBENB3FgAAAAAAAAAAYgAAAAAAAA.YAAAAAAAAAAA",
}

FORMAT_VALUES = {
    "list": "statistics,marketing",
    "list-pipes": "statistics|MARKETING",
    "list-spaces": " statistics \t marketing ",
    "list-all": "all",
    "list-unknown": "nope,other",
    "list-double-encoded": "statistics%252Cmarketing",
    "object": '{"statistics":true,"marketing":false}',
    "object-all": '{"all":true,"marketing":false}',
    "object-duplicate-keys": '{"statistics":true,"statistics":1}',
    "object-escaped-key": '{"\\u0073tatistics":true,"m\\u0061rketing":true,"ga":true}',
    "object-escapes": '{"a\\"b\\\\c\\/\\b\\f\\n\\r\\t\\ud83d\\ude00":true,"matomo":true}',
    "object-nested": '{"x":{"y":[1,2,{"z":null}]},"statistics":true,"n":-1.5e+3}',
    "object-deep-33": "[" * 33 + "]" * 33,
    "object-deep-31": '{"a":' + "[" * 30 + "]" * 30 + ',"ga":true}',
    "object-empty": "{}",
    "array": '["statistics","matomo",1,null,true]',
    "array-empty": "[]",
    "quoted": '"statistics,marketing"',
    "quoted-encoded": '"%5B%22ga%22%5D"',
    "percent-invalid-utf8": "%FF%FE",
    "percent-bad-escape": "%7B%zz",
    "trailing-garbage": '{"statistics":true}x',
    "over-limit": "statistics," * 373,
}


def b64(data):
    return base64.b64decode(data)


def load_vectors(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)["vectors"]


def vector_headers(vector):
    """The Set-Cookie values of a vector, as bytes."""
    if vector["kind"] == "raw_header_line":
        # `Set-Cookie: value\r\n`: the value with its line ending, so the
        # scanner meets the CR/LF bytes a raw line carries.
        raw = b64(vector["raw_header_lines_b64"] or "")
        _, _, value = raw.partition(b":")
        return [value.lstrip(b" ")]
    return [b64(h) for h in vector["set_cookie_headers_b64"] or []]


def safe_name(text):
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)[:80]


def service_input(flags, cookie, lines):
    return bytes([flags]) + cookie + b"".join(SEP + line for line in lines)


def seeds(vectors):
    out = {"set_cookie": {}, "consent_value": {}, "service": {}}
    for vector in vectors:
        headers = vector_headers(vector)
        for i, header in enumerate(headers):
            suffix = f"-{i}" if len(headers) > 1 else ""
            out["set_cookie"][f"chromium-{safe_name(vector['id'])}{suffix}"] = header
        if vector["kind"] == "multi":
            out["service"][f"chromium-{safe_name(vector['id'])}"] = service_input(
                SEED_POLICY, b"cookies_preferences=statistics", headers
            )

    for name, value in CMP_VALUES.items():
        out["consent_value"][f"cmp-{name}"] = value.encode()
    for name, value in FORMAT_VALUES.items():
        out["consent_value"][f"format-{name}"] = value.encode()

    # Every single-header vector, in groups, under each policy and target,
    # with and without consent, so the whole service meets the browser's
    # edge cases. Lines holding the separator byte are left to `set_cookie`.
    singles = [
        h
        for v in vectors
        if v["kind"] == "single"
        for h in vector_headers(v)
        if SEP not in h
    ]
    consents = [
        b"cookies_preferences=statistics",
        b"a=1; cookies_preferences=" + CMP_VALUES["ods"].encode() + b"; sessionid=x",
        b"__Host-consent=all; cookies_preferences=all",
        b"",
    ]
    flag_choices = [
        SEED_POLICY | PATH_ONLY,
        ODS_POLICY | HTTP_URI | SPLIT_COOKIE,
        HOST_POLICY | HTTPS_URI,
        SEED_POLICY | HOST_HEADER | UNCHECKED,
    ]
    for group, start in enumerate(range(0, len(singles), 24)):
        flags = flag_choices[group % len(flag_choices)]
        cookie = consents[group % len(consents)]
        out["service"][f"mix-singles-{group:02}"] = service_input(
            flags, cookie, singles[start : start + 24]
        )

    policy_lines = [
        b"sessionid=s3cr3t; HttpOnly; Path=/",
        b"_pk_id.1.1fff=abc; Max-Age=33696000",
        b"_pk_ses.1.1fff=1; Max-Age=1800",
        b"_hjid=xyz; Expires=Thu, 01 Jan 2099 00:00:00 GMT",
        b"__hssc=1; Path=/",
        b"hubspotutk=zz",
        b"_ga=GA1.1.1; Max-Age=63072000",
        b"_ga_ABC123=GS1.1; Max-Age=63072000",
        b"_gid=GA1.1.2",
        b"_pk_ref=x",
        b"_fbp=fb.1.2",
        b"unknown=1",
        b"_hjid=; Max-Age=0",
        b"_ga=; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
        b"__Secure-session=1; Secure",
        b"sid=2",
    ]
    out["service"]["mix-policy-names"] = service_input(
        SEED_POLICY, b"cookies_preferences=statistics", policy_lines
    )
    out["service"]["mix-policy-names-ods"] = service_input(
        ODS_POLICY | SPLIT_COOKIE,
        b"sessionid=1; cookies_preferences=" + CMP_VALUES["ods"].encode(),
        policy_lines,
    )
    out["service"]["mix-policy-names-host"] = service_input(
        HOST_POLICY | HTTPS_URI, b"__Host-consent=statistics", policy_lines
    )
    out["service"]["mix-response-sets-consent"] = service_input(
        SEED_POLICY,
        b"cookies_preferences=all",
        [b"_hjid=1", b"cookies_preferences=statistics; Path=/; Max-Age=15552000", b"_pk_id.1=2"],
    )
    out["service"]["mix-response-deletes-consent"] = service_input(
        SEED_POLICY,
        b"cookies_preferences=all",
        [b"_pk_id.1=2", b"cookies_preferences=; Max-Age=0", b"sessionid=3"],
    )
    out["service"]["mix-response-refused-consent"] = service_input(
        HOST_POLICY | HTTP_URI,
        b"__Host-consent=marketing",
        [b"__Host-consent=all; Path=/", b"_ga=1", b"_fbp=2", b"__Host-consent=all; Secure; Path=/"],
    )
    out["service"]["mix-domain-consent"] = service_input(
        HOST_POLICY | HOST_HEADER,
        b"",
        [b"__Host-consent=all; Secure; Path=/; Domain=example.com", b"_ga=1"],
    )
    out["service"]["mix-over-64-lines"] = service_input(
        SEED_POLICY,
        b"cookies_preferences=marketing",
        [b"_pk_id.%d=%d" % (i, i) if i % 2 else b"_hjid=%d" % i for i in range(80)],
    )
    out["service"]["mix-unchecked-ctl"] = service_input(
        SEED_POLICY | UNCHECKED,
        b"cookies_preferences=all",
        [b"sessionid=1\r\nSet-Cookie: _hjid=2", b"_hjid=3\x00", b"_pk_id=4\n", b"csrftoken=5"],
    )
    return out


def main():
    path = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else (
        ROOT / "tests" / "data" / "set-cookie-chromium.json"
    )
    corpus = seeds(load_vectors(path))
    for target, files in corpus.items():
        directory = SEEDS / target
        directory.mkdir(parents=True, exist_ok=True)
        for old in directory.iterdir():
            if old.name.startswith(GENERATED):
                old.unlink()
        for name, data in files.items():
            (directory / name).write_bytes(data)
        digest = hashlib.sha256(b"".join(sorted(files.values()))).hexdigest()[:12]
        print(f"{target}: {len(files)} seeds ({digest})")


if __name__ == "__main__":
    main()
