"""Allure results rendered from the canonical results (allure-commons writes the files), so an Allure
report needs neither pytest's full protocol nor a second run: `allure generate DIR` reads them."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

from allure_commons.logger import AllureFileLogger
from allure_commons.model2 import Attachment, Label, Link, Parameter, Status, StatusDetails, TestResult

from ..errors import UsageError
from ..request import redact
from ..documents import title_of
from . import Context
from .junit import cited

STATUS = {"passed": Status.PASSED, "warned": Status.PASSED, "failed": Status.FAILED, "error": Status.BROKEN,
          "skipped": Status.SKIPPED, "inconclusive": Status.SKIPPED, "blocked": Status.SKIPPED}


def labels(case: dict) -> list[tuple[str, str]]:
    """A case's Allure labels, the same in both modes: this reporter's files and allure-pytest's in pytest mode
    (conformance/plugin.py adds them to the running test)."""
    return [("epic", case["profile"]), ("feature", case["category"]), ("story", case.get("parameter") or case["rule"]),
            ("severity", "critical" if case["level"] == "MUST" else "minor"), ("tag", case["level"]),
            ("routecheck_rule", case["rule"])]


def description(case: dict, cite: str) -> str:
    return f"[{case['level']}] {case['title']}\n\n{cite}"


class AllureReporter:
    name = "allure"

    def __init__(self, directory: str):
        self.directory = directory

    def write(self, doc: dict, context: Context) -> str:
        try:
            Path(self.directory).mkdir(parents=True, exist_ok=True)
            logger = AllureFileLogger(self.directory)
            expected = context.gate.expected if context.gate is not None else {}
            for case in doc["cases"]:
                title = title_of(doc, case["source"]["document"])
                self._case(logger, case, expected.get(case["id"]), context.secrets, title, cited(case, doc))
        except OSError as exc:
            raise UsageError(f"cannot write Allure results to {self.directory}: {exc.strerror or exc}") from None
        return f"Allure results in {self.directory}"

    @staticmethod
    def _case(logger: AllureFileLogger, case: dict, expectation, secrets: tuple[str, ...], title: str, cite: str) -> None:
        def clean(text: str) -> str:
            return redact(text, secrets)

        status, message = STATUS[case["outcome"]], case["message"]
        if expectation is not None:
            status, message = Status.SKIPPED, f"expected {expectation.verdict}: {expectation.reason}\n{message}"
        result = TestResult(
            uuid=uuid.uuid4().hex, name=case["id"], fullName=case["id"], status=status,
            historyId=hashlib.sha1(case["id"].encode()).hexdigest(),
            description=clean(description(case, cite)),
            statusDetails=StatusDetails(message=clean(message)) if message else None,
            labels=[*(Label(name, value) for name, value in labels(case)), Label("tag", case["outcome"]),
                    Label("framework", "routecheck")],
            links=[Link("link", case["source"]["document"], f"source: {title} ({case['source']['document']})")],
            parameters=[Parameter("rc_case", case["id"])])
        for name in ("request", "response"):
            if case.get(name) is not None:
                source = f"{uuid.uuid4().hex}-attachment.json"
                logger.report_attached_data(clean(json.dumps(case[name], indent=1, ensure_ascii=False)), source)
                result.attachments.append(Attachment(name=name, source=source, type="application/json"))
        logger.report_result(result)
