"""Streamlit building blocks the pages share (session, editor, publish and site panels, sign-in); not pages."""
