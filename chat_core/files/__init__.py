"""Files a visitor attaches: their kinds, checked from their bytes, read (PDFs in a bounded
child process).
"""
