"""Floor for the benchmark: Streamlit alone, echoing the message with no model at all.

Its "time to first token" is what any Streamlit chat pays on this machine.
"""

import streamlit as st

if st.sidebar.button("New chat", key="new_chat"):
    pass

if prompt := st.chat_input("Message"):
    with st.chat_message("assistant"):
        st.markdown(prompt.split()[-1] + "-start")
