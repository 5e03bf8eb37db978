"""Anchor for the benchmark: the common LangChain pattern of a callback handler that
redraws ``st.empty()`` with the whole text on every token. Not part of the product.
"""

import os

import streamlit as st
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage, HumanMessage
from langchain_openai import ChatOpenAI


class StreamHandler(BaseCallbackHandler):
    def __init__(self, container):
        self.container = container
        self.text = ""

    def on_llm_new_token(self, token: str, **kwargs) -> None:
        self.text += token
        self.container.markdown(self.text)


if "messages" not in st.session_state:
    st.session_state.messages = []

if st.sidebar.button("New chat", key="new_chat"):
    st.session_state.messages = []

for message in st.session_state.messages:
    st.chat_message(message["role"]).write(message["content"])

if prompt := st.chat_input("Message"):
    st.session_state.messages.append({"role": "user", "content": prompt})
    st.chat_message("user").write(prompt)
    with st.chat_message("assistant"):
        handler = StreamHandler(st.empty())
        llm = ChatOpenAI(
            model=os.environ.get("CHAT_MODEL", "scripted-small"),
            base_url=os.environ["OPENAI_BASE_URL"],
            api_key=os.environ["OPENAI_API_KEY"],
            streaming=True,
            callbacks=[handler],
        )
        history = [
            HumanMessage(m["content"]) if m["role"] == "user" else AIMessage(m["content"])
            for m in st.session_state.messages
        ]
        response = llm.invoke(history)
    st.session_state.messages.append({"role": "assistant", "content": response.content})
