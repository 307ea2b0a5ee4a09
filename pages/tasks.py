"""Four ways to use BERT (note section 4): sentence, token and pair classification, and extractive QA."""

import streamlit as st

from core.render import markdown_literal
from core.tasks import qa
from ui import loaders, session
from ui.errors import user_errors
from ui.sections import tasks as sections
from ui.state import persistent

TASK_TITLES = {
    "sentence": "1 · Sentence → class",
    "token": "2 · Sentence → a class per word",
    "pair": "3 · Two sentences → adjacent or not",
    "qa": "4 · Question + passage → answer span",
}
HOW_IT_READS = {
    "sentence": "The classifier reads only the **[CLS]** vector of the last layer (through the pooler) and turns it into class "
                "probabilities.",
    "token": "The classifier reads **every token's** final vector and gives each its own label (e.g. NER); word pieces are merged "
             "into words and entities.",
    "pair": "`[CLS] A [SEP] B [SEP]` goes in; the **[CLS]** vector feeds the 'is B the next sentence?' head (NSP), or a fine-tuned pair classifier.",
    "qa": "`[CLS] question [SEP] passage [SEP]` goes in; a **start vector** and an **end vector** score every passage token; "
          "the answer is the best start ≤ end span.",
}
# What each task reads of the input (the QA task has its own question and passage fields).
READS = {
    "sentence": "This task reads **sentence A** from the sidebar only; sentence B is used by task 3.",
    "token": "This task reads **sentence A** from the sidebar only; sentence B is used by task 3.",
    "pair": "This task reads **sentences A and B** from the sidebar, as one input: `[CLS] A [SEP] B [SEP]`.",
    "qa": "This task reads the question and the passage typed below (not the sidebar's sentences).",
}
DEFAULT_QUESTION = "What did the man buy?"
DEFAULT_PASSAGE = "The man went to the store to buy a gallon of milk. He paid for it with cash at the counter."

st.title("Four ways to use BERT")
st.markdown("The same encoder, four different heads on top. Each reads different positions of the last layer's output.")
task = st.radio("Task", list(TASK_TITLES), format_func=TASK_TITLES.get, horizontal=True,
                **persistent("tasks_task", "sentence", list(TASK_TITLES)))
st.info(HOW_IT_READS[task])
st.caption(READS[task])

selection = session.current()
if task == "pair" and not (selection.text_b or "").strip():
    st.error("sentence B is empty — type a second sentence in the sidebar to judge the pair")
    st.stop()
left, right = st.columns(2)
with left:
    chosen = sections.task_model(task, selection)
compare = right.text_input("Compare with a second model (optional)", key="tasks_compare",
                           placeholder="hub id, folder or alias",
                           help="e.g. the model before and after fine-tuning; both read the same input").strip()
if task == "qa":
    defaults = qa.QAOptions()  # the fine-tune page's before/after answers with these too
    question = st.text_input("Question", DEFAULT_QUESTION, key="tasks_question")
    passage = st.text_area("Passage", DEFAULT_PASSAGE, key="tasks_passage", height=120)
    cols = st.columns(4)
    top_k = cols[0].number_input("Top-k answers", 1, 10, defaults.top_k, key="tasks_top_k")
    max_len = cols[1].number_input("Max answer length (tokens)", 1, 100, defaults.max_answer_len, key="tasks_max_len")
    stride = cols[2].number_input("Window overlap (stride, tokens)", 0, 256, defaults.stride, key="tasks_stride")
    allow_none = cols[3].checkbox("Allow 'no answer' ([CLS])", defaults.allow_no_answer, key="tasks_no_answer",
                                  help="SQuAD 2.0 models learned to point at [CLS] when the passage holds no answer")
    options = qa.QAOptions(int(top_k), int(max_len), defaults.window_len, int(stride), allow_none)

models = [chosen] if chosen is not None else []
if compare:
    with user_errors(advise=lambda err: st.caption("The second model above could not be loaded.")):
        models.append(loaders.load_model(compare))
if not models:
    st.stop()

for slot, (column, loaded) in enumerate(zip(st.columns(len(models)), models)):
    with column:
        if len(models) > 1 or compare:
            st.subheader(markdown_literal(loaded.name))
        if task == "qa":
            sections.question_answering(loaded, question, passage, options, str(slot))
        elif task == "token":
            sections.token(loaded, selection.text_a, str(slot))
        else:
            sections.sentence(loaded, selection.text_a, selection.text_b if task == "pair" else None, str(slot))
