"""The NSP pages through AppTest: one pair and its swap, batch files, the negatives experiment (NSP and SOP heads)."""

from __future__ import annotations

from core.model import forward
from core.model import loading as models
from core.nsp import scoring as nsp
from core.nsp.experiment import KINDS
from tests.helpers import NSP_A, NSP_B, NSP_DOCS, run_page, shown


def test_nsp_page_scores_a_pair_in_both_orders_and_swaps_it(tiny_dirs):
    at = run_page("pages/nsp.py", {"model": str(tiny_dirs["pretraining"]), "a": NSP_A, "b": NSP_B})
    assert not at.exception and not at.error
    loaded = models.load_model(str(tiny_dirs["pretraining"]))
    forward_score, swapped_score = nsp.score_pair(loaded, NSP_A, NSP_B), nsp.score_pair(loaded, NSP_B, NSP_A)
    assert at.metric[0].label == "P(IsNext), A → B" and at.metric[0].value == f"{forward_score.is_next:.3f}"
    assert at.metric[1].value == f"{swapped_score.is_next:.3f}"
    assert any("index 0 = IsNext" in m.value and f"{forward_score.logits[0]:.3f}" in m.value for m in at.markdown)
    assert len(at.get("plotly_chart")) == 2
    at.button(key="nsp_swap").click().run()
    assert not at.exception
    assert (at.sidebar.text_area[0].value, at.sidebar.text_area[1].value) == (NSP_B, NSP_A)
    assert at.metric[0].value == f"{swapped_score.is_next:.3f}" and at.metric[1].value == f"{forward_score.is_next:.3f}"


def test_nsp_page_without_head_offers_alternatives(tiny_dirs):
    at = run_page("pages/nsp.py", {"model": str(tiny_dirs["encoder"]), "a": NSP_A, "b": NSP_B})
    assert not at.exception
    assert any("no trained next-sentence" in shown(e.value) and "bert-base-uncased" in shown(e.value) for e in at.error)


def test_nsp_page_without_sentence_b_says_so(tiny_dirs):
    at = run_page("pages/nsp.py", {"model": str(tiny_dirs["pretraining"]), "a": NSP_A, "b": ""})
    assert not at.exception
    assert any("sentence B is empty" in shown(e.value) for e in at.error)


def test_negatives_page_runs_the_experiment(tiny_dirs):
    at = run_page("pages/nsp_negatives.py", {"model": str(tiny_dirs["pretraining"])})
    assert not at.exception
    at.slider(key="nsp_exp_per_kind").set_value(5)
    at.button[0].click().run()  # the form's submit button
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) == 3  # distributions, separation (AUC), accuracy at 0.5
    summary = at.dataframe[0].value
    assert list(summary["kind"]) == list(KINDS) and (summary["count"] == 5).all()


def test_negatives_page_in_bf16_says_how_close_it_came_to_fp32(tiny_dirs):
    at = run_page("pages/nsp_negatives.py", {"model": str(tiny_dirs["pretraining"])})
    at.slider(key="nsp_exp_per_kind").set_value(5)
    at.button[0].click().run()
    at.radio(key="nsp_exp_precision").set_value("bf16").run()
    assert not at.exception and not at.error
    assert any("bf16 against fp32 on" in c.value for c in at.caption)
    at.radio(key="nsp_exp_precision").set_value("fp32").run()
    assert not any("against fp32" in c.value for c in at.caption)


def test_negatives_page_scores_an_sop_model_side_by_side(tiny_dirs, sop_model):
    at = run_page("pages/nsp_negatives.py", {"model": str(tiny_dirs["pretraining"])})
    at.slider(key="nsp_exp_per_kind").set_value(5)
    at.text_input(key="nsp_exp_sop").set_value(sop_model.source.location)
    at.button[0].click().run()
    assert not at.exception and not at.error
    summary = at.dataframe[0].value
    assert sorted(set(summary["head"])) == ["nsp", "sop"] and len(summary) == 2 * len(KINDS)


def test_negatives_page_without_nsp_head_still_builds_pairs_and_says_why(tiny_dirs):
    at = run_page("pages/nsp_negatives.py", {"model": str(tiny_dirs["encoder"])})
    assert not at.exception
    assert len(at.dataframe) == 1  # the pairs, before scoring
    at.slider(key="nsp_exp_per_kind").set_value(5)
    at.button[0].click().run()
    assert not at.exception
    assert any("no trained next-sentence" in shown(e.value) for e in at.error)


def test_negatives_page_on_pasted_documents(tiny_dirs):
    at = run_page("pages/nsp_negatives.py", {"model": str(tiny_dirs["pretraining"])})
    at.radio(key="nsp_exp_source").set_value("Paste documents").run()
    at.text_area(key="nsp_exp_text").set_value(NSP_DOCS).run()
    assert not at.exception
    assert any("2 documents, 9 segments" in m.value for m in at.markdown)
    at.slider(key="nsp_exp_per_kind").set_value(5)
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert set(at.dataframe[0].value["kind"]) == set(KINDS)


def test_nsp_page_reuses_the_one_forward_pass(tiny_dirs):
    at = run_page("pages/home.py", {"model": str(tiny_dirs["pretraining"]), "a": "the cat sat", "b": "the dog went"})
    before = forward.forward_pass_count()
    at.switch_page("pages/nsp.py").run()
    assert not at.exception and at.metric
    assert forward.forward_pass_count() == before  # A → B is the home page's analysis; B → A uses the pair scorer


def test_nsp_page_says_its_verdict_and_compares_two_candidate_sentences(tiny_dirs):
    at = run_page("pages/nsp.py", {"model": str(tiny_dirs["pretraining"]), "a": NSP_A, "b": NSP_B})
    loaded = models.load_model(str(tiny_dirs["pretraining"]))
    p = nsp.score_pair(loaded, NSP_A, NSP_B).is_next
    said = nsp.verdict(nsp.sentence_head(loaded), p).sentence
    assert sum(said in m.value for m in at.markdown) >= 2  # under the metrics and in the candidate card
    at.text_input(key="nsp_other_b").set_value("the weather was cold").run()
    assert not at.exception and not at.error
    other = float(nsp.score_pairs(loaded, [(NSP_A, "the weather was cold")]).is_next[0])
    assert any(m.value == f"{other:.3f}" for m in at.metric)
    assert any("The head prefers" in m.value for m in at.markdown)
    assert any("nsp_negatives" in str(link.proto) for link in at.get("page_link"))


def test_negatives_page_shows_separation_per_kind(tiny_dirs):
    at = run_page("pages/nsp_negatives.py", {"model": str(tiny_dirs["pretraining"])})
    at.slider(key="nsp_exp_per_kind").set_value(5)
    at.button[0].click().run()
    summary = at.dataframe[0].value
    assert summary["auc"].isna().tolist() == [True, False, False, False]  # the positives have no AUC
    assert any("ROC AUC" in c.proto.spec for c in at.get("plotly_chart"))
