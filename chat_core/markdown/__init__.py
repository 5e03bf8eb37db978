"""Markdown made safe to show, a visitor's text cleaned, and a streaming answer cut into blocks
for drawing.
"""
