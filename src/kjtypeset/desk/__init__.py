"""The editor's desk and the archive room in the browser (issue 18): one local web app.

    server.py       the ASGI app (Starlette) and how it is served (uvicorn), for the desk and
                    for `kjtypeset preview`, which serves the same preview routes
    previewpane.py  the live preview: page images pushed by server-sent events
    security.py     loopback by default, the password, sessions, CSRF, the Host check
    issues.py       the issue list and an issue's page: what the manifest and the folders say
    jobs.py         build and publish, each run as the CLI command in a child process
    archiveroom.py  search and browse the archive, PDFs served at the page

The desk is a front end: every check and every change goes through the functions the CLI
uses (editor/, archive/, build through the CLI itself), so both say the same thing.
"""
