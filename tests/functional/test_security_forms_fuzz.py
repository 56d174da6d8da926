"""Every form takes random and hostile input without a server error and without storing corruption.

The forms are found by walking url_map for routes that take a POST; the access matrix says who may use
each and how to fill its URL. The field names are read from the form on the GET page. Each example
posts, as that person and with a valid CSRF token, the form's own values with some replaced by hostile
ones: very long text, control characters (NUL too), HTML and SQL fragments, odd Unicode, huge and
negative numbers, repeated fields and files where text was expected. Then: no 500, hostile HTML is
never sent back unescaped, the decision log still verifies and no NUL is stored anywhere.

Bounded by default; PORTAL_FUZZ_EXAMPLES=200 runs more (say, before a release or overnight).
"""

from __future__ import annotations

import io
import os

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from portal.transparency.log import verify_chain
from tests.fixtures.security import (
    actor_for,
    form_fields,
    load_endpoint_data,
    rolled_back,
    rows_with_nul,
    sec_url,
    state_changing_rules,
)
from tests.functional.test_access_matrix import CLIENT_FIXTURE, EXPECTED, METHODS, TOKEN_ENDPOINTS, TOKEN_PAGE

EXAMPLES = int(os.environ.get("PORTAL_FUZZ_EXAMPLES", "5"))
SCRIPT = "<script>alert('fuzz')</script>"

HOSTILE_TEXT = [
    "", " ", "\t\n", "a" * 100_000, "word " * 20_000, "\x00", "before\x00after", "\x00" * 50,
    "\x01\x02\x03\x07\x08\x0b\x0c\x1b[31m\x7f", "\r\n\r\nInjected-Header: yes", "line one\u2028line two\u2029",
    SCRIPT, "\"><img src=x onerror=alert(1)>", "javascript:alert(1)", "{{ 7 * 7 }}", "{% raw %}", "${7*7}",
    "' OR 1=1 --", "'; DROP TABLE \"user\"; --", "1; SELECT pg_sleep(0)", "%s%s%s%n", "%(password)s",
    "../../../../etc/passwd", "C:\\Windows\\win.ini", "\u202egnp.exe", "\ufeffBOM", "\u200b\u200c\u200d",
    "e\u0301" * 500, "👩🏽‍💻🏳️‍🌈", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "ｆｕｌｌｗｉｄｔｈ１２３", "İıſK", "\U0010ffff", "NaN", "Infinity", "-0",
    "1e308", "0x1F", "١٢٣", "१२३", "true", "null", "[]", "{}", "None",
]
NUMBERS = st.one_of(
    st.sampled_from([0, -1, -2**31, 2**31, 2**31 - 1, 2**63, -2**63 - 1, 10**30, 10**400]),
    st.integers(min_value=-10**25, max_value=10**25),
).map(str)
DECIMALS = st.one_of(st.sampled_from(["1.5", "0.001", "-0.5", "£8,000", "8,000.00", "1,00,000", "5e3", "1_000"]),
                     st.floats(allow_nan=True, allow_infinity=True).map(str))
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300)


def hostile_value(field: dict) -> st.SearchStrategy:
    """A hostile value for a field: its own choices sometimes, often something it never expected."""
    options = [st.sampled_from(HOSTILE_TEXT), TEXT, NUMBERS, DECIMALS]
    if field["choices"]:
        options.append(st.sampled_from(field["choices"]))
    single = st.one_of(*options)
    if field["type"] == "file":
        files = st.tuples(st.binary(max_size=2000), st.sampled_from(HOSTILE_TEXT[:30] + ["a.pdf", "../../x.pdf"]))
        return st.one_of(files.map(lambda pair: (io.BytesIO(pair[0]), pair[1] or "file.pdf")), single)
    # Sometimes the same field twice or more (a list where one value was expected).
    return st.one_of(single, st.lists(single, min_size=2, max_size=4))


def posted_form(fields: list[dict]) -> st.SearchStrategy:
    """The form's own values, with a random subset replaced by hostile ones, and perhaps unknown fields added."""
    if not fields:
        fields = [{"name": name, "type": "text", "value": "", "choices": []}
                  for name in ("confirm", "reason", "version", "value", "id")]
    baseline = {field["name"]: field["value"] or (field["choices"][0] if field["choices"] else "") for field in fields}
    changes = st.fixed_dictionaries({}, optional={field["name"]: hostile_value(field) for field in fields})
    extras = st.dictionaries(st.sampled_from(["next", "id", "user_id", "organisation_id", "status", "role",
                                              "csrf_token[]", "__proto__", "a" * 300, "\x00"]),
                             st.sampled_from(HOSTILE_TEXT), max_size=2)
    return st.tuples(changes, extras).map(lambda pair: {**baseline, **pair[0], **pair[1]})


