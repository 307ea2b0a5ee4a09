"""The course: six lessons in the note's order, each a few steps of predict → reveal → explain, in two languages.

Every step names its input, the page (and tab) that shows it, a question with choices, the probe that measures
the model's own answer, and an explanation whose numbers come from that probe ({placeholders}). `expect` is the
answer the lesson's text was written for on `bundled`; tests/core/test_lessons.py asserts it on the shipped
model, so a rebuild that breaks a lesson fails CI. The Chinese texts explain the same English examples: the
bundled model's vocabulary is English.
"""

from __future__ import annotations

from dataclasses import dataclass

from core import config
from core.lessons import probes
from core.lessons.probes import Probe
from core.lib.i18n import Text


@dataclass(frozen=True)
class Step:
    """One predict → reveal → explain step."""

    key: str  # "4.1": lesson 4, step 1 (what the URL's ?step= holds)
    page: str  # the app page that shows it: a file name under pages/ without .py
    tab: str | None  # the tab (or task) to open there, by its label; None: the page as it opens
    text_a: str
    text_b: str | None
    question: Text
    choices: tuple[str, ...]
    probe: Probe
    explain: Text  # {placeholders} are the probe's Reading.facts
    expect: str  # the answer this text was written for (asserted on `bundled` by the tests)
    target: str | None = None  # the word the probe looks at, or the QA question
    model: str | None = None  # a ready-made model the step reads; None: the sidebar's model

    @property
    def question_input(self) -> probes.Question:
        return probes.Question(self.text_a, self.text_b, self.target)


@dataclass(frozen=True)
class Lesson:
    number: int
    title: Text
    intro: Text
    steps: tuple[Step, ...]


A, B = config.DEFAULT_TEXT_A, config.DEFAULT_TEXT_B
YES_NO = ("yes", "no")

LESSON_1 = Lesson(1, Text("[CLS] A [SEP] B [SEP]: WordPiece and segments", "[CLS] A [SEP] B [SEP]：WordPiece 与分段"), Text(
    "BERT reads one sentence or a pair of sentences as one sequence of WordPiece tokens. Three facts of that format "
    "matter for everything after it.",
    "BERT 把一个句子或一对句子读成同一个 WordPiece 词元序列。这个格式里有三件事，后面每一课都用得到。"), (
    Step("1.1", "embeddings", None, A, B,
         Text("BERT reads sentences A and B as one sequence. How many [SEP] tokens does it add?",
              "BERT 把句子 A 和 B 读成一个序列。它会加入几个 [SEP]？"),
         ("1", "2", "3"), probes.separators,
         Text("The model read {count} tokens: `{tokens}`. [CLS] opens the input — sentence-level heads read its final "
              "vector — and a [SEP] closes each sentence: {answer} here. The same format serves one sentence "
              "([CLS] A [SEP]) and a pair.",
              "模型读入了 {count} 个词元：`{tokens}`。[CLS] 放在最前面——句子级的输出层读的就是它最后一层的向量；"
              "每个句子后面跟一个 [SEP]，这里一共 {answer} 个。单句（[CLS] A [SEP]）和句对用的是同一种格式。"),
         expect="2"),
    Step("1.2", "embeddings", None, "The embeddings were unbelievably playful.", None,
         Text("WordPiece keeps about 30,000 pieces. Into how many pieces does it cut “embeddings”?",
              "WordPiece 词表大约有 3 万个片段。它会把 “embeddings” 切成几片？"),
         ("1", "2", "3", "4"), probes.piece_count,
         Text("“{word}” becomes {count} pieces: `{pieces}`. A piece that starts with ## continues the word before it. "
              "Rare words are built from common pieces, so no word is out of the vocabulary; the views that show "
              "words merge the pieces back.",
              "“{word}” 被切成 {count} 片：`{pieces}`。以 ## 开头的片段接在前一个片段后面。生僻词由常见片段拼成，"
              "所以没有词会超出词表；按词显示的视图会把片段重新合并成词。"),
         expect="4", target="embeddings"),
    Step("1.3", "embeddings", None, A, B,
         Text("Every token also gets a segment id: 0 for sentence A, 1 for sentence B. Which segment id does the final "
              "[SEP] get?",
              "每个词元还有一个分段编号：句子 A 是 0，句子 B 是 1。最后一个 [SEP] 的分段编号是多少？"),
         ("0", "1"), probes.last_segment,
         Text("The final [SEP] gets segment {segment}: it belongs to sentence B, whose tokens start at position "
              "{first_b}. [CLS] and the first [SEP] belong to A. The segment embedding added to every token is how the "
              "model knows which sentence a token is in.",
              "最后一个 [SEP] 的分段编号是 {segment}：它属于句子 B，B 的词元从位置 {first_b} 开始。[CLS] 和第一个 [SEP] "
              "属于 A。每个词元都加上自己的分段向量，模型就是靠它知道词元属于哪个句子。"),
         expect="1"),
))

