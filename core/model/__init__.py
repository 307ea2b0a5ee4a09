"""The model (note section 1): loading by hub id, folder or alias, its real heads, BERT's input, the one cached
forward pass, the bundled offline model and atomic checkpoint saving."""
