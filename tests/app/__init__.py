"""Tests of the app through Streamlit's AppTest (and the Streamlit server where a test needs
it): what a page shows and does.
"""
