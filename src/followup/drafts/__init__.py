"""First drafts of every follow-up message or call, personal to each recipient.

``context`` gathers what is known about one action (the person, their notes, the article, the
achievement...), ``render`` turns it into a `Draft` through a Jinja template shipped in
``templates/`` (or the user's own, in ``<config folder>/templates/``), and ``guard`` compares
drafts and sent messages to catch form letters. Nothing here touches the database or the clock.
"""
