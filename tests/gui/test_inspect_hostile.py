"""The Inspect tab shows a report for hostile input (lone surrogates, non-finite claims,
capabilities whose operations are not strings) and never reports an internal error."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import shiboken6

from tokenlab.gui.context import AppContext
from tokenlab.gui.tabs.inspect_tab import InspectTab


def _segment(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8", "surrogatepass")).rstrip(b"=").decode()


HOSTILE = [
    _segment('{"alg":"HS256","kid":"\\ud800"}')
    + "."
    + _segment('{"iat":NaN,"exp":1e400}')
    + ".c2ln",
    _segment('{"alg":"HS256","kid":"a.b"}')
    + "."
    + _segment(json.dumps({"iat": 1, "exp": 2, "x-ably-capability": '{"x":[{}]}'}))
    + ".c2ln",
    '{"keyName":"a.b","timestamp":1e400,"capability":"{\\"x\\":[[\\"publish\\"]]}"}',
    "\ud800 not a token \udfff",
]


@pytest.fixture
async def tab(ctx: AppContext, qtbot: Any) -> Any:
    page = InspectTab(ctx)
    qtbot.addWidget(page)
    page.show()
    yield page
    if shiboken6.isValid(page):
        page.shutdown()


@pytest.mark.parametrize("text", HOSTILE)
async def test_hostile_input_gives_a_report(tab: InspectTab, text: str) -> None:
    tab.set_text(text)
    tab.decode_now()
    assert tab.report is not None and tab.report.findings
