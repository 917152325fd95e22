"""kjtypeset: typesets Chinese periodical bulletins (简报) from Markdown to print-ready PDF."""

__version__ = "0.1.0"
