import pytest

from emocourse import taxonomy as tx


def test_fi_classes_are_alphabetical_like_the_release_folders():
    assert list(tx.FI) == sorted(tx.FI)
    assert len(tx.FI) == 8


def test_valence_map_of_the_literature():
    positive = {c for c in tx.FI if tx.valence(c) == tx.POSITIVE}
    negative = {c for c in tx.FI if tx.valence(c) == tx.NEGATIVE}
    assert positive == {"amusement", "awe", "contentment", "excitement"}
    assert negative == {"anger", "disgust", "fear", "sadness"}
    assert tx.valence("surprise") is None and tx.valence("neutral") is None


def test_fer2013_label_ids():
    assert [tx.FER2013.label(i) for i in range(7)] == [
        "angry",
        "disgust",
        "fear",
        "happy",
        "sad",
        "surprise",
        "neutral",
    ]
    assert tx.FER2013.index("neutral") == 6


def test_ferplus_vote_columns_in_file_order():
    assert tx.FERPLUS.classes == ("neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt")


def test_emoset_maps_to_fi_by_name_not_position():
    mapping = tx.EMOSET.index_map(tx.FI)
    assert len(mapping) == 8
    for emoset_id, fi_id in mapping.items():
        assert tx.EMOSET.label(emoset_id) == tx.FI.label(fi_id)
    assert mapping[tx.EMOSET.index("anger")] == tx.FI.index("anger") == 1
    assert tx.EMOSET.index("anger") == 4


def test_fer2013_and_ferplus_translate_through_concepts():
    assert tx.FER2013.translate("angry", tx.FERPLUS) == "anger"
    assert tx.FERPLUS.translate("happiness", tx.FER2013) == "happy"
    assert tx.FERPLUS.translate("sadness", tx.FER2013) == "sad"
    with pytest.raises(KeyError, match="contempt.*no counterpart in FER2013"):
        tx.FERPLUS.translate("contempt", tx.FER2013)
    assert tx.FERPLUS.index_map(tx.FER2013) == {0: 6, 1: 3, 2: 5, 3: 4, 4: 0, 5: 1, 6: 2}


def test_emotion6_joy_is_the_faces_happiness():
    negative, positive = tx.NEGATIVE, tx.POSITIVE
    assert tx.EMOTION6.valence == {
        "anger": negative,
        "disgust": negative,
        "fear": negative,
        "joy": positive,
        "sadness": negative,
        "surprise": None,
        "neutral": None,
    }
    assert tx.color("joy") == tx.color("happiness") and len(set(tx.EMOTION6.colors)) == 7
    assert tx.EMOTION6.translate("joy", tx.FER2013) == "happy" and tx.FERPLUS.find("joy") == "happiness"
    assert tx.match_classes(tx.FERPLUS.classes, tx.EMOTION6.classes) == {
        c: c for c in ("anger", "disgust", "fear", "sadness", "surprise", "neutral")
    } | {"joy": "happiness"}
    assert tx.EMOTION6.find("amusement") is None and tx.TAXONOMIES["emotion6"] is tx.EMOTION6


def test_one_colour_per_emotion_shared_across_datasets():
    assert len(set(tx.FI.colors)) == 8
    assert len(set(tx.FERPLUS.colors)) == 8
    assert tx.color("angry") == tx.color("anger")
    assert all(c.startswith("#") and len(c) == 7 for c in tx.COLORS.values())


def test_unknown_labels_name_the_label():
    with pytest.raises(KeyError, match="'glee'"):
        tx.concept("glee")
    with pytest.raises(KeyError, match="'happy' is not a FI class"):
        tx.FI.index("happy")
    with pytest.raises(KeyError, match="0..6"):
        tx.FER2013.label(7)
    with pytest.raises(KeyError):
        tx.Taxonomy("broken", ("amusement", "glee"))
