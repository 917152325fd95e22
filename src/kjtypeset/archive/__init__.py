"""The archive: publish, catalogue, verify, reindex, search, listing."""
