"""MkDocs hook: the configuration reference page is written from the option dataclasses at
build time (``lstm_nlp.cli.reference``), where the page holds the marker below."""

MARKER = "<!-- config-reference -->"


def on_page_markdown(markdown, page, config, files):
    if MARKER not in markdown:
        return markdown
    from lstm_nlp.cli.reference import config_reference

    return markdown.replace(MARKER, config_reference())
