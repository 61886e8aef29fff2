"""Council RAG notations read as levels."""

import pytest

from svmonitor.choices import Rag
from workbook.rag_notation import rag_parse


@pytest.mark.parametrize(
    ("written", "level"),
    [
        ("R", Rag.RED),
        ("a", Rag.AMBER),
        ("G", Rag.GREEN),
        ("B", Rag.BLUE),
        ("Red", Rag.RED),
        ("AMBER", Rag.AMBER),
        ("Amber / Green", Rag.AMBER_GREEN),
        ("Amber/Green", Rag.AMBER_GREEN),
        ("A/G", Rag.AMBER_GREEN),
        ("g/a", Rag.AMBER_GREEN),
        ("AG", Rag.AMBER_GREEN),
        ("Amber-Red", Rag.AMBER_RED),
        ("Red / Amber", Rag.AMBER_RED),
        ("Green - On Track", Rag.GREEN),
        ("Green \u2013 on track", Rag.GREEN),
        ("Red: off target", Rag.RED),
        ("  blue  ", Rag.BLUE),
        ("Not rated", Rag.NOT_RATED),
        ("N/A", Rag.NOT_RATED),
        ("", Rag.NOT_RATED),
        ("amber_green", Rag.AMBER_GREEN),
    ],
)
def test_it_reads_the_notations_councils_use(written, level):
    assert rag_parse(written) == level


@pytest.mark.parametrize("written", ["Purple", "Greenish", "Red/Green", "Blue / Amber", "x"])
def test_it_refuses_what_is_not_a_level(written):
    with pytest.raises(ValueError, match=r"RAG"):
        rag_parse(written)


def test_a_councils_own_label_wins():
    # This council writes "A/G" for what it defines as Amber/Red.
    assert rag_parse("a/g", {"a/g": Rag.AMBER_RED}) == Rag.AMBER_RED
