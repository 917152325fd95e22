"""Layout with WeasyPrint: the layout folder, fonts, and every WeasyPrint internal kjtypeset touches."""
