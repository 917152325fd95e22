"""The editor's tools: new issues, imports, manifest edits, the preview."""
