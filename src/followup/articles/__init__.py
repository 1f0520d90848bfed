"""The reading list: articles worth sending, imported from feeds, suggested per person.

``model`` holds the plain values, ``feeds`` reads RSS/Atom feeds and OPML lists (feedparser),
``suggest`` ranks articles against what a person discussed (TF-IDF; optionally embeddings).
"""