LESSON_2 = Lesson(2, Text("Token + segment + position, then LayerNorm", "词元 + 分段 + 位置，再做 LayerNorm"), Text(
    "Before the first encoder, each token's vector is the sum of three learned embeddings, normalised.",
    "进入第一个编码器之前，每个词元的向量是三个学到的嵌入之和，再做归一化。"), (
    Step("2.1", "embeddings", None, A, B,
         Text("Is a token's input vector exactly LayerNorm(token embedding + segment embedding + position embedding)?",
              "一个词元的输入向量，是否恰好等于 LayerNorm(词元嵌入 + 分段嵌入 + 位置嵌入)？"),
         YES_NO, probes.summands,
         Text("The answer is {answer}: recomputing LayerNorm(token + segment + position) for every token matches the model's own "
              "embedding output to {diff:.1e}, over {numbers:,} numbers. The table shows the first dimensions of "
              "“{token}”: the three rows and their sum. Word order enters only through the position row.",
              "答案是“{answer}”：对每个词元重新计算 LayerNorm(词元 + 分段 + 位置)，与模型自己的嵌入输出相差不超过 {diff:.1e}"
              "（共 {numbers:,} 个数）。表格列出 “{token}” 的前几维：三行向量和它们的和。词序只通过位置向量进入模型。"),
         expect="yes"),
    Step("2.2", "embeddings", None, A, B,
         Text("BERT learns its position vectors instead of using the Transformer's fixed sine/cosine waves. Are the "
              "learned vectors of neighbouring positions more alike than those of positions 32 apart?",
              "BERT 的位置向量是学出来的，而不是原始 Transformer 固定的正弦/余弦。相邻位置的向量，"
              "是否比相距 32 的位置更相似？"),
         YES_NO, probes.position_similarity,
         Text("Mean cosine of learned position vectors one apart: {near:.2f}; 32 apart: {far:.2f}. Nobody told the "
              "model that positions are ordered: pre-training made neighbours alike because neighbouring positions "
              "play similar roles. Sine/cosine has this by construction; a learned table has to learn it, and has "
              "no row beyond its last position.",
              "相邻位置向量的平均余弦相似度：{near:.2f}；相距 32：{far:.2f}。没有人告诉模型位置是有顺序的，"
              "是预训练让相邻位置变得相似，因为它们的作用相近。正弦/余弦编码天生如此；学到的位置表必须自己学，"
              "而且超出最后一个位置就没有向量了。"),
         expect="yes"),
))

