"""Chinese typography: markup before layout (clreq) and the text layer after it."""
