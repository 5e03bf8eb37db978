"""An answer's way from the model to the pages: the run that writes it, its events and their
log, the job pages follow and stop, the redraw pace, the title written after it.
"""
