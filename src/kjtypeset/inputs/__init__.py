"""Reading an issue as the editor wrote it: issue.yaml, the articles, their Markdown."""
