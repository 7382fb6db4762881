"""``MODEL_CARD.md``: what a model folder knows about its model, in the sections of Mitchell et al.'s
model cards, with a marked blank for each thing only a person can decide. ``emocourse train`` writes one
beside the weights (:func:`~emocourse.train.recipes.save`); chapter 7 adds a fairness audit to it
(:func:`~emocourse.train.recipes.write_model_card`). Book: chapter 7, *Should we?*
"""

from __future__ import annotations

import pandas as pd

CARD = "MODEL_CARD.md"


def blank(what: str) -> str:
    """A marked blank: something a person must decide and write."""
    return f"**TO BE WRITTEN BY A PERSON:** {what}"


OUT_OF_SCOPE = """\
- Inferring what anyone *feels*. The model was trained on the expressions raters *saw* in
  faces; a facial movement is not a reliable, specific sign of a felt emotion (Barrett et
  al. 2019).
- Inferring the emotions of people at work or in education: prohibited in the EU since
  2 February 2025 unless for medical or safety reasons (AI Act, Regulation (EU) 2024/1689,
  Art. 5(1)(f)).
- Any other use on people without telling them: the AI Act lists emotion recognition
  systems as high-risk (Annex III, point 1(c)) and requires that the people exposed are
  informed (Art. 50(3)).
- Decisions about a person (hiring, grading, credit, policing, health)."""


def _table(frame: pd.DataFrame) -> str:
    """Fractions as a Markdown table of percentages."""
    return (100 * frame).to_markdown(floatfmt=".1f")


def model_card(description: dict, audit: pd.DataFrame | None = None, audit_by: str = "") -> str:
    """The card of the model ``description`` (a ``model.json``) describes; ``audit``: metrics (columns) by
    group (rows) from a fairness audit, shown a metric a row; ``audit_by``: the attribute that defines the
    groups."""
    metrics, data = description["metrics"], description.get("data", {})
    recall = pd.Series(metrics.get("recall", {}), name="recall (%)", dtype=float).rename_axis("class")
    shares = pd.Series(data.get("training_shares", {}), name="training images (%)", dtype=float)
    audit_text = (
        f"Measured by `{audit_by}` on the {metrics['split']} split (%):\n\n{_table(audit.T)}\n\n"
        + blank("whether these gaps are acceptable for the intended use, and what was done about them.")
        if audit is not None
        else blank("not measured. Audit the model by every group it will meet (chapter 7), then fill this in.")
    )
    return f"""\
# Model card: {description["recipe"]} model on {data.get("name", "an unnamed dataset")}

Written by emocourse from `model.json`. Everything marked **TO BE WRITTEN BY A PERSON** is a decision
or a fact that no training run can supply.

## Model details

- Recipe: `{description["recipe"]}` ({description.get("recipe_description", "")}), profile `{description["profile"]}`
- Classes ({len(description["classes"])}): {", ".join(description["classes"])}
- Weights: `weights.safetensors`, SHA-256 `{description["weights_sha256"]}`
- Developed by: {blank("who trained it, when, and whom to contact.")}

## Intended use

{blank("the task, the people it will be used on, who will use its answers, and for what.")}

What it outputs is the **expression raters would most likely have labelled**, not a person's felt
emotion.

## Out-of-scope uses

{OUT_OF_SCOPE}
- {blank("any other use this model must not be put to.")}

## Training data

- Dataset: {data.get("name", "?")}; licence: {data.get("licence", "?")}; citation: {data.get("citation", "?")}
- Images: {", ".join(f"{n:,} {split}" for split, n in data.get("images", {}).items()) or "?"}
- Consent and provenance of the faces: {blank("how the images were collected, and whether the people in them agreed.")}

{_table(shares.to_frame()) if len(shares) else ""}

## Metrics

Accuracy on the {metrics["split"]} split ({metrics["images"]:,} images): **{metrics["accuracy"]:.1%}**.
Recall of each class (the share of its images the model finds):

{_table(recall.to_frame()) if len(recall) else "(not recorded)"}

## Group gaps

{audit_text}

## Limits and ethical considerations

- {blank("conditions where it fails (lighting, pose, age, occlusion, image quality), and the risks to the people it is used on.")}
"""
