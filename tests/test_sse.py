"""The SSE parser: WHATWG framing, incremental feeding, and the anomalies it must not hide."""

from __future__ import annotations

import pytest

from conformance.sse import SseParser, parse


def test_events_comments_and_multiline_data():
    parsed = parse(': keep-alive\ndata: {"a":1}\n\ndata: x\ndata: y\n\ndata: [DONE]\n\n')
    assert [e.data for e in parsed.events] == ['{"a":1}', "x\ny", "[DONE]"]
    assert parsed.anomalies == []


def test_crlf_and_cr_line_ends_and_optional_space():
    parsed = parse("data:one\r\n\r\ndata: two\r\rid: 7\nevent: custom\ndata: three\n\n")
    assert [(e.data, e.event, e.id) for e in parsed.events] == [("one", "message", None), ("two", "message", None),
                                                                  ("three", "custom", "7")]


def test_feeding_byte_by_byte_gives_the_same_events():
    text = 'data: {"id":"x"}\r\n\r\ndata: [DONE]\r\n\r\n'
    parser = SseParser()
    for ch in text:
        parser.feed(ch)
    parser.close()
    assert [e.data for e in parser.events] == ['{"id":"x"}', "[DONE]"]
    assert parser.anomalies == []


def test_a_line_that_is_not_a_field_is_reported():
    parsed = parse('data: ok\n\n{"id": "raw json without data:"}\n\n')
    assert [e.data for e in parsed.events] == ["ok"]
    assert parsed.anomalies and "not an SSE field" in parsed.anomalies[0]


def test_an_event_cut_off_by_the_end_of_the_stream_is_reported_not_delivered():
    parsed = parse("data: first\n\ndata: cut")
    assert [e.data for e in parsed.events] == ["first"]
    assert "stream ended inside an event" in parsed.anomalies[0]


def test_blank_lines_without_data_dispatch_nothing():
    assert parse("\n\n\nevent: x\n\n").events == []


# (stream text, how it is cut into fed chunks, events as (data, event, id, data_lines), anomalies' starts)
FEEDS = [
    ("data: a\r\n\r\n", [5, 9], [("a", "message", None, 1)], []),  # CRLF split between chunks
    ("data: a\r", [8], [], ["stream ended inside an event (no blank line after it): 'a'"]),  # a lone CR: a line end
    ("data: a\r\rdata: b\n\n", [8, 9], [("a", "message", None, 1), ("b", "message", None, 1)], []),
    ("data: a\r\ndata: b\r\n\r\n", [8], [("a\nb", "message", None, 2)], []),
    ("data:  two spaces\n\n", [], [("  two spaces"[1:], "message", None, 1)], []),  # only one space is dropped
    ("data\n\n", [], [("", "message", None, 1)], []),  # a field with no colon: empty data
    ("event: e\nid: 1\nretry: 5\ndata: x\n\nevent: f\n\ndata: y\n\n", [3, 17],
     [("x", "e", "1", 1), ("y", "message", "1", 1)], []),  # event resets after a dispatch, id persists
    ("dat a: x\n\n", [], [], ["line is not an SSE field: 'dat a: x'"]),
    ("data: x\n\ndata: cut\nid: 2", [], [("x", "message", None, 1)],
     ["stream ended inside an event (no blank line after it): 'cut'"]),
    (":comment only\n\n", [], [], []),
    ("data: a\n\n", [8], [("a", "message", None, 1)], []),  # a chunk ending in LF: the next LF is a blank line
    ("data: a\ndata: b", [], [], ["stream ended inside an event (no blank line after it): 'a\\nb'"]),
    ("data: " + "x" * 90, [], [], ["stream ended inside an event (no blank line after it): '" + "x" * 80 + "'"]),
    ("y" * 90 + "\n\n", [], [], ["line is not an SSE field: '" + "y" * 80 + "'"]),
]


@pytest.mark.parametrize("text, cuts, events, anomalies", FEEDS)
def test_fed_in_pieces_the_events_and_anomalies_are_exact(text, cuts, events, anomalies):
    parser, start, returned = SseParser(), 0, []
    for end in [*cuts, len(text)]:
        returned += parser.feed(text[start:end])
        start = end
    parser.close()
    assert [(e.data, e.event, e.id, e.data_lines) for e in parser.events] == events
    assert [(e.data, e.event, e.id, e.data_lines) for e in returned] == events  # feed returns what it completed
    assert parser.anomalies == anomalies


def test_past_max_events_only_the_count_and_the_last_event_are_kept():
    parser = SseParser(max_events=2)
    returned = parser.feed("".join(f"data: {i}\n\n" for i in range(5)))
    assert [e.data for e in parser.events] == ["0", "1"] and parser.dropped == 3 and parser.last.data == "4"
    assert [e.data for e in parser.kept()] == ["0", "1", "4"] and [e.data for e in returned] == ["0", "1", "4"]
    assert parser.anomalies == ["more than 2 events: only the first ones and the last are kept"]
    assert [e.data for e in parser.feed("data: 5\n\n")] == ["5"] and parser.dropped == 4
    assert [e.data for e in SseParser(max_events=2).kept()] == []


def test_a_feed_that_completes_no_event_returns_none_even_after_drops():
    parser = SseParser(max_events=1)
    assert [e.data for e in parser.feed("data: 0\n\ndata: 1\n\n")] == ["0", "1"]
    assert parser.feed("data: 2") == [] and parser.feed("\n") == []
    assert [e.data for e in parser.feed("\n")] == ["2"]


def test_closing_twice_reports_the_cut_event_once():
    parser = SseParser()
    parser.feed("data: a\n\ndata: b")
    parser.close()
    parser.close()
    assert parser.anomalies == ["stream ended inside an event (no blank line after it): 'b'"]
