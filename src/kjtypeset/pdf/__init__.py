"""The PDF editions: writing, prepress, preflight, metadata, attachments, finishing."""