LESSON_3 = Lesson(3, Text("A stack of encoders, and what heads attend to", "编码器堆叠，以及注意力头在看什么"), Text(
    "BERT is a stack of Transformer encoders; each starts with multi-head self-attention.",
    "BERT 是一叠 Transformer 编码器，每个编码器都从多头自注意力开始。"), (
    Step("3.1", "attention", "Layers × heads", A, B,
         Text("BERT-Base stacks 12 encoders of 12 attention heads each. How big is the loaded model's stack "
              "(layers × heads)?",
              "BERT-Base 叠了 12 个编码器，每个 12 个注意力头。当前模型的堆叠有多大（层 × 头）？"),
         ("6 × 12", "12 × 12", "24 × 16"), probes.stack_size,
         Text("{layers} encoder layers × {heads} heads, hidden size {hidden} ({per_head} numbers per head). Each "
              "encoder is self-attention → add & norm → feed-forward → add & norm; its output is the next one's "
              "input, so every layer reads the whole input again, more mixed each time.",
              "{layers} 层编码器 × 每层 {heads} 个头，隐藏维度 {hidden}（每个头 {per_head} 维）。每个编码器是"
              "自注意力 → 残差与归一化 → 前馈网络 → 残差与归一化；它的输出是下一层的输入，"
              "所以每一层都重新读一遍整个输入，混合得越来越深。"),
         expect="6 × 12"),
    Step("3.2", "attention", "Heatmap", A, B,
         Text("In the middle layers, where does most of a token's attention go?",
              "在中间几层，一个词元的注意力大多落在哪里？"),
         probes.ATTENTION_TARGETS, probes.attention_targets,
         Text("In layers {first}–{last} (numbered as on the Attention page) the largest share goes to "
              "{top}: {share:.0%} of the attention, averaged over heads and tokens (every share is in the table). "
              "Clark et al. (2019) found BERT-Base's middle layers sending over half their attention "
              "to [SEP] (here {sep:.0%}): a 'no-op' for heads whose pattern does not apply. Where a model parks that "
              "attention is its own habit; the Findings page measures it over a corpus.",
              "在第 {first}–{last} 层（编号与注意力页面相同），最大的份额落在 {top}：平均占 {share:.0%}"
              "（各部分的份额见表格）。Clark 等人（2019）发现 BERT-Base 的中间层有一半以上的注意力"
              "落在 [SEP] 上（这里是 {sep:.0%}）——当一个头的模式不适用时，它就把注意力“停”在那里。"
              "模型把注意力停在哪里是它自己的习惯；“发现”页面会在一个语料上测量这一点。"),
         expect="[CLS]"),
))

LESSON_4 = Lesson(4, Text("Masked words: both sides, 80/10/10, and the independence weakness",
                          "掩码语言模型：双向上下文、80/10/10，以及独立预测的弱点"), Text(
    "BERT pre-trains by predicting hidden words from the words on both sides — an auto-encoding model.",
    "BERT 的预训练是根据两边的词来预测被遮住的词——一种自编码模型。"), (
    Step("4.1", "mlm", "Predictions", "The man [MASK] to the store to buy a gallon of milk.", None,
         Text("Which word will BERT put in place of [MASK]?", "BERT 会在 [MASK] 处填哪个词？"),
         ("went", "ran", "drove", "walked"), probes.top_prediction,
         Text("BERT's first choice is “{top}” (P = {p:.2f}), then {rest}. The label is the hidden word itself, so "
              "masked-word training needs no annotation: it is self-supervised. The words after the mask — “to the "
              "store to buy” — count as much as those before it.",
              "BERT 的第一选择是 “{top}”（P = {p:.2f}），其次是 {rest}。标签就是被遮住的词本身，"
              "所以不需要人工标注：这是自监督学习。遮罩后面的词（“to the store to buy”）和前面的词一样重要。"),
         expect="went"),
    Step("4.2", "mlm", "Predictions", "The [MASK] was shining in the sky.", None,
         Text("Only the words after the mask say what it is. Which word will BERT choose?",
              "只有遮罩后面的词能说明它是什么。BERT 会选哪个词？"),
         ("sun", "moon", "light", "star"), probes.top_prediction,
         Text("“{top}” (P = {p:.2f}), then {rest}. Before the mask there is only “The”: a left-to-right language "
              "model would have to guess from that alone. BERT reads both sides at once — that is what "
              "bidirectional means.",
              "“{top}”（P = {p:.2f}），其次是 {rest}。遮罩前面只有 “The”：从左到右的语言模型只能凭这一个词去猜。"
              "BERT 同时读两边——这就是“双向”的意思。"),
         expect="sun"),
    Step("4.3", "mlm", "Pre-training masking", A, None,
         Text("In pre-training BERT picks 15 % of the tokens to predict. What share of those does it replace with "
              "[MASK]?",
              "预训练时 BERT 选出 15% 的词元来预测。其中多大比例被换成 [MASK]？"),
         probes.MASK_SHARES, probes.masking_rule,
         Text("Over {draws} seeded draws of the rule on this sentence, {chosen} tokens were chosen: {share_mask:.0%} "
              "became [MASK], {share_random:.0%} a random token and {share_keep:.0%} stayed as they were — the "
              "80/10/10 rule, up to the luck of the draws. Fine-tuning inputs have no [MASK], so the model must also predict from real and from "
              "wrong tokens. Top-1 was right for {accuracy_mask:.0%} of the masked, {accuracy_random:.0%} of the "
              "replaced and {accuracy_keep:.0%} of the kept tokens.",
              "在这个句子上按规则抽样 {draws} 次，共选出 {chosen} 个词元：{share_mask:.0%} 换成 [MASK]，"
              "{share_random:.0%} 换成随机词，{share_keep:.0%} 保持不变——这就是 80/10/10 规则（抽样有随机误差）。微调时的输入里没有 "
              "[MASK]，所以模型也必须学会从真实的词和错误的词出发去预测。第一名预测的正确率：被遮住的 "
              "{accuracy_mask:.0%}，被替换的 {accuracy_random:.0%}，保持不变的 {accuracy_keep:.0%}。"),
         expect="80 %"),
    Step("4.4", "mlm", "Several masks: independent vs joint", "The [MASK] [MASK] won the game.", None,
         Text("BERT predicts every [MASK] from one pass, each without knowing what the others will be. Does that "
              "fill two masks as well as filling them one after the other?",
              "BERT 在一次前向计算里预测所有 [MASK]，每个位置都不知道其他位置会填什么。这样填两个遮罩，"
              "和一个接一个地填相比，效果一样好吗？"),
         probes.INDEPENDENT_VERDICTS, probes.independent_fill,
         Text("Independently: “{independent}” (pseudo-log-likelihood {independent_pll:.1f}). One after the other, "
              "each seeing the word already chosen: “{iterative}” ({iterative_pll:.1f}); the best combination found: "
              "“{joint}” ({joint_pll:.1f}). The masked-word objective treats the masks as independent given the "
              "rest — the note's weakness of auto-encoding models; an autoregressive model conditions each word on "
              "the ones before it.",
              "独立预测：“{independent}”（伪对数似然 {independent_pll:.1f}）。一个接一个、每次都看到已经填好的词："
              "“{iterative}”（{iterative_pll:.1f}）；找到的最佳组合：“{joint}”（{joint_pll:.1f}）。"
              "掩码语言模型的目标假设各个遮罩在给定其余词时相互独立——这正是笔记里说的自编码模型的弱点；"
              "自回归模型则让每个词都以前面的词为条件。"),
         expect="worse"),
))

