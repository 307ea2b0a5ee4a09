"""Fine-tuning (note section 4): data for the four tasks (files, demo sets, Hugging Face datasets), features and
metrics, the runner, saved runs, and the curves figure."""
