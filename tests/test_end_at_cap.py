"""An output that ends exactly at the length cap: cut or finished?

Both published models force an end token in the last position the cap allows
(forced_eos_token_id in opus-mt-de-en's and distilbart-cnn-12-6's configs), so an end token
there says nothing: it counts as cut, and the completeness check redoes the chunk. A model
without one chose its end token itself: it counts as finished. Both engines agree.
"""

from __future__ import annotations

import pytest

from tests.checkpoints import build_copy_marian
from translate.config import GenerationSettings
from translate.engines.models import load, locate

pytestmark = pytest.mark.timeout(120)
SOURCE = "Die Stadt plant einen Park."


@pytest.fixture(scope="module")
def copy_models(tmp_path_factory):
    root = tmp_path_factory.mktemp("end-at-cap")
    return {
        forced: build_copy_marian(root / f"forced-{forced}", forced_eos=forced)
        for forced in (True, False)
    }


@pytest.mark.parametrize("backend", ["torch", "ctranslate2"])
@pytest.mark.parametrize("forced", [True, False], ids=["forced-eos", "no-forced-eos"])
def test_an_end_token_in_the_last_position_is_cut_only_where_one_is_forced(
    copy_models, backend, forced
):
    translator = load(locate(str(copy_models[forced]), None), "cpu", backend=backend)
    whole = translator.generate_detailed([SOURCE], GenerationSettings(max_new_tokens=60))[0]
    assert whole.finished and whole.text.strip()
    # The copy model writes its source's tokens and then its end token: the output's length
    # in tokens, end token included, is the source's.
    length = len(translator.tokenizer(SOURCE).input_ids)

    def at(cap: int):
        return translator.generate_detailed([SOURCE], GenerationSettings(max_new_tokens=cap))[0]

    one_short, exact, one_more = at(length - 1), at(length), at(length + 1)
    assert not one_short.finished  # no room for the end token: cut
    assert one_more.finished and one_more.text == whole.text
    # The end token in the cap's last position: where one is forced there, it may be the
    # forced one (counted as cut); where none is forced, it is the model's own.
    assert exact.finished is (not forced)
    if not forced:
        assert exact.text == whole.text
