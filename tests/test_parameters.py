import pytest
import torch

from emocourse.notebook import ParameterError, check_parameters, default_profile


def test_valid_parameters_are_returned_and_echoed(capsys):
    namespace = {"IMAGE_SIZE": 128, "BACKBONE": "tf_efficientnet_lite0", "sys": object(), "In": []}
    assert check_parameters(namespace, ["IMAGE_SIZE", "BACKBONE"]) == {
        "IMAGE_SIZE": 128,
        "BACKBONE": "tf_efficientnet_lite0",
    }
    assert "Parameters: IMAGE_SIZE=128, BACKBONE='tf_efficientnet_lite0'" in capsys.readouterr().out


@pytest.mark.parametrize(
    "namespace, message",
    [
        ({"IMAGE_SIZE": 128, "IMAGE_SIZ": 64}, "unknown parameter IMAGE_SIZ: this chapter takes IMAGE_SIZE"),
        ({"IMAGE_SIZE": 5000}, "IMAGE_SIZE=5000: must be an integer from 32 to 1024"),
        ({"IMAGE_SIZE": "128"}, "IMAGE_SIZE='128': must be an integer"),
        ({"IMAGE_SIZE": True}, "IMAGE_SIZE=True: must be an integer"),
        ({}, "parameter IMAGE_SIZE is declared but never assigned"),
    ],
)
def test_bad_parameters_name_the_parameter(namespace, message):
    with pytest.raises(ParameterError, match=message):
        check_parameters(namespace, ["IMAGE_SIZE"])


def test_backbone_and_profile_rules():
    with pytest.raises(ParameterError, match="BACKBONE='resnet_50'.*did you mean"):
        check_parameters({"BACKBONE": "resnet_50"}, ["BACKBONE"])
    with pytest.raises(ParameterError, match="PROFILE='quick': must be one of 'fast', 'full'"):
        check_parameters({"PROFILE": "quick"}, ["PROFILE"])
    with pytest.raises(ParameterError, match="has no rule"):
        check_parameters({"COLOUR": "red"}, ["COLOUR"])


def test_default_profile_follows_environment(monkeypatch):
    monkeypatch.setenv("EMOCOURSE_PROFILE", "full")
    assert default_profile() == "full"
    monkeypatch.setenv("EMOCOURSE_PROFILE", "fastest")
    with pytest.raises(ParameterError, match="EMOCOURSE_PROFILE='fastest'"):
        default_profile()
    monkeypatch.delenv("EMOCOURSE_PROFILE")
    assert default_profile() == ("full" if torch.cuda.is_available() else "fast")


def test_dataset_parameters_take_a_standin_or_a_dataset_folder(tmp_path):
    (tmp_path / "labels.csv").write_text("image,label,split\n")
    assert check_parameters({"DATASET": "affect", "FACE_DATASET": str(tmp_path)}, ["DATASET", "FACE_DATASET"])
    with pytest.raises(ParameterError, match="DATASET='/nowhere': must be a stand-in"):
        check_parameters({"DATASET": "/nowhere"}, ["DATASET"])


def test_none_takes_the_profile_value():
    namespace = {"PROFILE": "full", "IMAGE_SIZE": None, "EPOCHS": 3}
    values = check_parameters(namespace, ["PROFILE", "IMAGE_SIZE", "EPOCHS"])
    assert values["IMAGE_SIZE"] == namespace["IMAGE_SIZE"] == 224 and values["EPOCHS"] == 3
    with pytest.raises(ParameterError, match="no PROFILE parameter"):
        check_parameters({"EPOCHS": None}, ["EPOCHS"])


def test_claims_assert_on_the_run_the_prose_was_written_for():
    from emocourse.notebook import Parameters

    claims = Parameters(DATASET="affect", EPOCHS=4).written_for(DATASET="affect", EPOCHS=(4, 5))
    assert claims.check(True, "frozen beats hand-crafted", "70 % vs 50 %")
    with pytest.raises(
        AssertionError, match="the text says: frozen beats hand-crafted; this run measured: 40 % vs 50 %"
    ):
        claims.check(False, "frozen beats hand-crafted", "40 % vs 50 %")


def test_claims_on_other_data_are_reported_beside_what_was_measured(capsys):
    from emocourse.notebook import Parameters

    claims = Parameters(DATASET="/data/fer2013", EPOCHS=16).written_for(DATASET="affect", EPOCHS=(4, 5))
    assert claims.differences == {"DATASET": "/data/fer2013", "EPOCHS": 16}
    assert claims.check(False, "frozen beats hand-crafted", "40 % vs 50 %") is False
    printed = capsys.readouterr().out
    assert 'the text says "frozen beats hand-crafted"' in printed
    assert "measured with DATASET='affect', EPOCHS in (4, 5)" in printed
    assert "this run has DATASET='/data/fer2013', EPOCHS=16 and measured 40 % vs 50 %: it does not hold here" in printed


def test_a_claim_whose_premise_the_data_lacks_says_it_does_not_apply(capsys):
    from emocourse.notebook import Parameters, lacks_imbalance

    assert lacks_imbalance([330, 330, 329]) == "its classes are about balanced (largest to rarest: 1.0 to 1)"
    assert lacks_imbalance([700, 140]) is None
    balanced = "its classes are balanced (largest to rarest: 1.0 to 1)"
    elsewhere = Parameters(DATASET="/data/emotion6").written_for(DATASET="affect")
    assert elsewhere.unless(balanced).check(True, "class weights lift the rarest class", "0.41 → 0.40") is False
    assert capsys.readouterr().out == (
        'Note: the text says "class weights lift the rarest class". It does not apply here: '
        "its classes are balanced (largest to rarest: 1.0 to 1).\n"
    )
    assert elsewhere.unless(None).check(True, "class weights lift the rarest class", "0.23 → 0.32")
    here = Parameters(DATASET="affect").written_for(DATASET="affect")
    with pytest.raises(AssertionError, match="lacks its premise: its classes are balanced"):
        here.unless(balanced).check(True, "class weights lift the rarest class", "0.41 → 0.40")


def test_claims_name_only_parameters_the_chapter_has():
    from emocourse.notebook import Parameters

    with pytest.raises(ParameterError, match="this chapter has no parameter EPOCHS"):
        Parameters(DATASET="affect").written_for(EPOCHS=4)


def test_claims_are_recorded_not_asserted_when_measuring_their_spread(tmp_path, monkeypatch):
    import json

    from emocourse.notebook import Parameters

    log = tmp_path / "claims.jsonl"
    monkeypatch.setenv("EMOCOURSE_CLAIMS_LOG", str(log))
    claims = Parameters(DATASET="affect", SEED=3).written_for(DATASET="affect")
    assert claims.check(False, "frozen beats hand-crafted", "40 % vs 50 %") is False
    assert claims.check(True, "valence is easier", {"valence": 0.9}) is True
    first, second = (json.loads(line) for line in log.read_text().splitlines())
    assert first["claim"] == "frozen beats hand-crafted" and first["holds"] is False
    assert first["parameters"] == {"DATASET": "affect", "SEED": 3} and first["threads"] == torch.get_num_threads()
    assert second["measured"] == "{'valence': 0.9}" and second["holds"] is True
