"""Unicode that looks like something else: remote_url hosts are checked in their ASCII (IDNA)
form, and names are NFC-normalised, free of invisible characters and unique case-folded."""

from __future__ import annotations

import unicodedata

import psycopg
import pytest

from tests.factories import assert_error
from tickiti_workflow import db

URL = "https://hooks.example.com/run"

# Every run of ten decimal digits that IDNA folds to ASCII 0-9: full-width, superscript,
# subscript, mathematical bold / double-struck / sans-serif / sans bold / monospace, segmented.
DIGIT_ZEROS = [0xFF10, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1FBF0]
CIRCLED = dict(zip("0123456789", "⓪①②③④⑤⑥⑦⑧⑨", strict=True))
DOTS = [".", "。", "．", "｡"]  # full stop, ideographic, full-width, half-width ideographic
UNSAFE_ADDRESSES = ["127.0.0.1", "10.0.0.1", "169.254.169.254", "0.0.0.0", "192.168.1.1"]


def digits(text: str, zero: int) -> str:
    return "".join(chr(zero + int(c)) if c.isdigit() else c for c in text)


def forms(address: str) -> list[str]:
    found = [digits(address, zero) for zero in DIGIT_ZEROS]
    found.append("".join(CIRCLED.get(c, c) for c in address))
    found += [digits(address, 0xFF10).replace(".", dot) for dot in DOTS[1:]]
    found += [address.replace(".", dot) for dot in DOTS[1:]]
    return found


def letters(word: str) -> list[str]:
    """``word`` in full-width and in mathematical bold, italic, script, fraktur, monospace ..."""
    found = ["".join(chr(ord(c) - 0x61 + 0xFF41) for c in word)]
    for capital_a in (0x1D400, 0x1D434, 0x1D482, 0x1D4EA, 0x1D5BA, 0x1D5EE, 0x1D670):
        small_a = capital_a + 26
        form = "".join(chr(small_a + ord(c) - 0x61) for c in word)
        if unicodedata.normalize("NFKC", form) == word:  # the blocks have a few holes
            found.append(form)
    return found


UNICODE_HOSTS = (
    [(form, "IP address") for address in UNSAFE_ADDRESSES for form in forms(address)]
    + [(form, "localhost") for form in letters("localhost")]
    + [(form + ".", "localhost") for form in letters("localhost")[:2]]
    + [("api." + form, "localhost") for form in letters("localhost")[:2]]
    + [("ⅼocalhost", "localhost")]  # U+217C SMALL ROMAN NUMERAL FIFTY
)


def post(tenant, url: str):
    return tenant.post("interventions/create", {"name": "Hook", "remote_url": url})


def test_the_digit_forms_are_what_they_claim():
    for address in UNSAFE_ADDRESSES:
        for form in forms(address):
            assert form != address
            assert unicodedata.normalize("NFKC", form).replace("。", ".") == address


@pytest.mark.parametrize(("host", "reason"), UNICODE_HOSTS)
def test_unicode_forms_of_unsafe_hosts_are_refused(tenant, host, reason):
    response = post(tenant, f"https://{host}/hook")
    error = assert_error(response, 422, "validation_failed", "remote_url")
    messages = error["details"]["fields"]["remote_url"]
    assert any(reason in m for m in messages), messages
    assert tenant.ok("interventions", {})["interventions"] == []


@pytest.mark.parametrize(
    "host",
    [
        "⒈.example",  # folds to "1." and an empty label
        "a\u200d.example",  # a joiner outside its allowed context
        "١٢.example",  # Arabic-Indic digits break the bidi rule
        "︒.example",
        "exa\u00admple.com",  # a soft hyphen vanishes in one mapping
    ],
)
def test_hosts_that_do_not_survive_idna_are_refused(tenant, host):
    response = post(tenant, f"https://{host}/hook")
    assert_error(response, 422, "validation_failed", "remote_url")


@pytest.mark.parametrize(
    "url", ["https://bücher.example/hook", "https://ＥＸＡＭＰＬＥ.com/hook", "https://例え.jp/x"]
)
def test_public_unicode_hosts_are_accepted(tenant, url):
    response = post(tenant, url)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["intervention"]["remote_url"] == url


# --- names ---------------------------------------------------------------------------------

INVISIBLE = [
    "\u200b",  # zero width space
    "\u200c",  # zero width non-joiner
    "\u200d",  # zero width joiner
    "\u2060",  # word joiner
    "\ufeff",  # byte order mark
    "\u00ad",  # soft hyphen
    "\u202e",  # right-to-left override
    "\u2066",  # left-to-right isolate
    "\u061c",  # arabic letter mark
    "\u180e",  # mongolian vowel separator
    "\u2028",  # line separator
    "\ue000",  # private use
    "\U000e0041",  # tag latin capital letter a
    "\u3164",  # hangul filler
    "\u2800",  # braille blank
]


