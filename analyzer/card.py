"""Model cards: what a model is, what it was trained on, and how well it did, for people."""

from __future__ import annotations


def _fmt(x) -> str:
    return "" if x is None else f"{x:.3f}" if isinstance(x, float) else str(x)


def format_interval(bounds) -> str:
    """" [low, high]" for a 95% interval, or "" when there is none (reports made before intervals)."""
    return f" [{bounds[0]:.3f}, {bounds[1]:.3f}]" if bounds else ""


def _with_interval(value, bounds) -> str:
    return _fmt(value) + format_interval(bounds)


def _metric(value, bounds=None) -> str:
    """A score: "n/a" when undefined (no comment has the label and none was given it)."""
    return "n/a" if value is None else _with_interval(value, bounds)


def render_card_markdown(card: dict) -> str:
    lines = [f"# Reason model card: {card.get('name', 'model')}", ""]
    lines.append(card.get("description", "A multi-label classifier of the reasons in NPS comments."))
    lines += ["", "## Training data", ""]
    data = card.get("training_data", {})
    for key in ("source", "rows", "sha256", "label_set"):
        if key in data:
            lines.append(f"- {key}: {data[key]}")
    lines += ["", "## Labels", "", "| id | definition | threshold | support |", "|---|---|---|---|"]
    definitions = card.get("definitions", {})
    thresholds = card.get("thresholds", {})
    support = data.get("label_counts", {})
    for label in card.get("labels", []):
        lines.append(f"| `{label}` | {definitions.get(label, '')} | {_fmt(thresholds.get(label))} | "
                     f"{support.get(label, '')} |")
    rules = card.get("decision_rules")
    if rules:
        lines += ["", "## Decision rules", ""]
        ratio = rules.get("relative_threshold") or 0.0
        lines.append(f"- a further reason needs at least {_fmt(ratio)} times the probability of the "
                     "comment's most probable reason" if ratio > 0 else
                     "- every reason above its threshold is kept (cross-validation chose no relative cut)")
        pairs = rules.get("exclusive_pairs", [])
        if pairs:
            lines.append("- never predicted together (the more probable is kept): "
                         + ", ".join(f"`{a}` / `{b}`" for a, b in pairs))
    cv = card.get("cross_validation")
    if cv:
        lines += ["", f"## Cross-validation ({cv.get('folds')} folds, multi-label stratified)", "",
                  f"- micro-F1: {_metric(cv.get('micro_f1'), cv.get('micro_f1_ci'))}",
                  f"- macro-F1: {_metric(cv.get('macro_f1'), cv.get('macro_f1_ci'))}"]
        if cv.get("micro_f1_ci"):
            lines.append("- in brackets: 95% bootstrap intervals over the comments")
        lines += ["", "| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
        for row in cv.get("per_label", []):
            lines.append(f"| `{row['label']}` | {_metric(row['precision'])} | {_metric(row['recall'])} | "
                         f"{_metric(row['f1'], row.get('f1_ci'))} | {row['support']} |")
        seg = cv.get("by_segment", [])
        if seg:
            lines += ["", "| segment | n | micro-F1 | macro-F1 |", "|---|---|---|---|"]
            for row in seg:
                lines.append(f"| {row['segment']} | {row['n']} | {_metric(row['micro_f1'])} | "
                             f"{_metric(row['macro_f1'])} |")
    lines += ["", "## Reproduce", "", f"    {card.get('command', '')}", "", "## Versions", ""]
    for k, v in sorted(card.get("versions", {}).items()):
        lines.append(f"- {k}: {v}")
    lines += ["", f"Trained: {card.get('trained', '')}", ""]
    return "\n".join(lines)
