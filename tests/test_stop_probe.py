"""The stop probe (behaviours/stop_excluded.py): which word a stop case sends, and when it cannot be chosen."""

from __future__ import annotations

import json

import pytest

from conformance.cases import generate_cases
from conformance.checks import Inconclusive, derive
from conformance.behaviours.stop_excluded import stop_word
from conformance.checks.common import same_reply
from conformance.engine import Exchange
from conformance.spec import load_profile

RAINBOW = "Red, orange, yellow, green, blue, indigo, violet."


@pytest.mark.parametrize("plain, streamed, word", [
    (RAINBOW, RAINBOW, "green"),  # the first usable word of the second half (punctuation stripped)
    ("red orange yellow blue indigo violet", "red orange yellow indigo violet", "indigo"),  # in both answers
    ("blue is ok blue", "blue is ok blue", None),  # its first occurrence is in the first half
    ("a b c d e 42 ok", "a b c d e 42 ok", None),  # digits and short words are not used
    ("aaa bbb ccc", "bbb ccc", "ccc"),  # at the very start of the streamed answer a word is not taken
    ("solo", "solo", None),  # one word: no second half beyond the first word
    ("alpha beta gamma (delta)", "alpha beta gamma delta", "gamma"),
    ("aaa bbb", "xx bbb", "bbb"),  # two words: the second half is the second word
    ("aaa Xray", "zz Xray", "Xray"),  # only punctuation is stripped
    ("blue is ok blue", "so blue", None),  # said again in the second half, first said in the first
    ("aaa bbb", "bbb bbb", None),  # the streamed answer starts with it, whatever follows
    ("aaa bbb", "xbbb", "bbb"),  # anywhere after the start of the streamed answer
])
def test_the_stop_word_is_from_the_second_half_of_both_answers(plain, streamed, word):
    assert stop_word(plain, streamed) == word


@pytest.mark.parametrize("a, b, same", [
    ("Say hello.", "say   HELLO.", True),
    ("", "", False),  # nothing said is no fixed reply
    ("one two three four", "one two three", True),  # one the start of the other, three words or more
    ("one two", "one two three", False),  # too short to tell
    ("red orange yellow", "one two three", False),
])
def test_a_fixed_reply_is_the_same_text_for_two_prompts(a, b, same):
    assert same_reply(a, b) is same


def answer(request, text: str) -> Exchange:
    if request.stream:
        from conformance.sse import SseEvent
        events = [SseEvent(json.dumps({"choices": [{"index": 0, "delta": {"content": text}}]})), SseEvent("[DONE]")]
        return Exchange(request, "http://127.0.0.1", status=200, headers={"content-type": "text/event-stream"},
                        events=events)
    body = {"choices": [{"index": 0, "message": {"role": "assistant", "content": text}}]}
    return Exchange(request, "http://127.0.0.1", status=200, headers={"content-type": "application/json"},
                    body=json.dumps(body).encode())


def stop_cases() -> dict:
    return {c.id: c for c in generate_cases(load_profile("routify"), "m") if c.derive == "stop_probe"}


@pytest.mark.parametrize("variant, stops", [("excluded", ["green"]),
                                            ("later-in-list", ["<rc-absent-1>", "<rc-absent-2>", "green"])])
def test_the_probe_is_the_control_with_the_word_as_stop(variant, stops):
    case = stop_cases()[f"routify/chat/behaviour/stop/{variant}"]
    evidence = {name: answer(request, RAINBOW if name != "other-prompt" else "one two three four five")
                for name, request in case.evidence}
    probe = derive(case, answer(case.request, RAINBOW), evidence)
    assert probe.body == dict(case.request.body, stop=stops) and probe.terminator == case.request.terminator


