"""Output names, exactly: the file system's name limit and the hidden temporaries' key
(issue 32, mutation testing). No model is built.
"""

import hashlib
import os

import pytest

from translate.outputs.naming import DEFAULT_NAME_MAX, name_max, sibling_key, too_long

pytestmark = pytest.mark.timeout(20)
SUFFIX = ".summary.en.md"  # 14 bytes; a temporary adds 14 more: `.<key>.12345678.tmp`


@pytest.fixture
def disk_of_143(monkeypatch):
    """The file system answers as eCryptfs does: names of at most 143 bytes.

    Every question still goes to the real pathconf first, so a name it does not know and a
    folder that does not exist fail as they do on any disk.
    """
    real = os.pathconf

    def pathconf(path, name):
        value = real(path, name)
        return 143 if name == "PC_NAME_MAX" else value

    monkeypatch.setattr(os, "pathconf", pathconf)


def test_the_name_limit_is_the_file_systems_own(tmp_path, disk_of_143):
    assert name_max(tmp_path) == 143
    # A folder not made yet (a mirror under --output-dir) has its nearest parent's limit.
    assert name_max(tmp_path / "neu" / "tiefer") == 143
    name = "x" * (143 - len(SUFFIX) + 1)
    assert too_long(tmp_path / "neu", name) == (
        "its output name would be 144 bytes, over the file system's limit of 143; "
        "rename it to a name of at most 129 bytes before the suffix"
    )
    assert too_long(tmp_path / "neu", name[1:]) is None


def test_the_name_limit_is_255_where_no_folder_can_say(tmp_path, monkeypatch):
    def pathconf(path, name):
        raise OSError(22, "Invalid argument")

    monkeypatch.setattr(os, "pathconf", pathconf)
    assert name_max(tmp_path) == DEFAULT_NAME_MAX == 255


def test_a_temporary_that_fits_to_the_byte_is_named_by_the_output_itself(tmp_path):
    output = tmp_path / ("x" * (255 - 14 - len(SUFFIX)) + SUFFIX)  # 241 bytes: 255 with 14
    assert sibling_key(output) == output.name


def test_a_temporary_one_byte_over_is_named_by_a_prefix_and_a_hash_of_the_whole(tmp_path):
    name = "x" * (255 - 14 - len(SUFFIX) + 1) + SUFFIX  # 242 bytes
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    # Room for the prefix: 255, less the temporary's 14, the "~" and the 8 of the hash.
    assert sibling_key(tmp_path / name) == name[:232] + "~" + digest
    assert name[:232].endswith("xxxx.sum")


def test_a_long_names_key_is_cut_at_whole_characters_filling_the_room_exactly(tmp_path):
    name = "ü" * 121 + SUFFIX  # 256 bytes in UTF-8
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    key = sibling_key(tmp_path / name)
    assert key == "ü" * 116 + "~" + digest  # 232 bytes: the room, to the byte
    assert len(f".{key}.12345678.tmp".encode()) == 255
    odd = "a" + "ü" * 121 + SUFFIX  # the room ends inside a "ü": that one is left out
    assert sibling_key(tmp_path / odd).startswith("a" + "ü" * 115 + "~")


def test_two_long_names_with_one_prefix_get_different_keys(tmp_path):
    first, second = ("x" * 250 + end for end in ("1.md", "2.md"))
    keys = {sibling_key(tmp_path / first), sibling_key(tmp_path / second)}
    assert len(keys) == 2 and all(k.startswith("x" * 232 + "~") for k in keys)
