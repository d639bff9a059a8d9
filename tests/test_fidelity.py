"""The completeness check on text alone: numbers in every format, length, sentences, the cap."""

import pytest

from translate.text.fidelity import check, length_ratio, missing_numbers


@pytest.mark.parametrize(
    ("source", "output"),
    [
        ("Es kostet 3,50 Euro.", "It costs 3.50 euros."),
        ("Es kostet 3,50 Euro.", "It costs EUR 3.5."),
        ("Es kostet 3,50 Euro.", "It costs 3,50 euros."),  # a format kept as it was
        ("1.000.000 Menschen", "1,000,000 people"),
        ("1.000.000 Menschen", "1 million people"),
        ("12.847 Einbrüche", "12,847 burglaries"),
        ("Am 5. Dezember 1994 war es.", "On 5 December 1994 it was."),
        ("Am 5. Dezember 1994 war es.", "On December 5th, 1994 it was."),
        ("Am 05.12.1994 war es.", "On 5 December 1994 it was."),
        ("Um 19.30 Uhr beginnt es.", "It starts at 7.30 pm."),
        ("Um 20 Uhr beginnt es, um 20.00 Uhr endet es.", "It starts at 8 pm and ends at 8 pm."),
        ("Es gab 2 Kinder.", "There were two children."),
        ("Im 1.–3. Jahrhundert", "In the 1st-3rd century"),
        ("1,5 Mrd. Euro", "1.5 billion euros"),
    ],
)
def test_numbers_are_found_in_english_formats(source, output):
    assert missing_numbers(source, output) == []


@pytest.mark.parametrize(
    ("source", "output", "missing"),
    [
        ("Es gab 2 Kinder.", "There were children.", ["2"]),
        ("Es kostet 3,50 Euro.", "It costs 35 euros.", ["3,50"]),
        ("2015 und wieder 2015", "2015", ["2015"]),  # each occurrence counts
        ("Es endete 28:25 (14:13).", "It ended 28-25.", ["14", "13"]),
    ],
)
def test_a_missing_number_is_named(source, output, missing):
    assert missing_numbers(source, output) == missing


def test_a_translation_that_lost_a_sentence_fails_and_says_why():
    source = "Die Regierung hat die Reform beschlossen. Die Opposition will dagegen klagen."
    verdict = check(source, "The government has adopted the reform.", sentences=2)
    assert not verdict.ok
    assert any("of the source's length" in p for p in verdict.problems)
    assert any("1 sentence(s) for the source's 2" in p for p in verdict.problems)
    full = "The government has adopted the reform. The opposition wants to sue."
    assert check(source, full, sentences=2).ok


def test_a_translation_cut_at_the_length_cap_fails_even_when_it_looks_complete():
    verdict = check("Ein kurzer Satz.", "A short sentence.", finished=False)
    assert verdict.problems == ("cut off at the length limit",)


def test_short_sources_are_not_judged_by_length():
    assert check("Herzlichen Glückwunsch!", "Congrats!").ok  # 0.4x, but too short to judge


def test_the_length_floor_admits_faithful_translations_and_catches_a_lost_half():
    from pathlib import Path

    data = Path(__file__).parent / "data"
    german = (data / "corpus_de.txt").read_text(encoding="utf-8").splitlines()
    english = (data / "corpus_en.txt").read_text(encoding="utf-8").splitlines()
    # The first lines of the two corpora translate each other (a faithful sample).
    pairs = list(zip(german[:7], english[:7]))
    assert all(check(de, en).ok for de, en in pairs), [length_ratio(*p) for p in pairs]
    for (de1, en1), (de2, _) in zip(pairs, pairs[1:]):
        if min(len(de1), len(de2)) > 40:
            assert not check(f"{de1} {de2}", en1, sentences=2).ok


def test_the_length_floor_is_below_every_aligned_pair_of_the_corpora():
    from tests.calibrate_length import aligned_pairs
    from translate.text.fidelity import MIN_LENGTH_RATIO

    ratios = [length_ratio(de, en) for de, en in aligned_pairs()]
    assert len(ratios) >= 100
    assert min(ratios) > MIN_LENGTH_RATIO[("de", "en")]
