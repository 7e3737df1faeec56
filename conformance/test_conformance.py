"""The one conformance test: parametrised by conformance.plugin with every generated case.

Each case's requirement, level and source quote are in its ID's case data; the
verdict is computed from the exchange in the `rc_result` fixture.
"""

from conformance.plugin import check_result


def test_case(rc_result, pytestconfig):
    check_result(rc_result, allure_on=bool(pytestconfig.getoption("allure_report_dir", None)))