LESSON_5 = Lesson(5, Text("Next-sentence prediction, and why random negatives are too easy",
                          "下一句预测，以及为什么随机负例太容易"), Text(
    "BERT's second pre-training task: is sentence B the one that followed A? Half the pairs are true next "
    "sentences, half pair A with a sentence from another document.",
    "BERT 的第二个预训练任务：句子 B 是不是紧跟在 A 后面的那一句？一半的句对是真正的下一句，"
    "另一半把 A 和另一篇文档里的句子配在一起。"), (
    Step("5.1", "nsp", None, A, B,
         Text("Will the NSP head say that B follows A (P(IsNext) above 0.5)?",
              "NSP 输出层会判断 B 紧跟在 A 之后吗（P(IsNext) 大于 0.5）？"),
         probes.NSP_SIDES, probes.next_sentence,
         Text("P(IsNext) = {p:.2f}. The {head} head reads only the final [CLS] vector, through the pooler. "
              "Pre-training gave it consecutive segments as positives and a segment of another document as "
              "negatives, half and half.",
              "P(IsNext) = {p:.2f}。{head} 输出层只读最后一层的 [CLS] 向量（经过 pooler）。预训练时，"
              "正例是连续的两段，负例是另一篇文档中的一段，各占一半。"),
         expect=probes.NSP_SIDES[0]),
    Step("5.2", "nsp", None, A, config.DEFAULT_OTHER_B,
         Text("Now B is a sentence from another text. Which side of 0.5 will P(IsNext) fall on?",
              "现在 B 换成另一篇文章里的句子。P(IsNext) 会落在 0.5 的哪一边？"),
         probes.NSP_SIDES, probes.next_sentence,
         Text("P(IsNext) = {p:.2f}: a sentence on another topic is easy to reject — it is exactly the kind of negative "
              "BERT was trained on.",
              "P(IsNext) = {p:.2f}：话题不同的句子很容易被否定——这正是 BERT 训练时见过的那种负例。"),
         expect=probes.NSP_SIDES[1]),
    Step("5.3", "nsp", None, B, A,
         Text("The same two sentences as in 5.1, in the wrong order. Will the head notice (P(IsNext) below 0.5)?",
              "还是 5.1 的两个句子，但顺序颠倒了。输出层会察觉吗（P(IsNext) 小于 0.5）？"),
         probes.NSP_SIDES, probes.next_sentence,
         Text("P(IsNext) = {p:.2f} for the swapped pair. Random-document negatives teach the head topic: two sentences "
              "about the same shop look consecutive in either order. ALBERT's sentence-order prediction trains on "
              "exactly these swapped pairs as negatives.",
              "颠倒后的 P(IsNext) = {p:.2f}。随机文档负例教会输出层的是“话题”：讲同一家商店的两句话，"
              "无论顺序如何看起来都像是连续的。ALBERT 的句序预测正是把这种颠倒的句对当作负例来训练。"),
         expect=probes.NSP_SIDES[0]),
    Step("5.4", "nsp_negatives", None, A, B,
         Text("Three kinds of wrong B: a sentence of another document, a non-adjacent sentence of the same document, "
              "and the two sentences swapped. Which kind does the head tell apart from true next sentences best?",
              "三种错误的 B：另一篇文档的句子、同一文档中不相邻的句子、以及顺序颠倒的两句。"
              "输出层最容易把哪一种和真正的下一句区分开？"),
         ("random other document", "same document, non-adjacent", "swapped"), probes.negative_kinds,
         Text("Over {pairs} pairs from Python's reference topics the head separates “{easiest}” best (ROC AUC in the "
              "table: 1 = every true next sentence scores above every negative, 0.5 = chance). The easiest "
              "negatives teach the least: same-document and swapped negatives make the task about coherence, not "
              "topic. The NSP negatives page runs this on your documents; the Pre-train page trains with each kind.",
              "在 Python 参考文档的 {pairs} 个句对上，输出层最容易区分的是 “{easiest}”（表中的 ROC AUC："
              "1 表示每个真正的下一句都比每个负例得分高，0.5 表示随机）。最容易的负例教得最少；"
              "同文档负例和颠倒负例让任务关乎连贯性而不是话题。NSP 负例页面可以在你的文档上运行这个实验；"
              "预训练页面可以用每一种负例来训练。"),
         expect="random other document"),
))