@pytest.mark.parametrize("char", INVISIBLE)
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("queues/create", lambda name: {"name": name}),
        ("resolution-categories/create", lambda name: {"name": name}),
        ("interventions/create", lambda name: {"name": name, "remote_url": URL}),
    ],
)
def test_invisible_characters_in_names_are_refused(tenant, path, body, char):
    for name in (f"Billing{char}", f"Bil{char}ling", char, f"{char}{char}"):
        response = tenant.post(path, body(name))
        error = assert_error(response, 422, "validation_failed", "name")
        [message] = error["details"]["fields"]["name"]
        assert "invisible" in message or "Shorter" in message, message


def test_invisible_characters_in_labels_are_refused(tenant):
    field = {"key": "reason", "label": "Reason\u200b", "type": "text"}
    response = tenant.post(
        "interventions/create", {"name": "Form", "remote_url": URL, "fields": [field]}
    )
    assert_error(response, 422, "validation_failed", "fields.0.label")
    holiday = {"name": "\u202eyadiloH", "start_date": "2026-12-25", "end_date": "2026-12-25"}
    response = tenant.post("business-hours/update", {"holidays": [holiday]})
    assert_error(response, 422, "validation_failed", "holidays.0.name")


def test_names_are_stored_nfc(tenant, conn):
    decomposed = "Cafe\u0301"
    created = tenant.queue(decomposed)
    assert created["name"] == "Caf\u00e9"
    stored = conn.execute("SELECT name FROM queues WHERE id = %s", (created["id"],)).fetchone()
    assert stored["name"] == "Caf\u00e9"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Café", "Cafe\u0301"),  # NFC and NFD
        ("CAFÉ", "cafe\u0301"),  # NFD and another case
        ("Bill ing", "Bill\u00a0ing"),  # a no-break space is a space
        ("Bill ing", "Bill\u3000ing"),  # so is an ideographic space
        ("Ωmega", "ωMEGA"),
    ],
)
def test_names_that_look_the_same_are_the_same_name(tenant, first, second):
    tenant.queue(first)
    response = tenant.post("queues/create", {"name": second})
    assert_error(response, 409, "name_taken")


def test_descriptions_keep_joiners_and_bidi_marks(tenant):
    text = "family: 👨\u200d👩\u200d👧, hebrew: \u200fשלום"
    created = tenant.queue(description=text)
    assert created["description"] == text


# --- existing names ----------------------------------------------------------------------------

NAMES_MIGRATION = "0016.normalised-names"


def test_existing_names_are_normalised_and_duplicates_renamed(fresh_database):
    url = fresh_database()
    db.migrate(url)
    with db._migration_backend(url) as (backend, migrations):
        backend.rollback_migrations(migrations.filter(lambda m: m.id == NAMES_MIGRATION))
    with psycopg.connect(url, autocommit=True) as conn:
        account = conn.execute(
            "INSERT INTO accounts (name, plan_code) VALUES ('A', 'pro') RETURNING id"
        ).fetchone()[0]
        other = conn.execute(
            "INSERT INTO accounts (name, plan_code) VALUES ('B', 'pro') RETURNING id"
        ).fetchone()[0]
        # As the API once accepted them: in insertion (id) order.
        before = [
            (account, "Billing"),
            (account, "Billing\u200b"),  # becomes "Billing": a duplicate
            (account, "BILLING\u202e"),  # so does this one, ignoring case
            (account, "Cafe\u0301"),  # NFD: becomes "Café"
            (account, "\u200b\u200b"),  # nothing visible: becomes "Unnamed"
            (account, "Bill\u00a0ing"),  # a no-break space: a plain one
            (account, "x" * 99 + "\u00ad"),  # a soft hyphen at the end
            (account, "x" * 99),  # equal to the one before once that is cleaned
            (other, "Billing\u200b"),  # another account: no clash
        ]
        ids = [
            conn.execute(
                "INSERT INTO resolution_categories (account_id, name, position)"
                " VALUES (%s, %s, %s) RETURNING id",
                (acc, name, position),
            ).fetchone()[0]
            for position, (acc, name) in enumerate(before, start=1)
        ]
    db.migrate(url)
    with psycopg.connect(url) as conn:
        found = conn.execute(
            "SELECT id, name, version FROM resolution_categories WHERE id = ANY(%s)", (ids,)
        ).fetchall()
        rows = {id_: (name, version) for id_, name, version in found}
    after = [rows[i] for i in ids]
    assert after == [
        ("Billing", 1),
        (f"Billing (duplicate {ids[1]})", 2),
        (f"BILLING (duplicate {ids[2]})", 2),
        ("Café", 2),
        ("Unnamed", 2),
        ("Bill ing", 2),
        ("x" * 99, 2),
        ("x" * (100 - len(f" (duplicate {ids[7]})")) + f" (duplicate {ids[7]})", 2),
        ("Billing", 2),
    ]
    assert all(len(name) <= 100 for name, _ in after)
