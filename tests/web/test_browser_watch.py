"""The watch every browser test's pages are under (tests/web/browser.py) reports what it must: a
script the Content-Security-Policy refuses, an uncaught exception, a console error; lets through
only what a test excused; and fails a test that says nothing about it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import ROOT
from tests.web.browser import require_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
INLINE_SCRIPT = """() => {
  const script = document.createElement("script");
  script.textContent = "document.title = 'ran'";
  document.body.append(script);
}"""


def test_an_inline_script_the_policy_refuses_is_reported(live_server, page, problems):
    page.goto(live_server.url + "/login/")
    page.evaluate(INLINE_SCRIPT)
    found = problems.take()
    assert page.title() != "ran"
    assert any("CSP violation: script-src" in problem for problem in found), found
    assert any("inline script violates" in problem for problem in found), found


def test_an_uncaught_exception_and_a_console_error_are_reported(live_server, page, problems):
    page.goto(live_server.url + "/login/")
    page.evaluate("() => { console.error('the chart has no data'); }")
    page.evaluate("() => setTimeout(() => { throw new Error('boom'); })")
    page.wait_for_timeout(100)
    found = problems.take()
    assert f"{live_server.url}/login/: the chart has no data ({live_server.url}/login/)" in found
    assert f"{live_server.url}/login/: uncaught Error: boom" in found


def test_an_excused_refusal_is_let_through_and_nothing_else(live_server, page, problems):
    problems.excuse(r"status of 404", at="/u/tampered")
    assert page.goto(live_server.url + "/u/tampered").status == 404
    assert problems.take() == []
    assert page.goto(live_server.url + "/u/forged").status == 404  # the same message, elsewhere
    [found] = problems.take()
    assert "status of 404" in found


def test_a_browser_test_that_meets_a_violation_fails_without_asserting_anything(tmp_path):
    """The check is the helper's, not the test's: a test that only loads a page whose script the
    policy refuses fails, naming the violation; its twin that excuses it passes."""
    require_chromium()
    (tmp_path / "conftest.py").write_text(
        "from tests.conftest import *  # noqa: F403\nfrom tests.web.conftest import *  # noqa: F403\n"
    )
    (tmp_path / "test_inner.py").write_text(
        textwrap.dedent("""
        import pytest

        from tests.web.test_browser_watch import INLINE_SCRIPT

        pytestmark = pytest.mark.django_db(transaction=True)


        def test_silent(live_server, page):
            page.goto(live_server.url + "/login/")
            page.evaluate(INLINE_SCRIPT)


        def test_excused(live_server, page, problems):
            problems.excuse("inline script violates|CSP violation: script-src")
            page.goto(live_server.url + "/login/")
            page.evaluate(INLINE_SCRIPT)
    """)
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", str(tmp_path), "-p", "no:randomly", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), "-c", str(ROOT / "pyproject.toml"), "-rf"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path, stdin=subprocess.DEVNULL, check=False,
        env={**own_database(), "PYTHONPATH": str(ROOT), "LICITE_HOME": str(tmp_path / "home")},
    )  # fmt: skip
    assert "1 failed, 1 passed" in run.stdout, run.stdout + run.stderr
    assert "FAILED test_inner.py::test_silent - Failed: the pages met 2 problem(s)" in run.stdout, run.stdout
    assert "CSP violation: script-src" in run.stdout


def own_database() -> dict[str, str]:
    """This environment less the database: the inner run's SQLite lives in its own home, and
    never meets (or drops) the test database of this run on PostgreSQL."""
    return {name: value for name, value in os.environ.items() if name != "LICITE_DATABASE_URL"}