LESSON_6 = Lesson(6, Text("The four ways to use BERT", "BERT 的四种用法"), Text(
    "The same encoder with four different heads on top, each reading different positions of the last layer. "
    "These steps read the ready-made task models fine-tuned from `bundled`.",
    "同一个编码器，上面接四种不同的输出层，各自读取最后一层的不同位置。这几步使用从 `bundled` 微调出来的现成任务模型。"), (
    Step("6.1", "tasks", "sentence", "What a wonderful, relaxing day at the beach.", None,
         Text("A sentiment classifier fine-tuned from BERT reads only the [CLS] vector. Which label will it give?",
              "一个从 BERT 微调出来的情感分类器只读 [CLS] 向量。它会给出哪个标签？"),
         ("positive", "negative"), probes.sentence_label,
         Text("“{label}” (P = {p:.2f}). Use 1, sentence → class: one linear layer on the final [CLS] vector, trained "
              "together with the encoder on labelled sentences. Use 3, two sentences → class, is the same on "
              "[CLS] A [SEP] B [SEP] — lesson 5's NSP head is one.",
              "“{label}”（P = {p:.2f}）。用法 1，句子 → 类别：在最后一层的 [CLS] 向量上接一个线性层，"
              "和编码器一起在带标签的句子上训练。用法 3，两个句子 → 类别，做法相同，只是输入是 [CLS] A [SEP] B [SEP]"
              "——第 5 课的 NSP 输出层就是一个例子。"),
         expect="positive", model="bundled-sentiment"),
    Step("6.2", "tasks", "token", "Anna flew from Paris to Berlin.", None,
         Text("A token classifier gives every word its own tag (named entities). Which tag does “Paris” get?",
              "词元分类器给每个词一个标签（命名实体）。“Paris” 会得到哪个标签？"),
         ("B-PER", "B-LOC", "B-ORG", "O"), probes.word_label,
         Text("“{word}” → {label} (score {p:.2f}). Use 2, a class per token: the same linear layer applied to every "
              "token's final vector; B- starts an entity, I- continues it, O is outside any.",
              "“{word}” → {label}（得分 {p:.2f}）。用法 2，每个词元一个类别：同一个线性层作用在每个词元的最终向量上；"
              "B- 表示实体开始，I- 表示实体继续，O 表示不属于任何实体。"),
         expect="B-LOC", target="Paris", model="bundled-ner"),
    Step("6.3", "tasks", "qa", "The man went to the store to buy a gallon of milk. He paid for it with cash at the "
         "counter.", None,
         Text("Question: “What did the man buy?” Which span of the passage will the QA model pick?",
              "问题：“What did the man buy?” 问答模型会从短文中选出哪一段？"),
         ("a gallon of milk", "the store", "cash", "the counter"), probes.answer_span,
         Text("“{answer}” (score {p:.2f}). Use 4, question answering: [CLS] question [SEP] passage [SEP] goes in; a "
              "start vector and an end vector score every passage token, and the answer is the best span with "
              "start ≤ end.",
              "“{answer}”（得分 {p:.2f}）。用法 4，问答：输入 [CLS] 问题 [SEP] 短文 [SEP]；一个起点向量和一个终点向量"
              "给短文的每个词元打分，答案是起点 ≤ 终点的最佳片段。"),
         expect="a gallon of milk", target="What did the man buy?", model="bundled-qa"),
))

