"""The helpers every check describes answers with (checks/common.py), compared whole: what a failure says."""

from __future__ import annotations

import json

import pytest

from conformance.checks.common import NotAccepted, brief, chunks, completion, first_output, stream_events, streamed_text
from conformance.engine import Exchange
from conformance.request import Request
from conformance.sse import SseEvent

PLAIN = Request("POST", "/v1/chat/completions", {"model": "m"})
STREAM = Request("POST", "/v1/chat/completions", {"model": "m", "stream": True}, terminator="[DONE]")


def exchange(body: bytes = b"", status: int = 200, ctype: str | None = "application/json", request=PLAIN, events=None):
    headers = {"content-type": ctype} if ctype is not None else {}
    return Exchange(request, "http://127.0.0.1", status=status, headers=headers, body=body, events=events)


@pytest.mark.parametrize("body, ctype, limit, text", [
    (b"", "text/plain; charset=utf-8", 300, "200 (text/plain) <empty body>"),
    (b"a  b\n\tc", None, 300, "200 (no content-type) a b c"),
    (b"x" * 12, "application/json", 10, "200 (application/json) xxxxxxxxxx..."),
    (b"x" * 10, "application/json", 10, "200 (application/json) xxxxxxxxxx"),  # exactly the limit: whole
    (b"ab " + b" " * 40 + b"cd", "application/json", 10, "200 (application/json) ab..."),  # the rest was never read
    (b"\xff", "application/json", 10, "200 (application/json) \ufffd"),
])
def test_brief_is_the_status_type_and_start_of_the_body(body, ctype, limit, text):
    assert brief(exchange(body, ctype=ctype), limit) == text


@pytest.mark.parametrize("ex, message_text", [
    (exchange(b'{"error": {}}', status=400), 'the request was not accepted: 400 (application/json) {"error": {}}'),
    (exchange(b"{}", status=199), "the request was not accepted: 199 (application/json) {}"),
    (exchange(b"{}", status=300), "the request was not accepted: 300 (application/json) {}"),
    (exchange(b"<html>", ctype="text/html"), "the 2xx answer is not JSON: 200 (text/html) <html>"),
    (exchange(b"[1]"), "the 2xx answer is not a JSON object: 200 (application/json) [1]"),
])
def test_completion_says_why_an_answer_is_no_completion(ex, message_text):
    with pytest.raises(NotAccepted) as info:
        completion(ex)
    assert str(info.value) == message_text


def test_completion_and_first_output_of_a_good_answer():
    ex = exchange(json.dumps({"choices": [{"message": {"content": "hi"}}]}).encode(), status=299)
    assert completion(ex) == {"choices": [{"message": {"content": "hi"}}]}
    assert first_output(ex).text == "hi" and first_output(ex).extra["message"] == {"content": "hi"}


@pytest.mark.parametrize("data, text", [
    ({"choices": []}, 'the completion has no choices: {"choices": []}'),
    ({"choices": "x"}, 'the completion has no choices: {"choices": "x"}'),
    ({"choices": [1]}, 'the completion has no choices: {"choices": [1]}'),
    ({"id": "x" * 300}, 'the completion has no choices: {"id": "' + "x" * 192),
    ({"choices": [{"message": "hi"}]}, "choices[0].message is missing"),
])
def test_first_output_says_what_is_missing(data, text):
    """The chat surface's view of an answer with no first choice to read: the reason is the check's failure."""
    with pytest.raises(NotAccepted) as info:
        first_output(exchange(json.dumps(data).encode()))
    assert str(info.value) == text


def test_stream_events_and_chunks_say_why_there_is_nothing_to_read():
    with pytest.raises(NotAccepted, match=r"^the stream request was not accepted: 500 \(text/plain\) oops$"):
        stream_events(exchange(b"oops", status=500, ctype="text/plain", request=STREAM, events=[]))
    with pytest.raises(NotAccepted, match=r"^no SSE events came back: 200 \(application/json\) \{\}$"):
        stream_events(exchange(b"{}", request=STREAM, events=[]))
    only_done = exchange(b"", ctype="text/event-stream", request=STREAM, events=[SseEvent("[DONE]")])
    with pytest.raises(NotAccepted, match="^the stream carried no chunk before its end$"):
        chunks(only_done)


def test_streamed_text_joins_the_content_deltas_of_every_choice():
    events = [SseEvent(json.dumps(c)) for c in (
        {"choices": [{"index": 0, "delta": {"content": "a"}}, {"index": 1, "delta": {"content": "b"}}]},
        {"choices": [{"delta": {"content": None}}, {"delta": "x"}, "x"]}, [1], {"choices": None},
        {"choices": [{"delta": {"content": "c"}}]})] + [SseEvent(" [DONE] ")]
    ex = exchange(b"", ctype="text/event-stream", request=STREAM, events=events)
    assert streamed_text(ex) == "abc"
    assert [n for n, _ in chunks(ex)] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("body, text", [
    (b"x" * 301, "200 (application/json) " + "x" * 300 + "..."),  # the default limit: 300 characters
    (b"a" + b" " * 1199, "200 (application/json) a"),  # all of it read (4 times the limit): nothing left out
    (b"a" + b" " * 1200, "200 (application/json) a..."),  # one byte past what is read
])
def test_brief_reads_four_times_its_limit_of_the_body(body, text):
    assert brief(exchange(body)) == text


@pytest.mark.parametrize("status", [199, 300, 404])
def test_stream_events_of_a_status_outside_2xx_are_not_accepted(status):
    with pytest.raises(NotAccepted, match=rf"^the stream request was not accepted: {status} "):
        stream_events(exchange(b"", status=status, request=STREAM, events=[SseEvent("{}")]))
    assert stream_events(exchange(b"", status=299, request=STREAM, events=[SseEvent("{}")])) == [SseEvent("{}")]


def test_chunks_skip_a_terminator_anywhere_and_name_a_chunk_that_is_no_json():
    events = [SseEvent('{"a": 1}'), SseEvent(" [DONE] "), SseEvent("[1]")]
    assert chunks(exchange(b"", request=STREAM, events=events)) == [(1, {"a": 1}), (3, [1])]
    bad = "x" * 130
    with pytest.raises(NotAccepted) as info:
        chunks(exchange(b"", request=STREAM, events=[SseEvent("{}"), SseEvent(bad)]))
    assert str(info.value) == f"event 2 is not JSON: {'x' * 120!r}"


@pytest.mark.parametrize("data, count", [
    ({"usage": {"completion_tokens": 3}}, 3), ({"usage": {"completion_tokens": True}}, None),
    ({"usage": {"completion_tokens": 2.0}}, None), ({"usage": []}, None), ({}, None), ([{"usage": {}}], None),
])
def test_usage_int_is_an_integer_count_or_none(data, count):
    from conformance.answers import usage_int
    assert usage_int(data, "completion_tokens") == count
