"""Every page of the app, in menu order; app.py builds the navigation and the home page its links from it."""

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def page_file(path: str) -> str:
    """A page script's absolute path, for st.page_link / st.switch_page (which read relative paths from the main
    script's folder, not the repository's)."""
    return str(ROOT / path)


@dataclass(frozen=True)
class PageInfo:
    path: str  # script under pages/
    title: str
    icon: str
    blurb: str  # one line for the home page's list of views

    def title_in(self, language: str) -> str:
        """The menu title in `language` ("en" or "zh"; the session's language is ui.language.current())."""
        return TITLES_ZH[self.path] if language == "zh" else self.title

    @property
    def url_path(self) -> str:
        """The page's address, e.g. /attention (empty for the home page)."""
        name = self.path.removeprefix("pages/").removesuffix(".py")
        return "" if name == "home" else name


# In the note's order: the input, the encoder stack, pre-training (MLM, NSP), the four uses, training.
# Icons are Streamlit's bundled Material Symbols, which draw offline and without an emoji font.
PAGES = (
    PageInfo("pages/home.py", "Home", ":material/home:", "the model in brief and how BERT reads your input"),
    PageInfo("pages/lessons.py", "Lessons", ":material/school:", "a guided course along the note: predict, then see what the model does"),
    PageInfo("pages/embeddings.py", "Input embeddings", ":material/stacks:", "token + segment + position, LayerNorm, learned positions"),
    PageInfo("pages/contextual.py", "Contextual embeddings", ":material/scatter_plot:", "tokens through the layers, word senses, sentence vectors"),
    PageInfo("pages/attention.py", "Attention", ":material/visibility:", "every layer and head: heatmaps, overview, bertviz, rollout, q·k, ablation"),
    PageInfo("pages/mlm.py", "Masked words", ":material/masks:", "fill [MASK]s, whole-word vs piece, joint fills, logit lens, 80/10/10 masking"),
    PageInfo("pages/nsp.py", "Next sentence", ":material/link:", "P(IsNext) of sentence B after A from the real NSP head, both orders"),
    PageInfo("pages/nsp_negatives.py", "NSP negatives", ":material/science:", "random-document vs same-document vs swapped negatives, scored"),
    PageInfo("pages/pretrain.py", "Pre-train", ":material/fitness_center:", "MLM + NSP trained together; random vs same-document negatives"),
    PageInfo("pages/nsp_batch.py", "NSP batch", ":material/table:", "score a TSV/CSV/JSONL file of sentence pairs and download the results"),
    PageInfo("pages/tasks.py", "Four ways to use BERT", ":material/apps:", "sentence, token and pair classification, and QA answer spans"),
    PageInfo("pages/finetune.py", "Fine-tune", ":material/model_training:", "train a copy of BERT for one of its four uses and inspect it"),
    PageInfo("pages/findings.py", "Findings", ":material/biotech:", "published results about BERT, measured live on the loaded model"),
)

# The menu's titles when the session reads in Chinese.
TITLES_ZH = {
    "pages/home.py": "首页",
    "pages/lessons.py": "课程",
    "pages/embeddings.py": "输入嵌入",
    "pages/contextual.py": "上下文嵌入",
    "pages/attention.py": "注意力",
    "pages/mlm.py": "掩码词预测",
    "pages/nsp.py": "下一句预测",
    "pages/nsp_negatives.py": "NSP 负样本",
    "pages/pretrain.py": "预训练",
    "pages/nsp_batch.py": "NSP 批量打分",
    "pages/tasks.py": "BERT 的四种用法",
    "pages/finetune.py": "微调",
    "pages/findings.py": "研究发现",
}