LESSONS = (LESSON_1, LESSON_2, LESSON_3, LESSON_4, LESSON_5, LESSON_6)
STEPS = {step.key: step for lesson in LESSONS for step in lesson.steps}

# The choices' Chinese labels (words the model writes, such as "went" or "B-LOC", stay as they are).
CHOICES_ZH = {
    "yes": "是", "no": "否", "above 0.5": "大于 0.5", "below 0.5": "小于 0.5",
    "just as well": "一样好", "worse": "更差",
    "the token itself": "词元自己", "the neighbouring tokens": "相邻的词元",
    "the other words": "其他词",
    "random other document": "另一篇文档的句子", "same document, non-adjacent": "同一文档、不相邻的句子",
    "swapped": "顺序颠倒",
}


# The column names of the probes' tables.
COLUMNS_ZH = {
    "position": "位置", "token": "词元", "segment": "分段", "vector": "向量", "attended": "注意力落点", "share": "份额",
    "rank": "名次", "word": "词", "probability": "概率", "action": "操作", "top-1 right": "第一名正确率",
    "strategy": "策略", "fill": "填充", "PLL": "伪对数似然", "negative": "负例", "mean P(IsNext)": "平均 P(IsNext)",
    "label": "标签", "tag": "标签", "score": "得分", "answer": "答案",
}


def choice_label(choice: str, language: str) -> str:
    """A choice as the learner reads it in `language`."""
    return CHOICES_ZH.get(choice, choice) if language == "zh" else choice


def table_rows(reading: probes.Reading, language: str) -> list[dict]:
    """The reading's table in `language` (column names and the choices' words translated; tokens stay)."""
    if language != "zh":
        return reading.rows
    return [{COLUMNS_ZH.get(k, k): choice_label(v, language) if isinstance(v, str) else v for k, v in row.items()}
            for row in reading.rows]


def lesson_of(step: Step) -> Lesson:
    return next(lesson for lesson in LESSONS if step in lesson.steps)


def neighbours(step: Step) -> tuple[Step | None, Step | None]:
    """The steps before and after `step` in the course."""
    keys = list(STEPS)
    i = keys.index(step.key)
    return (STEPS[keys[i - 1]] if i else None, STEPS[keys[i + 1]] if i + 1 < len(keys) else None)


def explanation(step: Step, reading: probes.Reading, language: str, literal=str) -> str:
    """The step's explanation with the measured facts (and {answer}) put in; `literal` escapes each text fact."""
    values = {**reading.facts, "answer": reading.answer}
    return step.explain.in_(language).format(
        **{k: literal(choice_label(v, language)) if isinstance(v, str) else v for k, v in values.items()})