FORMS = [
    pytest.param(endpoint, id=endpoint)
    for endpoint, methods in sorted(METHODS.items())
    if "POST" in methods
]


def test_every_form_is_fuzzed(app):
    """The cases below are every route in url_map that takes a POST."""
    routed = {rule.endpoint for rule in state_changing_rules(app) if "POST" in rule.methods}
    assert routed == {case.values[0] for case in FORMS}, "Add the new route's methods to the access matrix"


def problem(url: str, actor: str, data: dict, response, session) -> str | None:
    """What went wrong with one hostile post, in words: a server error, unescaped HTML or stored corruption."""
    shown = {k: (v[:60] + "..." if isinstance(v, str) and len(v) > 60 else v) for k, v in data.items()
             if k != "csrf_token"}
    seen = f"POST {url} as {actor} with {shown!r}"
    if response.status_code >= 500:
        return f"{seen} gave {response.status_code}"
    if response.mimetype == "text/html" and SCRIPT in response.get_data(as_text=True):
        return f"{seen} sent the posted <script> back unescaped: never mark input |safe"
    report = verify_chain(session)
    if not report.intact:
        return f"{seen} broke the decision log at entry {report.broken_at}: {report.problem}"
    stored = rows_with_nul(session)
    if stored:
        return (f"{seen} stored a NUL character in {stored}. Strip control characters from submitted text "
                "(PortalForm in portal/forms.py) so nothing unprintable reaches the database")
    return None


@pytest.mark.parametrize("endpoint", FORMS)
def test_hostile_input_never_causes_a_server_error(request, app, session, organisation, endpoint):
    """Random and hostile values posted to the form, as a person allowed to use it, never give a 500."""
    load_endpoint_data(request, endpoint)
    tokens = request.getfixturevalue("sec_tokens") if endpoint in TOKEN_ENDPOINTS else None
    actor = actor_for(EXPECTED[endpoint])
    client = request.getfixturevalue(CLIENT_FIXTURE[actor])
    url = sec_url(request, app, endpoint, tokens)
    fields = []
    if "GET" in METHODS[endpoint]:
        page = client.get(url)
        if page.status_code == 200 and page.mimetype == "text/html":
            fields = form_fields(page.get_data(as_text=True), url.split("?")[0])

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize="PORTAL_FUZZ_EXAMPLES" not in os.environ,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large, HealthCheck.large_base_example])
    @given(data=posted_form(fields))
    def post_hostile_form(data: dict) -> None:
        """Post one hostile form and check the answer and the database."""
        data["csrf_token"] = client.csrf_token(TOKEN_PAGE)
        with rolled_back(session):
            response = client.post(url, data=data)
            failure = problem(url, actor, data, response, session)
        assert not failure, failure

    # The same hostile value in every field at once, always tried besides the random examples.
    names = [field["name"] for field in fields] or ["confirm"]
    for value in ("before\x00after " + SCRIPT, "a" * 100_000, "9" * 30, "-1", ["first", "second"]):
        post_hostile_form = example(data={name: value for name in names})(post_hostile_form)
    post_hostile_form()


@pytest.mark.parametrize(("section", "field"), [("budget", "item"), ("partners", "name")])
def test_a_posted_field_name_cannot_make_a_form_build_thousands_of_rows(applicant_client, draft_application, section,
                                                                       field):
    """The budget and partners forms size themselves from the posted field names; a made-up one must not
    make the server build (and send back) thousands of rows: item_10000000 would tie a worker up for hours."""
    url = f"/applications/{draft_application.id}/{section}"
    response = applicant_client.post(url, data={"csrf_token": applicant_client.csrf_token(url), f"{field}_2000": "x"})
    assert response.status_code < 500
    rows = response.get_data(as_text=True).count(f'name="{field}_')
    assert rows <= 100, (
        f"POST {url} with {field}_2000 built {rows} rows. Cap the rows taken from the posted names "
        "(_rows_posted in portal/applications/routes.py)"
    )
