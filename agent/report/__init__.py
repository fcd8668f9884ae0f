"""A finished run, looked at: one self-contained HTML page per run (or per pair of runs) and a re-score.

Everything read from a run folder is data someone may have sent: it is type-checked as it is read
(`rundata`), every text is escaped into the page (`html_page`), LaTeX becomes MathML through an
allow-list (`mathml`), and nothing read is ever evaluated.
"""
