"""The normalised views (conformance/surfaces/views.py) and the Messages surface's reading of its answers into
them (conformance/surfaces/messages/views.py): each field pinned, so a check on any surface reads what was sent."""

from __future__ import annotations

import pytest

from conformance.surfaces.messages import views as messages
from conformance.surfaces.views import GENERIC_NAMES, Answer, Output, StreamView, ToolCall, Unreadable


def test_an_answer_without_outputs_or_with_a_problem_is_unreadable():
    with pytest.raises(Unreadable, match="^the answer has no output$"):
        Answer((), None).first()
    with pytest.raises(Unreadable, match="^no message$"):
        Answer((Output("hi"),), None, "no message").first()
    assert Answer((Output("a"), Output("b")), 3).first() == Output("a")


def test_an_answer_s_text_cut_and_tool_stop_read_its_first_output():
    assert Answer((), None).text == "" and not Answer((), None).cut and not Answer((), None).tool_stop
    assert Answer((Output(None),), None).text == "" and Answer((Output(7),), None).text == ""
    assert Answer((Output("hi", stop_reason="length"), Output("x")), None).text == "hi"
    cut = Answer((Output("a", stop_reason="length"), Output("b", stop_reason="stop")), None)
    assert cut.cut and not cut.tool_stop
    assert not Answer((Output("a", stop_reason="stop"), Output("b", stop_reason="length")), None).cut
    tool = Answer((Output("a", stop_reason="tool_calls"),), None)
    assert tool.tool_stop and not tool.cut
    assert not Answer((Output("a", stop_reason="stop"), Output("b", stop_reason="tool_calls")), None).tool_stop
    own = Answer((Output("a", stop_reason="max_tokens"),), None, None, "max_tokens", "tool_use")
    assert own.cut and not Answer((Output("a", stop_reason="length"),), None, None, "max_tokens").cut
    assert Answer((Output("a", stop_reason="tool_use"),), None, None, "max_tokens", "tool_use").tool_stop
    assert Answer((), None).names == GENERIC_NAMES == {
        "text": "the text", "tool_calls": "tool call", "tool_call": "the first tool call", "stop_reason": "the stop reason"}
    assert (Answer((), None).cut_reason, Answer((), None).tool_reason) == ("length", "tool_calls")


def test_an_output_s_content_is_its_text_only_when_a_string():
    assert Output("hi").content == "hi" and Output(None).content == "" and Output(["hi"]).content == ""
    assert Output("x") == Output("x", (), None, {})


def test_a_stream_view_joins_its_deltas_in_order():
    view = StreamView()
    assert (view.deltas, view.stop_reasons, view.output_tokens, view.text) == ([], {}, None, "")
    view.deltas.extend([(0, "a"), (1, "b"), (0, "c")])
    assert view.text == "abc" and StreamView().deltas == []  # each view has its own list


# ------------------------------------------------------------------ Messages

TEXT = {"type": "text", "text": "Hello"}
USE = {"type": "tool_use", "id": "t1", "name": "get_order", "input": {"order_id": "1"}}


def test_a_message_reads_as_one_output_with_its_text_blocks_joined():
    data = {"content": [TEXT, {"type": "text", "text": " there"}, {"type": "image"}, "junk", {"type": "text", "text": 3}],
            "stop_reason": "end_turn", "usage": {"input_tokens": 5, "output_tokens": 4}}
    view = messages.answer(data)
    assert view == Answer((Output("Hello there", (), "end_turn", {"message": data}),), 4, None, "max_tokens",
                          "tool_use", messages.NAMES)
    assert messages.NAMES == {"text": "the text blocks", "tool_calls": "tool_use block",
                              "tool_call": "the first tool_use block", "stop_reason": "stop_reason"}


def test_a_message_without_text_blocks_has_no_text_and_its_tool_use_blocks_are_its_calls():
    data = {"content": [USE, {"type": "tool_use", "name": "other", "input": {}}], "stop_reason": "tool_use"}
    (output,) = messages.answer(data).outputs
    assert output.text is None and output.stop_reason == "tool_use"
    assert output.tool_calls == (ToolCall("get_order", '{"order_id": "1"}', None, USE),
                                 ToolCall("other", "{}", None, {"type": "tool_use", "name": "other", "input": {}}))
    assert messages.answer(data).tool_stop and not messages.answer(data).cut
    assert messages.answer({"content": [], "stop_reason": "max_tokens"}).cut


@pytest.mark.parametrize("block, problem", [
    ({"type": "tool_use", "name": "f", "input": "{\"a\": 1}"}, 'tool_use.input is "{\\"a\\": 1}", not an object'),
    ({"type": "tool_use", "name": "f"}, "tool_use.input is null, not an object"),
    ({"type": "tool_use", "name": "f", "input": ["x" * 100]}, f'tool_use.input is ["{"x" * 78}, not an object'),
])
def test_a_tool_use_block_whose_input_is_no_object_is_a_call_with_a_problem(block, problem):
    (call,) = messages.answer({"content": [block]}).outputs[0].tool_calls
    assert call == ToolCall("f", None, problem, block)


@pytest.mark.parametrize("data, problem", [
    ({"content": "Hello"}, 'the message has no content array: {"content": "Hello"}'),
    ({}, "the message has no content array: {}"),
    (["x"], "the message has no content array: {}"),  # not an object: nothing of it read
    ({"content": None, "pad": "y" * 300}, 'the message has no content array: {"content": null, "pad": "' + "y" * 174),
])
def test_a_message_without_a_content_array_has_no_output_and_says_so(data, problem):
    view = messages.answer(data)
    assert view == Answer((), None, problem, "max_tokens", "tool_use", messages.NAMES)
    with pytest.raises(Unreadable, match="no content array"):
        view.first()


@pytest.mark.parametrize("usage, tokens", [
    ({"output_tokens": 7}, 7), ({"output_tokens": True}, None), ({"output_tokens": "7"}, None), ({}, None),
    ("7", None), (None, None),
])
def test_a_message_s_output_tokens_only_as_an_integer(usage, tokens):
    assert messages.answer({"content": [], "usage": usage}).output_tokens == tokens


def delta(text, kind="text_delta"):
    return {"type": "content_block_delta", "index": 0, "delta": {"type": kind, "text": text}}


def test_a_messages_stream_reads_its_text_deltas_stop_reason_and_last_usage():
    events = [{"type": "message_start", "message": {"usage": {"output_tokens": 1}}}, delta("Hel"), "junk",
              delta("lo"), delta("{}", "input_json_delta"), delta(5), {"type": "content_block_delta", "delta": "x"},
              {"type": "message_delta", "delta": {"stop_reason": None}, "usage": {"output_tokens": 2}},
              {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 3}},
              {"type": "message_delta", "delta": {}, "usage": {"output_tokens": "9"}},
              {"type": "ping", "delta": {"stop_reason": "x"}, "usage": {"output_tokens": 8}},
              {"type": "message_stop"}]
    view = messages.stream(list(enumerate(events, start=1)))
    assert (view.deltas, view.stop_reasons, view.output_tokens) == ([(0, "Hel"), (0, "lo")], {0: "end_turn"}, 3)


def test_a_messages_stream_without_deltas_or_usage():
    view = messages.stream([(1, {"type": "message_delta", "delta": "end_turn", "usage": "3"}), (2, [1])])
    assert (view.deltas, view.stop_reasons, view.output_tokens) == ([], {}, None)
    view = messages.stream([(1, {"type": "message_delta", "usage": {"output_tokens": 4}})])
    assert (view.stop_reasons, view.output_tokens) == ({}, 4)
