"""Classification: evidence-weighted, condition-aware, explains itself."""
from bot.case import present_features, read_message
from bot.classify import candidate_types, classify


def classify_text(text):
    case = read_message(None, text)
    return classify(present_features(case), case["condition"])


def test_nerve_types_are_ms_types():
    assert "neuropathic" not in candidate_types("als") and "lhermitte" not in candidate_types("als")
    assert {"neuropathic", "lhermitte"} <= set(candidate_types("ms"))
    assert set(candidate_types(None)) == {"neuropathic", "lhermitte", "spasticity", "musculoskeletal", "immobility"}


def test_ms_burning_is_neuropathic_with_evidence():
    result = classify_text("she has MS, burning tingling pain for no reason")
    assert result.pain_type == "neuropathic"
    said = {e["said"] for e in result.evidence["neuropathic"]}
    assert {"burning", "tingling", "for no reason"} <= said


def test_als_burning_is_unclear_not_neuropathic():
    result = classify_text("he has ALS, burning and tingling in his back")
    assert result.pain_type == "unclear" and result.unclear_reason == "als_sensory"
    assert "neuropathic" not in [r["pain_type"] for r in result.ranked]
    assert {e["feature"] for e in result.evidence["unclear"]} >= {"burning", "tingling"}


def test_als_spasms_with_a_passing_tingle_stay_spasticity():
    result = classify_text("he has ALS, cramps and spasms and stiffness in his back, tight muscles, a bit of tingling")
    assert result.pain_type == "spasticity"


def test_lhermitte():
    result = classify_text("MS, electric shock down her spine when she bends her neck forward, seconds")
    assert result.pain_type == "lhermitte"


def test_thin_evidence_is_unclear_with_low_confidence():
    result = classify_text("she has MS and her back hurts")
    assert result.pain_type == "unclear" and result.unclear_reason == "not_enough" and result.confidence < 0.5


def test_conflict_is_unclear():
    # exactly balanced evidence for two types
    result = classify({"cramping": "cramps", "sharp_with_movement": "sharp when moving"}, "ms")
    assert result.pain_type == "unclear" and result.unclear_reason == "conflict"


def test_ranked_scores_and_confidence_shape():
    result = classify_text("ALS, in his wheelchair all day, stiff and sore, better after we reposition him")
    assert result.pain_type == "immobility"
    assert result.ranked[0]["pain_type"] == "immobility"
    assert [r["score"] for r in result.ranked] == sorted((r["score"] for r in result.ranked), reverse=True)
    assert 0 < result.confidence <= 1 and result.confidence_label in ("high", "medium", "low")
