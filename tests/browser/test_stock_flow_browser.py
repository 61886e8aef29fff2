"""Issue 18.1 in a real headless Chromium: the demo's Northdale dashboard draws the EHCP stock
and flow chart from its table (the expected and the recorded closing stock, month by month),
with no console error, and axe finds nothing serious in the section."""

import pytest

from tests.browser.conftest import axe_serious_violations, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_stock_and_flow_chart_draws_the_two_columns_of_its_table(signed_in, live_server):
    page = signed_in().new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    assert page.goto(f"{live_server.url}/councils/northdale/").status == 200
    wait_until(
        page, "!!document.querySelector('[data-chart=\"chart-stock-flow\"].app-chart--drawn')"
    )
    drawn = page.evaluate(
        r"""() => {
          const chart = document.querySelector('[data-chart="chart-stock-flow"]');
          const table = document.querySelector('table[data-chart-figures="chart-stock-flow"]');
          const heads = Array.from(table.tHead.rows[0].cells).map((c) => c.textContent);
          const rows = Array.from(table.tBodies[0].rows).map(
            (row) => Array.from(row.cells).map((c) => c.textContent));
          return {
            traces: chart.data.map((t) => [t.name, t.x, t.y, 'column' in t]),
            heads: heads,
            rows: rows,
          };
        }"""
    )
    expected_column = drawn["heads"].index("Expected closing stock")
    recorded_column = drawn["heads"].index("Recorded closing stock")
    (expected, recorded) = drawn["traces"]
    assert expected[0] == "Expected closing stock" and recorded[0] == "Recorded closing stock"
    assert expected[3] is False  # charts.js takes the column and does not hand it to plotly
    for trace, column in ((expected, expected_column), (recorded, recorded_column)):
        cells = [row for row in drawn["rows"] if row[column] != ""]
        assert len(trace[1]) == len(cells)
        assert trace[2] == [float(row[column].replace(",", "")) for row in cells]
    # September's cleanse: 2,954 expected, 2,883 recorded.
    assert 2954 in expected[2] and 2883 in recorded[2]
    assert problems == []


def test_axe_finds_nothing_serious_in_the_stock_and_flow_section(signed_in, live_server):
    context = signed_in(bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/councils/northdale/")
    page.wait_for_selector("[data-chart='chart-stock-flow'].app-chart--drawn")
    assert axe_serious_violations(page) == []
