"""The SSE parser: WHATWG framing, incremental feeding, and the anomalies it must not hide."""

from __future__ import annotations

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
