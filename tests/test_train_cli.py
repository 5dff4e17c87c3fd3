"""`analyze train` / `analyze evaluate` on an analyst's own small labelled file and taxonomy."""

import json

from typer.testing import CliRunner

from analyzer import load_model
from analyzer.cli import app

runner = CliRunner()

ROWS = [
    ("Waited three weeks for the engineer", 2, "slow"), ("Still waiting for my refund", 3, "slow"),
    ("Took ages to get connected", 4, "slow"), ("Delivery was a week late", 3, "slow"),
    ("Five days for a reply to one email", 2, "slow"), ("Order is still not here", 1, "slow"),
    ("The app crashes every time I log in", 2, "broken"), ("Router keeps dropping out", 3, "broken"),
    ("Website error at checkout", 4, "broken"), ("Box died after a day", 1, "broken"),
    ("Internet cuts out every evening", 2, "broken"), ("Card reader broken again", 3, "broken"),
    ("Lovely helpful staff", 10, "kind"), ("Agent was patient and kind", 9, "kind"),
    ("Friendly engineer explained everything", 10, "kind"), ("Great support team", 9, "kind"),
    ("Very polite on the phone", 9, "kind"), ("Support sorted it with a smile", 10, "kind"),
    ("Engineer late and then the box was faulty", 1, "broken;slow"),
    ("Kind staff but the refund is still pending", 6, "kind;slow"), ("10", 10, ""), ("n/a", 8, ""),
]


def write_labelled(path, rows):
    lines = ["text,score,reasons"] + [f'"{t}",{s},{r}' for t, s, r in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_train_own_taxonomy_then_evaluate_and_analyze(tmp_path):
    labelled = write_labelled(tmp_path / "mine.csv", ROWS * 2)
    out = tmp_path / "model"
    res = runner.invoke(app, ["train", str(labelled), "--out", str(out), "--folds", "3"])
    assert res.exit_code == 0, res.output
    assert "micro-F1" in res.output and "broken" in res.output
    card = json.loads((out / "card.json").read_text())
    assert card["labels"] == ["broken", "kind", "slow"]
    assert card["cross_validation"]["folds"] == 3 and card["training_data"]["rows"] == 44
    assert load_model(out).predict(["still waiting for the engineer"], [2]) == [["slow"]]
    report_json = tmp_path / "reports" / "evaluation.json"  # a folder that does not exist yet
    res = runner.invoke(app, ["evaluate", str(labelled), "--model", str(out), "--json", str(report_json)])
    assert res.exit_code == 0 and "Held-out evaluation" in res.output
    assert "95% bootstrap intervals" in res.output and "95% interval" in res.output
    report = json.loads(report_json.read_text())
    assert report["n"] == 44 and report["model"] == "model"
    low, high = report["micro_f1_ci"]
    assert low <= report["micro_f1"] <= high
    assert [row["label"] for row in report["per_label"]] == ["broken", "kind", "slow"]
    first = report_json.read_bytes()
    runner.invoke(app, ["evaluate", str(labelled), "--model", str(out), "--json", str(report_json)])
    assert report_json.read_bytes() == first
    export = tmp_path / "export.csv"
    export.write_text("id,score,comment\n1,2,the app crashes all the time\n2,10,such kind staff\n")
    res = runner.invoke(app, ["run", str(export), "--model", str(out), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert {r["reason"] for r in summary["reasons"]} >= {"broken", "kind", "slow", "no_comment"}


def test_rare_label_and_tiny_files_are_refused(tmp_path):
    rare = write_labelled(tmp_path / "rare.csv", ROWS * 2 + [("Price too high", 4, "pricey")])
    res = runner.invoke(app, ["train", str(rare), "--out", str(tmp_path / "m"), "--folds", "3"])
    assert res.exit_code == 2 and "'pricey' (1)" in res.output and "Traceback" not in res.output
    tiny = write_labelled(tmp_path / "tiny.csv", ROWS[:5])
    res = runner.invoke(app, ["train", str(tiny), "--out", str(tmp_path / "m")])
    assert res.exit_code == 2 and "at least 20" in res.output


def test_own_labels_outside_the_corpus_taxonomy_cannot_add_corpus(tmp_path):
    labelled = write_labelled(tmp_path / "mine.csv", ROWS * 2)
    res = runner.invoke(app, ["train", str(labelled), "--out", str(tmp_path / "m"), "--folds", "3",
                              "--add-corpus", "data/corpus.csv"])
    assert res.exit_code == 2 and "not in the base corpus" in res.output


def test_train_can_take_tokens_and_lemmas_from_an_installed_spacy_pipeline(tmp_path):
    import spacy

    # Stands in for a user's trained pipeline: anything spacy.load() accepts, here a path.
    own_nlp = spacy.blank("en")
    own_nlp.add_pipe("lemmatizer", config={"mode": "lookup"}).initialize()
    own_nlp.to_disk(tmp_path / "my_pipeline")
    labelled = write_labelled(tmp_path / "mine.csv", ROWS * 2)
    out = tmp_path / "model"
    res = runner.invoke(app, ["train", str(labelled), "--out", str(out), "--folds", "3",
                              "--spacy-model", str(tmp_path / "my_pipeline")])
    assert res.exit_code == 0, res.output
    card = json.loads((out / "card.json").read_text())
    assert card["params"]["features__spacy_model"] == str(tmp_path / "my_pipeline")
    assert load_model(out).predict(["still waiting for the engineer"], [2]) == [["slow"]]
    # On a machine without that pipeline, analysing with the model is refused with the reason.
    (tmp_path / "my_pipeline").rename(tmp_path / "moved")
    from analyzer.features import build_nlp
    build_nlp.cache_clear()
    export = tmp_path / "export.csv"
    export.write_text("id,score,comment\n1,2,the app crashes all the time\n")
    res = runner.invoke(app, ["run", str(export), "--model", str(out)])
    assert res.exit_code == 2 and "is not installed" in res.output, res.output

    res = runner.invoke(app, ["train", str(labelled), "--out", str(tmp_path / "m2"), "--folds", "3",
                              "--spacy-model", "xx_no_such_pipeline"])
    assert res.exit_code == 2, res.output
    assert "'xx_no_such_pipeline' is not installed" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "m2").exists()
