"""What the model is sent each turn: the system prompt, the window of exchanges, what fits the
context, the turn's plan.
"""
