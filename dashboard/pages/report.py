"""Placeholder until the section is built; Home.py already routes here."""

import streamlit as st

st.info("Этот раздел ещё в разработке.")
