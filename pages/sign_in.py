"""The sign-in page: the only page until the visitor signs in as an allowed user."""

from __future__ import annotations

from components.context import page_context
from components.sign_in_gate import render_sign_in

context = page_context()
render_sign_in(context.visitor, context.configured, context.t)
