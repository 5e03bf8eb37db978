"""Anchor for the benchmark: Streamlit's chat tutorial pattern (st.write_stream, raw openai).

Not part of the product; the benchmark runs it beside the app to compare.
"""

import os

import streamlit as st
from openai import OpenAI

client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])

if "messages" not in st.session_state:
    st.session_state.messages = []

if st.sidebar.button("New chat", key="new_chat"):
    st.session_state.messages = []

for message in st.session_state.messages:
    with st.chat_message(message["role"]):
        st.markdown(message["content"])

if prompt := st.chat_input("Message"):
    st.session_state.messages.append({"role": "user", "content": prompt})
    with st.chat_message("user"):
        st.markdown(prompt)
    with st.chat_message("assistant"):
        stream = client.chat.completions.create(
            model=os.environ.get("CHAT_MODEL", "scripted-small"),
            messages=st.session_state.messages,
            stream=True,
        )
        response = st.write_stream(stream)
    st.session_state.messages.append({"role": "assistant", "content": response})