def test_the_streamed_stop_case_takes_the_plain_control_as_the_other_one():
    case = stop_cases()["routify/chat/behaviour/stop/excluded-stream"]
    evidence = {name: answer(request, "Red orange yellow green indigo violet." if not request.stream else RAINBOW)
                for name, request in case.evidence}
    evidence["other-prompt"] = answer(dict(case.evidence)["other-prompt"], "one two three four five")
    assert derive(case, answer(case.request, RAINBOW), evidence).body["stop"] == ["green"]


@pytest.mark.parametrize("other, own, message", [
    (RAINBOW, RAINBOW, "answers two different prompts alike"),
    ("one two three four five", "Hi, it is 42.", "share no usable word"),
])
def test_no_probe_without_evidence(other, own, message):
    case = stop_cases()["routify/chat/behaviour/stop/excluded"]
    evidence = {name: answer(request, own if name != "other-prompt" else other) for name, request in case.evidence}
    with pytest.raises(Inconclusive, match=message):
        derive(case, answer(case.request, own), evidence)


def test_a_refused_control_gives_no_probe():
    case = stop_cases()["routify/chat/behaviour/stop/excluded"]
    evidence = {name: answer(request, RAINBOW) for name, request in case.evidence}
    refused = Exchange(case.request, "http://127.0.0.1", status=400, body=b'{"error": {}}')
    with pytest.raises(Inconclusive, match="the control \\(the request without stop\\) gave no usable answer"):
        derive(case, refused, evidence)


def evidence_of(case, texts: dict) -> dict:
    return {name: texts[name] if isinstance(texts[name], Exchange) else answer(request, texts[name])
            for name, request in case.evidence}


def refused(request) -> Exchange:
    return Exchange(request, "http://127.0.0.1", status=400, headers={"content-type": "application/json"},
                    body=b'{"error": {}}')


@pytest.mark.parametrize("which, message", [
    ("control-stream", 'the other control gave no usable answer: the stream request was not accepted: 400 '
                       '(application/json) {"error": {}}'),
    ("other-prompt", 'the control of another prompt gave no usable answer: the request was not accepted: 400 '
                     '(application/json) {"error": {}}'),
])
def test_a_refused_control_is_named_in_the_inconclusive_message(which, message):
    case = stop_cases()["routify/chat/behaviour/stop/excluded"]
    texts = {"control-stream": RAINBOW, "other-prompt": "one two three four five"}
    texts[which] = refused(dict(case.evidence)[which])
    with pytest.raises(Inconclusive) as info:
        derive(case, answer(case.request, RAINBOW), evidence_of(case, texts))
    assert str(info.value) == message


def test_the_inconclusive_messages_quote_the_answers_whole_up_to_their_limits():
    case = stop_cases()["routify/chat/behaviour/stop/excluded"]
    long = "word " * 40
    with pytest.raises(Inconclusive) as info:
        derive(case, answer(case.request, long), evidence_of(case, {"control-stream": long, "other-prompt": long}))
    assert str(info.value) == (f"the model answers two different prompts alike ({long[:80]!r}): a fixed reply shows no "
                               "generation for a stop sequence to cut")
    plain, streamed = "Hi " * 50, "Yo " * 50
    with pytest.raises(Inconclusive) as info:
        derive(case, answer(case.request, plain), evidence_of(case, {"control-stream": streamed, "other-prompt": "one two"}))
    assert str(info.value) == (f"the controls share no usable word in the second half of the answer "
                               f"(plain: {plain[:100]!r}, streamed: {streamed[:100]!r})")


def test_the_streamed_case_s_own_answer_is_the_streamed_control():
    """The second half is taken of the plain control: here the other one, as the case streams."""
    case = stop_cases()["routify/chat/behaviour/stop/excluded-stream"]
    texts = {"control-plain": "aaa bbb ccc ddd", "other-prompt": "one two three four five"}
    own = "aaa bbb ccc ddd eee fff ggg hhh"
    assert derive(case, answer(case.request, own), evidence_of(case, texts)).body["stop"] == ["ccc"]
