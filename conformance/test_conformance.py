"""The one conformance test: parametrised by conformance.plugin with every generated case.

Each case carries its requirement, level and source quote; conformance.plugin.run_case
judges the exchange and reports passed, failed, warned (SHOULD) or skipped.
"""

from conformance.plugin import run_case


def test_case(rc_case, request):
    run_case(rc_case, request.node)
