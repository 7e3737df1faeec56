"""Image output: asked for through `modalities`, generated images come on the assistant message in an
`images` array of image URLs or data URLs.

"Can appear": an answer without images shows nothing either way (a model that draws nothing for this
prompt), so it is inconclusive; images that are neither URLs nor data URLs fail.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..checks.common import Inconclusive, first_output
from . import Behaviour, GatewayFault

if TYPE_CHECKING:
    from ..case import Case
    from ..engine import Exchange

PROMPT = "Create a square icon of a blue glass cube."  # the document's own example
URL = re.compile(r"^(https?://\S+|data:image/[\w.+-]+;base64,[A-Za-z0-9+/=\s]+)$")


def _url(item) -> str | None:
    """The image URL of one `images` item: a string, {url}, or {image_url: {url}} (the chat content part's shape)."""
    if isinstance(item, dict):
        inner = item.get("image_url")
        item = inner.get("url") if isinstance(inner, dict) else inner if inner is not None else item.get("url")
    return item if isinstance(item, str) else None


def images_returned(ex: Exchange, case: Case) -> str | None:
    images = first_output(ex).extra["message"].get("images")
    if images is None or images == []:
        raise Inconclusive("no images came back (the document says they can appear): nothing to judge")
    if not isinstance(images, list):
        return f"message.images is {type(images).__name__}, not an array: {str(images)[:120]}"
    bad = [str(item)[:80] for item in images if not URL.match(_url(item) or "")]
    return f"{len(bad)} of {len(images)} images are neither an image URL nor a data URL: {bad[0]!r}" if bad else None


def generate(b, rule) -> list:
    body = b.body(prompt=PROMPT, cap=16, modalities=["image", "text"])
    return [b.case("behaviour", "images", "urls", rule, title="images asked for through modalities come as URLs or data URLs",
                   expected="message.images: an array of image URLs or data URLs (none at all is inconclusive)",
                   request=b.post(body), check="images_returned", parameter="modalities",
                   features=("image_output", "behaviour"))]


def _bare_base64(params: dict, doc: dict) -> None:
    for choice in doc.get("choices") or []:
        images = (choice.get("message") or {}).get("images")
        for i, item in enumerate(images or []):
            images[i] = _url(item).split(",", 1)[-1]  # the payload alone: no data: URL around it


BEHAVIOUR = Behaviour(
    name="image_output", needs="modalities", generate=generate, checks={"images_returned": images_returned},
    faults=(GatewayFault("behaviour.images-bare-base64", "generated images come as bare base64, not URLs or data URLs",
                         completion=_bare_base64),),
    surfaces=("chat_completions",),  # reads choices on the wire
)
