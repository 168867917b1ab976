"""`make bench-national`: a whole country's school year in one deployment (issue 35, item 1).

data.py and people.py fill the four services' event stores through their own Applications
and domain aggregates; run.py starts the five services on those stores and measures.
"""
