"""The pages through Streamlit's AppTest: every page renders, bad input gives a message, not a traceback."""
