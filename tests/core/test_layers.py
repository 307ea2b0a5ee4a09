"""One layer numbering everywhere (core/model/layers.py): labels in figures, tables, maps and the logit lens."""

from __future__ import annotations

import csv
import io

import pytest
import torch

from core.attention import figures as attention_figures
from core.attention import maps as attention
from core.embeddings import contextual, tables
from core.embeddings import figures as embedding_figures
from core.model import forward
from core.model.layers import attention_layer_label, hidden_labels, layer_axis, layer_label
from tests.helpers import PAIR


def test_labels_follow_the_convention():
    assert [layer_label(k) for k in range(3)] == ["embeddings", "layer 1", "layer 2"]
    assert [attention_layer_label(i) for i in range(2)] == ["layer 1", "layer 2"]
    assert hidden_labels(2) == ["embeddings", "layer 1", "layer 2"]
    assert layer_axis(2)["ticktext"] == hidden_labels(2) and layer_axis(2)["tickvals"] == [0, 1, 2]
    with pytest.raises(ValueError):
        layer_label(-1)


def test_attention_of_index_i_is_named_layer_i_plus_1(tiny_model):
    analysis = forward.analyze(tiny_model, *PAIR)
    assert attention.attention_map(analysis, 0, 1).title == "Layer 1, head 1"
    assert attention.rollout_map(attention.attention_rollout(analysis), 1).title == "Rollout through layer 2"
    stat = attention.head_statistic(analysis, "entropy")
    fig = attention_figures.overview_figure(stat, (1, 0))
    assert list(fig.layout.yaxis.ticktext) == ["layer 1", "layer 2"] and list(fig.layout.yaxis.tickvals) == [0, 1]
    assert "layer %{customdata[1]}" in fig.data[1].hovertemplate and fig.data[1].customdata[-1][1] == 2


def test_hidden_state_views_name_the_embeddings_and_layers(tiny_model):
    analysis = forward.analyze(tiny_model, *PAIR)
    chosen = contextual.units(analysis)
    assert embedding_figures.projection_figure(contextual.project(chosen, 0)).layout.title.text.startswith("Embeddings")
    assert embedding_figures.projection_figure(contextual.project(chosen, 2)).layout.title.text.startswith("Layer 2")
    drift = contextual.drift(chosen)
    assert list(embedding_figures.drift_figure(chosen, drift).layout.xaxis.ticktext) == hidden_labels(2)
    header = next(csv.reader(io.StringIO(tables.drift_table(chosen, drift))))
    assert header[1:] == hidden_labels(2)
    sentences = contextual.sentence_vectors(tiny_model, analysis)
    assert list(embedding_figures.sentence_figure(sentences).layout.xaxis.ticktext) == hidden_labels(2)
    rows = list(csv.reader(io.StringIO(tables.sentence_table(sentences))))
    assert rows[0][:2] == ["layer", "layer_name"] and [r[1] for r in rows[1:]] == hidden_labels(2)


def test_logit_lens_and_cls_path_use_the_same_names(tiny_model, tiny_dirs):
    from core.mlm import fill_mask as mlm
    from core.model import loading as models
    from core.tasks import classify as tasks
    from core.tasks import figures as task_figures

    lens = mlm.logit_lens(tiny_model, "the cat [MASK] on the mat.")
    assert lens.layers == hidden_labels(tiny_model.config.num_hidden_layers)
    classifier = models.load_model(str(tiny_dirs["sentence"]), torch.device("cpu"))
    fig = task_figures.cls_path_figure(tasks.classify(classifier, "the cat sat", None))
    assert list(fig.layout.xaxis.ticktext) == hidden_labels(classifier.config.num_hidden_layers)
