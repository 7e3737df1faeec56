"""conformance/surfaces/responses/views.py: a Responses answer and stream as the normalised views, exactly.

Each expected view is written out in full (stop reasons, names, token counts) so that a changed constant or a
loosened type test changes a verdict somewhere and fails here."""

from __future__ import annotations

from conformance.surfaces.responses import views
from conformance.surfaces.views import Answer, Output, StreamView, ToolCall

NAMES = {"text": "the output_text of the message items", "tool_calls": "function_call output item",
         "tool_call": "the first function_call item", "stop_reason": "status (incomplete_details.reason when incomplete)"}
CUT = "max_output_tokens"
NO_TOOL = "(Responses has no stop reason for a tool call)"


def message(*texts) -> dict:
    return {"type": "message", "role": "assistant",
            "content": [{"type": "output_text", "text": t, "annotations": []} for t in texts]}


def test_the_constants_are_the_documented_names():
    assert views.TERMINAL == ("response.completed", "response.incomplete", "response.failed")
    assert views.CUT == CUT
    assert views.NAMES == NAMES


def test_stop_reason_is_the_status_or_why_incomplete():
    assert views.stop_reason({"status": "completed"}) == "completed"
    assert views.stop_reason({"status": "incomplete", "incomplete_details": {"reason": CUT}}) == CUT
    # the details are read only when the response is incomplete, and only when they are an object
    assert views.stop_reason({"status": "completed", "incomplete_details": {"reason": CUT}}) == "completed"
    assert views.stop_reason({"status": "incomplete", "incomplete_details": None}) == "incomplete"
    assert views.stop_reason({"status": "incomplete", "incomplete_details": {}}) is None
    assert views.stop_reason({}) is None


def test_output_text_joins_the_output_text_parts_of_message_items_in_order():
    items = [message("Hello ", "there"), {"type": "function_call", "content": [{"type": "output_text", "text": "no"}]},
             "not an item", message("friend")]
    assert views.output_text(items) == "Hello therefriend"


def test_output_text_skips_what_is_not_an_output_text_part():
    odd = {"type": "message", "content": ["a string", {"type": "refusal", "refusal": "no"},
                                          {"type": "output_text", "text": "kept"}]}
    assert views.output_text([odd]) == "kept"
    assert views.output_text([{"type": "message", "content": "a string, not parts"}]) is None
    assert views.output_text([{"type": "message"}]) is None
    assert views.output_text([]) is None
    # a part with a non-string text counts as a part (the text is "", not missing), its text is left out
    assert views.output_text([message(None)]) == ""
    assert views.output_text([message(7, "x")]) == "x"


def test_answer_of_a_completed_message():
    data = {"object": "response", "status": "completed", "output": [message("Hi")], "usage": {"output_tokens": 3}}
    assert views.answer(data) == Answer((Output("Hi", (), "completed", {"response": data}),), 3, None, CUT, NO_TOOL, NAMES)


def test_answer_of_a_cut_response_reads_as_cut():
    data = {"status": "incomplete", "incomplete_details": {"reason": CUT}, "output": [message("Hel")],
            "usage": {"output_tokens": 16}}
    got = views.answer(data)
    assert got == Answer((Output("Hel", (), CUT, {"response": data}),), 16, None, CUT, NO_TOOL, NAMES)
    assert got.cut and not got.tool_stop


def test_answer_of_function_calls_keeps_each_call_and_its_item():
    first = {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "get_weather", "arguments": '{"city":"Paris"}'}
    second = {"type": "function_call", "id": "fc_2", "name": "get_time", "arguments": "{}"}
    data = {"status": "completed", "output": [first, "junk", {"type": "message", "content": []}, second]}
    got = views.answer(data)
    assert got == Answer((Output(None, (ToolCall("get_weather", '{"city":"Paris"}', None, first),
                                        ToolCall("get_time", "{}", None, second)), "completed", {"response": data}),),
                         None, None, CUT, NO_TOOL, NAMES)
    assert not got.tool_stop  # no status is the tool reason


def test_answer_tokens_are_an_integer_output_tokens_or_none():
    def tokens(usage):
        return views.answer({"output": [], "usage": usage}).output_tokens

    assert tokens({"output_tokens": 0}) == 0
    assert tokens({"output_tokens": 5, "input_tokens": 9}) == 5
    assert tokens({"output_tokens": True}) is None
    assert tokens({"output_tokens": "5"}) is None
    assert tokens({"input_tokens": 5}) is None
    assert tokens([{"output_tokens": 5}]) is None
    assert tokens(None) is None


def test_answer_without_an_output_array_says_so():
    assert views.answer({"object": "response", "output": {}}) == Answer(
        (), None, 'the response has no output array: {"object": "response", "output": {}}', CUT, NO_TOOL, NAMES)
    assert views.answer(["output"]).problem == "the response has no output array: {}"
    assert views.answer(None).problem == "the response has no output array: {}"
    long = {"error": "x" * 300}
    assert views.answer(long).problem == "the response has no output array: " + ('{"error": "' + "x" * 300)[:200]


def test_stream_reads_the_text_deltas_and_the_terminal_response():
    final = {"status": "completed", "usage": {"output_tokens": 2}}
    chunks = [(1, {"type": "response.created", "response": {"status": "in_progress", "usage": {"output_tokens": 9}}}),
              (2, {"type": "response.output_text.delta", "delta": "Hel"}),
              (3, "not an event"),
              (4, {"type": "response.output_text.delta", "delta": None}),
              (5, {"type": "response.function_call_arguments.delta", "delta": "{}"}),
              (6, {"type": "response.output_text.done", "text": "Hello"}),
              (7, {"type": "response.output_text.delta", "delta": "lo"}),
              (8, {"type": "response.completed", "response": final})]
    assert views.stream(chunks) == StreamView([(0, "Hel"), (0, "lo")], {0: "completed"}, 2)


def test_stream_stop_reason_of_each_terminal_event():
    for kind, response, reason in (
            ("response.completed", {"status": "completed"}, "completed"),
            ("response.incomplete", {"status": "incomplete", "incomplete_details": {"reason": CUT}}, CUT),
            ("response.failed", {"status": "failed", "usage": {"output_tokens": 4}}, "failed")):
        view = views.stream([(1, {"type": kind, "response": response})])
        assert view == StreamView([], {0: reason}, (response.get("usage") or {}).get("output_tokens"))


def test_stream_ignores_a_terminal_event_without_a_response_object():
    assert views.stream([(1, {"type": "response.completed", "response": "done"})]) == StreamView()
    assert views.stream([(1, {"type": "response.completed"})]) == StreamView()
    assert views.stream([]) == StreamView()
